// The outbox: every change the user makes (a decision, a check-in or check-out, an opportunity update, a
// logged customer action, a pin) is written here first, with an Idempotency-Key chosen once, and sent from
// here, now or later. It is replayed at start-up, when the browser is back online and on the worker's `sync`;
// the server answers a replayed key with the stored answer, so a change is applied exactly once however often
// it is sent. Entries leave only when the server took them, or when the user discards them: a 409/412 becomes
// a conflict to resolve and a refusal (422, 403…) stays visible with its reason. It belongs to one user.
import { db, uuid, withLock, broadcast } from './db.js';
import { accessToken, getSession } from './auth.js';

export const SYNC_TAG = 'fieldloop-outbox';
// Answers worth another try later, with the entry kept as it is.
const RETRY_LATER = new Set([0, 408, 425, 429, 500, 502, 503, 504]);
const RETRYABLE_PROBLEMS = ['idempotency-key-in-use'];
let counter = 0;

export async function entries() {
  return (await db()).getAllFromIndex('outbox', 'seq');
}

/**
 * Adds a change: `{kind, method, path, body, ifMatch, auth, label, meta}`. `label` is `{en, zh}` for the
 * list of what is waiting; `meta` carries what the views need to show the change before it is applied.
 */
export async function enqueue(change) {
  const session = await getSession();
  const entry = {
    id: uuid(), // also the Idempotency-Key: generated once, sent with every attempt
    seq: Date.now() * 1000 + (counter++ % 1000),
    user_id: session?.user?.id ?? null,
    created_at: new Date().toISOString(),
    state: 'pending',
    attempts: 0,
    auth: true,
    ...change,
  };
  await (await db()).put('outbox', entry);
  broadcast({ type: 'outbox' });
  return entry;
}

export async function remove(id) {
  await (await db()).delete('outbox', id);
  broadcast({ type: 'outbox' });
}

export async function update(id, patch) {
  const database = await db();
  const entry = await database.get('outbox', id);
  if (!entry) return null;
  const next = { ...entry, ...patch };
  await database.put('outbox', next);
  broadcast({ type: 'outbox' });
  return next;
}

/** Drops every entry, or those of other users than `keepUserId`. */
export async function clear(keepUserId = null) {
  const database = await db();
  for (const entry of await database.getAll('outbox')) {
    if (!keepUserId || entry.user_id !== keepUserId) await database.delete('outbox', entry.id);
  }
  broadcast({ type: 'outbox' });
}

async function send(entry) {
  const headers = { Accept: 'application/json', 'Idempotency-Key': entry.id };
  if (entry.body !== undefined) headers['Content-Type'] = 'application/json';
  if (entry.ifMatch) headers['If-Match'] = entry.ifMatch;
  if (entry.lang) headers['Accept-Language'] = entry.lang;
  let token = null;
  if (entry.auth) {
    token = await accessToken();
    if (!token) return { status: 401, signedOut: true };
    headers.Authorization = `Bearer ${token}`;
  }
  const attempt = async () =>
    fetch('/api/v1' + entry.path, {
      method: entry.method,
      headers,
      body: entry.body === undefined ? undefined : JSON.stringify(entry.body),
      // Never let the worker's offline fallback answer for a change.
      cache: 'no-store',
    });
  let res = await attempt();
  if (res.status === 401 && entry.auth) {
    token = await accessToken({ stale: token });
    if (!token) return { status: 401, signedOut: true };
    headers.Authorization = `Bearer ${token}`;
    res = await attempt();
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  return { status: res.status, data, etag: res.headers.get('ETag'), offline: res.headers.get('X-Fieldloop-Offline') };
}

function slug(problem) {
  return typeof problem?.type === 'string' ? problem.type.split('/').pop() : '';
}

/** What an answer means for the entry: 'done', 'retry' (keep, stop for now), 'conflict' or 'failed'. */
export function verdict(status, problem) {
  if (status >= 200 && status < 300) return 'done';
  if (RETRY_LATER.has(status)) return 'retry';
  if (status === 409 && RETRYABLE_PROBLEMS.includes(slug(problem))) return 'retry';
  if (status === 409 || status === 412) return 'conflict';
  return 'failed';
}

/**
 * Sends what is waiting, oldest first. Stops at the first change that cannot be sent now (no signal, server
 * busy), so that changes keep their order; conflicts and refusals are kept aside and do not block the rest.
 * Runs in one page or in the worker at a time. Answers how many were applied.
 */
export async function replay() {
  if (globalThis.navigator && navigator.onLine === false) return { applied: 0, skipped: 'offline' };
  return withLock('fieldloop-outbox', replayHeld, { ifAvailable: true });
}

async function replayHeld(lock) {
  if (!lock) return { applied: 0, skipped: 'busy' };
  const session = await getSession();
  let applied = 0;
  for (const entry of await entries()) {
    if (entry.state !== 'pending') continue;
    if (entry.user_id && session?.user?.id && entry.user_id !== session.user.id) continue;
    let answer;
    try {
      answer = await send(entry);
    } catch {
      answer = { status: 0 };
    }
    if (answer.signedOut) {
      broadcast({ type: 'session' });
      break;
    }
    if (answer.offline) answer.status = 0;
    const outcome = verdict(answer.status, answer.data);
    if (outcome === 'done') {
      await (await db()).delete('outbox', entry.id);
      applied++;
      broadcast({ type: 'applied', kind: entry.kind, meta: entry.meta, data: answer.data, etag: answer.etag });
      continue;
    }
    if (outcome === 'retry') {
      await update(entry.id, { attempts: entry.attempts + 1, last_try_at: new Date().toISOString() });
      break;
    }
    await update(entry.id, {
      state: outcome,
      attempts: entry.attempts + 1,
      status: answer.status,
      problem: answer.data && typeof answer.data === 'object' ? answer.data : null,
    });
  }
  broadcast({ type: 'outbox' });
  return { applied };
}

/** Sends an entry again after the user looked at it (a refusal they fixed elsewhere, a server that is back). */
export async function retry(id) {
  await update(id, { state: 'pending' });
  return replay();
}

