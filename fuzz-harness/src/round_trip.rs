//! Claims built from fuzzer bytes through the public API: encode, decode, sign as evidence.

use ecnpp_attest::Error;
use ecnpp_attest::cbor::{self, Mode};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder, UnverifiedSign1};
use ecnpp_attest::eat::key;
use ecnpp_attest::eat::{
    Claims, DebugStatus, DecodeOptions, Dloa, Extra, HwModel, IntendedUse, Label, Lifecycle, List,
    Location, MeasResGroup, MeasResult, Measurement, NamedSubmodule, NamedUeid, NestedToken, Nonce,
    NonceClaim, OemId, Profile, Promise, RawValue, ResultCode, ResultId, Robustness, Submodule,
    Ueid, Version,
};
use ecnpp_attest::ecnpp::{self, VerifiedEvidence};

use crate::claims::encode_checked;
use crate::{FixedSigner, Input, InsecureAcceptAll, MAX_INPUT, OUT, debug_len};

/// Up to `N` items (the count and the items from the input); `None` when none could be made.
type Few<T, const N: usize> = Option<([T; N], usize)>;

fn few<'d, T: Copy, const N: usize>(
    input: &mut Input<'d>,
    mut make: impl FnMut(&mut Input<'d>) -> Option<T>,
) -> Few<T, N> {
    let count = usize::from(input.byte()) % N.saturating_add(1);
    if count == 0 {
        return None;
    }
    let first = make(input)?;
    let mut items = [first; N];
    let mut len = 1usize;
    for _ in 1..count {
        if let (Some(v), Some(slot)) = (make(input), items.get_mut(len)) {
            *slot = v;
            len = len.saturating_add(1);
        }
    }
    Some((items, len))
}

fn items<T, const N: usize>(f: &Few<T, N>) -> &[T] {
    f.as_ref()
        .and_then(|(items, len)| items.get(..*len))
        .unwrap_or(&[])
}

fn bit(mask: u64, n: u32) -> bool {
    mask >> n & 1 == 1
}

/// The mask bit that chooses whether typed claim `k` is set: its position in `key::KNOWN`, one
/// further from the nonce on, since bit [`NONCE_LIST_BIT`] chooses a nonce list over one nonce.
fn mask_bit(k: i64) -> u32 {
    let pos = key::KNOWN.iter().position(|&x| x == k).unwrap_or(63);
    let after_nonce = usize::from(pos > NONCE_LIST_BIT as usize - 1);
    u32::try_from(pos + after_nonce).unwrap_or(63)
}

/// The mask bit that makes the nonce a list (the one after the nonce's own).
const NONCE_LIST_BIT: u32 = 8;

/// The mask bit that adds unknown claims: the first after the typed claims' bits (one per
/// typed claim, and the nonce list's).
const EXTRA_BIT: u32 = 36;
const _: () = assert!(key::KNOWN.len() + 1 == EXTRA_BIT as usize && EXTRA_BIT < 63);

/// The well-formed nested token below as a submodule. `NestedToken::new` accepts it (tag 18
/// around a four-item array); the digest fallback only keeps this function total.
fn nested_token() -> Submodule<'static> {
    NestedToken::new(&NESTED_TOKEN).map_or(
        Submodule::Digest {
            alg: Label::Int(-16),
            digest: &NESTED_TOKEN,
        },
        Submodule::Token,
    )
}

/// A tagged COSE_Sign1 (nil payload, dummy signature): a valid nested-token submodule.
const NESTED_TOKEN: [u8; 74] = *b"\xd2\x84\x43\xa1\x01\x26\xa0\xf6\x58\x40\
    \x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\
    \x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\
    \x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\
    \x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01";

const FALLBACK_NONCE: [u8; 16] = *b"fallback-nonce-1";
pub(crate) const FALLBACK_UEID: [u8; 17] = [
    0x01, 0xfa, 0x11, 0xba, 0xc4, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
    0x0b,
];
pub(crate) const FALLBACK_OEM: [u8; 3] = [0x00, 0x1b, 0x44];

fn version<'d>(input: &mut Input<'d>) -> Version<'d> {
    Version {
        version: input.text(12),
        scheme: if input.bool() {
            Some(input.i64())
        } else {
            None
        },
    }
}

