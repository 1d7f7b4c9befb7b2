//! One audit call and MaestroNG's texts for it (`audit.py`'s `_format_*`), word for
//! word: `alice is starting c1, c2.`, `Start of c1, c2 succeeded.`, `Failed to start c1!
//! (message: …)`, and what its webhook and script auditors saw of the targets (Python's
//! `repr` of a container: `c1 (on ship)`).

use super::Level;

/// A container an audit call is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    pub ship: String,
    /// What the exec auditor's script is told: the ship's address and the service.
    pub ship_ip: String,
    pub service: String,
}

/// What happened, as MaestroNG's auditors are told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Action,
    Success,
    Error { message: String },
}

impl Kind {
    /// Errors reach every auditor, whatever its level.
    pub fn is_error(&self) -> bool {
        matches!(self, Kind::Error { .. })
    }
}

/// One call to the auditors: of the play (`play`: every container) or of one task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub level: Level,
    pub kind: Kind,
    /// The play's or the task's name: `start`, `stop`, `status`…
    pub action: &'static str,
    pub targets: Vec<Target>,
    pub play: bool,
}

impl Call {
    pub fn action(level: Level, action: &'static str, targets: Vec<Target>, play: bool) -> Call {
        Call {
            level,
            kind: Kind::Action,
            action,
            targets,
            play,
        }
    }

    pub fn success(level: Level, action: &'static str, targets: Vec<Target>, play: bool) -> Call {
        Call {
            level,
            kind: Kind::Success,
            action,
            targets,
            play,
        }
    }

    /// Errors are not filtered by level (MaestroNG logs them at ERROR).
    pub fn error(action: &'static str, targets: Vec<Target>, message: String, play: bool) -> Call {
        Call {
            level: Level::Error,
            kind: Kind::Error { message },
            action,
            targets,
            play,
        }
    }

    /// `_format_what`: the names, joined by `, `.
    pub fn what(&self) -> String {
        let names: Vec<&str> = self.targets.iter().map(|t| t.name.as_str()).collect();
        names.join(", ")
    }

    /// `_fits_compact`: one container, or a list of fewer than five.
    pub fn fits_compact(&self) -> bool {
        !self.play || self.targets.len() < 5
    }

    /// `_format_what_compact`: the names, or `N containers` for five and more.
    pub fn what_compact(&self) -> String {
        if self.fits_compact() {
            self.what()
        } else {
            let n = self.targets.len();
            format!("{n} container{}", if n == 1 { "" } else { "s" })
        }
    }

    /// Python's `str()` of what MaestroNG passed: a list's `[c1 (on s), …]` for the play,
    /// `c1 (on s)` for a task.
    pub fn what_repr(&self) -> String {
        let each: Vec<String> = self
            .targets
            .iter()
            .map(|t| format!("{} (on {})", t.name, t.ship))
            .collect();
        if self.play {
            format!("[{}]", each.join(", "))
        } else {
            each.join(", ")
        }
    }

    /// `_format_action_verb`: `starting`, `stopping`, `statusing`…
    fn verb(&self) -> String {
        match self.action {
            "stop" => "stopping".into(),
            other => format!("{other}ing"),
        }
    }

    /// The log auditor's line text (targets by name).
    pub fn log_text(&self, who: &str) -> String {
        self.text(who, &self.what())
    }

    /// `_format_action`, `_format_success` or `_format_error` over `what`.
    pub fn text(&self, who: &str, what: &str) -> String {
        match &self.kind {
            Kind::Action => format!("{who} is {} {what}.", self.verb()),
            Kind::Success => format!("{} of {what} succeeded.", title(self.action)),
            Kind::Error { message } if message.is_empty() => {
                format!("Failed to {} {what}!", self.action)
            }
            Kind::Error { message } => {
                format!("Failed to {} {what}! (message: {message})", self.action)
            }
        }
    }
}

/// Python's `str.title()` for a one-word action.
fn title(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `getpass.getuser()`: LOGNAME, USER, LNAME, USERNAME, then the password database.
pub fn who() -> String {
    for name in ["LOGNAME", "USER", "LNAME", "USERNAME"] {
        if let Ok(user) = std::env::var(name)
            && !user.is_empty()
        {
            return user;
        }
    }
    // SAFETY: getpwuid returns a pointer into static storage or null; read at once.
    unsafe {
        let entry = libc::getpwuid(libc::getuid());
        if !entry.is_null() && !(*entry).pw_name.is_null() {
            return std::ffi::CStr::from_ptr((*entry).pw_name)
                .to_string_lossy()
                .into_owned();
        }
    }
    "unknown".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(names: &[&str]) -> Vec<Target> {
        names
            .iter()
            .map(|n| Target {
                name: n.to_string(),
                ship: "local".into(),
                ship_ip: "127.0.0.1".into(),
                service: "s".into(),
            })
            .collect()
    }

    #[test]
    fn texts_are_maestrong_s() {
        let play = Call::action(Level::Info, "stop", targets(&["a-1", "b-1"]), true);
        assert_eq!(play.log_text("alice"), "alice is stopping a-1, b-1.");
        assert_eq!(
            play.text("alice", &play.what_repr()),
            "alice is stopping [a-1 (on local), b-1 (on local)]."
        );
        let done = Call::success(Level::Info, "start", targets(&["a-1"]), true);
        assert_eq!(done.log_text("alice"), "Start of a-1 succeeded.");
        let failed = Call::error("start", targets(&["a-1"]), "boom".into(), false);
        assert_eq!(
            failed.log_text("alice"),
            "Failed to start a-1! (message: boom)"
        );
        assert_eq!(
            Call::action(Level::Debug, "status", targets(&["a-1"]), false).log_text("bob"),
            "bob is statusing a-1."
        );
    }
}
