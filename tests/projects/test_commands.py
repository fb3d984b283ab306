"""The programme commands end to end: load, export, figures and the demo, good files and bad."""

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from projects.models import (
    Contribution,
    FundingLine,
    Membership,
    OutcomeClaim,
    Partner,
    Phase,
    Programme,
    Project,
    Role,
)
from tests.conftest import SEED_FILE
from tests.contributions.factories import ContributionFactory
from tests.projects.factories import MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

SEED_FIGURES = {
    "programme": "norfolk-connect-2004",
    "projects": 10,
    "partners": 8,
    "existing_total": "175000.00",
    "existing_stated": "165000.00",
    "extra_min": "75000.00",
    "extra_max": "175000.00",
    "extra_stated": "175000.00",
    "share_min": "9375.00",
    "share_max": "21875.00",
    "immediate_per_partner": "10000.00",
    "cap_per_partner": "30000.00",
    "pledged": "0.00",
    "received": "0.00",
    "gap_min": "75000.00",
    "gap_max": "175000.00",
    "outcomes": {"required": 10, "good": 11, "excellent": 5},
    "projects_supporting_strategy": 7,
    "tbc_phases": 1,
    "mismatches": [{"field": "existing_total", "stated": "165000.00", "computed": "175000.00"}],
    # After the meeting: nothing agreed, called, paid or spent yet.
    "agreement": None,
    "invoiced": "0.00",
    "paid": "0.00",
    "refunded": "0.00",
    "credited": "0.00",
    "owed": "0.00",
    "overdue": "0.00",
    "uncalled": None,
    "surplus": "0.00",
    "spent": "0.00",
    "forecast_outturn": "0.00",
    "pot_balance": "0.00",
    # Delivery: no status set yet; the seed's two risks, open.
    "projects_by_status": {"red": 0, "amber": 0, "green": 0, "not_set": 10},
    "late_milestones": 0,
    "open_risks_by_score": [{"score": 10, "count": 1}, {"score": 8, "count": 1}],
}


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def figures(slug: str = "norfolk-connect-2004") -> dict:
    return json.loads(run("programme_figures", slug, "--json"))


def write(tmp_path: Path, document) -> Path:
    path = tmp_path / "programme.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def snapshot() -> dict:
    """Everything a load could touch, to prove a refused load changed nothing."""
    models = [Programme, Project, Phase, FundingLine, OutcomeClaim, Partner, Contribution]
    return {model.__name__: sorted(map(repr, model.objects.values_list())) for model in models}


def test_seed_figures_come_out_of_programme_figures():
    run("load_programme", str(SEED_FILE))
    result = figures()
    assert {key: result[key] for key in SEED_FIGURES} == SEED_FIGURES
    assert [row["partner"] for row in result["per_partner"]] == sorted(
        [
            "norfolk-county",
            "breckland",
            "broadland",
            "great-yarmouth",
            "kings-lynn-west-norfolk",
            "north-norfolk",
            "norwich",
            "south-norfolk",
        ]
    )
    assert {row["cap"] for row in result["per_partner"]} == {"30000.00"}
    assert {row["immediate"] for row in result["per_partner"]} == {"10000.00"}


def test_figures_json_has_exactly_the_designed_keys():
    run("load_programme", str(SEED_FILE))
    assert set(figures()) == set(SEED_FIGURES) | {"per_partner"}
    assert set(figures()["per_partner"][0]) == {
        "partner",
        "share_min",
        "share_max",
        "immediate",
        "cap",
        "pledged",
        "received",
        "outstanding",
        "agreed_immediate",
        "agreed_cap",
        "invoiced",
        "paid",
        "refunded",
        "credited",
        "owed",
        "overdue",
        "uncalled",
        "surplus",
    }


