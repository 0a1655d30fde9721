//! The resync middleware reads at most `CLASSIFY_AT_MOST` bytes of a response to classify it,
//! and hands a longer body on whole: a raw loopback server counts what the client asked for.

#![cfg(feature = "middleware")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cexsign::Scheme;
use cexsign::clock::OffsetClock;
use cexsign::middleware::{CLASSIFY_AT_MOST, ResyncOnTimestampRejection};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// An OKX "timestamp expired" rejection (what makes the middleware resync), padded with
/// `padding` spaces inside the JSON.
fn expired(padding: usize) -> Vec<u8> {
    let mut body = br#"{"msg":"Timestamp request expired","code":"50102""#.to_vec();
    body.extend(std::iter::repeat_n(b' ', padding));
    body.push(b'}');
    body
}

/// Serves `body` to every request (chunked when `chunked`, else with a Content-Length) and counts
/// the requests per path.
async fn serve(status: &'static str, body: Vec<u8>, chunked: bool) -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (orders, times) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (o, t) = (Arc::clone(&orders), Arc::clone(&times));
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let (body, o, t) = (body.clone(), Arc::clone(&o), Arc::clone(&t));
            tokio::spawn(async move {
                let mut request = vec![0u8; 4096];
                let n = socket.read(&mut request).await.unwrap_or(0);
                let line = String::from_utf8_lossy(&request[..n]).lines().next().unwrap_or_default().to_owned();
                let counter = if line.contains("/api/v5/public/time") { &t } else { &o };
                counter.fetch_add(1, Ordering::SeqCst);
                let mut answer = Vec::new();
                if chunked {
                    answer.extend_from_slice(
                        format!("HTTP/1.1 {status}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n")
                            .as_bytes(),
                    );
                    for piece in body.chunks(8192) {
                        answer.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                        answer.extend_from_slice(piece);
                        answer.extend_from_slice(b"\r\n");
                    }
                    answer.extend_from_slice(b"0\r\n\r\n");
                } else {
                    answer.extend_from_slice(
                        format!(
                            "HTTP/1.1 401 Unauthorized\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    );
                    answer.extend_from_slice(&body);
                }
                let _ = socket.write_all(&answer).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (base, orders, times)
}

async fn post_through_middleware(base: &str) -> Vec<u8> {
    let clock = Arc::new(OffsetClock::new());
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(ResyncOnTimestampRejection::new(Scheme::Okx, base, clock))
        .build();
    let response = client.post(format!("{base}/api/v5/trade/order")).body("{}").send().await.unwrap();
    assert_eq!(response.status(), 401);
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn a_short_rejection_is_classified_and_resyncs() {
    let body = expired(10);
    let (base, orders, times) = serve("401 Unauthorized", body.clone(), true).await;
    // The time answer is the same rejection, so the resync fails and the answer is handed on.
    assert_eq!(post_through_middleware(&base).await, body);
    assert_eq!(times.load(Ordering::SeqCst), 1, "a timestamp rejection asks for the server time");
    assert_eq!(orders.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_body_over_the_cap_is_handed_on_whole_and_not_classified() {
    for chunked in [true, false] {
        let body = expired(CLASSIFY_AT_MOST + 1_000_000);
        let (base, orders, times) = serve("401 Unauthorized", body.clone(), chunked).await;
        let received = post_through_middleware(&base).await;
        assert_eq!(received.len(), body.len(), "chunked: {chunked}");
        assert!(received == body, "the body arrives byte for byte (chunked: {chunked})");
        assert_eq!(times.load(Ordering::SeqCst), 0, "not read past the cap, so not classified (chunked: {chunked})");
        assert_eq!(orders.load(Ordering::SeqCst), 1);
    }
}

#[tokio::test]
async fn a_server_time_answer_over_its_cap_is_refused_unread() {
    // A valid OKX time answer, padded far past what a time answer needs.
    let mut body = br#"{"code":"0","msg":"","data":[{"ts":"1597026383085"}]"#.to_vec();
    body.extend(std::iter::repeat_n(b' ', 1 << 20));
    body.push(b'}');
    let (base, _, times) = serve("200 OK", body, true).await;
    let clock = OffsetClock::new();
    let error = cexsign::client::sync(&reqwest::Client::new(), &base, Scheme::Okx, &clock).await.unwrap_err();
    assert!(error.to_string().contains("longer than"), "{error}");
    assert!(!clock.is_synced());
    assert_eq!(times.load(Ordering::SeqCst), 1);

    let short = br#"{"code":"0","msg":"","data":[{"ts":"1597026383085"}]}"#.to_vec();
    let (base, _, _) = serve("200 OK", short, true).await;
    cexsign::client::sync(&reqwest::Client::new(), &base, Scheme::Okx, &clock).await.unwrap();
    assert!(clock.is_synced());
}
