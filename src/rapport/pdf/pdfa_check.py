"""Checking a finished PDF against what it declares, with an independent validator.

A tagged rapport PDF declares PDF/A-2a and PDF/UA-1 (an untagged one PDF/A-2b).
page-validation, a checker built on the veraPDF rules of both standards, reads
the file as it is: every rule of the declared PDF/A level, and of PDF/UA-1 when
the file claims it. The PDF/A rules catch what the writer can break (device
colour in images, fonts not embedded, metadata), the PDF/UA rules the tagging
(list items, table spans, text without Unicode). It takes a few hundredths of a
second, so every build checks its own claim; `publish` checks again before it
archives.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

_PDFUA_PART = "{http://www.aiim.org/pdfua/ns/id/}part"


@dataclass(frozen=True)
class Conformance:
    """What a PDF declares and what the validator found."""

    declared: str  # e.g. "PDF/A-2a, PDF/UA-1"
    checked: str  # the rules applied, e.g. "PDF/A-2a, PDF/UA-1"
    validator: str
    passed: bool
    findings: list[str] = field(default_factory=list)


def validator_name() -> str:
    """The validator and its version, as verdicts are recorded."""
    from rapport.cache import installed_version

    return f"page-validation {installed_version('page-validation')}"


def declared(pdf: object) -> str:
    """The PDF/A (and PDF/UA) conformance the XMP of an open pikepdf.Pdf declares."""
    import pikepdf

    assert isinstance(pdf, pikepdf.Pdf)
    return ", ".join(label for label, _ in _claims(pdf.open_metadata())) or "nothing"


def _claims(xmp: object) -> list[tuple[str, str]]:
    """Each standard declared, with the page-validation profile that checks it."""
    status = str(getattr(xmp, "pdfa_status", ""))  # e.g. '2A', or '' when none is declared
    found = []
    if status:
        level = status[:-1] + status[-1:].lower()
        found.append((f"PDF/A-{level}", level))
    part = xmp.get(_PDFUA_PART) if hasattr(xmp, "get") else None
    if part:
        found.append((f"PDF/UA-{part}", f"ua{part}"))
    return found


def check_pdfa(path: Path) -> Conformance:
    """Validate the PDF at `path` against every standard it declares."""
    import page
    import pikepdf

    with pikepdf.open(path) as pdf:
        claims = _claims(pdf.open_metadata())
    label = ", ".join(name for name, _ in claims) or "nothing"
    if not any(name.startswith("PDF/A") for name, _ in claims):
        claims.insert(0, ("PDF/A-2b", "2b"))  # a PDF rapport writes always claims PDF/A
        findings = ["the XMP metadata declares no PDF/A conformance"]
    else:
        findings = []
    for _, profile in claims:
        report = page.validate_pdf(str(path), profile=profile)
        findings += [f"{failure.rule_id}: {failure.message}" for failure in report.failures]
    checked = ", ".join(name for name, _ in claims)
    return Conformance(label, checked, validator_name(), not findings, findings)


# ----------------------------------------------------------------------------- by a helper process


def load_validator() -> None:
    """Import the validator ahead of its first check (a helper process does, rapport.helper)."""
    import page  # noqa: F401
    import pikepdf  # noqa: F401
