"""Built-in template tags and filters that replace slower ones of Django (see settings
TEMPLATES "builtins"): ``{% url %}`` through ``fast_reverse`` and ``|dmy``.  Both give
exactly Django's output (tests/test_fasturls.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from teilhabe.core.fasturls import fast_reverse

register = template.Library()


class FastURLNode(URLNode):
    """Django's ``URLNode`` with ``fast_reverse`` for positional arguments."""

    def render(self, context: template.Context) -> str:
        if self.kwargs:
            return str(super().render(context))
        args = [arg.resolve(context) for arg in self.args]
        view_name = self.view_name.resolve(context)
        request = getattr(context, "request", None)
        try:
            current_app = request.current_app  # type: ignore[union-attr]
        except AttributeError:
            try:
                current_app = request.resolver_match.namespace  # type: ignore[union-attr]
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = fast_reverse(view_name, args, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        if context.autoescape:
            url = conditional_escape(url)
        return str(url)


@register.tag
def url(parser: template.base.Parser, token: template.base.Token) -> URLNode:
    """``{% url %}`` exactly as Django's, rendered by ``FastURLNode``."""
    node = django_url(parser, token)
    return FastURLNode(node.view_name, node.args, node.kwargs, node.asvar)


@register.filter(expects_localtime=True)
def dmy(value: Any) -> str:
    """``|dmy`` (the German date) without Django's general date formatter."""
    if value in (None, ""):
        return ""
    if not isinstance(value, date):
        return ""
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
