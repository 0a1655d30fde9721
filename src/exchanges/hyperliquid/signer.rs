//! Hyperliquid: EIP-712 signatures over actions (feature `hyperliquid`).
//!
//! An action is sent as JSON and signed as something else (AUTH-breadth.md §1):
//!
//! - an **L1 action** (`order`, `cancel`, `modify`, `updateLeverage`, …) is signed through a
//!   "phantom agent": `connectionId = keccak256(msgpack(action) || nonce (8 bytes, big-endian) ||
//!   (0x00 | 0x01 || vault address) || [0x00 || expiresAfter (8 bytes)])`, then EIP-712 over
//!   `Agent(string source,bytes32 connectionId)` in the domain `Exchange`/`1`/chain 1337, the
//!   source `"a"` on mainnet and `"b"` on testnet;
//! - a **user-signed action** (`usdSend`, `withdraw3`, `approveAgent`, …) is EIP-712 typed data
//!   itself: `HyperliquidTransaction:<Name>(string hyperliquidChain, …)` in the domain
//!   `HyperliquidSignTransaction`/`1`/`signatureChainId`.
//!
//! The msgpack map order is the action's JSON key order, so the action is read from the bytes the
//! caller gives (never from a map that sorts its keys) and those same bytes are spliced into the
//! body sent: what is signed is derived from what is sent, and [`HyperliquidAction`] shows every
//! stage in between. Signatures are RFC 6979 deterministic ECDSA over secp256k1 with low `s` and
//! a recovery id (`v = 27 + id`): the exchange recovers the signer's address from them.

use std::fmt;
use std::time::Duration;

use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use sha3::{Digest as _, Keccak256};
use zeroize::Zeroizing;

use crate::signer::HeaderLayout;
use crate::{
    Credentials, Error, Method, Prehash, Scheme, SignOptions, SignableRequest, SignedRequest, Signer,
    TimestampFormat, WireTimestamp, WsAuth, WsField, WsRequest,
};

use super::HyperliquidNetwork;

const SCHEME: Scheme = Scheme::Hyperliquid;

/// The EIP-712 field types the user-signed actions use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldType {
    String,
    Address,
    Uint64,
    Bool,
}

impl FieldType {
    const fn name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Address => "address",
            Self::Uint64 => "uint64",
            Self::Bool => "bool",
        }
    }
}

/// One user-signed action: its `type` in the JSON, its EIP-712 primary type and fields (in
/// signing order), and a string field the SDK signs as `""` and leaves out of the body when it
/// is not given.
struct UserAction {
    action: &'static str,
    primary_type: &'static str,
    fields: &'static [(&'static str, FieldType)],
    absent_signs_empty: Option<&'static str>,
}

use FieldType::{Address, Bool, String as Str, Uint64};

/// The user-signed actions, as hyperliquid-python-sdk 0.24.0's `utils/signing.py` types them
/// (`USD_SEND_SIGN_TYPES`, `SPOT_TRANSFER_SIGN_TYPES`, `WITHDRAW_SIGN_TYPES`, …) and ccxt 4.5.90's
/// `hyperliquid.py` agrees for those it sends. Any other action `type` is an L1 action.
const USER_ACTIONS: &[UserAction] = &[
    UserAction {
        action: "usdSend",
        primary_type: "HyperliquidTransaction:UsdSend",
        fields: &[("hyperliquidChain", Str), ("destination", Str), ("amount", Str), ("time", Uint64)],
        absent_signs_empty: None,
    },
    UserAction {
        action: "spotSend",
        primary_type: "HyperliquidTransaction:SpotSend",
        fields: &[("hyperliquidChain", Str), ("destination", Str), ("token", Str), ("amount", Str), ("time", Uint64)],
        absent_signs_empty: None,
    },
    UserAction {
        action: "withdraw3",
        primary_type: "HyperliquidTransaction:Withdraw",
        fields: &[("hyperliquidChain", Str), ("destination", Str), ("amount", Str), ("time", Uint64)],
        absent_signs_empty: None,
    },
    UserAction {
        action: "usdClassTransfer",
        primary_type: "HyperliquidTransaction:UsdClassTransfer",
        fields: &[("hyperliquidChain", Str), ("amount", Str), ("toPerp", Bool), ("nonce", Uint64)],
        absent_signs_empty: None,
    },
    UserAction {
        action: "sendAsset",
        primary_type: "HyperliquidTransaction:SendAsset",
        fields: &[
            ("hyperliquidChain", Str),
            ("destination", Str),
            ("sourceDex", Str),
            ("destinationDex", Str),
            ("token", Str),
            ("amount", Str),
            ("fromSubAccount", Str),
            ("nonce", Uint64),
        ],
        absent_signs_empty: None,
    },
    UserAction {
        action: "approveAgent",
        primary_type: "HyperliquidTransaction:ApproveAgent",
        fields: &[("hyperliquidChain", Str), ("agentAddress", Address), ("agentName", Str), ("nonce", Uint64)],
        // The SDK signs an unnamed agent as `agentName: ""` and deletes the field before sending.
        absent_signs_empty: Some("agentName"),
    },
    UserAction {
        action: "approveBuilderFee",
        primary_type: "HyperliquidTransaction:ApproveBuilderFee",
        fields: &[("hyperliquidChain", Str), ("maxFeeRate", Str), ("builder", Address), ("nonce", Uint64)],
        absent_signs_empty: None,
    },
    UserAction {
        action: "tokenDelegate",
        primary_type: "HyperliquidTransaction:TokenDelegate",
        fields: &[
            ("hyperliquidChain", Str),
            ("validator", Address),
            ("wei", Uint64),
            ("isUndelegate", Bool),
            ("nonce", Uint64),
        ],
        absent_signs_empty: None,
    },
    UserAction {
        action: "convertToMultiSigUser",
        primary_type: "HyperliquidTransaction:ConvertToMultiSigUser",
        fields: &[("hyperliquidChain", Str), ("signers", Str), ("nonce", Uint64)],
        absent_signs_empty: None,
    },
];

