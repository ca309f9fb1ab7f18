"""Times `witness verify` against `sha256sum` over the same evidence files, in one run.

    .venv/bin/python bench/bench_verify.py [--captures 3000] [--kb 100]

Builds a store with N captures (a random image-sized file and a small text file each), then times both
over the same files with a warm page cache (best of 3) and prints throughput and the ratio.
Target: verify reaches at least 0.8x of sha256sum's throughput.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helper.store import Store  # noqa: E402


def build(data_dir: Path, captures: int, kb: int) -> None:
    rng = random.Random(1)
    store = Store(data_dir)
    for i in range(captures):
        size = rng.randint(kb * 512, kb * 1536)
        store.add_capture(kind="order", source="url", url=f"https://shop.example/o/{i}", title=f"订单 {i}",
                          files={"page.png": os.urandom(size), "text.txt": f"订单号 {i}".encode()})
    store.close()


def best_of(n: int, cmd: list[str], **kw) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--captures", type=int, default=3000)
    ap.add_argument("--kb", type=int, default=100, help="mean size of the image file in KiB")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        t = time.perf_counter()
        build(data_dir, args.captures, args.kb)
        print(f"built {args.captures} captures in {time.perf_counter() - t:.1f} s")
        files = [str(p) for p in (data_dir / "evidence").rglob("*") if p.is_file() and p.parent.name != "tmp"]
        total = sum(os.path.getsize(f) for f in files)
        list_file = data_dir / "files.txt"
        list_file.write_text("\0".join(files))
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        sha = best_of(3, ["sh", "-c", f"xargs -0 sha256sum < {list_file}"])
        # Verify appends one small event per run; the work is the same each time.
        ver = best_of(3, [sys.executable, "-m", "helper.cli", "--data-dir", str(data_dir), "verify"], env=env)
        mb = total / 1e6
        print(f"{len(files)} files, {mb:.0f} MB (warm cache, best of 3)")
        print(f"  sha256sum       {sha:6.2f} s  {mb / sha:7.0f} MB/s")
        print(f"  witness verify  {ver:6.2f} s  {mb / ver:7.0f} MB/s   (also checks {args.captures} capture rows and the chain)")
        print(f"  ratio verify/sha256sum throughput: {sha / ver:.2f}x   (target >= 0.8x)")


if __name__ == "__main__":
    main()