fn measurement<'d>(input: &mut Input<'d>) -> Measurement<'d> {
    Measurement {
        content_type: u16::from_be_bytes([input.byte(), input.byte()]),
        content: input.bytes(40),
    }
}

fn float(input: &mut Input<'_>) -> f64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(input.take(8).get(..8).unwrap_or(&[0; 8]));
    f64::from_bits(u64::from_be_bytes(b))
}

fn location(input: &mut Input<'_>) -> Location {
    let mask = input.byte();
    let opt = |n: u8, input: &mut Input<'_>| {
        if mask >> n & 1 == 1 {
            Some(float(input))
        } else {
            None
        }
    };
    Location {
        latitude: float(input),
        longitude: float(input),
        altitude: opt(0, input),
        accuracy: opt(1, input),
        altitude_accuracy: opt(2, input),
        heading: opt(3, input),
        speed: opt(4, input),
        timestamp: if mask & 0x20 != 0 {
            Some(input.i64())
        } else {
            None
        },
        age: if mask & 0x40 != 0 {
            Some(input.u64())
        } else {
            None
        },
    }
}

fn label<'d>(input: &mut Input<'d>) -> Label<'d> {
    if input.bool() {
        Label::Text(input.text(10))
    } else {
        Label::Int(input.i64())
    }
}

/// The order of text map keys in deterministic encoding: shorter first, then bytewise.
fn name_order(a: &str, b: &str) -> core::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn sorted<'d, const N: usize>(mut f: Few<NamedUeid<'d>, N>) -> Few<NamedUeid<'d>, N> {
    if let Some((items, len)) = f.as_mut()
        && let Some(live) = items.get_mut(..*len)
    {
        live.sort_unstable_by(|a, b| name_order(a.name, b.name));
    }
    f
}

/// Lists of one claims node whose items borrow only from the input.
struct Parts<'d> {
    nonces: Few<Nonce<'d>, 3>,
    measurements: Few<Measurement<'d>, 4>,
    manifests: Few<Measurement<'d>, 2>,
    dloas: Few<Dloa<'d>, 2>,
    results: Few<MeasResult<'d>, 3>,
    robustness: Few<Robustness<'d>, 2>,
    sueids: Few<NamedUeid<'d>, 2>,
    extra: Few<(Label<'d>, RawValue<'d>), 3>,
}

impl<'d> Parts<'d> {
    fn read(input: &mut Input<'d>) -> Self {
        Self {
            nonces: few(input, |i| Nonce::new(i.bytes_in(8, 64)).ok()),
            measurements: few(input, |i| Some(measurement(i))),
            manifests: few(input, |i| Some(measurement(i))),
            dloas: few(input, |i| {
                Some(Dloa {
                    registrar: i.text(24),
                    platform: i.text(12),
                    application: if i.bool() { Some(i.text(8)) } else { None },
                })
            }),
            results: few(input, |i| {
                Some(MeasResult {
                    id: if i.bool() {
                        ResultId::Text(i.text(8))
                    } else {
                        ResultId::Bytes(i.bytes(16))
                    },
                    result: match i.byte() % 4 {
                        0 => ResultCode::Success,
                        1 => ResultCode::Fail,
                        2 => ResultCode::NotRun,
                        _ => ResultCode::Absent,
                    },
                })
            }),
            robustness: few(input, |i| {
                Some(Robustness {
                    scheme: i.text(10),
                    level: i.text(4),
                })
            }),
            sueids: sorted(few(input, |i| {
                let name = i.text(8);
                Ueid::new(i.bytes_in(7, 33))
                    .ok()
                    .map(|ueid| NamedUeid { name, ueid })
            })),
            extra: few(input, |i| {
                let l = label(i);
                RawValue::new(i.bytes(12)).ok().map(|v| (l, v))
            }),
        }
    }
}

/// Present-but-empty when asked and nothing was made: exercises the "non-empty list" rule.
fn list_of<T>(present: bool, items: &[T]) -> Option<List<'_, T>> {
    present.then_some(List::Items(items))
}

