//! Targets against actuals (docs/handbook.md, the review, step 1): every goal of the plan with
//! its target, actual, difference, achievement rate and a direction-aware status.
//!
//! Rules:
//! - `difference = actual - target`, shown in percentage points when either cell was
//!   written as a percentage (`5%` → `4%` is `-1 pt`), in the ratio's second term for
//!   ratios (`1:3` → `1:2.2` is `-0.8`), else in the metric's own unit.
//! - `achievement = actual / target`, only for a positive target: a zero, negative or
//!   missing target is reported (`n/a`) and never divided by.
//! - `status`: for `better = higher` (the default) `met` when `actual >= target`, else
//!   `missed`; for `better = lower` (cost, CAC) `met` when `actual <= target`, else
//!   `over`. A row without a target or an actual has status `no target` / `no actual`.

use super::error::ReviewError;
use super::header::{split_header, Header};
use crate::table::{Column, CsvOptions, DType, Kind, Table};
use crate::units::{parse_quantity, Notation, Quantity};
use std::path::Path;

/// The columns a metrics table must have.
pub const REQUIRED: [&str; 4] = ["dimension", "metric", "target", "actual"];

/// The columns a metrics table may have: the required ones, `unit`, `better`, `note`,
/// and those [`Review::table`] writes (`notation` is read back; `difference`,
/// `achievement` and `status` are computed again). Any other column is refused
/// (`crate::table::check_known_columns`).
pub const KNOWN: [&str; 11] = [
    "dimension",
    "metric",
    "target",
    "actual",
    "unit",
    "better",
    "note",
    "notation",
    "difference",
    "achievement",
    "status",
];

/// Metric names that are the headline of a review when none is named, in order of
/// preference (compared without regard to case): the sales figure in English and in
/// the Chinese templates (销售额 sales, 成交额 turnover, GMV).
pub const HEADLINE_NAMES: [&str; 7] = [
    "sales",
    "revenue",
    "gmv",
    "销售额",
    "成交额",
    "营业额",
    "销售收入",
];

/// Which way a metric should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// More is better (sales, users, conversion): the default.
    Higher,
    /// Less is better (cost, CAC, bounce rate).
    Lower,
}

impl Better {
    /// Reads `higher` or `lower` (any case; an empty cell is `higher`).
    pub fn parse(text: &str) -> Option<Better> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "higher" => Some(Better::Higher),
            "lower" => Some(Better::Lower),
            _ => None,
        }
    }

    /// The word as written in tables.
    pub fn name(self) -> &'static str {
        match self {
            Better::Higher => "higher",
            Better::Lower => "lower",
        }
    }
}

/// The outcome of one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The target was reached (or, for lower-is-better metrics, not exceeded).
    Met,
    /// A higher-is-better metric fell short of its target.
    Missed,
    /// A lower-is-better metric exceeded its target (cost overrun).
    Over,
    /// No target was given: nothing to compare with.
    NoTarget,
    /// No actual was given (not measured yet).
    NoActual,
}

impl Status {
    /// The word shown in tables (`met`, `missed`, `over`, `no target`, `no actual`).
    pub fn name(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Missed => "missed",
            Status::Over => "over",
            Status::NoTarget => "no target",
            Status::NoActual => "no actual",
        }
    }

    /// The status of `actual` against `target` for a metric whose better direction is
    /// `better` (equal counts as met).
    pub fn of(target: f64, actual: f64, better: Better) -> Status {
        match better {
            Better::Higher if actual >= target => Status::Met,
            Better::Higher => Status::Missed,
            Better::Lower if actual <= target => Status::Met,
            Better::Lower => Status::Over,
        }
    }
}

