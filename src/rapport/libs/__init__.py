"""Every use of a library's internals, in one place, for the versions it was written for.

rapport reaches past the public API of four libraries where they offer none
for what the report needs: reportlab (word breaking, marked content, the
table of contents' table), matplotlib (its font cache), PyYAML (libyaml's
parser under the Python composer) and pyphen (its dictionary, read lazily).
Such code breaks silently when the library changes, so it lives only in this
package, one module per library:

- `rapport.libs.rl`: reportlab;
- `rapport.libs.mpl`: matplotlib;
- `rapport.libs.pyyaml`: PyYAML;
- `rapport.libs.hyph`: pyphen.

Each module checks, when it is imported, that the installed library is the
release series it was written for (`WRITTEN_FOR`, the same ranges as
pyproject.toml pins), and refuses another with what to do. Everywhere else
rapport uses public APIs only; tests/test_libs.py checks that.
"""

from __future__ import annotations

from rapport.diagnostics import ExitCode, RapportError

# The release series (major.minor) each module of this package was written and
# tested for; pyproject.toml allows exactly these, and the lock pins one of each.
WRITTEN_FOR: dict[str, str] = {
    "reportlab": "5.1",
    "matplotlib": "3.11",
    "PyYAML": "6.0",
    "pyphen": "0.18",
}


class LibraryVersionError(RapportError):
    """An installed library is not the version rapport was written for: install the lock."""

    exit_code = ExitCode.USAGE


def require(library: str, found: str) -> None:
    """Refuse `library` at version `found` unless it is of the series in `WRITTEN_FOR`."""
    series = WRITTEN_FOR[library]
    if found == series or found.startswith(f"{series}."):
        return
    raise LibraryVersionError(
        f"rapport was written for {library} {series}.x; found {found}:"
        " install the locked versions with `make`"
    )
