//! Helpers shared by maestro's built-in plugins: reading a check's options (the JSON
//! object maestro passes in `target.options`) and finding the port a check probes.
//! Pure Rust with no bindings, so every plugin (whatever its world) can use it.

use serde_json::{Map, Value};

/// A check's options, as given in the environment file.
pub struct Options(Map<String, Value>);

impl Options {
    /// Parses the JSON object maestro passes to a plugin.
    pub fn parse(json: &str) -> Result<Options, String> {
        match serde_json::from_str(json) {
            Ok(Value::Object(map)) => Ok(Options(map)),
            Ok(_) => Err("options are not a JSON object".to_string()),
            Err(e) => Err(format!("options are not valid JSON: {e}")),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    /// A text option; numbers and booleans are written out as YAML would show them.
    pub fn text(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    pub fn number(&self, key: &str) -> Option<f64> {
        match self.get(key)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A command: a string split like a shell would (no shell runs it), or a list.
    pub fn command(&self, key: &str) -> Result<Vec<String>, String> {
        let argv = match self.get(key) {
            Some(Value::String(line)) => {
                shlex::split(line).ok_or_else(|| format!("{key}: unbalanced quotes in {line:?}"))?
            }
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
            Some(_) => return Err(format!("{key}: expected a string or a list")),
            None => return Err(format!("missing option {key:?}")),
        };
        if argv.is_empty() {
            return Err(format!("{key}: the command is empty"));
        }
        Ok(argv)
    }
}

/// A port of the checked container, as the plugin's bindings give it.
pub struct PortRef<'a> {
    pub name: &'a str,
    pub external: u16,
    pub tcp: bool,
}

/// Finds the ship-side port a check probes: `port` names one of the container's
/// ports, or (when `allow_number`) gives a number directly.
pub fn external_port(
    options: &Options,
    ports: &[PortRef<'_>],
    allow_number: bool,
) -> Result<u16, String> {
    let wanted = options
        .text("port")
        .ok_or_else(|| "missing option \"port\"".to_string())?;
    if let Some(port) = ports.iter().find(|p| p.name == wanted) {
        return if port.tcp {
            Ok(port.external)
        } else {
            Err(format!("port {wanted:?} is not a TCP port"))
        };
    }
    match wanted.parse::<u16>() {
        Ok(number) if allow_number && number > 0 => Ok(number),
        _ => Err(format!("the container has no port named {wanted:?}")),
    }
}

/// The end of a program's output, for a short reason line.
pub fn last_line(output: &str) -> &str {
    output
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
}

/// Describes how a program ended, for a not-ready reason.
pub fn describe_exit(program: &str, exit_code: i32, output: &str) -> String {
    let status = if exit_code < 0 {
        "was killed by a signal".to_string()
    } else {
        format!("exited with {exit_code}")
    };
    match last_line(output) {
        "" => format!("{program} {status}"),
        line => format!("{program} {status}: {line}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_like_a_shell() {
        let o = Options::parse(r#"{"command": "check --name 'a b'"}"#).unwrap();
        assert_eq!(o.command("command").unwrap(), ["check", "--name", "a b"]);
        let o = Options::parse(r#"{"command": ["a", 1]}"#).unwrap();
        assert_eq!(o.command("command").unwrap(), ["a", "1"]);
    }

    #[test]
    fn ports_by_name_or_number() {
        let ports = [PortRef {
            name: "web",
            external: 8080,
            tcp: true,
        }];
        let named = Options::parse(r#"{"port": "web"}"#).unwrap();
        assert_eq!(external_port(&named, &ports, false), Ok(8080));
        let number = Options::parse(r#"{"port": 9000}"#).unwrap();
        assert_eq!(external_port(&number, &ports, true), Ok(9000));
        assert!(external_port(&number, &ports, false).is_err());
    }
}
