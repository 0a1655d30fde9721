"""The local exchange, for a bot's tests and offline runs.

It verifies every request as the exchange does (the signature over the raw bytes received, the
window, the passphrase, key versions, demo headers, JWTs, nonces) and answers a failure with the
exchange's own error, plus ``cexsign_reason`` (the mistake named) and ``cexsign_expected_prehash``.
One listener on loopback serves every scheme: point each client's base URL at ``base_url``.

    with cexsign.LocalExchange([signer]) as exchange:
        requests.get(exchange.base_url + "/api/v5/account/balance", auth=cexsign.RequestsAuth(signer))

Standalone, for a bot in any language: ``python -m cexsign.local_exchange [--port N]
[--credentials FILE|-] [--print-config] [--show-secrets] [--serve-seconds N]``; without
``--credentials`` it registers the signing spec's worked-example keys (fakes) and prints them.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Union

from . import _native

if TYPE_CHECKING:
    from . import Signer

__all__ = ["LocalExchange", "worked_example_accounts"]

Account = Union["Signer", Mapping[str, Any]]


def worked_example_accounts() -> List[Dict[str, Any]]:
    """The signing spec's worked-example keys (fakes), as accounts-document entries with their
    secrets: OKX live and demo, KuCoin v1/v2/v3, Delta, Coinbase Exchange, Coinbase Advanced
    (legacy HMAC), Coinbase CDP ES256 and Ed25519."""
    return json.loads(_native.worked_example_accounts())


class LocalExchange:
    """A local exchange serving on loopback until ``stop()`` (or the end of a ``with`` block).

    ``accounts``: signers (``cexsign.OkxSigner(...)``: the key they sign with is registered),
    accounts-document entries (dicts in the conformance vectors' credential format plus
    ``scheme``), a whole accounts document as a dict or JSON text, or None for the worked-example
    keys. Every entry is checked as ``local_exchange --credentials`` checks it.
    """

    def __init__(
        self,
        accounts: Union[None, str, Mapping[str, Any], Iterable[Account]] = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock_offset_ms: int = 0,
    ) -> None:
        from . import Signer

        signers: List[Any] = []
        document: Optional[str]
        if accounts is None:
            document = _native.worked_example_accounts()
        elif isinstance(accounts, str):
            document = accounts
        elif isinstance(accounts, Mapping):
            document = json.dumps(accounts)
        else:
            entries: List[Mapping[str, Any]] = []
            for account in accounts:
                if isinstance(account, Signer):
                    signers.append(account._native)
                elif isinstance(account, Mapping):
                    entries.append(account)
                else:
                    raise TypeError(f"an account is a cexsign signer or a dict entry, not {type(account).__name__}")
            document = json.dumps(entries) if entries else None
        self._native = _native.LocalExchange(
            document, signers, host=host, port=port, clock_offset_ms=clock_offset_ms
        )

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, every scheme's base URL."""
        return self._native.base_url

    @property
    def port(self) -> int:
        return self._native.port

    @property
    def accounts(self) -> List[Dict[str, Any]]:
        """The registered accounts, without their secrets."""
        return json.loads(self._native.accounts)

    @property
    def running(self) -> bool:
        return self._native.running

    @property
    def requests_accepted(self) -> int:
        return self._native.counts()[1]

    @property
    def requests_rejected(self) -> int:
        return self._native.counts()[2]

    @property
    def orders_placed(self) -> int:
        return self._native.counts()[3]

    def verified_requests(self) -> List[Dict[str, Any]]:
        """Every request it accepted, as verified (scheme, key, method, path, query, timestamp), oldest first."""
        return json.loads(self._native.verified_requests())

    @property
    def clock_offset_ms(self) -> int:
        return self._native.server_time_ms() - int(time.time() * 1000)

    def set_clock_offset_ms(self, offset_ms: int) -> None:
        """Moves its clock ``offset_ms`` from the host's (a skewed-clock test)."""
        self._native.set_clock_offset_ms(offset_ms)

    def server_time_ms(self) -> int:
        return self._native.server_time_ms()

    def stop(self) -> None:
        """Stops serving (idempotent)."""
        self._native.stop()

    def __enter__(self) -> "LocalExchange":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"LocalExchange({self.base_url!r}, {'serving' if self.running else 'stopped'})"
