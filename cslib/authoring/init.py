"""``cslib init DIR``: a new reporting project that builds with ``cslib build``.

For a team that installed cslib as a library (``pip install cslib``) rather than
forking this repository: the folder gets

- ``notebooks/``: a board pack, a segment review and a customer QBR, written
  from the ``cslib new`` templates (one ``cslib`` call a cell, parameters cell,
  the analyst's own section);
- ``params/reports.yaml``: a plan that builds them from the embedded sample
  company (``data: sample``) into ``reports/``; point ``data`` at the team's
  folder, database URL or source file; ``params/plan.schema.json`` beside it,
  which the plan's first line names so editors complete and check it;
- ``README.md``: the three commands that matter.

Nothing is overwritten: a folder that holds files is refused unless ``force``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cslib.authoring.new import new_report
from cslib.errors import ParameterError

__all__ = ["Project", "init_project"]

#: The documents a new project starts with: (name, kind, title).
STARTERS = (
    ("board-pack", "company", "Board pack"),
    ("segment-review", "segment", "Segment review"),
    ("qbr", "customer", "Quarterly business review"),
)

PLAN = """\
# yaml-language-server: $schema=plan.schema.json
# The reports of this project: `cslib build params/reports.yaml` builds them into reports/.
# Relative paths are relative to this file. `cslib build --dry-run` lists what would be built.
company: {company}
data: sample                      # the embedded sample company; your folder, database URL or
                                  # source file (a YAML mapping onto your warehouse) goes here
output: ../reports
formats: [html, pdf]
documents:
  - name: board-pack
    title: Board pack
    notebook: ../notebooks/board-pack.ipynb
  - name: segment-review
    title: Segment reviews
    notebook: ../notebooks/segment-review.ipynb
    for_each: segment
  - name: qbr
    title: Customer QBRs
    notebook: ../notebooks/qbr.ipynb
    for_each: account
    accounts:
      top_arr: 5                  # the five largest customers; e.g. renewing_within_quarters: 2
"""

README = """\
# {company} customer success reports

Made with `cslib init`. Three commands:

```bash
cslib validate --data sample              # or your dataset: a folder, a database, a source file
cslib build params/reports.yaml           # the documents, into reports/<dataset>/<period>/
cslib new renewal-brief --kind customer --plan params/reports.yaml   # another report
```

Edit `params/reports.yaml` (which documents, over what, which formats) and the
notebooks in `notebooks/` (open them in JupyterLab: `pip install 'cslib[lab]'`).
"""


@dataclass(frozen=True)
class Project:
    """What :func:`init_project` wrote."""

    root: Path
    plan: Path
    notebooks: tuple[Path, ...]


def init_project(folder: str | Path, *, company: str = "Your Company",
                 force: bool = False) -> Project:
    """Create a reporting project in ``folder`` (see the module notes).

    Raises
    ------
    ParameterError
        If ``folder`` is a file, or holds files and ``force`` is false, or
        ``company`` is empty.
    """
    root = Path(folder)
    if root.exists() and not root.is_dir():
        raise ParameterError(f"cslib init: {root} is a file, not a folder.")
    if root.is_dir() and any(root.iterdir()) and not force:
        raise ParameterError(f"cslib init: {root} is not empty; choose a new folder, or give "
                             "--force to add the project's files beside what is there "
                             "(files of the same names are not overwritten).")
    if not company.strip() or "\n" in company:
        raise ParameterError("cslib init: --company must be one line of text.")
    for sub in ("params", "notebooks", "reports"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    plan = root / "params" / "reports.yaml"
    quoted = '"' + company.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if not plan.exists():
        plan.write_text(PLAN.format(company=quoted), encoding="utf-8")
    schema = root / "params" / "plan.schema.json"  # what editors complete the plan from
    if not schema.exists():
        from cslib.schemas import schema_text

        schema.write_text(schema_text("plan"), encoding="utf-8")
    readme = root / "README.md"
    if not readme.exists():
        readme.write_text(README.format(company=company), encoding="utf-8")
    notebooks = []
    for name, kind, title in STARTERS:
        path = root / "notebooks" / f"{name}.ipynb"
        if not path.exists():
            new_report(name, kind=kind, plan=None, title=title, folder=root / "notebooks")
        notebooks.append(path)
    return Project(root=root, plan=plan, notebooks=tuple(notebooks))
