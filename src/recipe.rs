//! A scheme's REST signature as data: a [`Recipe`], and the generic evaluator that follows it.
//!
//! Most exchanges sign a REST request the same way: they concatenate a few *parts* of the request
//! (the timestamp, the method, the path, the query, the body, fixed separators, ...) into a
//! prehash, key a MAC with the secret (as text, or base64-decoded), and write the MAC in hex or
//! base64. Each exchange's home publishes that recipe once, in its
//! [`Exchange`](crate::Exchange) description; [`Recipe::evaluate`] follows any recipe.
//!
//! The hand-tuned signers stay the fast path; the recipes are what the engines read (a diagnosis
//! describes a mistake as a change of the recipe), and a test checks every signer against its
//! recipe on every conformance vector.
//!
//! ```
//! use cexsign::recipe::{KeyKind, RecipeInputs};
//! use cexsign::{Credentials, Method, Scheme, SignableRequest, TimestampFormat, WireTimestamp};
//!
//! let recipe = Scheme::Okx.exchange().recipe.as_ref().expect("OKX signs a recipe");
//! let credentials = Credentials::new()
//!     .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
//!     .secret("22582BD0CFF14C41EDBF1AB98506286D");
//! let request = SignableRequest::new(Method::Get, "/api/v5/account/balance")?.with_query("ccy=BTC")?;
//! let timestamp = WireTimestamp::parse(TimestampFormat::Iso8601Millis, "2020-12-08T09:08:57.715Z")?;
//! let inputs = RecipeInputs::new(Scheme::Okx, &request, &timestamp, &credentials);
//!
//! let signed = recipe.evaluate(&inputs, KeyKind::Hmac)?;
//! assert_eq!(signed.prehash, b"2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC");
//! assert_eq!(signed.signature, "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=");
//! # Ok::<(), cexsign::Error>(())
//! ```
//!
//! Coinbase CDP keys sign a JWT, which is not a recipe: its description says why
//! ([`NotARecipe`]).

use std::fmt;

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use secrecy::ExposeSecret as _;
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

use crate::{Credentials, Error, Scheme, SignableRequest, TimestampFormat, WireTimestamp};

/// How one scheme signs a REST request: the prehash's parts, in order, and how each kind of key
/// the scheme accepts turns the prehash into the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recipe {
    /// The timestamp formats the scheme accepts; the first is the one its signer writes.
    pub timestamps: &'static [TimestampFormat],
    /// Where the timestamp travels: a header, or a parameter of the request itself (Binance's
    /// `timestamp`, Kraken's `nonce`), where it is signed as part of the query or body.
    pub timestamp_in: Carrier,
    /// The prehash, part after part, concatenated with nothing in between.
    pub parts: &'static [Part],
    /// How each kind of key signs the prehash; the first is the scheme's default key.
    pub keys: &'static [Signing],
    /// Where the signature travels: a header, or a parameter appended last to the request
    /// (Binance's `signature`: to the body when there is one, else to the query; percent-encoded).
    pub signature_in: Carrier,
}

/// Where a value travels in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Carrier {
    /// In an auth header.
    Header,
    /// As the named parameter of the query or form body (or member of a JSON body).
    Parameter(&'static str),
}

