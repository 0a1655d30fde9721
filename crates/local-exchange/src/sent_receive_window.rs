//! Requests signed with the receive window they send ([`RestVerification::SentReceiveWindow`]),
//! by Bybit v5's rules.
//!
//! [`RestVerification::SentReceiveWindow`]: cexsign::RestVerification::SentReceiveWindow
//!
//! REST, in Bybit's order: `X-BAPI-API-KEY`, `X-BAPI-SIGN` and `X-BAPI-TIMESTAMP` present, the
//! key known (10003), `X-BAPI-RECV-WINDOW` readable (10001; absent means Bybit's default 5000),
//! the time rule `server_time - recv_window <= timestamp < server_time + 1000` (10002), then
//! the signature over `timestamp + key + recv_window + (query | body)` computed with the
//! request's own `recv_window` (10004, whose message echoes that string as Bybit does:
//! `error sign! origin_string[…]`). Bybit answers errors with HTTP 200 and a non-zero
//! `retCode`, except an invalid key (HTTP 401).
//!
//! The websocket `op: auth` login is described in Bybit's home and checked by the websocket
//! check (`ws.rs`).

use std::time::Duration;

use super::State;
use super::reply::{Failure, Rejection};
use super::verify::{Accepted, RawRequest, ReceiveWindowRule, find_account, header, signable, unsignable};
use cexsign::server_time::ServerTime;
use cexsign::{Scheme, SignOptions, Timestamp, TimestampFormat, WireTimestamp};

/// Bybit's default `recv_window`, used when the header is absent.
const DEFAULT_RECV_WINDOW: &str = "5000";
/// Verifies a REST request.
pub(crate) fn verify_rest(
    state: &State,
    scheme: Scheme,
    request: &RawRequest<'_>,
    now: Timestamp,
) -> Result<Accepted, Rejection> {
    let headers = request.headers;
    let required = |name: &'static str, shown: &'static str| {
        header(headers, name).ok_or_else(|| {
            Rejection::new(Failure::MissingHeader(shown), format!("the {shown} header is missing or empty"))
        })
    };
    let key = required("x-bapi-api-key", "X-BAPI-API-KEY")?;
    let sign = required("x-bapi-sign", "X-BAPI-SIGN")?;
    let timestamp = required("x-bapi-timestamp", "X-BAPI-TIMESTAMP")?;
    let account = find_account(state, scheme, &key)?;
    let Some(signer) = account.bybit_signer() else {
        return Err(Rejection::new(Failure::UnknownKey, "the key is not a Bybit key"));
    };

    let recv_window = header(headers, "x-bapi-recv-window");
    let recv_window = recv_window.as_deref().map_or(DEFAULT_RECV_WINDOW, str::trim);
    let window = parse_window(recv_window).ok_or_else(|| {
        Rejection::new(
            Failure::RecvWindow,
            format!("X-BAPI-RECV-WINDOW {recv_window:?} is not a whole number of milliseconds (e.g. 5000)"),
        )
    })?;
    let wire = WireTimestamp::parse(TimestampFormat::UnixMillis, &timestamp).map_err(|error| {
        Rejection::new(
            Failure::InvalidTimestamp { raw: timestamp.clone().into_owned(), server_secs: now.unix_secs() },
            format!("X-BAPI-TIMESTAMP {timestamp:?}: {error}"),
        )
    })?;

    // The expected signature, with the recv_window the request carries.
    let expected =
        signable(request.method, request.path, request.query.unwrap_or(""), request.body).and_then(|signable| {
            signer
                .sign_at_recv_window(&signable, &wire, recv_window, &SignOptions::new().keep_prehash())
                .map_err(unsignable)
        });
    let prehash = expected.as_ref().ok().and_then(|signed| signed.prehash().cloned());

    time_rule(scheme).check(&wire, now, window).map_err(|r| r.with_prehash(prehash.clone()))?;

    let expected = expected.map_err(|reason| Rejection::new(Failure::Signature, reason))?;
    if !expected.signature_matches(&sign) {
        return Err(Rejection::new(
            Failure::Signature,
            "X-BAPI-SIGN does not match HMAC-SHA256 hex (RSA keys: base64 RSA-SHA256) of timestamp + api_key + \
             recv_window + (GET: the query exactly as sent; POST: the body exactly as sent); the origin_string in \
             retMsg (and cexsign_expected_prehash) is what the server signed: compare it with yours",
        )
        .with_prehash(prehash));
    }
    Ok(Accepted { api_key: account.api_key().to_owned(), timestamp: wire.as_str().to_owned() })
}

/// `recv_window` as a duration: decimal milliseconds, 1 to 20 digits.
fn parse_window(text: &str) -> Option<Duration> {
    if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().map(Duration::from_millis)
}

/// Bybit's time rule: `timestamp < serverTime + 1000` and `serverTime - timestamp <= recvWindow`.
const fn time_rule(scheme: Scheme) -> ReceiveWindowRule {
    ReceiveWindowRule {
        field: "X-BAPI-TIMESTAMP",
        ahead: "Bybit accepts less than 1 s ahead",
        window_name: "recv_window",
        time_endpoint: ServerTime::of(scheme).path(),
    }
}
