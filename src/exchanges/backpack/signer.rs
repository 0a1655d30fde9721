//! Backpack Exchange: Ed25519 over an instruction string built from the request's parameters.
//!
//! `X-Signature = base64(Ed25519(seed, "instruction=<name>&<params sorted by key as k=v>
//! &timestamp=<ms>&window=<ms>"))` (AUTH-breadth.md §10). The parameters are the query's (a GET)
//! or the JSON body's fields (POST, DELETE), values not URL-encoded, booleans `true`/`false`; a
//! batch (a JSON array body) repeats `instruction=<name>&<sorted order>` for each order. The
//! secret is the base64 of the 32-byte Ed25519 seed, the API key the base64 of its public key.
//!
//! Backpack signs a canonical rendering, not the bytes sent: the query's order, its
//! percent-encoding and the body's JSON layout are free. [`BackpackSigner::signing_string`]
//! builds the string from the bytes a request sends, so that "signed = sent" stays provable: a
//! verifier (the local exchange) rebuilds it from what it received, and the parameters a client
//! meant to send are exactly the ones signed.
//!
//! The instruction names the call. It is read from the request's method and path through the
//! table Backpack documents ([`BackpackSigner::instruction`]), so that a `BackpackSigner` signs
//! through [`Signer`] like every other signer (the reqwest layer, the middleware and the local
//! exchange know nothing of instructions); an endpoint the table does not know is signed with
//! an explicit instruction ([`BackpackSigner::sign_instruction_at`]).

use std::time::Duration;

use http::HeaderName;
use serde::Serialize;
use serde_json::Value;

use crate::credentials::ApiKey;
use crate::exchanges::common::{channels, plain_value, ws_auth};
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Method, Prehash, Scheme, SignOptions, SignableRequest, SignedRequest, Signer,
    TimestampFormat, WireTimestamp, WsAuth, WsField, WsRequest,
};

static X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");
static X_SIGNATURE: HeaderName = HeaderName::from_static("x-signature");
static X_TIMESTAMP: HeaderName = HeaderName::from_static("x-timestamp");
static X_WINDOW: HeaderName = HeaderName::from_static("x-window");

/// Backpack's default window (ms), what its SDKs send.
#[cfg(feature = "pem-keys")]
const DEFAULT_WINDOW_MS: u64 = 5_000;
/// The largest window Backpack takes (ms).
const MAX_WINDOW_MS: u64 = 60_000;

/// The instruction of each authenticated endpoint, by method and path, as Backpack's API
/// reference names them (each endpoint's "Instruction"), checked against ccxt 4.5.90's
/// `options.instructions`, bpx-py 2.0.11 and backpack-exchange-sdk 1.1.4.
pub(super) const INSTRUCTIONS: &[(Method, &str, &str)] = &[
    (Method::Get, "/api/v1/capital", "balanceQuery"),
    (Method::Get, "/wapi/v1/capital/deposit/address", "depositAddressQuery"),
    (Method::Get, "/wapi/v1/capital/deposits", "depositQueryAll"),
    (Method::Get, "/wapi/v1/capital/withdrawals", "withdrawalQueryAll"),
    (Method::Post, "/wapi/v1/capital/withdrawals", "withdraw"),
    (Method::Get, "/wapi/v1/history/fills", "fillHistoryQueryAll"),
    (Method::Get, "/wapi/v1/history/orders", "orderHistoryQueryAll"),
    (Method::Get, "/api/v1/order", "orderQuery"),
    (Method::Post, "/api/v1/order", "orderExecute"),
    (Method::Delete, "/api/v1/order", "orderCancel"),
    (Method::Get, "/api/v1/orders", "orderQueryAll"),
    // A batch: the body is an array of orders, each signed as one `orderExecute`.
    (Method::Post, "/api/v1/orders", "orderExecute"),
    (Method::Delete, "/api/v1/orders", "orderCancelAll"),
    // Account, limits, positions, borrow-lend and history calls, as bpx-py 2.0.11's
    // `base_account.py` names them (each a method of the API reference's "Instruction").
    (Method::Get, "/api/v1/account", "accountQuery"),
    (Method::Patch, "/api/v1/account", "accountUpdate"),
    (Method::Get, "/api/v1/account/limits/borrow", "maxBorrowQuantity"),
    (Method::Get, "/api/v1/account/limits/order", "maxOrderQuantity"),
    (Method::Get, "/api/v1/account/limits/withdrawal", "maxWithdrawalQuantity"),
    (Method::Get, "/api/v1/borrowLend/positions", "borrowLendPositionQuery"),
    (Method::Post, "/api/v1/borrowLend", "borrowLendExecute"),
    (Method::Get, "/api/v1/capital/collateral", "collateralQuery"),
    (Method::Get, "/api/v1/position", "positionQuery"),
    (Method::Post, "/api/v1/rfq/quote", "quoteSubmit"),
    (Method::Get, "/wapi/v1/history/borrowLend", "borrowHistoryQueryAll"),
    (Method::Get, "/wapi/v1/history/interest", "interestHistoryQueryAll"),
    (Method::Get, "/wapi/v1/history/funding", "fundingHistoryQueryAll"),
    (Method::Get, "/wapi/v1/history/pnl", "pnlHistoryQueryAll"),
    (Method::Get, "/wapi/v1/history/settlement", "settlementHistoryQueryAll"),
];

