"""`make audit` (.ci/audit) never passes having checked nothing.

The advisory databases are online, so these tests stand in for them: a database that cannot be
reached, or that reports nothing for a release known to be vulnerable, fails the audit (exit 2,
"NOT CHECKED"), unless CI asks for it to be reported as skipped; a finding always fails (1).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import subprocess
import sys
import urllib.error
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_audit():
    loader = importlib.machinery.SourceFileLoader("ci_audit", str(ROOT / ".ci" / "audit"))
    spec = importlib.util.spec_from_loader("ci_audit", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture
def audit(monkeypatch):
    module = load_audit()
    runs = []

    def run(command, **kwargs):
        runs.append(command)
        if command[:3] == ["npm", "config", "get"]:
            return subprocess.CompletedProcess(command, 0, "https://registry.example/\n", "")
        return subprocess.CompletedProcess(command, module.run_status, "", "")

    module.run_status = 0
    module.runs = runs
    monkeypatch.setattr(module.subprocess, "run", run)
    monkeypatch.setattr(module.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(sys, "argv", ["audit"])
    return module


def unreachable():
    raise urllib.error.URLError("Name or service not known")


def answers(found: bool):
    return lambda: found


def test_unreachable_databases_fail_the_audit_saying_nothing_was_checked(
    audit, capsys, monkeypatch
):
    for name in ("pypi_answers", "osv_answers", "npm_answers"):
        monkeypatch.setattr(audit, name, unreachable)
    assert audit.main() == audit.UNREACHABLE
    out = capsys.readouterr().out
    assert out.count("NOT CHECKED") == 2
    assert "could not be reached" in out
    assert not [run for run in audit.runs if "pip-audit" in run[0] or "audit" in run[1:2]]


def test_a_database_that_reports_nothing_for_a_known_vulnerable_release_is_not_believed(
    audit, capsys, monkeypatch
):
    monkeypatch.setattr(audit, "pypi_answers", answers(False))
    monkeypatch.setattr(audit, "osv_answers", unreachable)
    monkeypatch.setattr(audit, "npm_answers", answers(False))
    assert audit.main() == audit.UNREACHABLE
    assert "reported no vulnerability in a release known to have one" in capsys.readouterr().out


def test_ci_reports_an_unreachable_database_as_skipped(audit, capsys, monkeypatch):
    for name in ("pypi_answers", "osv_answers", "npm_answers"):
        monkeypatch.setattr(audit, name, unreachable)
    monkeypatch.setattr(sys, "argv", ["audit", "--skip-unreachable"])
    assert audit.main() == audit.CHECKED
    out = capsys.readouterr().out
    assert "python: skipped: advisory database unreachable" in out
    assert "npm: skipped: advisory database unreachable" in out


def test_both_locks_are_audited_where_the_databases_answer(audit, capsys, monkeypatch):
    for name in ("pypi_answers", "npm_answers"):
        monkeypatch.setattr(audit, name, answers(True))
    assert audit.main() == audit.CHECKED
    audited = [run for run in audit.runs if run[0] != "npm" or run[1] == "audit"]
    assert [Path(run[-1]).name for run in audited[:2]] == ["base.txt", "test.txt"]
    assert all("--strict" in run and "pypi" in run for run in audited[:2])
    assert audited[2][:2] == ["npm", "audit"] and "--package-lock-only" in audited[2]
    assert capsys.readouterr().out.count("no known vulnerabilities") == 2


def test_osv_is_asked_when_only_it_answers(audit, monkeypatch):
    monkeypatch.setattr(audit, "pypi_answers", unreachable)
    monkeypatch.setattr(audit, "osv_answers", answers(True))
    monkeypatch.setattr(audit, "npm_answers", answers(True))
    assert audit.main() == audit.CHECKED
    assert all("osv" in run for run in audit.runs if "pip-audit" in run[0])


def test_a_finding_fails_the_audit_even_in_ci(audit, capsys, monkeypatch):
    for name in ("pypi_answers", "npm_answers"):
        monkeypatch.setattr(audit, name, answers(True))
    audit.run_status = 1
    monkeypatch.setattr(sys, "argv", ["audit", "--skip-unreachable"])
    assert audit.main() == audit.FOUND
    assert "known vulnerabilities found" in capsys.readouterr().out
