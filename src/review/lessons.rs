//! The lessons knowledge base (docs/handbook.md, the review, step 4): what was
//! learnt (category, content, where it applies, the evidence), recorded by whom and
//! when, searched across the folder of past reviews before the next campaign.
//!
//! Format: `category, content, applies_to, evidence, recorded_by, date`
//! (docs/formats.md). A folder of past reviews holds one sub-folder per review; every
//! CSV file whose name contains `lessons` below it is read.

use super::error::ReviewError;
use super::metrics::cell_text as text;
use crate::table::{Column, Table};
use crate::units::parse_date;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// The columns a lessons table must have.
pub const REQUIRED: [&str; 6] = [
    "category",
    "content",
    "applies_to",
    "evidence",
    "recorded_by",
    "date",
];

/// The columns a lessons table may have: the required ones and `review`, which
/// [`lessons_table`] writes (kept when read back). Any other column is refused
/// (`crate::table::check_known_columns`).
pub const KNOWN: [&str; 7] = [
    "category",
    "content",
    "applies_to",
    "evidence",
    "recorded_by",
    "date",
    "review",
];

/// One lesson.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// The review it was recorded in (the folder or file it was read from).
    pub review: String,
    /// Its category (`conversion`, `logistics`, `creative`, ...).
    pub category: String,
    /// What was learnt.
    pub content: String,
    /// Where it applies (`sign-up flows`, `all big promotions`).
    pub applies_to: String,
    /// The evidence (`sign-up 5% → 4% with a 5-step form`).
    pub evidence: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub date: NaiveDate,
}

/// Reads the lessons of a table recorded in review `review`. A missing column, an
/// empty category or content, or a date that is not `YYYY-MM-DD` is an error naming
/// the file, line and column.
pub fn lessons_from_table(t: &Table, review: &str) -> Result<Vec<Lesson>, ReviewError> {
    crate::table::check_known_columns(t, &KNOWN)?;
    t.require(&REQUIRED)?;
    (0..t.n_rows())
        .map(|r| {
            for c in ["category", "content"] {
                if text(t, r, c).is_empty() {
                    return Err(t.bad_cell(r, c, "a value", "; the cell is empty").into());
                }
            }
            let date = parse_date(&text(t, r, "date"))
                .map_err(|_| t.bad_cell(r, "date", "a date written YYYY-MM-DD", ""))?;
            Ok(Lesson {
                review: match text(t, r, "review") {
                    w if w.is_empty() => review.to_string(),
                    w => w,
                },
                category: text(t, r, "category"),
                content: text(t, r, "content"),
                applies_to: text(t, r, "applies_to"),
                evidence: text(t, r, "evidence"),
                recorded_by: text(t, r, "recorded_by"),
                date,
            })
        })
        .collect()
}

/// The lesson files below `dir`: every `.csv` (or gzip-compressed `.csv.gz`) whose name
/// contains `lessons`, at any depth, in path order. Links are not followed.
pub fn lesson_files(dir: &Path) -> Result<Vec<PathBuf>, ReviewError> {
    fn walk(d: &Path, out: &mut Vec<PathBuf>) -> Result<(), ReviewError> {
        let entries = std::fs::read_dir(d).map_err(|e| {
            ReviewError::Invalid(format!(
                "{}: cannot read the folder: {}",
                d.display(),
                crate::table::io_reason(&e)
            ))
        })?;
        let mut paths: Vec<(PathBuf, std::fs::FileType)> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_type().ok().map(|t| (e.path(), t)))
            .collect();
        paths.sort_by(|a, b| a.0.cmp(&b.0));
        for (p, kind) in paths {
            if kind.is_dir() {
                walk(&p, out)?;
            } else if kind.is_file() {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().to_lowercase())
                    .unwrap_or_default();
                let csv = name.ends_with(".csv") || name.ends_with(".csv.gz");
                if csv && name.contains("lessons") {
                    out.push(p);
                }
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, &mut out)?;
    Ok(out)
}

/// What to look for: a category (exact, any case) and/or a keyword (a substring of
/// the category, content, applies_to or evidence, any case). Empty matches all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LessonQuery {
    /// The category.
    pub category: Option<String>,
    /// The keyword.
    pub keyword: Option<String>,
}

impl LessonQuery {
    /// True when `l` matches.
    pub fn matches(&self, l: &Lesson) -> bool {
        let cat_ok = self
            .category
            .as_ref()
            .is_none_or(|c| l.category.to_lowercase() == c.trim().to_lowercase());
        let key_ok = self.keyword.as_ref().is_none_or(|k| {
            let k = k.trim().to_lowercase();
            [&l.category, &l.content, &l.applies_to, &l.evidence]
                .iter()
                .any(|f| f.to_lowercase().contains(&k))
        });
        cat_ok && key_ok
    }
}

