"""Abuse: ids from elsewhere, sign-in spraying, fuzzed uploads and forms never give a server error.

The permissions matrix (tests/test_permissions.py) covers every URL for every role; this file
goes further with hypothesis: whatever ids, bytes or text a signed-in facilitator sends, the
answer is a 4xx or a page, never a 500, and a refused submission changes nothing.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from io import StringIO
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from projects.models import (
    Agreement,
    Contribution,
    Forecast,
    FundingLine,
    Meeting,
    Membership,
    OutcomeClaim,
    Partner,
    PartnerAgreement,
    Partnership,
    Phase,
    Programme,
    Project,
    ReportText,
    Spend,
)
from reports.models import IssuedReport, sha256_hex
from tests.contributions.factories import ContributionFactory, PartnerFactory
from tests.projects.factories import MembershipFactory, PhaseFactory, ProgrammeFactory, paper_of
from tests.test_permissions import ALL_NAMES, arguments
from tests.tranches import post_confirmed

pytestmark = pytest.mark.django_db

REDIRECTS = {301, 302, 303}
DEMO_PASSWORD = "demo-password-123"
PROJECT = "authentication-gateway"  # two phases, the second gated and borne individually
MODELS = [
    Partnership,
    Membership,
    Programme,
    Project,
    Phase,
    FundingLine,
    OutcomeClaim,
    Partner,
    Contribution,
    ReportText,
    IssuedReport,
    Meeting,
    Agreement,
    PartnerAgreement,
    Spend,
    Forecast,
]


def fuzz_settings(max_examples: int = 40) -> settings:
    """Bounded: each fuzzed test runs a few dozen requests, not hypothesis's default hundred."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def snapshot() -> dict[str, list[str]]:
    """Every row a request could change, to prove that a refused one changed nothing."""
    return {model.__name__: sorted(map(repr, model.objects.values_list())) for model in MODELS}


@contextmanager
def rolled_back() -> Iterator[None]:
    """Undo whatever one example did, so every example starts from the same programme."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# The world: our programme, and another partnership's with objects of every kind.


@dataclass
class World:
    demo: Programme
    contribution: Contribution
    issued: IssuedReport
    other: Programme
    other_project: Project
    other_partner: Partner
    other_contribution: Contribution
    other_issued: IssuedReport
    other_meeting: Meeting
    other_spend: Spend | None = None
    facilitator: Any = None
    ours: dict[str, set] = field(default_factory=dict)


def issue(programme: Programme, user) -> IssuedReport:
    pdf, figures = b"%PDF-1.7 issued", "{}"
    return IssuedReport.objects.create(
        programme=programme,
        paper=paper_of(programme),
        meeting_date=date(2004, 6, 24),
        title="Issued",
        issued_by=user,
        pdf=pdf,
        pdf_sha256=sha256_hex(pdf),
        figures=figures,
        figures_sha256=sha256_hex(figures.encode()),
    )


def build_world() -> World:
    """The demo programme with a contribution and an issued report, and another partnership's."""
    call_command("load_demo", stdout=StringIO())
    facilitator = get_user_model().objects.get(username="facilitator")
    demo = Programme.objects.get(slug="norfolk-connect-2004")
    contribution = ContributionFactory(
        programme=demo, partner=Partner.objects.get(slug="broadland", partnership=demo.partnership)
    )
    other = ProgrammeFactory(slug="elsewhere-2004")
    other_member = MembershipFactory(partnership=other.partnership).user
    other_project = PhaseFactory(project__programme=other, project__slug="elsewhere").project
    other_partner = PartnerFactory(partnership=other.partnership, slug="elsewhere-council")
    world = World(
        demo=demo,
        contribution=contribution,
        issued=issue(demo, facilitator),
        other=other,
        other_project=other_project,
        other_partner=other_partner,
        other_contribution=ContributionFactory(programme=other, partner=other_partner),
        other_issued=issue(other, other_member),
        other_meeting=meet(other, "elsewhere-board-2004-07-02", other_partner),
        facilitator=facilitator,
    )
    # Our June meeting with its agreement, and a July one with none yet.
    # Broadland only: North Norfolk, in no agreement, is the partner the fuzzer removes.
    meet(demo, "norfolk-chief-executives-2004-06-18", contribution.partner)
    Meeting.objects.create(
        programme=demo, slug="board-2004-07-20", body="Board", date=date(2004, 7, 20)
    )
    world.other_spend = Spend.objects.create(
        phase=other_project.phases.get(), date=date(2004, 9, 30), amount=Decimal("100.00")
    )
    world.ours = {
        "project": set(demo.projects.values_list("slug", flat=True)),
        "partner": set(demo.partnership.partners.values_list("slug", flat=True)),
        "contribution": set(demo.contributions.values_list("pk", flat=True)),
        "issued": set(demo.issued_reports.values_list("pk", flat=True)),
        "meeting": set(demo.meetings.values_list("slug", flat=True)),
    }
    return world


