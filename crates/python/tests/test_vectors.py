"""Every public vector set through the Python API, scored by the shared checker.

Each vector is signed from its inputs only (credentials, timestamp, method, path, query, body,
options), the way a Python user calls the package: a scheme's class, ``sign`` or ``ws_login``.
Its ``expected`` is read only by the checker (``../shared/tools/check_headers.py``), which
compares the auth headers or fields byte for byte (JWTs and ECDSA signatures semantically).
"""

from __future__ import annotations

import datetime
import json
from typing import Any, Dict, List

import pytest

import cexsign

from conftest import VECTORS, load_checker

CHECKER = load_checker()
FILES = sorted(VECTORS.glob("*.json"))
ALL = [vector for path in FILES for vector in json.loads(path.read_text(encoding="utf-8"))["vectors"]]


def signer_for(vector: Dict[str, Any]) -> cexsign.Signer:
    credentials = vector["credentials"]
    options = vector.get("options", {})
    settings: Dict[str, Any] = {
        # A vector's timestamp is what goes on the wire: an expiry sent instead of a signing
        # time is the vector's instant (no distance added), and its text tells the format.
        "timestamp_sample": vector["timestamp"],
        "ws_expiry": 0,
        "expires_in": 0,
    }
    if options.get("demo") or str(options.get("network", "")).lower() == "testnet":
        settings["demo"] = True
    for name in ("key_type", "key_version"):
        if credentials.get(name) is not None:
            settings[name] = credentials[name]
    if isinstance(options.get("expires_in"), int):
        settings["expires_in"] = datetime.timedelta(seconds=options["expires_in"])
    ws_type = options.get("type") or options.get("market")
    if isinstance(ws_type, str):
        settings["ws_auth_type"] = ws_type
    if isinstance(options.get("vault_address"), str):
        settings["vault_address"] = options["vault_address"]
    if isinstance(options.get("expires_after"), int):
        settings["expires_after"] = options["expires_after"] - int(vector["timestamp"])
    window = options.get("recv_window", options.get("window"))
    if window is not None:
        settings["recv_window"] = int(window)
    passphrase = credentials.get("passphrase", credentials.get("memo"))
    return cexsign.signer(vector["scheme"], credentials["api_key"], credentials["secret"], passphrase, **settings)


def as_list(value: Any) -> List[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def produce(vector: Dict[str, Any]) -> Dict[str, str]:
    """What the package gives for one vector: REST headers, or the ws message's auth fields."""
    signer = signer_for(vector)
    options = vector.get("options", {})
    if vector["kind"] == "rest":
        signed = signer.sign(
            vector["method"],
            vector["path"],
            vector["query"],
            vector["body"].encode("utf-8"),
            vector["timestamp"],
            host=options.get("host"),
            nonce=options.get("nonce"),
        )
        values = dict(signed)
        values.update(signed.signature_fields)
        # A signature carried inside the request (Binance's and MEXC spot's `signature`
        # parameter) is reported as a field.
        if signed.rewrites_request and signed.signature not in signed.values():
            values["signature"] = signed.signature
        return values
    channels = as_list(options.get("channels")) + as_list(options.get("channel")) + as_list(options.get("feed"))
    channels += as_list(options.get("streams"))
    product_ids = as_list(options.get("product_ids")) + as_list(options.get("payload"))
    method = options.get("method")
    if method is None and options.get("event") == "api":
        method = channels[0]
    event = options.get("event")
    message = signer.ws_login(
        vector["timestamp"],
        channels=channels,
        product_ids=product_ids,
        method=method,
        params=options.get("params") if isinstance(options.get("params"), dict) else None,
        id=options.get("id"),
        event=None if event == "api" else event,
        data=options.get("data") or options.get("challenge") or (vector["body"] or None),
        nonce=options.get("nonce"),
    )
    return dict(message.fields)


def test_every_vector_file_is_here() -> None:
    # One file per scheme of the registry, each with vectors.
    assert sorted(path.stem for path in FILES) == sorted(scheme["id"] for scheme in cexsign.SCHEMES)
    assert len(ALL) >= 393


@pytest.mark.parametrize("vector", ALL, ids=[vector["id"] for vector in ALL])
def test_vector(vector: Dict[str, Any]) -> None:
    got = produce(vector)
    check = CHECKER.SPECIAL.get(vector["scheme"], CHECKER.check_plain)
    assert check(vector, got) == []


def test_the_checker_scores_every_vector(tmp_path: Any) -> None:
    # The checker's own command line over the whole set, as CI scores the Rust runner.
    produced = {vector["id"]: produce(vector) for vector in ALL}
    output = tmp_path / "python.json"
    output.write_text(json.dumps(produced), encoding="utf-8")
    assert CHECKER.main([str(VECTORS), str(output), "--quiet"]) == 0
