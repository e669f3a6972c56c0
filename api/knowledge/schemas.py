from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from api.lib.schema import Out, Schema

Kind = Literal[
    "product_sheet", "price_list", "proposal_template", "battlecard", "objection_handling", "case_study", "policy"
]
Lang = Literal["zh-CN", "en"]
Status = Literal["draft", "published"]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Summary = Annotated[str, msgspec.Meta(max_length=1000)]
Body = Annotated[str, msgspec.Meta(max_length=100_000, description="Markdown")]
Tags = Annotated[list[Annotated[str, msgspec.Meta(min_length=1, max_length=50)]], msgspec.Meta(max_length=20)]
Product = Annotated[str, msgspec.Meta(min_length=1, max_length=200, description="a SKU, product name or series")]
Facet = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
StageKey = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class Translation(Out, kw_only=True):
    id: uuid.UUID
    lang: str
    title: str


class ArticleFields(Out, kw_only=True):
    """What every view of an article carries, the list's rows included."""

    id: uuid.UUID
    title: str
    summary: str
    lang: str
    kind: str
    status: str
    tags: list[str]
    product: str | None
    industry: str | None
    competitor: str | None
    stage: str | None
    owner_id: uuid.UUID
    read_count: int
    version: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class Article(ArticleFields, kw_only=True):
    body: str
    translations: list[Translation]
    pinned: bool


class ArticleCreate(Schema, kw_only=True):
    id: uuid.UUID | UnsetType = UNSET
    title: Title
    summary: Summary = ""
    body: Body = ""
    lang: Lang
    kind: Kind
    status: Status = "draft"
    tags: Tags = msgspec.field(default_factory=list)
    product: Product | None = None
    industry: Facet | None = None
    competitor: Facet | None = None
    stage: StageKey | None = None
    translation_of: uuid.UUID | None = None
    owner_id: uuid.UUID | UnsetType = UNSET


class ArticleUpdate(Schema, kw_only=True):
    title: Title | UnsetType = UNSET
    summary: Summary | UnsetType = UNSET
    body: Body | UnsetType = UNSET
    lang: Lang | UnsetType = UNSET
    kind: Kind | UnsetType = UNSET
    status: Status | UnsetType = UNSET
    tags: Tags | UnsetType = UNSET
    product: Product | None | UnsetType = UNSET
    industry: Facet | None | UnsetType = UNSET
    competitor: Facet | None | UnsetType = UNSET
    stage: StageKey | None | UnsetType = UNSET
    translation_of: uuid.UUID | None | UnsetType = UNSET
    owner_id: uuid.UUID | UnsetType = UNSET


class EditorGrant(Schema, kw_only=True):
    user_id: uuid.UUID


class Editor(Out, kw_only=True):
    user_id: uuid.UUID
    name: str
    email: str
    granted_by: uuid.UUID | None
    granted_at: datetime


class SearchHit(Out, kw_only=True):
    id: uuid.UUID
    title: str
    snippet: str
    lang: str
    score: float


class SearchResults(Out, kw_only=True):
    items: list[SearchHit]
    took_ms: float


class Suggestion(Out, kw_only=True):
    id: uuid.UUID
    title: str
    summary: str
    lang: str
    kind: str
    reason: Literal["product", "competitor", "stage", "industry"]
    matched: str


class Suggestions(Out, kw_only=True):
    items: list[Suggestion]


class BundleArticle(Out, kw_only=True):
    id: uuid.UUID
    title: str
    summary: str
    body: str
    lang: str
    kind: str
    tags: list[str]
    product: str | None
    industry: str | None
    competitor: str | None
    stage: str | None
    translation_group_id: uuid.UUID
    version: int
    updated_at: datetime
    why: list[Literal["pinned", "popular", "today"]]


class BundleIndex(Out, kw_only=True):
    """A compact inverted index over the bundle's articles, for searching on the phone without signal.

    ``docs`` lists article ids; ``postings`` maps each term to a flat list of pairs ``[doc, weight, ...]``,
    where doc indexes ``docs`` and weight is the field-weighted term frequency; ``lengths`` are the documents'
    weighted lengths. Terms are those of the server's tokenizer (see ``tokenizer``).
    """

    tokenizer: str
    field_weights: dict[str, float]
    docs: list[uuid.UUID]
    lengths: list[int]
    postings: dict[str, list[int]]


class Bundle(Out, kw_only=True):
    cursor: str
    full: bool
    articles: list[BundleArticle]
    removed: list[uuid.UUID]
    manifest: dict[str, int]
    index: BundleIndex | None
    size_bytes: int
    truncated: bool
