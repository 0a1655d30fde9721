//! The per-exchange reference: what cexsign knows about each exchange, in words.
//!
//! This module holds no code. It says how each scheme signs, how each exchange's signer is built
//! and used, its websocket login, its client order id, the mistakes the diagnosis names for it,
//! the local exchange's standalone use, the conformance runner and the measured costs. The same
//! facts live as data in each exchange's description
//! ([`Scheme::exchange`](crate::Scheme::exchange)); the README links here for everything
//! exchange-specific.
//!
//! The Rust snippets below are fragments (credentials, bodies and clients elided), shown as text
//! and not compiled; the crate-level guide ([`crate`]) and each signer's own documentation have
//! complete examples that run.
//!
//! # The schemes
//!
//! | scheme | secret used as | prehash | output | timestamp | auth headers |
//! |---|---|---|---|---|---|
//! | OKX v5 | raw text (looks like hex: not decoded) | `ts + METHOD + path + ?query + body` | base64 HMAC-SHA256 | ISO-8601 ms `2020-12-08T09:08:57.715Z` (ws: seconds) | `OK-ACCESS-KEY/SIGN/TIMESTAMP/PASSPHRASE`, demo: `x-simulated-trading: 1` |
//! | KuCoin v1–v3 | raw text | `ts + METHOD + path + ?decoded query + body` | base64 HMAC-SHA256 | Unix ms | `KC-API-KEY/SIGN/TIMESTAMP/PASSPHRASE` (+`KEY-VERSION` for v2/v3, passphrase HMAC'd) |
//! | Delta v2 | raw text | `METHOD + ts + path + ?query + body` | hex HMAC-SHA256 | Unix s | `api-key`, `timestamp`, `signature` |
//! | Coinbase Exchange | **base64-decoded** (64 bytes) | `ts + METHOD + path + ?query + body` | base64 HMAC-SHA256 | Unix s, decimals allowed | `CB-ACCESS-KEY/SIGN/TIMESTAMP/PASSPHRASE` |
//! | Coinbase Advanced (legacy) | raw text | `ts + METHOD + path + body` (query **not** signed) | hex HMAC-SHA256 | Unix s | `CB-ACCESS-KEY/SIGN/TIMESTAMP` |
//! | Coinbase CDP | P-256 or Ed25519 private key | JWT: `uri = "METHOD host/path"` (no query) | ES256 (`r‖s`) / EdDSA | `nbf` Unix s, `exp` +120 s | `Authorization: Bearer <jwt>` |
//! | Binance | raw text, or an Ed25519/RSA PEM key | `query + body` as sent (no method, no path), `timestamp` a parameter | hex HMAC-SHA256 / base64 Ed25519 / base64 RSA-SHA256 | Unix ms (or µs) | `X-MBX-APIKEY`; `signature` appended last to the query or form body |
//! | Bybit v5 | raw text, or an RSA PEM key | `ts + key + recv_window + (query \| body)` | hex HMAC-SHA256 / base64 RSA-SHA256 | Unix ms | `X-BAPI-API-KEY/TIMESTAMP/SIGN/RECV-WINDOW` |
//! | Kraken | **base64-decoded** (64 bytes; any length is taken) | `path ‖ SHA256(nonce + body)` | base64 HMAC-SHA512 | `nonce` in the body | `API-Key`, `API-Sign` |
//! | Bitget v2 | raw text | `ts + METHOD + path + ?decoded query + body` | base64 HMAC-SHA256 | Unix ms (ws: seconds) | `ACCESS-KEY/SIGN/TIMESTAMP/PASSPHRASE` |
//! | Gate v4 | raw text | `METHOD⏎path⏎decoded query⏎hex SHA512(body)⏎ts` | hex HMAC-SHA512 | Unix s | `KEY`, `SIGN`, `Timestamp` |
//! | BitMEX | raw text | `METHOD + path + ?query + expires + body` | hex HMAC-SHA256 | `api-expires`: an **expiry**, Unix s (signing instant + 5 s by default) | `api-expires`, `api-key`, `api-signature` |
//! | Bitfinex v2 | raw text | `"/api" + path + nonce + body` (no method, no query; no body: nothing after the nonce) | hex HMAC-SHA384 | `bfx-nonce`: a **nonce** above the key's last, µs (or ms) | `bfx-nonce`, `bfx-apikey`, `bfx-signature` |
//! | Deribit | raw text | `ts⏎nonce⏎METHOD⏎path?query⏎body⏎` (a newline after the body, even an empty one) | hex HMAC-SHA256 | Unix ms, and a **nonce** per request | `Authorization: deri-hmac-sha256 id=…,ts=…,sig=…,nonce=…` |
//! | BitMart | raw text | `ts#memo#` + the query of a GET (without `?`) or the body (no method, no path; the memo is signed, never sent) | hex HMAC-SHA256 | Unix ms | `X-BM-KEY`, `X-BM-SIGN`, `X-BM-TIMESTAMP` |
//! | Kraken Futures | **base64-decoded** (64 bytes; checked at construction) | `SHA256(postData + nonce + path without /derivatives)`, postData the query or form body as sent | base64 HMAC-SHA512 | optional `Nonce`: a **nonce** above the key's last (ms), or none | `APIKey`, `Authent`, `Nonce` |
//! | MEXC | raw text | spot (`/api/v3/`): `query + body` as sent, `timestamp` a parameter (Binance's rule); contract (`/api/v1/`): `key + ts +` the query (sent sorted by name, values encoded, `%20` for a space) of a GET/DELETE or the JSON body as sent | hex HMAC-SHA256 | Unix ms | spot: `X-MEXC-APIKEY`, `signature` appended last; contract: `ApiKey`, `Request-Time`, `Signature` |
//! | Hyperliquid (feature `hyperliquid`) | secp256k1 private key (hex) | EIP-712: L1 actions `Agent(source, keccak256(msgpack(action in its JSON key order) ‖ nonce ‖ vault ‖ expiresAfter))`, user-signed actions their typed fields (no method, no path) | ECDSA `r`, `s`, `v` (RFC 6979, low-s, recoverable) | `nonce`: Unix ms, used once | none: the signature is in the body |
//! | Backpack | **base64-decoded** 32-byte Ed25519 seed | `instruction=<call>&` + the query's or JSON body's parameters sorted by name (decoded, booleans `true`/`false`; a batch repeats the instruction per order) + `&timestamp=<ts>&window=<ms>` (the layout sent is free) | base64 Ed25519 | Unix ms, `X-Window` 5 s (at most 60 s) | `X-API-Key` (the public key), `X-Signature`, `X-Timestamp`, `X-Window` |
//! | Upbit | raw text | JWT `{access_key, nonce[, query_hash, query_hash_alg: SHA512]}`, `query_hash` = hex SHA-512 of the parameters **unencoded** (the query as sent, percent-decoded; a JSON body's fields as `k=v&…` in body order) | base64url HMAC-SHA256 (or HS512) | none: a UUID **nonce** used once | `Authorization: Bearer <jwt>` |
//! | Crypto.com | raw text | `method + id + api_key + paramString + nonce`, id and nonce as the body sends them, paramString the params' keys **sorted**, each followed by its value (`null` as `null`, lists item by item, objects recursed at most 3 deep; the JSON layout sent is free) | hex HMAC-SHA256 | `nonce`: Unix ms, 60 s | none: `api_key`, `nonce` and `sig` are fields of the JSON body |
//!
//! Websocket authentication: OKX `op: login`, Delta `key-auth`, Coinbase Exchange and Coinbase
//! Advanced subscribe fields, CDP `jwt` field, Binance WebSocket API signed params and
//! `session.logon`, Bybit `op: auth`, Bitget `op: login`, Gate channel `auth` and ws API login, BitMEX
//! `op: authKeyExpires`, Bitfinex `event: auth` (`"AUTH" + nonce`), Deribit `public/auth` with
//! `grant_type: client_signature` (`ts⏎nonce⏎data`), BitMart spot `op: login` and futures
//! `action: access` (`ts#memo#bitmart.WebSocket`), Kraken Futures' private subscribes
//! (`original_challenge` and `signed_challenge`, the server's challenge signed as a SHA-256
//! digest), MEXC contract `method: login` (`key + reqTime`) — each signed through the same MAC
//! path as REST. MEXC spot's private streams take a listenKey from the signed
//! `POST /api/v3/userDataStream`.
//! Backpack's `SUBSCRIBE` carries `signature: [key, sig, ts, window]` over
//! `instruction=subscribe&timestamp=…&window=…`. Hyperliquid has no login: a websocket `post` carries an action signed exactly as for REST.
//! Its account channels take an address unsigned, so no private stream of its is served.
//! Upbit's private socket signs no message: its handshake carries the same `Authorization: Bearer`
//! token, without query claims.
//! Crypto.com's `public/auth` carries `sig` over `public/auth + id + api_key + nonce` (no params).
//! KuCoin and Kraken have none:
//! their private socket tokens come from a signed REST call (`POST /api/v1/bullet-private`,
//! `POST /0/private/GetWebSocketsToken`): [`StreamToken`](crate::StreamToken) builds it and reads
//! the grant, with the reconnect pattern (a fresh token per connect).
//!
//! Private streams served by the local exchange (`cargo run --example ws_login`): OKX
//! `/ws/v5/private`, Bybit `/v5/private`, Bitget `/v2/ws/private`, Gate `/ws/v4/`, Delta `/`,
//! Coinbase Exchange `/`, BitMEX `/realtime`, KuCoin `/` (`?token=…&connectId=…`) and Kraken `/v2`
//! (the token in each subscribe), MEXC's contract stream `/edge` (`method: login` answered
//! `rs.login`, then `push.personal.order` and `push.personal.asset` with no subscribe;
//! `{"method":"ping"}` answered on `pong`) and Backpack `/` (`ws.backpack.exchange`: the signed
//! `SUBSCRIBE` to `account.orderUpdate` is the login, answered with the stream's
//! `{"stream","data"}` messages alone).
//! BitMEX's also takes its login as handshake headers (`api-expires`, `api-key`,
//! `api-signature` over `GET/realtime` + expires), verified as the REST request they sign
//! ([`StreamHandshake`](crate::StreamHandshake)).
//! Kraken Futures `/ws/v1` issues a random challenge per connection
//! ([`StreamChallenge`](crate::StreamChallenge)); its private subscribes must sign one issued
//! to that connection.
//! Upbit `/websocket/v1/private` requires its bearer token on the upgrade (a fresh nonce per
//! connect, [`PrivateStream::handshake_request`](crate::PrivateStream::handshake_request)) and
//! takes array requests (`[{"ticket":…},{"type":"myOrder"}]`).
//! Crypto.com's `/exchange/v1/user`: `public/auth`, then `subscribe` to `user.order.{instrument}` or
//! `user.balance`; the server's `public/heartbeat` is answered with `public/respond-heartbeat`.
//!
//! # Signing, exchange by exchange
//!
//! Each signer's own page has an example that runs:
//! [`OkxSigner`](crate::OkxSigner), [`KucoinSigner`](crate::KucoinSigner),
//! [`DeltaSigner`](crate::DeltaSigner), [`CoinbaseExchangeSigner`](crate::CoinbaseExchangeSigner),
//! [`CoinbaseCdpSigner`](crate::CoinbaseCdpSigner),
//! [`CoinbaseAdvancedHmacSigner`](crate::CoinbaseAdvancedHmacSigner),
//! [`BinanceSigner`](crate::BinanceSigner), [`BybitSigner`](crate::BybitSigner),
//! [`KrakenSigner`](crate::KrakenSigner), [`BitgetSigner`](crate::BitgetSigner),
//! [`GateSigner`](crate::GateSigner), [`BitmexSigner`](crate::BitmexSigner),
//! [`BitfinexSigner`](crate::BitfinexSigner), [`DeribitSigner`](crate::DeribitSigner),
//! [`BitmartSigner`](crate::BitmartSigner), [`MexcSigner`](crate::MexcSigner),
//! [`BackpackSigner`](crate::BackpackSigner), [`CryptoComSigner`](crate::CryptoComSigner),
//! `HyperliquidSigner` (feature `hyperliquid`). The
//! fragments here say what differs from one exchange to the next.
//!
//! Build a signer once per API key, then sign each request at the time you send it. A
//! `SignableRequest` is the request exactly as it goes on the wire: the method, the path, the
//! percent-encoded query (no `?`) and the body bytes. The signer never re-encodes or re-serialises
//! anything, so serialise your JSON once and send those same bytes.
//!
//! **OKX** (live or demo):
//!
//! ```text
//! use cexsign::{Credentials, Method, OkxEnvironment, OkxSigner, SignableRequest, Signer, Timestamp};
//! let signer = OkxSigner::new(
//!     &Credentials::new().api_key("985d5b66-…").secret("22582BD0CFF14C41EDBF1AB98506286D").passphrase("…"),
//!     OkxEnvironment::Live,
//! )?;
//! let body = serde_json::to_vec(&order)?; // send exactly these bytes
//! let request = SignableRequest::new(Method::Post, "/api/v5/trade/order")?.with_body(&body);
//! let signed = signer.sign(&request, Timestamp::now()?)?;
//! signed.apply_to(&mut headers); // OK-ACCESS-KEY/SIGN/TIMESTAMP/PASSPHRASE
//! let login = signer.sign_ws(&cexsign::WsRequest::login(), Timestamp::now()?)?.message_json().to_owned();
//! ```
//!
//! With an HTTP client that does not take an `http::HeaderMap`, set the headers from their text;
//! `signed.is_sensitive(name)` tells which ones carry a secret (the passphrase), to keep out of logs:
//!
//! ```text
//! for (name, value) in signed.headers() {
//!     builder = builder.header(name.as_str(), value);
//! }
//! ```
//!
//! **KuCoin** (key version 1, 2 or 3 as shown on the API page; the query is signed decoded):
//!
//! ```text
//! let signer = KucoinSigner::new(&credentials_with_passphrase, KucoinKeyVersion::V3)?;
//! let request = SignableRequest::new(Method::Get, "/api/v1/orders")?.with_query("status=active&symbol=BTC-USDT")?;
//! let signed = signer.sign(&request, Timestamp::now()?)?; // KC-API-* headers, passphrase HMAC'd once at construction
//! ```
//!
//! **Delta Exchange** (set a `User-Agent` on your client too: Delta's CDN requires one):
//!
//! ```text
//! let signer = DeltaSigner::new(&Credentials::new().api_key("…").secret("…"))?;
//! let request = SignableRequest::new(Method::Get, "/v2/orders")?.with_query("product_id=1&state=open")?;
//! let signed = signer.sign(&request, Timestamp::now()?)?; // api-key, timestamp, signature
//! let key_auth = signer.sign_ws(&WsRequest::login(), Timestamp::now()?)?; // {"type":"key-auth",...}
//! ```
//!
//! **Coinbase Exchange** (the secret is the 88-character base64 string; it is decoded for you):
//!
//! ```text
//! let signer = CoinbaseExchangeSigner::new(&credentials_with_passphrase)?.with_fraction_digits(3)?;
//! let request = SignableRequest::new(Method::Get, "/orders")?.with_query("status=done&limit=2")?;
//! let signed = signer.sign(&request, Timestamp::now()?)?; // CB-ACCESS-* headers
//! let subscribe = signer.sign_ws(&WsRequest::subscribe(&["full"], &["BTC-USD"]), Timestamp::now()?)?;
//! ```
//!
//! **Coinbase Advanced Trade, CDP keys** (ECDSA PEM or Ed25519 base64, as in the key file):
//!
//! ```text
//! let signer = CoinbaseCdpSigner::new(&Credentials::new().api_key(key_file.name).secret(key_file.private_key))?;
//! let request = SignableRequest::new(Method::Get, "/api/v3/brokerage/accounts")?;
//! let signed = signer.sign(&request, Timestamp::now()?)?; // Authorization: Bearer <fresh JWT, fresh nonce>
//! let user = signer.sign_ws(&WsRequest::subscribe(&["user"], &["BTC-USD"]), Timestamp::now()?)?;
//! ```
//!
//! **Coinbase Advanced Trade, legacy HMAC keys** (expired by Coinbase in February 2025; kept for
//! old tools): `CoinbaseAdvancedHmacSigner::new(&Credentials::new().api_key(..).secret(..))?`, used
//! like the others; the query is sent but not signed.
//!
//! **Binance** signs *inside* the request: build it without `timestamp` and `signature`; the signer
//! appends `recvWindow` (if set), `timestamp` and `signature` as the last parameters of the form body
//! (when there is one) or of the query, and hands back what to send. The reqwest layer applies it for
//! you; with the pure API, send `signed.wire_query()` / `signed.wire_body()`:
//!
//! ```text
//! let signer = BinanceSigner::new(&credentials, BinanceKeyType::Hmac)?     // or Ed25519 / Rsa with a PEM key
//!     .with_recv_window(Duration::from_millis(5000))?;
//! let request = SignableRequest::new(Method::Get, "/api/v3/openOrders")?.with_query("symbol=BTCUSDT")?;
//! let signed = signer.sign(&request, Timestamp::now()?)?;
//! let query = signed.wire_query().unwrap(); // symbol=BTCUSDT&recvWindow=5000&timestamp=…&signature=…
//! signed.apply_to(&mut headers);            // X-MBX-APIKEY
//! // WebSocket API: params sorted and signed unencoded; session.logon needs an Ed25519 key.
//! let params = [("symbol", json!("BTCUSDT")), ("side", json!("BUY")), ("type", json!("MARKET")), ("quantity", json!("0.001"))];
//! let order = signer.sign_ws(&WsRequest::api("order.place", &params).with_id("1"), Timestamp::now()?)?;
//! // The private stream (user data, since 2026-02-20) is the WebSocket API, /ws-api/v3: an Ed25519 key
//! // logs on, then subscribes unsigned; an HMAC or RSA key subscribes by signature. Sign afresh per connect.
//! let logon = signer.sign_ws(&WsRequest::api("session.logon", &[]).with_id("1"), Timestamp::now()?)?;
//! // {"id":"2","method":"userDataStream.subscribe"}, or:
//! let subscribe = signer.sign_ws(&WsRequest::api("userDataStream.subscribe.signature", &[]), Timestamp::now()?)?;
//! ```
//!
//! **Bybit** (`BybitKeyType::Hmac`, or `Rsa` for a self-generated key): the query of a GET or the
//! body of a POST, exactly as sent, after `timestamp + key + recv_window`:
//! `BybitSigner::new(&credentials, BybitKeyType::Hmac)?.with_recv_window(..)?`; `sign_ws(&WsRequest::login(), now)`
//! gives `{"op":"auth","args":[key, expires, signature]}` expiring 10 s later.
//!
//! **Kraken** (the secret is base64; it is decoded for you): the nonce is a body parameter. Leave it
//! out and the signer adds `nonce=<ms>` (form) or `"nonce":"<ms>"` (JSON) and returns the body to
//! send (`wire_body()`); a nonce you put in the body is signed as is. Its websocket token comes
//! from the signed REST call `POST /0/private/GetWebSocketsToken`.
//!
//! **Bitget** (`BitgetSigner::new(&credentials_with_passphrase)?`) and **Gate**
//! (`GateSigner::new(&credentials)?`) sign the *decoded* query (send it sorted for Bitget); Gate's
//! path includes `/api/v4` and its body enters as its SHA-512. Websocket: Bitget `op: login`; Gate
//! `WsRequest::subscribe(&["spot.orders"], &["BTC_USDT"])` (channel auth) or
//! `WsRequest::api("spot.login", &[])` (ws API login).
//!
//! Every signer is `Send + Sync` and object-safe (`Box<dyn Signer>`); `sign_with` takes
//! `SignOptions` to keep the exact prehash for debugging (`signed.prehash()`), or to pin the JWT
//! nonce in tests.
//!
//! **Any scheme from configuration.** A bot that reads its exchange from a config file builds the
//! signer through the exchange's description, with the settings that exchange reads (key type,
//! KuCoin key version, OKX demo, receive window, ...):
//!
//! ```text
//! use cexsign::{KeySettings, Scheme};
//! let scheme = Scheme::from_id("kucoin").expect("a scheme id, as in tests/vectors/<id>.json");
//! let signer = scheme.exchange().signer(&credentials, &KeySettings::new().key_version(2))?;
//! // What cexsign knows about it: header names, window, hosts, server time, error codes.
//! let exchange = scheme.exchange();
//! assert_eq!(exchange.rest_auth.unwrap().key, "KC-API-KEY");
//! assert_eq!(exchange.server_time.endpoint.path, "/api/v1/timestamp");
//! ```
//!
//! # Time: each exchange's window and its rejection
//!
//! Most rejections after wrong bytes are time: OKX `50102`, KuCoin `400002` (a 5 s window), Delta
//! `expired_signature`, Coinbase `request timestamp expired`, Binance `-1021` (recvWindow, at most
//! 1 s ahead), Bybit `10002`, Bitget `40008`, Gate `REQUEST_EXPIRED` (Kraken has no window, only an
//! increasing nonce: `EAPI:Invalid nonce` wants a fresh nonce, not a resync). `cexsign::clock::OffsetClock` corrects
//! the host clock: `cexsign::client::sync(&client, base_url, scheme, &clock)` fetches the
//! exchange's server time once (NTP midpoint of send and receive, slow round trips discarded, the
//! latest observation wins) and `clock.now()` is then the exchange's time. `sign` never fetches time
//! by itself. `cexsign::server_time` has each exchange's endpoint and a pure parser of its answer
//! (and of the HTTP `Date` header), for other HTTP clients.
//!
//! `cexsign::rejection::classify(scheme, status, body)` reads an exchange's error into a typed
//! verdict (timestamp outside window, invalid signature, unknown key, wrong passphrase, wrong
//! environment, IP not allowed, permission denied, rate limited, ...) with the next step: resync and
//! retry once, back off, fix the configuration, or stop.
//!
//! With the `middleware` feature (reqwest-middleware 0.5), `SigningMiddleware` signs every attempt
//! with the clock it holds and `ResyncOnTimestampRejection` turns one timestamp rejection into one
//! resync and one fresh attempt. Register retries **outside** signing, so every attempt is signed
//! afresh:
//!
//! ```text
//! let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(ResyncOnTimestampRejection::new(Scheme::Okx, "https://www.okx.com", clock.clone()))
//!     .with(SigningMiddleware::new(signer, clock))
//!     .build();
//! ```
//!
//! `cargo run --example skewed_clock --features middleware` runs the local exchange 90 s ahead of
//! the host: each scheme's first request is rejected with its timestamp error, one sync corrects
//! the clock, and every later request is accepted.
//!
//! # Client order ids and safe retries
//!
//! A signing layer signs every attempt afresh, so a repeated `POST` is a *new, valid* order. The
//! trap is a plain transient-retry layer (reqwest-retry's `RetryTransientMiddleware`) around the
//! signing layer: when the exchange placed the order but its answer was lost, or a gateway answered
//! 503 after the exchange acted, the retry places it a second time. The exchange cannot tell the two
//! apart unless the order carries a client order id it de-duplicates on.
//!
//! `SafeRetries` (feature `middleware`) repeats a request only when the exchange certainly did not
//! act — the connection never opened, HTTP 429 or the exchange's rate-limit code, or a code it
//! documents as "busy, not processed" — honouring `Retry-After`, or when repeating is harmless: a
//! `GET`, or an order whose client order id the exchange refuses to take twice. Anything else ends
//! in a typed `RetryOutcome::StateUnknown` ("query the order by its client order id before sending
//! it again"); a repeat refused as a duplicate ends in `RetryOutcome::PlacedByEarlierAttempt`.
//! Register it outermost:
//!
//! ```text
//! let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(SafeRetries::new(Scheme::Okx))     // decides whether an attempt may be repeated
//!     .with(ResyncOnTimestampRejection::new(Scheme::Okx, "https://www.okx.com", clock.clone()))
//!     .with(SigningMiddleware::new(signer, clock)) // signs every attempt afresh
//!     .build();
//! // Always send a client order id: {"clOrdId": "bot-42", ...}
//! ```
//!
//! Each exchange's home says where its client order id goes and what it answers a repeat
//! (`Scheme::X.exchange().orders`):
//!
//! | exchange | client order id | a repeated id | "not processed" answers documented |
//! |---|---|---|---|
//! | OKX | `clOrdId` | refused, `51016` (HTTP 200) | `50001` (503), `50013` |
//! | Binance | `newClientOrderId` | refused, `-2010` "Duplicate order sent." (400) | `-1008` |
//! | Bybit | `orderLinkId` | refused, `110072` | none beyond rate limits |
//! | KuCoin | `clientOid` | refused, `400100` (among active orders) | none beyond `429000` |
//! | Bitget | `clientOid` | refused, `40786` | none beyond 429 |
//! | BitMEX | `clOrdID` | refused, 400 `Duplicate clOrdID` | 503 "currently overloaded" |
//! | Coinbase Advanced | `client_order_id` | the existing order is returned | none beyond 429 |
//! | Coinbase Exchange | `client_oid` | docs silent | none beyond 429 |
//! | Delta | `client_order_id` | docs silent | none beyond 429 |
//! | Gate | `text` (`t-…`) | docs silent | none beyond 429 |
//! | Kraken | `cl_ord_id` | docs silent | `EService:Unavailable`, `EService:Busy` |
//!
//! Where the docs are silent, `SafeRetries` does not repeat an order whose fate is unknown.
//! `cargo run --example safe_retries --features middleware` sends, for every exchange, one order
//! through a 429, one through a 503 and one through a lost response, against a local exchange that
//! fails on purpose, and ends `N/N exchanges: each order placed exactly once`. The local exchange's
//! `FaultRule`s (latency, 429 with `Retry-After`, the exchange's busy answer, a connection closed
//! before processing, a response lost after the order was placed) are scriptable from Rust and from
//! the standalone binary's `--faults FILE`.
//!
//! # The local exchange
//!
//! The `cexsign-local-exchange` crate (`crates/local-exchange`) is an HTTP server that
//! verifies requests exactly as the exchanges do: it recomputes each signature from the raw
//! request-target and raw body it received, checks the timestamp window, the passphrase, the KuCoin
//! key version, the OKX demo header, CDP JWTs, Binance's signature parameter and recvWindow, Bybit's
//! recv_window and Kraken's increasing nonce, and answers failures with the exchange's own status
//! and error body plus a `cexsign_expected_prehash`. It serves each exchange's server-time endpoint
//! (with an optional clock offset to simulate skew) and checks websocket login messages posted to
//! `/cexsign/ws/<scheme>`. One listener serves every scheme.
//!
//! It also serves the private websocket streams a home describes
//! ([`PrivateStream`](crate::PrivateStream)) at the exchange's own path, with a real websocket
//! upgrade on the same port. Among them: Bitfinex `/ws/2` (greets with its `info` event; after
//! the `auth` event the orders' and wallets' snapshots on channel 0 follow with no subscribe;
//! `{"event":"ping","cid"}` answered with `pong`) and Deribit `/ws/api/v2` (JSON-RPC:
//! `public/auth`, then `private/subscribe` to `user.orders.any.any.raw` answered with the channel
//! list and a `subscription` notification; `public/test` answered). `cargo run --example
//! ws_login` logs in on every one of them.
//!
//! ```sh
//! cargo run --example local_exchange -- --port 8080   # prints its URL and fake credentials
//! ```
//!
//! Per-exchange examples, each a balance GET and an order POST with a body built once:
//! `cargo run --example okx` (also `kucoin`, `delta`, `coinbase_exchange`, `coinbase_advanced` for
//! CDP keys, `binance` and `bybit`, whose `CEXSIGN_KEY_TYPE` selects an Ed25519/RSA key). They run against the local exchange; to run one against the real exchange set
//! `CEXSIGN_BASE_URL` (e.g. `https://www.okx.com`), `CEXSIGN_API_KEY`, `CEXSIGN_SECRET` and, where
//! the exchange has one, `CEXSIGN_PASSPHRASE`. Tests and CI never set them.
//!
//! ## Point your bot at the local exchange
//!
//! The standalone local exchange serves a bot written in any language, and the exchanges' own
//! SDKs: start it with your fake accounts and change only the SDK's base URL.
//!
//! ```sh
//! cargo run --release --example local_exchange -- --port 8080 --credentials fakes.json --print-config
//! # {"base_url":"http://127.0.0.1:8080","base_urls":{"okx":"http://127.0.0.1:8080",...},"accounts":[...],...}
//! ```
//!
//! `fakes.json` (`-` reads stdin) lists one entry per key, in the conformance vectors' credential
//! format plus `scheme`; several entries may share a scheme (without `--credentials`, built-in fakes
//! for every scheme and variant are used and printed: the signing spec's worked-example keys, and the
//! conformance vectors' keys of `tests/vectors` for the other schemes):
//!
//! ```json
//! [{"scheme": "okx", "api_key": "…", "secret": "…", "passphrase": "…", "demo": true},
//!  {"scheme": "kucoin", "api_key": "…", "secret": "…", "passphrase": "…", "key_version": 2},
//!  {"scheme": "coinbase_cdp_jwt", "api_key": "organizations/…/apiKeys/…", "secret": "-----BEGIN EC PRIVATE KEY-----\n…"}]
//! ```
//!
//! `--print-config` prints one line of JSON: the base URL per scheme (one listener serves them all,
//! over plain HTTP on loopback) and the accounts, without the secrets you gave it unless
//! `--show-secrets`. It then serves until killed, or for `--serve-seconds N`. Every rejection is
//! the exchange's own error plus `cexsign_reason` and `cexsign_expected_prehash`.
//!
//! Python, with the exchange's SDK or CCXT:
//!
//! ```python
//! import ccxt, okx.Account
//! base = "http://127.0.0.1:8080"
//! okx.Account.AccountAPI(key, secret, passphrase, flag="1", domain=base).get_account_balance(ccy="BTC")  # flag "1": demo key
//! exchange = ccxt.okx({"apiKey": key, "secret": secret, "password": passphrase})
//! exchange.urls["api"] = {"rest": base}
//! exchange.private_get_account_balance({"ccy": "BTC"})  # implicit endpoints need no market data
//! ```
//!
//! Rust, with cexsign and reqwest:
//!
//! ```text
//! let signer = OkxSigner::new(&Credentials::new().api_key(key).secret(secret).passphrase(passphrase), OkxEnvironment::Demo)?;
//! let request = client.get(format!("{base}/api/v5/account/balance?ccy=BTC")).build_signed(&signer, Timestamp::now()?)?;
//! let answer = client.execute(request).await?; // 200 {"cexsign":"accepted",...} or OKX's 501xx error
//! ```
//!
//! SDKs that hard-code `https://` or the production host sign that host into what they send
//! (coinbase-advanced-py and CCXT's Coinbase CDP tokens carry `uri: "GET api.coinbase.com/…"`):
//! keep their production host and hand them a session that sends to the local exchange instead
//! (`interop/suite.py`'s `LoopbackAdapter`, a few lines of `requests`); the local exchange accepts
//! `api.coinbase.com` in CDP tokens for that reason.
//!
//! `bash interop/run.sh` checks all this against the real clients: it installs pinned releases of
//! CCXT, python-okx, kucoin-universal-sdk, python-kucoin, delta-rest-client, coinbase-advanced-py,
//! cbpro, coinbasepro, python-binance, binance-connector, binance-sdk-spot, pybit, krakenex,
//! python-kraken-sdk, python-bitget, gate-api and pymexc in a virtualenv (`interop/.venv`), starts the local
//! exchange with the fake accounts of `interop/credentials.json`, and drives each SDK through its
//! public API: a private GET with a query and an order POST per scheme, KuCoin key version, OKX live
//! and demo, CDP ES256 and Ed25519, Binance HMAC, Ed25519 and RSA keys (Spot and USDⓈ-M, the
//! signature in the query or the form body), Bybit HMAC and RSA, Kraken form and JSON bodies, plus
//! the tricky queries (non-ASCII Binance and Bitget symbols, Bybit's pre-encoded cursor, Gate's and
//! Kraken's `%2C`, MEXC contract queries sorted by name), all of which must be accepted; and the requests the SDKs are known to sign
//! wrongly (python-okx's unencoded query, a lower-case method, python-kucoin's clear passphrase with
//! a v2 key, CCXT's unencoded KuCoin query, python-binance's form body signed unencoded, pymexc's JSON
//! body signed as sorted `k=v` pairs) or that a known
//! misuse produces (a Kraken key moved from python-kraken-sdk's 1e8-scale nonces to krakenex),
//! which must get the exchange's error code. It ends with `N passed, M failed` (`133 passed, 0 failed`
//! today), and CI runs it after the tests.
//!
//! The same run then drives the SDKs' own websocket clients on the private streams
//! (`interop/ws_suite.py`): python-okx's `WsPrivateAsync`, pybit's private `WebSocket`, gate-ws,
//! cbpro's authenticated `WebsocketClient`, python-bitget's `BitgetWsClient`, bitmex-ws, and
//! ccxt.pro's `watch_balance` and `watch_orders`, each pointed at the stream's path on the local
//! exchange (its URL option, or the module constant it reads). They connect through a loopback tap
//! that forwards every byte and decodes the frames both ways, so each case is judged by the local
//! exchange's answer (its refusal frame and diagnosis) and by the event reaching the SDK's own
//! callback, and shows the login the SDK sent. python-bitget's login, which names the key `api_key`,
//! must be refused with 30011 and `bitget-ws-api-key-field`; bitmex-ws, which logs in with handshake
//! headers, is a known gap of the local exchange. `bash interop/run.sh` ends with the two suites'
//! combined `N passed, M failed`.
//!
//! The token streams are driven the same way, token request included: kucoin-universal-sdk's
//! `SpotPrivateWS` (its signed `bullet-private` goes through the tap, whose address the grant then
//! names) and python-kraken-sdk's `SpotWSClient` (`GetWebSocketsToken`, the token in each v2
//! subscribe); so are bitfinex-api-py's `wss` (the `auth` event, then the `os`/`ws` snapshots),
//! bitmart-python-sdk-api's `SpotSocketClient` and typed-deribit's socket client (with the
//! `client_signature` grant; its own `client_credentials` login, which sends the secret, is a known
//! gap: the local exchange keeps no secret to compare it with).
//!
//! # Diagnosing a rejected request
//!
//! Given the credentials, the request exactly as it went on the wire and the auth headers (or
//! websocket fields) that were sent, `cexsign::diagnose::diagnose` recomputes the expected
//! signature, then rebuilds the request the way buggy client code would — key and secret swapped,
//! `json.dumps` with its spaces, `hexdigest()`, the query sorted, seconds for milliseconds, ... —
//! and names the first mistake that reproduces what was sent. Signatures are compared in constant
//! time; verdicts and errors never contain a secret.
//!
//! ```text
//! use cexsign::diagnose::{diagnose, Diagnosis, SentRequest};
//! let sent = SentRequest::rest("POST", "/api/v5/trade/order").with_body(body_as_sent).with_headers(&headers_as_sent);
//! match diagnose(Scheme::Okx, &credentials, &sent)? {
//!     Diagnosis::Correct { .. } => {}           // signature right: the clock, permissions, IP allow-list, environment
//!     Diagnosis::Mistake { code, explanation } => eprintln!("{code}: {explanation}"), // e.g. body-reserialized, with the fix
//!     Diagnosis::Unknown { expected_prehash, differing, .. } => {} // compare by hand
//!     _ => {}
//! }
//! ```
//!
//! The `cexsign` command-line tool (the `cexsign-cli` crate, `crates/cli`) does the same from a shell or another language,
//! and signs and verifies too; credentials come from flags, `CEXSIGN_API_KEY` / `CEXSIGN_SECRET` /
//! `CEXSIGN_PASSPHRASE`, or a key file (Coinbase's JSON key files as downloaded), and are never
//! printed back:
//!
//! ```sh
//! cargo install --path crates/cli
//! cexsign sign --scheme okx --path /api/v5/account/balance --query ccy=BTC --curl https://www.okx.com
//! cexsign verify --scheme delta --path /v2/orders -H 'api-key: …' -H 'timestamp: …' -H 'signature: …'
//! cexsign diagnose < case.json   # {"scheme","credentials","method","path","query","body","options","sent"}
//! # → {"verdict":"mistake","mistake":"body-reserialized","explanation":"… Fix: …"}
//! ```
//!
//! The local exchange puts the verdict in every rejection it can diagnose (`cexsign_diagnosis`, or
//! the `cexsign-diagnosis` header for Coinbase Advanced's plain `Unauthorized`). It keeps no raw
//! secret, only each key's signer, so there it looks for the mistakes that signer can reproduce: in
//! the headers, the timestamp, the query and the body (a prehash that differs only after the path,
//! and any Binance payload, is signed as a body and kept when the signer's prehash is the same
//! bytes). Not for those in how the secret is used (swapped, decoded, the passphrase as key, the
//! HMAC's arguments swapped), in what the signer always writes itself (a lower-case method, another
//! prehash order, the path, Kraken's digest, Gate's hash line), nor KuCoin's plain passphrase on a v2
//! or v3 key (that takes HMAC(secret, passphrase sent)); `cexsign diagnose` looks for all of them.
//!
//! | code | OKX | KuCoin | Delta | CB Exchange | CB Advanced (HMAC) | CB CDP |
//! |---|---|---|---|---|---|---|
//! | `okx-demo-header-missing`, `okx-demo-header-on-live-key` | ✓ | | | | | |
//! | `kucoin-passphrase-plain`, `kucoin-key-version-mismatch` | | ✓ | | | | |
//! | `key-secret-swapped` | ✓ | ✓ | ✓ | ✓ | ✓ | |
//! | `timestamp-milliseconds-for-seconds` | ws | | ✓ | ✓ | ✓ | ✓ (`nbf`) |
//! | `timestamp-seconds-for-milliseconds` | | ✓ | | | | |
//! | `timestamp-format-wrong`, `timestamp-header-differs` | ✓ | ✓ | ✓ | ✓ | ✓ | |
//! | `passphrase-wrong` | ✓ | ✓ | | ✓ | | |
//! | `hex-instead-of-base64` | ✓ | ✓ | | ✓ | | |
//! | `base64-instead-of-hex` | | | ✓ | | ✓ | |
//! | `secret-not-base64-decoded` | | | | ✓ | | |
//! | `secret-base64-decoded` | ✓ | ✓ | ✓ | | ✓ | |
//! | `secret-hex-decoded` | ✓ | | ✓ | | | |
//! | `passphrase-as-secret` | ✓ | ✓ | | ✓ | | |
//! | `hmac-arguments-swapped`, `method-lowercase`, `prehash-order-wrong` | ✓ | ✓ | ✓ | ✓ | ✓ | |
//! | `query-not-signed`, `query-signed-without-question-mark`, `query-order-differs` | ✓ | ✓ | ✓ | ✓ | | |
//! | `query-signed` (the v3 API signs no query) | | | | | ✓ | |
//! | `query-signed-unencoded`, `query-encoding-differs` | ✓ | | ✓ | ✓ | | |
//! | `query-signed-encoded` (KuCoin signs it decoded) | | ✓ | | | | |
//! | `empty-body-as-braces`, `body-reserialized`, `path-includes-host` | ✓ | ✓ | ✓ | ✓ | ✓ | |
//! | `path-missing-leading-slash` | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | `delta-wrong-order` | | | ✓ | | | |
//! | `jwt-signature-der`, `jwt-kid-not-full-name` (ES256 keys) | | | | | | ✓ |
//! | `jwt-uri-has-query`, `jwt-uri-lowercase-method`, `jwt-uri-has-scheme`, `jwt-uri-wrong-host`, `jwt-uri-other-endpoint` | | | | | | ✓ |
//! | **codes per scheme** | **23** | **21** | **20** | **20** | **14** | **9** |
//!
//! The five schemes of AUTH-more (Binance, Bybit, Kraken, Bitget, Gate) have their own mistakes too.
//! Ed25519 and RSA signatures are deterministic, so a rebuilt mistake is checked by verifying the
//! signature sent over the rebuilt payload with the key's public key:
//!
//! | code | Binance | Bybit | Kraken | Bitget | Gate |
//! |---|---|---|---|---|---|
//! | `binance-signature-not-last`, `binance-signature-not-url-encoded` (a base64 `+` read as a space), `binance-recv-window-too-large` | ✓ | | | | |
//! | `binance-payload-joined-with-ampersand`, `binance-signature-signed`, `binance-param-added-after-signing` | ✓ | | | | |
//! | `binance-session-logon-needs-ed25519`, `binance-ws-values-percent-encoded`, `binance-ws-params-not-sorted` | ws | | | | |
//! | `bybit-recv-window-differs`, `bybit-recv-window-in-seconds` | | ✓ | | | |
//! | `bybit-ws-expires-not-signed` | | ws | | | |
//! | `kraken-nonce-missing`, `kraken-digest-hex`, `kraken-nonce-not-hashed`, `kraken-nonce-differs`, `kraken-content-type-mismatch` | | | ✓ | | |
//! | `bitget-ws-api-key-field` | | | | ws | |
//! | `question-mark-without-query` | | | | ✓ | |
//! | `gate-hmac-sha256`, `gate-body-hash-sha256`, `gate-empty-body-hash-line`, `gate-path-missing-prefix`, `gate-query-in-path` | | | | | ✓ |
//! | `key-secret-swapped`, `hmac-arguments-swapped` | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | `timestamp-milliseconds-for-seconds` | | | | ws | ✓ |
//! | `timestamp-seconds-for-milliseconds` | ✓ | ✓ | | ✓ | |
//! | `timestamp-format-wrong` | ✓ | ✓ | | ✓ | ✓ |
//! | `timestamp-header-differs` | | ✓ | | ✓ | ✓ |
//! | `passphrase-wrong`, `passphrase-as-secret`, `query-signed-without-question-mark`, `prehash-order-wrong` | | | | ✓ | |
//! | `hex-instead-of-base64` | Ed25519/RSA | RSA | ✓ | ✓ | |
//! | `base64-instead-of-hex` | HMAC | HMAC | | | ✓ |
//! | `secret-not-base64-decoded` | | | ✓ | | |
//! | `secret-base64-decoded` | HMAC | HMAC | | ✓ | |
//! | `secret-hex-decoded` | | | | ✓ | ✓ |
//! | `method-lowercase` | | | | ✓ | ✓ |
//! | `query-not-signed` | | ✓ | | ✓ | |
//! | `query-signed-unencoded`, `query-encoding-differs` | ✓ | ✓ | | | |
//! | `query-signed-encoded` (Bitget and Gate sign it decoded) | | | | ✓ | ✓ |
//! | `query-order-differs` | ✓ | ✓ | | ✓ | ✓ |
//! | `form-body-reencoded` | ✓ | | ✓ | | |
//! | `empty-body-as-braces` | | ✓ | | ✓ | ✓ |
//! | `body-reserialized` | | ✓ | ✓ | ✓ | ✓ |
//! | `path-missing-leading-slash`, `path-includes-host` | | | ✓ | ✓ | ✓ |
//! | **codes per scheme (AUTH-more)** | **20** | **17** | **13** | **23** | **19** |
//!
//! The exchanges of AUTH-breadth (BitMEX, Bitfinex, Deribit, BitMart, Kraken Futures, MEXC,
//! Upbit, Backpack, Crypto.com) have the catalogue's mistakes their prehash (or Upbit's token) can carry; their own
//! (Bitfinex's missing `/api`, Deribit's dropped trailing newline, a wrong BitMart memo) are
//! compared against the expected prehash, not yet named:
//!
//! | code | BitMEX | Bitfinex | Deribit | BitMart | Kraken Futures | MEXC | Upbit | Backpack | Crypto.com |
//! |---|---|---|---|---|---|---|---|---|---|
//! | `key-secret-swapped` | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ (also the public key taken for the seed) | ✓ |
//! | `hmac-arguments-swapped`, `timestamp-header-differs` | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ |  |  | ✓ (a nonce a few ms off) |
//! | `base64-instead-of-hex`, `empty-body-as-braces` | ✓ | ✓ | ✓ | ✓ |  | ✓ |  |  | ✓ (`base64-instead-of-hex`) |
//! | `body-reserialized` | ✓ | ✓ | ✓ | ✓ |  | ✓ (pymexc's sorted pairs for a contract POST) | ✓ (the JSON text hashed) |  |  |
//! | `method-lowercase` | ✓ |  | ✓ |  |  |  |  |  |  |
//! | `query-not-signed` | ✓ |  | ✓ | ✓ (bitmart-python-sdk-api's GET) | ✓ | ✓ |  |  |  |
//! | `query-signed-without-question-mark` | ✓ |  | ✓ |  |  |  |  |  |  |
//! | `query-signed-unencoded` | ✓ |  | ✓ | ✓ | ✓ (the pre-2024 rule) | ✓ (pymexc's contract GET) |  |  |  |
//! | `query-order-differs` | ✓ |  | ✓ | ✓ | ✓ (a dict re-encoded) | ✓ (spot) | ✓ (sorted parameters hashed) | ✓ (the parameters in the order sent) |  |
//! | `query-encoding-differs` |  |  |  |  |  | ✓ (pymexc's spot `%20` for `+`) |  |  |  |
//! | `query-signed-encoded` |  |  |  |  |  |  | ✓ (pyupbit's query_hash) | ✓ (values URL-encoded) |  |
//! | `path-missing-leading-slash`, `path-includes-host` | ✓ | ✓ (the path after `/api`) | ✓ |  |  |  |  |  |  |
//! | `timestamp-seconds-for-milliseconds` |  |  | ✓ | ✓ |  | ✓ |  |  |  |
//! | `secret-hex-decoded` |  |  |  | ✓ |  | ✓ |  |  |  |
//! | `secret-base64-decoded` |  |  |  |  |  |  | ✓ |  |  |
//! | `hex-instead-of-base64`, `secret-not-base64-decoded`, `kraken-digest-hex`, `kraken-nonce-not-hashed` (a `Nonce` sent, not hashed), `form-body-reencoded` |  |  |  |  | ✓ |  |  |  |  |
//! | `path-prefix-not-stripped` (`/derivatives` signed) |  |  |  |  | ✓ |  |  |  |  |
//! | `prehash-order-wrong` (`timestamp` and `window` not last) |  |  |  |  |  |  |  | ✓ |  |
//! | `instruction-wrong` (another method's or an empty instruction), `boolean-capitalized` (`True`) |  |  |  |  |  |  |  | ✓ | ✓ (`boolean-capitalized`) |
//! | `null-as-none` (ccxt 4.5.90), `params-signed-as-json`, `params-unsorted`, `request-id-differs` (the nonce signed as the id) |  |  |  |  |  |  |  |  | ✓ |
//! | **codes per scheme (AUTH-breadth)** | **13** | **8** | **14** | **11** | **12** | **12** | **5** | **6** | **9** |
//!
//! Hyperliquid (feature `hyperliquid`) signs an EIP-712 hash of its action's msgpack: a wrong
//! signature recovers to another address, and the diagnosis names the mistake whose rendering it
//! recovers to the key's address over (AUTH-breadth.md §1):
//!
//! | code | Hyperliquid |
//! |---|---|
//! | `body-reserialized` (the action's keys sorted before msgpack) | ✓ |
//! | `number-as-float` (prices and sizes signed as floats) | ✓ |
//! | `nonce-little-endian` (the nonce's 8 bytes little-endian) | ✓ |
//! | `vault-null-as-zero-address` (a null vault as 20 zero bytes, not `0x00`) | ✓ |
//! | `expires-after-unprefixed` (expiresAfter without its `0x00`) | ✓ |
//! | `user-action-l1-domain` (a user-signed action under the L1 domain, chain id 1337) | ✓ |
//! | **codes per scheme (Hyperliquid)** | **6** |
//!
//! # Conformance
//!
//! ```sh
//! cargo run -q --release --example conformance -- tests/vectors > out.json
//! python3 ../shared/tools/check_headers.py tests/vectors out.json   # 217 passed, 0 failed
//! ```
//!
//! The runner reads any vector file (or directory) in the `cexsign-vectors/1` format and signs each
//! vector from its inputs only; it prints one JSON object, vector id → produced headers or ws fields
//! (for Binance REST, `X-MBX-APIKEY` and the `signature` parameter before URL-encoding).
//! `tests/vectors.rs` checks every vector stage by stage (prehash, signature, each header or field,
//! Binance's query or body as sent) and verifies the Ed25519 and RSA signatures under the vectors'
//! public keys.
//!
//! # Performance
//!
//! `cargo bench --bench sign -- --quick` (about 25 s on the 2-core machine kind; drop `--quick` for
//! the full run) measures, per scheme and input, in the same run over the identical prehash bytes:
//!
//! - **floor**: the baseline issue 21 set. `hmac`'s pre-keyed `Mac` state cloned, updated with
//!   the prehash, finalized, no encoding (Kraken: SHA-256 of nonce + body, then a pre-keyed
//!   HMAC-SHA512; Gate: the body's SHA-512 in hex, then a pre-keyed HMAC-SHA512). CDP, Ed25519
//!   and RSA: the bare ring or ed25519-dalek signature with the key parsed once.
//! - **floor_core** (HMAC-SHA256 schemes): the same HMAC through `hmac`'s block API, as the
//!   crate's own MAC runs it (a clone of the keyed core, a fresh block buffer): 40–55 ns cheaper
//!   than `floor` on the short inputs, since it neither copies the wrapper's buffer nor moves the
//!   wrapper into `finalize`. The least an HMAC signer here can do.
//! - **peer-style**: how signers are commonly written: `format!` the prehash, key a new HMAC,
//!   encode into a new `String` with `hex` 0.4 or `base64` (and, for Binance and Kraken, `format!`
//!   the query or body to send); CDP, Ed25519 and RSA: parse the PEM on every call.
//! - **cexsign**: the full `sign` call. Its output keeps the timestamp and signature inline and
//!   shares the signer's fixed header values (API key, passphrase), as text ready for any client.
//! - **apply** (first five HMAC schemes): `sign`, then `apply_to` an `http::HeaderMap` the caller
//!   reuses, which builds the signature and timestamp `HeaderValue`s and inserts four or five
//!   headers: the cost of a request sent through `http`.
//! - **reqwest** (the same five): `sign_reqwest` on a built `reqwest::Request`, its header map
//!   reused: the request read back, signed, the headers set through the reqwest layer.
//!
//! Median per call, one full run (`cargo bench --bench sign`) on the 2-core machine kind, the
//! README's performance table read from the same run. `get_query` is a GET with a 4-parameter
//! query, `post_order` a ~200-byte order, `batch_4k` a ~4 KB batch. Binance's bodies are forms of
//! the same sizes, and Binance and Kraken also return the query or body to send. Kraken's
//! `post_order` and `batch_4k` are JSON, `post_form` a ~200-byte form.
//!
//! | group | floor | floor_core | peer-style | cexsign | cexsign/floor | cexsign/floor_core | peer-style/cexsign | apply (/floor) | reqwest (/floor) |
//! |---|---|---|---|---|---|---|---|---|---|
//! | okx/get_query | 177 ns | 124 ns | 425 ns | 241 ns | 1.36 | 1.94 | 1.76 | 342 ns (1.93) | 410 ns (2.32) |
//! | okx/post_order | 247 ns | 195 ns | 464 ns | 319 ns | 1.29 | 1.63 | 1.45 | 422 ns (1.71) | 481 ns (1.94) |
//! | okx/batch_4k | 2406 ns | 2366 ns | 2726 ns | 2494 ns | 1.04 | 1.05 | 1.09 | 2589 ns (1.08) | 2648 ns (1.10) |
//! | kucoin/get_query | 176 ns | 124 ns | 487 ns | 258 ns | 1.46 | 2.07 | 1.89 | 366 ns (2.08) | 458 ns (2.60) |
//! | kucoin/post_order | 246 ns | 196 ns | 487 ns | 328 ns | 1.33 | 1.67 | 1.48 | 448 ns (1.82) | 524 ns (2.12) |
//! | kucoin/batch_4k | 2411 ns | 2362 ns | 2721 ns | 2495 ns | 1.03 | 1.06 | 1.09 | 2610 ns (1.08) | 2698 ns (1.12) |
//! | delta/get_query | 176 ns | 124 ns | 572 ns | 232 ns | 1.32 | 1.87 | 2.47 | 318 ns (1.81) | 385 ns (2.19) |
//! | delta/post_order | 246 ns | 194 ns | 589 ns | 306 ns | 1.25 | 1.58 | 1.92 | 395 ns (1.61) | 453 ns (1.84) |
//! | delta/batch_4k | 2411 ns | 2358 ns | 2830 ns | 2480 ns | 1.03 | 1.05 | 1.14 | 2562 ns (1.06) | 2621 ns (1.09) |
//! | coinbase_exchange/get_query | 175 ns | 124 ns | 421 ns | 252 ns | 1.44 | 2.03 | 1.67 | 346 ns (1.97) | 422 ns (2.40) |
//! | coinbase_exchange/post_order | 246 ns | 196 ns | 471 ns | 327 ns | 1.33 | 1.67 | 1.44 | 429 ns (1.75) | 486 ns (1.98) |
//! | coinbase_exchange/batch_4k | 2410 ns | 2358 ns | 2714 ns | 2501 ns | 1.04 | 1.06 | 1.09 | 2594 ns (1.08) | 2655 ns (1.10) |
//! | coinbase_advanced_hmac/get_query | 142 ns | 104 ns | 515 ns | 205 ns | 1.45 | 1.98 | 2.51 | 286 ns (2.02) | 359 ns (2.54) |
//! | coinbase_advanced_hmac/post_order | 245 ns | 194 ns | 579 ns | 308 ns | 1.26 | 1.58 | 1.88 | 387 ns (1.58) | 451 ns (1.84) |
//! | coinbase_advanced_hmac/batch_4k | 2410 ns | 2363 ns | 2852 ns | 2484 ns | 1.03 | 1.05 | 1.15 | 2572 ns (1.07) | 2637 ns (1.09) |
//! | cdp_es256/get_query | 17.0 µs | | 544.5 µs | 18.4 µs | 1.08 | | 29.64 | |  |
//! | cdp_es256/post_order | 17.2 µs | | 544.1 µs | 18.3 µs | 1.06 | | 29.71 | |  |
//! | cdp_es256/batch_4k | 16.9 µs | | 554.1 µs | 18.4 µs | 1.09 | | 30.13 | |  |
//! | cdp_eddsa/get_query | 19.5 µs | | 40.3 µs | 20.3 µs | 1.04 | | 1.99 | |  |
//! | cdp_eddsa/post_order | 19.2 µs | | 39.8 µs | 20.3 µs | 1.05 | | 1.97 | |  |
//! | cdp_eddsa/batch_4k | 19.3 µs | | 39.7 µs | 20.4 µs | 1.06 | | 1.95 | |  |
//! | binance/get_query | 181 ns | 144 ns | 561 ns | 342 ns | 1.89 | 2.37 | 1.64 | |  |
//! | binance/post_order | 250 ns | 214 ns | 665 ns | 424 ns | 1.70 | 1.98 | 1.57 | |  |
//! | binance/batch_4k | 2334 ns | 2307 ns | 3036 ns | 2853 ns | 1.22 | 1.24 | 1.06 | |  |
//! | bybit/get_query | 179 ns | 141 ns | 567 ns | 256 ns | 1.43 | 1.81 | 2.22 | |  |
//! | bybit/post_order | 250 ns | 217 ns | 605 ns | 329 ns | 1.31 | 1.52 | 1.84 | |  |
//! | bybit/batch_4k | 2416 ns | 2357 ns | 2851 ns | 2502 ns | 1.04 | 1.06 | 1.14 | |  |
//! | kraken/post_order | 730 ns | | 1464 ns | 864 ns | 1.18 | | 1.69 | |  |
//! | kraken/batch_4k | 2869 ns | | 3722 ns | 3250 ns | 1.13 | | 1.15 | |  |
//! | kraken/post_form | 698 ns | | 1398 ns | 901 ns | 1.29 | | 1.55 | |  |
//! | bitget/get_query | 178 ns | 141 ns | 487 ns | 246 ns | 1.39 | 1.75 | 1.98 | |  |
//! | bitget/post_order | 251 ns | 217 ns | 492 ns | 318 ns | 1.27 | 1.47 | 1.54 | |  |
//! | bitget/batch_4k | 2437 ns | 2372 ns | 2737 ns | 2482 ns | 1.02 | 1.05 | 1.10 | |  |
//! | gate/get_query | 1026 ns | | 2271 ns | 1144 ns | 1.11 | | 1.98 | |  |
//! | gate/post_order | 1259 ns | | 2460 ns | 1381 ns | 1.10 | | 1.78 | |  |
//! | gate/batch_4k | 7568 ns | | 8751 ns | 7704 ns | 1.02 | | 1.14 | |  |
//! | binance_ed25519/post_order | 19.2 µs | | 36.8 µs | 18.9 µs | 0.99 | | 1.95 | |  |
//! | binance_ed25519/batch_4k | 33.7 µs | | 51.7 µs | 31.8 µs | 0.94 | | 1.63 | |  |
//! | binance_rsa/post_order | 563.4 µs | | 598.2 µs | 563.8 µs | 1.00 | | 1.06 | |  |
//! | bybit_rsa/post_order | 571.1 µs | | 583.4 µs | 561.5 µs | 0.98 | | 1.04 | |  |
//!
//! One shared OKX signer from 2 threads: 166 ns per signature, against 310 ns from 1 (1.87×).
//! The only write the threads share is one reference count per signature, on the signer's
//! header layout. The rows below their floor (`binance_ed25519`, 0.94–0.99×; `bybit_rsa`,
//! 0.98×) are the VM's noise on rows of 19–570 µs, whose floors measured 18.5 and 563 µs in
//! earlier runs, not signers faster than their own signature.
//!
//! ## Where the time goes
//!
//! Sampled with `perf record -e cpu-clock` (this VM has no hardware counters; the kernel's clock
//! sampling works): a one-process loop over OKX's GET, ten million times, each function's share
//! of samples times the loop's wall time (floor 181 ns, floor_core 124, `sign` 256). The
//! bench's rows can be profiled the same way:
//! `perf record -e cpu-clock <bench binary> --bench --profile-time 4 'okx/get_query/cexsign$'`.
//!
//! | | floor | floor_core | `sign` |
//! |---|---|---|---|
//! | SHA-256 compression (3 blocks) | 107 ns | 101 ns | 115 ns |
//! | copies (`memmove`) | 7 | 0 | 38 |
//! | the rest of the HMAC (clone, buffer, padding, finalize) | 66 | 22 | 31 |
//! | ISO timestamp (of which the UTF-8 check of its digits: 6) | | | 21 |
//! | base64 of the MAC | | | 13 |
//! | the scheme's `sign_at`, the output built, moved and dropped | | | 37 |
//!
//! The floor clones `hmac`'s `Mac` wrapper (its 64-byte buffer too) and moves it into
//! `finalize`; `floor_core` and the crate drive the same HMAC core through `hmac`'s block API,
//! which saves ~55 ns on this prehash. Past `floor_core`, `sign` spends ~130 ns: copies 38 (the
//! prehash parts into the block buffer 5, the output written 6 and its two texts 4, the caller's
//! two moves of the 232-byte output 13, the rest spread), compression 14 more than
//! `floor_core`'s (its first loads wait for the parts just copied into the buffer: a
//! store-forwarding stall), the HMAC bookkeeping over six parts instead of one 9, the ISO
//! timestamp 21, base64 13, `sign_at` and the output 37. Measured and not kept: an output of
//! 120 bytes instead of 232, so that its moves are inlined (−7 to −10 ns on the loop, in the
//! bench's noise, and a 128-character signature no longer fits inline); the output and the MAC
//! forced inline (no change); the ISO text copied as one fixed 32-byte block (no change, +28
//! instructions); the prehash joined on the stack before one update (−4 ns, before the block
//! API); Binance's short-form walk with plain byte loops instead of memchr (+22 instructions,
//! no faster).
//!
//! `apply_to` then costs ~87 ns (`sign` 254, `sign` + `apply_to` 341 in the same loop): its loop
//! over the layout and its scan of the map 24 ns, building the two per-request `HeaderValue`s
//! 22 ns plus 15 for `http`'s check of each of their bytes (no safe constructor skips it), the
//! shared buffer's reference counts 8 ns, comparing names and the fixed values already in the
//! map 6 ns, one allocation and the previous request's free 3 ns. Before the scan, finding the
//! four names again by hashing (`http` hashes a custom name byte by byte) took ~99 ns of a
//! 155 ns `apply_to`; replacing the API key and passphrase with fresh clones cost ~15 ns more.
//!
//! An HMAC `sign` of the first five schemes makes **no** heap allocation, and neither do Bybit,
//! Bitget and Gate (one more when a percent-encoded query is decoded for KuCoin, Bitget and Gate).
//! Binance and Kraken allocate once, for the query or body they return (Kraken: for the nonce
//! copied out of a body that carries one). Applying the output to a map makes **one** more: the
//! timestamp and signature `HeaderValue`s are slices of one shared buffer (`Bytes::from_owner`).
//! A Coinbase CDP token makes **2** (the token, written once after `Bearer `, and the request's
//! boxed extras; 17 before); Ed25519 3; RSA 14, of which 9 are inside ring.
//! `tests/allocations.rs` counts all of these.
//!
//! ## Against the goals (issue 21)
//!
//! Ratios to `floor`, as the issue set them. The crate's MAC is itself cheaper than `floor`
//! (see `floor_core`), so part of what these ratios gained since the issue was filed is the MAC,
//! not less overhead; against `floor_core` the HMAC GET and POST rows are 1.47–2.37×.
//!
//! - HMAC `sign` within 1.3× of the floor on GET and POST: **missed** on 10 of 14 rows (the first
//!   five schemes, Bybit, Bitget). POST: met by OKX (1.29×), Delta (1.25×), Coinbase Advanced
//!   (1.26×) and Bitget (1.27×), missed by KuCoin (1.33×), Coinbase Exchange (1.33×) and Bybit
//!   (1.31×). GET: missed by all seven, 1.32–1.46×. Gate meets both (1.12× / 1.10×).
//! - `sign` + applying within 2.0×: through `http`, **met** on 8 of 10 rows (1.58–1.97×), missed
//!   by KuCoin's GET (2.08×: five headers) and Coinbase Advanced's (2.02×: the smallest floor,
//!   142 ns). Through the reqwest layer, which also reads the request back (method, URL path,
//!   query and host, each checked, and the body) and moves the output once more: met by the
//!   POSTs of OKX (1.94×), Delta (1.84×), Coinbase Exchange (1.98×) and Advanced (1.84×), missed
//!   by KuCoin's POST (2.12×) and the five GETs (2.19–2.60×).
//! - Binance within 1.5×: **missed** (1.89× / 1.70×). It also builds the query or body it
//!   returns (copies, the hex signature, a UTF-8 check) and scans for its own parameters.
//! - Kraken's 2.5 KB JSON within 1.3×: **met**, 1.13× (2.10× before): a scan, not a parse.
//! - At most 1 allocation per HMAC request applied: **met** (2 before).
//! - A CDP token in at most 5 allocations: **met** (2; 17 before).
//!
//! # Cargo features and the workspace
//!
//! - `cdp` (default): Coinbase CDP JWT keys (pulls in `p256`, and `pem-keys`).
//! - `pem-keys` (default): Ed25519 and RSA API keys given as PEM, for Binance and Bybit
//!   (`ed25519-dalek`; `ring` for RSA, which blinds the private-key operation — the `rsa` crate's
//!   private-key operations carry the unfixed Marvin timing advisory, RUSTSEC-2023-0071).
//! - `reqwest` (default): sign built `reqwest::Request`s (reqwest without default features).
//! - `middleware`: `SigningMiddleware` and `ResyncOnTimestampRejection` for reqwest-middleware 0.5.
//!
//! `default-features = false` gives the pure HMAC signer with no async stack; it builds in seconds.
//! The defaults pull reqwest's client (no TLS backend, no server, no multi-threaded runtime).
//!
//! ## The workspace
//!
//! | crate | what it is | a bot adds it under |
//! |---|---|---|
//! | `cexsign` (the root) | the signers, the reqwest layer, the middleware, the diagnosis, the rejection classifier | `[dependencies]` |
//! | `cexsign-local-exchange` (`crates/local-exchange`) | the verifying local exchange (tokio + hyper) | `[dev-dependencies]` |
//! | `cexsign-cli` (`crates/cli`) | the `cexsign` command-line tool | `cargo install` |
//!
//! ```toml
//! [dependencies]
//! cexsign = "0.1"            # add features = ["middleware"] for the reqwest-middleware layer
//!
//! [dev-dependencies]
//! cexsign-local-exchange = "0.1"
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! `cargo test --all-features` at the root tests all three.
//!
//! # What it does not do
//!
//! - It is not an exchange client: no order types, no endpoints, no rate limiter, no retries.
//! - It never reads a clock or fetches server time inside `sign`; you pass the instant (and sync
//!   the offset clock when you choose to).
//! - It never serialises JSON or encodes a query for you: it signs the bytes you will send.
//! - It does not retry: re-sign each attempt (a retry with the old signature fails again).
//!
//! # Security
//!
//! Secrets are held in `secrecy` types (no `Display`, redacted `Debug`, zeroized on drop); secret
//! header values (passphrases, bearer tokens) are marked sensitive so `http`'s `Debug` hides them;
//! errors never carry a credential. `#![forbid(unsafe_code)]`. `THREAT_MODEL.md` says what is
//! protected, what is not (ring does not wipe its ES256 key; header values handed to an HTTP client
//! cannot be wiped by this crate) and which test proves each claim. Every parser of untrusted input
//! has a fuzz target (`fuzz/README.md`); saved inputs run as ordinary tests. In-process
//! verification without a socket: `LocalExchange::verifier()` → `Verifier::check`.
