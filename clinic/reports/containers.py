"""Flowables that arrange other flowables, as ReportLab's own would but with less work:
`Columns` for a one-row table of flowable lists, `KeepLines` for KeepTogether.
"""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether
from reportlab.platypus.flowables import _FUZZ
from reportlab.rl_config import listWrapOnFakeWidth


class Columns(Flowable):  # type: ignore[misc]
    """Columns of flowables side by side, top-aligned, each column laid out once per width: what
    a one-row Table of flowable lists (left padding 0, ReportLab's other default paddings, VALIGN
    TOP) draws, with the same operators, without the table's machinery and its repeated wraps.
    Like that table, it does not split: if it does not fit, it moves to the next frame whole.
    """

    RIGHT_PADDING = 6.0
    TOP_PADDING = 3.0
    BOTTOM_PADDING = 3.0

    def __init__(self, columns: list[list[Flowable]], widths: list[float]) -> None:
        super().__init__()
        self.hAlign = "CENTER"
        self._columns = columns
        self._widths = widths
        self._positions = [0.0]
        for width in widths:
            self._positions.append(self._positions[-1] + width)
        self.width = self._positions[-1]
        self.height = 0.0
        self._sizes: list[list[tuple[float, float]]] | None = None

    def _layout(self) -> list[list[tuple[float, float]]]:
        if self._sizes is None:
            sizes: list[list[tuple[float, float]]] = []
            heights = [0.0]
            for column, width in zip(self._columns, self._widths, strict=True):
                available = width - self.RIGHT_PADDING
                wrapped = [child.wrapOn(self.canv, available, 0xFFFFFFF) for child in column]
                sizes.append(wrapped)
                if column:
                    total = 0.0
                    for child, (_w, h) in zip(column, wrapped, strict=True):
                        total += h + child.getSpaceAfter() + child.getSpaceBefore()
                    heights.append(total - column[0].getSpaceBefore() - column[-1].getSpaceAfter())
            self._sizes = sizes
            self.height = max(heights) + self.BOTTOM_PADDING + self.TOP_PADDING
        return self._sizes

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._layout()
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        # The operators a Table writes for its default cell style before its first cell.
        canvas.setFillColor("black")
        canvas.setFont("Helvetica", 10, 12)
        sizes = self._layout()
        for column, wrapped, x in zip(self._columns, sizes, self._positions, strict=False):
            if not column:
                continue
            y = self.height - self.TOP_PADDING + column[0].getSpaceBefore()
            for child, (_w, h) in zip(column, wrapped, strict=True):
                y -= child.getSpaceBefore()
                y -= h
                child.drawOn(canvas, x, y)
                y -= child.getSpaceAfter()
        canvas.restoreState()


