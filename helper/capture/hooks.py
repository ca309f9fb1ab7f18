"""The call site after a capture is stored: page understanding (order facts, chat messages) plugs in here.

`AFTER_CAPTURE` holds callables `hook(store, capture, html, url, now) -> dict | None`. When the module
`helper.orders` provides `on_capture_stored` with that signature it is called first. A failing hook never
undoes the stored capture: the error is logged and reported next to the capture.
"""

from __future__ import annotations

import importlib
import logging
from datetime import datetime

log = logging.getLogger("witness.capture")

AFTER_CAPTURE: list = []


def _wired_hooks() -> list:
    hooks = []
    try:
        orders = importlib.import_module("helper.orders")
    except ModuleNotFoundError as e:
        if e.name not in ("helper.orders",):
            raise
        orders = None
    if orders is not None and callable(getattr(orders, "on_capture_stored", None)):
        hooks.append(orders.on_capture_stored)
    return hooks + [h for h in AFTER_CAPTURE if h not in hooks]


def run_after_capture(store, capture: dict, html: str | None, url: str | None, now: datetime) -> dict:
    """Run every hook; returns {"results": [...], "errors": [...]} for the API answer."""
    results, errors = [], []
    for hook in _wired_hooks():
        name = f"{hook.__module__}.{getattr(hook, '__qualname__', hook)}"
        try:
            out = hook(store, capture, html, url, now)
        except Exception as e:  # noqa: BLE001 - a hook must not lose a stored capture
            log.exception("after-capture hook %s failed for capture %s", name, capture.get("id"))
            errors.append({"hook": name, "message": f"{type(e).__name__}: {e}"})
            continue
        if out is not None:
            results.append(out)
    return {"results": results, "errors": errors}
