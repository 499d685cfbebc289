//! Business time: reading it, and advancing the manual clock.

mod inputs;
mod types;

use crate::request::run;
use async_graphql::{Context, Object, Result};
use core_time::AdvanceDays;
use graphql_kit::invalid_input;
use inputs::TimeAdvanceInput;
use types::{Time, TimeAdvancePayload, TimeAdvanceToNextEndOfDayPayload};

#[derive(Default)]
pub struct TimeQuery;

#[Object]
impl TimeQuery {
    async fn time(&self, ctx: &Context<'_>) -> Result<Time> {
        let t = run(ctx, |app, actor| app.time().time_info(actor)).await?;
        Ok(t.into())
    }
}

#[derive(Default)]
pub struct TimeMutation;

#[Object]
impl TimeMutation {
    /// Moves the manual clock to the end of the current business day and returns once that
    /// day's end-of-day work is done (or says which handlers are behind). Refused with
    /// `CLOCK_NOT_MANUAL` on the real clock.
    async fn time_advance_to_next_end_of_day(
        &self,
        ctx: &Context<'_>,
    ) -> Result<TimeAdvanceToNextEndOfDayPayload> {
        let a = run(ctx, |app, actor| {
            app.time().advance_to_next_end_of_day(actor)
        })
        .await?;
        Ok(a.into())
    }

    /// `timeAdvanceToNextEndOfDay`, `days` times (1 to 31).
    async fn time_advance(
        &self,
        ctx: &Context<'_>,
        input: TimeAdvanceInput,
    ) -> Result<TimeAdvancePayload> {
        let days = AdvanceDays::parse(input.days.into()).map_err(invalid_input)?;
        let a = run(ctx, |app, actor| app.time().advance_days(actor, days)).await?;
        Ok(a.into())
    }
}
