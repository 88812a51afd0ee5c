//! Command-line parsing and the `list` / `preflight` commands; `run` lives in `run_cmd`.

mod gate_cmd;
mod inspect_cmd;
mod matrix_cmd;
mod oracle_cmd;
mod output;
mod run_cmd;
mod verify_cmd;

use clap::{Args, Parser, Subcommand};
use harness::discover::{self, Discovered};
use harness::model::Tier;
use harness::paths::{self, Dirs};
use harness::session::SessionOptions;
use harness::toolchain::Request;
use std::path::PathBuf;
use std::process::ExitCode;

const ABOUT: &str = "Conformance suite and CI harness for Rust's arm64ec-pc-windows-msvc target";

const LONG_ABOUT: &str = "\
Conformance suite and CI harness for Rust's arm64ec-pc-windows-msvc target.

Cases live under a suite root (default: the repository's suites/): each
<suite>/<case>.rs|.c|.cpp file, or <suite>/<case>/ directory, is a case
configured by `//@ name: value` directives. Every trial has a key
suite::case[::revision][::pairing], used by filters, reports and CI.

Tiers: static (objects compiled and inspected), link (images linked and
inspected), run (executed on a runner). What cannot run here is reported as
ignored with its reason, never as passed.

Exit status: 0 when every trial passed, was ignored or failed as expected;
1 when any failed, timed out, errored or unexpectedly passed; 2 on a usage or
setup error (unknown toolchain, unreadable suite root, a selection that matches
no case unless --no-tests says otherwise).";

#[derive(Parser, Debug)]
#[command(name = "harness", version, about = ABOUT, long_about = LONG_ABOUT)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build, inspect and check the selected cases; write a JSON report.
    ///
    /// Missing rustup targets (arm64ec-pc-windows-msvc, x86_64-pc-windows-msvc,
    /// aarch64-pc-windows-msvc) are installed first. Each finished case is appended to
    /// <report>.jsonl at once (a killed run keeps every finished case); <report> itself is
    /// written at the end. Unchanged cases are served from the build cache under
    /// target/harness/build/.
    Run(RunArgs),
    /// List trial keys, one per line, in run order.
    List(ListArgs),
    /// Explain every `//@` directive a case may use: its value, how often it may be given
    /// (once per scope, or many times), and what it means.
    Directives(DirectivesArgs),
    /// List every rule id the checks report: where it runs, what one judgement is about,
    /// and what it checks (the ids `expect-finding` and the expectations name).
    Rules(DirectivesArgs),
    /// Report what this machine has for each tier, and how to get what is missing.
    ///
    /// Exits 1 when a requested tier (--tier, default: static) cannot run here.
    Preflight(PreflightArgs),
    /// Show the facts of COFF objects or archives: machine, sections, symbols with their
    /// Arm64EC roles, the .hybmp$x hybrid map, relocations and ARM64 unwind data.
    Inspect(inspect_cmd::InspectArgs),
    /// Print the entry- and exit-thunk names the Arm64EC ABI requires for a C signature.
    Oracle(oracle_cmd::OracleArgs),
    /// Check COFF objects or archives against the Arm64EC ABI; list every violation.
    ///
    /// Exit status 0: no violation; 1: violations found; 2: a file cannot be read or is
    /// not a COFF object or archive.
    Verify(verify_cmd::VerifyArgs),
    /// Compare a baseline and a candidate (toolchains, run here, or existing reports):
    /// write regressions.json and exit 1 on any regression.
    ///
    /// Regressions: cases that newly fail, are missing from the candidate, no longer run, or
    /// fail with new findings. Also listed: fixed cases, new cases, and facts that changed
    /// where both pass (a thunk name, a kind of image).
    Gate(gate_cmd::GateArgs),
    /// Find the first release (or nightly) between a good and a bad toolchain where the
    /// selected cases change; toolchains are installed with rustup as needed.
    Bisect(gate_cmd::BisectArgs),
    /// Merge the reports of sharded runs (`cargo nextest run --partition ...`) into one.
    Merge(gate_cmd::MergeArgs),
    /// Write the ABI matrix's signatures as abi-cafe KDLScript tests (variadic functions,
    /// which KDLScript cannot declare, are left out) and print how many were written.
    MatrixExport(matrix_cmd::MatrixExportArgs),
}

#[derive(Args, Debug, Clone)]
pub struct Selection {
    /// Only trials whose key contains one of these substrings (all when none given).
    #[arg(value_name = "FILTER")]
    pub filters: Vec<String>,
    /// Match FILTERs against whole keys instead of substrings.
    #[arg(long)]
    pub exact: bool,
    /// Only cases of these tiers (comma-separated: static,link,run).
    #[arg(long, value_delimiter = ',', value_parser = parse_tier)]
    pub tier: Vec<Tier>,
    /// Suite root to discover cases in (keep your own cases outside this repository).
    #[arg(long, value_name = "DIR", default_value_os_t = paths::default_suites())]
    pub suites: PathBuf,
}

