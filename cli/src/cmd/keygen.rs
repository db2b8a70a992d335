//! `ecnpp keygen`: a P-256 key from the OS random source, in every form the tool reads.

use std::path::PathBuf;

use crate::Global;
use crate::cmd::kid_text;
use crate::fail::CliResult;
use crate::io::{Access, out, outln, write_files};
use crate::keys::{cose_key, generate, pkcs8_pem, spki_pem, thumbprint};

/// Arguments of `keygen`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Write PREFIX.key.pem (private, PKCS#8, mode 0600), PREFIX.pub.pem (SPKI, mode 0644) and
    /// PREFIX.cose_key (COSE_Key, mode 0644) instead of printing the PEMs; all three or none
    /// (an existing file stops it before anything is written)
    #[arg(short, long, value_name = "PREFIX")]
    out: Option<PathBuf>,
    /// Key ID to put in the COSE_Key (default: the key's thumbprint, the first 8 bytes of
    /// SHA-256 over its SEC1 point, which is also what `sign` puts in tokens by default)
    #[arg(long, value_name = "TEXT")]
    kid: Option<String>,
    /// Replace existing files (removed first, so the new ones get the modes above)
    #[arg(long)]
    force: bool,
}

/// Runs `keygen`.
pub(crate) fn run(_g: &Global, a: &Args) -> CliResult<()> {
    let key = generate()?;
    let public = key.verifying_key();
    let thumb = thumbprint(&public);
    let kid: Vec<u8> = a
        .kid
        .as_ref()
        .map_or_else(|| thumb.to_vec(), |k| k.as_bytes().to_vec());
    let private_pem = pkcs8_pem(&key)?;
    let public_pem = spki_pem(&public)?;
    let ck = cose_key(&public, Some(&kid))?;
    let sec1 = public.to_sec1_uncompressed();

    if let Some(prefix) = &a.out {
        let with = |ext: &str| {
            let mut p = prefix.clone().into_os_string();
            p.push(ext);
            PathBuf::from(p)
        };
        let (kp, pp, cp) = (with(".key.pem"), with(".pub.pem"), with(".cose_key"));
        // All three or none: a half key pair (a private key without its public files, or
        // a public file left from another key) is worse than an error.
        write_files(
            &[
                (&kp, private_pem.as_bytes(), Access::Secret),
                (&pp, public_pem.as_bytes(), Access::Public),
                (&cp, &ck, Access::Public),
            ],
            a.force,
        )?;
        outln!(
            "wrote {} (private key, PKCS#8 PEM, mode 0600)",
            kp.display()
        );
        outln!("wrote {} (public key, SPKI PEM, mode 0644)", pp.display());
        outln!(
            "wrote {} (public key, COSE_Key, {} bytes, mode 0644)",
            cp.display(),
            ck.len()
        );
    } else {
        out!("{}", private_pem.as_str());
        out!("{public_pem}");
    }
    outln!("curve          P-256 (ES256)");
    outln!("thumbprint     {}", hex::encode(thumb));
    outln!("kid            {}", kid_text(&kid));
    outln!("SEC1 public    {}", hex::encode(sec1));
    outln!("COSE_Key       {}", hex::encode(&ck));
    Ok(())
}
