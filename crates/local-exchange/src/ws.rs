//! The websocket-login check: `POST /cexsign/ws/<scheme id>` with a login or subscribe message.
//!
//! There is no websocket server. A bot posts the exact message it would send on the socket
//! (what [`Signer::sign_ws_at`](cexsign::Signer::sign_ws_at) produces) and gets the exchange's
//! login or subscription answer, or its websocket error. The signature is recomputed with the
//! account's signer from the message's own channels, products and timestamp; the timestamp
//! window and passphrase are checked as on the exchange.

use std::borrow::Cow;

use http::StatusCode;
use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq as _;

use super::State;
use super::account::Account;
use super::jwt::{self, UriCheck};
use super::reply::{Failure, Rejection, Reply, Verdict, WS_CONNECTION_ID, cexsign_error, ws_rejection};
use super::verify::{check_window, diagnose_with_account, find_account, received_format, window};
use super::{binance, bybit};
use cexsign::{Scheme, SignOptions, Timestamp, TimestampFormat, WireTimestamp, WsAuth, WsRequest};

/// The path prefix of the check endpoint.
pub(crate) const PREFIX: &str = "/cexsign/ws/";

/// Whether a scheme has a websocket login or signed message to check here (KuCoin and Kraken
/// take a token from a signed REST call instead).
pub(crate) fn has_login(scheme: Scheme) -> bool {
    !matches!(scheme, Scheme::Kucoin | Scheme::Kraken)
}

/// Answers one posted websocket message for the scheme named by `id`.
pub(crate) fn check(state: &State, id: &str, body: &[u8], now: Timestamp) -> Reply {
    let Some(scheme) = Scheme::from_id(id) else {
        let ids: Vec<&str> = Scheme::ALL.into_iter().filter(|s| has_login(*s)).map(Scheme::id).collect();
        return cexsign_error(
            StatusCode::NOT_FOUND,
            &format!("unknown scheme id {id:?} in {PREFIX}<id>; use one of {}", ids.join(", ")),
        );
    };
    match scheme {
        Scheme::Kucoin => {
            return cexsign_error(
                StatusCode::NOT_FOUND,
                "KuCoin has no websocket login message: sign POST /api/v1/bullet-private (empty body) as a REST \
                 request and connect with the token it returns",
            );
        }
        Scheme::Kraken => {
            return cexsign_error(
                StatusCode::NOT_FOUND,
                "Kraken's websocket has no signed login message: sign POST /0/private/GetWebSocketsToken as a REST \
                 request (this server verifies it) and put the token it returns in the ws v2 subscribe messages",
            );
        }
        _ => {}
    }
    let message = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(message)) => message,
        Ok(_) => return ws_rejection(scheme, malformed("the message is not a JSON object"), None, now),
        Err(error) => return ws_rejection(scheme, malformed(format!("the message is not JSON: {error}")), None, now),
    };
    let outcome = match scheme {
        Scheme::Okx => okx(state, &message, now),
        Scheme::Delta => delta(state, &message, now),
        Scheme::CoinbaseExchange => coinbase_exchange(state, &message, now),
        Scheme::CoinbaseAdvancedHmac => coinbase_advanced(state, &message, now),
        Scheme::Binance => binance::verify_ws(state, &message, now),
        Scheme::Bybit => bybit::verify_ws(state, &message, now),
        Scheme::Bitget => bitget(state, &message, now),
        Scheme::Gate => gate(state, &message, now),
        Scheme::CoinbaseCdp => coinbase_cdp(state, &message, now),
        _ => by_resigning(state, scheme, &message, now),
    };
    match outcome {
        Ok(body) => Reply::json(StatusCode::OK, &body, Verdict::Accepted),
        Err(rejection) => ws_rejection(scheme, rejection, Some(&message), now),
    }
}

fn malformed(reason: impl Into<String>) -> Rejection {
    Rejection::new(Failure::Malformed, reason)
}

/// A required string field.
fn text<'m>(object: &'m Map<String, Value>, name: &'static str) -> Result<&'m str, Rejection> {
    match object.get(name) {
        Some(Value::String(value)) if !value.is_empty() => Ok(value),
        Some(Value::String(_)) | None => Err(Rejection::new(
            Failure::MissingHeader(name),
            format!("the message has no (or an empty) {name:?} field"),
        )),
        Some(_) => Err(malformed(format!("the {name:?} field must be a string"))),
    }
}

