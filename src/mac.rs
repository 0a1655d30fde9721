//! The keyed MACs the HMAC schemes share (HMAC-SHA256, and HMAC-SHA512 for Kraken and Gate),
//! the prehash they run over, and the output encodings.
//!
//! The key is absorbed once, at construction; each signature clones the keyed state instead of
//! re-keying. REST requests and websocket logins of a scheme both go through the same key's
//! `sign`, so there is one MAC path per scheme.

use std::fmt;

use hmac::EagerHash;
use hmac::KeyInit;
use hmac::block_api::HmacCore;
use hmac::digest::Output;
use hmac::digest::block_api::{Buffer, BufferKindUser, Eager, FixedOutputCore, UpdateCore};
use sha2::{Sha256, Sha384, Sha512};

/// Clones a keyed HMAC core and runs the prehash parts through it: the one MAC loop of the crate.
///
/// Driven through `hmac`'s block API (a clone of the keyed core, a fresh block buffer,
/// `finalize_fixed_core`) as its `Mac` wrapper drives it, minus two copies: cloning the wrapper
/// also copies its 64-byte buffer, and `finalize` takes the whole wrapper by value. On OKX's GET
/// prehash in six parts, the wrapper path took 192 ns, this one 149 (one process, min of 7;
/// the bench's floor, the wrapper inlined into its loop over one part, 177).
fn mac_parts<C>(keyed: &C, prehash: &PrehashParts<'_>) -> Output<C>
where
    C: UpdateCore + FixedOutputCore + BufferKindUser<BufferKind = Eager> + Clone,
{
    let mut core = keyed.clone();
    let mut buffer = Buffer::<C>::default();
    // An empty part (no query, no body) would still cost a call.
    for part in prehash.parts().iter().filter(|part| !part.is_empty()) {
        buffer.digest_blocks(part, |blocks| core.update_blocks(blocks));
    }
    let mut out = Output::<C>::default();
    core.finalize_fixed_core(&mut buffer, &mut out);
    out
}

/// An HMAC key absorbed once into the keyed core of hash `D`. The keyed state is wiped on drop
/// (`sha2`'s `zeroize`).
pub(crate) struct KeyedHmac<D: EagerHash>(HmacCore<D>);

/// HMAC-SHA256: most schemes.
pub(crate) type HmacKey = KeyedHmac<Sha256>;
/// HMAC-SHA384: Bitfinex.
pub(crate) type HmacSha384Key = KeyedHmac<Sha384>;
/// HMAC-SHA512: Kraken, Gate, Upbit's HS512 tokens.
pub(crate) type HmacSha512Key = KeyedHmac<Sha512>;

impl<D: EagerHash> KeyedHmac<D> {
    pub(crate) fn new(key: &[u8]) -> Self {
        Self(HmacCore::<D>::new_from_slice(key).expect("HMAC accepts keys of any length"))
    }
}

impl HmacKey {
    /// MACs the concatenation of `prehash`'s parts, without concatenating them.
    pub(crate) fn mac(&self, prehash: &PrehashParts<'_>) -> [u8; 32] {
        mac_parts(&self.0, prehash).into()
    }

    /// MAC, then encode (on the stack).
    pub(crate) fn sign(&self, prehash: &PrehashParts<'_>, encoding: Encoding) -> EncodedMac {
        encoding.encode(&self.mac(prehash))
    }
}

impl HmacSha384Key {
    /// MACs the concatenation of `prehash`'s parts.
    pub(crate) fn mac(&self, prehash: &PrehashParts<'_>) -> [u8; 48] {
        mac_parts(&self.0, prehash).into()
    }
}

impl HmacSha512Key {
    /// MACs the concatenation of `prehash`'s parts (Upbit's HS512 tokens encode it themselves).
    pub(crate) fn mac(&self, prehash: &PrehashParts<'_>) -> [u8; 64] {
        mac_parts(&self.0, prehash).into()
    }

    /// MAC, then encode (on the stack): 128 hex or 88 base64 characters.
    pub(crate) fn sign(&self, prehash: &PrehashParts<'_>, encoding: Encoding) -> EncodedMac512 {
        encoding.encode_into(&self.mac(prehash))
    }
}

impl<D: EagerHash> fmt::Debug for KeyedHmac<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyedHmac([REDACTED])")
    }
}

