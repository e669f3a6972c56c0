from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec

from api.lib.schema import Out, Schema


class TokenRequest(Schema, kw_only=True):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class RefreshRequest(Schema, kw_only=True):
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class TokenPair(Out, kw_only=True):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"]
    expires_in: int


class Me(Out, kw_only=True):
    id: uuid.UUID
    email: str
    name: str
    org_id: uuid.UUID
    team_id: uuid.UUID | None
    manager_id: uuid.UUID | None
    roles: list[str]
    locale: str
    timezone: str
