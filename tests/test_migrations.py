"""The migrations on main describe the models on main: a model change without its migration fails here,
not on an operator's `lytt migrate` (which would then leave the schema short of what the code expects)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration() -> None:
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(
            "models and migrations differ (run `DJANGO_SETTINGS_MODULE=lytt.settings django-admin"
            f" makemigrations`):\n{out.getvalue()}"
        )
    assert "No changes detected" in out.getvalue()
