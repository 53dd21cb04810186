use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use custodian::console::{Code, Console};
use custodian::identity::IdKind;
use custodian::leads::{Filter, ImportSummary, LeadDetail};

use crate::fixtures::{self, encode, rows, text, Encoding, HEADER};
use crate::support::{stderr, stdout, Workspace};

async fn import(console: &Console, path: &std::path::Path, client: &str) -> ImportSummary {
    console.import_file(path, client, &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap()
}

async fn all(console: &Console) -> Vec<LeadDetail> {
    let mut leads = console.list_leads(&Filter::default(), 1000, 0).await.unwrap();
    leads.sort_by_key(|l| l.meta_id.clone());
    leads
}

fn answer<'a>(lead: &'a LeadDetail, key: &str) -> &'a str {
    lead.answers.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())
}

#[tokio::test]
async fn every_encoding_and_separator_yields_the_same_leads() {
    let ws = Workspace::new();
    let console = ws.open().await;
    let variants = [
        ("utf16le-bom-tab.csv", encode(&text(HEADER, &rows(), '\t', "\r\n"), Encoding::Utf16LeBom)),
        ("utf16be-bom-tab.csv", encode(&text(HEADER, &rows(), '\t', "\r\n"), Encoding::Utf16BeBom)),
        ("utf16le-nobom-tab.tsv", encode(&text(HEADER, &rows(), '\t', "\n"), Encoding::Utf16LeNoBom)),
        ("utf8-bom-comma-crlf.csv", encode(&text(HEADER, &rows(), ',', "\r\n"), Encoding::Utf8Bom)),
        ("utf8-comma-lf.txt", encode(&text(HEADER, &rows(), ',', "\n"), Encoding::Utf8)),
        ("utf8-tab-named-csv.csv", encode(&text(HEADER, &rows(), '\t', "\n"), Encoding::Utf8)),
    ];
    let mut seen: Option<Vec<Vec<(String, String)>>> = None;
    for (i, (name, bytes)) in variants.iter().enumerate() {
        let client = format!("Client {i}");
        console.add_client(&client, Some("GB")).await.unwrap();
        let path = fixtures::write(ws.path(), name, bytes);
        let s = import(&console, &path, &client).await;
        assert_eq!((s.rows_read, s.imported, s.rejected, s.test_leads), (4, 4, 0, 1), "{name}: {s:?}");
        let id = console.client(&client).await.unwrap().id;
        let mut leads =
            console.list_leads(&Filter { client_id: Some(id), ..Default::default() }, 100, 0).await.unwrap();
        leads.sort_by_key(|l| l.meta_id.clone());
        let answers: Vec<Vec<(String, String)>> = leads.iter().map(|l| l.answers.clone()).collect();
        match &seen {
            None => seen = Some(answers),
            Some(first) => assert_eq!(&answers, first, "{name} reads differently"),
        }
    }
    let leads = all(&console).await;
    let zoe =
        leads.iter().find(|l| answer(l, "full_name") == "Zoë Ørsted-Łukasz").expect("accents survive every encoding");
    assert_eq!(answer(zoe, "what_is_your_budget?"), "=1+1 \"quoted\", with comma\tand tab");
    let bob = leads.iter().find(|l| answer(l, "full_name") == "Bob Stone").unwrap();
    assert_eq!(answer(bob, "what_is_your_budget?"), "line one\nline two");
}

#[tokio::test]
async fn meta_prefixes_are_stripped_and_every_field_is_kept() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let path =
        fixtures::write(ws.path(), "leads.csv", &encode(&text(HEADER, &rows(), '\t', "\r\n"), Encoding::Utf16LeBom));
    import(&console, &path, "Acme").await;
    let ann = all(&console).await.into_iter().find(|l| l.meta_id.as_deref() == Some("1001")).unwrap();
    assert_eq!(
        (ann.ad_id.as_str(), ann.adset_id.as_str(), ann.campaign_id.as_str(), ann.form_id.as_str()),
        ("120201", "130301", "140401", "150501")
    );
    assert_eq!((ann.platform.as_str(), ann.is_organic, ann.lead_status.as_str()), ("fb", Some(false), "CREATED"));
    assert_eq!(answer(&ann, "phone_number"), "+447911123456");
    assert_eq!(answer(&ann, "zip_code"), "01960");
    assert_eq!(answer(&ann, "email"), "Ann.Lee@Example.com", "the person's own spelling is kept");
    assert_eq!((ann.source_file.as_str(), ann.source_line), ("leads.csv", 2));
    let test = all(&console).await.into_iter().find(|l| l.meta_id.as_deref() == Some("1004")).unwrap();
    assert!(test.is_test);
}

