//! The C shapes of claims: byte and text strings as pointer + length structs, enumerations as
//! `int32_t` typedefs with named constants, the ECN PP evidence claims struct, and the
//! conversions between it and core's [`Claims`].
//!
//! Every struct here holds only integers and raw pointers, so any bit pattern a C caller leaves
//! in one is safe for Rust to read: an enumeration value or a boolean outside its range is an
//! error code, never undefined behaviour (a Rust `enum` or `bool` field could not promise that).

use core::cell::Cell;
use core::ffi::c_char;

use ecnpp_attest::appraise::MAX_MEASUREMENT_RESULTS;
use ecnpp_attest::eat::{
    Claims, DebugStatus, HwModel, List, Measurement, NamedSubmodule, Nonce, NonceClaim, OemId,
    Submodule, Ueid, Version,
};
use ecnpp_attest::eat::{Lifecycle, Promise};
use ecnpp_attest::ecnpp::{self, PROFILE, SUBMOD_SE, SUBMOD_TEE};

use crate::args::{FfiResult, Span, array, bool01};
use crate::result::ecnpp_result;

/// A byte string: `ptr` + `len`, borrowed, never owned by the library.
///
/// As an optional claim or field, `ptr == NULL` (with `len == 0`) means absent, and a non-NULL
/// `ptr` with `len == 0` is present and empty. `ptr == NULL` with `len > 0` is
/// `ECNPP_ERR_NULL_POINTER`, a `len` above `PTRDIFF_MAX` `ECNPP_ERR_LENGTH_OVERFLOW`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_bytes {
    /// The first byte (NULL: absent, or empty where the field is not optional).
    pub ptr: *const u8,
    /// The number of bytes.
    pub len: usize,
}

/// A UTF-8 text string: `ptr` + `len` bytes, **not** NUL-terminated (`len` counts no NUL),
/// borrowed. Absent, empty and error cases as for `ecnpp_bytes`; text that is not UTF-8 is
/// `ECNPP_ERR_INVALID_UTF8`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_str {
    /// The first byte (NULL: absent).
    pub ptr: *const c_char,
    /// The number of bytes, without any NUL.
    pub len: usize,
}

impl ecnpp_bytes {
    /// Absent: NULL and 0.
    pub(crate) const NONE: Self = Self {
        ptr: core::ptr::null(),
        len: 0,
    };

    /// The bytes of an optional field (`None`: absent).
    ///
    /// # Safety
    /// Non-NULL `ptr` readable for `len` bytes, unchanged for `'a`.
    pub(crate) unsafe fn optional<'a>(&self) -> FfiResult<Option<&'a [u8]>> {
        // SAFETY: forwarded precondition.
        Ok(Span::optional(self.ptr, self.len)?.map(|s| unsafe { s.as_slice() }))
    }

    /// The bytes of a field that is not optional (`(NULL, 0)` is empty).
    ///
    /// # Safety
    /// As [`Self::optional`].
    pub(crate) unsafe fn buffer<'a>(&self) -> FfiResult<&'a [u8]> {
        // SAFETY: forwarded precondition.
        Ok(unsafe { Span::new(self.ptr, self.len)?.as_slice() })
    }

    /// Borrows `b` (NULL and 0 for `None`).
    pub(crate) fn from_slice(b: Option<&[u8]>) -> Self {
        b.map_or(Self::NONE, |b| Self {
            ptr: b.as_ptr(),
            len: b.len(),
        })
    }
}

impl ecnpp_str {
    /// Absent: NULL and 0.
    pub(crate) const NONE: Self = Self {
        ptr: core::ptr::null(),
        len: 0,
    };

    /// The text of an optional field (`None`: absent).
    ///
    /// # Safety
    /// As [`ecnpp_bytes::optional`].
    pub(crate) unsafe fn optional<'a>(&self) -> FfiResult<Option<&'a str>> {
        let bytes = ecnpp_bytes {
            ptr: self.ptr.cast(),
            len: self.len,
        };
        // SAFETY: forwarded precondition.
        match unsafe { bytes.optional() }? {
            None => Ok(None),
            Some(b) => core::str::from_utf8(b)
                .map(Some)
                .map_err(|_| ecnpp_result::ECNPP_ERR_INVALID_UTF8),
        }
    }

    /// Borrows `s` (NULL and 0 for `None`).
    pub(crate) fn from_str(s: Option<&str>) -> Self {
        s.map_or(Self::NONE, |s| Self {
            ptr: s.as_ptr().cast(),
            len: s.len(),
        })
    }
}

/// `dbgstat` (claim 263): one of the `ECNPP_DBGSTAT_*` values (the registered ones, ordered).
pub type ecnpp_dbgstat = i32;
/// `dbgstat` 0: debug is enabled.
pub const ECNPP_DBGSTAT_ENABLED: ecnpp_dbgstat = 0;
/// `dbgstat` 1: debug is disabled.
pub const ECNPP_DBGSTAT_DISABLED: ecnpp_dbgstat = 1;
/// `dbgstat` 2: disabled since boot.
pub const ECNPP_DBGSTAT_DISABLED_SINCE_BOOT: ecnpp_dbgstat = 2;
/// `dbgstat` 3: disabled permanently.
pub const ECNPP_DBGSTAT_DISABLED_PERMANENTLY: ecnpp_dbgstat = 3;
/// `dbgstat` 4: disabled fully and permanently.
pub const ECNPP_DBGSTAT_DISABLED_FULLY_AND_PERMANENTLY: ecnpp_dbgstat = 4;

