#!/usr/bin/env python3
"""Real clients against the local exchange: the exchanges' own SDKs and CCXT, each driven
through its own public API (never its signing helper) with its base URL pointed at the local
exchange, must be accepted; the requests they are known to sign wrongly must be rejected with
the exchange's error code.

    python interop/suite.py BASE_URL [CREDENTIALS_JSON]

BASE_URL is the local exchange (`examples/local_exchange.rs`, which `interop/run.sh` starts with
`--credentials interop/credentials.json`); CREDENTIALS_JSON defaults to that file, whose secrets
the SDKs are given.

One line per request: verdict (PASS/FAIL), SDK, account, request, expected, got. The output ends
with exactly `N passed, M failed` (accepted-as-expected and rejected-as-expected both count as
passed); the exit status is 1 on any unexpected verdict.

Expectations:
  * accept            a correct request: must be accepted (HTTP 200, {"cexsign":"accepted"}).
  * reject(code, ..)  a request the SDK is known to sign wrongly (or a documented misuse): must
                      be rejected with the exchange's code and, when the server gives a
                      diagnosis (`cexsign_diagnosis`), with the named mistake.
  * KNOWN-SERVER-BUG  a request the SDK signs as AUTH.md says the exchange accepts, which the
                      local exchange currently rejects: passes while rejected for the stated
                      reason, FAILS once accepted (the server was fixed: flip it to accept).

Nothing leaves loopback: every DNS lookup and socket connection to anything but 127.0.0.0/8,
::1 or localhost raises, so an SDK that tried to reach a real exchange would fail loudly. The
verdict is read from the wire (a recorder around requests' HTTPAdapter.send, httpx's Client.send
and urllib3's PoolManager.urlopen), not from what the SDK makes of the answer: the local exchange
echoes what it verified instead of the exchange's business payload, which some SDKs then fail to
parse.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import logging
import re
import socket
import sys
import time
import uuid
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import urlsplit, urlunsplit

# ---------------------------------------------------------------------------------------------
# Loopback guard: installed before any SDK is imported.
# ---------------------------------------------------------------------------------------------


def _is_loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    host = host.strip("[]").split("%")[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LoopbackOnly(OSError):
    """Raised for any attempt to resolve or reach a host outside loopback."""


GUARD_HITS: list[str] = []  # every refused attempt, so a case fails even if an SDK swallowed the error


def install_loopback_guard() -> None:
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _is_loopback(host):
            GUARD_HITS.append(f"resolve {host!r}")
            raise LoopbackOnly(f"interop guard: refusing to resolve {host!r}: only loopback may be contacted")
        return real_getaddrinfo(host, *args, **kwargs)

    def check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            GUARD_HITS.append(f"connect to {address!r}")
            raise LoopbackOnly(f"interop guard: refusing to connect to {address!r}: only loopback may be contacted")

    def connect(self, address):
        check(self, address)
        return real_connect(self, address)

    def connect_ex(self, address):
        check(self, address)
        return real_connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex


install_loopback_guard()

import httpx  # noqa: E402
import requests  # noqa: E402
import requests.adapters  # noqa: E402
import urllib3  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Wire recorder: what went out and what came back, for every request any SDK sends.
# ---------------------------------------------------------------------------------------------


@dataclass
class Wire:
    method: str
    target: str  # the request-target: path and query exactly as sent
    host: str
    headers: dict
    body: bytes
    status: int
    response_headers: dict
    response_body: bytes


WIRE: list[Wire] = []


def _as_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    return repr(body).encode()


def install_recorders() -> None:
    real_requests_send = requests.adapters.HTTPAdapter.send

    def requests_send(self, request, *args, **kwargs):
        response = real_requests_send(self, request, *args, **kwargs)
        parts = urlsplit(request.url)
        WIRE.append(
            Wire(
                method=request.method,
                target=request.path_url,
                host=request.headers.get("Host", parts.netloc),
                headers=dict(request.headers),
                body=_as_bytes(request.body),
                status=response.status_code,
                response_headers={k.lower(): v for k, v in response.headers.items()},
                response_body=response.content,
            )
        )
        return response

    requests.adapters.HTTPAdapter.send = requests_send

    real_httpx_send = httpx.Client.send

    def httpx_send(self, request, *args, **kwargs):
        response = real_httpx_send(self, request, *args, **kwargs)
        try:
            content = response.read()
        except Exception:  # a streamed response the SDK reads itself
            content = b""
        WIRE.append(
            Wire(
                method=request.method,
                target=request.url.raw_path.decode("ascii"),
                host=request.headers.get("Host", ""),
                headers=dict(request.headers),
                body=request.content,
                status=response.status_code,
                response_headers={k.lower(): v for k, v in response.headers.items()},
                response_body=content,
            )
        )
        return response

    httpx.Client.send = httpx_send

    real_httpx_async_send = httpx.AsyncClient.send

    async def httpx_async_send(self, request, *args, **kwargs):
        response = await real_httpx_async_send(self, request, *args, **kwargs)
        try:
            content = await response.aread()
        except Exception:  # a streamed response the SDK reads itself
            content = b""
        WIRE.append(
            Wire(
                method=request.method,
                target=request.url.raw_path.decode("ascii"),
                host=request.headers.get("Host", ""),
                headers=dict(request.headers),
                body=request.content,
                status=response.status_code,
                response_headers={k.lower(): v for k, v in response.headers.items()},
                response_body=content,
            )
        )
        return response

    httpx.AsyncClient.send = httpx_async_send

    # gate-api talks to urllib3 directly (requests goes through a connection pool's urlopen, not
    # the PoolManager's, so nothing is recorded twice).
    real_urlopen = urllib3.PoolManager.urlopen

    def pool_urlopen(self, method, url, *args, **kwargs):
        response = real_urlopen(self, method, url, *args, **kwargs)
        parts = urlsplit(url)
        headers = dict(kwargs.get("headers") or {})
        content = response.data if kwargs.get("preload_content", True) else b""
        WIRE.append(
            Wire(
                method=method,
                target=parts.path + (f"?{parts.query}" if parts.query else ""),
                host=headers.get("Host", parts.netloc),
                headers=headers,
                body=_as_bytes(kwargs.get("body")),
                status=response.status,
                response_headers={k.lower(): v for k, v in response.headers.items()},
                response_body=content,
            )
        )
        return response

    urllib3.PoolManager.urlopen = pool_urlopen


install_recorders()


class LoopbackAdapter(requests.adapters.HTTPAdapter):
    """The seam for SDKs that hard-code `https://` or a host: mounted on the SDK's own
    `requests.Session` for the production origin, it sends the request the SDK built and signed,
    unchanged (method, path, query, headers, body, and the `Host` the SDK addressed), to the
    local exchange over plain HTTP. Nothing the signature covers is touched."""

    def __init__(self, base_url: str):
        super().__init__(max_retries=0)
        self.base = urlsplit(base_url)

    def send(self, request, *args, **kwargs):
        parts = urlsplit(request.url)
        request.headers.setdefault("Host", parts.netloc)
        request.url = urlunsplit((self.base.scheme, self.base.netloc, parts.path, parts.query, ""))
        return super().send(request, *args, **kwargs)


def loopback_session(base_url: str, origin: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.mount(origin, LoopbackAdapter(base_url))
    return session


# ---------------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------------


def _header_text(value: Optional[str]) -> Optional[str]:
    """The cexsign-* headers are JSON string contents escaped to visible ASCII."""
    if value is None:
        return None
    try:
        return json.loads('"' + value + '"')
    except ValueError:
        return value


@dataclass
class Got:
    accepted: bool
    status: int
    code: str = ""
    reason: str = ""
    mistake: Optional[str] = None
    has_diagnosis: bool = False

    def __str__(self) -> str:
        if self.accepted:
            return "accepted"
        text = f"rejected {self.code}" if self.code != str(self.status) else f"rejected HTTP {self.status}"
        if self.mistake:
            text += f" [{self.mistake}]"
        return text


def verdict(wire: Wire) -> Got:
    try:
        body = json.loads(wire.response_body.decode("utf-8"))
    except ValueError:
        body = None
    if wire.status == 200 and isinstance(body, dict) and body.get("cexsign") == "accepted":
        return Got(True, 200)
    # A private stream's token request, accepted, is answered with the exchange's own grant
    # (Kraken's {"error":[],"result":{"token"}}, KuCoin's {"code":"200000","data":{"token"}}).
    if wire.status == 200 and isinstance(body, dict):
        grant = body.get("result") if body.get("error") == [] else body.get("data")
        if isinstance(grant, dict) and isinstance(grant.get("token"), str):
            return Got(True, 200)
    code = str(wire.status)
    reason = _header_text(wire.response_headers.get("cexsign-reason")) or ""
    diagnosis = None
    if isinstance(body, dict):
        if "code" in body:  # OKX, KuCoin, Binance, Bitget
            code = str(body["code"])
        elif "retCode" in body:  # Bybit (HTTP 200)
            code = str(body["retCode"])
        elif "label" in body:  # Gate
            code = str(body["label"])
        elif isinstance(body.get("error"), list) and body["error"]:  # Kraken (HTTP 200)
            code = str(body["error"][0])
        elif "success" in body and "error" in body:  # Delta
            error = body["error"]
            code = str(error.get("code") if isinstance(error, dict) else error)
        elif isinstance(body.get("error"), dict) and "code" in body["error"]:  # Deribit (JSON-RPC)
            code = str(body["error"]["code"])
        elif isinstance(body.get("error"), dict) and "name" in body["error"]:  # Upbit
            code = str(body["error"]["name"])
        elif "error" in body:  # Delta's CDN
            code = str(body["error"])
        elif "message" in body:  # Coinbase Exchange
            code = str(body["message"])
        elif body.get("status") == "err" and isinstance(body.get("response"), str):  # Hyperliquid (HTTP 200)
            code = body["response"]
        reason = body.get("cexsign_reason", reason)
        diagnosis = body.get("cexsign_diagnosis")
    elif isinstance(body, list) and len(body) >= 2 and body[0] == "error":  # Bitfinex: ["error", code, text]
        code = str(body[1])
    if diagnosis is None and wire.response_headers.get("cexsign-diagnosis"):
        try:
            diagnosis = json.loads(_header_text(wire.response_headers["cexsign-diagnosis"]))
        except ValueError:
            diagnosis = None
    mistake = diagnosis.get("mistake") if isinstance(diagnosis, dict) else None
    return Got(False, wire.status, code, reason, mistake, isinstance(diagnosis, dict))


@dataclass
class Expect:
    kind: str  # "accept", "reject" or "server-bug"
    code: str = ""
    mistake: Optional[str] = None  # reject: the mistake (diagnosis catalogue code) the request makes
    named_by_server: bool = True  # reject: whether the local exchange can name it (False: needs the raw secret)
    diagnosis_bug: Optional[tuple[Optional[str], str]] = None  # (what the server names today, why that is wrong)
    reason_contains: str = ""  # server-bug: what the current (wrong) rejection says; reject: what the reason must say
    why: str = ""

    def __str__(self) -> str:
        if self.kind == "accept":
            return "accepted"
        if self.kind == "server-bug":
            return f"accepted (KNOWN-SERVER-BUG: now rejected {self.code})"
        return f"rejected {self.code}" + (f" [{self.mistake}]" if self.mistake else "")


ACCEPT = Expect("accept")


def accept(why: str) -> Expect:
    """A correct request worth a word: must be accepted."""
    return Expect("accept", why=why)


def reject(
    code: str,
    why: str,
    mistake: Optional[str] = None,
    named_by_server: bool = True,
    diagnosis_bug: Optional[tuple[Optional[str], str]] = None,
    reason_contains: str = "",
) -> Expect:
    """A rejection with the exchange's `code`. `mistake` is checked against the server's diagnosis
    when it gives one; `diagnosis_bug` marks a diagnosis that is known to name something else today
    (a KNOWN-SERVER-BUG of the diagnosis, not of the verdict); `reason_contains`, words the server's
    reason (`cexsign_reason`) must say, where it is the diagnosis (no mistake can be named)."""
    return Expect(
        "reject",
        code=code,
        mistake=mistake,
        named_by_server=named_by_server,
        diagnosis_bug=diagnosis_bug,
        reason_contains=reason_contains,
        why=why,
    )


def known_server_bug(code: str, reason_contains: str, why: str) -> Expect:
    return Expect("server-bug", code=code, reason_contains=reason_contains, why=why)


def judge(expect: Expect, got: Got) -> tuple[bool, str]:
    """(passed, note). A note starting with KNOWN-SERVER-BUG is listed again at the end."""
    if expect.kind == "accept":
        return got.accepted, ""
    if expect.kind == "server-bug":
        if got.accepted:
            return False, "the server now accepts this request: flip the case from known_server_bug to ACCEPT"
        ok = got.code == expect.code and expect.reason_contains in got.reason
        if not ok:
            return False, f"rejected for another reason than the known server bug: {got.reason}"
        return True, f"KNOWN-SERVER-BUG: rejected ({got.reason}); {expect.why}"
    if got.accepted or got.code != expect.code:
        return False, ""
    if expect.reason_contains and expect.reason_contains not in got.reason:
        return False, f"the reason does not say {expect.reason_contains!r}: {got.reason}"
    if not expect.mistake:
        return True, ""
    if not got.has_diagnosis:
        return True, f"(the answer has no diagnosis; the mistake is {expect.mistake})"
    named = got.mistake or "no mistake"
    if got.mistake == expect.mistake:
        if expect.diagnosis_bug:
            return True, f"the server now names {expect.mistake}: remove the diagnosis KNOWN-SERVER-BUG marker"
        return True, ""
    if expect.diagnosis_bug and got.mistake == expect.diagnosis_bug[0]:
        return True, (
            f"KNOWN-SERVER-BUG (diagnosis only; the verdict is right): the diagnosis names {named}, "
            f"expected {expect.mistake}: {expect.diagnosis_bug[1]}"
        )
    if not expect.named_by_server and got.mistake is None:
        return True, (
            f"(the local exchange cannot name {expect.mistake}: it keeps no raw secret, only the key's signer, "
            "whose MACs always start with the scheme's own timestamp, upper-case method and path; `cexsign "
            "diagnose` with the credentials does)"
        )
    return False, f"the diagnosis names {named}, expected {expect.mistake}"


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------


@dataclass
class Case:
    sdk: str
    account: str
    call: str  # the SDK call, for the report
    method: str  # what must be on the wire
    target: str  # exact, except that `{name}` stands for one parameter value (a timestamp, a signature)
    expect: Expect
    run: Callable[[], Any]
    seam: str = ""
    # Sent first and not judged, but it must be accepted: the state the case needs (Kraken's nonce).
    prelude: Optional[Callable[[], Any]] = None
    prelude_call: str = ""


@dataclass
class Outcome:
    case: Case
    passed: bool
    got: Optional[Got]
    note: str
    wire: Optional[Wire]
    error: str = ""


CASES: list[Case] = []
SDK_NOTES: dict[str, str] = {}


def case(sdk, account, call, method, target, expect=ACCEPT, seam="", prelude=None, prelude_call=""):
    def register(run):
        CASES.append(Case(sdk, account, call, method, target, expect, run, seam, prelude, prelude_call))
        return run

    return register


def target_matches(expected: str, sent: str) -> bool:
    """Whether the request-target sent is the one expected, where each `{name}` in `expected` stands
    for one non-empty parameter value (no `&`, `#` or space): the parts an SDK computes per request,
    such as Binance's `timestamp` and `signature` parameters."""
    if "{" not in expected:
        return expected == sent
    pattern = "".join(
        "[^&#\\s]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{\w+\})", expected)
    )
    return re.fullmatch(pattern, sent) is not None


def version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


# The request bodies, as in AUTH.md's worked examples.
OKX_ORDER = dict(instId="BTC-USDT", tdMode="cash", clOrdId="b15", side="buy", ordType="limit", px="2.15", sz="2")
KUCOIN_ORDER = dict(
    clientOid="2b802154-8d31-42e6-88ea-c8c18d3e4822",
    side="buy",
    symbol="BTC-USDT",
    type="limit",
    price="30000",
    size="0.0001",
)

# Each order an SDK places carries a client order id of its own: the local exchange, like OKX and
# KuCoin, refuses an id the key already used, and every SDK here places its order with the same
# keys.
_ORDER_IDS = itertools.count(1)