#[tokio::test]
async fn an_xlsx_export_imports_like_its_csv() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let path = fixtures::xlsx(ws.path(), "leads.xlsx", HEADER, &rows());
    let s = import(&console, &path, "Acme").await;
    assert_eq!((s.imported, s.rejected, s.test_leads), (4, 0, 1), "{s:?}");
    let zoe = all(&console).await.into_iter().find(|l| l.meta_id.as_deref() == Some("1002")).unwrap();
    assert_eq!(answer(&zoe, "full_name"), "Zoë Ørsted-Łukasz");
}

#[tokio::test]
async fn importing_the_same_file_again_changes_nothing_and_an_overlapping_one_only_what_changed() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let first = fixtures::write(ws.path(), "a.csv", &encode(&text(HEADER, &rows(), ',', "\n"), Encoding::Utf8));
    import(&console, &first, "Acme").await;
    let again = import(&console, &first, "Acme").await;
    assert_eq!((again.imported, again.updated, again.duplicates), (0, 0, 4));

    let mut overlapping = rows();
    overlapping[0][12] = "1000_to_5000".into(); // Ann changed her answer
    let mut new_row = overlapping[2].clone();
    new_row[0] = "l:1005".into();
    new_row[14] = "new@example.com".into();
    overlapping.push(new_row);
    let second = fixtures::write(ws.path(), "b.csv", &encode(&text(HEADER, &overlapping, ',', "\n"), Encoding::Utf8));
    let s = import(&console, &second, "Acme").await;
    assert_eq!((s.imported, s.updated, s.duplicates), (1, 1, 3), "{s:?}");
    let leads = all(&console).await;
    assert_eq!(leads.len(), 5);
    assert_eq!(answer(&leads[0], "what_is_your_budget?"), "1000_to_5000");
    assert_eq!(leads[0].source_file, "b.csv");
}

#[tokio::test]
async fn rows_without_an_id_are_recognised_by_their_content() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let mut no_ids = rows();
    for r in &mut no_ids {
        r[0].clear();
    }
    no_ids.push(no_ids[0].clone());
    let path = fixtures::write(ws.path(), "noid.csv", &encode(&text(HEADER, &no_ids, ',', "\n"), Encoding::Utf8));
    let s = import(&console, &path, "Acme").await;
    assert_eq!((s.imported, s.duplicates), (4, 1), "{s:?}");
    let s = import(&console, &path, "Acme").await;
    assert_eq!((s.imported, s.duplicates), (0, 5));
}

#[tokio::test]
async fn ragged_and_cut_off_rows_are_rejected_by_line_and_the_good_rows_kept() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let good = text(HEADER, &rows()[..2], ',', "\n");
    let ragged = "l:2001,2026-07-16T00:12:13Z,only,five,fields\n";
    let bad_time = text(
        &[],
        &[{
            let mut r = rows()[2].clone();
            r[0] = "l:2002".into();
            r[1] = "last tuesday".into();
            r
        }],
        ',',
        "\n",
    );
    // The file ends inside a quoted field.
    let truncated = "l:2003,2026-07-16T00:12:13Z,ag:1,\"Spring";
    let body = format!("{good}{ragged}{}{truncated}", bad_time.trim_start_matches('\n'));
    let path = fixtures::write(ws.path(), "ragged.csv", body.as_bytes());
    let s = import(&console, &path, "Acme").await;
    assert_eq!((s.imported, s.rejected), (2, 3), "{s:?}");
    let lines: Vec<u64> = s.rejections.iter().map(|r| r.line).collect();
    // The bad-time row holds a quoted line break, so it spans lines 5 and 6.
    assert_eq!(lines, [4, 5, 7]);
    assert!(s.rejections[0].reason.contains("5 fields where the header has 18"), "{:?}", s.rejections[0]);
    assert!(s.rejections[1].reason.contains("created_time"));
    assert!(
        s.rejections.iter().all(|r| !r.reason.contains("Spring") && !r.reason.contains("l:2001")),
        "reasons quote no data"
    );
    assert_eq!(all(&console).await.len(), 2);
}

