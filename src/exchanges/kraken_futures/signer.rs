//! Kraken Futures REST and websocket challenge:
//! `Authent = base64(HMAC-SHA512(base64_decode(secret), SHA256(postData + nonce + endpointPath)))`.
//!
//! `postData` is the query (GET, PUT, DELETE) or the form body (POST) exactly as sent,
//! percent-encoding included (Kraken hashes the encoded parameters since 20 February 2024);
//! `nonce` is the optional `Nonce` header's value, nothing when it is not sent; `endpointPath` is
//! the path with a leading `/derivatives` removed (`/api/history/…` paths are signed whole). The
//! digest enters the HMAC as its 32 raw bytes; the method is not signed. The websocket has no login
//! message: each private subscribe carries the key, the challenge the server returned for
//! `{"event":"challenge"}` and that challenge signed the same way (its SHA-256, HMAC-SHA512).
//! This is not Kraken spot's scheme (`path + SHA256(nonce + body)`), though both key the HMAC
//! with the decoded secret, read through the same helper.

use std::sync::atomic::{AtomicU64, Ordering};

use http::HeaderName;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::credentials::ApiKey;
use crate::exchanges::common::{Form, KeyForms, base64_secret, channels, refuse_swapped, ws_auth};
use crate::mac::{Encoding, HmacSha512Key, PrehashParts};
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Prehash, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, Timestamp,
    TimestampFormat, WireTimestamp, WsAuth, WsField, WsRequest,
};

static API_KEY: HeaderName = HeaderName::from_static("apikey");
static AUTHENT: HeaderName = HeaderName::from_static("authent");
static NONCE: HeaderName = HeaderName::from_static("nonce");

/// The prefix of the private REST paths that is not signed.
pub(crate) const UNSIGNED_PREFIX: &str = "/derivatives";

/// Signs Kraken Futures REST requests and private websocket subscribes.
///
/// By default each request sends a `Nonce` header (milliseconds, strictly increasing from one
/// request of the signer to the next) and signs it; [`without_nonce`](Self::without_nonce) sends
/// none, as ccxt does (the nonce is optional: Kraken then has nothing to refuse a replay with).
///
/// ```
/// use cexsign::{Credentials, KrakenFuturesSigner, Method, SignableRequest, Signer, Timestamp, WsRequest};
/// // The key of Kraken's "Futures WebSocket" challenge example (AUTH-breadth.md §3).
/// let credentials = Credentials::new().api_key("my-key").secret(
///     "7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9KpT0eMTm",
/// );
/// let signer = KrakenFuturesSigner::new(&credentials)?;
/// let body = b"orderType=lmt&symbol=PF_XBTUSD&side=buy&size=1&limitPrice=30000";
/// let request = SignableRequest::new(Method::Post, "/derivatives/api/v3/sendorder")?.with_body(body);
/// let signed = signer.sign(&request, Timestamp::from_unix_millis(1_415_957_147_987))?;
/// assert_eq!(signed.header("Nonce"), Some("1415957147987"));
/// assert_eq!(
///     signed.header("Authent"),
///     Some("YPTTCK/mZ7gVAITcHD6gfQeWqBo1E/FPFcvM4Z/hwDLv5AMCQoS0s0PsEegixWljwFPJ29AfhpNWzcQPHcga1Q==")
/// );
///
/// // Without the optional Nonce header, nothing stands between postData and the path.
/// let request = SignableRequest::new(Method::Get, "/derivatives/api/v3/openpositions")?;
/// let signed = KrakenFuturesSigner::new(&credentials)?.without_nonce().sign(&request, Timestamp::from_unix_millis(0))?;
/// assert_eq!(signed.header("Nonce"), None);
/// assert_eq!(
///     signed.signature(),
///     "97NHlfPZy2jSPglkvI5ZaYjteN2sBRIK32YTyrR8Op+S0+TKyqJvZPeUuV0CQhcW0oq7DKYxq3B/Vq0H+PJGWQ=="
/// );
///
/// // The websocket: the challenge the server sent, signed, in each private subscribe.
/// let challenge = "c100b894-1729-464d-ace1-52dbce11db42";
/// let subscribe = WsRequest::subscribe(&["open_orders"], &[]).with_data(challenge);
/// let auth = signer.sign_ws(&subscribe, Timestamp::from_unix_millis(0))?;
/// assert_eq!(
///     auth.signature(),
///     "4JEpF3ix66GA2B+ooK128Ift4XQVtc137N9yeg4Kqsn9PI0Kpzbysl9M1IeCEdjg0zl00wkVqcsnG4bmnlMb3A=="
/// );
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct KrakenFuturesSigner {
    api_key: ApiKey,
    key: HmacSha512Key,
    with_nonce: HeaderLayout,
    without_nonce: HeaderLayout,
    sends_nonce: bool,
    /// The last nonce this signer chose: Kraken refuses a nonce not above the key's last one
    /// (`nonceBelowThreshold`), so two requests within one millisecond get consecutive nonces.
    last_nonce: AtomicU64,
}

