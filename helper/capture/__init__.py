"""The capture engine: whole-page images (tiled, lazy content loaded, inner-scroll panes expanded), the
stamped image, MHTML, DOM, text and provenance, stored in one step; plus desktop captures.

    service = CaptureService(config, store)             # the API's and the CLI's entry point
    await service.capture(kind="order", url="https://…")  # or tab={"url", "title"} with an evidence browser

Page understanding plugs in after storing through `hooks.AFTER_CAPTURE`.
"""

from .hooks import AFTER_CAPTURE, run_after_capture
from .service import CaptureService
from .urls import check_url

__all__ = ["AFTER_CAPTURE", "CaptureService", "check_url", "run_after_capture"]
