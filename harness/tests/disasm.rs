//! The A64 decoder on real Arm64EC compiler output (rustc and clang-cl), cross-checked
//! word by word against llvm-objdump: the registers each instruction names must agree,
//! LLVM-built code names no Arm64EC-reserved register, and one patched in is flagged.

use harness::inspect::disasm::{self, Insn, Op, Reg};
use object::pe;
use object::read::coff::CoffFile;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/disasm_corpus").join(name)
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The corpus objects: Rust at two optimization levels and C from clang-cl.
fn build_objects(dir: &Path, clang_cl: &Path) -> Vec<PathBuf> {
    let mut objects = Vec::new();
    for (tag, opt) in [("o2", "-O"), ("o1", "-Copt-level=1")] {
        let out = dir.join(format!("corpus-{tag}.o"));
        run(Command::new("rustc")
            .args(["--crate-type=rlib", "--emit=obj", opt, "--target", "arm64ec-pc-windows-msvc"])
            .arg("-o")
            .arg(&out)
            .arg(corpus("corpus.rs")));
        objects.push(out);
    }
    let out = dir.join("corpus-c.obj");
    let mut fo = std::ffi::OsString::from("/Fo");
    fo.push(&out);
    // `--` ends the options: an absolute Unix path would otherwise read as a `/` option.
    run(Command::new(clang_cl)
        .args(["/arm64EC", "/O2", "/c"])
        .arg(fo)
        .arg("--")
        .arg(corpus("corpus.c")));
    objects.push(out);
    objects
}

/// The non-empty code sections of a COFF object, in section-table order.
fn code_sections(data: &[u8]) -> Vec<Vec<u8>> {
    let file = CoffFile::<&[u8], pe::ImageFileHeader>::parse(data).expect("COFF object");
    let mut out = Vec::new();
    for section in file.coff_section_table().iter() {
        if !section.characteristics.get(object::LittleEndian).contains(pe::IMAGE_SCN_CNT_CODE) {
            continue;
        }
        let bytes = section.coff_data(data).expect("section data");
        if !bytes.is_empty() {
            out.push(bytes.to_vec());
        }
    }
    out
}

/// One instruction as llvm-objdump prints it.
struct Listed {
    offset: u32,
    word: u32,
    text: String,
}

/// llvm-objdump's listing, one entry per code section it disassembles.
fn objdump(objdump: &Path, obj: &Path) -> Vec<Vec<Listed>> {
    let out = Command::new(objdump).arg("-d").arg(obj).output().expect("llvm-objdump");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut sections: Vec<Vec<Listed>> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if line.starts_with("Disassembly of section ") {
            sections.push(Vec::new());
            continue;
        }
        // "      1c: d343fd49     \tlsr\tx9, x10, #3"
        let Some((offset, rest)) = line.trim_start().split_once(": ") else { continue };
        let (Ok(offset), Some(current)) = (u32::from_str_radix(offset, 16), sections.last_mut())
        else {
            continue;
        };
        let mut parts = rest.splitn(2, '\t');
        let word = parts.next().unwrap_or("").trim();
        let Ok(word) = u32::from_str_radix(word, 16) else { continue };
        let text = parts.next().unwrap_or("").replace('\t', " ").trim().to_string();
        current.push(Listed { offset, word, text });
    }
    sections.retain(|s| !s.is_empty());
    sections
}

