//! `Credentials::from_env` reads `{PREFIX}_API_KEY`, `{PREFIX}_SECRET` and `{PREFIX}_PASSPHRASE`.
//! One test in its own binary: it sets environment variables, which no other thread may read
//! meanwhile.

use cexsign::{Credentials, Error, OkxEnvironment, OkxSigner, SignableRequest, Signer};

#[test]
fn credentials_from_env_read_the_prefixed_variables() {
    // SAFETY: the only test of this binary; no other thread reads or writes the environment.
    unsafe {
        std::env::set_var("CEXSIGN_ENVTEST_API_KEY", "985d5b66-57ce-40fb-b714-afc0b9787083");
        std::env::remove_var("CEXSIGN_ENVTEST_SECRET");
        std::env::remove_var("CEXSIGN_ENVTEST_PASSPHRASE");
    }
    // The secret is missing: named, with no value of the key.
    let err = Credentials::from_env("CEXSIGN_ENVTEST").unwrap_err();
    assert_eq!(err, Error::MissingEnvVar { name: "CEXSIGN_ENVTEST_SECRET".into(), problem: "is not set" });
    assert!(!err.to_string().contains("985d5b66"));

    // SAFETY: as above.
    unsafe { std::env::set_var("CEXSIGN_ENVTEST_SECRET", "22582BD0CFF14C41EDBF1AB98506286D") };
    // Without a passphrase the credentials load; OKX's signer then asks for it.
    let credentials = Credentials::from_env("CEXSIGN_ENVTEST").unwrap();
    assert!(!format!("{credentials:?}").contains("22582BD0"));
    let err = OkxSigner::new(&credentials, OkxEnvironment::Live).unwrap_err();
    assert!(err.to_string().contains("OKX keys need the passphrase"), "{err}");

    // SAFETY: as above.
    unsafe { std::env::set_var("CEXSIGN_ENVTEST_PASSPHRASE", "Passphrase1!") };
    let signer = OkxSigner::new(&Credentials::from_env("CEXSIGN_ENVTEST").unwrap(), OkxEnvironment::Live).unwrap();
    // The OKX v5 docs' worked example (AUTH.md §OKX), signed with the credentials read.
    let request =
        SignableRequest::new(cexsign::Method::Get, "/api/v5/account/balance").unwrap().with_query("ccy=BTC").unwrap();
    let at = cexsign::TimestampFormat::Iso8601Millis.parse("2020-12-08T09:08:57.715Z").unwrap();
    assert_eq!(signer.sign(&request, at).unwrap().signature(), "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=");
}
