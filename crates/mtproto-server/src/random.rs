//! Random bytes for padding, from a per-thread pool.
//!
//! Every outgoing message needs 12..27 random padding bytes; one getrandom
//! call per message would be a syscall per message, so each thread draws
//! from a 4 KiB pool refilled from the OS.

use std::cell::RefCell;

const POOL: usize = 4096;

struct Pool {
    bytes: [u8; POOL],
    pos: usize,
}

thread_local! {
    static RNG: RefCell<Pool> = const { RefCell::new(Pool { bytes: [0; POOL], pos: POOL }) };
}

/// Fills `dst` with OS-grade random bytes.
pub fn fill(dst: &mut [u8]) {
    if dst.len() >= POOL {
        os_fill(dst);
        return;
    }
    RNG.with_borrow_mut(|pool| {
        let mut done = 0;
        while done < dst.len() {
            if pool.pos == POOL {
                os_fill(&mut pool.bytes);
                pool.pos = 0;
            }
            let n = (dst.len() - done).min(POOL - pool.pos);
            dst[done..done + n].copy_from_slice(&pool.bytes[pool.pos..pool.pos + n]);
            // Never hand out the same bytes twice.
            pool.bytes[pool.pos..pool.pos + n].fill(0);
            pool.pos += n;
            done += n;
        }
    });
}

pub fn byte() -> u8 {
    let mut b = [0u8; 1];
    fill(&mut b);
    b[0]
}

fn os_fill(dst: &mut [u8]) {
    // Without an OS random source nothing here can be trusted, and every
    // supported platform has one.
    getrandom::fill(dst).expect("the OS random number generator failed");
}
