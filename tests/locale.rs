//! Chinese and locale forms of numbers, dates, booleans and SOP statuses, as planners
//! type them: the cells of fixtures/formats/chinese_forms.csv (written by Python) read
//! as the values Python computed independently (fixtures/formats/chinese_expected.csv,
//! fixtures/formats/make_chinese.py), types included.

mod common;
use common::*;

#[test]
fn chinese_forms_read_as_the_values_python_computed() {
    let (code, out, err) = run_at_root(
        "let t = load_csv(\"fixtures/formats/chinese_forms.csv\");
         print(t.describe().to_csv()); print(t.to_csv());",
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, reference, err) = run_at_root(
        "let t = load_csv(\"fixtures/formats/chinese_expected.csv\");
         print(t.describe().to_csv()); print(t.to_csv());",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, reference);
    // Whole magnitudes are int columns, exactly: 1.2亿 is 120000000.
    assert!(out.contains("budget,int,4,0"), "{out}");
    assert!(out.contains("reach,int,4,0"), "{out}");
    assert!(
        out.contains("\n5000000,120000000,2024-08-10,2024-08-10,待办,true,0.125\n"),
        "{out}"
    );
    assert!(out.contains("paid,bool,4,0"), "{out}");
    assert!(out.contains("due,date,4,0"), "{out}");
}

#[test]
fn magnitudes_that_are_not_whole_make_a_float_column() {
    let (code, out, err) = run_with_files(
        "let t = load_csv(\"m.csv\"); print(t.describe().to_csv()); print(t.to_csv());",
        &[("m.csv", "amount\n1.234567万\n3亿\n")],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("amount,float,2,0"), "{out}");
    assert!(out.contains("\n12345.67\n300000000.0\n"), "{out}");
}

#[test]
fn thousands_take_a_comma_and_dates_need_a_format_when_the_year_is_last() {
    let (code, out, err) = run_with_files(
        "let t = load_csv(\"g.csv\", #{ thousands: \",\" }); print(t.to_csv());
         let d = load_csv(\"d.csv\", #{ date_format: \"%d/%m/%Y\" }); print(d.to_csv());
         let m = load_csv(\"d.csv\", #{ date_format: \"%m/%d/%Y\" }); print(m.to_csv());",
        &[
            ("g.csv", "spend\n\"1,234.5\"\n\"12,000\"\n"),
            ("d.csv", "day\n10/08/2024\n01/02/2024\n"),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("spend\n1234.5\n12000.0\n"), "{out}");
    assert!(out.contains("day\n2024-08-10\n2024-02-01\n"), "{out}");
    assert!(out.contains("day\n2024-10-08\n2024-01-02\n"), "{out}");
    // Without a format, a year-last date is never guessed: text, with a note.
    let (code, out, err) = run_with_files(
        "let t = load_csv(\"d.csv\"); print(t.describe().to_csv());",
        &[("d.csv", "day\n10/08/2024\n01/02/2024\n")],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("day,string,2,0"), "{out}");
    assert!(
        err.contains("day: \"10/08/2024\" looks like a date with the day or the month first, which is never guessed; read as text; pass date_format: \"%d/%m/%Y\" (day first) or \"%m/%d/%Y\" (month first)"),
        "{err}"
    );
    // A format that names no day is refused.
    let (code, _, err) = run_with_files(
        "load_csv(\"d.csv\", #{ date_format: \"%m/%Y\" })",
        &[("d.csv", "day\n08/2024\n")],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("load_csv: option 'date_format': \"%m/%Y\" must name a day (%d), a month (%m) and a year (%Y)"), "{err}");
    let (code, _, err) = run_with_files(
        "load_csv(\"g.csv\", #{ thousands: \".\" })",
        &[("g.csv", "spend\n1\n")],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("option 'thousands' must be true, false or \",\""),
        "{err}"
    );
}

#[test]
fn sop_statuses_may_be_chinese() {
    let tasks = "id,name,owner,duration,after,status,actual_start,actual_finish\n\
                 brief,简报,planner,1,,已完成,2024-06-03,2024年6月3日\n\
                 design,设计,designer,2,brief,进行中,2024/6/4,\n\
                 launch,上线,planner,1,design,待办,,\n";
    let (code, out, err) = run_with_files(
        "let p = schedule(\"tasks.csv\", #{ start: \"2024-06-03\" });
         print(p.tasks.select([\"id\", \"start\", \"finish\"]).to_csv());",
        &[("tasks.csv", tasks)],
    );
    assert_eq!(code, Some(0), "{err}");
    // design started on 2024-06-04 (a Tuesday) and runs two working days.
    assert!(out.contains("design,2024-06-04,2024-06-05"), "{out}");
    assert!(out.contains("launch,2024-06-06,2024-06-06"), "{out}");
    let (code, _, err) = run_with_files(
        "schedule(\"tasks.csv\", #{ start: \"2024-06-03\" })",
        &[("tasks.csv", "id,duration,status\na,1,完成了\n")],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("todo, doing or done (待办, 进行中, 已完成)"),
        "{err}"
    );
}
