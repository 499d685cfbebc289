//! Running lana-cli (and the development OIDC provider) as real processes.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

pub fn lana_cli() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lana-cli"));
    // Only what a test sets may configure the process.
    for (key, _) in std::env::vars() {
        if key.starts_with("LANA_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("RUST_LOG", "info");
    cmd
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run lana-cli")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn empty_db() -> test_db::TestDb {
    test_db::TestDb::new(&es::migrations::combine(&[]).await.unwrap()).await
}

/// A plain HTTP/1.1 GET; returns the status code and body, or None if nothing answers.
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Some((status, body))
}

pub fn wait_for_health(port: u16, child: &mut Child) -> (u16, String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(answer) = http_get(port, "/health") {
            return answer;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("lana-cli exited early with {status}");
        }
        assert!(Instant::now() < deadline, "port {port} never answered");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn wait_for_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("lana-cli did not exit within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// The repository root (for `dev/oidc`).
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// PostgreSQL, the development OIDC provider and `lana-cli serve`, each a real process on
/// loopback, and the fake exchange the bank asks for the BTC/USD price (in this process); all
/// stopped when dropped.
pub struct Stack {
    pub db: test_db::TestDb,
    pub exchange: bitfinex::fake::FakeExchange,
    pub oidc_port: u16,
    pub admin_port: u16,
    pub customer_port: u16,
    pub oidc_state: std::path::PathBuf,
    oidc: Child,
    lana: Child,
    lana_args: Vec<String>,
    lana_log: std::path::PathBuf,
    /// More `lana-cli serve` processes on the same database ([`Stack::start_node`]), with their
    /// admin ports.
    nodes: Vec<(Child, u16)>,
    http: reqwest::Client,
}

/// Starts `lana-cli` with `args`, its output appended to `log`.
fn spawn_lana(args: &[String], log: &std::path::Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    lana_cli()
        .args(args)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("start lana-cli")
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = self.lana.kill();
        for (node, _) in &mut self.nodes {
            let _ = node.kill();
            let _ = node.wait();
        }
        let _ = self.oidc.kill();
        let _ = self.lana.wait();
        let _ = self.oidc.wait();
        let _ = std::fs::remove_dir_all(&self.oidc_state);
        let _ = std::fs::remove_dir_all(self.oidc_state.with_extension("exports"));
        let _ = std::fs::remove_file(&self.lana_log);
    }
}

/// What a GraphQL call returned.
pub struct Reply {
    pub status: u16,
    pub body: serde_json::Value,
    /// The `X-Request-Id` answer header: the request's correlation id.
    pub request_id: Option<String>,
}

impl Reply {
    pub fn data(&self) -> &serde_json::Value {
        assert!(
            self.body["errors"].is_null(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    pub fn error_code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
    }
}

/// The data of a request that must succeed.
pub async fn ok(
    stack: &Stack,
    token: &str,
    query: &str,
    variables: serde_json::Value,
) -> serde_json::Value {
    stack.admin(token, query, variables).await.data().clone()
}

pub fn code(reply: &Reply) -> String {
    reply.error_code().to_owned()
}

pub async fn role_id(stack: &Stack, token: &str, name: &str) -> String {
    let data = ok(
        stack,
        token,
        "{ roles(first: 100) { nodes { id name } } }",
        serde_json::json!({}),
    )
    .await;
    data["roles"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no role {name}"))
}

/// A staff user with `role`, created by `token`'s user; returns the new user's token.
pub async fn staff_user(stack: &Stack, token: &str, email: &str, role: &str) -> String {
    let role = role_id(stack, token, role).await;
    ok(
        stack,
        token,
        "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } } }",
        serde_json::json!({ "input": { "email": email, "roleId": role } }),
    )
    .await;
    stack.token("internal", email).await
}

/// A customer made by manual conversion, with one deposit account; returns (customer, account).
pub async fn customer_with_account(stack: &Stack, token: &str, email: &str) -> (String, String) {
    ok(
        stack,
        token,
        "mutation { domainConfigUpdate(input: { key: \"customer-manual-conversion-allowed\", value: true }) { domainConfig { key } } }",
        serde_json::json!({}),
    )
    .await;
    let handle = format!("tg_{}", email.split('@').next().unwrap());
    let prospect = ok(
        stack,
        token,
        "mutation($input: ProspectCreateInput!) { prospectCreate(input: $input) { prospect { id } } }",
        serde_json::json!({ "input": { "email": email, "telegramHandle": handle, "customerType": "INDIVIDUAL" } }),
    )
    .await["prospectCreate"]["prospect"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let customer = ok(
        stack,
        token,
        "mutation($input: ProspectConvertInput!) { prospectConvert(input: $input) { customer { id status } } }",
        serde_json::json!({ "input": { "prospectId": prospect } }),
    )
    .await["prospectConvert"]["customer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let account = ok(
        stack,
        token,
        "mutation($input: DepositAccountCreateInput!) { depositAccountCreate(input: $input) { account { id } } }",
        serde_json::json!({ "input": { "customerId": customer } }),
    )
    .await["depositAccountCreate"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (customer, account)
}

/// Where each domain account set hangs in `core/accounting/default-chart.csv` (as `dev/demo-data`
/// attaches them).
pub const DEFAULT_ATTACHMENTS: [(&str, &str); 21] = [
    ("deposit-omnibus", "11.01.01"),
    ("credit-payment-omnibus", "11.01.02"),
    ("credit-disbursed-receivable-not-yet-due", "11.02.01"),
    ("credit-disbursed-receivable-due", "11.02.02"),
    ("credit-disbursed-receivable-overdue", "11.02.03"),
    ("credit-disbursed-receivable-defaulted", "11.02.04"),
    ("credit-interest-receivable-not-yet-due", "11.03.01"),
    ("credit-interest-receivable-due", "11.03.02"),
    ("credit-interest-receivable-overdue", "11.03.03"),
    ("credit-interest-receivable-defaulted", "11.03.04"),
    ("deposit-accounts", "21.01"),
    ("deposit-accounts-frozen", "21.02"),
    ("credit-payment-holding", "22.01"),
    ("credit-liquidation-proceeds", "22.02"),
    ("credit-interest-income", "41"),
    ("credit-fee-income", "42"),
    ("credit-facility-omnibus", "71"),
    ("credit-collateral-omnibus", "72"),
    ("credit-uncovered-outstanding", "73"),
    ("credit-facility", "81"),
    ("credit-collateral", "82"),
];

/// The default chart imported, its base configuration set (books from `inception`) and every
/// domain set attached ([`DEFAULT_ATTACHMENTS`]).
pub async fn default_books(stack: &Stack, token: &str, inception: &str) {
    use base64::Engine;
    let chart = std::fs::read(repo_root().join("core/accounting/default-chart.csv")).unwrap();
    ok(
        stack,
        token,
        "mutation($input: ChartOfAccountsCsvImportInput!) { chartOfAccountsCsvImport(input: $input) { chart { name } } }",
        serde_json::json!({ "input": { "fileBase64": base64::engine::general_purpose::STANDARD.encode(chart) } }),
    )
    .await;
    ok(
        stack,
        token,
        "mutation($input: AccountingBaseConfigUpdateInput!) { accountingBaseConfigUpdate(input: $input) { chart { name } } }",
        serde_json::json!({ "input": {
            "assets": "1", "liabilities": "2", "equity": "3", "revenue": "4", "costOfRevenue": "5",
            "expenses": "6", "retainedEarningsGain": "32.01", "retainedEarningsLoss": "32.02",
            "offBalanceSheet": ["7", "8"], "inceptionDate": inception,
        } }),
    )
    .await;
    for (key, code) in DEFAULT_ATTACHMENTS {
        ok(
            stack,
            token,
            "mutation($input: AccountingModuleAttachInput!) { accountingModuleAttach(input: $input) { chart { name } } }",
            serde_json::json!({ "input": { "moduleSetKey": key, "code": code } }),
        )
        .await;
    }
}

impl Stack {
    pub async fn start(superuser: &str) -> Self {
        Self::start_with(superuser, &[]).await
    }

    /// Starts the stack with extra `--set key=value` configuration.
    pub async fn start_with(superuser: &str, settings: &[String]) -> Self {
        let db = empty_db().await;
        let oidc_port = free_port();
        let oidc_state =
            std::env::temp_dir().join(format!("lana-oidc-{}-{oidc_port}", std::process::id()));
        let oidc = Command::new("node")
            .arg(repo_root().join("dev/oidc/server.mjs"))
            .env("OIDC_PORT", oidc_port.to_string())
            .env("OIDC_STATE_DIR", &oidc_state)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the OIDC provider (node; `npm ci --prefix dev/oidc` first)");
        let deadline = Instant::now() + Duration::from_secs(30);
        while http_get(oidc_port, "/health").is_none() {
            assert!(
                Instant::now() < deadline,
                "the OIDC provider never answered"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let exchange = bitfinex::fake::FakeExchange::start(([127, 0, 0, 1], 0).into(), "96500")
            .await
            .unwrap();
        let (admin_port, customer_port) = (free_port(), free_port());
        let issuer = |realm: &str| format!("http://127.0.0.1:{oidc_port}/realms/{realm}");
        let lana_log = oidc_state.with_extension("lana.log");
        let mut lana_args: Vec<String> = vec!["serve".into()];
        for setting in [
            format!("db.pg_con={}", db.url()),
            format!("admin_server.port={admin_port}"),
            format!("customer_server.port={customer_port}"),
            format!("admin_server.jwt.issuer={}", issuer("internal")),
            format!("admin_server.jwt.jwks_url={}/jwks", issuer("internal")),
            format!("customer_server.jwt.issuer={}", issuer("customer")),
            format!("customer_server.jwt.jwks_url={}/jwks", issuer("customer")),
            format!("access.superuser_email={superuser}"),
            format!("price.exchange_url={}", exchange.base_url()),
            format!(
                "accounting.export_dir={}",
                oidc_state.with_extension("exports").display()
            ),
        ]
        .into_iter()
        .chain(settings.iter().cloned())
        {
            lana_args.extend(["--set".into(), setting]);
        }
        let mut stack = Self {
            db,
            exchange,
            oidc_port,
            admin_port,
            customer_port,
            oidc_state,
            oidc,
            lana: spawn_lana(&lana_args, &lana_log),
            lana_args,
            lana_log,
            nodes: Vec::new(),
            // A fresh connection per request: after a 413 the server closes the connection, and a
            // pooled one can race that close (seen as hyper's IncompleteMessage).
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap(),
        };
        let (status, body) = wait_for_health(admin_port, &mut stack.lana);
        assert_eq!(status, 200, "{body}");
        stack
    }

    /// Kills `lana-cli` at once (SIGKILL: no shutdown, transactions in flight are lost), as a
    /// crash would.
    pub fn kill_lana(&mut self) {
        let _ = self.lana.kill();
        let _ = self.lana.wait();
    }

    /// Starts `lana-cli` again on the same database and ports, and waits until it answers.
    pub fn restart_lana(&mut self) {
        self.lana = spawn_lana(&self.lana_args, &self.lana_log);
        let (status, body) = wait_for_health(self.admin_port, &mut self.lana);
        assert_eq!(status, 200, "{body}");
    }

    /// The admin ports of every node: the first one's, then those [`Self::start_node`] started.
    pub fn admin_ports(&self) -> Vec<u16> {
        std::iter::once(self.admin_port)
            .chain(self.nodes.iter().map(|(_, port)| *port))
            .collect()
    }

    /// Starts another `lana-cli serve` on the same database, on ports of its own (its output goes
    /// to the same log); returns its admin port once it answers. Stopped with the stack.
    pub fn start_node(&mut self) -> u16 {
        let (admin_port, customer_port) = (free_port(), free_port());
        let mut args = self.lana_args.clone();
        args.extend([
            "--set".into(),
            format!("admin_server.port={admin_port}"),
            "--set".into(),
            format!("customer_server.port={customer_port}"),
        ]);
        let mut node = spawn_lana(&args, &self.lana_log);
        let (status, body) = wait_for_health(admin_port, &mut node);
        assert_eq!(status, 200, "{body}");
        self.nodes.push((node, admin_port));
        admin_port
    }

    /// The `--set` flags `lana-cli serve` runs with (for another command on the same bank).
    pub fn settings(&self) -> &[String] {
        &self.lana_args[1..]
    }

    /// Adds `--set key=value` flags (later ones win) for the next [`Stack::restart_lana`].
    pub fn configure(&mut self, settings: &[&str]) {
        for setting in settings {
            self.lana_args
                .extend(["--set".into(), (*setting).to_owned()]);
        }
    }

    /// Everything `lana-cli serve` printed (logs included) since the stack started.
    pub fn lana_output(&self) -> String {
        std::fs::read_to_string(&self.lana_log).unwrap_or_default()
    }

    /// A real token for `email` from the realm's token endpoint.
    pub async fn token(&self, realm: &str, email: &str) -> String {
        let (client, secret) = match realm {
            "internal" => ("lana-admin-panel", "dev-admin-secret"),
            _ => ("lana-customer-portal", "dev-customer-secret"),
        };
        let response: serde_json::Value = self
            .http
            .post(format!(
                "http://127.0.0.1:{}/realms/{realm}/token",
                self.oidc_port
            ))
            .form(&[
                ("grant_type", "urn:lana:params:oauth:grant-type:dev-email"),
                ("email", email),
                ("client_id", client),
                ("client_secret", secret),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        response["access_token"]
            .as_str()
            .expect("an access token")
            .to_owned()
    }

    pub async fn post(&self, port: u16, token: Option<&str>, body: Vec<u8>) -> Reply {
        self.post_with(port, token, body, &[]).await
    }

    pub async fn post_with(
        &self,
        port: u16,
        token: Option<&str>,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self
            .http
            .post(format!("http://127.0.0.1:{port}/graphql"))
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let request_id = response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.json().await.unwrap_or(serde_json::Value::Null);
        Reply {
            status,
            body,
            request_id,
        }
    }

    pub async fn admin(&self, token: &str, query: &str, variables: serde_json::Value) -> Reply {
        self.admin_at(self.admin_port, token, query, variables)
            .await
    }

    /// `admin` on the admin server at `port` (another node's).
    pub async fn admin_at(
        &self,
        port: u16,
        token: &str,
        query: &str,
        variables: serde_json::Value,
    ) -> Reply {
        let body = serde_json::json!({ "query": query, "variables": variables });
        self.post(port, Some(token), serde_json::to_vec(&body).unwrap())
            .await
    }

    pub async fn customer(&self, token: &str, query: &str) -> Reply {
        self.customer_with(token, query, serde_json::json!({}))
            .await
    }

    pub async fn customer_with(
        &self,
        token: &str,
        query: &str,
        variables: serde_json::Value,
    ) -> Reply {
        let body = serde_json::json!({ "query": query, "variables": variables });
        self.post(
            self.customer_port,
            Some(token),
            serde_json::to_vec(&body).unwrap(),
        )
        .await
    }

    /// `GET path` on the admin server: (status, content type, body).
    pub async fn admin_get(&self, token: Option<&str>, path: &str) -> (u16, String, String) {
        let mut request = self
            .http
            .get(format!("http://127.0.0.1:{}{path}", self.admin_port));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (
            status,
            content_type,
            response.text().await.unwrap_or_default(),
        )
    }

    /// `admin` with extra request headers (e.g. `Idempotency-Key`).
    pub async fn admin_with(
        &self,
        token: &str,
        query: &str,
        variables: serde_json::Value,
        headers: &[(&str, &str)],
    ) -> Reply {
        let body = serde_json::json!({ "query": query, "variables": variables });
        self.post_with(
            self.admin_port,
            Some(token),
            serde_json::to_vec(&body).unwrap(),
            headers,
        )
        .await
    }

    /// The base URL of the admin server (webhooks).
    pub fn admin_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.admin_port)
    }

    /// The realm's private signing key, to forge tokens the provider would never issue.
    pub fn signing_key(&self, realm: &str) -> jsonwebtoken::EncodingKey {
        let pem = std::fs::read(self.oidc_state.join(format!("{realm}-signing-key.pem"))).unwrap();
        jsonwebtoken::EncodingKey::from_rsa_pem(&pem).unwrap()
    }
}