def meet(programme: Programme, slug: str, *partners: Partner) -> Meeting:
    """A meeting of the programme with an agreement of £10,000 now and up to £30,000 each."""
    meeting = Meeting.objects.create(
        programme=programme, slug=slug, body="Board", date=date(2004, 6, 18)
    )
    agreement = Agreement.objects.create(meeting=meeting)
    for partner in partners:
        PartnerAgreement.objects.create(
            agreement=agreement, partner=partner, immediate="10000.00", cap="30000.00"
        )
    return meeting


@pytest.fixture
def world(monkeypatch) -> World:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", DEMO_PASSWORD)
    return build_world()


@pytest.fixture
def facilitator_client(client, world):
    client.force_login(world.facilitator)
    return client


# Reading a page's form as a browser would submit it.


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea" or "button"
    value: str | None  # what the browser sends; None: nothing (an unticked box, a button)
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    method: str
    action: str | None
    fields: list[Field] = field(default_factory=list)


class FormParser(HTMLParser):
    """Collect every form of a page with its fields, their values and their options."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.selected = False  # whether the select being read has an option marked selected
        self.option: dict[str, Any] | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.form = Form(attributes.get("method", "get").lower(), attributes.get("action"))
            self.forms.append(self.form)
        if self.form is None or "disabled" in attributes:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            self.input(name, attributes)
        elif tag == "button" and name:
            self.form.fields.append(Field(name, "button", None, [attributes.get("value", "")]))
        elif tag == "select" and name:
            self.select, self.selected = Field(name, "select", None), False
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            self.option = {"value": attributes.get("value"), "selected": "selected" in attributes}
            self.option["text"] = ""
        elif tag == "textarea" and name:
            self.textarea = Field(name, "textarea", "")
            self.form.fields.append(self.textarea)

    def input(self, name: str, attributes: dict[str, str]) -> None:
        assert self.form is not None
        kind = attributes.get("type", "text").lower()
        value = attributes.get("value", "on" if kind in {"checkbox", "radio"} else "")
        checked = "checked" in attributes
        existing = next((item for item in self.form.fields if item.name == name), None)
        if kind == "radio" and existing is not None:
            existing.options.append(value)
            existing.value = value if checked else existing.value
            return
        if kind in {"checkbox", "radio"}:
            sent = value if checked else None
        else:
            sent = None if kind in {"submit", "image", "file", "reset"} else value
        self.form.fields.append(Field(name, kind, sent, [value]))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.value = (self.textarea.value or "") + data
        if self.option is not None:
            self.option["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None:
            # As a browser: the newline just after <textarea> is not part of its value.
            self.textarea.value = (self.textarea.value or "").removeprefix("\n")
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "option" and self.option is not None and self.select is not None:
            option, self.option = self.option, None
            value = option["value"] if option["value"] is not None else option["text"].strip()
            self.select.options.append(value)
            # As a browser: the option marked selected, else the first one.
            if option["selected"] and not self.selected:
                self.select.value, self.selected = value, True
            elif self.select.value is None:
                self.select.value = value


def page_form(html: str) -> Form:
    """Return the page's own POST form (the one posting back to the page, not the sign-out)."""
    parser = FormParser()
    parser.feed(html)
    forms = [form for form in parser.forms if form.method == "post" and not form.action]
    assert forms, "the page has no form posting to itself"
    return max(forms, key=lambda form: len(form.fields))


def form_data(form: Form) -> dict[str, list[str]]:
    """Return what the browser would send for the form as shown, without the CSRF token."""
    data: dict[str, list[str]] = {}
    for item in form.fields:
        if item.value is not None and item.name != "csrfmiddlewaretoken":
            data.setdefault(item.name, []).append(item.value)
    return data


# What a fuzzer types.

