//! The SOP domain end to end: `scripts/sop_summer_promo.rhai` against its golden output,
//! every conflict's message, bad input, and PSPLIB instances against their optima.

mod common;
use common::*;

#[test]
fn summer_promo_script_matches_golden() {
    let (dir, _) =
        script_matches_golden("scripts/sop_summer_promo.rhai", "sop_summer_promo.stdout");
    let out = dir.path();
    let csv = std::fs::read_to_string(out.join("sop_summer_promo_plan.csv")).expect("plan csv");
    assert!(csv.starts_with(
        "id,name,owner,start,finish,start_offset,finish_offset,slack,critical,late\n"
    ));
    let svg = std::fs::read_to_string(out.join("sop_summer_promo_gantt.svg")).expect("gantt");
    assert!(svg.starts_with("<svg"), "svg");
    // 16 tasks: 15 bars and the launch milestone; 7 deadline ticks; the launch line;
    // the designer's booking and the editor's day off hatched.
    assert_eq!(svg.matches("<g class=\"task").count(), 15);
    // Bars break over weekends and holidays: copy (Fri 7th, Tue 11th after the Monday
    // holiday) and dev (Thu 20th to Tue 25th) are in two pieces each.
    assert_eq!(svg.matches("<rect x=").count(), 17);
    assert_eq!(svg.matches("class=\"milestone\"").count(), 1);
    assert_eq!(svg.matches("class=\"deadline\"").count(), 7);
    assert_eq!(svg.matches("class=\"launch\"").count(), 1);
    assert_eq!(svg.matches("class=\"away\"").count(), 2);
    assert!(svg.contains("<title>2024-06-10 holiday</title>"));
    let html = std::fs::read_to_string(out.join("sop_summer_promo_gantt.html")).expect("page");
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg") && !html.contains("src="));
    let ics = std::fs::read_to_string(out.join("sop_summer_promo.ics")).expect("ics");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 16);
    assert!(ics.contains("UID:design@pacer-sop\r\nDTSTAMP:20240603T000000Z\r\nDTSTART;VALUE=DATE:20240617\r\nDTEND;VALUE=DATE:20240620\r\n"));
    assert!(ics.lines().all(|l| l.len() <= 76), "folded at 75 octets");
}

fn conflicts_of(tasks: &str, options: &str) -> String {
    let (code, out, err) = run_snippet(&format!(
        "let p = schedule({tasks}, {options});\nfor c in p.conflicts.records() {{ print(`${{c.kind}}|${{c.proven}}|${{c.message}}`); }}"
    ));
    assert_eq!(code, Some(0), "{err}");
    out
}

#[test]
fn a_dependency_cycle_names_its_tasks() {
    let (code, _, err) = run_snippet(
        r#"schedule([#{ id: "a", duration: 1, after: "c" }, #{ id: "b", duration: 1, after: "a" },
                     #{ id: "c", duration: 1, after: "b" }, #{ id: "d", duration: 1 }], #{ start: "2024-06-03" });"#,
    );
    assert_ne!(code, Some(0));
    assert!(err.contains("dependency cycle: a → b → c → a"), "{err}");
}

#[test]
fn unknown_predecessor_and_owner_are_conflicts() {
    let out = conflicts_of(
        r#"[#{ id: "design", duration: 1, owner: "designer" }, #{ id: "dev", duration: 1, owner: "developer", after: "desing" }]"#,
        r#"#{ start: "2024-06-03", owners: [#{ owner: "designer" }] }"#,
    );
    assert!(
        out.contains("unknown_owner||<script>: row 2: task 'dev': owner 'developer' is not in the owners table; planned with capacity 1 and no lead time"),
        "{out}"
    );
    assert!(
        out.contains("unknown_predecessor||<script>: row 2: task 'dev' comes after 'desing', which is not a task id (did you mean 'design'?); that dependency is ignored"),
        "{out}"
    );
}

