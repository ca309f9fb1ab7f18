"""The auth matrix: token, Origin, Host, WebSocket; every refusal leaves the database unchanged."""

import hashlib

import aiohttp
import pytest

from conftest import EXT_ORIGIN


def db_digest(config) -> str:
    h = hashlib.sha256()
    for name in ("witness.db", "witness.db-wal"):
        p = config.data_dir / name
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()


async def test_health_needs_no_token_and_reveals_nothing_private(client, config):
    r = await client.get("/api/health")
    assert r.status == 200
    body = await r.json()
    assert body["status"] == "ok" and body["app"] == "order-witness"
    assert str(config.data_dir) not in await r.text()
    assert not any(h.lower().startswith("access-control") for h in r.headers)


@pytest.mark.parametrize("headers, status, code", [
    ({}, 401, "not_paired"),
    ({"Authorization": "Bearer wrong"}, 401, "not_paired"),
    ({"Authorization": "Basic abc"}, 401, "not_paired"),
])
async def test_token_required(client, config, headers, status, code):
    before = db_digest(config)
    for method, path in (("GET", "/api/orders"), ("GET", "/api/orders/1"), ("POST", "/api/verify"),
                         ("POST", "/api/orders"), ("GET", "/api/captures/1/files/page.png")):
        r = await client.request(method, path, headers=headers, json={"url": "https://x.example/", "order_no": "1"})
        assert r.status == status, path
        assert (await r.json())["error"]["code"] == code
    assert db_digest(config) == before


async def test_right_token(client, auth):
    r = await client.get("/api/orders", headers=auth)
    assert r.status == 200
    assert await r.json() == {"orders": []}
    r = await client.get("/api/orders", headers={**auth, "Origin": EXT_ORIGIN})
    assert r.status == 200
    assert not any(h.lower().startswith("access-control") for h in r.headers)


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                    "http://127.0.0.1:1234"])
async def test_foreign_origin_refused_even_with_token(client, auth, config, origin):
    before = db_digest(config)
    for method, path in (("GET", "/api/orders"), ("POST", "/api/verify"), ("GET", "/api/health"), ("POST", "/api/orders")):
        r = await client.request(method, path, headers={**auth, "Origin": origin}, json={"url": "https://x.example/", "order_no": "1"})
        assert r.status == 403, (path, origin)
        assert (await r.json())["error"]["code"] == "bad_origin"
        assert not any(h.lower().startswith("access-control") for h in r.headers)
    r = await client.options("/api/orders", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    assert r.status == 403
    assert db_digest(config) == before


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1:1", "localhost.evil.example:{port}"])
async def test_rebinding_host_refused(client, auth, config, host):
    before = db_digest(config)
    port = client.server.port
    for method, path in (("GET", "/api/orders"), ("POST", "/api/verify"), ("GET", "/api/health"), ("POST", "/api/orders")):
        r = await client.request(method, path, headers={**auth, "Host": host.format(port=port)},
                                 json={"url": "https://x.example/", "order_no": "1"})
        assert r.status == 421, (path, host)
        assert (await r.json())["error"]["code"] == "bad_host"
    assert db_digest(config) == before


async def test_localhost_host_accepted(client, auth):
    r = await client.get("/api/orders", headers={**auth, "Host": f"localhost:{client.server.port}"})
    assert r.status == 200


async def test_errors_are_json(client, auth):
    r = await client.get("/api/nope", headers=auth)
    assert r.status == 404 and (await r.json())["error"]["code"] == "not_found"
    r = await client.get("/api/orders/abc", headers=auth)
    assert r.status == 400 and (await r.json())["error"]["code"] == "bad_request"
    r = await client.get("/api/orders/42", headers=auth)
    assert r.status == 404 and "42" in (await r.json())["error"]["message"]
    r = await client.delete("/api/orders", headers=auth)
    assert r.status == 405 and (await r.json())["error"]["code"] == "method_not_allowed"


async def test_body_size_limit_and_bad_bodies(aiohttp_client, config, token):
    from helper.api import create_app

    client = await aiohttp_client(create_app(config.with_(max_body_bytes=1024)))
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    big = '{"url": "https://shop.example/", "order_no": "%s"}' % ("1" * 4096)
    r = await client.post("/api/orders", data=big, headers=auth)
    assert r.status == 413 and (await r.json())["error"]["code"] == "too_large"
    for body, needle in [("{not json", "malformed JSON"), ("[1, 2]", "JSON object"),
                         ('{"url": 5, "order_no": "1"}', "wrong type"),
                         ('{"url": "https://shop.example/"}', "missing field: order_no"),
                         ('{"url": "file:///etc/passwd", "order_no": "1"}', "http(s)"),
                         ('{"url": "https://shop.example/", "order_no": "1", "x": 1}', "unknown fields"),
                         ('{"url": "https://shop.example/", "order_no": "1", "promise_seconds": true}', "wrong type")]:
        r = await client.post("/api/orders", data=body, headers=auth)
        assert r.status == 400, body
        assert needle in (await r.json())["error"]["message"]
    r = await client.get("/api/orders", headers=auth)
    assert (await r.json()) == {"orders": []}
    r = await client.post("/api/orders", json={"url": "https://Shop.Example/x", "order_no": "1", "amount": "5.00"}, headers=auth)
    assert r.status == 200
    assert (await r.json())["order"]["shop_host"] == "shop.example"


async def ws_connect(client, origin=EXT_ORIGIN):
    headers = {"Origin": origin} if origin else {}
    return await client.ws_connect("/api/events", headers=headers)


async def test_websocket_foreign_origin_refused_at_handshake(client, config):
    before = db_digest(config)
    for origin in ("http://evil.example", "null", "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"):
        with pytest.raises(aiohttp.WSServerHandshakeError) as e:
            await ws_connect(client, origin)
        assert e.value.status == 403
    assert db_digest(config) == before


async def test_websocket_needs_token_first(client, token):
    ws = await ws_connect(client)
    await ws.send_json({"type": "auth", "token": "wrong"})
    msg = await ws.receive_json()
    assert msg["error"]["code"] == "not_paired"
    closing = await ws.receive()
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert ws.close_code == 4001

    ws = await ws_connect(client)
    await ws.send_str("not json")
    assert (await ws.receive_json())["error"]["code"] == "not_paired"


async def test_websocket_pushes_and_replays_events(client, auth, token):
    ws = await ws_connect(client)
    await ws.send_json({"type": "auth", "token": token, "since": 0})
    assert (await ws.receive_json()) == {"type": "ready", "head": 0}
    r = await client.post("/api/verify", headers=auth)
    assert (await r.json())["ok"]
    msg = await ws.receive_json(timeout=30)
    assert msg["type"] == "event" and msg["event"]["type"] == "verify.run" and msg["event"]["seq"] == 1
    await ws.close()

    # A client that was away asks for what it missed.
    await client.post("/api/verify", headers=auth)
    ws = await ws_connect(client)
    await ws.send_json({"type": "auth", "token": token, "since": 1})
    assert (await ws.receive_json()) == {"type": "ready", "head": 2}
    replayed = await ws.receive_json(timeout=30)
    assert replayed["event"]["seq"] == 2
    await ws.close()
