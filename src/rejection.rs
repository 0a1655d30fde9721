//! What an exchange's auth rejection means, and what to do next: from (scheme, HTTP status,
//! response body) to a typed [`Rejection`].
//!
//! Built from the exchanges' documented error codes (OKX `501xx`/`600xx`, KuCoin `4000xx`,
//! Coinbase's plain `Unauthorized`, v2 error ids and Exchange messages, Delta's error codes,
//! Binance's negative codes, Bybit `retCode`s, Kraken `EAPI:` errors, Bitget's five-digit codes
//! and Gate labels). A
//! rejection is a verdict about a response, not an [`crate::Error`]: the request was signed and
//! sent; the server said no.

use serde_json::Value;

use crate::Scheme;

/// The kind of auth rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectionKind {
    /// The timestamp is outside the exchange's window: the clock is off or a signature was reused.
    TimestampOutsideWindow,
    /// The timestamp header is missing or not in the exchange's format.
    MalformedTimestamp,
    /// The signature does not match what the exchange computed.
    InvalidSignature,
    /// The API key is unknown (or belongs to another region or environment's host).
    InvalidKey,
    /// The passphrase is wrong (or, on KuCoin, sent in the wrong form for the key version).
    InvalidPassphrase,
    /// The key exists but is for the other environment (OKX demo vs live).
    WrongEnvironment,
    /// The key has expired, or is of a retired kind (Coinbase legacy HMAC keys, Feb 2025).
    KeyExpiredOrLegacy,
    /// The caller's IP address is not on the key's allow-list.
    IpNotAllowed,
    /// The key lacks the permission the endpoint needs.
    PermissionDenied,
    /// Too many requests.
    RateLimited,
    /// An auth header is missing.
    MissingCredentials,
    /// The request was blocked before auth (Delta's CDN without a `User-Agent`).
    BlockedByCdn,
    /// The exchange refused without saying why (Coinbase Advanced's plain `Unauthorized`).
    Unspecified,
}

/// What to do about a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NextStep {
    /// Fetch the server time, correct the clock, re-sign and retry once.
    ResyncAndRetryOnce,
    /// Re-sign with a fresh timestamp (and JWT) and retry once; if it fails again, check the
    /// configuration.
    RetryOnce,
    /// Wait (honour `Retry-After` if present) before retrying.
    BackOff,
    /// Retrying cannot help: fix the key, secret, passphrase, environment or code.
    FixConfiguration,
    /// The key cannot work: stop and create a new one.
    Stop,
}

/// An exchange's auth rejection, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// What kind of rejection.
    pub kind: RejectionKind,
    /// What to do next.
    pub next_step: NextStep,
    /// The exchange's own code, when it gave one (`50113`, `400005`, `expired_signature`, ...).
    pub code: Option<String>,
    /// The exchange's own message, when it gave one.
    pub message: Option<String>,
}

impl RejectionKind {
    /// The usual next step for this kind.
    pub const fn next_step(self) -> NextStep {
        match self {
            RejectionKind::TimestampOutsideWindow => NextStep::ResyncAndRetryOnce,
            RejectionKind::Unspecified => NextStep::RetryOnce,
            RejectionKind::RateLimited => NextStep::BackOff,
            RejectionKind::KeyExpiredOrLegacy => NextStep::Stop,
            _ => NextStep::FixConfiguration,
        }
    }
}