NASTY = [
    "",
    " ",
    "\x00",
    "12\x0034",
    "1e999",
    "-1e999",
    "1E+999999999",
    "NaN",
    "sNaN",
    "Infinity",
    "-inf",
    "-0",
    "-0.00",
    "£-5",
    "-£5",
    "£5",
    "£ 1,00,0.5",
    "£1,000,000,000,000,000",
    "0.001",
    "1.005",
    "١٢٣",  # Arabic-Indic digits: Decimal and int accept them
    "\uff11\uff12\uff13",  # full-width digits
    "0x10",
    "1_000",
    "-1",
    "0",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999999999",
    "2004/05",
    "2004/05, 2005/06",
    "1999/00",
    "9999/00",
    "2004-02-30",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "\u202egnp.exe",
    "مرحبا بالعالم",
    "שלום",
    "😀🏴󠁧󠁢󠁳󠁣󠁴󠁿👨‍👩‍👧",
    "<script>alert(1)</script>",
    "{{ request }}",
    "{cap_per_partner:>99999}",
    "{0.__class__}",
    "' OR 1=1 --",
    "\r\n\r\n",
    "\t",
    "approved",
    "not_proceeding",
    "equal",
    "weights",
    "population",
]
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
LONG = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["9", "x", "😀", "\u202e", "\x00", "1,", "é"]),
    st.integers(min_value=300, max_value=30_000),
)
NUMBERISH = st.one_of(
    st.from_regex(r"\A-?£?\d{1,22}(,\d{3}){0,4}(\.\d{0,6})?\Z"),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
    st.dates().map(date.isoformat),
)
NASTY_TEXT = st.one_of(st.sampled_from(NASTY), TEXT, LONG, NUMBERISH)


def value_strategy(item: Field) -> st.SearchStrategy[str | None]:
    """What to send for a field: one of its own choices, nothing at all, or anything."""
    choices = [option for option in item.options if option is not None]
    own = st.sampled_from(choices) if choices else st.just(item.value or "")
    return st.one_of(own, st.none(), NASTY_TEXT)


@st.composite
def submissions(draw, form: Form, filled: dict[str, str] | None = None) -> dict[str, list[str]]:
    """The form as filled in, with a few of its fields (now and then all of them) changed."""
    data = {**form_data(form), **{name: [value] for name, value in (filled or {}).items()}}
    names = sorted({item.name for item in form.fields} - {"csrfmiddlewaretoken"})
    chosen = draw(st.lists(st.sampled_from(names), max_size=len(names), unique=True))
    for name in chosen:
        item = next(item for item in form.fields if item.name == name)
        value = draw(value_strategy(item))
        if value is None:
            data.pop(name, None)
        else:
            data[name] = [value]
    return data


def assert_no_server_error(response, before: dict, what: str) -> None:
    event(f"status {response.status_code}")  # --hypothesis-show-statistics shows the mix
    assert response.status_code < 500, f"{response.status_code} for {what}"
    if response.status_code not in REDIRECTS:
        assert snapshot() == before, f"{response.status_code} changed data for {what}"


# (b) Another partnership's objects, and ids that do not exist, answer 404 under our programme.

ID_NAMES = sorted(
    n for n in ALL_NAMES if {"pk", "project", "partner", "meeting", "risk"} & arguments(n)
)
SLUG_TEXT = st.from_regex(r"\A[-a-zA-Z0-9_]{1,80}\Z")
HUGE = st.integers(min_value=0, max_value=10**30)


@st.composite
def foreign_kwargs(draw, name: str, world: World) -> dict[str, Any]:
    """The URL's arguments under our programme's slug, naming no object of our programme."""
    kwargs: dict[str, Any] = {"slug": world.demo.slug}
    names = arguments(name)
    if "pk" in names:
        issued = name.startswith("report:issued")
        theirs = world.other_issued.pk if issued else world.other_contribution.pk
        pk = draw(st.one_of(st.just(theirs), HUGE))
        assume(pk not in world.ours["issued" if issued else "contribution"])
        kwargs["pk"] = pk
    if "partner" in names:
        partner = draw(st.one_of(st.just(world.other_partner.slug), SLUG_TEXT))
        assume(partner not in world.ours["partner"])
        kwargs["partner"] = partner
    if "project" in names:
        ours = st.sampled_from(sorted(world.ours["project"]))
        project = draw(st.one_of(st.just(world.other_project.slug), SLUG_TEXT, ours))
        if "number" in names:
            kwargs["number"] = draw(HUGE)
            if project in world.ours["project"]:  # our project: a phase it does not have
                numbers = set(Phase.objects.filter(project__slug=project).values_list("number"))
                assume((kwargs["number"],) not in numbers)
        else:
            assume(project not in world.ours["project"])
        kwargs["project"] = project
    if "kind" in names:
        kwargs["kind"] = "phase"
    if "meeting" in names:
        ours = st.sampled_from(sorted(world.ours["meeting"]))
        meeting = draw(st.one_of(st.just(world.other_meeting.slug), SLUG_TEXT, ours))
        if "partner" not in names:  # with a partner not ours, even our meeting is not found
            assume(meeting not in world.ours["meeting"])
        kwargs["meeting"] = meeting
    if "render" in names:  # a statement's PDF made by the worker, under a partner not ours
        kwargs["render"] = draw(st.uuids())
    if "spend" in names:  # under a project not ours, any spend line is not found
        kwargs["spend"] = draw(st.one_of(st.just(world.other_spend.pk), HUGE))
    if "milestone" in names:  # under a project not ours, any milestone is not found
        kwargs["milestone"] = draw(st.one_of(st.just(1), HUGE))
    if "risk" in names:  # a risk of no programme of ours
        kwargs["risk"] = draw(HUGE)
        assume(not world.demo.risks.filter(pk=min(kwargs["risk"], 2**31 - 1)).exists())
    return kwargs


