"""``{% include_written "dynadmin/partials/pager.html" %}``: an include that dynadmin may
write in Python.

It takes what ``{% include %}`` takes (``with name=value``, ``only``) and renders what it
renders. When ``services/display/partials.py`` writes the template named and the page's
template engine finds dynadmin's own copy of it (not a project's override), the function
writes the markup instead of the template engine; otherwise, or when the function declines
the context, it is Django's include. The setting ``DYNADMIN_CHECK_REUSED`` (on in the test
settings) renders the template too on every use and raises when the two differ.
"""

from __future__ import annotations

from django import template
from django.core.exceptions import ImproperlyConfigured
from django.template.base import Parser, Token
from django.template.loader_tags import IncludeNode, do_include
from django.utils.safestring import SafeString, mark_safe

from .. import conf
from ..services.display.partials import written

register = template.Library()


class WrittenIncludeNode(IncludeNode):
    def render(self, context: template.Context) -> SafeString:
        name = self.template.resolve(context)
        if not isinstance(name, str) or self.isolated_context:
            return super().render(context)
        values = {key: value.resolve(context) for key, value in self.extra_context.items()}
        with context.push(**values):
            text = written(context, name)
        if text is None:
            return super().render(context)
        if conf.get("CHECK_REUSED"):
            rendered = super().render(context)
            if rendered != text:
                raise ImproperlyConfigured(
                    f"The Python markup of {name} differs from its template: written "
                    f"{text!r}, rendered {rendered!r}.")
        return mark_safe(text)  # noqa: S308 - the writers escape every value


@register.tag("include_written")
def include_written(parser: Parser, token: Token) -> WrittenIncludeNode:
    node = do_include(parser, token)
    return WrittenIncludeNode(node.template, extra_context=node.extra_context,
                              isolated_context=node.isolated_context)
