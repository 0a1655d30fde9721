//! Registered API keys: one [`Account`] per key, holding the crate's own signer for it.
//!
//! The signers keep their key name and passphrase private, so an account learns them the way a
//! verifier would see them: it signs one dummy request at registration and reads the key and
//! passphrase headers (for Coinbase CDP, the `kid` of a dummy token). The passphrase is kept as a
//! secret and only ever compared in constant time.
//!
//! An account also keeps the raw fake secret and passphrase it was given, as secrets (zeroized on
//! drop, never printed), so that the diagnosis of a rejection can look for the mistakes made
//! with the secret itself (key and secret swapped, the HMAC's arguments swapped, a secret
//! decoded or not), as `cexsign diagnose` does with the user's credentials.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq as _;

use cexsign::diagnose::Secrets;
use cexsign::{
    BinanceKeyType, BinanceSigner, BybitKeyType, BybitSigner, CoinbaseCdpSigner, Credentials, Error, KeySettings,
    Method, RestVerification, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, Timestamp, WireTimestamp,
};

/// One API key registered with a [`LocalExchange`](super::LocalExchange).
///
/// Built from the same [`Credentials`] a bot uses; the local exchange recomputes every signature
/// with the crate's own signer for the key, so an account accepts exactly what the matching
/// signer produces (and what the real exchange would accept from it).
///
/// ```
/// use cexsign_local_exchange::Account;
/// use cexsign::{Credentials, KeySettings, Scheme};
///
/// let credentials =
///     Credentials::new().api_key("6422da9c97b45100018c6e62").secret("cde06451-dbed").passphrase("1111111");
/// let account = Account::new(Scheme::Kucoin, &credentials, &KeySettings::new().key_version(3))?;
/// assert_eq!(account.scheme(), Scheme::Kucoin);
/// assert_eq!(account.api_key(), "6422da9c97b45100018c6e62");
/// // Debug never shows the passphrase.
/// assert!(!format!("{account:?}").contains("1111111"));
/// # Ok::<(), cexsign::Error>(())
/// ```
pub struct Account {
    api_key: String,
    /// The passphrase header value the signer sends (plain, or KuCoin's HMAC'd form).
    passphrase: Option<SecretString>,
    /// The settings the key was registered with (OKX's `demo`, KuCoin's `key_version`, ...),
    /// which the exchange's extra checks read.
    settings: KeySettings,
    kind: AccountKind,
    /// The raw secret and passphrase, for the diagnosis (none for keys that sign tokens).
    raw: Option<RawSecrets>,
    /// The last nonce the key used, for exchanges whose timestamp is a nonce
    /// ([`TimestampRule::Nonce`](cexsign::TimestampRule::Nonce)); 0 before the first.
    last_nonce: AtomicU64,
}

/// The raw secret (an HMAC secret or a PEM private key) and passphrase of a key, as the
/// diagnosis reads them ([`Secrets::of`]).
struct RawSecrets {
    secret: SecretString,
    passphrase: Option<SecretString>,
}

impl RawSecrets {
    fn of(scheme: Scheme, credentials: &Credentials) -> Result<Option<Self>, Error> {
        Ok(Secrets::of(scheme, credentials)?.map(|secrets| RawSecrets {
            secret: SecretString::from(secrets.secret),
            passphrase: secrets.passphrase.map(SecretString::from),
        }))
    }
}

/// The signer of an account: the one its exchange's description builds, or, for the exchanges
/// the local exchange verifies with code of their own, the concrete signer that code needs.
pub(crate) enum AccountKind {
    /// Built by [`Exchange::signer`](cexsign::Exchange::signer): every exchange verified from its
    /// description.
    Described(Box<dyn Signer>),
    CoinbaseCdp(Box<CdpKey>),
    Binance(BinanceSigner, BinanceKeyType),
    Bybit(BybitSigner, BybitKeyType),
}

/// A CDP signer with its public key, extracted once for verification.
pub(crate) struct CdpKey {
    pub(crate) signer: CoinbaseCdpSigner,
    pub(crate) public_key: Vec<u8>,
}

/// The instant the registration dummy request is signed at (any valid instant would do).
const DUMMY_INSTANT: Timestamp = Timestamp::from_unix_secs(1_700_000_000);

