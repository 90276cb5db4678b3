//! The batch manifest: one entry per report, as JSON and CSV.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::export::{write_atomic, ExportError};

/// What happened to one report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Rendered,
    Failed,
    Skipped,
}

/// One report in the manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub agency: Option<String>,
    pub year: Option<u16>,
    /// The input path as found (INPUT root joined with the relative path).
    pub input: String,
    /// The input path relative to its INPUT root (the shard key).
    pub input_relative: String,
    pub input_sha256: String,
    /// The output path relative to OUTDIR.
    pub output: Option<String>,
    /// The portal web page (`--html`), relative to OUTDIR: the output's name with `.html`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    pub output_sha256: Option<String>,
    pub pages: Option<usize>,
    pub bytes: Option<u64>,
    pub status: Status,
    /// Rule findings and errors, one line each.
    pub findings: Vec<String>,
    pub nianbao_version: String,
}

/// A manifest: the entries of one batch (or one shard of it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub nianbao_version: String,
    /// "K/N" when the manifest is one shard's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    pub entries: Vec<Entry>,
}

/// Why a manifest could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{path}: cannot read the manifest: {reason}")]
    Read { path: String, reason: String },
    #[error(transparent)]
    Write(#[from] ExportError),
    #[error("the manifests disagree about {input}: it appears in {first} and {second}")]
    Conflict {
        input: String,
        first: String,
        second: String,
    },
}

impl Manifest {
    pub fn read(path: &Path) -> Result<Manifest, ManifestError> {
        let err = |reason: String| ManifestError::Read {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        serde_json::from_str(&text).map_err(|e| err(e.to_string()))
    }

    /// Writes `NAME.json` and `NAME.csv` next to each other, atomically.
    pub fn write(&self, json_path: &Path) -> Result<(), ManifestError> {
        let json = serde_json::to_string_pretty(self).expect("a manifest serializes");
        write_atomic(json_path, format!("{json}\n").as_bytes())?;
        write_atomic(&json_path.with_extension("csv"), self.csv().as_bytes())?;
        Ok(())
    }

    /// The entries as CSV, for spreadsheets (UTF-8 with a byte-order mark, which Excel needs).
    pub fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "agency",
            "year",
            "input",
            "input_sha256",
            "output",
            "output_sha256",
            "pages",
            "bytes",
            "status",
            "findings",
            "nianbao_version",
        ]);
        for e in &self.entries {
            let status = match e.status {
                Status::Rendered => "rendered",
                Status::Failed => "failed",
                Status::Skipped => "skipped",
            };
            let _ = w.write_record([
                e.agency.clone().unwrap_or_default(),
                e.year.map(|y| y.to_string()).unwrap_or_default(),
                e.input.clone(),
                e.input_sha256.clone(),
                e.output.clone().unwrap_or_default(),
                e.output_sha256.clone().unwrap_or_default(),
                e.pages.map(|p| p.to_string()).unwrap_or_default(),
                e.bytes.map(|b| b.to_string()).unwrap_or_default(),
                status.to_string(),
                e.findings.join("\n"),
                e.nianbao_version.clone(),
            ]);
        }
        let body = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
        format!("\u{feff}{body}")
    }

    /// Joins shard manifests into one; an input in two shards with different results is an error.
    pub fn merge(parts: &[(String, Manifest)]) -> Result<Manifest, ManifestError> {
        let mut by_input: BTreeMap<String, (String, Entry)> = BTreeMap::new();
        for (name, m) in parts {
            for e in &m.entries {
                if let Some((first, existing)) = by_input.get(&e.input) {
                    if existing != e {
                        return Err(ManifestError::Conflict {
                            input: e.input.clone(),
                            first: first.clone(),
                            second: name.clone(),
                        });
                    }
                    continue;
                }
                by_input.insert(e.input.clone(), (name.clone(), e.clone()));
            }
        }
        Ok(Manifest {
            nianbao_version: crate::VERSION.to_string(),
            shard: None,
            entries: by_input.into_values().map(|(_, e)| e).collect(),
        })
    }
}
