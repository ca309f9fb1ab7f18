"""One validated configuration object, loaded once.

Sources, later ones win: built-in defaults, `<data-dir>/config.json`, environment (WITNESS_*), command-line
flags. Tests build a `Config` directly.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from helper.core.errors import ConfigError
from helper.core.folder import private_data_dir

APP_NAME = "order-witness"
# The extension's ID is pinned by the `key` in manifest.json (see tests/test_manifest.py).
EXTENSION_ID = "gddedojhjcbgbpopbolmccmikeckgnbb"
DEFAULT_PORT = 17365


def default_data_dir(env: dict | None = None, platform: str | None = None, home: Path | None = None) -> Path:
    """The platform's per-user data folder."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    home = home or Path.home()
    if env.get("WITNESS_DATA_DIR"):
        return Path(env["WITNESS_DATA_DIR"])
    if platform.startswith("win"):
        base = env.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / APP_NAME
    if platform == "darwin":
        return home / "Library" / "Application Support" / APP_NAME
    base = env.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return Path(base) / APP_NAME


@dataclass(frozen=True)
class Config:
    data_dir: Path
    port: int = DEFAULT_PORT
    extension_id: str = EXTENSION_ID
    chromium: str | None = None  # path to the system Chromium; None = find it
    max_body_bytes: int = 32 * 1024 * 1024
    capture_timeout_s: float = 30.0
    capture_queue: int = 4  # captures waiting beyond the one running; more get 429
    snapshot_interval_s: float = 20.0  # automatic chat snapshots: at most one per thread in this many seconds
    snapshot_per_minute: int = 6  # ... and at most this many a minute over all threads
    max_capture_mb: float = 100.0  # one capture's files together; a larger one is refused (413)
    disk_budget_mb: float = 4096.0  # evidence files; a warning from 80 %, automatic snapshots stop at 100 %
    time_source: str | None = None  # URL whose HTTP Date header the clock is checked against
    tsa_url: str | None = None  # RFC 3161 time-stamping authority
    tsa_ca: str | None = None  # PEM file with the TSA's CA certificate(s), put in packages as tsa-chain.pem
    trusted_tsa_roots: tuple = ()  # PEM files of TSA roots the user trusts (verify-package's default --ca)
    anchor_interval_minutes: float = 10.0  # with tsa_url: timestamp the chain head at most this often
    platform_window_days: float = 3.0
    ocr_engine: str | None = None  # None = the measured default (see README)
    ocr_background: bool = True  # read every stored screenshot in the background
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        if not (0 <= int(self.port) < 65536):
            raise ConfigError(f"port out of range: {self.port}")

    @property
    def db_path(self) -> Path:
        return self.data_dir / "witness.db"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def token_path(self) -> Path:
        return self.data_dir / "token"

    @property
    def allowed_origin(self) -> str:
        return f"chrome-extension://{self.extension_id}"

    def with_(self, **changes) -> "Config":
        return replace(self, **changes)


_ENV = {
    "port": "WITNESS_PORT",
    "chromium": "WITNESS_CHROMIUM",
    "time_source": "WITNESS_TIME_SOURCE",
    "tsa_url": "WITNESS_TSA_URL",
    "tsa_ca": "WITNESS_TSA_CA",
    "trusted_tsa_roots": "WITNESS_TRUSTED_TSA_ROOTS",  # os.pathsep-separated
}


def load_config(data_dir: str | Path | None = None, env: dict | None = None, **overrides) -> Config:
    env = os.environ if env is None else env
    root = Path(data_dir) if data_dir else default_data_dir(env)
    values: dict = {}
    cfg_file = root / "config.json"
    if cfg_file.exists():
        try:
            values = json.loads(cfg_file.read_text("utf-8"))
        except (OSError, ValueError) as e:
            raise ConfigError(f"cannot read {cfg_file}: {e}") from e
        if not isinstance(values, dict):
            raise ConfigError(f"{cfg_file} must hold a JSON object")
    known = {f.name for f in fields(Config)} - {"data_dir", "extra"}
    unknown = set(values) - known
    if unknown:
        raise ConfigError(f"unknown keys in {cfg_file}: {', '.join(sorted(unknown))}")
    for key, var in _ENV.items():
        if env.get(var):
            values[key] = env[var]
    values.update({k: v for k, v in overrides.items() if v is not None})
    roots = values.get("trusted_tsa_roots")
    if isinstance(roots, str):
        values["trusted_tsa_roots"] = tuple(r for r in roots.split(os.pathsep) if r)
    elif roots is not None:
        if not isinstance(roots, (list, tuple)) or not all(isinstance(r, str) for r in roots):
            raise ConfigError("trusted_tsa_roots must be a list of PEM file paths")
        values["trusted_tsa_roots"] = tuple(roots)
    if "anchor_interval_minutes" in values:
        try:
            values["anchor_interval_minutes"] = float(values["anchor_interval_minutes"])
        except (TypeError, ValueError) as e:
            raise ConfigError(f"anchor_interval_minutes must be a number: {values['anchor_interval_minutes']!r}") from e
        if values["anchor_interval_minutes"] <= 0:
            raise ConfigError("anchor_interval_minutes must be more than 0")
    if "port" in values:
        try:
            values["port"] = int(values["port"])
        except (TypeError, ValueError) as e:
            raise ConfigError(f"port must be a number: {values['port']!r}") from e
    return Config(data_dir=root, **values)


def ensure_data_dir(config: Config) -> None:
    """The data folder, private (0700) and this user's, or StoreError `unsafe_data_dir` (core/folder.py)."""
    private_data_dir(config.data_dir)


def read_or_create_token(config: Config) -> str:
    """The API token, created on first use with mode 0600."""
    ensure_data_dir(config)
    path = config.token_path
    try:
        token = path.read_text("ascii").strip()
        if token:
            return token
    except FileNotFoundError:
        pass
    token = secrets.token_urlsafe(32)
    # Write a private temp file, then link it into place: atomic, and two processes starting at once
    # agree on one token (the loser of the link reads the winner's).
    tmp = path.with_name(f"token.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(token + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return path.read_text("ascii").strip()
        return token
    finally:
        tmp.unlink(missing_ok=True)
