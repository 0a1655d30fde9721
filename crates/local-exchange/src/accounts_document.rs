//! The accounts document: the JSON a standalone local exchange (or a test in another language)
//! registers its accounts from, in the conformance vectors' credential format plus `scheme`.
//!
//! Read by the `local_exchange` example's `--credentials` and by the Python package's
//! `LocalExchange(accounts)`, so that both check an entry the same way: an unknown scheme, a
//! passphrase where the exchange has none (or none where it needs one), a key setting the
//! scheme's keys do not have, a value its signer refuses, the same key twice. Errors name the
//! entry and the field, never a credential's value.

use std::collections::HashSet;

use cexsign::{Credentials, Exchange, KeySettings, RestVerification, Scheme};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Account;

/// A fake ES256 CDP key (the signing spec's worked example), one of the worked-example accounts.
const CDP_ES256_PEM: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49
AwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR
s8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==
-----END EC PRIVATE KEY-----
";

/// One account as given: the vectors' credential format plus `scheme`.
///
/// Its `Debug` hides the secret and the passphrase.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountEntry {
    scheme: String,
    #[serde(default)]
    label: Option<String>,
    api_key: String,
    secret: Option<SecretString>,
    #[serde(default)]
    passphrase: Option<SecretString>,
    #[serde(default)]
    key_version: Option<u32>,
    #[serde(default)]
    key_type: Option<String>,
    #[serde(default)]
    demo: Option<bool>,
    #[serde(default)]
    notes: Option<String>,
    /// Present in a printed configuration; ignored.
    #[serde(default, rename = "secret_shown")]
    _secret_shown: Option<bool>,
}

impl std::fmt::Debug for AccountEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountEntry")
            .field("scheme", &self.scheme)
            .field("label", &self.label)
            .field("api_key", &self.api_key)
            .field("key_version", &self.key_version)
            .field("key_type", &self.key_type)
            .field("demo", &self.demo)
            .finish_non_exhaustive()
    }
}

impl AccountEntry {
    /// The scheme id the entry names (not yet checked).
    pub fn scheme(&self) -> &str {
        &self.scheme
    }
}

/// One registered account, checked, with what is printed about it. Its `Debug` hides the
/// secret and the passphrase.
#[derive(Debug)]
pub struct RegisteredAccount {
    scheme: Scheme,
    label: String,
    api_key: String,
    secret: SecretString,
    passphrase: Option<SecretString>,
    /// The key's version, where the scheme's keys have one (the assumed one when not given).
    key_version: Option<u32>,
    /// The key's type as given, spelled as the scheme's signer takes it.
    key_type: Option<&'static str>,
    /// Whether it is a demo-trading key, where the scheme tells demo from live keys.
    demo: Option<bool>,
    notes: String,
}

