#!/usr/bin/env python3
"""The exchanges' own websocket clients against the local exchange's private streams: each SDK's
websocket client, pointed at the local exchange (its URL option, or the module constant it reads),
logs in with the suite's fake credentials, subscribes to a private channel and must receive the
event; the logins an SDK is known to build wrongly must be refused with the exchange's own error
frame and, where the server gives one, the named mistake.

    python interop/ws_suite.py BASE_URL [CREDENTIALS_JSON]

BASE_URL is the local exchange that `interop/run.sh` started (REST and the private streams share
its port); CREDENTIALS_JSON defaults to interop/credentials.json.

The verdict is read from the wire, not from the SDK: every SDK connects to a tap, a loopback
proxy in this process that forwards each byte unchanged to the local exchange and decodes the
websocket frames both ways. A login is refused when the local exchange answers with its error
frame (the exchange's own shape plus the `cexsign_reason` and `cexsign_diagnosis` fields it adds
to every refusal); a login is accepted when no refusal came and the channel's event arrived on the
wire AND was handed to the SDK's own callback. Each case shows what the SDK sent (its login frame),
with its key, passphrase, signature and stream token values replaced by "…".

Where a stream takes a token from a signed REST call first (KuCoin's bullet-private), the SDK may
make that call through the tap too: the tap forwards a plain HTTP connection undecoded, and the
verdict reads the first websocket connection.

Nothing leaves loopback: suite.py's guard (every DNS lookup and connection outside 127.0.0.0/8,
::1 and localhost raises) is installed on import. Every wait is bounded: the clients' reads and
connects have timeouts, and every case runs under a deadline, after which its tap is closed under
the SDK (which ends any read still waiting on it).

One line per case (PASS/FAIL, SDK, exchange, call, expected, got), ending with
`websocket: N passed, M failed`; the exit status is 1 on any unexpected verdict.

Adding a case for a new stream: add its `Stream` to STREAMS (the path the local exchange serves
it at, how its error frames carry the code, what its event looks like), then one `ws_case(...)`
block in define_cases() that drives the SDK against `tap.url(path)` and returns what its callback
received.
"""

from __future__ import annotations

import asyncio
import json
import re
import logging
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import suite  # noqa: E402  (installs the loopback guard before any SDK is imported)
from suite import (  # noqa: E402
    ACCEPT,
    GUARD_HITS,
    Expect,
    Got,
    accept,
    judge,
    known_server_bug,
    redacted,
    reject,
    version,
)

# Every socket operation of the tap, and of the raw clients, gives up after this long.
SOCKET_TIMEOUT = 10.0
# How long a case waits for the server's verdict (an event or a refusal) before it stops the SDK.
SETTLE_SECONDS = 12.0
# The deadline of a whole case; the SDK's thread is abandoned (daemon) after it.
CASE_SECONDS = 30.0


# ---------------------------------------------------------------------------------------------
# The streams, as the local exchange serves them (each home's `PrivateStream`).
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stream:
    path: str  # where the local exchange serves it (the home's `PrivateStream::path`)
    code: Callable[[dict], Any]  # the exchange's error code in its error frame
    is_event: Callable[[Any], bool]  # a private channel's push (not an answer to a request)
    # Whether its pushes are JSON arrays (Bitfinex's `[chanId, type, data]`): then is_event is
    # also shown the arrays, else only the objects.
    arrays: bool = False



def _error_field(frame: dict, name: str) -> Any:
    error = frame.get("error")
    return error.get(name) if isinstance(error, dict) else error


STREAMS: dict[str, Stream] = {
    # {"event":"error","code":"60009",...}; pushes {"arg":{...},"data":[...]}
    "OKX": Stream("/ws/v5/private", lambda f: f.get("code"), lambda f: "arg" in f and "data" in f),
    # {"success":false,"ret_msg":"...","op":"auth"}; pushes {"topic":"order","data":[...]}
    "Bybit": Stream("/v5/private", lambda f: f.get("ret_msg"), lambda f: "topic" in f and "data" in f),
    # {"event":"error","code":30005,...}; pushes {"action":"snapshot","arg":{...},"data":[...]}
    "Bitget": Stream("/v2/ws/private", lambda f: f.get("code"), lambda f: "arg" in f and "data" in f),
    # a subscribe's {"channel":...,"event":"subscribe","error":{"code":4,"message":...}}, the API
    # login's {"header":{...},"data":{"errs":{"label":...,"message":...}}}; pushes event "update"
    "Gate": Stream(
        "/ws/v4/",
        lambda f: _error_field(f, "code") or ((f.get("data") or {}).get("errs") or {}).get("label"),
        lambda f: f.get("event") == "update",
    ),
    # {"type":"key-auth","success":false,"status_code":401,"error":{"code":"invalid_signature"}}
    "Delta": Stream("/", lambda f: _error_field(f, "code"), lambda f: f.get("type") in ("orders", "margins")),
    # {"type":"error","message":"authentication failure",...}; pushes the full channel's messages
    "Coinbase Exchange": Stream(
        "/",
        lambda f: f.get("message"),
        lambda f: f.get("type") not in (None, "error", "subscriptions", "heartbeat"),
    ),
    # {"status":401,"error":"...","request":{...}}; pushes {"table":"order","action":...,"data":[...]}
    "BitMEX": Stream("/realtime", lambda f: f.get("status"), lambda f: "table" in f and "data" in f),
    # ---- the token streams and Bitfinex (branch ws-sdk-tokens) ----
    # {"id","type":"error","code":401,"data":"token is expired"}; pushes {"type":"message","topic",...}
    "KuCoin": Stream("/", lambda f: f.get("code"), lambda f: f.get("type") == "message"),
    # {"error":"ESession:Invalid session","method":"subscribe","success":false}; pushes
    # {"channel":"executions","type":"snapshot","data":[...]}
    "Kraken": Stream(
        "/v2",
        lambda f: f.get("error"),
        lambda f: f.get("channel") in ("executions", "balances") and f.get("type") in ("snapshot", "update"),
    ),
    # {"event":"auth","status":"FAILED","code":10100,"msg":...}; pushes [0,"os",[...]], [0,"ws",[...]]
    "Bitfinex": Stream(
        "/ws/2",
        lambda f: f.get("code"),
        lambda f: isinstance(f, list) and len(f) > 2 and f[0] == 0 and f[1] in ("os", "ws", "on", "wu"),
        arrays=True,
    ),
    # {"event":"login","errorCode":"30005","errorMessage":...}; pushes {"table":"spot/user/order","data":[...]}
    "BitMart": Stream("/user", lambda f: f.get("errorCode"), lambda f: "table" in f and "data" in f),
    # JSON-RPC {"jsonrpc","id","error":{"code":13004,"message":...}}; pushes {"method":"subscription","params":...}
    "Deribit": Stream("/ws/api/v2", lambda f: _error_field(f, "code"), lambda f: f.get("method") == "subscription"),
}


# ---- the streams of the Coinbase Advanced, Binance and ccxt.pro blocks (setdefault: another block may
# describe the same stream) --------------------------------------------------------------------------
for _name, _stream in {
    # {"type":"error","message":"authentication failure"}; pushes {"channel":"user","events":[...]}
    "Coinbase Advanced": Stream("/", lambda f: f.get("message"), lambda f: f.get("channel") in ("user", "heartbeats")),
    # the WebSocket API's {"id","status":401,"error":{"code":-1022,"msg"}}; pushes
    # {"subscriptionId":0,"event":{"e":"outboundAccountPosition",...}}
    "Binance": Stream("/ws-api/v3", lambda f: _error_field(f, "code"), lambda f: "subscriptionId" in f and "event" in f),
    # {"id","type":"error","code":401,"data":"token is expired"}; pushes {"type":"message","topic",...}
    "KuCoin": Stream("/", lambda f: f.get("code"), lambda f: f.get("type") == "message"),
    # {"error":"ESession:Invalid session","method":"subscribe","success":false}; pushes
    # {"channel":"executions","type":"snapshot","data":[...]}
    "Kraken": Stream("/v2", lambda f: f.get("error"), lambda f: f.get("channel") not in (None, "heartbeat", "status")),
    # {"event":"auth","status":"FAILED","code":10100,"msg"}; then the account's snapshots on channel 0,
    # arrays [0, "os" | "ws", [...]] (kept by _frames as {"array": [...]})
    "Bitfinex": Stream(
        "/ws/2",
        lambda f: f.get("code"),
        lambda f: isinstance(f.get("array"), list) and f["array"][:1] == [0] and f["array"][1:2] not in (["hb"], []),
    ),
    # JSON-RPC {"error":{"code":13004,"message":"invalid_credentials"}}; pushes {"method":"subscription",...}
    "Deribit": Stream("/ws/api/v2", lambda f: _error_field(f, "code"), lambda f: f.get("method") == "subscription"),
    # {"event":"login","errorCode":30013,...}; pushes {"table":"spot/user/order","data":[...]}
    "BitMart": Stream("/user", lambda f: f.get("errorCode"), lambda f: "table" in f and "data" in f),
}.items():
    STREAMS.setdefault(_name, _stream)


# ---------------------------------------------------------------------------------------------
# The tap: a loopback proxy that records the websocket frames both ways.
# ---------------------------------------------------------------------------------------------


@dataclass
class TapConnection:
    """One proxied connection: the upgrade request, and the messages each way, decoded."""

    request_line: str = ""
    request_headers: dict = field(default_factory=dict)
    status_line: str = ""
    sent: list[str] = field(default_factory=list)  # the client's text (or binary, decoded) messages
    received: list[str] = field(default_factory=list)  # the server's
    close_reason: str = ""  # the server's close frame: code and reason

    @property
    def path(self) -> str:
        parts = self.request_line.split(" ")
        return parts[1] if len(parts) > 1 else ""

    @property
    def websocket(self) -> bool:
        """Whether the client asked for a websocket (else a plain HTTP call went through the tap)."""
        return self.request_headers.get("upgrade", "").lower() == "websocket"


class _FrameReader:
    """Decodes one direction of a websocket connection: the HTTP head, then frames (client
    frames are masked; fragments are joined; pings, pongs and closes are not messages). When
    `on_head` says no frames follow (a plain HTTP call, e.g. a stream token's REST request), the
    rest is forwarded undecoded."""

    def __init__(self, on_head: Callable[[bytes], bool], on_message: Callable[[str], None], on_close):
        self.buffer = b""
        self.head_done = False
        self.frames_follow = True
        self.fragments = b""
        self.on_head, self.on_message, self.on_close = on_head, on_message, on_close
        self.fed = 0  # bytes fed so far
        self.frame_ends: list[int] = []  # where each complete frame ended, counted in bytes fed

    def feed(self, data: bytes) -> None:
        if not self.frames_follow:
            return
        self.buffer += data
        self.fed += len(data)
        if not self.head_done:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            self.frames_follow = self.on_head(self.buffer[:end])
            self.buffer = self.buffer[end + 4 :]
            self.head_done = True
            if not self.frames_follow:
                self.buffer = b""
                return
        while len(self.buffer) >= 2:
            first, second = self.buffer[0], self.buffer[1]
            length, at = second & 0x7F, 2
            if length == 126:
                if len(self.buffer) < 4:
                    return
                length, at = int.from_bytes(self.buffer[2:4], "big"), 4
            elif length == 127:
                if len(self.buffer) < 10:
                    return
                length, at = int.from_bytes(self.buffer[2:10], "big"), 10
            mask = b""
            if second & 0x80:
                mask, at = self.buffer[at : at + 4], at + 4
            if len(self.buffer) < at + length:
                return
            payload = self.buffer[at : at + length]
            self.buffer = self.buffer[at + length :]
            self.frame_ends.append(self.fed - len(self.buffer))
            if mask:
                payload = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
            opcode = first & 0x0F
            if opcode == 8:
                code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
                self.on_close(f"{code} {payload[2:].decode('utf-8', 'replace')}".strip())
            elif opcode in (0, 1, 2):
                self.fragments += payload
                if first & 0x80:
                    self.on_message(self.fragments.decode("utf-8", "replace"))
                    self.fragments = b""