/// A timestamp field: a string, or a bare integer (some SDKs send one) taken as its digits.
fn timestamp_text<'m>(object: &'m Map<String, Value>, name: &'static str) -> Result<Cow<'m, str>, Rejection> {
    match object.get(name) {
        Some(Value::Number(number)) if number.is_u64() => Ok(Cow::Owned(number.to_string())),
        _ => text(object, name).map(Cow::Borrowed),
    }
}

/// An optional array of strings.
fn strings<'m>(object: &'m Map<String, Value>, name: &'static str) -> Result<Vec<&'m str>, Rejection> {
    match object.get(name) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().ok_or_else(|| malformed(format!("{name:?} must be an array of strings"))))
            .collect(),
        Some(_) => Err(malformed(format!("{name:?} must be an array of strings"))),
    }
}

fn require_type(object: &Map<String, Value>, expected: &[&str]) -> Result<(), Rejection> {
    let found = object.get("type").and_then(Value::as_str);
    if found.is_some_and(|found| expected.contains(&found)) {
        Ok(())
    } else {
        Err(malformed(format!("the message type must be {:?}, found {found:?}", expected.join("\" or \""))))
    }
}

/// The HMAC checks shared by the login messages: timestamp, window, passphrase, signature.
struct Sent<'a> {
    timestamp: &'a str,
    passphrase: Option<&'a str>,
    signature: &'a str,
}

/// The checks, and on a rejection the diagnosis of the message (`cexsign_diagnosis`).
fn verify_hmac(
    scheme: Scheme,
    account: &Account,
    sent: &Sent<'_>,
    request: &WsRequest<'_>,
    now: Timestamp,
) -> Result<(), Rejection> {
    check_hmac(scheme, account, sent, request, now).map_err(|rejection| {
        if !rejection.is_diagnosable() {
            return rejection;
        }
        let message = cexsign::diagnose::ws_sent(
            scheme,
            request,
            account.api_key(),
            sent.timestamp,
            sent.passphrase,
            sent.signature,
        );
        let diagnosis = diagnose_with_account(account, Vec::new(), &message);
        rejection.with_diagnosis(diagnosis)
    })
}

fn check_hmac(
    scheme: Scheme,
    account: &Account,
    sent: &Sent<'_>,
    request: &WsRequest<'_>,
    now: Timestamp,
) -> Result<(), Rejection> {
    let signer = account.signer();
    let format = received_format(scheme, signer.ws_timestamp_format(), true);
    let wire = WireTimestamp::parse(format, sent.timestamp).map_err(|error| {
        Rejection::new(
            Failure::InvalidTimestamp { raw: sent.timestamp.to_owned(), server_secs: now.unix_secs() },
            format!("timestamp {:?}: {error}", sent.timestamp),
        )
    })?;
    let expected: Result<WsAuth, String> = signer
        .sign_ws_at(request, &wire, &SignOptions::new().keep_prehash())
        .map_err(|error| format!("the message cannot be signed as received: {error}"));
    let prehash = expected.as_ref().ok().and_then(|auth| auth.prehash().cloned());
    check_window(&wire, now, window(scheme), "sign the login with a fresh timestamp")
        .map_err(|r| r.with_prehash(prehash.clone()))?;
    if let Some(passphrase) = sent.passphrase {
        if !account.passphrase_matches(passphrase) {
            return Err(Rejection::new(
                Failure::Passphrase,
                "the passphrase does not match the key's (the one chosen when the API key was created)",
            )
            .with_prehash(prehash));
        }
    }
    let expected = expected.map_err(|reason| Rejection::new(Failure::Signature, reason))?;
    if !bool::from(expected.signature().as_bytes().ct_eq(sent.signature.as_bytes())) {
        return Err(Rejection::new(
            Failure::Signature,
            "the signature does not match; cexsign_expected_prehash is what the server signed for this message",
        )
        .with_prehash(prehash));
    }
    Ok(())
}

fn okx(state: &State, message: &Map<String, Value>, now: Timestamp) -> Result<Value, Rejection> {
    if message.get("op").and_then(Value::as_str) != Some("login") {
        return Err(malformed("an OKX login message has \"op\":\"login\""));
    }
    let Some(Value::Object(args)) = message.get("args").and_then(Value::as_array).and_then(|args| args.first()) else {
        return Err(malformed("an OKX login message has \"args\": [{apiKey, passphrase, timestamp, sign}]"));
    };
    let api_key = text(args, "apiKey")?;
    let passphrase = text(args, "passphrase")?;
    let timestamp = timestamp_text(args, "timestamp")?;
    let sign = text(args, "sign")?;
    let account = find_account(state, Scheme::Okx, api_key)?;
    let sent = Sent { timestamp: &timestamp, passphrase: Some(passphrase), signature: sign };
    verify_hmac(Scheme::Okx, account, &sent, &WsRequest::login(), now)?;
    Ok(json!({"event": "login", "code": "0", "msg": "", "connId": "local"}))
}

