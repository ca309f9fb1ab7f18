"""Which addresses may be captured: http and https only."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..core.errors import BadRequest

ALLOWED_SCHEMES = ("http", "https")


def check_url(url: str) -> str:
    """The URL if it is an http(s) address with a host; BadRequest (400 / exit 2) otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise BadRequest("缺少网址 / a URL is required")
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = scheme + ":" if scheme else "(无 / none)"
        raise BadRequest(
            f"只能取证 http 或 https 网页，不支持 {shown} / only http and https pages can be captured, not {shown}",
            code="bad_scheme",
        )
    if not parts.hostname:
        raise BadRequest(f"网址缺少主机名 / the URL has no host: {url}", code="bad_url")
    return url
