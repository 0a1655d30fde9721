//! One diagnosis case read from JSON, with the field names of the conformance vectors:
//! `{"scheme", "kind", "credentials", "method", "path", "query", "body", "options", "sent"}`.
//!
//! The JSON is read as a generic value and each field taken out by hand, so that no error
//! message ever quotes a value from the input (a serde type error would quote the secret).

use secrecy::SecretString;
use serde_json::{Map, Value};

use super::{Diagnosis, SentRequest};
use crate::{Credentials, Error, KeySettings, KucoinKeyVersion, Scheme};

/// A request to diagnose, read from JSON: what `cexsign diagnose` reads on stdin.
///
/// | field | meaning |
/// |---|---|
/// | `scheme` | `okx`, `kucoin`, `delta`, `coinbase_exchange`, `coinbase_advanced_hmac`, `coinbase_cdp_jwt`, `binance`, `bybit`, `kraken`, `bitget`, `gate` |
/// | `kind` | `rest` (the default when a `path` is given) or `ws` |
/// | `credentials` | `api_key`, `secret`, `passphrase`, `key_version` (KuCoin), `key_type` (CDP: checked against the key; Binance: `HMAC`, `Ed25519` or `RSA`; Bybit: `HMAC` or `RSA`): the key's [`KeySettings`] |
/// | `method`, `path`, `query`, `body` | the request exactly as sent (`body` a string; `method` defaults to `GET`). Binance: the query or body carries the `signature` parameter, as sent |
/// | `options` | `demo` (OKX: the key is a demo key, `true`, or a live one, `false`), `host` (the API host), `key_version`, and for websocket messages `channel`/`channels` and `product_ids` (Gate: `payload`, `event`; Binance: `method` and `params`) |
/// | `sent` | the auth headers or websocket fields that were sent, name → value |
///
/// A conformance vector is a case too: without `sent`, its `expected.headers` and
/// `expected.fields` are taken as what was sent (and for Binance, `expected.wire` as the query and
/// body sent). `Debug` never shows a secret.
///
/// ```
/// use cexsign::diagnose::Case;
/// let case = Case::from_json(r#"{
///     "scheme": "delta",
///     "credentials": {"api_key": "a207900b7693435a8fa9230a38195d",
///                     "secret": "7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f"},
///     "method": "GET", "path": "/v2/orders", "query": "product_id=1&state=open",
///     "sent": {"api-key": "a207900b7693435a8fa9230a38195d", "timestamp": "1542110948",
///              "signature": "4e38dda3e6477092f360ba70399266d8145630b22bcc34c0ec7f804d5746877a"}
/// }"#)?;
/// assert_eq!(case.diagnose()?.verdict(), "correct");
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct Case {
    scheme: Scheme,
    credentials: Credentials,
    sent: SentRequest,
}

fn invalid(problem: impl Into<String>) -> Error {
    Error::InvalidDiagnosisInput { problem: problem.into() }
}

fn string_field(map: &Map<String, Value>, name: &str, what: &str) -> Result<Option<String>, Error> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(invalid(format!("{what}{name} must be a string"))),
    }
}

/// Whether a case without `kind` is a websocket message, told from the names of the values it
/// sent: the scheme's websocket auth fields (`apiKey`, `sign`, ...) that are not also its REST
/// auth headers make it one, its REST headers make it REST; a case naming both is ambiguous and
/// must say its kind. A case naming neither is REST when it has a path.
fn kind_of_fields<'n>(scheme: Scheme, sent: impl Iterator<Item = &'n str>, has_path: bool) -> Result<bool, Error> {
    let exchange = scheme.exchange();
    let names = |auth: Option<crate::AuthNames>| {
        auth.into_iter().flat_map(|n| [Some(n.key), Some(n.signature), Some(n.timestamp), n.passphrase]).flatten()
    };
    let rest: Vec<&str> = names(exchange.rest_auth).collect();
    let is_rest = |name: &str| rest.iter().any(|r| r.eq_ignore_ascii_case(name));
    let (mut rest_fields, mut ws_fields) = (Vec::new(), Vec::new());
    for name in sent {
        if is_rest(name) {
            rest_fields.push(name);
        } else if names(exchange.ws_auth).chain(names(exchange.ws_api_auth)).any(|w| w.eq_ignore_ascii_case(name)) {
            ws_fields.push(name);
        }
    }
    match (rest_fields.is_empty(), ws_fields.is_empty()) {
        (true, false) => Ok(true),
        (false, true) => Ok(false),
        (true, true) => Ok(!has_path),
        (false, false) => Err(invalid(format!(
            "sent names {} websocket login fields ({}) and {} REST headers ({}): add \"kind\": \"ws\" or \"kind\": \"rest\"",
            exchange.name,
            ws_fields.join(", "),
            exchange.name,
            rest_fields.join(", "),
        ))),
    }
}

