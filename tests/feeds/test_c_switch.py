"""The `native_code` fixture's two variants: "c" runs Lytt's C module, "python" none.

A profiler hook sees every call into C code made from Python; Lytt's C modules are told apart by the
module of the function (or of the object whose method it is).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest

from lytt.feeds import parse_feed

pytestmark = pytest.mark.usefixtures("native_code")

C_MODULES = {"lytt.feeds._cnotes"}
NOTES = "<p>Show notes with <a href='https://example.org/'>a link</a> and <b>bold</b> text.</p>" * 3
FEED = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Switch</title><link>https://example.org/</link>
<item><title>One</title><guid>1</guid><pubDate>Tue, 21 May 2024 10:00:00 +0200</pubDate>
<description><![CDATA[{NOTES}]]></description>
<enclosure url="https://example.org/1.mp3" length="1" type="audio/mpeg"/></item>
</channel></rss>""".encode()


def lytt_c_modules_called(work: Callable[[], object]) -> set[str]:
    """The modules of Lytt's C functions and methods `work` calls from Python."""
    seen: set[str] = set()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call":
            module = getattr(arg, "__module__", None) or type(getattr(arg, "__self__", None)).__module__
            if module in C_MODULES:
                seen.add(module)

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return seen


def test_each_variant_runs_all_or_none_of_the_c_modules(native_code: str) -> None:
    def work() -> None:
        feed = parse_feed(FEED, url="https://example.org/feed.xml")
        assert feed.episodes[0].description_text is not None

    called = lytt_c_modules_called(work)
    assert called == (C_MODULES if native_code == "c" else set())
