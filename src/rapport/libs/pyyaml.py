"""PyYAML's internals that rapport relies on, for PyYAML 6.0.

rapport composes YAML nodes itself (content/yamlsource.py overrides
`compose_node` to refuse anchors, aliases and deep nesting). With libyaml,
the C parser produces the events and PyYAML's Python composer builds the
nodes, so that the same override works with the faster parser.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

import yaml
from yaml.composer import Composer

from rapport.libs import require

require("PyYAML", yaml.__version__)

WITH_LIBYAML: bool = yaml.__with_libyaml__


class _LibyamlParserPythonComposer(
    yaml.CSafeLoader if WITH_LIBYAML else yaml.SafeLoader,  # type: ignore[misc]
    Composer,
):
    """libyaml's parser (the same events, seven times faster) under the Python composer."""

    def get_single_node(self) -> Any:
        return Composer.get_single_node(self)

    def dispose(self) -> None:
        pass


# The base of a loader whose `compose_node` may be overridden; `start_loader` starts one.
ComposingLoader: type[Any] = _LibyamlParserPythonComposer if WITH_LIBYAML else yaml.SafeLoader

Loader = TypeVar("Loader")


def start_loader(loader_class: type[Loader], text: str) -> Loader:
    """A loader of `loader_class` (a subclass of `ComposingLoader`) reading `text`."""
    loader = loader_class(text)  # type: ignore[call-arg]
    if WITH_LIBYAML:
        Composer.__init__(cast(Composer, loader))  # the Python composer's own state
    return loader
