"""Passwords never stored: `user:pass@` in an address is taken out before anything is kept (the capture
navigates with the credentials handed to the browser apart, so the page, its stamp and meta never hold them)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

# scheme://userinfo@ anywhere in a string (a URL inside meta, a header value, a message)
USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#@\s\"'<>\\]*@")


def without_credentials(text):
    """`text` with the user:password part of every URL in it removed; non-strings unchanged."""
    return USERINFO.sub(r"\1", text) if isinstance(text, str) else text


def scrub(value):
    """A JSON-like value with credentials removed from every URL in every string (keys included)."""
    if isinstance(value, str):
        return without_credentials(value)
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def split_credentials(url: str) -> tuple[str, dict | None]:
    """(the URL without user:password, {"username", "password"} for the browser, or None)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    return without_credentials(url), {"username": unquote(parts.username or ""), "password": unquote(parts.password or "")}
