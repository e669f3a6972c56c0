// Today: the day's plan on a map, the next visit with its arrival time, directions, check-in and check-out.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Page, Loading, Problem, Freshness, Empty, Field, useResource } from '../components.jsx';
import { t, pick, clock, duration, dateTime } from '../lib/i18n.js';
import { post, problemText } from '../lib/api.js';
import { kv } from '../lib/db.js';
import { position } from '../lib/geo.js';
import { enqueue } from '../lib/outbox.js';
import { flush } from '../lib/sync.js';
import { useAppState, toast } from '../lib/store.js';
import { FollowUps } from './followups.jsx';

const DEFAULT_START = { lat: 31.2304, lon: 121.4737 }; // People's Square, when the phone cannot tell
const OUTCOMES = ['positive', 'neutral', 'negative', 'no_show'];

/** Today's date where the user works (their time zone, not the phone's). */
export function localDate(timeZone, offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: timeZone || undefined, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** The plan the day's visits belong to: the one most of the still-open visits are in. */
function currentPlanId(visits) {
  const counts = new Map();
  for (const v of visits) counts.set(v.plan_id, (counts.get(v.plan_id) || 0) + (v.status === 'planned' ? 2 : 1));
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] || null;
}

/** A stop's status as the user sees it: a check-in or check-out waiting in the outbox counts already. */
function effectiveStatus(stop, outbox) {
  const mine = outbox.filter((e) => e.meta?.id === stop.visit_id && e.state === 'pending');
  if (mine.some((e) => e.kind === 'check_out')) return 'done';
  if (mine.some((e) => e.kind === 'check_in')) return 'checked_in';
  return stop.status;
}

function MapView({ stops, start }) {
  const element = useRef(null);
  const app = useAppState();
  const [tilesFailed, setTilesFailed] = useState(false);
  const chosenUrl = app.tileUrl ?? app.config.tile_url;
  const tiles = {
    url: chosenUrl && chosenUrl !== 'none' ? chosenUrl : null,
    attribution: app.config.tile_attribution,
    crs: app.tileCrs || app.config.tile_crs,
  };
  const signature = JSON.stringify([stops.map((s) => [s.lat, s.lon, s.status]), start, tiles, app.lang]);
  useEffect(() => {
    let map = null;
    let gone = false;
    setTilesFailed(!tiles.url);
    import('./map-leaflet.js').then(({ drawMap }) => {
      if (gone || !element.current) return;
      map = drawMap(element.current, {
        stops,
        start,
        tiles,
        labels: { zoomIn: t('map.zoomIn'), zoomOut: t('map.zoomOut') },
        onTileError: () => setTilesFailed(true),
      });
    });
    return () => {
      gone = true;
      map?.remove();
    };
  }, [signature]);
  return (
    <div class={`map-wrap${tilesFailed ? ' map-no-tiles' : ''}`}>
      {/* Leaflet owns this element's classes: Preact must never re-render them. */}
      <div
        class="map"
        ref={element}
        data-testid="map"
        role="region"
        aria-label={t('today.mapLabel', { n: stops.length })}
      />
      {tilesFailed && <p class="map-note">{t('today.noTiles')}</p>}
    </div>
  );
}

function NavLinks({ navigation }) {
  if (!navigation) return null;
  return (
    <div class="nav-links" role="group" aria-label={t('today.directions')}>
      <a class="btn btn-secondary" href={navigation.amap} target="_blank" rel="noopener">{t('nav.amap')}</a>
      <a class="btn btn-secondary" href={navigation.apple} target="_blank" rel="noopener">{t('nav.apple')}</a>
      <a class="btn btn-secondary" href={navigation.google} target="_blank" rel="noopener">{t('nav.google')}</a>
    </div>
  );
}

function CheckOutForm({ stop, onDone }) {
  const [outcome, setOutcome] = useState('positive');
  const [notes, setNotes] = useState('');
  async function submit(event) {
    event.preventDefault();
    await enqueue({
      kind: 'check_out',
      method: 'POST',
      path: `/visits/${stop.visit_id}/check-out`,
      body: { notes, outcome, at: new Date().toISOString() },
      label: { en: `Check out: ${stop.name || ''}`, zh: `签退：${stop.name || ''}` },
      meta: { id: stop.visit_id },
    });
    toast(t('today.checkedOutQueued'));
    onDone();
    flush();
  }
  return (
    <form class="stack" onSubmit={submit}>
      <Field id="outcome" label={t('today.outcome')}>
        <select id="outcome" value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)}>
          {OUTCOMES.map((o) => (
            <option value={o}>{t(`outcome.${o}`)}</option>
          ))}
        </select>
      </Field>
      <Field id="notes" label={t('today.notes')}>
        <textarea id="notes" rows={3} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      </Field>
      <button type="submit" class="btn btn-primary btn-block">{t('today.checkOut')}</button>
    </form>
  );
}

