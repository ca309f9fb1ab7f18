"""The case of one order, as the case page and `witness orders` show it (GET /api/orders/{id}/case).

`case_view(...)` is pure: stored rows in, plain JSON out, `now` an argument. It answers: which facts are
known and where each came from (the chain event that set it, the capture and the line of that capture's
text), where the order stands on the escalation path, every capture with its image and hash, one timeline
merging the order's dates, chain events and chat messages, and the buyer's actions with their withdrawals.
`case_for_store` reads the store and the captures' texts, then calls it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ..core.clock import china, iso, parse_iso
from ..escalation import ACTIONS, all_actions, order_status, path
from ..understanding import deadlines
from .drafts import CHANNELS, MESSAGES_BEFORE_ORDER, states_promise

FACTS = (
    ("order_no", "订单号", "order number"), ("product", "商品", "product"), ("amount", "金额", "amount"),
    ("status", "订单状态", "status"), ("ordered_at", "下单时间", "ordered"), ("paid_at", "付款时间", "paid"),
    ("promise_text", "发货承诺", "delivery promise"), ("deadline", "发货时限", "deadline"),
    ("delivery_mode", "发货方式", "delivery mode"), ("merchant", "商家", "merchant"), ("contact", "联系方式", "contact"),
    ("shop_name", "店铺名称", "shop"), ("shop_icp", "ICP备案号", "ICP number"), ("url", "订单页网址", "order page"),
)
IMAGE_ORDER = ("stamped.png", "page.png")
LINE_MAX = 200


def _dt(value) -> datetime | None:
    try:
        return parse_iso(value) if value else None
    except (TypeError, ValueError):
        return None


def _candidates(field: str, value) -> list[str]:
    """How a stored value may be printed on the page (times in China time, amounts without zeros)."""
    text = str(value)
    out = [text]
    when = _dt(text) if field.endswith("_at") or field == "deadline" else None
    if when is not None:
        c = china(when)  # "2026-11-27 10:00:12"
        out = [c, c[:16], c.replace("-", "/"), c[:16].replace("-", "/")]
    elif field == "amount":
        out += [text.rstrip("0").rstrip(".")] if "." in text else []
    return [c for c in out if c]


def find_line(lines: list[str], field: str, value) -> tuple[int, str] | None:
    """The first line of a capture's text that shows the value: (1-based number, the line)."""
    if value in (None, ""):
        return None
    cands = [c.replace(" ", "") for c in _candidates(field, value)]
    for i, line in enumerate(lines, 1):
        flat = line.replace(" ", "")
        if any(c and c in flat for c in cands):
            return i, line.strip()[:LINE_MAX]
    return None


def _setters(events: list[dict]) -> dict[str, dict]:
    """Field → the last order.created / order.updated event that gave it its value."""
    setters: dict[str, dict] = {}
    for e in events:
        if e["type"] == "order.created":
            values = e["data"].get("order") or {}
        elif e["type"] == "order.updated":
            values = {k: v[1] for k, v in (e["data"].get("changes") or {}).items()}
        else:
            continue
        for k, v in values.items():
            if v is not None:
                setters[k] = e
    return setters


def _source(field: str, value, event: dict | None, captures: dict[int, dict], texts: dict[int, list[str]], order: dict):
    if field == "deadline" and order.get("promise_seconds"):
        promise = {"text": order.get("promise_text"), "within_seconds": order["promise_seconds"],
                   "source": order.get("promise_source")}
        return {"type": "derived", **deadlines.explain(promise, paid=bool(order.get("paid_at")))}
    if event is None:
        return None
    capture_id = event.get("capture_id") or event["data"].get("capture_id")
    if capture_id is None or capture_id not in captures:
        return {"type": "manual", "seq": event["seq"], "at": event["at"]}
    cap = captures[capture_id]
    words = DISPLAY.get(field, {}).get(value)  # a stored code ("auto") is printed as words ("自动发货")
    found = None if field == "url" else find_line(texts.get(capture_id, []), field, words[0] if words else value)
    return {"type": "capture", "seq": event["seq"], "capture_id": capture_id, "kind": cap["kind"],
            "captured_at": cap["captured_at"], "line_no": found[0] if found else None, "line": found[1] if found else None}


DISPLAY = {"delivery_mode": {"auto": ("自动发货", "automatic"), "manual": ("人工发货", "by hand")}}


