"""Public labeled sets from outside the team, fetched at training time and never committed.

Each set is pinned to one commit of a public GitHub repository. :func:`ensure_external`
finds its files on disk (``$MEDIASTANCE_EXTERNAL_DATA`` or ``<cache>/external/<name>``)
or, on a connected machine, downloads that commit's archive from codeload.github.com,
keeps only the files the loader reads and checks their SHA-256. The ``load_<name>``
functions read a folder into ``{"train", "dev", "test"}`` lists of
:class:`~analysis.training_data.Example` in the project's labels:

- **newsmtsc** — English news sentences with sentiment toward a named person, which is
  our stance toward that target (positive → favor, negative → against, neutral → none).
- **nlpcc2016** — Chinese Weibo posts, stance toward five topics.
- **semeval2016** — English tweets, stance toward six topics (sentiment too, on request).
- **chnsenticorp** — Chinese hotel reviews, positive or negative sentiment.
- **dimabsa** — Chinese (Traditional) restaurant and laptop reviews from SemEval-2026
  Task 3 (DimABSA), each opinion rated for valence on 1..9: the sentence's mean distance
  from 5 is its wording's **intensity** (mild or strong, the bands of vader's ratings).

Where a set has no official dev (or test) split, one is carved from its training rows by
:func:`carve`: seeded, stratified by target and label, independent of row order.
Licences and counts are in ``analysis/data/EXTERNAL_DATA_CARD.md``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import shutil
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

from analysis.training_data import SEED, Example, TrainingDataError

ENV_VAR = "MEDIASTANCE_EXTERNAL_DATA"
DEV_FRACTION = 0.1
TEST_FRACTION = 0.1


@dataclass(frozen=True)
class ExternalSource:
    """Where one set lives: a GitHub repository at a pinned commit, and the files we read."""

    name: str
    repo: str  # owner/name
    commit: str
    task: str  # "stance" or "sentiment"
    files: dict[str, str]  # repo-relative path -> sha256 of its bytes at that commit
    licence: str

    @property
    def url(self) -> str:
        return f"https://codeload.github.com/{self.repo}/tar.gz/{self.commit}"

    @property
    def archive_folder(self) -> str:
        """The top folder of codeload's archive: ``<repo name>-<commit>``."""
        return f"{self.repo.split('/')[1]}-{self.commit}"


_NEWSMTSC = "NewsSentiment/controller_data/datasets/NewsMTSC-dataset"
_NEWSMTSC_SPLITS = "NewsSentiment/experiments/default/datasets"
_DIMABSA = "task-dataset/track_a/subtask_1/zho"

