"""Chart geometry: the scales, bars, ticks and legends of the programme's SVG charts.

Pure: built from plain data and figures, no ORM. Every position is in viewBox units, so a
chart scales to any width on screen and on paper; the templates in
``templates/components/charts/`` only place what is computed here. Each chart also carries its
numbers as a table, so that what a sighted reader sees in the bars a screen reader user (or a
reader of the printout) can read in the table.

Colours come from the Government Analysis Function's accessible palette; each series also has
its own fill pattern (solid, striped, hatched) and every bar is labelled with its value, so
colour is never the only signal and the series stay apart when printed in black and white.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from projects.money.bounds import project_existing_resource, project_extra_bounds
from projects.money.document import ProgrammeDocument
from projects.money.figures import ProgrammeFigures
from projects.money.formatting import money
from projects.money.vocabulary import Grade

WIDTH = 800
# A phone's layout of the same chart (the page shows it where the wide one would shrink its
# text below 12 pixels): 320 units drawn about 290 pixels wide keep 14-unit text above 12 pixels.
NARROW_WIDTH = 320
FONT_SIZE = 16
SMALL_FONT_SIZE = 14
# Arial's characters average a little over half their size in width: enough to lay out labels.
CHARACTER_WIDTH = 0.56
PADDING = 8
LEGEND_SWATCH = 16
LEGEND_ROW = 26
BAR_HEIGHT = 24
GROUP_BAR_HEIGHT = 18
GROUP_BAR_GAP = 4
ROW_GAP = 16
AXIS_ROOM = 32  # below the last row: the tick labels
TICKS = 5
NARROW_TICKS = 3  # a phone's chart has room for about four tick labels side by side

DARK_BLUE = "#12436d"  # 10.4:1 against white
TURQUOISE = "#28a197"  # 3.2:1 against white, and 3.2:1 against the dark blue beside it
DARK_PINK = "#801650"  # 9.5:1 against white
TEXT = "#0b0c0c"
ZERO = Decimal("0")

Format = Callable[[Decimal], str]


def money_label(value: Decimal) -> str:
    """Show money as the board papers do: £15,000."""
    return money(value)


def count_label(value: Decimal) -> str:
    """Show a count as a whole number."""
    return f"{int(value):,}"


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    """Estimate how wide a line of text is, in viewBox units."""
    return len(text) * font_size * CHARACTER_WIDTH


def fit_text(text: str, width: float, font_size: float = FONT_SIZE) -> str:
    """Shorten the text with an ellipsis so that it fits the width; the table has it whole."""
    most = max(int(width / (font_size * CHARACTER_WIDTH)), 1)
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def wrap_text(text: str, width: float, font_size: float = FONT_SIZE) -> list[str]:
    """Break the text into lines at spaces so that each fits the width, if a word does."""
    most = max(int(width / (font_size * CHARACTER_WIDTH)), 1)
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= most:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return [fit_text(line, width, font_size) for line in lines] or [""]


def _unit(value: float) -> float:
    """Round a coordinate to a tenth of a unit: finer is invisible and bloats the page."""
    return round(value, 1)


@dataclass(frozen=True)
class SeriesStyle:
    """How one series is drawn: a colour and a fill pattern."""

    name: str  # "solid", "striped" or "hatched"
    colour: str
    pattern_id: str  # the pattern's id in this chart's <defs>; "" for a solid fill

    @property
    def fill(self) -> str:
        return f"url(#{self.pattern_id})" if self.pattern_id else self.colour

    @property
    def stroke(self) -> str:
        """Outline every bar in its colour, so its edge keeps 3:1 against white."""
        return self.colour


STYLE_COLOURS = (("solid", DARK_BLUE), ("striped", TURQUOISE), ("hatched", DARK_PINK))


def series_styles(chart_id: str, count: int) -> tuple[SeriesStyle, ...]:
    """Return the styles of a chart's first ``count`` series, with chart-specific pattern ids."""
    if count > len(STYLE_COLOURS):
        raise ValueError(f"A chart has at most {len(STYLE_COLOURS)} series, not {count}")
    return tuple(
        SeriesStyle(
            name=name,
            colour=colour,
            pattern_id="" if name == "solid" else f"{chart_id}-{name}",
        )
        for name, colour in STYLE_COLOURS[:count]
    )


