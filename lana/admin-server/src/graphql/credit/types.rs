use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use es::EsEntity;
use graphql_types::credit::Terms;
use uuid::Uuid;

/// A named set of terms. A proposal copies the terms it is made from, so editing a template
/// never changes a facility.
#[derive(SimpleObject)]
pub struct TermsTemplate {
    id: Uuid,
    name: String,
    terms: Terms,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_credit::TermsTemplate> for TermsTemplate {
    fn from(t: core_credit::TermsTemplate) -> Self {
        Self {
            id: t.id().into(),
            name: t.name.as_str().to_owned(),
            terms: Terms::from(&t.terms),
            created_at: t.created_at(),
        }
    }
}
