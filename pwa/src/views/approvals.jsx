// Approvals: the inbox, and one screen with everything needed to decide.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Page, Loading, Problem, Freshness, Empty, Field, useResource } from '../components.jsx';
import { t, money, date, dateTime } from '../lib/i18n.js';
import { get } from '../lib/api.js';
import { enqueue } from '../lib/outbox.js';
import { flush } from '../lib/sync.js';
import { useAppState, toast } from '../lib/store.js';
import { navigate, queryParam } from '../lib/router.js';
import { NotificationOffer } from './settings.jsx';

const INBOX = { box: 'inbox', state: 'pending', limit: 50 };
const DECISIONS = ['approve', 'request_changes', 'reject'];
const EN = { approve: 'Approve', reject: 'Reject', request_changes: 'Request changes' };

function figures(a) {
  const out = [];
  if (a.discount_pct !== null && a.discount_pct !== undefined) out.push(t('approval.discount', { pct: a.discount_pct }));
  if (a.amount !== null && a.amount !== undefined) out.push(money(a.amount, a.currency));
  if (a.payment_terms_days !== null && a.payment_terms_days !== undefined) out.push(t('approval.terms', { days: a.payment_terms_days }));
  return out.join(' · ');
}

function pendingDecision(outbox, id) {
  return outbox.find((e) => e.kind === 'decision' && e.meta?.id === id);
}

function DecisionChip({ entry }) {
  if (!entry) return null;
  const trouble = entry.state === 'conflict' || entry.state === 'failed';
  return (
    <p class={`chip ${trouble ? 'chip-danger' : 'chip-wait'}`} data-testid="decision-waiting">
      {t(`decision.${entry.meta.decision}.done`)} · {trouble ? t('outbox.needsYou') : t('outbox.waitingOne')}
    </p>
  );
}

export function Approvals() {
  const app = useAppState();
  const inbox = useResource('/approvals', INBOX, ['decision', 'approval_action']);
  const items = inbox.answer?.ok ? inbox.answer.data.items.filter((a) => a.awaiting_me !== false) : [];
  return (
    <Page title={t('approvals.title')}>
      <Freshness answer={inbox.answer} />
      {inbox.loading && !inbox.answer && <Loading />}
      <Problem answer={inbox.answer} onRetry={inbox.reload} />
      {inbox.answer?.ok && !items.length && <Empty>{t('approvals.empty')}</Empty>}
      <ul class="cards" aria-label={t('approvals.inbox')}>
        {items.map((a) => (
          <li key={a.id}>
            <a class="card card-link" href={`/approvals/${a.id}`} data-testid="approval-row">
              <p class="eyebrow">
                {t(`subject.${a.subject_type}`)}
                {a.due_at ? ` · ${t('approval.due', { when: dateTime(a.due_at) })}` : ''}
              </p>
              <p class="card-title">{a.account_name} · {a.opportunity_name}</p>
              <p class="muted small">
                {figures(a)} · {t('approval.by', { name: a.submitter_name })}
              </p>
              <DecisionChip entry={pendingDecision(app.outbox, a.id)} />
            </a>
          </li>
        ))}
      </ul>
    </Page>
  );
}

