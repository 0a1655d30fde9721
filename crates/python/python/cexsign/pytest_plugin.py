"""pytest fixtures, registered when cexsign is installed (entry point ``pytest11``).

``cexsign_exchange``: a local exchange serving the accounts of ``cexsign_accounts`` for one
test, stopped after it. ``cexsign_accounts`` defaults to the worked-example keys; override it in
your ``conftest.py`` with your bot's signers (fake keys) or accounts-document entries::

    @pytest.fixture
    def cexsign_accounts():
        return [cexsign.OkxSigner(api_key="k", secret="s", passphrase="p", demo=True)]

    def test_places_an_order(cexsign_exchange):
        bot = MyBot(base_url=cexsign_exchange.base_url)
        ...
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from ._local_exchange import LocalExchange, worked_example_accounts


@pytest.fixture
def cexsign_accounts() -> Any:
    """The accounts ``cexsign_exchange`` registers: the worked-example keys unless overridden."""
    return worked_example_accounts()


@pytest.fixture
def cexsign_exchange(cexsign_accounts: Any) -> Iterator[LocalExchange]:
    """A local exchange on loopback for one test."""
    with LocalExchange(cexsign_accounts) as exchange:
        yield exchange
