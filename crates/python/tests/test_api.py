"""The Pythonic surface: construction errors, secrets kept out of every repr and exception,
timestamps, the local exchange's accounts and command line, the pytest fixture, diagnose, and
the type stubs."""

from __future__ import annotations

import datetime
import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

import cexsign

OKX = dict(api_key="985d5b66-57ce-40fb-b714-afc0b9787083", secret="22582BD0CFF14C41EDBF1AB98506286D",
           passphrase="Passphrase1!")
KUCOIN = dict(api_key="6422da9c97b45100018c6e62", secret="cde06451-dbed", passphrase="1111111")
SECRETS = [OKX["secret"], OKX["passphrase"], KUCOIN["secret"], KUCOIN["passphrase"]]


def shows_no_secret(text: str) -> bool:
    return not any(secret in text for secret in SECRETS)


def test_one_class_per_scheme_and_a_factory() -> None:
    assert len(cexsign.SCHEMES) == 21
    for scheme in cexsign.SCHEMES:
        cls = getattr(cexsign, scheme["class"])
        assert issubclass(cls, cexsign.Signer) and cls.scheme == scheme["id"]
    assert type(cexsign.signer("okx", **OKX)) is cexsign.OkxSigner


def test_the_okx_worked_example() -> None:
    # AUTH.md's OKX worked example (GET with a query), its signature from the spec.
    vector = next(
        v for v in json.loads((Path(__file__).parents[3] / "tests/vectors/okx.json").read_text())["vectors"]
        if v["kind"] == "rest" and v["query"] and not v.get("options", {}).get("demo")
    )
    signer = cexsign.OkxSigner(**{k: vector["credentials"][k] for k in ("api_key", "secret", "passphrase")})
    headers = signer.sign(vector["method"], vector["path"], vector["query"], vector["body"], vector["timestamp"])
    assert headers["OK-ACCESS-SIGN"] == vector["expected"]["headers"]["OK-ACCESS-SIGN"]
    assert headers["ok-access-timestamp"] == vector["timestamp"]


def test_construction_errors_say_what_to_fix() -> None:
    cases = [
        (lambda: cexsign.OkxSigner(api_key="k", secret="s"), "need a passphrase"),
        (lambda: cexsign.DeltaSigner(api_key="k", secret="s", passphrase="p"), "no passphrase"),
        (lambda: cexsign.KrakenSigner(api_key="k", secret="s", key_version=2), "KuCoin keys only"),
        (lambda: cexsign.KucoinSigner(**KUCOIN, key_version=4), "1, 2 or 3"),
        (lambda: cexsign.BinanceSigner(api_key="k", secret="s", key_type="RSA"), "key_type"),
        (lambda: cexsign.signer("nope", api_key="k", secret="s"), "unknown scheme"),
        (lambda: cexsign.BybitSigner(api_key="k", secret="s", recv_window="5s"), "recv_window"),
        (lambda: cexsign.OkxSigner(**OKX).sign("GET", "api/v5/account", timestamp=0), "/"),
        (lambda: cexsign.OkxSigner(**OKX).sign("GET", "/x", timestamp=datetime.datetime(2024, 1, 1)), "naive"),
        (lambda: cexsign.Signer(api_key="k", secret="s"), "cexsign.signer"),
    ]
    for build, expected in cases:
        with pytest.raises(cexsign.CexsignError) as raised:
            build()
        assert expected in str(raised.value), str(raised.value)
        assert shows_no_secret(str(raised.value)) and shows_no_secret(repr(raised.value))
    # An error is a ValueError: bad input.
    assert issubclass(cexsign.CexsignError, ValueError)


def test_a_wrong_secret_type_names_the_field_not_the_value() -> None:
    with pytest.raises(TypeError) as raised:
        cexsign.OkxSigner(api_key="k", secret=918273645, passphrase="p")  # type: ignore[arg-type]
    assert "918273645" not in str(raised.value)


