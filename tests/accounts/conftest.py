"""Fixtures for the accounts tests (shared with the sync tests in tests/listeners.py)."""

from __future__ import annotations

from tests.listeners import (  # noqa: F401 (fixtures)
    PASSWORD,
    _fast_password_hashing,
    make_show,
    make_user,
    show,
    user,
)
