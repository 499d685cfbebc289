//! Fake custodians for tests and the dev stack: one local server speaking the endpoints the
//! adapters use, of a BitGo-style custodian (`/api/v2/{coin}/...`, bearer token checked), a
//! Komainu-style one (`/v1/token`, `/v1/wallets...`, token from the configured user and secret)
//! and an Esplora-style explorer (`/address/{address}`). Tests move balances through this handle
//! and get correctly signed deliveries back ([`Delivery`]) to send, untouched or tampered with.
//! The dev stack drives the `fake-custodians` binary over HTTP: `POST /control/bitgo/transfer`
//! and `POST /control/komainu/balance` (`{"wallet", "balance_sats", "webhook_url",
//! "webhook_secret"}`) move a wallet's balance and deliver the signed webhook;
//! `PUT /control/explorer/{address}` (`{"funded", "spent"}`) sets an address's chain stats.

use crate::{bitgo, komainu};
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use bitcoin::bip32::{DerivationPath, Xpriv, Xpub};
use bitcoin::secp256k1::Secp256k1;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// BIP84's test vector, for tests of self-custody: the mnemonic "abandon" x 11 + "about" gives
/// receive addresses `bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu` (`0/0`) and
/// `bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g` (`0/1`) under its account key
/// `m/84'/0'/0'`, which this derives from the mnemonic with the bitcoin crate (BIP39 seed:
/// PBKDF2-HMAC-SHA512, salt "mnemonic", 2048 rounds), not with the code under test.
pub fn bip84_test_vector_account() -> Result<Xpub, bitcoin::bip32::Error> {
    let mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    let mut seed = [0u8; 64];
    pbkdf2::pbkdf2_hmac::<sha2::Sha512>(mnemonic.as_bytes(), b"mnemonic", 2048, &mut seed);
    let secp = Secp256k1::new();
    let master = Xpriv::new_master(bitcoin::NetworkKind::Main, &seed)?;
    let path: DerivationPath = "m/84'/0'/0'".parse()?;
    let account = master.derive_priv(&secp, &path)?;
    Ok(Xpub::from_priv(&secp, &account))
}

/// The published receive addresses of [`bip84_test_vector_account`], in order.
pub const BIP84_TEST_VECTOR_ADDRESSES: [&str; 2] = [
    "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
    "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g",
];

/// The credentials the fake accepts.
#[derive(Debug, Clone)]
pub struct FakeCredentials {
    pub bitgo_access_token: String,
    pub komainu_api_user: String,
    pub komainu_api_secret: String,
}

impl Default for FakeCredentials {
    fn default() -> Self {
        Self {
            bitgo_access_token: "fake-bitgo-token".into(),
            komainu_api_user: "fake-komainu-user".into(),
            komainu_api_secret: "fake-komainu-secret".into(),
        }
    }
}

/// A webhook ready to send: its headers and raw body.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Delivery {
    /// Posts it to `url`; the answer's status and body.
    pub async fn send(&self, url: &str) -> Result<(u16, String), reqwest::Error> {
        let mut request = reqwest::Client::new().post(url).body(self.body.clone());
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        request = request.header("content-type", "application/json");
        let response = request.send().await?;
        let status = response.status().as_u16();
        Ok((status, response.text().await?))
    }
}

#[derive(Default)]
struct BitgoWallet {
    label: String,
    address: String,
    confirmed: u64,
}

#[derive(Default)]
struct World {
    bitgo_wallets: HashMap<String, BitgoWallet>,
    /// transfer id -> (wallet id, date)
    bitgo_transfers: HashMap<String, (String, DateTime<Utc>)>,
    /// wallet id -> (address, available BTC as text)
    komainu_wallets: HashMap<String, (String, String)>,
    komainu_tokens: Vec<String>,
    /// address -> (funded, spent)
    explorer: HashMap<String, (u64, u64)>,
    next: u64,
}

impl World {
    fn next(&mut self) -> u64 {
        self.next += 1;
        self.next
    }
}

#[derive(Clone)]
struct Shared {
    world: Arc<Mutex<World>>,
    credentials: FakeCredentials,
}

