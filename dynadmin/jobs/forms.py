"""The forms of the job pages: what a new job does, and the typed count that starts it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .changes import settable_fields

if TYPE_CHECKING:
    from ..options import EntityAdmin

__all__ = ["ConfirmForm", "ExportForm", "ImportForm", "JobForm"]


class JobForm(forms.Form):
    """Set a field to a value, delete, or run one of the entity's actions, over every item
    the list matches; ``what`` is "update", "delete" or "action:<name>"."""

    what = forms.ChoiceField(label=gettext_lazy("What to do to every item"))
    field = forms.ChoiceField(label=gettext_lazy("Field to set"), required=False)
    value = forms.CharField(label=gettext_lazy("Its new value"), required=False, strip=False,
                            help_text=gettext_lazy("Typed as in the edit form; empty "
                                                   "removes the attribute."))
    dry_run = forms.BooleanField(label=gettext_lazy("Dry run: say what would be written, "
                                                    "write nothing"), required=False)
    max_wcu = forms.FloatField(label=gettext_lazy("Its own limit, in write capacity units "
                                                  "per second"), required=False,
                               min_value=1, max_value=40_000)

    def __init__(self, *args: Any, admin: EntityAdmin, request: HttpRequest,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        fields = settable_fields(admin, request)
        if fields and admin.has_change_permission(request):
            choices.append(("update", _("Set a field to a value")))
        for name, method in admin.get_actions(request).items():
            choices.append((f"action:{name}", method.description))
        if admin.has_delete_permission(request):
            choices.append(("delete", _("Delete them")))
        self.fields["what"].choices = choices
        self.fields["field"].choices = [("", "—"), *((n, f.label) for n, f in fields.items())]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("what") == "update" and not cleaned.get("field"):
            self.add_error("field", _("Choose the field to set."))
        return cleaned

    def kind_and_parameters(self) -> tuple[str, dict[str, Any]]:
        what = self.cleaned_data["what"]
        if what == "update":
            return "update", {"set": {self.cleaned_data["field"]: self.cleaned_data["value"]}}
        if what.startswith("action:"):
            return "action", {"action": what.split(":", 1)[1]}
        return "delete", {}


class ConfirmForm(forms.Form):
    """The count the preview said, typed back: a job over thousands of items never starts
    from one stray click."""

    confirmation = forms.CharField(label=gettext_lazy("Type the number of items to confirm"))

    def __init__(self, *args: Any, expected: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_confirmation(self) -> str:
        typed = " ".join(self.cleaned_data["confirmation"].split())
        if typed != self.expected:
            raise forms.ValidationError(
                _("Type %(expected)s, the number of items, to start the job.")
                % {"expected": self.expected})
        return typed


class ExportForm(forms.Form):
    """The file format of a full export."""

    format = forms.ChoiceField(label=gettext_lazy("Format"), initial="csv",
                               widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .exports import FORMATS

        self.fields["format"].choices = [(name, f.label) for name, f in FORMATS.items()]


class ImportForm(forms.Form):
    """An uploaded file of items, its format, and whether it may update existing items."""

    file = forms.FileField(label=gettext_lazy("File"), allow_empty_file=False)
    format = forms.ChoiceField(label=gettext_lazy("Format"), initial="csv",
                               widget=forms.RadioSelect, choices=[
                                   ("csv", gettext_lazy("CSV, a header row naming the "
                                                        "columns")),
                                   ("jsonl", gettext_lazy("JSON Lines, one item a line"))])
    mode = forms.ChoiceField(label=gettext_lazy("Existing items"), initial="create",
                             widget=forms.RadioSelect, choices=[
                                 ("create", gettext_lazy("Create new items only: a line "
                                                         "whose key exists is left as it "
                                                         "is")),
                                 ("update", gettext_lazy("Update existing items unchanged "
                                                         "since they are read"))])

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("This file is %(size)s; the largest an import takes is %(most)s.")
                % {"size": filesizeformat(upload.size), "most": filesizeformat(self.max_bytes)})
        return upload
