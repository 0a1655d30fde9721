"""Byte-exact request signing for centralized crypto exchanges, from Python.

The signers are cexsign's Rust signers, proven byte-exact against the exchanges' own SDKs and
documentation (the conformance vectors); the local exchange verifies requests as the real
exchanges do and names the mistake behind every rejection.

    >>> import cexsign
    >>> signer = cexsign.OkxSigner(api_key="985d5b66-57ce-40fb-b714-afc0b9787083",
    ...                            secret="22582BD0CFF14C41EDBF1AB98506286D", passphrase="Passphrase1!")
    >>> headers = signer.sign("GET", "/api/v5/account/balance", query="ccy=BTC",
    ...                       timestamp="2020-12-08T09:08:57.715Z")
    >>> headers["OK-ACCESS-SIGN"]
    'gq/yEEyV4yGvjLmzHUv0uLsIhuzZsuq4lzaTuRXNWjg='

One class per scheme (``cexsign.SCHEMES`` lists them), made from the Rust registry; every one
takes ``api_key``, ``secret``, ``passphrase`` where the exchange has one, and the key settings
its exchange reads (``demo``, ``key_type``, ``key_version``, ``recv_window``, ...).
"""

from __future__ import annotations

import datetime as _datetime
import json as _json
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple, Union

from . import _native
from ._native import CexsignError

__version__: str = _native.__version__

__all__ = [
    "CexsignError",
    "LocalExchange",
    "OffsetClock",
    "Rejection",
    "SCHEMES",
    "SignedHeaders",
    "Signer",
    "WsMessage",
    "classify",
    "diagnose",
    "parse_server_time",
    "server_time_path",
    "signer",
    "worked_example_accounts",
]

Timestamp = Union[None, int, str, _datetime.datetime]
"""None (now), unix milliseconds, an aware datetime, or the timestamp text exactly as sent."""

Duration = Union[int, _datetime.timedelta]
"""Whole milliseconds or a ``datetime.timedelta`` (``recv_window``, ``expires_in``, ...)."""

_EPOCH = _datetime.datetime(1970, 1, 1, tzinfo=_datetime.timezone.utc)
_HIDDEN = "<hidden>"


def _instant(timestamp: Timestamp) -> Union[None, int, str]:
    if isinstance(timestamp, _datetime.datetime):
        if timestamp.tzinfo is None:
            raise CexsignError(
                "timestamp is a naive datetime (local time, ambiguous): give an aware one, "
                "e.g. datetime.now(timezone.utc)"
            )
        return (timestamp - _EPOCH) // _datetime.timedelta(milliseconds=1)
    if isinstance(timestamp, bool):
        raise CexsignError("timestamp must be None, unix milliseconds, an aware datetime or the text as sent")
    return timestamp


