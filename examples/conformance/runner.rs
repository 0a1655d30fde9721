//! Reads conformance vectors (format `cexsign-vectors/1`) and signs each one from its inputs
//! only: credentials, timestamp, method, path, query, body and options. `expected` is never read
//! here. Shared by the `conformance` example and the test suite.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cexsign::{
    Credentials, Error, KeySettings, Method, Scheme, SignOptions, SignableRequest, Signer, Timestamp, TimestampFormat,
    WireTimestamp, WsRequest,
};
use serde::Deserialize;
use serde_json::{Map, Value};

/// One vector's inputs. `expected` is deliberately not a field: the runner cannot peek at it.
#[derive(Debug, Clone, Deserialize)]
pub struct Vector {
    pub id: String,
    pub scheme: String,
    pub kind: String,
    pub credentials: VectorCredentials,
    pub timestamp: String,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub options: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct VectorCredentials {
    pub api_key: String,
    pub secret: String,
    /// The passphrase; BitMart's vectors name theirs `memo`.
    #[serde(alias = "memo")]
    pub passphrase: Option<String>,
    pub key_version: Option<u32>,
    pub key_type: Option<String>,
}

#[derive(Deserialize)]
struct VectorFile {
    vectors: Vec<Vector>,
}

/// What the crate produced for one vector. The example prints `values`; the test suite also
/// checks the other fields stage by stage.
#[derive(Debug, Clone)]
#[allow(dead_code)]
pub struct Produced {
    /// REST: the auth headers (lower-case names); ws: the flat auth fields.
    pub values: BTreeMap<String, String>,
    pub signature: String,
    pub prehash: Option<String>,
    /// ws only: the whole message.
    pub message: Option<String>,
    /// REST only: the query and body as sent (Binance appends its parameters to one of them).
    pub wire: Option<(String, String)>,
}

/// Loads one vector file, or every `*.json` file of a directory (sorted by name).
pub fn load(path: &Path) -> Result<Vec<Vector>, String> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: cannot read directory: {e}", path.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(format!("{}: no .json vector files in this directory", path.display()));
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    let mut vectors = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
        let parsed: VectorFile = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a cexsign-vectors/1 file: {e}", file.display()))?;
        vectors.extend(parsed.vectors);
    }
    Ok(vectors)
}

fn option_str<'a>(vector: &'a Vector, name: &str) -> Option<&'a str> {
    vector.options.get(name).and_then(Value::as_str)
}

fn option_list<'a>(vector: &'a Vector, name: &str) -> Vec<&'a str> {
    match vector.options.get(name) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(one)) => vec![one.as_str()],
        _ => Vec::new(),
    }
}

fn credentials(vector: &Vector) -> Credentials {
    let c = &vector.credentials;
    let credentials = Credentials::new().api_key(c.api_key.as_str()).secret(c.secret.as_str());
    match &c.passphrase {
        Some(p) => credentials.passphrase(p.as_str()),
        None => credentials,
    }
}

/// The key settings a vector gives, in its credentials and options.
fn settings(vector: &Vector) -> Result<KeySettings, String> {
    let c = &vector.credentials;
    let mut settings = KeySettings::new()
        .demo(
            vector.options.get("demo").and_then(Value::as_bool).unwrap_or(false)
                || option_str(vector, "network").is_some_and(|network| network.eq_ignore_ascii_case("testnet")),
        )
        .timestamp_sample(vector.timestamp.as_str())
        // A vector's timestamp is what goes on the wire: where a request or login sends an
        // expiry instead of its signing time (Bybit's login), the expiry is the vector's instant.
        // Vectors of a token that carries both (Coinbase CDP) give `expires_in` below.
        .ws_expiry(Duration::ZERO)
        .expires_in(Duration::ZERO);
    if let Some(key_type) = &c.key_type {
        settings = settings.key_type(key_type.as_str());
    }
    if let Some(version) = c.key_version {
        settings = settings.key_version(version);
    }
    if let Some(seconds) = vector.options.get("expires_in").and_then(Value::as_u64) {
        settings = settings.expires_in(Duration::from_secs(seconds));
    }
    // The websocket message to write: its `type` (Delta), or the `market` whose socket it logs
    // in to (BitMart: spot or futures).
    if let Some(ws_type) = option_str(vector, "type").or_else(|| option_str(vector, "market")) {
        settings = settings.ws_auth_type(ws_type);
    }
    if let Some(vault) = option_str(vector, "vault_address") {
        settings = settings.vault_address(vault);
    }
    // An absolute expiry in milliseconds, given to the signer as its distance from the timestamp.
    if let Some(expires) = vector.options.get("expires_after").and_then(Value::as_u64) {
        let nonce: u64 = vector.timestamp.parse().map_err(|_| "expires_after needs a millisecond timestamp")?;
        let after = expires.checked_sub(nonce).ok_or("expires_after lies before the timestamp")?;
        settings = settings.expires_after(Duration::from_millis(after));
    }
    // Backpack's vectors name theirs `window` (sent in X-Window).
    if let Some(window) = option_str(vector, "recv_window").or_else(|| option_str(vector, "window")) {
        let millis: u64 = window.parse().map_err(|_| format!("recv_window {window} is not a number"))?;
        settings = settings.recv_window(Duration::from_millis(millis));
    }
    Ok(settings)
}

