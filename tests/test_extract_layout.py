"""The layout input (issue 12): boxes recorded in the rendered page by layout.LAYOUT_JS decide the side of a
bubble that the markup does not name. Real headless Chromium renders the page (the helper's launch seam)."""

from datetime import datetime

import pytest
from playwright.async_api import async_playwright

from helper.capture.browser import launch_browser
from helper.core.clock import CHINA
from helper.understanding import extract
from helper.understanding.layout import LAYOUT_JS

pytestmark = pytest.mark.browser

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=CHINA)
ROW = ("<div class='row' style='display:flex;{dir}'><div class='pic'>{who}</div>"
       "<div class='col'><span class='t'>{time}</span><div class='b'>{text}</div></div></div>")
# A widget whose rows say nothing about sides: the buyer's rows are only turned around by a style
PAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body style='margin:0;width:1000px'>"
        "<div class='list'>"
        + ROW.format(dir="flex-direction:row-reverse", who="我", time="10:01", text="在吗，订单还没发")
        + ROW.format(dir="", who="卡", time="10:02", text="在的，稍等")
        + ROW.format(dir="flex-direction:row-reverse", who="我", time="10:05", text="好了吗")
        + "</div></body></html>")


async def rendered(html: str) -> tuple[str, dict]:
    async with async_playwright() as pw:
        browser = await launch_browser(pw)
        try:
            page = await browser.new_page(viewport={"width": 1000, "height": 600})
            await page.set_content(html)
            return await page.content(), await page.evaluate(LAYOUT_JS)
        finally:
            await browser.close()


async def test_boxes_recorded_in_the_page_give_the_sides():
    html, layout = await rendered(PAGE)
    assert layout["width"] == 1000 and len(layout["boxes"]) >= 3
    with_layout = extract(html, None, now=NOW, layout=layout)["messages"]
    assert [(m["sender"], m["text"]) for m in with_layout] == [
        ("buyer", "在吗，订单还没发"), ("merchant", "在的，稍等"), ("buyer", "好了吗")]
    # the bare file has no side signal at all: every message falls to one default side
    assert len({m["sender"] for m in extract(html, None, now=NOW)["messages"]}) == 1
