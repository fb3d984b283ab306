"""The timeline of projects and milestones: one row per project, a marker per milestone.

Pure geometry, like ``reports.charts``: built from plain data (no ORM), every position in
viewBox units, placed by ``templates/components/charts/timeline_chart.html``. A milestone is
drawn at the date it is expected (``projects.money.delivery``) with a shape for where it stands
(a circle once reached, a triangle when late, a square when on track or due soon) as well as a
colour, and a tick at its baseline date joined to it by a dashed line when it has slipped. Each
row names its project and its status in words. Past ``limit`` rows the rest are counted in a
last line ("and 12 more projects"); the table carries every project and milestone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from projects.money.delivery import MilestoneDates, milestone_dates
from projects.money.spend import financial_year_of

from .charts import (
    DARK_BLUE,
    DARK_PINK,
    FONT_SIZE,
    NARROW_WIDTH,
    PADDING,
    SMALL_FONT_SIZE,
    TURQUOISE,
    WIDTH,
    ChartTable,
    TableRow,
    fit_text,
    text_width,
)

TITLE = "Projects and their milestones"
ROW_LIMIT = 25
LABEL_WIDTH = 230  # the project's name and status, left of the plot on a wide chart
ROW_HEIGHT = 44
COMPACT_ROW_HEIGHT = 58  # on a phone the name is written above its row's lane
MARKER = 7  # half a marker's size
LEGEND_ROW = 26
AXIS_ROOM = 44
TODAY_ROOM = 20
# Status colours, GOV.UK's, each with its word beside it: colour is never the only signal.
STATUS_COLOURS = {"red": "#d4351c", "amber": "#f47738", "green": "#00703c", None: "#505a5f"}
STATUS_WORDS = {"red": "Red", "amber": "Amber", "green": "Green", None: "Status not set"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def long_date(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


@dataclass(frozen=True)
class TimelineMilestone:
    """A milestone as the chart takes it."""

    name: str
    baseline: date
    forecast: date | None = None
    actual: date | None = None


@dataclass(frozen=True)
class TimelineProject:
    """A project as the chart takes it: its name, status (red, amber, green or None), milestones."""

    name: str
    status: str | None
    milestones: tuple[TimelineMilestone, ...] = ()


@dataclass(frozen=True)
class Marker:
    """A milestone drawn at its expected date; ``shape`` is "circle", "triangle" or "square"."""

    name: str
    shape: str
    colour: str
    x: float
    y: float
    points: str  # the triangle's corners, or the square's as a polygon
    baseline_x: float
    slipped: bool  # a dashed line joins the baseline tick to the marker
    state: str

    @property
    def tick(self) -> tuple[float, float]:
        """The top and bottom of the baseline date's tick."""
        return _unit(self.y - 10), _unit(self.y + 10)


@dataclass(frozen=True)
class TimelineRow:
    label: str
    full_label: str
    label_y: float
    status: str
    status_colour: str
    status_y: float
    status_x: float
    lane_y: float
    markers: tuple[Marker, ...]
    # On a phone the name and status are written across the plot: a white band behind them
    # (top, height) keeps the gridlines from running through the words. None on a wide chart.
    band: tuple[float, float] | None = None

    @property
    def swatch(self) -> tuple[float, float]:
        """Where the status's coloured square starts, left of and level with its word."""
        return _unit(self.status_x - 16), _unit(self.status_y - 11)


@dataclass(frozen=True)
class AxisTick:
    x: float
    label: str
    label_x: float
    year_label: str = ""  # a month axis writes the year under January and the first month


@dataclass(frozen=True)
class LegendEntry:
    shape: str  # circle, triangle, square, baseline, slippage
    colour: str
    label: str
    x: float
    y: float  # the middle of the symbol
    text_x: float
    points: str = ""

    @property
    def text_y(self) -> float:
        return _unit(self.y + 5)

    @property
    def tick(self) -> tuple[float, float]:
        """The top and bottom of the baseline tick's symbol."""
        return _unit(self.y - 9), _unit(self.y + 9)

    @property
    def dash(self) -> tuple[float, float]:
        """The left and right ends of the slippage line's symbol."""
        return _unit(self.x - 12), _unit(self.x + 12)


