"""Typed attributes of an entity: one class per DynamoDB type, plus semantic ones.

``base`` holds what every field shares; ``scalars``, ``collections`` and ``semantic`` the
fields themselves. Import them from here.
"""

from .base import Field, FieldError, check_number_range
from .collections import BinarySet, List, Map, NumberSet, SetField, StringSet
from .scalars import Binary, Boolean, Integer, Null, Number, String
from .semantic import TTL, Choice, Date, DateTime, Email, Version, WriteMarker

__all__ = [
    "Field", "String", "Number", "Integer", "Boolean", "Null", "Binary", "StringSet",
    "NumberSet", "BinarySet", "List", "Map", "Date", "DateTime", "Email", "Choice", "TTL",
    "Version", "WriteMarker", "FieldError", "SetField", "check_number_range",
]