/// One part of a prehash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// The timestamp, exactly as sent.
    Timestamp,
    /// The method, upper case.
    Method,
    /// The path, as sent (starting with `/`).
    Path,
    /// The path as sent without this leading segment (`/derivatives`): whole when it does not
    /// start with the segment followed by `/` or nothing (see [`path_without_prefix`]).
    PathWithoutPrefix(&'static str),
    /// The query, without `?`; nothing when the request has none.
    Query {
        /// As sent, or percent-decoded.
        form: QueryForm,
        /// Whether a `?` goes before it (only when there is a query).
        question_mark: bool,
    },
    /// The body, exactly as sent (nothing when there is none).
    Body,
    /// The query as sent for a GET or a request without a body; the body otherwise (Bybit).
    QueryOrBody,
    /// Fixed text: a separator (`"\n"`) or a constant.
    Literal(&'static str),
    /// The API key.
    ApiKey,
    /// The key's passphrase from its credentials, where it is signed rather than sent (BitMart's
    /// memo).
    Passphrase,
    /// The receive window, as sent in its header (Bybit's `X-BAPI-RECV-WINDOW`).
    RecvWindow,
    /// A nonce the client chooses per request, as sent under this auth name (Deribit's `nonce`
    /// item of its `Authorization` header).
    Nonce(&'static str),
    /// A layout that depends on the request's path, as the recipe's only part (an exchange
    /// whose APIs, told apart by path, sign differently with one key: MEXC's spot `/api/v3/` and
    /// contract `/api/v1/`). See [`Recipe::for_path`].
    ByPath(&'static ByPath),
    /// The digest of other parts: Gate's hex SHA-512 of the body, Kraken's raw SHA-256 of
    /// nonce and body.
    Digest {
        /// The hash function.
        hash: Hash,
        /// Raw bytes or lower-case hex.
        output: DigestOutput,
        /// What is hashed.
        of: &'static [Part],
    },
}

/// How a query enters a prehash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueryForm {
    /// Exactly as sent, percent-encoding included.
    AsSent,
    /// Form-decoded (`+` and `%20` become a space, `%XX` its byte), order kept: see
    /// [`decode_query`](crate::decode_query).
    Decoded,
}

/// The two layouts of a [`Part::ByPath`]: one for requests under a path prefix, with the auth
/// names they carry there, and one for every other request (which carries the exchange's
/// [`rest_auth`](crate::Exchange::rest_auth)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ByPath {
    /// The path prefix that picks [`then`](Self::then).
    pub prefix: &'static str,
    /// How a request under `prefix` is signed.
    pub then: Recipe,
    /// Where a request under `prefix` carries its key, signature and timestamp.
    pub then_auth: crate::exchange::AuthNames,
    /// How any other request is signed.
    pub otherwise: Recipe,
}

impl ByPath {
    /// The layout of a request to `path`.
    pub fn pick(&self, path: &str) -> &Recipe {
        if path.starts_with(self.prefix) { &self.then } else { &self.otherwise }
    }
}

/// A hash function of a [`Part::Digest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hash {
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

/// How a [`Part::Digest`] is written into the prehash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigestOutput {
    /// The digest's raw bytes (the prehash is then binary).
    Raw,
    /// Lower-case hex.
    Hex,
}

/// How one kind of key turns a prehash into the signature on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signing {
    /// What the secret is.
    pub secret: SecretForm,
    /// The MAC or signature algorithm.
    pub algorithm: Algorithm,
    /// How the result is written.
    pub encoding: SignatureEncoding,
}

impl Signing {
    /// An HMAC key: the secret's text keys `algorithm`, written as `encoding`.
    pub const fn hmac(algorithm: Algorithm, encoding: SignatureEncoding) -> Self {
        Self { secret: SecretForm::Text, algorithm, encoding }
    }

    /// An HMAC key whose secret is base64-decoded first.
    pub const fn hmac_base64_secret(algorithm: Algorithm, encoding: SignatureEncoding) -> Self {
        Self { secret: SecretForm::Base64, algorithm, encoding }
    }

    /// An asymmetric key given as a PKCS#8 (or, for RSA, PKCS#1) PEM private key, base64 on the
    /// wire.
    pub const fn pem(algorithm: Algorithm) -> Self {
        Self { secret: SecretForm::Pem, algorithm, encoding: SignatureEncoding::Base64 }
    }
}

/// What a secret is, and so how it becomes key bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretForm {
    /// Its own UTF-8 bytes, even when it looks like hex or base64.
    Text,
    /// Standard base64, decoded (Coinbase Exchange, Kraken).
    Base64,
    /// A PEM private key.
    Pem,
}

/// A MAC or signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC-SHA256.
    HmacSha256,
    /// HMAC-SHA512.
    HmacSha512,
    /// HMAC-SHA384 (SHA-512 truncated to 48 bytes, with its own initial values).
    HmacSha384,
    /// Ed25519 (deterministic).
    Ed25519,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (deterministic).
    RsaPkcs1Sha256,
}

