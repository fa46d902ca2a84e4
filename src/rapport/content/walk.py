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
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for field in dataclasses.fields(node):
            yield from _iter_value(getattr(node, field.name))


def _iter_value(value: object) -> Iterator[object]:
    if isinstance(value, tuple):
        for item in value:
            yield from _iter_value(item)
    elif dataclasses.is_dataclass(value):
        yield from iter_nodes(value)
