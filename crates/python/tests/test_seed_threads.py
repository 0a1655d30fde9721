"""The five seed threads, replayed against the local exchange.

cexsign started from five forum threads in which a Python user got a 401 / "Invalid Sign" from
an exchange. Their text is not available here: every "as posted" snippet below is a
**reconstruction** from the descriptions in the signing spec, AUTH.md ("Common mistakes (seed
thread 00N and others)", the error tables and the worked examples). Each one is written as such
a user would have posted it (plain ``hmac``, ``hashlib``, ``base64``, ``time``, ``json``,
``requests``), with the spec's fake worked-example keys and the base URL pointed at a
:class:`cexsign.LocalExchange` on loopback.

* seed 000, Delta Exchange: the body signed and sent as one compact string
  (``json.dumps(..., separators=(",", ":"))``, which AUTH.md says the seed got right), and the
  answer ``401 {"error":"unauthorized","success":false}``, which AUTH.md attributes to "private
  endpoint reached without valid auth headers". What made the headers invalid is not recorded;
  the reconstruction names the key header ``api_key`` instead of ``api-key``. The mistake the
  seed's separators guard against (body signed with ``json.dumps`` spaces, sent compact: Delta's
  ``Signature Mismatch``) is replayed beside it.
* seed 001, Coinbase Advanced Trade legacy HMAC key: an ``AuthBase`` whose constructor takes
  ``(secret, key)`` called as ``(key, secret)``; and the websocket subscribe signed with
  ``hmac.new(prehash, secret)``.
* seed 002, Coinbase Exchange: the secret used as text instead of base64-decoded; and a POST
  whose body was signed compact (a port of the docs' ``JSON.stringify``) but sent with
  ``requests.post(json=...)`` (spaces).
* seed 003, KuCoin (a version 2 key): the plain passphrase sent without ``KC-API-KEY-VERSION``
  (python-kucoin's version-1 form), the plain passphrase with the version header, and the
  HMAC'd passphrase without the version header.
* seed 004, OKX: ``json.dumps(body)`` signed and ``requests.post(json=body)`` sent (accepted,
  by luck: both use the default separators), the same with compact separators on the signing
  side (50113), and GET parameters sent with ``params=`` but left out of the signed path (50113).

For each: the posted snippet is refused with the exchange's own status and error, and the local
exchange's ``cexsign_diagnosis`` names the mistake by its exact code; the smallest hand fix is
accepted; cexsign's own signer (``cexsign.RequestsAuth``) is accepted; ``cexsign.diagnose`` names
the mistake from a case built from what the snippet sent; and no secret or passphrase appears in
any diagnosis, rejection, exception message or repr the tests touch.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import pickle
import time
from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from requests.auth import AuthBase

import cexsign
from cexsign.local_exchange import worked_example_accounts

ACCOUNTS = {account["label"]: account for account in worked_example_accounts()}
DELTA = ACCOUNTS["Delta"]
COINBASE_ADVANCED = ACCOUNTS["Coinbase Advanced (legacy HMAC)"]
COINBASE_EXCHANGE = ACCOUNTS["Coinbase Exchange"]
KUCOIN_V2 = ACCOUNTS["KuCoin v2"]
OKX = ACCOUNTS["OKX live"]

# Every secret and passphrase the tests hold (and KuCoin's derived passphrase, itself a
# credential): none of them may show up in anything the package or the local exchange says.
SECRETS: List[str] = sorted(
    {account[field] for account in ACCOUNTS.values() for field in ("secret", "passphrase") if account.get(field)}
    | {
        base64.b64encode(
            hmac.new(KUCOIN_V2["secret"].encode(), KUCOIN_V2["passphrase"].encode(), hashlib.sha256).digest()
        ).decode()
    }
)

# AUTH.md's worked-example bodies.
DELTA_ORDER = {"order_type": "limit_order", "size": 3, "side": "buy", "limit_price": "0.0005", "product_id": 16}
COINBASE_EXCHANGE_ORDER = {"product_id": "BTC-USD", "side": "buy", "type": "limit", "price": "1.0", "size": "1.0"}
OKX_ORDER = {"instId": "BTC-USDT", "tdMode": "cash", "clOrdId": "b15", "side": "buy", "ordType": "limit", "px": "2.15", "sz": "2"}


# --------------------------------------------------------------------------------------------
# Seed 000: Delta Exchange
# --------------------------------------------------------------------------------------------


def seed_000_as_posted(base_url: str, api_key: str, api_secret: str, order: Dict[str, Any]) -> requests.Response:
    # Reconstruction: compact JSON signed and sent as the same string (right), but the key
    # header spelled like the client's parameter, `api_key`.
    method = "POST"
    path = "/v2/orders"
    timestamp = str(int(time.time()))
    payload = json.dumps(order, separators=(",", ":"))
    signature_data = method + timestamp + path + payload
    signature = hmac.new(api_secret.encode(), signature_data.encode(), hashlib.sha256).hexdigest()
    headers = {
        "api_key": api_key,
        "timestamp": timestamp,
        "signature": signature,
        "User-Agent": "python-rest-client",
        "Content-Type": "application/json",
    }
    return requests.post(base_url + path, data=payload, headers=headers, timeout=5)


def seed_000_signed_with_spaces(base_url: str, api_key: str, api_secret: str, order: Dict[str, Any]) -> requests.Response:
    # The mistake the seed's separators avoid: json.dumps' default (spaces) signed, compact sent.
    method = "POST"
    path = "/v2/orders"
    timestamp = str(int(time.time()))
    signature_data = method + timestamp + path + json.dumps(order)
    signature = hmac.new(api_secret.encode(), signature_data.encode(), hashlib.sha256).hexdigest()
    headers = {
        "api-key": api_key,
        "timestamp": timestamp,
        "signature": signature,
        "User-Agent": "python-rest-client",
        "Content-Type": "application/json",
    }
    return requests.post(base_url + path, data=json.dumps(order, separators=(",", ":")), headers=headers, timeout=5)


def seed_000_fixed(base_url: str, api_key: str, api_secret: str, order: Dict[str, Any]) -> requests.Response:
    method = "POST"
    path = "/v2/orders"
    timestamp = str(int(time.time()))
    payload = json.dumps(order, separators=(",", ":"))
    signature_data = method + timestamp + path + payload
    signature = hmac.new(api_secret.encode(), signature_data.encode(), hashlib.sha256).hexdigest()
    headers = {
        "api-key": api_key,  # FIX: the header is `api-key`
        "timestamp": timestamp,
        "signature": signature,
        "User-Agent": "python-rest-client",
        "Content-Type": "application/json",
    }
    return requests.post(base_url + path, data=payload, headers=headers, timeout=5)


# --------------------------------------------------------------------------------------------
# Seed 001: Coinbase Advanced Trade, legacy HMAC key (REST and websocket)
# --------------------------------------------------------------------------------------------


class Seed001CoinbaseAuth(AuthBase):
    # As posted: the constructor takes (secret, key) ...
    def __init__(self, api_secret: str, api_key: str) -> None:
        self.api_key = api_key
        self.api_secret = api_secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        timestamp = str(int(time.time()))
        path = urlsplit(request.path_url).path
        body = request.body or ""
        if isinstance(body, bytes):
            body = body.decode()
        message = timestamp + request.method + path + body
        signature = hmac.new(self.api_secret.encode(), message.encode(), hashlib.sha256).hexdigest()
        request.headers.update(
            {"CB-ACCESS-SIGN": signature, "CB-ACCESS-TIMESTAMP": timestamp, "CB-ACCESS-KEY": self.api_key}
        )
        return request


def seed_001_rest_as_posted(base_url: str, api_key: str, api_secret: str) -> requests.Response:
    # ... and is called (key, secret).
    auth = Seed001CoinbaseAuth(api_key, api_secret)
    return requests.get(base_url + "/api/v3/brokerage/accounts", params={"limit": 1}, auth=auth, timeout=5)


def seed_001_rest_fixed(base_url: str, api_key: str, api_secret: str) -> requests.Response:
    auth = Seed001CoinbaseAuth(api_secret=api_secret, api_key=api_key)  # FIX: pass them by name
    return requests.get(base_url + "/api/v3/brokerage/accounts", params={"limit": 1}, auth=auth, timeout=5)


def seed_001_ws_subscribe_as_posted(api_key: str, api_secret: str) -> Dict[str, Any]:
    channel = "level2"
    product_ids = ["BTC-USD", "ETH-USD"]
    timestamp = str(int(time.time()))
    message = timestamp + channel + ",".join(product_ids)
    signature = hmac.new(message.encode(), api_secret.encode(), hashlib.sha256).hexdigest()
    return {
        "type": "subscribe",
        "product_ids": product_ids,
        "channel": channel,
        "api_key": api_key,
        "timestamp": timestamp,
        "signature": signature,
    }


def seed_001_ws_subscribe_fixed(api_key: str, api_secret: str) -> Dict[str, Any]:
    channel = "level2"
    product_ids = ["BTC-USD", "ETH-USD"]
    timestamp = str(int(time.time()))
    message = timestamp + channel + ",".join(product_ids)
    signature = hmac.new(api_secret.encode(), message.encode(), hashlib.sha256).hexdigest()  # FIX: key first
    return {
        "type": "subscribe",
        "product_ids": product_ids,
        "channel": channel,
        "api_key": api_key,
        "timestamp": timestamp,
        "signature": signature,
    }


def send_ws_message(base_url: str, scheme: str, message: Dict[str, Any]) -> requests.Response:
    """The local exchange has no websocket server: a login or subscribe message is checked by
    posting it, exactly as it would go on the socket, to ``/cexsign/ws/<scheme id>``."""
    return requests.post(base_url + "/cexsign/ws/" + scheme, data=json.dumps(message), timeout=5)


# --------------------------------------------------------------------------------------------
# Seed 002: Coinbase Exchange
# --------------------------------------------------------------------------------------------


def seed_002_auth_headers(
    api_key: str, secret: str, passphrase: str, timestamp: str, method: str, request_path: str, body: str = ""
) -> Dict[str, str]:
    # As posted: the secret used as text.
    message = timestamp + method + request_path + body
    signature = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return {
        "CB-ACCESS-KEY": api_key,
        "CB-ACCESS-SIGN": base64.b64encode(signature).decode(),
        "CB-ACCESS-TIMESTAMP": timestamp,
        "CB-ACCESS-PASSPHRASE": passphrase,
        "Content-Type": "application/json",
    }


def seed_002_auth_headers_fixed(
    api_key: str, secret: str, passphrase: str, timestamp: str, method: str, request_path: str, body: str = ""
) -> Dict[str, str]:
    message = timestamp + method + request_path + body
    hmac_key = base64.b64decode(secret)  # FIX: the secret is base64
    signature = hmac.new(hmac_key, message.encode(), hashlib.sha256).digest()
    return {
        "CB-ACCESS-KEY": api_key,
        "CB-ACCESS-SIGN": base64.b64encode(signature).decode(),
        "CB-ACCESS-TIMESTAMP": timestamp,
        "CB-ACCESS-PASSPHRASE": passphrase,
        "Content-Type": "application/json",
    }


def seed_002_get_as_posted(base_url: str, api_key: str, secret: str, passphrase: str) -> requests.Response:
    request_path = "/orders?status=done&limit=2"
    headers = seed_002_auth_headers(api_key, secret, passphrase, str(time.time()), "GET", request_path)
    return requests.get(base_url + request_path, headers=headers, timeout=5)


def seed_002_get_fixed(base_url: str, api_key: str, secret: str, passphrase: str) -> requests.Response:
    request_path = "/orders?status=done&limit=2"
    headers = seed_002_auth_headers_fixed(api_key, secret, passphrase, str(time.time()), "GET", request_path)
    return requests.get(base_url + request_path, headers=headers, timeout=5)


def seed_002_post_as_posted(
    base_url: str, api_key: str, secret: str, passphrase: str, order: Dict[str, Any]
) -> requests.Response:
    # The secret decoded this time (the GET worked); the body signed compact, like the docs'
    # JSON.stringify, and sent by requests' json= (json.dumps' default: spaces).
    body = json.dumps(order, separators=(",", ":"))
    headers = seed_002_auth_headers_fixed(api_key, secret, passphrase, str(time.time()), "POST", "/orders", body)
    return requests.post(base_url + "/orders", json=order, headers=headers, timeout=5)


def seed_002_post_fixed(
    base_url: str, api_key: str, secret: str, passphrase: str, order: Dict[str, Any]
) -> requests.Response:
    body = json.dumps(order, separators=(",", ":"))
    headers = seed_002_auth_headers_fixed(api_key, secret, passphrase, str(time.time()), "POST", "/orders", body)
    return requests.post(base_url + "/orders", data=body, headers=headers, timeout=5)  # FIX: send what was signed


# --------------------------------------------------------------------------------------------
# Seed 003: KuCoin (a version 2 key)
# --------------------------------------------------------------------------------------------


def seed_003_get_accounts(
    base_url: str,
    api_key: str,
    api_secret: str,
    api_passphrase: str,
    hmac_passphrase: bool,
    version_header: Optional[str],
) -> requests.Response:
    # As posted (hmac_passphrase=False, version_header=None): python-kucoin's form.
    endpoint = "/api/v1/accounts"
    now = str(int(time.time() * 1000))
    str_to_sign = now + "GET" + endpoint
    signature = base64.b64encode(
        hmac.new(api_secret.encode("utf-8"), str_to_sign.encode("utf-8"), hashlib.sha256).digest()
    ).decode()
    passphrase = api_passphrase
    if hmac_passphrase:
        passphrase = base64.b64encode(
            hmac.new(api_secret.encode("utf-8"), api_passphrase.encode("utf-8"), hashlib.sha256).digest()
        ).decode()
    headers = {
        "KC-API-SIGN": signature,
        "KC-API-TIMESTAMP": now,
        "KC-API-KEY": api_key,
        "KC-API-PASSPHRASE": passphrase,
    }
    if version_header is not None:
        headers["KC-API-KEY-VERSION"] = version_header
    return requests.get(base_url + endpoint, headers=headers, timeout=5)


# --------------------------------------------------------------------------------------------
# Seed 004: OKX
# --------------------------------------------------------------------------------------------


def okx_timestamp() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def okx_headers(api_key: str, secret_key: str, passphrase: str, timestamp: str, message: str) -> Dict[str, str]:
    mac = hmac.new(secret_key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256)
    return {
        "OK-ACCESS-KEY": api_key,
        "OK-ACCESS-SIGN": base64.b64encode(mac.digest()).decode(),
        "OK-ACCESS-TIMESTAMP": timestamp,
        "OK-ACCESS-PASSPHRASE": passphrase,
        "Content-Type": "application/json",
    }


def seed_004_post_as_posted(
    base_url: str, api_key: str, secret_key: str, passphrase: str, body: Dict[str, Any], separators: Any = None
) -> requests.Response:
    # As posted: json.dumps(body) signed, requests.post(json=body) sent. `separators` is the
    # one-sided change AUTH.md describes (compact on the signing side).
    request_path = "/api/v5/trade/order"
    timestamp = okx_timestamp()
    message = timestamp + "POST" + request_path + json.dumps(body, separators=separators)
    headers = okx_headers(api_key, secret_key, passphrase, timestamp, message)
    return requests.post(base_url + request_path, json=body, headers=headers, timeout=5)


def seed_004_post_fixed(
    base_url: str, api_key: str, secret_key: str, passphrase: str, body: Dict[str, Any]
) -> requests.Response:
    request_path = "/api/v5/trade/order"
    timestamp = okx_timestamp()
    payload = json.dumps(body, separators=(",", ":"))  # FIX: serialise once ...
    message = timestamp + "POST" + request_path + payload
    headers = okx_headers(api_key, secret_key, passphrase, timestamp, message)
    return requests.post(base_url + request_path, data=payload, headers=headers, timeout=5)  # ... send those bytes


def seed_004_get_as_posted(base_url: str, api_key: str, secret_key: str, passphrase: str) -> requests.Response:
    request_path = "/api/v5/account/balance"
    params = {"ccy": "BTC"}
    timestamp = okx_timestamp()
    headers = okx_headers(api_key, secret_key, passphrase, timestamp, timestamp + "GET" + request_path)
    return requests.get(base_url + request_path, params=params, headers=headers, timeout=5)


def seed_004_get_fixed(base_url: str, api_key: str, secret_key: str, passphrase: str) -> requests.Response:
    request_path = "/api/v5/account/balance"
    params = {"ccy": "BTC"}
    request_path += "?" + urlencode(params)  # FIX: the query is part of the signed path
    timestamp = okx_timestamp()
    headers = okx_headers(api_key, secret_key, passphrase, timestamp, timestamp + "GET" + request_path)
    return requests.get(base_url + request_path, headers=headers, timeout=5)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


@pytest.fixture
def exchange() -> Iterator[cexsign.LocalExchange]:
    with cexsign.LocalExchange(worked_example_accounts()) as local:
        yield local


# The API keys are public, and one of them (the CDP key name `.../apiKeys/11111111-...`) holds
# KuCoin's passphrase `1111111`: they are taken out of a text before it is searched.
PUBLIC_KEYS = sorted({account["api_key"] for account in ACCOUNTS.values()}, key=len, reverse=True)


def assert_no_secret(*texts: Any) -> None:
    for text in texts:
        shown = text if isinstance(text, str) else json.dumps(text) if isinstance(text, (dict, list)) else repr(text)
        for key in PUBLIC_KEYS:
            shown = shown.replace(key, "<api key>")
        for secret in SECRETS:
            assert secret not in shown, f"a secret or passphrase appears in: {shown[:200]}"


def decoded_header(value: str) -> Any:
    """A ``cexsign-*`` header: JSON-string escaped to visible ASCII; the diagnosis is JSON."""
    return json.loads('"' + value + '"')


def rejection(response: requests.Response, status: int) -> Dict[str, Any]:
    """The rejection's JSON body (or ``{}`` for a plain-text one), checked for secrets."""
    assert_no_secret(response.text, dict(response.headers))
    assert response.status_code == status, response.text
    assert '"cexsign":"accepted"' not in response.text
    try:
        return response.json()
    except ValueError:
        return {}


