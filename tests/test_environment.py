"""The conda environment and the pip requirements pin the same versions."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _requirements() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def _conda_pip() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    pins = {}
    for item in pip:
        if item.startswith("-e"):
            continue
        name, version = item.split("==")
        pins[name.lower().replace("_", "-")] = version
    return pins


def test_environment_yml_pins_the_same_versions_as_requirements() -> None:
    assert _conda_pip() == _requirements()


def test_every_requirement_is_pinned_exactly() -> None:
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert "==" in line, f"requirements.txt: {line!r} is not pinned with =="


def test_direct_dependencies_are_in_the_pinned_set() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = _requirements()
    for dep in project["dependencies"]:
        name = re.split(r"[<>=\[;~! ]", dep, maxsplit=1)[0].lower()
        assert name in pinned, f"pyproject dependency {name} is not pinned in requirements.txt"


def test_everything_installed_is_pinned() -> None:
    # fails before: jupyter-events' jsonschema[format-nongpl] pulled rfc3987-syntax in unpinned
    from importlib.metadata import distributions

    pinned = _requirements()
    installed = {re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower() for d in distributions()}
    tools = {"pip", "setuptools", "wheel", "cslib"}
    assert sorted(installed - set(pinned) - tools) == []
