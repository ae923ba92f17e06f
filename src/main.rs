//! The `baton` binary: harden the process, parse arguments, run, and map
//! the outcome to an exit code. Nothing else.

#![forbid(unsafe_code)]

fn main() {
    baton::os::harden_process();
    let code = baton::cli::main_with_args(std::env::args_os());
    std::process::exit(code);
}
