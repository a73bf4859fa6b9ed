//! Message search: what a user typed, as the words both stores match, and where those
//! words are in a message's text.
//!
//! Both stores index a text as its *tokens*: the maximal runs of letters and digits,
//! case-folded (SQLite FTS5's `unicode61` tokenizer; PostgreSQL's `simple` text search
//! configuration over the text with everything else turned into spaces). A query is
//! cut the same way, so a word with dots, slashes or dashes (`natter.toml`,
//! `example.com/a/b`, `v1.2.3`) becomes a phrase: its tokens, one right after the
//! other. The last token of each word matches as a prefix (`deplo` finds `deploy`),
//! and every word must match. The stores build their match expressions from these
//! tokens only, so no character a user types is ever query syntax.

/// The longest query, in characters, once trimmed.
pub const MAX_QUERY_CHARS: usize = 200;
/// Words of a query past this many are ignored (each one is a condition to check).
pub const MAX_QUERY_WORDS: usize = 16;
/// Results a page has without a `limit`, and at most.
pub const DEFAULT_SEARCH_LIMIT: u32 = 20;
pub const MAX_SEARCH_LIMIT: u32 = 50;
/// Highlighted ranges one result carries, at most.
const MAX_HIGHLIGHTS: usize = 64;

/// A parsed query: each phrase is the lower-cased tokens of one word, the last of
/// them a prefix. Never empty of tokens inside a phrase; may have no phrases at all
/// (a query of punctuation only), which matches nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    phrases: Vec<Vec<String>>,
}

impl SearchQuery {
    /// The phrases of `raw` (already checked for length by the caller).
    pub fn parse(raw: &str) -> Self {
        let mut phrases: Vec<Vec<String>> = Vec::new();
        for word in raw.split_whitespace() {
            let tokens: Vec<String> = tokens(word).map(|(_, _, t)| t).collect();
            if !tokens.is_empty() && !phrases.contains(&tokens) {
                phrases.push(tokens);
            }
            if phrases.len() == MAX_QUERY_WORDS {
                break;
            }
        }
        Self { phrases }
    }

    /// Each word's tokens, in the order typed; the last token of each is a prefix.
    pub fn phrases(&self) -> &[Vec<String>] {
        &self.phrases
    }

    /// Nothing to search for: no word of the query has a letter or digit.
    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// Where the query's phrases are in `text`, as `[start, end)` ranges in UTF-16 code
    /// units (JavaScript string indexes), ascending and not overlapping. Found by this
    /// tokenizer, which is the stores' up to rare scripts: a hit may have none.
    pub fn highlights(&self, text: &str) -> Vec<[u32; 2]> {
        let runs: Vec<(usize, usize, String)> = tokens(text).collect();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for phrase in &self.phrases {
            let n = phrase.len();
            for start in 0..runs.len().saturating_sub(n - 1) {
                let window = &runs[start..start + n];
                let whole = window[..n - 1].iter().zip(phrase).all(|(run, token)| run.2 == *token);
                if whole && window[n - 1].2.starts_with(phrase[n - 1].as_str()) {
                    ranges.push((window[0].0, window[n - 1].1));
                }
            }
        }
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (s, e) in ranges {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        merged.truncate(MAX_HIGHLIGHTS);
        merged.into_iter().map(|(s, e)| [utf16_offset(text, s), utf16_offset(text, e)]).collect()
    }
}

/// The tokens of `text`: `(byte start, byte end, lower-cased)` of each maximal run of
/// letters and digits.
fn tokens(text: &str) -> impl Iterator<Item = (usize, usize, String)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = chars.find(|(_, c)| c.is_alphanumeric())?;
        let mut end = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                end = i;
                break;
            }
            chars.next();
        }
        Some((start, end, text[start..end].to_lowercase()))
    })
}

fn utf16_offset(text: &str, byte: usize) -> u32 {
    u32::try_from(text[..byte].encode_utf16().count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrases(raw: &str) -> Vec<Vec<String>> {
        SearchQuery::parse(raw).phrases
    }

    fn words(w: &[&[&str]]) -> Vec<Vec<String>> {
        w.iter().map(|p| p.iter().map(|t| (*t).to_owned()).collect()).collect()
    }

    #[test]
    fn words_with_dots_slashes_and_dashes_become_phrases_of_their_tokens() {
        assert_eq!(phrases("natter.toml"), words(&[&["natter", "toml"]]));
        assert_eq!(phrases("https://Example.com/a/b"), words(&[&["https", "example", "com", "a", "b"]]));
        assert_eq!(phrases("v1.2.3 Deplo"), words(&[&["v1", "2", "3"], &["deplo"]]));
        assert_eq!(phrases("école  ÉCOLE"), words(&[&["école"]]), "case-folded, once");
    }

    #[test]
    fn query_syntax_is_only_ever_text() {
        for raw in
            ["\"", "*", "-", "OR", "( )", "\0", "'; drop table messages; --", "NEAR(a b)", ":*", "&|!<->"]
        {
            let q = SearchQuery::parse(raw);
            assert!(q.phrases.iter().flatten().all(|t| t.chars().all(char::is_alphanumeric)), "{raw:?}");
        }
        assert!(SearchQuery::parse("*** -- \"\"").is_empty());
        assert_eq!(phrases("a OR b"), words(&[&["a"], &["or"], &["b"]]), "OR is a word like any");
    }

    #[test]
    fn the_words_of_a_long_query_are_bounded() {
        let raw = (0..40).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
        assert_eq!(SearchQuery::parse(&raw).phrases.len(), MAX_QUERY_WORDS);
    }

    #[test]
    fn highlights_cover_whole_phrases_and_prefixes_in_utf16_units() {
        let q = SearchQuery::parse("deplo natter.toml");
        let text = "Deploying: edit natter.toml, then deploy";
        let hl = q.highlights(text);
        let cut = |[s, e]: [u32; 2]| text[s as usize..e as usize].to_owned();
        assert_eq!(hl.iter().map(|r| cut(*r)).collect::<Vec<_>>(), ["Deploying", "natter.toml", "deploy"]);
        // A text before the hit in characters outside the BMP moves it by two units each.
        let hl = SearchQuery::parse("hi").highlights("🦀🦀 hi");
        assert_eq!(hl, [[5, 7]]);
        assert!(SearchQuery::parse("toml").highlights("natter toml").len() == 1);
        assert!(SearchQuery::parse("natter.toml").highlights("toml natter").is_empty(), "in order only");
    }
}