function NextVisit({ stop, status, lastCheckIn }) {
  const [locating, setLocating] = useState(false);
  const [checkingOut, setCheckingOut] = useState(false);
  async function checkIn() {
    setLocating(true);
    const fix = await position({ maximumAge: 0 }); // a check-in proves presence now, not half a minute ago
    setLocating(false);
    if (fix.error) {
      toast(t(`geo.${fix.error}`), 'error');
      return;
    }
    await enqueue({
      kind: 'check_in',
      method: 'POST',
      path: `/visits/${stop.visit_id}/check-in`,
      body: { lat: fix.lat, lon: fix.lon, accuracy_m: Math.round(fix.accuracy_m * 10) / 10, at: new Date().toISOString() },
      label: { en: `Check in: ${stop.name || ''}`, zh: `签到：${stop.name || ''}` },
      meta: { id: stop.visit_id },
    });
    toast(navigator.onLine ? t('today.checkingIn') : t('today.checkedInQueued'));
    flush();
  }
  return (
    <article class="card next-visit" aria-labelledby="next-title" data-testid="next-visit">
      <p class="eyebrow">{t('today.next')}</p>
      <h2 id="next-title">{stop.name || t('today.unnamed')}</h2>
      <p class="big-time">
        {t('today.arrive')} <strong>{clock(stop.arrive)}</strong>
        <span class="muted"> · {t('today.stay', { d: duration(stop.service_s) })}</span>
      </p>
      {stop.reason && <p class="muted small">{pick(stop.reason)}</p>}
      {status === 'checked_in' && (
        <p class="chip chip-ok" data-testid="checked-in">
          {t('today.checkedIn')}
          {lastCheckIn ? ` · ${t(`checkin.${lastCheckIn.status}`)}${lastCheckIn.distance_m != null ? ` (${Math.round(lastCheckIn.distance_m)} m)` : ''}` : ''}
        </p>
      )}
      <NavLinks navigation={stop.navigation} />
      {status === 'planned' && (
        <button type="button" class="btn btn-primary btn-block" onClick={checkIn} disabled={locating}>
          {locating ? t('today.locating') : t('today.checkIn')}
        </button>
      )}
      {status === 'checked_in' && !checkingOut && (
        <button type="button" class="btn btn-primary btn-block" onClick={() => setCheckingOut(true)}>
          {t('today.checkOut')}
        </button>
      )}
      {status === 'checked_in' && checkingOut && <CheckOutForm stop={stop} onDone={() => setCheckingOut(false)} />}
    </article>
  );
}

function StopList({ stops, outbox }) {
  return (
    <ol class="stops" aria-label={t('today.stops')}>
      {stops.map((stop, i) => {
        const status = effectiveStatus(stop, outbox);
        return (
          <li key={stop.visit_id} class={`stop stop-${status}`} data-testid="stop">
            <span class="stop-num" aria-hidden="true">{i + 1}</span>
            <div class="stop-body">
              <p class="stop-name">{stop.name || t('today.unnamed')}</p>
              <p class="muted small">
                {clock(stop.arrive)}–{clock(stop.depart)} · {t(`status.${status}`)}
                {stop.candidate ? ` · ${t('today.suggested')}` : ''}
              </p>
            </div>
          </li>
        );
      })}
    </ol>
  );
}

