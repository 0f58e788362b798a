//! Tag schemes: IOB1 (CoNLL-2003's own) to IOB2 (what the model learns), repair of
//! impossible predicted sequences, and entity spans from tags.

/// IOB1 to IOB2: an `I-X` that starts an entity becomes `B-X`.
pub fn to_iob2(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for (i, tag) in tags.iter().enumerate() {
        let prev = if i == 0 { "O" } else { tags[i - 1].as_str() };
        match tag.strip_prefix("I-") {
            Some(kind) if !continues(prev, kind) => out.push(format!("B-{kind}")),
            _ => out.push(tag.clone()),
        }
    }
    out
}

/// Whether the previous tag is part of an entity of this type.
fn continues(prev: &str, kind: &str) -> bool {
    prev.len() > 2 && &prev[2..] == kind
}

/// IOB2 to IOB1: `B-X` stays only where it follows another `X` entity directly.
pub fn to_iob1(tags: &[String]) -> Vec<String> {
    let tags = to_iob2(tags);
    (0..tags.len())
        .map(|i| match tags[i].strip_prefix("B-") {
            Some(kind) if !(i > 0 && continues(&tags[i - 1], kind)) => format!("I-{kind}"),
            _ => tags[i].clone(),
        })
        .collect()
}

/// Whether tags are IOB1: some entity starts with `I-`.
pub fn is_iob1(tags: &[String]) -> bool {
    tags.iter().enumerate().any(|(i, t)| t.strip_prefix("I-").is_some_and(|k| !(i > 0 && continues(&tags[i - 1], k))))
}

/// Repairs a predicted IOB2 sequence: an `I-X` after `O` or after another type starts
/// a new entity (`B-X`). Applied before entities are read off the tags.
pub fn repair(tags: &[String]) -> Vec<String> {
    to_iob2(tags)
}

/// Entities as (first word, one past last word, type) from predicted tags, after
/// repair, read with the same chunk rules as the evaluation.
pub fn entities(tags: &[String]) -> Vec<(usize, usize, String)> {
    crate::eval::ner::chunks(&repair(tags)).into_iter().map(|c| (c.start, c.end, c.kind)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn iob1_to_iob2() {
        assert_eq!(to_iob2(&t("I-PER I-PER O I-LOC B-LOC I-ORG")), t("B-PER I-PER O B-LOC B-LOC B-ORG"));
    }

    #[test]
    fn iob2_to_iob1_and_detection() {
        let iob2 = t("B-PER I-PER O B-LOC B-LOC B-ORG");
        let iob1 = to_iob1(&iob2);
        assert_eq!(iob1, t("I-PER I-PER O I-LOC B-LOC I-ORG"));
        assert!(is_iob1(&iob1) && !is_iob1(&iob2));
        assert_eq!(to_iob2(&iob1), iob2);
    }

    #[test]
    fn entities_after_repair() {
        assert_eq!(entities(&t("O I-PER I-PER B-LOC I-ORG")), [(1, 3, "PER".into()), (3, 4, "LOC".into()), (4, 5, "ORG".into())]);
    }
}
