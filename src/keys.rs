//! Asymmetric API keys (Binance Ed25519 and RSA, Bybit RSA): PEM parsed once at construction
//! into the signer, and the base64 signature they produce.
//!
//! Ed25519 signs with `ed25519-dalek` (deterministic, the fastest Rust Ed25519 measured here);
//! RSA PKCS#1 v1.5 SHA-256 signs with `ring`, which blinds the private-key operation. The
//! RustCrypto `rsa` crate was not used: its private-key operations carry the unfixed Marvin
//! timing advisory (RUSTSEC-2023-0071), and `ring` is already the ES256 signer of this crate.

use std::fmt;

use base64::Engine as _;
use ring::rand::SystemRandom;
use zeroize::Zeroizing;

use crate::{Error, Scheme};

/// An Ed25519 or RSA private key, ready to sign.
pub(crate) enum PrivateKey {
    Ed25519(Box<ed25519_dalek::SigningKey>),
    Rsa { pair: Box<ring::signature::RsaKeyPair>, rng: SystemRandom },
}

impl PrivateKey {
    /// An Ed25519 key from PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub(crate) fn ed25519_from_pem(scheme: Scheme, secret: &str) -> Result<Self, Error> {
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        let text = normalise_pem(secret);
        let text = text.trim();
        if !text.starts_with("-----BEGIN PRIVATE KEY-----") {
            return Err(not_pem(scheme, "Ed25519", text));
        }
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(text).map_err(|_| Error::InvalidPrivateKey {
            scheme,
            key_type: "Ed25519",
            problem: "the PRIVATE KEY PEM is not an Ed25519 PKCS#8 key (an RSA key? then build the signer for RSA)",
        })?;
        Ok(Self::Ed25519(Box::new(key)))
    }

    /// An RSA key from PKCS#8 (`-----BEGIN PRIVATE KEY-----`) or PKCS#1
    /// (`-----BEGIN RSA PRIVATE KEY-----`) PEM, 2048 to 8192 bits.
    pub(crate) fn rsa_from_pem(scheme: Scheme, secret: &str) -> Result<Self, Error> {
        let text = normalise_pem(secret);
        let text = text.trim();
        if !text.starts_with("-----BEGIN") {
            return Err(not_pem(scheme, "RSA", text));
        }
        let invalid = |problem| Error::InvalidPrivateKey { scheme, key_type: "RSA", problem };
        let (label, der) = pem_rfc7468::decode_vec(text.as_bytes())
            .map_err(|_| invalid("the PEM did not decode: paste the whole file, BEGIN and END lines included"))?;
        let der = Zeroizing::new(der);
        let pair = match label {
            "PRIVATE KEY" => ring::signature::RsaKeyPair::from_pkcs8(&der).map_err(|_| {
                invalid("the PRIVATE KEY PEM is not an RSA PKCS#8 key of 2048 to 8192 bits (an Ed25519 key? then build the signer for Ed25519)")
            })?,
            "RSA PRIVATE KEY" => ring::signature::RsaKeyPair::from_der(&der)
                .map_err(|_| invalid("the RSA PRIVATE KEY PEM is not a valid PKCS#1 key of 2048 to 8192 bits"))?,
            "ENCRYPTED PRIVATE KEY" => {
                return Err(invalid(
                    "the key is encrypted: export it without a password (openssl pkcs8 -topk8 -nocrypt)",
                ));
            }
            _ => {
                return Err(invalid(
                    "expected a 'PRIVATE KEY' or 'RSA PRIVATE KEY' PEM (a PUBLIC KEY cannot sign: use the private key you generated)",
                ));
            }
        };
        // ring does not check every CRT parameter when it parses a key; a key whose dP or dQ is
        // wrong then fails on every signature (ring checks each result). One signature here
        // turns that into an error at construction (found by fuzzing).
        let key = Self::Rsa { pair: Box::new(pair), rng: SystemRandom::new() };
        key.sign_base64(b"cexsign: key check").map_err(|_| {
            invalid("the RSA key's parameters are inconsistent (ring refuses to sign with it): export the key again")
        })?;
        Ok(key)
    }

    /// The key's name, for `Debug` and messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::Ed25519(_) => "Ed25519",
            Self::Rsa { .. } => "RSA",
        }
    }

    /// The length of [`PrivateKey::sign_base64`]'s output.
    pub(crate) fn signature_base64_len(&self) -> usize {
        let raw = match self {
            Self::Ed25519(_) => 64,
            Self::Rsa { pair, .. } => pair.public().modulus_len(),
        };
        raw.div_ceil(3) * 4
    }

    /// Signs `message`, returning the standard base64 of the raw signature (88 characters for
    /// Ed25519, 344 for a 2048-bit RSA key).
    pub(crate) fn sign_base64(&self, message: &[u8]) -> Result<String, Error> {
        let b64 = &base64::engine::general_purpose::STANDARD;
        match self {
            Self::Ed25519(key) => Ok(b64.encode(ed25519_dalek::Signer::sign(key.as_ref(), message).to_bytes())),
            Self::Rsa { pair, rng } => {
                let mut signature = vec![0u8; pair.public().modulus_len()];
                pair.sign(&ring::signature::RSA_PKCS1_SHA256, rng, message, &mut signature)
                    .map_err(|_| Error::SigningFailed {
                        problem: "ring refused the RSA signature (the system random source failed, or the key's parameters \
                                  are inconsistent)",
                    })?;
                Ok(b64.encode(signature))
            }
        }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({}, [REDACTED])", self.kind())
    }
}

/// The error for a secret that is not PEM where a PEM key is due, naming the likely mix-up.
fn not_pem(scheme: Scheme, key_type: &'static str, text: &str) -> Error {
    let problem = if text.len() >= 16 && text.bytes().all(|b| b.is_ascii_alphanumeric()) {
        "the secret looks like an HMAC secret, not a PEM private key: build the signer for an HMAC key"
    } else {
        "the secret is not a PEM private key: paste the whole private-key file, from -----BEGIN PRIVATE KEY----- to the END line"
    };
    Error::InvalidPrivateKey { scheme, key_type, problem }
}

/// A key pasted from JSON or a `.env` file often carries a literal backslash-n for each
/// newline. The copy is built in a buffer sized up front (the replacement only shrinks the text),
/// so no outgrown copy of the secret is freed unwiped.
pub(crate) fn normalise_pem(secret: &str) -> Zeroizing<String> {
    let mut normalised = Zeroizing::new(String::with_capacity(secret.len()));
    let mut rest = secret;
    while let Some(at) = rest.find("\\n") {
        normalised.push_str(&rest[..at]);
        normalised.push('\n');
        rest = &rest[at + 2..];
    }
    normalised.push_str(rest);
    normalised
}
