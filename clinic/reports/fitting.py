"""One-line texts fitted to the width they have: a little smaller first, then shortened.

The page header holds one line for the clinic's name beside the patient's, and one for the
contact details beside the title; a name of a hundred characters must neither run off the page
nor print over the other text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth

# A text may be set this much smaller than its size before it is shortened instead.
SMALLEST_SCALE = 0.8
ELLIPSIS = "…"
# Characters that belong to the character before them: cutting before one would change what
# that character reads as (an accent, an emoji sequence, a variation).
_JOINERS = frozenset("\u200c\u200d\u034f\ufe0e\ufe0f")


@dataclass(frozen=True)
class FittedText:
    """A text as it is set: the (possibly shortened) value at its (possibly smaller) size."""

    value: str
    font: str
    size: float
    shortened: bool = False  # part of the text was left out to fit

    def width(self) -> float:
        """The text's width as set."""
        return float(stringWidth(self.value, self.font, self.size))


def fit(value: str, font: str, size: float, width: float, kept: str = "") -> FittedText:
    """`value` at `size`, or smaller to fit `width`; if it must be smaller than SMALLEST_SCALE
    of `size`, at that size and shortened (before `kept`, its end that must print whole)."""
    natural = stringWidth(value, font, size)
    if natural <= width:
        return FittedText(value, font, size)
    smallest = size * SMALLEST_SCALE
    # Width grows in proportion to size; a quarter point down keeps it inside `width`.
    fitted = int(size * width / natural * 4) / 4
    if fitted >= smallest:
        return FittedText(value, font, fitted)
    return FittedText(shorten(value, font, smallest, width, kept), font, smallest, shortened=True)


def shorten(value: str, font: str, size: float, width: float, kept: str = "") -> str:
    """The longest start of `value` that, with an ellipsis and `kept` (when `value` ends with
    it and it fits at all), fits `width`; cut between whole characters, never inside one."""
    head, tail = value, ""
    if kept and value.endswith(kept) and stringWidth(ELLIPSIS + kept, font, size) <= width:
        head, tail = value[: -len(kept)], kept
    end = ELLIPSIS + tail
    low, high = 0, len(head)  # head[:low] + end fits; head[:high + 1] + end does not
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(head[:middle].rstrip() + end, font, size) <= width:
            low = middle
        else:
            high = middle - 1
    cut = low
    while 0 < cut < len(head) and _continues(head, cut):
        cut -= 1
    return head[:cut].rstrip() + end


def _continues(text: str, index: int) -> bool:
    """Whether text[index] belongs to the character before it (so no cut may fall there)."""
    char = text[index]
    return (
        bool(unicodedata.combining(char))
        or char in _JOINERS
        or text[index - 1] == "\u200d"
        or unicodedata.category(char) == "Mn"
    )
