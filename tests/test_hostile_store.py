"""Hostile changes to the evidence store and its folder (issue 15, breaks 6 and 9).

Each test names the break it pins; each failed on the code before the fix."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest

from conftest import run_witness
from helper.store import Store
from packagedata import png


@pytest.fixture
def chat_store(tmp_path):
    """One order, one chat capture linked to it (messages feed the drafts), one OCR row (feeds search)."""
    data = tmp_path / "data"
    store = Store(data)
    order, _ = store.upsert_order("shop.example", "A1", {"amount": "58.00", "status": "已付款"})
    cap = store.add_capture(kind="chat", source="url", url="https://shop.example/chat", title="客服",
                            files={"page.png": b"png bytes", "text.txt": "商家：5分钟内发货".encode()},
                            order_id=order["id"], messages=[{"sender": "merchant", "text": "5分钟内发货"}])
    store.add_ocr(cap["id"], "page.png", status="done", engine="tesseract",
                  result={"text": "商家：5分钟内发货", "lines": []}, checks={})
    store.close()
    return data, cap


def _sql(data, *statements):
    conn = sqlite3.connect(data / "witness.db")
    for s in statements:
        conn.execute(s)
    conn.commit()
    conn.close()


def _verify(data, timeout=30):
    proc = run_witness("verify", "--json", data_dir=data, timeout=timeout)
    return proc.returncode, json.loads(proc.stdout)


@pytest.mark.parametrize("statements, part", [
    (["UPDATE messages SET order_id = NULL"], "messages.order_id"),  # one UPDATE dropped the chat from the drafts
    (["UPDATE orders SET created_at = '2020-01-01T00:00:00.000+00:00'"], None),
    (["UPDATE orders SET updated_at = '2030-01-01T00:00:00.000+00:00'"], None),
    (["UPDATE ocr SET text = '商家：已发货'"], "ocr.text"),
    (["UPDATE ocr_fts SET text = '商家：已发货' WHERE rowid = 1"], "ocr_fts"),
    (["DELETE FROM ocr_fts"], "ocr_fts"),
])
def test_break6_verify_covers_every_row_that_feeds_a_draft_report_or_search(chat_store, statements, part):
    """Break 6: messages.order_id, orders.created_at/updated_at, ocr.text and the FTS index were not verified."""
    data, _ = chat_store
    assert _verify(data)[0] == 0
    _sql(data, *statements)
    rc, report = _verify(data)
    assert rc == 1, report
    assert part is None or any(p.get("part") == part for p in report["problems"]), report["problems"]


@pytest.mark.parametrize("replacement", ["symlink_dev_zero", "fifo", "symlink_folder"])
def test_break6_verify_never_follows_links_or_reads_special_files(chat_store, tmp_path, replacement):
    """Break 6: a blob replaced by a symlink to /dev/zero or by a FIFO made `witness verify` hang."""
    data, cap = chat_store
    blob = cap["artifacts"][0]["path"]
    os.chmod(blob, 0o644)
    os.remove(blob)
    if replacement == "symlink_dev_zero":
        os.symlink("/dev/zero", blob)
    elif replacement == "fifo":
        os.mkfifo(blob)
    else:  # the shard folder itself swapped for a link to a look-alike elsewhere
        shard = os.path.dirname(blob)
        elsewhere = tmp_path / "elsewhere"
        os.rename(shard, elsewhere)
        os.symlink(elsewhere, shard)
    rc, report = _verify(data, timeout=20)
    assert rc == 1
    assert any(p["code"] == "file_not_regular" and p["capture_id"] == cap["id"] for p in report["problems"]), report


def _modes(root) -> dict[str, int]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            out[os.path.relpath(path, root)] = stat.S_IMODE(os.lstat(path).st_mode)
    return out


def test_break9_first_command_creates_a_private_data_folder(tmp_path):
    """Break 9: `witness import` run before the helper created the folder 0755 and witness.db 0644."""
    data = tmp_path / "fresh" / "data"
    data.mkdir(parents=True)  # an empty folder made on purpose (import refuses a missing, mistyped one)
    image = tmp_path / "bill.png"
    image.write_bytes(png(["支付成功", "¥58.00"]))
    proc = run_witness("import", str(image), "--json", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    modes = _modes(data)
    assert "witness.db" in modes and modes["witness.db"] == 0o600
    assert any(name.endswith(".png") for name in modes)
    assert {name: m for name, m in modes.items() if m & 0o077} == {}


@pytest.fixture
def other_user():
    if os.geteuid() != 0:
        pytest.skip("making a folder another user's takes root")
    return 65534  # nobody


def test_break9_folder_of_another_user_is_refused(tmp_path, other_user):
    """Break 9: a data folder owned by another user was used anyway."""
    data = tmp_path / "planted"
    data.mkdir(mode=0o777)
    os.chown(data, other_user, other_user)
    proc = run_witness("search", "发货", "--json", data_dir=data)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"]["code"] == "unsafe_data_dir"
    assert "another user" in proc.stderr and os.listdir(data) == []


def test_break9_planted_evidence_link_is_refused(tmp_path):
    """Break 9: a planted `evidence` symlink was followed (evidence written where someone else reads it)."""
    data = tmp_path / "data"
    Store(data).close()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.rmdir(data / "evidence")
    os.symlink(elsewhere, data / "evidence")
    proc = run_witness("search", "发货", "--json", data_dir=data)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"]["code"] == "unsafe_data_dir"
    assert "symbolic link" in proc.stderr and os.listdir(elsewhere) == []


def test_break9_helper_start_writes_no_token_into_a_foreign_folder(tmp_path, other_user):
    """The helper writes its token before it opens the store: that too refuses another user's folder."""
    from helper.core.config import Config, read_or_create_token
    from helper.core.errors import StoreError

    data = tmp_path / "planted"
    data.mkdir(mode=0o777)
    os.chown(data, other_user, other_user)
    with pytest.raises(StoreError) as err:
        read_or_create_token(Config(data_dir=data))
    assert err.value.code == "unsafe_data_dir" and os.listdir(data) == []


def test_work_folders_of_dead_exports_are_removed(tmp_path):
    """An export that died leaves its work folder (redacted copies, previews) in the data folder: gone at the
    next start once it is 6 hours old; a running export's folder stays."""
    data = tmp_path / "data"
    Store(data).close()
    old, running = data / ".export-dead", data / ".export-running"
    for d in (old, running):
        d.mkdir()
        (d / "1-page.png").write_bytes(b"x")
    os.utime(old, (0, 0))
    Store(data).close()
    assert not old.exists() and running.exists()
