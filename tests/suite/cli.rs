//! The command line: exit codes, defaults, help, standard input, fonts, templates.

use crate::common::*;
use assert_cmd::Command;
use predicates::prelude::*;

fn nianbao() -> Command {
    Command::cargo_bin("nianbao").unwrap()
}

#[test]
fn render_writes_next_to_the_data_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("report.toml");
    std::fs::copy(example(), &data).unwrap();
    nianbao()
        .arg("render")
        .arg(&data)
        .assert()
        .success()
        .stderr(predicate::str::contains("report.pdf"));
    let pdf = dir.path().join("report.pdf");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    // Only the PDF was written: no temporary files left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn render_reads_standard_input_with_input_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.pdf");
    let json = serde_json::to_string(&load(&example()).report).unwrap();
    nianbao()
        .args(["render", "-", "--input-format", "json", "-o"])
        .arg(&out)
        .write_stdin(json)
        .assert()
        .success();
    assert!(pdf_text(&out).contains("卞路口乡人民政府"));
}

#[test]
fn usage_errors_exit_2_and_help_has_examples() {
    nianbao().assert().code(2);
    nianbao().args(["render"]).assert().code(2);
    nianbao()
        .args(["render", "x.toml", "--no-such-flag"])
        .assert()
        .code(2);
    nianbao()
        .args(["render", "x.toml", "--font", "nosuchrole=A"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown font role"));
    for cmd in ["render", "typst", "fonts"] {
        nianbao()
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:"))
            .stdout(predicate::str::contains("nianbao "));
    }
    nianbao()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes"));
}

#[test]
fn bad_data_exits_1_with_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(example())
        .unwrap()
        .replace("agency = ", "agncy = ");
    std::fs::write(&data, text).unwrap();
    let out = dir.path().join("bad.pdf");
    nianbao()
        .arg("render")
        .arg(&data)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.toml"))
        .stderr(predicate::str::contains("agncy"))
        .stderr(predicate::str::contains("是不是 `agency`"));
    assert!(!out.exists(), "no output for bad data");
}

#[test]
fn missing_glyph_is_an_error_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("r.toml");
    let text = std::fs::read_to_string(example())
        .unwrap()
        .replace("无其他需要报告事项。", "无其他需要报告事项𠀋。");
    std::fs::write(&data, text).unwrap();
    nianbao()
        .arg("render")
        .arg(&data)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("U+2000B"))
        .stderr(predicate::str::contains("other.paragraphs[0]"));
    assert!(!dir.path().join("r.pdf").exists());
}

#[test]
fn typst_prints_the_generated_source() {
    nianbao()
        .arg("typst")
        .arg(example())
        .assert()
        .success()
        .stdout(predicate::str::contains("#import \"/nianbao.typ\": *"))
        .stdout(predicate::str::contains("#part-heading(\"一、总体情况\")"));
}

#[test]
fn fonts_lists_roles_faces_and_origins() {
    nianbao()
        .arg("fonts")
        .assert()
        .success()
        .stdout(predicate::str::contains("FandolFang R"))
        .stdout(predicate::str::contains(
            "embedded fonts/fandol/FandolFang-Regular.otf",
        ))
        .stdout(predicate::str::contains("page_number"));
}

#[test]
fn font_dir_adds_fonts_and_roles_can_be_remapped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fonts/fandol/FandolKai-Regular.otf"),
        dir.path().join("MyKai.otf"),
    )
    .unwrap();
    let out = nianbao()
        .args(["fonts", "--font", "body=FandolKai", "--font-dir"])
        .arg(dir.path())
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let body = stdout.lines().find(|l| l.starts_with("body")).unwrap();
    assert!(
        body.contains("FandolKai") && body.contains("MyKai.otf"),
        "{body}"
    );
    // And the render uses it: the body font in the PDF is FandolKai.
    let pdf = dir.path().join("o.pdf");
    nianbao()
        .arg("render")
        .arg(example())
        .args(["--font", "body=FandolKai", "-o"])
        .arg(&pdf)
        .arg("--font-dir")
        .arg(dir.path())
        .assert()
        .success();
    let fonts = tool("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(!fonts.contains("FandolFang"), "{fonts}");
}