impl RegisteredAccount {
    fn from_entry(entry: AccountEntry) -> Result<Self, String> {
        let scheme = Scheme::from_id(&entry.scheme).ok_or_else(|| {
            let ids: Vec<&str> = Scheme::ALL.iter().map(|s| s.id()).collect();
            format!("unknown scheme {:?} (one of: {})", entry.scheme, ids.join(", "))
        })?;
        let exchange = scheme.exchange();
        let variants = exchange.key_variants;
        let name = entry.label.clone().unwrap_or_else(|| format!("{} key {}", scheme.id(), entry.api_key));
        let fail = |problem: String| format!("{name}: {problem}");
        if entry.api_key.is_empty() {
            return Err(fail("api_key is empty".into()));
        }
        let secret = entry
            .secret
            .clone()
            .filter(|s| !s.expose_secret().is_empty())
            .ok_or_else(|| fail("secret is missing".into()))?;
        match (&entry.passphrase, takes_passphrase(exchange)) {
            (None, true) => return Err(fail(format!("{} keys need a passphrase", scheme.name()))),
            (Some(_), false) => return Err(fail(format!("{} keys have no passphrase", scheme.name()))),
            _ => {}
        }
        // A setting the scheme's keys do not have would be ignored by its signer: refused instead.
        let settings_taken = [
            ("key_version", entry.key_version.is_some(), !variants.key_versions.is_empty()),
            ("demo", entry.demo.is_some(), variants.demo),
            ("key_type", entry.key_type.is_some(), !variants.key_types.is_empty()),
        ];
        for (setting, given, taken) in settings_taken {
            if given && !taken {
                return Err(fail(format!("{setting} is for {} keys only", schemes_taking(setting))));
            }
        }
        let key_version = entry.key_version.or_else(|| variants.key_versions.first().copied());
        let demo = variants.demo.then_some(entry.demo.unwrap_or(false));
        let key_type = entry
            .key_type
            .as_deref()
            .map(|given| variants.key_types.iter().copied().find(|known| known.eq_ignore_ascii_case(given)));
        let mut registered = Self {
            scheme,
            label: String::new(),
            api_key: entry.api_key,
            secret,
            passphrase: entry.passphrase,
            key_version,
            key_type: key_type.flatten(),
            demo,
            notes: entry.notes.unwrap_or_else(|| default_notes(exchange)),
        };
        // The scheme's own signer judges the values (an unknown key type or version, a key type
        // the secret is not), with its typed errors.
        if let Err(error) = exchange.signer(&registered.credentials(), &registered.settings(entry.key_type.as_deref()))
        {
            let actual = registered.key_types_of_secret();
            return Err(fail(match (registered.key_type, actual.as_slice()) {
                (Some(stated), [_, ..]) if !actual.contains(&stated) => format!(
                    "key_type is {:?} but the secret is an {} key",
                    entry.key_type.unwrap_or_default(),
                    actual.join(" or ")
                ),
                _ => error.to_string(),
            }));
        }
        // Not given, the key type is the one the secret is, when only one fits (as the scheme's
        // signer tells it); it is then printed, and fed back as given.
        if registered.key_type.is_none() {
            if let [only] = registered.key_types_of_secret().as_slice() {
                registered.key_type = Some(*only);
            }
        }
        registered.label = entry.label.unwrap_or_else(|| default_label(&registered));
        Ok(registered)
    }

    /// The scheme the account is registered for.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Its label: as given, or the scheme's name and the key's variant (`KuCoin v2`).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Its API key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The key's version, where the scheme's keys have one (the assumed one when not given).
    pub fn key_version(&self) -> Option<u32> {
        self.key_version
    }

    /// The key's type, as given or as told from the secret.
    pub fn key_type(&self) -> Option<&'static str> {
        self.key_type
    }

    /// Whether it is a demo-trading key, where the scheme tells demo from live keys.
    pub fn demo(&self) -> Option<bool> {
        self.demo
    }

    /// What a client must get right for this key (from the exchange's description), or the
    /// entry's own notes.
    pub fn notes(&self) -> &str {
        &self.notes
    }

    /// The key's credentials.
    pub fn credentials(&self) -> Credentials {
        let credentials = Credentials::new().api_key(self.api_key.as_str()).secret(self.secret.expose_secret());
        match &self.passphrase {
            Some(passphrase) => credentials.passphrase(passphrase.expose_secret()),
            None => credentials,
        }
    }

    /// The key's settings, with the key type as given (`given`, which the signer judges) or as
    /// registered.
    fn settings(&self, given: Option<&str>) -> KeySettings {
        let mut settings = KeySettings::new().demo(self.demo == Some(true));
        if let Some(version) = self.key_version {
            settings = settings.key_version(version);
        }
        if let Some(key_type) = given.or(self.key_type) {
            settings = settings.key_type(key_type);
        }
        settings
    }

    /// The scheme's key types the secret can be, by its signer.
    fn key_types_of_secret(&self) -> Vec<&'static str> {
        let exchange = self.scheme.exchange();
        let credentials = self.credentials();
        let fits = |key_type: &&str| exchange.signer(&credentials, &self.settings(None).key_type(*key_type)).is_ok();
        exchange.key_variants.key_types.iter().copied().filter(fits).collect()
    }

    /// The key's settings (type, version, demo) as registered.
    pub fn key_settings(&self) -> KeySettings {
        self.settings(None)
    }

    /// The account the local exchange registers.
    pub fn account(&self) -> Result<Account, cexsign::Error> {
        Account::new(self.scheme, &self.credentials(), &self.settings(None))
    }

    /// The account as a configuration prints it (and reads it back): the secret and the
    /// passphrase only when `show_secret`.
    pub fn printed(&self, show_secret: bool) -> PrintedAccount<'_> {
        PrintedAccount {
            scheme: self.scheme.id(),
            label: &self.label,
            api_key: &self.api_key,
            secret: show_secret.then_some(self.secret.expose_secret()),
            passphrase: if show_secret { self.passphrase.as_ref().map(ExposeSecret::expose_secret) } else { None },
            secret_shown: (!show_secret).then_some(false),
            key_version: self.key_version,
            key_type: self.key_type,
            demo: self.demo,
            notes: &self.notes,
        }
    }
}

