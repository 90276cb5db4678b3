//! Synthetic reports for tests and benchmarks: valid, varied (agencies, years,
//! prose from about 2 to 15 pages), with realistic non-zero numbers that
//! satisfy every rule of the format. Deterministic for a given seed (and page range).

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::model::{skeleton, Edition, RequestRow};

const PLACES: &[&str] = &[
    "沈丘县",
    "郸城县",
    "项城市",
    "淮阳区",
    "西华县",
    "商水县",
    "太康县",
    "鹿邑县",
    "扶沟县",
    "川汇区",
    "新郑市",
    "登封市",
    "巩义市",
    "荥阳市",
    "中牟县",
    "兰考县",
    "通许县",
    "杞县",
    "尉氏县",
    "祥符区",
    "长垣市",
    "封丘县",
    "延津县",
    "原阳县",
    "获嘉县",
    "辉县市",
    "卫辉市",
    "滑县",
    "内黄县",
    "汤阴县",
];

const DEPARTMENTS: &[&str] = &[
    "人民政府办公室",
    "发展和改革委员会",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境分局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化广电和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "城市管理局",
];

const TOWNSHIPS: &[&str] = &[
    "城关镇",
    "槐店镇",
    "付井镇",
    "纸店镇",
    "新安集镇",
    "白集镇",
    "刘庄店镇",
    "留福镇",
    "老城镇",
    "赵德营镇",
];

const OPENINGS: &[&str] = &[
    "坚持以习近平新时代中国特色社会主义思想为指导",
    "按照上级关于政务公开工作的部署要求",
    "围绕全县中心工作和群众关切",
    "以提升政务公开质量和实效为目标",
    "深入贯彻落实《中华人民共和国政府信息公开条例》",
];

const ACTIONS: &[&str] = &[
    "进一步规范主动公开目录和公开流程",
    "及时发布政策文件、财政预决算和重大项目信息",
    "加强政策解读与回应关切工作",
    "完善依申请公开受理、办理、答复全流程管理",
    "健全政府信息公开保密审查机制",
    "加强政府网站和政务新媒体的日常监管",
    "组织开展政务公开业务培训",
    "推进基层政务公开标准化规范化建设",
    "做好重点领域信息公开工作",
    "落实政务公开工作责任制和考核评价",
];

const RESULTS: &[&str] = &[
    "政务公开工作水平得到进一步提升",
    "群众获取政府信息更加便捷",
    "公开内容的及时性和准确性明显提高",
    "社会公众的知情权、参与权和监督权得到有效保障",
    "各项工作取得了积极成效",
];

const ITEM_TITLES: &[&str] = &[
    "主动公开情况。",
    "依申请公开情况。",
    "政府信息管理情况。",
    "政府信息公开平台建设情况。",
    "监督保障情况。",
    "政策解读情况。",
    "回应关切情况。",
    "重点领域信息公开情况。",
    "基层政务公开情况。",
    "政务新媒体管理情况。",
    "公开目录编制情况。",
    "保密审查情况。",
];

/// One generated report: a file name and its TOML text.
pub struct Generated {
    pub file_name: String,
    pub toml: String,
}

fn sentence(rng: &mut ChaCha8Rng) -> String {
    let mut s = String::new();
    s.push_str(OPENINGS.choose(rng).unwrap());
    s.push('，');
    let n = rng.gen_range(2..5);
    let mut actions: Vec<&str> = ACTIONS.choose_multiple(rng, n).copied().collect();
    actions.shuffle(rng);
    s.push_str(&actions.join("，"));
    s.push('，');
    s.push_str(RESULTS.choose(rng).unwrap());
    s.push('。');
    s
}