/// `ecnpp-promise`: one of the `ECNPP_PROMISE_*` values; a higher promise includes the lower.
pub type ecnpp_promise = i32;
/// Output only: no promise is corroborated (the configuration is not certified).
pub const ECNPP_PROMISE_NONE: ecnpp_promise = 0;
/// Promise 1: standard; no isolated key store is claimed.
pub const ECNPP_PROMISE_STANDARD: ecnpp_promise = 1;
/// Promise 2: the attestation key lives in a secure element or TPM (submodule `"se"`).
pub const ECNPP_PROMISE_SECURE_ELEMENT: ecnpp_promise = 2;
/// Promise 3: keys and sensitive code run in a TEE (submodule `"tee"` with measurements).
pub const ECNPP_PROMISE_SECURE_ENCLAVE: ecnpp_promise = 3;

/// `ecnpp-lifecycle`: one of the `ECNPP_LIFECYCLE_*` values.
pub type ecnpp_lifecycle = i32;
/// Lifecycle 1: being provisioned.
pub const ECNPP_LIFECYCLE_PROVISIONING: ecnpp_lifecycle = 1;
/// Lifecycle 2: in operation (the only state in which workloads are expected).
pub const ECNPP_LIFECYCLE_OPERATIONAL: ecnpp_lifecycle = 2;
/// Lifecycle 3: in maintenance or debug.
pub const ECNPP_LIFECYCLE_MAINTENANCE: ecnpp_lifecycle = 3;
/// Lifecycle 4: decommissioned.
pub const ECNPP_LIFECYCLE_DECOMMISSIONED: ecnpp_lifecycle = 4;

/// Most measurements in one list this API carries (the device's, the TEE's, a certified
/// configuration's references): the number of measurement results one appraisal records, so
/// evidence with more could never be affirmed.
pub const ECNPP_MAX_MEASUREMENTS: usize = 16;

/// A measurement (`measurements` entry): a CoAP content format and the measured bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_measurement {
    /// CoAP content format of `content` (e.g. 258 for a CoSWID; this profile's tests use 0 for
    /// a raw digest).
    pub content_type: u16,
    /// The content (a digest, a CoSWID, ...); `(NULL, 0)` is empty, not absent.
    pub content: ecnpp_bytes,
}

/// The claims of the `"se"` submodule (secure element), for a secure-element promise.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_se_claims {
    /// The secure element's OEM: 3 bytes (IEEE OUI) or 16 (random). Optional (NULL: absent).
    pub oemid: ecnpp_bytes,
    /// The secure element's model, 1 to 32 bytes. Optional (NULL: absent).
    pub hwmodel: ecnpp_bytes,
    /// Its debug state; the profile requires at least `ECNPP_DBGSTAT_DISABLED_PERMANENTLY`.
    pub dbgstat: ecnpp_dbgstat,
}

/// The claims of the `"tee"` submodule (trusted execution environment).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_tee_claims {
    /// The TEE's own measurements (at most `ECNPP_MAX_MEASUREMENTS`); NULL: absent. A
    /// secure-enclave promise requires at least one.
    pub measurements: *const ecnpp_measurement,
    /// Number of entries in `measurements`.
    pub measurements_len: usize,
}