/// How a scheme writes its MAC on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Lower-case hex, 64 characters.
    Hex,
    /// Standard base64 with padding, 44 characters.
    Base64,
}

/// An encoded 32-byte MAC: 64 hex or 44 base64 characters, kept on the stack.
pub(crate) type EncodedMac = arrayvec::ArrayString<64>;

/// An encoded 64-byte MAC: 128 hex or 88 base64 characters, kept on the stack.
pub(crate) type EncodedMac512 = arrayvec::ArrayString<128>;

impl Encoding {
    pub(crate) fn encode(self, mac: &[u8; 32]) -> EncodedMac {
        self.encode_into(mac)
    }

    /// Encodes `bytes` into a stack string of capacity `OUT` (at least twice `IN`).
    ///
    /// Both encoders hand back `&str` (their output is ASCII by construction), so no UTF-8
    /// check runs on the hot path: `const-hex` and `base64-simd` take 5 and 12 ns for a 32-byte
    /// MAC where `hex` and `base64` took 18 and 19, plus 9 for `str::from_utf8`.
    pub(crate) fn encode_into<const IN: usize, const OUT: usize>(self, bytes: &[u8; IN]) -> arrayvec::ArrayString<OUT> {
        const { assert!(OUT >= 2 * IN, "the buffer holds either encoding") };
        let mut text = arrayvec::ArrayString::new();
        let fits = match self {
            Encoding::Hex => text.try_push_str(hex::Buffer::<IN>::new().format(bytes)).is_ok(),
            Encoding::Base64 => {
                let mut buf = [0u8; OUT];
                text.try_push_str(base64_simd::STANDARD.encode_as_str(bytes, base64_simd::Out::from_slice(&mut buf)))
                    .is_ok()
            }
        };
        assert!(fits, "the encoding fits the buffer");
        text
    }
}

/// The message a scheme MACs, kept as the borrowed pieces it is made of.
///
/// Signing feeds the pieces to the MAC one after the other; [`PrehashParts::to_vec`] joins them only
/// when a caller asks to see the prehash.
#[derive(Clone, Copy)]
pub(crate) struct PrehashParts<'a> {
    parts: [&'a [u8]; 8],
    len: usize,
}

impl<'a> PrehashParts<'a> {
    pub(crate) fn new() -> Self {
        Self { parts: [&[]; 8], len: 0 }
    }

