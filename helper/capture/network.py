"""Response details of a tab that is already loaded (the buyer's own tab): the page's URL is requested
again from the capture's isolated world, with the tab's cookies, while CDP's Network domain records the
response (status, headers, remote IP and port, TLS). meta says it is a re-request at capture time.
"""

from __future__ import annotations

import asyncio

from .engine import tls_record

REREQUEST_TIMEOUT_S = 10.0
FETCH_JS = r"""
async (url) => {
  const r = await fetch(url, {credentials: 'include', cache: 'no-store', redirect: 'follow'});
  const reader = r.body ? r.body.getReader() : null;
  if (reader) await reader.cancel();
  return {status: r.status, url: r.url};
}
"""


def _record(response: dict, requested: str) -> dict:
    headers = response.get("headers") or {}
    return {
        "recorded": True,
        "method": "re-request at capture time",
        "requested_url": requested,
        "url": response.get("url"),
        "status": response.get("status"),
        "status_text": response.get("statusText"),
        "headers": [[k, v] for k, v in headers.items()],
        "server": {"ip": response.get("remoteIPAddress"), "port": response.get("remotePort")}
        if response.get("remoteIPAddress") else None,
        "tls": tls_record(response.get("securityDetails")),
        "protocol": response.get("protocol"),
    }


def rerequest_record(cdp):
    """An `http(world, info)` for capture_cdp that re-requests the page's URL from the tab."""

    async def http(world, info: dict) -> dict:
        url = info["url"].split("#", 1)[0]
        seen: asyncio.Future = asyncio.get_running_loop().create_future()

        def on_response(params: dict) -> None:
            resp = params.get("response") or {}
            if params.get("type") in ("Fetch", "XHR") and resp.get("url") == url and not seen.done():
                seen.set_result(resp)

        cdp.on("Network.responseReceived", on_response)
        try:
            await cdp.send("Network.enable", {"maxTotalBufferSize": 1_000_000, "maxResourceBufferSize": 500_000})
            fetched = await world.call(FETCH_JS, url, timeout=REREQUEST_TIMEOUT_S)
            try:
                response = await asyncio.wait_for(seen, 2.0)
            except asyncio.TimeoutError:
                return {"recorded": False, "method": "re-request at capture time", "status": fetched.get("status"),
                        "note": "重新请求没有被网络记录捕获 / the re-request's response was not recorded"}
            return _record(response, url)
        except Exception as e:  # noqa: BLE001 - response details are part of the record, not a reason to fail
            return {"recorded": False, "method": "re-request at capture time",
                    "note": f"重新请求失败 / the re-request failed: {type(e).__name__}: {str(e)[:200]}"}
        finally:
            cdp.off("Network.responseReceived", on_response)
            try:
                await asyncio.wait_for(cdp.send("Network.disable"), 5)
            except Exception:  # noqa: BLE001 - the tab may be gone
                pass

    return http
