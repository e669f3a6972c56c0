// The phone's own storage, shared by the pages and the service worker: the session, the outbox of changes
// waiting to be sent, and the offline knowledge bundle.
import { openDB } from 'idb';

const NAME = 'fieldloop';
const VERSION = 1;
let opening = null;

export function db() {
  opening ??= openDB(NAME, VERSION, {
    upgrade(database) {
      database.createObjectStore('kv');
      database.createObjectStore('outbox', { keyPath: 'id' }).createIndex('seq', 'seq');
      database.createObjectStore('articles', { keyPath: 'id' });
    },
    blocking() {
      // A newer version of the app wants to upgrade the database: let it.
      opening?.then((d) => d.close());
      opening = null;
    },
  });
  return opening;
}

export const kv = {
  get: async (key) => (await db()).get('kv', key),
  set: async (key, value) => (await db()).put('kv', value, key),
  del: async (key) => (await db()).delete('kv', key),
};

/** Sends a message to every open page and the service worker (the outbox changed, a change was applied…). */
export function broadcast(message) {
  try {
    const channel = new BroadcastChannel('fieldloop');
    channel.postMessage(message);
    channel.close();
  } catch {
    // Old browsers without BroadcastChannel: pages poll the outbox on focus instead.
  }
}

export function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Runs `fn` holding a lock shared by every page and the service worker of this origin (where supported). */
export function withLock(name, fn, options = {}) {
  const locks = globalThis.navigator?.locks;
  return locks ? locks.request(name, options, fn) : fn(true);
}
