//! `maestro complete WORDS…` (the shell completion helper) and the bash, zsh and fish
//! scripts that call it. Commands, flags and, from the environment file, service and
//! container names are completed.

use crate::Failure;
use crate::cli::{Cli, Shell};
use crate::config;
use crate::model::Environment;
use crate::output::Printer;
use clap::CommandFactory;

/// Commands whose arguments are services or containers.
const TAKES_THINGS: &[&str] = &[
    "status", "start", "stop", "kill", "restart", "pull", "clean", "logs", "deptree", "dump",
];

pub fn run(cli: &Cli, printer: &Printer, tokens: &[String]) -> Result<(), Failure> {
    let words = words(tokens);
    let file = file_flag(&words).unwrap_or_else(|| cli.file.clone());
    let needs_env = positionals(&words)
        .first()
        .is_some_and(|c| TAKES_THINGS.contains(&c.as_str()));
    let env = if needs_env {
        config::load(&file).ok().map(|v| v.environment)
    } else {
        None
    };
    let found = candidates(&words, env.as_ref());
    if !found.is_empty() {
        printer.out(&format!("{}\n", found.join("\n")));
    }
    Ok(())
}

/// The words of the command line. One token holding spaces is split (MaestroNG's
/// calling style); a trailing space starts a new, empty word.
fn words(tokens: &[String]) -> Vec<String> {
    if let [single] = tokens
        && single.contains(' ')
    {
        let mut words: Vec<String> = single.split_whitespace().map(str::to_string).collect();
        if single.ends_with(' ') {
            words.push(String::new());
        }
        return words;
    }
    tokens.to_vec()
}

fn file_flag(words: &[String]) -> Option<String> {
    let mut iter = words.iter();
    while let Some(w) = iter.next() {
        if w == "-f" || w == "--file" {
            return iter.next().cloned();
        }
        if let Some(f) = w.strip_prefix("--file=") {
            return Some(f.to_string());
        }
    }
    None
}

/// The non-flag words after the program name, before the word being completed.
fn positionals(words: &[String]) -> Vec<String> {
    let done = &words[1.min(words.len())..words.len().saturating_sub(1)];
    let mut result = Vec::new();
    let mut skip = false;
    for w in done {
        if skip {
            skip = false;
        } else if w == "-f" || w == "--file" || w == "--color" || w == "-c" || w == "-n" {
            skip = true;
        } else if !w.starts_with('-') {
            result.push(w.clone());
        }
    }
    result
}

/// What may follow `words` (program name first, the word being completed last).
pub fn candidates(words: &[String], env: Option<&Environment>) -> Vec<String> {
    let current = words.last().map_or("", String::as_str);
    let before = positionals(words);
    let app = Cli::command();
    let pool: Vec<String> = match before.first() {
        None => app
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect(),
        Some(command) => {
            let Some(sub) = app.find_subcommand(command) else {
                return Vec::new();
            };
            if current.starts_with('-') {
                sub.get_arguments()
                    .flat_map(|a| {
                        let long = a.get_long().map(|l| format!("--{l}"));
                        let short = a.get_short().map(|s| format!("-{s}"));
                        long.into_iter().chain(short)
                    })
                    .collect()
            } else if TAKES_THINGS.contains(&command.as_str()) {
                env.map(|e| {
                    e.services
                        .keys()
                        .chain(e.containers.keys())
                        .filter(|name| !before[1..].contains(name))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
            } else if before.len() == 1 {
                sub.get_subcommands()
                    .map(|c| c.get_name().to_string())
                    .chain(
                        sub.get_arguments()
                            .flat_map(|a| a.get_possible_values())
                            .map(|v| v.get_name().to_string()),
                    )
                    .collect()
            } else {
                Vec::new()
            }
        }
    };
    let mut found: Vec<String> = pool
        .into_iter()
        .filter(|c| c.starts_with(current))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// A completion script for `shell` that asks `maestro complete` for candidates.
pub fn script(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => concat!(
            "# maestro completion for bash: eval \"$(maestro completion bash)\"\n",
            "_maestro() {\n",
            "    local IFS=$'\\n'\n",
            "    COMPREPLY=( $(maestro complete -- \"${COMP_WORDS[@]:0:$((COMP_CWORD + 1))}\" 2>/dev/null) )\n",
            "}\n",
            "complete -o default -F _maestro maestro\n",
        ),
        Shell::Zsh => concat!(
            "#compdef maestro\n",
            "# maestro completion for zsh: eval \"$(maestro completion zsh)\"\n",
            "_maestro() {\n",
            "    local -a candidates\n",
            "    candidates=(\"${(@f)$(maestro complete -- \"${(@)words[1,CURRENT]}\" 2>/dev/null)}\")\n",
            "    compadd -a candidates\n",
            "}\n",
            "compdef _maestro maestro\n",
        ),
        Shell::Fish => concat!(
            "# maestro completion for fish: maestro completion fish | source\n",
            "function __maestro_complete\n",
            "    maestro complete -- (commandline -opc) (commandline -ct) 2>/dev/null\n",
            "end\n",
            "complete -c maestro -f -a '(__maestro_complete)'\n",
        ),
    }
}
