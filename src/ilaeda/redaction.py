"""Storage-URL passwords: split them off a URL and mask them wherever a URL is printed or written.

A URL's password is the text between the first ``:`` after the user name and the *last* ``@`` of the URL
(user names hold none of ``: / ? # @``), so a password holding ``/ @ : ? # %`` unescaped is found whole;
the host, port, database and query after it are read with :func:`urllib.parse.urlsplit`. A password in
the query (``?password=...``, any case) is masked too, but :func:`query_password_key` lets callers refuse it.

Standard library only: ``experiments/commands.py`` loads this file by path, like ``contract.py``.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable

MASK = "***"
#: Query keys that carry a password in some database drivers' URLs (compared case-insensitively).
PASSWORD_QUERY_KEYS = ("password", "passwd", "pwd")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
#: Characters that end a URL inside free text (quotes of a repr or JSON, whitespace).
_URL_END = " \t\r\n'\"<>"
#: Punctuation of the sentence around a URL, not part of it.
_TRAILING = ".,;:)]"


def _password_span(url: str) -> tuple[int, int] | None:
    """``(start, end)`` of the password in ``url`` (``scheme://user:PASSWORD@host...``), else None."""
    head = url.find("://")
    if head < 0:
        return None
    start_user = head + 3
    colon = url.find(":", start_user)
    at = url.rfind("@")
    if colon < 0 or at < colon:
        return None
    if any(c in url[start_user:colon] for c in "/?#@"):
        return None
    return colon + 1, at


def split_password(url: str) -> tuple[str, str | None]:
    """``url`` without its password (``scheme://user@host...``) and the password (percent-decoded)."""
    span = _password_span(url)
    if span is None:
        return url, None
    start, end = span
    return url[: start - 1] + url[end:], urllib.parse.unquote(url[start:end])


def query_password_key(url: str) -> str | None:
    """The query key of ``url`` that carries a password (``?password=...``, any case), else None."""
    span = _password_span(url)
    rest = url if span is None else url[: span[0]] + url[span[1] :]
    for key, _ in urllib.parse.parse_qsl(urllib.parse.urlsplit(rest).query, keep_blank_values=True):
        if key.lower() in PASSWORD_QUERY_KEYS:
            return key
    return None


def _mask_query(url: str) -> str:
    """``url`` (its user-info password already masked) with password values of its query masked."""
    base, mark, rest = url.partition("?")
    query, hash_mark, fragment = rest.partition("#")
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    if not any(key.lower() in PASSWORD_QUERY_KEYS for key, _ in pairs):
        return url
    masked = "&".join(
        f"{urllib.parse.quote(key)}={MASK if key.lower() in PASSWORD_QUERY_KEYS else urllib.parse.quote(value)}"
        for key, value in pairs
    )
    return f"{base}{mark}{masked}{hash_mark}{fragment}"


def redact_url(url: str) -> str:
    """``url`` with its password (user-info or query form) replaced by ``***``."""
    span = _password_span(url)
    if span is not None:
        url = url[: span[0]] + MASK + url[span[1] :]
    return _mask_query(url)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with the password of every URL in it, and every given secret, replaced by ``***``."""
    out = []
    pos = 0
    for match in _SCHEME.finditer(text):
        if match.start() < pos:
            continue
        end = match.end()
        while end < len(text) and text[end] not in _URL_END:
            end += 1
        while end > match.end() and text[end - 1] in _TRAILING:
            end -= 1
        out.append(text[pos : match.start()])
        out.append(redact_url(text[match.start() : end]))
        pos = end
    out.append(text[pos:])
    text = "".join(out)
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
            quoted = urllib.parse.quote(secret, safe="")
            if quoted != secret:
                text = text.replace(quoted, MASK)
    return text
