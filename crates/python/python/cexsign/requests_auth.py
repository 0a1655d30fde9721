"""cexsign for ``requests``: ``requests.get(url, auth=cexsign.RequestsAuth(signer))``.

The prepared request's exact bytes are signed (its method, the URL's path and query as
``requests`` encoded them, the body bytes), so what is signed is what is sent. A ``str`` body
is sent as its UTF-8 bytes (``requests`` would send Latin-1). Where the scheme signs inside the
request (Binance's ``signature`` parameter, Kraken's ``nonce``), the URL or body is rewritten.
"""

from __future__ import annotations

from typing import Optional

import requests
import requests.auth

from . import Signer
from ._adapt import Clock, check_signer, sign_wire, streamed_body

__all__ = ["RequestsAuth"]


class RequestsAuth(requests.auth.AuthBase):
    """Signs every request it is attached to, at ``clock()`` (unix ms) or now."""

    def __init__(self, signer: Signer, *, clock: Optional[Clock] = None) -> None:
        self.signer = check_signer(signer)
        self.clock = clock

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body
        if body is None:
            data = b""
        elif isinstance(body, str):
            data = body.encode("utf-8")
        elif isinstance(body, (bytes, bytearray, memoryview)):
            data = bytes(body)
        else:
            raise streamed_body(type(body).__name__)
        signed, new_url = sign_wire(self.signer, request.method or "GET", request.url or "", data, self.clock)
        if signed.wire_body is not None:
            data = signed.wire_body
        if body is not None or signed.wire_body is not None:
            request.body = data
            request.prepare_content_length(data)
        if new_url is not None:
            request.url = new_url
        request.headers.update(signed)
        return request

    def __repr__(self) -> str:
        return f"RequestsAuth({self.signer!r})"
