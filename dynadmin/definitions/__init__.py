"""The declarative API: tables, entities, key templates and fields."""

from . import fields
from .entities import Entity, EntityOptions, ParsedItem, parse_any
from .keys import Key, KeyQuery, KeyTemplate, KeyTemplateError, MissingKeyValue
from .tables import Index, Table

__all__ = [
    "Entity", "EntityOptions", "Index", "Key", "KeyQuery", "KeyTemplate", "KeyTemplateError",
    "MissingKeyValue", "ParsedItem", "Table", "fields", "parse_any",
]
