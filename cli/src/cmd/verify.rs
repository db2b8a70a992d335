//! `ecnpp verify` (signature, claims, profile rules, optionally the nonce) and `ecnpp inspect`
//! (no key: diagnostic notation and claims, marked UNVERIFIED).

use std::path::PathBuf;

use ecnpp_attest::cose::{ParseOptions, UnverifiedSign1};
use ecnpp_attest::eat::{Claims, DecodeOptions};
use ecnpp_attest::ecnpp;
use serde_json::{Value, json};

use crate::Global;
use crate::claims::{claims_listing, claims_to_json_shown, is_ecnpp_profile};
use crate::cmd::{kid_text, parse_options, token_problem};
use crate::diag::{Item, read_item, token_diag};
use crate::fail::{CliError, CliResult, explain};
use crate::io::{outln, parse_hex_arg, read_token, shown};
use crate::keys::load_verifying_key;
use crate::render::{hex_json, render_claims};

/// Arguments of `verify`.
#[derive(clap::Args, Debug)]
pub(crate) struct VerifyArgs {
    /// The signer's public key (SPKI PEM, SEC1 or COSE_Key, binary or hex; or a private key)
    #[arg(long = "pub", value_name = "KEY")]
    public: PathBuf,
    /// The token (binary CBOR, hex or base64; "-" for stdin)
    token: PathBuf,
    /// Also require this nonce (hex), compared in constant time
    #[arg(long, value_name = "HEX")]
    nonce: Option<String>,
    /// Print one JSON object: the verdict and the claims in the JSON claims format
    #[arg(long)]
    json: bool,
    /// Check only the signature and the claims' types, not the ECN PP profile rules
    #[arg(long)]
    no_profile: bool,
    /// Also accept untagged messages and the CWT wrapper 61(18(...))
    #[arg(long)]
    permissive_tags: bool,
    /// Require core deterministic CBOR (RFC 8949 §4.2.1)
    #[arg(long)]
    strict: bool,
}

/// Arguments of `inspect`.
#[derive(clap::Args, Debug)]
pub(crate) struct InspectArgs {
    /// The token (binary CBOR, hex or base64; "-" for stdin)
    token: PathBuf,
    /// Print one JSON object instead of text
    #[arg(long)]
    json: bool,
    /// Judge the structure as `verify --permissive-tags` would
    #[arg(long)]
    permissive_tags: bool,
}

