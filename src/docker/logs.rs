//! A container's output, line by line with the daemon's timestamps (its last lines, or
//! followed as it is written), and the moment a stopped container is started again
//! (to re-attach to it).

use super::error::Cause;
use super::{DockerError, ShipClient};
use bollard::container::LogOutput;
use bollard::query_parameters::{EventsOptions, LogsOptions};
use futures_util::StreamExt;
use std::collections::HashMap;

/// One line a container wrote, without its line ending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// Written on its stderr (else its stdout).
    pub stderr: bool,
    /// The daemon's RFC 3339 time of the line.
    pub time: Option<String>,
    pub text: String,
}

/// Where `logs` starts and whether it goes on.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogRange {
    /// The last lines only (all without).
    pub tail: Option<u64>,
    /// Go on with what it writes until it stops.
    pub follow: bool,
    /// From this Unix second on (0: from the start).
    pub since: i64,
}

impl ShipClient {
    /// Hands each line `name` wrote in `range` to `sink`, in order per stream, until
    /// the daemon ends the stream or `sink` returns false. A last line without an
    /// ending is handed over when the stream ends.
    pub async fn log_lines(
        &self,
        name: &str,
        range: LogRange,
        sink: &mut (dyn FnMut(LogLine) -> bool + Send),
    ) -> Result<(), DockerError> {
        let docker = self.docker().await?;
        let options = LogsOptions {
            follow: range.follow,
            stdout: true,
            stderr: true,
            since: range.since.clamp(0, i32::MAX as i64) as i32,
            tail: range
                .tail
                .map_or_else(|| "all".to_string(), |n| n.to_string()),
            timestamps: true,
            ..Default::default()
        };
        let mut logs = docker.logs(name, Some(options));
        // What each stream (stdout, stderr) wrote after its last line ending.
        let mut partial: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
        while let Some(chunk) = logs.next().await {
            let chunk = chunk.map_err(|e| {
                let cause = Cause::of(e, self.timeout());
                self.error("read the logs of", format!("container `{name}`"), cause)
            })?;
            let stderr = matches!(chunk, LogOutput::StdErr { .. });
            let buffer = &mut partial[stderr as usize];
            buffer.extend_from_slice(&chunk.into_bytes());
            while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
                let raw: Vec<u8> = buffer.drain(..=end).collect();
                if !sink(log_line(stderr, &raw[..raw.len() - 1])) {
                    return Ok(());
                }
            }
        }
        for (stream, rest) in partial.iter().enumerate() {
            if !rest.is_empty() && !sink(log_line(stream == 1, rest)) {
                break;
            }
        }
        Ok(())
    }

    /// Waits until the daemon reports that `name` was started.
    pub async fn wait_started(&self, name: &str) -> Result<(), DockerError> {
        let docker = self.docker().await?;
        let filters = HashMap::from([
            ("type".to_string(), vec!["container".to_string()]),
            ("event".to_string(), vec!["start".to_string()]),
            ("container".to_string(), vec![name.to_string()]),
        ]);
        let options = EventsOptions {
            filters: Some(filters),
            ..Default::default()
        };
        let mut events = docker.events(Some(options));
        let subject = format!("container `{name}`");
        match events.next().await {
            Some(Ok(_)) => Ok(()),
            Some(Err(e)) => Err(self.error("watch", subject, Cause::of(e, self.timeout()))),
            None => Err(self.error(
                "watch",
                subject,
                Cause::Other("the daemon closed the event stream".into()),
            )),
        }
    }
}

/// A line as the daemon sends it with timestamps: `TIME TEXT`.
fn log_line(stderr: bool, raw: &[u8]) -> LogLine {
    let text = String::from_utf8_lossy(raw);
    let text = text.strip_suffix('\r').unwrap_or(&text);
    let (time, text) = match text.split_once(' ') {
        Some((time, rest)) if super::unix_nanos(time).is_some() => (Some(time.to_string()), rest),
        _ => (None, text),
    };
    LogLine {
        stderr,
        time,
        text: text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::log_line;

    #[test]
    fn lines_with_the_daemon_s_time() {
        let line = log_line(true, b"2026-12-01T10:00:00.000000001Z hello world\r");
        assert_eq!(line.time.as_deref(), Some("2026-12-01T10:00:00.000000001Z"));
        assert_eq!((line.stderr, line.text.as_str()), (true, "hello world"));
        let bare = log_line(false, b"no time here");
        assert_eq!((bare.time, bare.text.as_str()), (None, "no time here"));
    }
}
