//! `ecnpp verify-batch`: a directory of evidence tokens verified (keys picked by kid among a
//! directory of trusted keys) and appraised on all cores, with a progress bar on a terminal, a
//! summary table and the throughput; or JSON lines.

use std::collections::BTreeMap;
use std::fs;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bumpalo::Bump;
use ecnpp_attest::Error;
use ecnpp_attest::appraise::{Challenge, Policy, TrustStatus, appraise};
use ecnpp_attest::cose::{ParseOptions, UnverifiedSign1};
use ecnpp_attest::crypto::VerifyingKey;
use ecnpp_attest::eat::Promise;
use ecnpp_attest::ecnpp::{Endorsement, VerifiedEvidence};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::Global;
use crate::cmd::appraise::status_name;
use crate::cmd::{parse_options, token_problem};
use crate::fail::{CliError, CliResult};
use crate::io::{
    MAX_INPUT, decode_token_bytes, format_duration, io_reason, now, outln, parse_hex_arg, shown,
};
use crate::keys::{parse_verifying_key, thumbprint};
use crate::policy::{load_json, policy_from};

/// Arguments of `verify-batch`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Directory of trusted public keys; a token's kid picks one by file name (up to the first
    /// dot), by thumbprint, or by a COSE_Key's own kid
    #[arg(long, value_name = "DIR")]
    keys: PathBuf,
    /// The verifier's policy
    #[arg(long, value_name = "JSON")]
    policy: PathBuf,
    /// Directory of evidence tokens (every file in it; binary, hex or base64)
    tokens: PathBuf,
    /// The challenge all these tokens answer (hex)
    #[arg(long, value_name = "HEX")]
    nonce: String,
    /// When the challenge was issued, epoch seconds (default: now)
    #[arg(long, value_name = "EPOCH_SECONDS", allow_hyphen_values = true)]
    challenge_issued_at: Option<i64>,
    /// Worker threads (default: all cores)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// One JSON object per token, then a summary object, one per line
    #[arg(long)]
    json: bool,
    /// Also accept untagged messages and the CWT wrapper 61(18(...))
    #[arg(long)]
    permissive_tags: bool,
    /// Require core deterministic CBOR
    #[arg(long)]
    strict: bool,
}

/// What happened to one token.
#[derive(Debug)]
enum Outcome {
    /// Verified and appraised.
    Appraised {
        status: TrustStatus,
        reasons: Vec<&'static str>,
        promise: Option<Promise>,
        evaluated: bool,
    },
    /// Refused before appraisal (format, signature, key).
    Refused(String),
    /// Could not be read.
    Unreadable(String),
}

/// The regular, non-hidden files of a directory, sorted by name.
fn files_in(dir: &Path) -> CliResult<Vec<PathBuf>> {
    let entries = fs::read_dir(dir)
        .map_err(|e| CliError::usage(format!("{}: cannot list: {}", shown(dir), io_reason(&e))))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    files.sort();
    Ok(files)
}

/// Trusted keys by kid: every file of `dir` must be a key.
fn load_anchors(dir: &Path) -> CliResult<Vec<(Vec<u8>, VerifyingKey)>> {
    let mut anchors: Vec<(Vec<u8>, VerifyingKey)> = Vec::new();
    let files = files_in(dir)?;
    if files.is_empty() {
        return Err(CliError::usage(format!(
            "{}: holds no key files",
            shown(dir)
        )));
    }
    for path in files {
        let bytes = fs::read(&path).map_err(|e| {
            CliError::usage(format!("{}: cannot read: {}", shown(&path), io_reason(&e)))
        })?;
        let key = parse_verifying_key(&bytes)
            .map_err(|e| CliError::usage(format!("{}: {e}", shown(&path))))?;
        let stem = path
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .split('.')
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .unwrap_or_default();
        let mut kids = vec![thumbprint(&key.key).to_vec(), stem.into_bytes()];
        kids.extend(key.kid.clone());
        for kid in kids.into_iter().filter(|k| !k.is_empty()) {
            match anchors.iter().find(|(k, _)| *k == kid) {
                Some((_, existing)) if *existing != key.key => {
                    return Err(CliError::usage(format!(
                        "{}: kid {} already names another key in {}",
                        shown(&path),
                        crate::cmd::kid_text(&kid),
                        shown(dir)
                    )));
                }
                Some(_) => {}
                None => anchors.push((kid, key.key)),
            }
        }
    }
    Ok(anchors)
}

