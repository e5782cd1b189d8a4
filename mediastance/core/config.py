"""Configuration: the bundled default TOML with a user's TOML layered over it, validated.

Layering rule: a list of tables the user gives (``[[sources]]``, ``[[targets]]``) replaces
the default list whole; keys of plain tables (``[database]``, ``[fetch]``, ``[topic]``,
``[model]``) override one by one; sections the user omits keep the defaults. So a config
of just a few ``[[sources]]`` still knows the targets and topic keywords.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_CONFIG_NAME = "mediastance.toml"
SOURCE_KINDS = ("rss", "google_news", "gdelt", "urls")
LANGUAGES = ("en", "zh")
GOOGLE_NEWS_EDITIONS = ("en-US", "en-GB", "zh-CN", "zh-TW", "zh-HK")


class ConfigError(Exception):
    """A configuration file is unreadable or invalid; the message names file and key."""


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str
    timeout: float
    max_bytes: int
    per_host_delay: float
    concurrency: int
    max_redirects: int
    retries: int
    max_retry_after: float
    allowed_private_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


@dataclass(frozen=True)
class Target:
    name: str
    aliases: tuple[str, ...]
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    keywords_en: tuple[str, ...]
    keywords_zh: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    language: str
    url: str | None = None
    query: str | None = None
    urls: tuple[str, ...] = ()
    urls_file: str | None = None
    edition: str | None = None
    enabled: bool = True


@dataclass(frozen=True)
class ModelSettings:
    encoder: str
    device: str
    batch_size: int
    quantize: bool
    precision: str = "auto"
    backend: str = "auto"


ALERT_KINDS = ("volume_spike", "tone_drop", "hostile_statement", "statement_gap")
# Each kind's thresholds and their defaults (README, "Alerts"); mediastance/alerts.py
# says what each one means. A user's [[alerts]] table names only what it changes.
ALERT_PARAMETERS: dict[str, dict[str, float]] = {
    "volume_spike": {
        "baseline_days": 14,
        "min_articles": 3,
        "min_ratio": 2.0,
        "min_score": 3.5,
        "merge_days": 2,
    },
    "tone_drop": {
        "baseline_days": 14,
        "min_articles": 3,
        "min_baseline_articles": 5,
        "min_drop": 0.25,
        "min_score": 3.0,
        "merge_days": 2,
    },
    "hostile_statement": {"min_confidence": 0.8},
    "statement_gap": {"min_gap": 2.0, "min_similarity": 0.0},
}


@dataclass(frozen=True)
class AlertRule:
    """One ``[[alerts]]`` table: a detector, its thresholds and what it watches.

    Empty ``targets`` / ``organisations`` mean every configured target.
    """

    kind: str
    name: str
    params: dict[str, float] = field(default_factory=dict, hash=False)
    targets: tuple[str, ...] = ()
    languages: tuple[str, ...] = LANGUAGES
    organisations: tuple[str, ...] = ()
    enabled: bool = True


SMTP_SECURITY = ("starttls", "ssl", "none")
SMTP_USER_ENV = "MEDIASTANCE_SMTP_USER"
SMTP_PASSWORD_ENV = "MEDIASTANCE_SMTP_PASSWORD"
WEBHOOK_URL_ENV = "MEDIASTANCE_WEBHOOK_URL"


@dataclass(frozen=True)
class NotifySettings:
    """``[notify]``: where the brief goes. Credentials only ever come from the environment."""

    on_run: bool = True
    since: str = "24h"
    subject_prefix: str = "mediastance"
    datasette_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_ca_file: str = ""
    mail_from: str = ""
    mail_to: tuple[str, ...] = ()
    webhook_url: str = ""
    timeout: float = 20.0


@dataclass(frozen=True)
class Config:
    database_path: str
    fetch: FetchSettings
    topic: Topic
    model: ModelSettings
    targets: tuple[Target, ...]
    sources: tuple[Source, ...]
    files: tuple[str, ...] = field(default=())
    alerts: tuple[AlertRule, ...] = ()
    notify: NotifySettings = field(default_factory=NotifySettings)

    def target(self, name: str) -> Target:
        for target in self.targets:
            if target.name == name:
                return target
        raise KeyError(name)


def _read_toml(path: Path, label: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fp:
            return tomllib.load(fp)
    except FileNotFoundError:
        raise ConfigError(f"{label}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read ({exc.strerror})") from None


def default_config_text() -> str:
    return resources.files("mediastance.core").joinpath("default_config.toml").read_text("utf-8")


def find_config_path(explicit: str | os.PathLike | None = None) -> Path | None:
    """--config, else $MEDIASTANCE_CONFIG, else ./mediastance.toml when present."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("MEDIASTANCE_CONFIG")
    if env:
        return Path(env)
    local = Path(DEFAULT_CONFIG_NAME)
    return local if local.exists() else None


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Load the bundled default, layer the user's file (if any) over it, validate."""
    default = tomllib.loads(default_config_text())
    user_path = find_config_path(path)
    if user_path is None:
        return _validate(default, {}, label="default config", files=())
    user = _read_toml(user_path, str(user_path))
    return _validate(default, user, label=str(user_path), files=(str(user_path),))


