//! The ONE table of phrasings R9 reads (the phrase inventory), built from the
//! published reports of the corpus (docs/research/r9-phrases.md): each phrasing
//! with its pattern, the table value it quotes, an example sentence it reads and
//! one it must not read. The matcher compiles the patterns from here, the tests
//! run every example, and docs/rules.md and the README print the table from here.

use crate::model::labels::{AppealKind, RequestRow};

use super::cells::{row_total, Appeals, Cell, Rows, APPEAL_TOTAL};

/// What a match is in its sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// A number read on its own.
    Head,
    /// A number read only after a head of its table in the same sentence (其中…),
    /// or, for Table 2, after the document it counts.
    Part,
    /// "No X happened": the value must be 0. The claim has no number.
    Zero,
}

/// The table a phrasing quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// 表三 收到和处理政府信息公开申请情况.
    Requests,
    /// 表四 政府信息公开行政复议、行政诉讼情况.
    Appeals,
    /// 表二 主动公开政府信息情况 — read only in 2021-edition reports (the 2019
    /// edition's Table 2 has other columns).
    Active,
}

/// A condition on the sentence around the match (the part the patterns can't say).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    /// None beyond the pattern.
    Free,
    /// 办结/答复/办理 count many things: a match without an application noun of
    /// its own is read only when the last object noun before it in the sentence
    /// is a disclosure application ([`APPLICATION_NOUNS`]), and never when the
    /// verb ends an outcome label ([`NOT_AFTER`]: 不予**处理**, 予以公开**答复**).
    /// Paragraphs of part 三 (before Table 3) need no noun.
    Application,
    /// 行政复议/行政诉讼 are read only about information disclosure: a
    /// [`QUALIFIERS`] word in the same clause, or a Table 4 number read earlier
    /// in the sentence. Paragraphs of part 四 (before Table 4) need no qualifier.
    Qualifier,
}

/// Where an example sentence comes from, and so which tables it is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// A published report of the corpus (tests/fixtures/corpus/), by file name;
    /// checked against the tables read from it by hand
    /// (tests/fixtures/corpus/expected/FILE.json).
    Corpus(&'static str),
    /// Written for the inventory with the numbers of the test tables
    /// (tests/fixtures/r9/constructed.toml). "No X" sentences ([`Role::Zero`])
    /// agree with all-zero tables (examples/bianlukou-2023.toml) instead.
    Constructed,
}

/// A sentence of the inventory (read by the tests and the docs generator).
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Sentence {
    pub text: &'static str,
    pub source: Source,
}

