//! The reference tables in docs/data-format.md are generated from the label
//! table (src/model/labels.rs), so the documentation cannot drift from the code.
//! When a label changes, run `NIANBAO_BLESS_DOCS=1 cargo test docs` and review the diff.

use std::fmt::Write;

use nianbao::model::labels::{
    self, ActiveKind, AppealKind, RequestRow, APPEAL_COLUMNS, APPLICANT_COLUMNS, PART_HEADINGS,
    PART_KEYS, TOTAL_COLUMN,
};
use nianbao::model::Edition;

use crate::common::root;

fn kind(k: ActiveKind) -> &'static str {
    match k {
        ActiveKind::Count => "count",
        ActiveKind::Change => "signed whole number",
        ActiveKind::Amount => "amount (decimal, as written)",
    }
}

fn prose_keys() -> String {
    let mut s = String::from("| key | 名称 | required |\n|---|---|---|\n");
    for k in labels::IDENTITY {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} |",
            k.key,
            k.label,
            if k.required { "yes" } else { "no" }
        );
    }
    for (key, heading) in PART_KEYS.iter().zip(PART_HEADINGS) {
        let _ = writeln!(s, "| `[{key}]` | {heading} | yes |");
    }
    s
}

fn table2(edition: Edition) -> String {
    let mut s = String::from(
        "| block | key | row | value(s): key — column | kind |\n|---|---|---|---|---|\n",
    );
    for block in labels::active_blocks(edition) {
        for row in block.rows {
            let values = if block.scalar() {
                format!("one value — {}", block.columns[0].label)
            } else {
                block
                    .columns
                    .iter()
                    .map(|c| format!("`{}` — {}", c.key, c.label))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let mut kinds_unique: Vec<&str> = Vec::new();
            for c in block.columns {
                if !kinds_unique.contains(&kind(c.kind)) {
                    kinds_unique.push(kind(c.kind));
                }
            }
            let _ = writeln!(
                s,
                "| {} | `{}` | {} | {} | {} |",
                block.caption,
                row.key,
                row.label,
                values,
                kinds_unique.join(", ")
            );
        }
    }
    s
}

fn table3() -> String {
    let mut s = String::from("| key | row (official label) | editions |\n|---|---|---|\n");
    for row in RequestRow::ALL {
        let editions: Vec<&str> = [Edition::E2021, Edition::E2019]
            .into_iter()
            .filter(|e| row.in_edition(*e))
            .map(Edition::as_str)
            .collect();
        let _ = writeln!(
            s,
            "| `{}` | {} | {} |",
            row.key(),
            row.full_label(),
            editions.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "| `total` | {} (optional; computed) | 2021, 2019 |",
        labels::REQUESTS_TOTAL_ROW
    );
    let _ = writeln!(
        s,
        "\nColumns, in order: {}; then {} (computed; a 7th number is the printed total, checked by R3).",
        APPLICANT_COLUMNS.join(" · "),
        TOTAL_COLUMN
    );
    s
}

fn table4() -> String {
    let mut s = String::from("| key | group |\n|---|---|\n");
    for k in AppealKind::ALL {
        let _ = writeln!(s, "| `{}` | {} |", k.key(), k.label());
    }
    let _ = writeln!(
        s,
        "\nEach group, in order: {}; then {} (computed; a 5th number is the printed total, checked by R4).",
        APPEAL_COLUMNS.join(" · "),
        TOTAL_COLUMN
    );
    s
}

/// Table 2 (2021) for the Chinese user guide: key, where it is printed, what to fill in.
fn guide_table2() -> String {
    let mut s = String::from("| 键 | 表中位置 | 填什么 |\n|---|---|---|\n");
    for block in labels::active_blocks(Edition::E2021) {
        for row in block.rows {
            let what = if block.scalar() {
                block.columns[0].label.to_string()
            } else {
                block
                    .columns
                    .iter()
                    .map(|c| format!("`{}` {}", c.key, c.label))
                    .collect::<Vec<_>>()
                    .join("，")
            };
            let _ = writeln!(
                s,
                "| `{}` | {} · {} | {what} |",
                row.key, block.caption, row.label
            );
        }
    }
    s
}

/// Table 3 (2021) for the Chinese user guide, in printed order.
fn guide_table3() -> String {
    let mut s = String::from("| 键 | 表三中的行 |\n|---|---|\n");
    for row in RequestRow::rows_of(Edition::E2021) {
        if row == RequestRow::CarriedForward {
            let _ = writeln!(
                s,
                "| `total` | {}——**可以不写**，自动计算；写了就核对 |",
                labels::REQUESTS_TOTAL_ROW
            );
        }
        let label = match row {
            RequestRow::Granted => format!("{} {}", labels::OUTCOME_LABEL, row.label()),
            RequestRow::CarriedOver => format!(
                "{}（应等于去年报告的“{}”）",
                row.label(),
                RequestRow::CarriedForward.label()
            ),
            _ => row.full_label(),
        };
        let _ = writeln!(s, "| `{}` | {label} |", row.key());
    }
    s
}

/// Replaces the text between `<!-- BEGIN GENERATED: name -->` and its END marker.
fn splice(doc: &str, name: &str, body: &str) -> String {
    let begin = format!("<!-- BEGIN GENERATED: {name} -->\n");
    let end = format!("<!-- END GENERATED: {name} -->");
    let a = doc
        .find(&begin)
        .unwrap_or_else(|| panic!("no marker {begin}"))
        + begin.len();
    let b = doc[a..]
        .find(&end)
        .unwrap_or_else(|| panic!("no marker {end}"))
        + a;
    format!("{}{}{}", &doc[..a], body, &doc[b..])
}

#[test]
fn the_data_format_reference_is_generated_from_the_label_table() {
    let path = root().join("docs/data-format.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let mut want = doc.clone();
    for (name, body) in [
        ("prose-keys", prose_keys()),
        ("table2-2021", table2(Edition::E2021)),
        ("table2-2019", table2(Edition::E2019)),
        ("table3", table3()),
        ("table4", table4()),
    ] {
        want = splice(&want, name, &body);
    }
    if std::env::var_os("NIANBAO_BLESS_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    assert!(
        doc == want || std::env::var_os("NIANBAO_BLESS_DOCS").is_some(),
        "docs/data-format.md differs from the label table; run NIANBAO_BLESS_DOCS=1 cargo test docs and review the diff"
    );
    let guide_path = root().join("docs/使用说明.md");
    let guide = std::fs::read_to_string(&guide_path).unwrap();
    let want_guide = splice(
        &splice(&guide, "guide-table2-2021", &guide_table2()),
        "guide-table3",
        &guide_table3(),
    );
    if std::env::var_os("NIANBAO_BLESS_DOCS").is_some() {
        std::fs::write(&guide_path, &want_guide).unwrap();
        return;
    }
    assert!(
        guide == want_guide,
        "docs/使用说明.md differs from the label table; run NIANBAO_BLESS_DOCS=1 cargo test docs and review the diff"
    );
    // Every official row label is in the reference.
    for row in RequestRow::ALL {
        assert!(doc.contains(row.label()), "{}", row.label());
    }
}
