"""Quarto documents (``.qmd``) as report notebooks.

A report can be written as a Quarto document instead of a Jupyter notebook,
with the same ``cslib`` calls and the same parameters. The build reads it
into a notebook and runs it exactly like an ``.ipynb`` (Papermill's
parameter injection, the warm executor, the customer's data slice, secrets,
the leak scan) and renders it with either backend: the built-in HTML/PDF
renderers, or Quarto itself (``--backend quarto``), which receives the
executed notebook with ``--no-execute`` (see :mod:`cslib.render.quarto`), so no
parameter value ever goes on Quarto's command line.

What is read, following Quarto's conventions for the Jupyter engine
(https://quarto.org/docs/computations/parameters.html):

- the YAML front matter (``---`` ... ``---``) becomes the notebook's first
  raw cell, as ``quarto convert`` does, so Quarto still sees ``title`` and
  ``format`` options; the built-in renderers ignore it;
- a ``{python}`` code cell becomes a code cell; its ``#| tags: [...]`` option
  becomes the cell's tags (``#| tags: [parameters]`` marks the parameters
  cell), ``#| include: false`` adds ``remove-cell`` and a cell with
  ``#| eval: false`` is left out (it would not run in Quarto either); other
  ``#|`` options stay in the cell for Quarto;
- markdown between cells becomes markdown cells; a ``::: {.content-hidden}``
  block (hidden by Quarto) becomes a markdown cell tagged ``remove-cell``
  (hidden by the build);
- plain code blocks (```` ```python ````) are markdown, shown as code.

What is refused, with the line: cells of another engine (``{r}``), an
unclosed cell or front matter, option lines that are not YAML, and inline
```{python} expr``` expressions, which the build does not evaluate.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from cslib.errors import QmdError

if TYPE_CHECKING:
    import nbformat

__all__ = [
    "NOTEBOOK_SUFFIXES",
    "inspect_parameters",
    "load_notebook",
    "qmd_to_notebook",
    "read_qmd",
]

#: The report sources a plan or ``cslib render`` accepts.
NOTEBOOK_SUFFIXES = (".ipynb", ".qmd")

#: The kernel every report runs on (the build passes it explicitly anyway).
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<info>.*?)\s*$")
_ENGINE = re.compile(r"^\{\s*(?P<engine>[A-Za-z0-9_+-]+)(?P<rest>[^{}]*)\}$")
_OPTION = re.compile(r"^#\|\s?(?P<text>.*)$")
_HIDDEN = re.compile(r"^(?P<colons>:{3,})\s*\{\s*\.content-hidden\s*\}\s*$")
_DIV_OPEN = re.compile(r"^:{3,}\s*\S")
_DIV_CLOSE = re.compile(r"^:{3,}\s*$")
_INLINE = re.compile(r"`\{python\}")


def _fail(source: str, line: int, message: str) -> QmdError:
    return QmdError(f"{source}: line {line}: {message}")


def _closes(line: str, fence: str) -> bool:
    """True when ``line`` closes a code block opened with ``fence``."""
    stripped = line.rstrip()
    return (
        len(stripped) >= len(fence)
        and set(stripped) == {fence[0]}
        and not line.startswith((" ", "\t"))
    )


def _options(lines: list[str], source: str, start: int) -> tuple[dict[str, Any], int]:
    """The ``#|`` options at the top of a cell and how many lines they take."""
    texts = []
    for line in lines:
        match = _OPTION.match(line)
        if match is None:
            break
        texts.append(match.group("text"))
    shown = " / ".join(lines[: len(texts)])
    if not texts:
        return {}, 0
    try:
        options = yaml.safe_load("\n".join(texts))
    except yaml.YAMLError:
        options = None
    if not isinstance(options, dict):
        raise _fail(source, start, "cell options (`#|` lines) must be YAML `key: value` pairs, "
                    f"got {shown!r}.")
    return options, len(texts)


def _tags(value: object, source: str, line: int) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(source, line, f"`#| tags:` must be a list of names, got {value!r}.")
    return list(value)


def _code_cell(body: list[str], source: str, line: int) -> nbformat.NotebookNode | None:
    """A code cell from a ``{python}`` block's lines (``None`` for ``eval: false``)."""
    options, n = _options(body, source, line)
    tags = _tags(options.get("tags", []), source, line)
    if options.get("eval") is False:
        return None
    if options.get("include") is False and "remove-cell" not in tags:
        tags.append("remove-cell")
    # Option lines that only carried tags are dropped (the tags are now metadata);
    # any other option stays in the cell, where Quarto reads it.
    keep = body if set(options) - {"tags"} else body[n:]
    import nbformat

    cell = nbformat.v4.new_code_cell("\n".join(keep).strip("\n"))
    if tags:
        cell.metadata["tags"] = tags
    return cell