impl Algorithm {
    /// The kind of key that signs with it.
    pub const fn key_kind(self) -> KeyKind {
        match self {
            Self::HmacSha256 | Self::HmacSha384 | Self::HmacSha512 => KeyKind::Hmac,
            Self::Ed25519 => KeyKind::Ed25519,
            Self::RsaPkcs1Sha256 => KeyKind::Rsa,
        }
    }
}

/// The kind of an API key, which picks a [`Signing`] of a recipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// A shared secret.
    Hmac,
    /// An Ed25519 private key.
    Ed25519,
    /// An RSA private key.
    Rsa,
}

/// How a signature is written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureEncoding {
    /// Lower-case hex.
    Hex,
    /// Standard base64 with padding.
    Base64,
}

/// `path` without its leading `prefix` segment: only where `prefix` is followed by `/` or ends
/// the path, so `/derivativesx` keeps its name.
///
/// ```
/// use cexsign::recipe::path_without_prefix;
/// assert_eq!(path_without_prefix("/derivatives/api/v3/sendorder", "/derivatives"), "/api/v3/sendorder");
/// assert_eq!(path_without_prefix("/api/history/v3/executions", "/derivatives"), "/api/history/v3/executions");
/// assert_eq!(path_without_prefix("/derivativesx/api", "/derivatives"), "/derivativesx/api");
/// ```
pub fn path_without_prefix<'p>(path: &'p str, prefix: &str) -> &'p str {
    match path.strip_prefix(prefix) {
        Some(rest) if !prefix.is_empty() && (rest.is_empty() || rest.starts_with('/')) => rest,
        _ => path,
    }
}

/// Why a scheme's signature is not a [`Recipe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotARecipe {
    /// The reason, in a sentence.
    pub reason: &'static str,
}

impl fmt::Display for NotARecipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a recipe: {}", self.reason)
    }
}

/// What a recipe is evaluated on: the request as sent, its timestamp as sent, and the
/// credentials.
#[derive(Debug, Clone, Copy)]
pub struct RecipeInputs<'a> {
    scheme: Scheme,
    request: &'a SignableRequest<'a>,
    /// `None`: the request sends no timestamp (an optional nonce left out).
    timestamp: Option<&'a WireTimestamp>,
    credentials: &'a Credentials,
    recv_window: Option<&'a str>,
    nonce: Option<&'a str>,
}

impl<'a> RecipeInputs<'a> {
    /// The inputs of one request of `scheme` (named in errors). For schemes that sign inside the
    /// request (Binance, Kraken), `request` is the request as sent, timestamp or nonce included.
    pub fn new(
        scheme: Scheme,
        request: &'a SignableRequest<'a>,
        timestamp: &'a WireTimestamp,
        credentials: &'a Credentials,
    ) -> Self {
        Self { scheme, request, timestamp: Some(timestamp), credentials, recv_window: None, nonce: None }
    }

    /// The inputs of a request that sends no timestamp, where the scheme's is optional: its
    /// [`Part::Timestamp`] signs nothing.
    pub fn untimed(scheme: Scheme, request: &'a SignableRequest<'a>, credentials: &'a Credentials) -> Self {
        Self { scheme, request, timestamp: None, credentials, recv_window: None, nonce: None }
    }

    /// The receive window as sent, for recipes with a [`Part::RecvWindow`].
    pub fn with_recv_window(mut self, recv_window: &'a str) -> Self {
        self.recv_window = Some(recv_window);
        self
    }

    /// The nonce as sent, for recipes with a [`Part::Nonce`].
    pub fn with_nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }
}

/// A recipe's output for one request.
#[derive(Clone, PartialEq, Eq)]
pub struct Evaluated {
    /// The exact bytes the MAC or signature runs over.
    pub prehash: Vec<u8>,
    /// The signature as it goes on the wire.
    pub signature: String,
}

impl fmt::Debug for Evaluated {
    // The prehash holds the body: its length only, as for `Prehash`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Evaluated")
            .field("prehash", &format_args!("{} bytes", self.prehash.len()))
            .field("signature", &self.signature)
            .finish()
    }
}

