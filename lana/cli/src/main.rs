//! `lana-cli`: the one binary operators run.

mod config;

use anyhow::Context;
use clap::{Parser, Subcommand};
use clock::{Clock, ManualClock};
use config::Config;
use jwt_auth::JwtVerifier;
use lana_app::LanaApp;
use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Parser)]
#[command(name = "lana-cli", version, about = "Operate the Lana banking core")]
struct Cli {
    /// YAML configuration file; unknown keys are errors.
    #[arg(short, long, env = "LANA_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Override one setting, e.g. `--set admin_server.port=6253` (repeatable; wins over the file
    /// and over LANA__SECTION__KEY environment variables).
    #[arg(long = "set", value_name = "KEY=VALUE", global = true)]
    set: Vec<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run admin-server and customer-server until SIGINT or SIGTERM.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the default configuration as YAML.
    DumpDefaultConfig,
    /// Print the effective configuration (defaults, file, environment, flags), password hidden.
    ShowConfig,
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Custody administration.
    #[command(subcommand)]
    Custody(CustodyCommand),
}

#[derive(Subcommand)]
enum CustodyCommand {
    /// Re-encrypt every stored custodian secret under a new key, in one transaction (the
    /// configured `custody.encryption_key` must be the current one). Then configure the new key
    /// and restart every server: the old one is refused from now on.
    RotateKey {
        /// A file holding the new key: 64 hexadecimal characters (kept out of the shell's
        /// history and the process list).
        #[arg(long)]
        new_key_file: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Chain pending entries, recompute the whole hash chain and report the first mismatch
    /// (exit code 3 when the log was tampered with).
    Verify,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, skipping a cause whose text the message already holds.
fn describe(error: &anyhow::Error) -> String {
    let mut message = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !message.contains(&cause) {
            message.push_str(": ");
            message.push_str(&cause);
        }
    }
    message
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::DumpDefaultConfig = cli.command {
        print!("{}", serde_yaml::to_string(&Config::default())?);
        return Ok(());
    }
    let config = Config::load(cli.config.as_deref(), std::env::vars(), &cli.set)?;
    match cli.command {
        Command::DumpDefaultConfig => unreachable!("handled above"),
        Command::ShowConfig => {
            print!("{}", config.to_redacted_yaml());
            Ok(())
        }
        Command::Migrate => {
            let _telemetry = telemetry::init(&config.tracing)?;
            let pool = lana_app::connect(&config.db).await?;
            let applied = lana_app::migrate(&pool).await?;
            match applied.last() {
                Some(last) => println!(
                    "schema is current: {} migrations applied, latest {} ({})",
                    applied.len(),
                    last.version,
                    last.description
                ),
                None => println!("schema is current: no migrations"),
            }
            pool.close().await;
            Ok(())
        }
        Command::Serve => {
            let _telemetry = telemetry::init(&config.tracing)?;
            serve(config).await
        }
        Command::Custody(CustodyCommand::RotateKey { new_key_file }) => {
            let _telemetry = telemetry::init(&config.tracing)?;
            let text = std::fs::read_to_string(&new_key_file)
                .with_context(|| format!("cannot read {}", new_key_file.display()))?;
            let new = core_custody::EncryptionKey::parse(&text)?;
            let app = start_app(&config).await?;
            let actor = authz::Actor::system("lana-cli.custody-rotate-key");
            let moved = app.custody().rotate_encryption_key(&actor, &new).await;
            app.shutdown().await;
            println!(
                "custody secrets of {} custodians re-encrypted under the key with fingerprint {}; set custody.encryption_key to it and restart every server",
                moved?,
                new.fingerprint()
            );
            Ok(())
        }
        Command::Audit(AuditCommand::Verify) => {
            let _telemetry = telemetry::init(&config.tracing)?;
            let app = start_app(&config).await?;
            let report = app.audit().verify().await?;
            app.shutdown().await;
            match report.first_mismatch {
                None => {
                    println!(
                        "audit log intact: {} entries chained, {} not yet chained (transactions still running)",
                        report.checked, report.unsealed
                    );
                    Ok(())
                }
                Some(mismatch) => {
                    println!(
                        "audit log TAMPERED: {mismatch} ({} entries before it are intact)",
                        report.checked
                    );
                    std::process::exit(3);
                }
            }
        }
    }
}

/// The app on the clock the configuration names: the real one, or a manual one that continues
/// from where the bank's simulation stood.
async fn start_app(config: &Config) -> anyhow::Result<LanaApp> {
    let Some(start) = config.time.manual_start() else {
        return Ok(LanaApp::init(&config.app(), Clock::real()).await?);
    };
    let (clock, manual): (Clock, ManualClock) = Clock::manual(start);
    let app = LanaApp::init(&config.app(), clock).await?;
    app.attach_manual_clock(manual).await?;
    tracing::info!(now = %app.clock().now(), "running on the manual clock");
    Ok(app)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    // Bind first: a busy port fails startup before anything else happens.
    let admin_listener =
        http_server::bind(admin_server::NAME, &config.admin_server.listen()).await?;
    let customer_listener =
        http_server::bind(customer_server::NAME, &config.customer_server.listen()).await?;
    let app = start_app(&config).await?;
    let admin_verifier = Arc::new(JwtVerifier::new(config.admin_server.jwt.clone())?);
    let customer_verifier = Arc::new(JwtVerifier::new(config.customer_server.jwt.clone())?);
    tokio::join!(admin_verifier.prefetch(), customer_verifier.prefetch());
    let background = app.start_background();

    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn({
        let stop_tx = stop_tx.clone();
        async move {
            match shutdown_signal().await {
                Ok(signal) => tracing::info!(signal, "shutting down"),
                Err(e) => {
                    tracing::error!(error = %e, "cannot listen for shutdown signals; stopping")
                }
            }
            let _ = stop_tx.send(true);
        }
    });
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    // A server that fails stops the other one too.
    let serve_one = |name: &'static str, listener, router| {
        let (stop, stop_tx) = (stopped(stop_rx.clone()), &stop_tx);
        async move {
            let result = http_server::serve(name, listener, router, stop).await;
            if result.is_err() {
                let _ = stop_tx.send(true);
            }
            result
        }
    };
    let admin = serve_one(
        admin_server::NAME,
        admin_listener,
        admin_server::router(app.clone(), admin_verifier, &config.admin_server),
    );
    let customer = serve_one(
        customer_server::NAME,
        customer_listener,
        customer_server::router(app.clone(), customer_verifier, &config.customer_server),
    );
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    let outcome = with_grace_period(
        async { tokio::join!(admin, customer) },
        stopped(stop_rx.clone()),
        grace,
    )
    .await;
    background.shutdown().await;
    app.shutdown().await;
    match outcome {
        Some((admin, customer)) => {
            admin.context("admin-server failed")?;
            customer.context("customer-server failed")?;
        }
        None => tracing::warn!(?grace, "grace period over; exiting with requests in flight"),
    }
    Ok(())
}

/// Runs `work` to completion, unless `stop` fires and `work` then takes longer than `grace`.
async fn with_grace_period<T>(
    work: impl Future<Output = T>,
    stop: impl Future<Output = ()>,
    grace: Duration,
) -> Option<T> {
    tokio::pin!(work);
    tokio::select! {
        done = &mut work => Some(done),
        () = async { stop.await; tokio::time::sleep(grace).await } => None,
    }
}

async fn shutdown_signal() -> std::io::Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(tokio::select! {
        _ = terminate.recv() => "SIGTERM",
        _ = interrupt.recv() => "SIGINT",
    })
}
