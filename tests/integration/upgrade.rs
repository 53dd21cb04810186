//! A database made by an earlier release, brought up to date by the migrations that followed: what
//! it held must all still be there and be found the same ways.

use std::path::Path;

use sqlx::migrate::Migrator;
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::SqlitePool;

use crate::support::Workspace;

const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src-tauri/migrations");

/// A migrator of the migrations whose names sort before `until`, as an earlier release shipped them.
async fn migrations_before(until: &str, dir: &Path) -> Migrator {
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir(MIGRATIONS).unwrap().flatten() {
        if entry.file_name().to_string_lossy().as_ref() < until {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
    Migrator::new(dir).await.unwrap()
}

/// A database as the release before migration `until` left it.
async fn database_before(until: &str, ws: &Workspace) -> SqlitePool {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new().filename(ws.path().join("old.db")).create_if_missing(true),
        )
        .await
        .unwrap();
    migrations_before(until, &ws.path().join("earlier")).await.run(&pool).await.unwrap();
    pool
}

async fn scalar(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn upgrading_keeps_every_lead_its_answers_search_words_and_identifiers() {
    let ws = Workspace::new();
    let pool = database_before("20261122220000", &ws).await;

    // Two leads as the earlier importer stored them, and one of a client since removed, whose search
    // words that release left behind.
    for sql in [
        "INSERT INTO clients (id, name, created_at) VALUES ('c1', 'Acme', '2026-11-01T00:00:00Z')",
        "INSERT INTO imports (id, client_id, file_name, file_size, format, started_at, status)
         VALUES ('i1', 'c1', 'spring.csv', 10, 'UTF-8', '2026-11-02T10:00:00Z', 'completed')",
        r#"INSERT INTO leads (id, client_id, lead_key, meta_id, created_time, created_unix, ad_id, ad_name, adset_id,
            adset_name, campaign_id, campaign_name, form_id, form_name, is_organic, platform, lead_status, is_test,
            full_name, email, phone, answers, content_hash, import_id, source_file, source_line, imported_at)
         VALUES (1, 'c1', '111', '111', '2026-10-01T10:00:00+0000', 1790000000, 'a', 'A', 's', 'S', 'c', 'C', 'f',
            'F', 0, 'fb', 'CREATED', 0, 'Chiara García', 'chiara@example.com', '+447700900001',
            '[["full_name","Chiara García"],["email","chiara@example.com"],["budget?","5k"]]', 'h1', 'i1',
            'spring.csv', 2, '2026-11-02T10:00:00Z'),
                (2, 'c1', '222', '222', '2026-10-02T10:00:00+0000', 1790086400, 'a', 'A', 's', 'S', 'c', 'C', 'f',
            'F', 0, 'ig', 'CREATED', 0, 'Jonas Berg', 'jonas@example.com', '',
            '[["full_name","Jonas Berg"],["email","jonas@example.com"],["budget?",""]]', 'h2', 'i1',
            'spring.csv', 3, '2026-11-02T10:00:00Z')"#,
        "INSERT INTO identities (hash, lead_id, kind) VALUES (x'01', 1, 3), (x'02', 1, 1), (x'03', 1, 2), (x'04', 2, 3), (x'05', 2, 1)",
        "INSERT INTO leads_fts (rowid, body) VALUES (1, 'Chiara García\nchiara@example.com\n5k'), (2, 'Jonas Berg\njonas@example.com'), (99, 'Gone Person')",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }

    Migrator::new(Path::new(MIGRATIONS)).await.unwrap().run(&pool).await.unwrap();
    custodian::leads::words::split_whole_index(&pool).await.unwrap();

    let (keys, answers): (String, String) = sqlx::query_as(
        "SELECT k.keys, l.answers FROM leads AS l JOIN answer_keys AS k ON k.id = l.answer_keys WHERE l.id = 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(keys, r#"["full_name","email","budget?"]"#);
    assert_eq!(answers, r#"["Chiara García","chiara@example.com","5k"]"#);
    assert_eq!(scalar(&pool, "SELECT count(DISTINCT answer_keys) FROM leads").await, 1, "one set of keys for both");

    let search = |q: &'static str| {
        let pool = pool.clone();
        async move { custodian::leads::words::matching(&mut pool.acquire().await.unwrap(), q).await.unwrap() }
    };
    assert_eq!(search("garcia").await, [1], "accents folded, as before");
    assert_eq!(search("\"jon\"*").await, [2]);
    assert!(search("gone").await.is_empty(), "the removed client's words are gone");

    assert_eq!(
        scalar(&pool, "SELECT count(*) FROM leads AS l JOIN clients AS c ON c.num = l.client_num WHERE c.id = 'c1'")
            .await,
        2,
        "leads carry their client's number"
    );
    assert_eq!(scalar(&pool, "SELECT count(*) FROM identities").await, 5);
    assert_eq!(
        scalar(&pool, "SELECT count(*) FROM leads WHERE id_hash = x'01' AND email_hash = x'02' AND phone_hash = x'03'")
            .await,
        1
    );
    assert_eq!(scalar(&pool, "SELECT count(*) FROM leads WHERE id = 2 AND phone_hash IS NULL").await, 1);

    // Removing the lead now takes its words and identifiers with it.
    sqlx::query("DELETE FROM leads WHERE id = 1").execute(&pool).await.unwrap();
    assert!(search("chiara").await.is_empty());
    assert_eq!(scalar(&pool, "SELECT count(*) FROM identities").await, 2);

    // A client added after the upgrade is numbered, and removing it removes its leads.
    sqlx::query("INSERT INTO clients (id, name, created_at) VALUES ('c2', 'Beta', '2026-11-03T00:00:00Z')")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(scalar(&pool, "SELECT count(*) FROM clients WHERE num IS NULL").await, 0);
    sqlx::query("PRAGMA foreign_keys = ON").execute(&pool).await.unwrap();
    sqlx::query("DELETE FROM clients WHERE id = 'c1'").execute(&pool).await.unwrap();
    assert_eq!(scalar(&pool, "SELECT count(*) FROM leads").await, 0);
    assert!(search("jonas").await.is_empty());
    pool.close().await;
}

#[tokio::test]
async fn upgrading_folds_identifiers_an_interrupted_import_left_in_the_old_runs() {
    let ws = Workspace::new();
    let pool = database_before("20261123010000", &ws).await;
    for sql in [
        "INSERT INTO identities (hash, lead_id, kind) VALUES (x'01', 1, 1)",
        "INSERT INTO identity_run_list (run) VALUES (1), (2)",
        "INSERT INTO identity_runs (run, hash, lead_id, kind) VALUES (1, x'02', 2, 1), (1, x'01', 1, 1), (2, x'03', 3, 2)",
        // A run no longer listed was already folded or abandoned: it is not brought back.
        "INSERT INTO identity_runs (run, hash, lead_id, kind) VALUES (9, x'09', 9, 1)",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }

    Migrator::new(Path::new(MIGRATIONS)).await.unwrap().run(&pool).await.unwrap();

    let index: Vec<(Vec<u8>, i64)> =
        sqlx::query_as("SELECT hash, lead_id FROM identities ORDER BY hash").fetch_all(&pool).await.unwrap();
    assert_eq!(index, [(vec![1], 1), (vec![2], 2), (vec![3], 3)]);
    assert_eq!(scalar(&pool, "SELECT count(*) FROM identity_run_list").await, 0);
    assert_eq!(scalar(&pool, "SELECT count(*) FROM identity_run_blocks").await, 0);
    pool.close().await;
}

const P1: &str = "00112233445566778899AABBCCDDEEFF";
const P2: &str = "0000000000000000000000000000000A";
const P3: &str = "F0000000000000000000000000000000";

#[tokio::test]
async fn upgrading_keeps_conversion_events_what_was_sent_their_people_and_their_ids() {
    let ws = Workspace::new();
    let pool = database_before("20261206090000", &ws).await;
    let em = "ab".repeat(32);
    let user = format!(r#"{{"em":"{em}","ph":"{}"}}"#, "cd".repeat(32));
    for sql in [
        "INSERT INTO clients (id, name, created_at) VALUES ('c1', 'Acme', '2026-11-01T00:00:00Z')".to_owned(),
        "INSERT INTO capi_sends (id, client_id, dataset_id, events, attempted_unix, answered_at, answered_unix,
             events_received, fbtrace_id)
         VALUES (1, 'c1', 'px1', '[1]', 1796000000, '2026-12-01T10:00:00Z', 1796000000, 1, 'trace')"
            .to_owned(),
        format!(
            "INSERT INTO capi_events (id, client_id, event_name, event_id, dedup, event_time, action_source, source,
                 user_data, status, queued_at, send_id)
             VALUES (1, 'c1', 'Purchase', 'e1', x'01', 1795990000, 'physical_store', 'a.csv, line 2', '{user}', 'sent',
                 '2026-12-01T09:00:00Z', 1),
                    (2, 'c1', 'Purchase', 'e2', x'02', 1795990000, 'physical_store', 'a.csv, line 3', '{user}',
                 'pending', '2026-12-01T09:00:00Z', NULL),
                    (3, 'c1', 'Purchase', 'e3', x'03', 1795990000, 'physical_store', 'a.csv, line 4', '{user}',
                 'pending', '2026-12-01T09:00:00Z', NULL)"
        ),
        // Keyed hashes with NUL bytes in them, and one event with two people.
        format!(
            "INSERT INTO capi_event_people (event, hash) VALUES (1, x'{P1}'), (2, x'{P2}'), (2, x'{P3}'), (3, x'{P3}')"
        ),
        // The newest event was erased: its id is never given again.
        "DELETE FROM capi_events WHERE id = 3".to_owned(),
        "DELETE FROM capi_event_people WHERE event = 3".to_owned(),
    ] {
        sqlx::query(&sql).execute(&pool).await.unwrap();
    }

    sqlx::query("PRAGMA foreign_keys = ON").execute(&pool).await.unwrap();
    Migrator::new(Path::new(MIGRATIONS)).await.unwrap().run(&pool).await.unwrap();

    let log = custodian::capi::events::log(&pool, None, 10).await.unwrap();
    assert_eq!(log.len(), 1, "the event Meta took is still in the log, and only it");
    assert_eq!((log[0].event_id.as_str(), log[0].fbtrace_id.as_deref()), ("e1", Some("trace")));
    assert!(log[0].keys.contains(&("em".to_owned(), em.clone())), "{:?}", log[0].keys);

    let mut conn = pool.acquire().await.unwrap();
    let unsent = custodian::store::direct(&mut conn, |c| custodian::capi::events::unsent_now(c, None, false, 0, 10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unsent.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>(), ["e2"], "what was sent stays sent");
    assert_eq!(unsent[0].payload()["user_data"]["em"], em.as_str(), "JSON kept before packing is sent as it was");
    drop(conn);

    let people: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, hex(people) FROM capi_events ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(people, [(1, P1.to_owned()), (2, format!("{P2}{P3}"))], "the events keep their people, in their rows");
    assert_eq!(queue(&pool, "e4").await, 4, "an erased event's id is not given again");

    // Removing the client takes its events, what was sent and the sends.
    sqlx::query("DELETE FROM clients WHERE id = 'c1'").execute(&pool).await.unwrap();
    for table in ["capi_events", "capi_sent_runs", "capi_sends"] {
        assert_eq!(scalar(&pool, &format!("SELECT count(*) FROM {table}")).await, 0, "{table}");
    }
    pool.close().await;
}

/// Queues an event of client `c1` as an import does, and gives its id.
async fn queue(pool: &SqlitePool, event_id: &str) -> i64 {
    let event = custodian::capi::events::NewEvent {
        event_name: "Purchase".to_owned(),
        event_id: event_id.to_owned(),
        event_time: 1_795_990_000,
        action_source: "physical_store",
        source: "b.csv, line 2".to_owned(),
        user_data: custodian::capi::user_data::UserData::default(),
        custom_data: None,
        problem: None,
        people: vec![[9; 16]],
    };
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await.unwrap();
    let queued = custodian::store::direct(&mut conn, |c| {
        custodian::capi::events::queue_now(c, "c1", &[event], "2026-12-02T09:00:00Z")
    })
    .await
    .unwrap()
    .unwrap();
    sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
    assert_eq!(queued, [true], "{event_id} is new");
    sqlx::query_scalar("SELECT id FROM capi_events WHERE event_id = ?1")
        .bind(event_id)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn upgrading_gives_new_conversion_events_ids_above_every_id_given_before_even_once_its_event_has_gone() {
    let ws = Workspace::new();
    let pool = database_before("20261212090000", &ws).await;
    let event = |n: i64| {
        format!(
            "INSERT INTO capi_events (client_id, event_name, event_id, dedup, event_time, action_source, source,
                 user_data, queued_at, people)
             VALUES ('c1', 'Purchase', 'e{n}', x'0{n}', 1795990000, 'physical_store', 'a.csv, line {n}', x'',
                 '2026-12-01T09:00:00Z', x'{P1}')"
        )
    };
    let mut statements =
        vec!["INSERT INTO clients (id, name, created_at) VALUES ('c1', 'Acme', '2026-11-01T00:00:00Z')".to_owned()];
    statements.extend((1..=3).map(event));
    // Meta took 1 to 3; the newest of them was erased since. A new event given id 3 would read as
    // taken by that send, and never be sent.
    statements.extend([
        "INSERT INTO capi_sends (id, client_id, dataset_id, events, attempted_unix, answered_at, answered_unix,
             events_received, fbtrace_id)
         VALUES (1, 'c1', 'px1', '[1,2,3]', 1796000000, '2026-12-01T10:00:00Z', 1796000000, 3, 'trace')"
            .to_owned(),
        "INSERT INTO capi_sent_runs (first, last, send_id) VALUES (1, 3, 1)".to_owned(),
        "DELETE FROM capi_events WHERE id = 3".to_owned(),
    ]);
    for sql in statements {
        sqlx::query(&sql).execute(&pool).await.unwrap();
    }

    sqlx::query("PRAGMA foreign_keys = ON").execute(&pool).await.unwrap();
    Migrator::new(Path::new(MIGRATIONS)).await.unwrap().run(&pool).await.unwrap();

    let kept: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, hex(people) FROM capi_events ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(kept, [(1, P1.to_owned()), (2, P1.to_owned())], "the events are kept with their ids and people");
    assert_eq!(queue(&pool, "e4").await, 4, "the erased event's id is not given again");
    assert_eq!(queue(&pool, "e5").await, 5);
    sqlx::query("DELETE FROM capi_events WHERE id = 5").execute(&pool).await.unwrap();
    assert_eq!(queue(&pool, "e6").await, 6, "nor is the id of an event erased since the upgrade");

    let mut conn = pool.acquire().await.unwrap();
    let unsent = custodian::store::direct(&mut conn, |c| custodian::capi::events::unsent_now(c, None, false, 0, 10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        unsent.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>(),
        ["e4", "e6"],
        "what Meta took stays taken, and only it"
    );
    drop(conn);

    sqlx::query("DELETE FROM clients WHERE id = 'c1'").execute(&pool).await.unwrap();
    for table in ["capi_events", "capi_sent_runs", "capi_sends"] {
        assert_eq!(scalar(&pool, &format!("SELECT count(*) FROM {table}")).await, 0, "{table}");
    }
    pool.close().await;
}

#[tokio::test]
async fn upgrading_keeps_each_event_meta_took_as_taken_by_its_send_and_nothing_else() {
    let ws = Workspace::new();
    let pool = database_before("20261209090000", &ws).await;
    let event = |id: i64| {
        format!(
            "INSERT INTO capi_events (id, client_id, event_name, event_id, dedup, event_time, action_source, source,
                 user_data, queued_at)
             VALUES ({id}, 'c1', 'Purchase', 'e{id}', x'0{id}', 1795990000, 'physical_store', 'a.csv, line {id}', x'',
                 '2026-12-01T09:00:00Z')"
        )
    };
    let send = |id: i64, at: i64| {
        format!(
            "INSERT INTO capi_sends (id, client_id, dataset_id, events, attempted_unix, answered_at, answered_unix,
                 events_received, fbtrace_id)
             VALUES ({id}, 'c1', 'px1', '[]', {at}, '2026-12-01T10:00:00Z', {at}, 4, 'trace{id}')"
        )
    };
    let mut statements =
        vec!["INSERT INTO clients (id, name, created_at) VALUES ('c1', 'Acme', '2026-11-01T00:00:00Z')".to_owned()];
    statements.extend((1..=8).map(event));
    statements.extend([send(1, 1796000000), send(2, 1796000100)]);
    // Send 1 took 1 to 3 and 5 (4 was withheld, and waits); send 2 took 6 and 7; 7 was erased since.
    statements.push(
        "INSERT INTO capi_event_sends (event, send_id) VALUES (1, 1), (2, 1), (3, 1), (5, 1), (6, 2), (7, 2)"
            .to_owned(),
    );
    statements.push("DELETE FROM capi_events WHERE id = 7".to_owned());
    for sql in statements {
        sqlx::query(&sql).execute(&pool).await.unwrap();
    }

    sqlx::query("PRAGMA foreign_keys = ON").execute(&pool).await.unwrap();
    Migrator::new(Path::new(MIGRATIONS)).await.unwrap().run(&pool).await.unwrap();

    let runs: Vec<(i64, i64, i64)> = sqlx::query_as("SELECT first, last, send_id FROM capi_sent_runs ORDER BY first")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(runs, [(1, 3, 1), (5, 5, 1), (6, 6, 2)]);
    let log = custodian::capi::events::log(&pool, None, 10).await.unwrap();
    let taken: Vec<(String, Option<String>)> = log.iter().map(|l| (l.event_id.clone(), l.fbtrace_id.clone())).collect();
    let trace = |n: i64| Some(format!("trace{n}"));
    assert_eq!(
        taken,
        [
            ("e6".to_owned(), trace(2)),
            ("e5".to_owned(), trace(1)),
            ("e3".to_owned(), trace(1)),
            ("e2".to_owned(), trace(1)),
            ("e1".to_owned(), trace(1))
        ]
    );
    let mut conn = pool.acquire().await.unwrap();
    let unsent = custodian::store::direct(&mut conn, |c| custodian::capi::events::unsent_now(c, None, false, 0, 10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unsent.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>(), ["e4", "e8"]);
    drop(conn);

    // Removing the client takes its events, the sends and their runs.
    sqlx::query("DELETE FROM capi_events WHERE client_id = 'c1'").execute(&pool).await.unwrap();
    sqlx::query("DELETE FROM clients WHERE id = 'c1'").execute(&pool).await.unwrap();
    for table in ["capi_events", "capi_sent_runs", "capi_sends"] {
        assert_eq!(scalar(&pool, &format!("SELECT count(*) FROM {table}")).await, 0, "{table}");
    }
    pool.close().await;
}

#[tokio::test]
async fn upgrading_keeps_every_push_result_and_each_still_goes_with_its_lead_and_its_push() {
    let ws = Workspace::new();
    let pool = database_before("20261208090000", &ws).await;
    let lead = |id: i64| {
        format!(
            "INSERT INTO leads (id, client_num, lead_key, created_time, created_unix, ad_id, ad_name, adset_id,
                 adset_name, campaign_id, campaign_name, form_id, form_name, platform, lead_status, is_test,
                 full_name, email, phone, answers, content_hash, source_line)
             VALUES ({id}, 1, 'k{id}', '2026-10-01T10:00:00+0000', 1790000000, 'a', 'A', 's', 'S', 'c', 'C', 'f',
                 'F', 'fb', 'CREATED', 0, '', '', '', '[]', 'h{id}', {id})"
        )
    };
    for sql in [
        "INSERT INTO clients (id, name, created_at, num) VALUES ('c1', 'Acme', '2026-11-01T00:00:00Z', 1)".to_owned(),
        lead(1),
        lead(2),
        lead(3),
        "INSERT INTO crm_connections (id, crm, client_id, base_url, created_at)
         VALUES ('k1', 'hubspot', 'c1', 'http://127.0.0.1:9', '2026-12-01T00:00:00Z')"
            .to_owned(),
        "INSERT INTO crm_pushes (id, connection_id, started_at) VALUES (1, 'k1', '2026-12-01T10:00:00Z'),
             (2, 'k1', '2026-12-01T11:00:00Z')"
            .to_owned(),
        "INSERT INTO crm_push_results (push_id, lead_id, status, message)
         VALUES (1, 1, 'created', NULL), (1, 2, 'failed', 'Email is invalid'), (2, 2, 'updated', NULL)"
            .to_owned(),
    ] {
        sqlx::query(&sql).execute(&pool).await.unwrap();
    }

    sqlx::query("PRAGMA foreign_keys = ON").execute(&pool).await.unwrap();
    Migrator::new(Path::new(MIGRATIONS)).await.unwrap().run(&pool).await.unwrap();

    let seen = |results: Vec<custodian::crm::push_log::LeadResult>| -> Vec<(i64, i64, String, Option<String>)> {
        results.into_iter().map(|r| (r.push_id, r.lead_id, r.status, r.message)).collect()
    };
    let results = custodian::crm::push_log::results(&pool, Some("Acme"), None, None, 10).await.unwrap();
    assert_eq!(
        seen(results),
        [
            (2, 2, "updated".to_owned(), None),
            (1, 1, "created".to_owned(), None),
            (1, 2, "failed".to_owned(), Some("Email is invalid".to_owned()))
        ]
    );
    let bad = sqlx::query("INSERT INTO crm_push_results (push_id, lead_id, status) VALUES (2, 3, 'lost')")
        .execute(&pool)
        .await;
    assert!(bad.is_err(), "a status that is no result is still refused");

    sqlx::query("DELETE FROM leads WHERE id = 2").execute(&pool).await.unwrap();
    let results = custodian::crm::push_log::results(&pool, None, None, None, 10).await.unwrap();
    assert_eq!(seen(results), [(1, 1, "created".to_owned(), None)], "a lead erased takes its results");
    sqlx::query("DELETE FROM crm_connections WHERE id = 'k1'").execute(&pool).await.unwrap();
    assert_eq!(scalar(&pool, "SELECT count(*) FROM crm_push_results").await, 0, "a connection removed takes them too");
    pool.close().await;
}

