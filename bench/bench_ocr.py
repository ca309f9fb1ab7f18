"""OCR benchmark on the labelled set of bench/ocr_set.py: per engine, timestamp precision / recall / F1,
character error rate and seconds per image, side by side.

    .venv/bin/python bench/ocr_set.py            # once: renders bench/out/ocr_set
    .venv/bin/python bench/bench_ocr.py [--engines rapidocr,tesseract] [--verbose]

CER is the edit distance between the OCR text and the labelled lines divided by the label length, with all
whitespace removed (Chinese has no word spaces; engines differ only in how they space); CER_ws keeps single
spaces (newlines count as spaces) and so also charges missing or extra spaces between Latin words.
s/img is wall time per image (the engine loaded once beforehand); cpu_s is the CPU time of this process
and its children per image (all threads), which stays comparable when other work shares the machine.
A timestamp counts as found when its normalised value equals a labelled one (multiset match).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helper.core.clock import parse_iso
from helper.understanding.ocr_lines import timestamps_in_lines  # noqa: E402
from ocr import recognise  # noqa: E402
from ocr.engines import get_engine  # noqa: E402
from ocr.textnorm import normalise  # noqa: E402


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Tesseract runs as a child process)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def edit_distance(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def squash(text: str, keep_spaces: bool) -> str:
    return re.sub(r"\s+", " " if keep_spaces else "", text).strip()


def score_image(label: dict, result, stamps) -> dict:
    truth = "\n".join(normalise(line) for line in label["lines"])
    exp = Counter(parse_iso(t["iso"]) for t in label["timestamps"])
    got = Counter(t.dt for t in stamps)
    tp = sum((exp & got).values())
    out = {"tp": tp, "n_exp": sum(exp.values()), "n_got": sum(got.values())}
    for key, keep in (("cer", False), ("cer_ws", True)):
        a, b = squash(result.text, keep), squash(truth, keep)
        out[key + "_err"] = edit_distance(a, b)
        out[key + "_len"] = len(b)
    out["missed"] = [t["text"] for t in label["timestamps"] if exp[parse_iso(t["iso"])] > got[parse_iso(t["iso"])]]
    out["extra"] = [t.text for t in stamps if got[t.dt] > exp[t.dt]]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", type=Path, default=ROOT / "bench" / "out" / "ocr_set")
    ap.add_argument("--engines", default="rapidocr,tesseract")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    labels = sorted(args.set.glob("*.json"))
    if args.limit:
        labels = labels[: args.limit]
    if not labels:
        print(f"no labelled images in {args.set}; run bench/ocr_set.py first", file=sys.stderr)
        return 1
    rows = []
    for name in args.engines.split(","):
        eng = get_engine(name)
        first = json.loads(labels[0].read_text(encoding="utf-8"))
        recognise(args.set / first["file"], engine=eng)  # warm-up: model loading
        tot = Counter()
        secs = cpu = 0.0
        phone: list[tuple[float, float]] = []
        for path in labels:
            label = json.loads(path.read_text(encoding="utf-8"))
            now: datetime = parse_iso(label["now"])
            t0, c0 = time.perf_counter(), _cpu()
            res = recognise(args.set / label["file"], engine=eng)
            stamps = timestamps_in_lines(res.lines, now)
            secs += time.perf_counter() - t0
            cpu += _cpu() - c0
            if label["file"].startswith("phone_"):
                phone.append((time.perf_counter() - t0, _cpu() - c0))
            sc = score_image(label, res, stamps)
            for k, v in sc.items():
                if isinstance(v, int):
                    tot[k] += v
            if args.verbose and (sc["missed"] or sc["extra"]):
                print(f"  {name} {label['file']}: missed {sc['missed']} extra {sc['extra']}")
        p = tot["tp"] / tot["n_got"] if tot["n_got"] else 0.0
        r = tot["tp"] / tot["n_exp"] if tot["n_exp"] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        rows.append((name, p, r, f1, tot["cer_err"] / tot["cer_len"], tot["cer_ws_err"] / tot["cer_ws_len"],
                     secs / len(labels), cpu / len(labels), phone))
    print(f"{len(labels)} images, {tot['n_exp']} labelled timestamps, set {args.set}")
    print(f"{'engine':<10} {'P':>6} {'R':>6} {'F1':>6} {'CER':>7} {'CER_ws':>7} {'s/img':>6} {'cpu_s':>6}")
    for name, p, r, f1, cer, cer_ws, spi, cpu, _ in rows:
        print(f"{name:<10} {p:6.3f} {r:6.3f} {f1:6.3f} {cer:7.4f} {cer_ws:7.4f} {spi:6.2f} {cpu:6.2f}")
    for name, *_, phone in rows:
        if phone:
            wall = sum(w for w, _ in phone) / len(phone)
            cpu = sum(c for _, c in phone) / len(phone)
            print(f"{name:<10} phone screens (1170x2532, {len(phone)}): {wall:.2f} s/img wall, {cpu:.2f} cpu_s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
