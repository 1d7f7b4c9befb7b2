//! Programs run on a plugin's behalf: `run_local` for the `exec` capability (on
//! maestro's machine), and the `ContainerRunner` that the Docker side provides for
//! `container-exec`.

use super::types::Completion;
use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::Stdio;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

/// The most output kept from a program: its end.
pub const MAX_OUTPUT: usize = 4096;

/// Runs a command inside one container (`docker exec`), for `container-exec`.
pub trait ContainerRunner: Send + Sync {
    fn run(
        &self,
        command: Vec<String>,
    ) -> Pin<Box<dyn Future<Output = Result<Completion, String>> + Send + 'static>>;
}

/// Runs `command` on this machine, in maestro's working directory, as MaestroNG's
/// `exec` check did: the container's environment is added to maestro's own, or, with
/// `as_stdin`, sent as a JSON object (maestro's environment merged with the
/// container's) on standard input. The program is killed if the call is abandoned.
pub async fn run_local(
    command: &[String],
    container_env: &[(String, String)],
    as_stdin: bool,
) -> Result<Completion, String> {
    let Some((program, args)) = command.split_first() else {
        return Err("the command is empty".to_string());
    };
    let path = resolve_program(program, std::env::var_os("PATH").as_deref())
        .ok_or_else(|| format!("program {program:?} not found"))?;
    let mut child = tokio::process::Command::new(&path);
    child
        .args(args)
        .stdin(if as_stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if !as_stdin {
        child.envs(container_env.iter().map(|(k, v)| (k, v)));
    }
    let mut child = child
        .spawn()
        .map_err(|e| format!("cannot run {program:?}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let mut merged: BTreeMap<String, String> = std::env::vars().collect();
        merged.extend(container_env.iter().cloned());
        let json = serde_json::to_vec(&merged).unwrap_or_default();
        // A program that does not read its input is not an error.
        let _ = stdin.write_all(&json).await;
    }
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let (out, err, status) = tokio::join!(tail(stdout), tail(stderr), child.wait());
    let status = status.map_err(|e| format!("waiting for {program:?}: {e}"))?;
    let mut output = out;
    output.push_str(&err);
    Ok(Completion {
        exit_code: status.code().unwrap_or(-1),
        output: last_bytes(&output, MAX_OUTPUT).to_string(),
    })
}

/// The absolute path of a program: as given when it contains a `/`, else the first
/// executable of that name on `PATH`. Spawning an absolute path keeps the fast
/// posix_spawn path of the standard library.
pub fn resolve_program(program: &str, path: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    if program.contains('/') {
        return Some(PathBuf::from(program));
    }
    std::env::split_paths(path?)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Reads a stream to its end, keeping the last `MAX_OUTPUT` bytes.
async fn tail(stream: Option<impl AsyncRead + Unpin>) -> String {
    let Some(mut stream) = stream else {
        return String::new();
    };
    let mut kept: Vec<u8> = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            break;
        }
        kept.extend_from_slice(&buf[..n]);
        if kept.len() > 2 * MAX_OUTPUT {
            kept.drain(..kept.len() - MAX_OUTPUT);
        }
    }
    String::from_utf8_lossy(&kept).into_owned()
}

fn last_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_resolve_on_path() {
        let path = std::ffi::OsString::from("/nonexistent:/bin:/usr/bin");
        let sh = resolve_program("sh", Some(&path)).unwrap();
        assert!(sh.is_absolute() && sh.ends_with("sh"));
        assert_eq!(resolve_program("no-such-program-here", Some(&path)), None);
        assert_eq!(
            resolve_program("./x", Some(&path)),
            Some(PathBuf::from("./x"))
        );
    }

    #[test]
    fn output_keeps_its_end() {
        assert_eq!(last_bytes("abcdef", 3), "def");
        assert_eq!(last_bytes("é", 1), "");
    }

    #[tokio::test]
    async fn local_commands_get_the_container_env() {
        let env = [("MAESTRO_T".to_string(), "x1".to_string())];
        let cmd = ["sh", "-c", "echo $MAESTRO_T; exit 3"].map(String::from);
        let done = run_local(&cmd, &env, false).await.unwrap();
        assert_eq!((done.exit_code, done.output.as_str()), (3, "x1\n"));
        let cmd = ["sh", "-c", "cat"].map(String::from);
        let done = run_local(&cmd, &env, true).await.unwrap();
        assert!(
            done.output.contains(r#""MAESTRO_T":"x1""#),
            "{}",
            done.output
        );
    }
}
