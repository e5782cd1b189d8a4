"""Datasette plugin: ``mediastance_target(text)``, the configured target a name stands for.

The comms team's canned queries take a target as typed: ``alibaba``, ``ALIBABA``,
``阿里巴巴``, ``阿裏巴巴``, ``Taobao`` and ``Jack Ma`` all mean Alibaba. The text is folded
as mentions are found (analysis/mentions.py: NFKC, casefold, Traditional → Simplified,
runs of spaces as one) and looked up among the configured targets' names, aliases and
people. Text that names no configured target gives NULL, so a query can say so instead
of silently returning nothing.

The targets are those of the config ``serve --config`` names (``use_targets``), else of the
bundled default layered with $MEDIASTANCE_CONFIG or ./mediastance.toml (as every command
reads them); there a config that fails to load leaves the bundled default's targets, since
a bad file must not take the browser down (``serve`` itself refuses one at start).

The plugin also gives dashboards ``mediastance_gloss(word)``: a Chinese framing word with
its English gloss (analysis/framing.py).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from datasette import hookimpl

from analysis.framing import gloss
from analysis.mentions import fold_alias
from mediastance.core.config import ConfigError, Target, load_config, load_config_text

log = logging.getLogger(__name__)


def configured_targets() -> tuple[Target, ...]:
    """The targets as ``mediastance`` commands see them (default config on a bad file)."""
    try:
        return load_config().targets
    except ConfigError as exc:
        log.warning("mediastance_target uses the default targets: %s", exc)
        return load_config_text("", label="default config").targets


@lru_cache(maxsize=8)
def _owners(targets: tuple[Target, ...]) -> dict[str, str]:
    owners: dict[str, str] = {}
    for target in targets:
        for name in (target.name, *target.aliases, *target.people):
            owners.setdefault(fold_alias(name), target.name)
    return owners


def canonical_target(text: str | None, targets: tuple[Target, ...] | None = None) -> str | None:
    """The configured target's name for a name, alias or person in any case or script."""
    if text is None or not str(text).strip():
        return None
    return _owners(targets if targets is not None else _targets()).get(fold_alias(str(text)))


_chosen: tuple[Target, ...] | None = None


def use_targets(targets: tuple[Target, ...] | None) -> None:
    """Name these targets (``serve``: those of its --config); None looks them up again."""
    global _chosen
    _chosen = None if targets is None else tuple(targets)


def _targets() -> tuple[Target, ...]:
    return _chosen if _chosen is not None else _looked_up()


@lru_cache(maxsize=1)
def _looked_up() -> tuple[Target, ...]:
    return configured_targets()


@hookimpl
def prepare_connection(conn):
    # For canned queries and dashboards: `where target = mediastance_target(:target)`.
    conn.create_function("mediastance_target", 1, canonical_target, deterministic=True)
    # For the framing-words chart: 假货 → "假货 (fake goods)" (analysis/framing.py).
    conn.create_function("mediastance_gloss", 1, gloss, deterministic=True)
