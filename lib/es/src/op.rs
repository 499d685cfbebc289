use crate::context::EventContext;
use chrono::{DateTime, Utc};
use clock::Clock;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

/// One use case's unit of work: a PostgreSQL transaction, the time the use case happens at (read
/// once from the injected clock, so every row it writes agrees) and who caused it.
pub struct DbOp {
    tx: Transaction<'static, Postgres>,
    now: DateTime<Utc>,
    context: EventContext,
}

impl DbOp {
    pub async fn init(pool: &PgPool, clock: &Clock) -> Result<Self, sqlx::Error> {
        Ok(Self {
            tx: pool.begin().await?,
            now: clock.now(),
            context: EventContext::default(),
        })
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn context(&self) -> &EventContext {
        &self.context
    }

    pub fn set_context(&mut self, context: EventContext) {
        self.context = context;
    }

    /// The transaction's connection, for queries that must be part of the use case.
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    /// Rolls back explicitly; dropping a `DbOp` without committing rolls back too.
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}
