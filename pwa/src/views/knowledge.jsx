// Knowledge: search as you type (on the server, or on the phone without signal), pins, suggestions for the
// deal at hand, and the article itself.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Page, Loading, Problem, Freshness, Empty, useResource } from '../components.jsx';
import { t, lang, date } from '../lib/i18n.js';
import { get, request } from '../lib/api.js';
import { enqueue } from '../lib/outbox.js';
import { flush, refreshBundle } from '../lib/sync.js';
import { useAppState, toast, set } from '../lib/store.js';
import { queryParam } from '../lib/router.js';
import { Markdown, Snippet } from '../markdown.jsx';
import { searchOffline, offlineArticle, offlineCounts } from '../lib/offline-knowledge.js';
import { localDate } from './today.jsx';

function ResultList({ items, label }) {
  return (
    <ul class="cards" aria-label={label}>
      {items.map((item) => (
        <li key={item.id}>
          <a class="card card-link" href={`/knowledge/${item.id}`} data-testid="knowledge-result">
            <p class="card-title" lang={item.lang}>{item.title}</p>
            {item.snippet !== undefined ? (
              <p class="muted small" lang={item.lang}>
                {item.offline ? item.snippet : <Snippet html={item.snippet} />}
              </p>
            ) : (
              item.summary && <p class="muted small" lang={item.lang}>{item.summary}</p>
            )}
            {item.reason && <p class="chip chip-info">{t(`suggest.${item.reason}`, { what: item.matched })}</p>}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** The deal to suggest for: the one named in the address, else the account of the next visit today. */
function useSuggestionContext() {
  const app = useAppState();
  const [context, setContext] = useState(null);
  useEffect(() => {
    const opportunity = queryParam('opportunity');
    if (opportunity) {
      // Named after the deal, so the rep sees whose articles these are (the last-seen deal, offline).
      setContext({ opportunity_id: opportunity });
      get(`/opportunities/${opportunity}`).then((answer) => {
        if (answer.ok) setContext({ opportunity_id: opportunity, name: answer.data.name });
      });
      return;
    }
    const user = app.session.user;
    get('/visits', { query: { date: localDate(user.timezone), owner_id: user.id, limit: 100 } }).then((answer) => {
      const next = answer.ok ? answer.data.items.find((v) => v.status === 'planned' && v.account_id) : null;
      if (next) setContext({ account_id: next.account_id, name: next.name });
    });
  }, []);
  return context;
}

function Suggestions() {
  const context = useSuggestionContext();
  const answer = useResource(context ? '/knowledge/suggestions' : null, context ? { ...context, name: undefined, lang: lang() } : null);
  const items = answer.answer?.ok ? answer.answer.data.items : [];
  if (!items.length) return null;
  return (
    <section aria-labelledby="suggest-title">
      <h2 id="suggest-title" class="section-title">
        {context?.name ? t('knowledge.suggestedFor', { name: context.name }) : t('knowledge.suggested')}
      </h2>
      <ResultList items={items} label={t('knowledge.suggested')} />
    </section>
  );
}

function Pinned() {
  const pinned = useResource('/knowledge/articles', { pinned: true, limit: 50 }, ['pin', 'unpin']);
  const items = pinned.answer?.ok ? pinned.answer.data.items : [];
  return (
    <section aria-labelledby="pinned-title">
      <h2 id="pinned-title" class="section-title">{t('knowledge.pinned')}</h2>
      {pinned.answer?.ok && !items.length && <Empty>{t('knowledge.noPins')}</Empty>}
      {pinned.answer && !pinned.answer.ok && !pinned.answer.offline && <Problem answer={pinned.answer} />}
      <ResultList items={items} label={t('knowledge.pinned')} />
    </section>
  );
}

function OfflineLibrary() {
  const app = useAppState();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (app.bundle === undefined) offlineCounts().then((bundle) => set({ bundle }));
  }, []);
  async function refresh() {
    setBusy(true);
    const result = await refreshBundle();
    setBusy(false);
    if (!result.ok) toast(result.missing ? t('error.missing') : t('offline.unavailable'), 'error');
  }
  return (
    <p class="muted small offline-library" data-testid="offline-library">
      {app.bundle === undefined ? '' : t('knowledge.onPhone', { n: app.bundle.count, pinned: app.bundle.pinned })}{' '}
      <button type="button" class="btn btn-link" onClick={refresh} disabled={busy}>
        {busy ? t('loading') : t('knowledge.refreshOffline')}
      </button>
    </p>
  );
}

export function Knowledge() {
  const app = useAppState();
  const [query, setQuery] = useState(queryParam('q') || '');
  const [results, setResults] = useState(null);
  const [searching, setSearching] = useState(false);
  const pending = useRef(null);

  useEffect(() => {
    const text = query.trim();
    pending.current?.abort();
    if (!text) {
      setResults(null);
      return;
    }
    const controller = new AbortController();
    pending.current = controller;
    const timer = setTimeout(async () => {
      setSearching(true);
      let found = null;
      if (app.online) {
        try {
          const answer = await get('/knowledge/search', { query: { q: text, lang: lang(), limit: 20 }, signal: controller.signal });
          if (answer.ok) found = { items: answer.data.items, tookMs: answer.data.took_ms, where: 'server' };
        } catch {
          return; // superseded by the next keystroke
        }
      }
      if (!found) found = { items: await searchOffline(text), where: 'phone' };
      if (!controller.signal.aborted) {
        setResults(found);
        setSearching(false);
      }
    }, 120);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query, app.online]);

  return (
    <Page title={t('knowledge.title')}>
      <form role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="knowledge-q" class="visually-hidden">{t('knowledge.searchLabel')}</label>
        <input
          id="knowledge-q"
          type="search"
          enterkeyhint="search"
          autocomplete="off"
          placeholder={t('knowledge.placeholder')}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
      </form>
      <div aria-live="polite">
        {searching && !results && <Loading label={t('knowledge.searching')} />}
        {results && (
          <>
            <p class="muted small" data-testid="search-where">
              {results.where === 'phone'
                ? t('knowledge.onDevice', { n: results.items.length })
                : t('knowledge.found', { n: results.items.length, ms: Math.round(results.tookMs ?? 0) })}
            </p>
            {!results.items.length && <Empty>{t('knowledge.none')}</Empty>}
            <ResultList items={results.items} label={t('knowledge.results')} />
          </>
        )}
      </div>
      {!query.trim() && (
        <>
          <Suggestions />
          <Pinned />
          <OfflineLibrary />
        </>
      )}
    </Page>
  );
}

export function Article({ id }) {
  const app = useAppState();
  const online = useResource(`/knowledge/articles/${id}`, null, ['pin', 'unpin']);
  const [stored, setStored] = useState(null);
  const fresh = Boolean(online.answer?.ok && !online.answer.stale);
  useEffect(() => {
    // Without signal, the phone's copy: the last-seen answer may predate a pin, the offline library does not.
    if (online.answer && !fresh) offlineArticle(id).then((a) => setStored(a || null));
    if (fresh) request('POST', `/knowledge/articles/${id}/reads`).catch(() => {});
  }, [online.answer]);
  const article = online.answer?.ok ? online.answer.data : stored;
  const waitingPin = app.outbox.filter((e) => (e.kind === 'pin' || e.kind === 'unpin') && e.meta?.id === id && e.state === 'pending').pop();
  let pinned = Boolean(article?.pinned);
  if (waitingPin) pinned = waitingPin.kind === 'pin';
  else if (!fresh && stored) pinned = Boolean(stored.why?.includes('pinned'));

  async function togglePin() {
    const kind = pinned ? 'unpin' : 'pin';
    await enqueue({
      kind,
      method: pinned ? 'DELETE' : 'POST',
      path: `/knowledge/articles/${id}/pin`,
      label: { en: `${pinned ? 'Unpin' : 'Pin'}: ${article.title}`, zh: `${pinned ? '取消置顶' : '置顶'}：${article.title}` },
      meta: { id },
    });
    toast(pinned ? t('knowledge.unpinned') : t('knowledge.pinnedDone'));
    flush();
  }

  return (
    <Page title={t('knowledge.article')}>
      <a class="back" href="/knowledge">{t('back.knowledge')}</a>
      <Freshness answer={online.answer} />
      {!article && online.loading && <Loading />}
      {!article && online.answer && !online.loading && !online.answer.ok && stored === null && <Problem answer={online.answer} onRetry={online.reload} />}
      {article && (
        <article lang={article.lang} class="article">
          <h2 class="article-title">{article.title}</h2>
          <p class="muted small">
            {t(`kind.${article.kind}`)} · {date(article.updated_at)}
            {article.product ? ` · ${article.product}` : ''}
            {!online.answer?.ok ? ` · ${t('knowledge.fromPhone')}` : ''}
          </p>
          <button type="button" class="btn btn-secondary" aria-pressed={pinned ? 'true' : 'false'} onClick={togglePin}>
            {pinned ? t('knowledge.unpin') : t('knowledge.pin')}
          </button>
          {article.summary && <p class="lead">{article.summary}</p>}
          <Markdown text={article.body} />
          {article.translations?.length > 0 && (
            <p class="small">
              {article.translations.map((tr) => (
                <a class="btn btn-link" href={`/knowledge/${tr.id}`} lang={tr.lang}>
                  {tr.lang === 'zh-CN' ? '中文版' : 'English version'}
                </a>
              ))}
            </p>
          )}
        </article>
      )}
    </Page>
  );
}