SOURCES: dict[str, ExternalSource] = {
    "newsmtsc": ExternalSource(
        "newsmtsc",
        "fhamborg/NewsMTSC",
        "b9d9b79704ed1b35cecaf1d7c2343dc1bd734fb7",
        "stance",
        {
            "LICENSE": "1b06daddf3d13d7d90d7d1195bb5759a2945b1c4e1257b6e279730d7dcd02fc0",
            f"{_NEWSMTSC}/readme.md": "dd6bd213206bcfb39bafff98bb8533337d2e13789d158b82e1fef3d53e44f7ad",
            f"{_NEWSMTSC}/train.jsonl": "fb80ff05993dd59016c36abefaa7bd00d77cb0cb38a781c1f9edd9ad7c61471e",
            f"{_NEWSMTSC_SPLITS}/newsmtsc-rw/dev.jsonl": "d62a327eefa17f63c66ed221f31d0b4e140b46c58bdd9680df562523c860bf4b",
            f"{_NEWSMTSC_SPLITS}/newsmtsc-rw/test.jsonl": "64a6e2619734091a003eb555fd37b786f018032256e83c39ceac4649032e57ba",
            f"{_NEWSMTSC_SPLITS}/newsmtsc-mt/dev.jsonl": "728602b11d63deb64874e1933bb6b832596a25fd711235cc38d022d839b03738",
            f"{_NEWSMTSC_SPLITS}/newsmtsc-mt/test.jsonl": "765cb5979353dff55174b5f2bfd7026d55e86c02ed87189637ec73215eb1563d",
        },
        "MIT-style licence in the repository (LICENSE, Copyright 2020 Felix Hamborg)",
    ),
    "nlpcc2016": ExternalSource(
        "nlpcc2016",
        "jacoxu/2016NLPCC_Stance_Detection",
        "185c76329ec77be974d21e6259696d2c1d84b871",
        "stance",
        {
            "README.md": "654564db272bdc450d0b63650b55c451ff4df0faed0cdd4ce27316117ea0926a",
            "data/evasampledata4-TaskAA.txt": "9776ba1ce2974551ee458b2941e0633de0eb0fca775c7eedb4d7c147a0432a73",
            "data/NLPCC_2016_Stance_Detection_Task_A_gold.txt": "38b120b76376111fa1c6908666e42c880d8217eeb0d6cb10a47dd681f2f3c868",
        },
        "none stated (NLPCC 2016 shared-task data, re-hosted by a participating team)",
    ),
    "semeval2016": ExternalSource(
        "semeval2016",
        "BinLiang-NLP/TPDG",
        "de8ff47b3478e40344cc26090a7a74e95c186f06",
        "stance",
        {
            "data/readme.txt": "e33901b8e3c585c742ce5566bdaeb5c0ec66ab60df22bf2f87fc6d4cd5a70c2b",
            "data/trainingdata-all-annotations.txt": "0d0d15631457b21be65a0bc6902f633a962ba8c1ad030ab9b634bcb4fad3ef16",
            "data/trialdata-all-annotations.txt": "1073bd6de5edfa0072a5e595ae5f58582fd461a5a7afcc620a6f9244f25074c1",
            "data/testdata-taskA-all-annotations.txt": "4c3dd19b0a4916afabd74061f96eacc6e4da9735e42ee6511959b10d82179121",
            "data/testdata-taskB-all-annotations.txt": "3a90c579d053288f1fcf6ae4fcfd28e6cd6ee2fd00bd19cffb55119478679e2e",
        },
        "none stated in the copy; the organisers (NRC Canada) ask to cite and not redistribute",
    ),
    "chnsenticorp": ExternalSource(
        "chnsenticorp",
        "SophonPlus/ChineseNlpCorpus",
        "a0b781d72158bde242c0626c9e354d2b328865ff",
        "sentiment",
        {
            "README.md": "b1bae6d5f60016f04b20b6589a757e317c4d255074e87354fdb819809cbc9e6f",
            "datasets/ChnSentiCorp_htl_all/ChnSentiCorp_htl_all.csv": "1d414b9c65caf3a836abdb4efded621968502ad3338e1a9d885ae131c86083f0",
        },
        "none stated (ChnSentiCorp, Tan Songbo, ICT/CAS; hotel subset re-hosted by SophonPlus)",
    ),
    "dimabsa": ExternalSource(
        "dimabsa",
        "DimABSA/DimABSA2026",
        "bdc93be1224106ae7d3eb95739c02a76ed4ae8a1",
        "intensity",
        {
            "README.md": "3981cc9d70378e1ba03a2500e23e915e69a774ec612f46163492e6ac191c11ef",
            f"{_DIMABSA}/zho_restaurant_train_alltasks.jsonl": "6c3290734269f2bd4852daf57339fec7436af46cb93e3821c67f5926fd133849",
            f"{_DIMABSA}/zho_restaurant_dev_task1.jsonl": "39136b07a0f86d4b1af63a45aefd79e64ff48bfa3c1ec7936371910d4d74585e",
            f"{_DIMABSA}/zho_restaurant_test_task1.jsonl": "30ff607a2845198d44d64dbf391e7cdb410f51531406706c989c67b2e2ff661d",
            f"{_DIMABSA}/zho_laptop_train_alltasks.jsonl": "cb42521ee379ecfdbad87b2d2fd32eb4d5dc4add4b0693965325ec29e58009ca",
            f"{_DIMABSA}/zho_laptop_dev_task1.jsonl": "bc2595b579441145a04744de23cda74e59a80f2fe97aa6e3db71bc3e54ef4935",
            f"{_DIMABSA}/zho_laptop_test_task1.jsonl": "dfe95464681b90205ec2dd961386f90de24aae3703d7e883e770354a04ca5415",
        },
        "none stated (SemEval-2026 Task 3 shared-task data, published by its organisers)",
    ),
}