def diagnosis_of(response: requests.Response) -> Dict[str, Any]:
    """``cexsign_diagnosis`` from the body, or from the header where the body is the exchange's
    plain text (Coinbase Advanced Trade's ``Unauthorized``); the two agree when both are given."""
    header = response.headers.get("cexsign-diagnosis")
    from_header = json.loads(decoded_header(header)) if header is not None else None
    try:
        body = response.json()
    except ValueError:
        body = None
    from_body = body.get("cexsign_diagnosis") if isinstance(body, dict) else None
    if from_body is not None and from_header is not None:
        assert from_body == from_header
    diagnosis = from_body if from_body is not None else from_header
    assert diagnosis is not None, f"no cexsign_diagnosis in {response.text!r} / {dict(response.headers)}"
    assert_no_secret(diagnosis)
    return diagnosis


def assert_mistake(response: requests.Response, code: str) -> Dict[str, Any]:
    diagnosis = diagnosis_of(response)
    # The diagnosis names its mistake by the bare kebab-case code (a string, or null when none).
    assert diagnosis["verdict"] == "mistake", diagnosis
    assert diagnosis["mistake"] == code, diagnosis
    return diagnosis


def assert_accepted(response: requests.Response) -> Dict[str, Any]:
    assert_no_secret(response.text)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["cexsign"] == "accepted", body
    return body


