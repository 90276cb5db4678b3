//! The independent validators of PDF/A and PDF/UA: page-validation (PyPI,
//! profiles 2b/3b/2a/3a and ua1) and fontTools, run as `python3` (installed by
//! scripts/install-verifiers).

use std::path::Path;

use super::run;

/// The only page-validation findings allowed on our output, and why.
///
/// page-validation reports, for a Fandol CID-keyed CFF font, "rendered CID 1
/// width 0.000 in its embedded CIDFontType0C program but 1000.000 in /W".
/// That is the validator's error, not ours: in a CID-keyed CFF the default
/// advance width (defaultWidthX) lives in the Private DICT of each Font DICT
/// of the FDArray (CFF spec, Adobe TN #5176, §§ 15 and 19); the top DICT of a
/// CIDFont has no Private DICT, so a reader that looks only there falls back to
/// the spec default 0. The glyph's charstring carries no explicit width
/// ("35 543 rmoveto": two operands), so its width is FD 0's defaultWidthX =
/// 1000, exactly the 1000 in /W. fontTools reads every glyph of every embedded
/// font that way and finds all widths equal to /W and /DW —
/// [`cff_widths_agree_with_w`] checks this on each run.
///
/// The PDF/UA-1 profile applies the same reading to its own rule
/// (PDFUA1-FONT-GLYPH-WIDTH-001), with the same false result.
pub const VALIDATOR_FALSE_POSITIVES: [&str; 2] =
    ["TRUETYPE-GLYPH-WIDTH-001", "PDFUA1-FONT-GLYPH-WIDTH-001"];

/// page-validation's STREAM-LENGTH rule misreads a stream whose (compressed)
/// data happens to end with a CR byte: it takes that CR and the LF Typst's
/// writer puts before `endstream` as one CR LF end-of-line marker and counts
/// one byte less than /Length. ISO 32000-1 §7.3.8.1 and ISO 19005-3 §6.1.7.1
/// count the bytes up to the EOL marker that precedes `endstream`; the data's
/// own last byte is data. `cr_ended` reads the object itself and accepts the
/// finding only when /Length is exactly the bytes between `stream` LF and the
/// LF before `endstream`, and the last of them is a CR (about one stream in
/// 256 ends so).
const CR_ENDED_STREAM: &str = r#"import sys, re, page
DATA = open(sys.argv[1], 'rb').read()
def cr_ended(oid):
    if oid is None: return False
    num, gen = [int(x) for x in re.findall(r'\d+', str(oid))[:2]]
    m = re.search(rb'(^|[\r\n])%d %d obj' % (num, gen), DATA)
    if not m: return False
    s = DATA.find(b'stream', m.end())
    d = re.search(rb'/Length (\d+)(?! \d+ R)', DATA[m.end():s])
    if not d or DATA[s:s + 7] != b'stream\n': return False
    length, start = int(d.group(1)), s + 7
    return DATA[start + length - 1:start + length] == b'\r' and DATA[start + length:start + length + 10] == b'\nendstream'
"#;

/// Runs page-validation with a profile (PDF/A: "2b", "3b", "2a", "3a"; PDF/UA-1:
/// "ua1"); returns the failed rules other than the known false positive.
pub fn page_validation_failures(pdf: &Path, profile: &str) -> Vec<String> {
    let script = format!(
        "{CR_ENDED_STREAM}\n\
r = page.validate_pdf(sys.argv[1], profile=sys.argv[2])\n\
print(r.profile)\n\
for f in r.failures:\n    \
if f.rule_id.endswith('STREAM-LENGTH-001') and cr_ended(f.object_id): continue\n    \
print('FAIL', f.rule_id, f.message)\n"
    );
    let (ok, out) = run("python3", &["-c", &script, pdf.to_str().unwrap(), profile]);
    assert!(
        ok,
        "page-validation did not run (scripts/test installs it): {out}"
    );
    out.lines()
        .filter_map(|l| l.strip_prefix("FAIL "))
        .filter(|l| {
            let rule = l.split(' ').next().unwrap();
            !VALIDATOR_FALSE_POSITIVES.iter().any(|f| rule.ends_with(f))
        })
        .map(str::to_string)
        .collect()
}

/// fontTools' widths of every glyph of every embedded CID-keyed CFF font
/// (charstring width, else defaultWidthX of the glyph's FD) against /W and /DW.
pub const FONT_WIDTHS: &str = r#"
import sys, subprocess, json
from io import BytesIO
from fontTools.cffLib import CFFFontSet
import fontTools.misc.psCharStrings as p
pdf = sys.argv[1]
objs = json.loads(subprocess.check_output(["qpdf", "--json", "--json-key=qpdf", pdf]))["qpdf"][1]
def val(k): return objs["obj:" + k]["value"] if isinstance(k, str) and k.endswith(" R") else k
bad = fonts = glyphs = 0
for key, o in objs.items():
    v = o.get("value")
    if not isinstance(v, dict) or v.get("/Subtype") != "/CIDFontType0": continue
    fonts += 1
    num = val(v["/FontDescriptor"])["/FontFile3"].split()[0]
    data = subprocess.check_output(["qpdf", f"--show-object={num}", "--filtered-stream-data", pdf])
    cff = CFFFontSet(); cff.decompile(BytesIO(data), None)
    top = cff[cff.fontNames[0]]
    w = val(v.get("/W", [])); dw = v.get("/DW", 1000); pdfw = {}; i = 0
    while i < len(w):
        if isinstance(w[i+1], list):
            for j, x in enumerate(w[i+1]): pdfw[w[i] + j] = x
            i += 2
        else:
            for c in range(w[i], w[i+1] + 1): pdfw[c] = w[i+2]
            i += 3
    for name in top.charset:
        cid = 0 if name == ".notdef" else int(name[3:])
        cs, sel = top.CharStrings.getItemAndSelector(name)
        priv = top.FDArray[sel].Private
        ext = p.T2WidthExtractor(getattr(priv, "Subrs", None) or [], cff.GlobalSubrs, priv.nominalWidthX, priv.defaultWidthX)
        ext.execute(cs); glyphs += 1
        if abs(ext.width - pdfw.get(cid, dw)) > 0.5:
            bad += 1; print("MISMATCH", v["/BaseFont"], cid, ext.width, pdfw.get(cid, dw))
print(f"fonts={fonts} glyphs={glyphs} mismatches={bad}")
"#;

pub fn cff_widths_agree_with_w(pdf: &Path) {
    let (ok, out) = run("python3", &["-c", FONT_WIDTHS, pdf.to_str().unwrap()]);
    assert!(ok, "fontTools width check did not run: {out}");
    assert!(
        out.contains("mismatches=0") && !out.contains("fonts=0 "),
        "{out}"
    );
}