def load_config_text(text: str, *, label: str = "config") -> Config:
    """Validate TOML text layered over the default (used by tests and the demo)."""
    try:
        user = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML ({exc})") from None
    return _validate(tomllib.loads(default_config_text()), user, label=label, files=())


_TABLES = ("database", "fetch", "topic", "model", "notify")
_LISTS = ("targets", "sources", "alerts")


def _validate(default: dict, user: dict, *, label: str, files: tuple[str, ...]) -> Config:
    unknown = sorted(set(user) - set(_TABLES) - set(_LISTS))
    if unknown:
        raise ConfigError(f"{label}: unknown section [{unknown[0]}]")
    merged: dict[str, Any] = {}
    for name in _TABLES:
        if name in user and not isinstance(user[name], dict):
            raise ConfigError(f"{label}: [{name}] must be a table")
        merged[name] = {**default.get(name, {}), **user.get(name, {})}
    for name in _LISTS:
        if name in user and not isinstance(user[name], list):
            raise ConfigError(f"{label}: {name} must be an array of tables ([[{name}]])")
        merged[name] = user[name] if name in user else default[name]
    # A user's key is reported against the user's file; a default key cannot be wrong.
    check = _Checker(label)
    return Config(
        database_path=check.string(merged["database"], "database", "path"),
        fetch=_fetch(check, merged["fetch"]),
        topic=_topic(check, merged["topic"]),
        model=_model(check, merged["model"]),
        targets=_targets(check, merged["targets"]),
        sources=_sources(check, merged["sources"]),
        files=files,
        alerts=_alerts(check, merged["alerts"]),
        notify=_notify(check, merged["notify"]),
    )


