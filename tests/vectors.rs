//! Every public conformance vector, stage by stage: prehash, then signature, then each header or
//! websocket field. Coinbase CDP ES256 tokens are randomised, so they are decoded and verified
//! under the vector's public key instead of compared byte for byte.

#[path = "../examples/conformance/runner.rs"]
mod runner;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::Value;

/// The conformance vectors, one file per scheme (copies of `../shared/vectors*/`).
const VECTOR_DIRS: [&str; 1] = [concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors")];

/// Every vector file, with the name of its shared original's directory.
fn vector_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = VECTOR_DIRS
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// Each vector's `expected`, read apart from the runner (which never sees it).
fn expected_by_id(file: &Path) -> Vec<(String, Value)> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["id"].as_str().unwrap().to_owned(), v["expected"].clone()))
        .collect()
}

#[test]
fn every_scheme_has_its_vector_file() {
    let names: Vec<String> =
        vector_files().iter().map(|p| p.file_stem().unwrap().to_string_lossy().into_owned()).collect();
    for scheme in cexsign::Scheme::ALL {
        assert!(names.iter().any(|n| n == scheme.id()), "tests/vectors/{}.json is missing", scheme.id());
    }
}

#[test]
fn vector_copies_match_the_shared_originals() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(shared.is_dir(), "../shared (the vectors' originals) must be beside the checkout, as in CI");
    let sets: Vec<PathBuf> = std::fs::read_dir(&shared)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("vectors")))
        .collect();
    for file in vector_files() {
        let name = file.file_name().unwrap();
        let original = sets.iter().map(|set| set.join(name)).find(|p| p.exists());
        let original = original.unwrap_or_else(|| panic!("{} has no shared original", file.display()));
        assert!(
            std::fs::read(&file).unwrap() == std::fs::read(&original).unwrap(),
            "{} differs from {}: vectors are copied unchanged",
            file.display(),
            original.display()
        );
    }
}

fn b64url(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).unwrap()
}

/// Decodes a JWT into (header, claims, signing input, signature bytes).
fn split_jwt(token: &str) -> (Value, Value, String, Vec<u8>) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts: {token}");
    let header = serde_json::from_slice(&b64url(parts[0])).unwrap();
    let claims = serde_json::from_slice(&b64url(parts[1])).unwrap();
    (header, claims, format!("{}.{}", parts[0], parts[1]), b64url(parts[2]))
}

fn verify_jwt_signature(alg: &str, public_key_pem: &str, signing_input: &str, signature: &[u8]) {
    match alg {
        "ES256" => {
            use p256::ecdsa::signature::Verifier as _;
            use p256::pkcs8::DecodePublicKey as _;
            let key = p256::ecdsa::VerifyingKey::from_public_key_pem(public_key_pem).unwrap();
            assert_eq!(signature.len(), 64, "ES256 signatures are raw r||s, 64 bytes (not DER)");
            let signature = p256::ecdsa::Signature::from_slice(signature).unwrap();
            key.verify(signing_input.as_bytes(), &signature).expect("ES256 signature verifies");
        }
        "EdDSA" => {
            use ed25519_dalek::Verifier as _;
            use ed25519_dalek::pkcs8::DecodePublicKey as _;
            let key = ed25519_dalek::VerifyingKey::from_public_key_pem(public_key_pem).unwrap();
            let signature = ed25519_dalek::Signature::from_slice(signature).unwrap();
            key.verify(signing_input.as_bytes(), &signature).expect("EdDSA signature verifies");
        }
        other => panic!("unexpected alg {other}"),
    }
}