/// The L1 domain's chain id (both SDKs and the docs: 1337).
const L1_CHAIN_ID: u64 = 1337;

/// `EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)`.
const DOMAIN_TYPE: &str = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";

/// The phantom agent's type.
const AGENT_TYPE: &str = "Agent(string source,bytes32 connectionId)";

/// The most bytes an action's JSON may have: a batch of orders is a few hundred bytes per order,
/// and Hyperliquid takes at most a few thousand orders per request.
const MAX_ACTION_BYTES: usize = 1 << 20;

fn keccak(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Keccak256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

fn word_u64(value: u64) -> [u8; 32] {
    let mut word = [0u8; 32];
    word[24..].copy_from_slice(&value.to_be_bytes());
    word
}

fn word_address(address: &[u8; 20]) -> [u8; 32] {
    let mut word = [0u8; 32];
    word[12..].copy_from_slice(address);
    word
}

/// `hashStruct(EIP712Domain)` for a domain with a zero verifying contract.
fn domain_separator(name: &str, chain_id: u64) -> [u8; 32] {
    keccak(&[
        &keccak(&[DOMAIN_TYPE.as_bytes()]),
        &keccak(&[name.as_bytes()]),
        &keccak(&[b"1"]),
        &word_u64(chain_id),
        &word_address(&[0; 20]),
    ])
}

/// Reads `0x` + 40 hex digits (either case, the `0x` optional).
pub(crate) fn parse_address(text: &str) -> Option<[u8; 20]> {
    let hex_digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    let mut address = [0u8; 20];
    hex::decode_to_slice(hex_digits, &mut address).ok()?;
    Some(address)
}

/// An address as EIP-55 writes it (mixed-case checksum), as wallets and the docs show them.
#[cfg_attr(docsrs, doc(cfg(feature = "hyperliquid")))]
pub fn checksum_address(address: &[u8; 20]) -> String {
    let lower = hex::encode(address);
    let hash = keccak(&[lower.as_bytes()]);
    let mut out = String::with_capacity(42);
    out.push_str("0x");
    for (i, c) in lower.chars().enumerate() {
        let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
        out.push(if nibble >= 8 { c.to_ascii_uppercase() } else { c });
    }
    out
}

/// The address of a public key: the last 20 bytes of keccak256 of its uncompressed point.
fn address_of(key: &VerifyingKey) -> [u8; 20] {
    let point = key.to_sec1_point(false);
    let hash = keccak(&[&point.as_bytes()[1..]]);
    let mut address = [0u8; 20];
    address.copy_from_slice(&hash[12..]);
    address
}

/// A 256-bit number as the SDK writes it (`eth_utils.to_hex(int)`): `0x`, lower-case hex, no
/// leading zeros. ccxt pads to 64 digits; the exchange reads either as the number.
fn hex_number(bytes: &[u8]) -> String {
    let digits = hex::encode(bytes);
    let trimmed = digits.trim_start_matches('0');
    format!("0x{}", if trimmed.is_empty() { "0" } else { trimmed })
}

/// An action as it is signed: its JSON as sent, the nonce, and what else the signature covers.
///
/// Everything a verifier needs to recompute the digest from a received body, and every stage
/// of it, so that "signed = sent" can be checked stage by stage.
///
/// ```
/// use cexsign::{HyperliquidAction, HyperliquidNetwork};
/// // AUTH-breadth.md §1's worked example: one GTC order at nonce 1700000000000.
/// let action = br#"{"type":"order","orders":[{"a":0,"b":true,"p":"30000","s":"0.001","r":false,"t":{"limit":{"tif":"Gtc"}}}],"grouping":"na"}"#;
/// let digest = HyperliquidAction::new(action, 1_700_000_000_000, HyperliquidNetwork::Mainnet).digest()?;
/// assert_eq!(
///     hex::encode(digest.action_hash_input().unwrap()),
///     "83a474797065a56f72646572a66f72646572739186a16100a162c3a170a53330303030a173a5302e303031a172c2a17481a56c696d697481a3746966a3477463a867726f7570696e67a26e610000018bcfe5680000",
/// );
/// assert_eq!(
///     hex::encode(digest.connection_id().unwrap()),
///     "27015072154fc147842efc672ab345311190856b5143f4b2def65830657fb15d",
/// );
/// # Ok::<(), cexsign::Error>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "hyperliquid")))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HyperliquidAction<'a> {
    action: &'a [u8],
    nonce: u64,
    network: HyperliquidNetwork,
    vault_address: Option<[u8; 20]>,
    expires_after: Option<u64>,
}

