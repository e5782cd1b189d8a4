"""Delivery of the brief by mail (SMTP) and chat (a Slack-compatible webhook).

Every attempt is a ``deliveries`` row (channel, destination, subject, status, error, the
alert ids it carried). A channel's next brief covers what was recorded since its last
successful delivery and every alert it has not delivered yet, so a failed send is simply
retried by the next run (``retry_of`` points at the failure it makes good). Delivery never
raises into the run: a failure is recorded, logged and reported, and collection goes on.

The mail login is read from ``$MEDIASTANCE_SMTP_USER`` and ``$MEDIASTANCE_SMTP_PASSWORD``
only; the config refuses a password key, so a secret never lands in a file under git.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import httpx
import sqlite_utils

from mediastance.brief import Brief, build_brief, render_html, render_text, since_from_duration
from mediastance.core.config import (
    SMTP_PASSWORD_ENV,
    SMTP_USER_ENV,
    WEBHOOK_URL_ENV,
    Config,
    NotifySettings,
    parse_duration,
)
from mediastance.core.storage import utcnow

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A brief could not be handed to the mail server or the webhook."""


@dataclass
class Delivery:
    """One channel's attempt, as recorded in ``deliveries``."""

    id: int
    channel: str
    destination: str
    status: str  # sent | failed | skipped (nothing to say)
    subject: str = ""
    error: str | None = None
    alerts: int = 0
    retry_of: int | None = None

    def line(self) -> str:
        what = f"{self.channel} to {self.destination}"
        if self.status == "sent":
            retried = f", retrying delivery {self.retry_of}" if self.retry_of else ""
            alerts = f"{self.alerts} alert" + ("" if self.alerts == 1 else "s")
            return f"{what}: sent ({alerts}{retried})"
        if self.status == "skipped":
            return f"{what}: nothing new, not sent"
        return f"{what}: FAILED, will retry next run: {self.error}"


# ---------------------------------------------------------------- the two channels


def email_message(brief: Brief, settings: NotifySettings) -> EmailMessage:
    """The brief as multipart/alternative: plain text first, HTML second (UTF-8)."""
    message = EmailMessage()
    message["Subject"] = brief.subject(settings.subject_prefix)
    message["From"] = settings.mail_from
    message["To"] = ", ".join(settings.mail_to)
    message["Date"] = formatdate(localtime=False)
    domain = settings.mail_from.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid("brief", domain=domain)
    message.set_content(render_text(brief), charset="utf-8")
    message.add_alternative(render_html(brief), subtype="html", charset="utf-8")
    return message


