"""A correction: a later revision of a published edition, and what its PDF says about it.

The correction does not come from the content files: `rapport publish --revision`
makes it, and `rapport verify` passes the archived one again, so that the PDF of
a revision says on its contents page and in its metadata that it corrects an
earlier one, with the revision number, its date and the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rapport.content.formatting import format_date
from rapport.labels import labels


@dataclass(frozen=True)
class Correction:
    """Revision `revision` (2 or more) of an edition, made on `date` because of `reason`."""

    revision: int
    date: dt.date
    reason: str

    def line(self, language: str) -> str:
        """The colophon line, e.g. 'Gecorrigeerde uitgave, revisie 2 van 12 april 2024: …'."""
        template = labels(language)["corrected"]
        reason = self.reason.strip()
        if reason and reason[-1] not in ".!?…":
            reason += "."  # the line is a sentence, whatever the reason was typed as
        return template.format(
            revision=self.revision, date=format_date(self.date, language), reason=reason
        )