def rest_case(scheme: str, account: Dict[str, Any], response: requests.Response) -> Dict[str, Any]:
    """A ``cexsign diagnose`` case built from the request the snippet sent (``requests`` keeps
    it as ``response.request``): method, path, query and body as on the wire, the auth headers."""
    sent = response.request
    parts = urlsplit(sent.url or "")
    body = sent.body or b""
    if isinstance(body, str):
        body = body.encode()
    credentials = {name: account[name] for name in ("api_key", "secret", "passphrase", "key_version") if account.get(name)}
    return {
        "scheme": scheme,
        "kind": "rest",
        "credentials": credentials,
        "method": sent.method,
        "path": parts.path,
        "query": parts.query,
        "body": body.decode(),
        "sent": {name: value for name, value in sent.headers.items() if name.lower() not in SKIPPED_HEADERS},
    }


SKIPPED_HEADERS = {"user-agent", "accept", "accept-encoding", "connection", "content-length", "content-type"}


def signed_with_cexsign(signer: cexsign.Signer) -> cexsign.RequestsAuth:
    auth = cexsign.RequestsAuth(signer)
    headers = signer.sign("GET", "/probe", keep_prehash=True)
    assert_no_secret(repr(signer), str(signer), repr(auth), repr(headers), str(headers))
    with pytest.raises(TypeError) as pickled:
        pickle.dumps(signer)
    assert_no_secret(str(pickled.value))
    return auth


