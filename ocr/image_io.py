"""Turn the caller's image (path, bytes or PIL Image) into an RGB PIL Image, or raise OcrError."""

from __future__ import annotations

import io
import os

from PIL import Image, UnidentifiedImageError

from .errors import OcrError

MIN_SIDE = 8  # smaller than this cannot hold a readable character
MAX_PIXELS = 120_000_000  # a 20,000 px chat at device scale 2 is ~45 M


def load_image(image) -> Image.Image:
    if isinstance(image, Image.Image):
        im = image
    else:
        if isinstance(image, (str, os.PathLike)):
            try:
                with open(image, "rb") as f:
                    data = f.read()
            except OSError as e:
                raise OcrError(f"无法读取图片 / cannot read image: {image}: {e.strerror or e}") from e
        elif isinstance(image, (bytes, bytearray, memoryview)):
            data = bytes(image)
        else:
            raise OcrError(f"不支持的图片类型 / unsupported image type: {type(image).__name__}")
        if not data:
            raise OcrError("图片为空 / empty image file")
        try:
            im = Image.open(io.BytesIO(data))
        except UnidentifiedImageError as e:
            raise OcrError("不是图片或格式无法识别 / not an image or unknown format") from e
        except (OSError, ValueError, SyntaxError) as e:
            raise OcrError(f"图片已损坏 / corrupt image: {e}") from e
    if im.width * im.height > MAX_PIXELS:
        raise OcrError(f"图片过大 / image too large: {im.width}x{im.height}")
    try:
        im.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
        raise OcrError(f"图片已损坏 / corrupt image: {e}") from e
    if im.width < MIN_SIDE or im.height < MIN_SIDE:
        raise OcrError(f"图片太小，无法识别 / image too small to read: {im.width}x{im.height}")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        im = im.convert("RGBA")
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, im)
    return im.convert("RGB")
