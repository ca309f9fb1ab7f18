"""A throwaway RFC 3161 time-stamping authority on a free loopback port, for tests and `witness demo`.

It makes a CA and a TSA certificate (extended key usage timeStamping, critical) with `openssl` in a temp
directory and answers `POST /` (application/timestamp-query) by piping the query through
`openssl ts -reply`. Only the signer certificate is embedded in replies, like many public TSAs, so a
verifier needs the CA (`ca_path`) to build the chain.

A timestamp from it proves nothing to anyone else: it exists to exercise the real protocol end to end. Its
certificates say so in their names (DEMO_TSA_NAME), and so does every place that shows it.

    with LocalTSA() as tsa:
        export_order(store, order_id, out, config.with_(tsa_url=tsa.url, tsa_ca=str(tsa.ca_path)))
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from aiohttp import web

DEMO_TSA_NAME = "演示用本地时间戳（无公信力）"
DEMO_TSA_NAME_EN = "local demo TSA, no public trust"

TSA_CNF = """\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1.1
other_policies = 1.3.6.1.4.1.99999.1.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""

TSA_EXT = """\
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def _openssl(*args: str, cwd: Path) -> None:
    proc = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {proc.stderr.strip()}")


def make_authority(directory: Path, *, name: str = f"{DEMO_TSA_NAME} demo TSA") -> dict:
    """CA + TSA key and certificate in `directory`; returns their paths."""
    if shutil.which("openssl") is None:
        raise RuntimeError("openssl not found")
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "3650",
             "-utf8", "-subj", f"/CN={DEMO_TSA_NAME} demo CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    (d / "tsa.ext").write_text(TSA_EXT)
    _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
             "-utf8", "-subj", f"/CN={name}", cwd=d)
    _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "tsa.crt", "-days", "3650", "-extfile", "tsa.ext", cwd=d)
    (d / "tsaserial").write_text("01\n")
    (d / "tsa.cnf").write_text(TSA_CNF.format(dir=str(d)))
    return {"dir": d, "ca": d / "ca.crt", "cert": d / "tsa.crt", "config": d / "tsa.cnf"}


class LocalTSA:
    """Runs the authority in a background thread with its own event loop (callers may be sync or async)."""

    def __init__(self, directory: Path | None = None, *, host: str = "127.0.0.1"):
        self._tmp = None if directory else tempfile.TemporaryDirectory(prefix="witness-tsa-")
        self.dir = Path(directory or self._tmp.name)
        self.host = host
        self.port: int | None = None
        self.requests = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.paths: dict = {}

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def ca_path(self) -> Path:
        return self.paths["ca"]

    async def _reply(self, request: web.Request) -> web.Response:
        query = await request.read()
        if request.content_type != "application/timestamp-query" or not query:
            return web.Response(status=400, text="expected application/timestamp-query")
        async with self._serial:  # openssl ts increments the serial file: one reply at a time
            self.requests += 1
            q = self.dir / f"q{self.requests}.tsq"
            r = self.dir / f"r{self.requests}.tsr"
            q.write_bytes(query)
            proc = await asyncio.create_subprocess_exec(
                "openssl", "ts", "-reply", "-config", str(self.paths["config"]), "-queryfile", str(q), "-out", str(r),
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
            _, err = await proc.communicate()
            if proc.returncode != 0 or not r.exists():
                return web.Response(status=500, text=err.decode("utf-8", "replace"))
            body = r.read_bytes()
        return web.Response(body=body, content_type="application/timestamp-reply")

    def start(self) -> "LocalTSA":
        self.paths = make_authority(self.dir)
        ready = threading.Event()
        errors: list = []

        async def serve():
            self._serial = asyncio.Lock()
            app = web.Application()
            app.router.add_post("/", self._reply)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.host, 0)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]

        def run():
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(serve())
            except Exception as e:  # reported to the starting thread
                errors.append(e)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="local-tsa", daemon=True)
        self._thread.start()
        ready.wait(30)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = self._thread = None
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> "LocalTSA":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
