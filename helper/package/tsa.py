"""RFC 3161 trusted timestamps: ask a TSA to sign the hash of some bytes, and check such a token.

Requests and responses are built and parsed with rfc3161-client (maintained, Rust-backed); the request goes
out as an HTTP POST of `application/timestamp-query`. The token (the whole TimeStampResp, as `openssl ts
-reply` writes it) is kept as `manifest.tsr` so `openssl ts -verify` can check it too.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import cryptography.x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    VerifierBuilder,
    decode_timestamp_response,
)

from ..core.errors import TimestampError

SHA256_OID = cryptography.x509.ObjectIdentifier("2.16.840.1.101.3.4.2.1")


@dataclass(frozen=True)
class Stamp:
    token: bytes  # DER TimeStampResp
    gen_time: str  # ISO 8601, UTC
    serial: int
    policy: str
    tsa: str | None  # the signer certificate's subject
    certs_pem: bytes  # certificates embedded in the token


def _post(url: str, body: bytes, timeout: float) -> bytes:
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/timestamp-query",
                                          "Accept": "application/timestamp-reply"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (configured URL)
            return resp.read()
    except urllib.error.HTTPError as e:
        raise TimestampError(f"时间戳服务器拒绝请求 / the TSA answered HTTP {e.code}") from e
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise TimestampError(f"无法连接时间戳服务器 / cannot reach the TSA at {url}: {reason}") from e


def request_timestamp(url: str, data: bytes, *, timeout: float = 15.0) -> Stamp:
    """A token over sha256(data) from the TSA at `url`; TimestampError when there is none."""
    if not url.startswith(("http://", "https://")):
        raise TimestampError(f"TSA URL must be http(s): {url}")
    request = TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256).nonce(nonce=True).cert_request(cert_request=True).build()
    raw = _post(url, request.as_bytes(), timeout)
    try:
        resp = decode_timestamp_response(raw)
    except Exception as e:  # the library raises ValueError or its own parse errors
        raise TimestampError(f"时间戳服务器的回复无法解析 / the TSA's reply is not an RFC 3161 response: {e}") from e
    if PKIStatus(resp.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TimestampError(f"时间戳服务器拒绝签发 / the TSA refused: status {resp.status} {resp.status_string}")
    info = resp.tst_info
    if info.message_imprint.message != hashlib.sha256(data).digest():
        raise TimestampError("the TSA's token is not over the data sent")
    if request.nonce is not None and info.nonce != request.nonce:
        raise TimestampError("the TSA's token carries a different nonce (replayed answer?)")
    certs = [cryptography.x509.load_der_x509_certificate(c) for c in resp.signed_data.certificates]
    return Stamp(token=raw, gen_time=info.gen_time.isoformat(), serial=info.serial_number, policy=info.policy.dotted_string,
                 tsa=certs[0].subject.rfc4514_string() if certs else None,
                 certs_pem=b"".join(c.public_bytes(Encoding.PEM) for c in certs))


def token_facts(token: bytes) -> dict:
    """What a TimeStampResp says, unchecked: imprint (bytes), gen_time, tsa, certs_pem (embedded certificates)."""
    try:
        resp = decode_timestamp_response(token)
        info = resp.tst_info
        certs = [cryptography.x509.load_der_x509_certificate(c) for c in resp.signed_data.certificates]
        return {"imprint": info.message_imprint.message, "gen_time": info.gen_time.isoformat(),
                "tsa": certs[0].subject.rfc4514_string() if certs else None,
                "certs_pem": b"".join(c.public_bytes(Encoding.PEM) for c in certs)}
    except Exception as e:  # the library raises ValueError or its own parse errors
        raise TimestampError(f"not an RFC 3161 timestamp response: {e}") from e


def load_pem_certs(data: bytes) -> list:
    try:
        return cryptography.x509.load_pem_x509_certificates(data) if data.strip() else []
    except ValueError as e:
        raise TimestampError(f"certificate file is not PEM: {e}") from e


def _self_signed(cert) -> bool:
    return cert.issuer == cert.subject


def fingerprint(cert) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def check_token(token: bytes, data_sha256: bytes, chain: list, *, pinned: list | None = None) -> dict:
    """Check a TimeStampResp against the expected sha256, in two separate steps.

    1. Signature and hash: the token's signature verifies through a root in `chain` (the certificates that
       came with the token, e.g. a package's tsa-chain.pem; roots = self-signed ones) or in `pinned`, and it
       is over `data_sha256`. This says the token is intact and belongs to these bytes; a root that came
       with the token says nothing about who signed it, since anyone can make a CA and a TSA.
    2. Trust: the same check through the roots the user pinned (`pinned`: --ca or trusted_tsa_roots) only.

    Returns {"ok" (step 1), "trusted" (step 2), "trust_reason", "problems": [{code, message}], "gen_time",
    "tsa", "roots": [sha256 fingerprints of the roots used in step 1], "pinned": [fingerprints]}.
    Codes: token_unreadable (altered beyond parsing), token_invalid (signature or chain fails: altered or
    signed by someone else), token_not_for_manifest (valid, but over other data), no_trust_anchor.
    trust_reason (when not trusted): no_pinned_root, not_pinned_tsa, or the step 1 failure.
    """
    pinned = list(pinned or [])
    out: dict = {"ok": False, "trusted": False, "trust_reason": None, "problems": [], "gen_time": None, "tsa": None,
                 "roots": [], "pinned": [fingerprint(c) for c in pinned]}
    try:
        resp = decode_timestamp_response(token)
        info = resp.tst_info
        imprint, algo = info.message_imprint.message, info.message_imprint.hash_algorithm
        out["gen_time"] = info.gen_time.isoformat()
        embedded = [cryptography.x509.load_der_x509_certificate(c) for c in resp.signed_data.certificates]
        out["tsa"] = embedded[0].subject.rfc4514_string() if embedded else None
    except Exception as e:
        out["problems"].append({"code": "token_unreadable",
                                "message": f"时间戳令牌已损坏或被改动，无法解析 / the timestamp token is altered or corrupt: {e}"})
        out["trust_reason"] = "token_unreadable"
        return out
    roots = [c for c in chain if _self_signed(c)] + [c for c in pinned if c not in chain]
    others = [c for c in chain if not _self_signed(c) and c not in embedded]
    out["roots"] = [fingerprint(c) for c in roots]
    if not roots:
        out["problems"].append({"code": "no_trust_anchor",
                                "message": "没有可信根证书，无法验证时间戳签名 / no root certificate to check the token's signature against"})
        out["trust_reason"] = "no_trust_anchor"
        return out
    # Check the signature and the chain against the token's own imprint first, so that "valid but over
    # other data" and "altered" are told apart.
    problem = _signature_problem(resp, token, imprint, roots, others)
    if problem is None and shutil.which("openssl") is None:
        out["note"] = "openssl not installed: the token was checked with rfc3161-client only"
    if problem:
        out["problems"].append({"code": "token_invalid",
                                "message": f"时间戳令牌签名无效（被改动或非该时间戳机构签发） / the timestamp token's signature "
                                           f"does not verify (altered, or not signed by this TSA): {problem}"})
        out["trust_reason"] = "token_invalid"
        return out
    if algo != SHA256_OID or imprint != data_sha256:
        out["problems"].append({"code": "token_not_for_manifest",
                                "message": f"时间戳令牌有效，但不是对本 manifest.json 签发的 / the token is valid but covers other "
                                           f"data (sha256 {imprint.hex()[:16]}…), not this manifest.json "
                                           f"({data_sha256.hex()[:16]}…)"})
        out["trust_reason"] = "token_not_for_manifest"
        return out
    out["ok"] = True
    if not pinned:
        out["trust_reason"] = "no_pinned_root"
    elif _signature_problem(resp, token, imprint, pinned, others) is None:
        out["trusted"] = True
    else:
        out["trust_reason"] = "not_pinned_tsa"
    return out


def _signature_problem(resp, token: bytes, imprint: bytes, roots: list, others: list) -> str | None:
    """None when the token's signature verifies through one of `roots` (rfc3161-client, then `openssl ts
    -verify` when installed), else what failed."""
    builder = VerifierBuilder()
    for c in roots:
        builder = builder.add_root_certificate(c)
    for c in others:
        builder = builder.add_intermediate_certificate(c)
    try:
        builder.build().verify(resp, imprint)
    except Exception as e:  # VerificationError, or a ValueError from a field parsed late
        return str(e) or type(e).__name__
    if shutil.which("openssl") is None:
        return None
    problem = openssl_verify(token, imprint, roots, others)
    return f"openssl ts -verify: {problem}" if problem else None


def openssl_verify(token: bytes, digest: bytes, roots: list, others: list) -> str | None:
    """`openssl ts -verify` of the token over `digest`; None when it verifies, else openssl's complaint.

    The same check as rfc3161-client's, done a second time by the standard tool VERIFY.md gives people
    (it also checks the ESS binding of the signer certificate), so the program and the documented
    command never disagree about a package.
    """
    with tempfile.TemporaryDirectory(prefix="witness-tsverify-") as d:
        tsr, ca, untrusted = Path(d, "t.tsr"), Path(d, "ca.pem"), Path(d, "untrusted.pem")
        tsr.write_bytes(token)
        ca.write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in roots))
        cmd = ["openssl", "ts", "-verify", "-digest", digest.hex(), "-in", str(tsr), "-CAfile", str(ca)]
        if others:
            untrusted.write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in others))
            cmd += ["-untrusted", str(untrusted)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode == 0 and "Verification: OK" in proc.stdout:
        return None
    errors = [line for line in proc.stderr.splitlines() if "error" in line.lower() and "Using configuration" not in line]
    detail = errors[-1].split(":", 5)[-1] if errors else (proc.stdout.strip() or "verification failed")
    return detail.strip()
