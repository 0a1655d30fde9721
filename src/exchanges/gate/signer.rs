//! Gate APIv4: REST, websocket channel auth and the websocket API login.
//!
//! `hex(HMAC-SHA512(secret, METHOD + "\n" + path + "\n" + decoded query + "\n" +
//! hex(SHA512(body)) + "\n" + timestamp))`, the path including `/api/v4`, the query
//! form-decoded (`+` and `%20` are both a space, `%2C` a comma) in URL order, the timestamp in
//! seconds. An empty body still contributes the SHA-512 of `""`.

use http::HeaderName;
use serde::Serialize;
use sha2::{Digest as _, Sha512};

use crate::exchanges::common::{Form, KeyForms, hmac_secret, refuse_swapped};
use crate::credentials::ApiKey;
use crate::mac::{EncodedMac512, Encoding, HmacSha512Key, PrehashParts};
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Prehash, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, TimestampFormat,
    WireTimestamp, WsAuth, WsField, WsRequest, decode_query,
};

static KEY: HeaderName = HeaderName::from_static("key");
static SIGN: HeaderName = HeaderName::from_static("sign");
static TIMESTAMP: HeaderName = HeaderName::from_static("timestamp");

/// Signs Gate APIv4 requests.
///
/// ```
/// use cexsign::{Credentials, GateSigner, Method, SignableRequest, Signer, Timestamp};
/// // The example of Gate's APIv4 docs.
/// let signer = GateSigner::new(&Credentials::new().api_key("key").secret("secret"))?;
/// let request = SignableRequest::new(Method::Get, "/api/v4/futures/orders")?
///     .with_query("contract=BTC_USD&status=finished&limit=50")?;
/// let signed = signer.sign(&request, Timestamp::from_unix_secs(1_541_993_715))?;
/// assert!(signed.signature().starts_with("55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c8"));
/// assert_eq!(signed.header("Timestamp").unwrap(), "1541993715");
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct GateSigner {
    api_key: ApiKey,
    key: HmacSha512Key,
    headers: HeaderLayout,
}

/// Gate API keys are 32 hex characters and secrets 64 (`AUTH-more.md` §Gate).
const KEY_FORMS: KeyForms =
    KeyForms { key: (Form::Hex(32), "32 hex characters"), secret: (Form::Hex(64), "64 hex characters") };

impl GateSigner {
    /// Checks the credentials (API key and secret) and keys the HMAC once.
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let scheme = Scheme::Gate;
        let secret = hmac_secret(credentials, scheme, "Gate keys are HMAC keys: use the secret shown at key creation")?;
        let api_key = credentials.require_api_key(scheme)?;
        refuse_swapped(credentials, scheme, KEY_FORMS)?;
        let headers = HeaderLayout::new([
            (&KEY, HeaderSource::Fixed(api_key.header_value())),
            (&TIMESTAMP, HeaderSource::Timestamp),
            (&SIGN, HeaderSource::Signature),
        ]);
        Ok(Self { api_key, key: HmacSha512Key::new(secret.as_bytes()), headers })
    }

    fn mac(&self, prehash: PrehashParts<'_>, options: &SignOptions) -> (EncodedMac512, Option<Prehash>) {
        let signature = self.key.sign(&prehash, Encoding::Hex);
        (signature, options.keeps_prehash().then(|| Prehash::new(prehash.to_vec())))
    }
}

#[derive(Serialize)]
struct ChannelMessage<'a> {
    time: u64,
    channel: &'a str,
    event: &'a str,
    payload: &'a [&'a str],
    auth: ChannelAuth<'a>,
}

#[derive(Serialize)]
struct ChannelAuth<'a> {
    method: &'static str,
    #[serde(rename = "KEY")]
    key: &'a str,
    #[serde(rename = "SIGN")]
    sign: &'a str,
}

#[derive(Serialize)]
struct ApiMessage<'a> {
    time: u64,
    channel: &'a str,
    event: &'static str,
    payload: ApiPayload<'a>,
}

