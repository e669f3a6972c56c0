// Settings: language, notifications, map tiles, and signing out.
import { useEffect, useState } from 'preact/hooks';
import { Page, Field } from '../components.jsx';
import { t, setLang, LANGS } from '../lib/i18n.js';
import { kv } from '../lib/db.js';
import { signOut } from '../lib/auth.js';
import { clear } from '../lib/outbox.js';
import { subscribe, unsubscribe } from '../lib/push-core.js';
import { forgetReads } from '../lib/sync.js';
import { useAppState, set, toast } from '../lib/store.js';
import { navigate } from '../lib/router.js';

export const pushSupported = () =>
  typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

/** Asks for permission (only ever from a tap) and subscribes; answers a message for the user, or null. */
export async function enablePush() {
  if (!pushSupported()) return t('push.unsupported');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return t('push.denied');
  const registration = await navigator.serviceWorker.ready;
  const result = await subscribe(registration);
  if (!result.ok) {
    if (result.reason === 'missing') return t('push.serverMissing');
    if (result.reason === 'browser') return t('push.browserFailed', { why: result.message });
    return t('push.failed');
  }
  await kv.set('push-enabled', true);
  return null;
}

export async function disablePush() {
  const registration = await navigator.serviceWorker?.getRegistration();
  await unsubscribe(registration);
  await kv.set('push-enabled', false);
}

/** The offer shown after the first approval was opened: the moment notifications make sense. */
export function NotificationOffer() {
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    let asked = false;
    try {
      asked = localStorage.getItem('fl.pushAsked') === '1';
    } catch {
      asked = true;
    }
    setVisible(pushSupported() && Notification.permission === 'default' && !asked);
  }, []);
  if (!visible) return null;
  const done = () => {
    try {
      localStorage.setItem('fl.pushAsked', '1');
    } catch {
      // nothing to remember it in
    }
    setVisible(false);
  };
  return (
    <aside class="card offer" aria-labelledby="offer-title">
      <h2 id="offer-title" class="section-title">{t('push.offerTitle')}</h2>
      <p>{t('push.offerText')}</p>
      <div class="row-buttons">
        <button
          type="button"
          class="btn btn-primary"
          onClick={async () => {
            const problem = await enablePush();
            toast(problem || t('push.on'), problem ? 'error' : 'info');
            done();
          }}
        >
          {t('push.turnOn')}
        </button>
        <button type="button" class="btn btn-secondary" onClick={done}>{t('push.notNow')}</button>
      </div>
    </aside>
  );
}

export function Settings() {
  const app = useAppState();
  const [chosen, setChosen] = useState(() => {
    try {
      return localStorage.getItem('fl.lang') || 'device';
    } catch {
      return 'device';
    }
  });
  const [push, setPush] = useState(false);
  const [pushBusy, setPushBusy] = useState(false);
  const [tileUrl, setTileUrl] = useState('');
  const [gcj, setGcj] = useState(false);
  const [version, setVersion] = useState('');

  useEffect(() => {
    kv.get('push-enabled').then((on) => setPush(Boolean(on) && pushSupported() && Notification.permission === 'granted'));
    try {
      setTileUrl(localStorage.getItem('fl.tiles') || '');
      setGcj(localStorage.getItem('fl.tilesCrs') === 'gcj02');
    } catch {
      // defaults
    }
    const worker = navigator.serviceWorker?.controller;
    if (worker) {
      const onMessage = (event) => event.data?.type === 'version' && setVersion(event.data.version);
      navigator.serviceWorker.addEventListener('message', onMessage);
      worker.postMessage({ type: 'version' });
      return () => navigator.serviceWorker.removeEventListener('message', onMessage);
    }
  }, []);

  function chooseLang(value) {
    setChosen(value);
    setLang(value === 'device' ? null : value);
  }

  async function togglePush(event) {
    const on = event.currentTarget.checked;
    setPush(on); // the switch shows where the user put it while the browser and the server are asked
    setPushBusy(true);
    const problem = on ? await enablePush() : (await disablePush(), null);
    setPushBusy(false);
    if (problem) toast(problem, 'error');
    else toast(on ? t('push.on') : t('push.off'));
    setPush(on && !problem);
  }

  function saveTiles(event) {
    event.preventDefault();
    try {
      if (tileUrl.trim()) localStorage.setItem('fl.tiles', tileUrl.trim());
      else localStorage.removeItem('fl.tiles');
      localStorage.setItem('fl.tilesCrs', gcj ? 'gcj02' : 'wgs84');
    } catch {
      // not kept beyond this visit
    }
    set({ tileUrl: tileUrl.trim() || undefined, tileCrs: gcj ? 'gcj02' : undefined });
    toast(t('settings.saved'));
  }

  async function leave() {
    const waiting = app.outbox.length;
    if (waiting && !confirm(t('settings.signOutWaiting', { n: waiting }))) return;
    await disablePush().catch(() => {});
    await clear();
    await forgetReads();
    await signOut();
    set({ session: null, outbox: [], bundle: undefined });
    navigate('/signin', { replace: true });
  }

  const user = app.session.user;
  return (
    <Page title={t('settings.title')}>
      <p class="muted">{t('settings.signedInAs', { name: user.name, email: user.email })}</p>
      <fieldset class="card">
        <legend>{t('settings.language')}</legend>
        {['device', ...LANGS].map((value) => (
          <label class="choice">
            <input type="radio" name="lang" value={value} checked={chosen === value} onChange={() => chooseLang(value)} />
            <span lang={value === 'zh-CN' ? 'zh-CN' : value === 'en' ? 'en' : undefined}>
              {value === 'device' ? t('settings.deviceLang') : value === 'zh-CN' ? '中文（简体）' : 'English'}
            </span>
          </label>
        ))}
      </fieldset>
      <div class="card">
        <label class="choice switch">
          <input type="checkbox" role="switch" checked={push} disabled={pushBusy || !pushSupported()} onChange={togglePush} />
          <span>{t('settings.notifications')}</span>
        </label>
        <p class="hint">{pushSupported() ? t('settings.notificationsHint') : t('push.unsupported')}</p>
      </div>
      <form class="card stack" onSubmit={saveTiles}>
        <Field id="tiles" label={t('settings.tiles')} hint={t('settings.tilesHint', { url: app.config.tile_url || '—' })}>
          <input id="tiles" type="url" inputmode="url" value={tileUrl} placeholder="https://…/{z}/{x}/{y}.png" onInput={(e) => setTileUrl(e.currentTarget.value)} />
        </Field>
        <label class="choice">
          <input type="checkbox" checked={gcj} onChange={(e) => setGcj(e.currentTarget.checked)} />
          <span>{t('settings.gcj')}</span>
        </label>
        <button type="submit" class="btn btn-secondary">{t('settings.save')}</button>
      </form>
      <p>
        <a class="btn btn-link" href="/outbox">{t('outbox.title')} ({app.outbox.length})</a>
      </p>
      <button type="button" class="btn btn-danger btn-block" onClick={leave}>{t('settings.signOut')}</button>
      <p class="muted small">{t('settings.version', { v: version || '—' })}</p>
    </Page>
  );
}
