//! Tests of the Parquet reader's layouts: text decoded from the writer's dictionaries
//! (merged across row groups) and from plain pages, over several row groups, reads
//! back cell for cell as the table that was written, with each text once in a merged
//! dictionary and no text that no row uses.

use super::parquet::read_parquet;
use super::{Column, Table};
use ::parquet::arrow::ArrowWriter;
use ::parquet::file::properties::WriterProperties;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema};
use proptest::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Writes `table` as Parquet with `rows_per_group` rows a row group, dictionary pages
/// of at most `dict_bytes` bytes (the writer falls back to plain pages beyond) or no
/// dictionaries at all, and reads it back with the reader under test.
fn write_and_read(table: &Table, rows_per_group: usize, dict_bytes: Option<usize>) -> Table {
    write_and_read_columns(table, rows_per_group, dict_bytes, None)
}

/// [`write_and_read`], reading back only `columns` when given.
fn write_and_read_columns(
    table: &Table,
    rows_per_group: usize,
    dict_bytes: Option<usize>,
    columns: Option<&[String]>,
) -> Table {
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "pacer-parquet-test-{}-{}.parquet",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for name in table.names() {
        let a = table.column(name).expect("column").to_arrow();
        fields.push(Field::new(name, a.data_type().clone(), true));
        arrays.push(a);
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays).expect("batch");
    let mut props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(rows_per_group))
        .set_data_page_row_count_limit(7)
        .set_write_batch_size(7);
    props = match dict_bytes {
        Some(b) => props.set_dictionary_page_size_limit(b),
        None => props.set_dictionary_enabled(false),
    };
    let file = std::fs::File::create(&path).expect("create");
    let mut writer = ArrowWriter::try_new(file, schema, Some(props.build())).expect("writer");
    writer.write(&batch).expect("write");
    writer.close().expect("close");
    let back = read_parquet(&path, "t.parquet", columns);
    let _ = std::fs::remove_file(&path);
    back.expect("read back")
}

fn text(values: &[Option<&str>]) -> Column {
    Column::text(values.iter().map(|v| v.map(str::to_string)).collect())
}

