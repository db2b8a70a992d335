//! [`Claims`]: the one claims-set type, read zero-copy and written deterministically.

use super::*;

/// An EAT / CWT claims set, including the ECN PP profile claims. Every field is optional here;
/// which ones a token must carry is the profile's business ([`crate::ecnpp`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Claims<'a> {
    /// `iss` (1).
    pub iss: Option<&'a str>,
    /// `sub` (2).
    pub sub: Option<&'a str>,
    /// `aud` (3).
    pub aud: Option<&'a str>,
    /// `exp` (4), epoch seconds.
    pub exp: Option<i64>,
    /// `nbf` (5), epoch seconds.
    pub nbf: Option<i64>,
    /// `iat` (6), epoch seconds.
    pub iat: Option<i64>,
    /// `cti` (7).
    pub cti: Option<&'a [u8]>,
    /// `nonce` (10).
    pub nonce: Option<NonceClaim<'a>>,
    /// `exi` (40, RFC 9200): the token's lifetime in seconds, counted from when it is received.
    pub exi: Option<u64>,
    /// `ueid` (256).
    pub ueid: Option<Ueid<'a>>,
    /// `sueids` (257).
    pub sueids: Option<List<'a, NamedUeid<'a>>>,
    /// `oemid` (258).
    pub oemid: Option<OemId<'a>>,
    /// `hwmodel` (259).
    pub hwmodel: Option<HwModel<'a>>,
    /// `hwversion` (260).
    pub hwversion: Option<Version<'a>>,
    /// `uptime` (261), seconds.
    pub uptime: Option<u64>,
    /// `oemboot` (262).
    pub oemboot: Option<bool>,
    /// `dbgstat` (263).
    pub dbgstat: Option<DebugStatus>,
    /// `location` (264).
    pub location: Option<Location>,
    /// `eat_profile` (265).
    pub eat_profile: Option<Profile<'a>>,
    /// `submods` (266).
    pub submods: Option<List<'a, NamedSubmodule<'a>>>,
    /// `bootcount` (267).
    pub bootcount: Option<u64>,
    /// `bootseed` (268).
    pub bootseed: Option<&'a [u8]>,
    /// `dloas` (269).
    pub dloas: Option<List<'a, Dloa<'a>>>,
    /// `swname` (270).
    pub swname: Option<&'a str>,
    /// `swversion` (271).
    pub swversion: Option<Version<'a>>,
    /// `manifests` (272).
    pub manifests: Option<List<'a, Measurement<'a>>>,
    /// `measurements` (273).
    pub measurements: Option<List<'a, Measurement<'a>>>,
    /// `measres` (274).
    pub measres: Option<List<'a, MeasResGroup<'a>>>,
    /// `intuse` (275).
    pub intuse: Option<IntendedUse>,
    /// `ecnpp-promise` (−90101).
    pub promise: Option<Promise>,
    /// `ecnpp-pp-ref` (−90102).
    pub pp_ref: Option<&'a str>,
    /// `ecnpp-evaluated-config` (−90103).
    pub evaluated_config: Option<bool>,
    /// `ecnpp-lifecycle` (−90104).
    pub lifecycle: Option<Lifecycle>,
    /// `ecnpp-svn` (−90105).
    pub svn: Option<u64>,
    /// `ecnpp-robustness` (−90106).
    pub robustness: Option<List<'a, Robustness<'a>>>,
    /// Claims without a field here, preserved and iterable.
    pub extra: Extra<'a>,
}

/// Options of [`Claims::decode_with`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Reject claims maps that are not core deterministic.
    pub deterministic: bool,
}

impl DecodeOptions {
    pub(super) const fn mode(self) -> Mode {
        if self.deterministic {
            Mode::Strict
        } else {
            Mode::Lenient
        }
    }
}

