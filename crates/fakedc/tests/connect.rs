//! The real grammers 0.11 client against an in-process fakedc.

mod common;

use std::time::Duration;

use fakedc::session_file::SessionFile;
use grammers_client::tl;
use tokio::io::AsyncWriteExt;

#[tokio::test]
async fn config_self_and_takeout_match_the_world() {
    let world = common::small_world(7);
    let (self_id, self_name, self_hash) = {
        let me = world.self_user();
        (me.id, me.first_name.clone(), me.access_hash)
    };
    let dc = common::start(world).await;
    // Through the file, as a user would: written 0600, read back.
    let dir = tempdir();
    let path = dir.join("session.json");
    dc.session_file().save(&path).unwrap();
    let session = SessionFile::load(&path).unwrap();
    let (client, _runner) = common::client(&session);

    let tl::enums::Config::Config(config) = client.invoke(&tl::functions::help::GetConfig {}).await.unwrap();
    assert_eq!(config.this_dc, 2);
    for opt in &config.dc_options {
        let tl::enums::DcOption::Option(o) = opt;
        assert_eq!(o.ip_address, "127.0.0.1", "only loopback addresses are advertised");
    }
    assert!(config.dc_options.iter().any(|tl::enums::DcOption::Option(o)| o.port == dc.addr().port() as i32));

    let users = client
        .invoke(&tl::functions::users::GetUsers { id: vec![tl::enums::InputUser::UserSelf] })
        .await
        .unwrap();
    assert_eq!(users.len(), 1);
    let tl::enums::User::User(me) = &users[0] else { panic!("self is a user, not empty") };
    assert!(me.is_self);
    assert_eq!(me.id, self_id);
    assert_eq!(me.first_name.as_deref(), Some(self_name.as_str()));
    assert_eq!(me.access_hash, Some(self_hash));

    let tl::enums::users::UserFull::Full(full) = client
        .invoke(&tl::functions::users::GetFullUser { id: tl::enums::InputUser::UserSelf })
        .await
        .unwrap();
    let tl::enums::UserFull::Full(f) = &full.full_user;
    assert_eq!(f.id, self_id);

    let request = tl::functions::account::InitTakeoutSession {
        contacts: true,
        message_users: true,
        message_chats: false,
        message_megagroups: true,
        message_channels: false,
        files: true,
        file_max_size: Some(8 << 20),
    };
    let tl::enums::account::Takeout::Takeout(t) = client.invoke(&request).await.unwrap();
    let records = dc.takeouts();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].id, t.id);
    let f = records[0].flags;
    assert!(f.contacts && f.message_users && !f.message_chats && f.message_megagroups && !f.message_channels && f.files);
    assert_eq!(f.file_max_size, Some(8 << 20));

    // Finishing goes through invokeWithTakeout, and is recorded.
    let done = client
        .invoke(&tl::functions::InvokeWithTakeout {
            takeout_id: t.id,
            query: tl::functions::account::FinishTakeoutSession { success: true },
        })
        .await
        .unwrap();
    assert!(done);
    assert_eq!(dc.takeouts()[0].finished, Some(true));
    let stats = dc.stats();
    assert_eq!(stats.requests_of("users.getUsers"), 1);
    assert_eq!(stats.requests_of("invokeWithTakeout"), 1);
}

#[tokio::test]
async fn survives_a_dropped_connection() {
    let dc = common::start(common::small_world(1)).await;
    let self_id = dc.with_world(|w| w.self_id);
    let (client, _runner) = common::client(&dc.session_file());
    let get_self = tl::functions::users::GetUsers { id: vec![tl::enums::InputUser::UserSelf] };
    assert_eq!(client.invoke(&get_self).await.unwrap()[0].id(), self_id);

    dc.state().faults.drop_next(1);
    // grammers' default retry policy treats the I/O error as a short flood
    // wait: it reconnects, re-sends initConnection and retries, so the
    // caller still gets the answer. Either way the answer must be right.
    match client.invoke(&get_self).await {
        Ok(users) => assert_eq!(users[0].id(), self_id),
        Err(e) => assert!(e.to_string().contains("read") || e.to_string().contains("io"), "{e}"),
    }
    assert_eq!(client.invoke(&get_self).await.unwrap()[0].id(), self_id);
    let stats = dc.stats();
    assert_eq!(stats.requests_of("help.getConfig"), 2, "one connection, dropped, one reconnection: {stats:?}");
    assert!(stats.requests_of("users.getUsers") >= 3, "{stats:?}");
}

#[tokio::test]
async fn two_hundred_requests_from_eight_tasks() {
    let world = common::small_world(3);
    let users: Vec<(i64, i64, String)> =
        world.users.iter().filter(|u| !u.deleted).map(|u| (u.id, u.access_hash, u.first_name.clone())).collect();
    let dc = common::start(world).await;
    let (client, _runner) = common::client(&dc.session_file());
    let users = std::sync::Arc::new(users);
    let mut tasks = Vec::new();
    for t in 0..8 {
        let client = client.clone();
        let users = users.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..25 {
                let (id, hash, name) = &users[(t * 25 + i) % users.len()];
                let got = client
                    .invoke(&tl::functions::users::GetUsers {
                        id: vec![tl::types::InputUser { user_id: *id, access_hash: *hash }.into()],
                    })
                    .await
                    .unwrap();
                let tl::enums::User::User(u) = &got[0] else { panic!("user {id} came back empty") };
                assert_eq!((u.id, u.first_name.as_deref()), (*id, Some(name.as_str())));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(dc.stats().requests_of("users.getUsers"), 200);
}

#[tokio::test]
async fn hostile_connections_do_not_disturb_others() {
    let dc = common::start(common::small_world(1)).await;
    let addr = dc.addr();
    let session = dc.session_file();
    let key = *session.dcs[0].auth_key.as_ref().unwrap().expose();

    // Full-transport frames: len | seq | payload | crc32.
    fn full_frame(payload: &[u8]) -> Vec<u8> {
        let len = (payload.len() + 12) as u32;
        let mut f = len.to_le_bytes().to_vec();
        f.extend_from_slice(&0u32.to_le_bytes());
        f.extend_from_slice(payload);
        let crc = crc32(&f);
        f.extend_from_slice(&crc.to_le_bytes());
        f
    }
    let key_id = {
        use sha1::Digest;
        let h = sha1::Sha1::digest(&key);
        u64::from_le_bytes(h[12..20].try_into().unwrap())
    };
    let mut wrong_key = 0x1122_3344_5566_7788u64.to_le_bytes().to_vec();
    wrong_key.extend_from_slice(&[0u8; 16 + 64]);
    let mut bad_msg_key = key_id.to_le_bytes().to_vec();
    bad_msg_key.extend_from_slice(&[0x5au8; 16 + 64]);
    let attacks: Vec<Vec<u8>> = vec![
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        vec![0xff; 64],
        full_frame(&[1, 2, 3])[..9].to_vec(), // truncated
        full_frame(&wrong_key),
        full_frame(&bad_msg_key),
        {
            let mut f = full_frame(&bad_msg_key);
            let n = f.len();
            f[n - 1] ^= 0xff; // bad crc
            f
        },
    ];
    let mut held = Vec::new();
    for bytes in attacks {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let _ = s.write_all(&bytes).await;
        held.push(s); // keep some open while the good client works
    }
    tokio::time::sleep(Duration::from_millis(50)).await;

    let (client, _runner) = common::client(&session);
    let got = client
        .invoke(&tl::functions::users::GetUsers { id: vec![tl::enums::InputUser::UserSelf] })
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    drop(held);
}

fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("fakedc-test-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
