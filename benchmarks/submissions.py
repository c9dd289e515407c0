"""Generated submissions for grading benchmarks: copies of a reference file with small variations.

    python benchmarks/submissions.py OUT_DIR [-n 100] [--seed 0] [--reference derivations/mle_ex4_task1.yaml]

Each submission is the reference with, claim by claim (seeded): the text unchanged (most often), spaced
differently (same meaning, another text), rewritten (``\\hat{y} - y`` as ``-y + \\hat{y}``), a typical
mistake (a flipped sign, a dropped factor, ``+ 1``), or the claim left out; about one submission in ten
is an exact copy of the reference.  The same seed gives the same files.  With ``--distinct`` no two
submissions state a claim with the same text (trailing spaces, which the notation ignores, make each
text unique), so that nothing is shared between submissions.
"""
from __future__ import annotations

import argparse
import os
import random
import sys

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
REFERENCE = os.path.join(ROOT, "derivations", "mle_ex4_task1.yaml")

MISTAKES = {                                   # id -> a wrong claim a student might write
    "output-error": r"\delta^{(L)} = y - \hat{y}",
    "grad-W": r"\nabla_{W^{(L-1)}}\mathcal{L} = (a^{(L-1)})^T \delta^{(L)}",
    "grad-b": r"\nabla_{b^{(L-1)}}\mathcal{L} = \delta^{(L-1)}",
    "hidden-error": r"\delta^{(L-1)} = (W^{(L-1)})^T (\hat{y} - y)",
    "relu-prime-at-zero": r"\varphi'(0) = 1",
    "prior-layer": r"\delta^{(L-2)} = (W^{(L-1)})^T \delta^{(L-1)} \odot \varphi'(z^{(L-2)})",
}


def _respaced(text: str, rng) -> str:
    if " = " in text:
        return text.replace(" = ", "=", 1) if rng.random() < 0.5 else text.replace(" = ", " =  ", 1)
    return text + " "


def _vary(claim: dict, rng) -> dict | None:
    """One claim entry of a submission (None: left out)."""
    out = dict(claim)
    text = claim["claim"]
    roll = rng.random()
    if roll < 0.60:
        return out
    if roll < 0.78:
        out["claim"] = _respaced(text, rng)
    elif roll < 0.86 and r"\hat{y} - y" in text:
        out["claim"] = text.replace(r"\hat{y} - y", r"-y + \hat{y}")
    elif roll < 0.95:
        if claim["id"] in MISTAKES:
            out["claim"] = MISTAKES[claim["id"]]
        elif "=" in text and r"\in" not in text and r"\neq" not in text:
            out["claim"] = text + " + 1"
    else:
        return None
    return out


def submissions(n: int = 100, seed: int = 0, reference: str = REFERENCE, distinct: bool = False) -> dict:
    """{file name: YAML text} of ``n`` submissions."""
    with open(reference, encoding="utf-8") as f:
        ref = yaml.safe_load(f)
    files = {}
    for i in range(n):
        rng = random.Random(seed * 100_003 + i)
        doc = {"title": f"submission {i}", "network": ref["network"]}
        if rng.random() < 0.1:
            doc["claims"] = ref["claims"]
        else:
            doc["claims"] = [c for c in (_vary(c, rng) for c in ref["claims"]) if c is not None]
        if distinct:
            doc["claims"] = [dict(c, claim=c["claim"] + " " * (i + 1)) for c in doc["claims"]]
        files[f"student_{i:03d}.yaml"] = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=10_000)
    return files


def write(out_dir: str, n: int = 100, seed: int = 0, reference: str = REFERENCE, distinct: bool = False) -> list:
    """Write the submissions into ``out_dir`` (created); their paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for name, text in submissions(n, seed, reference, distinct).items():
        path = os.path.join(out_dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        paths.append(path)
    return paths


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("-n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reference", default=REFERENCE)
    ap.add_argument("--distinct", action="store_true", help="no claim text shared between submissions")
    a = ap.parse_args(argv)
    write(a.out_dir, a.n, a.seed, a.reference, a.distinct)
    return 0


if __name__ == "__main__":
    sys.exit(main())