/// Whether the exchange's keys have a passphrase: one sent with each request, or one only signed
/// (BitMart's memo).
pub fn takes_passphrase(exchange: &Exchange) -> bool {
    exchange.rest_auth.is_some_and(|names| names.passphrase.is_some())
        || exchange.recipe.as_ref().is_ok_and(|recipe| recipe.parts.contains(&cexsign::recipe::Part::Passphrase))
}

/// The schemes whose keys take `setting`: one by its name, several by the ids an entry's
/// `scheme` takes (which tell apart the schemes of one exchange, Coinbase's).
fn schemes_taking(setting: &str) -> String {
    let taking: Vec<Scheme> = Scheme::ALL
        .into_iter()
        .filter(|scheme| {
            let variants = scheme.exchange().key_variants;
            match setting {
                "key_version" => !variants.key_versions.is_empty(),
                "demo" => variants.demo,
                _ => !variants.key_types.is_empty(),
            }
        })
        .collect();
    match taking.as_slice() {
        [one] => one.name().to_owned(),
        [rest @ .., last] => {
            let ids: Vec<&str> = rest.iter().map(|s| s.id()).collect();
            format!("{} and {}", ids.join(", "), last.id())
        }
        [] => "no".to_owned(),
    }
}

/// The scheme's name and the key's variant: `KuCoin v2`, `OKX demo`, `Binance (RSA)`.
fn default_label(registered: &RegisteredAccount) -> String {
    let mut label = registered.scheme.name().to_owned();
    if let Some(version) = registered.key_version {
        label.push_str(&format!(" v{version}"));
    }
    if let Some(demo) = registered.demo {
        label.push_str(if demo { " demo" } else { " live" });
    }
    if let Some(key_type) = registered.key_type {
        label.push_str(&format!(" ({key_type})"));
    }
    label
}

/// What the exchange's description says a client must get right: how the signature is laid out
/// (where the generic header check verifies it), its timestamp window, its pitfalls.
fn default_notes(exchange: &Exchange) -> String {
    let mut notes = Vec::new();
    if let RestVerification::Headers(check) = &exchange.rest_verification {
        notes.push(check.signature_layout.to_owned());
    }
    match (exchange.diagnosis.window_in_words, exchange.window) {
        (Some(words), _) => notes.push(format!("window: {words}")),
        (None, Some(window)) => notes.push(format!("window {} s", window.as_secs())),
        (None, None) => {}
    }
    if !exchange.diagnosis.pitfalls.is_empty() {
        notes.push(exchange.diagnosis.pitfalls.to_owned());
    }
    notes.join("; ")
}

/// One account as printed: an entry of the accounts document.
#[derive(Serialize)]
pub struct PrintedAccount<'a> {
    scheme: &'static str,
    label: &'a str,
    api_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    passphrase: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_shown: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    demo: Option<bool>,
    notes: &'a str,
}