def send_email(
    message: EmailMessage,
    settings: NotifySettings,
    *,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Hand ``message`` to the configured server; raises :class:`DeliveryError`."""
    environ = os.environ if environ is None else environ
    user, password = environ.get(SMTP_USER_ENV), environ.get(SMTP_PASSWORD_ENV)
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        context = ssl.create_default_context(cafile=settings.smtp_ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        raise DeliveryError(f"smtp_ca_file {settings.smtp_ca_file}: {exc}") from None
    try:
        if settings.smtp_security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=settings.timeout, context=context
            )
        else:
            server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
        with server:
            server.ehlo()
            if settings.smtp_security == "starttls":
                server.starttls(context=context)
                server.ehlo()
            if user or password:
                if not (user and password):
                    raise DeliveryError(f"set both ${SMTP_USER_ENV} and ${SMTP_PASSWORD_ENV}")
                server.login(user, password)
            refused = server.send_message(message)
        if refused:
            raise DeliveryError(f"{where}: recipients refused: {', '.join(sorted(refused))}")
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{where}: login refused ({exc.smtp_code}); check ${SMTP_USER_ENV} / "
            f"${SMTP_PASSWORD_ENV}"
        ) from None
    except UnicodeEncodeError:  # smtplib sends logins and envelope addresses as ASCII
        raise DeliveryError(
            f"{where}: the login or an address is not ASCII, which smtplib cannot send"
        ) from None
    except (OSError, smtplib.SMTPException) as exc:  # ssl.SSLError is an OSError
        text = str(exc) or type(exc).__name__
        raise DeliveryError(f"{where}: {type(exc).__name__}: {text}") from None


def webhook_url(settings: NotifySettings, environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return settings.webhook_url or environ.get(WEBHOOK_URL_ENV, "")


def post_webhook(
    url: str, payload: dict[str, Any], *, timeout: float, client: httpx.Client | None = None
) -> None:
    """POST the JSON body; anything but a 2xx is a :class:`DeliveryError`."""
    try:
        if client is None:
            response = httpx.post(url, json=payload, timeout=timeout)
        else:
            response = client.post(url, json=payload, timeout=timeout)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{_redact(url)}: {type(exc).__name__}: {exc}") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryError(
            f"{_redact(url)}: HTTP {response.status_code} {response.text[:200].strip()}"
        )


def _redact(url: str) -> str:
    """A webhook URL without its path: Slack's path is the secret."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}/…"


# ---------------------------------------------------------------- recording and retrying


def _undelivered(db: sqlite_utils.Database, channel: str, floor: str) -> list[str]:
    """Alerts first seen since ``floor`` that no sent delivery of ``channel`` carried."""
    return [
        r["id"]
        for r in db.query(
            """
            select id from alerts where first_seen >= :floor and id not in (
              select j.value from deliveries d, json_each(d.alert_ids) j
              where d.channel = :channel and d.status = 'sent'
            ) order by id
            """,
            {"floor": floor, "channel": channel},
        )
    ]


def _channel_state(
    db: sqlite_utils.Database, channel: str, default_since: str
) -> tuple[str, str, int | None]:
    """(since, alert floor, failed delivery to retry) for one channel."""
    last_sent = db.execute(
        "select max(attempted_at) from deliveries where channel = ? and status = 'sent'",
        [channel],
    ).fetchone()[0]
    first = db.execute("select min(since) from deliveries where channel = ?", [channel]).fetchone()[
        0
    ]
    failed = db.execute(
        "select max(id) from deliveries where channel = ? and status = 'failed' "
        "and attempted_at >= coalesce(?, '')",
        [channel, last_sent],
    ).fetchone()[0]
    return last_sent or default_since, first or default_since, failed


def deliver(
    db: sqlite_utils.Database,
    config: Config,
    *,
    run_id: int | None = None,
    since: str | None = None,
    now: str | None = None,
    environ: Mapping[str, str] | None = None,
    client: httpx.Client | None = None,
    force: bool = False,
) -> list[Delivery]:
    """Send the brief on every configured channel; record and return each attempt.

    Without ``since`` a channel's brief covers what was recorded since its last
    successful delivery (or ``[notify] since`` ago for a first one) plus its undelivered
    alerts. An empty brief is not sent unless ``force``. Never raises DeliveryError.
    """
    settings = config.notify
    now = now or utcnow()
    seconds = parse_duration(settings.since) or 86400
    default_since = since_from_duration(seconds, now=now)
    results = []
    for channel in _channels(settings, environ):
        channel_since, floor, retry_of = _channel_state(db, channel, default_since)
        if since is not None:
            channel_since, floor = since, min(since, floor)
        alert_ids = _undelivered(db, channel, floor)
        brief = build_brief(db, config, since=channel_since, alert_ids=alert_ids, now=now)
        if since is not None:  # an explicit window also shows what it already sent
            shown = build_brief(db, config, since=since, now=now).alerts
            known = {a["id"] for a in brief.alerts}
            brief.alerts += [a for a in shown if a["id"] not in known]
        destination = _destination(channel, settings, environ)
        subject = brief.subject(settings.subject_prefix)
        if brief.empty and not force:
            results.append(Delivery(0, channel, destination, "skipped", subject))
            continue
        error = None
        try:
            if channel == "email":
                send_email(email_message(brief, settings), settings, environ=environ)
            else:
                from mediastance.brief import slack_payload

                post_webhook(
                    webhook_url(settings, environ),
                    slack_payload(brief),
                    timeout=settings.timeout,
                    client=client,
                )
        except DeliveryError as exc:
            error = str(exc)
            log.warning("brief by %s to %s failed: %s", channel, destination, error)
        sent_ids = [a["id"] for a in brief.alerts]
        row = {
            "run_id": run_id,
            "channel": channel,
            "destination": destination,
            "subject": subject,
            "since": channel_since,
            "status": "failed" if error else "sent",
            "error": error,
            "alert_ids": json.dumps(sent_ids),
            "retry_of": retry_of,
            "attempted_at": now,
        }
        with db.atomic():
            delivery_id = db["deliveries"].insert(row).last_pk
            if not error and sent_ids:
                marks = ",".join("?" * len(sent_ids))
                db.execute(
                    f"update alerts set sent_at = ? where sent_at is null and id in ({marks})",
                    [now, *sent_ids],
                )
        results.append(
            Delivery(
                delivery_id,
                channel,
                destination,
                row["status"],
                subject,
                error,
                len(sent_ids),
                retry_of if not error else None,
            )
        )
    return results


def _channels(settings: NotifySettings, environ: Mapping[str, str] | None) -> Sequence[str]:
    channels = []
    if settings.smtp_host and settings.mail_to:
        channels.append("email")
    if webhook_url(settings, environ):
        channels.append("webhook")
    return channels


def _destination(channel: str, settings: NotifySettings, environ: Mapping[str, str] | None) -> str:
    if channel == "email":
        return f"{', '.join(settings.mail_to)} via {settings.smtp_host}:{settings.smtp_port}"
    return _redact(webhook_url(settings, environ))
