"""Create, edit, delete and resolve conflicts. Every write is conditional (editing.writes).

The item as read when a form was opened travels with the form, signed, so the guard checks
exactly what the person saw, and a tampered copy is refused.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from .. import data
from ..data.serialization import dumps_dynamodb_json, loads_dynamodb_json
from ..definitions import Entity, Table
from ..editing import writes
from ..editing.forms import EntityForm, RawItemForm
from ..editing.validation import ItemInvalid
from ..options import EntityAdmin
from ..services.keys import BadKey, item_url, key_text, parse_item_key
from ..services.presentation import raw_text
from ..sites import site
from .auth import staff_required
from .errors import error_response
from .pages import get_table_or_404

_SALT = "dynadmin.original"


def sign_item(item: dict[str, Any] | None) -> str:
    return signing.dumps(dumps_dynamodb_json(item, indent=None) if item is not None else "",
                         salt=_SALT, compress=True)


def unsign_item(token: str) -> dict[str, Any] | None:
    try:
        text = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise BadKey("The form's copy of the item was altered or is missing. Open the item "
                     "again and redo the change.") from None
    return loads_dynamodb_json(text) if text else None


def _admin_for(table: Table, item: dict[str, Any]) -> EntityAdmin | None:
    entity = table.classify(item)
    return site.admin_for(entity) if entity is not None and site.is_registered(entity) else None


def _require(request: HttpRequest, admin: EntityAdmin | None, action: str) -> None:
    if admin is None:
        # Unclassified items have no entity permissions to check: only superusers edit them.
        if not request.user.is_superuser:
            raise PermissionDenied("Only superusers may change unclassified items.")
        return
    allowed = {"change": admin.has_change_permission, "delete": admin.has_delete_permission,
               "add": lambda r, *a: admin.has_add_permission(r)}[action](request)
    if not allowed:
        raise PermissionDenied(f"You may not {action} {admin.opts.verbose_name} items.")


def _require_any(request: HttpRequest, table: Table, action: str) -> None:
    """Before reading anything from the request: may this person {action} anything here?"""
    if request.user.is_superuser:
        return
    checks = {"change": "has_change_permission", "delete": "has_delete_permission"}
    if not any(getattr(site.admin_for(e), checks[action])(request)
               for e in site.entities_of(table)):
        raise PermissionDenied(f"You may not {action} items of {table.name}.")


def _read(request: HttpRequest, table: Table) -> dict[str, Any] | HttpResponse:
    try:
        key = parse_item_key(table, request.GET)
    except BadKey as exc:
        return error_response(request, 400, "Not a key of this table", str(exc))
    item = data.get_item(table, key, consistent=True)
    if item is None:
        return error_response(request, 404, "No item with this key",
                              "It may have been deleted or moved meanwhile.")
    return item


def _form(request: HttpRequest, table: Table, admin: EntityAdmin | None, item: dict | None,
          entity: type[Entity] | None = None, bound: bool = False) -> Any:
    args = (request.POST, request.FILES) if bound else ()
    raw = admin is None or request.GET.get("raw") == "1" or request.POST.get("raw") == "1"
    if raw:
        initial = {"item": dumps_dynamodb_json(item)} if item is not None else {}
        return RawItemForm(*args, table=table, initial=initial)
    target = entity or admin.entity
    return EntityForm(*args, entity=target, original=item,
                      readonly=admin.get_readonly_fields(request, item) if item else ())


def _current(request: HttpRequest, table: Table, action: str
             ) -> tuple[dict[str, Any], EntityAdmin | None] | HttpResponse:
    """For a GET: the item as it is now, its admin, and the person's right to ``action`` it."""
    current = _read(request, table)
    if isinstance(current, HttpResponse):
        return current
    admin = _admin_for(table, current)
    _require(request, admin, action)
    return current, admin


def _posted(request: HttpRequest, table: Table, action: str, title: str
            ) -> tuple[dict[str, Any], EntityAdmin | None] | HttpResponse:
    """For a POST: the item as the person read it (signed in the form), and their right."""
    try:
        original = unsign_item(request.POST.get("original", ""))
    except BadKey as exc:
        return error_response(request, 400, title, str(exc))
    if original is None:
        return error_response(request, 400, title, "The form is incomplete.")
    admin = _admin_for(table, original)
    _require(request, admin, action)
    return original, admin


