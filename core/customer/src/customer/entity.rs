use crate::error::CustomerError;
use crate::primitives::{CustomerId, CustomerStatus, CustomerType, KycLevel, TelegramHandle};
use email::Email;
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CustomerEvent {
    Initialized {
        email: Email,
        telegram_handle: TelegramHandle,
        customer_type: CustomerType,
        kyc_level: KycLevel,
        applicant_id: Option<String>,
    },
    Frozen,
    Unfrozen,
    Closed,
    EmailUpdated {
        email: Email,
    },
    AuthSubjectLinked {
        subject: String,
    },
}

/// A verified customer of the bank.
#[derive(Debug)]
pub struct Customer {
    pub email: Email,
    pub telegram_handle: TelegramHandle,
    pub customer_type: CustomerType,
    pub kyc_level: KycLevel,
    pub applicant_id: Option<String>,
    pub status: CustomerStatus,
    /// The customer realm's `sub`, linked at the first login.
    pub auth_subject: Option<String>,
    events: EntityEvents<CustomerEvent>,
}

pub(crate) struct NewCustomer {
    pub id: CustomerId,
    pub email: Email,
    pub telegram_handle: TelegramHandle,
    pub customer_type: CustomerType,
    pub kyc_level: KycLevel,
    pub applicant_id: Option<String>,
}

impl NewCustomer {
    pub fn into_events(self) -> EntityEvents<CustomerEvent> {
        EntityEvents::init(
            self.id,
            [CustomerEvent::Initialized {
                email: self.email,
                telegram_handle: self.telegram_handle,
                customer_type: self.customer_type,
                kyc_level: self.kyc_level,
                applicant_id: self.applicant_id,
            }],
        )
    }
}

impl Customer {
    fn not_closed(&self) -> Result<(), CustomerError> {
        if self.status == CustomerStatus::Closed {
            Err(CustomerError::CustomerClosed(self.id()))
        } else {
            Ok(())
        }
    }

    pub fn freeze(&mut self) -> Result<Idempotent<()>, CustomerError> {
        self.not_closed()?;
        if self.status == CustomerStatus::Frozen {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.status = CustomerStatus::Frozen;
        self.events.push(CustomerEvent::Frozen);
        Ok(Idempotent::Executed(()))
    }

    pub fn unfreeze(&mut self) -> Result<Idempotent<()>, CustomerError> {
        self.not_closed()?;
        if self.status == CustomerStatus::Active {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.status = CustomerStatus::Active;
        self.events.push(CustomerEvent::Unfrozen);
        Ok(Idempotent::Executed(()))
    }

    /// Closing is final. The customer's accounts close (or, holding money, freeze) through the
    /// deposit domain's reaction to the published event.
    pub fn close(&mut self) -> Result<Idempotent<()>, CustomerError> {
        if self.status == CustomerStatus::Closed {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.status = CustomerStatus::Closed;
        self.events.push(CustomerEvent::Closed);
        Ok(Idempotent::Executed(()))
    }

    pub fn update_email(&mut self, email: Email) -> Result<Idempotent<()>, CustomerError> {
        self.not_closed()?;
        if self.email == email {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.email = email.clone();
        self.events.push(CustomerEvent::EmailUpdated { email });
        Ok(Idempotent::Executed(()))
    }

    /// A closed customer's login is not linked (they cannot use the portal any more).
    pub fn link_allowed(&self) -> bool {
        self.status != CustomerStatus::Closed
    }

    /// Links the identity provider's subject; a customer keeps the first one.
    pub fn link_auth_subject(&mut self, subject: &str) -> Result<Idempotent<()>, CustomerError> {
        match &self.auth_subject {
            Some(linked) if linked == subject => Ok(Idempotent::AlreadyApplied),
            Some(_) => Err(CustomerError::SubjectMismatch(self.id())),
            None => {
                self.auth_subject = Some(subject.to_owned());
                self.events.push(CustomerEvent::AuthSubjectLinked {
                    subject: subject.to_owned(),
                });
                Ok(Idempotent::Executed(()))
            }
        }
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }
}

impl EsEntity for Customer {
    type Id = CustomerId;
    type Event = CustomerEvent;

    fn events(&self) -> &EntityEvents<CustomerEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<CustomerEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<CustomerEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(CustomerEvent::Initialized {
            email,
            telegram_handle,
            customer_type,
            kyc_level,
            applicant_id,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let (mut email, mut status, mut auth_subject) =
            (email.clone(), CustomerStatus::Active, None);
        for event in iter {
            match event {
                CustomerEvent::Initialized { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "initialized twice".into(),
                    });
                }
                CustomerEvent::Frozen => status = CustomerStatus::Frozen,
                CustomerEvent::Unfrozen => status = CustomerStatus::Active,
                CustomerEvent::Closed => status = CustomerStatus::Closed,
                CustomerEvent::EmailUpdated { email: e } => email = e.clone(),
                CustomerEvent::AuthSubjectLinked { subject } => {
                    auth_subject = Some(subject.clone());
                }
            }
        }
        Ok(Self {
            email,
            telegram_handle: telegram_handle.clone(),
            customer_type: *customer_type,
            kyc_level: *kyc_level,
            applicant_id: applicant_id.clone(),
            status,
            auth_subject,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer() -> Customer {
        Customer::try_from_events(
            NewCustomer {
                id: CustomerId::new(),
                email: Email::parse("c@lana.dev").unwrap(),
                telegram_handle: TelegramHandle::parse("customer1").unwrap(),
                customer_type: CustomerType::Bank,
                kyc_level: KycLevel::Basic,
                applicant_id: None,
            }
            .into_events(),
        )
        .unwrap()
    }

    #[test]
    fn freeze_unfreeze_close() {
        let mut c = customer();
        assert!(c.unfreeze().unwrap().was_already_applied());
        assert!(c.freeze().unwrap().did_execute());
        assert!(c.freeze().unwrap().was_already_applied());
        assert!(c.unfreeze().unwrap().did_execute());
        assert!(c.close().unwrap().did_execute());
        assert!(c.close().unwrap().was_already_applied());
        assert!(matches!(c.freeze(), Err(CustomerError::CustomerClosed(_))));
        assert!(matches!(
            c.update_email(Email::parse("d@lana.dev").unwrap()),
            Err(CustomerError::CustomerClosed(_))
        ));
        let rebuilt = Customer::try_from_events(c.events().clone()).unwrap();
        assert_eq!(rebuilt.status, CustomerStatus::Closed);
    }

    #[test]
    fn the_email_changes_once_and_the_subject_is_kept() {
        let mut c = customer();
        let e = Email::parse("new@lana.dev").unwrap();
        assert!(c.update_email(e.clone()).unwrap().did_execute());
        assert!(c.update_email(e).unwrap().was_already_applied());
        assert!(c.link_auth_subject("s1").unwrap().did_execute());
        assert!(c.link_auth_subject("s1").unwrap().was_already_applied());
        assert!(matches!(
            c.link_auth_subject("s2"),
            Err(CustomerError::SubjectMismatch(_))
        ));
    }
}
