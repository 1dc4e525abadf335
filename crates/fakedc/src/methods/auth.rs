//! Signing in, as Telegram does it: auth.sendCode (a fixed login code that
//! fakedc logs — it is a test server), auth.signIn, account.getPassword and
//! auth.checkPassword (SRP verified for real, see [`crate::srp`]),
//! auth.exportAuthorization / auth.importAuthorization (carrying a
//! sign-in to another dc), auth.logOut, and the *_MIGRATE answers that send
//! a client to the account's home dc. Sign-in state is per auth key: the
//! key a request came on is what gets signed in or out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use grammers_tl_types as tl;

use super::Call;
use crate::error::RpcErr;
use crate::srp::{self, Challenge, Verifier};

/// Login state of every auth key, shared by all dcs of one fakedc.
pub struct Logins {
    code: String,
    inner: Mutex<Inner>,
    /// The verifier of the world's password (computing it costs 100,000
    /// PBKDF2 rounds, so once per password).
    verifier: Mutex<Option<(String, Arc<Verifier>)>>,
}

#[derive(Default)]
struct Inner {
    /// auth key id -> the code sent to it (phone, phone_code_hash).
    codes: HashMap<u64, (String, String)>,
    /// auth key id -> the user whose code it gave right; the password is still due.
    password_due: HashMap<u64, i64>,
    /// auth key id -> (srp_id, the challenge of its last account.getPassword).
    challenges: HashMap<u64, (i64, Arc<Challenge>)>,
    /// exported authorization id -> (bytes, target dc, user, exporting key).
    exports: HashMap<i64, (Vec<u8>, i32, i64, u64)>,
    /// importing key -> the key whose authorization it imported.
    imported: HashMap<u64, u64>,
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the OS random number generator failed");
    b
}

fn random_i64() -> i64 {
    i64::from_le_bytes(random::<8>()) & i64::MAX
}

/// Digits only: "+1 555-010-0000" and "15550100000" are the same phone.
fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

impl Logins {
    pub fn new(code: String) -> Logins {
        Logins { code, inner: Mutex::new(Inner::default()), verifier: Mutex::new(None) }
    }