impl Account {
    /// A key of any scheme, built from the same [`Credentials`] and [`KeySettings`] a bot signs
    /// with ([`Exchange::signer`](cexsign::Exchange::signer) says which settings each scheme
    /// reads): the account accepts what that signer sends, and checks what its exchange checks:
    /// an OKX key registered with `demo(true)` must come with `x-simulated-trading: 1` (a live key
    /// without it); a KuCoin version 2 or 3 key (`key_version`) is accepted with
    /// `KC-API-KEY-VERSION: 2` or `3`, a version 1 key with none or `1`; Binance's
    /// `session.logon` takes Ed25519 keys only (`key_type`); a Bybit request is verified with the
    /// `recv_window` it carries; a Kraken nonce must grow per key; a Coinbase CDP key is looked up
    /// by its token's `kid`.
    ///
    /// ```
    /// use cexsign_local_exchange::Account;
    /// use cexsign::{Credentials, KeySettings, Scheme};
    ///
    /// let credentials = Credentials::new().api_key("key").secret("secret").passphrase("pass");
    /// let account = Account::new(Scheme::Okx, &credentials, &KeySettings::new().demo(true))?;
    /// assert_eq!((account.scheme(), account.api_key()), (Scheme::Okx, "key"));
    /// # Ok::<(), cexsign::Error>(())
    /// ```
    pub fn new(scheme: Scheme, credentials: &Credentials, settings: &KeySettings) -> Result<Self, Error> {
        // The kinds of verification the local exchange has code of its own for keep the
        // concrete signer that code needs; the description's signer comes first, for its errors
        // about the settings.
        let kind = match scheme.exchange().rest_verification {
            RestVerification::BearerToken => return Self::bearer_key(credentials),
            RestVerification::SignedParameters => {
                scheme.exchange().signer(credentials, settings)?;
                let key_type = BinanceKeyType::for_key(credentials, settings)?;
                AccountKind::Binance(BinanceSigner::new(credentials, key_type)?, key_type)
            }
            RestVerification::SentReceiveWindow => {
                scheme.exchange().signer(credentials, settings)?;
                let key_type = BybitKeyType::for_key(credentials, settings)?;
                AccountKind::Bybit(BybitSigner::new(credentials, key_type)?, key_type)
            }
            RestVerification::NonceToken(check) => {
                let kind = AccountKind::Described(scheme.exchange().signer(credentials, settings)?);
                return Self::nonce_token_key(kind, settings.clone(), check.key, RawSecrets::of(scheme, credentials)?);
            }
            // The key's id is what its signatures recover to; there is no secret to diagnose with.
            RestVerification::RecoveredSigner(recovered) => {
                let kind = AccountKind::Described(scheme.exchange().signer(credentials, settings)?);
                let api_key = (recovered.key_id)(credentials)?;
                let settings = settings.clone();
                return Ok(Self {
                    api_key,
                    passphrase: None,
                    settings,
                    kind,
                    raw: None,
                    last_nonce: AtomicU64::new(0),
                });
            }
            _ => AccountKind::Described(scheme.exchange().signer(credentials, settings)?),
        };
        let names = scheme.exchange().rest_auth.ok_or(Error::InvalidHeaderValue { field: "API key" })?;
        let raw = RawSecrets::of(scheme, credentials)?;
        Self::hmac(kind, settings.clone(), names.key, names.passphrase, raw)
    }

    /// A key that signs bearer tokens ([`RestVerification::BearerToken`]): the account knows it by
    /// the `kid` of a token it signs, and keeps its public key to verify tokens with.
    fn bearer_key(credentials: &Credentials) -> Result<Self, Error> {
        let signer = CoinbaseCdpSigner::new(credentials)?;
        let not_a_token = Error::InvalidCdpKey { problem: "the key could not sign a token to register" };
        let signed = dummy_signature(&signer)?;
        let token = header_text(&signed, "authorization")
            .and_then(|value| value.strip_prefix("Bearer ").map(str::to_owned))
            .ok_or_else(|| not_a_token.clone())?;
        let api_key = token_kid(&token).ok_or(not_a_token)?;
        let public_key = signer.public_key();
        let kind = AccountKind::CoinbaseCdp(Box::new(CdpKey { signer, public_key }));
        Ok(Self {
            api_key,
            passphrase: None,
            settings: KeySettings::new(),
            kind,
            raw: None,
            last_nonce: AtomicU64::new(0),
        })
    }

    /// The scheme the key belongs to.
    pub fn scheme(&self) -> Scheme {
        self.signer().scheme()
    }