# --------------------------------------------------------------------------------------------
# Seed 000: Delta Exchange
# --------------------------------------------------------------------------------------------


def test_seed_000_as_posted_is_refused_unauthorized(exchange: cexsign.LocalExchange) -> None:
    response = seed_000_as_posted(exchange.base_url, DELTA["api_key"], DELTA["secret"], DELTA_ORDER)
    body = rejection(response, 401)
    # The exchange's own answer, as AUTH.md quotes it for seed 000.
    assert body["error"] == "unauthorized" and body["success"] is False
    assert body["cexsign_reason"] == "the api-key header is missing or empty"
    # The local exchange cannot name a mistake here: a missing auth header is refused before any
    # signature is computed, so there is no prehash and no cexsign_diagnosis (nor its header).
    assert set(body) == {"error", "success", "cexsign_reason"}
    assert "cexsign-diagnosis" not in response.headers
    assert exchange.requests_rejected == 1 and exchange.requests_accepted == 0
    # cexsign.diagnose cannot name it either: it refuses the case, naming the header not given.
    with pytest.raises(cexsign.CexsignError) as error:
        cexsign.diagnose(rest_case("delta", DELTA, response))
    assert_no_secret(str(error.value), repr(error.value))
    assert "the api-key header was not given" in str(error.value)