/// The number of distinct texts in a text column (missing cells aside).
fn distinct(c: &Column) -> usize {
    let mut seen: Vec<&str> = (0..c.len()).filter_map(|r| c.str_at(r)).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

fn assert_same(written: &Table, back: &Table) {
    assert_eq!(back.names(), written.names());
    for name in written.names() {
        let (w, b) = (
            written.column(name).expect("written"),
            back.column(name).expect("read"),
        );
        assert_eq!(b.dtype(), w.dtype(), "{name}");
        assert_eq!(b, w, "{name}");
        if b.is_dictionary() {
            // Each text once, and only texts some row uses: codes are groups.
            let (_, n) = b.text_codes().expect("codes");
            assert_eq!(n, distinct(b), "{name}");
        }
    }
}

#[test]
fn dictionaries_merge_across_row_groups_with_each_text_once() {
    let channel = text(&[
        Some("wechat"),
        Some("weibo"),
        None,
        Some("wechat"),
        Some("douyin"),
        Some("weibo"),
        Some("douyin"),
        None,
        Some("baidu"),
        Some("wechat"),
    ]);
    let nothing = text(&[None; 10]);
    let table = Table::new(
        "t",
        vec![
            ("channel".into(), channel),
            ("nothing".into(), nothing),
            ("n".into(), Column::int((0..10).map(Some).collect())),
        ],
    )
    .expect("table");
    // Row groups of 3 rows: four dictionaries, different in each group.
    let back = write_and_read(&table, 3, Some(1 << 20));
    assert_same(&table, &back);
    let channel = back.column("channel").expect("channel");
    assert!(channel.is_dictionary());
    // The merged dictionary is in order of first appearance.
    let (codes, n) = channel.text_codes().expect("codes");
    assert_eq!(n, 4);
    assert_eq!(&codes[..5], &[Some(0), Some(1), None, Some(0), Some(2)]);
    // Without dictionaries in the file, the text is read plain.
    let plain = write_and_read(&table, 3, None);
    assert_same(&table, &plain);
    assert!(!plain.column("channel").expect("channel").is_dictionary());
}

#[test]
fn many_distinct_texts_and_a_writer_fallback_read_as_plain_text() {
    // 5,000 distinct ids in one row group: more than a dictionary is kept for.
    let ids: Vec<Option<String>> = (0..5000).map(|i| Some(format!("user-{i}"))).collect();
    let table = Table::new("t", vec![("user".into(), Column::text(ids.clone()))]).expect("table");
    let back = write_and_read(&table, 10_000, Some(1 << 20));
    assert_same(&table, &back);
    assert!(!back.column("user").expect("user").is_dictionary());
    // A dictionary page limit of 64 bytes: the writer switches to plain pages partway
    // through each row group.
    let back = write_and_read(&table, 1000, Some(64));
    assert_same(&table, &back);
}

fn cell() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some(String::new())),
        Just(Some("微信".to_string())),
        "[a-c]{1,2}".prop_map(Some),
        "[a-z0-9]{0,6}".prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any text column, in any row groups, with or without (or with overflowing)
    /// dictionaries, reads back cell for cell.
    #[test]
    fn text_reads_back_whatever_the_layout(
        cells in proptest::collection::vec(cell(), 0..120),
        rows_per_group in 1usize..50,
        dict in prop_oneof![Just(None), Just(Some(16usize)), Just(Some(1usize << 20))],
    ) {
        let n = cells.len();
        let table = Table::new(
            "t",
            vec![
                ("s".into(), Column::text(cells)),
                ("i".into(), Column::int((0..n as i64).map(Some).collect())),
            ],
        )
        .expect("table");
        let back = write_and_read(&table, rows_per_group, dict);
        assert_same(&table, &back);
        // With a wide column left out, the asked columns are a small part of the file,
        // which is then read piece by piece instead of at once.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let pad: Vec<Option<String>> = (0..n)
            .map(|_| {
                // 2,000 pseudo-random hex digits a cell, which do not compress.
                let cell: String = (0..125)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        format!("{x:016x}")
                    })
                    .collect();
                Some(cell)
            })
            .collect();
        let padded = table
            .with_column_data("pad", Column::text(pad))
            .expect("padded");
        let asked = ["s".to_string(), "i".to_string()];
        let back = write_and_read_columns(&padded, rows_per_group, dict, Some(&asked));
        assert_same(&table, &back);
    }
}

/// Merging the row groups' dictionaries: a piece whose dictionary repeats the merged
/// one is copied, one with the same texts in another order is translated, one with a
/// new text is coded on first use; a key under a missing cell means nothing, even out
/// of range, and every present cell reads its text.
#[test]
fn merged_dictionaries_read_every_cell() {
    use arrow_array::{DictionaryArray, Int32Array, StringArray};
    let piece = |keys: Vec<Option<i32>>, values: &[&str]| -> ArrayRef {
        Arc::new(
            DictionaryArray::try_new(
                Int32Array::from(keys),
                Arc::new(StringArray::from(values.to_vec())),
            )
            .expect("a valid dictionary"),
        )
    };
    let pieces = vec![
        piece(vec![Some(0), Some(1), None, Some(0)], &["search", "social"]),
        piece(vec![Some(1), Some(0)], &["search", "social"]),
        piece(vec![Some(0), Some(1), None], &["social", "search"]),
        piece(
            vec![Some(2), Some(0), Some(1)],
            &["search", "social", "email"],
        ),
        // A missing cell whose key (7) is out of range.
        Arc::new(
            DictionaryArray::try_new(
                Int32Array::new(vec![1, 7].into(), Some(vec![true, false].into())),
                Arc::new(StringArray::from(vec!["email", "search"])),
            )
            .expect("a valid dictionary"),
        ),
    ];
    let c = super::parquet::merge_dictionaries(&pieces).expect("merged");
    let got: Vec<Option<&str>> = (0..c.len()).map(|r| c.str_at(r)).collect();
    assert_eq!(
        got,
        vec![
            Some("search"),
            Some("social"),
            None,
            Some("search"),
            Some("social"),
            Some("search"),
            Some("social"),
            Some("search"),
            None,
            Some("email"),
            Some("search"),
            Some("social"),
            Some("search"),
            None,
        ]
    );
}
