//! The Redis token store's primitives against a real `redis-server`
//! (tests/support/redis_server.rs): the lease and its fencing token,
//! compare-and-set, waking waiters, takeover after a dead holder, Redis down,
//! ACL users, TLS, and key names without secrets.

mod support;

use std::time::{Duration, Instant};

use connstr::grant::{Acquired, GrantError, RedisConfig, RedisStore};
use support::redis_server::{RedisOptions, RedisServer};

const FP: &str = "00112233445566778899aabbccddeeff";

fn store(url: &str) -> RedisStore {
    RedisStore::new(RedisConfig::parse(url).unwrap()).unwrap()
}

async fn lease(s: &RedisStore, seen: u64) -> connstr::grant::Lease {
    match s.acquire(FP, Some(seen)).await.unwrap() {
        Acquired::Lease(l) => l,
        Acquired::Changed(v) => panic!("expected the lease, the entry changed: {v:?}"),
    }
}

async fn raw(server: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(server.url(0))
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lease_is_exclusive_and_waiters_see_the_write() {
    let server = RedisServer::start(RedisOptions::default());
    let a = store(&server.url(0));
    let b = store(&server.url(0));
    let la = lease(&a, 0).await;
    assert_eq!(la.read().await.unwrap(), None);
    let waiter = tokio::spawn(async move {
        let started = Instant::now();
        (b.acquire(FP, Some(0)).await.unwrap(), started.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiter.is_finished(), "B got in while A held the lease");
    assert_eq!(la.write(0, b"entry-1").await.unwrap(), Ok(1));
    let (got, waited) = waiter.await.unwrap();
    match got {
        Acquired::Changed(v) => {
            assert_eq!((v.version, v.data.as_slice()), (1, &b"entry-1"[..]));
            assert_eq!(v.fence, la.fence());
        }
        Acquired::Lease(_) => panic!("B took the lease while A held it"),
    }
    // Woken by the event, not by the end of the lease (10 s).
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    la.release().await.unwrap();
    // Now B's lease, with a larger fencing token.
    let b = store(&server.url(0));
    let lb = lease(&b, 1).await;
    assert!(lb.fence() > 1);
    assert_eq!(lb.write(1, b"entry-2").await.unwrap(), Ok(2));
    lb.release().await.unwrap();
    assert_eq!(a.read(FP).await.unwrap().unwrap().data, b"entry-2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_whose_lease_expired_cannot_overwrite_a_newer_entry() {
    let server = RedisServer::start(RedisOptions::default());
    let a = store(&server.url(0));
    let b = store(&server.url(0));
    let la = lease(&a, 0).await;
    // A stalls; its lease is gone (as if it had expired).
    let mut c = raw(&server).await;
    let _: () = redis::cmd("DEL")
        .arg(format!("connstr:v1:{{{FP}}}:lease"))
        .query_async(&mut c)
        .await
        .unwrap();
    let lb = lease(&b, 0).await;
    assert!(lb.fence() > la.fence());
    assert_eq!(lb.write(0, b"from-b").await.unwrap(), Ok(1));
    // A wakes up and tries to write what it read before B: refused.
    assert_eq!(la.write(0, b"from-a").await.unwrap(), Err(1));
    // Nor with the right version but an older fence than the writer's.
    assert_eq!(la.write(1, b"from-a").await.unwrap(), Err(1));
    assert_eq!(b.read(FP).await.unwrap().unwrap().data, b"from-b");
    // A's release does not free B's lease.
    la.release().await.unwrap();
    let pttl: i64 = redis::cmd("PTTL")
        .arg(format!("connstr:v1:{{{FP}}}:lease"))
        .query_async(&mut c)
        .await
        .unwrap();
    assert!(pttl > 0, "B's lease was released by A");
    lb.release().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lease_is_renewed_while_held_and_taken_over_when_its_holder_dies() {
    let server = RedisServer::start(RedisOptions::default());
    let url = format!("{}?lease_ms=600", server.url(0));
    let a = store(&url);
    let la = lease(&a, 0).await;
    // Held well past its time to live: renewed.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let b = store(&url);
    let early = tokio::time::timeout(Duration::from_millis(300), b.acquire(FP, Some(0))).await;
    assert!(
        early.is_err(),
        "the lease lapsed while its holder was alive"
    );
    la.release().await.unwrap();
    let lb = lease(&b, 0).await;
    // A holder that dies never releases: simulate with a foreign lease value.
    drop(lb.release().await);
    let mut c = raw(&server).await;
    let _: () = redis::cmd("SET")
        .arg(format!("connstr:v1:{{{FP}}}:lease"))
        .arg("999:dead")
        .arg("PX")
        .arg(800)
        .query_async(&mut c)
        .await
        .unwrap();
    let started = Instant::now();
    let lc = lease(&store(&url), 0).await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(600) && took < Duration::from_millis(3000),
        "takeover after {took:?}"
    );
    assert!(lc.fence() >= 3);
    lc.release().await.unwrap();
}

#[tokio::test]
async fn redis_down_is_a_typed_error_naming_the_store_within_the_timeout() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = store(&format!(
        "redis://u:pw-SECRET-1@127.0.0.1:{port}/0?connect_timeout_ms=1500"
    ));
    let started = Instant::now();
    let e = s.read(FP).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(2500));
    let shown = format!("{e} {e:?}");
    assert!(matches!(e, GrantError::Redis { .. }), "{shown}");
    assert!(
        shown.contains(&format!("redis://u@127.0.0.1:{port}/0")),
        "{shown}"
    );
    assert!(shown.contains("Redis"), "{shown}");
    assert!(!shown.contains("pw-SECRET-1"), "{shown}");
    // An address that never answers: bounded by the connect timeout.
    let s = store("redis://10.255.255.1:6379/0?connect_timeout_ms=700");
    let started = Instant::now();
    let e = s.ping().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(2000), "{e}");
    assert!(matches!(e, GrantError::Redis { .. }), "{e}");
}

#[tokio::test]
async fn acl_user_and_password() {
    let pw = "acl-pw/SECRET:+%x";
    let server = RedisServer::start(RedisOptions {
        acl_user: Some(("connstr".into(), pw.into())),
        ..RedisOptions::default()
    });
    let s = store(&server.url(3));
    let l = lease(&s, 0).await;
    assert_eq!(l.write(0, b"x").await.unwrap(), Ok(1));
    l.release().await.unwrap();
    assert_eq!(
        s.shared_value("k", Some("v1")).await.unwrap().as_deref(),
        Some("v1")
    );
    assert_eq!(
        s.shared_value("k", Some("v2")).await.unwrap().as_deref(),
        Some("v1")
    );
    // Wrong password, no user: refused, and no password in the error.
    for url in [
        server.url(3).replace("SECRET", "WRONG"),
        format!("redis://127.0.0.1:{}/0", server.port()),
    ] {
        let e = store(&url).read(FP).await.unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(matches!(e, GrantError::Redis { .. }), "{shown}");
        assert!(
            !shown.contains("SECRET") && !shown.contains("WRONG"),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn tls_with_a_private_ca() {
    let server = RedisServer::start(RedisOptions {
        tls: true,
        ..RedisOptions::default()
    });
    let url = server.url(0);
    assert!(url.starts_with("rediss://"));
    let ca = server.ca_file();
    let s = store(&format!("{url}?ca_file={}", ca.display()));
    s.ping().await.unwrap();
    let l = lease(&s, 0).await;
    assert_eq!(l.write(0, b"over-tls").await.unwrap(), Ok(1));
    l.release().await.unwrap();
    // Without the CA: the system roots do not know it.
    let e = store(&url).ping().await.unwrap_err();
    assert!(matches!(e, GrantError::Redis { .. }), "{e}");
}

#[tokio::test]
async fn key_names_and_events_carry_no_secret() {
    let server = RedisServer::start(RedisOptions::default());
    let s = store(&server.url(0));
    let l = lease(&s, 0).await;
    l.write(0, br#"{"refresh_token":"rt-SECRET-42"}"#)
        .await
        .unwrap()
        .unwrap();
    l.release().await.unwrap();
    let mut c = raw(&server).await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut c)
        .await
        .unwrap();
    assert!(!keys.is_empty());
    for k in &keys {
        assert!(k.starts_with("connstr:v1:"), "{k}");
        assert!(!k.contains("SECRET"), "{k}");
    }
    assert!(!server.log().contains("SECRET"));
}

#[tokio::test]
async fn an_acknowledged_write_survives_redis_being_killed_with_appendfsync_always() {
    let mut server = RedisServer::start(RedisOptions {
        appendonly: true,
        ..RedisOptions::default()
    });
    let s = store(&format!("{}?connect_timeout_ms=1000", server.url(0)));
    let l = lease(&s, 0).await;
    assert_eq!(l.write(0, b"rotated-rt-2").await.unwrap(), Ok(1));
    l.release().await.unwrap();
    // SIGKILL: no shutdown, no final fsync; only what `appendfsync always`
    // wrote before acknowledging.
    server.kill();
    let e = s.read(FP).await.unwrap_err();
    assert!(matches!(e, GrantError::Redis { .. }), "{e}");
    server.start_again();
    // The same store object reconnects.
    let v = s.read(FP).await.unwrap().unwrap();
    assert_eq!((v.version, v.data.as_slice()), (1, &b"rotated-rt-2"[..]));
    // And the fencing counter survived too: the next lease's token is larger.
    let l = lease(&s, 1).await;
    assert!(l.fence() > v.fence, "{} vs {}", l.fence(), v.fence);
    l.release().await.unwrap();
}
