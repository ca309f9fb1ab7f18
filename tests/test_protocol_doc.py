"""Every route is documented in PROTOCOL.md with an example (sqlite-utils test_docs.py habit)."""

import re

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
