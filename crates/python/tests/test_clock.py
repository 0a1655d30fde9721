"""Time: the server-time endpoint of every scheme that has one, read through the Python API
against a local exchange whose clock runs 90 s ahead; signing with the synced clock is accepted
where signing with the host's clock is refused; and an answer classified with its next step."""

from __future__ import annotations

import requests

import cexsign

from venues import VENUES, content_type

AHEAD_MS = 90_000


def test_every_server_time_endpoint_syncs_the_clock() -> None:
    synced, without = [], []
    with cexsign.LocalExchange([venue.signer() for venue in VENUES], clock_offset_ms=AHEAD_MS) as exchange:
        for venue in VENUES:
            clock = cexsign.OffsetClock()
            try:
                offset = clock.sync(venue.scheme, exchange.base_url)
            except cexsign.CexsignError as error:
                assert "no server-time endpoint" in str(error), (venue.scheme, str(error))
                without.append(venue.scheme)
                continue
            assert abs(offset - AHEAD_MS) < 2_000, (venue.scheme, offset)
            assert clock.synced and abs(clock() - exchange.server_time_ms()) < 2_000
            synced.append(venue.scheme)
    # Every endpoint the registry names is served; the four without one are nonce schemes
    # (Bitfinex, Upbit) or have none (Hyperliquid, Crypto.com), as the skewed-clock example says.
    assert sorted(without) == ["bitfinex", "crypto_com", "hyperliquid", "upbit"], without
    assert len(synced) == len(VENUES) - 4


def test_a_synced_clock_turns_a_rejection_into_an_acceptance() -> None:
    venue = next(v for v in VENUES if v.scheme == "okx")
    signer = venue.signer()
    path, body = venue.post
    with cexsign.LocalExchange([signer], clock_offset_ms=AHEAD_MS) as exchange:
        url = exchange.base_url + path
        headers = {"content-type": content_type(body)}
        response = requests.post(url, data=body.encode(), headers=headers, auth=cexsign.RequestsAuth(signer))
        rejection = cexsign.classify("okx", response.status_code, response.content)
        assert rejection is not None and rejection.code == "50102", response.text
        assert (rejection.kind, rejection.next_step) == ("timestamp_outside_window", "resync_and_retry_once")
        clock = cexsign.OffsetClock()
        clock.sync("okx", exchange.base_url)
        response = requests.post(url, data=body.encode(), headers=headers, auth=cexsign.RequestsAuth(signer, clock=clock))
        assert response.status_code == 200 and cexsign.classify("okx", 200, response.content) is None, response.text


def test_a_slow_round_trip_is_discarded() -> None:
    clock = cexsign.OffsetClock()
    try:
        clock.observe(1_000, 50_000, 60_000)
    except cexsign.CexsignError as error:
        assert "round trip" in str(error)
    else:
        raise AssertionError("a 59 s round trip was used")
    assert not clock.synced and clock.offset_ms == 0
    assert clock.observe(1_000, 90_100, 1_200) == 89_000


def test_server_time_answers_parse_as_documented() -> None:
    assert cexsign.server_time_path("kraken") == "/0/public/Time"
    okx = b'{"code":"0","msg":"","data":[{"ts":"1597026383085"}]}'
    assert cexsign.parse_server_time("okx", okx) == 1_597_026_383_085
