//! Hyperliquid: everything cexsign knows about it.
//!
//! `signer` (feature `hyperliquid`) signs actions with a secp256k1 key, `errors` is the error
//! table; this file is the description the engines read.
//!
//! Hyperliquid has no auth headers and no HMAC: every action `POST /exchange` sends is an
//! EIP-712 signature (`r`, `s`, `v`) in the body, over a digest of the action (msgpack of the
//! action in its JSON key order, the nonce, the vault) or over the action's own typed fields
//! (user-signed actions). The exchange recovers the signer's address from the signature: an
//! account is an address, and a wrong signature reads as an unknown one (AUTH-breadth.md §1).

mod errors;
#[cfg(feature = "hyperliquid")]
mod renderings;
#[cfg(feature = "hyperliquid")]
mod signer;

#[cfg(feature = "hyperliquid")]
pub use signer::{ActionDigest, ActionSignature, HyperliquidAction, HyperliquidSigner, checksum_address, recover_signer};

use std::time::Duration;

#[cfg(feature = "hyperliquid")]
use crate::diagnose::MistakeCode as M;
use crate::exchange::{
    DiagnosisFacts, Exchange, KeySettings, KeyVariants, Recovered, RecoveredSigner, Refused, RestVerification,
    Routing, WsLogin, WsSigning,
};
use crate::recipe::NotARecipe;
use crate::server_time::ServerTimeApi;
use crate::{Credentials, Error, Signer};
#[cfg(not(feature = "hyperliquid"))]
use crate::Scheme;

/// Which Hyperliquid chain an action is for: L1 actions sign it as the phantom agent's `source`,
/// user-signed actions name it in `hyperliquidChain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum HyperliquidNetwork {
    /// `api.hyperliquid.xyz`: source `"a"`, `hyperliquidChain` `"Mainnet"`.
    #[default]
    Mainnet,
    /// `api.hyperliquid-testnet.xyz`: source `"b"`, `hyperliquidChain` `"Testnet"`.
    Testnet,
}

impl HyperliquidNetwork {
    /// The phantom agent's `source`.
    pub const fn source(self) -> &'static str {
        match self {
            Self::Mainnet => "a",
            Self::Testnet => "b",
        }
    }

    /// The `hyperliquidChain` of a user-signed action.
    pub const fn chain(self) -> &'static str {
        match self {
            Self::Mainnet => "Mainnet",
            Self::Testnet => "Testnet",
        }
    }
}

