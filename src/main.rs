//! The `pacer` binary: parse the arguments, run the command, map the outcome to an
//! exit code. Everything else lives in the library.

/// Counts the bytes in use, for `--max-memory`.
#[global_allocator]
static ALLOCATOR: pacer::mem::Counting = pacer::mem::Counting;

fn main() {
    std::process::exit(pacer::cli::main());
}
