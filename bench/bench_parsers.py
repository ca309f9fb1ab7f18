"""Which HTML parser the page reader stands on (issue 12): speed on the fixture and corpus pages, and how closely
each parser's tree matches the browser's on broken HTML.

    .venv/bin/python bench/bench_parsers.py [--repeat N] [--no-browser]

Candidates: the old hand-written builder on html.parser (helper/understanding/dom.py before issue 12, kept here
as `stdlib` only as the baseline), lxml (libxml2's HTML parser), html5lib (the WHATWG algorithm in pure Python,
building an lxml tree) and selectolax (Lexbor, the WHATWG algorithm in C). Missing packages are skipped.

Speed: median ms per page to parse, and to parse then visit every element and text node from Python (what the
reader does). Fidelity: each broken page is loaded into headless Chromium (the system Chromium, through the
helper's launch seam) and its DOM is walked in the page; each parser's tree is walked the same way; the score is
the share of (depth, tag | text) items that line up (difflib ratio), 1.0 = the browser's tree exactly.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE_DIRS = [ROOT / "tests" / "fixtures" / "pages", ROOT / "tests" / "corpus"]

# Broken markup met in real shops' saved pages, one kind of breakage each.
BROKEN = {
    "unclosed-li-p": "<ul><li>订单号<li>状态<p>已付款<p>等待发货</ul>",
    "misnested-inline": "<p><b>订单<i>状态</b>已付款</i></p><div>下一行</div>",
    "table-stray-text": "<table><tr><td>订单号</td>游离文字<td>A1B2</td></tr><div>表内 div</div></table>",
    "td-unclosed-div": "<table><tr><td><div>商品<td>价格</table><p>after</p>",
    "stray-end-tags": "</div></span><div>订单</div></p></b><p>金额</p>",
    "p-in-p-block": "<p>说明<div>块</div>尾巴</p>",
    "nested-form": "<form><div><form><input name=a></form>x</div></form><p>y</p>",
    "title-in-body": "<body><div>头</div><title>迟到的标题</title><div>尾</div></body>",
    "after-html": "<html><body><p>正文</p></body></html><p>页尾之后</p>",
    "unquoted-attrs": "<div class=msg is-admin data-x=1><span class=name>店长</span>文字</div>",
    "select-content": "<select><option>一<div>不该在这</div><option>二</select><p>后</p>",
    "heading-nesting": "<h2>标题<h3>子标题</h2>正文</h3><p>段</p>",
    "list-in-a": "<a href=#><div>块链接</div><a href=#>嵌套</a></a>",
    "unclosed-comment-ish": "<div>前<!-- 注释 --><p>中<!-- 注释未闭合 </p><p>后</p></div>",
    "template-and-noscript": "<template><p>模板</p></template><noscript><p>无脚本</p></noscript><p>正文</p>",
    "deep-unclosed": "<div>" * 50 + "<span>深处</span>",
}

WALK_JS = """() => {
  const out = [];
  const walk = (n, d) => {
    for (const c of n.childNodes) {
      if (c.nodeType === 1) { out.push([d, c.localName]); walk(c.localName === 'template' ? c.content : c, d + 1); }
      else if (c.nodeType === 3) { const t = c.data.replace(/\\s+/g, ' ').trim(); if (t) out.push([d, '#' + t]); }
    }
  };
  walk(document, 0);
  return out;
}"""


# --- parsers: each is (parse(html) -> tree, walk(tree) -> [(depth, "tag" | "#text")]) -------------------------


def _lxml():
    import lxml.html

    def parse(html):
        return lxml.html.document_fromstring(html) if html.strip() else None

    return parse, _walk_etree


def _html5lib():
    import html5lib

    def parse(html):
        return html5lib.parse(html, treebuilder="lxml", namespaceHTMLElements=False).getroot()

    return parse, _walk_etree


def _selectolax():
    from selectolax.lexbor import LexborHTMLParser

    def parse(html):
        return LexborHTMLParser(html)

    def walk(tree):
        out = []
        stack = [(tree.root, 0)] if tree.root is not None else []
        while stack:
            node, d = stack.pop()
            tag = node.tag
            if tag == "-text":
                t = " ".join(node.text_content.split())
                if t:
                    out.append((d, "#" + t))
                continue
            if tag.startswith("_") or tag == "-comment" or tag == "!doctype":
                continue
            out.append((d, tag))
            stack.extend((c, d + 1) for c in reversed(list(node.iter(include_text=True))))
        return out

    return parse, walk


def _stdlib():
    from helper.understanding import dom

    if not hasattr(dom, "_Builder"):
        raise ImportError("the hand-written builder is gone (replaced in issue 12); figures for it are in the README")

    def walk(root):
        out = []
        stack = [(c, 0) for c in reversed(root.children)]
        while stack:
            item, d = stack.pop()
            if isinstance(item, str):
                t = " ".join(item.split())
                if t:
                    out.append((d, "#" + t))
                continue
            out.append((d, item.tag))
            stack.extend((c, d + 1) for c in reversed(item.children))
        return out

    return dom.parse, walk


def _walk_etree(root):
    out = []
    stack = [("el", root, 0)] if root is not None else []
    while stack:
        kind, item, d = stack.pop()
        if kind == "text":
            t = " ".join((item or "").split())
            if t:
                out.append((d, "#" + t))
            continue
        if isinstance(item.tag, str):  # comments and processing instructions have no text of their own here
            out.append((d, item.tag))
        for child in reversed(item):
            stack.append(("text", child.tail, d + 1))
            stack.append(("el", child, d + 1))
        if isinstance(item.tag, str):
            stack.append(("text", item.text, d + 1))
    return out


PARSERS = {"stdlib": _stdlib, "lxml": _lxml, "html5lib": _html5lib, "selectolax": _selectolax}


# --- runs --------------------------------------------------------------------------------------------------------


def _pages() -> list[tuple[str, str]]:
    from helper.understanding.decode import decode_html

    pages = []
    for d in PAGE_DIRS:
        if d.exists():
            for p in sorted(d.rglob("*.html")):
                pages.append((str(p.relative_to(ROOT)), decode_html(p.read_bytes())))
    return pages


def speed(parsers, repeat: int) -> None:
    pages = _pages()
    total = sum(len(h) for _, h in pages)
    print(f"speed: {len(pages)} pages, {total // 1024} KiB (fixtures and corpus), median of {repeat} runs")
    print(f"{'parser':12} {'parse ms/page':>14} {'parse+walk ms/page':>19} {'worst page ms':>14}")
    for name, (parse, walk) in parsers.items():
        per_page, per_page_walk, worst = [], [], 0.0
        for _, html in pages:
            runs, runs_w = [], []
            for _ in range(repeat):
                t = time.perf_counter()
                tree = parse(html)
                t1 = time.perf_counter()
                walk(tree)
                t2 = time.perf_counter()
                runs.append((t1 - t) * 1000)
                runs_w.append((t2 - t) * 1000)
            per_page.append(statistics.median(runs))
            per_page_walk.append(statistics.median(runs_w))
            worst = max(worst, per_page_walk[-1])
        print(f"{name:12} {statistics.mean(per_page):14.3f} {statistics.mean(per_page_walk):19.3f} {worst:14.2f}")


async def _browser_trees() -> dict[str, list]:
    from playwright.async_api import async_playwright

    from helper.capture.browser import launch_browser

    out = {}
    async with async_playwright() as pw:
        browser = await launch_browser(pw)
        page = await browser.new_page()
        for name, html in BROKEN.items():
            await page.set_content(html)
            out[name] = [tuple(x) for x in await page.evaluate(WALK_JS)]
        await browser.close()
    return out


WRAPPERS = frozenset(("html", "head", "body", "tbody"))


def unwrapped(items: list) -> list:
    """The same walk without the implied html/head/body/tbody wrappers (the old builder never made them), each
    item's depth counted over its remaining ancestors: a fair line-up for a parser that adds no wrappers."""
    out, path = [], []
    for depth, label in items:
        del path[depth:]
        if label not in WRAPPERS:
            out.append((sum(1 for a in path if a not in WRAPPERS), label))
        path.append(label)
    return out


