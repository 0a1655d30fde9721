//! The server's limits on what one client can hold, over real TCP on loopback: the body cap
//! answered before the body is sent, the body-read deadline, the cap on connections served at
//! once, and a body trickled in tiny segments read whole.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::time::timeout;

use cexsign::{Credentials, DeltaSigner, KeySettings, Method, Scheme, SignableRequest, Signer, Timestamp};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};

const DELTA_KEY: &str = "a207900b7693435a8fa9230a38195d";
const DELTA_SECRET: &str = "7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f";

/// Long enough for a loaded machine, short enough that a hang fails the test quickly.
const PATIENCE: Duration = Duration::from_secs(10);

fn delta_credentials() -> Credentials {
    Credentials::new().api_key(DELTA_KEY).secret(DELTA_SECRET)
}

fn with_delta() -> LocalExchange {
    let account = Account::new(Scheme::Delta, &delta_credentials(), &KeySettings::new()).unwrap();
    LocalExchange::new().with_account(account)
}

/// The head of a Delta order whose body is `body`, signed now.
fn signed_head(addr: std::net::SocketAddr, body: &[u8]) -> String {
    let signer = DeltaSigner::new(&delta_credentials()).unwrap();
    let request = SignableRequest::new(Method::Post, "/v2/orders").unwrap().with_body(body);
    let signed = signer.sign(&request, Timestamp::now().unwrap()).unwrap();
    let mut head = format!("POST /v2/orders HTTP/1.1\r\nhost: {addr}\r\nuser-agent: limits-test\r\n");
    for (name, value) in signed.headers() {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n", body.len()));
    head
}

/// Everything the server sends until it closes the connection.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut raw = Vec::new();
    timeout(PATIENCE, stream.read_to_end(&mut raw)).await.expect("the server neither answered nor closed").unwrap();
    String::from_utf8_lossy(&raw).into_owned()
}

/// Reads until the end of one response head (the bytes read so far, head included).
async fn read_head(stream: &mut TcpStream) -> String {
    let mut raw = Vec::new();
    let mut byte = [0; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        let read = timeout(PATIENCE, stream.read(&mut byte)).await.expect("no answer").unwrap();
        assert_eq!(read, 1, "closed after {:?}", String::from_utf8_lossy(&raw));
        raw.push(byte[0]);
    }
    String::from_utf8_lossy(&raw).into_owned()
}

async fn server_time(exchange: &RunningExchange, stream: &mut TcpStream) -> String {
    let request = format!("GET /api/v5/public/time HTTP/1.1\r\nhost: {}\r\n\r\n", exchange.local_addr());
    stream.write_all(request.as_bytes()).await.unwrap();
    let head = read_head(stream).await;
    // Consume the body, so that the next answer on this connection starts afresh.
    let length = head
        .lines()
        .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length: ").map(str::to_owned))
        .and_then(|length| length.trim().parse::<usize>().ok())
        .expect("no content-length");
    let mut body = vec![0; length];
    timeout(PATIENCE, stream.read_exact(&mut body)).await.expect("no body").unwrap();
    head
}

