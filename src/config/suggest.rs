//! "Did you mean …?": the known name closest to a mistyped one, by strsim's
//! Damerau–Levenshtein distance (a swapped pair of letters counts once), within a third
//! of the name's length as cargo's suggestions are. Used for ships, services,
//! containers, keys and check types.

/// The known name nearest to `word`, when one is near enough to be a typo of it.
pub fn closest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    known
        .into_iter()
        .filter(|k| *k != word)
        .map(|k| (strsim::damerau_levenshtein(word, k), k))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, k)| (*distance, *k))
        .map(|(_, k)| k)
}

/// `; did you mean `NAME`?` for the closest known name, or nothing.
pub fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, known).map_or(String::new(), |k| format!("; did you mean `{k}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_name_and_strangers_find_none() {
        let ships = ["local", "prod-1", "prod-2"];
        assert_eq!(closest("lcoal", ships), Some("local"));
        assert_eq!(closest("prod1", ships), Some("prod-1"));
        assert_eq!(closest("web1", ["web-1", "web-2", "db-1"]), Some("web-1"));
        assert_eq!(closest("imagee", ["image", "instances"]), Some("image"));
        assert_eq!(closest("elsewhere", ships), None);
        assert_eq!(closest("x", ["y"]), Some("y"));
        assert_eq!(did_you_mean("zzzzzz", ships), "");
        assert_eq!(did_you_mean("locl", ships), "; did you mean `local`?");
    }
}