def test_seed_000_body_signed_with_spaces_is_a_signature_mismatch(exchange: cexsign.LocalExchange) -> None:
    response = seed_000_signed_with_spaces(exchange.base_url, DELTA["api_key"], DELTA["secret"], DELTA_ORDER)
    body = rejection(response, 401)
    assert body["error"] == {"code": "Signature Mismatch"} and body["success"] is False
    assert_mistake(response, "body-reserialized")
    timestamp = response.request.headers["timestamp"]
    compact = json.dumps(DELTA_ORDER, separators=(",", ":"))
    assert body["cexsign_expected_prehash"] == "POST" + timestamp + "/v2/orders" + compact


def test_seed_000_fixed_is_accepted(exchange: cexsign.LocalExchange) -> None:
    body = assert_accepted(seed_000_fixed(exchange.base_url, DELTA["api_key"], DELTA["secret"], DELTA_ORDER))
    assert body["scheme"] == "delta" and body["path"] == "/v2/orders"
    assert body["body_bytes"] == len(json.dumps(DELTA_ORDER, separators=(",", ":")))


def test_seed_000_with_cexsign_signer_is_accepted(exchange: cexsign.LocalExchange) -> None:
    auth = signed_with_cexsign(cexsign.DeltaSigner(api_key=DELTA["api_key"], secret=DELTA["secret"]))
    payload = json.dumps(DELTA_ORDER, separators=(",", ":"))
    response = requests.post(
        exchange.base_url + "/v2/orders", data=payload, headers={"Content-Type": "application/json"}, auth=auth, timeout=5
    )
    assert accepted_scheme(response) == "delta"
    # A GET with a query, which Delta signs after `?`.
    response = requests.get(
        exchange.base_url + "/v2/orders", params={"product_id": 1, "state": "open"}, auth=auth, timeout=5
    )
    assert assert_accepted(response)["query"] == "product_id=1&state=open"


def accepted_scheme(response: requests.Response) -> str:
    return assert_accepted(response)["scheme"]


# --------------------------------------------------------------------------------------------
# Seed 001: Coinbase Advanced Trade, legacy HMAC key
# --------------------------------------------------------------------------------------------


def test_seed_001_swapped_key_and_secret_is_refused(exchange: cexsign.LocalExchange) -> None:
    response = seed_001_rest_as_posted(exchange.base_url, COINBASE_ADVANCED["api_key"], COINBASE_ADVANCED["secret"])
    # The snippet put the secret in CB-ACCESS-KEY: it went out on the wire (AUTH.md: rotate it).
    assert response.request.headers["CB-ACCESS-KEY"] == COINBASE_ADVANCED["secret"]
    rejection(response, 401)
    # Coinbase Advanced Trade's v3 answer is the plain text `Unauthorized`, as on the real
    # exchange; the diagnosis comes in the cexsign-diagnosis header.
    assert response.text == "Unauthorized"
    assert_mistake(response, "key-secret-swapped")
    assert "swapped" in decoded_header(response.headers["cexsign-reason"])
    # What the local exchange records of the request must not keep the secret either.
    assert_no_secret(exchange.verified_requests(), exchange.accounts)


def test_seed_001_swapped_key_and_secret_diagnosed_directly(exchange: cexsign.LocalExchange) -> None:
    # The case built from the request the snippet sent (the secret in CB-ACCESS-KEY) ...
    response = seed_001_rest_as_posted(exchange.base_url, COINBASE_ADVANCED["api_key"], COINBASE_ADVANCED["secret"])
    case = rest_case("coinbase_advanced_hmac", COINBASE_ADVANCED, response)
    assert case["sent"]["CB-ACCESS-KEY"] == COINBASE_ADVANCED["secret"] and case["query"] == "limit=1"
    diagnosis = cexsign.diagnose(case)
    assert_no_secret(diagnosis)
    assert (diagnosis["verdict"], diagnosis["mistake"]) == ("mistake", "key-secret-swapped")
    # ... and the same at AUTH.md's worked-example instant, by hand.
    timestamp = "1700000000"
    prehash = timestamp + "GET" + "/api/v3/brokerage/accounts"
    case["sent"] = {
        "CB-ACCESS-KEY": COINBASE_ADVANCED["secret"],
        "CB-ACCESS-TIMESTAMP": timestamp,
        "CB-ACCESS-SIGN": hmac.new(COINBASE_ADVANCED["api_key"].encode(), prehash.encode(), hashlib.sha256).hexdigest(),
    }
    diagnosis = cexsign.diagnose(case)
    assert_no_secret(diagnosis)
    assert (diagnosis["verdict"], diagnosis["mistake"]) == ("mistake", "key-secret-swapped")
    # The fixed call signs the worked example's GET row.
    case["sent"] = {
        "CB-ACCESS-KEY": COINBASE_ADVANCED["api_key"],
        "CB-ACCESS-TIMESTAMP": timestamp,
        "CB-ACCESS-SIGN": "4db049543ed2b9e7f32a4d552f177af6a8e3b5d71a71b86708bd2715940d1875",
    }
    fixed = cexsign.diagnose(case)
    assert (fixed["verdict"], fixed["mistake"]) == ("correct", None)


def test_seed_001_fixed_rest_is_accepted(exchange: cexsign.LocalExchange) -> None:
    response = seed_001_rest_fixed(exchange.base_url, COINBASE_ADVANCED["api_key"], COINBASE_ADVANCED["secret"])
    body = assert_accepted(response)
    assert (body["scheme"], body["api_key"], body["query"]) == ("coinbase_advanced_hmac", COINBASE_ADVANCED["api_key"], "limit=1")


