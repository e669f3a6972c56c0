// The service worker: this file wires events; the work lives in small functions below and in src/lib.
//   install   precache the app shell under a versioned cache name (the build derives the version)
//   activate  delete older shell caches, take control, send what waits in the outbox
//   fetch     app shell from the cache; API reads network-first with the last answer as fallback (and the
//             network answer announced to the page when it comes late)
//   push      show the notification in the payload's language with its actions
//   click     Approve/Reject decide from the notification without opening the app; a plain tap opens it
//   sync      replay the outbox
import { replay, enqueue, entries, SYNC_TAG } from '../lib/outbox.js';
import { save, serverKey, keyBytes } from '../lib/push-core.js';
import { kv } from '../lib/db.js';

/* global __VERSION__, __PRECACHE__ */
const VERSION = __VERSION__;
const PRECACHE = __PRECACHE__;
const SHELL = `fieldloop-shell-${VERSION}`;
const DATA = 'fieldloop-data'; // last-seen API answers; kept across versions, dropped on sign-out
const NOT_CACHED = [/^\/api\/v1\/auth\//, /^\/api\/v1\/knowledge\/search/, /^\/api\/v1\/knowledge\/bundle/];
const NOT_APP = [/^\/api\//, /^\/schema/, /^\/health/, /^\/sw\.js$/];
const NETWORK_WAIT_MS = 6000; // on a weak signal, show the last answer rather than spin

addEventListener('install', (event) => event.waitUntil(precache()));
addEventListener('activate', (event) => event.waitUntil(activate()));
addEventListener('fetch', onFetch);
addEventListener('message', onMessage);
addEventListener('push', (event) => event.waitUntil(showPush(parsePush(event.data))));
addEventListener('notificationclick', onNotificationClick);
addEventListener('pushsubscriptionchange', (event) => keepAlive(event, renewSubscription(event)));
addEventListener('sync', (event) => {
  if (event.tag === SYNC_TAG) event.waitUntil(replayOrRetry());
});

// ------------------------------------------------------------------------------------------------ lifecycle

async function precache() {
  const cache = await caches.open(SHELL);
  await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' })));
  // No skipWaiting here: a new version waits until the user taps "Update" (see onMessage).
}

async function activate() {
  for (const name of await caches.keys()) {
    if (name.startsWith('fieldloop-shell-') && name !== SHELL) await caches.delete(name);
  }
  await clients.claim();
  await replay().catch(() => {});
}

function onMessage(event) {
  const type = event.data?.type;
  if (type === 'skip-waiting') skipWaiting();
  else if (type === 'signed-out') event.waitUntil(caches.delete(DATA));
  else if (type === 'replay') event.waitUntil(replay().catch(() => {}));
  else if (type === 'version') event.source?.postMessage({ type: 'version', version: VERSION });
}

async function replayOrRetry() {
  await replay();
  // Still something to send (no signal yet): fail, so that the browser fires `sync` again later.
  if ((await entries()).some((e) => e.state === 'pending')) throw new Error('outbox not empty');
}

// ------------------------------------------------------------------------------------------------ fetch

function onFetch(event) {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return; // map tiles and the like: the browser's own handling
  if (url.pathname.startsWith('/api/')) {
    if (!NOT_CACHED.some((re) => re.test(url.pathname))) event.respondWith(networkFirst(request, DATA, event));
    return;
  }
  if (request.mode === 'navigate' && !NOT_APP.some((re) => re.test(url.pathname))) {
    event.respondWith(appShell(request));
    return;
  }
  if (url.pathname === '/config.json') event.respondWith(networkFirst(request, SHELL));
  else if (!NOT_APP.some((re) => re.test(url.pathname))) event.respondWith(cacheFirst(request));
}

async function appShell(request) {
  const cached = await caches.match('/index.html', { cacheName: SHELL });
  if (cached) return cached;
  try {
    return await fetch(request);
  } catch {
    return new Response('Offline', { status: 503, headers: { 'Content-Type': 'text/plain' } });
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { cacheName: SHELL });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && new URL(request.url).pathname.startsWith('/assets/')) {
    (await caches.open(SHELL)).put(request, response.clone());
  }
  return response;
}

// Answers that came from the network after the page was shown the last-seen copy: the page's next read of that
// URL gets them at once, instead of waiting on the weak signal again.
const justArrived = new Set();

async function networkFirst(request, cacheName, event) {
  const cache = await caches.open(cacheName);
  if (justArrived.delete(request.url)) {
    const arrived = await cache.match(request);
    if (arrived) return arrived;
  }
  const network = fetch(request).then(async (response) => {
    if (response.status === 200) await cache.put(request, response.clone());
    return response;
  });
  const first = await Promise.race([
    network.catch(() => null),
    new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS, null)),
  ]);
  if (first) return first;
  const cached = await cache.match(request);
  if (cached) {
    // The page shows the last answer now; when the slow network's answer comes, the page reads it.
    const late = network
      .then((response) => {
        if (response.status !== 200) return;
        justArrived.add(request.url);
        return freshened(request.url);
      })
      .catch(() => {});
    event?.waitUntil(late);
    return marked(cached);
  }
  try {
    return await network;
  } catch {
    return offlineProblem();
  }
}

async function freshened(url) {
  const { pathname, search } = new URL(url);
  for (const page of await clients.matchAll({ type: 'window' })) page.postMessage({ type: 'fresh', url: pathname + search });
}

