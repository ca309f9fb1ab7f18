"""Every route is documented in PROTOCOL.md with an example (sqlite-utils test_docs.py habit)."""

import re

import aiohttp
import pytest

from conftest import ROOT
from helper.api.routes import ROUTES


def test_every_route_is_documented():
    doc = (ROOT / "PROTOCOL.md").read_text("utf-8")
    headings = set(re.findall(r"^### (GET|POST|PUT|DELETE|WS) (\S+)", doc, re.M))
    missing = []
    for method, path, _ in ROUTES:
        doc_method = "WS" if path == "/api/events" or path.endswith("/ws") else method
        if (doc_method, path) not in headings:
            missing.append(f"{doc_method} {path}")
    assert not missing, f"undocumented routes in PROTOCOL.md: {missing}"


def test_documented_routes_exist():
    doc = (ROOT / "PROTOCOL.md").read_text("utf-8")
    real = {("WS" if p == "/api/events" or p.endswith("/ws") else m, p) for m, p, _ in ROUTES}
    stale = [f"{m} {p}" for m, p in re.findall(r"^### (GET|POST|PUT|DELETE|WS) (\S+)", doc, re.M) if (m, p) not in real]
    assert not stale, f"PROTOCOL.md documents routes that do not exist: {stale}"


def test_each_route_section_has_an_example():
    doc = (ROOT / "PROTOCOL.md").read_text("utf-8")
    sections = re.split(r"^### ", doc, flags=re.M)[1:]
    for section in sections:
        assert "```" in section, f"no example in section {section.splitlines()[0]}"


# -- each route's documented answer against a live one ------------------------------------------------------

WS_ROUTES = {("GET", "/api/events"), ("GET", "/api/relay/ws")}  # their sections document messages, not a 200 answer


def documented_answers() -> dict:
    """(method, path) -> the first 200 answer of its section: (top-level keys, open) for a JSON object (open when
    the example elides top-level keys with …), or the content type of another answer."""
    doc = (ROOT / "PROTOCOL.md").read_text("utf-8")
    answers = {}
    for section in re.split(r"^### ", doc, flags=re.M)[1:]:
        method, path = section.split(None, 2)[:2]
        at = re.search(r"^200 ", section, re.M)
        if at is None:
            continue
        rest = section[at.end():]
        answers[("GET" if method == "WS" else method, path)] = (
            _top_level_keys(rest) if rest.startswith("{") else rest.split()[0])
    return answers


def _top_level_keys(text: str) -> tuple[set, bool]:
    keys, depth, open_, i = set(), 0, False, 0
    while i < len(text):
        c = text[i]
        if c == '"':
            end = text.index('"', i + 1)
            while text[end - 1] == "\\":
                end = text.index('"', end + 1)
            if depth == 1 and re.match(r"\s*:", text[end + 1:]):
                keys.add(text[i + 1:end])
            i = end
        elif c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                return keys, open_
        elif c == "…" and depth == 1:
            open_ = True
        i += 1
    raise AssertionError(f"unbalanced example answer: {text[:80]!r}")


def test_the_key_reader():
    assert _top_level_keys('{"a": {"b": 1, "c": "x}"}, "d": [{"e": 2}], …}\n200 {"f": 1}') == ({"a", "d"}, True)
    assert _top_level_keys('{"a": "…", "b": {…}}') == ({"a", "b"}, False)


@pytest.mark.browser
async def test_documented_answers_match_live_ones(aiohttp_client, aiohttp_server, config, token):
    """Each route is called with a valid request on the real app (a real capture of the demo shop included);
    the top-level keys of its JSON answer are those of PROTOCOL.md's example (a subset when the example elides
    keys with …), and a file answer has the documented content type."""
    from helper.api import create_app
    from helper.demoshop import REFERENCE_NOW, create_shop_app

    shop = await aiohttp_server(create_shop_app(now=lambda: REFERENCE_NOW))
    client = await aiohttp_client(create_app(config.with_(ocr_background=False)))
    auth = {"Authorization": f"Bearer {token}"}
    documented = documented_answers()
    called, mismatches = set(), []

    async def call(method: str, template: str, *, query: str = "", **kw):
        path = template.format(**kw.pop("params", {}))
        r = await client.request(method, path + query, headers=auth, **kw)
        assert r.status == 200, (method, path, await r.text())
        called.add((method, template))
        want = documented[(method, template)]
        if isinstance(want, str):
            if not r.content_type == want:
                mismatches.append(f"{method} {template}: {r.content_type}, documented {want}")
            return None
        body = await r.json()
        keys, open_ = want
        if not (keys <= body.keys() if open_ else keys == body.keys()):
            mismatches.append(f"{method} {template}: live {sorted(body)}, documented {sorted(keys)}{' …' if open_ else ''}")
        return body

    page = f"http://127.0.0.1:{shop.port}/detail-order-sn/D8K2M4Q7X1N5R9T3"
    await call("GET", "/api/health")
    order = (await call("POST", "/api/orders", json={"url": page, "order_no": "D8K2M4Q7X1N5R9T3", "amount": "100.00"}))["order"]
    cap = (await call("POST", "/api/captures", json={"kind": "order", "url": page}))["capture"]
    oid, cid = {"id": order["id"]}, {"id": cap["id"]}
    await call("GET", "/api/orders")
    await call("GET", "/api/orders/{id}", params=oid)
    await call("GET", "/api/orders/{id}/drafts/{channel}", params={**oid, "channel": "payment"})
    action = (await call("POST", "/api/orders/{id}/actions", params=oid, json={"action": "contacted_merchant"}))["event"]
    await call("GET", "/api/orders/{id}/case", params=oid)
    await call("POST", "/api/orders/{id}/actions/{seq}/withdraw", params={**oid, "seq": action["seq"]}, json={})
    await call("POST", "/api/notifications", json={"event_seq": action["seq"], "channel": "system"})
    package = (await call("POST", "/api/orders/{id}/export", params=oid, json={"name": "protocol.zip"}))["path"]
    name = {"name": package.rsplit("/", 1)[1]}
    await call("GET", "/api/packages/{name}", params=name)
    await call("POST", "/api/packages/{name}/verify", params=name, json={})
    await call("POST", "/api/relay", json={"kind": "order", "tab": {"url": page, "title": "订单详情"}})
    await call("GET", "/api/captures/{id}", params=cid)
    await call("GET", "/api/captures/{id}/files/{name}", params={**cid, "name": "stamped.png"})
    await call("GET", "/api/captures/{id}/ocr", params=cid)
    await call("GET", "/api/captures/{id}/thumbnail", params=cid)
    await call("GET", "/api/search", query="?q=D8K2M4Q7")
    form = aiohttp.FormData()
    form.add_field("file", (ROOT / "extension" / "icons" / "icon128.png").read_bytes(), filename="bill.png",
                   content_type="image/png")
    form.add_field("kind", "payment")
    await call("POST", "/api/import", data=form)
    html = await (await client.session.get(page)).text()
    await call("POST", "/api/analyze", json={"url": page, "html": html})
    await call("POST", "/api/risk", json={"url": page, "html": html})
    await call("POST", "/api/offers", json={"url": page, "html": html, "title": "订单详情", "reason": "checkout"})
    await call("POST", "/api/verify")
    assert called == {(m, p) for m, p, _ in ROUTES} - WS_ROUTES, "a route without a live call here"
    assert not mismatches, "PROTOCOL.md's example answers differ from live ones:\n" + "\n".join(mismatches)
