"""Payment proof facts from the text of a bill screenshot (Alipay / WeChat Pay / bank): amount, time,
transaction number, counterparty. Same label table and amount rules as pages."""

from __future__ import annotations

import re
from datetime import datetime

from . import labels
from .times import find_timestamps

_ALL_LABELS = sorted({lab for labs in labels.LABELS.values() for lab in labs}, key=len, reverse=True)
# OCR of a bill drops the gap between a label and its value: "交易单号4200…" → "交易单号 4200…".
_GLUED = re.compile(r"^((?>" + "|".join(map(re.escape, _ALL_LABELS)) + r"))(?=\S)")  # atomic: no shorter label


def payment_fields(text: str, now: datetime) -> dict:
    lines = [[_GLUED.sub(r"\1 ", ln.strip())] for ln in text.splitlines() if ln.strip()]
    fields = labels.read_fields(lines, None, loose=True)
    amount, currency = labels.parse_amount(fields.get("amount"))
    if amount is None:
        amount, currency = labels.bill_amount(ln[0] for ln in lines)
    when = None
    for key in ("paid_at", "ordered_at"):
        value = fields.get(key)
        if value:
            found = find_timestamps(value, now)
            if found:
                when = found[0].dt.isoformat()
                break
    if when is None:
        found = [m for m in find_timestamps(text, now) if m.has_date]
        when = found[0].dt.isoformat() if found else None
    transaction = labels.clean_order_id(fields.get("_transaction")) or labels.clean_order_id(fields.get("order_id"))
    return {
        "amount": amount,
        "currency": currency,
        "time": when,
        "transaction_no": transaction,
        "merchant_order_no": labels.clean_order_id(fields.get("merchant_order_id")),
        "counterparty": fields.get("merchant"),
    }
