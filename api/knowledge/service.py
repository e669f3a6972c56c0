"""Knowledge articles: writing (editors), reading (the org), translations, pins and reads.

Every write bumps the org's knowledge sequence (the offline bundle's delta cursor) and re-indexes the article
in the same transaction, so search never shows what the database does not hold, and vice versa.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import Select, and_, delete, exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import KnowledgeArticle, KnowledgePin, KnowledgeRead, KnowledgeSearchDoc, Stage, User
from api.db.types import utcnow
from api.knowledge.access import is_editor
from api.knowledge.index import SearchIndex
from api.knowledge.schemas import ArticleCreate, ArticleUpdate
from api.knowledge.search import Filters as FacetFilters
from api.lib.audit import apply_changes, record_changes
from api.lib.auth import Principal
from api.lib.concurrency import check_version
from api.lib.errors import FieldProblem, field_error, forbidden, not_found, validation_failed
from api.lib.i18n import t
from api.lib.pagination import decode_cursor, encode_cursor
from api.lib.schema import provided

AUDITED = (
    "title", "summary", "body", "lang", "kind", "status", "tags", "product", "industry", "competitor", "stage",
    "owner_id", "translation_group_id",
)  # fmt: skip


def visible_articles(stmt: Select, principal: Principal, *, editor: bool) -> Select:  # type: ignore[type-arg]
    """The one visibility rule: the caller's org, not deleted, and drafts only for editors and their owner."""
    stmt = stmt.where(KnowledgeArticle.org_id == principal.org_id, KnowledgeArticle.deleted_at.is_(None))
    if not editor:
        stmt = stmt.where(or_(KnowledgeArticle.status == "published", KnowledgeArticle.owner_id == principal.user_id))
    return stmt


class ListFilters(msgspec.Struct, frozen=True):
    kind: str | None = None
    lang: str | None = None
    status: str | None = None
    tag: str | None = None
    product: str | None = None
    industry: str | None = None
    competitor: str | None = None
    stage: str | None = None
    pinned: bool = False


