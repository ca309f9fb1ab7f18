"""`witness verify-package`: check an exported package on its own, with no evidence store, and say precisely
what is wrong: a file changed, missing or added, the manifest altered, the token altered or invalid, or a
valid token that is not over this manifest."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

from ..core.errors import PackageError, TimestampError
from ..store import chain
from .layout import FORMAT, OUTER_FILES
from .tsa import check_token, load_pem_certs

SUMS_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")

# Bounds for a package from anyone (a hostile zip included): entries are hashed as they stream, never held
# whole, and an entry whose declared or actual size is past its bound is refused before or while it is read.
MAX_ENTRY_BYTES = 512 * 1024 * 1024  # one evidence file (a capture is capped far below this)
MAX_TOTAL_BYTES = 8 * 1024 * 1024 * 1024  # the whole package, uncompressed
MAX_ENTRIES = 100_000
# The few files read as a whole (they are parsed); everything else is only hashed.
SMALL_FILES = {"manifest.json": 256 * 1024 * 1024, "SHA256SUMS": 64 * 1024 * 1024,
               "manifest.tsr": 1024 * 1024, "tsa-chain.pem": 1024 * 1024}
CHUNK = 1024 * 1024


def _p(code: str, message: str, **where) -> dict:
    return {"code": code, "message": message, **where}


def verify_package(path, *, ca_files=()) -> dict:
    """Check the package at `path`. `ca_files`: PEM files of the TSA roots the user trusts (--ca, or
    trusted_tsa_roots in config); a root shipped inside the package is used for the signature check only."""
    path = Path(path)
    ca_files = [ca_files] if isinstance(ca_files, (str, Path)) else list(ca_files or ())
    if not path.is_file():
        raise PackageError(f"no such package: {path}")
    problems: list[dict] = []
    report = {"ok": False, "path": str(path), "checked": {"files": 0, "bytes": 0}, "problems": problems,
              "timestamp": {"present": False, "ok": False, "signature_ok": False, "trusted": False},
              "manifest_sha256": None, "order_no": None, "trusted": False, "exit_code": EXIT_PROBLEM}
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        problems.append(_p("package_unreadable", f"证据包不是有效的 zip 文件（已损坏或被改动） / not a readable zip: {e}"))
        return report

    with zf:
        sizes, digests, small = _read_entries(zf, problems)
    report["checked"] = {"files": len(sizes), "bytes": sum(sizes.values())}
    if any(p["code"] == "entry_too_large" for p in problems):
        return report  # a bomb: nothing else in it is worth reading

    sums = _read_sums(small, sizes, problems)
    manifest = _read_manifest(small, digests, sums, problems)
    if "manifest.json" in small:
        report["manifest_sha256"] = digests["manifest.json"]
    listed: dict[str, dict] = {}
    if manifest is not None:
        report["order_no"] = (manifest.get("order") or {}).get("order_no")
        listed = _check_listed_files(manifest, sizes, digests, problems)
        _check_records(manifest, sizes, problems)
    _check_outer_and_extra_files(sums, listed, sizes, digests, problems)
    _check_timestamp(report["timestamp"], small, sums, digests, ca_files, problems)

    report["ok"] = not problems
    report["trusted"] = report["ok"] and bool(report["timestamp"].get("trusted"))
    report["exit_code"] = exit_code(report)
    return report


def _read_sums(small: dict, sizes: dict, problems: list) -> dict[str, str]:
    """SHA256SUMS: the plain-tool view of every file, as path -> sha256."""
    sums: dict[str, str] = {}
    if "SHA256SUMS" not in sizes:
        problems.append(_p("file_missing", "SHA256SUMS 缺失 / SHA256SUMS is missing", path="SHA256SUMS"))
        return sums
    for line in small.get("SHA256SUMS", b"").decode("utf-8", "replace").splitlines():
        m = SUMS_LINE.match(line)
        if m:
            sums[m.group(2)] = m.group(1)
        elif line.strip():
            problems.append(_p("sums_altered", f"SHA256SUMS has an unreadable line: {line[:80]!r}", path="SHA256SUMS"))
    return sums


def _read_manifest(small: dict, digests: dict, sums: dict, problems: list) -> dict | None:
    """The parsed manifest, or None when it is missing or unreadable; a manifest SHA256SUMS disagrees with is
    reported (and still read, so the files it lists are checked)."""
    raw = small.get("manifest.json")
    if raw is None:
        problems.append(_p("manifest_missing", "manifest.json 缺失 / manifest.json is missing", path="manifest.json"))
        return None
    manifest = None
    try:
        manifest = json.loads(raw)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError(f"not an {FORMAT} manifest")
    except ValueError as e:
        problems.append(_p("manifest_altered", f"manifest.json 无法解析（被改动） / manifest.json is unreadable: {e}",
                           path="manifest.json"))
        manifest = None
    if _manifest_differs_from_sums(sums, digests):
        problems.append(_p("manifest_altered", "manifest.json 被改动：与 SHA256SUMS 记录的哈希不符 / manifest.json was "
                           f"altered (sha256 {digests['manifest.json'][:12]}… ≠ {sums['manifest.json'][:12]}… in SHA256SUMS)",
                           path="manifest.json"))
    return manifest


def _manifest_differs_from_sums(sums: dict, digests: dict) -> bool:
    return bool(sums.get("manifest.json")) and sums["manifest.json"] != digests.get("manifest.json")


def _check_listed_files(manifest: dict, sizes: dict, digests: dict, problems: list) -> dict[str, dict]:
    """Every file the manifest lists is present with its recorded size and hash. Returns the listed records."""
    listed: dict[str, dict] = {}
    for rec in manifest.get("files") or []:
        if isinstance(rec, dict) and isinstance(rec.get("path"), str):
            listed[rec["path"]] = rec
    for p, rec in listed.items():
        if p not in sizes:
            problems.append(_p("file_missing", f"{p} 缺失 / is missing from the package", path=p))
        elif digests[p] != rec.get("sha256") or sizes[p] != rec.get("size"):
            problems.append(_p("file_changed", f"{p} 被改动 / was changed (sha256 {digests[p][:12]}… ≠ "
                               f"{str(rec.get('sha256'))[:12]}… in manifest.json)", path=p))
    return listed


def _check_outer_and_extra_files(sums: dict, listed: dict, sizes: dict, digests: dict, problems: list) -> None:
    """Files checked by SHA256SUMS but not by the manifest (the outer files), and files nothing lists."""
    for p, want in sums.items():
        if p in listed or p == "manifest.json":
            continue
        if p not in sizes:
            code = "token_missing" if p == "manifest.tsr" else "file_missing"
            problems.append(_p(code, f"{p} 缺失 / is missing (listed in SHA256SUMS)", path=p))
        elif digests[p] != want:
            code = "token_altered" if p == "manifest.tsr" else "file_changed"
            problems.append(_p(code, f"{p} 被改动 / was changed (sha256 {digests[p][:12]}… ≠ {want[:12]}… in SHA256SUMS)", path=p))
    known = set(listed) | set(OUTER_FILES)
    for p in sizes:
        if p not in known:
            problems.append(_p("extra_file", f"{p} 是多出的文件，不在 manifest.json 中 / extra file not in manifest.json", path=p))
        elif p not in listed and p not in sums and p != "SHA256SUMS" and sums:
            problems.append(_p("extra_file", f"{p} 不在 SHA256SUMS 中（被加入） / not in SHA256SUMS (added)", path=p))


def _check_timestamp(ts: dict, small: dict, sums: dict, digests: dict, ca_files: list, problems: list) -> None:
    """The timestamp over manifest.json: signature and hash first, trust (through a pinned root only) second.
    Fills `ts`, the report's timestamp section."""
    token, raw = small.get("manifest.tsr"), small.get("manifest.json")
    if token is None:
        ts["message"] = "本证据包没有时间戳 / this package has no timestamp"
        ts["trust_reason"] = "no_timestamp"
        return
    if raw is None:
        return
    ts["present"] = True
    try:
        package_chain = load_pem_certs(small.get("tsa-chain.pem", b""))
    except TimestampError as e:
        package_chain = []
        problems.append(_p("token_invalid", f"tsa-chain.pem unreadable: {e}", path="tsa-chain.pem"))
    pinned = _load_pinned_roots(ca_files)
    ts["pinned_from"] = [str(f) for f in ca_files]
    result = check_token(token, hashlib.sha256(raw).digest(), package_chain, pinned=pinned)
    ts.update(ok=result["ok"], signature_ok=result["ok"], trusted=result["trusted"], trust_reason=result["trust_reason"],
              gen_time=result["gen_time"], tsa=result["tsa"], roots=result["roots"], pinned=result["pinned"])
    if result.get("note"):
        ts["note"] = result["note"]
    for prob in result["problems"]:
        if prob["code"] == "token_not_for_manifest":
            if _manifest_differs_from_sums(sums, digests):
                continue  # already reported as manifest_altered: the token is over the original manifest
            prob["message"] += "：manifest.json 被改动（且 SHA256SUMS 被同步修改），或令牌来自另一个证据包 / the manifest " \
                               "was altered together with SHA256SUMS, or the token belongs to another package"
        problems.append({**prob, "path": "manifest.tsr"})


