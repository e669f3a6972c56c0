// Pieces every screen uses: the page frame, loading and error states, a read hook.
import { useEffect, useRef, useState, useCallback } from 'preact/hooks';
import { get, problemText, apiUrl } from './lib/api.js';
import { t } from './lib/i18n.js';
import { useAppState } from './lib/store.js';

/** The page: a heading that takes focus on arrival (screen readers hear where they are), then the content. */
export function Page({ title, children, actions }) {
  const heading = useRef(null);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1} ref={heading}>
          {title}
        </h1>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Loading({ label }) {
  return (
    <p class="muted" role="status">
      <span class="spinner" aria-hidden="true" /> {label || t('loading')}
    </p>
  );
}

/** How fresh what is shown is: "last seen" for answers from the worker's cache, without signal or on a weak one. */
export function Freshness({ answer }) {
  const app = useAppState();
  if (!answer?.stale) return null;
  return <p class="note note-offline">{t(app.online ? 'offline.weakSignal' : 'offline.lastSeen')}</p>;
}

export function Problem({ answer, onRetry }) {
  if (!answer || answer.ok) return null;
  return (
    <div class="note note-error" role="alert">
      <p>{problemText(answer, t)}</p>
      {onRetry && (
        <button type="button" class="btn btn-secondary" onClick={onRetry}>
          {t('retry')}
        </button>
      )}
    </div>
  );
}

/**
 * Reads `path` (with `query`) and reads again when they change, when the app comes back online, when the
 * service worker takes over the page, when a last-seen answer shown on a weak signal has its network answer,
 * and when the server took a change of one of `kinds` from the outbox (the latest read always wins). Answers
 * `{answer, loading, reload}`.
 */
export function useResource(path, query, kinds = []) {
  const [answer, setAnswer] = useState(null);
  const [loading, setLoading] = useState(Boolean(path));
  const app = useAppState();
  const key = path ? path + JSON.stringify(query || {}) : null;
  const changes = kinds.map((k) => app.applied[k] || 0).join(',');
  const seq = useRef(0);
  const load = useCallback(async () => {
    if (!path) return;
    const mine = ++seq.current;
    setLoading(true);
    const next = await get(path, { query });
    if (mine === seq.current) {
      setAnswer(next);
      setLoading(false);
    }
  }, [key]);
  useEffect(() => {
    load();
  }, [key, app.online, changes, app.controlled]);
  useEffect(() => {
    if (!path) return undefined;
    const url = apiUrl(path, query);
    const mine = url.pathname + url.search;
    const onFresh = (event) => event.detail === mine && load();
    addEventListener('fieldloop:fresh', onFresh);
    return () => removeEventListener('fieldloop:fresh', onFresh);
  }, [key]);
  return { answer, loading, reload: load };
}

export function Empty({ children }) {
  return <p class="empty">{children}</p>;
}

/** A label and its control, with an optional hint and error tied to it for screen readers. */
export function Field({ id, label, hint, error, children }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

