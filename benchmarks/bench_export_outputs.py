"""What the compiled encoder's second output (token states, export format 2) costs.

The committed model's encoder is compiled twice in one process: as exported (sentence
vector and last hidden states) and the same IR pruned to the sentence vector alone (what
export format 1 held). Both encode the first 768 texts of the tagging corpus three
times, in turns; the script prints the seconds of each and their ratio.

    python benchmarks/bench_export_outputs.py [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_tagging import load_corpus  # noqa: E402
from benchmarks.common import say  # noqa: E402


def main() -> None:
    import openvino as ov

    from analysis.backend import OpenVinoForward, compile_encoder, ensure_ir
    from analysis.classifier import Heads
    from analysis.encoder import Encoder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    heads = Heads.load()
    eager = Encoder.load().with_adapter(heads.adapter_dir)
    with tempfile.TemporaryDirectory() as cache:
        both = compile_encoder(eager, backend="openvino", precision="auto", cache_dir=cache)
        model = ov.Core().read_model(str(ensure_ir(eager, Path(cache)) / "model.xml"))
        pruned = ov.Model(model.get_results()[:1], model.get_parameters(), "pooled")
        folder = Path(cache) / "pooled"
        folder.mkdir()
        ov.save_model(pruned, str(folder / "model.xml"))
        one = dataclasses.replace(eager, forward=OpenVinoForward(eager, folder, precision="auto"))
        texts = [row["text"] for row in load_corpus()][:768]
        diff = float(np.abs(both.encode(texts[:64]) - one.encode(texts[:64])).max())
        seconds = {"two outputs": 0.0, "sentence vector only": 0.0}
        variants = [("two outputs", both), ("sentence vector only", one)]
        for turn in range(3):
            for name, encoder in variants if turn % 2 == 0 else variants[::-1]:
                start = time.perf_counter()
                encoder.encode(texts)
                seconds[name] += time.perf_counter() - start
            say(f"turn {turn + 1}: {seconds}")
    report = {
        "inference_precision": both.forward.inference_precision,
        "max_difference": diff,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "two_outputs_vs_one": round(seconds["two outputs"] / seconds["sentence vector only"], 3),
    }
    print(json.dumps(report) if args.json else report)


if __name__ == "__main__":
    main()