fn strings_field(map: &Map<String, Value>, name: &str) -> Result<Vec<String>, Error> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(one)) => Ok(vec![one.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_owned).ok_or_else(|| invalid(format!("options.{name} must hold strings")))
            })
            .collect(),
        Some(_) => Err(invalid(format!("options.{name} must be a string or an array of strings"))),
    }
}

/// A key version (KuCoin's 1, 2 or 3), checked.
fn key_version(value: Option<&Value>) -> Result<Option<u32>, Error> {
    let number = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(text)) => text.trim().parse().ok(),
        Some(_) => None,
    };
    let number = number.ok_or_else(|| invalid("key_version must be 1, 2 or 3"))?;
    let number = u32::try_from(number).map_err(|_| invalid("key_version must be 1, 2 or 3"))?;
    KucoinKeyVersion::try_from(number).map(|_| Some(number))
}

/// The websocket message of a case, from its `options`.
fn ws_request(options: &Map<String, Value>) -> Result<SentRequest, Error> {
    let mut channels = strings_field(options, "channels")?;
    channels.extend(strings_field(options, "channel")?);
    // A feed is a channel under another name (Kraken Futures' `feed`).
    channels.extend(strings_field(options, "feed")?);
    // OKX's and Bitget's vectors name the login "channel": "login"; it is not a channel.
    channels.retain(|c| c != "login");
    let mut products = strings_field(options, "product_ids")?;
    // Gate's channel payload is a list of products; its ws API login's payload an object.
    if let Some(Value::Array(_)) = options.get("payload") {
        products.extend(strings_field(options, "payload")?);
    }
    let event = string_field(options, "event", "options.")?;
    let method = string_field(options, "method", "options.")?;
    let params: Vec<(String, Value)> = match options.get("params") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(params)) => params.iter().map(|(name, value)| (name.clone(), value.clone())).collect(),
        Some(_) => return Err(invalid("options.params must be an object {name: value}")),
    };
    let params: Vec<(&str, Value)> = params.iter().map(|(name, value)| (name.as_str(), value.clone())).collect();
    let sent = match (method, event.as_deref()) {
        (Some(method), _) => SentRequest::ws_api(&method, &params),
        // Gate's ws API login: event "api" on a `*.login` channel.
        (None, Some("api")) => {
            let [channel] = channels.as_slice() else {
                return Err(invalid("a Gate ws API login names one channel (options.channel, e.g. spot.login)"));
            };
            SentRequest::ws_api(channel, &[])
        }
        (None, event) => {
            let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
            let products: Vec<&str> = products.iter().map(String::as_str).collect();
            let sent = SentRequest::ws(&channels, &products);
            match event {
                Some(event) => sent.with_ws_event(event),
                None => sent,
            }
        }
    };
    Ok(sent)
}

