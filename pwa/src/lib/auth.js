// The sign-in: an access token (short-lived) and a refresh token (rotating) kept in IndexedDB, so the service
// worker can act too (replaying the outbox, renewing the push subscription). A refresh token works once and
// reusing one ends the whole sign-in, so every refresh happens under one lock across pages and the worker.
import { kv, withLock, broadcast } from './db.js';

const KEY = 'session';
const EARLY_MS = 30_000; // refresh a little before expiry, so a request never leaves with a dying token

export const getSession = () => kv.get(KEY);

function pairToSession(pair, base = {}) {
  return {
    ...base,
    access_token: pair.access_token,
    refresh_token: pair.refresh_token,
    access_expires_at: Date.now() + (pair.expires_in || 900) * 1000,
    expired: false,
  };
}

const fresh = (s, stale) =>
  s?.access_token && s.access_token !== stale && s.access_expires_at - EARLY_MS > Date.now();

/** Signs in; answers `{ok, status, problem}` and stores the session with the user from /me. */
export async function signIn(email, password, lang) {
  let res;
  try {
    res = await fetch('/api/v1/auth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Accept-Language': lang },
      body: JSON.stringify({ email, password }),
    });
  } catch {
    return { ok: false, status: 0 };
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) return { ok: false, status: res.status, problem: body };
  const session = pairToSession(body);
  const me = await fetch('/api/v1/me', { headers: { Authorization: `Bearer ${session.access_token}` } });
  if (!me.ok) return { ok: false, status: me.status };
  session.user = await me.json();
  await kv.set(KEY, session);
  broadcast({ type: 'session' });
  return { ok: true, session };
}

/**
 * A valid access token, refreshed when needed. `stale` names a token the server refused, so that it is not
 * handed out again. Offline, the current token is returned as it is (requests fail anyway and are retried).
 */
export async function accessToken({ stale } = {}) {
  const current = await getSession();
  if (!current?.refresh_token) return null;
  if (fresh(current, stale)) return current.access_token;
  return withLock('fieldloop-auth', async () => {
    const session = await getSession();
    if (!session?.refresh_token) return null;
    if (fresh(session, stale)) return session.access_token; // another page or the worker just refreshed
    let res;
    try {
      res = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refresh_token: session.refresh_token }),
      });
    } catch {
      return session.access_token;
    }
    if (res.ok) {
      const next = pairToSession(await res.json(), session);
      await kv.set(KEY, next);
      return next.access_token;
    }
    if (res.status === 401 || res.status === 422) {
      // The sign-in is over (expired, revoked, or signed out elsewhere). Keep the user and the outbox: the
      // same person signing in again sends what is waiting.
      await kv.set(KEY, { ...session, access_token: null, refresh_token: null, expired: true });
      broadcast({ type: 'session' });
      return null;
    }
    return session.access_token;
  });
}

/** Ends the sign-in on the server (best effort) and forgets it here. */
export async function signOut() {
  const session = await getSession();
  if (session?.access_token) {
    fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${session.access_token}` } }).catch(
      () => {},
    );
  }
  await kv.del(KEY);
  broadcast({ type: 'session' });
}
