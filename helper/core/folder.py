"""The data folder is private: created 0700 (its files 0600, evidence files 0400) by whichever command runs
first, and refused when another user owns it or when `evidence` (or a folder in it) is a symbolic link.

Another local user must neither read the evidence, the token or the database, nor have planted the folder
(or a link inside it) where this user's helper would then write and read evidence."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import StoreError

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def _uid() -> int | None:
    return os.geteuid() if hasattr(os, "geteuid") else None  # Windows: per-user folders, ACLs


def _refuse(path: Path, why_zh: str, why: str) -> StoreError:
    return StoreError(f"数据文件夹不安全，拒绝使用：{path} {why_zh} / unsafe data folder, refused: {path} {why}",
                      code="unsafe_data_dir")


def private_folder(path: Path, *, link_allowed: bool = False) -> Path:
    """Create `path` (0700) or check the existing one: a folder owned by this user, group and other bits
    removed. `link_allowed`: the data folder itself may be a link the user made (to another disk); the
    folders the helper makes inside it may not."""
    path = Path(path)
    try:
        os.mkdir(path, PRIVATE_DIR)
    except FileExistsError:
        pass
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        if not link_allowed:
            raise _refuse(path, "是符号链接（可能被他人放置）", "is a symbolic link (possibly planted by someone else)")
        st = os.stat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise _refuse(path, "不是文件夹", "is not a folder")
    uid = _uid()
    if uid is not None and st.st_uid != uid:
        raise _refuse(path, f"属于另一个用户（uid {st.st_uid}）", f"belongs to another user (uid {st.st_uid}, you are {uid})")
    if uid is not None and stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(path, PRIVATE_DIR)
    return path


def private_data_dir(data_dir: Path) -> Path:
    """The data folder and its evidence folder, created or checked."""
    data_dir = Path(data_dir)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    private_folder(data_dir, link_allowed=True)
    private_folder(data_dir / "evidence")
    return data_dir


def private_file(path: Path) -> None:
    """Create an empty file 0600 when missing (so SQLite and its -wal/-shm files inherit 0600), or take group
    and other bits off an existing one of ours. A link in its place is refused."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), PRIVATE_FILE))
        return
    except FileExistsError:
        pass
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise _refuse(path, "是符号链接", "is a symbolic link")
    uid = _uid()
    if uid is not None and st.st_uid == uid and stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(path, stat.S_IMODE(st.st_mode) & 0o700)


def write_private(path: Path, data: bytes) -> None:
    """Replace `path` atomically with `data`, the new file 0600 from its first byte."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