#[tokio::test]
async fn a_content_length_over_the_cap_gets_413_before_the_body_is_sent() {
    let exchange = with_delta().with_max_body_bytes(1000).start().await.unwrap();
    let mut stream = TcpStream::connect(exchange.local_addr()).await.unwrap();
    // The head alone: the body is never sent, so only the declared length can be judged.
    let head = signed_head(exchange.local_addr(), &[b'x'; 1001]);
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    assert!(answer.contains("1000 bytes"), "{answer}");
    assert_eq!(exchange.requests_rejected(), 1);

    // At the cap is read and verified.
    let body = format!("{{\"p\":\"{}\"}}", "z".repeat(992));
    let mut stream = TcpStream::connect(exchange.local_addr()).await.unwrap();
    stream.write_all(signed_head(exchange.local_addr(), body.as_bytes()).as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
}

#[tokio::test]
async fn expect_100_continue_over_the_cap_gets_413_instead_of_continue() {
    let exchange = with_delta().with_max_body_bytes(1000).start().await.unwrap();
    let addr = exchange.local_addr();
    let expecting = |body: &[u8]| signed_head(addr, body).replacen("\r\n\r\n", "\r\nexpect: 100-continue\r\n\r\n", 1);

    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(expecting(&[b'x'; 1001]).as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    assert!(!answer.contains("100 Continue"), "{answer}");

    // Within the cap, the client is invited to send the body, which is then verified.
    let body = br#"{"product_id":27,"size":1}"#;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(expecting(body).as_bytes()).await.unwrap();
    let interim = read_head(&mut stream).await;
    assert!(interim.starts_with("HTTP/1.1 100 Continue"), "{interim}");
    stream.write_all(body).await.unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
}

#[tokio::test]
async fn a_body_slower_than_the_body_read_timeout_gets_408_and_the_connection_closed() {
    let limit = Duration::from_millis(300);
    let exchange = with_delta().with_body_read_timeout(limit).start().await.unwrap();
    let addr = exchange.local_addr();
    let body = [b'x'; 100];
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let started = Instant::now();
    stream.write_all(signed_head(addr, &body).as_bytes()).await.unwrap();
    // A tenth of the body, then a byte now and then, stopping before the deadline so that
    // nothing is left unread when the server closes (an unread byte would reset the connection).
    stream.write_all(&body[..10]).await.unwrap();
    for _ in 0..2 {
        tokio::time::sleep(limit / 4).await;
        stream.write_all(&body[..1]).await.unwrap();
    }
    let answer = read_until_closed(&mut stream).await;
    let waited = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    assert!(answer.contains("body-read timeout of 300 ms"), "{answer}");
    assert!(waited >= limit && waited < PATIENCE, "{waited:?}");

    // The same server reads a body sent at once.
    let body = br#"{"product_id":27,"size":1}"#;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(signed_head(addr, body).as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
}

#[tokio::test]
async fn connections_over_the_cap_wait_while_the_served_ones_keep_being_answered() {
    let cap = 4;
    let header_timeout = Duration::from_secs(2);
    // Silent connections are not closed early to make room here (see the next test).
    let exchange = LocalExchange::new()
        .with_max_connections(cap)
        .with_header_read_timeout(header_timeout)
        .with_stalled_after(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let addr = exchange.local_addr();
    let started = Instant::now();

    // One connection in use, the others silent: the cap is reached.
    let mut served = TcpStream::connect(addr).await.unwrap();
    assert!(server_time(&exchange, &mut served).await.starts_with("HTTP/1.1 200 "));
    let mut silent = Vec::new();
    for _ in 1..cap {
        silent.push(TcpStream::connect(addr).await.unwrap());
    }
    // Let the accept loop take them before the extra ones queue behind them.
    tokio::time::sleep(Duration::from_millis(100)).await;

    // Beyond the cap, connections complete in the kernel's backlog but are not served yet.
    let mut extra = Vec::new();
    for _ in 0..4 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let request = format!("GET /api/v5/public/time HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        extra.push(stream);
    }
    let mut byte = [0; 1];
    let early = timeout(Duration::from_millis(300), extra[0].read(&mut byte)).await;
    assert!(early.is_err(), "a connection over the cap was served: {early:?}");

    // The served connection is not starved by those waiting.
    for _ in 0..3 {
        let head = timeout(Duration::from_secs(1), server_time(&exchange, &mut served)).await.expect("starved");
        assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    }
    assert!(started.elapsed() < header_timeout, "the test was too slow to show the cap");

    // Once the served connection closes, its place goes to the waiting ones in turn (the
    // silent ones still hold theirs): none is refused.
    drop(served);
    for mut stream in extra {
        let answer = read_until_closed(&mut stream).await;
        assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    }
    assert!(started.elapsed() < header_timeout, "the waiting ones were served only once the silent ones timed out");

    // A silent connection holds its place no longer than the header-read timeout.
    for mut stream in silent {
        assert_eq!(read_until_closed(&mut stream).await, "");
    }
    assert!(started.elapsed() >= header_timeout);
}

#[tokio::test]
async fn at_the_cap_a_stalled_connection_gives_way_to_a_waiting_one() {
    let cap = 8;
    let stalled_after = Duration::from_millis(300);
    let exchange =
        LocalExchange::new().with_max_connections(cap).with_stalled_after(stalled_after).start().await.unwrap();
    let addr = exchange.local_addr();

    // Every place taken by a client that never finishes a request: silence, half a header, a
    // body that never comes.
    let mut stalled = Vec::new();
    for i in 0..cap {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let start = match i % 3 {
            0 => String::new(),
            1 => "GET /api/v5/public/time HTTP/1.1\r\nx-slow: ".to_owned(),
            _ => format!("POST /api/v5/trade/order HTTP/1.1\r\nhost: {addr}\r\ncontent-length: 100\r\n\r\n{{"),
        };
        stream.write_all(start.as_bytes()).await.unwrap();
        stalled.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;

    // A ready client is served within about the stall time, not the 30 s read deadlines.
    let waited = Instant::now();
    let mut ready = TcpStream::connect(addr).await.unwrap();
    let answer = timeout(Duration::from_secs(10), server_time(&exchange, &mut ready)).await.expect("never served");
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    let elapsed = waited.elapsed();
    assert!(elapsed >= stalled_after / 2 && elapsed < Duration::from_secs(5), "served after {elapsed:?}");

    // The one closed to make room is one of the stalled ones; the others still hold theirs.
    let mut closed = 0;
    for stream in &mut stalled {
        let mut byte = [0; 1];
        if let Ok(read) = timeout(Duration::from_millis(20), stream.read(&mut byte)).await {
            assert!(matches!(read, Ok(0) | Err(_)), "a stalled connection was answered: {read:?}");
            closed += 1;
        }
    }
    assert_eq!(closed, 1, "one place was needed");
}

#[tokio::test]
async fn a_body_arriving_one_byte_per_segment_is_read_whole() {
    let exchange = with_delta().start().await.unwrap();
    let addr = exchange.local_addr();
    let body = format!("{{\"product_id\":27,\"size\":1,\"note\":\"{}\"}}", "n".repeat(2000));
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    stream.write_all(signed_head(addr, body.as_bytes()).as_bytes()).await.unwrap();
    for (index, byte) in body.bytes().enumerate() {
        stream.write_all(&[byte]).await.unwrap();
        if index % 64 == 0 {
            // Let the server read between writes, so the bytes arrive as separate reads.
            tokio::task::yield_now().await;
        }
    }
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(answer.contains(&format!("\"body_bytes\":{}", body.len())), "{answer}");
    assert_eq!(exchange.requests_accepted(), 1);
}
