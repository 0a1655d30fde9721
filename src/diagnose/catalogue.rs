//! The catalogue of known signing mistakes: one stable kebab-case code each, the schemes it can
//! happen with, and the paragraph that explains it and says how to fix it.
//!
//! The order of [`MistakeCode::ALL`] is the order the diagnosis tries them in: cheap header
//! checks first, then the signature reconstructions from the most specific to the most
//! expensive. The first one that reproduces what was sent is the verdict.

use std::fmt;
use std::str::FromStr;

use crate::{Error, Scheme};

/// When a check runs relative to the "is the signature right?" test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// A defect visible in the headers themselves; checked first, whatever the signature.
    Header,
    /// Checked only once the signature is known to be right.
    AfterCorrect,
    /// A reconstruction of a wrong HMAC signature.
    Signature,
    /// A check of a Coinbase CDP token (decoded and verified with the public key).
    Token,
}

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $stage:ident, [$($scheme:ident),*] ; )*) => {
        /// A known mistake that makes an exchange reject a signed request.
        ///
        /// [`as_str`](Self::as_str) gives the stable kebab-case code (the CLI's `mistake` and the
        /// local exchange's `cexsign_diagnosis.mistake`); [`explanation`](Self::explanation) the
        /// paragraph that explains it, ending with the fix.
        ///
        /// ```
        /// use cexsign::diagnose::MistakeCode;
        /// use cexsign::Scheme;
        /// let code: MistakeCode = "body-reserialized".parse()?;
        /// assert_eq!(code, MistakeCode::BodyReserialized);
        /// assert!(code.applies_to(Scheme::Okx) && !code.applies_to(Scheme::CoinbaseCdp));
        /// assert!(code.explanation().contains("Fix:"));
        /// # Ok::<(), cexsign::Error>(())
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum MistakeCode {
            $( $(#[$doc])* $variant, )*
        }

        impl MistakeCode {
            /// Every code, in the order the diagnosis tries them.
            pub const ALL: &'static [MistakeCode] = &[$(MistakeCode::$variant,)*];

            /// The stable kebab-case code, e.g. `"key-secret-swapped"`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(MistakeCode::$variant => $code,)*
                }
            }

            pub(crate) const fn stage(self) -> Stage {
                match self {
                    $(MistakeCode::$variant => Stage::$stage,)*
                }
            }

            /// Whether this mistake can happen with `scheme` (for REST requests or websocket
            /// messages).
            pub fn applies_to(self, scheme: Scheme) -> bool {
                match self {
                    $(MistakeCode::$variant => [$(Scheme::$scheme),*].contains(&scheme),)*
                }
            }
        }
    };
}

