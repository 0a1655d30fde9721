//! Where "now" comes from: the [`Clock`] trait, the system clock, a fixed clock for tests, and
//! an [`OffsetClock`] that corrects the host's skew from server-time observations.
//!
//! Signers never read a clock themselves; callers (and the middleware) read one of these once
//! per attempt and pass the instant in.
//!
//! Code that signs takes a `&dyn Clock` (or holds an `Arc<dyn Clock>`), so a test can hand it a
//! [`FixedClock`] and get the same signature every run:
//!
//! ```
//! use cexsign::clock::{Clock, FixedClock, SystemClock};
//! use cexsign::{Credentials, DeltaSigner, Method, SignableRequest, Signer, SignedRequest, Timestamp};
//!
//! fn sign_balance(signer: &dyn Signer, clock: &dyn Clock) -> Result<SignedRequest, cexsign::Error> {
//!     signer.sign(&SignableRequest::new(Method::Get, "/v2/wallet/balances")?, clock.now()?)
//! }
//!
//! let signer = DeltaSigner::new(&Credentials::new().api_key("a207900b7693435a8fa9230a38195d").secret("7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f"))?;
//! let test_clock = FixedClock(Timestamp::from_unix_millis(1_700_000_000_000));
//! assert_eq!(sign_balance(&signer, &test_clock)?.header("timestamp"), Some("1700000000"));
//! assert!(sign_balance(&signer, &SystemClock).is_ok()); // in production
//! # Ok::<(), cexsign::Error>(())
//! ```

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use crate::{Error, Timestamp};

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time; an error when it reads before 1970.
    fn now(&self) -> Result<Timestamp, Error>;
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Result<Timestamp, Error> {
        Timestamp::now()
    }
}

/// A clock that always reads the same instant (tests, conformance vectors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Result<Timestamp, Error> {
        Ok(self.0)
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> Result<Timestamp, Error> {
        (**self).now()
    }
}

/// One measurement of the server's clock against ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    /// Server minus local, in milliseconds (positive: the server is ahead).
    pub offset_millis: i64,
    /// Local receive time minus local send time.
    pub round_trip: Duration,
}

/// Why an observation was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Discarded {
    /// The round trip took longer than the clock's bound, so the midpoint is too uncertain.
    #[error("round trip of {round_trip:?} exceeds the bound of {bound:?}; the offset would be too uncertain")]
    SlowRoundTrip {
        /// The measured round trip.
        round_trip: Duration,
        /// The configured bound.
        bound: Duration,
    },
    /// The response was received "before" the request was sent: the local clock jumped.
    #[error("the local clock went backwards during the measurement")]
    ClockWentBackwards,
}

/// A clock that adds a signed millisecond offset to a base clock, and learns that offset from
/// server-time observations.
///
/// Each observation uses the midpoint of the local send and receive times (RFC 5905 §8: the
/// server's reading is taken to be simultaneous with the middle of the round trip);
/// observations whose round trip exceeds a bound are discarded; the latest good observation
/// replaces the offset, so a stale correction fixes itself. Reading is one atomic load.
///
/// ```
/// use std::time::Duration;
/// use cexsign::clock::{Clock, FixedClock, OffsetClock};
/// use cexsign::Timestamp;
///
/// let local = Timestamp::from_unix_millis(1_000_000);
/// let clock = OffsetClock::with_base(FixedClock(local));
/// // Sent at 1_000_000 ms, received 100 ms later; the server said 1_090_050.
/// let observed = clock
///     .observe(local, Timestamp::from_unix_millis(1_090_050), Timestamp::from_unix_millis(1_000_100))
///     .unwrap();
/// assert_eq!(observed.offset_millis, 90_000);
/// assert_eq!(clock.now()?, Timestamp::from_unix_millis(1_090_000));
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct OffsetClock<C: Clock = SystemClock> {
    base: C,
    offset_millis: AtomicI64,
    synced: AtomicBool,
    max_round_trip: Duration,
}

/// Round trips longer than this are discarded by default: on a healthy link to an exchange the
/// round trip is tens of milliseconds, and a 2 s one leaves the offset uncertain by ±1 s.
pub const DEFAULT_MAX_ROUND_TRIP: Duration = Duration::from_secs(2);

impl OffsetClock<SystemClock> {
    /// The system clock, with no offset yet.
    pub fn new() -> Self {
        Self::with_base(SystemClock)
    }
}

impl Default for OffsetClock<SystemClock> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: Clock> OffsetClock<C> {
    /// Corrects `base` (tests use a [`FixedClock`]).
    pub fn with_base(base: C) -> Self {
        Self {
            base,
            offset_millis: AtomicI64::new(0),
            synced: AtomicBool::new(false),
            max_round_trip: DEFAULT_MAX_ROUND_TRIP,
        }
    }

    /// Discards observations whose round trip exceeds `bound` (default 2 s).
    pub fn with_max_round_trip(mut self, bound: Duration) -> Self {
        self.max_round_trip = bound;
        self
    }

    /// The current correction, in milliseconds (server minus local).
    pub fn offset_millis(&self) -> i64 {
        self.offset_millis.load(Ordering::Acquire)
    }

    /// Whether an observation (or [`Self::set_offset_millis`]) has set the offset.
    pub fn is_synced(&self) -> bool {
        self.synced.load(Ordering::Acquire)
    }

