//! Sentence boundary detection by rules, with code-point offsets.
//!
//! The splitter reads the text once, left to right, and decides at each line break and
//! each run of `.`, `!`, `?` or `…` whether a sentence ends there. It knows news
//! conventions (headlines and datelines on their own line, quotes that run on, lists,
//! abbreviations and initials) but no language model: it is for cutting text into the
//! units that the stance guidelines label, not for parsing.

use crate::doc::Span;

/// Splits text into sentences; spans never include surrounding whitespace.
pub trait SentenceSplitter: Send + Sync {
    fn split(&self, text: &str) -> Vec<Span>;
}

/// The rule-based English splitter.
#[derive(Debug, Default, Clone)]
pub struct RuleSplitter;

/// Titles that come before a name: a period after them never ends a sentence.
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "dr", "drs", "prof", "st", "mt", "ft", "gen", "sen", "rep", "gov", "lt", "col",
    "capt", "cmdr", "sgt", "maj", "rev", "hon", "pres", "supt", "messrs", "adm", "brig", "cpl",
    "pvt", "insp", "det", "e.g", "i.e", "cf", "viz", "vs", "approx",
];

/// Abbreviations that may end a sentence: they do when the next word is capitalised.
const ABBREVIATIONS: &[&str] = &[
    "co", "corp", "inc", "ltd", "llc", "plc", "bros", "jr", "sr", "etc", "esp", "dept", "univ",
    "assn", "est", "p", "pp", "no", "nos", "n°", "nº", "vol", "vols", "fig", "figs", "art",
    "sec", "ch", "para", "ed", "eds", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri",
    "sat", "sun", "mln", "bln", "pct", "yr", "yrs", "hr", "hrs", "min", "ave", "blvd", "rd",
    "govt", "incl", "misc", "asst", "assoc", "avg", "dist", "div", "intl", "natl", "mfg", "mgr",
    "cont", "tel", "ext", "ref", "repr", "max", "mins", "sq", "km", "kg", "lb", "lbs", "oz",
];

/// Words that commonly open an English sentence. After an initial ("I.", "E.") or a
/// dotted abbreviation ("U.S."), only these signal a new sentence; a capitalised name
/// more likely continues the old one ("U.S. Government", "Albert I. Jones").
const SENTENCE_STARTERS: &[&str] = &[
    "the", "a", "an", "it", "he", "she", "they", "we", "i", "you", "this", "that", "these",
    "those", "there", "here", "what", "when", "where", "who", "why", "how", "which", "but",
    "and", "or", "so", "yet", "in", "on", "at", "for", "if", "as", "after", "before",
    "meanwhile", "however", "although", "though", "while", "since", "its", "his", "her",
    "their", "our", "my", "your", "did", "do", "does", "is", "are", "was", "were", "can",
    "could", "will", "would", "should", "shall", "may", "might", "must", "has", "have", "had",
    "not", "no", "some", "many", "most", "all", "one", "then", "now", "also", "still", "even",
    "today", "yesterday", "tomorrow", "each", "every", "both", "such", "other", "another",
    "officials", "analysts", "police", "according",
];

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '}')
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

fn is_bullet(c: char) -> bool {
    matches!(c, '•' | '⁃' | '◦' | '▪' | '‣' | '·')
}

impl SentenceSplitter for RuleSplitter {
    fn split(&self, text: &str) -> Vec<Span> {
        let chars: Vec<char> = text.chars().collect();
        let mut cuts = Vec::new();
        let list_starts = list_item_starts(&chars);
        let soft = wrapped_line_breaks(&chars);
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '\n' {
                if soft.binary_search(&i).is_err() && line_break_ends_sentence(&chars, i) {
                    cuts.push(i);
                }
                i += 1;
            } else if is_terminal(chars[i]) && !list_starts.marker_dots.contains(&i) {
                let (end, is_boundary) = terminator(&chars, i, &cuts);
                if is_boundary {
                    cuts.push(end);
                }
                i = end.max(i + 1);
            } else {
                i += 1;
            }
        }
        cuts.extend(list_starts.starts);
        cuts.sort_unstable();
        cuts.dedup();
        spans_between(&chars, &cuts)
    }
}

