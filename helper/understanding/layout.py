"""The layout input of the chat reader: where each repeated element's content sits on the rendered page.

Capture runs LAYOUT_JS in the page while it is open (cheap: one walk, one Range per repeated element) and
stores its answer beside the HTML; `extract(..., layout=...)` and `witness extract --layout FILE` read it:
    {"width": <the page's client width>, "boxes": {PATH: [x, y, w, h]}, "capped": "boxes" | "time" (only when cut)}
LAYOUT_JS takes an optional bound {"max_boxes": N, "max_ms": T}: the walk stops (in document order) at N boxes or
after T ms and says which bound cut it; a page of 100,000 nodes then costs bounded time and a bounded file.
PATH is the element's position from <html>: the indices of its element children, joined by "/" ("" is html,
"1" its second child body, "1/0/2" the third child of body's first child). Only children of a parent that has
two or more of the same tag are recorded (message lists are made of such runs). A box is the extent of the
element's content (a Range over its children), not of the element: a full-width row whose bubble is pushed
right (flex-direction: row-reverse) has its box on the right.

The HTML parser under the reader (Lexbor) builds the same tree as the browser on all but rare broken markup
(bench/bench_parsers.py), so the paths agree; an unknown path is simply no signal.
"""

from __future__ import annotations

from . import dom

LAYOUT_JS = r"""(limit) => {
  const most = (limit && limit.max_boxes) || Infinity, until = performance.now() + ((limit && limit.max_ms) || Infinity);
  const boxes = {};
  let count = 0, capped = null, seen = 0;
  const range = document.createRange();
  const walk = (el, path) => {
    const kids = el.children, counts = {};
    for (const k of kids) counts[k.localName] = (counts[k.localName] || 0) + 1;
    for (let i = 0; i < kids.length && !capped; i++) {
      const k = kids[i], p = path === null ? String(i) : path + '/' + i;
      if ((++seen & 255) === 0 && performance.now() > until) { capped = 'time'; break; }
      if (counts[k.localName] >= 2) {
        range.selectNodeContents(k);
        const r = range.getBoundingClientRect();
        if (r.width > 0 && r.height > 0) {
          if (count >= most) { capped = 'boxes'; break; }
          boxes[p] = [Math.round(r.left + scrollX), Math.round(r.top + scrollY), Math.round(r.width), Math.round(r.height)];
          count++;
        }
      }
      walk(k, p);
    }
  };
  walk(document.documentElement, null);
  const out = {width: document.documentElement.clientWidth, boxes};
  if (capped) out.capped = capped;
  return out;
}"""


def path_of(node: dom.Node) -> str:
    """The element's PATH (see above)."""
    steps = []
    while node.parent is not None and node.parent.tag != "#root":
        siblings = [c for c in node.parent.children if isinstance(c, dom.Node)]
        steps.append(str(next(i for i, c in enumerate(siblings) if c is node)))
        node = node.parent
    return "/".join(reversed(steps))