/// Builds one claims node from the input (with `child` as a claims submodule) and hands it to
/// `k`: the lists live in this frame, so the claims can only be used inside the continuation.
fn node<'d>(
    input: &mut Input<'d>,
    child: Option<&Claims<'_>>,
    k: &mut dyn FnMut(&mut Input<'d>, &Claims<'_>),
) {
    let mut mask = u64::from_le_bytes({
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = input.byte();
        }
        b
    });
    let evidence_shaped = bit(mask, 63);
    if evidence_shaped {
        // What the profile's rules say evidence carries, and never carries: read from the
        // rules themselves, so the generator keeps producing valid evidence when they change.
        let profile_keys = [key::EAT_PROFILE, key::ECNPP_PROMISE];
        for &k in ecnpp::REQUIRED_IN_EVIDENCE.iter().chain(&profile_keys) {
            mask |= 1 << mask_bit(k);
        }
        for &k in &ecnpp::VERIFIER_ONLY {
            mask &= !(1 << mask_bit(k));
        }
        mask &= !(1 << NONCE_LIST_BIT); // one nonce, as the profile's challenge answer
    }
    let parts = Parts::read(input);
    let groups: Few<MeasResGroup<'_>, 2> = few(input, |i| {
        Some(MeasResGroup {
            system: i.text(16),
            results: List::Items(if i.byte() == 0xff {
                &[]
            } else {
                items(&parts.results)
            }),
        })
    });
    let mut subs = [NamedSubmodule {
        name: "token",
        submodule: nested_token(),
    }; 3];
    let mut nsubs = 0usize;
    let name = |i: &mut Input<'d>| match i.byte() % 3 {
        0 => ecnpp::SUBMOD_SE,
        1 => ecnpp::SUBMOD_TEE,
        _ => i.text(6),
    };
    if let Some(child) = child {
        subs[0] = NamedSubmodule {
            name: name(input),
            submodule: Submodule::Claims(*child),
        };
        nsubs = 1;
    }
    for _ in 0..input.byte() % 3 {
        let submodule = match input.byte() % 3 {
            0 => nested_token(),
            // Arbitrary bytes are refused by the constructor; what it accepts must then encode.
            1 => {
                NestedToken::new(input.bytes(24)).map_or_else(|_| nested_token(), Submodule::Token)
            }
            _ => Submodule::Digest {
                alg: label(input),
                digest: input.bytes(32),
            },
        };
        if let Some(slot) = subs.get_mut(nsubs) {
            *slot = NamedSubmodule {
                name: name(input),
                submodule,
            };
            nsubs = nsubs.saturating_add(1);
        }
    }
    let subs = subs.get_mut(..nsubs).unwrap_or(&mut []);
    // A map is unordered but `List` equality is not: keep names in their encoded order.
    subs.sort_unstable_by(|a, b| name_order(a.name, b.name));
    let subs: &[NamedSubmodule<'_>] = subs;

    let nonce = if bit(mask, NONCE_LIST_BIT) {
        list_of(true, items(&parts.nonces)).map(NonceClaim::Many)
    } else {
        Nonce::new(input.bytes_in(8, 64))
            .or_else(|_| Nonce::new(&FALLBACK_NONCE))
            .ok()
            .map(NonceClaim::One)
    };
    let oemid = match input.byte() % 4 {
        0 => OemId::from_bytes(input.bytes_in(16, 16)).ok(),
        1 => OemId::from_bytes(input.bytes_in(3, 3)).ok(),
        2 => Some(OemId::Pen(input.u64())),
        _ => Some(OemId::Random(input.bytes(20))), // may break its own invariant
    };
    let profile = match input.byte() % 3 {
        0 => Profile::Uri(input.text(32)),
        1 => Profile::Oid(input.bytes(20)),
        _ => ecnpp::PROFILE,
    };
    let profile = if evidence_shaped {
        ecnpp::PROFILE
    } else {
        profile
    };
    let on = |k: i64| bit(mask, mask_bit(k));
    let claims = Claims {
        iss: on(key::ISS).then(|| input.text(16)),
        sub: on(key::SUB).then(|| input.text(16)),
        aud: on(key::AUD).then(|| input.text(16)),
        exp: on(key::EXP).then(|| input.i64()),
        nbf: on(key::NBF).then(|| input.i64()),
        iat: on(key::IAT).then(|| input.i64()),
        cti: on(key::CTI).then(|| input.bytes(16)),
        nonce: if on(key::NONCE) { nonce } else { None },
        exi: on(key::EXI).then(|| input.u64()),
        ueid: if on(key::UEID) {
            Ueid::new(input.bytes_in(7, 33))
                .or_else(|_| Ueid::new(&FALLBACK_UEID))
                .ok()
        } else {
            None
        },
        sueids: list_of(on(key::SUEIDS), items(&parts.sueids)),
        oemid: if on(key::OEMID) {
            oemid.or(Some(OemId::Ieee(&FALLBACK_OEM)))
        } else {
            None
        },
        hwmodel: if on(key::HWMODEL) {
            HwModel::new(input.bytes_in(1, 32))
                .or_else(|_| HwModel::new(b"model"))
                .ok()
        } else {
            None
        },
        hwversion: on(key::HWVERSION).then(|| version(input)),
        uptime: on(key::UPTIME).then(|| input.u64()),
        oemboot: on(key::OEMBOOT).then(|| input.bool()),
        dbgstat: if on(key::DBGSTAT) {
            DebugStatus::from_u64(u64::from(input.byte() % 5)).ok()
        } else {
            None
        },
        location: on(key::LOCATION).then(|| location(input)),
        eat_profile: on(key::EAT_PROFILE).then_some(profile),
        submods: list_of(on(key::SUBMODS) || nsubs > 0, subs),
        bootcount: on(key::BOOTCOUNT).then(|| input.u64()),
        bootseed: on(key::BOOTSEED).then(|| input.bytes(32)),
        dloas: list_of(on(key::DLOAS), items(&parts.dloas)),
        swname: on(key::SWNAME).then(|| input.text(16)),
        swversion: on(key::SWVERSION).then(|| version(input)),
        manifests: list_of(on(key::MANIFESTS), items(&parts.manifests)),
        measurements: list_of(on(key::MEASUREMENTS), items(&parts.measurements)),
        measres: list_of(on(key::MEASRES), items(&groups)),
        intuse: if on(key::INTUSE) {
            IntendedUse::from_u64(u64::from(input.byte() % 6)).ok()
        } else {
            None
        },
        promise: if on(key::ECNPP_PROMISE) {
            Promise::from_u64(u64::from(input.byte() % 4)).ok()
        } else {
            None
        },
        pp_ref: on(key::ECNPP_PP_REF).then(|| {
            if input.bool() {
                ecnpp::PP_REF_V1_0_7
            } else {
                input.text(24)
            }
        }),
        evaluated_config: on(key::ECNPP_EVALUATED_CONFIG).then(|| input.bool()),
        lifecycle: if on(key::ECNPP_LIFECYCLE) {
            Lifecycle::from_u64(u64::from(input.byte() % 5)).ok()
        } else {
            None
        },
        svn: on(key::ECNPP_SVN).then(|| input.u64()),
        robustness: list_of(on(key::ECNPP_ROBUSTNESS), items(&parts.robustness)),
        extra: Extra::Items(if bit(mask, EXTRA_BIT) {
            items(&parts.extra)
        } else {
            &[]
        }),
    };
    k(input, &claims);
}