/// ECN PP evidence claims, as a device signs them (`ecnpp_evidence_sign`) and as a verifier
/// reads them back (`ecnpp_evidence_verify`). `eat_profile` is implied: always this profile.
///
/// Byte and text fields follow `ecnpp_bytes` / `ecnpp_str`: NULL is absent, and a required
/// claim that is absent is `ECNPP_ERR_MISSING_CLAIM`. Scalar optional claims have a `has_`
/// field (0 or 1). A zeroed struct (`= {0}`) has every optional claim absent.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_evidence_claims {
    /// `nonce` (10), required: the verifier's challenge, 8 to 64 bytes.
    pub nonce: ecnpp_bytes,
    /// `ueid` (256), required: 7 to 33 bytes, type byte first.
    pub ueid: ecnpp_bytes,
    /// `oemid` (258), required: 3 bytes (IEEE OUI) or 16 (random).
    pub oemid: ecnpp_bytes,
    /// `hwmodel` (259), required: 1 to 32 bytes.
    pub hwmodel: ecnpp_bytes,
    /// `swname` (270), required.
    pub swname: ecnpp_str,
    /// `swversion` (271), required: the version text (no version scheme is written; one in
    /// received evidence is not reported).
    pub swversion: ecnpp_str,
    /// `ecnpp-pp-ref` (-90102), required: the PP and version claimed,
    /// e.g. "NSCIB-PP-0112146/1.0.7".
    pub pp_ref: ecnpp_str,
    /// `oemboot` (262), required: 1 when the OEM's boot chain was verified, else 0.
    pub oemboot: u8,
    /// `dbgstat` (263), required.
    pub dbgstat: ecnpp_dbgstat,
    /// `ecnpp-promise` (-90101), required: `ECNPP_PROMISE_STANDARD` to `_SECURE_ENCLAVE`.
    pub promise: ecnpp_promise,
    /// `measurements` (273): at most `ECNPP_MAX_MEASUREMENTS`; NULL: absent.
    pub measurements: *const ecnpp_measurement,
    /// Number of entries in `measurements`.
    pub measurements_len: usize,
    /// 1 when `iat` is present.
    pub has_iat: u8,
    /// `iat` (6): issue time, epoch seconds.
    pub iat: i64,
    /// 1 when `lifecycle` is present.
    pub has_lifecycle: u8,
    /// `ecnpp-lifecycle` (-90104).
    pub lifecycle: ecnpp_lifecycle,
    /// 1 when `svn` is present.
    pub has_svn: u8,
    /// `ecnpp-svn` (-90105): security version of the device software.
    pub svn: u64,
    /// 1 when `uptime` is present.
    pub has_uptime: u8,
    /// `uptime` (261), seconds.
    pub uptime: u64,
    /// 1 when `bootcount` is present.
    pub has_bootcount: u8,
    /// `bootcount` (267).
    pub bootcount: u64,
    /// 1 when the `"se"` submodule is present (required for a secure-element promise).
    pub has_se: u8,
    /// The `"se"` submodule.
    pub se: ecnpp_se_claims,
    /// 1 when the `"tee"` submodule is present (required for a secure-enclave promise).
    pub has_tee: u8,
    /// The `"tee"` submodule.
    pub tee: ecnpp_tee_claims,
}

/// Any core error in converting a claim value: the claim is invalid.
fn claim<T>(r: ecnpp_attest::Result<T>) -> FfiResult<T> {
    r.map_err(|_| ecnpp_result::ECNPP_ERR_INVALID_CLAIM)
}

/// A `dbgstat` value from C.
pub(crate) fn dbgstat_from_c(v: ecnpp_dbgstat) -> Option<DebugStatus> {
    u64::try_from(v)
        .ok()
        .and_then(|v| DebugStatus::from_u64(v).ok())
}

/// A promise value from C (`ECNPP_PROMISE_NONE` is not one).
pub(crate) fn promise_from_c(v: ecnpp_promise) -> Option<Promise> {
    u64::try_from(v)
        .ok()
        .and_then(|v| Promise::from_u64(v).ok())
}

fn lifecycle_from_c(v: ecnpp_lifecycle) -> Option<Lifecycle> {
    u64::try_from(v)
        .ok()
        .and_then(|v| Lifecycle::from_u64(v).ok())
}

/// The C value of a debug status: its registered value (at most 4, so the cast is exact).
pub(crate) const fn dbgstat_to_c(d: DebugStatus) -> ecnpp_dbgstat {
    d as ecnpp_dbgstat
}

/// The C value of a promise (`ECNPP_PROMISE_NONE` for none; else its registered value).
pub(crate) const fn promise_to_c(p: Option<Promise>) -> ecnpp_promise {
    match p {
        None => ECNPP_PROMISE_NONE,
        Some(p) => p as ecnpp_promise,
    }
}

/// The C value of a lifecycle state: its registered value.
const fn lifecycle_to_c(l: Lifecycle) -> ecnpp_lifecycle {
    l as ecnpp_lifecycle
}

/// An empty slot of a measurement room.
pub(crate) const NO_MEASUREMENT: Measurement<'static> = Measurement {
    content_type: 0,
    content: &[],
};

/// Stack room for one list of measurements converted from C.
pub(crate) type MeasurementRoom<'a> = [Measurement<'a>; ECNPP_MAX_MEASUREMENTS];

/// Converts a C measurement list into `room`; `None` when absent (NULL). Every input range read
/// is passed to `note` (for the overlap rule). More than [`ECNPP_MAX_MEASUREMENTS`] is
/// `too_many`.
///
/// # Safety
/// `ptr` readable for `len` entries, each `content` readable for its length, for `'a`.
pub(crate) unsafe fn measurements_from_c<'a, 'r>(
    ptr: *const ecnpp_measurement,
    len: usize,
    room: &'r mut MeasurementRoom<'a>,
    too_many: ecnpp_result,
    note: &dyn Fn(Span),
) -> FfiResult<Option<&'r [Measurement<'a>]>> {
    const {
        assert!(ECNPP_MAX_MEASUREMENTS == MAX_MEASUREMENT_RESULTS);
    }
    if ptr.is_null() && len == 0 {
        return Ok(None);
    }
    // SAFETY: forwarded precondition; ecnpp_measurement is plain data.
    let items = unsafe { array(ptr, len) }?;
    note(Span::of(items));
    if items.len() > room.len() {
        return Err(too_many);
    }
    for (slot, m) in room.iter_mut().zip(items) {
        // SAFETY: forwarded precondition.
        let content = unsafe { m.content.buffer() }?;
        note(Span::of(content));
        *slot = Measurement {
            content_type: m.content_type,
            content,
        };
    }
    Ok(Some(room.get(..items.len()).unwrap_or(&[])))
}

