"""Template filters for the site: localised dates, durations and counts, excerpts, media URLs."""

from __future__ import annotations

import functools
import itertools
from datetime import datetime
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import FilterExpression, NodeList, Parser, TextNode, Token, Variable
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from lytt.web import formatting, marks
from lytt.web.media import playable_url
from lytt.web.people import roles_label

register = template.Library()


def _language() -> str:
    return get_language() or "nb"


@register.filter
def duration(seconds: int | None) -> str:
    return formatting.format_duration(seconds, _language())


@register.filter
def day(value: datetime | None) -> str:
    if value is None:
        return ""
    return formatting.format_day(timezone.localtime(value), _language())


@register.filter
def iso_time(value: datetime | None) -> str:
    return formatting.iso_time(value)


@register.filter
def count(value: int) -> str:
    return formatting.format_count(int(value or 0), _language())


@register.filter
def excerpt(text: str | None, limit: int = 200) -> str:
    return formatting.excerpt(text, int(limit))


@register.filter
def clock(seconds: float) -> str:
    return formatting.format_clock(float(seconds or 0))


@register.filter
def category_name(category: Any) -> str:
    return str(category.name_for(_language())) if category is not None else ""


@register.filter
def roles(values: list[str] | tuple[str, ...]) -> str:
    """A person's roles (as feeds write them) in the reader's language, joined."""
    return roles_label(values)


@register.simple_tag
def media_url(url: str) -> str:
    """The URL of artwork or audio, with the sample catalogue's files resolved to root-relative paths.

    Root-relative, not absolute, so that fragments rendered once are valid under any host name.
    """
    return playable_url(url)


@register.filter
def whole_seconds(seconds: float | None) -> int:
    return int(float(seconds or 0))


# ---- {% constant %}: parts of a page that depend on nothing but the language ----------------------------

_CONSTANT_NODES = (TextNode, TranslateNode, StaticNode, URLNode)
_constants: dict[tuple[int, str, str], str] = {}
_constant_ids = itertools.count()


def _is_literal(expression: FilterExpression) -> bool:
    var = expression.var
    return not expression.filters and (not isinstance(var, Variable) or var.lookups is None)


def _check_constant(nodelist: NodeList) -> None:
    """Allow only text and {% translate %}, {% static %}, {% url %} with literal arguments and no `as`."""
    for node in nodelist:
        if not isinstance(node, _CONSTANT_NODES):
            raise template.TemplateSyntaxError(f"{{% constant %}} cannot hold {type(node).__name__}")
        if isinstance(node, TranslateNode) and (node.asvar or not _is_literal(node.filter_expression)):
            raise template.TemplateSyntaxError("{% constant %}: only a literal {% translate %} without 'as'")
        if isinstance(node, StaticNode) and (node.varname or not _is_literal(node.path)):
            raise template.TemplateSyntaxError("{% constant %}: only a literal {% static %} without 'as'")
        if isinstance(node, URLNode) and (
            node.asvar
            or not _is_literal(node.view_name)
            or not all(map(_is_literal, [*node.args, *node.kwargs.values()]))
        ):
            raise template.TemplateSyntaxError("{% constant %}: only a literal {% url %} without 'as'")


@register.simple_tag
def route(name: str) -> str:
    """The path of a URL without arguments, '' if there is none (an app left out), as {% url name as x %}.

    Looked up once per name and URL prefix: the site chrome asks for the same seven on every page.
    """
    return _route(name, get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=128)
def _route(name: str, prefix: str, urlconf: str | None) -> str:
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return ""


class ConstantNode(template.Node):
    """Renders its content once per language and URL prefix per process, then reuses the string.

    For the site's chrome (header, footer, player): two dozen translations, static and URL lookups that
    are the same on every page. `_check_constant` refuses anything that could depend on the request.
    """

    child_nodelists = ()  # holds no {% block %}: {% extends %} need not search it on every render

    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist
        self.ident = next(_constant_ids)  # never reused, unlike id(): a reloaded template starts afresh

    def render(self, context: Context) -> str:
        key = (self.ident, get_language() or "", get_script_prefix())
        html = _constants.get(key)
        if html is None:
            html = _constants[key] = self.nodelist.render(context)
        return html


@register.tag
def constant(parser: Parser, token: Token) -> ConstantNode:
    nodelist = parser.parse(("endconstant",))
    parser.delete_first_token()
    _check_constant(nodelist)
    return ConstantNode(nodelist)


@receiver(setting_changed)
def _forget_constants(**kwargs: Any) -> None:
    """Tests that change settings (languages, static or URL prefixes, URLconf) must not see old renderings."""
    _constants.clear()
    _route.cache_clear()


@register.simple_tag
def mark_placeholder(episode_id: int) -> str:
    """Where a signed-in listener's mark of the episode goes (filled by `lytt.web.marks.MarksMiddleware`)."""
    return mark_safe(marks.placeholder(episode_id))


@register.simple_tag
def follow_placeholder(show: Any) -> str:
    """Where a signed-in listener's follow button goes (filled by `lytt.web.marks.MarksMiddleware`)."""
    return mark_safe(marks.follow_placeholder(show.pk, show.slug))


@register.simple_tag
def episode_actions(episode: Any, label: str | None = None) -> str:
    """A listed catalogue episode's play button and mark (`lytt.web.marks.row_actions`); its show loaded."""
    path = reverse("web:episode", args=[episode.show.slug, episode.slug])
    return marks.row_actions_for(episode, path, label)