/// Turns cut positions into trimmed, non-empty spans covering all non-space text.
fn spans_between(chars: &[char], cuts: &[usize]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut from = 0;
    for &cut in cuts.iter().chain(std::iter::once(&chars.len())) {
        let (s, e) = trim_range(chars, from, cut);
        if s < e {
            spans.push(Span::new(s, e));
        }
        from = cut;
    }
    spans
}

/// A blank line always ends a sentence. A single line break ends one too (headlines,
/// datelines, list lines, salutations), unless the next line plainly continues the
/// sentence: it starts in lower case, or this line ends with a hyphen or an open bracket.
fn line_break_ends_sentence(chars: &[char], at: usize) -> bool {
    let prev = chars[..at].iter().rev().find(|c| **c != ' ' && **c != '\t' && **c != '\r');
    let next = chars[at + 1..].iter().find(|c| **c != ' ' && **c != '\t' && **c != '\r');
    match (prev, next) {
        (None, _) | (_, None) => false,
        (_, Some('\n')) | (Some('\n'), _) => true,
        (Some(p), Some(n)) => !(n.is_lowercase() || matches!(p, '-' | '–' | '(')),
    }
}

/// Line breaks inside hard-wrapped paragraphs (text cut at a fixed width, as in e-mail,
/// wire feeds and plain-text archives), which are only spaces: there a new line that
/// starts with a capital ("Mayor\nWhitfield") does not start a sentence. A paragraph
/// (lines between blank lines) counts as wrapped when its longest line has 50 to 100
/// characters (the widths text is wrapped at) and every line but the last fills three
/// quarters of it. List lines, headlines and salutations are shorter or marked, and
/// paragraphs written one to a line are mostly longer: they keep their breaks.
/// Positions come out in ascending order.
fn wrapped_line_breaks(chars: &[char]) -> Vec<usize> {
    let mut soft = Vec::new();
    // The paragraph so far: each line's trimmed range and the position that ends it.
    let mut block: Vec<((usize, usize), usize)> = Vec::new();
    let mut start = 0;
    for end in (0..=chars.len()).filter(|&i| i == chars.len() || chars[i] == '\n') {
        let line = trim_range(chars, start, end);
        if line.0 == line.1 {
            soft.extend(breaks_if_wrapped(chars, &block));
            block.clear();
        } else {
            block.push((line, end));
        }
        start = end + 1;
    }
    soft.extend(breaks_if_wrapped(chars, &block));
    soft
}

/// The line breaks after each line but the last of a paragraph, if it is wrapped.
fn breaks_if_wrapped(chars: &[char], lines: &[((usize, usize), usize)]) -> Vec<usize> {
    let longest = lines.iter().map(|((s, e), _)| e - s).max().unwrap_or(0);
    let Some((_, body)) = lines.split_last() else { return Vec::new() };
    let filled = body.iter().all(|((s, e), _)| 4 * (e - s) >= 3 * longest);
    let marked = lines.iter().any(|&((s, _), _)| starts_list_line(chars, s));
    if body.is_empty() || !(50..=100).contains(&longest) || !filled || marked {
        return Vec::new();
    }
    body.iter().map(|&(_, line_break)| line_break).collect()
}

fn trim_range(chars: &[char], mut s: usize, mut e: usize) -> (usize, usize) {
    while s < e && chars[s].is_whitespace() {
        s += 1;
    }
    while e > s && chars[e - 1].is_whitespace() {
        e -= 1;
    }
    (s, e)
}

/// A line opening with a bullet, a dash or a number and `.` or `)`.
fn starts_list_line(chars: &[char], at: usize) -> bool {
    let c = chars[at];
    if is_bullet(c) || matches!(c, '-' | '*' | '–' | '—') {
        return true;
    }
    let digits = chars[at..].iter().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && matches!(chars.get(at + digits), Some('.' | ')'))
}

