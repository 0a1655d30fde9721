//! One table, two readers: every answer the local exchange can send for a rejection, rendered
//! for every scheme in the registry, classifies through `cexsign::rejection::classify` to the
//! kind the exchange's error table gives the code it was sent as.

use std::collections::HashSet;
use std::time::Duration;

use cexsign::Timestamp;
use cexsign::rejection::{Channel, ErrorCode, Refusal, classify};
use cexsign::{
    Credentials, Method, OkxEnvironment, OkxSigner, Prehash, RestVerification, Scheme, SignOptions, SignableRequest,
    Signer,
};
use serde_json::{Map, Value, json};

use super::reply::{Answer, Failure, Rejection, lays_out_errors, rest_rejection, ws_rejection};
use super::ws::has_login;

const NOW: Timestamp = Timestamp::from_unix_millis(1_700_000_000_000);

fn some_prehash() -> Option<Prehash> {
    let credentials = Credentials::new().api_key("k").secret("s").passphrase("p");
    let signer = OkxSigner::new(&credentials, OkxEnvironment::Live).unwrap();
    let request = SignableRequest::new(Method::Get, "/api/v5/account/balance").unwrap();
    signer.sign_with(&request, NOW, &SignOptions::new().keep_prehash()).unwrap().prehash().cloned()
}

/// Every failure the local exchange can reject with on this scheme: each missing header its
/// table names, one it does not, and every other failure (a signature error with and without
/// the expected prehash, an expiry on either side of the server clock).
fn failures(scheme: Scheme) -> Vec<(Failure, Option<Prehash>)> {
    let mut named: Vec<&'static str> = Vec::new();
    for entry in scheme.exchange().errors.codes {
        for refusal in entry.rest.iter().chain(entry.ws) {
            if let Refusal::MissingHeader(name) = refusal {
                named.push(name);
            }
        }
    }
    let ahead = Timestamp::from_unix_millis(1_700_000_100_000);
    let behind = Timestamp::from_unix_millis(1_699_999_900_000);
    let window = Duration::from_secs(5);
    let mut failures: Vec<(Failure, Option<Prehash>)> =
        named.into_iter().chain(["X-Not-Named-Anywhere"]).map(|name| (Failure::MissingHeader(name), None)).collect();
    failures.extend(
        [
            Failure::UnknownKey,
            Failure::KeyFormat,
            Failure::Environment,
            Failure::InvalidTimestamp { raw: "yesterday".to_owned(), server_secs: NOW.unix_secs() },
            Failure::Expired { request: ahead, server: NOW, window },
            Failure::Expired { request: behind, server: NOW, window },
            Failure::Passphrase,
            Failure::Signature,
            Failure::Nonce,
            Failure::RecvWindow,
            Failure::KeyType,
            Failure::CdnBlocked,
            Failure::BodyTooLarge,
            Failure::Malformed,
        ]
        .into_iter()
        .map(|failure| (failure, None)),
    );
    failures.push((Failure::Signature, some_prehash()));
    // Only an exchange that reads bodies as one media type refuses another, and only on REST.
    if requires_body_type(scheme) {
        failures.push((Failure::ContentType, None));
    }
    failures
}

fn requires_body_type(scheme: Scheme) -> bool {
    matches!(scheme.exchange().rest_verification, RestVerification::Headers(check) if check.body_type.required.is_some())
}

fn rejection(failure: &Failure, prehash: &Option<Prehash>) -> Rejection {
    Rejection::new(failure.clone(), "why").with_prehash(prehash.clone())
}

/// The websocket messages an answer may echo from: none, a plain login, and Gate's ws API.
fn ws_messages() -> Vec<Option<Map<String, Value>>> {
    let object = |value: Value| value.as_object().cloned();
    vec![
        None,
        object(json!({"id": "1", "req_id": "2", "type": "auth", "channel": "spot.login", "event": "subscribe"})),
        object(json!({"channel": "spot.login", "event": "api", "payload": {"req_id": "3"}})),
    ]
}

/// Checks one rendered answer: a code the table says is an auth rejection classifies to its
/// kind (with the code the classifier reports being the one sent); any other answer is left to
/// the status, exactly as an empty body with that status would be.
fn check(scheme: Scheme, channel: Channel, failure: &Failure, status: u16, body: &str) {
    check_under(scheme, channel, failure, None, status, body);
}

