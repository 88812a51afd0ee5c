//! The directive parser, through the library API: strict names and values, revisions,
//! duplicates, and resolution per revision.

use harness::discover::conditions::Polarity;
use harness::discover::config::CaseConfig;
use harness::discover::directives::{self, CrateType, Need};
use harness::model::{Target, Tier, Version};
use std::path::Path;
use std::time::Duration;

fn errs(text: &str) -> Vec<String> {
    directives::parse(Path::new("f.rs"), text).1.into_iter().map(|e| e.to_string()).collect()
}

fn ok(text: &str) -> Vec<directives::Directive> {
    let (d, e) = directives::parse(Path::new("f.rs"), text);
    assert!(e.is_empty(), "{e:?}");
    d
}

#[test]
fn every_directive_parses_into_its_typed_value() {
    let d = ok("//@ revisions: a b\n\
                //@ compile-flags: -C opt-level=1 --cfg x\n\
                //@ cflags: /O1\n\
                //@ link-args: /noentry\n\
                //@ crate-type: staticlib\n\
                //@ edition: 2024\n\
                //@ tier: link\n\
                //@[b] target: x86_64-pc-windows-msvc\n\
                //@ min-llvm-version: 18.1.2\n\
                //@ known-bug: https://github.com/llvm/llvm-project/issues/89615\n\
                //@ timeout: 2m\n\
                //@ only-windows: Windows targets only\n\
                //@ ignore-cfg: target_feature = \"sve\"\n\
                //@ needs-clang-cl\n\
                //@[a] needs-rust-lld\n");
    let a = CaseConfig::resolve(&d, Some("a"));
    let b = CaseConfig::resolve(&d, Some("b"));
    assert_eq!(a.compile_flags, ["-C", "opt-level=1", "--cfg", "x"]);
    assert_eq!(a.cflags, ["/O1"]);
    assert_eq!(a.link_args, ["/noentry"]);
    assert_eq!(a.crate_type, Some(CrateType::Staticlib));
    assert_eq!(a.edition, "2024");
    assert_eq!(a.tier, Tier::Link);
    assert_eq!(a.tier_line, 7);
    assert_eq!(a.target, Target::Arm64ec);
    assert_eq!(b.target, Target::X64);
    assert_eq!(a.min_llvm, Some(Version::new(18, 1, 2)));
    assert_eq!(a.known_bug.as_deref(), Some("https://github.com/llvm/llvm-project/issues/89615"));
    assert_eq!(a.timeout, Some(Duration::from_secs(120)));
    assert_eq!(a.conditions.len(), 2);
    assert_eq!(a.conditions[0].polarity, Polarity::Only);
    assert_eq!(a.conditions[0].reason.as_deref(), Some("Windows targets only"));
    assert_eq!(a.conditions[0].line, 12);
    assert_eq!(a.conditions[1].polarity, Polarity::Ignore);
    assert_eq!(a.needs, [Need::ClangCl, Need::RustLld]);
    assert_eq!(b.needs, [Need::ClangCl]);
}

#[test]
fn revision_values_override_and_lists_append() {
    let d = ok("//@ revisions: r1 r2\n//@ compile-flags: -A\n//@[r2] compile-flags: -B\n\
                //@ tier: static\n//@[r2] tier: run\n//@[r1, r2] exit-code: 7\n");
    let r1 = CaseConfig::resolve(&d, Some("r1"));
    let r2 = CaseConfig::resolve(&d, Some("r2"));
    assert_eq!(r1.compile_flags, ["-A"]);
    assert_eq!(r2.compile_flags, ["-A", "-B"]);
    assert_eq!((r1.tier, r2.tier), (Tier::Static, Tier::Run));
    assert_eq!(
        (r1.exit, r2.exit),
        (harness::discover::ExitExpect::Code(7), harness::discover::ExitExpect::Code(7))
    );
}

