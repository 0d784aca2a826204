//! Script API of column expressions: `t["clicks"] / t["impressions"]`, comparisons,
//! `&`, `|`, `not`, and column functions, all computed natively over whole columns.

use crate::script::{dynamic_to_value, script_error, value_to_dynamic};
use crate::table::expr::{self, Arith, Operand};
use crate::table::{CmpOp, Column, Value};
use rhai::plugin::*;
use rhai::{Dynamic, EvalAltResult, Module};

/// The module: operators and functions on the `Column` type.
pub fn module() -> Module {
    let mut m = exported_module!(column_api);
    m.set_custom_type::<Column>("Column");
    m
}

type R<T> = Result<T, Box<EvalAltResult>>;

fn scalar(v: &Dynamic) -> R<Value> {
    dynamic_to_value(v, "the value beside a column")
}

fn arith(a: Operand, b: Operand, op: Arith) -> R<Column> {
    expr::arith(&a, &b, op).map_err(script_error)
}

fn cmp(a: Operand, b: Operand, op: CmpOp) -> R<Column> {
    expr::compare(&a, &b, op).map_err(script_error)
}

// The plugin macro's generated glue unwraps internally; our own code does not.
#[allow(clippy::unwrap_used)]
#[export_module]
mod column_api {
    use super::*;

    /// Adds two columns, or a number to every cell. Missing cells stay missing;
    /// integers stay integers (an overflow is an error).
    ///
    /// ```rhai
    /// let t = table([#{ a: 1, b: 2 }, #{ a: 3, b: 4 }]);
    /// print(t["a"] + t["b"]);
    /// print(t["a"] + 10);
    /// ```
    #[rhai_fn(name = "+", return_raw)]
    pub fn add(a: Column, b: Column) -> R<Column> {
        arith(Operand::Column(&a), Operand::Column(&b), Arith::Add)
    }
    /// Column + value.
    #[rhai_fn(name = "+", return_raw)]
    pub fn add_r(a: Column, b: Dynamic) -> R<Column> {
        arith(
            Operand::Column(&a),
            Operand::Scalar(scalar(&b)?),
            Arith::Add,
        )
    }
    /// Value + column.
    #[rhai_fn(name = "+", return_raw)]
    pub fn add_l(a: Dynamic, b: Column) -> R<Column> {
        arith(
            Operand::Scalar(scalar(&a)?),
            Operand::Column(&b),
            Arith::Add,
        )
    }
    /// Subtracts two columns, or a number from every cell.
    #[rhai_fn(name = "-", return_raw)]
    pub fn sub(a: Column, b: Column) -> R<Column> {
        arith(Operand::Column(&a), Operand::Column(&b), Arith::Sub)
    }
    /// Column - value.
    #[rhai_fn(name = "-", return_raw)]
    pub fn sub_r(a: Column, b: Dynamic) -> R<Column> {
        arith(
            Operand::Column(&a),
            Operand::Scalar(scalar(&b)?),
            Arith::Sub,
        )
    }
    /// Value - column.
    #[rhai_fn(name = "-", return_raw)]
    pub fn sub_l(a: Dynamic, b: Column) -> R<Column> {
        arith(
            Operand::Scalar(scalar(&a)?),
            Operand::Column(&b),
            Arith::Sub,
        )
    }
    /// The negated column.
    #[rhai_fn(name = "-", return_raw)]
    pub fn neg(a: Column) -> R<Column> {
        expr::negate(&a).map_err(script_error)
    }
    /// Multiplies two columns, or every cell by a number.
    #[rhai_fn(name = "*", return_raw)]
    pub fn mul(a: Column, b: Column) -> R<Column> {
        arith(Operand::Column(&a), Operand::Column(&b), Arith::Mul)
    }
    /// Column * value.
    #[rhai_fn(name = "*", return_raw)]
    pub fn mul_r(a: Column, b: Dynamic) -> R<Column> {
        arith(
            Operand::Column(&a),
            Operand::Scalar(scalar(&b)?),
            Arith::Mul,
        )
    }
    /// Value * column.
    #[rhai_fn(name = "*", return_raw)]
    pub fn mul_l(a: Dynamic, b: Column) -> R<Column> {
        arith(
            Operand::Scalar(scalar(&a)?),
            Operand::Column(&b),
            Arith::Mul,
        )
    }
    /// Divides two columns (always floats); division by zero gives a missing cell,
    /// never an infinity.
    ///
    /// ```rhai
    /// let t = table([#{ clicks: 30, impressions: 1000 }, #{ clicks: 1, impressions: 0 }]);
    /// print(t.with_column("ctr", t["clicks"] / t["impressions"]));
    /// ```
    #[rhai_fn(name = "/", return_raw)]
    pub fn div(a: Column, b: Column) -> R<Column> {
        arith(Operand::Column(&a), Operand::Column(&b), Arith::Div)
    }
    /// Column / value.
    #[rhai_fn(name = "/", return_raw)]
    pub fn div_r(a: Column, b: Dynamic) -> R<Column> {
        arith(
            Operand::Column(&a),
            Operand::Scalar(scalar(&b)?),
            Arith::Div,
        )
    }
    /// Value / column.
    #[rhai_fn(name = "/", return_raw)]
    pub fn div_l(a: Dynamic, b: Column) -> R<Column> {
        arith(
            Operand::Scalar(scalar(&a)?),
            Operand::Column(&b),
            Arith::Div,
        )
    }

