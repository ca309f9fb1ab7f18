"""Site adapters as DATA: URL patterns, DOM signatures, extra labels, selectors and chat configs for the shop
systems the product meets (DOMAIN.md). The extractor reads this table; it has no per-site code paths.

Keys of an adapter:
  id, system        names (for debugging and tests)
  url               regexes tried on the URL; a named group `order_id` supplies the order number
  signature         selectors; the adapter applies when the URL matches OR any signature selector is present
                    (`require` selectors, when given, must all be present too)
  kind              page kind this adapter's pages are ("order", "chat", …), unless facts say otherwise
  labels            extra {field: (labels…)} for the generic label reader
  select            {field: selector} read directly (text of the first match); `order_id` values are cleaned
  keys              selector of the delivered card keys (non-empty = goods shown on the page)
  regions           [(selector, promise source)] text regions whose promises count for that source
  chat              chat config for chat.from_dom: item, name, badge, time, text, separator
"""

from __future__ import annotations

import re

from . import dom

SITES: tuple[dict, ...] = (
    {
        "id": "dujiaoka-luna",
        "system": "dujiaoka",
        "url": (r"/detail-order-sn/(?P<order_id>[A-Z0-9]{16})\b",),
        "signature": ("ul.info-ui", "textarea.order-info"),
        "require": ("ul.info-ui",),
        "kind": "order",
        "keys": "textarea.order-info",
        "regions": ((".notice, .tips, .layui-card-notice", "order_note"),),
    },
    {
        "id": "dujiaoka-hyper",
        "system": "dujiaoka",
        "url": (r"/detail-order-sn/(?P<order_id>[A-Z0-9]{16})\b",),
        "signature": (".row-list", ".kami-info"),
        "require": (".row-list",),
        "kind": "order",
        "select": {"order_id": "h2 .badge"},
        "keys": ".kami-info",
    },
    {
        "id": "dujiaoka-unicorn",
        "system": "dujiaoka",
        "url": (r"/detail-order-sn/(?P<order_id>[A-Z0-9]{16})\b",),
        "signature": (".order-card", "#copy-card"),
        "kind": "order",
        "select": {"order_id": ".order-card h5 small"},
        "keys": ".card-info textarea, textarea",
        "regions": ((".notice, .tips, .alert, .buy-prompt", "order_note"), (".goods-desc, .goods-info", "product")),
    },
    {
        "id": "acg-faka-ticket",
        "system": "acg-faka",
        "url": (r"/user/ticket", r"/user/index/ticket"),
        "signature": (".ticket-thread", ".ticket-reply"),
        "kind": "chat",
        "labels": {"order_id": ("关联订单", "订单号"), "_ticket_status": ("工单状态", "状态")},
        "chat": {
            "item": ".ticket-reply, .ticket-msg",
            "name": ".reply-name, .sender, .name",
            "badge": ".badge, .reply-badge, .badge-staff",
            "time": "time",
            "text": ".reply-content, .content",
            "separator": ".ticket-date, .date-divider, .date-sep",
        },
    },
    {
        "id": "caihong-workorder",
        "system": "caihong",
        "url": (r"[?&]mod=workorder\b",),
        "signature": (".replies .reply-item",),
        "kind": "chat",
        "labels": {"order_id": ("订单编号",), "_ticket_status": ("状态", "工单状态")},
        "chat": {"item": ".reply-item", "name": ".who, .name", "badge": ".badge, .label", "time": ".when, time",
                 "text": ".reply-content, .content"},
        "regions": ((".notice", "rules"),),
    },
    {
        "id": "acg-faka-query",
        "system": "acg-faka",
        "url": (r"/user/index/query\b.*?[?&]tradeNo=(?P<order_id>\d{18})\b", r"/user/index/query\b"),
        "signature": (".query-result", ".order-query"),
        "kind": "order",
        "labels": {
            "order_id": ("订单号", "订单编号"),
            "product": ("商品名称", "商品"),
            "delivery_status": ("宝贝内容", "发货状态"),
            "delivery_mode": ("商品类型", "发货方式"),
        },
        "keys": ".card-content, .secret, pre",
        "regions": ((".goods-description, .goods-desc", "product"), (".delivery-message, .order-note", "order_note")),
    },
    {
        "id": "caihong-query",
        "system": "caihong",
        "url": (r"[?&]mod=query\b(?:.*?[?&]data=(?P<order_id>\d{17})\b)?",),
        "signature": ("#orderItem", ".order-detail-popup", "#showOrder"),
        "kind": "order",
        "labels": {"order_id": ("订单编号",), "contact": ("下单信息", "下单账号"), "amount": ("订单金额",)},
        "regions": ((".notice, .panel-notice", "rules"),),
    },
)

_COMPILED = {s["id"]: tuple(re.compile(p) for p in s.get("url", ())) for s in SITES}


def detect(url: str | None, root: dom.Node, index: "dom.Index | None" = None) -> tuple[dict | None, str | None]:
    """(adapter, order id from the URL) for a page; (None, None) when no adapter claims it."""
    index = index or dom.Index(root)
    for site in SITES:
        url_id = None
        url_hit = False
        if url:
            for rx in _COMPILED[site["id"]]:
                m = rx.search(url)
                if m:
                    url_hit = True
                    url_id = m.groupdict().get("order_id")
                    break
        require = site.get("require", ())
        if require and not all(index.has(s) for s in require):
            continue
        sig_hit = any(index.has(s) for s in site.get("signature", ()))
        if url_hit or sig_hit:
            return site, url_id
    return None, None