/// What an action's signature covers, stage by stage (see [`HyperliquidAction::digest`]).
#[cfg_attr(docsrs, doc(cfg(feature = "hyperliquid")))]
#[derive(Clone, PartialEq, Eq)]
pub struct ActionDigest {
    primary_type: &'static str,
    action_hash_input: Option<Vec<u8>>,
    msgpack_len: usize,
    connection_id: Option<[u8; 32]>,
    signing_input: [u8; 66],
    signing_hash: [u8; 32],
}

impl fmt::Debug for ActionDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActionDigest")
            .field("primary_type", &self.primary_type)
            .field("connection_id", &self.connection_id.map(hex::encode))
            .field("signing_hash", &hex::encode(self.signing_hash))
            .finish()
    }
}

impl ActionDigest {
    /// The EIP-712 primary type signed: `Agent` for an L1 action, `HyperliquidTransaction:…` for a
    /// user-signed one.
    pub fn primary_type(&self) -> &'static str {
        self.primary_type
    }

    /// Whether the action is signed through the phantom agent (an L1 action).
    pub fn is_l1(&self) -> bool {
        self.connection_id.is_some()
    }

    /// L1 actions: `msgpack(action) || nonce || vault flag [|| vault] [|| 0x00 || expiresAfter]`,
    /// the bytes hashed into the connection id.
    pub fn action_hash_input(&self) -> Option<&[u8]> {
        self.action_hash_input.as_deref()
    }

    /// L1 actions: the msgpack encoding of the action (the start of
    /// [`action_hash_input`](Self::action_hash_input)).
    pub fn msgpack(&self) -> Option<&[u8]> {
        self.action_hash_input.as_deref()?.get(..self.msgpack_len)
    }

    /// L1 actions: `keccak256(action_hash_input)`, the phantom agent's `connectionId`.
    pub fn connection_id(&self) -> Option<&[u8; 32]> {
        self.connection_id.as_ref()
    }

    /// `0x19 0x01 || domainSeparator || hashStruct(message)`: the 66 bytes whose keccak256 is
    /// signed.
    pub fn signing_input(&self) -> &[u8; 66] {
        &self.signing_input
    }

    /// `keccak256(signing_input)`: the digest the ECDSA signature is over.
    pub fn signing_hash(&self) -> &[u8; 32] {
        &self.signing_hash
    }
}

/// Why an action cannot be signed as given.
fn invalid(problem: &'static str) -> Error {
    Error::InvalidBody { scheme: SCHEME, problem }
}

/// Refuses a number with a fraction or an exponent anywhere in the action: Hyperliquid's prices
/// and sizes are strings (`"30000"`, `"0.001"`), and a float encodes as a msgpack float the
/// exchange does not read as the order's number.
fn refuse_floats(value: &rmpv::Value) -> Result<(), Error> {
    match value {
        rmpv::Value::F32(_) | rmpv::Value::F64(_) => Err(invalid(
            "the action holds a number with a fraction or an exponent: send prices and sizes as strings \
             without trailing zeros (\"30000\", \"0.001\"), as the SDKs' float_to_wire does",
        )),
        rmpv::Value::Array(items) => items.iter().try_for_each(refuse_floats),
        rmpv::Value::Map(pairs) => pairs.iter().try_for_each(|(_, value)| refuse_floats(value)),
        _ => Ok(()),
    }
}

fn field<'v>(pairs: &'v [(rmpv::Value, rmpv::Value)], name: &str) -> Option<&'v rmpv::Value> {
    pairs.iter().find(|(key, _)| key.as_str() == Some(name)).map(|(_, value)| value)
}

impl<'a> HyperliquidAction<'a> {
    /// `action` is the action's JSON exactly as it goes in the body (its key order is signed);
    /// `nonce` the millisecond nonce sent beside it.
    pub const fn new(action: &'a [u8], nonce: u64, network: HyperliquidNetwork) -> Self {
        Self { action, nonce, network, vault_address: None, expires_after: None }
    }

    /// The vault or sub-account an L1 action trades for (`vaultAddress`).
    pub const fn with_vault(mut self, vault_address: Option<[u8; 20]>) -> Self {
        self.vault_address = vault_address;
        self
    }

    /// The instant (Unix milliseconds) after which the exchange refuses the action
    /// (`expiresAfter`).
    pub const fn with_expires_after(mut self, expires_after: Option<u64>) -> Self {
        self.expires_after = expires_after;
        self
    }

