"""The page's tree, built by a maintained HTML5 parser (selectolax on Lexbor: the WHATWG tree-building rules a
browser follows, and CSS selectors in C), plus the two views the reader needs: rows of text cells (label/value
reading) and selectors. bench/bench_parsers.py shows why this parser (README: speed, fidelity to Chromium's tree).

The Lexbor tree is copied once into small Python nodes (tag, attrs, children, parent) that keep their identity,
so the reader can hold sets of nodes and walk up and down cheaply; selectors run in Lexbor and map back.

Hostile input is expected (5 MB of nested tags, binary junk): elements nested deeper than MAX_DEPTH are flattened
before parsing (their start and end tags dropped, their text kept: what Chromium does past 512 levels, and what
keeps the parser's scope checks linear), the copy holds at most MAX_NODES elements (later text still lands in
the last open one), and nothing here recurses.
"""

from __future__ import annotations

import re
from itertools import accumulate

from selectolax.lexbor import LexborHTMLParser

from .visible import is_hidden, is_ligature

MAX_DEPTH = 512
MAX_NODES = 100_000

VOID = frozenset("area base br col embed hr img input link meta param source track wbr keygen".split())
SKIP = frozenset("script style noscript template svg math head select object iframe canvas".split())
# Elements that start a new row of text; everything else is inline and makes cells within a row.
BLOCK = frozenset(
    """address article aside blockquote body caption center dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hr html legend li main nav ol p pre section summary table
    tbody thead tfoot tr ul textarea title br""".split()
)
_WS = re.compile(r"\s+")


class Node:
    __slots__ = ("tag", "attrs", "children", "parent", "doc", "_lx", "_unseen", "_text", "words")

    def __init__(self, tag: str, attrs: dict[str, str], parent: "Node | None", doc: "Document", lx=None):
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node | str] = []
        self.parent = parent
        self.doc = doc
        self._lx = lx
        self._unseen: bool | None = None
        self._text: str | None = None
        self.words: set[str] | None = None  # roles.parts, cached

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
        """Collapsed visible text content (skipped, hidden and icon elements excluded)."""
        if sep == " " and self._text is not None:
            return self._text
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
        text = _WS.sub(" ", " ".join(parts)).strip()
        if sep == " ":
            self._text = text
        return text

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<{self.tag} {self.attrs}>"


class Document:
    """One parsed page: the Lexbor tree, its Python copy, and selector results cached per selector."""

    def __init__(self, html: str):
        self.tree = LexborHTMLParser(_flatten_deep(html))
        self.root = Node("#root", {}, None, self)
        self.by_id: dict[int, Node] = {}
        self._matches: dict[str, set[int]] = {}
        _copy(self)

    def select(self, selector: str, within: Node | None = None) -> list[Node]:
        base = within._lx if within is not None and within._lx is not None else self.tree
        try:
            found = base.css(selector)
        except Exception:  # an unsupported or malformed selector matches nothing
            return []
        return [n for n in (self.by_id.get(x.mem_id) for x in found) if n is not None and n is not within]

    def matching(self, selector: str) -> set[int]:
        """Python ids of the nodes the selector matches anywhere in the page."""
        ids = self._matches.get(selector)
        if ids is None:
            ids = self._matches[selector] = {id(n) for n in self.select(selector)}
        return ids


