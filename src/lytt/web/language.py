"""The language LocaleMiddleware would choose, computed from raw cookies and Accept-Language (no request)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    language_code_re,
    parse_accept_lang_header,
)


def language_for(cookies: dict[str, str], accept_language: str) -> str:
    """Cookie first, then the browser's preferences in order, then settings.LANGUAGE_CODE."""
    chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            return str(get_supported_language_variant(chosen))
        except LookupError:
            pass
    for code, _quality in parse_accept_lang_header(accept_language):
        if code == "*":
            break
        if not language_code_re.search(code):
            continue
        try:
            return str(get_supported_language_variant(code))
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)