fn check_cdp(id: &str, produced: &runner::Produced, expected: &Value) {
    let token = match produced.values.get("authorization") {
        Some(bearer) => bearer.strip_prefix("Bearer ").unwrap_or_else(|| panic!("{id}: not a Bearer token")),
        None => produced.values.get("jwt").unwrap_or_else(|| panic!("{id}: no jwt field")),
    };
    let (header, claims, signing_input, signature) = split_jwt(token);
    assert_eq!(produced.prehash.as_deref(), expected["prehash"].as_str(), "{id}: JWS signing input");
    assert_eq!(signing_input, expected["prehash"].as_str().unwrap(), "{id}: token's signing input");
    assert_eq!(header, expected["jwt_header"], "{id}: JWT header");
    assert_eq!(claims, expected["jwt_claims"], "{id}: JWT claims");
    let alg = expected["algorithm"].as_str().unwrap();
    verify_jwt_signature(alg, expected["public_key"].as_str().unwrap(), &signing_input, &signature);
    if expected["signature_deterministic"] == Value::Bool(true) {
        assert_eq!(produced.signature, expected["signature"].as_str().unwrap(), "{id}: EdDSA signature");
        let expected_token = expected["headers"]["Authorization"]
            .as_str()
            .and_then(|b| b.strip_prefix("Bearer "))
            .or_else(|| expected["fields"]["jwt"].as_str())
            .unwrap();
        assert_eq!(token, expected_token, "{id}: EdDSA token is byte-exact");
    } else {
        // The vector's own (randomised) token must verify too, under the same key.
        let sdk_signature = b64url(expected["signature"].as_str().unwrap());
        verify_jwt_signature(
            alg,
            expected["public_key"].as_str().unwrap(),
            expected["prehash"].as_str().unwrap(),
            &sdk_signature,
        );
    }
}

/// Verifies an Ed25519 or RSA (PKCS#1 v1.5, SHA-256) signature under an SPKI PEM public key.
fn verify_with_public_key(id: &str, public_key_pem: &str, message: &[u8], signature_b64: &str) {
    let signature = base64::engine::general_purpose::STANDARD.decode(signature_b64).unwrap();
    let (label, der) = pem_rfc7468::decode_vec(public_key_pem.as_bytes()).unwrap();
    assert_eq!(label, "PUBLIC KEY");
    let spki = spki::SubjectPublicKeyInfoRef::try_from(der.as_slice()).unwrap();
    let algorithm: &dyn ring::signature::VerificationAlgorithm = match spki.algorithm.oid.to_string().as_str() {
        "1.3.101.112" => &ring::signature::ED25519,
        "1.2.840.113549.1.1.1" => &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        other => panic!("{id}: unexpected key algorithm {other}"),
    };
    let key = ring::signature::UnparsedPublicKey::new(algorithm, spki.subject_public_key.raw_bytes());
    key.verify(message, &signature).unwrap_or_else(|_| panic!("{id}: signature does not verify under the public key"));
}

fn check_hmac(id: &str, produced: &runner::Produced, expected: &Value) {
    assert_eq!(produced.prehash.as_deref(), expected["prehash"].as_str(), "{id}: prehash");
    assert_eq!(produced.signature, expected["signature"].as_str().unwrap(), "{id}: signature");
    if let Some(public_key) = expected["public_key"].as_str() {
        // Ed25519 and RSA keys: the signature verifies under the vector's public key.
        verify_with_public_key(id, public_key, expected["prehash"].as_str().unwrap().as_bytes(), &produced.signature);
    }
    if let Some(wire) = expected["wire"].as_object() {
        let (query, body) = produced.wire.as_ref().unwrap_or_else(|| panic!("{id}: no wire form"));
        assert_eq!(Some(query.as_str()), wire["query"].as_str(), "{id}: query as sent");
        assert_eq!(Some(body.as_str()), wire["body"].as_str(), "{id}: body as sent");
    }
    if let Some(headers) = expected["headers"].as_object() {
        // Binance REST also reports its `signature` parameter among the values.
        let fields = expected["fields"].as_object().map_or(0, |f| f.len());
        assert_eq!(
            produced.values.len(),
            headers.len() + fields,
            "{id}: exactly the auth headers, no more: {:?}",
            produced.values.keys()
        );
        for (name, value) in headers {
            let got = produced
                .values
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .unwrap_or_else(|| panic!("{id}: header {name} missing"));
            assert_eq!(got.1, value.as_str().unwrap(), "{id}: header {name}");
        }
    }
    if let Some(fields) = expected["fields"].as_object() {
        for (name, value) in fields {
            assert_eq!(produced.values.get(name).map(String::as_str), value.as_str(), "{id}: field {name}");
        }
        if let Some(message) = expected.get("message").filter(|m| !m.is_null()) {
            let got: Value = serde_json::from_str(produced.message.as_deref().unwrap()).unwrap();
            assert_eq!(&got, message, "{id}: whole websocket message");
        }
    }
}