#[tokio::test]
async fn a_utf16_file_cut_in_half_a_character_keeps_every_whole_row() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let mut bytes = encode(&text(HEADER, &rows(), '\t', "\r\n"), Encoding::Utf16LeBom);
    bytes.truncate(bytes.len() - 9);
    let path = fixtures::write(ws.path(), "cut.csv", &bytes);
    let s = import(&console, &path, "Acme").await;
    assert_eq!((s.imported, s.rejected), (3, 1), "{s:?}");
    assert_eq!(s.rejections[0].line, 6);
}

#[tokio::test]
async fn a_file_in_a_legacy_encoding_is_read_and_the_summary_says_so() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let table = text(HEADER, &rows()[..1], ',', "\r\n").replace("Ann Lee", "Renée Müller");
    let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(&table);
    let path = fixtures::write(ws.path(), "excel-saved.csv", &latin1);
    let s = import(&console, &path, "Acme").await;
    assert_eq!(s.imported, 1);
    assert!(s.notes.iter().any(|n| n.contains("Windows-1252")), "{:?}", s.notes);
    assert_eq!(answer(&all(&console).await[0], "full_name"), "Renée Müller");
}

#[tokio::test]
async fn files_that_cannot_be_read_at_all_are_refused_clearly_and_store_nothing() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let huge = ws.path().join("huge-binary.csv");
    // 2 GiB of zeros, sparse on disk: refused from its first bytes, never read through.
    std::fs::File::create(&huge).unwrap().set_len(2 << 30).unwrap();
    let cases = [
        (fixtures::write(ws.path(), "empty.csv", b""), "empty"),
        (fixtures::write(ws.path(), "photo.csv", &[0x89, b'P', b'N', b'G', 0, 0, 0, 13, 1, 2, 3, 0, 0, 9]), "binary"),
        (
            fixtures::write(ws.path(), "notes.csv", b"name,address\nAnn,1 High St\n"),
            "not the header of a Meta lead export",
        ),
        (fixtures::write(ws.path(), "fake.xlsx", b"PK\x03\x04 this is not a zip"), "XLSX"),
        (huge, "binary"),
    ];
    for (path, expected) in cases {
        let err = console.import_file(&path, "Acme", &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap_err();
        assert_eq!(err.code(), Code::FileUnreadable, "{}", path.display());
        assert!(err.to_string().contains(expected), "{}: {err}", path.display());
    }
    let entry = &console.audit_list(1, None).await.unwrap()[0];
    assert_eq!((entry.action.as_str(), entry.outcome.as_str()), ("lead.import", "refused: file_unreadable"));
    assert!(all(&console).await.is_empty());
}

