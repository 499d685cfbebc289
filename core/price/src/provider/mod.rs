//! Price providers: listing them, switching the active one, creating them on a new bank.

mod entity;
mod repo;

pub use entity::{PriceProvider, PriceProviderEvent};
pub(crate) use repo::PriceProviderRepo;

use crate::Prices;
use crate::error::PriceError;
use crate::primitives::{PriceProviderId, ProviderKind, ProviderView, permissions};
use authz::Actor;
use entity::NewPriceProvider;
use es::{DbOp, EsEntity, ListQuery, RowLock};

/// The providers every bank has: (name, kind).
const PROVIDERS: [(&str, ProviderKind); 2] = [
    ("bitfinex", ProviderKind::Exchange),
    ("manual", ProviderKind::Manual),
];

impl Prices {
    /// Creates the missing providers; on a new bank the configured one starts active.
    pub(crate) async fn ensure_providers(&self, initial: ProviderKind) -> Result<(), PriceError> {
        for (name, kind) in PROVIDERS {
            if self.providers.find_one_by("name", name).await?.is_some() {
                continue;
            }
            let new = NewPriceProvider {
                id: PriceProviderId::new(),
                name: name.to_owned(),
                kind,
                active: kind == initial,
            };
            match self.providers.create(new.into_events()).await {
                // Another process created it at the same time.
                Ok(_) | Err(es::EsRepoError::UniqueViolation { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    pub async fn providers(&self, actor: &Actor) -> Result<Vec<ProviderView>, PriceError> {
        use permissions::{PROVIDERS, READ};
        self.use_cases
            .query(actor, PROVIDERS, READ, async || {
                let mut views = Vec::new();
                for provider in self.providers.list(ListQuery::first(100)).await?.entities {
                    views.push(self.view(&provider).await?);
                }
                Ok(views)
            })
            .await
    }

    /// Makes `id` the active provider (the other one stops); the same again changes nothing.
    /// The bank's price becomes the provider's latest one (published); switching to the
    /// exchange also asks it at once.
    pub async fn activate_provider(
        &self,
        actor: &Actor,
        id: PriceProviderId,
    ) -> Result<ProviderView, PriceError> {
        use permissions::{MANAGE, PROVIDERS};
        let provider = self
            .use_cases
            .command(actor, PROVIDERS, MANAGE, || {
                async move |op| {
                    let mut all = self.lock_providers_in_op(op).await?;
                    let Some(at) = all.iter().position(|p| p.id() == id) else {
                        return Err(PriceError::from(es::EsRepoError::NotFound {
                            entity: "price provider",
                            id: id.to_string(),
                        }));
                    };
                    let mut target = all.swap_remove(at);
                    if target.activate().was_already_applied() {
                        return Ok(target);
                    }
                    // The active one steps down first: the index allows one active at a time.
                    for other in all.iter_mut() {
                        if other.deactivate().did_execute() {
                            self.providers.update_in_op(op, other).await?;
                        }
                    }
                    self.providers.update_in_op(op, &mut target).await?;
                    if let Some(latest) = self.quotes.latest_accepted_in_op(op, id).await? {
                        self.publisher
                            .price_updated_in_op(
                                op,
                                (id, &target.name, target.kind),
                                latest.price,
                                latest.observed_at,
                            )
                            .await?;
                    }
                    Ok(target)
                }
            })
            .await?;
        if provider.kind == ProviderKind::Exchange {
            let fetcher = Actor::system(crate::jobs::FetchPriceJob::JOB_TYPE)
                .with_correlation_id(actor.correlation_id.clone());
            if let Err(error) = self.fetch_now(&fetcher).await {
                tracing::warn!(%error, "cannot ask the exchange after switching to it");
            }
        }
        self.view(&provider).await
    }

    /// Every provider, locked for update in id order (switching is serialized).
    async fn lock_providers_in_op(&self, op: &mut DbOp) -> Result<Vec<PriceProvider>, PriceError> {
        let mut ids: Vec<PriceProviderId> = self
            .providers
            .list_in_op(op, ListQuery::first(100))
            .await?
            .entities
            .iter()
            .map(|p| p.id())
            .collect();
        ids.sort_by_key(|id| uuid::Uuid::from(*id));
        let mut locked = Vec::with_capacity(ids.len());
        for id in ids {
            locked.push(self.providers.lock_in_op(op, id, RowLock::Update).await?);
        }
        Ok(locked)
    }

    pub(crate) async fn view(&self, provider: &PriceProvider) -> Result<ProviderView, PriceError> {
        let accepted = self.quotes.latest_accepted(provider.id()).await?;
        let refused = self.quotes.latest_refused(provider.id()).await?;
        let accepted_id = accepted.as_ref().map_or(0, |a| a.id);
        Ok(ProviderView {
            id: provider.id(),
            name: provider.name.clone(),
            kind: provider.kind,
            active: provider.active,
            last_price: accepted.map(|a| (a.price, a.observed_at)),
            last_refusal: refused
                .filter(|r| r.id > accepted_id)
                .map(|r| (r.observed_at, r.reason)),
        })
    }
}
