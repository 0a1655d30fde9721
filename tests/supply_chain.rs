//! Supply chain: the cryptography is resolved to one version of each crate.
//!
//! Two versions of `sha2` or `hmac` in one build mean two implementations to trust, audit and
//! update, and usually a dependency that lags behind. The check reads `Cargo.lock` (committed;
//! it covers every feature, target and dev-dependency, so it is a superset of any build's
//! `cargo tree`): no network, no subprocess.

use std::collections::BTreeMap;

/// The crates that must resolve to exactly one version: the four, and what they are
/// built on.
const SINGLE_VERSION: [&str; 8] = ["hmac", "sha2", "p256", "ed25519-dalek", "digest", "ring", "subtle", "zeroize"];

/// Every `(name, version)` in `Cargo.lock`, by name.
fn locked_versions() -> BTreeMap<String, Vec<String>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock");
    let lock = std::fs::read_to_string(path).expect("Cargo.lock is committed next to Cargo.toml");
    let mut versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for package in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            package.lines().find_map(|line| {
                let value = line.strip_prefix(key)?.trim_start().strip_prefix('=')?.trim();
                Some(value.trim_matches('"').to_owned())
            })
        };
        let (Some(name), Some(version)) = (field("name"), field("version")) else {
            panic!("a [[package]] without name or version in Cargo.lock: {package}");
        };
        versions.entry(name).or_default().push(version);
    }
    versions
}

#[test]
fn the_cryptography_resolves_to_one_version_of_each_crate() {
    let versions = locked_versions();
    assert!(versions.contains_key("cexsign"), "not cexsign's Cargo.lock");
    for name in SINGLE_VERSION {
        let found = versions.get(name).unwrap_or_else(|| panic!("{name} is not in Cargo.lock"));
        assert_eq!(found.len(), 1, "{name} resolves to several versions: {found:?} (cargo tree -i {name} shows why)");
    }
}
