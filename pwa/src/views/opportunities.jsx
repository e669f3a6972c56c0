// Opportunities: my pipeline by stage, a quick update of the fields that move a deal, and logging what the
// customer did. Updates carry the ETag they were based on; if someone changed the deal meanwhile, the
// server answers 412 and the change waits here as a conflict for the user to settle.
import { useEffect, useState } from 'preact/hooks';
import { Page, Loading, Problem, Freshness, Empty, Field, useResource } from '../components.jsx';
import { t, money, date, toMajor, toMinor, dateTime } from '../lib/i18n.js';
import { enqueue } from '../lib/outbox.js';
import { uuid } from '../lib/db.js';
import { flush } from '../lib/sync.js';
import { useAppState, toast } from '../lib/store.js';
import { ConflictActions } from './outbox.jsx';

const KINDS = ['call', 'email', 'meeting', 'visit', 'poc', 'document', 'other'];
const FIELDS = ['stage', 'next_step', 'amount', 'close_date', 'promised_date'];

function useStages() {
  const stages = useResource('/pipeline/stages');
  return { stages: stages.answer?.ok ? stages.answer.data.items : [], settled: Boolean(stages.answer) };
}

export function Opportunities() {
  const app = useAppState();
  const list = useResource('/opportunities', { owner_id: app.session.user.id, limit: 100 }, ['opportunity']);
  const { stages, settled } = useStages();
  const items = list.answer?.ok ? list.answer.data.items : [];
  const open = new Set(stages.filter((s) => s.kind === 'open').map((s) => s.key));
  const groups = stages
    .filter((s) => s.kind === 'open')
    .map((s) => ({ stage: s, deals: items.filter((o) => o.stage === s.key) }))
    .filter((g) => g.deals.length);
  // Without the stages (not read yet, or out of reach) nothing can be told open or closed: one plain list.
  const others = stages.length ? items.filter((o) => !open.has(o.stage)) : [];
  const ungrouped = settled && !stages.length ? items : [];
  const total = (deals) => deals.reduce((n, o) => n + o.amount, 0);
  return (
    <Page title={t('opp.title')}>
      <Freshness answer={list.answer} />
      {!(list.answer && (settled || !list.answer.ok)) && <Loading />}
      <Problem answer={list.answer} onRetry={list.reload} />
      {list.answer?.ok && !items.length && <Empty>{t('opp.empty')}</Empty>}
      {ungrouped.length > 0 && <DealList deals={ungrouped} outbox={app.outbox} />}
      {groups.map((g) => (
        <section key={g.stage.key} aria-labelledby={`stage-${g.stage.key}`} class="stage-group">
          <h2 id={`stage-${g.stage.key}`} class="section-title">
            {g.stage.name} <span class="muted">· {g.deals.length} · {money(total(g.deals), g.deals[0].currency)}</span>
          </h2>
          <DealList deals={g.deals} outbox={app.outbox} />
        </section>
      ))}
      {others.length > 0 && (
        <details>
          <summary>{t('opp.closed', { n: others.length })}</summary>
          <DealList deals={others} outbox={app.outbox} />
        </details>
      )}
    </Page>
  );
}

function DealList({ deals, outbox }) {
  return (
    <ul class="cards">
      {deals.map((o) => {
        const waiting = outbox.filter((e) => e.meta?.id === o.id && e.kind === 'opportunity');
        const trouble = waiting.some((e) => e.state !== 'pending');
        return (
          <li key={o.id}>
            <a class="card card-link" href={`/opportunities/${o.id}`} data-testid="deal-row">
              <p class="card-title">{o.name}</p>
              <p class="muted small">
                {o.account_name} · {money(o.amount, o.currency)} · {t('opp.closeShort', { when: date(o.close_date) })}
              </p>
              {o.next_step && <p class="small">{t('opp.next')}: {o.next_step}</p>}
              {waiting.length > 0 && (
                <p class={`chip ${trouble ? 'chip-danger' : 'chip-wait'}`}>{trouble ? t('outbox.conflict') : t('outbox.waitingOne')}</p>
              )}
            </a>
          </li>
        );
      })}
    </ul>
  );
}