/// FTS5's own check of the conversations' search index against the messages it reads its text from.
async fn search_index_is_sound(pool: &SqlitePool) {
    sqlx::query("INSERT INTO chat_words (chat_words, rank) VALUES ('integrity-check', 1)")
        .execute(pool)
        .await
        .expect("the search index agrees with the messages");
}

#[tokio::test]
async fn upgrading_keeps_every_message_with_its_id_and_words_and_a_threads_span_is_its_messages() {
    use custodian::chat::threads::{self, Window};

    let ws = Workspace::new();
    let pool = database_before("20261213090000", &ws).await;
    for sql in [
        "INSERT INTO clients (id, name, created_at) VALUES ('c1', 'Acme', '2026-11-01T00:00:00Z')",
        // The span kept beside a thread was behind its messages (an import that stopped before
        // writing it): after the upgrade, a span is its messages'.
        "INSERT INTO chat_threads (id, client_id, channel, remote_id, title, source, first_at, last_at)
         VALUES (1, 'c1', 'whatsapp', 'B:447911123456', 'Ann Lee', 'webhook archive a.jsonl', 1795000000, 1795000000),
                (2, 'c1', 'whatsapp', 'B:4915112345678', 'Bo', 'webhook archive a.jsonl', 1795100000, 1795100000)",
        "INSERT INTO chat_messages (id, thread_id, remote_id, sent_at, author, from_business, kind, body)
         VALUES (7, 1, 'wamid.1', 1795000000, 'Ann Lee', 0, 'text', 'Is the zebracorn sofa still available?'),
                (8, 1, 'wamid.2', 1795000600, NULL, 0, 'system', ''),
                (9, 1, 'wamid.3', 1795003600, 'Ann Lee', 0, 'text', 'Delivery tomorrow please'),
                (12, 2, 'wamid.4', 1795100000, 'Bo', 0, 'text', 'Guten Tag, zebracorn boots?')",
        "INSERT INTO chat_words (rowid, body) VALUES (7, 'Is the zebracorn sofa still available?'),
             (9, 'Delivery tomorrow please'), (12, 'Guten Tag, zebracorn boots?')",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }

    sqlx::query("PRAGMA foreign_keys = ON").execute(&pool).await.unwrap();
    Migrator::new(Path::new(MIGRATIONS)).await.unwrap().run(&pool).await.unwrap();
    search_index_is_sound(&pool).await;

    let mut conn = pool.acquire().await.unwrap();
    let found = threads::list(&mut conn, Some("c1"), Some("zebracorn"), Window::ALL).await.unwrap();
    assert_eq!(found.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["Bo", "Ann Lee"], "latest first");
    let ann = threads::show(&mut conn, 1, Window::ALL).await.unwrap().expect("Ann's thread is kept");
    assert_eq!(ann.messages.iter().map(|m| m.id).collect::<Vec<_>>(), [7, 8, 9], "each message keeps its id");
    assert_eq!(
        (ann.summary.first_at.as_str(), ann.summary.last_at.as_str()),
        ("2026-11-18T11:06:40Z", "2026-11-18T12:06:40Z")
    );
    let delivery = threads::list(&mut conn, Some("c1"), Some("delivery"), Window::ALL).await.unwrap();
    assert_eq!(delivery.len(), 1);
    let refused =
        sqlx::query("UPDATE chat_messages SET body = 'something else' WHERE id = 9").execute(&mut *conn).await;
    assert!(refused.is_err(), "a message's text is kept as it was said");

    // Deleting a thread takes its messages and, once the index is rewritten, their words.
    sqlx::query("DELETE FROM chat_threads WHERE id = 1").execute(&mut *conn).await.unwrap();
    threads::drop_forgotten(&mut conn).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM chat_messages WHERE thread_id = 1")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert!(threads::list(&mut conn, Some("c1"), Some("delivery"), Window::ALL).await.unwrap().is_empty());
    drop(conn);
    search_index_is_sound(&pool).await;
    pool.close().await;
}