    /// Sets the correction directly.
    pub fn set_offset_millis(&self, offset_millis: i64) {
        self.offset_millis.store(offset_millis, Ordering::Release);
        self.synced.store(true, Ordering::Release);
    }

    /// Feeds one measurement: the local time the request was `sent`, the `server` time it
    /// reported, and the local time the response was `received` (all on the *base* clock).
    /// A good observation replaces the offset.
    pub fn observe(&self, sent: Timestamp, server: Timestamp, received: Timestamp) -> Result<Observation, Discarded> {
        let observation = measure(sent, server, received)?;
        if observation.round_trip > self.max_round_trip {
            return Err(Discarded::SlowRoundTrip { round_trip: observation.round_trip, bound: self.max_round_trip });
        }
        self.set_offset_millis(observation.offset_millis);
        Ok(observation)
    }

    /// The base clock's reading, uncorrected (what to stamp `sent`/`received` with).
    pub fn base_now(&self) -> Result<Timestamp, Error> {
        self.base.now()
    }
}

impl<C: Clock> Clock for OffsetClock<C> {
    fn now(&self) -> Result<Timestamp, Error> {
        self.base.now()?.offset_by_millis(self.offset_millis())
    }
}

/// The NTP midpoint: offset = server − (sent + received) / 2.
fn measure(sent: Timestamp, server: Timestamp, received: Timestamp) -> Result<Observation, Discarded> {
    let round_trip = received
        .duration_since_epoch()
        .checked_sub(sent.duration_since_epoch())
        .ok_or(Discarded::ClockWentBackwards)?;
    let midpoint = sent.duration_since_epoch() + round_trip / 2;
    let offset_millis = millis(server.duration_since_epoch()) - millis(midpoint);
    Ok(Observation { offset_millis, round_trip })
}

fn millis(since_epoch: Duration) -> i64 {
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(value: u64) -> Timestamp {
        Timestamp::from_unix_millis(value)
    }

    #[test]
    fn midpoint_math() {
        // Sent at 10 000, received at 10 200: the server read 20 000 at local 10 100.
        let o = measure(ms(10_000), ms(20_000), ms(10_200)).unwrap();
        assert_eq!(o.offset_millis, 9_900);
        assert_eq!(o.round_trip, Duration::from_millis(200));
    }

    #[test]
    fn negative_offsets() {
        let clock = OffsetClock::with_base(FixedClock(ms(100_000)));
        let o = clock.observe(ms(100_000), ms(40_000), ms(100_010)).unwrap();
        assert_eq!(o.offset_millis, -60_005);
        assert_eq!(clock.now().unwrap(), ms(39_995));
    }

    #[test]
    fn slow_round_trips_are_discarded_and_keep_the_previous_offset() {
        let clock = OffsetClock::with_base(FixedClock(ms(0))).with_max_round_trip(Duration::from_millis(500));
        clock.observe(ms(1_000), ms(2_000), ms(1_000)).unwrap();
        assert_eq!(clock.offset_millis(), 1_000);
        let err = clock.observe(ms(1_000), ms(90_000), ms(1_600)).unwrap_err();
        assert!(matches!(err, Discarded::SlowRoundTrip { .. }));
        assert!(err.to_string().contains("exceeds the bound"));
        assert_eq!(clock.offset_millis(), 1_000);
    }

    #[test]
    fn the_latest_good_observation_wins() {
        let clock = OffsetClock::with_base(FixedClock(ms(0)));
        assert!(!clock.is_synced());
        clock.observe(ms(0), ms(90_000), ms(0)).unwrap();
        clock.observe(ms(0), ms(5), ms(0)).unwrap();
        assert_eq!(clock.offset_millis(), 5);
        assert!(clock.is_synced());
    }

    #[test]
    fn a_backwards_local_clock_is_discarded() {
        let clock = OffsetClock::with_base(FixedClock(ms(0)));
        assert_eq!(clock.observe(ms(2_000), ms(5_000), ms(1_000)).unwrap_err(), Discarded::ClockWentBackwards);
        assert!(!clock.is_synced());
    }

    #[test]
    fn an_offset_before_the_epoch_is_an_error_not_a_wrap() {
        let clock = OffsetClock::with_base(FixedClock(ms(1_000)));
        clock.set_offset_millis(-5_000);
        assert_eq!(clock.now().unwrap_err(), Error::TimestampBeforeEpoch);
    }

    #[test]
    fn many_readers_while_one_writes() {
        use std::sync::Arc;
        let clock = Arc::new(OffsetClock::with_base(FixedClock(ms(1_000_000))));
        let writer = {
            let clock = Arc::clone(&clock);
            std::thread::spawn(move || {
                for i in 0..10_000i64 {
                    clock.set_offset_millis(if i % 2 == 0 { 1_000 } else { -1_000 });
                }
            })
        };
        let readers: Vec<_> = (0..4)
            .map(|_| {
                let clock = Arc::clone(&clock);
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        let now = clock.now().unwrap().unix_millis();
                        assert!(now == 1_001_000 || now == 999_000 || now == 1_000_000, "torn read: {now}");
                    }
                })
            })
            .collect();
        writer.join().unwrap();
        for reader in readers {
            reader.join().unwrap();
        }
    }
}
