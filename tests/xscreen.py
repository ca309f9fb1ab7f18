"""A real X server (Xvfb) for desktop-capture tests, and a Chromium window filling it (no Tk needed)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from pathlib import Path


def free_display() -> int:
    for n in range(140, 340):
        if not os.path.exists(f"/tmp/.X{n}-lock") and not os.path.exists(f"/tmp/.X11-unix/X{n}"):
            return n
    raise RuntimeError("no free X display number")


def _grab_pixel(display: str, x: int, y: int):
    import mss

    factory = getattr(mss, "MSS", None) or mss.mss
    with factory(display=display) as sct:
        return sct.grab({"left": x, "top": y, "width": 2, "height": 2}).pixel(0, 0)


@contextlib.contextmanager
def chromium_screen(html_file: Path, width: int, height: int, ready: tuple[int, int, tuple], timeout: float = 30):
    """Xvfb of width x height showing `html_file` in a kiosk Chromium window; yields the environment (DISPLAY) once
    the pixel `ready` = (x, y, (r, g, b)) shows the page."""
    n = free_display()
    xvfb = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {**os.environ, "DISPLAY": f":{n}"}
    browser = None
    try:
        deadline = time.monotonic() + timeout
        while not os.path.exists(f"/tmp/.X11-unix/X{n}"):
            assert time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.05)
        browser = subprocess.Popen(
            ["/usr/bin/chromium", "--no-sandbox", "--kiosk", f"--user-data-dir={html_file.parent / 'profile'}",
             "--no-first-run", "--window-position=0,0", f"--window-size={width},{height}",
             "--force-device-scale-factor=1", "--disable-gpu", html_file.as_uri()],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        x, y, colour = ready
        while True:
            assert time.monotonic() < deadline, "the window did not appear"
            time.sleep(0.1)
            try:
                if _grab_pixel(env["DISPLAY"], x, y) == colour:
                    break
            except Exception:  # noqa: BLE001 - the server or the window is still starting
                continue
        time.sleep(0.5)  # one more paint for the web fonts
        yield env
    finally:
        if browser is not None:
            browser.terminate()
            browser.wait(10)
        xvfb.terminate()
        xvfb.wait(10)