impl<'a> Claims<'a> {
    /// Reads a claims map (lenient CBOR: valid, duplicate-free, not necessarily deterministic).
    ///
    /// # Errors
    /// CBOR errors of [`cbor::validate`]; [`Error::InvalidPayload`] when not a map;
    /// [`Error::InvalidClaim`] with the key of the first claim of the wrong type or range.
    pub fn decode(input: &'a [u8]) -> Result<Self> {
        Self::decode_with(input, DecodeOptions::default())
    }

    /// Reads a claims map with options.
    ///
    /// # Errors
    /// As [`Self::decode`], and [`Error::NonDeterministic`] when required.
    pub fn decode_with(input: &'a [u8], options: DecodeOptions) -> Result<Self> {
        let mode = options.mode();
        // One pass first: the typed read checks everything validation would (see
        // `Decoder::one_pass`). It succeeds for every valid claims map whose maps have their
        // keys in ascending encoded order, which is every map a deterministic encoder writes.
        // On any failure the two-pass read decides: validate, then read; its verdict and its
        // error are the reference (`decode_two_pass`). `small-code` builds take it directly
        // (less code; the one-pass read is a host speed-up).
        #[cfg(not(feature = "small-code"))]
        {
            let mut d = Decoder::one_pass(input, mode);
            if let Ok(c) = Self::decode_map_at(&mut d, 0)
                && d.is_at_end()
            {
                return Ok(c);
            }
        }
        Self::decode_two_pass(input, mode)
    }

    /// The reference read: [`cbor::validate`] over the whole input, then the typed read.
    pub(super) fn decode_two_pass(input: &'a [u8], mode: Mode) -> Result<Self> {
        cbor::validate(input, mode)?;
        let mut d = Decoder::new(input);
        Self::decode_map_at(&mut d, 0)
    }

    /// [`Self::decode_with`] without its one-pass read: for tests and the fuzz harness, which
    /// check that both give the same result on every input.
    ///
    /// # Errors
    /// As [`Self::decode_with`].
    #[doc(hidden)]
    pub fn decode_reference(input: &'a [u8], options: DecodeOptions) -> Result<Self> {
        Self::decode_two_pass(input, options.mode())
    }

    /// Typed read of the claims map at the decoder's position: of validated input, or in
    /// one-pass mode of unvalidated input, where the readers check as they go
    /// ([`Decoder`]'s one-pass mode).
    pub(super) fn decode_map_at(d: &mut Decoder<'a>, depth: usize) -> Result<Self> {
        let mut c = Self::default();
        c.read_map_at(d, depth)?;
        Ok(c)
    }

    /// [`Self::decode_map_at`] into `self` (all fields unset), so that a caller that only
    /// checks a nested claims set does not move a whole `Claims` around.
    pub(super) fn read_map_at(&mut self, d: &mut Decoder<'a>, depth: usize) -> Result<()> {
        if depth > MAX_SUBMODULE_DEPTH {
            return Err(Error::DepthExceeded);
        }
        let entries = d.map_checked().map_err(|e| match e {
            Error::TooManyEntries => e,
            _ => Error::InvalidPayload,
        })?;
        let start = d.position();
        let c = self;
        let mut prev = None;
        for _ in 0..entries {
            let key_start = d.position();
            // RFC 9711 §4 (CWT claims, RFC 8392 §3): a claim key is `int / tstr`.
            if !matches!(
                d.peek_major()?,
                Major::Unsigned | Major::Negative | Major::Text
            ) {
                return Err(Error::InvalidMapKey);
            }
            let label = Label::decode(d)?;
            d.next_key((key_start, d.position()), &mut prev)?;
            match label {
                Label::Int(k) if Label::Int(k).is_known() => {
                    // Errors from a nested claims set (a submodule) keep their own key.
                    c.decode_claim(k, d, depth).map_err(|e| match e {
                        Error::DepthExceeded
                        | Error::DuplicateKey
                        | Error::InvalidMapKey
                        | Error::InvalidClaim { .. } => e,
                        _ => Error::InvalidClaim { key: k },
                    })?;
                }
                // A claims map at submodule level `depth` is at CBOR nesting 1 + 2 * depth.
                _ => d.skip_unread(depth.saturating_mul(2).saturating_add(2))?,
            }
        }
        let bytes = d.input().get(start..d.position()).ok_or(Error::Truncated)?;
        c.extra = Extra::Encoded(EncodedExtra {
            bytes,
            entries,
            reader: read_extra_entry,
        });
        Ok(())
    }

