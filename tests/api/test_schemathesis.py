"""schemathesis against /api/v1/openapi.json, through the real WSGI application and a real database.

Every generated request must get a documented status (no 500s) and a body that matches the schema, and
schema-invalid requests must be refused. The listener endpoints (/me/) run a second time with a personal
token, so that their answers past authentication are checked too. One default check is left out:
`positive_data_acceptance`, which expects every schema-valid request to succeed; a pagination cursor is an
opaque signed token that no schema can describe, so a generated string is rightly refused with 400
("invalid_cursor"), as is an episode id that names no episode. Examples are bounded so that the whole run
stays well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from lytt.accounts.tokens import create_token
from lytt.wsgi import django_application as application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def test_transaction_survives_requests() -> Iterator[None]:
    """Calling the WSGI app directly would close the database connection after each request (Django's
    request_finished handler), ending the test's transaction; Django's own test client does the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("test_transaction_survives_requests")
@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_v1_conforms_to_its_schema(case: Any, catalogue: dict[str, Any]) -> None:
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


@pytest.fixture
def listener_token(django_user_model: Any) -> str:
    user = django_user_model.objects.create_user("schemathesis", "st@example.org", "not used here")
    return create_token(user, "schemathesis")[1]


@pytest.mark.django_db
@pytest.mark.usefixtures("test_transaction_survives_requests")
@schema.include(path_regex="^/api/v1/me/").parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_listener_endpoints_conform_with_a_token(
    case: Any, catalogue: dict[str, Any], listener_token: str
) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {listener_token}"}, excluded_checks=[positive_data_acceptance]
    )
