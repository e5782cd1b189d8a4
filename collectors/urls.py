"""``urls`` sources: article URLs listed inline or in a file (one per line, # comments)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from collectors.feeds import FeedError, item_dict
from collectors.fetch import Fetcher
from mediastance.core.config import Source


def read_urls(source: Source, *, base_dir: Path | None = None) -> list[str]:
    urls = list(source.urls)
    if source.urls_file:
        path = Path(source.urls_file)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        try:
            lines = path.read_text("utf-8").splitlines()
        except OSError as exc:
            raise FeedError(f"cannot read urls_file {path}: {exc.strerror}") from None
        urls += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return list(dict.fromkeys(urls))  # unique, in order


def fetch_urls(
    source: Source, *, fetcher: Fetcher | None = None, base_dir: Path | None = None
) -> Iterator[dict[str, Any]]:
    """One item per listed URL; everything else comes from the page."""
    for url in read_urls(source, base_dir=base_dir):
        yield item_dict(url=url, language=source.language)
