//! The client's errors: Graph's own (code, message, request id), the transport's, and the client's
//! (cancelled, retries exhausted, an outcome that cannot be known, a response it could not read).
//! Display is a plain sentence; no variant ever holds an access token.
use super::http::{HttpResponse, TransportError};
use crate::model::ErrorBody;
use std::fmt;

/// An error status from Graph with what Graph said about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpError {
    pub status: u16,
    /// Graph's `error.code`, e.g. `Request_ResourceNotFound`, `TooManyRequests`; `HTTP {status}`
    /// when the body was not a Graph error.
    pub code: String,
    pub message: String,
    /// The `request-id` header (or `innerError.request-id`): what Microsoft support asks for.
    pub request_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphError {
    /// Graph answered with an error status that retrying will not fix (or that was not retried).
    Http(HttpError),
    /// The network failed and retrying did not help (or the request was not retried).
    Transport(TransportError),
    /// A write may or may not have been applied: its response was lost, or a gateway timed out.
    /// Read the target back before deciding to send it again.
    UnknownOutcome { what: String, detail: String },
    /// Graph's response could not be read as what was asked for.
    Decode { what: String, detail: String },
    /// The operation was cancelled through its [`super::cancel::CancelToken`].
    Cancelled,
    /// Throttling or a transient failure persisted for every attempt allowed.
    RetriesExhausted { attempts: u32, last: Box<GraphError> },
    /// No access token could be had (sign-in needed, refresh failed).
    Auth(String),
    /// The client was asked for something it will not send (not a GUID, a link to another host).
    Invalid(String),
}

impl GraphError {
    /// The HTTP status Graph returned, looking through an exhausted retry.
    pub fn status(&self) -> Option<u16> {
        match self {
            GraphError::Http(e) => Some(e.status),
            GraphError::RetriesExhausted { last, .. } => last.status(),
            _ => None,
        }
    }

    /// Graph's error code, looking through an exhausted retry.
    pub fn graph_code(&self) -> Option<&str> {
        match self {
            GraphError::Http(e) => Some(&e.code),
            GraphError::RetriesExhausted { last, .. } => last.graph_code(),
            _ => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            GraphError::Http(e) => e.request_id.as_deref(),
            GraphError::RetriesExhausted { last, .. } => last.request_id(),
            _ => None,
        }
    }

    pub fn is_cancelled(&self) -> bool {
        matches!(self, GraphError::Cancelled)
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    pub(crate) fn decode(what: impl Into<String>, detail: impl fmt::Display) -> Self {
        GraphError::Decode { what: what.into(), detail: detail.to_string() }
    }
}

impl HttpError {
    /// Reads Graph's error body; a body that is not Graph's JSON error (a proxy's HTML page) still
    /// gives an error with the status and the start of the body.
    pub fn from_parts(status: u16, headers_request_id: Option<&str>, body: &str) -> Self {
        match serde_json::from_str::<ErrorBody>(body) {
            Ok(b) => {
                let inner_id = b.error.inner_error.and_then(|i| i.request_id);
                HttpError {
                    status,
                    code: b.error.code,
                    message: b.error.message,
                    request_id: headers_request_id.map(str::to_string).or(inner_id),
                }
            }
            Err(_) => HttpError {
                status,
                code: format!("HTTP {status}"),
                message: excerpt(body, 200),
                request_id: headers_request_id.map(str::to_string),
            },
        }
    }

    pub fn from_response(resp: &HttpResponse) -> Self {
        let id = resp.header("request-id").or(resp.header("client-request-id"));
        HttpError::from_parts(resp.status, id, &resp.body)
    }
}

fn excerpt(s: &str, max_chars: usize) -> String {
    let trimmed = s.trim();
    if trimmed.chars().count() <= max_chars {
        return trimmed.to_string();
    }
    let mut out: String = trimmed.chars().take(max_chars).collect();
    out.push('…');
    out
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Graph answered {} ({})", self.status, self.code)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::Http(e) => write!(f, "{e}."),
            GraphError::Transport(e) => write!(f, "The request failed: {e}."),
            GraphError::UnknownOutcome { what, detail } => write!(
                f,
                "It is not known whether {what} was applied ({detail}); read it back before trying again."
            ),
            GraphError::Decode { what, detail } => {
                write!(f, "Could not read {what} from Graph's response: {detail}.")
            }
            GraphError::Cancelled => write!(f, "The operation was cancelled."),
            GraphError::RetriesExhausted { attempts, last } => {
                write!(f, "Gave up after {attempts} attempts. Last error: {last}")
            }
            GraphError::Auth(m) => write!(f, "Could not get an access token: {m}."),
            GraphError::Invalid(m) => write!(f, "Request not sent: {m}."),
        }
    }
}

impl std::error::Error for GraphError {}

impl From<HttpError> for GraphError {
    fn from(e: HttpError) -> Self {
        GraphError::Http(e)
    }
}