/// The signer a vector asks for, and the instant it is signed at (its timestamp read in the
/// signer's own format).
pub fn signer_for(vector: &Vector) -> Result<(Box<dyn Signer>, Timestamp), String> {
    let scheme =
        Scheme::from_id(&vector.scheme).ok_or_else(|| format!("scheme '{}' is not supported", vector.scheme))?;
    let signer = scheme.exchange().signer(&credentials(vector), &settings(vector)?).map_err(|e| e.to_string())?;
    let format = if vector.kind == "ws" { signer.ws_timestamp_format() } else { signer.rest_timestamp_format() };
    // An empty timestamp: the request or login sends none (an optional nonce left out, a
    // challenge signed instead of a time, a nonce-only token). The signer, built from the empty sample, sends none,
    // so the instant given is never read.
    if vector.timestamp.is_empty() {
        return Ok((signer, Timestamp::from_unix_millis(0)));
    }
    let at = format.parse(&vector.timestamp).map_err(|e| e.to_string())?;
    Ok((signer, at))
}

/// How the vector's timestamp reaches the signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // `WireText` is used by the test suite only
pub enum TimeInput {
    /// As an instant, rendered by the signer (how a bot signs).
    Instant,
    /// As the received text, used verbatim (how a verifier recomputes a signature).
    WireText,
}

/// The vector's timestamp text as received; a scheme that signs no time has none, and gets the
/// instant it is signed at rendered.
fn wire_text(format: TimestampFormat, vector: &Vector, at: Timestamp) -> Result<WireTimestamp, Error> {
    if vector.timestamp.is_empty() {
        WireTimestamp::render(format, at)
    } else {
        WireTimestamp::parse(format, &vector.timestamp)
    }
}

/// Signs one vector from its inputs.
pub fn run(vector: &Vector) -> Result<Produced, String> {
    run_with(vector, TimeInput::Instant)
}

