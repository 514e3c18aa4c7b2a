"""Which code reads an RSS item: the C reader (`_citem`, built from ``_citem.c`` at install time) when it
is there, else `_rss.collect` in Python.

Both give the same `Episode` for every item (tests/feeds/test_citem.py holds them to that); the C reader
exists for speed (docs/benchmarks.md, the feed parser). ``LYTT_PURE_PYTHON=1`` in the environment, read at
import, turns the C code off, e.g. to compare the two or to rule it out when chasing a bug.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from types import ModuleType
from typing import Any

from lxml import etree

from lytt.feeds import _common, _ns, _rss, model
from lytt.feeds._common import Context, Element

CollectItem = Callable[[Element, model.Episode, Context], dict[str, Any]]


def python_collect_item(el: Element, episode: model.Episode, ctx: Context) -> dict[str, Any]:
    return _rss.collect(el, episode, _rss.ITEM, ctx)


def _load() -> ModuleType | None:
    if os.environ.get("LYTT_PURE_PYTHON") == "1":
        return None
    try:
        from lytt.feeds import _citem  # type: ignore[attr-defined]
    except ImportError:
        return None
    _citem.configure(
        element_type=etree._Element,
        dispatch_child=_rss.dispatch_item_child,
        dispatch_media=_rss.dispatch_media_child,
        namespace_key=_ns.namespace_key,
        to_int=_common.to_int,
        to_bool=_common.to_bool,
        parse_npt=_common.parse_npt,
        models={
            name: getattr(model, name)
            for name in (
                "Enclosure",
                "Transcript",
                "Person",
                "Soundbite",
                "Location",
                "Chapter",
                "Chapters",
                "AlternateEnclosure",
            )
        },
        max_shared_strings=_common.MAX_SHARED_STRINGS,
    )
    return _citem


C_READER = _load()
collect_item: CollectItem = C_READER.collect_item if C_READER is not None else python_collect_item
