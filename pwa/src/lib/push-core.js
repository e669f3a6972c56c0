// Push subscriptions, shared by the page (turning notifications on and off) and the service worker
// (renewing the subscription when the browser replaces it).
import { kv, uuid } from './db.js';
import { accessToken } from './auth.js';

export function keyBytes(base64url) {
  const padded = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function call(method, path, body) {
  const token = await accessToken();
  if (!token) return { ok: false, status: 401 };
  try {
    const res = await fetch('/api/v1' + path, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        'Idempotency-Key': uuid(),
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json().catch(() => null);
    return { ok: res.ok, status: res.status, data, missing: res.status === 404 && !data?.detail };
  } catch {
    return { ok: false, status: 0 };
  }
}

/** The server's VAPID key (base64url), remembered for renewing the subscription later. */
export async function serverKey() {
  const answer = await call('GET', '/push/key');
  if (answer.ok && answer.data?.public_key) {
    await kv.set('push-key', answer.data.public_key);
    return { ok: true, key: answer.data.public_key };
  }
  const known = await kv.get('push-key');
  return known ? { ok: true, key: known } : { ...answer, ok: false };
}

/** Subscribes `registration` with the server's key and tells the server (replacing an old subscription). */
export async function subscribe(registration) {
  const key = await serverKey();
  if (!key.ok) return { ok: false, reason: key.missing ? 'missing' : 'key' };
  let subscription = await registration.pushManager.getSubscription();
  const current = subscription?.options?.applicationServerKey;
  if (subscription && current && b64(new Uint8Array(current)) !== b64(keyBytes(key.key))) {
    await subscription.unsubscribe(); // the server's key changed: a subscription for the old one is useless
    subscription = null;
  }
  try {
    subscription ??= await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(key.key),
    });
  } catch (error) {
    return { ok: false, reason: 'browser', message: String(error?.message || error) };
  }
  return save(subscription.toJSON());
}

/** Tells the server about a subscription (`PushSubscription.toJSON()`), dropping the one it replaces. */
export async function save(json) {
  const previous = await kv.get('push-subscription');
  const answer = await call('POST', '/push/subscriptions', json);
  if (!answer.ok) return { ok: false, reason: answer.missing ? 'missing' : 'server', status: answer.status };
  await kv.set('push-subscription', { id: answer.data?.id, endpoint: json.endpoint });
  if (previous?.id && previous.id !== answer.data?.id) await call('DELETE', `/push/subscriptions/${previous.id}`);
  return { ok: true };
}

/**
 * At start-up, with notifications on: makes sure the browser's subscription is still the one the server knows.
 * Browsers replace or drop subscriptions (expiry, cleared site data, a new VAPID key on the server), and most
 * never fire `pushsubscriptionchange` for it; a missing or changed subscription is renewed and told to the
 * server. Answers what it did: 'off', 'kept', 'renewed' or 'failed'.
 */
export async function ensureSubscription(registration) {
  if (!(await kv.get('push-enabled'))) return 'off';
  if (globalThis.Notification?.permission !== 'granted') return 'off';
  const subscription = await registration.pushManager.getSubscription();
  const saved = await kv.get('push-subscription');
  const key = await serverKey();
  const sameKey =
    !key.ok || !subscription?.options?.applicationServerKey ||
    b64(new Uint8Array(subscription.options.applicationServerKey)) === b64(keyBytes(key.key));
  if (subscription && saved?.endpoint === subscription.endpoint && sameKey) return 'kept';
  const result = await subscribe(registration);
  return result.ok ? 'renewed' : 'failed';
}

const b64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/=+$/, '');

export async function unsubscribe(registration) {
  const subscription = await registration?.pushManager.getSubscription();
  if (subscription) await subscription.unsubscribe().catch(() => {});
  const saved = await kv.get('push-subscription');
  if (saved?.id) await call('DELETE', `/push/subscriptions/${saved.id}`);
  await kv.del('push-subscription');
}
