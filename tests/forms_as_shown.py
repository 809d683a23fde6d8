"""A page's form as a browser submits it when the person touches nothing.

Tests that must send back exactly what a page showed read it from the HTML, not from the
form object: the text of each input, the selected option, a textarea's text with its first
newline dropped and its lines ending in CRLF, the ticked checkboxes, every selected option
of a multiple select.
"""

from __future__ import annotations

from html.parser import HTMLParser

__all__ = ["shown_fields"]


class _FormFields(HTMLParser):
    """The fields of the page's form as a browser submits them untouched: inputs' values,
    the selected option, textareas' text (its first newline dropped, lines ending in CRLF),
    ticked checkboxes; no button."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str | list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._multiple = False
        self._first_option: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            elif kind not in ("submit", "file", "button"):
                self.fields[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select, self._multiple = name, "multiple" in a
            if self._multiple:
                self.fields[name] = []  # sends each selected option, or nothing
        elif tag == "option" and self._select:
            self._first_option.setdefault(self._select, a.get("value", ""))
            if "selected" in a and self._multiple:
                self.fields[self._select].append(a.get("value", ""))
            elif "selected" in a:
                self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea:
            text = self.fields[self._textarea]
            text = text[1:] if text.startswith("\n") else text
            self.fields[self._textarea] = text.replace("\n", "\r\n")
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._multiple:  # a single select always sends one option
                self.fields.setdefault(self._select, self._first_option.get(self._select, ""))
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def shown_fields(response) -> dict[str, str | list[str]]:
    parser = _FormFields()
    parser.feed(response.content.decode())
    return parser.fields
