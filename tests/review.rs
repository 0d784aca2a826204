//! The review domain end to end: the handbook's template rows through a script, the
//! summer-promotion script against its golden output, and bad input.

mod common;
use common::*;

fn with_file(name: &str, text: &str, code: &str) -> (Option<i32>, String, String) {
    with_files(&[(name, text)], code)
}

/// Runs `code` in a fresh folder holding `files` (name, text).
fn with_files(files: &[(&str, &str)], code: &str) -> (Option<i32>, String, String) {
    let dir = workdir();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write data");
    }
    std::fs::write(dir.path().join("s.rhai"), code).expect("write script");
    let o = pacer_in(dir.path(), &["run", "s.rhai"], "");
    (o.status.code(), stdout(&o), stderr(&o))
}

/// The four template rows and the headline of docs/handbook.md, the review, read from a file.
#[test]
fn handbook_template_rows_and_headline() {
    let csv = "dimension,metric,target,actual,unit,better\n\
        traffic,impressions,5000000,4500000,,\n\
        conversion,sign-up conversion,5%,4%,,\n\
        revenue,ROI,1:3,1:2.2,,\n\
        cost,total cost,60,72,10k,lower\n\
        headline,new users,10000,8000,,\n\
        headline,sales,2000000,1600000,,\n";
    let (code, out, err) = with_file(
        "m.csv",
        csv,
        "let r = review(\"m.csv\");\n\
         for row in r.formatted.records() { print(`${row.metric}|${row.target}|${row.actual}|${row.difference}|${row.achievement}|${row.status}`); }",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "impressions|5,000,000|4,500,000|-500,000|90.0%|missed\n\
         sign-up conversion|5.0%|4.0%|-1 pt|80.0%|missed\n\
         ROI|1:3|1:2.2|-0.8|73.3%|missed\n\
         total cost|60|72|+12|120.0%|over\n\
         new users|10,000|8,000|-2,000|80.0%|missed\n\
         sales|2,000,000|1,600,000|-400,000|80.0%|missed\n"
    );
}

#[test]
fn bad_metrics_input_is_a_clear_error() {
    let code = "print(review(\"m.csv\"));";
    let (c, _, err) = with_file("m.csv", "dimension,metric,target,actul\nx,y,1,2\n", code);
    assert_eq!(c, Some(1));
    // One rule for unknown columns: refused, with the known ones and the closest.
    assert!(
        err.contains("m.csv: unknown column 'actul', did you mean 'actual'?; allowed columns: dimension, metric, target, actual, unit, better, note"),
        "{err}"
    );
    let (c, _, err) = with_file(
        "m.csv",
        "dimension,metric,target
x,y,1
",
        code,
    );
    assert_eq!(c, Some(1));
    assert!(err.contains("no column named 'actual'"), "{err}");
    let (_, _, err) = with_file(
        "m.csv",
        "dimension,metric,target,actual\ntraffic,uv,lots,2\n",
        code,
    );
    assert!(
        err.contains("m.csv:2: column 'target': expected a number, a percentage (5%) or a ratio (1:2.2), got \"lots\""),
        "{err}"
    );
    let (_, _, err) = with_file(
        "m.csv",
        "dimension,metric,target,actual,better\ncost,cac,5,6,less\n",
        code,
    );
    assert!(
        err.contains("m.csv:2: column 'better': expected higher or lower, got \"less\""),
        "{err}"
    );
    // A zero target is reported, not divided by.
    let (c, out, err) = with_file(
        "m.csv",
        "dimension,metric,target,actual\nspread,topic reads,0,1200\n",
        "let r = review(\"m.csv\"); print(r.formatted[0].achievement); print(r.metric(\"topic reads\").achievement);",
    );
    assert_eq!(c, Some(0), "{err}");
    assert_eq!(out, "n/a (target is 0)\n\n");
}