/// Signs Backpack Exchange requests (`api.backpack.exchange`, `/api/v1/…` and `/wapi/v1/…`) and
/// the private stream subscription (`wss://ws.backpack.exchange`).
///
/// ```
/// use cexsign::{BackpackSigner, Credentials, Method, SignOptions, SignableRequest, Signer, Timestamp};
/// // AUTH-breadth.md's worked example: the seed 00 01 … 1f.
/// let signer = BackpackSigner::new(
///     &Credentials::new()
///         .api_key("A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=")
///         .secret("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
/// )?;
/// let body = br#"{"symbol":"SOL_USDC","side":"Bid","orderType":"Limit","price":"150.00","quantity":"1","postOnly":true}"#;
/// let order = SignableRequest::new(Method::Post, "/api/v1/order")?.with_body(body);
/// let at = Timestamp::from_unix_millis(1_700_000_000_000);
/// let signed = signer.sign_with(&order, at, &SignOptions::new().keep_prehash())?;
/// assert_eq!(
///     signed.prehash().unwrap().to_string(),
///     "instruction=orderExecute&orderType=Limit&postOnly=true&price=150.00&quantity=1&side=Bid&symbol=SOL_USDC&timestamp=1700000000000&window=5000"
/// );
/// assert_eq!(
///     signed.header("X-Signature").unwrap(),
///     "eSsRBfzvSdu7OzL1P8l1sAwuq1nelAN1L/QE8++DVQzTdUGcN7pfIZzAXJuPNEK6Pklq0zdOJFOL+TLszuLtBA=="
/// );
/// assert_eq!(signed.header("X-Window").unwrap(), "5000");
/// # Ok::<(), cexsign::Error>(())
/// ```
pub struct BackpackSigner {
    api_key: ApiKey,
    #[cfg(feature = "pem-keys")]
    key: Box<ed25519_dalek::SigningKey>,
    window: String,
    headers: HeaderLayout,
}

impl std::fmt::Debug for BackpackSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackpackSigner")
            .field("api_key", &self.api_key)
            .field("key", &"[REDACTED]")
            .field("window", &self.window)
            .finish()
    }
}

/// The typed refusal of a secret that is not a usable Ed25519 seed.
#[cfg(feature = "pem-keys")]
fn invalid_seed(problem: &'static str) -> Error {
    Error::InvalidPrivateKey { scheme: Scheme::Backpack, key_type: "Ed25519", problem }
}