#[test]
fn template_errors_name_the_template_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let lib = std::fs::read_to_string(root().join("templates/nianbao.typ")).unwrap();
    // An error on a known line of the style library.
    let broken = format!("{lib}\n#let broken = (\n");
    std::fs::write(dir.path().join("nianbao.typ"), broken).unwrap();
    let line = lib.lines().count() + 2;
    nianbao()
        .arg("render")
        .arg(example())
        .arg("--templates")
        .arg(dir.path())
        .arg("-o")
        .arg(dir.path().join("x.pdf"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "nianbao.typ (the style library):{line}:"
        )));
}

#[test]
fn a_typst_warning_fails_the_render() {
    let dir = tempfile::tempdir().unwrap();
    let main = std::fs::read_to_string(root().join("templates/report.typ.j2")).unwrap();
    // An unknown font family is only a warning in Typst; it must fail ours.
    std::fs::write(
        dir.path().join("report.typ.j2"),
        format!("{main}\n#text(font: \"No Such Family\")[x]\n"),
    )
    .unwrap();
    let out = dir.path().join("x.pdf");
    nianbao()
        .arg("render")
        .arg(example())
        .arg("--templates")
        .arg(dir.path())
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("warning"))
        .stderr(
            predicate::str::contains("No Such Family")
                .or(predicate::str::contains("no such family")),
        );
    assert!(!out.exists());
}

#[test]
fn json_errors_for_programs() {
    let out = nianbao()
        .args(["render", "no-such-file.toml", "--format", "json"])
        .assert()
        .code(1);
    // One JSON document on standard output, nothing for people on standard error.
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(out.get_output().stderr.is_empty());
    assert_eq!(v["status"], "error");
    assert_eq!(v["errors"][0]["file"], "no-such-file.toml");
}

#[test]
fn a_fonts_table_in_the_data_remaps_roles() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("r.toml");
    let text = std::fs::read_to_string(example()).unwrap();
    std::fs::write(
        &data,
        format!("{text}\n[fonts]\nbody = [\"FandolKai\"]\nheading1 = [\"FandolSong\"]\n"),
    )
    .unwrap();
    nianbao().arg("render").arg(&data).assert().success();
    let fonts = tool("pdffonts", &[dir.path().join("r.pdf").to_str().unwrap()]);
    assert!(
        !fonts.contains("FandolFang") && !fonts.contains("FandolHei"),
        "{fonts}"
    );
    // An unknown role in the table is an unknown key.
    std::fs::write(&data, format!("{text}\n[fonts]\nbdy = [\"FandolKai\"]\n")).unwrap();
    nianbao()
        .arg("render")
        .arg(&data)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("是不是 `body`"));
}

/// `typst --project DIR` writes exactly what nianbao compiles: the main file
/// `typst` prints, the style library, the roles module and the seal; and the
/// project compiles on its own with the Typst library (from its files, through a
/// plain file-system World) into the pages nianbao renders.
#[test]
fn typst_project_writes_the_sources_nianbao_compiles() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("proj");
    nianbao()
        .arg("typst")
        .arg(fixture("long-report.toml"))
        .arg("--project")
        .arg(&project)
        .assert()
        .success();
    let printed = nianbao()
        .arg("typst")
        .arg(fixture("long-report.toml"))
        .output()
        .unwrap();
    assert!(printed.status.success());
    let main = std::fs::read(project.join("main.typ")).unwrap();
    assert_eq!(main, printed.stdout, "main.typ is what `typst` prints");
    let lib = std::fs::read_to_string(project.join("nianbao.typ")).unwrap();
    let embedded = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/nianbao.typ"),
    )
    .unwrap();
    assert_eq!(lib, embedded, "nianbao.typ is the embedded style library");
    let roles = std::fs::read_to_string(project.join("roles.typ")).unwrap();
    assert!(roles.contains("\"body\": (\"FandolFang R\",)"), "{roles}");
    // The long report has a seal; it is written where main.typ finds it.
    assert!(project.join("seal.svg").exists() || project.join("seal.png").exists());

    let world = project_world::DirWorld::new(&project);
    let compiled = typst::compile::<typst_layout::PagedDocument>(&world);
    let doc = compiled
        .output
        .unwrap_or_else(|e| panic!("the project does not compile: {e:?}"));
    let text = |doc: &typst_layout::PagedDocument| -> String {
        let mut out = String::new();
        for page in doc.pages() {
            project_world::collect_text(&page.frame, &mut out);
        }
        out
    };
    let rendered =
        typst::compile::<typst_layout::PagedDocument>(&nianbao_world(&fixture("long-report.toml")))
            .output
            .unwrap();
    assert_eq!(doc.pages().len(), rendered.pages().len());
    assert_eq!(
        text(&doc),
        text(&rendered),
        "the same text on the same pages"
    );
    assert!(text(&doc).contains("结转下年度继续办理"));
}

