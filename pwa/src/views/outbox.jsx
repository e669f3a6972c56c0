// What is waiting to be sent, what the server refused and the conflicts to settle: nothing leaves this list
// silently.
import { Page, Empty } from '../components.jsx';
import { t, pick, dateTime } from '../lib/i18n.js';
import { get } from '../lib/api.js';
import { enqueue, remove, retry } from '../lib/outbox.js';
import { flush, refreshOutbox } from '../lib/sync.js';
import { useAppState, toast } from '../lib/store.js';

/** "Keep mine": the same change again, based on the version the server has now (a new Idempotency-Key). */
async function keepMine(entry) {
  const latest = await get(entry.path);
  if (!latest.ok) {
    toast(t('offline.unavailable'), 'error');
    return;
  }
  const { id, seq, state, attempts, status, problem, created_at, ...change } = entry;
  await enqueue({ ...change, ifMatch: latest.etag || `"${latest.data.version}"`, meta: { ...entry.meta, base_version: latest.data.version } });
  await remove(entry.id);
  toast(t('conflict.resent'));
  flush();
}

async function discard(entry) {
  await remove(entry.id);
  await refreshOutbox();
  toast(t('outbox.discarded'));
}

export function ConflictActions({ entry }) {
  const canRebase = entry.state === 'conflict' && entry.method === 'PATCH' && entry.status === 412;
  return (
    <div class="row-buttons">
      {canRebase ? (
        <button type="button" class="btn btn-primary" onClick={() => keepMine(entry)}>{t('conflict.keepMine')}</button>
      ) : (
        <button type="button" class="btn btn-secondary" onClick={() => retry(entry.id).then(refreshOutbox)}>{t('retry')}</button>
      )}
      <button type="button" class="btn btn-secondary" onClick={() => discard(entry)}>
        {canRebase ? t('conflict.useTheirs') : t('outbox.discard')}
      </button>
    </div>
  );
}

function link(entry) {
  const id = entry.meta?.id;
  if (!id) return null;
  if (entry.kind === 'opportunity' || entry.kind === 'activity') return `/opportunities/${id}`;
  if (entry.kind === 'decision' || entry.kind === 'approval_action') return `/approvals/${id}`;
  if (entry.kind === 'pin' || entry.kind === 'unpin') return `/knowledge/${id}`;
  return '/today';
}

export function Outbox() {
  const app = useAppState();
  const items = app.outbox;
  return (
    <Page title={t('outbox.title')}>
      <p class="muted">{app.online ? t('outbox.explainOnline') : t('outbox.explainOffline')}</p>
      {!items.length && <Empty>{t('outbox.empty')}</Empty>}
      {items.length > 0 && app.online && (
        <button type="button" class="btn btn-secondary" onClick={flush}>{t('outbox.sendNow')}</button>
      )}
      <ul class="cards" aria-label={t('outbox.title')}>
        {items.map((entry) => (
          <li key={entry.id} class={`card outbox-${entry.state}`} data-testid="outbox-entry">
            <p class="eyebrow">
              {t(`outbox.state.${entry.state}`)} · {dateTime(entry.created_at)}
            </p>
            <p class="card-title">{pick(entry.label) || entry.path}</p>
            {entry.state !== 'pending' && (
              <p class="small">
                {entry.state === 'conflict' ? t('conflict.generic') : ''} {entry.problem?.detail || entry.problem?.title || ''}
                {entry.problem?.errors?.map((e) => ` ${e.message}`)}
              </p>
            )}
            {entry.attempts > 0 && entry.state === 'pending' && <p class="muted small">{t('outbox.tries', { n: entry.attempts })}</p>}
            <div class="row-buttons">
              {link(entry) && <a class="btn btn-link" href={link(entry)}>{t('outbox.open')}</a>}
            </div>
            {entry.state !== 'pending' && <ConflictActions entry={entry} />}
          </li>
        ))}
      </ul>
    </Page>
  );
}
