"""What the HTTP adapters share: the request split as it goes on the wire, signed once."""

from __future__ import annotations

from typing import Any, Callable, Optional, Tuple
from urllib.parse import urlsplit, urlunsplit

from . import CexsignError, SignedHeaders, Signer

Clock = Callable[[], int]
"""Returns the instant to sign at, in unix milliseconds (an exchange-synced clock)."""


def check_signer(signer: Any) -> Signer:
    if not isinstance(signer, Signer):
        raise TypeError(f"expected a cexsign signer (cexsign.OkxSigner(...), ...), not {type(signer).__name__}")
    return signer


def sign_wire(
    signer: Signer, method: str, url: str, body: bytes, clock: Optional[Clock]
) -> Tuple[SignedHeaders, Optional[str]]:
    """Signs the request exactly as it will be sent; returns the headers and the URL to send
    instead, where signing rewrote the query (Binance's ``signature``), else None."""
    signed = signer.sign_url(method, url, body, clock() if clock is not None else None)
    parts = urlsplit(url)
    new_url = None
    if signed.wire_query is not None and signed.wire_query != parts.query:
        new_url = urlunsplit(parts._replace(query=signed.wire_query))
    return signed, new_url


def streamed_body(kind: str) -> CexsignError:
    return CexsignError(
        f"the request body is a stream ({kind}): it cannot be signed without reading it; "
        "pass the exact bytes (data=b'...' or content=b'...')"
    )