#[tokio::test]
async fn a_person_is_found_by_any_spelling_of_their_email_phone_or_lead_id() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    let path = fixtures::write(ws.path(), "leads.csv", &encode(&text(HEADER, &rows(), ',', "\n"), Encoding::Utf8));
    import(&console, &path, "Acme").await;
    let found = |kind, value: &'static str, country: Option<&'static str>| {
        let console = &console;
        async move {
            console
                .find_leads(kind, value, country)
                .await
                .unwrap()
                .leads
                .iter()
                .filter_map(|l| l.meta_id.clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found(IdKind::Email, "  ann.lee@EXAMPLE.com", None).await, ["1001"]);
    assert_eq!(found(IdKind::Phone, "+44 7911 123456", None).await, ["1001"]);
    assert_eq!(
        found(IdKind::Phone, "+44 7700 900123", None).await,
        ["1002"],
        "a national number took the client's country"
    );
    assert_eq!(found(IdKind::Phone, "07700 900123", Some("GB")).await, ["1002"]);
    assert_eq!(found(IdKind::LeadId, "l:1003", None).await, ["1003"]);
    assert!(found(IdKind::Email, "test@fb.com", None).await.is_empty(), "test leads are not people");
    assert_eq!(console.find_leads(IdKind::Email, "not-an-email", None).await.unwrap_err().code(), Code::InvalidInput);
}

/// Moves every identifier of the index into run 7, as an import killed before its final merge
/// leaves them, packed one entry a block as the writer packs them.
async fn move_identities_into_a_run(console: &Console) {
    for sql in [
        "INSERT INTO identity_run_list (run) VALUES (7)",
        "INSERT INTO identity_run_blocks (run, first, entries)
         SELECT 7, hash, unhex(hex(hash) || printf('%016x%02x', lead_id, kind)) FROM identities",
        "DELETE FROM identities",
    ] {
        sqlx::query(sql).execute(console.store().pool()).await.unwrap();
    }
}

#[tokio::test]
async fn a_person_is_found_while_their_identifiers_wait_in_a_run_and_the_next_start_folds_the_run() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    let path = fixtures::write(ws.path(), "leads.csv", &encode(&text(HEADER, &rows(), ',', "\n"), Encoding::Utf8));
    import(&console, &path, "Acme").await;
    let indexed = scalar(&console, "SELECT count(*) FROM identities").await;
    assert!(indexed > 0);
    move_identities_into_a_run(&console).await;
    let found = console.find_leads(IdKind::Email, "ann.lee@example.com", None).await.unwrap();
    assert_eq!(found.leads.iter().filter_map(|l| l.meta_id.as_deref()).collect::<Vec<_>>(), ["1001"]);
    console.close().await;

    let console = ws.open().await;
    assert_eq!(scalar(&console, "SELECT count(*) FROM identities").await, indexed, "the run was folded in");
    assert_eq!(scalar(&console, "SELECT count(*) FROM identity_run_blocks").await, 0);
    assert_eq!(scalar(&console, "SELECT count(*) FROM identity_run_list").await, 0);
    let found = console.find_leads(IdKind::Phone, "+44 7911 123456", None).await.unwrap();
    assert_eq!(found.leads.len(), 1);
}

#[tokio::test]
async fn a_lead_removed_while_its_identifiers_wait_in_a_run_is_not_found_nor_folded_back() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    let path = fixtures::write(ws.path(), "leads.csv", &encode(&text(HEADER, &rows(), ',', "\n"), Encoding::Utf8));
    import(&console, &path, "Acme").await;
    let ann = scalar(&console, "SELECT id FROM leads WHERE lead_key = '1001'").await;
    let anns = scalar(&console, &format!("SELECT count(*) FROM identities WHERE lead_id = {ann}")).await;
    let indexed = scalar(&console, "SELECT count(*) FROM identities").await;
    assert!(anns > 0);
    move_identities_into_a_run(&console).await;
    sqlx::query("DELETE FROM leads WHERE id = ?1").bind(ann).execute(console.store().pool()).await.unwrap();
    let hash = console.hasher().identify(custodian::identity::IdKind::Email, "ann.lee@example.com", None).unwrap();
    let found = custodian::leads::query::by_identity(console.store().pool(), &hash).await.unwrap();
    assert!(found.is_empty(), "the run's entries for the removed lead are skipped: {found:?}");
    console.close().await;

    let console = ws.open().await;
    assert_eq!(scalar(&console, "SELECT count(*) FROM identities").await, indexed - anns);
    assert_eq!(scalar(&console, &format!("SELECT count(*) FROM identities WHERE lead_id = {ann}")).await, 0);
    assert_eq!(scalar(&console, "SELECT count(*) FROM identity_run_dropped").await, 0, "the fold empties the list");
}

