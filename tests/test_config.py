"""Configuration, data directory, token, extension ID pinning."""

import base64
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from conftest import ROOT, run_witness
from helper.capture.browser import find_chromium
from helper.core.config import EXTENSION_ID, Config, default_data_dir, load_config, read_or_create_token
from helper.core.errors import BrowserNotFound, ConfigError


def test_default_data_dir_per_platform():
    home = Path("/home/u")
    assert default_data_dir({}, "linux", home) == home / ".local/share/order-witness"
    assert default_data_dir({"XDG_DATA_HOME": "/x"}, "linux", home) == Path("/x/order-witness")
    assert default_data_dir({}, "darwin", home) == home / "Library/Application Support/order-witness"
    assert default_data_dir({"LOCALAPPDATA": "C:/L"}, "win32", home) == Path("C:/L/order-witness")
    assert default_data_dir({"WITNESS_DATA_DIR": "/d"}, "linux", home) == Path("/d")


def test_config_file_and_env(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"port": 20000, "tsa_url": "http://tsa.local/"}))
    cfg = load_config(tmp_path, env={"WITNESS_PORT": "20001"})
    assert cfg.port == 20001 and cfg.tsa_url == "http://tsa.local/"
    assert load_config(tmp_path, env={}, port=20002).port == 20002


@pytest.mark.parametrize("content, needle", [
    ("{", "cannot read"), ("[]", "JSON object"), ('{"colour": 1}', "unknown keys"), ('{"port": "x"}', "number"),
    ('{"port": 70000}', "out of range"),
])
def test_bad_config_is_a_clear_error(tmp_path, content, needle):
    (tmp_path / "config.json").write_text(content)
    with pytest.raises(ConfigError, match=needle):
        load_config(tmp_path, env={})


def test_token_file_is_private_and_stable(tmp_path):
    cfg = Config(data_dir=tmp_path / "d")
    t1 = read_or_create_token(cfg)
    assert len(t1) >= 40
    assert stat.S_IMODE(os.stat(cfg.token_path).st_mode) == 0o600
    assert read_or_create_token(cfg) == t1
    proc = run_witness("token", data_dir=cfg.data_dir, check=True)
    assert proc.stdout.strip() == t1


def test_manifest_key_pins_the_extension_id():
    manifest = json.loads((ROOT / "manifest.json").read_text("utf-8"))
    der = base64.b64decode(manifest["key"])
    digest = hashlib.sha256(der).hexdigest()[:32]
    assert "".join(chr(ord("a") + int(c, 16)) for c in digest) == EXTENSION_ID


def test_find_chromium():
    assert find_chromium(platform="linux", exists=lambda p: p == "/usr/bin/chromium") == "/usr/bin/chromium"
    with pytest.raises(BrowserNotFound):
        find_chromium("/nope/chrome")
    assert os.path.exists(find_chromium())


def test_cli_without_command_is_a_usage_error():
    assert run_witness().returncode == 2
