//! The OFD container (GB/T 33190-2016 §6): a ZIP archive. Written with a fixed
//! entry order and fixed timestamps (the report's date), so the same report
//! gives the same bytes; read back whole for signing and verification.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::OfdError;

/// A package's files in order: (path inside the ZIP, without a leading `/`; bytes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Package {
    pub files: Vec<(String, Vec<u8>)>,
}

/// The most a package may unpack to (a guard against ZIP bombs).
const MAX_UNPACKED: u64 = 1 << 30;

impl Package {
    pub fn add(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.files.push((path.into(), bytes));
    }

    /// The bytes of a file, by its path (with or without a leading `/`).
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        let path = path.trim_start_matches('/');
        self.files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, b)| b.as_slice())
    }

    /// Replaces a file's bytes, or adds the file at the end.
    pub fn set(&mut self, path: &str, bytes: Vec<u8>) {
        let path = path.trim_start_matches('/');
        match self.files.iter_mut().find(|(p, _)| p == path) {
            Some(f) => f.1 = bytes,
            None => self.files.push((path.to_string(), bytes)),
        }
    }

    /// The ZIP bytes: entries in order, deflated, all dated `date` (y, m, d).
    pub fn to_zip(&self, date: (u16, u8, u8)) -> Result<Vec<u8>, OfdError> {
        let zip_err = |e: zip::result::ZipError| OfdError::Package(e.to_string());
        let time = DateTime::from_date_and_time(date.0.max(1980), date.1, date.2, 0, 0, 0)
            .unwrap_or_default();
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(time)
            .unix_permissions(0o644);
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        for (path, bytes) in &self.files {
            zip.start_file(path.as_str(), options).map_err(zip_err)?;
            zip.write_all(bytes)
                .map_err(|e| OfdError::Package(e.to_string()))?;
        }
        Ok(zip.finish().map_err(zip_err)?.into_inner())
    }

    /// Reads a whole package.
    pub fn from_zip(bytes: &[u8]) -> Result<Package, OfdError> {
        let bad = |e: String| OfdError::input(format!("not a readable OFD package (ZIP): {e}"));
        let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
        let mut files = Vec::with_capacity(zip.len());
        let mut total = 0u64;
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
            if entry.is_dir() {
                continue;
            }
            let name = entry
                .name()
                .map_err(|e| bad(e.to_string()))?
                .trim_start_matches('/')
                .to_string();
            let mut data = Vec::new();
            (&mut entry)
                .take(MAX_UNPACKED - total + 1)
                .read_to_end(&mut data)
                .map_err(|e| bad(format!("{name}: {e}")))?;
            total += data.len() as u64;
            if total > MAX_UNPACKED {
                return Err(bad("it unpacks to more than 1 GiB".into()));
            }
            files.push((name, data));
        }
        if !files.iter().any(|(p, _)| p == "OFD.xml") {
            return Err(OfdError::input(
                "not an OFD package: it has no OFD.xml (GB/T 33190-2016 §6)".into(),
            ));
        }
        Ok(Package { files })
    }
}

/// Resolves an OFD location (ST_Loc) against the directory of the file that
/// names it: absolute locations start at the package root.
pub fn resolve(base_dir: &str, loc: &str) -> String {
    let joined = if let Some(abs) = loc.strip_prefix('/') {
        abs.to_string()
    } else if base_dir.is_empty() {
        loc.to_string()
    } else {
        format!("{}/{loc}", base_dir.trim_end_matches('/'))
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The directory of a package path (`Doc_0/Document.xml` → `Doc_0`).
pub fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_round_trip_is_reproducible() {
        let mut p = Package::default();
        p.add("OFD.xml", b"<a/>".to_vec());
        p.add("Doc_0/Document.xml", b"<b/>".to_vec());
        let a = p.to_zip((2024, 1, 20)).unwrap();
        let b = p.to_zip((2024, 1, 20)).unwrap();
        assert_eq!(a, b);
        assert_eq!(Package::from_zip(&a).unwrap(), p);
    }

    #[test]
    fn locations_resolve() {
        assert_eq!(
            resolve("Doc_0", "Pages/Page_0/Content.xml"),
            "Doc_0/Pages/Page_0/Content.xml"
        );
        assert_eq!(resolve("Doc_0/Res", "/Doc_0/Signs/x"), "Doc_0/Signs/x");
        assert_eq!(
            resolve("Doc_0/Res", "../Attachs/a.json"),
            "Doc_0/Attachs/a.json"
        );
    }
}
