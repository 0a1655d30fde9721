//! A local HTTP exchange that verifies signed requests exactly as each exchange does, so a bot
//! can be developed and tested offline.
//!
//! A crate of its own, so that a bot depending on `cexsign` never builds a server: add it under
//! `[dev-dependencies]`.
//!
//! [`LocalExchange`] is configured with one [`Account`] per API key and started as a task on
//! the caller's tokio runtime; [`RunningExchange`] is its handle. It has no business logic: any
//! path with valid authentication is answered with a JSON echo of what was verified, and any
//! defect with the exchange's own status and error body.
//!
//! # Routing
//!
//! One listener serves every scheme. A request goes to the exchange whose auth headers it
//! carries, checked in this order:
//!
//! | headers | exchange |
//! |---|---|
//! | `ok-access-*` | OKX |
//! | `kc-api-*` | KuCoin |
//! | `x-mbx-apikey` | Binance |
//! | `x-bapi-*` | Bybit |
//! | `access-key`, `access-sign`, `access-timestamp` or `access-passphrase` | Bitget |
//! | `api-sign`, or `api-key` on a path under `/0/` | Kraken (before Delta: Kraken sends `API-Key` too) |
//! | `api-key` or `signature` | Delta |
//! | `key` or `sign` | Gate (`KEY`, `SIGN`; Delta's are `api-key`, `signature`, and both send a `timestamp`) |
//! | `Authorization: Bearer …` | Coinbase CDP (JWT) |
//! | `cb-access-*`, path under `/api/v3/` | Coinbase Advanced Trade, legacy HMAC key |
//! | `cb-access-*`, any other path | Coinbase Exchange |
//!
//! A request with none of them is routed by path and gets that exchange's missing-header (or
//! missing-key) error:
//!
//! | path | exchange |
//! |---|---|
//! | `/api/v5/` | OKX |
//! | `/api/v1/` | KuCoin |
//! | `/api/v2/` | Bitget |
//! | `/api/v4/` | Gate |
//! | `/api/v3/brokerage/` | Coinbase Advanced Trade (CDP) |
//! | any other `/api/v3/`, `/sapi/`, `/fapi/` | Binance (Spot's `/api/v3/`; Coinbase's paths are all under `/api/v3/brokerage/`) |
//! | `/v2/` | Delta |
//! | `/v5/` | Bybit |
//! | `/0/` | Kraken |
//! | anything else | Coinbase Exchange |
//!
//! # Verification
//!
//! The method, path and query are taken exactly as on the request line, and the body as raw
//! bytes (capped, 1 MiB by default). The signature is always recomputed with the account's
//! signer from them and compared in constant time; the expected prehash goes back in every
//! rejection that got that far.
//!
//! OKX, KuCoin, Delta, Coinbase Exchange, Coinbase Advanced (HMAC), Bitget and Gate, in order:
//! the auth headers are present; the key belongs to a registered account; (OKX)
//! `x-simulated-trading: 1` is sent for demo keys and only for them; the timestamp parses in
//! the scheme's format and lies within its window of the server clock, either way (OKX 30 s,
//! KuCoin 5 s, Delta 5 s, Coinbase Exchange 30 s, Coinbase Advanced 30 s, Bitget 30 s, Gate
//! 60 s; Coinbase Exchange and Gate take decimal seconds); the passphrase is the one the
//! account's signer sends (KuCoin: with `KC-API-KEY-VERSION` 2 or 3 for v2/v3 keys, none or 1
//! for v1 keys; Bitget: plain); and the signature equals the one the account's signer computes
//! for the request as received. Delta requests also need a `User-Agent` (Delta's CDN answers
//! 403 without one; reqwest sends none by default). Coinbase CDP tokens are verified with the
//! key's public key, and their claims checked: `sub` = `kid`, `iss` = `cdp`, `nbf` at most 5 s
//! ahead, `exp` in the future and at most 120 s after `nbf`, and `uri` = `METHOD host path`
//! with the request's `Host` (port removed) and never the query.
//!
//! Binance signs inside the request: the `signature` parameter must be the last parameter of
//! the query or of the form body; it is cut off and percent-decoded (an unencoded `+` in a
//! base64 signature is a space, as on Binance), and the signature is recomputed over the
//! remaining `query + body`. Then, in Binance's order: `X-MBX-APIKEY` present and in Binance's
//! format (-2014) and registered (-2015); `signature` and `timestamp` present (-1102, the
//! timestamp in milliseconds or microseconds); `recvWindow` at most 60000 ms (-1131; default
//! 5000, up to three decimals); `timestamp < serverTime + 1000` and `serverTime - timestamp <=
//! recvWindow` (-1021); the signature (-1022; hex HMAC signatures in any case).
//!
//! Bybit: the `X-BAPI-*` headers present, the key registered (10003), then
//! `server_time - recv_window <= timestamp < server_time + 1000` (10002) and the signature
//! (10004) computed with the `X-BAPI-RECV-WINDOW` the request carries (absent: 5000).
//!
//! Kraken: `API-Key` registered and `API-Sign` present, the body's `nonce` (form or JSON, as
//! the `Content-Type` says), the signature, and last the nonce above the last one the key
//! used. There is no time window; only requests that verify move a key's nonce forward.
//!
//! # Answers
//!
//! * Success: HTTP 200 and
//!   `{"cexsign":"accepted","scheme":"okx","api_key":…,"method":…,"path":…,"query":…,"body_bytes":…,"timestamp":…}`.
//! * Rejection: the exchange's status and body (OKX `{"msg","code"}` with `501xx`, KuCoin
//!   `{"code","msg"}` with `4000xx`, Delta `{"error",…,"success":false}`, Coinbase Exchange
//!   `{"message"}`, Binance `{"code":-1022,"msg"}` with HTTP 400 (401 for key errors), Bybit
//!   `{"retCode","retMsg","result":{},"retExtInfo":{},"time"}` with HTTP 200 (401 for an
//!   invalid key; 10004's message echoes the server's prehash as `origin_string[…]`, as Bybit
//!   does), Kraken `{"error":["EAPI:Invalid signature"]}` with HTTP 200, Bitget
//!   `{"code":"40009","msg","requestTime","data":null}` with HTTP 400, Gate
//!   `{"label","message"}` with HTTP 401), with two extra fields: `cexsign_reason`, what is
//!   wrong in plain English, and `cexsign_expected_prehash`, the exact string the server
//!   signed, when it got that far (Kraken: the SHA-256 input `nonce + body`). Coinbase
//!   Advanced Trade answers a plain `Unauthorized`, as the real one does; the same diagnostics
//!   are in the `cexsign-reason` and `cexsign-expected-prehash` response headers (present on
//!   every rejection), JSON-string escaped to visible ASCII (`\uXXXX`), and left out when
//!   longer than 4 KiB. An expected prehash over 64 KiB (a large body's) is given in the body
//!   by its length and SHA-256 (`cexsign_expected_prehash_bytes`,
//!   `cexsign_expected_prehash_sha256`) instead of its text. The expected signature itself is never revealed. A request that is
//!   accepted is not always HTTP 200 elsewhere, and a rejection may be: look for
//!   `"cexsign":"accepted"`.
//! * The diagnosis of a rejection from a registered key, `cexsign_diagnosis` (and the
//!   `cexsign-diagnosis` header): `{"verdict","mistake","explanation"}`, plus `differing` for
//!   an `unknown` verdict. The server runs it off its request workers, one at a time, on its
//!   background threads (see Limits), within a budget smaller than
//!   [`Budget::default`](cexsign::diagnose::Budget). An `unknown` verdict whose search ran out
//!   of it adds `"budget":"exhausted"`; a rejection that arrives while another is being
//!   diagnosed is answered at once, with an `unknown` verdict and `"budget":"skipped"`. A
//!   [`Verifier`] diagnoses inline, within the default budget.
//! * Server time, unauthenticated `GET`, on the server clock: every route of every exchange's
//!   [`ServerTimeApi`](cexsign::server_time::ServerTimeApi) (OKX `/api/v5/public/time`, Kraken
//!   `/0/public/Time`, ...; Binance's USDⓈ-M `/fapi/v1/time` and Coinbase App's `/v2/time`
//!   too), each answered with [`TimeRoute::answer`](cexsign::server_time::TimeRoute::answer),
//!   in the exchange's shape and units (what
//!   [`ServerTime::parse`](cexsign::server_time::ServerTime::parse) reads). Every response has an
//!   HTTP `Date` header.
//!
//! # Websocket logins
//!
//! There is **no websocket server**. Login and subscribe messages are checked over HTTP:
//! `POST /cexsign/ws/<scheme id>` (`okx`, `delta`, `coinbase_exchange`,
//! `coinbase_advanced_hmac`, `coinbase_cdp_jwt`, `binance`, `bybit`, `bitget`, `gate`, as
//! [`Scheme::id`](cexsign::Scheme::id) names them) with the message as the body, exactly as
//! [`WsAuth::message_json`](cexsign::WsAuth::message_json) gives it. The answer is the
//! exchange's login or subscription message (HTTP 200), or its websocket error (HTTP 401, or
//! 400 for an unreadable message) with the same `cexsign_*` fields:
//!
//! * Binance: a WebSocket API request (`{"id","method","params":{…,"apiKey","timestamp",
//!   "signature"}}`), checked like REST over the params sorted by name with their raw values;
//!   `{"id","status":200,"result":…}` or `{"id","status":400,"error":{"code":-1022,"msg"}}`.
//!   `session.logon` is accepted from Ed25519 keys only (-1002 otherwise). Numeric params are
//!   read as JSON numbers, so a number written with trailing zeros (`0.0100`) is signed as
//!   `0.01` here: send such values as strings, as Binance's examples do.
//! * Bybit: `{"op":"auth","args":[key, expires, signature]}`, `expires` in the future;
//!   `{"success":true,"ret_msg":"","op":"auth","conn_id"}` or `"success":false` with
//!   `"Params Error"`, `"error sign"` or `"API key is invalid."`.
//! * Bitget: `{"op":"login",…}` (seconds, 30 s window); `{"event":"login","code":0}` or
//!   `{"event":"error","code":30011…30015,"msg"}`.
//! * Gate: a private channel message with `auth` (60 s window) gets
//!   `{"result":{"status":"success"}}` or Gate's `error` object; the ws API login
//!   (`"event":"api"`, `spot.login`) gets a response `header` with `status` 200 or 401 and
//!   `data.errs` `{"label","message"}`.
//!
//! KuCoin and Kraken have no login message (404 here): KuCoin's private socket token comes
//! from a signed REST `POST /api/v1/bullet-private`, Kraken's from a signed
//! `POST /0/private/GetWebSocketsToken`, both verified by this server like any REST request.
//!
//! # Orders
//!
//! A verified request on one of an exchange's order-placing paths
//! ([`cexsign::Orders::placing`]) places an order
//! ([`RunningExchange::orders_placed`], [`RunningExchange::has_order`]). One that repeats a
//! client order id the same key already used is answered as the exchange answers it
//! ([`cexsign::Orders::duplicate`]): refused with its own duplicate error (OKX 51016, Binance
//! -2010, Bybit 110072, KuCoin 400100, Bitget 40786, BitMEX `Duplicate clOrdID`) and not placed,
//! or (Coinbase Advanced) answered with the first order; where the exchange's docs do not say,
//! it is placed again. The latest [`MAX_CLIENT_ORDER_IDS_PER_KEY`] ids of each key are
//! remembered.
//!
//! # Faults on purpose
//!
//! [`LocalExchange::with_faults`] and [`RunningExchange::add_faults`] schedule [`Fault`]s per
//! method, path pattern and key ([`FaultRule`]): latency, a status before or after the order is
//! placed, 429 with `Retry-After` and the exchange's rate-limit body, its documented "busy, not
//! processed" answer ([`cexsign::Orders::busy`]), a connection closed before the request is
//! acted on, and a response lost after it was (the order exists; the client sees a reset or its
//! own timeout). [`RunningExchange::verified_requests`] names the fault that fired (`fault`) and
//! what the request did to the orders (`order`). A private stream's connection is ended on
//! purpose ([`Fault::EndStream`], without a close frame or with one) after some messages
//! ([`FaultRule::stream`]) or at once ([`RunningExchange::end_private_streams`]), so a bot's
//! reconnect is testable.
//! # Private websocket streams
//!
//! A websocket upgrade on an exchange's own private-stream path, as its home describes it
//! ([`cexsign::PrivateStream`]: OKX `/ws/v5/private`, Bybit `/v5/private`, Bitget
//! `/v2/ws/private`, Binance's WebSocket API `/ws-api/v3`), is accepted on the same port. On the connection, the exchange's ping is
//! answered as it answers it; a subscribe before a login is refused with its error frame; any
//! other message is a login, checked as `POST /cexsign/ws/<scheme id>` checks it and answered
//! with the same frame (a rejection with its `cexsign_diagnosis`). Once logged in, a subscribe
//! to one of the stream's private channels is answered and pushes one event in the exchange's
//! shape. A connection silent for longer than the exchange allows is closed; it counts against
//! the connection cap like any other.
//!
//! # Limits
//!
//! What a client can hold is bounded: a body over the cap (1 MiB by default,
//! [`LocalExchange::with_max_body_bytes`]) gets HTTP 413 in the exchange's error shape, before
//! any of it is read when its `Content-Length` says so (and instead of `100 Continue` when the
//! request expects one); headers have 30 s to arrive, a kept-alive connection 30 s to start its
//! next request ([`LocalExchange::with_header_read_timeout`]: the connection is closed), and a
//! body 30 s once its headers are in ([`LocalExchange::with_body_read_timeout`]: HTTP 408 and
//! the connection closed). A body is read into one buffer as it arrives, allocated once for its
//! declared length, however finely it is cut into TCP segments. Bodies over 64 KiB (or of
//! unknown length) are read only when there is room for them among the 8 MiB (or the body
//! cap, if larger) of large bodies the server holds at once; until then they wait, unread,
//! within their body-read timeout. At most 512 connections are served at once
//! ([`LocalExchange::with_max_connections`]); further ones wait, unaccepted, in the listener's
//! backlog until a place frees, rather than being refused. When one waits, the served
//! connection that has gone longest without finishing a request, if that is over 1 s
//! ([`LocalExchange::with_stalled_after`]), is closed to make room: a thousand silent or
//! trickling connections delay a ready client by about a second per 512 of them ahead of it in
//! the backlog, not by their 30 s deadlines.
//!
//! What costs more than one signature check — the diagnosis of a rejection, the check of a
//! body over 64 KiB or of an RSA key's signature — runs on two background threads at the
//! lowest scheduling priority, never on the request workers: a flood of such requests slows
//! down only itself, and a client sending ordinary requests keeps its latency.
//!
//! # In process
//!
//! [`LocalExchange::verifier`] gives the same verification without a server: a [`Verifier`]
//! answers one request — method, request-target, headers and body bytes — synchronously, with
//! the `http::Response` the server would send (status, body and `cexsign-*` headers). No
//! socket, no runtime: for unit tests of a bot's signing code, for fuzzing, or for a proxy that
//! checks requests before forwarding them.
//!
//! Nothing here panics on malformed input: bad UTF-8 in headers, oversized or non-JSON
//! bodies, and garbage tokens all get the exchange's 4xx (the `verifier` fuzz target checks
//! this, in `fuzz/`).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod account;
mod accounts_document;
mod authorization_items;
mod background;
mod body_nonce;
mod diagnosis;
mod faults;
mod jwt;
mod nonce_token;
mod orders;
mod private_stream;
mod recovered_signer;
mod reply;
mod sent_receive_window;
mod server;
mod server_time;
mod signed_body;
mod signed_parameters;
mod stream_tokens;
mod verify;
mod ws;

#[cfg(test)]
mod description_tests;
#[cfg(test)]
mod error_table_tests;

pub use account::Account;
pub use accounts_document::{
    AccountEntry, PrintedAccount, RegisteredAccount, parse_accounts_document, register_accounts, takes_passphrase,
    vector_account_entries, worked_example_accounts,
};
pub use faults::{Fault, FaultRule, MAX_FAULT_RULES, MAX_SCHEDULE, STREAM_METHOD, StreamEnd};
pub use orders::MAX_CLIENT_ORDER_IDS_PER_KEY;
pub use server::{
    DEFAULT_BODY_READ_TIMEOUT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_STALLED_AFTER, LocalExchange, RunningExchange, Verifier,
};
pub use stream_tokens::{MAX_TOKENS, MAX_TOKENS_PER_KEY};

pub(crate) use server::State;
