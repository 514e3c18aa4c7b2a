"""Which code reads an RSS item: the C reader (`_citem`, built from ``_citem.c`` at install time) when it
is there, else `_rss.collect` in Python.

Both give the same `Episode` for every item (tests/feeds/test_citem.py holds them to that); the C reader
exists for speed (docs/benchmarks.md, the feed parser). ``LYTT_PURE_PYTHON=1`` in the environment, read at
import, turns the C code off, e.g. to compare the two or to rule it out when chasing a bug.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

from lxml import etree

from lytt.compiled import compiled
from lytt.feeds import _common, _ns, _rss, model
from lytt.feeds._common import Context, Element

CollectItem = Callable[[Element, model.Episode, Context], dict[str, Any]]


def python_collect_item(el: Element, episode: model.Episode, ctx: Context) -> dict[str, Any]:
    return _rss.collect(el, episode, _rss.ITEM, ctx)


MODELS = (
    "Enclosure",
    "Transcript",
    "Person",
    "Soundbite",
    "Location",
    "Chapter",
    "Chapters",
    "AlternateEnclosure",
)


def configure(reader: ModuleType, models: dict[str, type] | None = None) -> None:
    """Hand the C reader the Python handlers, helpers and model classes it defers to or builds. Raises
    TypeError when a model class is not the dataclass the C code was written for."""
    reader.configure(
        element_type=etree._Element,
        dispatch_child=_rss.dispatch_item_child,
        dispatch_media=_rss.dispatch_media_child,
        namespace_key=_ns.namespace_key,
        to_int=_common.to_int,
        to_bool=_common.to_bool,
        parse_npt=_common.parse_npt,
        models=models if models is not None else {name: getattr(model, name) for name in MODELS},
        max_shared_strings=_common.MAX_SHARED_STRINGS,
    )


def _load() -> ModuleType | None:
    _citem = compiled("lytt.feeds._citem")
    if _citem is None:
        return None
    try:
        configure(_citem)
    except (TypeError, KeyError) as exc:  # the model classes changed and _citem.c was not updated
        warnings.warn(f"lytt: the C item reader is off: {exc}", RuntimeWarning, stacklevel=1)
        return None
    return _citem


C_READER = _load()
collect_item: CollectItem = C_READER.collect_item if C_READER is not None else python_collect_item