fn delta(state: &State, message: &Map<String, Value>, now: Timestamp) -> Result<Value, Rejection> {
    require_type(message, &["key-auth", "auth"])?;
    let Some(Value::Object(payload)) = message.get("payload") else {
        return Err(Rejection::new(Failure::MissingHeader("payload"), "the message has no \"payload\" object"));
    };
    let api_key = text(payload, "api-key")?;
    let signature = text(payload, "signature")?;
    let timestamp = timestamp_text(payload, "timestamp")?;
    let account = find_account(state, Scheme::Delta, api_key)?;
    let sent = Sent { timestamp: &timestamp, passphrase: None, signature };
    verify_hmac(Scheme::Delta, account, &sent, &WsRequest::login(), now)?;
    let kind = message.get("type").and_then(Value::as_str).unwrap_or("key-auth").to_owned();
    Ok(json!({"type": kind, "success": true, "status_code": 200, "status": "authenticated"}))
}

fn coinbase_exchange(state: &State, message: &Map<String, Value>, now: Timestamp) -> Result<Value, Rejection> {
    require_type(message, &["subscribe"])?;
    let product_ids = strings(message, "product_ids")?;
    // Channels are names or {"name": ..., "product_ids": [...]} objects.
    let channels: Vec<(&str, Vec<&str>)> = match message.get("channels") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(name) => Ok((name.as_str(), product_ids.clone())),
                Value::Object(channel) => {
                    let name = text(channel, "name")?;
                    let own = strings(channel, "product_ids")?;
                    Ok((name, if own.is_empty() { product_ids.clone() } else { own }))
                }
                _ => Err(malformed("channels must be names or {\"name\": ...} objects")),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(malformed("a Coinbase Exchange subscribe message has a \"channels\" array")),
    };
    let signature = text(message, "signature")?;
    let key = text(message, "key")?;
    let passphrase = text(message, "passphrase")?;
    let timestamp = timestamp_text(message, "timestamp")?;
    let account = find_account(state, Scheme::CoinbaseExchange, key)?;
    let names: Vec<&str> = channels.iter().map(|(name, _)| *name).collect();
    let sent = Sent { timestamp: &timestamp, passphrase: Some(passphrase), signature };
    verify_hmac(Scheme::CoinbaseExchange, account, &sent, &WsRequest::subscribe(&names, &product_ids), now)?;
    let channels =
        channels.into_iter().map(|(name, products)| json!({"name": name, "product_ids": products})).collect::<Vec<_>>();
    Ok(json!({"type": "subscriptions", "channels": channels}))
}

/// Advanced Trade's answer to a subscribe: a `subscriptions` message listing what is subscribed.
fn advanced_subscriptions(channel: Option<&str>, product_ids: &[&str], now: Timestamp) -> Value {
    let mut subscriptions = Map::new();
    if let Some(channel) = channel {
        subscriptions.insert(channel.to_owned(), json!(product_ids));
    }
    json!({
        "channel": "subscriptions",
        "client_id": "",
        "timestamp": iso_seconds(now),
        "sequence_num": 0,
        "events": [{"subscriptions": subscriptions}],
    })
}

fn coinbase_advanced(state: &State, message: &Map<String, Value>, now: Timestamp) -> Result<Value, Rejection> {
    require_type(message, &["subscribe"])?;
    let product_ids = strings(message, "product_ids")?;
    let channel = text(message, "channel")?;
    let api_key = text(message, "api_key")?;
    let timestamp = timestamp_text(message, "timestamp")?;
    let signature = text(message, "signature")?;
    let account = find_account(state, Scheme::CoinbaseAdvancedHmac, api_key)?;
    let sent = Sent { timestamp: &timestamp, passphrase: None, signature };
    let channels = [channel];
    verify_hmac(Scheme::CoinbaseAdvancedHmac, account, &sent, &WsRequest::subscribe(&channels, &product_ids), now)?;
    Ok(advanced_subscriptions(Some(channel), &product_ids, now))
}