/// [`check`] for a request of the API under a path prefix ([`ErrorCode::under`]).
fn check_under(scheme: Scheme, channel: Channel, failure: &Failure, under: Option<&str>, status: u16, body: &str) {
    let answer = Answer::under(scheme, channel, failure, under);
    let classified = classify(scheme, status, body.as_bytes());
    let context = format!("{} {channel:?} {failure:?}: {status} {body}", scheme.exchange().id);
    match answer.entry.and_then(|entry| entry.kind) {
        Some(kind) => {
            let classified = classified.unwrap_or_else(|| panic!("not classified: {context}"));
            assert_eq!(classified.kind, kind, "{context}");
            if let Some(code) = &classified.code {
                assert_eq!(code, answer.code, "{context}");
            }
        }
        None => {
            let by_status = classify(scheme, status, b"").map(|r| r.kind);
            assert_eq!(classified.map(|r| r.kind), by_status, "{context}");
        }
    }
}

#[test]
fn every_answer_the_local_exchange_sends_classifies_to_its_tables_kind() {
    for scheme in Scheme::ALL.into_iter().filter(|s| lays_out_errors(*s)) {
        let table = &scheme.exchange().errors;
        let mut sent: HashSet<(bool, *const ErrorCode)> = HashSet::new();
        // The main API, and each API whose codes the table scopes to a path prefix.
        let mut apis: Vec<Option<&'static str>> = vec![None];
        for under in table.codes.iter().map(|entry| entry.under).filter(Option::is_some) {
            if !apis.contains(&under) {
                apis.push(under);
            }
        }
        for (failure, prehash) in failures(scheme) {
            for &under in &apis {
                let reply = rest_rejection(scheme, rejection(&failure, &prehash).under(under), NOW);
                check_under(scheme, Channel::Rest, &failure, under, reply.status.as_u16(), &reply.body);
                if let Some(entry) = Answer::under(scheme, Channel::Rest, &failure, under).entry {
                    sent.insert((false, entry));
                }
            }
            if !has_login(scheme) {
                continue;
            }
            for message in ws_messages() {
                let reply = ws_rejection(scheme, rejection(&failure, &prehash), message.as_ref(), NOW);
                check(scheme, Channel::Ws, &failure, reply.status.as_u16(), &reply.body);
            }
            if let Some(entry) = Answer::new(scheme, Channel::Ws, &failure).entry {
                sent.insert((true, entry));
            }
        }
        // The failures above reach every code the table says the local exchange sends.
        for entry in table.codes {
            let id = scheme.exchange().id;
            if !entry.rest.is_empty() {
                assert!(sent.contains(&(false, entry as *const _)), "{id}: REST {} is never sent", entry.code);
            }
            if !entry.ws.is_empty() {
                assert!(has_login(scheme), "{id}: websocket code {} but no websocket login", entry.code);
                assert!(sent.contains(&(true, entry as *const _)), "{id}: ws {} is never sent", entry.code);
            }
        }
    }
}

#[test]
fn every_refusal_of_a_readable_request_has_an_exchange_code() {
    // The local exchange's own codes are only for requests it could not read.
    for scheme in Scheme::ALL.into_iter().filter(|s| lays_out_errors(*s)) {
        for (failure, _) in failures(scheme) {
            if matches!(failure, Failure::Malformed | Failure::BodyTooLarge) {
                continue;
            }
            let channels: &[Channel] = if has_login(scheme) { &[Channel::Rest, Channel::Ws] } else { &[Channel::Rest] };
            for channel in channels.iter().filter(|c| **c == Channel::Rest || failure != Failure::ContentType) {
                let answer = Answer::new(scheme, *channel, &failure);
                assert!(answer.entry.is_some(), "{} {channel:?} {failure:?}: no code", scheme.exchange().id);
            }
        }
    }
}

#[test]
fn a_scheme_the_local_exchange_does_not_serve_is_refused_as_such() {
    // Never another exchange's answer, never a panic: a cexsign-level 501 naming the scheme.
    for scheme in Scheme::ALL.into_iter().filter(|s| !lays_out_errors(*s)) {
        for (failure, prehash) in failures(scheme) {
            for reply in [
                rest_rejection(scheme, rejection(&failure, &prehash), NOW),
                ws_rejection(scheme, rejection(&failure, &prehash), None, NOW),
            ] {
                assert_eq!(reply.status.as_u16(), 501, "{}", scheme.exchange().id);
                assert!(reply.body.contains(scheme.name()), "{}", reply.body);
            }
        }
    }
}
