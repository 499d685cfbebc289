//! lana-cli as an operator runs it: a real process, a real database, real sockets and signals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::net::TcpListener;
use std::process::Stdio;
use std::time::{Duration, Instant};

#[test]
fn dump_default_config_prints_loadable_yaml() {
    let output = run(lana_cli().arg("dump-default-config"));
    assert!(output.status.success(), "{}", stderr(&output));
    let path = std::env::temp_dir().join(format!("lana-default-{}.yml", std::process::id()));
    std::fs::write(&path, &output.stdout).unwrap();
    let shown = run(lana_cli().args(["show-config", "--config"]).arg(&path));
    assert!(shown.status.success(), "{}", stderr(&shown));
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(
        text.contains("port: 5253") && text.contains("port: 5254"),
        "{text}"
    );
}

#[test]
fn overrides_from_environment_and_flags_reach_the_effective_config() {
    let output = run(lana_cli()
        .env("LANA__ADMIN_SERVER__PORT", "7100")
        .env("LANA__CUSTOMER_SERVER__PORT", "7101")
        .args([
            "show-config",
            "--set",
            "customer_server.port=7201",
            "--set",
            "db.pg_con=postgres://u:secret@h/db",
            "--set",
            "audit.read_audits=asynchronous",
        ]));
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("port: 7100") && text.contains("port: 7201"),
        "{text}"
    );
    assert!(text.contains("read_audits: asynchronous"), "{text}");
    assert!(
        text.contains("postgres://u:***@h/db") && !text.contains("secret"),
        "{text}"
    );
}

#[test]
fn a_bad_config_is_refused_with_a_clear_error() {
    let path = std::env::temp_dir().join(format!("lana-bad-{}.yml", std::process::id()));
    std::fs::write(&path, "admin_server:\n  prot: 5253\n").unwrap();
    let output = run(lana_cli().args(["serve", "--config"]).arg(&path));
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("invalid configuration at `admin_server.prot`")
            && err.contains("unknown field `prot`"),
        "{err}"
    );

    let output = run(lana_cli().args(["migrate", "--config", "/nonexistent/lana.yml"]));
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("cannot read config file /nonexistent/lana.yml"),
        "{err}"
    );
    assert_eq!(err.matches("No such file").count(), 1, "{err}");

    let output = run(lana_cli().args(["migrate", "--set", "db.max_connections=lots"]));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("db.max_connections"),
        "{}",
        stderr(&output)
    );

    let output = run(lana_cli().args(["show-config", "--set", "audit.read_audits=sometimes"]));
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("audit.read_audits") && err.contains("durable"),
        "{err}"
    );
}

#[test]
fn bad_business_time_and_price_settings_are_one_line_startup_errors() {
    let cases: [(&[&str], &str); 7] = [
        (
            &["time.timezone=Mars/Olympus_Mons"],
            "invalid configuration at `time.timezone`: unknown timezone \"Mars/Olympus_Mons\"",
        ),
        (
            &["time.closing_time=25:00"],
            "invalid configuration at `time.closing_time`: closing time \"25:00\" is not a time of day",
        ),
        (
            &["time.clock=sundial"],
            "invalid configuration at `time.clock`",
        ),
        (
            &["time.clock=manual"],
            "invalid configuration at `time.manual_start_date`: is required with the manual clock",
        ),
        (
            &["time.manual_start_date=2026-02-30", "time.clock=manual"],
            "invalid configuration at `time.manual_start_date`",
        ),
        (
            &["price.exchange_url=ftp://example.com"],
            "invalid configuration at `price.exchange_url`",
        ),
        (
            &["price.max_jump_percent=0"],
            "invalid configuration at `price.max_jump_percent`: must be between 1 and 1000",
        ),
    ];
    for (settings, expected) in cases {
        let mut cmd = lana_cli();
        cmd.arg("serve");
        for setting in settings {
            cmd.args(["--set", setting]);
        }
        let output = run(&mut cmd);
        assert_eq!(output.status.code(), Some(1), "{settings:?}");
        let err = stderr(&output);
        assert!(
            err.starts_with("error: ") && err.contains(expected),
            "{settings:?}: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{settings:?}: {err}");
    }
}

