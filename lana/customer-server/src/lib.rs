//! customer-server: the customer GraphQL API on port 5254.
//!
//! `POST /graphql` requires a bearer JWT from the customer realm; everything it serves is scoped
//! to the customer behind the token's subject (linked by verified email at the first login),
//! which resolvers take from the request, never from arguments. An account of anyone else is
//! `NOT_FOUND`, exactly like one that does not exist. `GET /health` is unauthenticated.

use async_graphql::connection::Connection;
use async_graphql::{
    ComplexObject, Context, EmptyMutation, EmptySubscription, Object, Result, Schema, SimpleObject,
};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use core_customer::CustomerId;
use core_deposit::DepositAccountId;
use es::EsEntity;
use graphql_kit::deposit::{Balance, HistoryEntry, history_after, history_connection};
use graphql_kit::{
    ApiServerConfig, GraphqlConfig, authenticate, correlation_id, read_request, reject, respond,
    with_limits,
};
use graphql_kit::{CorrelationId, api_error, internal_error};
use jwt_auth::{JwtConfig, JwtVerifier};
use lana_app::LanaApp;
use std::sync::Arc;
use uuid::Uuid;

pub const NAME: &str = "customer-server";

pub fn default_config() -> ApiServerConfig {
    ApiServerConfig {
        host: "127.0.0.1".into(),
        port: 5254,
        jwt: JwtConfig {
            jwks_url: "http://127.0.0.1:8081/realms/customer/jwks".into(),
            issuer: "http://127.0.0.1:8081/realms/customer".into(),
            audience: "lana-customer".into(),
            ..JwtConfig::default()
        },
        graphql: GraphqlConfig::default(),
    }
}

/// The authenticated customer identity a request acts as.
#[derive(Debug, Clone)]
struct CustomerIdentity {
    subject: String,
    email: Option<String>,
    /// The customer this identity is, if any.
    customer_id: Option<CustomerId>,
}

/// The signed-in customer.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Me {
    /// The identity provider's subject.
    subject: String,
    email: Option<String>,
    /// Unset while this identity is not (yet) a customer of the bank.
    customer_id: Option<Uuid>,
}

/// One of the signed-in customer's deposit accounts.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct DepositAccount {
    id: Uuid,
    public_id: String,
    status: String,
    #[graphql(skip)]
    account: Arc<core_deposit::DepositAccount>,
}

impl From<core_deposit::DepositAccount> for DepositAccount {
    fn from(a: core_deposit::DepositAccount) -> Self {
        Self {
            id: a.id().into(),
            public_id: a.public_id.clone(),
            status: a.status.as_str().to_owned(),
            account: Arc::new(a),
        }
    }
}

fn deposit_error(ctx: &Context<'_>, e: core_deposit::DepositError) -> async_graphql::Error {
    match (e.code(), ctx.data::<CorrelationId>()) {
        ("INTERNAL", Ok(cid)) => internal_error(&cid.0, &e),
        (code, _) => api_error(code, e),
    }
}

fn not_found() -> async_graphql::Error {
    api_error("NOT_FOUND", "no such deposit account")
}

#[ComplexObject]
impl DepositAccount {
    async fn balance(&self, ctx: &Context<'_>) -> Result<Balance> {
        let app = ctx.data::<LanaApp>()?;
        let balance = app
            .deposits()
            .balance(&self.account)
            .await
            .map_err(|e| deposit_error(ctx, e))?;
        Ok(balance.into())
    }

    /// Deposits, withdrawals and reverts, newest first.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, HistoryEntry>> {
        let app = ctx.data::<LanaApp>()?;
        let page = app
            .deposits()
            .history(
                &self.account,
                usize::try_from(first).unwrap_or(1),
                history_after(after)?,
            )
            .await
            .map_err(|e| deposit_error(ctx, e))?;
        Ok(history_connection(page))
    }
}

