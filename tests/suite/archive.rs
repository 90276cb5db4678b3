//! Archival copies: PDF/A with the data inside, PAdES signatures, verification.
//!
//! Independent verifiers (installed by scripts/test): poppler's `pdfsig`,
//! pyHanko (`python3 -m pyhanko sign validate`), MuPDF's `mutool sign -v`, the
//! `page-validation` PDF/A validator, `qpdf --check`. Certificates are made
//! here with `openssl`; the B-T test runs a local RFC 3161 time-stamp server
//! (`openssl ts -reply` behind a small HTTP listener on 127.0.0.1) and stops it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::common::*;
use assert_cmd::Command;
use nianbao::export::ExportOptions;
use nianbao::model::{load_str, Format};
use nianbao::RenderOptions;

fn nianbao() -> Command {
    Command::cargo_bin("nianbao").unwrap()
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Process::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl (scripts/test installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Test certificates: a root CA, RSA and P-256 signers, a TSA, an expired and
/// a not-yet-valid signer, all made with openssl.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }
}

const CA_CONF: &str = "[ ca ]
default_ca = test_ca
[ test_ca ]
database = index.txt
new_certs_dir = issued
serial = serial
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
organizationName = optional
[ leaf ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
[ tsa ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
";

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("ca.cnf"), CA_CONF).unwrap();
        std::fs::write(d.join("index.txt"), "").unwrap();
        std::fs::write(d.join("serial"), "1000\n").unwrap();
        std::fs::create_dir(d.join("issued")).unwrap();
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "3650",
                "-subj",
                "/CN=nianbao Test Root CA/O=nianbao test",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        let issue = |name: &str, key_args: &[&str], subject: &str, ext: &str, dates: &[&str]| {
            let key = format!("{name}.key");
            let csr = format!("{name}.csr");
            let pem = format!("{name}.pem");
            let mut args = vec!["genpkey", "-out", &key];
            args.extend_from_slice(key_args);
            openssl(d, &args);
            openssl(
                d,
                &[
                    "req", "-new", "-utf8", "-key", &key, "-subj", subject, "-out", &csr,
                ],
            );
            let mut args = vec![
                "ca",
                "-batch",
                "-config",
                "ca.cnf",
                "-extensions",
                ext,
                "-in",
                &csr,
                "-out",
                &pem,
                "-notext",
            ];
            if dates.is_empty() {
                args.extend_from_slice(&["-days", "365"]);
            } else {
                args.extend_from_slice(dates);
            }
            openssl(d, &args);
        };
        let rsa = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
        let ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
        issue(
            "rsa",
            &rsa,
            "/CN=卞路口乡人民政府/O=nianbao test",
            "leaf",
            &[],
        );
        issue(
            "ec",
            &ec,
            "/CN=卞路口乡人民政府 P-256/O=nianbao test",
            "leaf",
            &[],
        );
        issue(
            "tsa",
            &ec,
            "/CN=nianbao Test TSA/O=nianbao test",
            "tsa",
            &[],
        );
        issue(
            "expired",
            &ec,
            "/CN=Expired Signer/O=nianbao test",
            "leaf",
            &[
                "-startdate",
                "20200101000000Z",
                "-enddate",
                "20210101000000Z",
            ],
        );
        issue(
            "future",
            &ec,
            "/CN=Future Signer/O=nianbao test",
            "leaf",
            &[
                "-startdate",
                "20900101000000Z",
                "-enddate",
                "20910101000000Z",
            ],
        );
        Pki { dir }
    })
}

/// The example as an archival copy, rendered once through the library.
fn archive_copy() -> &'static [u8] {
    static COPY: OnceLock<Vec<u8>> = OnceLock::new();
    COPY.get_or_init(|| {
        publisher()
            .render_with(
                &load(&example()),
                &RenderOptions::default(),
                &ExportOptions::archive(),
            )
            .unwrap_or_else(|e| panic!("{e}"))
            .pdf
    })
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Signs `input` with the CLI; panics on failure.
fn sign(input: &Path, output: &Path, signer: &str, extra: &[&str]) {
    let pki = pki();
    nianbao()
        .arg("sign")
        .arg(input)
        .args(["--key", &pki.path(&format!("{signer}.key"))])
        .args(["--cert", &pki.path(&format!("{signer}.pem"))])
        .args(["--chain", &pki.path("ca.pem")])
        .args(extra)
        .arg("-o")
        .arg(output)
        .assert()
        .success();
}

