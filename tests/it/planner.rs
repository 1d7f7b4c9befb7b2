//! Which containers a command acts on, in which order, waiting for what (tests.md §7).

use crate::support;

use maestro::model::Environment;
use maestro::planner::{Action, PlanError, Request, plan, select};

fn load(name: &str) -> Environment {
    support::load_env(name)
}

fn request(things: &[&str]) -> Request {
    Request {
        things: things.iter().map(|t| t.to_string()).collect(),
        ..Request::default()
    }
}

fn order(env: &Environment, action: Action, request: &Request) -> Vec<String> {
    let selected = select(env, action, request).expect("plans");
    plan(env, action, &selected, request.ignore_dependencies).containers
}

#[test]
fn start_and_stop_orders() {
    let env = load("conductor.yaml");
    let with_deps = |things: &[&str]| Request {
        with_dependencies: true,
        ..request(things)
    };
    assert_eq!(
        order(&env, Action::Start, &with_deps(&["web"])),
        ["db-1", "api-1", "api-2", "cache-1", "web-1"]
    );
    assert_eq!(
        order(&env, Action::Stop, &with_deps(&["db-1"])),
        ["web-1", "api-1", "api-2", "cache-1", "db-1"]
    );
    // No things: every service but the omitted one, with dependencies.
    assert_eq!(
        order(&env, Action::Start, &request(&[])),
        ["db-1", "api-1", "api-2", "cache-1", "web-1"]
    );
    // status shows omitted services too, numbered in dependency order (it waits for
    // nothing, as the waits below show for pull).
    assert_eq!(
        order(&env, Action::Status, &request(&[])),
        ["db-1", "monitor-1", "api-1", "api-2", "cache-1", "web-1"]
    );
    let all = Request {
        all: true,
        ..request(&[])
    };
    assert_eq!(
        order(&env, Action::Stop, &all),
        ["web-1", "api-1", "api-2", "cache-1", "db-1"]
    );
    assert_eq!(
        order(&env, Action::Start, &request(&["web", "db-1"])),
        ["db-1", "web-1"]
    );
}

#[test]
fn waits_follow_the_dependency_graph_not_levels() {
    let env = load("conductor.yaml");
    let selected = select(
        &env,
        Action::Start,
        &Request {
            with_dependencies: true,
            ..request(&["web"])
        },
    )
    .expect("plans");
    let start = plan(&env, Action::Start, &selected, false);
    assert_eq!(start.waits["db-1"], Vec::<String>::new());
    assert_eq!(start.waits["cache-1"], ["db-1"]);
    assert_eq!(start.waits["api-2"], ["db-1"]);
    assert_eq!(start.waits["web-1"], ["api-1", "api-2", "cache-1", "db-1"]);
    let stop = plan(&env, Action::Stop, &selected, false);
    assert_eq!(stop.waits["web-1"], Vec::<String>::new());
    assert_eq!(stop.waits["api-1"], ["web-1"]);
    assert_eq!(stop.waits["db-1"], ["api-1", "api-2", "cache-1", "web-1"]);
    // Outside the play nothing is waited for; -i waits for nothing.
    let partial = select(&env, Action::Start, &request(&["web", "db-1"])).expect("plans");
    assert_eq!(
        plan(&env, Action::Start, &partial, false).waits["web-1"],
        ["db-1"]
    );
    assert_eq!(
        plan(&env, Action::Start, &partial, true).waits["web-1"],
        Vec::<String>::new()
    );
    // Fixed: clean removes dependents first; pull does not wait.
    assert_eq!(
        plan(&env, Action::Clean, &partial, false).waits["db-1"],
        ["web-1"]
    );
    assert_eq!(
        plan(&env, Action::Pull, &partial, false).waits["web-1"],
        Vec::<String>::new()
    );
    // Fixed (MaestroNG #186): restart brings dependencies back before dependents.
    assert_eq!(
        plan(&env, Action::Restart, &selected, false).waits["web-1"],
        ["api-1", "api-2", "cache-1", "db-1"]
    );
}

#[test]
fn selection_errors() {
    let env = load("conductor.yaml");
    assert_eq!(
        select(&env, Action::Stop, &request(&[])),
        Err(PlanError::NothingNamed("stop"))
    );
    assert_eq!(
        select(&env, Action::Start, &request(&["nope"])),
        Err(PlanError::Unknown {
            name: "nope".into(),
            hint: String::new()
        })
    );
    assert_eq!(
        select(&env, Action::Restart, &request(&["api"])),
        Err(PlanError::NeedsExpand("api".into()))
    );
    let expanded = Request {
        expand_services: true,
        ..request(&["api"])
    };
    assert_eq!(
        select(&env, Action::Restart, &expanded)
            .expect("plans")
            .len(),
        2
    );
    let bad = Request {
        container_filter: Some("[".into()),
        ..request(&["api"])
    };
    assert!(matches!(
        select(&env, Action::Start, &bad),
        Err(PlanError::Pattern { .. })
    ));
    assert_eq!(
        PlanError::NothingNamed("stop").to_string(),
        "no services or containers specified for stop, and --all not set"
    );
}

#[test]
fn deptree_matches_maestro_output() {
    let env = load("conductor.yaml");
    let tree = maestro::output::deptree::text(
        &maestro::planner::deptree::trees(&env, &[], false).expect("renders"),
    );
    assert_eq!(
        tree,
        "api\n \\- db\n\ncache\n \\- db\n\ndb\n\nweb\n +- api\n |  \\- db\n \\- cache\n"
    );
    // `omit: true` (monitor) only when named, as MaestroNG.
    let named = maestro::output::deptree::text(
        &maestro::planner::deptree::trees(&env, &["monitor".into()], false).expect("renders"),
    );
    assert_eq!(named, "monitor\n");
    let recursive = maestro::output::deptree::text(
        &maestro::planner::deptree::trees(&env, &["web-1".into()], true).expect("renders"),
    );
    assert_eq!(
        recursive,
        "web\n +- api\n |  \\- db\n \\- cache\n   \\- db\n"
    );
    let chain = load("chain5.yaml");
    let text = maestro::output::deptree::text(
        &maestro::planner::deptree::trees(&chain, &["st-l5".into()], false).expect("renders"),
    );
    assert_eq!(
        text,
        "st-l5\n \\- st-l4\n   \\- st-l3\n     \\- st-l2\n       \\- st-l1\n"
    );
}