impl BackpackSigner {
    /// Checks the credentials: the secret must be the base64 of a 32-byte Ed25519 seed (44
    /// characters), and the API key the base64 of that seed's public key. A 64-byte secret (an
    /// "expanded" key, or seed and public key together), the public key given as the secret, or
    /// a key pair that does not belong together are refused here, with the reason.
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let scheme = Scheme::Backpack;
        let api_key = credentials.require_api_key(scheme)?;
        let secret = credentials.require_secret(scheme)?;
        #[cfg(feature = "pem-keys")]
        {
            let key = seed_key(secret, api_key.as_str())?;
            Ok(Self::with_key(api_key, Box::new(key)))
        }
        #[cfg(not(feature = "pem-keys"))]
        {
            let _ = (api_key, secret);
            Err(Error::KeyTypeUnsupported {
                scheme,
                problem: "Backpack keys are Ed25519, signed with the `pem-keys` feature (on by default)",
            })
        }
    }

    #[cfg(feature = "pem-keys")]
    fn with_key(api_key: ApiKey, key: Box<ed25519_dalek::SigningKey>) -> Self {
        let window = DEFAULT_WINDOW_MS.to_string();
        let headers = layout(&api_key, &window);
        Self { api_key, key, window, headers }
    }

    /// Signs with another window (`X-Window`, signed as `window=`): 1 ms to 60 s, whole
    /// milliseconds; Backpack's default, 5 s, otherwise.
    pub fn with_window(mut self, window: Duration) -> Result<Self, Error> {
        let millis = window.as_millis();
        if millis == 0 || millis > u128::from(MAX_WINDOW_MS) || !window.subsec_nanos().is_multiple_of(1_000_000) {
            return Err(Error::InvalidKeySetting {
                scheme: Scheme::Backpack,
                setting: "recv_window (X-Window)",
                expected: "whole milliseconds from 1 to 60000".to_owned(),
            });
        }
        self.window = millis.to_string();
        self.headers = layout(&self.api_key, &self.window);
        Ok(self)
    }

    /// The window this signer sends and signs, in milliseconds as text (`"5000"`).
    pub fn window(&self) -> &str {
        &self.window
    }

    /// The instruction Backpack names the call `method path` with (`orderExecute` for
    /// `POST /api/v1/order`); `None` for an endpoint the table does not know (sign it with
    /// [`sign_instruction_at`](Self::sign_instruction_at)). The method is the call's: the same
    /// path names other instructions with other methods.
    ///
    /// ```
    /// use cexsign::{BackpackSigner, Method};
    /// assert_eq!(BackpackSigner::instruction(Method::Get, "/api/v1/order"), Some("orderQuery"));
    /// assert_eq!(BackpackSigner::instruction(Method::Delete, "/api/v1/order"), Some("orderCancel"));
    /// assert_eq!(BackpackSigner::instruction(Method::Get, "/api/v1/unknown"), None);
    /// ```
    pub fn instruction(method: Method, path: &str) -> Option<&'static str> {
        INSTRUCTIONS.iter().find(|(m, p, _)| *m == method && *p == path).map(|(_, _, name)| *name)
    }

    /// The string Backpack signs for `request` under `instruction`, built from the bytes the
    /// request sends: the body's JSON fields when it has a body (each element of a JSON array
    /// for a batch), else the query's parameters (percent-decoded, `+` read as a space, as a
    /// server reads a query), sorted by name, then `timestamp` and `window`.
    ///
    /// A verifier calls it with what it received; a client with what it sends. A body that is
    /// not a JSON object or array of objects, a value that is not a string, number or boolean,
    /// or a request with both a query and a body is refused: its signed form would be a guess.
    ///
    /// ```
    /// use cexsign::{BackpackSigner, Method, SignableRequest};
    /// // The query's order and encoding are not signed: the names are sorted, the values decoded.
    /// let fills = SignableRequest::new(Method::Get, "/wapi/v1/history/fills")?
    ///     .with_query("symbol=SOL_USDC&limit=100&from=1717937474000")?;
    /// assert_eq!(
    ///     BackpackSigner::signing_string("fillHistoryQueryAll", &fills, "1718023874607", "5000")?,
    ///     "instruction=fillHistoryQueryAll&from=1717937474000&limit=100&symbol=SOL_USDC&timestamp=1718023874607&window=5000"
    /// );
    /// # Ok::<(), cexsign::Error>(())
    /// ```
    pub fn signing_string(
        instruction: &str,
        request: &SignableRequest<'_>,
        timestamp: &str,
        window: &str,
    ) -> Result<String, Error> {
        let mut out = String::with_capacity(64 + request.query().len() + request.body().len());
        let body = request.body();
        let query = request.query();
        if !body.is_empty() && !query.is_empty() {
            return Err(Error::InvalidParameters {
                scheme: Scheme::Backpack,
                problem: "Backpack signs the query (GET) or the JSON body's fields, not both: send the parameters \
                          in one of them",
            });
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            let mut pairs: Vec<(String, String)> =
                url::form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            push_params(&mut out, instruction, &mut pairs);
        } else {
            let json: Value = serde_json::from_slice(body).map_err(|_| not_params())?;
            match json {
                Value::Object(fields) => push_object(&mut out, instruction, fields)?,
                Value::Array(items) if !items.is_empty() => {
                    for item in items {
                        let Value::Object(fields) = item else { return Err(not_params()) };
                        push_object(&mut out, instruction, fields)?;
                    }
                }
                _ => return Err(not_params()),
            }
        }
        out.push_str("timestamp=");
        out.push_str(timestamp);
        out.push_str("&window=");
        out.push_str(window);
        Ok(out)
    }

    /// Signs `request` as the call `instruction`, for an endpoint
    /// [`instruction`](Self::instruction) does not know.
    pub fn sign_instruction_at(
        &self,
        instruction: &str,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        if instruction.is_empty() || !instruction.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::InvalidParameters {
                scheme: Scheme::Backpack,
                problem: "the instruction is a call's name as Backpack's API reference spells it (e.g. orderExecute)",
            });
        }
        let timestamp = timestamp.text_in(TimestampFormat::UnixMillis)?;
        let signing = Self::signing_string(instruction, request, timestamp, &self.window)?;
        let (signature, prehash) = self.sign_text(signing, options)?;
        Ok(SignedRequest::new(timestamp, &signature, prehash, &self.headers))
    }

    /// Ed25519 of the signing string, standard base64 (88 characters).
    #[cfg(feature = "pem-keys")]
    fn sign_text(&self, signing: String, options: &SignOptions) -> Result<(String, Option<Prehash>), Error> {
        use base64::Engine as _;
        let signature = ed25519_dalek::Signer::sign(self.key.as_ref(), signing.as_bytes());
        let signature = base64::engine::general_purpose::STANDARD.encode(signature.to_bytes());
        Ok((signature, options.keeps_prehash().then(|| Prehash::new(signing.into_bytes()))))
    }

    #[cfg(not(feature = "pem-keys"))]
    fn sign_text(&self, _: String, _: &SignOptions) -> Result<(String, Option<Prehash>), Error> {
        Err(Error::KeyTypeUnsupported { scheme: Scheme::Backpack, problem: "built without the `pem-keys` feature" })
    }
}

