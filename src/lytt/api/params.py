"""Parameter types shared by the API v1 modules."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _date_time_text(value: Any) -> Any:
    """Only date-time text, as the schema's `format: date-time` says: pydantic also reads a number
    (``-1.9``) as a Unix time, which a client would get back as a silent filter on 1970."""
    if not isinstance(value, datetime) and not _DATE_TIME.match(str(value)):
        raise ValueError("must be an ISO 8601 date and time, such as 2024-05-01T12:00:00Z")
    return value


def _in_utc(value: datetime) -> datetime:
    """The moment in UTC (naive taken as UTC): ISO 8601 allows offsets up to 23:59, PostgreSQL only 15:59."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # year 1 east of Greenwich, year 9999 west of it
        raise ValueError("is out of range once in UTC") from None


DateTime = Annotated[datetime, BeforeValidator(_date_time_text), AfterValidator(_in_utc)]
