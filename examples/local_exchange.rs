//! Runs the local exchange standalone, for bots written in any language: point the bot's (or
//! its SDK's) base URL at it and it answers as the exchange would, with the expected prehash on
//! every rejection.
//!
//! ```text
//! cargo run --example local_exchange -- [--port PORT] [--host ADDRESS]
//!     [--credentials FILE|-] [--print-config] [--show-secrets] [--serve-seconds N]
//!     [--faults FILE]
//! ```
//!
//! On start it prints its configuration as one JSON object on stdout (pretty-printed; with
//! `--print-config`, on a single line, for scripts to read), then serves until it is killed
//! (SIGINT/SIGTERM), or for `--serve-seconds` seconds. It never reads stdin except for
//! `--credentials -`, so it keeps serving in the background with stdin closed.
//!
//! # Credentials
//!
//! Without `--credentials`, fake accounts for every scheme and variant are registered: the
//! signing spec's worked-example keys (OKX live and demo, KuCoin v1/v2/v3, Delta, Coinbase
//! Exchange, Coinbase Advanced legacy HMAC, CDP ES256 and Ed25519), and for every scheme they do
//! not cover, the fake keys of its conformance vectors, read from `tests/vectors/<scheme id>.json`
//! (Binance HMAC, Ed25519 and RSA, Bybit HMAC and RSA, Kraken, Bitget, Gate, BitMEX). They are
//! printed in full (printing them is the point). `--credentials FILE`
//! (`-` for stdin) registers the accounts of a JSON file instead, in the credential format of
//! the conformance vectors plus a `scheme` field:
//!
//! ```json
//! [
//!   {"scheme": "okx", "api_key": "…", "secret": "…", "passphrase": "…", "demo": false},
//!   {"scheme": "okx", "api_key": "…", "secret": "…", "passphrase": "…", "demo": true},
//!   {"scheme": "kucoin", "api_key": "…", "secret": "…", "passphrase": "…", "key_version": 2},
//!   {"scheme": "delta", "api_key": "…", "secret": "…"},
//!   {"scheme": "coinbase_exchange", "api_key": "…", "secret": "<88-char base64>", "passphrase": "…"},
//!   {"scheme": "coinbase_advanced_hmac", "api_key": "…", "secret": "…"},
//!   {"scheme": "coinbase_cdp_jwt", "api_key": "organizations/…/apiKeys/…", "secret": "-----BEGIN EC PRIVATE KEY-----\n…", "key_type": "ES256"},
//!   {"scheme": "binance", "api_key": "…", "secret": "-----BEGIN PRIVATE KEY-----\n…", "key_type": "Ed25519"},
//!   {"scheme": "bybit", "api_key": "…", "secret": "…"},
//!   {"scheme": "kraken", "api_key": "…", "secret": "<88-char base64>"},
//!   {"scheme": "bitget", "api_key": "bg_…", "secret": "…", "passphrase": "…"},
//!   {"scheme": "gate", "api_key": "…", "secret": "…"},
//!   {"scheme": "bitmex", "api_key": "…", "secret": "…"}
//! ]
//! ```
//!
//! * `scheme`: a scheme id (`okx`, `kucoin`, `delta`, `coinbase_exchange`,
//!   `coinbase_advanced_hmac`, `coinbase_cdp_jwt`, `binance`, `bybit`, `kraken`, `bitget`,
//!   `gate`, `bitmex`: every id of the registry); several entries may share a scheme.
//! * `passphrase`: required where the exchange has one (its description's auth names list a
//!   passphrase: OKX, KuCoin, Coinbase Exchange, Bitget); refused for the others.
//! * `key_version`, `demo` and `key_type`: the settings that tell a scheme's keys apart, each
//!   refused for a scheme whose description lists none (`Exchange::key_variants`); their values
//!   are judged by the scheme's own signer. Today: `key_version` for KuCoin (`1`, `2` or `3`,
//!   default `3`, the official SDK's); `demo` for OKX (`true` for a demo-trading key, which must
//!   send `x-simulated-trading: 1`); `key_type` for CDP (`ES256` or `EdDSA`, checked against the
//!   key), Binance (`HMAC`, `Ed25519` or `RSA`: the secret is then the PKCS#8 PEM private key)
//!   and Bybit (`HMAC` or `RSA`), told from the secret when not given.
//! * `label` (a name for the printout) and `notes` are optional and otherwise ignored.
//!
//! The file may also be an object: `{"accounts": [...]}` (so a printed configuration can be fed
//! back), or one entry, or a list of entries, per scheme id: `{"delta": {...}, "okx": [...]}`.
//! An unknown field, an unknown scheme, or the same key twice for one scheme is an error.
//!
//! # Faults on purpose
//!
//! `--faults FILE` schedules faults (see `cexsign_local_exchange::FaultRule`): a JSON list of
//! rules, each with an optional `method`, a `path` pattern (exact, a prefix ending in `*`, or
//! `*`; default `*`), an optional `key`, and a `schedule`: the faults the matching verified
//! requests take, in turn, written as the verified-request log names them:
//!
//! ```json
//! [
//!   {"method": "POST", "path": "/api/v5/trade/order", "schedule": ["lost_response", "status 503", "rate_limited 2s"]},
//!   {"path": "/api/v3/*", "key": "…", "schedule": ["latency 250ms", "busy", "closed_before_processing"]}
//! ]
//! ```
//!
//! `pass` (served as usual), `status <code>` (a gateway's answer, nothing placed),
//! `status_after_processing <code>` (the order placed, then that status answered),
//! `rate_limited <duration>` (429, `Retry-After`, the exchange's rate-limit body), `busy` (the
//! exchange's documented "busy, not processed" answer), `latency <duration>`,
//! `closed_before_processing` (the connection closed, nothing placed), `lost_response` or
//! `lost_response <duration>` (the order placed, the connection closed at once or after the
//! duration). On a private stream (`"method": "WEBSOCKET"` and the stream's path, each message
//! the client sends taking the next fault), `stream_dropped` or `stream_closed` ends the
//! connection without or with a close frame. The file may also be an object `{"faults": [...]}`.
//!
//! # The printed configuration
//!
//! `base_url` (`http://HOST:PORT`), `base_urls` (the same URL per scheme id: one listener serves
//! every scheme and dispatches on the auth headers, so each SDK's base URL or host option is set
//! to it), `cdp_jwt_hosts` (the hosts a CDP token's `uri` claim may name), the server-time
//! endpoints, the websocket login check URL, and `accounts`: the credentials in use. Secrets and
//! passphrases of accounts from `--credentials` are left out (`"secret_shown": false`) unless
//! `--show-secrets` is given; the built-in fakes are always shown. An account's `label`, unless
//! given, is the scheme's name and the key's variant (`KuCoin v2`, `OKX demo`, `Binance (RSA)`);
//! its `notes`, unless given, are what the exchange's description says a client must get right
//! (the signature's layout, the timestamp window, the pitfalls).

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use cexsign::{Credentials, Exchange, KeySettings, RestVerification, Scheme};
use cexsign_local_exchange::{Account, Fault, FaultRule, LocalExchange};
use serde::{Deserialize, Serialize};
use serde_json::Value;

