//! The catalogue of known signing mistakes: one stable kebab-case code each, and the paragraph
//! that explains it and says how to fix it. Which mistakes can happen with an exchange is its
//! home's word (`DiagnosisFacts::mistakes`), so a new exchange needs no edit here.
//!
//! The order of [`MistakeCode::ALL`] is the order the diagnosis tries them in: cheap header
//! checks first, then the signature reconstructions from the most specific to the most
//! expensive. The first one that reproduces what was sent is the verdict.

use std::fmt;
use std::str::FromStr;

use super::budget::Meter;
use crate::{Error, Scheme, TimestampFormat};

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
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $stage:ident ; )*) => {
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

        }
    };
}

catalogue! {
    /// An OKX demo-trading key sent without `x-simulated-trading: 1`.
    OkxDemoHeaderMissing = "okx-demo-header-missing", Header;
    /// An OKX live key sent with `x-simulated-trading: 1`.
    OkxDemoHeaderOnLiveKey = "okx-demo-header-on-live-key", Header;
    /// A KuCoin version 2 or 3 key sent the passphrase in clear text.
    KucoinPassphrasePlain = "kucoin-passphrase-plain", Header;
    /// `KC-API-KEY-VERSION` does not match the key's version.
    KucoinKeyVersionMismatch = "kucoin-key-version-mismatch", Header;
    /// Binance: the `signature` parameter is not the last parameter of the query or body.
    BinanceSignatureNotLast = "binance-signature-not-last", Header;
    /// Binance: a base64 (Ed25519/RSA) signature put in the query or body without
    /// percent-encoding, so its `+` arrives as a space.
    BinanceSignatureNotUrlEncoded = "binance-signature-not-url-encoded", Header;
    /// Binance: `recvWindow` above the 60000 ms maximum.
    BinanceRecvWindowTooLarge = "binance-recv-window-too-large", Header;
    /// Binance: `session.logon` tried with an HMAC or RSA key.
    BinanceSessionLogonNeedsEd25519 = "binance-session-logon-needs-ed25519", Header;
    /// Kraken: the body carries no `nonce`.
    KrakenNonceMissing = "kraken-nonce-missing", Header;
    /// Bitget websocket login: the key sent as `api_key` instead of `apiKey`.
    BitgetWsApiKeyField = "bitget-ws-api-key-field", Header;
    /// The API key and the secret were swapped.
    KeySecretSwapped = "key-secret-swapped", Header;
    /// Milliseconds where the scheme wants Unix seconds.
    TimestampMillisecondsForSeconds = "timestamp-milliseconds-for-seconds", Header;
    /// Seconds where the scheme wants Unix milliseconds.
    TimestampSecondsForMilliseconds = "timestamp-seconds-for-milliseconds", Header;
    /// A timestamp in another format than the scheme's (local time, no milliseconds, ...).
    TimestampFormatWrong = "timestamp-format-wrong", Header;
    /// The signature is right but the passphrase is not the key's.
    PassphraseWrong = "passphrase-wrong", AfterCorrect;
    /// Bybit: the signature is right but `recv_window` was written in seconds.
    BybitRecvWindowInSeconds = "bybit-recv-window-in-seconds", AfterCorrect;
    /// Kraken: the signature is right but the `Content-Type` does not match the body.
    KrakenContentTypeMismatch = "kraken-content-type-mismatch", AfterCorrect;
    /// The right MAC (or signature), hex-encoded where base64 is due.
    HexInsteadOfBase64 = "hex-instead-of-base64", Signature;
    /// The right MAC, base64-encoded where hex is due.
    Base64InsteadOfHex = "base64-instead-of-hex", Signature;
    /// Gate: HMAC-SHA256 where Gate wants HMAC-SHA512.
    GateHmacSha256 = "gate-hmac-sha256", Signature;
    /// A base64 secret (Coinbase Exchange, Kraken) used as text instead of base64-decoded.
    SecretNotBase64Decoded = "secret-not-base64-decoded", Signature;
    /// A raw-text secret base64-decoded before use.
    SecretBase64Decoded = "secret-base64-decoded", Signature;
    /// A hex raw-text secret (OKX, Delta, Bitget, Gate) hex-decoded before use.
    SecretHexDecoded = "secret-hex-decoded", Signature;
    /// The HMAC keyed with the passphrase instead of the secret.
    PassphraseAsSecret = "passphrase-as-secret", Signature;
    /// `HMAC(prehash, secret)` instead of `HMAC(secret, prehash)`.
    HmacArgumentsSwapped = "hmac-arguments-swapped", Signature;
    /// The method signed in lower case.
    MethodLowercase = "method-lowercase", Signature;
    /// Kraken: the SHA-256 digest appended in hex instead of its 32 raw bytes.
    KrakenDigestHex = "kraken-digest-hex", Signature;
    /// Kraken: the body hashed without the nonce in front.
    KrakenNonceNotHashed = "kraken-nonce-not-hashed", Signature;
    /// Gate: the SHA-512 body hash line replaced by a SHA-256 one.
    GateBodyHashSha256 = "gate-body-hash-sha256", Signature;
    /// Gate: an empty line where the hash of an empty body belongs.
    GateEmptyBodyHashLine = "gate-empty-body-hash-line", Signature;
    /// Gate: the path signed without its `/api/v4` prefix.
    GatePathMissingPrefix = "gate-path-missing-prefix", Signature;
    /// Gate: the query signed as part of the path line.
    GateQueryInPath = "gate-query-in-path", Signature;
    /// Bybit: another `recv_window` signed than the one in `X-BAPI-RECV-WINDOW`.
    BybitRecvWindowDiffers = "bybit-recv-window-differs", Signature;
    /// Bybit websocket auth: `GET/realtime` signed without the expiry.
    BybitWsExpiresNotSigned = "bybit-ws-expires-not-signed", Signature;
    /// Binance: the query and the body joined with `&` in the payload.
    BinancePayloadJoinedWithAmpersand = "binance-payload-joined-with-ampersand", Signature;
    /// Binance: a `signature` parameter was part of the signed payload.
    BinanceSignatureSigned = "binance-signature-signed", Signature;
    /// Binance: a parameter (`timestamp`, `recvWindow`, ...) added after signing.
    BinanceParamAddedAfterSigning = "binance-param-added-after-signing", Signature;
    /// Binance WebSocket API: the param values percent-encoded in the payload.
    BinanceWsValuesPercentEncoded = "binance-ws-values-percent-encoded", Signature;
    /// Binance WebSocket API: the params signed in their own order instead of sorted by name.
    BinanceWsParamsNotSorted = "binance-ws-params-not-sorted", Signature;
    /// The query sent but not signed.
    QueryNotSigned = "query-not-signed", Signature;
    /// The query signed where the scheme signs none (Coinbase Advanced Trade).
    QuerySigned = "query-signed", Signature;
    /// The query signed without its `?`.
    QuerySignedWithoutQuestionMark = "query-signed-without-question-mark", Signature;
    /// A `?` signed after the path of a request that has no query.
    QuestionMarkWithoutQuery = "question-mark-without-query", Signature;
    /// The query signed decoded where the scheme signs it as sent.
    QuerySignedUnencoded = "query-signed-unencoded", Signature;
    /// The query signed encoded where the scheme (KuCoin, Bitget, Gate) signs it decoded.
    QuerySignedEncoded = "query-signed-encoded", Signature;
    /// The query signed with another percent-encoding than the one sent.
    QueryEncodingDiffers = "query-encoding-differs", Signature;
    /// The query parameters signed in another order than sent.
    QueryOrderDiffers = "query-order-differs", Signature;
    /// A form body (Kraken, Binance) signed in another order or encoding than sent.
    FormBodyReencoded = "form-body-reencoded", Signature;
    /// `{}` signed and nothing sent, or the reverse.
    EmptyBodyAsBraces = "empty-body-as-braces", Signature;
    /// The JSON body serialised differently for signing and for sending.
    BodyReserialized = "body-reserialized", Signature;
    /// The path signed without its leading `/`.
    PathMissingLeadingSlash = "path-missing-leading-slash", Signature;
    /// The scheme and host signed with the path.
    PathIncludesHost = "path-includes-host", Signature;
    /// The path signed whole where the scheme signs it without a leading prefix (Kraken Futures'
    /// `/derivatives`).
    PathPrefixNotStripped = "path-prefix-not-stripped", Signature;
    /// The call's name signed (Backpack's `instruction=`) is not the one the method and path
    /// select, or is empty.
    InstructionWrong = "instruction-wrong", Signature;
    /// Booleans signed as `True`/`False` (Python's `str`) where the scheme signs `true`/`false`.
    BooleanCapitalized = "boolean-capitalized", Signature;
    /// `null` signed as `None` (Python's `str`) where the scheme signs `null` (Crypto.com).
    NullAsNone = "null-as-none", Signature;
    /// The params signed as their JSON text where the scheme signs a rendering of them
    /// (Crypto.com's paramString).
    ParamsSignedAsJson = "params-signed-as-json", Signature;
    /// The params' keys signed in the order sent where the scheme signs them sorted (Crypto.com).
    ParamsUnsorted = "params-unsorted", Signature;
    /// Another request id signed than the one the body sends (Crypto.com's `id`).
    RequestIdDiffers = "request-id-differs", Signature;
    /// Prices or sizes encoded as floats where the scheme signs strings (Hyperliquid's msgpack).
    NumberAsFloat = "number-as-float", Signature;
    /// The nonce's 8 bytes appended little-endian where the scheme hashes them big-endian
    /// (Hyperliquid's connection id).
    NonceLittleEndian = "nonce-little-endian", Signature;
    /// A null vault hashed as 20 zero bytes where the scheme hashes the single `0x00` flag
    /// (Hyperliquid's connection id).
    VaultNullAsZeroAddress = "vault-null-as-zero-address", Signature;
    /// An expiry hashed without the `0x00` that precedes it (Hyperliquid's `expiresAfter`).
    ExpiresAfterUnprefixed = "expires-after-unprefixed", Signature;
    /// A user-signed action (Hyperliquid's `usdSend`, `withdraw3`, …) signed under the L1 domain
    /// (`Exchange`, chain id 1337) instead of its own.
    UserActionL1Domain = "user-action-l1-domain", Signature;
    /// Delta signed in the Coinbase order (timestamp before method).
    DeltaWrongOrder = "delta-wrong-order", Signature;
    /// Timestamp, method and path permuted in the prehash.
    PrehashOrderWrong = "prehash-order-wrong", Signature;
    /// The prehash used another timestamp than the header.
    TimestampHeaderDiffers = "timestamp-header-differs", Signature;
    /// Kraken: another nonce hashed than the one in the body.
    KrakenNonceDiffers = "kraken-nonce-differs", Signature;
    /// An ES256 JWT signature in DER instead of raw `r‖s`.
    JwtSignatureDer = "jwt-signature-der", Token;
    /// An ECDSA CDP key's `kid`/`sub` set to the bare key id instead of the full key name.
    JwtKidNotFullName = "jwt-kid-not-full-name", Token;
    /// The JWT `uri` claim includes the query string.
    JwtUriHasQuery = "jwt-uri-has-query", Token;
    /// The JWT `uri` claim has a lower-case method.
    JwtUriLowercaseMethod = "jwt-uri-lowercase-method", Token;
    /// The JWT `uri` claim includes `https://`.
    JwtUriHasScheme = "jwt-uri-has-scheme", Token;
    /// The JWT `uri` claim names another host, or a port.
    JwtUriWrongHost = "jwt-uri-wrong-host", Token;
    /// The JWT was built for another method or path.
    JwtUriOtherEndpoint = "jwt-uri-other-endpoint", Token;
}

