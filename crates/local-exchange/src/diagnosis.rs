//! Where and within what budget the diagnosis of a rejected request runs.
//!
//! A check that rejects a request from a registered key names the diagnosis it wants (a
//! [`PendingDiagnosis`]: the key, and what was sent) instead of running it; the answer is laid
//! out without it and finished once its verdict is known. The [`Verifier`](crate::Verifier)
//! finishes it inline, within the default [`Budget`], as before. The server finishes it off
//! its request workers, on its low-priority background threads
//! ([`Background`](crate::background::Background)), at most [`Pool::SIZE`] at a time, within
//! [`SERVER_BUDGET`]: a rejection costs its one signature check on the worker, and a hostile
//! request (a wrong RSA signature, a form body of a million pairs) can no more hold the workers
//! that answer everyone else than cost more than the budget.
//!
//! When every thread of the pool is busy, the rejection is answered at once, its
//! `cexsign_diagnosis` an `unknown` verdict with `"budget": "skipped"`. An `unknown` verdict
//! whose search ran out of its budget carries `"budget": "exhausted"`. A verdict reached within
//! the budget (`correct`, or a mistake that reproduces the signature sent) carries no `budget`.

use std::sync::Arc;

use cexsign::Scheme;
use cexsign::diagnose::{Budget, Diagnosis, SentRequest, Spent};
use tokio::sync::Semaphore;

use super::State;
use super::account::Account;
use super::reply::Reply;
use super::verify::diagnose_with_account;

/// What one diagnosis may spend on the server: a quarter of the default's candidates and of its
/// bytes hashed, an eighth of its asymmetric operations. Measured with this crate's
/// `garbage_load` example (release build, two cores), a whole rejection costs about 3 ms of CPU
/// for a wrong OKX HMAC and 15 ms for a wrong Bybit RSA signature (32 re-signings, about 0.4 ms
/// each). A 1 MiB Binance form body of `a&a&…` costs about 65 ms, 27 of them outside the
/// diagnosis (reading, verifying and answering it) and most of the rest spent splitting the body
/// into its pairs before the first candidate is charged. Every search of an ordinary request
/// (nearby timestamps, query orders) still fits: the tests name the same mistakes over HTTP as
/// through a [`Verifier`](crate::Verifier).
pub(crate) const SERVER_BUDGET: Budget = Budget::new(4_096, 4 << 20, 32);

/// A diagnosis a rejection asks for: the registered key, and the request or message it
/// received, kept until the answer is finished.
pub(crate) struct PendingDiagnosis {
    scheme: Scheme,
    api_key: String,
    hosts: Vec<String>,
    sent: SentRequest,
}

impl PendingDiagnosis {
    /// The diagnosis of what `account` sent (`hosts`: where the request may have gone, for a
    /// bearer token's `uri`).
    pub(crate) fn new(account: &Account, hosts: Vec<String>, sent: SentRequest) -> Self {
        Self { scheme: account.scheme(), api_key: account.api_key().to_owned(), hosts, sent }
    }

    /// Runs it within `budget`; `None` when it cannot be run (the diagnosis refused the input).
    fn run(self, state: &State, budget: Budget) -> Option<Outcome> {
        let account = state.account(self.scheme, &self.api_key)?;
        let (diagnosis, spent) = diagnose_with_account(account, self.hosts, &self.sent, budget)?;
        Some(Outcome::Diagnosed(diagnosis, spent))
    }
}

/// Names the scheme only: what was sent holds the passphrase and signature.
impl std::fmt::Debug for PendingDiagnosis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingDiagnosis").field("scheme", &self.scheme).finish_non_exhaustive()
    }
}

/// What becomes of a pending diagnosis.
pub(crate) enum Outcome {
    /// It ran: the verdict, and what it spent of its budget.
    Diagnosed(Diagnosis, Spent),
    /// The pool was busy: the rejection was answered without one.
    Skipped,
}

/// The server's admission of diagnoses: at most [`Pool::SIZE`] run (on the background threads) at once.
pub(crate) struct Pool {
    permits: Arc<Semaphore>,
}

impl Pool {
    /// One: on the two-core machines this runs on, the other background thread stays free for
    /// the costly verifications however many rejections arrive.
    pub(crate) const SIZE: usize = 1;

    pub(crate) fn new() -> Self {
        Self { permits: Arc::new(Semaphore::new(Self::SIZE)) }
    }
}

/// Finishes a reply in the calling thread, within the default budget ([`Verifier`](crate::Verifier)).
pub(crate) fn finish_inline(state: &State, mut reply: Reply) -> Reply {
    match reply.take_diagnosis() {
        Some(pending) => {
            let outcome = pending.run(state, Budget::default());
            reply.with_diagnosis(outcome)
        }
        None => reply,
    }
}

