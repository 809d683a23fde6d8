"""dynadmin's settings as read through ``conf.get``: kept between reads, and read again
whenever Django's settings change under it (a test's override, a deletion, the end of one)."""

from __future__ import annotations

from django.test import override_settings

from dynadmin import conf


def test_a_setting_is_read_again_under_an_override_and_after_it():
    before = conf.get("READ_TIMEOUT")
    with override_settings(DYNADMIN_READ_TIMEOUT=before + 7):
        assert conf.get("READ_TIMEOUT") == before + 7
        assert conf.get("READ_TIMEOUT") == before + 7
    assert conf.get("READ_TIMEOUT") == before


def test_the_settings_fixture_setting_and_deleting_a_setting_is_seen(settings):
    # The fixture deletes a setting without saying so (no setting_changed): the new
    # settings in place are what tells.
    settings.DYNADMIN_TABLE_NAMES = {"Application": "named-here"}
    assert conf.get("TABLE_NAMES") == {"Application": "named-here"}
    del settings.DYNADMIN_TABLE_NAMES
    assert conf.get("TABLE_NAMES") == conf.DEFAULTS["TABLE_NAMES"]


def test_a_setting_left_unset_reads_as_its_default_each_time(settings):
    if hasattr(settings, "DYNADMIN_JOB_MAX_WCU"):
        del settings.DYNADMIN_JOB_MAX_WCU
    assert conf.get("JOB_MAX_WCU") == conf.DEFAULTS["JOB_MAX_WCU"]
    assert conf.get("JOB_MAX_WCU") == conf.DEFAULTS["JOB_MAX_WCU"]
    settings.DYNADMIN_JOB_MAX_WCU = 7
    assert conf.get("JOB_MAX_WCU") == 7