def test_the_id_urls_are_those_of_every_object_kind():
    assert "contributions:contribution_update" in ID_NAMES
    assert "report:issued_pdf" in ID_NAMES
    assert "contributions:partner_update" in ID_NAMES
    assert "projects:phase_decision" in ID_NAMES
    assert {"contributions:agreement_record", "contributions:consent_update"} <= set(ID_NAMES)


@pytest.mark.parametrize("name", ID_NAMES)
def test_any_id_but_our_own_answers_404_never_500(facilitator_client, world, name):
    before = snapshot()

    @fuzz_settings(max_examples=30)
    @given(kwargs=foreign_kwargs(name, world))
    def check(kwargs):
        url = reverse(name, kwargs=kwargs)
        with rolled_back():
            assert facilitator_client.get(url).status_code == 404, url
            assert facilitator_client.post(url, {"version": "1"}).status_code == 404, url
            assert snapshot() == before

    check()


# (c) Sign-in: one address trying many usernames.


def sign_in(client, username: str, password: str, ip: str = "198.51.100.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


NONCE = re.compile(r"""nonce(=["'][^"']*["']|-[A-Za-z0-9+/=_-]+)""")


def without_token(response) -> str:
    """The page with its per-request parts (CSRF tokens, CSP nonces) blanked out."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', text)
    return NONCE.sub("nonce", text)


def seen(response) -> str:
    """All a client learns from a response, but for its per-request tokens and nonces."""
    # The length follows the content, compared itself; Expires and Server-Timing, the clock
    # (a nonexistent username costs a password hash too, so its timing says nothing more).
    headers = sorted(
        (name, NONCE.sub("nonce", value))
        for name, value in response.items()
        if name not in {"Content-Length", "Expires", "Server-Timing"}
    )
    return repr((response.status_code, headers, without_token(response)))


def test_one_address_trying_many_usernames_locks_each_one_out_alike(client, world):
    """Spraying: every username locks at five failures, and no response says which exist."""
    real = ["facilitator", "chief-executive", "partner-officer", "admin"]
    made_up = ["facilitater", "ceo", "officer", "root"]
    failures, lockouts = {}, {}
    for username in real + made_up:
        for _ in range(4):
            failed = sign_in(client, username, "wrong password")
            assert failed.status_code == 200, username
        # The form shows the username typed, as it should; nothing else may differ.
        failures[username] = seen(failed).replace(f'value="{username}"', 'value="USERNAME"')
        fifth = sign_in(client, username, "wrong password")
        # Locked even with the right password: the lock is checked before the password.
        locked = sign_in(client, username, DEMO_PASSWORD)
        for response in (fifth, locked):
            assert response.status_code == 429, username
            lockouts.setdefault(username, set()).add(seen(response))
        assert "_auth_user_id" not in client.session
    assert len(set(failures.values())) == 1  # the same page whether or not the user exists
    assert len(set.union(*lockouts.values())) == 1  # one lockout page, for anyone
    assert AccessAttempt.objects.filter(ip_address="198.51.100.7").count() == len(real + made_up)
    # The lock is of that username from that address: the user's own office still signs in.
    assert sign_in(client, "facilitator", DEMO_PASSWORD, ip="10.0.0.1").status_code == 302


# (d) Uploads: whatever the file, a page or a 4xx, and the programme unchanged until confirmed.


def import_file(client, world: World, name: str, content: bytes, before: dict) -> None:
    """Upload a file; if it is previewed, confirm it too: never a server error either way."""
    slug = world.demo.slug
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = client.post(reverse("reports:import", args=[slug]), {"file": upload})
    assert response.status_code < 500, f"{response.status_code} importing {name}"
    assert snapshot() == before, "a preview changed data"
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    event("previewed" if token else f"refused ({response.status_code})")
    if token:
        confirmed = client.post(reverse("reports:import_confirm", args=[slug]), {"token": token[1]})
        assert_no_server_error(confirmed, before, f"confirming {name}")


def test_uploads_of_arbitrary_bytes_are_refused_cleanly(facilitator_client, world):
    before = snapshot()

    @fuzz_settings(max_examples=40)
    @given(
        name=st.sampled_from(
            ["programme.xlsx", "programme.json", "programme.xls", "x", "../../etc/passwd.xlsx"]
        ),
        content=st.one_of(
            st.binary(max_size=2000),
            st.binary(max_size=200).map(lambda tail: b"PK\x03\x04" + tail),
            st.binary(max_size=200).map(lambda tail: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + tail),
            st.binary(max_size=200).map(
                lambda tail: b'{"format": "partnership-programme/1"' + tail
            ),
        ),
    )
    def check(name, content):
        with rolled_back():
            import_file(facilitator_client, world, name, content, before)

    check()


def workbook(client, world: World) -> bytes:
    response = client.get(reverse("reports:programme_xlsx", args=[world.demo.slug]))
    assert response.status_code == 200
    return response.content


def rezip(content: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """Return the archive with one member's content changed, the others as they were."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, change(data) if info.filename == member else data)
    return out.getvalue()


@st.composite
def damaged_workbooks(draw, content: bytes) -> bytes:
    """A real exported workbook with bytes flipped, cut short, or one XML part changed."""
    how = draw(st.sampled_from(["flip", "cut", "xml", "cell", "name"]))
    if how == "flip":
        damaged = bytearray(content)
        for position, byte in draw(
            st.lists(
                st.tuples(st.integers(0, len(content) - 1), st.integers(0, 255)),
                min_size=1,
                max_size=20,
            )
        ):
            damaged[position] = byte
        return bytes(damaged)
    if how == "cut":
        return content[: draw(st.integers(0, len(content) - 1))]
    members = zipfile.ZipFile(io.BytesIO(content)).namelist()
    if how == "xml":
        member = draw(st.sampled_from(members))
        start = draw(st.floats(0, 1))
        length = draw(st.integers(0, 200))
        replacement = draw(st.one_of(st.binary(max_size=100), NASTY_TEXT.map(str.encode)))

        def change(data: bytes) -> bytes:
            at = int(start * len(data))
            return data[:at] + replacement + data[at + length :]

        return rezip(content, member, change)
    if how == "name":  # a project renamed: often a good file, to preview and confirm
        name = draw(st.one_of(TEXT, NASTY_TEXT))
        escaped_name = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        row = draw(st.integers(2, 11))

        def rename(data: bytes) -> bytes:
            cell = re.compile(rb'(<c r="B%d"[^>]*><is><t[^>]*>)([^<]*)(</t>)' % row)
            return cell.sub(lambda found: found[1] + escaped_name.encode() + found[3], data)

        return rezip(content, "xl/worksheets/sheet1.xml", rename)
    # A cell's value typed differently: a string or a number replaced by anything.
    sheets = [m for m in members if m.startswith("xl/worksheets/")]
    member = draw(st.sampled_from(sheets))
    occurrence = draw(st.integers(0, 400))
    text = draw(st.one_of(TEXT, NASTY_TEXT))
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def change_cell(data: bytes) -> bytes:
        headings_end = data.find(b"</row>")  # the headings: changing one refuses the sheet
        values = [
            found
            for found in re.finditer(rb"<(v|t)>([^<]*)</\1>", data)
            if found.start() > headings_end
        ]
        if not values:
            return data
        found = values[occurrence % len(values)]
        return data[: found.start(2)] + escaped.encode() + data[found.end(2) :]

    return rezip(content, member, change_cell)


def test_damaged_workbooks_are_refused_cleanly(facilitator_client, world):
    content = workbook(facilitator_client, world)
    before = snapshot()

    @fuzz_settings(max_examples=50)
    @given(damaged=damaged_workbooks(content))
    def check(damaged):
        with rolled_back():
            import_file(facilitator_client, world, "norfolk-connect-2004.xlsx", damaged, before)

    check()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.sampled_from(NASTY) | TEXT,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.one_of(TEXT, st.sampled_from(["slug", "amount", "phases"])), children, max_size=5
        )
    ),
    max_leaves=30,
)


def paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Yield the path of every value inside a JSON document."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, (*prefix, index))


def replaced(document: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[head] = replaced(document[head], tuple(rest), value)
    return copy


def test_arbitrary_json_documents_are_refused_cleanly(facilitator_client, world):
    before = snapshot()

    @fuzz_settings(max_examples=40)
    @given(document=JSON_VALUES)
    def check(document):
        with rolled_back():
            content = json.dumps(document).encode()
            import_file(facilitator_client, world, "programme.json", content, before)

    check()


def test_programme_files_with_one_value_changed_import_or_are_refused_cleanly(
    facilitator_client, world
):
    """Deep in a real file, where the checks are subtler than "this is not a programme"."""
    slug = world.demo.slug
    original = json.loads(
        facilitator_client.get(reverse("reports:programme_json", args=[slug])).content
    )
    every_path = list(paths(original))[1:]
    before = snapshot()

    @fuzz_settings(max_examples=60)
    @given(path=st.sampled_from(every_path), value=st.one_of(NASTY_TEXT, JSON_VALUES))
    def check(path, value):
        assume(path[:2] != ("programme", "slug"))  # another programme's file: refused at once
        with rolled_back():
            content = json.dumps(replaced(original, path, value), ensure_ascii=False).encode()
            import_file(facilitator_client, world, f"{slug}.json", content, before)

    check()


def test_a_programme_file_with_a_nul_character_is_refused_cleanly(facilitator_client, world):
    """Found by the fuzzer on PostgreSQL, which cannot store NUL: the upload was a 500."""
    slug = world.demo.slug
    original = json.loads(
        facilitator_client.get(reverse("reports:programme_json", args=[slug])).content
    )
    document = replaced(original, ("projects", 0, "description"), "Forms\x00")
    before = snapshot()
    upload = SimpleUploadedFile(f"{slug}.json", json.dumps(document).encode())
    response = facilitator_client.post(reverse("reports:import", args=[slug]), {"file": upload})
    assert response.status_code == 200
    assert "must not contain the NUL character" in response.content.decode()
    assert 'name="token"' not in response.content.decode()
    assert snapshot() == before


# (e) Forms: any text in any field, never a server error; a page that is not a redirect saved
# nothing.

# A good submission of each empty form, for the fuzzer to start from: so that it reaches the
# services and the database, not only the forms' own checks.
FILLED = {
    "projects:programme_create": {
        "name": "Norfolk Connect 2006",
        "slug": "norfolk-connect-2006",
        "starts": "2006-04-01",
        "ends": "2007-03-31",
        "financial_years": "2006/07",
    },
    "projects:project_create": {
        "name": "New project",
        "slug": "new-project",
        "phases-0-number": "1",
        "phases-0-name": "Delivery",
        "phases-0-extra_cost": "£1,000",
        "funding-0-source": "Local budget",
        "funding-0-amount": "500",
        "claims-0-grade": "good",
    },
    "contributions:partner_create": {"name": "Extra Council", "slug": "extra-council"},
    "contributions:meeting_create": {
        "body": "Norfolk Chief Executives",
        "date-day": "16",
        "date-month": "7",
        "date-year": "2004",
    },
    "contributions:meeting_update": {"note": "Item 6"},
    "contributions:consent_update": {
        "consent_date-day": "5",
        "consent_date-month": "7",
        "consent_date-year": "2004",
        "consent_reference": "Cabinet 5 July 2004",
    },
    "contributions:contribution_create": {
        "financial_year": "2005/06",
        "tranche": "review",
        "amount": "£5,000",
    },
    "projects:spend_create": {
        "date-day": "30",
        "date-month": "9",
        "date-year": "2004",
        "amount": "£1,200",
        "reference": "PO 17",
    },
    "projects:forecasts_update": {"forecast-1-2005-06": "£800"},
}
FORM_PAGES = {
    "projects:programme_create": {},
    "projects:programme_settings": {"slug": True},
    "projects:project_create": {"slug": True},
    "projects:project_update": {"slug": True, "project": PROJECT},
    "projects:project_delete": {"slug": True, "project": PROJECT},
    "projects:phase_decision": {"slug": True, "project": PROJECT, "number": 2},
    "contributions:partner_create": {"slug": True},
    "contributions:partner_update": {"slug": True, "partner": "broadland"},
    "contributions:partner_delete": {"slug": True, "partner": "north-norfolk"},
    "contributions:contribution_create": {"slug": True},
    "contributions:contribution_update": {"slug": True, "pk": "contribution"},
    "contributions:contribution_delete": {"slug": True, "pk": "contribution"},
    "contributions:meeting_create": {"slug": True},
    "contributions:meeting_update": {"slug": True, "meeting": "board-2004-07-20"},
    "contributions:agreement_record": {"slug": True, "meeting": "board-2004-07-20"},
    "contributions:consent_update": {
        "slug": True,
        "meeting": "norfolk-chief-executives-2004-06-18",
        "partner": "broadland",
    },
    "report:report_text": {"slug": True},
    "projects:spend_create": {"slug": True, "project": PROJECT},
    "projects:forecasts_update": {"slug": True, "project": PROJECT},
}


def form_url(name: str, world: World) -> str:
    kwargs = dict(FORM_PAGES[name])
    if kwargs.get("slug"):
        kwargs["slug"] = world.demo.slug
    if kwargs.get("pk") == "contribution":
        kwargs["pk"] = world.contribution.pk
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(FORM_PAGES))
def test_fuzzed_forms_never_give_a_server_error(facilitator_client, world, name):
    url = form_url(name, world)
    page = facilitator_client.get(url)
    assert page.status_code == 200
    form = page_form(page.content.decode())
    filled = dict(FILLED.get(name, {}))
    if name == "contributions:contribution_create":
        filled["partner"] = next(o for o in form_options(form, "partner") if o)
    if name == "projects:spend_create":  # its first phase: committed, as no case gates it
        filled["phase"] = next(o for o in form_options(form, "phase") if o)
    before = snapshot()
    with rolled_back():
        saved = post_confirmed(facilitator_client, url, {**form_data(form), **filled})
        assert saved.status_code == 302, "the form as filled in saves"
        assert snapshot() != before

    @fuzz_settings(max_examples=40)
    @given(data=submissions(form, filled))
    def check(data):
        with rolled_back():
            assert_no_server_error(
                facilitator_client.post(url, data), before, f"{url} {data!r:.300}"
            )

    check()