@dataclass(frozen=True)
class Series:
    """One kind of value the chart shows, such as existing resource."""

    label: str
    style: SeriesStyle


@dataclass(frozen=True)
class TextLine:
    text: str
    y: float


@dataclass(frozen=True)
class LegendItem:
    series: Series
    x: float
    y: float  # top of the swatch
    text_x: float
    text_y: float  # baseline of the label's first line
    # The label as drawn: one line, or on a narrow chart as many as it needs, with baselines.
    lines: tuple[TextLine, ...] = ()


@dataclass(frozen=True)
class Tick:
    value: Decimal
    label: str
    x: float


@dataclass(frozen=True)
class Axis:
    """The value axis along the bottom, with a gridline at each tick."""

    ticks: tuple[Tick, ...]
    top: float  # where the gridlines start
    bottom: float  # where the gridlines end, on the axis line
    left: float
    right: float
    label_y: float  # baseline of the tick labels


@dataclass(frozen=True)
class Segment:
    """One series' part of a stacked bar."""

    series: Series
    value: Decimal
    label: str  # the value as shown
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Bar:
    """One bar of a group: its series named before it, its value written just past its end."""

    series: Series
    value: Decimal
    label: str  # the value as shown
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    series_x: float  # where the series' name ends, just before the bar
    # On a phone the name is written above the bar, from its start, to leave the width to it.
    series_y: float = 0.0
    series_anchor: str = "end"


@dataclass(frozen=True)
class TableRow:
    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class ChartTable:
    """The chart's numbers as a table: a header for the rows, one column per value."""

    caption: str
    row_header: str
    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]
    total: TableRow | None = None

    def labelled(self, row: TableRow) -> tuple[tuple[str, str], ...]:
        """Pair each of the row's cells with its column's header, to label it on a phone."""
        return tuple(zip(self.columns, row.cells, strict=True))

    @property
    def labelled_rows(self) -> tuple[tuple[TableRow, tuple[tuple[str, str], ...]], ...]:
        """Return each row with its cells paired with their columns' headers."""
        return tuple((row, self.labelled(row)) for row in self.rows)

    @property
    def labelled_total(self) -> tuple[tuple[str, str], ...]:
        """Return the total row's cells paired with their columns' headers."""
        return self.labelled(self.total) if self.total else ()


@dataclass(frozen=True)
class StackedRow:
    """One horizontal bar made of a segment per series, with its total at its end."""

    label: str  # as drawn, shortened to fit
    full_label: str
    label_y: float
    segments: tuple[Segment, ...]  # zero values are left out
    total_label: str
    total_x: float
    total_y: float
    breakdown: str  # each non-zero part in words, under the bar
    breakdown_y: float
    # As drawn: one line on a wide chart, a line for each part on a phone's.
    breakdown_lines: tuple[TextLine, ...] = ()


@dataclass(frozen=True)
class StackedBarChart:
    id: str
    title: str
    description: str
    width: float
    height: float
    series: tuple[Series, ...]
    styles: tuple[SeriesStyle, ...]
    legend: tuple[LegendItem, ...]
    axis: Axis
    rows: tuple[StackedRow, ...]
    table: ChartTable
    template: str = "components/charts/stacked_bar_chart.html"
    narrow: StackedBarChart | None = None  # the same chart laid out for a phone


