//! The values of typed claims: newtypes with their invariants, registered enumerations,
//! and the structured values (versions, profiles, locations, measurements, results).

use super::*;

macro_rules! bytes_newtype {
    ($(#[$doc:meta])* $name:ident, $min:expr, $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq)]
        pub struct $name<'a>(&'a [u8]);

        impl<'a> $name<'a> {
            /// Smallest accepted length in bytes.
            pub const MIN_LEN: usize = $min;
            /// Largest accepted length in bytes.
            pub const MAX_LEN: usize = $max;

            /// Checks the length and wraps the bytes.
            ///
            /// # Errors
            /// [`Error::InvalidArgument`] when the length is out of range.
            pub const fn new(bytes: &'a [u8]) -> Result<Self> {
                if bytes.len() >= $min && bytes.len() <= $max {
                    Ok(Self(bytes))
                } else {
                    Err(Error::InvalidArgument)
                }
            }

            /// The bytes.
            #[must_use]
            pub const fn as_bytes(&self) -> &'a [u8] {
                self.0
            }
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(h'", stringify!($name))?;
                for b in self.0 {
                    write!(f, "{b:02x}")?;
                }
                f.write_str("')")
            }
        }

        impl<'a> Item<'a> for $name<'a> {
            fn decode(d: &mut Decoder<'a>, _depth: usize) -> Result<Self> {
                Self::new(d.bytes()?)
            }
            fn encode<W: Write>(&self, e: &mut Encoder<W>) {
                e.bytes(self.0);
            }
        }
    };
}

bytes_newtype!(
    /// A nonce (claim 10): 8 to 64 bytes. Compare with [`Nonce::ct_eq`], never with `==`, when
    /// the comparison decides freshness.
    Nonce, 8, 64
);
bytes_newtype!(
    /// A universal entity ID (claim 256): 7 to 33 bytes, type byte first.
    Ueid, 7, 33
);
bytes_newtype!(
    /// A hardware model identifier (claim 259): 1 to 32 bytes.
    HwModel, 1, 32
);

impl Nonce<'_> {
    /// Constant-time equality with an expected challenge (length is not secret).
    #[must_use]
    pub fn ct_eq(&self, expected: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        self.0.len() == expected.len() && bool::from(self.0.ct_eq(expected))
    }
}

/// A claim label: an integer or a text string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label<'a> {
    /// Integer label.
    Int(i64),
    /// Text label.
    Text(&'a str),
}

impl<'a> Label<'a> {
    pub(super) fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        match d.peek_major()? {
            Major::Text => Ok(Self::Text(d.text()?)),
            _ => Ok(Self::Int(d.int()?)),
        }
    }

    pub(super) fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        match *self {
            Self::Int(i) => e.int(i),
            Self::Text(t) => e.text(t),
        };
    }

    /// Order of the deterministic encodings (RFC 8949 §4.2.1).
    pub(super) fn cmp_encoded(&self, other: &Self) -> Ordering {
        self.order_key().cmp(&other.order_key())
    }

    /// What the encoded order compares: major type, then the head's argument (shortest-form
    /// heads grow with it, so bytewise order is numeric order), then a text's bytes.
    pub(super) fn order_key(&self) -> (u8, u64, &'a [u8]) {
        match *self {
            Self::Int(i) => match u64::try_from(i) {
                Ok(u) => (0, u, &[]),
                // -1 - i for negative i.
                Err(_) => (1, i.unsigned_abs().wrapping_sub(1), &[]),
            },
            Self::Text(t) => (3, u64::try_from(t.len()).unwrap_or(u64::MAX), t.as_bytes()),
        }
    }

    pub(super) fn is_known(&self) -> bool {
        match *self {
            Self::Int(k) => Claims::is_known_key(k),
            Self::Text(_) => false,
        }
    }
}

/// One encoded CBOR data item, carried as it is (the value of a claim this crate does not type).
#[derive(Clone, Copy)]
pub struct RawValue<'a> {
    pub(super) bytes: &'a [u8],
    /// The strict check the value must pass before it is written, at the nesting level it is
    /// written at (a value read from the wire may have been read leniently; any value may be
    /// written deeper than where it was checked). Stored by whoever made the value (both
    /// validate anyway), so that building claims without unknown ones links no validator.
    pub(super) recheck: ValueCheck,
}

