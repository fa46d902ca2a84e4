"""PDF/A-2: every PDF rapport writes is archival grade.

Two kinds of check: an independent validator (page-validation, built on the
veraPDF rules, through rapport.pdf.pdfa_check, which checks every standard a PDF
declares: PDF/A-2a and PDF/UA-1 for a tagged one), and structural checks written
out here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from helpers import REPO, chapter_with_blocks
from rapport.pdf.pdfa import ICC_PROFILE
from rapport.pdf.pdfa_check import check_pdfa
from rapport.pipeline import build

pytestmark = pytest.mark.slow

XMP = {
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}
FORBIDDEN_ACTIONS = {
    "/JavaScript", "/Launch", "/ImportData", "/ResetForm", "/SubmitForm",
    "/Sound", "/Movie", "/Hide", "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView",
}  # fmt: skip
STANDARD_BLEND_MODES = {
    "/Normal", "/Compatible", "/Multiply", "/Screen", "/Overlay", "/Darken", "/Lighten",
    "/ColorDodge", "/ColorBurn", "/HardLight", "/SoftLight", "/Difference", "/Exclusion",
    "/Hue", "/Saturation", "/Color", "/Luminosity",
}  # fmt: skip


def key(prefix: str, name: str) -> str:
    return f"{{{XMP[prefix]}}}{name}"


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real 2023 edition, built once with the pinned publication date."""
    output = tmp_path_factory.mktemp("pdfa") / "voortgangsrapport-2023.pdf"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        build(REPO / "content" / "2023", output)
    return output


@pytest.fixture(scope="module")
def pdf(pdf_path: Path) -> Iterator[pikepdf.Pdf]:
    with pikepdf.open(pdf_path) as document:
        yield document