/// The auth headers, in Backpack's order.
fn layout(api_key: &ApiKey, window: &str) -> HeaderLayout {
    HeaderLayout::new([
        (&X_API_KEY, HeaderSource::Fixed(api_key.header_value())),
        (&X_SIGNATURE, HeaderSource::Signature),
        (&X_TIMESTAMP, HeaderSource::Timestamp),
        (&X_WINDOW, HeaderSource::Fixed(plain_value(window))),
    ])
}

/// The seed in `secret`, checked against the API key (its public key).
#[cfg(feature = "pem-keys")]
fn seed_key(secret: &str, api_key: &str) -> Result<ed25519_dalek::SigningKey, Error> {
    use base64::Engine as _;
    let b64 = &base64::engine::general_purpose::STANDARD;
    if secret.trim_start().starts_with("-----BEGIN") {
        return Err(invalid_seed(
            "the secret is a PEM key: Backpack's secret is the base64 of the 32-byte Ed25519 seed (44 characters), \
             as its key page shows it",
        ));
    }
    let bytes = zeroize::Zeroizing::new(b64.decode(secret.as_bytes()).map_err(|_| {
        invalid_seed(
            "the secret must be the standard base64 of the 32-byte Ed25519 seed (44 characters ending in '='); \
             it did not decode",
        )
    })?);
    let seed: &[u8; 32] = match bytes.len() {
        32 => bytes.as_slice().try_into().expect("length checked"),
        64 => {
            return Err(invalid_seed(
                "the secret decodes to 64 bytes (an expanded key, or seed and public key together): give only the \
                 32-byte seed, base64 (44 characters)",
            ));
        }
        _ => {
            return Err(invalid_seed(
                "the secret must decode to the 32-byte Ed25519 seed; it decodes to another length",
            ));
        }
    };
    let key = ed25519_dalek::SigningKey::from_bytes(seed);
    let public = b64.encode(key.verifying_key().to_bytes());
    if secret == api_key {
        return Err(invalid_seed(
            "the secret equals the API key (the public key): give the private seed as the secret",
        ));
    }
    if public != api_key {
        if api_key_is_public_of(api_key, secret) {
            return Err(Error::KeyAndSecretSwapped {
                scheme: Scheme::Backpack,
                key_looks_like: "an Ed25519 seed (its public key is the secret given)",
                secret_looks_like: "a public key",
            });
        }
        return Err(invalid_seed(
            "the API key is not the public key of this seed: give the key pair Backpack issued together (X-API-Key \
             is the base64 public key of the secret's seed)",
        ));
    }
    Ok(key)
}

