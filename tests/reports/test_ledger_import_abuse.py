"""Abuse of the ledger import: whatever bytes or cells are uploaded, never a server error.

Each example is uploaded, mapped and, if the preview allows, applied: the answer is a page or a
redirect, never a 500, and a refused file records nothing.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.models import Role, Spend
from tests.projects.factories import MembershipFactory, PhaseFactory, ProjectFactory

pytestmark = pytest.mark.django_db

HEADINGS = ["Date", "Amount", "Ref", "Project", "Phase", "Supplier", "Details"]
MAPPING = dict(
    zip(
        ["date", "amount", "reference", "project", "phase", "supplier", "description"],
        HEADINGS,
        strict=True,
    )
)
FUZZ = settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def pending(settings, tmp_path):
    settings.IMPORT_PENDING_DIR = tmp_path / "pending"


@pytest.fixture
def programme(client):
    project = ProjectFactory(slug="gateway", name="Gateway")
    PhaseFactory(project=project, number=1)
    programme = project.programme
    member = MembershipFactory(partnership=programme.partnership, role=Role.FACILITATOR)
    client.force_login(member.user)
    return programme


class Undo(Exception):
    pass


def through_the_steps(client, programme, name: str, content: bytes) -> None:
    before = Spend.objects.count()
    try:
        with transaction.atomic():
            upload = client.post(
                reverse("reports:ledger_upload", args=[programme.slug]),
                {"file": SimpleUploadedFile(name, content)},
            )
            assert upload.status_code in (200, 302), upload.status_code
            if upload.status_code == 200:
                assert Spend.objects.count() == before
                raise Undo
            mapped = client.post(reverse("reports:ledger_map", args=[programme.slug]), MAPPING)
            assert mapped.status_code == 200
            applied = client.post(reverse("reports:ledger_apply", args=[programme.slug]))
            assert applied.status_code in (302, 409), applied.status_code
            if applied.status_code == 409:
                assert Spend.objects.count() == before
            raise Undo
    except Undo:
        pass


def test_uploads_of_arbitrary_bytes_are_refused_cleanly(client, programme):
    @FUZZ
    @given(
        name=st.sampled_from(["ledger.csv", "ledger.xlsx", "x", "../../etc/passwd.csv"]),
        content=st.one_of(
            st.binary(max_size=2000),
            st.binary(max_size=200).map(lambda tail: b"PK\x03\x04" + tail),
            st.binary(max_size=200).map(lambda tail: ",".join(HEADINGS).encode() + b"\n" + tail),
        ),
    )
    def check(name, content):
        through_the_steps(client, programme, name, content)

    check()


cell = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["30/09/2004", "2004-02-30", "£1,200.50", "-5", "0", "gateway", "1", "2"]),
)


def test_arbitrary_cells_are_imported_or_refused_cleanly(client, programme):
    @FUZZ
    @given(rows=st.lists(st.lists(cell, min_size=0, max_size=8), min_size=1, max_size=5))
    def check(rows):
        stream = io.StringIO()
        writer = csv.writer(stream)
        writer.writerow(HEADINGS)
        writer.writerows(rows)
        text = stream.getvalue().replace("\x00", "")
        through_the_steps(client, programme, "ledger.csv", text.encode("utf-8", "surrogatepass"))

    check()
