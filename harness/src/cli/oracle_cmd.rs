//! `harness oracle SIGNATURE`: the thunk names the Arm64EC ABI requires.

use clap::Args;
use harness::abi::{Signature, oracle};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct OracleArgs {
    /// A C signature in the project's notation, e.g. `fn(i32, {u8, u8, u8}, {[f32; 4]}, ...) -> f64`.
    ///
    /// Scalars i8..i128, u8..u128, f32, f64, bool, ptr; structs {...} whose members may be
    /// arrays [T; N]; a variadic tail `...`; `-> ()` or no arrow for void.
    #[arg(value_name = "SIGNATURE")]
    signature: String,
    /// Print JSON: both names, and every value's size, alignment, code and ABI class.
    #[arg(long)]
    json: bool,
}

pub fn run(args: OracleArgs) -> ExitCode {
    let sig = match Signature::parse(&args.signature) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: invalid signature `{}`: {e}", args.signature);
            return ExitCode::from(2);
        }
    };
    let a = oracle::answer(&sig);
    if args.json {
        harness::outln!("{}", serde_json::to_string_pretty(&a).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    harness::outln!("signature    {}", a.signature);
    harness::outln!("entry thunk  {}", a.entry_thunk);
    harness::outln!("exit thunk   {}", a.exit_thunk);
    let row = |what: String, v: &oracle::Value| {
        harness::outln!(
            "  {what:<9} {:<22} {:>3} B align {:<2} {:<6} x64: {}; ARM64: {}",
            v.ty,
            v.size,
            v.align,
            v.code,
            v.class.x64,
            v.class.arm64
        );
    };
    match &a.ret {
        Some(v) => row("return".into(), v),
        None => harness::outln!("  return    ()"),
    }
    for (i, v) in a.params.iter().enumerate() {
        row(format!("param {}", i + 1), v);
    }
    if a.variadic {
        harness::outln!(
            "  variadic: parameters are named `varargs`; x64 passes slots 1-4 in RCX-R9 (floats also in XMM), Arm64EC in x0-x3 with x4/x5 for the rest"
        );
    }
    ExitCode::SUCCESS
}
