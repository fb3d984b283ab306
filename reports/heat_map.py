"""The risk heat map: open risks counted in a 5 by 5 grid, likelihood up and impact across.

Pure: built from the grid of counts ``projects.money.delivery.heat_map`` returns, no ORM. Every
position is in viewBox units; the template ``templates/reports/partials/_heat_map.html`` only
places what is computed here, as self-contained SVG that WeasyPrint draws in a PDF too.

Each cell is shaded by the band of the score it stands for (likelihood times impact): high in red
and cross-hatched, medium in amber and striped, low in green and dotted, so that the bands stay
apart without colour (printed in black and white, or by someone who cannot tell red from
green). Every cell is labelled with its count, on a white box so the number keeps its contrast
whatever is behind it, and the same counts are given as a table.
"""

from __future__ import annotations

from dataclasses import dataclass

from projects.money.delivery import HIGH_FROM, MEDIUM_FROM, SCORES, risk_band, risk_score

from .charts import fit_text

# Colours with at least 3:1 against white (WCAG 1.4.11): GOV.UK red 4.9:1, a dark amber 5.2:1,
# GOV.UK green 6.2:1.
BAND_COLOURS = {"high": "#d4351c", "medium": "#b35000", "low": "#00703c"}
BAND_PATTERNS = {"high": "cross-hatched", "medium": "striped", "low": "dotted"}
BAND_WORDS = {"high": "High", "medium": "Medium", "low": "Low"}
BAND_SCORES = {
    "high": f"{HIGH_FROM} to 25",
    "medium": f"{MEDIUM_FROM} to {HIGH_FROM - 1}",
    "low": f"1 to {MEDIUM_FROM - 1}",
}
BANDS = ("high", "medium", "low")

CELL = 56
LEFT = 64  # the likelihood axis: its title and the numbers 1 to 5
TOP = 32  # above the grid: the likelihood axis's title
AXIS_ROOM = 56  # below the grid: the impact numbers and the axis title
LEGEND_ROW = 26
FONT_SIZE = 16
COUNT_FONT_SIZE = 20
WIDTH = LEFT + CELL * len(SCORES) + 16
LABEL_BOX = 34  # the white box behind a cell's count; an empty cell has none


@dataclass(frozen=True)
class BandStyle:
    band: str  # "high", "medium" or "low"
    colour: str
    pattern: str  # how it is shaded: "cross-hatched", "striped" or "dotted"
    pattern_id: str

    @property
    def fill(self) -> str:
        return f"url(#{self.pattern_id})"

    @property
    def words(self) -> str:
        return BAND_WORDS[self.band]

    @property
    def scores(self) -> str:
        return BAND_SCORES[self.band]


@dataclass(frozen=True)
class HeatCell:
    likelihood: int
    impact: int
    count: int
    style: BandStyle
    x: float
    y: float
    size: float

    @property
    def score(self) -> int:
        return risk_score(self.likelihood, self.impact)

    @property
    def centre_x(self) -> float:
        return self.x + self.size / 2

    @property
    def centre_y(self) -> float:
        return self.y + self.size / 2

    @property
    def label_size(self) -> float:
        return LABEL_BOX

    @property
    def label_x(self) -> float:
        return self.centre_x - LABEL_BOX / 2

    @property
    def label_y(self) -> float:
        return self.centre_y - LABEL_BOX / 2

    @property
    def text_y(self) -> float:
        return self.centre_y + COUNT_FONT_SIZE * 0.35  # the baseline that centres the digits


@dataclass(frozen=True)
class AxisLabel:
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class LegendEntry:
    style: BandStyle
    x: float
    y: float  # top of the swatch
    text_x: float
    text_y: float
    text: str


@dataclass(frozen=True)
class TableRow:
    likelihood: int
    cells: tuple[HeatCell, ...]  # impact 1 to 5


@dataclass(frozen=True)
class HeatMap:
    id: str
    title: str
    description: str
    width: float
    height: float
    styles: tuple[BandStyle, ...]
    cells: tuple[HeatCell, ...]
    likelihood_labels: tuple[AxisLabel, ...]
    impact_labels: tuple[AxisLabel, ...]
    likelihood_title: AxisLabel
    impact_title: AxisLabel
    legend: tuple[LegendEntry, ...]
    table: tuple[TableRow, ...]  # likelihood 5 down to 1, as drawn
    total: int
    grid_left: float
    grid_top: float
    grid_size: float

    @property
    def impacts(self) -> tuple[int, ...]:
        return tuple(SCORES)