/// Examines the run of terminal punctuation starting at `at`. Returns where the
/// sentence would end (after closing quotes and brackets) and whether it does.
fn terminator(chars: &[char], at: usize, cuts: &[usize]) -> (usize, bool) {
    if chars[at] == '.' {
        let dots = dot_chain(chars, at);
        if dots.count >= 3 {
            return ellipsis(chars, at, &dots);
        }
    }
    let mut end = at;
    while end < chars.len() && (is_terminal(chars[end])) {
        end += 1;
    }
    let punct_end = end;
    let end = after_closers(chars, end);
    // A closing quote or bracket before a lower-case word means the sentence runs on:
    // '"This is great." she said.'
    let closed = end > punct_end;
    if !followed_by_space_or_end(chars, end) {
        return (end, false);
    }
    let next = next_word(chars, end);
    let only_periods = chars[at..end].iter().all(|c| *c == '.' || is_closing(*c));
    if next.is_empty() {
        return (end, true);
    }
    if !only_periods {
        // ! and ? end a sentence unless the text runs on in lower case ("Yahoo! in");
        // a bare ? before lower case still ends one (informal text: "why? no idea").
        let question = chars[punct_end - 1] == '?' && !closed;
        return (end, question || !starts_lower(&next));
    }
    if starts_lower(&next) {
        return (end, !closed && plain_word(&word_before(chars, at)));
    }
    let sentence_start = cuts.last().copied().unwrap_or(0);
    (end, period_ends_sentence(chars, at, &next, sentence_start))
}

/// Whether a single period at `at`, followed by the word `next`, ends a sentence.
fn period_ends_sentence(chars: &[char], at: usize, next: &str, sentence_start: usize) -> bool {
    let word = word_before(chars, at);
    let lower = word.to_lowercase();
    if TITLES.contains(&lower.as_str()) {
        return false;
    }
    let next_is_starter = SENTENCE_STARTERS.contains(&next.to_lowercase().as_str());
    if lower == "a.m" || lower == "p.m" {
        // "At 5 a.m. Mr. Smith left" opens with the time; "left at 6 p.m. Mr. Smith
        // then ..." closes with it. A fronted time phrase is short.
        let words_so_far = chars[sentence_start..at].iter().filter(|c| c.is_whitespace()).count();
        return starts_upper(next) && words_so_far >= 3;
    }
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return starts_upper(next);
    }
    let is_initial = word.chars().count() == 1 && word.chars().all(|c| c.is_uppercase());
    let is_dotted = word.contains('.')
        && word.split('.').all(|part| part.chars().count() <= 3 && part.chars().all(char::is_alphabetic));
    if is_initial || is_dotted {
        return next_is_starter;
    }
    true
}

/// A word that is no abbreviation, initial, number, address or dotted form: a period
/// after it ends a sentence even before a lower-case word (informal text).
fn plain_word(word: &str) -> bool {
    let lower = word.to_lowercase();
    word.chars().count() >= 2
        && word.chars().all(|c| c.is_alphabetic() || c == '-' || c == '\'' || c == '’')
        && !TITLES.contains(&lower.as_str())
        && !ABBREVIATIONS.contains(&lower.as_str())
}

struct DotChain {
    count: usize,
    /// One past the last dot.
    end: usize,
    /// Whether any dots are separated by spaces (". . .").
    spaced: bool,
}

/// Dots that follow each other directly or with one space between ("...", ". . .").
fn dot_chain(chars: &[char], at: usize) -> DotChain {
    let (mut count, mut end, mut spaced) = (1, at + 1, false);
    loop {
        if end < chars.len() && chars[end] == '.' {
            count += 1;
            end += 1;
        } else if end + 1 < chars.len() && chars[end] == ' ' && chars[end + 1] == '.' {
            spaced = true;
            count += 1;
            end += 2;
        } else {
            return DotChain { count, end, spaced };
        }
    }
}

/// Ellipses: three dots mark an omission inside a sentence, unless they trail a word
/// and a capitalised word other than "I" follows ("years... Great to see"); a fourth
/// dot is the period ending it ("that.... She", ". . . . Next"). A period stuck to a word and followed
/// by a spaced ellipsis and a capital ends the sentence at the word, and the ellipsis
/// opens the next one ("compounds. . . . The practice").
fn ellipsis(chars: &[char], at: usize, dots: &DotChain) -> (usize, bool) {
    let end = after_closers(chars, dots.end);
    let next = next_word(chars, end);
    let attached = at > 0 && !chars[at - 1].is_whitespace();
    if next.is_empty() {
        return (end, followed_by_space_or_end(chars, end));
    }
    let capital_next = starts_upper(&next);
    if dots.spaced && attached && dots.count >= 4 && capital_next && end == dots.end {
        return (at + 1, true);
    }
    // Only an ellipsis stuck to its word ("years... Great") may end a sentence; a
    // spaced or bracketed one ("words ... I'm", "[...]") marks an omission.
    let trailing = attached && !dots.spaced && chars[at - 1] != '[' && next != "I";
    let new_start = capital_next && (dots.count >= 4 || trailing);
    let boundary = new_start && followed_by_space_or_end(chars, end);
    (end, boundary)
}

