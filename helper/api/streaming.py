"""Long work with progress, as newline-delimited JSON (asked for with `Accept: application/x-ndjson`).

`stream_progress(request, work)` runs `work(progress)` in a thread; each `progress(label, done, total)` call
becomes a line `{"progress": {"label", "done", "total"}}`, then one `{"result": …}` or `{"error": {code,
message}}` line ends the answer. Errors found before the work starts are ordinary JSON errors."""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web

from helper.core.errors import WitnessError

NDJSON = "application/x-ndjson"
log = logging.getLogger("witness.api")


def wants_progress(request: web.Request) -> bool:
    return NDJSON in request.headers.get("Accept", "")


def _line(obj: dict) -> bytes:
    return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")


async def stream_progress(request: web.Request, work) -> web.StreamResponse:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()

    def progress(label: str, done: int, total: int) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, {"progress": {"label": label, "done": done, "total": total}})

    def run() -> dict:
        try:
            return {"result": work(progress)}
        except WitnessError as e:
            return {"error": {"code": e.code, "message": e.message}}
        except Exception as e:  # noqa: BLE001 - reported as the stream's last line, like the error middleware
            log.exception("streamed work failed")
            return {"error": {"code": "internal", "message": f"{type(e).__name__}: {e}"}}

    response = web.StreamResponse(headers={"Content-Type": NDJSON, "Cache-Control": "no-store"})
    await response.prepare(request)
    task = asyncio.ensure_future(asyncio.to_thread(run))
    while True:
        getter = asyncio.ensure_future(queue.get())
        done, _ = await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            await response.write(_line(getter.result()))
            continue
        getter.cancel()
        while not queue.empty():
            await response.write(_line(queue.get_nowait()))
        await response.write(_line(task.result()))
        break
    await response.write_eof()
    return response
