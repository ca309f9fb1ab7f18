"""Desktop captures (`witness capture --desktop`): the screen or a region of it through mss, stamped and
stored like a page capture (kind "desktop")."""

from __future__ import annotations

import hashlib
import json
import os
import uuid

import numpy as np

from .. import __version__
from ..core import clock
from ..core.errors import BadRequest, CaptureError
from .environment import environment_record
from .pngout import PngStream
from .stamp import render_strip, stamp_lines


def parse_region(text: str | None) -> dict | None:
    """"X,Y,W,H" → an mss monitor dict; BadRequest when malformed."""
    if not text:
        return None
    try:
        x, y, w, h = (int(v) for v in text.split(","))
    except ValueError:
        raise BadRequest(f"--region 应为 X,Y,W,H / --region must be X,Y,W,H (integers), not {text!r}") from None
    if w <= 0 or h <= 0 or x < 0 or y < 0:
        raise BadRequest(f"--region 的宽高须为正数 / --region needs a positive size: {text!r}")
    return {"left": x, "top": y, "width": w, "height": h}


def grab_screen(region: dict | None = None) -> tuple[np.ndarray, dict]:
    """(RGB pixels, the area grabbed)."""
    try:
        import mss

        factory = getattr(mss, "MSS", None) or mss.mss  # mss 10 renamed the factory
        with factory() as sct:
            area = region or sct.monitors[0]
            shot = sct.grab(area)
    except Exception as e:  # mss raises ScreenShotError without a display
        raise CaptureError(f"无法截取屏幕 / cannot capture the screen: {e}") from e
    bgra = np.frombuffer(shot.bgra, np.uint8).reshape(shot.height, shot.width, 4)
    area = {"left": shot.left, "top": shot.top, "width": shot.width, "height": shot.height}
    return np.ascontiguousarray(bgra[:, :, 2::-1]), area


def desktop_capture(store, *, region: dict | None = None, order_id: int | None = None, now=clock.utcnow,
                    clock_check: dict | None = None) -> dict:
    order_no = store.get_order(order_id)["order_no"] if order_id is not None else None
    captured_at = now()
    rgb, area = grab_screen(region)
    stream = PngStream(rgb.shape[1])
    stream.add(rgb)
    page_png, _ = stream.finish()
    sha = hashlib.sha256(page_png).hexdigest()
    capture_uuid = str(uuid.uuid4())
    display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    title = f"桌面截图 desktop capture ({area['width']}×{area['height']} @ {area['left']},{area['top']})"
    lines = stamp_lines(captured_at=captured_at, url=f"桌面 desktop{f' (DISPLAY {display})' if display else ''}",
                        title=title, order_no=order_no, capture_uuid=capture_uuid, page_sha256=sha, kind="desktop")
    stamped = stream.with_tail(render_strip(stream.width, lines))
    meta = {
        "capture_uuid": capture_uuid,
        "kind": "desktop",
        "source": "desktop",
        "captured_at": clock.iso(captured_at),
        "captured_at_china": clock.china(captured_at),
        "screen": {"area": area, "region_requested": region is not None, "display": display},
        "order_no": order_no,
        "helper": {"app": "order-witness", "version": __version__},
        "environment": environment_record(),
        "clock": clock_check or {"status": "not checked", "reason": "no time source configured (config time_source)"},
        "hashes": {"page.png": sha},
    }
    files = {"page.png": page_png, "stamped.png": stamped,
             "meta.json": json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8")}
    return store.add_capture(kind="desktop", source="desktop", files=files, url=None, title=title,
                             captured_at=captured_at, meta=meta, order_id=order_id)
