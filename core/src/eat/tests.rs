//! Unit tests of the claims module.

use super::*;

#[test]
fn label_order_is_the_order_of_the_encodings() {
    let texts = ["", "a", "b", "aa", "ab", "zzzzzzzzzzzzzzzzzzzzzzzzz"];
    let mut labels: std::vec::Vec<Label<'_>> = [
        0i64,
        1,
        23,
        24,
        255,
        256,
        65_535,
        65_536,
        i64::from(u32::MAX),
        i64::from(u32::MAX) + 1,
        i64::MAX,
        -1,
        -24,
        -25,
        -256,
        -257,
        -65_537,
        i64::MIN,
    ]
    .into_iter()
    .map(Label::Int)
    .collect();
    labels.extend(texts.into_iter().map(Label::Text));
    let encode = |l: &Label<'_>| {
        let mut buf = [0u8; 64];
        let mut w = SliceWriter::new(&mut buf);
        l.encode(&mut Encoder::new(&mut w));
        let n = w.finish().unwrap();
        buf[..n].to_vec()
    };
    for a in &labels {
        for b in &labels {
            assert_eq!(a.cmp_encoded(b), encode(a).cmp(&encode(b)), "{a:?} {b:?}");
        }
    }
}

#[test]
fn text_order_shortcut_matches_encoded_order() {
    let long = [b'a'; 300];
    let lens = [0usize, 1, 2, 23, 24, 25, 255, 256, 300];
    for &la in &lens {
        for &lb in &lens {
            for (ca, cb) in [(b'a', b'a'), (b'a', b'b'), (b'b', b'a')] {
                let mut a = [b'a'; 300];
                let mut b = long;
                if let Some(x) = a.get_mut(la.saturating_sub(1)) {
                    *x = ca;
                }
                if let Some(x) = b.get_mut(lb.saturating_sub(1)) {
                    *x = cb;
                }
                let (a, b) = (
                    core::str::from_utf8(&a[..la]).unwrap(),
                    core::str::from_utf8(&b[..lb]).unwrap(),
                );
                let encoded = |t: &str| {
                    let mut buf = [0u8; 310];
                    let mut w = SliceWriter::new(&mut buf);
                    Encoder::new(&mut w).text(t);
                    let n = w.finish().unwrap();
                    buf[..n].to_vec()
                };
                assert_eq!(
                    cmp_text_encoded(a, b),
                    encoded(a).cmp(&encoded(b)),
                    "{la} {lb}"
                );
            }
        }
    }
}

/// Lists read from the wire carry the functions that read them back; those are
/// lifetime-generic, so that claims stay covariant in their lifetime (this would not compile
/// otherwise).
#[test]
fn claims_stay_covariant() {
    fn shorten<'s, 'l: 's>(c: Claims<'l>) -> Claims<'s> {
        c
    }
    let wire = [0xa1, 0x0a, 0x48, 1, 2, 3, 4, 5, 6, 7, 8]; // {10: h'0102030405060708'}
    let decoded = Claims::decode(&wire).unwrap();
    let local = [0u8; 8];
    let built = Claims {
        nonce: Some(NonceClaim::One(Nonce::new(&local).unwrap())),
        ..Claims::default()
    };
    assert_ne!(shorten(decoded), built);
}

/// A decoded list stores the reader of its items: iterating a decoded `submods` reads the
/// entries back; a hand-made list of the same type never needs one.
#[test]
fn decoded_submodules_are_read_back_through_the_stored_reader() {
    let inner = Claims {
        oemboot: Some(true),
        ..Claims::default()
    };
    let subs = [NamedSubmodule {
        name: "se",
        submodule: Submodule::Claims(inner),
    }];
    let built = Claims {
        submods: Some(List::Items(&subs)),
        ..Claims::default()
    };
    let mut buf = [0u8; 64];
    let n = built.encode(&mut buf).unwrap();
    let decoded = Claims::decode(&buf[..n]).unwrap();
    let Some(List::Encoded(l)) = decoded.submods else {
        panic!("a decoded list stays encoded")
    };
    assert!(l.ops.submodule.is_some());
    assert_eq!(decoded.submods.unwrap().iter().next(), Some(subs[0]));
    // Without the stored reader, an entry is not read (an error, not a panic).
    let mut d = Decoder::new(l.as_bytes());
    assert_eq!(
        NamedSubmodule::read_listed(&mut d, None),
        Err(Error::InvalidArgument)
    );
}

