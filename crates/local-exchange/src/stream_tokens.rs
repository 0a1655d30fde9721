//! The stream tokens the local exchange grants, where an exchange's private stream takes one
//! (its home's [`StreamToken`]): a verified request on the token path (verified like any private
//! call, so a refused one gets the usual rejection and diagnosis) is answered with the home's
//! sample grant carrying a fresh random token, and the stream's own URL on this server where
//! the grant names an endpoint (so a bot that follows the grant connects here, never to the real
//! exchange). A token is tied to the exchange and the key it was granted to, expires after the
//! home's lifetime, and is checked when the stream is shown it: in the connect URL, or in a
//! subscribe. This module names no exchange.
//!
//! Memory is bounded: at most [`MAX_TOKENS_PER_KEY`] live tokens per key and [`MAX_TOKENS`] in
//! all, the oldest forgotten first. A token is never logged; the log of verified requests holds
//! the token request, not the grant.

use std::collections::VecDeque;
use std::sync::Mutex;

use base64::Engine as _;
use http::StatusCode;
use serde_json::{Value, json};

use super::State;
use super::reply::{Reply, Verdict};
use super::verify::RawRequest;
use cexsign::{Scheme, StreamToken, Timestamp, TokenEndpoint};

/// The most live tokens one key holds: a key asking for more forgets its oldest.
pub const MAX_TOKENS_PER_KEY: usize = 16;

/// The most tokens remembered in all.
pub const MAX_TOKENS: usize = 4096;

/// One granted token.
struct Granted {
    token: String,
    scheme: Scheme,
    api_key: String,
    expires: Timestamp,
}

/// The tokens granted and not yet forgotten, oldest first.
#[derive(Default)]
pub(crate) struct StreamTokens {
    granted: Mutex<VecDeque<Granted>>,
}

/// Why a token shown to a stream is refused: said in `cexsign_reason`, never with the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenRefused {
    Missing,
    Unknown,
    OtherExchange,
    Expired,
}

impl TokenRefused {
    pub(crate) fn reason(self, token: &StreamToken) -> String {
        let fetch = format!("fetch a fresh one with a signed POST {} before each connect", token.path);
        match self {
            Self::Missing => format!("no stream token where the stream takes it: {fetch}"),
            Self::Unknown => {
                format!("this stream token was never granted by this exchange (or is long forgotten): {fetch}")
            }
            Self::OtherExchange => format!("this stream token was granted to another exchange's key: {fetch}"),
            Self::Expired => format!(
                "this stream token has expired (a token lives {} s after it is granted): {fetch}",
                token.lifetime.as_secs()
            ),
        }
    }
}

impl StreamTokens {
    /// Remembers a fresh token for `api_key`, forgetting the key's oldest (and the oldest of
    /// all) past the caps.
    fn grant(&self, scheme: Scheme, api_key: &str, token: &StreamToken, now: Timestamp) -> Option<String> {
        let mut bytes = [0_u8; 48];
        getrandom::fill(&mut bytes).ok()?;
        let text = base64::engine::general_purpose::STANDARD.encode(bytes);
        let expires = Timestamp::from_duration_since_epoch(now.duration_since_epoch().saturating_add(token.lifetime));
        let mut granted = self.granted.lock().ok()?;
        let of_key = |g: &Granted| g.scheme == scheme && g.api_key == api_key;
        if granted.iter().filter(|g| of_key(g)).count() >= MAX_TOKENS_PER_KEY {
            if let Some(oldest) = granted.iter().position(of_key) {
                granted.remove(oldest);
            }
        }
        if granted.len() >= MAX_TOKENS {
            granted.pop_front();
        }
        granted.push_back(Granted { token: text.clone(), scheme, api_key: api_key.to_owned(), expires });
        Some(text)
    }

