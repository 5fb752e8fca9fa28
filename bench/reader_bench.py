"""The reader of plain-Chinese replies on the corpus: precision, recall, and its time per message.

Every message of tests/corpus/*.yaml (and of the held-out corpora in tests/corpus/<folder>/, listed
in tests.reader_corpus.HELD_OUT) is read by `models.reader` in the context it was written in
(the speaker's unit, the reminder it answers, the day), and the proposed reports are compared with
the expected ones (see tests/reader_corpus.py). Then each message is read REPEAT more times and the
time per message is reported (p50 / p95 / max, nearest rank), the plan's vocabulary built once per
plan as the chat does.

    .venv/bin/python -m bench.reader_bench

Prints a table and a JSON line. Exit code 0.
"""

from __future__ import annotations

import json
import time

from models.reader import read, vocabulary
from tests.reader_corpus import HELD_OUT, PLANS, Score, context_of, entries, evaluate, plan_of

REPEAT = 20


def timings() -> dict[str, float]:
    words = {name: vocabulary(plan_of(name)) for name in PLANS}
    prepared = [
        (plan_of(name), entry["text"], context_of(plan_of(name), entry), words[name]) for name, entry in entries()
    ]
    times = []
    for _ in range(REPEAT):
        for plan, text, context, vocab in prepared:
            began = time.perf_counter()
            read(plan, text, context, vocab)
            times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return {
        "p50_ms": round(times[len(times) // 2], 3),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 3),
        "max_ms": round(times[-1], 3),
    }


def show(title: str, score: Score) -> dict[str, float | int]:
    """Print one corpus's figures; the same as a dict for the JSON line."""
    print(f"{title}: {score.messages} messages ({score.ambiguous} ambiguous)")
    print(f"  unambiguous: {score.right} right of {score.proposed} proposed, {score.expected} expected")
    print(f"  precision {score.precision:.1%}   recall {score.recall:.1%}")
    print(f"  ambiguous: asked {score.asked}, guessed {score.guessed}")
    print(f"  questions on messages that hold no figure: {score.questioned}")
    for line in score.wrong[:20]:
        print(f"  wrong: {line}")
    for line in score.missed[:20]:
        print(f"  missed: {line}")
    return {
        "messages": score.messages,
        "precision": round(score.precision, 4),
        "recall": round(score.recall, 4),
        "asked": score.asked,
        "ambiguous": score.ambiguous,
        "guessed": score.guessed,
    }


def main() -> int:
    report: dict[str, object] = {"corpus": show("corpus (the reader was built on it)", evaluate())}
    for folder in HELD_OUT:
        if entries(folder):
            report[folder.name] = show(
                f"held-out corpus {folder.name} (written without seeing the reader)", evaluate(folder)
            )
    speed = timings()
    print(f"time per message: p50 {speed['p50_ms']} ms, p95 {speed['p95_ms']} ms, max {speed['max_ms']} ms")
    print(json.dumps(report | speed, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
