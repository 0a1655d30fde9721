//! Every scheme's published recipe (`Scheme::exchange().recipe`), followed by the generic
//! evaluator, against every REST conformance vector: the recipe's prehash is the vector's, its
//! signature is the vector's and the hand-tuned signer's. Nothing here names an exchange: the
//! vector file's scheme id picks the recipe, and the conformance runner builds the signer.
//!
//! Websocket vectors are not REST recipes and are counted apart; Coinbase CDP (a JWT) has no
//! recipe and says why.

#[path = "../examples/conformance/runner.rs"]
mod runner;

use std::collections::BTreeMap;

use cexsign::recipe::{Carrier, KeyKind, Part, Recipe, RecipeInputs};
use cexsign::{Credentials, Method, Scheme, SignableRequest, WireTimestamp};
use serde_json::Value;

/// The conformance vectors, one file per scheme.
const VECTOR_DIRS: [&str; 1] = [concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors")];

/// Every vector, with its `expected` block (which the runner never reads).
fn vectors() -> Vec<(runner::Vector, Value)> {
    let mut all = Vec::new();
    for dir in VECTOR_DIRS {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for file in files {
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let loaded = runner::load(&file).unwrap();
            for (vector, raw) in loaded.into_iter().zip(doc["vectors"].as_array().unwrap()) {
                assert_eq!(vector.id, raw["id"].as_str().unwrap());
                all.push((vector, raw["expected"].clone()));
            }
        }
    }
    all
}

/// A vector's key type, as a recipe names it.
fn key_kind(vector: &runner::Vector) -> KeyKind {
    match vector.credentials.key_type.as_deref() {
        None | Some("HMAC") => KeyKind::Hmac,
        Some("Ed25519") => KeyKind::Ed25519,
        Some("RSA") => KeyKind::Rsa,
        Some(other) => panic!("{}: unknown key_type {other}", vector.id),
    }
}

fn credentials(vector: &runner::Vector) -> Credentials {
    let c = &vector.credentials;
    let credentials = Credentials::new().api_key(c.api_key.as_str()).secret(c.secret.as_str());
    match &c.passphrase {
        Some(passphrase) => credentials.passphrase(passphrase.as_str()),
        None => credentials,
    }
}

/// What a recipe produces for one REST vector: (readable prehash, MAC input, signature).
fn follow(recipe: &Recipe, scheme: Scheme, vector: &runner::Vector) -> (Vec<u8>, Vec<u8>, String) {
    let id = &vector.id;
    let method: Method = vector.method.parse().unwrap();
    let request = SignableRequest::new(method, &vector.path)
        .unwrap()
        .with_query(&vector.query)
        .unwrap()
        .with_body(vector.body.as_bytes());
    // A vector whose timestamp is empty sends none (an optional nonce left out).
    let timestamp = (!vector.timestamp.is_empty()).then(|| {
        recipe
            .timestamps
            .iter()
            .find_map(|format| WireTimestamp::parse(*format, &vector.timestamp).ok())
            .unwrap_or_else(|| panic!("{id}: the timestamp is in none of the recipe's formats"))
    });
    let credentials = credentials(vector);
    let mut inputs = match &timestamp {
        Some(timestamp) => RecipeInputs::new(scheme, &request, timestamp, &credentials),
        None => RecipeInputs::untimed(scheme, &request, &credentials),
    };
    if let Some(window) = vector.options.get("recv_window").and_then(Value::as_str) {
        inputs = inputs.with_recv_window(window);
    }
    if let Some(nonce) = vector.options.get("nonce").and_then(Value::as_str) {
        inputs = inputs.with_nonce(nonce);
    }
    let readable = recipe.readable_prehash(&inputs).unwrap_or_else(|e| panic!("{id}: {e}"));
    let evaluated = recipe.evaluate(&inputs, key_kind(vector)).unwrap_or_else(|e| panic!("{id}: {e}"));
    (readable, evaluated.prehash, evaluated.signature)
}

/// A signature as a query or form value (base64's `+`, `/` and `=` percent-encoded).
fn as_parameter(signature: &str) -> String {
    signature.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
}

#[test]
fn every_signer_matches_its_recipe_on_every_rest_vector() {
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rest_vectors: BTreeMap<String, usize> = BTreeMap::new();
    let (mut ws, mut not_recipes) = (0, 0);
    for (vector, expected) in vectors() {
        let id = vector.id.as_str();
        let scheme = Scheme::from_id(&vector.scheme).unwrap_or_else(|| panic!("{id}: unknown scheme"));
        let recipe = match &scheme.exchange().recipe {
            Ok(recipe) => recipe,
            Err(not) => {
                assert!(!not.reason.is_empty());
                not_recipes += 1;
                continue;
            }
        };
        if vector.kind != "rest" {
            ws += 1;
            continue;
        }
        *rest_vectors.entry(vector.scheme.clone()).or_default() += 1;

        let (readable, mac_input, signature) = follow(recipe, scheme, &vector);
        // The vector.
        assert_eq!(
            String::from_utf8_lossy(&readable),
            expected["prehash"].as_str().unwrap_or_else(|| panic!("{id}: no expected prehash")),
            "{id}: recipe prehash"
        );
        if let Some(hmac_input) = expected["hmac_input_hex"].as_str() {
            assert_eq!(hex::encode(&mac_input), hmac_input, "{id}: recipe HMAC input");
        } else {
            assert_eq!(mac_input, readable, "{id}: a text prehash is what is MACed");
        }
        assert_eq!(signature, expected["signature"].as_str().unwrap(), "{id}: recipe signature");
        if let (Carrier::Parameter(name), Some(wire)) = (recipe.signature_in, expected["wire"].as_object()) {
            // Appended last to the body when there is one, else to the query.
            let in_body = !vector.body.is_empty();
            let carrier = if in_body { &vector.body } else { &vector.query };
            let sent = format!("{carrier}&{name}={}", as_parameter(&signature));
            let (query, body) = if in_body { (&vector.query, &sent) } else { (&sent, &vector.body) };
            assert_eq!(wire["query"].as_str(), Some(query.as_str()), "{id}: query as sent");
            assert_eq!(wire["body"].as_str(), Some(body.as_str()), "{id}: body as sent");
        }
        // The hand-tuned signer.
        let produced = runner::run(&vector).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(produced.signature, signature, "{id}: signer and recipe disagree");
        assert_eq!(produced.prehash.as_deref().map(str::as_bytes), Some(readable.as_slice()), "{id}: signer prehash");

        *checked.entry(scheme.id()).or_default() += 1;
    }
    eprintln!("recipe checks per scheme: {checked:?}; websocket vectors not checked: {ws}; CDP vectors: {not_recipes}");
    for scheme in Scheme::ALL {
        let Ok(_) = &scheme.exchange().recipe else { continue };
        let rest = rest_vectors.get(scheme.id()).copied().unwrap_or(0);
        // Deribit's public set has 14 REST vectors (and 3 websocket ones); every other scheme 15 or more.
        assert!(rest >= 14, "{scheme}: only {rest} REST vectors");
        assert_eq!(checked.get(scheme.id()).copied(), Some(rest), "{scheme}: every REST vector is checked");
    }
    assert!(checked.values().sum::<usize>() >= 177, "every public REST vector of the ten recipe schemes");
}

/// The check above can fail: leaving out any one part of any recipe changes the signature of at
/// least one of the scheme's vectors (and a changed encoding changes all of them).
#[test]
fn every_part_of_every_recipe_matters() {
    let vectors = vectors();
    for scheme in Scheme::ALL {
        let Ok(recipe) = &scheme.exchange().recipe else { continue };
        let own: Vec<_> = vectors
            .iter()
            .filter(|(v, _)| v.scheme == scheme.id() && v.kind == "rest" && key_kind(v) == KeyKind::Hmac)
            .collect();
        assert!(!own.is_empty(), "{scheme}");
        for dropped in 0..recipe.parts.len() {
            let parts: Vec<Part> =
                recipe.parts.iter().enumerate().filter(|(i, _)| *i != dropped).map(|(_, p)| *p).collect();
            let mut wrong = *recipe;
            wrong.parts = Box::leak(parts.into_boxed_slice());
            let caught = own.iter().any(|(vector, expected)| {
                let (_, _, signature) = follow(&wrong, scheme, vector);
                signature != expected["signature"].as_str().unwrap()
            });
            assert!(caught, "{scheme}: leaving out {:?} changes no vector's signature", recipe.parts[dropped]);
        }
    }
}
