"""A small, bounded DOM built with the standard library's html.parser, plus the two views the extractor needs:
rows of text cells (for label/value reading) and a tiny CSS-like selector (for site adapters' data).

Hostile input is expected (5 MB of nested tags, binary junk): nesting is capped at MAX_DEPTH (deeper start
tags do not open new elements, their text still lands in the deepest one), the tree holds at most MAX_NODES
elements (later tags are ignored, text is kept), and nothing here recurses.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

from .visible import is_hidden, is_ligature

MAX_DEPTH = 200
MAX_NODES = 60_000

VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr keygen".split()
)
SKIP = frozenset("script style noscript template svg math head select object iframe canvas".split())
# Elements that start a new row of text; everything else is inline and makes cells within a row.
BLOCK = frozenset(
    """address article aside blockquote body caption center dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hr html legend li main nav ol p pre section summary table
    tbody thead tfoot tr ul textarea title br""".split()
)
# A start tag of the key closes an open element of one of the value tags (HTML's implied end tags).
IMPLIED_CLOSE = {
    "li": ("li",),
    "p": ("p",),
    "dt": ("dt", "dd"),
    "dd": ("dt", "dd"),
    "tr": ("tr", "td", "th"),
    "td": ("td", "th"),
    "th": ("td", "th"),
    "option": ("option",),
}
_KEEP_ATTRS = frozenset(
    "class id datetime content name property charset http-equiv title href value data-role data-sender "
    "hidden style aria-hidden type placeholder".split()
)
_SCOPE_STOP = frozenset("ul ol table tbody thead tfoot dl div body html select".split())
_WS = re.compile(r"\s+")


class Node:
    __slots__ = ("tag", "attrs", "children", "parent", "_unseen")

    def __init__(self, tag: str, attrs: dict[str, str], parent: "Node | None"):
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node | str] = []
        self.parent = parent
        self._unseen: bool | None = None

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    @property
    def unseen(self) -> bool:
        """Hidden, screen-reader-only, or an icon-font ligature (visible.py): its text is not the page's."""
        if self._unseen is None:
            classes = self.classes
            only_text = len(self.children) == 1 and isinstance(self.children[0], str)
            self._unseen = self.tag in SKIP or is_hidden(self.tag, self.attrs, classes) or (
                only_text and is_ligature(self.tag, classes, self.children[0]))
        return self._unseen

    def iter(self):
        """All descendant elements in document order (iterative)."""
        stack = list(reversed([c for c in self.children if isinstance(c, Node)]))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed([c for c in node.children if isinstance(c, Node)]))

    def text(self, sep: str = " ") -> str:
        """Collapsed text content (skipped elements excluded)."""
        parts: list[str] = []
        stack: list[Node | str] = [self]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                parts.append(item)
            elif item is self or not item.unseen:
                if item is not self and item.tag in BLOCK:
                    parts.append(sep)
                stack.extend(reversed(item.children))
        return _WS.sub(" ", " ".join(parts)).strip()

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<{self.tag} {self.attrs}>"


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.stack: list[Node] = [self.root]
        self.count = 0
        self.overflow = 0  # start tags swallowed because of the depth cap, to balance their end tags

    def handle_starttag(self, tag, attrs):
        closes = IMPLIED_CLOSE.get(tag)
        if closes:
            for i in range(len(self.stack) - 1, 0, -1):
                t = self.stack[i].tag
                if t in closes:
                    del self.stack[i:]
                    break
                if t in _SCOPE_STOP:
                    break
        if self.count >= MAX_NODES:
            return
        if len(self.stack) > MAX_DEPTH and tag not in VOID:
            self.overflow += 1
            return
        node = Node(tag, {k: (v or "") for k, v in attrs if k in _KEEP_ATTRS}, self.stack[-1])
        self.count += 1
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack[-1].tag == tag and len(self.stack) > 1:
            self.stack.pop()

    def handle_endtag(self, tag):
        if self.overflow and tag not in VOID:
            self.overflow -= 1
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
            if len(self.stack) - i > 64:
                return  # a stray end tag: do not hunt the whole stack for it

    def handle_data(self, data):
        if data:
            self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    b = _Builder()
    try:
        b.feed(html)
        b.close()
    except Exception:  # html.parser may raise on pathological markup; keep what was built
        pass
    return b.root


# --- rows of cells ---------------------------------------------------------------------------------------


class HeadCell(str):
    """A cell's text that sat in a table header (<th>): a label, never a value."""

    __slots__ = ()


class Row:
    """One visual line: its cells (inline pieces of text) and the element that holds it."""

    __slots__ = ("cells", "node")

    def __init__(self, node: Node):
        self.cells: list[str] = []
        self.node = node

    @property
    def text(self) -> str:
        return " ".join(self.cells)