impl MistakeCode {
    /// Whether this mistake can happen with `scheme` (for REST requests or websocket messages),
    /// as its home lists (`DiagnosisFacts::mistakes`).
    pub fn applies_to(self, scheme: Scheme) -> bool {
        scheme.exchange().diagnosis.mistakes.contains(&self)
    }

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
            | QuestionMarkWithoutQuery
            | QuerySignedUnencoded
            | QuerySignedEncoded
            | QueryEncodingDiffers
            | QueryOrderDiffers
            | FormBodyReencoded
            | EmptyBodyAsBraces
            | BodyReserialized
            | PathIncludesHost
            | PathPrefixNotStripped
            | InstructionWrong
            | BooleanCapitalized
            | NullAsNone
            | ParamsSignedAsJson
            | ParamsUnsorted
            | RequestIdDiffers => false,
            // Request-only mistakes of Binance, Bybit, Kraken and Gate (Kraken has no signed websocket).
            BinanceSignatureNotLast
            | BinanceSignatureNotUrlEncoded
            | BinanceRecvWindowTooLarge
            | BinancePayloadJoinedWithAmpersand
            | BinanceSignatureSigned
            | BinanceParamAddedAfterSigning
            | BybitRecvWindowInSeconds
            | BybitRecvWindowDiffers
            | GateBodyHashSha256
            | GateEmptyBodyHashLine
            | GatePathMissingPrefix
            | GateQueryInPath => false,
            JwtUriHasQuery | JwtUriLowercaseMethod | JwtUriHasScheme | JwtUriWrongHost | JwtUriOtherEndpoint => false,
            // What the home says its messages cannot have: a Coinbase Advanced subscribe prehash
            // (timestamp + channel + products) or Gate's (`channel=…&event=…&time=…`, `api\n…`)
            // has no method and no path to get wrong, Bybit's auth no timestamp besides the
            // expiry it signs.
            _ => !scheme.exchange().diagnosis.rest_only.contains(&self),
        }
    }

    /// Whether the check makes sense for a REST request of `scheme`.
    pub(crate) fn applies_to_rest(self, scheme: Scheme) -> bool {
        use MistakeCode::*;
        if !self.applies_to(scheme) {
            return false;
        }
        match self {
            // Only where the REST timestamp is in seconds (a token's `nbf` is): OKX REST
            // timestamps are ISO-8601 and Bitget's milliseconds, "milliseconds for seconds" is
            // their websocket logins' mistake.
            TimestampMillisecondsForSeconds => rest_timestamp_in_seconds(scheme),
            BinanceSessionLogonNeedsEd25519
            | BinanceWsValuesPercentEncoded
            | BinanceWsParamsNotSorted
            | BybitWsExpiresNotSigned
            | BitgetWsApiKeyField => false,
            _ => true,
        }
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
                "The timestamp is in seconds where the scheme wants Unix milliseconds (KuCoin, Binance's `timestamp` \
                 parameter, Bybit's X-BAPI-TIMESTAMP and websocket expiry, Bitget REST); the exchange reads it as a \
                 date in 1970 and rejects it (KuCoin 400002, Binance -1021, Bybit 10002, Bitget 40008). Fix: send \
                 integer milliseconds (e.g. 1680885532722), the same string in the header (or parameter) and in the \
                 prehash."
            }
            TimestampFormatWrong => {
                "The timestamp is not written in the scheme's format: OKX REST wants ISO-8601 UTC with exactly three \
                 fractional digits and `Z` (2020-12-08T09:08:57.715Z), its websocket login, Delta, Coinbase and Gate \
                 Unix seconds (Coinbase Exchange and Gate allow a decimal fraction), the Bitget websocket login integer \
                 seconds, KuCoin, Bybit and Bitget REST integer milliseconds, Binance integer milliseconds or \
                 microseconds. A local-time timestamp, a missing `Z` or a stray fraction are the usual causes. Fix: \
                 render the timestamp once, in the scheme's format, and use that string in the header (or parameter) \
                 and in the prehash."
            }
            PassphraseWrong => {
                "The signature is right, but the passphrase sent is not this key's passphrase (for KuCoin version 2 \
                 and 3 keys: not base64(HMAC-SHA256(secret, passphrase)) of it). The passphrase is the one chosen when \
                 the API key was created, not the account's login or trading password (Bitget answers 40012 \
                 \"apikey/password is incorrect\"). Fix: send the key's passphrase; if it is lost, create a new key."
            }
            HexInsteadOfBase64 => {
                "The signature is the right MAC (or Ed25519/RSA signature), but written in hex where the exchange \
                 wants standard base64 with `=` padding (44 characters for HMAC-SHA256, 88 for Kraken's HMAC-SHA512 \
                 and Ed25519): `hexdigest()` instead of `base64.b64encode(digest())`. Fix: base64-encode the raw MAC \
                 or signature bytes."
            }
            Base64InsteadOfHex => {
                "The signature is the right MAC, but written in base64 where the exchange wants lower-case hex (64 \
                 characters for HMAC-SHA256, 128 for Gate's HMAC-SHA512). Fix: hex-encode the raw MAC \
                 (`hexdigest()`)."
            }
            SecretNotBase64Decoded => {
                "The secret is base64 (Coinbase Exchange, Kraken): the HMAC key is the 64 bytes it decodes to, but \
                 the signature was computed with the secret's text as the key. Fix: base64-decode the secret before \
                 keying the HMAC (CoinbaseExchangeSigner and KrakenSigner do)."
            }
            SecretBase64Decoded => {
                "The secret was base64-decoded before use, but this exchange keys the HMAC with the secret's own text \
                 (only Coinbase Exchange and Kraken decode theirs). Fix: use the secret string's UTF-8 bytes as the \
                 HMAC key, unchanged."
            }
            SecretHexDecoded => {
                "The secret looks like hex and was hex-decoded before use, but the exchange keys the HMAC with the \
                 secret's text as it is (OKX's 32-character hex secret, the hex secrets of Delta, Bitget and Gate). \
                 Fix: use the secret string's UTF-8 bytes as the HMAC key; do not decode it."
            }
            PassphraseAsSecret => {
                "The HMAC was keyed with the passphrase instead of the secret. Fix: key the HMAC with the API secret; \
                 the passphrase only goes in its own header (KuCoin version 2 and 3: HMAC'd with the secret)."
            }
            HmacArgumentsSwapped => {
                "The HMAC was called with key and message swapped: the prehash was used as the key and the secret as \
                 the message (`hmac.new(message, secret)`). Fix: HMAC with key = the secret and message = the \
                 prehash."
            }
            MethodLowercase => {
                "The method went into the prehash in lower case (`get`, `post`); every exchange here that signs the \
                 method signs it in upper case (Binance, Bybit and Kraken do not sign it), and several SDKs sign the \
                 method as the caller typed it. Fix: upper-case the method in the prehash, and send it upper case."
            }
            QueryNotSigned => {
                "The query string was sent but left out of the prehash; this exchange signs it (after the path and \
                 `?`; Bybit GET requests: after recv_window) — only Coinbase Advanced Trade signs no query. Fix: sign \
                 the query in the form the scheme wants (as sent; KuCoin and Bitget decoded)."
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
                "The query (Binance: the query or the form body) was signed in decoded form (`a b`, `!`, `,`, raw \
                 UTF-8) but sent percent-encoded; this exchange signs the parameters exactly as sent (KuCoin, Bitget \
                 and Gate sign the query decoded; Binance: \"any non-ASCII character must be percent-encoded before \
                 signing\"). Signing the parameters joined by `&` while the HTTP client encodes them is the usual \
                 cause. Fix: encode the parameters once, sign that string and send it unchanged."
            }
            QuerySignedEncoded => {
                "KuCoin, Bitget and Gate sign the decoded query (Upbit hashes it decoded) (`%21` signed as `!`, `%2C` as `,`, `+` as a space, \
                 `%E9%BE%99` as `龙`) while the wire carries the encoded one; this signature was computed over the \
                 encoded form (Bitget answers 40009, Gate INVALID_SIGNATURE). Fix: sign the percent-decoded query, in \
                 wire order (cexsign::decode_query)."
            }
            QueryEncodingDiffers => {
                "The query was signed with another percent-encoding than the one sent (`%2C` against `,`, `+` against \
                 `%20`, `%2c` against `%2C`): the HTTP client, a proxy or a second urlencode changed it after signing. \
                 Fix: build the query string once, sign it and send exactly that string."
            }
            QueryOrderDiffers => {
                "The query parameters were signed in one order and sent in another (sorted for signing, re-ordered by \
                 the HTTP client, or a map with no fixed order); the exchange checks the signature over the order sent \
                 (Bitget wants them sorted by name, on the wire too). Fix: build the query string once and use it for \
                 both the URL and the prehash."
            }
            EmptyBodyAsBraces => {
                "The body signed and the body sent differ by `{}`: `{}` was signed but nothing was sent, or the \
                 reverse. An empty body is signed as nothing. Fix: sign exactly the bytes that are sent."
            }
            BodyReserialized => {
                "The JSON body was serialised twice, once for signing and once for sending, and the two differ: \
                 spaces after `:` and `,`, `\\uXXXX` escapes of non-ASCII characters, or the key order. Fix: serialise \
                 the body once, sign those bytes and send the same bytes (`data=body` rather than `json=obj`); \
                 Hyperliquid hashes the action's msgpack in the key order sent, so encode the very action you send, \
                 its keys in the SDK's order, never sorted."
            }
            PathMissingLeadingSlash => {
                "The path was signed without its leading `/` (`api/v5/...`). Fix: sign the path exactly as it appears \
                 on the request line, starting with `/`."
            }
            PathIncludesHost => {
                "The prehash holds the scheme and host (`https://www.okx.com/api/v5/...`) where only the path \
                 belongs. Fix: sign the path only, from the first `/` after the host."
            }
            PathPrefixNotStripped => {
                "The path was signed whole, but this exchange signs it without a leading prefix of its URLs (Kraken \
                 Futures signs /api/v3/sendorder for /derivatives/api/v3/sendorder; paths without the prefix, such \
                 as /api/history/…, are signed whole). Fix: remove the prefix from the path before signing it, and \
                 only the prefix."
            }
            InstructionWrong => {
                "The instruction signed (Backpack's `instruction=<call>`, first in the signing string) is not the \
                 one this method and path name, or is empty: it is per endpoint and method (GET /api/v1/order is \
                 orderQuery, DELETE orderCancel), and ccxt, looking it up by a lower-case method string, signs \
                 `instruction=&…`. Fix: sign the instruction of the call's own method and path \
                 (BackpackSigner::instruction)."
            }
            BooleanCapitalized => {
                "A boolean was signed as `True` or `False` (Python's str() of a bool) while the body carries JSON's \
                 `true`/`false`, which is what Backpack and Crypto.com sign. Fix: render booleans lower case in the \
                 signing string."
            }
            NullAsNone => {
                "A null was signed as `None` (Python's str(None), as ccxt 4.5.90's params_to_string renders it) while \
                 the body carries JSON's `null`, which is what Crypto.com signs. Fix: render null as `null` in the \
                 paramString (or leave null fields out of the params)."
            }
            ParamsSignedAsJson => {
                "The params were signed as their JSON text, but Crypto.com signs a rendering of them, the paramString: \
                 the keys sorted, each followed by its value, with no quotes, colons, commas or braces (lists item by \
                 item, objects recursively). Fix: build the paramString from the params (CryptoComSigner::param_string) \
                 and sign method + id + api_key + paramString + nonce."
            }
            ParamsUnsorted => {
                "The params' keys were signed in the order they were built and sent, but Crypto.com signs them sorted \
                 by name (in every nested object too, such as each order of an order_list). Fix: sort the keys when \
                 rendering the paramString; the body's own key order does not matter."
            }
            RequestIdDiffers => {
                "The id signed is not the id the body sends (for example the nonce signed as the id, as ccxt does, \
                 while the body carries another id): Crypto.com signs method + id + api_key + paramString + nonce \
                 with the body's own id, as its text. Fix: choose the id once and use it in both the body and the \
                 signed string."
            }
            NumberAsFloat => {
                "A price or size was encoded as a float (msgpack `0xcb`, e.g. `\"p\": 30000.0`) in the bytes signed, \
                 while Hyperliquid hashes the action it receives, whose prices and sizes are strings (`\"30000\"`, \
                 `\"0.001\"`): the digest differs and the signature recovers to an unknown address. Fix: put prices \
                 and sizes in the action as strings without trailing zeros (the SDK's float_to_wire), sign that \
                 action and send it."
            }
            NonceLittleEndian => {
                "The nonce was appended to the action's msgpack as 8 bytes little-endian; Hyperliquid hashes \
                 `msgpack(action) || nonce (8 bytes big-endian) || vault flag`, so the connection id differs and the \
                 signature recovers to an unknown address. Fix: append the nonce big-endian (`to_bytes(8, \"big\")`)."
            }
            VaultNullAsZeroAddress => {
                "Without a vault, the action was hashed with 20 zero bytes after the nonce; Hyperliquid hashes the \
                 single flag byte `0x00` there (and `0x01` followed by the 20-byte address when trading for a vault), \
                 so the connection id differs and the signature recovers to an unknown address. Fix: append `0x00` \
                 alone when vaultAddress is null."
            }
            ExpiresAfterUnprefixed => {
                "expiresAfter was appended to the hashed bytes as its 8 bytes alone; Hyperliquid hashes `0x00` then \
                 expiresAfter (8 bytes big-endian) after the vault part, so the connection id differs and the \
                 signature recovers to an unknown address. Fix: append `0x00` before expiresAfter."
            }
            UserActionL1Domain => {
                "A user-signed action (usdSend, spotSend, withdraw3, approveAgent, …) was signed under the L1 \
                 domain (name `Exchange`, chain id 1337); these actions are signed under \
                 `HyperliquidSignTransaction`, version 1, chain id = the action's signatureChainId (`0x66eee` in \
                 the SDKs), so the signature recovers to an unknown address. Fix: sign user-signed actions with \
                 their own domain and `HyperliquidTransaction:<Name>` type, hyperliquidChain first."
            }
            DeltaWrongOrder => {
                "Delta puts the method first: `METHOD + timestamp + path + ?query + body`; this signature was computed \
                 in the Coinbase/OKX order, timestamp first. Fix: sign METHOD + timestamp + path + query + body."
            }
            PrehashOrderWrong => {
                "The timestamp, method and path went into the prehash in the wrong order. Fix: follow the scheme's \
                 layout exactly (timestamp + METHOD + path; Delta: METHOD + timestamp + path), then the query and the \
                 body (Backpack: the instruction, the parameters sorted, then `timestamp` and `window` last)."
            }
            TimestampHeaderDiffers => {
                "The prehash used another timestamp than the one in the header (Crypto.com: the body's nonce): the \
                 clock was read twice, once for the header and once for the signature. Fix: read the clock once, render the timestamp once, and use \
                 that string in both."
            }
            BinanceSignatureNotLast => {
                "The `signature` parameter is not the last parameter of the query or body that carries it: a params \
                 map sorted or re-ordered after the signature was added. Binance signs everything before it and \
                 wants it appended last. Fix: sign the parameters as they will be sent, then append \
                 `&signature=<value>` at the very end (BinanceSigner's wire_query/wire_body do)."
            }
            BinanceSignatureNotUrlEncoded => {
                "The base64 signature of an Ed25519 or RSA key was put in the query or form body as it is: its `+` \
                 characters arrive as spaces and Binance answers -1022 \"Signature for this request is not valid\". \
                 Fix: percent-encode the signature value (`+` as %2B, `/` as %2F, `=` as %3D), e.g. with \
                 urllib.parse.quote(signature, safe='')."
            }
            BinanceRecvWindowTooLarge => {
                "`recvWindow` is above 60000 ms, Binance's maximum; the request is refused whatever its signature. \
                 Fix: send recvWindow of 5000 or less (Binance's advice) and keep the clock in sync instead of \
                 widening the window."
            }
            BinanceSessionLogonNeedsEd25519 => {
                "`session.logon` authenticates a WebSocket API connection with an Ed25519 key only; an HMAC or RSA \
                 key is refused. Fix: sign every WebSocket API request with apiKey, timestamp and signature instead, \
                 or create an Ed25519 key for session.logon."
            }
            KrakenNonceMissing => {
                "The body carries no `nonce` parameter: Kraken hashes the nonce followed by the body and answers \
                 \"EAPI:Invalid nonce\" (or \"EAPI:Invalid key\") without one. Fix: put `nonce=<increasing \
                 integer>` in the form body (`\"nonce\":\"…\"` in a JSON body) and sign nonce + body \
                 (KrakenSigner adds it when it is missing)."
            }
            BitgetWsApiKeyField => {
                "The Bitget websocket login sent the key as `api_key` (python-bitget's field name); the docs and the \
                 server want `apiKey`. Fix: send {\"op\":\"login\",\"args\":[{\"apiKey\",\"passphrase\",\
                 \"timestamp\",\"sign\"}]}."
            }
            BybitRecvWindowInSeconds => {
                "The signature is right, but recv_window is so small it must have been meant as seconds: Bybit reads \
                 it as milliseconds, so the request expires almost at once (10002 \"The request time exceeds the \
                 time window range\"). Fix: send recv_window in milliseconds (default 5000), the same text in \
                 X-BAPI-RECV-WINDOW and in the prehash."
            }
            KrakenContentTypeMismatch => {
                "The signature is right, but the Content-Type does not match the body: a JSON body sent as \
                 application/x-www-form-urlencoded or a form body as application/json, so Kraken parses another body \
                 than the one hashed. Fix: send application/json with a JSON body and \
                 application/x-www-form-urlencoded with a form body."
            }
            GateHmacSha256 => {
                "The signature is an HMAC-SHA256 (64 hex characters) of the right prehash; Gate APIv4 signs with \
                 HMAC-SHA512 (128 hex characters). Fix: hmac.new(secret, prehash, hashlib.sha512).hexdigest()."
            }
            KrakenDigestHex => {
                "The SHA-256 digest of nonce + body was appended to the path as 64 hex characters; Kraken appends its \
                 32 raw bytes (`hashlib.sha256(...).digest()`, not `hexdigest()`). Fix: HMAC-SHA512 over \
                 path.encode() + sha256((nonce + body).encode()).digest()."
            }
            KrakenNonceNotHashed => {
                "The body was hashed on its own; Kraken hashes the nonce followed by the body (SHA256(nonce + body)), \
                 even though the body already carries the nonce. Fix: hash str(nonce) + body."
            }
            GateBodyHashSha256 => {
                "The body-hash line of the prehash is a SHA-256 hex digest; Gate wants the SHA-512 hex digest of the \
                 body (128 characters). Fix: hashlib.sha512(body.encode()).hexdigest()."
            }
            GateEmptyBodyHashLine => {
                "The body-hash line was left empty for a request without a body; Gate hashes the empty body too, so \
                 the line is the SHA-512 of \"\" (cf83e135…927da3e). Fix: always write hex(SHA512(body)), body being \
                 \"\" when there is none."
            }
            GatePathMissingPrefix => {
                "The path was signed without its `/api/v4` prefix (`/spot/orders` instead of \
                 `/api/v4/spot/orders`): a base URL ending in /api/v4 and the signed path taken after it. Fix: sign \
                 the full path from the request line, /api/v4 included."
            }
            GateQueryInPath => {
                "The query was signed as part of the path line (`/api/v4/x?a=1`); Gate signs the path alone on its \
                 line and the decoded query on the next one. Fix: sign METHOD\\npath\\nquery\\nhash\\ntimestamp \
                 with the path without `?`."
            }
            BybitRecvWindowDiffers => {
                "The signature was computed with another recv_window than the one sent in X-BAPI-RECV-WINDOW (a \
                 default of the signing code, a window changed after signing, or none at all); Bybit signs \
                 timestamp + api_key + recv_window + payload with the header's value. Fix: use one recv_window \
                 string for the header and the prehash."
            }
            BybitWsExpiresNotSigned => {
                "The websocket auth signed `GET/realtime` alone; Bybit signs `GET/realtime` followed by the expiry \
                 sent in args[1]. Fix: signature = hex(HMAC-SHA256(secret, \"GET/realtime\" + str(expires))), expires \
                 in milliseconds, in the future."
            }
            BinancePayloadJoinedWithAmpersand => {
                "The query and the body were joined with `&` in the payload; Binance concatenates them with nothing \
                 between (\"the query string concatenated without separator to the HTTP body\"). Fix: sign query + \
                 body as they are sent, or send all parameters in one of the two."
            }
            BinanceSignatureSigned => {
                "A `signature` parameter was part of the signed payload: the request was signed after a signature \
                 (or an empty placeholder) was already in it, as when a retry re-signs the query of the failed \
                 attempt. Fix: sign the parameters without any signature, then append `&signature=<value>` once; \
                 rebuild the parameters (and the timestamp) for every attempt."
            }
            BinanceParamAddedAfterSigning => {
                "A parameter was added after the payload was signed (`timestamp` or `recvWindow` appended by a \
                 wrapper, or a parameter merged in by the HTTP client); Binance signs every parameter it receives. \
                 Fix: add every parameter, timestamp included, before signing, and append only the signature after."
            }
            BinanceWsValuesPercentEncoded => {
                "The WebSocket API payload was signed with its values percent-encoded (`urlencode(params)`, as \
                 binance-connector and binance-sdk-spot do); the WebSocket API signs the raw values (\"no percent \
                 encoding here!\"), the opposite of REST. Fix: join the sorted params as k=v with their values as \
                 they are."
            }
            BinanceWsParamsNotSorted => {
                "The WebSocket API params were signed in their own order; Binance signs them sorted by name (apiKey \
                 and timestamp included, signature left out). Fix: sort every param by name before joining them as \
                 k=v&k=v."
            }
            QuestionMarkWithoutQuery => {
                "A `?` was signed after the path of a request that has no query; the prehash carries `?` + query only \
                 when there is a query. Fix: leave the `?` out when the query is empty."
            }
            FormBodyReencoded => {
                "The form body was signed in another form than it was sent: its parameters in another order (a dict \
                 re-ordered by the HTTP client), or another percent-encoding (`+` against `%20`, `%2C` against `,`, \
                 `close%5Bprice%5D` against `close[price]`). The exchange hashes the body exactly as received. Fix: \
                 encode the body once, sign those bytes and send the same bytes (`data=body_string`, not \
                 `data=dict`)."
            }
            KrakenNonceDiffers => {
                "The nonce hashed is not the nonce in the body: the nonce was generated twice, once for the body and \
                 once for the signature. Fix: generate the nonce once and use that string in the body and in \
                 SHA256(nonce + body)."
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

/// Whether `scheme` writes its REST timestamp in Unix seconds, as its recipe states (a scheme
/// without a recipe signs a token, whose times are seconds).
fn rest_timestamp_in_seconds(scheme: Scheme) -> bool {
    match &scheme.exchange().recipe {
        Ok(recipe) => matches!(
            recipe.timestamps.first(),
            Some(TimestampFormat::UnixSeconds | TimestampFormat::UnixSecondsFraction { .. })
        ),
        Err(_) => true,
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

/// What a diagnosis engine (the HMAC one, the Binance/Bybit/Kraken/Gate one) answers for the catalogue walk.
pub(crate) trait MistakeSearch {
    /// A mistake visible in the sent headers or fields alone (`Some(found)` when it is there).
    fn header_mistake(&self, code: MistakeCode) -> Option<Option<String>>;
    /// The verdict when the signature sent is the right one, if it is.
    fn when_signature_is_right(&self) -> Option<super::Diagnosis>;
    /// Rebuilds the user's bug for `code` and says whether it gives the signature sent.
    fn reconstruct(&self, code: MistakeCode) -> Option<Option<String>>;
    /// The verdict when no mistake of the catalogue explains the signature.
    fn unknown(&self) -> super::Diagnosis;
}

/// Walks the catalogue in order for `scheme`: header mistakes first, then (once) whether the
/// signature is right, then the reconstructions; the first match is the diagnosis.
///
/// The walk stops when the meter refuses a charge: a later mistake may not be named while an
/// earlier one was not fully searched. An `Unknown` verdict then says the search was cut short.
pub(crate) fn walk(scheme: Scheme, ws: bool, engine: &impl MistakeSearch, meter: &Meter) -> super::Diagnosis {
    let mut verdict = walk_codes(scheme, ws, engine, meter);
    if let super::Diagnosis::Unknown { explanation, .. } = &mut verdict {
        if meter.spent().cut_short {
            explanation.push_str(
                " The search was cut short by its budget (candidates, bytes hashed or asymmetric operations): some \
                 mistakes of the catalogue were not tried for this request.",
            );
        }
    }
    verdict
}

fn walk_codes(scheme: Scheme, ws: bool, engine: &impl MistakeSearch, meter: &Meter) -> super::Diagnosis {
    use super::Diagnosis;
    let mut boundary_done = false;
    for &code in MistakeCode::ALL {
        if meter.exhausted() {
            return engine.unknown();
        }
        let applies = if ws { code.applies_to_ws(scheme) } else { code.applies_to_rest(scheme) };
        if !applies {
            continue;
        }
        match code.stage() {
            Stage::Header => {
                if let Some(detail) = engine.header_mistake(code) {
                    return Diagnosis::mistake(code, detail);
                }
            }
            Stage::AfterCorrect | Stage::Signature => {
                if !boundary_done {
                    boundary_done = true;
                    if let Some(verdict) = engine.when_signature_is_right() {
                        return verdict;
                    }
                }
                if code.stage() == Stage::Signature {
                    if let Some(detail) = engine.reconstruct(code) {
                        return Diagnosis::mistake(code, detail);
                    }
                }
            }
            Stage::Token => {}
        }
    }
    if !boundary_done {
        if let Some(verdict) = engine.when_signature_is_right() {
            return verdict;
        }
    }
    engine.unknown()
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

    /// Each home lists a mistake once, and keeps from its websocket messages only mistakes it has.
    #[test]
    fn homes_list_their_mistakes_once() {
        for scheme in Scheme::ALL {
            let facts = scheme.exchange().diagnosis;
            let unique: std::collections::HashSet<_> = facts.mistakes.iter().collect();
            assert_eq!(unique.len(), facts.mistakes.len(), "{scheme:?}");
            assert!(facts.rest_only.iter().all(|code| facts.mistakes.contains(code)), "{scheme:?}");
        }
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
