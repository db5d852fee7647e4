"""Precision and recall of scraping.contacts.extract_emails against the naive regex.

Run from the repository root: ``python bench/emails.py``. Both extractors read the same table
(tests/contacts/bio_cases.py) and are scored over the multiset of (case, address) pairs:
TP = expected and found, FP = found only, FN = expected only.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scraping.contacts import extract_emails  # noqa: E402 - needs the root on sys.path

NAIVE = re.compile(r"[\w\.-]+@[\w\.-]+\.\w+")
REPEAT = 20  # timing runs over the whole table


def load_cases() -> list[tuple[str, list[str]]]:
    path = ROOT / "tests" / "contacts" / "bio_cases.py"
    spec = importlib.util.spec_from_file_location("bench_bio_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def ours(text: str) -> list[str]:
    return [d.email for d in extract_emails(text)]


def naive(text: str) -> list[str]:
    found: list[str] = []
    for match in NAIVE.findall(text):
        if match.lower() not in found:
            found.append(match.lower())
    return found


def score(extract: Callable[[str], list[str]], cases, repeat: int = REPEAT) -> dict:
    tp = fp = fn = 0
    for i, (bio, expected) in enumerate(cases):
        want = Counter((i, e) for e in expected)
        got = Counter((i, e) for e in extract(bio))
        tp += sum((want & got).values())
        fp += sum((got - want).values())
        fn += sum((want - got).values())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    start = time.perf_counter()
    for _ in range(repeat):
        for bio, _expected in cases:
            extract(bio)
    per_bio_us = (time.perf_counter() - start) / (max(repeat, 1) * len(cases)) * 1e6
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "us_per_bio": per_bio_us,
    }


def run(repeat: int = REPEAT) -> dict:
    """``{"cases": n, "expected": n, "ours": {...}, "naive_regex": {...}}``.

    Each side has precision, recall, f1, tp, fp, fn and us_per_bio (mean of ``repeat`` passes).
    """
    cases = load_cases()
    return {
        "cases": len(cases),
        "expected": sum(len(e) for _, e in cases),
        "ours": score(ours, cases, repeat),
        "naive_regex": score(naive, cases, repeat),
    }


def main() -> None:
    result = run()
    print(f"Email extraction on {result['cases']} bios, {result['expected']} expected addresses")
    rows = [
        ("precision", "{:.4f}"),
        ("recall", "{:.4f}"),
        ("f1", "{:.4f}"),
        ("tp", "{}"),
        ("fp", "{}"),
        ("fn", "{}"),
        ("us_per_bio", "{:.1f}"),
    ]
    print(f"{'metric':<12}{'scraping.contacts':>20}{'naive regex':>14}")
    for key, fmt in rows:
        ours_v, naive_v = fmt.format(result["ours"][key]), fmt.format(result["naive_regex"][key])
        print(f"{key:<12}{ours_v:>20}{naive_v:>14}")
    print(f"naive regex: {NAIVE.pattern}")


if __name__ == "__main__":
    main()