fn verify_json(pdf: &Path) -> (bool, serde_json::Value) {
    let out = nianbao()
        .arg("verify")
        .arg(pdf)
        .args(["--trust", &pki().path("ca.pem"), "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "verify JSON: {e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), json)
}

fn pdfsig(pdf: &Path) -> String {
    // pdfsig exits 0 even when a signature is invalid: read what it prints.
    run("pdfsig", &[pdf.to_str().unwrap()]).1
}

fn pyhanko(pdf: &Path) -> (bool, String) {
    run(
        "python3",
        &[
            "-m",
            "pyhanko",
            "sign",
            "validate",
            "--trust-replace",
            "--trust",
            &pki().path("ca.pem"),
            pdf.to_str().unwrap(),
        ],
    )
}

/// MuPDF's verdict on every signature. It exits 0 whatever it finds, so the
/// tests read what it prints; a run that prints no verdict is a failure here.
fn mutool(pdf: &Path) -> String {
    let (ok, out) = run("mutool", &["sign", "-v", pdf.to_str().unwrap()]);
    assert!(ok, "mutool sign -v failed: {out}");
    assert!(
        out.contains("Verifying signature"),
        "mutool said nothing: {out}"
    );
    out
}

fn qpdf_check(pdf: &Path) {
    let (ok, out) = run("qpdf", &["--check", pdf.to_str().unwrap()]);
    assert!(ok, "qpdf --check: {out}");
    assert!(
        out.contains("No syntax or stream encoding errors found"),
        "{out}"
    );
}

#[test]
fn archive_copy_carries_the_data_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.pdf");
    nianbao()
        .arg("render")
        .arg(example())
        .arg("--archive")
        .arg("-o")
        .arg(&copy)
        .assert()
        .success();
    let bytes = std::fs::read(&copy).unwrap();
    assert_eq!(bytes, archive_copy(), "the CLI and the library agree");

    // The data is an associated file (PDF/A-3 /AF), JSON, relationship Data.
    let (_, list) = run("pdfdetach", &["-list", copy.to_str().unwrap()]);
    assert!(list.contains("nianbao-data.json"), "{list}");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("/AFRelationship /Data") || text.contains("/AFRelationship/Data"));
    assert!(text.contains("pdfaid:part>3<") || text.contains("pdfaid:part=\"3\""));

    // Out again: the same data as parsed from the TOML…
    let data = dir.path().join("data.json");
    nianbao()
        .arg("extract")
        .arg(&copy)
        .arg("-o")
        .arg(&data)
        .assert()
        .success();
    let json = std::fs::read_to_string(&data).unwrap();
    let extracted = load_str("data.json", &json, Format::Json).unwrap();
    assert_eq!(extracted.report, load(&example()).report);
    // …which renders to the same bytes.
    let again = dir.path().join("again.pdf");
    nianbao()
        .arg("render")
        .arg(&data)
        .arg("--archive")
        .arg("-o")
        .arg(&again)
        .assert()
        .success();
    assert!(std::fs::read(&again).unwrap() == bytes, "re-render differs");

    qpdf_check(&copy);
    assert_eq!(page_validation_failures(&copy, "3b"), Vec::<String>::new());
    cff_widths_agree_with_w(&copy);
    let info = pdfinfo(&copy);
    assert_eq!(info_value(&info, "Author"), "卞路口乡人民政府");
    assert!(info_value(&info, "Keywords").contains("政府信息公开工作年度报告"));
    assert!(info_value(&info, "CreationDate").contains("2023"));
    assert!(
        text.contains("zh-CN") || text.contains("/Lang (zh"),
        "language"
    );
}

