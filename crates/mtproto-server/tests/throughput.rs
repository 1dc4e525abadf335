//! Rough throughput numbers for the server over loopback, driven by the
//! grammers client machinery. Not a pass/fail test: run with
//! `cargo test -p mtproto-server --release --test throughput -- --ignored --nocapture`.

mod common;

use std::time::Instant;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement, run by hand"]
async fn small_requests_pipelined() {
    let srv = TestServer::start().await;
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    let n = 50_000u32;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..16u32 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..n / 16 {
                let body = echo(t, i, 64);
                assert_eq!(c.invoke(body.clone()).await.ok(), body);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let el = start.elapsed();
    println!(
        "small: {n} requests in {el:?} = {:.0} req/s",
        f64::from(n) / el.as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement, run by hand"]
async fn file_parts() {
    let srv = TestServer::start().await;
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    let part = 512 * 1024;
    let n = 400;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..n / 4 {
                let got = c.invoke(req_i32(method::BIG_RAW, part as i32)).await.ok();
                assert_eq!(got.len(), 4 + part);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let el = start.elapsed();
    let mib = (n * part) as f64 / (1024.0 * 1024.0);
    println!(
        "file parts: {mib:.0} MiB in {el:?} = {:.0} MiB/s",
        mib / el.as_secs_f64()
    );
}