    /// Checks what types alone cannot: non-empty lists, unique names, extra claims that neither
    /// repeat nor shadow a typed field, nesting depth. [`Self::encode`] calls it.
    ///
    /// # Errors
    /// [`Error::InvalidClaim`] with the offending key, [`Error::DuplicateKey`],
    /// [`Error::DepthExceeded`].
    pub fn check(&self) -> Result<()> {
        self.check_at(0)
    }

    pub(super) fn check_at(&self, depth: usize) -> Result<()> {
        self.check_with(depth, Self::check_typed)
    }

    /// [`Self::check_at`] with the given check of the typed claims.
    pub(super) fn check_with(
        &self,
        depth: usize,
        check_typed: fn(&Self, usize) -> Result<()>,
    ) -> Result<()> {
        if depth > MAX_SUBMODULE_DEPTH {
            return Err(Error::DepthExceeded);
        }
        check_typed(self, depth)?;
        // Unknown claims are written as they are held: whether a caller supplied them or they
        // were read (leniently) from the wire, each must be one deterministic item, and none may
        // shadow a typed field or repeat another.
        for (i, (label, value)) in self.extra.iter().enumerate() {
            if label.is_known() {
                return Err(Error::InvalidClaim {
                    key: label_key(&label),
                });
            }
            value.check(depth).map_err(|_| Error::InvalidClaim {
                key: label_key(&label),
            })?;
            if self
                .extra
                .iter()
                .skip(i.saturating_add(1))
                .any(|(l, _)| l == label)
            {
                return Err(Error::DuplicateKey);
            }
        }
        Ok(())
    }

    /// Number of map entries [`Self::encode`] writes.
    pub(super) fn entry_count(&self) -> usize {
        self.typed_count().saturating_add(self.extra.len())
    }

    /// Writes the claims map (no checks; see [`Self::check`]).
    pub(super) fn encode_map<W: Write>(&self, e: &mut Encoder<W>) {
        // One instance of the claims encoder, whatever the writer (see `cbor::Sink`).
        self.encode_map_sink(&mut Encoder::new(e.writer_mut().sink()));
    }

    pub(super) fn encode_map_sink(&self, e: &mut Encoder<cbor::Sink<'_>>) {
        e.map(self.entry_count());
        // Typed claims come out in key order; unknown claims are merged in between, in
        // encoded-key order.
        #[cfg(not(feature = "small-code"))]
        if self.extra.is_empty() {
            // The common case, without the merge.
            self.write_typed(e, &mut NoExtras);
            return;
        }
        #[cfg(not(feature = "small-code"))]
        {
            let mut extras = ExtraMerge::new(&self.extra);
            self.write_typed(e, &mut extras);
            extras.write_rest(e);
        }
        #[cfg(feature = "small-code")]
        self.write_map_content_compact(e);
    }

    /// Checks the claims and writes them as a deterministic CBOR map into `out`.
    ///
    /// # Errors
    /// The errors of [`Self::check`]; [`Error::BufferTooSmall`] with the exact size needed.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize> {
        self.check()?;
        let mut w = SliceWriter::new(out);
        self.encode_map(&mut Encoder::new(&mut w));
        w.finish()
    }

    /// The exact size [`Self::encode`] writes.
    ///
    /// # Errors
    /// The errors of [`Self::check`].
    pub fn encoded_len(&self) -> Result<usize> {
        self.check()?;
        let mut c = SizeCounter::new();
        self.encode_map(&mut Encoder::new(&mut c));
        Ok(c.len())
    }

    /// The claims as a COSE payload, after [`Self::check`].
    ///
    /// # Errors
    /// The errors of [`Self::check`].
    pub fn as_payload(&self) -> Result<CheckedClaims<'_, 'a>> {
        self.check()?;
        Ok(CheckedClaims(self))
    }
}