#[test]
fn pdf_a_2b_without_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a2b.pdf");
    nianbao()
        .arg("render")
        .arg(example())
        .args(["--pdf-standard", "a-2b", "-o"])
        .arg(&out)
        .assert()
        .success();
    qpdf_check(&out);
    assert_eq!(page_validation_failures(&out, "2b"), Vec::<String>::new());
    nianbao()
        .arg("extract")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicates::str::contains("not an archival copy"));
    // PDF/A-2 cannot carry the data.
    nianbao()
        .arg("render")
        .arg(example())
        .args(["--pdf-standard", "a-2b", "--archive", "-o"])
        .arg(dir.path().join("x.pdf"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("PDF/A-3b"));
    assert!(!dir.path().join("x.pdf").exists());
}

#[test]
fn signed_archive_copy_is_valid_for_every_verifier() {
    let dir = tempfile::tempdir().unwrap();
    let copy = write(dir.path(), "copy.pdf", archive_copy());
    let signed = dir.path().join("signed.pdf");
    sign(&copy, &signed, "rsa", &[]);
    let bytes = std::fs::read(&signed).unwrap();
    assert!(bytes.starts_with(archive_copy()), "an incremental update");

    let (ok, v) = verify_json(&signed);
    assert!(ok, "{v:#}");
    let s = &v["signatures"][0];
    assert_eq!(s["intact"], true);
    assert_eq!(s["signature_valid"], true);
    assert_eq!(s["covers_whole_file"], true);
    assert_eq!(s["trusted"], true);
    assert_eq!(s["pades_level"], "B-B");
    assert!(s["signer"]["subject"]
        .as_str()
        .unwrap()
        .contains("卞路口乡人民政府"));
    assert_eq!(v["archive"]["reproduced"], true, "{v:#}");

    let sig = pdfsig(&signed);
    assert!(sig.contains("Signature is Valid."), "{sig}");
    assert!(sig.contains("Total document signed"), "{sig}");
    assert!(sig.contains("ETSI.CAdES.detached"), "{sig}");
    let (ok, out) = pyhanko(&signed);
    assert!(ok && out.contains("INTACT:TRUSTED,UNTOUCHED"), "{out}");
    let mu = mutool(&signed);
    assert!(
        mu.contains("The document is unchanged since signing."),
        "{mu}"
    );

    qpdf_check(&signed);
    assert_eq!(
        page_validation_failures(&signed, "3b"),
        Vec::<String>::new()
    );
    // The trailer /ID is kept.
    let id = |pdf: &Path| {
        let (_, t) = run("qpdf", &["--show-object=trailer", pdf.to_str().unwrap()]);
        t.split("/ID")
            .nth(1)
            .map(|s| s.split(']').next().unwrap().to_string())
    };
    assert_eq!(id(&copy), id(&signed));
    assert!(id(&copy).is_some());
}