    /// Compares cell by cell, giving a true/false column (missing where either side is
    /// missing): numbers as numbers, text as text, dates as dates (`"2024-07-01"`
    /// compared with a date column is read as a date). Use it with `filter`.
    ///
    /// ```rhai
    /// let t = table([#{ ch: "a", spend: 50 }, #{ ch: "b", spend: 150 }]);
    /// print(t.filter(t["spend"] > 100));
    /// print(t.filter(t["ch"] == "a" | t["spend"] >= 150).rows);
    /// ```
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt(a: Column, b: Column) -> R<Column> {
        cmp(Operand::Column(&a), Operand::Column(&b), CmpOp::Gt)
    }
    /// Column > value.
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_r(a: Column, b: Dynamic) -> R<Column> {
        cmp(Operand::Column(&a), Operand::Scalar(scalar(&b)?), CmpOp::Gt)
    }
    /// Value > column.
    #[rhai_fn(name = ">", return_raw)]
    pub fn gt_l(a: Dynamic, b: Column) -> R<Column> {
        cmp(Operand::Scalar(scalar(&a)?), Operand::Column(&b), CmpOp::Gt)
    }
    /// Column >= column.
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge(a: Column, b: Column) -> R<Column> {
        cmp(Operand::Column(&a), Operand::Column(&b), CmpOp::Ge)
    }
    /// Column >= value.
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_r(a: Column, b: Dynamic) -> R<Column> {
        cmp(Operand::Column(&a), Operand::Scalar(scalar(&b)?), CmpOp::Ge)
    }
    /// Value >= column.
    #[rhai_fn(name = ">=", return_raw)]
    pub fn ge_l(a: Dynamic, b: Column) -> R<Column> {
        cmp(Operand::Scalar(scalar(&a)?), Operand::Column(&b), CmpOp::Ge)
    }
    /// Column < column.
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt(a: Column, b: Column) -> R<Column> {
        cmp(Operand::Column(&a), Operand::Column(&b), CmpOp::Lt)
    }
    /// Column < value.
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_r(a: Column, b: Dynamic) -> R<Column> {
        cmp(Operand::Column(&a), Operand::Scalar(scalar(&b)?), CmpOp::Lt)
    }
    /// Value < column.
    #[rhai_fn(name = "<", return_raw)]
    pub fn lt_l(a: Dynamic, b: Column) -> R<Column> {
        cmp(Operand::Scalar(scalar(&a)?), Operand::Column(&b), CmpOp::Lt)
    }
    /// Column <= column.
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le(a: Column, b: Column) -> R<Column> {
        cmp(Operand::Column(&a), Operand::Column(&b), CmpOp::Le)
    }
    /// Column <= value.
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_r(a: Column, b: Dynamic) -> R<Column> {
        cmp(Operand::Column(&a), Operand::Scalar(scalar(&b)?), CmpOp::Le)
    }
    /// Value <= column.
    #[rhai_fn(name = "<=", return_raw)]
    pub fn le_l(a: Dynamic, b: Column) -> R<Column> {
        cmp(Operand::Scalar(scalar(&a)?), Operand::Column(&b), CmpOp::Le)
    }
    /// Column == column.
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq(a: Column, b: Column) -> R<Column> {
        cmp(Operand::Column(&a), Operand::Column(&b), CmpOp::Eq)
    }
    /// Column == value.
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_r(a: Column, b: Dynamic) -> R<Column> {
        cmp(Operand::Column(&a), Operand::Scalar(scalar(&b)?), CmpOp::Eq)
    }
    /// Value == column.
    #[rhai_fn(name = "==", return_raw)]
    pub fn eq_l(a: Dynamic, b: Column) -> R<Column> {
        cmp(Operand::Scalar(scalar(&a)?), Operand::Column(&b), CmpOp::Eq)
    }
    /// Column != column.
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne(a: Column, b: Column) -> R<Column> {
        cmp(Operand::Column(&a), Operand::Column(&b), CmpOp::Ne)
    }
    /// Column != value.
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_r(a: Column, b: Dynamic) -> R<Column> {
        cmp(Operand::Column(&a), Operand::Scalar(scalar(&b)?), CmpOp::Ne)
    }
    /// Value != column.
    #[rhai_fn(name = "!=", return_raw)]
    pub fn ne_l(a: Dynamic, b: Column) -> R<Column> {
        cmp(Operand::Scalar(scalar(&a)?), Operand::Column(&b), CmpOp::Ne)
    }

