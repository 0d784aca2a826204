//! One script-API module per domain. Each is a Rhai plugin module (`#[export_module]`)
//! so that parameter names and `///` docs reach the metadata behind `pacer docs`,
//! `docs/reference.md` and the REPL's `:help`.

use rhai::Module;

pub mod abtest;
pub mod budget;
pub mod column;
pub mod events;
pub mod funnel;
pub mod report;
pub mod review;
pub mod run;
pub mod scenario;
pub mod sop;
pub mod table;
pub mod warehouse;

/// A domain as scripts see it: its name, a one-line description, and its module.
pub struct Domain {
    /// The name shown by `:help` and in the reference (`table`, `funnel`, ...).
    pub name: &'static str,
    /// One line on what the domain is for.
    pub about: &'static str,
    /// Builds the domain's module (functions and custom types).
    pub module: fn() -> Module,
}

/// Every domain, in the order the reference lists them.
pub fn domains() -> Vec<Domain> {
    vec![
        Domain {
            name: "table",
            about: "CSV tables: load, filter, sort, group, join, write",
            module: table::module,
        },
        Domain {
            name: "column",
            about: "Column expressions: arithmetic, comparisons, logic, rounding, missing values and date buckets over whole columns",
            module: column::module,
        },
        Domain {
            name: "funnel",
            about: "Funnel planning: goal decomposition, forward projection, media sizing, plan checks, sensitivity, what-ifs, charts",
            module: funnel::module,
        },
        Domain {
            name: "budget",
            about: "Cost models, ROI/ROAS/CAC, response curves, optimal allocation with a reserve, pacing",
            module: budget::module,
        },
        Domain {
            name: "sop",
            about: "SOP scheduling: working-day calendars, owners, leave, deadlines, critical path, what-ifs, Gantt charts",
            module: sop::module,
        },
        Domain {
            name: "events",
            about: "Observed funnels from event exports: ordered steps within a window, first-touch breakdown, plan against observed",
            module: events::module,
        },
        Domain {
            name: "abtest",
            about: "A/B test significance: z, chi-square, Fisher, Welch, intervals, power, SRM, chance to beat, mSPRT, readout",
            module: abtest::module,
        },
        Domain {
            name: "review",
            about: "Campaign review: targets vs actuals, gaps ranked and attributed through the funnel, what-ifs, actions, lessons",
            module: review::module,
        },
        Domain {
            name: "scenario",
            about: "What-ifs: sweeps, goal seek, Monte Carlo with distributions, tornado charts, named scenarios",
            module: scenario::module,
        },
        Domain {
            name: "warehouse",
            about: "Beyond one machine: ClickHouse connections, queries, and funnels and A/B readouts computed by the server",
            module: warehouse::module,
        },
        Domain {
            name: "report",
            about: "Self-contained HTML and Markdown reports of text, tables and charts",
            module: report::module,
        },
        Domain {
            name: "run",
            about: "The run itself: parameters from the command line (--set), columns for a batch's summary",
            module: run::module,
        },
    ]
}
