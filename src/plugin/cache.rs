//! The disk cache of compiled components: a 15 MB Python or JavaScript plugin takes
//! seconds to compile, so each is compiled once and its machine code kept in
//! `$XDG_CACHE_HOME/maestro/components` (or `MAESTRO_CACHE_DIR`), named by the
//! sha256 of the component and of the engine's compatibility hash. Only files that
//! maestro wrote there are ever loaded.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Instant;
use wasmtime::Engine;
use wasmtime::component::Component;

/// How a component was obtained.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum CacheState {
    /// Loaded from the cache.
    Hit { path: PathBuf },
    /// Compiled now (and stored, when `path` is set).
    Compiled { millis: u128, path: Option<PathBuf> },
}

/// The cache directory; `None` when there is no home to put it in.
pub struct Cache {
    dir: Option<PathBuf>,
}

impl Cache {
    pub fn new(dir: Option<PathBuf>) -> Cache {
        Cache { dir }
    }

    /// `MAESTRO_CACHE_DIR`, else `$XDG_CACHE_HOME/maestro/components`, else
    /// `~/.cache/maestro/components`.
    pub fn default_dir() -> Option<PathBuf> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(dir) = var("MAESTRO_CACHE_DIR") {
            return Some(PathBuf::from(dir));
        }
        let base = var("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
        Some(base.join("maestro/components"))
    }

    /// Where the compiled form of a component with this sha256 lives.
    pub fn path_for(&self, engine: &Engine, sha256: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        Some(dir.join(format!("{sha256}-{}.cwasm", engine_key(engine))))
    }

    /// The compiled component, if the cache has a sound one for this sha256.
    pub fn cached(&self, engine: &Engine, sha256: &str) -> Option<(Component, CacheState)> {
        let path = self.path_for(engine, sha256).filter(|p| p.is_file())?;
        // SAFETY: the file is one this cache wrote (named by the component's hash and
        // this engine's compatibility hash, in a directory only maestro writes);
        // wasmtime checks its header against the engine.
        let component = unsafe { Component::deserialize_file(engine, &path) }.ok()?;
        Some((component, CacheState::Hit { path }))
    }

    /// The sha256 and size of a plugin file hashed before, if it has not changed since
    /// (same path, size, modification time and inode), as make and ccache judge it.
    pub fn remembered(&self, file: &Path) -> Option<(String, usize)> {
        let memo = self.memo_path(file)?;
        let text = std::fs::read_to_string(memo).ok()?;
        let (sha256, size) = text.trim().split_once(' ')?;
        Some((sha256.to_string(), size.parse().ok()?))
    }

    /// Remembers a plugin file's sha256 (best effort).
    pub fn remember(&self, file: &Path, sha256: &str) {
        let (Some(memo), Ok(meta)) = (self.memo_path(file), file.metadata()) else {
            return;
        };
        if let Some(dir) = memo.parent()
            && std::fs::create_dir_all(dir).is_ok()
        {
            let _ = std::fs::write(memo, format!("{sha256} {}\n", meta.len()));
        }
    }

    /// `<cache>/files/<hash of path, size, mtime, inode>`.
    fn memo_path(&self, file: &Path) -> Option<PathBuf> {
        use std::os::unix::fs::MetadataExt;
        let dir = self.dir.as_ref()?;
        let path = file.canonicalize().ok()?;
        let meta = path.metadata().ok()?;
        let identity = format!(
            "{}\0{}\0{}\0{}\0{}",
            path.display(),
            meta.len(),
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ino()
        );
        Some(
            dir.join("files")
                .join(&sha256_hex(identity.as_bytes())[..32]),
        )
    }

    /// The compiled component: from the cache when it is there and sound, else
    /// compiled (and stored, best effort: a read-only cache only costs time).
    pub fn load(
        &self,
        engine: &Engine,
        bytes: &[u8],
        sha256: &str,
    ) -> wasmtime::Result<(Component, CacheState)> {
        if let Some(hit) = self.cached(engine, sha256) {
            return Ok(hit);
        }
        let path = self.path_for(engine, sha256);
        let started = Instant::now();
        let component = Component::new(engine, bytes)?;
        let millis = started.elapsed().as_millis();
        let stored = path.filter(|p| store(p, &component).is_ok());
        Ok((
            component,
            CacheState::Compiled {
                millis,
                path: stored,
            },
        ))
    }
}

fn store(path: &Path, component: &Component) -> std::io::Result<()> {
    let code = component.serialize().map_err(std::io::Error::other)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    restrict(dir);
    let partial = path.with_extension(format!("partial{}", std::process::id()));
    std::fs::write(&partial, code)?;
    std::fs::rename(&partial, path)
}

/// The cache holds machine code: nobody else may write there.
fn restrict(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
}

/// The sha256 of some bytes, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A short, stable name for what makes compiled code usable by this engine.
fn engine_key(engine: &Engine) -> String {
    struct Sha(Sha256);
    impl Hasher for Sha {
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
        fn finish(&self) -> u64 {
            0
        }
    }
    let mut hasher = Sha(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hex(&hasher.0.finalize()[..8])
}
