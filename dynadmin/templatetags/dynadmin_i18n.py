"""``{% translate "text" %}`` as Django's, with each text translated once per language.

A page has a few dozen fixed texts to translate (headings, buttons, column names), and
Django's tag looks each one up anew on every request: a lazy translation made, resolved
against the active language and escaped, about 7 µs a text. A template that loads this
library after ``i18n`` (``{% load i18n dynadmin_i18n %}``) gets a ``{% translate %}`` (and
``{% trans %}``) of the same syntax and output that keeps what a fixed text became, by the
active language and whether the template escapes. Anything else (a variable, a filter, a
context given by a variable, ``noop``) is Django's tag as it is. What is kept is forgotten
when a setting changes (a locale path, the languages). With ``DYNADMIN_CHECK_REUSED`` (on
in the test settings) each use is translated again and compared.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import ImproperlyConfigured
from django.template.base import Parser, Token
from django.templatetags.i18n import TranslateNode, do_translate
from django.utils.translation import get_language

from .. import conf
from ..services.own_templates import settings_generation

register = template.Library()

class KeptTranslateNode(TranslateNode):
    def __init__(self, node: TranslateNode) -> None:
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        #: the text as translated, by language and escaping (a few languages at most)
        self.kept: dict[tuple[str | None, bool], Any] = {}
        self.generation = settings_generation()
        self.fixed = (not self.noop and _is_fixed(self.filter_expression)
                      and (self.message_context is None or _is_fixed(self.message_context)))

    def render(self, context: template.Context) -> str:
        if not self.fixed:
            return super().render(context)
        generation = settings_generation()
        if self.generation != generation:
            self.kept, self.generation = {}, generation
        key = (get_language(), context.autoescape)
        value = self.kept.get(key)
        if value is None or conf.get("CHECK_REUSED"):
            fresh = self._translated(context)
            if value is not None and fresh != value:
                raise ImproperlyConfigured(
                    f"A kept {{% translate %}} differs from its translation now: kept "
                    f"{value!r}, translated now {fresh!r}.")
            value = self.kept[key] = fresh
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value

    def _translated(self, context: template.Context) -> Any:
        """What Django's tag writes (or sets, with ``as``)."""
        if not self.asvar:
            return super().render(context)
        with context.push():
            super().render(context)
            return context[self.asvar]


def _is_fixed(expression: Any) -> bool:
    """A quoted text without filters (not a variable)."""
    var = expression.var
    return not expression.filters and (isinstance(var, str) or var.lookups is None)


def _kept_translate(parser: Parser, token: Token) -> KeptTranslateNode:
    return KeptTranslateNode(do_translate(parser, token))


register.tag("translate", _kept_translate)
register.tag("trans", _kept_translate)
