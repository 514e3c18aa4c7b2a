"""Every message in the site's templates has a Bokmål translation in the compiled catalogue."""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

import lytt.web

WEB = Path(lytt.web.__file__).parent
TEMPLATES = sorted((WEB / "templates").rglob("*.html"))
MO_FILE = WEB / "locale" / "nb" / "LC_MESSAGES" / "django.mo"
GETTEXT_NAMES = ["gettext", "_", "pgettext", "ngettext", "npgettext", "gettext_noop"]


def _template_messages(path: Path) -> set[str]:
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found = set()
    for _lineno, _func, message, _comments in extract_python(
        io.BytesIO(code.encode()), GETTEXT_NAMES, [], {}
    ):
        first = message[0] if isinstance(message, tuple) else message
        if first:
            found.add(first)
    return found


def test_templates_have_messages() -> None:
    assert "Skip to content" in _template_messages(WEB / "templates" / "lytt" / "base.html")


def test_every_template_message_has_a_bokmal_translation() -> None:
    with MO_FILE.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    missing = {
        (path.name, message)
        for path in TEMPLATES
        for message in _template_messages(path)
        if catalogue.gettext(message) == message and message not in {"Pause", "Episode %(number)s"}
    }
    assert not missing


def test_compiled_catalogue_matches_the_po_file() -> None:
    """The committed .mo must be compiled from the committed .po (recompile after editing it)."""
    with MO_FILE.with_suffix(".po").open("rb") as handle:
        source = read_po(handle, locale="nb")
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in source:
        if message.id and message.string:
            found = (
                compiled.pgettext(message.context, str(message.id))
                if message.context
                else compiled.gettext(str(message.id))
            )
            assert found == message.string, message.id


def test_blocktranslate_messages_are_extracted() -> None:
    assert "Episodes (%(count)s)" in _template_messages(WEB / "templates" / "lytt" / "_episode_list.html")
