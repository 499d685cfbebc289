//! Customers: frozen, unfrozen, closed, their email changed, linked to the customer realm at the
//! first login. Every change is published (see `public`), so the deposit domain carries freezes
//! and closes to the customer's accounts.

mod entity;
mod repo;

pub(crate) use entity::NewCustomer;
pub use entity::{Customer, CustomerEvent};
pub(crate) use repo::CustomerRepo;

use crate::Customers;
use crate::error::CustomerError;
use crate::primitives::{CustomerId, permissions};
use authz::Actor;
use email::Email;
use es::{DbOp, EsRepoError, Idempotent, ListQuery, Page, RowLock};

/// An email already taken, as this domain's error.
pub(crate) fn email_taken(e: EsRepoError, email: &Email) -> CustomerError {
    match e {
        EsRepoError::UniqueViolation { .. } => CustomerError::CustomerEmailTaken(email.to_string()),
        other => other.into(),
    }
}

impl Customers {
    pub async fn find_customer(
        &self,
        actor: &Actor,
        id: CustomerId,
    ) -> Result<Option<Customer>, CustomerError> {
        use permissions::{CUSTOMERS, READ};
        self.use_cases
            .query(actor, CUSTOMERS, READ, async || {
                Ok(self.customers.maybe_find_by_id(id).await?)
            })
            .await
    }

    pub async fn list_customers(
        &self,
        actor: &Actor,
        query: ListQuery,
    ) -> Result<Page<Customer>, CustomerError> {
        use permissions::{CUSTOMERS, READ};
        self.use_cases
            .query(actor, CUSTOMERS, READ, async || {
                Ok(self.customers.list(query).await?)
            })
            .await
    }

    /// The customer, its row share-locked until the caller's transaction ends: a freeze or close
    /// waits for the caller to commit, or the caller sees it (for other domains' use cases that
    /// depend on the customer's status, e.g. opening an account).
    pub async fn lock_customer_in_op(
        &self,
        op: &mut DbOp,
        id: CustomerId,
    ) -> Result<Customer, CustomerError> {
        Ok(self.customers.lock_in_op(op, id, RowLock::Share).await?)
    }

    async fn change(
        &self,
        actor: &Actor,
        id: CustomerId,
        decide: impl Fn(&mut Customer) -> Result<Idempotent<()>, CustomerError>,
    ) -> Result<Customer, CustomerError> {
        use permissions::{CUSTOMERS, WRITE};
        let decide = &decide;
        self.use_cases
            .command(actor, CUSTOMERS, WRITE, || {
                async move |op| {
                    let mut customer = self.customers.find_by_id_in_op(op, id).await?;
                    if decide(&mut customer)?.did_execute() {
                        let email = customer.email.clone();
                        self.customers
                            .update_in_op(op, &mut customer)
                            .await
                            .map_err(|e| email_taken(e, &email))?;
                    }
                    Ok(customer)
                }
            })
            .await
    }

    pub async fn freeze(&self, actor: &Actor, id: CustomerId) -> Result<Customer, CustomerError> {
        self.change(actor, id, Customer::freeze).await
    }

    pub async fn unfreeze(&self, actor: &Actor, id: CustomerId) -> Result<Customer, CustomerError> {
        self.change(actor, id, Customer::unfreeze).await
    }

    pub async fn close(&self, actor: &Actor, id: CustomerId) -> Result<Customer, CustomerError> {
        self.change(actor, id, Customer::close).await
    }

    pub async fn update_email(
        &self,
        actor: &Actor,
        id: CustomerId,
        email: Email,
    ) -> Result<Customer, CustomerError> {
        self.change(actor, id, |c| c.update_email(email.clone()))
            .await
    }

    /// The customer behind a verified customer-realm token: by the stored subject, else by the
    /// verified email (linking the subject on that first login, as the system). `None`: no such
    /// customer, a closed one, or one linked to another identity.
    pub async fn customer_for_login(
        &self,
        subject: &str,
        verified_email: Option<&str>,
    ) -> Result<Option<Customer>, CustomerError> {
        use permissions::{CUSTOMERS, WRITE};
        if let Some(customer) = self.customers.find_one_by("auth_subject", subject).await? {
            return Ok(Some(customer));
        }
        let Some(email) = verified_email.and_then(|e| Email::parse(e).ok()) else {
            return Ok(None);
        };
        let email = &email;
        let actor = Actor::system("customer.login");
        let linked = self
            .use_cases
            .command(&actor, CUSTOMERS, WRITE, || {
                async move |op| {
                    let found = self
                        .customers
                        .find_one_by_in_op(op, "email", email.as_str())
                        .await?;
                    let Some(mut customer) = found.filter(|c| c.link_allowed()) else {
                        return Ok(None);
                    };
                    if customer.link_auth_subject(subject)?.did_execute() {
                        self.customers.update_in_op(op, &mut customer).await?;
                    }
                    Ok(Some(customer))
                }
            })
            .await;
        match linked {
            Err(CustomerError::SubjectMismatch(id)) => {
                tracing::warn!(customer_id = %id, "login with the verified email of a customer linked to another identity");
                Ok(None)
            }
            other => other,
        }
    }
}