function Facts({ a }) {
  const rows = [
    [t('approval.subject'), t(`subject.${a.subject_type}`)],
    [t('approval.asked'), figures(a) || '—'],
    [t('approval.deal'), money(a.deal_amount, a.currency)],
    [t('approval.stage'), a.opportunity_stage],
    a.close_date !== undefined && [t('opp.close'), date(a.close_date)],
    a.probability !== undefined && [t('opp.probability'), `${a.probability}%`],
    a.margin && [t('approval.belowList'), `${a.margin.below_list_pct}% (${money(a.margin.list_amount, a.currency)} → ${money(a.margin.quoted_amount, a.currency)})`],
    [t('approval.submitter'), `${a.submitter_name} · ${dateTime(a.submitted_at)}`],
  ].filter(Boolean);
  return (
    <dl class="facts">
      {rows.map(([k, v]) => (
        <div>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Decide({ a, onDecided }) {
  const [comment, setComment] = useState('');
  const [error, setError] = useState(null);
  const commentRef = useRef(null);
  const preset = queryParam('decision');
  useEffect(() => {
    if (preset === 'reject') {
      setError(t('decision.commentNeeded'));
      commentRef.current?.focus();
    }
  }, [preset]);
  async function decide(decision) {
    if (decision !== 'approve' && !comment.trim()) {
      setError(t('decision.commentNeeded'));
      commentRef.current?.focus();
      return;
    }
    await enqueue({
      kind: 'decision',
      method: 'POST',
      path: `/approvals/${a.id}/decisions`,
      body: comment.trim() ? { decision, comment: comment.trim() } : { decision },
      label: {
        en: `${EN[decision]}: ${a.account_name} · ${a.opportunity_name}`,
        zh: `${decision === 'approve' ? '批准' : decision === 'reject' ? '拒绝' : '要求修改'}：${a.account_name} · ${a.opportunity_name}`,
      },
      meta: { id: a.id, decision },
    });
    toast(navigator.onLine ? t(`decision.${decision}.done`) : t('decision.queued'));
    flush();
    onDecided();
  }
  return (
    <div class="decide" role="group" aria-labelledby="decide-title">
      <h2 id="decide-title">{t('decision.title')}</h2>
      <Field id="comment" label={t('decision.comment')} hint={t('decision.commentHint')} error={error}>
        <textarea
          id="comment"
          ref={commentRef}
          rows={3}
          value={comment}
          aria-describedby={`comment-hint${error ? ' comment-error' : ''}`}
          onInput={(e) => {
            setComment(e.currentTarget.value);
            setError(null);
          }}
        />
      </Field>
      <div class="decide-buttons">
        {DECISIONS.map((d) => (
          <button type="button" class={`btn ${d === 'approve' ? 'btn-primary' : d === 'reject' ? 'btn-danger' : 'btn-secondary'}`} onClick={() => decide(d)}>
            {t(`decision.${d}`)}
          </button>
        ))}
      </div>
    </div>
  );
}

export function ApprovalDetail({ id }) {
  const app = useAppState();
  const detail = useResource(`/approvals/${id}`, null, ['decision', 'approval_action']);
  const [fallback, setFallback] = useState(null);
  useEffect(() => {
    // Without signal and never opened before: decide from the inbox's row, which has the essentials.
    if (detail.answer && !detail.answer.ok && !fallback) {
      get('/approvals', { query: INBOX }).then((inbox) => {
        const row = inbox.ok ? inbox.data.items.find((x) => x.id === id) : null;
        if (row) setFallback(row);
      });
    }
  }, [detail.answer]);
  const a = detail.answer?.ok ? detail.answer.data : fallback;
  const waiting = pendingDecision(app.outbox, id);
  const canDecide = a && a.state === 'pending' && a.awaiting_me !== false && !waiting;
  return (
    <Page title={t('approval.title')}>
      <a class="back" href="/approvals">{t('back.approvals')}</a>
      <Freshness answer={detail.answer} />
      {detail.loading && !a && <Loading />}
      {!a && detail.answer && !detail.loading && <Problem answer={detail.answer} onRetry={detail.reload} />}
      {a && (
        <>
          <header class="decision-head">
            <p class="eyebrow">{t(`subject.${a.subject_type}`)} · {t(`state.${a.state}`)}</p>
            <h2 class="card-title">{a.account_name} · {a.opportunity_name}</h2>
            <p class="big-figure" data-testid="approval-figures">{figures(a)}</p>
            <DecisionChip entry={waiting} />
          </header>
          {a.note && <blockquote class="note-quote">{a.note}</blockquote>}
          {canDecide && <Decide a={a} onDecided={() => navigate('/approvals')} />}
          <Facts a={a} />
          {a.rules?.length > 0 && (
            <section aria-labelledby="why-title">
              <h2 id="why-title" class="section-title">{t('approval.why')}</h2>
              <ul class="plain">
                {a.rules.map((r) => (
                  <li>
                    <strong>{r.name}</strong>
                    {r.reasons?.length ? `: ${r.reasons.map((x) => x.text).join('; ')}` : ''}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {a.line_items?.length > 0 && (
            <details>
              <summary>{t('approval.lines', { n: a.line_items.length })}</summary>
              <ul class="plain">
                {a.line_items.map((li) => (
                  <li>
                    {li.product_name || li.description || '—'} × {li.quantity} · {money(li.amount, a.currency)}
                    {li.discount_pct ? ` (−${li.discount_pct}%)` : ''}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {a.timeline?.length > 0 && (
            <details>
              <summary>{t('approval.timeline')}</summary>
              <ol class="plain">
                {a.timeline.map((e) => (
                  <li>
                    {dateTime(e.at)} · {e.actor_name || ''} {e.decision ? t(`decision.${e.decision}.done`) : e.kind}
                    {e.comment ? ` — ${e.comment}` : ''}
                  </li>
                ))}
              </ol>
            </details>
          )}
          <NotificationOffer />
        </>
      )}
    </Page>
  );
}