/// One reviewed metric: the input row and what was computed from it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricResult {
    /// The metric's dimension (traffic, conversion, spread, revenue, cost, ...).
    pub dimension: String,
    /// The metric's name.
    pub metric: String,
    /// Its unit as written (`10k`, `yuan`), empty when none.
    pub unit: String,
    /// Which way is better.
    pub better: Better,
    /// The target, with the notation it was written in.
    pub target: Option<Quantity>,
    /// The actual, with the notation it was written in.
    pub actual: Option<Quantity>,
    /// A free-text note.
    pub note: String,
    /// `actual - target` (as fractions for percentages: -0.01 for 5% → 4%).
    pub difference: Option<f64>,
    /// `actual / target`, only for a positive target.
    pub achievement: Option<f64>,
    /// Met, missed, over, or why there is no status.
    pub status: Status,
    /// Why there is no achievement rate, when there is none for a reason worth saying.
    pub remark: Option<NoAchievement>,
}

/// Why a metric has no achievement rate (`actual / target`); the report writes it as
/// `n/a (target is 0)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoAchievement {
    /// No target was given.
    NoTarget,
    /// The target is 0: any actual would be an infinite achievement.
    ZeroTarget,
    /// The target is negative: a ratio to it does not read as achievement.
    NegativeTarget,
}

impl MetricResult {
    /// The notation the row speaks in: the target's, or the actual's when the target
    /// was written plain.
    pub fn notation(&self) -> Notation {
        match (self.target, self.actual) {
            (Some(t), _) if t.notation != Notation::Plain => t.notation,
            (_, Some(a)) => a.notation,
            (Some(t), None) => t.notation,
            (None, None) => Notation::Plain,
        }
    }
}

/// The notation's name in tables (`plain`, `percent`, `ratio`), as the `notation`
/// column is read back.
pub fn notation_name(n: Notation) -> &'static str {
    match n {
        Notation::Plain => "plain",
        Notation::Percent => "percent",
        Notation::Ratio => "ratio",
    }
}

/// The result of a review: one row per metric, in the input's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// The file (or `<script>`) the metrics came from.
    pub source: String,
    /// The campaign, dates, owner and target group (empty when not given).
    pub header: Header,
    /// The reviewed metrics.
    pub rows: Vec<MetricResult>,
}

/// Reads a metrics file keeping every cell's notation: `target` and `actual` are read
/// as text so that `5%` and `1:2.2` keep how they were written. Lines above the table's
/// header line are the review's header ([`super::header`]). `name` names the file in
/// messages. A gzip-compressed CSV is decompressed first.
///
/// A workbook (`.xlsx`, `.xls`, `.ods`) is read by its extension, from `sheet`; its
/// number cells are numbers (a percent-formatted cell holds its fraction); it has no
/// header block.
pub fn read_metrics(
    path: &Path,
    name: &str,
    sheet: &crate::table::SheetOptions,
) -> Result<(Header, Table), ReviewError> {
    if crate::table::is_workbook(path) {
        let (header, sheet) = workbook_header(path, name, sheet)?;
        let (probe, _) = crate::table::read_table_path_noted(path, &CsvOptions::default(), &sheet)?;
        let options = text_targets(&probe);
        let (t, _) = crate::table::read_table_path_noted(path, &options, &sheet)?;
        let source = t.source().replacen(&path.display().to_string(), name, 1);
        return Ok((header, t.with_source(&source)));
    }
    let io = |e: std::io::Error| crate::table::TableError::Io {
        path: name.to_string(),
        reason: crate::table::io_reason(&e),
    };
    let bytes =
        crate::table::source::decompress_bytes(std::fs::read(path).map_err(io)?).map_err(io)?;
    let (header, body) = match std::str::from_utf8(&bytes) {
        Ok(text) => {
            let (h, t) = split_header(name, text)?;
            (h, t.into_owned().into_bytes())
        }
        // Not UTF-8: no header to find; the table reader says what is wrong.
        Err(_) => (Header::default(), bytes),
    };
    let probe = crate::table::read_csv_bytes(name, &body, &CsvOptions::default())?;
    let options = text_targets(&probe);
    Ok((header, crate::table::read_csv_bytes(name, &body, &options)?))
}

