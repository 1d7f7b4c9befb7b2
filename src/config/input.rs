//! Bounded reading of every file a user hands maestro: `-f FILE`, standard input (`-f -`),
//! Jinja includes and envfiles. Only regular files are read — a device, FIFO, socket or
//! directory is refused before a byte is read (the file is opened non-blocking, so a FIFO
//! without a writer cannot hold maestro, and checked again once open) — at most
//! [`MAX_FILE_BYTES`], and only UTF-8 text. Standard input may be a pipe or a file and is
//! read up to the same cap.
//!
//! Hand-written: std's `read_to_string` has no cap and no file-kind check, and the whole
//! policy is these few lines.

use std::fs::{Metadata, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// The most bytes maestro reads from one input file (documented in the README's limits).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Why an input could not be read; shown after the file's name.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("not found")]
    NotFound,
    #[error("is {0}, not a regular file: maestro reads only regular files")]
    NotAFile(&'static str),
    #[error("is larger than {} MiB, the most maestro reads from one file", MAX_FILE_BYTES >> 20)]
    TooLarge,
    #[error("is not UTF-8 text")]
    NotText,
    #[error("cannot be read: {0}")]
    Io(std::io::Error),
}

impl From<std::io::Error> for InputError {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::NotFound => InputError::NotFound,
            std::io::ErrorKind::InvalidData => InputError::NotText,
            _ => InputError::Io(e),
        }
    }
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`] as text.
pub fn read_file(path: &Path) -> Result<String, InputError> {
    regular(&std::fs::metadata(path)?)?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    // The file opened is the one checked, even if the path changed in between.
    regular(&file.metadata()?)?;
    read_capped(file)
}

/// Reads standard input up to [`MAX_FILE_BYTES`] as text.
pub fn read_stdin() -> Result<String, InputError> {
    read_capped(std::io::stdin().lock())
}

fn regular(meta: &Metadata) -> Result<(), InputError> {
    let kind = meta.file_type();
    let what = if kind.is_file() {
        return Ok(());
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    };
    Err(InputError::NotAFile(what))
}

fn read_capped(reader: impl Read) -> Result<String, InputError> {
    let mut bytes = Vec::new();
    reader.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(InputError::TooLarge);
    }
    String::from_utf8(bytes).map_err(|_| InputError::NotText)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;

    #[test]
    fn devices_fifos_and_directories_are_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let shown = |p: &Path| read_file(p).unwrap_err().to_string();
        assert_eq!(
            shown(&fifo),
            "is a FIFO, not a regular file: maestro reads only regular files"
        );
        assert_eq!(
            shown(Path::new("/dev/zero")),
            "is a device, not a regular file: maestro reads only regular files"
        );
        assert_eq!(
            shown(dir.path()),
            "is a directory, not a regular file: maestro reads only regular files"
        );
        assert_eq!(shown(&dir.path().join("nope")), "not found");
    }

    #[test]
    fn large_and_binary_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        let file = File::create(&big).unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        assert_eq!(
            read_file(&big).unwrap_err().to_string(),
            "is larger than 16 MiB, the most maestro reads from one file"
        );
        let binary = dir.path().join("binary");
        std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
        assert_eq!(
            read_file(&binary).unwrap_err().to_string(),
            "is not UTF-8 text"
        );
        assert_eq!(
            read_capped(std::io::repeat(b'#')).unwrap_err().to_string(),
            "is larger than 16 MiB, the most maestro reads from one file"
        );
    }
}
