//! Submodules (RFC 9711 §4.2.18): a claims set, a nested token or a detached digest, by name.

use super::*;

/// A named entry of `sueids`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NamedUeid<'a> {
    /// The name.
    pub name: &'a str,
    /// The UEID.
    pub ueid: Ueid<'a>,
}

/// A submodule (RFC 9711 §4.2.18).
// The claims set is held inline on purpose: there is no heap to box it in.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Submodule<'a> {
    /// A claims set of its own.
    Claims(Claims<'a>),
    /// A nested, separately signed token (a byte string holding a tag-18 or tag-61 message).
    /// Its signature is not checked by the enclosing token's verification.
    Token(NestedToken<'a>),
    /// A detached submodule digest: hash algorithm and digest.
    Digest {
        /// COSE hash algorithm (integer or text).
        alg: Label<'a>,
        /// The digest.
        digest: &'a [u8],
    },
}

/// A named submodule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NamedSubmodule<'a> {
    /// The submodule's name, e.g. `"se"` or `"tee"`.
    pub name: &'a str,
    /// The submodule.
    pub submodule: Submodule<'a>,
}

/// The bytes of a nested token ([`Submodule::Token`]): one valid CBOR item, tagged as a
/// COSE_Sign1 message (tag 18) or a CWT (tag 61) wrapping one. Checked at construction,
/// whether the bytes come from a builder or from the wire; the signature inside is not checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NestedToken<'a>(&'a [u8]);

impl<'a> NestedToken<'a> {
    /// Checks and wraps the encoded token.
    ///
    /// # Errors
    /// The errors of [`cbor::validate`] (lenient mode); [`Error::UnexpectedTag`] when the item
    /// is not tagged 18, or 61 then 18.
    pub fn new(bytes: &'a [u8]) -> Result<Self> {
        check_nested_token(bytes)?;
        Ok(Self(bytes))
    }

    /// The encoded token.
    #[must_use]
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
}

pub(super) fn check_nested_token(bytes: &[u8]) -> Result<()> {
    cbor::validate(bytes, Mode::Lenient)?;
    let mut d = Decoder::new(bytes);
    match d.tag()? {
        crate::cose::TAG_SIGN1 => Ok(()),
        crate::cose::TAG_CWT => match d.tag()? {
            crate::cose::TAG_SIGN1 => Ok(()),
            _ => Err(Error::UnexpectedTag),
        },
        _ => Err(Error::UnexpectedTag),
    }
}

impl<'a> Submodule<'a> {
    pub(super) fn decode_at(d: &mut Decoder<'a>, depth: usize) -> Result<Self> {
        match d.peek_major()? {
            Major::Map => Ok(Self::Claims(Claims::decode_map_at(
                d,
                depth.saturating_add(1),
            )?)),
            Major::Bytes => Ok(Self::Token(NestedToken::new(d.bytes()?)?)),
            Major::Array => {
                if d.array()? != 2 {
                    return Err(Error::InvalidArgument);
                }
                let alg = Label::decode(d)?;
                Ok(Self::Digest {
                    alg,
                    digest: d.bytes()?,
                })
            }
            _ => Err(Error::UnexpectedType),
        }
    }

    #[cfg_attr(feature = "small-code", inline(never))]
    pub(super) fn encode_to<W: Write>(&self, e: &mut Encoder<W>) {
        match self {
            Self::Claims(c) => c.encode_map(e),
            Self::Token(t) => {
                e.bytes(t.as_bytes());
            }
            Self::Digest { alg, digest } => {
                e.array(2);
                alg.encode(e);
                e.bytes(digest);
            }
        }
    }
}

impl<'a> Item<'a> for NamedSubmodule<'a> {
    // Entries of the `submods` map: decoded pairwise (name, submodule).
    fn decode(d: &mut Decoder<'a>, depth: usize) -> Result<Self> {
        let name = d.text()?;
        Ok(Self {
            name,
            submodule: Submodule::decode_at(d, depth)?,
        })
    }
    #[cfg_attr(feature = "small-code", inline(never))]
    fn check_next(d: &mut Decoder<'a>, depth: usize) -> Result<()> {
        d.text()?;
        if d.peek_major()? == Major::Map {
            // Read into a local: the same checks as `decode`, without moving the result.
            Claims::default().read_map_at(d, depth.saturating_add(1))
        } else {
            Submodule::decode_at(d, depth).map(drop)
        }
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.text(self.name);
        self.submodule.encode_to(e);
    }
    const SUBMODULE_READER: Option<SubmoduleReader> = Some(read_submodule_entry);
    fn read_listed(d: &mut Decoder<'a>, stored: Option<SubmoduleReader>) -> Result<Self> {
        stored.map_or(Err(Error::InvalidArgument), |read| read(d))
    }
    fn check(&self, depth: usize) -> Result<()> {
        match self.submodule {
            Submodule::Claims(c) => c.check_at(depth.saturating_add(1)),
            Submodule::Token(_) => Ok(()),
            Submodule::Digest { .. } => Ok(()),
        }
    }
}

/// The [`SubmoduleReader`] of decoded `submods` lists.
pub(super) fn read_submodule_entry<'x>(d: &mut Decoder<'x>) -> Result<NamedSubmodule<'x>> {
    NamedSubmodule::decode(d, 0)
}

impl<'a> Item<'a> for NamedUeid<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        let name = d.text()?;
        Ok(Self {
            name,
            ueid: Ueid::new(d.bytes()?)?,
        })
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.text(self.name).bytes(self.ueid.as_bytes());
    }
}
