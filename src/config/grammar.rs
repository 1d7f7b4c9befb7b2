//! The small text grammars of an environment file, as MaestroNG reads them: port specs,
//! restart policies, memory sizes and image names. Pure functions over strings; each error
//! says what was expected. No YAML, no IO.

use std::fmt;

/// `tcp` or `udp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        })
    }
}

/// One side of a port mapping: a port or a range, as written (leading zeros kept, as
/// MaestroNG keeps them in the variables it injects), and its protocol.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortAtom {
    /// The number as written, e.g. `8080` or `080`.
    pub first: String,
    /// The end of a range, e.g. `1236` in `1234-1236`.
    pub last: Option<String>,
    pub protocol: Protocol,
}

impl PortAtom {
    /// The number part: `8080` or `1234-1236` (what `_PORT` variables hold).
    pub fn number(&self) -> String {
        match &self.last {
            Some(last) => format!("{}-{}", self.first, last),
            None => self.first.clone(),
        }
    }

    /// The first port as a number.
    pub fn first_port(&self) -> u16 {
        self.first.parse().unwrap_or(0)
    }

    pub fn is_range(&self) -> bool {
        self.last.is_some()
    }
}

impl fmt::Display for PortAtom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.number(), self.protocol)
    }
}

/// Why a port spec was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    #[error("invalid port specification {0:?}: expected <port>, <p1>-<p2> or <port>/{{tcp,udp}}")]
    Atom(String),
    #[error("port {0} is out of range (1-65535)")]
    OutOfRange(String),
    #[error("mismatched protocols between {0} and {1}")]
    Mismatch(String, String),
    #[error("invalid port spec {0:?}: expected \"exposed\" or \"exposed:external\"")]
    Parts(String),
    #[error("the exposed port {0} is a range; Docker exposes single ports (give the range on the external side: \"{first}:{0}\")", first = .0.split('-').next().unwrap_or(""))]
    ExposedRange(String),
    #[error("the range {0} runs backwards")]
    BackwardsRange(String),
}

/// Parses `80`, `80/udp`, `1234-1236` or `1234-1236/tcp` (MaestroNG's port atom).
pub fn parse_port_atom(text: &str) -> Result<PortAtom, PortError> {
    let bad = || PortError::Atom(text.to_string());
    let (numbers, protocol) = match text.split_once('/') {
        Some((n, "tcp")) => (n, Protocol::Tcp),
        Some((n, "udp")) => (n, Protocol::Udp),
        Some(_) => return Err(bad()),
        None => (text, Protocol::Tcp),
    };
    let (first, last) = match numbers.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (numbers, None),
    };
    let is_number =
        |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
    if !is_number(first) || last.is_some_and(|l| !is_number(l)) {
        return Err(bad());
    }
    for n in std::iter::once(first).chain(last) {
        let value: u64 = n.parse().map_err(|_| bad())?;
        if value == 0 || value > 65535 {
            return Err(PortError::OutOfRange(n.to_string()));
        }
    }
    if let Some(l) = last
        && l.parse::<u64>().ok() < first.parse::<u64>().ok()
    {
        return Err(PortError::BackwardsRange(numbers.to_string()));
    }
    Ok(PortAtom {
        first: first.to_string(),
        last: last.map(str::to_string),
        protocol,
    })
}

/// Parses the string form of a port: `"80"` or `"exposed:external"` — exposed first, as
/// MaestroNG reads it (the reverse of `docker -p`). Returns (exposed, external).
pub fn parse_port_pair(text: &str) -> Result<(PortAtom, PortAtom), PortError> {
    let parts: Vec<&str> = text.split(':').collect();
    let (exposed, external) = match parts.as_slice() {
        [one] => {
            let atom = parse_port_atom(one)?;
            (atom.clone(), atom)
        }
        [a, b] => (parse_port_atom(a)?, parse_port_atom(b)?),
        _ => return Err(PortError::Parts(text.to_string())),
    };
    if exposed.protocol != external.protocol {
        return Err(PortError::Mismatch(
            exposed.to_string(),
            external.to_string(),
        ));
    }
    check_exposed(&exposed)?;
    Ok((exposed, external))
}

/// Docker exposes single ports only (MaestroNG accepted ranges, Docker then refused them).
pub fn check_exposed(exposed: &PortAtom) -> Result<(), PortError> {
    if exposed.is_range() {
        return Err(PortError::ExposedRange(exposed.number()));
    }
    Ok(())
}

/// Docker's restart policy names.
pub const RESTART_POLICIES: [&str; 4] = ["no", "always", "on-failure", "unless-stopped"];

