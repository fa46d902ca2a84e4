"""The JSON Schema of content files: one source for editors and for the loader.

The loader takes its known keys and required keys from here, so that the
schema an editor completes against is the one the build enforces.
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA_ID = "https://rapport.invalid/schema/content.json"

_TEXT = {"type": "string", "minLength": 1}
_RICH = {
    "type": "string",
    "minLength": 1,
    "description": "Text with *emphasis*, **strong** and [links](https://…).",
}
_NUMBER = {
    "description": "A number without thousands separators: 1852354 or 6.5.",
    "anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?\d+([.,]\d+)?$"}],
}
_REFERENCE = {
    "description": "A fact from facts.yaml: {ebooks.titels} or {ebooks.titels:previous}.",
    "anyOf": [
        {"type": "string", "pattern": r"^\{[A-Za-z0-9_.-]+(:[a-z]+)?\}$"},
        {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": {"type": "null"},
        },
    ],
}
_QUANTITY = {"anyOf": [_NUMBER, _REFERENCE]}


def _object(
    properties: dict[str, Any], required: list[str], description: str = ""
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _block(kind: str, body: dict[str, Any], description: str) -> dict[str, Any]:
    return _object({kind: body}, [kind], description)


_BULLET_ITEM: dict[str, Any] = {
    "anyOf": [
        _RICH,
        _object(
            {
                "text": _RICH,
                "term": {**_TEXT, "description": "A date or term shown before the text."},
                "items": {"type": "array", "items": {"$ref": "#/$defs/bulletItem"}, "minItems": 1},
            },
            ["text"],
            'An item with a term ("1 maart: …") or with nested items.',
        ),
        {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "description": "Shorthand 'term: text', or 'text: [nested items]'.",
        },
    ]
}

_BLOCKS: dict[str, dict[str, Any]] = {
    "paragraph": _block("paragraph", _RICH, "A paragraph of running text."),
    "bullets": _block(
        "bullets",
        {"type": "array", "items": {"$ref": "#/$defs/bulletItem"}, "minItems": 1},
        "A bulleted list; items may nest.",
    ),
    "figures": _block(
        "figures",
        {
            "type": "array",
            "minItems": 2,
            "maxItems": 4,
            "items": _object(
                {
                    "value": _QUANTITY,
                    "label": _TEXT,
                    "unit": {"type": "string"},
                    "change": {
                        "type": "boolean",
                        "description": "Show the change against the previous edition.",
                    },
                },
                ["value", "label"],
                "A key-figure tile: a big number and its label.",
            ),
        },
        "A row of 2 to 4 key-figure tiles.",
    ),
    "ranking": _block(
        "ranking",
        _object(
            {
                "title": _TEXT,
                "items": {
                    "type": "array",
                    "minItems": 1,
                    "items": _object(
                        {
                            "rank": {"type": "integer", "minimum": 1, "maximum": 999},
                            "title": _TEXT,
                            "creator": _TEXT,
                            "note": _RICH,
                        },
                        ["title", "creator"],
                    ),
                },
            },
            ["title", "items"],
        ),
        "A ranked list (a top 3): rank, title, creator, optional note.",
    ),
    "table": _block(
        "table",
        _object(
            {
                "caption": _TEXT,
                "columns": {"type": "array", "items": _TEXT, "minItems": 1},
                "rows": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "array", "items": _RICH},
                },
                "align": {"type": "array", "items": {"enum": ["left", "center", "right"]}},
            },
            ["columns", "rows"],
        ),
        "A table with a header row.",
    ),
    "image": _block(
        "image",
        _object(
            {
                "file": {**_TEXT, "description": "A PNG or JPEG file under images/."},
                "alt": {
                    **_TEXT,
                    "description": "What the image shows, for readers who cannot see it.",
                },
                "caption": _RICH,
                "width": {"type": "string", "pattern": r"^(100|[1-9]\d)%$"},
            },
            ["file", "alt"],
        ),
        "An image from the images/ folder.",
    ),
    "callout": _block(
        "callout",
        _object({"title": _TEXT, "text": _RICH}, ["text"]),
        "A highlighted box.",
    ),
    "quote": _block(
        "quote",
        _object({"text": _RICH, "source": _TEXT}, ["text"]),
        "A quotation with its source.",
    ),
}

CHART_KINDS = ("bar", "hbar", "grouped", "stacked", "line", "donut")
STATUSES = ("measured", "estimated", "derived")
_POINT = {
    "anyOf": [
        _NUMBER,
        _REFERENCE,
        CHART_POINT := _object(
            {"value": _QUANTITY, "status": {"enum": list(STATUSES)}},
            ["value"],
            "A value with its own status, e.g. {value: 14188, status: derived}.",
        ),
    ]
}
_BLOCKS["chart"] = _block(
    "chart",
    _object(
        {
            "kind": {
                "enum": list(CHART_KINDS),
                "description": "bar, hbar (horizontal), grouped, stacked, line or donut.",
            },
            "title": _TEXT,
            "categories": {"type": "array", "minItems": 1, "items": {"type": ["string", "number"]}},
            "series": {
                "type": "array",
                "minItems": 1,
                "items": _object(
                    {
                        "name": _TEXT,
                        "values": {"type": "array", "minItems": 1, "items": _POINT},
                        "status": {
                            "enum": list(STATUSES),
                            "description": "measured (default), estimated (a schatting) or derived (afgeleid).",
                        },
                    },
                    ["name", "values"],
                ),
            },
            "unit": {
                "type": "string",
                "description": "What the numbers count, e.g. bibliotheken or %.",
            },
            "highlight": {"type": "array", "items": {"type": ["string", "number"]}},
            "scale": {
                "enum": ["shared", "per-category"],
                "description": "per-category draws one small panel per category, each with its own scale.",
            },
            "source": {**_TEXT, "description": "Where the numbers come from."},
            "note": {**_TEXT, "description": "How estimated or derived values were obtained."},
            "caption": _RICH,
            "alt": {
                **_TEXT,
                "description": "What the chart shows, for readers who cannot see it; generated when absent.",
            },
        },
        ["kind", "title", "categories", "series"],
    ),
    "A chart drawn from the numbers written here.",
)

_REVIEW: dict[str, Any] = {
    "type": "boolean",
    "description": "Set by `rapport new`: the text still speaks of last year."
    " Remove it once the text is updated.",
}

CONTENT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "rapport content file",
    "description": "An edition.yaml file or a chapter file of a rapport edition.",
    "anyOf": [{"$ref": "#/$defs/edition"}, {"$ref": "#/$defs/chapter"}, {"$ref": "#/$defs/facts"}],
    "$defs": {
        "edition": _object(
            {
                "title": _TEXT,
                "subtitle": _TEXT,
                "year": {"type": "integer", "minimum": 1900, "maximum": 2999},
                "organisation": _TEXT,
                "language": {
                    "type": "string",
                    "pattern": r"^[a-z]{2}(-[A-Z]{2})?$",
                    "default": "nl-BE",
                },
                "published": {
                    "type": ["string", "null"],
                    "format": "date",
                    "description": "YYYY-MM-DD; empty while still to fill in.",
                },
                "keywords": {"type": "array", "items": _TEXT},
                "logo": {**_TEXT, "description": "A PNG or JPEG file under images/."},
                "introduction": _RICH,
                "previous_edition": {
                    "type": "integer",
                    "minimum": 1900,
                    "maximum": 2999,
                    "description": "The year of the edition that changes are computed against,"
                    " when it is not the year before (set by `rapport new --from`).",
                },
                "review": _REVIEW,
            },
            ["title", "year", "organisation", "published"],
            "The edition's metadata: content/<year>/edition.yaml.",
        ),
        "chapter": _object(
            {
                "title": _TEXT,
                "icon": {**_TEXT, "description": "An emoji, e.g. ⚙️ 🤳 ✨ 💡."},
                "subtitle": _TEXT,
                "intro": _RICH,
                "review": _REVIEW,
                "sections": {"type": "array", "items": {"$ref": "#/$defs/section"}, "minItems": 1},
            },
            ["title", "sections"],
            "A chapter file: content/<year>/NN-name.yaml.",
        ),
        "section": _object(
            {
                "title": _TEXT,
                "review": _REVIEW,
                "blocks": {"type": "array", "items": {"$ref": "#/$defs/block"}, "minItems": 1},
            },
            ["title", "blocks"],
        ),
        "fact": _object(
            {
                "value": {
                    "anyOf": [_NUMBER, {"type": "null"}],
                    "description": "Empty while still to fill in.",
                },
                "unit": _TEXT,
                "source": _TEXT,
                "qualifier": {
                    "enum": [
                        "ruim",
                        "bijna",
                        "ca.",
                        "zo'n",
                        "zo’n",
                        "meer dan",
                        "minder dan",
                        "ongeveer",
                    ]
                },
                "status": {"enum": list(STATUSES)},
                "derivation": {
                    **_TEXT,
                    "description": "How an estimated or derived value was obtained.",
                },
                "parts": {"type": "array", "items": _TEXT},
                "breakdown": {"enum": ["complete", "subset"]},
                "year": {
                    "type": "integer",
                    "minimum": 1900,
                    "maximum": 2999,
                    "description": "The year the value is about, when it is an earlier year"
                    " (e.g. wise.migraties.2019): `rapport new` keeps such values.",
                },
            },
            [],
            "A named number of the edition, in facts.yaml.",
        ),
        "facts": {
            "type": "object",
            "description": "An edition's facts.yaml: fact names and their values.",
            "propertyNames": {"pattern": r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)*$"},
            "additionalProperties": {
                "anyOf": [_NUMBER, {"type": "null"}, {"$ref": "#/$defs/fact"}]
            },
        },
        "block": {"oneOf": [{"$ref": f"#/$defs/{kind}Block"} for kind in _BLOCKS]},
        "bulletItem": _BULLET_ITEM,
        **{f"{kind}Block": schema for kind, schema in _BLOCKS.items()},
    },
}


def definition(name: str) -> dict[str, Any]:
    """The schema of one definition, e.g. 'chapter' or 'tableBlock'."""
    return CONTENT_SCHEMA["$defs"][name]  # type: ignore[no-any-return]


def keys_of(schema: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(known keys, required keys) of an object schema."""
    return tuple(schema["properties"]), tuple(schema.get("required", ()))


BLOCK_KINDS: tuple[str, ...] = tuple(_BLOCKS)


def block_body(kind: str) -> dict[str, Any]:
    return _BLOCKS[kind]["properties"][kind]  # type: ignore[no-any-return]


def schema_json() -> str:
    return json.dumps(CONTENT_SCHEMA, indent=2, ensure_ascii=False)
