//! What several exchanges' signers share: prehash layouts, the MAC step, key handling for
//! schemes that take HMAC secrets and private keys, websocket message helpers.

use std::ops::Deref;

use http::HeaderValue;
use serde::Serialize;

#[cfg(feature = "pem-keys")]
use crate::keys::PrivateKey;
use crate::mac::{EncodedMac, Encoding, HmacKey, PrehashParts};
use crate::{Error, Prehash, Scheme, SignOptions, WsAuth, WsField};

/// `timestamp + METHOD + path + ("?" + query) + body`: the layout OKX, KuCoin and Coinbase
/// Exchange share (KuCoin passes its decoded query).
pub(crate) fn timestamp_method_path_query_body<'a>(
    timestamp: &'a str,
    method: &'static str,
    path: &'a str,
    query: &'a str,
    body: &'a [u8],
) -> PrehashParts<'a> {
    PrehashParts::of([timestamp, method, path, query_separator(query), query], body)
}

/// What goes between the path and the query in a prehash: `"?"` when there is a query.
pub(crate) fn query_separator(query: &str) -> &'static str {
    if query.is_empty() { "" } else { "?" }
}

/// MACs the prehash and keeps the prehash if asked.
pub(crate) fn mac(
    key: &HmacKey,
    prehash: PrehashParts<'_>,
    encoding: Encoding,
    options: &SignOptions,
) -> (EncodedMac, Option<Prehash>) {
    let signature = key.sign(&prehash, encoding);
    let kept = options.keeps_prehash().then(|| Prehash::new(prehash.to_vec()));
    (signature, kept)
}

/// A header value built from text the crate produced itself (digits, hex, base64, ISO time).
pub(crate) fn plain_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).expect("timestamps and encoded MACs are visible ASCII")
}

/// The channels of a websocket subscribe, refusing empty names (a message no exchange accepts).
pub(crate) fn channels<'a>(request: &crate::WsRequest<'a>) -> Result<&'a [&'a str], crate::Error> {
    let channels = request.channels();
    if channels.iter().any(|c| c.is_empty()) {
        return Err(crate::Error::InvalidWsRequest {
            problem: "a channel name is empty: name the channel to subscribe to (e.g. \"user\")",
        });
    }
    Ok(channels)
}

/// Serialises a websocket message laid out by a `#[derive(Serialize)]` struct (field order kept).
pub(crate) fn ws_auth<M: Serialize>(
    message: &M,
    fields: Vec<WsField>,
    timestamp: &str,
    signature: &str,
    prehash: Option<Prehash>,
) -> WsAuth {
    let json = serde_json::to_string(message).expect("websocket messages are plain strings and lists");
    WsAuth::new(fields, json, timestamp.to_owned(), signature.to_owned(), prehash)
}

/// A compact JWS (RFC 7515) — `base64url(header) "." base64url(claims) "." base64url(signature)` —
/// as a bearer-token scheme sends it (Coinbase CDP, Upbit).
pub(crate) struct CompactJws {
    /// The token after the prefix it was asked for (`"Bearer "` for a header value): the value to
    /// send is built once, in one buffer.
    text: String,
    // Read by the CDP signer's websocket token (feature `cdp`).
    #[cfg_attr(not(feature = "cdp"), allow(dead_code))]
    prefix_len: usize,
    /// Its third part, the base64url signature (every JWS here is at most 64 bytes: 86 characters).
    pub(crate) signature: arrayvec::ArrayString<128>,
    /// The signing input (the first two parts and their dot), when the options keep it.
    pub(crate) prehash: Option<Prehash>,
}

impl CompactJws {
    /// The prefix and the token, as one value (`Bearer eyJ…`).
    pub(crate) fn into_text(self) -> String {
        self.text
    }

    /// The token alone.
    #[cfg_attr(not(feature = "cdp"), allow(dead_code))]
    pub(crate) fn token(&self) -> &str {
        &self.text[self.prefix_len..]
    }
}

/// The JSON of a JWT part: on the stack, unless it is long (a claim naming a long path).
// The large variant is the point: it lives on the stack for one signature, instead of the heap.
#[allow(clippy::large_enum_variant)]
enum JwsJson {
    Stack(arrayvec::ArrayVec<u8, 768>),
    Heap(Vec<u8>),
}

