"""The offline bundle: what a phone keeps so that knowledge search works in a basement without signal.

Members, in priority order: the articles the rep pinned, those that fit the accounts on today's plan
(suggestions for each), and the org's most read. One language per translation group for the last two (the
rep's own when there is one); a pinned article is kept as pinned. Members are added until the size cap; the
rest is left out and ``truncated`` says so.

Deltas: the answer carries an opaque ``cursor``: the org's knowledge sequence number when it was cut and the
64-bit prefixes of its members' ids. Sent back, it yields only the members changed since (or new to the
bundle), the ids of those that left it (unpinned, unpublished, deleted, fallen out of the plan), and a fresh
compact index when anything changed. Every write takes the next sequence number under a row lock held until
commit, so sequence order is commit order and no change slips between two cursors.
"""

from __future__ import annotations

import base64
import struct
import uuid
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Account, KnowledgeArticle, KnowledgePin, KnowledgeState, Opportunity, Visit
from api.knowledge import schemas
from api.knowledge.access import is_editor
from api.knowledge.index import FIELDS, build_doc
from api.knowledge.ranking import FTS_WEIGHTS
from api.knowledge.service import visible_articles
from api.knowledge.suggestions import account_context, suggest
from api.lib.auth import Principal
from api.lib.errors import field_error
from api.lib.i18n import t
from api.lib.scope import visible

DEFAULT_MAX_BYTES = 1_500_000
MAX_MEMBERS = 300
POPULAR = 30
TODAY_ACCOUNTS = 10
TOKENIZER = "fieldloop-1: NFKC, casefold, no accents; CJK unigrams+bigrams; Snowball English stems; codes joined"
CURSOR_VERSION = b"k1"
_FIELD_WEIGHTS = dict(zip(FIELDS, (int(w) for w in FTS_WEIGHTS[1:]), strict=True))


async def todays_account_ids(session: AsyncSession, principal: Principal) -> list[uuid.UUID]:
    """The accounts on the caller's visit plan for today, in route order; then the deals due this week.

    The plan comes first: those are the customers the rep will stand in front of. Accounts of open deals whose
    promised or close date falls within the coming week follow, so that a rep without a plan still gets the
    articles that matter. The phone may also name accounts itself (``account_id``).
    """
    zone = ZoneInfo(principal.timezone)
    today = datetime.now(zone).date()
    planned = (
        select(Visit.account_id)
        .where(
            Visit.org_id == principal.org_id,
            Visit.owner_id == principal.user_id,
            Visit.visit_date == today,
            Visit.account_id.is_not(None),
            Visit.status != "cancelled",
        )
        .order_by(Visit.sequence)
    )
    soon = today + timedelta(days=7)
    due = (
        select(Opportunity.account_id)
        .where(
            Opportunity.org_id == principal.org_id,
            Opportunity.owner_id == principal.user_id,
            Opportunity.deleted_at.is_(None),
            Opportunity.closed_at.is_(None),
            or_(
                and_(Opportunity.promised_date >= today, Opportunity.promised_date <= soon),
                and_(Opportunity.close_date >= today, Opportunity.close_date <= soon),
            ),
        )
        .order_by(Opportunity.amount.desc())
    )
    ids = list((await session.execute(planned)).scalars()) + list((await session.execute(due)).scalars())
    return list(dict.fromkeys(ids))[:TODAY_ACCOUNTS]


# ---------------------------------------------------------------------------------------------- cursor


def encode_cursor(seq: int, members: list[uuid.UUID]) -> str:
    raw = CURSOR_VERSION + struct.pack(">Q", seq) + b"".join(m.bytes[:8] for m in members)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> tuple[int, set[bytes]]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except ValueError:
        raw = b""
    if not raw.startswith(CURSOR_VERSION) or (len(raw) - 10) % 8 or len(raw) < 10:
        raise field_error("cursor", "invalid", t("This cursor is not valid.", "游标无效。"))
    (seq,) = struct.unpack(">Q", raw[2:10])
    return seq, {raw[i : i + 8] for i in range(10, len(raw), 8)}


# ---------------------------------------------------------------------------------------------- building