def test_seed_001_rest_with_cexsign_signer_is_accepted(exchange: cexsign.LocalExchange) -> None:
    signer = cexsign.CoinbaseAdvancedHmacSigner(api_key=COINBASE_ADVANCED["api_key"], secret=COINBASE_ADVANCED["secret"])
    auth = signed_with_cexsign(signer)
    response = requests.get(exchange.base_url + "/api/v3/brokerage/accounts", params={"limit": 1}, auth=auth, timeout=5)
    assert accepted_scheme(response) == "coinbase_advanced_hmac"


def test_seed_001_ws_hmac_arguments_swapped_is_refused(exchange: cexsign.LocalExchange) -> None:
    message = seed_001_ws_subscribe_as_posted(COINBASE_ADVANCED["api_key"], COINBASE_ADVANCED["secret"])
    response = send_ws_message(exchange.base_url, "coinbase_advanced_hmac", message)
    body = rejection(response, 401)
    # Coinbase Advanced Trade's websocket error (AUTH.md), plus the cexsign fields.
    assert (body["type"], body["message"]) == ("error", "authentication failure")
    assert body["cexsign_expected_prehash"] == message["timestamp"] + "level2BTC-USD,ETH-USD"
    assert_mistake(response, "hmac-arguments-swapped")


def test_seed_001_ws_hmac_arguments_swapped_diagnosed_directly() -> None:
    message = seed_001_ws_subscribe_as_posted(COINBASE_ADVANCED["api_key"], COINBASE_ADVANCED["secret"])
    case = {
        "scheme": "coinbase_advanced_hmac",
        "kind": "ws",
        "credentials": {"api_key": COINBASE_ADVANCED["api_key"], "secret": COINBASE_ADVANCED["secret"]},
        "options": {"channel": message["channel"], "product_ids": message["product_ids"]},
        "sent": {name: message[name] for name in ("api_key", "timestamp", "signature")},
    }
    diagnosis = cexsign.diagnose(case)
    assert_no_secret(diagnosis)
    assert (diagnosis["verdict"], diagnosis["mistake"]) == ("mistake", "hmac-arguments-swapped")
    # The same case with the fixed signature is correct: the code above is not a default.
    case["sent"]["signature"] = hmac.new(
        COINBASE_ADVANCED["secret"].encode(),
        (message["timestamp"] + "level2BTC-USD,ETH-USD").encode(),
        hashlib.sha256,
    ).hexdigest()
    fixed = cexsign.diagnose(case)
    assert (fixed["verdict"], fixed["mistake"]) == ("correct", None)


def test_seed_001_fixed_ws_subscribe_is_accepted(exchange: cexsign.LocalExchange) -> None:
    message = seed_001_ws_subscribe_fixed(COINBASE_ADVANCED["api_key"], COINBASE_ADVANCED["secret"])
    response = send_ws_message(exchange.base_url, "coinbase_advanced_hmac", message)
    # A websocket message accepted is answered with the exchange's own subscriptions event,
    # not the REST `"cexsign":"accepted"` echo.
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["channel"] == "subscriptions"
    assert answer["events"] == [{"subscriptions": {"level2": ["BTC-USD", "ETH-USD"]}}]
    assert "cexsign_reason" not in answer


def test_seed_001_ws_with_cexsign_signer_is_accepted(exchange: cexsign.LocalExchange) -> None:
    signer = cexsign.CoinbaseAdvancedHmacSigner(api_key=COINBASE_ADVANCED["api_key"], secret=COINBASE_ADVANCED["secret"])
    login = signer.ws_login(channels=["level2"], product_ids=["BTC-USD", "ETH-USD"])
    assert_no_secret(repr(login), login.message)
    # The worked example's WS row, as a check that the signer signs what the fixed snippet does.
    pinned = signer.ws_login(1700000000_000, channels=["level2"], product_ids=["BTC-USD", "ETH-USD"])
    assert pinned.signature == "31fa5b8c1b3116fb910cd43cee1a76817952ae7d26941a04c7151db886a07c63"
    response = requests.post(
        exchange.base_url + "/cexsign/ws/coinbase_advanced_hmac", data=login.message, timeout=5
    )
    assert response.status_code == 200, response.text
    assert response.json()["events"] == [{"subscriptions": {"level2": ["BTC-USD", "ETH-USD"]}}]


# --------------------------------------------------------------------------------------------
# Seed 002: Coinbase Exchange
# --------------------------------------------------------------------------------------------


def test_seed_002_reproduces_the_spec_negative_vector() -> None:
    # AUTH.md's "Negative: GET above with the secret not decoded", and the positive row fixed.
    args = (COINBASE_EXCHANGE["api_key"], COINBASE_EXCHANGE["secret"], COINBASE_EXCHANGE["passphrase"])
    posted = seed_002_auth_headers(*args, "1700000000.123", "GET", "/orders?status=done&limit=2")
    assert posted["CB-ACCESS-SIGN"] == "KLy0Bwl+GOetM2sXTzsHTwnqL9zZ4t5fojtyeJQophQ="
    fixed = seed_002_auth_headers_fixed(*args, "1700000000.123", "GET", "/orders?status=done&limit=2")
    assert fixed["CB-ACCESS-SIGN"] == "ZlVMCMOet6xyvAS4KhwMHNPkv/bsOekwpci6BSLmE80="


def test_seed_002_secret_not_decoded_is_refused(exchange: cexsign.LocalExchange) -> None:
    response = seed_002_get_as_posted(exchange.base_url, *credentials_of(COINBASE_EXCHANGE))
    body = rejection(response, 401)
    assert body["message"] == "invalid signature"
    assert_mistake(response, "secret-not-base64-decoded")
    assert body["cexsign_expected_prehash"] == (
        response.request.headers["CB-ACCESS-TIMESTAMP"] + "GET/orders?status=done&limit=2"
    )


