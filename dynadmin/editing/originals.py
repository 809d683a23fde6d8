"""The item as a person read it, carried by a form, signed.

Every write is guarded by what the person saw when the form opened (the *original*). It
travels with the form rather than in the session so that several tabs can edit at once; it is
signed so that a tampered copy is refused instead of becoming the guard.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..data.serialization import dumps_dynamodb_json, loads_dynamodb_json
from ..user_errors import UserInputError

__all__ = ["TamperedOriginal", "sign_item", "sign_names", "unsign_item", "unsign_names"]

_SALT = "dynadmin.original"
_NAMES_SALT = "dynadmin.conflict-choices"


class TamperedOriginal(UserInputError):
    """The form's copy of the item is missing or was altered: shown as a 400."""

    title = gettext_lazy("Cannot use this form")


def sign_item(item: dict[str, Any] | None) -> str:
    return signing.dumps(dumps_dynamodb_json(item, indent=None) if item is not None else "",
                         salt=_SALT, compress=True)


def unsign_item(token: str) -> dict[str, Any] | None:
    try:
        text = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise TamperedOriginal(_("The form's copy of the item was altered or is missing. Open "
                                 "the item again and redo the change.")) from None
    return loads_dynamodb_json(text) if text else None


def sign_names(names: list[str]) -> str:
    """The attributes a conflict page asks the person to choose for, in the order its
    choices are numbered: signed, so a choice always means the attribute it was shown for."""
    return signing.dumps(list(names), salt=_NAMES_SALT, compress=True)


def unsign_names(token: str) -> list[str]:
    if not token:
        return []
    try:
        names = signing.loads(token, salt=_NAMES_SALT)
    except signing.BadSignature:
        names = None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise TamperedOriginal(_("The form's list of choices was altered. Open the item "
                                 "again and redo the change."))
    return names
