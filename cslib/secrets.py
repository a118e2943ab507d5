"""Masking secrets in anything cslib shows: documents, the ledger, logs and errors.

One place for the rules, used by every layer: report provenance, the build's
ledger and index, and the Quarto wrapper's error messages.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

__all__ = ["MASK", "is_secret_name", "mask_parameters", "mask_text"]

MASK = "***"
_URL_CREDENTIALS = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<user>[^\s/@:]*):(?P<password>[^\s/@]+)@"
)
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)(?P<key>\b[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey"
    r"|access[_-]?key|private[_-]?key|credentials?|authorization)[\w.-]*)"
    r"(?P<sep>\s*[=:]\s*)"
    r"(?P<value>(?:(?:bearer|basic)\s+)?(?:\"[^\"]*\"|'[^']*'|[^\s&;,)\]}'\"]+))"
)
_BEARER = re.compile(r"(?i)\b(?P<kind>bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_SECRET_NAME = re.compile(r"(pass(word)?|secret|token|api_?key|credential|dsn)", re.I)


def is_secret_name(name: str) -> bool:
    """Whether a parameter's name says it holds a secret (password, token, api_key...)."""
    return bool(_SECRET_NAME.search(name))


def mask_text(text: str, extra: Collection[str] = ()) -> str:
    """``text`` with anything that looks like a credential replaced by ``***``.

    Masks the password of URLs (``postgresql://user:***@host/db``), the value
    of ``password=``, ``token=``, ``secret:``, ``api_key=``... assignments, and
    ``Bearer``/``Basic`` authorization values, plus every literal in ``extra``.

    Examples
    --------
    >>> mask_text("postgresql://cs:hunter2@db/cs?sslmode=require&password=x1")
    'postgresql://cs:***@db/cs?sslmode=require&password=***'
    """
    for value in sorted((v for v in extra if v), key=len, reverse=True):
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
    api_key, credential, dsn); other text values go through
    :func:`mask_text` (a password inside a URL, ``token=...``).

    Examples
    --------
    >>> mask_parameters({"api_token": "abc", "data": "postgresql://u:pw@db/x"})
    {'api_token': '***', 'data': 'postgresql://u:***@db/x'}
    """
    out: dict[str, Any] = {}
    for name, value in parameters.items():
        if (name in secret or _SECRET_NAME.search(name)) and value not in ("", None):
            out[name] = MASK
        elif isinstance(value, str):
            out[name] = mask_text(value)
        else:
            out[name] = value
    return out