/// A restart policy: a name and the maximum retry count.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RestartPolicy {
    pub name: String,
    pub maximum_retry_count: u32,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        RestartPolicy {
            name: "no".into(),
            maximum_retry_count: 0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RestartError {
    #[error("invalid restart policy {0:?}: choose one of no, always, on-failure, unless-stopped")]
    Name(String),
    #[error("invalid restart policy format {0:?}: expected NAME or NAME:RETRIES")]
    Format(String),
}

/// Parses `name` or `name:retries`.
pub fn parse_restart(text: &str) -> Result<RestartPolicy, RestartError> {
    let (name, retries) = match text.split_once(':') {
        Some((n, r)) => (n, Some(r)),
        None => (text, None),
    };
    let maximum_retry_count = match retries {
        None => 0,
        Some(r) => r
            .parse()
            .map_err(|_| RestartError::Format(text.to_string()))?,
    };
    restart_policy(name, maximum_retry_count)
}

/// Checks a policy name.
pub fn restart_policy(name: &str, maximum_retry_count: u32) -> Result<RestartPolicy, RestartError> {
    if !RESTART_POLICIES.contains(&name) {
        return Err(RestartError::Name(name.to_string()));
    }
    Ok(RestartPolicy {
        name: name.to_string(),
        maximum_retry_count,
    })
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    #[error("unknown unit suffix {suffix:?} in {text:?}: use k, m or g (powers of 1024)")]
    Unit { text: String, suffix: String },
    #[error(
        "invalid size {0:?}: expected a whole number of bytes, optionally followed by k, m or g"
    )]
    Number(String),
}

/// Parses a memory size: `42`, `42k`, `10m`, `1G` (powers of 1024, case-insensitive).
pub fn parse_size(text: &str) -> Result<u64, SizeError> {
    let bad = || SizeError::Number(text.to_string());
    let last = text.chars().last().ok_or_else(bad)?;
    if last.is_ascii_digit() {
        return text.parse().map_err(|_| bad());
    }
    let multiplier: u64 = match last.to_ascii_lowercase() {
        'k' => 1 << 10,
        'm' => 1 << 20,
        'g' => 1 << 30,
        _ => {
            return Err(SizeError::Unit {
                text: text.to_string(),
                suffix: last.to_string(),
            });
        }
    };
    let number: u64 = text[..text.len() - last.len_utf8()]
        .parse()
        .map_err(|_| bad())?;
    number.checked_mul(multiplier).ok_or_else(bad)
}

/// An image reference split the way MaestroNG splits it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ImageRef {
    /// As written, e.g. `quay.io:8081/foo/bar:13.10`.
    pub full: String,
    /// `quay.io:8081/foo/bar`.
    pub repository: String,
    /// `13.10`; `latest` when none is given.
    pub tag: String,
}

impl ImageRef {
    /// Splits a digest off at `@` (`img@sha256:…`: repository `img`, the digest in the
    /// tag's place, as Docker reads it — MaestroNG split at the digest's `:`); otherwise
    /// on the last `:` unless what follows holds a `/` (then it was a registry port).
    pub fn parse(full: &str) -> ImageRef {
        let (repository, tag) = match (full.split_once('@'), full.rsplit_once(':')) {
            (Some((repo, digest)), _) => (repo, digest),
            (None, Some((repo, tag))) if !tag.contains('/') => (repo, tag),
            _ => (full, "latest"),
        };
        ImageRef {
            full: full.to_string(),
            repository: repository.to_string(),
            tag: tag.to_string(),
        }
    }

    /// The registry part (before the first `/`), if any: `quay.io` in `quay.io/foo/bar`.
    pub fn registry_part(&self) -> Option<&str> {
        self.repository.split_once('/').map(|(first, _)| first)
    }

    /// The registry host the image names, as Docker reads it: its first path part when
    /// that is `localhost` or holds a `.` or `:` (`quay.io:8081`); `myorg/app` names none.
    pub fn registry_host(&self) -> Option<&str> {
        self.registry_part()
            .filter(|p| *p == "localhost" || p.contains(['.', ':']))
    }

