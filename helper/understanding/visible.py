"""What a reader of the page would not see: hidden elements, screen-reader-only text and icon-font ligatures.

Decided from the markup alone (a saved page has no computed styles): the `hidden` attribute, an inline
`display:none` / `visibility:hidden` (what scripts set when they hide a block), the usual "hide" and
"screen-reader-only" classes of CSS frameworks, `aria-hidden` on small inline elements (icons, badges; not on
containers, which dialog libraries mark aria-hidden while a dialog is open), `<input type=hidden>`, and
icon-font ligatures: an element whose class names an icon set and whose whole text is one snake_case word
(`expand_more`, `chevron_right`, `support_agent`), which the font draws as a picture.
"""

from __future__ import annotations

import re

HIDE_CLASSES = frozenset(
    "hidden hide d-none is-hidden u-hidden layui-hide el-hidden display-none invisible "
    "sr-only visually-hidden screen-reader-text screen-reader-only sr-only-focusable element-invisible "
    "a11y-hidden ui-helper-hidden-accessible".split()
)
# `hidden md:block` (Tailwind), `d-none d-md-block` (Bootstrap): hidden on phones only; a capture is desktop
_SHOWN_AT_SIZE = re.compile(r"^(?:(?:sm|md|lg|xl|2xl):(?:block|flex|grid|inline|inline-block|inline-flex|table)"
                            r"|d-(?:sm|md|lg|xl|xxl)-(?:block|flex|grid|inline|inline-block|inline-flex|table))$")
_STYLE_HIDDEN = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)", re.I)
_SMALL_INLINE = frozenset("span i em b small sup sub img svg strong label a".split())
_ICON_CLASS = re.compile(r"icon|symbol|^mdi\b|^fa[srlbd]?$|^bi$|^glyphicon", re.I)
LIGATURE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


def is_hidden(tag: str, attrs: dict[str, str], classes: list[str]) -> bool:
    """True when the element and all it holds are out of sight."""
    if "hidden" in attrs:
        return True
    if tag == "input" and attrs.get("type", "").lower() == "hidden":
        return True
    style = attrs.get("style")
    if style and _STYLE_HIDDEN.search(style):
        return True
    if attrs.get("aria-hidden", "").lower() == "true" and tag in _SMALL_INLINE:
        return True
    if classes and HIDE_CLASSES.intersection(classes):
        return not any(_SHOWN_AT_SIZE.match(c) for c in classes)
    return False


def is_icon_class(classes: list[str]) -> bool:
    return any(_ICON_CLASS.search(c) for c in classes)


def is_ligature(tag: str, classes: list[str], text: str) -> bool:
    """An icon drawn by a font from a word: `<span class="material-icons">expand_more</span>`, `<i>menu</i>`."""
    text = text.strip()
    if not text or len(text) > 40 or not LIGATURE.match(text):
        return False
    return is_icon_class(classes) or (tag == "i" and "_" in text)
