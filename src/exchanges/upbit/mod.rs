//! Upbit Open API: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.
//!
//! Upbit sends a JWT in `Authorization: Bearer` (AUTH-breadth.md §9): HS256 (or HS512) over the
//! access key, a UUID nonce and, when the request has parameters, the SHA-512 of those
//! parameters as an unencoded query. No time is signed and there is no window: each nonce is
//! used once ([`RestVerification::NonceToken`]). Upbit publishes no server-time endpoint
//! ([`ServerTimeApi::NONE`]), as nothing in its auth needs its clock. The bytes hashed are
//! derived from the bytes sent by [`UpbitSigner::query_hash_input`].

mod errors;
mod signer;

pub use signer::{UpbitJwtAlgorithm, UpbitSigner};

use crate::diagnose::MistakeCode as M;
use crate::exchange::{
    DiagnosisFacts, Exchange, KeySettings, KeyVariants, Mark, NonceToken, RestVerification, Routing, WsLogin,
};
use crate::recipe::NotARecipe;
use crate::server_time::ServerTimeApi;
use crate::{Credentials, Error, Signer};

/// Upbit, as the engines see it.
pub(crate) const UPBIT: Exchange = Exchange {
    id: "upbit",
    name: "Upbit",
    // The bearer token carries the key, the nonce and the signature.
    rest_auth: None,
    ws_auth: None,
    ws_api_auth: None,
    ws_login: WsLogin::Absent {
        instead: "Upbit has no websocket login message: open wss://api.upbit.com/websocket/v1/private with the \
                  handshake header Authorization: Bearer <token>, the token sign_ws writes (no query claims)",
    },
    private_stream: PRIVATE_STREAM,
    // No timestamp: the nonce is single-use instead.
    window: None,
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    // The Korean exchange and its regional APIs (Singapore, Indonesia, Thailand), same scheme.
    hosts: &["api.upbit.com", "sg-api.upbit.com", "id-api.upbit.com", "th-api.upbit.com"],
    // A bearer token under Upbit's `/v1/` (Coinbase CDP's are under `/api/v3/` and `/v2/`).
    routing: Routing::new(&[Mark::BEARER.under("/v1/")], &["/v1/"], 85),
    rest_verification: RestVerification::NonceToken(NonceToken::new(
        "access_key",
        "nonce",
        "base64url(HMAC-SHA256(secret, base64url(header) + \".\" + base64url(claims))), claims access_key, nonce and, \
         with parameters, query_hash = hex(SHA-512(the parameters unencoded)), query_hash_alg SHA512",
    )),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: ServerTimeApi::NONE,
    errors: errors::ERRORS,
    recipe: Err(NotARecipe {
        reason: "Upbit signs a JWT: the signed bytes are base64url-encoded JSON claims holding a fresh UUID nonce and \
                 a SHA-512 of the parameters, not a concatenation of request parts",
    }),
    diagnosis: DiagnosisFacts {
        window_in_words: Some("no window: each nonce is used once"),
        pitfalls: "Upbit: query_hash is the SHA-512 of the parameters WITHOUT URL-encoding (the query as sent, \
                   percent-decoded; a JSON body's fields as k=v in body order, arrays as k[]=v): hashing the encoded \
                   query (pyupbit 0.2.34 does) fails with invalid_query_payload as soon as a value holds ':', '+', a \
                   space or non-ASCII. Sorting the parameters, or hashing a POST body's JSON text, fails the same \
                   way. The secret key is used as text (not base64-decoded); every request needs a new nonce.",
        // AUTH-breadth.md §9's mistakes, as tests/diagnose/breadth.rs makes them, each named by
        // the diagnosis and by the local exchange: the encoded query hashed (pyupbit 0.2.34),
        // sorted parameters, a body's JSON text, the secret base64-decoded, key and secret swapped.
        mistakes: &[
            M::KeySecretSwapped, M::SecretBase64Decoded, M::QuerySignedEncoded, M::QueryOrderDiffers,
            M::BodyReserialized,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// Upbit keys take no settings: the engines sign HS256, as Upbit's samples and SDKs do (HS512
/// is [`UpbitSigner::with_algorithm`]'s).
fn signer(credentials: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Ok(Box::new(UpbitSigner::new(credentials)?))
}

/// `wss://api.upbit.com/websocket/v1/private` (Upbit's "WebSocket 사용 및 에러 안내" (use and
/// errors), "인증" (authentication), "내 주문 및 체결 (MyOrder)" and "내 자산 (MyAsset)" pages):
/// the upgrade carries `Authorization: Bearer <JWT>`, the REST token without a query hash
/// (AUTH-breadth.md §9), verified as REST is, its nonce used once; a missing or refused token
/// gets `{"error":{"name":"INVALID_AUTH","message":…}}`. A request is an array,
/// `[{"ticket":…},{"type":"myOrder","codes":[…]},{"format":"DEFAULT"}]`, answered with no
/// acknowledgement, only the data (`stream_type` `REALTIME`). The text `PING` is answered
/// `{"status":"UP"}`; a connection silent for 120 s is closed ("연결 관리": Connection
/// management). Assumed: that the refusal comes as a frame on the opened socket, which then
/// closes (the docs list INVALID_AUTH among the errors answered "after the connection"), and the
/// WRONG_FORMAT answer to a type not served here.
const PRIVATE_STREAM: crate::exchange::PrivateStream = crate::exchange::PrivateStream {
    path: "/websocket/v1/private",
    idle: std::time::Duration::from_secs(120),
    ping: crate::exchange::StreamPing::Text { ping: "PING", pong: r#"{"status":"UP"}"# },
    subscribe: crate::exchange::StreamSubscribe {
        when: ("cexsign_request", "subscribe"),
        list: "request",
        channel: "type",
        sample: r#"[{"ticket":"cexsign-1"},{"type":"myOrder"},{"format":"DEFAULT"}]"#,
    },
    channels: &["myOrder", "myAsset"],
    answers: crate::exchange::StreamAnswers {
        subscribed: stream_subscribed,
        event: stream_event,
        refused: stream_refused,
    },
    handshake: Some(crate::exchange::StreamHandshake::REQUIRED),
    array_messages: true,
    ..crate::exchange::PrivateStream::NONE
};

/// Upbit acknowledges no request: the data follows.
fn stream_subscribed(_: &crate::exchange::StreamMessage<'_>) -> Vec<serde_json::Value> {
    Vec::new()
}

/// A `myOrder` (an open limit order) or `myAsset` message in the DEFAULT format.
fn stream_event(sent: &crate::exchange::StreamMessage<'_>) -> serde_json::Value {
    let time = sent.now.unix_millis();
    match sent.channel("type") {
        Some("myAsset") => serde_json::json!({
            "type": "myAsset", "asset_uuid": "c5e1c5e1-0000-4000-8000-00000000a55e",
            "assets": [{"currency": "KRW", "balance": 1_000_000.0, "locked": 0.0}],
            "asset_timestamp": time, "timestamp": time, "stream_type": "REALTIME",
        }),
        _ => serde_json::json!({
            "type": "myOrder", "code": "KRW-BTC", "uuid": "c5e1c5e1-0000-4000-8000-00000000c5e1",
            "ask_bid": "BID", "order_type": "limit", "state": "wait", "trade_uuid": null,
            "price": 100_000_000.0, "avg_price": 0.0, "volume": 0.0001, "remaining_volume": 0.0001,
            "executed_volume": 0.0, "trades_count": 0, "reserved_fee": 5.0, "remaining_fee": 5.0,
            "paid_fee": 0.0, "locked": 10005.0, "executed_funds": 0.0, "time_in_force": null,
            "trade_fee": null, "is_maker": null, "identifier": "cexsign1",
            "trade_timestamp": null, "order_timestamp": time, "timestamp": time, "stream_type": "REALTIME",
        }),
    }
}

/// `{"error":{"name","message"}}`: INVALID_AUTH for the handshake's token (the REST answer's
/// message, which says why), WRONG_FORMAT otherwise.
fn stream_refused(sent: &crate::exchange::StreamMessage<'_>) -> serde_json::Value {
    if sent.refusal == Some(crate::exchange::StreamRefusal::HandshakeRefused) {
        return serde_json::json!({"error": {"name": "INVALID_AUTH", "message": "인증 정보가 올바르지 않습니다."}});
    }
    serde_json::json!({"error": {"name": "WRONG_FORMAT", "message": "요청 형식이 올바르지 않습니다."}})
}

/// Upbit places orders with `POST /v1/orders`, whose optional `identifier` is the client's own
/// id for the order (Upbit's "주문하기" (place order) reference). What it answers a repeated
/// identifier is not documented where we read.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("identifier")),
    placing: &[crate::exchange::PlaceOrder::post("/v1/orders")],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &[],
};
