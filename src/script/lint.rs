//! Static checks of a compiled script: calls to functions that are neither registered
//! nor defined in the script, and calls with an argument count that no overload of
//! the function takes. The compiler accepts both (a function may be registered later),
//! so `pacer check` finds them before a run does.
//!
//! The check reads the source's tokens: identifiers followed by `(` are calls (after a
//! `.`, method calls, whose receiver counts as the first argument), `fn NAME(` is a
//! definition, and a name the script binds as a variable or parameter may hold a
//! closure, so calls through it are not checked.

use rhai::AST;
use std::collections::{BTreeMap, BTreeSet};

/// A problem found in a script, at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The line.
    pub line: usize,
    /// The column (in characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Punct(char),
    /// `||`, an empty closure parameter list (or a logical or).
    OrOr,
    Literal,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
    column: usize,
}

/// Splits source into tokens, skipping comments and the text of strings (the code
/// inside `${...}` of a back-tick string is tokenized).
fn tokens(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    // Brace depths at which a `${` interpolation returns to its back-tick string.
    let mut interpolations: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut in_backtick = false;
    macro_rules! bump {
        () => {{
            if chars[i] == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
            i += 1;
        }};
    }
    while i < chars.len() {
        let c = chars[i];
        if in_backtick {
            if c == '`' {
                in_backtick = false;
                bump!();
            } else if c == '$' && chars.get(i + 1) == Some(&'{') {
                bump!();
                bump!();
                depth += 1;
                interpolations.push(depth);
                in_backtick = false;
            } else if c == '\\' {
                bump!();
                if i < chars.len() {
                    bump!();
                }
            } else {
                bump!();
            }
            continue;
        }
        let (l, cl) = (line, col);
        if c.is_whitespace() {
            bump!();
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                bump!();
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            let mut nest = 0usize;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    nest += 1;
                    bump!();
                    bump!();
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    nest -= 1;
                    bump!();
                    bump!();
                    if nest == 0 {
                        break;
                    }
                } else {
                    bump!();
                }
            }
        } else if c == '"' || c == '\'' {
            bump!();
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' {
                    bump!();
                }
                if i < chars.len() {
                    bump!();
                }
            }
            if i < chars.len() {
                bump!();
            }
            out.push(Token {
                tok: Tok::Literal,
                line: l,
                column: cl,
            });
        } else if c == '`' {
            in_backtick = true;
            bump!();
            out.push(Token {
                tok: Tok::Literal,
                line: l,
                column: cl,
            });
        } else if c.is_alphabetic() || c == '_' {
            let mut name = String::new();
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                name.push(chars[i]);
                bump!();
            }
            out.push(Token {
                tok: Tok::Ident(name),
                line: l,
                column: cl,
            });
        } else if c.is_ascii_digit() {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                // `1..5` is a range, not a number with two points.
                if chars[i] == '.' && chars.get(i + 1) == Some(&'.') {
                    break;
                }
                bump!();
            }
            out.push(Token {
                tok: Tok::Literal,
                line: l,
                column: cl,
            });
        } else if c == '|' && chars.get(i + 1) == Some(&'|') {
            bump!();
            bump!();
            out.push(Token {
                tok: Tok::OrOr,
                line: l,
                column: cl,
            });
        } else {
            if c == '{' {
                depth += 1;
            } else if c == '}' && interpolations.last() == Some(&depth) {
                // The end of a `${...}`: back into the string, which reads as a literal.
                interpolations.pop();
                in_backtick = true;
                depth = depth.saturating_sub(1);
                bump!();
                out.push(Token {
                    tok: Tok::Literal,
                    line: l,
                    column: cl,
                });
                continue;
            } else if c == '}' {
                depth = depth.saturating_sub(1);
            }
            bump!();
            out.push(Token {
                tok: Tok::Punct(c),
                line: l,
                column: cl,
            });
        }
    }
    out
}

/// True when `name` occurs in `source` as an identifier (not inside a string or a
/// comment).
pub fn mentions(source: &str, name: &str) -> bool {
    tokens(source)
        .iter()
        .any(|t| matches!(&t.tok, Tok::Ident(n) if n == name))
}

const KEYWORDS: &[&str] = &[
    "if", "else", "while", "loop", "do", "until", "for", "in", "switch", "return", "throw", "try",
    "catch", "fn", "let", "const", "break", "continue", "import", "export", "as", "private",
    "global", "true", "false", "this",
];

