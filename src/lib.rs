//! # cexsign
//!
//! Byte-exact request signing for centralized crypto exchanges, for trading bots written in Rust.
//!
//! Each exchange scheme is one [`Signer`]: build it once from [`Credentials`] (everything that
//! can be checked or derived is, right there), then sign a [`SignableRequest`] — the method,
//! path, query and body exactly as they go on the wire — at a [`Timestamp`]. The result is a
//! [`SignedRequest`] holding the auth headers, ready to apply to any `http::HeaderMap`.
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
//! The core is synchronous and does no I/O: it never reads a clock, fetches server time or
//! serialises a body. What it signs is what it was given.
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
pub use exchange::StreamLogin;
pub use exchange::{
    AuthNames, BuildSigner, DiagnosisFacts, Exchange, ExtraCheck, HeaderCheck, HeaderMatch, KeySettings, Mark, Refused,
    RestVerification, Routing, TimestampRule,
};
pub use exchange::{AuthorizationItems, authorization_item};
pub use exchange::{ClientOrderId, DuplicateOrder, Orders, PlaceOrder};
pub use exchange::{ExpiresLogin, JwtMessage, WsAccepted, WsAnswer, WsApi, WsLogin, WsMessage, WsNames, WsPart};
pub use exchange::{PrivateStream, StreamAnswers, StreamMessage, StreamPing, StreamRefusal, StreamSubscribe};
pub use exchanges::*;
pub use request::{Method, SignableRequest, decode_query};
pub use signer::{HeaderLayout, HeaderSource, Prehash, SignOptions, SignRequest, SignedRequest, Signer};
pub use time::{Timestamp, TimestampFormat, WireTimestamp};
pub use wire::{UrlRewrite, url_rewrite};
pub use ws::{WsAuth, WsField, WsRequest};