def test_no_secret_in_any_repr() -> None:
    okx = cexsign.OkxSigner(**OKX, demo=True)
    kucoin = cexsign.KucoinSigner(**KUCOIN, key_version=2)
    assert repr(okx) == "OkxSigner(api_key='985d5b66-57ce-40fb-b714-afc0b9787083', secret=<hidden>, passphrase=<hidden>, demo=True)"
    texts = [repr(okx), str(okx), repr(kucoin), repr(okx._native), repr(kucoin._native)]
    headers = kucoin.sign("GET", "/api/v1/accounts", timestamp=1_700_000_000_000)
    # KuCoin v2 sends an HMAC'd passphrase: a secret too, hidden from the repr, sent as is.
    assert headers["KC-API-PASSPHRASE"] and headers["KC-API-KEY-VERSION"] == "2"
    texts += [repr(headers), str(headers)]
    assert headers["KC-API-PASSPHRASE"] not in repr(headers)
    login = okx.ws_login(timestamp=1_700_000_000_000)
    texts += [repr(login), str(login)]
    assert login.json()["args"][0]["passphrase"] == OKX["passphrase"]  # sent, but never shown
    with cexsign.LocalExchange([okx, kucoin]) as exchange:
        texts += [repr(exchange), json.dumps(exchange.accounts)]
    for text in texts:
        assert shows_no_secret(text), text
    with pytest.raises(TypeError):
        pickle.dumps(okx)


def test_timestamps_in_every_form_sign_alike() -> None:
    signer = cexsign.OkxSigner(**OKX)
    millis = 1_607_418_537_715
    aware = datetime.datetime(2020, 12, 8, 9, 8, 57, 715000, tzinfo=datetime.timezone.utc)
    forms = [millis, aware, "2020-12-08T09:08:57.715Z"]
    signatures = {signer.sign("GET", "/api/v5/account/balance", "ccy=BTC", b"", t).signature for t in forms}
    assert len(signatures) == 1


def test_str_and_bytes_bodies_sign_alike_and_rewrites_are_given() -> None:
    signer = cexsign.OkxSigner(**OKX)
    body = '{"instId":"BTC-USDT","sz":"1","tag":"龙"}'
    at = 1_607_418_537_715
    assert signer.sign("POST", "/api/v5/trade/order", "", body, at) == signer.sign(
        "POST", "/api/v5/trade/order", "", body.encode(), at
    )
    kraken = cexsign.KrakenSigner(
        api_key="RmOzOqvNafwopRcxN0LH9UdYy8PTRkzf2D1voflt3q7QN5b8WVar68Qi",
        secret="G4uFqj49aBxIh+tgxotpGEz1h9erPk6l0L3g8PAm1FppFM3lIbkNpcsqoBajzVb8GF64Ct7baTv4tSpmGyPRQg==",
    )
    signed = kraken.sign("POST", "/0/private/Balance", "", b"", at)
    # Kraken's nonce goes into the body sent.
    assert signed.rewrites_request and signed.wire_body is not None and b"nonce=" in signed.wire_body


def test_sign_url_splits_the_url_as_sent() -> None:
    signer = cexsign.OkxSigner(**OKX)
    at = 1_607_418_537_715
    assert signer.sign_url("GET", "https://www.okx.com/api/v5/account/bills?ccy=BTC&type=2", b"", at) == signer.sign(
        "GET", "/api/v5/account/bills", "ccy=BTC&type=2", b"", at
    )


def test_a_streamed_body_is_refused_not_signed_as_empty() -> None:
    signer = cexsign.OkxSigner(**OKX)
    with cexsign.LocalExchange([signer]) as exchange:
        with pytest.raises(cexsign.CexsignError, match="stream"):
            requests.post(
                exchange.base_url + "/api/v5/trade/order",
                data=iter([b'{"instId":', b'"BTC-USDT"}']),
                auth=cexsign.RequestsAuth(signer),
            )
        assert exchange.requests_accepted == 0