#[test]
fn unknown_names_list_the_known_ones() {
    // A misspelling gets the name meant; a name far from every known one gets the list.
    let e = errs("//@ compile-flag: -O\n");
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with(
            "f.rs:1:5: unknown directive `compile-flag`; did you mean `compile-flags`?"
        ),
        "{}",
        e[0]
    );
    let e = errs("//@ banana: -O\n");
    assert!(
        e[0].starts_with("f.rs:1:5: unknown directive `banana`; known directives: revisions, tier"),
        "{}",
        e[0]
    );
    let e = errs("//@ only-windwos\n");
    assert!(
        e[0].starts_with(
            "f.rs:1:5: unknown condition `windwos` in `only-windwos`; known conditions:"
        ),
        "{}",
        e[0]
    );
    let e = errs("//@ needs-gpu\n");
    assert!(
        e[0].contains("unknown capability `needs-gpu`; known: needs-clang-cl, needs-msvc"),
        "{}",
        e[0]
    );
    let e = errs("//@\n");
    assert!(e[0].starts_with("f.rs:1:4: empty directive"), "{}", e[0]);
}

#[test]
fn malformed_values_point_at_the_value() {
    let cases = [
        ("//@ tier: fast\n", "f.rs:1:11: unknown tier `fast`; expected one of: static, link, run"),
        ("//@ crate-type: dylib\n", "f.rs:1:17: unknown crate-type `dylib`"),
        (
            "//@ target: x86_64-unknown-linux-gnu\n",
            "f.rs:1:13: unknown target `x86_64-unknown-linux-gnu`",
        ),
        ("//@ min-llvm-version: eighteen\n", "f.rs:1:23: malformed version `eighteen`"),
        ("//@ known-bug: #12345\n", "f.rs:1:16: `known-bug` needs an upstream URL"),
        ("//@ timeout: 0\n", "f.rs:1:14: malformed timeout `0`"),
        ("//@ timeout:\n", "f.rs:1:13: `timeout` needs a value"),
        ("//@ exit-code: ok\n", "f.rs:1:16: malformed exit code `ok`"),
        ("//@ host-control: yes\n", "f.rs:1:19: `host-control` takes no value"),
        ("//@ needs-msvc: please\n", "f.rs:1:17: `needs-msvc` takes no value"),
        ("//@ only-cfg: target_feature = neon\n", "f.rs:1:15: malformed cfg predicate"),
        ("//@ revisions: a a\n", "f.rs:1:16: revision `a` is declared twice"),
        ("//@ revisions: a b/c\n", "f.rs:1:16: malformed revision name `b/c`"),
    ];
    for (text, want) in cases {
        let e = errs(text);
        assert_eq!(e.len(), 1, "{text}: {e:?}");
        assert!(e[0].starts_with(want), "{text}:\n got  {}\n want {want}", e[0]);
    }
}

#[test]
fn revisions_must_be_declared_once_and_used_as_declared() {
    let e = errs("//@[x] compile-flags: -O\n");
    assert!(
        e[0].starts_with("f.rs:1:5: undeclared revision `x`; no revisions are declared"),
        "{}",
        e[0]
    );
    let e = errs("//@ revisions: a b\n//@[a, zz] tier: run\n");
    assert!(
        e[0].starts_with("f.rs:2:8: undeclared revision `zz`; declared revisions: a, b"),
        "{}",
        e[0]
    );
    let e = errs("//@ revisions: a\n//@ revisions: b\n");
    assert!(e[0].contains("`revisions` declared twice (first at line 1)"), "{}", e[0]);
    let e = errs("//@ revisions: a\n//@[a] revisions: b\n");
    assert!(e.iter().any(|e| e.contains("`revisions` cannot be per-revision")), "{e:?}");
    let e = errs("//@[a b] tier: run\n");
    assert!(e[0].contains("malformed revision name `a b`"), "{}", e[0]);
    let e = errs("//@[a tier: run\n");
    assert!(e[0].contains("unclosed `[`"), "{}", e[0]);
}

#[test]
fn single_valued_directives_may_not_repeat_in_one_scope() {
    let e = errs("//@ tier: static\n//@ tier: run\n");
    assert_eq!(e, ["f.rs:2:5: `tier` given twice for the same scope (first at line 1)"]);
    // Once in common and once per revision is an override, not a duplicate.
    assert!(errs("//@ revisions: a\n//@ tier: static\n//@[a] tier: run\n").is_empty());
    let e = errs("//@ revisions: a\n//@[a] tier: static\n//@[a] tier: run\n");
    assert_eq!(e.len(), 1, "{e:?}");
}

