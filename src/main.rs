//! The `baton` binary: a panic hook that prints no panic message, harden
//! the process, lock its memory, parse arguments, hand them to the front
//! end they ask for (the terminal UI for `baton`, `baton tui` and `baton
//! demo`; the command line for the rest), and map the outcome to an exit
//! code. Nothing else.
//!
//! Its allocator wipes every block it frees, and the old block of every
//! reallocation, before handing it back: a value that passed through an
//! ordinary `String` or `Vec` (a revealed password formatted for the
//! screen, a decrypted payload, a parsed import) does not outlive it in
//! freed memory, where no type's `Drop` can reach (PRODUCT.md §2
//! invariant 8). Argon2's memory (64-256 MiB) is wiped once per unlock.

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]
#![forbid(unsafe_code)]

#[global_allocator]
static ALLOCATOR: secmem_alloc::zeroizing_alloc::ZeroizeAlloc<std::alloc::System> =
    secmem_alloc::zeroizing_alloc::ZeroizeAlloc::new(std::alloc::System);

fn main() {
    baton::os::install_panic_hook();
    #[cfg(debug_assertions)]
    baton::os::panic_if_asked();
    baton::os::harden_process();
    baton::os::lock_memory();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The clipboard holder: a child that serves a copied value until it
    // is cleared.
    if args
        .get(1)
        .is_some_and(|a| a == baton::os::clipboard::HOLDER_ARG)
    {
        let word = |i: usize| args.get(i).and_then(|s| s.to_str()).unwrap_or("");
        std::process::exit(baton::os::clipboard::holder_main(word(2), word(3)));
    }
    let code = match baton::cli::parse(args) {
        baton::cli::Parsed::Exit(code) => code,
        baton::cli::Parsed::Command(cli, ctx) => baton::cli::execute(*cli, &ctx),
        baton::cli::Parsed::Tui { ctx, demo } => {
            let result = if demo {
                baton::tui::demo(&ctx)
            } else {
                baton::tui::start(ctx)
            };
            match result {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("baton: {e}");
                    1
                }
            }
        }
    };
    std::process::exit(code);
}