STANCE_MAP = {"FAVOR": "favor", "AGAINST": "against", "NONE": "none"}
NEWSMTSC_MAP = {2.0: "against", 4.0: "none", 6.0: "favor"}
SEMEVAL_SENTIMENT_MAP = {"POSITIVE": "positive", "NEGATIVE": "negative", "NEITHER": "neutral"}
CHNSENTICORP_MAP = {"1": "positive", "0": "negative"}


# --------------------------------------------------------------------------- files


def ensure_external(name: str, cache_dir: Path, *, client: httpx.Client | None = None) -> Path:
    """The local folder holding set ``name``'s files, downloading them if absent.

    Looks in ``$MEDIASTANCE_EXTERNAL_DATA`` and ``cache_dir/external`` for a folder named
    ``<name>`` or ``<repo>-<commit>`` (what unpacking codeload's archive gives). Otherwise
    downloads the pinned commit's archive and keeps the files the loader reads, each
    checked against its pinned SHA-256, in ``cache_dir/external/<name>``.
    """
    source = _source(name)
    home = Path(cache_dir) / "external"
    bases = [Path(os.environ[ENV_VAR]).expanduser()] if os.environ.get(ENV_VAR) else []
    for base in [*bases, home]:
        for folder in (base / name, base / source.archive_folder):
            if all((folder / path).is_file() for path in source.files):
                return folder
    target = home / name
    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home, prefix=f".{name}-") as tmp:
        archive = Path(tmp) / "archive.tar.gz"
        try:
            _download(source.url, archive, client)
        except httpx.HTTPError as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise TrainingDataError(
                f"{name}: not found locally and {source.url} could not be downloaded "
                f"({reason}); on a machine with network run this again, or download that "
                f"archive and unpack it into {home} (or into a folder named by ${ENV_VAR})"
            ) from None
        staging = Path(tmp) / name
        _unpack(source, archive, staging)
        (staging / "SOURCE.json").write_text(
            json.dumps({"repo": source.repo, "commit": source.commit, "url": source.url}) + "\n",
            encoding="utf-8",
        )
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    return target


def _source(name: str) -> ExternalSource:
    if name not in SOURCES:
        raise TrainingDataError(f"unknown external set {name!r}; known: {', '.join(SOURCES)}")
    return SOURCES[name]


def _download(url: str, path: Path, client: httpx.Client | None) -> None:
    own = client is None
    client = client or httpx.Client(follow_redirects=True, timeout=60)
    try:
        with client.stream("GET", url) as response:
            response.raise_for_status()
            with open(path, "wb") as fp:
                for chunk in response.iter_bytes():
                    fp.write(chunk)
    finally:
        if own:
            client.close()


def _unpack(source: ExternalSource, archive: Path, folder: Path) -> None:
    """Write the source's files from a codeload archive into ``folder``, checking hashes.

    Only regular files on the pinned list are written, by their listed path, so nothing
    in the archive chooses where bytes land.
    """
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                path = member.name.split("/", 1)[-1]
                if member.isfile() and path in source.files:
                    data = tar.extractfile(member)
                    if data is not None:
                        found[path] = data.read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise TrainingDataError(
            f"{source.name}: {source.url} is not a readable archive ({exc})"
        ) from None
    for path, digest in source.files.items():
        if path not in found:
            raise TrainingDataError(f"{source.name}: {source.url} has no file {path}")
        actual = hashlib.sha256(found[path]).hexdigest()
        if actual != digest:
            raise TrainingDataError(
                f"{source.name}: {path} in {source.url} has sha256 {actual}, pinned {digest}"
            )
        out = folder / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(found[path])


def _read(root: Path, path: str, encodings: Iterable[str] = ("utf-8-sig",)) -> str:
    """A file's text under the first encoding that decodes it whole."""
    full = Path(root) / path
    try:
        raw = full.read_bytes()
    except OSError as exc:
        raise TrainingDataError(f"{full}: cannot read ({exc.strerror})") from None
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TrainingDataError(f"{full}: not decodable as {' or '.join(encodings)}")


# --------------------------------------------------------------------------- splits