#[test]
fn all_errors_of_a_file_are_reported_together() {
    let e = errs("//@ tier: x\n//@ nope\nfn main() {}\n//@ timeout: never\n");
    assert_eq!(e.len(), 3, "{e:?}");
    assert!(
        e[0].starts_with("f.rs:1:") && e[1].starts_with("f.rs:2:") && e[2].starts_with("f.rs:4:"),
        "{e:?}"
    );
}

#[test]
fn plain_comments_and_code_are_not_directives() {
    assert!(
        ok("// @tier: static\n/// //@ docs mention\nfn main() { let s = \"//@ nope\"; }\n")
            .is_empty()
    );
}

#[test]
fn arbitrary_directive_text_never_panics() {
    let parts = [
        "//@",
        "//@[",
        "]",
        "[a,",
        ",b]",
        " ",
        ":",
        "tier",
        "revisions",
        "only-",
        "ignore-cfg",
        "needs-",
        "timeout",
        "9999999999999999999",
        "m",
        "s",
        "\"",
        "=",
        "é",
        "\u{0}",
        "target",
        "a",
        "-",
        "\n",
        "\t",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..5000 {
        let mut text = String::new();
        for _ in 0..(seed % 24) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(parts[(seed % parts.len() as u64) as usize]);
        }
        let (dirs, _errors) = directives::parse(Path::new("fuzz.rs"), &text);
        for rev in [None, Some("a"), Some("b")] {
            let _ = CaseConfig::resolve(&dirs, rev);
        }
    }
}

#[test]
fn signature_and_expectation_directives() {
    let d = ok("//@ sig: f = fn({u8, u8, u8}, ...) -> f64\n\
                //@ sig: g = fn()\n\
                //@ build-fail\n\
                //@ expect-finding: thunk.name.oracle thunk.code[a,b] reg.reserved*3\n\
                //@ expect-finding: thunk.code[c]\n\
                //@ known-deviation: clang names float aggregate results m<N>\n\
                //@ min-rust-version: 1.88\n");
    let c = CaseConfig::resolve(&d, None);
    assert_eq!(c.sigs.len(), 2);
    assert_eq!(c.sigs["f"].to_string(), "fn({u8, u8, u8}, ...) -> f64");
    assert!(c.build_fail);
    let written: Vec<String> = c.expect_findings.iter().map(|e| e.to_string()).collect();
    assert_eq!(written, ["thunk.name.oracle", "thunk.code[a,b,c]", "reg.reserved*3"]);
    assert!(c.known_deviation.is_some());
    assert_eq!(c.min_rust, Some(Version::new(1, 88, 0)));
}

#[test]
fn malformed_signature_directives_point_into_the_signature() {
    let e = errs("//@ sig: f = fn(i32, i33)\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("f.rs:1:22: malformed signature for `f`: unknown type `i33`"),
        "{e:?}"
    );
    let e = errs("//@ sig: fn(i32)\n");
    assert!(e[0].contains("`sig` is `name = fn(...)`"), "{e:?}");
    let e = errs("//@ sig: f = fn()\n//@ sig: f = fn(i8)\n");
    assert!(e[0].contains("the signature of `f` is given twice (first at line 1)"), "{e:?}");
    let e = errs("//@ expect-finding: not_a_rule\n");
    assert!(e[0].contains("is not a rule id"), "{e:?}");
    let e = errs("//@ known-deviation: short\n");
    assert!(e[0].contains("needs a sentence"), "{e:?}");
    let e = errs("//@ build-fail: yes\n");
    assert!(e[0].contains("takes no value"), "{e:?}");
}

