"""What a writing job does to one item: set fields, delete, or run an admin action.

Each item is the item as read again (consistently) just before its write, and is written
through its entity admin's hooks (``save_item``, ``delete_item``) with the guard of a single
edit: the version (or every changed attribute) as the job read it. The creator's
permissions are asked again of every item, through the admin's per-item hooks, with a
request that carries the creator as its user: a job does what its creator could do page by
page, and nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ..data.serialization import same_value
from ..definitions import KeyTemplateError
from ..definitions import fields as f
from ..definitions.fields import FieldError
from ..editing import writes
from ..editing.actions import changed_item
from ..editing.inputs import form_field
from ..editing.validation import ItemInvalid, check_ttl, validate_item
from ..user_errors import UserInputError

if TYPE_CHECKING:
    from ..options import EntityAdmin

__all__ = ["BadJob", "Change", "Outcome", "creator_request", "settable_fields", "typed_values"]

#: the inputs whose text a job can type a value from, as the edit form would
_SETTABLE_INPUTS = {"text", "email", "number", "select", "date", "datetime-local", "checkbox"}


class BadJob(UserInputError):
    """A job that cannot be made as asked (a field that cannot be set, a value its field
    refuses, an action that does not exist): nothing is queued."""

    title = "This job cannot run"


def creator_request(user: Any, site_name: str = "dynadmin") -> HttpRequest:
    """A request whose user is the job's creator: what the admin's permission hooks and
    actions are asked with when no person is waiting for a page."""
    request = HttpRequest()
    request.user = user
    request.method = "POST"
    request.current_app = site_name
    return request


def settable_fields(admin: EntityAdmin, request: HttpRequest) -> dict[str, f.Field]:
    """The fields a job may set: those the edit form offers, typed in one input, that the
    primary key is not spelt from (that moves the item: never in bulk; an index key is
    spelt again, as an edit does) and not read-only."""
    primary = set(admin.opts.primary_key.variables)
    readonly = set(admin.get_readonly_fields(request))
    return {name: fld for name, fld in admin.get_fields(request).items()
            if fld.input_type in _SETTABLE_INPUTS and name not in readonly
            and name not in primary and not fld.key_only
            and not isinstance(fld, (f.Version, f.WriteMarker))}


def typed_values(admin: EntityAdmin, request: HttpRequest, texts: Mapping[str, str]
                 ) -> dict[str, Any]:
    """The values ``texts`` (field name → text as typed) set, typed and checked as the edit
    form types and checks them; BadJob naming every value that cannot be used."""
    allowed = settable_fields(admin, request)
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, text in texts.items():
        fld = allowed.get(name)
        if fld is None:
            problems.append(f"{name!r} is not a field a job can set on "
                            f"{admin.opts.verbose_name_plural}.")
            continue
        try:
            values[name] = _typed(fld, form_field(fld, disabled=False).clean(text))
        except forms.ValidationError as exc:
            problems.append(f"{fld.label}: {' '.join(exc.messages)}")
        except (FieldError, UserInputError) as exc:
            problems.append(str(exc))
    if not texts:
        problems.append("Say which field to set, and to what.")
    if problems:
        raise BadJob(" ".join(problems))
    return values


def _typed(fld: f.Field, raw: Any) -> Any:
    """As ``EntityForm`` reads one input: empty removes the attribute."""
    if raw in (None, ""):
        return None
    if isinstance(fld, (f.TTL, f.DateTime)):
        moment = raw.replace(tzinfo=dt.UTC) if raw.tzinfo is None else raw
        if isinstance(fld, f.TTL):
            check_ttl(fld.label, moment)
        return fld.to_python(moment)
    if isinstance(fld, f.Null):
        return True if raw else None
    return fld.to_python(raw)


@dataclass
class Outcome:
    """What happened to one item: a ``JobItem.Status`` value, and why. (What a write did is
    its audit entry's, which the job's Undo reverses.)"""

    status: str
    message: str = ""


@dataclass
class Change:
    """One writing job's change, applied item by item."""

    admin: EntityAdmin
    request: HttpRequest
    kind: str  # "update" | "delete" | "action"
    values: dict[str, Any]
    action: Callable[..., Any] | None = None
    action_name: str = ""
    dry_run: bool = False

    @classmethod
    def of(cls, admin: EntityAdmin, request: HttpRequest, kind: str,
           parameters: Mapping[str, Any], *, dry_run: bool = False) -> Change:
        """The change a job's kind and parameters ask for; BadJob when it cannot be made."""
        if kind == "update":
            return cls(admin, request, kind, typed_values(admin, request,
                                                          parameters.get("set") or {}),
                       dry_run=dry_run)
        if kind == "delete":
            return cls(admin, request, kind, {}, dry_run=dry_run)
        if kind == "action":
            name = str(parameters.get("action") or "")
            method = admin.get_actions(request).get(name)
            if method is None:
                raise BadJob(f"{name!r} is not an action you may run on "
                             f"{admin.opts.verbose_name_plural}.")
            return cls(admin, request, kind, {}, action=method, action_name=name,
                       dry_run=dry_run)
        raise BadJob(f"{kind!r} is not a job that changes items.")

    def may(self, item: dict[str, Any]) -> bool:
        """The creator's permission for this item, asked of the admin's per-item hooks."""
        admin, request = self.admin, self.request
        if not admin.has_view_permission(request, item):
            return False
        if self.kind == "delete":
            return admin.has_delete_permission(request, item)
        permission = getattr(self.action, "permission", "change") if self.action else "change"
        check = {"change": admin.has_change_permission,
                 "delete": admin.has_delete_permission}.get(permission)
        return check(request, item) if check is not None else True

    def wanted(self, current: dict[str, Any]) -> dict[str, Any] | None:
        """The item this change makes of ``current`` (None: a delete); ``current`` itself
        when there is nothing to change."""
        if self.kind == "delete":
            return None
        changes = self.values
        if self.action is not None:
            values = self.admin.entity.parse_item(current).values
            changes = self.action(self.request, dict(values)) or {}
        return changed_item(self.admin.entity, current, changes)

    def produced(self, current: dict[str, Any] | None) -> bool:
        """Does ``current`` already hold what this change writes? (After a worker was killed
        between its write and its record: the write was this job's own.)"""
        if self.kind == "delete":
            return current is None
        if current is None:
            return False
        wanted = self.wanted(current)
        return all(same_value(wanted.get(name), current.get(name))
                   for name in set(wanted) | set(current))

    def apply(self, current: dict[str, Any]) -> Outcome:
        """Write this change to ``current`` (the item as just read), guarded by it."""
        admin, request = self.admin, self.request
        if not self.may(current):
            return Outcome("refused", "the job's creator may not change this item")
        try:
            wanted = self.wanted(current)
            if wanted is not None and not writes.changed_attributes(current, wanted):
                return Outcome("unchanged", "already as the job wants it")
            if self.dry_run:
                if wanted is not None:
                    validate_item(admin.opts.table, wanted)
                return Outcome("would_write", "dry run: nothing written")
            if wanted is None:
                result = admin.delete_item(request, current)
            else:
                result = admin.save_item(request, wanted, original=current,
                                         action="action" if self.action else "update")
        except writes.NothingChanged:
            return Outcome("unchanged", "already as the job wants it")
        except writes.EditConflict:
            return Outcome("conflicted", "changed by someone else since the job read it; "
                           "not written")
        except writes.KeyTaken:
            return Outcome("conflicted", "its new key is taken; not written")
        except (ItemInvalid, FieldError, KeyTemplateError) as exc:
            return Outcome("failed", str(exc))
        except (PermissionDenied, UserInputError) as exc:
            return Outcome("refused", str(exc) or "refused; not written")
        return Outcome("written", result.recovered)