/// Kraken Futures public keys are 56 base64 characters and private keys standard base64 of 64
/// bytes, 88 characters (AUTH-breadth.md §3 and its vectors).
const KEY_FORMS: KeyForms = KeyForms {
    key: (Form::Base64(56), "56 base64 characters"),
    secret: (Form::Base64(88), "88 base64 characters"),
};

impl KrakenFuturesSigner {
    /// Checks the credentials and base64-decodes the secret once: a secret that is not standard
    /// base64 is refused here ([`Error::SecretNotBase64`]), not at the first request.
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let scheme = Scheme::KrakenFutures;
        let api_key = credentials.require_api_key(scheme)?;
        refuse_swapped(credentials, scheme, KEY_FORMS)?;
        let hint = "Kraken Futures API keys are HMAC keys: paste the base64 private key shown at key creation";
        // HMAC takes a key of any length: Kraken issues 64-byte secrets, but none is refused for its length.
        let decoded = base64_secret(credentials, scheme, hint, None)?;
        let with_nonce = HeaderLayout::new([
            (&API_KEY, HeaderSource::Fixed(api_key.header_value())),
            (&NONCE, HeaderSource::Timestamp),
            (&AUTHENT, HeaderSource::Signature),
        ]);
        let without_nonce = HeaderLayout::new([
            (&API_KEY, HeaderSource::Fixed(api_key.header_value())),
            (&AUTHENT, HeaderSource::Signature),
        ]);
        Ok(Self {
            api_key,
            key: HmacSha512Key::new(&decoded),
            with_nonce,
            without_nonce,
            sends_nonce: true,
            last_nonce: AtomicU64::new(0),
        })
    }

    /// Sends no `Nonce` header and signs none: [`Signer::sign_with`] then ignores its instant.
    /// A request signed at a given nonce ([`Signer::sign_at`]) still sends it.
    pub fn without_nonce(mut self) -> Self {
        self.sends_nonce = false;
        self
    }

    /// Whether [`Signer::sign_with`] sends a `Nonce` header.
    pub fn sends_nonce(&self) -> bool {
        self.sends_nonce
    }

    /// The next nonce at `at`: its milliseconds, or one above the last nonce chosen.
    fn next_nonce(&self, at: Timestamp) -> u64 {
        let at = u64::try_from(at.unix_millis()).unwrap_or(u64::MAX);
        let previous = self
            .last_nonce
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| Some(at.max(last.saturating_add(1))))
            .unwrap_or(at);
        at.max(previous.saturating_add(1))
    }

    fn sign_nonce(
        &self,
        request: &SignableRequest<'_>,
        nonce: &str,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let post_data = post_data(request);
        let path = endpoint_path(request.path());
        let mut digest = Sha256::new();
        digest.update(post_data);
        digest.update(nonce.as_bytes());
        digest.update(path.as_bytes());
        let digest: [u8; 32] = digest.finalize().into();
        let signature = self.key.sign(&PrehashParts::new().push(&digest), Encoding::Base64);
        let kept = options.keeps_prehash().then(|| Prehash::new([post_data, nonce.as_bytes(), path.as_bytes()].concat()));
        let layout = if nonce.is_empty() { &self.without_nonce } else { &self.with_nonce };
        Ok(SignedRequest::new(nonce, &signature, kept, layout))
    }
}

