"""Who may do what with knowledge articles.

Editors are admins and managers: the CONTRACT's role list stays as it is, and the people who already own
pricing and playbooks in a sales org write the articles. Everyone in the org reads published articles; drafts
are seen by editors and by their owner; nobody sees another org's articles.
"""

from __future__ import annotations

from api.lib.auth import Principal

EDITOR_ROLES = ("admin", "manager")


def is_editor(principal: Principal) -> bool:
    return principal.has(*EDITOR_ROLES)
