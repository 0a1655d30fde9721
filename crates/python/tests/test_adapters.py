"""``requests`` and ``httpx`` (sync and async) through the auth adapters against the local
exchange, for every scheme of the registry: a GET with a tricky query (or the API's POST), a
POST with a body, and the websocket message; each must be accepted, and a wrong secret must be
refused with the exchange's own error and the mistake named."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, List

import httpx
import pytest
import requests

import cexsign

from venues import VENUES, Venue, content_type


def test_every_scheme_has_a_venue() -> None:
    assert sorted(venue.scheme for venue in VENUES) == sorted(scheme["id"] for scheme in cexsign.SCHEMES)


Send = Callable[[str, str, str, Dict[str, str], Any], "tuple[int, str]"]


def send_requests(method: str, url: str, body: str, headers: Dict[str, str], auth: Any) -> "tuple[int, str]":
    response = requests.request(method, url, data=body.encode() if body else None, headers=headers, auth=auth)
    return response.status_code, response.text


def send_httpx(method: str, url: str, body: str, headers: Dict[str, str], auth: Any) -> "tuple[int, str]":
    with httpx.Client(auth=auth) as client:
        response = client.request(method, url, content=body.encode() if body else None, headers=headers)
    return response.status_code, response.text


def send_httpx_async(method: str, url: str, body: str, headers: Dict[str, str], auth: Any) -> "tuple[int, str]":
    async def go() -> "tuple[int, str]":
        async with httpx.AsyncClient(auth=auth) as client:
            response = await client.request(method, url, content=body.encode() if body else None, headers=headers)
        return response.status_code, response.text

    return asyncio.run(go())


CLIENTS = {"requests": send_requests, "httpx": send_httpx, "httpx-async": send_httpx_async}


def requests_of(venue: Venue) -> List["tuple[str, str, str]"]:
    method, target, body = venue.first
    path, post = venue.post
    return [(method, target, body), ("POST", path, post)]


def accepted(status: int, text: str) -> bool:
    return status == 200 and '"cexsign":"accepted"' in text.replace(" ", "")


@pytest.mark.parametrize("client", sorted(CLIENTS))
@pytest.mark.parametrize("venue", VENUES, ids=[venue.scheme for venue in VENUES])
def test_signed_requests_are_accepted(venue: Venue, client: str) -> None:
    signer = venue.signer()
    send = CLIENTS[client]
    auth = cexsign.RequestsAuth(signer) if client == "requests" else cexsign.HttpxAuth(signer)
    with cexsign.LocalExchange([signer]) as exchange:
        for method, target, body in requests_of(venue):
            headers = {"content-type": content_type(body)} if body else {}
            status, text = send(method, exchange.base_url + target, body, headers, auth)
            assert accepted(status, text), f"{venue.scheme} {client} {method} {target}: {status} {text}"
        assert exchange.requests_accepted == 2
        assert exchange.requests_rejected == 0


@pytest.mark.parametrize("venue", [v for v in VENUES if v.ws is not None], ids=lambda v: v.scheme)
def test_websocket_messages_are_accepted(venue: Venue) -> None:
    signer = venue.signer()
    assert venue.ws is not None
    wrong = wrong_signer(venue)
    with cexsign.LocalExchange([signer]) as exchange:
        url = f"{exchange.base_url}/cexsign/ws/{venue.scheme}"
        # The exchange's own login answer; a refusal also carries cexsign's reason (Bybit and
        # others answer refusals with HTTP 200, as the real exchanges do).
        response = requests.post(url, data=signer.ws_login(**venue.ws).message.encode())
        assert response.status_code == 200 and reason(response) is None, f"{venue.scheme}: {response.text}"
        if wrong is not None:
            response = requests.post(url, data=wrong.ws_login(**venue.ws).message.encode())
            assert reason(response) is not None, f"{venue.scheme}: a wrong secret's login passed: {response.text}"


def wrong_signer(venue: Venue) -> Any:
    """A signer with another secret for the venue's key; None where the key pair is checked
    when the signer is built (Ed25519 keys whose API key is, or whose secret holds, the public
    key): the mistake is then refused right there, naming no secret."""
    secret = other_secret(venue)
    try:
        return cexsign.signer(venue.scheme, **dict(venue.credentials, secret=secret))
    except cexsign.CexsignError as error:
        assert secret not in str(error) and venue.credentials["secret"] not in str(error)
        assert venue.scheme in ("backpack", "coinbase_cdp_jwt"), f"{venue.scheme}: {error}"
        return None


def reason(response: requests.Response) -> Any:
    """cexsign's reason for a refusal, from the body or the header, else None."""
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if isinstance(answer, dict) and "cexsign_reason" in answer:
        return answer["cexsign_reason"]
    return response.headers.get("cexsign-reason")


@pytest.mark.parametrize("venue", VENUES, ids=[venue.scheme for venue in VENUES])
def test_a_wrong_secret_is_refused_and_named(venue: Venue) -> None:
    signer = venue.signer()
    wrong = wrong_signer(venue)
    if wrong is None:
        return
    with cexsign.LocalExchange([signer]) as exchange:
        path, body = venue.post
        response = requests.post(
            exchange.base_url + path,
            data=body.encode(),
            headers={"content-type": content_type(body)},
            auth=cexsign.RequestsAuth(wrong),
        )
    assert '"cexsign":"accepted"' not in response.text, response.text
    assert reason(response) is not None, response.text
    for secret in (venue.credentials["secret"], other_secret(venue), venue.credentials.get("passphrase")):
        if secret:
            assert secret not in response.text


def other_secret(venue: Venue) -> str:
    """A secret of the same shape as the venue's, but another key."""
    secret = venue.credentials["secret"]
    if "PRIVATE KEY" in secret:
        return """-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f
-----END PRIVATE KEY-----
"""
    if secret.startswith("0x"):
        return "0x" + "11" * 32
    # Same alphabet and length: swap two different characters of the secret.
    i = next(i for i in range(1, len(secret)) if secret[i] != secret[0] and secret[i].isalnum())
    chars = list(secret)
    chars[0], chars[i] = chars[i], chars[0]
    return "".join(chars)
