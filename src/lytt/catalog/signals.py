"""Signals the catalogue sends.

``feed_ingested`` is sent after the ingest transaction commits, only when something changed, with
``show`` (the `Show`) and ``episode_ids`` (ids of new, changed, vanished or returned episodes). The search
app listens to keep its index fresh.
"""

from __future__ import annotations

from django.dispatch import Signal

feed_ingested = Signal()
