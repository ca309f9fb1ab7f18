"""OCR inside the helper: background reading of stored screenshots, search, cross-check, payment import,
and survival when the engine is missing."""

import asyncio
import io
import json

import pytest
from PIL import Image, ImageDraw, ImageFont

from conftest import run_witness
from helper.capture.stamp import find_cjk_font
from helper.core.config import Config
from helper.store import Store, verify

BILL = ["支付成功", "-588.00", "商品说明  王者荣耀648点券", "收款方全称  深圳星辰网络科技有限公司",
        "支付时间  2026-11-27 10:00:12", "支付方式  零钱", "交易单号  4200002026112712345678",
        "商户单号  K7Q2M9X4T1B8C3D5"]
ORDER = ["订单详情", "订单号：K7Q2M9X4T1B8C3D5", "订单名称：王者荣耀 648 点券", "实际支付价格：¥ 588.00", "订单状态：待处理"]


def render(lines, size=30) -> bytes:
    path, index = find_cjk_font()
    font = ImageFont.truetype(path, size, index=index)
    img = Image.new("RGB", (900, 60 + len(lines) * int(size * 1.8)), "white")
    d = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        d.text((40, 30 + i * int(size * 1.8)), line, fill=(20, 20, 20), font=font)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_import_payment_bill_keeps_the_original_and_reads_it(tmp_path):
    bill = tmp_path / "微信支付账单 IMG_2041.PNG"
    bill.write_bytes(render(BILL))
    data_dir = tmp_path / "data"
    data_dir.mkdir()  # import starts a store only in the default folder or an empty one made on purpose
    proc = run_witness("import", str(bill), "--kind", "payment", "--json", data_dir=data_dir, check=True)
    out = json.loads(proc.stdout)
    cap = out["capture"]
    assert cap["kind"] == "payment" and cap["source"] == "import"
    assert cap["meta"]["original_name"] == "微信支付账单 IMG_2041.PNG"
    [art] = cap["artifacts"]
    with open(art["path"], "rb") as f:
        assert f.read() == bill.read_bytes()
    assert out["ocr"]["status"] == "done"
    pay = out["ocr"]["checks"]["payment"]
    assert pay["amount"] == "588.00"
    assert pay["time"].startswith("2026-11-27T10:00:12")
    assert pay["transaction_no"] == "4200002026112712345678"
    assert "星辰网络" in (pay["counterparty"] or "")
    proc = run_witness("search", "星辰网络", "--json", data_dir=data_dir, check=True)
    assert [r["capture_id"] for r in json.loads(proc.stdout)["results"]] == [cap["id"]]
    assert run_witness("verify", data_dir=data_dir).returncode == 0


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n broken", b"just some text", None])
def test_import_rejects_non_images_and_stores_nothing(tmp_path, content):
    f = tmp_path / "bad.png"
    if content is not None:
        f.write_bytes(content)
    data_dir = tmp_path / "data"
    proc = run_witness("import", str(f), data_dir=data_dir)
    assert proc.returncode == 2
    assert "witness:" in proc.stderr and "Traceback" not in proc.stderr
    if (data_dir / "witness.db").exists():
        assert Store(data_dir).query("SELECT count(*) AS n FROM captures")[0]["n"] == 0


async def wait_ocr(client, auth, cid, timeout=60):
    for _ in range(int(timeout * 10)):
        r = await client.get(f"/api/captures/{cid}/ocr", headers=auth)
        body = await r.json()
        if body["status"] != "pending":
            return body
        await asyncio.sleep(0.1)
    raise AssertionError("OCR did not finish")


async def test_background_ocr_search_and_cross_check(client, auth, config):
    r = await client.post("/api/orders", json={"url": "https://shop.example/o", "order_no": "K7Q2M9X4T1B8C3D5",
                                                "amount": "588.00"}, headers=auth)
    oid = (await r.json())["order"]["id"]
    store = Store(config.data_dir)
    cap = store.add_capture(kind="order", source="url", url="https://shop.example/o", files={"page.png": render(ORDER)},
                            order_id=oid)
    store.close()
    body = await wait_ocr(client, auth, cap["id"])
    assert body["status"] == "done"
    [row] = body["ocr"]
    assert "K7Q2M9X4T1B8C3D5" in row["text"].replace(" ", "")
    assert row["checks"] == {"order_no_in_image": True, "amount_in_image": True}
    r = await client.get("/api/search", params={"q": "K7Q2M9X4"}, headers=auth)
    assert [x["capture_id"] for x in (await r.json())["results"]] == [cap["id"]]
    r = await client.get("/api/search", params={"q": "订单"}, headers=auth)  # two characters: scanned
    assert len((await r.json())["results"]) == 1
    r = await client.get("/api/search", params={"q": ""}, headers=auth)
    assert r.status == 400


