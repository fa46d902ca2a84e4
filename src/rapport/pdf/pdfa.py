"""Finishing the PDF: make every PDF rapport writes archival grade, PDF/A-2b.

reportlab writes a plain PDF. `finish_pdf` rewrites it in place with pikepdf,
right after layout and before the file is moved into place:

- XMP metadata that declares PDF/A-2b (pdfaid part 2, conformance B) and
  agrees with the document information dictionary: title, author, subject,
  keywords, language, creator, producer and the pinned build date;
- an sRGB output intent, from the ICC profile shipped in `rapport/data/`;
- no empty `/Trans` (page transition) entries, which reportlab writes on every
  page; every annotation printable and visible;
- saved deterministically: the same input gives the same bytes, the `/ID` is
  derived from the content, and no time is written but the pinned one.

`audit` checks a finished file for what PDF/A-2b forbids or requires, for
`rapport publish` and the tests. The full validation is page-validation's
(rapport.pdf.pdfa_check), which every build runs; see docs/archive.md.
"""

from __future__ import annotations

import binascii
import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pikepdf

from rapport.content.model import Edition
from rapport.layout.escaping import escape
from rapport.paths import SRGB_PROFILE

log = logging.getLogger(__name__)

PDFA_PART = 2
PDFA_CONFORMANCE = "B"
ICC_PROFILE = SRGB_PROFILE
OUTPUT_CONDITION = "sRGB IEC61966-2.1"

# Pdf.save settings: deterministic, and within what PDF/A-2 allows (no
# encryption; the XMP packet and content streams are not rewritten on save).
SAVE_OPTIONS: dict[str, Any] = {
    "deterministic_id": True,
    "compress_streams": True,
    "object_stream_mode": pikepdf.ObjectStreamMode.generate,
    "qdf": False,
    "normalize_content": False,
    "fix_metadata_version": False,
    "preserve_pdfa": True,
    "linearize": False,
}

# Annotation flags (ISO 32000-1, 12.5.3): Invisible 1, Hidden 2, Print 4,
# NoView 32, ToggleNoView 256. PDF/A wants Print set and the others clear.
_PRINT = 4
_NOT_ALLOWED = 1 | 2 | 32 | 256

# Info dictionary keys kept, with the XMP property each one must agree with.
_INFO_KEYS = ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer")
_FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/ResetForm", "/SubmitForm"}
_FORBIDDEN_ACTIONS |= {"/Sound", "/Movie", "/Hide", "/SetOCGState", "/Rendition", "/Trans"}


@dataclass(frozen=True)
class Metadata:
    """What the XMP packet and the document information dictionary both say."""

    title: str
    author: str
    subject: str
    keywords: str
    creator: str
    producer: str
    language: str
    moment: dt.datetime
    tagged: bool = False  # a tagged PDF declares PDF/A-2a and PDF/UA-1
    version: str = ""  # xmpMM:VersionID: the revision of a correction


def finish_pdf(
    path: Path,
    edition: Edition,
    moment: dt.datetime,
    structure: Callable[[pikepdf.Pdf], None] | None = None,
    version: str = "",
) -> None:
    """Rewrite the PDF at `path` as PDF/A-2b, in place and deterministically.

    `moment` is the pinned build date (naive, UTC), the only time written.
    `structure` writes the structure tree (rapport.pdf.tags); with it the file is
    a tagged PDF and declares PDF/A-2a and PDF/UA-1. `version` is the revision
    of a correction (rapport.correction), written as xmpMM:VersionID.
    """
    source = io.BytesIO(path.read_bytes())
    with pikepdf.open(source) as pdf:
        if structure is not None:
            structure(pdf)
        metadata = replace(
            _metadata(pdf, edition, moment), tagged=structure is not None, version=version
        )
        for page in pdf.pages:
            _finish_page(page.obj)
        _compact_forms(pdf)
        _set_output_intent(pdf)
        _set_metadata(pdf, metadata)
        # qpdf keeps the first /ID of its input; reportlab's depends on the
        # environment (SOURCE_DATE_EPOCH), so both are derived from the content.
        if "/ID" in pdf.trailer:
            del pdf.trailer["/ID"]
        path.write_bytes(_saved(pdf))


