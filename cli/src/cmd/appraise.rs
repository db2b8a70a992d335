//! `ecnpp appraise` (the verifier: evidence + policy -> attestation result) and `ecnpp admit`
//! (the relying party: attestation result + requirement -> admitted or refused).

use std::path::PathBuf;

use bumpalo::Bump;
use ecnpp_attest::appraise::{
    AttestationResult, Challenge, Policy, Refusals, Requirement, TrustStatus, VerifiedResult,
    appraise,
};
use ecnpp_attest::cose::Sign1Builder;
use ecnpp_attest::crypto::SigningKey;
use ecnpp_attest::eat::Promise;
use ecnpp_attest::ecnpp::VerifiedEvidence;
use serde_json::json;

use crate::Global;
use crate::cmd::{kid_text, parse_options, token_problem};
use crate::fail::{CliError, CliResult, explain};
use crate::io::{
    format_time, hex_prefix, now, outln, parse_hex_arg, read_token, shown, write_file,
};
use crate::keys::{load_signing_key, load_verifying_key, thumbprint};
use crate::policy::{load_json, policy_from};

/// Arguments of `appraise`.
#[derive(clap::Args, Debug)]
pub(crate) struct AppraiseArgs {
    /// The device's endorsed public key
    #[arg(long = "pub", value_name = "KEY")]
    public: PathBuf,
    /// The verifier's policy (see cli/examples/policy.json)
    #[arg(long, value_name = "JSON")]
    policy: PathBuf,
    /// The evidence token (binary CBOR, hex or base64; "-" for stdin)
    token: PathBuf,
    /// The challenge this evidence answers (hex)
    #[arg(long, value_name = "HEX")]
    nonce: String,
    /// When the challenge was issued, epoch seconds (default: now)
    #[arg(long, value_name = "EPOCH_SECONDS", allow_hyphen_values = true)]
    challenge_issued_at: Option<i64>,
    /// Sign an attestation result with this verifier private key (needs -o)
    #[arg(long, value_name = "KEY", requires = "out")]
    result_key: Option<PathBuf>,
    /// Where to write the attestation result (binary CBOR; "-" for stdout)
    #[arg(short, long, value_name = "FILE", requires = "result_key")]
    out: Option<PathBuf>,
    /// Key ID of the result (default: the verifier key's thumbprint)
    #[arg(long, value_name = "TEXT")]
    result_kid: Option<String>,
    /// Print one JSON object instead of text
    #[arg(long)]
    json: bool,
    /// Replace an existing output file
    #[arg(long)]
    force: bool,
    /// Also accept untagged messages and the CWT wrapper 61(18(...))
    #[arg(long)]
    permissive_tags: bool,
    /// Require core deterministic CBOR
    #[arg(long)]
    strict: bool,
}

/// Arguments of `admit`.
#[derive(clap::Args, Debug)]
pub(crate) struct AdmitArgs {
    /// The verifier's public key
    #[arg(long = "pub", value_name = "KEY")]
    public: PathBuf,
    /// What the workload requires, e.g. "promise>=secure-enclave,evaluated,max-age=300"
    #[arg(long, value_name = "REQUIREMENT")]
    require: String,
    /// The attestation result token
    result: PathBuf,
    /// Print one JSON object instead of text
    #[arg(long)]
    json: bool,
}

/// A sentence for an appraisal reason.
pub(crate) fn reason_text(name: &str, policy: &Policy<'_>) -> String {
    let floor = policy.debug_floor.name();
    let text = match name {
        "nonce-mismatch" => "the nonce is not the challenge (a replayed or foreign token)".into(),
        "challenge-expired" => format!(
            "the challenge is older than {} s (or from the future)",
            policy.max_challenge_age
        ),
        "token-time-invalid" => "iat or nbf is in the future, or exp in the past".into(),
        "wrong-profile" => "eat_profile is not an accepted profile".into(),
        "evidence-incomplete" => {
            "a claim the profile requires is missing, or a verifier-only claim is present".into()
        }
        "submodule-missing" => {
            "the submodule the claimed promise requires is missing or breaks its rules".into()
        }
        "uncertified-config" => {
            "oemid, hwmodel, swname and swversion match no certified configuration".into()
        }
        "promise-above-certified" => {
            "the device claims more than its certificate supports (downgraded)".into()
        }
        "oemboot-failed" => "oemboot is not true".into(),
        "debug-enabled" => format!("dbgstat is below the policy's floor ({floor})"),
        "measurement-mismatch" => {
            "a measurement differs from the reference values, or one is absent".into()
        }
        "too-many-measurements" => "more measurements than an appraisal records".into(),
        "not-operational" => "the device is in provisioning or maintenance".into(),
        "decommissioned" => "the device is decommissioned".into(),
        "se-debug-enabled" => format!("the secure element's dbgstat is below {floor}"),
        "model-not-endorsed" => {
            "the policy does not endorse the signing key for this oemid and hwmodel".into()
        }
        "ueid-not-endorsed" => "the signing key is endorsed for another device (ueid)".into(),
        "pp-ref-mismatch" => {
            "ecnpp-pp-ref is not the PP the configuration is certified against".into()
        }
        "promise-not-shown" => {
            "the evidence does not meet the rules of the promise it would be given".into()
        }
        _ => String::new(),
    };
    if text.is_empty() {
        name.to_string()
    } else {
        format!("{name}: {text}")
    }
}

