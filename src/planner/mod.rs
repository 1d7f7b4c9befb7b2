//! Pure planning: which containers a command acts on ("things" → containers, with
//! dependencies, filters and `omit`), in which order, and what each waits for.
//! No IO, no async: it takes the validated environment and returns values.
//!
//! Fixed MaestroNG bugs: `-C`/`-S` filters apply also when no thing is named or with
//! `-d`; `pull` does not wait for dependencies; `clean` removes dependents before the
//! containers they depend on; `restart` restarts dependencies before dependents.

pub mod deptree;
pub mod graph;

use crate::model::Environment;
use std::collections::{BTreeMap, BTreeSet};

/// The commands that act on containers, as the planner sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Status,
    Start,
    Stop,
    Kill,
    Restart,
    Pull,
    Clean,
    Logs,
    Deptree,
    Dump,
}

/// Which way dependencies are followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Dependencies first (start).
    Forward,
    /// Dependents first (stop).
    Reverse,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Status => "status",
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Kill => "kill",
            Action::Restart => "restart",
            Action::Pull => "pull",
            Action::Clean => "clean",
            Action::Logs => "logs",
            Action::Deptree => "deptree",
            Action::Dump => "dump",
        }
    }

    /// stop, kill and restart work on dependents and need `-a` to act on everything.
    fn is_teardown(self) -> bool {
        matches!(self, Action::Stop | Action::Kill | Action::Restart)
    }

    /// The direction `-d` follows.
    pub fn closure(self) -> Direction {
        if self.is_teardown() {
            Direction::Reverse
        } else {
            Direction::Forward
        }
    }

    /// The order the play runs in, if it waits for dependencies at all.
    pub fn ordering(self) -> Option<Direction> {
        match self {
            Action::Status | Action::Pull | Action::Logs => None,
            // Dependencies are restarted before their dependents, so that no dependent
            // is left talking to the old instance (MaestroNG #186).
            Action::Restart => Some(Direction::Forward),
            Action::Clean => Some(Direction::Reverse),
            _ => Some(self.closure()),
        }
    }
}

/// What the user asked for on the command line.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub things: Vec<String>,
    pub with_dependencies: bool,
    pub ignore_dependencies: bool,
    pub expand_services: bool,
    pub all: bool,
    pub container_filter: Option<String>,
    pub ship_filter: Option<String>,
}

/// Why a request cannot be planned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("no services or containers specified for {0}, and --all not set")]
    NothingNamed(&'static str),
    #[error("{name} is neither a service nor a container{hint}")]
    Unknown {
        name: String,
        /// `; did you mean `x`?`, or empty.
        hint: String,
    },
    #[error("{0} is a service but --expand-services (-s) was not specified")]
    NeedsExpand(String),
    #[error("invalid {which} filter {pattern:?}: {reason}")]
    Pattern {
        which: &'static str,
        pattern: String,
        reason: String,
    },
}

impl PlanError {
    /// `thing` names neither a service nor a container of `env`: the nearest that does
    /// is suggested.
    pub fn unknown(env: &Environment, thing: &str) -> PlanError {
        let known = env.containers.keys().chain(env.services.keys());
        PlanError::Unknown {
            name: thing.to_string(),
            hint: crate::config::suggest::did_you_mean(thing, known.map(String::as_str)),
        }
    }
}

/// The containers of a play, in display order, and what each waits for.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Play {
    /// Dependency order (level by level, by name within a pass), as MaestroNG numbers rows.
    pub containers: Vec<String>,
    /// For each container, the containers of this play it waits for (all of its
    /// transitive dependencies, or dependents when stopping, that are in the play).
    pub waits: BTreeMap<String, Vec<String>>,
}