export function Today() {
  const app = useAppState();
  const user = app.session.user;
  const day = localDate(user.timezone);
  const visits = useResource('/visits', { date: day, owner_id: user.id, limit: 100 }, ['check_in', 'check_out']);
  const planId = visits.answer?.ok ? currentPlanId(visits.answer.data.items) : null;
  const plan = useResource(planId ? `/visits/plans/${planId}` : null, null, ['check_in', 'check_out']);
  const [fresh, setFresh] = useState(null); // a plan just made or re-made, shown before the re-read
  const [start, setStart] = useState(null);
  const [busy, setBusy] = useState(null);
  const [lastCheckIn, setLastCheckIn] = useState(null);
  const loaded = plan.answer?.ok ? plan.answer.data : null;
  const caughtUp = loaded && fresh && loaded.plan_id === fresh.plan_id && loaded.revision >= fresh.revision;
  const shown = fresh && !caughtUp ? fresh : loaded;

  useEffect(() => {
    if (shown?.plan_id) kv.get(`plan-start:${shown.plan_id}`).then((s) => setStart(s || null));
  }, [shown?.plan_id]);
  useEffect(() => {
    const onApplied = (event) => {
      if (event.detail.kind === 'check_in') setLastCheckIn(event.detail.data);
    };
    addEventListener('fieldloop:applied', onApplied);
    return () => removeEventListener('fieldloop:applied', onApplied);
  }, []);

  async function plan_(replan) {
    if (!app.online) {
      toast(t('today.needsSignal'), 'error');
      return;
    }
    setBusy(replan ? 'replan' : 'plan');
    const fix = await position({ timeout: 8000 });
    const here = fix.error ? DEFAULT_START : { lat: fix.lat, lon: fix.lon };
    const answer = replan
      ? await post(`/visits/plans/${shown.plan_id}/replan`, {
          position: here,
          at: new Date().toISOString(),
          completed: shown.stops.filter((s) => effectiveStatus(s, app.outbox) === 'done').map((s) => s.visit_id),
          cancelled: [],
        })
      : await post('/visits/plan', {
          date: day,
          start: here,
          shift: { start: '08:30', end: '18:00' },
          break: { earliest: '11:30', latest: '13:30', minutes: 45 },
          mode: 'drive',
          stops: [],
          candidates: 'auto',
          time_limit_s: 2,
        });
    setBusy(null);
    if (!answer.ok) {
      toast(problemText(answer, t), 'error');
      return;
    }
    await kv.set(`plan-start:${answer.data.plan_id}`, here);
    setStart(here);
    setFresh(answer.data);
    toast(t(replan ? 'today.replanned' : 'today.planned', { n: answer.data.stops.length }));
    visits.reload();
    plan.reload();
  }

  const loading = visits.loading && !visits.answer;
  const stops = shown?.stops || [];
  const next = stops.find((s) => ['planned', 'checked_in'].includes(effectiveStatus(s, app.outbox)));
  const actions = (
    <div class="page-actions">
      {shown && (
        <button type="button" class="btn btn-secondary" onClick={() => plan_(true)} disabled={Boolean(busy)}>
          {busy === 'replan' ? t('today.planning') : t('today.replan')}
        </button>
      )}
      <button type="button" class="btn btn-primary" onClick={() => plan_(false)} disabled={Boolean(busy)}>
        {busy === 'plan' ? t('today.planning') : t('today.plan')}
      </button>
    </div>
  );
  return (
    <Page title={t('today.title')} actions={actions}>
      <p class="muted">{dateTime(new Date(), user.timezone)}</p>
      <FollowUps />
      {loading && <Loading />}
      <Freshness answer={plan.answer?.stale ? plan.answer : visits.answer} />
      {!visits.answer?.ok && visits.answer && <Problem answer={visits.answer} onRetry={visits.reload} />}
      {shown && (
        <>
          <MapView stops={stops.map((s) => ({ ...s, status: effectiveStatus(s, app.outbox) }))} start={start} />
          <p class="muted small" data-testid="plan-summary">
            {t('today.summary', { n: stops.length, travel: duration(shown.total_travel_s), leave: clock(shown.leave), back: clock(shown.back) })}
            {shown.break ? ` · ${t('today.break', { from: clock(shown.break.start), to: clock(shown.break.end) })}` : ''}
          </p>
          {next ? (
            <NextVisit stop={next} status={effectiveStatus(next, app.outbox)} lastCheckIn={lastCheckIn?.visit_id === next.visit_id ? lastCheckIn : null} />
          ) : (
            <p class="note note-ok">{t('today.allDone')}</p>
          )}
          <StopList stops={stops} outbox={app.outbox} />
          {shown.dropped?.length > 0 && (
            <details class="dropped">
              <summary>{t('today.dropped', { n: shown.dropped.length })}</summary>
              <ul>
                {shown.dropped.map((d) => (
                  <li>{pick(d.message)}</li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
      {!loading && visits.answer?.ok && !shown && <Empty>{t('today.empty')}</Empty>}
    </Page>
  );
}
