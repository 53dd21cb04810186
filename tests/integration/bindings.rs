//! The UI's TypeScript types are generated from the Rust DTOs. This test fails when they drift;
//! `UPDATE_BINDINGS=1 cargo test --test integration bindings` rewrites them.

use std::path::Path;

use custodian::audit::{Anchor, AuditEntry, Break, Verification};
use custodian::clients::{Client, Holdings};
use custodian::console::{
    ApiError, Check, Code, ErasePreview, Export, Holding, ImportRecord, Lookup, Overview, Removal, Report, Status,
};
use custodian::console::{Disconnected, LoggedIn, MetaApp, MetaAppForm, MetaConnection, TokenHealth};
use custodian::console::{Erased, HoldForm, PurgeReport, PurgeRun, PurgeSchedule, Rectified, RequestForm};
use custodian::console::{FormSynced, MetaForm, MetaPage, RefreshedForms, RefreshedPages, SyncProgress, SyncReport};
use custodian::leads::{
    Cursor, Filter, Format, ImportSummary, LeadDetail, LeadPage, LeadRow, Order, PageRequest, Progress, Rejection,
    SortBy,
};
use custodian::personal_data::{DataKind, Held, HeldRecord};
use custodian::requests::discovery::{Discovery, Group};
use custodian::requests::erasure::{Receipt, Suppression};
use custodian::requests::package::{Package, PackedFile};
use custodian::requests::{IdKind, Identifier, Outcome, Request, RequestKind, RequestStatus, RequestUrgency};
use custodian::retention::holds::Hold;
use custodian::retention::purge::Purged;
use custodian::retention::{AgeBand, Policy, Review};
use ts_rs::TS;

