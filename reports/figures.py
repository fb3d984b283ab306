"""The programme's figures, which the reports read: computed in ``contributions.figures``.

Tests still import them from here.
"""

from contributions.figures import (  # noqa: F401
    Mismatch,
    ProgrammeFigures,
    compute_figures,
    figures_as_json,
)
