//! `ecnpp demo`: the whole story in one run, for a person reading along.
//!
//! It uses the example files of cli/examples (compiled in), so what the demo shows is what the
//! documented examples produce: a secure-enclave device signs evidence for a fresh challenge, the
//! verifier verifies and appraises it against the sample policy and signs an attestation result,
//! and a relying party admits a confidential workload; then five refusals, each with its reason.

use std::path::PathBuf;
use std::time::Instant;

use bumpalo::Bump;
use ecnpp_attest::appraise::{
    AttestationResult, Challenge, Requirement, TrustStatus, VerifiedResult, appraise,
};
use ecnpp_attest::cose::ParseOptions;
use ecnpp_attest::crypto::{SigningKey, VerifyingKey};
use ecnpp_attest::eat::Promise;
use ecnpp_attest::eat::{Claims, DebugStatus, Nonce, NonceClaim, claim_name, key};
use ecnpp_attest::ecnpp::{Endorsement, Model, VerifiedEvidence};
use serde_json::Value;

use crate::Global;
use crate::claims::{Reader, claims_to_json};
use crate::cmd::appraise::{
    measurement_summary, reason_text, refusal_texts, sign_result, status_name,
};
use crate::cmd::sign::sign_claims;
use crate::fail::{CliError, CliResult, explain};
use crate::io::{format_duration, format_time, hex_prefix, now, outln, write_file};
use crate::keys::{generate, pkcs8_pem, random_bytes, spki_pem, thumbprint};
use crate::policy::{Endorsed, PolicyFile, parse_policy};
use crate::render::compact;

const CLAIMS_ENCLAVE: &str = include_str!("../../examples/claims-secure-enclave.json");
const CLAIMS_ELEMENT: &str = include_str!("../../examples/claims-secure-element.json");
const POLICY: &str = include_str!("../../examples/policy.json");
const CONFIDENTIAL: &str = "promise>=secure-enclave,evaluated,max-age=300";

/// Arguments of `demo`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Also write the demo's keys, challenge and tokens into this directory (created), to try
    /// the other commands on them
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
}

fn internal(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::usage(format!("demo: {what}: {e}"))
}

fn step(n: &str, title: &str) {
    outln!();
    outln!("[{n}] {title}");
}

/// The device's view: claims from an example file, answering `nonce`.
fn device_claims<'a>(
    json: &'a Value,
    bump: &'a Bump,
    t: i64,
    nonce: &'a [u8],
) -> CliResult<Claims<'a>> {
    let mut claims = Reader { bump, now: t }
        .claims(json)
        .map_err(|e| internal("example claims", e))?;
    claims.nonce = Some(NonceClaim::One(
        Nonce::new(nonce).map_err(|e| internal("nonce", explain(e)))?,
    ));
    Ok(claims)
}

/// Verifies and appraises one token; prints the verdict line.
fn appraise_line<'p>(
    label: &str,
    token: &'p [u8],
    anchors: &[Endorsement<'p>],
    policy_file: &PolicyFile<'p>,
    challenge: Challenge<'p>,
    t: i64,
) -> CliResult<AttestationResult<'p>> {
    let evidence =
        VerifiedEvidence::verify_with_endorsements(token, anchors, &ParseOptions::DEFAULT)
            .map_err(|e| internal(label, explain(e)))?;
    let policy = policy_file.policy(challenge, t);
    let result = appraise(&evidence, &policy);
    outln!("    {label}");
    outln!(
        "      → {}{}",
        status_name(result.status()),
        if result.status() == TrustStatus::Contraindicated {
            ": no attestation result is issued"
        } else {
            ""
        }
    );
    for r in result.reasons().names() {
        outln!("        reason {}", reason_text(r, &policy));
    }
    Ok(result)
}

