//! The `steward` binary: parses the command line and hands over to [`steward::cli`].

/// mimalloc returns freed memory to the system promptly; with glibc's
/// per-thread arenas a sign-in flood left hundreds of MB behind (bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    steward::cli::main().await
}