    /// The action's JSON, as sent.
    pub fn action(&self) -> &'a [u8] {
        self.action
    }

    /// The nonce.
    pub fn nonce(&self) -> u64 {
        self.nonce
    }

    /// Reads the action and computes what its signature covers.
    ///
    /// The action must be a JSON object with a string `type` and no floats; a user-signed one
    /// must carry the fields its type signs, a `signatureChainId` and this network's
    /// `hyperliquidChain`.
    pub fn digest(&self) -> Result<ActionDigest, Error> {
        if self.action.len() > MAX_ACTION_BYTES {
            return Err(invalid("the action is over 1 MiB: split it into several requests"));
        }
        // rmpv's map keeps the pairs in the order the JSON gives them: the msgpack order.
        let value: rmpv::Value = serde_json::from_slice(self.action)
            .map_err(|_| invalid("the action is not one JSON object: give the action's JSON as it is sent"))?;
        let rmpv::Value::Map(pairs) = &value else {
            return Err(invalid("the action is not a JSON object"));
        };
        let action_type = field(pairs, "type")
            .and_then(rmpv::Value::as_str)
            .ok_or(invalid("the action has no string \"type\" (\"order\", \"cancel\", \"usdSend\", ...)"))?;
        refuse_floats(&value)?;
        match USER_ACTIONS.iter().find(|user| user.action == action_type) {
            Some(user) => self.user_signed(user, pairs),
            None => self.l1(&value),
        }
    }

    fn l1(&self, value: &rmpv::Value) -> Result<ActionDigest, Error> {
        let mut input = Vec::with_capacity(self.action.len() + 38);
        rmpv::encode::write_value(&mut input, value).map_err(|_| invalid("the action cannot be encoded as msgpack"))?;
        let msgpack_len = input.len();
        input.extend_from_slice(&self.nonce.to_be_bytes());
        match &self.vault_address {
            None => input.push(0),
            Some(vault) => {
                input.push(1);
                input.extend_from_slice(vault);
            }
        }
        if let Some(expires_after) = self.expires_after {
            input.push(0);
            input.extend_from_slice(&expires_after.to_be_bytes());
        }
        let connection_id = keccak(&[&input]);
        let message = keccak(&[
            &keccak(&[AGENT_TYPE.as_bytes()]),
            &keccak(&[self.network.source().as_bytes()]),
            &connection_id,
        ]);
        let (signing_input, signing_hash) = eip712(&domain_separator("Exchange", L1_CHAIN_ID), &message);
        Ok(ActionDigest {
            primary_type: "Agent",
            action_hash_input: Some(input),
            msgpack_len,
            connection_id: Some(connection_id),
            signing_input,
            signing_hash,
        })
    }

    fn user_signed(&self, user: &UserAction, pairs: &[(rmpv::Value, rmpv::Value)]) -> Result<ActionDigest, Error> {
        let chain = field(pairs, "hyperliquidChain").and_then(rmpv::Value::as_str).ok_or(invalid(
            "a user-signed action carries \"hyperliquidChain\" (\"Mainnet\" or \"Testnet\"), signed first",
        ))?;
        if chain != self.network.chain() {
            return Err(invalid(
                "the action's hyperliquidChain is not the signer's network: a testnet key signs \"Testnet\", a \
                 mainnet key \"Mainnet\"",
            ));
        }
        let chain_id = field(pairs, "signatureChainId")
            .and_then(rmpv::Value::as_str)
            .and_then(|id| u64::from_str_radix(id.strip_prefix("0x").unwrap_or(id), 16).ok())
            .ok_or(invalid(
                "a user-signed action carries its EIP-712 chain id as \"signatureChainId\" in hex (the SDKs send \
                 \"0x66eee\")",
            ))?;
        let mut type_string = String::with_capacity(128);
        type_string.push_str(user.primary_type);
        type_string.push('(');
        for (i, (name, kind)) in user.fields.iter().enumerate() {
            if i > 0 {
                type_string.push(',');
            }
            type_string.push_str(kind.name());
            type_string.push(' ');
            type_string.push_str(name);
        }
        type_string.push(')');
        let mut encoded = Vec::with_capacity(32 * (user.fields.len() + 1));
        encoded.extend_from_slice(&keccak(&[type_string.as_bytes()]));
        for (name, kind) in user.fields {
            let value = field(pairs, name);
            let word = match (kind, value) {
                (FieldType::String, None) if user.absent_signs_empty == Some(*name) => keccak(&[b""]),
                (FieldType::String, Some(rmpv::Value::String(text))) => keccak(&[text.as_bytes()]),
                (FieldType::Address, Some(value)) => word_address(
                    &value
                        .as_str()
                        .and_then(parse_address)
                        .ok_or(invalid("an address field of the action is not 0x and 40 hex digits"))?,
                ),
                (FieldType::Uint64, Some(value)) => {
                    word_u64(value.as_u64().ok_or(invalid("a time or nonce field of the action is not an integer"))?)
                }
                (FieldType::Bool, Some(rmpv::Value::Boolean(flag))) => word_u64(u64::from(*flag)),
                (_, None) => {
                    return Err(invalid(
                        "the action lacks a field its type signs (see the SDK's sign types for this action)",
                    ));
                }
                (_, Some(_)) => {
                    return Err(invalid(
                        "a field of the action has the wrong JSON type: amounts are strings, times and nonces \
                         integers, flags booleans",
                    ));
                }
            };
            encoded.extend_from_slice(&word);
        }
        let message = keccak(&[&encoded]);
        let (signing_input, signing_hash) =
            eip712(&domain_separator("HyperliquidSignTransaction", chain_id), &message);
        Ok(ActionDigest {
            primary_type: user.primary_type,
            action_hash_input: None,
            msgpack_len: 0,
            connection_id: None,
            signing_input,
            signing_hash,
        })
    }

    /// The body of `POST /exchange` carrying this action (spliced in byte for byte) and its
    /// signature: `{"action":…,"nonce":…,"signature":{"r":…,"s":…,"v":…},"vaultAddress":…}`,
    /// with `expiresAfter` when set. User-signed actions send no `vaultAddress`.
    pub fn body(&self, digest: &ActionDigest, signature: &ActionSignature) -> String {
        let mut body = String::with_capacity(self.action.len() + 256);
        body.push_str("{\"action\":");
        // Checked to be one JSON object (UTF-8) by `digest`.
        body.push_str(std::str::from_utf8(self.action).unwrap_or("{}"));
        body.push_str(",\"nonce\":");
        body.push_str(itoa::Buffer::new().format(self.nonce));
        body.push_str(",\"signature\":{\"r\":\"");
        body.push_str(&signature.r);
        body.push_str("\",\"s\":\"");
        body.push_str(&signature.s);
        body.push_str("\",\"v\":");
        body.push_str(itoa::Buffer::new().format(signature.v));
        body.push('}');
        if digest.is_l1() {
            match &self.vault_address {
                None => body.push_str(",\"vaultAddress\":null"),
                Some(vault) => {
                    body.push_str(",\"vaultAddress\":\"0x");
                    body.push_str(&hex::encode(vault));
                    body.push('"');
                }
            }
            if let Some(expires_after) = self.expires_after {
                body.push_str(",\"expiresAfter\":");
                body.push_str(itoa::Buffer::new().format(expires_after));
            }
        }
        body.push('}');
        body
    }
}

