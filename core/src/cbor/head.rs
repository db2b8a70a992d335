//! CBOR heads: the shortest head for an argument, and the rules a head read must follow.

use super::Major;
use super::float::{fits_f16, fits_f32, is_nan_f16};

/// A CBOR head (major type and argument) in its shortest form, as bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodedHead {
    pub(super) bytes: [u8; 9],
    pub(super) len: u8,
}

impl EncodedHead {
    /// The shortest head for `major` and `arg`; usable in constants.
    #[must_use]
    pub const fn new(major: Major, arg: u64) -> Self {
        #[cfg(not(feature = "small-code"))]
        {
            Self::new_per_width(major, arg)
        }
        #[cfg(feature = "small-code")]
        {
            Self::new_one_copy(major, arg)
        }
    }

    /// [`Self::new`] on hosts: one array per width, no variable-length copy (fast).
    #[cfg(any(not(feature = "small-code"), test))]
    const fn new_per_width(major: Major, arg: u64) -> Self {
        let mt = major.bits() << 5;
        let [b0, b1, b2, b3, b4, b5, b6, b7] = arg.to_be_bytes();
        let (bytes, len) = match arg {
            0..=23 => ([mt | b7, 0, 0, 0, 0, 0, 0, 0, 0], 1),
            24..=0xff => ([mt | 24, b7, 0, 0, 0, 0, 0, 0, 0], 2),
            0x100..=0xffff => ([mt | 25, b6, b7, 0, 0, 0, 0, 0, 0], 3),
            0x1_0000..=0xffff_ffff => ([mt | 26, b4, b5, b6, b7, 0, 0, 0, 0], 5),
            _ => ([mt | 27, b0, b1, b2, b3, b4, b5, b6, b7], 9),
        };
        Self { bytes, len }
    }

    /// [`Self::new`] in `small-code` builds: the argument's bytes copied once for every width
    /// (less code). Checked against [`Self::new_per_width`] by a test.
    #[cfg(any(feature = "small-code", test))]
    const fn new_one_copy(major: Major, arg: u64) -> Self {
        // The first byte's additional information and how many bytes of argument follow it.
        let be = arg.to_be_bytes();
        let [.., low] = be;
        let (info, extra, len): (u8, usize, u8) = match arg {
            0..=23 => (low, 0, 1),
            24..=0xff => (24, 1, 2),
            0x100..=0xffff => (25, 2, 3),
            0x1_0000..=0xffff_ffff => (26, 4, 5),
            _ => (27, 8, 9),
        };
        let mut bytes = [(major.bits() << 5) | info, 0, 0, 0, 0, 0, 0, 0, 0];
        if let (Some((_, arg_bytes)), Some((_, after_first))) =
            (be.split_at_checked(8 - extra), bytes.split_first_mut())
            && let Some((dst, _)) = after_first.split_at_mut_checked(extra)
        {
            dst.copy_from_slice(arg_bytes);
        }
        Self { bytes, len }
    }

    /// The head of integer `v` (major type 0 or 1); usable in constants.
    #[must_use]
    pub const fn int(v: i64) -> Self {
        if v >= 0 {
            Self::new(Major::Unsigned, v.unsigned_abs())
        } else {
            Self::new(Major::Negative, v.unsigned_abs() - 1)
        }
    }

    /// The encoded bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..usize::from(self.len))
            .unwrap_or(&self.bytes)
    }
}

/// The initial byte and argument of a data item.
#[derive(Clone, Copy, Debug)]
pub(super) struct Head {
    pub(super) major: Major,
    /// Additional information (low five bits of the initial byte).
    pub(super) info: u8,
    pub(super) arg: u64,
}

impl Head {
    /// Whether this head is allowed in core deterministic encoding: the shortest argument, and
    /// for floats the shortest width that keeps the value (NaN as `f9 7e00`).
    pub(super) fn deterministic(major: Major, info: u8, arg: u64) -> bool {
        match (major, info) {
            (Major::Simple, 25) => arg == 0x7e00 || !is_nan_f16(arg),
            (Major::Simple, 26) => !fits_f16(arg),
            (Major::Simple, 27) => !fits_f32(arg),
            _ => Self { major, info, arg }.is_shortest(),
        }
    }

    /// True when the argument uses its shortest encoding (integers, lengths, tags).
    const fn is_shortest(&self) -> bool {
        match self.info {
            0..=23 => true,
            24 => self.arg >= 24,
            25 => self.arg > 0xff,
            26 => self.arg > 0xffff,
            _ => self.arg > 0xffff_ffff,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_head_builders_agree() {
        let majors = [
            Major::Unsigned,
            Major::Negative,
            Major::Bytes,
            Major::Text,
            Major::Array,
            Major::Map,
            Major::Tag,
            Major::Simple,
        ];
        let mut args = std::vec![u64::MAX];
        for shift in 0..64 {
            let p = 1u64 << shift;
            args.extend([p - 1, p, p + 1]);
        }
        args.extend([23, 24, 255, 256, 65_535, 65_536, 0xffff_ffff, 0x1_0000_0000]);
        for major in majors {
            for &arg in &args {
                assert_eq!(
                    EncodedHead::new_one_copy(major, arg),
                    EncodedHead::new_per_width(major, arg),
                    "{major:?} {arg}"
                );
            }
        }
    }
}
