//! Signing in against fakedc with the real grammers sender: unauthorized
//! keys are refused, the code and the two-step password (SRP, computed by
//! grammers-crypto) are checked for real, *_MIGRATE sends the client to the
//! account's dc, a sign-in is carried to other dcs by export/import, and
//! logOut signs the key (and the keys it authorized) out.

mod common;

use common::{assert_rpc, client_no_retries, rpc_error, small_world};
use fakedc::Config;
use grammers_client::tl;
use mtproto_server::AuthKey;

const PHONE: &str = "+1 555 010 0000";

fn get_self() -> tl::functions::users::GetUsers {
    tl::functions::users::GetUsers { id: vec![tl::enums::InputUser::UserSelf] }
}

fn send_code(phone: &str) -> tl::functions::auth::SendCode {
    tl::functions::auth::SendCode {
        phone_number: phone.into(),
        api_id: 1,
        api_hash: "0123456789abcdef0123456789abcdef".into(),
        settings: tl::types::CodeSettings {
            allow_flashcall: false,
            current_number: false,
            allow_app_hash: false,
            allow_missed_call: false,
            allow_firebase: false,
            unknown_number: false,
            logout_tokens: None,
            token: None,
            app_sandbox: None,
        }
        .into(),
    }
}

fn sign_in(hash: &str, code: &str) -> tl::functions::auth::SignIn {
    tl::functions::auth::SignIn {
        phone_number: PHONE.into(),
        phone_code_hash: hash.into(),
        phone_code: Some(code.into()),
        email_verification: None,
    }
}

/// The client's half of SRP, as grammers-client computes it.
fn check_password(p: tl::enums::account::Password, password: &str) -> tl::functions::auth::CheckPassword {
    let tl::enums::account::Password::Password(p) = p;
    assert!(p.has_password);
    let Some(tl::enums::PasswordKdfAlgo::Sha256Sha256Pbkdf2Hmacsha512iter100000Sha256ModPow(algo)) = p.current_algo else {
        panic!("unexpected algo");
    };
    assert!(grammers_crypto::two_factor_auth::check_p_and_g(&algo.p, &algo.g), "a safe prime and a good g");
    let a = (0..256).map(|i| (i * 7 + 3) as u8).collect();
    let (m1, g_a) = grammers_crypto::two_factor_auth::calculate_2fa(
        &algo.salt1,
        &algo.salt2,
        &algo.p,
        &algo.g,
        p.srp_b.unwrap(),
        a,
        password,
    );
    tl::functions::auth::CheckPassword {
        password: tl::types::InputCheckPasswordSrp { srp_id: p.srp_id.unwrap(), a: g_a.to_vec(), m1: m1.to_vec() }.into(),
    }
}

fn key_id(session: &fakedc::session_file::SessionFile, dc: i32) -> u64 {
    AuthKey::new(*session.dc(dc).unwrap().auth_key.as_ref().unwrap().expose()).id()
}