TABLE_COLUMNS = ("Status", "Milestone", "Baseline", "Expected", "Slippage", "State")


@dataclass(frozen=True)
class TimelineChart:
    id: str
    title: str
    description: str
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    ticks: tuple[AxisTick, ...]
    today_x: float | None
    today_label: str
    today_label_x: float
    today_label_y: float
    legend: tuple[LegendEntry, ...]
    rows: tuple[TimelineRow, ...]
    more: str  # "and 12 more projects: see the table", or ""
    more_y: float
    axis_label_y: float
    year_label_y: float
    # Every project and milestone, drawn or not: a row per milestone, or one for a project
    # without any, as ``reports.charts`` tables are, so the board report can show it as theirs.
    table: ChartTable
    template: str = "components/charts/timeline_chart.html"
    narrow: TimelineChart | None = None

    @property
    def plot_width(self) -> float:
        return _unit(self.plot_right - self.plot_left)


def _unit(value: float) -> float:
    return round(value, 1)


def shape_of(dates: MilestoneDates) -> tuple[str, str]:
    """Return the marker's shape and colour for where the milestone stands."""
    if dates.reached:
        return "circle", DARK_BLUE
    if dates.late:
        return "triangle", DARK_PINK
    return "square", TURQUOISE


def _polygon(shape: str, x: float, y: float) -> str:
    if shape == "triangle":
        corners = [(x, y - MARKER - 1), (x + MARKER + 1, y + MARKER), (x - MARKER - 1, y + MARKER)]
    elif shape == "square":
        corners = [(x - MARKER, y - MARKER), (x + MARKER, y - MARKER), (x + MARKER, y + MARKER),
                   (x - MARKER, y + MARKER)]  # fmt: skip
    else:
        return ""
    return " ".join(f"{_unit(a)},{_unit(b)}" for a, b in corners)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _year_start(day: date) -> date:
    """The 1 April that starts the financial year the day falls in."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def _span(days: Sequence[date]) -> tuple[date, date, str]:
    """Return the axis's start and end, and its unit: "month" for up to 18 months, else "year"."""
    first, last = min(days), max(days)
    if (last - first).days <= 540:
        start = _month_start(first)
        end = _next_month(last)
        while (end - start).days < 90:  # at least three months, so a lone date is not a dot
            end = _next_month(end)
        return start, end, "month"
    start = _year_start(first)
    end = date(_year_start(last).year + 1, 4, 1)
    return start, end, "year"


def _ticks(start: date, end: date, unit: str, x_of, *, compact: bool) -> tuple[AxisTick, ...]:
    ticks = []
    if unit == "month":
        months = []
        day = start
        while day < end:
            months.append(day)
            day = _next_month(day)
        step = 1 if len(months) <= (6 if compact else 18) else 3 if not compact else 4
        for index, day in enumerate(months):
            if index % step:
                continue
            following = months[index + step] if index + step < len(months) else end
            ticks.append(
                AxisTick(
                    x=_unit(x_of(day)),
                    label=MONTHS[day.month - 1],
                    label_x=_unit((x_of(day) + x_of(following)) / 2),
                    year_label=str(day.year) if index == 0 or day.month <= step else "",
                )
            )
        return tuple(ticks)
    years = []
    day = start
    while day < end:
        years.append(day)
        day = date(day.year + 1, 4, 1)
    step = 1
    width_each = (x_of(end) - x_of(start)) / len(years)
    while width_each * step < text_width("2004/05", SMALL_FONT_SIZE) + 8:
        step += 1
    for index, day in enumerate(years):
        if index % step:
            continue
        following = years[index + 1] if index + 1 < len(years) else end
        ticks.append(
            AxisTick(
                x=_unit(x_of(day)),
                label=financial_year_of(day),
                label_x=_unit((x_of(day) + x_of(following)) / 2),
            )
        )
    return tuple(ticks)


