//! The `pacer` binary: parse the arguments, run the command, map the outcome to an
//! exit code. Everything else lives in the library.

fn main() {
    std::process::exit(pacer::cli::main());
}
