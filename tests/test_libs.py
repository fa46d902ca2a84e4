"""Library internals live in rapport.libs only, for the library versions they were written for.

rapport reaches past the public API of reportlab, matplotlib and PyYAML in a
few places; those places are the modules of `rapport.libs`, each of which
refuses a library of another release series when it is imported. The scan
below reads every other module of rapport and fails on any private name of
those libraries it uses: an import of one, an attribute of a library object,
a method of a library class overridden or called, or an assignment into a
library module (a patch).
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import re
import sys
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.version import Version

from helpers import REPO, make_project, run_rapport_with
from rapport.diagnostics import ExitCode
from rapport.libs import WRITTEN_FOR, LibraryVersionError, require

SOURCE = REPO / "src" / "rapport"
LIBS = SOURCE / "libs"
LIBRARIES = ("reportlab", "matplotlib", "yaml", "_yaml")
DISTRIBUTIONS = {"reportlab": "reportlab", "matplotlib": "matplotlib", "PyYAML": "yaml"}

# ----------------------------------------------------------------------------- the version check


def test_a_library_of_another_series_is_refused_with_what_to_do() -> None:
    with pytest.raises(LibraryVersionError) as refused:
        require("reportlab", "4.2.0")
    assert str(refused.value) == (
        "rapport was written for reportlab 5.1.x; found 4.2.0:"
        " install the locked versions with `make`"
    )
    assert refused.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize("found", ["5.10.0", "5.2.0", "5", "6.1.0"])
def test_a_version_that_only_starts_like_the_series_is_refused(found: str) -> None:
    with pytest.raises(LibraryVersionError, match=f"found {found}:"):
        require("reportlab", found)


@pytest.mark.parametrize("found", ["5.1", "5.1.0", "5.1.12", "5.1.0.post1"])
def test_every_release_of_the_series_is_accepted(found: str) -> None:
    require("reportlab", found)


@given(st.integers(0, 12), st.integers(0, 12), st.integers(0, 30))
def test_a_release_is_accepted_exactly_when_it_is_of_the_series(
    major: int, minor: int, micro: int
) -> None:
    found = f"{major}.{minor}.{micro}"
    if (major, minor) == (5, 1):
        require("reportlab", found)
    else:
        with pytest.raises(LibraryVersionError, match=f"found {re.escape(found)}:"):
            require("reportlab", found)


@pytest.mark.parametrize("library", sorted(WRITTEN_FOR))
def test_the_installed_library_is_of_the_series_rapport_was_written_for(library: str) -> None:
    require(library, importlib.metadata.version(library))


@pytest.mark.parametrize("library", sorted(WRITTEN_FOR))
def test_pyproject_allows_exactly_the_series_rapport_was_written_for(library: str) -> None:
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"][
        "dependencies"
    ]
    (requirement,) = [
        Requirement(d) for d in dependencies if Requirement(d).name.lower() == library.lower()
    ]
    major, minor = map(int, WRITTEN_FOR[library].split("."))
    earlier = f"{major}.{minor - 1}.99" if minor else f"{major - 1}.99"
    assert requirement.specifier.contains(Version(f"{major}.{minor}.99"))
    assert not requirement.specifier.contains(Version(f"{major}.{minor + 1}.0"))
    assert not requirement.specifier.contains(Version(earlier))


@pytest.mark.e2e
def test_a_build_with_another_reportlab_stops_with_the_message(tmp_path: Path) -> None:
    """The refusal reaches the user as a usage error, never as a traceback."""
    edition = make_project(tmp_path)
    launcher = (
        "import sys, reportlab; reportlab.Version = '4.2.0'; "  # what an older install says
        "from rapport.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    result = run_rapport_with(launcher, "build", str(edition), cwd=tmp_path)
    assert result.returncode == ExitCode.USAGE, result.stderr
    assert result.stderr.endswith(
        "rapport: error: rapport was written for reportlab 5.1.x; found 4.2.0:"
        " install the locked versions with `make`\n"
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "build").exists()


# ----------------------------------------------------------------------------- the scan


def test_no_module_outside_libs_uses_a_library_internal() -> None:
    found = [finding for path in rapport_modules() for finding in internals_used(path)]
    assert found == []


def test_the_scan_finds_each_kind_of_internal(tmp_path: Path) -> None:
    """The scan itself: each way of reaching into a library is caught."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from reportlab.platypus import paragraph\n"
        "from reportlab.platypus.doctemplate import _doNothing\n"
        "from reportlab import rl_config\n"
        "import os\n"
        "def f(canvas):\n"
        "    canvas._code.append('EMC')\n"
        "    paragraph.split = None\n"
        "    rl_config.defaultGraphicsFontName = 'x'\n"
        "    os._exit(0)\n",
        "utf-8",
    )
    assert internals_used(sample) == [
        "sample.py:2: imports private name _doNothing",
        "sample.py:6: uses private attribute _code",
        "sample.py:7: patches paragraph.split",
        "sample.py:8: patches rl_config.defaultGraphicsFontName",
    ]