@dataclass(frozen=True)
class BarGroup:
    """A labelled group of bars side by side, one per series."""

    label: str
    full_label: str
    label_y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class GroupedBarChart:
    id: str
    title: str
    description: str
    width: float
    height: float
    series: tuple[Series, ...]
    styles: tuple[SeriesStyle, ...]
    legend: tuple[LegendItem, ...]
    axis: Axis
    groups: tuple[BarGroup, ...]
    table: ChartTable
    template: str = "components/charts/grouped_bar_chart.html"
    narrow: GroupedBarChart | None = None  # the same chart laid out for a phone


@dataclass(frozen=True)
class ChartRow:
    """The input of a chart: a label and one value per series."""

    label: str
    values: tuple[Decimal, ...]


def nice_ticks(maximum: Decimal, *, whole: bool = False, count: int = TICKS) -> tuple[Decimal, ...]:
    """Return round tick values from zero to at or above the maximum, about ``count`` steps."""
    if maximum <= 0:
        return (ZERO, Decimal(1))
    raw = maximum / count
    magnitude = Decimal(1).scaleb(raw.adjusted())
    candidates = [Decimal(m) * magnitude for m in ("1", "2", "2.5", "5", "10")]
    if whole:
        # Counts step by whole numbers: a step of 2.5 claims or of 0.5 is no use.
        candidates = [c for c in candidates if c == c.to_integral_value() and c >= 1] or [
            Decimal(1)
        ]
    step = next(c for c in candidates if c >= raw)
    steps = int((maximum / step).to_integral_value(rounding=ROUND_CEILING))
    return tuple(step * n for n in range(steps + 1))


def _legend(
    series: Sequence[Series], *, top: float, width: float
) -> tuple[tuple[LegendItem, ...], float]:
    """Lay the legend out in rows across the top; return it and the y below it."""
    items, x, y = [], float(PADDING), top
    room = width - 2 * PADDING - LEGEND_SWATCH - 6
    for one in series:
        lines = wrap_text(one.label, room)
        needed = LEGEND_SWATCH + 6 + max(text_width(line) for line in lines) + 24
        if x > PADDING and x + needed > width - PADDING:
            x, y = float(PADDING), y + LEGEND_ROW
        text_y = y + LEGEND_SWATCH - 3
        items.append(
            LegendItem(
                series=one,
                x=_unit(x),
                y=_unit(y),
                text_x=_unit(x + LEGEND_SWATCH + 6),
                text_y=_unit(text_y),
                lines=tuple(
                    TextLine(text=line, y=_unit(text_y + index * (FONT_SIZE + 4)))
                    for index, line in enumerate(lines)
                ),
            )
        )
        if len(lines) > 1:  # the next item starts a row below this one's last line
            x, y = width, y + (len(lines) - 1) * (FONT_SIZE + 4)
        x += needed
    return tuple(items), y + LEGEND_ROW + PADDING


@dataclass(frozen=True)
class _Scale:
    """Map values to x positions between the plot's left and right edges."""

    left: float
    right: float
    top_value: Decimal

    def x(self, value: Decimal) -> float:
        return self.left + float(value / self.top_value) * (self.right - self.left)

    def width(self, value: Decimal) -> float:
        return float(value / self.top_value) * (self.right - self.left)


def _scale(
    maximum: Decimal,
    labels: Sequence[str],
    *,
    width: float,
    whole: bool,
    left: float = PADDING,
    font_size: float = FONT_SIZE,
    ticks_count: int = TICKS,
) -> tuple[_Scale, tuple[Decimal, ...]]:
    """Return the scale and ticks leaving room at the right for the longest value label."""
    ticks = nice_ticks(maximum, whole=whole, count=ticks_count)
    longest = max((text_width(label, font_size) for label in labels), default=0.0)
    last_tick = text_width(_format(whole)(ticks[-1]), SMALL_FONT_SIZE) / 2
    room = max(longest + 12, last_tick) + PADDING
    return _Scale(left=float(left), right=width - room, top_value=ticks[-1]), ticks