#[tokio::test]
async fn a_client_removed_while_its_leads_identifiers_wait_in_a_run_is_not_found_nor_folded_back() {
    // A client's removal deletes its leads in bulk, without the trigger that lists them lead by lead.
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    console.add_client("Beta", Some("GB")).await.unwrap();
    let path = fixtures::write(ws.path(), "leads.csv", &encode(&text(HEADER, &rows(), ',', "\n"), Encoding::Utf8));
    import(&console, &path, "Acme").await;
    let acme = scalar(&console, "SELECT count(*) FROM identities").await;
    import(&console, &path, "Beta").await;
    let both = scalar(&console, "SELECT count(*) FROM identities").await;
    // Acme's identifiers wait in a run; Beta's (the same people's) are in the index.
    let acmes = "SELECT l.id FROM leads AS l JOIN clients AS c ON c.num = l.client_num WHERE c.name = 'Acme'";
    for sql in [
        "INSERT INTO identity_run_list (run) VALUES (7)".to_owned(),
        format!(
            "INSERT INTO identity_run_blocks (run, first, entries)
             SELECT 7, hash, unhex(hex(hash) || printf('%016x%02x', lead_id, kind)) FROM identities
             WHERE lead_id IN ({acmes})"
        ),
        format!("DELETE FROM identities WHERE lead_id IN ({acmes})"),
    ] {
        sqlx::query(&sql).execute(console.store().pool()).await.unwrap();
    }
    console.remove_client("Acme", true, None).await.unwrap();
    let hash = console.hasher().identify(custodian::identity::IdKind::Email, "ann.lee@example.com", None).unwrap();
    let found = custodian::leads::query::by_identity(console.store().pool(), &hash).await.unwrap();
    let beta: Vec<i64> = sqlx::query_scalar("SELECT id FROM leads WHERE lead_key = '1001'")
        .fetch_all(console.store().pool())
        .await
        .unwrap();
    assert_eq!(found, beta, "only Beta's Ann is found; the run's entries for Acme's are skipped");
    console.close().await;

    let console = ws.open().await;
    assert_eq!(scalar(&console, "SELECT count(*) FROM identities").await, both - acme, "Beta's, folded in");
    assert_eq!(scalar(&console, "SELECT count(*) FROM identity_run_dropped").await, 0, "the fold empties the list");
}

#[tokio::test]
async fn a_lead_repeated_later_in_the_same_transaction_with_new_details_is_indexed_by_its_new_details_only() {
    // Far enough apart that the two copies land in different batches of the same transaction.
    lead_repeated_after(3_000).await;
}

#[tokio::test]
async fn a_lead_repeated_after_a_commit_with_new_details_is_indexed_by_its_new_details_only() {
    // The first copy's identifiers are already in a run when the second comes.
    lead_repeated_after(custodian::leads::import::COMMIT_ROWS as u64 + 10).await;
}

async fn lead_repeated_after(leads: u64) {
    use custodian::bench::leadgen;
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    let header = leadgen::header();
    let mut rows: Vec<Vec<String>> = (0..leads).map(leadgen::row).collect();
    let mut again = leadgen::row(0);
    let email_at = header.iter().position(|h| h == "email").unwrap();
    again[email_at] = "chiara.new@example.org".into();
    rows.push(again);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let path = fixtures::write(ws.path(), "repeat.tsv", text(&header, &rows, '\t', "\n").as_bytes());
    let s = import(&console, &path, "Acme").await;
    assert_eq!((s.imported, s.updated), (leads, 1), "{s:?}");

    let meta_ids =
        |found: custodian::console::Lookup| found.leads.into_iter().filter_map(|l| l.meta_id).collect::<Vec<_>>();
    let new = console.find_leads(IdKind::Email, "chiara.new@example.org", None).await.unwrap();
    assert_eq!(meta_ids(new), ["1000000000000000"]);
    let old = console.find_leads(IdKind::Email, &leadgen::email(0), None).await.unwrap();
    assert!(meta_ids(old).is_empty(), "the old email no longer finds the lead");
    assert_eq!(scalar(&console, "SELECT count(*) FROM identities").await, leads as i64 * 3);
}

async fn scalar(console: &Console, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(console.store().pool()).await.unwrap()
}

