//! The one error type of the crate.
//!
//! Every variant names the field that is wrong and says what to do about it; none carries the
//! value of a credential, so an error can be logged or shown to a user without leaking a secret.

use crate::Scheme;

/// Everything that can go wrong while building a signer or signing a request.
///
/// Messages are written for the person configuring the bot: they name the field and the fix.
/// Variants never hold a secret, a passphrase or a request body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A credential field was empty (or only whitespace).
    #[error("the {field} is empty: copy it from the exchange's API-key page")]
    EmptyCredential {
        /// Which field: "API key", "secret" or "passphrase".
        field: &'static str,
    },

    /// A secret or passphrase starts or ends with whitespace, or holds a line break or another
    /// control character.
    #[error(
        "the {field} starts or ends with whitespace or contains a line break or control character: \
         copy it again exactly (a trailing newline from a file or .env is the usual cause)"
    )]
    CredentialWhitespace {
        /// Which field.
        field: &'static str,
    },

    /// The scheme needs a credential field that was not given.
    #[error("{scheme} keys need the {field}: set it with `Credentials::{setter}`")]
    MissingCredential {
        /// The scheme being built.
        scheme: Scheme,
        /// Which field is missing.
        field: &'static str,
        /// The `Credentials` method that sets it.
        setter: &'static str,
    },

    /// An environment variable [`Credentials::from_env`](crate::Credentials::from_env) reads is
    /// missing or not text. The message names the variable, never its value.
    #[error("the environment variable {name} {problem}: export it before starting the program")]
    MissingEnvVar {
        /// The variable, e.g. `OKX_API_KEY`.
        name: String,
        /// "is not set" or "is not valid UTF-8".
        problem: &'static str,
    },

    /// The API key has the form of the scheme's secrets and the secret the form of its API keys:
    /// the two were given the wrong way round.
    #[error(
        "{scheme}: the API key looks like a secret ({key_looks_like}) and the secret like an API key \
         ({secret_looks_like}): they are swapped — pass the key to `Credentials::api_key` and the secret \
         to `Credentials::secret`"
    )]
    KeyAndSecretSwapped {
        /// The scheme being built.
        scheme: Scheme,
        /// The form the given API key has (the form of this scheme's secrets).
        key_looks_like: &'static str,
        /// The form the given secret has (the form of this scheme's API keys).
        secret_looks_like: &'static str,
    },

    /// An HMAC secret was given in a form the scheme cannot use (hex or URL-safe base64 where
    /// standard base64 is due): what it must be, what it looks like, and what to do.
    #[error("{scheme} secret must be {expected}; it looks like {seen}: {fix}")]
    SecretInWrongForm {
        /// The scheme being built.
        scheme: Scheme,
        /// The form the scheme takes.
        expected: &'static str,
        /// What the secret looks like ("a PEM private key", "hex", "URL-safe base64").
        seen: &'static str,
        /// What to do.
        fix: &'static str,
    },

    /// A value that goes into an HTTP header contains a character a header cannot carry.
    #[error(
        "the {field} contains CR, LF or another character that is not visible ASCII; it is sent in an \
         HTTP header, so remove surrounding whitespace, quotes and line breaks"
    )]
    InvalidHeaderValue {
        /// Which value: "API key", "passphrase", "host", ...
        field: &'static str,
    },

    /// A secret that must be base64 did not decode.
    #[error(
        "{scheme} secret must be standard base64 (the 88-character string shown once at key \
         creation); it did not decode to {expected} — did you paste the passphrase or the API key \
         instead, or swap key and secret?"
    )]
    SecretNotBase64 {
        /// The scheme being built.
        scheme: Scheme,
        /// What it should decode to, e.g. "64 bytes".
        expected: &'static str,
    },

    /// A Coinbase CDP key secret could not be used.
    #[error("Coinbase CDP key secret: {problem}")]
    InvalidCdpKey {
        /// What is wrong with it and how to fix it.
        problem: &'static str,
    },

    /// A KuCoin key version other than 1, 2 or 3.
    #[error(
        "KuCoin key version must be 1, 2 or 3 (shown next to the key on KuCoin's API-management \
         page); got {version}"
    )]
    UnsupportedKeyVersion {
        /// The version that was given.
        version: u32,
    },

    /// The request path is not in wire form.
    #[error("request path {problem}")]
    InvalidPath {
        /// What is wrong and how to fix it.
        problem: &'static str,
    },

    /// The query string is not in wire form.
    #[error("query string {problem}")]
    InvalidQuery {
        /// What is wrong and how to fix it.
        problem: &'static str,
    },

    /// A percent-encoded query could not be decoded (KuCoin signs the decoded query).
    #[error(
        "query string has a malformed percent escape at byte {position} ('%' must be followed by two \
         hex digits, and the decoded bytes must be UTF-8): encode a literal '%' as %25"
    )]
    MalformedQuery {
        /// Byte offset of the offending `%` (or of the invalid UTF-8 sequence).
        position: usize,
    },

    /// The HTTP method is empty or not one the exchanges accept.
    #[error(
        "HTTP method must be one of GET, POST, PUT, DELETE, PATCH, HEAD or OPTIONS (any case); \
         got an empty or unknown method"
    )]
    InvalidMethod,

    /// An `http::Method` (a request's, or the CLI's `--method`) is not upper case: an HTTP client
    /// sends it as written, while every exchange signs (and expects) upper case.
    #[error(
        "the request's method is not upper case and would be sent as written; build it with an \
         upper-case method (GET, POST, ...: http::Method::GET, reqwest::Method::POST)"
    )]
    MethodNotUpperCase,

    /// The host is not a bare host name.
    #[error("host {problem}")]
    InvalidHost {
        /// What is wrong and how to fix it.
        problem: &'static str,
    },

    /// The clock reads a time before the Unix epoch.
    #[error("the clock reads a time before 1970-01-01T00:00:00Z: set the system clock (or the clock you injected)")]
    TimestampBeforeEpoch,

    /// The time cannot be written in the scheme's timestamp format.
    #[error("the time cannot be written as {format}: check the clock (it must be between 1970 and 9999)")]
    TimestampOutOfRange {
        /// The format, e.g. "ISO-8601 with milliseconds".
        format: &'static str,
    },

    /// A wire timestamp string could not be parsed.
    #[error("timestamp is not valid {format} (expected e.g. {example})")]
    InvalidTimestamp {
        /// The format that was expected.
        format: &'static str,
        /// An example of a valid value.
        example: &'static str,
    },

    /// A wire timestamp in another format than the scheme uses (seconds where milliseconds are due).
    #[error("timestamp is in the wrong format for this scheme: it must be {expected} (e.g. {example})")]
    TimestampFormatMismatch {
        /// The format the scheme uses.
        expected: &'static str,
        /// An example of it.
        example: &'static str,
    },

    /// The request body is a stream, whose bytes are not known before sending.
    #[error(
        "the request body is a stream, so its bytes cannot be signed before they are sent: build the \
         body from bytes (`.body(Vec<u8>)`, `.body(String)`, `.json(..)`) — never sign a stream as empty"
    )]
    StreamingBody,

    /// The HTTP client could not build the request.
    #[error("the HTTP request could not be built: {problem}")]
    RequestBuild {
        /// The client's own message (without the URL).
        problem: String,
    },

    /// The server-time request failed (connection, status, or an answer with no usable time).
    #[error("server time could not be fetched: {problem}")]
    ServerTimeUnavailable {
        /// What went wrong.
        problem: String,
    },

    /// A server-time measurement was not used to correct the clock.
    #[error("server time measurement discarded: {reason}")]
    ObservationDiscarded {
        /// Why.
        reason: crate::clock::Discarded,
    },

    /// A server-time response could not be read.
    #[error("{scheme} server-time response: {problem}")]
    InvalidServerTime {
        /// The scheme whose endpoint answered.
        scheme: Scheme,
        /// What was wrong with it.
        problem: &'static str,
    },

    /// The answer to a stream-token request (KuCoin `POST /api/v1/bullet-private`, Kraken
    /// `POST /0/private/GetWebSocketsToken`) grants no token: most often it is the exchange's
    /// refusal, which [`rejection`](crate::rejection) reads.
    #[error("the answer to {path} grants no stream token: {problem}")]
    InvalidStreamToken {
        /// The token request's path.
        path: &'static str,
        /// What is missing from the answer.
        problem: &'static str,
    },

    /// The websocket request does not fit the scheme.
    #[error("websocket request: {problem}")]
    InvalidWsRequest {
        /// What is wrong and how to fix it.
        problem: &'static str,
    },

    /// The scheme has no websocket authentication of its own.
    #[error("{scheme} has no websocket login message: {hint}")]
    WsUnsupported {
        /// The scheme.
        scheme: Scheme,
        /// What to do instead.
        hint: &'static str,
    },

    /// A PEM private key (Ed25519 or RSA) could not be used.
    #[error("{scheme} {key_type} key: {problem}")]
    InvalidPrivateKey {
        /// The scheme being built.
        scheme: Scheme,
        /// The key type the signer was built for ("Ed25519", "RSA").
        key_type: &'static str,
        /// What is wrong with it and how to fix it.
        problem: &'static str,
    },

    /// A PEM private key was given where the signer was built for an HMAC secret.
    #[error(
        "{scheme}: the secret is a PEM private key, but the signer was built for an HMAC key: build it \
         for the key's type ({hint})"
    )]
    PemGivenAsHmacSecret {
        /// The scheme being built.
        scheme: Scheme,
        /// How to build the signer for the key.
        hint: &'static str,
    },

    /// The key type cannot do what was asked (Binance `session.logon` with a non-Ed25519 key).
    #[error("{scheme}: {problem}")]
    KeyTypeUnsupported {
        /// The scheme.
        scheme: Scheme,
        /// What the key cannot do, and what to use instead.
        problem: &'static str,
    },

    /// Signing failed inside the signature backend (the system random source of RSA blinding).
    #[error("signing failed: {problem}")]
    SigningFailed {
        /// What failed.
        problem: &'static str,
    },

    /// The request's parameters do not fit a scheme that signs inside the request (Binance's
    /// `timestamp` and `signature` parameters, Kraken's `nonce`).
    #[error("{scheme} request parameters: {problem}")]
    InvalidParameters {
        /// The scheme.
        scheme: Scheme,
        /// What is wrong and how to fix it.
        problem: &'static str,
    },

    /// The request body cannot be signed by the scheme as it is (not a form or JSON object
    /// where one is due, raw non-ASCII where it must be percent-encoded).
    #[error("{scheme} request body: {problem}")]
    InvalidBody {
        /// The scheme.
        scheme: Scheme,
        /// What is wrong and how to fix it.
        problem: &'static str,
    },

    /// A key setting has a value the scheme does not know (a Binance key type of `ES256`).
    #[error("{scheme} keys take a {setting} of {expected}")]
    InvalidKeySetting {
        /// The scheme.
        scheme: Scheme,
        /// The setting ([`crate::KeySettings`] field).
        setting: &'static str,
        /// The values it takes.
        expected: String,
    },

    /// A value the scheme sends as an item of a structured header (Deribit's `id` and `nonce` in
    /// `Authorization: deri-hmac-sha256 id=…,ts=…,sig=…,nonce=…`) cannot be one.
    #[error("{scheme} {field}: {problem}")]
    InvalidAuthValue {
        /// The scheme.
        scheme: Scheme,
        /// Which value ("API key", "nonce").
        field: &'static str,
        /// What is wrong with it and how to fix it.
        problem: &'static str,
    },

    /// What was given to diagnose a rejected request is incomplete or unreadable: a missing or
    /// truncated auth header, a token that is not a JWT, a diagnosis case that is not JSON.
    #[error("cannot diagnose: {problem}")]
    InvalidDiagnosisInput {
        /// What is missing or malformed, and what to give instead. Names fields, never their
        /// values.
        problem: String,
    },
}
