"""Evidence store: SQLite rows, content-addressed files and the hash chain that ties them."""

from .store import CAPTURE_KINDS, Store
from .verify import verify, verify_and_record

__all__ = ["CAPTURE_KINDS", "Store", "verify", "verify_and_record"]