#[test]
fn attribution_and_what_if_from_a_script() {
    let (code, out, err) = run_snippet(
        "let f = table([#{ stage: \"impressions\", planned: 5000000, actual: 4500000 },\n\
                        #{ stage: \"visits\", planned: 200000, actual: 200000 },\n\
                        #{ stage: \"signups\", planned: 10000, actual: 8000 },\n\
                        #{ stage: \"orders\", planned: 5000, actual: 3200 }]);\n\
         let a = attribute(f, #{ planned_aov: 400, actual_aov: 500 });\n\
         let sum = 0.0; for c in a.contributions.values() { sum += c; }\n\
         print(`${a.gap} ${sum.round()} ${a.method}`);\n\
         let w = recover(f, #{ visits_rate: \"+1pt\", impressions: \"+4%\" }, #{ planned_aov: 400, actual_aov: 500 });\n\
         print(`${w.after.round()} ${w.recovered.round()} ${w.share}`);\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "-400000.0 -400000.0 lmdi\n2080000.0 480000.0 1.2\n");
    let (_, _, err) = run_snippet(
        "attribute(table([#{ stage: \"a\", planned: 10, actual: 20 }, #{ stage: \"b\", planned: 5, actual: 30 }]), #{});",
    );
    assert!(
        err.contains("stage 'b' (30) is larger than the stage before it"),
        "{err}"
    );
    let (_, _, err) = run_snippet(
        "recover(table([#{ stage: \"a\", planned: 10, actual: 20 }, #{ stage: \"b\", planned: 5, actual: 3 }]), #{ a_rat: \"+1pt\" }, #{});",
    );
    assert!(
        err.contains("unknown factor 'a_rat' (did you mean 'a_rate'?)"),
        "{err}"
    );
}

#[test]
fn actions_lessons_and_comparison_from_fixtures() {
    let (code, out, err) = run_at_root(
        "let a = actions(\"fixtures/review/summer_actions.csv\", \"2024-08-12\");\n\
         print(a.filter(\"overdue\", \"==\", true).col(\"owner\"));\n\
         let c = carry_over([\"fixtures/review/past/2024-06-618/actions.csv\", \"fixtures/review/summer_actions.csv\"], \"2024-08-12\");\n\
         print(c.col(\"owner\")); print(c.col(\"days_overdue\"));\n\
         print(search_lessons(\"fixtures/review/past\", #{ keyword: \"SIGN-UP\" }).col(\"review\"));\n\
         print(search_lessons(\"fixtures/review/past\", #{ category: \"creative\" }).col(\"recorded_by\"));\n\
         let cmp = compare_reviews(#{ spring: \"fixtures/review/past/2024-05-labour-day/metrics.csv\", summer: \"fixtures/review/summer_metrics.csv\" });\n\
         print(cmp.filter(\"metric\", \"==\", \"sales\")[0]);\n",
    );
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "[\"Li\"]");
    assert_eq!(lines[1], "[\"Zhao\", \"Chen\", \"Li\", \"Liu\"]");
    // 2024-08-12 minus 2024-07-10, 2024-07-20, 2024-08-10; Liu is due 08-15.
    assert_eq!(lines[2], "[33, 23, 2, 0]");
    assert_eq!(lines[3], "[\"2024-06-618\"]");
    assert_eq!(lines[4], "[\"Wang\"]");
    // sales: 811,800 / 800,000 = 1.01475 and 0.8; average 0.907375.
    assert!(lines[5].contains("\"spring\": 1.01475"), "{}", lines[5]);
    assert!(lines[5].contains("\"summer\": 0.8"), "{}", lines[5]);
    assert!(lines[5].contains("\"average\": 0.907375"), "{}", lines[5]);
    assert!(lines[5].contains("\"met\": \"1/2\""), "{}", lines[5]);
}