class _Checker:
    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, where: str, message: str) -> ConfigError:
        return ConfigError(f"{self.label}: {where} {message}")

    def known(self, table: dict, where: str, keys: tuple[str, ...]) -> None:
        extra = sorted(set(table) - set(keys))
        if extra:
            raise self.fail(f"{where}.{extra[0]}", "is not a known key")

    def get(self, table: dict, where: str, key: str) -> Any:
        if key not in table:
            raise self.fail(f"{where}.{key}", "is missing")
        return table[key]

    def string(self, table: dict, section: str, key: str, *, where: str | None = None) -> str:
        where = where or f"[{section}]"
        value = self.get(table, where, key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", f"must be a non-empty string, got {value!r}")
        return value

    def number(self, table: dict, where: str, key: str, *, minimum: float = 0.0) -> float:
        value = self.get(table, where, key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise self.fail(f"{where}.{key}", f"must be a number >= {minimum:g}, got {value!r}")
        return float(value)

    def integer(self, table: dict, where: str, key: str, *, minimum: int = 0) -> int:
        value = self.get(table, where, key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(f"{where}.{key}", f"must be an integer >= {minimum}, got {value!r}")
        return value

    def boolean(self, table: dict, where: str, key: str, *, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"must be true or false, got {value!r}")
        return value

    def strings(self, table: dict, where: str, key: str, *, required: bool = True) -> tuple:
        if key not in table and not required:
            return ()
        value = self.get(table, where, key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{where}.{key}", f"must be a list of strings, got {value!r}")
        return tuple(value)


def _fetch(check: _Checker, table: dict) -> FetchSettings:
    where = "[fetch]"
    keys = tuple(FetchSettings.__dataclass_fields__)
    check.known(table, where, keys)
    networks = []
    for raw in check.strings(table, where, "allowed_private_networks"):
        try:
            networks.append(ipaddress.ip_network(raw, strict=False))
        except ValueError:
            raise check.fail(
                f"{where}.allowed_private_networks", f"has an invalid network {raw!r}"
            ) from None
    return FetchSettings(
        user_agent=check.string(table, "fetch", "user_agent"),
        timeout=check.number(table, where, "timeout", minimum=0.001),
        max_bytes=check.integer(table, where, "max_bytes", minimum=1),
        per_host_delay=check.number(table, where, "per_host_delay"),
        concurrency=check.integer(table, where, "concurrency", minimum=1),
        max_redirects=check.integer(table, where, "max_redirects"),
        retries=check.integer(table, where, "retries"),
        max_retry_after=check.number(table, where, "max_retry_after"),
        allowed_private_networks=tuple(networks),
    )


def _topic(check: _Checker, table: dict) -> Topic:
    check.known(table, "[topic]", ("keywords_en", "keywords_zh"))
    return Topic(
        keywords_en=check.strings(table, "[topic]", "keywords_en"),
        keywords_zh=check.strings(table, "[topic]", "keywords_zh"),
    )


_PRECISIONS = ("auto", "fp32", "bf16")  # analysis.encoder.PRECISIONS, without importing torch
_BACKENDS = ("auto", "openvino", "torch")  # analysis.backend.BACKENDS


def _model(check: _Checker, table: dict) -> ModelSettings:
    where = "[model]"
    check.known(
        table, where, ("encoder", "device", "batch_size", "quantize", "precision", "backend")
    )
    device = check.string(table, "model", "device")
    if device not in ("cpu", "cuda") and not device.startswith("cuda:"):
        raise check.fail(f"{where}.device", f"must be 'cpu' or 'cuda', got {device!r}")
    quantize = check.get(table, where, "quantize")
    if not isinstance(quantize, bool):
        raise check.fail(f"{where}.quantize", f"must be true or false, got {quantize!r}")
    precision = check.string(table, "model", "precision")
    if precision not in _PRECISIONS:
        raise check.fail(
            f"{where}.precision", f"must be 'auto', 'fp32' or 'bf16', got {precision!r}"
        )
    if precision == "bf16" and quantize:
        raise check.fail(f"{where}.precision", "'bf16' does not combine with quantize = true")
    backend = check.string(table, "model", "backend")
    if backend not in _BACKENDS:
        raise check.fail(
            f"{where}.backend", f"must be 'auto', 'openvino' or 'torch', got {backend!r}"
        )
    return ModelSettings(
        encoder=check.string(table, "model", "encoder"),
        device=device,
        batch_size=check.integer(table, where, "batch_size", minimum=1),
        quantize=quantize,
        precision=precision,
        backend=backend,
    )


def _targets(check: _Checker, items: list) -> tuple[Target, ...]:
    targets = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"[[targets]][{i}]"
        if not isinstance(item, dict):
            raise check.fail(where, "must be a table")
        check.known(item, where, ("name", "aliases", "people"))
        name = check.string(item, "targets", "name", where=where)
        if name in seen:
            raise check.fail(f"{where}.name", f"repeats target {name!r}")
        seen.add(name)
        aliases = check.strings(item, where, "aliases")
        if not aliases:
            raise check.fail(f"{where}.aliases", "must list at least one alias")
        targets.append(Target(name, aliases, check.strings(item, where, "people", required=False)))
    return tuple(targets)


def _sources(check: _Checker, items: list) -> tuple[Source, ...]:
    sources = []
    seen: set[str] = set()
    fields = ("name", "kind", "language", "url", "query", "urls", "urls_file", "edition")
    for i, item in enumerate(items):
        where = f"[[sources]][{i}]"
        if not isinstance(item, dict):
            raise check.fail(where, "must be a table")
        check.known(item, where, (*fields, "enabled"))
        name = check.string(item, "sources", "name", where=where)
        if name in seen:
            raise check.fail(f"{where}.name", f"repeats source {name!r}")
        seen.add(name)
        kind = check.string(item, "sources", "kind", where=where)
        if kind not in SOURCE_KINDS:
            raise check.fail(f"{where}.kind", f"must be one of {', '.join(SOURCE_KINDS)}")
        language = check.string(item, "sources", "language", where=where)
        if language not in LANGUAGES:
            raise check.fail(f"{where}.language", f"must be one of {', '.join(LANGUAGES)}")
        url = item.get("url")
        query = item.get("query")
        for key, value in (("url", url), ("query", query)):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise check.fail(f"{where}.{key}", f"must be a non-empty string, got {value!r}")
        if url is not None and not url.lower().startswith(("http://", "https://")):
            raise check.fail(f"{where}.url", f"must be an http(s) URL, got {url!r}")
        urls = check.strings(item, where, "urls", required=False)
        urls_file = item.get("urls_file")
        if kind == "rss" and not url:
            raise check.fail(f"{where}.url", "is missing (an rss source needs url)")
        if kind in ("google_news", "gdelt") and not (url or query):
            raise check.fail(f"{where}.query", f"is missing (a {kind} source needs query or url)")
        if kind == "urls" and not (urls or urls_file):
            raise check.fail(f"{where}.urls", "is missing (a urls source needs urls or urls_file)")
        edition = item.get("edition")
        if edition is not None and edition not in GOOGLE_NEWS_EDITIONS:
            raise check.fail(
                f"{where}.edition", f"must be one of {', '.join(GOOGLE_NEWS_EDITIONS)}"
            )
        enabled = item.get("enabled", True)
        if not isinstance(enabled, bool):
            raise check.fail(f"{where}.enabled", f"must be true or false, got {enabled!r}")
        sources.append(
            Source(
                name=name,
                kind=kind,
                language=language,
                url=url,
                query=query,
                urls=urls,
                urls_file=urls_file,
                edition=edition,
                enabled=enabled,
            )
        )
    return tuple(sources)


def _alerts(check: _Checker, items: list) -> tuple[AlertRule, ...]:
    rules = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"[[alerts]][{i}]"
        if not isinstance(item, dict):
            raise check.fail(where, "must be a table")
        kind = check.string(item, "alerts", "kind", where=where)
        if kind not in ALERT_KINDS:
            raise check.fail(f"{where}.kind", f"must be one of {', '.join(ALERT_KINDS)}")
        defaults = ALERT_PARAMETERS[kind]
        check.known(
            item,
            where,
            ("kind", "name", "targets", "languages", "organisations", "enabled", *defaults),
        )
        name = item.get("name", kind)
        if not isinstance(name, str) or not name.strip():
            raise check.fail(f"{where}.name", f"must be a non-empty string, got {name!r}")
        if name in seen:
            raise check.fail(f"{where}.name", f"repeats alert rule {name!r}")
        seen.add(name)
        params = {}
        for key, default in defaults.items():
            if key not in item:
                params[key] = float(default)
            elif isinstance(default, int):
                params[key] = float(check.integer(item, where, key))
            else:
                params[key] = check.number(item, where, key)
        languages = check.strings(item, where, "languages", required=False) or LANGUAGES
        for language in languages:
            if language not in LANGUAGES:
                raise check.fail(f"{where}.languages", f"must be among {', '.join(LANGUAGES)}")
        rules.append(
            AlertRule(
                kind=kind,
                name=name,
                params=params,
                targets=check.strings(item, where, "targets", required=False),
                languages=languages,
                organisations=check.strings(item, where, "organisations", required=False),
                enabled=check.boolean(item, where, "enabled", default=True),
            )
        )
    return tuple(rules)


_SECRET_KEYS = ("password", "smtp_password", "user", "username", "smtp_user", "login")


def _notify(check: _Checker, table: dict) -> NotifySettings:
    where = "[notify]"
    secret = sorted(set(table) & set(_SECRET_KEYS))
    if secret:
        raise check.fail(
            f"{where}.{secret[0]}",
            f"is not read from a file: set ${SMTP_USER_ENV} and ${SMTP_PASSWORD_ENV} "
            "in the environment instead",
        )
    check.known(table, where, tuple(NotifySettings.__dataclass_fields__))

    def text(key: str) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            raise check.fail(f"{where}.{key}", f"must be a string, got {value!r}")
        return value.strip()

    since = text("since")
    if parse_duration(since) is None:
        raise check.fail(f"{where}.since", f"must be a duration like 24h, 7d or 90m, got {since!r}")
    security = text("smtp_security")
    if security not in SMTP_SECURITY:
        raise check.fail(f"{where}.smtp_security", f"must be one of {', '.join(SMTP_SECURITY)}")
    webhook = text("webhook_url")
    if webhook and not webhook.lower().startswith(("http://", "https://")):
        raise check.fail(f"{where}.webhook_url", f"must be an http(s) URL, got {webhook!r}")
    mail_to = check.strings(table, where, "mail_to")
    host = text("smtp_host")
    if host and mail_to and not text("mail_from"):
        raise check.fail(f"{where}.mail_from", "is missing (mail needs a sender address)")
    return NotifySettings(
        on_run=check.boolean(table, where, "on_run", default=True),
        since=since,
        subject_prefix=text("subject_prefix"),
        datasette_url=text("datasette_url"),
        smtp_host=host,
        smtp_port=check.integer(table, where, "smtp_port", minimum=1),
        smtp_security=security,
        smtp_ca_file=text("smtp_ca_file"),
        mail_from=text("mail_from"),
        mail_to=mail_to,
        webhook_url=webhook,
        timeout=check.number(table, where, "timeout", minimum=0.001),
    )


_DURATION_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> int | None:
    """Seconds in ``"24h"``, ``"7d"``, ``"90m"``, ``"2w"``; None when not such a duration."""
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in _DURATION_UNITS or not text[:-1].isdigit():
        return None
    return int(text[:-1]) * _DURATION_UNITS[text[-1]]
