//! Signing `reqwest` requests: the request is built first, then signed from its own method,
//! URL path, URL query and body bytes — the bytes signed are the bytes sent.
//!
//! Where a scheme signs inside the request (Binance appends `timestamp` and `signature` to the
//! query or form body; Kraken adds a missing `nonce` to the body), the new query or body is
//! written into the request too. Signing is atomic: on any error the request is left exactly as
//! it was.

use crate::clock::{Clock, Observation, OffsetClock};
use crate::server_time::{ServerTime, parse_http_date};
use crate::{Error, Method, Scheme, SignOptions, SignRequest, SignableRequest, SignedRequest, Timestamp};

/// Signs built `reqwest::Request`s. Implemented for every [`SignRequest`]: every
/// [`Signer`](crate::Signer) (including `dyn Signer`), and a signer of your own for another exchange.
///
/// ```
/// use cexsign::client::ReqwestSigner;
/// use cexsign::{Credentials, OkxEnvironment, OkxSigner, Timestamp};
///
/// let signer = OkxSigner::new(
///     &Credentials::new().api_key("my-key").secret("22582BD0CFF14C41EDBF1AB98506286D").passphrase("pass"),
///     OkxEnvironment::Live,
/// )?;
/// let client = reqwest::Client::new();
/// let mut request = client
///     .get("https://www.okx.com/api/v5/account/balance?ccy=BTC,ETH")
///     .build()
///     .expect("a valid URL");
/// signer.sign_reqwest(&mut request, Timestamp::now()?)?;
/// // Signed over the query as the URL parser wrote it: `ccy=BTC,ETH`.
/// assert!(request.headers().contains_key("ok-access-sign"));
/// # Ok::<(), cexsign::Error>(())
/// ```
pub trait ReqwestSigner {
    /// Signs `request` as of `at` and sets the auth headers on it (and its new query or body,
    /// for schemes that sign inside the request).
    fn sign_reqwest(&self, request: &mut reqwest::Request, at: Timestamp) -> Result<SignedRequest, Error> {
        self.sign_reqwest_with(request, at, &SignOptions::default())
    }

    /// Signs `request` with per-call options (e.g. keep the prehash for debugging).
    fn sign_reqwest_with(
        &self,
        request: &mut reqwest::Request,
        at: Timestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error>;
}

impl<S: SignRequest + ?Sized> ReqwestSigner for S {
    fn sign_reqwest_with(
        &self,
        request: &mut reqwest::Request,
        at: Timestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let signed = self.sign_request(&signable(request)?, at, options)?;
        // Everything that can fail happens before the request is touched.
        let url = match signed.wire_query() {
            Some(query) => Some(url_with_query(request.url(), query)?),
            None => None,
        };
        if let Some(url) = url {
            *request.url_mut() = url;
        }
        if let Some(body) = signed.wire_body() {
            *request.body_mut() = Some(reqwest::Body::from(body.to_vec()));
        }
        signed.apply_to(request.headers_mut());
        Ok(signed)
    }
}

/// `url` with its query replaced by `query`, refusing any rewrite by the URL parser (the signed
/// query must be the one sent).
fn url_with_query(url: &reqwest::Url, query: &str) -> Result<reqwest::Url, Error> {
    let mut url = url.clone();
    url.set_query(if query.is_empty() { None } else { Some(query) });
    if url.query().unwrap_or_default() != query {
        return Err(Error::InvalidQuery {
            problem: "would be rewritten by the URL parser after signing: percent-encode it as it is to be sent",
        });
    }
    Ok(url)
}

/// The request exactly as reqwest will write it: method, URL host, path and query as the URL
/// holds them (already percent-encoded by the URL parser), and the body's bytes.
pub fn signable(request: &reqwest::Request) -> Result<SignableRequest<'_>, Error> {
    // A lower-case method is refused: reqwest would send it as written.
    let method = Method::try_from(request.method())?;
    let url = request.url();
    let body = match request.body() {
        None => &[][..],
        Some(body) => body.as_bytes().ok_or(Error::StreamingBody)?,
    };
    SignableRequest::checked(method, url.host_str(), url.path(), url.query().unwrap_or_default(), body)
}