def _load_pinned_roots(ca_files: list) -> list:
    pinned = []
    for f in ca_files:
        try:
            pinned += load_pem_certs(Path(f).read_bytes())
        except (TimestampError, OSError) as e:
            raise PackageError(f"可信根证书文件无法读取 / cannot read the pinned root {f}: {e}") from None
    return pinned


# `witness verify-package` exit codes (README "Exit codes").
EXIT_TRUSTED = 0  # every file intact; the timestamp verifies through a root the user pinned
EXIT_PROBLEM = 1  # something was changed, added, removed, or the token is invalid
EXIT_USAGE = 2
EXIT_UNTRUSTED = 3  # every file intact, but no timestamp, or a TSA the user has not pinned (time not proven)


def exit_code(report: dict) -> int:
    if not report["ok"]:
        return EXIT_PROBLEM
    return EXIT_TRUSTED if report["trusted"] else EXIT_UNTRUSTED


def _too_large(name: str, size: int, bound: int, how: str) -> dict:
    return _p("entry_too_large", f"{name}: {how} {size:,} 字节，超过上限 {bound:,} / the {how} size is out of bounds "
              "(a zip bomb or a damaged package); not read", path=name)


def _read_entries(zf: zipfile.ZipFile, problems: list) -> tuple[dict, dict, dict]:
    """Every entry's size and sha256, streamed; the small parsed files kept whole.

    Refuses (entry_too_large) an entry whose declared size is over its bound, a package whose declared total
    or entry count is, and an entry that inflates past what it declared."""
    infos = [i for i in zf.infolist() if not i.is_dir()]
    declared = sum(i.file_size for i in infos)
    if len(infos) > MAX_ENTRIES or declared > MAX_TOTAL_BYTES:
        problems.append(_p("entry_too_large", f"证据包声明 {len(infos):,} 个文件共 {declared:,} 字节，超过上限 / the package "
                           f"declares {len(infos):,} entries and {declared:,} bytes, out of bounds; not read"))
        return {}, {}, {}
    sizes: dict[str, int] = {}
    digests: dict[str, str] = {}
    small: dict[str, bytes] = {}
    for info in infos:
        name = info.filename
        if name in sizes:
            problems.append(_p("extra_file", f"{name} appears twice in the zip (added copy)", path=name))
            continue
        bound = SMALL_FILES.get(name, MAX_ENTRY_BYTES)
        if info.file_size > bound:
            problems.append(_too_large(name, info.file_size, bound, "declared"))
            continue
        try:
            sizes[name], digests[name], data = _hash_entry(zf, info, keep=name in SMALL_FILES)
        except _Oversize as e:
            problems.append(_too_large(name, e.args[0], info.file_size, "actual"))
            continue
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:  # CRC error: bytes changed inside the zip
            problems.append(_p("file_changed", f"{name}: 无法读取（zip 内数据被改动） / unreadable in the zip: {e}", path=name))
            continue
        if data is not None:
            small[name] = data
    return sizes, digests, small