    /// The API key (for CDP keys, the key name), as requests carry it.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    fn hmac(
        kind: AccountKind,
        settings: KeySettings,
        key_header: &str,
        passphrase_header: Option<&str>,
        raw: Option<RawSecrets>,
    ) -> Result<Self, Error> {
        let signed = dummy_signature(kind.signer())?;
        let missing = |field| Error::InvalidHeaderValue { field };
        // A key that is an item of the Authorization header (Deribit's `id=…`) is read from there.
        let api_key = header_text(&signed, key_header)
            .or_else(|| {
                let authorization = header_text(&signed, "authorization")?;
                cexsign::authorization_item(&authorization, key_header).map(str::to_owned)
            })
            // A key that is a field of the body the signer sends (Crypto.com's `api_key`).
            .or_else(|| signed.wire_body().and_then(|body| cexsign::body_field(body, key_header)))
            .ok_or(missing("API key"))?;
        let passphrase = match passphrase_header {
            Some(name) => Some(SecretString::from(header_text(&signed, name).ok_or(missing("passphrase"))?)),
            None => None,
        };
        Ok(Self { api_key, passphrase, settings, kind, raw, last_nonce: AtomicU64::new(0) })
    }

    /// A key whose tokens name it in a claim ([`RestVerification::NonceToken`]): the account
    /// knows it by that claim of a token it signs.
    fn nonce_token_key(
        kind: AccountKind,
        settings: KeySettings,
        key_claim: &str,
        raw: Option<RawSecrets>,
    ) -> Result<Self, Error> {
        let signed = dummy_signature(kind.signer())?;
        let api_key = header_text(&signed, "authorization")
            .and_then(|value| value.strip_prefix("Bearer ").and_then(|token| token_claim(token, key_claim)))
            .ok_or(Error::InvalidHeaderValue { field: "API key" })?;
        Ok(Self { api_key, passphrase: None, settings, kind, raw, last_nonce: AtomicU64::new(0) })
    }

    /// Records `nonce` as the key's last one if it is above the last; otherwise leaves it and
    /// answers the last nonce the key used.
    pub(crate) fn advance_nonce(&self, nonce: u64) -> Result<(), u64> {
        self.last_nonce
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| (nonce > last).then_some(nonce))
            .map(|_| ())
    }

    pub(crate) fn signer(&self) -> &dyn Signer {
        self.kind.signer()
    }

    /// Whether `sent` is the passphrase (header value) the account's signer sends, compared in
    /// constant time. Accounts without a passphrase match nothing.
    pub fn passphrase_matches(&self, sent: &str) -> bool {
        match &self.passphrase {
            Some(expected) => expected.expose_secret().as_bytes().ct_eq(sent.as_bytes()).into(),
            None => false,
        }
    }

    /// Whether `sent` is the account's raw secret, compared in constant time (for a given
    /// length: the length of a fake secret is no secret). Accounts without one match nothing.
    pub(crate) fn secret_matches(&self, sent: &str) -> bool {
        match &self.raw {
            Some(raw) => raw.secret.expose_secret().as_bytes().ct_eq(sent.as_bytes()).into(),
            None => false,
        }
    }

    /// Replaces every occurrence of the key's raw passphrase in `text` by `<passphrase>`;
    /// whether there was one. Bounded: one pass per occurrence over a prehash the caller holds.
    pub(crate) fn hide_passphrase_in(&self, text: &mut Vec<u8>) -> bool {
        let Some(passphrase) = self.raw.as_ref().and_then(|raw| raw.passphrase.as_ref()) else { return false };
        let needle = passphrase.expose_secret().as_bytes();
        if needle.is_empty() || text.len() < needle.len() {
            return false;
        }
        let mut out = Vec::with_capacity(text.len());
        let mut rest = text.as_slice();
        let mut found = false;
        while let Some(at) = rest.windows(needle.len()).position(|window| window == needle) {
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(b"<passphrase>");
            rest = &rest[at + needle.len()..];
            found = true;
        }
        if found {
            out.extend_from_slice(rest);
            *text = out;
        }
        found
    }

    /// The key's raw credentials, for the diagnosis (none for keys that sign tokens): the same
    /// [`Credentials`] `cexsign diagnose` is given, so that both name the same mistakes.
    pub(crate) fn credentials(&self) -> Option<Credentials> {
        let raw = self.raw.as_ref()?;
        let credentials = Credentials::new().api_key(self.api_key.clone()).secret(raw.secret.clone());
        Some(match &raw.passphrase {
            Some(passphrase) => credentials.passphrase(passphrase.clone()),
            None => credentials,
        })
    }

    /// The settings the key was registered with (the exchange's extra checks read them).
    pub(crate) fn settings(&self) -> &KeySettings {
        &self.settings
    }

    /// The Binance key type, for Binance accounts.
    pub(crate) fn binance_key_type(&self) -> Option<BinanceKeyType> {
        match &self.kind {
            AccountKind::Binance(_, key_type) => Some(*key_type),
            _ => None,
        }
    }

    /// Whether the key signs with RSA: the only key type whose signature costs a millisecond.
    pub(crate) fn signs_slowly(&self) -> bool {
        matches!(self.kind, AccountKind::Binance(_, BinanceKeyType::Rsa) | AccountKind::Bybit(_, BybitKeyType::Rsa))
    }

    /// The Bybit signer, for Bybit accounts (to sign with the request's own `recv_window`).
    pub(crate) fn bybit_signer(&self) -> Option<&BybitSigner> {
        match &self.kind {
            AccountKind::Bybit(signer, _) => Some(signer),
            _ => None,
        }
    }

    /// The CDP key, for CDP accounts.
    pub(crate) fn cdp(&self) -> Option<&CdpKey> {
        match &self.kind {
            AccountKind::CoinbaseCdp(key) => Some(key),
            _ => None,
        }
    }

    /// A short description for reasons: the exchange's name and, when its keys come in
    /// variants (the home's `key_variants`), this key's: "OKX (demo)", "KuCoin (v2)",
    /// "Binance (Ed25519)".
    pub fn describe(&self) -> String {
        let name = self.scheme().name();
        let variants = self.scheme().exchange().key_variants;
        let variant = match &self.kind {
            AccountKind::CoinbaseCdp(key) => Some(key.signer.key_type().alg().to_owned()),
            AccountKind::Binance(_, key_type) => Some(key_type.name().to_owned()),
            AccountKind::Bybit(_, key_type) => Some(key_type.name().to_owned()),
            AccountKind::Described(_) if variants.demo => {
                Some(if self.settings.demo { "demo" } else { "live" }.to_owned())
            }
            AccountKind::Described(_) => variants
                .key_versions
                .first()
                .map(|default| format!("v{}", self.settings.key_version.unwrap_or(*default))),
        };
        match variant {
            Some(variant) => format!("{name} ({variant})"),
            None => name.to_owned(),
        }
    }
}

