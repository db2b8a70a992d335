//! `ecnpp`: ECN PP attestation evidence from a shell.
//!
//! Device side: `keygen`, `sign`. Verifier side: `verify`, `inspect`, `appraise`,
//! `verify-batch`. Relying party: `admit`. And `demo`, the whole story in one run.
//!
//! Exit codes: 0 success; 1 a verification or policy refusal; 2 usage or unreadable input.
//! No panic escapes: clap usage errors exit 2, and a panic hook turns a bug into a message and
//! exit code 2 (its text says "panicked", so tests that look for it still see it).
//!
//! Output goes through [`io::out!`], which writes to stdout without panicking on a closed pipe,
//! so the crate uses no `println!` (and needs no `print_stdout` exemption).

mod claims;
mod cmd;
mod diag;
mod fail;
mod io;
mod keys;
mod policy;
mod render;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::fail::CliError;

/// ECN PP attestation evidence: keys, signing, verification, appraisal and admission.
///
/// Evidence is an EAT (RFC 9711) in a COSE_Sign1 signed with ES256 (RFC 9052), following the
/// Edge Compute Node Protection Profile claims profile of ecnpp-attest.
#[derive(Parser, Debug)]
#[command(name = "ecnpp", version, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 success, 1 verification or policy refusal, \
                        2 usage or unreadable input.\nStart with: ecnpp demo"
)]
struct Cli {
    /// The clock in seconds since the Unix epoch, instead of the system clock (for
    /// reproducible runs; used by "now" in claims, appraisal and admission)
    #[arg(
        long,
        global = true,
        value_name = "EPOCH_SECONDS",
        allow_hyphen_values = true,
        display_order = 1000
    )]
    now: Option<i64>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The whole story in one run: keys, challenge, evidence, verification, appraisal, result,
    /// admission, and refusals with their reasons
    Demo(cmd::demo::Args),
    /// Make a P-256 key: PKCS#8 PEM private key; SPKI PEM, SEC1 hex and COSE_Key public key
    Keygen(cmd::keygen::Args),
    /// Sign ECN PP evidence from a JSON claims file (device side)
    Sign(cmd::sign::Args),
    /// Verify a token's signature and print its claims
    Verify(cmd::verify::VerifyArgs),
    /// Show a token without any key: diagnostic notation and claims, UNVERIFIED
    Inspect(cmd::verify::InspectArgs),
    /// Verify evidence, appraise it against a policy, and optionally sign an attestation result
    Appraise(cmd::appraise::AppraiseArgs),
    /// Decide whether a workload may go to a device, from a verifier's attestation result
    Admit(cmd::appraise::AdmitArgs),
    /// Verify and appraise a directory of tokens on all cores, with a summary and throughput
    VerifyBatch(cmd::batch::Args),
}

/// Options every command sees.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Global {
    /// `--now`, if given.
    pub(crate) now: Option<i64>,
}

fn run(cli: Cli) -> Result<(), CliError> {
    let g = Global { now: cli.now };
    match cli.command {
        Command::Demo(a) => cmd::demo::run(&g, &a),
        Command::Keygen(a) => cmd::keygen::run(&g, &a),
        Command::Sign(a) => cmd::sign::run(&g, &a),
        Command::Verify(a) => cmd::verify::run_verify(&g, &a),
        Command::Inspect(a) => cmd::verify::run_inspect(&g, &a),
        Command::Appraise(a) => cmd::appraise::run_appraise(&g, &a),
        Command::Admit(a) => cmd::appraise::run_admit(&g, &a),
        Command::VerifyBatch(a) => cmd::batch::run(&g, &a),
    }
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "ecnpp: internal error (a bug; please report it with the command line): {info}\n\
             ecnpp: the command panicked; exiting with status 2"
        );
        std::process::exit(2);
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors to stderr with 2.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ecnpp: {}", e.message);
            ExitCode::from(e.exit.code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
