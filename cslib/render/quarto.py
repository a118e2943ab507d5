"""The Quarto rendering backend: ``quarto render`` run as a subprocess.

cslib renders executed notebooks with its own HTML and PDF renderers by
default. When Quarto is installed (found on ``PATH``, named by the
``CSLIB_QUARTO`` environment variable, or given explicitly), reports can be
rendered through ``quarto render`` instead; :func:`choose_backend` makes that
choice and :func:`render_with_quarto` does the rendering.

What the wrapper relies on, from Quarto's documentation and issue tracker:

- ``quarto render NOTEBOOK.ipynb --to html`` renders the outputs stored in the
  notebook; ``--no-execute`` makes sure Quarto never runs the cells again
  (papermill already did, with the report's parameters), even if the
  notebook's front matter asks for execution (quarto-cli #5376).
- HTML is rendered with ``-M embed-resources:true`` (one self-contained file),
  PDF with ``--to typst``: Quarto 1.4 and later bundle Typst, so no LaTeX is
  needed. cslib tables carry a ``text/markdown`` pipe table besides their
  HTML, which Quarto uses for Typst (whose path drops HTML-only tables,
  quarto-cli #12298).
- ``-M echo:false -M warning:false`` hide code and warnings. Parameters are
  never passed on the command line (no ``-P``): the notebook is already
  executed, and command lines are visible to other users and logs. Cells tagged
  ``parameters`` / ``injected-parameters`` and papermill's record of the
  parameter values are removed from the copy that Quarto reads, so a parameter
  value can never be printed even if the injected cell's ``echo`` setting is
  lost (quarto-cli #11990).
- ``--output`` takes a file name only, never a path (quarto-cli #2440), and
  ``--output-dir`` is relative to the input or its project, so each render
  runs in its own temporary folder holding a copy of the notebook and a
  minimal ``_quarto.yml`` project file (the approach advised in quarto-dev/quarto #227 and
  quarto-dev/quarto-r #81); parallel renders never share intermediate files.
  The outputs are then moved into place atomically.
- Errors are printed to stderr as lines starting with ``ERROR:``, with exit
  code 1 (:mod:`cslib.render.quarto_process` runs Quarto and reads them).
  Some failures exit 0 (quarto-cli #10295), so an expected output that
  is missing is an error too. ``--quiet`` is not used: it made successful
  renders exit 1 (quarto-cli #13326).

References
----------
Quarto CLI ``render``: https://quarto.org/docs/cli/render.html;
Typst format: https://quarto.org/docs/output-formats/typst.html;
parameters: https://quarto.org/docs/computations/parameters.html.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from cslib.errors import ParameterError, QuartoError
from cslib.render.quarto_markdown import prepare_cells
from cslib.render.quarto_process import INSTALL_HINT, error_summary, one_line, run_quarto
from cslib.secrets import mask_text

__all__ = [
    "BACKENDS",
    "ENV_VAR",
    "INSTALL_HINT",
    "QUARTO_FORMATS",
    "choose_backend",
    "find_quarto",
    "quarto_version",
    "render_with_quarto",
]

#: Environment variable naming the Quarto executable to use.
ENV_VAR = "CSLIB_QUARTO"

#: The rendering backend options accepted by :func:`choose_backend`.
BACKENDS = ("builtin", "quarto", "auto")

#: How Quarto is asked for each format (``--to`` value, file extension).
QUARTO_FORMATS: dict[str, tuple[str, str]] = {
    "html": ("html", ".html"),
    "pdf": ("typst", ".pdf"),
}

#: First Quarto version with the ``typst`` format.
MIN_TYPST_VERSION = (1, 4)

#: ``-M`` metadata passed to every render (the caller's ``metadata`` wins).
DEFAULT_METADATA: dict[str, bool] = {"echo": False, "warning": False}

#: Extra ``-M`` metadata per cslib format.
FORMAT_METADATA: dict[str, dict[str, bool]] = {"html": {"embed-resources": True}}

_OUT_DIR = "_out"
_METADATA_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_VERSION = re.compile(r"\d+(?:\.\d+)+")
_MAX_DETAIL = 600


# ----------------------------------------------------------------------------------------
# Finding Quarto and choosing a backend
# ----------------------------------------------------------------------------------------


def find_quarto(explicit: str | os.PathLike[str] | None = None) -> str | None:
    """The Quarto executable to use, as an absolute path, or ``None``.

    Looked for, in order: ``explicit``; the ``CSLIB_QUARTO`` environment
    variable; ``quarto`` on ``PATH``. A configured value (``explicit`` or
    ``CSLIB_QUARTO``) that does not lead to an executable is an error rather
    than a silent fall-back, so a typo never switches the renderer.

    Parameters
    ----------
    explicit : str or path-like, optional
        A path to the executable, or a command name looked up on ``PATH``.

    Returns
    -------
    str or None
        The absolute path of the executable; ``None`` when nothing is
        configured and ``quarto`` is not on ``PATH``.

    Raises
    ------
    QuartoError
        If ``explicit`` or ``CSLIB_QUARTO`` names something that does not
        exist or is not executable.

    References
    ----------
    Quarto installation: https://quarto.org/docs/get-started/
    """
    if explicit is not None and str(explicit).strip():
        return _resolve_executable(str(explicit).strip(), "quarto executable")
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        return _resolve_executable(configured, f"{ENV_VAR}")
    found = shutil.which("quarto")
    return os.path.abspath(found) if found else None


def _resolve_executable(value: str, origin: str) -> str:
    path = Path(value).expanduser()
    has_dir = os.sep in value or (os.altsep is not None and os.altsep in value)
    if not has_dir and not path.exists():
        found = shutil.which(value)
        if found is None:
            raise QuartoError(f"{origin} {value!r} not found on PATH; {INSTALL_HINT}")
        return os.path.abspath(found)
    if not path.exists():
        raise QuartoError(f"{origin} {value!r} does not exist; {INSTALL_HINT}")
    if path.is_dir():
        raise QuartoError(
            f"{origin} {value!r} is a folder; give the quarto executable itself "
            f"(for example {path / 'bin' / 'quarto'})"
        )
    if not os.access(path, os.X_OK):
        raise QuartoError(f"{origin} {value!r} is not executable (chmod +x it)")
    return str(path.absolute())


def choose_backend(option: str = "auto", *, quarto: str | os.PathLike[str] | None = None) -> str:
    """Resolve a rendering backend option to ``"builtin"`` or ``"quarto"``.

    Parameters
    ----------
    option : {"auto", "builtin", "quarto"}
        ``"builtin"``: cslib's own renderers. ``"quarto"``: ``quarto render``;
        Quarto must be found. ``"auto"``: Quarto when it is found (an explicit
        path, ``CSLIB_QUARTO`` or ``quarto`` on ``PATH``, see
        :func:`find_quarto`), else the built-in renderers.
    quarto : str or path-like, optional
        An explicit Quarto executable.

    Returns
    -------
    str
        ``"builtin"`` or ``"quarto"``.

    Raises
    ------
    ParameterError
        If ``option`` is not one of :data:`BACKENDS`.
    QuartoError
        If ``option`` is ``"quarto"`` and Quarto is not found, or a configured
        executable is broken.

    References
    ----------
    Quarto CLI: https://quarto.org/docs/cli/
    """
    key = str(option).strip().lower()
    if key not in BACKENDS:
        raise ParameterError(
            f"unknown rendering backend {option!r}; choose one of {', '.join(BACKENDS)}"
        )
    if key == "builtin":
        return "builtin"
    exe = find_quarto(quarto)
    if key == "quarto" and exe is None:
        raise QuartoError(INSTALL_HINT)
    return "quarto" if exe else "builtin"


def quarto_version(exe: str | os.PathLike[str], *, timeout: float = 30) -> str:
    """The version Quarto reports (``quarto --version``), for example ``"1.6.40"``.

    Parameters
    ----------
    exe : str or path-like
        The Quarto executable.
    timeout : float
        Seconds to wait for it.

    Returns
    -------
    str
        The version string.

    Raises
    ------
    QuartoError
        If it cannot be run, fails, times out or prints no version.

    References
    ----------
    https://quarto.org/docs/cli/
    """
    exe = str(exe)
    code, out, err = run_quarto([exe, "--version"], cwd=None, env=None, timeout=timeout,
                                what="--version")
    if code != 0:
        detail = error_summary(err, out)
        raise QuartoError(f"{exe} --version failed (exit code {code}): {detail}", returncode=code)
    match = _VERSION.search(out)
    if match is None:
        raise QuartoError(f"{exe} --version printed no version: {one_line(out) or '(nothing)'}")
    return match.group(0)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


# ----------------------------------------------------------------------------------------
# Rendering
# ----------------------------------------------------------------------------------------


def render_with_quarto(
    notebook: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("html", "pdf"),
    output_dir: str | os.PathLike[str],
    exe: str | os.PathLike[str] | None = None,
    metadata: Mapping[str, str | bool | int | float] | None = None,
    timeout: float = 600,
    redact: Collection[str] = (),
    appendix: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Path]:
    """Render an executed notebook with ``quarto render``, one run per format.

    For each format, Quarto is run as::

        quarto render NAME.ipynb --to html|typst --no-execute --output-dir _out
            -M echo:false -M warning:false [-M embed-resources:true] [-M KEY:VALUE ...]

    in a fresh temporary folder holding a copy of the notebook (without its
    parameter cells, see the module notes) and a minimal ``_quarto.yml``. When
    every format has rendered, the outputs are moved into ``output_dir`` as
    ``<notebook stem>.html`` / ``.pdf``, each written under a temporary name
    and then renamed, so a reader never sees half a file and a failed render
    leaves earlier outputs untouched.

    Parameters
    ----------
    notebook : str or path-like
        The executed notebook (``.ipynb``); it is never executed again.
    formats : sequence of {"html", "pdf"}
        What to produce; PDF is made through Typst (``--to typst``).
    output_dir : str or path-like
        Where the outputs go (created if needed).
    exe : str or path-like, optional
        The Quarto executable; by default :func:`find_quarto` looks for one.
    metadata : mapping, optional
        Extra ``-M KEY:VALUE`` document metadata (``title``, ``toc``...),
        overriding the defaults. Values go on the command line, so a value that
        looks like a credential is refused. Strings are passed YAML-quoted.
    timeout : float
        Seconds allowed per format; on expiry Quarto and its children are
        killed.
    redact : collection of str
        Values (passwords, tokens...) to mask in error messages, in addition to
        what looks like a credential; values shorter than 4 characters are
        ignored.
    appendix : sequence of dict
        The document's appendix blocks (definitions, provenance), written where
        the notebook calls ``report.appendix()``.

    Returns
    -------
    dict of str to Path
        The output file of each format, keyed by format.

    Raises
    ------
    ParameterError
        For an unknown format, a bad metadata key or a credential-like metadata
        value, or a timeout that is not positive.
    QuartoError
        If the notebook is missing or not a notebook, Quarto is not found, is
        too old for Typst, exits non-zero, times out, or does not write an
        expected output. The message is one line naming the notebook, the
        format, the exit code and Quarto's ``ERROR`` lines, with anything that
        looks like a secret masked.

    References
    ----------
    Quarto ``render`` command: https://quarto.org/docs/cli/render.html;
    HTML ``embed-resources``: https://quarto.org/docs/reference/formats/html.html;
    Typst: https://quarto.org/docs/output-formats/typst.html.
    """
    source = Path(notebook)
    wanted = _check_formats(formats)
    if not timeout or timeout <= 0:
        raise ParameterError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if source.suffix.lower() != ".ipynb":
        raise QuartoError(f"cannot render {source} with Quarto: not a .ipynb notebook")
    if not source.is_file():
        raise QuartoError(f"cannot render {source} with Quarto: no such file")
    resolved = find_quarto(exe)
    if resolved is None:
        raise QuartoError(INSTALL_HINT)
    flags = {fmt: _metadata_flags(fmt, metadata) for fmt in wanted}
    if "pdf" in wanted:
        _check_typst_support(resolved)
    secrets = [s for s in redact if isinstance(s, str) and len(s) >= 4]

    target_dir = Path(output_dir)
    with tempfile.TemporaryDirectory(prefix="cslib-quarto-") as tmp:
        work = Path(tmp)
        stem = _safe_stem(source.stem)
        copy = work / f"{stem}.ipynb"
        _prepare_notebook(source, copy, metadata, list(appendix))
        (work / "_quarto.yml").write_text("project:\n  type: default\n", encoding="utf-8")
        env = _environment()

        produced: dict[str, Path] = {}
        for fmt in wanted:
            to, ext = QUARTO_FORMATS[fmt]
            args = [resolved, "render", copy.name, "--to", to, "--no-execute"]
            args += ["--output-dir", _OUT_DIR, *flags[fmt]]
            context = f"{source} (format {fmt})"
            try:
                code, out, err = run_quarto(args, cwd=work, env=env, timeout=timeout, what=context)
            except QuartoError as exc:
                raise QuartoError(_clean(str(exc), work, source, secrets)) from None
            if code != 0:
                detail = _clean(error_summary(err, out), work, source, secrets)
                raise QuartoError(
                    f"quarto render failed for {source} (format {fmt}, exit code {code}): {detail}",
                    returncode=code,
                )
            produced[fmt] = _find_output(work, stem + ext, fmt, source)

        target_dir.mkdir(parents=True, exist_ok=True)
        results: dict[str, Path] = {}
        for fmt, path in produced.items():
            final = target_dir / (source.stem + QUARTO_FORMATS[fmt][1])
            _atomic_copy(path, final)
            results[fmt] = final
    return results


def _check_formats(formats: Sequence[str]) -> list[str]:
    if isinstance(formats, str):
        formats = [formats]
    wanted: list[str] = []
    for fmt in formats:
        key = str(fmt).strip().lower()
        if key not in QUARTO_FORMATS:
            raise ParameterError(
                f"Quarto cannot render format {fmt!r}; choose from {', '.join(QUARTO_FORMATS)}"
            )
        if key not in wanted:
            wanted.append(key)
    if not wanted:
        raise ParameterError("no format to render; choose from " + ", ".join(QUARTO_FORMATS))
    return wanted


def _metadata_flags(fmt: str, metadata: Mapping[str, Any] | None) -> list[str]:
    """``-M`` flags: the defaults and the caller's booleans and numbers.

    Strings (a title) go in the copy's front matter instead (:func:`_prepare_notebook`):
    Quarto prints ``-M title:"..."``'s quotes as part of the title.
    """
    merged: dict[str, Any] = {**DEFAULT_METADATA, **FORMAT_METADATA.get(fmt, {})}
    merged.update(metadata or {})
    flags: list[str] = []
    for key, value in merged.items():
        if not isinstance(key, str) or not _METADATA_KEY.fullmatch(key):
            raise ParameterError(f"bad Quarto metadata key {key!r}")
        text = _yaml_scalar(key, value)
        if mask_text(text) != text:
            raise ParameterError(
                f"Quarto metadata {key!r} looks like a credential; secrets are never put on "
                "the command line"
            )
        if not isinstance(value, str):
            flags += ["-M", f"{key}:{text}"]
    return flags


def _yaml_scalar(key: str, value: object) -> str:
    """A value as Quarto reads it after ``KEY:``, which it parses as YAML.

    Booleans and numbers bare, strings double-quoted (so ``Q3: review`` stays a string).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise ParameterError(
        f"Quarto metadata {key!r} must be a string, number or boolean, got {type(value).__name__}"
    )


