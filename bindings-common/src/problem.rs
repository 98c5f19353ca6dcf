//! Why a configuration file (CRM mapping, automation rules) is refused: the
//! core's `CONFIG` message "KIND line N: reason" read back into its parts.

/// The 1-based line and the reason from a `CONFIG` message starting with
/// `prefix` (`"mapping line "`, `"rules line "`); line 0 and the whole
/// message when it names no line (a problem of the file as a whole).
pub(crate) fn line_problem(message: &str, prefix: &str) -> (u32, String) {
    let parsed = message.split_once(prefix).and_then(|(_, rest)| {
        let (n, reason) = rest.split_once(": ")?;
        Some((n.trim().parse().ok()?, reason.to_string()))
    });
    parsed.unwrap_or_else(|| (0, message.to_string()))
}

#[cfg(test)]
mod tests {
    use super::line_problem;

    #[test]
    fn reads_the_line_and_reason_or_keeps_the_whole_message() {
        assert_eq!(
            line_problem("rules line 7: unknown duration \"3x\"", "rules line "),
            (7, "unknown duration \"3x\"".to_string())
        );
        assert_eq!(
            line_problem("rule \"a\" has no keywords", "rules line "),
            (0, "rule \"a\" has no keywords".to_string())
        );
    }
}
