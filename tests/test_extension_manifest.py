"""Static checks of the extension: manifest, pinned ID, minimal permissions (each explained in the README),
locale files, every string and every service-worker action the code uses. No browser needed."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

from helper.core.config import EXTENSION_ID

ROOT = Path(__file__).resolve().parent.parent
EXT = ROOT / "extension"
MANIFEST = json.loads((ROOT / "manifest.json").read_text("utf-8"))
LOCALES = {p.parent.name: json.loads(p.read_text("utf-8")) for p in (ROOT / "_locales").glob("*/messages.json")}


def sources(*suffixes: str) -> dict[Path, str]:
    return {p: p.read_text("utf-8") for p in EXT.rglob("*") if p.suffix in suffixes}


def test_key_pins_the_extension_id():
    der = base64.b64decode(MANIFEST["key"])
    digest = hashlib.sha256(der).hexdigest()[:32]
    assert "".join(chr(ord("a") + int(c, 16)) for c in digest) == EXTENSION_ID


def test_permissions_are_minimal_and_each_is_explained_in_the_readme():
    assert MANIFEST["manifest_version"] == 3
    assert sorted(MANIFEST["permissions"]) == ["activeTab", "alarms", "debugger", "notifications", "storage"]
    assert MANIFEST["host_permissions"] == ["http://127.0.0.1/*", "http://localhost/*"]
    assert "optional_permissions" not in MANIFEST
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("### Extension permissions", 1)[1].split("\n## ", 1)[0]
    for perm in MANIFEST["permissions"] + MANIFEST["host_permissions"]:
        assert f"`{perm}`" in section, perm
    for match in MANIFEST["content_scripts"][0]["matches"]:
        assert f"`{match}`" in section, match


def test_every_file_the_manifest_names_exists():
    named = [MANIFEST["background"]["service_worker"], MANIFEST["action"]["default_popup"], MANIFEST["options_ui"]["page"]]
    named += list(MANIFEST["icons"].values()) + list(MANIFEST["action"]["default_icon"].values())
    for cs in MANIFEST["content_scripts"]:
        named += cs["js"]
    for rel in named:
        assert (ROOT / rel).is_file(), rel
    block = (EXT / "background.js").read_text("utf-8").split("importScripts(", 1)[1].split(");", 1)[0]
    imported = re.findall(r"'([\w/]+\.js)'", block)
    assert imported and all((EXT / rel).is_file() for rel in imported)
    for html, text in sources(".html").items():
        for ref in re.findall(r'(?:src|href)="([^"#]+)"', text):
            assert not ref.startswith(("http:", "https:", "//")), f"{html.name} loads remote {ref}"
            assert (html.parent / ref).is_file(), f"{html.name}: {ref}"


def test_icons_are_pngs_of_the_declared_sizes():
    from PIL import Image

    for size, rel in MANIFEST["icons"].items():
        with Image.open(ROOT / rel) as im:
            assert im.format == "PNG" and im.size == (int(size), int(size))


def test_locales_have_the_same_keys_and_placeholders():
    assert MANIFEST["default_locale"] == "zh_CN"
    assert set(LOCALES) == {"zh_CN", "en"}
    zh, en = LOCALES["zh_CN"], LOCALES["en"]
    assert set(zh) == set(en)
    for key in zh:
        assert set(re.findall(r"\$\d", zh[key]["message"])) == set(re.findall(r"\$\d", en[key]["message"])), key
    assert zh["lang"]["message"] == "zh" and en["lang"]["message"] == "en"


def test_every_string_the_code_uses_is_in_the_locales():
    used = set()
    for path, text in sources(".js", ".html").items():
        used |= set(re.findall(r"\bt\('([A-Za-z]+)'", text))
        used |= set(re.findall(r'data-i18n(?:-placeholder|-title)?="([A-Za-z]+)"', text))
        used |= set(re.findall(r"'(err[A-Z][A-Za-z]+|act[A-Z][A-Za-z]+|warn[A-Z][A-Za-z]+)'", text))
    used |= {m[len("__MSG_"):-2] for m in re.findall(r"__MSG_\w+__", json.dumps(MANIFEST))}
    missing = sorted(k for k in used if k not in LOCALES["zh_CN"])
    assert not missing, missing


def test_every_action_sent_has_a_handler_and_page_actions_are_few():
    background = (EXT / "background.js").read_text("utf-8")
    table = background.split("const HANDLERS = {", 1)[1].split("\n};", 1)[0]
    handlers = dict(re.findall(r"^  '([\w.]+)': \{ from: (\w+|\[[^\]]*\]),", table, re.M))
    sent = set()
    for path, text in sources(".js").items():
        sent |= set(re.findall(r"sendMessage\('([\w.]+)'", text))
    assert sent <= set(handlers), sent - set(handlers)
    # What a content script (a web page's tab) may ask for; everything else is for the extension's pages.
    page_ok = {name for name, frm in handlers.items() if "PAGE" in frm}
    assert page_ok == {"page.analyze", "page.capture", "chat.snapshot", "viewer.open", "i18n.strings", "page.risk",
                       "offer.snapshot", "case.open"}
