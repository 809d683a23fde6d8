"""Create and edit an item, and apply mine on top of theirs after a conflict. Every write
is conditional (``editing.writes``).

The item as read when a form was opened travels with the form, signed
(``editing.originals``), so the guard checks exactly what the person saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..data.serialization import dumps_dynamodb_json
from ..definitions import Table
from ..editing import writes
from ..editing.conflicts import resolved_item
from ..editing.forms import RawItemForm, lay_out
from ..editing.originals import TamperedOriginal, sign_item, unsign_item, unsign_names
from ..editing.raw import check_raw_item
from ..editing.validation import ItemInvalid
from ..services.display.names import item_name
from ..services.links import site_url
from ..services.url_keys import edit_url, item_url
from ..user_errors import UserInputError
from .access import (
    current_item,
    may_edit_raw,
    posted_original,
    require,
    require_any,
    require_raw,
    require_write_of,
)
from .addresses import table_or_404
from .conflicts import CHOICE_FIELD, conflict_response, saved_note
from .errors import error_response

if TYPE_CHECKING:
    from ..options import EntityAdmin
    from ..sites import AdminSite

__all__ = ["create", "edit", "resolve", "save"]

#: the name of the "Save and continue editing" button, as Django's admin calls it
CONTINUE = "_continue"


def _saved_url(request: HttpRequest, table: Table, item: dict[str, Any]) -> str:
    """Where a save lands: the item's page, or its edit form again when the person asked to
    continue editing."""
    return (edit_url if CONTINUE in request.POST else item_url)(table, item)


def _is_raw(request: HttpRequest, admin: EntityAdmin | None) -> bool:
    return admin is None or request.GET.get("raw") == "1" or request.POST.get("raw") == "1"


def _form(request: HttpRequest, table: Table, admin: EntityAdmin | None, item: dict | None,
          bound: bool = False) -> Any:
    args = (request.POST, request.FILES) if bound else ()
    if _is_raw(request, admin):
        require_raw(request)
        initial = {"item": dumps_dynamodb_json(item)} if item is not None else {}
        return RawItemForm(*args, table=table, initial=initial)
    return admin.get_form(request, item)(*args, original=item)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition = table_or_404(site, table)
    require_any(site, request, definition, "change")
    if request.method == "GET":
        current, admin = current_item(site, request, definition, "change")
        return _render_form(request, site, definition, admin, current,
                            _form(request, definition, admin, current))
    original, admin = posted_original(site, request, definition, "change",
                                      _("Cannot save this form"))
    form = _form(request, definition, admin, original, bound=True)
    if not form.is_valid():
        return _render_form(request, site, definition, admin, original, form, status=400)
    new_item = form.cleaned_item
    if isinstance(form, RawItemForm):
        require_write_of(site, request, definition, original, new_item)
        readonly = admin.get_readonly_fields(request, original) if admin else ()
        try:
            new_item = check_raw_item(definition, original, new_item, readonly=readonly)
        except ItemInvalid as exc:
            form.add_error("item", exc.messages)
            return _render_form(request, site, definition, admin, original, form, status=400)
    return save(request, site, definition, admin, original, new_item, form=form)


def save(request: HttpRequest, site: AdminSite, table: Table, admin: EntityAdmin | None,
         original: dict[str, Any], new_item: dict[str, Any], form: Any = None) -> HttpResponse:
    # Permission is judged on the item that would be written: a raw edit can make it another
    # entity, and any edit of a key field moves it.
    require_write_of(site, request, table, original, new_item)
    try:
        result = site.writer(request, table).save(new_item, original=original)
    except writes.NothingChanged:
        messages.info(request, _("Nothing changed: nothing was written."))
        return HttpResponseRedirect(_saved_url(request, table, original))
    except writes.EditConflict as conflict:
        return conflict_response(request, site, table, admin, conflict)
    except UserInputError as refused:
        # The admin's save_item refused it: said on the form, which keeps what was typed.
        if form is None or isinstance(refused, ItemInvalid):
            raise
        form.add_error(None, refused.message)
        return _render_form(request, site, table, admin, original, form, status=400)
    except writes.KeyTaken:
        message = _("Refused: another item already has this key, so the item was not moved. "
                    "Nothing was written.")
        if form is not None:
            form.add_error(None, message)
            return _render_form(request, site, table, admin, original, form, status=409)
        return error_response(request, 409, _("Key already taken"), message)
    moved = result.action == "move"
    if result.recovered:
        text = (_("Moved, despite a hiccup: %(how)s") if moved
                else _("Saved, despite a hiccup: %(how)s")) % {"how": result.recovered}
    else:
        text = (_("Moved. The write was conditional on what you had read.") if moved
                else _("Saved. The write was conditional on what you had read."))
    messages.success(request, text)
    return HttpResponseRedirect(_saved_url(request, table, result.after or new_item))


@dataclass(frozen=True)
class EditWords:
    """What the edit page says, creating or changing an item."""

    title: str
    heading: str
    crumb: str
    intro: str
    save: str
    save_and_continue: str


def _words(admin: EntityAdmin | None, name: str, *, creating: bool) -> EditWords:
    if creating:
        thing = admin.opts.verbose_name if admin else _("item")
        return EditWords(
            title=_("New %(name)s") % {"name": thing},
            heading=_("New %(name)s") % {"name": thing.lower()}, crumb=_("New"),
            intro=_("Creating never overwrites: the write is refused if an item with this key "
                    "exists."),
            save=_("Create"), save_and_continue=_("Create and continue editing"))
    return EditWords(
        title=_("Change %(name)s") % {"name": name},
        heading=_("Change %(name)s") % {"name": name}, crumb=_("Change"),
        intro=_("Saving writes only what you changed, and only if nobody changed the item "
                "since you opened this form. Key fields change the item's key: the item is "
                "then moved in one transaction."),
        save=_("Save"), save_and_continue=_("Save and continue editing"))


def _render_form(request: HttpRequest, site: AdminSite, table: Table,
                 admin: EntityAdmin | None, original: dict[str, Any] | None, form: Any,
                 status: int = 200, creating: bool = False) -> TemplateResponse:
    raw = isinstance(form, RawItemForm)
    may_raw = may_edit_raw(request)
    name = item_name(site, table, original) if original else ""
    lay_out(form, may_edit_raw=may_raw)
    return TemplateResponse(request, site.template_names(
        "edit.html", table, admin.entity if admin else None), {
        "table": table, "admin": admin, "form": form, "original": original,
        "original_token": sign_item(original) if original is not None else "",
        "raw": raw, "creating": creating, "words": _words(admin, name, creating=creating),
        "item_link": item_url(table, original) if original else None,
        "item_name": name,
        "entity_link": site_url("entity", entity=admin.opts.label) if admin else "",
        "cancel_link": item_url(table, original) if original else (
            site_url("entity", entity=admin.opts.label) if admin else site_url("dashboard")),
        "may_edit_raw": may_raw,
        # An entity's item can also be edited whole, as DynamoDB JSON, by whoever may.
        "raw_link": (f"?{request.GET.urlencode()}&raw=1"
                     if admin and may_raw and not raw and not creating else ""),
    }, status=status)


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, site: AdminSite, entity: str) -> HttpResponse:
    target = site.get_entity(entity)
    if target is None:
        return error_response(request, 404, _("No such entity"),
                              _("%(name)r is not registered.") % {"name": entity})
    admin = site.get_entity_admin(target)
    require(request, admin, "add")
    table = target._meta.table
    form_class = admin.get_form(request)
    if request.method == "GET":
        return _render_form(request, site, table, admin, None, form_class(), creating=True)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return _render_form(request, site, table, admin, None, form, status=400,
                            creating=True)
    try:
        result = admin.save_item(request, form.cleaned_item, original=None, action="create")
    except writes.KeyTaken as taken:
        form.add_error(None, _("Refused: an item with this key already exists. Nothing was "
                               "written; creating never overwrites."))
        response = _render_form(request, site, table, admin, None, form, status=409,
                                creating=True)
        response.context_data["existing_link"] = item_url(table, taken.key)
        return response
    except ItemInvalid as exc:
        form.add_error(None, exc.messages)
        return _render_form(request, site, table, admin, None, form, status=400,
                            creating=True)
    except UserInputError as refused:  # the admin's save_item refused it
        form.add_error(None, refused.message)
        return _render_form(request, site, table, admin, None, form, status=400,
                            creating=True)
    messages.success(request, _("Created %(thing)s.") % {"thing": admin.opts.verbose_name}
                     + saved_note(result))
    return HttpResponseRedirect(_saved_url(request, table, result.after))


@require_http_methods(["POST"])
def resolve(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    """Apply my changes on top of their version: what only I changed is applied, what only
    they changed stays, and where we both changed a field the person's choice decides."""
    definition = table_or_404(site, table)
    require_any(site, request, definition, "change")
    title = _("Cannot apply this change")
    try:
        original = unsign_item(request.POST.get("original", ""))
        theirs = unsign_item(request.POST.get("theirs", ""))
        mine = unsign_item(request.POST.get("mine", ""))
    except TamperedOriginal as exc:
        return error_response(request, 400, title, str(exc))
    if original is None or mine is None:
        return error_response(request, 400, title, _("Nothing to apply."))
    admin = site.admin_of_item(definition, original)
    require(request, admin, "change", original)
    if theirs is None:
        require(request, site.admin_of_item(definition, mine), "add")
        try:
            result = site.writer(request, definition).save(mine, original=None)
        except writes.KeyTaken:
            return error_response(request, 409, _("Key already taken"),
                                  _("Someone created an item with this key meanwhile."))
        messages.success(request, _("Re-created with your version.") + saved_note(result))
        return HttpResponseRedirect(item_url(definition, result.after or mine))
    try:
        both = unsign_names(request.POST.get("choices", ""))
    except TamperedOriginal as exc:
        return error_response(request, 400, title, str(exc))
    # Where both changed a field, theirs stays unless the person chose mine for it.
    use_mine = {name for number, name in enumerate(both)
                if request.POST.get(CHOICE_FIELD % number) == "mine"}
    return save(request, site, definition, admin, theirs,
                resolved_item(definition, original, theirs, mine, use_mine))
