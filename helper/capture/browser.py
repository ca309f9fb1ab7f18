"""The one seam for launching Chromium. Every caller (capture, evidence browser, tests, benchmarks, PDF
rendering, the OCR set generator) goes through these functions.

Browser downloads do not work on many users' networks, so the system Chromium is used through
Playwright's `executable_path`.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from helper.core.errors import BrowserNotFound

# Flags that keep a headless evidence browser quiet on a closed network and usable as root in CI.
BASE_ARGS = [
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--disable-dev-shm-usage",
]

_CANDIDATES = {
    "linux": [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/snap/bin/chromium",
        "/usr/bin/google-chrome",
        "/usr/bin/google-chrome-stable",
        "/usr/bin/microsoft-edge",
    ],
    "darwin": [
        "/Applications/Chromium.app/Contents/MacOS/Chromium",
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    ],
    "win32": [
        r"%PROGRAMFILES%\Chromium\Application\chrome.exe",
        r"%LOCALAPPDATA%\Chromium\Application\chrome.exe",
        r"%PROGRAMFILES%\Google\Chrome\Application\chrome.exe",
        r"%PROGRAMFILES(X86)%\Google\Chrome\Application\chrome.exe",
        r"%LOCALAPPDATA%\Google\Chrome\Application\chrome.exe",
        r"%PROGRAMFILES(X86)%\Microsoft\Edge\Application\msedge.exe",
    ],
}


def find_chromium(configured: str | None = None, *, platform: str | None = None, exists=os.path.exists) -> str:
    """Path of the Chromium to drive: the configured one, WITNESS_CHROMIUM, or a known install location."""
    platform = platform or sys.platform
    if configured:
        if not exists(configured):
            raise BrowserNotFound(f"configured Chromium not found: {configured}")
        return configured
    env = os.environ.get("WITNESS_CHROMIUM")
    if env:
        if not exists(env):
            raise BrowserNotFound(f"WITNESS_CHROMIUM not found: {env}")
        return env
    key = "win32" if platform.startswith("win") else ("darwin" if platform == "darwin" else "linux")
    for cand in _CANDIDATES[key]:
        path = os.path.expandvars(cand)
        if exists(path):
            return path
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserNotFound(
        "找不到 Chromium / Chromium not found. Install it (Debian: apt-get install chromium) "
        "or set WITNESS_CHROMIUM to its path."
    )


def launch_args(*, headless: bool, extension_dir: Path | None = None, extra: list[str] | None = None) -> list[str]:
    args = list(BASE_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    if extension_dir is not None:
        args += [f"--disable-extensions-except={extension_dir}", f"--load-extension={extension_dir}"]
    if headless:
        # New headless mode: same browser as headed, loads extensions.
        args.append("--headless=new")
    return args + list(extra or [])


async def launch_browser(playwright, *, chromium: str | None = None, headless: bool = True, extra_args=None):
    """A plain browser (no profile, no extension) for clean captures and rendering."""
    return await playwright.chromium.launch(
        executable_path=find_chromium(chromium),
        headless=headless,
        args=launch_args(headless=headless, extra=extra_args),
    )


async def launch_persistent(
    playwright,
    profile_dir: Path,
    *,
    chromium: str | None = None,
    headless: bool = True,
    extension_dir: Path | None = None,
    extra_args=None,
    **context_options,
):
    """A persistent context with a dedicated profile, optionally with the extension loaded."""
    # Playwright adds --headless (old mode) itself when headless=True, and old headless loads no
    # extensions; so we pass headless=False and add --headless=new ourselves.
    return await playwright.chromium.launch_persistent_context(
        str(profile_dir),
        executable_path=find_chromium(chromium),
        headless=False,
        args=launch_args(headless=headless, extension_dir=extension_dir, extra=extra_args),
        ignore_default_args=["--disable-extensions"] if extension_dir else None,
        **context_options,
    )