impl AccountKind {
    pub(crate) fn signer(&self) -> &dyn Signer {
        match self {
            AccountKind::Described(signer) => signer.as_ref(),
            AccountKind::CoinbaseCdp(key) => &key.signer,
            AccountKind::Binance(signer, _) => signer,
            AccountKind::Bybit(signer, _) => signer,
        }
    }
}

impl CdpKey {
    /// The JWT `alg` the key signs with.
    pub(crate) fn alg(&self) -> &'static str {
        self.signer.key_type().alg()
    }

    /// Verifies a JWS signature over `message` with the account's public key.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        cexsign::diagnose::verify_jws(self.signer.key_type(), &self.public_key, message, signature)
    }
}

/// A request signed with the key, to read its auth headers from: `GET /`, or, for a scheme that
/// signs only the calls it knows (a call name per endpoint), its first order-placing request.
fn dummy_signature(signer: &dyn Signer) -> Result<SignedRequest, Error> {
    let at = WireTimestamp::render(signer.rest_timestamp_format(), DUMMY_INSTANT)?;
    let options = SignOptions::new();
    signer.sign_at(&SignableRequest::new(Method::Get, "/")?, &at, &options).or_else(|refused| {
        let Some(place) = signer.scheme().exchange().orders.placing.first() else { return Err(refused) };
        let method: Method = place.method.parse()?;
        signer.sign_at(&SignableRequest::new(method, place.path)?.with_body(b"{}"), &at, &options).map_err(|_| refused)
    })
}

fn header_text(signed: &SignedRequest, name: &str) -> Option<String> {
    signed.header(name).map(str::to_owned)
}

/// A string claim of a JWT, if the token has decodable claims carrying it.
fn token_claim(token: &str, name: &str) -> Option<String> {
    let claims = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get(name)?.as_str().map(str::to_owned)
}

/// The `kid` of a JWT's header, if the token has a decodable header carrying one.
fn token_kid(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("kid")?.as_str().map(str::to_owned)
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("scheme", &self.scheme())
            .field("kind", &self.describe())
            .field("api_key", &self.api_key)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_must_exceed_the_last_one_the_key_used() {
        let credentials = Credentials::new().api_key("key").secret("secret").passphrase("pass");
        let account = Account::new(Scheme::Okx, &credentials, &KeySettings::new()).unwrap();
        assert_eq!(account.advance_nonce(1_700_000_000_000_000), Ok(()));
        assert_eq!(account.advance_nonce(1_700_000_000_000_000), Err(1_700_000_000_000_000));
        // Milliseconds after microseconds are "small".
        assert_eq!(account.advance_nonce(1_700_000_000_001), Err(1_700_000_000_000_000));
        assert_eq!(account.advance_nonce(1_700_000_000_000_001), Ok(()));
    }
}
