fn main() {
    // generate_context! embeds the UI from ui/dist; make sure a bare `cargo build` works before the
    // UI has been built (the app then shows an empty page; `make run` builds the UI first).
    let dist = std::path::Path::new("ui/dist");
    if !dist.exists() {
        std::fs::create_dir_all(dist).expect("create ui/dist");
    }
    println!("cargo:rerun-if-changed=ui/dist");
    println!("cargo:rerun-if-changed=src-tauri/migrations");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    commit();

    let commands = &[
        "overview",
        "list_clients",
        "add_client",
        "rename_client",
        "client_holdings",
        "remove_client",
        "audit_list",
        "audit_verify",
        "import_file",
        "cancel_import",
        "list_imports",
        "import_again",
        "add_request_identifiers",
        "leads_page",
        "leads_count",
        "lead_detail",
        "export_leads",
        "list_requests",
        "new_request",
        "find_for_request",
        "advance_request",
        "extend_request",
        "close_request",
        "export_request",
        "erase_request",
        "erase_preview",
        "restrict_request",
        "remote_steps",
        "retry_remote",
        "rectify_request",
        "request_from_signed_request",
        "processing_info",
        "set_processing_info",
        "retention_review",
        "set_retention",
        "list_holds",
        "add_hold",
        "remove_hold",
        "purge_retention",
        "purge_schedule",
        "list_breaches",
        "show_breach",
        "add_breach",
        "assess_breach",
        "edit_breach",
        "breach_notice",
        "write_breach_notice",
        "breach_told",
        "close_breach",
        "lock_status",
        "unlock",
        "lock_now",
        "lock_activity",
        "set_lock_passphrase",
        "clear_lock_passphrase",
        "set_lock_idle",
        "meta_app",
        "set_meta_app",
        "set_meta_app_secret",
        "remove_meta_app_secret",
        "connect_meta",
        "meta_login",
        "meta_connections",
        "disconnect_meta",
        "meta_pages",
        "refresh_meta_pages",
        "assign_meta_page",
        "meta_forms",
        "refresh_meta_forms",
        "set_meta_form_sync",
        "sync_meta",
        "crm_connections",
        "connect_crm",
        "connect_crm_in_browser",
        "crm_apps",
        "set_crm_app",
        "remove_crm_app",
        "disconnect_crm",
        "crm_fields",
        "crm_forms",
        "crm_form_keys",
        "crm_map_show",
        "crm_map_suggest",
        "crm_map_set",
        "crm_map_export",
        "crm_map_import",
        "crm_preview_draft",
        "crm_push",
        "crm_log",
        "set_crm_auto_push",
        "pixels_kept",
        "pixel_list",
        "pixel_access",
        "pixel_share",
        "pixel_share_account",
        "pixel_revoke",
        "pixel_create",
        "pixel_bulk",
        "pixel_log",
        "chat_list",
        "chat_show",
        "chat_import",
        "chat_sync",
        "consent_show",
        "consent_set",
        "consent_export",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build configuration");
}

/// The commit the binary is built from, for `--version` and the About box: `CUSTODIAN_COMMIT` when
/// the build is given it (a source tarball), else git's HEAD, else "unknown".
fn commit() {
    println!("cargo:rerun-if-env-changed=CUSTODIAN_COMMIT");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let commit = std::env::var("CUSTODIAN_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        for watched in ["HEAD", "refs/heads", "packed-refs"] {
            println!("cargo:rerun-if-changed={dir}/{watched}");
        }
    }
    println!("cargo:rustc-env=CUSTODIAN_COMMIT={commit}");
}
