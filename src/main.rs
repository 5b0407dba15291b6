//! The `steward` binary: parses the command line and hands over to [`steward::cli`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    steward::cli::main().await
}
