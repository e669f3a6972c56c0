import { useEffect } from 'preact/hooks';
import { useAppState, set } from './lib/store.js';
import { t } from './lib/i18n.js';
import { match, navigate } from './lib/router.js';
import { SignIn } from './views/signin.jsx';
import { Today } from './views/today.jsx';
import { Approvals, ApprovalDetail } from './views/approvals.jsx';
import { Knowledge, Article } from './views/knowledge.jsx';
import { Opportunities, OpportunityDetail } from './views/opportunities.jsx';
import { Settings } from './views/settings.jsx';
import { Outbox } from './views/outbox.jsx';

const TABS = [
  { path: '/today', key: 'tab.today', icon: 'M12 2a7 7 0 0 0-7 7c0 5 7 13 7 13s7-8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z' },
  { path: '/approvals', key: 'tab.approvals', icon: 'M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z' },
  { path: '/knowledge', key: 'tab.knowledge', icon: 'M4 4h7a3 3 0 0 1 3 3v13a2 2 0 0 0-2-2H4zm16 0h-4a3 3 0 0 0-3 3v13a2 2 0 0 1 2-2h5z' },
  { path: '/opportunities', key: 'tab.opportunities', icon: 'M3 17h4v4H3zm7-6h4v10h-4zm7-8h4v18h-4z' },
  { path: '/settings', key: 'tab.settings', icon: 'M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zm9 5v-2l-2.2-.6a7 7 0 0 0-.7-1.7l1.1-2-1.4-1.4-2 1.1a7 7 0 0 0-1.7-.7L13.5 3h-2l-.6 2.2a7 7 0 0 0-1.7.7l-2-1.1-1.4 1.4 1.1 2a7 7 0 0 0-.7 1.7L4 11v2l2.2.6c.2.6.4 1.2.7 1.7l-1.1 2 1.4 1.4 2-1.1c.5.3 1.1.5 1.7.7l.6 2.2h2l.6-2.2c.6-.2 1.2-.4 1.7-.7l2 1.1 1.4-1.4-1.1-2c.3-.5.5-1.1.7-1.7z' },
];

const ROUTES = [
  ['/today', Today],
  ['/approvals', Approvals],
  ['/approvals/:id', ApprovalDetail],
  ['/knowledge', Knowledge],
  ['/knowledge/:id', Article],
  ['/opportunities', Opportunities],
  ['/opportunities/:id', OpportunityDetail],
  ['/settings', Settings],
  ['/outbox', Outbox],
];

function route(path) {
  for (const [pattern, View] of ROUTES) {
    const params = match(pattern, path);
    if (params) return { View, params };
  }
  return null;
}

function Header() {
  const app = useAppState();
  const waiting = app.outbox.length;
  const trouble = app.outbox.some((e) => e.state === 'conflict' || e.state === 'failed');
  return (
    <header class="topbar">
      <a class="brand" href="/today" aria-label={t('brand.home')}>
        <svg viewBox="0 0 512 512" width="28" height="28" aria-hidden="true">
          <rect width="512" height="512" rx="112" fill="#fff" />
          <path d="M396.95 204.70A150 150 0 1 1 331 126.10" fill="none" stroke="#0b5cab" stroke-width="52" stroke-linecap="round" />
          <circle cx="256" cy="256" r="52" fill="#0b5cab" />
        </svg>
        <span>Fieldloop</span>
      </a>
      <div class="topbar-status">
        {!app.online && (
          <span class="pill pill-offline" role="status">
            {t('offline.badge')}
          </span>
        )}
        {waiting > 0 && (
          <a href="/outbox" class={`pill ${trouble ? 'pill-danger' : 'pill-wait'}`} data-testid="outbox-badge">
            {trouble ? t('outbox.badgeTrouble', { n: waiting }) : t('outbox.badge', { n: waiting })}
          </a>
        )}
      </div>
    </header>
  );
}

function TabBar({ path }) {
  return (
    <nav class="tabbar" aria-label={t('nav.main')}>
      {TABS.map((tab) => {
        const current = path === tab.path || path.startsWith(tab.path + '/');
        return (
          <a href={tab.path} class="tab" aria-current={current ? 'page' : undefined}>
            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
              <path d={tab.icon} fill="currentColor" />
            </svg>
            <span>{t(tab.key)}</span>
          </a>
        );
      })}
    </nav>
  );
}

function UpdateBanner() {
  const app = useAppState();
  if (!app.update) return null;
  const update = () => {
    set({ updating: true });
    app.update.postMessage({ type: 'skip-waiting' });
  };
  return (
    <div class="banner" role="status">
      <span>{t('update.ready')}</span>
      <button type="button" class="btn btn-small" onClick={update}>
        {t('update.now')}
      </button>
    </div>
  );
}

function Toast() {
  const app = useAppState();
  return (
    <div class="toast-region" aria-live="polite" role="status">
      {app.toast && <div class={`toast toast-${app.toast.kind}`}>{app.toast.text}</div>}
    </div>
  );
}

export function App() {
  const app = useAppState();
  const path = app.route.split('?')[0];
  const signedIn = Boolean(app.session?.refresh_token);
  useEffect(() => {
    if (signedIn && (path === '/' || path === '/signin' || path === '/index.html')) navigate('/today', { replace: true });
  }, [signedIn, path]);
  useEffect(() => {
    document.title = `Fieldloop · ${t(signedIn ? titleKey(path) : 'signin.title')}`;
  }, [path, signedIn, app.lang]);
  if (app.session === undefined) return null;
  if (!signedIn) {
    return (
      <>
        <header class="topbar">
          <span class="brand">Fieldloop</span>
        </header>
        <main id="main">
          <SignIn expired={app.session?.expired} email={app.session?.user?.email} />
        </main>
        <Toast />
      </>
    );
  }
  const found = route(path);
  const View = found?.View || Today;
  return (
    <>
      <a class="skip" href="#main">
        {t('nav.skip')}
      </a>
      <Header />
      <UpdateBanner />
      <main id="main">
        <View {...(found?.params || {})} key={path} />
      </main>
      <TabBar path={path} />
      <Toast />
    </>
  );
}

function titleKey(path) {
  const tab = TABS.find((x) => path === x.path || path.startsWith(x.path + '/'));
  if (tab) return tab.key;
  return path.startsWith('/outbox') ? 'outbox.title' : 'tab.today';
}
