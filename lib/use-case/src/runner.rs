use crate::error::{DomainError, PlatformError};
use authz::{Actor, Authorization};
use clock::Clock;
use es::{DbOp, EsEntity, EsRepo, EsRepoConfig, EventContext, RetryPolicy};
use idempotency::{Claim, IdempotencyKey};
use serde::Serialize;
use sqlx::PgPool;
use std::future::Future;
use uuid::Uuid;

/// The idempotency of one command: the key the caller sent (if any), the operation it belongs to
/// and the request it must match. Keys are scoped to the operation and the subject.
pub struct Idempotency<'a, R> {
    pub operation: &'static str,
    pub key: Option<&'a IdempotencyKey>,
    pub request: R,
}

/// What an idempotent command claims: the key in its scope, for the request, with the id of the
/// entity it creates; where a replay loads that entity from.
struct Claiming<'a, C: EsRepoConfig, R> {
    scope: &'a str,
    key: &'a IdempotencyKey,
    request: &'a R,
    replay: &'a EsRepo<C>,
    id: Uuid,
}

/// Runs every domain's use cases (see the crate doc).
#[derive(Clone)]
pub struct UseCases {
    pool: PgPool,
    clock: Clock,
    authz: Authorization,
    retry: RetryPolicy,
}

impl UseCases {
    pub fn new(pool: PgPool, clock: Clock, authz: Authorization) -> Self {
        Self {
            pool,
            clock,
            authz,
            retry: RetryPolicy::default(),
        }
    }

    pub fn authz(&self) -> &Authorization {
        &self.authz
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The use case's transaction, with the actor's correlation id on its context, after the
    /// actor was allowed `action` on `object` (the decision is audited in it; a denial is audited
    /// on its own and returned).
    async fn begin(
        &self,
        actor: &Actor,
        object: &str,
        action: &str,
    ) -> Result<DbOp, PlatformError> {
        let mut op = DbOp::init(&self.pool, &self.clock).await?;
        self.authorize_in_op(&mut op, actor, object, action).await?;
        Ok(op)
    }

    /// Authorizes and audits `actor` inside a transaction the caller owns; from here on the
    /// events it writes name the actor, the audit entry and the correlation id.
    pub async fn authorize_in_op(
        &self,
        op: &mut DbOp,
        actor: &Actor,
        object: &str,
        action: &str,
    ) -> Result<(), PlatformError> {
        op.set_context(EventContext {
            correlation_id: actor.correlation_id.clone(),
            ..EventContext::default()
        });
        self.authz
            .enforce_in_op(op, &actor.subject, object, action)
            .await?;
        Ok(())
    }

    /// A change: one transaction (authorize and audit, the use case's body, commit), run again
    /// on a conflict. `body` makes a fresh body for each attempt: `|| async move |op| { .. }`.
    /// (A factory of one-shot async closures, rather than one `AsyncFn`, because the compiler
    /// can prove the resulting futures `Send`, which servers need.)
    pub async fn command<T, E, B>(
        &self,
        actor: &Actor,
        object: &str,
        action: &str,
        body: impl Fn() -> B,
    ) -> Result<T, E>
    where
        E: DomainError,
        B: AsyncFnOnce(&mut DbOp) -> Result<T, E>,
    {
        self.retry(|| self.attempt(actor, object, action, body()))
            .await
    }

    async fn attempt<T, E, B>(
        &self,
        actor: &Actor,
        object: &str,
        action: &str,
        body: B,
    ) -> Result<T, E>
    where
        E: DomainError,
        B: AsyncFnOnce(&mut DbOp) -> Result<T, E>,
    {
        let mut op = self.begin(actor, object, action).await?;
        let value = body(&mut op).await?;
        op.commit().await.map_err(PlatformError::from)?;
        Ok(value)
    }

    /// A change that creates one entity, with the caller's idempotency key. The entity's id is
    /// chosen before the use case runs (`body` gets it, and must give it to the new entity), so
    /// the key is claimed with its result in one statement: used before with the same request,
    /// the entity it made is loaded from `replay` and returned (nothing else happens); with
    /// another request, `IDEMPOTENCY_KEY_REUSED`. Concurrent uses of one key wait for the first
    /// to end.
    pub async fn idempotent_command<C, E, R, B>(
        &self,
        actor: &Actor,
        object: &str,
        action: &str,
        idempotency: Idempotency<'_, R>,
        replay: &EsRepo<C>,
        body: impl Fn(<C::Entity as EsEntity>::Id) -> B,
    ) -> Result<C::Entity, E>
    where
        C: EsRepoConfig,
        E: DomainError,
        R: Serialize,
        B: AsyncFnOnce(&mut DbOp) -> Result<C::Entity, E>,
    {
        let id = Uuid::now_v7();
        let Some(key) = idempotency.key else {
            return self
                .command(actor, object, action, || body(id.into()))
                .await;
        };
        let scope = format!("{}:{}", idempotency.operation, actor.subject);
        let claim = Claiming {
            scope: &scope,
            key,
            request: &idempotency.request,
            replay,
            id,
        };
        self.retry(|| self.idempotent_attempt(actor, object, action, &claim, body(id.into())))
            .await
    }

    async fn idempotent_attempt<C, E, R, B>(
        &self,
        actor: &Actor,
        object: &str,
        action: &str,
        claim: &Claiming<'_, C, R>,
        body: B,
    ) -> Result<C::Entity, E>
    where
        C: EsRepoConfig,
        E: DomainError,
        R: Serialize,
        B: AsyncFnOnce(&mut DbOp) -> Result<C::Entity, E>,
    {
        let mut op = self.begin(actor, object, action).await?;
        let claimed = idempotency::claim_in_op::<Uuid>(
            &mut op,
            claim.scope,
            claim.key,
            claim.request,
            &claim.id,
        )
        .await
        .map_err(PlatformError::from)?;
        let entity = match claimed {
            Claim::Replay(id) => claim
                .replay
                .find_by_id_in_op(&mut op, id.into())
                .await
                .map_err(PlatformError::from)?,
            Claim::New => {
                let entity = body(&mut op).await?;
                debug_assert_eq!(
                    entity.id().into(),
                    claim.id,
                    "the entity takes the claimed id"
                );
                entity
            }
        };
        op.commit().await.map_err(PlatformError::from)?;
        Ok(entity)
    }

    /// A read: authorized and audited (its entry batched with other reads' and committed first;
    /// once per request for each kind of read, see `Actor::read_audited`), then `body`.
    pub async fn query<T, E>(
        &self,
        actor: &Actor,
        object: &str,
        action: &str,
        body: impl AsyncFnOnce() -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: DomainError,
    {
        // A read the request already had audited is still checked, not audited again.
        if !(actor.read_audited(object, action) && self.authz.check(&actor.subject, object, action))
        {
            self.authz
                .enforce(actor, object, action)
                .await
                .map_err(PlatformError::from)?;
            actor.note_read_audited(object, action);
        }
        body().await
    }

    async fn retry<T, E, F>(&self, attempt: impl Fn() -> F) -> Result<T, E>
    where
        E: DomainError,
        F: Future<Output = Result<T, E>>,
    {
        let mut tries = 1;
        loop {
            match attempt().await {
                Err(e) if e.is_retryable() && tries < self.retry.max_attempts => {
                    tracing::debug!(attempt = tries, error = %e, "retrying a use case after a conflict");
                    tokio::time::sleep(self.retry.delay(tries - 1)).await;
                    tries += 1;
                }
                result => return result,
            }
        }
    }
}
