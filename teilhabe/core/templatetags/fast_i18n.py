"""Django's ``i18n`` template library with a faster ``{% translate %}`` (settings TEMPLATES
"libraries" maps ``{% load i18n %}`` here): a fixed text is translated once per language and
then taken from a dictionary.  The output is exactly Django's (tests/test_fasturls.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Variable
from django.templatetags import i18n as django_i18n
from django.templatetags.i18n import TranslateNode, do_translate
from django.utils.translation import get_language

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)

# (language, text, message context, autoescape) -> the rendered translation
_TRANSLATED: dict[tuple[Any, ...], str] = {}


def _literal(expression: Any) -> Any:
    """The fixed text of a filter expression without filters, else None."""
    if expression is None or expression.filters or not isinstance(expression.var, Variable):
        return None
    return expression.var.literal if isinstance(expression.var.literal, str) else None


class FastTranslateNode(TranslateNode):
    """Django's ``TranslateNode``; a fixed text (with a fixed message context) is translated
    once per language and then taken from a dictionary.  Everything else (variables, filters,
    ``noop``, ``as``) is rendered by Django."""

    def render(self, context: template.Context) -> str:
        text = _literal(self.filter_expression)
        message_context = _literal(self.message_context) if self.message_context else ""
        if self.noop or self.asvar or text is None or message_context is None:
            return str(super().render(context))
        key = (get_language(), text, message_context, context.autoescape)
        value = _TRANSLATED.get(key)
        if value is None:
            value = super().render(context)
            _TRANSLATED[key] = value
        return value


def translate(parser: template.base.Parser, token: template.base.Token) -> TranslateNode:
    """``{% translate %}`` exactly as Django's, rendered by ``FastTranslateNode``."""
    node = do_translate(parser, token)
    fast = FastTranslateNode.__new__(FastTranslateNode)
    fast.__dict__.update(node.__dict__)
    return fast


register.tag("translate", translate)
register.tag("trans", translate)
