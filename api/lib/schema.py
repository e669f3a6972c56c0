"""The base for every request and response body."""

from __future__ import annotations

from typing import TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)


class Schema(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Request bodies refuse unknown fields, so nobody sets what they may not (mass assignment)."""


class Out(msgspec.Struct, kw_only=True):
    """Response bodies."""


def provided(data: msgspec.Struct) -> dict[str, object]:
    """The fields a partial update actually sets (those not left UNSET)."""
    return {f: v for f in data.__struct_fields__ if (v := getattr(data, f)) is not msgspec.UNSET}


def to_out(cls: type[S], row: object, **extra: object) -> S:
    """Build a response struct from an ORM row's attributes of the same names."""
    values = {f: getattr(row, f) for f in cls.__struct_fields__ if f not in extra}
    return cls(**values, **extra)
