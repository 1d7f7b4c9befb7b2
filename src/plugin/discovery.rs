//! Where plugins are found: a check `type: NAME` that is not built in is the file
//! `NAME.wasm` in the first of these directories that has one: `--plugin-dir` and
//! `MAESTRO_PLUGIN_PATH` (colon-separated), the `plugins/` folder next to the
//! environment file, and `$XDG_DATA_HOME/maestro/plugins`.

use std::path::{Path, PathBuf};

/// The directories searched, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchPath {
    pub dirs: Vec<PathBuf>,
}

impl SearchPath {
    /// The search path for an environment file in `env_dir`, with the command line's
    /// `--plugin-dir`s and the process environment's variables.
    pub fn new(
        plugin_dirs: &[PathBuf],
        env_dir: Option<&Path>,
        var: impl Fn(&str) -> Option<String>,
    ) -> SearchPath {
        let mut dirs: Vec<PathBuf> = plugin_dirs.to_vec();
        if let Some(path) = var("MAESTRO_PLUGIN_PATH") {
            dirs.extend(path.split(':').filter(|p| !p.is_empty()).map(PathBuf::from));
        }
        if let Some(dir) = env_dir {
            dirs.push(dir.join("plugins"));
        }
        let data = var("XDG_DATA_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".local/share")));
        if let Some(data) = data {
            dirs.push(data.join("maestro/plugins"));
        }
        SearchPath { dirs }
    }

    /// The file of plugin `name`, if any directory has it.
    pub fn find(&self, name: &str) -> Option<PathBuf> {
        self.dirs
            .iter()
            .map(|dir| dir.join(format!("{name}.wasm")))
            .find(|file| file.is_file())
    }

    /// Every plugin file on the path: name, file, and whether an earlier directory's
    /// file of the same name hides it.
    pub fn all(&self) -> Vec<(String, PathBuf, bool)> {
        let mut found: Vec<(String, PathBuf, bool)> = Vec::new();
        for dir in &self.dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "wasm") && p.is_file())
                .collect();
            files.sort();
            for file in files {
                let Some(name) = file.file_stem().and_then(|s| s.to_str()) else {
                    continue;
                };
                let hidden = found.iter().any(|(n, _, _)| n == name);
                found.push((name.to_string(), file.clone(), hidden));
            }
        }
        found
    }

    /// The directories, for messages: `a, b, c`.
    pub fn describe(&self) -> String {
        let dirs: Vec<String> = self.dirs.iter().map(|d| d.display().to_string()).collect();
        dirs.join(", ")
    }
}

/// Is `name` usable as a plugin name (and so as a file name)?
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_order() {
        let vars = |name: &str| match name {
            "MAESTRO_PLUGIN_PATH" => Some("/a:/b".to_string()),
            "HOME" => Some("/home/u".to_string()),
            _ => None,
        };
        let path = SearchPath::new(&[PathBuf::from("/cli")], Some(Path::new("/env")), vars);
        let dirs: Vec<&str> = path.dirs.iter().map(|d| d.to_str().unwrap()).collect();
        assert_eq!(
            dirs,
            [
                "/cli",
                "/a",
                "/b",
                "/env/plugins",
                "/home/u/.local/share/maestro/plugins"
            ]
        );
    }

    #[test]
    fn names_are_plain() {
        assert!(valid_name("redis-ping_2"));
        assert!(!valid_name("../x"));
        assert!(!valid_name(""));
    }
}