/// The check a [`RawValue`] must pass before it is written (see [`RawValue`]): the value and
/// the submodule depth of the claims set it is written in.
pub(super) type ValueCheck = fn(&[u8], usize) -> Result<()>;

impl<'a> RawValue<'a> {
    /// Wraps an encoded item after checking it is exactly one valid, deterministic data item.
    /// Written as an unknown claim, it must also fit the CBOR nesting bound where it sits
    /// ([`Claims::check`] refuses it with [`Error::InvalidClaim`] otherwise).
    ///
    /// # Errors
    /// The errors of [`cbor::validate`] in strict mode.
    pub fn new(encoded: &'a [u8]) -> Result<Self> {
        cbor::validate(encoded, Mode::Strict)?;
        Ok(Self {
            bytes: encoded,
            recheck: check_strict,
        })
    }

    /// The encoded item.
    #[must_use]
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Before writing in a claims set at submodule depth `depth`: one deterministic item,
    /// within the nesting bound there.
    pub(super) fn check(&self, depth: usize) -> Result<()> {
        (self.recheck)(self.bytes, depth)
    }
}

impl PartialEq for RawValue<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for RawValue<'_> {}

/// The strict check of an unknown claim's value (see [`RawValue`]).
pub(super) fn check_strict(bytes: &[u8], depth: usize) -> Result<()> {
    cbor::validate_nested(bytes, Mode::Strict, claim_value_nesting(depth))
}

impl fmt::Debug for RawValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RawValue(")?;
        for b in self.bytes {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

// ---------------------------------------------------------------------------------------------
// Claim value types
// ---------------------------------------------------------------------------------------------

/// The `nonce` claim: one nonce or several.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NonceClaim<'a> {
    /// A single nonce (a byte string on the wire).
    One(Nonce<'a>),
    /// Several nonces (an array).
    Many(List<'a, Nonce<'a>>),
}

impl NonceClaim<'_> {
    /// Constant-time check that `expected` is one of the nonces.
    #[must_use]
    pub fn contains_ct(&self, expected: &[u8]) -> bool {
        match self {
            Self::One(n) => n.ct_eq(expected),
            // Every element is compared; the result does not depend on where a match is.
            Self::Many(l) => l.iter().fold(false, |acc, n| acc | n.ct_eq(expected)),
        }
    }
}

/// The `oemid` claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OemId<'a> {
    /// A 16-byte random OEM ID.
    Random(&'a [u8]),
    /// A 3-byte IEEE OUI.
    Ieee(&'a [u8]),
    /// An IANA private enterprise number.
    Pen(u64),
}

impl<'a> OemId<'a> {
    /// An OEM ID from bytes: 16 random bytes or a 3-byte IEEE OUI.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for any other length.
    pub const fn from_bytes(b: &'a [u8]) -> Result<Self> {
        match b.len() {
            16 => Ok(Self::Random(b)),
            3 => Ok(Self::Ieee(b)),
            _ => Err(Error::InvalidArgument),
        }
    }
}

impl<'a> Item<'a> for OemId<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        match d.peek_major()? {
            Major::Bytes => Self::from_bytes(d.bytes()?),
            _ => Ok(Self::Pen(d.uint()?)),
        }
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        match *self {
            Self::Random(b) | Self::Ieee(b) => e.bytes(b),
            Self::Pen(p) => e.uint(p),
        };
    }
    fn check(&self, _: usize) -> Result<()> {
        match *self {
            Self::Random(b) if b.len() == 16 => Ok(()),
            Self::Ieee(b) if b.len() == 3 => Ok(()),
            Self::Pen(_) => Ok(()),
            _ => Err(Error::InvalidArgument),
        }
    }
}

/// `hwversion` / `swversion`: a version string and an optional version scheme (RFC 9393).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version<'a> {
    /// The version text.
    pub version: &'a str,
    /// The version scheme, if stated.
    pub scheme: Option<i64>,
}

