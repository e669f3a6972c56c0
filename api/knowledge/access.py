"""Who may do what with knowledge articles.

Admins and the org's knowledge editors write. An editor is a user an admin has named (``knowledge_editors``),
whatever their role: the people who keep the price list, the contract policy or the battlecards need not be
managers, and a manager gains nothing here by rank. Everyone in the org reads published articles; drafts are
seen by those who write and by their owner; nobody sees another org's articles.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models.knowledge import KnowledgeEditor
from api.lib.auth import Principal

# Read on the search's raw connection, next to the vocabulary: parameters org, user.
EDITOR_SQL = "SELECT 1 FROM knowledge_editors WHERE org_id = ? AND user_id = ?"


async def is_editor(session: AsyncSession, principal: Principal) -> bool:
    """Whether the caller writes articles: an admin, or a user an admin named editor."""
    if principal.is_admin:
        return True
    granted = exists().where(KnowledgeEditor.org_id == principal.org_id, KnowledgeEditor.user_id == principal.user_id)
    return bool(await session.scalar(select(granted)))
