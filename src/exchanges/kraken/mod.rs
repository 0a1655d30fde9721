//! Kraken spot REST: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{KrakenSigner};

use serde_json::{Value, json};

use crate::{Credentials, Error, Signer, Timestamp, TimestampFormat};
use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, KeySettings, KeyVariants, Mark, RestVerification, Routing, WsSigning};
use crate::exchange::WsLogin;
use crate::recipe::{Algorithm, Carrier, DigestOutput, Hash, Part, Recipe, SignatureEncoding, Signing};
use crate::server_time::{SECONDS, ServerTimeApi, TimeRoute, integer};

/// Kraken, as the engines see it.
pub(crate) const KRAKEN: Exchange = Exchange {
    id: "kraken",
    name: "Kraken",
    // The nonce is a field of the body.
    rest_auth: Some(AuthNames::new("API-Key", "API-Sign", "nonce", None)),
    // Kraken's private websocket takes a token fetched over REST: no signed message.
    ws_auth: None,
    ws_api_auth: None,
    ws_login: WsLogin::Absent {
        instead: "Kraken's websocket has no signed login message: sign POST /0/private/GetWebSocketsToken as a REST \
                  request (this server verifies it) and put the token it returns in the ws v2 subscribe messages",
    },
    // No window: the nonce only has to grow.
    private_stream: crate::exchange::PrivateStream::NONE,
    window: None,
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.kraken.com"],
    // Kraken sends `API-Key` too: its `API-Sign` (or, without one, its `/0/` paths) must win over
    // Delta's `api-key`, hence a precedence before Delta's.
    routing: Routing::new(&[Mark::named("api-sign"), Mark::named("api-key").under("/0/")], &["/0/private/", "/0/"], 60),
    rest_verification: RestVerification::BodyNonce,
    signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    // The nonce travels in the body and is hashed in front of it; the method is not signed.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Parameter("nonce"),
        parts: &[
            Part::Path,
            Part::Digest { hash: Hash::Sha256, output: DigestOutput::Raw, of: &[Part::Timestamp, Part::Body] },
        ],
        keys: &[Signing::hmac_base64_secret(Algorithm::HmacSha512, SignatureEncoding::Base64)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::Unsigned { hint: "diagnose the signed POST /0/private/GetWebSocketsToken REST request instead" },
        nonce_in_body: true,
        content_type_must_match_body: true,
        window_in_words: Some("none: the nonce must only exceed the last nonce this key used"),
        pitfalls: "Kraken: EAPI:Invalid nonce means a nonce not above the last one (two processes sharing a key, or a switch from 1e8-scale nonces back to milliseconds); with 2FA on the key, otp must be in the body.",
        mistakes: &[
            M::KrakenNonceMissing, M::KeySecretSwapped, M::KrakenContentTypeMismatch, M::HexInsteadOfBase64,
            M::SecretNotBase64Decoded, M::HmacArgumentsSwapped, M::KrakenDigestHex, M::KrakenNonceNotHashed,
            M::FormBodyReencoded, M::BodyReserialized, M::PathMissingLeadingSlash, M::PathIncludesHost,
            M::KrakenNonceDiffers,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// Kraken signers take no settings.
fn signer(credentials: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Ok(Box::new(KrakenSigner::new(credentials)?))
}

/// Kraken's `GET /0/public/Time`: whole seconds and an RFC 1123 date,
/// `{"error":[],"result":{"unixtime":<s>,"rfc1123":…}}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/0/public/Time", resolution: SECONDS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"error": [], "result": {"unixtime": now.unix_secs(), "rfc1123": rfc1123(now)}})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    if json.get("error").and_then(Value::as_array).is_some_and(|e| !e.is_empty()) {
        return Err("the error array is not empty");
    }
    let secs = json.pointer("/result/unixtime").ok_or("no result.unixtime field")?;
    integer(secs).map(Timestamp::from_unix_secs).ok_or("result.unixtime is not a second count")
}

/// Kraken's `rfc1123` field: `Sun,  7 Jun 20 04:07:53 +0000` (day space-padded, two-digit year,
/// as Kraken writes it).
fn rfc1123(now: Timestamp) -> String {
    let Ok(secs) = i64::try_from(now.unix_secs()) else {
        return String::new();
    };
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(secs) else {
        return String::new();
    };
    let weekday = match t.weekday() {
        time::Weekday::Monday => "Mon",
        time::Weekday::Tuesday => "Tue",
        time::Weekday::Wednesday => "Wed",
        time::Weekday::Thursday => "Thu",
        time::Weekday::Friday => "Fri",
        time::Weekday::Saturday => "Sat",
        time::Weekday::Sunday => "Sun",
    };
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS[usize::from(u8::from(t.month())) - 1];
    format!(
        "{weekday}, {:>2} {month} {:02} {:02}:{:02}:{:02} +0000",
        t.day(),
        t.year().rem_euclid(100),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Kraken orders (REST "Add Order"): `POST /0/private/AddOrder`, form (or JSON) body, with
/// `cl_ord_id` (`userref` is an integer tag that need not be unique, so it is no idempotency key).
/// Kraken's docs do not say what it answers a repeated `cl_ord_id`: a retry carrying one is not
/// known to be safe. Busy: EService:Unavailable and EService:Busy.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("cl_ord_id")),
    placing: &[crate::exchange::PlaceOrder::post("/0/private/AddOrder")],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &["EService:Unavailable", "EService:Busy"],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kraken_rfc1123_matches_the_docs_example() {
        // The example of Kraken's docs: unixtime 1591502873.
        assert_eq!(rfc1123(Timestamp::from_unix_secs(1_591_502_873)), "Sun,  7 Jun 20 04:07:53 +0000");
        assert_eq!(rfc1123(Timestamp::from_unix_secs(1_700_000_000)), "Tue, 14 Nov 23 22:13:20 +0000");
    }
}