/// A review sheet's header block: the rows above the first row with a `metric` cell,
/// read like a CSV file's (one field and its value per row), and the sheet options
/// that read the table from that row on. Without a block, or when the caller gives a
/// `range`, the header is empty and the options are as given.
fn workbook_header(
    path: &Path,
    name: &str,
    sheet: &crate::table::SheetOptions,
) -> Result<(Header, crate::table::SheetOptions), ReviewError> {
    if sheet.range.is_some() {
        return Ok((Header::default(), sheet.clone()));
    }
    let (sheet_name, rows) = crate::table::sheet_rows(path, sheet)?;
    let at = rows.iter().position(|(_, cells)| {
        cells
            .iter()
            .any(|c| c.trim().eq_ignore_ascii_case("metric"))
    });
    let Some(at) = at.filter(|&i| i > 0) else {
        return Ok((Header::default(), sheet.clone()));
    };
    let block: Vec<(String, Vec<String>, String)> = rows[..at]
        .iter()
        .map(|(row, cells)| {
            let shown = cells
                .iter()
                .map(|c| c.as_str())
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            (
                format!("{name}[{sheet_name}]:row {row}"),
                cells.clone(),
                shown,
            )
        })
        .collect();
    let header = super::header::header_from_block(&block)?;
    let table_sheet = crate::table::SheetOptions {
        sheet: Some(sheet_name),
        range: Some(crate::table::range_from_row(rows[at].0, &rows)),
    };
    Ok((header, table_sheet))
}

/// Options that read `target` and `actual` as text (when `probe` has them), so that
/// their notation is kept.
fn text_targets(probe: &Table) -> CsvOptions {
    let mut options = CsvOptions::default();
    for c in ["target", "actual"] {
        if probe.has_column(c) {
            options.types.insert(c.to_string(), DType::Str);
        }
    }
    options
}

/// Reads one target or actual cell. Text cells are parsed as a number, `5%` or
/// `1:2.2`; numeric cells are plain numbers, or fractions when the row's unit is `%`.
fn quantity(
    table: &Table,
    row: usize,
    column: &str,
    unit: &str,
) -> Result<Option<Quantity>, ReviewError> {
    let col = table.column(column)?;
    if col.is_null(row) {
        return Ok(None);
    }
    if let Some(v) = col.f64_at(row) {
        if !v.is_finite() {
            return Err(table.bad_cell(row, column, "a finite number", "").into());
        }
        if unit.trim() == "%" {
            if v.abs() > 1.0 {
                return Err(table
                    .bad_cell(
                        row,
                        column,
                        "a percentage",
                        &format!("; the unit is %, so write {v}% or {}", v / 100.0),
                    )
                    .into());
            }
            return Ok(Some(Quantity {
                value: v,
                notation: Notation::Percent,
            }));
        }
        return Ok(Some(Quantity {
            value: v,
            notation: Notation::Plain,
        }));
    }
    let text = col.text_at(row).unwrap_or_default();
    match parse_quantity(&text) {
        Ok(q) => Ok(Some(q)),
        Err(e) => {
            let hint = match e {
                crate::units::UnitError::NotANumber { hint, .. } => hint,
                _ => String::new(),
            };
            Err(table
                .bad_cell(
                    row,
                    column,
                    "a number, a percentage (5%) or a ratio (1:2.2)",
                    &hint,
                )
                .into())
        }
    }
}

/// A cell as trimmed text; empty for an empty cell or a missing column (optional
/// columns).
pub(crate) fn cell_text(table: &Table, row: usize, column: &str) -> String {
    // By position, not `Table::column`: a missing optional column is not an error here,
    // and building that error (with its did-you-mean) for every row would dominate.
    let Some(col) = table.index_of(column).and_then(|i| table.column_at(i)) else {
        return String::new();
    };
    match col.str_at(row) {
        Some(s) => s.trim().to_string(),
        None => col
            .text_at(row)
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
    }
}

impl Review {
    /// Reviews a metrics table (columns `dimension, metric, target, actual`, optional
    /// `unit`, `better`, `note`, and `notation` as written by [`Review::table`], so that
    /// a review read back from its CSV speaks in points and ratios again). A missing column, a cell that is not a number,
    /// percentage or ratio, or a `better` other than `higher`/`lower` is an error
    /// naming the file, line and column.
    pub fn from_table(table: &Table) -> Result<Review, ReviewError> {
        Review::read(table, true)
    }

