"""Opaque, signed pagination cursors. Clients pass back what they were given; anything else is a 400."""

from __future__ import annotations

from typing import Any

from django.core import signing

_SALT = "lytt.api.cursor"


class CursorError(ValueError):
    pass


def encode(kind: str, position: dict[str, Any]) -> str:
    return signing.dumps({"k": kind, **position}, salt=_SALT, compress=True)


def decode(kind: str, cursor: str) -> dict[str, Any]:
    try:
        data = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        raise CursorError("the cursor is not one this API issued") from None
    if not isinstance(data, dict) or data.get("k") != kind:
        raise CursorError(f"the cursor belongs to another list, not to {kind}")
    return data