#[test]
fn a_deadline_forced_by_a_chain_and_leave_is_proven() {
    // Designer away Mon 3 to Wed 5 June; design (2 days) then dev (2 days) due Fri 7th:
    // design Thu-Fri, dev Mon-Tue 11th: 2 working days late, whoever does the work.
    let out = conflicts_of(
        r#"[#{ id: "design", duration: 2, owner: "designer" }, #{ id: "dev", duration: 2, owner: "dev", after: "design", deadline: "2024-06-07" }]"#,
        r#"#{ start: "2024-06-03", unavailable: [#{ owner: "designer", from: "2024-06-03", to: "2024-06-05" }] }"#,
    );
    assert_eq!(
        out.trim(),
        "deadline|true|task 'dev' (dev) finishes 2024-06-11, 2 working days after its deadline 2024-06-07; proven: the chain design → dev cannot finish before 2024-06-11, 2 working days late, whoever does the work; designer is unavailable from 2024-06-03 to 2024-06-05"
    );
}

#[test]
fn a_deadline_over_an_owners_workload_is_proven() {
    // Three 2-day design tasks due Friday: 6 working days of work, 5 available.
    let out = conflicts_of(
        r#"[#{ id: "poster", duration: 2, owner: "designer", deadline: "2024-06-07" },
            #{ id: "banner", duration: 2, owner: "designer", deadline: "2024-06-07" },
            #{ id: "h5", duration: 2, owner: "designer", deadline: "2024-06-07" }]"#,
        r#"#{ start: "2024-06-03" }"#,
    );
    assert!(
        out.contains("proven: designer's work that must be done by 2024-06-07 (poster, banner, h5: 6 working days) exceeds the 5 working days designer has from 2024-06-03 to 2024-06-07"),
        "{out}"
    );
    assert!(out.contains("1 working day after its deadline"), "{out}");
    // Work and leave together: the designer is away Monday to Wednesday, and two 2-day
    // tasks are due Friday: 4 working days of work, 2 available.
    let out = conflicts_of(
        r#"[#{ id: "poster", duration: 2, owner: "designer", deadline: "2024-06-07" },
            #{ id: "banner", duration: 2, owner: "designer", deadline: "2024-06-07" }]"#,
        r#"#{ start: "2024-06-03", unavailable: [#{ owner: "designer", from: "2024-06-03", to: "2024-06-05" }] }"#,
    );
    assert!(
        out.contains("proven: designer's work that must be done by 2024-06-07 (poster, banner: 4 working days) exceeds the 2 working days designer has from 2024-06-06 to 2024-06-07 (designer is unavailable 2024-06-03 to 2024-06-05)"),
        "{out}"
    );
    assert!(
        out.contains("2 working days after its deadline 2024-06-07"),
        "{out}"
    );
}

