"""reportlab and matplotlib run with their built-in settings only.

Both libraries look for configuration outside the project when they are
imported, and some of it is code:

- reportlab imports a module `reportlab_mods` from the import path (the working
  folder, with `python -m rapport`) or executes `~/.reportlab_mods`, and reads
  `reportlab_settings` or executes `~/.reportlab_settings`; `RL_*` environment
  variables override its settings (a wrong one makes its import fail);
- matplotlib reads a `matplotlibrc` from the working folder, from
  `$MATPLOTLIBRC`, `$MPLCONFIGDIR` or the user's configuration folder: with
  `text.usetex: True` it starts `latex`, and a `backend: module://…` line (or
  `$MPLBACKEND`) names a module to import.

`isolate_libraries()` runs when the rapport package is imported, before either
library is: empty stand-ins take the place of reportlab's two modules of
modifications (so that neither file is looked for), the `RL_*` variables are
dropped, and matplotlib, whenever it is first imported, reads only its own
default `matplotlibrc` from its installation. The same content therefore gives
the same PDF on every machine and account.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import logging
import os
import sys
import types
from collections.abc import Iterator, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.abc import Loader, MetaPathFinder
else:
    # The import system needs only the methods: importing importlib.abc would import
    # importlib.resources with it, a tenth of a warm build's time, before every command.
    Loader = MetaPathFinder = object

log = logging.getLogger(__name__)

# reportlab imports these if it can, and only then falls back to ~/.reportlab_*.
REPORTLAB_USER_MODULES = ("reportlab_mods", "reportlab_settings")
REPORTLAB_ENVIRONMENT_PREFIX = "RL_"
MATPLOTLIB = "matplotlib"
MATPLOTLIB_BACKEND = "agg"  # charts are recorded by rapport's own canvas; agg is never started


def isolate_libraries() -> None:
    """Switch off the user's and the working folder's settings of reportlab and matplotlib."""
    _stand_in_for_reportlab_modifications()
    _drop_reportlab_environment()
    if MATPLOTLIB in sys.modules:  # imported before rapport (e.g. by a test runner)
        _settle_matplotlib(sys.modules[MATPLOTLIB])
    elif not any(isinstance(finder, DefaultsOnlyMatplotlib) for finder in sys.meta_path):
        sys.meta_path.insert(0, DefaultsOnlyMatplotlib())


def _stand_in_for_reportlab_modifications() -> None:
    for name in REPORTLAB_USER_MODULES:
        if name not in sys.modules:
            stand_in = types.ModuleType(name, "rapport runs reportlab without user modifications")
            stand_in.__all__ = []  # type: ignore[attr-defined]  # `from … import *` takes nothing
            sys.modules[name] = stand_in


def _drop_reportlab_environment() -> None:
    for name in [name for name in os.environ if name.startswith(REPORTLAB_ENVIRONMENT_PREFIX)]:
        log.debug("ignoring %s: reportlab runs with its own settings", name)
        del os.environ[name]


class DefaultsOnlyMatplotlib(MetaPathFinder):
    """Finds matplotlib as Python would, but imports it from its own data folder.

    matplotlib looks for `matplotlibrc` in the working folder first and then in
    `$MATPLOTLIBRC`: during its import the working folder is its `mpl-data`
    folder and `$MATPLOTLIBRC` names the default file there, so that the
    default is what it finds, whatever folder rapport runs in.
    """

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname != MATPLOTLIB:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not spec.submodule_search_locations:
            return spec
        defaults = Path(spec.submodule_search_locations[0]) / "mpl-data"
        if not (defaults / "matplotlibrc").is_file():  # pragma: no cover - a broken install
            return spec
        spec.loader = _DefaultsOnlyLoader(spec.loader, defaults)
        return spec


class _DefaultsOnlyLoader(Loader):
    def __init__(self, loader: Loader, defaults: Path) -> None:
        self._loader = loader
        self._defaults = defaults

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        with _importing_from(self._defaults):
            self._loader.exec_module(module)
        _settle_matplotlib(module)

    def __getattr__(self, name: str) -> object:  # resource readers and the like
        return getattr(self._loader, name)


@contextlib.contextmanager
def _importing_from(defaults: Path) -> Iterator[None]:
    try:
        previous: str | None = os.getcwd()
    except OSError:  # the working folder was removed: nothing to go back to
        previous = None
    saved = os.environ.get("MATPLOTLIBRC")
    os.environ["MATPLOTLIBRC"] = str(defaults / "matplotlibrc")
    os.chdir(defaults)
    try:
        yield
    finally:
        if previous is not None:
            os.chdir(previous)
        if saved is None:
            os.environ.pop("MATPLOTLIBRC", None)
        else:
            os.environ["MATPLOTLIBRC"] = saved


def _settle_matplotlib(module: types.ModuleType) -> None:
    """Forget a backend named by $MPLBACKEND: it would be a module to import. And
    make no help texts for the artists matplotlib defines from here on."""
    module.rcParams["backend"] = MATPLOTLIB_BACKEND
    from rapport.libs.mpl import make_no_help_texts

    make_no_help_texts()
