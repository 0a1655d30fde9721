//! Backpack Exchange: everything cexsign knows about it.
//!
//! `signer` is the signer, `errors` the error table; this file is the description the engines
//! read.
//!
//! Backpack signs an instruction string (AUTH-breadth.md §10): the call's name, then the
//! request's parameters sorted by name, then `timestamp` and `window`, Ed25519 with the key's
//! 32-byte seed. The string is a canonical rendering of the parameters, not the bytes sent, so it
//! is no [`Recipe`](crate::recipe::Recipe) of request parts;
//! [`BackpackSigner::signing_string`] builds it from the bytes a request sends. The window is
//! the request's own (`X-Window`, 5 s by default, at most 60 s): Backpack refuses a request once
//! `timestamp + window` has passed.

mod errors;
mod renderings;
mod signer;

pub use signer::BackpackSigner;

use std::time::Duration;

use serde_json::{Value, json};

use crate::diagnose::MistakeCode as M;
use crate::exchange::{
    AuthNames, DiagnosisFacts, Exchange, HeaderCheck, KeySettings, KeyVariants, Mark, RestVerification, Routing,
    WsLogin, WsSigning,
};
use crate::exchange::{PrivateStream, StreamAnswers, StreamLogin, StreamMessage, StreamRefusal, StreamSubscribe};
use crate::recipe::NotARecipe;
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, millis};
use crate::{Credentials, Error, Signer, Timestamp};