/// What kind of ECN PP token the claims are.
fn kind_of(claims: &Claims<'_>) -> &'static str {
    if !is_ecnpp_profile(claims.eat_profile) {
        "claims"
    } else if claims.evaluated_config.is_some() {
        "attestation result"
    } else {
        "evidence"
    }
}

/// The profile rules for the token's kind.
fn check_profile(claims: &Claims<'_>) -> Result<&'static str, String> {
    match kind_of(claims) {
        "attestation result" => ecnpp::validate_result(claims)
            .map(|()| "ECN PP attestation result")
            .map_err(|e| format!("not a valid ECN PP attestation result: {}", explain(e))),
        _ => ecnpp::validate_evidence(claims)
            .map(|()| "ECN PP evidence")
            .map_err(|e| format!("not valid ECN PP evidence: {}", explain(e))),
    }
}

/// Runs `verify`.
pub(crate) fn run_verify(_g: &Global, a: &VerifyArgs) -> CliResult<()> {
    let (token, _) = read_token(&a.token)?;
    let key = load_verifying_key(&a.public)?;
    let expected_nonce = a
        .nonce
        .as_deref()
        .map(|n| parse_hex_arg("--nonce", n))
        .transpose()?;
    let file = shown(&a.token);
    let refuse = |msg: String| -> CliError {
        if a.json {
            crate::io::outln!(
                "{}",
                json!({ "file": file, "verified": false, "error": msg })
            );
        }
        CliError::refused(format!("{file}: {msg}"))
    };

    let options = parse_options(a.permissive_tags, a.strict);
    let parsed =
        UnverifiedSign1::parse(&token, &options).map_err(|e| refuse(token_problem(&token, e)))?;
    let kid = parsed.kid_untrusted();
    let verified = parsed.verify(&key.key, &[]).map_err(|e| match e {
        ecnpp_attest::Error::VerificationFailed => refuse(format!(
            "the signature does not verify with the key in {}",
            shown(&a.public)
        )),
        other => refuse(token_problem(&token, other)),
    })?;
    let claims = Claims::decode_with(
        verified.payload(),
        DecodeOptions {
            deterministic: a.strict,
        },
    )
    .map_err(|e| refuse(token_problem(&token, e)))?;
    let profile = if a.no_profile {
        "claims (profile rules not checked)"
    } else {
        check_profile(&claims).map_err(refuse)?
    };
    if let Some(expected) = &expected_nonce {
        let ok = claims.nonce.is_some_and(|n| n.contains_ct(expected));
        if !ok {
            return Err(refuse(
                "the nonce does not match the challenge given with --nonce".into(),
            ));
        }
    }

    if a.json {
        outln!(
            "{}",
            json!({
                "file": file,
                "verified": true,
                "algorithm": "ES256",
                "kid": kid.map(hex_json),
                "kind": profile,
                "promise": claims.promise.map(|p| p.name()),
                "nonce_checked": expected_nonce.is_some(),
                "claims": claims_to_json_shown(&claims),
            })
        );
        return Ok(());
    }
    outln!(
        "{file}: signature OK (ES256, key {} [{}]{})",
        shown(&a.public),
        key.form,
        kid.map_or_else(String::new, |k| format!(", kid {}", kid_text(k)))
    );
    match claims.promise {
        Some(p) if !a.no_profile => outln!("{profile}: profile rules OK, promise {}", p.name()),
        _ => outln!("{profile}"),
    }
    if expected_nonce.is_some() {
        outln!("nonce matches the challenge");
    }
    outln!("claims (verified):");
    crate::io::out!("{}", render_claims(&claims_listing(&claims), 2));
    Ok(())
}

/// The payload of a COSE_Sign1-shaped tree, for showing claims of a token `verify` refuses.
fn payload_of(item: &Item) -> Option<&[u8]> {
    match item {
        Item::Tag(_, inner) => payload_of(inner),
        Item::Array(parts) if parts.len() == 4 => match parts.get(2) {
            Some(Item::Bytes(b)) => Some(b),
            _ => None,
        },
        _ => None,
    }
}

/// Runs `inspect`.
pub(crate) fn run_inspect(_g: &Global, a: &InspectArgs) -> CliResult<()> {
    let (token, encoding) = read_token(&a.token)?;
    let file = shown(&a.token);
    let tree = read_item(&token);
    let options = if a.permissive_tags {
        ParseOptions::PERMISSIVE_TAGS
    } else {
        ParseOptions::DEFAULT
    };
    let structure = UnverifiedSign1::parse(&token, &options);
    let kid = structure
        .as_ref()
        .ok()
        .and_then(UnverifiedSign1::kid_untrusted);
    let payload = match (&structure, &tree) {
        (Ok(s), _) => s.payload_untrusted(),
        (Err(_), Ok((item, _))) => payload_of(item),
        _ => None,
    };
    let claims = payload.map(Claims::decode);
    let structure_text = match &structure {
        Ok(_) => "a well-formed COSE_Sign1 (ES256); the signature is NOT checked".to_string(),
        Err(e) => format!("verify would refuse it: {}", token_problem(&token, *e)),
    };
    let trailing = match &tree {
        Ok((_, used)) if *used < token.len() => Some(token.len() - used),
        _ => None,
    };

    if a.json {
        let diag = tree.as_ref().ok().map(|(item, _)| token_diag(item));
        let claims_json = match &claims {
            Some(Ok(c)) => claims_to_json_shown(c),
            _ => Value::Null,
        };
        outln!(
            "{}",
            json!({
                "file": file,
                "unverified": true,
                "encoding": encoding.name(),
                "size": token.len(),
                "well_formed": structure.is_ok(),
                "structure": structure_text,
                "kid": kid.map(hex_json),
                "diagnostic": diag.as_ref().map(|d| &d.text),
                "diagnostic_shortened": diag.as_ref().is_some_and(|d| d.shortened),
                "claims": claims_json,
                "claims_error": match &claims {
                    Some(Err(e)) => Some(token_problem(&token, *e)),
                    _ => None,
                },
            })
        );
    } else {
        outln!("UNVERIFIED: inspect checks no signature; anyone could have written these bytes.");
        outln!("            Use `ecnpp verify --pub KEY` before trusting any of it.");
        outln!();
        outln!("{file}: {} bytes ({})", token.len(), encoding.name());
        outln!("structure: {structure_text}");
        if let Some(k) = kid {
            outln!(
                "kid:       {} (unprotected: only a hint for choosing a key)",
                kid_text(k)
            );
        }
        outln!();
        match &tree {
            Ok((item, _)) => {
                outln!("CBOR diagnostic notation:");
                outln!("{}", token_diag(item).text);
                if let Some(n) = trailing {
                    outln!("... and {n} trailing bytes after the first item");
                }
            }
            Err(e) => outln!("not CBOR: {} (at byte {})", e.what, e.offset),
        }
        match &claims {
            Some(Ok(c)) => {
                outln!();
                outln!("claims (UNVERIFIED):");
                crate::io::out!("{}", render_claims(&claims_listing(c), 2));
            }
            Some(Err(e)) => {
                outln!();
                outln!("claims: cannot be read: {}", token_problem(&token, *e));
            }
            None => {}
        }
    }
    match (&structure, &claims) {
        (Ok(_), Some(Ok(_))) => Ok(()),
        (Ok(_), Some(Err(e))) => Err(CliError::refused(format!(
            "{file}: the claims cannot be read: {}",
            token_problem(&token, *e)
        ))),
        (Ok(_), None) => Err(CliError::refused(format!(
            "{file}: the payload is detached; there are no claims to show"
        ))),
        (Err(e), _) => Err(CliError::refused(format!(
            "{file}: {}",
            token_problem(&token, *e)
        ))),
    }
}
