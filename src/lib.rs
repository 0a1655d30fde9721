//! # cexsign
//!
//! Byte-exact request signing for centralized crypto exchanges, for trading bots written in Rust.
//!
//! `401 Unauthorized`, `Invalid Sign`, `invalid api key`: nearly always the request was signed
//! with the wrong bytes — hex where the exchange wants base64, a secret that should have been
//! base64-decoded (or should not), key and secret swapped, a different JSON than the one sent, the
//! query left out of the prehash, seconds where milliseconds were due, a lower-case method. Here
//! each exchange scheme is one implementation of one [`Signer`] trait, proven byte-exact against
//! conformance vectors produced by the exchanges' own SDKs and CCXT; credentials are checked when
//! the signer is built, with errors that say what to fix.
//!
//! This page reads top to bottom: [signing](#signing) a request, [sending](#sending) it with
//! reqwest or through the middleware, keeping [the clock](#clocks) in step with the exchange's,
//! [diagnosing](#diagnosing) a rejection, and running [the local exchange in
//! tests](#the-local-exchange-in-tests). What each exchange signs, its pitfalls, error codes and
//! websocket login are in [`exchanges_reference`].
//!
//! # Signing
//!
//! Each exchange scheme is one [`Signer`]: build it once from [`Credentials`] (everything that
//! can be checked or derived is, right there), then sign a [`SignableRequest`] — the method,
//! path, query and body exactly as they go on the wire — at a [`Timestamp`]. The result is a
//! [`SignedRequest`] holding the auth headers, ready to apply to any `http::HeaderMap`. The signer
//! never re-encodes a query or re-serialises a body: serialise your JSON once and send those bytes.
//!
//! Every exchange scheme is a variant of [`Scheme`], whose documentation names its signer and
//! the features it needs ([`Scheme::ALL`] lists them; the registry writes that list, so it is never
//! out of date). Ed25519 and RSA keys (Binance, Bybit) need the `pem-keys` feature and Coinbase CDP
//! keys the `cdp` feature, both on by default.
//!
//! ```
//! use cexsign::{Credentials, KucoinKeyVersion, KucoinSigner, Method, SignableRequest, Signer, Timestamp};
//!
//! let signer = KucoinSigner::new(
//!     &Credentials::new()
//!         .api_key("6422da9c97b45100018c6e62")
//!         .secret("cde06451-dbed")
//!         .passphrase("1111111"),
//!     KucoinKeyVersion::V3,
//! )?;
//! let body = br#"{"symbol":"BTC-USDT","side":"buy","size":"0.0001","price":"30000","type":"limit","clientOid":"2b802154-8d31-42e6-88ea-c8c18d3e4822","tradeType":"TRADE"}"#;
//! let request = SignableRequest::new(Method::Post, "/api/v1/orders")?.with_body(body);
//! let signed = signer.sign(&request, Timestamp::from_unix_millis(1_680_885_532_722))?;
//! assert_eq!(signed.signature(), "ncPuAcZW8WYUZyvblRVVgMfYoVH+FlCTO6K45/FMLFQ=");
//!
//! let mut headers = http::HeaderMap::new();
//! signed.apply_to(&mut headers);
//! assert_eq!(headers["kc-api-timestamp"], "1680885532722");
//! // The derived passphrase is a secret: Debug of the map hides it.
//! assert!(!format!("{headers:?}").contains("rl1Ki0"));
//! # Ok::<(), cexsign::Error>(())
//! ```
//!
//! A bot that reads its exchange from a configuration file builds any signer through the
//! exchange's description ([`Scheme::exchange`]), with the settings that exchange reads
//! ([`KeySettings`]: key type, KuCoin key version, OKX demo, receive window); signers are
//! `Send + Sync` and object-safe, so one `Box<dyn Signer>` per venue will do. Credentials can come
//! from the environment ([`Credentials::from_env`]).
//!
//! ```
//! use cexsign::{Credentials, KeySettings, Method, Scheme, SignableRequest, Signer, Timestamp};
//!
//! let scheme = Scheme::from_id("kucoin").expect("a scheme id, as in tests/vectors/<id>.json");
//! let credentials = Credentials::new().api_key("6422da9c97b45100018c6e62").secret("cde06451-dbed").passphrase("1111111");
//! let signer: Box<dyn Signer> = scheme.exchange().signer(&credentials, &KeySettings::new().key_version(2))?;
//! let request = SignableRequest::new(Method::Get, "/api/v1/orders")?.with_query("status=active")?;
//! let signed = signer.sign(&request, Timestamp::from_unix_millis(1_680_885_532_722))?;
//! assert_eq!(signed.header("KC-API-KEY-VERSION"), Some("2"));
//! // What cexsign knows about the exchange: header names, window, hosts, server time, error codes.
//! assert_eq!(scheme.exchange().rest_auth.unwrap().key, "KC-API-KEY");
//! assert_eq!(scheme.exchange().server_time.endpoint.path, "/api/v1/timestamp");
//! # Ok::<(), cexsign::Error>(())
//! ```
//!
//! Websocket logins are signed through the same MAC path: [`Signer::sign_ws`] with a
//! [`WsRequest`] gives the login (or signed subscribe) message. [`SignOptions`] keeps the exact
//! prehash for debugging ([`SignedRequest::prehash`]).
//!
//! # Sending
//!
//! With the `reqwest` feature (on by default), [`client::RequestBuilderExt::build_signed`] signs
//! a built `reqwest::Request` from its own method, URL path, URL query and body bytes, so what is
//! signed is what is sent; where a scheme signs inside the request (Binance's `timestamp` and
//! `signature` parameters, Kraken's added `nonce`) the new query or body is written into it as
//! well. On any error the request is left unchanged; a streaming body is an error, never signed as
//! empty. The crate never picks a TLS backend (enable `rustls` or `native-tls` on your own
//! `reqwest`), and reqwest 0.13 puts `.json()`, `.query()` and `.form()` behind its own `json`,
//! `query` and `form` features.
//!
//! ```
//! # #[cfg(feature = "reqwest")] {
//! use cexsign::client::RequestBuilderExt;
//! use cexsign::{Credentials, OkxEnvironment, OkxSigner, Timestamp};
//!
//! let signer = OkxSigner::new(
//!     &Credentials::new()
//!         .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
//!         .secret("22582BD0CFF14C41EDBF1AB98506286D")
//!         .passphrase("Passphrase1!"),
//!     OkxEnvironment::Demo,
//! )?;
//! let client = reqwest::Client::new();
//! let request = client
//!     .post("https://www.okx.com/api/v5/trade/order")
//!     .header("content-type", "application/json")
//!     .body(r#"{"instId":"BTC-USDT","side":"buy","ordType":"market","sz":"1","clOrdId":"bot42"}"#)
//!     .build_signed(&signer, Timestamp::from_unix_millis(1_607_418_537_715))?;
//! assert_eq!(request.headers()["ok-access-timestamp"], "2020-12-08T09:08:57.715Z");
//! assert_eq!(request.headers()["x-simulated-trading"], "1"); // a demo key
//! // `client.execute(request).await?` sends it.
//! # }
//! # Ok::<(), cexsign::Error>(())
//! ```
//!
//! With another HTTP client, copy [`SignedRequest::headers`] (and, for Binance and Kraken,
//! [`SignedRequest::wire_query`] or [`SignedRequest::wire_body`]); [`url_rewrite`] tells whether
//! a URL parser would rewrite your path or query (spaces, `"`, `<`, `>`, `'`, non-ASCII) before
//! you get a 401 for it.
//!
//! With the `middleware` feature, [`middleware::SigningMiddleware`] signs every attempt of a
//! reqwest-middleware client afresh, [`middleware::ResyncOnTimestampRejection`] turns one
//! timestamp rejection into one resync and one fresh attempt, and [`middleware::SafeRetries`]
//! repeats a request only when that cannot place an order twice. Register retries *outside*
//! signing; the [`middleware`] module shows the order.
//!
//! # Clocks
//!
//! Most rejections after wrong bytes are time. Signers never read a clock: you pass the instant.
//! [`clock::OffsetClock`] corrects the host's clock from server-time observations (the NTP
//! midpoint of send and receive; slow round trips discarded; the latest observation wins);
//! [`client::sync`] makes one such observation against the exchange's server-time endpoint
//! (`server_time` has each endpoint and a pure parser of its answer, for other HTTP clients), and
//! [`clock::FixedClock`] reads a fixed instant in tests.
//!
//! ```
//! use cexsign::Timestamp;
//! use cexsign::clock::{Clock, FixedClock, OffsetClock};
//!
//! // The host clock reads 10:00:00.000; the exchange answered 10:00:01.250 to a request sent
//! // then and answered 100 ms later: the midpoint says the exchange is 1.2 s ahead.
//! let host = FixedClock(Timestamp::from_unix_millis(1_700_000_000_000));
//! let clock = OffsetClock::with_base(host);
//! let observed = clock
//!     .observe(
//!         Timestamp::from_unix_millis(1_700_000_000_000),
//!         Timestamp::from_unix_millis(1_700_000_001_250),
//!         Timestamp::from_unix_millis(1_700_000_000_100),
//!     )
//!     .expect("a fast round trip");
//! assert_eq!(observed.offset_millis, 1_200);
//! assert_eq!(clock.now()?, Timestamp::from_unix_millis(1_700_000_001_200)); // sign with this
//! # Ok::<(), cexsign::Error>(())
//! ```
//!
//! # Diagnosing
//!
//! A rejection has two readers. [`rejection::classify`] reads an exchange's error answer into a
//! typed verdict with the next step (resync and retry once, back off, fix the configuration,
//! stop). [`diagnose::diagnose`] takes the credentials, the request as it went on the wire and the
//! auth headers that were sent, recomputes the signature, then rebuilds the request the way buggy
//! client code would and names the first mistake that reproduces what was sent, with the fix.
//! Verdicts never contain a secret.
//!
//! ```
//! use cexsign::diagnose::{MistakeCode, SentRequest, diagnose};
//! use cexsign::rejection::{NextStep, classify};
//! use cexsign::{Credentials, KucoinKeyVersion, KucoinSigner, Method, Scheme, SignableRequest, Signer, Timestamp};
//!
//! // KuCoin answered 400005: the signature is wrong, and retrying cannot help.
//! let rejection = classify(Scheme::Kucoin, 401, br#"{"code":"400005","msg":"Invalid KC-API-SIGN"}"#).unwrap();
//! assert_eq!(rejection.next_step, NextStep::FixConfiguration);
//!
//! // The bot's request: signed over `symbol=BTC-USDT`, sent with the query sorted differently.
//! let credentials = Credentials::new().api_key("6422da9c97b45100018c6e62").secret("cde06451-dbed").passphrase("1111111");
//! let signer = KucoinSigner::new(&credentials, KucoinKeyVersion::V3)?;
//! let signed_query = "symbol=BTC-USDT&status=active";
//! let request = SignableRequest::new(Method::Get, "/api/v1/orders")?.with_query(signed_query)?;
//! let signed = signer.sign(&request, Timestamp::from_unix_millis(1_680_885_532_722))?;
//! let sent = SentRequest::rest("GET", "/api/v1/orders").with_query("status=active&symbol=BTC-USDT").with_signed(&signed);
//! let diagnosis = diagnose(Scheme::Kucoin, &credentials, &sent)?;
//! assert_eq!(diagnosis.code(), Some(MistakeCode::QueryOrderDiffers));
//! # Ok::<(), cexsign::Error>(())
//! ```
//!
//! # The local exchange in tests
//!
//! `cexsign-local-exchange` (a crate of its own: add it under `[dev-dependencies]`) is a test
//! server that verifies requests the way the exchanges do — the signature over the raw bytes it
//! received, the window, the passphrase, key versions, demo headers, JWTs, nonces — and answers a
//! failure with the exchange's own error, the diagnosis and the expected prehash. Start it
//! in-process on a loopback port with the credentials your signer uses; it stops when dropped.
//!
//! ```
//! use cexsign::client::RequestBuilderExt;
//! use cexsign::{Credentials, KeySettings, OkxEnvironment, OkxSigner, Scheme, Timestamp};
//! use cexsign_local_exchange::{Account, LocalExchange};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let credentials = Credentials::new()
//!     .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
//!     .secret("22582BD0CFF14C41EDBF1AB98506286D")
//!     .passphrase("Passphrase1!");
//! let local = LocalExchange::new()
//!     .with_account(Account::new(Scheme::Okx, &credentials, &KeySettings::new())?)
//!     .start()
//!     .await?;
//! let signer = OkxSigner::new(&credentials, OkxEnvironment::Live)?;
//! let client = reqwest::Client::new();
//! let order = r#"{"instId":"BTC-USDT","side":"buy","ordType":"market","sz":"1","clOrdId":"bot42"}"#;
//! let request = client
//!     .post(format!("{}/api/v5/trade/order", local.base_url()))
//!     .header("content-type", "application/json")
//!     .body(order)
//!     .build_signed(&signer, Timestamp::now()?)?;
//! assert_eq!(client.execute(request).await?.status(), 200);
//!
//! // Signed an hour ago: OKX's own answer, 50102, outside its 30 s window.
//! let stale = Timestamp::from_unix_millis(u64::try_from(Timestamp::now()?.unix_millis())? - 3_600_000);
//! let request = client.post(format!("{}/api/v5/trade/order", local.base_url())).body(order).build_signed(&signer, stale)?;
//! let answer = client.execute(request).await?.text().await?;
//! assert!(answer.contains("50102"), "{answer}");
//! # Ok(())
//! # }
//! ```
//!
//! # Features
//!
//! - `cdp` (default): Coinbase CDP JWT keys (pulls in `p256`, and `pem-keys`).
//! - `pem-keys` (default): Ed25519 and RSA API keys given as PEM, for Binance and Bybit
//!   (`ed25519-dalek`; `ring` for RSA, which blinds the private-key operation).
//! - `reqwest` (default): sign built `reqwest::Request`s ([`client`]; reqwest without default
//!   features: no TLS backend, no server, no multi-threaded runtime).
//! - `middleware`: the reqwest-middleware 0.5 layers ([`middleware`]).
//!
//! `default-features = false` gives the pure signers with no async stack; it builds in seconds.
//!
//! # What it does not do
//!
//! The core is synchronous and does no I/O: it never reads a clock, fetches server time or
//! serialises a body. What it signs is what it was given. It is not an exchange client: no order
//! types, no endpoints, no rate limiter, and no hidden retries ([`middleware::SafeRetries`] is one
//! you register).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// docs.rs builds with `--cfg docsrs` (see `[package.metadata.docs.rs]`): every item gated on a
// feature then shows the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub mod client;
pub mod clock;
mod credentials;
pub mod diagnose;
mod error;
mod exchange;
mod exchanges;
pub mod exchanges_reference;
pub mod form;
#[cfg(feature = "pem-keys")]
mod keys;

