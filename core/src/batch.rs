//! Parallel verification and appraisal of many evidence tokens, for verifier hosts (`std`).
//!
//! A verifier that places workloads on a fleet appraises tokens in bursts. Each token is
//! independent and costs one ES256 verification (tens to hundreds of microseconds), so the
//! work spreads over threads with no shared state: [`verify_and_appraise`] splits the input
//! into small blocks that scoped threads ([`std::thread::scope`]) claim one at a time from an
//! atomic counter (so a thread slowed by other load on the machine takes fewer blocks), and
//! puts the results back in input order. The tokens, the policy and the keys are borrowed; the
//! only allocations are the result vector and one vector per claimed block.
//!
//! Threads are started per call; for batches of a few tokens the start-up cost (tens of
//! microseconds per thread) is comparable to a verification, so small batches run inline.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::vec::Vec;

use crate::appraise::{AttestationResult, Challenge, Policy, appraise};
use crate::cose::{ParseOptions, UnverifiedSign1};
use crate::crypto::Verifier;
use crate::ecnpp::{Endorsement, VerifiedEvidence};
use crate::error::{Error, Result};

/// Below this many items per thread, [`par_map`] uses fewer threads (the start-up cost of a
/// thread is comparable to a few verifications).
pub const MIN_ITEMS_PER_THREAD: usize = 4;

/// One token to appraise and the challenge that was issued to its device.
#[derive(Clone, Copy, Debug)]
pub struct Job<'a> {
    /// The evidence token (a tagged COSE_Sign1).
    pub token: &'a [u8],
    /// The challenge the token must answer; replaces the policy's for this token.
    pub challenge: Challenge<'a>,
}

/// The number of threads the host offers (1 when it cannot tell).
#[must_use]
pub fn available_threads() -> NonZeroUsize {
    thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
}

/// Applies `f` to every item on up to `threads` scoped threads; the results are in input order.
///
/// Items are handed out in blocks claimed from a shared counter, so the threads stay busy even
/// when one of them is slowed down. With one thread, or few items, `f` runs on the calling
/// thread.
#[must_use]
pub fn par_map<T, R, F>(items: &[T], threads: NonZeroUsize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let threads = threads.get().min(items.len() / MIN_ITEMS_PER_THREAD).max(1);
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    // About 32 blocks per thread: small enough that the last block finishes close to the
    // others, large enough that the counter and the per-block vectors cost nothing next to a
    // signature verification.
    let block = items.len().div_ceil(threads.saturating_mul(32)).max(1);
    let next = AtomicUsize::new(0);
    let f = &f;
    let next = &next;
    let mut blocks: Vec<(usize, Vec<R>)> = thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let start = i.saturating_mul(block);
                        let Some(chunk) = items.get(start..) else {
                            break;
                        };
                        if chunk.is_empty() {
                            break;
                        }
                        let chunk = chunk.get(..block).unwrap_or(chunk);
                        done.push((i, chunk.iter().map(f).collect::<Vec<R>>()));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(done) => done,
                Err(payload) => std::panic::resume_unwind(payload),
            })
            .collect()
    });
    blocks.sort_unstable_by_key(|(i, _)| *i);
    let mut out = Vec::with_capacity(items.len());
    for (_, rs) in blocks {
        out.extend(rs);
    }
    out
}

/// Verifies and appraises every job, on up to `threads` threads; results are in input order.
///
/// For each token: parse under `options`, pick the endorsement with `key_for_kid` (which
/// receives the token's **untrusted** kid and must only choose among keys the caller already
/// endorses; `None` refuses the token), verify the signature with its key, read the claims, then [`appraise`] them under
/// `policy` with the job's own challenge. Exactly what one would do token by token with
/// [`VerifiedEvidence::verify`] and [`appraise`], only spread over threads.
///
/// # Errors
/// Per token, in its slot: [`Error::KeyNotTrusted`] when `key_for_kid` gives no key, and the
/// errors of [`VerifiedEvidence::verify`]. A token that verifies always gets a result (with
/// reasons when its appraisal fails).
#[must_use]
pub fn verify_and_appraise<'a, V, K>(
    jobs: &[Job<'a>],
    key_for_kid: K,
    policy: &Policy<'a>,
    options: &ParseOptions,
    threads: NonZeroUsize,
) -> Vec<Result<AttestationResult<'a>>>
where
    V: Verifier + Sync + ?Sized + 'a,
    K: Fn(Option<&[u8]>) -> Option<&'a Endorsement<'a, V>> + Sync,
{
    par_map(jobs, threads, |job| {
        verify_and_appraise_one(job, &key_for_kid, policy, options)
    })
}

/// One job of [`verify_and_appraise`], on the calling thread.
///
/// # Errors
/// As [`verify_and_appraise`].
pub fn verify_and_appraise_one<'a, V, K>(
    job: &Job<'a>,
    key_for_kid: &K,
    policy: &Policy<'a>,
    options: &ParseOptions,
) -> Result<AttestationResult<'a>>
where
    V: Verifier + ?Sized + 'a,
    K: Fn(Option<&[u8]>) -> Option<&'a Endorsement<'a, V>>,
{
    let unverified = UnverifiedSign1::parse(job.token, options)?;
    let endorsement = key_for_kid(unverified.kid_untrusted()).ok_or(Error::KeyNotTrusted)?;
    let evidence = VerifiedEvidence::verify(job.token, endorsement, options)?;
    let mut policy = *policy;
    policy.challenge = job.challenge;
    Ok(appraise(&evidence, &policy))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(v: usize) -> NonZeroUsize {
        NonZeroUsize::new(v).unwrap()
    }

    #[test]
    fn par_map_keeps_order_for_any_thread_count() {
        for len in [0usize, 1, 3, 7, 8, 9, 100, 1001] {
            let items: Vec<usize> = (0..len).collect();
            let want: Vec<usize> = items.iter().map(|x| x * 3 + 1).collect();
            for t in [1usize, 2, 3, 8, 64] {
                assert_eq!(par_map(&items, n(t), |x| x * 3 + 1), want, "{len} {t}");
            }
        }
    }

    #[test]
    fn par_map_uses_several_threads() {
        let items: Vec<u32> = (0..256).collect();
        let ids = par_map(&items, n(4), |_| {
            thread::sleep(std::time::Duration::from_micros(200));
            thread::current().id()
        });
        let first = ids[0];
        assert!(ids.iter().any(|id| *id != first));
    }
}
