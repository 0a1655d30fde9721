//! One file per exchange scheme, and the few pieces they share.

pub mod coinbase_advanced;
#[cfg(feature = "cdp")]
pub mod coinbase_cdp;
pub mod coinbase_exchange;
pub mod delta;
pub mod kucoin;
pub mod okx;

use http::HeaderValue;
use serde::Serialize;

use crate::mac::{EncodedMac, Encoding, HmacKey, PrehashParts};
use crate::{Prehash, SignOptions, WsAuth, WsField};

/// `timestamp + METHOD + path + ("?" + query) + body`: the layout OKX, KuCoin and Coinbase
/// Exchange share (KuCoin passes its decoded query).
pub(crate) fn timestamp_method_path_query_body<'a>(
    timestamp: &'a str,
    method: &'static str,
    path: &'a str,
    query: &'a str,
    body: &'a [u8],
) -> PrehashParts<'a> {
    let prehash = PrehashParts::new().push_str(timestamp).push_str(method).push_str(path);
    with_query(prehash, query).push(body)
}

/// Appends `"?" + query` when there is a query; nothing otherwise.
pub(crate) fn with_query<'a>(prehash: PrehashParts<'a>, query: &'a str) -> PrehashParts<'a> {
    if query.is_empty() { prehash } else { prehash.push_str("?").push_str(query) }
}

/// MACs the prehash and keeps the prehash if asked.
pub(crate) fn mac(
    key: &HmacKey,
    prehash: PrehashParts<'_>,
    encoding: Encoding,
    options: &SignOptions,
) -> (EncodedMac, Option<Prehash>) {
    let signature = key.sign(&prehash, encoding);
    let kept = options.keeps_prehash().then(|| Prehash::new(prehash.to_vec()));
    (signature, kept)
}

/// A header value built from text the crate produced itself (digits, hex, base64, ISO time).
pub(crate) fn plain_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).expect("timestamps and encoded MACs are visible ASCII")
}

/// The channels of a websocket subscribe, refusing empty names (a message no exchange accepts).
pub(crate) fn channels<'a>(request: &crate::WsRequest<'a>) -> Result<&'a [&'a str], crate::Error> {
    let channels = request.channels();
    if channels.iter().any(|c| c.is_empty()) {
        return Err(crate::Error::InvalidWsRequest {
            problem: "a channel name is empty: name the channel to subscribe to (e.g. \"user\")",
        });
    }
    Ok(channels)
}

/// Serialises a websocket message laid out by a `#[derive(Serialize)]` struct (field order kept).
pub(crate) fn ws_auth<M: Serialize>(
    message: &M,
    fields: Vec<WsField>,
    timestamp: &str,
    signature: &str,
    prehash: Option<Prehash>,
) -> WsAuth {
    let json = serde_json::to_string(message).expect("websocket messages are plain strings and lists");
    WsAuth::new(fields, json, timestamp.to_owned(), signature.to_owned(), prehash)
}