class Tap:
    """A loopback listener whose connections are forwarded, byte for byte, to the local
    exchange, and recorded. Closing it closes every connection under the SDK."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.latency = 0.0  # seconds each chunk from the server waits before it is forwarded
        self.connections: list[TapConnection] = []
        self.changed = threading.Condition()
        self.closed = False
        self.sockets: list[socket.socket] = []
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.listener.getsockname()[1]}{path}"

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=SOCKET_TIMEOUT)
            except OSError:
                client.close()
                continue
            record = TapConnection()
            with self.changed:
                self.connections.append(record)
                self.sockets += [client, server]

            def client_head(head: bytes, record=record) -> bool:
                lines = head.decode("latin-1").split("\r\n")
                record.request_line = lines[0]
                fields = (line.partition(":") for line in lines[1:])
                record.request_headers = {name.strip().lower(): value.strip() for name, _, value in fields}
                return record.websocket

            def server_head(head: bytes, record=record) -> bool:
                record.status_line = head.decode("latin-1").split("\r\n")[0]
                return record.websocket

            def note(target: list, record=record) -> Callable[[str], None]:
                def add(message: str) -> None:
                    with self.changed:
                        target.append(message)
                        self.changed.notify_all()

                return add

            def closing(reason: str, record=record) -> None:
                with self.changed:
                    record.close_reason = reason
                    self.changed.notify_all()

            upward = _FrameReader(client_head, note(record.sent), lambda reason: None)
            downward = _FrameReader(server_head, note(record.received), closing)
            threading.Thread(target=self._pump, args=(client, server, upward), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, downward, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, reader: _FrameReader, downward=False) -> None:
        source.settimeout(None)  # closing the tap ends a wait; the case's deadline bounds it
        sink.settimeout(SOCKET_TIMEOUT)
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                start = reader.fed
                reader.feed(data)
                if downward and self.latency:
                    # Each frame its own delivery, as frames written apart reach a real client apart.
                    cuts = [end - start for end in reader.frame_ends if start < end < start + len(data)]
                    reader.frame_ends.clear()
                    for begin, end in zip([0] + cuts, cuts + [len(data)]):
                        time.sleep(self.latency)
                        sink.sendall(data[begin:end])
                    continue
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        with self.changed:
            self.changed.notify_all()

    def wait(self, settled: Callable[["Tap"], bool], seconds: float = SETTLE_SECONDS) -> bool:
        deadline = time.monotonic() + seconds
        with self.changed:
            while not settled(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(min(left, 0.25))
        return True

    def close(self) -> None:
        self.closed = True
        try:
            self.listener.close()
        except OSError:
            pass
        with self.changed:
            sockets = list(self.sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


def _frames(messages: list[str], arrays: bool = False) -> list:
    """The messages that are JSON objects (and, with `arrays`, JSON arrays), parsed."""
    frames = []
    for message in messages:
        try:
            value = json.loads(message)
        except ValueError:
            continue
        if isinstance(value, dict) or (arrays and isinstance(value, list)):
            frames.append(value)
        elif isinstance(value, list):
            # Bitfinex's channel messages are arrays ([chanId, type, data]): kept as {"array": [...]}.
            frames.append({ARRAY: value})
    return frames


ARRAY = "array"


# Fields whose values name the message (kept in a shape); every other value shows as its type.
_NAMING_FIELDS = {"op", "type", "event", "channel", "method", "name"}


def shape(message: str) -> str:
    """A message's layout with its values replaced by their JSON types (`"str"`, `int`), keeping the
    values that name the message (op, type, event, channel): what an SDK's login looks like."""
    try:
        value = json.loads(message)
    except ValueError:
        return repr(message[:40])

    def walk(value: Any, name: str = "") -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{key}: {walk(item, key)}" for key, item in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(walk(item, name) for item in value[:4]) + "]"
        if isinstance(value, str):
            return json.dumps(value) if name in _NAMING_FIELDS else "str"
        if isinstance(value, bool) or value is None:
            return json.dumps(value)
        return "int" if isinstance(value, int) else "float"

    return walk(value)


def login_message(connection: TapConnection) -> str:
    """The first message the client sent (its login or signed subscribe), pings aside."""
    for message in connection.sent:
        frame = _as_frame(message)
        if frame is not None and not any(str(value).endswith("ping") for value in frame.values()):
            return message
    return ""


def refusal(connection: TapConnection) -> Optional[dict]:
    """The local exchange's refusal on this connection: an error frame it marked."""
    return next((frame for frame in _frames(connection.received) if "cexsign_reason" in frame), None)


def settled_for(stream: Stream) -> Callable[[Tap], bool]:
    """An event or a refusal arrived, or the server closed a connection."""

    def settled(tap: Tap) -> bool:
        for connection in tap.connections:
            frames = _frames(connection.received, stream.arrays)
            if any(stream.is_event(frame) or (isinstance(frame, dict) and "cexsign_reason" in frame) for frame in frames):
                return True
            if connection.close_reason:
                return True
        return False

    return settled


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------


@dataclass
class WsCase:
    sdk: str
    distribution: str  # the PyPI distribution, for its version
    exchange: str  # a key of STREAMS
    call: str  # the SDK calls, for the report
    expect: Expect
    # Drives the SDK against the tap; returns the messages its callback received (parsed or not),
    # or None where the SDK has no callback to judge (then the wire alone decides).
    run: Callable[[Tap], Optional[list]]
    seam: str = ""
    # Whether what the SDK handed over holds the event; default: one of its messages is the event.
    delivered: Optional[Callable[[list], bool]] = None


@dataclass
class WsOutcome:
    case: WsCase
    passed: bool
    got: Optional[Got]
    note: str
    connection: Optional[TapConnection]
    error: str = ""


WS_CASES: list[WsCase] = []

SILENCE = "(no answer)"


def known_server_bug_ws(what: str, why: str) -> Expect:
    """A login the real exchange accepts that the local exchange does not read at all (it answers
    nothing): passes while the local exchange stays silent, FAILS once it answers (flip to accept)."""
    return known_server_bug(SILENCE, "", f"{what}: {why}")


def ws_case(sdk, distribution, exchange, call, expect=ACCEPT, seam="", delivered=None):
    def register(run):
        WS_CASES.append(WsCase(sdk, distribution, exchange, call, expect, run, seam, delivered))
        return run

    return register


def _as_frame(item: Any) -> Optional[dict]:
    if isinstance(item, dict):
        return item
    text = getattr(item, "body", item)  # gate-ws hands over a WebSocketResponse
    if isinstance(text, (bytes, bytearray)):
        text = text.decode("utf-8", "replace")
    if isinstance(text, str):
        try:
            value = json.loads(text)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None
    return None


def run_case(item: WsCase, upstream: tuple[str, int]) -> WsOutcome:
    stream = STREAMS[item.exchange]
    tap = Tap(upstream)
    guard_before = len(GUARD_HITS)
    result: dict[str, Any] = {}

    def drive() -> None:
        try:
            result["received"] = item.run(tap)
        except BaseException as exc:  # SDKs raise on refusals, and on the tap closing under them
            result["error"] = f"{type(exc).__name__}: {str(exc)[:160]}"

    thread = threading.Thread(target=drive, daemon=True)
    thread.start()
    thread.join(CASE_SECONDS)
    timed_out = thread.is_alive()
    tap.close()
    error = result.get("error", "")
    if len(GUARD_HITS) > guard_before:
        note = f"tried to leave loopback: {', '.join(GUARD_HITS[guard_before:])}"
        return WsOutcome(item, False, None, note, None, error)
    if not tap.connections:
        return WsOutcome(item, False, None, "no websocket connection reached the local exchange", None, error)
    # The first websocket connection: a token flow's REST call may have gone through the tap first.
    connection = next((c for c in tap.connections if c.websocket), tap.connections[0])
    if connection.path.split("?")[0] != stream.path:
        note = f"connected to {connection.path}, the local exchange serves {item.exchange} at {stream.path}"
        return WsOutcome(item, False, None, note, connection, error)
    refused = next((r for r in map(refusal, tap.connections) if r is not None), None)
    events = [frame for c in tap.connections for frame in _frames(c.received, stream.arrays) if stream.is_event(frame)]
    status = connection.status_line.split(" ")
    if len(status) > 1 and status[1] != "101":  # the upgrade itself was refused
        got = Got(False, int(status[1]) if status[1].isdigit() else 0, f"HTTP {status[1]}", connection.status_line)
    elif refused is not None:
        diagnosis = refused.get("cexsign_diagnosis")
        mistake = diagnosis.get("mistake") if isinstance(diagnosis, dict) else None
        reason = str(refused.get("cexsign_reason", ""))
        got = Got(False, 0, str(stream.code(refused)), reason, mistake, isinstance(diagnosis, dict))
    elif connection.close_reason and not events:
        got = Got(False, 0, f"close {connection.close_reason}", connection.close_reason)
    elif events:
        got = Got(True, 200)
    elif item.expect.kind == "server-bug" and not any(c.received for c in tap.connections):
        got = Got(False, 0, SILENCE, "the local exchange answered nothing: no login answer, no event")
    else:
        note = "neither an event nor a refusal arrived" + (" (the case timed out)" if timed_out else "")
        return WsOutcome(item, False, None, note, connection, error)
    passed, note = judge(item.expect, got)
    if passed and got.accepted:
        # An SDK that raised handed nothing over; one whose run returns None has no callback to judge.
        received = result["received"] if "received" in result else []
        if item.delivered is not None:
            handed_over = received is not None and item.delivered(received)
        else:
            handed_over = received is None or any(
                (frame := _as_frame(entry)) is not None and stream.is_event(frame) for entry in received
            )
        if not handed_over:
            passed, note = False, "the event arrived on the wire but the SDK's callback never received it"
    if passed and not got.accepted and events:
        passed, note = False, "refused, yet an event was pushed"
    return WsOutcome(item, passed, got, note, connection, error)


# ---------------------------------------------------------------------------------------------
# Driving the SDKs
# ---------------------------------------------------------------------------------------------


def handed_over(received: list, stream: Stream, seconds: float = 3.0) -> None:
    """Waits (a little) for the SDK's own thread to hand the event the tap saw to its callback."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any((frame := _as_frame(entry)) is not None and stream.is_event(frame) for entry in list(received)):
            return
        time.sleep(0.05)


def run_async(coroutine_function: Callable[[], Any], seconds: float = SETTLE_SECONDS + 5) -> Any:
    """Runs an SDK's coroutine on a fresh event loop (this thread's), under a deadline."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(asyncio.wait_for(coroutine_function(), seconds))
    finally:
        try:
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.wait_for(asyncio.gather(*pending, return_exceptions=True), 5))
        except Exception:
            pass
        loop.close()