def _series(
    chart_id: str, labels: Sequence[str], rows: Sequence[ChartRow]
) -> tuple[tuple[SeriesStyle, ...], tuple[Series, ...]]:
    """Return the chart's series and their styles, refusing rows a bar cannot show."""
    styles = series_styles(chart_id, len(labels))
    series = tuple(
        Series(label=label, style=style) for label, style in zip(labels, styles, strict=True)
    )
    for row in rows:
        if len(row.values) != len(series):
            raise ValueError(f"{row.label} has {len(row.values)} values for {len(series)} series")
        if any(value < 0 for value in row.values):
            raise ValueError(f"{row.label} has a negative value: a bar cannot show it")
    return styles, series


def _format(whole: bool) -> Format:
    return count_label if whole else money_label


def _axis(scale: _Scale, ticks: Sequence[Decimal], *, top: float, bottom: float, whole: bool):
    fmt = _format(whole)
    return Axis(
        ticks=tuple(Tick(value=t, label=fmt(t), x=_unit(scale.x(t))) for t in ticks),
        top=_unit(top),
        bottom=_unit(bottom),
        left=_unit(scale.left),
        right=_unit(scale.right),
        label_y=_unit(bottom + 20),
    )


def stacked_bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    series_labels: Sequence[str],
    rows: Sequence[ChartRow],
    row_header: str,
    whole: bool = False,
    width: float = WIDTH,
    narrow_width: float | None = NARROW_WIDTH,
    compact: bool = False,
) -> StackedBarChart:
    """Lay out horizontal bars, one per row, each stacked from its values in series order.

    With a ``narrow_width``, the chart carries as ``narrow`` its layout at that width for a
    phone (``compact``: each part of a bar's breakdown on a line of its own).
    """
    fmt = _format(whole)
    styles, series = _series(id, series_labels, rows)
    totals = [sum(row.values, ZERO) for row in rows]
    legend, y = _legend(series, top=PADDING, width=width)
    scale, ticks = _scale(
        max(totals, default=ZERO),
        [fmt(t) for t in totals],
        width=width,
        whole=whole,
        ticks_count=NARROW_TICKS if compact else TICKS,
    )
    plot_top = y
    drawn = []
    for row, total in zip(rows, totals, strict=True):
        label_y = y + FONT_SIZE
        bar_y = y + FONT_SIZE + 6
        segments, x = [], scale.left
        for one, value in zip(series, row.values, strict=True):
            if value == 0:
                continue
            bar_width = scale.width(value)
            segments.append(
                Segment(
                    series=one,
                    value=value,
                    label=fmt(value),
                    x=_unit(x),
                    y=_unit(bar_y),
                    width=_unit(bar_width),
                    height=BAR_HEIGHT,
                )
            )
            x += bar_width
        parts = [
            f"{one.label} {fmt(value)}"
            for one, value in zip(series, row.values, strict=True)
            if value != 0
        ]
        breakdown = fit_text(" · ".join(parts) or "None", width - 2 * PADDING, SMALL_FONT_SIZE)
        first_line = bar_y + BAR_HEIGHT + SMALL_FONT_SIZE + 4
        lines = (
            [fit_text(part, width - PADDING, SMALL_FONT_SIZE) for part in parts or ["None"]]
            if compact
            else [breakdown]
        )
        breakdown_lines = tuple(
            TextLine(text=line, y=_unit(first_line + index * (SMALL_FONT_SIZE + 4)))
            for index, line in enumerate(lines)
        )
        drawn.append(
            StackedRow(
                label=fit_text(row.label, width - 2 * PADDING),
                full_label=row.label,
                label_y=_unit(label_y),
                segments=tuple(segments),
                total_label=fmt(total),
                total_x=_unit(x + 6),
                total_y=_unit(bar_y + BAR_HEIGHT / 2 + 5),
                breakdown=breakdown,
                breakdown_y=_unit(first_line),
                breakdown_lines=breakdown_lines,
            )
        )
        y = bar_y + BAR_HEIGHT + len(lines) * (SMALL_FONT_SIZE + 4) + ROW_GAP
    table = ChartTable(
        caption=title,
        row_header=row_header,
        columns=(*series_labels, "Total"),
        rows=tuple(
            TableRow(label=row.label, cells=(*(fmt(v) for v in row.values), fmt(total)))
            for row, total in zip(rows, totals, strict=True)
        ),
        total=TableRow(
            label="Total",
            cells=(
                *(fmt(sum((row.values[i] for row in rows), ZERO)) for i in range(len(series))),
                fmt(sum(totals, ZERO)),
            ),
        )
        if len(rows) > 1
        else None,
    )
    return StackedBarChart(
        id=id,
        title=title,
        description=description,
        width=width,
        height=_unit(y + AXIS_ROOM),
        series=series,
        styles=styles,
        legend=legend,
        axis=_axis(scale, ticks, top=plot_top, bottom=y, whole=whole),
        rows=tuple(drawn),
        table=table,
        narrow=stacked_bar_chart(
            id=f"{id}-narrow",
            title=title,
            description=description,
            series_labels=series_labels,
            rows=rows,
            row_header=row_header,
            whole=whole,
            width=narrow_width,
            narrow_width=None,
            compact=True,
        )
        if narrow_width
        else None,
    )