def form_options(form: Form, name: str) -> list[str]:
    return next(item.options for item in form.fields if item.name == name)


def test_the_project_form_is_read_with_its_phase_rows(facilitator_client, world):
    """The fuzzer starts from what the page would send: the project and its rows."""
    page = facilitator_client.get(form_url("projects:project_update", world))
    data = form_data(page_form(page.content.decode()))
    assert data["phases-TOTAL_FORMS"] == ["2"]
    assert data["phases-1-gated"] == ["on"]
    assert data["name"] == ["Authentication / Gateway"]
    assert "version" in data
    # Submitted as it is, it saves: so the fuzzed examples reach the service, not only the form.
    response = facilitator_client.post(form_url("projects:project_update", world), data)
    assert response.status_code == 302


def test_adding_a_row_to_a_tampered_project_form_is_a_400_not_a_500(facilitator_client, world):
    """Found by the fuzzer: "add a phase" with a row count missing crashed the page."""
    url = form_url("projects:project_update", world)
    data = form_data(page_form(facilitator_client.get(url).content.decode()))
    del data["phases-INITIAL_FORMS"]
    before = snapshot()
    response = facilitator_client.post(url, {**data, "add_phase": "1"})
    assert response.status_code == 400
    assert "This form was changed in a way it cannot be read" in response.content.decode()
    assert snapshot() == before