mod mac;
#[cfg(feature = "middleware")]
#[cfg_attr(docsrs, doc(cfg(feature = "middleware")))]
pub mod middleware;
pub mod recipe;
pub mod rejection;
mod request;
pub mod server_time;
mod signer;
mod time;
mod wire;
mod ws;

pub use credentials::Credentials;
pub use error::Error;
pub use exchange::BodyType;
pub use exchange::KeyVariants;
pub use exchange::StreamChallenge;
pub use exchange::StreamHandshake;
pub use exchange::StreamLogin;
pub use exchange::StreamRequest;
pub use exchange::{
    AuthNames, BuildSigner, DiagnosisFacts, Exchange, ExtraCheck, HeaderCheck, HeaderMatch, KeySettings, Mark, Refused,
    RestVerification, Routing, TimestampRule,
};
pub use exchange::{AuthorizationItems, NonceToken, authorization_item};
pub use exchange::{ClientOrderId, DuplicateOrder, Orders, PlaceOrder};
pub use exchange::{ExpiresLogin, JwtMessage, WsAccepted, WsAnswer, WsApi, WsLogin, WsMessage, WsNames, WsPart};
pub use exchange::{PrivateStream, StreamAnswers, StreamMessage, StreamPing, StreamRefusal, StreamSubscribe};
pub use exchange::{Recovered, RecoveredSigner};
pub use exchange::{SignedBody, body_field};
pub use exchange::{StreamGrant, StreamToken, TokenEndpoint, TokenShown};
pub use exchanges::*;
pub use request::{Method, SignableRequest, decode_query};
pub use signer::{HeaderLayout, HeaderSource, Prehash, SignOptions, SignRequest, SignedRequest, Signer};
pub use time::{Timestamp, TimestampFormat, WireTimestamp};
pub use wire::{UrlRewrite, url_rewrite};
pub use ws::{WsAuth, WsField, WsRequest};
