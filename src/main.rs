//! The `baton` binary: a panic hook that prints no panic message, harden
//! the process, lock its memory, parse arguments, run, and map the outcome
//! to an exit code. Nothing else.
//!
//! Its allocator wipes every block it frees, and the old block of every
//! reallocation, before handing it back: a value that passed through an
//! ordinary `String` or `Vec` (a revealed password formatted for the
//! screen, a decrypted payload, a parsed import) does not outlive it in
//! freed memory, where no type's `Drop` can reach (PRODUCT.md §2
//! invariant 8). Argon2's memory (64-256 MiB) is wiped once per unlock.

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
    let code = baton::cli::main_with_args(std::env::args_os());
    std::process::exit(code);
}
