"""Masking secrets in anything cslib shows: documents, the ledger, logs and errors.

One place for the rules, used by every layer: report provenance, the build's
ledger and index, kept notebooks, the Quarto wrapper's error messages and the
command line's error line.

Two tools, for two kinds of text:

- a **known value** (a ``data`` parameter, a plan's ``data:``, a command-line
  argument) is a whole URL: :func:`mask_url` renders it with its password
  hidden, and :func:`credentials` lists every spelling its password may be
  printed in (as written, percent-decoded, percent-encoded, and as
  SQLAlchemy's ``make_url`` reads it), so that those literals are masked
  wherever they turn up later (a driver's error, a traceback, a printed cell);
- **free text** (an error message, a cell's output) goes through
  :func:`mask_text`: the password part of any ``scheme://user:password@``
  (up to the last ``@`` of the address, so ``/``, ``#``, ``:``, ``@`` and
  percent signs in a password are covered), ``password=``/``token:``-style
  assignments, ``Bearer``/``Basic`` values, and every known literal.

A password written with a space inside a URL in free text cannot be told from
the words around it: such a URL is masked through its known value, which every
path that prints it has (the command line, the build, the notebook runner).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, unquote

__all__ = [
    "MASK",
    "credentials",
    "holds_credentials",
    "is_secret_name",
    "mask_parameters",
    "mask_text",
    "mask_url",
    "secret_literals",
    "url_userinfo",
]

MASK = "***"
#: Shorter literals are masked only where they stand as a URL's password: masking every
#: "pw" or "abc" in a message would make it unreadable without hiding anything more.
MIN_LITERAL = 4
_SCHEME = r"\b[A-Za-z][A-Za-z0-9+.\-]*://"
#: ``scheme://user:password@`` in free text; the password runs to the last ``@`` before
#: white space, so it may hold ``/``, ``#``, ``:``, ``@`` and ``%``.
_URL_CREDENTIALS = re.compile(rf"(?P<scheme>{_SCHEME})(?P<user>[^\s/@:]*):(?P<password>\S*)@")
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)(?P<key>\b[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey"
    r"|access[_-]?key|private[_-]?key|credentials?|authorization)[\w.-]*)"
    r"(?P<sep>\s*[=:]\s*)"
    r"(?P<value>(?:(?:bearer|basic)\s+)?(?:\"[^\"]*\"|'[^']*'|[^\s&;,)\]}'\"]+))"
)
_BEARER = re.compile(r"(?i)\b(?P<kind>bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_SECRET_NAME = re.compile(r"(pass(word)?|secret|token|api_?key|credential|dsn)", re.I)
#: A whole value that is a URL: scheme, then user information up to its *last* ``@``.
_WHOLE_URL = re.compile(rf"^(?P<scheme>\s*{_SCHEME})(?P<userinfo>.*)@(?P<rest>[^@]*)$", re.S)


def is_secret_name(name: str) -> bool:
    """Whether a parameter's name says it holds a secret (password, token, api_key...)."""
    return bool(_SECRET_NAME.search(name))


def url_userinfo(url: str) -> tuple[str, str, str, str] | None:
    """``(scheme, user, password, rest)`` of a URL with a password, as written; else None."""
    m = _WHOLE_URL.match(url)
    if m is None or ":" not in m["userinfo"]:
        return None
    user, password = m["userinfo"].split(":", 1)
    if "/" in user:  # "scheme://host/path:x@y": no user information at all
        return None
    return m["scheme"], user, password, m["rest"]


def credentials(value: str) -> set[str]:
    """Every spelling of the password held by ``value`` when it is a URL (else empty).

    The password as written (between the user's ``:`` and the address's last
    ``@``), percent-decoded, percent-encoded, and as SQLAlchemy's
    ``make_url`` parses it (which stops at the first ``@``); also the
    ``password=`` of a query string.

    Examples
    --------
    >>> sorted(credentials("postgresql://cs:p%2Fw@db/cs"))
    ['p%2Fw', 'p/w']
    >>> credentials("postgresql://cs@db/cs")
    set()
    """
    if not isinstance(value, str) or "://" not in value:
        return set()
    out: set[str] = set()
    parts = url_userinfo(value.strip())
    if parts is not None and parts[2]:
        raw = parts[2]
        out |= {raw, unquote(raw), quote(unquote(raw), safe=""), quote_plus(unquote(raw))}
        # A raw "@" makes URL parsers (and so drivers' messages) take the rest for the host.
        out |= {raw.split("@", i)[-1] for i in range(1, raw.count("@") + 1)}
    try:
        from sqlalchemy.engine import make_url

        parsed = make_url(value.strip())
        if parsed.host and "@" in parsed.host:
            out.add(parsed.host)
        if parsed.password:
            password = str(parsed.password)
            out |= {password, quote(password, safe=""), quote_plus(password)}
        for key, item in parsed.query.items():
            if is_secret_name(key):
                out |= {v for v in ([item] if isinstance(item, str) else item) if v}
    except Exception:  # not a URL SQLAlchemy reads: what was found above stands
        pass
    return {s for s in out if s}