/// Every name the script binds: `let`/`const` variables, `for` variables, `catch`
/// variables, and the parameters of functions and closures.
fn bound_names(toks: &[Token]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let ident = |k: usize| match toks.get(k).map(|t| &t.tok) {
        Some(Tok::Ident(n)) => Some(n.clone()),
        _ => None,
    };
    let mut k = 0;
    while k < toks.len() {
        match &toks[k].tok {
            Tok::Ident(kw) if kw == "let" || kw == "const" => names.extend(ident(k + 1)),
            Tok::Ident(kw) if kw == "for" || kw == "catch" || kw == "fn" => {
                // for x in / for (x, i) in / catch (e) / fn name(a, b): not the name.
                let mut j = if kw == "fn" { k + 2 } else { k + 1 };
                while j < toks.len() && toks[j].tok != Tok::Ident("in".into()) {
                    if let Tok::Ident(n) = &toks[j].tok {
                        names.insert(n.clone());
                    }
                    if toks[j].tok == Tok::Punct(')') || toks[j].tok == Tok::Punct('{') {
                        break;
                    }
                    j += 1;
                }
            }
            // A map key (`#{ action: |x| .. }`) or a property set (`obj.action = ..`)
            // may hold a closure that is called as a method (`obj.action(x)`).
            Tok::Ident(n)
                if toks.get(k + 1).map(|t| &t.tok) == Some(&Tok::Punct(':'))
                    && toks.get(k + 2).map(|t| &t.tok) != Some(&Tok::Punct(':')) =>
            {
                names.insert(n.clone());
            }
            Tok::Ident(n)
                if k > 0
                    && toks[k - 1].tok == Tok::Punct('.')
                    && toks.get(k + 1).map(|t| &t.tok) == Some(&Tok::Punct('='))
                    && toks.get(k + 2).map(|t| &t.tok) != Some(&Tok::Punct('=')) =>
            {
                names.insert(n.clone());
            }
            Tok::Punct('|') => {
                // A closure's parameters: |a, b|
                let mut j = k + 1;
                let mut params = Vec::new();
                while let Some(t) = toks.get(j) {
                    match &t.tok {
                        Tok::Ident(n) => params.push(n.clone()),
                        Tok::Punct(',') => {}
                        Tok::Punct('|') => {
                            names.extend(params);
                            k = j;
                            break;
                        }
                        _ => break,
                    }
                    j += 1;
                }
            }
            _ => {}
        }
        k += 1;
    }
    names
}

/// The number of arguments of the call whose `(` is at `open`, and the index of its `)`.
fn count_args(toks: &[Token], open: usize) -> (usize, usize) {
    let mut depth = 0i32;
    let mut commas = 0;
    let mut any = false;
    let mut k = open;
    while k < toks.len() {
        match &toks[k].tok {
            Tok::Punct('(') | Tok::Punct('[') | Tok::Punct('{') => depth += 1,
            Tok::Punct(')') | Tok::Punct(']') | Tok::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    return (if any { commas + 1 } else { 0 }, k);
                }
            }
            Tok::Punct(',') if depth == 1 => commas += 1,
            Tok::Punct('|') if depth == 1 => {
                // Skip a closure's parameter list.
                any = true;
                let mut j = k + 1;
                while j < toks.len() && toks[j].tok != Tok::Punct('|') {
                    j += 1;
                }
                k = j;
            }
            _ => {
                if depth >= 1 && k > open {
                    any = true;
                }
            }
        }
        k += 1;
    }
    (commas + usize::from(any), toks.len())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn takes(counts: &[usize]) -> String {
    let shown: Vec<String> = counts.iter().map(usize::to_string).collect();
    match shown.len() {
        0 => String::new(),
        1 => shown[0].clone(),
        _ => format!(
            "{} or {}",
            shown[..shown.len() - 1].join(", "),
            shown[shown.len() - 1]
        ),
    }
}

