"""``{% url %}`` as Django's, with each address reversed once.

A page reverses the same few addresses on every request (the dashboard, the table's
partition page and Activity, the form actions): Django's ``reverse`` walks the URLconf's
patterns each time, about 25 µs an address. A template that loads this library
(``{% load dynadmin_urls %}``) gets a ``{% url %}`` of the same syntax and output that keeps
each address it reversed, by everything the address depends on: the view name and
arguments, the current application (the site's namespace), the URL prefix and the request's
URLconf. The kept addresses are bounded and forgotten when a setting changes. An argument
that cannot be a key (a list) is reversed every time; a failing reversal is never kept.
"""

from __future__ import annotations

from typing import Any

from django import template, urls
from django.template.base import Parser, Token
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf
from django.utils.html import conditional_escape

from ..services.own_templates import KeptTexts

register = template.Library()

#: the addresses reversed, at most 4,096
_kept = KeptTexts(4096)


def _reverse(view_name: str, args: list[Any], kwargs: dict[str, Any],
             current_app: str | None) -> str:
    try:
        key = (view_name, tuple(args), tuple(sorted(kwargs.items())), current_app,
               get_script_prefix(), get_urlconf())
        address = _kept.get(key)
    except TypeError:  # an argument that cannot be a key
        return urls.reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    if address is None:
        address = urls.reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        _kept.keep(key, address)
    return address


class KeptURLNode(URLNode):
    def render(self, context: template.Context) -> str:
        # Django's URLNode.render, reversing through _reverse
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = _reverse(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return str(conditional_escape(url)) if context.autoescape else url


@register.tag("url")
def url(parser: Parser, token: Token) -> KeptURLNode:
    node = django_url(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)
