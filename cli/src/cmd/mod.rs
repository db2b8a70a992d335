//! The subcommands, one module each, and what they share.

pub(crate) mod appraise;
pub(crate) mod batch;
pub(crate) mod demo;
pub(crate) mod keygen;
pub(crate) mod sign;
pub(crate) mod verify;

use ecnpp_attest::Error;
use ecnpp_attest::cose::ParseOptions;

use crate::diag::find_duplicate;
use crate::fail::explain;
use crate::render::{hex_shown, text_shown};

/// Why a token was refused, naming a duplicated key when that is the reason.
pub(crate) fn token_problem(token: &[u8], e: Error) -> String {
    match e {
        Error::DuplicateKey => {
            find_duplicate(token).unwrap_or_else(|| "a CBOR map has the same key twice".into())
        }
        other => explain(other),
    }
}

/// Parse options from the shared flags.
pub(crate) const fn parse_options(permissive_tags: bool, strict: bool) -> ParseOptions {
    ParseOptions {
        accept_untagged: permissive_tags,
        accept_cwt_tag: permissive_tags,
        deterministic: strict,
    }
}

/// The kid as people read it: text when it is printable, hex otherwise; shortened as
/// [`crate::render`] says (a token's kid can be of any length).
pub(crate) fn kid_text(kid: &[u8]) -> String {
    match std::str::from_utf8(kid) {
        Ok(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic()) => text_shown(s, true),
        _ => hex_shown(kid),
    }
}
