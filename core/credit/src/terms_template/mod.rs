//! Terms templates: created, edited, listed by staff.

mod entity;
mod repo;

pub use entity::{TermsTemplate, TermsTemplateEvent};
pub(crate) use repo::TermsTemplateRepo;

use crate::Credit;
use crate::error::CreditError;
use crate::primitives::{TemplateName, TermsTemplateId, permissions};
use crate::terms::Terms;
use authz::Actor;
use es::{EsRepoError, ListQuery, Page};

/// A name already taken, as this domain's error.
fn name_taken(e: EsRepoError, name: &TemplateName) -> CreditError {
    match e {
        EsRepoError::UniqueViolation { .. } => {
            CreditError::TemplateNameTaken(name.as_str().to_owned())
        }
        other => other.into(),
    }
}

impl Credit {
    pub async fn create_terms_template(
        &self,
        actor: &Actor,
        name: TemplateName,
        terms: Terms,
    ) -> Result<TermsTemplate, CreditError> {
        use permissions::{TEMPLATES, WRITE};
        let (name, terms) = (&name, &terms);
        self.use_cases
            .command(actor, TEMPLATES, WRITE, || {
                async move |op| {
                    let events =
                        entity::new_template(TermsTemplateId::new(), name.clone(), terms.clone());
                    self.templates
                        .create_in_op(op, events)
                        .await
                        .map_err(|e| name_taken(e, name))
                }
            })
            .await
    }

    /// New name and terms for a template; facilities made from it keep the terms they copied.
    pub async fn update_terms_template(
        &self,
        actor: &Actor,
        id: TermsTemplateId,
        name: TemplateName,
        terms: Terms,
    ) -> Result<TermsTemplate, CreditError> {
        use permissions::{TEMPLATES, WRITE};
        let (name, terms) = (&name, &terms);
        self.use_cases
            .command(actor, TEMPLATES, WRITE, || {
                async move |op| {
                    let mut template = self.templates.find_by_id_in_op(op, id).await?;
                    if template.update(name.clone(), terms.clone())?.did_execute() {
                        self.templates
                            .update_in_op(op, &mut template)
                            .await
                            .map_err(|e| name_taken(e, name))?;
                    }
                    Ok(template)
                }
            })
            .await
    }

    pub async fn find_terms_template(
        &self,
        actor: &Actor,
        id: TermsTemplateId,
    ) -> Result<Option<TermsTemplate>, CreditError> {
        use permissions::{READ, TEMPLATES};
        self.use_cases
            .query(actor, TEMPLATES, READ, async || {
                Ok(self.templates.maybe_find_by_id(id).await?)
            })
            .await
    }

    pub async fn list_terms_templates(
        &self,
        actor: &Actor,
        query: ListQuery,
    ) -> Result<Page<TermsTemplate>, CreditError> {
        use permissions::{READ, TEMPLATES};
        self.use_cases
            .query(actor, TEMPLATES, READ, async || {
                Ok(self.templates.list(query).await?)
            })
            .await
    }
}