    /// Reviews the metrics file at `path` ([`read_metrics`], then [`Review::read`]),
    /// with the header written above its table. `name` names the file in messages.
    /// A workbook is read from `sheet`.
    pub fn from_file(
        path: &Path,
        name: &str,
        need_target: bool,
        sheet: &crate::table::SheetOptions,
    ) -> Result<Review, ReviewError> {
        let (header, t) = read_metrics(path, name, sheet)?;
        let mut r = Review::read(&t, need_target)?;
        r.header = header;
        Ok(r)
    }

    /// [`Review::from_table`], with the `target` column optional when `need_target` is
    /// false (the actuals of a period, for [`super::compare::compare_periods`]).
    pub fn read(table: &Table, need_target: bool) -> Result<Review, ReviewError> {
        crate::table::check_known_columns(table, &KNOWN)?;
        if need_target {
            table.require(&REQUIRED)?;
        } else {
            table.require(&["dimension", "metric", "actual"])?;
        }
        let mut rows = Vec::with_capacity(table.n_rows());
        for r in 0..table.n_rows() {
            let unit = cell_text(table, r, "unit");
            let better_text = cell_text(table, r, "better");
            let better = Better::parse(&better_text).ok_or_else(|| {
                table.bad_cell(
                    r,
                    "better",
                    "higher or lower",
                    "; use lower for cost, CAC and other metrics that should fall",
                )
            })?;
            let metric = cell_text(table, r, "metric");
            if metric.is_empty() {
                return Err(table
                    .bad_cell(r, "metric", "the metric's name", "; the cell is empty")
                    .into());
            }
            let target = if table.has_column("target") {
                quantity(table, r, "target", &unit)?
            } else {
                None
            };
            let actual = quantity(table, r, "actual", &unit)?;
            // A review written by `r.table` and read back keeps its notation.
            let written = match cell_text(table, r, "notation").as_str() {
                "percent" => Some(Notation::Percent),
                "ratio" => Some(Notation::Ratio),
                _ => None,
            };
            let restore = |q: Option<Quantity>| match (q, written) {
                (Some(q), Some(n)) if q.notation == Notation::Plain => Some(Quantity {
                    value: q.value,
                    notation: n,
                }),
                _ => q,
            };
            let (target, actual) = (restore(target), restore(actual));
            let row = evaluate(
                cell_text(table, r, "dimension"),
                metric,
                unit,
                better,
                target,
                actual,
                cell_text(table, r, "note"),
            );
            // Finite cells can still overflow (1e308 - -1e308): refuse, never print inf.
            if row.difference.is_some_and(|d| !d.is_finite())
                || row.achievement.is_some_and(|a| !a.is_finite())
            {
                return Err(table
                    .bad_cell(
                        r,
                        "actual",
                        "a value whose difference and ratio to the target are finite",
                        "; the numbers are too large or the target too small",
                    )
                    .into());
            }
            rows.push(row);
        }
        Ok(Review {
            source: table.source().to_string(),
            header: Header::default(),
            rows,
        })
    }

    /// The headline metric when none is named: the first of [`HEADLINE_NAMES`] the
    /// review has (its name as written in the review).
    pub fn headline(&self) -> Option<&str> {
        HEADLINE_NAMES
            .iter()
            .find_map(|n| self.find(n))
            .map(|r| r.metric.as_str())
    }

    /// The row of a metric (names compared without regard to case).
    pub fn find(&self, metric: &str) -> Option<&MetricResult> {
        self.rows
            .iter()
            .find(|r| r.metric.eq_ignore_ascii_case(metric.trim()))
    }