    /// The login code auth.signIn accepts.
    pub fn code(&self) -> &str {
        &self.code
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn verifier(&self, password: &str) -> Arc<Verifier> {
        let mut v = self.verifier.lock().unwrap_or_else(|p| p.into_inner());
        match &*v {
            Some((pw, ver)) if pw == password => Arc::clone(ver),
            _ => {
                let ver = Arc::new(Verifier::new(password, random::<40>().to_vec(), random::<16>().to_vec()));
                *v = Some((password.to_owned(), Arc::clone(&ver)));
                ver
            }
        }
    }
}

/// 303 PHONE_MIGRATE_X / USER_MIGRATE_X when this is not the account's dc.
fn on_home_dc(call: &Call, kind: &str) -> Result<(), RpcErr> {
    if call.ctx.dc_id != call.dc.home_dc {
        return Err(RpcErr::new(303, format!("{kind}_MIGRATE_{}", call.dc.home_dc)));
    }
    Ok(())
}

fn sign_in_key(call: &Call, key: u64, user: i64) {
    call.dc.auth.lock().unwrap().insert(key, Some(user));
    tracing::info!(dc = call.ctx.dc_id, auth_key_id = format_args!("{key:016x}"), user, "auth key signed in");
}

fn authorization(call: &Call, user: i64) -> Result<tl::enums::auth::Authorization, RpcErr> {
    let u = call.world.user(user).ok_or_else(RpcErr::internal)?;
    Ok(tl::types::auth::Authorization {
        setup_password_required: false,
        otherwise_relogin_days: None,
        tmp_sessions: None,
        future_auth_token: None,
        user: crate::tl::users::user(call.world, u),
    }
    .into())
}

pub fn send_code(call: &Call, req: tl::functions::auth::SendCode) -> Result<tl::enums::auth::SentCode, RpcErr> {
    if req.api_id <= 0 || req.api_hash.is_empty() {
        return Err(RpcErr::bad_request("API_ID_INVALID"));
    }
    let me = call.world.self_user();
    let phone = digits(&req.phone_number);
    if phone.is_empty() || me.bot || me.phone.as_deref().map(digits).as_deref() != Some(phone.as_str()) {
        return Err(RpcErr::bad_request("PHONE_NUMBER_INVALID"));
    }
    on_home_dc(call, "PHONE")?;
    let hash = hex(&random::<8>());
    call.dc.logins.lock().codes.insert(call.ctx.auth_key_id, (phone, hash.clone()));
    // A test server: the code is fixed and logged so that a person can sign in by hand.
    tracing::info!(code = call.dc.logins.code(), "login code sent");
    Ok(tl::types::auth::SentCode {
        r#type: tl::types::auth::SentCodeTypeApp { length: call.dc.logins.code().len() as i32 }.into(),
        phone_code_hash: hash,
        next_type: None,
        timeout: None,
    }
    .into())
}

pub fn sign_in(call: &Call, req: tl::functions::auth::SignIn) -> Result<tl::enums::auth::Authorization, RpcErr> {
    on_home_dc(call, "USER")?;
    let key = call.ctx.auth_key_id;
    let logins = &call.dc.logins;
    let mut inner = logins.lock();
    let (phone, hash) = inner.codes.get(&key).cloned().ok_or_else(|| RpcErr::bad_request("PHONE_CODE_EXPIRED"))?;
    if req.phone_code_hash.is_empty() {
        return Err(RpcErr::bad_request("PHONE_CODE_HASH_EMPTY"));
    }
    if req.phone_code_hash != hash {
        return Err(RpcErr::bad_request("PHONE_CODE_EXPIRED"));
    }
    if digits(&req.phone_number) != phone {
        return Err(RpcErr::bad_request("PHONE_NUMBER_INVALID"));
    }
    match req.phone_code.as_deref() {
        None | Some("") => return Err(RpcErr::bad_request("PHONE_CODE_EMPTY")),
        // The code stays valid: the person may try again.
        Some(c) if c != logins.code() => return Err(RpcErr::bad_request("PHONE_CODE_INVALID")),
        Some(_) => {}
    }
    inner.codes.remove(&key);
    let user = call.world.self_id;
    if call.world.password.is_some() {
        inner.password_due.insert(key, user);
        return Err(RpcErr::new(401, "SESSION_PASSWORD_NEEDED"));
    }
    drop(inner);
    sign_in_key(call, key, user);
    authorization(call, user)
}

fn algo(v: &Verifier) -> tl::enums::PasswordKdfAlgo {
    tl::types::PasswordKdfAlgoSha256Sha256Pbkdf2Hmacsha512iter100000Sha256ModPow {
        salt1: v.salt1.clone(),
        salt2: v.salt2.clone(),
        g: srp::G,
        p: srp::p_bytes(),
    }
    .into()
}

pub fn get_password(call: &Call, _: tl::functions::account::GetPassword) -> Result<tl::enums::account::Password, RpcErr> {
    let key = call.ctx.auth_key_id;
    if call.user_id.is_none() && !call.dc.logins.lock().password_due.contains_key(&key) {
        return Err(RpcErr::new(401, "AUTH_KEY_UNREGISTERED"));
    }
    let secure = tl::types::SecurePasswordKdfAlgoPbkdf2Hmacsha512iter100000 { salt: random::<8>().to_vec() }.into();
    let Some(password) = call.world.password.as_deref() else {
        let fresh = Verifier::new("", random::<8>().to_vec(), random::<16>().to_vec());
        return Ok(tl::types::account::Password {
            has_recovery: false,
            has_secure_values: false,
            has_password: false,
            current_algo: None,
            srp_b: None,
            srp_id: None,
            hint: None,
            email_unconfirmed_pattern: None,
            new_algo: algo(&fresh),
            new_secure_algo: secure,
            secure_random: random::<32>().to_vec(),
            pending_reset_date: None,
            login_email_pattern: None,
        }
        .into());
    };
    let verifier = call.dc.logins.verifier(password);
    let challenge = Arc::new(verifier.challenge(random::<256>()));
    let srp_id = random_i64();
    call.dc.logins.lock().challenges.insert(key, (srp_id, Arc::clone(&challenge)));
    Ok(tl::types::account::Password {
        has_recovery: false,
        has_secure_values: false,
        has_password: true,
        current_algo: Some(algo(&verifier)),
        srp_b: Some(challenge.g_b.to_vec()),
        srp_id: Some(srp_id),
        hint: None,
        email_unconfirmed_pattern: None,
        new_algo: algo(&verifier),
        new_secure_algo: secure,
        secure_random: random::<32>().to_vec(),
        pending_reset_date: None,
        login_email_pattern: None,
    }
    .into())
}

pub fn check_password(call: &Call, req: tl::functions::auth::CheckPassword) -> Result<tl::enums::auth::Authorization, RpcErr> {
    on_home_dc(call, "USER")?;
    let key = call.ctx.auth_key_id;
    let tl::enums::InputCheckPasswordSrp::Srp(input) = req.password else {
        return Err(RpcErr::bad_request("PASSWORD_HASH_INVALID"));
    };
    let (user, challenge) = {
        let mut inner = call.dc.logins.lock();
        let Some(&user) = inner.password_due.get(&key) else {
            return Err(RpcErr::new(401, "AUTH_KEY_UNREGISTERED"));
        };
        // One proof per challenge: a retry fetches account.getPassword again.
        match inner.challenges.remove(&key) {
            Some((id, c)) if id == input.srp_id => (user, c),
            _ => return Err(RpcErr::bad_request("SRP_ID_INVALID")),
        }
    };
    let password = call.world.password.as_deref().ok_or_else(|| RpcErr::bad_request("PASSWORD_HASH_INVALID"))?;
    if !call.dc.logins.verifier(password).check(&challenge, &input.a, &input.m1) {
        return Err(RpcErr::bad_request("PASSWORD_HASH_INVALID"));
    }
    call.dc.logins.lock().password_due.remove(&key);
    sign_in_key(call, key, user);
    authorization(call, user)
}

pub fn export_authorization(
    call: &Call,
    req: tl::functions::auth::ExportAuthorization,
) -> Result<tl::enums::auth::ExportedAuthorization, RpcErr> {
    let user = call.me()?;
    if req.dc_id == call.ctx.dc_id || !call.dc.dc_addrs().iter().any(|(dc, _)| *dc == req.dc_id) {
        return Err(RpcErr::bad_request("DC_ID_INVALID"));
    }
    let (id, bytes) = (random_i64(), random::<32>().to_vec());
    call.dc.logins.lock().exports.insert(id, (bytes.clone(), req.dc_id, user, call.ctx.auth_key_id));
    Ok(tl::types::auth::ExportedAuthorization { id, bytes }.into())
}

pub fn import_authorization(
    call: &Call,
    req: tl::functions::auth::ImportAuthorization,
) -> Result<tl::enums::auth::Authorization, RpcErr> {
    let key = call.ctx.auth_key_id;
    let user = {
        let mut inner = call.dc.logins.lock();
        match inner.exports.get(&req.id) {
            Some((bytes, dc, user, from)) if *bytes == req.bytes && *dc == call.ctx.dc_id => {
                let (user, from) = (*user, *from);
                inner.exports.remove(&req.id);
                inner.imported.insert(key, from);
                user
            }
            _ => return Err(RpcErr::bad_request("AUTH_BYTES_INVALID")),
        }
    };
    sign_in_key(call, key, user);
    authorization(call, user)
}

/// Signs out this key and every key that imported its authorization.
pub fn log_out(call: &Call, _: tl::functions::auth::LogOut) -> Result<tl::enums::auth::LoggedOut, RpcErr> {
    call.me()?;
    let mut out = vec![call.ctx.auth_key_id];
    {
        let inner = call.dc.logins.lock();
        let mut i = 0;
        while i < out.len() {
            let from = out[i];
            out.extend(inner.imported.iter().filter(|(k, f)| **f == from && !out.contains(k)).map(|(k, _)| *k).collect::<Vec<_>>());
            i += 1;
        }
    }
    let mut auth = call.dc.auth.lock().unwrap();
    for k in &out {
        auth.insert(*k, None);
    }
    tracing::info!(keys = out.len(), "signed out");
    Ok(tl::types::auth::LoggedOut { future_auth_token: None }.into())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