/// Whether an action of this `type` is user-signed (its own EIP-712 fields, no msgpack).
pub(crate) fn is_user_signed(action_type: &str) -> bool {
    USER_ACTIONS.iter().any(|user| user.action == action_type)
}

/// The EIP-712 hash of a user-signed action's typed message (`signing_input[34..]`) under the L1
/// domain (`Exchange`, chain id 1337), as a client that confuses the two domains signs it.
pub(crate) fn l1_domain_signing_hash(digest: &ActionDigest) -> Option<[u8; 32]> {
    let message: [u8; 32] = digest.signing_input[34..].try_into().ok()?;
    Some(eip712(&domain_separator("Exchange", L1_CHAIN_ID), &message).1)
}

/// The EIP-712 hash an L1 action's signature is over, given the bytes hashed into its connection
/// id (`msgpack(action) || nonce || vault flag …`), however they were built: what the diagnosis
/// computes for a client's mistaken rendering.
pub(crate) fn l1_signing_hash(action_hash_input: &[u8], network: HyperliquidNetwork) -> [u8; 32] {
    let connection_id = keccak(&[action_hash_input]);
    let message =
        keccak(&[&keccak(&[AGENT_TYPE.as_bytes()]), &keccak(&[network.source().as_bytes()]), &connection_id]);
    eip712(&domain_separator("Exchange", L1_CHAIN_ID), &message).1
}

/// `0x19 0x01 || domainSeparator || hashStruct(message)` and its keccak256.
fn eip712(domain: &[u8; 32], message: &[u8; 32]) -> ([u8; 66], [u8; 32]) {
    let mut input = [0u8; 66];
    input[0] = 0x19;
    input[1] = 0x01;
    input[2..34].copy_from_slice(domain);
    input[34..].copy_from_slice(message);
    let hash = keccak(&[&input]);
    (input, hash)
}

/// A recoverable signature as Hyperliquid sends it: `r` and `s` as hex numbers, `v` 27 or 28.
#[cfg_attr(docsrs, doc(cfg(feature = "hyperliquid")))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionSignature {
    r: String,
    s: String,
    v: u8,
    bytes: [u8; 65],
}

impl ActionSignature {
    /// `r`, as `0x` and lower-case hex without leading zeros (the official SDK's form).
    pub fn r(&self) -> &str {
        &self.r
    }

    /// `s`, in the same form.
    pub fn s(&self) -> &str {
        &self.s
    }

    /// `v`: 27 + the recovery id.
    pub fn v(&self) -> u8 {
        self.v
    }

    /// `r || s || v` (65 bytes), as an Ethereum wallet writes a signature.
    pub fn to_bytes(&self) -> [u8; 65] {
        self.bytes
    }

    fn from_parts(signature: &Signature, recovery: RecoveryId) -> Self {
        let (r, s) = signature.split_bytes();
        let v = 27 + recovery.to_byte();
        let mut bytes = [0u8; 65];
        bytes[..32].copy_from_slice(&r);
        bytes[32..64].copy_from_slice(&s);
        bytes[64] = v;
        Self { r: hex_number(&r), s: hex_number(&s), v, bytes }
    }
}

/// The address that signed `signing_hash` with this `r`, `s` and `v` (27/28, or 0/1), as a
/// verifier recovers it; `None` when they are no signature at all (then no account signed).
///
/// `r` and `s` are hex numbers, with or without `0x`, leading zeros optional.
#[cfg_attr(docsrs, doc(cfg(feature = "hyperliquid")))]
pub fn recover_signer(signing_hash: &[u8; 32], r: &str, s: &str, v: u64) -> Option<[u8; 20]> {
    fn scalar(text: &str) -> Option<[u8; 32]> {
        let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
        if digits.is_empty() || digits.len() > 64 {
            return None;
        }
        let padded = format!("{digits:0>64}");
        let mut out = [0u8; 32];
        hex::decode_to_slice(padded, &mut out).ok()?;
        Some(out)
    }
    let recovery = match v {
        27 | 28 => RecoveryId::from_byte((v - 27) as u8)?,
        0 | 1 => RecoveryId::from_byte(v as u8)?,
        _ => return None,
    };
    let signature = Signature::from_scalars(scalar(r)?, scalar(s)?).ok()?;
    let key = VerifyingKey::recover_from_prehash(signing_hash, &signature, recovery).ok()?;
    Some(address_of(&key))
}