#[tokio::test]
async fn exports_neutralise_formulas_in_csv_and_open_as_xlsx() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let path = fixtures::write(ws.path(), "leads.csv", &encode(&text(HEADER, &rows(), ',', "\n"), Encoding::Utf8));
    import(&console, &path, "Acme").await;

    let csv_path = ws.path().join("out.csv");
    let export = console.export_leads(&Filter::default(), &csv_path, false).await.unwrap();
    assert_eq!(export.rows, 4);
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let budget = header.iter().position(|h| h == "what_is_your_budget?").unwrap();
    let phone = header.iter().position(|h| h == "phone_number").unwrap();
    let cells: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let zoe = cells.iter().find(|r| &r[0] == "1002").unwrap();
    assert_eq!(&zoe[budget], "'=1+1 \"quoted\", with comma\tand tab");
    let ann = cells.iter().find(|r| &r[0] == "1001").unwrap();
    assert_eq!(&ann[phone], "'+447911123456");

    let xlsx_path = ws.path().join("out.xlsx");
    console.export_leads(&Filter::default(), &xlsx_path, false).await.unwrap();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx_path).unwrap();
    let range = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
    assert_eq!(range.height(), 5);
    assert!(!ws.path().join("out.xlsx.part").exists() && !ws.path().join("out.csv.part").exists());

    let entry = &console.audit_list(1, None).await.unwrap()[0];
    assert_eq!((entry.action.as_str(), entry.outcome.as_str()), ("lead.export", "ok: 4 leads"));
}

