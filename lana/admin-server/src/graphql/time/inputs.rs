use async_graphql::InputObject;

#[derive(InputObject)]
pub struct TimeAdvanceInput {
    /// Business days to advance by, 1 to 31; each day's end-of-day work finishes before the next.
    pub(super) days: i32,
}
