"""Stage 4, layout: the edition, its theme and its charts become laid-out pages.

`lay_out` draws the story once with reportlab into memory and returns a
`LaidOut` value (rapport.layout.laid_out): the PDF bytes, the structure tree,
the marked content and the late page numbers. Finishing that PDF is the next
stage's work (rapport.pdf.write); nothing here knows of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportlab.platypus import PageBreak, Spacer
from reportlab.platypus.doctemplate import LayoutError

from rapport.assets import icon_path, resolve_image
from rapport.cache import LAYOUT, Cache, file_digest, json_text
from rapport.charts import ChartArt, ChartSet
from rapport.content.model import Chart, Edition, Image
from rapport.content.walk import edition_nodes, iter_nodes
from rapport.correction import Correction
from rapport.diagnostics import ContentError, Diagnostic, Location
from rapport.layout import hyphens, plans
from rapport.layout.document import ReportDocument, frame_height
from rapport.layout.floats import TIGHT_STEPS, Tightening
from rapport.layout.images import ImageStore
from rapport.layout.laid_out import LaidOut
from rapport.layout.recorder import LayoutRecorder
from rapport.layout.story import build_story
from rapport.layout.styles import register_fonts
from rapport.theme import Theme

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class LayoutJob:
    """What is laid out: the edition with its theme and charts, as of `moment`."""

    edition: Edition
    theme: Theme
    charts: ChartSet
    moment: dt.datetime
    draft: bool
    correction: Correction | None


def lay_out(
    edition: Edition,
    theme: Theme,
    charts: ChartSet,
    moment: dt.datetime,
    *,
    draft: bool = False,
    correction: Correction | None = None,
    cache: Cache | None = None,
    drawn: Callable[[], ChartSet] | None = None,
) -> LaidOut:
    """Lay `edition` out into pages; a block that fits no page is a content error.

    A chapter whose last page holds only a little (a row of tiles, a callout) is laid
    out again with its spacing tightened, step by step (layout/floats.py TIGHT_STEPS);
    the mildest step that saves the chapter a page is kept. Each chapter's decision is
    kept in `cache`, keyed by what it is made of, so that a build whose chapters were
    decided before lays out once (an edited chapter is decided again, alone).

    With `drawn`, charts still being drawn are `pending` in `charts` (blank art of
    their size): the pages are decided with them, and `drawn()` gives the art when
    the pages are drawn for good.
    """
    register_fonts(theme)
    job = LayoutJob(edition, theme, charts, moment, draft, correction)

    def attempt(tight: Tightening) -> tuple[LaidOut, ReportDocument]:
        log.debug("laying out, tightened %s", sorted(tight.items()) or "nothing")
        return _lay_out_once(job, tight)

    def final(tight: Tightening) -> LaidOut:
        art = drawn() if drawn is not None else charts
        log.debug("laying out with the charts drawn, tightened %s", sorted(tight.items()))
        return _lay_out_once(dataclasses.replace(job, charts=art), tight)[0]

    def trial(tight: Tightening) -> tuple[int, ...]:
        log.debug("trying chapters alone, tightened %s", sorted(tight.items()))
        return _pages_of_parts(job, tight)

    keys = _decision_keys(job)
    known = _read_decisions(cache, keys)
    height, leading = frame_height(theme), theme.sizes.leading
    blank = charts.pending > 0  # the pages are decided with blank charts, drawn by `final`
    with plans.open_book(cache, _plan_inputs(edition, theme)):
        laid = _decide(
            attempt, trial, known, height, leading, keys, cache, final if blank else None
        )
    _save_hyphenation()
    return laid


def _decide(
    attempt: Callable[[Tightening], tuple[LaidOut, ReportDocument]],
    trial: Callable[[Tightening], tuple[int, ...]],
    known: Tightening,
    height: float,
    leading: float,
    keys: dict[int, dict[str, Any]] | None,
    cache: Cache | None,
    final: Callable[[Tightening], LaidOut] | None = None,
) -> LaidOut:
    """Lay out with the decisions known, then decide the chapters not known yet.

    A chapter's pages depend only on its own content and spacing (each starts on a new
    page, and no float leaves it), so chapters are decided one by one: the result is
    the same whichever decisions came from the cache. For the same reason a trial lays
    out only the chapters it tightens (`trial`); the pages are laid out whole once more
    only when a chapter gained. With `final`, what `attempt` lays out only decides (its
    charts are blank): the pages are laid out for good by `final`.
    """
    decided = {part: step for part, step in known.items() if step}
    laid, doc = attempt(decided)
    tried = {} if final else {_spelled(decided): laid}
    plain = doc.parts.pages()
    undecided = {part for part in range(2, len(plain)) if part not in known}
    # the steps by which each undecided chapter could save a page (an estimate), mildest first
    could = {
        part: [
            step
            for step, tightness in enumerate(TIGHT_STEPS, start=1)
            if part in doc.parts.loose(height, tightness, leading)
        ]
        for part in sorted(undecided)
    }
    trying = {part: steps.pop(0) for part, steps in could.items() if steps}
    while trying:  # every chapter at its mildest step not tried yet, all in one layout
        tight_pages = trial(trying)
        gained = {part: step for part, step in trying.items() if tight_pages[part] < plain[part]}
        log.debug("tried steps %s, %s saved a page", sorted(trying.items()), sorted(gained))
        decided |= gained
        trying = {p: could[p].pop(0) for p in trying if p not in gained and could[p]}
    # the last trial may have tightened a chapter that gained nothing: laid out once more
    laid = tried.get(_spelled(decided)) or (final or (lambda t: attempt(t)[0]))(decided)
    _write_decisions(cache, keys, {part: decided.get(part, 0) for part in undecided})
    return laid


def _spelled(tight: Tightening) -> tuple[tuple[int, int], ...]:
    return tuple(sorted(tight.items()))


def _decision_keys(job: LayoutJob) -> dict[int, dict[str, Any]] | None:
    """Each chapter's part of the story → what its pages are made of, as a cache key.

    Everything shared (the theme, the edition without its chapters, fonts, images,
    the date, draft or correction) and the chapter itself: its model, its charts'
    sizes, and the numbered captions before it (figure and table numbers run on). None
    when something has no stable spelling or a file cannot be read: then nothing is
    cached.
    """
    edition, theme, charts = job.edition, job.theme, job.charts

    def portable(text: str) -> str:
        return _portable(text, theme.root)

    outside = dataclasses.replace(edition, chapters=())
    shared = portable(repr((theme, outside, job.correction, job.draft)))
    try:
        files = {portable(str(p)): file_digest(p) for p in _files_drawn(edition, theme)}
    except OSError:
        return None
    common = {"shared": _text_digest(shared), "files": files, "moment": job.moment.isoformat()}
    keys: dict[int, dict[str, Any]] = {}
    numbered: list[str] = []  # captioned blocks before this chapter
    for index, chapter in enumerate(edition.chapters):
        nodes = list(iter_nodes(chapter))
        art = [charts.art.get(node.location) for node in nodes if isinstance(node, Chart)]
        own = portable(repr(chapter))
        if " at 0x" in own + shared:  # an object spelled by its address: not the same next time
            return None
        keys[index + FIRST_CHAPTER] = common | {
            "part": index + FIRST_CHAPTER,
            "chapter": _text_digest(own),
            "charts": [_art_digest(item) for item in art],
            "numbered_before": _text_digest(repr(numbered)),
        }
        numbered += [type(node).__name__ for node in nodes if getattr(node, "caption", None)]
    return keys


FIRST_CHAPTER = 2  # the story's parts: 0 the cover, 1 the contents, then the chapters


def _portable(text: str, root: Path) -> str:
    """`text` with the project's folder named alike wherever the project is: a copy of
    the project in another folder has the same cache keys."""
    return text.replace(str(root.resolve()), "<project>").replace(str(root), "<project>")


def _plan_inputs(edition: Edition, theme: Theme) -> dict[str, Any] | None:
    """What gives the line plans of an edition their meaning (layout/plans.py): the
    edition they belong to, the theme, and the font files behind the fonts' names."""
    try:
        digests = {_portable(str(path), theme.root): file_digest(path) for path in _fonts(theme)}
    except OSError:
        return None
    spelled = _portable(repr(theme), theme.root)
    if " at 0x" in spelled:  # an object spelled by its address: not the same next time
        return None
    return {
        "edition": _portable(str(edition.location.path.resolve()), theme.root),
        "theme": _text_digest(spelled),
        "fonts": digests,
    }