fn coinbase_cdp(state: &State, message: &Map<String, Value>, now: Timestamp) -> Result<Value, Rejection> {
    let jwt = text(message, "jwt")?;
    let channel = match message.get("channel") {
        None => None,
        Some(_) => {
            require_type(message, &["subscribe", "unsubscribe"])?;
            Some(text(message, "channel")?)
        }
    };
    let product_ids = strings(message, "product_ids")?;
    jwt::verify(state, jwt, now, UriCheck::Ws).map_err(|rejection| {
        // The diagnosis of a token from a registered key (`cexsign_diagnosis`).
        let account = cexsign::diagnose::token_kid(jwt).and_then(|kid| state.account(Scheme::CoinbaseCdp, &kid));
        match account {
            Some(account) if rejection.is_diagnosable() => {
                let message = cexsign::diagnose::SentRequest::ws(&[], &[]).with_auth("jwt", jwt);
                let diagnosis = diagnose_with_account(account, Vec::new(), &message);
                rejection.with_diagnosis(diagnosis)
            }
            _ => rejection,
        }
    })?;
    Ok(advanced_subscriptions(channel, &product_ids, now))
}

fn bitget(state: &State, message: &Map<String, Value>, now: Timestamp) -> Result<Value, Rejection> {
    if message.get("op").and_then(Value::as_str) != Some("login") {
        return Err(malformed("a Bitget login message has \"op\":\"login\""));
    }
    let Some(Value::Object(args)) = message.get("args").and_then(Value::as_array).and_then(|args| args.first()) else {
        return Err(malformed("a Bitget login message has \"args\": [{apiKey, passphrase, timestamp, sign}]"));
    };
    if !args.contains_key("apiKey") && args.contains_key("api_key") {
        // python-bitget's field name; the docs and ccxt send apiKey.
        return Err(Rejection::new(
            Failure::MissingHeader("apiKey"),
            "the login names the key \"api_key\" (python-bitget's field); Bitget's login field is \"apiKey\"",
        ));
    }
    let api_key = text(args, "apiKey")?;
    let passphrase = text(args, "passphrase")?;
    let timestamp = timestamp_text(args, "timestamp")?;
    let sign = text(args, "sign")?;
    let account = find_account(state, Scheme::Bitget, api_key)?;
    let sent = Sent { timestamp: &timestamp, passphrase: Some(passphrase), signature: sign };
    verify_hmac(Scheme::Bitget, account, &sent, &WsRequest::login(), now)?;
    Ok(json!({"event": "login", "code": 0}))
}

/// Gate: a channel message with `auth` (subscribe or unsubscribe), or a ws API login
/// (`"event":"api"`, channel `spot.login` / `futures.login`).
fn gate(state: &State, message: &Map<String, Value>, now: Timestamp) -> Result<Value, Rejection> {
    let channel = text(message, "channel")?;
    let event = text(message, "event")?;
    if event == "api" {
        return gate_api(state, message, channel, now);
    }
    let time = timestamp_text(message, "time")?;
    let product_ids = strings(message, "payload")?;
    let Some(Value::Object(auth)) = message.get("auth") else {
        return Err(Rejection::new(
            Failure::MissingHeader("auth"),
            "a private channel message carries \"auth\": {\"method\": \"api_key\", \"KEY\", \"SIGN\"}",
        ));
    };
    if auth.get("method").and_then(Value::as_str) != Some("api_key") {
        return Err(malformed("auth.method must be \"api_key\""));
    }
    let key = text(auth, "KEY")?;
    let sign = text(auth, "SIGN")?;
    let account = find_account(state, Scheme::Gate, key)?;
    let sent = Sent { timestamp: &time, passphrase: None, signature: sign };
    let channels = [channel];
    verify_hmac(Scheme::Gate, account, &sent, &WsRequest::subscribe(&channels, &product_ids).with_event(event), now)?;
    Ok(json!({
        "time": now.unix_secs(),
        "time_ms": u64::try_from(now.unix_millis()).unwrap_or(u64::MAX),
        "channel": channel,
        "event": event,
        "result": {"status": "success"},
    }))
}

