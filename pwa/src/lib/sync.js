// Keeping the page's view of the outbox current and sending what waits.
import { set, state } from './store.js';
import { entries, replay, clear, SYNC_TAG } from './outbox.js';
import { syncBundle, clearBundle, markPinned } from './offline-knowledge.js';
import { getSession } from './auth.js';
import { kv } from './db.js';

export const DATA_CACHE = 'fieldloop-data'; // the worker's cache of API answers (src/sw/sw.js)

export async function loadSession() {
  const session = (await getSession()) || null;
  set({ session });
  return session;
}

export async function refreshOutbox() {
  const session = state.session;
  const all = await entries();
  // The outbox belongs to the signed-in user; another user's leftovers are never shown or sent.
  set({ outbox: all.filter((e) => !session?.user || !e.user_id || e.user_id === session.user.id) });
}

/** Sends what is waiting (when there is signal), and asks the worker to try again on `sync` if needed. */
export async function flush() {
  if (!state.session?.refresh_token) return;
  await replay().catch(() => {});
  await refreshOutbox();
  if (state.outbox.some((e) => e.state === 'pending')) {
    const registration = await navigator.serviceWorker?.getRegistration();
    await registration?.sync?.register(SYNC_TAG).catch(() => {});
  }
}

/** After a sign-in: drop another user's leftovers, send this user's, refresh the offline bundle. */
export async function signedIn(session) {
  await clear(session.user.id);
  const previous = await kv.get('last-user');
  if (previous && previous !== session.user.id) {
    // Another person used this phone before: none of what they read stays for this one.
    await forgetReads();
  }
  await kv.set('last-user', session.user.id);
  set({ session });
  await refreshOutbox();
  flush();
  refreshBundle();
}

/** Brings the offline knowledge bundle up to date and tells the views how many articles it holds. */
export async function refreshBundle() {
  const result = await syncBundle(state.lang).catch(() => ({ ok: false }));
  if (result.ok) set({ bundle: { count: result.count, pinned: result.pinned } });
  return result;
}

/** The server took a pin or an unpin: the offline library follows, at once and then from the server. */
export async function pinApplied(id, pinned) {
  await markPinned(id, pinned).catch(() => {});
  return refreshBundle();
}

/** Drops what the signed-in user read: the worker's last-seen API answers and the offline library. */
export async function forgetReads() {
  await globalThis.caches?.delete(DATA_CACHE);
  await clearBundle();
  set({ bundle: undefined });
}
