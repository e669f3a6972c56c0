// Path routing with the History API. Links are plain <a href>; clicks on internal ones stay in the app.
import { set, state } from './store.js';

export function navigate(path, { replace = false } = {}) {
  if (path === state.route) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', path);
  set({ route: path });
}

export function startRouter() {
  addEventListener('popstate', () => set({ route: location.pathname + location.search }));
  document.addEventListener('click', (event) => {
    const link = event.target.closest?.('a[href]');
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (link.target || link.hasAttribute('download') || link.origin !== location.origin) return;
    if (link.getAttribute('href').startsWith('#')) return;
    if (link.pathname.startsWith('/api/') || link.pathname.startsWith('/schema')) return;
    event.preventDefault();
    navigate(link.pathname + link.search);
  });
}

/** Matches `/approvals/:id` style patterns; answers the params or null. */
export function match(pattern, path) {
  const [pathname] = path.split('?');
  const a = pattern.split('/');
  const b = pathname.replace(/\/+$/, '').split('/');
  if (a.length !== b.length) return null;
  const params = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) params[a[i].slice(1)] = decodeURIComponent(b[i]);
    else if (a[i] !== b[i]) return null;
  }
  return params;
}

export function queryParam(name) {
  return new URLSearchParams(state.route.split('?')[1] || '').get(name);
}
