//! Damaged files, thousands of them: valid exports in every format with bytes flipped, cut short,
//! repeated, and quotes, NULs and broken XML put in, imported one after another into one workspace.
//! Every one must end in a clean import or a clear refusal: no panic, no abort, no hang, and the
//! audit trail intact afterwards. Seeded, so a failure names the case that reproduces it.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use custodian::console::Code;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::fixtures::{self, encode, rows, text, Encoding, HEADER};
use crate::support::{stderr, Workspace};

/// Cases imported in the test's own process, and through the `custodian` binary.
const IN_PROCESS: usize = 1_500;
const THROUGH_THE_CLI: usize = 60;
/// The longest one damaged file may take: a hang fails the test instead of stalling the suite.
const PER_FILE: Duration = Duration::from_secs(20);

/// The valid files that are damaged: CSV, UTF-16 TSV and XLSX exports, and the two files that once
/// made the CLI abort.
fn originals(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let csv = encode(&text(HEADER, &rows(), ',', "\r\n"), Encoding::Utf8Bom);
    let tsv = encode(&text(HEADER, &rows(), '\t', "\n"), Encoding::Utf16LeBom);
    let xlsx = std::fs::read(fixtures::xlsx(dir, "original.xlsx", HEADER, &rows())).unwrap();
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/repro");
    let mut files = vec![("csv".to_owned(), csv), ("tsv".to_owned(), tsv), ("xlsx".to_owned(), xlsx)];
    for (ext, name) in [("csv", "refused-1.csv"), ("xlsx", "refused-2.xlsx")] {
        if let Ok(bytes) = std::fs::read(shared.join(name)) {
            files.push((ext.to_owned(), bytes));
        }
    }
    files
}

/// One damage, chosen by `rng`.
fn damage(rng: &mut StdRng, original: &[u8], ext: &str) -> Vec<u8> {
    if ext == "xlsx" && rng.gen_bool(0.5) {
        if let Some(broken) = break_xml(rng, original) {
            return broken;
        }
    }
    let mut bytes = original.to_vec();
    let at = |rng: &mut StdRng, len: usize| if len == 0 { 0 } else { rng.gen_range(0..len) };
    for _ in 0..rng.gen_range(1..=4) {
        let len = bytes.len();
        match rng.gen_range(0..6) {
            0 => {
                for _ in 0..rng.gen_range(1..=16) {
                    let i = at(rng, len);
                    if let Some(b) = bytes.get_mut(i) {
                        *b ^= 1 << rng.gen_range(0..8);
                    }
                }
            }
            1 => bytes.truncate(at(rng, len)),
            2 => {
                let start = at(rng, len);
                let end = (start + rng.gen_range(1..=256)).min(len);
                let copy = bytes[start..end].to_vec();
                let to = at(rng, len);
                bytes.splice(to..to, copy);
            }
            3 => {
                let to = at(rng, len);
                bytes.insert(to, b'"');
            }
            4 => {
                let to = at(rng, len);
                let nuls = vec![0u8; rng.gen_range(1..=64)];
                bytes.splice(to..to, nuls);
            }
            _ => {
                let i = at(rng, len);
                bytes.insert(i, b'\n');
            }
        }
    }
    bytes
}

/// The XLSX with one of its XML parts damaged inside (the archive itself stays sound).
fn break_xml(rng: &mut StdRng, original: &[u8]) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(original)).ok()?;
    let victim = rng.gen_range(0..archive.len());
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).ok()?;
        let name = part.name().ok()?.into_owned();
        let mut xml = Vec::new();
        part.read_to_end(&mut xml).ok()?;
        if i == victim && !xml.is_empty() {
            let at = rng.gen_range(0..xml.len());
            match rng.gen_range(0..3) {
                0 => xml.truncate(at),
                1 => xml.splice(at..at, b"<c r=\"ZZZZ99999999\"><v>".iter().copied()).for_each(drop),
                _ => xml.splice(at..at, b"</row>&bogus;".iter().copied()).for_each(drop),
            }
        }
        out.start_file(name, options).ok()?;
        out.write_all(&xml).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

fn case_file(dir: &Path, n: usize, ext: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(format!("case-{n}.{ext}"));
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_damaged_exports_are_each_imported_or_refused_cleanly() {
    let ws = Workspace::new();
    let files = ws.path().with_extension("cases");
    std::fs::create_dir_all(&files).unwrap();
    let originals = originals(&files);
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    let mut rng = StdRng::seed_from_u64(0x0C05_7D1A);
    let (mut imported, mut refused) = (0, 0);
    for n in 0..IN_PROCESS {
        let (ext, original) = &originals[n % originals.len()];
        let path = case_file(&files, n, ext, &damage(&mut rng, original, ext));
        let import = console.import_file(&path, "Acme", &|_| {}, Arc::new(AtomicBool::new(false)));
        match tokio::time::timeout(PER_FILE, import).await {
            Err(_) => panic!("case {n} ({ext}) hung"),
            Ok(Ok(_)) => imported += 1,
            Ok(Err(e)) => {
                // A refusal says what is wrong with the file; anything else is a defect.
                assert!(matches!(e.code(), Code::FileUnreadable), "case {n} ({ext}): {:?}: {e}", e.code());
                assert!(!e.to_string().contains("reader stopped"), "case {n} ({ext}): the reader died: {e}");
                refused += 1;
            }
        }
        std::fs::remove_file(path).unwrap();
    }
    assert!(imported > 0 && refused > 0, "{imported} imported, {refused} refused: the damage must do both");
    assert!(console.audit_verify().await.unwrap().intact);
    console.close().await;

    // Through the binary too: an abort at exit (a signal, not an exit code) shows only there.
    for n in IN_PROCESS..IN_PROCESS + THROUGH_THE_CLI {
        let (ext, original) = &originals[n % originals.len()];
        let path = case_file(&files, n, ext, &damage(&mut rng, original, ext));
        let out = ws.cli(&["import", path.to_str().unwrap(), "--client", "Acme"]);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "case {n} ({ext}) ended with {:?}: {}",
            out.status,
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "case {n} ({ext}): {}", stderr(&out));
        std::fs::remove_file(path).unwrap();
    }
    assert!(ws.cli(&["audit", "verify"]).status.success());
    std::fs::remove_dir_all(files).unwrap();
}
