//! The server half of Telegram's SRP two-step password check
//! (core.telegram.org/api/srp): the verifier `v` kept instead of the
//! password, the server's ephemeral `g_b` sent in account.getPassword, and
//! the check of the client's `M1` in auth.checkPassword. fakedc verifies
//! for real, so a client that computes the proof wrongly is refused as
//! Telegram would refuse it.

use hmac::Hmac;
use num_bigint::BigUint;
use sha2::{Digest, Sha256, Sha512};

/// g of the group (Telegram uses 3 with this prime).
pub const G: i32 = 3;

/// Telegram's 2048-bit safe prime (the one its DH and SRP use; clients check
/// that p is a safe prime and that g generates the right subgroup).
const P_HEX: &str = "c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c3720fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f642477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b";

/// The prime as 256 big-endian bytes.
pub fn p_bytes() -> Vec<u8> {
    (0..P_HEX.len()).step_by(2).map(|i| u8::from_str_radix(&P_HEX[i..i + 2], 16).expect("hex")).collect()
}

fn h(parts: &[&[u8]]) -> [u8; 32] {
    let mut d = Sha256::new();
    for p in parts {
        d.update(p);
    }
    d.finalize().into()
}

fn pad256(n: &BigUint) -> [u8; 256] {
    let b = n.to_bytes_be();
    let mut out = [0u8; 256];
    out[256 - b.len()..].copy_from_slice(&b);
    out
}

/// SH(data, salt) = H(salt | data | salt)
fn sh(data: &[u8], salt: &[u8]) -> [u8; 32] {
    h(&[salt, data, salt])
}

/// PH2(password, salt1, salt2) = SH(pbkdf2(sha512, PH1, salt1, 100000), salt2),
/// PH1 = SH(SH(password, salt1), salt2).
fn ph2(password: &[u8], salt1: &[u8], salt2: &[u8]) -> [u8; 32] {
    let ph1 = sh(&sh(password, salt1), salt2);
    let mut dk = [0u8; 64];
    pbkdf2::pbkdf2::<Hmac<Sha512>>(&ph1, salt1, 100_000, &mut dk).expect("any output length works");
    sh(&dk, salt2)
}

/// What the server stores for an account with a password: the salts and
/// the verifier, never the password.
pub struct Verifier {
    pub salt1: Vec<u8>,
    pub salt2: Vec<u8>,
    v: BigUint,
}

/// One getPassword answer's ephemeral secret, kept until checkPassword.
pub struct Challenge {
    b: BigUint,
    pub g_b: [u8; 256],
}

impl Verifier {
    pub fn new(password: &str, salt1: Vec<u8>, salt2: Vec<u8>) -> Verifier {
        let p = BigUint::from_bytes_be(&p_bytes());
        let x = BigUint::from_bytes_be(&ph2(password.as_bytes(), &salt1, &salt2));
        let v = BigUint::from(G as u32).modpow(&x, &p);
        Verifier { salt1, salt2, v }
    }

    fn k(p: &[u8]) -> BigUint {
        let g = pad256(&BigUint::from(G as u32));
        BigUint::from_bytes_be(&h(&[p, &g]))
    }

    /// g_b = (k·v + g^b) mod p for a random b (256 bytes from `random`).
    pub fn challenge(&self, random: [u8; 256]) -> Challenge {
        let pb = p_bytes();
        let p = BigUint::from_bytes_be(&pb);
        let b = BigUint::from_bytes_be(&random) % &p;
        let g_b = (Self::k(&pb) * &self.v + BigUint::from(G as u32).modpow(&b, &p)) % &p;
        Challenge { b, g_b: pad256(&g_b) }
    }

    /// Whether the client's (A, M1) prove knowledge of the password for
    /// this challenge: s_b = (A·v^u)^b, k_b = H(s_b), and M1 must equal
    /// H(H(p) xor H(g) | H(salt1) | H(salt2) | A | g_b | k_b).
    pub fn check(&self, challenge: &Challenge, a: &[u8], m1: &[u8]) -> bool {
        let pb = p_bytes();
        let p = BigUint::from_bytes_be(&pb);
        let big_a = BigUint::from_bytes_be(a);
        // A must be a proper group element (1 < A < p - 1), or the proof is meaningless.
        if big_a <= BigUint::from(1u32) || big_a >= &p - 1u32 {
            return false;
        }
        let a256 = pad256(&big_a);
        let u = BigUint::from_bytes_be(&h(&[&a256, &challenge.g_b]));
        let s_b = (&big_a * self.v.modpow(&u, &p) % &p).modpow(&challenge.b, &p);
        let k_b = h(&[&pad256(&s_b)]);
        let g256 = pad256(&BigUint::from(G as u32));
        let (hp, hg) = (h(&[&pb]), h(&[&g256]));
        let xor: Vec<u8> = hp.iter().zip(hg.iter()).map(|(x, y)| x ^ y).collect();
        let want = h(&[&xor, &h(&[&self.salt1]), &h(&[&self.salt2]), &a256, &challenge.g_b, &k_b]);
        // Compare without an early exit.
        m1.len() == 32 && want.iter().zip(m1).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}
