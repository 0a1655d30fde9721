//! Time as the signers see it: one [`Timestamp`] read once, and the wire formats it is written in.
//!
//! A signer renders the timestamp exactly once per request and uses the same string in the
//! prehash and in the header, so "seconds in the header, milliseconds in the prehash" cannot
//! happen. The core never reads a clock by itself: the caller passes the instant to sign at.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::Error;

/// An instant at or after the Unix epoch, with nanosecond precision.
///
/// ```
/// use cexsign::{Timestamp, TimestampFormat};
/// let at = Timestamp::from_unix_millis(1_700_000_000_123);
/// assert_eq!(TimestampFormat::UnixSeconds.render(at)?, "1700000000");
/// assert_eq!(TimestampFormat::UnixMillis.render(at)?, "1700000000123");
/// assert_eq!(TimestampFormat::Iso8601Millis.render(at)?, "2023-11-14T22:13:20.123Z");
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    since_epoch: Duration,
}

impl Timestamp {
    /// Whole seconds since the Unix epoch.
    pub const fn from_unix_secs(secs: u64) -> Self {
        Self { since_epoch: Duration::from_secs(secs) }
    }

    /// Milliseconds since the Unix epoch.
    pub const fn from_unix_millis(millis: u64) -> Self {
        Self { since_epoch: Duration::from_millis(millis) }
    }

    /// The time elapsed since the Unix epoch.
    pub const fn from_duration_since_epoch(since_epoch: Duration) -> Self {
        Self { since_epoch }
    }

    /// A wall-clock reading; fails for a time before 1970 instead of signing a nonsense value.
    pub fn from_system_time(time: SystemTime) -> Result<Self, Error> {
        time.duration_since(UNIX_EPOCH).map(Self::from_duration_since_epoch).map_err(|_| Error::TimestampBeforeEpoch)
    }

    /// The system clock, now.
    pub fn now() -> Result<Self, Error> {
        Self::from_system_time(SystemTime::now())
    }

    /// Whole seconds since the epoch.
    pub const fn unix_secs(self) -> u64 {
        self.since_epoch.as_secs()
    }

    /// Whole milliseconds since the epoch.
    pub const fn unix_millis(self) -> u128 {
        self.since_epoch.as_millis()
    }

    /// The time elapsed since the epoch.
    pub const fn duration_since_epoch(self) -> Duration {
        self.since_epoch
    }

    /// This instant moved by a signed number of milliseconds (a clock correction); an error if
    /// that lands before 1970.
    pub fn offset_by_millis(self, millis: i64) -> Result<Self, Error> {
        let magnitude = Duration::from_millis(millis.unsigned_abs());
        if millis >= 0 {
            let moved = self.since_epoch.checked_add(magnitude);
            moved.map(Self::from_duration_since_epoch).ok_or(Error::TimestampOutOfRange { format: "a time" })
        } else {
            let moved = self.since_epoch.checked_sub(magnitude);
            moved.map(Self::from_duration_since_epoch).ok_or(Error::TimestampBeforeEpoch)
        }
    }

    /// The same instant as a [`SystemTime`].
    pub fn to_system_time(self) -> SystemTime {
        UNIX_EPOCH + self.since_epoch
    }
}

impl TryFrom<SystemTime> for Timestamp {
    type Error = Error;

    fn try_from(time: SystemTime) -> Result<Self, Error> {
        Self::from_system_time(time)
    }
}

/// A timestamp as written on the wire: the text and the instant it names, in a known format.
///
/// Made by rendering an instant ([`WireTimestamp::render`]) or by checking a received string
/// ([`WireTimestamp::parse`]); a signer uses the text verbatim in the prehash and the header, so a
/// verifier can recompute the signature of a request it received with the timestamp it received.
///
/// ```
/// use cexsign::{TimestampFormat, WireTimestamp};
/// let received = WireTimestamp::parse(TimestampFormat::UnixSecondsFraction { digits: 3 }, "1700000000.5")?;
/// assert_eq!(received.as_str(), "1700000000.5");
/// assert_eq!(received.format(), TimestampFormat::UnixSecondsFraction { digits: 1 });
/// assert!(WireTimestamp::parse(TimestampFormat::UnixMillis, "1700000000.5").is_err());
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WireTimestamp {
    text: WireText,
    at: Timestamp,
    format: TimestampFormat,
}