def _saved(pdf: pikepdf.Pdf) -> bytes:
    """The finished file's bytes, with no stream whose data ends in an end-of-line byte.

    The data of a stream is followed by an end-of-line (LF) and `endstream`; data that
    itself ends in CR (one compressed stream in about 256) makes that CR LF, an
    end-of-line of two bytes, and PDF/A validators count its /Length one short. Such a stream is saved
    again behind an ASCIIHexDecode filter, whose data ends in '>'. Files without one, as
    nearly all are, are the first save's bytes.
    """
    first = io.BytesIO()
    pdf.save(first, **SAVE_OPTIONS)
    with pikepdf.open(io.BytesIO(first.getvalue())) as saved:
        ambiguous = [
            stream
            for stream in saved.objects
            if isinstance(stream, pikepdf.Stream) and _ends_ambiguously(stream)
        ]
        if not ambiguous:
            return first.getvalue()
        for stream in ambiguous:
            _wrap_in_hex(stream)
        second = io.BytesIO()
        # the other streams stay exactly as the first save encoded them; compressing would
        # undo the ASCIIHexDecode filter
        again = {**SAVE_OPTIONS, "compress_streams": False}
        saved.save(second, **again, stream_decode_level=pikepdf.StreamDecodeLevel.none)
        return second.getvalue()


def _ends_ambiguously(stream: pikepdf.Stream) -> bool:
    if stream.get("/Type") == "/Metadata":
        return False  # the XMP packet stays unfiltered, as PDF/A requires; it ends in '>'
    return stream.read_raw_bytes().endswith(b"\r")  # "…CR" + "LF endstream" reads as CRLF


def _wrap_in_hex(stream: pikepdf.Stream) -> None:
    filters = stream.get("/Filter")
    chain = list(filters) if isinstance(filters, pikepdf.Array) else [filters] if filters else []
    parameters = stream.get("/DecodeParms")
    if parameters is not None and not isinstance(parameters, pikepdf.Array):
        parameters = pikepdf.Array([parameters])
    stream.write(
        binascii.hexlify(stream.read_raw_bytes()) + b">",
        filter=pikepdf.Array([pikepdf.Name.ASCIIHexDecode, *chain]),
        decode_parms=pikepdf.Array([None, *parameters]) if parameters is not None else None,
    )


def _compact_forms(pdf: pikepdf.Pdf) -> None:
    """The page numbers drawn as forms (rapport.layout.late) share one resource
    dictionary and drop entries that only repeat the defaults: a third of their size."""
    shared: dict[bytes, pikepdf.Object] = {}
    for stream in list(pdf.objects):
        if not isinstance(stream, pikepdf.Stream) or stream.get("/Subtype") != "/Form":
            continue
        if stream.get("/Matrix") == pikepdf.Array([1, 0, 0, 1, 0, 0]):
            del stream["/Matrix"]
        if "/FormType" in stream:
            del stream["/FormType"]
        resources = stream.get("/Resources")
        if isinstance(resources, pikepdf.Dictionary) and not resources.is_indirect:
            kept = pikepdf.Dictionary({k: v for k, v in resources.items() if k != "/ProcSet"})
            key = kept.unparse()
            if key not in shared:
                shared[key] = pdf.make_indirect(kept)
            stream.Resources = shared[key]


def _metadata(pdf: pikepdf.Pdf, edition: Edition, moment: dt.datetime) -> Metadata:
    info = pdf.docinfo

    def text(key: str, default: str = "") -> str:
        value = info.get(key)
        return str(value) if value is not None else default

    return Metadata(
        title=text("/Title", edition.title),
        author=text("/Author", edition.organisation),
        subject=text("/Subject"),
        keywords=text("/Keywords"),
        creator=text("/Creator"),
        producer=text("/Producer"),
        language=edition.language,
        moment=moment,
    )


def _finish_page(page: pikepdf.Dictionary) -> None:
    if "/Trans" in page:
        del page["/Trans"]
    for annotation in page.get("/Annots", pikepdf.Array()):
        flags = int(annotation.get("/F", 0))
        annotation["/F"] = (flags | _PRINT) & ~_NOT_ALLOWED


def _set_output_intent(pdf: pikepdf.Pdf) -> None:
    profile = pikepdf.Stream(pdf, ICC_PROFILE.read_bytes())
    profile["/N"] = 3
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier=pikepdf.String(OUTPUT_CONDITION),
        RegistryName=pikepdf.String("http://www.color.org"),
        Info=pikepdf.String(OUTPUT_CONDITION),
        DestOutputProfile=profile,
    )
    pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(intent)])