    /// The key a token shown to `scheme`'s stream was granted to.
    pub(crate) fn check(&self, scheme: Scheme, shown: Option<&str>, now: Timestamp) -> Result<String, TokenRefused> {
        let shown = shown.filter(|shown| !shown.is_empty()).ok_or(TokenRefused::Missing)?;
        let granted = self.granted.lock().map_err(|_| TokenRefused::Unknown)?;
        let found = granted.iter().find(|g| g.token == shown).ok_or(TokenRefused::Unknown)?;
        if found.scheme != scheme {
            return Err(TokenRefused::OtherExchange);
        }
        if now > found.expires {
            return Err(TokenRefused::Expired);
        }
        Ok(found.api_key.clone())
    }
}

/// A verified request on `scheme`'s token path answered with a grant; any other reply as it is.
pub(crate) fn serve_verified(state: &State, scheme: Scheme, request: &RawRequest<'_>, reply: Reply) -> Reply {
    let exchange = scheme.exchange();
    let Some(token) = exchange.private_stream.token() else { return reply };
    if reply.verdict != Verdict::Accepted || request.method != "POST" || request.path != token.path {
        return reply;
    }
    let echo: Option<Value> = serde_json::from_str(&reply.body).ok();
    let api_key = echo.as_ref().and_then(|echo| echo["api_key"].as_str()).unwrap_or_default();
    let Ok(mut answer) = serde_json::from_str::<Value>(token.granted) else { return reply };
    let Some(granted) = state.stream_tokens.grant(scheme, api_key, token, state.now()) else { return reply };
    if let Some(at) = answer.pointer_mut(token.token_at) {
        *at = json!(granted);
    }
    let host = request.headers.get(http::header::HOST).and_then(|host| host.to_str().ok());
    if let (TokenEndpoint::In(pointer), Some(host)) = (token.endpoint, host) {
        if let Some(at) = answer.pointer_mut(pointer) {
            *at = json!(format!("ws://{host}{}", exchange.private_stream.path));
        }
    }
    let mut granted = Reply::json(StatusCode::OK, &answer, Verdict::Accepted);
    granted.headers = reply.headers;
    granted
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn kucoin() -> &'static StreamToken {
        Scheme::Kucoin.exchange().private_stream.token().unwrap()
    }

    #[test]
    fn a_token_is_tied_to_its_exchange_and_expires() {
        let tokens = StreamTokens::default();
        let now = Timestamp::from_unix_secs(1_700_000_000);
        let token = tokens.grant(Scheme::Kucoin, "k", kucoin(), now).unwrap();
        assert_eq!(tokens.check(Scheme::Kucoin, Some(&token), now), Ok("k".to_owned()));
        assert_eq!(tokens.check(Scheme::Kraken, Some(&token), now), Err(TokenRefused::OtherExchange));
        assert_eq!(tokens.check(Scheme::Kucoin, Some("x"), now), Err(TokenRefused::Unknown));
        assert_eq!(tokens.check(Scheme::Kucoin, None, now), Err(TokenRefused::Missing));
        let later = Timestamp::from_duration_since_epoch(now.duration_since_epoch() + Duration::from_secs(86_401));
        assert_eq!(tokens.check(Scheme::Kucoin, Some(&token), later), Err(TokenRefused::Expired));
        assert_ne!(tokens.grant(Scheme::Kucoin, "k", kucoin(), now).unwrap(), token, "tokens are random");
    }

    #[test]
    fn a_key_holds_a_bounded_number_of_tokens() {
        let tokens = StreamTokens::default();
        let now = Timestamp::from_unix_secs(1_700_000_000);
        let first = tokens.grant(Scheme::Kucoin, "k", kucoin(), now).unwrap();
        for _ in 0..MAX_TOKENS_PER_KEY {
            tokens.grant(Scheme::Kucoin, "k", kucoin(), now).unwrap();
        }
        assert_eq!(tokens.check(Scheme::Kucoin, Some(&first), now), Err(TokenRefused::Unknown));
        assert_eq!(tokens.granted.lock().unwrap().len(), MAX_TOKENS_PER_KEY);
    }
}