def rows(root: Node) -> list[Row]:
    """Flatten the tree into rows: block elements break rows, inline elements and text chunks are cells."""
    out: list[Row] = []
    current = Row(root)
    # stack of (item, entering, inside <th>) to emit row breaks after block elements too
    stack: list[tuple[Node | str, bool, bool]] = [(c, True, False) for c in reversed(root.children)]
    while stack:
        item, entering, head = stack.pop()
        if isinstance(item, str):
            t = _WS.sub(" ", item).strip()
            if t:
                current.cells.append(HeadCell(t) if head else t)
            continue
        if item.unseen:
            continue
        block = item.tag in BLOCK or item.tag in ("td", "th")
        if entering:
            if item.tag in BLOCK:
                if current.cells:
                    out.append(current)
                current = Row(item)
            if block:
                stack.append((item, False, head))
            inner = head or item.tag == "th"
            stack.extend((c, True, inner) for c in reversed(item.children))
        else:
            if item.tag in BLOCK:
                if current.cells:
                    out.append(current)
                current = Row(item.parent or root)
            else:  # td/th end: cell boundary only; nothing to do (each text chunk is already a cell)
                pass
    if current.cells:
        out.append(current)
    return out


# --- selectors ---------------------------------------------------------------------------------------------

_SIMPLE = re.compile(r"^(?P<tag>[a-zA-Z][\w-]*|\*)?(?P<rest>(?:[.#][\w-]+|\[[\w-]+(?:[~^*]?=[^\]]*)?\])*)$")
_PART = re.compile(r"([.#])([\w-]+)|\[([\w-]+)(?:([~^*]?=)([^\]]*))?\]")


def _compile_simple(sel: str):
    m = _SIMPLE.match(sel)
    if not m:
        raise ValueError(f"unsupported selector: {sel!r}")
    tag = m.group("tag")
    tests = []
    for p in _PART.finditer(m.group("rest") or ""):
        if p.group(1) == ".":
            tests.append(("class", p.group(2)))
        elif p.group(1) == "#":
            tests.append(("id", p.group(2)))
        else:
            tests.append(("attr", p.group(3), p.group(4), (p.group(5) or "").strip("\"'")))
    return (None if tag in (None, "*") else tag.lower(), tests)


def _match_simple(node: Node, simple) -> bool:
    tag, tests = simple
    if tag and node.tag != tag:
        return False
    for t in tests:
        if t[0] == "class":
            if t[1] not in node.classes:
                return False
        elif t[0] == "id":
            if node.attrs.get("id") != t[1]:
                return False
        else:
            _, name, op, val = t
            if name not in node.attrs:
                return False
            have = node.attrs[name]
            if op == "=" and have != val:
                return False
            if op == "~=" and val not in have.split():
                return False
            if op == "^=" and not have.startswith(val):
                return False
            if op == "*=" and val not in have:
                return False
    return True


@lru_cache(maxsize=256)
def _compile(selector: str):
    return [[_compile_simple(s) for s in alt.split()] for alt in selector.split(",") if alt.strip()]


def matches(node: Node, selector: str) -> bool:
    for chain in _compile(selector):
        if not _match_simple(node, chain[-1]):
            continue
        anc = node.parent
        ok = True
        for simple in reversed(chain[:-1]):
            while anc is not None and not _match_simple(anc, simple):
                anc = anc.parent
            if anc is None:
                ok = False
                break
            anc = anc.parent
        if ok:
            return True
    return False


def select(root: Node, selector: str) -> list[Node]:
    return [n for n in root.iter() if matches(n, selector)]


def select_one(root: Node, selector: str) -> Node | None:
    for n in root.iter():
        if matches(n, selector):
            return n
    return None


class Index:
    """Which tags, classes and ids a document holds, so a selector that cannot match is ruled out without a
    walk over the tree (adapter detection tries many selectors on every page)."""

    def __init__(self, root: Node):
        self.root = root
        self.tags: set[str] = set()
        self.classes: set[str] = set()
        self.ids: set[str] = set()
        for n in root.iter():
            self.tags.add(n.tag)
            self.classes.update(n.classes)
            if "id" in n.attrs:
                self.ids.add(n.attrs["id"])

    def _possible(self, simple) -> bool:
        tag, tests = simple
        if tag and tag not in self.tags:
            return False
        for t in tests:
            if t[0] == "class" and t[1] not in self.classes:
                return False
            if t[0] == "id" and t[1] not in self.ids:
                return False
        return True

    def has(self, selector: str) -> bool:
        return self.select_one(selector) is not None

    def select(self, selector: str) -> list[Node]:
        chains = [c for c in _compile(selector) if all(self._possible(s) for s in c)]
        if not chains:
            return []
        return select(self.root, selector)

    def select_one(self, selector: str) -> Node | None:
        chains = [c for c in _compile(selector) if all(self._possible(s) for s in c)]
        if not chains:
            return None
        return select_one(self.root, selector)

