"""Subscription GUIDs, the Open Podcast API's name for a subscription: issuing and checking them.

A subscription is known to the Open Podcast API by a GUID. The show's `podcast:guid` is the natural one
(every app that reads the feed finds the same value); a feed Lytt has not crawled yet, or one without that
tag, gets a random UUID instead, kept with the subscription so that it never changes under an app.
"""

from __future__ import annotations

import uuid

# Longer than a UUID: a client's GUID is authoritative, and feeds' podcast:guid values are not all UUIDs.
MAX_GUID = 100


class GuidError(ValueError):
    """A GUID that cannot name a subscription; the message says why."""


def random_guid() -> str:
    """A fresh random UUID in its canonical text form (the model's default for a new subscription)."""
    return str(uuid.uuid4())


def clean_guid(value: object, field: str) -> str:
    """A client's GUID as stored: a non-empty string of printable characters without a slash (it travels
    in URL paths), at most `MAX_GUID` long. UUIDs are lower-cased, so that case never splits one in two."""
    if not isinstance(value, str):
        raise GuidError(f"{field} must be a string, not {type(value).__name__}")
    text = value.strip()
    if not text:
        raise GuidError(f"{field} is empty")
    if len(text) > MAX_GUID:
        raise GuidError(f"{field} is longer than {MAX_GUID} characters")
    if "/" in text or not text.isprintable():
        raise GuidError(f"{field} {text!r} contains a slash or a control character")
    return _canonical(text)


def _canonical(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text


def feed_guid(value: str) -> str | None:
    """A feed's podcast:guid as a subscription GUID (canonical like a client's), or None when it cannot
    be one (empty, too long, a slash: feeds hold all sorts)."""
    try:
        return clean_guid(value, "podcast:guid")
    except GuidError:
        return None
