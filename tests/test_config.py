"""cslib.settings.read_yaml: the one loader of every YAML settings file.

Plans, params/health.yaml, params/risk.yaml and database source files are all read
by it, so its rules hold for all of them: a key given twice is refused (never
last-one-wins), a folder or a file that is not a mapping of settings is refused
with a clear message, and no message quotes the content of a file that is not a
settings file (it may be a secrets file pointed at by mistake).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cslib.cli import main
from cslib.errors import ConfigError
from cslib.metrics.health import load_health_config
from cslib.metrics.risk import load_risk_settings
from cslib.settings import read_yaml

SECRET = "abc123SECRET"


def _read(tmp_path: Path, text: str) -> object:
    path = tmp_path / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    return read_yaml(path)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("company: A\nperiod: 2026Q3\ncompany: B\n",
         "line 3: 'company' is given twice (first on line 1)"),
        ("a:\n  b: 1\n  c: 2\n  b: 3\n", "line 4: 'b' is given twice (first on line 2)"),
        ("docs:\n  - {name: x, name: y}\n", "line 2: 'name' is given twice (first on line 2)"),
        ("1: a\n0x1: b\n", "line 2: '0x1' is given twice (first on line 1)"),
        ("on: 1\ntrue: 2\n", "line 2: 'true' is given twice (first on line 1)"),
    ],
)  # fmt: skip
def test_a_key_given_twice_is_refused_with_file_line_and_key(tmp_path, text, where):
    with pytest.raises(ConfigError) as err:
        _read(tmp_path, text)
    assert str(err.value) == (
        f"{tmp_path / 'settings.yaml'}: {where}; a key may appear once: remove or rename "
        "one of them."
    )


def test_merge_keys_may_still_be_overridden(tmp_path):
    text = "base: &b {a: 1, b: 2}\nother:\n  <<: *b\n  a: 3\n"
    assert _read(tmp_path, text) == {"base": {"a": 1, "b": 2}, "other": {"a": 3, "b": 2}}


def test_an_empty_file_is_an_empty_mapping(tmp_path):
    assert _read(tmp_path, "# nothing set\n") == {}


def test_a_folder_is_not_a_settings_file(tmp_path):
    with pytest.raises(ConfigError) as err:
        read_yaml(tmp_path)
    assert str(err.value) == f"{tmp_path}: a folder, not a settings file (YAML)."


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (f"API_TOKEN={SECRET}\n", "text"),
        (f"export API_TOKEN={SECRET}\nOTHER=x\n", "text"),
        (f"- {SECRET}\n", "a list"),
        ("12345\n", "a number"),
    ],
)
def test_a_file_that_is_not_a_mapping_is_named_by_type_never_quoted(tmp_path, text, found):
    with pytest.raises(ConfigError) as err:
        _read(tmp_path, text)
    assert str(err.value) == (
        f"{tmp_path / 'settings.yaml'}: expected a mapping of settings (`key: value` lines) "
        f"at the top level, got {found}."
    )


@pytest.mark.parametrize(
    "text", [f"API_TOKEN={SECRET}\nX: 1\n", f"a: [{SECRET}\n", "a: !!python/name:os.system\n"]
)
def test_a_yaml_error_gives_the_line_only(tmp_path, text):
    with pytest.raises(ConfigError) as err:
        _read(tmp_path, text)
    assert "not valid YAML (line " in str(err.value) and SECRET not in str(err.value)


@pytest.mark.parametrize("load", [load_health_config, load_risk_settings])
def test_settings_loaders_share_the_rules(tmp_path, load):
    with pytest.raises(ConfigError, match="a folder, not a settings file"):
        load(tmp_path)
    path = tmp_path / ".env"
    path.write_text(f"API_TOKEN={SECRET}\n")
    with pytest.raises(ConfigError) as err:
        load(path)
    assert SECRET not in str(err.value) and "got text" in str(err.value)


def test_a_source_file_giving_a_key_twice_is_refused(capsys, tmp_path):
    src = tmp_path / "warehouse.yaml"
    src.write_text("url: duckdb:///a.duckdb\ntables: {}\nurl: duckdb:///b.duckdb\n")
    assert main(["validate", str(src)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == (
        f"cslib: error: {src}: line 3: 'url' is given twice (first on line 1); a key may appear "
        "once: remove or rename one of them.\n"
    )


# numbers in settings files ------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("renewal_window_days: .nan", "`renewal_window_days` must be a number, got nan."),
        ("user_contact_days: .inf", "`user_contact_days` must be a number, got inf."),
        ("usage_drop_months: 2.5", "`usage_drop_months` must be a whole number, got 2.5."),
        ("executive_contact_days: true", "`executive_contact_days` must be a number, got True."),
        ("min_strong_executives: {default: 1.5}",
         "`min_strong_executives`.default must be a whole number, got 1.5."),
        ("usage_drop: .nan", "`usage_drop` must be a number, got nan."),
    ],
)  # fmt: skip
def test_risk_numbers_are_finite_and_counts_whole(tmp_path, document, message):
    path = tmp_path / "risk.yaml"
    path.write_text(document)
    with pytest.raises(ConfigError) as err:
        load_risk_settings(path)
    assert str(err.value) == f"{path}: {message}"


@pytest.mark.parametrize(
    ("measure", "message"),
    [
        ("{weight: .nan, thresholds: [0], scores: [0, 100]}",
         "measures.nps.weight must be a number, got nan."),
        ("{weight: 1, thresholds: [.nan], scores: [0, 100]}",
         "measures.nps.thresholds must be a number, got nan."),
        ("{weight: .inf, thresholds: [0], scores: [0, 100]}",
         "measures.nps.weight must be a number, got inf."),
    ],
)  # fmt: skip
def test_health_numbers_are_finite(tmp_path, measure, message):
    path = tmp_path / "health.yaml"
    path.write_text(f"measures:\n  nps: {measure}\n")
    with pytest.raises(ConfigError) as err:
        load_health_config(path)
    assert str(err.value) == f"{path}: {message}"


# through `cslib build` ---------------------------------------------------------------

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.mark.slow
def test_a_build_pointed_at_a_secrets_file_or_a_folder_never_shows_the_secret(
    capsys, tmp_path, make_dataset
):
    """health_config names a .env file, risk_config a folder: both documents fail in
    one clear line each, and the secret is in no file written, nor on stdout or stderr."""
    make_dataset(tmp_path / "data")
    (tmp_path / ".env").write_text(f"API_TOKEN={SECRET}\nDATABASE_URL=postgres://u:{SECRET}@db\n")
    (tmp_path / "settings").mkdir()
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""company: Acme
data: data
output: reports
period: 2026Q3
formats: [html]
documents:
  - name: secret
    notebook: {NOTEBOOKS / "customer_qbr.ipynb"}
    for_each: account
    accounts: {{ids: [a1]}}
    parameters: {{health_config: .env}}
  - name: folder
    notebook: {NOTEBOOKS / "customer_qbr.ipynb"}
    for_each: account
    accounts: {{ids: [a1]}}
    parameters: {{risk_config: settings}}
""")
    code = main(["build", str(plan)])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert f"{tmp_path / '.env'}: expected a mapping of settings (`key: value` lines) at the " \
           "top level, got text." in err
    assert f"{tmp_path / 'settings'}: a folder, not a settings file (YAML)." in err
    assert "IsADirectoryError" not in out + err and "Traceback" not in err
    written = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    assert {"build.json", "index.html"} <= {p.name for p in written}
    leaked = [str(p) for p in written if SECRET.encode() in p.read_bytes()]
    assert leaked == [] and SECRET not in out + err
