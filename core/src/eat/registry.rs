//! The claims registry: one row per typed claim (key, name, source, field, how it is read and
//! written), from which the key constants, the name lookups and the readers and writers of
//! [`Claims`] are generated.

use super::*;

/// The one table of typed claims: key, field, how it is read, how it is written. The readers and
/// writers of [`Claims`] are generated from it, so a claim is added in exactly one place (and in
/// [`key::KNOWN`], whose order fixes the encoding order).
macro_rules! claims_table {
    (($d:ident, $depth:ident, $v:ident) $($const:ident = $num:expr, $name:literal, $src:literal => $field:ident: $read:expr, $value:expr;)*) => {
        /// Registered claim keys: every claim [`Claims`] has a field for (generated from the
        /// claims table).
        pub mod key {
            $(
                #[doc = concat!("`", $name, "` (", $src, ").")]
                pub const $const: i64 = $num;
            )*

            /// Every key [`super::Claims`] has a field for, in core deterministic
            /// (encoded-bytes) order, which is the table's order (checked by a test).
            pub const KNOWN: &[i64] = &[$($const),*];
        }

        /// Every typed claim as (key, name), in [`key::KNOWN`] order: the names the CLI, the C
        /// API's strings and the docs use.
        pub const CLAIM_NAMES: &[(i64, &str)] = &[$((key::$const, $name)),*];

        /// The name of typed claim `k` (e.g. `"nonce"` for 10), if it has a field.
        #[must_use]
        pub const fn claim_name(k: i64) -> Option<&'static str> {
            match k {
                $($num => Some($name),)*
                _ => None,
            }
        }

        /// The key of the typed claim named `name` (the inverse of [`claim_name`]).
        #[must_use]
        pub fn claim_key(name: &str) -> Option<i64> {
            match name {
                $($name => Some($num),)*
                _ => None,
            }
        }

        impl<'a> Claims<'a> {
            /// True when typed claim `k` is set (false for keys without a field: see
            /// [`Claims::extra`] for those).
            #[must_use]
            pub fn has(&self, k: i64) -> bool {
                self.claim_at(key_position(k)).is_some()
            }

            /// Reads the value of known key `k` into its field.
            #[cfg_attr(feature = "small-code", inline(never))]
            pub(super) fn decode_claim(&mut self, k: i64, $d: &mut Decoder<'a>, $depth: usize) -> Result<()> {
                match k {
                    $($num => self.$field = Some($read),)*
                    _ => $d.skip()?,
                }
                Ok(())
            }

            /// Whether `k` has a typed field.
            pub(super) const fn is_known_key(k: i64) -> bool {
                matches!(k, $($num)|*)
            }

            /// Number of typed fields that are set (in `small-code` builds, counted through
            /// the compact writer's lookup, which is there anyway).
            #[cfg(not(feature = "small-code"))]
            pub(super) fn typed_count(&self) -> usize {
                0 $(+ usize::from(self.$field.is_some()))*
            }

            /// Writes every set typed field, key and value, in table order (which is
            /// [`key::KNOWN`] order: checked by a test), each after the unknown claims whose
            /// keys sort before its own: straight-line code per claim, for speed on hosts.
            #[cfg(not(feature = "small-code"))]
            pub(super) fn write_typed<M: MergeExtras>(&self, e: &mut Encoder<cbor::Sink<'_>>, extras: &mut M) {
                $(
                    if let Some($v) = &self.$field {
                        extras.write_before($num, e);
                        e.encoded_head(&const { cbor::EncodedHead::int($num) });
                        $value.write(e);
                    }
                )*
            }

            /// Checks every set typed field ([`ClaimRef::check`]): straight-line code per
            /// claim, for speed on hosts (kinds without checks compile to nothing).
            #[cfg(not(feature = "small-code"))]
            pub(super) fn check_typed(&self, depth: usize) -> Result<()> {
                $(
                    if let Some($v) = &self.$field {
                        $value.check($num, depth)?;
                    }
                )*
                Ok(())
            }

            /// The value of the typed field at position `i` of [`key::KNOWN`], if set (see
            /// [`Self::check_typed_compact`] and [`Self::write_typed_compact`]; positions are
            /// dense, so this is a jump table).
            pub(super) fn claim_at(&self, i: usize) -> Option<ClaimRef<'_, 'a>> {
                match i {
                    $(position::$field => self.$field.as_ref().map(|$v| $value),)*
                    _ => None,
                }
            }

            /// The keys of the table, in table order.
            #[cfg(test)]
            pub(super) const TABLE_KEYS: &'static [i64] = &[$($num),*];
        }

        /// The position of each typed claim's key in [`key::KNOWN`], named after its field.
        #[allow(non_upper_case_globals)]
        mod position {
            use super::{key, key_position};
            $(pub(super) const $field: usize = key_position(key::$const);)*
        }
    };
}

