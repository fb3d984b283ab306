"""`make loadtest`: two app servers on one PostgreSQL under load, with an app server killed and
PostgreSQL restarted mid-run; then a check that nothing was lost and nothing was half-written.

It builds everything it needs in a temporary directory, on loopback only: a private
PostgreSQL cluster (initdb, pg_ctl), the demo programme with extra users, and two gunicorn
instances of the production settings. Facilitators edit projects through the project form
while chief executives read the pages, for LOAD_SECONDS (150 by default):

  0            1/3                      +15 s              2/3       +OUTAGE_SECONDS        end
  | steady load | instance A killed (-9) | A started again  | PostgreSQL stopped | started  |

At the end it checks, and exits non-zero with a summary if any check fails: no 500 (nor any
answer other than those expected), 503 only while PostgreSQL was down and the pages answering
again after it; every accepted edit in the database and its history, no refused one there,
every refusal explained; each funding line's history an unbroken chain of whole saves; and the
programme's figures (``programme_figures --json``) equal to the starting figures plus the
accepted changes. docs/load-and-fault-tests.md explains the design and gives this machine's
figures. LOADTEST_JSON=path writes the figures as JSON as well.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from .loadtest_client import (
    Balancer,
    ChiefExecutive,
    Edit,
    Facilitator,
    Record,
    authenticator_secret,
)
from .loadtest_cluster import HOST, ROOT, AppServer, PostgresCluster

LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "150"))
FACILITATORS = int(os.environ.get("LOAD_FACILITATORS", "4"))
CHIEF_EXECUTIVES = int(os.environ.get("LOAD_CHIEF_EXECUTIVES", "6"))
OUTAGE_SECONDS = float(os.environ.get("OUTAGE_SECONDS", "5"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "2"))
SEED = int(os.environ.get("LOADTEST_SEED", "2004"))
PDF_EVERY = int(os.environ.get("LOAD_PDF_EVERY", "40"))  # each reader's nth page is the PDF
# The whole run, set-up included, is stopped after this many seconds.
DEADLINE = float(os.environ.get("LOADTEST_DEADLINE", str(LOAD_SECONDS + 150)))
# After PostgreSQL is back, requests already queued may still meet the outage for a moment.
SETTLE_SECONDS = 20
SLUG = "norfolk-connect-2004"
# Pages, saves accepted and sign-ins, saves refused, and the database being down.
EXPECTED = {200, 302, 409, 503}
PARTNERSHIP = "norfolk-connect"


class Abort(Exception):
    """The run was interrupted (signal) or went past its deadline."""


@dataclass
class Timeline:
    load_started: float = 0.0
    killed: float | None = None
    restarted: float | None = None
    database_stopped: float | None = None
    database_started: float | None = None
    killed_mid_save: bool = False
    stopped_mid_save: bool = False
    load_ended: float = 0.0


@dataclass
class Servers:
    """Everything started, so that it can all be taken down however the run ends."""

    directory: Path
    cluster: PostgresCluster | None = None
    apps: list[AppServer] = field(default_factory=list)
    closed: bool = False

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for app in self.apps:
            app.close()
        if self.cluster is not None:
            self.cluster.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def say(text: str) -> None:
    print(text, flush=True)


def environment(cluster: PostgresCluster, directory: Path, password: str) -> dict[str, str]:
    """Return the production settings' environment for the app servers and this process."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="norfolk_connect.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=cluster.url,
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_STATIC_ROOT=str(directory / "static"),
        DJANGO_IMPORT_PENDING_DIR=str(directory / "imports"),
        DJANGO_DEMO_PASSWORD=password,
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def set_up_database(env: dict[str, str]) -> None:
    """Migrate, collect the static files, load the demo and add the load test's users."""
    for key in [key for key in os.environ if key.startswith("DJANGO_")]:
        del os.environ[key]
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from norfolk_connect.twofactor.models import Authenticator
    from projects.models import Membership, Partnership, Role

    quiet = io.StringIO()
    call_command("migrate", "--noinput", verbosity=0, stdout=quiet)
    call_command("collectstatic", "--noinput", verbosity=0, stdout=quiet)
    call_command("load_demo", stdout=quiet)
    partnership = Partnership.objects.get(slug=PARTNERSHIP)
    User = get_user_model()
    for role, prefix, count in [
        (Role.FACILITATOR, "facilitator", FACILITATORS),
        (Role.CHIEF_EXECUTIVE, "chief-executive", CHIEF_EXECUTIVES),
    ]:
        for number in range(1, count + 1):
            user = User.objects.create_user(
                f"{prefix}-{number}", password=env["DJANGO_DEMO_PASSWORD"]
            )
            Membership.objects.create(user=user, partnership=partnership, role=role)
            if role == Role.FACILITATOR:
                # The production settings require two-factor sign-in of facilitators: each has
                # an authenticator app whose key the client knows, and signs in with its code.
                Authenticator.objects.create(
                    user=user,
                    secret=authenticator_secret(user.username, env["DJANGO_DEMO_PASSWORD"]),
                    confirmed_at=timezone.now(),
                )
    connections.close_all()


