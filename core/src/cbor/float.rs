//! Float widths: exact narrowing f64 -> f32 -> f16 on the bits alone, and the deterministic
//! encoding rules for floats.

/// The single-precision bits of the f64 with bits `x`, when the conversion is exact (same
/// value, same sign of zero); a NaN gives the quiet NaN `0x7fc0_0000` (deterministic CBOR
/// writes every NaN the same, as the half `0x7e00`). Integer operations only. Written out per
/// format, like [`f32_to_f16_exact`], rather than as one narrowing generic over the formats:
/// that one, with 64-bit shifts by variable amounts, was 536 bytes larger on a Cortex-M4F.
pub(super) fn f64_to_f32_exact(x: u64) -> Option<u32> {
    // The exponent and sign from the high word: 32-bit arithmetic where it is enough.
    let high = u32::try_from(x >> 32).ok()?;
    let sign = high & 0x8000_0000;
    let exp = (high >> 20) & 0x7ff;
    let mant = x & 0x000f_ffff_ffff_ffff;
    if exp == 0x7ff {
        return Some(if mant == 0 {
            sign | 0x7f80_0000
        } else {
            0x7fc0_0000
        });
    }
    if exp == 0 {
        // Zero fits; an f64 subnormal is far below the smallest f32 subnormal.
        return (mant == 0).then_some(sign);
    }
    let e = i32::try_from(exp).ok()? - 1023;
    if (-126..=127).contains(&e) {
        // A normal f32: the 29 low mantissa bits must be zero.
        if mant & 0x1fff_ffff != 0 {
            return None;
        }
        let biased = u32::try_from(e + 127).ok()?;
        let m = u32::try_from(mant >> 29).ok()?;
        return Some(sign | (biased << 23) | m);
    }
    if (-149..=-127).contains(&e) {
        // A subnormal f32 (a multiple of 2^-149): the significand shifted into place must lose
        // nothing.
        let significand = 0x0010_0000_0000_0000 | mant;
        let shift = u32::try_from(-(e + 97)).ok()?;
        if significand & ((1u64 << shift) - 1) != 0 {
            return None;
        }
        return Some(sign | u32::try_from(significand >> shift).ok()?);
    }
    None
}

/// The IEEE 754 half-precision bits of the `f32` with bits `x`, when exact; a NaN gives the
/// canonical `0x7e00`.
pub(super) fn f32_to_f16_exact(x: u32) -> Option<u16> {
    let sign = u16::try_from((x >> 16) & 0x8000).ok()?;
    let exp = (x >> 23) & 0xff;
    let mant = x & 0x7f_ffff;
    if exp == 0xff {
        return Some(if mant == 0 { sign | 0x7c00 } else { 0x7e00 });
    }
    if exp == 0 {
        // Zero fits; an f32 subnormal is far below the smallest f16 subnormal.
        return (mant == 0).then_some(sign);
    }
    let e = i32::try_from(exp).ok()? - 127;
    if (-14..=15).contains(&e) {
        if mant & 0x1fff != 0 {
            return None;
        }
        let biased = u16::try_from(e + 15).ok()?;
        let m = u16::try_from(mant >> 13).ok()?;
        return Some(sign | (biased << 10) | m);
    }
    if (-24..=-15).contains(&e) {
        let significand = 0x80_0000 | mant;
        let shift = u32::try_from(-(e + 1)).ok()?;
        let low_mask = (1u32 << shift) - 1;
        if significand & low_mask != 0 {
            return None;
        }
        return Some(sign | u16::try_from(significand >> shift).ok()?);
    }
    None
}

/// The value of IEEE 754 half-precision bits (exact: every half is a single). Public for
/// tools that print CBOR (the CLI's diagnostic notation), so there is one conversion.
#[must_use]
pub fn f16_to_f64(h: u16) -> f64 {
    let sign = u32::from(h & 0x8000) << 16;
    let exp = u32::from((h >> 10) & 0x1f);
    let mant = u32::from(h & 0x3ff);
    let single = match exp {
        // Subnormal: mant * 2^-24, exact in f32 (2^-24 is a power of two, mant < 2^10).
        0 => {
            let magnitude = f32::from(h & 0x3ff) * (1.0 / 16_777_216.0);
            if sign == 0 { magnitude } else { -magnitude }
        }
        31 => f32::from_bits(sign | 0x7f80_0000 | (mant << 13)),
        _ => f32::from_bits(sign | ((exp + 112) << 23) | (mant << 13)),
    };
    f64::from(single)
}

pub(super) fn is_nan_f16(bits: u64) -> bool {
    bits & 0x7c00 == 0x7c00 && bits & 0x03ff != 0
}