/// The registers named in an llvm-objdump instruction text.
fn llvm_regs(text: &str) -> (String, BTreeSet<Reg>) {
    // Drop comments ("// =4660") and symbolized targets ("<.text+0x6c>").
    let text = text.split("//").next().unwrap_or("");
    let mut clean = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            _ if depth == 0 => clean.push(c),
            _ => {}
        }
    }
    let mut tokens = clean.split(|c: char| !c.is_ascii_alphanumeric() && c != '.');
    let mnemonic = tokens.next().unwrap_or("").to_string();
    let mut regs = BTreeSet::new();
    for token in clean[mnemonic.len()..].split(|c: char| !c.is_ascii_alphanumeric()) {
        let num = |prefix: &str, max: u8| {
            token.strip_prefix(prefix).and_then(|n| n.parse::<u8>().ok()).filter(|&n| n <= max)
        };
        let reg = match token {
            "sp" | "wsp" => Some(Reg::Sp),
            "xzr" | "wzr" => Some(Reg::Zr),
            "fp" => Some(Reg::X(29)),
            "lr" => Some(Reg::X(30)),
            "ffr" => Some(Reg::Ffr),
            _ => num("x", 30)
                .or_else(|| num("w", 30))
                .map(Reg::X)
                .or_else(|| {
                    ["b", "h", "s", "d", "q", "v", "z"].iter().find_map(|p| num(p, 31)).map(Reg::V)
                })
                .or_else(|| num("p", 15).map(Reg::P)),
        };
        regs.extend(reg);
    }
    // A bare `ret` returns through x30, which the decoder reports as the operand.
    if mnemonic == "ret" && regs.is_empty() {
        regs.insert(Reg::X(30));
    }
    (mnemonic, regs)
}

/// Our registers and llvm-objdump's agree: the same set apart from the zero register,
/// which an alias may leave unnamed (`mov x0, x1` is `orr x0, xzr, x1`), but which must
/// be reported wherever llvm-objdump names it.
fn agrees(insn: &Insn, llvm: &BTreeSet<Reg>) -> bool {
    let ours: BTreeSet<Reg> = insn.regs.iter().copied().collect();
    let strip = |s: &BTreeSet<Reg>| s.iter().copied().filter(|r| *r != Reg::Zr).collect::<Vec<_>>();
    strip(&ours) == strip(llvm) && (!llvm.contains(&Reg::Zr) || ours.contains(&Reg::Zr))
}

fn show(regs: impl IntoIterator<Item = Reg>) -> String {
    regs.into_iter().map(|r| r.to_string()).collect::<Vec<_>>().join(",")
}

struct Corpus {
    /// Every code section of every object.
    sections: Vec<Vec<u8>>,
    /// (decoded, llvm-objdump text) per instruction.
    pairs: Vec<(Insn, String)>,
}

/// The corpus (for trials that require `OBJDUMP` and `CLANG_CL_22`).
fn load_corpus() -> Corpus {
    let objdump_bin = common::trials::OBJDUMP.path();
    let clang_cl = common::trials::CLANG_CL_22.path();
    let dir = tempfile::tempdir().unwrap();
    let mut corpus = Corpus { sections: Vec::new(), pairs: Vec::new() };
    for obj in build_objects(dir.path(), &clang_cl) {
        let data = std::fs::read(&obj).unwrap();
        let ours = code_sections(&data);
        let listed = objdump(&objdump_bin, &obj);
        assert_eq!(ours.len(), listed.len(), "{}: code sections vs llvm-objdump", obj.display());
        for (bytes, listing) in ours.iter().zip(&listed) {
            let decoded = disasm::decode(bytes, 0);
            assert_eq!(decoded.len(), listing.len(), "{}: words per section", obj.display());
            for (insn, l) in decoded.into_iter().zip(listing) {
                assert_eq!((insn.offset, insn.word), (l.offset, l.word), "{}", obj.display());
                corpus.pairs.push((insn, l.text.clone()));
            }
        }
        corpus.sections.extend(ours);
    }
    corpus
}

