//! The local exchange read from the descriptions. Routing: every exchange's REST auth headers
//! route to it, and the routing equals the hand-written table it replaced on every combination
//! of marking headers and paths the tests and the exchanges' SDKs send. Accounts: any scheme's
//! key is registered from credentials and settings alone.

use http::{HeaderMap, HeaderValue};

use cexsign::{Credentials, HeaderMatch, KeySettings, Scheme};

use super::Account;

use super::verify::dispatch;

/// The hand-written routing the descriptions replaced, kept as the oracle.
fn old_dispatch(headers: &HeaderMap, path: &str) -> Scheme {
    old_by_headers(headers, path).unwrap_or_else(|| old_by_path(path))
}

/// The exchange whose auth headers the request carries, if any (the order is the module docs'
/// routing table).
fn old_by_headers(headers: &HeaderMap, path: &str) -> Option<Scheme> {
    let has = |name: &str| headers.contains_key(name);
    let has_prefix = |prefix: &str| headers.keys().any(|name| name.as_str().starts_with(prefix));
    Some(if has_prefix("ok-access-") {
        Scheme::Okx
    } else if has_prefix("kc-api-") {
        Scheme::Kucoin
    } else if has("x-mbx-apikey") {
        Scheme::Binance
    } else if has_prefix("x-bapi-") {
        Scheme::Bybit
    } else if ["access-key", "access-sign", "access-timestamp", "access-passphrase"].into_iter().any(has) {
        // Named one by one: CORS preflights send `access-control-*` headers.
        Scheme::Bitget
    } else if has("api-sign") || (has("api-key") && path.starts_with("/0/")) {
        // Kraken sends `API-Key` too: its `API-Sign` (or, without one, its `/0/` paths) must win
        // over Delta's `api-key`.
        Scheme::Kraken
    } else if has("api-key") || has("signature") {
        Scheme::Delta
    } else if has("key") || has("sign") {
        // Gate's `KEY` and `SIGN` (HTTP names are case-insensitive); Delta's are `api-key` and
        // `signature`, and both send a `timestamp`, which therefore decides nothing.
        Scheme::Gate
    } else if super::verify::bearer_token_for_tests(headers) {
        Scheme::CoinbaseCdp
    } else if has_prefix("cb-access-") {
        if path.starts_with("/api/v3/") { Scheme::CoinbaseAdvancedHmac } else { Scheme::CoinbaseExchange }
    } else {
        return None;
    })
}

/// The exchange a request without auth headers is for, by its path.
fn old_by_path(path: &str) -> Scheme {
    const PREFIXES: [(&str, Scheme); 12] = [
        ("/api/v5/", Scheme::Okx),
        ("/api/v1/", Scheme::Kucoin),
        ("/api/v2/", Scheme::Bitget),
        ("/api/v4/", Scheme::Gate),
        ("/api/v3/brokerage/", Scheme::CoinbaseCdp),
        // Binance Spot's own prefix; Coinbase Advanced's paths are all under /api/v3/brokerage/.
        ("/api/v3/", Scheme::Binance),
        ("/sapi/", Scheme::Binance),
        ("/fapi/", Scheme::Binance),
        ("/v2/", Scheme::Delta),
        ("/v5/", Scheme::Bybit),
        ("/0/private/", Scheme::Kraken),
        ("/0/", Scheme::Kraken),
    ];
    PREFIXES.into_iter().find(|(prefix, _)| path.starts_with(prefix)).map_or(Scheme::CoinbaseExchange, |(_, s)| s)
}

#[test]
fn each_exchange_s_rest_auth_headers_route_to_it() {
    for scheme in Scheme::ALL {
        let exchange = scheme.exchange();
        let mut headers = HeaderMap::new();
        match exchange.rest_auth {
            // The names are items of one Authorization header.
            Some(names) if matches!(exchange.rest_verification, cexsign::RestVerification::AuthorizationItems(_)) => {
                let cexsign::RestVerification::AuthorizationItems(items) = exchange.rest_verification else { continue };
                let value = format!(
                    "{} {}=x,{}=x,{}=x,{}=x",
                    items.scheme, names.key, names.timestamp, names.signature, items.nonce
                );
                headers.insert(http::header::AUTHORIZATION, HeaderValue::from_str(&value).unwrap());
            }
            Some(names) => {
                for name in [names.key, names.signature, names.timestamp].into_iter().chain(names.passphrase) {
                    headers
                        .insert(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_static("x"));
                }
            }
            // No auth value outside the body: its requests are routed by its paths alone (below).
            None if matches!(exchange.rest_verification, cexsign::RestVerification::RecoveredSigner(_)) => {
                for prefix in exchange.routing.paths {
                    assert_eq!(dispatch(&HeaderMap::new(), prefix), scheme, "{prefix}");
                }
                continue;
            }
            // A bearer token carries them all.
            None => {
                headers.insert(http::header::AUTHORIZATION, HeaderValue::from_static("Bearer x.y.z"));
            }
        }
        // An exchange without a time endpoint (an empty path) is addressed under a path it owns.
        let path = match exchange.server_time.endpoint.path {
            "" => exchange.routing.paths.first().copied().unwrap_or(""),
            path => path,
        };
        assert_eq!(dispatch(&headers, path), scheme, "{} headers to {path}", exchange.id);
        // Its own paths without auth headers route to it too, where it owns any.
        for prefix in exchange.routing.paths.iter().filter(|prefix| !prefix.is_empty()) {
            assert_eq!(dispatch(&HeaderMap::new(), &format!("{prefix}x")), scheme, "{prefix}");
        }
    }
}

