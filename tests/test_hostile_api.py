"""Hostile values against the real aiohttp app and the reminder scheduler (issue 15, breaks 5, 3 and 10).

Each test names the break it pins; each failed on the code before the fix."""

from __future__ import annotations

import base64
import json
import sqlite3
from datetime import timedelta

import pytest

from helper.core import clock
from helper.store import Store

MARKUP = "<iframe src=file:///etc/passwd>"


@pytest.mark.parametrize("field, value", [
    ("ordered_at", MARKUP),
    ("deadline", "2026-11-27 10:00:00"),  # no offset: ambiguous
    ("paid_at", "tomorrow"),
    ("deadline", "2026-11-27T10:00:00"),
])
async def test_break5_order_times_must_be_iso_8601_with_offset(client, auth, field, value):
    """Break 5: POST /api/orders accepted any string as ordered_at / deadline."""
    body = {"url": "https://shop.example/order/1", "order_no": "A1", field: value}
    r = await client.post("/api/orders", json=body, headers=auth)
    assert r.status == 400, await r.text()
    assert field in (await r.json())["error"]["message"]
    ok = {**body, field: "2026-11-27T10:00:00+08:00"}
    assert (await client.post("/api/orders", json=ok, headers=auth)).status == 200


def _plant(config, **values):
    """A bad stored value as an old version or a hand edit left it (the API no longer takes one)."""
    conn = sqlite3.connect(config.data_dir / "witness.db")
    sets = ", ".join(f"{k}=?" for k in values)
    conn.execute(f"UPDATE orders SET {sets} WHERE order_no='BAD'", tuple(values.values()))
    conn.commit()
    conn.close()


async def test_break5_order_list_and_reminders_survive_any_stored_value(client, auth, config):
    """Break 5: one bad stored deadline made GET /api/orders 500 and the reminder tick fail for every order."""
    from helper.escalation.scheduler import Scheduler

    past = clock.iso(clock.utcnow() - timedelta(hours=2))
    for no, deadline in (("BAD", None), ("GOOD", past)):
        r = await client.post("/api/orders", json={"url": "https://shop.example/o", "order_no": no, "deadline": deadline,
                                                   "promise_seconds": 300}, headers=auth)
        assert r.status == 200
    _plant(config, deadline=MARKUP, ordered_at="yesterday", promise_seconds="lots")
    r = await client.get("/api/orders", headers=auth)
    assert r.status == 200, await r.text()
    bad = next(o for o in (await r.json())["orders"] if o["order_no"] == "BAD")
    assert bad["deadline"] == MARKUP  # shown as stored (escaped by whoever prints it), not acted on

    store = Store(config.data_dir)
    try:
        Scheduler(store, platform_window=timedelta(days=3)).tick()  # the app's own scheduler may have fired first
        fired = {e["data"]["order"]["order_no"] for e in store.events() if e["type"] == "order.overdue"}
        assert fired == {"GOOD"}
    finally:
        store.close()


# -- break 10: smaller breaks -------------------------------------------------------------------------------


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/orders", "[" * 100_000 + "]" * 100_000),
    ("POST", "/api/orders", '{"url": "https://shop.example/o", "order_no": ' + "[" * 50_000 + "]" * 50_000 + "}"),
    ("GET", "/api/orders/99999999999999999999999999", None),
    ("GET", "/api/captures/\u0663", None),  # an Arabic-Indic digit: isdigit() says yes, int() agrees, SQLite never sees it
    ("POST", "/api/orders/1/actions", '{"action": "contacted_merchant", "at": null, "note": null}'.replace("null}", "null, \"reference\": null}")),
    ("POST", "/api/notifications", '{"event_seq": 100000000000000000000000, "channel": "system"}'),
    ("POST", "/api/captures", '{"kind": "order", "url": "https://shop.example/", "order_id": 100000000000000000000000}'),
])
async def test_break10_deep_json_and_huge_ids_are_400(client, auth, method, path, body):
    """Break 10: nested JSON and huge ids gave 500 instead of 400."""
    if path.endswith("/actions"):  # an order id past SQLite's range in the path of a valid body
        path = "/api/orders/" + "9" * 30 + "/actions"
    r = await client.request(method, path, data=body, headers={**auth, "Content-Type": "application/json"})
    assert r.status == 400, (r.status, await r.text())
    assert (await r.json())["error"]["code"] == "bad_request"


