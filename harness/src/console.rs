//! What the commands print on stdout goes through [`out!`](crate::out) and
//! [`outln!`](crate::outln): when the reader goes away (`harness list | head -1`) the
//! output ends there and the command goes on to its normal end and exit status, where
//! `print!` would panic on the broken pipe. Once a write fails, later ones are dropped.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);

/// Write to stdout, unless an earlier write found it closed.
pub fn write(args: fmt::Arguments) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    if io::stdout().lock().write_fmt(args).is_err() {
        CLOSED.store(true, Ordering::Relaxed);
    }
}

/// `print!` to stdout that ends quietly when stdout is closed ([`write`]).
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::console::write(format_args!($($arg)*)) };
}

/// `println!` to stdout that ends quietly when stdout is closed ([`write`]).
#[macro_export]
macro_rules! outln {
    () => { $crate::console::write(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::console::write(format_args!("{}\n", format_args!($($arg)*))) };
}
