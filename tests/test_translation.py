"""A host project can translate dynadmin: its text goes through Django's translation machinery.

The test writes a small German catalog (a ``.po`` and its compiled ``.mo``) into a temporary
``LOCALE_PATHS`` entry, as a host project would ship one, and reads the pages in German.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from asgiref.local import Local
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

pytestmark = pytest.mark.django_db

HEADER = ("Content-Type: text/plain; charset=UTF-8\n"
          "Plural-Forms: nplurals=2; plural=(n != 1);\n")

GERMAN = {
    "Log in": "Anmelden",
    "Permission denied": "Zugriff verweigert",
    "dynadmin is for staff accounts.": "dynadmin ist nur für Mitarbeiterkonten.",
    "Back to the dashboard": "Zurück zur Übersicht",
}


def _po(messages: dict[str, str]) -> str:
    def quote(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    entries = [f"msgid {quote(msgid)}\nmsgstr {quote(msgstr)}\n"
               for msgid, msgstr in {"": HEADER, **messages}.items()]
    return "\n".join(entries)


def _mo(messages: dict[str, str]) -> bytes:
    """A GNU .mo file: a header, the sorted msgids' (length, offset) table, the translations'
    table, then the NUL-terminated strings. No hash table (size 0), which readers accept."""
    pairs = sorted({"": HEADER, **messages}.items())
    ids = [msgid.encode() for msgid, _ in pairs]
    strs = [msgstr.encode() for _, msgstr in pairs]
    count = len(pairs)
    ids_table = 7 * 4
    strs_table = ids_table + count * 8
    data_start = strs_table + count * 8
    blob, ids_entries, strs_entries = b"", [], []
    for table, texts in ((ids_entries, ids), (strs_entries, strs)):
        for text in texts:
            table.append((len(text), data_start + len(blob)))
            blob += text + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, ids_table, strs_table, 0, data_start)
    tables = b"".join(struct.pack("<2I", *entry) for entry in ids_entries + strs_entries)
    return header + tables + blob


def _reset_catalogs() -> None:
    # Django caches each language's merged catalog per process; drop it so the new one is read.
    trans_real._translations = {}
    trans_real._default = None
    trans_real._active = Local()


@pytest.fixture
def german(tmp_path: Path, settings) -> Iterator[None]:  # noqa: ANN001
    messages = tmp_path / "locale" / "de" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "django.po").write_text(_po(GERMAN), encoding="utf-8")
    (messages / "django.mo").write_bytes(_mo(GERMAN))
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]
    settings.LANGUAGES = [("en", "English"), ("de", "German")]
    _reset_catalogs()
    try:
        with translation.override("de"):
            yield
    finally:
        _reset_catalogs()


def test_the_catalog_written_here_is_a_valid_mo_file(german):
    assert translation.gettext("Log in") == "Anmelden"


def test_the_login_page_reads_in_the_host_projects_language(client, german):
    response = client.get(reverse("dynadmin:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Anmelden</h1>" in html
    assert '<button type="submit" class="button primary">Anmelden</button>' in html
    assert "Log in" not in html


def test_an_error_page_reads_in_the_host_projects_language(client, django_user_model, german):
    client.force_login(django_user_model.objects.create_user("customer", password="x"))
    response = client.get(reverse("dynadmin:dashboard"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Zugriff verweigert" in html
    assert "dynadmin ist nur für Mitarbeiterkonten." in html
    assert "Zurück zur Übersicht" in html
    assert "Permission denied" not in html


def test_english_stays_the_default(client):
    html = client.get(reverse("dynadmin:login")).content.decode()
    assert "<h1>Log in</h1>" in html
    assert "Anmelden" not in html


def _kept_template():
    from django.template import engines

    return engines["django"].from_string(
        '{% load i18n dynadmin_i18n %}{% translate "Log in" %}|'
        '{% translate "Log in" as label %}{{ label }}|{% translate word %}')


def test_a_fixed_text_is_translated_once_per_language(german, settings):
    # dynadmin's templates load dynadmin_i18n after i18n: a fixed text is translated the
    # first time a language shows it, then kept; a text from a variable is Django's tag.
    from unittest import mock

    settings.DYNADMIN_CHECK_REUSED = False
    template = _kept_template()
    values = {"word": "Permission denied"}
    assert template.render(values) == "Anmelden|Anmelden|Zugriff verweigert"
    translation.gettext("Log in")
    with mock.patch.object(translation._trans, "gettext", wraps=translation._trans.gettext
                           ) as asked:
        assert template.render(values) == "Anmelden|Anmelden|Zugriff verweigert"
    assert [call.args[0] for call in asked.call_args_list] == ["Permission denied"]
    with translation.override("en"):
        assert template.render(values) == "Log in|Log in|Permission denied"
    assert template.render(values) == "Anmelden|Anmelden|Zugriff verweigert"


def test_a_kept_text_that_differs_from_its_translation_is_caught(german, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.DYNADMIN_CHECK_REUSED = True
    template = _kept_template()
    template.render({"word": "x"})
    node = next(n for n in template.template.nodelist if getattr(n, "kept", None))
    node.kept = {key: "Einloggen" for key in node.kept}
    with pytest.raises(ImproperlyConfigured, match="differs from its translation"):
        template.render({"word": "x"})