fn after_closers(chars: &[char], mut end: usize) -> usize {
    while end < chars.len() && is_closing(chars[end]) {
        // An apostrophe followed by a letter is part of a word ("Jr.'s").
        if matches!(chars[end], '\'' | '’') && chars.get(end + 1).is_some_and(|c| c.is_alphanumeric()) {
            break;
        }
        end += 1;
    }
    end
}

fn followed_by_space_or_end(chars: &[char], at: usize) -> bool {
    at >= chars.len() || chars[at].is_whitespace()
}

/// The token before position `at` (back to whitespace), without opening brackets.
fn word_before(chars: &[char], at: usize) -> String {
    let start = chars[..at].iter().rposition(|c| c.is_whitespace()).map_or(0, |p| p + 1);
    let word: String = chars[start..at].iter().collect();
    word.trim_start_matches(|c: char| matches!(c, '(' | '[' | '"' | '“' | '\'' | '‘')).to_string()
}

/// The next word after `at`, skipping spaces and opening quotes or brackets. When the
/// next token starts with a symbol (a bullet, a dash), that symbol; empty at the end.
fn next_word(chars: &[char], at: usize) -> String {
    let is_opener = |c: &char| matches!(c, '"' | '“' | '\'' | '‘' | '(' | '[');
    let Some(first) = chars[at..].iter().position(|c| !c.is_whitespace()) else {
        return String::new();
    };
    let rest = &chars[at + first..];
    let word: String = rest
        .iter()
        .skip_while(|c| is_opener(c))
        .take_while(|c| c.is_alphanumeric() || **c == '.' || **c == '\'')
        .collect();
    let word = word.trim_end_matches('.');
    if word.is_empty() {
        rest[0].to_string()
    } else {
        word.to_string()
    }
}

fn starts_lower(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_lowercase())
}

fn starts_upper(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_uppercase())
}

/// Where list items begin, and the dots that belong to their markers ("1." "a.").
#[derive(Default)]
struct ListStarts {
    starts: Vec<usize>,
    marker_dots: Vec<usize>,
}

/// A list marker found in the text.
struct Marker {
    start: usize,
    /// Its ordinal (1 for "1." or "a."), or 0 for a bullet.
    ordinal: usize,
    /// "1.", "1)", "1.)", "a." or a bullet: items of one list share a style.
    style: &'static str,
    dot: Option<usize>,
    /// Whether only spaces stand before it on its line (a bullet before the number is
    /// part of the marker, see `start`).
    line_start: bool,
}

/// Finds runs of list markers ("1) ... 2) ...", "a. ... b. ...", "• ... • ...") and
/// returns where each item starts. A lone "1." is not a list; two markers in sequence are.
/// At the start of a line, another line starting with a marker of the same style will do
/// (results tables skip numbers on ties: "6. ... 8. ..."). Inside running text only
/// neighbours count: the marker of the same style right before counts one less, or the one
/// right after one more, so the dates "on October 14." and "on November 15." far apart, or
/// in the wrong order, do not make a list.
fn list_item_starts(chars: &[char]) -> ListStarts {
    let markers: Vec<Marker> = (0..chars.len()).filter_map(|i| marker_at(chars, i)).collect();
    let mut out = ListStarts::default();
    for (k, m) in markers.iter().enumerate() {
        let same_style = |o: &&Marker| o.style == m.style;
        let before = markers[..k].iter().rev().find(same_style);
        let after = markers[k + 1..].iter().find(same_style);
        let neighbour_in_sequence = if m.ordinal == 0 {
            before.is_some() || after.is_some()
        } else {
            before.is_some_and(|o| o.ordinal + 1 == m.ordinal) || after.is_some_and(|o| o.ordinal == m.ordinal + 1)
        };
        let column_of_lines =
            m.line_start && markers.iter().enumerate().any(|(j, o)| j != k && same_style(&o) && o.line_start);
        let in_sequence = neighbour_in_sequence || column_of_lines;
        if in_sequence {
            out.starts.push(m.start);
            out.marker_dots.extend(m.dot);
        }
    }
    out
}

