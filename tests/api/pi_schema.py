"""Lytt's Podcast Index answers against the upstream spec (tests/api/data/pi_api.json).

`check(path, body)` validates a 200 answer with JSON Schema (OpenAPI 3.0's `nullable` read as "or null")
and asserts that every object the answer holds has every property the spec lists for it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs  # schemathesis's validator (a test dependency already)

SPEC = Path(__file__).parent / "data" / "pi_api.json"
# A value destination's optional keys: podcast:valueRecipient makes them optional, podcastindex.org
# leaves them out when the feed does, and so does Lytt.
OPTIONAL_ANYWHERE = frozenset({"fee", "customKey", "customValue"})


@cache
def _spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SPEC.read_text())
    return data


def _resolve(node: Any) -> Any:
    """The schema with every $ref inlined and `nullable: true` turned into JSON Schema's null type."""
    if isinstance(node, list):
        return [_resolve(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = _spec()
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return _resolve(target)
    out = {
        key: _resolve(value) for key, value in node.items() if key not in {"nullable", "example", "format"}
    }
    if node.get("nullable") and "type" in out:
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def response_schema(path: str) -> dict[str, Any]:
    response = _resolve(_spec()["paths"][path]["get"]["responses"]["200"])
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


def _missing(schema: dict[str, Any], value: Any, where: str) -> list[str]:
    """Properties the spec lists that a non-empty object of the answer leaves out."""
    if "anyOf" in schema:
        if value is None:
            return []
        schema = schema["anyOf"][0]
    out: list[str] = []
    if schema.get("type") == "object" and isinstance(value, dict) and value and "properties" in schema:
        for name, sub in schema["properties"].items():
            if name not in value and name not in OPTIONAL_ANYWHERE:
                out.append(f"{where}.{name}")
            elif name in value:
                out.extend(_missing(sub, value[name], f"{where}.{name}"))
    if schema.get("type") == "array" and isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            out.extend(_missing(schema["items"], item, f"{where}[{index}]"))
    return out


def check(path: str, body: Any, *, optional: frozenset[str] = frozenset()) -> None:
    """Assert `body` is a valid answer of `path` (e.g. "/episodes/random") with every property the spec
    names, except `optional` ones (dotted paths as `_missing` reports them, with [*] for any index)."""
    schema = response_schema(path)
    jsonschema_rs.validator_for(schema).validate(body)
    missing = [m for m in _missing(schema, body, "") if _generic(m) not in optional]
    assert not missing, f"{path} leaves out {missing}"


def _generic(dotted: str) -> str:
    return re.sub(r"\[\d+\]", "[*]", dotted)