def _check_typst_support(exe: str) -> None:
    version = quarto_version(exe)
    if _version_tuple(version) < MIN_TYPST_VERSION:
        needed = ".".join(str(n) for n in MIN_TYPST_VERSION)
        raise QuartoError(
            f"Quarto {version} ({exe}) cannot make PDF through Typst; it needs Quarto "
            f"{needed} or later. Upgrade Quarto or use the built-in renderer (the default)"
        )


def _safe_stem(stem: str) -> str:
    """A file stem Quarto cannot mistake for an option or a path."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).lstrip("-.")
    return safe or "report"


def _prepare_notebook(source: Path, copy: Path, metadata: Mapping[str, Any] | None = None,
                      appendix: list[Mapping[str, Any]] | None = None) -> None:
    """Copy the notebook as Quarto should render it (:func:`prepare_cells`).

    Without the cells no document shows (parameters, ``remove-cell``), with
    Markdown for every house block (Typst would set the plain text as code),
    the string ``metadata`` (title, subtitle) as front matter, and without
    papermill's record of the parameter values.
    """
    try:
        nb = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise QuartoError(
            f"cannot render {source} with Quarto: not a readable notebook ({exc})"
        ) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise QuartoError(f"cannot render {source} with Quarto: not a Jupyter notebook (no cells)")
    strings = {k: v for k, v in (metadata or {}).items() if isinstance(v, str)}
    nb["cells"] = prepare_cells(nb["cells"], strings, appendix)
    papermill = nb.get("metadata", {}).get("papermill")
    if isinstance(papermill, dict):
        papermill.pop("parameters", None)
    copy.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # Quarto looks for Python and Jupyter through QUARTO_PYTHON first; point it
    # at the interpreter running cslib unless the user chose one.
    env.setdefault("QUARTO_PYTHON", sys.executable)
    return env


def _find_output(work: Path, name: str, fmt: str, source: Path) -> Path:
    # Quarto versions that ignore --output-dir outside a project write next to
    # the input (quarto-cli #2670), so look there too.
    for candidate in (work / _OUT_DIR / name, work / name):
        if candidate.is_file() and candidate.stat().st_size > 0:
            with candidate.open("rb") as fh:
                head = fh.read(5)
            if fmt == "pdf" and head != b"%PDF-":
                raise QuartoError(
                    f"quarto render for {source} (format {fmt}) wrote {name}, which is not a PDF"
                )
            return candidate
    raise QuartoError(
        f"quarto render for {source} (format {fmt}) exited 0 but did not write the "
        f"expected output {name}"
    )


def _atomic_copy(src: Path, final: Path) -> None:
    part = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        shutil.copyfile(src, part)
        os.replace(part, final)
    finally:
        part.unlink(missing_ok=True)


def _clean(text: str, work: Path, source: Path, secrets: Collection[str]) -> str:
    """Masked, one line, short, and naming the user's notebook, not the copy."""
    text = text.replace(str(work / _OUT_DIR), str(source.parent))
    text = text.replace(str(work), str(source.parent))
    text = mask_text(text, extra=secrets)
    text = one_line(text)
    if len(text) > _MAX_DETAIL:
        text = text[: _MAX_DETAIL - 1] + "…"
    return text