#[derive(Args, Debug)]
struct RunArgs {
    #[command(flatten)]
    selection: Selection,
    #[command(flatten)]
    toolchains: ToolchainArgs,
    /// Final report path; the per-case JSONL goes beside it with extension .jsonl.
    /// With several toolchains, each gets report-<toolchain>.json.
    #[arg(long, value_name = "PATH")]
    report: Option<PathBuf>,
    /// Default per-case timeout in seconds (a case's `//@ timeout` overrides it).
    #[arg(long, value_name = "SECS", default_value_t = run_cmd::DEFAULT_TIMEOUT)]
    timeout: u64,
    /// Cases run in parallel (default: available cores).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Do not install missing rustup targets.
    #[arg(long)]
    no_provision: bool,
    /// Write what run-tier cases with `check-run-output` print into their expectation files
    /// instead of comparing (then review the diff).
    #[arg(long)]
    bless: bool,
    /// Also write the results as JUnit XML (for CI systems other than GitHub Actions,
    /// where annotations and a step summary are written automatically).
    #[arg(long, value_name = "PATH")]
    junit: Option<PathBuf>,
    /// What a selection that matches no case does: fail (exit 2, the default), warn (exit
    /// 0 with a warning) or pass. No report is written either way.
    #[arg(long, value_name = "WHAT", value_enum, default_value_t = run_cmd::NoTests::Fail)]
    no_tests: run_cmd::NoTests,
}

#[derive(Args, Debug)]
struct ToolchainArgs {
    /// Toolchain to test: a rustup name (stable, 1.85.0, nightly-2026-01-01) or a path to
    /// rustc. Repeatable. Default: the rustc rustup resolves here.
    #[arg(long, value_name = "T")]
    toolchain: Vec<String>,
    /// Harness working directory (build cache, probe cache, reports).
    #[arg(long, value_name = "DIR", default_value_os_t = paths::default_harness_dir())]
    harness_dir: PathBuf,
    /// Where Arm64EC images run: native (a Windows 11 on ARM64 host), emulated (the
    /// workspace's arm64ec-emu runs ABI-matrix functions on emulated CPUs; whole programs
    /// do not run), none, or the wrapper or ssh runner configured in harness.toml.
    /// Default: harness.toml's `[runner]`, else native on Windows on ARM64 and emulated
    /// elsewhere.
    #[arg(long, value_name = "KIND", value_parser = ["native", "emulated", "none", "wrapper", "ssh"])]
    runner: Option<String>,
    /// The harness configuration (default: $HARNESS_CONFIG, else harness.toml at the
    /// repository root when it exists).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ListArgs {
    #[command(flatten)]
    selection: Selection,
    /// Print JSON records (key, tier, fixture) instead of plain keys.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct PreflightArgs {
    #[command(flatten)]
    toolchains: ToolchainArgs,
    /// Tiers that must be able to run (comma-separated); default: static.
    #[arg(long, value_delimiter = ',', value_parser = parse_tier)]
    tier: Vec<Tier>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Also fail (exit 1) when a requested tier can run but some of its Arm64EC cases would
    /// be ignored for a missing tool: MSVC's ARM64/ARM64EC build tools or the Windows 11 SDK,
    /// clang-cl, LLD, a runner. For CI jobs that must run everything.
    #[arg(long)]
    strict: bool,
}

#[derive(Args, Debug)]
struct DirectivesArgs {
    /// Print the table as the README's Markdown rows.
    #[arg(long)]
    markdown: bool,
}

fn directives(args: DirectivesArgs) -> ExitCode {
    use harness::discover::directives::table;
    harness::out!("{}", if args.markdown { table::markdown() } else { table::text() });
    ExitCode::SUCCESS
}

fn rules(args: DirectivesArgs) -> ExitCode {
    use harness::check::rules::{self, Scope};
    let scopes = [Scope::Object, Scope::Image, Scope::Build, Scope::Run];
    for scope in scopes {
        if args.markdown {
            harness::outln!("{}", rules::markdown(scope));
            continue;
        }
        for r in rules::RULES.iter().filter(|r| r.scope == scope) {
            harness::outln!(
                "{:<26} {:<7} {:<13} {}",
                r.id,
                format!("{scope:?}").to_lowercase(),
                r.subject.as_str(),
                r.checks
            );
        }
    }
    ExitCode::SUCCESS
}

pub fn parse_tier(s: &str) -> Result<Tier, String> {
    Tier::parse(s).ok_or_else(|| format!("unknown tier `{s}`; expected static, link or run"))
}

impl Selection {
    fn matches(&self, d: &Discovered) -> bool {
        let key = d.key().to_string();
        let by_filter = self.filters.is_empty()
            || self
                .filters
                .iter()
                .any(|f| if self.exact { key == *f } else { key.contains(f.as_str()) });
        // Broken cases have no tier: they are always shown, so errors are never hidden.
        let by_tier = self.tier.is_empty() || d.tier().is_none_or(|t| self.tier.contains(&t));
        by_filter && by_tier
    }

