"""Which task a plain progress message is about, when it names one by its words ("双公示专项行动正在推进"
is task 6, "开展行政许可、行政处罚信息“双公示”专项行动"). Part of `models.reader`.

The longest run of characters the message shares with each task's title (words every task uses, such
as 工作, 推进, 信用, left out) decides, when it is at least MIN_TITLE long and no other task's title
shares as much; else, the same with the task's text, at least MIN_TEXT long. Anything less certain
names no task: the chat then asks which, or leaves the progress out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from config.plan_schema import Task
from models.reader_words import normal

COMMON = re.compile(r"工作|推进|开展|加强|深入|情况|完成|信用|建设|全面|相关|正在|已经")
PUNCTUATION = re.compile(r"[“”\"'《》「」、，,。；;：:（）()\s]")
MIN_TITLE = 3
MIN_TEXT = 4


def named_task(message: str, tasks: Sequence[Task]) -> str | None:
    """The code of the one task of `tasks` the message names by its words, or None."""
    parts = [part for part in COMMON.split(PUNCTUATION.sub("|", normal(message))) for part in part.split("|")]
    parts = [part for part in parts if part]
    scored = sorted(
        ((_shared(parts, task.title), _shared(parts, task.text or ""), task.code) for task in tasks), reverse=True
    )
    if not scored:
        return None
    title, text, code = scored[0]
    if title >= MIN_TITLE:
        return code if all(other < title for other, _, _ in scored[1:]) else None
    if text >= MIN_TEXT:
        return code if all(other < text for _, other, _ in scored[1:]) else None
    return None


def _shared(parts: list[str], target: str) -> int:
    """The length of the longest run of characters any part shares with the target."""
    plain = PUNCTUATION.sub("", normal(target))
    best = 0
    for part in parts:
        for start in range(len(part)):
            end = start + best + 1
            while end <= len(part) and part[start:end] in plain:
                best, end = end - start, end + 1
    return best
