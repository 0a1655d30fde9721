"""The extension module (Rust, PyO3): use the ``cexsign`` package's classes instead."""

from typing import Any, Dict, List, Optional, Tuple, final

__version__: str
__all__ = ["CexsignError", "LocalExchange", "OffsetClock", "Signer", "__version__", "classify", "diagnose", "parse_server_time", "schemes", "server_time_path", "worked_example_accounts"]

class CexsignError(ValueError): ...

@final
class Signer:
    def __new__(
        cls,
        scheme: str,
        api_key: str,
        secret: str,
        passphrase: Optional[str] = ...,
        *,
        key_type: Optional[str] = ...,
        key_version: Optional[int] = ...,
        demo: Optional[bool] = ...,
        recv_window: Any = ...,
        timestamp_sample: Optional[str] = ...,
        fraction_digits: Optional[int] = ...,
        host: Optional[str] = ...,
        expires_in: Any = ...,
        ws_auth_type: Optional[str] = ...,
        ws_expiry: Any = ...,
        vault_address: Optional[str] = ...,
        expires_after: Any = ...,
    ) -> Signer: ...
    @property
    def scheme(self) -> str: ...
    @property
    def api_key(self) -> str: ...
    @property
    def variant(self) -> Tuple[Optional[str], Optional[int], Optional[bool]]: ...
    def sign(
        self,
        method: str,
        path: str,
        query: str = ...,
        body: Any = ...,
        timestamp: Any = ...,
        *,
        host: Optional[str] = ...,
        nonce: Optional[str] = ...,
        keep_prehash: bool = ...,
    ) -> Dict[str, Any]: ...
    def sign_ws(
        self,
        timestamp: Any = ...,
        *,
        channels: List[str] = ...,
        product_ids: List[str] = ...,
        method: Optional[str] = ...,
        params: Optional[str] = ...,
        id: Optional[str] = ...,
        event: Optional[str] = ...,
        data: Optional[str] = ...,
        nonce: Optional[str] = ...,
        keep_prehash: bool = ...,
    ) -> Dict[str, Any]: ...

@final
class LocalExchange:
    def __new__(
        cls,
        accounts: Optional[str] = ...,
        signers: List[Signer] = ...,
        *,
        host: str = ...,
        port: int = ...,
        clock_offset_ms: int = ...,
        cdp_host_alias: str = ...,
    ) -> LocalExchange: ...
    @property
    def base_url(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def accounts(self) -> str: ...
    @property
    def running(self) -> bool: ...
    def counts(self) -> Tuple[int, int, int, int]: ...
    def verified_requests(self) -> str: ...
    def set_clock_offset_ms(self, offset_ms: int) -> None: ...
    def server_time_ms(self) -> int: ...
    def stop(self) -> None: ...

def schemes() -> List[Dict[str, Any]]: ...
def worked_example_accounts() -> str: ...
def diagnose(case: str) -> str: ...
def classify(scheme: str, status: int, body: bytes) -> Optional[Tuple[str, str, Optional[str], Optional[str]]]: ...
def server_time_path(scheme: str) -> str: ...
def parse_server_time(scheme: str, body: bytes) -> int: ...

@final
class OffsetClock:
    def __new__(cls) -> OffsetClock: ...
    def now(self) -> int: ...
    def host_now(self) -> int: ...
    def observe(self, sent_ms: int, server_ms: int, received_ms: int) -> int: ...
    @property
    def offset_ms(self) -> int: ...
    @property
    def synced(self) -> bool: ...