/// Classifies a response. `None` when it is not an auth rejection (a success, or an error about
/// the order itself).
///
/// ```
/// use cexsign::Scheme;
/// use cexsign::rejection::{NextStep, RejectionKind, classify};
/// let r = classify(Scheme::Okx, 401, br#"{"msg":"Timestamp request expired","code":"50102"}"#).unwrap();
/// assert_eq!(r.kind, RejectionKind::TimestampOutsideWindow);
/// assert_eq!(r.next_step, NextStep::ResyncAndRetryOnce);
/// assert!(classify(Scheme::Okx, 200, br#"{"code":"0","data":[]}"#).is_none());
/// ```
pub fn classify(scheme: Scheme, status: u16, body: &[u8]) -> Option<Rejection> {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let text = String::from_utf8_lossy(body);
    let found = match scheme {
        Scheme::Okx => json.as_ref().and_then(okx),
        Scheme::Kucoin => json.as_ref().and_then(kucoin),
        Scheme::Delta => json.as_ref().and_then(delta),
        Scheme::CoinbaseExchange => json.as_ref().and_then(coinbase_exchange),
        Scheme::CoinbaseAdvancedHmac | Scheme::CoinbaseCdp => coinbase_advanced(scheme, status, json.as_ref(), &text),
        Scheme::Binance => json.as_ref().and_then(binance),
        Scheme::Bybit => json.as_ref().and_then(bybit),
        Scheme::Kraken => json.as_ref().and_then(kraken),
        Scheme::Bitget => json.as_ref().and_then(bitget),
        Scheme::Gate => json.as_ref().and_then(gate),
    };
    let by_status = match status {
        429 => Some((RejectionKind::RateLimited, None, None)),
        401 => Some((RejectionKind::Unspecified, None, None)),
        403 => Some((RejectionKind::PermissionDenied, None, None)),
        _ => None,
    };
    let found = found.or(by_status)?;
    let (kind, code, message) = found;
    let next_step = match (scheme, kind) {
        // Coinbase gives no reason: a clock off by more than the window looks the same as an
        // expired legacy key, so one resynced attempt comes before giving up on the key.
        (Scheme::CoinbaseAdvancedHmac, RejectionKind::KeyExpiredOrLegacy) => NextStep::RetryOnce,
        // Kraken has no time window: a refused nonce wants a fresh, larger nonce, not a resync.
        (Scheme::Kraken, RejectionKind::TimestampOutsideWindow) => NextStep::RetryOnce,
        _ => kind.next_step(),
    };
    Some(Rejection { kind, next_step, code, message })
}

type Found = (RejectionKind, Option<String>, Option<String>);

