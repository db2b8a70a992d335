//! Key files: P-256 keys in the forms people have, converted to the library's key types.
//!
//! Private keys: SEC1 PEM (`EC PRIVATE KEY`, what `openssl ecparam -genkey` writes, with or
//! without its `EC PARAMETERS` block), PKCS#8 PEM (`PRIVATE KEY`), or 64 hex digits.
//! Public keys: SPKI PEM (`PUBLIC KEY`), a SEC1 point (binary or hex, compressed or not), a
//! COSE_Key (binary or hex), or any private key form (its public half is used).

use std::path::Path;

use ecnpp_attest::crypto::{Sha256, SigningKey, VerifyingKey};
use p256::elliptic_curve::zeroize::Zeroizing;
use p256::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _, EncodePrivateKey as _};
use p256::pkcs8::{EncodePublicKey as _, LineEnding};

use crate::fail::{CliError, CliResult, explain};
use crate::io::{read_file, shown};

/// A public key as read from a file, with the key ID the file gave it, if any.
#[derive(Clone, Debug)]
pub(crate) struct PublicKeyFile {
    /// The key.
    pub(crate) key: VerifyingKey,
    /// The `kid` of a COSE_Key file.
    pub(crate) kid: Option<Vec<u8>>,
    /// What the file held, for messages (`SPKI PEM`, `COSE_Key`, ...).
    pub(crate) form: &'static str,
}

/// The PEM blocks of a text: (label, the whole block including its BEGIN and END lines).
fn pem_blocks(text: &str) -> Vec<(&str, &str)> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let Some(after) = rest.get(start..) else {
            break;
        };
        let Some(label_end) = after.get(11..).and_then(|s| s.find("-----")) else {
            break;
        };
        let label = after.get(11..11 + label_end).unwrap_or("");
        let end_marker = format!("-----END {label}-----");
        let Some(end) = after.find(&end_marker) else {
            break;
        };
        let block_end = end + end_marker.len();
        blocks.push((label, after.get(..block_end).unwrap_or(after)));
        rest = after.get(block_end..).unwrap_or("");
    }
    blocks
}

fn from_secret(secret: &p256::SecretKey) -> Result<SigningKey, String> {
    let bytes: Zeroizing<[u8; 32]> = Zeroizing::new(secret.to_bytes().into());
    SigningKey::from_bytes(&bytes).map_err(explain)
}

/// Reads a private key from text (see the module docs for the forms).
pub(crate) fn parse_signing_key(text: &str) -> Result<SigningKey, String> {
    let blocks = pem_blocks(text);
    if let Some((_, block)) = blocks.iter().find(|(l, _)| *l == "EC PRIVATE KEY") {
        let secret = p256::SecretKey::from_sec1_pem(block).map_err(|_| {
            "an EC PRIVATE KEY that is not a P-256 (prime256v1) key, or is damaged".to_string()
        })?;
        return from_secret(&secret);
    }
    if let Some((_, block)) = blocks.iter().find(|(l, _)| *l == "PRIVATE KEY") {
        let secret = p256::SecretKey::from_pkcs8_pem(block).map_err(|_| {
            "a PKCS#8 PRIVATE KEY that is not an EC P-256 (prime256v1) key, or is damaged"
                .to_string()
        })?;
        return from_secret(&secret);
    }
    if blocks.iter().any(|(l, _)| *l == "ENCRYPTED PRIVATE KEY") {
        return Err("an encrypted private key: decrypt it first \
                    (openssl pkey -in KEY -out plain.pem)"
            .into());
    }
    if blocks.iter().any(|(l, _)| *l == "PUBLIC KEY") {
        return Err("a public key: signing needs the private key".into());
    }
    if let Some((label, _)) = blocks.first() {
        return Err(format!("a PEM {label}, not a P-256 private key"));
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() == 64
        && let Ok(raw) = hex::decode(&compact)
    {
        let raw = Zeroizing::new(raw);
        return SigningKey::from_slice(&raw).map_err(explain);
    }
    Err(
        "not a P-256 private key (expected PEM \"EC PRIVATE KEY\" or \"PRIVATE KEY\", \
         or 64 hex digits)"
            .into(),
    )
}

/// Reads a private key file.
pub(crate) fn load_signing_key(path: &Path) -> CliResult<SigningKey> {
    let bytes = Zeroizing::new(read_file(path)?);
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        CliError::usage(format!(
            "{}: not a P-256 private key (binary data; expected PEM or hex)",
            shown(path)
        ))
    })?;
    parse_signing_key(text).map_err(|e| CliError::usage(format!("{}: {e}", shown(path))))
}

/// Reads a public key from file contents (see the module docs for the forms).
pub(crate) fn parse_verifying_key(bytes: &[u8]) -> Result<PublicKeyFile, String> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        let blocks = pem_blocks(text);
        if let Some((_, block)) = blocks.iter().find(|(l, _)| *l == "PUBLIC KEY") {
            let pk = p256::PublicKey::from_public_key_pem(block).map_err(|_| {
                "a PUBLIC KEY that is not an EC P-256 (prime256v1) key, or is damaged".to_string()
            })?;
            let key = VerifyingKey::from_sec1_bytes(&pk.to_sec1_bytes()).map_err(explain)?;
            return Ok(PublicKeyFile {
                key,
                kid: None,
                form: "SPKI PEM",
            });
        }
        if !blocks.is_empty() {
            let key = parse_signing_key(text)?.verifying_key();
            return Ok(PublicKeyFile {
                key,
                kid: None,
                form: "the public half of a private key",
            });
        }
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() == 64 {
            // 32 bytes: only a private scalar has that size; its public half is meant.
            let key = parse_signing_key(&compact)?.verifying_key();
            return Ok(PublicKeyFile {
                key,
                kid: None,
                form: "the public half of a private key",
            });
        }
        if !compact.is_empty()
            && let Ok(raw) = hex::decode(&compact)
        {
            return parse_binary_public(&raw);
        }
    }
    parse_binary_public(bytes)
}

