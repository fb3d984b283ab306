"""The money core stays pure: import-linter's contract must name every other module of projects."""

import ast
import pkgutil
import tomllib
from pathlib import Path

import projects
import projects.money

ROOT = Path(__file__).resolve().parents[2]


def _contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == "money-core")


def test_the_contract_forbids_every_other_module_of_projects():
    forbidden = set(_contract()["forbidden_modules"])
    others = {
        f"projects.{module.name}"
        for module in pkgutil.iter_modules(projects.__path__)
        if module.name != "money"
    }
    assert others <= forbidden, f"add to the money-core contract: {sorted(others - forbidden)}"
    assert {"django", "contributions", "reports", "norfolk_connect"} <= forbidden


def test_the_core_imports_only_the_standard_library_and_itself():
    allowed_roots = {
        "__future__", "collections", "dataclasses", "datetime", "decimal", "enum", "fractions",
        "math", "re", "typing", "urllib",
    }  # fmt: skip
    for path in Path(projects.money.__path__[0]).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            assert roots <= allowed_roots, f"{path.name} imports {sorted(roots - allowed_roots)}"
