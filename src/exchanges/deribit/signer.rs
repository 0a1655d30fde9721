//! Deribit API v2: the per-request `deri-hmac-sha256` Authorization header and the websocket
//! `public/auth` login with `grant_type: client_signature`.
//!
//! REST: `hex(HMAC-SHA256(secret, ts + "\n" + nonce + "\n" + METHOD + "\n" + URI + "\n" + body +
//! "\n"))`, the secret used as given, `URI` the path plus `?` and the query exactly as sent, and a
//! newline after the body even when it is empty. The key, the timestamp, the signature and the
//! nonce travel as items of one header:
//! `Authorization: deri-hmac-sha256 id=<client_id>,ts=<ms>,sig=<hex>,nonce=<nonce>`.
//!
//! Websocket (or REST) `public/auth`: `hex(HMAC-SHA256(secret, ts + "\n" + nonce + "\n" + data))`
//! — no method, no URI and no newline after `data`.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use http::HeaderName;
use serde::Serialize;
use serde_json::Value;

use crate::credentials::ApiKey;
use crate::exchanges::common::{hmac_secret, mac, query_separator, ws_auth};
use crate::mac::{Encoding, HmacKey, PrehashParts};
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, TimestampFormat, WireTimestamp,
    WsAuth, WsField, WsRequest,
};

static AUTHORIZATION: HeaderName = http::header::AUTHORIZATION;

/// The name of Deribit's Authorization scheme.
pub(crate) const AUTH_SCHEME: &str = "deri-hmac-sha256";

/// Signs Deribit requests (`www.deribit.com` and `test.deribit.com`, paths `/api/v2/private/…`)
/// with the `deri-hmac-sha256` Authorization header, and the websocket `public/auth` login with a
/// `client_signature`.
///
/// Each request carries a nonce of the client's choosing: a fresh one unless
/// [`SignOptions::with_nonce`] gives it (tests and vectors only: Deribit wants a new one per
/// request).
///
/// ```
/// use cexsign::{Credentials, DeribitSigner, Method, SignOptions, SignableRequest, Signer, Timestamp, WsRequest};
/// // Deribit's documented client_signature example ("Authentication": client_id AMANDA).
/// let signer = DeribitSigner::new(&Credentials::new().api_key("AMANDA").secret("AMANDASECRECT"))?;
/// let at = Timestamp::from_unix_millis(1_576_074_319_000);
/// let options = SignOptions::new().with_nonce("1iqt2wls");
/// let login = signer.sign_ws_with(&WsRequest::login(), at, &options)?;
/// assert_eq!(login.signature(), "56590594f97921b09b18f166befe0d1319b198bbcdad7ca73382de2f88fe9aa1");
///
/// // The same key and instant on REST (AUTH-breadth.md's worked example).
/// let request = SignableRequest::new(Method::Get, "/api/v2/private/get_account_summary")?.with_query("currency=BTC")?;
/// let signed = signer.sign_with(&request, at, &options)?;
/// assert_eq!(
///     signed.header("Authorization").unwrap(),
///     "deri-hmac-sha256 id=AMANDA,ts=1576074319000,sig=9bfbc51a2bc372d72cc396cf1a213dc78d42eb74cb7dc272351833ad0de276ab,nonce=1iqt2wls"
/// );
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct DeribitSigner {
    api_key: ApiKey,
    key: HmacKey,
    headers: HeaderLayout,
}

impl DeribitSigner {
    /// Checks the credentials (the client id as the API key, the client secret; no passphrase)
    /// and keys the HMAC once. The client id is refused when it cannot be an item of the
    /// Authorization header (a `,`, `=` or space in it).
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let scheme = Scheme::Deribit;
        let api_key = credentials.require_api_key(scheme)?;
        if !is_item_value(api_key.as_str()) {
            return Err(Error::InvalidAuthValue {
                scheme,
                field: "API key",
                problem: "the client id goes into the Authorization header as id=<client_id>, so it cannot hold `,`, \
                          `=` or spaces: copy the Client Id from the API page (8 letters and digits), not the \
                          secret or a whole line",
            });
        }
        let secret =
            hmac_secret(credentials, scheme, "Deribit HMAC keys sign with the Client Secret, not a private key")?;
        let headers = HeaderLayout::new([(&AUTHORIZATION, HeaderSource::Token)]);
        Ok(Self { api_key, key: HmacKey::new(secret.as_bytes()), headers })
    }

    /// The nonce to sign with: the one given, checked, or a fresh one.
    fn nonce(options: &SignOptions) -> Result<String, Error> {
        match options.nonce() {
            Some(nonce) if is_item_value(nonce) => Ok(nonce.to_owned()),
            Some(_) => Err(Error::InvalidAuthValue {
                scheme: Scheme::Deribit,
                field: "nonce",
                problem: "the nonce is sent as nonce=<nonce> in the Authorization header: use letters and digits \
                          only, never empty",
            }),
            None => Ok(fresh_nonce()),
        }
    }
}

