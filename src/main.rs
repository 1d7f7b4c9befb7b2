//! The `maestro` binary: everything is in the library.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(maestro::run(std::env::args_os()))
}