/// One entry per distinct key of a conformance vectors file.
pub fn vector_account_entries(scheme: Scheme, file: &str) -> Vec<AccountEntry> {
    let document: Value = serde_json::from_str(file).unwrap_or_default();
    let mut entries: Vec<AccountEntry> = Vec::new();
    for credentials in document["vectors"].as_array().into_iter().flatten().map(|vector| &vector["credentials"]) {
        let text = |name: &str| credentials[name].as_str().map(str::to_owned);
        let Some(api_key) = text("api_key") else { continue };
        if entries.iter().any(|entry| entry.api_key == api_key) {
            continue;
        }
        entries.push(AccountEntry {
            scheme: scheme.id().into(),
            api_key,
            secret: text("secret").map(SecretString::from),
            // BitMart's vectors name the passphrase `memo`.
            passphrase: text("passphrase").or_else(|| text("memo")).map(SecretString::from),
            key_version: credentials["key_version"].as_u64().and_then(|v| u32::try_from(v).ok()),
            key_type: text("key_type"),
            demo: credentials["demo"].as_bool(),
            ..AccountEntry::default()
        });
    }
    entries
}

/// The signing spec's worked-example keys, labelled as its examples name them.
pub fn worked_example_accounts() -> Vec<AccountEntry> {
    let entry = |scheme: &str, label: &str, api_key: &str, secret: &str, passphrase: Option<&str>| AccountEntry {
        scheme: scheme.into(),
        label: Some(label.into()),
        api_key: api_key.into(),
        secret: Some(SecretString::from(secret)),
        passphrase: passphrase.map(SecretString::from),
        ..AccountEntry::default()
    };
    let okx_secret = "22582BD0CFF14C41EDBF1AB98506286D";
    let okx_passphrase = Some("Passphrase1!");
    let kucoin = |label: &str, api_key: &str, version: u32| AccountEntry {
        key_version: Some(version),
        ..entry("kucoin", label, api_key, "cde06451-dbed", Some("1111111"))
    };
    vec![
        AccountEntry {
            demo: Some(false),
            ..entry("okx", "OKX live", "985d5b66-57ce-40fb-b714-afc0b9787083", okx_secret, okx_passphrase)
        },
        AccountEntry {
            demo: Some(true),
            ..entry("okx", "OKX demo", "demo-985d5b66-57ce-40fb-b714-afc0b9787083", okx_secret, okx_passphrase)
        },
        kucoin("KuCoin v1", "6422da9c97b45100018c6e61", 1),
        kucoin("KuCoin v2", "6422da9c97b45100018c6e62", 2),
        kucoin("KuCoin v3", "6422da9c97b45100018c6e63", 3),
        entry(
            "delta",
            "Delta",
            "a207900b7693435a8fa9230a38195d",
            "7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f",
            None,
        ),
        entry(
            "coinbase_exchange",
            "Coinbase Exchange",
            "0123456789abcdef0123456789abcdef",
            "3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==",
            Some("testpassphrase"),
        ),
        entry(
            "coinbase_advanced_hmac",
            "Coinbase Advanced (legacy HMAC)",
            "4wRFpLxVyT8hZ2Qn",
            "kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA",
            None,
        ),
        AccountEntry {
            key_type: Some("ES256".into()),
            ..entry(
                "coinbase_cdp_jwt",
                "Coinbase CDP (ES256)",
                "organizations/00000000-0000-4000-8000-000000000000/apiKeys/11111111-1111-4111-8111-111111111111",
                CDP_ES256_PEM,
                None,
            )
        },
        AccountEntry {
            key_type: Some("EdDSA".into()),
            ..entry(
                "coinbase_cdp_jwt",
                "Coinbase CDP (Ed25519)",
                "22222222-2222-4222-8222-222222222222",
                "rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==",
                None,
            )
        },
    ]
}

/// The entry fields that hold a credential.
const CREDENTIAL_FIELDS: [&str; 3] = ["api_key", "secret", "passphrase"];