class KnowledgeService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.index = SearchIndex(session)
        self._editor: bool | None = None

    async def is_editor(self) -> bool:
        """Whether the caller writes articles (asked once per request)."""
        if self._editor is None:
            self._editor = await is_editor(self.session, self.principal)
        return self._editor

    async def _visible(self, stmt: Select) -> Select:  # type: ignore[type-arg]
        return visible_articles(stmt, self.principal, editor=await self.is_editor())

    # ------------------------------------------------------------------------------------------ reading

    async def get(self, article_id: uuid.UUID) -> KnowledgeArticle:
        stmt = await self._visible(select(KnowledgeArticle).where(KnowledgeArticle.id == article_id))
        article = (await self.session.execute(stmt)).scalar_one_or_none()
        if article is None:
            raise not_found()
        return article

    async def translations(self, article: KnowledgeArticle) -> list[KnowledgeArticle]:
        stmt = select(KnowledgeArticle).where(
            KnowledgeArticle.translation_group_id == article.translation_group_id, KnowledgeArticle.id != article.id
        )
        return list((await self.session.execute(await self._visible(stmt))).scalars())

    async def is_pinned(self, article_id: uuid.UUID) -> bool:
        stmt = select(
            exists().where(KnowledgePin.user_id == self.principal.user_id, KnowledgePin.article_id == article_id)
        )
        return bool((await self.session.execute(stmt)).scalar())

    async def list(
        self, limit: int, cursor: str | None, filters: ListFilters
    ) -> tuple[list[KnowledgeArticle], str | None]:
        stmt = await self._visible(select(KnowledgeArticle))
        for column in ("kind", "lang", "status", "stage"):
            value = getattr(filters, column)
            if value is not None:
                stmt = stmt.where(getattr(KnowledgeArticle, column) == value)
        facet_tokens = FacetFilters(None, filters.product, filters.industry, filters.competitor).tokens()
        if facet_tokens:
            # The same facet matching as search: "Siemens" finds articles about "西门子 Siemens".
            stmt = stmt.join(KnowledgeSearchDoc, KnowledgeSearchDoc.article_id == KnowledgeArticle.id)
            for token in facet_tokens:
                stmt = stmt.where(KnowledgeSearchDoc.facets.like(f"% {token} %"))
        if filters.pinned:
            stmt = stmt.join(
                KnowledgePin,
                and_(KnowledgePin.article_id == KnowledgeArticle.id, KnowledgePin.user_id == self.principal.user_id),
            )
        if cursor:
            at, last_id = decode_cursor(cursor)
            stmt = stmt.where(
                or_(
                    KnowledgeArticle.updated_at < at,
                    and_(KnowledgeArticle.updated_at == at, KnowledgeArticle.id < last_id),
                )
            )
        stmt = stmt.order_by(KnowledgeArticle.updated_at.desc(), KnowledgeArticle.id.desc())
        # A tag filter runs in Python over a bounded read: JSON containment is spelled differently per database.
        rows = list((await self.session.execute(stmt.limit(limit + 1 if not filters.tag else 5000))).scalars())
        if filters.tag:
            wanted = filters.tag.casefold()
            rows = [r for r in rows if any(tag.casefold() == wanted for tag in r.tags)][: limit + 1]
        next_cursor = encode_cursor(rows[limit - 1].updated_at, rows[limit - 1].id) if len(rows) > limit else None
        return rows[:limit], next_cursor

    async def popular(self, limit: int) -> list[KnowledgeArticle]:
        """The org's most read published articles."""
        stmt = (
            (await self._visible(select(KnowledgeArticle)))
            .where(KnowledgeArticle.status == "published", KnowledgeArticle.read_count > 0)
            .order_by(KnowledgeArticle.read_count.desc(), KnowledgeArticle.id)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    # ------------------------------------------------------------------------------------------ writing

    async def _require_editor(self) -> None:
        if not await self.is_editor():
            raise forbidden()

    async def create(self, data: ArticleCreate) -> KnowledgeArticle:
        await self._require_editor()
        article_id = data.id if data.id is not msgspec.UNSET else uuid.uuid4()
        await self._check(stage=data.stage)
        group_id = article_id
        if data.translation_of is not None:
            group_id = await self._translation_group(data.translation_of, data.lang, article_id)
        owner_id = await self._owner(data.owner_id)
        now = utcnow()
        fields = msgspec.structs.asdict(data)
        for name in ("id", "translation_of", "owner_id"):
            fields.pop(name)
        article = KnowledgeArticle(
            **fields,
            id=article_id,
            org_id=self.principal.org_id,
            owner_id=owner_id,
            created_by=self.principal.user_id,
            translation_group_id=group_id,
            change_seq=await self.index.next_seq(self.principal.org_id),
            published_at=now if data.status == "published" else None,
            created_at=now,
            updated_at=now,
        )
        self.session.add(article)
        await self.session.flush()
        await self.index.put(article)
        return article

    async def update(self, article_id: uuid.UUID, expected_version: int, data: ArticleUpdate) -> KnowledgeArticle:
        article = await self.get(article_id)
        await self._require_editor()
        check_version(expected_version, article.version)
        changes = provided(data)
        if "stage" in changes:
            await self._check(stage=changes["stage"])  # type: ignore[arg-type]
        if "owner_id" in changes:
            changes["owner_id"] = await self._owner(changes["owner_id"])
        lang = str(changes.get("lang", article.lang))
        regrouped: list[KnowledgeArticle] = []
        if "translation_of" in changes:
            target = changes.pop("translation_of")
            if target is None:
                changes["translation_group_id"], regrouped = await self._leave_group(article)
            else:
                changes["translation_group_id"] = await self._translation_group(target, lang, article.id)  # type: ignore[arg-type]
        elif "lang" in changes and changes["lang"] != article.lang:
            await self._translation_group_lang_free(article.translation_group_id, lang, article.id)
        if "status" in changes and changes["status"] != article.status:
            article.published_at = utcnow() if changes["status"] == "published" else None
        changed = apply_changes(
            self.session, self.principal, "knowledge_article", article, {k: changes[k] for k in AUDITED if k in changes}
        )
        if not changed and not regrouped:
            return article
        seq = await self.index.next_seq(self.principal.org_id)
        article.change_seq = seq
        article.updated_at = utcnow()
        await self.session.flush()
        await self.index.put(article)
        for other in regrouped:
            await self.index.put(other)
        return article

    async def delete(self, article_id: uuid.UUID) -> None:
        """Soft delete: the row stays so that phones learn from the bundle that it is gone."""
        article = await self.get(article_id)
        await self._require_editor()
        record_changes(
            self.session, self.principal, "knowledge_article", article.id, {"deleted": False}, {"deleted": True}
        )
        article.deleted_at = utcnow()
        article.change_seq = await self.index.next_seq(self.principal.org_id)
        await self.session.flush()
        await self.index.remove(article.id, article.org_id)

    async def pin(self, article_id: uuid.UUID) -> None:
        article = await self.get(article_id)
        stmt = self._insert(KnowledgePin).values(
            user_id=self.principal.user_id, article_id=article.id, org_id=article.org_id, pinned_at=utcnow()
        )
        await self.session.execute(stmt.on_conflict_do_nothing())

    async def unpin(self, article_id: uuid.UUID) -> None:
        article = await self.get(article_id)
        await self.session.execute(
            delete(KnowledgePin).where(
                KnowledgePin.user_id == self.principal.user_id, KnowledgePin.article_id == article.id
            )
        )

    async def record_read(self, article_id: uuid.UUID) -> None:
        """Count a read once per user and day (phones report reads made offline later, with their own time)."""
        article = await self.get(article_id)
        today = datetime.now(ZoneInfo(self.principal.timezone)).date()
        stmt = self._insert(KnowledgeRead).values(
            article_id=article.id, user_id=self.principal.user_id, day=today, org_id=article.org_id, read_at=utcnow()
        )
        result = await self.session.execute(stmt.on_conflict_do_nothing())
        if result.rowcount:  # type: ignore[attr-defined]
            # A plain UPDATE: a read changes neither the version (ETag) nor the freshness of the article.
            table = KnowledgeArticle.__table__
            await self.session.execute(
                update(table)
                .where(table.c.id == article.id)
                .values(read_count=table.c.read_count + 1, updated_at=table.c.updated_at)
            )

    # ------------------------------------------------------------------------------------------ rules

    def _insert(self, model: type) -> object:
        return sqlite_insert(model) if self.index.sqlite else pg_insert(model)  # type: ignore[return-value]

    async def _check(self, *, stage: str | None) -> None:
        if stage is None:
            return
        stmt = select(Stage.id).where(Stage.org_id == self.principal.org_id, Stage.key == stage)
        if (await self.session.execute(stmt)).first() is None:
            raise field_error("stage", "unknown", t("No such stage in your pipeline.", "销售流程中没有该阶段。"))

    async def _owner(self, requested: object) -> uuid.UUID:
        if requested is msgspec.UNSET or requested == self.principal.user_id:
            return self.principal.user_id
        stmt = select(User.id).where(User.id == requested, User.org_id == self.principal.org_id, User.is_active)
        owner = (await self.session.execute(stmt)).scalar_one_or_none()
        if owner is None:
            raise field_error("owner_id", "unknown", t("No such user in your organisation.", "本组织中没有该用户。"))
        return owner

    async def _translation_group(self, target_id: uuid.UUID, lang: str, article_id: uuid.UUID) -> uuid.UUID:
        """The translation group an article joins by naming the article it translates."""
        stmt = await self._visible(select(KnowledgeArticle).where(KnowledgeArticle.id == target_id))
        target = (await self.session.execute(stmt)).scalar_one_or_none()
        if target is None or target.id == article_id:
            raise field_error("translation_of", "unknown", t("No such article to translate.", "没有可对应翻译的文章。"))
        await self._translation_group_lang_free(target.translation_group_id, lang, article_id)
        return target.translation_group_id

    async def _translation_group_lang_free(self, group_id: uuid.UUID, lang: str, article_id: uuid.UUID) -> None:
        stmt = select(KnowledgeArticle.id).where(
            KnowledgeArticle.translation_group_id == group_id,
            KnowledgeArticle.lang == lang,
            KnowledgeArticle.id != article_id,
            KnowledgeArticle.deleted_at.is_(None),
        )
        if (await self.session.execute(stmt)).first() is not None:
            raise validation_failed(
                [
                    FieldProblem(
                        "translation_of",
                        "language_taken",
                        t("That article already has a translation in this language.", "该文章已有此语言的译文。"),
                    )
                ]
            )

    async def _leave_group(self, article: KnowledgeArticle) -> tuple[uuid.UUID, list[KnowledgeArticle]]:
        """Unlink an article from its translations; if the group bore its id, the others take a new one."""
        if article.translation_group_id != article.id:
            return article.id, []
        stmt = select(KnowledgeArticle).where(
            KnowledgeArticle.translation_group_id == article.id, KnowledgeArticle.id != article.id
        )
        others = list((await self.session.execute(stmt)).scalars())
        if not others:
            return article.id, []
        new_group = others[0].id
        seq = await self.index.next_seq(self.principal.org_id)
        table = KnowledgeArticle.__table__
        await self.session.execute(
            update(table)
            .where(table.c.id.in_([o.id for o in others]))
            .values(translation_group_id=new_group, change_seq=seq, updated_at=table.c.updated_at)
        )
        for other in others:
            await self.session.refresh(other)
        return article.id, others
