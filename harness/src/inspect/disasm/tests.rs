use super::*;

#[test]
fn scratch_dump() {
    let words = std::fs::read_to_string("/tmp/dis/words.txt").unwrap();
    for line in words.lines() {
        let (w, llvm) = line.split_once('|').unwrap();
        let w = u32::from_str_radix(w.trim(), 16).unwrap();
        let i = &decode(&w.to_le_bytes(), 0)[0];
        let regs: Vec<String> = i.regs.iter().map(|r| r.to_string()).collect();
        let d: Vec<String> = i.defs().iter().map(|r| r.to_string()).collect();
        let u: Vec<String> = i.uses().iter().map(|r| r.to_string()).collect();
        println!(
            "{:<40} {:?}  regs={} defs={} uses={}",
            llvm.trim(),
            i.op,
            regs.join(","),
            d.join(","),
            u.join(",")
        );
    }
}

#[test]
#[ignore]
fn scratch_sweep() {
    let start: u64 =
        std::env::var("SWEEP_START").map(|s| u64::from_str_radix(&s, 16).unwrap()).unwrap_or(0);
    let end: u64 =
        std::env::var("SWEEP_END").map(|s| u64::from_str_radix(&s, 16).unwrap()).unwrap_or(1 << 32);
    let mut bad = 0;
    let mut undef = 0u64;
    let t = std::time::Instant::now();
    let mut buf = Vec::with_capacity(4096 * 4);
    let mut w = start;
    while w < end {
        buf.clear();
        let n = (end - w).min(4096);
        for k in 0..n {
            buf.extend(((w + k) as u32).to_le_bytes());
        }
        for i in decode(&buf, 0) {
            if i.op == Op::Undefined {
                undef += 1;
                continue;
            }
            let d = i.defs();
            let u = i.uses();
            let implicit = [Reg::X(30), Reg::Sp, Reg::X(15), Reg::X(16), Reg::X(17)];
            let named_ok = i.regs.iter().all(|r| *r == Reg::Zr || d.contains(r) || u.contains(r));
            let roles_ok = d.iter().chain(&u).all(|r| i.regs.contains(r) || implicit.contains(r));
            let regs_ok = i.regs.iter().all(|r| match r {
                Reg::X(n) => *n <= 30,
                Reg::V(n) => *n <= 31,
                Reg::Sp | Reg::Zr => true,
                _ => false,
            });
            if !(named_ok && roles_ok && regs_ok) {
                bad += 1;
                if bad < 60 {
                    println!(
                        "{:08x} {} {:?} regs={:?} defs={:?} uses={:?}",
                        i.word, i.text, i.op, i.regs, d, u
                    );
                }
            }
        }
        w += n;
    }
    println!("bad={bad} undef={undef} in {:?}", t.elapsed());
}