#[test]
fn misspellings_suggest_the_name_meant() {
    for (text, meant) in [
        ("//@ teir: run\n", "did you mean `tier`?"),
        ("//@ need-msvc\n", "did you mean `needs-msvc`?"),
        ("//@ needs-msv\n", "did you mean `needs-msvc`?"),
        ("//@ only-windwos\n", "did you mean `only-windows`?"),
        ("//@ expect-findings: ec.alias\n", "did you mean `expect-finding`?"),
        ("//@ crate_type: bin\n", "did you mean `crate-type`?"),
    ] {
        let e = errs(text);
        assert!(e.len() == 1 && e[0].contains(meant), "{text}: {e:?}");
    }
}

#[test]
fn directives_keep_the_columns_of_their_name_and_value() {
    let d = ok("//@ tier: run\n  //@[a] compile-flags:   -O\n//@ revisions: a\n");
    assert_eq!((d[0].name, d[0].line, d[0].column, d[0].value_column), ("tier", 1, 5, 11));
    assert_eq!(
        (d[1].name, d[1].line, d[1].column, d[1].value_column),
        ("compile-flags", 2, 10, 27)
    );
}

/// The README's directive list is the parser's table, row for row.
#[test]
fn the_readme_lists_exactly_the_directive_table() {
    let readme =
        std::fs::read_to_string(harness::paths::workspace_root().join("README.md")).unwrap();
    let table = directives::table::markdown();
    assert!(
        readme.contains(&table),
        "README.md's directive table differs from the parser's: paste `cargo run -p harness -- directives --markdown`\n{table}"
    );
    // Every row parses: a usage written from the table is a known directive.
    for spec in directives::table::TABLE {
        let name = spec.name.replace("<cond>", "windows").replace("<capability>", "msvc");
        let e = errs(&format!("//@ {name}: x\n"));
        assert!(e.iter().all(|e| !e.contains("unknown directive")), "{name}: {e:?}");
    }
}

/// The README's rule tables are the registry's, row for row, and every rule a suite's
/// `expect-finding` names is registered (the parser refuses others).
#[test]
fn the_readme_lists_exactly_the_rule_registry() {
    use harness::check::rules::{self, Scope};
    let readme =
        std::fs::read_to_string(harness::paths::workspace_root().join("README.md")).unwrap();
    for scope in [Scope::Object, Scope::Image, Scope::Build, Scope::Run] {
        let table = rules::markdown(scope);
        assert!(
            readme.contains(&table),
            "README.md's {scope:?} rule table differs from check::rules: paste `cargo run -p harness -- rules --markdown`\n{table}"
        );
    }
    let e = errs("//@ expect-finding: reg.reserved thunk.name.oracl\n");
    assert!(e.iter().any(|e| e.contains("did you mean `thunk.name.oracle`?")), "{e:?}");
}

/// Every rule id a check can emit is registered: each literal of a rule family in the
/// harness's sources is a registered id, or one of the few names that are not rules (the
/// gate's fact families, run output file names).
#[test]
fn every_rule_id_in_the_sources_is_registered() {
    const NOT_RULES: &[&str] = &[
        "thunk.name",   // the gate's family of thunk-name facts
        "coff.section", // the gate's normalization example
        "image.import", // the gate's family of image-import facts
        "run.stdout",   // expectation file names
        "run.stderr",
        "thunk.cod", // a misspelling the tests feed the parser
    ];
    let families =
        ["coff", "ec", "hybmp", "thunk", "unwind", "reg", "image", "diag", "build", "run"];
    let files = harness::paths::files_under(&harness::paths::workspace_root().join("harness/src"));
    let mut unregistered = Vec::new();
    let mut seen = 0;
    for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "rs")) {
        let text = std::fs::read_to_string(f).unwrap();
        for lit in text.split('"').skip(1).step_by(2) {
            let Some((family, rest)) = lit.split_once('.') else { continue };
            let shaped = !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
            if !families.contains(&family) || !shaped || NOT_RULES.contains(&lit) {
                continue;
            }
            seen += 1;
            if harness::check::rules::get(lit).is_none() {
                unregistered.push(format!("{}: \"{lit}\"", f.display()));
            }
        }
    }
    assert!(seen > 40, "only {seen} rule literals found: the scan reads nothing");
    assert!(
        unregistered.is_empty(),
        "rule ids not in check::rules::RULES:\n{}",
        unregistered.join("\n")
    );
}
