"""A real X server (Xvfb) for desktop-capture tests, and a Chromium window filling it (no Tk needed)."""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import time
from pathlib import Path


def start_xvfb(width: int, height: int, timeout: float) -> tuple[subprocess.Popen, int]:
    """Xvfb on a display number it picks itself (-displayfd), so tests running side by side never race for one."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as pipe:  # Xvfb writes the number once it accepts connections
            ready, _, _ = select.select([pipe], [], [], timeout)
            assert ready, "Xvfb did not start"
            number = pipe.readline().strip()
        assert number, "Xvfb exited before it started"
        return xvfb, int(number)
    except BaseException:
        xvfb.kill()
        xvfb.wait(10)
        raise


def _grab_pixel(display: str, x: int, y: int):
    import mss

    factory = getattr(mss, "MSS", None) or mss.mss
    with factory(display=display) as sct:
        return sct.grab({"left": x, "top": y, "width": 2, "height": 2}).pixel(0, 0)


@contextlib.contextmanager
def chromium_screen(html_file: Path, width: int, height: int, ready: tuple[int, int, tuple], timeout: float = 30):
    """Xvfb of width x height showing `html_file` in a kiosk Chromium window; yields the environment (DISPLAY) once
    the pixel `ready` = (x, y, (r, g, b)) shows the page."""
    deadline = time.monotonic() + timeout
    xvfb, n = start_xvfb(width, height, timeout)
    env = {**os.environ, "DISPLAY": f":{n}"}
    browser = None
    try:
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
