"""Creating organisations, teams and users (the CLI and the demo use this)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.passwords import hash_password
from api.db.engine import Database
from api.db.models import Organisation, Team, User
from api.db.models.org import ROLES
from api.pipeline.defaults import ensure_default_pipeline
from api.settings import Settings


@dataclass(frozen=True)
class UserSpec:
    org: str
    email: str
    password: str
    roles: tuple[str, ...]
    team: str | None = None
    manager_email: str | None = None
    locale: str = "zh-CN"
    name: str | None = None
    timezone: str = "Asia/Shanghai"


async def ensure_org(session: AsyncSession, name: str, **fields: object) -> Organisation:
    org = (await session.execute(select(Organisation).where(Organisation.name == name))).scalar_one_or_none()
    if org is None:
        org = Organisation(id=uuid.uuid4(), name=name, **fields)
        session.add(org)
        await session.flush()
    await ensure_default_pipeline(session, org.id)
    return org


async def ensure_team(session: AsyncSession, org_id: uuid.UUID, name: str) -> Team:
    stmt = select(Team).where(Team.org_id == org_id, Team.name == name)
    team = (await session.execute(stmt)).scalar_one_or_none()
    if team is None:
        team = Team(id=uuid.uuid4(), org_id=org_id, name=name)
        session.add(team)
        await session.flush()
    return team


async def create_user(session: AsyncSession, spec: UserSpec) -> User:
    """Create a user, and its org and team when missing; refuses a taken email or an unknown role."""
    email = spec.email.strip().lower()
    if "@" not in email:
        raise ValueError(f"not an email address: {spec.email!r}")
    unknown = set(spec.roles) - set(ROLES)
    if unknown or not spec.roles:
        raise ValueError(f"roles must be among {', '.join(ROLES)}")
    if len(spec.password) < 8:
        raise ValueError("the password must have at least 8 characters")
    if (await session.execute(select(User.id).where(func.lower(User.email) == email))).first():
        raise ValueError(f"a user with the email {email} exists already")
    org = await ensure_org(session, spec.org)
    team = await ensure_team(session, org.id, spec.team) if spec.team else None
    manager_id = None
    if spec.manager_email:
        stmt = select(User.id).where(func.lower(User.email) == spec.manager_email.lower(), User.org_id == org.id)
        manager_id = (await session.execute(stmt)).scalar_one_or_none()
        if manager_id is None:
            raise ValueError(f"no user {spec.manager_email} in {spec.org}")
    user = User(
        id=uuid.uuid4(),
        org_id=org.id,
        team_id=team.id if team else None,
        manager_id=manager_id,
        email=email,
        name=spec.name or email.split("@")[0],
        password_hash=hash_password(spec.password),
        roles=list(spec.roles),
        locale=spec.locale,
        timezone=spec.timezone,
    )
    session.add(user)
    await session.flush()
    return user


async def create_user_cli(settings: Settings, spec: UserSpec) -> str:
    db = Database(settings)
    try:
        async with db.sessionmaker() as session:
            user = await create_user(session, spec)
            await session.commit()
            return f"created {user.email} ({', '.join(user.roles)}) in {spec.org}"
    finally:
        await db.dispose()
