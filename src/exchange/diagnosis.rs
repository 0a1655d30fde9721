//! What the diagnosis says about an exchange beyond its recipe: the words of its timestamp window
//! and the pitfalls of its keys and environments, told when a signature is right and the exchange
//! rejected the request anyway.

use std::time::Duration;

use crate::diagnose::MistakeCode;

/// The exchange's own facts the diagnosis tells a user; homes write only what differs from
/// [`DiagnosisFacts::NONE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DiagnosisFacts {
    /// The signed websocket message the diagnosis rebuilds, and how its prehash reads.
    pub ws_signing: WsSigning,
    /// The timestamp is a nonce that the body carries (a form field or a JSON member, named by
    /// the recipe's `timestamp_in`) and the signer takes from there: it only has to grow, so it
    /// has no format to get wrong (Kraken).
    pub nonce_in_body: bool,
    /// The exchange reads the body by its Content-Type, so a JSON body sent as a form (or the
    /// reverse) is refused even when signed right (Kraken).
    pub content_type_must_match_body: bool,
    /// The header that carries the receive window a recipe's `Part::RecvWindow` signs; absent,
    /// the exchange signs its default window (Bybit's `X-BAPI-RECV-WINDOW`).
    pub recv_window_header: Option<&'static str>,
    /// A hex signature is read in any case (Binance: "not case-sensitive").
    pub hex_signature_any_case: bool,
    /// What the exchange answers a request that lacks the timestamp parameter it signs inside
    /// the request (Binance: -1102).
    pub missing_timestamp_answer: &'static str,
    /// The request parameter that widens the receive window, and the widest the exchange takes
    /// (Binance's `recvWindow`, 60 s).
    pub recv_window_parameter: Option<(&'static str, Duration)>,
    /// The websocket call that logs a session in, which only Ed25519 keys can make (Binance's
    /// `session.logon`).
    pub ws_logon_method: Option<&'static str>,
    /// The timestamp window in words, when the description's `window` does not say it all
    /// (a receive window the client chooses, a nonce instead of a timestamp, a token's lifetime).
    pub window_in_words: Option<&'static str>,
    /// The rejections a correct signature still meets on this exchange (environments, regions,
    /// headers beyond the signature), one or two sentences naming the exchange.
    pub pitfalls: &'static str,
    /// A name some clients give the websocket login's key field instead of the documented one
    /// (python-bitget's `api_key`): read there too, so that the mistake is named rather than the
    /// field reported missing.
    pub ws_key_misnamed: Option<&'static str>,
    /// The catalogue's mistakes that can happen with this exchange (in any order: the
    /// diagnosis tries them in the catalogue's); none, and a wrong signature is only compared.
    pub mistakes: &'static [MistakeCode],
    /// Those of `mistakes` its websocket messages cannot have (a login that signs no method or
    /// path, an expiry that is the only timestamp), beyond the ones no websocket message has.
    pub rest_only: &'static [MistakeCode],
    /// The header a demo-trading key's requests carry as `1` (OKX's `x-simulated-trading`),
    /// checked against the key's `demo` setting.
    pub demo_header: Option<&'static str>,
    /// The header that states the key's version (KuCoin's `KC-API-KEY-VERSION`), checked
    /// against the key's `key_version` setting.
    pub key_version_header: Option<&'static str>,
    /// For a scheme that signs a canonical rendering of the request (no recipe): the mistaken
    /// renderings its clients are known to sign, looked for when the signature differs; `None`,
    /// and a wrong signature is only compared.
    pub renderings: Option<Renderings>,
}

