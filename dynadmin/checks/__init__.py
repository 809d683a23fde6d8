"""System checks with stable IDs: the definitions (``E0xx``) and the host project (``E1xx``)."""

from .definitions import check_definitions
from .project import check_project

__all__ = ["check_definitions", "check_project"]
