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
verdict is read from the wire (a recorder around requests' HTTPAdapter.send and httpx's
Client.send), not from what the SDK makes of the answer: the local exchange echoes what it
verified instead of the exchange's business payload, which some SDKs then fail to parse.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import sys
import time
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
    code = str(wire.status)
    reason = _header_text(wire.response_headers.get("cexsign-reason")) or ""
    diagnosis = None
    if isinstance(body, dict):
        if "code" in body:  # OKX, KuCoin
            code = str(body["code"])
        elif "success" in body and "error" in body:  # Delta
            error = body["error"]
            code = str(error.get("code") if isinstance(error, dict) else error)
        elif "error" in body:  # Delta's CDN
            code = str(body["error"])
        elif "message" in body:  # Coinbase Exchange
            code = str(body["message"])
        reason = body.get("cexsign_reason", reason)
        diagnosis = body.get("cexsign_diagnosis")
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
    reason_contains: str = ""  # server-bug: what the current (wrong) rejection says
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
) -> Expect:
    """A rejection with the exchange's `code`. `mistake` is checked against the server's diagnosis
    when it gives one; `diagnosis_bug` marks a diagnosis that is known to name something else today
    (a KNOWN-SERVER-BUG of the diagnosis, not of the verdict)."""
    return Expect(
        "reject", code=code, mistake=mistake, named_by_server=named_by_server, diagnosis_bug=diagnosis_bug, why=why
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
            f"(the local exchange cannot name {expect.mistake}: it keeps no raw secret; "
            "`cexsign diagnose` with the credentials does)"
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
    target: str
    expect: Expect
    run: Callable[[], Any]
    seam: str = ""


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


def case(sdk, account, call, method, target, expect=ACCEPT, seam=""):
    def register(run):
        CASES.append(Case(sdk, account, call, method, target, expect, run, seam))
        return run

    return register


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


def define_cases(base: str, accounts: dict[str, dict]) -> list[tuple[str, Callable[[], None]]]:
    """Registers the cases, SDK by SDK: returns (sdk, setup) pairs, run by main() one at a time so that
    an SDK that fails to import or set up fails its own cases only."""
    okx_live, okx_demo = accounts["OKX live"], accounts["OKX demo"]
    kc = {v: accounts[f"KuCoin v{v}"] for v in (1, 2, 3)}
    delta = accounts["Delta"]
    cbx = accounts["Coinbase Exchange"]
    cba = accounts["Coinbase Advanced (legacy HMAC)"]
    cdp = {"ES256": accounts["Coinbase CDP (ES256)"], "Ed25519": accounts["Coinbase CDP (Ed25519)"]}

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
            )(lambda creds=creds, flag=flag: okx_api(okx.Trade.TradeAPI, creds, flag).place_order(**OKX_ORDER))

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
                diagnosis_bug=(
                    None,
                    "the catalogue's query-signed-unencoded is this exact mistake, but the local "
                    "exchange finds no mistake (the decoded query, with its space, is not re-signed)",
                ),
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
                lambda creds=creds, demo=demo: okx_ccxt(creds, demo).private_post_trade_order(dict(OKX_ORDER))
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
                lambda creds=creds: kucoin_ccxt(creds).private_post_orders(dict(KUCOIN_ORDER))
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
                .set_client_oid(KUCOIN_ORDER["clientOid"])
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
                "BTC-USDT", "buy", "30000", "0.0001", client_oid=KUCOIN_ORDER["clientOid"]
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
                        "the request is the whole v1 form (plain passphrase "
                        "and no version header), which the catalogue's kucoin-passphrase-plain describes "
                        "(it names python-kucoin); the server stops at the missing header",
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

    return [
        ("python-okx", setup_python_okx),
        ("ccxt", setup_ccxt),
        ("kucoin-universal-sdk", setup_kucoin_universal_sdk),
        ("python-kucoin", setup_python_kucoin),
        ("delta-rest-client", setup_delta_rest_client),
        ("coinbase-advanced-py", setup_coinbase_advanced_py),
        ("cbpro", setup_cbpro),
        ("coinbasepro", setup_coinbasepro),
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
}


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


def run_case(item: Case) -> Outcome:
    before, guard_before = len(WIRE), len(GUARD_HITS)
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
    if (wire.method, wire.target) != (item.method, item.target):
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


def show_request(wire: Wire) -> str:
    lines = [f"      request: {wire.method} {wire.target} (Host: {wire.host})"]
    for name, value in wire.headers.items():
        lines.append(f"        {name}: {value}")
    if wire.body:
        lines.append(f"        body: {wire.body.decode('utf-8', 'replace')}")
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