def okx_order():
    return dict(OKX_ORDER, clOrdId=f"b15n{next(_ORDER_IDS)}")


def kucoin_order():
    return dict(KUCOIN_ORDER, clientOid=str(uuid.uuid4()))

# The five more schemes (AUTH-more.md): orders as in its worked examples, and the tricky values.
BINANCE_ORDER = dict(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001", price="30000")
NON_ASCII_BINANCE_SYMBOL = "币安人生USDT"  # a real Binance symbol (python-binance issue 1617)
NON_ASCII_BINANCE_SYMBOL_ENCODED = "%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT"
BYBIT_ORDER = dict(category="spot", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.001", price="30000")
BYBIT_CURSOR = "132818%3A1%2C132818%3A1"  # a nextPageCursor as Bybit returns it
KRAKEN_TXIDS = "OBCMZD-JIEE7-77TH3F,OMMDB2-FSB6Z-7W3HPO"
KRAKEN_ORDER = dict(ordertype="limit", type="buy", volume="1.25", pair="XBTUSD", price="37500")
KRAKEN_BATCH = ("OG5V2Y-RYKVL-DT3V3B", "OP3TRO-MDQG7-2Q6XX2")
NON_ASCII_BITGET_SYMBOL = "龙虾USDT"
NON_ASCII_BITGET_SYMBOL_ENCODED = "%E9%BE%99%E8%99%BEUSDT"
BITGET_ORDER = dict(
    symbol="BTCUSDT", side="buy", orderType="limit", force="gtc", price="30000", size="0.001", clientOid="vg-0001"
)
GATE_ORDER = dict(currency_pair="BTC_USDT", side="buy", amount="0.001", price="30000", text="t-0001")


def define_cases(base: str, accounts: dict[str, dict]) -> list[tuple[str, Callable[[], None]]]:
    """Registers the cases, SDK by SDK: returns (sdk, setup) pairs, run by main() one at a time so that
    an SDK that fails to import or set up fails its own cases only."""
    okx_live, okx_demo = accounts["OKX live"], accounts["OKX demo"]
    kc = {v: accounts[f"KuCoin v{v}"] for v in (1, 2, 3)}
    delta = accounts["Delta"]
    cbx = accounts["Coinbase Exchange"]
    cba = accounts["Coinbase Advanced (legacy HMAC)"]
    cdp = {"ES256": accounts["Coinbase CDP (ES256)"], "Ed25519": accounts["Coinbase CDP (Ed25519)"]}
    binance = {kind: accounts[f"Binance ({kind})"] for kind in ("HMAC", "Ed25519", "RSA")}
    bybit = {kind: accounts[f"Bybit ({kind})"] for kind in ("HMAC", "RSA")}
    kraken = {who: accounts[f"Kraken ({who})"] for who in ("krakenex", "python-kraken-sdk", "ccxt", "shared")}
    bitget = accounts["Bitget"]
    gate = accounts["Gate"]
    bitfinex = {who: accounts[f"Bitfinex ({who})"] for who in ("bitfinex-api-py", "ccxt", "shared")}
    deribit = accounts["Deribit"]
    bitmart = accounts["BitMart"]

    def ccxt_at(exchange_id: str, creds: dict, path: str = "", **config):
        """ccxt's `exchange_id` with an account's fake key and secret (and `config`), every API URL
        of it pointed at the local exchange (`path` after the base, where ccxt's URLs carry one)."""
        import ccxt

        exchange = getattr(ccxt, exchange_id)({"apiKey": creds["api_key"], "secret": creds["secret"], **config})
        exchange.urls["api"] = {name: base + path for name in exchange.urls["api"]}
        return exchange

    # ---- python-okx (official) --------------------------------------------------------------
    def setup_python_okx() -> None:
        import okx.Account
        import okx.Trade

        sdk = "python-okx"
        SDK_NOTES[sdk] = "domain=BASE_URL (its base URL option); plain HTTP works (httpx)"

        def okx_api(cls, creds, flag):
            return cls(
                api_key=creds["api_key"],
                api_secret_key=creds["secret"],
                passphrase=creds["passphrase"],
                flag=flag,
                domain=base,
                debug=False,
            )

        for label, creds, flag in (("OKX live", okx_live, "0"), ("OKX demo", okx_demo, "1")):
            case(
                sdk,
                label,
                f"AccountAPI(flag='{flag}').get_account_balance(ccy='BTC')",
                "GET",
                "/api/v5/account/balance?ccy=BTC",
            )(
                lambda creds=creds, flag=flag: okx_api(okx.Account.AccountAPI, creds, flag).get_account_balance(
                    ccy="BTC"
                )
            )
            case(
                sdk,
                label,
                f"TradeAPI(flag='{flag}').place_order(instId='BTC-USDT', ...)",
                "POST",
                "/api/v5/trade/order",
            )(lambda creds=creds, flag=flag: okx_api(okx.Trade.TradeAPI, creds, flag).place_order(**okx_order()))

        case(
            sdk,
            "OKX live",
            "AccountAPI(flag='0').get_account_balance(ccy='BTC, ETH')",
            "GET",
            "/api/v5/account/balance?ccy=BTC,%20ETH",
            reject(
                "50113",
                "python-okx signs the query as written (ccy=BTC, ETH) but httpx sends it percent-encoded "
                "(ccy=BTC,%20ETH): OKX signs the query as sent",
                mistake="query-signed-unencoded",
            ),
        )(lambda: okx_api(okx.Account.AccountAPI, okx_live, "0").get_account_balance(ccy="BTC, ETH"))
        case(
            sdk,
            "OKX live",
            "AccountAPI(...) without flag: the default flag='1' (demo)",
            "GET",
            "/api/v5/account/balance?ccy=BTC",
            reject(
                "50101",
                "misuse trap, not a signing bug: python-okx defaults to flag='1' (demo trading), so a live "
                "key used without flag='0' sends x-simulated-trading: 1",
                mistake="okx-demo-header-on-live-key",
            ),
        )(
            lambda: okx.Account.AccountAPI(
                api_key=okx_live["api_key"],
                api_secret_key=okx_live["secret"],
                passphrase=okx_live["passphrase"],
                domain=base,
            ).get_account_balance(ccy="BTC")
        )

    # ---- CCXT -----------------------------------------------------------------------------
    def setup_ccxt() -> None:
        import ccxt

        sdk = "ccxt"
        SDK_NOTES[sdk] = (
            "config 'urls': {'api': {...: BASE_URL}}; implicit endpoint methods (no load_markets). Coinbase CDP keys: "
            "the JWT uri is built from the base URL minus 'https://', so a plain-HTTP or port-bearing base URL puts "
            "'http://' and the port into the signed uri; urls keep https://api.coinbase.com and the request goes "
            "through the 'session' config (a requests.Session with a LoopbackAdapter)"
        )

        def all_urls(exchange, url):
            return {name: url for name in exchange.urls["api"]}

        def okx_ccxt(creds, demo):
            exchange = ccxt.okx(
                {"apiKey": creds["api_key"], "secret": creds["secret"], "password": creds["passphrase"]}
            )
            if demo:
                exchange.set_sandbox_mode(True)  # adds x-simulated-trading: 1
            exchange.urls["api"] = {"rest": base}
            return exchange

        for label, creds, demo in (("OKX live", okx_live, False), ("OKX demo", okx_demo, True)):
            sandbox = "set_sandbox_mode(True); " if demo else ""
            case(
                sdk,
                label,
                f"okx: {sandbox}private_get_account_balance({{'ccy': 'BTC'}})",
                "GET",
                "/api/v5/account/balance?ccy=BTC",
            )(lambda creds=creds, demo=demo: okx_ccxt(creds, demo).private_get_account_balance({"ccy": "BTC"}))
            case(sdk, label, f"okx: {sandbox}private_post_trade_order({{...}})", "POST", "/api/v5/trade/order")(
                lambda creds=creds, demo=demo: okx_ccxt(creds, demo).private_post_trade_order(okx_order())
            )
        case(
            sdk,
            "OKX live",
            "okx: request('account/balance', ['private'], 'get', {'ccy': 'BTC'})",
            "GET",
            "/api/v5/account/balance",
            reject(
                "50113",
                "lower-case method: ccxt signs 'get' as given (and, since 'get' != 'GET', moves the "
                "parameters into a JSON body); requests sends GET",
                mistake="method-lowercase",
                named_by_server=False,
            ),
        )(lambda: okx_ccxt(okx_live, False).request("account/balance", ["private"], "get", {"ccy": "BTC"}))

        def kucoin_ccxt(creds):
            exchange = ccxt.kucoin(
                {"apiKey": creds["api_key"], "secret": creds["secret"], "password": creds["passphrase"]}
            )
            exchange.urls["api"] = all_urls(exchange, base)
            return exchange

        for v in (2, 3):
            creds = kc[v]
            case(
                sdk,
                f"KuCoin v{v}",
                "kucoin: private_get_accounts({'currency': 'USDT', 'type': 'trade'})",
                "GET",
                "/api/v1/accounts?currency=USDT&type=trade",
            )(lambda creds=creds: kucoin_ccxt(creds).private_get_accounts({"currency": "USDT", "type": "trade"}))
            case(sdk, f"KuCoin v{v}", "kucoin: private_post_orders({...})", "POST", "/api/v1/orders")(
                lambda creds=creds: kucoin_ccxt(creds).private_post_orders(kucoin_order())
            )
        case(
            sdk,
            "KuCoin v3",
            "kucoin: private_get_accounts({'currency': 'USDT', 'type': 'a b'})",
            "GET",
            "/api/v1/accounts?currency=USDT&type=a%20b",
            accept(
                "ccxt signs and puts the raw 'a b' in the URL, requests percent-encodes the space, and KuCoin "
                "verifies the decoded query: a space survives (AUTH.md says ccxt breaks on spaces; not in Python)"
            ),
        )(lambda: kucoin_ccxt(kc[3]).private_get_accounts({"currency": "USDT", "type": "a b"}))
        case(
            sdk,
            "KuCoin v3",
            "kucoin: private_delete_sub_api_key({'apiKey': '67b3', 'subName': 'test', 'passphrase': 'abc!@#11'})",
            "DELETE",
            "/api/v1/sub/api-key?apiKey=67b3&subName=test&passphrase=abc!@",
            reject(
                "400005",
                "ccxt puts the unencoded query on the wire (AUTH.md section 5): the HTTP client cuts the URL "
                "at '#', so the server never sees '#11' that was signed",
            ),
        )(
            lambda: kucoin_ccxt(kc[3]).private_delete_sub_api_key(
                {"apiKey": "67b3", "subName": "test", "passphrase": "abc!@#11"}
            )
        )
        case(
            sdk,
            "KuCoin v3",
            "kucoin: private_delete_sub_api_key({'apiKey': '67b3', 'subName': 'test', 'passphrase': 'abc+11'})",
            "DELETE",
            "/api/v1/sub/api-key?apiKey=67b3&subName=test&passphrase=abc+11",
            reject(
                "400005",
                "ccxt puts the unencoded query on the wire: KuCoin decodes the '+' it receives as a space "
                "(form decoding), so it verifies 'abc 11' where ccxt signed 'abc+11'",
                mistake="query-signed-encoded",
            ),
        )(
            lambda: kucoin_ccxt(kc[3]).private_delete_sub_api_key(
                {"apiKey": "67b3", "subName": "test", "passphrase": "abc+11"}
            )
        )
        case(
            sdk,
            "KuCoin v1",
            "kucoin: private_get_accounts({'currency': 'USDT', 'type': 'trade'})",
            "GET",
            "/api/v1/accounts?currency=USDT&type=trade",
            reject(
                "400004",
                "ccxt hard-codes KC-API-KEY-VERSION: 2 and the HMAC'd passphrase: it cannot use a v1 key "
                "(v1 keys were retired in 2021)",
                mistake="kucoin-key-version-mismatch",
            ),
        )(lambda: kucoin_ccxt(kc[1]).private_get_accounts({"currency": "USDT", "type": "trade"}))

        def delta_ccxt():
            exchange = ccxt.delta({"apiKey": delta["api_key"], "secret": delta["secret"]})
            exchange.urls["api"] = all_urls(exchange, base)
            return exchange

        case(
            sdk,
            "Delta",
            "delta: private_get_orders({'product_id': 1, 'state': 'open'})",
            "GET",
            "/v2/orders?product_id=1&state=open",
        )(lambda: delta_ccxt().private_get_orders({"product_id": 1, "state": "open"}))
        case(sdk, "Delta", "delta: private_post_orders({...})", "POST", "/v2/orders")(
            lambda: delta_ccxt().private_post_orders(
                {"order_type": "limit_order", "size": 3, "side": "buy", "limit_price": "0.0005", "product_id": 16}
            )
        )
        case(
            sdk,
            "Delta",
            "delta: request('orders', ['private'], 'get', {'product_id': 1})",
            "GET",
            "/v2/orders",
            reject(
                "Signature Mismatch",
                "lower-case method: ccxt signs 'get' as given (and moves the parameters into a "
                "JSON body); requests sends GET",
                mistake="method-lowercase",
                named_by_server=False,
            ),
        )(lambda: delta_ccxt().request("orders", ["private"], "get", {"product_id": 1}))

        def cbx_ccxt():
            exchange = ccxt.coinbaseexchange(
                {"apiKey": cbx["api_key"], "secret": cbx["secret"], "password": cbx["passphrase"]}
            )
            exchange.urls["api"] = all_urls(exchange, base)
            return exchange

        case(
            sdk,
            "Coinbase Exchange",
            "coinbaseexchange: private_get_orders({'status': 'done', 'limit': 2})",
            "GET",
            "/orders?status=done&limit=2",
        )(lambda: cbx_ccxt().private_get_orders({"status": "done", "limit": 2}))
        case(sdk, "Coinbase Exchange", "coinbaseexchange: private_post_orders({...})", "POST", "/orders")(
            lambda: cbx_ccxt().private_post_orders(
                {"product_id": "BTC-USD", "side": "buy", "type": "limit", "price": "1.0", "size": "1.0"}
            )
        )

        def cb_ccxt(creds, seam):
            config = {"apiKey": creds["api_key"], "secret": creds["secret"]}
            if seam:
                config["session"] = loopback_session(base, "https://api.coinbase.com")
            exchange = ccxt.coinbase(config)
            if not seam:
                exchange.urls["api"] = {"rest": base}
            return exchange

        case(
            sdk,
            "Coinbase Advanced (legacy HMAC)",
            "coinbase: v3_private_get_brokerage_accounts({'limit': 1})",
            "GET",
            "/api/v3/brokerage/accounts?limit=1",
        )(lambda: cb_ccxt(cba, False).v3_private_get_brokerage_accounts({"limit": 1}))
        cb_order = {
            "client_order_id": "0000-1",
            "product_id": "BTC-USD",
            "side": "BUY",
            "order_configuration": {"market_market_ioc": {"quote_size": "10"}},
        }
        case(
            sdk,
            "Coinbase Advanced (legacy HMAC)",
            "coinbase: v3_private_post_brokerage_orders({...})",
            "POST",
            "/api/v3/brokerage/orders",
        )(lambda: cb_ccxt(cba, False).v3_private_post_brokerage_orders(json.loads(json.dumps(cb_order))))
        seam = "session=requests.Session with LoopbackAdapter for https://api.coinbase.com"
        # ccxt's CDP tokens differ from the official SDK's (ES256: iss "coinbase-cloud", aud, iat;
        # Ed25519: aud, iat and a "uris" array); AUTH.md section 2 records both as accepted live.
        bugs = {"ES256": ACCEPT, "Ed25519": ACCEPT}
        for kind, creds in cdp.items():
            case(
                sdk,
                f"Coinbase CDP ({kind})",
                "coinbase: v3_private_get_brokerage_accounts({'limit': 1})",
                "GET",
                "/api/v3/brokerage/accounts?limit=1",
                bugs[kind],
                seam,
            )(lambda creds=creds: cb_ccxt(creds, True).v3_private_get_brokerage_accounts({"limit": 1}))
            case(
                sdk,
                f"Coinbase CDP ({kind})",
                "coinbase: v3_private_post_brokerage_orders({...})",
                "POST",
                "/api/v3/brokerage/orders",
                bugs[kind],
                seam,
            )(
                lambda creds=creds: cb_ccxt(creds, True).v3_private_post_brokerage_orders(
                    json.loads(json.dumps(cb_order))
                )
            )

    # ---- kucoin-universal-sdk (official) -------------------------------------------------------
    def setup_kucoin_universal_sdk() -> None:
        from kucoin_universal_sdk.api.client import DefaultClient
        from kucoin_universal_sdk.generate.account.account.model_get_spot_account_list_req import (
            GetSpotAccountListReq,
            GetSpotAccountListReqBuilder,
        )
        from kucoin_universal_sdk.generate.account.subaccount.model_delete_sub_account_api_req import (
            DeleteSubAccountApiReqBuilder,
        )
        from kucoin_universal_sdk.generate.spot.order.model_add_order_req import AddOrderReq, AddOrderReqBuilder
        from kucoin_universal_sdk.model.client_option import ClientOptionBuilder
        from kucoin_universal_sdk.model.transport_option import TransportOptionBuilder

        sdk = "kucoin-universal-sdk"
        SDK_NOTES[sdk] = (
            "ClientOptionBuilder().set_spot_endpoint(BASE_URL) (its base URL option); always sends "
            "KC-API-KEY-VERSION: 3 with the HMAC'd passphrase, so it serves v2 and v3 keys"
        )

        def universal(creds):
            option = (
                ClientOptionBuilder()
                .set_key(creds["api_key"])
                .set_secret(creds["secret"])
                .set_passphrase(creds["passphrase"])
                .set_spot_endpoint(base)
                .set_futures_endpoint(base)
                .set_broker_endpoint(base)
                .set_transport_option(TransportOptionBuilder().set_max_retries(0).build())
                .build()
            )
            return DefaultClient(option).rest_service()

        def accounts_req():
            return (
                GetSpotAccountListReqBuilder()
                .set_currency("USDT")
                .set_type(GetSpotAccountListReq.TypeEnum.TRADE)
                .build()
            )

        def order_req():
            return (
                AddOrderReqBuilder()
                .set_client_oid(str(uuid.uuid4()))
                .set_side(AddOrderReq.SideEnum.BUY)
                .set_symbol("BTC-USDT")
                .set_type(AddOrderReq.TypeEnum.LIMIT)
                .set_price("30000")
                .set_size("0.0001")
                .build()
            )

        for v in (2, 3):
            creds = kc[v]
            case(
                sdk,
                f"KuCoin v{v}",
                "account API get_spot_account_list(currency='USDT', type=trade)",
                "GET",
                "/api/v1/accounts?currency=USDT&type=trade",
            )(
                lambda creds=creds: (
                    universal(creds).get_account_service().get_account_api().get_spot_account_list(accounts_req())
                )
            )
            case(sdk, f"KuCoin v{v}", "spot order API add_order(...)", "POST", "/api/v1/hf/orders")(
                lambda creds=creds: universal(creds).get_spot_service().get_order_api().add_order(order_req())
            )
        case(
            sdk,
            "KuCoin v3",
            "sub-account API delete_sub_account_api(api_key='67b3', sub_name='test', passphrase='abc!@#11')",
            "DELETE",
            "/api/v1/sub/api-key?apiKey=67b3&subName=test&passphrase=abc%21%40%2311",
            accept("AUTH.md's KuCoin example: the SDK signs the decoded query and sends it percent-encoded"),
        )(
            lambda: (
                universal(kc[3])
                .get_account_service()
                .get_sub_account_api()
                .delete_sub_account_api(
                    DeleteSubAccountApiReqBuilder()
                    .set_api_key("67b3")
                    .set_sub_name("test")
                    .set_passphrase("abc!@#11")
                    .build()
                )
            )
        )
        case(
            sdk,
            "KuCoin v1",
            "account API get_spot_account_list(currency='USDT', type=trade)",
            "GET",
            "/api/v1/accounts?currency=USDT&type=trade",
            reject(
                "400004",
                "the SDK has no v1 mode (always KC-API-KEY-VERSION: 3 and the HMAC'd passphrase); v1 keys "
                "were retired in 2021",
                mistake="kucoin-key-version-mismatch",
            ),
        )(lambda: universal(kc[1]).get_account_service().get_account_api().get_spot_account_list(accounts_req()))

    # ---- python-kucoin (unofficial) --------------------------------------------------------
    def setup_python_kucoin() -> None:
        import kucoin.client

        sdk = "python-kucoin"
        SDK_NOTES[sdk] = (
            "client.API_URL = BASE_URL (the attribute its constructor sets; there is no base URL "
            "argument); sends the plain passphrase and no KC-API-KEY-VERSION: the v1 form"
        )

        def python_kucoin(creds):
            client = kucoin.client.Client(creds["api_key"], creds["secret"], creds["passphrase"])
            client.API_URL = base
            client.FUTURES_API_URL = base
            return client

        case(
            sdk,
            "KuCoin v1",
            "Client.get_accounts(currency='USDT', account_type='trade')",
            "GET",
            "/api/v1/accounts?currency=USDT&type=trade",
        )(lambda: python_kucoin(kc[1]).get_accounts(currency="USDT", account_type="trade"))
        case(
            sdk,
            "KuCoin v1",
            "Client.create_limit_order('BTC-USDT', 'buy', '30000', '0.0001', client_oid=...)",
            "POST",
            "/api/v1/orders",
        )(
            lambda: python_kucoin(kc[1]).create_limit_order(
                "BTC-USDT", "buy", "30000", "0.0001", client_oid=str(uuid.uuid4())
            )
        )
        for v in (2, 3):
            case(
                sdk,
                f"KuCoin v{v}",
                "Client.get_accounts(currency='USDT', account_type='trade')",
                "GET",
                "/api/v1/accounts?currency=USDT&type=trade",
                reject(
                    "400004",
                    f"python-kucoin sends the clear passphrase and no KC-API-KEY-VERSION: a v{v} key needs "
                    "KC-API-KEY-VERSION and base64(HMAC(secret, passphrase))",
                    mistake="kucoin-passphrase-plain",
                    diagnosis_bug=(
                        "kucoin-key-version-mismatch",
                        "the request is the whole v1 form (plain passphrase and no version header), which the "
                        "catalogue's kucoin-passphrase-plain describes (it names python-kucoin) and `cexsign "
                        "diagnose` with the secret names. The local exchange cannot: telling the plain passphrase "
                        "from a wrong one takes HMAC(secret, passphrase sent), and it keeps no raw secret, only the "
                        "key's signer (whose MACs all start with timestamp + method + path). It names the missing "
                        "header and says the passphrase is not the HMAC'd one either (kucoin-passphrase-plain to "
                        "confirm)",
                    ),
                ),
            )(lambda v=v: python_kucoin(kc[v]).get_accounts(currency="USDT", account_type="trade"))

    # ---- delta-rest-client (official) ----------------------------------------------------------
    def setup_delta_rest_client() -> None:
        from delta_rest_client import DeltaRestClient

        sdk = "delta-rest-client"
        SDK_NOTES[sdk] = "DeltaRestClient(base_url=BASE_URL, ...); sends User-Agent: delta-rest-client-v<version>"

        def delta_client():
            return DeltaRestClient(base_url=base, api_key=delta["api_key"], api_secret=delta["secret"])

        case(
            sdk,
            "Delta",
            "get_live_orders(query={'product_id': 1, 'state': 'open'})",
            "GET",
            "/v2/orders?product_id=1&state=open",
        )(lambda: delta_client().get_live_orders(query={"product_id": 1, "state": "open"}))
        case(
            sdk,
            "Delta",
            "order_history(query={'product_ids': '27,139'}, page_size=2)",
            "GET",
            "/v2/orders/history?product_ids=27%2C139&page_size=2",
            accept("an encoded query: the SDK signs quote_plus() of each value, requests sends the same encoding"),
        )(lambda: delta_client().order_history(query={"product_ids": "27,139"}, page_size=2))
        case(
            sdk, "Delta", "place_order(product_id=16, size=3, side='buy', limit_price='0.0005')", "POST", "/v2/orders"
        )(lambda: delta_client().place_order(product_id=16, size=3, side="buy", limit_price="0.0005"))
        case(
            sdk,
            "Delta",
            "request('get', '/v2/orders', query={'product_id': 1}, auth=True)",
            "GET",
            "/v2/orders?product_id=1",
            reject(
                "Signature Mismatch",
                "lower-case method: delta-rest-client signs the method as given ('get'); requests sends GET",
                mistake="method-lowercase",
                named_by_server=False,
            ),
        )(lambda: delta_client().request("get", "/v2/orders", query={"product_id": 1}, auth=True))

    # ---- coinbase-advanced-py (official, CDP keys) ---------------------------------------------
    def setup_coinbase_advanced_py() -> None:
        from coinbase.rest import RESTClient

        sdk = "coinbase-advanced-py"
        SDK_NOTES[sdk] = (
            "cannot be pointed at plain HTTP: send_request hard-codes f'https://{base_url}{path}' and the JWT uri is "
            "f'{METHOD} {base_url}{path}', so base_url must stay a bare host (a port would be signed into the uri); "
            "seam: its public `session` attribute (requests.Session) gets a LoopbackAdapter for "
            "https://api.coinbase.com"
        )
        seam = "client.session.mount('https://api.coinbase.com', LoopbackAdapter)"

        def cdp_client(creds):
            client = RESTClient(api_key=creds["api_key"], api_secret=creds["secret"])
            client.session.trust_env = False
            client.session.mount("https://api.coinbase.com", LoopbackAdapter(base))
            return client

        for kind, creds in cdp.items():
            case(
                sdk,
                f"Coinbase CDP ({kind})",
                "RESTClient.get_accounts(limit=1)",
                "GET",
                "/api/v3/brokerage/accounts?limit=1",
                seam=seam,
            )(lambda creds=creds: cdp_client(creds).get_accounts(limit=1))
            case(
                sdk,
                f"Coinbase CDP ({kind})",
                "RESTClient.limit_order_gtc_buy(client_order_id='0000-1', "
                "product_id='BTC-USD', base_size='0.001', limit_price='10000')",
                "POST",
                "/api/v3/brokerage/orders",
                seam=seam,
            )(
                lambda creds=creds: cdp_client(creds).limit_order_gtc_buy(
                    client_order_id="0000-1", product_id="BTC-USD", base_size="0.001", limit_price="10000"
                )
            )

    # ---- cbpro (Coinbase Exchange) ------------------------------------------------------------
    def setup_cbpro() -> None:
        import cbpro

        sdk = "cbpro"
        SDK_NOTES[sdk] = (
            "AuthenticatedClient(key, b64secret, passphrase, api_url=BASE_URL); installed with --no-deps "
            "(it pins requests==2.13.0)"
        )

        def cbpro_client():
            return cbpro.AuthenticatedClient(cbx["api_key"], cbx["secret"], cbx["passphrase"], api_url=base)

        case(
            sdk,
            "Coinbase Exchange",
            "list(get_orders(product_id='BTC-USD', status='done'))",
            "GET",
            "/orders?product_id=BTC-USD&status=done",
        )(lambda: list(cbpro_client().get_orders(product_id="BTC-USD", status="done")))
        case(sdk, "Coinbase Exchange", "place_limit_order('BTC-USD', 'buy', '1.0', '1.0')", "POST", "/orders")(
            lambda: cbpro_client().place_limit_order("BTC-USD", "buy", "1.0", "1.0")
        )

    # ---- coinbasepro (Coinbase Exchange) ------------------------------------------------------
    def setup_coinbasepro() -> None:
        import coinbasepro

        sdk = "coinbasepro"
        SDK_NOTES[sdk] = "AuthenticatedClient(key, secret, passphrase, api_url=BASE_URL)"

        def coinbasepro_client():
            return coinbasepro.AuthenticatedClient(cbx["api_key"], cbx["secret"], cbx["passphrase"], api_url=base)

        case(
            sdk,
            "Coinbase Exchange",
            "list(get_orders(product_id='BTC-USD', status='done'))",
            "GET",
            "/orders?product_id=BTC-USD&status=done",
        )(lambda: list(coinbasepro_client().get_orders(product_id="BTC-USD", status="done")))
        case(sdk, "Coinbase Exchange", "place_limit_order('BTC-USD', 'buy', '1.0', '1.0')", "POST", "/orders")(
            lambda: coinbasepro_client().place_limit_order("BTC-USD", "buy", "1.0", "1.0")
        )

    # ---- CCXT: Binance, Bybit, Kraken, Bitget, Gate ---------------------------------------------
    def setup_ccxt_more() -> None:
        import ccxt

        sdk = "ccxt"

        def on_loopback(urls):
            """ccxt's API URLs with scheme and host replaced by the local exchange's (paths kept:
            Binance's are `https://api.binance.com/api/v3`, `https://fapi.binance.com/fapi/v1`, ...)."""
            if isinstance(urls, dict):
                return {name: on_loopback(url) for name, url in urls.items()}
            return base + urlsplit(urls).path if isinstance(urls, str) else urls

        def binance_ccxt(creds):
            # A PEM secret means Ed25519 or RSA signing; ccxt tells them apart by length (> 120: RSA).
            exchange = ccxt.binance({"apiKey": creds["api_key"], "secret": creds["secret"]})
            exchange.urls["api"] = on_loopback(exchange.urls["api"])
            return exchange

        for kind, creds in binance.items():
            label = f"Binance ({kind})"
            case(
                sdk,
                label,
                "binance: private_get_account({'omitZeroBalances': 'true'})",
                "GET",
                "/api/v3/account?timestamp={timestamp}&omitZeroBalances=true&recvWindow=10000&signature={signature}",
            )(lambda creds=creds: binance_ccxt(creds).private_get_account({"omitZeroBalances": "true"}))
            case(
                sdk,
                label,
                "binance: private_post_order({...})",
                "POST",
                "/api/v3/order",
                accept("the payload and the signature in the form body") if kind == "HMAC" else ACCEPT,
            )(lambda creds=creds: binance_ccxt(creds).private_post_order(dict(BINANCE_ORDER)))
            case(
                sdk,
                label,
                "binance: fapiprivatev3_get_balance()",
                "GET",
                "/fapi/v3/balance?timestamp={timestamp}&recvWindow=10000&signature={signature}",
            )(lambda creds=creds: binance_ccxt(creds).fapiprivatev3_get_balance({}))
            case(sdk, label, "binance: fapiprivate_post_order({...})", "POST", "/fapi/v1/order")(
                lambda creds=creds: binance_ccxt(creds).fapiprivate_post_order(dict(BINANCE_ORDER))
            )
        case(
            sdk,
            "Binance (HMAC)",
            f"binance: private_get_openorders({{'symbol': '{NON_ASCII_BINANCE_SYMBOL}'}})",
            "GET",
            f"/api/v3/openOrders?timestamp={{timestamp}}&symbol={NON_ASCII_BINANCE_SYMBOL_ENCODED}"
            "&recvWindow=10000&signature={signature}",
            accept("a non-ASCII symbol: signed percent-encoded, as sent (AUTH-more section 1)"),
        )(lambda: binance_ccxt(binance["HMAC"]).private_get_openorders({"symbol": NON_ASCII_BINANCE_SYMBOL}))

        def bybit_ccxt(creds):
            return ccxt_at("bybit", creds)

        for kind, creds in bybit.items():
            label = f"Bybit ({kind})"
            case(
                sdk,
                label,
                "bybit: private_get_v5_order_realtime({'category': 'linear', 'symbol': 'BTCUSDT'})",
                "GET",
                "/v5/order/realtime?category=linear&symbol=BTCUSDT",
            )(
                lambda creds=creds: bybit_ccxt(creds).private_get_v5_order_realtime(
                    {"category": "linear", "symbol": "BTCUSDT"}
                )
            )
            case(
                sdk,
                label,
                "bybit: private_post_v5_order_create({...})",
                "POST",
                "/v5/order/create",
                accept("compact JSON (pybit sends json.dumps' spaces): either is right when signed as sent")
                if kind == "HMAC"
                else ACCEPT,
            )(lambda creds=creds: bybit_ccxt(creds).private_post_v5_order_create(dict(BYBIT_ORDER)))
        case(
            sdk,
            "Bybit (HMAC)",
            f"bybit: private_get_v5_order_history({{'category': 'linear', 'limit': 2, 'cursor': '{BYBIT_CURSOR}'}})",
            "GET",
            f"/v5/order/history?category=linear&limit=2&cursor={BYBIT_CURSOR}",
            accept("a nextPageCursor as Bybit returns it, already percent-encoded: passed back and signed verbatim"),
        )(
            lambda: bybit_ccxt(bybit["HMAC"]).private_get_v5_order_history(
                {"category": "linear", "limit": 2, "cursor": BYBIT_CURSOR}
            )
        )

        def kraken_ccxt():
            return ccxt_at("kraken", kraken["ccxt"])

        case(
            sdk,
            "Kraken (ccxt)",
            f"kraken: private_post_queryorders({{'txid': '{KRAKEN_TXIDS}', 'trades': True}})",
            "POST",
            "/0/private/QueryOrders",
            accept("form body with the nonce first and a %2C comma, hashed as sent"),
        )(lambda: kraken_ccxt().private_post_queryorders({"txid": KRAKEN_TXIDS, "trades": True}))
        case(sdk, "Kraken (ccxt)", "kraken: private_post_addorder({...})", "POST", "/0/private/AddOrder")(
            lambda: kraken_ccxt().private_post_addorder(dict(KRAKEN_ORDER))
        )
        case(
            sdk,
            "Kraken (ccxt)",
            "kraken: private_post_cancelorderbatch({'orders': [...]})",
            "POST",
            "/0/private/CancelOrderBatch",
            accept("a JSON body (ccxt sends CancelOrderBatch as JSON), Content-Type application/json"),
        )(lambda: kraken_ccxt().private_post_cancelorderbatch({"orders": list(KRAKEN_BATCH)}))

        def bitget_ccxt():
            return ccxt_at("bitget", bitget, password=bitget["passphrase"])

        case(
            sdk,
            "Bitget",
            "bitget: private_mix_get_v2_mix_account_account({'symbol': 'BTCUSDT', 'productType': 'USDT-FUTURES', "
            "'marginCoin': 'USDT'})",
            "GET",
            "/api/v2/mix/account/account?marginCoin=USDT&productType=USDT-FUTURES&symbol=BTCUSDT",
            accept("ccxt sorts the query by name, in the URL and the prehash alike"),
        )(
            lambda: bitget_ccxt().private_mix_get_v2_mix_account_account(
                {"symbol": "BTCUSDT", "productType": "USDT-FUTURES", "marginCoin": "USDT"}
            )
        )
        case(
            sdk,
            "Bitget",
            f"bitget: private_mix_get_v2_mix_account_account({{'symbol': '{NON_ASCII_BITGET_SYMBOL}', ...}})",
            "GET",
            "/api/v2/mix/account/account?marginCoin=USDT&productType=USDT-FUTURES"
            f"&symbol={NON_ASCII_BITGET_SYMBOL_ENCODED}",
            accept(
                "sent percent-encoded, signed decoded (symbol=龙虾USDT): ccxt 4.5.90 has the fix of ccxt PR 28890 "
                "(issue 28888, 40009 for the encoded prehash)"
            ),
        )(
            lambda: bitget_ccxt().private_mix_get_v2_mix_account_account(
                {"symbol": NON_ASCII_BITGET_SYMBOL, "productType": "USDT-FUTURES", "marginCoin": "USDT"}
            )
        )
        case(
            sdk,
            "Bitget",
            "bitget: private_spot_get_v2_spot_trade_orderinfo({'clientOid': 'vg:0001'})",
            "GET",
            "/api/v2/spot/trade/orderInfo?clientOid=vg%3A0001",
            accept("a ':' in a client id: sent as %3A, signed decoded"),
        )(lambda: bitget_ccxt().private_spot_get_v2_spot_trade_orderinfo({"clientOid": "vg:0001"}))
        case(
            sdk,
            "Bitget",
            "bitget: private_spot_post_v2_spot_trade_place_order({...})",
            "POST",
            "/api/v2/spot/trade/place-order",
        )(lambda: bitget_ccxt().private_spot_post_v2_spot_trade_place_order(dict(BITGET_ORDER)))

        def gate_ccxt():
            exchange = ccxt.gate({"apiKey": gate["api_key"], "secret": gate["secret"]})
            exchange.urls["api"] = on_loopback(exchange.urls["api"])
            return exchange

        case(
            sdk,
            "Gate",
            "gate: private_spot_get_batch_fee({'currency_pairs': 'BTC_USDT,ETH_USDT'})",
            "GET",
            "/api/v4/spot/batch_fee?currency_pairs=BTC_USDT%2CETH_USDT",
            accept("AUTH-more's Gate example: sent with %2C, signed decoded (currency_pairs=BTC_USDT,ETH_USDT)"),
        )(lambda: gate_ccxt().private_spot_get_batch_fee({"currency_pairs": "BTC_USDT,ETH_USDT"}))
        case(
            sdk,
            "Gate",
            "gate: private_futures_get_settle_orders({'settle': 'usdt', 'contract': 'BTC_USDT', "
            "'status': 'finished', 'limit': 50})",
            "GET",
            "/api/v4/futures/usdt/orders?contract=BTC_USDT&status=finished&limit=50",
        )(
            lambda: gate_ccxt().private_futures_get_settle_orders(
                {"settle": "usdt", "contract": "BTC_USDT", "status": "finished", "limit": 50}
            )
        )
        case(sdk, "Gate", "gate: private_spot_post_orders({...})", "POST", "/api/v4/spot/orders")(
            lambda: gate_ccxt().private_spot_post_orders(dict(GATE_ORDER))
        )

    # ---- python-binance (unofficial) -----------------------------------------------------------
    def setup_python_binance() -> None:
        from binance.client import Client  # binance-connector shares the `binance` package

        sdk = "python-binance"
        SDK_NOTES[sdk] = (
            "Client(..., ping=False), then client.API_URL = BASE_URL + '/api' and client.FUTURES_URL = BASE_URL + "
            "'/fapi' (the attributes its constructor formats; there is no base URL argument); private_key=PEM for "
            "Ed25519/RSA keys. Shares the `binance` package with binance-connector (different modules: imported "
            "as binance.client)"
        )

        def client(creds):
            if creds["key_type"] == "HMAC":
                result = Client(creds["api_key"], creds["secret"], ping=False)
            else:
                result = Client(creds["api_key"], private_key=creds["secret"], ping=False)
            result.API_URL = base + "/api"
            result.FUTURES_URL = base + "/fapi"
            return result

        for kind, creds in binance.items():
            label = f"Binance ({kind})"
            case(
                sdk,
                label,
                "Client.get_account(omitZeroBalances='true')",
                "GET",
                "/api/v3/account?omitZeroBalances=true&recvWindow=10000&timestamp={timestamp}&signature={signature}",
                accept("parameters sorted by name, the signature appended last (percent-encoded when base64)"),
            )(lambda creds=creds: client(creds).get_account(omitZeroBalances="true"))
            case(
                sdk,
                label,
                "Client.order_limit_buy(symbol='BTCUSDT', quantity='0.001', price='30000')",
                "POST",
                "/api/v3/order",
                accept("the payload and the signature in the form body"),
            )(lambda creds=creds: client(creds).order_limit_buy(symbol="BTCUSDT", quantity="0.001", price="30000"))
            case(
                sdk,
                label,
                "Client.futures_account_balance()",
                "GET",
                "/fapi/v3/balance?recvWindow=10000&timestamp={timestamp}&signature={signature}",
            )(lambda creds=creds: client(creds).futures_account_balance())
            case(
                sdk,
                label,
                "Client.futures_create_order(symbol='BTCUSDT', side='BUY', type='LIMIT', ...)",
                "POST",
                "/fapi/v1/order",
            )(
                lambda creds=creds: client(creds).futures_create_order(
                    symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001", price="30000"
                )
            )
        case(
            sdk,
            "Binance (HMAC)",
            f"Client.get_open_orders(symbol='{NON_ASCII_BINANCE_SYMBOL}')",
            "GET",
            f"/api/v3/openOrders?recvWindow=10000&symbol={NON_ASCII_BINANCE_SYMBOL_ENCODED}"
            "&timestamp={timestamp}&signature={signature}",
            accept(
                "a non-ASCII symbol: python-binance percent-encodes the symbol before signing (its fix of issue "
                "1617, PR 1618), as Binance requires"
            ),
        )(lambda: client(binance["HMAC"]).get_open_orders(symbol=NON_ASCII_BINANCE_SYMBOL))
        case(
            sdk,
            "Binance (HMAC)",
            "Client.get_order(symbol='BTCUSDT', origClientOrderId='grid:1/a')",
            "GET",
            "/api/v3/order?origClientOrderId=grid:1/a&recvWindow=10000&symbol=BTCUSDT"
            "&timestamp={timestamp}&signature={signature}",
            accept("on GET the raw string it signed is the URL's query too: ':' and '/' travel unencoded"),
        )(lambda: client(binance["HMAC"]).get_order(symbol="BTCUSDT", origClientOrderId="grid:1/a"))
        case(
            sdk,
            "Binance (HMAC)",
            "Client.order_limit_buy(symbol='BTCUSDT', quantity='0.001', price='30000', newClientOrderId='grid:1/a')",
            "POST",
            "/api/v3/order",
            reject(
                "-1022",
                "python-binance signs its sorted parameters joined raw (newClientOrderId=grid:1/a; only `symbol` is "
                "percent-encoded) but hands requests the pairs, which form-encodes them "
                "(newClientOrderId=grid%3A1%2Fa): Binance verifies the body as received. ':' and '/' are allowed in "
                "Binance client order ids (^[.A-Z:/a-z0-9_-]{1,36}$). The catalogue names it "
                "query-signed-unencoded ('the query or the form body signed decoded'), which comes before "
                "form-body-reencoded: `cexsign diagnose` with the secret names the same",
                mistake="query-signed-unencoded",
            ),
        )(
            lambda: client(binance["HMAC"]).order_limit_buy(
                symbol="BTCUSDT", quantity="0.001", price="30000", newClientOrderId="grid:1/a"
            )
        )

    # ---- binance-connector (official, spot) ----------------------------------------------------
    def setup_binance_connector() -> None:
        from binance.spot import Spot

        sdk = "binance-connector"
        SDK_NOTES[sdk] = (
            "Spot(api_key, api_secret | private_key=PEM, base_url=BASE_URL) (its base URL option); spot only "
            "(USDⓈ-M is the separate binance-futures-connector); the payload and the signature always in the query"
        )

        def spot(creds):
            if creds["key_type"] == "HMAC":
                return Spot(api_key=creds["api_key"], api_secret=creds["secret"], base_url=base)
            return Spot(api_key=creds["api_key"], private_key=creds["secret"], base_url=base)

        for kind, creds in binance.items():
            label = f"Binance ({kind})"
            case(
                sdk,
                label,
                "Spot.account(omitZeroBalances='true')",
                "GET",
                "/api/v3/account?omitZeroBalances=true&timestamp={timestamp}&signature={signature}",
            )(lambda creds=creds: spot(creds).account(omitZeroBalances="true"))
            case(
                sdk,
                label,
                "Spot.new_order(symbol='BTCUSDT', side='BUY', type='LIMIT', ...)",
                "POST",
                "/api/v3/order?symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=30000"
                "&timestamp={timestamp}&signature={signature}",
                accept("a POST signed in the query, with an empty body"),
            )(lambda creds=creds: spot(creds).new_order(**BINANCE_ORDER))
        case(
            sdk,
            "Binance (HMAC)",
            f"Spot.get_open_orders(symbol='{NON_ASCII_BINANCE_SYMBOL}')",
            "GET",
            f"/api/v3/openOrders?symbol={NON_ASCII_BINANCE_SYMBOL_ENCODED}"
            "&timestamp={timestamp}&signature={signature}",
            accept("a non-ASCII symbol, signed percent-encoded"),
        )(lambda: spot(binance["HMAC"]).get_open_orders(symbol=NON_ASCII_BINANCE_SYMBOL))

    # ---- binance-sdk-spot (official, binance-common) -------------------------------------------
    def setup_binance_sdk_spot() -> None:
        from binance_common.configuration import ConfigurationRestAPI
        from binance_sdk_spot.rest_api.models import NewOrderSideEnum, NewOrderTimeInForceEnum, NewOrderTypeEnum
        from binance_sdk_spot.spot import Spot

        sdk = "binance-sdk-spot"
        SDK_NOTES[sdk] = (
            "Spot(config_rest_api=ConfigurationRestAPI(api_key, api_secret | private_key=PEM, base_path=BASE_URL, "
            "retries=0)).rest_api (its base URL option); signs in binance-common 4.6.0; the payload and the "
            "signature in the query"
        )

        def rest(creds):
            options = dict(api_key=creds["api_key"], base_path=base, retries=0)
            if creds["key_type"] == "HMAC":
                options["api_secret"] = creds["secret"]
            else:
                options["private_key"] = creds["secret"]
            return Spot(config_rest_api=ConfigurationRestAPI(**options)).rest_api

        for kind, creds in binance.items():
            label = f"Binance ({kind})"
            case(
                sdk,
                label,
                "rest_api.get_account(omit_zero_balances=True)",
                "GET",
                "/api/v3/account?omitZeroBalances=true&timestamp={timestamp}&signature={signature}",
            )(lambda creds=creds: rest(creds).get_account(omit_zero_balances=True))
            case(
                sdk,
                label,
                "rest_api.new_order(symbol='BTCUSDT', side=BUY, type=LIMIT, time_in_force=GTC, quantity=0.001, "
                "price=30000.0)",
                "POST",
                "/api/v3/order?symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=30000.0"
                "&timestamp={timestamp}&signature={signature}",
            )(
                lambda creds=creds: rest(creds).new_order(
                    symbol="BTCUSDT",
                    side=NewOrderSideEnum.BUY,
                    type=NewOrderTypeEnum.LIMIT,
                    time_in_force=NewOrderTimeInForceEnum.GTC,
                    quantity=0.001,
                    price=30000.0,
                )
            )
        case(
            sdk,
            "Binance (HMAC)",
            f"rest_api.get_open_orders(symbol='{NON_ASCII_BINANCE_SYMBOL}')",
            "GET",
            f"/api/v3/openOrders?symbol={NON_ASCII_BINANCE_SYMBOL_ENCODED}"
            "&timestamp={timestamp}&signature={signature}",
            accept("a non-ASCII symbol, signed percent-encoded"),
        )(lambda: rest(binance["HMAC"]).get_open_orders(symbol=NON_ASCII_BINANCE_SYMBOL))

    # ---- pybit (official) ----------------------------------------------------------------------
    def setup_pybit() -> None:
        from pybit.unified_trading import HTTP

        sdk = "pybit"
        SDK_NOTES[sdk] = (
            "cannot be pointed at plain HTTP: its endpoint is built as https://api.{domain}.{tld}; seam: its public "
            "`client` attribute (requests.Session) gets a LoopbackAdapter for https://api.bybit.com; max_retries=1; "
            "sends X-BAPI-SIGN-TYPE: 2 also for HMAC keys"
        )
        seam = "session.client.mount('https://api.bybit.com', LoopbackAdapter)"

        def http(creds):
            session = HTTP(
                api_key=creds["api_key"],
                api_secret=creds["secret"],
                rsa_authentication=creds["key_type"] == "RSA",
                max_retries=1,
            )
            session.client.trust_env = False
            session.client.mount("https://api.bybit.com", LoopbackAdapter(base))
            return session

        for kind, creds in bybit.items():
            label = f"Bybit ({kind})"
            case(
                sdk,
                label,
                "HTTP.get_open_orders(category='linear', symbol='BTCUSDT')",
                "GET",
                "/v5/order/realtime?category=linear&symbol=BTCUSDT",
                seam=seam,
            )(lambda creds=creds: http(creds).get_open_orders(category="linear", symbol="BTCUSDT"))
            case(
                sdk,
                label,
                "HTTP.place_order(category='spot', symbol='BTCUSDT', side='Buy', orderType='Limit', ...)",
                "POST",
                "/v5/order/create",
                accept("json.dumps' spaced body, signed as sent") if kind == "HMAC" else ACCEPT,
                seam,
            )(lambda creds=creds: http(creds).place_order(**BYBIT_ORDER))
        case(
            sdk,
            "Bybit (HMAC)",
            f"HTTP.get_order_history(category='linear', limit=2, cursor='{BYBIT_CURSOR}')",
            "GET",
            f"/v5/order/history?category=linear&cursor={BYBIT_CURSOR}&limit=2",
            accept("pybit sorts the query and sends the already-encoded cursor verbatim, as it signed it"),
            seam,
        )(lambda: http(bybit["HMAC"]).get_order_history(category="linear", limit=2, cursor=BYBIT_CURSOR))

    # ---- krakenex ------------------------------------------------------------------------------
    def setup_krakenex() -> None:
        import krakenex

        sdk = "krakenex"
        SDK_NOTES[sdk] = "api.uri = BASE_URL (the attribute its constructor sets; there is no base URL argument)"

        def api(creds):
            result = krakenex.API(creds["api_key"], creds["secret"])
            result.uri = base
            return result

        own = kraken["krakenex"]
        case(
            sdk,
            "Kraken (krakenex)",
            f"query_private('QueryOrders', {{'txid': '{KRAKEN_TXIDS}', 'trades': True}})",
            "POST",
            "/0/private/QueryOrders",
            accept("form body, a %2C comma, the nonce appended last: hashed as sent"),
        )(lambda: api(own).query_private("QueryOrders", {"txid": KRAKEN_TXIDS, "trades": True}))
        case(sdk, "Kraken (krakenex)", "query_private('AddOrder', {...})", "POST", "/0/private/AddOrder")(
            lambda: api(own).query_private("AddOrder", dict(KRAKEN_ORDER))
        )
        case(
            sdk,
            "Kraken (krakenex)",
            "query_private('GetWebSocketsToken')",
            "POST",
            "/0/private/GetWebSocketsToken",
            accept("the signed REST call behind Kraken's websocket auth"),
        )(lambda: api(own).query_private("GetWebSocketsToken"))

        def kraken_sdk_first():
            from kraken.spot import User

            return User(key=kraken["shared"]["api_key"], secret=kraken["shared"]["secret"], url=base).get_orders_info(
                txid=KRAKEN_TXIDS
            )

        case(
            sdk,
            "Kraken (shared)",
            "query_private('GetWebSocketsToken') on a key python-kraken-sdk used just before",
            "POST",
            "/0/private/GetWebSocketsToken",
            reject(
                "EAPI:Invalid nonce",
                "misuse trap, not a signing bug (AUTH-more section 3, nonce regressions): python-kraken-sdk's "
                "nonces are time * 1e8 (about 1.8e17), krakenex's milliseconds (about 1.8e12); Kraken wants every "
                "nonce above the key's last one, so a key moved from python-kraken-sdk to krakenex (or ccxt) is "
                "refused until it gets a new key or a nonce window",
            ),
            prelude=kraken_sdk_first,
            prelude_call=f"python-kraken-sdk User.get_orders_info(txid='{KRAKEN_TXIDS}') on the same key",
        )(lambda: api(kraken["shared"]).query_private("GetWebSocketsToken"))

    # ---- python-kraken-sdk ---------------------------------------------------------------------
    def setup_python_kraken_sdk() -> None:
        from kraken.spot import Trade, User

        sdk = "python-kraken-sdk"
        SDK_NOTES[sdk] = (
            "User/Trade(key, secret, url=BASE_URL) (its base URL option); nonces are time * 1e8; installed next to "
            "websockets 13.1 (it asks for >=14.1; its REST clients never use it)"
        )
        own = kraken["python-kraken-sdk"]

        case(
            sdk,
            "Kraken (python-kraken-sdk)",
            f"User.get_orders_info(txid='{KRAKEN_TXIDS}')",
            "POST",
            "/0/private/QueryOrders",
            accept("form body with a %2C comma and the nonce last"),
        )(lambda: User(key=own["api_key"], secret=own["secret"], url=base).get_orders_info(txid=KRAKEN_TXIDS))
        case(
            sdk,
            "Kraken (python-kraken-sdk)",
            "Trade.create_order(ordertype='limit', side='buy', pair='XBTUSD', volume='1.25', price='37500')",
            "POST",
            "/0/private/AddOrder",
        )(
            lambda: Trade(key=own["api_key"], secret=own["secret"], url=base).create_order(
                ordertype="limit", side="buy", pair="XBTUSD", volume="1.25", price="37500"
            )
        )
        case(
            sdk,
            "Kraken (python-kraken-sdk)",
            "Trade.cancel_order_batch(orders=[...])",
            "POST",
            "/0/private/CancelOrderBatch",
            accept("a JSON body (json.dumps with its spaces, the nonce as a string), hashed as sent"),
        )(
            lambda: Trade(key=own["api_key"], secret=own["secret"], url=base).cancel_order_batch(
                orders=list(KRAKEN_BATCH)
            )
        )

    # ---- python-bitget -------------------------------------------------------------------------
    def setup_python_bitget() -> None:
        import pybitget.client

        sdk = "python-bitget"
        SDK_NOTES[sdk] = (
            "no base URL option: the module constant pybitget.client.API_URL ('https://api.bitget.com', read per "
            "request; requests.get/post module functions, so there is no session to mount an adapter on) is set to "
            "BASE_URL. Only Bitget's v1 endpoints (/api/spot/v1, /api/mix/v1), signed as v2 is; queries in the "
            "method's own order, unencoded (the HTTP client encodes what a URL cannot carry)"
        )
        seam = "pybitget.client.API_URL = BASE_URL"

        def client():
            pybitget.client.API_URL = base
            return pybitget.client.Client(bitget["api_key"], bitget["secret"], bitget["passphrase"])

        case(
            sdk,
            "Bitget",
            "Client.mix_get_accounts(productType='umcbl')",
            "GET",
            "/api/mix/v1/account/accounts?productType=umcbl",
            seam=seam,
        )(lambda: client().mix_get_accounts(productType="umcbl"))
        case(
            sdk,
            "Bitget",
            f"Client.mix_get_open_order(symbol='{NON_ASCII_BITGET_SYMBOL}_UMCBL')",
            "GET",
            f"/api/mix/v1/order/current?symbol={NON_ASCII_BITGET_SYMBOL_ENCODED}_UMCBL",
            accept("signs the unencoded symbol, which requests percent-encodes on the wire: Bitget's decoded query"),
            seam,
        )(lambda: client().mix_get_open_order(symbol=f"{NON_ASCII_BITGET_SYMBOL}_UMCBL"))
        case(
            sdk,
            "Bitget",
            "Client.spot_place_order(symbol='BTCUSDT_SPBL', quantity='0.001', side='buy', orderType='limit', ...)",
            "POST",
            "/api/spot/v1/trade/orders",
            accept("json.dumps' spaced body, signed as sent"),
            seam,
        )(
            lambda: client().spot_place_order(
                symbol="BTCUSDT_SPBL",
                quantity="0.001",
                side="buy",
                orderType="limit",
                force="normal",
                price="30000",
                clientOrderId="vg-0001",
            )
        )

    # ---- gate-api (official) -------------------------------------------------------------------
    def setup_gate_api() -> None:
        import gate_api

        sdk = "gate-api"
        SDK_NOTES[sdk] = (
            "Configuration(host=BASE_URL + '/api/v4', key, secret) (its base URL option); urllib3, not requests; "
            "Timestamp is str(time.time()), fractional seconds"
        )

        def spot():
            configuration = gate_api.Configuration(host=base + "/api/v4", key=gate["api_key"], secret=gate["secret"])
            return gate_api.SpotApi(gate_api.ApiClient(configuration))

        case(
            sdk,
            "Gate",
            "SpotApi.get_batch_spot_fee('BTC_USDT,ETH_USDT')",
            "GET",
            "/api/v4/spot/batch_fee?currency_pairs=BTC_USDT%2CETH_USDT",
            accept("sent with %2C, signed as unquote_plus(urlencode(...)): the decoded query Gate verifies"),
        )(lambda: spot().get_batch_spot_fee("BTC_USDT,ETH_USDT"))
        case(
            sdk,
            "Gate",
            "SpotApi.list_orders('BTC_USDT', 'open', page=1, limit=2)",
            "GET",
            "/api/v4/spot/orders?currency_pair=BTC_USDT&status=open&page=1&limit=2",
        )(lambda: spot().list_orders("BTC_USDT", "open", page=1, limit=2))
        case(
            sdk,
            "Gate",
            "SpotApi.create_order(Order(currency_pair='BTC_USDT', side='buy', amount='0.001', price='30000', ...))",
            "POST",
            "/api/v4/spot/orders",
            accept("a fractional Timestamp header (1700000000.123456), signed as sent"),
        )(lambda: spot().create_order(gate_api.Order(**GATE_ORDER)))

    # ---- The breadth exchanges (AUTH-breadth.md): Bitfinex, Deribit, BitMart ------------------
    BITFINEX_ORDER = {"type": "EXCHANGE LIMIT", "symbol": "tBTCUSD", "amount": "0.001", "price": "30000"}

    def setup_bitfinex_api_py() -> None:
        from bfxapi import Client

        sdk = "bitfinex-api-py"
        SDK_NOTES[sdk] = (
            "Client(api_key, api_secret, rest_host=BASE_URL + '/v2') (its base URL option); nonces in microseconds; "
            "no body at all when a call has no parameters (the prehash ends at the nonce)"
        )
        own = bitfinex["bitfinex-api-py"]

        def rest(creds):
            return Client(api_key=creds["api_key"], api_secret=creds["secret"], rest_host=base + "/v2").rest.auth

        case(
            sdk,
            "Bitfinex (bitfinex-api-py)",
            "rest.auth.get_wallets()",
            "POST",
            "/v2/auth/r/wallets",
            accept("no body: nothing follows the nonce in the prehash"),
        )(lambda: rest(own).get_wallets())
        case(
            sdk,
            "Bitfinex (bitfinex-api-py)",
            "rest.auth.submit_order(type='EXCHANGE LIMIT', symbol='tBTCUSD', amount='0.001', price='30000', cid=...)",
            "POST",
            "/v2/auth/w/order/submit",
            accept("json.dumps' spaced body, signed as sent"),
        )(
            lambda: rest(own).submit_order(
                type="EXCHANGE LIMIT", symbol="tBTCUSD", amount="0.001", price="30000", cid=next(_ORDER_IDS)
            )
        )

    def setup_ccxt_breadth() -> None:
        import ccxt

        sdk = "ccxt"

        def bitfinex_ccxt(creds):
            return ccxt_at("bitfinex", creds)

        case(
            sdk,
            "Bitfinex (ccxt)",
            "bitfinex: private_post_auth_r_wallets()",
            "POST",
            "/v2/auth/r/wallets",
            accept("ccxt always sends a JSON object, here '{}', and signs it"),
        )(lambda: bitfinex_ccxt(bitfinex["ccxt"]).private_post_auth_r_wallets())
        case(sdk, "Bitfinex (ccxt)", "bitfinex: private_post_auth_w_order_submit({...})", "POST", "/v2/auth/w/order/submit")(
            lambda: bitfinex_ccxt(bitfinex["ccxt"]).private_post_auth_w_order_submit(
                dict(BITFINEX_ORDER, cid=next(_ORDER_IDS))
            )
        )

        def bitfinex_sdk_first():
            from bfxapi import Client

            shared = bitfinex["shared"]
            return Client(api_key=shared["api_key"], api_secret=shared["secret"], rest_host=base + "/v2").rest.auth.get_wallets()

        case(
            sdk,
            "Bitfinex (shared)",
            "bitfinex: private_post_auth_r_wallets() on a key bitfinex-api-py used just before",
            "POST",
            "/v2/auth/r/wallets",
            reject(
                "10114",
                "misuse trap, not a signing bug (AUTH-breadth section 2): bitfinex-api-py's nonces are microseconds, "
                "ccxt's milliseconds; Bitfinex wants every nonce above the key's last one, so a key moved from the SDK "
                "to ccxt is refused ('nonce: small') until it gets a new key",
            ),
            prelude=bitfinex_sdk_first,
            prelude_call="bitfinex-api-py rest.auth.get_wallets() on the same key",
        )(lambda: bitfinex_ccxt(bitfinex["shared"]).private_post_auth_r_wallets())

        def deribit_ccxt():
            return ccxt_at("deribit", deribit)

        case(
            sdk,
            "Deribit",
            "deribit: private_get_get_account_summary({'currency': 'BTC'})",
            "GET",
            "/api/v2/private/get_account_summary?currency=BTC",
            accept("the URI with its query, the nonce equal to the timestamp"),
        )(lambda: deribit_ccxt().private_get_get_account_summary({"currency": "BTC"}))
        case(
            sdk,
            "Deribit",
            "deribit: private_get_buy({... 'label': 'vg bot #1 ✓'})",
            "GET",
            "/api/v2/private/buy?instrument_name=BTC-PERPETUAL&amount=10&type=limit&price=64250.5"
            "&label={label}",
            accept("a label with spaces, '#' and non-ASCII: the URI signed as sent"),
        )(
            lambda: deribit_ccxt().private_get_buy(
                {
                    "instrument_name": "BTC-PERPETUAL",
                    "amount": 10,
                    "type": "limit",
                    "price": 64250.5,
                    "label": f"vg bot #{next(_ORDER_IDS)} \u2713",
                }
            )
        )
        case(
            sdk,
            "Deribit",
            "deribit.request('get_open_orders_by_currency', ['private'], 'get', {'currency': 'BTC'})",
            "GET",
            "/api/v2/private/get_open_orders_by_currency?currency=BTC",
            reject(
                "13009",
                "ccxt signs the method as given (AUTH-breadth section 5): called with 'get', it signs 'get' where "
                "Deribit signs 'GET'",
                mistake="method-lowercase",
            ),
        )(lambda: deribit_ccxt().request("get_open_orders_by_currency", ["private"], "get", {"currency": "BTC"}))

    def setup_typed_deribit() -> None:
        import asyncio

        from typed_deribit.core.transport.http import HmacHttpRpcClient
        from typed_deribit.core.auth import Credentials as DeribitCredentials

        sdk = "typed-deribit"
        SDK_NOTES[sdk] = (
            "HmacHttpRpcClient(base_url=BASE_URL + '/api/v2', credentials=...) (its base URL field); httpx "
            "(async); JSON-RPC POST bodies signed as sent with the client_signature HTTP header"
        )

        def call(method, params):
            async def run():
                client = HmacHttpRpcClient(
                    base_url=base + "/api/v2", credentials=DeribitCredentials(deribit["api_key"], deribit["secret"])
                )
                async with client:
                    return await client.authed_request(method, params=params, validate=False)

            return asyncio.run(run())

        case(
            sdk,
            "Deribit",
            "HmacHttpRpcClient.authed_request('private/get_open_orders_by_currency', {'currency': 'BTC'})",
            "POST",
            "/api/v2/private/get_open_orders_by_currency",
            accept("a JSON-RPC body (json.dumps' spaces), the URI without a query"),
        )(lambda: call("private/get_open_orders_by_currency", {"currency": "BTC"}))

    def setup_bitmart_ccxt() -> None:
        # The `bitmart` distribution is ccxt's single-exchange build: importing it points
        # sys.modules['ccxt'] at its own copy of ccxt, whose modules then import `ccxt.*`. The real
        # ccxt's modules are set aside while it loads and put back afterwards.
        import sys as _sys

        real_ccxt = {name: module for name, module in _sys.modules.items() if name == "ccxt" or name.startswith("ccxt.")}
        for name in real_ccxt:
            del _sys.modules[name]
        try:
            # bitmart-python-sdk-api installs into the same `bitmart` package and may have written its
            # __init__ last, so the vendored ccxt is loaded by its own module path either way.
            import bitmart.ccxt as vendored_ccxt

            _sys.modules["ccxt"] = vendored_ccxt
            from bitmart.ccxt import bitmart as BitmartSync
        finally:
            for name in [name for name in _sys.modules if name == "ccxt" or name.startswith("ccxt.")]:
                del _sys.modules[name]
            _sys.modules.update(real_ccxt)

        sdk = "bitmart"
        SDK_NOTES[sdk] = "ccxt's BitMart build: urls['api'] spot and swap = BASE_URL; the memo is ccxt's `uid`"

        def exchange():
            result = BitmartSync({"apiKey": bitmart["api_key"], "secret": bitmart["secret"], "uid": bitmart["passphrase"]})
            result.urls["api"] = {name: base for name in result.urls["api"]}
            return result

        case(
            sdk,
            "BitMart",
            "private_get_account_v1_wallet({'currency': 'BTC,ETH'})",
            "GET",
            "/account/v1/wallet?currency=BTC%2CETH",
            accept("a GET signs its query as sent (without '?', the comma as %2C) as the payload"),
        )(lambda: exchange().private_get_account_v1_wallet({"currency": "BTC,ETH"}))
        case(
            sdk,
            "BitMart",
            "private_get_contract_private_position({'symbol': 'BTCUSDT'})",
            "GET",
            "/contract/private/position?symbol=BTCUSDT",
            accept("a futures GET, same rule"),
        )(lambda: exchange().private_get_contract_private_position({"symbol": "BTCUSDT"}))
        case(
            sdk,
            "BitMart",
            "private_post_spot_v2_submit_order({...})",
            "POST",
            "/spot/v2/submit_order",
        )(
            lambda: exchange().private_post_spot_v2_submit_order(
                {
                    "symbol": "BTC_USDT",
                    "side": "buy",
                    "type": "limit",
                    "size": "0.0015",
                    "price": "30000",
                    "client_order_id": f"vgbm{next(_ORDER_IDS)}",
                }
            )
        )

    def setup_bitmart_python_sdk_api() -> None:
        from bitmart.api_spot import APISpot

        sdk = "bitmart-python-sdk-api"
        SDK_NOTES[sdk] = (
            "APISpot(api_key, secret_key, memo, url=BASE_URL) (its base URL option). Its private GETs are all KEYED "
            "(X-BM-KEY only, no signature), so only its SIGNED POSTs are driven; the GET-signing bug AUTH-breadth "
            "records (an empty payload signed for a GET) has no SIGNED GET to show it in 2.8.0"
        )

        def spot():
            return APISpot(bitmart["api_key"], bitmart["secret"], bitmart["passphrase"], url=base)

        case(
            sdk,
            "BitMart",
            "APISpot.post_submit_order(symbol='BTC_USDT', side='buy', type='limit', size='0.0015', price='30000', ...)",
            "POST",
            "/spot/v2/submit_order",
            accept("json.dumps' spaced body, signed as sent"),
        )(
            lambda: spot().post_submit_order(
                symbol="BTC_USDT",
                side="buy",
                type="limit",
                client_order_id=f"vgbmsdk{next(_ORDER_IDS)}",
                size="0.0015",
                price="30000",
            )
        )


    # ---- Kraken Futures: ccxt and python-kraken-sdk ----------------------------------------------
    kraken_futures = {who: accounts[f"Kraken Futures ({who})"] for who in ("ccxt", "python-kraken-sdk")}

    def setup_ccxt_kraken_futures() -> None:
        import ccxt

        sdk = "ccxt"
        own = kraken_futures["ccxt"]

        def krakenfutures():
            exchange = ccxt.krakenfutures({"apiKey": own["api_key"], "secret": own["secret"]})
            exchange.urls["api"] = {
                name: base + urlsplit(url).path if isinstance(url, str) else url
                for name, url in exchange.urls["api"].items()
            }
            return exchange

        case(
            sdk,
            "Kraken Futures (ccxt)",
            "krakenfutures: privateGetAccounts()",
            "GET",
            "/derivatives/api/v3/accounts",
            accept("no Nonce header: postData + path, the path without /derivatives"),
        )(lambda: krakenfutures().privateGetAccounts())
        order = {
            "orderType": "lmt",
            "symbol": "PF_XBTUSD",
            "side": "buy",
            "size": 1,
            "limitPrice": 30000,
            "cliOrdId": "interop-kf-ccxt-1",
        }
        case(
            sdk,
            "Kraken Futures (ccxt)",
            "krakenfutures: privatePostSendorder({...})",
            "POST",
            "/derivatives/api/v3/sendorder?orderType=lmt&symbol=PF_XBTUSD&side=buy&size=1&limitPrice=30000"
            "&cliOrdId=interop-kf-ccxt-1",
            accept("a POST whose parameters travel in the query, signed as sent"),
        )(lambda: krakenfutures().privatePostSendorder(dict(order)))
        case(
            sdk,
            "Kraken Futures (ccxt)",
            "krakenfutures: historyGetExecutions({'count': 10})",
            "GET",
            "/api/history/v2/executions?count=10",
            accept("a history path (ccxt's v2), signed whole: /api/history/v2/executions"),
        )(lambda: krakenfutures().historyGetExecutions({"count": 10}))

    def setup_python_kraken_sdk_futures() -> None:
        from kraken.futures import Trade, User

        sdk = "python-kraken-sdk"
        own = kraken_futures["python-kraken-sdk"]

        case(
            sdk,
            "Kraken Futures (python-kraken-sdk)",
            "futures User.get_wallets()",
            "GET",
            "/derivatives/api/v3/accounts",
            accept("a Nonce header (time * 1e8), hashed between postData and the path"),
        )(lambda: User(key=own["api_key"], secret=own["secret"], url=base).get_wallets())
        case(
            sdk,
            "Kraken Futures (python-kraken-sdk)",
            "futures Trade.get_fills(lastFillTime='2024-06-08T12:30:45.000Z')",
            "GET",
            "/derivatives/api/v3/fills?lastFillTime=2024-06-08T12%3A30%3A45.000Z",
            accept("an ISO time percent-encoded (%3A), hashed as sent"),
        )(
            lambda: Trade(key=own["api_key"], secret=own["secret"], url=base).get_fills(
                lastFillTime="2024-06-08T12:30:45.000Z"
            )
        )
        case(
            sdk,
            "Kraken Futures (python-kraken-sdk)",
            "futures Trade.create_order(orderType='lmt', size=1, symbol='PF_XBTUSD', side='buy', limitPrice=30000)",
            "POST",
            "/derivatives/api/v3/sendorder",
            accept("a form body, hashed as sent"),
        )(
            lambda: Trade(key=own["api_key"], secret=own["secret"], url=base).create_order(
                orderType="lmt",
                size=1,
                symbol="PF_XBTUSD",
                side="buy",
                limitPrice=30000,
                cliOrdId="interop-kf-pks-1",
            )
        )


    # ---- MEXC: ccxt and pymexc against the contract API (signed in headers) and the spot API
    # (signed inside its parameters, the key in X-MEXC-APIKEY); the local exchange verifies both
    mexc = accounts["MEXC"]
    mexc_order = {
        "symbol": "BTC_USDT",
        "price": 64250.5,
        "vol": 1,
        "side": 1,
        "type": 1,
        "openType": 1,
    }

    def setup_mexc_ccxt() -> None:
        import ccxt

        sdk = "ccxt"

        def mexc_ccxt():
            exchange = ccxt.mexc({"apiKey": mexc["api_key"], "secret": mexc["secret"]})
            exchange.urls["api"]["contract"] = {
                name: base + urlsplit(url).path for name, url in exchange.urls["api"]["contract"].items()
            }
            return exchange

        case(sdk, "MEXC", "mexc: contract_private_get_account_assets()", "GET", "/api/v1/private/account/assets")(
            lambda: mexc_ccxt().contract_private_get_account_assets()
        )
        case(
            sdk,
            "MEXC",
            "mexc: contract_private_get_order_list_history_orders({...})",
            "GET",
            "/api/v1/private/order/list/history_orders?page_num=1&page_size=20&states=3&symbol=BTC_USDT",
            accept("the parameters sorted by name, signed as sent"),
        )(
            lambda: mexc_ccxt().contract_private_get_order_list_history_orders(
                {"symbol": "BTC_USDT", "states": "3", "page_num": 1, "page_size": 20}
            )
        )
        case(
            sdk,
            "MEXC",
            "mexc: contract_private_post_order_submit({...})",
            "POST",
            "/api/v1/private/order/submit",
            accept("the JSON body as sent is the signed parameter string"),
        )(lambda: mexc_ccxt().contract_private_post_order_submit(dict(mexc_order, externalOid=f"ccxt-{uuid.uuid4().hex[:12]}")))

        def mexc_ccxt_spot():
            exchange = mexc_ccxt()
            exchange.urls["api"]["spot"] = {
                name: base + urlsplit(url).path for name, url in exchange.urls["api"]["spot"].items()
            }
            # fetch_balance loads the markets first (public endpoints the local exchange does not
            # serve): none are needed for a spot balance.
            exchange.markets = {}
            return exchange

        case(
            sdk,
            "MEXC",
            "mexc: fetch_balance() (spot)",
            "GET",
            "/api/v3/account?timestamp={timestamp}&recvWindow={window}&signature={signature}",
            accept("spot: the query exactly as sent is signed, the signature appended last"),
        )(lambda: mexc_ccxt_spot().fetch_balance())

    def setup_pymexc() -> None:
        import types

        # pymexc 1.3.1's wheel lacks pymexc/_async/web (its __init__ imports it, so `import pymexc`
        # fails); an empty stand-in lets the package import. Its synchronous HTTP clients, which
        # the suite drives, do not use it.
        sys.modules.setdefault("pymexc._async.web", types.ModuleType("pymexc._async.web"))
        from pymexc import futures, spot

        sdk = "pymexc"

        def client():
            http = futures.HTTP(api_key=mexc["api_key"], api_secret=mexc["secret"], ignore_ad=True)
            http.base_url = base
            # pymexc sends through curl_cffi (libcurl), which the loopback guard and the wire
            # recorder cannot see: a requests.Session with the same headers takes its place.
            # pymexc still builds and signs every request itself (its call() passes the
            # Request-Time and Signature headers, the params or the JSON).
            session = requests.Session()
            session.headers.update(dict(http.session.headers))
            http.session = session
            return http

        case(sdk, "MEXC", "futures.HTTP.assets()", "GET", "/api/v1/private/account/assets")(lambda: client().assets())
        case(
            sdk,
            "MEXC",
            "futures.HTTP.open_positions('BTC_USDT')",
            "GET",
            "/api/v1/private/position/open_positions?symbol=BTC_USDT",
        )(lambda: client().open_positions("BTC_USDT"))
        case(
            sdk,
            "MEXC",
            "futures.HTTP.cancel_track_order('BTC_USDT', 1)",
            "POST",
            "/api/v1/private/trackorder/cancel",
            reject(
                "602",
                "pymexc 1.3.1 signs a futures POST's JSON fields as sorted k=v pairs (symbol=...&trackOrderId=...) "
                "but sends the JSON body, which is what MEXC signs (AUTH-breadth section 6)",
            ),
        )(lambda: client().cancel_track_order("BTC_USDT", 1))

        def spot_client():
            http = spot.HTTP(api_key=mexc["api_key"], api_secret=mexc["secret"])
            http.base_url = base
            # As for futures: a requests.Session with the same headers (X-MEXC-APIKEY) in place of
            # curl_cffi's; pymexc still signs and encodes the parameters itself.
            session = requests.Session()
            session.headers.update(dict(http.session.headers))
            http.session = session
            return http

        case(
            sdk,
            "MEXC",
            "spot.HTTP.account_information()",
            "GET",
            "/api/v3/account?recvWindow=5000&timestamp={timestamp}&signature={signature}",
            accept("the parameters sorted, signed as sent"),
        )(lambda: spot_client().account_information())
        case(
            sdk,
            "MEXC",
            "spot.HTTP.withdraw('USDT', 'TXvg01', 10, remark='vg bot')",
            "POST",
            "/api/v3/capital/withdraw?address=TXvg01&amount=10&coin=USDT&recvWindow=5000&remark=vg+bot"
            "&timestamp={timestamp}&signature={signature}",
            reject(
                "700002",
                "pymexc 1.3.1 signs the spot query with %20 for a space (urlencode(...).replace('+', '%20')) but "
                "requests sends '+', and MEXC signs the query exactly as sent (AUTH-breadth section 6)",
                mistake="query-encoding-differs",
            ),
        )(lambda: spot_client().withdraw("USDT", "TXvg01", 10, remark="vg bot"))


    # ---- Upbit: ccxt (a JWT with the SHA-512 of the unencoded parameters, a nonce used once) ----
    upbit = accounts["Upbit"]

    def setup_ccxt_upbit() -> None:
        import ccxt

        sdk = "ccxt"

        def upbit_ccxt():
            return ccxt_at("upbit", upbit)

        case(sdk, "Upbit", "upbit: private_get_accounts()", "GET", "/v1/accounts")(
            lambda: upbit_ccxt().private_get_accounts()
        )
        case(
            sdk,
            "Upbit",
            "upbit: private_get_orders_closed({'market': 'KRW-BTC', 'start_time': '2024-06-08T12:30:45+09:00'})",
            "GET",
            "/v1/orders/closed?market=KRW-BTC&start_time=2024-06-08T12%3A30%3A45%2B09%3A00",
            accept("query_hash over the parameters unencoded (ccxt's rawencode), the query sent encoded"),
        )(
            lambda: upbit_ccxt().private_get_orders_closed(
                {"market": "KRW-BTC", "start_time": "2024-06-08T12:30:45+09:00"}
            )
        )
        case(sdk, "Upbit", "upbit: private_post_orders({...})", "POST", "/v1/orders")(
            lambda: upbit_ccxt().private_post_orders(
                {
                    "market": "KRW-BTC",
                    "side": "bid",
                    "volume": "0.0015",
                    "price": "90000000",
                    "ord_type": "limit",
                    "identifier": f"interop-upbit-{next(_ORDER_IDS)}",
                }
            )
        )


    # ---- Upbit: pyupbit 0.2.34 (query_hash over the URL-encoded parameters, AUTH-breadth section 9) --
    def setup_pyupbit() -> None:
        import contextlib
        import importlib.util
        import io
        import types

        # pyupbit's package imports its quotation module, which imports pandas for candle
        # DataFrames; its exchange module (the JWT and every private call) never touches pandas.
        # pandas and numpy are not pinned (29 MB of wheels, 157 MB installed, ~19 s to install):
        # while pyupbit is imported, a stand-in named pandas is in sys.modules, any use of which raises.
        stand_in = None
        if importlib.util.find_spec("pandas") is None:
            stand_in = types.ModuleType("pandas")

            def no_pandas(name):
                raise ImportError(f"pandas.{name}: the interop suite drives no pyupbit call that needs pandas")

            stand_in.__getattr__ = no_pandas
            sys.modules["pandas"] = stand_in
        try:
            import pyupbit
            import pyupbit.request_api
        finally:
            if stand_in is not None and sys.modules.get("pandas") is stand_in:
                del sys.modules["pandas"]

        sdk = "pyupbit"
        SDK_NOTES[sdk] = (
            "pyupbit hard-codes https://api.upbit.com and sends with module-level requests.get/post/delete; "
            "seam: its request module's `requests` is given a requests.Session with a LoopbackAdapter for "
            "https://api.upbit.com (the request it built and signed goes out unchanged); pandas, which only its "
            "candle functions use, is a stand-in while it is imported"
        )
        seam = "pyupbit.request_api.requests -> requests.Session with LoopbackAdapter for https://api.upbit.com"
        session = loopback_session(base, "https://api.upbit.com")
        pyupbit.request_api.requests = types.SimpleNamespace(
            get=session.get, post=session.post, delete=session.delete
        )

        def quiet(call):
            # pyupbit prints the class name of any exception it catches: the verdict is read from the wire.
            with contextlib.redirect_stdout(io.StringIO()):
                return call()

        def client():
            return pyupbit.Upbit(upbit["api_key"], upbit["secret"])

        case(sdk, "Upbit", "Upbit.get_balances()", "GET", "/v1/accounts", seam=seam)(
            lambda: quiet(lambda: client().get_balances())
        )
        case(
            sdk,
            "Upbit",
            "Upbit.buy_limit_order('KRW-BTC', 90000000, 0.0015)",
            "POST",
            "/v1/orders",
            accept(
                "query_hash over urlencode(body fields) in body order: no value holds a character that encoding "
                "changes, so it is the unencoded k=v Upbit hashes"
            ),
            seam=seam,
        )(lambda: quiet(lambda: client().buy_limit_order("KRW-BTC", 90000000, 0.0015)))
        case(
            sdk,
            "Upbit",
            "Upbit.withdraw_coin('BCH', '0.01', 'bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a')",
            "POST",
            "/v1/withdraws/coin",
            reject(
                "invalid_query_payload",
                "pyupbit 0.2.34 hashes urlencode(params) (only %5B%5D undone): the CashAddr's ':' is hashed as %3A, "
                "Upbit hashes the body's fields unencoded (AUTH-breadth section 9, common mistakes)",
                reason_contains="not URL-encoded",
            ),
            seam=seam,
        )(
            lambda: quiet(
                lambda: client().withdraw_coin("BCH", "0.01", "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a")
            )
        )

    # ---- Upbit: upbit-sdk 1.1.0 (official; upbit/lib/jwt_auth.py hashes unquote(the query)) ---------
    def setup_upbit_sdk() -> None:
        import upbit as upbit_sdk

        sdk = "upbit-sdk"
        SDK_NOTES[sdk] = "its base_url option (Upbit(base_url=BASE_URL, max_retries=0)), httpx as shipped"

        def client():
            return upbit_sdk.Upbit(
                access_key=upbit["api_key"], secret_key=upbit["secret"], base_url=base, max_retries=0
            )

        case(sdk, "Upbit", "accounts.list()", "GET", "/v1/accounts")(lambda: client().accounts.list())
        case(
            sdk,
            "Upbit",
            "orders.list_open(market='KRW-BTC', states=['wait', 'watch'])",
            "GET",
            "/v1/orders/open?market=KRW-BTC&states%5B%5D=wait&states%5B%5D=watch",
            accept("the worked example's query: arrays as states[]=v, hashed decoded, sent encoded"),
        )(lambda: client().orders.list_open(market="KRW-BTC", states=["wait", "watch"]))
        case(
            sdk,
            "Upbit",
            "orders.list_closed(market='KRW-BTC', start_time='2024-06-08T12:30:45+09:00')",
            "GET",
            "/v1/orders/closed?market=KRW-BTC&start_time=2024-06-08T12%3A30%3A45%2B09%3A00",
            accept("the ':' and '+' pyupbit trips on: hashed unquoted, sent encoded"),
        )(lambda: client().orders.list_closed(market="KRW-BTC", start_time="2024-06-08T12:30:45+09:00"))
        case(sdk, "Upbit", "orders.create(market='KRW-BTC', side='bid', ord_type='limit', ...)", "POST", "/v1/orders")(
            lambda: client().orders.create(
                market="KRW-BTC",
                side="bid",
                ord_type="limit",
                price="90000000",
                volume="0.0015",
                identifier=f"interop-upbit-sdk-{next(_ORDER_IDS)}",
            )
        )


    # ---- Backpack: ccxt (Ed25519 over the instruction and the sorted parameters) -----------------
    backpack = accounts["Backpack"]

    def setup_ccxt_backpack() -> None:
        import ccxt

        sdk = "ccxt"

        def backpack_ccxt():
            return ccxt_at("backpack", backpack)

        case(sdk, "Backpack", "backpack: private_get_api_v1_capital()", "GET", "/api/v1/capital")(
            lambda: backpack_ccxt().private_get_api_v1_capital()
        )
        case(
            sdk,
            "Backpack",
            "backpack: private_post_api_v1_order({...})",
            "POST",
            "/api/v1/order",
            accept("instruction=orderExecute and the body's fields sorted by name, the JSON sent as built"),
        )(
            lambda: backpack_ccxt().private_post_api_v1_order(
                {
                    "symbol": "SOL_USDC",
                    "side": "Bid",
                    "orderType": "Limit",
                    "price": "149.62",
                    "quantity": "0.0015",
                    "clientId": next(_ORDER_IDS),
                }
            )
        )

    # ---- Backpack: bpx-py 2.0.11 (BaseAccount._headers: instruction + sorted params) ---------------
    def setup_bpx_py() -> None:
        from bpx.account import Account

        sdk = "bpx-py"
        SDK_NOTES[sdk] = (
            "its BPX_API_URL (a class attribute its request builders read), set on the instance to BASE_URL/"
        )

        def client():
            account = Account(backpack["api_key"], backpack["secret"])
            account.BPX_API_URL = base + "/"
            return account

        case(sdk, "Backpack", "Account.get_balances()", "GET", "/api/v1/capital")(lambda: client().get_balances())
        case(
            sdk,
            "Backpack",
            "Account.execute_order('SOL_USDC', 'Bid', 'Limit', quantity='0.0015', price='149.62', post_only=True, ...)",
            "POST",
            "/api/v1/order",
            accept("instruction=orderExecute, the body's fields sorted, postOnly signed as true"),
        )(
            lambda: client().execute_order(
                "SOL_USDC",
                "Bid",
                "Limit",
                quantity="0.0015",
                price="149.62",
                post_only=True,
                client_id=next(_ORDER_IDS),
            )
        )

        case(
            sdk,
            "Backpack",
            "Account.get_max_order_quantity('SOL_USDC', 'Bid', price='149.62')",
            "GET",
            "/api/v1/account/limits/order?symbol=SOL_USDC&side=Bid&price=149.62",
            accept("instruction=maxOrderQuantity over the query's parameters sorted"),
        )(lambda: client().get_max_order_quantity("SOL_USDC", "Bid", price="149.62"))

    # ---- Backpack: backpack-exchange-sdk 1.1.4 (_base/utils.py build_signing_string) ---------------
    def setup_backpack_exchange_sdk() -> None:
        from backpack_exchange_sdk.authenticated import AuthenticationClient

        sdk = "backpack-exchange-sdk"
        SDK_NOTES[sdk] = "its base_url option (AuthenticationClient(..., base_url=BASE_URL/))"

        def client():
            return AuthenticationClient(backpack["api_key"], backpack["secret"], base_url=base + "/")

        case(sdk, "Backpack", "get_balances()", "GET", "/api/v1/capital")(lambda: client().get_balances())
        case(
            sdk,
            "Backpack",
            "execute_order('Limit', 'Bid', 'SOL_USDC', price='149.62', quantity='0.0015', clientId=...)",
            "POST",
            "/api/v1/order",
            accept("instruction=orderExecute, the body's fields sorted (postOnly=false, its default, signed as false)"),
        )(
            lambda: client().execute_order(
                "Limit", "Bid", "SOL_USDC", price="149.62", quantity="0.0015", clientId=next(_ORDER_IDS)
            )
        )


    # ---- Hyperliquid: ccxt and hyperliquid-python-sdk (EIP-712 over the action's msgpack) ---------
    # No auth headers: every action is POST /exchange {"action", "nonce", "signature": {r, s, v},
    # "vaultAddress"}, and the local exchange finds the account by the address the signature
    # recovers to (AUTH-breadth section 1). Both clients look markets up before signing (the asset
    # index an order names); they are given what POST /info answers for `meta` / `spotMeta` /
    # `metaAndAssetCtxs` from the fixed table below instead of asking, so that each case is the
    # one signed request it is about (the /info endpoint is public and unsigned).
    hyperliquid = {who: accounts[f"Hyperliquid ({who})"] for who in ("ccxt", "hyperliquid-python-sdk")}
    # BTC is perpetual asset 0, ETH asset 1 (their order in `meta.universe`); PURR/USDC spot pair 0.
    hl_meta = {
        "universe": [
            {"name": "BTC", "szDecimals": 5, "maxLeverage": 40, "onlyIsolated": False},
            {"name": "ETH", "szDecimals": 4, "maxLeverage": 25, "onlyIsolated": False},
        ]
    }
    hl_asset_ctxs = [{"markPx": "64089.9", "midPx": "64089.5"}, {"markPx": "3141.5", "midPx": "3141.4"}]
    hl_spot_meta = {
        "tokens": [
            {"name": "USDC", "szDecimals": 8, "weiDecimals": 8, "index": 0, "tokenId": "0x" + "00" * 16, "isCanonical": True},
            {"name": "PURR", "szDecimals": 0, "weiDecimals": 5, "index": 1, "tokenId": "0x" + "01" * 16, "isCanonical": True},
        ],
        "universe": [{"name": "PURR/USDC", "tokens": [1, 0], "index": 0, "isCanonical": True}],
    }
    # A key no account has (the same derivation as credentials.json's fake keys): what an agent
    # wallet that was never approved, or a wrong key, signs with.
    import hashlib

    hl_unregistered_key = "0x" + hashlib.sha256(b"cexsign-interop-Hyperliquid (unregistered)").hexdigest()
    hl_builder = "0x6530512A6c89C7cfCEbC3BA7fcD9aDa5f30827a6"  # ccxt's own builder address
    hl_vault = "0x1719884eb866cb12b2287399b15f7db5e7d775ea"  # an address to trade for (a vault)
    hl_unknown_wallet = "User or API Wallet does not exist."
    # What the local exchange adds, as Hyperliquid cannot: the address recovered is nobody's, which a
    # wrong key and a wrong signature both read as.
    hl_unknown_diagnosis = "the signature recovers to that address, which no account has"
    hl_unknown_why = (
        "the signature recovers to an address no account has: Hyperliquid cannot tell a wrong key (or an API wallet "
        "never approved) from a wrong signature and answers 'User or API Wallet 0x... does not exist.' (AUTH-breadth "
        "section 1), the local exchange naming the address recovered and why"
    )

    def setup_ccxt_hyperliquid() -> None:
        import ccxt

        sdk = "ccxt"
        own = hyperliquid["ccxt"]

        def hyperliquid_ccxt(key=own["secret"], wallet=own["api_key"]):
            exchange = ccxt.hyperliquid(
                {
                    "walletAddress": wallet,
                    "privateKey": key,
                    # ccxt's first private call would otherwise send three requests of its own
                    # before the one asked for (initialize_client: an approveBuilderFee action, a
                    # setReferrer action, a userAbstraction /info query): the first is a case below,
                    # the others are marked done.
                    "options": {"approvedBuilderFee": True, "builderFee": False, "refSet": True, "enableUnifiedMargin": False},
                }
            )
            exchange.urls["api"] = {name: base for name in exchange.urls["api"]}
            # ccxt's own market parser over the table above (what fetch_swap_markets reads from
            # metaAndAssetCtxs): BTC/USDC:USDC is asset 0.
            universe = [dict(m, **ctx, baseId=i) for i, (m, ctx) in enumerate(zip(hl_meta["universe"], hl_asset_ctxs))]
            exchange.set_markets(exchange.parse_markets(universe))
            return exchange

        ours = hyperliquid_ccxt()  # one instance: its nonces (ms) strictly increase across the cases

        case(
            sdk,
            "Hyperliquid (ccxt)",
            "hyperliquid: approve_builder_fee(builder, '0%')",
            "POST",
            "/exchange",
            accept(
                "a user-signed action (approveBuilderFee): the HyperliquidSignTransaction domain with chain id "
                "0x66eee, hyperliquidChain 'Mainnet', no msgpack"
            ),
        )(lambda: ours.approve_builder_fee(hl_builder, "0%"))
        case(
            sdk,
            "Hyperliquid (ccxt)",
            "hyperliquid: create_order('BTC/USDC:USDC', 'limit', 'buy', 0.0015, 64089.9)",
            "POST",
            "/exchange",
            accept(
                "an L1 'order' action, keys type, orders, grouping, builder ({b, f: 0}, as ccxt attaches once the fee is "
                "approved), msgpack'd in that order; r and s padded to 64 hex digits"
            ),
        )(lambda: ours.create_order("BTC/USDC:USDC", "limit", "buy", 0.0015, 64089.9))
        case(
            sdk,
            "Hyperliquid (ccxt)",
            "hyperliquid: cancel_order('91490942', 'BTC/USDC:USDC')",
            "POST",
            "/exchange",
            accept("an L1 'cancel' action, {a, o} per order"),
        )(lambda: ours.cancel_order("91490942", "BTC/USDC:USDC"))
        case(
            sdk,
            "Hyperliquid (ccxt)",
            "hyperliquid: set_leverage(5, 'BTC/USDC:USDC')",
            "POST",
            "/exchange",
            accept("an L1 'updateLeverage' action"),
        )(lambda: ours.set_leverage(5, "BTC/USDC:USDC"))
        case(
            sdk,
            "Hyperliquid (ccxt)",
            "hyperliquid: create_order('ETH/USDC:USDC', 'limit', 'sell', 0.01, 3141.5, {'vaultAddress': VAULT})",
            "POST",
            "/exchange",
            accept(
                "for a vault: ccxt strips the 0x (format_vault_address) and sends the address as bare hex where the "
                "docs write 0x + 40 hex; the 20 bytes signed after the 0x01 flag are the same. Judged accepted: this "
                "has been ccxt's vault path since 2024 and is in use, no report of Hyperliquid refusing it was found "
                "(its server is closed), and the local exchange reads the address with or without 0x"
            ),
        )(lambda: ours.create_order("ETH/USDC:USDC", "limit", "sell", 0.01, 3141.5, {"vaultAddress": hl_vault}))
        case(
            sdk,
            "Hyperliquid (unregistered key)",
            "hyperliquid: create_order('BTC/USDC:USDC', ...) with a key no account has",
            "POST",
            "/exchange",
            reject(hl_unknown_wallet, hl_unknown_why, reason_contains=hl_unknown_diagnosis),
        )(
            lambda: hyperliquid_ccxt(key=hl_unregistered_key).create_order(
                "BTC/USDC:USDC", "limit", "buy", 0.0015, 64089.9
            )
        )

    def setup_hyperliquid_python_sdk() -> None:
        import eth_account
        from hyperliquid.exchange import Exchange

        sdk = "hyperliquid-python-sdk"
        own = hyperliquid["hyperliquid-python-sdk"]
        SDK_NOTES[sdk] = (
            "Exchange(wallet, meta=..., spot_meta=...) on mainnet's URL (meta and spot_meta from the suite's table, so "
            "its Info asks nothing), its requests.Session sent to BASE_URL by the LoopbackAdapter seam. Its base_url "
            "option works, but the SDK signs for mainnet only when base_url is exactly mainnet's (any other URL: "
            "source 'b', hyperliquidChain 'Testnet'), and the credentials file registers mainnet keys (Hyperliquid's "
            "description has no demo key variant)"
        )

        def client(key=own["secret"]):
            wallet = eth_account.Account.from_key(key)
            exchange = Exchange(wallet, meta=hl_meta, spot_meta=hl_spot_meta)
            exchange.session.trust_env = False
            exchange.session.mount("https://api.hyperliquid.xyz", LoopbackAdapter(base))
            return exchange

        ours = client()

        case(
            sdk,
            "Hyperliquid (hyperliquid-python-sdk)",
            "Exchange.order('BTC', True, 0.0015, 64089.9, {'limit': {'tif': 'Gtc'}})",
            "POST",
            "/exchange",
            accept(
                "an L1 'order' action (float_to_wire: '64089.9', '0.0015'), vaultAddress and expiresAfter sent as null; "
                "r and s as to_hex writes them, without leading zeros (the number is what counts)"
            ),
        )(lambda: ours.order("BTC", True, 0.0015, 64089.9, {"limit": {"tif": "Gtc"}}))
        case(
            sdk,
            "Hyperliquid (hyperliquid-python-sdk)",
            "Exchange.cancel('BTC', 91490942)",
            "POST",
            "/exchange",
            accept("an L1 'cancel' action"),
        )(lambda: ours.cancel("BTC", 91490942))
        case(
            sdk,
            "Hyperliquid (hyperliquid-python-sdk)",
            "Exchange.update_leverage(5, 'ETH')",
            "POST",
            "/exchange",
            accept("an L1 'updateLeverage' action on asset 1"),
        )(lambda: ours.update_leverage(5, "ETH"))
        case(
            sdk,
            "Hyperliquid (hyperliquid-python-sdk)",
            "Exchange.approve_builder_fee(builder, '0.001%')",
            "POST",
            "/exchange",
            accept("a user-signed action (approveBuilderFee), hyperliquidChain 'Mainnet', chain id 0x66eee"),
        )(lambda: ours.approve_builder_fee(hl_builder, "0.001%"))
        case(
            sdk,
            "Hyperliquid (hyperliquid-python-sdk)",
            "Exchange(wallet, base_url=BASE_URL).order('BTC', ...) with a mainnet key",
            "POST",
            "/exchange",
            reject(
                hl_unknown_wallet,
                "misuse trap, not a signing bug: the SDK picks the network by comparing base_url with mainnet's URL, so "
                "any other URL (a proxy, a gateway, this local exchange) signs for testnet (source 'b'); mainnet "
                "recovers another address from it and answers 'User or API Wallet 0x... does not exist.'",
                reason_contains="but that key is registered as a live key",
            ),
        )(
            lambda: Exchange(
                eth_account.Account.from_key(own["secret"]), base_url=base, meta=hl_meta, spot_meta=hl_spot_meta
            ).order("BTC", True, 0.0015, 64089.9, {"limit": {"tif": "Gtc"}})
        )
        case(
            sdk,
            "Hyperliquid (unregistered key)",
            "Exchange.order('BTC', ...) with a key no account has",
            "POST",
            "/exchange",
            reject(hl_unknown_wallet, hl_unknown_why, reason_contains=hl_unknown_diagnosis),
        )(lambda: client(hl_unregistered_key).order("BTC", True, 0.0015, 64089.9, {"limit": {"tif": "Gtc"}}))

    # ---- Crypto.com: ccxt (sig in the JSON body over method, id, key, the sorted params, nonce) ----
    cdc = accounts["Crypto.com"]

    def setup_ccxt_crypto_com() -> None:
        import ccxt

        sdk = "ccxt"

        def cdc_ccxt():
            return ccxt_at("cryptocom", cdc, "/exchange/v1")

        case(
            sdk,
            "Crypto.com",
            "cryptocom: v1_private_post_private_user_balance()",
            "POST",
            "/exchange/v1/private/user-balance",
            accept("no params: an empty paramString; id and nonce sent as strings, signed as their text"),
        )(lambda: cdc_ccxt().v1_private_post_private_user_balance())
        case(
            sdk,
            "Crypto.com",
            "cryptocom: v1_private_post_private_create_order({... exec_inst: [POST_ONLY], client_oid})",
            "POST",
            "/exchange/v1/private/create-order",
            accept("the params' keys sorted, the exec_inst list rendered item by item"),
        )(
            lambda: cdc_ccxt().v1_private_post_private_create_order(
                {
                    "instrument_name": "BTC_USDT",
                    "side": "BUY",
                    "type": "LIMIT",
                    "price": "64089.87",
                    "quantity": "0.0015",
                    "exec_inst": ["POST_ONLY"],
                    "client_oid": f"interop-cdc-{next(_ORDER_IDS)}",
                }
            )
        )
        case(
            sdk,
            "Crypto.com",
            "cryptocom: v1_private_post_private_create_order_list({'contingency_type': 'LIST', 'order_list': [...]})",
            "POST",
            "/exchange/v1/private/create-order-list",
            accept("a list of orders, each rendered with its keys sorted"),
        )(
            lambda: cdc_ccxt().v1_private_post_private_create_order_list(
                {
                    "contingency_type": "LIST",
                    "order_list": [
                        {"instrument_name": "BTC_USDT", "side": side, "type": "LIMIT", "price": price,
                         "quantity": "0.0015", "client_oid": f"interop-cdc-{next(_ORDER_IDS)}"}
                        for side, price in (("BUY", "63000"), ("SELL", "65000"))
                    ],
                }
            )
        )
        case(
            sdk,
            "Crypto.com",
            "cryptocom: v1_private_post_private_get_order_history({'instrument_name': None, 'limit': 20})",
            "POST",
            "/exchange/v1/private/get-order-history",
            reject(
                "40101",
                "ccxt 4.5.90's params_to_string renders null as None (str(None)); Crypto.com signs null",
                mistake="null-as-none",
            ),
        )(lambda: cdc_ccxt().v1_private_post_private_get_order_history({"instrument_name": None, "limit": 20}))

    # ---- Crypto.com: cryptocom-exchange 2.8.0 (a random id, the params rendered by params_to_str) --

    def setup_cryptocom_exchange() -> None:
        import asyncio

        from cryptocom.exchange.api import ApiProvider

        sdk = "cryptocom-exchange"
        SDK_NOTES[sdk] = "ApiProvider(root_url=BASE_URL/exchange/v1/, retries=0): its REST client, httpx"

        def post(path: str, params: dict):
            api = ApiProvider(
                api_key=cdc["api_key"], api_secret=cdc["secret"], root_url=base + "/exchange/v1/", retries=0
            )
            return asyncio.run(api.post(path, {"params": params}))

        case(
            sdk,
            "Crypto.com",
            "ApiProvider.post('private/user-balance', {'params': {}})",
            "POST",
            "/exchange/v1/private/user-balance",
            accept("a random id other than the nonce, signed as sent; no params"),
        )(lambda: post("private/user-balance", {}))
        case(
            sdk,
            "Crypto.com",
            "ApiProvider.post('private/create-order', {'params': {... exec_inst, client_oid}})",
            "POST",
            "/exchange/v1/private/create-order",
        )(
            lambda: post(
                "private/create-order",
                {
                    "instrument_name": "BTC_USDT",
                    "side": "SELL",
                    "type": "LIMIT",
                    "price": "65000",
                    "quantity": "0.0015",
                    "exec_inst": ["POST_ONLY"],
                    "client_oid": f"interop-cdc-{next(_ORDER_IDS)}",
                },
            )
        )
        case(
            sdk,
            "Crypto.com",
            "ApiProvider.post('private/get-order-history', {'params': {'instrument_name': None, 'limit': 20}})",
            "POST",
            "/exchange/v1/private/get-order-history",
            accept("null rendered as null (params_to_str's own branch for None)"),
        )(lambda: post("private/get-order-history", {"instrument_name": None, "limit": 20}))

    return [
        ("python-okx", setup_python_okx),
        ("ccxt", setup_ccxt),
        ("kucoin-universal-sdk", setup_kucoin_universal_sdk),
        ("python-kucoin", setup_python_kucoin),
        ("delta-rest-client", setup_delta_rest_client),
        ("coinbase-advanced-py", setup_coinbase_advanced_py),
        ("cbpro", setup_cbpro),
        ("coinbasepro", setup_coinbasepro),
        ("ccxt", setup_ccxt_more),
        ("python-binance", setup_python_binance),
        ("binance-connector", setup_binance_connector),
        ("binance-sdk-spot", setup_binance_sdk_spot),
        ("pybit", setup_pybit),
        ("krakenex", setup_krakenex),
        ("python-kraken-sdk", setup_python_kraken_sdk),
        ("python-bitget", setup_python_bitget),
        ("gate-api", setup_gate_api),
        ("bitfinex-api-py", setup_bitfinex_api_py),
        ("ccxt", setup_ccxt_breadth),
        ("typed-deribit", setup_typed_deribit),
        ("bitmart", setup_bitmart_ccxt),
        ("bitmart-python-sdk-api", setup_bitmart_python_sdk_api),
        ("ccxt", setup_ccxt_kraken_futures),
        ("python-kraken-sdk", setup_python_kraken_sdk_futures),
        ("ccxt", setup_mexc_ccxt),
        ("pymexc", setup_pymexc),
        ("ccxt", setup_ccxt_upbit),
        ("pyupbit", setup_pyupbit),
        ("upbit-sdk", setup_upbit_sdk),
        ("ccxt", setup_ccxt_backpack),
        ("bpx-py", setup_bpx_py),
        ("backpack-exchange-sdk", setup_backpack_exchange_sdk),
        ("ccxt", setup_ccxt_hyperliquid),
        ("hyperliquid-python-sdk", setup_hyperliquid_python_sdk),
        ("ccxt", setup_ccxt_crypto_com),
        ("cryptocom-exchange", setup_cryptocom_exchange),
    ]


DISTRIBUTIONS = {
    "python-okx": "python-okx",
    "ccxt": "ccxt",
    "kucoin-universal-sdk": "kucoin-universal-sdk",
    "python-kucoin": "python-kucoin",
    "delta-rest-client": "delta-rest-client",
    "coinbase-advanced-py": "coinbase-advanced-py",
    "cbpro": "cbpro",
    "coinbasepro": "coinbasepro",
    "python-binance": "python-binance",
    "binance-connector": "binance-connector",
    "binance-sdk-spot": "binance-sdk-spot",
    "pybit": "pybit",
    "krakenex": "krakenex",
    "python-kraken-sdk": "python-kraken-sdk",
    "python-bitget": "python-bitget",
    "gate-api": "gate-api",
    "bitfinex-api-py": "bitfinex-api-py",
    "typed-deribit": "typed-deribit",
    "bitmart": "bitmart",
    "bitmart-python-sdk-api": "bitmart-python-sdk-api",
    "pymexc": "pymexc",
    "hyperliquid-python-sdk": "hyperliquid-python-sdk",
    "pyupbit": "pyupbit",
    "upbit-sdk": "upbit-sdk",
    "bpx-py": "bpx-py",
    "backpack-exchange-sdk": "backpack-exchange-sdk",
    "cryptocom-exchange": "cryptocom-exchange",
}


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


def run_case(item: Case) -> Outcome:
    guard_before = len(GUARD_HITS)
    if item.prelude is not None:
        before = len(WIRE)
        try:
            item.prelude()
        except Exception:  # judged from the wire below
            pass
        sent = WIRE[before:]
        if len(GUARD_HITS) > guard_before:
            return Outcome(item, False, None, f"the prelude tried to leave loopback: {GUARD_HITS[guard_before:]}", None)
        if len(sent) != 1 or not verdict(sent[0]).accepted:
            got = ", ".join(f"{w.method} {w.target}: {verdict(w)}" for w in sent) or "nothing sent"
            return Outcome(item, False, None, f"the prelude ({item.prelude_call}) was not accepted: {got}", None)
    before = len(WIRE)
    error = ""
    try:
        item.run()
    except Exception as exc:  # SDKs raise on rejections, and some on the local exchange's echo
        error = f"{type(exc).__name__}: {str(exc)[:160]}"
    if len(GUARD_HITS) > guard_before:
        return Outcome(
            item, False, None, f"tried to leave loopback: {', '.join(GUARD_HITS[guard_before:])}", None, error
        )
    sent = WIRE[before:]
    if not sent:
        return Outcome(item, False, None, "no request reached the local exchange", None, error)
    if len(sent) != 1:
        shown = ", ".join(f"{w.method} {w.target}" for w in sent)
        return Outcome(item, False, None, f"{len(sent)} requests were sent, expected one: {shown}", sent[-1], error)
    wire = sent[0]
    if wire.method != item.method or not target_matches(item.target, wire.target):
        return Outcome(
            item,
            False,
            verdict(wire),
            f"sent {wire.method} {wire.target}, expected {item.method} {item.target}",
            wire,
            error,
        )
    got = verdict(wire)
    passed, note = judge(item.expect, got)
    return Outcome(item, passed, got, note, wire, error)


# Headers whose values a printout never shows: those carrying a signature, a passphrase or a token.
_SECRET_HEADER = re.compile(r"sign|passphrase|authori[sz]ation|authent|secret|token", re.I)
# Signature, token and key fields of a JSON body or websocket frame (a string, or Hyperliquid's
# `{r, s, v}`), any case; and signature and token pairs of a query or form body.
_SECRET_JSON = re.compile(
    r'("(?:sig|signature|sign|passphrase|secret|api_secret|authSig|signed_challenge|jwt|token|access_token'
    r'|refresh_token|client_secret|apiKey|api_key|key|api-key|client_id)"\s*:\s*)("[^"]*"|\{[^{}]*\})',
    re.IGNORECASE,
)
_SECRET_PAIR = re.compile(r"((?:^|[?&])(?:signature|sign|sig|token)=)[^&\s]*", re.I)
# The logins whose values are positional, `{"op": <one of these>, "args": [key, time, signature]}`
# (Bybit's auth, BitMEX's authKeyExpires, BitMart's login): their first and last values.
_POSITIONAL_LOGINS = {"auth", "authKeyExpires", "login"}
_POSITIONAL_ARGS = re.compile(r'("args"\s*:\s*\[\s*)"[^"]*"(\s*,\s*[^,\]]*\s*,\s*)"[^"]*"(\s*\])')


def redacted(text: str) -> str:
    """A request's target or body, or a websocket frame or upgrade line, as printed: its key,
    passphrase, signature and token values replaced by "…" (the suites' credentials are fake, but
    a printout is a log)."""
    hidden = _SECRET_JSON.sub(r'\1"…"', _SECRET_PAIR.sub(r"\1…", text))
    try:
        frame = json.loads(text)
    except ValueError:
        return hidden
    if isinstance(frame, dict) and frame.get("op") in _POSITIONAL_LOGINS and isinstance(frame.get("args"), list):
        hidden = _POSITIONAL_ARGS.sub(r'\1"…"\2"…"\3', hidden)
    return hidden


def show_request(wire: Wire) -> str:
    lines = [f"      request: {wire.method} {redacted(wire.target)} (Host: {wire.host})"]
    for name, value in wire.headers.items():
        shown = "…" if _SECRET_HEADER.search(name) else value
        lines.append(f"        {name}: {shown}")
    if wire.body:
        lines.append(f"        body: {redacted(wire.body.decode('utf-8', 'replace'))}")
    lines.append(f"      answer: HTTP {wire.status} {wire.response_body.decode('utf-8', 'replace')[:600]}")
    reason = _header_text(wire.response_headers.get("cexsign-reason"))
    if reason:
        lines.append(f"        cexsign-reason: {reason}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 2
    base = argv[1].rstrip("/")
    if not _is_loopback(urlsplit(base).hostname):
        print(f"refusing to run against {base}: the interop suite only talks to a local exchange on loopback")
        return 2
    credentials_path = Path(argv[2]) if len(argv) > 2 else Path(__file__).with_name("credentials.json")
    document = json.loads(credentials_path.read_text())
    accounts = {entry["label"]: entry for entry in document["accounts"]}

    sys.stdout.reconfigure(line_buffering=True)
    # The SDKs log rejections to stderr (coinbase-advanced-py, loguru in python-okx): the verdicts
    # are printed here instead.
    logging.disable(logging.CRITICAL)
    try:
        from loguru import logger

        logger.remove()
    except ImportError:
        pass

    started = time.monotonic()
    outcomes: list[Outcome] = []
    for sdk, setup in define_cases(base, accounts):
        try:
            setup()
        except Exception as exc:  # an SDK that does not import or set up fails, the others still run
            note = f"could not set up {sdk}: {type(exc).__name__}: {exc}"
            broken = Case(sdk, "-", "(setup)", "-", "-", ACCEPT, lambda: None)
            outcomes.append(Outcome(broken, False, None, note, None))
    print(f"interop suite: {len(CASES)} requests from {len(DISTRIBUTIONS)} SDKs against {base}")
    print("verdict  sdk | account | call -> wire request | expected | got")
    for outcome in list(outcomes):
        print(f"FAIL  {outcome.case.sdk} {version(DISTRIBUTIONS[outcome.case.sdk])} | {outcome.note}")
    for item in CASES:
        outcome = run_case(item)
        outcomes.append(outcome)
        got = str(outcome.got) if outcome.got else "-"
        print(
            f"{'PASS' if outcome.passed else 'FAIL'}  {item.sdk} {version(DISTRIBUTIONS[item.sdk])} | "
            f"{item.account} | {item.call} -> {item.method} {item.target} | expected {item.expect} | got {got}"
        )
        if item.expect.why:
            print(f"      why: {item.expect.why}")
        if item.seam:
            print(f"      seam: {item.seam}")
        if item.prelude_call:
            print(f"      first, not judged: {item.prelude_call}")
        if outcome.note:
            print(f"      note: {outcome.note}")
        if outcome.wire and (not outcome.passed or outcome.note.startswith("KNOWN-SERVER-BUG")):
            print(show_request(outcome.wire))
        if not outcome.passed and outcome.error:
            print(f"      sdk raised: {outcome.error}")

    print()
    print(
        "per SDK: version | requests sent | accepted | rejected as expected | KNOWN-SERVER-BUG (verdict or "
        "diagnosis) | failed"
    )
    for sdk in DISTRIBUTIONS:
        mine = [o for o in outcomes if o.case.sdk == sdk]
        accepted = sum(1 for o in mine if o.passed and o.case.expect.kind == "accept")
        rejected = sum(1 for o in mine if o.passed and o.case.expect.kind == "reject")  # incl. diagnosis bugs
        bugs = sum(1 for o in mine if o.passed and o.note.startswith("KNOWN-SERVER-BUG"))
        failed = sum(1 for o in mine if not o.passed)
        print(f"  {sdk} {version(DISTRIBUTIONS[sdk])} | {len(mine)} | {accepted} | {rejected} | {bugs} | {failed}")
        print(f"      pointed at the local exchange: {SDK_NOTES.get(sdk, '')}")
    known = [o for o in outcomes if o.passed and o.note.startswith("KNOWN-SERVER-BUG")]
    if known:
        print(
            f"KNOWN-SERVER-BUG: {len(known)} cases where the local exchange rejects what the real exchange accepts, "
            "or names the wrong mistake:"
        )
        for o in known:
            print(f"  {o.case.sdk} | {o.case.account} | {o.case.method} {o.case.target}")
    passed = sum(1 for o in outcomes if o.passed)
    failed = len(outcomes) - passed
    print(f"({time.monotonic() - started:.1f} s)")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
