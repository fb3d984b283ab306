"""Read and check a programme file, reporting every problem at its path."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from ..money.document import (
    AGREEMENT,
    CALL,
    CONTRIBUTION,
    DECISION,
    FORECAST,
    FORMAT,
    FORMATS,
    FUNDING,
    INVOICE,
    MEETING,
    MILESTONE,
    OUTCOME_CLAIM,
    PAPER,
    PARTNER,
    PARTNER_AGREEMENT,
    PARTNERSHIP,
    PAYMENT,
    PHASE,
    PROGRAMME,
    PROJECT,
    REFERENCE_MAX_LENGTH,
    REFUND,
    REPORT_TEXT,
    RISK,
    SPEND,
    STATUS_UPDATE,
    AgreementData,
    CallData,
    ContributionData,
    DecisionData,
    ForecastData,
    FundingData,
    InvoiceData,
    MeetingData,
    MilestoneData,
    OutcomeClaimData,
    PaperData,
    PartnerAgreementData,
    PartnerData,
    PartnershipData,
    PaymentData,
    PhaseData,
    ProgrammeData,
    ProgrammeDocument,
    ProjectData,
    RefundData,
    ReportTextData,
    RiskData,
    SpendData,
    StatusUpdateData,
)
from ..money.schema import REQUIRED, Entity, FieldSpec, Kind
from ..money.vocabulary import (
    Apportionment,
    Decision,
    ProjectStatus,
    Vocabulary,
)
from ..report_text import report_text_problems
from ..rules import (
    AMOUNT_DECIMAL_PLACES,
    AMOUNT_MAX_WHOLE_DIGITS,
    CODE_MAX_LENGTH,
    EMAIL_EXAMPLE,
    EMAIL_MAX_LENGTH,
    FINANCIAL_YEAR_EXAMPLE,
    NAME_MAX_LENGTH,
    PAPER_RESERVED_SLUGS,
    PROGRAMME_RESERVED_SLUGS,
    PROJECT_RESERVED_SLUGS,
    RISK_REFERENCE_MAX_LENGTH,
    SLUG,
    SLUG_EXAMPLE,
    SLUG_MAX_LENGTH,
    SLUG_RULE,
    TELEPHONE_EXAMPLE,
    TELEPHONE_MAX_LENGTH,
    TELEPHONE_RULE,
    WEIGHT_DECIMAL_PLACES,
    WEIGHT_MAX_WHOLE_DIGITS,
    has_nul,
    is_blank,
    is_financial_year,
    is_single_line,
    is_telephone,
)
from ..validators import is_email_address
from .ledger_checks import after_the_meeting_problems
from .problems import FILE_PATH, Problem, ProgrammeFileError

_DECIMAL = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PENNY = Decimal("0.01")
_STATED_TOTALS = ("stated_existing_total", "stated_extra_total")
_CONSENT = ("consent_date", "consent_reference")
# The keys format 2 adds: the records after the meeting, and every paper with its decisions.
_FORMAT_2_KEYS = (
    "meetings",
    "agreements",
    "calls",
    "refunds",
    "spend",
    "forecasts",
    "milestones",
    "status_updates",
    "risks",
    "papers",
)

_T = TypeVar("_T")


class _Bad:
    """The value of a field that is missing or wrong; its problem has already been reported."""

    def __repr__(self) -> str:
        return "BAD"


BAD: Any = _Bad()


def parse_programme(raw: str | bytes) -> ProgrammeDocument:
    """Return the programme a file holds, or raise ProgrammeFileError listing every problem."""
    if isinstance(raw, bytes | bytearray):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            message = f"not valid UTF-8 (the first bad byte is at position {exc.start})"
            raise ProgrammeFileError([Problem(FILE_PATH, message)]) from exc
    # Windows editors often save UTF-8 with a byte order mark; it is not part of the content.
    text = raw.removeprefix("\ufeff")
    content = _decode_json(text)
    parser = _Parser()
    document = parser.document(content)
    if parser.problems or document is BAD:
        raise ProgrammeFileError(parser.problems)
    return document


# No value of a programme file needs more: the widest column holds 14 digits. Python would
# otherwise spend time quadratic in the length converting a number, or refuse past 4,300 digits.
NUMBER_MAX_LENGTH = 40
NOT_A_PROGRAMME_FILE = "The file is not a programme file: "
# A \uD800 to \uDFFF escape, or such a character itself: only these can leave a lone
# surrogate in a decoded string, so only a file holding one needs its strings looked through.
_MAYBE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")


class _NumberTooLong(ValueError):
    """A number in the file has more digits than any value of a programme file."""


def _number(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    def read(literal: str) -> Any:
        if len(literal) > NUMBER_MAX_LENGTH:
            raise _NumberTooLong(literal[:20])
        return convert(literal)

    return read


def _decode_json(text: str) -> Any:
    """Return the decoded JSON text, or refuse a file no programme file could be."""
    try:
        content = json.loads(
            text,
            object_pairs_hook=_JsonObject.from_pairs,
            parse_int=_number(int),
            parse_float=_number(float),
        )
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        raise ProgrammeFileError([Problem(FILE_PATH, message)]) from exc
    except _NumberTooLong as exc:
        message = f"{NOT_A_PROGRAMME_FILE}a number has too many digits"
        raise ProgrammeFileError([Problem(FILE_PATH, message)]) from exc
    except RecursionError as exc:
        message = f"{NOT_A_PROGRAMME_FILE}its brackets are nested too deeply"
        raise ProgrammeFileError([Problem(FILE_PATH, message)]) from exc
    if _MAYBE_SURROGATE.search(text) and _has_lone_surrogate(content):
        # Such text cannot be stored or written out again as UTF-8.
        message = f"{NOT_A_PROGRAMME_FILE}it contains text that is not valid Unicode"
        raise ProgrammeFileError([Problem(FILE_PATH, message)])
    return content


def _has_lone_surrogate(content: Any) -> bool:
    """Return whether any key or string in the decoded content holds half a surrogate pair."""
    # Iterative: the decoder has already bounded the depth, but not to what Python's stack takes.
    stack = [content]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


class _JsonObject(dict):
    """A JSON object that remembers keys the file gave twice (json keeps only the last)."""

    duplicate_keys: list[str]

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> _JsonObject:
        obj = cls()
        obj.duplicate_keys = []
        for key, value in pairs:
            if key in obj and key not in obj.duplicate_keys:
                obj.duplicate_keys.append(key)
            obj[key] = value
        return obj


class _Parser:
    """Walk a decoded file once, collecting problems and what the cross-checks need.

    Every reader takes ``(value, path)`` and returns the value read, or ``BAD`` after reporting
    why it cannot be read; objects and lists containing a ``BAD`` become ``BAD`` in turn.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.apportionment: Apportionment | None = None
        # Not named financial_years: that is the reader below, which this would shadow.
        self.programme_years: tuple[str, ...] | None = None
        # References are checked only against a partner list read in full, so that one broken
        # partner does not also make every reference to it look unknown.
        self.partners_complete = False
        self.partner_paths: dict[str, str] = {}
        self.partner_contributes: dict[str, Any] = {}
        self.share_bases: list[Any] = []
        self.project_paths: dict[str, str] = {}
        self.phase_paths: dict[int, str] = {}
        self.contribution_paths: dict[tuple[str, str, str], str] = {}
        self.meetings_complete = False
        self.meeting_paths: dict[str, str] = {}
        self.agreement_paths: dict[str, str] = {}
        self.call_paths: dict[str, str] = {}
        self.invoice_paths: dict[str, str] = {}
        self.invoiced_partners: dict[str, str] = {}
        self.agreed_partners: dict[str, str] = {}
        self.forecast_paths: dict[tuple[str, int, str], str] = {}
        self.paper_paths: dict[str, str] = {}
        self.risk_paths: dict[str, str] = {}
        self.decision_paths: dict[int, str] = {}

    def report(self, path: str, message: str) -> None:
        self.problems.append(Problem(path or FILE_PATH, message))

    def record(self, value: Any, path: str, schema: _Schema) -> dict[str, Any] | None:
        """Return an object's values by key, defaults filled in, or None if it is no object."""
        if not isinstance(value, dict):
            self.report(
                path, f"must be {'an' if path else 'a JSON'} object, not {_describe(value)}"
            )
            return None
        for key in getattr(value, "duplicate_keys", ()):
            self.report(path, f"key {key!r} appears more than once")
        for key in value:
            if key not in schema:
                self.report(path, f"unknown key {key!r}{_suggestion(key, list(schema))}")
        values = {}
        for key, (read, default) in schema.items():
            if key in value:
                values[key] = read(self, value[key], _join(path, key))
            elif default is REQUIRED:
                self.report(_join(path, key), "required")
                values[key] = BAD
            else:
                values[key] = default
        return values

    def items(self, value: Any, path: str, read: _Reader) -> list[Any] | Any:
        if not isinstance(value, list):
            self.report(path, f"must be a list, not {_describe(value)}")
            return BAD
        return [read(self, item, f"{path}[{index}]") for index, item in enumerate(value)]

    # Scalars

    def text(self, value: Any, path: str, max_length: int | None = None) -> Any:
        if not isinstance(value, str):
            self.report(path, f"must be a string, not {_describe(value)}")
            return BAD
        if has_nul(value):  # PostgreSQL cannot store it, and no person typed it
            self.report(path, "must not contain the NUL character (\\u0000)")
            return BAD
        if max_length is not None and len(value) > max_length:
            self.report(path, f"must be at most {max_length} characters long (it has {len(value)})")
            return BAD
        return value

    def long_text(self, value: Any, path: str) -> Any:
        value = self.text(value, path)
        if value is BAD:
            return BAD
        # The report's own bounds on length and nesting, as its form and model apply them.
        problems = report_text_problems(value)
        for problem in problems:
            self.report(path, problem)
        return BAD if problems else value

    def name(self, value: Any, path: str, max_length: int = NAME_MAX_LENGTH) -> Any:
        value = self.text(value, path, max_length)
        if value is not BAD and is_blank(value):
            self.report(path, "must not be empty")
            return BAD
        return value

    def person(self, value: Any, path: str) -> Any:
        """A person's name, or "" when none is recorded: one line, as the forms take it."""
        value = self.text(value, path, NAME_MAX_LENGTH)
        if value is BAD or value == "":
            return value
        if is_blank(value):
            self.report(path, 'must be a name or "", not only spaces')
            return BAD
        if not is_single_line(value):
            self.report(path, "must be on one line, without line breaks")
            return BAD
        return value

    def email(self, value: Any, path: str) -> Any:
        """An email address, or "" when none is recorded, checked as the forms check it."""
        value = self.text(value, path, EMAIL_MAX_LENGTH)
        if value is BAD or value == "":
            return value
        if not is_email_address(value):
            self.report(path, f"must be an email address such as {EMAIL_EXAMPLE}")
            return BAD
        return value

    def telephone(self, value: Any, path: str) -> Any:
        """A telephone number, or "" when none is recorded."""
        value = self.text(value, path, TELEPHONE_MAX_LENGTH)
        if value is BAD or value == "":
            return value
        if not is_telephone(value):
            self.report(
                path, f"must be a telephone number such as {TELEPHONE_EXAMPLE}: {TELEPHONE_RULE}"
            )
            return BAD
        return value

    def code(self, value: Any, path: str) -> Any:
        return None if value is None else self.name(value, path, CODE_MAX_LENGTH)

    def slug(self, value: Any, path: str) -> Any:
        value = self.text(value, path)
        if value is BAD:
            return BAD
        if not SLUG.fullmatch(value):
            self.report(path, f'must be a slug such as "{SLUG_EXAMPLE}": {SLUG_RULE}')
            return BAD
        return self.text(value, path, SLUG_MAX_LENGTH)

    def not_reserved(self, slug: Any, path: str, reserved: frozenset[str]) -> Any:
        if slug in reserved:
            self.report(_join(path, "slug"), f"{slug!r} is a reserved word: the pages use it")
            return BAD
        return slug

    def boolean(self, value: Any, path: str) -> Any:
        if not isinstance(value, bool):
            self.report(path, f"must be true or false, not {_describe(value)}")
            return BAD
        return value

    def whole_number(self, value: Any, path: str, minimum: int, maximum: int) -> Any:
        # bool is an int in Python, but true is not a number in the file.
        if not isinstance(value, int) or isinstance(value, bool):
            self.report(path, f"must be a whole number, not {_describe(value)}")
        elif value < minimum:
            self.report(
                path, "must not be negative" if minimum == 0 else f"must be {minimum} or more"
            )
        elif value > maximum:
            self.report(path, "is too large")
        else:
            return value
        return BAD

    def decimal(self, value: Any, path: str, places: int, whole_digits: int, what: str) -> Any:
        example = "15000.00" if places == 2 else "12.5"
        # A string, so that no JSON tool ever carries pounds and pence through a float.
        if not isinstance(value, str):
            self.report(path, f'must be a string such as "{example}"')
            return BAD
        match = _DECIMAL.fullmatch(value)
        if not match:
            self.report(path, f'must be {what} such as "{example}"')
            return BAD
        sign, whole, fraction = match.groups()
        if fraction is not None and len(fraction) > places:
            self.report(path, f"must have at most {_PLACES[places]} decimal places")
        elif sign:
            self.report(path, "must not be negative")
        elif len(whole.lstrip("0")) > whole_digits:
            self.report(path, "is too large")
        else:
            return Decimal(value)
        return BAD

    def amount(self, value: Any, path: str) -> Any:
        amount = self.decimal(
            value, path, AMOUNT_DECIMAL_PLACES, AMOUNT_MAX_WHOLE_DIGITS, "an amount in pounds"
        )
        return amount if amount is BAD else amount.quantize(_PENNY)

    def amount_or_null(self, value: Any, path: str) -> Any:
        return None if value is None else self.amount(value, path)

    def rounding_step(self, value: Any, path: str) -> Any:
        step = self.amount_or_null(value, path)
        if isinstance(step, Decimal) and step == 0:
            self.report(path, "must be more than zero (null means no rounding)")
            return BAD
        return step

    def weight(self, value: Any, path: str) -> Any:
        if value is None:
            return None
        return self.decimal(
            value, path, WEIGHT_DECIMAL_PLACES, WEIGHT_MAX_WHOLE_DIGITS, "a decimal number"
        )

    def date(self, value: Any, path: str) -> Any:
        if value is None:
            return None
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass  # matches the pattern but is no day of the calendar, such as 2005-02-30
        self.report(path, 'must be a date such as "2004-07-01"')
        return BAD

    def choice(self, value: Any, path: str, choices: type[Vocabulary]) -> Any:
        if isinstance(value, str):
            # The enum's own lookup, by value: `choices.values` builds a list on every call.
            try:
                return choices(value)
            except ValueError:
                pass
        self.report(path, f"must be one of: {', '.join(choices.values)} (not {_describe(value)})")
        return BAD

    def financial_year(self, value: Any, path: str) -> Any:
        if isinstance(value, str) and is_financial_year(value):
            return value
        self.report(
            path,
            f'must be a financial year such as "{FINANCIAL_YEAR_EXAMPLE}" '
            "(the second part is the next year)",
        )
        return BAD

    def financial_years(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            self.report(path, f"must be a list, not {_describe(value)}")
            return BAD
        if not value:
            self.report(path, "must list at least one financial year")
            return BAD
        years = []
        for index, item in enumerate(value):
            year = self.financial_year(item, f"{path}[{index}]")
            if year is not BAD and year in years:
                self.report(f"{path}[{index}]", f"duplicate financial year {year!r}")
                year = BAD
            years.append(year)
        read = _all(years)
        if read is not BAD:
            self.programme_years = read
        return read

    def programme_financial_year(self, value: Any, path: str) -> Any:
        if self.programme_years is None:
            return self.financial_year(value, path)
        if isinstance(value, str) and value in self.programme_years:
            return value
        self.report(
            path,
            f"must be one of the programme's financial years: {', '.join(self.programme_years)} "
            f"(not {_describe(value)})",
        )
        return BAD

    def partner_slug(self, value: Any, path: str, must_contribute: bool = False) -> Any:
        slug = self.slug(value, path)
        if slug is BAD or not self.partners_complete:
            return slug
        if slug not in self.partner_paths:
            suggestion = _suggestion(slug, list(self.partner_paths))
            self.report(path, f"unknown partner {slug!r}{suggestion}")
            return BAD
        if must_contribute and self.partner_contributes[slug] is False:
            self.report(path, f"partner {slug!r} does not contribute (its contributes is false)")
            return BAD
        return slug

    def lead_partner(self, value: Any, path: str) -> Any:
        return None if value is None else self.partner_slug(value, path)

    def contributing_partner(self, value: Any, path: str) -> Any:
        return self.partner_slug(value, path, must_contribute=True)

    def format(self, value: Any, path: str) -> Any:
        if value not in FORMATS:
            expected = " or ".join(f'"{name}"' for name in FORMATS)
            self.report(path, f"must be {expected}, not {_describe(value)}")
            return BAD
        return value

    # Objects

    def document(self, content: Any) -> Any:
        # Another format's contents mean something else: checking them key by key is only noise.
        if isinstance(content, dict) and "format" in content and content["format"] not in FORMATS:
            return self.format(content["format"], "format")
        if isinstance(content, dict) and content.get("format") != FORMAT:
            for key in _FORMAT_2_KEYS:
                if key in content:
                    self.report(key, f'is a key of the format "{FORMAT}", not of this file\'s')
        values = self.record(content, "", _DOCUMENT)
        if values is None:
            return BAD
        del values["format"]
        if isinstance(content, dict) and "papers" in content and "report" in content:
            self.report(
                "report",
                'must be left out when the file has "papers": give the papers under "papers" only',
            )
            values["report"] = BAD
        elif isinstance(values["papers"], list) and BAD not in values["papers"]:
            # The paper being prepared is the newest: the report is its words.
            values["report"] = values["papers"][-1].text
        document = _build(ProgrammeDocument, values)
        if document is not BAD and not self.problems:
            # The money after the meeting is checked across records once each is read whole.
            self.problems.extend(after_the_meeting_problems(document))
        return document

    def partnership(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _PARTNERSHIP)
        return BAD if values is None else _build(PartnershipData, values)

    def programme(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _PROGRAMME)
        if values is None:
            return BAD
        values["slug"] = self.not_reserved(values["slug"], path, PROGRAMME_RESERVED_SLUGS)
        starts, ends = values["starts"], values["ends"]
        if isinstance(starts, date) and isinstance(ends, date) and starts > ends:
            self.report(_join(path, "ends"), f"must not be before starts ({starts.isoformat()})")
            values["ends"] = BAD
        stated = values.pop("stated")
        values["stated_existing_total"] = BAD if stated is BAD else stated["existing_total"]
        values["stated_extra_total"] = BAD if stated is BAD else stated["extra_total"]
        if values["apportionment"] is not BAD:
            self.apportionment = values["apportionment"]
        return _build(ProgrammeData, values)

    def stated(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _STATED)
        return BAD if values is None or BAD in values.values() else values

    def partners(self, value: Any, path: str) -> Any:
        self.partners_complete = isinstance(value, list)
        partners = self.items(value, path, _Parser.partner)
        bases = self.share_bases
        if bases and all(isinstance(basis, int | Decimal) for basis in bases) and sum(bases) == 0:
            what = "weights" if self.apportionment == Apportionment.WEIGHTS else "populations"
            self.report(path, f"the contributing partners' {what} must add up to more than zero")
        return partners

    def partner(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _PARTNER)
        if values is None:
            self.partners_complete = False
            return BAD
        slug = values["slug"]
        if slug is BAD:
            self.partners_complete = False
        elif slug in self.partner_paths:
            message = f"duplicate slug {slug!r} (also {self.partner_paths[slug]})"
            self.report(_join(path, "slug"), message)
            values["slug"] = BAD
        else:
            self.partner_paths[slug] = path
            self.partner_contributes[slug] = values["contributes"]
        if values["contributes"] is True and self.apportionment in _SHARE_BASIS:
            key = _SHARE_BASIS[self.apportionment]
            if values[key] is None:
                self.report(
                    _join(path, key),
                    "required for a contributing partner when the apportionment is "
                    f'"{self.apportionment}"',
                )
            self.share_bases.append(values[key])
        return _build(PartnerData, values)

    def project(self, value: Any, path: str) -> Any:
        self.phase_paths = {}
        values = self.record(value, path, _PROJECT)
        if values is None:
            return BAD
        slug = values["slug"] = self.not_reserved(values["slug"], path, PROJECT_RESERVED_SLUGS)
        if slug in self.project_paths:
            self.report(
                _join(path, "slug"), f"duplicate slug {slug!r} (also {self.project_paths[slug]})"
            )
            values["slug"] = BAD
        elif slug is not BAD:
            self.project_paths[slug] = path
        phases = values["phases"]
        if values["status"] == ProjectStatus.WITHDRAWN and isinstance(phases, list):
            for index, phase in enumerate(phases):
                if phase is not BAD and phase.decision != Decision.NOT_PROCEEDING:
                    self.report(
                        f"{path}.phases[{index}].decision",
                        'must be "not_proceeding" because the project is withdrawn',
                    )
                    phases[index] = BAD
        return _build(ProjectData, values)

    def claim(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _CLAIM)
        return BAD if values is None else _build(OutcomeClaimData, values)

    def funding(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _FUNDING)
        return BAD if values is None else _build(FundingData, values)

    def phase(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _PHASE)
        if values is None:
            return BAD
        number = values["number"]
        if number in self.phase_paths:
            message = f"duplicate phase number {number} (also {self.phase_paths[number]})"
            self.report(_join(path, "number"), message)
            values["number"] = BAD
        elif number is not BAD:
            self.phase_paths[number] = path
        return _build(PhaseData, values)

    def report_text(self, value: Any, path: str) -> Any:
        # Placeholders are checked when the programme is loaded, by the report text's model.
        values = self.record(value, path, _REPORT)
        return BAD if values is None else _build(ReportTextData, values)

    def contribution(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _CONTRIBUTION)
        if values is None:
            return BAD
        identity = (values["partner"], values["financial_year"], values["tranche"])
        if identity in self.contribution_paths:
            self.report(
                path,
                "duplicate contribution for the same partner, financial year and tranche "
                f"(also {self.contribution_paths[identity]})",
            )
            return BAD
        if BAD not in identity:
            self.contribution_paths[identity] = path
        return _build(ContributionData, values)

    # After the meeting

    def day(self, value: Any, path: str) -> Any:
        """A date the record must have."""
        if value is None:
            self.report(path, 'must be a date such as "2004-07-01"')
            return BAD
        return self.date(value, path)

    def positive_amount(self, value: Any, path: str) -> Any:
        amount = self.amount(value, path)
        if isinstance(amount, Decimal) and amount == 0:
            self.report(path, "must be more than zero")
            return BAD
        return amount

    def meetings(self, value: Any, path: str) -> Any:
        self.meetings_complete = isinstance(value, list)
        meetings = self.items(value, path, _Parser.meeting)
        if meetings is BAD or BAD in meetings:
            self.meetings_complete = False
        return meetings

    def meeting(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _MEETING)
        if values is None:
            return BAD
        values["slug"] = self.unique(values["slug"], _join(path, "slug"), self.meeting_paths)
        return _build(MeetingData, values)

    def unique(self, key: Any, path: str, seen: dict[Any, str], what: str = "slug") -> Any:
        """Note where a key was first given; report it, and return BAD, when given again."""
        if key is BAD:
            return BAD
        if key in seen:
            self.report(path, f"duplicate {what} {key!r} (also {seen[key]})")
            return BAD
        seen[key] = path
        return key

    def meeting_slug(self, value: Any, path: str) -> Any:
        slug = self.slug(value, path)
        if slug is BAD or not self.meetings_complete:
            return slug
        if slug not in self.meeting_paths:
            suggestion = _suggestion(slug, list(self.meeting_paths))
            self.report(path, f"unknown meeting {slug!r}{suggestion}")
            return BAD
        return slug

    def agreement(self, value: Any, path: str) -> Any:
        self.agreed_partners = {}
        values = self.record(value, path, _AGREEMENT)
        if values is None:
            return BAD
        values["meeting"] = self.unique(
            values["meeting"], _join(path, "meeting"), self.agreement_paths, "agreement for"
        )
        return _build(AgreementData, values)

    def partner_agreement(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _PARTNER_AGREEMENT)
        if values is None:
            return BAD
        values["partner"] = self.unique(
            values["partner"], _join(path, "partner"), self.agreed_partners, "partner"
        )
        immediate, cap = values["immediate"], values["cap"]
        if isinstance(immediate, Decimal) and isinstance(cap, Decimal) and immediate > cap:
            self.report(_join(path, "immediate"), f"must not be more than the cap ({cap:f})")
            values["immediate"] = BAD
        consent = values.pop("consent")
        values["consent_date"] = BAD if consent is BAD else consent["date"]
        values["consent_reference"] = BAD if consent is BAD else consent["reference"]
        return _build(PartnerAgreementData, values)

    def consent(self, value: Any, path: str) -> Any:
        if value is None:
            return {"date": None, "reference": ""}
        values = self.record(value, path, _CONSENT_OBJECT)
        return BAD if values is None or BAD in values.values() else values

    def call(self, value: Any, path: str) -> Any:
        self.invoiced_partners = {}
        values = self.record(value, path, _CALL)
        if values is None:
            return BAD
        values["slug"] = self.unique(values["slug"], _join(path, "slug"), self.call_paths)
        issued, due = values["issued"], values["due"]
        if isinstance(issued, date) and isinstance(due, date) and due < issued:
            self.report(_join(path, "due"), f"must not be before issued ({issued.isoformat()})")
            values["due"] = BAD
        return _build(CallData, values)

    def invoice(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _INVOICE)
        if values is None:
            return BAD
        values["number"] = self.unique(
            values["number"], _join(path, "number"), self.invoice_paths, "invoice number"
        )
        values["partner"] = self.unique(
            values["partner"], _join(path, "partner"), self.invoiced_partners, "invoice for"
        )
        return _build(InvoiceData, values)

    def payment(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _PAYMENT)
        return BAD if values is None else _build(PaymentData, values)

    def refund(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _REFUND)
        return BAD if values is None else _build(RefundData, values)

    def spend(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _SPEND)
        return BAD if values is None else _build(SpendData, values)

    def milestone(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _MILESTONE)
        return BAD if values is None else _build(MilestoneData, values)

    def status_update(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _STATUS_UPDATE)
        return BAD if values is None else _build(StatusUpdateData, values)

    def risk(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _RISK)
        if values is None:
            return BAD
        values["reference"] = self.unique(
            values["reference"], _join(path, "reference"), self.risk_paths, "reference"
        )
        return _build(RiskData, values)

    def risk_reference(self, value: Any, path: str) -> Any:
        return self.name(value, path, RISK_REFERENCE_MAX_LENGTH)

    def slug_or_null(self, value: Any, path: str) -> Any:
        return None if value is None else self.slug(value, path)

    def papers(self, value: Any, path: str) -> Any:
        if isinstance(value, list) and not value:
            self.report(
                path, "must list at least one paper (leave it out to keep the programme's papers)"
            )
            return BAD
        return self.items(value, path, _Parser.paper)

    def paper(self, value: Any, path: str) -> Any:
        self.decision_paths = {}
        values = self.record(value, path, _PAPER)
        if values is None:
            return BAD
        slug = self.not_reserved(values["slug"], path, PAPER_RESERVED_SLUGS)
        values["slug"] = self.unique(slug, _join(path, "slug"), self.paper_paths)
        return _build(PaperData, values)

    def paper_meeting(self, value: Any, path: str) -> Any:
        return None if value is None else self.meeting_slug(value, path)

    def decision(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _DECISION)
        if values is None:
            return BAD
        values["number"] = self.unique(
            values["number"], _join(path, "number"), self.decision_paths, "decision number"
        )
        return _build(DecisionData, values)

    def recommendation(self, value: Any, path: str) -> Any:
        value = self.long_text(value, path)
        if value is not BAD and is_blank(value):
            self.report(path, "must not be empty")
            return BAD
        return value

    def forecast(self, value: Any, path: str) -> Any:
        values = self.record(value, path, _FORECAST)
        if values is None:
            return BAD
        identity = (values["project"], values["phase"], values["financial_year"])
        if BAD not in identity and identity in self.forecast_paths:
            self.report(
                path,
                "duplicate forecast for the same phase and financial year "
                f"(also {self.forecast_paths[identity]})",
            )
            return BAD
        if BAD not in identity:
            self.forecast_paths[identity] = path
        return _build(ForecastData, values)


_Reader = Callable[[_Parser, Any, str], Any]
_Schema = dict[str, tuple[_Reader, Any]]


def _one_of(choices: type[Vocabulary]) -> _Reader:
    return lambda parser, value, path: parser.choice(value, path, choices)


def _list_of(read: _Reader) -> _Reader:
    return lambda parser, value, path: parser.items(value, path, read)


_P = _Parser
# How a field of each kind is read; kinds whose reader needs the field's own bounds are below.
_READERS: dict[Kind, _Reader] = {
    Kind.SLUG: _P.slug,
    Kind.NAME: _P.name,
    Kind.MARKDOWN: _P.long_text,
    Kind.CODE: _P.code,
    Kind.AMOUNT: _P.amount,
    Kind.COST: _P.amount_or_null,
    Kind.OPTIONAL_AMOUNT: _P.amount_or_null,
    Kind.WEIGHT: _P.weight,
    Kind.YES_NO: _P.boolean,
    Kind.DATE: _P.date,
    Kind.FINANCIAL_YEAR: _P.financial_year,
    Kind.FINANCIAL_YEARS: _P.financial_years,
    Kind.PERSON: _P.person,
    Kind.EMAIL: _P.email,
    Kind.TELEPHONE: _P.telephone,
}


def _reader(entity: Entity, spec: FieldSpec) -> _Reader:
    """Return how the file's value of a declared field is read."""
    if spec.kind == Kind.TEXT:
        return lambda parser, value, path: parser.text(value, path, spec.max_length)
    if spec.kind == Kind.CHOICE and spec.choices is not None:
        return _one_of(spec.choices)
    if spec.kind == Kind.WHOLE:
        # A whole number that may be left out may also be null.
        nullable = entity.default(spec.key) is None
        return lambda parser, value, path: (
            None
            if value is None and nullable
            else parser.whole_number(value, path, spec.minimum, spec.maximum)
        )
    return _READERS[spec.kind]


def _schema(entity: Entity, **readers: _Reader) -> _Schema:
    """Return an entity's keys in file order with (reader, default); ``readers`` replace the
    declared kind's reader where a value is checked against the rest of the file."""
    return {
        spec.key: (readers.get(spec.key) or _reader(entity, spec), entity.default(spec.key))
        for spec in entity.fields
    }


# Each object's keys in file order: (reader, default), REQUIRED when the key must be present.
_DOCUMENT: _Schema = {
    "format": (_P.format, REQUIRED),
    "partnership": (_P.partnership, REQUIRED),
    "programme": (_P.programme, REQUIRED),
    "partners": (_P.partners, REQUIRED),
    "projects": (_list_of(_P.project), REQUIRED),
    "contributions": (_list_of(_P.contribution), ()),
    "report": (_P.report_text, None),
    "meetings": (_P.meetings, ()),
    "agreements": (_list_of(_P.agreement), ()),
    "calls": (_list_of(_P.call), ()),
    "refunds": (_list_of(_P.refund), ()),
    "spend": (_list_of(_P.spend), ()),
    "forecasts": (_list_of(_P.forecast), ()),
    "milestones": (_list_of(_P.milestone), ()),
    "status_updates": (_list_of(_P.status_update), ()),
    "risks": (_list_of(_P.risk), ()),
    # Last: a paper names the meeting it is for.
    "papers": (_P.papers, ()),
}
_PARTNERSHIP: _Schema = _schema(PARTNERSHIP)
# The stated totals are one object in the file, "stated", in their place.
_PROGRAMME: _Schema = {
    **{
        key: read
        for key, read in _schema(PROGRAMME, rounding_step=_P.rounding_step).items()
        if key not in _STATED_TOTALS
    },
    "stated": (_P.stated, {"existing_total": None, "extra_total": None}),
}
_STATED: _Schema = {
    "existing_total": (_P.amount_or_null, None),
    "extra_total": (_P.amount_or_null, None),
}
_PARTNER: _Schema = _schema(PARTNER)
_PROJECT: _Schema = {
    **_schema(PROJECT, lead_partner=_P.lead_partner),
    "outcome_claims": (_list_of(_P.claim), ()),
    "funding": (_list_of(_P.funding), ()),
    "phases": (_list_of(_P.phase), ()),
}
_CLAIM: _Schema = _schema(OUTCOME_CLAIM)
_FUNDING: _Schema = _schema(FUNDING)
_PHASE: _Schema = _schema(PHASE)
_CONTRIBUTION: _Schema = _schema(
    CONTRIBUTION,
    partner=_P.contributing_partner,
    financial_year=_P.programme_financial_year,
)
_REPORT: _Schema = _schema(REPORT_TEXT)
_MEETING: _Schema = _schema(MEETING, date=_P.day)
_AGREEMENT: _Schema = {
    **_schema(AGREEMENT, meeting=_P.meeting_slug),
    "per_partner": (_list_of(_P.partner_agreement), ()),
}
# A partner's consent is one object in the file, "consent", null until it is recorded.
_PARTNER_AGREEMENT: _Schema = {
    **{
        key: read
        for key, read in _schema(PARTNER_AGREEMENT, partner=_P.contributing_partner).items()
        if key not in _CONSENT
    },
    "consent": (_P.consent, None),
}
_CONSENT_OBJECT: _Schema = {
    "date": (_P.day, REQUIRED),
    "reference": (
        lambda parser, value, path: parser.text(value, path, NAME_MAX_LENGTH),
        "",
    ),
}
_CALL: _Schema = {
    **_schema(CALL, financial_year=_P.programme_financial_year, issued=_P.day, due=_P.day),
    "invoices": (_list_of(_P.invoice), ()),
}
_INVOICE: _Schema = {
    **_schema(
        INVOICE,
        number=lambda parser, value, path: parser.name(value, path, REFERENCE_MAX_LENGTH),
        partner=_P.contributing_partner,
        amount=_P.positive_amount,
    ),
    "payments": (_list_of(_P.payment), ()),
}
_PAYMENT: _Schema = _schema(PAYMENT, date=_P.day, amount=_P.positive_amount)
_REFUND: _Schema = _schema(
    REFUND, partner=_P.contributing_partner, date=_P.day, amount=_P.positive_amount
)
_SPEND: _Schema = _schema(SPEND, date=_P.day, amount=_P.positive_amount)
_FORECAST: _Schema = _schema(FORECAST, financial_year=_P.programme_financial_year)
_MILESTONE: _Schema = _schema(MILESTONE)
_STATUS_UPDATE: _Schema = _schema(STATUS_UPDATE)
_RISK: _Schema = _schema(RISK, reference=_P.risk_reference, project=_P.slug_or_null)
_PAPER: _Schema = {
    **_schema(PAPER, for_meeting=_P.paper_meeting),
    "text": (_P.report_text, REQUIRED),
    "decisions": (_list_of(_P.decision), ()),
}
_DECISION: _Schema = _schema(DECISION, recommendation=_P.recommendation)
_SHARE_BASIS = {Apportionment.WEIGHTS: "weight", Apportionment.POPULATION: "population"}
_PLACES = {2: "two", 4: "four"}


def _build(cls: type[_T], values: dict[str, Any]) -> _T | Any:
    """Return the dataclass made of values, or BAD when any of them is BAD."""
    values = {
        key: _all(value) if isinstance(value, list) else value for key, value in values.items()
    }
    if any(value is BAD for value in values.values()):
        return BAD
    return cls(**values)


def _all(results: list[Any]) -> tuple[Any, ...] | Any:
    """Return the results as a tuple, or BAD when any of them is BAD."""
    return BAD if any(result is BAD for result in results) else tuple(results)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _suggestion(word: str, candidates: list[str]) -> str:
    matches = difflib.get_close_matches(word, candidates, n=1)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def _describe(value: Any) -> str:
    """Name a JSON value in a message, quoting short strings."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    return "a list" if isinstance(value, list) else "an object"
