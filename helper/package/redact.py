"""Redaction of exported copies, pure: card keys and personal data (e-mail, QQ, phone) in text, HTML, JSON
and MHTML. The originals in the evidence store are never touched; images are left as they are (the
package says so)."""

from __future__ import annotations

import base64
import email
import email.policy
import quopri
import re

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PHONE = re.compile(r"(?<![\d])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![\d])")
QQ = re.compile(r"((?:QQ|qq|Qq|扣扣)\s*(?:号码|号)?\s*[:：]?\s*)(\d{5,11})(?!\d)")
KEY_LABEL = re.compile(r"((?:卡密|激活码|兑换码|充值码|CDK|cdk|卡号|密码|密钥)\s*[:：]\s*)([^\s<\"'，。,;；]+)")
# Key-shaped tokens: 3+ groups of letters/digits joined by '-', with at least one letter and one digit.
KEY_SHAPE = re.compile(r"(?<![A-Za-z0-9-])(?=[A-Za-z0-9-]*[A-Za-z])(?=[A-Za-z0-9-]*\d)[A-Za-z0-9]{2,10}(?:-[A-Za-z0-9]{2,10}){2,}(?![A-Za-z0-9-])")
TEXTAREA = re.compile(r"(<textarea\b[^>]*>)(.*?)(</textarea>)", re.S | re.I)

MARK_EMAIL = "[已遮盖邮箱]"
MARK_PHONE = "[已遮盖手机号]"
MARK_QQ = "[已遮盖QQ]"
MARK_KEY = "[已遮盖卡密]"


def redact_text(text: str) -> tuple[str, int]:
    """(redacted text, number of replacements)."""
    n = 0

    def sub(pattern, repl, s):
        nonlocal n
        s, k = pattern.subn(repl, s)
        n += k
        return s

    text = sub(TEXTAREA, lambda m: m.group(1) + (MARK_KEY if m.group(2).strip() else m.group(2)) + m.group(3), text)
    text = sub(KEY_LABEL, lambda m: m.group(1) + MARK_KEY, text)
    text = sub(KEY_SHAPE, MARK_KEY, text)
    text = sub(EMAIL, MARK_EMAIL, text)
    text = sub(QQ, lambda m: m.group(1) + MARK_QQ, text)
    text = sub(PHONE, MARK_PHONE, text)
    return text, n


def _decode(data: bytes) -> tuple[str, str]:
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def redact_mhtml(data: bytes) -> tuple[bytes, int]:
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    total = 0
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        raw = part.get_payload(decode=True) or b""
        charset = part.get_content_charset()
        if charset:
            try:
                text, enc = raw.decode(charset), charset
            except (LookupError, UnicodeDecodeError):
                text, enc = _decode(raw)
        else:
            text, enc = _decode(raw)
        new, n = redact_text(text)
        if not n:
            continue
        total += n
        body = new.encode(enc, "replace")
        cte = (part.get("Content-Transfer-Encoding") or "").lower()
        if cte == "base64":
            part.set_payload(base64.encodebytes(body).decode("ascii"))
        elif cte == "quoted-printable":
            part.set_payload(quopri.encodestring(body).decode("ascii"))
        else:
            part.set_payload(body.decode(enc, "replace"))
    if not total:
        return data, 0
    return msg.as_bytes(), total


TEXT_EXT = (".txt", ".html", ".htm", ".json", ".csv", ".md")


def redact_file(name: str, data: bytes) -> tuple[bytes, int, str]:
    """(bytes, replacements, how) for one exported file; how ∈ text, mhtml, image-unchanged, unchanged."""
    lower = name.lower()
    if lower.endswith(".mhtml") or lower.endswith(".mht"):
        out, n = redact_mhtml(data)
        return out, n, "mhtml"
    if lower.endswith(TEXT_EXT):
        text, enc = _decode(data)
        new, n = redact_text(text)
        return (new.encode(enc) if n else data), n, "text"
    if lower.endswith((".png", ".jpg", ".jpeg", ".webp", ".gif")):
        return data, 0, "image-unchanged"
    return data, 0, "unchanged"


def sensitive_boxes(ocr_lines: list[dict]) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) of the OCR lines that hold something redact_text would mask."""
    out = []
    for line in ocr_lines:
        box = line.get("box")
        if isinstance(box, (list, tuple)) and len(box) == 4 and redact_text(str(line.get("text") or ""))[1]:
            out.append(tuple(int(v) for v in box))
    return out


def redact_image(data: bytes, boxes: list[tuple[int, int, int, int]], *, pad: int = 3) -> bytes:
    """The image with each box painted black (PNG). Only what OCR found can be covered."""
    import io

    from PIL import Image, ImageDraw

    with Image.open(io.BytesIO(data)) as im:
        img = im.convert("RGB")
    draw = ImageDraw.Draw(img)
    for x, y, w, h in boxes:
        draw.rectangle([max(0, x - pad), max(0, y - pad), min(img.width, x + w + pad), min(img.height, y + h + pad)], fill="black")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()
