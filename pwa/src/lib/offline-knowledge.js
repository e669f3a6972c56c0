// The offline knowledge bundle (pinned articles, those for today's customers, the most read) kept on the
// phone, and a search over it that works without signal. The server sends a compact inverted index built with
// its own tokenizer (CJK unigrams and bigrams, stemmed English words); queries are cut the same way here. For
// English, where the server stems with Snowball, a query word matches index terms that look like its stem
// or, for the word being typed, that start with it.
import { db, kv } from './db.js';
import { get } from './api.js';

const CJK = '\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af';
const TOKEN = new RegExp(`([${CJK}]+)|([^\\W_${CJK}]+(?:['.\\-][^\\W_${CJK}]+)*)`, 'gu');
const STOP_EN = new Set(
  `a an and are as at be by can could did do does for from had has have how i if in into is it's its me my no not
  of on or our so that the their them then there these they this to was we were what when where which who why will
  with would you your about please`.split(/\s+/),
);
const STOP_ZH = ['有没有', '怎么样', '是不是', '怎么', '怎样', '如何', '什么', '哪些', '哪个', '为什么', '可以', '能否', '请问',
  '一下', '我们', '你们', '他们', '关于', '的', '了', '吗', '呢', '吧', '啊', '和', '与', '及', '或', '是', '在'];
const STOP_ZH_RE = new RegExp(STOP_ZH.sort((a, b) => b.length - a.length).join('|'), 'g');

export function normalise(text) {
  return text.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}

