//! Trailing option maps (`#{ aov: 150 }`): typed getters and unknown keys rejected.

use super::error::script_error;
use rhai::{Dynamic, EvalAltResult, Map};

/// An option map checked against the keys a function accepts.
#[derive(Debug, Clone)]
pub struct Options {
    function: String,
    map: Map,
}

type R<T> = Result<T, Box<EvalAltResult>>;

impl Options {
    /// Checks `map`'s keys against `allowed`; an unknown key is an error naming the
    /// function, the key, the closest allowed key and the full list.
    pub fn new(function: &str, map: Map, allowed: &[&str]) -> R<Options> {
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                let hint = crate::suggest::closest(key, allowed.iter().copied())
                    .map(|s| format!(" (did you mean '{s}'?)"))
                    .unwrap_or_default();
                return Err(script_error(format!(
                    "{function}: unknown option '{key}'{hint}; allowed options: {}",
                    allowed.join(", ")
                )));
            }
        }
        Ok(Options {
            function: function.to_string(),
            map,
        })
    }

    /// No options.
    pub fn empty(function: &str) -> Options {
        Options {
            function: function.to_string(),
            map: Map::new(),
        }
    }

    /// The raw value of an option.
    pub fn raw(&self, key: &str) -> Option<&Dynamic> {
        self.map.get(key)
    }

    /// A number option (ints accepted).
    pub fn f64(&self, key: &str) -> R<Option<f64>> {
        self.map
            .get(key)
            .map(|v| super::convert::num(v, &format!("{}: option '{key}'", self.function)))
            .transpose()
    }

    /// A whole-number option.
    pub fn i64(&self, key: &str) -> R<Option<i64>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(v) => v.as_int().map(Some).map_err(|_| {
                script_error(format!(
                    "{}: option '{key}' must be a whole number, got {}",
                    self.function,
                    super::convert::describe_value(v)
                ))
            }),
        }
    }

    /// A boolean option.
    pub fn bool(&self, key: &str) -> R<Option<bool>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(v) => v.as_bool().map(Some).map_err(|_| {
                script_error(format!(
                    "{}: option '{key}' must be true or false, got {}",
                    self.function,
                    super::convert::describe_value(v)
                ))
            }),
        }
    }

    /// A string option.
    pub fn str(&self, key: &str) -> R<Option<String>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(v) => v.clone().into_string().map(Some).map_err(|_| {
                script_error(format!(
                    "{}: option '{key}' must be a string, got {}",
                    self.function,
                    super::convert::describe_value(v)
                ))
            }),
        }
    }

    /// An array-of-strings option; a single string is accepted as a one-element list.
    pub fn strings(&self, key: &str) -> R<Option<Vec<String>>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(v) if v.is_string() => Ok(Some(vec![v.to_string()])),
            Some(v) => {
                let arr = v.as_array_ref().map_err(|_| {
                    script_error(format!(
                        "{}: option '{key}' must be a string or an array of strings",
                        self.function
                    ))
                })?;
                arr.iter()
                    .map(|x| {
                        x.clone().into_string().map_err(|_| {
                            script_error(format!(
                                "{}: option '{key}' must hold strings, got {}",
                                self.function,
                                super::convert::describe_value(x)
                            ))
                        })
                    })
                    .collect::<R<Vec<_>>>()
                    .map(Some)
            }
        }
    }
}
