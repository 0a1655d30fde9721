//! API credentials: what the user pastes in, and the validated pieces the signers keep.
//!
//! [`Credentials`] is filled with named setters, so a key cannot silently take the place of a
//! secret. The secret and passphrase live in [`secrecy`] boxes: they never print, and their memory
//! is wiped on drop. Nothing is checked here; each signer checks what its scheme needs when it is
//! built and says what to fix.

use std::fmt;

use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::{Error, Scheme};

/// The credentials of one API key, as shown on the exchange's API-management page.
///
/// ```
/// use cexsign::Credentials;
/// let credentials = Credentials::new()
///     .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
///     .secret("22582BD0CFF14C41EDBF1AB98506286D")
///     .passphrase("Passphrase1!");
/// // Debug never shows the secret or the passphrase.
/// assert!(!format!("{credentials:?}").contains("22582BD0"));
///
/// // A clone is as guarded as the original: its secret is another zeroizing box.
/// let copy = credentials.clone();
/// assert!(!format!("{copy:?}").contains("22582BD0"));
/// ```
///
/// Cloning copies the secret and passphrase into new [`secrecy`] boxes, each wiped when it is
/// dropped: a test can hand one copy to a local exchange's account and build its signer from the
/// other.
#[derive(Default, Clone)]
pub struct Credentials {
    pub(crate) api_key: Option<String>,
    pub(crate) secret: Option<SecretString>,
    pub(crate) passphrase: Option<SecretString>,
}

impl Credentials {
    /// Empty credentials; fill them with the setters.
    pub fn new() -> Self {
        Self::default()
    }

    /// The API key (OKX "API key", KuCoin "API key", Coinbase "key name"/"key id", Delta "api-key").
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// The API secret, exactly as shown once at key creation (a PEM or base64 key for Coinbase CDP).
    pub fn secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// The passphrase chosen at key creation (OKX, KuCoin, Coinbase Exchange). It is the key's
    /// passphrase, not the account's login or trading password.
    pub fn passphrase(mut self, passphrase: impl Into<SecretString>) -> Self {
        self.passphrase = Some(passphrase.into());
        self
    }

    /// Reads the credentials from the environment variables `{prefix}_API_KEY`, `{prefix}_SECRET`
    /// and, when set, `{prefix}_PASSPHRASE` (`from_env("OKX")` reads `OKX_API_KEY`, `OKX_SECRET`
    /// and `OKX_PASSPHRASE`). The key and the secret must be set; each signer then says whether
    /// its scheme needs the passphrase.
    ///
    /// An error names the variable that is missing or not valid UTF-8, never a value.
    ///
    /// ```
    /// use cexsign::Credentials;
    /// // No variable of this prefix is set: the error names the first one read.
    /// let err = Credentials::from_env("CEXSIGN_DOC_UNSET").unwrap_err();
    /// assert!(err.to_string().contains("CEXSIGN_DOC_UNSET_API_KEY"));
    /// ```
    pub fn from_env(prefix: &str) -> Result<Self, Error> {
        fn read(name: String, required: bool) -> Result<Option<String>, Error> {
            match std::env::var(&name) {
                Ok(value) => Ok(Some(value)),
                Err(std::env::VarError::NotPresent) if !required => Ok(None),
                Err(std::env::VarError::NotPresent) => Err(Error::MissingEnvVar { name, problem: "is not set" }),
                Err(std::env::VarError::NotUnicode(_)) => {
                    Err(Error::MissingEnvVar { name, problem: "is not valid UTF-8" })
                }
            }
        }
        let api_key = read(format!("{prefix}_API_KEY"), true)?;
        let secret = read(format!("{prefix}_SECRET"), true)?.map(SecretString::from);
        let passphrase = read(format!("{prefix}_PASSPHRASE"), false)?.map(SecretString::from);
        Ok(Self { api_key, secret, passphrase })
    }

    pub(crate) fn require_api_key(&self, scheme: Scheme) -> Result<ApiKey, Error> {
        let key =
            self.api_key.as_deref().ok_or(Error::MissingCredential { scheme, field: "API key", setter: "api_key" })?;
        ApiKey::new(key)
    }

    /// The secret as given, only checked to be non-empty (key files carry their own layout).
    pub(crate) fn require_secret_as_given(&self, scheme: Scheme) -> Result<&str, Error> {
        let secret =
            self.secret.as_ref().ok_or(Error::MissingCredential { scheme, field: "secret", setter: "secret" })?;
        let secret = secret.expose_secret();
        if secret.trim().is_empty() {
            return Err(Error::EmptyCredential { field: "secret" });
        }
        Ok(secret)
    }