#[test]
fn p256_signature_and_a_second_signature() {
    let dir = tempfile::tempdir().unwrap();
    let copy = write(dir.path(), "copy.pdf", archive_copy());
    let once = dir.path().join("once.pdf");
    let twice = dir.path().join("twice.pdf");
    sign(&copy, &once, "ec", &["--reason", "审核"]);
    sign(&once, &twice, "rsa", &[]);
    let (ok, v) = verify_json(&twice);
    assert!(ok, "{v:#}");
    let sigs = v["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2);
    assert_eq!(sigs[0]["ok"], true);
    assert_eq!(sigs[0]["covers_whole_file"], false);
    assert_eq!(sigs[1]["ok"], true);
    assert_eq!(sigs[1]["covers_whole_file"], true);
    let sig = pdfsig(&twice);
    assert_eq!(sig.matches("Signature is Valid.").count(), 2, "{sig}");
    let (ok, out) = pyhanko(&twice);
    assert!(ok, "{out}");
    assert_eq!(out.matches(":INTACT:TRUSTED").count(), 2, "{out}");
    // MuPDF: the first signature is valid with a later revision after it; the
    // second covers the whole file.
    let mu = mutool(&twice);
    assert!(
        mu.contains("The signature is valid but there have been edits since signing."),
        "{mu}"
    );
    assert!(
        mu.contains("The document is unchanged since signing."),
        "{mu}"
    );
    qpdf_check(&twice);
    // page-validation applies "the ByteRange covers the entire file" to the
    // first signature too, which by construction covers only its own revision
    // once a second signature is added incrementally. ISO 32000's "file" here
    // means the file as signed (the first signature's bytes are untouched, as
    // verify, pdfsig and pyHanko confirm above); veraPDF had the same check
    // and fixed it (veraPDF-library issue #1493, "Signed signature fields and
    // incremental saves validation issue"; Adobe Preflight accepts such files).
    // So for this file alone that rule is allowed, and only for the first
    // signature: the last one covers the whole file (checked above).
    let failures: Vec<String> = page_validation_failures(&twice, "3b")
        .into_iter()
        .filter(|f| !f.starts_with("PDFA3B-SIGNATURE-BYTERANGE-001"))
        .collect();
    assert_eq!(failures, Vec::<String>::new());
    let once_failures = page_validation_failures(&once, "3b");
    assert_eq!(once_failures, Vec::<String>::new());
}

#[test]
fn tampering_is_detected_by_every_verifier() {
    let dir = tempfile::tempdir().unwrap();
    let copy = write(dir.path(), "copy.pdf", archive_copy());
    let signed = dir.path().join("signed.pdf");
    sign(&copy, &signed, "rsa", &[]);
    let bytes = std::fs::read(&signed).unwrap();

    // One byte inside the signed range: the XMP metadata's CreatorTool.
    let needle = b"CreatorTool>nianbao";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("uncompressed XMP")
        + b"CreatorTool>".len();
    let mut flipped = bytes.clone();
    flipped[at] = b'N';
    let flipped = write(dir.path(), "flipped.pdf", &flipped);
    let (ok, v) = verify_json(&flipped);
    assert!(!ok);
    assert_eq!(v["signatures"][0]["intact"], false, "{v:#}");
    let sig = pdfsig(&flipped);
    assert!(!sig.contains("Signature is Valid."), "{sig}");
    assert!(
        sig.contains("Signature is Invalid") || sig.contains("Digest Mismatch"),
        "{sig}"
    );
    // Each verifier rejects it for the right reason (not because it is missing
    // or crashed).
    let (ok, out) = pyhanko(&flipped);
    assert!(!ok && out.contains(":INVALID"), "{out}");
    let mu = mutool(&flipped);
    assert!(
        mu.contains("Digest error: Signature invalidated by change to document."),
        "{mu}"
    );

    // Bytes appended after the signed range.
    let mut appended = bytes.clone();
    appended.extend_from_slice(b"\n1 0 obj\n(x)\nendobj\n%%EOF\n");
    let appended = write(dir.path(), "appended.pdf", &appended);
    let (ok, v) = verify_json(&appended);
    assert!(!ok, "{v:#}");
    assert_eq!(v["signatures"][0]["covers_whole_file"], false);
    let sig = pdfsig(&appended);
    assert!(!sig.contains("Total document signed"), "{sig}");
    let (ok, out) = pyhanko(&appended);
    assert!(!ok && out.contains("startxref not found"), "{out}");
    let mu = mutool(&appended);
    assert!(
        mu.contains("The signature is valid but there have been edits since signing."),
        "{mu}"
    );
}

#[test]
fn bad_input_is_a_clear_error_and_writes_nothing() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let copy = write(dir.path(), "copy.pdf", archive_copy());
    let out = dir.path().join("out.pdf");
    let attempt = |input: &Path, key: &str, cert: &str, extra: &[&str], message: &str| {
        let assert = nianbao()
            .arg("sign")
            .arg(input)
            .args(["--key", &pki.path(key), "--cert", &pki.path(cert)])
            .args(extra)
            .arg("-o")
            .arg(&out)
            .assert()
            .failure()
            .code(1);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(stderr.contains(message), "expected {message:?} in {stderr}");
        assert!(!out.exists(), "no output on error ({message})");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert!(leftovers <= 3, "temporary files left behind");
    };
    attempt(
        &copy,
        "ec.key",
        "rsa.pem",
        &[],
        "wrong key for the certificate",
    );
    attempt(&copy, "expired.key", "expired.pem", &[], "has expired");
    attempt(&copy, "future.key", "future.pem", &[], "not yet valid");
    let text = write(dir.path(), "text.pdf", b"hello, not a PDF\n");
    attempt(&text, "rsa.key", "rsa.pem", &[], "not a PDF file");
    let truncated = write(
        dir.path(),
        "trunc.pdf",
        &archive_copy()[..archive_copy().len() / 2],
    );
    attempt(&truncated, "rsa.key", "rsa.pem", &[], "truncated");
    std::fs::remove_file(&text).unwrap();
    std::fs::remove_file(&truncated).unwrap();
    // A TSA that is not listening.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    attempt(&copy, "rsa.key", "rsa.pem", &["--tsa", &url], "unreachable");

    // verify on an unsigned or broken file fails clearly.
    nianbao()
        .arg("verify")
        .arg(&copy)
        .assert()
        .failure()
        .stdout(predicates::str::contains("not signed"));
    let text = write(dir.path(), "text.pdf", b"hello");
    nianbao()
        .arg("verify")
        .arg(&text)
        .assert()
        .failure()
        .stderr(predicates::str::contains("not a PDF file"));
}

