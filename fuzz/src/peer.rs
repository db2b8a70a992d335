//! coset 0.4 and ciborium 0.2 as the peer of `ecnpp_attest::fuzzing::differential`.

use coset::{
    CborSerializable, CoseSign1, Header, RegisteredLabelWithPrivate, TaggedCborSerializable,
};
use ecnpp_attest::fuzzing::{Peer, PeerSign1};

/// The peer: ciborium for generic CBOR, coset for COSE_Sign1.
#[derive(Clone, Copy, Debug, Default)]
pub struct Coset;

fn alg(h: &Header) -> Option<i64> {
    match h.alg.as_ref()? {
        RegisteredLabelWithPrivate::Assigned(a) => Some(*a as i64),
        RegisteredLabelWithPrivate::PrivateUse(i) => Some(*i),
        RegisteredLabelWithPrivate::Text(_) => None,
    }
}

impl Peer for Coset {
    fn cbor_accepts(&mut self, data: &[u8]) -> bool {
        let mut rest = data;
        ciborium::from_reader::<ciborium::Value, _>(&mut rest).is_ok() && rest.is_empty()
    }

    fn sign1(&mut self, data: &[u8], check: &mut dyn FnMut(Option<PeerSign1<'_>>)) {
        let parsed = CoseSign1::from_tagged_slice(data).or_else(|_| CoseSign1::from_slice(data));
        let Ok(m) = parsed else {
            check(None);
            return;
        };
        let kid = if m.protected.header.key_id.is_empty() {
            &m.unprotected.key_id
        } else {
            &m.protected.header.key_id
        };
        check(Some(PeerSign1 {
            protected: m.protected.original_data.as_deref().unwrap_or(&[]),
            payload: m.payload.as_deref(),
            signature: &m.signature,
            alg: alg(&m.protected.header).or_else(|| alg(&m.unprotected)),
            kid,
        }));
    }
}