impl JwsJson {
    fn of<T: Serialize>(value: &T) -> Self {
        let mut stack = arrayvec::ArrayVec::new();
        match serde_json::to_writer(&mut stack, value) {
            Ok(()) => Self::Stack(stack),
            Err(_) => Self::Heap(serde_json::to_vec(value).expect("JWT parts are plain strings and numbers")),
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Self::Stack(bytes) => bytes,
            Self::Heap(bytes) => bytes,
        }
    }
}

/// Signs `header` and `claims`, each serialised as compact JSON in its struct's field order (the
/// layout the exchanges' SDKs write, so tokens are byte-exact with theirs); `sign` turns the
/// signing input into the raw signature. The token is written after `prefix` (`"Bearer "` for a
/// header value) into one buffer of the right size, the JSON on the stack: one allocation.
pub(crate) fn compact_jws<H: Serialize, C: Serialize, S: AsRef<[u8]>>(
    prefix: &str,
    header: &H,
    claims: &C,
    options: &SignOptions,
    sign: impl FnOnce(&[u8]) -> Result<S, Error>,
) -> Result<CompactJws, Error> {
    use base64::Engine as _;
    let b64 = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (header, claims) = (JwsJson::of(header), JwsJson::of(claims));
    let encoded_len = |bytes: &[u8]| bytes.len().div_ceil(3) * 4;
    let mut text = String::with_capacity(
        prefix.len() + encoded_len(header.bytes()) + encoded_len(claims.bytes()) + 2 + MAX_JWS_SIGNATURE,
    );
    text.push_str(prefix);
    b64.encode_string(header.bytes(), &mut text);
    text.push('.');
    b64.encode_string(claims.bytes(), &mut text);
    let input = &text.as_bytes()[prefix.len()..];
    let raw = sign(input)?;
    let prehash = options.keeps_prehash().then(|| Prehash::new(input.to_vec()));
    let mut encoded = [0u8; MAX_JWS_SIGNATURE];
    let signature = b64
        .encode_slice(raw.as_ref(), &mut encoded)
        .ok()
        .and_then(|len| std::str::from_utf8(&encoded[..len]).ok())
        .and_then(|text| arrayvec::ArrayString::from(text).ok())
        .ok_or(Error::InvalidHeaderValue { field: "JWS signature (at most 96 bytes)" })?;
    text.push('.');
    text.push_str(&signature);
    Ok(CompactJws { text, prefix_len: prefix.len(), signature, prehash })
}

/// The longest base64url JWS signature kept inline: 96 bytes (ES256 and Ed25519 sign 64).
const MAX_JWS_SIGNATURE: usize = 128;

/// The secret of an HMAC key, refusing a PEM private key first (the signer was built for the
/// wrong key type: say so, rather than complain about the PEM's line breaks), then a copy damaged
/// by whitespace. Every HMAC signer reads its secret through here. A hex or base64 secret is
/// accepted as it is: where the scheme uses the secret as raw text, those are ordinary secrets
/// (OKX's is hex); [`base64_secret`] judges them where the scheme decodes the secret.
pub(crate) fn hmac_secret<'c>(
    credentials: &'c crate::Credentials,
    scheme: Scheme,
    hint: &'static str,
) -> Result<&'c str, Error> {
    if credentials.require_secret_as_given(scheme)?.trim_start().starts_with("-----BEGIN") {
        return Err(Error::PemGivenAsHmacSecret { scheme, hint });
    }
    credentials.require_secret(scheme)
}