async def test_break10_export_names_are_exact(client, auth, config):
    """Break 10: `evil.zip\\n` passed the export-name check."""
    r = await client.post("/api/orders", json={"url": "https://shop.example/o", "order_no": "A1"}, headers=auth)
    oid = (await r.json())["order"]["id"]
    for name in ("evil.zip\n", "evil.zip\r\nX: y", "../evil.zip", "evil.zip/", "evil.zip\x00"):
        r = await client.post(f"/api/orders/{oid}/export", json={"name": name}, headers=auth)
        assert r.status == 400, name
    assert not (config.data_dir / "exports").exists() or list((config.data_dir / "exports").iterdir()) == []


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares its size (and holds one scanline): how a decompression bomb starts."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * (width + 1))) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [30_000, 12_000])
async def test_break10_huge_png_import_is_a_clear_400(client, auth, side):
    """Break 10: a 30000x30000 PNG import was an uncaught DecompressionBombError (500 / traceback); 12000x12000
    only warned and was decoded (432 MB)."""
    from aiohttp import FormData

    form = FormData()
    form.add_field("file", _png_header_only(side, side), filename="bill.png", content_type="image/png")
    r = await client.post("/api/import", data=form, headers=auth)
    assert r.status == 400, await r.text()
    assert "too large" in (await r.json())["error"]["message"]


def test_break10_huge_png_import_cli_is_a_clear_message(tmp_path):
    from conftest import run_witness

    image = tmp_path / "bomb.png"
    image.write_bytes(_png_header_only(30_000, 30_000))
    (tmp_path / "data").mkdir()  # import starts a store only in the default folder or an empty one made on purpose
    proc = run_witness("import", str(image), data_dir=tmp_path / "data")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "too large" in proc.stderr


async def test_break10_passwords_in_urls_are_dropped_before_storing(client, auth, config):
    """Break 10: a `user:pass@` URL kept its password in the order, meta.json and so in exports."""
    r = await client.post("/api/orders", json={"url": "https://buyer:hunter2@shop.example/o/1", "order_no": "A1"},
                          headers=auth)
    assert r.status == 200 and (await r.json())["order"]["url"] == "https://shop.example/o/1"
    store = Store(config.data_dir)
    try:
        cap = store.add_capture(kind="other", source="import", url="http://u:hunter2@shop.example/x",
                                files={"a.txt": b"x"}, meta={"page": {"url": "http://u:hunter2@shop.example/x"},
                                                             "note": "see ftp://a:hunter2@files.example/"})
        assert "hunter2" not in json.dumps(cap)
    finally:
        store.close()


@pytest.fixture
async def basic_auth_page(aiohttp_server):
    """A page behind HTTP basic auth, as a shop's staging area or a router page would be."""
    from aiohttp import web

    async def page(request):
        if request.headers.get("Authorization") != "Basic " + base64.b64encode(b"buyer:hunter2").decode():
            return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="shop"'})
        return web.Response(text="<html><head><title>订单详情</title></head><body><p>订单号：A1</p>"
                                 "<p>已登录 authorized</p></body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/order", page)
    server = await aiohttp_server(app)
    return f"http://buyer:hunter2@127.0.0.1:{server.port}/order"


@pytest.mark.browser
async def test_break10_a_capture_of_a_url_with_a_password_stores_no_password(aiohttp_client, tmp_path, basic_auth_page):
    from helper.api import create_app
    from helper.core.config import Config, read_or_create_token

    config = Config(data_dir=tmp_path / "data", ocr_background=False)
    client = await aiohttp_client(create_app(config))
    auth = {"Authorization": f"Bearer {read_or_create_token(config)}"}
    r = await client.post("/api/captures", json={"kind": "order", "url": basic_auth_page}, headers=auth)
    assert r.status == 200, await r.text()
    cap = (await r.json())["capture"]
    assert "hunter2" not in json.dumps(cap)
    for art in cap["artifacts"]:
        body = await (await client.get(f"/api/captures/{cap['id']}/files/{art['name']}", headers=auth)).read()
        assert b"hunter2" not in body, art["name"]
        if art["name"] == "text.txt":
            assert "authorized" in body.decode()  # the credentials were used, only not kept


@pytest.mark.parametrize("args", [
    ["draft", "9" * 30, "--channel", "platform"],
    ["export", "9" * 30, "--out", "{tmp}/x.zip"],
])
def test_break10_huge_ids_on_the_command_line_are_a_clear_message(tmp_path, args):
    """An id SQLite cannot hold was an OverflowError traceback from the CLI too."""
    from conftest import run_witness

    Store(tmp_path / "data").close()
    proc = run_witness(*[a.format(tmp=tmp_path) for a in args], data_dir=tmp_path / "data")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "out of range" in proc.stderr, proc.stderr
