//! A server's address: `http://host[:port][/path]` or `https://...`, checked and shown
//! without credentials.

use super::error::WarehouseError;
use std::fmt;

/// A parsed server URL. Credentials in the URL (`user:password@host`) are refused so
/// that a password never travels in a URL, a log line or an error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `http` or `https`.
    pub scheme: String,
    /// The host name or address (IPv6 in brackets), lower-cased.
    pub host: String,
    /// The port (default 8123 for http, 8443 for https: ClickHouse's defaults).
    pub port: u16,
    /// The path, `/` when none was given.
    pub path: String,
}

impl Endpoint {
    /// Parses `url`. Errors name the URL's problem; the text of a URL holding
    /// credentials is not repeated.
    pub fn parse(url: &str) -> Result<Endpoint, WarehouseError> {
        let url = url.trim();
        let bad = |why: &str| {
            WarehouseError::BadUrl(format!(
                "{why}; write it like \"http://127.0.0.1:8123\" or \"https://host:8443\""
            ))
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad(&format!("{} is not a URL", crate::table::quote_text(url))))?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 8123,
            "https" => 8443,
            _ => {
                return Err(bad(&format!(
                    "the URL's scheme must be http or https, got {}",
                    crate::table::quote_text(&scheme)
                )))
            }
        };
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.contains('@') {
            return Err(bad(
                "the URL holds credentials (user@ or user:password@); give the user with the 'user' option and the password with PACER_CLICKHOUSE_PASSWORD",
            ));
        }
        if path.contains(['?', '#']) {
            return Err(bad(&format!(
                "{} has a query or fragment; give settings as options instead",
                crate::table::quote_text(url)
            )));
        }
        let (host, port) = if let Some(after) = authority.strip_prefix('[') {
            let (h, tail) = after.split_once(']').ok_or_else(|| {
                bad(&format!(
                    "{} has an unclosed '['",
                    crate::table::quote_text(url)
                ))
            })?;
            (format!("[{h}]"), tail.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (authority.to_string(), None),
            }
        };
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') {
            return Err(bad(&format!(
                "{} has no host",
                crate::table::quote_text(url)
            )));
        }
        let port = match port {
            None | Some("") => default_port,
            Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                bad(&format!(
                    "the port {} must be a number from 1 to 65535",
                    crate::table::quote_text(p)
                ))
            })?,
        };
        Ok(Endpoint {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            path: if path.is_empty() {
                "/".into()
            } else {
                path.to_string()
            },
        })
    }

    /// True when both name the same server (scheme, host and port).
    pub fn same_origin(&self, other: &Endpoint) -> bool {
        self.scheme == other.scheme && self.host == other.host && self.port == other.port
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}:{}{}",
            self.scheme, self.host, self.port, self.path
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_fills_defaults() {
        let e = Endpoint::parse("http://127.0.0.1:18123").expect("url");
        assert_eq!(e.to_string(), "http://127.0.0.1:18123/");
        assert_eq!(
            Endpoint::parse("HTTPS://CH.example")
                .expect("url")
                .to_string(),
            "https://ch.example:8443/"
        );
        assert_eq!(
            Endpoint::parse("http://[::1]:9").expect("url").host,
            "[::1]"
        );
        assert!(Endpoint::parse("http://a:1/")
            .expect("a")
            .same_origin(&Endpoint::parse("http://A:1").expect("b")));
        assert!(!Endpoint::parse("http://a:1/")
            .expect("a")
            .same_origin(&Endpoint::parse("https://a:1").expect("b")));
    }

    #[test]
    fn refuses_credentials_without_repeating_them() {
        let e = Endpoint::parse("http://bob:s3cret@host:8123").expect_err("credentials");
        assert!(!e.to_string().contains("s3cret"), "{e}");
        assert!(e.to_string().contains("PACER_CLICKHOUSE_PASSWORD"), "{e}");
    }

    #[test]
    fn bad_urls_say_why() {
        for (bad, why) in [
            ("127.0.0.1:8123", "not a URL"),
            ("ftp://h", "http or https"),
            ("http://h:0", "1 to 65535"),
            ("http://h:x", "1 to 65535"),
            ("http://:8123", "no host"),
            ("http://h/?x=1", "query"),
        ] {
            let e = Endpoint::parse(bad).expect_err(bad).to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