def grouped_bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    series_labels: Sequence[str],
    rows: Sequence[ChartRow],
    row_header: str,
    whole: bool = False,
    width: float = WIDTH,
    narrow_width: float | None = NARROW_WIDTH,
    compact: bool = False,
) -> GroupedBarChart:
    """Lay out one group per row of horizontal bars, a bar per series, on one value scale.

    With a ``narrow_width``, the chart carries as ``narrow`` its layout at that width for a
    phone (``compact``: each bar's series named above it rather than before it).
    """
    fmt = _format(whole)
    styles, series = _series(id, series_labels, rows)
    values = [value for row in rows for value in row.values]
    legend, y = _legend(series, top=PADDING, width=width)
    # Each bar is named by its series as well as coloured: colour is never the only signal.
    names = 0.0 if compact else max(text_width(one.label, SMALL_FONT_SIZE) for one in series) + 8
    above = SMALL_FONT_SIZE + 4 if compact else 0
    scale, ticks = _scale(
        max(values, default=ZERO),
        [fmt(v) for v in values],
        width=width,
        whole=whole,
        left=PADDING + names,
        font_size=SMALL_FONT_SIZE,
        ticks_count=NARROW_TICKS if compact else TICKS,
    )
    plot_top = y
    groups = []
    for row in rows:
        label_y = y + FONT_SIZE
        bar_y = y + FONT_SIZE + 6
        bars = []
        for one, value in zip(series, row.values, strict=True):
            bar_y += above
            bar_width = scale.width(value)
            bars.append(
                Bar(
                    series=one,
                    value=value,
                    label=fmt(value),
                    x=_unit(scale.left),
                    y=_unit(bar_y),
                    width=_unit(bar_width),
                    height=GROUP_BAR_HEIGHT,
                    label_x=_unit(scale.left + bar_width + 6),
                    label_y=_unit(bar_y + GROUP_BAR_HEIGHT / 2 + 5),
                    series_x=_unit(PADDING if compact else scale.left - 6),
                    series_y=_unit(bar_y - 5 if compact else bar_y + GROUP_BAR_HEIGHT / 2 + 5),
                    series_anchor="start" if compact else "end",
                )
            )
            bar_y += GROUP_BAR_HEIGHT + GROUP_BAR_GAP
        groups.append(
            BarGroup(
                label=fit_text(row.label, width - 2 * PADDING),
                full_label=row.label,
                label_y=_unit(label_y),
                bars=tuple(bars),
            )
        )
        y = bar_y - GROUP_BAR_GAP + ROW_GAP
    table = ChartTable(
        caption=title,
        row_header=row_header,
        columns=tuple(series_labels),
        rows=tuple(
            TableRow(label=row.label, cells=tuple(fmt(v) for v in row.values)) for row in rows
        ),
        total=TableRow(
            label="Total",
            cells=tuple(
                fmt(sum((row.values[i] for row in rows), ZERO)) for i in range(len(series))
            ),
        )
        if len(rows) > 1
        else None,
    )
    return GroupedBarChart(
        id=id,
        title=title,
        description=description,
        width=width,
        height=_unit(y + AXIS_ROOM),
        series=series,
        styles=styles,
        legend=legend,
        axis=_axis(scale, ticks, top=plot_top, bottom=y, whole=whole),
        groups=tuple(groups),
        table=table,
        narrow=grouped_bar_chart(
            id=f"{id}-narrow",
            title=title,
            description=description,
            series_labels=series_labels,
            rows=rows,
            row_header=row_header,
            whole=whole,
            width=narrow_width,
            narrow_width=None,
            compact=True,
        )
        if narrow_width
        else None,
    )


