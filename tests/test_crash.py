"""Crash safety: a writer killed with SIGKILL at random moments never leaves a corrupt or dangling store."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import ROOT, run_witness
from helper.store import Store

WRITER = r"""
import os, sys
from helper.store import Store
store = Store(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    i += 1
    big = os.urandom(256 * 1024 * (1 + i % 4))
    order, _ = store.upsert_order("shop.example", f"N{i % 7}", {"status": f"s{i}", "amount": f"{i}.00"})
    store.add_capture(kind="chat", source="url", url=f"https://shop.example/{i}", title=f"t{i}",
                      files={"page.png": big, "text.txt": f"text {i}".encode()}, order_id=order["id"],
                      messages=[{"sender": "merchant", "text": f"m{i}"}, {"sender": "buyer", "text": f"b{i}"}])
    if i == 1:
        print("stored", flush=True)
"""


@pytest.mark.slow
def test_sigkill_at_random_moments(tmp_path):
    rng = random.Random(20261127)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    kills = 25
    for k in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, env=env)
        assert proc.stdout.readline().strip() == b"ready"
        if k % 2:  # every other kill lands after a committed capture: the store is never empty by bad luck
            assert proc.stdout.readline().strip() == b"stored"  # (a busy machine can be slower than every delay)
        time.sleep(rng.uniform(0.0, 0.25))  # the random moment of the kill, not a wait for anything
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()

    conn = sqlite3.connect(tmp_path / "witness.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
    assert captures > 0
    conn.close()

    store = Store(tmp_path)  # the next start cleans temp files left by killed writers
    assert list((tmp_path / "evidence" / "tmp").glob("*.part")) == []
    for cap in store.list_captures(limit=10_000):
        for art in cap["artifacts"]:
            assert os.path.exists(art["path"]), art
    store.close()

    proc = run_witness("verify", "--json", data_dir=tmp_path)
    assert proc.returncode == 0, proc.stdout
