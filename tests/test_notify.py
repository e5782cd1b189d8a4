"""Delivery of the brief to a real SMTP server (aiosmtpd, STARTTLS, login) and a webhook,
both on loopback, and a failed delivery recorded and retried by the next run."""

from __future__ import annotations

import email
import json
import shutil
import socket
import subprocess
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_alerts import add_statement

from mediastance.alerts import compute_alerts
from mediastance.core.config import load_config_text
from mediastance.core.storage import ensure_db_shape, open_db
from mediastance.notify import deliver
from mediastance.run import run_pipeline

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

NOW = "2026-12-06T06:00:00Z"
ENV = {"MEDIASTANCE_SMTP_USER": "brief-bot", "MEDIASTANCE_SMTP_PASSWORD": "s3cret-pass"}
QUOTE = "工商总局：淘宝售假问题严重"


def free_port() -> int:
    """A port nothing listens on now (the OS picks it; never a fixed number)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: the client trusts it via smtp_ca_file."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class MailServer:
    """aiosmtpd on 127.0.0.1 with STARTTLS required and LOGIN/PLAIN checked against ENV."""

    def __init__(
        self, certificate: tuple[Path, Path], port: int, security: str = "starttls"
    ) -> None:
        import ssl

        self.messages: list[tuple[str, list[str], bytes]] = []
        self.logins: list[tuple[str, str]] = []
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(certificate[0]), str(certificate[1]))
        server = self

        class Handler:
            async def handle_DATA(self, smtp, session, envelope):  # noqa: N802 - aiosmtpd's name
                server.messages.append(
                    (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
                )
                return "250 OK"

        def authenticate(smtp, session, envelope, mechanism, auth_data):
            assert isinstance(auth_data, LoginPassword)
            login, password = auth_data.login.decode(), auth_data.password.decode()
            self.logins.append((login, password))
            ok = (login, password) == tuple(ENV.values())
            return AuthResult(success=ok, handled=False)

        self.port = port
        # starttls: plain connection upgraded by STARTTLS (required), AUTH only after it;
        # ssl: TLS from the first byte (port 465 style), where aiosmtpd cannot tell that
        # the session is encrypted, so its AUTH-needs-TLS check is left off.
        tls = (
            {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
            if security == "starttls"
            else {"ssl_context": context, "auth_require_tls": False}
        )
        self.controller = aiosmtpd_controller.Controller(
            Handler(),
            hostname="127.0.0.1",
            port=port,
            authenticator=authenticate,
            **tls,
        )

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class Webhook:
    """A loopback HTTP server that records JSON bodies; answers ``status`` (200 or not)."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.bodies: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers["Content-Length"])
                hook.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(hook.status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if hook.status == 200 else b"invalid_token")

            def log_message(self, *args) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/services/T0/B0/secret"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> Webhook:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def notify_config(port: int, cert: Path | None = None, webhook: str = "", extra: str = ""):
    text = f"""
sources = []
[notify]
smtp_host = "127.0.0.1"
smtp_port = {port}
smtp_ca_file = "{cert or ""}"
mail_from = "mediastance@example.com"
mail_to = ["comms@example.com", "china-desk@example.com"]
webhook_url = "{webhook}"
timeout = 5
{extra}
"""
    return load_config_text(text, label="test config")


@pytest.fixture
def db_path(tmp_path) -> Path:
    path = tmp_path / "brief.db"
    db = open_db(path)
    ensure_db_shape(db)
    add_statement(db, "q1", organisation="SAIC", target="Alibaba", p_against=0.93)
    db.close()
    return path


def test_mail_arrives_with_subject_both_parts_and_chinese(db_path, certificate):
    with MailServer(certificate, free_port()) as server:
        config = notify_config(server.port, certificate[0])
        db = open_db(db_path)
        compute_alerts(db, config, now="2026-12-06T05:00:00Z")
        [result] = deliver(db, config, now=NOW, environ=ENV)
    assert result.status == "sent", result.error
    assert server.logins == [tuple(ENV.values())]
    [(sender, recipients, raw)] = server.messages
    assert (sender, recipients) == (
        "mediastance@example.com",
        ["comms@example.com", "china-desk@example.com"],
    )
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == "mediastance brief 2026-12-06: 1 alert (1 hostile statement)"
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.get_payload()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert (text.get_content_charset(), html.get_content_charset()) == ("utf-8", "utf-8")
    assert f"- [Hostile statement] SAIC against Alibaba (zh, confidence 0.93): {QUOTE}" in (
        text.get_content()
    )
    page = html.get_content()
    assert QUOTE in page and "<script" not in page.lower()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    row = db.execute("select status, error, alert_ids, retry_of from deliveries").fetchall()
    [alert_id] = [r[0] for r in db.execute("select id from alerts")]
    assert row == [("sent", None, json.dumps([alert_id]), None)]
    assert db.execute("select sent_at from alerts").fetchone()[0] == NOW
    # Delivered once: the next brief on this channel has no alert to repeat.
    assert [d.status for d in deliver(db, config, now="2026-12-06T07:00:00Z", environ=ENV)] == [
        "skipped"
    ]


def test_wrong_login_is_a_failed_delivery(db_path, certificate):
    with MailServer(certificate, free_port()) as server:
        config = notify_config(server.port, certificate[0])
        db = open_db(db_path)
        compute_alerts(db, config)
        env = {**ENV, "MEDIASTANCE_SMTP_PASSWORD": "wrong"}
        [result] = deliver(db, config, now=NOW, environ=env)
    assert result.status == "failed"
    assert result.error == (
        f"127.0.0.1:{server.port}: login refused (535); check $MEDIASTANCE_SMTP_USER / "
        "$MEDIASTANCE_SMTP_PASSWORD"
    )
    assert server.messages == []


