"""How search results are ordered, as SQL for each database.

Relevance is BM25-style with field weights title > tags > summary > body: FTS5's own ``bm25()`` with column
weights on SQLite; on PostgreSQL the sum over query terms of IDF (from ``knowledge_terms``) times
``ts_rank`` with per-field weights and length normalisation (``ts_rank`` saturates repeated terms like BM25's
k1). Relevance is then multiplied by a boost for the caller's language and a gentle boost for freshly
changed articles, so that, relevance being equal, this year's price list beats last year's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from api.knowledge.tokenize import PREFIX, is_prefix

# bm25() weights for knowledge_fts's columns: facets, title, tags, summary, body.
FTS_WEIGHTS = (0.0, 10.0, 5.0, 3.0, 1.0)
# ts_rank's weights for D (body), C (summary), B (tags), A (title), in that order.
PG_WEIGHTS = "{0.1,0.3,0.5,1.0}"
LANG_BOOST = 1.3
# An article changed today gets 1 + FRESH_BOOST; one unchanged for FRESH_DAYS days half of that.
FRESH_BOOST = 0.3
FRESH_DAYS = 180.0
# What a hit shows of its article (snippets are cut from summary and body), and whose it is, checked again.
ARTICLE_COLUMNS = "a.title, a.summary, a.body, a.org_id"
# How many of the best matches by plain relevance are re-ranked with boosts (and, on PostgreSQL, IDF).
POOL = 200

Alternative = tuple[str, ...]


def idf(doc_count: int, df: int) -> float:
    """BM25's inverse document frequency, kept positive for terms in more than half the documents."""
    return math.log(1.0 + (doc_count - df + 0.5) / (df + 0.5))


def boosts_sql(lang_column: str, fresh_column: str, greatest: str = "MAX") -> str:
    """Language and freshness factors; parameters: the caller's language, today's day number."""
    return (
        f"(CASE WHEN {lang_column} = ? THEN {LANG_BOOST} ELSE 1.0 END)"
        f" * (1.0 + {FRESH_BOOST} / (1.0 + {greatest}(0, ? - {fresh_column}) / {FRESH_DAYS}))"
    )


# ---------------------------------------------------------------------------------------------- SQLite FTS5


def _fts_quote(term: str) -> str:
    if is_prefix(term):
        return _fts_quote(term[: -len(PREFIX)]) + "*"
    return '"' + term.replace('"', '""') + '"'


def _fts_alternatives(alternatives: Sequence[Alternative]) -> str:
    parts = [
        _fts_quote(alt[0]) if len(alt) == 1 else "(" + " AND ".join(map(_fts_quote, alt)) + ")" for alt in alternatives
    ]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def fts_match(groups: Sequence[Sequence[Alternative]], scope: Sequence[Sequence[str]], *, every: bool) -> str:
    """An FTS5 MATCH expression: scope tokens (an AND of ORs) on the facets column, query groups on the text.

    ``every`` asks for all groups (AND); otherwise any group will do (OR), ranked by how much matched.
    """
    text = (" AND " if every else " OR ").join(_fts_alternatives(g) for g in groups)
    facets = " AND ".join(_fts_alternatives([(t,) for t in any_of]) for any_of in scope)
    return f"facets : ({facets}) AND {{title tags summary body}} : ({text})"


def sqlite_search_sql() -> str:
    """Parameters: MATCH expression, pool size, language, today, limit.

    FTS5 ranks every match by bm25() alone, which reads nothing but its index; the language and freshness
    boosts then re-rank the best POOL, read from knowledge_search. A boost is at most LANG_BOOST × (1 +
    FRESH_BOOST), so only an article already close to the pool's best could be missed; at 20,000 articles this
    keeps a two-character query matching 5,000 of them under 10 ms.
    """
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    return (
        "WITH pool AS ("
        f" SELECT rowid AS doc_no, bm25(knowledge_fts, {weights}) AS relevance FROM knowledge_fts"
        " WHERE knowledge_fts MATCH ? ORDER BY relevance LIMIT ?)"
        f" SELECT s.article_id, s.translation_group_id, s.lang, -pool.relevance * {boosts_sql('s.lang', 's.fresh_day')}"
        f" AS score, {ARTICLE_COLUMNS} FROM pool JOIN knowledge_search s ON s.doc_no = pool.doc_no"
        " JOIN knowledge_articles a ON a.id = s.article_id ORDER BY score DESC LIMIT ?"
    )


# ---------------------------------------------------------------------------------------------- PostgreSQL


def _ts_quote(term: str) -> str:
    if is_prefix(term):
        return _ts_quote(term[: -len(PREFIX)]) + ":*"
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def ts_group(alternatives: Sequence[Alternative]) -> str:
    parts = [
        _ts_quote(alt[0]) if len(alt) == 1 else "(" + " & ".join(map(_ts_quote, alt)) + ")" for alt in alternatives
    ]
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def ts_query(groups: Sequence[Sequence[Alternative]], *, every: bool) -> str:
    return (" & " if every else " | ").join(ts_group(g) for g in groups)


def pg_search_sql(group_count: int, facet_filters: int, editor: bool) -> str:
    """Parameters: org, tsquery, [user], facets..., tsquery, pool size, (tsquery, idf) per group, language,
    today, limit.

    Ranking decompresses each matching tsvector once per ts_rank call, so the matches are first ranked by one
    ts_rank of the whole query; the best POOL are then scored properly, one IDF-weighted ts_rank per query group,
    times the boosts.
    """
    where = ["s.org_id = ?", "s.document @@ ?::tsquery"]
    if not editor:
        where.append("(s.status = 'published' OR s.owner_id = ?)")
    where += ["s.facets LIKE ?"] * facet_filters
    relevance = " + ".join(f"ts_rank('{PG_WEIGHTS}', p.document, ?::tsquery, 1) * ?" for _ in range(group_count))
    return (
        "WITH pool AS ("
        " SELECT s.article_id, s.translation_group_id, s.lang, s.fresh_day, s.document FROM knowledge_search s"
        f" WHERE {' AND '.join(where)} ORDER BY ts_rank('{PG_WEIGHTS}', s.document, ?::tsquery, 1) DESC LIMIT ?)"
        f" SELECT p.article_id, p.translation_group_id, p.lang, ({relevance or '0'}) *"
        f" {boosts_sql('p.lang', 'p.fresh_day', 'GREATEST')} AS score, {ARTICLE_COLUMNS}"
        " FROM pool p JOIN knowledge_articles a ON a.id = p.article_id ORDER BY score DESC LIMIT ?"
    )