    /// The image without its registry host, for status lines: `foo/bar:13.10` for
    /// `quay.io:8081/foo/bar:13.10`; an organisation (`myorg/app`) is kept.
    pub fn short(&self) -> &str {
        match self.registry_host() {
            Some(host) => &self.full[host.len() + 1..],
            None => &self.full,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(text: &str) -> Result<(String, String), PortError> {
        parse_port_pair(text).map(|(a, b)| (a.to_string(), b.to_string()))
    }

    #[test]
    fn port_strings_like_maestro() {
        let ok = [
            ("80", "80/tcp", "80/tcp"),
            ("80/tcp", "80/tcp", "80/tcp"),
            ("80/udp", "80/udp", "80/udp"),
            ("80:8080", "80/tcp", "8080/tcp"),
            ("80/udp:8080/udp", "80/udp", "8080/udp"),
            ("53/udp:5353/udp", "53/udp", "5353/udp"),
            ("1234:1234-1236", "1234/tcp", "1234-1236/tcp"),
            ("080", "080/tcp", "080/tcp"),
        ];
        for (text, exposed, external) in ok {
            assert_eq!(
                pair(text),
                Ok((exposed.into(), external.into())),
                "for {text}"
            );
        }
    }

    #[test]
    fn port_errors_name_the_spec() {
        let cases = [
            (
                "80:8080/udp",
                "mismatched protocols between 80/tcp and 8080/udp",
            ),
            (
                "80/udp:8080",
                "mismatched protocols between 80/udp and 8080/tcp",
            ),
            (
                "80/tcp:8080/udp",
                "mismatched protocols between 80/tcp and 8080/udp",
            ),
            (
                "80:90:100",
                "invalid port spec \"80:90:100\": expected \"exposed\" or \"exposed:external\"",
            ),
            (
                "abc",
                "invalid port specification \"abc\": expected <port>, <p1>-<p2> or <port>/{tcp,udp}",
            ),
            (
                "80/sctp",
                "invalid port specification \"80/sctp\": expected <port>, <p1>-<p2> or <port>/{tcp,udp}",
            ),
            (
                " 80",
                "invalid port specification \" 80\": expected <port>, <p1>-<p2> or <port>/{tcp,udp}",
            ),
            ("0", "port 0 is out of range (1-65535)"),
            ("99999", "port 99999 is out of range (1-65535)"),
            (
                "1234-1236",
                "the exposed port 1234-1236 is a range; Docker exposes single ports (give the range on the external side: \"1234:1234-1236\")",
            ),
            ("1236-1234", "the range 1236-1234 runs backwards"),
        ];
        for (text, message) in cases {
            assert_eq!(pair(text).unwrap_err().to_string(), message, "for {text}");
        }
    }

    #[test]
    fn restart_policies() {
        let p = |name: &str, n| RestartPolicy {
            name: name.into(),
            maximum_retry_count: n,
        };
        assert_eq!(parse_restart("no"), Ok(p("no", 0)));
        assert_eq!(parse_restart("always"), Ok(p("always", 0)));
        assert_eq!(parse_restart("on-failure"), Ok(p("on-failure", 0)));
        assert_eq!(parse_restart("unless-stopped"), Ok(p("unless-stopped", 0)));
        assert_eq!(parse_restart("on-failure:3"), Ok(p("on-failure", 3)));
        assert_eq!(parse_restart("always:5"), Ok(p("always", 5)));
        assert_eq!(
            parse_restart("noclue").unwrap_err().to_string(),
            "invalid restart policy \"noclue\": choose one of no, always, on-failure, unless-stopped"
        );
        for bad in ["on-failure:x", "on-failure:3:4"] {
            assert_eq!(
                parse_restart(bad).unwrap_err().to_string(),
                format!("invalid restart policy format {bad:?}: expected NAME or NAME:RETRIES")
            );
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("42"), Ok(42));
        assert_eq!(parse_size("42k"), Ok(43008));
        assert_eq!(parse_size("42K"), Ok(43008));
        assert_eq!(parse_size("10m"), Ok(10485760));
        assert_eq!(parse_size("1g"), Ok(1073741824));
        assert_eq!(parse_size("1G"), Ok(1073741824));
        assert_eq!(
            parse_size("10x").unwrap_err().to_string(),
            "unknown unit suffix \"x\" in \"10x\": use k, m or g (powers of 1024)"
        );
        for bad in ["1.5g", "k", "", "-5", "99999999999999g"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn images_split_like_maestro() {
        // MaestroNG's cases, but for two differences on purpose: the short form keeps an
        // organisation (MaestroNG showed `stackbrew/ubuntu` as `ubuntu`), and a digest
        // is split at `@` as Docker reads it.
        let cases = [
            (
                "stackbrew/ubuntu:13.10",
                "stackbrew/ubuntu",
                "13.10",
                "stackbrew/ubuntu:13.10",
            ),
            (
                "stackbrew/ubuntu",
                "stackbrew/ubuntu",
                "latest",
                "stackbrew/ubuntu",
            ),
            (
                "quay.io/foo/bar:13.10",
                "quay.io/foo/bar",
                "13.10",
                "foo/bar:13.10",
            ),
            (
                "quay.io:8081/foo/bar:13.10",
                "quay.io:8081/foo/bar",
                "13.10",
                "foo/bar:13.10",
            ),
            (
                "quay.io:8081/foo/bar",
                "quay.io:8081/foo/bar",
                "latest",
                "foo/bar",
            ),
            ("ubuntu", "ubuntu", "latest", "ubuntu"),
            ("ubuntu:14.04", "ubuntu", "14.04", "ubuntu:14.04"),
            ("localhost:5000/x", "localhost:5000/x", "latest", "x"),
            ("img@sha256:abcd", "img", "sha256:abcd", "img@sha256:abcd"),
            (
                "quay.io:8081/foo/bar@sha256:abcd",
                "quay.io:8081/foo/bar",
                "sha256:abcd",
                "foo/bar@sha256:abcd",
            ),
            (
                "maestro-demo/busybox:1",
                "maestro-demo/busybox",
                "1",
                "maestro-demo/busybox:1",
            ),
        ];
        for (full, repo, tag, short) in cases {
            let image = ImageRef::parse(full);
            assert_eq!(
                (image.repository.as_str(), image.tag.as_str(), image.short()),
                (repo, tag, short),
                "{full}"
            );
        }
    }
}