/// Signs Hyperliquid actions (`POST /exchange`, and the websocket `post` that carries the same
/// payload) with a wallet's or API wallet's private key.
///
/// The secret is the 32-byte private key in hex (`0x` optional); the API key, if given, is an
/// address (the account traded for: with an API wallet it is the main account's, not the key's
/// own). Testnet keys are built with [`with_network`](Self::with_network) (or the `demo` key
/// setting).
///
/// ```
/// use cexsign::{Credentials, HyperliquidSigner, Method, SignableRequest, Signer, Timestamp};
/// // hyperliquid-python-sdk's own signing test: a dummy action at nonce 0 on mainnet.
/// let signer = HyperliquidSigner::new(
///     &Credentials::new().secret("0x0123456789012345678901234567890123456789012345678901234567890123"),
/// )?;
/// assert_eq!(signer.address(), "0x14791697260E4c9A71f18484C9f997B308e59325");
/// let action = SignableRequest::new(Method::Post, "/exchange")?.with_body(br#"{"type":"dummy","num":100000000000}"#);
/// let signed = signer.sign(&action, Timestamp::from_unix_millis(0))?;
/// let fields: Vec<_> = signed.signature_fields().collect();
/// assert_eq!(fields[0], ("r", "0x53749d5b30552aeb2fca34b530185976545bb22d0b3ce6f62e31be961a59298"));
/// assert_eq!(fields[1], ("s", "0x755c40ba9bf05223521753995abb2f73ab3229be8ec921f350cb447e384d8ed8"));
/// assert_eq!(fields[2], ("v", "27"));
/// // The body to send: the action exactly as given, then the nonce and the signature.
/// assert!(std::str::from_utf8(signed.wire_body().unwrap())?.starts_with(r#"{"action":{"type":"dummy","num":100000000000},"nonce":0,"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "hyperliquid")))]
pub struct HyperliquidSigner {
    key: SigningKey,
    address: [u8; 20],
    network: HyperliquidNetwork,
    vault_address: Option<[u8; 20]>,
    expires_after: Option<Duration>,
    headers: HeaderLayout,
}

impl fmt::Debug for HyperliquidSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperliquidSigner")
            .field("address", &self.address())
            .field("key", &"[REDACTED]")
            .field("network", &self.network)
            .field("vault_address", &self.vault_address.map(|vault| checksum_address(&vault)))
            .field("expires_after", &self.expires_after)
            .finish()
    }
}

impl HyperliquidSigner {
    /// Reads the private key (the secret) and derives its address; checks the API key, if
    /// given, is an address.
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let secret = credentials.require_secret(SCHEME)?;
        let digits = secret.strip_prefix("0x").or_else(|| secret.strip_prefix("0X")).unwrap_or(secret);
        let problem = if digits.len() == 40 && digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            Some("the secret is 40 hex digits, an address: give the wallet's private key (64 hex digits) instead")
        } else if digits.len() != 64 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            Some("the secret must be the private key, 64 hex digits (0x optional), as the wallet exports it")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(Error::InvalidPrivateKey { scheme: SCHEME, key_type: "secp256k1", problem });
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(digits, bytes.as_mut_slice()).map_err(|_| Error::InvalidPrivateKey {
            scheme: SCHEME,
            key_type: "secp256k1",
            problem: "the secret is not hex",
        })?;
        let key = SigningKey::from_slice(bytes.as_slice()).map_err(|_| Error::InvalidPrivateKey {
            scheme: SCHEME,
            key_type: "secp256k1",
            problem: "the secret is not a secp256k1 private key (zero, or not below the curve order)",
        })?;
        if let Some(api_key) = credentials.api_key.as_deref() {
            if parse_address(api_key.trim()).is_none() || !api_key.trim().starts_with("0x") {
                return Err(Error::InvalidAuthValue {
                    scheme: SCHEME,
                    field: "API key",
                    problem: "Hyperliquid's API key is the account's address, 0x and 40 hex digits (or leave it \
                              out: the address is derived from the private key)",
                });
            }
        }
        let address = address_of(key.verifying_key());
        Ok(Self {
            key,
            address,
            network: HyperliquidNetwork::Mainnet,
            vault_address: None,
            expires_after: None,
            headers: HeaderLayout::new([]),
        })
    }

    /// Signs for this network (mainnet by default).
    pub fn with_network(mut self, network: HyperliquidNetwork) -> Self {
        self.network = network;
        self
    }

    /// Signs L1 actions for this vault or sub-account (`vaultAddress`, `0x` and 40 hex digits).
    pub fn with_vault_address(mut self, vault_address: &str) -> Result<Self, Error> {
        self.vault_address = Some(parse_address(vault_address.trim()).ok_or(Error::InvalidKeySetting {
            scheme: SCHEME,
            setting: "vault_address",
            expected: "an address, 0x and 40 hex digits".to_owned(),
        })?);
        Ok(self)
    }

    /// Signs L1 actions that expire this long after their nonce (`expiresAfter`).
    pub fn with_expires_after(mut self, after: Duration) -> Self {
        self.expires_after = Some(after);
        self
    }

    /// The address of the key (EIP-55), the one the exchange recovers from each signature.
    pub fn address(&self) -> String {
        checksum_address(&self.address)
    }

    /// The network signed for.
    pub fn network(&self) -> HyperliquidNetwork {
        self.network
    }

    /// The action signed at `nonce`, with this signer's vault and expiry.
    pub fn action<'a>(&self, action: &'a [u8], nonce: u64) -> Result<HyperliquidAction<'a>, Error> {
        let expires_after = match self.expires_after {
            None => None,
            Some(after) => Some(
                u64::try_from(after.as_millis())
                    .ok()
                    .and_then(|after| nonce.checked_add(after))
                    .ok_or(Error::TimestampOutOfRange { format: "expiresAfter, integer Unix milliseconds" })?,
            ),
        };
        Ok(HyperliquidAction::new(action, nonce, self.network)
            .with_vault(self.vault_address)
            .with_expires_after(expires_after))
    }

    /// Signs `action` (its JSON as sent) at `nonce`: the digest, the signature and the body.
    pub fn sign_action(&self, action: &[u8], nonce: u64) -> Result<(ActionDigest, ActionSignature, String), Error> {
        let action = self.action(action, nonce)?;
        let digest = action.digest()?;
        let (signature, recovery) = self.key.sign_prehash_recoverable(digest.signing_hash());
        let signature = ActionSignature::from_parts(&signature, recovery);
        let body = action.body(&digest, &signature);
        Ok((digest, signature, body))
    }

    fn nonce(timestamp: &WireTimestamp) -> Result<u64, Error> {
        timestamp
            .as_str()
            .parse()
            .map_err(|_| Error::InvalidTimestamp { format: "integer Unix milliseconds", example: "1700000000123" })
    }
}

