"""Yes/no figures said in words ('公务员诚信档案已建立' 是, '未发生信息安全事件' 否), and 'none' said in
words for what a count counts ('信用修复没有超期的' 0). Part of `models.reader`."""

from __future__ import annotations

import re

from config.plan_schema import Indicator
from config.values import ValueType
from models.reader_place import (
    JOINERS,
    MAX_CHOICES,
    Ambiguity,
    Context,
    Figure,
    figure_for,
    is_yes_no,
    narrow,
    same_indicator,
    targets_of,
)
from models.reader_words import Clause, Option, Word
from models.scoring import find_item, value_spec

DID = (
    "建立|建成|建好|落实|作为|实现|开通|接入|出台|成立|制定|对接|上线|纳入|共享|设立|推送|推到|归集|列入|明确|保障"
    "|落地|同步|完成|安排|印发|常态化运行"
)


DID_NOT = "建立|建成|建好|发生|出现|存在|共享|归集|接入|对接|上线|开通|推送|同步|落实|出台|成立|作为|落地|安排"


STATEMENT = re.compile(
    rf"(?P<no>(?:还没有|没有|还没|没|尚未|未|不)(?:把[^,，]{{1,8}}|在[^,，]{{1,6}})?(?P<not>{DID_NOT})"
    r"|(?:还没有|还没|尚未)$)"
    rf"|(?:已|早就|早已)(?:经)?[^,:：]{{0,10}}?(?P<did>{DID})|对接完成|运行正常|正常运行"
    r"|[:：]\s*(?:是|有)$|[:：]\s*(?P<answered_no>否|无|没有)$"
)
"""Words that state a yes/no figure: what exists or was done (是: '已建立', '已通过省平台推送'), what did
not happen or is not there yet (否: '未发生', '不存在', '气还没有'), or a form's answer ('重大金融风险：否')."""


DEMONSTRATIVE = re.compile(r"这项|该项|此项|这个|相关(?!工作|材料|佐证|文件|情况)")
"""'这项已经建立了', '相关资金已落实': a statement about a thing the reader must ask about (not about
the work or its papers: '相关材料已报送')."""


NONE = re.compile(r"(?:没有|无|未有)(?:一[个家条件起])?$")


HAPPENED_NONE = re.compile(r"(?:没有|没|未)发生(?:过)?[^,，。;；]{0,4}$")
"""'辖区没有发生重大区域金融风险': none of the events a count counts happened."""


def statement(
    clause: Clause, topic: str | None, previous: set[str], indicators: dict[str, Indicator], context: Context
) -> tuple[list[Figure], list[Ambiguity]]:
    """A yes/no figure said in words: '公务员诚信档案已建立' is 是, '不存在行政干预' is 否, for the
    yes/no indicators and items the clause names before the statement (each of them when several
    are listed), else after it ('未发生信息安全事件', '已共享：社保、纳税…'); naming none, it is asked."""
    found = STATEMENT.search(clause.text)
    if found is None:
        return [], []
    answer = "否" if found.group("no") or found.group("answered_no") else "是"
    named = Clause(clause.text, _specific(clause), clause.figures)
    for targets in (
        targets_of(named, found.start(), "", topic, None, indicators),
        _after(named, found.start()),
    ):
        figures = []
        for options in targets:
            yes_no = [(c, i) for c, i in narrow(options, context, topic, indicators) if is_yes_no(indicators[c], i)]
            placed = [f for c, i in yes_no if (f := figure_for(indicators[c], i, answer, None, context)) is not None]
            if len(placed) == 1:
                figures.append(placed[0])
        if figures:
            return figures, []
    named_codes = {c for _, w in clause.words for c, _ in w.options}
    return [], _ask_statement(clause.text, found, answer, named_codes or previous, indicators, context)


def _specific(clause: Clause) -> list[tuple[int, Word]]:
    """The clause's words without the common ones, unless one follows its own indicator's word
    ('涉企信用信息共享平台': that 平台 is 4.1's)."""
    kept = []
    for index, (pos, word) in enumerate(clause.words):
        previous = clause.words[index - 1] if index else None
        pair = previous is not None and previous[0] + len(previous[1].text) == pos and same_indicator(word, previous[1])
        if not word.common or pair:
            kept.append((pos, word))
    return kept


