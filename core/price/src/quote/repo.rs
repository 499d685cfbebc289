//! `price_quotes`: every price a provider gave, accepted or refused (append-only).

use crate::primitives::{PriceProviderId, UsdCentsPerBtc};
use chrono::{DateTime, Utc};
use es::DbOp;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Clone)]
pub(crate) struct QuoteRepo {
    pool: PgPool,
}

/// A stored quote: its position in the log, the price and when it was given.
pub(crate) struct Accepted {
    pub id: i64,
    pub price: UsdCentsPerBtc,
    pub observed_at: DateTime<Utc>,
}

pub(crate) struct Refused {
    pub id: i64,
    pub reason: String,
    pub observed_at: DateTime<Utc>,
}

fn price(cents: i64) -> Result<UsdCentsPerBtc, sqlx::Error> {
    u64::try_from(cents)
        .ok()
        .and_then(|c| UsdCentsPerBtc::parse(c).ok())
        .ok_or_else(|| sqlx::Error::Decode(format!("stored price {cents} out of range").into()))
}

impl QuoteRepo {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    pub async fn latest_accepted(
        &self,
        provider: PriceProviderId,
    ) -> Result<Option<Accepted>, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        Self::latest_accepted_on(&mut conn, provider).await
    }

    pub async fn latest_accepted_in_op(
        &self,
        op: &mut DbOp,
        provider: PriceProviderId,
    ) -> Result<Option<Accepted>, sqlx::Error> {
        Self::latest_accepted_on(op.conn(), provider).await
    }

    async fn latest_accepted_on(
        conn: &mut sqlx::PgConnection,
        provider: PriceProviderId,
    ) -> Result<Option<Accepted>, sqlx::Error> {
        let row = sqlx::query!(
            r#"SELECT id, usd_cents_per_btc AS "usd_cents_per_btc!", observed_at FROM price_quotes
               WHERE provider_id = $1 AND refused_reason IS NULL ORDER BY id DESC LIMIT 1"#,
            Uuid::from(provider)
        )
        .fetch_optional(conn)
        .await?;
        row.map(|r| {
            Ok(Accepted {
                id: r.id,
                price: price(r.usd_cents_per_btc)?,
                observed_at: r.observed_at,
            })
        })
        .transpose()
    }

    pub async fn latest_refused(
        &self,
        provider: PriceProviderId,
    ) -> Result<Option<Refused>, sqlx::Error> {
        sqlx::query_as!(
            Refused,
            r#"SELECT id, refused_reason AS "reason!", observed_at FROM price_quotes
               WHERE provider_id = $1 AND refused_reason IS NOT NULL ORDER BY id DESC LIMIT 1"#,
            Uuid::from(provider)
        )
        .fetch_optional(&self.pool)
        .await
    }

    /// Records a quote: accepted when `refused` is `None`; a refused one keeps its price, if it
    /// had a usable one, and the reason.
    pub async fn record_in_op(
        &self,
        op: &mut DbOp,
        provider: PriceProviderId,
        price: Option<UsdCentsPerBtc>,
        refused: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        let cents = price.map(|p| i64::try_from(p.cents()).unwrap_or(i64::MAX));
        let (now, correlation_id) = (op.now(), op.context().correlation_id.clone());
        sqlx::query!(
            r#"INSERT INTO price_quotes (provider_id, usd_cents_per_btc, refused_reason, observed_at, correlation_id)
               VALUES ($1, $2, $3, $4, $5)"#,
            Uuid::from(provider),
            cents,
            refused,
            now,
            correlation_id
        )
        .execute(op.conn())
        .await?;
        Ok(())
    }
}
