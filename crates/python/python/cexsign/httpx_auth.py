"""cexsign for ``httpx``: ``httpx.Client(auth=cexsign.HttpxAuth(signer))``, sync and async.

The request's exact bytes are signed (its method, the URL's raw path and query, the body
bytes, read first), so what is signed is what is sent. Where the scheme signs inside the
request (Binance's ``signature`` parameter, Kraken's ``nonce``), the request sent is rebuilt
with the new URL or body.
"""

from __future__ import annotations

from typing import Generator, Optional

import httpx

from . import Signer
from ._adapt import Clock, check_signer, sign_wire

__all__ = ["HttpxAuth"]


class HttpxAuth(httpx.Auth):
    """Signs every request it is attached to, at ``clock()`` (unix ms) or now."""

    requires_request_body = True

    def __init__(self, signer: Signer, *, clock: Optional[Clock] = None) -> None:
        self.signer = check_signer(signer)
        self.clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        body = request.content
        # httpx writes the URL's raw path and query on the wire (its "target").
        url = str(request.url)
        signed, new_url = sign_wire(self.signer, request.method, url, body, self.clock)
        if new_url is not None or signed.wire_body is not None:
            headers = request.headers.copy()
            content = signed.wire_body if signed.wire_body is not None else body
            headers.pop("content-length", None)
            request = httpx.Request(
                request.method,
                new_url if new_url is not None else request.url,
                headers=headers,
                content=content,
                extensions=request.extensions,
            )
        request.headers.update(signed)
        yield request

    def __repr__(self) -> str:
        return f"HttpxAuth({self.signer!r})"
