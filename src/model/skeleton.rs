//! A complete data skeleton (`nianbao init`): every key, zeros in every row,
//! the official Chinese label of each key as a comment.

use std::fmt::Write;

use super::labels::{self, ActiveKind, AppealKind, RequestRow};
use super::{Edition, Report};

/// A TOML string literal.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Writes the skeleton of a report for `agency` and `year`.
pub fn skeleton(agency: &str, year: u16, edition: Edition) -> String {
    let mut o = String::new();
    let w = &mut o;
    let _ = writeln!(
        w,
        "# {agency}{year}年政府信息公开工作年度报告 — data for nianbao."
    );
    let _ = writeln!(w, "# Format: {} edition ({}).", edition, edition.notice());
    let _ = writeln!(w, "# Replace the bracketed placeholder text, give every number (0 where there is nothing), then:");
    let _ = writeln!(w, "#   nianbao check THIS_FILE && nianbao render THIS_FILE");
    let _ = writeln!(w, "# Prose may quote table values: ${{requests.new.total}} prints 本年新收申请总计 (see README).");
    let _ = writeln!(w);
    let _ = writeln!(w, "edition = {}  # 格式版本", quoted(edition.as_str()));
    let _ = writeln!(
        w,
        "agency = {}  # 报告机关（标题、署名、PDF 作者）",
        quoted(agency)
    );
    let _ = writeln!(
        w,
        "year = {year}  # 报告年度（统计期限 {year}年1月1日至12月31日）"
    );
    let _ = writeln!(
        w,
        "# title = \"…\"  # 标题；默认为 机关名称 + 年度 + “年政府信息公开工作年度报告”"
    );
    let _ = writeln!(
        w,
        "# date = \"{}-01-20\"  # 成文日期，印在文末署名之下",
        year + 1
    );
    let _ = writeln!(
        w,
        "# seal = \"seal.png\"  # 印章图像（PNG 或 SVG），相对于本文件"
    );
    let _ = writeln!(w, "# preamble = [\"…\"]  # 标题与“一、总体情况”之间的段落");
    let _ = writeln!(w);
    let _ = writeln!(w, "# 一、总体情况");
    let _ = writeln!(w, "[overview]");
    let _ = writeln!(
        w,
        "paragraphs = [{}]",
        quoted(&format!(
            "本年度报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）的要求编制。所列数据统计期限为{year}年1月1日至12月31日。［请填写总体情况。］"
        ))
    );
    for (title, what) in [
        ("主动公开。", "主动公开"),
        ("依申请公开。", "依申请公开"),
        ("政府信息管理。", "政府信息管理"),
        ("政府信息公开平台建设。", "政府信息公开平台建设"),
        ("监督保障。", "监督保障"),
    ] {
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "[[overview.items]]  # （一）（二）… are numbered automatically"
        );
        let _ = writeln!(w, "title = {}", quoted(title));
        let _ = writeln!(
            w,
            "run_in = true  # the first paragraph continues on the title's line"
        );
        let _ = writeln!(
            w,
            "paragraphs = [{}]",
            quoted(&format!("［请填写{what}情况。］"))
        );
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "# 二、主动公开政府信息情况（表二）");
    let _ = writeln!(w, "[active]");
    for block in labels::active_blocks(edition) {
        let header: Vec<&str> = block.columns.iter().map(|c| c.label).collect();
        let _ = writeln!(w, "# {}: {}", block.caption, header.join(" · "));
        for row in block.rows {
            if block.scalar() {
                let note = match block.columns[0].kind {
                    ActiveKind::Amount => "，可有小数",
                    _ => "",
                };
                let _ = writeln!(w, "{} = 0  # {}{note}", row.key, row.label);
            } else {
                let cells: Vec<String> = block
                    .columns
                    .iter()
                    .map(|c| format!("{} = 0", c.key))
                    .collect();
                let note = if block.columns.iter().any(|c| c.kind == ActiveKind::Change) {
                    "（本年增/减：减少写负数）"
                } else {
                    ""
                };
                let _ = writeln!(
                    w,
                    "{} = {{ {} }}  # {}{note}",
                    row.key,
                    cells.join(", "),
                    row.label
                );
            }
        }
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "# 三、收到和处理政府信息公开申请情况（表三）");
    let _ = writeln!(w, "# Each row: [自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他]; 总计 is computed.");
    let _ = writeln!(w, "# 勾稽关系: 一 + 二 = （七）总计 + 四, in every column.");
    let _ = writeln!(w, "[requests]");
    for row in RequestRow::rows_of(edition) {
        let _ = writeln!(
            w,
            "{} = [0, 0, 0, 0, 0, 0]  # {}",
            row.key(),
            row.full_label()
        );
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "# 四、政府信息公开行政复议、行政诉讼情况（表四）");
    let _ = writeln!(
        w,
        "# Each group: [结果维持, 结果纠正, 其他结果, 尚未审结]; 总计 is computed."
    );
    let _ = writeln!(w, "[appeals]");
    for kind in AppealKind::ALL {
        let _ = writeln!(w, "{} = [0, 0, 0, 0]  # {}", kind.key(), kind.label());
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "# 五、存在的主要问题及改进情况");
    for (title, text) in [
        (
            "存在问题",
            "［请填写本年度政府信息公开工作存在的主要问题。］",
        ),
        (
            "改进情况",
            "［请填写上年度问题的整改情况和下一步改进措施。］",
        ),
    ] {
        let _ = writeln!(w, "[[problems.items]]");
        let _ = writeln!(w, "title = {}", quoted(title));
        let _ = writeln!(w, "paragraphs = [{}]", quoted(text));
        let _ = writeln!(w);
    }
    let _ = writeln!(
        w,
        "# 六、其他需要报告的事项（如按照《政府信息公开信息处理费管理办法》收取信息处理费的情况）"
    );
    let _ = writeln!(w, "[other]");
    let _ = writeln!(
        w,
        "paragraphs = [{}]",
        quoted("［请填写其他需要报告的事项；没有则写“无其他需要报告的事项。”］")
    );
    o
}