def test_readable_figures_show_the_mismatch_and_the_recommendation():
    run("load_programme", str(SEED_FILE))
    table = run("programme_figures", "norfolk-connect-2004")
    assert "£175,000" in table
    assert "existing_total: stated £165,000, computed £175,000, difference £10,000" in table
    assert "Cap per partner" in table and "£30,000" in table


def test_load_then_export_gives_back_the_same_document(tmp_path, seed_dict):
    run("load_programme", str(SEED_FILE))
    out = tmp_path / "out.json"
    call_command("export_programme", "norfolk-connect-2004", "-o", str(out), stderr=StringIO())
    assert json.loads(out.read_text()) == seed_dict
    assert out.read_text() == SEED_FILE.read_text()
    assert json.loads(run("export_programme", "norfolk-connect-2004")) == seed_dict


def test_loading_again_replaces_the_programme_whole(tmp_path, seed_dict):
    run("load_programme", str(SEED_FILE))
    seed_dict["projects"] = seed_dict["projects"][:2]
    seed_dict["contributions"] = [
        {
            "partner": "broadland",
            "financial_year": "2004/05",
            "tranche": "immediate",
            "amount": "10000.00",
            "status": "received",
        }
    ]
    run("load_programme", str(write(tmp_path, seed_dict)))
    assert Programme.objects.count() == 1
    assert Project.objects.count() == 2
    result = figures()
    assert result["projects"] == 2
    assert result["received"] == "10000.00"
    assert json.loads(run("export_programme", "norfolk-connect-2004")) == seed_dict


def test_a_programme_no_one_has_seen_follows_the_money_rules(tmp_path, seed_dict):
    seed_dict["programme"].update(slug="weighted", apportionment="weights", rounding_step="0.01")
    seed_dict["programme"]["stated"] = {"existing_total": None, "extra_total": None}
    seed_dict["partners"] = [
        {"slug": "a", "name": "A", "contributes": True, "population": None, "weight": "1"},
        {"slug": "b", "name": "B", "contributes": True, "population": None, "weight": "2"},
        {"slug": "c", "name": "C", "contributes": False, "population": None, "weight": None},
    ]
    project = seed_dict["projects"][0]
    project["phases"] = [
        {
            "number": 1,
            "name": "Shared",
            "extra_cost": "100.00",
            "gated": False,
            "decision": "pending",
            "borne": "shared",
            "note": "",
        },
        {
            "number": 2,
            "name": "Own",
            "extra_cost": "0.03",
            "gated": True,
            "decision": "approved",
            "borne": "individual",
            "note": "",
        },
        {
            "number": 3,
            "name": "Maybe",
            "extra_cost": "10.00",
            "gated": True,
            "decision": "pending",
            "borne": "shared",
            "note": "",
        },
        {
            "number": 4,
            "name": "Dropped",
            "extra_cost": "999.00",
            "gated": True,
            "decision": "not_proceeding",
            "borne": "shared",
            "note": "",
        },
    ]
    seed_dict["projects"] = [project]
    seed_dict["contributions"] = [
        {
            "partner": "a",
            "financial_year": "2004/05",
            "tranche": "immediate",
            "amount": "20.00",
            "status": "received",
        },
        {
            "partner": "b",
            "financial_year": "2004/05",
            "tranche": "immediate",
            "amount": "50.00",
            "status": "invoiced",
        },
        {
            "partner": "b",
            "financial_year": "2005/06",
            "tranche": "review",
            "amount": "30.00",
            "status": "returned",
        },
    ]
    run("load_programme", str(write(tmp_path, seed_dict)))
    result = figures("weighted")
    # minimum 100.03: shared 100.00 by weights 1:2 -> 33.33 + 66.67 (largest remainder to b),
    # individual 0.03 equally -> 0.02 (tie to a) + 0.01
    assert result["extra_min"] == "100.03"
    assert result["extra_max"] == "110.03"
    per = {row["partner"]: row for row in result["per_partner"]}
    assert set(per) == {"a", "b"}
    assert per["a"]["share_min"] == "33.35"
    assert per["b"]["share_min"] == "66.68"
    assert Decimal(per["a"]["share_max"]) + Decimal(per["b"]["share_max"]) == Decimal("110.03")
    assert per["a"]["share_max"] == "36.69"  # 110.00 / 3 = 36.666.. -> 36.67, plus 0.02
    assert per["a"]["pledged"] == "20.00" and per["a"]["outstanding"] == "0.00"
    assert per["b"]["pledged"] == "50.00" and per["b"]["received"] == "0.00"
    assert per["b"]["outstanding"] == "50.00"
    assert result["pledged"] == "70.00" and result["received"] == "20.00"
    assert result["gap_min"] == "30.03" and result["gap_max"] == "40.03"
    assert result["mismatches"] == []