/// What Kraken calls `postData`: the form body when there is one, otherwise the query, exactly
/// as sent.
fn post_data<'r>(request: &SignableRequest<'r>) -> &'r [u8] {
    if request.body().is_empty() { request.query().as_bytes() } else { request.body() }
}

/// What Kraken calls `endpointPath`: the path without its leading `/derivatives` segment.
fn endpoint_path(path: &str) -> &str {
    crate::recipe::path_without_prefix(path, UNSIGNED_PREFIX)
}

fn is_nonce(text: &str) -> bool {
    !text.is_empty() && text.len() <= 20 && text.bytes().all(|b| b.is_ascii_digit())
}

/// A private subscribe (or unsubscribe), its auth fields after the feed, as Kraken's docs and
/// both SDKs lay it out.
#[derive(Serialize)]
struct Subscribe<'a> {
    event: &'a str,
    feed: &'a str,
    api_key: &'a str,
    original_challenge: &'a str,
    signed_challenge: &'a str,
}

impl Signer for KrakenFuturesSigner {
    fn scheme(&self) -> Scheme {
        Scheme::KrakenFutures
    }

    /// The nonce the signer chooses: milliseconds.
    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixMillis
    }

    /// With a nonce (the default), `at` in milliseconds, raised above the signer's last nonce;
    /// [`without_nonce`](Self::without_nonce), `at` is not read.
    fn sign_with(
        &self,
        request: &SignableRequest<'_>,
        at: Timestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        if !self.sends_nonce {
            return self.sign_nonce(request, "", options);
        }
        let nonce = WireTimestamp::render(TimestampFormat::UnixMillis, Timestamp::from_unix_millis(self.next_nonce(at)))?;
        self.sign_nonce(request, nonce.as_str(), options)
    }

    /// Signs with `timestamp` as the `Nonce` header's value, sent with the request.
    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let nonce = timestamp.as_str();
        if !is_nonce(nonce) {
            return Err(Error::TimestampFormatMismatch {
                expected: "an unsigned integer nonce",
                example: "1700000000000",
            });
        }
        self.sign_nonce(request, nonce, options)
    }

    /// A private subscribe: the request's one channel is the feed, its data the challenge the
    /// server returned for `{"event":"challenge","api_key":…}`; the event is `subscribe` unless
    /// the request names another (`unsubscribe`). The timestamp is not read: the challenge
    /// stands in for one.
    fn sign_ws_at(
        &self,
        request: &WsRequest<'_>,
        _timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let Some(challenge) = request.data().filter(|c| !c.is_empty()) else {
            return Err(Error::InvalidWsRequest {
                problem: "a Kraken Futures private subscribe signs the challenge the server sent: send \
                          {\"event\":\"challenge\",\"api_key\":…} first and pass its \"message\" with \
                          WsRequest::with_data",
            });
        };
        let [feed] = channels(request)? else {
            return Err(Error::InvalidWsRequest {
                problem: "a Kraken Futures subscribe names exactly one feed (e.g. \"open_orders\"): send one message \
                          per feed",
            });
        };
        let digest: [u8; 32] = Sha256::digest(challenge.as_bytes()).into();
        let signature = self.key.sign(&PrehashParts::new().push(&digest), Encoding::Base64);
        let prehash = options.keeps_prehash().then(|| Prehash::new(challenge.as_bytes().to_vec()));
        let message = Subscribe {
            event: request.event().unwrap_or("subscribe"),
            feed,
            api_key: self.api_key.as_str(),
            original_challenge: challenge,
            signed_challenge: &signature,
        };
        let fields = vec![
            WsField::new("api_key", self.api_key.as_str()),
            WsField::new("original_challenge", challenge),
            WsField::new("signed_challenge", signature.as_str()),
        ];
        Ok(ws_auth(&message, fields, "", &signature, prehash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Method;

    fn credentials() -> Credentials {
        Credentials::new()
            .api_key("my-key")
            .secret("7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9KpT0eMTm")
    }

    #[test]
    fn only_a_leading_derivatives_segment_is_left_unsigned() {
        assert_eq!(endpoint_path("/derivatives/api/v3/sendorder"), "/api/v3/sendorder");
        assert_eq!(endpoint_path("/api/history/v3/executions"), "/api/history/v3/executions");
        assert_eq!(endpoint_path("/derivativesx/api"), "/derivativesx/api");
        assert_eq!(endpoint_path("/api/derivatives/x"), "/api/derivatives/x");
    }

    #[test]
    fn the_docs_fills_example_signs_its_encoded_query() {
        let signer = KrakenFuturesSigner::new(&credentials()).unwrap().without_nonce();
        let request = SignableRequest::new(Method::Get, "/derivatives/api/v3/fills")
            .unwrap()
            .with_query("lastFillTime=2024-06-08T12%3A30%3A45.000Z")
            .unwrap();
        let signed = signer.sign_with(&request, Timestamp::from_unix_millis(0), &SignOptions::new().keep_prehash()).unwrap();
        assert_eq!(
            signed.prehash().unwrap().as_str(),
            Some("lastFillTime=2024-06-08T12%3A30%3A45.000Z/api/v3/fills")
        );
        assert_eq!(
            signed.signature(),
            "Av+s96HX3DdqhN8HAnqajhTSXoObQK+dtAZYxg74dglzjdvqw6/ISceEiJk6zYITawMJfgx3V9mqGXOst3Fo7g=="
        );
        assert_eq!(signed.headers().len(), 2);
    }

    #[test]
    fn requests_signed_within_one_millisecond_get_increasing_nonces() {
        let signer = KrakenFuturesSigner::new(&credentials()).unwrap();
        let request = SignableRequest::new(Method::Get, "/derivatives/api/v3/accounts").unwrap();
        let at = Timestamp::from_unix_millis(1_700_000_000_000);
        let nonces: Vec<String> = (0..3).map(|_| signer.sign(&request, at).unwrap().timestamp().to_owned()).collect();
        assert_eq!(nonces, ["1700000000000", "1700000000001", "1700000000002"]);
    }

    #[test]
    fn a_secret_that_is_not_base64_is_refused_at_construction() {
        let error = KrakenFuturesSigner::new(&Credentials::new().api_key("k").secret("not base64!")).unwrap_err();
        assert!(matches!(error, Error::SecretNotBase64 { scheme: Scheme::KrakenFutures, .. }), "{error:?}");
        assert!(error.to_string().contains("base64"), "{error}");
        assert!(!error.to_string().contains("not base64!"));
    }

    #[test]
    fn a_subscribe_needs_its_challenge_and_one_feed() {
        let signer = KrakenFuturesSigner::new(&credentials()).unwrap();
        let at = Timestamp::from_unix_millis(0);
        assert!(signer.sign_ws(&WsRequest::subscribe(&["fills"], &[]), at).is_err());
        assert!(signer.sign_ws(&WsRequest::subscribe(&["fills", "balances"], &[]).with_data("c"), at).is_err());
        let auth = signer.sign_ws(&WsRequest::subscribe(&["fills"], &[]).with_event("unsubscribe").with_data("c"), at).unwrap();
        assert!(auth.message_json().starts_with(r#"{"event":"unsubscribe","feed":"fills","api_key":"my-key""#));
    }
}
