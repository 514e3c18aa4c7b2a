"""Subscription GUIDs: random ones are UUIDs, clients' are checked and UUIDs lower-cased."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lytt.accounts.guids import MAX_GUID, GuidError, clean_guid, feed_guid, random_guid


def test_random_guids_are_distinct_uuids() -> None:
    made = {random_guid() for _ in range(100)}
    assert len(made) == 100
    assert all(uuid.UUID(guid).version == 4 for guid in made)


@given(st.uuids())
def test_a_uuid_in_any_case_is_its_canonical_form(value: uuid.UUID) -> None:
    assert clean_guid(str(value).upper(), "guid") == str(value)
    assert clean_guid(f" {value} ", "guid") == str(value)


def test_other_printable_guids_are_kept_as_sent() -> None:
    assert clean_guid("urn:example:Show-1", "guid") == "urn:example:Show-1"


@pytest.mark.parametrize("value", [None, 7, "", "   ", "a/b", "a\x00b", "x" * (MAX_GUID + 1)])
def test_what_cannot_name_a_subscription_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(GuidError, match="new_guid"):
        clean_guid(value, "new_guid")


def test_a_feeds_podcast_guid_is_canonical_or_none() -> None:
    assert feed_guid("917393E3-1B1E-5CEF-ACE4-EDAA54E1F810") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert feed_guid("not-a-uuid-but-fine") == "not-a-uuid-but-fine"
    assert feed_guid("https://example.org/show") is None
    assert feed_guid("") is None