impl<'a> Item<'a> for Version<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        let n = d.array()?;
        if !(1..=2).contains(&n) {
            return Err(Error::InvalidArgument);
        }
        let version = d.text()?;
        let scheme = if n == 2 { Some(d.int()?) } else { None };
        Ok(Self { version, scheme })
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.array(if self.scheme.is_some() { 2 } else { 1 })
            .text(self.version);
        if let Some(s) = self.scheme {
            e.int(s);
        }
    }
}

/// Enumerations of registered claim values, each defined once: its values, the names the CLI,
/// the C API and the docs use, and the conversions, all from one list.
macro_rules! registered_enum {
    (
        $(#[$doc:meta])*
        $name:ident ($claim:literal) { $($(#[$vdoc:meta])* $variant:ident = $value:literal, $text:literal;)* }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant = $value,)*
        }

        impl $name {
            /// Every value, in ascending order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// From the registered value.
            ///
            /// # Errors
            /// [`Error::InvalidArgument`] for a value outside the registered ones.
            pub const fn from_u64(v: u64) -> Result<Self> {
                match v {
                    $($value => Ok(Self::$variant),)*
                    _ => Err(Error::InvalidArgument),
                }
            }

            /// The registered value.
            #[must_use]
            pub const fn value(self) -> u64 {
                self as u64
            }

            /// The name used in policies, claims files, the C API's strings and the docs.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }

            /// From [`Self::name`].
            ///
            /// # Errors
            /// [`Error::InvalidArgument`] for any other text.
            pub fn from_name(name: &str) -> Result<Self> {
                match name {
                    $($text => Ok(Self::$variant),)*
                    _ => Err(Error::InvalidArgument),
                }
            }

            /// The claim key whose values these are.
            pub const CLAIM: i64 = $claim;
        }
    };
}

registered_enum! {
    /// `dbgstat` (claim 263). Ordered: a higher value is a stronger debug lock.
    DebugStatus (263) {
        /// 0: debug is enabled.
        Enabled = 0, "enabled";
        /// 1: debug is disabled.
        Disabled = 1, "disabled";
        /// 2: disabled since boot.
        DisabledSinceBoot = 2, "disabled-since-boot";
        /// 3: disabled permanently.
        DisabledPermanently = 3, "disabled-permanently";
        /// 4: disabled fully and permanently.
        DisabledFullyAndPermanently = 4, "disabled-fully-and-permanently";
    }
}

registered_enum! {
    /// `intuse` (claim 275).
    IntendedUse (275) {
        /// 1: generic.
        Generic = 1, "generic";
        /// 2: registration.
        Registration = 2, "registration";
        /// 3: provisioning.
        Provisioning = 3, "provisioning";
        /// 4: certificate issuance.
        CertificateIssuance = 4, "certificate-issuance";
        /// 5: proof of possession.
        ProofOfPossession = 5, "proof-of-possession";
    }
}

registered_enum! {
    /// The device security promise (`ecnpp-promise`, ECN PP profile). Ordered: a higher promise
    /// includes the lower. What each requires of evidence is a rule of [`crate::ecnpp`].
    Promise (-90101) {
        /// 1: the device claims of the profile; no isolated key store is claimed.
        Standard = 1, "standard";
        /// 2: the attestation key lives in a secure element or TPM (submodule `"se"`).
        SecureElement = 2, "secure-element";
        /// 3: keys and security-sensitive code run in a TEE (submodule `"tee"` with measurements).
        SecureEnclave = 3, "secure-enclave";
    }
}

registered_enum! {
    /// The device lifecycle state (`ecnpp-lifecycle`, ECN PP profile).
    Lifecycle (-90104) {
        /// 1: being provisioned.
        Provisioning = 1, "provisioning";
        /// 2: in operation (the only state in which workloads are expected).
        Operational = 2, "operational";
        /// 3: in maintenance or debug.
        Maintenance = 3, "maintenance";
        /// 4: decommissioned.
        Decommissioned = 4, "decommissioned";
    }
}

/// A robustness claim (`ecnpp-robustness` entry): a certification scheme and the level reached,
/// e.g. `("FIPS140-3", "3")`. Asserted by a verifier, inside a submodule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Robustness<'a> {
    /// The scheme, e.g. `"FIPS140-3"`, `"PSA"`, `"SESIP"`.
    pub scheme: &'a str,
    /// The level, e.g. `"3"`.
    pub level: &'a str,
}

/// `eat_profile` (claim 265): a URI or an OID (the OID's BER content bytes, untagged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile<'a> {
    /// A URI.
    Uri(&'a str),
    /// An OID, as its encoded content bytes.
    Oid(&'a [u8]),
}

impl<'a> Item<'a> for Profile<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        match d.peek_major()? {
            Major::Text => Ok(Self::Uri(d.text()?)),
            _ => Ok(Self::Oid(d.bytes()?)),
        }
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        match *self {
            Self::Uri(u) => e.text(u),
            Self::Oid(o) => e.bytes(o),
        };
    }
}

/// `location` (claim 264). Numbers are read from integers or floats.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Location {
    /// Latitude (key 1), degrees.
    pub latitude: f64,
    /// Longitude (key 2), degrees.
    pub longitude: f64,
    /// Altitude (key 3), metres.
    pub altitude: Option<f64>,
    /// Accuracy (key 4), metres.
    pub accuracy: Option<f64>,
    /// Altitude accuracy (key 5), metres.
    pub altitude_accuracy: Option<f64>,
    /// Heading (key 6), degrees.
    pub heading: Option<f64>,
    /// Speed (key 7), metres per second.
    pub speed: Option<f64>,
    /// Timestamp (key 8), epoch seconds.
    pub timestamp: Option<i64>,
    /// Age (key 9), seconds.
    pub age: Option<u64>,
}