    /// The texts of `head`, then the bytes of `tail`, in one step (a builder chain copies the
    /// parts at each push). Taking text here, rather than `head.map(str::as_bytes)` at each
    /// caller: that `map` went through `try_map` and was not inlined (~8 ns a signature).
    pub(crate) fn of<const N: usize>(head: [&'a str; N], tail: &'a [u8]) -> Self {
        const { assert!(N < 8, "a prehash has at most eight parts, the tail included") };
        let mut prehash = Self::new();
        for (slot, text) in prehash.parts.iter_mut().zip(head) {
            *slot = text.as_bytes();
        }
        prehash.parts[N] = tail;
        prehash.len = N + 1;
        prehash
    }

    /// Appends a piece. The schemes here have at most eight.
    pub(crate) fn push(mut self, part: &'a [u8]) -> Self {
        assert!(self.len < self.parts.len(), "a prehash has at most eight parts");
        self.parts[self.len] = part;
        self.len += 1;
        self
    }

    pub(crate) fn push_str(self, part: &'a str) -> Self {
        self.push(part.as_bytes())
    }

    pub(crate) fn parts(&self) -> &[&'a [u8]] {
        &self.parts[..self.len]
    }

    pub(crate) fn to_vec(self) -> Vec<u8> {
        self.parts().concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 4231 test case 2.
    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        let key = HmacKey::new(b"Jefe");
        let prehash = PrehashParts::new().push_str("what do ya want ").push_str("for nothing?");
        assert_eq!(
            key.sign(&prehash, Encoding::Hex).as_str(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(key.sign(&prehash, Encoding::Base64).as_str(), "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
        assert_eq!(prehash.to_vec(), b"what do ya want for nothing?");
    }

    // RFC 4231 test case 2, HMAC-SHA512.
    #[test]
    fn hmac_sha512_matches_rfc_4231() {
        let key = HmacSha512Key::new(b"Jefe");
        let prehash = PrehashParts::new().push_str("what do ya want for nothing?");
        assert_eq!(
            key.sign(&prehash, Encoding::Hex).as_str(),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
        assert_eq!(key.sign(&prehash, Encoding::Base64).len(), 88);
    }

    /// The fast encoders against `base64`'s general-purpose engine and `format!`'s hex, on
    /// every length a MAC here has (SHA-256, SHA-384, SHA-512) and any bytes.
    mod encoders_agree {
        use super::*;
        use base64::Engine as _;
        use proptest::prelude::*;

        fn reference(encoding: Encoding, bytes: &[u8]) -> String {
            match encoding {
                Encoding::Hex => bytes.iter().map(|b| format!("{b:02x}")).collect(),
                Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(bytes),
            }
        }

        proptest! {
            #[test]
            fn on_32_48_and_64_bytes(a in any::<[u8; 32]>(), b in any::<[u8; 48]>(), c in any::<[u8; 32]>(), d in any::<[u8; 32]>()) {
                let mut long = [0u8; 64];
                long[..32].copy_from_slice(&c);
                long[32..].copy_from_slice(&d);
                for encoding in [Encoding::Hex, Encoding::Base64] {
                    prop_assert_eq!(encoding.encode(&a).to_string(), reference(encoding, &a));
                    prop_assert_eq!(encoding.encode_into::<48, 96>(&b).to_string(), reference(encoding, &b));
                    prop_assert_eq!(encoding.encode_into::<64, 128>(&long).to_string(), reference(encoding, &long));
                }
            }
        }
    }

    /// The block-API loop against `hmac`'s `Mac` wrapper over the joined bytes: any key, any
    /// message cut into up to eight parts anywhere (block boundaries included), each hash.
    mod block_api_is_the_wrapper {
        use super::*;
        use hmac::Mac as _;
        use proptest::prelude::*;

        fn parts_of<'a>(message: &'a [u8], cuts: &[usize]) -> PrehashParts<'a> {
            let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (message.len() + 1)).collect();
            cuts.sort_unstable();
            let mut prehash = PrehashParts::new();
            let mut start = 0;
            for cut in cuts.into_iter().chain([message.len()]) {
                prehash = prehash.push(&message[start..cut]);
                start = cut;
            }
            prehash
        }

        proptest! {
            #[test]
            fn on_any_parts(
                key in proptest::collection::vec(any::<u8>(), 0..200),
                message in proptest::collection::vec(any::<u8>(), 0..300),
                cuts in proptest::collection::vec(any::<usize>(), 0..7),
            ) {
                let prehash = parts_of(&message, &cuts);
                prop_assert_eq!(prehash.to_vec(), message.clone());
                let sha256: [u8; 32] = hmac::Hmac::<Sha256>::new_from_slice(&key).unwrap().chain_update(&message).finalize().into_bytes().into();
                prop_assert_eq!(HmacKey::new(&key).mac(&prehash), sha256);
                let sha384: [u8; 48] = hmac::Hmac::<Sha384>::new_from_slice(&key).unwrap().chain_update(&message).finalize().into_bytes().into();
                prop_assert_eq!(HmacSha384Key::new(&key).mac(&prehash), sha384);
                let sha512: [u8; 64] = hmac::Hmac::<Sha512>::new_from_slice(&key).unwrap().chain_update(&message).finalize().into_bytes().into();
                prop_assert_eq!(HmacSha512Key::new(&key).mac(&prehash), sha512);
            }
        }
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(format!("{:?}", HmacKey::new(b"Jefe")), "KeyedHmac([REDACTED])");
    }
}