    /// The row of a metric, or an error naming the metrics and the closest name;
    /// `function` starts the message.
    pub fn get(&self, metric: &str, function: &str) -> Result<&MetricResult, ReviewError> {
        self.find(metric).ok_or_else(|| {
            let names: Vec<&str> = self.rows.iter().map(|r| r.metric.as_str()).collect();
            ReviewError::Invalid(format!(
                "{function}: no metric named '{metric}'{} (metrics: {})",
                crate::suggest::closest(metric, names.iter().copied())
                    .map(|s| format!(", did you mean '{s}'?"))
                    .unwrap_or_default(),
                names.join(", ")
            ))
        })
    }

    /// The numeric table: `dimension, metric, unit, better, notation, target, actual,
    /// difference, achievement, status, note`. Percentages are fractions (`0.05`),
    /// ratios their second term (`2.2`); empty cells where there is no value.
    pub fn table(&self) -> Result<Table, ReviewError> {
        let s = |f: &dyn Fn(&MetricResult) -> String| {
            Column::text(self.rows.iter().map(|r| Some(f(r))).collect())
        };
        let n = |f: &dyn Fn(&MetricResult) -> Option<f64>| {
            Column::float(self.rows.iter().map(f).collect())
        };
        let notation = |r: &MetricResult| notation_name(r.notation()).to_string();
        Ok(Table::new(
            &self.source,
            vec![
                ("dimension".into(), s(&|r| r.dimension.clone())),
                ("metric".into(), s(&|r| r.metric.clone())),
                ("unit".into(), s(&|r| r.unit.clone())),
                ("better".into(), s(&|r| r.better.name().to_string())),
                ("notation".into(), s(&notation)),
                ("target".into(), n(&|r| r.target.map(|q| q.value))),
                ("actual".into(), n(&|r| r.actual.map(|q| q.value))),
                ("difference".into(), n(&|r| r.difference)),
                (
                    "achievement".into(),
                    n(&|r| r.achievement).with_kind(Kind::Rate),
                ),
                ("status".into(), s(&|r| r.status.name().to_string())),
                ("note".into(), s(&|r| r.note.clone())),
            ],
        )?)
    }

    /// How many rows have each status: `(met, missed, over)`.
    pub fn counts(&self) -> (usize, usize, usize) {
        let c = |s: Status| self.rows.iter().filter(|r| r.status == s).count();
        (c(Status::Met), c(Status::Missed), c(Status::Over))
    }
}

