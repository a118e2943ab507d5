"""The JSON Schemas of plan and source files: shipped current, in step with the loaders, and
every plan and source file of the repository valid against them."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from cslib.cli import main
from cslib.data import warehouse
from cslib.data.contract import CONTRACT
from cslib.pipeline import plan as plans
from cslib.schemas import KINDS, generate, schema_text, shipped_text

ROOT = Path(__file__).resolve().parents[1]


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(generate(kind))


@pytest.mark.parametrize("kind", KINDS)
def test_the_shipped_schema_is_the_generated_one_and_a_valid_schema(kind):
    assert shipped_text(kind) == schema_text(kind), (
        f"cslib/schemas/{kind}.schema.json is stale: run `python -m cslib.schemas`")
    jsonschema.Draft202012Validator.check_schema(json.loads(shipped_text(kind)))


@pytest.mark.parametrize("kind", KINDS)
def test_cslib_schema_prints_it(kind, capsys):
    assert main(["schema", kind]) == 0
    assert capsys.readouterr().out == shipped_text(kind)


def test_the_schemas_name_exactly_the_keys_the_loaders_accept():
    plan = generate("plan")
    doc = plan["properties"]["documents"]["items"]
    assert set(plan["properties"]) == set(plans._PLAN_KEYS)
    assert set(doc["properties"]) == set(plans._DOC_KEYS)
    assert set(doc["properties"]["sections"]["items"]["properties"]) == set(plans._SECTION_KEYS)
    assert set(doc["properties"]["accounts"]["properties"]) == set(plans.AccountFilter.KEYS)
    source = generate("source")
    assert set(source["properties"]) == set(warehouse._SOURCE_KEYS)
    tables = source["properties"]["tables"]["properties"]
    assert set(tables) == set(CONTRACT)
    for name, spec in CONTRACT.items():
        entry = tables[name]["oneOf"][1]
        assert set(entry["properties"]) == set(warehouse.TABLE_KEYS)
        assert set(entry["properties"]["columns"]["properties"]) == {c.name for c in spec.columns}
    column_forms = source["$defs"]["column"]["oneOf"][1:]
    assert set().union(*(f["properties"] for f in column_forms)) == set(warehouse._COLUMN_KEYS)


def _repository_yaml() -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {"plan": [], "source": []}
    for path in sorted([*ROOT.glob("params/*.y*ml"), *ROOT.glob("tests/fixtures/**/*.y*ml")]):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(raw, dict) and "documents" in raw:
            found["plan"].append(path)
        elif isinstance(raw, dict) and "url" in raw and "tables" in raw:
            found["source"].append(path)
    return found


def _test_source_file() -> str:
    """The source file the warehouse tests map a Salesforce/Stripe/Zendesk warehouse with."""
    tree = ast.parse((ROOT / "tests" / "data" / "test_warehouse.py").read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "SOURCE":
            return ast.literal_eval(node.value).format(url="warehouse.duckdb")
    raise AssertionError("tests/data/test_warehouse.py has no SOURCE")


def test_every_plan_and_source_file_in_the_repository_is_valid():
    found = _repository_yaml()
    assert {p.name for p in found["plan"]} >= {"quarterly.yaml", "ravenstack.yaml"}
    for kind, paths in found.items():
        for path in paths:
            errors = [e.message for e in _validator(kind).iter_errors(
                yaml.safe_load(path.read_text(encoding="utf-8")))]
            assert errors == [], (path, errors)
    source = yaml.safe_load(_test_source_file())
    assert source["tables"]["mrr"]["columns"]["mrr"] == {"column": "amount", "scale": 0.01}
    assert list(_validator("source").iter_errors(source)) == []


@pytest.mark.parametrize(("kind", "text", "where"), [
    ("plan", "company: A\ndocuments: [{name: x, notebook: a.ipynb}]\nouptut: r\n", ""),
    ("plan", "company: A\n", ""),
    ("plan", "company: A\ndocuments: [{name: Board Pack, notebook: a.ipynb}]\n",
     "documents/0/name"),
    ("plan", "company: A\nformats: [docx]\ndocuments: [{name: x, notebook: a.ipynb}]\n",
     "formats/0"),
    ("plan", "company: A\nfiscal_year_start: 13\ndocuments: [{name: x, notebook: a.ipynb}]\n",
     "fiscal_year_start"),
    ("plan", "company: A\ndocuments: [{name: x, notebook: a.ipynb, accounts: {top: 3}}]\n",
     "documents/0/accounts"),
    ("source", "tables: {}\n", ""),
    ("source", "url: x.duckdb\ntables: {customers: a}\n", "tables"),
    ("source", "url: x.duckdb\ntables: {accounts: {table: a, query: SELECT 1}}\n",
     "tables/accounts"),
    ("source", "url: x.duckdb\ntables: {mrr: {columns: {mrr: {column: c, scale: 0}}}}\n",
     "tables/mrr"),
    ("source", "url: x.duckdb\ntables: {mrr: {columns: {amount: c}}}\n", "tables/mrr"),
])
def test_what_the_loaders_refuse_the_schema_flags_too(kind, text, where):
    errors = list(_validator(kind).iter_errors(yaml.safe_load(text)))
    assert errors, text
    assert any("/".join(map(str, e.absolute_path)) == where for e in errors), [
        ("/".join(map(str, e.absolute_path)), e.message) for e in errors]


def test_the_optional_plan_keys_other_parts_added_are_described():
    props = generate("plan")["properties"]
    assert props["currency"]["type"] == props["locale"]["type"] == "string"
    assert props["run"]["pattern"] == plans._NAME.pattern


def test_a_plan_may_set_when_a_build_stops_on_the_same_failure(tmp_path):
    from cslib.errors import ConfigError
    from cslib.pipeline.build import SAME_FAILURES

    assert generate("plan")["properties"]["max_same_failures"]["default"] == SAME_FAILURES
    path = tmp_path / "plan.yaml"
    body = "company: A\n{extra}documents: [{{name: x, notebook: {nb}}}]\n"
    nb = ROOT / "tests" / "fixtures" / "fault_probe.ipynb"
    path.write_text(body.format(extra="", nb=nb))
    assert plans.load_plan(path).max_same_failures is None  # the build's default applies
    path.write_text(body.format(extra="max_same_failures: 0\n", nb=nb))
    assert plans.load_plan(path).max_same_failures == 0
    path.write_text(body.format(extra="max_same_failures: -1\n", nb=nb))
    with pytest.raises(ConfigError, match="max_same_failures"):
        plans.load_plan(path)
