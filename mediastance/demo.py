"""The offline demo: the bundled EN/ZH corpus served on loopback, run through the real pipeline.

Nothing is faked: the corpus pages and feeds are served by a small HTTP server on
127.0.0.1 (a free port), and the same ``run`` that cron calls collects them over HTTP,
decodes their GBK/Big5 bytes, extracts, deduplicates, analyses and clusters them.
"""

from __future__ import annotations

import mimetypes
import os
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

from mediastance.core.config import Config, load_config_text

CORPUS = "demo/corpus"
FEEDS = (
    ("Demo: English outlets", "feeds/en.xml", "en"),
    ("Demo: Chinese outlets", "feeds/zh.xml", "zh"),
    ("Demo: company newsroom", "feeds/newsroom.xml", "en"),
)


def corpus_dir() -> Path:
    return Path(str(resources.files("mediastance").joinpath(CORPUS)))


class CorpusServer:
    """Serves the corpus folder on 127.0.0.1:<free port>, replacing ``{base}`` in bodies.

    Pages are served as ``text/html`` without a charset, as many real servers do, so the
    collector has to honour each page's own ``<meta charset>``.
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or corpus_dir()).resolve()
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.requests.append(self.path)
                path = (server.root / self.path.split("?")[0].lstrip("/")).resolve()
                if not path.is_file() or server.root not in path.parents:
                    self.send_error(HTTPStatus.NOT_FOUND)
                    return
                body = path.read_bytes().replace(b"{base}", server.base.encode("ascii"))
                kind = "application/rss+xml" if path.suffix == ".xml" else None
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", kind or mimetypes.guess_type(path.name)[0])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> CorpusServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def demo_config(base: str) -> Config:
    """The bundled default (targets, topic, model) with the corpus feeds as sources."""
    sources = "\n".join(
        f'[[sources]]\nname = "{name}"\nkind = "rss"\nurl = "{base}/{path}"\n'
        f'language = "{language}"\n'
        for name, path, language in FEEDS
    )
    text = (
        '[fetch]\nper_host_delay = 0.0\ntimeout = 10\nallowed_private_networks = ["127.0.0.0/8"]\n'
        f"{sources}"
    )
    return load_config_text(text, label="demo config")


def build_demo(db_path: str | os.PathLike, *, progress: Callable[[str], None] | None = None) -> Any:
    """Serve the corpus, then run the whole pipeline into ``db_path``; returns the run report."""
    from mediastance.run import run_pipeline

    with CorpusServer() as server:
        return run_pipeline(db_path, demo_config(server.base), progress=progress)