impl Shared {
    fn world(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A running fake; stops when dropped.
pub struct FakeCustodians {
    base_url: String,
    shared: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeCustodians {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeCustodians {
    /// Serves on `addr` (port 0: any free port).
    pub async fn start(addr: SocketAddr, credentials: FakeCredentials) -> std::io::Result<Self> {
        let shared = Shared {
            world: Arc::default(),
            credentials,
        };
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let router = Router::new()
            .route("/api/v2/{coin}/wallet/generate", post(bitgo_generate))
            .route("/api/v2/{coin}/wallet/{id}", get(bitgo_wallet))
            .route(
                "/api/v2/{coin}/wallet/{id}/transfer/{transfer}",
                get(bitgo_transfer),
            )
            .route("/v1/token", post(komainu_token))
            .route("/v1/wallets", post(komainu_open))
            .route("/v1/wallets/{id}", get(komainu_wallet))
            .route("/address/{address}", get(explorer_address))
            .route("/control/bitgo/transfer", post(control_bitgo))
            .route("/control/komainu/balance", post(control_komainu))
            .route("/control/explorer/{address}", put(control_explorer))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self {
            base_url,
            shared,
            server,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn credentials(&self) -> &FakeCredentials {
        &self.shared.credentials
    }

    /// The BitGo wallets generated so far: (id, label, receive address).
    pub fn bitgo_wallets(&self) -> Vec<(String, String, String)> {
        self.shared
            .world()
            .bitgo_wallets
            .iter()
            .map(|(id, w)| (id.clone(), w.label.clone(), w.address.clone()))
            .collect()
    }

    /// A confirmed transfer dated `date` that leaves `wallet_id` with `confirmed` satoshis; the
    /// signed notification of it under `secret`.
    pub fn bitgo_transfer(
        &self,
        wallet_id: &str,
        confirmed: u64,
        date: DateTime<Utc>,
        secret: &str,
    ) -> Delivery {
        bitgo_move(&mut self.shared.world(), wallet_id, confirmed, date, secret)
    }

    /// Sets a Komainu wallet's available balance (decimal BTC text); the signed
    /// `BALANCE_UPDATED` notification under `secret`, stamped `signed_at`.
    pub fn komainu_balance(
        &self,
        wallet_id: &str,
        available_btc: &str,
        signed_at: DateTime<Utc>,
        secret: &str,
    ) -> Delivery {
        komainu_move(
            &mut self.shared.world(),
            wallet_id,
            available_btc,
            signed_at,
            secret,
        )
    }

    /// The Komainu wallets opened so far: (id, address).
    pub fn komainu_wallets(&self) -> Vec<(String, String)> {
        self.shared
            .world()
            .komainu_wallets
            .iter()
            .map(|(id, (address, _))| (id.clone(), address.clone()))
            .collect()
    }

    /// Sets an address's confirmed chain stats on the explorer.
    pub fn explorer_set(&self, address: &str, funded: u64, spent: u64) {
        self.shared
            .world()
            .explorer
            .insert(address.to_owned(), (funded, spent));
    }
}

fn bitgo_move(
    world: &mut World,
    wallet_id: &str,
    confirmed: u64,
    date: DateTime<Utc>,
    secret: &str,
) -> Delivery {
    let transfer = format!("{:024x}", world.next());
    if let Some(wallet) = world.bitgo_wallets.get_mut(wallet_id) {
        wallet.confirmed = confirmed;
    }
    world
        .bitgo_transfers
        .insert(transfer.clone(), (wallet_id.to_owned(), date));
    let body = json!({
        "hash": format!("{:064x}", world.next()),
        "transfer": transfer,
        "coin": "tbtc4",
        "type": "transfer",
        "state": "confirmed",
        "wallet": wallet_id,
        "transferType": "receive",
    })
    .to_string()
    .into_bytes();
    Delivery {
        headers: vec![(
            bitgo::SIGNATURE_HEADER.into(),
            bitgo::sign_webhook(secret, &body),
        )],
        body,
    }
}

fn komainu_move(
    world: &mut World,
    wallet_id: &str,
    available_btc: &str,
    signed_at: DateTime<Utc>,
    secret: &str,
) -> Delivery {
    if let Some(wallet) = world.komainu_wallets.get_mut(wallet_id) {
        wallet.1 = available_btc.to_owned();
    }
    let body = json!({ "event": komainu::BALANCE_UPDATED, "wallet_id": wallet_id })
        .to_string()
        .into_bytes();
    let ts = signed_at.timestamp();
    Delivery {
        headers: vec![
            (komainu::TIMESTAMP_HEADER.into(), ts.to_string()),
            (
                komainu::SIGNATURE_HEADER.into(),
                komainu::sign_webhook(secret, ts, &body),
            ),
        ],
        body,
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

async fn bitgo_generate(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> Response {
    if bearer(&headers) != Some(shared.credentials.bitgo_access_token.as_str()) {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let label = body.get("label").and_then(|l| l.as_str()).unwrap_or("");
    if label.is_empty() || body.get("enterprise").is_none() || body.get("passphrase").is_none() {
        return error(
            StatusCode::BAD_REQUEST,
            "label, enterprise and passphrase are required",
        );
    }
    let mut world = shared.world();
    let n = world.next();
    let id = format!("{n:032x}");
    let address = format!("tb1qfakebitgo{n:028}");
    world.bitgo_wallets.insert(
        id.clone(),
        BitgoWallet {
            label: label.to_owned(),
            address: address.clone(),
            confirmed: 0,
        },
    );
    Json(
        json!({ "wallet": { "id": id, "label": label, "receiveAddress": { "address": address } } }),
    )
    .into_response()
}

async fn bitgo_wallet(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path((_coin, id)): Path<(String, String)>,
) -> Response {
    if bearer(&headers) != Some(shared.credentials.bitgo_access_token.as_str()) {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    match shared.world().bitgo_wallets.get(&id) {
        Some(w) => Json(json!({
            "id": id,
            "confirmedBalance": w.confirmed,
            "confirmedBalanceString": w.confirmed.to_string(),
            "balance": w.confirmed,
        }))
        .into_response(),
        None => error(StatusCode::NOT_FOUND, "wallet not found"),
    }
}

async fn bitgo_transfer(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path((_coin, wallet, transfer)): Path<(String, String, String)>,
) -> Response {
    if bearer(&headers) != Some(shared.credentials.bitgo_access_token.as_str()) {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    match shared.world().bitgo_transfers.get(&transfer) {
        Some((owner, date)) if *owner == wallet => Json(json!({
            "id": transfer,
            "wallet": owner,
            "state": "confirmed",
            "date": date.to_rfc3339(),
        }))
        .into_response(),
        _ => error(StatusCode::NOT_FOUND, "transfer not found"),
    }
}

async fn komainu_token(
    State(shared): State<Shared>,
    Json(body): Json<serde_json::Value>,
) -> Response {
    let user = body.get("api_user").and_then(|v| v.as_str());
    let secret = body.get("api_secret").and_then(|v| v.as_str());
    if user != Some(shared.credentials.komainu_api_user.as_str())
        || secret != Some(shared.credentials.komainu_api_secret.as_str())
    {
        return error(StatusCode::UNAUTHORIZED, "invalid credentials");
    }
    let mut world = shared.world();
    let token = format!("komainu-token-{}", world.next());
    world.komainu_tokens.push(token.clone());
    Json(json!({ "access_token": token, "expires_in": 3600 })).into_response()
}

fn komainu_authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    bearer(headers).is_some_and(|t| shared.world().komainu_tokens.iter().any(|k| k == t))
}

async fn komainu_open(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> Response {
    if !komainu_authorized(&shared, &headers) {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    if body
        .get("label")
        .and_then(|l| l.as_str())
        .is_none_or(str::is_empty)
    {
        return error(StatusCode::BAD_REQUEST, "a label is required");
    }
    let mut world = shared.world();
    let n = world.next();
    let id = format!("kmn-{n:08}");
    let address = format!("tb1qfakekomainu{n:026}");
    world
        .komainu_wallets
        .insert(id.clone(), (address.clone(), "0".into()));
    Json(json!({ "id": id, "address": address })).into_response()
}

async fn komainu_wallet(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !komainu_authorized(&shared, &headers) {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    match shared.world().komainu_wallets.get(&id) {
        Some((address, available)) => Json(json!({
            "id": id,
            "address": address,
            "balance": { "available": available },
        }))
        .into_response(),
        None => error(StatusCode::NOT_FOUND, "wallet not found"),
    }
}

async fn explorer_address(State(shared): State<Shared>, Path(address): Path<String>) -> Response {
    let (funded, spent) = shared
        .world()
        .explorer
        .get(&address)
        .copied()
        .unwrap_or_default();
    Json(json!({
        "address": address,
        "chain_stats": { "funded_txo_sum": funded, "spent_txo_sum": spent, "tx_count": 0 },
        "mempool_stats": { "funded_txo_sum": 0, "spent_txo_sum": 0, "tx_count": 0 },
    }))
    .into_response()
}

#[derive(Deserialize)]
struct MoveRequest {
    wallet: String,
    balance_sats: u64,
    webhook_url: String,
    webhook_secret: String,
}

async fn deliver(delivery: Delivery, url: &str) -> Response {
    match delivery.send(url).await {
        Ok((status, body)) => Json(json!({ "delivered": status, "answer": body })).into_response(),
        Err(e) => error(StatusCode::BAD_GATEWAY, &e.to_string()),
    }
}

async fn control_bitgo(State(shared): State<Shared>, Json(r): Json<MoveRequest>) -> Response {
    let delivery = bitgo_move(
        &mut shared.world(),
        &r.wallet,
        r.balance_sats,
        Utc::now(),
        &r.webhook_secret,
    );
    deliver(delivery, &r.webhook_url).await
}

async fn control_komainu(State(shared): State<Shared>, Json(r): Json<MoveRequest>) -> Response {
    let btc =
        rust_decimal::Decimal::from(r.balance_sats) / rust_decimal::Decimal::from(100_000_000u64);
    let delivery = komainu_move(
        &mut shared.world(),
        &r.wallet,
        &btc.to_string(),
        Utc::now(),
        &r.webhook_secret,
    );
    deliver(delivery, &r.webhook_url).await
}

#[derive(Deserialize)]
struct ChainStats {
    funded: u64,
    spent: u64,
}

async fn control_explorer(
    State(shared): State<Shared>,
    Path(address): Path<String>,
    Json(stats): Json<ChainStats>,
) -> StatusCode {
    shared
        .world()
        .explorer
        .insert(address, (stats.funded, stats.spent));
    StatusCode::NO_CONTENT
}