fn signature_text(signature: &ActionSignature) -> String {
    format!("0x{}", hex::encode(signature.to_bytes()))
}

impl Signer for HyperliquidSigner {
    fn scheme(&self) -> Scheme {
        SCHEME
    }

    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixMillis
    }

    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        if request.method() != Method::Post {
            return Err(Error::InvalidParameters {
                scheme: SCHEME,
                problem: "actions are sent with POST /exchange, the action's JSON as the body",
            });
        }
        let (digest, signature, body) = self.sign_action(request.body(), Self::nonce(timestamp)?)?;
        let prehash = options.keeps_prehash().then(|| Prehash::new(hex::encode(digest.signing_input()).into_bytes()));
        let mut signed = SignedRequest::new(timestamp.as_str(), &signature_text(&signature), prehash, &self.headers);
        signed.set_wire_body(body.into_bytes());
        Ok(signed.with_signature_fields([
            ("r", signature.r().to_owned()),
            ("s", signature.s().to_owned()),
            ("v", signature.v().to_string()),
        ]))
    }

    fn sign_ws_at(
        &self,
        request: &WsRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let action = request.data().ok_or(Error::InvalidWsRequest {
            problem: "Hyperliquid has no websocket login: a websocket `post` carries a signed action; give the \
                      action's JSON with WsRequest::with_data",
        })?;
        let id: u64 = match request.id() {
            None => 1,
            Some(id) => id.parse().map_err(|_| Error::InvalidWsRequest {
                problem: "a Hyperliquid websocket post's id is a number: give WsRequest::with_id digits",
            })?,
        };
        let (digest, signature, body) = self.sign_action(action.as_bytes(), Self::nonce(timestamp)?)?;
        let mut message = String::with_capacity(body.len() + 64);
        message.push_str("{\"method\":\"post\",\"id\":");
        message.push_str(itoa::Buffer::new().format(id));
        message.push_str(",\"request\":{\"type\":\"action\",\"payload\":");
        message.push_str(&body);
        message.push_str("}}");
        let prehash = options.keeps_prehash().then(|| Prehash::new(hex::encode(digest.signing_input()).into_bytes()));
        let fields = vec![
            WsField::new("r", signature.r()),
            WsField::new("s", signature.s()),
            WsField::new("v", signature.v().to_string()),
        ];
        Ok(WsAuth::new(fields, message, timestamp.as_str().to_owned(), signature_text(&signature), prehash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The conformance vectors' key and the address they give for it.
    const KEY: &str = "0x1a200dd7760f08613dae49a978f9c7b759e18e0c734156b9cdc3f062aeb661c9";
    const ADDRESS: &str = "0x3C4A97241c7b41C7FD868C662776529d79629BFc";
    const ORDER: &[u8] = br#"{"type":"order","orders":[{"a":0,"b":true,"p":"64089.9","s":"0.0015","r":false,"t":{"limit":{"tif":"Gtc"}}}],"grouping":"na"}"#;

    fn signer() -> HyperliquidSigner {
        HyperliquidSigner::new(&Credentials::new().secret(KEY)).unwrap()
    }

    #[test]
    fn the_key_is_checked_at_construction_with_typed_errors() {
        assert_eq!(signer().address(), ADDRESS);
        // Without 0x, in upper case: the same key.
        let bare = HyperliquidSigner::new(&Credentials::new().secret(KEY[2..].to_uppercase())).unwrap();
        assert_eq!(bare.address(), ADDRESS);
        let err = |credentials: Credentials| HyperliquidSigner::new(&credentials).unwrap_err();
        let address = err(Credentials::new().secret(ADDRESS));
        assert!(matches!(address, Error::InvalidPrivateKey { .. }) && address.to_string().contains("address"));
        assert!(matches!(err(Credentials::new().secret("0x1234")), Error::InvalidPrivateKey { .. }));
        let zero = format!("0x{}", "0".repeat(64));
        assert!(err(Credentials::new().secret(zero)).to_string().contains("curve order"));
        let order = format!("0x{}", "f".repeat(64));
        assert!(matches!(err(Credentials::new().secret(order)), Error::InvalidPrivateKey { .. }));
        assert!(matches!(err(Credentials::new().api_key("my-key").secret(KEY)), Error::InvalidAuthValue { .. }));
        assert!(matches!(err(Credentials::new()), Error::MissingCredential { .. }));
        // The key never shows.
        assert!(!format!("{:?}", signer()).contains(&KEY[2..]));
    }

    #[test]
    fn the_key_order_of_the_action_is_signed() {
        let sorted = br#"{"grouping":"na","orders":[{"a":0,"b":true,"p":"64089.9","r":false,"s":"0.0015","t":{"limit":{"tif":"Gtc"}}}],"type":"order"}"#;
        let a = HyperliquidAction::new(ORDER, 1, HyperliquidNetwork::Mainnet).digest().unwrap();
        let b = HyperliquidAction::new(sorted, 1, HyperliquidNetwork::Mainnet).digest().unwrap();
        assert_ne!(a.connection_id(), b.connection_id());
        // The msgpack map header of three pairs, then "type": the JSON's first key.
        assert_eq!(&a.msgpack().unwrap()[..6], b"\x83\xa4type");
        // Whitespace is not signed.
        let spaced = String::from_utf8(ORDER.to_vec()).unwrap().replace(',', ", ");
        let c = HyperliquidAction::new(spaced.as_bytes(), 1, HyperliquidNetwork::Mainnet).digest().unwrap();
        assert_eq!(a.signing_hash(), c.signing_hash());
    }

    #[test]
    fn floats_and_non_actions_are_refused() {
        let float = br#"{"type":"order","orders":[{"a":0,"b":true,"p":30000.0,"s":"0.001"}],"grouping":"na"}"#;
        let refused = |action: &[u8]| HyperliquidAction::new(action, 1, HyperliquidNetwork::Mainnet).digest().is_err();
        assert!(refused(float));
        assert!(refused(b"[1,2]"));
        assert!(refused(br#"{"orders":[]}"#));
        assert!(refused(b"{\"type\":\"order\"} trailing"));
    }

    #[test]
    fn user_signed_actions_check_their_chain_and_sign_an_absent_agent_name_as_empty() {
        let agent = |name: &str| {
            format!(
                r#"{{"type":"approveAgent","signatureChainId":"0x66eee","hyperliquidChain":"Mainnet","agentAddress":"0x626fef8c62eee328baa7798468c4db0515da1a76"{name},"nonce":1718151166378}}"#
            )
        };
        let digest = |action: &str, network| HyperliquidAction::new(action.as_bytes(), 1, network).digest();
        let unnamed = digest(&agent(""), HyperliquidNetwork::Mainnet).unwrap();
        let empty = digest(&agent(r#","agentName":"""#), HyperliquidNetwork::Mainnet).unwrap();
        assert_eq!(unnamed.signing_hash(), empty.signing_hash());
        assert_eq!(unnamed.primary_type(), "HyperliquidTransaction:ApproveAgent");
        assert!(!unnamed.is_l1());
        assert!(digest(&agent(""), HyperliquidNetwork::Testnet).unwrap_err().to_string().contains("hyperliquidChain"));
    }

    #[test]
    fn the_signature_recovers_to_the_keys_address() {
        let (digest, signature, body) = signer().sign_action(ORDER, 1_718_007_932_859).unwrap();
        let recovered = recover_signer(digest.signing_hash(), signature.r(), signature.s(), u64::from(signature.v()));
        assert_eq!(recovered.map(|a| checksum_address(&a)).as_deref(), Some(ADDRESS));
        // Padded r and s, and v as 0/1, read the same.
        let padded = |hex: &str| format!("0x{:0>64}", hex.trim_start_matches("0x"));
        let again = recover_signer(
            digest.signing_hash(),
            &padded(signature.r()),
            &padded(signature.s()),
            u64::from(signature.v() - 27),
        );
        assert_eq!(again, recovered);
        assert_eq!(recover_signer(digest.signing_hash(), "0x0", signature.s(), 27), None);
        assert!(body.contains(r#""vaultAddress":null"#) && !body.contains("expiresAfter"));
    }

    #[test]
    fn the_client_order_id_is_read_from_the_action_and_from_the_body_sent() {
        let orders = &Scheme::Hyperliquid.exchange().orders;
        let action = br#"{"type":"order","orders":[{"a":0,"c":"0x1957bca15338f1b5170896711d82e4e9"}],"grouping":"na"}"#;
        let id = Some("0x1957bca15338f1b5170896711d82e4e9".to_owned());
        assert_eq!(orders.client_order_id_in(None, action), id);
        let body = format!(r#"{{"action":{},"nonce":1}}"#, std::str::from_utf8(action).unwrap());
        assert_eq!(orders.client_order_id_in(None, body.as_bytes()), id);
        assert_eq!(orders.client_order_id_in(None, br#"{"type":"cancel","cancels":[]}"#), None);
    }
}