def _files_drawn(edition: Edition, theme: Theme) -> list[Path]:
    """The images, icons and fonts the pages draw: their content sizes what is laid out."""
    root = theme.root
    found = _fonts(theme)
    found += [resolve_image(root, n.path) for n in edition_nodes(edition) if isinstance(n, Image)]
    found += [icon_path(root, chapter.icon) for chapter in edition.chapters if chapter.icon]
    if edition.logo is not None:
        found.append(resolve_image(root, edition.logo))
    return sorted(set(found))


def _fonts(theme: Theme) -> list[Path]:
    """The theme's font files."""
    return [theme.font_path(face.name) for face in dataclasses.fields(theme.fonts)]


def _art_digest(art: ChartArt | None) -> str | None:
    """What of a chart its pages depend on: its size (a chart still to draw has it too)."""
    if art is None:
        return None
    return _text_digest(f"{art.alt}\0{art.placeholder}\0{art.art.width!r}\0{art.art.height!r}")


def _text_digest(text: str) -> str:
    return _bytes_digest(text.encode())


def _bytes_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_decisions(cache: Cache | None, keys: dict[int, dict[str, Any]] | None) -> Tightening:
    """The chapters decided before: part → step (0: laid out as it is)."""
    if cache is None or keys is None:
        return {}
    found = {part: cache.read(LAYOUT, inputs, _decode_step) for part, inputs in keys.items()}
    return {part: step for part, step in found.items() if step is not None}


