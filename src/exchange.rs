//! What cexsign knows about one exchange, written down once as data: an [`Exchange`].
//!
//! Each exchange's home (`src/exchanges/<exchange>/`) publishes one `Exchange` per scheme it
//! signs with, and the registry (`src/exchanges/mod.rs`) lists them. The engines — the
//! rejection classifier, server-time sync, the diagnosis, the local exchange and the CLI —
//! read these descriptions instead of naming exchanges, so adding an exchange is a new home and
//! one registry line.

use crate::recipe::{NotARecipe, Recipe};

/// Everything the engines need to know about one scheme of one exchange.
///
/// Reached through [`Scheme::exchange`](crate::Scheme::exchange).
///
/// ```
/// use cexsign::Scheme;
/// let okx = Scheme::Okx.exchange();
/// assert_eq!(okx.id, "okx");
/// assert_eq!(okx.name, "OKX");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Exchange {
    /// The stable id, as in the conformance vectors' file names (`"okx"`, `"coinbase_cdp_jwt"`).
    pub id: &'static str,
    /// A human name (`"Coinbase Exchange"`).
    pub name: &'static str,
    /// How a REST request is signed, as data ([`Recipe`]): what the diagnosis mutates and a test
    /// checks the signer against. Coinbase CDP keys sign a JWT instead ([`NotARecipe`] says why).
    pub recipe: Result<Recipe, NotARecipe>,
}
