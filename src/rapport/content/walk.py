"""Walking the content model: every node of an edition, in document order.

The model is frozen dataclasses and tuples, so one generic walk reaches every
block, item and text; check, charts and archive all find what they need with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from rapport.content.model import Edition

_walked: tuple[Edition, tuple[object, ...]] | None = None


def edition_nodes(edition: Edition) -> tuple[object, ...]:
    """Every node of an edition, in document order; walked once per edition object."""
    global _walked
    if _walked is None or _walked[0] is not edition:
        _walked = (edition, tuple(iter_nodes(edition)))
    return _walked[1]


def iter_nodes(node: object) -> Iterator[object]:
    """Every model node below `node`, depth first, in document order."""
    yield node
    for name in _field_names(type(node)):
        yield from _iter_value(getattr(node, name))


def _iter_value(value: object) -> Iterator[object]:
    if isinstance(value, tuple):
        for item in value:
            yield from _iter_value(item)
    elif _field_names(type(value)):
        yield from iter_nodes(value)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    """The fields of a model class (none for anything else), looked up once per class:
    a build walks the model several times."""
    names = _FIELD_NAMES.get(kind)
    if names is None:
        fields = dataclasses.fields(kind) if dataclasses.is_dataclass(kind) else ()
        names = _FIELD_NAMES[kind] = tuple(field.name for field in fields)
    return names