BAD_FILES = {
    "not json": (lambda d: "{not json", "(file): not valid JSON"),
    "another format": (
        lambda d: {**d, "format": "partnership-programme/3"},
        "format",
    ),
    "missing key": (lambda d: {k: v for k, v in d.items() if k != "projects"}, "projects"),
    "unknown key": (lambda d: {**d, "projectz": []}, "projectz"),
    "negative amount": (
        lambda d: d["projects"][4]["phases"][0].update(extra_cost="-7000.00"),
        "projects[4].phases[0].extra_cost: must not be negative",
    ),
    "non-numeric amount": (
        lambda d: d["projects"][0]["funding"][0].update(amount="fifteen thousand"),
        "projects[0].funding[0].amount",
    ),
    "unknown partner": (
        lambda d: d.update(
            contributions=[
                {
                    "partner": "atlantis",
                    "financial_year": "2004/05",
                    "tranche": "immediate",
                    "amount": "1.00",
                    "status": "pledged",
                }
            ]
        ),
        "contributions[0].partner",
    ),
    "duplicate project slug": (
        lambda d: d["projects"][1].update(slug=d["projects"][0]["slug"]),
        "projects[1].slug",
    ),
    "duplicate phase number": (
        lambda d: d["projects"][4]["phases"][1].update(number=1),
        "projects[4].phases[1].number",
    ),
    "withdrawn project still pending": (
        lambda d: d["projects"][4].update(status="withdrawn"),
        "projects[4].phases[0].decision",
    ),
    "financial year outside the programme": (
        lambda d: d.update(
            contributions=[
                {
                    "partner": "broadland",
                    "financial_year": "2009/10",
                    "tranche": "immediate",
                    "amount": "1.00",
                    "status": "pledged",
                }
            ]
        ),
        "contributions[0].financial_year",
    ),
}


def _bad_file(seed_dict, change) -> object:
    result = change(seed_dict)
    return seed_dict if result is None else result


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_refused_with_its_place_and_changes_nothing(case, tmp_path, seed_dict):
    run("load_programme", str(SEED_FILE))
    ContributionFactory(
        programme=Programme.objects.get(), partner=Partner.objects.get(slug="norwich")
    )
    before = snapshot()
    change, expected = BAD_FILES[case]
    path = write(tmp_path, _bad_file(seed_dict, change))
    with pytest.raises(CommandError) as error:
        call_command("load_programme", str(path), stdout=StringIO())
    assert "nothing was changed" in str(error.value)
    assert expected in str(error.value)
    assert snapshot() == before


def test_bad_file_exits_non_zero_without_a_traceback(tmp_path, seed_dict):
    import subprocess
    import sys

    seed_dict["projects"][3]["phases"] = [
        {
            "number": 1,
            "name": "x",
            "extra_cost": "-1.00",
            "gated": False,
            "decision": "pending",
            "borne": "shared",
            "note": "",
        }
    ]
    path = write(tmp_path, seed_dict)
    result = subprocess.run(
        [sys.executable, "manage.py", "load_programme", str(path)],
        capture_output=True,
        text=True,
        cwd=SEED_FILE.parent.parent,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "norfolk_connect.settings.test"},
        check=False,
    )
    assert result.returncode != 0
    assert "projects[3].phases[0].extra_cost: must not be negative" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read it"):
        call_command("load_programme", str(tmp_path / "nowhere.json"))