@staff_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, table: str) -> HttpResponse:
    definition = get_table_or_404(table)
    _require_any(request, definition, "change")
    if request.method == "GET":
        found = _current(request, definition, "change")
        if isinstance(found, HttpResponse):
            return found
        current, admin = found
        return _render_form(request, definition, admin, current, _form(
            request, definition, admin, current))
    posted = _posted(request, definition, "change", "Cannot save this form")
    if isinstance(posted, HttpResponse):
        return posted
    original, admin = posted
    form = _form(request, definition, admin, original, bound=True)
    if not form.is_valid():
        return _render_form(request, definition, admin, original, form, status=400)
    return _save(request, definition, admin, original, form.cleaned_item, form=form)


def _save(request: HttpRequest, table: Table, admin: EntityAdmin | None,
          original: dict[str, Any], new_item: dict[str, Any], form: Any = None) -> HttpResponse:
    label = admin.opts.label if admin else ""
    try:
        result = writes.save(table, original, new_item, user=request.user, entity_label=label)
    except writes.NothingChanged:
        messages.info(request, "Nothing changed: nothing was written.")
        return HttpResponseRedirect(item_url(table, original))
    except writes.EditConflict as conflict:
        return conflict_response(request, table, admin, conflict)
    except writes.KeyTaken:
        message = ("Refused: another item already has this key, so the item was not moved. "
                   "Nothing was written.")
        if form is not None:
            form.add_error(None, message)
            return _render_form(request, table, admin, original, form, status=409)
        return error_response(request, 409, "Key already taken", message)
    except ItemInvalid as exc:
        return error_response(request, 400, "DynamoDB would refuse this item",
                              "; ".join(exc.messages), "Nothing was written.")
    verb = "Moved" if result.action == "move" else "Saved"
    if result.recovered:
        messages.success(request, f"{verb}, despite a hiccup: {result.recovered}")
    else:
        messages.success(request, f"{verb}. The write was conditional on what you had read.")
    return HttpResponseRedirect(item_url(table, result.after or new_item))


def _saved_note(result: writes.WriteResult) -> str:
    """Said after a success whose answer was lost and confirmed by reading the item back."""
    return f" (despite a hiccup: {result.recovered})" if result.recovered else ""


def _render_form(request: HttpRequest, table: Table, admin: EntityAdmin | None,
                 original: dict[str, Any] | None, form: Any, status: int = 200,
                 creating: bool = False) -> HttpResponse:
    return TemplateResponse(request, "dynadmin/edit.html", {
        "table": table, "admin": admin, "form": form, "original": original,
        "original_token": sign_item(original) if original is not None else "",
        "raw": isinstance(form, RawItemForm), "creating": creating,
        "item_link": item_url(table, original) if original else None,
        "unsafe_json": getattr(form, "unsafe_json", ()),
    }, status=status)


def conflict_response(request: HttpRequest, table: Table, admin: EntityAdmin | None,
                      conflict: writes.EditConflict) -> HttpResponse:
    """Per attribute: what you read, what is there now, what you wanted. Nothing written."""
    rows = []
    original, theirs, mine = conflict.original, conflict.theirs or {}, conflict.mine or {}
    for name in conflict.attributes():
        values = [raw_text(v[name]) if name in v else "—" for v in (original, theirs, mine)]
        rows.append({
            "name": name, "original": values[0], "theirs": values[1], "mine": values[2],
            "they_changed": original.get(name, _MISSING) != theirs.get(name, _MISSING),
            "i_changed": conflict.mine is not None and
            original.get(name, _MISSING) != mine.get(name, _MISSING),
        })
    return TemplateResponse(request, "dynadmin/conflict.html", {
        "table": table, "admin": admin, "rows": rows, "deleted": conflict.theirs is None,
        "deleting": conflict.mine is None,
        "original_token": sign_item(conflict.original),
        "theirs_token": sign_item(conflict.theirs),
        "mine_token": sign_item(conflict.mine),
        "item_link": item_url(table, conflict.theirs or conflict.original),
    }, status=409)


_MISSING = object()


@staff_required
@require_http_methods(["POST"])
def resolve(request: HttpRequest, table: str) -> HttpResponse:
    """Apply my changes on top of their version: my changed attributes win, theirs stay."""
    definition = get_table_or_404(table)
    _require_any(request, definition, "change")
    try:
        original = unsign_item(request.POST.get("original", ""))
        theirs = unsign_item(request.POST.get("theirs", ""))
        mine = unsign_item(request.POST.get("mine", ""))
    except BadKey as exc:
        return error_response(request, 400, "Cannot apply this change", str(exc))
    if original is None or mine is None:
        return error_response(request, 400, "Cannot apply this change", "Nothing to apply.")
    admin = _admin_for(definition, original)
    _require(request, admin, "change")
    if theirs is None:
        _require(request, _admin_for(definition, mine), "add")
        try:
            result = writes.create(definition, mine, user=request.user,
                                   entity_label=admin.opts.label if admin else "")
        except writes.KeyTaken:
            return error_response(request, 409, "Key already taken",
                                  "Someone created an item with this key meanwhile.")
        messages.success(request, "Re-created with your version." + _saved_note(result))
        return HttpResponseRedirect(item_url(definition, result.after or mine))
    return _save(request, definition, admin, theirs, writes.merge(original, theirs, mine))