catalogue! {
    /// An OKX demo-trading key sent without `x-simulated-trading: 1`.
    OkxDemoHeaderMissing = "okx-demo-header-missing", Header, [Okx];
    /// An OKX live key sent with `x-simulated-trading: 1`.
    OkxDemoHeaderOnLiveKey = "okx-demo-header-on-live-key", Header, [Okx];
    /// A KuCoin version 2 or 3 key sent the passphrase in clear text.
    KucoinPassphrasePlain = "kucoin-passphrase-plain", Header, [Kucoin];
    /// `KC-API-KEY-VERSION` does not match the key's version.
    KucoinKeyVersionMismatch = "kucoin-key-version-mismatch", Header, [Kucoin];
    /// The API key and the secret were swapped.
    KeySecretSwapped = "key-secret-swapped", Header, [Okx, Kucoin, Delta, CoinbaseExchange, CoinbaseAdvancedHmac];
    /// Milliseconds where the scheme wants Unix seconds.
    TimestampMillisecondsForSeconds = "timestamp-milliseconds-for-seconds", Header,
        [Okx, Delta, CoinbaseExchange, CoinbaseAdvancedHmac, CoinbaseCdp];
    /// Seconds where KuCoin wants Unix milliseconds.
    TimestampSecondsForMilliseconds = "timestamp-seconds-for-milliseconds", Header, [Kucoin];
    /// A timestamp in another format than the scheme's (local time, no milliseconds, ...).
    TimestampFormatWrong = "timestamp-format-wrong", Header,
        [Okx, Kucoin, Delta, CoinbaseExchange, CoinbaseAdvancedHmac];
    /// The signature is right but the passphrase is not the key's.
    PassphraseWrong = "passphrase-wrong", AfterCorrect, [Okx, Kucoin, CoinbaseExchange];
    /// The right MAC, hex-encoded where base64 is due.
    HexInsteadOfBase64 = "hex-instead-of-base64", Signature, [Okx, Kucoin, CoinbaseExchange];
    /// The right MAC, base64-encoded where hex is due.
    Base64InsteadOfHex = "base64-instead-of-hex", Signature, [Delta, CoinbaseAdvancedHmac];
    /// Coinbase Exchange's secret used as text instead of base64-decoded.
    SecretNotBase64Decoded = "secret-not-base64-decoded", Signature, [CoinbaseExchange];
    /// A raw-text secret base64-decoded before use.
    SecretBase64Decoded = "secret-base64-decoded", Signature, [Okx, Kucoin, Delta, CoinbaseAdvancedHmac];
    /// A hex raw-text secret (OKX, Delta) hex-decoded before use.
    SecretHexDecoded = "secret-hex-decoded", Signature, [Okx, Delta];
    /// The HMAC keyed with the passphrase instead of the secret.
    PassphraseAsSecret = "passphrase-as-secret", Signature, [Okx, Kucoin, CoinbaseExchange];
    /// `HMAC(prehash, secret)` instead of `HMAC(secret, prehash)`.
    HmacArgumentsSwapped = "hmac-arguments-swapped", Signature,
        [Okx, Kucoin, Delta, CoinbaseExchange, CoinbaseAdvancedHmac];
    /// The method signed in lower case.
    MethodLowercase = "method-lowercase", Signature, [Okx, Kucoin, Delta, CoinbaseExchange, CoinbaseAdvancedHmac];
    /// The query sent but not signed.
    QueryNotSigned = "query-not-signed", Signature, [Okx, Kucoin, Delta, CoinbaseExchange];
    /// The query signed where the scheme signs none (Coinbase Advanced Trade).
    QuerySigned = "query-signed", Signature, [CoinbaseAdvancedHmac];
    /// The query signed without its `?`.
    QuerySignedWithoutQuestionMark = "query-signed-without-question-mark", Signature,
        [Okx, Kucoin, Delta, CoinbaseExchange];
    /// The query signed decoded where the scheme signs it as sent.
    QuerySignedUnencoded = "query-signed-unencoded", Signature, [Okx, Delta, CoinbaseExchange];
    /// The query signed encoded where KuCoin signs it decoded.
    QuerySignedEncoded = "query-signed-encoded", Signature, [Kucoin];
    /// The query signed with another percent-encoding than the one sent.
    QueryEncodingDiffers = "query-encoding-differs", Signature, [Okx, Delta, CoinbaseExchange];
    /// The query parameters signed in another order than sent.
    QueryOrderDiffers = "query-order-differs", Signature, [Okx, Kucoin, Delta, CoinbaseExchange];
    /// `{}` signed and nothing sent, or the reverse.
    EmptyBodyAsBraces = "empty-body-as-braces", Signature,
        [Okx, Kucoin, Delta, CoinbaseExchange, CoinbaseAdvancedHmac];
    /// The JSON body serialised differently for signing and for sending.
    BodyReserialized = "body-reserialized", Signature, [Okx, Kucoin, Delta, CoinbaseExchange, CoinbaseAdvancedHmac];
    /// The path signed without its leading `/`.
    PathMissingLeadingSlash = "path-missing-leading-slash", Signature,
        [Okx, Kucoin, Delta, CoinbaseExchange, CoinbaseAdvancedHmac, CoinbaseCdp];
    /// The scheme and host signed with the path.
    PathIncludesHost = "path-includes-host", Signature, [Okx, Kucoin, Delta, CoinbaseExchange, CoinbaseAdvancedHmac];
    /// Delta signed in the Coinbase order (timestamp before method).
    DeltaWrongOrder = "delta-wrong-order", Signature, [Delta];
    /// Timestamp, method and path permuted in the prehash.
    PrehashOrderWrong = "prehash-order-wrong", Signature,
        [Okx, Kucoin, Delta, CoinbaseExchange, CoinbaseAdvancedHmac];
    /// The prehash used another timestamp than the header.
    TimestampHeaderDiffers = "timestamp-header-differs", Signature,
        [Okx, Kucoin, Delta, CoinbaseExchange, CoinbaseAdvancedHmac];
    /// An ES256 JWT signature in DER instead of raw `r‖s`.
    JwtSignatureDer = "jwt-signature-der", Token, [CoinbaseCdp];
    /// An ECDSA CDP key's `kid`/`sub` set to the bare key id instead of the full key name.
    JwtKidNotFullName = "jwt-kid-not-full-name", Token, [CoinbaseCdp];
    /// The JWT `uri` claim includes the query string.
    JwtUriHasQuery = "jwt-uri-has-query", Token, [CoinbaseCdp];
    /// The JWT `uri` claim has a lower-case method.
    JwtUriLowercaseMethod = "jwt-uri-lowercase-method", Token, [CoinbaseCdp];
    /// The JWT `uri` claim includes `https://`.
    JwtUriHasScheme = "jwt-uri-has-scheme", Token, [CoinbaseCdp];
    /// The JWT `uri` claim names another host, or a port.
    JwtUriWrongHost = "jwt-uri-wrong-host", Token, [CoinbaseCdp];
    /// The JWT was built for another method or path.
    JwtUriOtherEndpoint = "jwt-uri-other-endpoint", Token, [CoinbaseCdp];
}