def test_unknown_programme_is_a_clear_error():
    with pytest.raises(CommandError, match="There is no programme 'nowhere'"):
        call_command("programme_figures", "nowhere")
    with pytest.raises(CommandError, match="There is no programme 'nowhere'"):
        call_command("export_programme", "nowhere")


def test_file_may_not_take_over_another_partnerships_programme(tmp_path, seed_dict):
    ProgrammeFactory(slug="norfolk-connect-2004")
    before = snapshot()
    with pytest.raises(CommandError, match="already belongs to the partnership"):
        call_command("load_programme", str(SEED_FILE), stdout=StringIO())
    assert snapshot() == before


def test_partner_left_out_but_used_elsewhere_refuses_the_load(tmp_path, seed_dict):
    run("load_programme", str(SEED_FILE))
    other = dict(seed_dict, programme=dict(seed_dict["programme"], slug="norfolk-connect-2006"))
    run("load_programme", str(write(tmp_path, other)))
    ContributionFactory(
        programme=Programme.objects.get(slug="norfolk-connect-2006"),
        partner=Partner.objects.get(slug="norwich"),
    )
    seed_dict["partners"] = [p for p in seed_dict["partners"] if p["slug"] != "norwich"]
    before = snapshot()
    with pytest.raises(CommandError, match="'norwich' is left out, but programme"):
        call_command("load_programme", str(write(tmp_path, seed_dict)), stdout=StringIO())
    assert snapshot() == before


def test_partner_left_out_and_unused_is_removed(tmp_path, seed_dict):
    run("load_programme", str(SEED_FILE))
    seed_dict["partners"] = [p for p in seed_dict["partners"] if p["slug"] != "norwich"]
    run("load_programme", str(write(tmp_path, seed_dict)))
    assert not Partner.objects.filter(slug="norwich").exists()
    assert figures()["partners"] == 7


def test_load_demo_loads_the_seed_and_the_users_and_is_safe_to_rerun(monkeypatch):
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    first = run("load_demo")
    assert "Loaded the demo programme" in first
    programme = Programme.objects.get(slug="norfolk-connect-2004")
    Project.objects.filter(slug="portal").update(name="Portal (edited)")
    second = run("load_demo")
    assert "already loaded" in second
    assert Project.objects.get(slug="portal").name == "Portal (edited)"
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {
        "facilitator": Role.FACILITATOR,
        "chief-executive": Role.CHIEF_EXECUTIVE,
        "partner-officer": Role.PARTNER_OFFICER,
        "admin": Role.ADMIN,
    }
    officer = Membership.objects.get(user__username="partner-officer")
    assert officer.partner.slug == "broadland"
    assert officer.partnership == programme.partnership
    users = get_user_model().objects.all()
    assert all(user.check_password("demo-password-123") for user in users)
    assert [user.username for user in users if user.is_superuser] == ["admin"]
    run("load_demo", "--reset")
    assert Project.objects.get(slug="portal").name == "Portal"
    assert figures()["cap_per_partner"] == "30000.00"


def test_load_demo_generates_a_password_once(monkeypatch):
    monkeypatch.delenv("DJANGO_DEMO_PASSWORD", raising=False)
    first = run("load_demo")
    password = first.split("have the password: ")[1].split()[0]
    assert get_user_model().objects.get(username="facilitator").check_password(password)
    second = run("load_demo")
    assert password not in second
    assert get_user_model().objects.get(username="facilitator").check_password(password)


def test_membership_of_a_user_survives_reloading_the_demo():
    MembershipFactory()  # someone else's partnership is untouched
    run("load_demo")
    run("load_demo", "--reset")
    assert Membership.objects.count() == 5
