"""Evidence taken elsewhere (a payment bill screenshot from the phone, a chat screenshot): stored with its
original bytes and name, as a capture of its own."""

from __future__ import annotations

import io
import re
import warnings
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from helper.core.errors import BadRequest
from helper.store import Store

IMPORT_KINDS = ("payment", "chat", "order", "rules", "other")
FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp", "GIF": ".gif", "BMP": ".bmp"}
MAX_BYTES = 30 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a long phone screenshot (1080 x 20000) is 22 million; decoded, 60 million is 180 MB


class _TooLarge(Exception):
    pass


def check_image(data: bytes) -> tuple[str, int, int]:
    """The image's file extension and size; BadRequest for anything that is not a readable image."""
    if not data:
        raise BadRequest("the file is empty / 文件为空")
    if len(data) > MAX_BYTES:
        raise BadRequest("the file is larger than 30 MB / 文件超过 30 MB")
    try:
        with warnings.catch_warnings():  # Pillow's own bomb warning: our bound below is the stricter one
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                fmt = im.format
                w, h = im.size
                if w * h > MAX_PIXELS:
                    raise _TooLarge(w, h)
                im.verify()
            with Image.open(io.BytesIO(data)) as im:
                im.load()
    except (_TooLarge, Image.DecompressionBombError):
        raise BadRequest(f"图片尺寸过大（超过 {MAX_PIXELS // 1_000_000} 百万像素），请裁剪或分段截图后再导入 / the image is too "
                         f"large (over {MAX_PIXELS // 1_000_000} megapixels); crop or split it first") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise BadRequest(f"not a readable image / 不是可读取的图片: {e}") from None
    if fmt not in FORMATS:
        raise BadRequest(f"unsupported image format {fmt}; use PNG, JPEG or WebP")
    return FORMATS[fmt], w, h


def import_image(store: Store, data: bytes, original_name: str, *, kind: str = "payment", order_id: int | None = None,
                 note: str | None = None, now: datetime | None = None) -> dict:
    if kind not in IMPORT_KINDS:
        raise BadRequest(f"kind must be one of {', '.join(IMPORT_KINDS)}")
    ext, w, h = check_image(data)
    safe_name = re.sub(r"[\x00-\x1f/\\]", "_", Path(original_name or "image").name)[:200]
    meta = {"original_name": safe_name, "width": w, "height": h, "note": note, "source": "import"}
    return store.add_capture(kind=kind, source="import", files={f"original{ext}": data}, title=safe_name,
                             captured_at=now, meta=meta, order_id=order_id)
