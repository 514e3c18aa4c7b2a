# The C extension built from _crows.c: rows.episode_row in C (see lytt.catalog.rows).
from collections.abc import Callable
from typing import Any

def episode_row(episode: Any, /) -> Any: ...
def configure(
    *,
    python_row: Callable[[Any], Any],
    match_key: Callable[[Any], str | None],
    content_hash: Callable[[dict[str, Any]], str],
    person_rows: Callable[[Any], list[Any]],
    jsonable: Callable[[Any], Any],
    slug_base: Callable[[str | None, int, str], str],
    sha256: Callable[[bytes], Any],
    row_type: type,
    fields: tuple[str, ...],
    extra: tuple[str, ...],
    unset: tuple[Any, ...],
    slug_table: bytes,
    slug_dropped: bytes,
) -> None: ...
