//! The bank's price: asking the exchange (and refusing bad answers), setting the manual price,
//! reading the current one.

mod repo;

pub(crate) use repo::QuoteRepo;

use crate::provider::PriceProvider;
use repo::Accepted;

use crate::Prices;
use crate::error::PriceError;
use crate::primitives::{ProviderKind, ProviderView, RealtimePrice, UsdCentsPerBtc, permissions};
use authz::Actor;
use chrono::{DateTime, Utc};
use es::{DbOp, EsEntity, RowLock};

/// What asking the exchange came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The exchange is not the active provider; it was not asked.
    NotActive,
    /// The price was accepted (and is the bank's price now).
    Accepted(UsdCentsPerBtc),
    /// The answer was refused for this reason; the last good price stays.
    Refused(String),
}

impl Prices {
    fn is_stale(&self, kind: ProviderKind, updated_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        kind == ProviderKind::Exchange && now - updated_at > self.stale_after
    }

    /// The active provider's latest price, and whether it is stale; `None` before it has one.
    pub async fn realtime_price(&self, actor: &Actor) -> Result<Option<RealtimePrice>, PriceError> {
        use permissions::{PRICE, READ};
        self.use_cases
            .query(actor, PRICE, READ, async || self.current_price().await)
            .await
    }

    /// [`Self::realtime_price`] for another domain's read (which authorized its own), e.g.
    /// credit showing a facility's CVL.
    pub async fn current_price(&self) -> Result<Option<RealtimePrice>, PriceError> {
        let Some(provider) = self.providers.find_one_by("active", true).await? else {
            return Err(PriceError::NoActiveProvider);
        };
        let latest = self.quotes.latest_accepted(provider.id()).await?;
        Ok(self.realtime(provider, latest, self.use_cases.clock().now()))
    }

    /// [`Self::realtime_price`] in another domain's use case (which authorized its own action),
    /// read in its transaction: e.g. credit values collateral with it.
    pub async fn price_in_op(&self, op: &mut DbOp) -> Result<Option<RealtimePrice>, PriceError> {
        let Some(provider) = self.providers.find_one_by_in_op(op, "active", true).await? else {
            return Err(PriceError::NoActiveProvider);
        };
        let latest = self.quotes.latest_accepted_in_op(op, provider.id()).await?;
        Ok(self.realtime(provider, latest, op.now()))
    }

    fn realtime(
        &self,
        provider: PriceProvider,
        latest: Option<Accepted>,
        now: DateTime<Utc>,
    ) -> Option<RealtimePrice> {
        latest.map(|latest| RealtimePrice {
            usd_cents_per_btc: latest.price,
            updated_at: latest.observed_at,
            stale: self.is_stale(provider.kind, latest.observed_at, now),
            source: provider.name,
            source_kind: provider.kind,
        })
    }

    /// Sets the manual provider's price; it is the bank's price at once when the manual
    /// provider is active (published), else when staff switch to it.
    pub async fn set_manual_price(
        &self,
        actor: &Actor,
        price: UsdCentsPerBtc,
    ) -> Result<ProviderView, PriceError> {
        use permissions::{MANAGE, PRICE};
        let manual = self
            .use_cases
            .command(actor, PRICE, MANAGE, || {
                async move |op| {
                    let found = self
                        .providers
                        .find_one_by_in_op(op, "kind", ProviderKind::Manual.as_str())
                        .await?
                        .ok_or(PriceError::NoActiveProvider)?;
                    // Shared lock: a switch in flight waits, or commits first and is seen.
                    let manual = self
                        .providers
                        .lock_in_op(op, found.id(), RowLock::Share)
                        .await?;
                    self.quotes
                        .record_in_op(op, manual.id(), Some(price), None)
                        .await?;
                    if manual.active {
                        let now = op.now();
                        self.publisher
                            .price_updated_in_op(
                                op,
                                (manual.id(), &manual.name, manual.kind),
                                price,
                                now,
                            )
                            .await?;
                    }
                    Ok::<_, PriceError>(manual)
                }
            })
            .await?;
        self.view(&manual).await
    }

    /// Asks the exchange for its price when it is the active provider, and records the answer:
    /// accepted (the bank's price, published) or refused with the reason (logged; the last good
    /// price stays). Refused: no answer in time, an HTTP error, not JSON, no last price, zero,
    /// negative, beyond the highest price, or further than the configured jump from the last
    /// accepted price while that one is still fresh.
    pub async fn fetch_now(&self, actor: &Actor) -> Result<Fetched, PriceError> {
        use permissions::{FETCH, PRICE};
        let exchange = self
            .providers
            .find_one_by("kind", ProviderKind::Exchange.as_str())
            .await?;
        let Some(exchange) = exchange.filter(|p| p.active).map(|p| p.id()) else {
            return Ok(Fetched::NotActive);
        };
        // Never inside a transaction: the exchange may take its time.
        let answer = self.client.last_price().await;
        let answer = &answer;
        let fetched = self
            .use_cases
            .command(actor, PRICE, FETCH, || {
                async move |op| {
                    let provider = self
                        .providers
                        .lock_in_op(op, exchange, RowLock::Share)
                        .await?;
                    let now = op.now();
                    // A refusal keeps the price it refused, when there was a usable one.
                    let verdict = match answer {
                        Err(e) => Err((None, e.to_string())),
                        Ok(usd) => match UsdCentsPerBtc::from_usd(*usd) {
                            Err(e) => Err((None, e.to_string())),
                            Ok(price) => {
                                let last =
                                    self.quotes.latest_accepted_in_op(op, provider.id()).await?;
                                let jump = last
                                    .filter(|l| !self.is_stale(provider.kind, l.observed_at, now))
                                    .map(|l| (l.price, price.change_percent_from(l.price)))
                                    .filter(|(_, percent)| *percent > self.max_jump_percent);
                                match jump {
                                    Some((last, percent)) => Err((
                                        Some(price),
                                        format!(
                                            "the price {price} is {percent}% away from the last accepted {last} (at most {}% is accepted)",
                                            self.max_jump_percent
                                        ),
                                    )),
                                    None => Ok(price),
                                }
                            }
                        },
                    };
                    match verdict {
                        Err((price, reason)) => {
                            self.quotes
                                .record_in_op(op, provider.id(), price, Some(&reason))
                                .await?;
                            Ok::<_, PriceError>(Fetched::Refused(reason))
                        }
                        Ok(price) => {
                            self.quotes
                                .record_in_op(op, provider.id(), Some(price), None)
                                .await?;
                            // Recorded either way; the bank's price only while still active.
                            if provider.active {
                                self.publisher
                                    .price_updated_in_op(
                                        op,
                                        (provider.id(), &provider.name, provider.kind),
                                        price,
                                        now,
                                    )
                                    .await?;
                            }
                            Ok(Fetched::Accepted(price))
                        }
                    }
                }
            })
            .await?;
        match &fetched {
            Fetched::Refused(reason) => {
                tracing::warn!(url = self.client.url(), %reason, "exchange price refused; the last good price stays");
            }
            Fetched::Accepted(price) => tracing::debug!(%price, "exchange price accepted"),
            Fetched::NotActive => {}
        }
        Ok(fetched)
    }
}