def facts(order: dict, events: list[dict], captures: dict[int, dict], texts: dict[int, list[str]]) -> list[dict]:
    """Each known fact with its `source`; `display` ({zh, en}) where a stored code reads better in words."""
    setters = _setters(events)
    out = []
    for f, zh, en in FACTS:
        if order.get(f) in (None, ""):
            continue
        fact = {"field": f, "zh": zh, "en": en, "value": order[f],
                "source": _source(f, order[f], setters.get(f), captures, texts, order)}
        words = DISPLAY.get(f, {}).get(order[f])
        if words:
            fact["display"] = {"zh": words[0], "en": words[1]}
        out.append(fact)
    return out


def main_image(cap: dict) -> dict | None:
    """The artifact that shows the capture: the stamped screenshot, else the screenshot, else any image."""
    arts = {a["name"]: a for a in cap["artifacts"]}
    name = next((n for n in IMAGE_ORDER if n in arts), None) or next(
        (a["name"] for a in cap["artifacts"] if a["media_type"].startswith("image/")), None)
    return arts.get(name)


def capture_card(cap: dict) -> dict:
    image = main_image(cap)
    name = image["name"] if image else None
    main = image or (cap["artifacts"][0] if cap["artifacts"] else {})
    meta = cap.get("meta") or {}
    source = {"tab": "evidence_browser"}.get(cap["source"], cap["source"])
    return {"id": cap["id"], "kind": cap["kind"], "source": source, "page_state": cap.get("page_state") or meta.get("page_state"),
            "url": cap.get("url"), "title": cap.get("title"), "captured_at": cap["captured_at"], "image": name,
            "sha256": main.get("sha256"), "message_count": cap.get("message_count")}


KIND_ZH = {"order": "订单页", "chat": "聊天", "rules": "平台规则", "payment": "付款记录", "product": "商品页",
           "desktop": "桌面截图", "other": "网页"}
WARNING_ZH = {"order.due_soon": ("提醒：发货时限将到", "warning: deadline near"),
              "order.overdue": ("提醒：已超过承诺的发货时限", "warning: the deadline has passed"),
              "escalation.step_due": ("提醒：维权步骤已到期", "warning: an escalation step is due")}


def _event_item(e: dict, captures: dict[int, dict]) -> dict | None:
    d = e["data"]
    base = {"at": e["at"], "seq": e["seq"], "capture_id": e.get("capture_id")}
    if e["type"] == "order.created":
        return {**base, "kind": "order", "zh": "开始跟踪订单", "en": "order tracked"}
    if e["type"] == "order.updated":
        changed = "、".join(f"{k}：{v[0] or '—'} → {v[1]}" for k, v in (d.get("changes") or {}).items())
        return {**base, "kind": "order", "zh": f"订单信息变化（{changed}）", "en": f"order changed ({changed})"}
    if e["type"] == "capture.stored":
        cap = d.get("capture") or {}
        kind = cap.get("kind", "other")
        return {**base, "kind": "capture", "capture_id": cap.get("id"), "zh": f"取证 #{cap.get('id')}：{KIND_ZH.get(kind, kind)} {cap.get('title') or ''}".strip(),
                "en": f"capture #{cap.get('id')}: {kind} {cap.get('title') or ''}".strip()}
    if e["type"] == "capture.linked":
        cap = captures.get(d.get("capture_id")) or {"id": d.get("capture_id"), "kind": "other"}
        kind = cap.get("kind", "other")
        return {**base, "at": cap.get("captured_at") or e["at"], "kind": "capture", "capture_id": cap["id"],
                "zh": f"取证 #{cap['id']}：{KIND_ZH.get(kind, kind)} {cap.get('title') or ''}".strip(),
                "en": f"capture #{cap['id']}: {kind} {cap.get('title') or ''}".strip()}
    if e["type"] == "action.recorded":
        extra = "；".join(x for x in (d.get("reference") and f"编号 {d['reference']}", d.get("note")) if x)
        return {**base, "at": d.get("at") or e["at"], "kind": "action", "zh": f"我：{d.get('zh')}", "en": f"me: {d.get('en')}",
                "text": extra or None}
    if e["type"] == "action.withdrawn":
        return {**base, "kind": "withdrawn", "zh": f"{d.get('zh')}（记录 #{d.get('action_seq')}）",
                "en": f"{d.get('en')} (record #{d.get('action_seq')})", "text": d.get("note")}
    if e["type"] in WARNING_ZH:
        zh, en = WARNING_ZH[e["type"]]
        step = d.get("next_step") or {}
        return {**base, "kind": "warning", "zh": f"{zh}；下一步：{step.get('zh', '—')}", "en": f"{en}; next: {step.get('en', '—')}"}
    if e["type"] == "export.made":
        name = str(d.get("path", "")).replace("\\", "/").rsplit("/", 1)[-1]
        return {**base, "kind": "export", "zh": f"导出证据包 {name}", "en": f"evidence package exported: {name}"}
    return None


