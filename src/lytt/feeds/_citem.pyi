# The C extension built from _citem.c: the RSS item reader (see lytt.feeds._item_reader).
from collections.abc import Callable
from typing import Any

def collect_item(el: Any, episode: Any, ctx: Any, /) -> dict[str, Any]: ...
def configure(
    *,
    element_type: type,
    dispatch_child: Callable[..., None],
    dispatch_media: Callable[..., None],
    namespace_key: Callable[[str], str],
    to_int: Callable[[str | None], int | None],
    to_bool: Callable[[str | None], bool | None],
    parse_npt: Callable[[str | None], float | None],
    models: dict[str, type],
    max_shared_strings: int,
) -> None: ...