def _set_metadata(pdf: pikepdf.Pdf, metadata: Metadata) -> None:
    date = pdf_date(metadata.moment)
    info = pdf.docinfo
    for key in list(info.keys()):
        if key not in _INFO_KEYS:
            del info[key]  # e.g. /Trapped, which the XMP could not mirror
    values = {
        "/Title": metadata.title,
        "/Author": metadata.author,
        "/Subject": metadata.subject,
        "/Keywords": metadata.keywords,
        "/Creator": metadata.creator,
        "/Producer": metadata.producer,
    }
    for key, value in values.items():
        if value:
            info[key] = pikepdf.String(value)
        elif key in info:
            del info[key]
    info["/CreationDate"] = pikepdf.String(date)
    info["/ModDate"] = pikepdf.String(date)
    stream = pikepdf.Stream(pdf, xmp_packet(metadata))
    stream["/Type"] = pikepdf.Name.Metadata
    stream["/Subtype"] = pikepdf.Name.XML
    pdf.Root.Metadata = pdf.make_indirect(stream)


def pdf_date(moment: dt.datetime) -> str:
    """A PDF date string for a naive UTC moment, e.g. D:20240320000000+00'00'."""
    return moment.strftime("D:%Y%m%d%H%M%S+00'00'")


def xmp_date(moment: dt.datetime) -> str:
    """An XMP date for a naive UTC moment, e.g. 2024-03-20T00:00:00+00:00."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


# PDF/A allows only its predefined XMP schemas unless a schema is described in
# the packet itself: this is the description of the PDF/UA identification schema.
_PDFUA_EXTENSION = """\
  <rdf:Description rdf:about=""
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
     <pdfaProperty:name>part</pdfaProperty:name>
     <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
     <pdfaProperty:category>internal</pdfaProperty:category>
     <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
    </rdf:li></rdf:Seq></pdfaSchema:property>
   </rdf:li></rdf:Bag></pdfaExtension:schemas>
  </rdf:Description>
"""


_XMPMM = '\n    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"'


def xmp_packet(metadata: Metadata) -> bytes:
    """The XMP packet: fixed layout, only predefined PDF/A schemas, UTF-8."""
    date = xmp_date(metadata.moment)

    def simple(name: str, value: str) -> str:
        return f"   <{name}>{escape(value)}</{name}>\n" if value else ""

    def alternative(name: str, value: str) -> str:
        if not value:
            return ""
        item = f'<rdf:li xml:lang="x-default">{escape(value)}</rdf:li>'
        return f"   <{name}><rdf:Alt>{item}</rdf:Alt></{name}>\n"

    def collection(name: str, kind: str, values: list[str]) -> str:
        if not values:
            return ""
        items = "".join(f"<rdf:li>{escape(value)}</rdf:li>" for value in values)
        return f"   <{name}><rdf:{kind}>{items}</rdf:{kind}></{name}>\n"

    keywords = [word.strip() for word in metadata.keywords.split(",") if word.strip()]
    body = (
        simple("pdfaid:part", str(PDFA_PART))
        + simple("pdfaid:conformance", "A" if metadata.tagged else PDFA_CONFORMANCE)
        + (simple("pdfuaid:part", "1") if metadata.tagged else "")
        + simple("dc:format", "application/pdf")
        + alternative("dc:title", metadata.title)
        + collection("dc:creator", "Seq", [metadata.author] if metadata.author else [])
        + alternative("dc:description", metadata.subject)
        + collection("dc:language", "Bag", [metadata.language] if metadata.language else [])
        + collection("dc:subject", "Bag", keywords)
        + simple("pdf:Keywords", metadata.keywords)
        + simple("pdf:Producer", metadata.producer)
        + simple("xmp:CreatorTool", metadata.creator)
        + simple("xmp:CreateDate", date)
        + simple("xmp:ModifyDate", date)
        + simple("xmp:MetadataDate", date)
        + simple("xmpMM:VersionID", metadata.version)
    )
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"\n'
        '    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        # only a correction has a version: other PDFs keep their bytes
        f"{_XMPMM if metadata.version else ''}>\n"
        f"{body}"
        "  </rdf:Description>\n"
        f"{_PDFUA_EXTENSION if metadata.tagged else ''}"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    )
    return packet.encode("utf-8")