/// The secret of a scheme that base64-decodes it into the HMAC key (Coinbase Exchange, Kraken),
/// decoded into a buffer wiped on drop. Before the generic "not base64", it names what it saw
/// and what to do: a PEM key (`hint`), a whitespace-damaged copy, URL-safe base64 (`-`, `_`),
/// or hex (the API key, or another exchange's secret). `exact_len`: the length the exchange's
/// secrets decode to, where it refuses any other; `None` where it takes any (HMAC does).
pub(crate) fn base64_secret(
    credentials: &crate::Credentials,
    scheme: Scheme,
    hint: &'static str,
    exact_len: Option<usize>,
) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
    use base64::Engine as _;
    let secret = hmac_secret(credentials, scheme, hint)?;
    let expected = "64 bytes";
    let not_base64 = Error::SecretNotBase64 { scheme, expected };
    let decoded = match base64::engine::general_purpose::STANDARD.decode(secret) {
        Ok(decoded) => zeroize::Zeroizing::new(decoded),
        Err(_) => {
            let wrong_form = |seen, fix| Error::SecretInWrongForm { scheme, expected: STANDARD_BASE64, seen, fix };
            if secret.bytes().any(|b| b == b'-' || b == b'_')
                && base64::engine::general_purpose::URL_SAFE.decode(secret).map(zeroize::Zeroizing::new).is_ok()
            {
                return Err(wrong_form(
                    "URL-safe base64 ('-' and '_')",
                    "the exchange shows its secret in standard base64 ('+' and '/'): copy it again from the API-key \
                     page, or replace each '-' with '+' and each '_' with '/'",
                ));
            }
            return Err(not_base64);
        }
    };
    // A hex string is also base64 text: it decodes, to the wrong key. A real secret of 16 or more
    // base64 characters drawn only from 0-9a-f is vanishingly unlikely.
    if secret.len() >= 16 && secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::SecretInWrongForm {
            scheme,
            expected: STANDARD_BASE64,
            seen: "hex",
            fix: "a hex string is an API key (Coinbase Exchange's are 32 hex characters) or another exchange's \
                  secret: did you paste the passphrase or the API key instead, or swap key and secret?",
        });
    }
    if decoded.is_empty() || exact_len.is_some_and(|len| decoded.len() != len) {
        return Err(not_base64);
    }
    Ok(decoded)
}

/// What a base64-decoded secret must be, in an error.
const STANDARD_BASE64: &str = "standard base64 (the 88-character string shown once at key creation)";

/// A credential's documented form, which tells an exchange's API keys from its secrets.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Form {
    /// `8-4-4-4-12` hex digits.
    Uuid,
    /// Exactly this many hex digits.
    Hex(usize),
    /// This prefix, then this many hex digits (Bitget keys: `bg_` and 32).
    PrefixedHex(&'static str, usize),
    /// Standard base64 of exactly this many characters.
    Base64(usize),
}

impl Form {
    fn matches(self, text: &str) -> bool {
        let hex = |text: &str, len: usize| text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit());
        match self {
            Form::Uuid => {
                text.len() == 36
                    && text.split('-').map(str::len).eq([8, 4, 4, 4, 12])
                    && text.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
            }
            Form::Hex(len) => hex(text, len),
            Form::PrefixedHex(prefix, len) => text.strip_prefix(prefix).is_some_and(|rest| hex(rest, len)),
            Form::Base64(len) => {
                text.len() == len && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
            }
        }
    }
}

/// The documented forms of an exchange's API keys and secrets, each with the words that
/// describe it in an error.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyForms {
    pub(crate) key: (Form, &'static str),
    pub(crate) secret: (Form, &'static str),
}

/// Refuses credentials whose API key has the form of the scheme's secrets and whose secret has
/// the form of its keys: the two were swapped. Only both together count, so a key or secret of
/// an unexpected form (a test's `"my-key"`, a future format) is left for the exchange to judge.
pub(crate) fn refuse_swapped(credentials: &crate::Credentials, scheme: Scheme, forms: KeyForms) -> Result<(), Error> {
    use secrecy::ExposeSecret as _;
    let (Some(key), Some(secret)) = (credentials.api_key.as_deref(), credentials.secret.as_ref()) else {
        return Ok(());
    };
    if forms.secret.0.matches(key) && forms.key.0.matches(secret.expose_secret()) {
        return Err(Error::KeyAndSecretSwapped {
            scheme,
            key_looks_like: forms.secret.1,
            secret_looks_like: forms.key.1,
        });
    }
    Ok(())
}

/// The key of a scheme that accepts HMAC secrets and private keys (Binance, Bybit).
#[derive(Debug)]
pub(crate) enum ApiSigningKey {
    /// HMAC-SHA256 over the raw secret, hex on the wire.
    Hmac(HmacKey),
    /// Ed25519 or RSA, base64 on the wire.
    #[cfg(feature = "pem-keys")]
    Private(PrivateKey),
}

/// A signature as produced by an [`ApiSigningKey`]: on the stack for HMAC, on the heap for the
/// (longer) asymmetric signatures.
pub(crate) enum SignatureText {
    Mac(EncodedMac),
    #[cfg(feature = "pem-keys")]
    Text(String),
}

impl Deref for SignatureText {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Self::Mac(mac) => mac,
            #[cfg(feature = "pem-keys")]
            Self::Text(text) => text,
        }
    }
}