const USAGE: &str = "usage: local_exchange [--port PORT] [--host ADDRESS] [--credentials FILE|-] [--print-config]
                      [--show-secrets] [--serve-seconds N]

  --port PORT          port to listen on (default 0: any free port)
  --host ADDRESS       address to bind (default 127.0.0.1)
  --credentials FILE   register the accounts of this JSON file (- for stdin) instead of the built-in fakes
  --print-config       print the configuration as one line of JSON (default: pretty-printed)
  --show-secrets       also print the secrets and passphrases given with --credentials
  --serve-seconds N    stop after N seconds (default: serve until killed)
  --faults FILE        schedule faults on purpose (latency, busy, 429, closed or lost answers) from this JSON file";

/// The CDP host a production-configured SDK names in its JWT `uri` claim.
const CDP_PRODUCTION_HOST: &str = "api.coinbase.com";

/// Where the conformance vectors are, whose fake keys are built in for the schemes the signing
/// spec's worked examples do not cover.
const VECTORS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");

const CDP_ES256_PEM: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49
AwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR
s8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==
-----END EC PRIVATE KEY-----
";

/// One account as given: the vectors' credential format plus `scheme`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    scheme: String,
    #[serde(default)]
    label: Option<String>,
    api_key: String,
    secret: Option<String>,
    #[serde(default)]
    passphrase: Option<String>,
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

