"""What DescribeTable's codes mean for the person reading a page, one plain sentence each
(``PAY_PER_REQUEST``, ``NEW_AND_OLD_IMAGES``, an ARN): the code stays, the sentence says it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _lazy

__all__ = ["ARN_MEANING", "billing_meaning", "stream_meaning"]

_BILLING = {
    "PAY_PER_REQUEST": _lazy("On demand: each read and write is paid for as it happens; "
                             "there is no capacity to set."),
    "PROVISIONED": _lazy("Provisioned: reads and writes per second are set in advance; "
                         "requests beyond them are slowed down (throttled)."),
}
_STREAM = {
    "NEW_AND_OLD_IMAGES": _lazy("Every change is kept for 24 hours with the item as it was "
                                "before and after it: the archive of changes keeps it."),
    "NEW_IMAGE": _lazy("Every change is kept for 24 hours with the item as it was after it "
                       "(not before)."),
    "OLD_IMAGE": _lazy("Every change is kept for 24 hours with the item as it was before it "
                       "(not after)."),
    "KEYS_ONLY": _lazy("Every change is kept for 24 hours, but only which item changed, not "
                       "its values."),
}
_NO_STREAM = _lazy("Changes are not recorded: the archive of changes (History, Activity) "
                   "has nothing to keep.")
ARN_MEANING = _lazy("The table's full name across AWS (account and region included): what "
                    "access policies and other services use to point at it.")


def billing_meaning(mode: str | None) -> str:
    return str(_BILLING.get(mode or "", ""))


def stream_meaning(enabled: bool, view_type: str | None) -> str:
    if not enabled:
        return str(_NO_STREAM)
    return str(_STREAM.get(view_type or "", ""))
