from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.knowledge import schemas
from api.knowledge.bundle import DEFAULT_MAX_BYTES, BundleBuilder
from api.knowledge.editors import KnowledgeEditors
from api.knowledge.search import Filters, KnowledgeSearch
from api.knowledge.service import KnowledgeService, ListFilters
from api.knowledge.suggestions import account_context, opportunity_context, suggest
from api.lib.auth import Principal
from api.lib.concurrency import etag, parse_if_match
from api.lib.errors import PROBLEM_MEDIA_TYPE, READ, UPDATE, WRITE, Problem, field_error, locale_of
from api.lib.i18n import t
from api.lib.pagination import DEFAULT_LIMIT, Page, check_limit
from api.lib.schema import to_out

IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", required=False, description="The ETag last read")]
FacetParam = Annotated[str | None, Parameter(max_length=200)]
FORBIDDEN = {
    403: ResponseSpec(
        data_container=Problem, description="Only admins and knowledge editors", media_type=PROBLEM_MEDIA_TYPE
    )
}
ADMINS_ONLY = {
    403: ResponseSpec(data_container=Problem, description="Only admins name editors", media_type=PROBLEM_MEDIA_TYPE)
}
MAX_SEARCH_LIMIT = 50


def provide_service(db: AsyncSession, principal: Principal) -> KnowledgeService:
    return KnowledgeService(db, principal)


def provide_editors(db: AsyncSession, principal: Principal) -> KnowledgeEditors:
    return KnowledgeEditors(db, principal)


def _lang(request: Request[Any, Any, Any], requested: str | None) -> str:
    """The caller's language: as asked, else Accept-Language, else the user's locale."""
    if requested is not None:
        return requested
    return locale_of(request)


async def _full(service: KnowledgeService, row: Any, status: int = 200) -> Response[schemas.Article]:
    translations = [to_out(schemas.Translation, a) for a in await service.translations(row)]
    out = to_out(schemas.Article, row, translations=translations, pinned=await service.is_pinned(row.id))
    return Response(out, status_code=status, headers={"ETag": etag(out.version)})


