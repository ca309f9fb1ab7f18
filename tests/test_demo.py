"""`witness demo` and `witness capture URL`, run as a user runs them (subprocesses, real Chromium)."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest
from aiohttp import web

from conftest import ROOT
from helper.demoshop import REFERENCE_NOW, create_shop_app
from helper.store import Store

pytestmark = pytest.mark.browser


async def witness(*args: str, env=None, timeout: float = 300) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "helper.cli", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, cwd=ROOT)
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode, out.decode(), err.decode()


async def test_witness_capture_url_json_and_refusals(tmp_path):
    runner = web.AppRunner(create_shop_app(now=lambda: REFERENCE_NOW), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    shop = f"http://127.0.0.1:{runner.addresses[0][1]}"
    data = tmp_path / "d"
    data.mkdir()  # capture starts a store only in the default folder or an empty one made on purpose
    try:
        cookies = tmp_path / "cookies.json"
        cookies.write_text(json.dumps([{"name": "sid", "value": "abc", "url": shop}]))
        rc, out, err = await witness("--data-dir", str(data), "capture", shop + "/detail-order-sn/D8K2M4Q7X1N5R9T3",
                                     "--kind", "order", "--cookies", str(cookies), "--json")
        assert rc == 0, err
        cap = json.loads(out)["capture"]
        assert cap["kind"] == "order" and cap["source"] == "url"
        assert {a["name"] for a in cap["artifacts"]} >= {"page.png", "stamped.png", "page.mhtml", "meta.json"}
        for url in ("file:///etc/passwd", "javascript:alert(1)", "chrome://settings"):
            rc, out, err = await witness("--data-dir", str(data), "capture", url, "--kind", "order", "--json")
            assert rc == 2 and json.loads(out)["error"]["code"] == "bad_scheme" and "http" in err
        bad = tmp_path / "bad.json"
        bad.write_text("{not json")
        rc, _, err = await witness("--data-dir", str(data), "capture", shop + "/", "--cookies", str(bad))
        assert rc == 2 and "cookie" in err
    finally:
        await runner.cleanup()
    store = Store(data)
    try:
        assert len(store.list_captures()) == 1
    finally:
        store.close()


async def test_demo_runs_end_to_end_and_leaves_its_data(tmp_path):
    data = tmp_path / "demo"
    # A generous bound: the demo captures in a real browser and OCRs every screenshot, slow on a busy machine.
    rc, out, err = await witness("demo", "--headless", "--data-dir", str(data), timeout=900)
    assert rc == 0, out + err
    assert "演示结果 / demo summary" in out and "✓ witness verify: 完好 / intact" in out
    assert "扩展已配对 / extension paired" in out
    assert str(data) in out
    store = Store(data)
    try:
        captures = store.list_captures()
        kinds = {c["kind"] for c in captures if c["source"] == "evidence_browser"}
    finally:
        store.close()
    assert {"order", "chat", "rules"} <= kinds
    # Every capture is listed, the automatic chat snapshot too; the buyer is told what to do next.
    for c in captures:
        assert f"取证 #{c['id']} (" in out, c["id"]
    assert "自动快照 / automatic snapshot" in out or len(captures) == 3
    assert "你自己的订单 / for a real order" in out and "witness start" in out.split("你自己的订单")[1]
    assert "orders" in out
    for cap_line in [line for line in out.splitlines() if "page.png" in line]:
        assert len(cap_line.split("sha256 ")[1]) == 64
    rc, _, _ = await witness("--data-dir", str(data), "verify")
    assert rc == 0
