"""The money core stays pure: import-linter's contract must name every other module of projects."""

import ast
import pkgutil
import tomllib
from pathlib import Path

import projects
import projects.money

ROOT = Path(__file__).resolve().parents[2]
# The modules of projects the core may import: pure themselves, and held to the same contract.
PURE = {"money", "rules"}


def _contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == "money-core")


def test_the_contract_forbids_every_other_module_of_projects():
    forbidden = set(_contract()["forbidden_modules"])
    others = {
        f"projects.{module.name}"
        for module in pkgutil.iter_modules(projects.__path__)
        if module.name not in PURE
    }
    assert others <= forbidden, f"add to the money-core contract: {sorted(others - forbidden)}"
    assert {"django", "contributions", "reports", "norfolk_connect"} <= forbidden
    assert set(_contract()["source_modules"]) == {f"projects.{name}" for name in PURE}


def _pure_files() -> list[Path]:
    package = Path(projects.__path__[0])
    return [*(package / "money").glob("*.py"), package / "rules.py"]


def test_the_core_imports_only_the_standard_library_and_the_pure_modules():
    allowed_roots = {
        "__future__", "collections", "dataclasses", "datetime", "decimal", "difflib", "enum",
        "fractions",
        "functools", "math", "re", "typing", "unicodedata", "urllib",
    }  # fmt: skip
    for path in _pure_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue  # relative imports stay inside projects, which the contract checks
            outside = [
                name for name in names
                if name.split(".")[0] not in allowed_roots
                and name.split(".")[:2] not in (["projects", pure] for pure in PURE)
            ]  # fmt: skip
            assert not outside, f"{path.name} imports {outside}"
