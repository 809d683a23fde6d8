"""``{% reused dependency ... %}…{% endreused %}``: a piece of every page, rendered once.

The chrome of a page (the static files' addresses, the header with its search form and the
signed-in person's menu) depends on the site and on who is signed in, not on the page, yet the
template engine walked its forty-odd nodes (URL reversals, translations, static lookups) on
every request. A ``reused`` block is rendered once for each value of what it depends on, the
expressions after the tag's name plus the active language and where its URLs point (the URL
prefix, the URLconf, the site's namespace: several sites may share a process), and its text is
reused by every later request of this process (at most ``LIMIT`` values a block, then it
starts again).

The CSRF token is the one value of a request a block may show without naming it: the block is
rendered with a placeholder for it (in ``{% csrf_token %}`` or ``{{ csrf_token }}``), which each
request replaces with its own token. Anything else the block shows must be among its
dependencies. The setting ``DYNADMIN_CHECK_REUSED`` (on in the test settings) renders the block
again on every use and raises when the two differ, so that a page test catches a dependency
left out.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django import template
from django.core.exceptions import ImproperlyConfigured
from django.template.base import FilterExpression, NodeList, Parser, Token, Variable
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .. import conf
from ..services.own_templates import settings_generation

register = template.Library()

#: the values of its dependencies one block keeps text for
LIMIT = 256

#: what a block is rendered with in place of the CSRF token: letters and digits only, so that
#: no escaping changes it
_TOKEN = f"dynadminreusedtoken{secrets.token_hex(8)}"

class ReusedNode(template.Node):
    def __init__(self, nodelist: NodeList, dependencies: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.dependencies = dependencies
        self.resolvers = [_resolver(dependency) for dependency in dependencies]
        #: the block's text for each value of its dependencies, split where the token goes
        self.texts: dict[tuple[Any, ...], list[str]] = {}
        self.generation = settings_generation()

    def render(self, context: template.Context) -> SafeString:
        token = context.get("csrf_token")
        if token is None or str(token) == "NOTPROVIDED":
            return self.nodelist.render(context)  # no token to put in: rendered as it is
        key = (get_language(), *_where(context), *[resolve(context) for resolve in self.resolvers])
        try:
            parts = self.texts.get(key)
        except TypeError:  # a dependency that cannot be a key: rendered as it is
            return self.nodelist.render(context)
        generation = settings_generation()
        if parts is None or self.generation != generation:
            if self.generation != generation:
                self.texts, self.generation = {}, generation
            with context.push(csrf_token=_TOKEN):
                parts = self.nodelist.render(context).split(_TOKEN)
            texts = self.texts if len(self.texts) < LIMIT else {}
            texts[key] = parts
            self.texts = texts
        text = str(token).join(parts)
        if conf.get("CHECK_REUSED"):
            fresh = self.nodelist.render(context)
            if fresh != text:
                raise ImproperlyConfigured(
                    f"A {{% reused %}} block ({self.origin_name()}) shows something it does not "
                    f"name as a dependency: reused {text!r}, rendered now {fresh!r}.")
        return mark_safe(text)  # noqa: S308 - the block's own rendering, escaped by it

    def origin_name(self) -> str:
        origin = getattr(self, "origin", None)
        return f"{getattr(origin, 'template_name', '?')}, line {self.token.lineno}"


def _where(context: template.Context) -> tuple[Any, ...]:
    """What a ``{% url %}`` in the block reverses with besides its arguments: the URL prefix,
    the request's URLconf, and the site's URL namespace (several sites share one URLconf).
    The same for the whole of one rendering (its request's): asked once a context."""
    where = context.__dict__.get("_dynadmin_where")
    if where is None:
        request = getattr(context, "request", None)
        match = getattr(request, "resolver_match", None)
        where = context._dynadmin_where = (  # type: ignore[attr-defined]
            get_script_prefix(), get_urlconf(), getattr(request, "current_app", None),
            getattr(match, "namespace", None))
    return where


_MISSING = object()


def _resolver(dependency: FilterExpression) -> Callable[[template.Context], Any]:
    """How the block finds the value of one of its dependencies: ``a.b.c`` as attributes of a
    context variable or keys of a dictionary, without the template engine's tries of a key
    on each object (an exception for each: a dozen microseconds a block). Anything else (a
    filter, a literal, a list on the way, a method to call, a missing value) is left to the
    template engine, whose answer it would be anyway."""
    var = dependency.var
    if dependency.filters or not isinstance(var, Variable) or var.lookups is None \
            or var.translate:
        return dependency.resolve
    first, rest = var.lookups[0], var.lookups[1:]

    def resolve(context: template.Context) -> Any:
        try:
            current = context[first]
        except KeyError:
            return dependency.resolve(context)
        for bit in rest:
            if callable(current):
                return dependency.resolve(context)
            if isinstance(current, dict):  # as the engine: the key first
                current = _key(current, bit)
            elif hasattr(type(current), "__getitem__"):
                return dependency.resolve(context)
            else:
                current = getattr(current, bit, _MISSING)
            if current is _MISSING:
                return dependency.resolve(context)
        return dependency.resolve(context) if callable(current) else current

    return resolve


def _key(mapping: dict[str, Any], key: str) -> Any:
    """``mapping[key]`` (a subclass's ``__missing__`` answers too), else ``_MISSING``."""
    try:
        return mapping[key]
    except KeyError:
        return _MISSING


@register.tag("reused")
def reused(parser: Parser, token: Token) -> ReusedNode:
    dependencies = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endreused",))
    parser.delete_first_token()
    return ReusedNode(nodelist, dependencies)