/// A local RFC 3161 time-stamp authority: `openssl ts -reply` behind a small
/// HTTP listener on 127.0.0.1; stopped when dropped.
struct Tsa {
    url: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Tsa {
    fn start() -> Tsa {
        let pki = pki();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_path_buf();
        std::fs::write(d.join("serial"), "01\n").unwrap();
        std::fs::write(
            d.join("tsa.cnf"),
            format!(
                "[ tsa ]\ndefault_tsa = tsa_config\n[ tsa_config ]\nserial = {}\nsigner_cert = {}\ncerts = {}\nsigner_key = {}\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\naccuracy = secs:1\ness_cert_id_alg = sha256\n",
                d.join("serial").display(),
                pki.path("tsa.pem"),
                pki.path("ca.pem"),
                pki.path("tsa.key"),
            ),
        )
        .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/tsa", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            let mut n = 0;
            while !flag.load(Ordering::SeqCst) && Instant::now() < deadline && n < 50 {
                match listener.accept() {
                    Ok((stream, _)) => {
                        n += 1;
                        serve(stream, &d, n);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Tsa {
            url,
            stop,
            thread: Some(thread),
            _dir: dir,
        }
    }
}

impl Drop for Tsa {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut stream: TcpStream, dir: &Path, n: usize) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let (head_end, length) = loop {
        let Ok(k) = stream.read(&mut chunk) else {
            return;
        };
        if k == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..k]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            break (i + 4, length);
        }
    };
    while buf.len() < head_end + length {
        let Ok(k) = stream.read(&mut chunk) else {
            return;
        };
        if k == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..k]);
    }
    let query = dir.join(format!("q{n}.tsq"));
    let reply = dir.join(format!("r{n}.tsr"));
    std::fs::write(&query, &buf[head_end..head_end + length]).unwrap();
    let ok = Process::new("openssl")
        .args(["ts", "-reply", "-config"])
        .arg(dir.join("tsa.cnf"))
        .arg("-queryfile")
        .arg(&query)
        .arg("-out")
        .arg(&reply)
        .output()
        .is_ok_and(|o| o.status.success());
    let response = if ok {
        let body = std::fs::read(&reply).unwrap();
        let mut r = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        r.extend_from_slice(&body);
        r
    } else {
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .to_vec()
    };
    let _ = stream.write_all(&response);
}