#[derive(Serialize)]
struct ApiPayload<'a> {
    api_key: &'a str,
    timestamp: &'a str,
    signature: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    req_id: Option<&'a str>,
    req_param: serde_json::Map<String, serde_json::Value>,
}

impl Signer for GateSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Gate
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
        // gate-api sends fractional seconds (`str(time.time())`) and Gate accepts them.
        let timestamp = timestamp.text_if(
            |f| matches!(f, TimestampFormat::UnixSeconds | TimestampFormat::UnixSecondsFraction { .. }),
            self.rest_timestamp_format(),
        )?;
        let query = decode_query(request.query())?;
        // "\n" + hex(SHA512(body)) + "\n", on the stack.
        let mut body_line = [b'\n'; 130];
        hex::encode_to_slice(Sha512::digest(request.body()), &mut body_line[1..129])
            .expect("128 bytes hold the hex digest");
        let prehash = PrehashParts::new()
            .push_str(request.method().as_str())
            .push_str("\n")
            .push_str(request.path())
            .push_str("\n")
            .push_str(&query)
            .push(&body_line)
            .push_str(timestamp);
        let (signature, prehash) = self.mac(prehash, options);
        let signed = SignedRequest::new(timestamp, &signature, prehash, &self.headers);
        Ok(signed)
    }

    /// A channel subscribe (`WsRequest::subscribe(&["spot.orders"], &["BTC_USDT"])`, one
    /// channel) carries `auth` signed over `channel=<c>&event=<e>&time=<t>`; an API login
    /// (`WsRequest::api("spot.login", &[])`) signs `api\n<channel>\n{}\n<t>`.
    fn sign_ws_at(
        &self,
        request: &WsRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let timestamp = timestamp.text_in(self.ws_timestamp_format())?;
        let time = timestamp
            .parse::<u64>()
            .map_err(|_| Error::InvalidWsRequest { problem: "the time is not whole seconds" })?;
        if let Some(channel) = request.method() {
            if channel.is_empty() {
                return Err(Error::InvalidWsRequest {
                    problem: "the ws API login names its channel: WsRequest::api(\"spot.login\", &[])",
                });
            }
            if !request.params().is_empty() {
                return Err(Error::InvalidWsRequest {
                    problem: "Gate's ws API login takes no params: use WsRequest::api(\"spot.login\", &[])",
                });
            }
            let prehash =
                PrehashParts::new().push_str("api\n").push_str(channel).push_str("\n{}\n").push_str(timestamp);
            let (signature, prehash) = self.mac(prehash, options);
            let message = ApiMessage {
                time,
                channel,
                event: "api",
                payload: ApiPayload {
                    api_key: self.api_key.as_str(),
                    timestamp,
                    signature: &signature,
                    req_id: request.id(),
                    req_param: serde_json::Map::new(),
                },
            };
            let fields = vec![
                WsField::new("api_key", self.api_key.as_str()),
                WsField::new("signature", signature.as_str()),
                WsField::new("timestamp", timestamp),
            ];
            return Ok(crate::exchanges::common::ws_auth(&message, fields, timestamp, &signature, prehash));
        }
        let channel = match crate::exchanges::common::channels(request)? {
            [channel] => *channel,
            _ => {
                return Err(Error::InvalidWsRequest {
                    problem: "a Gate channel message names exactly one channel (e.g. \"spot.orders\")",
                });
            }
        };
        let event = request.event().unwrap_or("subscribe");
        let prehash = PrehashParts::new()
            .push_str("channel=")
            .push_str(channel)
            .push_str("&event=")
            .push_str(event)
            .push_str("&time=")
            .push_str(timestamp);
        let (signature, prehash) = self.mac(prehash, options);
        let message = ChannelMessage {
            time,
            channel,
            event,
            payload: request.product_ids(),
            auth: ChannelAuth { method: "api_key", key: self.api_key.as_str(), sign: &signature },
        };
        let fields = vec![
            WsField::new("KEY", self.api_key.as_str()),
            WsField::new("SIGN", signature.as_str()),
            WsField::new("time", timestamp),
        ];
        Ok(crate::exchanges::common::ws_auth(&message, fields, timestamp, &signature, prehash))
    }
}