claims_table! {
    (d, depth, v)
    ISS = 1, "iss", "RFC 8392" => iss: d.text()?, ClaimRef::Text(v);
    SUB = 2, "sub", "RFC 8392" => sub: d.text()?, ClaimRef::Text(v);
    AUD = 3, "aud", "RFC 8392" => aud: d.text()?, ClaimRef::Text(v);
    EXP = 4, "exp", "RFC 8392" => exp: time(d)?, ClaimRef::Int(*v);
    NBF = 5, "nbf", "RFC 8392" => nbf: time(d)?, ClaimRef::Int(*v);
    IAT = 6, "iat", "RFC 8392" => iat: time(d)?, ClaimRef::Int(*v);
    CTI = 7, "cti", "RFC 8392" => cti: d.bytes()?, ClaimRef::Bytes(v);
    NONCE = 10, "nonce", "RFC 9711" => nonce: match d.peek_major()? {
        Major::Array => NonceClaim::Many(List::decode_array(d, depth)?),
        _ => NonceClaim::One(Nonce::new(d.bytes()?)?),
    }, match v {
        NonceClaim::One(n) => ClaimRef::Bytes(n.as_bytes()),
        NonceClaim::Many(l) => ClaimRef::Nonces(l),
    };
    EXI = 40, "exi", "RFC 9200" => exi: d.uint()?, ClaimRef::Uint(*v);
    UEID = 256, "ueid", "RFC 9711" => ueid: Ueid::new(d.bytes()?)?, ClaimRef::Bytes(v.as_bytes());
    SUEIDS = 257, "sueids", "RFC 9711" => sueids: decode_named_map(d, depth)?, ClaimRef::Sueids(v);
    OEMID = 258, "oemid", "RFC 9711" => oemid: OemId::decode(d, depth)?, ClaimRef::OemId(v);
    HWMODEL = 259, "hwmodel", "RFC 9711" => hwmodel: HwModel::new(d.bytes()?)?, ClaimRef::Bytes(v.as_bytes());
    HWVERSION = 260, "hwversion", "RFC 9711" => hwversion: Version::decode(d, depth)?, ClaimRef::Version(v);
    UPTIME = 261, "uptime", "RFC 9711" => uptime: d.uint()?, ClaimRef::Uint(*v);
    OEMBOOT = 262, "oemboot", "RFC 9711" => oemboot: d.bool()?, ClaimRef::Bool(*v);
    DBGSTAT = 263, "dbgstat", "RFC 9711" => dbgstat: DebugStatus::from_u64(d.uint()?)?, ClaimRef::Uint(*v as u64);
    LOCATION = 264, "location", "RFC 9711" => location: Location::decode(d, depth)?, ClaimRef::Location(v);
    EAT_PROFILE = 265, "eat_profile", "RFC 9711" => eat_profile: Profile::decode(d, depth)?, ClaimRef::Profile(v);
    SUBMODS = 266, "submods", "RFC 9711" => submods: decode_named_map(d, depth)?, ClaimRef::Submods(v);
    BOOTCOUNT = 267, "bootcount", "RFC 9711" => bootcount: d.uint()?, ClaimRef::Uint(*v);
    BOOTSEED = 268, "bootseed", "RFC 9711" => bootseed: d.bytes()?, ClaimRef::Bytes(v);
    DLOAS = 269, "dloas", "RFC 9711" => dloas: List::decode_array(d, depth)?, ClaimRef::Dloas(v);
    SWNAME = 270, "swname", "RFC 9711" => swname: d.text()?, ClaimRef::Text(v);
    SWVERSION = 271, "swversion", "RFC 9711" => swversion: Version::decode(d, depth)?, ClaimRef::Version(v);
    MANIFESTS = 272, "manifests", "RFC 9711" => manifests: List::decode_array(d, depth)?, ClaimRef::Measurements(v);
    MEASUREMENTS = 273, "measurements", "RFC 9711" => measurements: List::decode_array(d, depth)?, ClaimRef::Measurements(v);
    MEASRES = 274, "measres", "RFC 9711" => measres: List::decode_array(d, depth)?, ClaimRef::Measres(v);
    INTUSE = 275, "intuse", "RFC 9711" => intuse: IntendedUse::from_u64(d.uint()?)?, ClaimRef::Uint(*v as u64);
    ECNPP_PROMISE = -90101, "ecnpp-promise", "ECN PP profile" => promise: Promise::from_u64(d.uint()?)?, ClaimRef::Uint(*v as u64);
    ECNPP_PP_REF = -90102, "ecnpp-pp-ref", "ECN PP profile" => pp_ref: d.text()?, ClaimRef::Text(v);
    ECNPP_EVALUATED_CONFIG = -90103, "ecnpp-evaluated-config", "ECN PP profile" => evaluated_config: d.bool()?, ClaimRef::Bool(*v);
    ECNPP_LIFECYCLE = -90104, "ecnpp-lifecycle", "ECN PP profile" => lifecycle: Lifecycle::from_u64(d.uint()?)?, ClaimRef::Uint(*v as u64);
    ECNPP_SVN = -90105, "ecnpp-svn", "ECN PP profile" => svn: d.uint()?, ClaimRef::Uint(*v);
    ECNPP_ROBUSTNESS = -90106, "ecnpp-robustness", "ECN PP profile" => robustness: List::decode_array(d, depth)?, ClaimRef::Robustness(v);
}