#[tokio::test]
async fn code_password_migrate_export_import_and_logout() {
    let config = Config { dcs: vec![1, 2, 3, 4, 5], home_dc: 4, ..Config::default() };
    let world = small_world(1);
    let me = world.self_id;
    let dc = common::start_with(config, world).await;
    let session = dc.unauthorized_session_file();
    assert_eq!(session.home_dc, 2, "a fresh client starts at dc 2");
    assert_eq!(session.dcs.len(), 5);
    assert_eq!(session.user_id, None);
    let c = client_no_retries(&session);

    // Nothing works before signing in.
    assert_rpc(c.invoke(&get_self()).await, 401, "AUTH_KEY_UNREGISTERED");
    assert_rpc(c.invoke(&common::takeout_all(1 << 20)).await, 401, "AUTH_KEY_UNREGISTERED");
    assert_rpc(c.invoke(&tl::functions::account::GetPassword {}).await, 401, "AUTH_KEY_UNREGISTERED");

    // The account lives on dc 4.
    let e = rpc_error(c.invoke(&send_code(PHONE)).await);
    assert_eq!((e.code, e.name.as_str(), e.value), (303, "PHONE_MIGRATE", Some(4)));
    assert_rpc(c.client.invoke_in_dc(4, &send_code("+1 555 000 0000")).await, 400, "PHONE_NUMBER_INVALID");
    let tl::enums::auth::SentCode::Code(sent) = c.client.invoke_in_dc(4, &send_code(PHONE)).await.unwrap() else {
        panic!("a code is sent");
    };
    let tl::enums::auth::SentCodeType::App(app) = &sent.r#type else { panic!("{:?}", sent.r#type) };
    assert_eq!(app.length, 5);
    let hash = sent.phone_code_hash;
    let e = rpc_error(c.invoke(&sign_in(&hash, "12345")).await);
    assert_eq!((e.code, e.name.as_str(), e.value), (303, "USER_MIGRATE", Some(4)));
    // A wrong code can be corrected; the right one asks for the password.
    assert_rpc(c.client.invoke_in_dc(4, &sign_in(&hash, "54321")).await, 400, "PHONE_CODE_INVALID");
    assert_rpc(c.client.invoke_in_dc(4, &sign_in("other", "12345")).await, 400, "PHONE_CODE_EXPIRED");
    assert_rpc(c.client.invoke_in_dc(4, &sign_in(&hash, "12345")).await, 401, "SESSION_PASSWORD_NEEDED");
    assert_eq!(dc.signed_in_as(key_id(&session, 4)), None, "not before the password");

    // SRP: a wrong password is refused, a used challenge is gone, the right one signs in.
    let pw = c.client.invoke_in_dc(4, &tl::functions::account::GetPassword {}).await.unwrap();
    let wrong = check_password(pw, "hunter3");
    assert_rpc(c.client.invoke_in_dc(4, &wrong).await, 400, "PASSWORD_HASH_INVALID");
    assert_rpc(c.client.invoke_in_dc(4, &wrong).await, 400, "SRP_ID_INVALID");
    let pw = c.client.invoke_in_dc(4, &tl::functions::account::GetPassword {}).await.unwrap();
    let right = check_password(pw, "hunter2");
    let tl::enums::auth::Authorization::Authorization(a) = c.client.invoke_in_dc(4, &right).await.unwrap() else {
        panic!("signed in");
    };
    assert_eq!(a.user.id(), me);
    assert_eq!(dc.signed_in_as(key_id(&session, 4)), Some(me));
    let users = c.client.invoke_in_dc(4, &get_self()).await.unwrap();
    assert_eq!(users[0].id(), me);

    // dc 1's key is still signed in nowhere: export from dc 4, import on dc 1.
    assert_rpc(c.client.invoke_in_dc(1, &get_self()).await, 401, "AUTH_KEY_UNREGISTERED");
    assert_rpc(
        c.client.invoke_in_dc(4, &tl::functions::auth::ExportAuthorization { dc_id: 4 }).await,
        400,
        "DC_ID_INVALID",
    );
    let tl::enums::auth::ExportedAuthorization::Authorization(x) =
        c.client.invoke_in_dc(4, &tl::functions::auth::ExportAuthorization { dc_id: 1 }).await.unwrap();
    let import = tl::functions::auth::ImportAuthorization { id: x.id, bytes: x.bytes.clone() };
    let forged = tl::functions::auth::ImportAuthorization { id: x.id, bytes: vec![0; x.bytes.len()] };
    assert_rpc(c.client.invoke_in_dc(1, &forged).await, 400, "AUTH_BYTES_INVALID");
    assert_rpc(c.client.invoke_in_dc(3, &import).await, 400, "AUTH_BYTES_INVALID");
    c.client.invoke_in_dc(1, &import).await.unwrap();
    assert_rpc(c.client.invoke_in_dc(1, &import).await, 400, "AUTH_BYTES_INVALID");
    assert_eq!(c.client.invoke_in_dc(1, &get_self()).await.unwrap()[0].id(), me);
    assert_eq!(dc.signed_in_as(key_id(&session, 1)), Some(me));

    // Logging out signs out the key and the key it authorized.
    c.client.invoke_in_dc(4, &tl::functions::auth::LogOut {}).await.unwrap();
    assert_rpc(c.client.invoke_in_dc(4, &get_self()).await, 401, "AUTH_KEY_UNREGISTERED");
    assert_rpc(c.client.invoke_in_dc(1, &get_self()).await, 401, "AUTH_KEY_UNREGISTERED");
    assert_eq!(dc.signed_in_as(key_id(&session, 4)), None);
    assert_eq!(dc.signed_in_as(key_id(&session, 1)), None);

    // The pre-provisioned session is untouched by all this.
    let signed = dc.session_file();
    assert_eq!(signed.home_dc, 4);
    assert_eq!(dc.signed_in_as(key_id(&signed, 4)), Some(me));
}

#[tokio::test]
async fn an_account_without_a_password_signs_in_with_the_code() {
    let mut world = small_world(2);
    world.password = None;
    let me = world.self_id;
    let dc = common::start_with(Config { login_code: "98765".into(), ..Config::default() }, world).await;
    let session = dc.unauthorized_session_file();
    let c = client_no_retries(&session);
    let tl::enums::auth::SentCode::Code(sent) = c.invoke(&send_code(PHONE)).await.unwrap() else { panic!() };
    assert_rpc(c.invoke(&sign_in(&sent.phone_code_hash, "12345")).await, 400, "PHONE_CODE_INVALID");
    let tl::enums::auth::Authorization::Authorization(a) = c.invoke(&sign_in(&sent.phone_code_hash, "98765")).await.unwrap() else {
        panic!()
    };
    assert_eq!(a.user.id(), me);
    let tl::enums::account::Password::Password(p) = c.invoke(&tl::functions::account::GetPassword {}).await.unwrap();
    assert!(!p.has_password);
    assert_eq!(c.invoke(&get_self()).await.unwrap()[0].id(), me);
}

#[tokio::test]
async fn a_bot_account_cannot_start_a_takeout() {
    let mut world = small_world(3);
    let me = world.self_id;
    world.users.iter_mut().find(|u| u.id == me).unwrap().bot = true;
    world.reindex();
    let dc = common::start(world).await;
    let c = client_no_retries(&dc.session_file());
    assert_rpc(c.invoke(&common::takeout_all(1 << 20)).await, 403, "BOT_METHOD_INVALID");
    // And a bot cannot sign in by phone.
    assert_rpc(c.invoke(&send_code(PHONE)).await, 400, "PHONE_NUMBER_INVALID");
}
