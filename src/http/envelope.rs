//! Whole HTTP/1.1 answers written by the connection layer itself, each with the
//! one error envelope and `connection: close`.

use crate::error::{ApiError, ErrorCode};

/// The answer to a request the HTTP parser refused with `status` (400, 414
/// or 431).
pub fn malformed(status: u16) -> Vec<u8> {
    let (reason, err) = match status {
        414 => (
            "URI Too Long",
            ApiError::new(ErrorCode::UriTooLong, "The request URI is too long."),
        ),
        431 => (
            "Request Header Fields Too Large",
            ApiError::new(
                ErrorCode::HeadersTooLarge,
                "The request headers are too large or too many.",
            ),
        ),
        _ => (
            "Bad Request",
            ApiError::bad_request(
                "The request could not be understood: its request line or headers are malformed.",
            ),
        ),
    };
    response(status, reason, &err, None)
}

/// The answer to a connection refused at the cap.
pub fn refused() -> Vec<u8> {
    let err = ApiError::new(
        ErrorCode::ServiceUnavailable,
        "The server has too many open connections; try again shortly.",
    );
    response(503, "Service Unavailable", &err, Some(1))
}

fn response(status: u16, reason: &str, err: &ApiError, retry_after: Option<u64>) -> Vec<u8> {
    let body = err.body().to_string();
    let retry = retry_after
        .map(|s| format!("retry-after: {s}\r\n"))
        .unwrap_or_default();
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{retry}connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// When `buf` is exactly the HTTP parser's own error answer (status 400, 414
/// or 431, no body, no header but `content-length: 0`, `date` and
/// `connection`), its status. The application never answers these without the
/// envelope, so such a head comes only from the parser.
pub fn parser_error_status(buf: &[u8]) -> Option<u16> {
    let rest = buf
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| buf.strip_prefix(b"HTTP/1.0 "))?;
    let status = match rest.get(..3)? {
        b"400" => 400,
        b"414" => 414,
        b"431" => 431,
        _ => return None,
    };
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    if end + 4 != buf.len() {
        return None;
    }
    let head = std::str::from_utf8(buf.get(..end)?).ok()?;
    let mut lines = head.split("\r\n");
    lines.next()?;
    let mut zero_length = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" if value.trim() == "0" => zero_length = true,
            "date" | "connection" => {}
            _ => return None,
        }
    }
    zero_length.then_some(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(resp: &[u8]) -> serde_json::Value {
        let text = std::str::from_utf8(resp).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains("connection: close"), "{head}");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        serde_json::from_str(body).unwrap()
    }

    #[test]
    fn answers_carry_the_envelope() {
        for (status, code) in [
            (400, "BAD_REQUEST"),
            (414, "URI_TOO_LONG"),
            (431, "HEADERS_TOO_LARGE"),
        ] {
            let resp = malformed(status);
            assert!(resp.starts_with(format!("HTTP/1.1 {status} ").as_bytes()));
            let body = body_of(&resp);
            assert_eq!(body["error"]["code"], code);
            assert!(body["error"]["message"].is_string());
            assert_eq!(body["error"]["details"], serde_json::json!({}));
        }
        let resp = refused();
        assert!(resp.starts_with(b"HTTP/1.1 503 "));
        assert!(std::str::from_utf8(&resp)
            .unwrap()
            .contains("retry-after: 1\r\n"));
        assert_eq!(body_of(&resp)["error"]["code"], "SERVICE_UNAVAILABLE");
    }

    #[test]
    fn only_the_parsers_bare_answers_are_recognised() {
        let date = "date: Tue, 01 Jan 2030 00:00:00 GMT";
        for status in [400, 414, 431] {
            let head = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\n{date}\r\n\r\n");
            assert_eq!(parser_error_status(head.as_bytes()), Some(status));
        }
        for other in [
            // another status
            format!("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n{date}\r\n\r\n"),
            // a body
            format!("HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n{date}\r\n\r\n{{}}"),
            // the application's own answer
            format!(
                "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n{date}\r\n\r\n"
            ),
            // not a whole head
            "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n".to_string(),
        ] {
            assert_eq!(parser_error_status(other.as_bytes()), None, "{other}");
        }
    }
}