def combine_smallest(
    rows: Sequence[ChartRow], *, limit: int, others: Callable[[int], str]
) -> tuple[ChartRow, ...]:
    """Keep the ``limit - 1`` largest rows in their order and add the rest up in one last row.

    A chart of a thousand bars is no chart: past the limit, the rows with the smallest totals
    are shown together, so every bar stays readable and the bars still add up to the whole.
    """
    if len(rows) <= limit:
        return tuple(rows)
    by_size = sorted(range(len(rows)), key=lambda i: (-sum(rows[i].values, ZERO), i))
    kept = sorted(by_size[: limit - 1])
    rest = [rows[i] for i in by_size[limit - 1 :]]
    width = len(rows[0].values)
    combined = ChartRow(
        label=others(len(rest)),
        values=tuple(sum((row.values[i] for row in rest), ZERO) for i in range(width)),
    )
    return (*(rows[i] for i in kept), combined)


# The charts of a programme, for the dashboard and the board report.

PROJECT_LIMIT = 25
PARTNER_LIMIT = 25
COST_SERIES = (
    "Existing resource",
    "Extra cost committed",
    "Extra cost awaiting a decision",
)


def project_cost_chart(
    document: ProgrammeDocument, *, limit: int = PROJECT_LIMIT
) -> StackedBarChart | None:
    """Return each project's cost stacked as existing / committed extra / awaiting decision.

    None when the programme has no projects.
    """
    if not document.projects:
        return None
    rows = []
    for project in document.projects:
        bounds = project_extra_bounds(project.phases)
        label = project.name
        if bounds.tbc_phases:
            plural = "s" if bounds.tbc_phases != 1 else ""
            label = f"{label} (and {bounds.tbc_phases} phase{plural} of cost to be confirmed)"
        rows.append(
            ChartRow(
                label=label,
                values=(
                    project_existing_resource(project.funding),
                    bounds.minimum,
                    bounds.maximum - bounds.minimum,
                ),
            )
        )
    shown = combine_smallest(rows, limit=limit, others=lambda n: f"The other {n} projects together")
    existing, committed, awaiting = (sum((r.values[i] for r in rows), ZERO) for i in range(3))
    largest = max(rows, key=lambda r: sum(r.values, ZERO))
    count = len(rows)
    description = (
        f"A horizontal bar for each of the {count} project{'s' if count != 1 else ''}, "
        "its cost stacked as existing resource, extra cost committed and extra cost awaiting "
        f"a business-case decision. In all: existing resource {money_label(existing)}, "
        f"extra cost committed {money_label(committed)}, extra cost awaiting a decision "
        f"{money_label(awaiting)}, total {money_label(existing + committed + awaiting)}. "
        f"The costliest is {largest.label}, {money_label(sum(largest.values, ZERO))}."
    )
    if len(shown) < len(rows):
        description += (
            f" The {len(shown) - 1} costliest projects are shown; the other "
            f"{len(rows) - len(shown) + 1} are added together in the last bar."
        )
    return stacked_bar_chart(
        id="chart-project-costs",
        title="Cost of each project",
        description=description,
        series_labels=COST_SERIES,
        rows=shown,
        row_header="Project",
    )


