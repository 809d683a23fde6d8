"""Which input asks for a field's value: said once by the field (``Field.input_type``), and
shown by each form as its purpose needs (``services.inputs`` reads, ``editing.inputs`` edits)."""

import datetime as dt

import pytest
from django import forms

from dynadmin.definitions import fields
from dynadmin.editing.inputs import form_field
from dynadmin.services.inputs import read_widget

INPUT_TYPES = [
    (fields.String(), "text"), (fields.Email(), "email"), (fields.Number(), "number"),
    (fields.Integer(), "number"), (fields.Version(), "number"), (fields.Boolean(), "select"),
    (fields.Choice("A", "B"), "select"), (fields.Null(), "checkbox"),
    (fields.Date(), "date"), (fields.DateTime(), "datetime-local"),
    (fields.TTL(), "datetime-local"), (fields.Binary(), "textarea"),
    (fields.StringSet(), "textarea"), (fields.List(), "textarea"), (fields.Map(), "textarea"),
]


@pytest.mark.parametrize(("fld", "expected"), INPUT_TYPES,
                         ids=[type(f).__name__ for f, _ in INPUT_TYPES])
def test_every_field_says_which_input_asks_for_it(fld, expected):
    assert fld.input_type == expected


def test_a_menu_offers_what_the_field_stores():
    assert fields.Choice("PAID", "SHIPPED").input_choices == ("PAID", "SHIPPED")
    assert fields.Boolean().input_choices == ("true", "false")
    assert fields.String().input_choices == ()


def read_attrs(fld, **options):
    widget = read_widget(fld, **options)
    return widget.input_type, widget.attrs


def test_read_forms_ask_dates_as_iso_text():
    assert read_attrs(fields.Date()) == ("text", {
        "placeholder": "YYYY-MM-DD", "pattern": r"\d{4}-\d{2}-\d{2}", "title": "YYYY-MM-DD"})
    kind, attrs = read_attrs(fields.DateTime())
    assert (kind, attrs["placeholder"]) == ("text", "YYYY-MM-DD HH:MM")
    kind, attrs = read_attrs(fields.DateTime(), whole_days=True)
    assert (kind, attrs["placeholder"]) == ("text", "YYYY-MM-DD")


def test_read_forms_let_the_browser_check_numbers_and_emails():
    assert read_attrs(fields.Number()) == ("number", {"step": "any"})
    assert read_attrs(fields.Email()) == ("email", {})


def test_a_menu_offers_a_choices_values_or_true_and_false():
    assert read_widget(fields.Choice("A", "B"), menus=True).choices == [("A", "A"), ("B", "B")]
    assert read_widget(fields.Boolean(), menus=True).choices == [
        ("true", "true"), ("false", "false")]
    assert read_attrs(fields.Boolean()) == ("text", {})  # typed, where menus are not asked


def test_a_fields_own_input_type_reaches_the_read_forms():
    class Phone(fields.String):
        input_type = "tel"

    assert read_attrs(Phone()) == ("tel", {})


def test_edit_forms_type_numbers_and_emails_as_text_that_comes_back_untouched():
    number = form_field(fields.Number(), disabled=False).widget
    assert (number.input_type, number.attrs) == ("text", {"inputmode": "decimal"})
    assert form_field(fields.Email(), disabled=False).widget.input_type == "text"
    assert isinstance(form_field(fields.Null(), disabled=False).widget, forms.CheckboxInput)
    boolean = form_field(fields.Boolean(), disabled=False)
    assert [value for value, _ in boolean.choices] == ["", "true", "false"]


def test_edit_forms_ask_dates_as_iso_text_to_the_second():
    date = form_field(fields.Date(), disabled=False).widget
    assert (date.input_type, date.attrs["placeholder"]) == ("text", "YYYY-MM-DD")
    moment = form_field(fields.TTL(), disabled=False).widget
    assert (moment.input_type, moment.attrs["placeholder"]) == ("text", "YYYY-MM-DD HH:MM")
    assert moment.format_value(dt.datetime(2024, 1, 15, 9, 30, 5)) == "2024-01-15 09:30:05"