    pub fn discover(&self) -> Result<Vec<Discovered>, String> {
        // Compilers run in build directories: a relative root would not be found from there.
        let root = std::path::absolute(&self.suites).unwrap_or_else(|_| self.suites.clone());
        let all = discover::discover(&root).map_err(|e| e.to_string())?;
        Ok(all.into_iter().filter(|d| self.matches(d)).collect())
    }
}

impl ToolchainArgs {
    fn requests(&self) -> Vec<Request> {
        if self.toolchain.is_empty() {
            vec![Request::Default]
        } else {
            self.toolchain.iter().map(|t| Request::parse(t)).collect()
        }
    }

    fn options(&self, req: Request) -> Result<SessionOptions, String> {
        let mut o = SessionOptions::new(req, Dirs::new(self.harness_dir.clone()));
        o.runner = self.runner_choice()?;
        Ok(o)
    }

    /// The runner the flags and the config file choose (`None`: the session decides).
    fn runner_choice(&self) -> Result<Option<harness::run::Runner>, String> {
        use harness::run::{Runner, config};
        let path = config::locate(self.config.as_deref());
        let cfg = match &path {
            Some(p) => config::load(p).map_err(|e| e.to_string())?,
            None => config::Config::default(),
        };
        let origin = path.clone().unwrap_or_else(|| PathBuf::from("harness.toml"));
        let mut table = cfg.runner.clone().unwrap_or_default();
        match self.runner.as_deref() {
            None if cfg.runner.is_none() => return Ok(None),
            None => {}
            Some("native") => return Ok(Some(Runner::Native)),
            Some("none") => {
                return Ok(Some(Runner::None { why: "--runner none".into() }));
            }
            Some("emulated") if table.kind != "emulated" => {
                return Ok(Some(Runner::Emulated { binary: None }));
            }
            Some(kind) => {
                if table.kind != kind {
                    return Err(format!(
                        "--runner {kind} needs a `[runner]` table with kind = \"{kind}\" in {}",
                        origin.display()
                    ));
                }
                table.kind = kind.into();
            }
        }
        Runner::configure(&table, &origin).map(Some).map_err(|e| e.to_string())
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Children run in their own process groups: on Ctrl-C or SIGTERM, end them too. Every
    // finished case is already in the JSONL report.
    let _ = ctrlc::set_handler(|| {
        harness::process::kill_all_live();
        eprintln!("\nharness: interrupted; every finished case is in the .jsonl report");
        std::process::exit(130);
    });
    match cli.command {
        Command::Run(args) => run_cmd::run(args),
        Command::List(args) => list(args),
        Command::Directives(args) => directives(args),
        Command::Rules(args) => rules(args),
        Command::Preflight(args) => preflight(args),
        Command::Inspect(args) => inspect_cmd::run(args),
        Command::Oracle(args) => oracle_cmd::run(args),
        Command::Verify(args) => verify_cmd::run(args),
        Command::Gate(args) => gate_cmd::gate(args),
        Command::Bisect(args) => gate_cmd::bisect(args),
        Command::Merge(args) => gate_cmd::merge(args),
        Command::MatrixExport(args) => matrix_cmd::run(args),
    }
}

fn list(args: ListArgs) -> ExitCode {
    let cases = match args.selection.discover() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut broken = false;
    for d in &cases {
        if args.json {
            let errors: Vec<String> = match d {
                Discovered::Broken(b) => b.errors.iter().map(|e| e.to_string()).collect(),
                _ => vec![],
            };
            let (tier, fixture) = (d.tier().map(|t| t.name()), d.path().display().to_string());
            let v = serde_json::json!({"key": d.key().to_string(), "tier": tier, "fixture": fixture, "errors": errors});
            harness::outln!("{v}");
        } else {
            harness::outln!("{}", d.key());
        }
        if let Discovered::Broken(b) = d {
            broken = true;
            for e in &b.errors {
                eprintln!("error: {e}");
            }
        }
    }
    if broken { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn preflight(args: PreflightArgs) -> ExitCode {
    let requested = if args.tier.is_empty() { vec![Tier::Static] } else { args.tier.clone() };
    let mut ok = true;
    let mut reports = Vec::new();
    for req in args.toolchains.requests() {
        let opts = match args.toolchains.options(req) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let p = harness::preflight::preflight(&opts);
        ok &= p.toolchain_error.is_none() && p.satisfies(&requested);
        ok &= !args.strict || p.gaps_in(&requested).is_empty();
        reports.push(p);
    }
    if args.json {
        let v = serde_json::json!({
            "requested_tiers": requested, "strict": args.strict, "ok": ok, "toolchains": reports
        });
        harness::outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        for p in &reports {
            harness::out!("{}", p.render());
        }
        let names: Vec<_> = requested.iter().map(|t| t.name()).collect();
        let verdict = match (ok, args.strict) {
            (true, _) => "can run",
            (false, true) => "CANNOT run every case here (--strict: see the gaps above)",
            (false, false) => "CANNOT run here",
        };
        harness::outln!("requested tiers ({}): {verdict}", names.join(","));
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
