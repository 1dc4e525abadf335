//! fakedc throughput as the real grammers client sees it.
//!
//! Runs the `fakedc` binary as a child process (so its CPU time can be read
//! from /proc apart from the client's), connects grammers clients from the
//! session file it writes, and reports for users.getUsers([self]):
//! requests per second with 1 client and with 8 concurrent clients (each its
//! own connection), and the server's CPU time per request.
//!
//! Run: `cargo bench -p fakedc --bench serve` (REQUESTS=N to change the count).

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fakedc::session_file::SessionFile;
use grammers_client::tl;

fn main() {
    let requests: usize = std::env::var("REQUESTS").ok().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let dir = std::env::temp_dir().join(format!("fakedc-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let session_path = dir.join("session.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fakedc"))
        .args(["serve", "--world", "small", "--session-out"])
        .arg(&session_path)
        .stdout(Stdio::null())
        .spawn()
        .expect("start fakedc");
    let deadline = Instant::now() + Duration::from_secs(30);
    let session = loop {
        if let Ok(s) = SessionFile::read(&session_path) {
            break s;
        }
        assert!(Instant::now() < deadline, "fakedc did not write its session file");
        std::thread::sleep(Duration::from_millis(20));
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    println!("fakedc serve bench: users.getUsers([self]), {requests} requests per run, pid {}", child.id());
    for clients in [1usize, 8] {
        let (elapsed, cpu) = rt.block_on(run(&session, clients, requests, child.id()));
        println!(
            "  {clients} client(s): {:>8.0} req/s   server CPU {:>6.1} µs/req   ({:.2} s wall)",
            requests as f64 / elapsed.as_secs_f64(),
            cpu.as_secs_f64() * 1e6 / requests as f64,
            elapsed.as_secs_f64()
        );
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each client keeps `PIPELINE` requests in flight, as an exporter does.
const PIPELINE: usize = 8;

async fn run(session: &SessionFile, clients: usize, requests: usize, pid: u32) -> (Duration, Duration) {
    let conns: Vec<_> = (0..clients).map(|_| common::client(session)).collect();
    let req = tl::functions::users::GetUsers { id: vec![tl::enums::InputUser::UserSelf] };
    for (c, _) in &conns {
        c.invoke(&req).await.expect("warm-up request"); // connect outside the timing
    }
    let cpu0 = cpu_time(pid);
    let start = Instant::now();
    let per_task = requests / (clients * PIPELINE);
    let mut tasks = Vec::new();
    for (c, _) in &conns {
        for _ in 0..PIPELINE {
            let c = c.clone();
            let req = req.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..per_task {
                    let users = c.invoke(&req).await.expect("getUsers");
                    assert_eq!(users.len(), 1);
                }
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = start.elapsed();
    let cpu = cpu_time(pid) - cpu0;
    (elapsed, cpu)
}

/// utime + stime of a process, from /proc/PID/stat.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are 14th and 15th overall.
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = f.get(11).and_then(|s| s.parse().ok()).unwrap_or(0) + f.get(12).and_then(|s| s.parse().ok()).unwrap_or(0);
    Duration::from_secs_f64(ticks as f64 / 100.0)
}
