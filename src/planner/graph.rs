//! Small graph algorithms over names: cycles with their whole path, transitive closures.
//! Pure and deterministic (inputs are ordered maps).

use std::collections::{BTreeMap, BTreeSet};

/// Every elementary cycle found by a depth-first walk, each as the path of its nodes
/// (`[a, b, c]` for a → b → c → a), starting from its smallest node. A self-dependency
/// is `[a]`.
pub fn cycles<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>) -> Vec<Vec<&'a str>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    let mut marks: BTreeMap<&str, Mark> = BTreeMap::new();
    let mut found = Vec::new();
    for &start in graph.keys() {
        if marks.contains_key(start) {
            continue;
        }
        // Iterative DFS: (node, index of the next edge to follow).
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        marks.insert(start, Mark::Open);
        while let Some((node, next)) = stack.last().copied() {
            let edges = graph.get(node).map(Vec::as_slice).unwrap_or(&[]);
            if next == edges.len() {
                marks.insert(node, Mark::Done);
                stack.pop();
                continue;
            }
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            let target = edges[next];
            match marks.get(target) {
                None => {
                    marks.insert(target, Mark::Open);
                    stack.push((target, 0));
                }
                Some(Mark::Open) => {
                    let from = stack.iter().position(|(n, _)| *n == target).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[from..].iter().map(|(n, _)| *n).collect();
                    let smallest = cycle
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, n)| **n)
                        .map_or(0, |(i, _)| i);
                    cycle.rotate_left(smallest);
                    found.push(cycle);
                }
                Some(Mark::Done) => {}
            }
        }
    }
    found
}

/// Everything reachable from `start` (not including `start` unless on a cycle).
pub fn reachable<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>, start: &'a str) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![start];
    while let Some(node) = todo.pop() {
        for &next in graph.get(node).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.insert(next) {
                todo.push(next);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph<'a>(edges: &[(&'a str, &[&'a str])]) -> BTreeMap<&'a str, Vec<&'a str>> {
        edges.iter().map(|(k, v)| (*k, v.to_vec())).collect()
    }

    #[test]
    fn finds_cycles_with_their_path() {
        let g = graph(&[
            ("a", &["b"]),
            ("b", &["c"]),
            ("c", &["a"]),
            ("d", &["d"]),
            ("e", &["a"]),
        ]);
        assert_eq!(cycles(&g), vec![vec!["a", "b", "c"], vec!["d"]]);
        let acyclic = graph(&[
            ("web", &["api", "cache"]),
            ("api", &["db"]),
            ("cache", &["db"]),
            ("db", &[]),
        ]);
        assert!(cycles(&acyclic).is_empty());
    }

    #[test]
    fn reachable_is_transitive() {
        let g = graph(&[("web", &["api"]), ("api", &["db"]), ("db", &[])]);
        assert_eq!(reachable(&g, "web"), BTreeSet::from(["api", "db"]));
        assert!(reachable(&g, "db").is_empty());
    }
}
