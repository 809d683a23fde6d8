"""The ``MapFunction`` some NoSQL Workbench exports write on a key attribute.

Its published shape could not be found, so it is read defensively: text of ``${name}`` or
``{name}`` placeholders naming attributes the model declares (``USER#${UserId}``) is that key's
template, preferred over one inferred from the sample items; anything else (an object, a name
the model does not declare) is quoted in a note, and the template is inferred as without it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .inference import Part, TemplateGuess

__all__ = ["map_function", "map_guess"]

#: a placeholder of a MapFunction template: ``${name}`` or ``{name}``
PLACEHOLDER = re.compile(r"\$?\{([^{}]+)\}")
#: how much of a MapFunction not understood a note quotes
QUOTED = 200


def map_function(notes: list[str], maps: dict[str, list[Part]], spec: Any,
                 declared: set[str], key_types: Mapping[str, str], where: str) -> None:
    """Read a key attribute's (``spec``'s) MapFunction into ``maps`` (attribute → template
    parts), or say in ``notes`` why it was not; ``where`` names the index (``""``: the table)."""
    if not isinstance(spec, dict) or "MapFunction" not in spec or not spec.get("AttributeName"):
        return
    attribute, value = str(spec["AttributeName"]), spec["MapFunction"]
    parts = _template(value, declared, key_types.get(attribute, "S"))
    if parts is None:
        quoted = value if isinstance(value, str) else json.dumps(value, default=str,
                                                                  ensure_ascii=False)
        quoted = repr(quoted if len(quoted) <= QUOTED else quoted[:QUOTED] + "…")
        notes.append(f"note: {where}{attribute}'s MapFunction {quoted} was not understood (it "
                     "is no text of ${name} or {name} placeholders naming the model's "
                     "attributes); its template is inferred from the sample items instead.")
    elif maps.setdefault(attribute, parts) != parts:
        notes.append(f"note: {where}{attribute}'s MapFunction {value!r} differs from another "
                     "of the same attribute's; that one is used.")


def map_guess(attribute: str, parts: list[Part],
              samples: Sequence[tuple[str, Mapping[str, str]]]) -> TemplateGuess:
    """The key's template from its MapFunction, with a guess naming a sample it does not fit."""
    template = "".join(p.text if p.kind == "literal" else "{" + p.text + "}" for p in parts)
    notes = [f"note: {attribute}'s template is the model's MapFunction ({template!r}), not "
             "inferred from the sample items."]
    misfits = [value for value, _ in samples if not _fits(parts, value)]
    if misfits:
        notes.append(f"guess: sample item {attribute} {misfits[0]!r} does not fit the "
                     f"MapFunction {template!r}"
                     + (f" (nor do {len(misfits) - 1} more)" if len(misfits) > 1 else "")
                     + "; check which of the two your items follow.")
    return TemplateGuess(list(parts), notes)


def _template(value: Any, declared: set[str], key_type: str) -> list[Part] | None:
    """The parts of a MapFunction template, or None when it is not one."""
    if not isinstance(value, str):
        return None
    parts, at = [], 0
    for match in PLACEHOLDER.finditer(value):
        if match.start() > at:
            parts.append(Part("literal", value[at:match.start()]))
        name = match.group(1).strip()
        if name not in declared:
            return None
        parts.append(Part("attribute", name))
        at = match.end()
    if at < len(value):
        parts.append(Part("literal", value[at:]))
    placeholders = [p for p in parts if p.kind == "attribute"]
    if not placeholders or any("{" in p.text or "}" in p.text for p in parts) or any(
            a.kind == b.kind == "attribute" for a, b in zip(parts, parts[1:], strict=False)):
        return None  # no placeholder, a stray brace, or two placeholders with nothing between
    if key_type != "S" and parts != placeholders[:1]:
        return None  # a number or binary key holds one value, never text around it
    return parts


def _fits(parts: list[Part], value: str) -> bool:
    pattern = "".join(re.escape(p.text) if p.kind == "literal" else "(.+?)" for p in parts)
    return re.fullmatch(pattern, value, re.DOTALL) is not None