impl MistakeCode {
    /// The codes that apply to `scheme`, in catalogue order.
    pub fn for_scheme(scheme: Scheme) -> impl Iterator<Item = MistakeCode> {
        Self::ALL.iter().copied().filter(move |code| code.applies_to(scheme))
    }

    /// Whether the check makes sense for a websocket login or subscribe message of `scheme`
    /// (`false`: REST only).
    pub(crate) fn applies_to_ws(self, scheme: Scheme) -> bool {
        use MistakeCode::*;
        if !self.applies_to(scheme) {
            return false;
        }
        match self {
            OkxDemoHeaderMissing | OkxDemoHeaderOnLiveKey | KucoinPassphrasePlain | KucoinKeyVersionMismatch => false,
            QueryNotSigned
            | QuerySigned
            | QuerySignedWithoutQuestionMark
            | QuerySignedUnencoded
            | QuerySignedEncoded
            | QueryEncodingDiffers
            | QueryOrderDiffers
            | EmptyBodyAsBraces
            | BodyReserialized
            | PathIncludesHost => false,
            JwtUriHasQuery | JwtUriLowercaseMethod | JwtUriHasScheme | JwtUriWrongHost | JwtUriOtherEndpoint => false,
            // The Coinbase Advanced subscribe prehash is timestamp + channel + products: no
            // method and no path to get wrong.
            MethodLowercase | PathMissingLeadingSlash | PrehashOrderWrong => scheme != Scheme::CoinbaseAdvancedHmac,
            // OKX REST timestamps are ISO; its websocket login is in seconds.
            _ => true,
        }
    }

    /// Whether the check makes sense for a REST request of `scheme`.
    pub(crate) fn applies_to_rest(self, scheme: Scheme) -> bool {
        // OKX REST timestamps are ISO-8601: "milliseconds for seconds" is the ws login's mistake.
        self.applies_to(scheme) && !(scheme == Scheme::Okx && self == MistakeCode::TimestampMillisecondsForSeconds)
    }

