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
  why               the fixture where the generic reader (thread.py, structure.py, labels) is wrong without this
                    rule, and how; tests/test_extract_generic.py checks each rule still changes its fixture

The table is the exception: a page no rule claims is read by the generic reader, and extract(...,
known_sites=False) reads every page that way (the corpus benchmark measures it so). A rule stays only where the
generic reader is wrong on a fixture; the dujiaoka luna and hyper rules were removed once it read them right.
"""

from __future__ import annotations

import re

from . import dom

SITES: tuple[dict, ...] = (
    {
        "id": "dujiaoka-unicorn",
        "why": ("dujiaoka_unicorn_pending.html: the .notice under the order is this order's note (order_note), "
                "which the generic reader takes for a shop-wide rule",),
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
        "why": ("demoshop/user_ticket.json: the ticket list's 状态 column is a ticket's state, not an order status "
                "(the generic reader calls the list an order page)",),
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
        "why": ("demoshop/mod_workorder.json: the work-order list's 状态 is a work order's state, not an order "
                "status",),
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
        "why": ("acgfaka_query_waiting.html: the goods description is the product's promise (source product), "
                "not an order note",),
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
        "why": ("demoshop/mod_query_data_20261126092149270.json: the site notice is a rule; the order's own "
                "付款后10分钟内开始处理 is the promise",),
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