impl Case {
    /// Reads one case. Errors name the field that is missing or malformed, never its value.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            invalid(format!(
                "the case is not valid JSON (line {}, column {}): give one JSON object",
                e.line(),
                e.column()
            ))
        })?;
        let Value::Object(case) = value else {
            return Err(invalid("the case must be a JSON object {\"scheme\", \"credentials\", ..., \"sent\"}"));
        };
        let scheme_id = string_field(&case, "scheme", "")?.ok_or_else(|| invalid("the case has no \"scheme\""))?;
        let scheme = Scheme::from_id(&scheme_id).ok_or_else(|| {
            let ids: Vec<&str> = Scheme::ALL.iter().map(|s| s.id()).collect();
            invalid(format!("unknown scheme: use one of {}", ids.join(", ")))
        })?;

        let empty = Map::new();
        let credentials = match case.get("credentials") {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(map)) => map,
            Some(_) => return Err(invalid("credentials must be an object {api_key, secret, passphrase, ...}")),
        };
        let options = match case.get("options") {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(map)) => map,
            Some(_) => return Err(invalid("options must be an object")),
        };
        let mut creds = Credentials::new();
        if let Some(key) = string_field(credentials, "api_key", "credentials.")? {
            creds = creds.api_key(key);
        }
        if let Some(secret) = string_field(credentials, "secret", "credentials.")? {
            creds = creds.secret(SecretString::from(secret));
        }
        // BitMart's vectors name the passphrase `memo`, as BitMart does.
        let passphrase = match string_field(credentials, "passphrase", "credentials.")? {
            Some(passphrase) => Some(passphrase),
            None => string_field(credentials, "memo", "credentials.")?,
        };
        if let Some(passphrase) = passphrase {
            creds = creds.passphrase(SecretString::from(passphrase));
        }
        let key_type = string_field(credentials, "key_type", "credentials.")?;
        let version = match key_version(credentials.get("key_version"))? {
            Some(version) => Some(version),
            None => key_version(options.get("key_version"))?,
        };

        let path = string_field(&case, "path", "")?;
        let kind = string_field(&case, "kind", "")?;
        let ws = match kind.as_deref() {
            Some("ws") => true,
            Some("rest") => false,
            None => match case.get("sent") {
                Some(Value::Object(sent)) => kind_of_fields(scheme, sent.keys().map(String::as_str), path.is_some())?,
                _ => path.is_none(),
            },
            Some(_) => return Err(invalid("kind must be \"rest\" or \"ws\"")),
        };
        // A vector (no `sent`): its expected values are what was sent.
        let expected = match (case.get("sent"), case.get("expected")) {
            (None, Some(Value::Object(expected))) => Some(expected),
            _ => None,
        };
        // A vector of a scheme without a websocket login signs its websocket message as the REST
        // request it carries (Hyperliquid's `post`): it is diagnosed as that request.
        let ws = ws && (expected.is_none() || scheme.exchange().ws_login.has_login());
        let mut sent = if ws {
            ws_request(options)?
        } else {
            let path = path.ok_or_else(|| invalid("a REST case needs \"path\""))?;
            let method = string_field(&case, "method", "")?.unwrap_or_else(|| "GET".to_owned());
            let mut query = string_field(&case, "query", "")?.unwrap_or_default();
            let mut body = string_field(&case, "body", "")?.unwrap_or_default();
            // Binance vectors give the request before signing, and as sent in expected.wire.
            if let Some(Value::Object(wire)) = expected.and_then(|e| e.get("wire")) {
                query = string_field(wire, "query", "expected.wire.")?.unwrap_or_default();
                body = string_field(wire, "body", "expected.wire.")?.unwrap_or_default();
            }
            SentRequest::rest(&method, &path).with_query(&query).with_body(body)
        };
        let auth: Vec<&Map<String, Value>> = match (case.get("sent"), expected) {
            (Some(Value::Object(sent)), _) => vec![sent],
            (Some(_), _) => return Err(invalid("sent must be an object {header or field name: value}")),
            (None, Some(expected)) => {
                let values: Vec<&Map<String, Value>> = ["headers", "fields"]
                    .into_iter()
                    .filter_map(|name| match expected.get(name) {
                        Some(Value::Object(values)) => Some(values),
                        _ => None,
                    })
                    .collect();
                if values.is_empty() {
                    return Err(invalid("the case has no \"sent\" object (nor expected.headers or expected.fields)"));
                }
                values
            }
            (None, None) => {
                return Err(invalid("the case has no \"sent\" object: give the auth headers or fields that were sent"));
            }
        };
        for (name, value) in auth.into_iter().flatten() {
            let value = match value {
                Value::String(text) => text.clone(),
                // Some clients send a websocket timestamp as a bare number.
                Value::Number(number) if number.is_u64() => number.to_string(),
                _ => return Err(invalid(format!("sent.{name} must be a string"))),
            };
            sent = sent.with_auth(name, &value);
        }
        // A vector whose signature travels as fields of the body, with no auth header: the
        // instant it was signed at (the nonce) is the vector's timestamp, not one of the fields.
        let fields_only = expected.is_some_and(|e| e.contains_key("fields") && !e.contains_key("headers"));
        let vector_timestamp = string_field(&case, "timestamp", "")?.filter(|t| !t.is_empty());
        if let (true, false, Some(timestamp)) = (fields_only, ws, &vector_timestamp) {
            sent = sent.with_auth("timestamp", timestamp);
        }
        // A websocket vector naming only the signature among its fields: the other auth values
        // are read from the message it carries (Crypto.com's `public/auth` id and nonce).
        if let (true, Some(Value::Object(message)), Some(names)) =
            (ws, expected.and_then(|e| e.get("message")), scheme.exchange().ws_auth)
        {
            // The message's id too, where the scheme signs it.
            for name in [names.key, names.timestamp, "id"] {
                let value = match message.get(name) {
                    Some(Value::String(text)) => Some(text.clone()),
                    Some(Value::Number(number)) => Some(number.to_string()),
                    _ => None,
                };
                if let (None, Some(value)) = (sent.auth_value(name), value) {
                    sent = sent.with_auth(name, &value);
                }
            }
        }
        if let Some(host) = string_field(options, "host", "options.")? {
            sent = sent.with_host(&host);
        }
        // The key's settings, when the case states any (else they are unknown: see
        // SentRequest::with_settings).
        let mut settings: Option<KeySettings> = None;
        match options.get("demo") {
            None | Some(Value::Null) => {}
            Some(Value::Bool(demo)) => settings = Some(settings.unwrap_or_default().demo(*demo)),
            Some(_) => return Err(invalid("options.demo must be true or false")),
        }
        // A network named by the vector (`"Testnet"`) is its demo environment.
        if string_field(options, "network", "options.")?.is_some_and(|n| n.eq_ignore_ascii_case("testnet")) {
            settings = Some(settings.unwrap_or_default().demo(true));
        }
        if let Some(vault) = string_field(options, "vault_address", "options.")? {
            settings = Some(settings.unwrap_or_default().vault_address(vault));
        }
        // An absolute expiry (ms), as a distance from the vector's timestamp.
        if let Some(expires) = options.get("expires_after").and_then(Value::as_u64) {
            let nonce = vector_timestamp.as_deref().and_then(|t| t.parse::<u64>().ok());
            let after = nonce.and_then(|nonce| expires.checked_sub(nonce)).ok_or_else(|| {
                invalid("options.expires_after must be a millisecond instant after the case's timestamp")
            })?;
            settings = Some(settings.unwrap_or_default().expires_after(std::time::Duration::from_millis(after)));
        }
        if let Some(version) = version {
            settings = Some(settings.unwrap_or_default().key_version(version));
        }
        if let Some(key_type) = key_type {
            settings = Some(settings.unwrap_or_default().key_type(key_type));
        }
        if let Some(settings) = settings {
            sent = sent.with_settings(settings);
        }
        Ok(Self { scheme, credentials: creds, sent })
    }

    /// The scheme of the case.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Takes the credential fields the JSON left out from `fallback` (the command line's flags,
    /// environment variables or key file).
    pub fn with_fallback_credentials(mut self, fallback: Credentials) -> Self {
        let Credentials { api_key, secret, passphrase } = fallback;
        if self.credentials.api_key.is_none() {
            self.credentials.api_key = api_key;
        }
        if self.credentials.secret.is_none() {
            self.credentials.secret = secret;
        }
        if self.credentials.passphrase.is_none() {
            self.credentials.passphrase = passphrase;
        }
        self
    }

    /// Uses `version` as the key's version (KuCoin's) when the JSON names none (a key file's
    /// `key_version`).
    pub fn with_fallback_key_version(mut self, version: u32) -> Self {
        let settings = self.sent.settings.take().unwrap_or_default();
        let version = settings.key_version.unwrap_or(version);
        self.sent.settings = Some(settings.key_version(version));
        self
    }

    /// The scheme, credentials and request of the case (for the crate's own tests).
    #[cfg(test)]
    pub(crate) fn parts(&self) -> (Scheme, &Credentials, &SentRequest) {
        (self.scheme, &self.credentials, &self.sent)
    }

    /// Diagnoses the case.
    pub fn diagnose(&self) -> Result<Diagnosis, Error> {
        super::diagnose(self.scheme, &self.credentials, &self.sent)
    }
}