def all_objects(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            yield obj


def dictionary(obj: pikepdf.Object) -> pikepdf.Dictionary:
    return obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj


# --------------------------------------------------------------------------- the validator


def test_the_validator_approves_the_edition_against_all_it_declares(pdf_path: Path) -> None:
    result = check_pdfa(pdf_path)
    assert result.passed, "\n".join(result.findings)
    assert not result.findings
    assert result.declared in ("PDF/A-2b", "PDF/A-2a, PDF/UA-1")
    assert result.checked == result.declared  # read as it is, not as a lower level
    assert result.validator.startswith("page-validation ")


def test_the_untouched_reportlab_output_fails_the_validator(tmp_path: Path) -> None:
    """The checks can fail: reportlab's own PDF, before finishing, is no PDF/A."""
    import rapport.pdf.reuse
    import rapport.pdf.write

    with pytest.MonkeyPatch.context() as patch:
        # neither the finished PDF of an earlier build nor this one kept for the next
        patch.setattr(rapport.pdf.reuse, "stored_pdf", lambda *args: None)
        patch.setattr(rapport.pdf.reuse, "store_pdf", lambda *args: None)
        patch.setattr(rapport.pdf.write, "finish_pdf", lambda *args, **kwargs: None)
        patch.setattr(
            rapport.pdf.write, "require_pdfa", lambda *args: None
        )  # build would refuse it
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        plain = build(REPO / "content" / "2023", tmp_path / "plain.pdf")
    result = check_pdfa(plain.pdf)
    assert not result.passed
    assert result.declared == "nothing"
    assert "the XMP metadata declares no PDF/A conformance" in result.findings
    assert any(finding.startswith("PDFA2B-") for finding in result.findings), result.findings


# --------------------------------------------------------------------------- XMP metadata


def test_xmp_declares_pdfa_2b_and_agrees_with_the_document_info(pdf: pikepdf.Pdf) -> None:
    metadata = pdf.open_metadata()
    assert metadata.pdfa_status in ("2A", "2B")
    assert metadata[key("pdfaid", "part")] == "2"
    if metadata[key("pdfaid", "conformance")] == "A":  # level A is level B of a tagged PDF
        assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root
    info = pdf.docinfo
    assert metadata[key("dc", "title")] == str(info["/Title"])
    assert str(info["/Title"]) == "Voortgangsrapport digitale bibliotheekdiensten 2023"  # seed
    assert metadata[key("dc", "creator")] == [str(info["/Author"])] == ["Cultuurconnect"]
    assert metadata[key("dc", "description")] == str(info["/Subject"])
    assert metadata[key("dc", "language")] == {"nl-BE"}
    assert str(pdf.Root.Lang) == "nl-BE"
    assert metadata[key("pdf", "Producer")] == str(info["/Producer"])
    assert metadata[key("pdf", "Keywords")] == str(info["/Keywords"])
    assert metadata[key("xmp", "CreatorTool")] == str(info["/Creator"])


def test_the_only_date_is_the_pinned_publication_date(pdf: pikepdf.Pdf, pdf_path: Path) -> None:
    metadata = pdf.open_metadata()
    for name in ("CreateDate", "ModifyDate", "MetadataDate"):
        assert metadata[key("xmp", name)] == "2024-03-20T00:00:00+00:00"
    assert str(pdf.docinfo["/CreationDate"]) == "D:20240320000000+00'00'"
    assert str(pdf.docinfo["/ModDate"]) == "D:20240320000000+00'00'"
    today = dt.date.today()
    raw = pdf_path.read_bytes()
    for stamp in (today.strftime("%Y%m%d").encode(), today.isoformat().encode()):
        if today != dt.date(2024, 3, 20):
            assert stamp not in raw, "today's date was written into the PDF"


def test_xmp_packet_is_well_formed_and_unfiltered(pdf: pikepdf.Pdf) -> None:
    stream = pdf.Root.Metadata
    assert stream.Type == pikepdf.Name.Metadata and stream.Subtype == pikepdf.Name.XML
    assert "/Filter" not in stream.stream_dict, "PDF/A wants the XMP readable without decoding"
    packet = stream.read_bytes()
    assert packet.startswith('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'.encode())
    assert re.search(rb'<\?xpacket end="[rw]"\?>$', packet)
    assert b"bytes=" not in packet.split(b"?>", 1)[0]
    packet.decode("utf-8")  # strict


def test_document_info_holds_only_what_the_xmp_mirrors(pdf: pikepdf.Pdf) -> None:
    assert set(pdf.docinfo.keys()) <= {
        "/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer",
        "/CreationDate", "/ModDate",
    }  # fmt: skip


def test_markup_characters_in_metadata_are_escaped(project, monkeypatch) -> None:
    edition = project(
        chapter_with_blocks("- paragraph: Zie [de site](https://example.org/?a=1&b=2).\n"),
        edition=(
            'title: R&D <kort> "rapport"\nyear: 2023\norganisation: A & B\n'
            "published: 2024-03-20\nkeywords: [x&y, <z>]\n"
        ),
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    report = build(edition, Path("out.pdf"))
    with pikepdf.open(report.pdf) as document:
        metadata = document.open_metadata()
        assert metadata[key("dc", "title")] == "R&D <kort> “rapport”"  # quotes set curly
        assert metadata[key("dc", "creator")] == ["A & B"]
        assert metadata[key("dc", "subject")] == {"x&y", "<z>"}
        assert metadata[key("xmp", "CreateDate")] == "2023-11-14T22:13:20+00:00"
        assert str(document.docinfo["/CreationDate"]) == "D:20231114221320+00'00'"
    verdict = check_pdfa(report.pdf)
    assert verdict.passed, "\n".join(verdict.findings)


# --------------------------------------------------------------------------- colour


def test_one_srgb_output_intent_with_the_shipped_profile(pdf: pikepdf.Pdf) -> None:
    intents = pdf.Root.OutputIntents
    assert len(intents) == 1
    intent = intents[0]
    assert intent.Type == pikepdf.Name.OutputIntent
    assert intent.S == pikepdf.Name.GTS_PDFA1
    assert "sRGB" in str(intent.OutputConditionIdentifier)
    profile = intent.DestOutputProfile
    assert int(profile.N) == 3
    icc = profile.read_bytes()
    assert icc == ICC_PROFILE.read_bytes()
    assert icc[36:40] == b"acsp"
    assert icc[12:16] in (b"mntr", b"prtr") and icc[16:20] == b"RGB "
    assert icc[8] <= 4, "PDF/A-2 takes ICC profiles up to version 4"


def test_no_cmyk_device_colour_without_a_cmyk_intent(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        for operator in pikepdf.parse_content_stream(page, "k K"):
            pytest.fail(f"page uses DeviceCMYK ({operator.operator})")
    for obj in all_objects(pdf):
        assert dictionary(obj).get("/ColorSpace") != pikepdf.Name.DeviceCMYK


def test_transparency_is_what_pdfa_2_allows(pdf: pikepdf.Pdf) -> None:
    for obj in all_objects(pdf):
        entries = dictionary(obj)
        if entries.get("/Type") == pikepdf.Name.ExtGState:
            blend = entries.get("/BM")
            if blend is not None:
                modes = list(blend) if isinstance(blend, pikepdf.Array) else [blend]
                assert {str(mode) for mode in modes} <= STANDARD_BLEND_MODES
            if "/SMask" in entries:
                assert entries.SMask == pikepdf.Name.None_ or "/S" in entries.SMask
        if entries.get("/Subtype") == pikepdf.Name.Image:
            assert not entries.get("/Interpolate", False)
            assert "/Alternates" not in entries and "/OPI" not in entries
        group = entries.get("/Group")
        if isinstance(group, pikepdf.Dictionary) and group.get("/S") == pikepdf.Name.Transparency:
            assert group.get("/CS") != pikepdf.Name.DeviceCMYK


# --------------------------------------------------------------------------- fonts


def test_every_font_is_embedded(pdf: pikepdf.Pdf) -> None:
    fonts = 0
    for obj in all_objects(pdf):
        entries = dictionary(obj)
        if entries.get("/Type") != pikepdf.Name.Font or entries.get("/Subtype") in (
            pikepdf.Name.Type0,
            pikepdf.Name.Type3,
        ):
            continue
        fonts += 1
        descriptor = entries.get("/FontDescriptor")
        assert descriptor is not None, f"font {entries.get('/BaseFont')} has no descriptor"
        assert any(f"/FontFile{n}" in descriptor for n in ("", "2", "3")), (
            f"font {entries.get('/BaseFont')} is not embedded"
        )
    assert fonts >= 4


# --------------------------------------------------------------------------- forbidden features


def test_pages_have_no_transition_entries(pdf: pikepdf.Pdf) -> None:
    for number, page in enumerate(pdf.pages, 1):
        assert "/Trans" not in page.obj, f"page {number} has a /Trans entry"
        assert "/AA" not in page.obj, f"page {number} has additional actions"
        assert "/PresSteps" not in page.obj


def test_trailer_has_an_id_and_no_encryption(pdf: pikepdf.Pdf, pdf_path: Path) -> None:
    identifier = pdf.trailer.ID
    assert len(identifier) == 2
    assert all(len(bytes(part)) == 16 for part in identifier)
    assert not pdf.is_encrypted and "/Encrypt" not in pdf.trailer
    head = pdf_path.read_bytes()[:32]
    assert re.match(rb"%PDF-1\.[0-7]\r?\n%[\x80-\xff]{4}", head), head


def test_no_javascript_launch_or_other_forbidden_actions(pdf: pikepdf.Pdf) -> None:
    assert "/AA" not in pdf.Root, "the catalog has additional actions"
    opening = pdf.Root.get("/OpenAction")
    if isinstance(opening, pikepdf.Dictionary):
        assert str(opening.get("/S", "")) not in FORBIDDEN_ACTIONS
    names = pdf.Root.get("/Names", pikepdf.Dictionary())
    assert "/JavaScript" not in names and "/EmbeddedFiles" not in names
    for obj in all_objects(pdf):
        entries = dictionary(obj)
        assert str(entries.get("/S", "")) not in FORBIDDEN_ACTIONS, f"action {entries.get('/S')}"
        assert "/JS" not in entries
        assert entries.get("/Subtype") not in (pikepdf.Name.Movie, pikepdf.Name.Sound)


def test_annotations_are_printable_and_visible(pdf: pikepdf.Pdf) -> None:
    count = 0
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            count += 1
            flags = int(annotation.get("/F", 0))
            assert flags & 4, "an annotation without the Print flag"
            assert not flags & (1 | 2 | 32 | 256), "a hidden or non-viewable annotation"
    assert count > 0, "the table of contents links are annotations"


def test_finishing_is_deterministic(tmp_path: Path, pdf_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    again = build(REPO / "content" / "2023", tmp_path / "again.pdf")
    assert again.pdf.read_bytes() == pdf_path.read_bytes()


def test_pinning_the_same_date_through_source_date_epoch_changes_nothing(
    tmp_path: Path, pdf_path: Path, monkeypatch
) -> None:
    """reportlab's own /ID depended on SOURCE_DATE_EPOCH; the finished PDF must not."""
    published = dt.datetime(2024, 3, 20, tzinfo=dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(published.timestamp())))
    again = build(REPO / "content" / "2023", tmp_path / "epoch.pdf")
    assert again.pdf.read_bytes() == pdf_path.read_bytes()


def test_no_stream_data_ends_in_a_carriage_return() -> None:
    """Its CR and the end-of-line before `endstream` read as one CRLF: /Length looks wrong."""
    import io
    import zlib

    from rapport.pdf.pdfa import _saved

    # zlib data ends in its checksum, whose last byte follows the sum of the bytes
    candidates = (f"%{'~' * n}{'!' * m}\nq Q\n".encode() for n in range(300) for m in range(3))
    content = next(text for text in candidates if zlib.compress(text).endswith(b"\r"))
    pdf = pikepdf.new()
    stream = pikepdf.Stream(pdf, zlib.compress(content))
    stream["/Filter"] = pikepdf.Name.FlateDecode
    plain = pikepdf.Stream(pdf, zlib.compress(b"BT ET\n"))
    plain["/Filter"] = pikepdf.Name.FlateDecode
    pdf.Root["/Kept"] = pdf.make_indirect(stream)
    pdf.Root["/Plain"] = pdf.make_indirect(plain)
    with pikepdf.open(io.BytesIO(_saved(pdf))) as saved:
        assert saved.Root.Kept.read_bytes() == content
        assert not saved.Root.Kept.read_raw_bytes().endswith(b"\r")
        assert saved.Root.Plain.read_raw_bytes() == zlib.compress(b"BT ET\n")  # left alone
