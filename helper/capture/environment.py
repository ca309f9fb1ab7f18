"""The capture environment record, in the spirit of a 网页取证 cleanliness check: proxy settings in effect,
the hosts file (SHA-256 and non-default entries), time zone, and the clock's offset against a time source.

Pure functions take their inputs (`env`, file text, times); `environment_record` and `check_clock` do the
reading and never block for long (short timeouts, "not checked" when a source is unset or unreachable).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

PROXY_VARS = ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "no_proxy")
HOSTS_PATHS = {"win32": Path(os.environ.get("SystemRoot", r"C:\Windows")) / "System32/drivers/etc/hosts"}
# Names a stock hosts file maps; anything else is reported.
DEFAULT_HOST_NAMES = {
    "localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4", "localhost6",
    "localhost6.localdomain6", "ip6-localhost", "ip6-loopback", "ip6-localnet", "ip6-mcastprefix",
    "ip6-allnodes", "ip6-allrouters", "ip6-allhosts", "broadcasthost",
}
CLOCK_TIMEOUT_S = 2.0


def proxy_settings(env: dict) -> dict:
    """Proxy variables set in `env` (either case), values as given."""
    found = {}
    for name in PROXY_VARS:
        for key in (name, name.upper()):
            if env.get(key):
                found[key] = env[key]
    return found


def hosts_entries(text: str, *, hostname: str | None = None) -> list[dict]:
    """Entries of a hosts file that a stock system does not have (loopback for the machine's own name is stock)."""
    extra = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        ip, *names = line.split()
        odd = [n for n in names if n.lower() not in DEFAULT_HOST_NAMES
               and not (hostname and n.split(".")[0].lower() == hostname.split(".")[0].lower()
                        and (ip.startswith("127.") or ip == "::1"))]
        if odd:
            extra.append({"ip": ip, "names": odd})
    return extra


def clock_offset(date_header: str, sent: datetime, received: datetime) -> dict:
    """Offset of the local clock against a server's HTTP Date (1 s resolution): server time minus the
    midpoint of the request."""
    server = parsedate_to_datetime(date_header)
    if server.tzinfo is None:
        server = server.replace(tzinfo=timezone.utc)
    midpoint = sent + (received - sent) / 2
    return {
        "offset_s": round((server - midpoint).total_seconds(), 3),
        "server_date": date_header,
        "round_trip_s": round((received - sent).total_seconds(), 3),
        "resolution_s": 1,
    }


def time_zone(now_local: datetime) -> dict:
    return {
        "name": time.tzname[0] if time.tzname else None,
        "tz_env": os.environ.get("TZ"),
        "utc_offset": now_local.strftime("%z"),
    }


def _gsettings_proxy() -> dict | None:
    if not sys.platform.startswith("linux") or not shutil.which("gsettings"):
        return None
    try:
        out = subprocess.run(["gsettings", "get", "org.gnome.system.proxy", "mode"],
                             capture_output=True, text=True, timeout=1)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return {"available": False}
    return {"mode": out.stdout.strip().strip("'")}


def _hosts_record() -> dict:
    path = HOSTS_PATHS.get(sys.platform, Path("/etc/hosts"))
    try:
        data = path.read_bytes()
    except OSError as e:
        return {"path": str(path), "error": str(e)}
    return {
        "path": str(path),
        "sha256": hashlib.sha256(data).hexdigest(),
        "non_default_entries": hosts_entries(data.decode("utf-8", "replace"), hostname=platform.node()),
    }


def environment_record(*, env: dict | None = None, browser_args: list[str] | None = None) -> dict:
    """What the capturing machine looked like (reads env, hosts, gsettings; no network)."""
    env = os.environ if env is None else env
    args = browser_args or []
    return {
        "proxy": {
            "env": proxy_settings(env),
            "gsettings": _gsettings_proxy(),
            "browser": [a for a in args if a.startswith(("--proxy", "--no-proxy"))] or "none (no proxy flags)",
        },
        "hosts": _hosts_record(),
        "time_zone": time_zone(datetime.now().astimezone()),
        "os": {"system": platform.system(), "release": platform.release(), "machine": platform.machine(),
               "node": platform.node()},
        "python": platform.python_version(),
    }


async def check_clock(url: str | None, *, timeout: float = CLOCK_TIMEOUT_S) -> dict:
    """Compare the clock with the Date header of `url`; {"status": "not checked", …} when unset or unreachable."""
    if not url:
        return {"status": "not checked", "reason": "no time source configured (config time_source)"}
    import aiohttp

    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            sent = datetime.now(timezone.utc)
            async with session.head(url, allow_redirects=False) as resp:
                received = datetime.now(timezone.utc)
                date = resp.headers.get("Date")
        if not date:
            return {"status": "not checked", "source": url, "reason": "no Date header"}
        return {"status": "checked", "source": url, **clock_offset(date, sent, received)}
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError, TypeError) as e:
        return {"status": "not checked", "source": url, "reason": f"unreachable: {type(e).__name__}: {e}"[:300]}