def carve(
    rows: Iterable[Example], fraction: float, *, seed: int = SEED, salt: str = ""
) -> tuple[list[Example], list[Example]]:
    """(kept, carved): ``fraction`` of each (target, label) group, seeded, order-independent.

    Each group is sorted by id before its seeded shuffle, so the same rows in any order
    give the same split; ``salt`` keeps two carvings from one set (dev, test) apart.
    """
    groups: dict[tuple[str, str], list[Example]] = defaultdict(list)
    for row in rows:
        groups[(row.target or "", row.label)].append(row)
    kept: list[Example] = []
    carved: list[Example] = []
    for key in sorted(groups):
        group = sorted(groups[key], key=lambda r: r.id)
        random.Random(f"{seed}:{salt}:{key[0]}:{key[1]}").shuffle(group)
        # Half rounds up, and a group of two or more always gives one row, so every
        # (target, label) of a small set still appears in the carved split.
        n = int(len(group) * fraction + 0.5)
        if n == 0 and fraction > 0 and len(group) >= 2:
            n = 1
        carved += group[:n]
        kept += group[n:]
    return _by_id(kept), _by_id(carved)


def _by_id(rows: list[Example]) -> list[Example]:
    return sorted(rows, key=lambda r: r.id)


def _drop_overlap(splits: dict[str, list[Example]]) -> dict[str, list[Example]]:
    """Drop from train and dev any text that is also in a later split (test wins)."""
    seen: set[str] = set()
    out: dict[str, list[Example]] = {}
    for split in ("test", "dev", "train"):
        rows = [r for r in splits[split] if r.text not in seen]
        seen |= {r.text for r in splits[split]}
        out[split] = rows
    return {split: out[split] for split in ("train", "dev", "test")}


# --------------------------------------------------------------------------- NewsMTSC


def read_newsmtsc_jsonl(path: Path) -> list[Example]:
    """One stance example per target: the mention is the target, its span kept.

    NewsMTSC's ``to`` is exclusive (``sentence[from:to] == mention``); polarity is
    2.0 negative, 4.0 neutral, 6.0 positive toward the mention.
    """
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["sentence_normalized"]
            for target in record["targets"]:
                start, end, mention = int(target["from"]), int(target["to"]), target["mention"]
                if text[start:end] != mention:
                    raise ValueError(f"span {start}:{end} is not {mention!r}")
                label = NEWSMTSC_MAP[float(target["polarity"])]
                rows.append(
                    Example(
                        text,
                        "en",
                        label,
                        "newsmtsc",
                        mention,
                        f"newsmtsc:{target['Input.gid']}",
                        (start, end),
                    )
                )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise TrainingDataError(f"{path}: line {n}: {exc}") from None
    return rows


def load_newsmtsc(root: Path) -> dict[str, list[Example]]:
    """train.jsonl; dev and test are the authors' own halves of devtest_rw and devtest_mt.

    The same (sentence, mention span) listed twice in one split is kept once; a sentence
    that appears in a later split is dropped from the earlier one.
    """
    root = Path(root)
    splits: dict[str, list[Example]] = {
        "train": read_newsmtsc_jsonl(root / _NEWSMTSC / "train.jsonl")
    }
    for split in ("dev", "test"):
        splits[split] = [
            row
            for variant in ("rw", "mt")
            for row in read_newsmtsc_jsonl(
                root / _NEWSMTSC_SPLITS / f"newsmtsc-{variant}" / f"{split}.jsonl"
            )
        ]
    return _drop_overlap({split: _unique(rows) for split, rows in splits.items()})


def _unique(rows: list[Example]) -> list[Example]:
    """One row per (text, target, span); a key listed with two labels is dropped."""
    by_key: dict[tuple, list[Example]] = defaultdict(list)
    for row in rows:
        by_key[(row.text, row.target, row.span)].append(row)
    out = []
    for group in by_key.values():
        if len({r.label for r in group}) == 1:
            out.append(min(group, key=lambda r: r.id))
    return _by_id(out)


# --------------------------------------------------------------------------- NLPCC 2016