def fidelity(parsers) -> None:
    browser = asyncio.run(_browser_trees())
    print(f"\nfidelity: {len(BROKEN)} broken pages, tree vs headless Chromium's DOM (1.000 = identical; "
          "html/head/body/tbody wrappers left out of both)")
    print(f"{'page':22} " + " ".join(f"{n:>10}" for n in parsers))
    sums = {n: 0.0 for n in parsers}
    exact = {n: 0 for n in parsers}
    for name, html in BROKEN.items():
        ref = unwrapped(browser[name])
        row = []
        for pname, (parse, walk) in parsers.items():
            got = unwrapped(walk(parse(html)))
            score = difflib.SequenceMatcher(a=ref, b=got, autojunk=False).ratio()
            sums[pname] += score
            exact[pname] += got == ref
            row.append(f"{score:10.3f}")
        print(f"{name:22} " + " ".join(row))
    n = len(BROKEN)
    print(f"{'mean':22} " + " ".join(f"{sums[p] / n:10.3f}" for p in parsers))
    print(f"{'identical trees':22} " + " ".join(f"{exact[p]:>7d}/{n}" for p in parsers))


def depth(parsers, levels: int = 20_000) -> None:
    """Hostile nesting: `<div><span>` x levels, then text. Seconds to parse, and whether the text is still there."""
    html = "<div><span>" * (levels // 2) + "订单号：ZZ99887766" + "</span></div>" * 10
    print(f"\nhostile nesting ({levels:,} open elements, {len(html) // 1024} KiB): seconds to parse, deepest text kept")
    for name, (parse, walk) in parsers.items():
        t = time.perf_counter()
        tree = parse(html)
        took = time.perf_counter() - t
        kept = any(label == "#订单号：ZZ99887766" for _, label in walk(tree))
        print(f"{name:12} {took:8.3f} s   text kept: {kept}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--no-browser", action="store_true", help="skip the fidelity comparison")
    args = ap.parse_args()
    parsers = {}
    for name, make in PARSERS.items():
        try:
            parsers[name] = make()
        except ImportError as e:
            print(f"({name} skipped: {e})")
    speed(parsers, args.repeat)
    depth(parsers)
    if not args.no_browser:
        fidelity(parsers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