impl WireTimestamp {
    /// Renders `at` in `format`.
    #[inline]
    pub fn render(format: TimestampFormat, at: Timestamp) -> Result<Self, Error> {
        // Written in place: copying the text after writing it costs more than writing it.
        let mut rendered = Self { text: WireText::new(), at, format };
        format.render_into(at, &mut rendered.text)?;
        Ok(rendered)
    }

    /// Checks that `text` is a valid timestamp in `format` and keeps it verbatim. For
    /// [`TimestampFormat::UnixSecondsFraction`] any number of digits (0–9) is accepted and the
    /// result records the number found.
    pub fn parse(format: TimestampFormat, text: &str) -> Result<Self, Error> {
        let at = format.parse(text)?;
        // Checked by `parse` above: a fraction has 1–9 digits.
        let format = match (format, text.split_once('.')) {
            (TimestampFormat::UnixSecondsFraction { .. }, Some((_, fraction))) => {
                TimestampFormat::UnixSecondsFraction { digits: fraction.len() as u8 }
            }
            (TimestampFormat::UnixSecondsFraction { .. }, None) => TimestampFormat::UnixSeconds,
            (other, _) => other,
        };
        let text = WireText::from(text).map_err(|_| format.invalid())?;
        Ok(Self { text, at, format })
    }

    /// The text as on the wire.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The instant it names.
    pub fn instant(&self) -> Timestamp {
        self.at
    }

    /// The format it is written in.
    pub fn format(&self) -> TimestampFormat {
        self.format
    }

    /// The text, if the format is one `accepted` allows; the error names what the scheme wants.
    pub(crate) fn text_if(
        &self,
        accepted: impl Fn(TimestampFormat) -> bool,
        wanted: TimestampFormat,
    ) -> Result<&str, Error> {
        if accepted(self.format) {
            Ok(&self.text)
        } else {
            Err(Error::TimestampFormatMismatch { expected: wanted.name(), example: wanted.example() })
        }
    }

    /// The text, if it is written in exactly `wanted`.
    pub(crate) fn text_in(&self, wanted: TimestampFormat) -> Result<&str, Error> {
        self.text_if(|f| f == wanted, wanted)
    }
}

/// The Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// A wire timestamp's text, on the stack: every format is at most 30 characters.
type WireText = arrayvec::ArrayString<32>;

/// How a scheme writes its timestamp on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimestampFormat {
    /// Integer Unix seconds: `1700000000` (Coinbase Advanced, Delta, CDP `nbf`, OKX ws login).
    UnixSeconds,
    /// Unix seconds with a fixed number of fractional digits (1–9), truncated, not rounded:
    /// `1700000000.123` (Coinbase Exchange accepts decimals).
    UnixSecondsFraction {
        /// Number of digits after the point.
        digits: u8,
    },
    /// Integer Unix milliseconds: `1700000000123` (KuCoin, Bybit, Bitget, Binance).
    UnixMillis,
    /// Integer Unix microseconds: `1700000000123456` (Binance accepts them in `timestamp`).
    UnixMicros,
    /// ISO-8601 UTC with exactly three fractional digits and `Z`: `2023-11-14T22:13:20.123Z` (OKX).
    Iso8601Millis,
}

