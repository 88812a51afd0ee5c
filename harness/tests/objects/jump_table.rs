// A `match` dense enough for rustc to lower it to a jump table, with calls through
// `extern "C"` pointers (call checker) in blocks only the table reaches. Built into
// jump_table.o by the command in tests/jump_tables.rs.
#![no_std]

pub type Cb = extern "C" fn(u64) -> u64;

#[unsafe(no_mangle)]
pub extern "C" fn dispatch(op: u32, x: u64, f: Cb, g: Cb) -> u64 {
    match op {
        0 => x.wrapping_mul(3),
        1 => f(x) ^ 5,
        2 => g(x).wrapping_add(11),
        3 => x >> 3,
        4 => f(x.wrapping_add(1)).wrapping_mul(7),
        5 => x.rotate_left(9),
        6 => g(x ^ 0x55).wrapping_sub(2),
        7 => x.wrapping_sub(99),
        8 => x.count_ones() as u64,
        9 => f(x >> 1) | 1,
        10 => x.swap_bytes(),
        11 => x ^ 0xdead,
        12 => g(x.wrapping_mul(5)) ^ 0x77,
        13 => x.leading_zeros() as u64,
        14 => x.wrapping_add(0x1234_5678),
        15 => f(7).wrapping_add(x),
        _ => 0,
    }
}
