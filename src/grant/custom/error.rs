//! What can go wrong in one step of a custom login. Messages name the step
//! as written in the Model file (variables shown as `{password}`, never
//! filled in) and never hold a response body.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// Which entry of the Model file ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// `#authentication`: the login.
    Authentication,
    /// `#reauthentication`: run when a data request gets the REAUTHENTICATE action.
    Reauthentication,
}

impl FlowKind {
    /// `#authentication` / `#reauthentication`.
    pub fn entry(self) -> &'static str {
        match self {
            FlowKind::Authentication => "#authentication",
            FlowKind::Reauthentication => "#reauthentication",
        }
    }
}

impl fmt::Display for FlowKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.entry())
    }
}

/// Why a step of a custom login failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CustomProblem {
    /// The server answered with an error status.
    #[error("the server answered HTTP {status}")]
    Status {
        /// The status.
        status: u16,
    },
    /// A 3xx: login requests are never redirected.
    #[error("the server answered with a redirect (HTTP {status}), which is not followed")]
    Redirect {
        /// The status.
        status: u16,
    },
    /// Connection, TLS or I/O failure (never the URL: it may hold a value).
    #[error("could not reach the server: {message}")]
    Network {
        /// What failed.
        message: String,
    },
    /// The proxy or TLS settings stopped the request (names the option,
    /// never a password); not retried.
    #[error("{0}")]
    Transport(crate::transport::TransportError),
    /// The request did not finish in time.
    #[error("the server did not answer within {0:?}")]
    Timeout(Duration),
    /// The response body is over the cap.
    #[error("the response is larger than {limit} bytes")]
    BodyTooLarge {
        /// The cap.
        limit: usize,
    },
    /// A variable has no value in the connection.
    #[error("`{var}` has no value: {option} is not set")]
    NoValue {
        /// The variable, as written (`{user}`).
        var: String,
        /// The connection option it reads.
        option: &'static str,
    },
    /// `{/path}` before any response was received.
    #[error("`{{{path}}}` reads a response, but none has been received yet")]
    NoResponseYet {
        /// The pointer.
        path: String,
    },
    /// No response received so far has a value at `{/path}`.
    #[error("no response of the login has a value at `{path}` (is it JSON, with that member?)")]
    NoValueAt {
        /// The pointer.
        path: String,
    },
    /// `#authentication` has no final HEADER/PARAM line.
    #[error("the entry has no final `HEADER name=value` or `PARAM name=value` line")]
    NoCredentialLine,
    /// The filled-in request URL is not a URL.
    #[error("the request URL, filled in, is not a valid http(s) URL")]
    BadUrl,
    /// A filled-in header value holds a control character.
    #[error("the value of header `{name}`, filled in, contains a control character")]
    BadHeaderValue {
        /// The header.
        name: String,
    },
}

impl CustomProblem {
    /// Whether another attempt may help (network trouble, 408, 429, 5xx).
    pub(crate) fn is_retryable(&self) -> bool {
        match self {
            CustomProblem::Network { .. } | CustomProblem::Timeout(_) => true,
            CustomProblem::Status { status } => matches!(status, 408 | 429 | 500..=599),
            _ => false,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            CustomProblem::Status { status } | CustomProblem::Redirect { status } => Some(*status),
            _ => None,
        }
    }
}

/// A failed custom login: which entry, which step, what went wrong. Never
/// holds a secret: the step is shown as the Model file writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomFailure {
    /// The entry that ran.
    pub flow: FlowKind,
    /// The 1-based request of the entry (`None`: the final HEADER/PARAM line).
    pub step: Option<usize>,
    /// The step as written (`POST https://{serverName}/login`).
    pub line: String,
    /// What went wrong (the last attempt's problem).
    pub problem: CustomProblem,
    /// How many times the step's request was sent (retries included).
    pub attempts: u32,
}

impl fmt::Display for CustomFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(n) => write!(
                f,
                "custom login: {} step {n} ({}) failed: {}",
                self.flow, self.line, self.problem
            )?,
            None => write!(
                f,
                "custom login: {} credential line ({}) failed: {}",
                self.flow, self.line, self.problem
            )?,
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl CustomFailure {
    /// Advice for a person, when there is one.
    pub fn hint(&self) -> Option<&'static str> {
        match &self.problem {
            CustomProblem::Status { status: 401 | 403 } => Some(
                "the login was refused: check User, Password and CustomAuthParams against the service",
            ),
            CustomProblem::Status { status: 404 | 405 } => {
                Some("check the request line (method and URL) in the Model file")
            }
            CustomProblem::Status { status } if *status >= 500 => {
                Some("the server is having trouble: try again later")
            }
            CustomProblem::Redirect { .. } => {
                Some("write the final URL in the Model file's request line")
            }
            CustomProblem::Network { .. } | CustomProblem::Timeout(_) => {
                Some("check that the login host is reachable from here (DNS, proxy, firewall, TLS)")
            }
            CustomProblem::NoValueAt { .. } => Some(
                "compare the `{/path}` in the Model file with what the service answers (`{/a/b}` is a JSON Pointer)",
            ),
            CustomProblem::NoValue { .. } => Some("set the connection option the step reads"),
            _ => None,
        }
    }
}