def band_styles(chart_id: str) -> dict[str, BandStyle]:
    return {
        band: BandStyle(
            band=band,
            colour=BAND_COLOURS[band],
            pattern=BAND_PATTERNS[band],
            pattern_id=f"{chart_id}-{band}",
        )
        for band in BANDS
    }


def describe(grid: tuple[tuple[int, ...], ...], total: int) -> str:
    """Say in words where the risks are: how many in each band, and the busiest cells."""
    if total == 0:
        return "No open risks: every cell of the grid is empty."
    by_band = {band: 0 for band in BANDS}
    for row, likelihood in zip(grid, reversed(SCORES), strict=True):
        for count, impact in zip(row, SCORES, strict=True):
            by_band[risk_band(risk_score(likelihood, impact))] += count
    counts = ", ".join(f"{by_band[band]} {band}" for band in BANDS)
    noun = "risk" if total == 1 else "risks"
    return f"{total} open {noun} by likelihood and impact: {counts}."


def build_heat_map(
    grid: tuple[tuple[int, ...], ...], *, chart_id: str = "risk-heat-map"
) -> HeatMap:
    """Lay out the grid of counts (rows likelihood 5 to 1, columns impact 1 to 5)."""
    if len(grid) != len(SCORES) or any(len(row) != len(SCORES) for row in grid):
        raise ValueError("A heat map is a 5 by 5 grid of counts")
    styles = band_styles(chart_id)
    grid_size = CELL * len(SCORES)
    cells = []
    rows = []
    for row_index, (likelihood, counts) in enumerate(zip(reversed(SCORES), grid, strict=True)):
        row_cells = []
        for column_index, (impact, count) in enumerate(zip(SCORES, counts, strict=True)):
            cell = HeatCell(
                likelihood=likelihood,
                impact=impact,
                count=count,
                style=styles[risk_band(risk_score(likelihood, impact))],
                x=LEFT + column_index * CELL,
                y=TOP + row_index * CELL,
                size=CELL,
            )
            cells.append(cell)
            row_cells.append(cell)
        rows.append(TableRow(likelihood=likelihood, cells=tuple(row_cells)))
    bottom = TOP + grid_size
    likelihood_labels = tuple(
        AxisLabel(str(likelihood), LEFT - 10, TOP + index * CELL + CELL / 2 + FONT_SIZE * 0.35)
        for index, likelihood in enumerate(reversed(SCORES))
    )
    impact_labels = tuple(
        AxisLabel(str(impact), LEFT + index * CELL + CELL / 2, bottom + 22)
        for index, impact in enumerate(SCORES)
    )
    # The likelihood axis's title stands above its numbers, written across: no rotated text.
    likelihood_title = AxisLabel("Likelihood", 8, TOP - 12)
    impact_title = AxisLabel("Impact", LEFT + grid_size / 2, bottom + 46)
    legend_top = bottom + AXIS_ROOM + 8
    legend = tuple(
        LegendEntry(
            style=styles[band],
            x=8,
            y=legend_top + index * LEGEND_ROW,
            text_x=8 + 16 + 8,
            text_y=legend_top + index * LEGEND_ROW + 13,
            text=fit_text(
                f"{BAND_WORDS[band]}: score {BAND_SCORES[band]}",
                WIDTH - 40,
                FONT_SIZE,
            ),
        )
        for index, band in enumerate(BANDS)
    )
    total = sum(sum(row) for row in grid)
    return HeatMap(
        id=chart_id,
        title="Open risks by likelihood and impact",
        description=describe(grid, total),
        width=WIDTH,
        height=legend_top + len(BANDS) * LEGEND_ROW,
        styles=tuple(styles[band] for band in BANDS),
        cells=tuple(cells),
        likelihood_labels=likelihood_labels,
        impact_labels=impact_labels,
        likelihood_title=likelihood_title,
        impact_title=impact_title,
        legend=legend,
        table=tuple(rows),
        total=total,
        grid_left=LEFT,
        grid_top=TOP,
        grid_size=grid_size,
    )
