"""What Lytt's Podcast Index answers must hold, endpoint by endpoint (pi_shapes.json): every field Podcast
Index's API reference (Podcastindex-org/docs-api) lists for a 200 answer, with its JSON type, three levels
deep, written down as names and types from reading that reference.

`check(path, body)` asserts that every object of the answer has each field, of the listed type ("int|None"
allows null, {"?": shape} a nullable object or list), except `optional` ones (dotted paths, [*] for
any index) and the value destinations' optional keys.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

# A value destination's optional keys: podcast:valueRecipient makes them optional, and Lytt, like
# podcastindex.org, leaves them out when the feed does.
OPTIONAL_ANYWHERE = frozenset({"fee", "customKey", "customValue"})

_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
    "any": (object,),
}

Shape = dict[str, Any] | list[Any] | str

SHAPES: dict[str, Shape] = json.loads((Path(__file__).parent / "pi_shapes.json").read_text())


def _type_ok(kind: str, value: Any) -> bool:
    names = kind.split("|")
    if value is None:
        return "None" in names
    return any(
        isinstance(value, _TYPES[name]) and not (name in {"int", "float"} and isinstance(value, bool))
        for name in names
        if name != "None"
    )


def _problems(shape: Shape, value: Any, where: str) -> list[str]:
    if isinstance(shape, dict) and set(shape) == {"?"}:  # a nullable object or list
        return [] if value is None else _problems(shape["?"], value, where)
    if isinstance(shape, str):
        return [] if _type_ok(shape, value) else [f"{where}: {value!r} is not {shape}"]
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{where}: not a list"]
        return [p for index, item in enumerate(value) for p in _problems(shape[0], item, f"{where}[{index}]")]
    if not isinstance(value, dict):
        return [f"{where}: not an object"]
    if not value:
        return []
    out: list[str] = []
    for name, sub in shape.items():
        if name in value:
            out.extend(_problems(sub, value[name], f"{where}.{name}"))
        elif name not in OPTIONAL_ANYWHERE:
            out.append(f"{where}.{name}: missing")
    return out


def check(path: str, body: Any, *, optional: frozenset[str] = frozenset()) -> None:
    """Assert `body` is a 200 answer of `path` (e.g. "/episodes/random") with every listed field."""
    problems = [p for p in _problems(SHAPES[path], body, "") if _generic(p.split(":")[0]) not in optional]
    assert not problems, f"{path}: {problems}"


def _generic(dotted: str) -> str:
    return re.sub(r"\[\d+\]", "[*]", dotted)
