//! The settings this domain declares (staff change them at run time, see
//! `core-domain-config`).

use core_domain_config::ConfigKey;

/// Days without a deposit or withdrawal after which an account is inactive.
pub struct InactiveAfterDays;

impl ConfigKey for InactiveAfterDays {
    const KEY: &'static str = "deposit-inactive-after-days";
    const DESCRIPTION: &'static str =
        "Days without a deposit or withdrawal after which an account is inactive (1 to 3650)";
    type Value = u32;
    fn default_value() -> u32 {
        365
    }
    fn validate(days: &u32) -> Result<(), String> {
        if (1..=3650).contains(days) {
            Ok(())
        } else {
            Err("must be between 1 and 3650".into())
        }
    }
}

/// Further days after becoming inactive after which an account is escheatable.
pub struct EscheatableAfterInactiveDays;

impl ConfigKey for EscheatableAfterInactiveDays {
    const KEY: &'static str = "deposit-escheatable-after-inactive-days";
    const DESCRIPTION: &'static str =
        "Further days after becoming inactive after which an account is escheatable (1 to 36500)";
    type Value = u32;
    fn default_value() -> u32 {
        1460
    }
    fn validate(days: &u32) -> Result<(), String> {
        if (1..=36_500).contains(days) {
            Ok(())
        } else {
            Err("must be between 1 and 36500".into())
        }
    }
}
