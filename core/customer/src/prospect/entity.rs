use crate::error::CustomerError;
use crate::primitives::{CustomerType, KycLevel, KycStatus, KycUpdate, ProspectId, TelegramHandle};
use email::Email;
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProspectEvent {
    Initialized {
        email: Email,
        telegram_handle: TelegramHandle,
        customer_type: CustomerType,
    },
    KycStarted {
        applicant_id: String,
    },
    KycPending {
        applicant_id: String,
    },
    KycOnHold {
        applicant_id: String,
    },
    KycApproved {
        applicant_id: String,
        level: KycLevel,
    },
    KycDeclined {
        applicant_id: String,
        reject_labels: Vec<String>,
    },
    /// Became a customer: after approval, or by staff when the setting allows it.
    Converted {
        manual: bool,
    },
}

/// Someone on the way to becoming a customer.
#[derive(Debug)]
pub struct Prospect {
    pub email: Email,
    pub telegram_handle: TelegramHandle,
    pub customer_type: CustomerType,
    pub kyc_status: KycStatus,
    pub applicant_id: Option<String>,
    pub kyc_level: Option<KycLevel>,
    pub converted: bool,
    events: EntityEvents<ProspectEvent>,
}

pub(crate) struct NewProspect {
    pub id: ProspectId,
    pub email: Email,
    pub telegram_handle: TelegramHandle,
    pub customer_type: CustomerType,
}

impl NewProspect {
    pub fn into_events(self) -> EntityEvents<ProspectEvent> {
        EntityEvents::init(
            self.id,
            [ProspectEvent::Initialized {
                email: self.email,
                telegram_handle: self.telegram_handle,
                customer_type: self.customer_type,
            }],
        )
    }
}

impl Prospect {
    fn record(&mut self, event: ProspectEvent) -> Idempotent<()> {
        if self.events.iter_all().next_back() == Some(&event) {
            return Idempotent::AlreadyApplied;
        }
        self.apply(&event);
        self.events.push(event);
        Idempotent::Executed(())
    }

    fn apply(&mut self, event: &ProspectEvent) {
        match event {
            ProspectEvent::Initialized { .. } => {}
            ProspectEvent::KycStarted { applicant_id } => {
                self.kyc_status = KycStatus::Started;
                self.applicant_id = Some(applicant_id.clone());
            }
            ProspectEvent::KycPending { .. } => self.kyc_status = KycStatus::Pending,
            ProspectEvent::KycOnHold { .. } => self.kyc_status = KycStatus::OnHold,
            ProspectEvent::KycApproved {
                applicant_id,
                level,
            } => {
                self.kyc_status = KycStatus::Approved;
                self.applicant_id = Some(applicant_id.clone());
                self.kyc_level = Some(*level);
            }
            ProspectEvent::KycDeclined { .. } => self.kyc_status = KycStatus::Declined,
            ProspectEvent::Converted { .. } => self.converted = true,
        }
    }

    /// A verification link is for a prospect that is not a customer yet.
    pub fn ensure_open(&self) -> Result<(), CustomerError> {
        if self.converted {
            Err(CustomerError::ProspectAlreadyConverted(self.id()))
        } else {
            Ok(())
        }
    }

    /// What the provider reported about the prospect's applicant. A repeated report appends
    /// nothing, and reports after the conversion are ignored. `Executed(Some(level))` exactly
    /// once: when an approval converts the prospect, so the customer is to be created.
    pub fn record_kyc(
        &mut self,
        applicant_id: &str,
        update: KycUpdate,
    ) -> Result<Idempotent<Option<KycLevel>>, CustomerError> {
        if self.converted {
            return Ok(Idempotent::AlreadyApplied);
        }
        let applicant_id = applicant_id.to_owned();
        let recorded = match update {
            KycUpdate::Started => self.record(ProspectEvent::KycStarted { applicant_id }),
            KycUpdate::Pending => self.record(ProspectEvent::KycPending { applicant_id }),
            KycUpdate::OnHold => self.record(ProspectEvent::KycOnHold { applicant_id }),
            KycUpdate::Declined { reject_labels } => self.record(ProspectEvent::KycDeclined {
                applicant_id,
                reject_labels,
            }),
            KycUpdate::Approved { level } => {
                let _ = self.record(ProspectEvent::KycApproved {
                    applicant_id,
                    level,
                });
                let _ = self.record(ProspectEvent::Converted { manual: false });
                return Ok(Idempotent::Executed(Some(level)));
            }
        };
        Ok(match recorded {
            Idempotent::Executed(()) => Idempotent::Executed(None),
            Idempotent::AlreadyApplied => Idempotent::AlreadyApplied,
        })
    }