/// The skeleton of next year's report, pre-filled from last year's (`prev`):
/// the agency, the prose of every part (to rewrite: R11 warns while more than
/// half of it is last year's), the seal and fonts, and the numbers that carry
/// over — 二、上年结转 from last year's 四、结转下年度继续办理 (R7) and, in the
/// same edition, Table 2's 现行有效件数 (R8, with nothing issued or repealed
/// yet). Every other number is 0; the skeleton's comments are kept.
pub fn next_year(prev: &Report) -> String {
    let year = prev.year.0.saturating_add(1);
    let edition = Edition::for_year(year);
    let text = skeleton(&prev.agency, year, edition);
    let Ok(old) = serde_json::to_value(prev) else {
        return text;
    };
    let Ok(mut data) = super::tree::parse(&text, super::Format::Toml).map(|n| n.to_json()) else {
        return text;
    };
    for key in ["preamble", "seal", "fonts"] {
        if let Some(v) = old.get(key) {
            data[key] = v.clone();
        }
    }
    for key in ["overview", "problems", "other"] {
        data[key] = old
            .get(key)
            .cloned()
            .unwrap_or_else(|| serde_json::json!({}));
    }
    for key in ["active", "requests", "appeals"] {
        if let Some(p) = old[key]
            .get("paragraphs")
            .filter(|p| p.as_array().is_some_and(|a| !a.is_empty()))
        {
            data[key]["paragraphs"] = p.clone();
        }
    }
    let forward = RequestRow::CarriedForward.key();
    if let Some(counts) = old["requests"].get(forward).and_then(|v| v.as_array()) {
        let six: Vec<serde_json::Value> = counts.iter().take(6).cloned().collect();
        data["requests"][RequestRow::CarriedOver.key()] = six.into();
    }
    if prev.edition() == edition {
        for block in labels::active_blocks(edition) {
            for row in block.rows {
                for c in block.columns.iter().filter(|c| c.key == "in_force") {
                    if let Some(v) = old["active"][row.key].get(c.key) {
                        data["active"][row.key][c.key] = v.clone();
                    }
                }
            }
        }
    }
    super::write::write_data(&data, super::Format::Toml, Some(&text)).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_years_skeleton_carries_over_what_rules_r7_and_r8_compare() {
        let text = include_str!("../../examples/bianlukou-2023.toml")
            .replace(
                "\ncarried_forward = [0, 0, 0, 0, 0, 0]",
                "\ncarried_forward = [2, 0, 0, 0, 0, 1]",
            )
            .replace(
                "rules = { issued = 0, repealed = 0, in_force = 0 }",
                "rules = { issued = 1, repealed = 0, in_force = 4 }",
            );
        let prev = crate::model::load_str("prev.toml", &text, crate::model::Format::Toml).unwrap();
        let next = next_year(&prev.report);
        let loaded =
            crate::model::load_str("next.toml", &next, crate::model::Format::Toml).unwrap();
        assert_eq!(loaded.problems, vec![]);
        assert_eq!(loaded.report.year.0, 2024);
        assert_eq!(loaded.report.agency, "卞路口乡人民政府");
        assert_eq!(
            loaded
                .report
                .requests
                .row(RequestRow::CarriedOver)
                .counts
                .map(|c| c.0),
            [2, 0, 0, 0, 0, 1]
        );
        assert_eq!(loaded.report.active.count("rules", "in_force"), 4);
        assert_eq!(loaded.report.active.count("rules", "issued"), 0);
        assert_eq!(loaded.report.overview, prev.report.overview);
        // The skeleton's comments (official labels) are kept.
        assert!(next.contains("# （三）不予公开 1.属于国家秘密"), "{next}");
        // Checked against last year, R7 and R8 pass.
        let findings = crate::check::check(&loaded, Some(&prev));
        assert!(
            findings
                .iter()
                .all(|f| !matches!(f.rule, crate::check::Rule::R7 | crate::check::Rule::R8)),
            "{findings:#?}"
        );
    }

    #[test]
    fn the_skeleton_loads_with_every_row() {
        let text = skeleton("某某县人民政府办公室", 2024, Edition::E2021);
        let loaded = crate::model::load_str("s.toml", &text, crate::model::Format::Toml).unwrap();
        assert_eq!(loaded.problems, vec![]);
        assert_eq!(loaded.report.agency, "某某县人民政府办公室");
        // 24 rows of data; the 25th printed row, （七）总计, is computed.
        assert_eq!(loaded.report.requests.rows.len(), 24);
        assert!(text.contains("# （三）不予公开 1.属于国家秘密"));
        assert!(text.contains("# 行政诉讼 · 复议后起诉"));
    }

    #[test]
    fn the_2019_skeleton_loads_in_the_2019_edition() {
        let text = skeleton("某某县人民政府办公室", 2020, Edition::E2019);
        let loaded = crate::model::load_str("s.toml", &text, crate::model::Format::Toml).unwrap();
        assert_eq!(loaded.problems, vec![]);
        assert_eq!(loaded.report.edition(), Edition::E2019);
        assert_eq!(loaded.report.requests.rows.len(), 22);
        assert!(text.contains("procurement = { projects = 0, amount = 0 }  # 政府集中采购"));
    }
}