/// The position of `k` in [`key::KNOWN`] (`usize::MAX` if absent, which the claims table's
/// test rules out).
pub(super) const fn key_position(k: i64) -> usize {
    let mut rest: &[i64] = key::KNOWN;
    let mut i = 0;
    while let [first, tail @ ..] = rest {
        if *first == k {
            return i;
        }
        rest = tail;
        i += 1;
    }
    usize::MAX
}

impl<'a> Claims<'a> {
    /// Number of typed fields that are set.
    #[cfg(feature = "small-code")]
    pub(super) fn typed_count(&self) -> usize {
        (0..key::KNOWN.len())
            .filter(|&i| self.claim_at(i).is_some())
            .count()
    }

    /// As [`Self::check_typed`], as a loop over the keys: less code, for `small-code` builds
    /// (the default build runs it in tests and the fuzz harness, through
    /// [`Self::encode_compact_reference`]).
    pub(super) fn check_typed_compact(&self, depth: usize) -> Result<()> {
        for (i, k) in key::KNOWN.iter().copied().enumerate() {
            if let Some(v) = self.claim_at(i) {
                v.check(k, depth)?;
            }
        }
        Ok(())
    }

    /// The typed-claims check of `small-code` builds.
    #[cfg(feature = "small-code")]
    pub(super) fn check_typed(&self, depth: usize) -> Result<()> {
        self.check_typed_compact(depth)
    }

    /// As [`Self::write_typed`], as a loop over the keys with one writer per kind of value:
    /// less code, for `small-code` builds (the default build runs it in tests and the fuzz harness, against
    /// [`Self::write_typed`]).
    pub(super) fn write_typed_compact(
        &self,
        e: &mut Encoder<cbor::Sink<'_>>,
        extras: &mut ExtraMerge<'_, 'a>,
    ) {
        for (i, k) in key::KNOWN.iter().copied().enumerate() {
            if let Some(v) = self.claim_at(i) {
                extras.write_before(k, e);
                e.int(k);
                v.write(e);
            }
        }
    }

    /// [`Self::encode`] through the compact claims check and writer of `small-code` builds, for
    /// tests and the fuzz harness, which check that both paths give the same result and bytes.
    ///
    /// # Errors
    /// As [`Self::encode`].
    #[doc(hidden)]
    pub fn encode_compact_reference(&self, out: &mut [u8]) -> Result<usize> {
        self.check_with(0, Self::check_typed_compact)?;
        let mut w = SliceWriter::new(out);
        let mut e = Encoder::new(w.sink());
        e.map(self.entry_count());
        self.write_map_content_compact(&mut e);
        w.finish()
    }

    /// The map's entries (after its head) through the compact writer, unknown claims merged.
    pub(super) fn write_map_content_compact(&self, e: &mut Encoder<cbor::Sink<'_>>) {
        let mut extras = ExtraMerge::new(&self.extra);
        self.write_typed_compact(e, &mut extras);
        extras.write_rest(e);
    }
}

