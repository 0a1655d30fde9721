//! The registry: every exchange cexsign signs for, one entry each.
//!
//! An entry names the exchange's home (a module under `src/exchanges/`), and for each scheme the
//! home signs with, the [`Scheme`] variant and the home's [`Exchange`] description. The
//! [`Scheme`] enum, [`Scheme::ALL`] and [`Scheme::exchange`] are generated from this list, so it
//! is the only place that enumerates exchanges; everything else reads the descriptions.
//!
//! Adding an exchange: copy a home (`okx/` is the smallest HMAC one), give it a signer and a
//! description, add its entry here. CONTRIBUTING.md has the checklist.

use crate::exchange::Exchange;

pub(crate) mod common;

macro_rules! registry {
    ($( mod $home:ident { $( $(#[$doc:meta])* $variant:ident => $description:ident ),+ $(,)? } )+) => {
        $( mod $home; pub use $home::*; )+

        /// The signing schemes this crate implements; the ids match the vector file names.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Scheme {
            $( $( $(#[$doc])* $variant, )+ )+
        }

        const COUNT: usize = [$( $( stringify!($variant), )+ )+].len();

        impl Scheme {
            /// Every scheme, in the registry's order.
            pub const ALL: [Scheme; COUNT] = [$( $( Scheme::$variant, )+ )+];

            /// What cexsign knows about this scheme's exchange.
            pub const fn exchange(self) -> &'static Exchange {
                match self {
                    $( $( Scheme::$variant => &$home::$description, )+ )+
                }
            }
        }
    };
}

registry! {
    mod coinbase_advanced {
        /// Coinbase Advanced Trade with legacy HMAC keys ([`crate::CoinbaseAdvancedHmacSigner`]).
        CoinbaseAdvancedHmac => HMAC,
        /// Coinbase CDP keys, ES256 or Ed25519 JWTs ([`crate::CoinbaseCdpSigner`]).
        CoinbaseCdp => CDP,
    }
    mod coinbase_exchange {
        /// Coinbase Exchange, formerly Coinbase Pro ([`crate::CoinbaseExchangeSigner`]).
        CoinbaseExchange => COINBASE_EXCHANGE,
    }
    mod delta {
        /// Delta Exchange v2 ([`crate::DeltaSigner`]).
        Delta => DELTA,
    }
    mod kucoin {
        /// KuCoin, key versions 1–3 ([`crate::KucoinSigner`]).
        Kucoin => KUCOIN,
    }
    mod okx {
        /// OKX v5, live and demo ([`crate::OkxSigner`]).
        Okx => OKX,
    }
    mod binance {
        /// Binance Spot and USDⓈ-M: HMAC, Ed25519 and RSA keys ([`crate::BinanceSigner`]).
        Binance => BINANCE,
    }
    mod bybit {
        /// Bybit v5: HMAC and RSA keys ([`crate::BybitSigner`]).
        Bybit => BYBIT,
    }
    mod kraken {
        /// Kraken spot REST ([`crate::KrakenSigner`]).
        Kraken => KRAKEN,
    }
    mod bitget {
        /// Bitget v2 ([`crate::BitgetSigner`]).
        Bitget => BITGET,
    }
    mod gate {
        /// Gate APIv4 ([`crate::GateSigner`]).
        Gate => GATE,
    }
    mod bitmex {
        /// BitMEX REST (`api-expires`) and websocket `authKeyExpires` ([`crate::BitmexSigner`]).
        Bitmex => BITMEX,
    }
    mod bitfinex {
        /// Bitfinex API v2 REST and the websocket `auth` event ([`crate::BitfinexSigner`]).
        Bitfinex => BITFINEX,
    }
    mod deribit {
        /// Deribit API v2: the `deri-hmac-sha256` header and the `public/auth` `client_signature` grant ([`crate::DeribitSigner`]).
        Deribit => DERIBIT,
    }
    mod bitmart {
        /// BitMart spot and futures v2: `timestamp#memo#payload` and the websocket login ([`crate::BitmartSigner`]).
        Bitmart => BITMART,
    }
    mod kraken_futures {
        /// Kraken Futures: `Authent` over `postData + nonce + path` and the websocket challenge ([`crate::KrakenFuturesSigner`]).
        KrakenFutures => KRAKEN_FUTURES,
    }
    mod mexc {
        /// MEXC spot v3 and futures ("contract"), one key for both, the path picking the rule ([`crate::MexcSigner`]).
        Mexc => MEXC,
    }
    mod hyperliquid {
        /// Hyperliquid: EIP-712 actions signed with a secp256k1 key, L1 and user-signed ([`crate::HyperliquidSigner`], feature `hyperliquid`).
        Hyperliquid => HYPERLIQUID,
    }
    mod backpack {
        /// Backpack Exchange: Ed25519 over the call's instruction and its sorted parameters ([`crate::BackpackSigner`]).
        Backpack => BACKPACK,
    }
    mod upbit {
        /// Upbit: a JWT (HS256 or HS512) with the SHA-512 of the unencoded parameters ([`crate::UpbitSigner`]).
        Upbit => UPBIT,
    }
    mod crypto_com {
        /// Crypto.com Exchange API v1: HMAC-SHA256 over method, id, key, the sorted params and the nonce, sent as the body's `sig` ([`crate::CryptoComSigner`]).
        CryptoCom => CRYPTO_COM,
    }
}