class SignedHeaders(Dict[str, str]):
    """The auth headers to add to the request (a ``dict``), and what else it must carry.

    ``wire_query`` / ``wire_body`` are set where the scheme signs inside the request (Binance
    appends ``signature``; Kraken adds its ``nonce``; Hyperliquid and Crypto.com carry the
    signature in the JSON body): send those instead of what you signed. The ``repr`` hides
    secret header values (a passphrase, a derived passphrase).
    """

    signature: str
    """The signature as it goes on the wire."""
    wire_query: Optional[str]
    """The query to send, where signing rewrote it; else None (send yours)."""
    wire_body: Optional[bytes]
    """The body to send, where signing rewrote it; else None (send yours)."""
    signature_fields: Dict[str, str]
    """Signature parts the body carries (Hyperliquid's r, s, v), else empty."""
    prehash: Optional[str]
    """The exact string signed, when asked for (``keep_prehash=True``)."""
    rewrites_request: bool
    """Whether the scheme signs inside the request (then send ``wire_query``/``wire_body``)."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        headers = raw["headers"]
        super().__init__((name, value) for name, value, _ in headers)
        self._sensitive = frozenset(name for name, _, sensitive in headers if sensitive)
        self.signature = raw["signature"]
        self.wire_query = raw["wire_query"]
        self.wire_body = raw["wire_body"]
        self.signature_fields = dict(raw["signature_fields"])
        self.prehash = raw["prehash"]
        self.rewrites_request = raw["rewrites_request"]

    def __getitem__(self, name: str) -> str:
        # Header names are case-insensitive on the wire: "OK-ACCESS-SIGN" finds "ok-access-sign".
        return super().__getitem__(name.lower() if name.lower() in self else name)

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(name.lower(), super().get(name, default))

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name.lower() if isinstance(name, str) else name)

    def __repr__(self) -> str:
        shown = {name: (_HIDDEN if name in self._sensitive else value) for name, value in self.items()}
        return f"SignedHeaders({shown!r})"

    __str__ = __repr__


class WsMessage:
    """A signed websocket login, subscribe or API call: send ``message`` (JSON text) as is.

    ``fields`` are its auth fields by name; the ``repr`` hides the secret ones (a passphrase).
    """

    __slots__ = ("message", "fields", "signature", "prehash", "_sensitive")

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.message: str = raw["message"]
        self.fields: Dict[str, str] = {name: value for name, value, _ in raw["fields"]}
        self._sensitive = frozenset(name for name, _, sensitive in raw["fields"] if sensitive)
        self.signature: str = raw["signature"]
        self.prehash: Optional[str] = raw["prehash"]

    def json(self) -> Any:
        """The message parsed (to send it, send ``message``: it is the text that was signed)."""
        return _json.loads(self.message)

    def __repr__(self) -> str:
        shown = {name: (_HIDDEN if name in self._sensitive else value) for name, value in self.fields.items()}
        return f"WsMessage(fields={shown!r})"

    __str__ = __repr__


class Signer:
    """A key of one exchange scheme and its signer.

    Build it once (the credentials are checked right here: a missing passphrase, a key type the
    secret is not, a setting the exchange does not have), then sign each request's exact bytes.
    Use a scheme's own class (``cexsign.OkxSigner``) or ``cexsign.signer("okx", ...)``.
    """

    scheme: str = ""
    """The scheme id, as the conformance vectors name it (``"okx"``)."""
    name: str = ""
    """The exchange's name (``"OKX"``)."""

    def __init__(
        self,
        api_key: str,
        secret: str,
        passphrase: Optional[str] = None,
        **settings: Any,
    ) -> None:
        if not type(self).scheme:
            raise CexsignError("use a scheme's class (cexsign.OkxSigner, ...) or cexsign.signer(scheme_id, ...)")
        self._native = _native.Signer(type(self).scheme, api_key, secret, passphrase, **settings)

    @property
    def api_key(self) -> str:
        """The API key (not a secret)."""
        return self._native.api_key

    def sign(
        self,
        method: str,
        path: str,
        query: str = "",
        body: Union[bytes, str, None] = b"",
        timestamp: Timestamp = None,
        *,
        host: Optional[str] = None,
        nonce: Optional[str] = None,
        keep_prehash: bool = False,
    ) -> SignedHeaders:
        """Signs one REST request: the method, the path, the query exactly as sent (percent-
        encoded, without ``?``) and the body's exact bytes. ``host`` is what Coinbase CDP tokens
        name; ``nonce`` fixes a scheme's nonce (tests)."""
        raw = self._native.sign(
            method, path, query, body, _instant(timestamp), host=host, nonce=nonce, keep_prehash=keep_prehash
        )
        return SignedHeaders(raw)

    def sign_url(
        self,
        method: str,
        url: str,
        body: Union[bytes, str, None] = b"",
        timestamp: Timestamp = None,
        **options: Any,
    ) -> SignedHeaders:
        """Signs a request given by its URL exactly as it goes on the wire (scheme, host, path,
        query); the host is passed on for the schemes that sign it."""
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        options.setdefault("host", parts.hostname)
        return self.sign(method, parts.path or "/", parts.query, body, timestamp, **options)

    def ws_login(
        self,
        timestamp: Timestamp = None,
        *,
        channels: Iterable[str] = (),
        product_ids: Iterable[str] = (),
        method: Optional[str] = None,
        params: Optional[Mapping[str, Any]] = None,
        id: Optional[str] = None,
        event: Optional[str] = None,
        data: Optional[str] = None,
        nonce: Optional[str] = None,
        keep_prehash: bool = False,
    ) -> WsMessage:
        """The signed websocket message of the scheme: its login, or its signed subscribe to
        ``channels``/``product_ids``, or a signed API call ``method`` with ``params`` (Binance's
        WebSocket API), or a message signing ``data`` (a challenge the server sent)."""
        raw = self._native.sign_ws(
            _instant(timestamp),
            channels=list(channels),
            product_ids=list(product_ids),
            method=method,
            params=None if params is None else _json.dumps(list(dict(params).items())),
            id=id,
            event=event,
            data=data,
            nonce=nonce,
            keep_prehash=keep_prehash,
        )
        return WsMessage(raw)

    def __repr__(self) -> str:
        if "_native" not in self.__dict__:
            return f"{type(self).__name__}(<not built>)"
        key_type, key_version, demo = self._native.variant
        shown = [f"api_key={self.api_key!r}", f"secret={_HIDDEN}"]
        if _SCHEMES_BY_ID[type(self).scheme]["takes_passphrase"]:
            shown.append(f"passphrase={_HIDDEN}")
        if key_type is not None:
            shown.append(f"key_type={key_type!r}")
        if key_version is not None:
            shown.append(f"key_version={key_version!r}")
        if demo:
            shown.append("demo=True")
        return f"{type(self).__name__}({', '.join(shown)})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError(f"{type(self).__name__} holds a secret and is not pickled: build it where it is used")


def _class_name(scheme_id: str) -> str:
    return "".join(part.capitalize() for part in scheme_id.split("_")) + "Signer"


SCHEMES: Tuple[Dict[str, Any], ...] = tuple(_native.schemes())
"""The registry: one dict per scheme (id, name, class, passphrase, key variants)."""
_SCHEMES_BY_ID = {scheme["id"]: scheme for scheme in SCHEMES}
_CLASSES: Dict[str, type] = {}