pub(super) fn number(d: &mut Decoder<'_>) -> Result<f64> {
    match d.peek_major()? {
        Major::Simple => d.float(),
        _ => {
            let i = d.int()?;
            // Integers beyond 2^53 are not exact in f64; locations never need them.
            let small = i32::try_from(i).map_err(|_| Error::IntegerOutOfRange)?;
            Ok(f64::from(small))
        }
    }
}

impl<'a> Item<'a> for Location {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        let n = d.map_checked()?;
        let mut loc = Self::default();
        let (mut lat, mut lon) = (false, false);
        let mut prev = None;
        for _ in 0..n {
            let key_start = d.position();
            let k = d.int()?;
            d.next_key((key_start, d.position()), &mut prev)?;
            match k {
                1 => (loc.latitude, lat) = (number(d)?, true),
                2 => (loc.longitude, lon) = (number(d)?, true),
                3 => loc.altitude = Some(number(d)?),
                4 => loc.accuracy = Some(number(d)?),
                5 => loc.altitude_accuracy = Some(number(d)?),
                6 => loc.heading = Some(number(d)?),
                7 => loc.speed = Some(number(d)?),
                8 => loc.timestamp = Some(d.int()?),
                9 => loc.age = Some(d.uint()?),
                _ => return Err(Error::InvalidArgument),
            }
        }
        if lat && lon {
            Ok(loc)
        } else {
            Err(Error::InvalidArgument)
        }
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        let optional = [
            self.altitude,
            self.accuracy,
            self.altitude_accuracy,
            self.heading,
            self.speed,
        ];
        let n = 2
            + optional.iter().filter(|v| v.is_some()).count()
            + usize::from(self.timestamp.is_some())
            + usize::from(self.age.is_some());
        e.map(n)
            .uint(1)
            .float(self.latitude)
            .uint(2)
            .float(self.longitude);
        // Keys 3 to 7, in order.
        for (k, v) in (3..).zip(optional) {
            if let Some(v) = v {
                e.uint(k).float(v);
            }
        }
        if let Some(t) = self.timestamp {
            e.uint(8).int(t);
        }
        if let Some(a) = self.age {
            e.uint(9).uint(a);
        }
    }
}

/// A `dloas` entry: a digital letter of approval (registrar, platform label, optional
/// application label). Issued by a verifier, never self-asserted by a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dloa<'a> {
    /// The registrar's URI.
    pub registrar: &'a str,
    /// The platform label (e.g. a certificate reference).
    pub platform: &'a str,
    /// The application label, if any.
    pub application: Option<&'a str>,
}

impl<'a> Item<'a> for Dloa<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        let n = d.array()?;
        if !(2..=3).contains(&n) {
            return Err(Error::InvalidArgument);
        }
        let registrar = d.text()?;
        let platform = d.text()?;
        let application = if n == 3 { Some(d.text()?) } else { None };
        Ok(Self {
            registrar,
            platform,
            application,
        })
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.array(if self.application.is_some() { 3 } else { 2 });
        e.text(self.registrar).text(self.platform);
        if let Some(a) = self.application {
            e.text(a);
        }
    }
}

