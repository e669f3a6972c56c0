"""All ORM models, imported here so that the metadata is complete for Alembic."""

from api.db.models.accounts import Account, Contact
from api.db.models.activities import Activity
from api.db.models.audit import FieldChange
from api.db.models.idempotency import IdempotencyRecord
from api.db.models.opportunities import LineItem, Opportunity, StageHistory
from api.db.models.org import AuthSession, LoginAttempt, Organisation, RefreshToken, Team, User
from api.db.models.outbox import OutboxMessage
from api.db.models.pipeline import Product, Stage

__all__ = [
    "Account",
    "Activity",
    "AuthSession",
    "Contact",
    "FieldChange",
    "IdempotencyRecord",
    "LineItem",
    "LoginAttempt",
    "Opportunity",
    "Organisation",
    "OutboxMessage",
    "Product",
    "RefreshToken",
    "Stage",
    "StageHistory",
    "Team",
    "User",
]