impl Recipe {
    /// How a key of `kind` signs, if the scheme accepts such keys.
    pub fn signing(&self, kind: KeyKind) -> Option<&Signing> {
        self.keys.iter().find(|signing| signing.algorithm.key_kind() == kind)
    }

    /// Whether the scheme accepts a timestamp written in `format` (any number of fraction
    /// digits counts as the same format).
    pub fn accepts_timestamp(&self, format: TimestampFormat) -> bool {
        self.timestamps.iter().any(|accepted| match (accepted, format) {
            (TimestampFormat::UnixSecondsFraction { .. }, TimestampFormat::UnixSecondsFraction { .. }) => true,
            (accepted, format) => *accepted == format,
        })
    }

    /// The prehash: the exact bytes the MAC or signature runs over. Allocates it, and nothing
    /// else.
    pub fn prehash(&self, inputs: &RecipeInputs<'_>) -> Result<Vec<u8>, Error> {
        let mut prehash = Vec::with_capacity(self.capacity(self.parts, inputs));
        self.write(self.parts, inputs, &mut prehash)?;
        Ok(prehash)
    }

    /// The recipe a request to `path` is signed with, and where it carries its auth values when
    /// they are not the exchange's [`rest_auth`](crate::Exchange::rest_auth): the recipe itself,
    /// unless its only part is a [`Part::ByPath`], which picks one of its two layouts.
    pub fn for_path<'r>(&'r self, path: &str) -> (&'r Recipe, Option<crate::exchange::AuthNames>) {
        match self.parts {
            [Part::ByPath(layouts)] if path.starts_with(layouts.prefix) => (&layouts.then, Some(layouts.then_auth)),
            [Part::ByPath(layouts)] => (&layouts.otherwise, None),
            _ => (self, None),
        }
    }

    /// The prehash as a person reads it: the prehash itself, unless it holds a raw digest (it is
    /// then binary), in which case the input of that digest (Kraken: nonce and body). This is
    /// what the signers keep with [`SignOptions::keep_prehash`](crate::SignOptions::keep_prehash)
    /// and what the conformance vectors record.
    pub fn readable_prehash(&self, inputs: &RecipeInputs<'_>) -> Result<Vec<u8>, Error> {
        let parts = self
            .parts
            .iter()
            .find_map(|part| match part {
                Part::Digest { output: DigestOutput::Raw, of, .. } => Some(*of),
                _ => None,
            })
            .unwrap_or(self.parts);
        let mut prehash = Vec::with_capacity(self.capacity(parts, inputs));
        self.write(parts, inputs, &mut prehash)?;
        Ok(prehash)
    }

    /// The prehash and the signature of a key of `kind`.
    ///
    /// HMAC keys allocate the prehash and the signature and nothing else (a base64 secret is
    /// decoded on the stack). Ed25519 and RSA keys (feature `pem-keys`) are parsed from their PEM
    /// on each call and re-sign deterministically.
    pub fn evaluate(&self, inputs: &RecipeInputs<'_>, kind: KeyKind) -> Result<Evaluated, Error> {
        let scheme = inputs.scheme;
        let signing = self.signing(kind).ok_or(Error::KeyTypeUnsupported {
            scheme,
            problem: "the scheme's recipe has no signing for this kind of key",
        })?;
        let prehash = self.prehash(inputs)?;
        let signature = signing.sign(scheme, inputs.credentials, &prehash)?;
        Ok(Evaluated { prehash, signature })
    }

    /// The prehash of other `parts` than the recipe's (a diagnosis's mutation of it).
    pub(crate) fn prehash_of(&self, parts: &[Part], inputs: &RecipeInputs<'_>) -> Result<Vec<u8>, Error> {
        let mut prehash = Vec::with_capacity(self.capacity(parts, inputs));
        self.write(parts, inputs, &mut prehash)?;
        Ok(prehash)
    }

    /// An upper bound of the bytes `parts` write (a decoded query is never longer than sent).
    fn capacity(&self, parts: &[Part], inputs: &RecipeInputs<'_>) -> usize {
        let request = inputs.request;
        parts
            .iter()
            .map(|part| match part {
                Part::Timestamp => inputs.timestamp.map_or(0, |t| t.as_str().len()),
                Part::Method => request.method().as_str().len(),
                Part::Path | Part::PathWithoutPrefix(_) => request.path().len(),
                Part::Query { .. } => request.query().len() + 1,
                Part::Body => request.body().len(),
                Part::QueryOrBody => request.query().len().max(request.body().len()),
                Part::Literal(text) => text.len(),
                Part::ApiKey => inputs.credentials.api_key.as_deref().map_or(0, str::len),
                Part::Passphrase => inputs.credentials.passphrase.as_ref().map_or(0, |p| p.expose_secret().len()),
                Part::RecvWindow => inputs.recv_window.map_or(0, str::len),
                Part::Nonce(_) => inputs.nonce.map_or(0, str::len),
                Part::ByPath(layouts) => {
                    let recipe = layouts.pick(request.path());
                    recipe.capacity(recipe.parts, inputs)
                }
                // The digest's input is written, hashed, then replaced by the digest.
                Part::Digest { of, .. } => self.capacity(of, inputs).max(128),
            })
            .sum()
    }

    fn write(&self, parts: &[Part], inputs: &RecipeInputs<'_>, out: &mut Vec<u8>) -> Result<(), Error> {
        let (request, scheme) = (inputs.request, inputs.scheme);
        for part in parts {
            match *part {
                Part::Timestamp => {
                    let Some(timestamp) = inputs.timestamp else { continue };
                    let wanted = self.timestamps.first().copied().unwrap_or(TimestampFormat::UnixMillis);
                    let text = timestamp.text_if(|format| self.accepts_timestamp(format), wanted)?;
                    out.extend_from_slice(text.as_bytes());
                }
                Part::Method => out.extend_from_slice(request.method().as_str().as_bytes()),
                Part::Path => out.extend_from_slice(request.path().as_bytes()),
                Part::PathWithoutPrefix(prefix) => {
                    out.extend_from_slice(path_without_prefix(request.path(), prefix).as_bytes());
                }
                Part::Query { form, question_mark } => {
                    let query = request.query();
                    if question_mark && !query.is_empty() {
                        out.push(b'?');
                    }
                    match form {
                        QueryForm::AsSent => out.extend_from_slice(query.as_bytes()),
                        QueryForm::Decoded => crate::request::decode_query_into(query, out)?,
                    }
                }
                Part::Body => out.extend_from_slice(request.body()),
                Part::QueryOrBody => {
                    let body = request.body();
                    if request.method() == crate::Method::Get || body.is_empty() {
                        out.extend_from_slice(request.query().as_bytes());
                    } else {
                        out.extend_from_slice(body);
                    }
                }
                Part::Literal(text) => out.extend_from_slice(text.as_bytes()),
                Part::ApiKey => {
                    let key = inputs.credentials.api_key.as_deref().ok_or(Error::MissingCredential {
                        scheme,
                        field: "API key",
                        setter: "api_key",
                    })?;
                    out.extend_from_slice(key.as_bytes());
                }
                Part::Passphrase => {
                    let passphrase = inputs.credentials.passphrase.as_ref().ok_or(Error::MissingCredential {
                        scheme,
                        field: "passphrase",
                        setter: "passphrase",
                    })?;
                    out.extend_from_slice(passphrase.expose_secret().as_bytes());
                }
                Part::RecvWindow => {
                    let window = inputs.recv_window.ok_or(Error::InvalidParameters {
                        scheme,
                        problem: "the scheme signs its receive window: give it with RecipeInputs::with_recv_window",
                    })?;
                    out.extend_from_slice(window.as_bytes());
                }
                Part::Nonce(_) => {
                    let nonce = inputs.nonce.ok_or(Error::InvalidParameters {
                        scheme,
                        problem: "the scheme signs the request's nonce: give it with RecipeInputs::with_nonce",
                    })?;
                    out.extend_from_slice(nonce.as_bytes());
                }
                Part::ByPath(layouts) => {
                    let recipe = layouts.pick(request.path());
                    recipe.write(recipe.parts, inputs, out)?;
                }
                Part::Digest { hash, output, of } => {
                    // Written in place, hashed, then replaced by the digest: no second buffer.
                    let start = out.len();
                    self.write(of, inputs, out)?;
                    let mut digest = [0u8; 64];
                    let digest = match hash {
                        Hash::Sha256 => {
                            digest[..32].copy_from_slice(&Sha256::digest(&out[start..]));
                            &digest[..32]
                        }
                        Hash::Sha512 => {
                            digest.copy_from_slice(&Sha512::digest(&out[start..]));
                            &digest[..]
                        }
                    };
                    out.truncate(start);
                    match output {
                        DigestOutput::Raw => out.extend_from_slice(digest),
                        DigestOutput::Hex => {
                            let mut text = [0u8; 128];
                            let text = &mut text[..2 * digest.len()];
                            hex::encode_to_slice(digest, text).expect("the buffer holds the hex digest");
                            out.extend_from_slice(text);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

impl Signing {
    /// Signs `prehash` with the credentials' secret and encodes the result.
    pub(crate) fn sign(&self, scheme: Scheme, credentials: &Credentials, prehash: &[u8]) -> Result<String, Error> {
        match self.algorithm {
            Algorithm::HmacSha256 | Algorithm::HmacSha384 | Algorithm::HmacSha512 => {
                // A decoded base64 secret is kept on the stack (and wiped).
                let mut decoded = Zeroizing::new([0u8; 192]);
                let key: &[u8] = match self.secret {
                    SecretForm::Text => credentials.require_secret(scheme)?.as_bytes(),
                    SecretForm::Base64 => {
                        let secret = credentials.require_secret(scheme)?;
                        let len = base64::engine::general_purpose::STANDARD
                            .decode_slice(secret, &mut decoded[..])
                            .map_err(|_| Error::SecretNotBase64 { scheme, expected: "at most 192 bytes" })?;
                        &decoded[..len]
                    }
                    SecretForm::Pem => {
                        return Err(Error::KeyTypeUnsupported {
                            scheme,
                            problem: "an HMAC is keyed with a secret, not a PEM private key",
                        });
                    }
                };
                let mut mac = [0u8; 64];
                let mac = match self.algorithm {
                    Algorithm::HmacSha256 => {
                        let mut hmac =
                            hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
                        hmac.update(prehash);
                        mac[..32].copy_from_slice(&hmac.finalize().into_bytes());
                        &mac[..32]
                    }
                    Algorithm::HmacSha384 => {
                        let mut hmac =
                            hmac::Hmac::<Sha384>::new_from_slice(key).expect("HMAC takes keys of any length");
                        hmac.update(prehash);
                        mac[..48].copy_from_slice(&hmac.finalize().into_bytes());
                        &mac[..48]
                    }
                    _ => {
                        let mut hmac =
                            hmac::Hmac::<Sha512>::new_from_slice(key).expect("HMAC takes keys of any length");
                        hmac.update(prehash);
                        mac.copy_from_slice(&hmac.finalize().into_bytes());
                        &mac[..]
                    }
                };
                Ok(self.encoding.encode(mac))
            }
            Algorithm::Ed25519 | Algorithm::RsaPkcs1Sha256 => self.sign_asymmetric(scheme, credentials, prehash),
        }
    }

    #[cfg(feature = "pem-keys")]
    fn sign_asymmetric(&self, scheme: Scheme, credentials: &Credentials, prehash: &[u8]) -> Result<String, Error> {
        use crate::keys::PrivateKey;
        let secret = credentials.require_secret_as_given(scheme)?;
        let key = match self.algorithm {
            Algorithm::Ed25519 => PrivateKey::ed25519_from_pem(scheme, secret)?,
            _ => PrivateKey::rsa_from_pem(scheme, secret)?,
        };
        let base64 = key.sign_base64(prehash)?;
        match self.encoding {
            SignatureEncoding::Base64 => Ok(base64),
            SignatureEncoding::Hex => {
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(&base64)
                    .expect("the key's own base64 output decodes");
                Ok(hex::encode(raw))
            }
        }
    }

    #[cfg(not(feature = "pem-keys"))]
    fn sign_asymmetric(&self, scheme: Scheme, _credentials: &Credentials, _prehash: &[u8]) -> Result<String, Error> {
        Err(Error::KeyTypeUnsupported {
            scheme,
            problem: "Ed25519 and RSA keys need the `pem-keys` feature (on by default)",
        })
    }
}

impl SignatureEncoding {
    pub(crate) fn encode(self, bytes: &[u8]) -> String {
        match self {
            Self::Hex => hex::encode(bytes),
            Self::Base64 => base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Method;

    fn okx_inputs<'a>(
        request: &'a SignableRequest<'a>,
        timestamp: &'a WireTimestamp,
        credentials: &'a Credentials,
    ) -> RecipeInputs<'a> {
        RecipeInputs::new(Scheme::Okx, request, timestamp, credentials)
    }

    fn okx_recipe() -> Recipe {
        *Scheme::Okx.exchange().recipe.as_ref().unwrap()
    }

    /// OKX's documented example (also the `Signer` doc example).
    const OKX_SIGNATURE: &str = "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=";

    fn okx_case() -> (Credentials, WireTimestamp) {
        let credentials = Credentials::new()
            .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
            .secret("22582BD0CFF14C41EDBF1AB98506286D");
        let timestamp = WireTimestamp::parse(TimestampFormat::Iso8601Millis, "2020-12-08T09:08:57.715Z").unwrap();
        (credentials, timestamp)
    }

    #[test]
    fn recipe_okx_reproduces_the_documented_signature() {
        let (credentials, timestamp) = okx_case();
        let request =
            SignableRequest::new(Method::Get, "/api/v5/account/balance").unwrap().with_query("ccy=BTC").unwrap();
        let signed = okx_recipe().evaluate(&okx_inputs(&request, &timestamp, &credentials), KeyKind::Hmac).unwrap();
        assert_eq!(signed.signature, OKX_SIGNATURE);
        assert_eq!(signed.prehash, b"2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC");
    }

    #[test]
    fn recipe_with_a_wrong_part_gives_another_signature() {
        let (credentials, timestamp) = okx_case();
        let request =
            SignableRequest::new(Method::Get, "/api/v5/account/balance").unwrap().with_query("ccy=BTC").unwrap();
        let inputs = okx_inputs(&request, &timestamp, &credentials);
        let right = okx_recipe();
        let mutations: [&[Part]; 3] = [
            // The query without its `?`.
            &[
                Part::Timestamp,
                Part::Method,
                Part::Path,
                Part::Query { form: QueryForm::AsSent, question_mark: false },
                Part::Body,
            ],
            // The query left out.
            &[Part::Timestamp, Part::Method, Part::Path, Part::Body],
            // Delta's order.
            &[
                Part::Method,
                Part::Timestamp,
                Part::Path,
                Part::Query { form: QueryForm::AsSent, question_mark: true },
                Part::Body,
            ],
        ];
        for parts in mutations {
            let wrong = Recipe { parts, ..right };
            let signed = wrong.evaluate(&inputs, KeyKind::Hmac).unwrap();
            assert_ne!(signed.signature, OKX_SIGNATURE, "{parts:?}");
        }
        const HEX: [Signing; 1] = [Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex)];
        let hex = Recipe { keys: &HEX, ..right };
        assert_ne!(hex.evaluate(&inputs, KeyKind::Hmac).unwrap().signature, OKX_SIGNATURE);
    }

    #[test]
    fn recipe_digests_in_place_and_decodes_queries() {
        let credentials = Credentials::new().api_key("k").secret("s");
        let timestamp = WireTimestamp::parse(TimestampFormat::UnixSeconds, "1700000000").unwrap();
        let request =
            SignableRequest::new(Method::Post, "/p").unwrap().with_query("a=%E9%BE%99+b").unwrap().with_body(b"x");
        let inputs = RecipeInputs::new(Scheme::Gate, &request, &timestamp, &credentials);
        let recipe = Recipe {
            parts: &[
                Part::Query { form: QueryForm::Decoded, question_mark: true },
                Part::Literal("|"),
                Part::Digest { hash: Hash::Sha256, output: DigestOutput::Hex, of: &[Part::Timestamp, Part::Body] },
            ],
            ..*Scheme::Gate.exchange().recipe.as_ref().unwrap()
        };
        let mut expected = "?a=龙 b|".as_bytes().to_vec();
        expected.extend_from_slice(hex::encode(Sha256::digest(b"1700000000x")).as_bytes());
        assert_eq!(recipe.prehash(&inputs).unwrap(), expected);
        // Raw: the readable prehash is the digest's input.
        let raw = Recipe {
            parts: &[
                Part::Path,
                Part::Digest { hash: Hash::Sha256, output: DigestOutput::Raw, of: &[Part::Timestamp, Part::Body] },
            ],
            ..recipe
        };
        assert_eq!(raw.readable_prehash(&inputs).unwrap(), b"1700000000x");
        assert_eq!(raw.prehash(&inputs).unwrap(), [b"/p".as_slice(), &Sha256::digest(b"1700000000x")].concat());
    }

    #[test]
    fn recipe_refuses_what_it_cannot_sign() {
        let (credentials, _) = okx_case();
        let seconds = WireTimestamp::parse(TimestampFormat::UnixSeconds, "1700000000").unwrap();
        let request = SignableRequest::new(Method::Get, "/x").unwrap();
        let inputs = okx_inputs(&request, &seconds, &credentials);
        assert!(matches!(okx_recipe().prehash(&inputs), Err(Error::TimestampFormatMismatch { .. })));
        assert!(matches!(okx_recipe().evaluate(&inputs, KeyKind::Rsa), Err(Error::KeyTypeUnsupported { .. })));
        let bybit = Scheme::Bybit.exchange().recipe.as_ref().unwrap();
        let millis = WireTimestamp::parse(TimestampFormat::UnixMillis, "1700000000000").unwrap();
        let inputs = RecipeInputs::new(Scheme::Bybit, &request, &millis, &credentials);
        assert!(matches!(bybit.prehash(&inputs), Err(Error::InvalidParameters { .. })));
        assert_eq!(
            bybit.prehash(&inputs.with_recv_window("5000")).unwrap(),
            b"1700000000000985d5b66-57ce-40fb-b714-afc0b97870835000"
        );
        let malformed = SignableRequest::new(Method::Get, "/x").unwrap().with_query("a=%zz").unwrap();
        let kucoin = Scheme::Kucoin.exchange().recipe.as_ref().unwrap();
        let millis_inputs = RecipeInputs::new(Scheme::Kucoin, &malformed, &millis, &credentials);
        assert_eq!(kucoin.prehash(&millis_inputs), Err(Error::MalformedQuery { position: 2 }));
    }

    #[test]
    fn recipe_every_scheme_but_cdp_has_one() {
        for scheme in Scheme::ALL {
            match &scheme.exchange().recipe {
                Ok(recipe) => {
                    assert!(!recipe.parts.is_empty() && !recipe.keys.is_empty() && !recipe.timestamps.is_empty());
                    assert_eq!(recipe.keys[0].algorithm.key_kind(), KeyKind::Hmac, "{scheme}: HMAC keys first");
                }
                Err(not) if scheme == Scheme::Backpack => assert!(not.to_string().contains("canonical rendering")),
                Err(not) if scheme == Scheme::CryptoCom => assert!(not.to_string().contains("canonical rendering")),
                Err(not) if scheme == Scheme::Hyperliquid => assert!(not.to_string().contains("EIP-712")),
                Err(not) => {
                    // The schemes that sign a JWT: Coinbase CDP, Upbit.
                    assert!(matches!(scheme, Scheme::CoinbaseCdp | Scheme::Upbit), "{scheme}");
                    assert!(not.to_string().contains("JWT"));
                }
            }
        }
    }
}