function formOf(o) {
  return {
    stage: o.stage,
    next_step: o.next_step || '',
    amount: String(toMajor(o.amount, o.currency)),
    close_date: o.close_date || '',
    promised_date: o.promised_date || '',
  };
}

function changes(o, form) {
  const now = {
    stage: form.stage,
    next_step: form.next_step.trim() || null,
    amount: toMinor(form.amount || 0, o.currency),
    close_date: form.close_date || null,
    promised_date: form.promised_date || null,
  };
  const out = {};
  for (const f of FIELDS) if (now[f] !== (o[f] ?? null)) out[f] = now[f];
  return out;
}

function QuickUpdate({ o, etag, stages, waiting }) {
  const [form, setForm] = useState(formOf(o));
  useEffect(() => setForm(formOf(o)), [o.version]);
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  async function save(event) {
    event.preventDefault();
    const body = changes(o, form);
    if (!Object.keys(body).length) {
      toast(t('opp.nothing'));
      return;
    }
    await enqueue({
      kind: 'opportunity',
      method: 'PATCH',
      path: `/opportunities/${o.id}`,
      body,
      ifMatch: etag || `"${o.version}"`,
      label: { en: `Update: ${o.name}`, zh: `更新：${o.name}` },
      meta: { id: o.id, fields: Object.keys(body), base_version: o.version },
    });
    toast(navigator.onLine ? t('opp.saving') : t('opp.savedOffline'));
    flush();
  }
  return (
    <form class="stack card" onSubmit={save} aria-labelledby="quick-title">
      <h2 id="quick-title" class="section-title">{t('opp.quick')}</h2>
      {waiting.length > 0 && <p class="chip chip-wait">{t('outbox.waitingOne')}</p>}
      <Field id="stage" label={t('opp.stage')}>
        <select id="stage" value={form.stage} onChange={set('stage')}>
          {(stages.length ? stages : [{ key: o.stage, name: o.stage }]).map((s) => (
            <option value={s.key}>{s.name}</option>
          ))}
        </select>
      </Field>
      <Field id="next_step" label={t('opp.nextStep')}>
        <input id="next_step" maxLength={500} value={form.next_step} onInput={set('next_step')} />
      </Field>
      <Field id="amount" label={t('opp.amount', { currency: o.currency })} hint={o.line_items?.length ? t('opp.amountFromLines') : null}>
        <input
          id="amount"
          type="number"
          inputmode="decimal"
          min="0"
          step="0.01"
          value={form.amount}
          readOnly={Boolean(o.line_items?.length)}
          aria-describedby={o.line_items?.length ? 'amount-hint' : undefined}
          onInput={set('amount')}
        />
      </Field>
      <div class="two">
        <Field id="close_date" label={t('opp.close')}>
          <input id="close_date" type="date" value={form.close_date} onInput={set('close_date')} />
        </Field>
        <Field id="promised_date" label={t('opp.promised')}>
          <input id="promised_date" type="date" value={form.promised_date} onInput={set('promised_date')} />
        </Field>
      </div>
      <button type="submit" class="btn btn-primary btn-block">{t('opp.save')}</button>
    </form>
  );
}