/// The table value a phrasing quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// One of these values (办理 N 件: （七）总计 or 一 + 二).
    AnyOf(&'static [Cell]),
    /// 收到/受理 N 件: 一、本年新收 · 总计. When N is 一 + 二 instead, it is right
    /// if the sentence says it includes 上年结转, and otherwise a warning that
    /// explains it. (With the verb 新收, only 一.)
    Received,
    /// Each of these values is N (行政复议、行政诉讼各 N 件).
    Each(&'static [Cell]),
    /// These values add up to N (行政复议和行政诉讼共 N 件).
    Sum(&'static [Cell]),
    /// The applicant column named (`col`), in the row of the sentence's Table 3
    /// number before it (法人或其他组织 = the five organisation columns).
    ApplicantColumn,
    /// The outcome named (`out`): （一）, （二）, both, or a group （三）–（六） summed.
    Outcome,
    /// The result named (`res`) in the group of the sentence's Table 4 number before it.
    AppealResult,
    /// A Table 2 column (`issued`, `repealed`, `in_force`) of the document named
    /// (`obj`: 规章 → `rules`, （行政）规范性文件 → `normative_documents`).
    Document(&'static str),
    /// The column named (`fld`) of the last document noun before the match.
    DocumentColumn,
    /// These values are 0.
    Zero(&'static [Cell]),
    /// 行政复议, 行政诉讼 or both (`what`) are 0.
    NoAppeals,
}

/// One phrasing R9 reads. (`words`, `example` and `negative` are read by the
/// tests and the docs generator.)
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Phrase {
    /// The phrasing's id, printed in messages and docs: Q… Table 3, A… Table 4,
    /// T… Table 2, Z… "no X".
    pub id: &'static str,
    pub role: Role,
    pub family: Family,
    pub context: Context,
    /// The phrasing in words (for the docs).
    pub words: &'static str,
    /// The phrasing in a few characters (for the README's rule table).
    pub short: &'static str,
    /// The pattern (Rust `regex` syntax), with `{BLOCK}`s of [`BLOCKS`].
    pub pattern: &'static str,
    pub target: Target,
    /// A sentence it reads, agreeing with its tables.
    pub example: Sentence,
    /// A sentence that quotes another quantity and must not be read by this
    /// phrasing (with its tables, reading it would be a disagreement).
    pub negative: Sentence,
}

/// A named piece of pattern, written `{NAME}` in [`Phrase::pattern`]. (`words`
/// is read by the docs generator.)
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Block {
    pub name: &'static str,
    pub pattern: &'static str,
    pub words: &'static str,
}

/// The pieces the patterns share. Digits are read after full-width digits are
/// made ASCII; `\s` is any blank, U+3000 included.
pub(crate) const BLOCKS: &[Block] = &[
    Block {
        name: "GAP",
        pattern: r"\s*(?:(?:共计|合计|总计|累计|共有|总数为|总数|数量为|数量|共|计|为|达到|达|了)\s*){0,2}",
        words: "数字前可有“共”“共计”“累计”“合计”“总计”“达”“为”等，最多两个",
    },
    Block {
        name: "PRE",
        pattern: r"(?P<pre>约|近|超过|逾|多达)?\s*",
        words: "约数：“约”“近”不核对；“超过”“逾”“多达”与“余”一样核对",
    },
    Block {
        name: "NUM",
        pattern: r"(?P<n>[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?)",
        words: "阿拉伯数字（全角数字同样读），可有千位逗号、小数；汉字数字不读",
    },
    Block {
        name: "POST",
        pattern: r"\s*(?P<post>余|多)?\s*",
        words: "“N余”“N多”：N 至 N 加一个末位单位（470余 = 470–479，5000余 = 5000–5999）",
    },
    Block {
        name: "TAIL_REQ",
        pattern: r"{GAP}{PRE}{NUM}{POST}(?P<u>件|宗|份)",
        words: "… N 件（宗、份）",
    },
    Block {
        name: "TAIL_APL",
        pattern: r"{GAP}{PRE}{NUM}{POST}(?P<u>件|宗|起)",
        words: "… N 件（宗、起）",
    },
    Block {
        name: "TAIL_DOC",
        pattern: r"{GAP}{PRE}{NUM}{POST}(?P<u>件|部|个)",
        words: "… N 件（部、个）",
    },
    Block {
        name: "TAIL_LIC",
        pattern: r"{GAP}{PRE}{NUM}{POST}(?P<u>件|个)",
        words: "… N 件（个）",
    },
    Block {
        name: "TAIL_PEN",
        pattern: r"{GAP}{PRE}{NUM}{POST}(?P<u>件|起|宗|个)",
        words: "… N 件（起、宗、个）",
    },
    Block {
        name: "TAIL_COE",
        pattern: r"{GAP}{PRE}{NUM}{POST}(?P<u>件|起|宗|次|个)",
        words: "… N 件（起、宗、次、个）",
    },
    Block {
        name: "TAIL_FEE",
        pattern: r"{GAP}{PRE}{NUM}{POST}(?P<u>万元|元)",
        words: "… N 万元（或 N 元，折成万元）",
    },
    Block {
        name: "OBJ_APP",
        pattern: r"(?:各类)?(?:政府信息公开申请|政府信息依申请公开申请|政府信息依申请公开|依申请公开政府信息申请|依申请公开政府信息|依申请公开申请|依申请公开|依申请信息公开|信息公开申请|公开申请|申请)",
        words: "申请的名称：政府信息公开申请、依申请公开、依申请信息公开、申请等",
    },
    Block {
        name: "GOV",
        pattern: r"(?:(?:省|市|区|县|镇|乡|街道)?(?:人民)?政府(?:及(?:省|市|区|县)?(?:人民)?政府办(?:公厅|公室)?)?)?",
        words: "可有发文机关：市政府、区人民政府及区政府办公室等",
    },
    Block {
        name: "DOC",
        pattern: r"(?P<obj>(?:行政)?规范性文件|规章)",
        words: "规章，或（行政）规范性文件；“政策性文件”“政策文件”“文件”不算",
    },
];

/// Application nouns: the last one before an object-less 办结/答复/办理 decides
/// what it counts ([`Context::Application`]); 申请人 is skipped.
pub(crate) const APPLICATION_NOUNS: &str = r"政府信息公开申请|信息公开申请|公开申请|依申请信息公开|依申请公开|依申请|申请人|申请|建议|提案|诉求|留言|咨询|问政|投诉|举报|来件|来信|信访|案件|事项|议案";
/// The nouns among [`APPLICATION_NOUNS`] that are disclosure applications.
pub(crate) const DISCLOSURE_NOUNS: &[&str] = &[
    "政府信息公开申请",
    "信息公开申请",
    "公开申请",
    "依申请信息公开",
    "依申请公开",
    "依申请",
];
/// What a verb of [`Context::Application`] must not follow: it would end an
/// outcome label (不予处理, 其他处理, 予以公开答复) or 继续办理 (四、结转下年度继续办理).
pub(crate) const NOT_AFTER: &[&str] = &[
    "予以公开",
    "部分公开",
    "不予公开",
    "无法提供",
    "不予",
    "其他",
    "告知",
    "继续",
];
/// What no Table 3 number follows: a manner or channel makes it a part of the
/// total (按时答复 118 件, 网上受理 300 件), which the tables do not count apart.
pub(crate) const NOT_AFTER_REQUESTS: &[&str] = &[
    "按时", "按期", "及时", "逾期", "超期", "延期", "当场", "当面", "书面", "口头", "电话", "网上",
    "网络", "在线", "邮件", "邮寄", "信函", "传真",
];
/// What may follow a "no X" claim ([`Role::Zero`]): the end of the sentence, a
/// punctuation mark, or a word for the cases themselves. Anything else makes it
/// a claim about something narrower (未发生…行政复议**被纠错**).
pub(crate) const ZERO_ENDS: &[&str] = &[
    "，",
    ",",
    "；",
    ";",
    "、",
    "：",
    "（",
    "(",
    "案件",
    "的案件",
    "情况",
    "的情况",
    "事件",
    "事项",
];
/// The words that make 行政复议/行政诉讼 about information disclosure ([`Context::Qualifier`]).
pub(crate) const QUALIFIERS: &str = r"政府信息公开|信息公开|依申请公开";
/// Characters that end a clause, for [`Context::Qualifier`].
pub(crate) const CLAUSE_ENDS: &[char] = &['，', ',', '；', ';', '：', ':', '。', '（', '('];
/// Document nouns: the last one before a Table 2 part ([`Target::DocumentColumn`])
/// names its row; only 规章 and （行政）规范性文件 are rows of Table 2.
pub(crate) const DOCUMENT_NOUNS: &str =
    r"行政规范性文件|规范性文件|政策性文件|政策文件|规章|文件|公文";
/// A sentence that says its count includes last year's applications (rule 8).
pub(crate) const CARRIED_OVER_MENTION: &str = r"(?:上年|上一年|去年)度?(?:结转|转结)";
/// 修改 M 件 in a sentence about documents: whether amendments count as 制发 is
/// the agency's practice, so 本年制发件数 may be N or N + M.
pub(crate) const AMENDED: &str = r"修改(?:的)?\s*(?P<n>[0-9]+)\s*件";
/// Words that say the prose speaks for a wider scope than one office: named in
/// a message, since the tables may count only the reporting office.
pub(crate) const SCOPE_WORDS: &str =
    r"全省|全市|全区|全县|全州|全盟|全旗|全镇|全乡|全街道|各级行政机关|各级政府|各部门|各单位";

const NEW: Cell = row_total(RequestRow::New);
const CARRIED_OVER: Cell = row_total(RequestRow::CarriedOver);
const CARRIED_FORWARD: Cell = row_total(RequestRow::CarriedForward);
const HANDLED: Cell = Cell::Request(Rows::Handled, super::cells::TOTAL);
const NEW_AND_CARRIED: Cell = Cell::Request(Rows::NewAndCarried, super::cells::TOTAL);
const REVIEW: Cell = Cell::Appeal(Appeals::Group(AppealKind::Review), APPEAL_TOTAL);
const LITIGATION: Cell = Cell::Appeal(Appeals::Litigation, APPEAL_TOTAL);
const DIRECT: Cell = Cell::Appeal(Appeals::Group(AppealKind::LitigationDirect), APPEAL_TOTAL);
const AFTER_REVIEW: Cell = Cell::Appeal(
    Appeals::Group(AppealKind::LitigationAfterReview),
    APPEAL_TOTAL,
);

const fn corpus(file: &'static str, text: &'static str) -> Sentence {
    Sentence {
        text,
        source: Source::Corpus(file),
    }
}

const fn constructed(text: &'static str) -> Sentence {
    Sentence {
        text,
        source: Source::Constructed,
    }
}

const HUAIAN_SHI: &str = "huaian-shi-2024.pdf";
const HUAIAN_SHI_REQUESTS: &str = "2024年，全市共受理政府信息公开申请3119件，答复3050件（含上年度结转申请34件，另有103件顺延到下年度答复），均在法定期限内予以答复。";
const HUAIAN_SHI_APPEALS: &str = "政府信息公开行政复议351件，其中结果维持72件，结果纠正64件，其他结果178件，尚未审结37件；政府信息公开行政诉讼46件，其中结果维持25件，结果纠正5件，其他结果9件，尚未审结7件。";
const PINGTAN_2022: &str = "pingtan-2022.html";
const PINGTAN_2022_DOCUMENTS: &str =
    "设立规范性文件库，集中公开现行有效行政规范性文件698件，动态更新本年度制发的规范性文件88件。";

/// The phrase inventory: every phrasing R9 reads.
pub(crate) const PHRASES: &[Phrase] = &[
    // ---- Table 3 ----
    Phrase {
        id: "Q1",
        role: Role::Head,
        family: Family::Requests,
        context: Context::Free,
        words: "新收、收到、接收、受理、接到，紧接申请的名称，再接 N 件",
        short: "收到/受理/新收…申请N件",
        pattern: r"(?:本年度?)?(?P<verb>新收|收到|接收|受理|接到)了?\s*(?:的)?{OBJ_APP}{TAIL_REQ}",
        target: Target::Received,
        example: corpus(HUAIAN_SHI, HUAIAN_SHI_REQUESTS),
        negative: corpus(
            "suqian-shuyang-xian-fgj-2023.html",
            "全年共审核发布各类公开政府信息249条，其中：发布行政公文和政策解读信息9条；机构设置和人事任免信息7条；重点工作39条；财政预决算信息6条；信息公开年度报告1条；政府信息公开指南1条；政府网站信息185条；政府信息公开制度1条。全年受理网络问政182件。",
        ),
    },
    Phrase {
        id: "Q1b",
        role: Role::Head,
        family: Family::Requests,
        context: Context::Application,
        words: "本年新收 N 件（不带申请的名称）",
        short: "本年新收N件",
        pattern: r"(?:本年度?)?新收(?:的)?{TAIL_REQ}",
        target: Target::AnyOf(&[NEW]),
        example: constructed("共收到政府信息公开申请488件，其中本年新收476件、上年结转12件。"),
        negative: constructed("共收到群众来信20件，其中本年新收15件。"),
    },
    Phrase {
        id: "Q1n",
        role: Role::Head,
        family: Family::Requests,
        context: Context::Free,
        words: "数字在前：共有、收到、受理 N 件政府信息公开申请",
        short: "共有N件政府信息公开申请",
        pattern: r"(?:共收到|共受理|收到|受理|共有|共计)\s*{PRE}{NUM}{POST}(?P<u>件)\s*(?:的)?(?:政府信息公开申请|信息公开申请|依申请公开申请)",
        target: Target::Received,
        example: constructed("2023年，本机关共有476件政府信息公开申请。"),
        negative: constructed("其中5件政府信息公开申请因内容不明确，已告知申请人补正。"),
    },
    Phrase {
        id: "Q2",
        role: Role::Head,
        family: Family::Requests,
        context: Context::Free,
        words: "上年（度）、上一年度、去年 + 结转、转结、遗留（+ 申请）+ N 件",
        short: "上年结转（申请）N件",
        pattern: r"(?:上年度?|上一年度?|去年)(?:结转|转结|遗留)(?:的)?(?:政府信息公开|信息公开|依申请公开)?(?:申请)?{TAIL_REQ}",
        target: Target::AnyOf(&[CARRIED_OVER]),
        example: corpus(HUAIAN_SHI, HUAIAN_SHI_REQUESTS),
        negative: constructed("上年结转资金120万元，本年度已全部使用。"),
    },
    Phrase {
        id: "Q2n",
        role: Role::Head,
        family: Family::Requests,
        context: Context::Free,
        words: "数字在前：N 件（申请）为上年结转",
        short: "N件为上年结转",
        pattern: r"{NUM}\s*件(?:申请)?\s*(?:为|系|是|属)?(?:上年度?|上一年度?)(?:结转|转结)",
        target: Target::AnyOf(&[CARRIED_OVER]),
        example: constructed("共收到政府信息公开申请488件，其中12件为上年结转。"),
        negative: constructed("共收到政府信息公开申请476件，较上年增加12件。"),
    },
    Phrase {
        id: "Q3",
        role: Role::Head,
        family: Family::Requests,
        context: Context::Application,
        words: "办结、答复、作出答复、予以答复（+ 申请的名称）+ N 件",
        short: "办结/答复N件",
        pattern: r"(?P<verb>办结|答复|作出答复|予以答复)\s*(?:了)?(?:{OBJ_APP})?{TAIL_REQ}",
        target: Target::AnyOf(&[HANDLED]),
        example: corpus(HUAIAN_SHI, HUAIAN_SHI_REQUESTS),
        negative: constructed("收到政府信息公开申请476件；办理人大代表建议35件，办结35件。"),
    },
    Phrase {
        id: "Q3b",
        role: Role::Head,
        family: Family::Requests,
        context: Context::Application,
        words: "办理、处理（+ 申请的名称）+ N 件：已办结的，或连同结转下年度的全部申请",
        short: "办理/处理N件",
        pattern: r"(?P<verb>办理|处理)\s*(?:了)?(?:{OBJ_APP})?{TAIL_REQ}",
        target: Target::AnyOf(&[HANDLED, NEW_AND_CARRIED]),
        example: constructed(
            "全年共办理政府信息公开申请488件（含上年结转12件），其中471件已办结，17件结转至下年度继续办理。",
        ),
        negative: constructed("全年办理人大代表建议和政协提案35件。"),
    },
    Phrase {
        id: "Q4",
        role: Role::Head,
        family: Family::Requests,
        context: Context::Free,
        words: "结转、顺延、转（至、到、入）下（一）年度（继续办理）+ N 件",
        short: "结转下年度（继续办理）N件",
        pattern: r"(?:结转|顺延|转)(?:至|到|入)?下一?年度?(?:继续)?(?:办理|处理|答复)?(?:的)?(?:政府信息公开)?(?:申请)?{TAIL_REQ}",
        target: Target::AnyOf(&[CARRIED_FORWARD]),
        example: constructed("全年办结政府信息公开申请471件，结转下年度继续办理17件。"),
        negative: constructed("结转下年度资金30万元。"),
    },
    Phrase {
        id: "Q4n",
        role: Role::Head,
        family: Family::Requests,
        context: Context::Free,
        words: "数字在前：N 件顺延、结转到下年度",
        short: "N件顺延到下年度",
        pattern: r"{NUM}\s*件(?:申请)?\s*(?:需|将|已|须)?(?:结转|顺延|转)(?:至|到|入)?下一?年度?",
        target: Target::AnyOf(&[CARRIED_FORWARD]),
        example: corpus(HUAIAN_SHI, HUAIAN_SHI_REQUESTS),
        negative: constructed("另有3件人大代表建议顺延到下年度办理。"),
    },
    Phrase {
        id: "Q4b",
        role: Role::Head,
        family: Family::Requests,
        context: Context::Application,
        words: "尚未办结、未办结、正在办理（中）+ N 件",
        short: "尚未办结N件",
        pattern: r"(?:尚未办结|未办结|正在办理中?|仍在办理中?)(?:的)?{TAIL_REQ}",
        target: Target::AnyOf(&[CARRIED_FORWARD]),
        example: constructed("收到政府信息公开申请476件，办结471件，尚未办结17件。"),
        negative: constructed("受理群众诉求30件，尚未办结3件。"),
    },
    Phrase {
        id: "Q5",
        role: Role::Part,
        family: Family::Requests,
        context: Context::Free,
        words: "其中的申请人类别：自然人、商业企业、科研机构、社会公益组织、法律服务机构、法人或其他组织 + N 件",
        short: "其中自然人N件…",
        pattern: r"(?P<col>自然人|商业企业|科研机构|社会公益组织|法律服务机构|法人或其他组织)\s*(?:申请)?(?:的)?{TAIL_REQ}",
        target: Target::ApplicantColumn,
        example: constructed("本年度共收到政府信息公开申请476件，其中自然人82件、商业企业99件。"),
        negative: constructed("通过网络提交的申请中，自然人90件。"),
    },
    Phrase {
        id: "Q6",
        role: Role::Part,
        family: Family::Requests,
        context: Context::Free,
        words: "其中的办理结果：予以公开、部分公开、予以公开及部分公开、不予公开、无法提供、不予处理、其他处理 + N 件",
        short: "其中予以公开N件…",
        pattern: r"(?P<out>予以公开及部分公开|予以公开|部分公开|不予公开|无法提供|不予处理|其他处理)(?:答复)?(?:的)?{TAIL_REQ}",
        target: Target::Outcome,
        example: constructed(
            "收到政府信息公开申请476件，其中予以公开225件，部分公开9件，不予处理62件。",
        ),
        negative: constructed("其中，予以公开答复966件，部分公开67件，不予公开81件。"),
    },
    // ---- Table 4 ----
    Phrase {
        id: "A1",
        role: Role::Head,
        family: Family::Appeals,
        context: Context::Qualifier,
        words: "（被申请、提起、发生、引发、引起）行政复议（案件、申请）+ N 件",
        short: "行政复议N件",
        pattern: r"(?:被申请|提起|发生|引发|引起)?行政复议(?:案件|申请)?{TAIL_APL}",
        target: Target::AnyOf(&[REVIEW]),
        example: corpus(HUAIAN_SHI, HUAIAN_SHI_APPEALS),
        negative: constructed(
            "县司法局作为行政复议机关，全年共办理行政复议案件56件，其中涉及政府信息公开的3件。",
        ),
    },
    Phrase {
        id: "A2",
        role: Role::Head,
        family: Family::Appeals,
        context: Context::Qualifier,
        words: "（被提起、提起、发生、引发、引起）行政诉讼（案件）+ N 件：两组诉讼（未经复议直接起诉、复议后起诉）之和",
        short: "行政诉讼N件",
        pattern: r"(?:被提起|提起|发生|引发|引起)?行政诉讼(?:案件)?{TAIL_APL}",
        target: Target::AnyOf(&[LITIGATION]),
        example: corpus(
            PINGTAN_2022,
            "2022年，全区政府信息公开工作方面共有行政诉讼案件1件、行政复议案件2件，均已结案。",
        ),
        negative: constructed("本年度因政府信息公开引发的行政复议和行政诉讼案件共12件。"),
    },
    Phrase {
        id: "A3",
        role: Role::Head,
        family: Family::Appeals,
        context: Context::Qualifier,
        words: "（未经复议）直接起诉、直接提起（行政）诉讼 + N 件",
        short: "直接起诉N件",
        pattern: r"(?:未经(?:行政)?复议)?直接(?:提起(?:行政)?诉讼|起诉)(?:的)?(?:案件)?{TAIL_APL}",
        target: Target::AnyOf(&[DIRECT]),
        example: constructed(
            "因政府信息公开被提起行政诉讼6件，其中未经复议直接起诉4件、复议后起诉2件。",
        ),
        negative: constructed("全县行政机关被直接起诉的案件40件。"),
    },
    Phrase {
        id: "A4",
        role: Role::Head,
        family: Family::Appeals,
        context: Context::Qualifier,
        words: "（经）（行政）复议后起诉、复议后提起（行政）诉讼 + N 件",
        short: "复议后起诉N件",
        pattern: r"(?:经)?(?:行政)?复议后(?:提起(?:行政)?诉讼|起诉)(?:的)?(?:案件)?{TAIL_APL}",
        target: Target::AnyOf(&[AFTER_REVIEW]),
        example: constructed(
            "因政府信息公开被提起行政诉讼6件，其中未经复议直接起诉4件、复议后起诉2件。",
        ),
        negative: constructed("全县行政复议后起诉的案件共30件。"),
    },
    Phrase {
        id: "A0",
        role: Role::Head,
        family: Family::Appeals,
        context: Context::Qualifier,
        words: "行政复议、行政诉讼各 N 件（均为 N 件）",
        short: "行政复议、行政诉讼各N件",
        pattern: r"行政复议(?:[、和及与]|以及)\s*(?:提起)?行政诉讼(?:案件)?\s*(?:各|均为|均|都为|都是)\s*{NUM}\s*(?P<u>件|宗|起)",
        target: Target::Each(&[REVIEW, LITIGATION]),
        example: constructed("本年度政府信息公开行政复议、行政诉讼各6件。"),
        negative: constructed("全县行政复议、行政诉讼各30件。"),
    },
    Phrase {
        id: "A0s",
        role: Role::Head,
        family: Family::Appeals,
        context: Context::Qualifier,
        words: "行政复议和行政诉讼（案件）共 N 件：两者之和",
        short: "行政复议和行政诉讼共N件",
        pattern: r"行政复议(?:[、和及与]|以及)\s*(?:提起)?行政诉讼(?:案件)?{TAIL_APL}",
        target: Target::Sum(&[REVIEW, LITIGATION]),
        example: constructed("本年度因政府信息公开引发的行政复议和行政诉讼案件共12件。"),
        negative: constructed("全县行政复议和行政诉讼案件共120件。"),
    },
    Phrase {
        id: "A5",
        role: Role::Part,
        family: Family::Appeals,
        context: Context::Free,
        words: "其中的审理结果：（结果）维持、纠正（被纠错）、其他结果、尚未审结 + N 件（撤销、变更、确认违法、驳回不是表中的列，不读）",
        short: "其中结果维持N件…",
        pattern: r"(?:结果)?(?P<res>维持|纠正|被纠错|纠错|其他结果|尚未审结|未审结)(?:的)?{TAIL_APL}",
        target: Target::AppealResult,
        example: corpus(HUAIAN_SHI, HUAIAN_SHI_APPEALS),
        negative: constructed("本年度信访事项中结果维持12件。"),
    },
    // ---- Table 2 (2021 edition) ----
    Phrase {
        id: "T1",
        role: Role::Head,
        family: Family::Active,
        context: Context::Free,
        words: "制发、制定、新制定、出台、印发（的）规章或（行政）规范性文件 + N 件",
        short: "制发规范性文件N件",
        pattern: r"(?:新制定|制定|制发|新出台|出台|印发)了?(?:的)?{GOV}{DOC}{TAIL_DOC}",
        target: Target::Document("issued"),
        example: corpus(PINGTAN_2022, PINGTAN_2022_DOCUMENTS),
        negative: corpus(
            PINGTAN_2022,
            "三是做好惠企纾困政策公开。在网站显眼位置设立专栏，发布政策文件20件，同时共享全省政策文件，助力企业“一站式”查询了解惠企纾困政策。",
        ),
    },
    Phrase {
        id: "T2",
        role: Role::Head,
        family: Family::Active,
        context: Context::Free,
        words: "（宣布、清理）废止（的）规章或（行政）规范性文件 + N 件",
        short: "废止规范性文件N件",
        pattern: r"(?:宣布|清理)?废止了?(?:的)?{GOV}{DOC}{TAIL_DOC}",
        target: Target::Document("repealed"),
        example: constructed("经清理，已宣布废止规范性文件3件，拟适时修改5件，实现规范性文件动态管理。"),
        negative: constructed("经清理，宣布失效规范性文件5件。"),
    },
    Phrase {
        id: "T3",
        role: Role::Head,
        family: Family::Active,
        context: Context::Free,
        words: "现行有效（的）规章或（行政）规范性文件 + N 件",
        short: "现行有效规范性文件N件",
        pattern: r"现行有效(?:的)?{GOV}{DOC}{TAIL_DOC}",
        target: Target::Document("in_force"),
        example: corpus(PINGTAN_2022, PINGTAN_2022_DOCUMENTS),
        negative: constructed("全年清理规范性文件120件。"),
    },
    Phrase {
        id: "T3b",
        role: Role::Head,
        family: Family::Active,
        context: Context::Free,
        words: "规章或（行政）规范性文件 + 现行有效 + N 件",
        short: "规范性文件现行有效N件",
        pattern: r"{DOC}\s*现行有效(?:的)?{TAIL_DOC}",
        target: Target::Document("in_force"),
        example: constructed("截至年底，本机关行政规范性文件现行有效41件。"),
        negative: constructed("经评估，规范性文件继续有效30件。"),
    },
    Phrase {
        id: "T4",
        role: Role::Part,
        family: Family::Active,
        context: Context::Free,
        words: "在规章或（行政）规范性文件之后的列举：制发、（新）制定、出台、废止、现行有效 + N 件",
        short: "（规范性文件…）废止N件…",
        pattern: r"(?P<fld>新制定|制定|制发|新出台|出台|废止|现行有效)(?:的)?{TAIL_DOC}",
        target: Target::DocumentColumn,
        example: constructed("本年度制发行政规范性文件7件，废止3件，现行有效41件。"),
        negative: constructed("发布政策文件20件，其中新制定12件。"),
    },
    Phrase {
        id: "T5",
        role: Role::Head,
        family: Family::Active,
        context: Context::Free,
        words: "作出、办理、办结、审批行政许可（决定、事项、案件），或行政许可决定 + N 件",
        short: "作出行政许可决定N件",
        pattern: r"(?:(?:作出|办理|办结|审批)(?:各类)?行政许可(?:决定|事项|案件)?|行政许可决定){TAIL_LIC}",
        target: Target::AnyOf(&[Cell::Active("licensing", "")]),
        example: constructed("全年作出行政许可决定1268件，行政处罚决定315件，采取行政强制措施12件。"),
        negative: constructed("受理行政许可申请5000件，办结4980件。"),
    },
    Phrase {
        id: "T6",
        role: Role::Head,
        family: Family::Active,
        context: Context::Free,
        words: "作出、办理、查处、办结行政处罚（决定、案件），或行政处罚决定、行政处罚案件 + N 件",
        short: "行政处罚决定N件",
        pattern: r"(?:(?:作出|办理|查处|办结)(?:各类)?行政处罚(?:决定|案件)?|行政处罚(?:决定|案件)){TAIL_PEN}",
        target: Target::AnyOf(&[Cell::Active("penalties", "")]),
        example: constructed("全年作出行政许可决定1268件，行政处罚决定315件，采取行政强制措施12件。"),
        negative: constructed("公示行政处罚信息3985条，公布行政许可事项清单186项。"),
    },
    Phrase {
        id: "T7",
        role: Role::Head,
        family: Family::Active,
        context: Context::Free,
        words: "采取、实施、作出行政强制（措施、执行、决定），或行政强制措施、行政强制执行 + N 件",
        short: "采取行政强制措施N件",
        pattern: r"(?:(?:采取|实施|作出)(?:各类)?行政强制(?:措施|执行|决定)?(?:案件)?|行政强制(?:措施|执行|决定|案件)){TAIL_COE}",
        target: Target::AnyOf(&[Cell::Active("coercive_measures", "")]),
        example: constructed("全年作出行政许可决定1268件，行政处罚决定315件，采取行政强制措施12件。"),
        negative: constructed("开展行政强制执行专项检查3次。"),
    },
    Phrase {
        id: "T8",
        role: Role::Head,
        family: Family::Active,
        context: Context::Free,
        words: "行政事业性收费（金额、总额、收入）+ N 万元（或 N 元）",
        short: "行政事业性收费N万元",
        pattern: r"行政事业性收费(?:金额|总额|收入)?{TAIL_FEE}",
        target: Target::AnyOf(&[Cell::Active("fees", "")]),
        example: constructed("本年度行政事业性收费金额96.75万元。"),
        negative: corpus(
            HUAIAN_SHI,
            "全年收取政府信息公开信息处理费3940元。",
        ),
    },
    // ---- "No X" ----
    Phrase {
        id: "Z1",
        role: Role::Zero,
        family: Family::Appeals,
        context: Context::Free,
        words: "未（没有、无）发生因政府信息公开（申请）引起的行政复议、行政诉讼",
        short: "未发生…行政复议、行政诉讼",
        pattern: r"(?:未|没有|无)(?:发生|出现|收到|产生|被提起|被申请)?(?:过)?(?:任何)?(?:因|涉及|有关)?(?:政府信息公开|信息公开|依申请公开)(?:申请|工作|事项)?(?:而|方面)?(?:引起|引发|产生)?(?:的)?(?:被申请|被提起)?(?P<what>行政复议(?:(?:[、和及或与]|以及)(?:被提起|提起)?行政诉讼)?|行政诉讼(?:(?:[、和及或与]|以及)(?:被申请|申请)?行政复议)?)",
        target: Target::NoAppeals,
        example: constructed("本年度未发生因政府信息公开引起的行政复议、行政诉讼。"),
        negative: corpus(
            "suqian-shuyang-xian-fgj-2023.html",
            "提高网站信息更新频率。全年未发生政府信息公开方面责任追究结果情况。",
        ),
    },
    Phrase {
        id: "Z2",
        role: Role::Zero,
        family: Family::Requests,
        context: Context::Free,
        words: "未（没有）收到、受理、接到政府信息公开申请",
        short: "未收到政府信息公开申请",
        pattern: r"(?:未|没有)(?:收到|受理|接到)(?:任何)?(?:政府信息公开申请|依申请公开申请|信息公开申请|依申请公开)",
        target: Target::Zero(&[NEW]),
        example: constructed("本年度未收到政府信息公开申请。"),
        negative: constructed("本年度未收取信息处理费，未收到政府信息公开申请人的投诉。"),
    },
];

/// A phrasing by id.
#[cfg(test)]
pub(crate) fn phrase(id: &str) -> Option<&'static Phrase> {
    PHRASES.iter().find(|p| p.id == id)
}

/// A pattern with its `{BLOCK}`s written out.
pub(crate) fn expand(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() * 4);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
            .unwrap_or(after.len());
        let block = (name_len > 0 && after[name_len..].starts_with('}'))
            .then(|| BLOCKS.iter().find(|b| b.name == &after[..name_len]))
            .flatten();
        match block {
            Some(b) => {
                out.push_str(&expand(b.pattern));
                rest = &after[name_len + 1..];
            }
            None => {
                // A quantifier such as {0,2}.
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The inventory as markdown, for docs/rules.md (between the markers
/// `<!-- BEGIN GENERATED: r9-phrases -->` and `<!-- END GENERATED: r9-phrases -->`).
#[cfg(test)]
pub(crate) fn markdown() -> String {
    use std::fmt::Write;
    let mut s = String::new();
    s.push_str("| 编号 | 说法 | 核对的表格数 | 条件 | 例句（读出并核对） | 不读的句子 |\n");
    s.push_str("|---|---|---|---|---|---|\n");
    for p in PHRASES {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            p.id,
            p.words,
            describe_target(p.target),
            conditions(p),
            sentence(p.example),
            sentence(p.negative)
        );
    }
    s.push_str("\n各说法的正则表达式（Rust `regex` 语法，`{名称}` 是下一张表中的片段）：\n\n");
    s.push_str("| 编号 | 正则表达式 |\n|---|---|\n");
    for p in PHRASES {
        let _ = writeln!(s, "| {} | `{}` |", p.id, cell(p.pattern));
    }
    s.push_str("\n| 片段 | 正则表达式 | 说明 |\n|---|---|---|\n");
    for b in BLOCKS {
        let _ = writeln!(
            s,
            "| `{{{}}}` | `{}` | {} |",
            b.name,
            cell(b.pattern),
            b.words
        );
    }
    s.push_str("\n条件：\n\n");
    let _ = writeln!(
        s,
        "- **申请名词**：说法本身不带“申请”时，句中在它前面最近的名词（{}；“申请人”除外）须是政府信息公开申请（{}）；“三、收到和处理政府信息公开申请情况”中表格前的说明段落不要求。说法紧跟在 {} 之后时不读（那是办理结果的名称，如“不予处理”“予以公开答复”，或“继续办理”）。",
        APPLICATION_NOUNS.replace('|', "、"),
        DISCLOSURE_NOUNS.join("、"),
        NOT_AFTER.iter().map(|w| format!("“{w}”")).collect::<Vec<_>>().join("")
    );
    let _ = writeln!(
        s,
        "- **信息公开**：同一分句（上一个 {} 之后）中有“{}”，或同一句前面已读到表四的数；“四、政府信息公开行政复议、行政诉讼情况”中表格前的说明段落不要求。没有这些字的行政复议、行政诉讼（例如复议机关的全部案件）不读。",
        CLAUSE_ENDS.iter().map(|c| format!("“{c}”")).collect::<Vec<_>>().join(""),
        QUALIFIERS.replace('|', "”“")
    );
    s.push_str("- **其中**：同一句前面有同一张表的数（最近的那个），这个数是它的一部分。\n");
    let _ = writeln!(
        s,
        "- **文件名词**：句中在它前面最近的文件名词（{}）是规章或（行政）规范性文件。",
        DOCUMENT_NOUNS.replace('|', "、")
    );
    s.push_str("- **2021 年版**：只在 2021 年版报告中读（2019 年版表二的列不同）。\n");
    let _ = writeln!(
        s,
        "- **为 0**：没有数字，核对表中的数为 0。说法之后须是句末、{}，否则说的是更窄的事（如“未发生……行政复议被纠错”“未收到……申请人的投诉”），不读。",
        ZERO_ENDS.iter().map(|w| format!("“{w}”")).collect::<Vec<_>>().join("")
    );
    let _ = writeln!(
        s,
        "- 表三的说法紧跟在 {} 之后时都不读：那只是一部分（“按时答复118件”“网上受理300件”），表中不单列。",
        NOT_AFTER_REQUESTS.iter().map(|w| format!("“{w}”")).collect::<Vec<_>>().join("")
    );
    s
}

/// The README's row of R9 (English, as the README is).
#[cfg(test)]
pub(crate) fn readme_row() -> String {
    let phrases: Vec<String> = PHRASES
        .iter()
        .map(|p| format!("{} {}", p.id, p.short))
        .collect();
    format!(
        "| R9 | numbers the prose quotes from Tables 2–4 equal the tables; the phrasings read (each with its pattern, table value and examples in [docs/rules.md](docs/rules.md#r9)): {} | warning |",
        phrases.join(" · ")
    )
}

#[cfg(test)]
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
fn sentence(s: Sentence) -> String {
    let source = match s.source {
        Source::Corpus(file) => format!("真实报告 `{file}`"),
        Source::Constructed => "构造".to_string(),
    };
    format!("{}（{source}）", cell(s.text))
}

#[cfg(test)]
fn conditions(p: &Phrase) -> String {
    let mut list = Vec::new();
    match (p.role, p.family) {
        (Role::Part, Family::Active) => list.push("文件名词"),
        (Role::Part, _) => list.push("其中"),
        (Role::Zero, _) => list.push("为 0"),
        (Role::Head, _) => {}
    }
    match p.context {
        Context::Application => list.push("申请名词"),
        Context::Qualifier => list.push("信息公开"),
        Context::Free => {}
    }
    if p.family == Family::Active {
        list.push("2021 年版");
    }
    if list.is_empty() {
        "—".to_string()
    } else {
        list.join("；")
    }
}

#[cfg(test)]
fn describe_cell(c: Cell) -> String {
    use crate::model::Edition;
    match c.reference() {
        Some(r) => format!("{} `${{{r}}}`", c.describe(Edition::E2021)),
        None => c.describe(Edition::E2021),
    }
}

#[cfg(test)]
fn describe_target(t: Target) -> String {
    let cells = |cells: &[Cell], sep: &str| {
        cells
            .iter()
            .map(|c| describe_cell(*c))
            .collect::<Vec<_>>()
            .join(sep)
    };
    match t {
        Target::AnyOf(c) => cells(c, "，或 "),
        Target::Received => format!(
            "{}；数字等于一 + 二（本年新收加上年结转）时，句中写明含上年结转则无误，否则警告并说明（动词为“新收”时只核对一）",
            describe_cell(NEW)
        ),
        Target::Each(c) => format!("每一个都等于该数：{}", cells(c, "、")),
        Target::Sum(c) => format!("两者之和：{}", cells(c, " + ")),
        Target::ApplicantColumn => "表三 所说申请人那一列（法人或其他组织 = 五类之和），行是句中前面那个表三数的行".to_string(),
        Target::Outcome => format!(
            "{}、{}、两者之和；不予公开、无法提供、不予处理、其他处理为表三该组各行之和",
            describe_cell(row_total(RequestRow::Granted)),
            describe_cell(row_total(RequestRow::PartiallyGranted))
        ),
        Target::AppealResult => "表四 所说结果那一列，组是句中前面那个表四数的组（行政诉讼为两组之和）".to_string(),
        Target::Document(column) => {
            let label = Cell::Active("rules", column).column(crate::model::Edition::E2021);
            format!("表二 第二十条第（一）项 规章 `${{active.rules.{column}}}` 或 行政规范性文件 `${{active.normative_documents.{column}}}` · {label}")
        }
        Target::DocumentColumn => "表二 第二十条第（一）项 前面那个文件名词（规章或行政规范性文件）的本年制发件数、本年废止件数或现行有效件数（句中另有“修改 M 件”时，本年制发件数为 N 或 N + M 都算对）".to_string(),
        Target::Zero(c) => format!("为 0：{}", cells(c, "、")),
        Target::NoAppeals => format!(
            "为 0：{}，或 {}（按所说）",
            describe_cell(REVIEW),
            describe_cell(LITIGATION)
        ),
    }
}