/// The unknown functions and wrong argument counts in `source` (compiled as `ast`).
pub fn check_calls(source: &str, ast: &AST) -> Vec<Problem> {
    let toks = tokens(source);
    let bound = bound_names(&toks);
    let registered = super::reference::arities();
    let language = super::reference::LANGUAGE_FUNCTIONS;
    let mut scripted: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for f in ast.iter_functions() {
        scripted
            .entry(f.name.to_string())
            .or_default()
            .push(f.params.len());
    }
    let known = super::reference::function_names();
    let mut problems = Vec::new();
    for k in 0..toks.len() {
        let Tok::Ident(name) = &toks[k].tok else {
            continue;
        };
        if toks.get(k + 1).map(|t| &t.tok) != Some(&Tok::Punct('(')) {
            continue;
        }
        let prev = k.checked_sub(1).map(|p| &toks[p].tok);
        if KEYWORDS.contains(&name.as_str())
            || prev == Some(&Tok::Ident("fn".into()))
            || language.contains(&name.as_str())
        {
            continue;
        }
        let method = prev == Some(&Tok::Punct('.'));
        let native = registered.contains_key(name) || scripted.contains_key(name);
        if bound.contains(name) && (!method || !native) {
            continue;
        }
        let (args, _) = count_args(&toks, k + 1);
        let script_counts = scripted.get(name);
        let native_counts = registered.get(name);
        if script_counts.is_none() && native_counts.is_none() {
            let hint = crate::suggest::closest(
                name,
                known
                    .iter()
                    .map(String::as_str)
                    .chain(scripted.keys().map(String::as_str)),
            )
            .map(|s| format!(" (did you mean '{s}'?)"))
            .unwrap_or_default();
            problems.push(Problem {
                line: toks[k].line,
                column: toks[k].column,
                message: format!(
                    "unknown function {name}: it is neither a pacer function nor defined in this script{hint}"
                ),
            });
            continue;
        }
        // A method call passes its receiver first, to native functions and (as `this`,
        // not a parameter) to script functions.
        let native_args = if method { args + 1 } else { args };
        let fits = script_counts.is_some_and(|c| c.contains(&args))
            || native_counts.is_some_and(|c| c.contains(&native_args));
        if !fits {
            let mut counts: Vec<usize> = script_counts.cloned().unwrap_or_default();
            let shown_native: Vec<usize> = native_counts
                .map(|c| {
                    c.iter()
                        .map(|n| if method { n.saturating_sub(1) } else { *n })
                        .collect()
                })
                .unwrap_or_default();
            counts.extend(shown_native);
            counts.sort_unstable();
            counts.dedup();
            let n = takes(&counts);
            let last = counts.last().copied().unwrap_or(0);
            let what = if method { "method" } else { "function" };
            problems.push(Problem {
                line: toks[k].line,
                column: toks[k].column,
                message: format!(
                    "{what} {name} takes {n} argument{}, this call gives {args} (see `pacer docs {name}`)",
                    plural(last)
                ),
            });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(src: &str) -> Vec<String> {
        let mut engine = rhai::Engine::new_raw();
        super::super::register_packages(&mut engine);
        match engine.compile(src) {
            Ok(ast) => check_calls(src, &ast)
                .into_iter()
                .map(|p| format!("{}:{}: {}", p.line, p.column, p.message))
                .collect(),
            Err(e) => vec![format!("parse error {e}")],
        }
    }

    #[test]
    fn unknown_functions_and_argument_counts() {
        let p = problems("let x = 1;\nundefined_fn(3);\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("2:1: unknown function undefined_fn"),
            "{p:?}"
        );
        let p = problems("let t = load_csv(\"a.csv\", 1, 2, 3, 4);");
        assert!(p[0].contains("function load_csv takes"), "{p:?}");
        assert!(p[0].contains("this call gives 5"), "{p:?}");
        let p = problems("let t = lod_csv(\"a.csv\");");
        assert!(p[0].contains("did you mean 'load_csv'"), "{p:?}");
    }

    #[test]
    fn what_the_script_defines_or_binds_is_known() {
        let src = "fn double(x) { x * 2 }\nlet f = |a, b| a + b;\nprint(double(2));\nprint(f(1, 2));\n\
                   let s = `total ${double(3)} and ${[1, 2].len()}`; // undefined_in_comment(1)\n\
                   let t = \"not_a_call(1)\";\nfor (x, i) in [1] { print(x + i); }\n\
                   let v = [3, 1].map(|x| x + 1).filter(|| true);\nprint(type_of(v)); let c = Fn(\"double\"); c.call(1);\n\
                   let obj = #{ act: |x| x + 1 }; obj.act(1); obj.other = |y| y; obj.other(2);";
        assert_eq!(problems(src), Vec::<String>::new());
        let p = problems("fn double(x) { x * 2 }\ndouble(1, 2);");
        assert!(
            p[0].contains("function double takes 1 argument, this call gives 2"),
            "{p:?}"
        );
    }
}