#[test]
fn slack_and_the_critical_path_follow_owners_order() {
    // x does a (2 days) then b (1 day); c (half a day, owner y) follows a. The plan ends
    // with b at 3 days; c can slip half a day. The critical path runs through x's order.
    let (code, out, err) = run_snippet(
        r#"let p = schedule([#{ id: "a", duration: 2, owner: "x" }, #{ id: "b", duration: 1, owner: "x" },
                            #{ id: "c", duration: 0.5, owner: "y", after: "a" }], #{ start: "2024-06-03" });
           for r in p.tasks.records() { print(`${r.id} ${r.start_offset} ${r.finish_offset} ${r.slack} ${r.critical}`); }
           print(p.critical_path);
           print(p.length);"#,
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "a 0.0 2.0 0.0 true
b 2.0 3.0 0.0 true
c 2.0 2.5 0.5 false
[\"a\", \"b\"]
3.0
"
    );
}

#[test]
fn a_deadline_the_search_could_not_meet_is_not_claimed_proven() {
    // b (2 days, due Tue) and a (3 days) share owner x; c follows a, due Thu 6th.
    // Either b or c is late; the plan keeps b on time and c one... two days late.
    let out = conflicts_of(
        r#"[#{ id: "a", duration: 3, owner: "x" }, #{ id: "b", duration: 2, owner: "x", deadline: "2024-06-04" },
            #{ id: "c", duration: 1, owner: "y", after: "a", deadline: "2024-06-06" }]"#,
        r#"#{ start: "2024-06-03" }"#,
    );
    assert_eq!(
        out.trim(),
        "deadline|false|task 'c' (c) finishes 2024-06-10, 2 working days after its deadline 2024-06-06; not proven impossible: the search found no plan meeting it; chain in this plan: b → a → c"
    );
}

#[test]
fn a_task_longer_than_any_window_is_reported() {
    // x is away on Wednesday: the longest free stretch before Friday is 2 days.
    let out = conflicts_of(
        r#"[#{ id: "video", duration: 3, owner: "x", deadline: "2024-06-07" }]"#,
        r#"#{ start: "2024-06-03", unavailable: [#{ owner: "x", from: "2024-06-05", to: "2024-06-05" }] }"#,
    );
    assert_eq!(
        out.trim(),
        "no_window|true|task 'video' (video) finishes 2024-06-10, 1 working day after its deadline 2024-06-07; proven: it needs 3 working days of x, longer than any free window x has between 2024-06-03 and 2024-06-07 (the longest is 2 working days)"
    );
}

#[test]
fn bad_input_names_row_and_column() {
    let dir = workdir();
    let cases = [
        ("id,duration,owner_name\na,1,x\n", "unknown column 'owner_name'"),
        ("id,duration\na,1\nb,-2\n", "tasks.csv:3: column 'duration'"),
        ("id,duration\na,0.3\n", "tasks.csv:2: column 'duration': expected a number of working days >= 0 in steps of 0.5"),
        ("id,duration\na,100000\n", "tasks.csv:2: column 'duration': expected at most 2600 working days"),
        ("id,duration,earliest_start\na,1,2024-06-31\n", "tasks.csv:2: column 'earliest_start': expected a date like 2024-06-14"),
        ("id,duration,deadline\na,1,L-5\n", "tasks.csv:2: column 'deadline': expected a date (no launch date is set)"),
    ];
    for (csv, want) in cases {
        std::fs::write(dir.path().join("tasks.csv"), csv).expect("write");
        std::fs::write(
            dir.path().join("s.rhai"),
            "schedule(load_csv(\"tasks.csv\"), #{ start: \"2024-06-03\" });",
        )
        .expect("write");
        let o = pacer_in(dir.path(), &["run", "s.rhai"], "");
        assert_ne!(o.status.code(), Some(0));
        assert!(stderr(&o).contains(want), "{csv}: {}", stderr(&o));
    }
    let (_, _, err) =
        run_snippet(r#"schedule([#{ id: "a", duration: 1 }], #{ launch: "2024-07-01" });"#);
    assert!(err.contains("option 'start' is required"), "{err}");
    let (_, _, err) = run_snippet(
        r#"schedule([#{ id: "a", duration: 1 }], #{ start: "2024-06-03", effort: "max" });"#,
    );
    assert!(
        err.contains("'effort' must be \"fast\" or \"thorough\""),
        "{err}"
    );
    let (_, _, err) = run_snippet(
        r#"schedule([#{ id: "a", duration: 1 }], #{ start: "2024-06-03", weekend: ["sat", "sunday", "holiday"] });"#,
    );
    assert!(err.contains("'holiday' is not a weekday"), "{err}");
}

fn psplib_dir() -> Option<std::path::PathBuf> {
    let found = [
        root().join("../shared/benchmarks/psplib"),
        root().join("../../shared/benchmarks/psplib"),
    ]
    .into_iter()
    .find(|p| p.join("j30opt.csv").exists());
    if found.is_none() {
        println!("note: ../shared/benchmarks/psplib not found; PSPLIB test skipped");
    }
    found
}

#[test]
fn psplib_j30_instances_reach_near_their_optima() {
    use pacer::sop::{budget, check, psplib::parse_sm, solve, SearchOptions};
    let Some(dir) = psplib_dir() else { return };
    let opt = std::fs::read_to_string(dir.join("j30opt.csv")).expect("optima");
    for name in ["j301_1", "j3013_4", "j3025_7", "j3037_2"] {
        let best: i64 = opt
            .lines()
            .find(|l| l.starts_with(&format!("{name},")))
            .and_then(|l| l.split(',').nth(2))
            .and_then(|s| s.parse().ok())
            .expect("optimum listed");
        let text =
            std::fs::read_to_string(dir.join("j30").join(format!("{name}.sm"))).expect("instance");
        let p = parse_sm(&text).expect("parses");
        assert_eq!(p.len(), 32);
        let s = solve(
            &p,
            &SearchOptions {
                seed: 1,
                evaluations: budget(false, p.len()),
                stop_at: None,
            },
        )
        .expect("acyclic")
        .expect("schedulable");
        assert_eq!(check(&p, &s.start), Ok(()), "{name}");
        assert!(
            s.score.makespan >= best,
            "{name}: {} beats the proven optimum {best}",
            s.score.makespan
        );
        assert!(
            (s.score.makespan - best) as f64 <= 0.05 * best as f64,
            "{name}: {} vs optimum {best}",
            s.score.makespan
        );
    }
}

#[test]
fn done_and_doing_tasks_keep_their_dates() {
    // a finished before the plan; b started Friday 31 May and runs 2 days (Fri, Mon);
    // c, by the same owner, follows on Tuesday. d is done without dates.
    let (code, out, err) = run_snippet(
        r#"let p = schedule([
              #{ id: "a", duration: 2, owner: "x", status: "done", actual_start: "2024-05-30", actual_finish: "2024-05-31" },
              #{ id: "b", duration: 2, owner: "x", status: "doing", actual_start: "2024-05-31", after: "a" },
              #{ id: "c", duration: 1, owner: "x", after: "b" },
              #{ id: "d", duration: 1, owner: "y", status: "done" }], #{ start: "2024-06-03" });
           for r in p.tasks.records() { print(`${r.id} ${r.start} ${r.finish} ${r.start_offset} ${r.finish_offset} ${r.critical}`); }"#,
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "a 2024-05-30 2024-05-31 -2.0 0.0 false\n\
         b 2024-05-31 2024-06-03 -1.0 1.0 true\n\
         c 2024-06-04 2024-06-04 1.0 2.0 true\n\
         d   0.0 0.0 false\n"
    );
}

#[test]
fn a_task_in_progress_past_its_deadline_is_a_proven_conflict() {
    let out = conflicts_of(
        r#"[#{ id: "h5", duration: 4, owner: "dev", status: "doing", actual_start: "2024-06-03", deadline: "2024-06-05" }]"#,
        r#"#{ start: "2024-06-04" }"#,
    );
    assert_eq!(
        out.trim(),
        "deadline|true|task 'h5' (h5) finishes 2024-06-06, 1 working day after its deadline 2024-06-05; proven: it is in progress since 2024-06-03 and needs 4 working days"
    );
}

#[test]
fn weekends_holidays_and_make_up_days_reach_the_plan() {
    let (code, out, err) = run_snippet(
        r#"let finish = |o| schedule([#{ id: "a", duration: 2 }], o).finish;
           print(finish.call(#{ start: "2024-06-06", weekend: ["fri", "sat"] }));
           print(finish.call(#{ start: "2024-06-07", calendar: [#{ date: "2024-06-08", kind: "workday" }] }));
           print(finish.call(#{ start: "2024-06-07", calendar: [#{ date: "2024-06-10", kind: "holiday" }] }));
           print(finish.call(#{ start: "2024-06-07", weekend: [] }));"#,
    );
    assert_eq!(code, Some(0), "{err}");
    // Thu + Sun; Fri + make-up Sat; Fri + Tue after the Monday holiday; Fri + Sat.
    assert_eq!(out, "2024-06-09\n2024-06-08\n2024-06-11\n2024-06-08\n");
}

#[test]
fn the_same_seed_gives_the_same_plan_and_what_ifs_replan() {
    let (code, out, err) = run_at_root(
        r#"let o = #{ start: "2024-06-03", launch: "2024-07-01", seed: 3, effort: "thorough",
                    owners: load_csv("fixtures/sop/owners.csv"), unavailable: load_csv("fixtures/sop/unavailable.csv") };
           let t = load_csv("fixtures/sop/tasks.csv");
           let a = schedule(t, o);
           let b = schedule(t, o);
           print(a.diff(b).rows);
           print(a.evaluations == b.evaluations);
           let late = a.with_launch("2024-06-26");
           print(late.conflicts.filter("task", "==", "launch").row(0).message);"#,
    );
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "0");
    assert_eq!(lines[1], "true");
    assert!(
        lines[2].starts_with("task 'launch' (Launch) finishes 2024-07-01, 3 working days after its deadline 2024-06-26; proven:"),
        "{out}"
    );
    assert!(
        lines[2].ends_with("its earliest start is 2024-07-01"),
        "{out}"
    );
}