/// A `measurements` or `manifests` entry: a CoAP content format and the content bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Measurement<'a> {
    /// CoAP content format of `content` (e.g. 258 for a CoSWID).
    pub content_type: u16,
    /// The content (a digest, a CoSWID, ...). Compare with [`Measurement::ct_eq`].
    pub content: &'a [u8],
}

impl Measurement<'_> {
    /// Constant-time equality with a reference value (lengths and content types are public).
    #[must_use]
    pub fn ct_eq(&self, reference: &Measurement<'_>) -> bool {
        use subtle::ConstantTimeEq;
        self.content_type == reference.content_type
            && self.content.len() == reference.content.len()
            && bool::from(self.content.ct_eq(reference.content))
    }
}

impl fmt::Debug for Measurement<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Measurement({}, h'", self.content_type)?;
        for b in self.content {
            write!(f, "{b:02x}")?;
        }
        f.write_str("')")
    }
}

impl<'a> Item<'a> for Measurement<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        if d.array()? != 2 {
            return Err(Error::InvalidArgument);
        }
        let content_type = u16::try_from(d.uint()?).map_err(|_| Error::IntegerOutOfRange)?;
        Ok(Self {
            content_type,
            content: d.bytes()?,
        })
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.array(2)
            .uint(u64::from(self.content_type))
            .bytes(self.content);
    }
}

registered_enum! {
    /// The result of comparing one measurement (RFC 9711 §4.2.17, in `measres`, claim 274).
    ResultCode (274) {
        /// 1: the comparison succeeded.
        Success = 1, "success";
        /// 2: the comparison failed.
        Fail = 2, "fail";
        /// 3: the comparison was not run.
        NotRun = 3, "not-run";
        /// 4: the measurement was absent.
        Absent = 4, "absent";
    }
}

/// The identifier of an individual measurement result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultId<'a> {
    /// A text identifier.
    Text(&'a str),
    /// A binary identifier (this crate uses the measured value itself).
    Bytes(&'a [u8]),
}

/// One individual measurement result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeasResult<'a> {
    /// What was measured.
    pub id: ResultId<'a>,
    /// The outcome.
    pub result: ResultCode,
}

impl<'a> Item<'a> for MeasResult<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        if d.array()? != 2 {
            return Err(Error::InvalidArgument);
        }
        let id = match d.peek_major()? {
            Major::Text => ResultId::Text(d.text()?),
            _ => ResultId::Bytes(d.bytes()?),
        };
        let result = match d.uint()? {
            1 => ResultCode::Success,
            2 => ResultCode::Fail,
            3 => ResultCode::NotRun,
            4 => ResultCode::Absent,
            _ => return Err(Error::InvalidArgument),
        };
        Ok(Self { id, result })
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.array(2);
        match self.id {
            ResultId::Text(t) => e.text(t),
            ResultId::Bytes(b) => e.bytes(b),
        };
        e.uint(self.result as u64);
    }
}

/// A `measres` group: the results of one measurement system.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeasResGroup<'a> {
    /// The measurement system.
    pub system: &'a str,
    /// Its results (non-empty).
    pub results: List<'a, MeasResult<'a>>,
}

impl<'a> Item<'a> for MeasResGroup<'a> {
    fn decode(d: &mut Decoder<'a>, depth: usize) -> Result<Self> {
        if d.array()? != 2 {
            return Err(Error::InvalidArgument);
        }
        let system = d.text()?;
        Ok(Self {
            system,
            results: List::decode_array(d, depth)?,
        })
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.array(2).text(self.system);
        self.results.encode_array(e);
    }
    fn check(&self, depth: usize) -> Result<()> {
        self.results.check(depth)
    }
}

impl<'a> Item<'a> for Robustness<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        if d.array()? != 2 {
            return Err(Error::InvalidArgument);
        }
        Ok(Self {
            scheme: d.text()?,
            level: d.text()?,
        })
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.array(2).text(self.scheme).text(self.level);
    }
}
