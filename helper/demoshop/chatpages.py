"""The web chat page `/chat/{thread}` and the chat hooks under `/demo/chat/{thread}/…`.

The message list scrolls inside its own pane (fixed height, overflow-y:auto); the page itself does not
scroll. The page polls `messages.json?after=N` every 500 ms and appends new messages to the DOM, so an
extension's MutationObserver sees them arrive. `?auto=SECONDS` makes the page post a message as merchant
and buyer alternately every SECONDS seconds.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from aiohttp import web

from ..core.clock import CHINA
from .chat import MAX_TEXT, SENDERS, Thread, day_label, message_json
from .jsonapi import json_error, json_response, read_object
from .layout import SHOPS, document, e, footer, not_found_page
from .state import state

CSS = """
html,body{height:100%;margin:0;overflow:hidden;background:#e9edf2;color:#222}
.im-app{display:flex;width:980px;max-width:100%;height:100vh;margin:0 auto;background:#fff;box-shadow:0 0 12px rgba(0,0,0,.08)}
.im-side{width:240px;background:#2e3238;color:#cfd3d8;flex:none;display:flex;flex-direction:column}
.im-side h2{font-size:16px;margin:0;padding:18px 16px;color:#fff;border-bottom:1px solid #3a3f45}
.conv{padding:12px 16px;border-bottom:1px solid #383d43;font-size:13px}.conv.active{background:#3a3f45}
.conv .n{color:#fff}.conv .p{color:#8a9099;margin-top:4px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.side-foot{margin-top:auto;font-size:11px;color:#6b7079;padding:10px 16px}.side-foot p{margin:2px 0}.side-foot a{color:#6b7079}
.im-main{flex:1;display:flex;flex-direction:column;min-width:0}
.im-head{height:56px;flex:none;display:flex;align-items:center;padding:0 20px;border-bottom:1px solid #e6e6e6;font-size:16px}
.im-head .st{margin-left:10px;font-size:12px;color:#999}
.msg-list{height:calc(100vh - 56px - 132px);overflow-y:auto;padding:10px 24px;box-sizing:border-box;background:#f5f5f5}
.date-sep{text-align:center;margin:14px 0 6px}.date-sep span{background:#dadada;color:#fff;font-size:12px;padding:2px 10px;border-radius:3px}
.msg{display:flex;margin:10px 0;align-items:flex-start}
.msg .avatar{width:36px;height:36px;border-radius:4px;flex:none;color:#fff;font-size:14px;display:flex;align-items:center;justify-content:center}
.msg.merchant .avatar{background:#ff7a45}.msg.buyer .avatar{background:#1890ff}
.msg .col{margin:0 10px;max-width:70%}
.msg .meta{font-size:12px;color:#999;margin-bottom:3px}.msg .meta .time{margin-left:6px}
.msg .bubble{background:#fff;padding:8px 12px;border-radius:4px;font-size:14px;line-height:1.6;word-break:break-all}
.msg.buyer{flex-direction:row-reverse}.msg.buyer .meta{text-align:right}.msg.buyer .bubble{background:#9eea6a}
.im-input{height:132px;flex:none;border-top:1px solid #e6e6e6;display:flex;flex-direction:column;box-sizing:border-box;padding:8px 16px}
.im-input textarea{flex:1;border:0;resize:none;font:inherit;outline:none}
.im-input .bar{text-align:right}.im-input button{background:#07c160;color:#fff;border:0;padding:6px 22px;border-radius:3px;cursor:pointer}
"""

# Client: poll, append, send. RENDER is a JS function (msg) -> Element for the page's markup.
POLL_JS = """<script>
(function(){
  var THREAD = __THREAD__, PANE = document.querySelector(__PANE__), AUTO = __AUTO__;
  var lastId = __LAST__, lastDay = __LASTDAY__, busy = false;
  __RENDER__
  function nearBottom(){ return PANE.scrollHeight - PANE.scrollTop - PANE.clientHeight < 80; }
  function append(list){
    var stick = nearBottom();
    list.forEach(function(m){
      if (m.id <= lastId) return;
      if (m.day !== lastDay && typeof renderSep === 'function'){ PANE.appendChild(renderSep(m)); lastDay = m.day; }
      PANE.appendChild(render(m)); lastId = m.id;
    });
    if (stick) PANE.scrollTop = PANE.scrollHeight;
  }
  function poll(){
    if (busy) return; busy = true;
    fetch('/demo/chat/' + encodeURIComponent(THREAD) + '/messages.json?after=' + lastId, {cache: 'no-store'})
      .then(function(r){ return r.json(); }).then(function(d){ append(d.messages || []); })
      .catch(function(){}).then(function(){ busy = false; });
  }
  window.demoSay = function(sender, text){
    return fetch('/demo/chat/' + encodeURIComponent(THREAD) + '/say', {method: 'POST',
      headers: {'Content-Type': 'application/json'}, body: JSON.stringify({sender: sender, text: text})}).then(poll);
  };
  PANE.scrollTop = PANE.scrollHeight;
  setInterval(poll, 500);
  if (AUTO > 0){
    var n = 0;
    setInterval(function(){ n++; window.demoSay(n % 2 ? 'merchant' : 'buyer',
      (n % 2 ? '【自动】客服消息 ' : '【自动】买家消息 ') + n); }, AUTO * 1000);
  }
  var form = document.querySelector('[data-say-form]');
  if (form) form.addEventListener('submit', function(ev){
    ev.preventDefault(); var box = form.querySelector('textarea'); var text = box.value.trim();
    if (text){ window.demoSay('buyer', text); box.value = ''; }
  });
})();
</script>"""

RENDER_IM = """
  function el(tag, cls, text){ var x = document.createElement(tag); if (cls) x.className = cls;
    if (text != null) x.textContent = text; return x; }
  function renderSep(m){ var d = el('div', 'date-sep'); d.appendChild(el('span', null, m.day_label)); return d; }
  function render(m){
    var row = el('div', 'msg ' + m.sender); row.setAttribute('data-id', m.id);
    row.appendChild(el('div', 'avatar', m.sender === 'merchant' ? '客' : '我'));
    var col = el('div', 'col'), meta = el('div', 'meta');
    meta.appendChild(el('span', 'name', m.name)); var tm = el('span', 'time', m.clock); tm.title = m.time;
    meta.appendChild(tm); col.appendChild(meta); col.appendChild(el('div', 'bubble', m.text)); row.appendChild(col);
    return row;
  }
"""


def poll_script(thread: Thread, now: datetime, *, pane: str, render_js: str, auto: float = 0) -> str:
    last = thread.messages[-1] if thread.messages else None
    last_day = last.time(now).astimezone(CHINA).date().isoformat() if last else ""
    return (
        POLL_JS.replace("__THREAD__", json.dumps(thread.thread_id))
        .replace("__PANE__", json.dumps(pane))
        .replace("__AUTO__", json.dumps(auto))
        .replace("__LAST__", str(last.id if last else 0))
        .replace("__LASTDAY__", json.dumps(last_day))
        .replace("__RENDER__", render_js)
    )


def render_messages(thread: Thread, now: datetime) -> str:
    out, day = [], None
    for m in thread.messages:
        when = m.time(now).astimezone(CHINA)
        if when.date() != day:
            day = when.date()
            out.append(f'<div class="date-sep"><span>{e(day_label(when, now))}</span></div>')
        initial = "客" if m.sender == "merchant" else "我"
        out.append(
            f'<div class="msg {m.sender}" data-id="{m.id}"><div class="avatar">{initial}</div><div class="col">'
            f'<div class="meta"><span class="name">{e(thread.name_of(m.sender))}</span>'
            f'<span class="time" title="{when:%Y-%m-%d %H:%M:%S}">{when:%H:%M}</span></div>'
            f'<div class="bubble">{e(m.text)}</div></div></div>'
        )
    return "".join(out)


def _thread(request: web.Request, *, html: bool) -> Thread:
    th = state(request).threads.get(request.match_info["thread"])
    if th is None:
        if html:
            raise web.HTTPNotFound(text=not_found_page("会话不存在"), content_type="text/html")
        raise json_error(404, "not_found", "会话不存在 / no such chat thread")
    return th


def _auto_seconds(request: web.Request) -> float:
    raw = request.query.get("auto", "0")
    try:
        auto = float(raw)
    except ValueError:
        auto = -1
    if not (0 <= auto <= 3600):
        raise web.HTTPBadRequest(text="auto 参数必须是 0 到 3600 之间的秒数", content_type="text/plain")
    return auto


async def chat_page(request: web.Request) -> web.Response:
    th = _thread(request, html=True)
    auto = _auto_seconds(request)
    now = state(request).now()
    shop = SHOPS["dujiaoka-a"]
    preview = th.messages[-1].text if th.messages else ""
    body = (
        '<div class="im-app"><aside class="im-side"><h2>消息</h2>'
        f'<div class="conv active"><div class="n">{e(th.merchant_name)}</div><div class="p">{e(preview)}</div></div>'
        '<div class="conv"><div class="n">系统通知</div><div class="p">您的订单已创建，请尽快完成支付</div></div>'
        '<div class="conv"><div class="n">售后客服</div><div class="p">工作时间 09:00-23:00</div></div>'
        + footer(shop, cls="side-foot")
        + "</aside>"
        f'<section class="im-main"><div class="im-head">{e(th.title)}<span class="st">客服在线时间 09:00-23:00</span></div>'
        f'<div class="msg-list" id="msg-list">{render_messages(th, now)}</div>'
        '<form class="im-input" data-say-form><textarea placeholder="输入消息…"></textarea>'
        '<div class="bar"><button type="submit">发送</button></div></form></section></div>'
        + poll_script(th, now, pane="#msg-list", render_js=RENDER_IM, auto=auto)
    )
    return web.Response(text=document(f"{th.title} - {shop.name}", body, css=CSS), content_type="text/html")


def parse_after(request: web.Request) -> int:
    raw = request.query.get("after", "0")
    try:
        after = int(raw)
    except ValueError:
        raise json_error(400, "bad_request", f"after 必须是非负整数 / after must be a non-negative integer: {raw!r}")
    if after < 0:
        raise json_error(400, "bad_request", "after 必须是非负整数 / after must be a non-negative integer")
    return after


async def messages_json(request: web.Request) -> web.Response:
    th = _thread(request, html=False)
    after = parse_after(request)
    now = state(request).now()
    msgs = [message_json(th, m, now) for m in th.after(after)]
    return json_response(
        {"thread": th.thread_id, "last_id": len(th.messages), "messages": msgs}, headers={"Cache-Control": "no-store"}
    )


async def say(request: web.Request) -> web.Response:
    th = _thread(request, html=False)
    data = await read_object(request)
    sender, text = data.get("sender"), data.get("text")
    if sender not in SENDERS:
        raise json_error(400, "bad_sender", 'sender 必须是 "merchant" 或 "buyer" / sender must be "merchant" or "buyer"')
    if not isinstance(text, str) or not text.strip():
        raise json_error(400, "bad_text", "text 必须是非空字符串 / text must be a non-empty string")
    if len(text) > MAX_TEXT:
        raise json_error(400, "bad_text", f"text 最长 {MAX_TEXT} 字 / text longer than {MAX_TEXT} characters")
    st = state(request)
    now = st.now()
    msg = th.add(sender, text.strip(), at=now)
    return json_response(message_json(th, msg, now), status=201)


def _name(data: dict, key: str, default: str) -> str:
    v = data.get(key, default)
    if not isinstance(v, str) or not v.strip() or len(v) > 40:
        raise json_error(400, "bad_request", f"{key} 必须是 1-40 字的字符串 / {key} must be a string of 1-40 characters")
    return v.strip()


async def create_thread(request: web.Request) -> web.Response:
    """A fresh thread, optionally with history: {"title", "merchant_name", "buyer_name",
    "messages": [{"sender", "text", "offset_seconds"}]} (offsets = seconds before now, oldest first)."""
    data = await read_object(request)
    unknown = set(data) - {"title", "merchant_name", "buyer_name", "messages"}
    if unknown:
        raise json_error(400, "bad_request", f"未知字段 / unknown fields: {', '.join(sorted(unknown))}")
    st = state(request)
    th = Thread(
        thread_id=f"t{len(st.threads) + 1}",
        title=_name(data, "title", "在线客服"),
        merchant_name=_name(data, "merchant_name", "客服"),
        buyer_name=_name(data, "buyer_name", "我"),
    )
    while th.thread_id in st.threads:
        th.thread_id += "x"
    history = data.get("messages", [])
    if not isinstance(history, list) or len(history) > 1000:
        raise json_error(400, "bad_request", "messages 必须是列表 / messages must be a list")
    now = st.now()
    last_offset = float("inf")
    for item in history:
        ok = isinstance(item, dict) and item.get("sender") in SENDERS and isinstance(item.get("text"), str)
        offset = item.get("offset_seconds", 0) if isinstance(item, dict) else None
        if not ok or not item["text"].strip() or len(item["text"]) > MAX_TEXT:
            raise json_error(400, "bad_request", "每条消息需要 sender 和非空 text / each message needs sender and text")
        if isinstance(offset, bool) or not isinstance(offset, (int, float)) or not 0 <= offset <= last_offset:
            raise json_error(
                400, "bad_request",
                "offset_seconds 必须是非负数且从旧到新递减 / offset_seconds must be >= 0 and not increase",
            )
        last_offset = offset
        th.add(item["sender"], item["text"].strip(), at=now - timedelta(seconds=offset))
    st.threads[th.thread_id] = th
    return json_response({"thread": th.thread_id, "url": f"/chat/{th.thread_id}", "messages": len(th.messages)},
                         status=201)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/demo/chat", create_thread)
    app.router.add_get("/chat/{thread}", chat_page)
    app.router.add_get("/demo/chat/{thread}/messages.json", messages_json)
    app.router.add_post("/demo/chat/{thread}/say", say)