impl TimestampFormat {
    fn name(self) -> &'static str {
        match self {
            Self::UnixSeconds => "integer Unix seconds",
            Self::UnixSecondsFraction { .. } => "Unix seconds with a decimal fraction",
            Self::UnixMillis => "integer Unix milliseconds",
            Self::UnixMicros => "integer Unix microseconds",
            Self::Iso8601Millis => "ISO-8601 UTC with milliseconds",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Self::UnixSeconds => "1700000000",
            Self::UnixSecondsFraction { .. } => "1700000000.123",
            Self::UnixMillis => "1700000000123",
            Self::UnixMicros => "1700000000123456",
            Self::Iso8601Millis => "2023-11-14T22:13:20.123Z",
        }
    }

    fn invalid(self) -> Error {
        Error::InvalidTimestamp { format: self.name(), example: self.example() }
    }

    /// Writes `at` in this format.
    ///
    /// Fails when the instant cannot be written (a year after 9999 in ISO form, or more than 9
    /// fractional digits asked for).
    pub fn render(self, at: Timestamp) -> Result<String, Error> {
        let mut out = String::with_capacity(24);
        self.render_into(at, &mut out)?;
        Ok(out)
    }

    /// Writes `at` into `out` (a `String`, or a stack buffer on the signing hot path).
    #[inline]
    pub(crate) fn render_into(self, at: Timestamp, out: &mut impl std::fmt::Write) -> Result<(), Error> {
        let secs = at.unix_secs();
        let nanos = at.since_epoch.subsec_nanos();
        // Integers go through `itoa`, the ISO form through a fixed layout: `write!` costs about
        // 30 ns per timestamp, on the hot path of every signature.
        let mut integer = itoa::Buffer::new();
        match self {
            Self::UnixSeconds | Self::UnixSecondsFraction { digits: 0 } => out.write_str(integer.format(secs)),
            Self::UnixMillis => out.write_str(integer.format(at.unix_millis())),
            Self::UnixMicros => out.write_str(integer.format(at.since_epoch.as_micros())),
            Self::UnixSecondsFraction { digits } if digits <= 9 => {
                let mut fraction = *b".000000000";
                let fraction = &mut fraction[..=usize::from(digits)];
                put_digits(&mut fraction[1..], nanos / 10u32.pow(9 - u32::from(digits)));
                out.write_str(integer.format(secs))
                    .and_then(|()| out.write_str(std::str::from_utf8(fraction).unwrap_or_default()))
            }
            Self::UnixSecondsFraction { .. } => {
                return Err(Error::TimestampOutOfRange { format: "Unix seconds with more than 9 fractional digits" });
            }
            Self::Iso8601Millis => {
                let out_of_range = || Error::TimestampOutOfRange { format: self.name() };
                // The date from `time`; the time of day is plain arithmetic on UTC seconds.
                // Far-future instants (a hostile server time synced into a clock) overflow the
                // Julian day count: an error, not an overflow.
                let julian_day = i32::try_from(secs / 86_400)
                    .ok()
                    .and_then(|days| days.checked_add(UNIX_EPOCH_JULIAN_DAY))
                    .ok_or_else(out_of_range)?;
                let date = time::Date::from_julian_day(julian_day).map_err(|_| out_of_range())?;
                let (year, month, day) = date.to_calendar_date();
                let second_of_day = (secs % 86_400) as u32;
                let (hour, minute, second) = (second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
                let year = u32::try_from(year).ok().filter(|y| *y <= 9999).ok_or_else(out_of_range)?;
                // Fixed layout `YYYY-MM-DDTHH:MM:SS.mmmZ`, digits written in place.
                let mut buf = *b"0000-00-00T00:00:00.000Z";
                put_digits(&mut buf[0..4], year);
                put_digits(&mut buf[5..7], u32::from(u8::from(month)));
                put_digits(&mut buf[8..10], u32::from(day));
                put_digits(&mut buf[11..13], hour);
                put_digits(&mut buf[14..16], minute);
                put_digits(&mut buf[17..19], second);
                put_digits(&mut buf[20..23], nanos / 1_000_000);
                out.write_str(std::str::from_utf8(&buf).unwrap_or_default())
            }
        }
        // Every format fits the 32-byte wire buffer (at most 30 characters), and a `String` never
        // refuses a write; a refusal would still be an error, not a panic.
        .map_err(|_| Error::TimestampOutOfRange { format: self.name() })
    }

    /// Reads a wire timestamp written in this format.
    ///
    /// Strict: no sign, no whitespace, no exponent; `UnixSecondsFraction` accepts an integer or
    /// 1–9 fractional digits; `Iso8601Millis` accepts exactly `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub fn parse(self, text: &str) -> Result<Timestamp, Error> {
        let invalid = || self.invalid();
        match self {
            Self::UnixSeconds => parse_digits(text).map(Timestamp::from_unix_secs).ok_or_else(invalid),
            Self::UnixMillis => parse_digits(text).map(Timestamp::from_unix_millis).ok_or_else(invalid),
            Self::UnixMicros => parse_digits(text)
                .map(|us| Timestamp::from_duration_since_epoch(Duration::from_micros(us)))
                .ok_or_else(invalid),
            Self::UnixSecondsFraction { .. } => {
                let (whole, fraction) = match text.split_once('.') {
                    Some((whole, fraction)) => (whole, Some(fraction)),
                    None => (text, None),
                };
                let secs = parse_digits(whole).ok_or_else(invalid)?;
                let nanos = match fraction {
                    None => 0,
                    Some(f) if (1..=9).contains(&f.len()) => {
                        let value = parse_digits(f).ok_or_else(invalid)?;
                        // Checked above: at most 9 digits, so both fit a u32.
                        (value * 10u64.pow(9 - f.len() as u32)) as u32
                    }
                    Some(_) => return Err(invalid()),
                };
                Ok(Timestamp::from_duration_since_epoch(Duration::new(secs, nanos)))
            }
            Self::Iso8601Millis => parse_iso_millis(text).ok_or_else(invalid),
        }
    }
}

