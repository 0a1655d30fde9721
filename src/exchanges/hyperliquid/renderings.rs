//! Hyperliquid's mistaken renderings of an L1 action (AUTH-breadth.md §1, "Common mistakes"), as
//! the diagnosis looks for them: a short fixed list of the bytes clients hash into the connection
//! id instead of Hyperliquid's, each hashed as the EIP-712 digest and checked by recovering the
//! signer's address from the signature sent, compared with the account's address (no secret
//! needed).
//!
//! A candidate's text is the lower-case hex of the EIP-712 hash it would have signed; the
//! "signature" the diagnosis hands over is the body as sent, whose `signature` holds `r`, `s`, `v`.

use super::HyperliquidNetwork;
use super::HyperliquidAction;
use super::signer::{checksum_address, l1_domain_signing_hash, l1_signing_hash, parse_address, recover_signer};
use crate::SignableRequest;
use crate::diagnose::MistakeCode as M;
use crate::exchange::Renderings;

/// What the diagnosis reads to name Hyperliquid's mistakes.
pub(super) const RENDERINGS: Renderings = Renderings { candidates, verifies, asymmetric: true, signed_with_api_key, signer: Some(signer) };

/// The most bytes of action the candidates are built for: each is a msgpack encoding and a hash
/// of about the action's size, within the diagnosis' byte budget.
const MAX_ACTION_BYTES: usize = 64 * 1024;

#[derive(serde::Deserialize)]
struct Body<'a> {
    #[serde(borrow)]
    action: &'a serde_json::value::RawValue,
    nonce: u64,
    #[serde(default, rename = "vaultAddress", borrow)]
    vault_address: Option<&'a str>,
    #[serde(default, rename = "expiresAfter")]
    expires_after: Option<u64>,
}

#[derive(serde::Deserialize)]
struct Signed<'a> {
    #[serde(borrow)]
    signature: Signature<'a>,
}

#[derive(serde::Deserialize)]
struct Signature<'a> {
    r: &'a str,
    s: &'a str,
    v: u64,
}

/// The map's keys sorted by name at every depth, as a client that builds the action from an
/// unordered (or sorted) map encodes it.
fn sorted(value: &rmpv::Value) -> rmpv::Value {
    match value {
        rmpv::Value::Map(pairs) => {
            let mut pairs: Vec<_> = pairs.iter().map(|(key, value)| (key.clone(), sorted(value))).collect();
            pairs.sort_by(|(a, _), (b, _)| a.as_str().cmp(&b.as_str()));
            rmpv::Value::Map(pairs)
        }
        rmpv::Value::Array(items) => rmpv::Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Every string that is a decimal number (a price or a size) as a msgpack float, as a client
/// that keeps prices as floats encodes them.
fn floats(value: &rmpv::Value) -> rmpv::Value {
    match value {
        rmpv::Value::Map(pairs) => {
            rmpv::Value::Map(pairs.iter().map(|(key, value)| (key.clone(), floats(value))).collect())
        }
        rmpv::Value::Array(items) => rmpv::Value::Array(items.iter().map(floats).collect()),
        rmpv::Value::String(text) => match text.as_str() {
            Some(text)
                if !text.is_empty()
                    && text.bytes().any(|b| b.is_ascii_digit())
                    && text.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') =>
            {
                text.parse::<f64>().map_or_else(|_| value.clone(), rmpv::Value::F64)
            }
            _ => value.clone(),
        },
        other => other.clone(),
    }
}

fn msgpack(value: &rmpv::Value) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, value).ok()?;
    Some(out)
}