def define_cases(base: str, accounts: dict[str, dict]) -> list[tuple[str, Callable[[], None]]]:
    """Registers the cases, SDK by SDK: (sdk, setup) pairs run one at a time, so that an SDK that
    fails to import fails its own cases only."""
    okx_live, okx_demo = accounts["OKX live"], accounts["OKX demo"]
    bybit = accounts["Bybit (HMAC)"]
    bitget = accounts["Bitget"]
    gate = accounts["Gate"]
    delta = accounts["Delta"]
    cbx = accounts["Coinbase Exchange"]
    bitmex = accounts.get("BitMEX")
    # The token streams and Bitfinex (branch ws-sdk-tokens).
    kucoin = accounts["KuCoin v3"]
    kraken = accounts["Kraken (python-kraken-sdk)"]
    bitfinex = accounts["Bitfinex (bitfinex-api-py)"]
    bitmart = accounts["BitMart"]
    deribit = accounts["Deribit"]

    # ---- python-okx (official): WsPrivateAsync ------------------------------------------------
    def setup_python_okx() -> None:
        import okx.websocket.WebSocketFactory as factory
        from okx.websocket.WsPrivateAsync import WsPrivateAsync

        seam = (
            "WsPrivateAsync(url=tap + '/ws/v5/private') (its URL option); its WebSocketFactory always passes an "
            "ssl context, which websockets refuses for ws://, so the factory's `websockets` is wrapped to drop it"
        )

        class PlainWebsockets:
            """websockets, minus the TLS context a ws:// URL cannot take (transport only)."""

            def __getattr__(self, name):
                return getattr(websockets, name)

            @staticmethod
            def connect(url, ssl=None, **kwargs):
                return websockets.connect(url, open_timeout=SOCKET_TIMEOUT, close_timeout=2, **kwargs)

        import websockets

        factory.websockets = PlainWebsockets()

        import okx.websocket.WsUtils as ws_utils

        def drive(tap: Tap, channel: str, secret: str = okx_live["secret"], clock_behind: float = 0) -> list:
            received: list = []

            async def session():
                client = WsPrivateAsync(
                    apiKey=okx_live["api_key"],
                    passphrase=okx_live["passphrase"],
                    secretKey=secret,
                    url=tap.url("/ws/v5/private"),
                )
                await client.start()
                # subscribe() logs in, sleeps 5 s (the SDK's own wait for the login answer), subscribes.
                await client.subscribe([{"channel": channel, "instType": "ANY"}], received.append)
                await asyncio.get_running_loop().run_in_executor(None, tap.wait, settled_for(STREAMS["OKX"]))
                await client.stop()

            # A machine whose clock is behind: the login's timestamp is read from WsUtils' `time`.
            real_time = ws_utils.time
            if clock_behind:
                ws_utils.time = type("SkewedClock", (), {"time": staticmethod(lambda: real_time.time() - clock_behind)})
            try:
                run_async(session)
            finally:
                ws_utils.time = real_time
            return received

        for channel in ("orders", "account"):
            ws_case(
                "python-okx",
                "python-okx",
                "OKX",
                f"WsPrivateAsync.start(); subscribe([{{'channel': '{channel}', 'instType': 'ANY'}}], callback)",
                accept(
                    "login {op: login, args: [{apiKey, passphrase, timestamp, sign}]} with a JSON number timestamp "
                    "(int(time.time()), seconds; the docs type it as a string, AUTH.md section 6 notes the integer)"
                ),
                seam,
            )(lambda tap, channel=channel: drive(tap, channel))
        ws_case(
            "python-okx",
            "python-okx",
            "OKX",
            "WsPrivateAsync(...) on a machine whose clock is 60 s behind; subscribe(orders)",
            reject(
                "60006",
                "misuse trap: the login's timestamp is the local clock's (int(time.time())); OKX's login expires "
                "30 s after its timestamp (AUTH.md section 6), and 60006 is OKX's 'Timestamp request expired'",
            ),
            seam,
        )(lambda tap: drive(tap, "orders", clock_behind=60))
        ws_case(
            "python-okx",
            "python-okx",
            "OKX",
            "WsPrivateAsync(secretKey=<another key's secret>); subscribe(orders)",
            reject("60007", "a wrong secret: OKX's websocket 'Invalid sign' (its 600xx login codes)"),
            seam,
        )(lambda tap: drive(tap, "orders", secret=okx_demo["secret"]))

    # ---- pybit (official): WebSocket(channel_type='private') ------------------------------------
    def setup_pybit() -> None:
        import pybit._helpers as pybit_helpers
        import pybit.unified_trading as unified_trading

        seam = (
            "pybit.unified_trading.PRIVATE_WSS = tap + '/v5/private' (the module constant WebSocket() reads; it "
            "has no URL option, only testnet/demo/domain/tld to fill in the wss://{SUBDOMAIN}.{DOMAIN}.{TLD} host); "
            "the tap delays the server's frames by 200 ms, since pybit sets a topic's callback after sending its "
            "subscribe and drops an event that comes first"
        )

        def drive(tap: Tap, stream_name: str, clock_behind: float = 0, **options) -> list:
            received: list = []
            # pybit registers a topic's callback only after it has sent the subscribe, and the local
            # exchange pushes the channel's event at once (Bybit pushes on changes): a network's
            # latency keeps the event from racing the registration, as on a real connection.
            tap.latency = 0.2
            unified_trading.PRIVATE_WSS = tap.url("/v5/private")
            # A machine whose clock is behind: the auth's expires is read from _helpers' `time`.
            real_time = pybit_helpers.time
            if clock_behind:
                pybit_helpers.time = type(
                    "SkewedClock", (), {"time": staticmethod(lambda: real_time.time() - clock_behind)}
                )
            try:
                client = unified_trading.WebSocket(
                    testnet=False,
                    channel_type="private",
                    api_key=bybit["api_key"],
                    api_secret=bybit["secret"],
                    # Not retries=1: pybit raises "Too many connection attempts" after its last
                    # attempt even when that attempt connected, so one attempt always fails.
                    retries=3,
                    restart_on_error=False,
                    **options,
                )
            finally:
                pybit_helpers.time = real_time
            try:
                getattr(client, stream_name)(callback=received.append)
                tap.wait(settled_for(STREAMS["Bybit"]))
                handed_over(received, STREAMS["Bybit"])
            finally:
                client.exit()
            return received

        for stream_name in ("order_stream", "wallet_stream"):
            ws_case(
                "pybit",
                "pybit",
                "Bybit",
                f"WebSocket(channel_type='private').{stream_name}(callback)",
                accept(
                    "auth {op: auth, args: [key, expires, signature]}: expires = now + 1 s in milliseconds, a JSON "
                    "number, signature hex(HMAC-SHA256(secret, 'GET/realtime' + expires)) (AUTH-more section 2)"
                ),
                seam,
            )(lambda tap, stream_name=stream_name: drive(tap, stream_name))
        ws_case(
            "pybit",
            "pybit",
            "Bybit",
            "WebSocket(channel_type='private') on a clock 2 s behind; order_stream(callback)",
            reject(
                "Params Error",
                "pybit's expires (milliseconds) is only 1 s ahead (private_auth_expire=1): on a clock 2 s "
                "behind it is already past when Bybit reads it, refused with 'Params Error' (pybit issues 152 and "
                "300, same answer)",
            ),
            seam,
        )(lambda tap: drive(tap, "order_stream", clock_behind=2))
        ws_case(
            "pybit",
            "pybit",
            "Bybit",
            "WebSocket(channel_type='private', private_auth_expire=10) on a clock 2 s behind; order_stream(callback)",
            accept("the same clock with pybit's own remedy (pybit PR 154's private_auth_expire): expires 8 s ahead"),
            seam,
        )(lambda tap: drive(tap, "order_stream", clock_behind=2, private_auth_expire=10))

    # ---- python-bitget: BitgetWsClient --------------------------------------------------------
    def setup_python_bitget() -> None:
        from pybitget.stream import BitgetWsClient

        def drive(tap: Tap) -> list:
            received: list = []
            client = BitgetWsClient(
                api_key=bitget["api_key"],
                api_secret=bitget["secret"],
                passphrase=bitget["passphrase"],
                ws_url=tap.url("/v2/ws/private"),
            )
            client.listener(received.append).error_listener(received.append)
            # build() connects, logs in and waits (without a deadline) for the login answer.
            threading.Thread(target=client.build, daemon=True).start()
            try:
                tap.wait(settled_for(STREAMS["Bitget"]))
            finally:
                client._BitgetWsClient__reconnect_status = True  # no reconnect once the tap closes
            return received

        ws_case(
            "python-bitget",
            "python-bitget",
            "Bitget",
            "BitgetWsClient(ws_url=...).build() (logs in before any subscribe)",
            reject(
                "30011",
                "python-bitget's WsLoginReq names the key api_key, not apiKey (AUTH-more section 4): the login "
                "carries no apiKey, so Bitget refuses it; the signature itself (seconds + 'GET/user/verify') is right",
                mistake="bitget-ws-api-key-field",
            ),
            "BitgetWsClient(ws_url=tap + '/v2/ws/private') (its URL option; its default is the retired v1 "
            "wss://ws.bitget.com/mix/v1/stream)",
        )(drive)

    # ---- gate-ws (official): Connection + SpotOrderChannel / SpotBalanceChannel ---------------
    def setup_gate_ws() -> None:
        from gate_ws import Configuration, Connection
        from gate_ws.spot import SpotBalanceChannel, SpotLoginChannel, SpotOrderChannel

        def drive(tap: Tap, channel_class, payload, login_first: bool = False, secret: str = gate["secret"]) -> list:
            received: list = []

            async def session():
                configuration = Configuration(
                    host=tap.url("/ws/v4/"), api_key=gate["api_key"], api_secret=secret, max_retry=1
                )
                connection = Connection(configuration)
                if login_first:
                    SpotLoginChannel(connection, lambda _connection, response: received.append(response)).login(
                        "", "cexsign-login-1"
                    )
                channel_class(connection, lambda _connection, response: received.append(response)).subscribe(
                    payload
                )
                running = asyncio.ensure_future(connection.run())
                await asyncio.get_running_loop().run_in_executor(None, tap.wait, settled_for(STREAMS["Gate"]))
                # The callback runs on an executor.
                await asyncio.get_running_loop().run_in_executor(None, handed_over, received, STREAMS["Gate"])
                connection.close()
                await asyncio.wait_for(running, 5)

            run_async(session)
            return received

        for channel_class, payload in ((SpotOrderChannel, ["BTC_USDT"]), (SpotBalanceChannel, [])):
            ws_case(
                "gate-ws",
                "gate-ws",
                "Gate",
                f"Connection(Configuration(host=...)); {channel_class.__name__}(conn, callback).subscribe({payload})",
                accept(
                    "the signed subscribe {time, channel, event: subscribe, payload, auth: {method: api_key, KEY, "
                    "SIGN}}, SIGN = hex(HMAC-SHA512(secret, 'channel=...&event=subscribe&time=...')) "
                    "(AUTH-more section 5)"
                ),
                "Configuration(host=tap + '/ws/v4/') (its host option)",
            )(lambda tap, channel_class=channel_class, payload=payload: drive(tap, channel_class, payload))
        ws_case(
            "gate-ws",
            "gate-ws",
            "Gate",
            "SpotLoginChannel(conn).login('', 'cexsign-login-1'); SpotBalanceChannel(conn, callback).subscribe([])",
            accept(
                "the WebSocket API login {time, channel: spot.login, event: api, payload: {req_header, api_key, "
                "timestamp, signature, req_id, req_param: {}}}, signature = hex(HMAC-SHA512(secret, "
                "'api\\nspot.login\\n{}\\n' + time)) (AUTH-more section 5); then a signed subscribe"
            ),
            "Configuration(host=tap + '/ws/v4/') (its host option)",
        )(lambda tap: drive(tap, SpotBalanceChannel, [], login_first=True))
        ws_case(
            "gate-ws",
            "gate-ws",
            "Gate",
            "Configuration(api_secret=<another key's secret>); SpotOrderChannel(conn, ...).subscribe(['BTC_USDT'])",
            reject("4", "a wrong secret: the signed subscribe refused with Gate's websocket error 4, authentication"),
            "Configuration(host=tap + '/ws/v4/') (its host option)",
        )(lambda tap: drive(tap, SpotOrderChannel, ["BTC_USDT"], secret=bitget["secret"]))

    # ---- cbpro: WebsocketClient(auth=True) ----------------------------------------------------
    # (coinbasepro 0.4.2, the other Coinbase Exchange SDK of suite.py, has no websocket client.)
    def setup_cbpro() -> None:
        import cbpro

        def drive(tap: Tap) -> list:
            received: list = []

            class Client(cbpro.WebsocketClient):
                def on_open(self):
                    pass

                def on_message(self, msg):
                    received.append(msg)

                def on_error(self, e, data=None):
                    self.error, self.stop = e, True

                def on_close(self):
                    pass

            client = Client(
                url=tap.url("/"),
                products=["BTC-USD"],
                channels=["user"],
                auth=True,
                api_key=cbx["api_key"],
                api_secret=cbx["secret"],
                api_passphrase=cbx["passphrase"],
                should_print=False,
            )
            client.start()
            try:
                tap.wait(settled_for(STREAMS["Coinbase Exchange"]))
                handed_over(received, STREAMS["Coinbase Exchange"])
            finally:
                client.stop = True
            return received

        ws_case(
            "cbpro",
            "cbpro",
            "Coinbase Exchange",
            "WebsocketClient(url=..., channels=['user'], auth=True, ...).start()",
            accept(
                "the signed subscribe {type: subscribe, product_ids, channels, signature, key, passphrase, "
                "timestamp}, timestamp str(time.time()) (fractional seconds), signed as GET /users/self/verify "
                "(AUTH.md section 3)"
            ),
            "WebsocketClient(url=tap) (its URL option; it strips the trailing '/', so the upgrade asks for /)",
        )(drive)

    # ---- Delta: delta-rest-client has no websocket client -------------------------------------
    def documented_frames(tap: Tap, exchange: str, login: dict, subscribe: dict) -> list:
        """A stream driven with the frames the exchange's docs show, sent with websockets: the login,
        its answer, the subscribe, then messages until the channel's event (or the deadline)."""
        import websockets

        stream = STREAMS[exchange]
        received: list = []

        async def session():
            async with websockets.connect(
                tap.url(stream.path), open_timeout=SOCKET_TIMEOUT, close_timeout=2, compression=None
            ) as ws:
                await ws.send(json.dumps(login))
                received.append(await asyncio.wait_for(ws.recv(), SOCKET_TIMEOUT))
                await ws.send(json.dumps(subscribe))
                deadline = time.monotonic() + SETTLE_SECONDS
                while time.monotonic() < deadline:
                    message = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
                    received.append(message)
                    frame = _as_frame(message)
                    if frame is not None and stream.is_event(frame):
                        break

        try:
            run_async(session)
        except (asyncio.TimeoutError, OSError, websockets.ConnectionClosed):
            pass  # judged from the wire
        return received

    def setup_delta() -> None:
        from delta_rest_client.delta_rest_client import generate_signature

        def drive(tap: Tap, auth_type: str, secret: str = delta["secret"], clock_behind: int = 0) -> list:
            # As Delta's docs' Python sample: GET + timestamp + /live, hex HMAC-SHA256.
            timestamp = str(int(time.time()) - clock_behind)
            signature = generate_signature(secret, "GET" + timestamp + "/live")
            payload = {"api-key": delta["api_key"], "signature": signature, "timestamp": timestamp}
            subscribe = {"type": "subscribe", "payload": {"channels": [{"name": "orders", "symbols": ["all"]}]}}
            return documented_frames(tap, "Delta", {"type": auth_type, "payload": payload}, subscribe)

        seam = (
            "delta-rest-client 1.0.14 has no websocket client (and ccxt 4.5.90 has no delta in ccxt.pro): Delta's "
            "documented frames sent with websockets to tap + '/', signed with delta-rest-client's generate_signature"
        )
        for auth_type, why in (
            ("key-auth", "the current login (India docs, changelog 08.10.25), timestamp a string of seconds"),
            ("auth", "the older login, same payload: the Global docs still document only it (AUTH.md section 4)"),
        ):
            ws_case(
                "delta (docs' frames)",
                "delta-rest-client",
                "Delta",
                f"{{type: {auth_type}, payload: {{api-key, signature, timestamp}}}}; subscribe orders",
                accept(why),
                seam,
            )(lambda tap, auth_type=auth_type: drive(tap, auth_type))
        ws_case(
            "delta (docs' frames)",
            "delta-rest-client",
            "Delta",
            "{type: key-auth, ...} signed with another key's secret",
            reject("invalid_signature", "a wrong secret: Delta's 401 invalid_signature (AUTH.md section 4's table)"),
            seam,
        )(lambda tap: drive(tap, "key-auth", secret=cbx["secret"]))
        ws_case(
            "delta (docs' frames)",
            "delta-rest-client",
            "Delta",
            "{type: key-auth, ...} from a clock 30 s behind",
            reject(
                "request_expired",
                "Delta's login window is 5 s: 408 request_expired, 'Timestamp header outside of allowed time "
                "window' (AUTH.md section 4's table)",
            ),
            seam,
        )(lambda tap: drive(tap, "key-auth", clock_behind=30))

    # ---- bitmex-ws (BitMEX's sample adapter): BitMEXWebsocket ---------------------------------
    # (ccxt 4.5.90's ccxt.pro has no bitmex, nor delta: no ccxt case for either stream.)
    def setup_bitmex_ws() -> None:
        import bitmex_websocket

        def drive(tap: Tap, secret: str) -> None:
            # It authenticates with handshake headers (api-expires, api-signature, api-key) and
            # subscribes in the URL (?subscribe=execution:XBTUSD,...,order:XBTUSD,...), then waits,
            # without a deadline, for the public tables' partials.
            bitmex_websocket.BitMEXWebsocket(
                endpoint=tap.url("/realtime"), symbol="XBTUSD", api_key=bitmex["api_key"], api_secret=secret
            )

        def run(tap: Tap, secret: Optional[str] = None) -> None:
            threading.Thread(target=drive, args=(tap, secret or bitmex["secret"]), daemon=True).start()
            tap.wait(settled_for(STREAMS["BitMEX"]), 6)
            return None

        ws_case(
            "bitmex-ws",
            "bitmex-ws",
            "BitMEX",
            "BitMEXWebsocket(endpoint=..., symbol='XBTUSD', api_key, api_secret)",
            accept(
                "the login as handshake headers (api-expires, api-signature, api-key: AUTH-breadth section 4, what "
                "BitMEX's own sample adapter and market maker send), verified as the signed GET /realtime; the "
                "URL's ?subscribe= topics the local exchange serves (margin) answered and pushed"
            ),
            "BitMEXWebsocket(endpoint=tap + '/realtime') (its endpoint option)",
        )(run)
        ws_case(
            "bitmex-ws",
            "bitmex-ws",
            "BitMEX",
            "BitMEXWebsocket(endpoint=..., symbol='XBTUSD', api_key, api_secret=<another secret>)",
            reject(
                "401",
                "a wrong secret in the handshake headers: BitMEX's {status: 401, error: 'Signature not valid.'} "
                "on the opened socket (the sample market maker reads a status 401 frame as 'API Key incorrect'), "
                "then the local exchange closes it",
            ),
            "BitMEXWebsocket(endpoint=tap + '/realtime') (its endpoint option)",
        )(lambda tap: run(tap, secret="0" * len(bitmex["secret"])))

        from util.api_key import generate_signature  # bitmex-ws's own signing helper

        def documented(tap: Tap) -> list:
            expires = int(time.time()) + 60
            signature = generate_signature(bitmex["secret"], "GET", "/realtime", expires, "")
            login = {"op": "authKeyExpires", "args": [bitmex["api_key"], expires, signature]}
            return documented_frames(tap, "BitMEX", login, {"op": "subscribe", "args": ["order"]})

        ws_case(
            "bitmex (docs' frames)",
            "bitmex-ws",
            "BitMEX",
            "{op: authKeyExpires, args: [key, expires, signature]}; {op: subscribe, args: [order]}",
            accept(
                "the documented login message (AUTH-breadth section 4): expires in seconds, signature "
                "hex(HMAC-SHA256(secret, 'GET/realtime' + expires)), from bitmex-ws's generate_signature"
            ),
            "BitMEX's documented frames sent with websockets to tap + '/realtime' (no SDK sends this message)",
        )(documented)

    # ---- ccxt.pro: watch_balance / watch_orders ------------------------------------------------
    def setup_ccxt_pro() -> None:
        import ccxt.pro

        # Markets as ccxt would load them over REST (which the local exchange answers with its echo,
        # not the exchange's market list): the ones the watch calls name, and no request for them.
        def market(symbol: str, market_id: str, kind: str = "spot") -> dict:
            base, quote = symbol.split("/")
            return dict(
                id=market_id, symbol=symbol, base=base, quote=quote, baseId=base, quoteId=quote, settle=None,
                type=kind, spot=kind == "spot", margin=False, swap=False, future=False, option=False,
                contract=False, linear=None, inverse=None, active=True, precision={}, limits={}, info={},
            )

        def pro(name: str, creds: dict, point: Callable[[Any, Tap], None], markets: list, options=None):
            def make(tap: Tap):
                config = {"apiKey": creds["api_key"], "secret": creds["secret"], "options": dict(options or {})}
                if "passphrase" in creds:
                    config["password"] = creds["passphrase"]
                exchange = getattr(ccxt.pro, name)(config)
                exchange.set_markets(markets)
                point(exchange, tap)
                return exchange

            return make

        def drive(tap: Tap, make, method: str, args: tuple) -> list:
            async def session():
                exchange = make(tap)
                try:
                    return [await asyncio.wait_for(getattr(exchange, method)(*args), SETTLE_SECONDS)]
                finally:
                    await exchange.close()

            return run_async(session)

        def set_url(path: tuple, ws_path: str) -> Callable[[Any, Tap], None]:
            def point(exchange, tap: Tap) -> None:
                urls = exchange.urls["api"]
                for key in path[:-1]:
                    urls = urls[key]
                urls[path[-1]] = tap.url(ws_path)

            return point

        def seam_of(path: tuple, ws_path: str) -> str:
            where = "".join(f"[{key!r}]" for key in path)
            return f"exchange.urls['api']{where} = tap + {ws_path!r}; set_markets(...) instead of load_markets()"

        # name, STREAMS key, credentials, where its private URL lives, the path set there, markets,
        # options, and the calls with their arguments.
        plans = [
            ("okx", "OKX", okx_live, ("ws",), "/ws/v5", [market("BTC/USDT", "BTC-USDT")], None,
             "login {op: login, args: [{apiKey, passphrase, timestamp, sign}]}, timestamp a string of seconds",
             [("watch_balance", ()), ("watch_orders", ())]),
            ("bybit", "Bybit", bybit, ("ws", "private", "contract"), "/v5/private", [],
             {"enableUnifiedMargin": False, "enableUnifiedAccount": True},
             "auth {op: auth, args: [key, expires, signature]}, expires now + 10 s in ms as a JSON string",
             [("watch_balance", ()), ("watch_orders", ())]),
            ("bitget", "Bitget", bitget, ("ws", "private"), "/v2/ws/private", [], None,
             "login {op: login, args: [{apiKey, passphrase, timestamp, sign}], url: <the socket's URL>}, timestamp "
             "a string of seconds (ccxt leaves its own `url` field in the login message; the login reads args only)",
             [("watch_balance", ()), ("watch_orders", ())]),
            ("gate", "Gate", gate, ("spot",), "/ws/v4/", [market("BTC/USDT", "BTC_USDT")], None,
             "the signed subscribe {time, id, channel, event: subscribe, payload, auth: {method, KEY, SIGN}}",
             [("watch_balance", ()), ("watch_orders", ("BTC/USDT",))]),
            ("coinbaseexchange", "Coinbase Exchange", cbx, ("ws",), "/", [market("BTC/USD", "BTC-USD")], None,
             "the signed subscribe {type: subscribe, product_ids, channels: [user], signature, key, passphrase, "
             "timestamp}",
             [("watch_orders", ("BTC/USD",))]),
        ]
        for name, exchange_name, creds, path, ws_path, markets, options, login, calls in plans:
            make = pro(name, creds, set_url(path, ws_path), markets, options)
            for method, args in calls:
                shown = ", ".join(repr(arg) for arg in args)
                ws_case(
                    "ccxt.pro",
                    "ccxt",
                    exchange_name,
                    f"{name}: {method}({shown})",
                    accept(login),
                    seam_of(path, ws_path),
                    delivered=lambda received: bool(received) and received[0] is not None,
                )(lambda tap, make=make, method=method, args=args: drive(tap, make, method, args))

    # ---- ccxt.pro with a wrong secret: the refusal in the exchange's own code --------------------
    def setup_ccxt_pro_refusals() -> None:
        import ccxt.pro

        def drive(tap: Tap) -> list:
            async def session():
                exchange = ccxt.pro.bitget(
                    {"apiKey": bitget["api_key"], "secret": gate["secret"], "password": bitget["passphrase"]}
                )
                exchange.set_markets([])
                exchange.urls["api"]["ws"]["private"] = tap.url("/v2/ws/private")
                try:
                    return [await asyncio.wait_for(exchange.watch_balance(), SETTLE_SECONDS)]
                finally:
                    await exchange.close()

            return run_async(session)

        ws_case(
            "ccxt.pro",
            "ccxt",
            "Bitget",
            "bitget (secret: another key's): watch_balance()",
            reject("30015", "a wrong secret: Bitget's websocket login error 30015, invalid signature"),
            "exchange.urls['api']['ws']['private'] = tap + '/v2/ws/private'; set_markets([])",
        )(drive)

    # ---- coinbase-advanced-py (official): WSClient on Advanced Trade's user channel ---------------
    cdp_es256, cdp_ed25519 = accounts["Coinbase CDP (ES256)"], accounts["Coinbase CDP (Ed25519)"]
    cb_hmac = accounts["Coinbase Advanced (legacy HMAC)"]

    def setup_coinbase_advanced_py() -> None:
        import coinbase.jwt_generator as jwt_generator
        from coinbase.websocket import WSClient

        seam = "WSClient(base_url=tap + '/') (its URL option; its default is wss://advanced-trade-ws.coinbase.com)"

        def drive(tap: Tap, creds: dict, secret: Optional[str] = None, clock_behind: float = 0) -> list:
            received: list = []
            # A machine whose clock is behind: the token's nbf and exp are read from jwt_generator's `time`.
            real_time = jwt_generator.time
            if clock_behind:
                jwt_generator.time = type(
                    "SkewedClock", (), {"time": staticmethod(lambda: real_time.time() - clock_behind)}
                )
            client = WSClient(
                api_key=creds["api_key"],
                api_secret=secret or creds["secret"],
                base_url=tap.url("/"),
                on_message=received.append,
                retry=False,
                timeout=int(SOCKET_TIMEOUT),
            )
            try:
                client.open()
                client.user(["BTC-USD"])  # one subscribe message per channel, each with a fresh JWT
                tap.wait(settled_for(STREAMS["Coinbase Advanced"]))
                handed_over(received, STREAMS["Coinbase Advanced"])
            finally:
                jwt_generator.time = real_time
                try:
                    client.close()
                except Exception:
                    pass
            return received

        token = (
            "the subscribe {type: subscribe, product_ids, channel: user, jwt}: a JWT per subscribe, ALG, header "
            "{kid, nonce}, claims {sub, iss: cdp, nbf, exp: nbf + 120} and no uri (AUTH.md section 2, 'WebSocket "
            "with CDP keys')"
        )
        for creds, alg in ((cdp_es256, "ES256 (PEM EC key)"), (cdp_ed25519, "EdDSA (base64 Ed25519 key)")):
            ws_case(
                "coinbase-advanced-py",
                "coinbase-advanced-py",
                "Coinbase Advanced",
                f"WSClient(api_key, api_secret: {alg}).open(); user(['BTC-USD'])",
                accept(token.replace("ALG", alg.split(" ")[0])),
                seam,
            )(lambda tap, creds=creds: drive(tap, creds))
        ws_case(
            "coinbase-advanced-py",
            "coinbase-advanced-py",
            "Coinbase Advanced",
            "WSClient(api_secret=<another CDP key's Ed25519 secret>).open(); user(['BTC-USD'])",
            reject("authentication failure", "a JWT signed with another key: Coinbase's websocket error frame"),
            seam,
        )(lambda tap: drive(tap, cdp_ed25519, secret=accounts["Backpack"]["secret"]))
        ws_case(
            "coinbase-advanced-py",
            "coinbase-advanced-py",
            "Coinbase Advanced",
            "WSClient(...) on a machine whose clock is 300 s behind; user(['BTC-USD'])",
            reject(
                "authentication failure",
                "the token's exp is nbf + 120 s from the local clock: 300 s behind, it has expired when it arrives",
            ),
            seam,
        )(lambda tap: drive(tap, cdp_es256, clock_behind=300))

    # ---- Coinbase Advanced, legacy HMAC key: no SDK signs the websocket with it ---------------------
    def setup_coinbase_advanced_hmac() -> None:
        import hashlib
        import hmac

        def drive(tap: Tap, secret: str = cb_hmac["secret"], clock_behind: int = 0) -> list:
            # The legacy websocket signature (Advanced Trade's retired "Sign with legacy keys" guide, ccxt
            # 4.5.90's coinbase create_ws_auth): hex(HMAC-SHA256(secret, timestamp + channel + products joined
            # with ',')), timestamp a string of seconds.
            timestamp = str(int(time.time()) - clock_behind)
            products = ["BTC-USD"]
            signed = (timestamp + "user" + ",".join(products)).encode()
            signature = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
            subscribe = {
                "type": "subscribe", "product_ids": products, "channel": "user",
                "api_key": cb_hmac["api_key"], "timestamp": timestamp, "signature": signature,
            }
            return documented_subscribe(tap, "Coinbase Advanced", subscribe)

        seam = (
            "coinbase-advanced-py 1.8.4 signs its websocket only with CDP keys (a JWT): the legacy key's documented "
            "signed subscribe sent with websockets to tap + '/'"
        )
        ws_case(
            "coinbase advanced (docs' frames)",
            "coinbase-advanced-py",
            "Coinbase Advanced",
            "{type: subscribe, product_ids, channel: user, api_key, timestamp, signature}",
            accept(
                "the legacy key's signed subscribe, timestamp a string of seconds, prehash timestamp + channel + "
                "product_ids joined with ',' (AUTH.md section 1, 'WebSocket (legacy keys)')"
            ),
            seam,
        )(drive)
        ws_case(
            "coinbase advanced (docs' frames)",
            "coinbase-advanced-py",
            "Coinbase Advanced",
            "the same signed with another key's secret",
            reject("authentication failure", "a wrong secret: Coinbase's websocket error frame"),
            seam,
        )(lambda tap: drive(tap, secret=accounts["Gate"]["secret"]))

    # ---- binance-sdk-spot (official, modular): SpotWebSocketAPI on the WebSocket API -------------
    binance_hmac, binance_ed25519 = accounts["Binance (HMAC)"], accounts["Binance (Ed25519)"]
    # A real Binance symbol whose name needs percent-encoding (AUTH-more section 3's non-ASCII example).
    non_ascii_symbol = "币安人生USDT"

    def setup_binance_sdk_spot() -> None:
        from binance_common.configuration import ConfigurationWebSocketAPI
        from binance_sdk_spot.spot import Spot

        seam = (
            "ConfigurationWebSocketAPI(stream_url=tap + '/ws-api/v3') (its URL option); the tap delays the server's "
            "frames by 200 ms, since the SDK registers a subscription's callback after reading its answer and "
            "drops an event that comes first"
        )

        def drive(tap: Tap, creds: dict, steps: str) -> list:
            received: list = []
            # Its stream's callback is registered only once the subscribe's answer is read, and the
            # local exchange pushes the account's event at once (Binance pushes on changes): a network's
            # latency keeps the event from racing the registration, as on a real connection.
            tap.latency = 0.2

            async def session():
                if creds.get("key_type") == "HMAC":
                    key = {"api_secret": creds["secret"]}
                else:
                    key = {"private_key": creds["secret"]}
                configuration = ConfigurationWebSocketAPI(
                    api_key=creds["api_key"], stream_url=tap.url("/ws-api/v3"), timeout=int(SOCKET_TIMEOUT * 1000),
                    reconnect_attempts=1, **key,
                )
                client = Spot(config_ws_api=configuration)
                connection = await client.websocket_api.create_connection()
                try:
                    if steps == "logon":
                        await connection.session_logon()
                        await connection.account_status()
                        subscribed = await connection.user_data_stream_subscribe()
                    elif steps == "logon only":
                        await connection.session_logon()
                        return
                    elif steps == "signature":
                        await connection.account_status()
                        subscribed = await connection.user_data_stream_subscribe_signature()
                    else:  # a signed order with a symbol that percent-encoding changes
                        await connection.order_test(symbol=non_ascii_symbol, side="BUY", type="MARKET", quantity=1.0)
                        return
                    subscribed.stream.on("message", received.append)
                    await asyncio.get_running_loop().run_in_executor(None, tap.wait, settled_for(STREAMS["Binance"]))
                    deadline = time.monotonic() + 3
                    while not received and time.monotonic() < deadline:
                        await asyncio.sleep(0.05)
                finally:
                    await connection.close_connection(close_session=True)

            run_async(session)
            return received

        ws_case(
            "binance-sdk-spot",
            "binance-sdk-spot",
            "Binance",
            "Ed25519 key: session_logon(); account_status(); user_data_stream_subscribe().stream.on('message', ...)",
            accept(
                "session.logon {id, method: session.logon, params: {apiKey, timestamp, signature}} signed as "
                "base64(Ed25519(apiKey=...&timestamp=...)); then account.status and userDataStream.subscribe with "
                "only a timestamp (the session's key; web-socket-api.md 'Session Authentication')"
            ),
            seam,
            delivered=lambda received: bool(received),
        )(lambda tap: drive(tap, binance_ed25519, "logon"))
        ws_case(
            "binance-sdk-spot",
            "binance-sdk-spot",
            "Binance",
            "HMAC key: account_status(); user_data_stream_subscribe_signature().stream.on('message', ...)",
            accept(
                "each request signed in its params {apiKey, timestamp, signature}: hex(HMAC-SHA256) of the params "
                "sorted by name (AUTH-more section 3); an HMAC key cannot log on, so it subscribes by signature"
            ),
            seam,
            delivered=lambda received: bool(received),
        )(lambda tap: drive(tap, binance_hmac, "signature"))
        ws_case(
            "binance-sdk-spot",
            "binance-sdk-spot",
            "Binance",
            "HMAC key: session_logon()",
            reject(
                "-1002",
                "misuse trap: session.logon takes Ed25519 keys only (web-socket-api.md 'Session Authentication'); the "
                "SDK signs it with the HMAC key anyway. The local exchange answers -1002 (its own tests pin it); "
                "Binance's testnet answers -4056 'HMAC_SHA256 API key is not supported.' (a Go WebSocket API "
                "client's test against the testnet): a disagreement, reported",
                mistake="binance-session-logon-needs-ed25519",
            ),
            seam,
        )(lambda tap: drive(tap, binance_hmac, "logon only"))
        for creds in (binance_ed25519, binance_hmac):
            ws_case(
                "binance-sdk-spot",
                "binance-sdk-spot",
                "Binance",
                f"{creds['key_type']} key: order_test(symbol='{non_ascii_symbol}', side='BUY', type='MARKET', quantity=1)",
                reject(
                    "-1022",
                    "binance-common 4.6.0's websocket_api_signature signs urlencode(params): the symbol's UTF-8 "
                    "percent-encoded in the payload but sent raw, where the WebSocket API signs raw values "
                    "(web-socket-api.md: no percent-encoding; AUTH-more section 3). Still so in binance-sdk-spot "
                    "13.2.0; binance-connector-rust fixed the same bug in 62.2.2 (its issue 106)",
                    mistake="binance-ws-values-percent-encoded",
                ),
                seam,
            )(lambda tap, creds=creds: drive(tap, creds, "order"))

    # ---- binance-connector (the older official connector): SpotWebsocketAPIClient ----------------
    def setup_binance_connector() -> None:
        from binance.lib.utils import websocket_api_signature
        from binance.websocket.spot.websocket_api import SpotWebsocketAPIClient

        seam = "SpotWebsocketAPIClient(stream_url=tap + '/ws-api/v3') (its URL option)"

        def drive(tap: Tap, order: bool = False, secret: str = binance_hmac["secret"]) -> list:
            received: list = []
            client = SpotWebsocketAPIClient(
                stream_url=tap.url("/ws-api/v3"),
                api_key=binance_hmac["api_key"],
                api_secret=secret,
                on_message=lambda _client, message: received.append(message),
                # Without on_error its reader thread re-raises the socket's close when stop() ends it.
                on_error=lambda _client, error: None,
                timeout=int(SOCKET_TIMEOUT),
            )
            try:
                if order:
                    client.new_order(symbol=non_ascii_symbol, side="BUY", type="MARKET", quantity=1)
                else:
                    client.account()
                    # 3.13.0 has no userDataStream.subscribe.signature method (only the retired
                    # userDataStream.start of listenKeys): sent with its own send() and signing helper.
                    client.send(
                        {
                            "id": "cexsign-sub",
                            "method": "userDataStream.subscribe.signature",
                            "params": websocket_api_signature(binance_hmac["api_key"], secret, {}),
                        }
                    )
                tap.wait(settled_for(STREAMS["Binance"]))
                handed_over(received, STREAMS["Binance"])
            finally:
                client.stop()
            return received

        ws_case(
            "binance-connector",
            "binance-connector",
            "Binance",
            "HMAC key: account(); send(userDataStream.subscribe.signature signed by websocket_api_signature)",
            accept(
                "account.status {id, method, params: {apiKey, signature, timestamp}}, hex(HMAC-SHA256) of "
                "urlencode(sorted params): the same bytes as the raw values when they are all ASCII letters and digits"
            ),
            seam + "; the subscribe by signature built with the connector's websocket_api_signature",
        )(lambda tap: drive(tap))
        ws_case(
            "binance-connector",
            "binance-connector",
            "Binance",
            f"HMAC key: new_order(symbol='{non_ascii_symbol}', side='BUY', type='MARKET', quantity=1)",
            reject(
                "-1022",
                "binance-connector 3.13.0's websocket_api_signature signs urlencode(params) and sends the values raw "
                "(web-socket-api.md signs raw values; AUTH-more section 3): Binance's -1022 'Signature for this "
                "request is not valid.'",
                mistake="binance-ws-values-percent-encoded",
            ),
            seam,
        )(lambda tap: drive(tap, order=True))

    # ---- ccxt.pro on Binance, Coinbase Advanced, KuCoin, Kraken, Bitfinex, Deribit, BitMart ----------
    def setup_ccxt_pro_more() -> None:
        import ccxt.pro

        def market(symbol: str, market_id: str, kind: str = "spot", **extra) -> dict:
            base_, quote = symbol.split("/")[0], symbol.split("/")[1].split(":")[0]
            return dict(
                id=market_id, symbol=symbol, base=base_, quote=quote, baseId=base_, quoteId=quote, settle=None,
                type=kind, spot=kind == "spot", margin=False, swap=kind == "swap", future=False,
                option=False, contract=kind != "spot", linear=None, inverse=None, active=True, precision={},
                limits={}, info={}, **extra,
            )

        loaded: dict = {}

        def bitmart_pro():
            """The `bitmart` distribution's ccxt.pro bitmart (as suite.py loads its REST class: its vendored
            ccxt imports `ccxt.*`, so the real ccxt's modules are set aside while it loads)."""
            if "bitmart" not in loaded:
                real_ccxt = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "ccxt"}
                for name in real_ccxt:
                    del sys.modules[name]
                try:
                    import bitmart.ccxt as vendored_ccxt

                    sys.modules["ccxt"] = vendored_ccxt
                    from bitmart.ccxt.pro.bitmart import bitmart as bitmart_class

                    loaded["bitmart"] = bitmart_class
                finally:
                    for name in [name for name in sys.modules if name.split(".")[0] == "ccxt"]:
                        del sys.modules[name]
                    sys.modules.update(real_ccxt)
            return loaded["bitmart"]

        def rest_through(exchange, tap: Tap) -> None:
            """REST to the local exchange, with a Host naming the tap: a stream token's grant names the
            endpoint of the host asked (KuCoin's instanceServers), so the socket goes through the tap."""
            exchange.urls["api"] = {
                name: base if isinstance(url, str) else url for name, url in exchange.urls["api"].items()
            }
            exchange.headers = {"Host": tap.url("").split("//", 1)[1]}

        def drive(tap: Tap, name: str, creds: dict, point, markets: list, method: str, args: tuple, options=None):
            async def session():
                config = {"apiKey": creds["api_key"], "secret": creds["secret"], "options": dict(options or {})}
                if "passphrase" in creds:
                    config["password"] = creds["passphrase"]
                if name == "bitmart":  # ccxt 4.5.90 ships no bitmart: its BitMart-only build (the `bitmart` package)
                    config["uid"] = config.pop("password")  # ccxt's name for BitMart's memo
                    exchange = bitmart_pro()(config)
                else:
                    exchange = getattr(ccxt.pro, name)(config)
                exchange.set_markets(markets)
                point(exchange, tap)
                # What load_markets() would have done first: bind the exchange to this event loop (KuCoin's
                # token request is spawned as a task on it).
                exchange.open()
                try:
                    return [await asyncio.wait_for(getattr(exchange, method)(*args), SETTLE_SECONDS)]
                finally:
                    await exchange.close()

            return run_async(session)

        def ws_url(*path: str, ws_path: str):
            def point(exchange, tap: Tap) -> None:
                urls = exchange.urls["api"]
                for key in path[:-1]:
                    urls = urls[key]
                urls[path[-1]] = tap.url(ws_path)

            return point

        def both(*points):
            def point(exchange, tap: Tap) -> None:
                for each in points:
                    each(exchange, tap)

            return point

        binance_markets = [market("BTC/USDT", "BTCUSDT")]
        plans = [
            ("binance", "Binance", binance_hmac, ws_url("ws", "ws-api", "spot", ws_path="/ws-api/v3"), binance_markets,
             "watch_balance", (), None,
             "userDataStream.subscribe.signature {id, method, params: {apiKey, timestamp, signature}} on the "
             "WebSocket API (no listenKey), an HMAC key's hex signature of the raw sorted params",
             "exchange.urls['api']['ws']['ws-api']['spot'] = tap + '/ws-api/v3'"),
            ("binance", "Binance", binance_ed25519, ws_url("ws", "ws-api", "spot", ws_path="/ws-api/v3"),
             binance_markets, "watch_balance", (), None,
             "userDataStream.subscribe.signature with an Ed25519 key: the signature base64 of the raw sorted params",
             "exchange.urls['api']['ws']['ws-api']['spot'] = tap + '/ws-api/v3'"),
            ("coinbase", "Coinbase Advanced", cdp_es256, ws_url("ws", ws_path="/"), [market("BTC/USD", "BTC-USD")],
             "watch_orders", ("BTC/USD",), None,
             "{type: subscribe, product_ids, channel: user, jwt}: ccxt's own ES256 JWT (iss coinbase-cloud, aud "
             "[retail_rest_api_proxy], iat; AUTH.md section 2's table), which Coinbase accepts",
             "exchange.urls['api']['ws'] = tap + '/'"),
            ("coinbase", "Coinbase Advanced", cb_hmac, ws_url("ws", ws_path="/"), [market("BTC/USD", "BTC-USD")],
             "watch_orders", ("BTC/USD",), None,
             "the legacy key's signed subscribe {type, product_ids, channel: user, api_key, timestamp, signature}",
             "exchange.urls['api']['ws'] = tap + '/'"),
            ("coinbase", "Coinbase Advanced", cdp_ed25519, ws_url("ws", ws_path="/"), [market("BTC/USD", "BTC-USD")],
             "watch_orders", ("BTC/USD",), None,
             reject(
                 "authentication failure",
                 "ccxt 4.5.90's create_ws_auth takes a key for a CDP key only when its name holds 'organizations/' or "
                 "its secret is PEM: an Ed25519 CDP key (a UUID name, a base64 secret) is signed as a legacy HMAC key "
                 "(api_key, timestamp, signature), which Coinbase refuses; its REST sign() tells them apart",
             ),
             "exchange.urls['api']['ws'] = tap + '/'"),
            ("kucoin", "KuCoin", accounts["KuCoin v2"], rest_through, [market("BTC/USDT", "BTC-USDT")],
             "watch_orders", (), {"uta": False},
             "a signed POST /api/v1/bullet-private (KC-API-* headers), then the granted endpoint with ?token=&connectId=; "
             "subscribe {id, type: subscribe, topic: /spotMarket/tradeOrders, privateChannel: true, response: true}",
             "urls['api'] = BASE_URL with headers {'Host': <the tap>} (the grant names the endpoint of the host asked); "
             "options {'uta': False}, a classic account (else it asks GET /api/ua/v1/account/mode, which the local "
             "exchange answers with its echo)"),
            ("kucoin", "KuCoin", accounts["KuCoin v2"], rest_through, [market("BTC/USDT", "BTC-USDT")],
             "watch_balance", (), {"uta": False, "watchBalance": {"fetchBalanceSnapshot": False}},
             "the same token flow; subscribe topic /account/balance (options watchBalance.fetchBalanceSnapshot "
             "False: its REST balance snapshot would read the local exchange's echo)",
             "urls['api'] = BASE_URL with headers {'Host': <the tap>} (the grant names the endpoint of the host asked); "
             "options {'uta': False}, a classic account (else it asks GET /api/ua/v1/account/mode, which the local "
             "exchange answers with its echo)"),
            ("kraken", "Kraken", accounts["Kraken (ccxt)"],
             both(rest_through, ws_url("ws", "privateV2", ws_path="/v2")), [market("BTC/USD", "XXBTZUSD")],
             "watch_balance", (), None,
             "a signed POST /0/private/GetWebSocketsToken, then v2 {method: subscribe, params: {channel: balances, "
             "token}, req_id}",
             "urls['api'] = BASE_URL; urls['api']['ws']['privateV2'] = tap + '/v2'"),
            ("kraken", "Kraken", accounts["Kraken (ccxt)"],
             both(rest_through, ws_url("ws", "privateV2", ws_path="/v2")), [market("BTC/USD", "XXBTZUSD")],
             "watch_orders", (), None,
             "the same token, v2 {method: subscribe, params: {channel: executions, token, ...}}",
             "urls['api'] = BASE_URL; urls['api']['ws']['privateV2'] = tap + '/v2'"),
            ("bitfinex", "Bitfinex", accounts["Bitfinex (ccxt)"], ws_url("ws", "private", ws_path="/ws/2"),
             [market("BTC/USD", "tBTCUSD")], "watch_orders", (), None,
             "{event: auth, apiKey, authSig, authNonce, authPayload: 'AUTH' + nonce}, authSig hex(HMAC-SHA384)",
             "exchange.urls['api']['ws']['private'] = tap + '/ws/2'"),
            ("bitfinex", "Bitfinex", accounts["Bitfinex (ccxt)"], ws_url("ws", "private", ws_path="/ws/2"),
             [market("BTC/USD", "tBTCUSD")], "watch_balance", (), None,
             "the same auth event; the wallets' snapshot on channel 0",
             "exchange.urls['api']['ws']['private'] = tap + '/ws/2'"),
            ("deribit", "Deribit", accounts["Deribit"], ws_url("ws", ws_path="/ws/api/v2"),
             [market("BTC/USD:BTC", "BTC-PERPETUAL", "swap")], "watch_orders", (), None,
             "JSON-RPC public/auth {grant_type: client_signature, client_id, timestamp, signature, nonce, data}",
             "exchange.urls['api']['ws'] = tap + '/ws/api/v2'"),
            ("deribit", "Deribit", accounts["Deribit"], ws_url("ws", ws_path="/ws/api/v2"),
             [market("BTC/USD:BTC", "BTC-PERPETUAL", "swap")], "watch_balance", (), None,
             "the same public/auth; private/subscribe user.portfolio.btc",
             "exchange.urls['api']['ws'] = tap + '/ws/api/v2'"),
            ("bitmart", "BitMart", accounts["BitMart"], ws_url("ws", "spot", "private", ws_path="/user?protocol=1.1"),
             [market("BTC/USDT", "BTC_USDT")], "watch_orders", ("BTC/USDT",), None,
             "{op: login, args: [key, timestamp, sign]}, sign hex(HMAC-SHA256(timestamp + '#' + memo + '#bitmart.WebSocket'))",
             "exchange.urls['api']['ws']['spot']['private'] = tap + '/user?protocol=1.1'"),
            ("bitmart", "BitMart", accounts["BitMart"], ws_url("ws", "spot", "private", ws_path="/user?protocol=1.1"),
             [market("BTC/USDT", "BTC_USDT")], "watch_balance", (), {"watchBalance": {"fetchBalanceSnapshot": False}},
             "the same login; subscribe spot/user/balance:BALANCE_UPDATE (options watchBalance.fetchBalanceSnapshot "
             "False: its REST balance snapshot would go to api-cloud.bitmart.com)",
             "exchange.urls['api']['ws']['spot']['private'] = tap + '/user?protocol=1.1'"),
        ]
        # A signed order whose symbol percent-encoding would change, then the balance: ccxt signs the raw values
        # (ccxt PR 27182), so the order is answered and the account's event follows.
        def order_then_balance(tap: Tap) -> list:
            async def session():
                exchange = ccxt.pro.binance({"apiKey": binance_hmac["api_key"], "secret": binance_hmac["secret"]})
                listed = market(f"{non_ascii_symbol[:-4]}/USDT", non_ascii_symbol)
                listed["info"] = {"symbol": non_ascii_symbol, "orderTypes": ["LIMIT", "MARKET"]}  # ccxt checks the type
                exchange.set_markets(binance_markets + [listed])
                exchange.urls["api"]["ws"]["ws-api"]["spot"] = tap.url("/ws-api/v3")
                exchange.open()
                try:
                    await asyncio.wait_for(
                        exchange.create_order_ws(f"{non_ascii_symbol[:-4]}/USDT", "market", "buy", 1), SETTLE_SECONDS
                    )
                    return [await asyncio.wait_for(exchange.watch_balance(), SETTLE_SECONDS)]
                finally:
                    await exchange.close()

            return run_async(session)

        ws_case(
            "ccxt.pro",
            "ccxt",
            "Binance",
            f"binance (Binance (HMAC)): create_order_ws('{non_ascii_symbol[:-4]}/USDT', 'market', 'buy', 1); "
            "watch_balance()",
            accept(
                "order.place signed over the raw sorted params (the symbol's UTF-8 as sent, as web-socket-api.md "
                "signs it; ccxt PR 27182), unlike binance-connector's and binance-sdk-spot's urlencode; then "
                "userDataStream.subscribe.signature"
            ),
            "exchange.urls['api']['ws']['ws-api']['spot'] = tap + '/ws-api/v3'; set_markets(...) instead of "
            "load_markets()",
            delivered=lambda received: bool(received) and received[0] is not None,
        )(order_then_balance)

        for name, exchange_name, creds, point, markets, method, args, options, login, seam in plans:
            shown = ", ".join(repr(arg) for arg in args)
            ws_case(
                "ccxt.pro",
                "bitmart" if name == "bitmart" else "ccxt",
                exchange_name,
                f"{name} ({creds['label']}): {method}({shown})",
                login if isinstance(login, Expect) else accept(login),
                seam + "; set_markets(...) instead of load_markets()",
                delivered=lambda received: bool(received) and received[0] is not None,
            )(
                lambda tap, name=name, creds=creds, point=point, markets=markets, method=method, args=args,
                options=options: drive(tap, name, creds, point, markets, method, args, options)
            )

    def documented_subscribe(tap: Tap, exchange: str, subscribe: dict) -> list:
        """A stream whose signed subscribe is its login, driven with the exchange's documented frame."""
        import websockets

        stream = STREAMS[exchange]
        received: list = []

        async def session():
            async with websockets.connect(
                tap.url(stream.path), open_timeout=SOCKET_TIMEOUT, close_timeout=2, compression=None
            ) as ws:
                await ws.send(json.dumps(subscribe))
                deadline = time.monotonic() + SETTLE_SECONDS
                while time.monotonic() < deadline:
                    message = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
                    received.append(message)
                    frame = _as_frame(message)
                    if frame is not None and (stream.is_event(frame) or "cexsign_reason" in frame):
                        break

        try:
            run_async(session)
        except (asyncio.TimeoutError, OSError, websockets.ConnectionClosed):
            pass  # judged from the wire
        return received

    # ==== kucoin-universal-sdk (official): SpotPrivateWS, the bullet-private token flow ========
    def setup_kucoin_universal_sdk() -> None:
        from kucoin_universal_sdk.api.client import DefaultClient
        from kucoin_universal_sdk.internal.infra import default_ws_token_provider
        from kucoin_universal_sdk.model.client_option import ClientOptionBuilder
        from kucoin_universal_sdk.model.transport_option import TransportOptionBuilder
        from kucoin_universal_sdk.model.websocket_option import WebSocketClientOption

        seam = (
            "ClientOptionBuilder().set_spot_endpoint(<the tap, as http://>) (its base URL option): the signed POST "
            "/api/v1/bullet-private goes through the tap, whose address the grant's instanceServers[0].endpoint "
            "names, so the SDK connects to <endpoint>?connectId=...&token=... through the tap too"
        )

        def drive(tap: Tap, topic: str, forged_token: bool = False) -> list:
            received: list = []
            option = (
                ClientOptionBuilder()
                .set_key(kucoin["api_key"])
                .set_secret(kucoin["secret"])
                .set_passphrase(kucoin["passphrase"])
                .set_spot_endpoint(tap.url("").replace("ws://", "http://", 1))
                .set_transport_option(TransportOptionBuilder().set_max_retries(0).build())
                .set_websocket_client_option(WebSocketClientOption(reconnect=False, write_timeout=SOCKET_TIMEOUT))
                .build()
            )
            real_get_token = default_ws_token_provider.DefaultWsTokenProvider.get_token
            if forged_token:
                # A bot that reuses a token it did not get from this grant (one from another
                # session, or made up): the grant's servers, with another token.
                def get_token(self):
                    servers = real_get_token(self)
                    for server in servers:
                        server.token = "cexsign-never-granted"
                    return servers

                default_ws_token_provider.DefaultWsTokenProvider.get_token = get_token
            ws = DefaultClient(option).ws_service().new_spot_private_ws()
            try:
                ws.start()  # the token request, the connect, the welcome
                callback = lambda topic, subject, event: received.append(  # noqa: E731
                    {"type": "message", "topic": topic, "subject": subject, "data": event.to_dict()}
                )
                getattr(ws, topic)(callback)  # the subscribe, and its ack
                tap.wait(settled_for(STREAMS["KuCoin"]))
                handed_over(received, STREAMS["KuCoin"])
            finally:
                default_ws_token_provider.DefaultWsTokenProvider.get_token = real_get_token
                try:
                    ws.stop()
                except Exception:
                    pass
            return received

        for topic, channel in (("order_v1", "/spotMarket/tradeOrders"), ("account", "/account/balance")):
            ws_case(
                "kucoin-universal-sdk",
                "kucoin-universal-sdk",
                "KuCoin",
                f"DefaultClient(...).ws_service().new_spot_private_ws(): start(); {topic}(callback) ({channel})",
                accept(
                    "a signed POST /api/v1/bullet-private (KC-API-KEY-VERSION 3, empty body) grants the token and "
                    "instance server; connect to <endpoint>?connectId=<ns>&token=<token>, welcome, then {id, type: "
                    "subscribe, topic, privateChannel: true, response: true}, acked"
                ),
                seam,
            )(lambda tap, topic=topic: drive(tap, topic))
        ws_case(
            "kucoin-universal-sdk",
            "kucoin-universal-sdk",
            "KuCoin",
            "new_spot_private_ws() connecting with a token the grant did not give: start()",
            reject(
                "401",
                "a token the exchange never granted is refused on connect: KuCoin's {type: error, code: 401, "
                "data: 'token is expired'} (its home's private stream)",
            ),
            seam + "; DefaultWsTokenProvider.get_token wrapped to swap in another token",
        )(lambda tap: drive(tap, "order_v1", forged_token=True))

    # ==== python-kraken-sdk: SpotWSClient (websocket v2), the GetWebSocketsToken flow =========
    def setup_python_kraken_sdk_ws() -> None:
        from kraken.spot import SpotWSClient
        from kraken.spot.websocket import connectors

        seam = (
            "SpotWSClient(key, secret, callback, no_public=True, rest_url=BASE_URL, auth_ws_url=tap) (its URL "
            "options; it appends /v2); installed next to websockets 13.1 (it asks for >=14.1), whose connect "
            "takes no max_queue=None (14's 'unbounded'), so the connectors' `connect` gets 2**20 instead "
            "(transport only)"
        )
        real_connect = connectors.connect

        def connect(*args, max_queue=16, **kwargs):
            return real_connect(*args, max_queue=2**20 if max_queue is None else max_queue, **kwargs)

        connectors.connect = connect

        def drive(tap: Tap, channel: str, forged_token: bool = False) -> list:
            received: list = []

            async def on_message(message) -> None:
                received.append(message)

            async def session():
                client = SpotWSClient(
                    key=kraken["api_key"],
                    secret=kraken["secret"],
                    callback=on_message,
                    no_public=True,
                    rest_url=base,
                    auth_ws_url=tap.url(""),
                )
                if forged_token:
                    # A bot that reuses a token it did not get from this grant: the grant, with
                    # another token.
                    real_get_ws_token = client.get_ws_token

                    async def get_ws_token() -> dict:
                        return dict(await real_get_ws_token(), token="cexsign-never-granted")

                    client.get_ws_token = get_ws_token
                try:
                    await client.start()  # GetWebSocketsToken over REST, then the connect
                    await client.subscribe(params={"channel": channel})  # the token is added to params
                    loop = asyncio.get_running_loop()
                    await loop.run_in_executor(None, tap.wait, settled_for(STREAMS["Kraken"]))
                    await loop.run_in_executor(None, handed_over, received, STREAMS["Kraken"])
                finally:
                    # Its reader waits up to 10 s for a message before it sees the stop.
                    try:
                        await asyncio.wait_for(client.close(), 3)
                    except (asyncio.TimeoutError, Exception):
                        pass

            run_async(session)
            return received

        for channel in ("executions", "balances"):
            ws_case(
                "python-kraken-sdk",
                "python-kraken-sdk",
                "Kraken",
                f"SpotWSClient(...).start(); subscribe(params={{'channel': '{channel}'}})",
                accept(
                    "a signed POST /0/private/GetWebSocketsToken (nonce time * 1e8) grants {token, expires: 900}; "
                    "on ws-auth /v2: {method: subscribe, params: {channel, token}}, the token added by the SDK"
                ),
                seam,
            )(lambda tap, channel=channel: drive(tap, channel))
        ws_case(
            "python-kraken-sdk",
            "python-kraken-sdk",
            "Kraken",
            "SpotWSClient(...) subscribing with a token the grant did not give: subscribe(executions)",
            reject(
                "ESession:Invalid session",
                "a token the exchange never granted (or one past its 15 minutes): Kraken's subscribe answer "
                "{error: 'ESession:Invalid session', success: false} (its home's private stream)",
            ),
            seam + "; its get_ws_token wrapped to swap in another token",
        )(lambda tap: drive(tap, "executions", forged_token=True))

    # ==== bitfinex-api-py: Client(...).wss, the auth event on /ws/2 ===========================
    def setup_bitfinex_api_py_ws() -> None:
        from bfxapi import Client

        def drive(tap: Tap, secret: str = bitfinex["secret"]) -> list:
            received: list = []

            async def session():
                client = Client(api_key=bitfinex["api_key"], api_secret=secret, wss_host=tap.url("/ws/2"))
                client.wss.on("order_snapshot", lambda orders: received.append(("os", orders)))
                client.wss.on("wallet_snapshot", lambda wallets: received.append(("ws", wallets)))
                running = asyncio.ensure_future(client.wss.start())  # connect, then the auth event
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(None, tap.wait, settled_for(STREAMS["Bitfinex"]))
                deadline = time.monotonic() + 3
                while len({kind for kind, _ in received}) < 2 and time.monotonic() < deadline and not running.done():
                    await asyncio.sleep(0.05)
                if not running.done():
                    await client.wss.close()
                await asyncio.wait_for(running, 5)

            run_async(session)
            return received

        seam = "Client(api_key, api_secret, wss_host=tap + '/ws/2') (its URL option)"
        ws_case(
            "bitfinex-api-py",
            "bitfinex-api-py",
            "Bitfinex",
            "Client(...).wss.start(); on('order_snapshot'), on('wallet_snapshot')",
            accept(
                "{event: auth, apiKey, authSig, authNonce, authPayload: 'AUTH' + nonce} (nonce microseconds, authSig "
                "hex HMAC-SHA384 of the payload; AUTH-breadth section 2); the account channel 0 needs no subscribe: "
                "its os and ws snapshots follow the login"
            ),
            seam,
            delivered=lambda received: {kind for kind, _ in received} >= {"os", "ws"},
        )(drive)
        ws_case(
            "bitfinex-api-py",
            "bitfinex-api-py",
            "Bitfinex",
            "Client(api_secret=<another key's secret>).wss.start()",
            reject(
                "10100",
                "a wrong secret: Bitfinex's auth event {event: auth, status: FAILED, code: 10100} (its code for any "
                "authentication failure); the SDK raises InvalidCredentialError",
            ),
            seam,
        )(lambda tap: drive(tap, secret=kraken["secret"]))

    # ==== bitmart-python-sdk-api: SpotSocketClient, op: login on the spot user stream ==========
    def setup_bitmart_python_sdk_api_ws() -> None:
        # The `bitmart` package's __init__ may be the one of `bitmart` (ccxt's BitMart build), which
        # points sys.modules['ccxt'] at its vendored ccxt: loaded as suite.py's setup_bitmart_ccxt
        # does, with the real ccxt's modules set aside and put back afterwards.
        real_ccxt = {name: module for name, module in sys.modules.items() if name == "ccxt" or name.startswith("ccxt.")}
        for name in real_ccxt:
            del sys.modules[name]
        try:
            from bitmart.websocket.spot_socket_client import SpotSocketClient
        finally:
            for name in [name for name in sys.modules if name == "ccxt" or name.startswith("ccxt.")]:
                del sys.modules[name]
            sys.modules.update(real_ccxt)

        def drive(tap: Tap, topic: str, secret: str = bitmart["secret"]) -> list:
            received: list = []
            client = SpotSocketClient(
                stream_url=tap.url("/user?protocol=1.1"),
                on_message=received.append,
                timeout=SOCKET_TIMEOUT,
                reconnection=False,
                api_key=bitmart["api_key"],
                api_secret_key=secret,
                api_memo=bitmart["passphrase"],
            )
            try:
                client.login(timeout=1)  # sends the login, then sleeps for its answer
                client.subscribe(topic)
                tap.wait(settled_for(STREAMS["BitMart"]))
                handed_over(received, STREAMS["BitMart"])
            finally:
                client.ping_interval = 3600  # its ping timer re-arms itself; not every 10 s from here on
                client.stop()
            return received

        seam = "SpotSocketClient(stream_url=tap + '/user?protocol=1.1') (its URL option)"
        for topic in ("spot/user/order:BTC_USDT", "spot/user/balance:BALANCE_UPDATE"):
            ws_case(
                "bitmart-python-sdk-api",
                "bitmart-python-sdk-api",
                "BitMart",
                f"SpotSocketClient(...).login(); subscribe('{topic}')",
                accept(
                    "{op: login, args: [key, timestamp, sign]}: timestamp milliseconds (a string), sign "
                    "hex(HMAC-SHA256(secret, timestamp + '#' + memo + '#bitmart.WebSocket')) (AUTH-breadth); then "
                    "{op: subscribe, args: [topic]}"
                ),
                seam,
            )(lambda tap, topic=topic: drive(tap, topic))

    # ==== typed-deribit: SocketRpcStreamClient (JSON-RPC on /ws/api/v2), public/auth ===========
    def setup_typed_deribit_ws() -> None:
        import secrets

        import types

        import websockets
        import websockets.asyncio.client
        import websockets.protocol

        # typed-core's websocket base is written for websockets >= 14, whose top-level connect,
        # ClientConnection and State are the new asyncio client's; 13.1 (pinned for
        # coinbase-advanced-py) has that client as websockets.asyncio.client. typed_core.ws is
        # imported against a module that shows it under the 14 names (transport only).
        class Websockets14(types.ModuleType):
            connect = staticmethod(websockets.asyncio.client.connect)
            ClientConnection = websockets.asyncio.client.ClientConnection
            State = websockets.protocol.State

            def __getattr__(self, name):
                return getattr(websockets, name)

        sys.modules["websockets"] = Websockets14("websockets")
        try:
            from typed_deribit.core.auth import Credentials, sign
            from typed_deribit.core.transport.ws import SocketRpcStreamClient
        finally:
            sys.modules["websockets"] = websockets

        def drive(tap: Tap, channel: str, grant: str = "client_signature", secret: str = deribit["secret"]) -> list:
            received: list = []

            async def session():
                client = SocketRpcStreamClient.new(
                    tap.url("/ws/api/v2"), credentials=Credentials(deribit["api_key"], secret)
                )
                if grant == "client_signature":
                    # typed-deribit's websocket logs in with client_credentials only (its
                    # `authenticate`); a bot that keeps the secret off the wire swaps in the
                    # client_signature grant, signed with the SDK's own `sign`.
                    async def authenticate(credentials):
                        timestamp = int(time.time() * 1000)
                        nonce = secrets.token_hex(8)
                        signed = f"{timestamp}\n{nonce}\n"  # timestamp, nonce, data (empty)
                        return await client.conn.call(
                            "public/auth",
                            {
                                "grant_type": "client_signature",
                                "client_id": credentials.client_id,
                                "timestamp": timestamp,
                                "signature": sign(signed, credentials.client_secret),
                                "nonce": nonce,
                                "data": "",
                            },
                        )

                    client.conn.authenticate = authenticate
                async with client:
                    stream = await client.authed_subscribe(channel)  # public/auth, then private/subscribe
                    notification = await asyncio.wait_for(stream.__aiter__().__anext__(), SETTLE_SECONDS)
                    received.append({"jsonrpc": "2.0", "method": "subscription", "params": notification})

            run_async(session)
            return received

        seam = "SocketRpcStreamClient.new(tap + '/ws/api/v2', credentials=...) (its URL option)"
        signature_seam = seam + "; its conn.authenticate replaced with the client_signature grant"
        why = (
            "{method: public/auth, params: {grant_type: client_signature, client_id, timestamp (int, ms), signature, "
            "nonce, data: ''}}, signature hex(HMAC-SHA256(secret, timestamp + '\\n' + nonce + '\\n' + data)) "
            "(AUTH-breadth section 5); then {method: private/subscribe, params: {channels, access_token}}"
        )
        for channel in ("user.orders.any.any.raw", "user.portfolio.btc"):
            ws_case(
                "typed-deribit",
                "typed-deribit",
                "Deribit",
                f"SocketRpcStreamClient.authed_subscribe('{channel}'), client_signature login",
                accept(why),
                signature_seam,
            )(lambda tap, channel=channel: drive(tap, channel))
        ws_case(
            "typed-deribit",
            "typed-deribit",
            "Deribit",
            "SocketRpcStreamClient(secret=<another key's>).authed_subscribe('user.orders.any.any.raw'), client_signature",
            reject("13009", "a wrong secret, so a bad signature: Deribit's 13009 unauthorized (its docs' 'bad signature')"),
            signature_seam,
        )(lambda tap: drive(tap, "user.orders.any.any.raw", secret=kraken["secret"]))
        ws_case(
            "typed-deribit",
            "typed-deribit",
            "Deribit",
            "SocketRpcStreamClient.authed_subscribe('user.orders.any.any.raw') (its own login: client_credentials)",
            known_server_bug(
                "11050",
                "client_signature",
                "Deribit's public/auth also takes grant_type client_credentials {client_id, client_secret} (its docs' "
                "'public/auth'; typed-deribit's websocket logs in only so), which the real exchange checks against the "
                "key's secret; the local exchange verifies a login by re-signing it with the key's signer and keeps no "
                "secret to compare a sent one with, so it refuses every login but client_signature (11050 bad_request)",
            ),
            seam,
        )(lambda tap: drive(tap, "user.orders.any.any.raw", grant="client_credentials"))

    setups = [
        ("python-okx", setup_python_okx),
        ("pybit", setup_pybit),
        ("python-bitget", setup_python_bitget),
        ("gate-ws", setup_gate_ws),
        ("cbpro", setup_cbpro),
        ("delta (docs' frames)", setup_delta),
        ("ccxt.pro", setup_ccxt_pro),
        ("ccxt.pro", setup_ccxt_pro_refusals),
        ("coinbase-advanced-py", setup_coinbase_advanced_py),
        ("coinbase advanced (docs' frames)", setup_coinbase_advanced_hmac),
        ("binance-sdk-spot", setup_binance_sdk_spot),
        ("binance-connector", setup_binance_connector),
        ("ccxt.pro", setup_ccxt_pro_more),
    ]
    if bitmex is not None:
        setups.append(("bitmex-ws", setup_bitmex_ws))
    # The token streams and Bitfinex (branch ws-sdk-tokens).
    setups += [
        ("kucoin-universal-sdk", setup_kucoin_universal_sdk),
        ("python-kraken-sdk", setup_python_kraken_sdk_ws),
        ("bitfinex-api-py", setup_bitfinex_api_py_ws),
        ("bitmart-python-sdk-api", setup_bitmart_python_sdk_api_ws),
        ("typed-deribit", setup_typed_deribit_ws),
    ]
    return setups


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 2
    base = argv[1].rstrip("/")
    parts = urlsplit(base)
    if not suite._is_loopback(parts.hostname):
        print(f"refusing to run against {base}: the interop suite only talks to a local exchange on loopback")
        return 2
    upstream = (parts.hostname, parts.port or 80)
    credentials_path = Path(argv[2]) if len(argv) > 2 else Path(__file__).with_name("credentials.json")
    accounts = {entry["label"]: entry for entry in json.loads(credentials_path.read_text())["accounts"]}

    sys.stdout.reconfigure(line_buffering=True)
    logging.disable(logging.CRITICAL)
    try:
        from loguru import logger

        logger.remove()
    except ImportError:
        pass

    started = time.monotonic()
    outcomes: list[WsOutcome] = []
    setup_failures: list[str] = []
    for sdk, setup in define_cases(base, accounts):
        try:
            setup()
        except Exception as exc:
            setup_failures.append(f"FAIL  {sdk} | could not set up: {type(exc).__name__}: {exc}")
    print(f"websocket suite: {len(WS_CASES)} private-stream sessions against {base}")
    print("verdict  sdk | exchange | calls -> stream path | expected | got")
    for line in setup_failures:
        print(line)
    only = os.environ.get("WS_SUITE_ONLY")  # an SDK's name, to run its cases alone while working on them
    for item in WS_CASES:
        if only and item.sdk != only:
            continue
        outcome = run_case(item, upstream)
        outcomes.append(outcome)
        got = str(outcome.got) if outcome.got else "-"
        print(
            f"{'PASS' if outcome.passed else 'FAIL'}  {item.sdk} {version(item.distribution)} | {item.exchange} | "
            f"{item.call} -> {STREAMS[item.exchange].path} | expected {item.expect} | got {got}"
        )
        if item.expect.why:
            print(f"      why: {item.expect.why}")
        if item.seam:
            print(f"      seam: {item.seam}")
        if outcome.note:
            print(f"      note: {outcome.note}")
        if outcome.connection is not None:
            c = outcome.connection
            print(f"      upgrade: {redacted(c.request_line)} -> {c.status_line}")
            for message in c.sent[:3]:
                print(f"      sent: {redacted(message)[:400]}")
            if not outcome.passed or not outcome.got or not outcome.got.accepted:
                for message in c.received[:4]:
                    print(f"      answer: {redacted(message)[:600]}")
                if c.close_reason:
                    print(f"      closed: {c.close_reason}")
        if not outcome.passed and outcome.error:
            print(f"      sdk raised: {outcome.error}")
    print()
    print("per case: sdk | exchange | the login as sent (values shown as their types) | got")
    for o in outcomes:
        login = login_message(o.connection) if o.connection is not None else ""
        if o.connection is not None and not login and o.connection.request_headers.get("api-signature"):
            login = "handshake headers: " + ", ".join(
                name for name in o.connection.request_headers if name.startswith("api-")
            )
        else:
            login = shape(login) if login else "-"
        print(f"  {o.case.sdk} | {o.case.exchange} | {login} | {o.got or '-'}")
    known = [o for o in outcomes if o.passed and o.note.startswith("KNOWN-SERVER-BUG")]
    if known:
        print(f"KNOWN-SERVER-BUG: {len(known)} websocket cases the local exchange does not serve as the exchange does:")
        for o in known:
            print(f"  {o.case.sdk} | {o.case.exchange} | {o.case.call}")
    passed = sum(1 for o in outcomes if o.passed)
    failed = len(outcomes) - passed + len(setup_failures)
    print(f"({time.monotonic() - started:.1f} s)")
    print(f"websocket: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    status = main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    # Some SDKs leave non-daemon threads behind (python-bitget's keep-alive timers, cbpro's
    # listener): the verdicts are printed, so the process ends here without waiting for them.
    os._exit(status)
