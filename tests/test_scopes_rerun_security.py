"""tests/test_security.py again, every person limited by a scope on the shop's customers
(tests/support/scoped_suite.py): the same promises hold, and nothing is written outside."""

from tests.support.scoped_suite import scoped_people, staff_client  # noqa: F401
from tests.test_security import *  # noqa: F403