def test_webhook_gets_a_slack_compatible_body(db_path):
    with Webhook() as hook:
        config = load_config_text(f'sources = []\n[notify]\nwebhook_url = "{hook.url}"\n')
        db = open_db(db_path)
        compute_alerts(db, config)
        [result] = deliver(db, config, now=NOW, environ={})
    assert (result.channel, result.status, result.destination) == (
        "webhook",
        "sent",
        f"{hook.url.split('/services')[0]}/…",  # the path is the secret: never logged
    )
    [body] = hook.bodies
    assert body["text"] == "mediastance brief 2026-12-06: 1 alert (1 hostile statement)"
    assert body["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": body["text"]},
    }
    alerts = body["blocks"][1]["text"]
    assert alerts["type"] == "mrkdwn"
    assert alerts["text"].startswith("*Alerts*\n• *Hostile statement* SAIC against Alibaba")
    assert QUOTE in alerts["text"]
    assert "<https://news.example/art-q1|source>" in alerts["text"]


def test_unreachable_servers_fail_without_failing_the_run_then_are_retried(db_path, certificate):
    port = free_port()  # nothing listens here yet
    with Webhook(status=500) as hook:
        config = notify_config(port, certificate[0], webhook=hook.url)
        first = run_pipeline(db_path, config, analyze=False)
    assert (first.status, first.exit_code) == ("ok", 0)
    assert first.alerts == {"new": 1, "updated": 0}
    assert [line.split(": FAILED")[0] for line in first.deliveries] == [
        f"email to comms@example.com, china-desk@example.com via 127.0.0.1:{port}",
        f"webhook to {hook.url.split('/services')[0]}/…",
    ]
    assert "ConnectionRefusedError" in first.deliveries[0]
    assert first.deliveries[1].endswith("HTTP 500 invalid_token")
    db = open_db(db_path)
    failed = list(db.query("select id, channel, status, error, run_id from deliveries"))
    assert [(r["channel"], r["status"], r["run_id"]) for r in failed] == [
        ("email", "failed", first.run_id),
        ("webhook", "failed", first.run_id),
    ]
    assert "Connection refused" in failed[0]["error"]
    assert db.execute("select sent_at from alerts").fetchone()[0] is None
    details = json.loads(db["runs"].get(first.run_id)["details"])
    assert details["deliveries"] == first.deliveries

    # Next night both servers answer: the same alert goes out, marked as the retry.
    with MailServer(certificate, port) as server, Webhook() as hook:
        config = notify_config(port, certificate[0], webhook=hook.url)
        with pytest.MonkeyPatch.context() as env:
            for name, value in ENV.items():
                env.setenv(name, value)
            second = run_pipeline(db_path, config, analyze=False)
    assert second.status == "ok"
    assert second.alerts == {"new": 0, "updated": 0}
    assert second.deliveries == [
        f"email to comms@example.com, china-desk@example.com via 127.0.0.1:{port}: sent "
        f"(1 alert, retrying delivery {failed[0]['id']})",
        f"webhook to {hook.url.split('/services')[0]}/…: sent "
        f"(1 alert, retrying delivery {failed[1]['id']})",
    ]
    [(_, _, raw)] = server.messages
    assert (
        QUOTE
        in email.message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    )
    assert QUOTE in hook.bodies[0]["blocks"][1]["text"]["text"]
    assert db.execute("select sent_at from alerts").fetchone()[0] is not None


def test_brief_send_from_the_command_line(db_path, tmp_path):
    from click.testing import CliRunner

    from mediastance.cli import cli

    config = tmp_path / "team.toml"
    with Webhook() as hook:
        config.write_text(f'[notify]\nwebhook_url = "{hook.url}"\n', encoding="utf-8")
        args = ["brief", "--db", str(db_path), "--config", str(config), "--send"]
        result = CliRunner().invoke(cli, [*args, "--format", "markdown"])
        hook.status = 502
        failed = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# mediastance brief ")
    assert result.output.endswith(
        f"webhook to {hook.url.split('/services')[0]}/…: sent (1 alert)\n"
    )
    assert len(hook.bodies) == 2  # --send sends even what was sent before
    assert failed.exit_code == 1
    assert failed.output.splitlines()[-1] == (
        f"webhook to {hook.url.split('/services')[0]}/…: FAILED, will retry next run: "
        f"{hook.url.split('/services')[0]}/…: HTTP 502 invalid_token"
    )


def test_mail_over_implicit_tls(db_path, certificate):
    with MailServer(certificate, free_port(), security="ssl") as server:
        config = notify_config(server.port, certificate[0], extra='smtp_security = "ssl"')
        db = open_db(db_path)
        compute_alerts(db, config)
        [result] = deliver(db, config, now=NOW, environ=ENV)
        untrusted = notify_config(server.port, extra='smtp_security = "ssl"')
        [plain] = deliver(db, untrusted, now=NOW, environ=ENV, force=True)
    assert result.status == "sent", result.error
    assert server.logins == [tuple(ENV.values())]
    assert len(server.messages) == 1
    # A server that is not trusted (no smtp_ca_file) is a failed delivery, nothing sent.
    assert plain.status == "failed"
    assert "CERTIFICATE_VERIFY_FAILED" in plain.error