def test_seed_002_secret_not_decoded_diagnosed_directly(exchange: cexsign.LocalExchange) -> None:
    response = seed_002_get_as_posted(exchange.base_url, *credentials_of(COINBASE_EXCHANGE))
    case = rest_case("coinbase_exchange", COINBASE_EXCHANGE, response)
    assert case["query"] == "status=done&limit=2" and "CB-ACCESS-PASSPHRASE" in case["sent"]
    diagnosis = cexsign.diagnose(case)
    assert_no_secret(diagnosis)
    assert (diagnosis["verdict"], diagnosis["mistake"]) == ("mistake", "secret-not-base64-decoded")


def test_seed_002_post_body_reserialized_is_refused(exchange: cexsign.LocalExchange) -> None:
    response = seed_002_post_as_posted(exchange.base_url, *credentials_of(COINBASE_EXCHANGE), COINBASE_EXCHANGE_ORDER)
    assert response.request.body == json.dumps(COINBASE_EXCHANGE_ORDER).encode()  # sent with spaces
    body = rejection(response, 401)
    assert body["message"] == "invalid signature"
    assert_mistake(response, "body-reserialized")
    diagnosis = cexsign.diagnose(rest_case("coinbase_exchange", COINBASE_EXCHANGE, response))
    assert_no_secret(diagnosis)
    assert (diagnosis["verdict"], diagnosis["mistake"]) == ("mistake", "body-reserialized")


def test_seed_002_fixed_is_accepted(exchange: cexsign.LocalExchange) -> None:
    get = assert_accepted(seed_002_get_fixed(exchange.base_url, *credentials_of(COINBASE_EXCHANGE)))
    assert (get["scheme"], get["query"]) == ("coinbase_exchange", "status=done&limit=2")
    post = assert_accepted(
        seed_002_post_fixed(exchange.base_url, *credentials_of(COINBASE_EXCHANGE), COINBASE_EXCHANGE_ORDER)
    )
    assert post["body_bytes"] == len(json.dumps(COINBASE_EXCHANGE_ORDER, separators=(",", ":")))


def test_seed_002_with_cexsign_signer_is_accepted(exchange: cexsign.LocalExchange) -> None:
    signer = cexsign.CoinbaseExchangeSigner(*credentials_of(COINBASE_EXCHANGE))
    auth = signed_with_cexsign(signer)
    response = requests.get(exchange.base_url + "/orders", params={"status": "done", "limit": 2}, auth=auth, timeout=5)
    assert accepted_scheme(response) == "coinbase_exchange"
    # json= as the snippet sent it: the adapter signs the bytes requests puts on the wire.
    response = requests.post(exchange.base_url + "/orders", json=COINBASE_EXCHANGE_ORDER, auth=auth, timeout=5)
    assert assert_accepted(response)["body_bytes"] == len(json.dumps(COINBASE_EXCHANGE_ORDER))


def credentials_of(account: Dict[str, Any]) -> tuple:
    return (account["api_key"], account["secret"], account["passphrase"])


# --------------------------------------------------------------------------------------------
# Seed 003: KuCoin
# --------------------------------------------------------------------------------------------

KUCOIN_PASSPHRASE_REFUSED = {"code": "400004", "msg": "Invalid KC-API-PASSPHRASE"}


@pytest.mark.parametrize(
    ("hmac_passphrase", "version_header", "code"),
    [
        # As posted: python-kucoin's version-1 form (plain passphrase, no version header).
        (False, None, "kucoin-passphrase-plain"),
        # The version header added, the passphrase still plain.
        (False, "2", "kucoin-passphrase-plain"),
        # The passphrase HMAC'd, the version header still missing.
        (True, None, "kucoin-key-version-mismatch"),
    ],
    ids=["as-posted-plain-no-version", "plain-with-version", "hmac-no-version"],
)
def test_seed_003_passphrase_mistakes_are_refused(
    exchange: cexsign.LocalExchange, hmac_passphrase: bool, version_header: Optional[str], code: str
) -> None:
    response = seed_003_get_accounts(
        exchange.base_url, *credentials_of(KUCOIN_V2), hmac_passphrase=hmac_passphrase, version_header=version_header
    )
    body = rejection(response, 401)
    assert {name: body[name] for name in ("code", "msg")} == KUCOIN_PASSPHRASE_REFUSED
    assert_mistake(response, code)
    if hmac_passphrase or version_header is None:
        assert "KC-API-KEY-VERSION is missing" in body["cexsign_reason"]
    diagnosis = cexsign.diagnose(rest_case("kucoin", KUCOIN_V2, response))
    assert_no_secret(diagnosis)
    assert (diagnosis["verdict"], diagnosis["mistake"]) == ("mistake", code)


def test_seed_003_fixed_is_accepted(exchange: cexsign.LocalExchange) -> None:
    # FIX: HMAC the passphrase with the secret and send KC-API-KEY-VERSION: 2.
    response = seed_003_get_accounts(exchange.base_url, *credentials_of(KUCOIN_V2), hmac_passphrase=True, version_header="2")
    assert accepted_scheme(response) == "kucoin"


def test_seed_003_with_cexsign_signer_is_accepted(exchange: cexsign.LocalExchange) -> None:
    signer = cexsign.KucoinSigner(*credentials_of(KUCOIN_V2), key_version=KUCOIN_V2["key_version"])
    auth = signed_with_cexsign(signer)
    response = requests.get(exchange.base_url + "/api/v1/accounts", auth=auth, timeout=5)
    assert accepted_scheme(response) == "kucoin"
    assert response.request.headers["KC-API-KEY-VERSION"] == "2"


# --------------------------------------------------------------------------------------------
# Seed 004: OKX
# --------------------------------------------------------------------------------------------