/// Builds a claims tree `levels` submodules deep, innermost first, and hands it to `k`.
fn with_claims<'d>(
    input: &mut Input<'d>,
    levels: usize,
    k: &mut dyn FnMut(&mut Input<'d>, &Claims<'_>),
) {
    match levels.checked_sub(1) {
        None => node(input, None, k),
        Some(inner) => with_claims(input, inner, &mut |input, child| {
            node(input, Some(child), k);
        }),
    }
}

fn has_nan(c: &Claims<'_>) -> bool {
    let here = c.location.is_some_and(|l| {
        [l.latitude, l.longitude]
            .into_iter()
            .chain(l.altitude)
            .chain(l.accuracy)
            .chain(l.altitude_accuracy)
            .chain(l.heading)
            .chain(l.speed)
            .any(f64::is_nan)
    });
    here || c.submods.is_some_and(|l| {
        l.iter().any(|s| match s.submodule {
            Submodule::Claims(inner) => has_nan(&inner),
            _ => false,
        })
    })
}

fn round_trip(input: &mut Input<'_>, c: &Claims<'_>) {
    let _ = debug_len(c);
    let mut buf = [0u8; OUT];
    let encoded = match encode_checked(c, &mut buf) {
        Ok(Some(e)) => e,
        Ok(None) => return,
        Err(e) => {
            assert!(
                matches!(
                    e,
                    Error::InvalidClaim { .. } | Error::DuplicateKey | Error::DepthExceeded
                ),
                "check error {e:?}"
            );
            return;
        }
    };
    assert_eq!(
        cbor::validate(encoded, Mode::Strict),
        Ok(()),
        "claims encode deterministically"
    );
    let mut compact = [0u8; OUT];
    assert_eq!(
        c.encode_compact_reference(&mut compact)
            .ok()
            .and_then(|n| compact.get(..n)),
        Some(encoded),
        "the compact claim writer of bare-metal targets writes the same bytes"
    );
    let decoded = Claims::decode_with(
        encoded,
        DecodeOptions {
            deterministic: true,
        },
    );
    assert!(
        decoded.is_ok(),
        "encoded claims decode: {:?}",
        decoded.err()
    );
    let Ok(decoded) = decoded else { return };
    if !has_nan(c) {
        assert_eq!(&decoded, c, "decode(encode(x)) == x");
    }
    let mut again = [0u8; OUT];
    assert_eq!(
        encode_checked(&decoded, &mut again).ok().flatten(),
        Some(encoded),
        "the decoded claims encode to the same bytes"
    );

    // As signed evidence: exact size query, and the claims come back out.
    let detached = input.bool();
    let builder = Sign1Builder::new().detached(detached);
    let builder = if input.bool() {
        builder.kid(b"device-1")
    } else {
        builder
    };
    let mut token = [0u8; OUT + 128];
    match ecnpp::evidence_len(c, &builder) {
        Ok(len) => {
            assert_eq!(ecnpp::validate_evidence(&decoded), Ok(()));
            if let Some(short) = len.checked_sub(1).and_then(|m| token.get_mut(..m)) {
                assert_eq!(
                    ecnpp::sign_evidence(c, &builder, &FixedSigner, short),
                    Err(Error::BufferTooSmall { needed: len })
                );
            }
            let n = ecnpp::sign_evidence(c, &builder, &FixedSigner, &mut token);
            assert_eq!(n, Ok(len), "evidence size query is exact");
            let token = token.get(..len).unwrap_or(&[]);
            let m = UnverifiedSign1::parse(token, &ParseOptions::DEFAULT);
            assert!(m.is_ok(), "our evidence parses: {:?}", m.err());
            if detached {
                assert_eq!(
                    m.and_then(|m| m.verify_detached(&InsecureAcceptAll, &[], encoded))
                        .map(|v| v.payload()),
                    Ok(encoded)
                );
            } else {
                let v = VerifiedEvidence::verify(
                    token,
                    &ecnpp::Endorsement::new(&InsecureAcceptAll, &[]),
                    &ParseOptions::DEFAULT,
                );
                assert!(v.is_ok(), "our evidence verifies: {:?}", v.err());
                if let Ok(v) = v
                    && !has_nan(c)
                {
                    assert_eq!(v.claims(), c);
                }
            }
        }
        Err(e) => {
            assert_eq!(ecnpp::validate_evidence(c).err(), Some(e));
            assert_eq!(ecnpp::validate_evidence(&decoded).err(), Some(e));
            assert_eq!(
                ecnpp::sign_evidence(c, &builder, &FixedSigner, &mut token),
                Err(e)
            );
        }
    }
}

/// Claims built from the input through the public API: encode, decode, sign (see the module
/// docs).
pub fn evidence_round_trip(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let mut input = Input::new(data);
    let levels = usize::from(input.byte() % 7);
    with_claims(&mut input, levels, &mut round_trip);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_bits_follow_the_claims_table() {
        // One bit per typed claim in table order, one more after the nonce's (a nonce list),
        // then the unknown claims' bit; bit 63 makes the claims evidence-shaped.
        let mut bits: Vec<u32> = key::KNOWN.iter().map(|&k| mask_bit(k)).collect();
        bits.push(NONCE_LIST_BIT);
        bits.push(EXTRA_BIT);
        bits.sort_unstable();
        let want: Vec<u32> = (0..=EXTRA_BIT).collect();
        assert_eq!(bits, want);
        assert_eq!(mask_bit(key::NONCE), NONCE_LIST_BIT - 1);
    }
}
