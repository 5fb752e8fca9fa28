"""Pass/fail basic indicators (Puyang's 基础指标 G1–G12) read from a reply: "G4已达标", "双公示三率均已达标",
"信用贷款增速未达标". Part of `models.reader`.

Only an explicit verdict is read (达标, 符合要求, 满足要求 / 未达标, 不符合, 不满足), for the one gate the
clause names by its code, name or aliases among the gates the speaker answers for: whether a
figure meets a gate's threshold is the office's judgement, and a statement such as '平台已建成' may
or may not be all the gate asks. A clause naming several of the speaker's gates is not read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from config.plan_schema import Plan
from models.plans import per_plan
from models.reader_words import normal

FAIL = re.compile(r"未达标|不达标|没达标|没有达标|不符合|未满足|不满足|不合格|未达到要求|没有达到要求")
PASS = re.compile(r"达标|符合要求|符合条件|符合规定|满足要求|已满足|合格|达到要求")
CODE = re.compile(r"(?<![A-Za-z0-9])[Gg](\d{1,2})(?!\d)")


@dataclass(frozen=True)
class Verdict:
    """A gate's answer read from the message."""

    code: str
    met: bool
    written: str
    """The clause it was read from."""


def gate_vocabulary(plan: Plan) -> list[tuple[str, str]]:
    """(word, gate code) for every gate's name and aliases, longest first."""
    words = [(normal(word), gate.code) for gate in plan.gates for word in gate.names()]
    return sorted((w for w in words if w[0]), key=lambda pair: len(pair[0]), reverse=True)


gate_words = per_plan(gate_vocabulary)
"""The gate vocabulary of a plan, built once per parsed plan."""


def verdicts(plan: Plan, clauses: Sequence[str], own: frozenset[str]) -> list[Verdict]:
    """The verdicts the clauses state, each for the one gate of `own` it names."""
    found: dict[str, Verdict] = {}
    codes = {g.code.upper(): g.code for g in plan.gates}
    for clause in clauses:
        failed = FAIL.search(clause)
        if failed is None and PASS.search(clause) is None:
            continue
        named = {codes[f"G{m.group(1)}"] for m in CODE.finditer(clause) if f"G{m.group(1)}" in codes}
        if not named:
            named = {code for word, code in gate_words(plan) if word in clause}
        named &= own
        if len(named) == 1:
            code = named.pop()
            found[code] = Verdict(code, failed is None, clause)
    return list(found.values())
