"""Parameter types shared by the API v1 modules."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _date_time_text(value: Any) -> Any:
    """Only date-time text, as the schema's `format: date-time` says: pydantic also reads a number
    (``-1.9``) as a Unix time, which a client would get back as a silent filter on 1970."""
    if not isinstance(value, datetime) and not _DATE_TIME.match(str(value)):
        raise ValueError("must be an ISO 8601 date and time, such as 2024-05-01T12:00:00Z")
    return value


DateTime = Annotated[datetime, BeforeValidator(_date_time_text)]