def qmd_to_notebook(
    text: str, *, source: str = "<qmd>", front_matter: bool = True
) -> nbformat.NotebookNode:
    r"""Read a Quarto document's text into a notebook (see the module notes).

    Parameters
    ----------
    text : str
        The ``.qmd`` text.
    source : str
        What error messages call the document (its path).
    front_matter : bool
        Keep the YAML front matter as the first (raw) cell.

    Returns
    -------
    nbformat.NotebookNode
        A valid nbformat 4 notebook on the ``python3`` kernel, without outputs.

    Raises
    ------
    QmdError
        Naming the line, for anything the build cannot run faithfully.

    Examples
    --------
    >>> text = "# Hi\n\n```{python}\n#| tags: [parameters]\nx: int = 1  # x\n```\n"
    >>> [(c.cell_type, c.source, c.metadata.get("tags")) for c in qmd_to_notebook(text).cells]
    [('markdown', '# Hi', None), ('code', 'x: int = 1  # x', ['parameters'])]
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    import nbformat  # here, not at the top: a Dask worker reading a plan's jobs never needs it

    cells: list[nbformat.NotebookNode] = []
    i = 0
    if lines and lines[0].rstrip() == "---":
        end = next((j for j in range(1, len(lines)) if lines[j].rstrip() in ("---", "...")), None)
        if end is None:
            raise _fail(source, 1, "the front matter is not closed (no `---` line after it).")
        try:
            meta = yaml.safe_load("\n".join(lines[1:end]))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = 2 + mark.line if mark is not None else 1
            raise _fail(source, at, "the front matter is not valid YAML.") from None
        if meta is not None and not isinstance(meta, dict):
            raise _fail(source, 1, f"the front matter must be YAML `key: value` pairs, got "
                        f"{type(meta).__name__}.")
        if front_matter:
            cells.append(nbformat.v4.new_raw_cell("\n".join(["---", *lines[1:end], "---"])))
        i = end + 1

    markdown: list[str] = []

    def flush(tags: list[str] | None = None, block: list[str] | None = None) -> None:
        body = "\n".join(markdown if block is None else block).strip("\n")
        if block is None:
            markdown.clear()
        if body.strip():
            cell = nbformat.v4.new_markdown_cell(body)
            if tags:
                cell.metadata["tags"] = tags
            cells.append(cell)

    def check_inline(line: str, number: int) -> None:
        if _INLINE.search(line):
            raise _fail(source, number, "inline `{python}` expressions are not run by a cslib "
                        "build; show the value with a cslib call in a cell instead.")

    while i < len(lines):
        line, number = lines[i], i + 1
        fence = _FENCE.match(line)
        if fence is not None and not line.startswith((" ", "\t")):
            info = fence.group("info")
            engine = _ENGINE.match(info) if not info.startswith("{{") else None
            end = next((j for j in range(i + 1, len(lines))
                        if _closes(lines[j], fence.group("fence"))), None)
            if engine is None:  # a code block shown as code: markdown
                if end is None:
                    raise _fail(source, number, "this code block is not closed.")
                markdown.extend(lines[i:end + 1])
                i = end + 1
                continue
            name = engine.group("engine").lower()
            if name != "python":
                raise _fail(source, number, f"a {{{name}}} cell cannot run in a cslib report; "
                            "its cells are {python}.")
            if end is None:
                raise _fail(source, number, f"the {{python}} cell is not closed (no "
                            f"{fence.group('fence')} line after it).")
            flush()
            cell = _code_cell(lines[i + 1:end], source, number + 1)
            if cell is not None:
                cells.append(cell)
            i = end + 1
            continue
        hidden = _HIDDEN.match(line)
        if hidden is not None:
            depth, j = 1, i + 1
            while j < len(lines):
                if _DIV_CLOSE.match(lines[j]):
                    depth -= 1
                    if depth == 0:
                        break
                elif _DIV_OPEN.match(lines[j]):
                    depth += 1
                elif (inner := _FENCE.match(lines[j])) and _ENGINE.match(inner.group("info")):
                    raise _fail(source, j + 1, "a code cell inside a `{.content-hidden}` block "
                                "would still run; move it out of the block.")
                check_inline(lines[j], j + 1)
                j += 1
            if depth:
                raise _fail(source, number, "this `::: {.content-hidden}` block is not closed "
                            "(no `:::` line after it).")
            flush()
            flush(["remove-cell"], lines[i + 1:j])
            i = j + 1
            continue
        check_inline(line, number)
        markdown.append(line)
        i += 1
    flush()
    nb = nbformat.v4.new_notebook(
        cells=cells,
        metadata={"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}},
    )
    for n, cell in enumerate(nb.cells, start=1):
        cell["id"] = f"cell-{n}"  # stable ids: the same document gives the same notebook
    nbformat.validate(nb)
    return nb


def read_qmd(path: str | Path, *, front_matter: bool = True) -> nbformat.NotebookNode:
    """Read a ``.qmd`` file into a notebook (see :func:`qmd_to_notebook`).

    Raises
    ------
    QmdError
        If the file is missing, not UTF-8, or cannot be read as a report.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QmdError(f"{path}: no such Quarto document.") from None
    except UnicodeDecodeError:
        raise QmdError(f"{path}: not UTF-8 text.") from None
    return qmd_to_notebook(text, source=str(path), front_matter=front_matter)


def load_notebook(path: str | Path) -> nbformat.NotebookNode:
    """A report source as Papermill loads a notebook: ``.ipynb`` as is, ``.qmd`` converted.

    Like :func:`papermill.iorw.load_notebook_node`, every cell gets a ``tags``
    list and the notebook Papermill's metadata, so the result can be
    parameterized and executed the same way.
    """
    from papermill.iorw import load_notebook_node

    path = Path(path)
    if path.suffix.lower() != ".qmd":
        return load_notebook_node(str(path))
    nb = read_qmd(path)
    nb.metadata["papermill"] = {"default_parameters": {}, "parameters": {},
                                "environment_variables": {}}
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
        cell.metadata.setdefault("papermill", {})
    return nb


def inspect_parameters(path: str | Path) -> dict[str, dict[str, Any]]:
    """The parameters a report declares, as :func:`papermill.inspect_notebook` gives them.

    A ``.qmd`` is read into a notebook first (in a private temporary folder).
    """
    import nbformat
    import papermill

    path = Path(path)
    if path.suffix.lower() != ".qmd":
        return dict(papermill.inspect_notebook(str(path)))
    with tempfile.TemporaryDirectory(prefix="cslib-qmd-") as tmp:
        copy = Path(tmp) / f"{path.stem}.ipynb"
        nbformat.write(read_qmd(path), str(copy))
        return dict(papermill.inspect_notebook(str(copy)))