/// Hyperliquid, as the engines see it.
pub(crate) const HYPERLIQUID: Exchange = Exchange {
    id: "hyperliquid",
    name: "Hyperliquid",
    // The signature, the nonce and the signer's identity all travel in the body.
    rest_auth: None,
    ws_auth: None,
    ws_api_auth: None,
    // "post" requests on the websocket carry an action signed exactly as for REST; there is no
    // login, and the private channels (`orderUpdates`, `userFills`, …) take the user's address
    // unsigned (Hyperliquid's websocket docs).
    ws_login: WsLogin::Absent {
        instead: "Hyperliquid has no websocket login: subscribe to a user's channels with the address, and send \
                  actions in a `post` message signed exactly as for POST /exchange (sign_ws with the action's \
                  JSON as WsRequest::with_data)",
    },
    // No private stream is described: nothing on Hyperliquid's websocket authenticates a
    // connection. Its account channels (`orderUpdates`, `userEvents`, `userFills`, subscribed
    // `{"method":"subscribe","subscription":{"type":"orderUpdates","user":<address>}}`) name an
    // address and anyone may subscribe to any address; the only signed message is a `post`
    // (`{"method":"post","id","request":{"type":"action","payload":{action, nonce, signature}}}`),
    // which is one POST /exchange carried over the socket, verified as that request and answered
    // `{"channel":"post","data":{"id","response":…}}` (Hyperliquid's docs, "Websocket" >
    // "Subscriptions" and "Post requests"). Serving it means a stream engine that verifies a
    // message as a REST request of the home's, which the stream description cannot say yet;
    // until then a bot's `post` is checked by sending its payload to POST /exchange.
    private_stream: crate::exchange::PrivateStream::NONE,
    // A nonce is accepted within (server time - 2 days, server time + 1 day) ("Nonces and API
    // wallets"); the description's window is symmetric, so it is the tighter side.
    window: Some(Duration::from_secs(86_400)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.hyperliquid.xyz", "api.hyperliquid-testnet.xyz"],
    // No header marks its requests: the path does.
    routing: Routing::new(&[], &["/exchange"], 34),
    rest_verification: RestVerification::RecoveredSigner(RecoveredSigner {
        recover,
        key_id,
        path: "/exchange",
    }),
    signer,
    // One kind of key: the same key signs for mainnet and testnet (the `demo` setting picks the
    // network, the source "b" and hyperliquidChain "Testnet"), so the network is not a variant.
    key_variants: KeyVariants::NONE,
    // No server-time endpoint ("POST /info" answers carry block times, not the clock): the HTTP
    // Date header is the fallback, and the window is days wide.
    server_time: ServerTimeApi::NONE,
    errors: errors::ERRORS,
    recipe: Err(NotARecipe {
        reason: "Hyperliquid signs an EIP-712 digest with a secp256k1 key: the signed bytes are keccak-256 \
                 hashes of the action's msgpack encoding (with the nonce and vault) or of its typed fields, not a \
                 concatenation of request parts, and a wrong signature is answered as an unknown address",
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::Unsigned {
            hint: "a websocket post is signed as the REST action it carries: diagnose that action",
        },
        window_in_words: Some("a nonce within 2 days behind and 1 day ahead of server time, used once"),
        pitfalls: "Hyperliquid: the action's key order is signed (msgpack keeps it): serialise it once, in the \
                   SDK's order (order: a,b,p,s,r,t,c; action: type,orders,grouping), and send those bytes; prices \
                   and sizes are strings without trailing zeros, never floats. A wrong signature is not reported as \
                   such: it recovers to another address, answered \"User or API Wallet 0x… does not exist\". A \
                   testnet key signs source \"b\" and hyperliquidChain \"Testnet\" (set `demo`); user-signed \
                   actions (usdSend, withdraw3, approveAgent…) use the HyperliquidSignTransaction domain and chain \
                   id signatureChainId, not the L1 domain (1337); a null vault is the single byte 0x00, the nonce 8 \
                   bytes big-endian, expiresAfter preceded by 0x00.",
        // AUTH-breadth.md §1's mistakes, as tests/diagnose/breadth.rs makes them, each named by
        // the diagnosis from the signature's recovered address: the action's keys sorted, prices
        // and sizes as floats, the nonce little-endian, a null vault as 20 zero bytes, expiresAfter
        // without its 0x00, a user-signed action under the L1 domain.
        #[cfg(feature = "hyperliquid")]
        mistakes: &[
            M::BodyReserialized, M::NumberAsFloat, M::NonceLittleEndian, M::VaultNullAsZeroAddress,
            M::ExpiresAfterUnprefixed, M::UserActionL1Domain,
        ],
        #[cfg(feature = "hyperliquid")]
        rest_only: &[
            M::BodyReserialized, M::NumberAsFloat, M::NonceLittleEndian, M::VaultNullAsZeroAddress,
            M::ExpiresAfterUnprefixed, M::UserActionL1Domain,
        ],
        #[cfg(feature = "hyperliquid")]
        renderings: Some(renderings::RENDERINGS),
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// Orders are `order` actions sent to `POST /exchange`, each order's optional client order id
/// its `c` (a 16-byte hex `cloid`; Hyperliquid's "Exchange endpoint" docs): a batch is read by
/// its first order's, in the action a bot signs and in the body sent (`{"action": …}`). What it answers a repeated cloid is not documented where we read. Every
/// action shares the path, so a cancel is read as an order too (it carries no id).
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("/orders/0/c").also_at(&["/action/orders/0/c"])),
    placing: &[crate::exchange::PlaceOrder::post("/exchange")],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &[],
};

/// `demo` signs for testnet, `vault_address` for a vault or sub-account, `expires_after` adds an
/// expiry that long after the nonce.
#[cfg(feature = "hyperliquid")]
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let network = if settings.demo { HyperliquidNetwork::Testnet } else { HyperliquidNetwork::Mainnet };
    let mut signer = HyperliquidSigner::new(credentials)?.with_network(network);
    if let Some(vault) = &settings.vault_address {
        signer = signer.with_vault_address(vault)?;
    }
    if let Some(after) = settings.expires_after {
        signer = signer.with_expires_after(after);
    }
    Ok(Box::new(signer))
}

/// Without the `hyperliquid` feature there is no Hyperliquid signer.
#[cfg(not(feature = "hyperliquid"))]
fn signer(_: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Err(not_built())
}

#[cfg(not(feature = "hyperliquid"))]
fn not_built() -> Error {
    Error::KeyTypeUnsupported {
        scheme: Scheme::Hyperliquid,
        problem: "Hyperliquid keys are signed with the `hyperliquid` feature: enable it in Cargo.toml",
    }
}

/// The address of the key (EIP-55, as wallets and the vectors write it): what the exchange knows
/// an account by.
#[cfg(feature = "hyperliquid")]
fn key_id(credentials: &Credentials) -> Result<String, Error> {
    Ok(HyperliquidSigner::new(credentials)?.address())
}

#[cfg(not(feature = "hyperliquid"))]
fn key_id(_: &Credentials) -> Result<String, Error> {
    Err(not_built())
}

/// Reads a received `POST /exchange` body (`{"action","nonce","signature":{"r","s","v"},
/// "vaultAddress","expiresAfter"}`), recomputes the digest from the action's JSON as received
/// (its key order kept) and recovers the signer's address, as a mainnet and as a testnet key.
#[cfg(feature = "hyperliquid")]
fn recover(body: &[u8]) -> Result<Recovered, Refused> {
    use crate::rejection::Refusal;
    use serde_json::value::RawValue;

    #[derive(serde::Deserialize)]
    struct Body<'a> {
        #[serde(borrow)]
        action: &'a RawValue,
        nonce: u64,
        signature: Signature<'a>,
        #[serde(default, rename = "vaultAddress", borrow)]
        vault_address: Option<&'a str>,
        #[serde(default, rename = "expiresAfter")]
        expires_after: Option<u64>,
    }
    #[derive(serde::Deserialize)]
    struct Signature<'a> {
        r: &'a str,
        s: &'a str,
        v: u64,
    }
    let malformed = |reason: &str| Refused::new(Refusal::Malformed, reason);
    let body: Body<'_> = serde_json::from_slice(body).map_err(|_| {
        malformed(
            "the body is not {\"action\":{…},\"nonce\":<ms>,\"signature\":{\"r\",\"s\",\"v\"},\"vaultAddress\":…}: \
             the nonce an integer, r and s hex strings, v a number",
        )
    })?;
    let vault = match body.vault_address {
        None => None,
        Some(vault) => Some(signer::parse_address(vault).ok_or_else(|| malformed("vaultAddress is not an address"))?),
    };
    let ids = [HyperliquidNetwork::Mainnet, HyperliquidNetwork::Testnet].map(|network| {
        let digest = HyperliquidAction::new(body.action.get().as_bytes(), body.nonce, network)
            .with_vault(vault)
            .with_expires_after(body.expires_after)
            .digest();
        let digest = digest.map_err(|error| malformed(&error.to_string()))?;
        recover_signer(digest.signing_hash(), body.signature.r, body.signature.s, body.signature.v)
            .map(|address| checksum_address(&address))
            .ok_or_else(|| Refused::new(Refusal::Signature, "r, s and v are not a secp256k1 signature"))
    });
    // A user-signed action names its chain: the other network's digest refuses it.
    let [live, demo] = ids;
    match (live, demo) {
        (Ok(live), Ok(demo)) => Ok(Recovered::new(body.nonce, body.expires_after, live, demo)),
        (Ok(one), Err(_)) | (Err(_), Ok(one)) => Ok(Recovered::new(body.nonce, body.expires_after, one.clone(), one)),
        (Err(error), Err(_)) => Err(error),
    }
}

#[cfg(not(feature = "hyperliquid"))]
fn recover(_: &[u8]) -> Result<Recovered, Refused> {
    Err(Refused::new(crate::rejection::Refusal::Malformed, not_built().to_string()))
}