def figures() -> dict:
    from django.core.management import call_command
    from django.db import connections

    out = io.StringIO()
    call_command("programme_figures", SLUG, "--json", stdout=out)
    connections.close_all()
    return json.loads(out.getvalue())


@dataclass
class Start:
    """The state before the load: what the checks at the end compare with."""

    figures: dict
    lines: dict[int, tuple[Decimal, str, int]]  # funding line: amount, note, project
    versions: dict[int, int]  # project: version
    slugs: dict[int, str]  # project: slug
    project_history: int  # the last history id before the run
    line_history: int
    editable: list[str]  # projects with a secured funding line
    projects: list[str]


def starting_state() -> Start:
    from django.db import connections
    from django.db.models import Max

    from projects.models import FundingLine, Project
    from projects.money.vocabulary import FundingStatus

    projects = Project.objects.filter(programme__slug=SLUG)
    lines = FundingLine.objects.filter(project__programme__slug=SLUG)
    secured = lines.filter(status=FundingStatus.SECURED)
    start = Start(
        figures=figures(),
        lines={line.pk: (line.amount, line.note, line.project_id) for line in lines},
        versions=dict(projects.values_list("pk", "version")),
        slugs=dict(projects.values_list("pk", "slug")),
        project_history=Project.history.aggregate(last=Max("history_id"))["last"] or 0,
        line_history=FundingLine.history.aggregate(last=Max("history_id"))["last"] or 0,
        editable=sorted(set(secured.values_list("project__slug", flat=True))),
        projects=list(projects.values_list("slug", flat=True)),
    )
    connections.close_all()
    return start


def certain_conflict(people: list[Facilitator], record: Record) -> None:
    """Two facilitators open the same project; the second to save must be refused, and told."""
    first, second = people[0], people[1]
    project = first.projects[0]
    prepared = [person.prepare(project) for person in (first, second)]
    if None in prepared:
        record.problem("the edit page did not open for the certain conflict")
        return
    first.save(*prepared[0])
    second.save(*prepared[1])
    results = [edit.result for *_, edit in prepared]
    if results != ["accepted", "refused"]:
        record.problem(f"two saves from the same version were {results}, not accepted/refused")


def run_load(
    servers: Servers, start: Start, record: Record, timeline: Timeline, password: str
) -> None:
    """Sign everyone in, make one certain conflict, then the timed load with its two faults."""
    balancer = Balancer([app.port for app in servers.apps], record)
    stop = threading.Event()
    common = {"balancer": balancer, "record": record, "password": password, "slug": SLUG}
    people: list = []
    for number in range(1, FACILITATORS + 1):
        people.append(
            Facilitator(
                username=f"facilitator-{number}",
                index=len(people),
                stop=stop,
                seed=SEED + len(people),
                projects=start.editable,
                **common,
            )
        )
    for number in range(1, CHIEF_EXECUTIVES + 1):
        people.append(
            ChiefExecutive(
                username=f"chief-executive-{number}",
                index=len(people),
                stop=stop,
                seed=SEED + len(people),
                projects=start.projects,
                pdf_every=PDF_EVERY,
                **common,
            )
        )
    for person in people:
        if not person.sign_in():
            raise SystemExit(f"{person.username} could not sign in before the load")
    facilitators = [person for person in people if isinstance(person, Facilitator)]
    if len(facilitators) >= 2:
        certain_conflict(facilitators, record)

    timeline.load_started = record.now()
    for person in people:
        person.start()

    def at() -> str:
        return f"  {record.now() - timeline.load_started:6.1f}s"

    try:
        victim = servers.apps[0]
        wait_until(record, timeline.load_started + LOAD_SECONDS / 3)
        # Killed while it is saving someone's change, if that happens within a few seconds.
        timeline.killed_mid_save = wait_for(lambda: balancer.saves_in_flight(victim.port) > 0)
        say(f"{at()} kill -9 gunicorn A (port {victim.port}): its master and workers")
        timeline.killed = record.now()
        victim.kill()
        wait_until(record, timeline.killed + min(15, LOAD_SECONDS / 6))
        victim.start()
        timeline.restarted = record.now()
        say(f"{at()} gunicorn A serving again")

        wait_until(record, timeline.load_started + 2 * LOAD_SECONDS / 3)
        timeline.stopped_mid_save = wait_for(lambda: balancer.saves_in_flight() > 0)
        say(f"{at()} PostgreSQL stopped (pg_ctl stop -m fast) for {OUTAGE_SECONDS:g} s")
        timeline.database_stopped = record.now()
        servers.cluster.stop("fast")
        time.sleep(OUTAGE_SECONDS)
        servers.cluster.start()
        timeline.database_started = record.now()
        say(f"{at()} PostgreSQL started again")

        wait_until(record, timeline.load_started + LOAD_SECONDS)
    finally:
        stop.set()
        for person in people:
            if person.is_alive():
                person.join(timeout=70)
        timeline.load_ended = record.now()