/// The lessons matching `query`, newest first (ties in reading order).
pub fn search(lessons: &[Lesson], query: &LessonQuery) -> Vec<Lesson> {
    let mut out: Vec<Lesson> = lessons
        .iter()
        .filter(|l| query.matches(l))
        .cloned()
        .collect();
    out.sort_by_key(|l| std::cmp::Reverse(l.date));
    out
}

/// Lessons as a table `review, date, category, content, applies_to, evidence,
/// recorded_by`.
pub fn lessons_table(lessons: &[Lesson]) -> Result<Table, ReviewError> {
    let s =
        |f: &dyn Fn(&Lesson) -> String| Column::text(lessons.iter().map(|l| Some(f(l))).collect());
    Ok(Table::new(
        "<lessons>",
        vec![
            ("review".into(), s(&|l| l.review.clone())),
            (
                "date".into(),
                Column::date(lessons.iter().map(|l| Some(l.date)).collect()),
            ),
            ("category".into(), s(&|l| l.category.clone())),
            ("content".into(), s(&|l| l.content.clone())),
            ("applies_to".into(), s(&|l| l.applies_to.clone())),
            ("evidence".into(), s(&|l| l.evidence.clone())),
            ("recorded_by".into(), s(&|l| l.recorded_by.clone())),
        ],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{read_csv_bytes, CsvOptions};

    const CSV: &str = "category,content,applies_to,evidence,recorded_by,date\n\
        conversion,Keep sign-up to 3 steps,sign-up flows,5 steps: 5% → 4%,Li,2024-07-20\n\
        logistics,Stock 7 days early,big promotions,late deliveries on day 3,Liu,2024-07-21\n\
        creative,Limited-time copy lifts CTR,short-video ads,A/B test +0.4 pt,Wang,2024-06-25\n";

    fn lessons() -> Result<Vec<Lesson>, ReviewError> {
        lessons_from_table(
            &read_csv_bytes("l.csv", CSV.as_bytes(), &CsvOptions::default())?,
            "summer",
        )
    }

    #[test]
    fn search_by_category_and_keyword() -> Result<(), ReviewError> {
        let l = lessons()?;
        let q = |c: Option<&str>, k: Option<&str>| LessonQuery {
            category: c.map(str::to_string),
            keyword: k.map(str::to_string),
        };
        let found = search(&l, &q(Some("Conversion"), None));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].content, "Keep sign-up to 3 steps");
        let found = search(&l, &q(None, Some("STEP")));
        assert_eq!(found.len(), 1);
        let found = search(&l, &q(None, Some("ctr")));
        assert_eq!(found[0].category, "creative");
        let all = search(&l, &q(None, None));
        assert_eq!(
            all.iter()
                .map(|x| x.recorded_by.as_str())
                .collect::<Vec<_>>(),
            vec!["Liu", "Li", "Wang"]
        );
        assert!(search(&l, &q(Some("conversion"), Some("logistics"))).is_empty());
        assert_eq!(lessons_table(&all)?.n_rows(), 3);
        Ok(())
    }

    #[test]
    fn bad_lessons_name_the_cell() {
        let e = lessons_from_table(
            &read_csv_bytes(
                "l.csv",
                b"category,content,applies_to,evidence,recorded_by,date\nx,,a,b,c,2024-07-01\n",
                &CsvOptions::default(),
            )
            .expect("csv"),
            "r",
        )
        .map(|_| ())
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "l.csv:2: column 'content': expected a value, got \"\"; the cell is empty"
        );
    }

    #[test]
    fn finds_lesson_files_in_sub_folders() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("b/deep"))?;
        std::fs::create_dir_all(dir.path().join("a"))?;
        std::fs::write(dir.path().join("a/lessons.csv"), CSV)?;
        std::fs::write(dir.path().join("a/metrics.csv"), "x\n")?;
        std::fs::write(dir.path().join("b/deep/Lessons_618.csv"), CSV)?;
        std::fs::write(dir.path().join("b/lessons_1111.csv.gz"), CSV)?;
        std::fs::write(dir.path().join("b/lessons.txt"), CSV)?;
        let files = lesson_files(dir.path())?;
        let names: Vec<String> = files
            .iter()
            .filter_map(|p| p.strip_prefix(dir.path()).ok())
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(
            names,
            vec![
                "a/lessons.csv",
                "b/deep/Lessons_618.csv",
                "b/lessons_1111.csv.gz"
            ]
        );
        assert!(lesson_files(&dir.path().join("nope")).is_err());
        Ok(())
    }
}
