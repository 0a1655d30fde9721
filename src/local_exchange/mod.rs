//! A local HTTP exchange that verifies signed requests exactly as each exchange does, so a bot
//! can be developed and tested offline (feature `local-exchange`).
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
//! | `api-key` or `signature` | Delta |
//! | `Authorization: Bearer …` | Coinbase CDP (JWT) |
//! | `cb-access-*`, path under `/api/v3/` | Coinbase Advanced Trade, legacy HMAC key |
//! | `cb-access-*`, any other path | Coinbase Exchange |
//!
//! A request with none of them is routed by path (`/api/v5/` OKX, `/api/v1/` KuCoin, `/v2/`
//! Delta, `/api/v3/` Coinbase Advanced, anything else Coinbase Exchange) and gets that
//! exchange's missing-header error.
//!
//! # Verification
//!
//! The method, path and query are taken exactly as on the request line, and the body as raw
//! bytes (capped, 1 MiB by default). Then, in order: the auth headers are present; the key
//! belongs to a registered account; (OKX) `x-simulated-trading: 1` is sent for demo keys and
//! only for them; the timestamp parses in the scheme's format and lies within its window of
//! the server clock, either way (OKX 30 s, KuCoin 5 s, Delta 5 s, Coinbase Exchange 30 s,
//! Coinbase Advanced 30 s); the passphrase is the one the account's signer sends (KuCoin: with
//! `KC-API-KEY-VERSION` 2 or 3 for v2/v3 keys, none or 1 for v1 keys); and the signature
//! equals the one the account's signer computes for the request as received (compared in
//! constant time). Delta requests also need a `User-Agent` (Delta's CDN answers 403 without
//! one; reqwest sends none by default). Coinbase CDP tokens are verified with the key's public
//! key, and their claims checked: `sub` = `kid`, `iss` = `cdp`, `nbf` at most 5 s ahead,
//! `exp` in the future and at most 120 s after `nbf`, and `uri` = `METHOD host path` with the
//! request's `Host` (port removed) and never the query.
//!
//! # Answers
//!
//! * Success: HTTP 200 and
//!   `{"cexsign":"accepted","scheme":"okx","api_key":…,"method":…,"path":…,"query":…,"body_bytes":…,"timestamp":…}`.
//! * Rejection: the exchange's status and body (OKX `{"msg","code"}` with `501xx`, KuCoin
//!   `{"code","msg"}` with `4000xx`, Delta `{"error",…,"success":false}`, Coinbase Exchange
//!   `{"message"}`), with two extra fields: `cexsign_reason`, what is wrong in plain English,
//!   and `cexsign_expected_prehash`, the exact string the server signed, when it got that far.
//!   Coinbase Advanced Trade answers a plain `Unauthorized`, as the real one does; the same
//!   diagnostics are in the `cexsign-reason` and `cexsign-expected-prehash` response headers
//!   (present on every rejection), JSON-string escaped to visible ASCII (`\uXXXX`), and left
//!   out when longer than 4 KiB. The expected signature itself is never revealed.
//! * Server time, unauthenticated `GET`, on the server clock: OKX `/api/v5/public/time`, KuCoin
//!   `/api/v1/timestamp`, Coinbase `/api/v3/brokerage/time` and `/v2/time`, Coinbase Exchange
//!   `/time`, Delta `/v2/settings`, each in the exchange's shape and units. Every response has
//!   an HTTP `Date` header.
//!
//! # Websocket logins
//!
//! There is **no websocket server**. Login and subscribe messages are checked over HTTP:
//! `POST /cexsign/ws/<scheme id>` (`okx`, `delta`, `coinbase_exchange`,
//! `coinbase_advanced_hmac`, `coinbase_cdp_jwt`, as [`Scheme::id`](crate::Scheme::id) names
//! them) with the message as the body, exactly as
//! [`WsAuth::message_json`](crate::WsAuth::message_json) gives it. The answer is the
//! exchange's login or subscription message (HTTP 200), or its websocket error (HTTP 401, or
//! 400 for an unreadable message) with the same `cexsign_*` fields. KuCoin has no login
//! message: its private socket token comes from a signed REST `POST /api/v1/bullet-private`,
//! which this server verifies like any REST request.
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

mod account;
mod jwt;
mod reply;
mod server;
mod server_time;
mod verify;
mod ws;

#[cfg(test)]
mod tests;

pub use account::Account;
pub use server::{DEFAULT_MAX_BODY_BYTES, LocalExchange, RunningExchange, Verifier};

pub(crate) use server::State;
