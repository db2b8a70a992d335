//! Claims files (JSON) read into the library's `Claims`, with the path of every mistake.

use super::*;

impl<'a> Reader<'a> {
    /// A JSON object's members.
    pub(crate) fn object(v: &'a Value, path: &str) -> R<&'a Map<String, Value>> {
        v.as_object().ok_or_else(|| expected(path, "an object", v))
    }

    /// A JSON array's elements.
    pub(crate) fn array(v: &'a Value, path: &str) -> R<&'a [Value]> {
        v.as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| expected(path, "an array", v))
    }

    /// A text string, borrowed from the JSON.
    pub(crate) fn text(v: &'a Value, path: &str) -> R<&'a str> {
        v.as_str().ok_or_else(|| expected(path, "a string", v))
    }

    /// A boolean.
    pub(crate) fn bool(v: &Value, path: &str) -> R<bool> {
        v.as_bool()
            .ok_or_else(|| expected(path, "true or false", v))
    }

    /// A signed integer.
    pub(crate) fn int(v: &Value, path: &str) -> R<i64> {
        v.as_i64()
            .ok_or_else(|| expected(path, "an integer (64-bit signed)", v))
    }

    /// An unsigned integer.
    pub(crate) fn uint(v: &Value, path: &str) -> R<u64> {
        v.as_u64()
            .ok_or_else(|| expected(path, "an unsigned integer", v))
    }

    /// Epoch seconds, or `"now"`, `"now+N"`, `"now-N"`.
    pub(crate) fn time(&self, v: &Value, path: &str) -> R<i64> {
        if let Some(s) = v.as_str() {
            let offset = match s.strip_prefix("now") {
                Some("") => Some(0),
                Some(rest) => rest
                    .strip_prefix('+')
                    .and_then(|n| n.parse::<i64>().ok())
                    .or_else(|| {
                        rest.strip_prefix('-')
                            .and_then(|n| n.parse::<i64>().ok())
                            .map(|n| -n)
                    }),
                None => None,
            };
            return offset
                .map(|o| self.now.saturating_add(o))
                .ok_or_else(|| format!("{path}: expected epoch seconds, \"now\" or \"now+N\""));
        }
        v.as_i64()
            .ok_or_else(|| expected(path, "epoch seconds or \"now\"", v))
    }

    /// A byte string: hex text, or `{"text": "..."}` for UTF-8 bytes.
    pub(crate) fn bytes(&self, v: &'a Value, path: &str) -> R<&'a [u8]> {
        match v {
            Value::String(s) => {
                let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
                let raw = hex::decode(&compact).map_err(|e| {
                    format!(
                        "{path}: not hex ({e}); write text as {{\"text\": \"{}\"}}",
                        s.chars().take(24).collect::<String>()
                    )
                })?;
                Ok(self.bump.alloc_slice_copy(&raw))
            }
            Value::Object(m) if m.len() == 1 => match m.get("text") {
                Some(Value::String(t)) => Ok(t.as_bytes()),
                _ => Err(format!(
                    "{path}: expected a hex string or {{\"text\": \"...\"}}"
                )),
            },
            _ => Err(expected(path, "a hex string or {\"text\": \"...\"}", v)),
        }
    }

    fn slice<T: Copy>(&self, items: &[T]) -> &'a [T] {
        self.bump.alloc_slice_copy(items)
    }

    /// A non-empty list from a JSON array.
    fn list<T: Copy>(
        &self,
        v: &'a Value,
        path: &str,
        f: impl Fn(&Self, &'a Value, &str) -> R<T>,
    ) -> R<&'a [T]> {
        let arr = Self::array(v, path)?;
        if arr.is_empty() {
            return Err(format!("{path}: must not be empty"));
        }
        let items = arr
            .iter()
            .enumerate()
            .map(|(i, x)| f(self, x, &format!("{path}[{i}]")))
            .collect::<R<Vec<T>>>()?;
        Ok(self.slice(&items))
    }

    fn pair(v: &'a Value, path: &str, what: &str) -> R<(&'a Value, &'a Value)> {
        match Self::array(v, path)? {
            [a, b] => Ok((a, b)),
            _ => Err(format!("{path}: expected {what}")),
        }
    }

    /// A dotted OID or a URI.
    pub(crate) fn profile(&self, v: &'a Value, path: &str) -> R<Profile<'a>> {
        let s = Self::text(v, path)?;
        if s.contains(':') {
            return Ok(Profile::Uri(s));
        }
        let oid = oid_to_bytes(s).ok_or_else(|| {
            format!("{path}: \"{s}\" is neither a dotted OID nor a URI (the ECN PP profile is {PROFILE_OID_TEXT})")
        })?;
        Ok(Profile::Oid(self.slice(&oid)))
    }

    fn version(v: &'a Value, path: &str) -> R<Version<'a>> {
        match v {
            Value::String(s) => Ok(Version {
                version: s,
                scheme: None,
            }),
            Value::Array(a) => match a.as_slice() {
                [ver, scheme] => Ok(Version {
                    version: Self::text(ver, &format!("{path}[0]"))?,
                    scheme: Some(Self::int(scheme, &format!("{path}[1]"))?),
                }),
                _ => Err(format!("{path}: expected \"1.2.3\" or [\"1.2.3\", scheme]")),
            },
            _ => Err(expected(path, "a version string or [version, scheme]", v)),
        }
    }

    fn measurement(&self, v: &'a Value, path: &str) -> R<Measurement<'a>> {
        let (t, c) = Self::pair(v, path, "[content-format, \"hex\"]")?;
        let content_type = u16::try_from(Self::uint(t, &format!("{path}[0]"))?)
            .map_err(|_| format!("{path}[0]: a CoAP content format is at most 65535"))?;
        Ok(Measurement {
            content_type,
            content: self.bytes(c, &format!("{path}[1]"))?,
        })
    }

    fn location(v: &'a Value, path: &str) -> R<Location> {
        let m = Self::object(v, path)?;
        let mut loc = Location::default();
        let num = |x: &Value, p: &str| x.as_f64().ok_or_else(|| expected(p, "a number", x));
        let (mut lat, mut lon) = (false, false);
        for (k, x) in m {
            let p = join(path, k);
            match k.as_str() {
                "latitude" => (loc.latitude, lat) = (num(x, &p)?, true),
                "longitude" => (loc.longitude, lon) = (num(x, &p)?, true),
                "altitude" => loc.altitude = Some(num(x, &p)?),
                "accuracy" => loc.accuracy = Some(num(x, &p)?),
                "altitude_accuracy" => loc.altitude_accuracy = Some(num(x, &p)?),
                "heading" => loc.heading = Some(num(x, &p)?),
                "speed" => loc.speed = Some(num(x, &p)?),
                "timestamp" => loc.timestamp = Some(Self::int(x, &p)?),
                "age" => loc.age = Some(Self::uint(x, &p)?),
                other => return Err(format!("{path}: unknown location field \"{other}\"")),
            }
        }
        if lat && lon {
            Ok(loc)
        } else {
            Err(format!("{path}: latitude and longitude are required"))
        }
    }

    fn submodule(&self, v: &'a Value, path: &str, depth: usize) -> R<Submodule<'a>> {
        match v {
            Value::Object(_) => Ok(Submodule::Claims(self.claims_at(v, path, depth + 1)?)),
            Value::String(_) => {
                let t = NestedToken::new(self.bytes(v, path)?).map_err(|e| {
                    format!(
                        "{path}: not a nested token (a tag-18 COSE_Sign1, or a tag-61 CWT around \
                         one) in hex ({})",
                        crate::fail::explain(e)
                    )
                })?;
                Ok(Submodule::Token(t))
            }
            Value::Array(a) => match a.as_slice() {
                [alg, digest] => Ok(Submodule::Digest {
                    alg: match alg {
                        Value::String(s) => Label::Text(s),
                        other => Label::Int(Self::int(other, &format!("{path}[0]"))?),
                    },
                    digest: self.bytes(digest, &format!("{path}[1]"))?,
                }),
                _ => Err(format!("{path}: a digest submodule is [alg, \"hex\"]")),
            },
            _ => Err(expected(
                path,
                "a claims object, a hex nested token or [alg, \"hex digest\"]",
                v,
            )),
        }
    }

    fn meas_result(&self, v: &'a Value, path: &str) -> R<MeasResult<'a>> {
        let (id, res) = Self::pair(v, path, "[id, result]")?;
        let id = match id {
            Value::Object(m) if m.contains_key("text") => ResultId::Text(
                m.get("text")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{path}[0]: expected {{\"text\": \"...\"}}"))?,
            ),
            other => ResultId::Bytes(self.bytes(other, &format!("{path}[0]"))?),
        };
        let result = enum_value(res, &format!("{path}[1]"))?;
        Ok(MeasResult { id, result })
    }

    /// A robustness entry `[scheme, level]`.
    pub(crate) fn robustness(v: &'a Value, path: &str) -> R<Robustness<'a>> {
        let (scheme, level) = Self::pair(v, path, "[\"scheme\", \"level\"]")?;
        Ok(Robustness {
            scheme: Self::text(scheme, &format!("{path}[0]"))?,
            level: Self::text(level, &format!("{path}[1]"))?,
        })
    }

    /// A list of robustness entries (may be empty: a policy lists none for some configs).
    pub(crate) fn robustness_list(&self, v: &'a Value, path: &str) -> R<&'a [Robustness<'a>]> {
        let items = Self::array(v, path)?
            .iter()
            .enumerate()
            .map(|(i, x)| Self::robustness(x, &format!("{path}[{i}]")))
            .collect::<R<Vec<_>>>()?;
        Ok(self.slice(&items))
    }

    /// A list of measurements (may be empty).
    pub(crate) fn measurement_list(&self, v: &'a Value, path: &str) -> R<&'a [Measurement<'a>]> {
        let items = Self::array(v, path)?
            .iter()
            .enumerate()
            .map(|(i, x)| self.measurement(x, &format!("{path}[{i}]")))
            .collect::<R<Vec<_>>>()?;
        Ok(self.slice(&items))
    }

    /// An `oemid`: 3 (IEEE OUI) or 16 (random) bytes in hex, or a number (IANA PEN).
    pub(crate) fn oemid(&self, v: &'a Value, path: &str) -> R<OemId<'a>> {
        match v {
            Value::Number(_) => Ok(OemId::Pen(Self::uint(v, path)?)),
            _ => {
                let b = self.bytes(v, path)?;
                OemId::from_bytes(b).map_err(|_| {
                    format!(
                        "{path}: an oemid is 3 bytes (IEEE OUI), 16 bytes (random) or a number \
                         (IANA PEN); this one has {} bytes",
                        b.len()
                    )
                })
            }
        }
    }

    /// A top-level claims object.
    pub(crate) fn claims(&self, v: &'a Value) -> R<Claims<'a>> {
        self.claims_at(v, "", 0)
    }

    #[allow(clippy::too_many_lines)] // one arm per claim: splitting it would only scatter them
    fn claims_at(&self, v: &'a Value, path: &str, depth: usize) -> R<Claims<'a>> {
        if depth > MAX_SUBMODULE_DEPTH {
            return Err(format!(
                "{path}: submodules nested too deeply (at most {MAX_SUBMODULE_DEPTH} levels)"
            ));
        }
        let shown = if path.is_empty() { "the claims" } else { path };
        let m = Self::object(v, shown)?;
        let mut c = Claims::default();
        for (name, x) in m {
            let p = join(path, name);
            let p = p.as_str();
            let size = |what: &str, min: usize, max: usize, len: usize| {
                format!("{p}: {what} is {min} to {max} bytes; this one has {len}")
            };
            match claim_key(name) {
                Some(key::ISS) => c.iss = Some(Self::text(x, p)?),
                Some(key::SUB) => c.sub = Some(Self::text(x, p)?),
                Some(key::AUD) => c.aud = Some(Self::text(x, p)?),
                Some(key::EXP) => c.exp = Some(self.time(x, p)?),
                Some(key::NBF) => c.nbf = Some(self.time(x, p)?),
                Some(key::IAT) => c.iat = Some(self.time(x, p)?),
                Some(key::CTI) => c.cti = Some(self.bytes(x, p)?),
                Some(key::NONCE) => {
                    let one = |r: &Self, y: &'a Value, q: &str| {
                        let b = r.bytes(y, q)?;
                        Nonce::new(b)
                            .map_err(|_| size("a nonce", Nonce::MIN_LEN, Nonce::MAX_LEN, b.len()))
                    };
                    c.nonce = Some(match x {
                        Value::Array(_) => NonceClaim::Many(List::Items(self.list(x, p, one)?)),
                        _ => NonceClaim::One(one(self, x, p)?),
                    });
                }
                Some(key::UEID) => {
                    let b = self.bytes(x, p)?;
                    c.ueid = Some(
                        Ueid::new(b)
                            .map_err(|_| size("a ueid", Ueid::MIN_LEN, Ueid::MAX_LEN, b.len()))?,
                    );
                }
                Some(key::SUEIDS) => {
                    let items = Self::object(x, p)?
                        .iter()
                        .map(|(n, y)| {
                            let b = self.bytes(y, &join(p, n))?;
                            Ok(NamedUeid {
                                name: n,
                                ueid: Ueid::new(b).map_err(|_| {
                                    size("a ueid", Ueid::MIN_LEN, Ueid::MAX_LEN, b.len())
                                })?,
                            })
                        })
                        .collect::<R<Vec<_>>>()?;
                    if items.is_empty() {
                        return Err(format!("{p}: must not be empty"));
                    }
                    c.sueids = Some(List::Items(self.slice(&items)));
                }
                Some(key::OEMID) => c.oemid = Some(self.oemid(x, p)?),
                Some(key::HWMODEL) => {
                    let b = self.bytes(x, p)?;
                    c.hwmodel = Some(HwModel::new(b).map_err(|_| {
                        size("a hwmodel", HwModel::MIN_LEN, HwModel::MAX_LEN, b.len())
                    })?);
                }
                Some(key::HWVERSION) => c.hwversion = Some(Self::version(x, p)?),
                Some(key::UPTIME) => c.uptime = Some(Self::uint(x, p)?),
                Some(key::OEMBOOT) => c.oemboot = Some(Self::bool(x, p)?),
                Some(key::DBGSTAT) => c.dbgstat = Some(enum_value(x, p)?),
                Some(key::LOCATION) => c.location = Some(Self::location(x, p)?),
                Some(key::EAT_PROFILE) => c.eat_profile = Some(self.profile(x, p)?),
                Some(key::SUBMODS) => {
                    let items = Self::object(x, p)?
                        .iter()
                        .map(|(n, y)| {
                            Ok(NamedSubmodule {
                                name: n,
                                submodule: self.submodule(y, &join(p, n), depth)?,
                            })
                        })
                        .collect::<R<Vec<_>>>()?;
                    if items.is_empty() {
                        return Err(format!("{p}: must not be empty"));
                    }
                    c.submods = Some(List::Items(self.slice(&items)));
                }
                Some(key::BOOTCOUNT) => c.bootcount = Some(Self::uint(x, p)?),
                Some(key::EXI) => c.exi = Some(Self::uint(x, p)?),
                Some(key::BOOTSEED) => c.bootseed = Some(self.bytes(x, p)?),
                Some(key::DLOAS) => {
                    c.dloas = Some(List::Items(self.list(x, p, |_, y, q| {
                        let a = Self::array(y, q)?;
                        let t = |i: usize| -> R<&'a str> {
                            Self::text(a.get(i).unwrap_or(&Value::Null), &format!("{q}[{i}]"))
                        };
                        match a.len() {
                            2 | 3 => Ok(Dloa {
                                registrar: t(0)?,
                                platform: t(1)?,
                                application: if a.len() == 3 { Some(t(2)?) } else { None },
                            }),
                            _ => Err(format!("{q}: expected [registrar, platform, application?]")),
                        }
                    })?));
                }
                Some(key::SWNAME) => c.swname = Some(Self::text(x, p)?),
                Some(key::SWVERSION) => c.swversion = Some(Self::version(x, p)?),
                Some(key::MANIFESTS) => {
                    c.manifests = Some(List::Items(self.list(x, p, Self::measurement)?));
                }
                Some(key::MEASUREMENTS) => {
                    c.measurements = Some(List::Items(self.list(x, p, Self::measurement)?));
                }
                Some(key::MEASRES) => {
                    c.measres = Some(List::Items(self.list(x, p, |r, y, q| {
                        let (system, results) = Self::pair(y, q, "[system, [results]]")?;
                        Ok(MeasResGroup {
                            system: Self::text(system, &format!("{q}[0]"))?,
                            results: List::Items(r.list(
                                results,
                                &format!("{q}[1]"),
                                Self::meas_result,
                            )?),
                        })
                    })?));
                }
                Some(key::INTUSE) => c.intuse = Some(enum_value(x, p)?),
                Some(key::ECNPP_PROMISE) => c.promise = Some(enum_value(x, p)?),
                Some(key::ECNPP_PP_REF) => c.pp_ref = Some(Self::text(x, p)?),
                Some(key::ECNPP_EVALUATED_CONFIG) => c.evaluated_config = Some(Self::bool(x, p)?),
                Some(key::ECNPP_LIFECYCLE) => c.lifecycle = Some(enum_value(x, p)?),
                Some(key::ECNPP_SVN) => c.svn = Some(Self::uint(x, p)?),
                Some(key::ECNPP_ROBUSTNESS) => {
                    c.robustness = Some(List::Items(
                        self.list(x, p, |_, y, q| Self::robustness(y, q))?,
                    ));
                }
                None if name == EXTRA => c.extra = self.extra(x, p)?,
                Some(k) => {
                    return Err(format!(
                        "{p}: claim {k} is not readable from JSON in this version; write it in \
                         \"{EXTRA}\" by key"
                    ));
                }
                None => {
                    let other = name.as_str();
                    let names = CLAIM_NAMES.iter().map(|(_, n)| *n).chain([EXTRA]);
                    return Err(format!(
                        "{p}: unknown claim name \"{other}\"{}; claims without a name go in \
                         \"extra\" by key",
                        suggestion(other, names)
                    ));
                }
            }
        }
        Ok(c)
    }

    fn extra(&self, v: &'a Value, path: &str) -> R<Extra<'a>> {
        let items = Self::object(v, path)?
            .iter()
            .map(|(label, x)| {
                let p = join(path, label);
                let label = match label.parse::<i64>() {
                    Ok(k) => {
                        if let Some(n) = claim_name(k) {
                            return Err(format!("{p}: claim {k} has a name: write it as \"{n}\""));
                        }
                        Label::Int(k)
                    }
                    Err(_) => Label::Text(label),
                };
                let raw = self.bytes(x, &p)?;
                let value = RawValue::new(raw).map_err(|e| {
                    format!(
                        "{p}: not one deterministic CBOR item in hex ({})",
                        crate::fail::explain(e)
                    )
                })?;
                Ok((label, value))
            })
            .collect::<R<Vec<_>>>()?;
        Ok(Extra::Items(self.slice(&items)))
    }
}

// ---------------------------------------------------------------------------------------------
// Claims -> JSON
// ---------------------------------------------------------------------------------------------