#[test]
#[cfg(not(feature = "small-code"))] // one-pass reads are the default build's
fn deterministic_claims_are_read_in_one_pass() {
    let inner = [NamedSubmodule {
        name: "se",
        submodule: Submodule::Claims(Claims {
            oemboot: Some(true),
            location: Some(Location {
                latitude: 1.5,
                longitude: -2.0,
                age: Some(3),
                ..Location::default()
            }),
            ..Claims::default()
        }),
    }];
    let extra = [(
        Label::Text("x-vendor"),
        RawValue::new(&[0xa1, 0x01, 0x02]).unwrap(),
    )];
    let c = Claims {
        iss: Some("iss"),
        nonce: Some(NonceClaim::One(Nonce::new(&[9; 8]).unwrap())),
        submods: Some(List::Items(&inner)),
        extra: Extra::Items(&extra),
        ..Claims::default()
    };
    let mut buf = [0u8; 128];
    let n = c.encode(&mut buf).unwrap();
    for mode in [Mode::Lenient, Mode::Strict] {
        let mut d = Decoder::one_pass(&buf[..n], mode);
        let read = Claims::decode_map_at(&mut d, 0).unwrap();
        assert!(d.is_at_end());
        assert_eq!(read, c);
    }
    // NaN is a valid location value (`f9 7e00`, deterministic): read in one pass too.
    let nan = [
        0xa1, 0x19, 0x01, 0x08, 0xa2, 0x01, 0xf9, 0x7e, 0x00, 0x02, 0x00,
    ];
    for mode in [Mode::Lenient, Mode::Strict] {
        let mut d = Decoder::one_pass(&nan, mode);
        let read = Claims::decode_map_at(&mut d, 0).unwrap();
        assert!(read.location.unwrap().latitude.is_nan());
    }
    // Keys out of order: the one-pass read declines, the two-pass read accepts.
    let unordered = [0xa2, 0x02, 0x61, b'b', 0x01, 0x61, b'a'];
    let mut d = Decoder::one_pass(&unordered, Mode::Lenient);
    assert!(Claims::decode_map_at(&mut d, 0).is_err());
    assert_eq!(Claims::decode(&unordered).unwrap().iss, Some("a"));
}

#[test]
fn claims_write_the_same_bytes_through_any_writer() {
    use crate::cose::Payload as _;
    let c = Claims {
        iss: Some("iss"),
        svn: Some(300),
        ..Claims::default()
    };
    let mut direct = [0u8; 32];
    let n = c.encode(&mut direct).unwrap();
    // A caller's own writer, reached through `dyn Write` (`Sink::Dyn`).
    let mut buf = [0u8; 32];
    let mut w = SliceWriter::new(&mut buf);
    let dw: &mut dyn Write = &mut w;
    c.as_payload().unwrap().write_payload(&mut Encoder::new(dw));
    assert_eq!(w.written(), Some(&direct[..n]));
    assert_eq!(c.encoded_len(), Ok(n));
}

#[test]
fn claim_names_and_keys_are_one_table() {
    assert_eq!(CLAIM_NAMES.len(), key::KNOWN.len());
    for (&(k, name), &known) in CLAIM_NAMES.iter().zip(key::KNOWN) {
        assert_eq!(k, known);
        assert_eq!(claim_name(k), Some(name));
        assert_eq!(claim_key(name), Some(k));
    }
    assert_eq!(claim_name(-75000), None);
    assert_eq!(claim_key("nonces"), None);
    let c = Claims {
        swname: Some("edge-os"),
        ..Claims::default()
    };
    assert!(c.has(key::SWNAME));
    assert!(!c.has(key::NONCE));
    assert!(!c.has(-75000));
}

#[test]
fn claims_table_is_in_known_key_order() {
    // `write_typed` writes in table order, which must be the deterministic key order.
    assert_eq!(Claims::TABLE_KEYS, key::KNOWN);
    // The compact writer's positions are the keys' places in that order.
    for (i, k) in key::KNOWN.iter().copied().enumerate() {
        assert_eq!(key_position(k), i);
    }
    assert_eq!(key_position(0), usize::MAX);
    let encoded = |k: i64| {
        let mut buf = [0u8; 9];
        let n = cbor::encoded_len(|e| {
            e.int(k);
        });
        let mut w = SliceWriter::new(&mut buf);
        Encoder::new(&mut w).int(k);
        (buf, n)
    };
    for pair in key::KNOWN.windows(2) {
        let ((a, na), (b, nb)) = (encoded(pair[0]), encoded(pair[1]));
        assert!(a[..na] < b[..nb], "{} before {}", pair[0], pair[1]);
    }
}
