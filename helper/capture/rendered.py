"""The rendered layout of a captured page: understanding's LAYOUT_JS run in the engine's isolated world (nothing
is left in the page), bounded in time and size, stored as the capture's `layout.json` and given to the one
`extract(..., layout=...)` of the captured DOM, so a chat bubble's side comes from where the page drew it.

    record(world) -> (layout dict or None, meta["layout"])
"""

from __future__ import annotations

import json
import time

from ..understanding.layout import LAYOUT_JS

MAX_BOXES = 5000  # a long chat has a few boxes a message; ~200 kB of JSON at most
MAX_MS = 400  # the walk's own bound, in the page
CALL_BOUND_S = 5.0  # the CDP call's bound (a hung renderer)


async def record(world, *, max_boxes: int = MAX_BOXES, max_ms: int = MAX_MS) -> tuple[dict | None, dict]:
    """The boxes of the page as it is now, and what meta.json says of them; never raises (a capture goes on
    without its layout: the markup decides then)."""
    t0 = time.perf_counter()
    try:
        layout = await world.call(LAYOUT_JS, {"max_boxes": max_boxes, "max_ms": max_ms}, timeout=CALL_BOUND_S)
    except Exception as e:  # noqa: BLE001 - the page may be gone or hung; the capture is stored anyway
        return None, {"recorded": False, "note": f"layout not recorded: {type(e).__name__}: {str(e)[:200]}"}
    ms = round((time.perf_counter() - t0) * 1000)
    if not isinstance(layout, dict) or not isinstance(layout.get("boxes"), dict):
        return None, {"recorded": False, "note": "layout not recorded: the page gave no boxes"}
    info = {"recorded": True, "file": "layout.json", "boxes": len(layout["boxes"]), "ms": ms,
            "capped": layout.get("capped") is not None}
    if info["capped"]:
        info["capped_by"] = layout["capped"]
        info["note"] = (f"只记录了前 {len(layout['boxes'])} 个元素的位置 / only the first {len(layout['boxes'])} "
                        f"boxes in document order were recorded (bound: {layout['capped']})")
    return layout, info


def encode(layout: dict) -> bytes:
    return json.dumps(layout, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