fn field(json: &Value, name: &str) -> Option<String> {
    match json.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn okx(json: &Value) -> Option<Found> {
    use RejectionKind::*;
    // REST: {"code","msg"}; websocket: {"event":"error","code","msg"}.
    let code = field(json, "code")?;
    let kind = match code.as_str() {
        "50101" => WrongEnvironment,
        "50102" | "60006" => TimestampOutsideWindow,
        "50107" | "50112" | "60004" => MalformedTimestamp,
        "50103" | "50104" | "50106" => MissingCredentials,
        "50105" | "60024" => InvalidPassphrase,
        "50110" => IpNotAllowed,
        "50111" | "50119" | "60005" | "60031" => InvalidKey,
        "50113" | "50114" | "60007" => InvalidSignature,
        "50011" | "50061" => RateLimited,
        "50120" | "50121" | "50122" => PermissionDenied,
        "60009" => Unspecified,
        _ => return None,
    };
    Some((kind, Some(code), field(json, "msg")))
}

fn kucoin(json: &Value) -> Option<Found> {
    use RejectionKind::*;
    let code = field(json, "code")?;
    let kind = match code.as_str() {
        "400001" => MissingCredentials,
        "400002" => TimestampOutsideWindow,
        "400003" => InvalidKey,
        "400004" => InvalidPassphrase,
        "400005" | "400201" => InvalidSignature,
        "400006" => IpNotAllowed,
        "400007" => PermissionDenied,
        "429000" => RateLimited,
        _ => return None,
    };
    Some((kind, Some(code), field(json, "msg")))
}

fn delta(json: &Value) -> Option<Found> {
    use RejectionKind::*;
    // `error` is a string (`"SignatureExpired"`) or an object (`{"code":"expired_signature"}`);
    // websocket auth answers carry it in `error` too, with `status_code`.
    let code = match json.get("error")? {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.get("code").and_then(Value::as_str)?.to_owned(),
        _ => return None,
    };
    let message = field(json, "message");
    let kind = match code.as_str() {
        "SignatureExpired" | "expired_signature" | "request_expired" => TimestampOutsideWindow,
        "InvalidApiKey" | "invalid_api_key" | "api_key_not_found" => InvalidKey,
        "Signature Mismatch" | "invalid_signature" | "SignatureMismatch" => InvalidSignature,
        "UnauthorizedApiAccess" => PermissionDenied,
        "ip_not_whitelisted_for_api_key" | "ip_not_whitelisted" => IpNotAllowed,
        "unauthorized" | "incomplete_payload" => MissingCredentials,
        "Forbidden" if message.as_deref().is_some_and(|m| m.contains("CDN")) => BlockedByCdn,
        "rate_limit_exceeded" | "RateLimitExceeded" => RateLimited,
        _ => return None,
    };
    Some((kind, Some(code), message))
}

fn coinbase_exchange(json: &Value) -> Option<Found> {
    use RejectionKind::*;
    let message = field(json, "message")?;
    let lower = message.to_ascii_lowercase();
    let kind = if lower.contains("timestamp") && lower.contains("expired") {
        TimestampOutsideWindow
    } else if lower.contains("invalid timestamp") {
        MalformedTimestamp
    } else if lower.contains("invalid signature") {
        InvalidSignature
    } else if lower.contains("invalid api key") {
        InvalidKey
    } else if lower.contains("invalid passphrase") {
        InvalidPassphrase
    } else if lower.contains("rate limit") {
        RateLimited
    } else if lower.contains("whitelist") || lower.contains("ip address") {
        IpNotAllowed
    } else if lower.contains("header is required") {
        MissingCredentials
    } else if lower.contains("forbidden") || lower.contains("permission") {
        PermissionDenied
    } else {
        return None;
    };
    Some((kind, None, Some(message)))
}

fn binance(json: &Value) -> Option<Found> {
    use RejectionKind::*;
    // REST: {"code":-1022,"msg":"..."}; WebSocket API: {"status":401,"error":{"code":-1022,...}}.
    let error = json.get("error").filter(|e| e.is_object()).unwrap_or(json);
    let code = field(error, "code")?;
    let kind = match code.as_str() {
        "-1021" => TimestampOutsideWindow,
        "-1022" => InvalidSignature,
        "-1102" => MissingCredentials,
        "-2014" => InvalidKey,
        // Unknown key, IP not allowed or missing permission: Binance does not say which.
        "-2015" => InvalidKey,
        "-1002" => PermissionDenied,
        "-1003" | "-1015" => RateLimited,
        _ => return None,
    };
    Some((kind, Some(code), field(error, "msg")))
}

fn bybit(json: &Value) -> Option<Found> {
    use RejectionKind::*;
    let code = field(json, "retCode")?;
    let kind = match code.as_str() {
        "10002" => TimestampOutsideWindow,
        "10003" => InvalidKey,
        "10004" => InvalidSignature,
        "10005" => PermissionDenied,
        "10006" | "10018" => RateLimited,
        "10010" => IpNotAllowed,
        "33004" => KeyExpiredOrLegacy,
        _ => return None,
    };
    Some((kind, Some(code), field(json, "retMsg")))
}

fn kraken(json: &Value) -> Option<Found> {
    use RejectionKind::*;
    // HTTP 200 with {"error":["EAPI:Invalid signature"],"result":...}.
    let errors = json.get("error")?.as_array()?;
    let code = errors.iter().filter_map(Value::as_str).find_map(|e| {
        let kind = match e {
            "EAPI:Invalid signature" => InvalidSignature,
            // Kraken also reports a wrongly computed API-Sign this way.
            "EAPI:Invalid key" => InvalidKey,
            // Not a clock problem: the nonce was not above the last one the key saw.
            "EAPI:Invalid nonce" => TimestampOutsideWindow,
            "EGeneral:Permission denied" => PermissionDenied,
            "EAPI:Rate limit exceeded" => RateLimited,
            "EGeneral:Invalid arguments:Nonce" => MalformedTimestamp,
            _ => return None,
        };
        Some((kind, e.to_owned()))
    })?;
    Some((code.0, Some(code.1.clone()), Some(code.1)))
}

fn bitget(json: &Value) -> Option<Found> {
    use RejectionKind::*;
    let code = field(json, "code")?;
    let kind = match code.as_str() {
        "40001" | "40002" | "40003" | "40011" => MissingCredentials,
        "40004" | "40008" => TimestampOutsideWindow,
        "40005" => MalformedTimestamp,
        "40006" | "40037" => InvalidKey,
        "40009" | "40010" => InvalidSignature,
        "40012" => InvalidPassphrase,
        "40014" => PermissionDenied,
        "40018" => IpNotAllowed,
        "429" => RateLimited,
        _ => return None,
    };
    Some((kind, Some(code), field(json, "msg")))
}

fn gate(json: &Value) -> Option<Found> {
    use RejectionKind::*;
    let label = field(json, "label")?;
    let kind = match label.as_str() {
        "INVALID_SIGNATURE" => InvalidSignature,
        "INVALID_KEY" | "INVALID_CREDENTIALS" => InvalidKey,
        "MISSING_REQUIRED_HEADER" => MissingCredentials,
        "REQUEST_EXPIRED" => TimestampOutsideWindow,
        "IP_FORBIDDEN" => IpNotAllowed,
        "READ_ONLY" | "FORBIDDEN" => PermissionDenied,
        "TOO_MANY_REQUESTS" => RateLimited,
        _ => return None,
    };
    Some((kind, Some(label), field(json, "message")))
}

fn coinbase_advanced(scheme: Scheme, status: u16, json: Option<&Value>, text: &str) -> Option<Found> {
    use RejectionKind::*;
    // v2 endpoints: {"errors":[{"id":"authentication_error","message":"invalid signature"}]}.
    if let Some(error) = json.and_then(|j| j.pointer("/errors/0")) {
        let id = field(error, "id");
        let message = field(error, "message");
        let lower = message.as_deref().unwrap_or_default().to_ascii_lowercase();
        let kind = match id.as_deref() {
            Some("rate_limit_exceeded") => RateLimited,
            Some("expired_token") => TimestampOutsideWindow,
            Some("revoked_token" | "invalid_token") => InvalidKey,
            _ if lower.contains("timestamp") => TimestampOutsideWindow,
            _ if lower.contains("invalid signature") => InvalidSignature,
            _ if lower.contains("api key") => InvalidKey,
            _ if lower.contains("scope") || lower.contains("permission") => PermissionDenied,
            _ => return None,
        };
        return Some((kind, id, message));
    }
    // 403 with {"error":"PERMISSION_DENIED","error_details":"Missing required scopes"}.
    if status == 403 {
        let details = json.and_then(|j| field(j, "error_details")).or_else(|| json.and_then(|j| field(j, "message")));
        return Some((PermissionDenied, json.and_then(|j| field(j, "error")), details));
    }
    // Websocket: {"type":"error","message":"authentication failure"}.
    let ws_failure = json.and_then(|j| field(j, "message")).is_some_and(|m| m == "authentication failure");
    if status == 401 || text.trim() == "Unauthorized" || ws_failure {
        // Coinbase gives no reason. Legacy HMAC keys were all expired in February 2025, so for
        // them the likeliest reason is the key itself.
        let kind = if scheme == Scheme::CoinbaseAdvancedHmac { KeyExpiredOrLegacy } else { Unspecified };
        return Some((kind, None, Some(text.trim().chars().take(200).collect())));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use RejectionKind::*;

    fn kind(scheme: Scheme, status: u16, body: &str) -> Option<RejectionKind> {
        classify(scheme, status, body.as_bytes()).map(|r| r.kind)
    }

    #[test]
    fn okx_codes_from_auth_md() {
        let okx = |code: &str| kind(Scheme::Okx, 401, &format!(r#"{{"msg":"x","code":"{code}"}}"#));
        assert_eq!(okx("50101"), Some(WrongEnvironment));
        assert_eq!(okx("50102"), Some(TimestampOutsideWindow));
        assert_eq!(okx("50103"), Some(MissingCredentials));
        assert_eq!(okx("50104"), Some(MissingCredentials));
        assert_eq!(okx("50105"), Some(InvalidPassphrase));
        assert_eq!(okx("50106"), Some(MissingCredentials));
        assert_eq!(okx("50107"), Some(MalformedTimestamp));
        assert_eq!(okx("50110"), Some(IpNotAllowed));
        assert_eq!(okx("50111"), Some(InvalidKey));
        assert_eq!(okx("50112"), Some(MalformedTimestamp));
        assert_eq!(okx("50113"), Some(InvalidSignature));
        assert_eq!(okx("50114"), Some(InvalidSignature));
        assert_eq!(okx("50119"), Some(InvalidKey));
        for (code, expected) in [
            ("60004", MalformedTimestamp),
            ("60005", InvalidKey),
            ("60006", TimestampOutsideWindow),
            ("60007", InvalidSignature),
            ("60009", Unspecified),
            ("60024", InvalidPassphrase),
            ("60031", InvalidKey),
        ] {
            let body = format!(r#"{{"event":"error","code":"{code}","msg":"m"}}"#);
            assert_eq!(kind(Scheme::Okx, 200, &body), Some(expected), "{code}");
        }
        assert_eq!(kind(Scheme::Okx, 200, r#"{"code":"0","msg":"","data":[]}"#), None);
        let r = classify(Scheme::Okx, 401, br#"{"msg":"Invalid Sign","code":"50113"}"#).unwrap();
        assert_eq!((r.code.as_deref(), r.message.as_deref()), (Some("50113"), Some("Invalid Sign")));
        assert_eq!(r.next_step, NextStep::FixConfiguration);
    }

    #[test]
    fn kucoin_codes_from_auth_md() {
        for (code, expected) in [
            ("400001", MissingCredentials),
            ("400002", TimestampOutsideWindow),
            ("400003", InvalidKey),
            ("400004", InvalidPassphrase),
            ("400005", InvalidSignature),
            ("400006", IpNotAllowed),
            ("400007", PermissionDenied),
            ("400201", InvalidSignature),
            ("429000", RateLimited),
        ] {
            let body = format!(r#"{{"code":"{code}","msg":"m"}}"#);
            assert_eq!(kind(Scheme::Kucoin, 401, &body), Some(expected), "{code}");
        }
        assert_eq!(kind(Scheme::Kucoin, 200, r#"{"code":"200000","data":{}}"#), None);
    }

    #[test]
    fn coinbase_exchange_messages_from_auth_md() {
        for (message, expected) in [
            ("invalid signature", InvalidSignature),
            ("Invalid API Key", InvalidKey),
            ("Invalid Passphrase", InvalidPassphrase),
            ("request timestamp expired", TimestampOutsideWindow),
        ] {
            let body = format!(r#"{{"message":"{message}"}}"#);
            assert_eq!(kind(Scheme::CoinbaseExchange, 401, &body), Some(expected), "{message}");
        }
        // Some clients saw 400 for a bad signature.
        assert_eq!(kind(Scheme::CoinbaseExchange, 400, r#"{"message":"invalid signature"}"#), Some(InvalidSignature));
    }

    #[test]
    fn coinbase_advanced_plain_unauthorized_and_v2_errors() {
        assert_eq!(kind(Scheme::CoinbaseCdp, 401, "Unauthorized"), Some(Unspecified));
        assert_eq!(classify(Scheme::CoinbaseCdp, 401, b"Unauthorized").unwrap().next_step, NextStep::RetryOnce);
        let legacy = classify(Scheme::CoinbaseAdvancedHmac, 401, b"Unauthorized").unwrap();
        assert_eq!((legacy.kind, legacy.next_step), (KeyExpiredOrLegacy, NextStep::RetryOnce));
        for (message, expected) in [
            ("invalid signature", InvalidSignature),
            ("invalid api key", InvalidKey),
            ("request timestamp expired", TimestampOutsideWindow),
        ] {
            let body = format!(r#"{{"errors":[{{"id":"authentication_error","message":"{message}"}}]}}"#);
            assert_eq!(kind(Scheme::CoinbaseCdp, 401, &body), Some(expected), "{message}");
        }
        let scopes = r#"{"error":"PERMISSION_DENIED","error_details":"Missing required scopes","message":"Missing required scopes"}"#;
        assert_eq!(kind(Scheme::CoinbaseCdp, 403, scopes), Some(PermissionDenied));
        assert_eq!(
            kind(Scheme::CoinbaseCdp, 200, r#"{"type":"error","message":"authentication failure"}"#),
            Some(Unspecified)
        );
        assert_eq!(kind(Scheme::CoinbaseCdp, 200, r#"{"accounts":[]}"#), None);
    }

    #[test]
    fn delta_codes_from_auth_md() {
        for (body, expected) in [
            (r#"{"error":"SignatureExpired","message":"your signature has expired"}"#, TimestampOutsideWindow),
            (
                r#"{"error":{"code":"expired_signature","context":{"request_time":1,"server_time":9}},"success":false}"#,
                TimestampOutsideWindow,
            ),
            (r#"{"error":"InvalidApiKey","message":"Api Key not found"}"#, InvalidKey),
            (r#"{"error":{"code":"invalid_api_key"},"success":false}"#, InvalidKey),
            (r#"{"success":false,"error":{"code":"Signature Mismatch"}}"#, InvalidSignature),
            (r#"{"error":{"code":"invalid_signature"}}"#, InvalidSignature),
            (r#"{"error":"UnauthorizedApiAccess","message":"Api Key not authorised"}"#, PermissionDenied),
            (r#"{"success":false,"error":{"code":"ip_not_whitelisted_for_api_key"}}"#, IpNotAllowed),
            (r#"{"error":"Forbidden","message":"Request blocked by CDN"}"#, BlockedByCdn),
            (r#"{"error":"unauthorized","success":false}"#, MissingCredentials),
            (
                r#"{"type":"key-auth","success":false,"status_code":408,"error":"request_expired"}"#,
                TimestampOutsideWindow,
            ),
        ] {
            assert_eq!(kind(Scheme::Delta, 401, body), Some(expected), "{body}");
        }
    }

    #[test]
    fn unknown_bodies_fall_back_on_the_status() {
        assert_eq!(kind(Scheme::Okx, 429, "slow down"), Some(RateLimited));
        assert_eq!(kind(Scheme::Kucoin, 401, "<html>"), Some(Unspecified));
        assert_eq!(kind(Scheme::Delta, 403, ""), Some(PermissionDenied));
        assert_eq!(kind(Scheme::Delta, 500, "oops"), None);
        assert_eq!(kind(Scheme::Okx, 200, "\u{0}\u{1}garbage"), None);
    }
}