FORM_PAGES = [
    ("partition", {"table": "Application"}, {
        "pk": "USER#u1", "sk_op": "begins_with", "sk": "ORDER#", "order": "desc", "limit": "20",
        "f_attr": "status", "f_op": "=", "f_value": "PAID", "f_type": "S", "consistent": "1"}),
    ("partition", {"table": "Application"}, {"pk": "USER#<u1> & \"x\"", "index": "GSI1"}),
    ("entity", {"entity": "Application.Order"}, {
        "status": "PAID", "sk_from": "2024-01-01", "sk_to": "2024-12-31", "f_attr": "total",
        "f_op": ">", "f_value": "10"}),
    ("entity", {"entity": "Application.User"}, {}),
    ("entity", {"entity": "Application.User"}, {"lookup": "by_email", "email": ""}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("view", "kwargs", "params"), FORM_PAGES,
                         ids=lambda value: str(value)[:40])
def test_forms_written_in_python_render_as_their_templates_do(staff_client, shop_table,
                                                              monkeypatch, view, kwargs,
                                                              params):
    """dynadmin's commonest widget and field templates are written in Python for speed: each
    page's forms read exactly as the templates render them."""
    import re

    from django.urls import reverse

    from dynadmin.services import inputs

    url = reverse(f"dynadmin:{view}", kwargs=kwargs)

    def page() -> str:
        html = staff_client.get(url, params).content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
        # "hide expired" carries the moment of the request
        html = re.sub(r'value="\d{10}"', "", html)
        return html.split("<footer", 1)[0]

    fast = page()
    monkeypatch.setattr(inputs, "_WRITTEN_IN_PYTHON", {})
    inputs._written_in_python.cache_clear()
    inputs._kept_groups.clear()  # else the console's kept markup would be compared with itself
    try:
        assert page() == fast
    finally:
        inputs._written_in_python.cache_clear()
        inputs._kept_groups.clear()


def test_the_consoles_shared_fields_are_kept_for_each_value_they_show():
    """The console's menus and inputs are built once per table: their markup is kept by the
    value each shows, and reads as Django renders it afresh."""
    from dynadmin.services import inputs
    from dynadmin.services.partitions.console import ConsoleForm
    from examples.shop.definitions import shop

    def console(**params):
        form = ConsoleForm(shop, {"limit": "", **params}, now=1_700_000_000)
        return form.partition_html + form.page_html + form.filter_html

    inputs._kept_groups.clear()
    first = console(pk="USER#a", sk_op="begins_with", sk="ORDER#")
    assert inputs._kept_groups  # kept
    assert console(pk="USER#a", sk_op="begins_with", sk="ORDER#") == first
    other = console(pk="USER#<b>", sk_op="=", order="desc")
    assert 'value="USER#&lt;b&gt;"' in other and 'value="USER#a"' not in other
    assert '<option value="=" selected>' in other and '<option value="desc" selected>' in other
    inputs._kept_groups.clear()
    assert console(pk="USER#<b>", sk_op="=", order="desc") == other  # as rendered afresh
    # "hide expired" carries the moment of its request: never kept
    assert not any(key[2] == "hide_expired" for key in inputs._kept_groups)
    assert 'value="1700000000"' in console(pk="USER#a")


def test_a_project_overriding_a_field_template_gets_its_override(settings, tmp_path):
    from dynadmin.services import inputs

    override = tmp_path / "dynadmin" / "forms"
    override.mkdir(parents=True)
    (override / "inline_field.html").write_text("<p>{{ field.label }}: {{ field }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}]

    class Form(inputs.ReadForm):
        name = forms.CharField(label="Name", template_name="dynadmin/forms/inline_field.html",
                               widget=inputs.TypedInput())

    assert "<p>Name: <input" in Form().render()
