//! An Esplora-style block explorer, for the addresses the bank derives itself:
//! `GET /address/{address}` gives `chain_stats.funded_txo_sum` and `chain_stats.spent_txo_sum`
//! (satoshis, confirmed transactions only), so the confirmed balance is funded - spent.

use crate::{CustodianApiError, base, http_client, read_json, sats_field};

#[derive(Clone)]
pub struct EsploraClient {
    http: reqwest::Client,
    base_url: String,
}

impl EsploraClient {
    pub fn new(base_url: &str) -> Result<Self, CustodianApiError> {
        Ok(Self {
            http: http_client()?,
            base_url: base(base_url),
        })
    }

    /// The confirmed balance of an address in satoshis.
    pub async fn confirmed_balance(&self, address: &str) -> Result<u64, CustodianApiError> {
        let answer = read_json(
            self.http
                .get(format!("{}/address/{address}", self.base_url)),
        )
        .await?;
        let stats = answer
            .get("chain_stats")
            .ok_or_else(|| CustodianApiError::BadResponse("`chain_stats` is missing".into()))?;
        let funded = sats_field(stats, "funded_txo_sum")?;
        let spent = sats_field(stats, "spent_txo_sum")?;
        funded
            .checked_sub(spent)
            .ok_or_else(|| CustodianApiError::BadResponse("more was spent than was funded".into()))
    }
}