/** The query's groups: each is a list of alternative terms, any of which satisfies it. */
export function queryGroups(text) {
  const normal = normalise(text);
  const typing = normal.length > 0 && !/\s$/.test(normal);
  const matches = [...normal.matchAll(TOKEN)];
  const groups = [];
  matches.forEach((m, position) => {
    if (m[1]) {
      for (const piece of m[1].split(STOP_ZH_RE).filter(Boolean)) {
        if (piece.length === 1) groups.push({ cjk: [piece] });
        else for (let i = 0; i < piece.length - 1; i++) groups.push({ cjk: [piece.slice(i, i + 2)] });
      }
      return;
    }
    const subs = m[2].split(/['.\-]/).flatMap((p) => p.match(/[^\W\d_]+|\d+/gu) || []);
    const words = subs.filter((s) => /^\d+$/.test(s) || (s.length > 1 && !STOP_EN.has(s)));
    if (subs.length > 1) groups.push({ exact: [subs.join(''), ...words] });
    else if (words.length) groups.push({ word: words[0], last: typing && position === matches.length - 1 });
  });
  return groups;
}

function termsFor(group, vocabulary) {
  if (group.cjk) return group.cjk.filter((t) => vocabulary.has(t));
  if (group.exact) return group.exact.filter((t) => vocabulary.has(t));
  const w = group.word;
  if (/^\d+$/.test(w)) return vocabulary.has(w) ? [w] : [];
  const out = [];
  for (const term of vocabulary) {
    if (term === w || (group.last && w.length >= 2 && term.startsWith(w))) {
      out.push(term);
      continue;
    }
    // A stem is the word less its ending, the last letter sometimes changed (warranty → warranti,
    // pricing → price): most of the stem must start the word, and little of the word may be left over.
    const shared = commonPrefix(term, w);
    if (shared >= Math.max(3, term.length - 1) && w.length - shared <= 4) out.push(term);
  }
  return out;
}

function commonPrefix(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** BM25 over the bundle's index; every group must match (falls back to any group when none matches all). */
export function rank(index, text, limit = 20) {
  const groups = queryGroups(text);
  if (!index || !groups.length) return [];
  const vocabulary = new Set(Object.keys(index.postings));
  const n = index.docs.length;
  const avg = index.lengths.reduce((a, b) => a + b, 0) / Math.max(n, 1) || 1;
  const scores = new Map();
  groups.forEach((group, g) => {
    for (const term of termsFor(group, vocabulary)) {
      const postings = index.postings[term];
      const df = postings.length / 2;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (let i = 0; i < postings.length; i += 2) {
        const doc = postings[i];
        const tf = postings[i + 1];
        const score = (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * index.lengths[doc]) / avg));
        const entry = scores.get(doc) || { score: 0, groups: new Set() };
        entry.score += score;
        entry.groups.add(g);
        scores.set(doc, entry);
      }
    }
  });
  let hits = [...scores].filter(([, e]) => e.groups.size === groups.length);
  if (!hits.length) hits = [...scores];
  return hits
    .sort((a, b) => b[1].groups.size - a[1].groups.size || b[1].score - a[1].score)
    .slice(0, limit)
    .map(([doc, e]) => ({ id: index.docs[doc], score: e.score }));
}

/** Plain text with the first place a query piece occurs, for the result list. */
export function snippet(article, text) {
  const source = `${article.summary || ''} ${article.body || ''}`.replace(/[#*_`>|]/g, ' ').replace(/\s+/g, ' ');
  const pieces = queryGroups(text).flatMap((g) => g.cjk || g.exact || [g.word.slice(0, Math.max(3, g.word.length - 2))]);
  const lower = normalise(source);
  let at = -1;
  for (const p of pieces) {
    at = lower.indexOf(p);
    if (at >= 0) break;
  }
  const start = Math.max(0, at - 30);
  return (start > 0 ? '…' : '') + source.slice(start, start + 120) + (source.length > start + 120 ? '…' : '');
}

export async function searchOffline(text, limit = 20) {
  const index = await kv.get('kb-index');
  const database = await db();
  const found = [];
  for (const hit of rank(index, text, limit)) {
    const article = await database.get('articles', hit.id);
    if (article) found.push({ ...article, score: hit.score, snippet: snippet(article, text), offline: true });
  }
  if (found.length) return found;
  // No index yet, or nothing in it: look through the stored articles' text itself.
  const needle = normalise(text.trim());
  if (!needle) return [];
  return (await database.getAll('articles'))
    .filter((a) => normalise(`${a.title} ${a.summary} ${a.body}`).includes(needle))
    .slice(0, limit)
    .map((a) => ({ ...a, snippet: snippet(a, text), offline: true }));
}

export const offlineArticle = async (id) => (await db()).get('articles', id);

/** What the offline library holds: `{count, pinned}` articles. */
export async function offlineCounts() {
  const all = await (await db()).getAll('articles');
  return { count: all.length, pinned: all.filter((a) => a.why?.includes('pinned')).length };
}

/** A pin or unpin the server took: the phone's copy says so at once, before the next bundle arrives. */
export async function markPinned(id, pinned) {
  const database = await db();
  const article = await database.get('articles', id);
  if (!article) return;
  const why = (article.why || []).filter((w) => w !== 'pinned');
  await database.put('articles', { ...article, why: pinned ? ['pinned', ...why] : why });
}

/** Brings the bundle up to date (a delta after the first time). Answers `{ok, count, pinned, missing}`. */
export async function syncBundle(lang) {
  const cursor = await kv.get('kb-cursor');
  const answer = await get('/knowledge/bundle', { query: { cursor, lang } });
  if (!answer.ok) {
    // A cursor the server no longer accepts: start over with a full bundle.
    if (answer.status === 422 && cursor) {
      await kv.del('kb-cursor');
      return syncBundle(lang);
    }
    return { ok: false, missing: answer.missing };
  }
  const bundle = answer.data;
  const database = await db();
  const tx = database.transaction('articles', 'readwrite');
  if (bundle.full) await tx.store.clear();
  for (const id of bundle.removed || []) await tx.store.delete(id);
  for (const article of bundle.articles || []) await tx.store.put(article);
  await tx.done;
  if (bundle.index) await kv.set('kb-index', bundle.index);
  await kv.set('kb-cursor', bundle.cursor);
  return { ok: true, ...(await offlineCounts()) };
}

export async function clearBundle() {
  await (await db()).clear('articles');
  await kv.del('kb-index');
  await kv.del('kb-cursor');
}