@staff_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, table: str) -> HttpResponse:
    definition = get_table_or_404(table)
    _require_any(request, definition, "delete")
    if request.method == "GET":
        found = _current(request, definition, "delete")
        if isinstance(found, HttpResponse):
            return found
        current, admin = found
        return TemplateResponse(request, "dynadmin/delete.html", {
            "table": definition, "admin": admin, "item": current,
            "key_text": key_text(definition, current),
            "original_token": sign_item(current), "item_link": item_url(definition, current),
        })
    posted = _posted(request, definition, "delete", "Cannot delete")
    if isinstance(posted, HttpResponse):
        return posted
    original, admin = posted
    try:
        result = writes.delete(definition, original, user=request.user,
                               entity_label=admin.opts.label if admin else "")
    except writes.EditConflict as conflict:
        return conflict_response(request, definition, admin, conflict)
    messages.success(request, "Deleted (it was unchanged since you read it)."
                     + _saved_note(result))
    return HttpResponseRedirect(_after_delete_url(definition, original))


def _after_delete_url(table: Table, item: dict[str, Any]) -> str:
    from ..services.browse import partition_url

    return partition_url(table, item[table.primary.pk])


@staff_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, entity: str) -> HttpResponse:
    target = site.get_entity(entity)
    if target is None:
        return error_response(request, 404, "No such entity", f"{entity!r} is not registered.")
    admin = site.admin_for(target)
    _require(request, admin, "add")
    table = target._meta.table
    if request.method == "GET":
        form = EntityForm(entity=target)
        return _render_form(request, table, admin, None, form, creating=True)
    form = EntityForm(request.POST, request.FILES, entity=target)
    if not form.is_valid():
        return _render_form(request, table, admin, None, form, status=400, creating=True)
    try:
        result = writes.create(table, form.cleaned_item, user=request.user,
                               entity_label=admin.opts.label)
    except writes.KeyTaken as taken:
        form.add_error(None, "Refused: an item with this key already exists. Nothing was "
                             "written; creating never overwrites.")
        response = _render_form(request, table, admin, None, form, status=409, creating=True)
        response.context_data["existing_link"] = item_url(table, taken.key)
        return response
    except ItemInvalid as exc:
        form.add_error(None, exc.messages)
        return _render_form(request, table, admin, None, form, status=400, creating=True)
    messages.success(request, f"Created {admin.opts.verbose_name}." + _saved_note(result))
    return HttpResponseRedirect(item_url(table, result.after))


@staff_required
@require_http_methods(["POST"])
def run_action(request: HttpRequest, table: str) -> HttpResponse:
    """An action on the rows selected in a list; the result says what was written."""
    from ..editing.actions import Selection
    from ..editing.actions import run_action as run

    definition = get_table_or_404(table)
    entity_name, _, name = request.POST.get("action", "").partition(".")
    entity = next((e for e in site.entities_of(definition) if e._meta.name == entity_name), None)
    if entity is None:
        return error_response(request, 400, "Unknown action", "Pick an action from the list.")
    admin = site.admin_for(entity)
    if name not in admin.actions:
        return error_response(request, 400, "Unknown action", "Pick an action from the list.")
    if name not in admin.get_actions(request):
        raise PermissionDenied("You may not run this action.")
    chosen = request.POST.getlist("item")
    if not chosen:
        return error_response(request, 400, "Nothing selected",
                              "Tick the rows the action should apply to.")
    try:
        selected = Selection.unsign(request.POST.get("selection", ""), chosen)
    except ValueError as exc:
        return error_response(request, 400, "Cannot run this action", str(exc))
    outcomes = run(request, definition, admin, name, selected)
    return TemplateResponse(request, "dynadmin/action_result.html", {
        "table": definition, "admin": admin, "description": admin.get_actions(request)[
            name].description, "outcomes": outcomes,
        "back": _local_url(request, request.POST.get("back", "")),
    })


def _local_url(request: HttpRequest, url: str) -> str:
    """A link back into this site only (never another host or a javascript: URL)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    if url.startswith("/") and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return ""