#[test]
fn precedences_and_path_prefixes_are_unambiguous() {
    let mut precedences: Vec<u8> = Scheme::ALL.iter().map(|s| s.exchange().routing.precedence).collect();
    precedences.sort_unstable();
    precedences.dedup();
    assert_eq!(precedences.len(), Scheme::ALL.len(), "every exchange has its own precedence");
    let mut prefixes: Vec<&str> = Scheme::ALL.iter().flat_map(|s| s.exchange().routing.paths.iter().copied()).collect();
    prefixes.sort_unstable();
    let count = prefixes.len();
    prefixes.dedup();
    assert_eq!(prefixes.len(), count, "no path prefix is owned twice");
    assert!(prefixes.contains(&""), "one exchange owns the paths no other does");
}

#[test]
fn routing_equals_the_table_it_replaced() {
    // Every marking header of the exchanges the old table knew, plus near misses (an exchange
    // added since has no old answer to compare with; its own routing test covers it).
    let known = [
        Scheme::Okx,
        Scheme::Kucoin,
        Scheme::Binance,
        Scheme::Bybit,
        Scheme::Bitget,
        Scheme::Kraken,
        Scheme::Delta,
        Scheme::Gate,
        Scheme::CoinbaseCdp,
        Scheme::CoinbaseAdvancedHmac,
        Scheme::CoinbaseExchange,
    ];
    let mut names: Vec<(&str, &str)> = Vec::new();
    for scheme in known {
        for mark in scheme.exchange().routing.marks {
            match mark.header {
                HeaderMatch::Named(name) => names.push((name, "x")),
                HeaderMatch::Prefixed(prefix) => names.push((prefix, "x")),
                HeaderMatch::Bearer => names.push(("authorization", "Bearer x")),
                _ => unreachable!(),
            }
        }
    }
    names.extend([
        ("authorization", "Basic x"),
        ("access-control-request-method", "POST"),
        ("timestamp", "1"),
        ("cb-access-passphrase", "x"),
        ("user-agent", "x"),
    ]);
    let names: Vec<(String, &str)> = names
        .into_iter()
        .map(|(name, value)| (if name.ends_with('-') { format!("{name}key") } else { name.to_owned() }, value))
        .collect();
    let mut paths: Vec<String> = vec!["/".into(), "/time".into(), "/orders".into(), "*".into(), "/api/v3".into()];
    for scheme in known {
        let exchange = scheme.exchange();
        paths.extend(exchange.routing.paths.iter().map(|prefix| format!("{prefix}x")));
        paths.push(exchange.server_time.endpoint.path.to_owned());
        paths.extend(exchange.server_time.also.iter().map(|route| route.path.to_owned()));
    }
    let mut checked = 0;
    let n = names.len();
    for a in 0..=n {
        for b in a..=n {
            for c in b..=n {
                let mut headers = HeaderMap::new();
                for i in [a, b, c].into_iter().filter(|i| *i < n) {
                    let (name, value) = &names[i];
                    headers.insert(
                        http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                        HeaderValue::from_str(value).unwrap(),
                    );
                }
                for path in &paths {
                    assert_eq!(dispatch(&headers, path), old_dispatch(&headers, path), "{headers:?} {path}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 10_000);
}

#[test]
fn any_scheme_s_account_is_built_from_credentials_and_settings() {
    // A 64-byte base64 secret suits every HMAC scheme (Coinbase Exchange and Kraken decode it).
    let secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==";
    let credentials = Credentials::new().api_key("key-1").secret(secret).passphrase("passphrase-1");
    // The HMAC schemes: those with a recipe (an Ed25519 seed scheme, whose API key is its public
    // key, takes no such key).
    let hmac = |scheme: &Scheme| scheme.exchange().rest_auth.is_some() && scheme.exchange().recipe.is_ok();
    for scheme in Scheme::ALL.into_iter().filter(hmac) {
        let account = Account::new(scheme, &credentials, &KeySettings::new()).unwrap();
        assert_eq!((account.scheme(), account.api_key()), (scheme, "key-1"));
    }
}

#[test]
fn an_expiry_is_accepted_while_ahead_and_not_too_far_ahead() {
    use cexsign::{Timestamp, TimestampFormat, WireTimestamp};
    use std::time::Duration;
    let now = Timestamp::from_unix_secs(1_700_000_000);
    let at = |secs| WireTimestamp::render(TimestampFormat::UnixSeconds, Timestamp::from_unix_secs(secs)).unwrap();
    let check = |secs, max| super::verify::check_expiry("api-expires", &at(secs), now, max, "sync");
    assert!(check(1_700_000_010, Some(Duration::from_secs(60))).is_ok());
    assert!(check(1_700_999_999, None).is_ok());
    let past = check(1_700_000_000, Some(Duration::from_secs(60))).unwrap_err();
    assert!(past.reason.starts_with("api-expires 1700000000 is 0.000 s behind"), "{}", past.reason);
    let far = check(1_700_000_061, Some(Duration::from_secs(60))).unwrap_err();
    assert!(far.reason.contains("at most 60 s ahead"), "{}", far.reason);
}

#[test]
fn exchanges_verified_by_their_headers_name_them() {
    for scheme in Scheme::ALL {
        let exchange = scheme.exchange();
        if let cexsign::RestVerification::Headers(_) = exchange.rest_verification {
            assert!(exchange.rest_auth.is_some(), "{}", exchange.id);
        }
    }
}
