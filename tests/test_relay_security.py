"""Security of the buyer's-tab relay (issue 11): only the paired extension opens it (Origin pinned, token), only
with a fresh capture-scoped secret, only the CDP the engine needs passes, and the token stays in the worker."""

from __future__ import annotations

import json
import re

import aiohttp
import pytest

from conftest import EXT_ORIGIN, ROOT
from helper.capture.relay import ALLOWED_METHODS, RelayChannel, RelayTickets
from helper.core.errors import CaptureError

TAB = {"url": "http://127.0.0.1:9/member/order/D8K2M4Q7X1N5R9T3", "title": "订单详情"}


async def ticket(client, auth) -> dict:
    r = await client.post("/api/relay", headers=auth, json={"kind": "order", "tab": TAB})
    assert r.status == 200, await r.text()
    return await r.json()


async def open_relay(client, origin=EXT_ORIGIN):
    headers = {"Origin": origin} if origin is not None else {}
    return await client.ws_connect("/api/relay/ws", headers=headers)


async def test_a_ticket_needs_the_token_and_a_well_formed_request(client, auth):
    r = await client.post("/api/relay", json={"kind": "order", "tab": TAB})
    assert r.status == 401
    r = await client.post("/api/relay", headers={**auth, "Origin": "https://shop.example"}, json={"kind": "order", "tab": TAB})
    assert r.status == 403
    r = await client.post("/api/relay", headers=auth, json={"kind": "order", "tab": {"url": 5}})
    assert r.status == 400
    t = await ticket(client, auth)
    assert t["ws"] == "/api/relay/ws" and len(t["secret"]) >= 40 and t["expires_in"] == 30


@pytest.mark.parametrize("origin", [None, "https://shop.example", "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "null"])
async def test_only_the_extension_origin_may_open_the_relay(client, origin):
    with pytest.raises(aiohttp.WSServerHandshakeError) as e:
        await open_relay(client, origin)
    assert e.value.status == 403


@pytest.mark.parametrize("hello", [
    None,  # nothing said: closed after the hello timeout (shortened here by closing)
    {"type": "hello", "token": "wrong"},
    {"type": "hello", "token": "<token>", "ticket": "<ticket>", "secret": "wrong"},
    {"type": "hello", "token": "<token>", "ticket": "nope", "secret": "<secret>"},
    {"type": "auth", "token": "<token>"},
])
async def test_a_hello_without_token_and_ticket_secret_is_refused(client, auth, token, hello):
    t = await ticket(client, auth)
    ws = await open_relay(client)
    if hello is None:
        await ws.send_str("not json")
    else:
        text = json.dumps(hello).replace("<token>", token).replace("<ticket>", t["ticket"]).replace("<secret>", t["secret"])
        await ws.send_str(text)
    msg = await ws.receive(timeout=30)
    assert json.loads(msg.data)["error"]["code"] == "not_paired"
    await ws.receive(timeout=30)
    assert ws.close_code == 4001


async def test_a_ticket_works_once_and_the_extension_is_asked_to_attach_only_then(client, auth, token):
    t = await ticket(client, auth)
    hello = {"type": "hello", "token": token, "ticket": t["ticket"], "secret": t["secret"]}
    ws = await open_relay(client)
    await ws.send_json(hello)
    assert (await ws.receive_json(timeout=30)) == {"type": "attach"}
    await ws.send_json({"type": "attach_failed", "message": "Another debugger is already attached to the tab"})
    reply = await ws.receive_json(timeout=30)
    assert reply["type"] == "error" and reply["error"]["code"] == "attach_failed"
    assert "开发者工具" in reply["error"]["message"] and "witness start" in reply["error"]["message"]
    await ws.close()
    again = await open_relay(client)
    await again.send_json(hello)  # replayed: refused
    assert (await again.receive_json(timeout=30))["error"]["code"] == "not_paired"
    await again.close()
    r = await client.get("/api/orders", headers=auth)
    assert r.status == 200 and (await client.get("/api/health")).status == 200


def test_tickets_expire_and_are_bounded():
    now = [0.0]
    tickets = RelayTickets(clock=lambda: now[0])
    t = tickets.issue({"kind": "order"})
    now[0] = 31
    assert tickets.redeem(t.id, t.secret) is None
    for _ in range(4):
        tickets.issue({"kind": "order"})
    with pytest.raises(Exception, match="too many"):
        tickets.issue({"kind": "order"})
    assert tickets.redeem(None, None) is None and tickets.redeem(t.id, 5) is None


async def test_only_the_engines_cdp_methods_pass_both_ways():
    sent = []

    async def send(msg):
        sent.append(msg)

    channel = RelayChannel(send)
    for method in ("Runtime.callFunctionOn", "Page.navigate", "Network.getCookies", "Storage.getCookies",
                   "Input.dispatchKeyEvent", "Target.createTarget"):
        with pytest.raises(CaptureError, match="not relayed"):
            await channel.send(method, {})
    assert sent == []
    # The extension's list is the same set (it refuses anything else on its side as well).
    js = (ROOT / "extension/sw/relay.js").read_text("utf-8")
    block = js.split("const RELAY_METHODS = new Set([", 1)[1].split("]);", 1)[0]
    assert set(re.findall(r"'([A-Za-z]+\.[A-Za-z]+)'", block)) == set(ALLOWED_METHODS)
    channel.gone("closed")
    with pytest.raises(CaptureError, match="relay closed"):
        await channel.send("Page.getFrameTree")