/// Backpack, as the engines see it.
pub(crate) const BACKPACK: Exchange = Exchange {
    id: "backpack",
    name: "Backpack",
    rest_auth: Some(AuthNames::new("X-API-Key", "X-Signature", "X-Timestamp", None)),
    // `{"method":"SUBSCRIBE","params":[…],"signature":[key, sig, ts, window]}`: the names are the
    // conformance vectors' for the four items of `signature`.
    ws_auth: Some(AuthNames::new("api_key", "signature", "timestamp", None)),
    ws_api_auth: None,
    ws_login: WsLogin::Resigned,
    private_stream: PRIVATE_STREAM,
    // The default X-Window; a request may send its own, up to 60 s.
    window: Some(Duration::from_secs(5)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.backpack.exchange"],
    // `X-Window` is Backpack's own; `X-API-Key` and `X-Signature` are generic names. Its
    // `/api/v1/` is KuCoin's too, so Backpack owns only `/wapi/v1/` by path.
    routing: Routing::new(&[Mark::named("x-window"), Mark::named("x-signature")], &["/wapi/v1/"], 35),
    // "X-Window - Time window in milliseconds that the request is valid for, default is 5000 and
    // maximum is 60000" (Backpack's API reference, "Authentication"; the maximum since its
    // 2024-02-24 changelog): each request is held to the window it sends and signs.
    rest_verification: RestVerification::Headers(
        HeaderCheck::new(
            "base64(Ed25519(seed, \"instruction=<call>&\" + params sorted by name as k=v + \"&timestamp=<ms>&window=<ms>\"))",
        )
        .sent_window_up_to(Duration::from_secs(60)),
    ),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    recipe: Err(NotARecipe {
        reason: "Backpack signs a canonical rendering of the parameters (the query's or the JSON body's fields, \
                 sorted by name, booleans lower-case, a batch repeating the call's instruction per order) under a \
                 call name its method and path select, not a concatenation of request parts",
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::Unsigned {
            hint: "Backpack's private subscribe signs instruction=subscribe&timestamp=<ms>&window=<ms>: compare \
                   it with BackpackSigner::sign_ws",
        },
        // The window is the request's own: signed as sent.
        recv_window_header: Some("X-Window"),
        window_in_words: Some("X-Window after the timestamp, 5 s by default and at most 60 s"),
        pitfalls: "Backpack: the instruction is per method and path (GET /api/v1/order is orderQuery, DELETE \
                   orderCancel); values are signed decoded (not URL-encoded), booleans true/false, keys sorted, \
                   timestamp and window last; the secret is the 32-byte seed, not the 64-byte expanded key or the \
                   public key.",
        // AUTH-breadth.md §10's mistakes, as tests/diagnose/breadth.rs makes them, each named by
        // the diagnosis and the local exchange: another (or no) instruction, booleans as True,
        // timestamp and window not last, the parameters unsorted or URL-encoded, the public key
        // taken for the seed or key and secret swapped. A 64-byte expanded secret is refused when
        // the signer is built.
        mistakes: &[
            M::KeySecretSwapped, M::InstructionWrong, M::BooleanCapitalized, M::PrehashOrderWrong,
            M::QueryOrderDiffers, M::QuerySignedEncoded,
        ],
        rest_only: &[M::KeySecretSwapped, M::PrehashOrderWrong],
        renderings: Some(renderings::RENDERINGS),
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// `recv_window` is the window sent in `X-Window` (and signed).
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let mut signer = BackpackSigner::new(credentials)?;
    if let Some(window) = settings.recv_window {
        signer = signer.with_window(window)?;
    }
    Ok(Box::new(signer))
}

/// Backpack's `GET /api/v1/time`: the server's Unix milliseconds, a bare number.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v1/time", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    Value::from(u64::try_from(now.unix_millis()).unwrap_or(u64::MAX))
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    millis(json).ok_or("the answer is not a millisecond count")
}

/// An order's client id is `clientId`, an unsigned 32-bit integer in the body of
/// `POST /api/v1/order` (Backpack's API reference, "Execute order"); what Backpack answers a
/// `clientId` the key already used is not documented.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("clientId")),
    placing: &[crate::exchange::PlaceOrder::post("/api/v1/order")],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &[],
};

/// The private streams on `wss://ws.backpack.exchange` (Backpack's API reference, "Streams":
/// "Usage" and "Private"): one socket, `{"method":"SUBSCRIBE","params":[<streams>]}`, where a
/// stream prefixed `account.` needs the subscribe signed, `"signature": [key, signature,
/// timestamp, window]` over `instruction=subscribe&timestamp=…&window=…`: the signed subscribe is
/// the login. Backpack answers a subscribe with nothing but the stream's data, each message
/// `{"stream","data"}`: here an order accepted (`account.orderUpdate`, event `orderAccepted`,
/// times in microseconds) and the open position (`account.positionUpdate`, whose first message
/// is the snapshot without `e`). The server pings with protocol frames every 60 s and closes a
/// connection that has not answered within 120 s. A refusal is `{"id":null,"error":{"code",
/// "message"}}` as the error table writes it; the codes and words of a subscribe refused before
/// signing, or to a stream not served here, are assumed (the docs show none).
const PRIVATE_STREAM: PrivateStream = PrivateStream {
    path: "/",
    idle: Duration::from_secs(120),
    subscribe: StreamSubscribe {
        when: ("method", "SUBSCRIBE"),
        list: "params",
        channel: "",
        sample: r#"{"method":"SUBSCRIBE","params":["account.orderUpdate"]}"#,
    },
    // A stream named with a market (`account.orderUpdate.<symbol>`) is served for the docs'
    // example market.
    channels: &["account.orderUpdate", "account.orderUpdate.SOL_USDC", "account.positionUpdate"],
    answers: StreamAnswers { event: stream_event, refused: stream_refused, ..PrivateStream::NONE.answers },
    login: StreamLogin::SignedSubscribe { signed_by: "signature", channel: &["account.orderUpdate"], products: &[] },
    login_answered: false,
    ..PrivateStream::NONE
};

/// `{"stream","data"}` under the stream's name as subscribed: an order accepted (in the stream's
/// market, if it names one), or the position snapshot.
fn stream_event(sent: &StreamMessage<'_>) -> Value {
    let micros = u64::try_from(sent.now.duration_since_epoch().as_micros()).unwrap_or(u64::MAX);
    let stream = sent.channel("").unwrap_or("account.orderUpdate");
    let symbol = stream.strip_prefix("account.orderUpdate.").unwrap_or("SOL_USDC");
    match stream {
        "account.positionUpdate" => json!({
            "stream": "account.positionUpdate",
            "data": {
                "E": micros, "s": "SOL_USDC_PERP", "b": "100", "B": "100", "f": "0.02", "M": "100",
                "m": "0.0125", "q": "1", "Q": "1", "n": "100", "i": "111947737399771137", "p": "0", "P": "0",
                "T": micros,
            },
        }),
        _ => json!({
            "stream": stream,
            "data": {
                "e": "orderAccepted", "E": micros, "s": symbol, "c": 1, "S": "Bid", "o": "LIMIT", "f": "GTC",
                "q": "1", "p": "100", "X": "New", "i": "111947737399771136", "z": "0", "Z": "0",
                "V": "RejectTaker", "T": micros, "O": "USER", "y": false,
            },
        }),
    }
}

/// `{"id":null,"error":{"code","message"}}`: an `account.` stream subscribed unsigned, or a stream
/// this stream does not serve (assumed words).
fn stream_refused(sent: &StreamMessage<'_>) -> Value {
    let (code, message) = match sent.refusal {
        Some(StreamRefusal::NotLoggedIn) => ("UNAUTHORIZED", "Private streams require a signed subscribe".to_owned()),
        _ => ("INVALID_CLIENT_REQUEST", format!("Invalid stream: {}", sent.channel("").unwrap_or_default())),
    };
    json!({"id": null, "error": {"code": code, "message": message}})
}