def _legend(*, width: float, top: float) -> tuple[tuple[LegendEntry, ...], float]:
    items = [
        ("circle", DARK_BLUE, "Reached"),
        ("triangle", DARK_PINK, "Late, not reached"),
        ("square", TURQUOISE, "On track or due soon"),
        ("baseline", "#0b0c0c", "Baseline date"),
        ("slippage", "#0b0c0c", "Slippage"),
    ]
    entries, x, y = [], float(PADDING), top + LEGEND_ROW / 2
    for shape, colour, label in items:
        symbol = 24.0 if shape == "slippage" else 2.0 * MARKER + 2
        needed = symbol + 6 + text_width(label, SMALL_FONT_SIZE) + 24
        if x > PADDING and x + needed - 24 > width - PADDING:
            x, y = float(PADDING), y + LEGEND_ROW
        middle = x + symbol / 2
        entries.append(
            LegendEntry(
                shape=shape,
                colour=colour,
                label=label,
                x=_unit(middle),
                y=_unit(y),
                text_x=_unit(x + symbol + 6),
                points=_polygon(shape, middle, y),
            )
        )
        x += needed
    return tuple(entries), y + LEGEND_ROW / 2 + PADDING


def timeline_chart(
    projects: Sequence[TimelineProject],
    *,
    as_of: date,
    id: str = "chart-timeline",
    limit: int = ROW_LIMIT,
    width: float = WIDTH,
    narrow_width: float | None = NARROW_WIDTH,
    compact: bool = False,
) -> TimelineChart | None:
    """Lay out the timeline; None when no project has a milestone."""
    dated = [
        (project, [(m, milestone_dates(m.baseline, m.forecast, m.actual, as_of=as_of))
                   for m in project.milestones])
        for project in projects
    ]  # fmt: skip
    all_days = [day for _, ms in dated for m, d in ms for day in (m.baseline, d.expected)]
    if not all_days:
        return None
    start, end, unit = _span(all_days)
    legend, top = _legend(width=width, top=PADDING)
    top += TODAY_ROOM  # the label of the line marking today, above the first row
    plot_left = float(PADDING if compact else LABEL_WIDTH + PADDING)
    plot_right = width - PADDING - MARKER - 2
    total_days = (end - start).days

    def x_of(day: date) -> float:
        return plot_left + (day - start).days / total_days * (plot_right - plot_left)

    shown = dated[:limit]
    rows, y = [], top
    row_height = COMPACT_ROW_HEIGHT if compact else ROW_HEIGHT
    for project, milestones in shown:
        colour = STATUS_COLOURS.get(project.status, STATUS_COLOURS[None])
        word = STATUS_WORDS.get(project.status, STATUS_WORDS[None])
        label_width = width - 2 * PADDING if compact else LABEL_WIDTH - PADDING
        if compact:
            label_y, status_y = y + FONT_SIZE, y + FONT_SIZE
            status_x = width - PADDING - text_width(word, SMALL_FONT_SIZE)
            label_width = status_x - 12 - 2 * PADDING - 14
            lane_y = y + FONT_SIZE + 22
        else:
            label_y, status_y = y + FONT_SIZE + 2, y + FONT_SIZE + 2 + SMALL_FONT_SIZE + 4
            status_x = float(PADDING) + 16
            lane_y = y + row_height / 2
        markers = []
        for milestone, dates in milestones:
            shape, marker_colour = shape_of(dates)
            x = x_of(dates.expected)
            markers.append(
                Marker(
                    name=milestone.name,
                    shape=shape,
                    colour=marker_colour,
                    x=_unit(x),
                    y=_unit(lane_y),
                    points=_polygon(shape, x, lane_y),
                    baseline_x=_unit(x_of(milestone.baseline)),
                    slipped=dates.late,
                    state=dates.state,
                )
            )
        rows.append(
            TimelineRow(
                label=fit_text(project.name, label_width),
                full_label=project.name,
                label_y=_unit(label_y),
                status=word,
                status_colour=colour,
                status_y=_unit(status_y),
                status_x=_unit(status_x),
                lane_y=_unit(lane_y),
                markers=tuple(markers),
                band=(_unit(y + 2), FONT_SIZE + 4) if compact else None,
            )
        )
        y += row_height
    plot_bottom = y
    hidden = len(dated) - len(shown)
    more = f"And {hidden} more project{'s' if hidden != 1 else ''}: see the table" if hidden else ""
    more_y = plot_bottom + AXIS_ROOM + FONT_SIZE
    today_x = x_of(as_of) if start <= as_of <= end else None
    today_label = f"Today, {long_date(as_of)}"
    today_label_x = 0.0
    if today_x is not None:
        half = text_width(today_label, SMALL_FONT_SIZE) / 2
        today_label_x = min(max(today_x, plot_left + half), width - PADDING - half)
    reached = sum(1 for _, ms in dated for _, d in ms if d.reached)
    late = sum(1 for _, ms in dated for _, d in ms if d.late and not d.reached)
    soon = sum(1 for _, ms in dated for _, d in ms if d.due_soon)
    count = sum(len(ms) for _, ms in dated)
    worst = max(((d.slippage, m.name, p.name) for p, ms in dated for m, d in ms), default=None)
    description = (
        f"A row for each of the {len(dated)} project{'s' if len(dated) != 1 else ''}, named with "
        f"its status, and a marker for each of its milestones at the date it is expected, from "
        f"{long_date(start)} to {long_date(end - timedelta(days=1))}. {count} "
        f"milestone{'s' if count != 1 else ''}: {reached} reached, {late} late and not reached, "
        f"{soon} due in the next 30 days."
    )
    if worst and worst[0]:
        description += f" The most slipped is {worst[1]} of {worst[2]}, {worst[0]} days late."
    if hidden:
        description += f" The first {len(shown)} projects are drawn; the table has all of them."
    table = ChartTable(
        caption=f"{TITLE}: the data",
        row_header="Project",
        columns=TABLE_COLUMNS,
        rows=tuple(
            row
            for project, milestones in dated
            for row in [
                TableRow(
                    label=project.name,
                    cells=(
                        STATUS_WORDS.get(project.status, "Not set"),
                        milestone.name,
                        long_date(milestone.baseline),
                        long_date(dates.expected),
                        dates.slippage_words,
                        dates.state,
                    ),
                )
                for milestone, dates in milestones
            ]
            or [
                TableRow(
                    label=project.name,
                    cells=(
                        STATUS_WORDS.get(project.status, "Not set"),
                        "No milestones",
                        "-",
                        "-",
                        "-",
                        "-",
                    ),
                )
            ]
        ),
    )
    return TimelineChart(
        id=id,
        title=TITLE,
        description=description,
        width=width,
        height=_unit(more_y + (PADDING if more else -FONT_SIZE)),
        plot_left=_unit(plot_left),
        plot_right=_unit(plot_right),
        plot_top=_unit(top),
        plot_bottom=_unit(plot_bottom),
        ticks=_ticks(start, end, unit, x_of, compact=compact),
        today_x=None if today_x is None else _unit(today_x),
        today_label=today_label,
        today_label_y=_unit(top - 6),
        today_label_x=_unit(today_label_x),
        legend=legend,
        rows=tuple(rows),
        more=more,
        more_y=_unit(more_y),
        axis_label_y=_unit(plot_bottom + 18),
        year_label_y=_unit(plot_bottom + 35),
        table=table,
        narrow=timeline_chart(
            projects,
            as_of=as_of,
            id=f"{id}-narrow",
            limit=limit,
            width=narrow_width,
            narrow_width=None,
            compact=True,
        )
        if narrow_width
        else None,
    )
