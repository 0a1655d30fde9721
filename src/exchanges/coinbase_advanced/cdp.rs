//! Coinbase CDP API keys: a short-lived JWT per request, `Authorization: Bearer <jwt>`.
//!
//! ES256 (P-256, raw `r‖s`) for ECDSA keys and EdDSA (Ed25519) for the portal's default keys.
//! The token is laid out exactly as the official SDK lays it out: header
//! `{"alg","kid","nonce","typ"}`, claims `{"sub","iss":"cdp","nbf","exp","uri"}` with
//! `uri = METHOD + " " + host + path` (never the query). Websocket tokens have no `uri`.
//! The key is parsed once, at construction; each token gets a fresh random nonce.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::exchanges::common::{CompactJws, compact_jws, ws_auth};
use crate::credentials::ApiKey;
use crate::request::validate_host;
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, TimestampFormat,
    WireTimestamp, WsAuth, WsField, WsRequest,
};

/// The kind of CDP key, as the JWT `alg` names it.
///
/// `#[non_exhaustive]`: Coinbase may add key algorithms; a `match` needs a `_` arm.
///
/// ```compile_fail,E0004
/// fn alg(kind: cexsign::CdpKeyType) -> &'static str {
///     match kind {
///         cexsign::CdpKeyType::Es256 => "ES256",
///         cexsign::CdpKeyType::EdDsa => "EdDSA",
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[cfg_attr(docsrs, doc(cfg(feature = "cdp")))]
pub enum CdpKeyType {
    /// ECDSA P-256 with SHA-256 (`ES256`); the key name is `organizations/{org}/apiKeys/{id}`.
    Es256,
    /// Ed25519 (`EdDSA`), the CDP portal's default; the key name is a UUID.
    EdDsa,
}

impl CdpKeyType {
    /// The JWT `alg` value.
    pub const fn alg(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }
}

enum SigningKey {
    Es256(ring::signature::EcdsaKeyPair),
    EdDsa(ed25519_dalek::SigningKey),
}

/// Signs requests with a Coinbase CDP key (Advanced Trade, Coinbase App v2, CDP platform).
///
/// The secret may be a SEC1 or PKCS#8 PEM (ECDSA), or for Ed25519 the base64 of 64 bytes
/// (seed then public key, as the portal shows it), the base64 of a 32-byte seed, or a PKCS#8
/// PEM. Literal `\n` sequences, as found in `.env` files, are turned into newlines first.
///
/// ```
/// use cexsign::{CoinbaseCdpSigner, Credentials, Method, SignOptions, SignableRequest, Signer, Timestamp};
/// let signer = CoinbaseCdpSigner::new(
///     &Credentials::new()
///         .api_key("22222222-2222-4222-8222-222222222222")
///         .secret("rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA=="),
/// )?;
/// let request = SignableRequest::new(Method::Get, "/api/v3/brokerage/accounts")?;
/// // A headers nonce makes the token reproducible; leave it out in real use.
/// let options = SignOptions::new().with_nonce("00000000000000000000000000000000ffffffffffffffffffffffffffffffff");
/// let signed = signer.sign_with(&request, Timestamp::from_unix_secs(1_700_000_000), &options)?;
/// assert_eq!(
///     signed.signature(),
///     "comk7uEPgEZoSRRtuKCYv1sI7AuFB_WOrbt8jeRpuBumUk9Egcwo7V7v0_8bjd8FqRGz4IZ1hEcknm9-5_vFAg"
/// );
/// # Ok::<(), cexsign::Error>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "cdp")))]
pub struct CoinbaseCdpSigner {
    key_name: ApiKey,
    key: SigningKey,
    rng: SystemRandom,
    host: String,
    expires_in: u64,
    headers: HeaderLayout,
}

const DEFAULT_HOST: &str = "api.coinbase.com";
const DEFAULT_EXPIRY_SECS: u64 = 120;