/// Runs `demo`.
#[allow(clippy::too_many_lines)] // a script: one step after another, each printed
pub(crate) fn run(g: &Global, a: &Args) -> CliResult<()> {
    let started = Instant::now();
    let t = now(g.now);
    let enclave_json: Value =
        serde_json::from_str(CLAIMS_ENCLAVE).map_err(|e| internal("example claims", e))?;
    let element_json: Value =
        serde_json::from_str(CLAIMS_ELEMENT).map_err(|e| internal("example claims", e))?;
    let policy_json: Value = serde_json::from_str(POLICY).map_err(|e| internal("policy", e))?;
    let bump = Bump::new();
    let mut policy_file =
        parse_policy(&policy_json, &bump, None).map_err(|e| internal("policy", e))?;

    outln!("ecnpp demo: ECN PP attestation, end to end");
    outln!(
        "EAT (RFC 9711) claims in a COSE_Sign1 (RFC 9052) signed with ES256; clock {}",
        format_time(t)
    );

    // 1. Keys.
    step("1", "Keys (P-256, from the OS random source)");
    let k0 = Instant::now();
    let device = generate()?;
    let element_device = generate()?;
    let verifier = generate()?;
    let keygen_time = k0.elapsed();
    let element_kid = thumbprint(&element_device.verifying_key());
    let (device_pub, verifier_pub): (VerifyingKey, VerifyingKey) =
        (device.verifying_key(), verifier.verifying_key());
    let (device_kid, verifier_kid) = (thumbprint(&device_pub), thumbprint(&verifier_pub));
    outln!(
        "    device key     kid {}  public {}  (the secure element's attestation key)",
        hex::encode(device_kid),
        hex_prefix(&device_pub.to_sec1_compressed(), 8)
    );
    outln!(
        "    verifier key   kid {}  public {}  (signs attestation results)",
        hex::encode(verifier_kid),
        hex_prefix(&verifier_pub.to_sec1_compressed(), 8)
    );
    outln!(
        "    second device  kid {}  public {}  (for step 8d)",
        hex::encode(element_kid),
        hex_prefix(&element_device.verifying_key().to_sec1_compressed(), 8)
    );
    // The verifier endorses each device key for its own certified model (the sample policy's
    // first configuration for the enclave device, its second for the secure-element device).
    let model = |i: usize| {
        policy_file.certified.get(i).map(|c| Model {
            oemid: c.oemid,
            hwmodel: c.hwmodel,
        })
    };
    let (Some(x1), Some(s1)) = (model(0), model(1)) else {
        return Err(internal(
            "policy",
            "the sample policy has two configurations",
        ));
    };
    let (x1, s1) = (bump.alloc([x1]), bump.alloc([s1]));
    let element_pub = element_device.verifying_key();
    policy_file.endorsements = bump.alloc([
        Endorsed {
            key: device_pub,
            models: x1,
            ueid: None,
        },
        Endorsed {
            key: element_pub,
            models: s1,
            ueid: None,
        },
    ]);
    outln!(
        "    three keys made in {}; the verifier endorses each device key, by its kid, for its \
         own certified model",
        format_duration(keygen_time)
    );
    let anchors = [
        policy_file.endorsement(&device_pub, &device_kid),
        policy_file.endorsement(&element_pub, &element_kid),
    ];

    // 2. Challenge.
    step("2", "Challenge (verifier → device)");
    let nonce = random_bytes(32)?;
    let challenge = Challenge {
        nonce: &nonce,
        issued_at: t,
    };
    outln!(
        "    nonce {} (32 bytes), issued {}, valid {} s",
        hex_prefix(&nonce, 8),
        format_time(t),
        policy_file.max_challenge_age
    );

    // 3. Evidence.
    step(
        "3",
        "Evidence (device): claims of cli/examples/claims-secure-enclave.json, signed",
    );
    let claims = device_claims(&enclave_json, &bump, t, &nonce)?;
    let s0 = Instant::now();
    let evidence =
        sign_claims(&claims, &device, &device_kid, false).map_err(|e| internal("sign", e))?;
    let sign_time = s0.elapsed();
    let submods: Vec<&str> = claims
        .submods
        .map(|l| l.iter().map(|s| s.name).collect())
        .unwrap_or_default();
    let described = claims_to_json(&claims);
    let field = |k: i64| {
        claim_name(k)
            .and_then(|name| described.get(name))
            .map_or_else(String::new, compact)
    };
    outln!(
        "    promise {}, hwmodel {}, {} {}, dbgstat {}, submodules {}",
        field(key::ECNPP_PROMISE),
        field(key::HWMODEL),
        field(key::SWNAME),
        field(key::SWVERSION),
        field(key::DBGSTAT),
        submods.join(" + ")
    );
    outln!(
        "    COSE_Sign1 {} bytes  {}  signed in {}",
        evidence.len(),
        hex_prefix(&evidence, 12),
        format_duration(sign_time)
    );

    // 4. Verify.
    step("4", "Verify (verifier)");
    let v0 = Instant::now();
    let verified =
        VerifiedEvidence::verify_with_endorsements(&evidence, &anchors, &ParseOptions::DEFAULT)
            .map_err(|e| internal("verify", explain(e)))?;
    let verify_time = v0.elapsed();
    outln!(
        "    kid {} picks the endorsed device key; ES256 signature OK; {} claims read  ({})",
        hex::encode(device_kid),
        claims_to_json(verified.claims())
            .as_object()
            .map_or(0, serde_json::Map::len),
        format_duration(verify_time)
    );

    // 5. Appraise.
    step(
        "5",
        "Appraise against the sample policy (cli/examples/policy.json)",
    );
    let policy = policy_file.policy(challenge, t);
    let a0 = Instant::now();
    let result = appraise(&verified, &policy);
    let appraise_time = a0.elapsed();
    outln!(
        "    checks: nonce = challenge, challenge age, profile, certified configuration, oemboot,"
    );
    outln!("            dbgstat floor, reference measurements, \"se\" and \"tee\" submodules");
    outln!("    status         {}", status_name(result.status()));
    outln!(
        "    promise        {} (certificate {})",
        result.promise().map_or("none", Promise::name),
        result.certified_config().map_or("none", |c| c.certificate)
    );
    outln!(
        "    evaluated      {}",
        if result.evaluated_config() {
            "yes"
        } else {
            "no"
        }
    );
    outln!("    measurements   {}", measurement_summary(&result));
    outln!("    appraised in {}", format_duration(appraise_time));
    if result.status() != TrustStatus::Affirming {
        return Err(internal(
            "appraisal",
            format!("expected affirming, got {:?}", result.reasons()),
        ));
    }

    // 6. Attestation result.
    step("6", "Attestation result (verifier signs it)");
    let r0 = Instant::now();
    let result_token =
        sign_result(&result, &verifier, &verifier_kid).map_err(|e| internal("result", e))?;
    outln!(
        "    COSE_Sign1 {} bytes  {}  signed in {}",
        result_token.len(),
        hex_prefix(&result_token, 12),
        format_duration(r0.elapsed())
    );
    outln!("    carries ueid, promise, evaluated-config, dloas [registrar, certificate], measres");

    // 7. Admission.
    step("7", "Admit a confidential workload (relying party)");
    let requirement =
        Requirement::parse(CONFIDENTIAL).map_err(|e| internal("requirement", explain(e)))?;
    let rv0 = Instant::now();
    let vr = VerifiedResult::verify(&result_token, &verifier_pub, &ParseOptions::DEFAULT)
        .map_err(|e| internal("result verify", explain(e)))?;
    let refusals = requirement.admits(&vr, t);
    outln!(
        "    result verified with the verifier's key and checked in {}",
        format_duration(rv0.elapsed())
    );
    outln!("    requirement    {CONFIDENTIAL}");
    if refusals.admitted() {
        outln!("    → ADMITTED: the workload may run on this device");
    } else {
        return Err(internal(
            "admission",
            "the secure-enclave device was refused",
        ));
    }

    // 8. Refusals.
    step("8", "Refusals, each with its reason");
    let mut debug_claims = device_claims(&enclave_json, &bump, t, &nonce)?;
    debug_claims.dbgstat = Some(DebugStatus::Enabled);
    let debug_token =
        sign_claims(&debug_claims, &device, &device_kid, false).map_err(|e| internal("sign", e))?;
    let r_debug = appraise_line(
        "a) the same device with debug enabled (dbgstat \"enabled\")",
        &debug_token,
        &anchors,
        &policy_file,
        challenge,
        t,
    )?;

    let new_nonce = random_bytes(32)?;
    let r_replay = appraise_line(
        "b) the evidence of step 3 replayed against a new challenge",
        &evidence,
        &anchors,
        &policy_file,
        Challenge {
            nonce: &new_nonce,
            issued_at: t,
        },
        t,
    )?;

    let r_stale = appraise_line(
        "c) the evidence of step 3 presented 10 minutes after its challenge",
        &evidence,
        &anchors,
        &policy_file,
        challenge,
        t.saturating_add(600),
    )?;

    let element_claims = device_claims(&element_json, &bump, t, &nonce)?;
    let element_token = sign_claims(&element_claims, &element_device, &element_kid, false)
        .map_err(|e| internal("sign", e))?;
    let r_element = appraise_line(
        "d) a certified secure-element device (edge-node-s1) asks for the confidential workload",
        &element_token,
        &anchors,
        &policy_file,
        challenge,
        t,
    )?;
    let element_result =
        sign_result(&r_element, &verifier, &verifier_kid).map_err(|e| internal("result", e))?;
    let evr = VerifiedResult::verify(&element_result, &verifier_pub, &ParseOptions::DEFAULT)
        .map_err(|e| internal("result verify", explain(e)))?;
    let element_refusals = requirement.admits(&evr, t);
    outln!("      → its attestation result, presented for the confidential workload:");
    for text in refusal_texts(&element_refusals, &requirement, &evr, t) {
        outln!("        REFUSED {text}");
    }
    let basic = Requirement::parse("promise>=secure-element")
        .map_err(|e| internal("requirement", explain(e)))?;
    if basic.admits(&evr, t).admitted() {
        outln!("        (a workload needing \"promise>=secure-element\" is ADMITTED)");
    }

    // e) The secure-element device's key signs evidence claiming to be the enclave model.
    let mut posing_claims = device_claims(&enclave_json, &bump, t, &nonce)?;
    posing_claims.ueid = element_claims.ueid;
    let posing_token = sign_claims(&posing_claims, &element_device, &element_kid, false)
        .map_err(|e| internal("sign", e))?;
    let r_posing = appraise_line(
        "e) the secure-element device's key signs evidence claiming to be an edge-node-x1",
        &posing_token,
        &anchors,
        &policy_file,
        challenge,
        t,
    )?;

    let expected = [
        (r_debug.status(), "debug-enabled"),
        (r_replay.status(), "nonce-mismatch"),
        (r_stale.status(), "challenge-expired"),
        (r_posing.status(), "model-not-endorsed"),
    ];
    let all_refused = expected
        .iter()
        .all(|(s, _)| *s == TrustStatus::Contraindicated)
        && r_debug.reasons().names().any(|n| n == "debug-enabled")
        && r_replay.reasons().names().any(|n| n == "nonce-mismatch")
        && r_stale.reasons().names().any(|n| n == "challenge-expired")
        && r_posing
            .reasons()
            .names()
            .any(|n| n == "model-not-endorsed")
        && !element_refusals.admitted();
    if !all_refused {
        return Err(internal("refusals", "a refusal did not happen as expected"));
    }

    if let Some(dir) = &a.keep {
        keep(dir, &device, &verifier, &nonce, &evidence, &result_token)?;
    }

    outln!();
    outln!(
        "done in {}: one device admitted, five refusals with their reasons",
        format_duration(started.elapsed())
    );
    outln!(
        "next: ecnpp keygen, sign, verify, inspect, appraise, admit, verify-batch (docs/cli.md)"
    );
    Ok(())
}

