"""One fake key per scheme and the requests a bot typically sends (the quickstart's venues):
a GET with a tricky query (or a form/JSON POST where the API is POST only), a POST with a body,
and the websocket message, signed through the Python API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

import cexsign

BINANCE_ED25519_PEM = """-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIHLSyh54CHgd6L5+7r7wlywf3JGF7fyqrEO2h98cT7SL
-----END PRIVATE KEY-----
"""


@dataclass
class Venue:
    scheme: str
    credentials: Dict[str, Any]
    # (method, path with query, body): the first request.
    first: Tuple[str, str, str]
    # (path, body): a POST.
    post: Tuple[str, str]
    # ws_login's keyword arguments, or None where the stream takes no signed message.
    ws: Optional[Dict[str, Any]] = field(default_factory=dict)

    def signer(self) -> cexsign.Signer:
        return cexsign.signer(self.scheme, **self.credentials)


def content_type(body: str) -> str:
    return "application/json" if body.startswith(("{", "[")) else "application/x-www-form-urlencoded"


VENUES = [
    Venue(
        "okx",
        dict(api_key="985d5b66-57ce-40fb-b714-afc0b9787083", secret="22582BD0CFF14C41EDBF1AB98506286D",
             passphrase="Passphrase1!", demo=True),
        ("GET", "/api/v5/account/bills?ccy=BTC,ETH&type=2&after=&begin=1700000000000", ""),
        ("/api/v5/trade/order", '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"30000","sz":"0.01"}'),
    ),
    Venue(
        "kucoin",
        dict(api_key="6422da9c97b45100018c6e62", secret="cde06451-dbed", passphrase="1111111", key_version=3),
        ("GET", "/api/v1/accounts/ledgers?currency=BTC&remark=Long-term+portfolio%21&note=%E9%BE%99", ""),
        ("/api/v1/orders", '{"clientOid":"5c52e11203aa","side":"buy","symbol":"BTC-USDT","type":"limit","price":"30000","size":"0.01","remark":"龙"}'),
        None,  # a token from POST /api/v1/bullet-private instead
    ),
    Venue(
        "delta",
        dict(api_key="a207900b7693435a8fa9230a38195d", secret="7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f"),
        ("GET", "/v2/orders?product_ids=27%2C139&states=open&states=pending", ""),
        ("/v2/orders", '{"order_type":"limit_order","size":3,"side":"buy","limit_price":"0.0005","product_id":16}'),
    ),
    Venue(
        "coinbase_exchange",
        dict(api_key="0123456789abcdef0123456789abcdef",
             secret="3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==",
             passphrase="testpassphrase"),
        ("GET", "/orders?status=done&status=open&product_id=BTC-USD&limit=2", ""),
        ("/orders", '{"product_id":"BTC-USD","side":"buy","type":"limit","price":"1.0","size":"1.0"}'),
        dict(channels=["user"], product_ids=["BTC-USD"]),
    ),
    Venue(
        "coinbase_cdp_jwt",
        dict(api_key="22222222-2222-4222-8222-222222222222",
             secret="rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA=="),
        ("GET", "/api/v3/brokerage/orders/historical/fills?product_ids=BTC-USD&start_sequence_timestamp=2024-06-08T12%3A30%3A45Z", ""),
        ("/api/v3/brokerage/orders", '{"client_order_id":"0000-1","product_id":"BTC-USD","side":"BUY","order_configuration":{"market_market_ioc":{"quote_size":"10"}}}'),
        dict(channels=["user"], product_ids=["BTC-USD"]),
    ),
    Venue(
        "coinbase_advanced_hmac",
        dict(api_key="4wRFpLxVyT8hZ2Qn", secret="kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA"),
        ("GET", "/api/v3/brokerage/accounts?limit=1&cursor=", ""),
        ("/api/v3/brokerage/orders", '{"client_order_id":"0000-1","product_id":"BTC-USD","side":"BUY","order_configuration":{"market_market_ioc":{"quote_size":"10"}}}'),
        dict(channels=["user"], product_ids=["BTC-USD"]),
    ),
    Venue(
        "binance",
        dict(api_key="rjtqhXsl1Wt5vNLDwtMIXNTowET1mtUt6aSXzjHVDI4YoNcSkw1pJ5SXoqw2mzaK", secret=BINANCE_ED25519_PEM,
             key_type="Ed25519"),
        ("GET", "/api/v3/openOrders?symbol=%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT&recvWindow=5000", ""),
        ("/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.0015&price=64250.5"),
        dict(method="session.logon", id="python-1"),
    ),
    Venue(
        "bybit",
        dict(api_key="ER7hE18bmyErarazk9", secret="8Jk3YlhaMspugwldvQHRsExWJi192pdqO03j", key_type="HMAC"),
        ("GET", "/v5/order/history?category=spot&limit=50&cursor=132818%3A1%2C132818%3A1", ""),
        ("/v5/order/create", '{"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "30000"}'),
    ),
    Venue(
        "kraken",
        dict(api_key="RmOzOqvNafwopRcxN0LH9UdYy8PTRkzf2D1voflt3q7QN5b8WVar68Qi",
             secret="G4uFqj49aBxIh+tgxotpGEz1h9erPk6l0L3g8PAm1FppFM3lIbkNpcsqoBajzVb8GF64Ct7baTv4tSpmGyPRQg=="),
        ("POST", "/0/private/AddOrder", "ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25&oflags=post%2Cfciq"),
        ("/0/private/CancelOrderBatch", '{"orders":["OG5V2Y-RYKVL-DT3V3B","OP3TRO-MDQG7-2Q6XX2"]}'),
        None,  # a token from POST /0/private/GetWebSocketsToken instead
    ),
    Venue(
        "bitget",
        dict(api_key="bg_d9783a24ddc4e4535d80b7a6101aab20",
             secret="39f3d9ef7bdefbed63506d477fab6f952c50612692b7ba41faaa67445b42dd5d", passphrase="qgfqGQbpPP#N1O"),
        ("GET", "/api/v2/mix/account/account?marginCoin=USDT&productType=USDT-FUTURES&symbol=%E9%BE%99%E8%99%BEUSDT", ""),
        ("/api/v2/spot/trade/place-order", '{"symbol":"BTCUSDT","side":"buy","orderType":"limit","force":"gtc","price":"30000","size":"0.001","clientOid":"vg:0001"}'),
    ),
    Venue(
        "gate",
        dict(api_key="a1a9d1abd6b184059827d73a31bed2a1", secret="7dab7dd4d38c0b75bc0fd56c8ac2021690dcba6a6c494560b83c72abf26635fe"),
        ("GET", "/api/v4/spot/my_trades?currency_pair=BTC_USDT&text=t-vg+2024-06-08%2012%3A30&limit=10", ""),
        ("/api/v4/spot/orders", '{"text":"t-vg","currency_pair":"BTC_USDT","type":"limit","side":"buy","amount":"0.001","price":"30000"}'),
        dict(channels=["spot.orders"], product_ids=["BTC_USDT"]),
    ),
    Venue(
        "bitmex",
        dict(api_key="OqlUt16EeAyDyv7vhRYLNZVD", secret="WUfhDg-huzNtcFauPHrEPxk6WLvqGLQy06nac5dQ689qufGZ"),
        ("GET", "/api/v1/order?symbol=XBTUSD&filter=%7B%22open%22%3A%20true%7D&reverse=true", ""),
        ("/api/v1/order", '{"symbol":"XBTUSD","side":"Buy","orderQty":100,"price":60000,"ordType":"Limit","clOrdID":"vg-0001"}'),
    ),
    Venue(
        "bitfinex",
        dict(api_key="juuVA6PtvFe1fV31ONXTVqNj8tQLaCLxwL90EjTiAgK", secret="L01gmaZFnxCWPdmV7tGdJOiVbxuARP8wxq67tq4wVAw"),
        ("POST", "/v2/auth/r/orders/tBTCUST/hist", '{"start":1717921532000,"limit":25}'),
        ("/v2/auth/w/order/submit", '{"type":"EXCHANGE LIMIT","symbol":"tBTCUST","amount":"0.0015","price":"62965.5","cid":7577507837353}'),
    ),
    Venue(
        "deribit",
        dict(api_key="ben2Kvln", secret="Zqwec49jTayxWHZLMvMf0qCovBAzDq9Et93ozpX0RoA"),
        ("GET", "/api/v2/private/get_user_trades_by_currency?currency=BTC&kind=future&count=20&label=vg+bot+%231", ""),
        ("/api/v2/private/buy", '{"jsonrpc":"2.0","id":1,"method":"private/buy","params":{"instrument_name":"BTC-PERPETUAL","amount":10,"type":"limit","price":64250.5,"label":"vg-0001"}}'),
    ),
    Venue(
        "bitmart",
        dict(api_key="849f22ff6ea8426c9319409e9339f09003088318",
             secret="4eedcf19e1593576341a9592d4a12adb7fd32a1cb93c6f2f25b83fa955caef6c", passphrase="vg-memo-01"),
        ("GET", "/account/v1/wallet?currency=BTC%2CETH%2CSOL", ""),
        ("/spot/v2/submit_order", '{"symbol":"BTC_USDT","side":"buy","type":"limit","size":"0.0015","price":"64089.87","client_order_id":"vge6cd0033b7a6e6a7"}'),
    ),
    Venue(
        "kraken_futures",
        dict(api_key="V+Yjqaho5np/S325kBzw/0Wch4qv+7OgSJjIz7RYUoGaQOvBf8hS9343",
             secret="PKxpyRhZNLC5vTaXXuWtQjxbIOzGmKFC1PTxyMY7eBFSIiqunU2g2OsNUcO+2XxKobd3w9XxvoCH8ZLPcUT0Bw=="),
        ("GET", "/derivatives/api/v3/fills?lastFillTime=2024-06-08T12%3A30%3A45.000Z", ""),
        ("/derivatives/api/v3/sendorder", "orderType=lmt&symbol=PF_XBTUSD&side=buy&size=0.0015&limitPrice=64036.3&cliOrdId=python-kf-0001"),
        dict(channels=["open_orders"], data="c100b894-1729-464d-ace1-52dbce11db42"),
    ),
    Venue(
        "mexc",
        dict(api_key="mx0vzyccRd0ZpaniVb", secret="5da245ea1b7ea10467ecfeac598d8fce"),
        ("GET", "/api/v1/private/order/list/history_orders?symbol=BTC_USDT&states=3%2C4&page_num=1", ""),
        ("/api/v1/private/order/submit", '{"symbol":"BTC_USDT","price":64250.5,"vol":1,"leverage":10,"side":1,"type":1,"openType":1,"externalOid":"vg-f844b43b7ef71d9d"}'),
    ),
    Venue(
        "hyperliquid",
        dict(api_key="0x3C4A97241c7b41C7FD868C662776529d79629BFc",
             secret="0x1a200dd7760f08613dae49a978f9c7b759e18e0c734156b9cdc3f062aeb661c9"),
        ("POST", "/exchange", '{"type":"cancel","cancels":[{"a":0,"o":27161311709}]}'),
        ("/exchange", '{"type":"order","orders":[{"a":0,"b":true,"p":"64089.9","s":"0.0015","r":false,"t":{"limit":{"tif":"Gtc"}},"c":"0x1957bca15338f1b5170896711d82e4e9"}],"grouping":"na"}'),
        None,  # no websocket login: user channels take the address
    ),
    Venue(
        "upbit",
        dict(api_key="pdY7QibvO8tLw7AffHpDzaIAhNP9GO9GZPzgwkQI", secret="eyTyGHJPSPr5PKgOCXrTyMCBYc3qoZFZrRQgCp3Y"),
        ("GET", "/v1/orders/closed?market=KRW-BTC&start_time=2024-06-08T12%3A30%3A45%2B09%3A00", ""),
        ("/v1/orders", '{"market":"KRW-BTC","side":"bid","volume":"0.0015","price":"90000000","ord_type":"limit","identifier":"python-upbit-0001"}'),
        None,  # the handshake carries the same Bearer token
    ),
    Venue(
        "backpack",
        dict(api_key="ab6aXLIdgm2EkBjqnCJvIKPJ0GdPWIIajevXiCcKGO0=", secret="hYKOvyp+Y/RXR+Upm6E03HTBbd4mkfA6rg9+Z2TIvfQ="),
        ("GET", "/wapi/v1/history/fills?symbol=SOL_USDC&limit=100&from=1717937474000", ""),
        ("/api/v1/order", '{"symbol":"SOL_USDC","side":"Bid","orderType":"Limit","price":"149.62","quantity":"0.0015","postOnly":true,"clientId":69124173}'),
        dict(channels=["account.orderUpdate"]),
    ),
    Venue(
        "crypto_com",
        dict(api_key="LBC1Qha760WroHgzDQxeaJ", secret="9i7mkrsCBWKacCZjFWljqm"),
        ("POST", "/exchange/v1/private/get-order-history", '{"instrument_name":null,"start_time":1717953520000,"end_time":1718039920000,"limit":100}'),
        ("/exchange/v1/private/create-order", '{"instrument_name":"BTC_USDT","side":"BUY","type":"LIMIT","price":"64089.87","quantity":"0.0015","client_oid":"python-cdc-0001","exec_inst":["POST_ONLY"]}'),
    ),
]