    /// Staff convert without the provider's approval, when the setting allows it (`allowed`).
    /// A prospect that is a customer already is left as it is.
    pub fn convert_manually(&mut self, allowed: bool) -> Result<Idempotent<()>, CustomerError> {
        if self.converted {
            return Ok(Idempotent::AlreadyApplied);
        }
        if !allowed {
            return Err(CustomerError::ManualConversionDisabled);
        }
        Ok(self.record(ProspectEvent::Converted { manual: true }))
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }
}

impl EsEntity for Prospect {
    type Id = ProspectId;
    type Event = ProspectEvent;

    fn events(&self) -> &EntityEvents<ProspectEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<ProspectEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<ProspectEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(ProspectEvent::Initialized {
            email,
            telegram_handle,
            customer_type,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let mut prospect = Prospect {
            email: email.clone(),
            telegram_handle: telegram_handle.clone(),
            customer_type: *customer_type,
            kyc_status: KycStatus::NotStarted,
            applicant_id: None,
            kyc_level: None,
            converted: false,
            events: EntityEvents::init(events.entity_id(), []),
        };
        for event in iter {
            if matches!(event, ProspectEvent::Initialized { .. }) {
                return Err(EsEntityError::Inconsistent {
                    entity_id: events.entity_id(),
                    reason: "initialized twice".into(),
                });
            }
            prospect.apply(event);
        }
        prospect.events = events;
        Ok(prospect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prospect() -> Prospect {
        Prospect::try_from_events(
            NewProspect {
                id: ProspectId::new(),
                email: Email::parse("p@lana.dev").unwrap(),
                telegram_handle: TelegramHandle::parse("prospect1").unwrap(),
                customer_type: CustomerType::Individual,
            }
            .into_events(),
        )
        .unwrap()
    }

    #[test]
    fn approval_converts_once() {
        // given a prospect whose KYC started
        let mut p = prospect();
        assert!(
            p.record_kyc("app-1", KycUpdate::Started)
                .unwrap()
                .did_execute()
        );
        // when the approval arrives twice
        let approved = KycUpdate::Approved {
            level: KycLevel::Basic,
        };
        assert_eq!(
            p.record_kyc("app-1", approved.clone()).unwrap(),
            Idempotent::Executed(Some(KycLevel::Basic))
        );
        assert!(
            p.record_kyc("app-1", approved)
                .unwrap()
                .was_already_applied()
        );
        // then it converted once
        let conversions = p
            .events()
            .iter_all()
            .filter(|e| matches!(e, ProspectEvent::Converted { .. }))
            .count();
        assert_eq!(conversions, 1);
        assert_eq!((p.kyc_status, p.converted), (KycStatus::Approved, true));
        assert!(matches!(
            p.ensure_open(),
            Err(CustomerError::ProspectAlreadyConverted(_))
        ));
    }

    #[test]
    fn a_repeated_status_appends_nothing_and_late_updates_are_ignored() {
        let mut p = prospect();
        let mut report = |u| p.record_kyc("a", u).unwrap();
        assert!(report(KycUpdate::Pending).did_execute());
        assert!(report(KycUpdate::Pending).was_already_applied());
        assert!(report(KycUpdate::OnHold).did_execute());
        assert!(report(KycUpdate::Pending).did_execute());
        assert!(
            report(KycUpdate::Declined {
                reject_labels: vec!["FORGERY".into()]
            })
            .did_execute()
        );
        // a declined prospect can still be approved after a resubmission
        assert!(
            report(KycUpdate::Approved {
                level: KycLevel::Basic
            })
            .did_execute()
        );
        assert!(report(KycUpdate::Pending).was_already_applied());
        assert_eq!(p.kyc_status, KycStatus::Approved);
    }

    #[test]
    fn manual_conversion_needs_the_setting_and_happens_once() {
        let mut p = prospect();
        assert!(matches!(
            p.convert_manually(false),
            Err(CustomerError::ManualConversionDisabled)
        ));
        assert!(p.convert_manually(true).unwrap().did_execute());
        assert!(p.convert_manually(true).unwrap().was_already_applied());
        assert!(p.convert_manually(false).unwrap().was_already_applied());
    }
}