#[test]
fn time_stamped_signature_is_pades_b_t() {
    let tsa = Tsa::start();
    let dir = tempfile::tempdir().unwrap();
    let copy = write(dir.path(), "copy.pdf", archive_copy());
    let signed = dir.path().join("signed.pdf");
    sign(&copy, &signed, "ec", &["--tsa", &tsa.url]);
    drop(tsa);

    let (ok, v) = verify_json(&signed);
    assert!(ok, "{v:#}");
    let s = &v["signatures"][0];
    assert_eq!(s["pades_level"], "B-T", "{v:#}");
    assert_eq!(s["timestamp"]["intact"], true);
    assert_eq!(s["timestamp"]["trusted"], true);
    assert!(s["timestamp"]["authority"]
        .as_str()
        .unwrap()
        .contains("nianbao Test TSA"));

    let sig = pdfsig(&signed);
    assert!(sig.contains("Signature is Valid."), "{sig}");
    let (ok, out) = run(
        "python3",
        &[
            "-m",
            "pyhanko",
            "sign",
            "validate",
            "--pretty-print",
            "--trust-replace",
            "--trust",
            &pki().path("ca.pem"),
            signed.to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("judged VALID"), "{out}");
    assert!(out.contains("timestamp token"), "{out}");
    let mu = mutool(&signed);
    assert!(
        mu.contains("The document is unchanged since signing."),
        "{mu}"
    );
    qpdf_check(&signed);
    assert_eq!(
        page_validation_failures(&signed, "3b"),
        Vec::<String>::new()
    );
}

#[test]
fn visible_signature_over_a_png_seal_and_seal_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.pdf");
    nianbao()
        .arg("render")
        .arg(fixture("long-report.toml"))
        .arg("--archive")
        .arg("--seal")
        .arg(fixture("archive-seal.png"))
        .arg("-o")
        .arg(&copy)
        .assert()
        .success();
    // The seal travels with the data: extracted beside it, it re-renders the same copy.
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    nianbao()
        .arg("extract")
        .arg(&copy)
        .arg("-o")
        .arg(out.join("data.json"))
        .assert()
        .success();
    assert!(out.join("seal.png").exists());
    nianbao()
        .arg("render")
        .arg(out.join("data.json"))
        .arg("--archive")
        .arg("-o")
        .arg(out.join("again.pdf"))
        .assert()
        .success();
    assert!(std::fs::read(out.join("again.pdf")).unwrap() == std::fs::read(&copy).unwrap());

    let signed = dir.path().join("signed.pdf");
    sign(&copy, &signed, "rsa", &["--visible"]);
    let (ok, v) = verify_json(&signed);
    assert!(ok, "{v:#}");
    assert_eq!(v["archive"]["reproduced"], true);
    // The widget sits on the seal (lower right of the last page), not at 0 0 0 0.
    let (_, annots) = run("qpdf", &["--qdf", signed.to_str().unwrap(), "-"]);
    let rect = annots
        .split("/Rect [")
        .nth(1)
        .and_then(|r| r.split(']').next())
        .expect("a widget rectangle")
        .split_whitespace()
        .map(|x| x.parse::<f32>().unwrap())
        .collect::<Vec<_>>();
    assert!(
        rect[2] - rect[0] > 50.0 && rect[3] - rect[1] > 50.0,
        "{rect:?}"
    );
    assert!(pdfsig(&signed).contains("Signature is Valid."));
    let (ok, out) = pyhanko(&signed);
    assert!(ok, "{out}");
    assert_eq!(
        page_validation_failures(&signed, "3b"),
        Vec::<String>::new()
    );
    qpdf_check(&signed);

    // An SVG seal is drawn as vector paths, not an image: --visible says so.
    let svg_copy = dir.path().join("svg.pdf");
    nianbao()
        .arg("render")
        .arg(fixture("long-report.toml"))
        .arg("--archive")
        .arg("-o")
        .arg(&svg_copy)
        .assert()
        .success();
    nianbao()
        .arg("sign")
        .arg(&svg_copy)
        .args([
            "--key",
            &pki().path("rsa.key"),
            "--cert",
            &pki().path("rsa.pem"),
        ])
        .arg("--visible")
        .arg("-o")
        .arg(dir.path().join("no.pdf"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("seal image"));
    assert!(!dir.path().join("no.pdf").exists());
}