def test_fuzzed_scenario_queries_never_give_a_server_error(facilitator_client, world):
    url = reverse("reports:scenarios", args=[world.demo.slug])
    form = page_form_get(facilitator_client.get(url).content.decode())
    keys = sorted({item.name for item in form.fields} | {"phase.portal.2", "phase..", "sort"})
    before = snapshot()

    @fuzz_settings(max_examples=50)
    @given(
        query=st.dictionaries(
            st.one_of(st.sampled_from(keys), TEXT), NASTY_TEXT, min_size=1, max_size=6
        ),
        htmx=st.booleans(),
    )
    def check(query, htmx):
        headers = {"HX-Request": "true", "HX-Target": "scenario-results"} if htmx else {}
        with rolled_back():
            response = facilitator_client.get(url, query, headers=headers)
            assert response.status_code < 500, f"{response.status_code} for {query!r:.300}"
            assert snapshot() == before

    check()


def test_fuzzed_scenario_applications_never_give_a_server_error(facilitator_client, world):
    url = reverse("reports:scenario_apply", args=[world.demo.slug])
    project_slugs = sorted(world.ours["project"])
    before = snapshot()
    scenario = st.one_of(
        NASTY_TEXT,
        st.dictionaries(
            st.sampled_from(["method", "step", "phase.authentication-gateway.2", "phase.x.1"]),
            NASTY_TEXT,
        ).map(lambda query: "&".join(f"{key}={value}" for key, value in query.items())),
    )
    versions = st.dictionaries(
        st.one_of(st.sampled_from(project_slugs), TEXT).map(lambda slug: f"version.{slug}"),
        st.one_of(st.sampled_from(["1", "2"]), NASTY_TEXT),
        max_size=3,
    )

    @fuzz_settings(max_examples=50)
    @given(scenario=scenario, versions=versions)
    def check(scenario, versions):
        with rolled_back():
            response = facilitator_client.post(url, {"scenario": scenario, **versions})
            assert_no_server_error(response, before, f"{scenario!r:.200} {versions!r:.200}")

    check()