fn appraise_one(
    path: &Path,
    endorsements: &[Endorsement<'_>],
    single_key: Option<&Endorsement<'_>>,
    policy: &Policy<'_>,
    options: &ParseOptions,
) -> Outcome {
    let raw = match fs::File::open(path).and_then(|f| {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_INPUT), &mut buf).map(|_| buf)
    }) {
        Ok(b) if !b.is_empty() => b,
        Ok(_) => return Outcome::Unreadable("empty file".into()),
        Err(e) => return Outcome::Unreadable(io_reason(&e)),
    };
    let (token, _) = decode_token_bytes(raw);
    let verified = match VerifiedEvidence::verify_with_endorsements(&token, endorsements, options) {
        // A token without a kid is accepted when exactly one key is trusted.
        Err(Error::KeyNotTrusted)
            if single_key.is_some()
                && UnverifiedSign1::parse(&token, options)
                    .is_ok_and(|t| t.kid_untrusted().is_none()) =>
        {
            single_key.map_or(Err(Error::KeyNotTrusted), |e| {
                VerifiedEvidence::verify(&token, e, options)
            })
        }
        other => other,
    };
    match verified {
        Ok(evidence) => {
            let r = appraise(&evidence, policy);
            Outcome::Appraised {
                status: r.status(),
                reasons: r.reasons().names().collect(),
                promise: r.promise(),
                evaluated: r.evaluated_config(),
            }
        }
        Err(e) => Outcome::Refused(token_problem(&token, e)),
    }
}

/// Runs `verify-batch`.
pub(crate) fn run(g: &Global, a: &Args) -> CliResult<()> {
    let key_list = load_anchors(&a.keys)?;
    let policy_json = load_json(&a.policy)?;
    let bump = Bump::new();
    let policy_file = policy_from(&a.policy, &policy_json, &bump)?;
    // Each key gets what the policy endorses it for (nothing, for a key the policy omits).
    let anchors: Vec<Endorsement<'_>> = key_list
        .iter()
        .map(|(kid, key)| policy_file.endorsement(key, kid))
        .collect();
    let mut distinct: Vec<VerifyingKey> = Vec::new();
    for (_, k) in &key_list {
        if !distinct.contains(k) {
            distinct.push(*k);
        }
    }
    let single = distinct
        .first()
        .filter(|_| distinct.len() == 1)
        .map(|k| policy_file.endorsement(k, &[]));
    let single_key = single.as_ref();
    let nonce = parse_hex_arg("--nonce", &a.nonce)?;
    let t = now(g.now);
    let policy = policy_file.policy(
        Challenge {
            nonce: &nonce,
            issued_at: a.challenge_issued_at.unwrap_or(t),
        },
        t,
    );
    let options = parse_options(a.permissive_tags, a.strict);
    let files = files_in(&a.tokens)?;
    if files.is_empty() {
        return Err(CliError::usage(format!(
            "{}: holds no token files",
            shown(&a.tokens)
        )));
    }
    let threads = a.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        usize::from,
    );
    let threads = threads.min(files.len()).max(1);

    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(u64::try_from(files.len()).unwrap_or(u64::MAX));
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} tokens ({rate}, eta {eta})",
        ) {
            bar.set_style(style.with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0} tokens/s", state.per_sec());
                },
            ));
        }
        bar
    } else {
        ProgressBar::hidden()
    };

    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let mut outcomes: Vec<Option<Outcome>> = files.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(usize, Outcome)>();
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, files, anchors, policy, options) =
                (&next, &files, &anchors, &policy, &options);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let outcome = appraise_one(path, anchors, single_key, policy, options);
                    if tx.send((i, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, outcome) in rx {
            if let Some(slot) = outcomes.get_mut(i) {
                *slot = Some(outcome);
            }
            bar.inc(1);
        }
    });
    let elapsed = started.elapsed();
    bar.finish_and_clear();

    report(a, &files, &outcomes, threads, elapsed)
}

#[derive(Default)]
struct Tally {
    affirming: usize,
    warning: usize,
    contraindicated: usize,
    refused: usize,
    unreadable: usize,
    reasons: BTreeMap<&'static str, usize>,
    refusals: BTreeMap<String, usize>,
}