impl CoinbaseCdpSigner {
    /// Parses the key once. The API key is the key name (`organizations/…/apiKeys/…` for ECDSA
    /// keys, a UUID for Ed25519 keys); the secret is the private key.
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let scheme = Scheme::CoinbaseCdp;
        let key_name = credentials.require_api_key(scheme)?;
        let key = parse_key(credentials.require_secret_as_given(scheme)?)?;
        Ok(Self {
            key_name,
            key,
            rng: SystemRandom::new(),
            host: DEFAULT_HOST.to_owned(),
            expires_in: DEFAULT_EXPIRY_SECS,
            headers: HeaderLayout::new([(&AUTHORIZATION, HeaderSource::Token)]),
        })
    }

    /// The host put in the `uri` claim when the request names none (default `api.coinbase.com`).
    pub fn with_host(mut self, host: &str) -> Result<Self, Error> {
        validate_host(host)?;
        self.host = host.to_owned();
        Ok(self)
    }

    /// Token lifetime: `exp = nbf + expires_in` (default 120 s, Coinbase's maximum). Whole
    /// seconds, at least one.
    pub fn with_expires_in(mut self, expires_in: Duration) -> Result<Self, Error> {
        if expires_in.as_secs() == 0 {
            return Err(Error::InvalidCdpKey { problem: "token lifetime must be at least one second" });
        }
        self.expires_in = expires_in.as_secs();
        Ok(self)
    }

    /// Whether the key is ES256 or EdDSA.
    pub fn key_type(&self) -> CdpKeyType {
        match self.key {
            SigningKey::Es256(_) => CdpKeyType::Es256,
            SigningKey::EdDsa(_) => CdpKeyType::EdDsa,
        }
    }

    /// The public key: uncompressed SEC1 point (65 bytes) for ES256, 32 bytes for Ed25519.
    pub fn public_key(&self) -> Vec<u8> {
        match &self.key {
            SigningKey::Es256(pair) => ring::signature::KeyPair::public_key(pair).as_ref().to_vec(),
            SigningKey::EdDsa(key) => key.verifying_key().to_bytes().to_vec(),
        }
    }

    /// The JWT, after `prefix` (`"Bearer "` for the header value, `""` for a websocket field).
    fn token(
        &self,
        prefix: &str,
        timestamp: &WireTimestamp,
        uri: Option<TokenUri<'_>>,
        options: &SignOptions,
    ) -> Result<Token, Error> {
        let nbf_text = arrayvec::ArrayString::from(timestamp.text_in(TimestampFormat::UnixSeconds)?)
            .map_err(|_| Error::TimestampOutOfRange { format: "a JWT nbf" })?;
        let nbf = timestamp.instant().unix_secs();
        let mut random_nonce = [0u8; 64];
        let nonce = match options.nonce() {
            Some(nonce) => nonce,
            None => self.random_nonce(&mut random_nonce)?,
        };
        let header = JwtHeader { alg: self.key_type().alg(), kid: self.key_name.as_str(), nonce, typ: "JWT" };
        let claims = JwtClaims {
            sub: self.key_name.as_str(),
            iss: "cdp",
            nbf,
            exp: nbf.checked_add(self.expires_in).ok_or(Error::TimestampOutOfRange { format: "a JWT expiry" })?,
            uri,
        };
        let jws = compact_jws(prefix, &header, &claims, options, |input| self.sign_bytes(input))?;
        Ok(Token { nbf: nbf_text, jws })
    }

    /// The raw signature, on the stack (64 bytes for both key types).
    fn sign_bytes(&self, message: &[u8]) -> Result<arrayvec::ArrayVec<u8, 64>, Error> {
        let mut out = arrayvec::ArrayVec::new();
        let too_long = |_| Error::InvalidCdpKey { problem: "the signature is longer than 64 bytes" };
        match &self.key {
            SigningKey::Es256(pair) => {
                let signature = pair
                    .sign(&self.rng, message)
                    .map_err(|_| Error::InvalidCdpKey { problem: "the system random source failed while signing" })?;
                out.try_extend_from_slice(signature.as_ref()).map_err(too_long)?;
            }
            SigningKey::EdDsa(key) => {
                out.try_extend_from_slice(&ed25519_dalek::Signer::sign(key, message).to_bytes()).map_err(too_long)?;
            }
        }
        Ok(out)
    }

    /// A fresh random nonce, 64 hex characters written into `out`.
    fn random_nonce<'o>(&self, out: &'o mut [u8; 64]) -> Result<&'o str, Error> {
        let mut bytes = [0u8; 32];
        self.rng
            .fill(&mut bytes)
            .map_err(|_| Error::InvalidCdpKey { problem: "the system random source failed while making a nonce" })?;
        hex::encode_to_slice(bytes, out).map_err(|_| Error::InvalidCdpKey { problem: "the nonce buffer" })?;
        std::str::from_utf8(out).map_err(|_| Error::InvalidCdpKey { problem: "the nonce buffer" })
    }
}

struct Token {
    nbf: arrayvec::ArrayString<32>,
    jws: CompactJws,
}

/// The `uri` claim, `METHOD host path`, written straight into the claims' JSON.
#[derive(Clone, Copy)]
struct TokenUri<'a> {
    method: &'static str,
    host: &'a str,
    path: &'a str,
}

impl Serialize for TokenUri<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{} {}{}", self.method, self.host, self.path))
    }
}

impl fmt::Debug for CoinbaseCdpSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoinbaseCdpSigner")
            .field("key_name", &self.key_name)
            .field("key_type", &self.key_type())
            .field("private_key", &"[REDACTED]")
            .field("host", &self.host)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

#[derive(Serialize)]
struct JwtHeader<'a> {
    alg: &'static str,
    kid: &'a str,
    nonce: &'a str,
    typ: &'static str,
}

#[derive(Serialize)]
struct JwtClaims<'a> {
    sub: &'a str,
    iss: &'static str,
    nbf: u64,
    exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<TokenUri<'a>>,
}

#[derive(Serialize)]
struct SubscribeMessage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    product_ids: &'a [&'a str],
    channel: &'a str,
    jwt: &'a str,
}

