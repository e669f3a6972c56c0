import './styles.css';
import { render } from 'preact';
import { App } from './app.jsx';
import { initLang } from './lib/i18n.js';
import { set, state } from './lib/store.js';
import { startRouter, navigate } from './lib/router.js';
import { loadSession, refreshOutbox, flush, refreshBundle, pinApplied } from './lib/sync.js';
import { ensureSubscription } from './lib/push-core.js';

initLang();
startRouter();
try {
  // The user's own map tiles (Settings) come before the server's config.json.
  set({ tileUrl: localStorage.getItem('fl.tiles') || undefined, tileCrs: localStorage.getItem('fl.tilesCrs') || undefined });
} catch {
  // storage unavailable: the server's choice
}

async function loadConfig() {
  try {
    const res = await fetch('/config.json');
    if (res.ok) set({ config: { ...state.config, ...(await res.json()) } });
  } catch {
    // offline on the very first visit: the map falls back to no tiles
  }
}

function listen() {
  const channel = 'BroadcastChannel' in self ? new BroadcastChannel('fieldloop') : null;
  channel?.addEventListener('message', async (event) => {
    const type = event.data?.type;
    if (type === 'session') await loadSession();
    if (type === 'outbox' || type === 'applied' || type === 'session') await refreshOutbox();
    if (type === 'applied') {
      const kind = event.data.kind;
      set({ applied: { ...state.applied, [kind]: (state.applied[kind] || 0) + 1 } });
      dispatchEvent(new CustomEvent('fieldloop:applied', { detail: event.data }));
    }
    // A pin changes what the offline library holds.
    if (type === 'applied' && (event.data.kind === 'pin' || event.data.kind === 'unpin')) {
      pinApplied(event.data.meta?.id, event.data.kind === 'pin');
    }
  });
  addEventListener('online', () => {
    set({ online: true });
    flush();
  });
  addEventListener('offline', () => set({ online: false }));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refreshOutbox();
  });
}

function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Only after the user chose to update: the first install also changes the controller.
    if (state.updating && !reloading) {
      reloading = true;
      location.reload();
    } else if (!state.updating) {
      // The worker took over the page (first install): what was read before went past it and was not kept for
      // offline use, so the screens read again, through it.
      set({ controlled: state.controlled + 1 });
    }
  });
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data?.type === 'navigate') navigate(event.data.url);
    // A read answered from the last-seen copy on a weak signal has its network answer now.
    if (event.data?.type === 'fresh') dispatchEvent(new CustomEvent('fieldloop:fresh', { detail: event.data.url }));
  });
  navigator.serviceWorker
    .register('/sw.js', { scope: '/' })
    .then((registration) => {
      const announce = () => {
        if (registration.waiting && navigator.serviceWorker.controller) set({ update: registration.waiting });
      };
      announce();
      if (state.session?.refresh_token) ensureSubscription(registration).catch(() => {});
      registration.addEventListener('updatefound', () => {
        const incoming = registration.installing;
        incoming?.addEventListener('statechange', () => {
          if (incoming.state === 'installed') announce();
        });
      });
      // Look for a new version when the app comes back to the foreground.
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') registration.update().catch(() => {});
      });
    })
    .catch(() => {});
}

async function start() {
  listen();
  const session = await loadSession();
  render(<App />, document.getElementById('app'));
  loadConfig();
  registerWorker();
  if (session?.refresh_token) {
    await refreshOutbox();
    flush();
    refreshBundle();
  } else if (session) {
    await refreshOutbox();
  }
}

start();