fn registers_agree_with_llvm_objdump_on_compiler_output() {
    let corpus = load_corpus();
    let total = corpus.pairs.len();
    assert!(total > 2000, "only {total} instructions in the corpus");
    let mut disagreements = Vec::new();
    for (insn, text) in &corpus.pairs {
        let (mnemonic, llvm) = llvm_regs(text);
        let llvm_unknown = mnemonic == "unknown" || text.contains("<unknown>");
        let ours_unknown = insn.op == Op::Undefined;
        let ok = match (llvm_unknown, ours_unknown) {
            (true, true) => true,
            (false, false) => agrees(insn, &llvm),
            _ => false,
        };
        if !ok {
            disagreements.push(format!(
                "{:08x}  llvm: {text:<40} [{}]  ours: {:<40} [{}]",
                insn.word,
                show(llvm),
                insn.text,
                show(insn.regs.iter().copied()),
            ));
        }
    }
    let agreed = total - disagreements.len();
    println!("{agreed}/{total} instructions agree ({:.2}%)", 100.0 * agreed as f64 / total as f64);
    for d in &disagreements {
        println!("  {d}");
    }
    assert!(agreed * 100 >= total * 99, "{} disagreements of {total}", disagreements.len());
}

fn llvm_built_code_names_no_reserved_register_and_a_patched_one_is_flagged() {
    let corpus = load_corpus();
    let named: Vec<String> = corpus
        .pairs
        .iter()
        .filter(|(insn, _)| insn.regs.iter().any(|r| r.is_arm64ec_reserved()))
        .map(|(insn, text)| format!("{:08x} {} (llvm: {text})", insn.word, insn.text))
        .collect();
    assert!(named.is_empty(), "reserved registers in LLVM-built code:\n{}", named.join("\n"));

    // `mov x13, x0` and `add v16.4s, v0.4s, v1.4s` patched into a copy of real code.
    let mut code = corpus.sections.iter().max_by_key(|s| s.len()).unwrap().clone();
    let at = (code.len() / 8) * 4;
    for (word, reg) in [(0xaa0003ed_u32, Reg::X(13)), (0x4ea18410, Reg::V(16))] {
        code[at..at + 4].copy_from_slice(&word.to_le_bytes());
        let flagged: Vec<(u32, Vec<Reg>)> = disasm::decode(&code, 0x1000)
            .into_iter()
            .map(|i| (i.offset, i.regs.into_iter().filter(|r| r.is_arm64ec_reserved()).collect()))
            .filter(|(_, r): &(u32, Vec<Reg>)| !r.is_empty())
            .collect();
        assert_eq!(flagged, vec![(0x1000 + at as u32, vec![reg])]);
    }
}

/// Throughput on real code: `cargo test --release --test disasm -- --ignored --nocapture`.
fn decode_throughput() {
    let corpus = load_corpus();
    let code: Vec<u8> = corpus.sections.concat();
    let words = code.len() / 4;
    let rate = |f: &dyn Fn() -> usize| {
        let start = std::time::Instant::now();
        let (mut rounds, mut checksum) = (0, 0);
        while start.elapsed().as_secs_f64() < 2.0 {
            checksum += f();
            rounds += 1;
        }
        let per_sec = (words * rounds) as f64 / start.elapsed().as_secs_f64();
        (per_sec / 1e6, checksum)
    };
    let (decode, a) = rate(&|| disasm::decode(&code, 0).len());
    let decoded = disasm::decode(&code, 0);
    let (roles, b) = rate(&|| decoded.iter().map(|i| i.defs().len() + i.uses().len()).sum());
    println!(
        "{words} words: decode {decode:.2} M words/s, defs+uses {roles:.2} M insns/s ({a} {b})"
    );
}

fn main() {
    use common::trials::*;
    const CORPUS: &[Need] = &[OBJDUMP, CLANG_CL_22];
    let agree = "registers_agree_with_llvm_objdump_on_compiler_output";
    let reserved = "llvm_built_code_names_no_reserved_register_and_a_patched_one_is_flagged";
    run(vec![
        trial(agree, CORPUS, registers_agree_with_llvm_objdump_on_compiler_output),
        trial(
            reserved,
            CORPUS,
            llvm_built_code_names_no_reserved_register_and_a_patched_one_is_flagged,
        ),
        // A measurement, not a check: `--ignored` runs it.
        trial("decode_throughput", CORPUS, decode_throughput).with_ignored_flag(true),
    ])
}