/// Picks the containers an action works on.
pub fn select(
    env: &Environment,
    action: Action,
    request: &Request,
) -> Result<BTreeSet<String>, PlanError> {
    let mut things = request.things.clone();
    let mut with_dependencies =
        request.with_dependencies || matches!(action, Action::Deptree | Action::Dump);
    if things.is_empty() {
        if action.is_teardown() && !request.all {
            return Err(PlanError::NothingNamed(action.name()));
        }
        things = env
            .services
            .values()
            .filter(|s| !s.omit || action == Action::Status)
            .map(|s| s.name.clone())
            .collect();
        with_dependencies |= !request.ignore_dependencies;
    }
    let expand = request.expand_services || request.all || !action.is_teardown();
    let mut selected = BTreeSet::new();
    for thing in &things {
        if env.containers.contains_key(thing) {
            selected.insert(thing.clone());
        } else if let Some(service) = env.services.get(thing) {
            if !expand {
                return Err(PlanError::NeedsExpand(thing.clone()));
            }
            selected.extend(service.instances.iter().cloned());
        } else {
            return Err(PlanError::unknown(env, thing));
        }
    }
    if with_dependencies {
        let graph = Graph::new(env, action.closure());
        let mut services: BTreeSet<&str> = BTreeSet::new();
        let mut closure: BTreeSet<&str> = BTreeSet::new();
        for name in &selected {
            closure.extend(graph.local_closure(name));
            if let Some(c) = env.containers.get(name) {
                services.insert(c.service.as_str());
            }
        }
        for service in services {
            closure.extend(graph.service_containers(service));
        }
        selected.extend(closure.into_iter().map(str::to_string));
    }
    let container_filter = pattern("container", request.container_filter.as_deref())?;
    let ship_filter = pattern("ship", request.ship_filter.as_deref())?;
    selected.retain(|name| {
        let ship = env.containers.get(name).map_or("", |c| c.ship.as_str());
        container_filter.as_ref().is_none_or(|p| p.matches(name))
            && ship_filter.as_ref().is_none_or(|p| p.matches(ship))
    });
    Ok(selected)
}

/// fnmatch-style patterns (`*`, `?`, `[abc]`, `[!abc]`), as MaestroNG's filters.
fn pattern(which: &'static str, text: Option<&str>) -> Result<Option<glob::Pattern>, PlanError> {
    text.map(|t| {
        glob::Pattern::new(t).map_err(|e| PlanError::Pattern {
            which,
            pattern: t.to_string(),
            reason: e.msg.to_string(),
        })
    })
    .transpose()
}

/// Orders selected containers for an action and computes what each waits for.
pub fn plan(
    env: &Environment,
    action: Action,
    containers: &BTreeSet<String>,
    ignore_dependencies: bool,
) -> Play {
    let no_waits = || containers.iter().map(|c| (c.clone(), Vec::new())).collect();
    let direction = match action.ordering() {
        _ if ignore_dependencies => {
            return Play {
                containers: containers.iter().cloned().collect(),
                waits: no_waits(),
            };
        }
        Some(d) => d,
        // status and pull wait for nothing, but number their rows in dependency order
        // as MaestroNG does.
        None => {
            return Play {
                waits: no_waits(),
                ..plan(env, Action::Start, containers, false)
            };
        }
    };
    let graph = Graph::new(env, direction);
    // Containers of one service share their service-level waits: computed once per service.
    let mut per_service: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let waits: BTreeMap<String, Vec<String>> = containers
        .iter()
        .map(|c| {
            let service = env.containers.get(c).map_or("", |c| c.service.as_str());
            let shared = per_service.entry(service).or_insert_with(|| {
                let mut deps: Vec<&str> = graph
                    .service_containers(service)
                    .filter(|d| containers.contains(*d))
                    .collect();
                deps.sort_unstable();
                deps
            });
            let local = graph.local_closure(c);
            let deps: Vec<String> = if local.is_empty() {
                shared.iter().map(|d| d.to_string()).collect()
            } else {
                let mut all: BTreeSet<&str> = shared.iter().copied().collect();
                all.extend(local.into_iter().filter(|d| containers.contains(*d)));
                all.into_iter().map(str::to_string).collect()
            };
            (c.clone(), deps)
        })
        .collect();
    Play {
        containers: order(containers, &waits),
        waits,
    }
}

