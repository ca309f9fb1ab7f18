"""The capture engine: whole-page images (tiled, lazy content loaded, inner-scroll panes expanded), the
stamped image, MHTML, DOM, text and provenance, stored in one step; plus desktop captures.

    service = CaptureService(config, store)             # the API's and the CLI's entry point
    await service.capture(kind="order", url="https://…")  # or tab={"url", "title"} with an evidence browser

What happens after a capture is stored (order tracking), and which tracked order a page without an order number
belongs to (for its stamp), are passed in: `CaptureService(..., after_capture=f, order_for=g)`.
"""

from .service import CaptureService
from .urls import check_url

__all__ = ["CaptureService", "check_url"]