/// Writes `value` as zero-padded decimal digits filling `slot` (the value fits by construction).
fn put_digits(slot: &mut [u8], mut value: u32) {
    for digit in slot.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

fn parse_digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn parse_iso_millis(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    if b.len() != 24
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'.'
        || b[23] != b'Z'
    {
        return None;
    }
    let field = |range: std::ops::Range<usize>| parse_digits(text.get(range)?);
    let year = i32::try_from(field(0..4)?).ok()?;
    let month = time::Month::try_from(u8::try_from(field(5..7)?).ok()?).ok()?;
    let day = u8::try_from(field(8..10)?).ok()?;
    let hour = u8::try_from(field(11..13)?).ok()?;
    let minute = u8::try_from(field(14..16)?).ok()?;
    let second = u8::try_from(field(17..19)?).ok()?;
    let millis = u16::try_from(field(20..23)?).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let clock = time::Time::from_hms_milli(hour, minute, second, millis).ok()?;
    let secs = u64::try_from(time::PrimitiveDateTime::new(date, clock).assume_utc().unix_timestamp()).ok()?;
    Some(Timestamp::from_duration_since_epoch(Duration::new(secs, u32::from(millis) * 1_000_000)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_each_format() {
        let at = Timestamp::from_duration_since_epoch(Duration::new(1_607_418_537, 715_999_999));
        assert_eq!(TimestampFormat::UnixSeconds.render(at).unwrap(), "1607418537");
        assert_eq!(TimestampFormat::UnixMillis.render(at).unwrap(), "1607418537715");
        assert_eq!(TimestampFormat::Iso8601Millis.render(at).unwrap(), "2020-12-08T09:08:57.715Z");
        let frac = |digits| TimestampFormat::UnixSecondsFraction { digits }.render(at).unwrap();
        assert_eq!(frac(0), "1607418537");
        assert_eq!(frac(3), "1607418537.715");
        assert_eq!(frac(6), "1607418537.715999");
        assert_eq!(frac(1), "1607418537.7");
    }

    #[test]
    fn millisecond_fraction_keeps_leading_zeros() {
        let at = Timestamp::from_unix_millis(1_700_000_000_007);
        assert_eq!(TimestampFormat::Iso8601Millis.render(at).unwrap(), "2023-11-14T22:13:20.007Z");
        let three = TimestampFormat::UnixSecondsFraction { digits: 3 };
        assert_eq!(three.render(at).unwrap(), "1700000000.007");
    }

    /// Every format against `time`'s calendar and `format!`, over any instant up to 9999.
    mod renders_like_format {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_instant(secs in 0u64..253_402_300_800, nanos in 0u32..1_000_000_000, digits in 1u8..=9) {
                let at = Timestamp::from_duration_since_epoch(Duration::new(secs, nanos));
                let civil = time::OffsetDateTime::from_unix_timestamp(secs as i64).unwrap();
                let iso = format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                    civil.year(), u8::from(civil.month()), civil.day(),
                    civil.hour(), civil.minute(), civil.second(), nanos / 1_000_000
                );
                prop_assert_eq!(TimestampFormat::Iso8601Millis.render(at).unwrap(), iso);
                let fraction = format!("{secs}.{:0width$}", nanos / 10u32.pow(9 - u32::from(digits)), width = usize::from(digits));
                prop_assert_eq!(TimestampFormat::UnixSecondsFraction { digits }.render(at).unwrap(), fraction);
                prop_assert_eq!(TimestampFormat::UnixMillis.render(at).unwrap(), (u128::from(secs) * 1000 + u128::from(nanos / 1_000_000)).to_string());
            }
        }
    }

    #[test]
    fn epoch_itself_renders() {
        let at = Timestamp::from_unix_secs(0);
        assert_eq!(TimestampFormat::Iso8601Millis.render(at).unwrap(), "1970-01-01T00:00:00.000Z");
        assert_eq!(TimestampFormat::UnixMillis.render(at).unwrap(), "0");
    }

    #[test]
    fn before_epoch_is_an_error() {
        let before = UNIX_EPOCH - Duration::from_secs(1);
        let err = Timestamp::from_system_time(before).unwrap_err();
        assert_eq!(err, Error::TimestampBeforeEpoch);
        assert!(err.to_string().contains("before 1970"));
    }

    #[test]
    fn year_after_9999_is_not_representable_in_iso() {
        let at = Timestamp::from_unix_secs(253_402_300_800); // 10000-01-01
        let err = TimestampFormat::Iso8601Millis.render(at).unwrap_err();
        assert!(err.to_string().contains("cannot be written as ISO-8601"), "{err}");
        let last = Timestamp::from_unix_secs(253_402_300_799);
        assert_eq!(TimestampFormat::Iso8601Millis.render(last).unwrap(), "9999-12-31T23:59:59.000Z");
    }

    #[test]
    fn too_many_fraction_digits_is_an_error() {
        let err = TimestampFormat::UnixSecondsFraction { digits: 10 }.render(Timestamp::from_unix_secs(1)).unwrap_err();
        assert!(err.to_string().contains("more than 9 fractional digits"));
    }

    #[test]
    fn parses_what_it_renders() {
        let at = Timestamp::from_unix_millis(1_718_007_932_882);
        for format in [
            TimestampFormat::UnixMillis,
            TimestampFormat::UnixMicros,
            TimestampFormat::Iso8601Millis,
            TimestampFormat::UnixSecondsFraction { digits: 3 },
        ] {
            let text = format.render(at).unwrap();
            assert_eq!(format.parse(&text).unwrap(), at, "{format:?} {text}");
        }
        let secs = TimestampFormat::UnixSeconds;
        assert_eq!(secs.parse("1718007932").unwrap(), Timestamp::from_unix_secs(1_718_007_932));
    }

    #[test]
    fn parse_rejects_malformed_input() {
        for (format, text) in [
            (TimestampFormat::UnixSeconds, ""),
            (TimestampFormat::UnixSeconds, "-1"),
            (TimestampFormat::UnixSeconds, " 1"),
            (TimestampFormat::UnixSeconds, "1.5"),
            (TimestampFormat::UnixSeconds, "99999999999999999999999"),
            (TimestampFormat::UnixMillis, "1e3"),
            (TimestampFormat::UnixSecondsFraction { digits: 3 }, "1."),
            (TimestampFormat::UnixSecondsFraction { digits: 3 }, ".5"),
            (TimestampFormat::UnixSecondsFraction { digits: 3 }, "1.1234567890"),
            (TimestampFormat::Iso8601Millis, "2020-12-08T09:08:57Z"),
            (TimestampFormat::Iso8601Millis, "2020-13-08T09:08:57.715Z"),
            (TimestampFormat::Iso8601Millis, "2020-12-08 09:08:57.715Z"),
            (TimestampFormat::Iso8601Millis, "2020-12-08T09:08:57.715+"),
            (TimestampFormat::Iso8601Millis, "2020-12-08T09:08:57.71éZ"),
        ] {
            let err = format.parse(text).unwrap_err();
            assert!(err.to_string().starts_with("timestamp is not valid"), "{text}: {err}");
        }
    }
}