def read_nlpcc_tsv(root: Path, path: str, split: str) -> list[Example]:
    """``ID<TAB>TARGET<TAB>TEXT<TAB>STANCE`` rows; rows with no stance label are skipped.

    The training file is UTF-8 with a BOM, the gold test file GBK: both are tried.
    """
    text = _read(root, path, ("utf-8-sig", "gb18030"))
    rows = []
    lines = text.splitlines()
    if not lines or lines[0].split("\t")[:4] != ["ID", "TARGET", "TEXT", "STANCE"]:
        raise TrainingDataError(f"{Path(root) / path}: not an NLPCC 2016 stance file")
    for n, line in enumerate(lines[1:], 2):
        parts = line.split("\t")
        if len(parts) != 4:
            raise TrainingDataError(f"{Path(root) / path}: line {n}: {len(parts)} columns, not 4")
        row_id, target, body, stance = (p.strip() for p in parts)
        if not stance:
            continue
        if stance not in STANCE_MAP:
            raise TrainingDataError(f"{Path(root) / path}: line {n}: unknown stance {stance!r}")
        rows.append(
            Example(
                body, "zh", STANCE_MAP[stance], "nlpcc2016", target, f"nlpcc2016:{split}:{row_id}"
            )
        )
    return rows


def load_nlpcc2016(root: Path, *, seed: int = SEED) -> dict[str, list[Example]]:
    """Task A: the 3,000 labeled training posts and the 1,000-post gold test set.

    No official dev split: 10 % of train per (target, label) is carved off.
    """
    train = read_nlpcc_tsv(root, "data/evasampledata4-TaskAA.txt", "train")
    test = read_nlpcc_tsv(root, "data/NLPCC_2016_Stance_Detection_Task_A_gold.txt", "test")
    train, dev = carve(train, DEV_FRACTION, seed=seed, salt="nlpcc2016:dev")
    return _drop_overlap({"train": train, "dev": dev, "test": _by_id(test)})


# --------------------------------------------------------------------------- SemEval 2016


def read_semeval_tsv(root: Path, path: str, task: str = "stance") -> list[Example]:
    """``ID Target Tweet Stance Opinion-towards Sentiment`` rows (the "all-annotations" files).

    The training file is Windows-1252, the others ASCII. The ``#SemST`` hashtag marks the
    task, not the tweet (annotators never saw it), so it is removed.
    """
    text = _read(root, path, ("utf-8-sig", "cp1252"))
    lines = text.splitlines()
    if not lines or lines[0].split("\t")[:4] != ["ID", "Target", "Tweet", "Stance"]:
        raise TrainingDataError(f"{Path(root) / path}: not a SemEval-2016 task 6 file")
    rows = []
    for n, line in enumerate(lines[1:], 2):
        parts = line.split("\t")
        if len(parts) != 6:
            raise TrainingDataError(f"{Path(root) / path}: line {n}: {len(parts)} columns, not 6")
        row_id, target, tweet, stance, _towards, sentiment = (p.strip() for p in parts)
        tweet = " ".join(tweet.replace("#SemST", " ").split())
        if task == "stance":
            label, labels, kept_target = stance, STANCE_MAP, target
        else:
            label, labels, kept_target = sentiment, SEMEVAL_SENTIMENT_MAP, None
        if label not in labels:
            raise TrainingDataError(f"{Path(root) / path}: line {n}: unknown label {label!r}")
        rows.append(
            Example(tweet, "en", labels[label], "semeval2016", kept_target, f"semeval2016:{row_id}")
        )
    return rows


def load_semeval2016(root: Path, *, task: str = "stance") -> dict[str, list[Example]]:
    """Official splits: train = training data, dev = trial data, test = task A + task B.

    Task B (target "Donald Trump") had no training data in the shared task; its gold
    labels are part of the test split here. ``task="sentiment"`` gives the same tweets
    with the later sentiment annotation (POSITIVE/NEGATIVE/NEITHER) instead.
    """
    if task not in ("stance", "sentiment"):
        raise TrainingDataError(f"semeval2016: task is stance or sentiment, not {task!r}")
    files = {
        "train": ["data/trainingdata-all-annotations.txt"],
        "dev": ["data/trialdata-all-annotations.txt"],
        "test": [
            "data/testdata-taskA-all-annotations.txt",
            "data/testdata-taskB-all-annotations.txt",
        ],  # fmt: skip
    }
    splits = {
        split: _by_id([row for path in paths for row in read_semeval_tsv(root, path, task)])
        for split, paths in files.items()
    }
    return _drop_overlap(splits)


# --------------------------------------------------------------------------- ChnSentiCorp


