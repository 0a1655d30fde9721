"""Type stubs for cexsign (the classes per scheme are made from the Rust registry at import;
tests/test_api.py checks that this file lists every one)."""

import datetime
from typing import Any, Callable, ClassVar, Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple, Union

from ._local_exchange import LocalExchange as LocalExchange
from ._local_exchange import worked_example_accounts as worked_example_accounts

__version__: str
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
    "CoinbaseAdvancedHmacSigner",
    "CoinbaseCdpJwtSigner",
    "CoinbaseExchangeSigner",
    "DeltaSigner",
    "KucoinSigner",
    "OkxSigner",
    "BinanceSigner",
    "BybitSigner",
    "KrakenSigner",
    "BitgetSigner",
    "GateSigner",
    "BitmexSigner",
    "BitfinexSigner",
    "DeribitSigner",
    "BitmartSigner",
    "KrakenFuturesSigner",
    "MexcSigner",
    "HyperliquidSigner",
    "BackpackSigner",
    "UpbitSigner",
    "CryptoComSigner",
]

Timestamp = Union[None, int, str, datetime.datetime]
Duration = Union[int, datetime.timedelta]

class CexsignError(ValueError): ...

SCHEMES: Tuple[Dict[str, Any], ...]

class SignedHeaders(Dict[str, str]):
    def __init__(self, raw: Mapping[str, Any]) -> None: ...
    def get(self, name: str, default: Any = ...) -> Any: ...  # type: ignore[override]
    signature: str
    wire_query: Optional[str]
    wire_body: Optional[bytes]
    signature_fields: Dict[str, str]
    prehash: Optional[str]
    rewrites_request: bool

class WsMessage:
    def __init__(self, raw: Mapping[str, Any]) -> None: ...
    message: str
    fields: Dict[str, str]
    signature: str
    prehash: Optional[str]
    def json(self) -> Any: ...

class Signer:
    _native: Any
    scheme: ClassVar[str]
    name: ClassVar[str]
    def __init__(
        self,
        api_key: str,
        secret: str,
        passphrase: Optional[str] = ...,
        *,
        key_type: Optional[str] = ...,
        key_version: Optional[int] = ...,
        demo: Optional[bool] = ...,
        recv_window: Optional[Duration] = ...,
        timestamp_sample: Optional[str] = ...,
        fraction_digits: Optional[int] = ...,
        host: Optional[str] = ...,
        expires_in: Optional[Duration] = ...,
        ws_auth_type: Optional[str] = ...,
        ws_expiry: Optional[Duration] = ...,
        vault_address: Optional[str] = ...,
        expires_after: Optional[Duration] = ...,
    ) -> None: ...
    @property
    def api_key(self) -> str: ...
    def sign(
        self,
        method: str,
        path: str,
        query: str = ...,
        body: Union[bytes, str, None] = ...,
        timestamp: Timestamp = ...,
        *,
        host: Optional[str] = ...,
        nonce: Optional[str] = ...,
        keep_prehash: bool = ...,
    ) -> SignedHeaders: ...
    def sign_url(
        self, method: str, url: str, body: Union[bytes, str, None] = ..., timestamp: Timestamp = ..., **options: Any
    ) -> SignedHeaders: ...
    def ws_login(
        self,
        timestamp: Timestamp = ...,
        *,
        channels: Iterable[str] = ...,
        product_ids: Iterable[str] = ...,
        method: Optional[str] = ...,
        params: Optional[Mapping[str, Any]] = ...,
        id: Optional[str] = ...,
        event: Optional[str] = ...,
        data: Optional[str] = ...,
        nonce: Optional[str] = ...,
        keep_prehash: bool = ...,
    ) -> WsMessage: ...

class CoinbaseAdvancedHmacSigner(Signer):
    """Coinbase Advanced Trade (legacy HMAC) (scheme ``coinbase_advanced_hmac``)."""

class CoinbaseCdpJwtSigner(Signer):
    """Coinbase CDP (scheme ``coinbase_cdp_jwt``)."""

class CoinbaseExchangeSigner(Signer):
    """Coinbase Exchange (scheme ``coinbase_exchange``)."""

class DeltaSigner(Signer):
    """Delta Exchange (scheme ``delta``)."""

class KucoinSigner(Signer):
    """KuCoin (scheme ``kucoin``)."""

class OkxSigner(Signer):
    """OKX (scheme ``okx``)."""

class BinanceSigner(Signer):
    """Binance (scheme ``binance``)."""

class BybitSigner(Signer):
    """Bybit (scheme ``bybit``)."""

class KrakenSigner(Signer):
    """Kraken (scheme ``kraken``)."""

class BitgetSigner(Signer):
    """Bitget (scheme ``bitget``)."""

class GateSigner(Signer):
    """Gate (scheme ``gate``)."""

class BitmexSigner(Signer):
    """BitMEX (scheme ``bitmex``)."""

class BitfinexSigner(Signer):
    """Bitfinex (scheme ``bitfinex``)."""

class DeribitSigner(Signer):
    """Deribit (scheme ``deribit``)."""

class BitmartSigner(Signer):
    """BitMart (scheme ``bitmart``)."""

class KrakenFuturesSigner(Signer):
    """Kraken Futures (scheme ``kraken_futures``)."""

class MexcSigner(Signer):
    """MEXC (scheme ``mexc``)."""

class HyperliquidSigner(Signer):
    """Hyperliquid (scheme ``hyperliquid``)."""

class BackpackSigner(Signer):
    """Backpack (scheme ``backpack``)."""

class UpbitSigner(Signer):
    """Upbit (scheme ``upbit``)."""

class CryptoComSigner(Signer):
    """Crypto.com Exchange (scheme ``crypto_com``)."""

def signer(scheme: str, api_key: str, secret: str, passphrase: Optional[str] = ..., **settings: Any) -> Signer: ...
def diagnose(case: Union[Mapping[str, Any], str]) -> Dict[str, Any]: ...

class Rejection(NamedTuple):
    kind: str
    next_step: str
    code: Optional[str]
    message: Optional[str]

def classify(scheme: str, status: int, body: Union[bytes, str]) -> Optional[Rejection]: ...
def server_time_path(scheme: str) -> str: ...
def parse_server_time(scheme: str, body: Union[bytes, str]) -> int: ...

class OffsetClock:
    def __init__(self) -> None: ...
    def __call__(self) -> int: ...
    def now(self) -> int: ...
    @property
    def offset_ms(self) -> int: ...
    @property
    def synced(self) -> bool: ...
    def observe(self, sent_ms: int, server_ms: int, received_ms: int) -> int: ...
    def sync(self, scheme: str, base_url: str, *, timeout: float = ...) -> int: ...

# The HTTP adapters (imported on first use: they need requests / httpx).
from .requests_auth import RequestsAuth as RequestsAuth
from .httpx_auth import HttpxAuth as HttpxAuth