def test_the_scan_finds_a_library_method_overridden_in_a_subclass() -> None:
    from reportlab.platypus import BaseDocTemplate

    class Document(BaseDocTemplate):  # type: ignore[misc]
        def _makeCanvas(self) -> None: ...

    assert library_private_names(Document) >= {"_makeCanvas", "_doSave", "_hanging"}
    assert "_makeCanvas" in vars(Document)


def rapport_modules() -> Iterator[Path]:
    for path in sorted(SOURCE.rglob("*.py")):
        if LIBS not in path.parents:
            yield path


def internals_used(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    imported = imported_names(tree)
    library_names = {name for name, module in imported.items() if is_library(module)}
    stdlib_names = {
        name
        for name, module in imported.items()
        if module.partition(".")[0] in sys.stdlib_module_names
    }
    findings: list[str] = []

    def report(node: ast.AST, what: str) -> None:
        findings.append(f"{display(path)}:{getattr(node, 'lineno', 0)}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and is_library(node.module or ""):
            for alias in node.names:
                if is_private(alias.name):
                    report(node, f"imports private name {alias.name}")
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            on_itself = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            on_super = root_name(node.value) == "super" and isinstance(node.value, ast.Call)
            if not (on_itself or on_super or root_name(node.value) in stdlib_names):
                report(node, f"uses private attribute {node.attr}")
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and root_name(target) in library_names:
                    report(node, f"patches {ast.unparse(target)}")
    findings += subclass_internals(path, tree)
    return sorted(set(findings), key=lambda f: int(f.split(":")[1]))


def subclass_internals(path: Path, tree: ast.Module) -> list[str]:
    """`self._x`, `super()._x` and `def _x` in a subclass of a library class, where `_x`
    is the library class's own."""
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    if not classes or LIBS in path.parents or SOURCE not in path.parents:
        return []  # (and __main__.py, which runs the command when imported, has no class)
    module = importlib.import_module(module_name(path))
    findings = []
    for node in classes:
        cls = getattr(module, node.name, None)
        if not inspect.isclass(cls):
            continue
        private = library_private_names(cls)
        for inner in ast.walk(node):
            name = None
            if isinstance(inner, ast.FunctionDef) and inner in node.body:
                name = inner.name
            elif isinstance(inner, ast.Attribute) and root_name(inner.value) in ("self", "super"):
                name = inner.attr
            if name in private:
                line = getattr(inner, "lineno", 0)
                findings.append(
                    f"{display(path)}:{line}: uses {name} of a library class in {node.name}"
                )
    return findings


def library_private_names(cls: type) -> frozenset[str]:
    """The private names of the library classes `cls` derives from: their attributes and
    the ones their methods use on `self`."""
    bases = (base for base in inspect.getmro(cls) if is_library(base.__module__))
    return frozenset().union(*map(private_names_of, bases))


@cache
def private_names_of(library_class: type) -> frozenset[str]:
    names = {name for name in vars(library_class) if is_private(name)}
    try:
        source = inspect.getsource(library_class)
    except (OSError, TypeError):  # a compiled class: its attributes are all there is
        return frozenset(names)
    return frozenset(names | set(re.findall(r"\bself\.(_[A-Za-z]\w*)", source)))


def imported_names(tree: ast.Module) -> dict[str, str]:
    """Each name an import binds, and the module it comes from."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.partition(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def root_name(node: ast.expr) -> str | None:
    while True:
        if isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id == "super":
                return "super"
            node = node.func
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return None


def is_library(module: str) -> bool:
    return module.partition(".")[0] in LIBRARIES


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def display(path: Path) -> str:
    return str(path.relative_to(SOURCE.parent)) if SOURCE in path.parents else path.name