#[tokio::test]
async fn search_and_filters_narrow_the_review() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let path = fixtures::write(ws.path(), "leads.csv", &encode(&text(HEADER, &rows(), ',', "\n"), Encoding::Utf8));
    import(&console, &path, "Acme").await;
    let ids = |f: Filter| {
        let console = &console;
        async move {
            let mut ids: Vec<String> =
                console.list_leads(&f, 100, 0).await.unwrap().into_iter().filter_map(|l| l.meta_id).collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(ids(Filter { search: Some("zoë".into()), ..Default::default() }).await, ["1002"]);
    assert_eq!(
        ids(Filter { search: Some("zoe ørsted".into()), ..Default::default() }).await,
        ["1002"],
        "diacritics fold"
    );
    assert_eq!(ids(Filter { search: Some("bo sto".into()), ..Default::default() }).await, ["1003"], "prefixes match");
    assert_eq!(ids(Filter { platform: Some("IG".into()), ..Default::default() }).await, ["1002"]);
    let july_18 = custodian::leads::parse::parse_time("2026-07-18T00:00:00Z");
    assert_eq!(ids(Filter { since: july_18, ..Default::default() }).await, ["1003", "1004"]);
    assert_eq!(ids(Filter { until: july_18, ..Default::default() }).await, ["1001", "1002"]);
    assert_eq!(
        ids(Filter { form: Some("Test drive form".into()), search: Some("ann".into()), ..Default::default() }).await,
        ["1001"]
    );
}

#[test]
fn the_cli_imports_lists_and_exports() {
    let ws = Workspace::new();
    assert!(ws.cli(&["client", "add", "Acme", "--country", "gb"]).status.success());
    let path =
        fixtures::write(ws.path(), "leads.csv", &encode(&text(HEADER, &rows(), '\t', "\r\n"), Encoding::Utf16LeBom));
    let out = ws.cli(&["import", path.to_str().unwrap(), "--client", "Acme", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(summary["imported"], 4);

    let out = ws.cli(&["leads", "list", "--client", "Acme", "--search", "ann", "--json"]);
    let leads: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let ann = &leads[0];
    for key in [
        "meta_id",
        "created_time",
        "form_id",
        "form_name",
        "ad_id",
        "ad_name",
        "campaign_id",
        "campaign_name",
        "platform",
        "answers",
    ] {
        assert!(ann.get(key).is_some(), "missing {key}");
    }
    assert_eq!(ann["meta_id"], "1001");

    let out = ws.cli(&["leads", "list", "--since", "2026-07-18", "--until", "2026-07-18"]);
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));

    let csv_path = ws.path().join("export.csv");
    let out = ws.cli(&["leads", "export", "--client", "Acme", "--out", csv_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Exported 4 leads"));

    let missing = ws.cli(&["import", "/nonexistent/leads.csv", "--client", "Acme"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("could not be read"), "{}", stderr(&missing));
}

#[tokio::test]
async fn a_created_time_that_is_no_day_of_the_calendar_is_rejected_with_its_line_not_rolled_over() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let body =
        "id,created_time,email\nl:1,2026-02-31T10:00:00Z,a@example.test\nl:2,2028-02-29T10:00:00Z,b@example.test\n";
    let path = fixtures::write(ws.path(), "february.csv", body.as_bytes());
    let s = import(&console, &path, "Acme").await;
    assert_eq!((s.imported, s.rejected), (1, 1), "{s:?}");
    assert_eq!(s.rejections[0].line, 2);
    assert!(s.rejections[0].reason.contains("created_time"), "{:?}", s.rejections[0]);
    assert_eq!(all(&console).await[0].created_time, "2028-02-29T10:00:00Z", "a leap day is a day");
}

/// The peak resident memory of the `custodian` runs so far, in KiB (Linux counts it per waited child).
fn children_peak_kib() -> i64 {
    // SAFETY: getrusage fills the struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage.ru_maxrss
    }
}

#[test]
fn hostile_spreadsheets_are_refused_before_they_take_the_memory() {
    use std::io::Write;
    let ws = Workspace::new();
    assert!(ws.cli(&["client", "add", "Acme"]).status.success());
    let baseline = children_peak_kib();

    // A zip bomb: one part that unpacks to 256 MiB of zeros from a few hundred KiB.
    let bomb = ws.path().with_extension("bomb.xlsx");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..256 {
            zip.write_all(&zeros).unwrap();
        }
        zip.finish().unwrap();
    }
    let out = ws.cli(&["import", bomb.to_str().unwrap(), "--client", "Acme", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("zip bomb") && stderr(&out).contains("file_unreadable"), "{}", stderr(&out));

    // A sparse sheet: a header, one lead, and one cell at XFD1048576.
    let sparse = ws.path().with_extension("sparse.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, name) in ["id", "created_time", "email"].iter().enumerate() {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    sheet.write_string(1, 0, "l:1").unwrap();
    sheet.write_string(1, 1, "2026-07-16T00:12:13Z").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    book.save(&sparse).unwrap();
    let out = ws.cli(&["import", sparse.to_str().unwrap(), "--client", "Acme"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("row 1048576 and column 16384"), "{}", stderr(&out));

    let grown = children_peak_kib() - baseline;
    assert!(grown < 50 * 1024, "refusing them took {grown} KiB more than adding a client");
    let leads: serde_json::Value = serde_json::from_slice(&ws.cli(&["leads", "list", "--json"]).stdout).unwrap();
    assert_eq!(leads.as_array().map(Vec::len), Some(0), "nothing of either file was imported");
    for f in [bomb, sparse] {
        std::fs::remove_file(f).unwrap();
    }
}

#[tokio::test]
async fn a_field_over_a_mebibyte_or_a_record_that_never_ends_is_refused_by_line_and_the_rest_kept() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let huge = "x".repeat(1_100_000);
    let body = format!(
        "id,created_time,email\nl:1,2026-07-16T00:12:13Z,a@example.test\nl:2,2026-07-16T00:12:13Z,{huge}\nl:3,2026-07-16T00:12:13Z,c@example.test\n"
    );
    let path = fixtures::write(ws.path(), "wide.csv", body.as_bytes());
    let s = import(&console, &path, "Acme").await;
    assert_eq!((s.imported, s.rejected), (2, 1), "{s:?}");
    assert_eq!(s.rejections[0].line, 3);
    assert!(s.rejections[0].reason.contains("over 1 MiB"), "{:?}", s.rejections[0]);

    // An opening quote never closed: the record would run to the end of a 20 MiB file.
    let endless = format!(
        "id,created_time,email\nl:4,2026-07-16T00:12:13Z,a@example.test\nl:5,2026-07-16T00:12:13Z,\"{}\n",
        "y\n".repeat(10 << 20)
    );
    let path = fixtures::write(ws.path(), "endless.csv", endless.as_bytes());
    let s = import(&console, &path, "Acme").await;
    assert_eq!((s.imported, s.rejected), (1, 1), "{s:?}");
    assert!(s.rejections[0].reason.contains("runs past 16 MiB"), "{:?}", s.rejections[0]);
    assert!(console.audit_verify().await.unwrap().intact);
}