/// MaestroNG's ordering: passes over the name-sorted list, placing a container once
/// everything it waits for is placed (so rows read level by level, then by name).
fn order(containers: &BTreeSet<String>, waits: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let names: Vec<&String> = containers.iter().collect();
    let index: std::collections::HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let deps: Vec<Vec<usize>> = names
        .iter()
        .map(|n| {
            waits
                .get(*n)
                .map(|w| {
                    w.iter()
                        .filter_map(|d| index.get(d.as_str()).copied())
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    let mut placed = vec![false; names.len()];
    let mut pending: Vec<usize> = (0..names.len()).collect();
    let mut ordered = Vec::with_capacity(names.len());
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|&i| {
            let ready = deps[i].iter().all(|&d| placed[d]);
            if ready {
                placed[i] = true;
                ordered.push(names[i].clone());
            }
            !ready
        });
        if pending.len() == before {
            // Unreachable for a validated environment (no cycles); keep every container.
            ordered.extend(pending.drain(..).map(|i| names[i].clone()));
        }
    }
    ordered
}

/// Container-level dependencies in one direction: the containers of every service a
/// container's service depends on, plus `volumes_from` sources within its own service.
struct Graph<'e> {
    env: &'e Environment,
    /// Service → the services it reaches (transitively) in this direction.
    services: BTreeMap<&'e str, BTreeSet<&'e str>>,
    /// Container → same-service containers it reaches directly in this direction.
    local: BTreeMap<&'e str, Vec<&'e str>>,
}

impl<'e> Graph<'e> {
    fn new(env: &'e Environment, direction: Direction) -> Graph<'e> {
        let mut edges: BTreeMap<&str, Vec<&str>> = env
            .services
            .keys()
            .map(|s| (s.as_str(), Vec::new()))
            .collect();
        for service in env.services.values() {
            for dep in &service.dependencies {
                let (from, to) = match direction {
                    Direction::Forward => (service.name.as_str(), dep.as_str()),
                    Direction::Reverse => (dep.as_str(), service.name.as_str()),
                };
                edges.entry(from).or_default().push(to);
            }
        }
        let services = edges
            .keys()
            .map(|s| (*s, graph::reachable(&edges, s)))
            .collect();
        let mut local: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for c in env.containers.values() {
            for source in &c.volumes_from {
                if env
                    .containers
                    .get(source)
                    .is_some_and(|s| s.service == c.service)
                {
                    let (from, to) = match direction {
                        Direction::Forward => (c.name.as_str(), source.as_str()),
                        Direction::Reverse => (source.as_str(), c.name.as_str()),
                    };
                    local.entry(from).or_default().push(to);
                }
            }
        }
        Graph {
            env,
            services,
            local,
        }
    }

    /// The containers of every service `service` reaches (sorted by service, then name).
    fn service_containers(&self, service: &str) -> impl Iterator<Item = &'e str> + '_ {
        self.services
            .get(service)
            .into_iter()
            .flatten()
            .filter_map(|s| self.env.services.get(*s))
            .flat_map(|s| s.instances.iter().map(String::as_str))
    }

    /// Same-service containers reached through `volumes_from` from `name`.
    fn local_closure(&self, name: &str) -> BTreeSet<&'e str> {
        let mut result = BTreeSet::new();
        let mut todo: Vec<&'e str> = self.local.get(name).cloned().unwrap_or_default();
        while let Some(next) = todo.pop() {
            if next != name && result.insert(next) {
                todo.extend(self.local.get(next).map(Vec::as_slice).unwrap_or(&[]));
            }
        }
        result
    }
}