/// Signs one vector, feeding the timestamp as `input` says.
pub fn run_with(vector: &Vector, input: TimeInput) -> Result<Produced, String> {
    let (signer, at) = signer_for(vector)?;
    // Without a timestamp there is no received text to use verbatim: both paths sign alike.
    let input = if vector.timestamp.is_empty() { TimeInput::Instant } else { input };
    let err = |e: Error| e.to_string();
    let mut options = SignOptions::new().keep_prehash();
    if let Some(nonce) = option_str(vector, "nonce") {
        options = options.with_nonce(nonce);
    }
    match vector.kind.as_str() {
        "rest" => {
            let method: Method = vector.method.parse().map_err(err)?;
            let mut request = SignableRequest::new(method, &vector.path)
                .map_err(err)?
                .with_query(&vector.query)
                .map_err(err)?
                .with_body(vector.body.as_bytes());
            if let Some(host) = option_str(vector, "host") {
                request = request.with_host(host).map_err(err)?;
            }
            let signed = match input {
                TimeInput::Instant => signer.sign_with(&request, at, &options),
                TimeInput::WireText => wire_text(signer.rest_timestamp_format(), vector, at)
                    .and_then(|wire| signer.sign_at(&request, &wire, &options)),
            }
            .map_err(err)?;
            // The values as `http` carries them on the wire, not the signer's text.
            let mut values: BTreeMap<String, String> = signed
                .header_values()
                .map(|(name, value)| {
                    let value = value.to_str().map_err(|_| format!("header {name} is not visible ASCII"))?;
                    Ok((name.as_str().to_owned(), value.to_owned()))
                })
                .collect::<Result<_, String>>()?;
            // A signature the body carries as an object is reported by its parts.
            values.extend(signed.signature_fields().map(|(name, value)| (name.to_owned(), value.to_owned())));
            // A signature inside the request (a rewritten request whose headers do not carry it,
            // Binance's and MEXC spot's `signature` parameter) is reported as a field.
            let in_headers = signed.header_values().any(|(_, value)| value.as_bytes() == signed.signature().as_bytes());
            if signed.rewrites_request() && !in_headers {
                values.insert("signature".to_owned(), signed.signature().to_owned());
            }
            let wire_query = signed.wire_query().unwrap_or(&vector.query).to_owned();
            let wire_body = match signed.wire_body() {
                Some(body) => String::from_utf8(body.to_vec()).map_err(|_| "the wire body is not UTF-8".to_owned())?,
                None => vector.body.clone(),
            };
            // Where the signature travels inside a JSON body, the body is the message.
            let message = signed.signature_fields().next().is_some().then(|| wire_body.clone());
            Ok(Produced {
                values,
                signature: signed.signature().to_owned(),
                prehash: signed.prehash().map(ToString::to_string),
                message,
                wire: Some((wire_query, wire_body)),
            })
        }
        "ws" => {
            let mut channels = option_list(vector, "channels");
            if let Some(channel) = option_str(vector, "channel") {
                channels.push(channel);
            }
            // A feed is a channel under another name (Kraken Futures' `feed`).
            if let Some(feed) = option_str(vector, "feed") {
                channels.push(feed);
            }
            // Backpack's private subscribe names its streams.
            channels.extend(option_list(vector, "streams"));
            let mut product_ids = option_list(vector, "product_ids");
            product_ids.extend(option_list(vector, "payload"));
            let api_params: Vec<(&str, Value)> = match vector.options.get("params") {
                Some(Value::Object(params)) => params.iter().map(|(k, v)| (k.as_str(), v.clone())).collect(),
                _ => Vec::new(),
            };
            let api_method = match (option_str(vector, "method"), option_str(vector, "event")) {
                (Some(method), _) => Some(method),
                // Gate's ws API login names its channel as the call.
                (None, Some("api")) => channels.first().copied(),
                _ => None,
            };
            let mut request = match api_method {
                Some(method) => WsRequest::api(method, &api_params),
                None => WsRequest::subscribe(&channels, &product_ids),
            };
            if let Some(id) = option_str(vector, "id") {
                request = request.with_id(id);
            }
            if let Some(event) = option_str(vector, "event").filter(|e| *e != "api") {
                request = request.with_event(event);
            }
            // What the message signs and carries besides its time: free text, the challenge the
            // server sent, else the vector's body (a signed action posted over the websocket).
            if let Some(data) = option_str(vector, "data")
                .or_else(|| option_str(vector, "challenge"))
                .or((!vector.body.is_empty()).then_some(vector.body.as_str()))
            {
                request = request.with_data(data);
            }
            let auth = match input {
                TimeInput::Instant => signer.sign_ws_with(&request, at, &options),
                TimeInput::WireText => wire_text(signer.ws_timestamp_format(), vector, at)
                    .and_then(|wire| signer.sign_ws_at(&request, &wire, &options)),
            }
            .map_err(err)?;
            Ok(Produced {
                values: auth.fields().iter().map(|f| (f.name().to_owned(), f.value().to_owned())).collect(),
                signature: auth.signature().to_owned(),
                prehash: auth.prehash().map(ToString::to_string),
                message: Some(auth.message_json().to_owned()),
                wire: None,
            })
        }
        other => Err(format!("unknown vector kind '{other}' (expected \"rest\" or \"ws\")")),
    }
}
