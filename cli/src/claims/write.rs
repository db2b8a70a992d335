//! The library's `Claims` written as JSON, by claim name, in full or shortened for printing.

use super::*;

/// How much of a claims set the JSON holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Form {
    /// Everything: the JSON claims format, which `sign --claims` reads back.
    Full,
    /// What is printed (`--json`): strings and lists cut at the bounds of [`crate::render`],
    /// with fields that say so. A string longer than [`SHOWN_BYTES`] bytes becomes
    /// `{"hex": "<first 64 bytes>", "bytes": N, "shortened": true}` (a byte string) or
    /// `{"text": "<first 64 bytes>", "bytes": N, "shortened": true}` (a text string); a map or
    /// array cut short gets a `"(omitted)": N` member or a last element `{"(omitted)": N}`.
    /// `sign` refuses such values, so a shortened listing is never signed by mistake.
    Shown,
    /// As [`Form::Shown`], and an unnamed claim's value as `{"diag": "<diagnostic notation>"}`
    /// (for the text listing of [`crate::render::render_claims`]).
    Listing,
}

/// Writes claims as JSON in one [`Form`], counting what it shows against one [`Budget`].
pub(super) struct ToJson {
    form: Form,
    budget: Budget,
}

/// Inserts `v` under `k`, or under `k#2`, `k#3`, ... when shortening made two names equal.
pub(super) fn insert_unique(m: &mut Map<String, Value>, k: String, v: Value) {
    let mut key = k.clone();
    let mut n = 1u32;
    while m.contains_key(&key) {
        n = n.saturating_add(1);
        key = format!("{k}#{n}");
    }
    m.insert(key, v);
}

impl ToJson {
    const fn new(form: Form) -> Self {
        Self {
            form,
            budget: Budget::new(),
        }
    }

    /// True when values are written whole.
    fn full(&self) -> bool {
        self.form == Form::Full
    }

    /// A byte string: hex.
    fn bytes(&self, b: &[u8]) -> Value {
        if self.full() {
            Value::String(hex::encode(b))
        } else {
            hex_json(b)
        }
    }

    /// A text string.
    fn text(&self, t: &str) -> Value {
        if self.full() { json!(t) } else { text_json(t) }
    }

    /// A text string used as a member name (submodule and ueid names, text labels).
    fn name(&self, t: &str) -> String {
        if self.full() {
            t.to_string()
        } else {
            name_shown(t)
        }
    }

    /// Bytes that read as text (hwmodel) as `{"text": ...}`, which reads back the same.
    fn bytes_or_text(&self, b: &[u8]) -> Value {
        match std::str::from_utf8(b) {
            Ok(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic() || c == ' ') => {
                match self.text(s) {
                    Value::String(s) => json!({ "text": s }),
                    shortened => shortened,
                }
            }
            _ => self.bytes(b),
        }
    }

    /// An array of `len` items, cut at the bounds.
    fn array<T>(
        &self,
        len: usize,
        items: impl Iterator<Item = T>,
        f: impl Fn(T) -> Value,
    ) -> Value {
        if self.full() {
            return Value::Array(items.map(f).collect());
        }
        let mut out = Vec::new();
        for item in items {
            if !self.budget.allows(out.len()) {
                break;
            }
            self.budget.take();
            out.push(f(item));
        }
        if len > out.len() {
            out.push(json!({ OMITTED: len - out.len() }));
        }
        Value::Array(out)
    }

    /// An object of `len` members, cut at the bounds.
    fn object<T>(
        &self,
        len: usize,
        items: impl Iterator<Item = T>,
        f: impl Fn(T) -> (String, Value),
    ) -> Value {
        if self.full() {
            return Value::Object(items.map(f).collect());
        }
        let mut out = Map::new();
        let mut shown = 0;
        for item in items {
            if !self.budget.allows(shown) {
                break;
            }
            self.budget.take();
            shown += 1;
            let (k, v) = f(item);
            insert_unique(&mut out, k, v);
        }
        if len > shown {
            insert_unique(&mut out, OMITTED.to_string(), json!(len - shown));
        }
        Value::Object(out)
    }

    fn version(&self, v: &Version<'_>) -> Value {
        match v.scheme {
            None => self.text(v.version),
            Some(s) => json!([self.text(v.version), s]),
        }
    }

    fn measurements(&self, l: List<'_, Measurement<'_>>) -> Value {
        self.array(l.len(), l.iter(), |m| {
            json!([m.content_type, self.bytes(m.content)])
        })
    }

