"""Evidence packages: complaint drafts, export (zip + manifest + PDF report + RFC 3161 timestamp) and
verify-package."""

from .drafts import CHANNELS, CLAIMS, Draft, draft, drafts_for_store
from .export import export_order
from .verify_package import verify_package

__all__ = ["CHANNELS", "CLAIMS", "Draft", "draft", "drafts_for_store", "export_order", "verify_package"]
