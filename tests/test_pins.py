"""The pins install: every release pinned in requirements/*.txt is the one installed here.

`make lock` rewrites the pins; a lock edited without reinstalling (or a reinstall that failed
half-way) leaves the suite testing other releases than those that will be deployed. This
fails then, naming each difference.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(?P<version>[^\s;#]+)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """Return the file's pins as normalised name -> version; every requirement must be pinned."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-")):
            continue
        match = PIN.match(line)
        assert match, f"{path.name}: not pinned with ==: {line}"
        assert ";" not in line, f"{path.name}: a marker this test does not evaluate: {line}"
        found[normalise(match["name"])] = match["version"]
    return found


def installed() -> dict[str, str]:
    return {
        normalise(distribution.metadata["Name"]): distribution.version
        for distribution in metadata.distributions()
    }


@pytest.mark.parametrize("lock", ["base.txt", "test.txt"])
def test_every_pinned_release_is_the_one_installed(lock):
    pinned = pins(ROOT / "requirements" / lock)
    assert "django" in pinned
    here = installed()
    wrong = {
        name: (version, here.get(name, "not installed"))
        for name, version in pinned.items()
        if here.get(name) != version
    }
    assert not wrong, f"pinned -> installed, reinstall with `make test`: {wrong}"


def test_the_test_lock_pins_every_release_the_base_lock_pins_alike():
    base, test = pins(ROOT / "requirements" / "base.txt"), pins(ROOT / "requirements" / "test.txt")
    assert {name: test.get(name) for name in base} == base


def test_a_pin_that_differs_from_the_installed_release_is_reported(tmp_path):
    """Guard the check itself: a lock naming another Django release than the one installed."""
    lock = tmp_path / "base.txt"
    lock.write_text(f"django==0.{metadata.version('django')}\n    # via norfolk-connect\n")
    assert pins(lock)["django"] != installed()["django"]
