//! Signing in through TelegramApi against a five-dc fakedc whose account
//! lives on dc 4 (PHONE_MIGRATE followed, wrong code and wrong password
//! refused and retried), then requests — takeout-wrapped included — on dcs
//! whose keys are not signed in: the sign-in is carried over once per dc
//! by export/import, and logOut signs everything out.

use fakedc::world::{WorldParams, World};
use fakedc::{Config, FakeDc};
use grammers_tl_types as tl;
use takeout::api::{self, Api, ApiError};
use takeout_telegram::{ClientOptions, LoginError, SignIn, TelegramApi};

fn world() -> World {
    World::generate(&WorldParams::preset("small", 1).unwrap())
}

fn get_self() -> tl::functions::users::GetUsers {
    tl::functions::users::GetUsers { id: vec![tl::enums::InputUser::UserSelf] }
}

fn is_unregistered(e: &ApiError) -> bool {
    matches!(e, ApiError::Rpc { code: 401, name, .. } if name == "AUTH_KEY_UNREGISTERED")
}

#[tokio::test]
async fn sign_in_then_every_dc_is_signed_in_on_first_use() {
    let world = world();
    let me = world.self_id;
    let dc = FakeDc::start(Config { dcs: vec![1, 2, 3, 4, 5], home_dc: 4, ..Config::default() }, world).await.unwrap();
    let session = dc.unauthorized_session_file();
    let api = TelegramApi::connect(&session, ClientOptions::new(7)).unwrap();
    assert_eq!(api.home_dc(), 2);
    let e = api::invoke(&api, &get_self()).await.unwrap_err();
    assert!(is_unregistered(&e), "{e:?}");

    assert!(matches!(api.send_code("+1 555 000 0000", 7, "hash").await, Err(LoginError::PhoneInvalid(_))));
    assert!(matches!(api.send_code("+15550100000", 7, "").await, Err(LoginError::ApiIdInvalid)));
    let sent = api.send_code("+15550100000", 7, "0123456789abcdef").await.unwrap();
    assert_eq!(api.home_dc(), 4, "PHONE_MIGRATE_4 followed");
    assert_eq!(sent.length, Some(5));
    assert!(matches!(api.sign_in(&sent, "11111").await, Err(LoginError::CodeInvalid)));
    assert!(matches!(api.sign_in(&sent, " 12345\n").await, Ok(SignIn::PasswordNeeded)));
    assert!(matches!(api.check_password(b"hunter3").await, Err(LoginError::PasswordInvalid)));
    let user = api.check_password(b"hunter2").await.unwrap();
    assert_eq!(user.id, me);
    assert_eq!(api.me().await.unwrap().id, me);
    let after = api.session_file();
    assert_eq!(after.home_dc, 4);
    assert!(after.dcs.iter().map(|d| (d.id, d.auth_key.clone())).eq(session.dcs.iter().map(|d| (d.id, d.auth_key.clone()))));

    // Takeout on the home dc, then a takeout-wrapped request on each other dc.
    let init = tl::functions::account::InitTakeoutSession {
        contacts: false,
        message_users: true,
        message_chats: false,
        message_megagroups: false,
        message_channels: false,
        files: true,
        file_max_size: Some(1 << 20),
    };
    let tl::enums::account::Takeout::Takeout(t) = api::invoke(&api, &init).await.unwrap();
    for other in [1, 3, 5, 1] {
        let wrapped = tl::functions::InvokeWithTakeout { takeout_id: t.id, query: get_self() };
        let answer = api.invoke_raw_in_dc(other, tl::Serializable::to_bytes(&wrapped)).await.unwrap();
        let users: Vec<tl::enums::User> = tl::Deserializable::from_bytes(&answer).unwrap();
        assert_eq!(users[0].id(), me, "dc {other}");
    }
    let stats = dc.stats();
    assert_eq!(stats.requests_of("auth.exportAuthorization"), 3, "once per dc, not again for dc 1");
    assert_eq!(stats.requests_of("auth.importAuthorization"), 3);
    // The three first tries on dcs 1, 3, 5 (the first getUsers on dc 2 made one more).
    assert_eq!(stats.errors_of("AUTH_KEY_UNREGISTERED"), 4);
    assert_eq!(stats.requests_of("invokeWithTakeout"), 7);

    api.log_out().await.unwrap();
    for other in [4, 1, 3, 5] {
        let e = api.invoke_raw_in_dc(other, tl::Serializable::to_bytes(&get_self())).await;
        assert!(matches!(&e, Err(e) if is_unregistered(e)), "dc {other}: {e:?}");
        let key = mtproto_server_key_id(&session, other);
        assert_eq!(dc.signed_in_as(key), None, "dc {other} signed out");
    }
}

fn mtproto_server_key_id(session: &takeout_telegram::SessionFile, dc: i32) -> u64 {
    use sha1::Digest;
    let key = session.dc(dc).unwrap().auth_key.as_ref().unwrap().expose();
    let h = sha1::Sha1::digest(key);
    u64::from_le_bytes(h[12..20].try_into().unwrap())
}
