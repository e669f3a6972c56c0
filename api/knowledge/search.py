"""Knowledge search: the query path a rep waits on, on the raw driver (see api/db/engine.py's Reader).

1. The query becomes groups of terms (tokenize.parse_query).
2. One look-up in the org's vocabulary: CJK bigrams that occur nowhere are dropped (they straddle words, as in
   华为折扣 → 为折); an English word that occurs nowhere is expanded to vocabulary terms it is a prefix of or a
   small typo away from (edit distance 1, or 2 for long words).
3. Every group must match; when nothing does, any group may (ranked by how much matched).
4. Rows come back ranked (ranking.py) and one per translation group: the caller's language wins unless the
   other translation is clearly more relevant.
5. Snippets are cut from the articles' text for the results shown.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rapidfuzz.distance import OSA

from api.db.engine import RawConnection, Reader
from api.knowledge import ranking
from api.knowledge.access import EDITOR_SQL
from api.knowledge.highlight import snippet
from api.knowledge.index import PUBLISHED_TOKEN, day_number, org_token, owner_token
from api.knowledge.tokenize import (
    Group,
    Query,
    facet_token,
    facet_whole,
    is_cjk_term,
    is_prefix,
    markdown_text,
    parse_query,
)
from api.lib.auth import Principal

MAX_EXPANSIONS = 6
MAX_GROUPS = 12
MIN_PREFIX = 3
FUZZY_CANDIDATES = 3000
# Not a term: the tokenizer never makes one with punctuation in it.
EDITOR = "!editor"
FACETS = {"kind": "k", "product": "p", "industry": "i", "competitor": "c"}


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    product: str | None = None
    industry: str | None = None
    competitor: str | None = None

    def tokens(self) -> list[str]:
        """One facet token per filter; an article carries it when its value matches (see tokenize.facet_keys)."""
        out = []
        for name, letter in FACETS.items():
            value = getattr(self, name)
            if value:
                out.append(facet_token(letter, value if name == "kind" else facet_whole(value)))
        return out


@dataclass(frozen=True)
class Hit:
    id: uuid.UUID
    title: str
    snippet: str
    lang: str
    score: float


def max_typos(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


class KnowledgeSearch:
    def __init__(self, reader: Reader, principal: Principal) -> None:
        self.reader = reader
        self.principal = principal
        self.sqlite = reader.dialect == "sqlite"
        # Admins always write; whether anyone else does is read with the vocabulary (see _vocabulary).
        self.editor = principal.is_admin
        self._conn: RawConnection | None = None

    def _p(self, value: Any) -> Any:
        return str(value) if self.sqlite and isinstance(value, uuid.UUID) else value

    async def search(self, text: str, lang: str, limit: int, filters: Filters) -> list[Hit]:
        query = parse_query(text)
        if not query:
            return []
        async with self.reader.connection() as conn:
            self._conn = conn
            try:
                doc_count, df = await self._vocabulary(query)
                groups = await self._resolve(query, df)
                if not groups:
                    return []
                rows = await self._ranked(groups, df, doc_count, lang, limit, filters, every=True)
                if not rows and len(groups) > 1:
                    rows = await self._ranked(groups, df, doc_count, lang, limit, filters, every=False)
            finally:
                self._conn = None
        return self._hits(rows, query, limit)

    async def _fetch(self, sql: str, params: list[Any]) -> list[Any]:
        assert self._conn is not None, "queries run inside search()"
        return await self._conn.fetch(sql, params)

    # ------------------------------------------------------------------------------------------ vocabulary

    async def _vocabulary(self, query: Query) -> tuple[int, dict[str, int]]:
        """The org's document count and the document frequency of each query term that occurs.

        Whether the caller is a knowledge editor (who sees drafts) rides along too: one round trip for all three.
        """
        terms = sorted(t for t in query.terms if not is_prefix(t))
        org = self._p(self.principal.org_id)
        # The state row comes back under the empty term and the editor grant under EDITOR, which no article has.
        sql = f"SELECT '', doc_count FROM knowledge_state WHERE org_id = ? UNION ALL SELECT '{EDITOR}', 1 FROM ("
        sql += EDITOR_SQL + ") AS granted"
        params = [org, org, self._p(self.principal.user_id)]
        if terms:
            marks = ", ".join("?" * len(terms))
            sql = f"SELECT term, df FROM knowledge_terms WHERE org_id = ? AND term IN ({marks}) UNION ALL {sql}"
            params = [org, *terms, *params]
        df = {term: int(n) for term, n in await self._fetch(sql, params)}
        self.editor = self.principal.is_admin or df.pop(EDITOR, 0) > 0
        return df.pop("", 0), df

    async def _resolve(self, query: Query, df: dict[str, int]) -> list[list[tuple[str, ...]]]:
        """Each group's alternatives that can match, with expansions for unknown words; hopeless groups dropped."""
        resolved: list[list[tuple[str, ...]]] = []
        for group in query.groups:
            alternatives = [alt for alt in group.alternatives if all(t in df or is_prefix(t) for t in alt)]
            if not alternatives and group.word:
                expansions = await self._expand(group, df)
                group.expanded = expansions
                alternatives = [(t,) for t in expansions]
            if alternatives:
                resolved.append(alternatives)
        if len(resolved) > MAX_GROUPS:
            # A pasted sentence: keep its most selective groups, in their order.
            def rarity(alternatives: list[tuple[str, ...]]) -> int:
                return max(df.get(t, 0) for alt in alternatives for t in alt)

            keep = set(sorted(range(len(resolved)), key=lambda i: rarity(resolved[i]))[:MAX_GROUPS])
            resolved = [g for i, g in enumerate(resolved) if i in keep]
        return resolved

    async def _expand(self, group: Group, df: dict[str, int]) -> list[str]:
        """Vocabulary terms this unknown word may have meant: completions of it, or terms a typo away."""
        term = group.alternatives[0][0]
        found: dict[str, tuple[int, int]] = {}  # term → (edits, -df)
        if len(term) >= MIN_PREFIX:
            for candidate, n in await self._range(term, len(term), len(term) + 30):
                if candidate.startswith(term):
                    found[candidate] = (0, -n)
        typos = max_typos(term)
        if typos:
            for candidate, n in await self._range(term[0], len(term) - typos, len(term) + typos):
                edits = OSA.distance(term, candidate, score_cutoff=typos)
                if edits <= typos and not is_cjk_term(candidate):
                    found.setdefault(candidate, (edits, -n))
        best = sorted(found, key=lambda c: (found[c], c))[:MAX_EXPANSIONS]
        for candidate in best:
            df[candidate] = -found[candidate][1]
        return best

    async def _range(self, prefix: str, shortest: int, longest: int) -> list[tuple[str, int]]:
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        sql = (
            "SELECT term, df FROM knowledge_terms WHERE org_id = ? AND term >= ? AND term < ?"
            " AND length(term) BETWEEN ? AND ? LIMIT ?"
        )
        params = [self._p(self.principal.org_id), prefix, upper, shortest, longest, FUZZY_CANDIDATES]
        return [(t, int(n)) for t, n in await self._fetch(sql, params)]

    # ------------------------------------------------------------------------------------------ ranking

    async def _ranked(
        self,
        groups: list[list[tuple[str, ...]]],
        df: dict[str, int],
        doc_count: int,
        lang: str,
        limit: int,
        filters: Filters,
        *,
        every: bool,
    ) -> list[tuple[Any, ...]]:
        today = day_number(datetime.now(UTC))
        fetch = limit * 2 + 4  # room for translations folded away
        if self.sqlite:
            scope = [[org_token(self.principal.org_id)]]
            if not self.editor:
                scope.append([PUBLISHED_TOKEN, owner_token(self.principal.user_id)])
            scope += [[token] for token in filters.tokens()]
            match = ranking.fts_match(groups, scope, every=every)
            return await self._fetch(ranking.sqlite_search_sql(), [match, ranking.POOL, lang, today, fetch])
        facet_filters = filters.tokens()
        tsquery = ranking.ts_query(groups, every=every)
        params: list[Any] = [self.principal.org_id, tsquery]
        if not self.editor:
            params.append(self.principal.user_id)
        params += [f"% {token} %" for token in facet_filters]
        params += [tsquery, ranking.POOL]
        for alternatives in groups:
            group_df = max((df.get(t, 0) for alt in alternatives for t in alt), default=0)
            params += [ranking.ts_group(alternatives), ranking.idf(max(doc_count, 1), group_df)]
        params += [lang, today, fetch]
        sql = ranking.pg_search_sql(len(groups), len(facet_filters), self.editor)
        return await self._fetch(sql, params)

    def _hits(self, rows: list[Any], query: Query, limit: int) -> list[Hit]:
        """One hit per translation group (rows come best first), with its snippet."""
        terms = query.terms | {t for g in query.groups for t in g.expanded}
        org = str(self.principal.org_id)
        seen: set[str] = set()
        hits = []
        for article_id, group_id, lang, score, title, summary, body, org_id in rows:
            if str(group_id) in seen or str(org_id) != org:
                continue
            seen.add(str(group_id))
            text = f"{summary} {markdown_text(body)}"
            hits.append(Hit(uuid.UUID(str(article_id)), title, snippet(text, terms), lang, round(float(score), 4)))
            if len(hits) == limit:
                break
        return hits