def _copy(doc: Document) -> None:
    """Copy the Lexbor tree into Nodes, iteratively, at most MAX_NODES elements."""
    top = doc.tree.root
    if top is None:
        return
    count = 0
    stack = [(top, doc.root)]
    while stack:
        lx, parent = stack.pop()
        if lx.is_text_node:
            t = lx.text_content
            if t:
                parent.children.append(t)
            continue
        if not lx.is_element_node:
            continue  # comments, doctype
        if count >= MAX_NODES:
            node = parent  # past the cap: the text still lands in the last element copied
        else:
            attrs = {k: (v or "") for k, v in lx.attributes.items()}
            node = Node(lx.tag, attrs, parent, doc, lx)
            parent.children.append(node)
            doc.by_id[lx.mem_id] = node
            count += 1
        kids = list(lx.iter(include_text=True))
        stack.extend((k, node) for k in reversed(kids))


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*?(/?)>")
# start tags that only nest by mistake (implied end tags) or never hold anything do not count for depth
_FLAT = frozenset("p li option td th tr dt dd thead tbody tfoot".split()) | VOID
_OPEN_OR_CLOSE = re.compile(
    r"<(/?)(?!(?:" + "|".join(sorted(_FLAT, key=len, reverse=True)) + r")[\s/>])[A-Za-z]", re.I)


def _flatten_deep(html: str) -> str:
    """Drop the start and end tags of elements nested deeper than MAX_DEPTH (text kept). A cheap C-speed upper
    bound of the depth decides whether the exact pass is needed at all (it almost never is)."""
    if html.count("<") <= MAX_DEPTH:
        return html
    steps = _OPEN_OR_CLOSE.findall(html)
    if max(accumulate(-1 if s else 1 for s in steps), default=0) <= MAX_DEPTH:
        return html
    out, depth, overflow, last = [], 0, 0, 0
    for m in _TAG.finditer(html):
        closing, tag, self_closing = m.group(1), m.group(2).lower(), m.group(3)
        if tag in _FLAT or self_closing:
            continue
        if closing:
            if overflow:
                overflow -= 1
                out.append(html[last:m.start()])
                last = m.end()
            else:
                depth = max(0, depth - 1)
        elif depth >= MAX_DEPTH:
            overflow += 1
            out.append(html[last:m.start()])
            last = m.end()
        else:
            depth += 1
    out.append(html[last:])
    return "".join(out)


def inherited(node: Node | None, memo: dict, step, start):
    """A value every element inherits from its parent: `step(parent's value, element)`, `start` above the root.
    Worked out once per element (memo: id -> value) by walking up to the nearest known ancestor, not to the root
    for every question."""
    path = []
    known = start
    while node is not None:
        hit = memo.get(id(node))
        if hit is not None:
            known = hit
            break
        path.append(node)
        node = node.parent
    for n in reversed(path):
        known = step(known, n)
        memo[id(n)] = known
    return known


def parse(html: str) -> Node:
    return Document(html).root


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
        if item.tag == "input":
            value = input_value(item)
            if value:
                current.cells.append(value)
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
        elif item.tag in BLOCK:
            if current.cells:
                out.append(current)
            current = Row(item.parent or root)
    if current.cells:
        out.append(current)
    return out


_SHOWN_INPUTS = frozenset(("", "text", "number", "email", "tel", "url"))


def input_value(node: Node) -> str | None:
    """The text a filled-in text box shows (zfaka's read-only 商品名称 box), else None."""
    if node.attrs.get("type", "").lower() not in _SHOWN_INPUTS:
        return None
    value = _WS.sub(" ", node.attrs.get("value", "")).strip()
    return value or None


# --- selectors (run by Lexbor) ---------------------------------------------------------------------------------


def matches(node: Node, selector: str) -> bool:
    return node.doc is not None and id(node) in node.doc.matching(selector)


def select(root: Node, selector: str) -> list[Node]:
    return root.doc.select(selector, None if root.tag == "#root" else root)


def select_one(root: Node, selector: str) -> Node | None:
    found = select(root, selector)
    return found[0] if found else None


class Index:
    """Selector look-ups on a whole page (kept as the reader's entry point; Lexbor needs no pre-filter)."""

    def __init__(self, root: Node):
        self.root = root

    def has(self, selector: str) -> bool:
        return bool(self.root.doc.matching(selector))

    def select(self, selector: str) -> list[Node]:
        return select(self.root, selector)

    def select_one(self, selector: str) -> Node | None:
        return select_one(self.root, selector)
