"""The API's share of `make bench`: a programme's figures read, and 1,000 spend lines written.

``bench_api()`` expects Django set up on a migrated database (as ``benchmarks.run`` leaves it).
It loads the demo programme where absent, makes a facilitator's read-and-write token, and times,
in-process through Django's test client with the token (the whole request: authentication,
the rate limit, the endpoint, the JSON): ``GET /api/v1/programmes/<demo>/figures`` and
``POST /api/v1/programmes/<demo>/spend`` with 1,000 lines (each batch with references of its
own, so that none asks to be confirmed as a repeat), and counts their queries. The lines are
removed again afterwards. Run it on its own with ``python -m benchmarks.api``.
"""

from __future__ import annotations

import json
import statistics
import time

READS = 30
BATCHES = 5
LINES = 1_000
DEMO_SLUG = "norfolk-connect-2004"
USERNAME = "bench-api"


def _demo():
    from django.conf import settings

    from projects.models import Programme
    from projects.programme_file import parse_programme
    from projects.services import programme_load

    if not Programme.objects.filter(slug=DEMO_SLUG).exists():
        fixture = settings.BASE_DIR / "fixtures" / "norfolk-connect-2004.json"
        programme_load(document=parse_programme(fixture.read_bytes()))
    return Programme.objects.select_related("partnership").get(slug=DEMO_SLUG)


def _token(programme) -> str:
    from django.contrib.auth import get_user_model

    from norfolk_connect.api.models import Scope
    from norfolk_connect.api.services import token_create
    from projects.models import Membership, Role

    user, _ = get_user_model().objects.get_or_create(username=USERNAME)
    Membership.objects.get_or_create(
        user=user, partnership=programme.partnership, defaults={"role": Role.FACILITATOR}
    )
    return token_create(
        user=user, partnership=programme.partnership, name="Bench", scope=Scope.READ_WRITE, days=30
    )[1]


def _committed_phase(programme) -> tuple[str, int]:
    """A phase of the programme that may be spent on: its project's slug and its number."""
    from projects.models import Phase
    from projects.money.spend import spend_refused_because

    for phase in Phase.objects.filter(project__programme=programme).select_related("project"):
        if spend_refused_because(gated=phase.gated, decision=phase.decision) is None:
            return phase.project.slug, phase.number
    raise SystemExit("The demo has no phase that may be spent on")


def bench_api() -> dict:
    """Time the figures' GET and a 1,000-line spend batch; count their queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from projects.models import Spend

    programme = _demo()
    token = _token(programme)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    figures = f"/api/v1/programmes/{programme.slug}/figures"
    spend = f"/api/v1/programmes/{programme.slug}/spend"
    project, phase = _committed_phase(programme)
    day = (programme.starts or programme.ends).isoformat()

    def batch(n: int) -> str:
        return json.dumps(
            {
                "lines": [
                    {
                        "project": project,
                        "phase": phase,
                        "date": day,
                        "amount": "12.34",
                        "supplier": "Bench Ltd",
                        "reference": f"BENCH-{n}-{i}",
                        "description": "A line of the API benchmark",
                    }
                    for i in range(LINES)
                ]
            }
        )

    with override_settings(API_RATE_LIMIT=10**9):
        assert client.get(figures, **headers).status_code == 200  # warmed, last use written
        read_seconds = []
        for _ in range(READS):
            started = time.perf_counter()
            response = client.get(figures, **headers)
            read_seconds.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content
        with CaptureQueriesContext(connection) as read_queries:
            client.get(figures, **headers)
        before = set(Spend.objects.values_list("pk", flat=True))
        write_seconds = []
        for n in range(BATCHES):
            body = batch(n)
            started = time.perf_counter()
            response = client.post(spend, body, content_type="application/json", **headers)
            write_seconds.append(time.perf_counter() - started)
            assert response.status_code == 201, response.content[:500]
        body = batch(BATCHES)
        with CaptureQueriesContext(connection) as write_queries:
            response = client.post(spend, body, content_type="application/json", **headers)
        assert response.status_code == 201, response.content[:500]
        Spend.history.exclude(id__in=before).delete()
        Spend.objects.exclude(pk__in=before).delete()
    return {
        "figures_median_ms": statistics.median(read_seconds) * 1000,
        "figures_queries": len(read_queries),
        "spend_lines": LINES,
        "spend_body_bytes": len(body),
        "spend_median_seconds": statistics.median(write_seconds),
        "spend_queries": len(write_queries),
    }


if __name__ == "__main__":
    import sys
    import tempfile
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from benchmarks.run import set_up_django

    set_up_django(Path(tempfile.mkdtemp(prefix="bench-api-")) / "bench.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(json.dumps(bench_api(), indent=2))