def _decode_step(data: bytes) -> int:
    value = json.loads(data)
    if not isinstance(value, dict) or set(value) != {"step"}:
        raise ValueError("not a tightening decision")
    step = value["step"]
    if type(step) is not int or not 0 <= step <= len(TIGHT_STEPS):
        raise ValueError(f"no tightening step {step!r}")
    return step


def _write_decisions(
    cache: Cache | None, keys: dict[int, dict[str, Any]] | None, decided: Tightening
) -> None:
    if cache is None or keys is None:
        return
    for part, step in decided.items():
        if part not in keys:  # a part the edition does not know of: nothing to key it by
            continue
        try:  # the pages are laid out: a decision that cannot be saved is made again
            cache.write(LAYOUT, keys[part], json_text({"step": step}))
        except OSError as exc:
            log.warning("could not save the layout cache (%s)", exc.strerror or exc)
            return


def _lay_out_once(job: LayoutJob, tight: Tightening) -> tuple[LaidOut, ReportDocument]:
    """The pages, with the spacing of the story's parts `tight` tightened, and the
    document that laid them out (which knows the pages of each part)."""
    output = io.BytesIO()
    images = ImageStore()  # every image drawn, each decoded once
    doc = _laid_document(job, tight, output, images)
    names = tuple(image.name for image in images)
    return doc.recorder.laid_out(output.getvalue(), doc.page, names), doc


def _pages_of_parts(job: LayoutJob, tight: Tightening) -> tuple[int, ...]:
    """How many pages each part of the story takes with the parts `tight` tightened, laying
    out only those (the others stand in as one page each): a trial, never the PDF."""
    doc = _laid_document(job, tight, io.BytesIO(), ImageStore(), only=frozenset(tight))
    return doc.parts.pages()


def _laid_document(
    job: LayoutJob,
    tight: Tightening,
    output: io.BytesIO,
    images: ImageStore,
    only: frozenset[int] | None = None,
) -> ReportDocument:
    """The story laid out into `output`; with `only`, just those parts and not finished."""
    book = plans.current()
    if book is not None:
        book.start(whole=only is None)
    recorder = LayoutRecorder()
    edition, theme, correction = job.edition, job.theme, job.correction
    doc = ReportDocument(
        output, edition, theme, job.moment, recorder, draft=job.draft, correction=correction,
        tight=tight,
    )  # fmt: skip
    story = build_story(edition, theme, job.charts, recorder, images, correction)
    try:
        if only is None:
            doc.lay_out(story)
        else:
            doc.lay_out(_only_parts(story, only), finish=False)
    except LayoutError as exc:
        raise _layout_problem(recorder.last_location, edition, exc) from None
    return doc


def _only_parts(story: list[Any], kept: frozenset[int]) -> list[Any]:
    """The story with only the cover and the parts `kept`; every other part (between two
    page breaks) is a small spacer, so that the parts keep their numbers."""
    parts: list[list[Any]] = [[]]
    for flowable in story:
        if isinstance(flowable, PageBreak):
            parts.append([flowable])
        else:
            parts[-1].append(flowable)
    trimmed = [
        part if number == 0 or number in kept else [*part[:1], Spacer(1, 1)]
        for number, part in enumerate(parts)
    ]
    return [flowable for part in trimmed for flowable in part]


def _save_hyphenation() -> None:
    try:  # the pages are laid out: a cache that cannot be saved does not fail the build
        hyphens.save_all()
    except OSError as exc:
        log.warning("could not save the hyphenation cache (%s)", exc.strerror or exc)


def _layout_problem(where: Location | None, edition: Edition, exc: LayoutError) -> ContentError:
    log.debug("layout failed: %s", exc)
    return ContentError(
        [
            Diagnostic(
                where or Location(edition.location.path),
                "failed to lay out the content after this point (a block is taller than a page)",
                "split a very long table, list or text into smaller blocks",
            )
        ]
    )
