//! The tables of business time: the calendar row (last ended day, manual clock), the ended days,
//! and the end-of-day handlers' progress.

use chrono::{DateTime, NaiveDate, Utc};
use es::DbOp;
use sqlx::PgPool;

#[derive(Clone)]
pub(crate) struct EndOfDayRepo {
    pool: PgPool,
}

/// The calendar row, read under its lock.
pub(crate) struct CalendarRow {
    pub last_ended_date: NaiveDate,
    pub manual_now: Option<DateTime<Utc>>,
}

impl EndOfDayRepo {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Creates the calendar row on a new bank: the days before `first_date` are not announced.
    pub async fn ensure_calendar(
        &self,
        first_date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let before_first = first_date.pred_opt().unwrap_or(first_date);
        sqlx::query!(
            "INSERT INTO time_calendar (last_ended_date, updated_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            before_first,
            now
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn calendar(&self) -> Result<CalendarRow, sqlx::Error> {
        sqlx::query_as!(
            CalendarRow,
            "SELECT last_ended_date, manual_now FROM time_calendar"
        )
        .fetch_one(&self.pool)
        .await
    }

    /// The calendar row, locked until `op` ends: one announcer or clock move at a time.
    pub async fn lock_calendar_in_op(&self, op: &mut DbOp) -> Result<CalendarRow, sqlx::Error> {
        sqlx::query_as!(
            CalendarRow,
            "SELECT last_ended_date, manual_now FROM time_calendar FOR UPDATE"
        )
        .fetch_one(op.conn())
        .await
    }

    /// Records `date` as ended at `ended_at` (refused by the primary key if it already was).
    pub async fn record_ended_in_op(
        &self,
        op: &mut DbOp,
        date: NaiveDate,
        ended_at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let now = op.now();
        sqlx::query!(
            "INSERT INTO time_ended_days (date, ended_at, published_at) VALUES ($1, $2, $3)",
            date,
            ended_at,
            now
        )
        .execute(op.conn())
        .await?;
        sqlx::query!(
            "UPDATE time_calendar SET last_ended_date = $1, updated_at = $2",
            date,
            now
        )
        .execute(op.conn())
        .await?;
        Ok(())
    }

    pub async fn set_manual_now_in_op(
        &self,
        op: &mut DbOp,
        manual_now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let now = op.now();
        sqlx::query!(
            "UPDATE time_calendar SET manual_now = $1, updated_at = $2",
            manual_now,
            now
        )
        .execute(op.conn())
        .await?;
        Ok(())
    }

    /// The last day `handler` processed, locked until `op` ends.
    pub async fn handler_last_date_in_op(
        &self,
        op: &mut DbOp,
        handler: &str,
    ) -> Result<Option<NaiveDate>, sqlx::Error> {
        sqlx::query_scalar!(
            "SELECT last_date FROM time_end_of_day_handlers WHERE name = $1 FOR UPDATE",
            handler
        )
        .fetch_optional(op.conn())
        .await
    }

    pub async fn set_handler_date_in_op(
        &self,
        op: &mut DbOp,
        handler: &str,
        date: NaiveDate,
    ) -> Result<(), sqlx::Error> {
        let now = op.now();
        sqlx::query!(
            r#"INSERT INTO time_end_of_day_handlers (name, last_date, updated_at) VALUES ($1, $2, $3)
               ON CONFLICT (name) DO UPDATE SET last_date = $2, updated_at = $3"#,
            handler,
            date,
            now
        )
        .execute(op.conn())
        .await?;
        Ok(())
    }

    /// The first day ever announced.
    pub async fn first_announced(&self) -> Result<Option<NaiveDate>, sqlx::Error> {
        sqlx::query_scalar!("SELECT min(date) FROM time_ended_days")
            .fetch_one(&self.pool)
            .await
    }

    /// The last day each of `handlers` processed.
    pub async fn handler_dates(
        &self,
        handlers: &[&str],
    ) -> Result<Vec<(String, NaiveDate)>, sqlx::Error> {
        let names: Vec<String> = handlers.iter().map(|h| (*h).to_owned()).collect();
        let rows = sqlx::query!(
            "SELECT name, last_date FROM time_end_of_day_handlers WHERE name = ANY($1)",
            &names
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| (r.name, r.last_date)).collect())
    }
}
