"""The clients of `make loadtest`: a load balancer and the people using the site through it.

Facilitators edit projects through the real project form (a funding line's amount and note);
chief executives read the pages. Every exchange is recorded with its outcome, and every edit
with the token it wrote, so that the database can be checked against what people were told.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import itertools
import random
import re
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pyotp

from .loadtest_cluster import HOST

# Where the sign-in asks for a two-factor code (norfolk_connect.twofactor), as the production
# settings require of facilitators.
CODE_PAGE = "/accounts/two-factor/code/"


def authenticator_secret(username: str, password: str) -> str:
    """The load test's authenticator key of a user, known to the set-up and to the client."""
    digest = hashlib.sha256(f"{password}:{username}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


ORIGIN = f"https://{HOST}"
TIMEOUT = 60
CONFLICT = "Someone else changed this while you were editing it"
NOTHING_SAVED = "Nothing you entered has been saved"
UNAVAILABLE = "Sorry, the service is unavailable"
NOTE_LIMIT = 4500  # the note takes 5,000 characters; a full one is left alone


class ConnectionFailed(Exception):
    """No instance answered, or one dropped the connection after the request was sent."""


@dataclass
class Exchange:
    """One HTTP request as the client saw it: status None when the connection failed."""

    started: float
    finished: float
    role: str
    page: str
    port: int
    status: int | None
    error: str = ""

    @property
    def latency(self) -> float:
        return self.finished - self.started


@dataclass
class Edit:
    """One save of the project form: what it wrote, and what the person was told."""

    user: str
    project: str
    line: int
    token: str
    delta: Decimal
    started: float
    result: str = "unknown"  # accepted, refused, unknown (no answer, or 503), unexpected
    status: int | None = None
    explained: bool = False  # a refusal said why
    detail: str = ""


@dataclass
class Record:
    """Everything the clients saw, shared by their threads."""

    epoch: float = field(default_factory=time.monotonic)
    exchanges: list[Exchange] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.monotonic() - self.epoch

    def add(self, exchange: Exchange) -> None:
        with self.lock:
            self.exchanges.append(exchange)

    def add_edit(self, edit: Edit) -> None:
        with self.lock:
            self.edits.append(edit)

    def problem(self, text: str) -> None:
        with self.lock:
            if len(self.problems) < 200:
                self.problems.append(f"{self.now():7.1f}s {text}")


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str
    port: int


class Balancer:
    """Spread requests over the instances in turn, as a load balancer would.

    An instance that refuses or drops a connection is left out for a moment; a request that
    never reached it (refused) goes to the next one. One that was sent and then dropped is
    sent again only if it is safe to repeat (a GET); a dropped POST has an unknown outcome.
    """

    def __init__(self, ports: list[int], record: Record) -> None:
        self.ports = ports
        self.record = record
        self.turn = itertools.count()
        self.resting: dict[int, float] = {}
        self.lock = threading.Lock()
        self.saving: dict[int, int] = dict.fromkeys(ports, 0)  # POSTs awaiting an answer

    def saves_in_flight(self, port: int | None = None) -> int:
        with self.lock:
            return sum(self.saving.values()) if port is None else self.saving[port]

    def order(self) -> list[int]:
        with self.lock:
            start = next(self.turn) % len(self.ports)
            now = time.monotonic()
            ports = self.ports[start:] + self.ports[:start]
            return sorted(ports, key=lambda port: self.resting.get(port, 0) > now)

    def rest(self, port: int) -> None:
        with self.lock:
            self.resting[port] = time.monotonic() + 1.0

    def send(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes | None,
        *,
        role: str,
        page: str,
        repeatable: bool,
    ) -> Response:
        for port in self.order():
            started = self.record.now()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
            sent = False
            try:
                connection.connect()
                if method == "POST":
                    with self.lock:
                        self.saving[port] += 1
                try:
                    connection.request(method, path, body=body, headers=headers)
                    sent = True
                    answer = connection.getresponse()
                    text = answer.read().decode("utf-8", errors="replace")
                finally:
                    if method == "POST":
                        with self.lock:
                            self.saving[port] -= 1
            except (TimeoutError, ConnectionError, http.client.HTTPException, OSError) as error:
                name = type(error).__name__
                self.record.add(Exchange(started, self.record.now(), role, page, port, None, name))
                self.rest(port)
                if isinstance(error, TimeoutError):
                    raise ConnectionFailed(f"{name} on {page}") from error
                if sent and not repeatable:
                    raise ConnectionFailed(f"{name} after sending {method} {page}") from error
                continue
            finally:
                connection.close()
            self.record.add(Exchange(started, self.record.now(), role, page, port, answer.status))
            return Response(answer.status, answer.headers, text, port)
        raise ConnectionFailed(f"no instance answered {method} {page}")


class FormReader(HTMLParser):
    """Collect what a browser would submit from one form of a page (no submit buttons)."""

    def __init__(self, form_id: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.done = False
        self.fields: dict[str, str] = {}
        self.select: str | None = None
        self.select_first: str | None = None
        self.textarea: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form" and not self.done:
            self.inside = self.form_id is None or attrs.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
                return
            self.fields[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []
        elif tag == "select" and name:
            self.select, self.select_first = name, None
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in attrs:
                self.fields[self.select] = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "textarea" and self.textarea:
            # A browser drops the newline that starts a textarea's content.
            self.fields[self.textarea] = "".join(self.text).removeprefix("\n")
            self.textarea = None
        elif tag == "select" and self.select:
            if self.select not in self.fields and self.select_first is not None:
                self.fields[self.select] = self.select_first
            self.select = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.text.append(data)


def form_fields(html: str, form_id: str | None = None) -> dict[str, str]:
    reader = FormReader(form_id)
    reader.feed(html)
    reader.close()
    return reader.fields


def parse_pounds(text: str) -> Decimal:
    return Decimal(text.replace("£", "").replace(",", "").strip() or "0")


class Browser:
    """One person's browser behind a TLS proxy: cookies, and the headers the proxy adds."""

    def __init__(self, balancer: Balancer, *, role: str, address: str) -> None:
        self.balancer = balancer
        self.role = role
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, *, page: str, form: dict[str, str] | None = None
    ) -> Response:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = ORIGIN
            headers["Referer"] = f"{ORIGIN}{path}"
        response = self.balancer.send(
            method, path, headers, body, role=self.role, page=page, repeatable=method == "GET"
        )
        for raw in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(raw).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, *, page: str) -> Response:
        return self.request("GET", path, page=page)

    def post(self, path: str, form: dict[str, str], *, page: str) -> Response:
        return self.request("POST", path, page=page, form=form)


class Person(threading.Thread):
    """A signed-in user doing their work until told to stop."""

    role = ""

    def __init__(
        self,
        *,
        balancer: Balancer,
        record: Record,
        username: str,
        password: str,
        index: int,
        slug: str,
        stop: threading.Event,
        seed: int,
    ) -> None:
        super().__init__(name=username, daemon=True)
        self.browser = Browser(balancer, role=self.role, address=f"198.51.100.{index + 10}")
        self.record = record
        self.username = username
        self.password = password
        self.slug = slug
        self.stop = stop
        self.random = random.Random(seed)
        self.signed_in = False

    @property
    def programme(self) -> str:
        return f"/programmes/{self.slug}/"

    def pause(self, low: float, high: float) -> None:
        self.stop.wait(self.random.uniform(low, high))

    def sign_in(self) -> bool:
        """Sign in through the login page; False if the service did not let us (yet)."""
        try:
            page = self.browser.get("/accounts/login/", page="login")
            if page.status != 200:
                self.expect_unavailable(page, "login page")
                return False
            form = form_fields(page.text)
            form.update(username=self.username, password=self.password)
            answer = self.browser.post("/accounts/login/", form, page="login")
        except ConnectionFailed:
            return False
        if answer.status == 302 and CODE_PAGE in answer.headers.get("Location", ""):
            return self.enter_code()
        if answer.status == 302:
            self.signed_in = True
            return True
        self.expect_unavailable(answer, "sign-in")
        return False

    def enter_code(self) -> bool:
        """Give the code of the user's authenticator app, as a facilitator does next."""
        try:
            page = self.browser.get(CODE_PAGE, page="login")
            if page.status != 200:
                self.expect_unavailable(page, "code page")
                return False
            form = form_fields(page.text)
            code = pyotp.TOTP(authenticator_secret(self.username, self.password)).now()
            form.update(code=code)
            answer = self.browser.post(CODE_PAGE, form, page="login")
        except ConnectionFailed:
            return False
        if answer.status == 302 and "/accounts/" not in answer.headers.get("Location", ""):
            self.signed_in = True
            return True
        if answer.status == 200:
            return False  # this time step's code was used already: the next one will do
        self.expect_unavailable(answer, "code")
        return False

    def expect_unavailable(self, response: Response, what: str) -> None:
        """Note any answer other than the clean 503 page as a problem."""
        if response.status == 503 and UNAVAILABLE in response.text:
            return
        self.record.problem(
            f"{self.username}: {what} answered {response.status}: {snippet(response.text)}"
        )

    def run(self) -> None:
        while not self.stop.is_set():
            if not self.signed_in:
                if not self.sign_in():
                    self.pause(0.5, 1.0)
                continue
            try:
                self.act()
            except ConnectionFailed:
                self.pause(0.1, 0.3)
            except Exception as error:  # a bug in the client must not hang the run
                self.record.problem(f"{self.username}: {type(error).__name__}: {error}")
                self.pause(0.5, 1.0)

    def act(self) -> None:
        raise NotImplementedError

    def signed_out(self, response: Response) -> bool:
        if response.status == 302 and "/accounts/login/" in response.headers.get("Location", ""):
            self.record.problem(f"{self.username} was signed out")
            self.signed_in = False
            return True
        return False


class ChiefExecutive(Person):
    """Reads the dashboard, the projects table, project pages and the board report."""

    role = "chief executive"

    def __init__(self, *, projects: list[str], pdf_every: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.projects = projects
        self.pdf_every = pdf_every
        self.visits = 0

    def act(self) -> None:
        self.visits += 1
        if self.pdf_every and self.visits % self.pdf_every == 0:
            page, path = "report PDF", f"{self.programme}report.pdf"
        else:
            page, path = self.random.choice(
                [
                    ("overview", self.programme),
                    ("dashboard", f"{self.programme}dashboard/"),
                    ("projects table", f"{self.programme}projects/"),
                    (
                        "project page",
                        f"{self.programme}projects/{self.random.choice(self.projects)}/",
                    ),
                    ("report", f"{self.programme}report/"),
                ]
            )
        response = self.browser.get(path, page=page)
        if not self.signed_out(response) and response.status != 200:
            self.expect_unavailable(response, page)
        self.pause(0.1, 0.5)


class Facilitator(Person):
    """Edits projects: a secured funding line's amount by some pennies, its note by a token."""

    role = "facilitator"

    def __init__(self, *, projects: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.projects = projects
        self.full: set[str] = set()
        self.count = 0

    def act(self) -> None:
        choices = [project for project in self.projects if project not in self.full]
        if not choices:
            self.pause(1, 2)
            return
        prepared = self.prepare(self.random.choice(choices))
        if prepared is None:
            return
        path, form, edit = prepared
        self.pause(0.2, 0.8)  # reading the page and typing
        self.save(path, form, edit)
        self.pause(0.0, 0.3)

    def prepare(self, project: str) -> tuple[str, dict[str, str], Edit] | None:
        """Open the project's edit page and make a change to it; None if it cannot be made."""
        path = f"{self.programme}projects/{project}/edit/"
        page = self.browser.get(path, page="edit form")
        if self.signed_out(page):
            return None
        if page.status != 200:
            self.expect_unavailable(page, "edit form")
            self.pause(0.2, 0.5)
            return None
        form = form_fields(page.text, "project-form")
        row = next(
            (
                key.split("-")[1]
                for key, value in form.items()
                if re.fullmatch(r"funding-\d+-status", key) and value == "secured"
            ),
            None,
        )
        if row is None:
            self.record.problem(f"{self.username}: no secured funding line on {project}")
            self.full.add(project)
            return None
        note = form[f"funding-{row}-note"]
        if len(note) > NOTE_LIMIT:
            self.full.add(project)
            return None
        amount = parse_pounds(form[f"funding-{row}-amount"])
        pennies = self.random.randint(1, 9999)
        if amount > 200 and self.random.random() < 0.5:
            pennies = -pennies
        delta = Decimal(pennies) / 100
        self.count += 1
        token = f"f{self.username.rsplit('-', 1)[-1]}.{self.count:04d}"
        form[f"funding-{row}-amount"] = f"{amount + delta:.2f}"
        form[f"funding-{row}-note"] = f"{note} {token}".strip()
        edit = Edit(
            user=self.username,
            project=project,
            line=int(form[f"funding-{row}-id"]),
            token=token,
            delta=delta,
            started=self.record.now(),
        )
        return path, form, edit

    def save(self, path: str, form: dict[str, str], edit: Edit) -> None:
        """Post the change and note what the facilitator was told."""
        try:
            answer = self.browser.post(path, form, page="edit save")
        except ConnectionFailed as error:
            edit.detail = str(error)
            self.record.add_edit(edit)
            return
        edit.status = answer.status
        if answer.status == 302:
            edit.result = "accepted"
            location = urlsplit(answer.headers.get("Location", "")).path
            try:
                shown = self.browser.get(location, page="project page")
            except ConnectionFailed:
                shown = None
            if shown is not None and shown.status != 200:
                self.expect_unavailable(shown, "page after saving")
            elif shown is not None and "is saved." not in shown.text:
                self.record.problem(f"{self.username}: saved {edit.token} but was not told so")
        elif answer.status == 409:
            edit.result = "refused"
            edit.explained = CONFLICT in answer.text and NOTHING_SAVED in answer.text
        elif answer.status == 503:
            edit.explained = UNAVAILABLE in answer.text
        else:
            edit.result = "unexpected"
            edit.detail = snippet(answer.text)
        self.record.add_edit(edit)


def snippet(text: str) -> str:
    found = re.search(r"<title>(.*?)</title>", text, re.S)
    return (found.group(1) if found else text[:200]).strip().replace("\n", " ")
