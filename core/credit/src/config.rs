//! The settings this domain declares (staff change them at run time, see
//! `core-domain-config`).

use core_domain_config::ConfigKey;

/// How many facilities the end of day services per transaction: each batch commits with the
/// record that its facilities were serviced that day, so a crash keeps what was done and memory
/// stays bounded whatever the number of facilities.
pub struct EndOfDayBatch;

impl ConfigKey for EndOfDayBatch {
    const KEY: &'static str = "credit-end-of-day-batch";
    const DESCRIPTION: &'static str =
        "Facilities serviced per transaction at the end of each day (1 to 1000)";
    type Value = u32;
    fn default_value() -> u32 {
        100
    }
    fn validate(size: &u32) -> Result<(), String> {
        if (1..=1000).contains(size) {
            Ok(())
        } else {
            Err("must be between 1 and 1000".into())
        }
    }
}

/// How far above its margin-call threshold an active facility under margin call must come back
/// before it counts as fully collateralized again, so that a price moving around the threshold
/// does not flip the state (and call the customer) on every change.
pub struct MarginCallUpgradeBuffer;

impl ConfigKey for MarginCallUpgradeBuffer {
    const KEY: &'static str = "credit-margin-call-upgrade-buffer";
    const DESCRIPTION: &'static str = "Percentage points of CVL above the margin-call threshold a facility under margin call must reach to be fully collateralized again (0 to 1000)";
    type Value = u32;
    fn default_value() -> u32 {
        5
    }
    fn validate(points: &u32) -> Result<(), String> {
        if *points <= 1000 {
            Ok(())
        } else {
            Err("must be between 0 and 1000".into())
        }
    }
}