/// A set typed claim's value, by kind: the claims encoder has one writer per kind rather than
/// one per claim.
#[derive(Clone, Copy)]
pub(super) enum ClaimRef<'c, 'a> {
    Text(&'c str),
    Int(i64),
    Uint(u64),
    Bytes(&'c [u8]),
    Bool(bool),
    Nonces(&'c List<'a, Nonce<'a>>),
    Sueids(&'c NamedMap<'a, NamedUeid<'a>>),
    OemId(&'c OemId<'a>),
    Version(&'c Version<'a>),
    Location(&'c Location),
    Profile(&'c Profile<'a>),
    Submods(&'c NamedMap<'a, NamedSubmodule<'a>>),
    Dloas(&'c List<'a, Dloa<'a>>),
    Measurements(&'c List<'a, Measurement<'a>>),
    Measres(&'c List<'a, MeasResGroup<'a>>),
    Robustness(&'c List<'a, Robustness<'a>>),
}

impl ClaimRef<'_, '_> {
    /// The checks types alone cannot make (see [`Claims::check`]) of the value of claim `k`.
    #[cfg_attr(not(feature = "small-code"), inline(always))]
    pub(super) fn check(self, k: i64, depth: usize) -> Result<()> {
        let invalid = |_| Error::InvalidClaim { key: k };
        match self {
            Self::Text(_) | Self::Int(_) | Self::Uint(_) | Self::Bytes(_) | Self::Bool(_) => Ok(()),
            Self::Version(_) | Self::Location(_) | Self::Profile(_) => Ok(()),
            Self::Nonces(l) => l.check(depth).map_err(invalid),
            Self::OemId(o) => o.check(depth).map_err(invalid),
            Self::Sueids(l) => check_named_map(l, |x| x.name, depth).map_err(|e| match e {
                Error::DuplicateKey => e,
                _ => Error::InvalidClaim { key: k },
            }),
            Self::Submods(l) => check_named_map(l, |x| x.name, depth).map_err(|e| match e {
                Error::DepthExceeded | Error::DuplicateKey | Error::InvalidClaim { .. } => e,
                _ => Error::InvalidClaim { key: k },
            }),
            Self::Dloas(l) => l.check(depth).map_err(invalid),
            Self::Measurements(l) => l.check(depth).map_err(invalid),
            Self::Measres(l) => l.check(depth).map_err(invalid),
            Self::Robustness(l) => l.check(depth).map_err(invalid),
        }
    }

    /// Writes the value.
    #[cfg_attr(not(feature = "small-code"), inline(always))]
    #[cfg_attr(feature = "small-code", inline(never))]
    pub(super) fn write(self, e: &mut Encoder<cbor::Sink<'_>>) {
        match self {
            Self::Text(t) => {
                e.text(t);
            }
            Self::Int(i) => {
                e.int(i);
            }
            Self::Uint(u) => {
                e.uint(u);
            }
            Self::Bytes(b) => {
                e.bytes(b);
            }
            Self::Bool(b) => {
                e.bool(b);
            }
            Self::Nonces(l) => l.encode_array(e),
            Self::Sueids(l) => encode_named_map(l, |x| x.name, e),
            Self::OemId(o) => o.encode(e),
            Self::Version(v) => v.encode(e),
            Self::Location(l) => l.encode(e),
            Self::Profile(p) => p.encode(e),
            Self::Submods(l) => encode_named_map(l, |x| x.name, e),
            Self::Dloas(l) => l.encode_array(e),
            Self::Measurements(l) => l.encode_array(e),
            Self::Measres(l) => l.encode_array(e),
            Self::Robustness(l) => l.encode_array(e),
        }
    }
}

/// A NumericDate (RFC 8392): an integer of epoch seconds, read with or without the epoch-date
/// tag 1 that RFC 9711's examples carry; written without it, as RFC 8392 does.
pub(super) fn time(d: &mut Decoder<'_>) -> Result<i64> {
    if d.peek_major()? == Major::Tag && d.tag()? != 1 {
        return Err(Error::UnexpectedTag);
    }
    d.int()
}

pub(super) const fn label_key(label: &Label<'_>) -> i64 {
    match *label {
        Label::Int(k) => k,
        Label::Text(_) => 0,
    }
}

/// Claims that passed [`Claims::check`], ready to be a COSE payload.
#[derive(Clone, Copy, Debug)]
pub struct CheckedClaims<'c, 'a>(&'c Claims<'a>);

impl crate::cose::Payload for CheckedClaims<'_, '_> {
    fn write_payload<W: Write>(&self, e: &mut Encoder<W>) {
        self.0.encode_map(e);
    }
}