/// An optional byte field, its range passed to `note`.
///
/// # Safety
/// As [`ecnpp_bytes::optional`].
unsafe fn noted_bytes<'a>(b: &ecnpp_bytes, note: &dyn Fn(Span)) -> FfiResult<Option<&'a [u8]>> {
    // SAFETY: forwarded precondition.
    let v = unsafe { b.optional() }?;
    if let Some(v) = v {
        note(Span::of(v));
    }
    Ok(v)
}

/// An optional text field, its range passed to `note`.
///
/// # Safety
/// As [`ecnpp_bytes::optional`].
unsafe fn noted_text<'a>(s: &ecnpp_str, note: &dyn Fn(Span)) -> FfiResult<Option<&'a str>> {
    // SAFETY: forwarded precondition.
    let v = unsafe { s.optional() }?;
    if let Some(v) = v {
        note(Span::of(v.as_bytes()));
    }
    Ok(v)
}

/// Converts C evidence claims into core [`Claims`] (on the stack) and runs `f` on them.
///
/// Checks every field (pointers, lengths, UTF-8, ranges, 0/1 booleans) and passes every input
/// range it reads to `note`; `f` runs only when all of that succeeded. The profile's own rules
/// (required claims, submodules per promise) are core's, applied by whatever `f` calls.
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_LENGTH_OVERFLOW`, `ECNPP_ERR_INVALID_UTF8`,
/// `ECNPP_ERR_INVALID_CLAIM` (a value out of range, too many measurements),
/// `ECNPP_ERR_INVALID_ARGUMENT` (a `has_` field neither 0 nor 1, a misaligned array).
///
/// # Safety
/// Every pointer in `c` readable for its length for the duration of the call.
pub(crate) unsafe fn with_evidence_claims<R>(
    c: &ecnpp_evidence_claims,
    note: &dyn Fn(Span),
    f: impl FnOnce(&Claims<'_>) -> FfiResult<R>,
) -> FfiResult<R> {
    let invalid = ecnpp_result::ECNPP_ERR_INVALID_CLAIM;
    let has = |v: u8| bool01(v, ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT);
    // SAFETY: the caller's promise covers every pointer in `c`.
    let bytes = |b: &ecnpp_bytes| unsafe { noted_bytes(b, note) };
    // SAFETY: as above.
    let text = |s: &ecnpp_str| unsafe { noted_text(s, note) };

    let nonce = match bytes(&c.nonce)? {
        Some(n) => Some(NonceClaim::One(claim(Nonce::new(n))?)),
        None => None,
    };
    let ueid = bytes(&c.ueid)?.map(Ueid::new).transpose();
    let ueid = claim(ueid)?;
    let oemid = claim(bytes(&c.oemid)?.map(OemId::from_bytes).transpose())?;
    let hwmodel = claim(bytes(&c.hwmodel)?.map(HwModel::new).transpose())?;
    let swname = text(&c.swname)?;
    let swversion = text(&c.swversion)?.map(|version| Version {
        version,
        scheme: None,
    });
    let pp_ref = text(&c.pp_ref)?;
    let oemboot = bool01(c.oemboot, invalid)?;
    let dbgstat = dbgstat_from_c(c.dbgstat).ok_or(invalid)?;
    let promise = promise_from_c(c.promise).ok_or(invalid)?;
    let mut device_room = [NO_MEASUREMENT; ECNPP_MAX_MEASUREMENTS];
    // SAFETY: forwarded precondition.
    let measurements = unsafe {
        measurements_from_c(
            c.measurements,
            c.measurements_len,
            &mut device_room,
            invalid,
            note,
        )
    }?;
    let lifecycle = match has(c.has_lifecycle)? {
        true => Some(lifecycle_from_c(c.lifecycle).ok_or(invalid)?),
        false => None,
    };

    let se = match has(c.has_se)? {
        false => None,
        true => Some(Claims {
            oemid: claim(bytes(&c.se.oemid)?.map(OemId::from_bytes).transpose())?,
            hwmodel: claim(bytes(&c.se.hwmodel)?.map(HwModel::new).transpose())?,
            dbgstat: Some(dbgstat_from_c(c.se.dbgstat).ok_or(invalid)?),
            ..Claims::default()
        }),
    };
    let mut tee_room = [NO_MEASUREMENT; ECNPP_MAX_MEASUREMENTS];
    let tee = match has(c.has_tee)? {
        false => None,
        true => {
            // SAFETY: forwarded precondition.
            let tee_measurements = unsafe {
                measurements_from_c(
                    c.tee.measurements,
                    c.tee.measurements_len,
                    &mut tee_room,
                    invalid,
                    note,
                )
            }?;
            Some(Claims {
                measurements: tee_measurements.map(List::Items),
                ..Claims::default()
            })
        }
    };
    let named = |name, claims| NamedSubmodule {
        name,
        submodule: Submodule::Claims(claims),
    };
    let both: [NamedSubmodule<'_>; 2];
    let one: [NamedSubmodule<'_>; 1];
    let submods: Option<&[NamedSubmodule<'_>]> = match (se, tee) {
        (Some(se), Some(tee)) => {
            both = [named(SUBMOD_SE, se), named(SUBMOD_TEE, tee)];
            Some(&both)
        }
        (Some(se), None) => {
            one = [named(SUBMOD_SE, se)];
            Some(&one)
        }
        (None, Some(tee)) => {
            one = [named(SUBMOD_TEE, tee)];
            Some(&one)
        }
        (None, None) => None,
    };

    let claims = Claims {
        eat_profile: Some(PROFILE),
        nonce,
        ueid,
        oemid,
        hwmodel,
        swname,
        swversion,
        oemboot: Some(oemboot),
        dbgstat: Some(dbgstat),
        promise: Some(promise),
        pp_ref,
        measurements: measurements.map(List::Items),
        iat: has(c.has_iat)?.then_some(c.iat),
        lifecycle,
        svn: has(c.has_svn)?.then_some(c.svn),
        uptime: has(c.has_uptime)?.then_some(c.uptime),
        bootcount: has(c.has_bootcount)?.then_some(c.bootcount),
        submods: submods.map(List::Items),
        ..Claims::default()
    };
    f(&claims)
}

/// The bytes of an OEM ID this API can carry (not a private enterprise number).
fn oemid_bytes<'a>(o: Option<OemId<'a>>) -> FfiResult<Option<&'a [u8]>> {
    match o {
        None => Ok(None),
        Some(OemId::Ieee(b) | OemId::Random(b)) => Ok(Some(b)),
        Some(OemId::Pen(_)) => Err(ecnpp_result::ECNPP_ERR_INVALID_CLAIM),
    }
}

/// Number of entries of an optional list.
fn count(l: Option<List<'_, Measurement<'_>>>) -> usize {
    l.map_or(0, |l| l.len())
}

/// Fills `storage` with `list` and returns the C pointer + length pair (NULL, 0 when absent).
fn fill(
    list: Option<List<'_, Measurement<'_>>>,
    storage: &mut [ecnpp_measurement],
) -> (*const ecnpp_measurement, usize) {
    let Some(list) = list else {
        return (core::ptr::null(), 0);
    };
    let mut n = 0usize;
    for (slot, m) in storage.iter_mut().zip(list.iter()) {
        *slot = ecnpp_measurement {
            content_type: m.content_type,
            content: ecnpp_bytes::from_slice(Some(m.content)),
        };
        n = n.saturating_add(1);
    }
    (storage.as_ptr(), n)
}

/// Writes verified ECN PP evidence claims (already through `ecnpp::validate_evidence`) in the C
/// shape. Measurements (the device's, then the TEE's) go into `storage`, which is written only
/// once every check has passed.
///
/// Errors: `ECNPP_ERR_INVALID_CLAIM` for evidence outside the C shape (several nonces, an
/// `oemid` given as an enterprise number, an `"se"` submodule without `dbgstat`),
/// `ECNPP_ERR_BUFFER_TOO_SMALL` when `storage` cannot hold every measurement.
pub(crate) fn evidence_claims_to_c(
    c: &Claims<'_>,
    storage: &mut [ecnpp_measurement],
) -> FfiResult<ecnpp_evidence_claims> {
    let invalid = ecnpp_result::ECNPP_ERR_INVALID_CLAIM;
    let nonce = match c.nonce {
        Some(NonceClaim::One(n)) => n.as_bytes(),
        Some(NonceClaim::Many(l)) if l.len() == 1 => {
            l.iter().next().map(|n| n.as_bytes()).ok_or(invalid)?
        }
        _ => return Err(invalid),
    };
    let se = match ecnpp::submodule(c, SUBMOD_SE) {
        Some(Submodule::Claims(se)) => Some(ecnpp_se_claims {
            oemid: ecnpp_bytes::from_slice(oemid_bytes(se.oemid)?),
            hwmodel: ecnpp_bytes::from_slice(se.hwmodel.map(|h| h.as_bytes())),
            dbgstat: dbgstat_to_c(se.dbgstat.ok_or(invalid)?),
        }),
        _ => None,
    };
    let tee_list = match ecnpp::submodule(c, SUBMOD_TEE) {
        Some(Submodule::Claims(tee)) => Some(tee.measurements),
        _ => None,
    };
    let device_n = count(c.measurements);
    let tee_n = count(tee_list.flatten());
    if device_n.saturating_add(tee_n) > storage.len() {
        return Err(ecnpp_result::ECNPP_ERR_BUFFER_TOO_SMALL);
    }
    let out = ecnpp_evidence_claims {
        nonce: ecnpp_bytes::from_slice(Some(nonce)),
        ueid: ecnpp_bytes::from_slice(c.ueid.map(|u| u.as_bytes())),
        oemid: ecnpp_bytes::from_slice(oemid_bytes(c.oemid)?),
        hwmodel: ecnpp_bytes::from_slice(c.hwmodel.map(|h| h.as_bytes())),
        swname: ecnpp_str::from_str(c.swname),
        swversion: ecnpp_str::from_str(c.swversion.map(|v| v.version)),
        pp_ref: ecnpp_str::from_str(c.pp_ref),
        oemboot: u8::from(c.oemboot.ok_or(invalid)?),
        dbgstat: dbgstat_to_c(c.dbgstat.ok_or(invalid)?),
        promise: promise_to_c(Some(c.promise.ok_or(invalid)?)),
        measurements: core::ptr::null(),
        measurements_len: 0,
        has_iat: u8::from(c.iat.is_some()),
        iat: c.iat.unwrap_or(0),
        has_lifecycle: u8::from(c.lifecycle.is_some()),
        lifecycle: c.lifecycle.map_or(0, lifecycle_to_c),
        has_svn: u8::from(c.svn.is_some()),
        svn: c.svn.unwrap_or(0),
        has_uptime: u8::from(c.uptime.is_some()),
        uptime: c.uptime.unwrap_or(0),
        has_bootcount: u8::from(c.bootcount.is_some()),
        bootcount: c.bootcount.unwrap_or(0),
        has_se: u8::from(se.is_some()),
        se: se.unwrap_or(ecnpp_se_claims {
            oemid: ecnpp_bytes::NONE,
            hwmodel: ecnpp_bytes::NONE,
            dbgstat: 0,
        }),
        has_tee: u8::from(tee_list.is_some()),
        tee: ecnpp_tee_claims {
            measurements: core::ptr::null(),
            measurements_len: 0,
        },
    };
    // Every check passed: only now is the caller's storage written.
    let (device, rest) = storage.split_at_mut(device_n);
    let (measurements, measurements_len) = fill(c.measurements, device);
    let (tee_ptr, tee_len) = fill(tee_list.flatten(), rest);
    Ok(ecnpp_evidence_claims {
        measurements,
        measurements_len,
        tee: ecnpp_tee_claims {
            measurements: tee_ptr,
            measurements_len: tee_len,
        },
        ..out
    })
}

/// A `Cell`-backed overlap detector for [`with_evidence_claims`]' `note`.
pub(crate) struct Overlap<'o> {
    out: &'o crate::args::OutBuf,
    hit: Cell<bool>,
}

impl<'o> Overlap<'o> {
    /// Watches for inputs overlapping `out`.
    pub(crate) const fn new(out: &'o crate::args::OutBuf) -> Self {
        Self {
            out,
            hit: Cell::new(false),
        }
    }

    /// Records one input range.
    pub(crate) fn note(&self, input: Span) {
        if self.out.overlaps(&input) {
            self.hit.set(true);
        }
    }

    /// `ECNPP_ERR_INVALID_ARGUMENT` when any input seen overlapped the output.
    pub(crate) fn check(&self) -> FfiResult {
        if self.hit.get() {
            Err(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::OutBuf;

    const OEM: [u8; 3] = [0, 0x1b, 0x44];

    /// A secure-element device's claims in C form, pointing at `fw`.
    fn c_claims(fw: &[ecnpp_measurement; 1]) -> ecnpp_evidence_claims {
        let b = |s: &'static [u8]| ecnpp_bytes {
            ptr: s.as_ptr(),
            len: s.len(),
        };
        let t = |s: &'static str| ecnpp_str::from_str(Some(s));
        ecnpp_evidence_claims {
            nonce: b(b"challenge-000001"),
            ueid: b(&[1; 17]),
            oemid: b(&OEM),
            hwmodel: b(b"edge-node-x1"),
            swname: t("edge-os"),
            swversion: t("4.2.1"),
            pp_ref: t("NSCIB-PP-0112146/1.0.7"),
            oemboot: 1,
            dbgstat: ECNPP_DBGSTAT_DISABLED_PERMANENTLY,
            promise: ECNPP_PROMISE_SECURE_ELEMENT,
            measurements: fw.as_ptr(),
            measurements_len: 1,
            has_iat: 0,
            iat: 0,
            has_lifecycle: 0,
            lifecycle: 0,
            has_svn: 0,
            svn: 0,
            has_uptime: 0,
            uptime: 0,
            has_bootcount: 0,
            bootcount: 0,
            has_se: 1,
            se: ecnpp_se_claims {
                oemid: b(&OEM),
                hwmodel: b(b"se-050"),
                dbgstat: ECNPP_DBGSTAT_DISABLED_FULLY_AND_PERMANENTLY,
            },
            has_tee: 0,
            tee: ecnpp_tee_claims {
                measurements: core::ptr::null(),
                measurements_len: 0,
            },
        }
    }

    fn fw() -> [ecnpp_measurement; 1] {
        [ecnpp_measurement {
            content_type: 0,
            content: ecnpp_bytes::from_slice(Some(&[0x11; 32])),
        }]
    }

    /// C claims to core and back, the overlap notes, and a misaligned array; no elliptic-curve
    /// arithmetic, so Miri checks the pointer handling in seconds.
    #[test]
    fn claims_round_trip_through_core() {
        let fw = fw();
        let c = c_claims(&fw);
        let mut storage = [ecnpp_measurement {
            content_type: 9,
            content: ecnpp_bytes::NONE,
        }; 2];
        let seen = Cell::new(0usize);
        // SAFETY: every pointer in `c` is valid for the call.
        let back = unsafe {
            with_evidence_claims(&c, &|_| seen.set(seen.get() + 1), |core| {
                ecnpp::validate_evidence(core)?;
                assert!(core.encoded_len().is_ok());
                evidence_claims_to_c(core, &mut storage)
            })
        }
        .unwrap();
        // nonce, ueid, oemid, hwmodel, 3 texts, the array and its content, se oemid + hwmodel
        assert_eq!(seen.get(), 11);
        assert_eq!(back.nonce.ptr, c.nonce.ptr);
        assert_eq!(back.swname.ptr, c.swname.ptr);
        assert_eq!((back.has_se, back.has_tee), (1, 0));
        assert_eq!(back.measurements, storage.as_ptr());
        assert_eq!(storage[0].content.ptr, fw[0].content.ptr);
        assert_eq!(storage[1].content_type, 9); // beyond what was needed: untouched

        // A measurement array that is not aligned for its type is refused, never read.
        let raw = [0u64; 8];
        let misaligned = raw
            .as_ptr()
            .cast::<u8>()
            .wrapping_add(1)
            .cast::<ecnpp_measurement>();
        let bad = ecnpp_evidence_claims {
            measurements: misaligned,
            ..c
        };
        // SAFETY: the misaligned pointer is checked before any read.
        let r = unsafe { with_evidence_claims(&bad, &|_| {}, |_| Ok(())) };
        assert_eq!(r, Err(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT));

        // An input range inside the output is seen by the overlap detector.
        let out_buf = OutBuf::new(fw[0].content.ptr.cast_mut(), 4).unwrap();
        let overlap = Overlap::new(&out_buf);
        // SAFETY: as above.
        unsafe { with_evidence_claims(&c, &|s| overlap.note(s), |_| Ok(())) }.unwrap();
        assert_eq!(
            overlap.check(),
            Err(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT)
        );
    }

    /// Evidence valid for the profile but outside the C shape is refused, and the caller's
    /// storage is written only on success.
    #[test]
    fn evidence_outside_the_c_shape() {
        let fw = [Measurement {
            content_type: 0,
            content: &[0x11; 32],
        }];
        let nonces = [
            Nonce::new(b"challenge-000001").unwrap(),
            Nonce::new(b"challenge-000002").unwrap(),
        ];
        let se = |dbgstat| Claims {
            oemid: Some(OemId::Ieee(&OEM)),
            hwmodel: Some(HwModel::new(b"se-050").unwrap()),
            dbgstat,
            ..Claims::default()
        };
        let se_ok = [NamedSubmodule {
            name: SUBMOD_SE,
            submodule: Submodule::Claims(se(Some(DebugStatus::DisabledPermanently))),
        }];
        let se_no_dbgstat = [NamedSubmodule {
            name: SUBMOD_SE,
            submodule: Submodule::Claims(se(None)),
        }];
        let base = Claims {
            eat_profile: Some(PROFILE),
            nonce: Some(NonceClaim::One(nonces[0])),
            ueid: Some(Ueid::new(&[1; 17]).unwrap()),
            oemid: Some(OemId::Ieee(&OEM)),
            hwmodel: Some(HwModel::new(b"m").unwrap()),
            swname: Some("os"),
            swversion: Some(Version {
                version: "1",
                scheme: Some(1),
            }),
            oemboot: Some(true),
            dbgstat: Some(DebugStatus::DisabledPermanently),
            promise: Some(Promise::Standard),
            pp_ref: Some("pp"),
            measurements: Some(List::Items(&fw)),
            submods: Some(List::Items(&se_ok)),
            ..Claims::default()
        };
        let mut storage = [ecnpp_measurement {
            content_type: 7,
            content: ecnpp_bytes::NONE,
        }; 1];
        let ok = evidence_claims_to_c(&base, &mut storage).unwrap();
        assert!(ok.swversion.len == 1 && ok.has_se == 1); // the version scheme is not reported
        let one = Claims {
            nonce: Some(NonceClaim::Many(List::Items(&nonces[..1]))),
            ..base
        };
        assert!(evidence_claims_to_c(&one, &mut storage).is_ok());
        storage[0].content_type = 7;
        let invalid = Some(ecnpp_result::ECNPP_ERR_INVALID_CLAIM);
        for bad in [
            Claims {
                nonce: Some(NonceClaim::Many(List::Items(&nonces))),
                ..base
            },
            Claims {
                oemid: Some(OemId::Pen(311)),
                ..base
            },
            Claims {
                submods: Some(List::Items(&se_no_dbgstat)),
                ..base
            },
        ] {
            assert_eq!(ecnpp::validate_evidence(&bad), Ok(()));
            assert_eq!(evidence_claims_to_c(&bad, &mut storage).err(), invalid);
        }
        assert_eq!(
            evidence_claims_to_c(&base, &mut []).err(),
            Some(ecnpp_result::ECNPP_ERR_BUFFER_TOO_SMALL)
        );
        assert_eq!(storage[0].content_type, 7);
    }

    #[test]
    fn c_values_are_the_wire_values() {
        for v in 0..=4 {
            let d = dbgstat_from_c(v).unwrap();
            assert_eq!(dbgstat_to_c(d), v);
            assert_eq!(DebugStatus::from_u64(u64::try_from(v).unwrap()), Ok(d));
        }
        for v in 1..=3 {
            let p = promise_from_c(v).unwrap();
            assert_eq!(promise_to_c(Some(p)), v);
        }
        for v in 1..=4 {
            assert_eq!(lifecycle_to_c(lifecycle_from_c(v).unwrap()), v);
        }
        for bad in [-1, 5, i32::MIN, i32::MAX] {
            assert!(dbgstat_from_c(bad).is_none() && lifecycle_from_c(bad).is_none());
        }
        for bad in [ECNPP_PROMISE_NONE, 4, -1] {
            assert!(promise_from_c(bad).is_none());
        }
    }

    /// `ECNPP_<ENUM>_<NAME>` for a registered name (`"disabled-since-boot"` gives
    /// `ECNPP_DBGSTAT_DISABLED_SINCE_BOOT`).
    fn c_name(prefix: &str, name: &str) -> String {
        format!("ECNPP_{prefix}_{}", name.to_uppercase().replace('-', "_"))
    }

    /// The header's enumeration constants are core's registered names and values, and what its
    /// docs say of claim keys and byte-string bounds is core's: read from the checked-in header
    /// (which the drift check ties to this crate), compared with core's tables.
    #[test]
    #[cfg_attr(miri, ignore = "reads a file; Miri isolates the file system")]
    fn the_header_states_cores_facts() {
        let header = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../include/ecnpp_attest.h"
        ))
        .unwrap();
        let defines: Vec<(&str, &str)> = header
            .lines()
            .filter_map(|l| l.strip_prefix("#define ECNPP_")?.split_once(' '))
            .collect();
        // (C name, value) of the header's constants with `prefix`, against core's registered
        // names and values (`ECNPP_PROMISE_NONE` is the C API's own "no promise").
        let check = |prefix: &str, core: Vec<(&str, u64)>| {
            let ours: Vec<(String, String)> = defines
                .iter()
                .filter(|(n, _)| n.starts_with(&format!("{prefix}_")) && *n != "PROMISE_NONE")
                .map(|(n, v)| (format!("ECNPP_{n}"), (*v).to_string()))
                .collect();
            let core: Vec<(String, String)> = core
                .into_iter()
                .map(|(n, v)| (c_name(prefix, n), v.to_string()))
                .collect();
            assert_eq!(ours, core, "{prefix}");
        };
        check(
            "DBGSTAT",
            DebugStatus::ALL
                .iter()
                .map(|d| (d.name(), d.value()))
                .collect(),
        );
        check(
            "PROMISE",
            Promise::ALL.iter().map(|p| (p.name(), p.value())).collect(),
        );
        check(
            "LIFECYCLE",
            Lifecycle::ALL
                .iter()
                .map(|l| (l.name(), l.value()))
                .collect(),
        );
        for d in DebugStatus::ALL {
            assert_eq!(dbgstat_from_c(dbgstat_to_c(*d)), Some(*d));
        }
        for p in Promise::ALL {
            assert_eq!(promise_from_c(promise_to_c(Some(*p))), Some(*p));
        }
        for l in Lifecycle::ALL {
            assert_eq!(lifecycle_from_c(lifecycle_to_c(*l)), Some(*l));
        }

        // Every "`name` (key)" the header's docs write names core's key for that claim.
        let mut claims_named = 0;
        for piece in header.split('`').collect::<Vec<_>>().windows(2) {
            let [name, after] = piece else { continue };
            let Some(k) = ecnpp_attest::eat::claim_key(name) else {
                continue;
            };
            if let Some(rest) = after.strip_prefix(" (") {
                let number = rest.split(')').next().unwrap();
                if let Ok(n) = number.parse::<i64>() {
                    assert_eq!(n, k, "header says `{name}` ({number})");
                    claims_named += 1;
                }
            }
        }
        assert!(claims_named > 10, "{claims_named}");
        for (claim, min, max) in [
            (
                "`nonce` (10), required: the verifier's challenge,",
                Nonce::MIN_LEN,
                Nonce::MAX_LEN,
            ),
            ("`ueid` (256), required:", Ueid::MIN_LEN, Ueid::MAX_LEN),
            (
                "`hwmodel` (259), required:",
                HwModel::MIN_LEN,
                HwModel::MAX_LEN,
            ),
            (
                "The secure element's model,",
                HwModel::MIN_LEN,
                HwModel::MAX_LEN,
            ),
        ] {
            assert!(
                header.contains(&format!("{claim} {min} to {max} bytes")),
                "{claim} {min} to {max}"
            );
        }
        let depth = ecnpp_attest::cbor::MAX_DEPTH;
        let entries = ecnpp_attest::cbor::MAX_MAP_ENTRIES;
        assert!(header.contains(&format!("deeper than the documented bound ({depth})")));
        assert!(header.contains(&format!("the documented number of entries ({entries})")));
    }
}
