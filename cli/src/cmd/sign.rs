//! `ecnpp sign`: JSON claims to a signed ECN PP evidence token (the device side).

use std::path::PathBuf;

use base64::Engine as _;
use bumpalo::Bump;
use ecnpp_attest::Error;
use ecnpp_attest::cose::Sign1Builder;
use ecnpp_attest::crypto::SigningKey;
use ecnpp_attest::eat::{Claims, Nonce, NonceClaim, key};
use ecnpp_attest::ecnpp;

use crate::Global;
use crate::claims::Reader;
use crate::cmd::kid_text;
use crate::fail::{CliError, CliResult, explain};
use crate::io::{hex_prefix, now, outln, parse_hex_arg, shown, write_file, write_stdout_bytes};
use crate::keys::{load_signing_key, thumbprint};
use crate::policy::load_json;

/// How a token is written.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// Raw CBOR bytes
    Binary,
    /// Hexadecimal text
    Hex,
    /// Base64 (standard alphabet, padded)
    Base64,
}

/// Arguments of `sign`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The device's private key (SEC1 or PKCS#8 PEM, or 64 hex digits)
    #[arg(short, long, value_name = "KEY")]
    key: PathBuf,
    /// The claims, as JSON (see cli/examples/claims-secure-enclave.json)
    #[arg(short, long, value_name = "JSON")]
    claims: PathBuf,
    /// The verifier's challenge in hex (as many bytes as the library's `Nonce` takes); replaces
    /// the file's nonce
    #[arg(long, value_name = "HEX", help = format!(
        "The verifier's challenge, {} to {} bytes in hex; replaces the file's nonce",
        Nonce::MIN_LEN,
        Nonce::MAX_LEN
    ))]
    nonce: Option<String>,
    /// Key ID in the unprotected header (default: the key's thumbprint, 8 bytes)
    #[arg(long, value_name = "TEXT")]
    kid: Option<String>,
    /// Where to write the token ("-" for stdout); without it, hex goes to stdout
    #[arg(short, long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Token encoding (default: binary to a file, hex to stdout)
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Sign the claims as they are, without checking the ECN PP evidence rules
    #[arg(long)]
    no_profile: bool,
    /// Replace an existing output file
    #[arg(long)]
    force: bool,
}

/// Why signing refused the claims, with what to do about it.
fn sign_problem(e: Error) -> String {
    match e {
        Error::MissingClaim { key: key::NONCE } => {
            format!(
                "{} (give the verifier's challenge with --nonce HEX)",
                explain(e)
            )
        }
        Error::MissingClaim { .. } | Error::WrongProfile | Error::MissingSubmodule => {
            format!(
                "{}: not ECN PP evidence (--no-profile signs the claims anyway)",
                explain(e)
            )
        }
        other => explain(other),
    }
}

/// Signs `claims` as ECN PP evidence (or plain, with `no_profile`).
pub(crate) fn sign_claims(
    claims: &Claims<'_>,
    signer: &SigningKey,
    kid: &[u8],
    no_profile: bool,
) -> Result<Vec<u8>, String> {
    let builder = Sign1Builder::new().kid(kid);
    let len = if no_profile {
        builder.encoded_len(&claims.as_payload().map_err(sign_problem)?)
    } else {
        ecnpp::evidence_len(claims, &builder).map_err(sign_problem)?
    };
    let mut out = vec![0u8; len];
    let n = if no_profile {
        let payload = claims.as_payload().map_err(sign_problem)?;
        builder.sign(signer, &payload, &mut out)
    } else {
        ecnpp::sign_evidence(claims, &builder, signer, &mut out)
    }
    .map_err(sign_problem)?;
    out.truncate(n);
    Ok(out)
}

/// Runs `sign`.
pub(crate) fn run(g: &Global, a: &Args) -> CliResult<()> {
    let signer = load_signing_key(&a.key)?;
    let value = load_json(&a.claims)?;
    let bump = Bump::new();
    let reader = Reader {
        bump: &bump,
        now: now(g.now),
    };
    let name = shown(&a.claims);
    let mut claims = reader
        .claims(&value)
        .map_err(|e| CliError::usage(format!("{name}: {e}")))?;
    let nonce_bytes = a
        .nonce
        .as_deref()
        .map(|n| parse_hex_arg("--nonce", n))
        .transpose()?;
    if let Some(n) = &nonce_bytes {
        let nonce = Nonce::new(n).map_err(|_| {
            CliError::usage(format!(
                "--nonce: a nonce is {} to {} bytes; this one has {}",
                Nonce::MIN_LEN,
                Nonce::MAX_LEN,
                n.len()
            ))
        })?;
        claims.nonce = Some(NonceClaim::One(nonce));
    }
    let kid: Vec<u8> = a.kid.as_ref().map_or_else(
        || thumbprint(&signer.verifying_key()).to_vec(),
        |k| k.as_bytes().to_vec(),
    );
    let token = sign_claims(&claims, &signer, &kid, a.no_profile)
        .map_err(|e| CliError::usage(format!("{name}: {e}")))?;

    let format = a.format.unwrap_or(if a.out.is_some() {
        Format::Binary
    } else {
        Format::Hex
    });
    let encoded = match format {
        Format::Binary => token.clone(),
        Format::Hex => format!("{}\n", hex::encode(&token)).into_bytes(),
        Format::Base64 => format!(
            "{}\n",
            base64::engine::general_purpose::STANDARD.encode(&token)
        )
        .into_bytes(),
    };
    let what = if a.no_profile {
        "claims (no profile check)".to_string()
    } else {
        let promise = claims.promise.map_or("?", |p| p.name());
        format!("ECN PP evidence, promise {promise}")
    };
    let summary = format!(
        "signed {what}: {} bytes, ES256, kid {}, {}",
        token.len(),
        kid_text(&kid),
        hex_prefix(&token, 12)
    );
    match &a.out {
        Some(path) if path.as_os_str() != "-" => {
            write_file(path, &encoded, false, a.force)?;
            outln!("{summary}");
            outln!("wrote {} ({})", path.display(), format_name(format));
        }
        _ => {
            write_stdout_bytes(&encoded);
            eprintln!("{summary}");
        }
    }
    Ok(())
}

const fn format_name(f: Format) -> &'static str {
    match f {
        Format::Binary => "binary CBOR",
        Format::Hex => "hex",
        Format::Base64 => "base64",
    }
}