/// Reads a credentials document: a list of entries, `{"accounts": [...]}`, or entries by scheme.
pub fn parse_accounts_document(text: &str) -> Result<Vec<AccountEntry>, String> {
    let document: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let entry = |value: Value, at: &str| -> Result<AccountEntry, String> {
        // serde's type errors quote the value they refused: a credential is named, never shown.
        if let Value::Object(fields) = &value {
            for name in CREDENTIAL_FIELDS {
                if fields.get(name).is_some_and(|field| !field.is_string()) {
                    return Err(format!("{at}: `{name}` must be a JSON string (quote it, even when it is all digits)"));
                }
            }
        }
        serde_json::from_value(value).map_err(|e| format!("{at}: {e}"))
    };
    let list = |value: Value, at: &str| -> Result<Vec<AccountEntry>, String> {
        match value {
            Value::Array(items) => {
                items.into_iter().enumerate().map(|(i, item)| entry(item, &format!("{at}[{i}]"))).collect()
            }
            Value::Object(_) => Ok(vec![entry(value, at)?]),
            _ => Err(format!("{at}: expected an entry or a list of entries")),
        }
    };
    let entries = match document {
        Value::Array(_) => list(document, "entry")?,
        Value::Object(mut map) if map.contains_key("accounts") => {
            list(map.remove("accounts").unwrap_or(Value::Null), "accounts")?
        }
        Value::Object(map) if map.contains_key("scheme") => list(Value::Object(map), "entry")?,
        Value::Object(map) => {
            let mut entries = Vec::new();
            for (scheme, value) in map {
                // Entries listed under a scheme id may leave out their `scheme` field.
                let with_scheme = |mut item: Value| {
                    if let Value::Object(fields) = &mut item {
                        fields.entry("scheme").or_insert_with(|| Value::String(scheme.clone()));
                    }
                    item
                };
                let value = match value {
                    Value::Array(items) => Value::Array(items.into_iter().map(with_scheme).collect()),
                    other => with_scheme(other),
                };
                for parsed in list(value, &scheme)? {
                    if parsed.scheme != scheme {
                        return Err(format!("{scheme}: an entry says scheme {:?}", parsed.scheme));
                    }
                    entries.push(parsed);
                }
            }
            entries
        }
        _ => return Err("expected a JSON list of entries or an object".into()),
    };
    if entries.is_empty() {
        return Err("no accounts in the credentials".into());
    }
    Ok(entries)
}

