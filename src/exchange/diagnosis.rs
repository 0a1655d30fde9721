//! What the diagnosis says about an exchange beyond its recipe: the words of its timestamp window
//! and the pitfalls of its keys and environments, told when a signature is right and the exchange
//! rejected the request anyway.

use crate::diagnose::MistakeCode;

/// The exchange's own facts the diagnosis tells a user; homes write only what differs from
/// [`DiagnosisFacts::NONE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DiagnosisFacts {
    /// The timestamp window in words, when the description's `window` does not say it all
    /// (a receive window the client chooses, a nonce instead of a timestamp, a token's lifetime).
    pub window_in_words: Option<&'static str>,
    /// The rejections a correct signature still meets on this exchange (environments, regions,
    /// headers beyond the signature), one or two sentences naming the exchange.
    pub pitfalls: &'static str,
    /// The header a client states its receive window in, when the window is signed (Bybit's
    /// `X-BAPI-RECV-WINDOW`): the diagnosis signs with the window sent.
    pub recv_window_header: Option<&'static str>,
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
}

impl DiagnosisFacts {
    /// Nothing beyond the description: the window is told from `window`, no pitfalls.
    pub const NONE: Self = Self {
        window_in_words: None,
        pitfalls: "",
        recv_window_header: None,
        ws_key_misnamed: None,
        mistakes: &[],
        rest_only: &[],
        demo_header: None,
        key_version_header: None,
    };
}