fn paragraph(rng: &mut ChaCha8Rng, chars: usize) -> String {
    let mut p = String::new();
    while p.chars().count() < chars {
        p.push_str(&sentence(rng));
        if rng.gen_bool(0.3) {
            let n: u32 = rng.gen_range(3..400);
            p.push_str(&format!("全年共发布各类信息{n}条。"));
        }
    }
    p
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(values: &[u64]) -> String {
    format!(
        "[{}]",
        values
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Generates report number `i` of a set made with `seed`, with about `pages`
/// (a range) pages of prose.
pub fn report(seed: u64, i: usize, pages: std::ops::RangeInclusive<usize>) -> Generated {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let place = PLACES[i % PLACES.len()];
    let agency = if (i / PLACES.len()) % 4 == 3 {
        format!(
            "{place}{}人民政府",
            TOWNSHIPS[(i / PLACES.len() / 4) % TOWNSHIPS.len()]
        )
    } else {
        format!(
            "{place}{}",
            DEPARTMENTS[(i / PLACES.len()) % DEPARTMENTS.len()]
        )
    };
    let unique = i / (PLACES.len() * DEPARTMENTS.len());
    let agency = if unique > 0 {
        format!("{agency}（第{unique}分局）")
    } else {
        agency
    };
    let year: u16 = if rng.gen_bool(0.7) { 2024 } else { 2023 };

    // Start from the official skeleton and fill it in.
    let mut t = skeleton(&agency, year, Edition::E2021);

    // Prose: about 2–15 pages in all (tables take about two).
    let pages: usize = rng.gen_range(pages);
    let prose_chars = pages.saturating_sub(2) * 560 + 200;
    let items = rng.gen_range(3..=ITEM_TITLES.len().min(3 + pages));
    let per_item = prose_chars * 3 / 4 / items;
    let mut overview = String::from("# 一、总体情况\n[overview]\n");
    overview.push_str(&format!(
        "paragraphs = [{}]\n",
        toml_string(&format!(
            "本年度报告根据《中华人民共和国政府信息公开条例》的要求编制。所列数据统计期限为{year}年1月1日至12月31日。本年度共收到政府信息公开申请${{requests.new.total}}件。{}",
            paragraph(&mut rng, 60)
        ))
    ));
    for title in ITEM_TITLES.iter().take(items) {
        let paras = rng.gen_range(1..=3);
        let ps: Vec<String> = (0..paras)
            .map(|_| toml_string(&paragraph(&mut rng, per_item / paras)))
            .collect();
        overview.push_str(&format!(
            "\n[[overview.items]]\ntitle = {}\nrun_in = {}\nparagraphs = [{}]\n",
            toml_string(title),
            rng.gen_bool(0.7),
            ps.join(", ")
        ));
    }
    let start = t.find("# 一、总体情况").expect("skeleton has 一");
    let end = t
        .find("# 二、主动公开政府信息情况")
        .expect("skeleton has 二");
    t.replace_range(start..end, &format!("{overview}\n"));

    // Table 2.
    let (issued, repealed): (u64, u64) = (rng.gen_range(0..30), rng.gen_range(0..10));
    let in_force = rng.gen_range(repealed..repealed + 200) + issued;
    let rules_line =
        format!("rules = {{ issued = {issued}, repealed = {repealed}, in_force = {in_force} }}");
    t = t.replace(
        "rules = { issued = 0, repealed = 0, in_force = 0 }  # 规章",
        &format!("{rules_line}  # 规章"),
    );
    let nd = format!(
        "normative_documents = {{ issued = {}, repealed = {}, in_force = {} }}",
        rng.gen_range(0..20),
        rng.gen_range(0..5),
        rng.gen_range(20..300)
    );
    t = t.replace(
        "normative_documents = { issued = 0, repealed = 0, in_force = 0 }",
        &nd,
    );
    for key in ["licensing", "penalties", "coercive_measures"] {
        let v: u64 = rng.gen_range(0..5000);
        t = t.replacen(&format!("\n{key} = 0"), &format!("\n{key} = {v}"), 1);
    }
    let fees = format!("{}.{:02}", rng.gen_range(0..100000), rng.gen_range(0..100));
    t = t.replacen("\nfees = 0", &format!("\nfees = \"{fees}\""), 1);

    // Table 3: per column, new + carried = handled + forward (R1), handled spread over outcomes.
    let outcome_rows: Vec<RequestRow> = RequestRow::outcome_rows(Edition::E2021).collect();
    let mut rows: std::collections::HashMap<RequestRow, [u64; 6]> = Default::default();
    for c in 0..6 {
        let scale = if c == 0 { 60 } else { 8 };
        let new = rng.gen_range(0..scale);
        let carried = rng.gen_range(0..=new / 4 + 1);
        let forward = rng.gen_range(0..=(new + carried) / 5);
        let mut handled = new + carried - forward;
        rows.entry(RequestRow::New).or_default()[c] = new;
        rows.entry(RequestRow::CarriedOver).or_default()[c] = carried;
        rows.entry(RequestRow::CarriedForward).or_default()[c] = forward;
        // Most applications are granted; the rest spread over the other outcomes.
        let granted = handled * rng.gen_range(40..90) / 100;
        rows.entry(RequestRow::Granted).or_default()[c] = granted;
        handled -= granted;
        while handled > 0 {
            let row = *outcome_rows.choose(&mut rng).unwrap();
            let n = rng.gen_range(1..=handled.min(3));
            rows.entry(row).or_default()[c] += n;
            handled -= n;
        }
    }
    for (row, values) in &rows {
        t = t.replacen(
            &format!("\n{} = [0, 0, 0, 0, 0, 0]", row.key()),
            &format!("\n{} = {}", row.key(), list(values)),
            1,
        );
    }

    // Table 4.
    for key in ["review", "litigation_direct", "litigation_after_review"] {
        let v: Vec<u64> = (0..4).map(|_| rng.gen_range(0..4)).collect();
        t = t.replacen(
            &format!("\n{key} = [0, 0, 0, 0]"),
            &format!("\n{key} = {}", list(&v)),
            1,
        );
    }

    // 五 and 六.
    let start = t
        .find("# 五、存在的主要问题及改进情况")
        .expect("skeleton has 五");
    let end = t.find("# 六、").expect("skeleton has 六");
    let rest = prose_chars / 4;
    let problems = format!(
        "# 五、存在的主要问题及改进情况\n[[problems.items]]\ntitle = \"存在问题\"\nparagraphs = [{}, {}]\n\n[[problems.items]]\ntitle = \"改进情况\"\nparagraphs = [{}, {}]\n\n",
        toml_string(&format!("一是{}", paragraph(&mut rng, rest / 4))),
        toml_string(&format!("二是{}", paragraph(&mut rng, rest / 4))),
        toml_string(&format!("一是{}", paragraph(&mut rng, rest / 4))),
        toml_string(&format!("二是{}", paragraph(&mut rng, rest / 4))),
    );
    t.replace_range(start..end, &problems);
    let other = if rng.gen_bool(0.5) {
        "本年度未收取信息处理费。无其他需要报告的事项。"
    } else {
        "无其他需要报告的事项。"
    };
    let start = t
        .rfind("paragraphs = [")
        .expect("skeleton has 六 paragraphs");
    t.replace_range(start.., &format!("paragraphs = [{}]\n", toml_string(other)));
    if rng.gen_bool(0.5) {
        t = t.replacen(
            &format!("# date = \"{}-01-20\"", year + 1),
            &format!("date = \"{}-01-{:02}\"", year + 1, rng.gen_range(10..=31)),
            1,
        );
    }
    Generated {
        file_name: format!("report-{i:05}.toml"),
        toml: t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;
    use crate::model::{load_str, Format};

    /// The range of prose lengths `nianbao generate` uses by default, in pages.
    const DEFAULT_PAGES: std::ops::RangeInclusive<usize> = 2..=15;

    #[test]
    fn generated_reports_are_valid_and_varied() {
        let mut agencies = std::collections::HashSet::new();
        for i in 0..60 {
            let g = report(7, i, DEFAULT_PAGES);
            let loaded = load_str(&g.file_name, &g.toml, Format::Toml)
                .unwrap_or_else(|e| panic!("{e}\n{}", g.toml));
            let findings = check(&loaded, None);
            assert!(findings.is_empty(), "{findings:#?}");
            assert!(loaded.report.requests.row(RequestRow::New).total() > 0);
            agencies.insert(loaded.report.agency.clone());
        }
        assert_eq!(agencies.len(), 60);
        // Deterministic.
        assert_eq!(
            report(7, 3, DEFAULT_PAGES).toml,
            report(7, 3, DEFAULT_PAGES).toml
        );
    }
}