/// An f32 (given as bits) that has a shorter exact encoding; NaN always does (`0xf97e00`).
pub(super) fn fits_f16(bits: u64) -> bool {
    let x = u32::try_from(bits).unwrap_or(0);
    f32_to_f16_exact(x).is_some()
}

/// An f64 (given as bits) that has a shorter exact encoding; NaN always does.
pub(super) fn fits_f32(bits: u64) -> bool {
    f64_to_f32_exact(bits).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::{Mode, validate};
    use crate::error::Error;

    /// The integer-only f64 -> f32 check agrees with the hardware conversion on the edges of
    /// every range and on a million pseudo-random bit patterns.
    #[test]
    #[cfg_attr(miri, ignore)] // integer arithmetic on a million inputs: hours under Miri
    #[allow(clippy::cast_possible_truncation)]
    fn f64_to_f32_exact_agrees_with_the_conversion() {
        fn reference(x: u64) -> Option<u32> {
            let v = f64::from_bits(x);
            let single = v as f32;
            if v.is_nan() {
                return Some(0x7fc0_0000);
            }
            (f64::from(single).to_bits() == x).then_some(single.to_bits())
        }
        let mut edges = std::vec![
            0u64,
            1 << 63,
            f64::INFINITY.to_bits(),
            f64::NAN.to_bits(),
            0xfff8_0000_0000_0000,
            0x7ff0_0000_0000_0001,
        ];
        for e in [-150i64, -149, -148, -127, -126, -125, 126, 127, 128] {
            let exp = u64::try_from(e + 1023).unwrap() << 52;
            for mant in [
                0u64,
                1,
                1 << 28,
                1 << 29,
                3 << 29,
                (1 << 52) - (1 << 29),
                (1 << 52) - 1,
            ] {
                for sign in [0, 1u64 << 63] {
                    edges.push(sign | exp | mant);
                    // The low bits a subnormal f32 can still hold, at every shift.
                    for k in 0..=52 {
                        edges.push(sign | exp | (mant & !((1u64 << k) - 1)));
                    }
                }
            }
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..1_000_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Bias towards values near the f32 range, and towards short mantissas.
            let near = (x & !(0x7ffu64 << 52)) | ((896 + (x >> 52) % 260) << 52);
            edges.push(x);
            edges.push(near & !((1u64 << (x % 53)) - 1));
        }
        for x in edges {
            assert_eq!(f64_to_f32_exact(x), reference(x), "{x:#018x}");
        }
    }

    /// f32 -> f16 by the shared narrowing: every non-NaN half comes back from its own single
    /// value, and the singles next to those (one unit in the last place either way) do not
    /// narrow unless they are themselves a half.
    #[test]
    #[cfg_attr(miri, ignore)] // integer arithmetic over every half: hours under Miri
    #[allow(clippy::cast_possible_truncation)]
    fn f32_to_f16_exact_finds_exactly_the_halves() {
        let mut halves = std::collections::HashMap::new();
        for h in 0..=u16::MAX {
            let v = f16_to_f64(h);
            if !v.is_nan() {
                halves.insert((v as f32).to_bits(), h);
            }
        }
        assert_eq!(
            halves.len(),
            65536 - 2 * 1023,
            "every non-NaN half is a distinct single"
        );
        for (&single, &h) in &halves {
            assert_eq!(f32_to_f16_exact(single), Some(h), "{single:#010x}");
            for near in [single.wrapping_add(1), single.wrapping_sub(1)] {
                let want = if f32::from_bits(near).is_nan() {
                    Some(0x7e00)
                } else {
                    halves.get(&near).copied()
                };
                assert_eq!(f32_to_f16_exact(near), want, "{near:#010x}");
            }
        }
        // Every NaN, whatever its sign and payload, narrows to the canonical half NaN.
        for nan in [
            f32::NAN.to_bits(),
            0xffc0_0000,
            0x7f80_0001,
            0xff80_0001,
            0x7fff_ffff,
        ] {
            assert_eq!(f32_to_f16_exact(nan), Some(0x7e00), "{nan:#010x}");
        }
    }

    #[test]
    fn strict_rejects_long_floats() {
        assert_eq!(
            validate(&hex::decode("fa3f800000").unwrap(), Mode::Strict),
            Err(Error::NonDeterministic)
        );
        assert_eq!(
            validate(&hex::decode("fb3ff0000000000000").unwrap(), Mode::Strict),
            Err(Error::NonDeterministic)
        );
        assert_eq!(
            validate(&hex::decode("f97e01").unwrap(), Mode::Strict),
            Err(Error::NonDeterministic)
        );
        validate(&hex::decode("fb3ff0000000000000").unwrap(), Mode::Lenient).unwrap();
    }
}
