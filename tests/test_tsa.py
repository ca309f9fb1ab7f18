"""RFC 3161 against a local TSA made here with `openssl ts` (CA + TSA certificate with timeStamping EKU,
critical; only the signer certificate embedded), served over HTTP by aiohttp on 127.0.0.1."""

from __future__ import annotations

import hashlib
import subprocess

import cryptography.x509
import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID

from helper.core.errors import TimestampError
from helper.demoshop.local_tsa import DEMO_TSA_NAME, LocalTSA
from helper.package.tsa import check_token, load_pem_certs, request_timestamp

DATA = '{"format": "test", "订单": "D8K2M4Q7X1N5R9T3"}'.encode("utf-8")


@pytest.fixture(scope="module")
def tsa():
    with LocalTSA() as t:
        yield t


@pytest.fixture(scope="module")
def stamp(tsa):
    return request_timestamp(tsa.url, DATA)


def chain_of(tsa, stamp):
    return load_pem_certs(stamp.certs_pem + tsa.ca_path.read_bytes())


def test_tsa_certificate_is_a_proper_timestamping_certificate(tsa):
    cert = cryptography.x509.load_pem_x509_certificate(tsa.paths["cert"].read_bytes())
    eku = cert.extensions.get_extension_for_class(cryptography.x509.ExtendedKeyUsage)
    assert eku.critical and ExtendedKeyUsageOID.TIME_STAMPING in eku.value


def test_token_over_the_data_verifies(tsa, stamp, tmp_path):
    assert stamp.tsa == f"CN={DEMO_TSA_NAME} demo TSA"  # the demo TSA says what it is wherever it is named
    assert len(load_pem_certs(stamp.certs_pem)) == 1  # only the signer certificate is embedded
    result = check_token(stamp.token, hashlib.sha256(DATA).digest(), chain_of(tsa, stamp))
    assert result["ok"], result
    assert not result["trusted"] and result["trust_reason"] == "no_pinned_root"  # a root shipped along trusts nothing
    assert result["gen_time"] == stamp.gen_time
    # The standard tool agrees.
    (tmp_path / "d.bin").write_bytes(DATA)
    (tmp_path / "t.tsr").write_bytes(stamp.token)
    proc = subprocess.run(["openssl", "ts", "-verify", "-data", "d.bin", "-in", "t.tsr", "-CAfile", str(tsa.ca_path)],
                          cwd=tmp_path, capture_output=True, text=True)
    assert "Verification: OK" in proc.stdout, proc.stderr


def test_token_over_other_data(tsa, stamp):
    result = check_token(stamp.token, hashlib.sha256(b"other").digest(), chain_of(tsa, stamp))
    assert [p["code"] for p in result["problems"]] == ["token_not_for_manifest"]


def test_altered_token_fails(tsa, stamp):
    chain = chain_of(tsa, stamp)
    want = hashlib.sha256(DATA).digest()
    # Bytes of the signed TSTInfo: the time, the serial, the imprint itself.
    tst = stamp.token.index(hashlib.sha256(DATA).digest())
    for offset in (tst, tst + 20, tst + 40, tst + 50, len(stamp.token) - 10):
        token = bytearray(stamp.token)
        token[offset] ^= 0x01
        result = check_token(bytes(token), want, chain)
        assert not result["ok"], offset
        assert result["problems"][0]["code"] in ("token_invalid", "token_unreadable"), (offset, result)
    result = check_token(b"not a token", want, chain)
    assert result["problems"][0]["code"] == "token_unreadable"


def test_token_from_another_authority_is_invalid(tsa, stamp):
    with LocalTSA() as other:
        foreign = request_timestamp(other.url, DATA)
    result = check_token(foreign.token, hashlib.sha256(DATA).digest(), load_pem_certs(tsa.ca_path.read_bytes()))
    assert result["problems"][0]["code"] == "token_invalid"


def test_no_root_no_trust(stamp):
    result = check_token(stamp.token, hashlib.sha256(DATA).digest(), load_pem_certs(stamp.certs_pem))
    assert result["problems"][0]["code"] == "no_trust_anchor"


def test_unreachable_or_broken_tsa(tsa):
    with pytest.raises(TimestampError, match="cannot reach the TSA"):
        request_timestamp("http://127.0.0.1:9/", DATA, timeout=5)
    with pytest.raises(TimestampError, match="must be http"):
        request_timestamp("ftp://127.0.0.1/", DATA)
    # The local TSA refuses a body that is not a timestamp query (HTTP 400).
    import urllib.request

    req = urllib.request.Request(tsa.url, data=b"hello", headers={"Content-Type": "text/plain"})
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(req, timeout=5)


def test_without_openssl_the_library_check_stands(tsa, stamp, monkeypatch):
    """Machines without OpenSSL (Windows) still verify with rfc3161-client, and say so."""
    import helper.package.tsa as tsa_mod

    with LocalTSA() as other:
        foreign = request_timestamp(other.url, DATA)
    monkeypatch.setattr(tsa_mod.shutil, "which", lambda name: None)
    result = check_token(stamp.token, hashlib.sha256(DATA).digest(), chain_of(tsa, stamp))
    assert result["ok"] and "rfc3161-client only" in result["note"]
    result = check_token(foreign.token, hashlib.sha256(DATA).digest(), load_pem_certs(tsa.ca_path.read_bytes()))
    assert result["problems"][0]["code"] == "token_invalid"


def test_trust_only_through_a_pinned_root(tsa, stamp):
    """Signature-and-hash and trust are separate answers; trust comes only from the roots the user pinned."""
    want = hashlib.sha256(DATA).digest()
    pinned = load_pem_certs(tsa.ca_path.read_bytes())
    result = check_token(stamp.token, want, load_pem_certs(stamp.certs_pem), pinned=pinned)
    assert result["ok"] and result["trusted"], result
    assert result["pinned"] == result["roots"]
    with LocalTSA() as other:
        other_root = load_pem_certs(other.ca_path.read_bytes())
    # The token is intact and over the data, but the user pinned another authority.
    result = check_token(stamp.token, want, chain_of(tsa, stamp), pinned=other_root)
    assert result["ok"] and not result["trusted"] and result["trust_reason"] == "not_pinned_tsa"
    # Over other data: not OK, and so never trusted either.
    result = check_token(stamp.token, hashlib.sha256(b"other").digest(), chain_of(tsa, stamp), pinned=pinned)
    assert not result["ok"] and not result["trusted"]