fn parse_binary_public(raw: &[u8]) -> Result<PublicKeyFile, String> {
    match (raw.len(), raw.first()) {
        (65, Some(4)) | (33, Some(2 | 3)) => {
            let key = VerifyingKey::from_sec1_bytes(raw)
                .map_err(|_| "a SEC1 point that is not on P-256".to_string())?;
            Ok(PublicKeyFile {
                key,
                kid: None,
                form: "SEC1 point",
            })
        }
        (_, Some(0xa0..=0xbf)) => {
            let ck = VerifyingKey::from_cose_key(raw)
                .map_err(|e| format!("not a usable COSE_Key: {}", explain(e)))?;
            Ok(PublicKeyFile {
                key: ck.key,
                kid: ck.kid.map(<[u8]>::to_vec),
                form: "COSE_Key",
            })
        }
        _ => Err(
            "not a P-256 public key (expected PEM \"PUBLIC KEY\", a SEC1 point or a \
                  COSE_Key, binary or hex, or a private key)"
                .into(),
        ),
    }
}

/// Reads a public key file.
pub(crate) fn load_verifying_key(path: &Path) -> CliResult<PublicKeyFile> {
    let bytes = read_file(path)?;
    parse_verifying_key(&bytes).map_err(|e| CliError::usage(format!("{}: {e}", shown(path))))
}

/// The default key ID: the first 8 bytes of SHA-256 over the uncompressed SEC1 public key, so
/// anyone holding the public key can recognise it.
pub(crate) fn thumbprint(key: &VerifyingKey) -> [u8; 8] {
    let digest = Sha256::digest(&key.to_sec1_uncompressed());
    let mut out = [0u8; 8];
    out.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
    out
}

/// A fresh key from the operating system's random source.
pub(crate) fn generate() -> CliResult<SigningKey> {
    SigningKey::generate(|buf| getrandom::fill(buf).map_err(|_| ecnpp_attest::Error::SignerFailed))
        .map_err(|_| CliError::usage("the operating system's random source failed"))
}

/// Random bytes from the operating system (challenges).
pub(crate) fn random_bytes(n: usize) -> CliResult<Vec<u8>> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf)
        .map_err(|_| CliError::usage("the operating system's random source failed"))?;
    Ok(buf)
}

/// The private key as PKCS#8 PEM.
pub(crate) fn pkcs8_pem(key: &SigningKey) -> CliResult<Zeroizing<String>> {
    let secret = p256::SecretKey::from_bytes(&(*key.to_bytes()).into())
        .map_err(|_| CliError::usage("internal error: key conversion failed"))?;
    secret
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| CliError::usage("internal error: PKCS#8 encoding failed"))
}

/// The public key as SPKI PEM.
pub(crate) fn spki_pem(key: &VerifyingKey) -> CliResult<String> {
    p256::PublicKey::from_sec1_bytes(&key.to_sec1_uncompressed())
        .ok()
        .and_then(|pk| pk.to_public_key_pem(LineEnding::LF).ok())
        .ok_or_else(|| CliError::usage("internal error: SPKI encoding failed"))
}

/// The public key as a deterministic COSE_Key.
pub(crate) fn cose_key(key: &VerifyingKey, kid: Option<&[u8]>) -> CliResult<Vec<u8>> {
    let mut out = vec![0u8; key.cose_key_len(kid)];
    let n = key
        .to_cose_key(kid, &mut out)
        .map_err(|e| CliError::usage(explain(e)))?;
    out.truncate(n);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_round_trip_through_every_form() {
        let key = generate().unwrap();
        let pem = pkcs8_pem(&key).unwrap();
        let back = parse_signing_key(&pem).unwrap();
        assert_eq!(back.verifying_key(), key.verifying_key());
        let vk = key.verifying_key();
        let spki = spki_pem(&vk).unwrap();
        assert_eq!(parse_verifying_key(spki.as_bytes()).unwrap().key, vk);
        let sec1 = hex::encode(vk.to_sec1_uncompressed());
        assert_eq!(parse_verifying_key(sec1.as_bytes()).unwrap().key, vk);
        let ck = cose_key(&vk, Some(b"dev")).unwrap();
        let read = parse_verifying_key(&ck).unwrap();
        assert_eq!(read.key, vk);
        assert_eq!(read.kid.as_deref(), Some(&b"dev"[..]));
        assert_eq!(parse_verifying_key(pem.as_bytes()).unwrap().key, vk);
    }

    #[test]
    fn wrong_keys_are_named() {
        assert!(
            parse_signing_key("hello")
                .unwrap_err()
                .contains("not a P-256 private key")
        );
        let public = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        assert!(
            parse_signing_key(public)
                .unwrap_err()
                .contains("public key")
        );
        assert!(parse_verifying_key(b"\x01\x02").is_err());
    }
}
