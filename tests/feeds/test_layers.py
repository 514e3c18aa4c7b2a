"""The parser package stays pure: no module in it reaches the network, the database or the web framework,
and the parsed-feed model and the readers of notes' text do not pull in the sanitiser (nh3), even through
the modules they import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import lytt.feeds

FEEDS = Path(lytt.feeds.__file__).parent
EDGES = ("aiohttp", "django", "httpx", "psycopg", "requests", "socket", "sqlite3", "urllib.request")
SANITISER_FREE = ("model", "notes_text", "safe_notes", "html_text")


def imported(module: str) -> set[str]:
    """The modules `lytt.feeds.<module>` imports by name (not its package's __init__)."""
    tree = ast.parse((FEEDS / f"{module}.py").read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            names.add(node.module)
    return names


def reached(module: str) -> set[str]:
    """Every module `lytt.feeds.<module>` imports, following Lytt's own modules in lytt.feeds."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        for name in imported(todo.pop()):
            if name not in seen:
                seen.add(name)
                inner = name.removeprefix("lytt.feeds.")
                if name.startswith("lytt.feeds.") and (FEEDS / f"{inner}.py").exists():
                    todo.append(inner)
    return seen


@pytest.mark.parametrize("module", sorted(path.stem for path in FEEDS.glob("*.py")))
def test_no_parser_module_imports_an_edge(module: str) -> None:
    edges = {name for name in imported(module) if name.startswith(EDGES)}
    assert not edges, f"lytt.feeds.{module} imports {sorted(edges)}"


@pytest.mark.parametrize("module", SANITISER_FREE)
def test_the_model_and_notes_text_do_not_reach_the_sanitiser(module: str) -> None:
    modules = reached(module)
    assert "nh3" not in modules
    assert "lytt.feeds.html" not in modules