    /// What went wrong, in one paragraph, ending with the fix.
    pub fn explanation(self) -> &'static str {
        use MistakeCode::*;
        match self {
            OkxDemoHeaderMissing => {
                "The key is an OKX demo-trading key, but the request did not carry `x-simulated-trading: 1`. Demo \
                 keys are separate keys, created under Demo Trading, and are valid only with that header; OKX answers \
                 50101 \"APIKey does not match current environment\". Fix: send `x-simulated-trading: 1` with every \
                 request made with a demo key (OkxEnvironment::Demo does), or use a live key."
            }
            OkxDemoHeaderOnLiveKey => {
                "The request carried `x-simulated-trading: 1` (demo trading), but the key is a live key; OKX answers \
                 50101 \"APIKey does not match current environment\". python-okx defaults to flag '1', demo. Fix: \
                 leave the header out (or send 0) with a live key, or create a demo key under Demo Trading."
            }
            KucoinPassphrasePlain => {
                "KC-API-PASSPHRASE carried the passphrase in clear text, but the key is a version 2 or 3 key: for \
                 those the header is base64(HMAC-SHA256(secret, passphrase)), sent with KC-API-KEY-VERSION: 2 or 3. \
                 Some older clients (python-kucoin) send the version-1 form; KuCoin answers 400004 Invalid \
                 KC-API-PASSPHRASE. Fix: send the HMAC'd passphrase and the version header (KucoinSigner with the \
                 key's version does)."
            }
            KucoinKeyVersionMismatch => {
                "KC-API-KEY-VERSION does not match the key: version 2 and 3 keys send `KC-API-KEY-VERSION: 2` or `3` \
                 with the HMAC'd passphrase, version 1 keys no version header and the plain passphrase. Without the \
                 header KuCoin reads KC-API-PASSPHRASE as a plain passphrase and answers 400004. Fix: set the version \
                 shown next to the key on KuCoin's API-management page (KucoinKeyVersion) and send the header that \
                 goes with it."
            }
            KeySecretSwapped => {
                "The API key and the secret were swapped: the signature was computed with the API key as the HMAC \
                 key, or the key header carries the secret. A constructor whose parameter order differs from the call \
                 is the usual cause. Fix: pass the key as the key and the secret as the secret (the named setters \
                 Credentials::api_key and ::secret rule this out); if the secret went out in a header, rotate the key."
            }
            TimestampMillisecondsForSeconds => {
                "The timestamp is in milliseconds where the scheme wants Unix seconds (`Date.now()` or \
                 `time.time() * 1000` where `int(time.time())` was due); the exchange reads it as a date far in the \
                 future and rejects it. Fix: send whole Unix seconds (Coinbase Exchange also accepts a decimal \
                 fraction), the same string in the header and in the prehash."
            }
            TimestampSecondsForMilliseconds => {
                "The timestamp is in seconds where KuCoin wants Unix milliseconds; KuCoin answers 400002 Invalid \
                 KC-API-TIMESTAMP. Fix: send integer milliseconds (e.g. 1680885532722), the same string in the header \
                 and in the prehash."
            }
            TimestampFormatWrong => {
                "The timestamp is not written in the scheme's format: OKX REST wants ISO-8601 UTC with exactly three \
                 fractional digits and `Z` (2020-12-08T09:08:57.715Z), its websocket login, Delta and Coinbase integer \
                 Unix seconds (Coinbase Exchange allows a decimal fraction), KuCoin integer milliseconds. A local-time \
                 timestamp, microseconds, a missing `Z` or a stray fraction are the usual causes. Fix: render the \
                 timestamp once, in the scheme's format, and use that string in the header and in the prehash."
            }
            PassphraseWrong => {
                "The signature is right, but the passphrase sent is not this key's passphrase (for KuCoin version 2 \
                 and 3 keys: not base64(HMAC-SHA256(secret, passphrase)) of it). The passphrase is the one chosen when \
                 the API key was created, not the account's login or trading password. Fix: send the key's \
                 passphrase; if it is lost, create a new key."
            }
            HexInsteadOfBase64 => {
                "The signature is the right HMAC-SHA256, but written in hex where the exchange wants standard base64 \
                 (44 characters with `=` padding): `hexdigest()` instead of `base64.b64encode(digest())`. Fix: \
                 base64-encode the raw 32-byte MAC."
            }
            Base64InsteadOfHex => {
                "The signature is the right HMAC-SHA256, but written in base64 where the exchange wants 64 lower-case \
                 hex characters. Fix: hex-encode the raw 32-byte MAC (`hexdigest()`)."
            }
            SecretNotBase64Decoded => {
                "Coinbase Exchange's secret is base64: the HMAC key is the 64 bytes it decodes to, but the signature \
                 was computed with the secret's text as the key. Fix: base64-decode the secret before keying the HMAC \
                 (CoinbaseExchangeSigner does)."
            }
            SecretBase64Decoded => {
                "The secret was base64-decoded before use, but this exchange keys the HMAC with the secret's own text \
                 (only Coinbase Exchange decodes its secret). Fix: use the secret string's UTF-8 bytes as the HMAC \
                 key, unchanged."
            }
            SecretHexDecoded => {
                "The secret looks like hex and was hex-decoded before use, but the exchange keys the HMAC with the \
                 secret's text as it is (OKX's 32-character hex secret, Delta's hex secret). Fix: use the secret \
                 string's UTF-8 bytes as the HMAC key; do not decode it."
            }
            PassphraseAsSecret => {
                "The HMAC was keyed with the passphrase instead of the secret. Fix: key the HMAC with the API secret; \
                 the passphrase only goes in its own header (KuCoin version 2 and 3: HMAC'd with the secret)."
            }
            HmacArgumentsSwapped => {
                "The HMAC was called with key and message swapped: the prehash was used as the key and the secret as \
                 the message (`hmac.new(message, secret)`). Fix: HMAC-SHA256 with key = the secret and message = the \
                 prehash."
            }
            MethodLowercase => {
                "The method went into the prehash in lower case (`get`, `post`); every exchange here signs it in upper \
                 case, and several SDKs sign the method as the caller typed it. Fix: upper-case the method in the \
                 prehash, and send it upper case."
            }
            QueryNotSigned => {
                "The query string was sent but left out of the prehash; this exchange signs the path followed by `?` \
                 and the query exactly as sent (only Coinbase Advanced Trade signs no query). Fix: sign path + '?' + \
                 query, in the wire form."
            }
            QuerySigned => {
                "Coinbase Advanced Trade (v3) signs `timestamp + METHOD + path + body`: the query is sent but not \
                 signed, and this signature included it. Fix: leave the query out of the prehash (keep it in the URL)."
            }
            QuerySignedWithoutQuestionMark => {
                "The query was appended to the path in the prehash without its `?`. Fix: sign path + '?' + query when \
                 there is a query, and nothing extra when there is none."
            }
            QuerySignedUnencoded => {
                "The query was signed in decoded form (`a b`, `!`, `,`) but sent percent-encoded; this exchange signs \
                 the query exactly as sent (only KuCoin signs it decoded). Signing the parameters joined by `&` while \
                 the HTTP client encodes them is the usual cause. Fix: encode the query once, sign that string and \
                 send it unchanged."
            }
            QuerySignedEncoded => {
                "KuCoin signs the decoded query (`%21` signed as `!`, `+` as a space) while the wire carries the \
                 encoded one; this signature was computed over the encoded form. Fix: sign the percent-decoded query, \
                 in wire order (cexsign::decode_query)."
            }
            QueryEncodingDiffers => {
                "The query was signed with another percent-encoding than the one sent (`%2C` against `,`, `+` against \
                 `%20`, `%2c` against `%2C`): the HTTP client, a proxy or a second urlencode changed it after signing. \
                 Fix: build the query string once, sign it and send exactly that string."
            }
            QueryOrderDiffers => {
                "The query parameters were signed in one order and sent in another (sorted for signing, or re-ordered \
                 by the HTTP client); no exchange here sorts them. Fix: build the query string once and use it for \
                 both the URL and the prehash."
            }
            EmptyBodyAsBraces => {
                "The body signed and the body sent differ by `{}`: `{}` was signed but nothing was sent, or the \
                 reverse. An empty body is signed as nothing. Fix: sign exactly the bytes that are sent."
            }
            BodyReserialized => {
                "The JSON body was serialised twice, once for signing and once for sending, and the two differ: \
                 spaces after `:` and `,`, `\\uXXXX` escapes of non-ASCII characters, or the key order. Fix: serialise \
                 the body once, sign those bytes and send the same bytes (`data=body` rather than `json=obj`)."
            }
            PathMissingLeadingSlash => {
                "The path was signed without its leading `/` (`api/v5/...`). Fix: sign the path exactly as it appears \
                 on the request line, starting with `/`."
            }
            PathIncludesHost => {
                "The prehash holds the scheme and host (`https://www.okx.com/api/v5/...`) where only the path \
                 belongs. Fix: sign the path only, from the first `/` after the host."
            }
            DeltaWrongOrder => {
                "Delta puts the method first: `METHOD + timestamp + path + ?query + body`; this signature was computed \
                 in the Coinbase/OKX order, timestamp first. Fix: sign METHOD + timestamp + path + query + body."
            }
            PrehashOrderWrong => {
                "The timestamp, method and path went into the prehash in the wrong order. Fix: follow the scheme's \
                 layout exactly (timestamp + METHOD + path; Delta: METHOD + timestamp + path), then the query and the \
                 body."
            }
            TimestampHeaderDiffers => {
                "The prehash used another timestamp than the one in the header: the clock was read twice, once for \
                 the header and once for the signature. Fix: read the clock once, render the timestamp once, and use \
                 that string in both."
            }
            JwtSignatureDer => {
                "The ES256 signature is DER-encoded (ASN.1, about 70 bytes), as most crypto libraries return it; a JWS \
                 carries the raw 64-byte r‖s. Fix: convert the DER signature to r‖s (two 32-byte big-endian halves) \
                 or sign with a JWT library."
            }
            JwtKidNotFullName => {
                "For ECDSA CDP keys, `kid` and `sub` are the full key name `organizations/{org}/apiKeys/{id}`, not \
                 the bare key id. Fix: use the key file's `name` field as it is."
            }
            JwtUriHasQuery => {
                "The JWT `uri` claim includes the query string; it is `METHOD host path`, never the query. Fix: drop \
                 everything from `?` in the uri (keep the query in the URL)."
            }
            JwtUriLowercaseMethod => {
                "The JWT `uri` claim starts with a lower-case method. Fix: `METHOD host path` with the method in \
                 upper case (`GET api.coinbase.com/api/v3/brokerage/accounts`)."
            }
            JwtUriHasScheme => {
                "The JWT `uri` claim includes `https://`. Fix: `METHOD host path` without the scheme \
                 (`GET api.coinbase.com/api/v3/brokerage/accounts`)."
            }
            JwtUriWrongHost => {
                "The JWT `uri` claim names another host than the one the request went to, or includes a port. Fix: \
                 the bare API host the request is sent to (api.coinbase.com), without a port \
                 (CoinbaseCdpSigner::with_host)."
            }
            JwtUriOtherEndpoint => {
                "The token was built for another method or path than the request it came with: a reused token, or \
                 one built before the URL changed. The `uri` claim binds a token to one method and path. Fix: build \
                 a fresh token for every request, from that request's method and path."
            }
        }
    }
}

impl fmt::Display for MistakeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MistakeCode {
    type Err = Error;

    fn from_str(code: &str) -> Result<Self, Error> {
        Self::ALL.iter().copied().find(|c| c.as_str() == code).ok_or_else(|| Error::InvalidDiagnosisInput {
            problem: "unknown mistake code: see cexsign::diagnose::MistakeCode::ALL".to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for &code in MistakeCode::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{text}");
            assert_eq!(text.parse::<MistakeCode>().unwrap(), code);
            assert!(code.explanation().contains("Fix:"), "{text}");
            assert!(Scheme::ALL.iter().any(|s| code.applies_to(*s)), "{text} applies nowhere");
        }
        assert!("no-such-code".parse::<MistakeCode>().is_err());
    }

    #[test]
    fn stages_are_in_catalogue_order() {
        let rank = |stage| match stage {
            Stage::Header => 0,
            Stage::AfterCorrect => 1,
            Stage::Signature => 2,
            Stage::Token => 3,
        };
        let ranks: Vec<u8> = MistakeCode::ALL.iter().map(|c| rank(c.stage())).collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    }
}
