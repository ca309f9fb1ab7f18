"""Shared fixtures: a real data directory, a real SQLite store, the real aiohttp app in-process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_asyncio

from helper.core.config import Config, read_or_create_token

ROOT = Path(__file__).resolve().parent.parent
EXT_ORIGIN = "chrome-extension://gddedojhjcbgbpopbolmccmikeckgnbb"


# In CI (CI=true) a skipped test fails: a skip there means the set-up (scripts/setup.sh) misses something. Only
# these skips are allowed, each needing what a CI runner may not give (root); matched by the start of the reason.
ALLOWED_CI_SKIPS = (
    "making a folder another user's takes root",  # tests/test_hostile_store.py: chown to another user
    "cannot make a network namespace here",  # tests/test_ocr.py: `unshare -n` needs root
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") != "true" or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    if not reason.startswith(ALLOWED_CI_SKIPS):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (CI=true), which counts as a failure: {reason}"


# The files that take longest run first, so that the parallel workers of scripts/test.sh (whole files each, in this
# order: --no-loadscope-reorder) finish together instead of one running a long file alone at the end. From a serial
# run on a quiet machine, longest first; only the order matters, and a file not named here runs after these.
LONG_FILES = (
    "test_buyer_tab.py", "test_extension.py", "test_capture.py", "test_case_page.py", "test_capture_hostile.py",
    "test_hostile_package.py", "test_demo.py", "test_capture_state.py", "test_hostile_snapshots.py",
    "test_package.py", "test_case.py", "test_ocr_chat_wired.py", "test_verify.py", "test_crash.py",
)


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(LONG_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file's own order is kept


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_browser(tmp_path_factory):
    """One Chromium with the extension for a module's tests, reset after each (tests/test_extension.py,
    SharedBrowser); the module's tests run in the module's event loop (pytest.mark.asyncio(loop_scope="module"))."""
    from test_extension import SharedBrowser

    async with SharedBrowser.running(tmp_path_factory.mktemp("shared-browser")) as browser:
        yield browser


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def buyers_browser(tmp_path_factory):
    """A shared_browser that shows Chromium's "started debugging" bar when the extension attaches its debugger, as
    the buyer's own browser does (tests/test_buyer_tab.py)."""
    from test_extension import SharedBrowser

    async with SharedBrowser.running(tmp_path_factory.mktemp("shared-browser"), silent_debugger=False) as browser:
        yield browser


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(data_dir=tmp_path / "data")


@pytest.fixture
def token(config) -> str:
    return read_or_create_token(config)


@pytest.fixture
async def client(aiohttp_client, config, token):
    from helper.api import create_app

    return await aiohttp_client(create_app(config))


@pytest.fixture
def auth(token) -> dict:
    return {"Authorization": f"Bearer {token}"}


def run_witness(*args: str, data_dir: Path | None = None, check: bool = False, timeout: float = 120, **kw):
    """Run the real CLI in a subprocess (python -m helper.cli), as a user would."""
    cmd = [sys.executable, "-m", "helper.cli"]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"witness {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc
