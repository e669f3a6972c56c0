"""The search index, kept in step with the articles inside the writer's own transaction.

One indexed article is a ``knowledge_search`` row (filters, language, freshness) plus its inverted-index entry:
an FTS5 row in ``knowledge_fts`` on SQLite, the ``document`` tsvector (GIN-indexed) on PostgreSQL. Both are
built here from the same tokens (see tokenize.py), with fields weighted title > tags > summary > body. The
org's vocabulary with document frequencies (``knowledge_terms``) is maintained alongside: search uses it for
typo and prefix expansion and, on PostgreSQL, for IDF.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import KnowledgeArticle, KnowledgeSearchDoc, KnowledgeState, KnowledgeTerm
from api.knowledge.tokenize import facet_token, facet_tokens, markdown_text, tokens

FIELDS = ("title", "tags", "summary", "body")
PG_WEIGHTS = {"title": "A", "tags": "B", "summary": "C", "body": "D"}
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_POSITIONS_PER_TERM = 64  # beyond this term frequency says nothing more
_CHUNK = 500
_FTS_COLUMNS = "rowid, facets, title, tags, summary, body"


def doc_no(article_id: uuid.UUID) -> int:
    """The article's integer key in FTS5: its UUID's first 64 bits (``knowledge_search.doc_no`` is unique)."""
    return int.from_bytes(article_id.bytes[:8], "big", signed=True)


def day_number(at: datetime) -> int:
    return int(at.astimezone(UTC).timestamp() // 86400)


def org_token(org_id: uuid.UUID) -> str:
    return facet_token("o", org_id.hex)


def owner_token(user_id: uuid.UUID) -> str:
    return facet_token("w", user_id.hex)


PUBLISHED_TOKEN = facet_token("s", "published")


@dataclass(frozen=True)
class IndexedDoc:
    """An article as the index sees it: tokens per field and facet tokens."""

    article_id: uuid.UUID
    org_id: uuid.UUID
    translation_group_id: uuid.UUID
    lang: str
    status: str
    owner_id: uuid.UUID
    fresh_day: int
    fields: dict[str, list[str]]
    facets: list[str]

    @property
    def terms(self) -> set[str]:
        return {t for values in self.fields.values() for t in values}

    def fts_row(self) -> dict[str, Any]:
        scope = [org_token(self.org_id), owner_token(self.owner_id)]
        if self.status == "published":
            scope.append(PUBLISHED_TOKEN)
        return {
            "rowid": doc_no(self.article_id),
            "facets": " ".join(scope + self.facets),
            **{name: " ".join(values) for name, values in self.fields.items()},
        }

    def tsvector(self) -> str:
        """A tsvector literal with positions and weights: no text search parser touches our tokens."""
        positions: dict[str, list[str]] = {}
        position = 0
        for name in FIELDS:
            weight = PG_WEIGHTS[name]
            for term in self.fields[name]:
                position = min(position + 1, MAX_POSITION)
                at = positions.setdefault(term, [])
                if len(at) < MAX_POSITIONS_PER_TERM:
                    at.append(f"{position}{weight}")
            position = min(position + 1, MAX_POSITION)  # a gap between fields
        return " ".join(f"'{_quote(term)}':{','.join(at)}" for term, at in positions.items())


def _quote(term: str) -> str:
    return term.replace("\\", "\\\\").replace("'", "''")


def build_doc(article: KnowledgeArticle) -> IndexedDoc:
    # Product, industry and competitor are words people search for, so they count as tags.
    labels = [*article.tags, article.product or "", article.industry or "", article.competitor or ""]
    return IndexedDoc(
        article_id=article.id,
        org_id=article.org_id,
        translation_group_id=article.translation_group_id,
        lang=article.lang,
        status=article.status,
        owner_id=article.owner_id,
        fresh_day=day_number(article.updated_at),
        fields={
            "title": tokens(article.title),
            "tags": [t for label in labels for t in tokens(label)],
            "summary": tokens(article.summary or ""),
            "body": tokens(markdown_text(article.body or "")),
        },
        facets=article_facets(article),
    )


def article_facets(article: KnowledgeArticle) -> list[str]:
    out = [facet_token("k", article.kind)]
    for kind, value in (("p", article.product), ("i", article.industry), ("c", article.competitor)):
        out += facet_tokens(kind, value)
    return out


class SearchIndex:
    """Index writes on the caller's session: they commit or roll back with the article they describe."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.sqlite = session.bind.dialect.name == "sqlite"

    async def put(self, article: KnowledgeArticle) -> None:
        """Index an article anew (create or edit); a deleted article leaves the index."""
        if article.deleted_at is not None:
            await self.remove(article.id, article.org_id)
            return
        doc = build_doc(article)
        old_terms = await self._drop_entry(article.id)
        row = {
            "org_id": doc.org_id,
            "doc_no": doc_no(doc.article_id),
            "translation_group_id": doc.translation_group_id,
            "lang": doc.lang,
            "status": doc.status,
            "owner_id": doc.owner_id,
            "fresh_day": doc.fresh_day,
            "facets": " " + " ".join(doc.facets) + " ",
            "document": None if self.sqlite else doc.tsvector(),
        }
        self.session.add(KnowledgeSearchDoc(article_id=doc.article_id, **row))
        await self.session.flush()
        if self.sqlite:
            await self.session.execute(_fts_insert(), [doc.fts_row()])
        new_terms = doc.terms
        await self._count_terms(doc.org_id, new_terms - (old_terms or set()), +1)
        if old_terms is not None:
            await self._count_terms(doc.org_id, old_terms - new_terms, -1)
        else:
            await self._count_docs(doc.org_id, +1)

    async def remove(self, article_id: uuid.UUID, org_id: uuid.UUID) -> None:
        old_terms = await self._drop_entry(article_id)
        if old_terms is not None:
            await self._count_terms(org_id, old_terms, -1)
            await self._count_docs(org_id, -1)

    async def next_seq(self, org_id: uuid.UUID) -> int:
        """The org's next knowledge sequence number. The row stays locked until commit, so numbers follow commits."""
        stmt = (
            update(KnowledgeState)
            .where(KnowledgeState.org_id == org_id)
            .values(seq=KnowledgeState.seq + 1)
            .returning(KnowledgeState.seq)
        )
        # No autoflush: the caller's pending edit is flushed once, with its sequence number, as one version.
        with self.session.no_autoflush:
            await self._ensure_state(org_id)
            return int((await self.session.execute(stmt)).scalar_one())

    async def rebuild(self, org_id: uuid.UUID) -> int:
        """Drop and rebuild an org's whole index from its live articles; returns how many were indexed."""
        # Take the org's knowledge lock first, as every writer does: concurrent edits wait, none deadlocks.
        await self.next_seq(org_id)
        if self.sqlite:
            await self.session.execute(
                text(
                    "DELETE FROM knowledge_fts WHERE rowid IN (SELECT doc_no FROM knowledge_search WHERE org_id = :o)"
                ),
                {"o": str(org_id)},
            )
        await self.session.execute(delete(KnowledgeSearchDoc).where(KnowledgeSearchDoc.org_id == org_id))
        await self.session.execute(delete(KnowledgeTerm).where(KnowledgeTerm.org_id == org_id))
        df: Counter[str] = Counter()
        count = 0
        last: uuid.UUID | None = None
        while True:
            stmt = select(KnowledgeArticle).where(
                KnowledgeArticle.org_id == org_id, KnowledgeArticle.deleted_at.is_(None)
            )
            if last is not None:
                stmt = stmt.where(KnowledgeArticle.id > last)
            articles = list((await self.session.execute(stmt.order_by(KnowledgeArticle.id).limit(_CHUNK))).scalars())
            if not articles:
                break
            docs = [build_doc(a) for a in articles]
            for doc in docs:
                df.update(doc.terms)
            count += await self._bulk_insert(docs)
            last = articles[-1].id
            for article in articles:
                self.session.expunge(article)
        for chunk in _chunks(sorted(df.items()), _CHUNK):
            await self.session.execute(
                _insert(self.sqlite, KnowledgeTerm), [{"org_id": org_id, "term": t, "df": n} for t, n in chunk]
            )
        await self.session.execute(
            update(KnowledgeState).where(KnowledgeState.org_id == org_id).values(doc_count=count)
        )
        return count

    async def optimise(self) -> None:
        """Merge FTS5's segments after a bulk load (PostgreSQL needs no such step)."""
        if self.sqlite:
            await self.session.execute(text("INSERT INTO knowledge_fts(knowledge_fts) VALUES ('optimize')"))

    async def _bulk_insert(self, docs: Sequence[IndexedDoc]) -> int:
        if not docs:
            return 0
        rows = [
            KnowledgeSearchDoc(
                article_id=d.article_id,
                org_id=d.org_id,
                doc_no=doc_no(d.article_id),
                translation_group_id=d.translation_group_id,
                lang=d.lang,
                status=d.status,
                owner_id=d.owner_id,
                fresh_day=d.fresh_day,
                facets=" " + " ".join(d.facets) + " ",
                document=None if self.sqlite else d.tsvector(),
            )
            for d in docs
        ]
        self.session.add_all(rows)
        await self.session.flush()
        if self.sqlite:
            await self.session.execute(_fts_insert(), [d.fts_row() for d in docs])
        for row in rows:
            self.session.expunge(row)
        return len(docs)

    async def _drop_entry(self, article_id: uuid.UUID) -> set[str] | None:
        """Remove an article's index entry; returns the terms it had, or None when it was not indexed."""
        entry = await self.session.get(KnowledgeSearchDoc, article_id)
        if entry is None:
            return None
        if self.sqlite:
            row = (
                await self.session.execute(
                    text("SELECT title, tags, summary, body FROM knowledge_fts WHERE rowid = :n"), {"n": entry.doc_no}
                )
            ).first()
            terms = {t for column in row or () for t in (column or "").split()}
            await self.session.execute(text("DELETE FROM knowledge_fts WHERE rowid = :n"), {"n": entry.doc_no})
        else:
            lexemes = await self.session.execute(
                text("SELECT unnest(tsvector_to_array(document)) FROM knowledge_search WHERE article_id = :a"),
                {"a": article_id},
            )
            terms = set(lexemes.scalars())
        await self.session.delete(entry)
        await self.session.flush()
        return terms

    async def _count_terms(self, org_id: uuid.UUID, terms: Iterable[str], delta: int) -> None:
        for chunk in _chunks(sorted(terms), _CHUNK):
            if delta > 0:
                stmt = _insert(self.sqlite, KnowledgeTerm)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[KnowledgeTerm.org_id, KnowledgeTerm.term],
                    set_={"df": KnowledgeTerm.df + stmt.excluded.df},
                )
                await self.session.execute(stmt, [{"org_id": org_id, "term": t, "df": delta} for t in chunk])
            else:
                where = (KnowledgeTerm.org_id == org_id, KnowledgeTerm.term.in_(chunk))
                await self.session.execute(update(KnowledgeTerm).where(*where).values(df=KnowledgeTerm.df + delta))
                await self.session.execute(delete(KnowledgeTerm).where(*where, KnowledgeTerm.df <= 0))

    async def _count_docs(self, org_id: uuid.UUID, delta: int) -> None:
        await self._ensure_state(org_id)
        await self.session.execute(
            update(KnowledgeState)
            .where(KnowledgeState.org_id == org_id)
            .values(doc_count=KnowledgeState.doc_count + delta)
        )

    async def _ensure_state(self, org_id: uuid.UUID) -> None:
        stmt = _insert(self.sqlite, KnowledgeState).values(org_id=org_id, seq=0, doc_count=0)
        await self.session.execute(stmt.on_conflict_do_nothing(index_elements=[KnowledgeState.org_id]))


def _insert(sqlite: bool, model: Any) -> Any:
    return sqlite_insert(model) if sqlite else pg_insert(model)


def _fts_insert() -> Any:
    names = [c.strip() for c in _FTS_COLUMNS.split(",")]
    return text(f"INSERT INTO knowledge_fts({_FTS_COLUMNS}) VALUES ({', '.join(':' + n for n in names)})")


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def reindex(settings: Any, org_name: str | None = None) -> str:
    """Rebuild the search index of one org, or of every org, from the articles (``fieldloop knowledge reindex``)."""
    from api.db.engine import Database
    from api.db.models import Organisation

    db = Database(settings)
    try:
        async with db.sessionmaker() as session:
            stmt = select(Organisation).order_by(Organisation.name)
            if org_name is not None:
                stmt = stmt.where(Organisation.name == org_name)
            orgs = list((await session.execute(stmt)).scalars())
            if org_name is not None and not orgs:
                raise ValueError(f"no organisation named {org_name!r}")
            index = SearchIndex(session)
            counts = [(org.name, await index.rebuild(org.id)) for org in orgs]
            await index.optimise()
            await session.commit()
    finally:
        await db.dispose()
    return "\n".join(f"{name}: {count} articles indexed" for name, count in counts) or "no organisations"
