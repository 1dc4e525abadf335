//! The world file: the documented example loads, bad files are refused with
//! a message that names the problem, and files round-trip through disk.

use fakedc::world::*;
use serde_json::{Value, json};

/// The example in docs/world-format.md, so the docs cannot rot.
fn doc_example() -> Value {
    let doc = include_str!("../../../docs/world-format.md");
    let start = doc
        .find("<!-- example:world -->")
        .expect("example marker in the docs");
    let block = &doc[start..];
    let body = &block[block.find("```json\n").unwrap() + 8..];
    let body = &body[..body.find("```").unwrap()];
    serde_json::from_str(body).expect("the documented example is JSON")
}

fn load(v: &Value) -> Result<World, WorldError> {
    World::from_json(serde_json::to_vec(v).unwrap().as_slice())
}

/// Loads a broken variant of the example and returns the error's text.
fn refuse(edit: impl FnOnce(&mut Value)) -> (WorldError, String) {
    let mut v = doc_example();
    edit(&mut v);
    let err = load(&v).expect_err("the broken file must be refused");
    let text = err.to_string();
    (err, text)
}

#[test]
fn documented_example_loads() {
    let w = load(&doc_example()).expect("the documented example is a valid world");
    assert_eq!(w.self_user().username.as_deref(), Some("me_myself"));
    assert_eq!(w.message_count(), 3);
    let alice = Peer::User(1_000_000_002);
    let channel = Peer::Channel(1_500_000_001);
    assert_eq!(w.dialogs(), vec![channel, alice]);
    assert_eq!(w.common_box_peer(2), Some(alice));
    assert_eq!(w.history_ids(channel), &[1]);
    let photo = w
        .file(&FileKey::Photo {
            id: 5001,
            size: 'm',
        })
        .unwrap();
    assert_eq!(
        photo,
        FileInfo {
            size: 20_000,
            dc_id: 2,
            access_hash: 77,
            origin: FileOrigin::Message { peer: alice, id: 2 }
        }
    );
    assert_eq!(
        w.message(channel, 1).unwrap().entities[0].kind,
        EntityKind::Bold
    );

    // Writing it gives the canonical form, which loads to the same world.
    let mut out = Vec::new();
    w.to_json(&mut out).unwrap();
    let again = World::from_json(out.as_slice()).unwrap();
    let mut out2 = Vec::new();
    again.to_json(&mut out2).unwrap();
    assert_eq!(out, out2);
}

