"""Content-addressed evidence files: evidence/ab/abcdef….ext, written once, read-only, never overwritten.

Write protocol (crash-safe): temp file in evidence/tmp → write → fsync → rename into place (skipped when the
same content is already there) → chmod 0400 (owner read-only; the folders are 0700) → fsync the
directory. Rows reference a file only after this
returns, so a crash leaves at most an unreferenced file or a temp file (removed by `clean_temp`).
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import mimetypes
import os
import secrets
import stat
import time
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1024 * 1024
O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer

MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".mhtml": "multipart/related",
    ".html": "text/html",
    ".txt": "text/plain",
    ".json": "application/json",
    ".pdf": "application/pdf",
}


@dataclass(frozen=True)
class Blob:
    sha256: str
    size: int
    path: Path


def media_type(name: str) -> str:
    ext = Path(name).suffix.lower()
    return MEDIA_TYPES.get(ext) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def blob_path(root: Path, sha256: str, ext: str) -> Path:
    return root / sha256[:2] / f"{sha256}{ext}"


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def put(root: Path, data: bytes | Path, name: str) -> Blob:
    """Store `data` (bytes or a file to copy) under its SHA-256; returns where it lies."""
    ext = Path(name).suffix.lower()
    tmp_dir = root / "tmp"
    tmp_dir.mkdir(mode=0o700, exist_ok=True)
    tmp = tmp_dir / f"{os.getpid()}-{secrets.token_hex(8)}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_NOFOLLOW | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb") as out:
            if isinstance(data, (bytes, bytearray, memoryview)):
                digest.update(data)
                out.write(data)
                size = len(data)
            else:
                with open(data, "rb") as src:
                    while chunk := src.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        final = blob_path(root, sha, ext)
        if final.exists():
            # Same content already stored: never touch the existing file.
            tmp.unlink()
        else:
            final.parent.mkdir(mode=0o700, exist_ok=True)
            os.chmod(tmp, 0o400)
            try:
                # link() fails if the name exists, so a racing writer can never replace a stored file.
                os.link(tmp, final)
            except FileExistsError:
                pass
            tmp.unlink()
            _fsync_dir(final.parent)
        return Blob(sha, size, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def clean_temp(root: Path) -> int:
    """Remove temp files left by crashed writers (their process is gone); returns how many."""
    tmp_dir = root / "tmp"
    n = 0
    if tmp_dir.is_dir():
        for f in tmp_dir.iterdir():
            if f.suffix != ".part":
                continue
            pid = f.name.split("-", 1)[0]
            if pid.isdigit() and _alive(int(pid)) and time.time() - f.stat().st_mtime < 3600:
                continue
            f.unlink(missing_ok=True)
            n += 1
    return n


def hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb", buffering=0) as f:
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        while n := f.readinto(buf):
            digest.update(view[:n])
            size += n
    return digest.hexdigest(), size


class NotRegularFile(OSError):
    """A stored name that is a symbolic link, FIFO, device or folder: never read."""


def open_stored(root: Path, path: Path) -> int:
    """A file descriptor for a stored blob: no symbolic link followed (the file nor its folders under `root`),
    only a regular file. Raises FileNotFoundError or NotRegularFile."""
    rel = path.relative_to(root)
    for folder in [root, *[root / p for p in itertools.accumulate(rel.parts[:-1], lambda a, b: f"{a}/{b}")]]:
        st = os.lstat(folder)
        if not stat.S_ISDIR(st.st_mode):
            raise NotRegularFile(f"{folder} is not a folder")
    try:
        fd = os.open(path, os.O_RDONLY | O_NOFOLLOW | O_NONBLOCK | getattr(os, "O_BINARY", 0))
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise NotRegularFile(f"{path} is a symbolic link") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotRegularFile(f"{path} is not a regular file")
    return fd


def hash_stored(root: Path, path: Path, *, limit: int) -> tuple[str, int]:
    """sha256 and size of a stored blob, reading at most `limit` + 1 bytes (enough to tell it grew)."""
    fd = open_stored(root, path)
    digest = hashlib.sha256()
    size = 0
    with os.fdopen(fd, "rb", buffering=0) as f:
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        while size <= limit and (n := f.readinto(view[: min(CHUNK, limit + 1 - size)])):
            digest.update(view[:n])
            size += n
    return digest.hexdigest(), size


def place_copy(root: Path, path: Path, dest: Path) -> Path:
    """Put a stored blob at `dest` (a hard link when on the same file system, else a copy), checked as
    `open_stored` checks it: for a renderer that may read nothing outside its own folder."""
    fd = open_stored(root, path)
    try:
        try:
            os.link(path, dest)  # `path` was just checked: a regular file, no link on the way
            return dest
        except (OSError, NotImplementedError):
            pass
        with os.fdopen(os.dup(fd), "rb") as src, open(dest, "xb") as out:
            while chunk := src.read(CHUNK):
                out.write(chunk)
        return dest
    finally:
        os.close(fd)