class _Oversize(Exception):
    pass


def _hash_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, *, keep: bool) -> tuple[int, str, bytes | None]:
    digest = hashlib.sha256()
    size = 0
    kept = bytearray() if keep else None
    with zf.open(info) as f:
        while chunk := f.read(CHUNK):
            size += len(chunk)
            if size > info.file_size:  # inflates past its declared size
                raise _Oversize(size)
            digest.update(chunk)
            if kept is not None:
                kept += chunk
    return size, digest.hexdigest(), bytes(kept) if kept is not None else None


def _check_records(manifest: dict, contents: dict, problems: list) -> None:
    """The manifest's own records agree: chain events hash to their recorded hash, and each capture's
    artifact hashes (as the chain stored them) match the files in the package (or, in a redacted copy,
    the file's recorded original)."""
    for e in manifest.get("events") or []:
        if e.get("data_redacted"):
            continue  # a redacted copy: the event's hash is checked in the store, not here
        try:
            if chain.event_hash(e) != e.get("hash"):
                problems.append(_p("manifest_altered", f"manifest.json: chain event {e.get('seq')} ({e.get('type')}) no longer "
                                   "matches its hash", seq=e.get("seq")))
        except (KeyError, TypeError, ValueError):
            problems.append(_p("manifest_altered", f"manifest.json: chain event {e.get('seq')} is incomplete", seq=e.get("seq")))
    stored = {}
    for e in manifest.get("events") or []:
        if e.get("type") == "capture.stored" and isinstance(e.get("data"), dict):
            stored[e.get("capture_id")] = {a["name"]: a["sha256"] for a in e["data"].get("artifacts", []) if isinstance(a, dict)}
    files = {r.get("path"): r for r in manifest.get("files") or [] if isinstance(r, dict)}
    for c in manifest.get("captures") or []:
        chained = stored.get(c.get("id"))
        for a in c.get("artifacts") or []:
            p = f"{c.get('folder')}/{a.get('name')}"
            if chained is not None and chained.get(a.get("name")) != a.get("sha256"):
                problems.append(_p("manifest_altered", f"manifest.json: capture {c.get('id')} lists {a.get('name')} with a "
                                   "hash the chain event does not record", path=p))
            rec = files.get(p, {})
            expected = rec.get("original_sha256") if rec.get("redacted") else rec.get("sha256")
            if p in contents and expected and expected != a.get("sha256"):
                problems.append(_p("manifest_altered", f"manifest.json: {p} is listed with a hash other than the "
                                   "capture record's", path=p))