    /// The secret of an HMAC key: non-empty, without surrounding whitespace.
    pub(crate) fn require_secret(&self, scheme: Scheme) -> Result<&str, Error> {
        let secret = self.require_secret_as_given(scheme)?;
        if secret.trim() != secret || secret.chars().any(char::is_control) {
            return Err(Error::CredentialWhitespace { field: "secret" });
        }
        Ok(secret)
    }

    pub(crate) fn require_passphrase(&self, scheme: Scheme) -> Result<&str, Error> {
        let passphrase = self.passphrase.as_ref().ok_or(Error::MissingCredential {
            scheme,
            field: "passphrase",
            setter: "passphrase",
        })?;
        let passphrase = passphrase.expose_secret();
        if passphrase.is_empty() {
            return Err(Error::EmptyCredential { field: "passphrase" });
        }
        if passphrase.trim() != passphrase || passphrase.chars().any(char::is_control) {
            return Err(Error::CredentialWhitespace { field: "passphrase" });
        }
        Ok(passphrase)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |set: bool| if set { "[REDACTED]" } else { "None" };
        f.debug_struct("Credentials")
            .field("api_key", &self.api_key)
            .field("secret", &format_args!("{}", shown(self.secret.is_some())))
            .field("passphrase", &format_args!("{}", shown(self.passphrase.is_some())))
            .finish()
    }
}

/// True when every byte is visible ASCII (`!`..=`~`): what a header value, a wire path or a wire
/// query may carry without being rewritten or rejected on the way.
pub(crate) fn is_visible_ascii(text: &str) -> bool {
    visible_ascii_without(text, [])
}

/// Whether every byte of `text` is visible ASCII and none is one of `excluded`. Every request's
/// path and query pass here: a fold without an early exit is vectorised (a 60-byte query in
/// 6-9 ns, where `all` took 20; a megabyte in 21 µs, where `all` took 278).
pub(crate) fn visible_ascii_without<const N: usize>(text: &str, excluded: [u8; N]) -> bool {
    // `contains` would exit early per byte and undo the vectorisation.
    text.bytes().fold(true, |visible, b| {
        visible & b.is_ascii_graphic() & excluded.iter().fold(true, |kept, &e| kept & (b != e))
    })
}

/// A validated API key: non-empty visible ASCII, kept as a ready header value.
///
/// The key identifies the account but grants nothing alone, so it is not redacted.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ApiKey(HeaderValue);

impl ApiKey {
    pub(crate) fn new(key: &str) -> Result<Self, Error> {
        if key.trim().is_empty() {
            return Err(Error::EmptyCredential { field: "API key" });
        }
        if !is_visible_ascii(key) {
            return Err(Error::InvalidHeaderValue { field: "API key" });
        }
        let value = HeaderValue::from_str(key).map_err(|_| Error::InvalidHeaderValue { field: "API key" })?;
        Ok(Self(value))
    }

    pub(crate) fn header_value(&self) -> HeaderValue {
        self.0.clone()
    }

    pub(crate) fn as_str(&self) -> &str {
        // Built from a &str of visible ASCII above.
        self.0.to_str().unwrap_or_default()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secret value that is sent in a header (a plain passphrase, a derived KuCoin passphrase).
///
/// Kept as a zeroizing string for websocket messages, and as one header value marked sensitive,
/// built once and shared by every signed request (cloning it copies no bytes). That header copy
/// cannot be wiped: `http` owns it, as it owns the copies an HTTP client makes when sending.
#[derive(Clone)]
pub(crate) struct HeaderSecret {
    secret: SecretString,
    header: HeaderValue,
}

impl HeaderSecret {
    pub(crate) fn new(value: String, field: &'static str) -> Result<Self, Error> {
        // Interior spaces survive HTTP; leading or trailing ones are stripped by servers.
        let ok = !value.is_empty()
            && value.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
            && !value.starts_with(' ')
            && !value.ends_with(' ');
        if !ok {
            return Err(Error::InvalidHeaderValue { field });
        }
        let mut header = HeaderValue::from_str(&value).map_err(|_| Error::InvalidHeaderValue { field })?;
        header.set_sensitive(true);
        Ok(Self { secret: value.into(), header })
    }

    pub(crate) fn expose(&self) -> &str {
        self.secret.expose_secret()
    }

    pub(crate) fn header_value(&self) -> HeaderValue {
        self.header.clone()
    }
}

impl fmt::Debug for HeaderSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}