class BundleBuilder:
    def __init__(self, session: AsyncSession, principal: Principal, lang: str) -> None:
        self.session = session
        self.principal = principal
        self.lang = lang
        self.editor = False

    async def build(self, cursor: str | None, account_ids: list[uuid.UUID], max_bytes: int) -> schemas.Bundle:
        since, had = decode_cursor(cursor) if cursor else (None, set())
        self.editor = await is_editor(self.session, self.principal)
        seq = await self._seq()
        members = await self._members(account_ids)
        articles = await self._load([article_id for article_id, _ in members])
        why = {article_id: reasons for article_id, reasons in members}
        chosen, truncated = _fit([_to_out(a, why[a.id]) for a in articles], max_bytes)
        by_id = {a.id: a for a in articles}
        while True:
            index = build_index([by_id[a.id] for a in chosen])
            if not chosen or len(msgspec.json.encode({"articles": chosen, "index": index})) <= max_bytes:
                break
            chosen = chosen[: -max(1, len(chosen) // 10)]
            truncated = True
        ids = [a.id for a in chosen]
        manifest = {str(a.id): a.version for a in chosen}
        if since is None:
            changed = chosen
            removed: list[uuid.UUID] = []
        else:
            changed_seq = {a.id for a in articles if a.change_seq > since}
            changed = [a for a in chosen if a.id in changed_seq or a.id.bytes[:8] not in had]
            removed = await self._removed(had - {i.bytes[:8] for i in ids})
        if not (changed or removed):
            index = None
        body = {"articles": changed, "index": index}
        return schemas.Bundle(
            cursor=encode_cursor(seq, ids),
            full=since is None,
            articles=changed,
            removed=removed,
            manifest=manifest,
            index=index,
            size_bytes=len(msgspec.json.encode(body)),
            truncated=truncated,
        )

    async def _seq(self) -> int:
        stmt = select(KnowledgeState.seq).where(KnowledgeState.org_id == self.principal.org_id)
        return int((await self.session.execute(stmt)).scalar_one_or_none() or 0)

    async def _members(self, account_ids: list[uuid.UUID]) -> list[tuple[uuid.UUID, list[str]]]:
        """Article ids with why each is in the bundle, in priority order."""
        reasons: dict[uuid.UUID, list[str]] = {}
        pinned = (
            select(KnowledgePin.article_id)
            .where(KnowledgePin.user_id == self.principal.user_id)
            .order_by(KnowledgePin.pinned_at.desc())
        )
        for article_id in (await self.session.execute(pinned)).scalars():
            reasons.setdefault(article_id, []).append("pinned")
        for account_id in await self._today(account_ids):
            context = await account_context(self.session, self.principal, account_id)
            for suggested in await suggest(self.session, self.principal, context, self.lang):
                reasons.setdefault(suggested.article.id, []).append("today")
        for article in await self._popular():
            reasons.setdefault(article.id, []).append("popular")
        return [(article_id, sorted(set(why))) for article_id, why in reasons.items()][:MAX_MEMBERS]

    async def _today(self, account_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        if not account_ids:
            return await todays_account_ids(self.session, self.principal)
        stmt = visible(select(Account.id).where(Account.id.in_(account_ids)), Account, self.principal)
        seen = set((await self.session.execute(stmt)).scalars())
        return [a for a in account_ids if a in seen][:TODAY_ACCOUNTS]

    async def _popular(self) -> list[KnowledgeArticle]:
        stmt = (
            visible_articles(select(KnowledgeArticle), self.principal, editor=self.editor)
            .where(KnowledgeArticle.status == "published", KnowledgeArticle.read_count > 0)
            .order_by(KnowledgeArticle.read_count.desc(), KnowledgeArticle.id)
            .limit(POPULAR * 2)
        )
        by_group: dict[uuid.UUID, KnowledgeArticle] = {}
        for article in (await self.session.execute(stmt)).scalars():
            current = by_group.get(article.translation_group_id)
            if current is None or (current.lang != self.lang and article.lang == self.lang):
                by_group[article.translation_group_id] = article
        return list(by_group.values())[:POPULAR]

    async def _load(self, ids: list[uuid.UUID]) -> list[KnowledgeArticle]:
        """The members the caller may see now (pins of articles since unpublished or deleted fall away)."""
        rows: dict[uuid.UUID, KnowledgeArticle] = {}
        for start in range(0, len(ids), 200):
            stmt = visible_articles(
                select(KnowledgeArticle).where(KnowledgeArticle.id.in_(ids[start : start + 200])),
                self.principal,
                editor=self.editor,
            )
            rows.update((a.id, a) for a in (await self.session.execute(stmt)).scalars())
        return [rows[i] for i in ids if i in rows]

    async def _removed(self, prefixes: set[bytes]) -> list[uuid.UUID]:
        """Full ids of the former members, found by their 64-bit prefixes (a contiguous range of UUIDs)."""
        if not prefixes:
            return []
        ranges = [
            KnowledgeArticle.id.between(uuid.UUID(bytes=p + b"\x00" * 8), uuid.UUID(bytes=p + b"\xff" * 8))
            for p in sorted(prefixes)
        ]
        stmt = select(KnowledgeArticle.id).where(KnowledgeArticle.org_id == self.principal.org_id, or_(*ranges))
        return sorted((await self.session.execute(stmt)).scalars())


def _to_out(article: KnowledgeArticle, why: list[str]) -> schemas.BundleArticle:
    return schemas.BundleArticle(
        id=article.id,
        title=article.title,
        summary=article.summary,
        body=article.body,
        lang=article.lang,
        kind=article.kind,
        tags=list(article.tags),
        product=article.product,
        industry=article.industry,
        competitor=article.competitor,
        stage=article.stage,
        translation_group_id=article.translation_group_id,
        version=article.version,
        updated_at=article.updated_at,
        why=why,  # type: ignore[arg-type]
    )


def _fit(articles: list[schemas.BundleArticle], max_bytes: int) -> tuple[list[schemas.BundleArticle], bool]:
    """Members in priority order while they fit, reckoning the index at about as much again as the text."""
    chosen: list[schemas.BundleArticle] = []
    used = 0
    for article in articles:
        size = 2 * len(msgspec.json.encode(article))
        if used + size > max_bytes:
            return chosen, True
        chosen.append(article)
        used += size
    return chosen, False


def build_index(articles: list[KnowledgeArticle]) -> schemas.BundleIndex:
    """A field-weighted inverted index over the given articles, with the server's own tokens."""
    postings: dict[str, list[int]] = {}
    lengths: list[int] = []
    for position, article in enumerate(articles):
        doc = build_doc(article)
        weighted: Counter[str] = Counter()
        for name in FIELDS:
            for term in doc.fields[name]:
                weighted[term] += _FIELD_WEIGHTS[name]
        lengths.append(sum(weighted.values()))
        for term, weight in weighted.items():
            postings.setdefault(term, []).extend((position, weight))
    return schemas.BundleIndex(
        tokenizer=TOKENIZER,
        field_weights={k: float(v) for k, v in _FIELD_WEIGHTS.items()},
        docs=[a.id for a in articles],
        lengths=lengths,
        postings=postings,
    )