#[ComplexObject]
impl Me {
    async fn deposit_accounts(&self, ctx: &Context<'_>) -> Result<Vec<DepositAccount>> {
        let Some(customer_id) = ctx.data::<CustomerIdentity>()?.customer_id else {
            return Ok(Vec::new());
        };
        let app = ctx.data::<LanaApp>()?;
        let accounts = app
            .deposits()
            .accounts_of_customer(customer_id)
            .await
            .map_err(|e| deposit_error(ctx, e))?;
        Ok(accounts.into_iter().map(DepositAccount::from).collect())
    }
}

/// The account, if it is the signed-in customer's.
async fn own_account(ctx: &Context<'_>, id: Uuid) -> Result<DepositAccount> {
    let customer_id = ctx
        .data::<CustomerIdentity>()?
        .customer_id
        .ok_or_else(not_found)?;
    let app = ctx.data::<LanaApp>()?;
    app.deposits()
        .account_of_customer(customer_id, DepositAccountId::from(id))
        .await
        .map_err(|e| deposit_error(ctx, e))?
        .map(DepositAccount::from)
        .ok_or_else(not_found)
}

pub struct Query;

#[Object]
impl Query {
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        let identity = ctx.data::<CustomerIdentity>()?;
        Ok(Me {
            subject: identity.subject.clone(),
            email: identity.email.clone(),
            customer_id: identity.customer_id.map(Uuid::from),
        })
    }

    /// One of your deposit accounts (`NOT_FOUND` for any other id).
    async fn deposit_account(&self, ctx: &Context<'_>, id: Uuid) -> Result<DepositAccount> {
        own_account(ctx, id).await
    }

    /// The history of one of your deposit accounts (`NOT_FOUND` for any other id).
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn deposit_account_history(
        &self,
        ctx: &Context<'_>,
        deposit_account_id: Uuid,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, HistoryEntry>> {
        let account = own_account(ctx, deposit_account_id).await?;
        account.history(ctx, first, after).await
    }
}

pub type CustomerSchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub fn build_schema(config: &GraphqlConfig) -> CustomerSchema {
    with_limits(
        Schema::build(Query, EmptyMutation, EmptySubscription),
        config,
    )
    .finish()
}

#[derive(Clone)]
struct CustomerState {
    app: LanaApp,
    verifier: Arc<JwtVerifier>,
    schema: CustomerSchema,
    max_body_bytes: usize,
}

pub fn router(app: LanaApp, verifier: Arc<JwtVerifier>, config: &ApiServerConfig) -> Router {
    let state = CustomerState {
        app: app.clone(),
        verifier,
        schema: build_schema(&config.graphql),
        max_body_bytes: config.graphql.max_body_bytes,
    };
    Router::new()
        .route("/graphql", post(graphql))
        .with_state(state)
        .merge(graphql_kit::health_router(app))
}

async fn graphql(State(state): State<CustomerState>, headers: HeaderMap, body: Body) -> Response {
    let correlation_id = correlation_id(&headers);
    let claims = match authenticate(&state.verifier, &headers, &correlation_id).await {
        Ok(claims) => claims,
        Err(refusal) => return refusal,
    };
    let request = match read_request(&headers, body, state.max_body_bytes, &correlation_id).await {
        Ok(request) => request,
        Err(refusal) => return refusal,
    };
    let customer = match state
        .app
        .customers()
        .customer_for_login(&claims.sub, claims.verified_email())
        .await
    {
        Ok(customer) => customer,
        Err(e) => {
            tracing::error!(correlation_id = %correlation_id.0, error = %e, "customer login lookup failed");
            return reject(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
                &correlation_id,
            );
        }
    };
    let identity = CustomerIdentity {
        email: claims.verified_email().map(str::to_owned),
        subject: claims.sub,
        customer_id: customer.map(|c| c.id()),
    };
    let request = request
        .data(identity)
        .data(state.app.clone())
        .data(correlation_id.clone());
    respond(state.schema.execute(request).await, &correlation_id)
}
