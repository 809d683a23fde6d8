"""What a person sent that dynadmin cannot use: one family of errors, one page.

Every such error is a 400 with a title, the message and, where it helps, advice (most often
"Nothing was written."). The site renders any of them the same way it renders a ``DataError``
(``views/serving.py``), so a view only catches one where it shows the message somewhere
else, such as next to a form field.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

__all__ = ["UserInputError"]


class UserInputError(ValueError):
    status = 400
    title = gettext_lazy("Cannot use this input")
    advice = ""

    def __init__(self, message: str, *, title: str | None = None,
                 advice: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title
        if advice is not None:
            self.advice = advice