/// The summer-promotion review end to end: its printed output against the golden file,
/// and the report it writes.
#[test]
fn review_summer_promo_script_matches_golden() {
    let (dir, _) = script_matches_golden(
        "scripts/review_summer_promo.rhai",
        "review_summer_promo.stdout",
    );
    let out = dir.path();
    let html = std::fs::read_to_string(out.join("summer_review.html")).expect("report written");
    assert_eq!(
        html.matches("<table>").count(),
        7,
        "targets, last year, focus, attribution, what-if, actions, lessons"
    );
    assert_eq!(html.matches("<svg").count(), 2, "bars and waterfall");
    for needle in [
        "<td>-500,000</td>",
        "<td>-1 pt</td>",
        "<td>73.3%</td>",
        "<td class=\"status-over\">over</td>",
        ">-188,866</text>",
        "recovers 120.0% of the gap",
        "<td>+408,245</td>",
        "simplify sign-up from 5 steps to 3",
        "Keep sign-up to 3 steps or fewer",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(
        !html.contains("src=")
            && !html.replace("href=\"#", "").contains("href=")
            && !html.contains("url(")
    );
    let md = std::fs::read_to_string(out.join("summer_review.md")).expect("markdown written");
    assert!(md.contains("| conversion | sign-up conversion |  | 5.0% | 4.0% | -1 pt | 80.0% | missed | sign-up has 5 steps |"), "{md}");
    let csv = std::fs::read_to_string(out.join("summer_review.csv")).expect("csv written");
    assert!(
        csv.contains("conversion,sign-up conversion,\"\",higher,percent,0.05,0.04,"),
        "{csv}"
    );
}

/// The overloads on the funnel domain's plans: the same split and what-if as from
/// stage volumes.
#[test]
fn attribution_and_what_if_on_funnel_plans() {
    let (code, out, err) = run_snippet(
        "let plan = funnel([#{ name: \"impressions\", rate: \"4%\" }, #{ name: \"visits\", rate: \"5%\" }, #{ name: \"signups\", rate: \"50%\" }], #{ aov: 400 }).forward(5000000);\n\
         let actual = funnel([#{ name: \"impressions\", rate: 200000.0 / 4500000.0 }, #{ name: \"visits\", rate: \"4%\" }, #{ name: \"signups\", rate: \"40%\" }], #{ aov: 500 }).forward(4500000);\n\
         let a = attribute(plan, actual);\n\
         let v = attribute(plan, table([#{ stage: \"impressions\", volume: 4500000 }, #{ stage: \"visits\", volume: 200000 }, #{ stage: \"signups\", volume: 8000 }, #{ stage: \"orders\", volume: 3200 }]), #{ aov: 500 });\n\
         print(`${a.gap.round()} ${(a.contribution(\"visits_rate\") - v.contributions[\"visits → signups\"]).abs() < 1e-6} ${a.contribution(\"signups_rate\").round()}`);\n\
         let w = recover(actual, #{ visits_rate: \"+1pt\", impressions: \"+4%\" }, #{ target: plan.revenue });\n\
         print(`${w.plan.revenue.round()} ${w.plan.entering.round()} ${w.share}`);\n\
         recover(actual, #{ signups: \"+1pt\" });\n",
    );
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(out, "-400000.0 true -400000.0\n2080000.0 4680000.0 1.2\n");
    assert!(
        err.contains(
            "'signups' is a stage: change the share of it that converts with 'signups → conversions'"
        ),
        "{err}"
    );
}

/// One review per campaign with `pacer batch`, then the comparison of the reviews it
/// wrote (read back with their notation).
#[test]
fn batch_reviews_then_compare() {
    let dir = workdir();
    let d = dir.path();
    std::fs::write(
        d.join("one.rhai"),
        "let r = review(data); write_csv(r.table, \"review.csv\"); print(r.metric(\"sales\").achievement);",
    )
    .expect("write");
    let src = root().join("fixtures/review");
    for (name, from) in [
        ("labour_day.csv", "past/2024-05-labour-day/metrics.csv"),
        ("618.csv", "past/2024-06-618/metrics.csv"),
        ("summer.csv", "summer_metrics.csv"),
    ] {
        // `--data` reads a plain table: the header block above the summer file's
        // table is for `review(path)`, so the copy starts at the table's header line.
        let text = std::fs::read_to_string(src.join(from)).expect("read");
        let start = text.find("dimension,").expect("table header");
        std::fs::write(d.join(name), &text[start..]).expect("write");
    }
    let o = pacer_in(
        d,
        &[
            "batch",
            "one.rhai",
            "labour_day.csv",
            "618.csv",
            "summer.csv",
            "--out",
            "res",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::write(
        d.join("cmp.rhai"),
        "let c = compare_reviews([\"res/labour_day/review.csv\", \"res/618/review.csv\", \"res/summer/review.csv\"]);\n\
         print(c.columns);\n\
         print(c.filter(\"metric\", \"==\", \"sales\").col(\"average\"));\n\
         print(review(\"res/summer/review.csv\").formatted.col(\"difference\")[2]);",
    )
    .expect("write");
    let o = pacer_in(d, &["run", "cmp.rhai"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // sales: 811,800 / 800,000, 1,244,880 / 1,200,000, 0.8.
    let avg = (811_800.0 / 800_000.0 + 1_244_880.0 / 1_200_000.0 + 0.8) / 3.0;
    assert_eq!(
        stdout(&o),
        format!(
            "[\"dimension\", \"metric\", \"labour_day\", \"618\", \"summer\", \"average\", \"met\"]\n[{avg}]\n-1 pt\n"
        )
    );
}

/// With chromium on the machine, the summer review's HTML renders headless with every
/// request sent to a closed local port (no network), tables and charts in the page.
#[test]
fn review_report_renders_offline_in_a_headless_browser() {
    let (out, _) = script_matches_golden(
        "scripts/review_summer_promo.rhai",
        "review_summer_promo.stdout",
    );
    let Some(dom) = headless_dom(&out.path().join("summer_review.html")) else {
        eprintln!("no chromium on this machine: the headless check is skipped");
        return;
    };
    assert_eq!(dom.matches("<table").count(), 7, "{dom:.300}");
    assert_eq!(dom.matches("<svg").count(), 2);
    assert!(dom.contains("-1 pt") && dom.contains("-188,866"));
}

/// The header written above a metrics file's table, the actuals of two periods side by
/// side, and a Chinese sales metric as the headline, through the script API.
#[test]
fn header_periods_and_chinese_headline_from_a_script() {
    let fixture =
        |n: &str| std::fs::read_to_string(root().join("fixtures/review").join(n)).expect("fixture");
    let (summer, last) = (
        fixture("summer_metrics.csv"),
        fixture("summer_2023_actuals.csv"),
    );
    let code = "let r = review(\"summer.csv\");\n\
         print(r.header);\n\
         let c = compare_periods(r, \"2023.csv\", #{ current: \"2024\" });\n\
         let t = c.table;\n\
         print(t.filter(\"metric\", \"==\", \"sales\")[0].growth);\n\
         print(t.filter(\"metric\", \"==\", \"share rate\")[0].growth);\n\
         print(`${c.better} ${c.worse}`);\n\
         print(c.formatted.columns);\n\
         let m = review(\"m.csv\");\n\
         print(m.focus().col(\"metric\")[0]);\n";
    let (c, out, err) = with_files(
        &[
            ("summer.csv", &summer),
            ("2023.csv", &last),
            (
                "m.csv",
                "dimension,metric,target,actual\ntraffic,UV,100,90\nconversion,转化率,5%,4%\nheadline,销售额,5,3.6\n",
            ),
        ],
        code,
    );
    assert_eq!(c, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "#{\"campaign\": \"Summer promotion\", \"end\": \"2024-07-15\", \"owner\": \"Chen\", \"start\": \"2024-07-01\", \"target_group\": \"new customers aged 18-35\"}"
    );
    // 1,600,000 / 1,304,100 - 1, as in fixtures/review/periods_reference.json.
    let g: f64 = lines[1].parse().expect("growth");
    assert!((g - (1_600_000.0 / 1_304_100.0 - 1.0)).abs() < 1e-12, "{g}");
    assert_eq!(
        lines[2], "",
        "growth from 0% is missing (unit), not infinite"
    );
    assert_eq!(lines[3], "6 5");
    assert_eq!(
        lines[4],
        "[\"dimension\", \"metric\", \"2024\", \"Summer promotion 2023\", \"difference\", \"growth\", \"trend\"]"
    );
    // 销售额 is the headline: the gaps are ranked by their effect on it.
    assert_eq!(
        lines[5], "转化率",
        "80% of target weighs more than UV at 90%"
    );
    // The header given as options, and both ways at once refused.
    let (c, out, err) = with_files(
        &[
            ("m.csv", "dimension,metric,target,actual\nh,sales,1,1\n"),
            ("summer.csv", &summer),
        ],
        "print(review(\"m.csv\", #{ dates: \"2024-07-01 ~ 2024-07-15\", owner: \"Li\" }).header);\n\
         review(\"summer.csv\", #{ owner: \"Li\" });",
    );
    assert_eq!(c, Some(1));
    assert_eq!(
        out.lines().next(),
        Some("#{\"end\": \"2024-07-15\", \"owner\": \"Li\", \"start\": \"2024-07-01\"}")
    );
    assert!(err.contains("already has a header"), "{err}");
}

/// The factors of an attribution and the keys of a what-if are the user's own names
/// (the `rate_name` column or the `names` option), and the old identifiers
/// (`visits_rate`, `aov`) are still accepted: both give the same figures.
#[test]
fn business_names_and_their_aliases() {
    let (code, out, err) = run_at_root(
        "let f = load_csv(\"fixtures/review/summer_funnel.csv\");\n\
         let aov = #{ planned_aov: 400, actual_aov: 500 };\n\
         let a = attribute(f, aov);\n\
         print(a.table.col(\"factor\"));\n\
         print(a.contribution(\"Sign-up conversion\") == a.contribution(\"visits_rate\"));\n\
         print(a.contribution(\"aov\") == a.contributions[\"average order value\"]);\n\
         let by_name = recover(f, #{ \"sign-up conversion\": \"+1pt\", impressions: \"+4%\" }, aov);\n\
         let by_id = recover(f, #{ visits_rate: \"+1pt\", entering: \"+4%\" }, aov);\n\
         print(`${by_name.after} ${by_id.after}`);\n\
         print(by_id.table.col(\"change\"));\n\
         let plain = f.select([\"stage\", \"planned\", \"actual\"]);\n\
         print(attribute(plain, aov).table.col(\"factor\"));\n\
         print(attribute(plain, aov + #{ names: #{ visits_rate: \"sign-up\", impressions: \"CTR\" } }).table.col(\"factor\"));\n\
         recover(f, #{ \"order rte\": \"+1pt\" }, aov);\n",
    );
    assert_eq!(code, Some(1), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "[\"impressions\", \"CTR\", \"sign-up conversion\", \"order rate\", \"average order value\"]"
    );
    assert_eq!(lines[1], "true");
    assert_eq!(lines[2], "true");
    assert_eq!(lines[3], "2080000.0 2080000.0");
    assert_eq!(lines[4], "[\"+4%\", (), \"+1pt\", (), (), ()]");
    assert_eq!(
        lines[5],
        "[\"impressions\", \"impressions → visits\", \"visits → signups\", \"signups → orders\", \"average order value\"]"
    );
    assert_eq!(
        lines[6],
        "[\"impressions\", \"CTR\", \"sign-up\", \"signups → orders\", \"average order value\"]"
    );
    assert!(
        err.contains("unknown factor 'order rte' (did you mean 'order rate'?)"),
        "{err}"
    );
    assert!(
        err.contains("the factors are impressions, CTR (impressions_rate), sign-up conversion (visits_rate), order rate (signups_rate), average order value (aov)"),
        "{err}"
    );
    // A name that would name two factors is refused.
    let (code, _, err) = run_at_root(
        "attribute(load_csv(\"fixtures/review/summer_funnel.csv\"), #{ planned_aov: 400, actual_aov: 500, names: #{ signups: \"CTR\" } });",
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("'CTR' would name two factors"), "{err}");
}