    /// The `eat_profile`: a dotted OID or the URI.
    fn profile(&self, p: &Profile<'_>) -> Value {
        match p {
            Profile::Uri(u) => self.text(u),
            Profile::Oid(o) => oid_to_text(o)
                .filter(|t| self.full() || o.len() <= SHOWN_BYTES || t.len() <= SHOWN_BYTES)
                .map_or_else(|| json!({ "oid-bytes": self.bytes(o) }), Value::String),
        }
    }

    /// An unnamed claim's value: hex of its CBOR, or (listing) its diagnostic notation.
    fn raw(&self, value: &RawValue<'_>) -> Value {
        let bytes = value.as_bytes();
        if self.form == Form::Listing
            && let Some(item) = read_exact(bytes)
        {
            return json!({ "diag": diag_within(&item, &self.budget) });
        }
        self.bytes(bytes)
    }

    fn submodule(&self, s: &NamedSubmodule<'_>) -> (String, Value) {
        let v = match s.submodule {
            Submodule::Claims(inner) => self.claims(&inner),
            Submodule::Token(t) => self.bytes(t.as_bytes()),
            Submodule::Digest { alg, digest } => match alg {
                Label::Int(a) => json!([a, self.bytes(digest)]),
                Label::Text(a) => json!([self.text(a), self.bytes(digest)]),
            },
        };
        (self.name(s.name), v)
    }

    fn measres(&self, l: List<'_, MeasResGroup<'_>>) -> Value {
        self.array(l.len(), l.iter(), |g| {
            let results = self.array(g.results.len(), g.results.iter(), |r| {
                let id = match r.id {
                    ResultId::Text(t) => match self.text(t) {
                        Value::String(t) => json!({ "text": t }),
                        shortened => shortened,
                    },
                    ResultId::Bytes(b) => self.bytes(b),
                };
                json!([id, r.result.name()])
            });
            json!([self.text(g.system), results])
        })
    }

