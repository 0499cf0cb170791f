//! Scenario errors: every one names where the bad input is.

use std::fmt;
use std::path::PathBuf;

/// Where a bad value came from: a file position or a `--set` argument.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    File { file: PathBuf, line: Option<usize>, column: Option<usize> },
    Set { arg: String },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { file, line: Some(l), column: Some(c) } => write!(f, "{}:{}:{}", file.display(), l, c),
            Origin::File { file, line: Some(l), column: None } => write!(f, "{}:{}", file.display(), l),
            Origin::File { file, .. } => write!(f, "{}", file.display()),
            Origin::Set { arg } => write!(f, "--set {arg}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{file}: cannot read scenario: {source}")]
    Read { file: PathBuf, source: std::io::Error },
    /// Malformed TOML, an unknown key or a wrong type, located by the TOML parser.
    #[error("{origin}: {message}")]
    Parse { origin: Origin, message: String },
    /// A value that parsed but is not allowed.
    #[error("{origin}: field `{field}`: {message}")]
    Invalid { origin: Origin, field: String, message: String },
    #[error("{origin}: `extends` forms a cycle: {chain}")]
    ExtendsCycle { origin: Origin, chain: String },
    #[error("{origin}: `extends` file {target} cannot be read: {reason}")]
    ExtendsMissing { origin: Origin, target: PathBuf, reason: String },
    #[error("--set {arg}: {message}")]
    BadSet { arg: String, message: String },
    #[error("{file}: layer file {layer}: {message}")]
    Layer { file: PathBuf, layer: PathBuf, message: String },
}

impl ScenarioError {
    /// The `--set` argument an error is located at, if it is.
    pub fn set_arg(&self) -> Option<&str> {
        match self {
            ScenarioError::BadSet { arg, .. } => Some(arg),
            ScenarioError::Invalid { origin: Origin::Set { arg }, .. }
            | ScenarioError::Parse { origin: Origin::Set { arg }, .. } => Some(arg),
            _ => None,
        }
    }
}