async def test_order_capture_linked_after_its_reading_is_cross_checked(client, auth):
    """The after-capture step links an order page to its order; when the OCR reading finished first, the
    cross-check is made on the link (an `ocr.checked` chain event) and verify still finds all intact."""
    from helper.api import keys

    r = await client.post("/api/orders", json={"url": "https://shop.example/o", "order_no": "K7Q2M9X4T1B8C3D5",
                                                "amount": "588.00"}, headers=auth)
    oid = (await r.json())["order"]["id"]
    store = client.server.app[keys.STORE]
    cap = store.add_capture(kind="order", source="url", url="https://shop.example/o", files={"page.png": render(ORDER)})
    body = await wait_ocr(client, auth, cap["id"])
    assert body["status"] == "done" and body["ocr"][0]["checks"] == {}  # read before it had an order
    store.link_capture(cap["id"], oid)
    for _ in range(600):
        r = await client.get(f"/api/captures/{cap['id']}/ocr", headers=auth)
        [row] = (await r.json())["ocr"]
        if row["checks"]:
            break
        await asyncio.sleep(0.1)
    assert row["checks"] == {"order_no_in_image": True, "amount_in_image": True}
    checked = [e for e in store.events(order_id=oid) if e["type"] == "ocr.checked"]
    assert [e["data"]["checks"] for e in checked] == [row["checks"]]
    r = await client.post("/api/verify", headers=auth)
    assert (await r.json())["ok"], await r.text()


async def test_import_route(client, auth):
    form = {"file": io.BytesIO(render(BILL)), "kind": "payment"}
    import aiohttp

    data = aiohttp.FormData()
    data.add_field("file", render(BILL), filename="bill.png", content_type="image/png")
    data.add_field("kind", "payment")
    r = await client.post("/api/import", data=data, headers=auth)
    assert r.status == 200
    cid = (await r.json())["capture"]["id"]
    body = await wait_ocr(client, auth, cid)
    assert body["ocr"][0]["checks"]["payment"]["amount"] == "588.00"
    bad = aiohttp.FormData()
    bad.add_field("file", b"not an image", filename="x.png")
    r = await client.post("/api/import", data=bad, headers=auth)
    assert r.status == 400
    r = await client.post("/api/import", json={"file": "x"}, headers=auth)
    assert r.status == 400
    del form


async def test_missing_engine_fails_softly(aiohttp_client, tmp_path, token):
    from helper.api import create_app
    from helper.core.config import read_or_create_token

    config = Config(data_dir=tmp_path / "d", ocr_engine="no-such-engine")
    token = read_or_create_token(config)
    client = await aiohttp_client(create_app(config))
    auth = {"Authorization": f"Bearer {token}"}
    store = Store(config.data_dir)
    cap = store.add_capture(kind="chat", source="url", files={"page.png": render(["你好"])})
    store.close()
    body = await wait_ocr(client, auth, cap["id"])
    assert body["status"] == "failed" and "no-such-engine" in body["ocr"][0]["error"]
    r = await client.get(f"/api/captures/{cap['id']}", headers=auth)
    assert r.status == 200
    assert verify(Store(config.data_dir))["ok"]


def test_payment_fields_with_and_without_gaps_after_labels():
    from datetime import datetime

    from helper.core.clock import CHINA
    from helper.understanding.payment import payment_fields

    now = datetime(2026, 11, 27, 12, tzinfo=CHINA)
    for gap in ("", " ", "  "):
        text = "\n".join(line.replace("  ", gap) for line in BILL)
        pay = payment_fields(text, now)
        # Regression: with a gap, "收款方全称 深圳…" was split after the shorter label 收款方.
        assert pay["counterparty"] == "深圳星辰网络科技有限公司", gap
        assert pay["transaction_no"] == "4200002026112712345678"
        assert pay["amount"] == "588.00"


async def test_background_ocr_can_be_turned_off(aiohttp_client, tmp_path):
    from helper.api import create_app
    from helper.core.config import read_or_create_token

    config = Config(data_dir=tmp_path / "d", ocr_background=False)
    token = read_or_create_token(config)
    client = await aiohttp_client(create_app(config))
    store = Store(config.data_dir)
    cap = store.add_capture(kind="chat", source="url", files={"page.png": render(["你好"])})
    store.close()
    # No worker is started at all (so none can pick the capture up later, by event or by its rescan).
    from helper.api import keys

    assert keys.OCR not in client.server.app
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "ocr"]
    r = await client.get(f"/api/captures/{cap['id']}/ocr", headers={"Authorization": f"Bearer {token}"})
    assert (await r.json())["status"] == "pending"