#[tokio::test]
async fn migrate_applies_the_schema_to_a_fresh_database() {
    let db = empty_db().await;
    for _ in 0..2 {
        let output = run(lana_cli().args(["migrate", "--set", &format!("db.pg_con={}", db.url())]));
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(String::from_utf8_lossy(&output.stdout).contains("schema is current"));
    }
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        applied,
        lana_app::migrator().await.unwrap().iter().count() as i64
    );
}

#[test]
fn a_busy_port_is_a_clear_startup_error() {
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let output = run(lana_cli().args([
        "serve",
        "--set",
        &format!("admin_server.port={port}"),
        "--set",
        &format!("customer_server.port={}", free_port()),
    ]));
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains(&format!("admin-server cannot listen on 127.0.0.1:{port}")),
        "{err}"
    );
    assert!(
        err.to_lowercase().contains("address already in use"),
        "{err}"
    );
}

#[tokio::test]
async fn serve_reports_health_and_stops_gracefully_on_sigterm_and_sigint() {
    for signal_name in ["TERM", "INT"] {
        let db = empty_db().await;
        let url = db.url();
        let (admin, customer) = (free_port(), free_port());
        let mut child = lana_cli()
            .args(["serve", "--set", &format!("db.pg_con={url}")])
            .args(["--set", &format!("admin_server.port={admin}")])
            .args(["--set", &format!("customer_server.port={customer}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        for port in [admin, customer] {
            let (status, body) = wait_for_health(port, &mut child);
            assert_eq!(status, 200, "{body}");
            assert!(
                body.contains(r#""status":"ok""#) && body.contains(r#""database":true"#),
                "{body}"
            );
        }
        // Serve migrated the database on startup.
        let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert!(applied > 0);
        assert_eq!(http_get(admin, "/nowhere").map(|(s, _)| s), Some(404));

        if signal_name == "TERM" {
            // With the database gone, health says so.
            db.destroy().await;
            let (status, body) = http_get(admin, "/health").unwrap();
            assert_eq!(status, 503, "{body}");
            assert!(body.contains(r#""database":false"#), "{body}");
        }

        signal(&child, signal_name);
        let status = wait_for_exit(&mut child, Duration::from_secs(20));
        assert!(status.success(), "SIG{signal_name} exit: {status}");
        assert!(
            http_get(admin, "/health").is_none(),
            "still listening after shutdown"
        );
    }
}

#[tokio::test]
async fn audit_verify_reports_an_intact_log_and_names_a_tampered_row() {
    let db = empty_db().await;
    let pg_con = format!("db.pg_con={}", db.url());
    assert!(
        run(lana_cli().args(["migrate", "--set", &pg_con]))
            .status
            .success()
    );
    let audit = audit::Audit::new(db.pool.clone(), clock::Clock::real());
    let mut ids = Vec::new();
    for action in ["customer:read", "customer:write", "deposit:write"] {
        let entry = audit::NewAuditEntry {
            subject: "user:00000000-0000-0000-0000-000000000001".into(),
            object: "customer/1".into(),
            action: action.into(),
            authorized: action != "deposit:write",
            correlation_id: None,
        };
        ids.push(audit.record(entry).await.unwrap());
    }
    // Other tests' transactions can hold the sealing horizon back for a moment.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let output = run(lana_cli().args(["audit", "verify", "--set", &pg_con]));
        assert!(output.status.success(), "{}", stderr(&output));
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(stdout.contains("audit log intact"), "{stdout}");
        if stdout.contains(", 0 not yet chained") {
            break;
        }
        assert!(Instant::now() < deadline, "never fully chained: {stdout}");
        std::thread::sleep(Duration::from_millis(50));
    }

    let mut conn = db.pool.acquire().await.unwrap();
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_entries SET authorized = true WHERE id = $1")
        .bind(ids[2].0)
        .execute(&mut *conn)
        .await
        .unwrap();
    let output = run(lana_cli().args(["audit", "verify", "--set", &pg_con]));
    assert_eq!(output.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        stdout.contains(&format!("audit entry {} ", ids[2])) && stdout.contains("altered"),
        "{stdout}"
    );
}

#[test]
fn the_production_config_loads_with_introspection_off() {
    let path = repo_root().join("dev/production/lana.yml");
    let output = run(lana_cli().args(["show-config", "--config"]).arg(&path));
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(text.matches("introspection: false").count(), 2, "{text}");
    assert!(text.contains("format: json"));
}
