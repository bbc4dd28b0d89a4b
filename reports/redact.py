"""Remove secrets from what the reports show (attachments, reasons).

Two nets: known secret *values* (the inventory's ``password_env`` variables, anything in the
environment whose name says password/secret/token) are replaced wherever they appear, and values
that merely *look* like secrets (a ``password`` key, ``-Password 'x'``, ``password=x``) are
replaced by shape.

    r = Redactor(["hunter2!"])
    r.text("net use /user:bob hunter2!")            # 'net use /user:bob ***'
    r.data({"user": "bob", "Password": "x"})        # {'user': 'bob', 'Password': '***'}
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from html import escape as xml_escape
from pathlib import Path
from typing import Any

MASK = "***"
SECRET_NAME = re.compile(r"passw(or)?d|passwd|secret|token|credential|api[_-]?key|private[_-]?key", re.I)
# Environment variables that name secrets; PWD/OLDPWD are the working directory, not passwords.
_NOT_SECRET_ENV = {"PWD", "OLDPWD"}
_MIN_SECRET_LEN = 4  # shorter values would mask ordinary words and digits

_SHAPES = (
    # -Password 'x' / -Password x (PowerShell parameters), password=x, password: x, "password": "x"
    re.compile(r"""(?P<k>-\w*(?:passw(?:or)?d|secret|token)\w*\s+)(?P<v>'[^']*'|"[^"]*"|\S+)""", re.I),
    re.compile(
        r"""(?P<k>["']?\w*(?:passw(?:or)?d|secret|token)\w*["']?\s*[:=]\s*)(?P<v>"[^"]*"|'[^']*'|[^\s,;&}]+)""",
        re.I,
    ),
    # ConvertTo-SecureString 'x' -AsPlainText
    re.compile(r"""(?P<k>ConvertTo-SecureString\s+(?:-String\s+)?)(?P<v>'[^']*'|"[^"]*"|\S+)""", re.I),
    # user:password@ in URLs
    re.compile(r"""(?P<k>://[^:/@\s]+:)(?P<v>[^@/\s]+)(?=@)"""),
)


def env_secrets(environ: Mapping[str, str] | None = None, names: Iterable[str] = ()) -> set[str]:
    """Values of secret-looking environment variables, plus those of ``names`` (password_env)."""
    env = os.environ if environ is None else environ
    wanted = {n for n in env if SECRET_NAME.search(n) and n not in _NOT_SECRET_ENV} | set(names)
    return {env[n] for n in wanted if n in env and len(env[n]) >= _MIN_SECRET_LEN}


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # longest first, so a secret containing another is masked whole
        self._secrets = sorted({s for s in secrets if len(s) >= _MIN_SECRET_LEN}, key=len, reverse=True)

    def add(self, secret: str) -> None:
        if len(secret) >= _MIN_SECRET_LEN and secret not in self._secrets:
            self._secrets = sorted([*self._secrets, secret], key=len, reverse=True)

    def __len__(self) -> int:
        return len(self._secrets)

    def __repr__(self) -> str:  # never the values
        return f"Redactor({len(self._secrets)} secrets)"

    def values(self, value: str) -> str:
        """Mask the known secret values only (safe inside any file format)."""
        for secret in self._secrets:
            # also as it appears inside JSON strings and XML text
            for form in {secret, json.dumps(secret)[1:-1], xml_escape(secret, quote=True)}:
                value = value.replace(form, MASK)
        return value

    def text(self, value: str) -> str:
        value = self.values(value)
        for shape in _SHAPES:
            value = shape.sub(_mask_value, value)
        return value

    def data(self, value: Any) -> Any:
        """A JSON-able copy of ``value`` with secrets masked (keys that name secrets lose their value)."""
        if isinstance(value, Mapping):
            return {
                str(k): MASK if SECRET_NAME.search(str(k)) and v not in (None, "") else self.data(v)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple | set | frozenset):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bytes):
            return self.text(value.decode("utf-8", "replace"))
        if value is None or isinstance(value, bool | int | float):
            return value
        return self.text(str(value))


def redact_files(paths: Iterable[Path], secrets: Iterable[str]) -> int:
    """Mask known secret values in report files written by others (allure traces, JUnit); returns files changed."""
    redactor = Redactor(secrets)
    if not redactor:
        return 0
    changed = 0
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary attachments
        masked = redactor.values(text)
        if masked != text:
            path.write_text(masked, encoding="utf-8")
            changed += 1
    return changed


def _mask_value(match: re.Match[str]) -> str:
    value = match.group("v")
    quote = value[0] if value[:1] in ("'", '"') and value[-1:] == value[:1] and len(value) > 1 else ""
    return f"{match.group('k')}{quote}{MASK}{quote}"
