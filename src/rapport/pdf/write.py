"""Stage 5, finishing: the laid-out pages become the tagged PDF/A file, atomically.

The finisher takes the layout's value (rapport.layout.laid_out.LaidOut):
reportlab's PDF bytes, the structure tree and the marked content. It writes
the bytes to a temporary file beside the target, adds the structure tree
(rapport.pdf.tags) and makes the file PDF/A (rapport.pdf.pdfa), checks it as
`publish` does, and renames it over the target only when complete, so a
failed or interrupted build leaves the previous PDF.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from rapport.atomic import publish_file
from rapport.cache import PDFA, Cache, file_digest, json_text
from rapport.content.model import Edition
from rapport.correction import Correction
from rapport.diagnostics import ContentError, Diagnostic, FileSystemError, Location, display_path
from rapport.layout.laid_out import LaidOut
from rapport.paths import project_root
from rapport.pdf.pdfa import finish_pdf
from rapport.pdf.pdfa_check import Conformance


def _passed(value: bytes) -> bool:
    """A cached verdict: only a pass is ever stored."""
    if json.loads(value) != {"passed": True}:
        raise ValueError("not a passing verdict")
    return True


@dataclass(frozen=True)
class WriteResult:
    path: Path
    pages: int
    size: int


def write_pdf(
    laid_out: LaidOut,
    edition: Edition,
    target: Path,
    moment: dt.datetime,
    *,
    correction: Correction | None = None,
    check_pdfa: bool = True,
    keep: Callable[[Path, int], None] | None = None,
    checker: Callable[[Path], Conformance] | None = None,
) -> WriteResult:
    """Finish `laid_out` into `target`; the file appears whole or not at all.

    Without `check_pdfa` (only `rapport watch`, which runs the check after the
    PDF is shown, see `cli/watch.py`) the PDF/A check is left to the caller.
    `keep` is given the finished and checked file and its pages before it
    takes the target's place (to keep it for reuse, rapport.pdf.reuse).
    `checker` runs the check instead of `check_pdfa` (a helper process's, rapport.helper).
    """
    temporary = _temporary_beside(target)
    try:
        temporary.write_bytes(laid_out.pdf)
        finish_pdf(
            temporary,
            edition,
            moment,
            structure=_structure_of(laid_out, edition.language),
            version=str(correction.revision) if correction else "",
        )
        if check_pdfa:
            require_pdfa(  # the check `publish` runs
                temporary,
                laid_out.images,
                edition.location,
                Cache.of_project(project_root(edition)),
                checker,
            )
            if keep is not None:
                keep(temporary, laid_out.pages)
        publish_file(temporary, target)
    except OSError as exc:
        raise write_failure(exc, target) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return WriteResult(target, laid_out.pages, target.stat().st_size)


def write_failure(exc: OSError, target: Path) -> FileSystemError:
    """'failed to write …' for the PDF, or for a cache file the error names."""
    return FileSystemError(f"failed to write {_culprit(exc, target)} ({exc.strerror or exc})")


def _temporary_beside(target: Path) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
        os.close(handle)
    except OSError as exc:
        raise FileSystemError(f"failed to write {target} ({exc.strerror or exc})") from None
    return Path(name)


def _culprit(exc: OSError, target: Path) -> Path:
    """The file that could not be written: the PDF, or a cache file the error names."""
    if not isinstance(exc.filename, str):
        return target
    named = Path(exc.filename)
    beside = os.path.abspath(named.parent) == os.path.abspath(target.parent)
    return target if beside else Path(display_path(named))


def _structure_of(laid_out: LaidOut, language: str) -> Callable[[pikepdf.Pdf], None]:
    """What the layout recorded while drawing, as a step of the finishing."""
    from rapport.pdf.tags import apply_structure

    def write_structure(pdf: pikepdf.Pdf) -> None:
        apply_structure(pdf, laid_out.structure, laid_out.marked, language)

    return write_structure


def require_pdfa(
    pdf: Path,
    images: tuple[str, ...],
    edition: Location,
    cache: Cache | None = None,
    checker: Callable[[Path], Conformance] | None = None,
) -> None:
    """Refuse a PDF that fails the PDF/A check `publish` runs: no PDF claims what it is not.

    Every image is converted to what PDF/A allows, so a failure is unexpected;
    images are still the most likely cause, so the message names them. The
    verdict depends on the bytes alone: a PDF already found to pass (same
    sha256, same validator) is not checked again, which spares a rebuild the
    validator's import and run (about 0.1 s). `publish` always checks.
    """
    from rapport.pdf.pdfa_check import check_pdfa

    inputs = {"pdf": file_digest(pdf)}  # the validator's version is in every key of its kind
    if cache is not None and cache.read(PDFA, inputs, _passed) is not None:
        return

    result = (checker or check_pdfa)(pdf)
    if result.passed:
        if cache is not None:
            with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
                cache.write(PDFA, inputs, json_text({"passed": True}))
        return
    named = ", ".join(sorted(images)) or "none"
    raise ContentError(
        [
            Diagnostic(
                edition,
                f"failed to make a PDF that conforms to {result.checked}, which it declares"
                f" ({len(result.findings)} finding(s): {'; '.join(result.findings[:3])})",
                f"the images in this PDF: {named}; save them again as sRGB PNG or JPEG."
                " If that does not help, please report it as a bug in rapport",
            )
        ]
    )