/// Writes the demo's material for further experiments.
fn keep(
    dir: &std::path::Path,
    device: &SigningKey,
    verifier: &SigningKey,
    nonce: &[u8],
    evidence: &[u8],
    result: &[u8],
) -> CliResult<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        CliError::usage(format!(
            "{}: cannot create: {}",
            dir.display(),
            crate::io::io_reason(&e)
        ))
    })?;
    // The sample policy, with the kept device key endorsed for the sample's enclave model.
    let mut policy: Value = serde_json::from_str(POLICY).map_err(|e| internal("policy", e))?;
    if let Some(p) = policy.as_object_mut() {
        let model = p
            .get("certified")
            .and_then(|c| c.get(0))
            .map(|m| serde_json::json!({ "oemid": m.get("oemid"), "hwmodel": m.get("hwmodel") }));
        let endorsement = serde_json::json!({ "key": "device.pub.pem", "models": [model] });
        p.insert("endorsements".into(), Value::Array(vec![endorsement]));
    }
    let policy = serde_json::to_string_pretty(&policy).map_err(|e| internal("policy", e))?;
    let files: [(&str, Vec<u8>, bool); 8] = [
        (
            "device.key.pem",
            pkcs8_pem(device)?.as_bytes().to_vec(),
            true,
        ),
        (
            "device.pub.pem",
            spki_pem(&device.verifying_key())?.into_bytes(),
            false,
        ),
        (
            "verifier.key.pem",
            pkcs8_pem(verifier)?.as_bytes().to_vec(),
            true,
        ),
        (
            "verifier.pub.pem",
            spki_pem(&verifier.verifying_key())?.into_bytes(),
            false,
        ),
        (
            "challenge.hex",
            format!("{}\n", hex::encode(nonce)).into_bytes(),
            false,
        ),
        ("evidence.cbor", evidence.to_vec(), false),
        ("result.cbor", result.to_vec(), false),
        ("policy.json", format!("{policy}\n").into_bytes(), false),
    ];
    outln!();
    for (name, bytes, secret) in files {
        write_file(&dir.join(name), &bytes, secret, true)?;
    }
    outln!(
        "kept in {}: device.key.pem device.pub.pem verifier.key.pem verifier.pub.pem \
         challenge.hex evidence.cbor result.cbor policy.json (the sample policy endorsing \
         device.pub.pem)",
        dir.display()
    );
    Ok(())
}