#[test]
fn every_vector_passes_stage_by_stage() {
    let mut counted = 0;
    for file in vector_files() {
        let vectors = runner::load(&file).unwrap();
        let expected = expected_by_id(&file);
        assert_eq!(vectors.len(), expected.len());
        for (vector, (id, expected)) in vectors.iter().zip(&expected) {
            assert_eq!(&vector.id, id);
            let produced = runner::run(vector).unwrap_or_else(|e| panic!("{id}: {e}"));
            // The verifier's path: the received timestamp text, used verbatim.
            let from_wire =
                runner::run_with(vector, runner::TimeInput::WireText).unwrap_or_else(|e| panic!("{id}: {e}"));
            if vector.scheme == "coinbase_cdp_jwt" {
                check_cdp(id, &produced, expected);
                check_cdp(id, &from_wire, expected);
            } else {
                check_hmac(id, &produced, expected);
                check_hmac(id, &from_wire, expected);
            }
            counted += 1;
        }
    }
    assert!(counted >= 217, "only {counted} vectors were checked");
}

#[test]
fn runner_output_scores_every_vector_like_the_shared_checker() {
    // Same rules as ../shared/tools/check_headers.py, applied to what the conformance example
    // prints: the `values` map alone.
    let mut passed = 0;
    let mut total = 0;
    for dir in VECTOR_DIRS {
        let vectors = runner::load(Path::new(dir)).unwrap();
        total += vectors.len();
        for vector in &vectors {
            let values = runner::run(vector).unwrap().values;
            let file = Path::new(dir).join(format!("{}.json", vector.scheme));
            let expected = expected_by_id(&file).into_iter().find(|(id, _)| id == &vector.id).unwrap().1;
            if vector.scheme == "coinbase_cdp_jwt" {
                let token = values
                    .get("authorization")
                    .and_then(|b| b.strip_prefix("Bearer "))
                    .or_else(|| values.get("jwt").map(String::as_str))
                    .unwrap();
                let (header, claims, input, signature) = split_jwt(token);
                assert_eq!((header, claims), (expected["jwt_header"].clone(), expected["jwt_claims"].clone()));
                verify_jwt_signature(
                    expected["algorithm"].as_str().unwrap(),
                    expected["public_key"].as_str().unwrap(),
                    &input,
                    &signature,
                );
            } else {
                for (name, value) in expected["headers"].as_object().into_iter().flatten() {
                    let got = values.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
                    assert_eq!(got, value.as_str(), "{}: header {name}", vector.id);
                }
                for (name, value) in expected["fields"].as_object().into_iter().flatten() {
                    assert_eq!(values.get(name).map(String::as_str), value.as_str(), "{}: field {name}", vector.id);
                }
            }
            passed += 1;
        }
    }
    assert_eq!(passed, total);
    assert!(passed >= 217);
}

#[test]
fn runner_never_reads_expected() {
    // Strip every `expected` block and sign again: the output must not change.
    for file in vector_files() {
        let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for vector in doc["vectors"].as_array_mut().unwrap() {
            vector.as_object_mut().unwrap().remove("expected");
        }
        let dir = std::env::temp_dir().join(format!("cexsign-no-expected-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let stripped = dir.join(file.file_name().unwrap());
        std::fs::write(&stripped, doc.to_string()).unwrap();
        let with = runner::load(&file).unwrap();
        let without = runner::load(&stripped).unwrap();
        for (a, b) in with.iter().zip(&without) {
            if a.credentials.key_type.as_deref() == Some("ES256") {
                continue; // randomised signatures; verified above instead
            }
            assert_eq!(runner::run(a).unwrap().values, runner::run(b).unwrap().values, "{}", a.id);
        }
        std::fs::remove_file(stripped).ok();
    }
}