/// Whether `secret` is the public key of the seed `api_key` holds (the two swapped).
#[cfg(feature = "pem-keys")]
fn api_key_is_public_of(api_key: &str, secret: &str) -> bool {
    use base64::Engine as _;
    let b64 = &base64::engine::general_purpose::STANDARD;
    let Ok(bytes) = b64.decode(api_key.as_bytes()).map(zeroize::Zeroizing::new) else { return false };
    let Ok(seed) = <&[u8; 32]>::try_from(bytes.as_slice()) else { return false };
    b64.encode(ed25519_dalek::SigningKey::from_bytes(seed).verifying_key().to_bytes()) == secret
}

fn not_params() -> Error {
    Error::InvalidBody {
        scheme: Scheme::Backpack,
        problem: "Backpack signs the fields of a JSON object body (or of each object of a batch array): send the \
                  parameters as one",
    }
}

/// `instruction=<name>&` then the pairs sorted by name (stable: repeated names keep their order),
/// each followed by `&`.
fn push_params(out: &mut String, instruction: &str, pairs: &mut [(String, String)]) {
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    out.push_str("instruction=");
    out.push_str(instruction);
    out.push('&');
    for (name, value) in pairs.iter() {
        out.push_str(name);
        out.push('=');
        out.push_str(value);
        out.push('&');
    }
}

/// One JSON object's fields as parameters: strings as they are, numbers as JSON writes them,
/// booleans `true`/`false`.
fn push_object(out: &mut String, instruction: &str, fields: serde_json::Map<String, Value>) -> Result<(), Error> {
    let mut pairs = Vec::with_capacity(fields.len());
    for (name, value) in fields {
        let text = match value {
            Value::String(text) => text,
            Value::Bool(flag) => flag.to_string(),
            Value::Number(number) => number.to_string(),
            Value::Null | Value::Array(_) | Value::Object(_) => {
                return Err(Error::InvalidBody {
                    scheme: Scheme::Backpack,
                    problem: "a field is null, a list or an object: Backpack signs flat values (strings, numbers, \
                              booleans); leave an absent field out",
                });
            }
        };
        pairs.push((name, text));
    }
    push_params(out, instruction, &mut pairs);
    Ok(())
}

/// `{"method":"SUBSCRIBE","params":[…],"signature":[key, sig, ts, window]}`.
#[derive(Serialize)]
struct Subscribe<'a> {
    method: &'static str,
    params: &'a [&'a str],
    signature: [&'a str; 4],
}