/// One mistaken rendering: the catalogue's code it shows, the string signed, and what was done.
pub type Rendering = (MistakeCode, String, &'static str);

/// The key id a signature recovers to over a text ([`Renderings::signer`]).
pub(crate) type SignerOf = fn(text: &[u8], signature: &str) -> Option<String>;

/// The mistaken signing strings of a scheme that signs a canonical rendering, and how a
/// signature is checked against one: the diagnosis verifies each candidate with the key's public
/// key (Backpack; it needs no secret), recovers its signer (Hyperliquid), or signs it again with
/// the key's secret (Crypto.com's HMAC), each charged to its budget.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Renderings {
    /// A small fixed list of the strings clients sign by mistake for `request`, each with the
    /// catalogue's code it shows and what was done, given the string the exchange signs for it.
    pub candidates: fn(request: &crate::SignableRequest<'_>, expected: &str) -> Vec<Rendering>,
    /// Whether `signature`, as sent, signs `text` the way the mistake `code` makes it (a
    /// mistake of the MAC itself, such as its arguments swapped or its encoding, signs the
    /// expected text), under the public key `api_key` names or with `secret` where the scheme
    /// signs with one.
    pub verifies: fn(code: MistakeCode, api_key: &str, secret: Option<&str>, text: &[u8], signature: &str) -> bool,
    /// Whether each verification is an asymmetric operation (charged as one), not an HMAC.
    pub asymmetric: bool,
    /// The signature of `text` made with the API key used as the secret (where the API key is
    /// itself a key's bytes, e.g. a public key taken for the seed); `None` where it is not.
    pub signed_with_api_key: fn(api_key: &str, text: &[u8]) -> Option<String>,
    /// Where a signature names its signer (recovered from it, as Hyperliquid's): the key id
    /// `signature` recovers to over `text`, so that a verifier recovers once per candidate and
    /// looks the key up, rather than once per key; `None` where signatures name no signer.
    pub signer: Option<SignerOf>,
}

/// The same functions (descriptions are compared as the data they hold).
impl PartialEq for Renderings {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::fn_addr_eq(self.candidates, other.candidates)
            && std::ptr::fn_addr_eq(self.verifies, other.verifies)
            && std::ptr::fn_addr_eq(self.signed_with_api_key, other.signed_with_api_key)
            && self.asymmetric == other.asymmetric
            && match (self.signer, other.signer) {
                (Some(a), Some(b)) => std::ptr::fn_addr_eq(a, b),
                (a, b) => a.is_none() && b.is_none(),
            }
    }
}

impl Eq for Renderings {}

impl DiagnosisFacts {
    /// Nothing beyond the description: the window is told from `window`, no pitfalls.
    pub const NONE: Self = Self {
        ws_signing: WsSigning::Unsigned { hint: "" },
        nonce_in_body: false,
        content_type_must_match_body: false,
        recv_window_header: None,
        hex_signature_any_case: false,
        missing_timestamp_answer: "",
        recv_window_parameter: None,
        ws_logon_method: None,
        window_in_words: None,
        pitfalls: "",
        ws_key_misnamed: None,
        mistakes: &[],
        rest_only: &[],
        demo_header: None,
        key_version_header: None,
        renderings: None,
    };
}

/// How an exchange signs its websocket messages, as the diagnosis rebuilds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WsSigning {
    /// No signed websocket message of its own; `hint` says what to diagnose instead.
    Unsigned {
        /// What to diagnose instead.
        hint: &'static str,
    },
    /// Each API call signs its params with the key and the timestamp: `name=value` pairs sorted
    /// by name and joined with `&` (Binance's WebSocket API).
    Params,
    /// A login signed over fixed text followed by its timestamp (Bybit's `auth`: `GET/realtime`,
    /// then `expires`).
    Login {
        /// The text in front of the timestamp.
        prefix: &'static str,
    },
    /// A login signed over its timestamp, a nonce and free text, joined by a separator, each
    /// in its field (Deribit's `client_signature`: `timestamp⏎nonce⏎data`, `data` empty when
    /// absent).
    Joined {
        /// What goes between the three.
        separator: &'static str,
        /// The nonce's field.
        nonce: &'static str,
        /// The free text's field.
        data: &'static str,
    },
    /// A login signed over its timestamp, the key's passphrase and fixed text:
    /// `timestamp + separator + passphrase + suffix` (BitMart: `timestamp#memo#bitmart.WebSocket`).
    TimestampPassphrase {
        /// What goes between the timestamp and the passphrase.
        separator: &'static str,
        /// The fixed text after the passphrase.
        suffix: &'static str,
    },
    /// A subscribe signed over the challenge the server sent for the connection, carried in
    /// `field`: its SHA-256 digest is MACed, and no time is signed (Kraken Futures'
    /// `original_challenge`). The signer checks it; its mistakes are not searched.
    Challenge {
        /// The challenge's field.
        field: &'static str,
    },
    /// A login signed over the API key followed by its timestamp, nothing between (MEXC's
    /// contract `login`: `apiKey + reqTime`).
    KeyTimestamp,
    /// A channel message signed over `channel=<c>&event=<e>&time=<t>`, or an API login (its
    /// channel given as the method) signed over `api\n<channel>\n{}\n<t>` (Gate).
    ChannelOrApiLogin {
        /// Why a channel message that names no channel, or several, is refused.
        one_channel: &'static str,
    },
}
