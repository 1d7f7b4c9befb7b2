//! Benchmark (not a test): render + parse + validate + plan + environment generation of a
//! generated environment of 10,000 instances in 1,000 services with dependencies, against
//! the floor of merely scanning the same YAML text with the parser, measured in this run;
//! then 50,000 flat services (one instance each) rendered, parsed and validated, against
//! the same floor (target: under 1 s). Run with `cargo bench --bench load`. Prints medians
//! of 5 runs and the peak memory.

use maestro::config::{self, Source};
use maestro::planner::{self, Action, Request};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const STACKS: usize = 100;
const LEVELS: usize = 10;
const INSTANCES: usize = 10;
const SHIPS: usize = 20;

/// 100 stacks of 10 services; level k requires level k-1 (and k-2), 10 instances each.
fn environment_text() -> String {
    let mut text =
        String::from("__maestro: {schema: 2}\nname: {{ env.BENCH_NAME | default('bench') }}\n");
    text.push_str("_defaults: &defaults\n  stop_timeout: 5\n  restart: on-failure:3\n  limits: {memory: 256m}\n");
    text.push_str("ships:\n");
    for s in 0..SHIPS {
        text.push_str(&format!(
            "  ship{s}: {{ip: 10.0.{}.{}}}\n",
            s / 250,
            s % 250 + 1
        ));
    }
    text.push_str("services:\n");
    for stack in 0..STACKS {
        for level in 0..LEVELS {
            let name = format!("s{stack}-l{level}");
            text.push_str(&format!(
                "  {name}:\n    image: registry.local:5000/app{level}:1.{stack}\n"
            ));
            let requires: Vec<String> = [1, 2]
                .iter()
                .filter(|d| level >= **d)
                .map(|d| format!("s{stack}-l{}", level - d))
                .collect();
            if !requires.is_empty() {
                text.push_str(&format!("    requires: [{}]\n", requires.join(", ")));
            }
            text.push_str("    env: {JAVA_OPTS: [-Xms1g, -Xmx1g], MODE: production}\n");
            text.push_str("    ports: {http: 8080, admin: '9090:19090'}\n");
            text.push_str(
                "    lifecycle:\n      running: [{type: tcp, port: http, max_wait: 30}]\n",
            );
            text.push_str("    instances:\n");
            for i in 0..INSTANCES {
                let ship = (stack * LEVELS * INSTANCES + level * INSTANCES + i) % SHIPS;
                text.push_str(&format!("      {name}-{i}:\n        <<: *defaults\n        ship: ship{ship}\n        env: {{INDEX: {i}}}\n"));
            }
        }
    }
    text
}

/// 50,000 services of one instance each: the size where quadratic lookups show.
const FLAT_SERVICES: usize = 50_000;

fn flat_text() -> String {
    let mut text = String::from("name: flat\nships: {local: {ip: 127.0.0.1}}\nservices:\n");
    for i in 0..FLAT_SERVICES {
        text.push_str(&format!(
            "  s{i}:\n    image: busybox\n    ports: {{http: 8080}}\n    instances:\n      s{i}-1: {{ship: local}}\n"
        ));
    }
    text
}

/// Render + parse + validate of the flat environment, against the parser scan alone.
fn flat_row() {
    let text = flat_text();
    let vars = BTreeMap::new();
    let (mut scan, mut load) = (vec![], vec![]);
    for _ in 0..5 {
        let t = Instant::now();
        assert!(saphyr_parser::Parser::new_from_str(&text).count() > 0);
        scan.push(t.elapsed());
        let t = Instant::now();
        let rendered =
            config::render::render(&text, "flat.yaml", ".".as_ref(), &vars).expect("renders");
        let doc = config::yaml::parse(&rendered).expect("parses");
        let validated = config::validate::validate(&doc, "flat.yaml", ".".as_ref()).expect("valid");
        load.push(t.elapsed());
        assert_eq!(validated.environment.containers.len(), FLAT_SERVICES);
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (scan, load) = (median(scan), median(load));
    println!(
        "\n{FLAT_SERVICES} flat services ({} KiB of YAML), median of 5:",
        text.len() / 1024
    );
    println!(
        "{:<44} {:>10.1}",
        "baseline: parser event scan only",
        ms(scan)
    );
    println!(
        "{:<44} {:>10.1}  ({:.1}x the scan baseline; target < 1000 ms)",
        "render + parse + validate",
        ms(load),
        load.as_secs_f64() / scan.as_secs_f64()
    );
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn main() {
    let text = environment_text();
    let vars = BTreeMap::new();
    let source = Source {
        name: "bench.yaml".into(),
        text,
        base_dir: ".".into(),
    };
    let (mut scan, mut render, mut parse, mut validate, mut plan, mut env, mut total) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut variables = 0usize;
    let mut containers = 0usize;
    for _ in 0..5 {
        let t = Instant::now();
        let events = saphyr_parser::Parser::new_from_str(&source.text).count();
        scan.push(t.elapsed());
        assert!(events > 0);

        let start = Instant::now();
        let rendered = config::render::render(&source.text, "bench.yaml", &source.base_dir, &vars)
            .expect("renders");
        render.push(start.elapsed());
        let t = Instant::now();
        let doc = config::yaml::parse(&rendered).expect("parses");
        parse.push(t.elapsed());
        let t = Instant::now();
        let validated =
            config::validate::validate(&doc, "bench.yaml", &source.base_dir).expect("valid");
        validate.push(t.elapsed());
        let environment = validated.environment;
        let t = Instant::now();
        let selected =
            planner::select(&environment, Action::Start, &Request::default()).expect("plans");
        let play = planner::plan(&environment, Action::Start, &selected, false);
        plan.push(t.elapsed());
        let t = Instant::now();
        variables = 0;
        let generator = maestro::env::Generator::new(&environment);
        for name in &play.containers {
            variables += generator.generate(&environment.containers[name]).len();
        }
        env.push(t.elapsed());
        total.push(start.elapsed());
        containers = play.containers.len();
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "environment: {} services, {containers} containers, {} KiB of YAML, {variables} variables generated",
        STACKS * LEVELS,
        source.text.len() / 1024
    );
    println!("{:<44} {:>10}", "step (median of 5)", "ms");
    println!(
        "{:<44} {:>10.1}",
        "baseline: parser event scan only",
        ms(median(scan.clone()))
    );
    for (label, samples) in [
        ("render (minijinja)", &render),
        ("parse (YAML 1.1 tree)", &parse),
        ("validate", &validate),
        ("plan (select + order + waits)", &plan),
        ("env generation (all containers)", &env),
    ] {
        println!("{label:<44} {:>10.1}", ms(median(samples.clone())));
    }
    let total = median(total);
    println!(
        "{:<44} {:>10.1}  ({:.1}x the scan baseline; target < 500 ms)",
        "total",
        ms(total),
        total.as_secs_f64() / median(scan).as_secs_f64()
    );
    println!(
        "{:<44} {:>10.1}  (target < 200 MB)",
        "peak memory (VmHWM, MB)",
        peak_rss_mb()
    );
    flat_row();
}