def read_chnsenticorp_csv(root: Path, path: str) -> list[Example]:
    """``label,review`` rows (1 positive, 0 negative); a review listed twice is kept once,
    and dropped if its copies disagree."""
    text = _read(root, path)
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != ["label", "review"]:
        raise TrainingDataError(f"{Path(root) / path}: header {header}, not label,review")
    rows = []
    for n, record in enumerate(reader, 1):
        if len(record) != 2:
            raise TrainingDataError(f"{Path(root) / path}: record {n}: {len(record)} columns")
        label, review = record[0].strip(), record[1].strip()
        if label not in CHNSENTICORP_MAP:
            raise TrainingDataError(f"{Path(root) / path}: record {n}: unknown label {label!r}")
        if review:
            rows.append(
                Example(
                    review, "zh", CHNSENTICORP_MAP[label], "chnsenticorp", id=f"chnsenticorp:{n:05}"
                )
            )
    return _unique(rows)


def load_chnsenticorp(root: Path, *, seed: int = SEED) -> dict[str, list[Example]]:
    """ChnSentiCorp_htl_all has no splits: test, then dev, are 10 % each, carved per label."""
    rows = read_chnsenticorp_csv(root, "datasets/ChnSentiCorp_htl_all/ChnSentiCorp_htl_all.csv")
    rest, test = carve(rows, TEST_FRACTION, seed=seed, salt="chnsenticorp:test")
    train, dev = carve(rest, DEV_FRACTION / (1 - TEST_FRACTION), seed=seed, salt="chnsenticorp:dev")
    return {"train": train, "dev": dev, "test": test}


def read_dimabsa_jsonl(root: Path, path: str) -> list[Example]:
    """One intensity example per sentence whose opinions all lean one way.

    Train files list ``Quadruplet``s, dev and test files ``Aspect_VA``; each item's "VA" is
    "valence#arousal" on 1..9. A sentence's intensity is that of the mean of (valence − 5)
    over its items, in :func:`analysis.training_data.vader_intensity`'s bands (the same
    −4..+4 scale); sentences with opinions on both sides of neutral are skipped.
    """
    from analysis.training_data import vader_intensity

    rows = []
    for n, line in enumerate(_read(root, path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            items = record.get("Quadruplet") or record.get("Aspect_VA") or []
            valence = [float(item["VA"].split("#")[0]) - 5 for item in items]
        except (ValueError, KeyError, AttributeError, TypeError) as exc:
            raise TrainingDataError(f"{path}: line {n}: unreadable ({exc})") from None
        text = str(record.get("Text") or "").strip()
        if not valence or not text or (min(valence) < -0.3 and max(valence) > 0.3):
            continue
        label = vader_intensity(sum(valence) / len(valence))
        if label:
            rows.append(Example(text, "zh", label, "dimabsa", id=f"dimabsa:{record.get('ID', n)}"))
    return rows


def load_dimabsa(root: Path) -> dict[str, list[Example]]:
    """The restaurant and laptop domains together, in the task's own splits."""
    files = {"train": "train_alltasks", "dev": "dev_task1", "test": "test_task1"}
    return _drop_overlap(
        {
            split: _unique(
                [
                    row
                    for domain in ("restaurant", "laptop")
                    for row in read_dimabsa_jsonl(root, f"{_DIMABSA}/zho_{domain}_{name}.jsonl")
                ]
            )
            for split, name in files.items()
        }
    )


# --------------------------------------------------------------------------- all together

LOADERS: dict[str, Callable[[Path], dict[str, list[Example]]]] = {
    "newsmtsc": load_newsmtsc,
    "nlpcc2016": load_nlpcc2016,
    "semeval2016": load_semeval2016,
    "chnsenticorp": load_chnsenticorp,
    "dimabsa": load_dimabsa,
}


def load_external(
    name: str, *, cache_dir: Path, client: httpx.Client | None = None
) -> dict[str, list[Example]]:
    """Set ``name``'s splits, fetching its files first if they are not on disk."""
    return LOADERS[_source(name).name](ensure_external(name, cache_dir, client=client))


def counts(splits: dict[str, list[Example]]) -> dict[str, dict[str, int]]:
    """{split: {label: n}} for the data card."""
    out: dict[str, dict[str, int]] = {}
    for split, rows in splits.items():
        tally: dict[str, int] = defaultdict(int)
        for row in rows:
            tally[row.label] += 1
        out[split] = dict(sorted(tally.items()))
    return out