    /// A claims set (one member per claim present, in key order).
    #[allow(clippy::too_many_lines)] // one arm per claim, in key order
    fn claims(&self, c: &Claims<'_>) -> Value {
        let mut m = Map::new();
        let mut omitted = 0usize;
        // The value is made only when there is budget left to show it.
        let mut put = |k: i64, v: &dyn Fn() -> Value| {
            if !self.full() && !self.budget.take() {
                omitted += 1;
                return;
            }
            if let Some(n) = claim_name(k) {
                m.insert(n.to_string(), v());
            }
        };
        if let Some(v) = c.iss {
            put(key::ISS, &|| self.text(v));
        }
        if let Some(v) = c.sub {
            put(key::SUB, &|| self.text(v));
        }
        if let Some(v) = c.aud {
            put(key::AUD, &|| self.text(v));
        }
        if let Some(v) = c.exp {
            put(key::EXP, &|| json!(v));
        }
        if let Some(v) = c.nbf {
            put(key::NBF, &|| json!(v));
        }
        if let Some(v) = c.iat {
            put(key::IAT, &|| json!(v));
        }
        if let Some(v) = c.cti {
            put(key::CTI, &|| self.bytes(v));
        }
        match c.nonce {
            Some(NonceClaim::One(n)) => put(key::NONCE, &|| self.bytes(n.as_bytes())),
            Some(NonceClaim::Many(l)) => put(key::NONCE, &|| {
                self.array(l.len(), l.iter(), |n| self.bytes(n.as_bytes()))
            }),
            None => {}
        }
        if let Some(v) = c.ueid {
            put(key::UEID, &|| self.bytes(v.as_bytes()));
        }
        if let Some(l) = c.sueids {
            put(key::SUEIDS, &|| {
                self.object(l.len(), l.iter(), |u| {
                    (self.name(u.name), self.bytes(u.ueid.as_bytes()))
                })
            });
        }
        match c.oemid {
            Some(OemId::Random(b) | OemId::Ieee(b)) => put(key::OEMID, &|| self.bytes(b)),
            Some(OemId::Pen(p)) => put(key::OEMID, &|| json!(p)),
            None => {}
        }
        if let Some(v) = c.hwmodel {
            put(key::HWMODEL, &|| self.bytes_or_text(v.as_bytes()));
        }
        if let Some(v) = c.hwversion {
            put(key::HWVERSION, &|| self.version(&v));
        }
        if let Some(v) = c.uptime {
            put(key::UPTIME, &|| json!(v));
        }
        if let Some(v) = c.oemboot {
            put(key::OEMBOOT, &|| json!(v));
        }
        if let Some(v) = c.dbgstat {
            put(key::DBGSTAT, &|| json!(v.name()));
        }
        if let Some(l) = c.location {
            let mut o = Map::new();
            o.insert("latitude".into(), float_json(l.latitude));
            o.insert("longitude".into(), float_json(l.longitude));
            for (n, v) in [
                ("altitude", l.altitude),
                ("accuracy", l.accuracy),
                ("altitude_accuracy", l.altitude_accuracy),
                ("heading", l.heading),
                ("speed", l.speed),
            ] {
                if let Some(v) = v {
                    o.insert(n.into(), float_json(v));
                }
            }
            if let Some(t) = l.timestamp {
                o.insert("timestamp".into(), json!(t));
            }
            if let Some(a) = l.age {
                o.insert("age".into(), json!(a));
            }
            put(key::LOCATION, &|| Value::Object(o.clone()));
        }
        if let Some(p) = c.eat_profile {
            put(key::EAT_PROFILE, &|| self.profile(&p));
        }
        if let Some(l) = c.submods {
            put(key::SUBMODS, &|| {
                self.object(l.len(), l.iter(), |s| self.submodule(&s))
            });
        }
        if let Some(v) = c.exi {
            put(key::EXI, &|| json!(v));
        }
        if let Some(v) = c.bootcount {
            put(key::BOOTCOUNT, &|| json!(v));
        }
        if let Some(v) = c.bootseed {
            put(key::BOOTSEED, &|| self.bytes(v));
        }
        if let Some(l) = c.dloas {
            put(key::DLOAS, &|| {
                self.array(l.len(), l.iter(), |d| {
                    let (r, p) = (self.text(d.registrar), self.text(d.platform));
                    match d.application {
                        Some(a) => json!([r, p, self.text(a)]),
                        None => json!([r, p]),
                    }
                })
            });
        }
        if let Some(v) = c.swname {
            put(key::SWNAME, &|| self.text(v));
        }
        if let Some(v) = c.swversion {
            put(key::SWVERSION, &|| self.version(&v));
        }
        if let Some(l) = c.manifests {
            put(key::MANIFESTS, &|| self.measurements(l));
        }
        if let Some(l) = c.measurements {
            put(key::MEASUREMENTS, &|| self.measurements(l));
        }
        if let Some(l) = c.measres {
            put(key::MEASRES, &|| self.measres(l));
        }
        if let Some(v) = c.intuse {
            put(key::INTUSE, &|| json!(v.name()));
        }
        if let Some(v) = c.promise {
            put(key::ECNPP_PROMISE, &|| json!(v.name()));
        }
        if let Some(v) = c.pp_ref {
            put(key::ECNPP_PP_REF, &|| self.text(v));
        }
        if let Some(v) = c.evaluated_config {
            put(key::ECNPP_EVALUATED_CONFIG, &|| json!(v));
        }
        if let Some(v) = c.lifecycle {
            put(key::ECNPP_LIFECYCLE, &|| json!(v.name()));
        }
        if let Some(v) = c.svn {
            put(key::ECNPP_SVN, &|| json!(v));
        }
        if let Some(l) = c.robustness {
            put(key::ECNPP_ROBUSTNESS, &|| {
                self.array(l.len(), l.iter(), |r| {
                    json!([self.text(r.scheme), self.text(r.level)])
                })
            });
        }
        if !c.extra.is_empty() {
            if self.full() || self.budget.take() {
                let extra = self.object(c.extra.len(), c.extra.iter(), |(label, value)| {
                    let k = match label {
                        Label::Int(k) => k.to_string(),
                        Label::Text(t) => self.name(t),
                    };
                    (k, self.raw(&value))
                });
                m.insert(EXTRA.into(), extra);
            } else {
                omitted += 1;
            }
        }
        if omitted > 0 {
            insert_unique(&mut m, OMITTED.to_string(), json!(omitted));
        }
        Value::Object(m)
    }
}

/// A float as JSON (non-finite values, which JSON lacks, as strings).
pub(super) fn float_json(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or_else(|| json!(f.to_string()), Value::Number)
}

/// A decoded or built claims set in the JSON claims format, whole (what `sign --claims` reads).
pub(crate) fn claims_to_json(c: &Claims<'_>) -> Value {
    ToJson::new(Form::Full).claims(c)
}

/// The claims as `--json` output prints them: the JSON claims format with long strings and
/// lists cut at the bounds of [`crate::render`], each cut said in a field (see [`Form::Shown`]).
pub(crate) fn claims_to_json_shown(c: &Claims<'_>) -> Value {
    ToJson::new(Form::Shown).claims(c)
}

/// The claims for [`crate::render::render_claims`]: as [`claims_to_json_shown`], with unnamed
/// claims in diagnostic notation.
pub(crate) fn claims_listing(c: &Claims<'_>) -> Value {
    ToJson::new(Form::Listing).claims(c)
}