/// Checks every entry and refuses the same key twice for one scheme.
pub fn register_accounts(entries: Vec<AccountEntry>) -> Result<Vec<RegisteredAccount>, String> {
    let mut seen = HashSet::new();
    let mut registered = Vec::with_capacity(entries.len());
    for entry in entries {
        let account = RegisteredAccount::from_entry(entry)?;
        if !seen.insert((account.scheme, account.api_key.clone())) {
            return Err(format!(
                "{}: the key {:?} is listed twice for {}",
                account.label, account.api_key, account.scheme
            ));
        }
        registered.push(account);
    }
    Ok(registered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_of_the_wrong_type_is_named_not_printed() {
        for (field, value) in [("passphrase", "918273645"), ("secret", "[4711,815]"), ("api_key", "{\"k\":66613}")] {
            let mut entry = serde_json::json!({"scheme": "okx", "api_key": "k", "secret": "s", "passphrase": "p"});
            entry[field] = serde_json::from_str(value).unwrap();
            let error = parse_accounts_document(&serde_json::json!([entry]).to_string()).expect_err("refused");
            assert!(error.contains(field) && error.contains("must be a JSON string"), "{error}");
            for secret in ["918273645", "4711", "815", "66613"] {
                assert!(!error.contains(secret), "{error}");
            }
        }
        // Another field's type error still reads as serde writes it.
        let error =
            parse_accounts_document(r#"[{"scheme":"okx","api_key":"k","secret":"s","passphrase":"p","demo":"yes"}]"#)
                .expect_err("refused");
        assert!(error.contains("entry[0]") && error.contains("expected a boolean"), "{error}");
    }

    #[test]
    fn a_key_type_the_secret_is_not_is_named() {
        let text = r#"[{"scheme":"binance","api_key":"k","secret":"s","key_type":"rsa"}]"#;
        let error = parse_accounts_document(text).and_then(register_accounts).unwrap_err();
        assert!(error.contains(r#"key_type is "rsa" but the secret is an HMAC key"#), "{error}");
    }

    #[test]
    fn reads_every_credentials_shape() {
        let list = r#"[{"scheme":"delta","api_key":"k","secret":"s"},
                       {"scheme":"kucoin","api_key":"k","secret":"s","passphrase":"p","key_version":2}]"#;
        let by_scheme = r#"{"delta":{"api_key":"k","secret":"s"},
                            "kucoin":[{"api_key":"k","secret":"s","passphrase":"p","key_version":2}]}"#;
        let accounts = r#"{"accounts":[{"scheme":"delta","api_key":"k","secret":"s"},
                           {"scheme":"kucoin","api_key":"k","secret":"s","passphrase":"p","key_version":2}]}"#;
        for text in [list, by_scheme, accounts] {
            let registered = register_accounts(parse_accounts_document(text).unwrap()).unwrap();
            assert_eq!(registered.len(), 2, "{text}");
            let kucoin = registered.iter().find(|a| a.scheme == Scheme::Kucoin).unwrap();
            assert_eq!(kucoin.key_version, Some(2));
            assert_eq!(kucoin.label, "KuCoin v2");
            registered.iter().for_each(|a| drop(a.account().unwrap()));
        }
        let one = r#"{"scheme":"okx","api_key":"k","secret":"s","passphrase":"p","demo":true}"#;
        let okx = register_accounts(parse_accounts_document(one).unwrap()).unwrap();
        assert_eq!((okx[0].demo, okx[0].label.as_str()), (Some(true), "OKX demo"));
    }

    #[test]
    fn refuses_bad_credentials() {
        let cases = [
            ("not json", "not JSON"),
            ("[]", "no accounts"),
            (r#"[{"scheme":"no_such_exchange","api_key":"k","secret":"s"}]"#, "unknown scheme"),
            (r#"[{"scheme":"bitmex","api_key":"k","secret":"s","passphrase":"p"}]"#, "no passphrase"),
            (r#"[{"scheme":"bitmex","api_key":"k","secret":"s","key_version":2}]"#, "KuCoin keys only"),
            (r#"[{"scheme":"delta","api_key":"k","secret":"s","apikey":"x"}]"#, "unknown field"),
            (r#"[{"scheme":"delta","api_key":"k"}]"#, "secret is missing"),
            (r#"[{"scheme":"okx","api_key":"k","secret":"s"}]"#, "need a passphrase"),
            (r#"[{"scheme":"delta","api_key":"k","secret":"s","passphrase":"p"}]"#, "no passphrase"),
            (r#"[{"scheme":"kucoin","api_key":"k","secret":"s","passphrase":"p","key_version":4}]"#, "1, 2 or 3"),
            (r#"[{"scheme":"delta","api_key":"k","secret":"s","demo":true}]"#, "OKX keys only"),
            (r#"[{"scheme":"bitget","api_key":"k","secret":"s"}]"#, "need a passphrase"),
            (r#"[{"scheme":"gate","api_key":"k","secret":"s","key_type":"RSA"}]"#, "binance and bybit keys only"),
            (r#"[{"scheme":"binance","api_key":"k","secret":"s","key_type":"DSA"}]"#, "HMAC, Ed25519 or RSA"),
            (r#"[{"scheme":"bybit","api_key":"k","secret":"s","key_type":"Ed25519"}]"#, "HMAC or RSA"),
            (r#"[{"scheme":"coinbase_cdp_jwt","api_key":"k","secret":"nope"}]"#, "k"),
            (
                r#"[{"scheme":"coinbase_cdp_jwt","api_key":"k","key_type":"ES256",
                    "secret":"rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA=="}]"#,
                "EdDSA key",
            ),
            (
                r#"[{"scheme":"delta","api_key":"k","secret":"s"},{"scheme":"delta","api_key":"k","secret":"t"}]"#,
                "twice",
            ),
            (r#"{"delta":{"scheme":"okx","api_key":"k","secret":"s"}}"#, "says scheme"),
        ];
        for (text, expected) in cases {
            let error = parse_accounts_document(text).and_then(register_accounts).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