class KnowledgeController(Controller):
    path = "/api/v1/knowledge"
    tags = ["knowledge"]  # noqa: RUF012
    dependencies = {  # noqa: RUF012
        "knowledge": Provide(provide_service, sync_to_thread=False),
        "editors": Provide(provide_editors, sync_to_thread=False),
    }

    @get(
        "/search",
        summary="Search articles (zh-CN and en); lang is the caller's language, ranked first",
        responses=READ,
    )
    async def search(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        q: Annotated[str, Parameter(min_length=1, max_length=200)],
        lang: Annotated[
            schemas.Lang | None, Parameter(description="preferred language (a boost, not a filter)")
        ] = None,
        limit: Annotated[int, Parameter(ge=1, le=MAX_SEARCH_LIMIT)] = 10,
        kind: schemas.Kind | None = None,
        product: FacetParam = None,
        industry: FacetParam = None,
        competitor: FacetParam = None,
    ) -> schemas.SearchResults:
        started = time.perf_counter()
        search = KnowledgeSearch(request.app.state.db.reader, principal)
        hits = await search.search(q, _lang(request, lang), limit, Filters(kind, product, industry, competitor))
        took_ms = round((time.perf_counter() - started) * 1000, 2)
        return schemas.SearchResults(items=[schemas.SearchHit(**h.__dict__) for h in hits], took_ms=took_ms)

    @get("/articles", summary="Articles the caller may read, most recently changed first", responses=READ)
    async def list_articles(
        self,
        knowledge: KnowledgeService,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
        kind: schemas.Kind | None = None,
        lang: schemas.Lang | None = None,
        status: schemas.Status | None = None,
        tag: Annotated[str | None, Parameter(max_length=50)] = None,
        product: FacetParam = None,
        industry: FacetParam = None,
        competitor: FacetParam = None,
        stage: Annotated[str | None, Parameter(max_length=40)] = None,
        pinned: bool = False,
    ) -> Page[schemas.ArticleFields]:
        filters = ListFilters(kind, lang, status, tag, product, industry, competitor, stage, pinned)
        rows, next_cursor = await knowledge.list(check_limit(limit), cursor, filters)
        return Page(items=[to_out(schemas.ArticleFields, r) for r in rows], next_cursor=next_cursor)

    @post(
        "/articles",
        summary="Write an article (admins and knowledge editors; the client may choose its id)",
        responses={**WRITE, **FORBIDDEN},
    )
    async def create_article(
        self, data: schemas.ArticleCreate, knowledge: KnowledgeService
    ) -> Response[schemas.Article]:
        return await _full(knowledge, await knowledge.create(data), 201)

    @get("/articles/{article_id:uuid}", summary="One article with its translations", responses=READ)
    async def get_article(self, article_id: uuid.UUID, knowledge: KnowledgeService) -> Response[schemas.Article]:
        return await _full(knowledge, await knowledge.get(article_id))

    @patch(
        "/articles/{article_id:uuid}",
        summary="Edit an article (admins and knowledge editors; If-Match required)",
        responses={**UPDATE, **FORBIDDEN},
    )
    async def update_article(
        self,
        article_id: uuid.UUID,
        data: schemas.ArticleUpdate,
        knowledge: KnowledgeService,
        if_match: IfMatch = None,
    ) -> Response[schemas.Article]:
        return await _full(knowledge, await knowledge.update(article_id, parse_if_match(if_match), data))

    @delete(
        "/articles/{article_id:uuid}",
        summary="Delete an article (admins and knowledge editors)",
        responses={**WRITE, **FORBIDDEN},
    )
    async def delete_article(self, article_id: uuid.UUID, knowledge: KnowledgeService) -> None:
        await knowledge.delete(article_id)

    @post(
        "/articles/{article_id:uuid}/pin",
        status_code=204,
        summary="Keep an article at hand and offline",
        responses=WRITE,
    )
    async def pin_article(self, article_id: uuid.UUID, knowledge: KnowledgeService) -> None:
        await knowledge.pin(article_id)

    @delete("/articles/{article_id:uuid}/pin", summary="Unpin an article", responses=WRITE)
    async def unpin_article(self, article_id: uuid.UUID, knowledge: KnowledgeService) -> None:
        await knowledge.unpin(article_id)

    @post(
        "/articles/{article_id:uuid}/reads",
        status_code=204,
        summary="Report that the caller read an article (counted once per user and day)",
        responses=WRITE,
    )
    async def record_read(self, article_id: uuid.UUID, knowledge: KnowledgeService) -> None:
        await knowledge.record_read(article_id)

    @get("/popular", summary="The org's most read articles", responses=READ)
    async def popular(
        self, knowledge: KnowledgeService, limit: Annotated[int, Parameter(ge=1, le=100)] = 20
    ) -> Page[schemas.ArticleFields]:
        return Page(items=[to_out(schemas.ArticleFields, r) for r in await knowledge.popular(limit)])

    @get(
        "/suggestions",
        summary="Articles that fit a deal (opportunity_id) or an account's open deals (account_id)",
        responses=READ,
    )
    async def suggestions(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        principal: Principal,
        opportunity_id: uuid.UUID | None = None,
        account_id: uuid.UUID | None = None,
        lang: schemas.Lang | None = None,
    ) -> schemas.Suggestions:
        if (opportunity_id is None) == (account_id is None):
            raise field_error(
                "opportunity_id",
                "one_required",
                t("Give either opportunity_id or account_id.", "请提供 opportunity_id 或 account_id 之一。"),
            )
        if opportunity_id is not None:
            context = await opportunity_context(db, principal, opportunity_id)
        else:
            context = await account_context(db, principal, account_id)  # type: ignore[arg-type]
        found = await suggest(db, principal, context, _lang(request, lang))
        return schemas.Suggestions(
            items=[
                to_out(schemas.Suggestion, s.article, reason=s.reason, matched=s.matched)  # type: ignore[arg-type]
                for s in found
            ]
        )

    @get("/bundle", summary="The offline bundle, or what changed in it since a cursor", responses=READ)
    async def bundle(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        principal: Principal,
        cursor: Annotated[str | None, Parameter(max_length=4000)] = None,
        account_id: Annotated[
            list[uuid.UUID] | None, Parameter(description="accounts on today's plan, when the phone knows them")
        ] = None,
        max_kb: Annotated[int, Parameter(ge=16, le=5000)] = DEFAULT_MAX_BYTES // 1000,
        lang: schemas.Lang | None = None,
    ) -> schemas.Bundle:
        builder = BundleBuilder(db, principal, _lang(request, lang))
        return await builder.build(cursor, list(account_id or [])[:20], max_kb * 1000)

    @get(
        "/editors",
        summary="The users an admin named knowledge editors (for admins and editors)",
        responses={**READ, **FORBIDDEN},
    )
    async def list_editors(self, editors: KnowledgeEditors) -> Page[schemas.Editor]:
        return Page(items=[to_out(schemas.Editor, e) for e in await editors.list()])

    @post(
        "/editors",
        summary="Name a user of the org knowledge editor (admins); naming them again changes nothing",
        responses={**WRITE, **ADMINS_ONLY},
    )
    async def grant_editor(self, data: schemas.EditorGrant, editors: KnowledgeEditors) -> schemas.Editor:
        return to_out(schemas.Editor, await editors.grant(data.user_id))

    @delete(
        "/editors/{user_id:uuid}",
        summary="Take back a user's editor right (admins)",
        responses={**WRITE, **ADMINS_ONLY},
    )
    async def revoke_editor(self, user_id: uuid.UUID, editors: KnowledgeEditors) -> None:
        await editors.revoke(user_id)
