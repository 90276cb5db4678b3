//! The labels of the official form (国办公开办函〔2021〕30号), written out here
//! from the form itself, and the checks that find every number of the long
//! report's tables by its labels — in the PDF's structure tree (ua.rs) and in
//! the web page (html.rs). The numbers come from the data file, read here
//! with the `toml` crate, not from nianbao.

use super::tagged::{cell_headed_by, ResolvedCell};

/// The long report's data, as the `toml` crate reads it.
pub fn long_report_data() -> toml::Value {
    toml::from_str(&std::fs::read_to_string(super::fixture("long-report.toml")).unwrap()).unwrap()
}

/// A row of numbers in the data file.
pub fn numbers(data: &toml::Value, table: &str, key: &str) -> Vec<i64> {
    data[table][key]
        .as_array()
        .unwrap_or_else(|| panic!("{table}.{key}"))
        .iter()
        .map(|v| v.as_integer().unwrap())
        .collect()
}

/// Every number of Table 3 is the one data cell headed by its row labels and
/// its column labels; every row label and column label is a header cell.
pub fn assert_table_3(cells: &[ResolvedCell], data: &toml::Value) {
    let headers: Vec<&ResolvedCell> = cells.iter().filter(|c| c.kind == "TH").collect();
    for label in ["申请人情况", "自然人", "法人或其他组织", "商业企业", "总计"]
    {
        assert!(
            headers.iter().any(|h| h.text == label),
            "{label} is a header cell"
        );
    }
    for (_, row) in REQUEST_ROWS {
        let label = row.last().unwrap();
        assert!(
            headers.iter().any(|h| h.text == *label),
            "{label} is a header cell"
        );
    }
    let mut outcome_total = [0i64; 7];
    let mut checked = 0;
    for (key, row) in REQUEST_ROWS {
        let mut values = numbers(data, "requests", key);
        values.push(values.iter().sum());
        if is_outcome_row(row) {
            for (t, v) in outcome_total.iter_mut().zip(&values) {
                *t += v;
            }
        }
        for (column, value) in REQUEST_COLUMNS.iter().zip(&values) {
            let labels: Vec<&str> = row.iter().chain(column.iter()).copied().collect();
            assert_eq!(
                cell_headed_by(cells, &labels).text,
                value.to_string(),
                "{labels:?}"
            );
            checked += 1;
        }
    }
    // （七）总计 is in the outcome, under 三、本年度办理结果.
    for (column, value) in REQUEST_COLUMNS.iter().zip(&outcome_total) {
        let mut labels = vec!["三、本年度办理结果", "（七）总计"];
        labels.extend(column.iter());
        assert_eq!(cell_headed_by(cells, &labels).text, value.to_string());
        checked += 1;
    }
    assert_eq!(checked, 25 * 7);
    // Every data cell of the table was reached.
    assert_eq!(cells.iter().filter(|c| c.kind == "TD").count(), 25 * 7);
}

/// Every number of Table 4 is headed by its group and its result column.
pub fn assert_table_4(cells: &[ResolvedCell], data: &toml::Value) {
    let keys = ["review", "litigation_direct", "litigation_after_review"];
    for (group, key) in APPEAL_GROUPS.iter().zip(keys) {
        let mut row = numbers(data, "appeals", key);
        row.push(row.iter().sum());
        for (label, value) in APPEAL_RESULTS.iter().zip(&row) {
            let mut labels = group.to_vec();
            labels.push(label);
            assert_eq!(
                cell_headed_by(cells, &labels).text,
                value.to_string(),
                "{labels:?}"
            );
        }
    }
    assert_eq!(cells.iter().filter(|c| c.kind == "TD").count(), 15);
}

/// Table 2's first block: the caption and the column header head every
/// number, and the row label (规章) heads its row.
pub fn assert_table_2_rules(cells: &[ResolvedCell], data: &toml::Value) {
    let rules = &data["active"]["rules"];
    for (column, key) in [
        ("本年制发件数", "issued"),
        ("本年废止件数", "repealed"),
        ("现行有效件数", "in_force"),
    ] {
        let cell = cell_headed_by(cells, &["第二十条第（一）项", column, "规章"]);
        assert_eq!(
            cell.text,
            rules[key].as_integer().unwrap().to_string(),
            "规章 {column}"
        );
    }
}