def test_local_exchange_accounts_as_documents_dicts_and_signers() -> None:
    entries = cexsign.worked_example_accounts()
    assert {entry["scheme"] for entry in entries} >= {"okx", "kucoin", "delta", "coinbase_exchange"}
    okx_live = next(e for e in entries if e["scheme"] == "okx" and not e.get("demo"))
    signer = cexsign.OkxSigner(api_key=okx_live["api_key"], secret=okx_live["secret"], passphrase=okx_live["passphrase"])
    for accounts in (None, entries, {"accounts": entries}, json.dumps(entries)):
        with cexsign.LocalExchange(accounts) as exchange:
            response = requests.get(exchange.base_url + "/api/v5/account/balance", auth=cexsign.RequestsAuth(signer))
            assert response.status_code == 200, response.text
            assert all("secret" not in account for account in exchange.accounts)
        assert not exchange.running
    with pytest.raises(cexsign.CexsignError, match="twice"):
        cexsign.LocalExchange([okx_live, okx_live])
    with pytest.raises(cexsign.CexsignError, match="no accounts"):
        cexsign.LocalExchange([])


def test_a_skewed_local_clock_is_refused_with_the_exchanges_code() -> None:
    signer = cexsign.OkxSigner(**OKX)
    with cexsign.LocalExchange([signer], clock_offset_ms=3_600_000) as exchange:
        response = requests.get(exchange.base_url + "/api/v5/account/balance", auth=cexsign.RequestsAuth(signer))
        assert response.json()["code"] == "50102", response.text
        # Signed at the exchange's time, it passes.
        clock = exchange.server_time_ms
        response = requests.get(
            exchange.base_url + "/api/v5/account/balance", auth=cexsign.RequestsAuth(signer, clock=clock)
        )
        assert response.status_code == 200, response.text


def test_the_pytest_fixture(cexsign_exchange: Any) -> None:
    # The plugin is registered by the wheel's entry point; the default accounts are the
    # worked-example keys.
    signer = cexsign.DeltaSigner(
        api_key="a207900b7693435a8fa9230a38195d", secret="7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f"
    )
    response = requests.get(cexsign_exchange.base_url + "/v2/orders?product_id=1", auth=cexsign.RequestsAuth(signer))
    assert response.status_code == 200, response.text
    assert cexsign_exchange.requests_accepted == 1


def test_python_dash_m_local_exchange_prints_its_configuration() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "cexsign.local_exchange", "--print-config", "--serve-seconds", "0.2"],
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    config = json.loads(run.stdout.splitlines()[0])
    assert config["base_url"].startswith("http://127.0.0.1:")
    assert any(account["scheme"] == "okx" for account in config["accounts"])
    bad = subprocess.run(
        [sys.executable, "-m", "cexsign.local_exchange", "--credentials", "-"],
        input='[{"scheme":"okx","api_key":"k","secret":"SECRET-7","passphrase":918273}]',
        capture_output=True, text=True, timeout=60,
    )
    assert bad.returncode == 2 and "passphrase" in bad.stderr and "918273" not in bad.stderr, bad.stderr


def test_diagnose_names_the_mistake() -> None:
    # Signed over the sorted query, sent in another order: KuCoin's query-order-differs.
    signer = cexsign.KucoinSigner(**KUCOIN, key_version=3)
    signed = signer.sign("GET", "/api/v1/orders", "status=active&symbol=BTC-USDT", b"", 1_680_885_532_722)
    case = {
        "scheme": "kucoin",
        "credentials": dict(KUCOIN, key_version=3),
        "method": "GET",
        "path": "/api/v1/orders",
        "query": "symbol=BTC-USDT&status=active",
        "sent": dict(signed),
    }
    verdict = cexsign.diagnose(case)
    assert verdict["mistake"] == "query-order-differs", verdict
    assert shows_no_secret(json.dumps(verdict))
    assert cexsign.diagnose(json.dumps(dict(case, query="status=active&symbol=BTC-USDT")))["verdict"] == "correct"
    with pytest.raises(cexsign.CexsignError) as raised:
        cexsign.diagnose("{not json")
    assert "JSON" in str(raised.value)


def test_the_stubs_list_every_class() -> None:
    stub = (Path(cexsign.__file__).parent / "__init__.pyi").read_text()
    assert (Path(cexsign.__file__).parent / "py.typed").exists()
    for scheme in cexsign.SCHEMES:
        assert f"class {scheme['class']}(Signer):" in stub, scheme["class"]
    for name in ("def sign(", "def ws_login(", "def diagnose(", "class SignedHeaders", "class WsMessage"):
        assert name in stub
