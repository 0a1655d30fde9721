//! BitMart (spot and futures v2): everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.
//!
//! BitMart signs `timestamp#memo#payload` (AUTH-breadth.md §7): the memo is the key's third
//! credential, signed but never sent, so `rest_auth` names no passphrase header and the recipe
//! signs [`Part::Passphrase`]. The payload is the query of a GET and the body of a POST; spot and
//! futures sign alike. The websocket login is checked by re-signing it with the key's signer
//! (spot's `op: login` layout, the signer's default).

mod errors;
mod signer;

pub use signer::{BitmartSigner, BitmartWsMarket};

use std::time::Duration;

use serde_json::{Value, json};

use crate::diagnose::MistakeCode as M;
use crate::exchange::{
    AuthNames, DiagnosisFacts, Exchange, HeaderCheck, KeySettings, KeyVariants, Mark, RestVerification, Routing,
    WsLogin, WsSigning,
};
use crate::recipe::{Algorithm, Carrier, Part, Recipe, SignatureEncoding, Signing};
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, integer};
use crate::{Credentials, Error, Scheme, Signer, Timestamp, TimestampFormat};

/// BitMart, as the engines see it.
pub(crate) const BITMART: Exchange = Exchange {
    id: "bitmart",
    name: "BitMart",
    rest_auth: Some(AuthNames::new("X-BM-KEY", "X-BM-SIGN", "X-BM-TIMESTAMP", None)),
    // The login's `args` are positional: [key, timestamp, sign] (futures adds "web"); these are
    // the names the conformance vectors give them.
    ws_auth: Some(AuthNames::new("api_key", "sign", "timestamp", None)),
    ws_api_auth: None,
    ws_login: WsLogin::Resigned,
    private_stream: crate::exchange::PrivateStream::NONE,
    // "within 1 minute of server time" (BitMart docs' FAQ; 30007).
    window: Some(Duration::from_secs(60)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api-cloud.bitmart.com", "api-cloud-v2.bitmart.com"],
    // `X-BM-*` are BitMart's own names; no other exchange serves `/spot/`, `/account/` or
    // `/contract/`.
    routing: Routing::new(&[Mark::prefixed("x-bm-")], &["/spot/", "/account/", "/contract/"], 25),
    rest_verification: RestVerification::Headers(
        HeaderCheck::new("hex(HMAC-SHA256(secret, timestamp + \"#\" + memo + \"#\" + (query of a GET | body)))")
            .sync_hint("sign every request with a fresh X-BM-TIMESTAMP (milliseconds), offset by GET"),
    ),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    // timestamp#memo#payload: no method, no path; the query of a GET (without `?`), the body
    // otherwise, nothing after the second `#` when there is neither.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Header,
        parts: &[Part::Timestamp, Part::Literal("#"), Part::Passphrase, Part::Literal("#"), Part::QueryOrBody],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::TimestampPassphrase { separator: "#", suffix: "#bitmart.WebSocket" },
        pitfalls: "BitMart: the memo is signed, never sent: a memo that differs from the one chosen at key creation \
                   (case, a trailing space) is a wrong X-BM-SIGN (30005). A GET signs its query exactly as sent, \
                   without '?' (BitMart's docs, ccxt and the conformance vectors); the official \
                   bitmart-python-sdk-api 2.8.0 signs an empty payload for every GET, so its GETs with a query \
                   do not verify.",
        // The mistakes tests/diagnose/breadth.rs makes as a user's client would, each named by
        // the diagnosis and by the local exchange.
        mistakes: &[
            M::KeySecretSwapped, M::Base64InsteadOfHex, M::HmacArgumentsSwapped, M::SecretHexDecoded, M::QueryNotSigned,
            M::QuerySignedUnencoded, M::QueryOrderDiffers, M::EmptyBodyAsBraces, M::BodyReserialized,
            M::TimestampHeaderDiffers, M::TimestampSecondsForMilliseconds,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// `ws_auth_type` picks the websocket login: `spot` (the default, `op: login`) or `futures`
/// (`action: access`).
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let market = match settings.ws_auth_type.as_deref() {
        None => BitmartWsMarket::Spot,
        Some(name) if name.eq_ignore_ascii_case("spot") => BitmartWsMarket::Spot,
        Some(name) if name.eq_ignore_ascii_case("futures") => BitmartWsMarket::Futures,
        Some(_) => {
            return Err(Error::InvalidKeySetting {
                scheme: Scheme::Bitmart,
                setting: "ws_auth_type",
                expected: "spot or futures".to_owned(),
            });
        }
    };
    Ok(Box::new(BitmartSigner::new(credentials)?.with_ws_market(market)))
}

/// BitMart places spot orders with `POST /spot/v2/submit_order` and futures orders with
/// `POST /contract/private/submit-order` (its API docs), each with an optional
/// `client_order_id` in the JSON body. What it answers a repeated id, and which code means "not
/// processed", are not documented where we read.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("client_order_id")),
    placing: &[
        crate::exchange::PlaceOrder::post("/spot/v2/submit_order"),
        crate::exchange::PlaceOrder::post("/contract/private/submit-order"),
    ],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &[],
};

/// BitMart's `GET /system/time`: `{"code":1000,"message":"OK","data":{"server_time":<ms>}}`
/// (AUTH-breadth.md §7).
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/system/time", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    let millis = u64::try_from(now.unix_millis()).unwrap_or(u64::MAX);
    json!({"code": 1000, "trace": "cexsign-local", "message": "OK", "data": {"server_time": millis}})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let millis = json.pointer("/data/server_time").ok_or("no data.server_time field")?;
    let millis = integer(millis).ok_or("data.server_time is not a millisecond count")?;
    Ok(Timestamp::from_unix_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_time_round_trips() {
        let now = Timestamp::from_unix_millis(1_527_777_538_000);
        let answer = SERVER_TIME.endpoint.answer(now);
        assert_eq!((SERVER_TIME.read)(&answer), Ok(now));
        let documented = json!({"code": 1000, "trace": "x", "message": "OK", "data": {"server_time": 1_527_777_538_000_u64}});
        assert_eq!((SERVER_TIME.read)(&documented), Ok(now));
        assert!((SERVER_TIME.read)(&json!({"data": {"server_time": "soon"}})).is_err());
    }

    #[test]
    fn the_ws_market_is_a_setting() {
        let credentials = Credentials::new()
            .api_key("80618e45710812162b04892c7ee5ead4a3cc3e56")
            .secret("6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9")
            .passphrase("test001");
        let futures = signer(&credentials, &KeySettings::new().ws_auth_type("futures")).unwrap();
        let at = Timestamp::from_unix_millis(1_589_267_764_859);
        assert!(futures.sign_ws(&crate::WsRequest::login(), at).unwrap().message_json().starts_with(r#"{"action":"access""#));
        let err = signer(&credentials, &KeySettings::new().ws_auth_type("margin")).unwrap_err();
        assert!(err.to_string().contains("spot or futures"), "{err}");
    }
}