impl ApiSigningKey {
    /// An HMAC key from the secret, refusing a PEM key with `hint` (how to build for it).
    pub(crate) fn hmac(credentials: &crate::Credentials, scheme: Scheme, hint: &'static str) -> Result<Self, Error> {
        Ok(Self::Hmac(HmacKey::new(hmac_secret(credentials, scheme, hint)?.as_bytes())))
    }

    /// An Ed25519 key from its PKCS#8 PEM.
    #[cfg(feature = "pem-keys")]
    pub(crate) fn ed25519(credentials: &crate::Credentials, scheme: Scheme) -> Result<Self, Error> {
        Ok(Self::Private(PrivateKey::ed25519_from_pem(scheme, credentials.require_secret_as_given(scheme)?)?))
    }

    /// An RSA key from its PKCS#8 or PKCS#1 PEM.
    #[cfg(feature = "pem-keys")]
    pub(crate) fn rsa(credentials: &crate::Credentials, scheme: Scheme) -> Result<Self, Error> {
        Ok(Self::Private(PrivateKey::rsa_from_pem(scheme, credentials.require_secret_as_given(scheme)?)?))
    }

    /// Signs the prehash (HMAC streams the parts; the asymmetric keys sign them joined) and
    /// keeps the prehash if asked.
    pub(crate) fn sign(
        &self,
        prehash: PrehashParts<'_>,
        options: &SignOptions,
    ) -> Result<(SignatureText, Option<Prehash>), Error> {
        let kept = options.keeps_prehash().then(|| Prehash::new(prehash.to_vec()));
        let signature = match self {
            Self::Hmac(key) => SignatureText::Mac(key.sign(&prehash, Encoding::Hex)),
            #[cfg(feature = "pem-keys")]
            Self::Private(key) => {
                let joined = match &kept {
                    Some(prehash) => std::borrow::Cow::Borrowed(prehash.as_bytes()),
                    None => std::borrow::Cow::Owned(prehash.to_vec()),
                };
                SignatureText::Text(key.sign_base64(&joined)?)
            }
        };
        Ok((signature, kept))
    }

    /// The length of the signature text this key produces (hex HMAC, base64 otherwise).
    pub(crate) fn signature_len(&self) -> usize {
        match self {
            Self::Hmac(_) => 64,
            #[cfg(feature = "pem-keys")]
            Self::Private(key) => key.signature_base64_len(),
        }
    }

    /// Whether signatures are hex (HMAC), which a query or form carries without escaping.
    pub(crate) fn signs_in_hex(&self) -> bool {
        matches!(self, Self::Hmac(_))
    }

    /// Whether this is an Ed25519 key (Binance `session.logon` needs one).
    pub(crate) fn is_ed25519(&self) -> bool {
        match self {
            Self::Hmac(_) => false,
            #[cfg(feature = "pem-keys")]
            Self::Private(key) => matches!(key, PrivateKey::Ed25519(_)),
        }
    }
}

/// The `{"op":"login","args":[{apiKey, passphrase, timestamp, sign}]}` websocket login that OKX
/// and Bitget share: base64 HMAC of `timestamp + "GET" + verify_path`, the timestamp in seconds.
pub(crate) fn op_login(
    key: &HmacKey,
    api_key: &crate::credentials::ApiKey,
    passphrase: &crate::credentials::HeaderSecret,
    timestamp: &str,
    verify_path: &'static str,
    options: &SignOptions,
) -> WsAuth {
    #[derive(Serialize)]
    struct LoginMessage<'a> {
        op: &'static str,
        args: [LoginArgs<'a>; 1],
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct LoginArgs<'a> {
        api_key: &'a str,
        passphrase: &'a str,
        timestamp: &'a str,
        sign: &'a str,
    }

    let prehash = PrehashParts::new().push_str(timestamp).push_str("GET").push_str(verify_path);
    let (signature, prehash) = mac(key, prehash, Encoding::Base64, options);
    let message = LoginMessage {
        op: "login",
        args: [LoginArgs { api_key: api_key.as_str(), passphrase: passphrase.expose(), timestamp, sign: &signature }],
    };
    let fields = vec![
        WsField::new("apiKey", api_key.as_str()),
        WsField::sensitive("passphrase", passphrase.expose()),
        WsField::new("timestamp", timestamp),
        WsField::new("sign", signature.as_str()),
    ];
    ws_auth(&message, fields, timestamp, &signature, prehash)
}