#[test]
fn refuses_a_dangling_sender() {
    let (err, text) = refuse(|v| v["messages"][0]["from"]["id"] = json!(999));
    assert!(
        matches!(
            err,
            WorldError::Dangling {
                what: "user",
                id: 999,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        text.contains("message 1 of user 1000000002") && text.contains("unknown user 999"),
        "{text}"
    );
}

#[test]
fn refuses_a_peer_of_the_wrong_kind() {
    // A channel addressed as a basic group.
    let (err, text) = refuse(|v| v["messages"][2]["peer"]["type"] = json!("chat"));
    assert!(
        matches!(
            err,
            WorldError::Dangling {
                what: "basic group",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(text.contains("1500000001"), "{text}");
}

#[test]
fn refuses_duplicate_ids() {
    let (err, _) = refuse(|v| v["users"][1]["id"] = json!(1_000_000_001));
    assert!(
        matches!(
            err,
            WorldError::Duplicate {
                what: "user",
                id: 1_000_000_001
            }
        ),
        "{err:?}"
    );

    let (err, text) = refuse(|v| {
        let mut dup = v["messages"][1].clone();
        dup["id"] = json!(1);
        v["messages"].as_array_mut().unwrap().insert(1, dup);
    });
    assert!(matches!(err, WorldError::Invalid { .. }), "{err:?}");
    assert!(text.contains("strictly ascending"), "{text}");

    // Two private chats may not share a common-box id.
    let (err, text) = refuse(|v| {
        let mut m = v["messages"][0].clone();
        m["peer"] = json!({ "type": "user", "id": 1_000_000_001 });
        m["from"] = json!({ "type": "user", "id": 1_000_000_001 });
        v["messages"].as_array_mut().unwrap().push(m);
    });
    assert!(
        matches!(err, WorldError::Duplicate { id: 1, .. }),
        "{err:?}"
    );
    assert!(text.contains("common-box"), "{text}");

    let (err, _) = refuse(|v| {
        let mut m = v["messages"][2].clone();
        m["id"] = json!(2);
        m["media"] = v["messages"][1]["media"].clone();
        v["messages"].as_array_mut().unwrap().push(m);
    });
    assert!(
        matches!(
            err,
            WorldError::Duplicate {
                what: "photo",
                id: 5001
            }
        ),
        "{err:?}"
    );

    let (_, text) = refuse(|v| v["chats"][0]["username"] = json!("ALICE_example"));
    assert!(
        text.contains("@ALICE_example") && text.contains("two peers"),
        "{text}"
    );
}

#[test]
fn refuses_bad_messages() {
    let (_, text) = refuse(|v| v["messages"][1]["date"] = json!(1_600_000_000));
    assert!(text.contains("dates must not decrease"), "{text}");

    let (_, text) = refuse(|v| v["messages"][2]["entities"][0]["length"] = json!(50));
    assert!(
        text.contains("does not fit the text") && text.contains("10 UTF-16"),
        "{text}"
    );

    let (_, text) = refuse(|v| v["messages"][2]["reply_to"] = json!({ "msg_id": 1, "top_id": 1 }));
    assert!(text.contains("not a topic"), "{text}");

    let (_, text) = refuse(|v| v["messages"][1]["via_bot"] = json!(1_000_000_002));
    assert!(text.contains("not a bot"), "{text}");

    let (_, text) = refuse(|v| v["messages"][1]["edit_date"] = json!(1));
    assert!(text.contains("edit_date"), "{text}");

    let (_, text) = refuse(|v| v["messages"][0]["id"] = json!(0));
    assert!(text.contains("not positive"), "{text}");
}

#[test]
fn refuses_bad_chats_and_account() {
    let (err, _) = refuse(|v| v["self_id"] = json!(5));
    assert!(matches!(err, WorldError::Dangling { id: 5, .. }), "{err:?}");

    let (_, text) = refuse(|v| v["chats"][0]["migrated_from"] = json!(77));
    assert!(text.contains("migrated_from"), "{text}");

    let (_, text) = refuse(|v| v["chats"][0]["forum"] = json!(true));
    assert!(text.contains("only supergroups"), "{text}");

    let (err, _) = refuse(|v| v["chats"][0]["members"] = json!([1_000_000_001, 31337]));
    assert!(
        matches!(err, WorldError::Dangling { id: 31337, .. }),
        "{err:?}"
    );

    let (err, _) = refuse(|v| {
        v["top_peers"] =
            json!([{ "category": "groups", "peer": { "type": "chat", "id": 8 }, "rating": 1.0 }])
    });
    assert!(matches!(err, WorldError::Dangling { id: 8, .. }), "{err:?}");
}

#[test]
fn refuses_wrong_shape_and_version() {
    let (err, text) = refuse(|v| v["usres"] = json!([]));
    assert!(
        matches!(err, WorldError::Json(_)) && text.contains("usres"),
        "{text}"
    );

    let (err, _) = refuse(|v| v["version"] = json!(2));
    assert!(matches!(err, WorldError::Version { found: 2 }), "{err:?}");

    let (_, text) = refuse(|v| v["format"] = json!("tgtakeout-session"));
    assert!(text.contains("fakedc-world"), "{text}");

    let err = World::from_json(&b"{\n  \"version\": 1,\n  \"self_id\": oops\n}"[..]).unwrap_err();
    assert!(
        matches!(err, WorldError::Json(_)) && err.to_string().contains("line 3"),
        "{err}"
    );
}

#[test]
fn save_and_load_through_a_file() {
    let dir = std::env::temp_dir().join(format!("fakedc-world-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("world.json");
    let w = World::generate(&WorldParams::preset("small", 4).unwrap());
    w.save(&path).unwrap();
    let loaded = World::load(&path).unwrap();
    assert_eq!(loaded.message_count(), w.message_count());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("{\n  \"format\": \"fakedc-world\",\n  \"version\": 1,\n"),
        "2-space pretty JSON"
    );
    assert!(text.ends_with("}\n"));

    let missing = dir.join("missing.json");
    let err = World::load(&missing).unwrap_err().to_string();
    assert!(err.contains("missing.json"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