def holds_credentials(value: Any) -> bool:
    """Whether a text value holds a credential (a URL's password, ``token=...``)."""
    return isinstance(value, str) and bool(credentials(value) or mask_text(value) != value)


def mask_url(url: str) -> str:
    """A URL as it may be printed: its password replaced by ``***``, the rest kept.

    The user information runs to the address's last ``@``, so a password
    holding ``/``, ``@``, ``#``, ``:``, a space or percent-encoding is hidden
    whole (SQLAlchemy's ``render_as_string(hide_password=True)`` shows the
    part of a raw ``@``-password after its first ``@`` as the host).

    Examples
    --------
    >>> mask_url("postgresql://cs:p@ss/w#rd@db:5432/cs?sslmode=require")
    'postgresql://cs:***@db:5432/cs?sslmode=require'
    """
    text = str(url)
    parts = url_userinfo(text)
    if parts is not None:
        scheme, user, _, rest = parts
        text = f"{scheme}{user}:{MASK}@{rest}"
    return mask_text(text, credentials(str(url)))


def secret_literals(extra: Iterable[str]) -> list[str]:
    """The literals to mask: each value and the spellings of its password, longest first.

    Literals shorter than :data:`MIN_LITERAL` are left out (see there).
    """
    out: set[str] = set()
    for value in extra:
        if not value:
            continue
        value = str(value)
        out.add(value)
        out |= credentials(value)
    return sorted((v for v in out if len(v) >= MIN_LITERAL), key=len, reverse=True)


def mask_text(text: str, extra: Collection[str] = ()) -> str:
    """``text`` with anything that looks like a credential replaced by ``***``.

    Masks every literal in ``extra`` (known secret values; for a URL also
    every spelling of its password, see :func:`credentials`), the password
    of URLs (``postgresql://user:***@host/db``), the value of
    ``password=``, ``token=``, ``secret:``, ``api_key=``... assignments, and
    ``Bearer``/``Basic`` authorization values.

    Examples
    --------
    >>> mask_text("postgresql://cs:hunter2@db/cs?sslmode=require&password=x1")
    'postgresql://cs:***@db/cs?sslmode=require&password=***'
    >>> mask_text("cannot reach postgresql://cs:a/b@c#d@db/cs")
    'cannot reach postgresql://cs:***@db/cs'
    """
    for value in secret_literals(extra):
        text = text.replace(value, MASK)
    text = _URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _SECRET_ASSIGNMENT.sub(lambda m: f"{m['key']}{m['sep']}{MASK}", text)
    return _BEARER.sub(lambda m: f"{m['kind']} {MASK}", text)


def mask_parameters(
    parameters: Mapping[str, Any], secret: Collection[str] = ()
) -> dict[str, Any]:
    """Copy ``parameters`` with secrets masked.

    A value is masked whole when its name is in ``secret`` (parameters a
    notebook marks secret) or looks like a secret (password, secret, token,
    api_key, credential, dsn); a URL keeps everything but its password
    (:func:`mask_url`); other text values go through :func:`mask_text`.

    Examples
    --------
    >>> mask_parameters({"api_token": "abc", "data": "postgresql://u:p/w@db/x"})
    {'api_token': '***', 'data': 'postgresql://u:***@db/x'}
    """
    out: dict[str, Any] = {}
    for name, value in parameters.items():
        if (name in secret or _SECRET_NAME.search(name)) and value not in ("", None):
            out[name] = MASK
        elif isinstance(value, str):
            out[name] = mask_url(value) if "://" in value else mask_text(value)
        else:
            out[name] = value
    return out