/// Finishes a reply on the server's diagnosis pool, within [`SERVER_BUDGET`], or at once with
/// a skipped diagnosis when the pool is busy: the request worker only waits, never runs it.
pub(crate) async fn finish_on_pool(state: &Arc<State>, mut reply: Reply) -> Reply {
    let Some(pending) = reply.take_diagnosis() else {
        return reply;
    };
    let Ok(permit) = Arc::clone(&state.diagnoses.permits).try_acquire_owned() else {
        return reply.with_diagnosis(Some(Outcome::Skipped));
    };
    let background = Arc::clone(state);
    let diagnosis = state.background.run(move || {
        // Held until the diagnosis ends, even when the client has gone and nobody awaits it.
        let _permit = permit;
        pending.run(&background, SERVER_BUDGET)
    });
    reply.with_diagnosis(diagnosis.await.flatten())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LocalExchange;
    use crate::verify::{self, RawRequest};
    use cexsign::{Credentials, KeySettings, Method, OkxEnvironment, OkxSigner, SignableRequest, Signer, Timestamp};
    use serde_json::Value;

    /// The reply to an OKX request whose signature is wrong, awaiting its diagnosis.
    fn rejected_okx(state: &State) -> Reply {
        let credentials = Credentials::new()
            .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
            .secret("22582BD0CFF14C41EDBF1AB98506286D")
            .passphrase("Passphrase1!");
        let signer = OkxSigner::new(&credentials, OkxEnvironment::Live).unwrap();
        let now = Timestamp::now().unwrap();
        let signed = signer.sign(&SignableRequest::new(Method::Get, "/api/v5/account/balance").unwrap(), now).unwrap();
        let mut headers = http::HeaderMap::new();
        signed.apply_to(&mut headers);
        headers
            .insert("ok-access-sign", http::HeaderValue::from_static("HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY="));
        let request =
            RawRequest { method: "GET", path: "/api/v5/account/balance", query: None, headers: &headers, body: b"" };
        verify::rest(state, Scheme::Okx, &request, now)
    }

    fn state() -> Arc<State> {
        let credentials = Credentials::new()
            .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
            .secret("22582BD0CFF14C41EDBF1AB98506286D")
            .passphrase("Passphrase1!");
        let account = Account::new(Scheme::Okx, &credentials, &KeySettings::new()).unwrap();
        Arc::new(LocalExchange::new().with_account(account).into_state())
    }

    fn diagnosis_of(reply: &Reply) -> Value {
        let body: Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(body["code"], "50113", "{body}");
        let header =
            reply.headers.iter().find(|(name, _)| name == "cexsign-diagnosis").map(|(_, v)| v.to_str().unwrap());
        assert!(header.is_some(), "the diagnosis header: {:?}", reply.headers);
        body["cexsign_diagnosis"].clone()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_busy_pool_answers_at_once_with_a_skipped_diagnosis() {
        let state = state();
        let held = Arc::clone(&state.diagnoses.permits).try_acquire_many_owned(Pool::SIZE as u32).unwrap();
        let skipped = diagnosis_of(&finish_on_pool(&state, rejected_okx(&state)).await);
        assert_eq!((&skipped["verdict"], &skipped["budget"]), (&Value::from("unknown"), &Value::from("skipped")));
        assert!(skipped["explanation"].as_str().unwrap().contains("busy"), "{skipped}");

        drop(held);
        let diagnosed = diagnosis_of(&finish_on_pool(&state, rejected_okx(&state)).await);
        assert_eq!(diagnosed["verdict"], "unknown", "{diagnosed}");
        assert!(
            diagnosed.get("budget").is_none(),
            "a wrong signature is searched within the server's budget: {diagnosed}"
        );
        assert_eq!(state.diagnoses.permits.available_permits(), Pool::SIZE);
    }

    #[test]
    fn an_unknown_verdict_cut_short_says_its_budget_was_exhausted() {
        let state = state();
        let mut reply = rejected_okx(&state);
        let outcome = reply.take_diagnosis().unwrap().run(&state, Budget::new(8, 1 << 20, 0));
        let diagnosis = diagnosis_of(&reply.with_diagnosis(outcome));
        assert_eq!((&diagnosis["verdict"], &diagnosis["budget"]), (&Value::from("unknown"), &Value::from("exhausted")));
        assert!(diagnosis["explanation"].as_str().unwrap().contains("cut short"), "{diagnosis}");
    }

    #[test]
    fn the_verifier_diagnoses_inline_and_a_reply_without_a_diagnosis_is_unchanged() {
        let state = state();
        let diagnosis = diagnosis_of(&finish_inline(&state, rejected_okx(&state)));
        assert_eq!(diagnosis["verdict"], "unknown");
        assert!(diagnosis.get("budget").is_none(), "{diagnosis}");
        let plain = Reply::text(http::StatusCode::OK, "ok", crate::reply::Verdict::Neutral);
        assert_eq!(finish_inline(&state, plain).body, "ok");
    }
}