def _message_items(order: dict, messages: list[dict], captures: dict[int, dict]) -> list[dict]:
    """Chat messages from two hours before the order on (and earlier merchant promises), once each."""
    start = min((d for d in (_dt(order.get("ordered_at")), _dt(order.get("paid_at"))) if d), default=None)
    seen, out, older = set(), [], 0
    for m in messages:
        key = (m.get("sender"), m.get("time"), m.get("text"))
        if key in seen:  # the same chat captured again
            continue
        seen.add(key)
        when = _dt(m.get("time"))
        if start and when and when < start - MESSAGES_BEFORE_ORDER and not states_promise(m):
            older += 1
            continue
        cap = captures.get(m["capture_id"]) or {}
        who = {"buyer": ("我", "me"), "merchant": ("商家", "merchant")}.get(m.get("sender"), (m.get("name") or "?",) * 2)
        out.append({"at": m.get("time") or cap.get("captured_at"), "kind": "message", "sender": m.get("sender"),
                    "zh": f"聊天 · {who[0]}{'' if m.get('time') else '（时间未显示，按取证时间）'}",
                    "en": f"chat · {who[1]}{'' if m.get('time') else ' (no time shown; capture time)'}",
                    "text": m.get("text"), "capture_id": m["capture_id"]})
    if older and start:
        out.append({"at": iso(start - MESSAGES_BEFORE_ORDER), "kind": "message",
                    "zh": f"（更早的 {older} 条聊天消息与本订单无关，未列出；截图中都有）",
                    "en": f"({older} earlier chat messages before this order are not listed; the captures hold them)"})
    return out


def timeline(order: dict, events: list[dict], messages: list[dict], captures: dict[int, dict]) -> list[dict]:
    items = [{"at": order[f], "kind": "fact", "zh": zh, "en": en}
             for f, zh, en in (("ordered_at", "下单", "ordered"), ("paid_at", "付款", "paid"),
                               ("deadline", "商家承诺的发货时限", "the merchant's delivery deadline")) if order.get(f)]
    items += [x for x in (_event_item(e, captures) for e in events) if x]
    items += _message_items(order, messages, captures)
    floor = datetime.min.replace(tzinfo=timezone.utc)
    return sorted(items, key=lambda x: (_dt(x["at"]) or floor, x.get("seq") or 0))


def case_view(order: dict, captures: list[dict], messages: list[dict], events: list[dict], actions: list[dict],
              texts: dict[int, list[str]], now: datetime, *, platform_window: timedelta) -> dict:
    """`order` as order_status() returns it; `actions` as all_actions() (withdrawn ones included)."""
    by_id = {c["id"]: c for c in captures}
    in_force = [a for a in actions if not a.get("withdrawn")]
    steps = path(order, in_force, now, platform_window=platform_window)
    current = next((s for s in steps if s["state"] == "now"), None)
    suggested = set(current.get("channels", [])) if current else set()
    return {
        "order": order,
        "now": iso(now),
        "facts": facts(order, events, by_id, texts),
        "path": steps,
        "captures": [capture_card(c) for c in captures],
        "timeline": timeline(order, events, messages, by_id),
        "actions": actions,
        "action_codes": [{"code": k, "zh": zh, "en": en} for k, (zh, en) in ACTIONS.items()],
        "channels": [{"code": k, "title": title, "suggested": k in suggested} for k, title in CHANNELS.items()],
    }


def capture_lines(store, cap: dict) -> list[str]:
    """The capture's visible text (text.txt), else what OCR read; [] when neither exists."""
    art = next((a for a in cap["artifacts"] if a["name"] == "text.txt"), None)
    if art is not None:
        try:
            return store.artifact_path(art).read_text("utf-8", errors="replace").splitlines()
        except OSError:
            return []
    done = [r for r in store.ocr_of(cap["id"]) if r.get("text")]
    return done[-1]["text"].splitlines() if done else []


def case_for_store(store, order_id: int, now: datetime, *, platform_window: timedelta) -> dict:
    order = order_status(store, store.get_order(order_id), now, platform_window=platform_window)
    captures = store.list_captures(order_id=order_id)
    for c in captures:
        for a in c["artifacts"]:
            a.pop("path", None)
    texts = {c["id"]: capture_lines(store, c) for c in captures}
    return case_view(order, captures, store.messages(order_id=order_id), store.events(order_id=order_id),
                     all_actions(store, order_id), texts, now, platform_window=platform_window)