OKX_INVALID_SIGN = {"msg": "Invalid Sign", "code": "50113"}


def test_seed_004_as_posted_post_is_accepted_by_luck(exchange: cexsign.LocalExchange) -> None:
    # json.dumps(body) and requests' json= both use the default separators: the same bytes.
    response = seed_004_post_as_posted(exchange.base_url, *credentials_of(OKX), OKX_ORDER)
    assert response.request.body == json.dumps(OKX_ORDER).encode()
    assert accepted_scheme(response) == "okx"


def test_seed_004_compact_signing_side_is_invalid_sign(exchange: cexsign.LocalExchange) -> None:
    response = seed_004_post_as_posted(exchange.base_url, *credentials_of(OKX), OKX_ORDER, separators=(",", ":"))
    body = rejection(response, 401)
    assert {name: body[name] for name in ("msg", "code")} == OKX_INVALID_SIGN
    assert_mistake(response, "body-reserialized")
    assert body["cexsign_expected_prehash"].endswith("POST/api/v5/trade/order" + json.dumps(OKX_ORDER))


def test_seed_004_query_left_out_is_invalid_sign(exchange: cexsign.LocalExchange) -> None:
    response = seed_004_get_as_posted(exchange.base_url, *credentials_of(OKX))
    assert response.request.path_url == "/api/v5/account/balance?ccy=BTC"
    body = rejection(response, 401)
    assert {name: body[name] for name in ("msg", "code")} == OKX_INVALID_SIGN
    assert_mistake(response, "query-not-signed")
    assert body["cexsign_expected_prehash"] == (
        response.request.headers["OK-ACCESS-TIMESTAMP"] + "GET/api/v5/account/balance?ccy=BTC"
    )


def test_seed_004_query_left_out_diagnosed_directly(exchange: cexsign.LocalExchange) -> None:
    response = seed_004_get_as_posted(exchange.base_url, *credentials_of(OKX))
    case = rest_case("okx", OKX, response)
    case["options"] = {"demo": False}
    diagnosis = cexsign.diagnose(case)
    assert_no_secret(diagnosis)
    assert (diagnosis["verdict"], diagnosis["mistake"]) == ("mistake", "query-not-signed")


def test_seed_004_fixed_is_accepted(exchange: cexsign.LocalExchange) -> None:
    post = assert_accepted(seed_004_post_fixed(exchange.base_url, *credentials_of(OKX), OKX_ORDER))
    assert post["body_bytes"] == len(json.dumps(OKX_ORDER, separators=(",", ":")))
    get = assert_accepted(seed_004_get_fixed(exchange.base_url, *credentials_of(OKX)))
    assert (get["scheme"], get["query"]) == ("okx", "ccy=BTC")


def test_seed_004_with_cexsign_signer_is_accepted(exchange: cexsign.LocalExchange) -> None:
    signer = cexsign.OkxSigner(*credentials_of(OKX), demo=False)
    auth = signed_with_cexsign(signer)
    # Both ways the snippet sent: json= (spaces) and compact data=; a fresh clOrdId for the second.
    response = requests.post(exchange.base_url + "/api/v5/trade/order", json=OKX_ORDER, auth=auth, timeout=5)
    assert accepted_scheme(response) == "okx"
    compact = json.dumps(dict(OKX_ORDER, clOrdId="b16"), separators=(",", ":"))
    response = requests.post(
        exchange.base_url + "/api/v5/trade/order",
        data=compact,
        headers={"Content-Type": "application/json"},
        auth=auth,
        timeout=5,
    )
    assert accepted_scheme(response) == "okx"
    response = requests.get(exchange.base_url + "/api/v5/account/balance", params={"ccy": "BTC"}, auth=auth, timeout=5)
    assert assert_accepted(response)["query"] == "ccy=BTC"


# --------------------------------------------------------------------------------------------
# No secret in what the package says when it refuses its input
# --------------------------------------------------------------------------------------------


def test_no_secret_in_exception_messages_or_reprs(exchange: cexsign.LocalExchange) -> None:
    errors: List[str] = []
    # A diagnosis case that cannot be read, carrying every seed's secret and passphrase.
    for account, scheme in (
        (DELTA, "delta"),
        (COINBASE_ADVANCED, "coinbase_advanced_hmac"),
        (COINBASE_EXCHANGE, "coinbase_exchange"),
        (KUCOIN_V2, "kucoin"),
        (OKX, "okx"),
    ):
        credentials = {name: account[name] for name in ("api_key", "secret", "passphrase") if account.get(name)}
        for broken in (
            {"scheme": scheme, "kind": "sideways", "credentials": credentials, "path": "/x", "sent": {}},
            {"scheme": scheme, "credentials": credentials, "path": "/x", "sent": {"x": 1.5}},
            {"scheme": scheme, "credentials": dict(credentials, secret=[account["secret"]]), "path": "/x", "sent": {}},
        ):
            with pytest.raises(cexsign.CexsignError) as error:
                cexsign.diagnose(broken)
            errors.append(str(error.value))
            errors.append(repr(error.value))
    # A signer refused at construction.
    with pytest.raises(cexsign.CexsignError) as error:
        cexsign.KucoinSigner(*credentials_of(KUCOIN_V2), key_version=7)
    errors.append(str(error.value))
    # An accounts entry the local exchange refuses.
    with pytest.raises(cexsign.CexsignError) as error:
        cexsign.LocalExchange([dict(KUCOIN_V2, key_version=9)])
    errors.append(str(error.value))
    assert len(errors) == 32
    assert_no_secret(*errors)
    assert_no_secret(repr(exchange), exchange.accounts, exchange.verified_requests())
