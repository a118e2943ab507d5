"""JSON Schemas of the two YAML files a team writes: report plans and source files.

They let an editor complete and check keys as they are typed (VS Code's YAML
extension: ``# yaml-language-server: $schema=<path>/plan.schema.json`` on the
file's first line). They describe the shape only; the loaders
(:func:`cslib.pipeline.plan.load_plan`,
:func:`cslib.data.warehouse.read_source_file`) stay the judges, with their
messages that name the file, the key and a did-you-mean, and the checks a
schema cannot make (a notebook exists, a segment is in the data, SQL is
read-only).

The schemas are generated from the loaders' own key lists and the data
contract (:func:`plan_schema`, :func:`source_schema`), so a key added there
appears here; the generated files ship beside this module
(``plan.schema.json``, ``source.schema.json``) and a test checks they are
current. ``cslib schema plan|source`` prints them.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = [
    "KINDS",
    "generate",
    "plan_schema",
    "schema_text",
    "shipped_text",
    "source_schema",
    "write_shipped",
]

#: The schemas there are, by the name ``cslib schema`` takes.
KINDS = ("plan", "source")
_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_BASE = "https://cslib.invalid/schemas/"  # an identifier only: nothing is fetched

_STRINGS = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
_PARAMETERS = {
    "type": "object",
    "description": "Notebook parameters: name -> a string, number or true/false.",
    "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
    "additionalProperties": {"type": ["string", "number", "boolean"]},
}


def _closed(properties: dict[str, Any], *, required: tuple[str, ...] = (),
            description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object"}
    if description:
        out["description"] = description
    out["properties"] = properties
    if required:
        out["required"] = list(required)
    out["additionalProperties"] = False
    return out


def plan_schema() -> dict[str, Any]:
    """The JSON Schema of a report plan (``params/quarterly.yaml``)."""
    from cslib.pipeline import plan as p
    from cslib.render import FORMATS
    from cslib.render.quarto import BACKENDS

    formats = {"type": "array", "items": {"enum": list(FORMATS)}, "minItems": 1,
               "description": "Formats to write: " + ", ".join(FORMATS) + "."}
    for_each = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
                "description": "segment, account, or a column of accounts (csm, region...): "
                               "one document per value.",
                "examples": list(p.FAN_OUT)}
    notebook = {"type": "string", "pattern": r"\.(ipynb|qmd)$",
                "description": "A notebook (.ipynb) or Quarto document (.qmd), relative to "
                               "the plan's folder."}
    accounts = _closed({
        "segments": {**_STRINGS, "description": "Only accounts of these segments."},
        "renewing_within_days": {"type": "integer", "minimum": 1,
                                 "maximum": p.MAX_RENEWAL_DAYS},
        "renewing_within_quarters": {"type": "integer", "minimum": 1,
                                     "maximum": p.MAX_RENEWAL_QUARTERS},
        "top_arr": {"type": "integer", "minimum": 1,
                    "description": "Only the largest accounts by ARR."},
        "ids": {**_STRINGS, "description": "Only these account ids."},
        "paying": {"type": "boolean", "default": True,
                   "description": "Only accounts paying in the period's last month."},
    }, description="Which accounts a for_each: account document is built for.")
    section = _closed({
        "notebook": notebook, "for_each": for_each,
        "segments": {**_STRINGS, "description": "Only these segments (for_each: segment)."},
        "accounts": accounts,
    }, required=("notebook", "for_each"),
        description="A notebook built under the document's cover, once per value.")
    document = _closed({
        "name": {"type": "string", "pattern": p._NAME.pattern,
                 "description": "The document's file name: lowercase letters, digits, dashes."},
        "title": {"type": "string", "minLength": 1},
        "notebook": notebook,
        "for_each": for_each,
        "segments": {**_STRINGS, "description": "Only these segments (for_each: segment)."},
        "accounts": accounts,
        "sections": {"type": "array", "items": section},
        "formats": formats,
        "parameters": _PARAMETERS,
    }, required=("name", "notebook"))
    return {
        "$schema": _DRAFT,
        "$id": _BASE + "plan.schema.json",
        "title": "cslib report plan",
        "description": "Which notebooks `cslib build` runs, fanned out over what, in which "
                       "formats. Relative paths are relative to the plan file's folder.",
        **_closed({
            "company": {"type": "string", "minLength": 1,
                        "description": "Shown on every cover and running header."},
            "data": {"type": "string", "minLength": 1, "default": "sample",
                     "description": "A dataset folder, database URL, DuckDB file, YAML source "
                                    "file, or \"sample\"."},
            "output": {"type": "string", "minLength": 1, "default": "reports",
                       "description": "Documents go to <output>/<run>/<period>/."},
            "run": {"type": "string", "pattern": p._NAME.pattern,
                    "description": "The <run> folder under output (default: the dataset's "
                                   "name)."},
            "period": {"type": "string",
                       "description": "2026Q3, 2026-09, 2026 or TTM2026-09; default the latest "
                                      "complete quarter."},
            "fiscal_year_start": {"type": "integer", "minimum": 1, "maximum": 12, "default": 1},
            "formats": {**formats, "default": list(p.DEFAULT_FORMATS)},
            "backend": {"enum": list(BACKENDS), "default": "builtin"},
            "min_group_size": {"type": "integer", "minimum": 2, "default": p.MIN_GROUP_SIZE},
            "leak_scan_ignore": _STRINGS,
            "pptx_template": {"type": "string", "pattern": r"\.pptx$"},
            "parameters": _PARAMETERS,
            "timeout": {"type": "number", "minimum": 1, "maximum": p.MAX_TIMEOUT,
                        "default": p.DEFAULT_TIMEOUT,
                        "description": "Seconds one document may take."},
            "max_same_failures": {
                "type": "integer", "minimum": 0, "default": 10,
                "description": "Stop the build when the first N documents to finish all "
                               "failed with the same error (0: never)."},
            "currency": {"type": "string", "description": "ISO 4217 code, e.g. EUR "
                                                          "(default USD)."},
            "locale": {"type": "string", "description": "e.g. de_DE (default en_US)."},
            "documents": {"type": "array", "minItems": 1, "items": document},
        }, required=("company", "documents")),
    }


def source_schema() -> dict[str, Any]:
    """The JSON Schema of a source file (a warehouse's tables mapped onto the contract)."""
    from cslib.data.contract import CONTRACT

    column_map = {
        "oneOf": [
            {"type": "string", "minLength": 1, "description": "The warehouse column."},
            _closed({"column": {"type": "string", "minLength": 1},
                     "scale": {"type": "number", "not": {"const": 0},
                               "description": "Multiply by this (0.01: cents to dollars)."}},
                    required=("column",)),
            _closed({"expr": {"type": "string", "minLength": 1,
                              "description": "A read-only SQL expression."},
                     "scale": {"type": "number", "not": {"const": 0}}},
                    required=("expr",)),
        ]
    }
    tables: dict[str, Any] = {}
    for name, spec in CONTRACT.items():
        entry = _closed({
            "table": {"type": "string", "minLength": 1,
                      "description": f"The warehouse table holding {name} (default: {name})."},
            "query": {"type": "string", "minLength": 1,
                      "description": "A read-only SELECT, in place of table."},
            "where": {"type": ["string", "boolean"],
                      "description": "An SQL condition, e.g. IsDeleted = false."},
            "columns": _closed({c.name: {"$ref": "#/$defs/column",
                                         "description": f"{c.name} ({c.kind})"}
                                for c in spec.columns},
                               description="Contract column -> warehouse column."),
        })
        entry["not"] = {"required": ["table", "query"]}
        tables[name] = {"oneOf": [{"type": "string", "minLength": 1}, entry]}
    return {
        "$schema": _DRAFT,
        "$id": _BASE + "source.schema.json",
        "title": "cslib source file",
        "description": "Where the contract's tables are in a database, and under which names.",
        "$defs": {"column": column_map},
        **_closed({
            "url": {"type": "string", "minLength": 1,
                    "description": "A SQLAlchemy URL or a DuckDB file; ${VAR} from the "
                                   "environment."},
            "schema": {"type": "string"},
            "tables": _closed(tables, description="Contract table -> warehouse table."),
        }, required=("url",)),
    }


def generate(kind: str) -> dict[str, Any]:
    """The schema named ``kind`` (``plan`` or ``source``)."""
    if kind not in KINDS:
        raise ValueError(f"no schema {kind!r}; there are {', '.join(KINDS)}.")
    return plan_schema() if kind == "plan" else source_schema()


def schema_text(kind: str) -> str:
    """The schema as the shipped file holds it: indented JSON, one trailing newline."""
    return json.dumps(generate(kind), indent=2, ensure_ascii=False) + "\n"


def shipped_text(kind: str) -> str:
    """The schema file shipped in the package (``cslib/schemas/<kind>.schema.json``)."""
    return resources.files(__name__).joinpath(f"{kind}.schema.json").read_text("utf-8")



def write_shipped() -> None:
    """Rewrite the shipped schema files from the code (``python -m cslib.schemas``)."""
    from pathlib import Path

    for kind in KINDS:
        (Path(__file__).parent / f"{kind}.schema.json").write_text(schema_text(kind), "utf-8")