    /// True where both are true (`false & missing` is false; otherwise missing stays
    /// missing).
    #[rhai_fn(name = "&", return_raw)]
    pub fn and(a: Column, b: Column) -> R<Column> {
        expr::and(&Operand::Column(&a), &Operand::Column(&b)).map_err(script_error)
    }
    /// True where either is true (`true | missing` is true).
    #[rhai_fn(name = "|", return_raw)]
    pub fn or(a: Column, b: Column) -> R<Column> {
        expr::or(&Operand::Column(&a), &Operand::Column(&b)).map_err(script_error)
    }
    /// True where the cell is false (missing stays missing).
    ///
    /// ```rhai
    /// let t = table([#{ a: 1 }, #{ a: 5 }]);
    /// print(t.filter(not(t["a"] > 2)).rows);
    /// ```
    #[rhai_fn(name = "not", return_raw)]
    pub fn not(a: Column) -> R<Column> {
        expr::not(&a).map_err(script_error)
    }

    /// Rounds to whole numbers (half away from zero).
    #[rhai_fn(name = "round", return_raw)]
    pub fn round0(a: Column) -> R<Column> {
        expr::round(&a, 0).map_err(script_error)
    }
    /// Rounds to `digits` decimals (0 to 15).
    ///
    /// ```rhai
    /// let t = table([#{ x: 0.125 }]);
    /// print(round(t["x"], 2));
    /// ```
    #[rhai_fn(name = "round", return_raw)]
    pub fn round(a: Column, digits: i64) -> R<Column> {
        expr::round(&a, digits).map_err(script_error)
    }
    /// The absolute values.
    #[rhai_fn(name = "abs", return_raw)]
    pub fn abs(a: Column) -> R<Column> {
        expr::abs(&a).map_err(script_error)
    }
    /// True where the cell is missing.
    #[rhai_fn(name = "is_missing")]
    pub fn is_missing(a: Column) -> Column {
        expr::is_missing(&a)
    }
    /// The column with missing cells replaced by `value`.
    ///
    /// ```rhai
    /// let t = table([#{ x: 1 }, #{ y: 2 }]);
    /// print(fill_missing(t["x"], 0));
    /// ```
    #[rhai_fn(name = "fill_missing", return_raw)]
    pub fn fill_missing(a: Column, value: Dynamic) -> R<Column> {
        expr::fill_missing(&a, &scalar(&value)?).map_err(script_error)
    }
    /// The Monday that starts each date's ISO week (a date), for weekly buckets.
    ///
    /// ```rhai
    /// let t = table([#{ day: "2024-07-03", orders: 3 }, #{ day: "2024-07-09", orders: 4 }]);
    /// let t = t.with_column("week", week(t["day"]));
    /// print(t.group_by("week").agg(#{ orders: ["sum", "orders"] }));
    /// ```
    #[rhai_fn(name = "week", return_raw)]
    pub fn week(a: Column) -> R<Column> {
        expr::week(&a).map_err(script_error)
    }
    /// The first day of each date's month (a date), for monthly buckets.
    #[rhai_fn(name = "month", return_raw)]
    pub fn month(a: Column) -> R<Column> {
        expr::month(&a).map_err(script_error)
    }
    /// The ISO day of the week: 1 for Monday to 7 for Sunday.
    #[rhai_fn(name = "day_of_week", return_raw)]
    pub fn day_of_week(a: Column) -> R<Column> {
        expr::day_of_week(&a).map_err(script_error)
    }
    /// True where the text contains `needle`.
    ///
    /// ```rhai
    /// let t = table([#{ ch: "wechat" }, #{ ch: "weibo" }, #{ ch: "douyin" }]);
    /// print(t.filter(contains(t["ch"], "we")).rows);
    /// ```
    #[rhai_fn(name = "contains", return_raw)]
    pub fn contains(a: Column, needle: &str) -> R<Column> {
        expr::contains(&a, needle).map_err(script_error)
    }

