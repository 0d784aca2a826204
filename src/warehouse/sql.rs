//! Quoting for generated SQL: identifiers in backticks and strings in single quotes,
//! with backslash escapes (ClickHouse's syntax), so that a column or step name can hold
//! any character without changing the statement.

/// `name` as a quoted identifier: `` `name` ``, with `` ` `` and `\` escaped.
pub fn quote_ident(name: &str) -> String {
    format!("`{}`", escape(name, '`'))
}

/// `s` as a string literal: `'s'`, with `'` and `\` escaped.
pub fn quote_str(s: &str) -> String {
    format!("'{}'", escape(s, '\''))
}

fn escape(s: &str, quote: char) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_escape_their_delimiters() {
        assert_eq!(quote_ident("user_id"), "`user_id`");
        assert_eq!(quote_ident("a`b\\c"), "`a\\`b\\\\c`");
        assert_eq!(quote_str("it's"), "'it\\'s'");
        assert_eq!(quote_str("渠道\n"), "'渠道\\n'");
    }
}