impl Signer for BackpackSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Backpack
    }

    /// `X-Timestamp`: Unix milliseconds.
    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixMillis
    }

    /// The instruction comes from the method and path ([`BackpackSigner::instruction`]); an
    /// endpoint the table does not know is refused with the way out.
    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let instruction = Self::instruction(request.method(), request.path()).ok_or(Error::InvalidParameters {
            scheme: Scheme::Backpack,
            problem: "no instruction is known for this method and path: sign it with \
                      BackpackSigner::sign_instruction_at and the instruction Backpack's API reference names",
        })?;
        self.sign_instruction_at(instruction, request, timestamp, options)
    }

    /// The private stream's subscribe, signed over `instruction=subscribe&timestamp=…&window=…`.
    fn sign_ws_at(&self, request: &WsRequest<'_>, timestamp: &WireTimestamp, options: &SignOptions) -> Result<WsAuth, Error> {
        let streams = channels(request)?;
        let timestamp = timestamp.text_in(TimestampFormat::UnixMillis)?;
        let signing = format!("instruction=subscribe&timestamp={timestamp}&window={}", self.window);
        let (signature, prehash) = self.sign_text(signing, options)?;
        let message = Subscribe {
            method: "SUBSCRIBE",
            params: streams,
            signature: [self.api_key.as_str(), &signature, timestamp, &self.window],
        };
        let fields = vec![
            WsField::new("api_key", self.api_key.as_str()),
            WsField::new("signature", signature.as_str()),
            WsField::new("timestamp", timestamp),
            WsField::new("window", self.window.as_str()),
        ];
        Ok(ws_auth(&message, fields, timestamp, &signature, prehash))
    }
}

#[cfg(all(test, feature = "pem-keys"))]
mod tests {
    use super::*;
    use crate::Timestamp;

    const KEY: &str = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
    const SEED: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn signer() -> BackpackSigner {
        BackpackSigner::new(&Credentials::new().api_key(KEY).secret(SEED)).unwrap()
    }

    fn at() -> WireTimestamp {
        WireTimestamp::parse(TimestampFormat::UnixMillis, "1700000000000").unwrap()
    }

    /// The account calls bpx-py 2.0.11 makes are signed under its instructions (its
    /// `get_max_order_quantity` was refused as an unknown call before), and no method and path
    /// is listed twice, so a lookup never depends on the table's order.
    #[test]
    fn account_calls_have_their_instructions() {
        let bpx_py = [
            (Method::Get, "/api/v1/account/limits/order", "maxOrderQuantity"),
            (Method::Patch, "/api/v1/account", "accountUpdate"),
            (Method::Get, "/api/v1/position", "positionQuery"),
            (Method::Get, "/wapi/v1/history/funding", "fundingHistoryQueryAll"),
        ];
        for (method, path, instruction) in bpx_py {
            assert_eq!(BackpackSigner::instruction(method, path), Some(instruction), "{method:?} {path}");
        }
        for (i, (method, path, _)) in INSTRUCTIONS.iter().enumerate() {
            assert!(
                !INSTRUCTIONS[i + 1..].iter().any(|(m, p, _)| m == method && p == path),
                "{method:?} {path} is listed twice"
            );
        }
    }

    /// AUTH-breadth.md's worked example, fed as the wire timestamp a verifier receives.
    #[test]
    fn worked_example() {
        let body = br#"{"symbol":"SOL_USDC","side":"Bid","orderType":"Limit","price":"150.00","quantity":"1","postOnly":true}"#;
        let order = SignableRequest::new(Method::Post, "/api/v1/order").unwrap().with_body(body);
        let signed = signer().sign_at(&order, &at(), &SignOptions::new()).unwrap();
        assert_eq!(
            signed.signature(),
            "eSsRBfzvSdu7OzL1P8l1sAwuq1nelAN1L/QE8++DVQzTdUGcN7pfIZzAXJuPNEK6Pklq0zdOJFOL+TLszuLtBA=="
        );
        assert_eq!(signed.header("x-timestamp"), Some("1700000000000"));
        assert_eq!(signed.header("x-api-key"), Some(KEY));
    }

