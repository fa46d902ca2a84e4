"""Checking a finished PDF against PDF/A with pikepdf's validator (`pikepdf.pdfa`).

pikepdf's validator is an allowlist built on the veraPDF rules for PDF/A-1b,
2b and 3b. A tagged rapport PDF declares more: PDF/A-2a (conformance A) and
PDF/UA-1, whose identification schema is described by an XMP extension schema.
The validator knows neither, and refuses them as unknown. Level A is level B
plus requirements on tagging and Unicode, so the file is checked against every
level-B rule with its declaration read as B: a copy whose XMP packet lacks the
PDF/UA identification and its extension schema, and says conformance B, is
saved and validated. The tagging itself is checked by rapport.pdf.tags and its
tests; a full PDF/A-2a and PDF/UA check needs veraPDF (docs/archive.md).
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

FLAVOUR = "2b"

_EXTENSION = re.compile(
    r'[ \t]*<rdf:Description rdf:about=""\s+xmlns:pdfaExtension="[^"]*".*?</rdf:Description>\n',
    re.DOTALL,
)
_PDFUA_PROPERTY = re.compile(r"[ \t]*<pdfuaid:\w+>[^<]*</pdfuaid:\w+>\n?")
_PDFUA_NAMESPACE = re.compile(r'\s*xmlns:pdfuaid="[^"]*"')
_CONFORMANCE_A = "<pdfaid:conformance>A</pdfaid:conformance>"


@dataclass(frozen=True)
class Conformance:
    """What a PDF declares and what pikepdf's validator found."""

    declared: str  # e.g. "PDF/A-2a, PDF/UA-1"
    checked: str  # the rules applied, e.g. "PDF/A-2b"
    validator: str
    passed: bool
    findings: list[str] = field(default_factory=list)


def level_b_packet(packet: bytes) -> bytes:
    """The XMP packet with a PDF/A-2a + PDF/UA declaration read as PDF/A-2b."""
    text = packet.decode("utf-8")
    text = _EXTENSION.sub("", text)
    text = _PDFUA_PROPERTY.sub("", text)
    text = _PDFUA_NAMESPACE.sub("", text)
    text = text.replace(_CONFORMANCE_A, "<pdfaid:conformance>B</pdfaid:conformance>")
    return text.encode("utf-8")


def declared(pdf: object) -> str:
    """The PDF/A (and PDF/UA) conformance the XMP of an open pikepdf.Pdf declares."""
    import pikepdf

    assert isinstance(pdf, pikepdf.Pdf)
    metadata = pdf.open_metadata()
    status = metadata.pdfa_status  # e.g. '2B', or '' when none is declared
    parts = [f"PDF/A-{status[:-1]}{status[-1:].lower()}"] if status else []
    ua = metadata.get("{http://www.aiim.org/pdfua/ns/id/}part")
    if ua:
        parts.append(f"PDF/UA-{ua}")
    return ", ".join(parts) or "nothing"


def check_pdfa(path: Path) -> Conformance:
    """Validate the PDF at `path` with pikepdf against the PDF/A-2b rules."""
    import pikepdf
    import pikepdf.pdfa

    from rapport.pdf.pdfa import SAVE_OPTIONS

    validator = f"pikepdf {pikepdf.__version__} (pikepdf.pdfa)"
    fonttools = logging.getLogger("fontTools")
    level = fonttools.level
    fonttools.setLevel(logging.ERROR)  # reportlab's font subsets carry a zero 'created' date
    try:
        with pikepdf.open(path) as pdf:
            claim = declared(pdf)
            packet = pdf.Root.Metadata.read_bytes() if "/Metadata" in pdf.Root else b""
            view = level_b_packet(packet)
            if view == packet:
                report = pikepdf.pdfa.validate_written(path, FLAVOUR, save_kwargs=SAVE_OPTIONS)
            else:
                if b"pdfua" in view or b"pdfaExtension" in view:
                    return Conformance(
                        claim,
                        "PDF/A-2b",
                        validator,
                        False,
                        ["the XMP declares schemas that cannot be read as PDF/A-2b"],
                    )
                pdf.Root.Metadata.write(view)
                copy = io.BytesIO()
                pdf.save(copy, **SAVE_OPTIONS)
                copy.seek(0)
                report = pikepdf.pdfa.validate_written(copy, FLAVOUR, save_kwargs=SAVE_OPTIONS)
    finally:
        fonttools.setLevel(level)
    checked = (
        "PDF/A-2b" if view == packet else "PDF/A-2b (the level-A and PDF/UA declarations read as B)"
    )
    return Conformance(
        claim, checked, validator, report.passed, [str(finding) for finding in report.findings]
    )


# ----------------------------------------------------------------------------- by a helper process


def load_validator() -> None:
    """Import the validator ahead of its first check (a helper process does, rapport.helper)."""
    import pikepdf.pdfa  # noqa: F401

    import rapport.pdf.pdfa  # noqa: F401  # the save options of the copy checked