/// Table 3 of the 2021 form: the row labels (with the labels they are nested
/// in) and the column labels (with theirs), as printed on the official form.
pub const REQUEST_ROWS: &[(&str, &[&str])] = &[
    ("new", &["一、本年新收政府信息公开申请数量"]),
    ("carried_over", &["二、上年结转政府信息公开申请数量"]),
    ("granted", &["三、本年度办理结果", "（一）予以公开"]),
    (
        "partially_granted",
        &[
            "三、本年度办理结果",
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        ],
    ),
    ("denied_state_secret", &["（三）不予公开", "1.属于国家秘密"]),
    (
        "denied_prohibited_by_law",
        &["（三）不予公开", "2.其他法律行政法规禁止公开"],
    ),
    (
        "denied_security_stability",
        &["（三）不予公开", "3.危及“三安全一稳定”"],
    ),
    (
        "denied_third_party_rights",
        &["（三）不予公开", "4.保护第三方合法权益"],
    ),
    (
        "denied_internal_affairs",
        &["（三）不予公开", "5.属于三类内部事务信息"],
    ),
    (
        "denied_process_information",
        &["（三）不予公开", "6.属于四类过程性信息"],
    ),
    (
        "denied_enforcement_files",
        &["（三）不予公开", "7.属于行政执法案卷"],
    ),
    (
        "denied_query_matters",
        &["（三）不予公开", "8.属于行政查询事项"],
    ),
    (
        "unable_not_held",
        &["（四）无法提供", "1.本机关不掌握相关政府信息"],
    ),
    (
        "unable_needs_creation",
        &["（四）无法提供", "2.没有现成信息需要另行制作"],
    ),
    (
        "unable_still_unclear",
        &["（四）无法提供", "3.补正后申请内容仍不明确"],
    ),
    (
        "rejected_petitions",
        &["（五）不予处理", "1.信访举报投诉类申请"],
    ),
    ("rejected_repeated", &["（五）不予处理", "2.重复申请"]),
    (
        "rejected_publications",
        &["（五）不予处理", "3.要求提供公开出版物"],
    ),
    (
        "rejected_excessive",
        &["（五）不予处理", "4.无正当理由大量反复申请"],
    ),
    (
        "rejected_confirmation",
        &["（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"],
    ),
    (
        "other_no_correction",
        &[
            "（六）其他处理",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ],
    ),
    (
        "other_unpaid_fees",
        &[
            "（六）其他处理",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ],
    ),
    ("other_other", &["（六）其他处理", "3.其他"]),
    ("carried_forward", &["四、结转下年度继续办理"]),
];

/// The seven number columns of Table 3: 自然人, the five kinds of 法人或其他组织, 总计.
pub const REQUEST_COLUMNS: [&[&str]; 7] = [
    &["申请人情况", "自然人"],
    &["申请人情况", "法人或其他组织", "商业企业"],
    &["申请人情况", "法人或其他组织", "科研机构"],
    &["申请人情况", "法人或其他组织", "社会公益组织"],
    &["申请人情况", "法人或其他组织", "法律服务机构"],
    &["申请人情况", "法人或其他组织", "其他"],
    &["申请人情况", "总计"],
];

/// Whether a row of Table 3 is in 三、本年度办理结果 (and so in （七）总计).
pub fn is_outcome_row(labels: &[&str]) -> bool {
    ![
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "四、结转下年度继续办理",
    ]
    .contains(&labels[0])
}

/// Table 4's columns: the group labels over each of its five number columns.
pub const APPEAL_GROUPS: [&[&str]; 3] = [
    &["行政复议"],
    &["行政诉讼", "未经复议直接起诉"],
    &["行政诉讼", "复议后起诉"],
];

/// The five columns of each group of Table 4.
pub const APPEAL_RESULTS: [&str; 5] = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