/// Builds a `reqwest::RequestBuilder`, then signs the built request.
///
/// ```
/// use cexsign::client::RequestBuilderExt;
/// use cexsign::{Credentials, DeltaSigner, Timestamp};
///
/// let signer = DeltaSigner::new(&Credentials::new().api_key("my-key").secret("my-secret"))?;
/// let body = br#"{"product_id":27,"size":1,"side":"buy","order_type":"market_order"}"#.to_vec();
/// let request = reqwest::Client::new()
///     .post("https://api.india.delta.exchange/v2/orders")
///     .header("content-type", "application/json")
///     .body(body)
///     .build_signed(&signer, Timestamp::now()?)?;
/// assert!(request.headers().contains_key("signature"));
/// # Ok::<(), cexsign::Error>(())
/// ```
pub trait RequestBuilderExt {
    /// Builds the request and signs it as of `at`.
    fn build_signed<S: SignRequest + ?Sized>(self, signer: &S, at: Timestamp) -> Result<reqwest::Request, Error>;
}

impl RequestBuilderExt for reqwest::RequestBuilder {
    fn build_signed<S: SignRequest + ?Sized>(self, signer: &S, at: Timestamp) -> Result<reqwest::Request, Error> {
        let mut request = self.build().map_err(|e| Error::RequestBuild { problem: e.without_url().to_string() })?;
        signer.sign_reqwest(&mut request, at)?;
        Ok(request)
    }
}

/// The most of a server-time answer [`sync`] reads.
const TIME_ANSWER_AT_MOST: usize = 16 * 1024;

/// Measures the exchange's clock once and corrects `clock` with it: `GET` the scheme's
/// server-time endpoint under `base_url`, stamping the local send and receive times, and feed
/// the midpoint observation to the offset clock. Falls back to the HTTP `Date` header (one
/// second resolution) when the body has no usable time.
///
/// This is the only place the crate fetches time, and only when you call it: `sign` never does.
///
/// ```no_run
/// # async fn run() -> Result<(), cexsign::Error> {
/// use cexsign::clock::{Clock, OffsetClock};
/// use cexsign::Scheme;
/// let clock = OffsetClock::new();
/// let client = reqwest::Client::new();
/// let observed = cexsign::client::sync(&client, "https://www.okx.com", Scheme::Okx, &clock).await?;
/// println!("server is {} ms ahead", observed.offset_millis);
/// let now = clock.now()?; // sign with this
/// # Ok(()) }
/// ```
pub async fn sync<C: Clock>(
    client: &reqwest::Client,
    base_url: &str,
    scheme: Scheme,
    clock: &OffsetClock<C>,
) -> Result<Observation, Error> {
    let endpoint = ServerTime::of(scheme);
    let url = format!("{}{}", base_url.trim_end_matches('/'), endpoint.path());
    let unavailable = |problem: String| Error::ServerTimeUnavailable { problem };
    let sent = clock.base_now()?;
    let response = client.get(&url).send().await.map_err(|e| unavailable(e.without_url().to_string()))?;
    let received = clock.base_now()?;
    let date = response.headers().get(http::header::DATE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let status = response.status();
    // A time answer is a few dozen bytes: a longer one is not read to its end.
    let (body, rest) =
        read_at_most(response, TIME_ANSWER_AT_MOST).await.map_err(|e| unavailable(e.without_url().to_string()))?;
    if rest.is_some() {
        return Err(unavailable(format!("the server-time answer is longer than {TIME_ANSWER_AT_MOST} bytes")));
    }
    let from_body =
        if status.is_success() { endpoint.parse(&body) } else { Err(unavailable(format!("HTTP {status}"))) };
    let server = match (from_body, date) {
        (Ok(server), _) => server,
        (Err(_), Some(date)) => parse_http_date(&date)?,
        (Err(e), None) => return Err(e),
    };
    clock.observe(sent, server, received).map_err(|reason| Error::ObservationDiscarded { reason })
}

/// Reads the response body up to `cap` bytes: the whole body, or the bytes read so far and the
/// unread rest once the body is longer than `cap`.
pub(crate) async fn read_at_most(
    mut response: reqwest::Response,
    cap: usize,
) -> reqwest::Result<(Vec<u8>, Option<reqwest::Body>)> {
    if response.content_length().is_some_and(|length| length > cap as u64) {
        return Ok((Vec::new(), Some(reqwest::Body::from(response))));
    }
    let mut head = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        head.extend_from_slice(&chunk);
        if head.len() > cap {
            return Ok((head, Some(reqwest::Body::from(response))));
        }
    }
    Ok((head, None))
}