PARTNER_SERIES = ("Share of the maximum", "Pledged", "Received")


def partner_share_chart(
    figures: ProgrammeFigures,
    *,
    names: Mapping[str, str],
    order: Sequence[str] = (),
    own_partner: str | None = None,
    limit: int = PARTNER_LIMIT,
) -> GroupedBarChart | None:
    """Return each contributing partner's share of the maximum against pledged and received.

    ``names`` gives each partner's name by slug and ``order`` the partnership's order of slugs
    (slug order otherwise). None when no partner contributes.
    """
    if not figures.per_partner:
        return None
    rank = {slug: index for index, slug in enumerate(order)}
    positions = sorted(
        figures.per_partner, key=lambda p: (rank.get(p.partner, len(rank)), p.partner)
    )
    rows = [
        ChartRow(
            label=names.get(p.partner, p.partner)
            + (" (your council)" if p.partner == own_partner else ""),
            values=(p.share_max, p.pledged, p.received),
        )
        for p in positions
    ]
    shown = combine_smallest(rows, limit=limit, others=lambda n: f"The other {n} partners together")
    count = len(rows)
    shares = sorted({p.share_max for p in positions})
    share_text = (
        f"{money_label(shares[0])} each"
        if len(shares) == 1
        else f"from {money_label(shares[0])} to {money_label(shares[-1])}"
    )
    description = (
        f"For each of the {count} contributing partner{'s' if count != 1 else ''}, three "
        "bars: its share of the maximum extra cost, the money it has pledged and the money "
        f"it has paid. Shares of the maximum {money_label(figures.extra_max)} run "
        f"{share_text}; pledged in all {money_label(figures.pledged)}, received in all "
        f"{money_label(figures.received)}."
    )
    if len(shown) < len(rows):
        description += (
            f" The {len(shown) - 1} partners with the largest figures are shown; the other "
            f"{len(rows) - len(shown) + 1} are added together in the last group."
        )
    return grouped_bar_chart(
        id="chart-partner-shares",
        title="Each partner's share against pledged and received",
        description=description,
        series_labels=PARTNER_SERIES,
        rows=shown,
        row_header="Partner",
    )


def outcome_chart(document: ProgrammeDocument, *, strategy: str = "") -> StackedBarChart | None:
    """Return the outcome claims of each grade, stacked by whether the project supports the aims.

    None when no project claims an outcome.
    """
    supporting = {grade: 0 for grade in Grade}
    other = {grade: 0 for grade in Grade}
    for project in document.projects:
        counts = supporting if project.supports_strategy else other
        for claim in project.outcome_claims:
            counts[claim.grade] += 1
    total = sum(supporting.values()) + sum(other.values())
    if not total:
        return None
    strategy_name = strategy or "the strategy"
    series_labels = (f"Projects supporting {strategy_name}", "Other projects")
    by_grade = ", ".join(f"{supporting[g] + other[g]} {g.label}" for g in Grade)
    description = (
        f"A horizontal bar for each grade of priority outcome, stacked by whether the claiming "
        f"project supports {strategy_name}. {total} claim{'s' if total != 1 else ''} in all: "
        f"{by_grade}; {sum(supporting.values())} of them by projects supporting {strategy_name}."
    )
    return stacked_bar_chart(
        id="chart-outcomes",
        title="Priority outcome claims by grade",
        description=description,
        series_labels=series_labels,
        rows=[
            ChartRow(label=g.label, values=(Decimal(supporting[g]), Decimal(other[g])))
            for g in Grade
        ],
        row_header="Grade",
        whole=True,
    )
