"""Scaffold a new report: a notebook from a template, added to a plan (``cslib new``).

``cslib new renewal-brief --kind customer`` writes ``notebooks/renewal-brief.ipynb``
and appends a document entry to ``params/quarterly.yaml``, so the next
``make reports`` builds it, one document per customer, with nothing else to do.

The templates are Quarto documents, one per kind of report, shipped with the
library (``cslib/authoring/templates/new-{customer,segment,company}.qmd``): the
typed, commented ``parameters`` cell, the ``open_report`` validation call, and
a headline, a chart and a table in the house style. They are the only source:
``--format qmd`` writes the template as is, ``--format ipynb`` (the default)
reads it into a notebook with :mod:`cslib.execute.qmd`, the reader the build
uses for ``.qmd`` reports. The new notebook has no outputs and no execution
counts. Committed as it is, ``make test`` still runs it top to bottom with its
defaults: nbval executes every cell but compares only cells that store an
execution count, so it compares nothing until ``make notebooks`` stores the key
figures (charts and the report header are tagged ``nbval-ignore-output``, as in
the other notebooks, and are never compared).

The plan is edited by appending text, so its comments and layout stay as they
were; the result is read back with :func:`cslib.pipeline.plan.load_plan` and only
then put in place. An existing notebook or plan document of the same name is
never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from string import Template

import nbformat
import yaml

from cslib.errors import ConfigError, ParameterError
from cslib.execute.qmd import NOTEBOOK_SUFFIXES, qmd_to_notebook
from cslib.names import slugify
from cslib.pipeline.plan import load_plan

__all__ = [
    "FORMATS",
    "KINDS",
    "TEMPLATES",
    "Scaffold",
    "add_to_plan",
    "new_report",
    "plan_entry",
    "render_template",
]

#: The kinds of report a template exists for, and the plan's fan-out for each.
KINDS: dict[str, str | None] = {"customer": "account", "segment": "segment", "company": None}
#: The file formats ``cslib new`` writes.
FORMATS = ("ipynb", "qmd")
#: Where the templates live (package data).
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The company the notebooks' defaults name when no plan says otherwise (the sample's).
SAMPLE_COMPANY = "Larkspur Analytics"

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
_MAX_NAME = 60
_PLAIN = re.compile(r"^[A-Za-z0-9_./][A-Za-z0-9 _./()-]*(?<! )$")
_DOCUMENTS = re.compile(r"^documents:\s*(#.*)?$")
_ITEM = re.compile(r"^(?P<indent> *)-(\s|$)")

_SELECTION = {
    "account": [
        "for_each: account",
        "accounts:                       # which customers (every condition must hold)",
        "  renewing_within_quarters: 2   # or renewing_within_days: 90, top_arr: 25, ids: [A0003]",
    ],
    "segment": ["for_each: segment              # add `segments: [SMB]` to build only those"],
}


@dataclass(frozen=True)
class Scaffold:
    """What :func:`new_report` made.

    Attributes
    ----------
    notebook : Path
        The new notebook (``.ipynb``) or Quarto document (``.qmd``).
    plan : Path or None
        The plan it was added to, if any.
    document : str
        Its document name in the plan (the name with ``_`` as ``-``).
    entry : str
        The YAML text appended to the plan (empty without a plan).
    """

    notebook: Path
    plan: Path | None
    document: str
    entry: str = ""


def _check_name(name: str) -> str:
    if not _NAME.fullmatch(name) or len(name) > _MAX_NAME:
        hint = slugify(name, limit=_MAX_NAME)
        did = f" Try {hint!r}." if hint != "x" and _NAME.fullmatch(hint) else ""
        raise ParameterError(
            "the report's NAME must be lowercase letters and digits, words joined by '-' or "
            f"'_', starting with a letter, at most {_MAX_NAME} characters (it names the "
            f"notebook file and the plan's document); got {name!r}.{did}"
        )
    return name


def _check_title(title: str) -> str:
    if not title.strip() or "\n" in title or "\r" in title or len(title) > 200:
        raise ParameterError(
            f"--title must be one line of 1 to 200 characters, got {title!r}."
        )
    return title.strip()


def render_template(kind: str, *, name: str, title: str, company: str, fmt: str = "ipynb") -> str:
    """The text of a new report of ``kind``: a Quarto document or a notebook's JSON.

    Parameters
    ----------
    kind : {"customer", "segment", "company"}
        Which template.
    name : str
        The report's name (shown in the notebook's introduction).
    title : str
        Its title (front matter and introduction).
    company : str
        The default of the ``company`` parameter.
    fmt : {"ipynb", "qmd"}
        The file format.

    Returns
    -------
    str
        The file's content: no outputs, no execution counts.

    Raises
    ------
    ParameterError
        On an unknown kind or format.
    """
    if kind not in KINDS:
        raise ParameterError(f"--kind must be one of {', '.join(KINDS)}, got {kind!r}.")
    if fmt not in FORMATS:
        raise ParameterError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}.")
    template = Template((TEMPLATES / f"new-{kind}.qmd").read_text(encoding="utf-8"))
    text = template.substitute(
        name=name,
        title=title,
        title_escaped=json.dumps(title, ensure_ascii=False)[1:-1],  # inside YAML "..."
        company_escaped=json.dumps(company, ensure_ascii=False)[1:-1],  # inside Python "..."
    )
    if fmt == "qmd":
        return text
    nb = qmd_to_notebook(text, source=f"new-{kind}.qmd", front_matter=False)
    return nbformat.writes(nb) + "\n"


def _yaml_scalar(value: str) -> str:
    """``value`` as YAML: bare when it reads back as the same string, else double-quoted."""
    if _PLAIN.fullmatch(value) and yaml.safe_load(value) == value:
        return value
    return json.dumps(value, ensure_ascii=False)


def plan_entry(
    *, document: str, title: str, notebook: str, kind: str, name: str, indent: int = 2
) -> str:
    """The YAML text of a plan's new document entry (a list item at ``indent`` spaces).

    Examples
    --------
    >>> print(plan_entry(document="brief", title="Brief", notebook="../notebooks/brief.ipynb",
    ...                  kind="company", name="brief"), end="")
    <BLANKLINE>
      # Added by `cslib new brief --kind company`; edit it like any other entry.
      - name: brief
        title: Brief
        notebook: ../notebooks/brief.ipynb
    """
    pad = " " * indent
    lines = [
        "",
        f"{pad}# Added by `cslib new {name} --kind {kind}`; edit it like any other entry.",
        f"{pad}- name: {document}",
        f"{pad}  title: {_yaml_scalar(title)}",
        f"{pad}  notebook: {_yaml_scalar(notebook)}",
    ]
    fan_out = KINDS[kind]
    lines += [f"{pad}  {line}" for line in _SELECTION.get(fan_out or "", [])]
    return "\n".join(lines) + "\n"


def _documents_indent(text: str, where: str) -> int:
    """The indentation of the items of the plan's ``documents`` list, which must end the file.

    Raises
    ------
    ConfigError
        If ``documents`` is not a block list at the end of the file (text
        appended there would not land in it).
    """
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _DOCUMENTS.match(line)), None)
    if start is None:
        raise ConfigError(f"{where}: no `documents:` list at the top level to add the report to.")
    indent: int | None = None
    for line in lines[start + 1:]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = _ITEM.match(line)
        if indent is None:
            if item is None:
                raise ConfigError(f"{where}: `documents` is not a list of `- name: ...` "
                                  "entries, one per line.")
            indent = len(item.group("indent"))
        elif line[0] not in " -":
            raise ConfigError(f"{where}: `documents` is not the last setting of the file, so "
                              "an entry appended at its end would not be in it.")
    if indent is None:
        raise ConfigError(f"{where}: `documents` has no entry to add the report after.")
    return indent


def add_to_plan(plan: str | Path, *, notebook: Path, name: str, kind: str, title: str) -> str:
    """Append a document entry for ``notebook`` to ``plan``, keeping everything else as it was.

    The new text is written beside the plan, read back with
    :func:`~cslib.pipeline.plan.load_plan` (which must find the new document last,
    pointing at ``notebook``) and only then renamed over the plan.

    Returns
    -------
    str
        The text appended.

    Raises
    ------
    ConfigError
        If the plan is invalid, already has a document of that name, or
        cannot take an appended entry (with the entry to add by hand).
    """
    plan = Path(plan)
    document = name.replace("_", "-")
    before = load_plan(plan)
    if document in {d.name for d in before.documents}:
        raise ConfigError(f"{plan}: there is a document named {document!r} already; choose "
                          "another NAME.")
    text = plan.read_text(encoding="utf-8")
    ref = Path(os.path.relpath(notebook.resolve(), plan.resolve().parent)).as_posix()
    try:
        indent = _documents_indent(text, str(plan))
    except ConfigError as exc:
        entry = plan_entry(document=document, title=title, notebook=ref, kind=kind, name=name)
        raise ConfigError(f"{exc} Add this entry under `documents:` by hand:\n{entry}") from None
    entry = plan_entry(document=document, title=title, notebook=ref, kind=kind, name=name,
                       indent=indent)
    new_text = text + ("" if text.endswith("\n") or not text else "\n") + entry
    tmp = plan.with_name(f".{plan.name}.cslib-new.tmp")
    try:
        tmp.write_text(new_text, encoding="utf-8")
        os.chmod(tmp, stat.S_IMODE(plan.stat().st_mode))
        try:
            after = load_plan(tmp)
        except ConfigError as exc:
            raise ConfigError(
                f"{plan}: the plan would not be valid with the new entry "
                f"({str(exc).replace(str(tmp), plan.name)}); nothing was changed."
            ) from None
        last = after.documents[-1]
        if len(after.documents) != len(before.documents) + 1 or last.name != document \
                or last.notebook != notebook.resolve():
            raise ConfigError(f"{plan}: the appended entry did not become the plan's last "
                              f"document; nothing was changed. Add it by hand:\n{entry}")
        os.replace(tmp, plan)
    finally:
        tmp.unlink(missing_ok=True)
    return entry


def new_report(
    name: str,
    *,
    kind: str,
    plan: str | Path | None = "params/quarterly.yaml",
    title: str = "",
    fmt: str = "ipynb",
    folder: str | Path = "notebooks",
) -> Scaffold:
    """Write a new report from the template of its kind and add it to ``plan``.

    Parameters
    ----------
    name : str
        Lowercase letters and digits, words joined by ``-`` or ``_``: the
        file ``<folder>/<name>.ipynb`` (or ``.qmd``) and the plan's document
        (``_`` written ``-``).
    kind : {"customer", "segment", "company"}
        One document per customer (``for_each: account``), per segment
        (``for_each: segment``), or one for the company.
    plan : str or Path, optional
        The plan to add the document to; ``None`` writes the notebook only.
    title : str
        The document's title (default: from the name).
    fmt : {"ipynb", "qmd"}
        A Jupyter notebook or a Quarto document.
    folder : str or Path
        Where the notebook goes (must exist).

    Returns
    -------
    Scaffold
        The notebook written and the plan entry added.

    Raises
    ------
    ParameterError
        On a bad name, kind, format or title, a missing folder, or a
        notebook of that name that exists already (in either format).
    ConfigError
        If the plan is invalid, has a document of that name already, or
        cannot take the entry. Then no file is left changed or created.
    """
    name = _check_name(str(name))
    title = _check_title(title or name.replace("-", " ").replace("_", " ").capitalize())
    if kind not in KINDS:
        raise ParameterError(f"--kind must be one of {', '.join(KINDS)}, got {kind!r}.")
    if fmt not in FORMATS:
        raise ParameterError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}.")
    folder = Path(folder)
    if not folder.is_dir():
        raise ParameterError(f"no folder {str(folder)!r} for the notebook (looked in "
                             f"{folder.resolve()}); run from the project folder or give --dir.")
    for suffix in NOTEBOOK_SUFFIXES:
        existing = folder / f"{name}{suffix}"
        if existing.exists():
            raise ParameterError(f"{existing} exists already; choose another NAME (an existing "
                                 "notebook is never overwritten).")
    company = SAMPLE_COMPANY
    if plan is not None:
        plan = Path(plan)
        if not plan.is_file():
            raise ConfigError(f"no plan {str(plan)!r} (looked for {plan.resolve()}); run from "
                              "the project folder, give --plan, or --no-plan.")
        loaded = load_plan(plan)
        company = loaded.company
        document = name.replace("_", "-")
        if document in {d.name for d in loaded.documents}:
            raise ConfigError(f"{plan}: there is a document named {document!r} already; "
                              "choose another NAME.")
    text = render_template(kind, name=name, title=title, company=company, fmt=fmt)
    notebook = folder / f"{name}.{fmt}"
    try:
        fd = os.open(notebook, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        raise ParameterError(f"{notebook} exists already; choose another NAME.") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        entry = ""
        if plan is not None:
            entry = add_to_plan(plan, notebook=notebook, name=name, kind=kind, title=title)
    except BaseException:
        with contextlib.suppress(OSError):
            notebook.unlink()  # ours, just made: nothing is left half done
        raise
    return Scaffold(notebook=notebook, plan=Path(plan) if plan is not None else None,
                    document=name.replace("_", "-"), entry=entry)
