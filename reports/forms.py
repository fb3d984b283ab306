"""The scenario form: a choice per gated phase, the apportionment method and the rounding step.

The form reads a scenario from a query string. A parameter left out takes the programme's
recorded value, so a shared URL need name only what the scenario changes; a parameter that
names a phase the scenario cannot set is an error, never ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django import forms

from norfolk_connect.forms import TAMPERED, GovukFormMixin, choice_errors
from projects.fields import MoneyField
from projects.money.document import ProgrammeDocument
from projects.money.scenarios import (
    DECISION_WORDS,
    METHOD_PARAM,
    STEP_PARAM,
    GatedPhase,
    Scenario,
    gated_phases,
    method_problem,
    phase_key_problem,
    phase_param,
    read_phase_param,
    step_param,
    without_recorded_decisions,
)
from projects.money.vocabulary import Apportionment, Decision

DECISION_CHOICES = [(str(decision), words) for decision, words in DECISION_WORDS.items()]
DECISION_ERROR = "Select Proceeds, Awaiting decision or Does not proceed"
MAX_PARAM_ERRORS = 10  # a mangled URL may name hundreds of phases; the first few say enough


class ScenarioForm(GovukFormMixin, forms.Form):
    """Read a scenario from a query string against the programme's recorded data."""

    method = forms.ChoiceField(
        label="Apportionment method",
        choices=Apportionment.choices,
        error_messages={
            **choice_errors("Apportionment method", select="how costs are shared"),
            "invalid_choice": "Select equal shares, agreed weights or population",
        },
    )
    step = MoneyField(
        label="Rounding step",
        error_messages={"negative": "Rounding step must be more than £0, or leave it empty"},
        required=False,
        help_text="Each partner's immediate tranche and cap are rounded up to this, such as "
        "£10,000. Leave it empty for no rounding.",
    )

    def __init__(self, query: Mapping[str, str] | None = None, *, document: ProgrammeDocument):
        self.document = document
        self.phases: list[GatedPhase] = gated_phases(document)
        self.query = dict(query or {})
        # Always bound: what the query leaves out is the programme as recorded.
        super().__init__({**self.recorded_data(), **self.query})
        self.scenario: Scenario | None = None
        for phase in self.phases:
            self.fields[phase_param(phase.key)] = forms.ChoiceField(
                label=f"Phase {phase.number} of {phase.project_name} in this scenario",
                choices=DECISION_CHOICES,
                error_messages={"required": DECISION_ERROR, "invalid_choice": DECISION_ERROR},
            )
        self.fields["method"].help_text = self.method_hint()
        # The form's own fields took their GOV.UK classes before the phases were added.
        for phase in self.phases:
            self.fields[phase_param(phase.key)].widget.attrs["class"] = "govuk-select"

    def recorded_data(self) -> dict[str, str]:
        """Return the query string of the programme as recorded."""
        programme = self.document.programme
        data = {phase_param(phase.key): str(phase.decision) for phase in self.phases}
        data[METHOD_PARAM] = str(programme.apportionment)
        data[STEP_PARAM] = step_param(programme.rounding_step)
        return data

    def method_hint(self) -> str:
        """Say how shares are split, and which methods lack their partners' figures."""
        missing = [
            str(method.label).lower()
            for method in (Apportionment.WEIGHTS, Apportionment.POPULATION)
            if method_problem(self.document, method)
        ]
        hint = "Costs borne by each partner individually are split equally whatever the method."
        if missing:
            hint += (
                f" Not every contributing partner has a figure for {' or '.join(missing)} yet, "
                f"so {'that method' if len(missing) == 1 else 'those methods'} cannot be used."
            )
        return hint

    def phase_rows(self) -> list[tuple[GatedPhase, forms.BoundField]]:
        """Return each gated phase with the field choosing its decision."""
        return [(phase, self[phase_param(phase.key)]) for phase in self.phases]

    def clean_step(self):
        step = self.cleaned_data["step"]
        if step is not None and step <= 0:
            raise forms.ValidationError("Rounding step must be more than £0, or leave it empty")
        return step

    def clean(self):
        cleaned = super().clean()
        self._check_phase_params()
        recorded_method = self.document.programme.apportionment
        if method_problem(self.document, recorded_method):
            self.add_error(
                None,
                f"The programme's own apportionment method ({recorded_method.label}) lacks its "
                "partners' figures, so there are no recorded figures to compare with. "
                "A facilitator can enter them on the partners page or change the method in the "
                "programme's settings",
            )
        method = cleaned.get("method")
        if method:
            problem = method_problem(self.document, Apportionment(method))
            if problem:
                self.add_error("method", problem)
        if not self.errors:
            scenario = Scenario(
                apportionment=Apportionment(cleaned["method"]),
                rounding_step=cleaned["step"],
                decisions={
                    phase.key: Decision(cleaned[phase_param(phase.key)]) for phase in self.phases
                },
            )
            self.scenario = without_recorded_decisions(self.document, scenario)
        return cleaned

    def _check_phase_params(self) -> None:
        """Refuse parameters that look like a phase's but name no phase the scenario can set."""
        problems = []
        for name in self.query:
            if name in self.fields or "." not in name:
                continue  # a field of the form, or someone else's parameter: not ours to judge
            key = read_phase_param(name)
            shown = name if len(name) <= 60 else f"{name[:60]}…"
            problem = (
                "that is not a phase of this programme"
                if key is None
                else phase_key_problem(self.document, key)
            )
            problems.append(f"The scenario's address asks for “{shown}”, but {problem}")
        for problem in problems[:MAX_PARAM_ERRORS]:
            self.add_error(None, problem)
        if len(problems) > MAX_PARAM_ERRORS:
            self.add_error(None, f"… and {len(problems) - MAX_PARAM_ERRORS} more such phases")


VERSION_PREFIX = "version."
PROJECT_SLUG = re.compile(r"^[a-z0-9-]{1,50}$")
MAX_VERSION = 2**31 - 1


class ScenarioApplyForm(forms.Form):
    """A scenario to apply, and the version of each project whose phases it changes.

    The versions come as ``version.<project slug>`` fields, written by the scenario page from
    the projects it computed the scenario from.
    """

    scenario = forms.CharField(
        required=False,
        max_length=100_000,
        strip=False,
        error_messages={"max_length": TAMPERED, "null_characters_not_allowed": TAMPERED},
    )

    def clean(self):
        cleaned = super().clean()
        self.versions: dict[str, int] = {}
        for name, value in self.data.items():
            if not name.startswith(VERSION_PREFIX):
                continue
            slug = name.removeprefix(VERSION_PREFIX)
            if not (
                PROJECT_SLUG.match(slug)
                and value.isascii()
                and value.isdigit()
                and len(value) <= 10
                and 1 <= int(value) <= MAX_VERSION
            ):
                raise forms.ValidationError(
                    "The scenario's page was out of date or damaged: nothing has been applied. "
                    "Show the scenario again and apply it from there"
                )
            self.versions[slug] = int(value)
        return cleaned

    def problem(self) -> str:
        """Return the form's errors as one sentence for a message."""
        return " ".join(message for messages in self.errors.values() for message in messages)