fn report(
    a: &Args,
    files: &[PathBuf],
    outcomes: &[Option<Outcome>],
    threads: usize,
    elapsed: Duration,
) -> CliResult<()> {
    let mut tally = Tally::default();
    let mut problems: Vec<String> = Vec::new();
    for (path, outcome) in files.iter().zip(outcomes) {
        let name = path
            .file_name()
            .map_or_else(|| shown(path), |n| n.to_string_lossy().into_owned());
        let line = match outcome {
            Some(Outcome::Appraised {
                status,
                reasons,
                promise,
                evaluated,
            }) => {
                match status {
                    TrustStatus::Affirming => tally.affirming += 1,
                    TrustStatus::Warning => tally.warning += 1,
                    TrustStatus::Contraindicated => tally.contraindicated += 1,
                }
                for r in reasons {
                    *tally.reasons.entry(r).or_default() += 1;
                }
                if *status != TrustStatus::Affirming {
                    problems.push(format!(
                        "{name}: {} ({})",
                        status_name(*status),
                        reasons.join(", ")
                    ));
                }
                json!({
                    "file": name,
                    "status": status_name(*status),
                    "reasons": reasons,
                    "promise": promise.map(Promise::name),
                    "evaluated_config": evaluated,
                })
            }
            Some(Outcome::Refused(e)) => {
                tally.refused += 1;
                *tally.refusals.entry(e.clone()).or_default() += 1;
                problems.push(format!("{name}: refused: {e}"));
                json!({ "file": name, "status": "refused", "error": e })
            }
            Some(Outcome::Unreadable(e)) => {
                tally.unreadable += 1;
                problems.push(format!("{name}: unreadable: {e}"));
                json!({ "file": name, "status": "unreadable", "error": e })
            }
            None => {
                tally.unreadable += 1;
                problems.push(format!("{name}: not processed"));
                json!({ "file": name, "status": "unreadable", "error": "not processed" })
            }
        };
        if a.json {
            outln!("{line}");
        }
    }
    let n = files.len();
    let secs = elapsed.as_secs_f64().max(1e-9);
    let per_token = elapsed
        .checked_div(u32::try_from(n).unwrap_or(u32::MAX))
        .unwrap_or_default();
    #[allow(clippy::cast_precision_loss)] // a token count far below 2^52
    let throughput = n as f64 / secs;
    if a.json {
        outln!(
            "{}",
            json!({ "summary": {
                "tokens": n,
                "threads": threads,
                "seconds": secs,
                "tokens_per_second": throughput,
                "affirming": tally.affirming,
                "warning": tally.warning,
                "contraindicated": tally.contraindicated,
                "refused": tally.refused,
                "unreadable": tally.unreadable,
                "reasons": tally.reasons,
                "refusals": tally.refusals,
            }})
        );
    } else {
        outln!(
            "verify-batch: {n} tokens from {} on {threads} thread{} in {}: {throughput:.0} \
             tokens/s ({} per token)",
            shown(&a.tokens),
            if threads == 1 { "" } else { "s" },
            format_duration(elapsed),
            format_duration(per_token)
        );
        outln!();
        outln!("  {:<34}{:>8}", "outcome", "tokens");
        for (label, count) in [
            ("affirming", tally.affirming),
            ("warning", tally.warning),
            ("contraindicated", tally.contraindicated),
            ("refused (format, key, signature)", tally.refused),
            ("unreadable", tally.unreadable),
        ] {
            outln!("  {label:<34}{count:>8}");
        }
        if !tally.reasons.is_empty() {
            outln!();
            outln!("  {:<34}{:>8}", "appraisal reason", "tokens");
            for (r, c) in &tally.reasons {
                outln!("  {r:<34}{c:>8}");
            }
        }
        if !tally.refusals.is_empty() {
            outln!();
            outln!("  refusal");
            for (r, c) in &tally.refusals {
                outln!("  {c:>6}  {r}");
            }
        }
        if !problems.is_empty() {
            outln!();
            for p in problems.iter().take(10) {
                outln!("  {p}");
            }
            if problems.len() > 10 {
                outln!(
                    "  ... and {} more (--json lists every token)",
                    problems.len() - 10
                );
            }
        }
    }
    if tally.unreadable > 0 {
        Err(CliError::usage(format!(
            "{}: {} of {n} token files could not be read",
            shown(&a.tokens),
            tally.unreadable
        )))
    } else if tally.contraindicated + tally.refused > 0 {
        Err(CliError::refused(format!(
            "{}: {} of {n} tokens refused ({} contraindicated, {} not verified)",
            shown(&a.tokens),
            tally.contraindicated + tally.refused,
            tally.contraindicated,
            tally.refused
        )))
    } else {
        Ok(())
    }
}
