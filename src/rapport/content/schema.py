"""The JSON Schema of content files, generated from the content vocabulary.

The vocabulary (rapport.content.vocabulary) declares every key once; this module
only writes it out as JSON Schema, so that the schema an editor completes
against is the one the loader enforces.
"""

from __future__ import annotations

import json
from typing import Any

from rapport.content import vocabulary as v

SCHEMA_ID = "https://rapport.invalid/schema/content.json"


def value_schema(value: v.Value) -> dict[str, Any]:
    """The JSON Schema of one kind of value."""
    match value:
        case v.Mapping() | v.Dictionary():
            return _object_schema(value)
        case v.ListOf():
            return _list_schema(value)
        case v.AnyOf(options):
            return {"anyOf": [value_schema(option) for option in options]}
        case v.Ref(name):
            return {"$ref": f"#/$defs/{name}"}
    return _scalar_schema(value)


def _scalar_schema(value: v.Value) -> dict[str, Any]:
    match value:
        case v.Text():
            return {"type": "string", "minLength": 1}
        case v.Rich(description):
            return {"type": "string", "minLength": 1, "description": description}
        case v.String():
            return {"type": "string"}
        case v.Number(description):
            return {
                "description": description,
                "anyOf": [{"type": "number"}, {"type": "string", "pattern": v.NUMBER_PATTERN}],
            }
        case v.Reference(description):
            return {"description": description, "anyOf": [_reference_text(), _one_key_null()]}
        case v.Empty():
            return {"type": "null"}
        case v.Label():
            return {"type": ["string", "number"]}
        case v.Integer(low, high):
            return {"type": "integer", "minimum": low, "maximum": high}
        case v.Percentage(pattern=pattern):
            return {"type": "string", "pattern": pattern}
        case v.Choice(choices):
            return {"enum": list(choices)}
        case v.Boolean():
            return {"type": "boolean"}
        case v.Pattern(pattern, default):
            text = {"type": "string", "pattern": pattern}
            return text if default is None else {**text, "default": default}
        case v.Date(blank):
            return {"type": ["string", "null"] if blank else "string", "format": "date"}
        case v.OneKey(description):
            one: dict[str, Any] = {"type": "object", "minProperties": 1, "maxProperties": 1}
            return {**one, "description": description} if description else one
    raise TypeError(f"no JSON Schema for {value!r}")  # pragma: no cover - a new kind of value


def _reference_text() -> dict[str, Any]:
    pattern = rf"^\{{{v.REFERENCE_NAME}(:{v.REFERENCE_FORM})?\}}$"
    return {"type": "string", "pattern": pattern}


def _one_key_null() -> dict[str, Any]:
    """{name} in a number field: YAML reads it as a mapping of one key with no value."""
    return {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": {"type": "null"},
    }


def _list_schema(value: v.ListOf) -> dict[str, Any]:
    found: dict[str, Any] = {"type": "array"}
    # Only the order of the printed keys depends on the item: `rapport schema` prints
    # the same text as before the vocabulary, so a saved schema file shows no change.
    items_first = isinstance(value.item, v.Ref | v.Text)
    if items_first:
        found["items"] = value_schema(value.item)
    if value.min_items:
        found["minItems"] = value.min_items
    if value.max_items is not None:
        found["maxItems"] = value.max_items
    if not items_first:
        found["items"] = value_schema(value.item)
    return found


def _object_schema(value: v.Mapping | v.Dictionary) -> dict[str, Any]:
    if isinstance(value, v.Dictionary):
        return {
            "type": "object",
            **({"description": value.description} if value.description else {}),
            "propertyNames": {"pattern": value.key_pattern},
            "additionalProperties": value_schema(value.value),
        }
    found: dict[str, Any] = {
        "type": "object",
        "properties": {key.name: _key_schema(key) for key in value.keys},
        "required": list(value.required),
        "additionalProperties": False,
    }
    if value.description:
        found["description"] = value.description
    return found


def _key_schema(key: v.Key) -> dict[str, Any]:
    found = value_schema(key.value)
    return {**found, "description": key.description} if key.description else found


def _block_schema(block: v.Block) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {block.kind: value_schema(block.body)},
        "required": [block.kind],
        "additionalProperties": False,
        "description": block.description,
    }


def _definitions() -> dict[str, Any]:
    found = {name: value_schema(value) for name, value in v.DEFINITIONS.items()}
    # `block` stands before `bulletItem`, as it always did: the printed schema stays the same.
    bullet = found.pop("bulletItem")
    found["block"] = {"oneOf": [{"$ref": f"#/$defs/{b.kind}Block"} for b in v.BLOCKS]}
    found["bulletItem"] = bullet
    found.update({f"{b.kind}Block": _block_schema(b) for b in v.BLOCKS})
    return found


CONTENT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "rapport content file",
    "description": "An edition.yaml file or a chapter file of a rapport edition.",
    "anyOf": [{"$ref": f"#/$defs/{name}"} for name in v.FILES],
    "$defs": _definitions(),
}


def schema_json() -> str:
    return json.dumps(CONTENT_SCHEMA, indent=2, ensure_ascii=False)