function LogAction({ o }) {
  const [kind, setKind] = useState('call');
  const [direction, setDirection] = useState('inbound');
  const [summary, setSummary] = useState('');
  const [error, setError] = useState(null);
  async function save(event) {
    event.preventDefault();
    if (!summary.trim()) {
      setError(t('activity.summaryNeeded'));
      return;
    }
    const id = uuid();
    await enqueue({
      kind: 'activity',
      method: 'POST',
      path: '/activities',
      body: { id, account_id: o.account_id, opportunity_id: o.id, kind, direction, occurred_at: new Date().toISOString(), summary: summary.trim() },
      label: { en: `Customer action: ${o.account_name}`, zh: `客户动作：${o.account_name}` },
      meta: { id: o.id, activity_id: id },
    });
    setSummary('');
    toast(navigator.onLine ? t('activity.saved') : t('activity.savedOffline'));
    flush();
  }
  return (
    <form class="stack card" onSubmit={save} aria-labelledby="log-title">
      <h2 id="log-title" class="section-title">{t('activity.title')}</h2>
      <div class="two">
        <Field id="kind" label={t('activity.kind')}>
          <select id="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            {KINDS.map((k) => <option value={k}>{t(`activity.${k}`)}</option>)}
          </select>
        </Field>
        <Field id="direction" label={t('activity.direction')}>
          <select id="direction" value={direction} onChange={(e) => setDirection(e.currentTarget.value)}>
            <option value="inbound">{t('activity.inbound')}</option>
            <option value="outbound">{t('activity.outbound')}</option>
          </select>
        </Field>
      </div>
      <Field id="summary" label={t('activity.summary')} error={error}>
        <textarea id="summary" rows={3} maxLength={5000} value={summary} onInput={(e) => { setSummary(e.currentTarget.value); setError(null); }} />
      </Field>
      <button type="submit" class="btn btn-secondary btn-block">{t('activity.log')}</button>
    </form>
  );
}

export function OpportunityDetail({ id }) {
  const app = useAppState();
  const one = useResource(`/opportunities/${id}`, null, ['opportunity']);
  const activities = useResource('/activities', { opportunity_id: id, limit: 5 }, ['activity', 'check_out']);
  const { stages } = useStages();
  const o = one.answer?.ok ? one.answer.data : null;
  const mine = app.outbox.filter((e) => e.meta?.id === id && e.kind === 'opportunity');
  const conflicts = mine.filter((e) => e.state !== 'pending');
  return (
    <Page title={t('opp.detail')}>
      <a class="back" href="/opportunities">{t('back.opportunities')}</a>
      <Freshness answer={one.answer} />
      {one.loading && !o && <Loading />}
      <Problem answer={one.answer} onRetry={one.reload} />
      {o && (
        <>
          <header class="decision-head">
            <p class="eyebrow">{o.account_name}</p>
            <h2 class="card-title">{o.name}</h2>
            <p class="big-figure">{money(o.amount, o.currency)} · {o.probability}%</p>
            <p class="muted small">{t('opp.closeShort', { when: date(o.close_date) })}{o.promised_date ? ` · ${t('opp.promisedShort', { when: date(o.promised_date) })}` : ''}</p>
          </header>
          {conflicts.map((entry) => (
            <div key={entry.id} class="note note-error" role="alert" data-testid="conflict">
              <p><strong>{entry.state === 'conflict' ? t('conflict.title') : t('outbox.refused')}</strong></p>
              <p>{entry.state === 'conflict' ? t('conflict.opportunity') : entry.problem?.detail || entry.problem?.title}</p>
              {entry.problem?.errors?.map((e) => <p class="small">{e.message}</p>)}
              <p class="small">{t('conflict.yours')}: {Object.entries(entry.body).map(([k, v]) => `${t(`field.${k}`)} = ${k === 'amount' ? money(v, o.currency) : v ?? '—'}`).join('; ')}</p>
              <p class="small">{t('conflict.theirs')}: {entry.meta.fields.map((k) => `${t(`field.${k}`)} = ${k === 'amount' ? money(o[k], o.currency) : o[k] ?? '—'}`).join('; ')}</p>
              <ConflictActions entry={entry} />
            </div>
          ))}
          <QuickUpdate o={o} etag={one.answer.etag} stages={stages} waiting={mine.filter((e) => e.state === 'pending')} />
          <LogAction o={o} />
          <p>
            <a class="btn btn-link" href={`/knowledge?opportunity=${o.id}`}>{t('opp.knowledge')}</a>
          </p>
          {activities.answer?.ok && activities.answer.data.items.length > 0 && (
            <section aria-labelledby="recent-title">
              <h2 id="recent-title" class="section-title">{t('activity.recent')}</h2>
              <ul class="plain">
                {activities.answer.data.items.map((a) => (
                  <li key={a.id}>
                    {dateTime(a.occurred_at)} · {t(`activity.${a.kind}`)} · {a.summary}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </Page>
  );
}
