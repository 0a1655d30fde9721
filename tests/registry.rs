//! The exchange registry: every scheme it lists has a description the engines can use, and
//! builds its own signer from the credentials of its conformance vectors.

use std::path::Path;

use cexsign::{Credentials, KeySettings, Scheme};
use serde_json::Value;

/// The first vector of `scheme` in the vector sets, if it has any.
fn first_vector(scheme: Scheme) -> Option<Value> {
    ["tests/vectors"].into_iter().find_map(|set| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(set).join(format!("{}.json", scheme.id()));
        let text = std::fs::read_to_string(path).ok()?;
        let file: Value = serde_json::from_str(&text).ok()?;
        file["vectors"].as_array()?.first().cloned()
    })
}

#[test]
fn every_scheme_builds_its_own_signer_through_the_registry() {
    for scheme in Scheme::ALL {
        let vector = first_vector(scheme).unwrap_or_else(|| panic!("{scheme} has no conformance vectors"));
        let c = &vector["credentials"];
        let mut credentials =
            Credentials::new().api_key(c["api_key"].as_str().unwrap()).secret(c["secret"].as_str().unwrap());
        // BitMart's vectors name the passphrase `memo`.
        if let Some(passphrase) = c["passphrase"].as_str().or_else(|| c["memo"].as_str()) {
            credentials = credentials.passphrase(passphrase);
        }
        let signer = scheme.exchange().signer(&credentials, &KeySettings::new()).unwrap();
        assert_eq!(signer.scheme(), scheme, "the registry's {} entry builds another scheme's signer", scheme.id());
    }
}

#[test]
fn ids_are_unique_and_round_trip() {
    for scheme in Scheme::ALL {
        assert_eq!(Scheme::from_id(scheme.id()), Some(scheme));
        assert_eq!(scheme.exchange().id, scheme.id());
        assert_eq!(scheme.to_string(), scheme.exchange().name);
    }
}

#[test]
fn descriptions_are_complete_where_the_engines_need_them() {
    for scheme in Scheme::ALL {
        let exchange = scheme.exchange();
        assert!(!exchange.hosts.is_empty(), "{}: no hosts", exchange.id);
        for names in [exchange.rest_auth, exchange.ws_auth, exchange.ws_api_auth].into_iter().flatten() {
            assert!(!names.key.is_empty() && !names.signature.is_empty() && !names.timestamp.is_empty());
        }
        // Every scheme but a token-signed one (Coinbase CDP, Upbit) names its REST auth values, and one whose body
        // carries its signature (Hyperliquid: no auth value outside the body).
        assert_eq!(
            exchange.rest_auth.is_none(),
            matches!(scheme, Scheme::CoinbaseCdp | Scheme::Upbit | Scheme::Hyperliquid),
            "{}",
            exchange.id
        );
    }
}

#[test]
fn only_bybit_and_kraken_refuse_rest_requests_with_http_200() {
    // The middleware reads the body of a 200 for these (and only these) to find a rejection.
    let with_200: Vec<Scheme> =
        Scheme::ALL.into_iter().filter(|s| s.exchange().errors.rejects_rest_with_success_status()).collect();
    // Kraken Futures answers its nonce and rate-limit errors with HTTP 200 too (AUTH-breadth.md §3),
    // Hyperliquid `{"status":"err"}` (AUTH-breadth.md §1).
    assert_eq!(with_200, [Scheme::Bybit, Scheme::Kraken, Scheme::KrakenFutures, Scheme::Hyperliquid]);
}
