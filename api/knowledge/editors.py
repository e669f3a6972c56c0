"""Knowledge editors: admins name the users who write the org's articles, and take the right back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import User
from api.db.models.knowledge import KnowledgeEditor
from api.db.types import utcnow
from api.knowledge.access import is_editor
from api.lib.audit import record_changes
from api.lib.auth import Principal
from api.lib.errors import field_error, forbidden, not_found
from api.lib.i18n import t

AUDIT_ENTITY = "knowledge_editor"


@dataclass(frozen=True)
class Editor:
    user_id: uuid.UUID
    name: str
    email: str
    granted_by: uuid.UUID | None
    granted_at: datetime


class KnowledgeEditors:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def list(self) -> list[Editor]:
        """The org's editors (named ones; admins write anyway), for admins and editors to see."""
        if not await is_editor(self.session, self.principal):
            raise forbidden()
        stmt = (
            select(KnowledgeEditor, User.name, User.email)
            .join(User, User.id == KnowledgeEditor.user_id)
            .where(KnowledgeEditor.org_id == self.principal.org_id)
            .order_by(User.name, User.id)
        )
        return [
            Editor(grant.user_id, name, email, grant.granted_by, grant.granted_at)
            for grant, name, email in (await self.session.execute(stmt)).all()
        ]

    async def grant(self, user_id: uuid.UUID) -> Editor:
        """Name a user of the org editor; naming one twice keeps the first grant."""
        self._require_admin()
        user = await self._user(user_id)
        if user is None:
            raise field_error("user_id", "unknown", t("No such user in your organisation.", "本组织中没有该用户。"))
        grant = await self.session.get(KnowledgeEditor, (self.principal.org_id, user.id))
        if grant is None:
            grant = KnowledgeEditor(
                org_id=self.principal.org_id, user_id=user.id, granted_by=self.principal.user_id, granted_at=utcnow()
            )
            self.session.add(grant)
            self._audit(user.id, granted=True)
            await self.session.flush()
        return Editor(user.id, user.name, user.email, grant.granted_by, grant.granted_at)

    async def revoke(self, user_id: uuid.UUID) -> None:
        """Take the right back; the user's articles stay, owned by them, edited by the remaining editors."""
        self._require_admin()
        if await self._user(user_id) is None:
            raise not_found()
        removed = await self.session.execute(
            delete(KnowledgeEditor).where(
                KnowledgeEditor.org_id == self.principal.org_id, KnowledgeEditor.user_id == user_id
            )
        )
        if removed.rowcount:  # type: ignore[attr-defined]
            self._audit(user_id, granted=False)

    def _require_admin(self) -> None:
        if not self.principal.is_admin:
            raise forbidden()

    async def _user(self, user_id: uuid.UUID) -> User | None:
        stmt = select(User).where(User.id == user_id, User.org_id == self.principal.org_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def _audit(self, user_id: uuid.UUID, *, granted: bool) -> None:
        record_changes(
            self.session, self.principal, AUDIT_ENTITY, user_id, {"editor": not granted}, {"editor": granted}
        )