for _scheme in SCHEMES:
    _scheme["class"] = _class_name(_scheme["id"])
    _doc = f"A {_scheme['name']} key (scheme ``{_scheme['id']}``) and its signer."
    if _scheme["takes_passphrase"]:
        _doc += " Needs the key's passphrase."
    _CLASSES[_scheme["id"]] = type(
        _scheme["class"],
        (Signer,),
        {"scheme": _scheme["id"], "name": _scheme["name"], "__doc__": _doc, "__module__": __name__},
    )
    globals()[_scheme["class"]] = _CLASSES[_scheme["id"]]
    __all__.append(_scheme["class"])
del _scheme, _doc


def signer(scheme: str, api_key: str, secret: str, passphrase: Optional[str] = None, **settings: Any) -> Signer:
    """The signer of a scheme given by its id (``"okx"``, as a configuration file names it)."""
    try:
        cls = _CLASSES[scheme]
    except KeyError:
        raise CexsignError(f"unknown scheme {scheme!r} (one of: {', '.join(_CLASSES)})") from None
    return cls(api_key, secret, passphrase, **settings)


def diagnose(case: Union[Mapping[str, Any], str]) -> Dict[str, Any]:
    """Names the mistake behind a rejected request: the case is what ``cexsign diagnose``
    reads (scheme, credentials, the request as sent and its auth headers); the verdict never
    contains a secret."""
    text = case if isinstance(case, str) else _json.dumps(case)
    return _json.loads(_native.diagnose(text))


class Rejection(NamedTuple):
    """An exchange's auth rejection, classified by the exchange's own error table."""

    kind: str
    """``timestamp_outside_window``, ``invalid_signature``, ``invalid_key``, ``invalid_passphrase``, ..."""
    next_step: str
    """``resync_and_retry_once``, ``retry_once``, ``back_off``, ``fix_configuration`` or ``stop``."""
    code: Optional[str]
    """The exchange's own code (``50113``, ``400005``, ...), when it gave one."""
    message: Optional[str]
    """The exchange's own message, when it gave one."""


def classify(scheme: str, status: int, body: Union[bytes, str]) -> Optional[Rejection]:
    """Reads an exchange's answer: the kind of auth rejection and what to do next, or None when
    it is not one (a success, or an error about the order itself)."""
    raw = _native.classify(scheme, status, body.encode() if isinstance(body, str) else bytes(body))
    return None if raw is None else Rejection(*raw)


def server_time_path(scheme: str) -> str:
    """The path of the scheme's server-time endpoint (GET, unauthenticated)."""
    return _native.server_time_path(scheme)


def parse_server_time(scheme: str, body: Union[bytes, str]) -> int:
    """The server's time, unix milliseconds, read from its server-time endpoint's answer."""
    return _native.parse_server_time(scheme, body.encode() if isinstance(body, str) else bytes(body))


class OffsetClock:
    """The host's clock corrected by the exchange's server time, in unix milliseconds.

    Call it (or ``now()``) for the instant to sign at; pass it as the adapters' ``clock``.
    ``sync`` takes one observation from the exchange's server-time endpoint: the midpoint of the
    round trip, a slow round trip discarded (``CexsignError``), the latest good one kept.
    """

    _MAX_ANSWER = 64 * 1024

    def __init__(self) -> None:
        self._native = _native.OffsetClock()

    def __call__(self) -> int:
        return self._native.now()

    def now(self) -> int:
        return self._native.now()

    @property
    def offset_ms(self) -> int:
        """Server minus host, in milliseconds."""
        return self._native.offset_ms

    @property
    def synced(self) -> bool:
        return self._native.synced

    def observe(self, sent_ms: int, server_ms: int, received_ms: int) -> int:
        """Feeds one observation taken with another HTTP client; the offset it gives."""
        return self._native.observe(sent_ms, server_ms, received_ms)

    def sync(self, scheme: str, base_url: str, *, timeout: float = 5.0) -> int:
        """One observation of the scheme's server time at ``base_url``; the offset it gives."""
        import urllib.request

        url = base_url.rstrip("/") + _native.server_time_path(scheme)
        sent = self._native.host_now()
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (the caller's URL)
            body = response.read(self._MAX_ANSWER)
        received = self._native.host_now()
        return self._native.observe(sent, _native.parse_server_time(scheme, body), received)

    def __repr__(self) -> str:
        return f"OffsetClock(offset_ms={self.offset_ms}, synced={self.synced})"


def __getattr__(name: str) -> Any:
    # The HTTP adapters import their client library only when asked for.
    if name == "RequestsAuth":
        from .requests_auth import RequestsAuth

        return RequestsAuth
    if name in ("HttpxAuth",):
        from .httpx_auth import HttpxAuth

        return HttpxAuth
    raise AttributeError(f"module 'cexsign' has no attribute {name!r}")


from ._local_exchange import LocalExchange, worked_example_accounts  # noqa: E402  (it reads the classes above)