def test_fuzzed_project_table_filters_never_give_a_server_error(facilitator_client, world):
    url = reverse("projects:project_list", args=[world.demo.slug])
    form = page_form_get(facilitator_client.get(url).content.decode())
    keys = sorted({item.name for item in form.fields} | {"sort", "page", "per_page"})
    before = snapshot()

    @fuzz_settings(max_examples=40)
    @given(query=st.dictionaries(st.sampled_from(keys), NASTY_TEXT, min_size=1, max_size=5))
    def check(query):
        with rolled_back():
            for response in (
                facilitator_client.get(url, query),
                facilitator_client.get(
                    reverse("reports:projects_xlsx", args=[world.demo.slug]), query
                ),
            ):
                assert response.status_code < 500, f"{response.status_code} for {query!r:.300}"
            assert snapshot() == before

    check()


@pytest.mark.parametrize(
    "query",
    [
        {"per_page": "-1"},
        {"per_page": "0"},
        {"per_page": str(-(10**30))},
        {"per_page": str(10**30)},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"per_page": "-5", "page": "3"},
    ],
)
def test_nonsense_paging_of_the_projects_table_shows_a_page(facilitator_client, world, query):
    """Found by the fuzzer: ?per_page=-1 made no page at all, a 500."""
    url = reverse("projects:project_list", args=[world.demo.slug])
    response = facilitator_client.get(url, query)
    assert response.status_code == 200
    project_link = re.escape(f'href="{url}') + r'[a-z0-9-]+/"'
    assert re.search(project_link, response.content.decode())  # a page of the table, not empty


def page_form_get(html: str) -> Form:
    """Return the page's GET form with the most fields (the scenario's, the table's filters)."""
    parser = FormParser()
    parser.feed(html)
    forms = [form for form in parser.forms if form.method == "get"]
    assert forms, "the page has no GET form"
    return max(forms, key=lambda form: len(form.fields))


# The unsubscribe link: public by design, its signed token the only permission.


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(min_size=1, max_size=300).filter(lambda t: "/" not in t))
def test_a_forged_unsubscribe_token_unsubscribes_nobody(client, token):
    from urllib.parse import quote

    from norfolk_connect.notifications.models import OptOut

    url = "/email/unsubscribe/" + quote(token, safe="") + "/"
    for response in (client.get(url), client.post(url)):
        assert response.status_code in {400, 404}, url
    assert not OptOut.objects.exists()


def test_an_unsubscribe_token_changed_to_another_address_is_refused(client):
    from norfolk_connect.notifications import rules
    from norfolk_connect.notifications.mail import unsubscribe_token
    from norfolk_connect.notifications.models import OptOut

    token = unsubscribe_token("chief@example.org", rules.PAPER_ISSUED)
    other = unsubscribe_token("victim@example.org", rules.PAPER_ISSUED)
    forged = other.split(":")[0] + ":" + ":".join(token.split(":")[1:])
    url = reverse("notifications:unsubscribe", args=[forged])
    assert client.post(url).status_code == 404
    assert not OptOut.objects.exists()
    assert client.post(reverse("notifications:unsubscribe", args=[token])).status_code == 200
    assert list(OptOut.objects.values_list("email", flat=True)) == ["chief@example.org"]