/// One registered account, checked, with what is printed about it.
#[derive(Debug)]
struct Registered {
    scheme: Scheme,
    label: String,
    api_key: String,
    secret: String,
    passphrase: Option<String>,
    /// The key's version, where the scheme's keys have one (the assumed one when not given).
    key_version: Option<u32>,
    /// The key's type as given, spelled as the scheme's signer takes it.
    key_type: Option<&'static str>,
    /// Whether it is a demo-trading key, where the scheme tells demo from live keys.
    demo: Option<bool>,
    notes: String,
}

impl Registered {
    fn from_entry(entry: Entry) -> Result<Self, String> {
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
        let secret = entry.secret.clone().filter(|s| !s.is_empty()).ok_or_else(|| fail("secret is missing".into()))?;
        // A passphrase sent with each request, or one only signed (BitMart's memo).
        let takes_passphrase = exchange.rest_auth.is_some_and(|names| names.passphrase.is_some())
            || exchange.recipe.as_ref().is_ok_and(|recipe| recipe.parts.contains(&cexsign::recipe::Part::Passphrase));
        match (&entry.passphrase, takes_passphrase) {
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

    fn credentials(&self) -> Credentials {
        let credentials = Credentials::new().api_key(self.api_key.as_str()).secret(self.secret.as_str());
        match &self.passphrase {
            Some(passphrase) => credentials.passphrase(passphrase.as_str()),
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

    fn account(&self) -> Result<Account, cexsign::Error> {
        Account::new(self.scheme, &self.credentials(), &self.settings(None))
    }

    fn printed(&self, show_secret: bool) -> PrintedAccount<'_> {
        PrintedAccount {
            scheme: self.scheme.id(),
            label: &self.label,
            api_key: &self.api_key,
            secret: show_secret.then_some(self.secret.as_str()),
            passphrase: if show_secret { self.passphrase.as_deref() } else { None },
            secret_shown: (!show_secret).then_some(false),
            key_version: self.key_version,
            key_type: self.key_type,
            demo: self.demo,
            notes: &self.notes,
        }
    }
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
fn default_label(registered: &Registered) -> String {
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

/// One account as printed.
#[derive(Serialize)]
struct PrintedAccount<'a> {
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
fn vector_entries(scheme: Scheme, file: &str) -> Vec<Entry> {
    let document: Value = serde_json::from_str(file).unwrap_or_default();
    let mut entries: Vec<Entry> = Vec::new();
    for credentials in document["vectors"].as_array().into_iter().flatten().map(|vector| &vector["credentials"]) {
        let text = |name: &str| credentials[name].as_str().map(str::to_owned);
        let Some(api_key) = text("api_key") else { continue };
        if entries.iter().any(|entry| entry.api_key == api_key) {
            continue;
        }
        entries.push(Entry {
            scheme: scheme.id().into(),
            api_key,
            secret: text("secret"),
            // BitMart's vectors name the passphrase `memo`.
            passphrase: text("passphrase").or_else(|| text("memo")),
            key_version: credentials["key_version"].as_u64().and_then(|v| u32::try_from(v).ok()),
            key_type: text("key_type"),
            demo: credentials["demo"].as_bool(),
            ..Entry::default()
        });
    }
    entries
}

/// The built-in fakes: the signing spec's worked-example keys, and for every other scheme the
/// fake keys of its conformance vectors (`tests/vectors/<scheme id>.json`).
fn built_in_entries() -> Result<Vec<Entry>, String> {
    built_in_entries_from(Path::new(VECTORS_DIR))
}

fn built_in_entries_from(vectors: &Path) -> Result<Vec<Entry>, String> {
    let mut entries = worked_example_entries();
    for scheme in Scheme::ALL {
        if entries.iter().any(|entry| entry.scheme == scheme.id()) {
            continue;
        }
        let path = vectors.join(format!("{}.json", scheme.id()));
        let file = std::fs::read_to_string(&path)
            .map_err(|e| format!("the built-in {scheme} keys: cannot read {}: {e}", path.display()))?;
        let keys = vector_entries(scheme, &file);
        if keys.is_empty() {
            return Err(format!("the built-in {scheme} keys: {} has no vector with credentials", path.display()));
        }
        entries.extend(keys);
    }
    Ok(entries)
}

/// The signing spec's worked-example keys, labelled as its examples name them.
fn worked_example_entries() -> Vec<Entry> {
    let entry = |scheme: &str, label: &str, api_key: &str, secret: &str, passphrase: Option<&str>| Entry {
        scheme: scheme.into(),
        label: Some(label.into()),
        api_key: api_key.into(),
        secret: Some(secret.into()),
        passphrase: passphrase.map(Into::into),
        ..Entry::default()
    };
    let okx_secret = "22582BD0CFF14C41EDBF1AB98506286D";
    let okx_passphrase = Some("Passphrase1!");
    let kucoin = |label: &str, api_key: &str, version: u32| Entry {
        key_version: Some(version),
        ..entry("kucoin", label, api_key, "cde06451-dbed", Some("1111111"))
    };
    vec![
        Entry {
            demo: Some(false),
            ..entry("okx", "OKX live", "985d5b66-57ce-40fb-b714-afc0b9787083", okx_secret, okx_passphrase)
        },
        Entry {
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
        Entry {
            key_type: Some("ES256".into()),
            ..entry(
                "coinbase_cdp_jwt",
                "Coinbase CDP (ES256)",
                "organizations/00000000-0000-4000-8000-000000000000/apiKeys/11111111-1111-4111-8111-111111111111",
                CDP_ES256_PEM,
                None,
            )
        },
        Entry {
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
fn parse_credentials(text: &str) -> Result<Vec<Entry>, String> {
    let document: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let entry = |value: Value, at: &str| -> Result<Entry, String> {
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
    let list = |value: Value, at: &str| -> Result<Vec<Entry>, String> {
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
fn register(entries: Vec<Entry>) -> Result<Vec<Registered>, String> {
    let mut seen = HashSet::new();
    let mut registered = Vec::with_capacity(entries.len());
    for entry in entries {
        let account = Registered::from_entry(entry)?;
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

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    BuiltIn,
    File(PathBuf),
    Stdin,
}

#[derive(Debug, PartialEq, Eq)]
struct Options {
    addr: SocketAddr,
    source: Source,
    print_config: bool,
    show_secrets: bool,
    serve_seconds: Option<u64>,
    faults: Option<PathBuf>,
}

/// The arguments, parsed by hand; `None` for `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut host = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut port = 0u16;
    let mut options = Options {
        addr: SocketAddr::new(host, port),
        source: Source::BuiltIn,
        print_config: false,
        show_secrets: false,
        serve_seconds: None,
        faults: None,
    };
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).ok_or(format!("{name} needs a value"));
        let flag = |inline: &Option<String>| match inline {
            Some(_) => Err(format!("{name} takes no value")),
            None => Ok(true),
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" | "-p" => {
                let text = value()?;
                port = text.parse().map_err(|_| format!("--port: {text:?} is not a port number (0-65535)"))?;
            }
            "--host" => {
                let text = value()?;
                host = text.parse().map_err(|_| format!("--host: {text:?} is not an IP address"))?;
            }
            "--credentials" => {
                let text = value()?;
                options.source = if text == "-" { Source::Stdin } else { Source::File(PathBuf::from(text)) };
            }
            "--serve-seconds" => {
                let text = value()?;
                let seconds = text.parse().map_err(|_| format!("--serve-seconds: {text:?} is not a whole number"))?;
                options.serve_seconds = Some(seconds);
            }
            "--faults" => options.faults = Some(PathBuf::from(value()?)),
            "--print-config" => options.print_config = flag(&inline)?,
            "--show-secrets" => options.show_secrets = flag(&inline)?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    options.addr = SocketAddr::new(host, port);
    Ok(Some(options))
}

/// The accounts to register, from the built-in fakes or the credentials document.
fn load_accounts(source: &Source) -> Result<Vec<Registered>, String> {
    let entries = match source {
        Source::BuiltIn => built_in_entries()?,
        Source::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            parse_credentials(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        Source::Stdin => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read stdin: {e}"))?;
            parse_credentials(&text).map_err(|e| format!("stdin: {e}"))?
        }
    };
    register(entries)
}

#[derive(Serialize)]
struct Config<'a> {
    base_url: &'a str,
    base_urls: serde_json::Map<String, Value>,
    host: String,
    port: u16,
    cdp_jwt_hosts: Vec<String>,
    credentials: String,
    note: &'static str,
    server_time: Vec<String>,
    websocket_login_check: String,
    accounts: Vec<PrintedAccount<'a>>,
}

fn config<'a>(base_url: &'a str, addr: SocketAddr, options: &Options, accounts: &'a [Registered]) -> Config<'a> {
    let base_urls = Scheme::ALL.iter().map(|s| (s.id().to_owned(), Value::String(base_url.to_owned()))).collect();
    let host = addr.ip().to_string();
    let show_secret = options.source == Source::BuiltIn || options.show_secrets;
    Config {
        base_url,
        base_urls,
        host: host.clone(),
        port: addr.port(),
        cdp_jwt_hosts: vec![host, CDP_PRODUCTION_HOST.to_owned()],
        credentials: match &options.source {
            Source::BuiltIn => {
                "built-in fakes (the signing spec's worked-example keys, and the conformance vectors' keys of the \
                 other schemes)"
                    .to_owned()
            }
            Source::File(path) => format!("file {}", path.display()),
            Source::Stdin => "stdin".to_owned(),
        },
        note: "fake credentials for the local exchange only; one listener serves every scheme (dispatching on the \
               auth headers); every rejection carries cexsign_reason and cexsign_expected_prehash",
        server_time: server_time_endpoints(),
        websocket_login_check: format!("POST {base_url}/cexsign/ws/<scheme>"),
        accounts: accounts.iter().map(|a| a.printed(show_secret)).collect(),
    }
}

/// Every scheme's server-time endpoints, once each (Coinbase's APIs share theirs).
fn server_time_endpoints() -> Vec<String> {
    let mut endpoints: Vec<String> = Vec::new();
    for scheme in Scheme::ALL {
        let api = &scheme.exchange().server_time;
        for route in std::iter::once(&api.endpoint).chain(api.also) {
            let endpoint = format!("GET {}", route.path);
            if !endpoints.contains(&endpoint) {
                endpoints.push(endpoint);
            }
        }
    }
    endpoints
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!("{problem}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let accounts = match load_accounts(&options.source) {
        Ok(accounts) => accounts,
        Err(problem) => {
            eprintln!("{problem}");
            return ExitCode::from(2);
        }
    };

    let mut exchange = LocalExchange::new().with_cdp_host_alias(CDP_PRODUCTION_HOST);
    if let Some(path) = &options.faults {
        let rules = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
            .and_then(|text| parse_faults(&text).map_err(|e| format!("{}: {e}", path.display())));
        match rules {
            Ok(rules) => exchange = rules.into_iter().fold(exchange, LocalExchange::with_faults),
            Err(problem) => {
                eprintln!("{problem}");
                return ExitCode::from(2);
            }
        }
    }
    for registered in &accounts {
        match registered.account() {
            Ok(account) => exchange = exchange.with_account(account),
            Err(error) => {
                eprintln!("{}: {error}", registered.label);
                return ExitCode::from(2);
            }
        }
    }
    let running = match exchange.bind(options.addr).await {
        Ok(running) => running,
        Err(error) => {
            eprintln!("cannot listen on {}: {error}", options.addr);
            return ExitCode::FAILURE;
        }
    };

    let config = config(running.base_url(), running.local_addr(), &options, &accounts);
    let printed =
        if options.print_config { serde_json::to_string(&config) } else { serde_json::to_string_pretty(&config) };
    let mut stdout = std::io::stdout().lock();
    let written = match printed {
        Ok(json) => writeln!(stdout, "{json}").and_then(|()| stdout.flush()),
        Err(error) => Err(std::io::Error::other(error)),
    };
    drop(stdout);
    if let Err(error) = written {
        eprintln!("cannot print the configuration: {error}");
        return ExitCode::FAILURE;
    }
    match options.serve_seconds {
        Some(seconds) => {
            eprintln!("local exchange listening on {} for {seconds} s", running.base_url());
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            let served = running.requests_served();
            running.shutdown().await;
            eprintln!("local exchange stopped after {seconds} s ({served} requests served)");
        }
        None => {
            eprintln!("local exchange listening on {}; Ctrl-C to stop", running.base_url());
            // Serve until the process is killed (SIGINT/SIGTERM end it).
            std::future::pending::<()>().await;
        }
    }
    ExitCode::SUCCESS
}

/// The fault rules of a `--faults` document (see the module docs).
fn parse_faults(text: &str) -> Result<Vec<FaultRule>, String> {
    let document: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let rules = match &document {
        Value::Array(rules) => rules,
        Value::Object(fields) => match fields.get("faults") {
            Some(Value::Array(rules)) if fields.len() == 1 => rules,
            _ => return Err("expected a list of rules, or {\"faults\": [...]}".to_owned()),
        },
        _ => return Err("expected a list of rules, or {\"faults\": [...]}".to_owned()),
    };
    rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            let at = format!("rule {index}");
            let Value::Object(fields) = rule else { return Err(format!("{at}: not an object")) };
            if let Some(unknown) = fields.keys().find(|k| !["method", "path", "key", "schedule"].contains(&k.as_str()))
            {
                return Err(format!("{at}: unknown field {unknown:?}"));
            }
            let text = |name: &str| match fields.get(name) {
                None => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(_) => Err(format!("{at}: {name} is not a string")),
            };
            let mut built = FaultRule::new(text("path")?.unwrap_or_else(|| "*".to_owned()));
            if let Some(method) = text("method")? {
                built = built.method(method);
            }
            if let Some(key) = text("key")? {
                built = built.key(key);
            }
            let Some(Value::Array(schedule)) = fields.get("schedule") else {
                return Err(format!("{at}: schedule is not a list of faults"));
            };
            for fault in schedule {
                let fault = fault.as_str().ok_or(format!("{at}: a fault is not a string"))?;
                built = built.then(fault.parse::<Fault>().map_err(|e| format!("{at}: {e}"))?);
            }
            Ok(built)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_faults_document_reads_into_rules() {
        let rules = parse_faults(
            r#"{"faults": [{"method": "POST", "path": "/api/v5/trade/order", "schedule": ["lost_response", "rate_limited 2s"]},
                           {"schedule": ["busy"]}]}"#,
        )
        .unwrap();
        let expected = FaultRule::new("/api/v5/trade/order")
            .method("POST")
            .then(Fault::lose_response())
            .then(Fault::rate_limited(Duration::from_secs(2)));
        assert_eq!(rules, [expected, FaultRule::new("*").then(Fault::Busy)]);
        for wrong in [
            r#"[{"schedule": ["explode"]}]"#,
            r#"[{"path": 3, "schedule": []}]"#,
            r#"[{"schedule": ["busy"], "when": "now"}]"#,
            r#"[{"path": "/x"}]"#,
            r#"{"rules": []}"#,
        ] {
            assert!(parse_faults(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn a_credential_of_the_wrong_type_is_named_not_printed() {
        for (field, value) in [("passphrase", "918273645"), ("secret", "[4711,815]"), ("api_key", "{\"k\":66613}")] {
            let mut entry = serde_json::json!({"scheme": "okx", "api_key": "k", "secret": "s", "passphrase": "p"});
            entry[field] = serde_json::from_str(value).unwrap();
            let error = parse_credentials(&serde_json::json!([entry]).to_string()).expect_err("refused");
            assert!(error.contains(field) && error.contains("must be a JSON string"), "{error}");
            for secret in ["918273645", "4711", "815", "66613"] {
                assert!(!error.contains(secret), "{error}");
            }
        }
        // Another field's type error still reads as serde writes it.
        let error = parse_credentials(r#"[{"scheme":"okx","api_key":"k","secret":"s","passphrase":"p","demo":"yes"}]"#)
            .expect_err("refused");
        assert!(error.contains("entry[0]") && error.contains("expected a boolean"), "{error}");
    }

    fn args(list: &[&str]) -> Result<Option<Options>, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    fn addr(list: &[&str]) -> SocketAddr {
        args(list).unwrap().unwrap().addr
    }

    #[test]
    fn parses_arguments() {
        assert_eq!(addr(&[]), "127.0.0.1:0".parse().unwrap());
        assert_eq!(addr(&["--port", "8080"]), "127.0.0.1:8080".parse().unwrap());
        assert_eq!(addr(&["--port=8081", "--host", "::1"]), "[::1]:8081".parse().unwrap());
        let all = args(&["--credentials", "c.json", "--print-config", "--show-secrets", "--serve-seconds=5"]);
        let all = all.unwrap().unwrap();
        assert_eq!(all.source, Source::File("c.json".into()));
        assert!(all.print_config && all.show_secrets);
        assert_eq!(all.serve_seconds, Some(5));
        assert_eq!(args(&["--credentials", "-"]).unwrap().unwrap().source, Source::Stdin);
        assert_eq!(args(&["--help"]).unwrap(), None);
        for bad in [
            &["--port"][..],
            &["--port", "99999"],
            &["--host", "localhost"],
            &["--verbose"],
            &["--print-config=yes"],
            &["--serve-seconds", "soon"],
        ] {
            assert!(args(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_built_in_account_registers() {
        let accounts = built_in_entries().and_then(register).unwrap();
        // 10 worked-example keys for six schemes; the vectors' keys of the others: Binance 3,
        // Bybit 2, Kraken, Bitget, Gate, BitMEX, Bitfinex, Deribit, BitMart, Kraken Futures, MEXC,
        // Hyperliquid, Backpack, Upbit and Crypto.com 1 each.
        assert_eq!(accounts.len(), 28);
        for registered in &accounts {
            let account = registered.account().unwrap();
            assert_eq!(account.scheme(), registered.scheme, "{}", registered.label);
        }
        for scheme in Scheme::ALL {
            assert!(accounts.iter().any(|a| a.scheme == scheme), "no built-in {scheme}");
        }
        let labels: Vec<&str> = accounts.iter().map(|a| a.label.as_str()).collect();
        for label in
            ["KuCoin v1", "Coinbase CDP (Ed25519)", "Binance (Ed25519)", "Binance (RSA)", "Bybit (RSA)", "Bitget"]
        {
            assert!(labels.contains(&label), "{label}: {labels:?}");
        }
    }

    #[test]
    fn every_scheme_states_the_key_settings_its_signer_reads() {
        let accounts = built_in_entries().and_then(register).unwrap();
        for scheme in Scheme::ALL {
            let credentials = accounts.iter().find(|a| a.scheme == scheme).unwrap().credentials();
            let variants = scheme.exchange().key_variants;
            if !variants.key_types.is_empty() {
                let settings = KeySettings::new().key_type("no-such-key-type");
                let Err(refused) = scheme.exchange().signer(&credentials, &settings) else {
                    panic!("{scheme} takes any key type");
                };
                let refused = refused.to_string();
                for key_type in variants.key_types {
                    assert!(refused.contains(key_type), "{scheme}: {refused}");
                }
            }
            if let Some(beyond) = variants.key_versions.iter().max().map(|v| v + 1) {
                let settings = KeySettings::new().key_version(beyond);
                assert!(scheme.exchange().signer(&credentials, &settings).is_err(), "{scheme} v{beyond}");
            }
        }
    }

    #[test]
    fn built_in_labels_and_notes_come_from_the_descriptions() {
        let accounts = built_in_entries().and_then(register).unwrap();
        let bitmex = accounts.iter().find(|a| a.scheme == Scheme::Bitmex).expect("a built-in BitMEX key");
        assert_eq!(bitmex.label, "BitMEX");
        let Some(RestVerification::Headers(check)) = Some(Scheme::Bitmex.exchange().rest_verification) else {
            panic!("BitMEX keys are verified by the generic header check");
        };
        assert!(bitmex.notes.contains(check.signature_layout), "{}", bitmex.notes);
        let binance = accounts.iter().find(|a| a.label == "Binance (Ed25519)").unwrap();
        assert_eq!(binance.key_type, Some("Ed25519"));
        assert!(binance.notes.contains("recvWindow"), "{}", binance.notes);
        let kucoin = register(
            parse_credentials(r#"[{"scheme":"kucoin","api_key":"k","secret":"s","passphrase":"p"}]"#).unwrap(),
        )
        .unwrap();
        assert_eq!((kucoin[0].key_version, kucoin[0].label.as_str()), (Some(3), "KuCoin v3"));
        let given = r#"[{"scheme":"bybit","api_key":"k","secret":"s","key_type":"hmac"}]"#;
        assert_eq!(register(parse_credentials(given).unwrap()).unwrap()[0].label, "Bybit (HMAC)");
    }

    #[test]
    fn a_key_type_the_secret_is_not_is_named() {
        let text = r#"[{"scheme":"binance","api_key":"k","secret":"s","key_type":"rsa"}]"#;
        let error = parse_credentials(text).and_then(register).unwrap_err();
        assert!(error.contains(r#"key_type is "rsa" but the secret is an HMAC key"#), "{error}");
    }

    #[test]
    fn a_key_type_not_given_is_told_from_the_secret() {
        let accounts = built_in_entries().and_then(register).unwrap();
        for given in accounts.iter().filter(|a| a.key_type.is_some()) {
            let mut entry =
                serde_json::json!({"scheme": given.scheme.id(), "api_key": given.api_key, "secret": given.secret});
            if let Some(passphrase) = &given.passphrase {
                entry["passphrase"] = passphrase.as_str().into();
            }
            let told = register(parse_credentials(&entry.to_string()).unwrap()).unwrap();
            assert_eq!((told[0].key_type, told[0].account().unwrap().scheme()), (given.key_type, given.scheme));
        }
    }

    #[test]
    fn built_in_keys_need_the_vectors() {
        let error = built_in_entries_from(Path::new("/nonexistent/vectors")).unwrap_err();
        assert!(error.contains("/nonexistent/vectors/") && error.contains("cannot read"), "{error}");
    }

    #[test]
    fn serves_every_schemes_server_time() {
        let endpoints = server_time_endpoints();
        for scheme in Scheme::ALL {
            let endpoint = format!("GET {}", scheme.exchange().server_time.endpoint.path);
            assert!(endpoints.contains(&endpoint), "{scheme}: {endpoints:?}");
        }
        let unique: HashSet<&String> = endpoints.iter().collect();
        assert_eq!(unique.len(), endpoints.len(), "{endpoints:?}");
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
            let registered = register(parse_credentials(text).unwrap()).unwrap();
            assert_eq!(registered.len(), 2, "{text}");
            let kucoin = registered.iter().find(|a| a.scheme == Scheme::Kucoin).unwrap();
            assert_eq!(kucoin.key_version, Some(2));
            assert_eq!(kucoin.label, "KuCoin v2");
            registered.iter().for_each(|a| drop(a.account().unwrap()));
        }
        let one = r#"{"scheme":"okx","api_key":"k","secret":"s","passphrase":"p","demo":true}"#;
        let okx = register(parse_credentials(one).unwrap()).unwrap();
        assert_eq!((okx[0].demo, okx[0].label.as_str()), (Some(true), "OKX demo"));
    }

    #[test]
    fn a_printed_configuration_reads_back() {
        let accounts = built_in_entries().and_then(register).unwrap();
        let options = args(&[]).unwrap().unwrap();
        let printed = serde_json::to_string(&config("http://127.0.0.1:1", options.addr, &options, &accounts)).unwrap();
        let again = register(parse_credentials(&printed).unwrap()).unwrap();
        assert_eq!(again.len(), accounts.len());
        for (a, b) in accounts.iter().zip(&again) {
            assert_eq!(
                (a.scheme, &a.api_key, &a.secret, &a.passphrase),
                (b.scheme, &b.api_key, &b.secret, &b.passphrase)
            );
            assert_eq!((a.key_version, a.key_type, a.demo), (b.key_version, b.key_type, b.demo));
        }
    }

    #[test]
    fn secrets_from_a_file_are_not_echoed_unless_asked() {
        let text = r#"[{"scheme":"okx","api_key":"k","secret":"SECRET-1","passphrase":"PASS-1"}]"#;
        let accounts = register(parse_credentials(text).unwrap()).unwrap();
        let mut options = args(&["--credentials", "c.json"]).unwrap().unwrap();
        let hidden = serde_json::to_string(&config("http://x", options.addr, &options, &accounts)).unwrap();
        assert!(!hidden.contains("SECRET-1") && !hidden.contains("PASS-1"), "{hidden}");
        assert!(hidden.contains(r#""secret_shown":false"#), "{hidden}");
        options.show_secrets = true;
        let shown = serde_json::to_string(&config("http://x", options.addr, &options, &accounts)).unwrap();
        assert!(shown.contains("SECRET-1") && shown.contains("PASS-1"), "{shown}");
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
            let error = parse_credentials(text).and_then(register).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