fn marker_at(chars: &[char], i: usize) -> Option<Marker> {
    let prev = if i == 0 { None } else { Some(chars[i - 1]) };
    let at_token_start = prev.map_or(true, |p| p.is_whitespace() || is_bullet(p));
    if !at_token_start {
        return None;
    }
    if is_bullet(chars[i]) {
        return Some(Marker { start: i, ordinal: 0, style: "bullet", dot: None, line_start: false });
    }
    let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let (ordinal, after) = if digits > 0 && digits <= 2 {
        let n: String = chars[i..i + digits].iter().collect();
        (n.parse::<usize>().ok()?, i + digits)
    } else if chars[i].is_ascii_lowercase() && chars.get(i + 1) == Some(&'.') {
        (chars[i] as usize - 'a' as usize + 1, i + 1)
    } else {
        return None;
    };
    let is_letter = digits == 0;
    let tail: String = chars[after..chars.len().min(after + 2)].iter().collect();
    let (style, len, dot) = if tail.starts_with(".)") && !is_letter {
        ("n.)", 2, Some(after))
    } else if tail.starts_with(')') && !is_letter {
        ("n)", 1, None)
    } else if tail.starts_with('.') {
        (if is_letter { "a." } else { "n." }, 1, Some(after))
    } else {
        return None;
    };
    let follows_space = chars.get(after + len).is_some_and(|c| *c == ' ');
    let item_starts_word = chars.get(after + len + 1).is_some_and(|c| c.is_alphabetic());
    if !(follows_space && item_starts_word) || (!is_letter && follows_month(chars, i)) {
        return None;
    }
    // A bullet before the number ("• 9.") starts the item, not the number.
    let start = bullet_before(chars, i).unwrap_or(i);
    let line_start = chars[..start].iter().rev().take_while(|c| **c != '\n').all(|c| *c == ' ');
    Some(Marker { start, ordinal, style, dot, line_start })
}

/// Whether the word before position i names a month ("November 15." is a date).
fn follows_month(chars: &[char], i: usize) -> bool {
    const MONTHS: [&str; 12] = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    ];
    let end = chars[..i].iter().rposition(|c| !c.is_whitespace()).map_or(0, |p| p + 1);
    let end = if end > 0 && chars[end - 1] == '.' { end - 1 } else { end };
    let start = chars[..end].iter().rposition(|c| !c.is_alphabetic()).map_or(0, |p| p + 1);
    let word: String = chars[start..end].iter().collect::<String>().to_lowercase();
    // Full names and their abbreviations ("Nov", "Nov.", "Sept").
    word.len() >= 3 && MONTHS.iter().any(|m| *m == word || (word.len() <= 4 && m.starts_with(word.as_str())))
}

