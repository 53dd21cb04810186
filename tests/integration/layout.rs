//! The code is laid out as the design says: the Console holds no SQL, the lead store is closed, no
//! module imports one that imports it back, and the places a desktop command is written agree.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every Rust source under `src-tauri/`, by its path from there.
fn sources() -> BTreeMap<String, String> {
    fn walk(dir: &Path, base: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let name = path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(name, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let base = root().join("src-tauri");
    let mut out = BTreeMap::new();
    walk(&base, &base, &mut out);
    out
}

/// The code of a file without its comments and its tests.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Where a statement names `table` as SQL does.
fn names_table(code: &str, table: &str) -> bool {
    ["FROM ", "JOIN ", "INTO ", "UPDATE ", "TABLE ", "DELETE FROM "].iter().any(|verb| {
        code.match_indices(&format!("{verb}{table}")).any(|(at, m)| {
            let next = code[at + m.len()..].chars().next();
            !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    })
}

#[test]
fn the_console_holds_no_sql() {
    let verbs = ["sqlx::query", "query_scalar", "query_as", "SELECT ", "INSERT ", "UPDATE ", "DELETE ", "CREATE "];
    for (path, text) in sources().iter().filter(|(p, _)| p.starts_with("console/")) {
        let code = code(text);
        for verb in verbs {
            assert!(
                !code.contains(verb),
                "src-tauri/{path} contains `{verb}`: queries belong to the module owning the table"
            );
        }
    }
}

#[test]
fn no_code_outside_the_lead_store_names_its_tables() {
    let tables = [
        "leads",
        "leads_fts",
        "leads_compact",
        "answer_keys",
        "identities",
        "identities_sorted",
        "identity_rules",
        "identity_runs",
        "identity_run_list",
        "identity_run_blocks",
        "identity_run_dropped",
        "imports",
        "import_rejections",
        "search_parts",
        "bulk_forget",
    ];
    for (path, text) in sources().iter().filter(|(p, _)| !p.starts_with("leads/") && !p.starts_with("bench/")) {
        let code = code(text);
        for table in tables {
            assert!(!names_table(&code, table), "src-tauri/{path} names the lead store's table {table}");
        }
    }
}

/// The source file a `crate::a::b::c` path lands in: the deepest that exists.
fn file_of(path: &[&str], files: &BTreeMap<String, String>) -> Option<String> {
    (1..=path.len()).rev().find_map(|n| {
        let stem = path[..n].join("/");
        [format!("{stem}.rs"), format!("{stem}/mod.rs")].into_iter().find(|f| files.contains_key(f))
    })
}

/// The module path of a source file: `leads/holder.rs` is `leads::holder`, `leads/mod.rs` is `leads`.
fn module_of(file: &str) -> Vec<&str> {
    let stem = file.trim_end_matches(".rs");
    let mut path: Vec<&str> = stem.split('/').collect();
    if matches!(path.last(), Some(&"mod") | Some(&"lib")) {
        path.pop();
    }
    path
}

/// The paths a file names from the crate's root: `crate::a::b`, `super::b` (from its parent), and
/// each item of `crate::a::{b, c}`.
fn named_paths(file: &str, code: &str) -> Vec<Vec<String>> {
    let module = module_of(file);
    let mut out = Vec::new();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", module[..module.len().saturating_sub(1)].to_vec())] {
        for (at, _) in code.match_indices(prefix) {
            // `super::super::` and `crate::x` inside `$crate::x` are read from their first part only.
            if code[..at].ends_with("super::") || code[..at].ends_with('$') {
                continue;
            }
            let rest = &code[at + prefix.len()..];
            let head: &str =
                rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')).next().unwrap_or_default();
            let segments: Vec<String> = base
                .iter()
                .map(|s| s.to_string())
                .chain(head.split("::").filter(|s| !s.is_empty()).map(str::to_owned))
                .collect();
            out.push(segments.clone());
            if let Some(list) = rest[head.len()..].strip_prefix('{').or_else(|| rest[head.len()..].strip_prefix("::{"))
            {
                let list = &list[..list.find('}').unwrap_or(0)];
                for item in list.split(',') {
                    let mut t = segments.clone();
                    t.extend(item.trim().split("::").filter(|s| !s.is_empty() && *s != "self").map(str::to_owned));
                    out.push(t);
                }
            }
        }
    }
    out
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let files = sources();
    let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in &files {
        for target in named_paths(path, &code(text)) {
            let target: Vec<&str> = target.iter().map(String::as_str).collect();
            if let Some(file) = file_of(&target, &files) {
                if &file != path {
                    imports.entry(path.clone()).or_default().insert(file);
                }
            }
        }
    }
    assert!(
        imports
            .get("leads/holder.rs")
            .is_some_and(|i| i.contains("personal_data/mod.rs") && i.contains("leads/query.rs")),
        "imports are read both from the crate's root and from a parent: {:?}",
        imports.get("leads/holder.rs")
    );
    for (a, theirs) in &imports {
        for b in theirs {
            assert!(
                !imports.get(b).is_some_and(|back| back.contains(a)),
                "src-tauri/{a} and src-tauri/{b} import each other"
            );
        }
    }
}

/// The quoted names in `text` between `start` and the next `end`.
fn quoted_between(text: &str, start: &str, end: &str) -> BTreeSet<String> {
    let from = text.find(start).unwrap_or_else(|| panic!("`{start}` not found")) + start.len();
    let to = from + text[from..].find(end).unwrap();
    text[from..to].split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

fn words_after(text: &str, prefix: &str) -> BTreeSet<String> {
    text.match_indices(prefix)
        .map(|(at, _)| {
            text[at + prefix.len()..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
        })
        .collect()
}

#[test]
fn every_desktop_command_is_declared_permitted_registered_and_called_the_same() {
    let declared = quoted_between(&read("src-tauri/build.rs"), "let commands = &[", "];");
    let permitted: BTreeSet<String> = quoted_between(&read("src-tauri/capabilities/main.json"), "\"permissions\"", "]")
        .into_iter()
        .filter_map(|p| p.strip_prefix("allow-").map(|c| c.replace('-', "_")))
        .collect();
    let desktop = read("src-tauri/desktop/mod.rs");
    let handler = &desktop[desktop.find("generate_handler![").expect("generate_handler!")..];
    let registered = words_after(&handler[..handler.find(']').unwrap()], "commands::");
    let commands = read("src-tauri/desktop/commands.rs");
    let defined: BTreeSet<String> = commands
        .split("#[tauri::command]")
        .skip(1)
        .flat_map(|item| words_after(item.split('(').next().unwrap_or_default(), "fn "))
        .collect();
    let api = read("ui/src/api/index.ts");
    // Every call is `call<Type>("command", …)`.
    let called = words_after(&api, ">(\"");
    // Less the dialog plugin's own commands, which the fake answers too. The breach register's fake
    // is a module of its own beside it.
    let fakes = read("ui/src/test-backend.ts") + &read("ui/src/test-breaches.ts");
    let faked: BTreeSet<String> = words_after(&fakes, "case \"").into_iter().filter(|c| c != "plugin").collect();
    for (place, names) in [
        ("the capability (src-tauri/capabilities/main.json)", &permitted),
        ("generate_handler! (src-tauri/desktop/mod.rs)", &registered),
        ("src-tauri/desktop/commands.rs", &defined),
        ("ui/src/api/index.ts", &called),
        ("ui/src/test-backend.ts and test-breaches.ts", &faked),
    ] {
        let missing: Vec<_> = declared.difference(names).collect();
        let extra: Vec<_> = names.difference(&declared).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{place} disagrees with build.rs: missing {missing:?}, not in build.rs {extra:?}"
        );
    }
}

#[test]
fn the_ui_knows_exactly_the_error_codes_the_backend_gives() {
    let error = read("src-tauri/console/error.rs");
    let given = quoted_between(&error, "pub fn as_str(self) -> &'static str {", "\n    }\n}");
    let api = read("ui/src/api/index.ts");
    let from = api.find("Record<Code, true> = {").expect("the codes the UI knows");
    let list = &api[from..from + api[from..].find("};").unwrap()];
    let known: BTreeSet<String> =
        list.lines().skip(1).filter_map(|l| l.trim().strip_suffix(": true,")).map(str::to_owned).collect();
    assert_eq!(given, known, "ui/src/api/index.ts lists other error codes than src-tauri/console/error.rs gives");
}

#[test]
fn no_message_outside_the_command_line_names_its_flags_or_commands() {
    let files = sources();
    // The flags the command line takes: each `#[arg(long …)]` names the field after it.
    let args = &files["cli/args.rs"];
    let mut flags = BTreeSet::from(["--yes".to_owned(), "--json".to_owned(), "--data-dir".to_owned()]);
    let lines: Vec<&str> = args.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("#[arg(long") {
            if let Some(field) = lines[i + 1..].iter().find(|l| l.contains(':') && !l.trim_start().starts_with("#[")) {
                let name = field.trim().trim_start_matches("pub(super) ").split(':').next().unwrap_or_default();
                flags.insert(format!("--{}", name.replace('_', "-")));
            }
        }
    }
    assert!(flags.len() > 10, "the flags were read from cli/args.rs: {flags:?}");
    // The edges (the command line, the desktop shell, the benchmarks) speak for themselves.
    let edge =
        |p: &str| p.starts_with("cli/") || p.starts_with("desktop/") || p.starts_with("bench/") || p == "main.rs";
    for (path, text) in files.iter().filter(|(p, _)| !edge(p)) {
        let code = code(text);
        for flag in &flags {
            let named = code.match_indices(flag.as_str()).any(|(at, m)| {
                !code[at + m.len()..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
            });
            assert!(!named, "src-tauri/{path} names the command line's {flag}: the edge adds its own hints");
        }
        assert!(!code.contains("`custodian "), "src-tauri/{path} names a command of the command line");
    }
}
