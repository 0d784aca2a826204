//! Property tests of the CSV round trip: for random tables of every type, `write_csv`
//! then the reader gives back the same table, types included; random bytes never make
//! the reader panic.

use super::{read_csv_bytes, to_csv_string, Column, CsvOptions, DType, Table};
use chrono::NaiveDate;
use proptest::prelude::*;

fn text_cell() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some(String::new())),
        Just(Some("007".to_string())),
        Just(Some("0012".to_string())),
        Just(Some("12345678901234567890123".to_string())),
        Just(Some("9007199254740993".to_string())),
        Just(Some("1,200".to_string())),
        Just(Some("a \"quoted\" word".to_string())),
        Just(Some("line\nbreak".to_string())),
        Just(Some("cr\r\nlf".to_string())),
        Just(Some(" padded ".to_string())),
        Just(Some("微信 渠道".to_string())),
        Just(Some("NaN".to_string())),
        Just(Some("2024-07-01".to_string())),
        "[a-z0-9,\"; é]{0,12}".prop_map(Some),
    ]
}

fn column(rows: usize) -> impl Strategy<Value = Column> {
    prop_oneof![
        proptest::collection::vec(proptest::option::weighted(0.8, any::<i64>()), rows)
            .prop_map(Column::int),
        proptest::collection::vec(
            proptest::option::weighted(
                0.8,
                prop_oneof![
                    any::<f64>(),
                    Just(0.1),
                    Just(12.0),
                    Just(1e20),
                    Just(-2.5e-7),
                    Just(f64::NAN),
                    Just(f64::INFINITY)
                ]
            ),
            rows
        )
        .prop_map(Column::float),
        proptest::collection::vec(proptest::option::weighted(0.8, any::<bool>()), rows)
            .prop_map(Column::boolean),
        proptest::collection::vec(proptest::option::weighted(0.8, -200_000i32..200_000), rows)
            .prop_map(|v| Column::date(
                v.into_iter()
                    .map(|d| d.and_then(super::days_to_date))
                    .collect()
            )),
        proptest::collection::vec(
            proptest::option::weighted(0.8, -4_000_000_000_000_000i64..4_000_000_000_000_000),
            rows
        )
        .prop_map(|v| Column::datetime(
            v.into_iter()
                .map(|t| t.and_then(super::micros_to_datetime))
                .collect()
        )),
        proptest::collection::vec(text_cell(), rows).prop_map(Column::text),
    ]
}

/// A column as CSV can hold it: at least one present cell (an all-missing column has
/// no type to read back), and a text column with one cell that reads as text whatever
/// the others look like (a text column of digit strings reads back as numbers: that is
/// the rule, see docs/formats.md).
fn fixed(c: Column) -> Column {
    let mut values: Vec<super::Value> = (0..c.len()).map(|r| c.get(r)).collect();
    let present = values.iter().any(|v| !v.is_null());
    match c.dtype() {
        DType::Str => {
            values[0] = super::Value::Str("id-x".into());
        }
        _ if !present => {
            values[0] = match c.dtype() {
                DType::Int => super::Value::Int(1),
                DType::Float => super::Value::Float(0.5),
                DType::Bool => super::Value::Bool(true),
                DType::Date => NaiveDate::from_ymd_opt(2024, 7, 1)
                    .map_or(super::Value::Null, super::Value::Date),
                _ => super::Value::Datetime(
                    NaiveDate::from_ymd_opt(2024, 7, 1)
                        .and_then(|d| d.and_hms_opt(8, 0, 0))
                        .unwrap_or_default(),
                ),
            };
        }
        _ => {}
    }
    Column::from_values(c.dtype(), &values).unwrap_or(c)
}

fn table() -> impl Strategy<Value = Table> {
    (1usize..6, 1usize..5).prop_flat_map(|(cols, rows)| {
        proptest::collection::vec(column(rows), cols).prop_map(|cs| {
            let cols = cs
                .into_iter()
                .enumerate()
                .map(|(i, c)| (format!("c{i}"), fixed(c)))
                .collect();
            Table::new("<script>", cols).unwrap_or_else(|e| panic!("{e}"))
        })
    })
}

fn same(a: &Table, b: &Table) -> Result<(), String> {
    if a.names() != b.names() || a.n_rows() != b.n_rows() {
        return Err(format!("shape: {:?} vs {:?}", a.names(), b.names()));
    }
    for (i, name) in a.names().iter().enumerate() {
        let (x, y) = (
            a.column_at(i).ok_or("column")?,
            b.column_at(i).ok_or("column")?,
        );
        if x.dtype() != y.dtype() {
            return Err(format!("{name}: {} read back as {}", x.dtype(), y.dtype()));
        }
        for r in 0..a.n_rows() {
            let (p, q) = (x.get(r), y.get(r));
            let equal = match (&p, &q) {
                (super::Value::Float(u), super::Value::Float(v)) => {
                    u.to_bits() == v.to_bits() || (u.is_nan() && v.is_nan())
                }
                _ => p == q,
            };
            if !equal {
                return Err(format!("{name} row {r}: {p:?} read back as {q:?}"));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn write_then_read_gives_the_same_table(t in table()) {
        let text = to_csv_string(&t).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = read_csv_bytes("t.csv", text.as_bytes(), &CsvOptions::default())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        same(&t, &back).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(
        prop_oneof![Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b'0'), Just(b'7'), Just(b'-'), Just(b'.'), any::<u8>()],
        0..200,
    )) {
        let _ = read_csv_bytes("t.csv", &bytes, &CsvOptions::default());
        let _ = read_csv_bytes("t.csv", &bytes, &CsvOptions { no_header: true, ..CsvOptions::default() });
    }
}

/// A file of several chunks (each at least 1 MB) with quoted fields in only some of
/// them: the chunks without quotes take the fast path, the others the full parser, and
/// every cell comes back, including a quoted line break and a delimiter in a quote.
#[test]
fn chunks_with_and_without_quotes_read_every_cell() {
    let rows = 120_000usize;
    let quoted_rows = [3usize, 60_000, rows - 1];
    let mut text = String::from("id,name,amount\n");
    let name = |i: usize| {
        if quoted_rows.contains(&i) {
            format!("say \"hi\", row {i}\nbye")
        } else {
            format!("plain name number {i}")
        }
    };
    for i in 0..rows {
        let n = name(i);
        if n.contains('"') {
            text.push_str(&format!("{i},\"{}\",{}.25\n", n.replace('"', "\"\""), i));
        } else {
            text.push_str(&format!("{i},{n},{i}.25\n"));
        }
    }
    assert!(text.len() > 4 << 20, "several chunks");
    let t = read_csv_bytes("t.csv", text.as_bytes(), &CsvOptions::default()).expect("read");
    assert_eq!(t.n_rows(), rows);
    // Header on line 1, row i on line i + 2, one line more after each quoted break.
    assert_eq!(t.line_of(0), Some(2));
    assert_eq!(t.line_of(59_999), Some(60_002));
    assert_eq!(t.line_of(rows - 1), Some(rows as u64 + 3));
    let ids = t.column("id").expect("id");
    let names = t.column("name").expect("name");
    let amounts = t.column("amount").expect("amount");
    for i in 0..rows {
        assert_eq!(ids.get(i), super::Value::Int(i as i64), "row {i}");
        assert_eq!(names.str_at(i), Some(name(i).as_str()), "row {i}");
        assert_eq!(
            amounts.get(i),
            super::Value::Float(i as f64 + 0.25),
            "row {i}"
        );
    }
}