/// The World nianbao compiles the long report in.
fn nianbao_world(data: &std::path::Path) -> nianbao::typeset::ReportWorld {
    let publisher = publisher();
    let loaded = load(data);
    let prepared = publisher
        .prepare(&loaded, &nianbao::RenderOptions::default(), false)
        .unwrap();
    nianbao::typeset::world(
        prepared.source,
        nianbao::typeset::library_source(publisher.style_library()),
        &prepared.roles,
        prepared.seal,
        publisher.fonts().clone(),
        None,
    )
}

/// A plain Typst World over a directory: every file from disk, the bundled fonts.
mod project_world {
    use std::path::{Path, PathBuf};

    use typst::diag::{FileError, FileResult};
    use typst::foundations::{Bytes, Datetime};
    use typst::layout::{Frame, FrameItem};
    use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
    use typst::text::{Font, FontBook};
    use typst::utils::LazyHash;
    use typst::{Library, LibraryExt, World};

    use nianbao::typeset::FontStore;

    pub struct DirWorld {
        root: PathBuf,
        main: FileId,
        fonts: FontStore,
        library: LazyHash<Library>,
    }

    impl DirWorld {
        pub fn new(root: &Path) -> DirWorld {
            let main =
                RootedPath::new(VirtualRoot::Project, VirtualPath::new("/main.typ").unwrap())
                    .intern();
            DirWorld {
                root: root.to_path_buf(),
                main,
                fonts: FontStore::embedded(),
                // As `typst compile --features a11y-extras` (the tables' row
                // header cells use `pdf.header-cell`).
                library: LazyHash::new(
                    Library::builder()
                        .with_features([typst::Feature::A11yExtras].into_iter().collect())
                        .build(),
                ),
            }
        }

        fn read(&self, id: FileId) -> FileResult<Vec<u8>> {
            let path = self.root.join(id.vpath().get_without_slash());
            std::fs::read(&path).map_err(|e| FileError::from_io(e, &path))
        }
    }

    impl World for DirWorld {
        fn library(&self) -> &LazyHash<Library> {
            &self.library
        }
        fn book(&self) -> &LazyHash<FontBook> {
            self.fonts.book()
        }
        fn main(&self) -> FileId {
            self.main
        }
        fn source(&self, id: FileId) -> FileResult<Source> {
            let text = String::from_utf8(self.read(id)?).map_err(|_| FileError::InvalidUtf8)?;
            Ok(Source::new(id, text))
        }
        fn file(&self, id: FileId) -> FileResult<Bytes> {
            self.read(id).map(Bytes::new)
        }
        fn font(&self, index: usize) -> Option<Font> {
            self.fonts.font(index)
        }
        fn today(&self, _: Option<typst::foundations::Duration>) -> Option<Datetime> {
            None
        }
    }

    /// The text of a frame, in order.
    pub fn collect_text(frame: &Frame, out: &mut String) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Group(g) => collect_text(&g.frame, out),
                FrameItem::Text(t) => out.push_str(&t.text),
                _ => {}
            }
        }
    }
}