/// Whether `value` can be an item's value in the Authorization header: visible ASCII, none of the
/// separators `,` and `=`.
pub(crate) fn is_item_value(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic() && b != b',' && b != b'=')
}

/// A nonce no other request of this process signs: a counter, scrambled with the standard
/// library's randomly keyed SipHash so that two processes do not send the same sequence. Deribit
/// asks for a nonce per request, not for an unguessable one; the core reads no clock.
fn fresh_nonce() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    format!("{:016x}", hasher.finish())
}

#[derive(Serialize)]
struct AuthMessage<'a> {
    jsonrpc: &'static str,
    id: Value,
    method: &'static str,
    params: AuthParams<'a>,
}

#[derive(Serialize)]
struct AuthParams<'a> {
    grant_type: &'static str,
    client_id: &'a str,
    /// An integer, as the docs say (a string is a classic mistake).
    timestamp: u64,
    signature: &'a str,
    nonce: &'a str,
    data: &'a str,
}

impl Signer for DeribitSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Deribit
    }

    /// `ts`: integer Unix milliseconds.
    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixMillis
    }

    /// The `Authorization: deri-hmac-sha256 id=…,ts=…,sig=…,nonce=…` header (ccxt's item order).
    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let ts = timestamp.text_in(self.rest_timestamp_format())?;
        let nonce = Self::nonce(options)?;
        let (method, path, query) = (request.method().as_str(), request.path(), request.query());
        let head = [ts, "\n", &nonce, "\n", method, "\n", path, query_separator(query), query, "\n"].concat();
        let prehash = PrehashParts::new().push_str(&head).push(request.body()).push_str("\n");
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Hex, options);
        let mut signed = SignedRequest::new(ts, &signature, prehash, &self.headers);
        let id = self.api_key.as_str();
        signed.set_token(format!("{AUTH_SCHEME} id={id},ts={ts},sig={},nonce={nonce}", signature.as_str()));
        Ok(signed)
    }

    /// `{"jsonrpc":"2.0","id":…,"method":"public/auth","params":{"grant_type":"client_signature",
    /// "client_id","timestamp","signature","nonce","data"}}`; the id is the request's (`1` by
    /// default), `data` [`WsRequest::with_data`]'s (empty by default).
    fn sign_ws_at(&self, request: &WsRequest<'_>, timestamp: &WireTimestamp, options: &SignOptions) -> Result<WsAuth, Error> {
        let ts = timestamp.text_in(self.ws_timestamp_format())?;
        let nonce = Self::nonce(options)?;
        let data = request.data().unwrap_or("");
        let ts_number: u64 = ts.parse().map_err(|_| Error::TimestampOutOfRange { format: "Unix milliseconds" })?;
        let prehash = PrehashParts::new().push_str(ts).push_str("\n").push_str(&nonce).push_str("\n").push_str(data);
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Hex, options);
        let id = match request.id() {
            None => Value::from(1),
            Some(id) => id.parse::<u64>().map_or_else(|_| Value::from(id), Value::from),
        };
        let message = AuthMessage {
            jsonrpc: "2.0",
            id,
            method: "public/auth",
            params: AuthParams {
                grant_type: "client_signature",
                client_id: self.api_key.as_str(),
                timestamp: ts_number,
                signature: &signature,
                nonce: &nonce,
                data,
            },
        };
        let fields = vec![
            WsField::new("client_id", self.api_key.as_str()),
            WsField::new("timestamp", ts),
            WsField::new("nonce", nonce.as_str()),
            WsField::new("data", data),
            WsField::new("signature", signature.as_str()),
        ];
        Ok(ws_auth(&message, fields, ts, &signature, prehash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Method, Timestamp};

    fn amanda() -> DeribitSigner {
        DeribitSigner::new(&Credentials::new().api_key("AMANDA").secret("AMANDASECRECT")).unwrap()
    }

    fn at(text: &str) -> WireTimestamp {
        WireTimestamp::parse(TimestampFormat::UnixMillis, text).unwrap()
    }

    /// AUTH-breadth.md §5's worked example (Deribit's documented client_signature example, and
    /// the same key on REST).
    #[test]
    fn documented_examples() {
        let options = SignOptions::new().keep_prehash().with_nonce("1iqt2wls");
        let login = amanda().sign_ws_at(&WsRequest::login(), &at("1576074319000"), &options).unwrap();
        assert_eq!(login.prehash().unwrap().as_str(), Some("1576074319000\n1iqt2wls\n"));
        assert_eq!(login.signature(), "56590594f97921b09b18f166befe0d1319b198bbcdad7ca73382de2f88fe9aa1");
        let request = SignableRequest::new(Method::Get, "/api/v2/private/get_account_summary")
            .unwrap()
            .with_query("currency=BTC")
            .unwrap();
        let signed = amanda().sign_at(&request, &at("1576074319000"), &options).unwrap();
        assert_eq!(
            signed.prehash().unwrap().as_str(),
            Some("1576074319000\n1iqt2wls\nGET\n/api/v2/private/get_account_summary?currency=BTC\n\n")
        );
        assert_eq!(signed.signature(), "9bfbc51a2bc372d72cc396cf1a213dc78d42eb74cb7dc272351833ad0de276ab");
        assert_eq!(signed.timestamp(), "1576074319000");
    }

    #[test]
    fn each_request_gets_its_own_nonce() {
        let request = SignableRequest::new(Method::Get, "/api/v2/private/get_positions").unwrap();
        let now = Timestamp::from_unix_millis(1_700_000_000_000);
        let first = amanda().sign(&request, now).unwrap();
        let second = amanda().sign(&request, now).unwrap();
        assert_ne!(first.header("authorization"), second.header("authorization"));
        assert_ne!(first.signature(), second.signature());
        let login = amanda().sign_ws(&WsRequest::login(), now).unwrap();
        assert!(is_item_value(login.field("nonce").unwrap()));
    }

    #[test]
    fn the_login_carries_its_data_and_an_integer_timestamp() {
        let options = SignOptions::new().with_nonce("n1");
        let request = WsRequest::login().with_data("session one").with_id("7");
        let login = amanda().sign_ws_at(&request, &at("1576074319000"), &options).unwrap();
        let message: Value = serde_json::from_str(login.message_json()).unwrap();
        assert_eq!(message["id"], 7);
        assert_eq!(message["params"]["timestamp"], 1_576_074_319_000_u64);
        assert_eq!(message["params"]["data"], "session one");
        assert_eq!(login.field("data"), Some("session one"));
    }

    #[test]
    fn credentials_and_nonces_that_cannot_be_header_items_are_refused() {
        for key in ["AMA,NDA", "id=AMANDA"] {
            let err = DeribitSigner::new(&Credentials::new().api_key(key).secret("AMANDASECRECT")).unwrap_err();
            assert!(matches!(err, Error::InvalidAuthValue { field: "API key", .. }), "{err}");
            assert!(err.to_string().contains("Client Id"), "{err}");
        }
        let request = SignableRequest::new(Method::Get, "/api/v2/private/get_positions").unwrap();
        let err = amanda().sign_at(&request, &at("1576074319000"), &SignOptions::new().with_nonce("a,b")).unwrap_err();
        assert!(matches!(err, Error::InvalidAuthValue { field: "nonce", .. }), "{err}");
        let err = amanda().sign_at(&request, &at("1576074319000"), &SignOptions::new().with_nonce("")).unwrap_err();
        assert!(err.to_string().contains("never empty"), "{err}");
        let pem = Credentials::new().api_key("AMANDA").secret("-----BEGIN PRIVATE KEY-----\nMC4CAQAw\n-----END PRIVATE KEY-----\n");
        assert!(matches!(DeribitSigner::new(&pem), Err(Error::PemGivenAsHmacSecret { .. })));
        let seconds = WireTimestamp::parse(TimestampFormat::UnixSeconds, "1576074319").unwrap();
        assert!(amanda().sign_at(&request, &seconds, &SignOptions::new()).is_err());
    }

    /// The method is the typed [`Method`]: a lower-case one from a string is signed upper case,
    /// as Deribit expects (ccxt signs `get` as given, a recorded bug).
    #[test]
    fn a_lower_case_method_is_signed_upper_case() {
        let options = SignOptions::new().with_nonce("1iqt2wls");
        let method: Method = "get".parse().unwrap();
        let request = SignableRequest::new(method, "/api/v2/private/get_account_summary")
            .unwrap()
            .with_query("currency=BTC")
            .unwrap();
        let signed = amanda().sign_at(&request, &at("1576074319000"), &options).unwrap();
        assert_eq!(signed.signature(), "9bfbc51a2bc372d72cc396cf1a213dc78d42eb74cb7dc272351833ad0de276ab");
    }
}
