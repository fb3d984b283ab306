"""Fixtures shared by the whole suite."""

import copy
import json
from pathlib import Path

import pytest
from hypothesis import settings

# No per-example deadline: the suite runs on every core of a shared machine, where a wall-clock
# limit fails by load rather than by code. Bounds on work are asserted by the tests themselves.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")

SEED_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "norfolk-connect-2004.json"


@pytest.fixture(scope="session")
def _seed_dict() -> dict:
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def seed_dict(_seed_dict) -> dict:
    """The Norfolk Connect 2004 programme file as a dict that a test may change."""
    return copy.deepcopy(_seed_dict)