def wait_for(condition, seconds: float = 5) -> bool:
    """Wait until the condition holds, for a few seconds at most; return whether it did."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.002)
    return False


def wait_until(record: Record, moment: float) -> None:
    while record.now() < moment:
        time.sleep(min(0.5, moment - record.now()))


# --- the checks --------------------------------------------------------------------------


def check_edits(start: Start, record: Record) -> tuple[list[str], dict]:
    """Check the database against what every facilitator was told; return failures and counts."""
    from django.db import connections

    from projects.models import FundingLine, Project

    failures: list[str] = []
    sent: dict[str, Edit] = {edit.token: edit for edit in record.edits}
    landed: dict[str, Decimal] = {}
    lines = {line.pk: line for line in FundingLine.objects.filter(pk__in=start.lines)}
    project_records = list(
        Project.history.filter(history_id__gt=start.project_history).order_by(
            "history_date", "history_id"
        )
    )
    line_records = list(
        FundingLine.history.filter(history_id__gt=start.line_history).order_by(
            "history_date", "history_id"
        )
    )
    saves = {(item.id, item.history_date): item for item in project_records}

    # Each funding line's history: every record is one whole save that added one token and
    # moved the amount by that token's delta, starting from where the line was before the run.
    for pk, (amount, note, project_id) in start.lines.items():
        for item in (item for item in line_records if item.id == pk):
            words, before = item.note.split(), note.split()
            token = words[-1] if words else ""
            if item.history_type != "~" or words[:-1] != before or token not in sent:
                failures.append(
                    f"funding line {pk}: history record {item.history_id} is not one save"
                )
                break
            if item.amount - amount != sent[token].delta:
                failures.append(
                    f"funding line {pk}: {token} moved the amount by {item.amount - amount}, "
                    f"not by the {sent[token].delta} sent"
                )
            if (project_id, item.history_date) not in saves:
                failures.append(f"funding line {pk}: {token} has no project record in its save")
            landed[token] = sent[token].delta
            amount, note = item.amount, item.note
        line = lines[pk]
        if (line.amount, line.note) != (amount, note):
            failures.append(f"funding line {pk} differs from its last history record")

    # Each project's versions go up by one per save, each save recorded, with no gaps.
    for pk, version in start.versions.items():
        records = [item for item in project_records if item.id == pk]
        versions = [item.version for item in records]
        current = Project.objects.get(pk=pk).version
        if versions != list(range(version + 1, current + 1)):
            failures.append(
                f"project {start.slugs[pk]}: versions {version} -> {current} but history has "
                f"{versions[:10]}{'...' if len(versions) > 10 else ''}"
            )
        edits = sum(1 for item in line_records if item.project_id == pk)
        if len(records) != edits:
            failures.append(
                f"project {start.slugs[pk]}: {len(records)} saves but {edits} funding line changes"
            )

    counts = {"accepted": 0, "refused": 0, "unknown": 0, "unexpected": 0}
    unknown_landed = dropped = 0
    for edit in record.edits:
        counts[edit.result] += 1
        if edit.result == "accepted" and edit.token not in landed:
            failures.append(
                f"lost update: {edit.token} on {edit.project} was accepted but is not saved"
            )
        if edit.result == "refused":
            if edit.token in landed:
                failures.append(f"{edit.token} on {edit.project} was refused but is saved")
            if not edit.explained:
                failures.append(f"{edit.token} on {edit.project} was refused without saying why")
        if edit.result == "unexpected":
            failures.append(f"{edit.token}: the save answered {edit.status}: {edit.detail}")
        if edit.status == 503 and not edit.explained:
            failures.append(f"{edit.token}: the save answered 503 without the unavailable page")
        if edit.result == "unknown":
            dropped += edit.status is None
            unknown_landed += edit.token in landed
    counts["unknown_dropped"] = dropped
    counts["unknown_503"] = counts["unknown"] - dropped
    counts["unknown_saved"] = unknown_landed
    counts["delta"] = sum(landed.values(), Decimal(0))
    connections.close_all()
    return failures, counts


def check_figures(start: Start, delta: Decimal) -> tuple[list[str], dict]:
    """The figures at the end must be the starting ones with the existing resource moved on."""
    from django.db import connections
    from django.db.models import Sum

    from projects.models import FundingLine
    from projects.money.vocabulary import FundingStatus

    end = figures()
    expected = json.loads(json.dumps(start.figures))
    total = Decimal(start.figures["existing_total"]) + delta
    expected["existing_total"] = f"{total:.2f}"
    mismatches = [item for item in expected["mismatches"] if item["field"] != "existing_total"]
    stated = start.figures["existing_stated"]
    if stated is not None and Decimal(stated) != total:
        mismatches.insert(
            0, {"field": "existing_total", "stated": stated, "computed": f"{total:.2f}"}
        )
    expected["mismatches"] = mismatches
    failures = []
    if end != expected:
        differing = sorted(key for key in end if end.get(key) != expected.get(key))
        failures.append(f"programme_figures differs from the expected figures in {differing}")
    in_database = FundingLine.objects.filter(
        project__programme__slug=SLUG, status=FundingStatus.SECURED
    ).aggregate(total=Sum("amount"))["total"]
    if Decimal(end["existing_total"]) != in_database:
        failures.append(
            f"existing resource {end['existing_total']} is not the sum of the secured lines "
            f"{in_database}"
        )
    connections.close_all()
    return failures, {
        "existing_start": start.figures["existing_total"],
        "existing_end": end["existing_total"],
    }


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def check_traffic(record: Record, timeline: Timeline, servers: Servers) -> tuple[list[str], dict]:
    """No server errors; 503 only while PostgreSQL was down; service before, during and after."""
    failures = list(record.problems)
    answered = [exchange for exchange in record.exchanges if exchange.status is not None]
    statuses: dict[str, int] = {}
    for exchange in answered:
        statuses[str(exchange.status)] = statuses.get(str(exchange.status), 0) + 1
    for exchange in answered:
        if exchange.status not in EXPECTED:
            failures.append(
                f"{exchange.page} answered {exchange.status} at {exchange.started:.1f}s"
            )
    stopped, started = timeline.database_stopped, timeline.database_started
    unavailable = [exchange for exchange in answered if exchange.status == 503]
    for exchange in unavailable:
        if stopped is None or not (stopped <= exchange.finished <= started + SETTLE_SECONDS):
            failures.append(
                f"{exchange.page} answered 503 at {exchange.finished:.1f}s, outside the outage"
            )
    failed = [exchange for exchange in record.exchanges if exchange.status is None]
    victim = servers.apps[0].port
    killed_failures = [
        exchange
        for exchange in failed
        # Those in flight when it was killed, and those sent to it until it was back.
        if exchange.port == victim
        and exchange.started <= timeline.restarted
        and exchange.finished >= timeline.killed
    ]
    other_failures = [exchange for exchange in failed if exchange not in killed_failures]
    for exchange in other_failures:
        failures.append(
            f"{exchange.page}: {exchange.error} on port {exchange.port} at {exchange.started:.1f}s"
        )
    ok = [exchange for exchange in answered if exchange.status in (200, 302, 409)]
    survivor = [
        exchange
        for exchange in ok
        if exchange.port != victim and timeline.killed <= exchange.started <= timeline.restarted
    ]
    if not survivor:
        failures.append("the other instance served nothing while instance A was down")
    recovered = [exchange.finished for exchange in ok if exchange.started >= started]
    if not recovered:
        failures.append("nothing succeeded after PostgreSQL was started again")
    after_kill = [
        exchange
        for exchange in ok
        if exchange.port == victim and exchange.started >= timeline.restarted
    ]
    if not after_kill:
        failures.append("instance A served nothing after it was started again")

    duration = timeline.load_ended - timeline.load_started
    roles = {}
    for role in ("facilitator", "chief executive"):
        mine = [
            exchange
            for exchange in answered
            if exchange.role == role and exchange.started >= timeline.load_started
        ]
        latencies = [exchange.latency * 1000 for exchange in mine if exchange.status != 503]
        roles[role] = {
            "requests": len(mine),
            "per_second": round(len(mine) / duration, 1),
            "median_ms": round(statistics.median(latencies), 0) if latencies else None,
            "p95_ms": round(percentile(latencies, 0.95), 0) if latencies else None,
        }
    pdf = [
        exchange.latency * 1000
        for exchange in answered
        if exchange.page == "report PDF" and exchange.status == 200
    ]
    figures = {
        "seconds": round(duration, 1),
        "requests": len(answered),
        "per_second": round(
            sum(1 for e in answered if e.started >= timeline.load_started) / duration, 1
        ),
        "roles": roles,
        "statuses": dict(sorted(statuses.items())),
        "report_pdfs": len(pdf),
        "report_pdf_median_ms": round(statistics.median(pdf), 0) if pdf else None,
        "connection_failures_on_killed_instance": len(killed_failures),
        "other_connection_failures": len(other_failures),
        "instance_down_seconds": round(timeline.restarted - timeline.killed, 1),
        "served_by_other_instance_meanwhile": len(survivor),
        "killed_during_a_save": timeline.killed_mid_save,
        "stopped_during_a_save": timeline.stopped_mid_save,
        "unavailable_503": len(unavailable),
        "database_down_seconds": round(started - stopped, 1),
        "first_503_after_stop_seconds": round(min(e.finished for e in unavailable) - stopped, 1)
        if unavailable
        else None,
        "last_503_after_start_seconds": round(max(e.finished for e in unavailable) - started, 1)
        if unavailable
        else None,
        "recovery_seconds": round(min(recovered) - started, 2) if recovered else None,
    }
    return failures, figures


def server_log(servers: Servers) -> dict[str, int]:
    """Count what the app servers logged: clean 503s, and any tracebacks."""
    text = "".join(app.log_path.read_text(errors="replace") for app in servers.apps)
    return {
        "answered_503": text.count("Database unavailable, answered 503"),
        "tracebacks": text.count("Traceback (most recent call last)"),
        "internal_server_error_entries": text.count("Internal Server Error"),
    }


def server_tracebacks(servers: Servers, most: int = 3, lines: int = 40) -> list[str]:
    """Return the first tracebacks the app servers logged, each with the lines that follow it,
    so that a failed run shows its cause in its own output: the logs go with the servers."""
    found = []
    for app in servers.apps:
        logged = app.log_path.read_text(errors="replace").splitlines()
        for index, line in enumerate(logged):
            if "Traceback (most recent call last)" in line and len(found) < most:
                found.append(f"gunicorn {app.name}:\n" + "\n".join(logged[index : index + lines]))
    return found


def report(figures: dict) -> str:
    """Lay the figures out as a table."""
    lines = [
        f"Load: {figures['seconds']} s, {FACILITATORS} facilitators and {CHIEF_EXECUTIVES} chief "
        f"executives, 2 gunicorn instances x {WORKERS} workers, one PostgreSQL",
        "",
        f"{'':<18}{'requests':>10}{'req/s':>8}{'median ms':>11}{'p95 ms':>9}",
    ]
    for role, numbers in figures["roles"].items():
        lines.append(
            f"{role:<18}{numbers['requests']:>10}{numbers['per_second']:>8}"
            f"{numbers['median_ms']!s:>11}{numbers['p95_ms']!s:>9}"
        )
    lines.append(f"{'all':<18}{figures['requests']:>10}{figures['per_second']:>8}")
    lines.append("")
    lines.append(
        "Answers by status: " + ", ".join(f"{k}: {v}" for k, v in figures["statuses"].items())
    )
    edits = figures["edits"]
    lines += [
        f"Report PDFs: {figures['report_pdfs']} (median {figures['report_pdf_median_ms']} ms)",
        f"Edits: {edits['accepted']} accepted, {edits['refused']} refused (409, explained), "
        f"{edits['unknown_dropped']} cut off by the kill, {edits['unknown_503']} answered 503 "
        f"({edits['unknown_saved']} of these {edits['unknown']} saved nonetheless), "
        f"{edits['unexpected']} unexpected",
        f"Existing resource: {figures['existing_start']} -> {figures['existing_end']} "
        f"(accepted changes: {edits['delta']})",
        f"Instance A killed{' mid-save' if figures['killed_during_a_save'] else ''}: "
        f"down {figures['instance_down_seconds']} s, "
        f"{figures['connection_failures_on_killed_instance']} connection failures on it "
        f"(failed over), {figures['served_by_other_instance_meanwhile']} answers from B meanwhile, "
        f"{figures['other_connection_failures']} other connection failures",
        f"PostgreSQL stopped{' mid-save' if figures['stopped_during_a_save'] else ''}"
        f": down {figures['database_down_seconds']} s, "
        f"{figures['unavailable_503']} answers 503 (the first "
        f"{figures['first_503_after_stop_seconds']} s after the stop, the last "
        f"{figures['last_503_after_start_seconds']} s after the start), "
        f"first success {figures['recovery_seconds']} s after the start",
        f"Server log: {figures['server_log']['answered_503']} answers 503 logged, "
        f"{figures['server_log']['tracebacks']} tracebacks",
    ]
    return "\n".join(lines)


def main() -> int:
    directory = Path(tempfile.mkdtemp(prefix="loadtest-"))
    servers = Servers(directory)
    atexit.register(servers.close)

    def interrupt(number, frame):
        raise Abort(f"stopped by signal {signal.Signals(number).name}")

    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
        signal.signal(number, interrupt)
    signal.alarm(int(DEADLINE))
    record = Record()
    timeline = Timeline()
    try:
        began = time.monotonic()
        say(f"Setting up in {directory} ...")
        servers.cluster = PostgresCluster(directory)
        servers.cluster.create()
        password = secrets.token_urlsafe(16)
        env = environment(servers.cluster, directory, password)
        set_up_database(env)
        start = starting_state()
        for name in ("A", "B"):
            app = AppServer(name, directory, env, WORKERS)
            servers.apps.append(app)
            app.start()
        say(
            f"  PostgreSQL {servers.cluster.bin.parent.name} on port {servers.cluster.port}, "
            f"gunicorn A on {servers.apps[0].port}, B on {servers.apps[1].port} "
            f"({time.monotonic() - began:.0f} s)"
        )
        say(f"Load for {LOAD_SECONDS:g} s ...")
        run_load(servers, start, record, timeline, password)
        say("Checking ...")
        failures, traffic = check_traffic(record, timeline, servers)
        edit_failures, edits = check_edits(start, record)
        figure_failures, totals = check_figures(start, edits["delta"])
        failures += edit_failures + figure_failures
        if edits["refused"] == 0:
            failures.append("no save was refused: the conflict check did not run")
        if edits["accepted"] == 0:
            failures.append("no save was accepted")
        traffic["server_log"] = server_log(servers)
        tracebacks = server_tracebacks(servers)
    except Abort as error:
        say(f"Load test aborted: {error}")
        return 2
    finally:
        signal.alarm(0)
        if os.environ.get("LOADTEST_LOGS"):
            keep = Path(os.environ["LOADTEST_LOGS"])
            keep.mkdir(parents=True, exist_ok=True)
            for log in directory.glob("*.log"):
                shutil.copy(log, keep / log.name)
        servers.close()
    results = {**traffic, "edits": {**edits, "delta": f"{edits['delta']:.2f}"}, **totals}
    results["failures"] = failures
    say("")
    say(report(results))
    if os.environ.get("LOADTEST_JSON"):
        Path(os.environ["LOADTEST_JSON"]).write_text(json.dumps(results, indent=2, default=str))
    if os.environ.get("LOADTEST_EXCHANGES"):
        # Every request, for a closer look: seconds from the start of the load.
        with Path(os.environ["LOADTEST_EXCHANGES"]).open("w") as out:
            for exchange in record.exchanges:
                row = asdict(exchange)
                row["started"] = round(exchange.started - timeline.load_started, 3)
                row["finished"] = round(exchange.finished - timeline.load_started, 3)
                out.write(json.dumps(row) + "\n")
    say("")
    if failures:
        say(f"FAILED: {len(failures)} problem(s)")
        for failure in failures[:50]:
            say(f"  - {failure}")
        for traceback in tracebacks:
            say("")
            say(traceback)
        return 1
    say("PASSED: no server errors, no lost or partial writes, figures consistent.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
