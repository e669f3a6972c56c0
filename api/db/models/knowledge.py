"""Knowledge articles, their search index rows, the org's term statistics, pins and reads.

The inverted index itself is dialect-specific: on PostgreSQL it is ``knowledge_search.document`` (a tsvector
with a GIN index, mapped here); on SQLite it is the FTS5 virtual table ``knowledge_fts``, created by the
migration and invisible to the models (api.db.migrations.include_object keeps Alembic away from its tables).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from api.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from api.db.types import utcnow

ARTICLE_KINDS = (
    "product_sheet", "price_list", "proposal_template", "battlecard", "objection_handling", "case_study", "policy",
)  # fmt: skip
ARTICLE_STATUSES = ("draft", "published")
ARTICLE_LANGS = ("zh-CN", "en")


class SearchVector(TypeDecorator[str]):
    """A tsvector on PostgreSQL; on SQLite an unused text column (FTS5 holds the index there)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(Text())


class KnowledgeArticle(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A piece of sales knowledge in one language; translations share a ``translation_group_id``."""

    __tablename__ = "knowledge_articles"
    __table_args__ = (
        Index("ix_knowledge_articles_org_id_updated_at_id", "org_id", "updated_at", "id"),
        # Offline bundles ask "what changed since sequence N" per org.
        Index("ix_knowledge_articles_org_id_change_seq", "org_id", "change_seq"),
        Index("ix_knowledge_articles_org_id_read_count", "org_id", "read_count"),
        Index("ix_knowledge_articles_translation_group_id", "translation_group_id"),
    )
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(String(1000), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    product: Mapped[str | None] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(100))
    competitor: Mapped[str | None] = mapped_column(String(100))
    stage: Mapped[str | None] = mapped_column(String(40))
    translation_group_id: Mapped[uuid.UUID]
    # The org's knowledge sequence number at this article's last change: what offline deltas are cut by.
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    read_count: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]


class KnowledgeSearchDoc(Base):
    """One indexed article: what search filters on before it ranks, and (PostgreSQL) the tsvector itself."""

    __tablename__ = "knowledge_search"
    __table_args__ = (
        Index("ix_knowledge_search_org_id", "org_id"),
        Index("ix_knowledge_search_document", "document", postgresql_using="gin"),
    )

    article_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_articles.id", ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    # The FTS5 rowid on SQLite; unique, so that two articles can never share one index row.
    doc_no: Mapped[int] = mapped_column(BigInteger, unique=True)
    translation_group_id: Mapped[uuid.UUID]
    lang: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10))
    owner_id: Mapped[uuid.UUID]
    fresh_day: Mapped[int] = mapped_column(Integer)
    # Space-delimited facet tokens (kind, product, industry, competitor), matched with LIKE on PostgreSQL.
    facets: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[str | None] = mapped_column(SearchVector())


class KnowledgeTerm(Base):
    """An indexed term of an org with its document frequency: vocabulary for typos and prefixes, IDF for ranking."""

    __tablename__ = "knowledge_terms"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    df: Mapped[int] = mapped_column(Integer, default=0)


class KnowledgeState(Base):
    """Per org: the knowledge change sequence (locked by every write, so it follows commit order) and doc count."""

    __tablename__ = "knowledge_state"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    doc_count: Mapped[int] = mapped_column(Integer, default=0)


class KnowledgePin(Base):
    """An article a user keeps at hand (and offline)."""

    __tablename__ = "knowledge_pins"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    article_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_articles.id", ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    pinned_at: Mapped[datetime] = mapped_column(default=utcnow)


class KnowledgeRead(Base):
    """One user read an article on one day: counted once, however often it was opened."""

    __tablename__ = "knowledge_reads"

    article_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_articles.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class KnowledgeEditor(Base):
    """A user an admin has allowed to write the org's articles (admins always may).

    Writing knowledge is a grant, not a role: the product marketer, the lawyer who keeps the contract policy
    and the finance lead who keeps the price list write articles without seeing more of the pipeline.
    """

    __tablename__ = "knowledge_editors"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    granted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
