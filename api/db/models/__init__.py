"""All ORM models, imported here so that the metadata is complete for Alembic."""

from api.db.models.accounts import Account, Contact
from api.db.models.activities import Activity
from api.db.models.approvals import (
    ApprovalActionToken,
    ApprovalAssignment,
    ApprovalDelegation,
    ApprovalEvent,
    ApprovalPolicy,
    ApprovalRequest,
    ApprovalStep,
)
from api.db.models.audit import FieldChange
from api.db.models.churn import ChurnWarning
from api.db.models.contracts import Contract, ContractAmendment, ProductUsage
from api.db.models.idempotency import IdempotencyRecord
from api.db.models.insights import BottleneckAlert, ForecastSnapshot
from api.db.models.knowledge import (
    KnowledgeArticle,
    KnowledgePin,
    KnowledgeRead,
    KnowledgeSearchDoc,
    KnowledgeState,
    KnowledgeTerm,
)
from api.db.models.notifications import Notification, PushAttempt, PushDelivery, PushSubscription
from api.db.models.opportunities import LineItem, Opportunity, StageHistory
from api.db.models.org import AuthSession, LoginAttempt, Organisation, RefreshToken, Team, User
from api.db.models.outbox import OutboxMessage
from api.db.models.pipeline import Product, Stage
from api.db.models.reminders import DealPriority, Reminder
from api.db.models.scoring import DealSignal, Invoice, WinModel
from api.db.models.service_desk import SupportCase, Task
from api.db.models.visits import GeocodeCache, Visit, VisitCheckIn, VisitPlan

__all__ = [
    "Account",
    "Activity",
    "ApprovalActionToken",
    "ApprovalAssignment",
    "ApprovalDelegation",
    "ApprovalEvent",
    "ApprovalPolicy",
    "ApprovalRequest",
    "ApprovalStep",
    "AuthSession",
    "BottleneckAlert",
    "ChurnWarning",
    "Contact",
    "Contract",
    "ContractAmendment",
    "DealPriority",
    "DealSignal",
    "FieldChange",
    "ForecastSnapshot",
    "GeocodeCache",
    "IdempotencyRecord",
    "Invoice",
    "KnowledgeArticle",
    "KnowledgePin",
    "KnowledgeRead",
    "KnowledgeSearchDoc",
    "KnowledgeState",
    "KnowledgeTerm",
    "LineItem",
    "LoginAttempt",
    "Notification",
    "Opportunity",
    "Organisation",
    "OutboxMessage",
    "Product",
    "ProductUsage",
    "PushAttempt",
    "PushDelivery",
    "PushSubscription",
    "RefreshToken",
    "Reminder",
    "Stage",
    "StageHistory",
    "SupportCase",
    "Task",
    "Team",
    "User",
    "Visit",
    "VisitCheckIn",
    "VisitPlan",
    "WinModel",
]