fn gate_api(state: &State, message: &Map<String, Value>, channel: &str, now: Timestamp) -> Result<Value, Rejection> {
    if !channel.ends_with(".login") {
        return Err(malformed(format!(
            "this endpoint checks the ws API login (channel spot.login or futures.login), not {channel:?}"
        )));
    }
    let Some(Value::Object(payload)) = message.get("payload") else {
        return Err(Rejection::new(Failure::MissingHeader("payload"), "the message has no \"payload\" object"));
    };
    let api_key = text(payload, "api_key")?;
    let signature = text(payload, "signature")?;
    let timestamp = timestamp_text(payload, "timestamp")?;
    let account = find_account(state, Scheme::Gate, api_key)?;
    // The login signs `req_param` as `{}`; any other value cannot be a login.
    match payload.get("req_param") {
        None => {}
        Some(Value::Object(param)) if param.is_empty() => {}
        Some(_) => return Err(malformed("a login's req_param is {} (it is signed as \"{}\")")),
    }
    let sent = Sent { timestamp: &timestamp, passphrase: None, signature };
    verify_hmac(Scheme::Gate, account, &sent, &WsRequest::api(channel, &[]), now)?;
    let response_time = u64::try_from(now.unix_millis()).unwrap_or(u64::MAX).to_string();
    Ok(json!({
        "request_id": payload.get("req_id").cloned().unwrap_or(Value::Null),
        "ack": false,
        "header": {
            "response_time": response_time,
            "status": "200",
            "channel": channel,
            "event": "api",
            "client_id": WS_CONNECTION_ID,
        },
        "data": {"result": {"api_key": account.api_key(), "uid": "0"}},
    }))
}

/// `2024-02-27T03:37:14Z`, as Advanced Trade stamps its messages.
fn iso_seconds(now: Timestamp) -> String {
    let millis = TimestampFormat::Iso8601Millis.render(now).unwrap_or_else(|_| now.unix_secs().to_string());
    match millis.get(..19) {
        Some(seconds) if millis.len() == 24 => format!("{seconds}Z"),
        _ => millis,
    }
}

/// The most scalars of a message read as candidate keys and timestamps: a login message has a
/// handful, so this bounds the re-signing of a hostile one.
const MAX_SCALARS: usize = 16;

/// The login of a scheme this module does not name, checked by re-signing: the message must be
/// exactly the one the key's signer writes for a login at the instant (or expiry) it carries.
/// The key and the instant are found among the message's scalars (at most [`MAX_SCALARS`]);
/// the instant is then held to the exchange's timestamp rule, as on REST.
fn by_resigning(
    state: &State,
    scheme: Scheme,
    message: &Map<String, Value>,
    now: Timestamp,
) -> Result<Value, Rejection> {
    let mut scalars = Vec::new();
    collect_scalars(&Value::Object(message.clone()), &mut scalars, 0);
    let Some(account) = scalars.iter().find_map(|scalar| state.account(scheme, scalar)) else {
        let names = scheme.exchange().ws_auth.map_or("the API key", |names| names.key);
        return Err(Rejection::new(
            Failure::UnknownKey,
            format!("no {} account is registered with the key this login carries ({names})", scheme.name()),
        ));
    };
    let signer = account.signer();
    let format = received_format(scheme, signer.ws_timestamp_format(), true);
    let sent = Value::Object(message.clone());
    for scalar in &scalars {
        let Ok(wire) = WireTimestamp::parse(format, scalar) else { continue };
        let Ok(expected) = signer.sign_ws_at(&WsRequest::login(), &wire, &SignOptions::new()) else { continue };
        if serde_json::from_str::<Value>(expected.message_json()).is_ok_and(|expected| expected == sent) {
            check_ws_time(scheme, &wire, now)?;
            return Ok(json!({"success": true, "request": sent}));
        }
    }
    Err(Rejection::new(
        Failure::Signature,
        format!(
            "the login is not the one the key's signer writes at the instant it carries: check the signature and \
             that the message is {}'s login, field for field",
            scheme.name()
        ),
    ))
}

/// A login's instant held to the exchange's REST rule: an expiry must lie ahead, a timestamp
/// within the window.
fn check_ws_time(scheme: Scheme, wire: &WireTimestamp, now: Timestamp) -> Result<(), Rejection> {
    let exchange = scheme.exchange();
    let hint = "sign the login with a fresh timestamp";
    match exchange.rest_verification {
        cexsign::RestVerification::Headers(check) if check.timestamp == cexsign::TimestampRule::Expires => {
            let field = exchange.ws_auth.map_or("expires", |names| names.timestamp);
            super::verify::check_expiry(field, wire, now, exchange.window, hint)
        }
        _ => check_window(wire, now, window(scheme), hint),
    }
}

/// The string and number leaves of a message, in order, at most [`MAX_SCALARS`] and four levels
/// deep.
fn collect_scalars(value: &Value, out: &mut Vec<String>, depth: usize) {
    if out.len() >= MAX_SCALARS || depth > 4 {
        return;
    }
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Number(number) => out.push(number.to_string()),
        Value::Array(items) => items.iter().for_each(|item| collect_scalars(item, out, depth + 1)),
        Value::Object(fields) => fields.values().for_each(|field| collect_scalars(field, out, depth + 1)),
        _ => {}
    }
}
