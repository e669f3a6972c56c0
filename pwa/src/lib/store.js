// App-wide state the header, the tab bar and every view read: the session, signal, the outbox, a waiting
// update. Tiny on purpose: one object, a set of listeners, and a hook that re-renders on change.
import { useEffect, useReducer } from 'preact/hooks';

export const state = {
  session: undefined, // undefined while loading, null when signed out
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  outbox: [],
  update: null, // a waiting service worker: a new version of the app is ready
  route: typeof location === 'undefined' ? '/' : location.pathname + location.search,
  toast: null,
  lang: 'en',
  config: { tile_url: null, tile_attribution: '', tile_crs: 'wgs84' },
  applied: {}, // kind → how many changes of that kind the server has taken since the app started
  controlled: 0, // how often a service worker took over this page (the views read again through it)
};

const listeners = new Set();

export function set(patch) {
  Object.assign(state, patch);
  for (const listener of listeners) listener();
}

export function useAppState() {
  const [, rerender] = useReducer((n) => n + 1, 0);
  useEffect(() => {
    listeners.add(rerender);
    return () => listeners.delete(rerender);
  }, []);
  return state;
}

let toastTimer = null;
/** A short message in the live region (screen readers announce it too). */
export function toast(text, kind = 'info') {
  clearTimeout(toastTimer);
  set({ toast: { text, kind, at: Date.now() } });
  toastTimer = setTimeout(() => set({ toast: null }), 4000);
}