def _after(clause: Clause, start: int) -> list[list[Option]]:
    """The words a statement is about when they follow its start ('已与信用中国当日自动同步'): the
    first one, or the list it starts."""
    after = [(pos, w) for pos, w in clause.words if pos > start]
    if not after:
        return []
    listed = [after[0]]
    for pos, word in after[1:]:
        previous, previous_word = listed[-1]
        if clause.text[previous + len(previous_word.text) : pos] not in JOINERS:
            break
        listed.append((pos, word))
    return [list(w.options) for _, w in listed]


def _ask_statement(
    text: str,
    found: re.Match[str],
    answer: str,
    named: set[str],
    indicators: dict[str, Indicator],
    context: Context,
) -> list[Ambiguity]:
    """A statement that places nothing ('目前未发生相关事件', '这项已经建立了'): the speaker's yes/no
    indicators whose question has its verb (or, said of 这项/相关, any of them) are asked about; of
    them, those the clause names when it names some ('八类信息都已共享': which of 5.3's items)."""
    verb = found.group("not") or found.group("did")
    fits = _yes_no_fits(verb, answer, indicators, context) if verb else {}
    if not fits and DEMONSTRATIVE.search(text):
        fits = _yes_no_fits(None, answer, indicators, context)
    elif not fits and named:  # '档案和考核这两项，一个建了一个还没有': the items named before
        fits = {c: f for c, f in _yes_no_fits(None, answer, indicators, context).items() if c in named}
    fits = {c: f for c, f in fits.items() if c in named} or fits  # '八类信息都已共享': which of 5.3's
    if len(fits) == 1:
        code, figures = next(iter(fits.items()))
        if indicators[code].items():
            return [Ambiguity(found.group(0), (code,), tuple(figures))]
    choices = tuple(f for figures in fits.values() for f in figures)
    return [Ambiguity(found.group(0), tuple(fits), choices=choices)] if 0 < len(fits) <= MAX_CHOICES else []


def _yes_no_fits(
    verb: str | None, answer: str, indicators: dict[str, Indicator], context: Context
) -> dict[str, list[Figure]]:
    """The speaker's yes/no indicators (the answer as each item) whose question has the verb, or all."""
    fits: dict[str, list[Figure]] = {}
    for code in sorted(context.own, key=lambda c: list(indicators).index(c)):
        indicator = indicators[code]
        items: list[str | None] = [i.name for i in indicator.items()] or [None]
        for item in items:
            question = _question(indicator, item)
            if question is None or (verb is not None and verb not in question):
                continue
            if (figure := figure_for(indicator, item, answer, None, context)) is not None:
                fits.setdefault(code, []).append(figure)
    return fits


def _question(indicator: Indicator, item: str | None) -> str | None:
    """The yes/no question of an indicator or item, or None when its figure is not yes/no."""
    found = find_item(indicator, item) if item else None
    if item is None and indicator.items():
        return None
    rule = found.rule if found is not None else indicator.rule
    if value_spec(indicator, found).type is not ValueType.YES_NO:
        return None
    return str(getattr(rule, "question", None) or "")


def none_said(clause: Clause, context: Context, topic: str | None, indicators: dict[str, Indicator]) -> list[Figure]:
    """'信用修复没有超期的', '没有未整改的事业单位了': none of what a deducting count counts is 0."""
    for pos, word in clause.words:
        happened = HAPPENED_NONE.search(clause.text[max(0, pos - 8) : pos]) is not None
        if not happened and not NONE.search(clause.text[max(0, pos - 3) : pos]):
            continue
        options = [
            o for o in narrow(list(word.options), context, topic, indicators) if _deducts(indicators, o, happened)
        ]
        placed = [f for c, i in options if (f := figure_for(indicators[c], i, "0", None, context)) is not None]
        if len(placed) == 1:
            return placed
    return []


def _deducts(indicators: dict[str, Indicator], option: Option, happened: bool = False) -> bool:
    """Whether a figure counts what loses points (超期, 未整改, 违规), or events (发生) when `happened`:
    its 'none' is a figure."""
    code, item = option
    found = find_item(indicators[code], item) if item else None
    if item is None and indicators[code].items():
        return False
    rule = found.rule if found is not None else indicators[code].rule
    counted = value_spec(indicators[code], found).type is ValueType.COUNT
    return counted and (happened or getattr(rule, "kind", None) == "deduct")