fn generated() -> Vec<(String, String)> {
    fn one<T: TS + 'static>() -> (String, String) {
        (format!("{}.ts", T::name()), T::export_to_string().expect("export bindings"))
    }
    vec![
        one::<ApiError>(),
        one::<DataKind>(),
        one::<custodian::app_lock::LockStatus>(),
        one::<custodian::console::WorkspaceDeleted>(),
        one::<custodian::breaches::Breach>(),
        one::<custodian::breaches::deadline::Standing>(),
        one::<custodian::breaches::Details>(),
        one::<custodian::breaches::DetailsChange>(),
        one::<custodian::breaches::Audience>(),
        one::<custodian::breaches::affected::Counted>(),
        one::<custodian::breaches::affected::KindCount>(),
        one::<custodian::breaches::affected::KindName>(),
        one::<custodian::breaches::notice::Notice>(),
        one::<custodian::console::BreachForm>(),
        one::<Holding>(),
        one::<ErasePreview>(),
        one::<MetaApp>(),
        one::<MetaAppForm>(),
        one::<MetaConnection>(),
        one::<custodian::meta::inspect::Targets>(),
        one::<LoggedIn>(),
        one::<TokenHealth>(),
        one::<Disconnected>(),
        one::<MetaPage>(),
        one::<MetaForm>(),
        one::<RefreshedPages>(),
        one::<RefreshedForms>(),
        one::<FormSynced>(),
        one::<SyncReport>(),
        one::<SyncProgress>(),
        one::<custodian::chat::threads::Channel>(),
        one::<custodian::chat::threads::ParticipantId>(),
        one::<custodian::chat::threads::Participant>(),
        one::<custodian::chat::threads::ThreadSummary>(),
        one::<custodian::chat::threads::ShownMessage>(),
        one::<custodian::chat::threads::Thread>(),
        one::<custodian::console::ChatWith>(),
        one::<custodian::chat::whatsapp_export::DateOrder>(),
        one::<custodian::console::ChatFileKind>(),
        one::<custodian::console::ChatImport>(),
        one::<custodian::console::ChatSynced>(),
        one::<custodian::consent::ConsentChannel>(),
        one::<custodian::consent::ConsentSource>(),
        one::<custodian::consent::ConsentEntry>(),
        one::<custodian::consent::ConsentState>(),
        one::<custodian::console::ConsentOf>(),
        one::<custodian::console::ConsentChange>(),
        one::<custodian::console::ChatSyncReport>(),
        one::<custodian::crm::Crm>(),
        one::<custodian::console::CrmConnection>(),
        one::<custodian::console::CrmApp>(),
        one::<custodian::clients::holdings::Elsewhere>(),
        one::<custodian::console::CrmAppForm>(),
        one::<custodian::console::SignIn>(),
        one::<custodian::console::CrmForm>(),
        one::<custodian::console::CrmPreview>(),
        one::<custodian::console::KeptMapping>(),
        one::<custodian::crm::mapping::Mapping>(),
        one::<custodian::crm::mapping::Rule>(),
        one::<custodian::crm::mapping::Transform>(),
        one::<custodian::crm::schema::Schema>(),
        one::<custodian::crm::schema::Field>(),
        one::<custodian::crm::schema::FieldKind>(),
        one::<custodian::console::PushProgress>(),
        one::<custodian::console::PushReport>(),
        one::<custodian::console::ConnectionPush>(),
        one::<custodian::console::PushFailure>(),
        one::<custodian::console::PushLog>(),
        one::<custodian::meta::pixels::Pixel>(),
        one::<custodian::meta::pixels::Grant>(),
        one::<custodian::meta::pixels::Grantee>(),
        one::<custodian::meta::pixels::Operation>(),
        one::<custodian::console::PixelChange>(),
        one::<custodian::console::PixelBulk>(),
        one::<custodian::console::BulkRow>(),
        one::<custodian::capi::events::Dataset>(),
        one::<custodian::capi::events::Logged>(),
        one::<custodian::console::CapiImport>(),
        one::<custodian::console::RowProblem>(),
        one::<custodian::console::CapiPreview>(),
        one::<custodian::console::PreviewEvent>(),
        one::<custodian::console::CapiSendReport>(),
        one::<custodian::console::ClientSend>(),
        one::<custodian::crm::push_log::Counts>(),
        one::<custodian::crm::push_log::Push>(),
        one::<custodian::crm::push_log::LeadResult>(),
        one::<custodian::requests::remote::RemoteStep>(),
        one::<Outcome>(),
        one::<Code>(),
        one::<ImportRecord>(),
        one::<Client>(),
        one::<Held>(),
        one::<Holdings>(),
        one::<Overview>(),
        one::<Removal>(),
        one::<AuditEntry>(),
        one::<Verification>(),
        one::<Break>(),
        one::<Check>(),
        one::<Report>(),
        one::<Status>(),
        one::<Export>(),
        one::<Lookup>(),
        one::<Cursor>(),
        one::<Filter>(),
        one::<Format>(),
        one::<ImportSummary>(),
        one::<LeadDetail>(),
        one::<LeadPage>(),
        one::<LeadRow>(),
        one::<Order>(),
        one::<PageRequest>(),
        one::<Progress>(),
        one::<Rejection>(),
        one::<SortBy>(),
        one::<Request>(),
        one::<RequestKind>(),
        one::<RequestStatus>(),
        one::<RequestUrgency>(),
        one::<IdKind>(),
        one::<Identifier>(),
        one::<RequestForm>(),
        one::<Discovery>(),
        one::<Group>(),
        one::<HeldRecord>(),
        one::<Erased>(),
        one::<Receipt>(),
        one::<Package>(),
        one::<PackedFile>(),
        one::<Rectified>(),
        one::<Suppression>(),
        one::<Anchor>(),
        one::<Review>(),
        one::<Policy>(),
        one::<AgeBand>(),
        one::<Hold>(),
        one::<HoldForm>(),
        one::<Purged>(),
        one::<PurgeReport>(),
        one::<PurgeRun>(),
        one::<PurgeSchedule>(),
    ]
}

#[test]
fn the_ui_bindings_match_the_rust_types() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/api/bindings");
    let update = std::env::var_os("UPDATE_BINDINGS").is_some();
    let mut stale = Vec::new();
    for (file, text) in generated() {
        let path = dir.join(&file);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "ui/src/api/bindings is out of date for {stale:?}; run `UPDATE_BINDINGS=1 cargo test --test integration bindings`"
    );
}
