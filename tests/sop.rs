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
fn a_task_in_progress_with_work_left_past_its_deadline_says_what_is_left() {
    // Started Mon 3 June, 4 days, half done by the status date Thu 6: 2 days left from
    // Thu 6 (the half done ends Tue 4, but work resumes no earlier than the status
    // date): Thu 6 and Fri 7, one working day after the deadline Thu 6.
    let out = conflicts_of(
        r#"[#{ id: "h5", duration: 4, owner: "dev", status: "doing", actual_start: "2024-06-03", percent_complete: 50, deadline: "2024-06-06" }]"#,
        r#"#{ start: "2024-06-03", status_date: "2024-06-06" }"#,
    );
    assert_eq!(
        out.trim(),
        "deadline|true|task 'h5' (h5) finishes 2024-06-07, 1 working day after its deadline 2024-06-06; proven: it is in progress since 2024-06-03 and has 2 working days left from 2024-06-06"
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

#[test]
fn the_plan_finishes_with_its_latest_task_milestones_included() {
    // a runs Mon 3 and Tue 4 June; the milestone m cannot be before Mon 10 June. The
    // plan's finish is the latest finish of any task: 2024-06-10, the milestone's day.
    // Its length is 5 working days (Mon 3 to Fri 7, the milestone at the start of the
    // 10th, as MS Project counts a milestone at the start of its day).
    let (code, out, err) = run_snippet(
        r#"let p = schedule([#{ id: "a", duration: 2 }, #{ id: "m", duration: 0, earliest_start: "2024-06-10" }], #{ start: "2024-06-03" });
           print(p.finish); print(p.length); print(p.tasks.row(1).finish);"#,
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "2024-06-10\n5.0\n2024-06-10\n");
}

#[test]
fn a_milestone_due_at_the_launch_sits_on_the_launch_day() {
    // a: Mon 3 and Tue 4 June. go_live follows a and is due L (launch Fri 14 June): it
    // sits on the 14th, not on Wed 5th. An earliest_start, or a dated deadline, says
    // otherwise; a milestone due L-2 stays as early as possible; so does a task (not a
    // milestone) due L.
    let (code, out, err) = run_snippet(
        r#"let f = |extra| {
               let m = #{ id: "go_live", duration: 0, after: "a", deadline: "L" };
               m.mixin(extra);
               schedule([#{ id: "a", duration: 2 }, m], #{ start: "2024-06-03", launch: "2024-06-14" }).tasks.row(1).start
           };
           print(f.call(#{}));
           print(f.call(#{ earliest_start: "2024-06-06" }));
           print(f.call(#{ deadline: "2024-06-14" }));
           print(f.call(#{ deadline: "L-2" }));
           print(f.call(#{ duration: 1 }));
           let p = schedule([#{ id: "go", duration: 0, deadline: "L(d11)" }],
                            #{ start: "2024-06-03", launches: #{ summer: "2024-07-01", d11: "2024-11-11" } });
           print(p.tasks.row(0).start);"#,
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "2024-06-14\n2024-06-06\n2024-06-05\n2024-06-05\n2024-06-05\n2024-11-11\n"
    );
}

#[test]
fn the_critical_set_and_every_critical_chain_of_the_summer_promotion() {
    // Nine tasks have zero slack in the summer promotion. By hand, from the plan in
    // tests/golden/sop_summer_promo.stdout:
    // - design (designer, 17-19 June, after the booking and the five days' notice) hands
    //   over to posters (20-21 June, due 21 June: no slip possible);
    // - design → dev → tracking → func_test → small_test → brief_depts, each starting when
    //   the one before finishes, brief_depts due L-1 = Fri 28 June and finishing then;
    // - push_post (Tue 9 July, due Wed 10 July) cannot slip to the 10th: the editor is
    //   away that day;
    // - winners cannot start before 16 July and ends the plan.
    let (code, out, err) = run_at_root(
        r#"let p = schedule(load_csv("fixtures/sop/tasks.csv"), #{ start: "2024-06-03", launch: "2024-07-01", seed: 7,
               owners: load_csv("fixtures/sop/owners.csv"), calendar: load_csv("fixtures/sop/calendar.csv"),
               unavailable: load_csv("fixtures/sop/unavailable.csv") });
           print(p.critical);
           for c in p.critical_chains.records() { print(`${c.chain}|${c.tasks}|${c.start}|${c.finish}|${c.ends}`); }
           print(p.critical_path);"#,
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "[\"design\", \"posters\", \"dev\", \"tracking\", \"func_test\", \"small_test\", \"brief_depts\", \"push_post\", \"winners\"]
1|design → posters|2024-06-17|2024-06-21|deadline
2|design → dev → tracking → func_test → small_test → brief_depts|2024-06-17|2024-06-28|deadline
3|push_post|2024-07-09|2024-07-09|unavailable
4|winners|2024-07-16|2024-07-16|finish
[\"winners\"]
"
    );
}

#[test]
fn a_saved_baseline_gives_slips_forecasts_and_tasks_at_risk() {
    // Baseline (start Mon 3 June): a 4 days Mon 3 - Thu 6; b 2 days after a, Fri 7 -
    // Mon 10; c 1 day Mon 3; d 1 day Mon 3 (removed since).
    // Status date Wed 5 June. a started Mon 3 and is 25% done: remaining duration =
    // 4 x (1 - 0.25) = 3 days (MS Project's rule); the part done (1 day) ends Mon 3, so
    // the rest would resume Tue 4 but not before the status date: Wed 5, Thu 6, Fri 7.
    // Forecast finish Fri 7: start slip 0, finish slip +1 working day: at risk.
    // b follows: Mon 10 - Tue 11: both slips +1: at risk.
    // c is done, 3 - 4 June: finish slip +1, but done: not at risk.
    let dir = workdir();
    let (code, out, err) = run_in_with(
        dir.path(),
        r#"let tasks = [#{ id: "a", duration: 4, owner: "x" }, #{ id: "b", duration: 2, owner: "y", after: "a" },
                        #{ id: "c", duration: 1, owner: "z" }, #{ id: "d", duration: 1, owner: "z" }];
           let saved = write_csv(schedule(tasks, #{ start: "2024-06-03" }).baseline(), "baseline.csv");
           let now = [#{ id: "a", duration: 4, owner: "x", status: "doing", actual_start: "2024-06-03", percent_complete: "25%" },
                      #{ id: "b", duration: 2, owner: "y", after: "a" },
                      #{ id: "c", duration: 1, owner: "z", status: "done", actual_start: "2024-06-03", actual_finish: "2024-06-04" }];
           let p = schedule(now, #{ start: "2024-06-03", status_date: "2024-06-05", baseline: load_csv(saved) });
           for r in p.progress.records() {
               print(`${r.id} ${r.status} ${r.percent_complete} ${r.baseline_start} ${r.baseline_finish} ${r.start} ${r.forecast_finish} ${r.start_slip} ${r.finish_slip} ${r.at_risk}`);
           }
           print(p.at_risk);
           print(p.finish_slip);   // b ends Tue 11, the baseline Mon 10
           print(p.conflicts.row(0).message);"#,
        &["--out", "."],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "a doing 0.25 2024-06-03 2024-06-06 2024-06-03 2024-06-07 0 1 true
b todo 0.0 2024-06-07 2024-06-10 2024-06-10 2024-06-11 1 1 true
c done 1.0 2024-06-03 2024-06-03 2024-06-03 2024-06-04 0 1 false
[\"a\", \"b\"]
1
./baseline.csv:5: task 'd' is in the baseline but not in the tasks table; it has no slip
"
    );
}

#[test]
fn progress_that_contradicts_itself_is_refused() {
    for (task, options, want) in [
        (
            r#"#{ id: "a", duration: 2, percent_complete: 50 }"#,
            r#"#{ start: "2024-06-03" }"#,
            "column 'percent_complete'",
        ),
        (
            r#"#{ id: "a", duration: 2, status: "doing", actual_start: "2024-06-03", percent_complete: 100 }"#,
            r#"#{ start: "2024-06-03" }"#,
            "less than 100%",
        ),
        (
            r#"#{ id: "a", duration: 2, status: "doing", actual_start: "2024-06-03", percent_complete: 140 }"#,
            r#"#{ start: "2024-06-03" }"#,
            "from 0% to 100%",
        ),
        (
            r#"#{ id: "a", duration: 2, status: "doing", actual_start: "2024-06-07" }"#,
            r#"#{ start: "2024-06-03", status_date: "2024-06-05" }"#,
            "after the status date 2024-06-05",
        ),
        (
            r#"#{ id: "a", duration: 2 }"#,
            r#"#{ start: "2024-06-03", status_date: "2024-06-01" }"#,
            "'status_date' (2024-06-01) must be on or after 'start'",
        ),
    ] {
        let (code, _, err) = run_snippet(&format!("schedule([{task}], {options});"));
        assert_ne!(code, Some(0), "{task}");
        assert!(err.contains(want), "{task}: {err}");
    }
}

#[test]
fn start_to_start_and_finish_to_finish_links_with_lags() {
    // a: 4 days, Mon 3 - Thu 6 June (slots 0-8).
    // b "a SS+1d": starts 1 day after a starts: Tue 4, 2 days: Tue 4 - Wed 5.
    // c "a FF+1": finishes 1 day after a finishes (end of Fri 7); 2 days: Thu 6 - Fri 7.
    // d "a FF": 6 days, finishes no earlier than a: that allows a start 2 days before
    //   a's, but nothing starts before the plan: Mon 3 - Mon 10 (the plan's end).
    // e "b+1": finish-to-start with a 1-day lag, as before: Fri 7.
    let (code, out, err) = run_snippet(
        r#"let p = schedule([#{ id: "a", duration: 4 }, #{ id: "b", duration: 2, after: "a SS+1d" },
                            #{ id: "c", duration: 2, after: "a FF+1" }, #{ id: "d", duration: 6, after: "a ff" },
                            #{ id: "e", duration: 1, after: "b+1" }], #{ start: "2024-06-03" });
           for r in p.tasks.records() { print(`${r.id} ${r.start} ${r.finish} ${r.slack}`); }"#,
    );
    assert_eq!(code, Some(0), "{err}");
    // Slack, by hand: the plan ends Mon 10 (6 days). c may finish by then: 1 day;
    // e may too: 2 days (Fri 7 -> Mon 10 is one working day... e finishes at 5, the
    // plan at 6: 1 day); b may slip as far as e lets it: 1 day; a is held by c (FF+1:
    // a may finish 1 day later) and b (SS+1: b's latest start 1 day later): 1 day.
    assert_eq!(
        out,
        "a 2024-06-03 2024-06-06 1.0
b 2024-06-04 2024-06-05 1.0
c 2024-06-06 2024-06-07 1.0
d 2024-06-03 2024-06-10 0.0
e 2024-06-07 2024-06-07 1.0
"
    );
    for (after, want) in [("a XX+1", "column 'after'"), ("a SS-1", "column 'after'")] {
        let (code, _, err) = run_snippet(&format!(
            r#"schedule([#{{ id: "a", duration: 1 }}, #{{ id: "b", duration: 1, after: "{after}" }}], #{{ start: "2024-06-03" }});"#
        ));
        assert_ne!(code, Some(0));
        assert!(err.contains(want), "{after}: {err}");
    }
}

#[test]
fn a_task_with_two_owners_waits_for_both() {
    // poster (designer) Mon 3 - Tue 4; api (dev) Mon 3 - Wed 5; review needs the designer
    // and the developer at once and comes after the poster: the earliest both are free
    // is Thu 6 (review first on Wed would push the 3-day api past it: a longer plan).
    // With the developer away on Thu 6, review moves to Fri 7.
    let (code, out, err) = run_snippet(
        r#"let t = [#{ id: "poster", duration: 2, owner: "designer" }, #{ id: "api", duration: 3, owner: "dev" },
                    #{ id: "review", duration: 1, owner: "designer; dev", after: "poster" }];
           let p = schedule(t, #{ start: "2024-06-03" });
           print(p.tasks.row(2).start);
           print(p.requests.select(["owner", "task_ids"]).records().map(|r| `${r.owner}: ${r.task_ids}`));
           print(p.with_unavailable("dev", "2024-06-06", "2024-06-06").tasks.row(2).start);"#,
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "2024-06-06\n[\"designer: poster; review\", \"dev: api; review\"]\n2024-06-07\n"
    );
}

#[test]
fn costs_by_task_phase_and_owner() {
    // Rates: designer 400 a working day, dev 600.
    // poster: 300 + 2 x 400 = 1,100; api: 3 x 600 = 1,800;
    // review (both, 1 day): 100 + 400 + 600 = 1,100. Total 4,000.
    // By owner: designer 1,100 + (50 + 400) = 1,550; dev 1,800 + (50 + 600) = 2,450.
    // By phase: warm-up 2,900 (72.5%), launch 1,100 (27.5%).
    let (code, out, err) = run_snippet(
        r#"let t = [#{ id: "poster", duration: 2, owner: "designer", cost: 300, phase: "warm-up" },
                    #{ id: "api", duration: 3, owner: "dev", phase: "warm-up" },
                    #{ id: "review", duration: 1, owner: "designer; dev", cost: 100, phase: "launch", after: "poster" }];
           let p = schedule(t, #{ start: "2024-06-03", owners: [#{ owner: "designer", cost_rate: 400 }, #{ owner: "dev", cost_rate: 600 }] });
           print(p.costs.records().map(|r| r.cost));
           print(p.cost);
           for r in p.cost_by("owner").records() { print(`${r.owner} ${r.tasks} ${r.cost} ${r.share}`); }
           for r in p.cost_by("phase").records() { print(`${r.phase} ${r.tasks} ${r.cost} ${r.share}`); }"#,
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "[1100.0, 1800.0, 1100.0]\n4000.0\ndesigner 2 1550.0 0.3875\ndev 2 2450.0 0.6125\nwarm-up 2 2900.0 0.725\nlaunch 1 1100.0 0.275\n"
    );
    let (code, _, err) = run_snippet(
        r#"schedule([#{ id: "a", duration: 1, cost: -5 }], #{ start: "2024-06-03" });"#,
    );
    assert_ne!(code, Some(0));
    assert!(err.contains("column 'cost'"), "{err}");
}

#[test]
fn several_launches_in_one_plan() {
    // summer launches Mon 1 July, d11 Mon 11 November. L(summer)-5 is five working days
    // before 1 July: Mon 24 June. A 20-day task from Mon 3 June ends Fri 28 June:
    // 4 working days late. L(d11)-5 is Mon 4 November.
    let (code, out, err) = run_snippet(
        r#"let p = schedule([#{ id: "a", duration: 20, deadline: "L(summer)-5" },
                            #{ id: "b", duration: 1, deadline: "L(d11)-5" }],
                           #{ start: "2024-06-03", launches: #{ summer: "2024-07-01", d11: "2024-11-11" } });
           print(p.conflicts.row(0).message);
           print(p.conflicts.rows);"#,
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with(
            "task 'a' (a) finishes 2024-06-28, 4 working days after its deadline 2024-06-24"
        ),
        "{out}"
    );
    assert!(out.ends_with("\n1\n"), "{out}");
    for (deadline, want) in [
        (
            "L(winter)",
            "one of the launches d11, summer; 'winter' is not one",
        ),
        ("L-1", "L(name) naming one of the launches d11, summer"),
    ] {
        let (code, _, err) = run_snippet(&format!(
            r#"schedule([#{{ id: "a", duration: 1, deadline: "{deadline}" }}], #{{ start: "2024-06-03", launches: #{{ summer: "2024-07-01", d11: "2024-11-11" }} }});"#
        ));
        assert_ne!(code, Some(0));
        assert!(err.contains(want), "{deadline}: {err}");
    }
}

#[test]
fn finish_percentiles_of_one_task_match_the_triangular_closed_form() {
    // One task from Mon 3 June, duration X triangular on [a, b] = [2, 10] working days
    // with mode c = 4, rounded to the nearest half day: D = round(2X) half days. The plan
    // lasts ceil(D / 2) working days, and ceil(round(2X) / 2) <= k exactly when
    // X < k + 0.25, so P(days <= k) = F(k + 0.25) and the p-th percentile is the smallest
    // k with F(k + 0.25) >= p, where F(x) = 1 - (b - x)^2 / ((b - a)(b - c)) for x >= c:
    // F(4.25) = 0.311, F(5.25) = 0.530: P50 = 5 days;
    // F(6.25) = 0.707, F(7.25) = 0.842: P80 = 7 days;
    // F(8.25) = 0.936, F(9.25) = 0.988: P95 = 9 days.
    // Working days 5, 7, 9 from Monday 3 June: Fri 7, Tue 11, Thu 13 June.
    let f = |x: f64| 1.0 - (10.0 - x).powi(2) / (8.0 * 6.0);
    let percentile = |p: f64| (4..=10).find(|&k| f(k as f64 + 0.25) >= p).expect("k");
    assert_eq!(
        (percentile(0.5), percentile(0.8), percentile(0.95)),
        (5, 7, 9)
    );
    let (code, out, err) = run_snippet(
        r#"let plan = schedule([#{ id: "a", duration: 4, duration_low: 2, duration_high: 10 }], #{ start: "2024-06-03" });
           let r = plan.simulate(20000, #{ seed: 11 });
           print(`${r.p50} ${r.p80} ${r.p95} ${r.planned} ${r.trials} ${r.uncertain}`);
           for x in r.table.records() { print(`${x.percentile} ${x.finish} ${x.working_days}`); }
           print(r.on_plan > 0.30 && r.on_plan < 0.32);   // planned 4 days: F(4.25) = 0.311
           let again = plan.simulate(20000, #{ seed: 11 });
           print(again.mean_days == r.mean_days);
           // Uniform on [4.9, 8.8]: P(days <= k) = (k + 0.25 - 4.9) / 3.9 = 0.346, 0.603,
           // 0.859, 1 for k = 6, 7, 8, 9: P50 7 days, P80 8, P95 9.
           let u = schedule([#{ id: "a", duration: 5, duration_low: 4.9, duration_high: 8.8 }], #{ start: "2024-06-03" })
                   .simulate(20000, #{ seed: 5, shape: "uniform" });
           print(`${u.p50} ${u.p80} ${u.p95}`);"#,
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "2024-06-07 2024-06-11 2024-06-13 2024-06-06 20000 1
50.0 2024-06-07 5
80.0 2024-06-11 7
95.0 2024-06-13 9
true
true
2024-06-11 2024-06-12 2024-06-13
"
    );
}

#[test]
fn finish_percentiles_of_a_network_match_the_python_reference() {
    // fixtures/sop/finish_risk_reference.py simulates the same four-task network with
    // numpy (4,000,000 trials) and records each percentile's working days with the
    // distribution function on both sides of it, at least 0.01 away from the percentile
    // (more than ten standard errors of 50,000 trials).
    let reference = std::fs::read_to_string(root().join("fixtures/sop/finish_risk_reference.csv"))
        .expect("reference");
    let mut want = Vec::new();
    for line in reference.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (p, k, below, at): (f64, i64, f64, f64) = (
            f[0].parse().expect("p"),
            f[1].parse().expect("k"),
            f[2].parse().expect("below"),
            f[3].parse().expect("at"),
        );
        assert!(below < p / 100.0 - 0.01 && at > p / 100.0 + 0.01, "{line}");
        want.push(k.to_string());
    }
    let (code, out, err) = run_snippet(
        r#"let plan = schedule([
               #{ id: "a", owner: "x", duration: 2, duration_low: 1, duration_high: 4 },
               #{ id: "b", owner: "x", duration: 3, duration_low: 2, duration_high: 6 },
               #{ id: "c", owner: "y", after: "a", duration: 1.5, duration_low: 1, duration_high: 3 },
               #{ id: "d", owner: "z", after: "b; c", duration: 1, duration_low: 0.5, duration_high: 2 }],
               #{ start: "2024-06-03" });
           print(plan.length);
           let r = plan.simulate(50000, #{ seed: 3 });
           let days = [];
           for x in r.table.records() { days.push(`${x.working_days}`); }
           print(days);"#,
    );
    assert_eq!(code, Some(0), "{err}");
    let want: Vec<String> = want.iter().map(|k| format!("\"{k}\"")).collect();
    assert_eq!(out, format!("6.0\n[{}]\n", want.join(", ")));
}

#[test]
fn the_gantt_chart_draws_the_baseline_under_each_bar_and_every_launch() {
    // a moved from Mon 3 - Tue 4 (baseline) to Mon 3 - Wed 5; b (Fri 7 - Mon 10 in the
    // baseline) breaks over the weekend: two baseline pieces. Two named launches: two
    // dashed lines.
    let dir = workdir();
    let (code, _, err) = run_in_with(
        dir.path(),
        r#"let base = [#{ id: "a", start: "2024-06-03", finish: "2024-06-04" }, #{ id: "b", start: "2024-06-07", finish: "2024-06-10" }];
           let p = schedule([#{ id: "a", duration: 3 }, #{ id: "b", duration: 2, after: "a" }],
                            #{ start: "2024-06-03", baseline: base, launches: #{ summer: "2024-06-14", d11: "2024-06-21" } });
           p.gantt("g.svg");"#,
        &["--out", "."],
    );
    assert_eq!(code, Some(0), "{err}");
    let svg = std::fs::read_to_string(dir.path().join("g.svg")).expect("svg");
    assert_eq!(svg.matches("<g class=\"baseline\">").count(), 2);
    assert!(svg.contains("<title>a baseline: 2024-06-03 to 2024-06-04</title>"));
    assert!(svg.contains("<title>b baseline: 2024-06-07 to 2024-06-10</title>"));
    assert_eq!(svg.matches("height=\"4.0\" fill=\"#595959\"").count(), 3);
    assert_eq!(svg.matches("class=\"launch\"").count(), 2);
    assert!(svg.contains(">summer 2024-06-14</text>") && svg.contains(">d11 2024-06-21</text>"));
    assert!(svg.contains("thin grey bar: baseline"));
}

#[test]
fn progress_script_matches_golden() {
    // The numbers in the golden, checked by hand: design started Mon 17 June and is 40%
    // done: 3 x 0.6 = 1.8 days left, 2 in half days rounded up, from the status date Wed
    // 19: finishes Thu 20 (baseline Wed 19: +1). The prototype took until Fri 7 (baseline
    // Thu 6: +1). Costs: prototype 3 days x 700 = 2,100; posters 1,200 + 2 x 800 = 2,800;
    // small_test 3,000 + 1 x 500 = 3,500.
    let (dir, out) = script_matches_golden("scripts/sop_progress.rhai", "sop_progress.stdout");
    assert!(out.contains("design        doing              40.0%  2024-06-19       2024-06-20              0 d          1 d  true"), "{out}");
    let base = std::fs::read_to_string(dir.path().join("sop_baseline.csv")).expect("baseline");
    assert!(
        base.starts_with("id,name,owner,start,finish,duration,cost\n"),
        "{base}"
    );
    let svg = std::fs::read_to_string(dir.path().join("sop_progress_gantt.svg")).expect("svg");
    assert_eq!(svg.matches("<g class=\"baseline\">").count(), 16);
    // The design's work done: 40% of 3 days, 2.4 half days, drawn as 2 (Mon 17 June),
    // one piece of one day (22 px).
    assert_eq!(svg.matches("class=\"done\"").count(), 1);
    assert!(
        svg.contains("class=\"done\" x=\"608.0\""),
        "the done part starts on Mon 17 June"
    );
    assert!(svg.contains("width=\"22.0\" height=\"3.0\""));
}

#[test]
fn a_named_launch_moves_its_deadlines() {
    // a: Mon 3 - Wed 5 June, due L(summer). With summer on Tue 4 it is one working day
    // late; moved to Wed 5 it is on time. b is due L(d11), d11 on Wed 5: on time.
    let (code, out, err) = run_snippet(
        r#"let plan = schedule([#{ id: "a", duration: 3, deadline: "L(summer)" }, #{ id: "b", duration: 1, deadline: "L(d11)" }],
                               #{ start: "2024-06-03", launches: #{ summer: "2024-06-04", d11: "2024-06-05" } });
           print(plan.conflicts.row(0).message);
           let later = plan.with_launch("summer", "2024-06-05");
           print(later.conflicts.rows);
           print(later.with_launch("d11", "2024-05-31").conflicts.row(0).message);"#,
    );
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with(
            "task 'a' (a) finishes 2024-06-05, 1 working day after its deadline 2024-06-04"
        ),
        "{out}"
    );
    assert_eq!(lines[1], "0");
    // d11 moved to Fri 31 May, before the plan starts: b (Mon 3) is 1 working day late.
    assert!(
        lines[2].starts_with(
            "task 'b' (b) finishes 2024-06-03, 1 working day after its deadline 2024-05-31"
        ),
        "{out}"
    );
}
