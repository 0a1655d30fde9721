//! The fake keys and requests of the conformance vectors (`tests/vectors/<scheme id>.json`), for
//! the examples that run every exchange of the registry: one copy of them, the vectors'.

#![allow(dead_code)] // each example uses what it needs

use std::error::Error;

use cexsign::{Credentials, KeySettings, Scheme};

/// One REST request of a vector: its method, path and body (the query is left to the caller).
pub struct VectorRequest {
    pub method: String,
    pub path: String,
    pub body: String,
}

fn document(scheme: Scheme) -> Result<serde_json::Value, Box<dyn Error>> {
    let path = format!("{}/tests/vectors/{}.json", env!("CARGO_MANIFEST_DIR"), scheme.id());
    Ok(serde_json::from_str(&std::fs::read_to_string(&path)?)?)
}

/// The first key of the scheme's conformance vectors, with the settings it states.
pub fn vector_key(scheme: Scheme) -> Result<(Credentials, KeySettings), Box<dyn Error>> {
    let document = document(scheme)?;
    let fields = &document["vectors"][0]["credentials"];
    let text = |name: &str| fields[name].as_str().map(str::to_owned);
    let mut credentials =
        Credentials::new().api_key(text("api_key").ok_or("no api_key")?).secret(text("secret").ok_or("no secret")?);
    // BitMart's vectors name the passphrase `memo`.
    if let Some(passphrase) = text("passphrase").or_else(|| text("memo")) {
        credentials = credentials.passphrase(passphrase);
    }
    let mut settings = KeySettings::new();
    if let Some(key_type) = text("key_type") {
        settings = settings.key_type(key_type);
    }
    if let Some(version) = fields["key_version"].as_u64().and_then(|version| u32::try_from(version).ok()) {
        settings = settings.key_version(version);
    }
    Ok((credentials, settings))
}

/// The REST requests of the scheme's vectors signed with the first key ([`vector_key`]), in
/// the file's order.
pub fn rest_requests(scheme: Scheme) -> Result<Vec<VectorRequest>, Box<dyn Error>> {
    let document = document(scheme)?;
    let first_key = &document["vectors"][0]["credentials"];
    let vectors = document["vectors"].as_array().ok_or("no vectors")?;
    Ok(vectors
        .iter()
        .filter(|vector| vector["kind"] == "rest" && &vector["credentials"] == first_key)
        .filter_map(|vector| {
            let text = |name: &str| vector[name].as_str().map(str::to_owned);
            Some(VectorRequest { method: text("method")?, path: text("path")?, body: text("body").unwrap_or_default() })
        })
        .collect())
}
