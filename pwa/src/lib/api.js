// Reads (and the few interactive writes, like planning a day) against /api/v1. Every answer comes back as
// `{ok, status, data, etag, offline, stale, missing}` instead of throwing: no signal, an endpoint this server
// does not have yet (404 on the route) and a problem+json are all things a view shows, not crashes.
import { accessToken } from './auth.js';
import { uuid } from './db.js';
import { lang } from './i18n.js';

/** The URL of an API path with its query (lists repeat the parameter; empty values are left out). */
export function apiUrl(path, query) {
  const url = new URL('/api/v1' + path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (Array.isArray(v)) v.forEach((x) => url.searchParams.append(k, x));
    else if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  }
  return url;
}

export async function request(method, path, { body, ifMatch, key, signal, query } = {}) {
  const url = apiUrl(path, query);
  const headers = { Accept: 'application/json', 'Accept-Language': lang() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['Idempotency-Key'] = key || uuid();
  if (ifMatch) headers['If-Match'] = ifMatch;
  let token = await accessToken();
  const go = () => {
    if (token) headers.Authorization = `Bearer ${token}`;
    return fetch(url, { method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  let res;
  try {
    res = await go();
    if (res.status === 401 && token) {
      token = await accessToken({ stale: token });
      if (token) res = await go();
    }
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    return { ok: false, status: 0, offline: true, data: null };
  }
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  const offline = res.headers.get('X-Fieldloop-Offline') === '1';
  return {
    ok: res.ok,
    status: offline ? 0 : res.status,
    data,
    etag: res.headers.get('ETag'),
    offline,
    stale: res.headers.get('X-Fieldloop-Cache') === 'stale',
    // A route this server does not have (yet): its 404 carries no detail, unlike a record out of reach.
    missing: res.status === 404 && !data?.detail,
    problem: !res.ok && data && data.title ? data : null,
  };
}

export const get = (path, options) => request('GET', path, options);
export const post = (path, body, options = {}) => request('POST', path, { ...options, body });

/** The message to show for a failed answer, in the user's language where the server gave one. */
export function problemText(answer, t) {
  if (!answer) return '';
  if (answer.offline || answer.status === 0) return t('offline.unavailable');
  if (answer.missing) return t('error.missing');
  const p = answer.problem || answer.data;
  if (p?.errors?.length) return p.errors.map((e) => e.message).join(' ');
  return p?.detail || p?.title || t('error.generic', { status: answer.status });
}