/// Computes difference, achievement and status for one metric.
pub fn evaluate(
    dimension: String,
    metric: String,
    unit: String,
    better: Better,
    target: Option<Quantity>,
    actual: Option<Quantity>,
    note: String,
) -> MetricResult {
    let (difference, achievement, status, remark) = match (target, actual) {
        (None, _) => (None, None, Status::NoTarget, Some(NoAchievement::NoTarget)),
        (Some(_), None) => (None, None, Status::NoActual, None),
        (Some(t), Some(a)) => {
            let (achievement, remark) = if t.value > 0.0 {
                (Some(a.value / t.value), None)
            } else if t.value == 0.0 {
                (None, Some(NoAchievement::ZeroTarget))
            } else {
                (None, Some(NoAchievement::NegativeTarget))
            };
            (
                Some(a.value - t.value),
                achievement,
                Status::of(t.value, a.value, better),
                remark,
            )
        }
    };
    MetricResult {
        dimension,
        metric,
        unit,
        better,
        target,
        actual,
        note,
        difference,
        achievement,
        status,
        remark,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_csv_bytes;

    fn review(csv: &str) -> Result<Review, ReviewError> {
        let t = read_csv_bytes("m.csv", csv.as_bytes(), &CsvOptions::default())?;
        Review::from_table(&t)
    }

    const TEMPLATE: &str = "dimension,metric,target,actual,unit,better\n\
        traffic,impressions,5000000,4500000,,\n\
        conversion,sign-up conversion,5%,4%,,\n\
        revenue,ROI,1:3,1:2.2,,\n\
        cost,total cost,60,72,10k,lower\n\
        headline,new users,10000,8000,,\n\
        headline,sales,2000000,1600000,,\n";

    /// The handbook's template rows (docs/handbook.md, the review): statuses and the
    /// numeric table (their display is tested in `render::review_text`).
    #[test]
    fn handbook_template_rows() -> Result<(), ReviewError> {
        let r = review(TEMPLATE)?;
        assert_eq!(r.counts(), (0, 5, 1));
        let t = r.table()?;
        let ach = t.column("achievement")?.f64_at(1).unwrap_or(f64::NAN);
        assert!((ach - 0.8).abs() < 1e-12, "{ach}");
        assert_eq!(t.column("notation")?.text_at(2).as_deref(), Some("ratio"));
        Ok(())
    }

    #[test]
    fn direction_aware_status() {
        assert_eq!(Status::of(60.0, 72.0, Better::Lower), Status::Over);
        assert_eq!(Status::of(60.0, 55.0, Better::Lower), Status::Met);
        assert_eq!(Status::of(60.0, 60.0, Better::Higher), Status::Met);
        assert_eq!(Status::of(60.0, 59.9, Better::Higher), Status::Missed);
    }

    #[test]
    fn zero_and_missing_targets_are_reported_not_divided() -> Result<(), ReviewError> {
        let r =
            review("dimension,metric,target,actual\ntraffic,uv,0,120\ntraffic,pv,,300\nx,y,10,\n")?;
        assert_eq!(r.rows[0].achievement, None);
        assert_eq!(r.rows[0].difference, Some(120.0));
        assert_eq!(r.rows[0].status, Status::Met);
        assert_eq!(r.rows[0].remark, Some(NoAchievement::ZeroTarget));
        assert_eq!(r.rows[1].status, Status::NoTarget);
        assert_eq!(r.rows[1].difference, None);
        assert_eq!(r.rows[2].status, Status::NoActual);
        let t = r.table()?;
        assert!(t.column("achievement")?.is_null(0));
        Ok(())
    }

    #[test]
    fn bad_input_names_the_cell() {
        let e = review("dimension,metric,target\nx,y,1\n")
            .map(|_| ())
            .unwrap_err();
        assert!(e.to_string().contains("no column named 'actual'"), "{e}");
        let e = review("dimension,metric,target,actual\nx,a,1,2\nx,b,five,2\n")
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "m.csv:3: column 'target': expected a number, a percentage (5%) or a ratio (1:2.2), got \"five\""
        );
        let e = review("dimension,metric,target,actual,better\nx,a,1,2,smaller\n")
            .map(|_| ())
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("m.csv:2: column 'better': expected higher or lower, got \"smaller\""),
            "{e}"
        );
        let e = review("dimension,metric,target,actual,unit\nx,rate,5,4,%\n")
            .map(|_| ())
            .unwrap_err();
        assert!(e.to_string().contains("write 5% or 0.05"), "{e}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

        /// Any cells give a review or an error naming the file, never a panic, and
        /// every number of a review is finite.
        #[test]
        fn random_cells_never_panic_or_give_nan(
            cells in proptest::collection::vec(("[0-9a-z:%.e+-]{0,8}", "[0-9a-z:%.e+-]{0,8}", "(higher|lower|up|)"), 1..6)
        ) {
            let mut csv = String::from("dimension,metric,target,actual,better\n");
            for (i, (t, a, b)) in cells.iter().enumerate() {
                csv.push_str(&format!("d,m{i},{t},{a},{b}\n"));
            }
            match review(&csv) {
                Ok(r) => {
                    for row in &r.rows {
                        for x in [row.difference, row.achievement].into_iter().flatten() {
                            proptest::prop_assert!(x.is_finite(), "{x}");
                        }
                    }
                }
                Err(e) => proptest::prop_assert!(e.to_string().contains("m.csv"), "{}", e),
            }
        }
    }

    #[test]
    fn overflow_is_refused() {
        let e = review("dimension,metric,target,actual\nx,y,-1e308,1e308\n")
            .map(|_| ())
            .unwrap_err();
        assert!(e.to_string().contains("m.csv:2: column 'actual'"), "{e}");
    }

    #[test]
    fn numeric_percent_columns_with_unit() -> Result<(), ReviewError> {
        // load_csv reads 5% as 0.05 in a numeric column; the unit % keeps it a rate.
        let r = review("dimension,metric,target,actual,unit\nconversion,cvr,5%,4%,%\n")?;
        assert_eq!(r.rows[0].notation(), Notation::Percent);
        assert!((r.rows[0].difference.unwrap_or(0.0) + 0.01).abs() < 1e-15);
        Ok(())
    }

    /// The Chinese templates' sales figures are the headline when no sales row exists;
    /// `sales` wins over them when both are there.
    #[test]
    fn chinese_headline_names() -> Result<(), ReviewError> {
        for name in ["销售额", "GMV", "成交额"] {
            let r = review(&format!(
                "dimension,metric,target,actual\ntraffic,UV,10,9\nheadline,{name},100,80\n"
            ))?;
            assert_eq!(r.headline(), Some(name));
        }
        let r = review("dimension,metric,target,actual\nh,销售额,1,1\nh,Sales,1,1\n")?;
        assert_eq!(r.headline(), Some("Sales"));
        let r = review("dimension,metric,target,actual\nh,orders,1,1\n")?;
        assert_eq!(r.headline(), None);
        Ok(())
    }

    /// One rule for unknown columns: refused with the known ones and the closest name;
    /// a table written by `Review::table` reads back.
    #[test]
    fn unknown_columns_are_refused() -> Result<(), ReviewError> {
        let e = review("dimension,metric,target,actual,nte\nx,y,1,1,\n")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("m.csv: unknown column 'nte', did you mean 'note'?; allowed columns: dimension, metric, target, actual, unit, better, note"),
            "{e}"
        );
        let r = review(TEMPLATE)?;
        let back = Review::from_table(&r.table()?)?;
        assert_eq!(back.rows, r.rows);
        Ok(())
    }

    /// The template workbook's metrics sheet carries the same header block as the CSV
    /// (both written from summer_metrics.csv), and gives the same review.
    #[test]
    fn a_workbook_header_block_reads_like_the_csv_one() -> Result<(), ReviewError> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/review");
        let sheet = crate::table::SheetOptions {
            sheet: Some("metrics".into()),
            range: None,
        };
        let none = crate::table::SheetOptions::default();
        let csv = Review::from_file(&root.join("summer_metrics.csv"), "m.csv", true, &none)?;
        let xlsx = Review::from_file(&root.join("summer_review.xlsx"), "r.xlsx", true, &sheet)?;
        assert_eq!(xlsx.header.campaign.as_deref(), Some("Summer promotion"));
        assert_eq!(xlsx.header.owner.as_deref(), Some("Chen"));
        assert_eq!(xlsx.header, csv.header);
        assert_eq!(xlsx.rows, csv.rows);
        Ok(())
    }

    /// A row above the table that is not a field and its value is refused, naming the
    /// workbook, the sheet and the row.
    #[test]
    fn a_bad_workbook_header_row_names_its_row() -> Result<(), Box<dyn std::error::Error>> {
        let dir = std::env::temp_dir().join(format!("pacer-review-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("bad.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet().set_name("metrics")?;
        ws.write(0, 0, "campaign")?;
        ws.write(0, 1, "Autumn")?;
        ws.write(1, 0, "owner")?;
        ws.write(1, 1, "Li")?;
        ws.write(1, 2, "stray")?;
        for (c, h) in ["dimension", "metric", "target", "actual"]
            .iter()
            .enumerate()
        {
            ws.write(3, c as u16, *h)?;
        }
        for (c, v) in ["traffic", "UV", "100", "90"].iter().enumerate() {
            ws.write(4, c as u16, *v)?;
        }
        wb.save(&path)?;
        let e = Review::from_file(&path, "bad.xlsx", true, &Default::default())
            .unwrap_err()
            .to_string();
        std::fs::remove_dir_all(&dir)?;
        assert!(e.contains("bad.xlsx[metrics]:row 2"), "{e}");
        assert!(e.contains("owner, Li, stray"), "{e}");
        Ok(())
    }
}