    /// The number of cells.
    #[rhai_fn(get = "len", pure)]
    pub fn len(a: &mut Column) -> i64 {
        a.len() as i64
    }
    /// The column's type: `int`, `float`, `bool`, `text`, `date` or `datetime`.
    #[rhai_fn(get = "type", pure)]
    pub fn dtype(a: &mut Column) -> String {
        a.dtype().name().to_string()
    }
    /// The number of missing cells.
    #[rhai_fn(get = "missing", pure)]
    pub fn missing(a: &mut Column) -> i64 {
        a.null_count() as i64
    }
    /// The sum of the numbers (integers exactly; floats compensated); missing cells
    /// are skipped.
    ///
    /// ```rhai
    /// let t = table([#{ x: 1 }, #{ x: 2 }]);
    /// print(t["x"].sum());
    /// ```
    #[rhai_fn(name = "sum", pure, return_raw)]
    pub fn sum(a: &mut Column) -> R<Dynamic> {
        match crate::table::column_sum(a).map_err(script_error)? {
            Some(v) => Ok(value_to_dynamic(v)),
            None => Err(script_error(format!(
                "sum needs a numeric column, got a {} column",
                a.dtype()
            ))),
        }
    }
    /// The cells as an array.
    #[rhai_fn(name = "to_array", pure)]
    pub fn to_array(a: &mut Column) -> rhai::Array {
        (0..a.len()).map(|r| value_to_dynamic(a.get(r))).collect()
    }
    /// The column's type and first cells.
    #[rhai_fn(name = "to_string", name = "to_debug", pure)]
    pub fn to_string(a: &mut Column) -> String {
        let n = a.len();
        let shown: Vec<String> = (0..n.min(10))
            .map(|r| match a.get(r) {
                Value::Null => "()".to_string(),
                Value::Str(s) => crate::table::quote_text(&s),
                v => v.to_string(),
            })
            .collect();
        let more = if n > 10 { ", ..." } else { "" };
        format!(
            "Column({}, {n} rows: [{}{more}])",
            a.dtype(),
            shown.join(", ")
        )
    }
}