class KeepLines(KeepTogether):  # type: ignore[misc]
    """Lines kept together on one page, laid out where the frame would lay them out.

    KeepTogether always makes the frame ask it to split, after measuring its children with a deep
    copy of the frame, and the frame then adds the children one by one. KeepLines measures them
    once, without the copy (its children add no generated content to the frame), and when they
    fit it takes the frame's own steps for each child (the same room offered, the same space
    between them, the same test that it fits) and draws them as one block at the positions the
    frame would have given them.

    When those steps find that the block does not fit, it goes to the next page whole, or, at the
    top of a page (taller than the page), its children go on one by one, each splitting as it
    can. KeepTogether would decide that by comparing the children's heights, measured with
    unlimited room, with the room here; but a child may need more room than its height (a
    Heading asks for room below it, so as not to end a page), and then KeepTogether hands back
    children that do not fit, and the frame fails with "Splitting error".
    """

    # Set by a wrap that fits: the width, the block's bottom, each child's (width, bottom).
    _placed: tuple[float, float, list[tuple[float, float]]] | None = None
    # Set by every wrap: whether the frame's steps found room for the block here (None: they
    # could not be taken, and KeepTogether decides).
    _room: bool | None = None
    _dims: list[tuple[float, float]]  # each child's size with unlimited room, set by _measure

    def _measure(self, available_width: float, available_height: float) -> float:
        """KeepTogether's measure (ReportLab's _listWrapOn): its widest child's width, with
        `_H`, `_H0` and `_wrapInfo` set as KeepTogether.split reads them."""
        width = 0.0
        height = 0.0
        previous_after = 0.0
        dims: list[tuple[float, float]] = []
        at_top = True
        for child in self._content:
            w, h = child.wrapOn(self.canv, available_width, 0xFFFFFFF)
            dims.append((w, h))
            if h <= _FUZZ:
                continue
            width = max(width, min(w, available_width) if listWrapOnFakeWidth else w)
            height += h
            if not at_top:
                before = child.getSpaceBefore()
                if getattr(child, "_SPACETRANSFER", False):
                    before = previous_after
                height += max(before - previous_after, 0)
            else:
                at_top = False
            if not getattr(child, "_SPACETRANSFER", False):
                previous_after = child.getSpaceAfter()
            height += previous_after
        self._H = height - previous_after
        self._H0 = dims[0][1] if dims else 0
        self._dims = dims
        self._wrapInfo = available_width, available_height
        return width

    def _placeable(self) -> bool:
        """Whether the frame's steps can be taken here: a plain frame and plain children (none
        of zero height, none that transfers its space)."""
        frame = getattr(self, "_frame", None)
        if frame is None or not frame._oASpace or getattr(frame, "_frameBGs", None):
            return False
        return not any(
            getattr(child, "_SPACETRANSFER", False) or getattr(child, "_ZEROSIZE", False)
            for child in self._content
        )

    def _place(self, available_width: float) -> tuple[float, list[tuple[float, float]]] | None:
        """Where the frame would put each child, as Frame._add computes it: the block's height
        and each child's (width, bottom), or None if the frame would not fit them all here."""
        frame = self._frame
        y, bottom, previous_after = frame._y, frame._y1p, frame._prevASpace
        space = 0.0
        if not frame._atTop:
            space = max(self.getSpaceBefore() - previous_after, 0)
        first_space = space
        places: list[tuple[float, float]] = []
        for index, child in enumerate(self._content):
            if index:
                space = max(child.getSpaceBefore() - previous_after, 0)
            room = y - bottom - space
            if room <= 0:
                return None
            w, h = child.wrapOn(self.canv, available_width, room)
            h += space
            y -= h
            if y < bottom - _FUZZ:
                return None
            places.append((w, y))
            previous_after = child.getSpaceAfter()
            y -= previous_after
        # The frame puts the block's bottom at its top less (the block's height + its space).
        height = frame._y - first_space - places[-1][1]
        block_bottom = frame._y - (height + first_space)
        self._placed = (available_width, block_bottom, places)
        return height, places

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._placed, self._room = None, None
        if any(hasattr(child, "frameAction") for child in self._content):
            return super().wrap(available_width, available_height)  # type: ignore[no-any-return]
        width = self._measure(available_width, available_height)
        placed = None
        if available_height < self._H:
            self._room = False
        elif self._placeable() and all(h > 0 for _w, h in self._dims):
            placed = self._place(available_width)
            self._room = placed is not None
        if placed is None:
            return width, 0xFFFFFF  # as KeepTogether: force the frame to ask for a split
        self.width, self.height = available_width, placed[0]
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        if getattr(self, "_wrapInfo", None) != (available_width, available_height):
            self.wrap(available_width, available_height)
        frame = getattr(self, "_frame", None)
        if self._room is False and frame is not None:
            # Not here: on to the next page whole, or, at a page's top, child by child.
            lead = self.NullActionFlowable() if frame._atTop else self.FrameBreak()
            return [lead, *self._content]
        return super().split(available_width, available_height)  # type: ignore[no-any-return]

    def draw(self) -> None:
        assert self._placed is not None, "drawn only after a wrap that fits"
        width, block_bottom, places = self._placed
        for child, (w, y) in zip(self._content, places, strict=True):
            child.drawOn(self.canv, 0, y - block_bottom, _sW=width - w)
