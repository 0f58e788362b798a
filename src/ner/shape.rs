//! Word shapes: eight classes of capitalisation and character type. An uncased encoder
//! cannot tell "Bush" from "bush"; the shape class of each word, embedded and added to
//! its sub-token embeddings, gives that signal back.

/// Number of shape classes, including 0 for special tokens and padding.
pub const N_SHAPES: i64 = 8;

/// The shape class of a word.
pub fn shape_of(word: &str) -> i64 {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    let has_digit = word.chars().any(|c| c.is_numeric());
    if letters.is_empty() {
        return if has_digit { 5 } else { 7 };
    }
    if has_digit {
        return 6;
    }
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    match upper {
        0 => 1,
        n if n == letters.len() && n > 1 => 3,
        1 if letters[0].is_uppercase() => 2,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let got: Vec<i64> = ["bush", "Bush", "NATO", "McDonald", "1996", "B-52", ",", "A", "U.S."].iter().map(|w| shape_of(w)).collect();
        assert_eq!(got, [1, 2, 3, 4, 5, 6, 7, 2, 3]);
    }
}