/// The status word.
pub(crate) const fn status_name(s: TrustStatus) -> &'static str {
    match s {
        TrustStatus::Affirming => "affirming",
        TrustStatus::Warning => "warning",
        TrustStatus::Contraindicated => "contraindicated",
    }
}

/// "2 success, 1 fail".
pub(crate) fn measurement_summary(r: &AttestationResult<'_>) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for m in r.measurement_results() {
        let n = m.result.name();
        match counts.iter_mut().find(|(k, _)| *k == n) {
            Some((_, c)) => *c += 1,
            None => counts.push((n, 1)),
        }
    }
    if counts.is_empty() {
        return "none".into();
    }
    counts
        .iter()
        .map(|(k, c)| format!("{c} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Signs an attestation result; the error names why none was issued.
pub(crate) fn sign_result(
    result: &AttestationResult<'_>,
    key: &SigningKey,
    kid: &[u8],
) -> Result<Vec<u8>, String> {
    let builder = Sign1Builder::new().kid(kid);
    let len = result.token_len(&builder).map_err(explain)?;
    let mut out = vec![0u8; len];
    let n = result.sign(&builder, key, &mut out).map_err(explain)?;
    out.truncate(n);
    Ok(out)
}

/// Runs `appraise`.
pub(crate) fn run_appraise(g: &Global, a: &AppraiseArgs) -> CliResult<()> {
    let (token, _) = read_token(&a.token)?;
    let key = load_verifying_key(&a.public)?;
    let policy_json = load_json(&a.policy)?;
    let bump = Bump::new();
    let policy_file = policy_from(&a.policy, &policy_json, &bump)?;
    let nonce = parse_hex_arg("--nonce", &a.nonce)?;
    let result_signer = a.result_key.as_deref().map(load_signing_key).transpose()?;
    let t = now(g.now);
    let issued_at = a.challenge_issued_at.unwrap_or(t);
    let file = shown(&a.token);

    // The policy says what the key may attest; a key it does not endorse gets no model.
    let endorsement = policy_file.endorsement(&key.key, &[]);
    let evidence = VerifiedEvidence::verify(
        &token,
        &endorsement,
        &parse_options(a.permissive_tags, a.strict),
    )
    .map_err(|e| match e {
        ecnpp_attest::Error::VerificationFailed => CliError::refused(format!(
            "{file}: the signature does not verify with the key in {}",
            shown(&a.public)
        )),
        other => CliError::refused(format!("{file}: {}", token_problem(&token, other))),
    })?;
    let policy = policy_file.policy(
        Challenge {
            nonce: &nonce,
            issued_at,
        },
        t,
    );
    let result = appraise(&evidence, &policy);
    let claimed = evidence.claims().promise;
    let reasons: Vec<String> = result
        .reasons()
        .names()
        .map(|n| reason_text(n, &policy))
        .collect();
    let contraindicated = result.status() == TrustStatus::Contraindicated;

    let mut issued: Option<(PathBuf, usize, Vec<u8>)> = None;
    let mut not_issued: Option<String> = None;
    if let (Some(signer), Some(out)) = (&result_signer, &a.out) {
        let kid = a.result_kid.as_ref().map_or_else(
            || thumbprint(&signer.verifying_key()).to_vec(),
            |k| k.as_bytes().to_vec(),
        );
        match sign_result(&result, signer, &kid) {
            Ok(bytes) => {
                write_file(out, &bytes, false, a.force)?;
                issued = Some((out.clone(), bytes.len(), kid));
            }
            Err(e) => not_issued = Some(e),
        }
    }

    if a.json {
        outln!(
            "{}",
            json!({
                "file": file,
                "verified": true,
                "status": status_name(result.status()),
                "reasons": result.reasons().names().collect::<Vec<_>>(),
                "promise": result.promise().map(Promise::name),
                "claimed_promise": claimed.map(Promise::name),
                "evaluated_config": result.evaluated_config(),
                "certificate": result.certified_config().map(|c| c.certificate),
                "measurements": result.measurement_results().map(|m| json!({
                    "id": match m.id {
                        ecnpp_attest::eat::ResultId::Bytes(b) => crate::render::hex_json(b),
                        ecnpp_attest::eat::ResultId::Text(t) => crate::render::text_json(t),
                    },
                    "result": m.result.name(),
                })).collect::<Vec<_>>(),
                "result_file": issued.as_ref().map(|(p, _, _)| p.display().to_string()),
                "result_size": issued.as_ref().map(|(_, n, _)| n),
                "result_error": not_issued,
            })
        );
    } else {
        outln!(
            "{file}: signature OK (key {}), claims read",
            shown(&a.public)
        );
        outln!(
            "appraised against {}: challenge {} issued {}, now {}",
            shown(&a.policy),
            hex_prefix(&nonce, 8),
            format_time(issued_at),
            format_time(t)
        );
        outln!("  status          {}", status_name(result.status()));
        let promise = match (result.promise(), claimed) {
            (Some(p), Some(c)) if p == c => format!("{} (as claimed)", p.name()),
            (Some(p), Some(c)) => format!("{} (claimed {})", p.name(), c.name()),
            (Some(p), None) => p.name().to_string(),
            (None, _) => "none corroborated".into(),
        };
        outln!("  promise         {promise}");
        outln!(
            "  certificate     {}",
            result
                .certified_config()
                .map_or("none matches", |c| c.certificate)
        );
        outln!(
            "  evaluated       {}",
            if result.evaluated_config() {
                "yes"
            } else {
                "no"
            }
        );
        outln!("  measurements    {}", measurement_summary(&result));
        if reasons.is_empty() {
            outln!("  reasons         none");
        } else {
            for (i, r) in reasons.iter().enumerate() {
                outln!("  {:<16}{r}", if i == 0 { "reasons" } else { "" });
            }
        }
        if let Some((path, n, kid)) = &issued {
            outln!(
                "attestation result: {n} bytes, signed by {} (kid {}), written to {}",
                a.result_key.as_deref().map(shown).unwrap_or_default(),
                kid_text(kid),
                path.display()
            );
        }
        if let Some(e) = &not_issued {
            outln!("no attestation result issued: {e}");
        }
    }
    if contraindicated {
        return Err(CliError::refused(format!(
            "{file}: contraindicated: {}",
            result.reasons().names().collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(())
}

/// Sentences for a requirement's refusals.
pub(crate) fn refusal_texts(
    refusals: &Refusals,
    req: &Requirement,
    result: &VerifiedResult<'_>,
    now: i64,
) -> Vec<String> {
    let mut out = Vec::new();
    if refusals.promise_too_low {
        out.push(format!(
            "promise-too-low: the corroborated promise ({}) is below {}",
            result.promise().map_or("none", Promise::name),
            req.min_promise.name()
        ));
    }
    if refusals.not_evaluated {
        out.push(
            "not-evaluated: the verifier did not find the certified (evaluated) configuration"
                .into(),
        );
    }
    if refusals.too_old {
        out.push(match result.issued_at() {
            Some(iat) if iat > now => {
                format!(
                    "too-old: the result is issued in the future ({})",
                    format_time(iat)
                )
            }
            Some(iat) => format!(
                "too-old: the result is {} s old; the requirement allows {} s",
                now.saturating_sub(iat),
                req.max_age.unwrap_or(0)
            ),
            None => "too-old: the result has no issue time".into(),
        });
    }
    out
}

/// Runs `admit`.
pub(crate) fn run_admit(g: &Global, a: &AdmitArgs) -> CliResult<()> {
    let (token, _) = read_token(&a.result)?;
    let key = load_verifying_key(&a.public)?;
    let req = Requirement::parse(&a.require).map_err(|_| {
        CliError::usage(format!(
            "--require \"{}\": expected comma-separated terms: promise>=standard|secure-element|\
             secure-enclave (required), evaluated, max-age=SECONDS",
            a.require
        ))
    })?;
    let file = shown(&a.result);
    let t = now(g.now);
    let result = VerifiedResult::verify(&token, &key.key, &parse_options(false, false)).map_err(
        |e| match e {
            ecnpp_attest::Error::VerificationFailed => CliError::refused(format!(
                "{file}: the signature does not verify with the verifier key in {}",
                shown(&a.public)
            )),
            other => CliError::refused(format!("{file}: {}", token_problem(&token, other))),
        },
    )?;
    let refusals = req.admits(&result, t);
    let texts = refusal_texts(&refusals, &req, &result, t);
    if a.json {
        outln!(
            "{}",
            json!({
                "file": file,
                "admitted": refusals.admitted(),
                "promise": result.promise().map(Promise::name),
                "evaluated_config": result.evaluated_config(),
                "issued_at": result.issued_at(),
                "refusals": texts,
            })
        );
    } else {
        outln!(
            "{file}: attestation result verified (key {}); promise {}, evaluated {}, issued {}",
            shown(&a.public),
            result.promise().map_or("none", Promise::name),
            if result.evaluated_config() {
                "yes"
            } else {
                "no"
            },
            result.issued_at().map_or_else(|| "?".into(), format_time)
        );
        if refusals.admitted() {
            outln!("ADMITTED: the device meets \"{}\"", a.require);
        } else {
            outln!("REFUSED: the device does not meet \"{}\"", a.require);
            for t in &texts {
                outln!("  {t}");
            }
        }
    }
    if refusals.admitted() {
        Ok(())
    } else {
        Err(CliError::refused(format!(
            "{file}: refused: {}",
            texts
                .iter()
                .map(|t| t.split(':').next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}