fn bullet_before(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    while j > 0 && chars[j - 1] == ' ' {
        j -= 1;
    }
    (j > 0 && is_bullet(chars[j - 1])).then(|| j - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        RuleSplitter.split(text).iter().map(|s| chars[s.start..s.end].iter().collect()).collect()
    }

    #[test]
    fn splits_plain_sentences() {
        assert_eq!(sentences("Hello World. My name is Jonas."), ["Hello World.", "My name is Jonas."]);
    }

    #[test]
    fn keeps_titles_initials_and_decimals() {
        assert_eq!(
            sentences("Mr. John F. Smith paid $4.5 million. He left."),
            ["Mr. John F. Smith paid $4.5 million.", "He left."]
        );
    }

    #[test]
    fn dotted_abbreviation_ends_sentence_only_before_a_starter() {
        assert_eq!(sentences("He lives in the U.S. The end."), ["He lives in the U.S.", "The end."]);
        assert_eq!(sentences("The U.S. Senate voted."), ["The U.S. Senate voted."]);
    }

    #[test]
    fn quote_running_over_sentences_is_cut_inside_the_quote() {
        assert_eq!(
            sentences("\"We will fight this. It is wrong,\" she said. Talks resume."),
            ["\"We will fight this.", "It is wrong,\" she said.", "Talks resume."]
        );
    }

    #[test]
    fn headline_and_dateline_lines() {
        let text = "EU bans lamb exports\n\nBRUSSELS, Aug 22 (Wire) - The EU banned lamb.\nOfficials agreed.";
        assert_eq!(
            sentences(text),
            ["EU bans lamb exports", "BRUSSELS, Aug 22 (Wire) - The EU banned lamb.", "Officials agreed."]
        );
    }

    #[test]
    fn wrapped_line_in_lower_case_continues() {
        assert_eq!(sentences("The minister said the plan\nwould fail. No."), ["The minister said the plan\nwould fail.", "No."]);
    }

    #[test]
    fn hard_wrapped_paragraph_keeps_its_sentences_whole() {
        let text = "The council voted on Tuesday to approve the plan, and the Mayor\nWhitfield said it was a historic step for a city that had waited\nDecades. Critics disagreed.\n\nShort headline\nAnother line";
        assert_eq!(
            sentences(text),
            [
                "The council voted on Tuesday to approve the plan, and the Mayor\nWhitfield said it was a historic step for a city that had waited\nDecades.",
                "Critics disagreed.",
                "Short headline",
                "Another line"
            ]
        );
        // Lines of a list keep their breaks, however long.
        let list = "- the first item of this list is long enough to look wrapped here\n- The second item of this list is long enough to look wrapped too";
        assert_eq!(sentences(list).len(), 2);
        // Paragraphs one to a line are longer than any wrapping width.
        let para = "Reporting by a correspondent in the capital, with additional reporting from the bureau in the northern region\nThe Mayor said the plan was a historic step for a city that had waited decades for new rail lines.";
        assert_eq!(sentences(para).len(), 2);
    }

    #[test]
    fn numbered_list_items() {
        assert_eq!(sentences("1) The first item 2) The second item"), ["1) The first item", "2) The second item"]);
        assert_eq!(sentences("It has 1. no list"), ["It has 1. no list"]);
        assert_eq!(sentences("1. The first item 2. The second item"), ["1. The first item", "2. The second item"]);
    }

    #[test]
    fn dates_ending_sentences_are_not_list_markers() {
        let text = "The budget is due on November 15. The government holds 88 seats. Talks began on October 14. Both sides agreed.";
        assert_eq!(
            sentences(text),
            ["The budget is due on November 15.", "The government holds 88 seats.", "Talks began on October 14.", "Both sides agreed."]
        );
        // Results lines keep their items although a tie skips a number.
        assert_eq!(
            sentences("Results\n5. Ann Lee 1:30\n6. Bo Kim same time\n8. Cy Moe 1:33"),
            ["Results", "5. Ann Lee 1:30", "6. Bo Kim same time", "8. Cy Moe 1:33"]
        );
        // Numbers out of order far apart are no list either.
        assert_eq!(
            sentences("It rose by 15. The rest fell. Shares lost 14. Bonds gained."),
            ["It rose by 15.", "The rest fell.", "Shares lost 14.", "Bonds gained."]
        );
    }

    #[test]
    fn informal_text_splits_before_lower_case_after_a_plain_word() {
        assert_eq!(sentences("call me. i am out. ok? sure"), ["call me.", "i am out.", "ok?", "sure"]);
        assert_eq!(sentences("Bring pens, paper etc. and a lamp."), ["Bring pens, paper etc. and a lamp."]);
        assert_eq!(sentences("\"Why?\" she asked."), ["\"Why?\" she asked."]);
    }

    #[test]
    fn line_break_after_a_salutation() {
        assert_eq!(sentences("Dear Nina,\nThanks for the note."), ["Dear Nina,", "Thanks for the note."]);
    }

    #[test]
    fn ellipses() {
        assert_eq!(sentences("Great years... Welcome aboard."), ["Great years...", "Welcome aboard."]);
        assert_eq!(sentences("In a few words ... I'm glad."), ["In a few words ... I'm glad."]);
        assert_eq!(sentences("I never meant that.... She left."), ["I never meant that....", "She left."]);
        assert_eq!(sentences("Well ... I know."), ["Well ... I know."]);
    }

    #[test]
    fn offsets_are_code_points() {
        let spans = RuleSplitter.split("Ça va. Très bien.");
        assert_eq!(spans, [Span::new(0, 6), Span::new(7, 17)]);
    }
}