#[derive(Serialize)]
struct JwtOnly<'a> {
    jwt: &'a str,
}

static AUTHORIZATION: http::HeaderName = http::header::AUTHORIZATION;

impl Signer for CoinbaseCdpSigner {
    fn scheme(&self) -> Scheme {
        Scheme::CoinbaseCdp
    }

    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixSeconds
    }

    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let host = request.host().unwrap_or(&self.host);
        let uri = TokenUri { method: request.method().as_str(), host, path: request.path() };
        let Token { nbf, mut jws } = self.token("Bearer ", timestamp, Some(uri), options)?;
        let mut signed = SignedRequest::new(&nbf, &jws.signature, jws.prehash.take(), &self.headers);
        // Base64url parts and dots: a valid header value.
        signed.set_token(jws.into_text());
        Ok(signed)
    }

    /// A token without `uri`: in a `subscribe` message when one channel is given, alone as
    /// `{"jwt": ...}` when none is.
    fn sign_ws_at(
        &self,
        request: &WsRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let Token { nbf, mut jws } = self.token("", timestamp, None, options)?;
        let prehash = jws.prehash.take();
        let fields = vec![WsField::sensitive("jwt", jws.token())];
        let jwt = jws.token();
        match crate::exchanges::common::channels(request)? {
            [] => Ok(ws_auth(&JwtOnly { jwt }, fields, &nbf, &jws.signature, prehash)),
            [channel] => {
                let message = SubscribeMessage { kind: "subscribe", product_ids: request.product_ids(), channel, jwt };
                Ok(ws_auth(&message, fields, &nbf, &jws.signature, prehash))
            }
            _ => Err(Error::InvalidWsRequest {
                problem: "Coinbase Advanced Trade takes exactly one channel per subscribe message; send one message per channel",
            }),
        }
    }
}

fn parse_key(secret: &str) -> Result<SigningKey, Error> {
    let normalised = crate::keys::normalise_pem(secret);
    let text = normalised.trim();
    if text.starts_with("-----BEGIN EC PRIVATE KEY-----") {
        let key = p256::SecretKey::from_pem(text).map_err(|_| Error::InvalidCdpKey {
            problem: "the EC PRIVATE KEY PEM did not parse as a P-256 key: paste the whole privateKey value from the key file, BEGIN and END lines included",
        })?;
        es256_key(&key)
    } else if text.starts_with("-----BEGIN PRIVATE KEY-----") {
        if let Ok(key) = p256::SecretKey::from_pem(text) {
            return es256_key(&key);
        }
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(text).map_err(|_| Error::InvalidCdpKey {
            problem: "the PRIVATE KEY PEM is neither a P-256 nor an Ed25519 PKCS#8 key",
        })?;
        Ok(SigningKey::EdDsa(key))
    } else if text.starts_with("-----BEGIN") {
        Err(Error::InvalidCdpKey {
            problem: "unsupported PEM type: expected 'EC PRIVATE KEY' or 'PRIVATE KEY' (a PUBLIC KEY cannot sign; use the privateKey field of the key file)",
        })
    } else {
        ed25519_from_base64(text)
    }
}

fn es256_key(key: &p256::SecretKey) -> Result<SigningKey, Error> {
    let scalar = Zeroizing::new(<[u8; 32]>::from(key.to_bytes()));
    let public = key.public_key().to_sec1_bytes();
    ring::signature::EcdsaKeyPair::from_private_key_and_public_key(
        &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        scalar.as_slice(),
        &public,
        &SystemRandom::new(),
    )
    .map(SigningKey::Es256)
    .map_err(|_| Error::InvalidCdpKey { problem: "the P-256 key was rejected by the signer" })
}

fn ed25519_from_base64(text: &str) -> Result<SigningKey, Error> {
    let mut compact = Zeroizing::new(String::with_capacity(text.len()));
    compact.extend(text.chars().filter(|c| !c.is_whitespace()));
    let bytes = Zeroizing::new(base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()).map_err(|_| {
        Error::InvalidCdpKey {
            problem: "the secret is neither a PEM key nor base64: paste the privateKey value of the key file (an ECDSA PEM, or the 88-character base64 Ed25519 key)",
        }
    })?);
    match bytes.len() {
        32 => {
            let seed: &[u8; 32] = bytes.as_slice().try_into().expect("length checked");
            Ok(SigningKey::EdDsa(ed25519_dalek::SigningKey::from_bytes(seed)))
        }
        64 => {
            let pair: &[u8; 64] = bytes.as_slice().try_into().expect("length checked");
            ed25519_dalek::SigningKey::from_keypair_bytes(pair).map(SigningKey::EdDsa).map_err(|_| {
                Error::InvalidCdpKey {
                    problem: "the 64-byte Ed25519 key's second half is not the public key of its first half (seed): the key was truncated or altered",
                }
            })
        }
        _ => Err(Error::InvalidCdpKey {
            problem: "the base64 secret must decode to 32 bytes (an Ed25519 seed) or 64 bytes (seed then public key); it is another length",
        }),
    }
}