/// The renderings clients hash by mistake for an L1 action: its keys sorted, its prices and
/// sizes as floats, the nonce little-endian, a null vault as 20 zero bytes, expiresAfter without
/// its `0x00`; each for mainnet and testnet (the network the key
/// signs for is checked apart). A user-signed action (no msgpack) has one: its typed data under
/// the L1 domain.
fn candidates(request: &SignableRequest<'_>, _expected: &str) -> Vec<(M, String, &'static str)> {
    let mut out = Vec::new();
    let Ok(body) = serde_json::from_slice::<Body<'_>>(request.body()) else { return out };
    let action = body.action.get();
    if action.len() > MAX_ACTION_BYTES {
        return out;
    }
    let Ok(value) = serde_json::from_str::<rmpv::Value>(action) else { return out };
    let rmpv::Value::Map(pairs) = &value else { return out };
    let action_type = pairs.iter().find(|(key, _)| key.as_str() == Some("type")).and_then(|(_, kind)| kind.as_str());
    let Some(action_type) = action_type else { return out };
    if super::signer::is_user_signed(action_type) {
        // The action names its chain: the other network's digest refuses it.
        let digest = [HyperliquidNetwork::Mainnet, HyperliquidNetwork::Testnet]
            .into_iter()
            .find_map(|network| HyperliquidAction::new(action.as_bytes(), body.nonce, network).digest().ok());
        if let Some(hash) = digest.as_ref().and_then(l1_domain_signing_hash) {
            let what = "a user-signed action's typed data signed under the L1 domain (Exchange, chain id 1337)";
            out.push((M::UserActionL1Domain, hex::encode(hash), what));
        }
        return out;
    }
    let vault = match body.vault_address {
        None => None,
        Some(vault) => match parse_address(vault) {
            Some(vault) => Some(vault),
            None => return out,
        },
    };
    // `nonce || vault flag [|| vault] [|| 0x00 || expiresAfter]`, as Hyperliquid hashes it, or
    // with one of its parts written the mistaken way.
    let tail = |nonce: [u8; 8], null_vault_as_zeros: bool, expiry_unprefixed: bool| {
        let mut tail = nonce.to_vec();
        match &vault {
            None if null_vault_as_zeros => tail.extend_from_slice(&[0; 20]),
            None => tail.push(0),
            Some(vault) => {
                tail.push(1);
                tail.extend_from_slice(vault);
            }
        }
        if let Some(expires_after) = body.expires_after {
            if !expiry_unprefixed {
                tail.push(0);
            }
            tail.extend_from_slice(&expires_after.to_be_bytes());
        }
        tail
    };
    let be = body.nonce.to_be_bytes();
    let Some(own) = msgpack(&value) else { return out };
    let mut inputs: Vec<(M, Vec<u8>, &'static str)> = Vec::new();
    if let Some(keys_sorted) = msgpack(&sorted(&value)).filter(|bytes| *bytes != own) {
        let what = "the action's keys sorted (or taken from an unordered map) before msgpack, not in the order sent";
        inputs.push((M::BodyReserialized, [keys_sorted, tail(be, false, false)].concat(), what));
    }
    if let Some(as_floats) = msgpack(&floats(&value)).filter(|bytes| *bytes != own) {
        let what = "prices and sizes encoded as msgpack floats, not as the strings sent";
        inputs.push((M::NumberAsFloat, [as_floats, tail(be, false, false)].concat(), what));
    }
    let what = "the nonce appended as 8 bytes little-endian, not big-endian";
    inputs.push((M::NonceLittleEndian, [own.clone(), tail(body.nonce.to_le_bytes(), false, false)].concat(), what));
    if vault.is_none() {
        let what = "a null vault hashed as 20 zero bytes, not the single 0x00 flag";
        inputs.push((M::VaultNullAsZeroAddress, [own.clone(), tail(be, true, false)].concat(), what));
    }
    if body.expires_after.is_some() {
        let what = "expiresAfter appended without its 0x00 prefix";
        inputs.push((M::ExpiresAfterUnprefixed, [own, tail(be, false, true)].concat(), what));
    }
    for (code, input, what) in inputs {
        for network in [HyperliquidNetwork::Mainnet, HyperliquidNetwork::Testnet] {
            out.push((code, hex::encode(l1_signing_hash(&input, network)), what));
        }
    }
    out
}

/// Whether the signature in `body` (the body as sent) recovers, over the hash `text` holds, to
/// `address` (the account's, handed over as the API key); no secret is needed.
fn verifies(_code: M, address: &str, _secret: Option<&str>, text: &[u8], body: &str) -> bool {
    parse_address(address).is_some_and(|address| recovered(text, body) == Some(address))
}

/// The address the signature in `body` recovers to over the hash `text` holds, checksummed as
/// accounts are registered.
fn signer(text: &[u8], body: &str) -> Option<String> {
    recovered(text, body).map(|address| checksum_address(&address))
}

fn recovered(text: &[u8], body: &str) -> Option<[u8; 20]> {
    let signed = serde_json::from_str::<Signed<'_>>(body).ok()?;
    let mut hash = [0u8; 32];
    hex::decode_to_slice(text, &mut hash).ok()?;
    recover_signer(&hash, signed.signature.r, signed.signature.s, signed.signature.v)
}

/// An address is no key: nothing is signed with it.
fn signed_with_api_key(_: &str, _: &[u8]) -> Option<String> {
    None
}