/** A cached answer, marked so that the page can say "offline — last seen". */
function marked(response) {
  const headers = new Headers(response.headers);
  headers.set('X-Fieldloop-Cache', 'stale');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function offlineProblem() {
  const body = { type: 'https://fieldloop.example/problems/offline', title: 'Offline', status: 503 };
  return new Response(JSON.stringify(body), {
    status: 503,
    headers: { 'Content-Type': 'application/problem+json', 'X-Fieldloop-Offline': '1' },
  });
}

// ------------------------------------------------------------------------------------------------ push

const TEXT = {
  en: {
    approve: 'Approved',
    reject: 'Rejected',
    queued: 'Will be sent when you are back online',
    needsComment: 'Add a reason to reject: tap to open',
    failed: 'Could not record your decision: tap to open',
  },
  'zh-CN': {
    approve: '已批准',
    reject: '已拒绝',
    queued: '恢复网络后将自动提交',
    needsComment: '拒绝需要填写理由：点按打开',
    failed: '未能记录您的决定：点按打开',
  },
};
const text = (lang) => TEXT[lang] || (/^zh/i.test(lang || '') ? TEXT['zh-CN'] : TEXT.en);

function parsePush(data) {
  if (!data) return { title: 'Fieldloop', body: '', url: '/' };
  try {
    return data.json();
  } catch {
    return { title: 'Fieldloop', body: data.text(), url: '/' };
  }
}

function showPush(payload) {
  const max = self.Notification?.maxActions ?? 2;
  return registration.showNotification(payload.title || 'Fieldloop', {
    body: payload.body || '',
    tag: payload.tag || undefined,
    renotify: Boolean(payload.tag),
    lang: payload.lang || '',
    dir: 'auto',
    icon: '/icons/icon-192.png',
    timestamp: Date.now(),
    requireInteraction: payload.type === 'approval.requested',
    actions: (payload.actions || []).slice(0, max),
    data: {
      type: payload.type,
      url: payload.url || '/',
      title: payload.title,
      tag: payload.tag,
      lang: payload.lang,
      action_token: payload.action_token,
      data: payload.data || {},
    },
  });
}

function onNotificationClick(event) {
  const { notification, action } = event;
  const data = notification.data || {};
  notification.close();
  const deciding = (action === 'approve' || action === 'reject') && data.action_token;
  keepAlive(event, deciding ? decideFromNotification(data, action) : openApp(data.url || '/'));
}

/**
 * Records Approve/Reject with the notification's single-use token (no sign-in needed) and confirms with a
 * notification in its place. Without signal, the decision waits in the outbox; a reject the server refuses
 * for want of a reason, and any other refusal, becomes a notification that opens the decision view.
 */
async function decideFromNotification(data, decision) {
  const words = text(data.lang);
  const body = { token: data.action_token, decision };
  let res;
  try {
    res = await fetch('/api/v1/approvals/actions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Accept-Language': data.lang || 'en' },
      body: JSON.stringify(body),
    });
  } catch {
    res = null;
  }
  const notify = (title, extra = {}) =>
    registration.showNotification(title, { body: data.title || '', tag: data.tag, lang: data.lang || '', icon: '/icons/icon-192.png', data: { url: data.url }, ...extra });
  if (!res) {
    await enqueue({
      kind: 'approval_action',
      method: 'POST',
      path: '/approvals/actions',
      body,
      auth: false,
      lang: data.lang,
      label: { en: `${decision === 'approve' ? 'Approve' : 'Reject'}: ${data.title || ''}`, zh: `${decision === 'approve' ? '批准' : '拒绝'}：${data.title || ''}` },
      meta: { id: data.data?.approval_id, decision },
    });
    await registration.sync?.register(SYNC_TAG).catch(() => {});
    return notify(`${words[decision]} · ${words.queued}`);
  }
  if (res.ok) return notify(`✓ ${words[decision]}`);
  const problem = await res.json().catch(() => null);
  if (res.status === 422 && decision === 'reject' && problem?.errors?.some((e) => e.field === 'comment')) {
    return notify(words.needsComment, { data: { url: `${data.url}?decision=reject` } });
  }
  return notify(problem?.title ? `${problem.title}: ${problem.detail || ''}` : words.failed, {
    body: data.title || words.failed,
  });
}

async function openApp(url) {
  const target = new URL(url, location.origin).href;
  const windows = await clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((w) => new URL(w.url).origin === location.origin);
  if (open) {
    await open.focus().catch(() => {});
    open.postMessage({ type: 'navigate', url: new URL(target).pathname + new URL(target).search });
    return;
  }
  await clients.openWindow(target);
}

async function renewSubscription(event) {
  if (!(await kv.get('push-enabled'))) return;
  let subscription = event.newSubscription;
  if (!subscription) {
    const key = await serverKey();
    if (!key.ok) return;
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key.key) });
  }
  await save(subscription.toJSON());
}

/**
 * event.waitUntil for a piece of work. Events dispatched from DevTools or a test are untrusted and cannot
 * extend the worker's life (waitUntil throws for them); the work runs all the same.
 */
function keepAlive(event, promise) {
  const settled = promise.catch((error) => console.warn('fieldloop worker:', error));
  try {
    event.waitUntil(settled);
  } catch {
    // an untrusted event: nothing to extend
  }
}