    /// The JSON layout and the query's order and encoding are free: the same parameters sign the
    /// same string.
    #[test]
    fn layout_is_not_signed() {
        let compact = SignableRequest::new(Method::Delete, "/api/v1/order")
            .unwrap()
            .with_body(br#"{"orderId":"1","symbol":"SOL_USDC"}"#);
        let spaced = SignableRequest::new(Method::Delete, "/api/v1/order")
            .unwrap()
            .with_body(b"{ \"symbol\" : \"SOL_USDC\",\n \"orderId\": \"1\" }");
        let options = SignOptions::new().keep_prehash();
        let a = signer().sign_at(&compact, &at(), &options).unwrap();
        let b = signer().sign_at(&spaced, &at(), &options).unwrap();
        assert_eq!(a.prehash().unwrap().as_str(), Some("instruction=orderCancel&orderId=1&symbol=SOL_USDC&timestamp=1700000000000&window=5000"));
        assert_eq!(a.signature(), b.signature());
        let encoded = SignableRequest::new(Method::Get, "/api/v1/orders").unwrap().with_query("symbol=SOL%5FUSDC").unwrap();
        let signed = signer().sign_at(&encoded, &at(), &options).unwrap();
        assert_eq!(signed.prehash().unwrap().as_str(), Some("instruction=orderQueryAll&symbol=SOL_USDC&timestamp=1700000000000&window=5000"));
    }

    #[test]
    fn unknown_endpoints_and_unsigned_bodies_are_refused_with_the_reason() {
        let unknown = SignableRequest::new(Method::Get, "/api/v1/nothing").unwrap();
        let err = signer().sign_at(&unknown, &at(), &SignOptions::new()).unwrap_err();
        assert!(err.to_string().contains("sign_instruction_at"), "{err}");
        let signed = signer().sign_instruction_at("positionQuery", &unknown, &at(), &SignOptions::new().keep_prehash()).unwrap();
        assert_eq!(signed.prehash().unwrap().as_str(), Some("instruction=positionQuery&timestamp=1700000000000&window=5000"));
        for body in [&b"[1]"[..], b"\"text\"", b"{\"a\":null}", b"{\"a\":{\"b\":1}}", b"[]", b"{"] {
            let request = SignableRequest::new(Method::Post, "/api/v1/order").unwrap().with_body(body);
            assert!(signer().sign_at(&request, &at(), &SignOptions::new()).is_err(), "{body:?}");
        }
        let both = SignableRequest::new(Method::Post, "/api/v1/order").unwrap().with_query("a=1").unwrap().with_body(b"{}");
        assert!(signer().sign_at(&both, &at(), &SignOptions::new()).is_err());
        assert!(signer().sign_instruction_at("order Execute", &unknown, &at(), &SignOptions::new()).is_err());
    }

    #[test]
    fn the_seed_is_checked_at_construction() {
        let build = |key: &str, secret: &str| BackpackSigner::new(&Credentials::new().api_key(key).secret(secret));
        let expanded = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8DoQe/884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuA==";
        for (secret, says) in [("not base64!", "did not decode"), (expanded, "64 bytes"), ("AAEC", "another length"), (KEY, "API key")] {
            let err = build(KEY, secret).unwrap_err();
            assert!(matches!(err, Error::InvalidPrivateKey { scheme: Scheme::Backpack, .. }), "{err}");
            assert!(err.to_string().contains(says), "{secret}: {err}");
        }
        let other = "ab6aXLIdgm2EkBjqnCJvIKPJ0GdPWIIajevXiCcKGO0=";
        assert!(build(other, SEED).unwrap_err().to_string().contains("not the public key"));
        assert!(matches!(build(SEED, KEY).unwrap_err(), Error::KeyAndSecretSwapped { .. }));
    }

    #[test]
    fn the_window_is_signed_and_sent() {
        let signer = signer().with_window(Duration::from_secs(60)).unwrap();
        let request = SignableRequest::new(Method::Get, "/api/v1/capital").unwrap();
        let signed = signer.sign_with(&request, Timestamp::from_unix_millis(1), &SignOptions::new().keep_prehash()).unwrap();
        assert_eq!(signed.header("x-window"), Some("60000"));
        assert_eq!(signed.prehash().unwrap().as_str(), Some("instruction=balanceQuery&timestamp=1&window=60000"));
        assert!(self::signer().with_window(Duration::from_secs(61)).is_err());
        assert!(self::signer().with_window(Duration::ZERO).is_err());
    }

    #[test]
    fn debug_hides_the_seed() {
        let shown = format!("{:?}", signer());
        assert!(!shown.contains(SEED), "{shown}");
    }
}
