"""Reading a liaison's plain-Chinese reply for the figures and progress in it ("3月份合规率100%，
及时率99.5%", "信易贷授信8.2亿，放款6亿", "已完成，累计报送数据7500万条").

Rule-based, on the plan's own vocabulary (indicator and item names and their `aliases`, and the
words of their value labels and yes/no questions), the value language Duban already reads
(`config.values`), month words, and progress words. No model, no network. What it reads is only
*proposed*: the chat shows it with 确认 / 修改 / 取消 and records nothing until the person confirms.

How a message is read:
1. Normalised (full-width to half-width, thousands separators out, typos and '9.6个亿' read through)
   and cut into clauses at punctuation (`models.reader_words`).
2. In each clause, the plan's words are found (longest first) and so are the figures (a number with
   its magnitude and measure word, a percentage, 第N名, 十万分之N …), leaving out targets, limits,
   changes, the size of a list ('清理和打击两项') and the whole of a part ('三项措施已有2项'). A figure
   belongs to the nearest word before it in its clause (an item word over its indicator's word), or
   to the item word right after it, or else the nearest after; several listed items share it, or
   take one figure each in order after 分别. A bare figure belongs to the item the previous clause
   named without placing a figure, or the indicator talked about (`models.reader_place`).
3. A word that fits several indicators is narrowed by the reminder, then by the speaker's own
   indicators; if several still fit, the reader asks (an ambiguity), never guesses. Generic label
   words ('领域', '归集') name every indicator that counts in them.
4. The figure must parse as that indicator's (and item's) value, in the measure its label counts in,
   and a monthly indicator needs a month it has: said in the clause or the message (3月份, 本月, 上月,
   2022年3月), else the month the reminder asked about, else the last month before today
   (`models.reader_months`).
5. A clause without a figure may state a yes/no figure ('已建立' 是, '未发生' 否) for the words before
   or after it; naming nothing, it is asked about among the speaker's yes/no questions with its verb
   (`models.reader_statements`).
6. A pass/fail basic indicator (gate) named with a verdict ('G4已达标', '信用贷款增速未达标') is read
   as met or not (`models.reader_gates`).
7. Progress words (已完成, 办结, 正在推进, 受阻, 需要协调 …) give a status; clauses with neither a figure
   nor a progress word are kept as notes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from config.plan_schema import Indicator, Plan
from models.plans import per_plan
from models.reader_gates import Verdict, verdicts
from models.reader_months import months_of
from models.reader_place import (
    MAX_CHOICES,
    TOTAL,
    Ambiguity,
    Context,
    Figure,
    each_fit,
    figure_for,
    is_total,
    narrow,
    targets_of,
    yes_no_word,
)
from models.reader_statements import none_said, statement
from models.reader_words import COUNTED, Clause, Option, Word, normal, scan, vocabulary
from models.scoring import find_item, value_spec

__all__ = ["Ambiguity", "Context", "Figure", "Reading", "Verdict", "Word", "plan_words", "read", "vocabulary"]

CLAUSE = re.compile(r"[,，。;；!！?？\n]+|(?<=[%％:：])(?=[0-9]{1,2}[.、．][^0-9])")
"""Where a message divides into clauses: its punctuation, and the numbers of a list ('1.合规率100%2.及时率…')."""
PROGRESS = (
    ("blocked", ("受阻", "需要协调", "需协调", "请求协调", "卡住", "推不动")),
    ("done", ("已完成", "已办结", "办结", "完成了", "全部完成", "已经完成", "已落实")),
    ("doing", ("正在推进", "推进中", "正在办理", "正在进行", "进行中", "正在", "还差", "下周", "月底前")),
)
MONTH_WORDS = re.compile(
    r"(?:20\d\d年)?(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月份?|本月|上月|上个月|这个月|当月"
)
FILLER = re.compile(
    r"[是为都均也的了啊呢吧约近共计:：()（）\s]|目前|现在|一共|合计|大概|左右|已经|达到|到|截至|截止|累计|总共"
)
"""Words that say nothing about what a figure is."""
RATE_NOUN = re.compile(r"(?:率|比例|占比|比重|比值)$")
COUNTED_NOUN = re.compile(r"(?!数据|信息|记录|左右|以上|以下|以内|多|余)[\u4e00-\u9fff]{2}(?=$|[，,。；;、和])")
"""A two-character noun right after a count, ending its clause: what the count counts."""
NOUN_BEFORE = re.compile(r"([\u4e00-\u9fff]{2})(?:有|是|为|共|达)?$")
"""The noun right before a count ('典型案例2个')."""
NOUN_AFTER = re.compile(r"([\u4e00-\u9fff]{2})")
"""The noun right after a count and its measure word ('2个典型案例')."""
LABEL_QUALIFIED = re.compile(r"(?:具有|形成)([\u4e00-\u9fff]{2,4})的[\u4e00-\u9fff]{2,4}数")
"""A count's label that qualifies what it counts: '…并具有典型案例的领域数' counts 领域 with 典型案例."""
ASIDE = re.compile(r"\([^)]*\)?")
"""A remark in brackets ('及时率100%（本月没有处罚信息）'): its month is not the figure's."""
ALSO = re.compile(r"也是|也一样|同样是")
ALL_START = re.compile(r"^(?:都|均|全)(?:是|为)")
"""'都是100%' answering the 双公示 reminder: each of its two items."""
BOTH = re.compile(r"两率|两项|两类|两个率")
"""'双公示两率100%': the figure is each of the indicator's two items'."""
OWN_SHARE = re.compile(
    r"我局|我行|本局|本行|我单位|本单位|我委|我办|我中心|我县|本县|县级|我镇|本镇|我街道|本街道|我公司|本公司|我司"
    r"|我们报的|我们单位|我们局|我们委|我们公司|委里|局里|行里|行这边|我们这边|我这边"
)
"""A unit's own part of a district-wide count or amount is not the district's figure."""
PLACE_SHARE = {
    "县": r"我县|本县|全县|县里",
    "区": r"我区|本区|全区|区里|区内",
    "镇": r"我镇|本镇|全镇|镇里",
    "街道": r"我街道|本街道|全街道|街道里",
    "管委会": r"我区|本区|区内|园区",
}
"""How a unit that is a place (a county of the city, a town of the district, a development zone)
names its own area: its count is its part of the plan's whole ('县里回收有效问卷十九份')."""
WRONG = re.compile(r"不对|有误|错了|报错|发错|写错|填错")
"""A clause that says its figure was wrong ('刚才发的3月份及时率99%不对'): the correction follows it."""
SECTOR = re.compile(r"^([\u4e00-\u9fff]{2})(?:领域|行业|系统)")
"""A clause about a sector the unit's own name names is about the unit's own part ('烟草行业…' from
市烟草专卖局; not '分级分类监管领域…' from 市市场监管局: that names the indicator)."""
SIGNED = re.compile(r"^[^，,。；;：:]{2,12}[:：]")
"""A message signed with the unit's name ('水务局：供水信息归集20.9万条') speaks for the unit's whole
figure, not of its part."""
WHOLE = re.compile(r"全区|全市|全县|区里|市里|各单位|各部门|各镇街")
"""A clause about the whole ends the unit's own share said before it ('我局已完成，全区累计…')."""
DECLINE = re.compile(r"同比(?:下降|下滑)了?$")
"""'同比下降3.2%' is a growth of −3.2%."""
NEGATIONS = ("未", "没", "还没", "尚未")
NOT_DONE = re.compile(r"(?:未|没|没有|还没|尚未)(?:全部)?完成")


@dataclass(frozen=True)
class Reading:
    """Everything read from one message."""

    figures: tuple[Figure, ...] = ()
    ambiguities: tuple[Ambiguity, ...] = ()
    status: str | None = None
    """done / doing / blocked, from the progress words, if any."""
    notes: tuple[str, ...] = ()
    """Clauses with neither a figure nor a progress word, kept as a progress note."""
    verdicts: tuple[Verdict, ...] = ()
    """Pass/fail basic indicators (gates) stated met or not met."""


plan_words = per_plan(vocabulary)
"""The vocabulary of a plan, built once per parsed plan."""


def read(plan: Plan, message: str, context: Context, words: Sequence[Word] | None = None) -> Reading:
    """The figures, ambiguities, status and notes of one message (see the module's docstring)."""
    text = normal(message)
    clauses = [scan(c, words if words is not None else plan_words(plan)) for c in CLAUSE.split(text) if c]
    state = _State(context, {i.code: i for i in plan.indicators}, months_of(text, context.today), topic=context.asked)
    for clause in clauses:
        _read_clause(state, clause)
    figures, doubled = _one_per_place(state.figures)
    met = verdicts(plan, [c.text for c in clauses], context.gates) if context.gates else []
    notes = [n for n in state.notes if all(n != v.written for v in met)]
    ambiguities = tuple(dict.fromkeys(state.ambiguities)) + doubled
    return Reading(tuple(figures), ambiguities, _status(text), tuple(notes), tuple(met))


@dataclass
class _State:
    """What the clauses read so far have established: a message is read clause by clause, and a
    clause leans on the ones before it (the indicator talked about, the month named, '两率' …)."""

    context: Context
    indicators: dict[str, Indicator]
    message_months: list[str]
    figures: list[Figure] = field(default_factory=list)
    ambiguities: list[Ambiguity] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    topic: str | None = None
    """The indicator being talked about: the reminder's, then the last one named."""
    focus: Option | None = None
    """The item last named without a figure, for a bare figure in the next clause."""
    running: list[str] = field(default_factory=list)
    """The months the last clause that named one named."""
    own_share: bool = False
    """The clause is about the speaker's own part ('我们报的…领域：…，共3个')."""
    both: bool = False
    """'两率' said in a clause that placed no figure ('两项都是满的，100%')."""
    named: set[str] = field(default_factory=set)
    """What the last clause that named anything named ('档案和考核这两项，一个建了一个还没有')."""


def _read_clause(state: _State, clause: Clause) -> None:
    """One clause: its figures (or, with none, its yes/no statement or its 'none'), and what it
    leaves for the clauses after it."""
    previous = state.named
    state.both = bool(BOTH.search(clause.text)) or (state.both and not clause.words)
    state.named = {c for _, w in clause.words for c, _ in w.options} or state.named
    own = _own_share(clause.text, state.context.unit)
    state.own_share = own or (state.own_share and not _whole(clause.text, state))
    state.running = months_of(ASIDE.sub("", clause.text), state.context.today) or state.running
    months: list[str | None] = [*(state.running or state.message_months)] or [None]
    placed_before, asked_before = len(state.figures), len(state.ambiguities)
    spots = [] if WRONG.search(clause.text) else clause.figures or _also(clause, state.figures)
    for at, written in spots:
        _read_figure(state, clause, at, written, months)
    if not spots:
        said, asked = statement(clause, state.topic, previous, state.indicators, state.context)
        asked = [] if state.own_share else asked  # '水利局已参与涉企信用信息共享': its own doing, not asked
        if not state.own_share:  # '园区内无政府机构失信情况': none in the unit's own part says nothing of the whole
            said = said or none_said(clause, state.context, state.topic, state.indicators)
        state.figures += said
        state.ambiguities += asked
        state.topic = said[-1].code if said else _topic(clause, state.topic)
    state.focus = _focus(clause, state.focus) if len(state.figures) == placed_before else None
    if not clause.figures and len(state.ambiguities) == asked_before and _said_more(clause.text):
        state.notes.append(clause.text)


def _read_figure(state: _State, clause: Clause, at: int, written: str, months: list[str | None]) -> None:
    """One figure of a clause: placed as reports, asked about, or (named for nothing and not bare)
    left alone."""
    indicators, context, topic = state.indicators, state.context, state.topic
    months = _own_month(clause, at, context) or months
    numeric = Clause(clause.text, [(p, w) for p, w in clause.words if not yes_no_word(w, indicators)], clause.figures)
    named = [*dict.fromkeys(c for p, w in numeric.words if p < at for c, item in w.options if item is None)]
    pair = _pair(clause.text[:at], state.both, named or ([topic] if topic else []), context, indicators)
    targets = pair or targets_of(numeric, at, written, topic, state.focus, indicators)
    if not targets:  # a bare figure named for nothing: ask among the speaker's indicators it fits
        listed = TOTAL.search(clause.text) is not None and len(clause.words) > 1  # '燃气、供水…一共45万条'
        bare = (_bare(clause.text, written) and not state.named) or listed  # nothing named: '2月份是100%'
        fits = _fitting(written, months, context, indicators) if bare else ()
        if 0 < len(fits) <= MAX_CHOICES:
            choices = each_fit(fits, written, months, context, indicators)
            state.ambiguities.append(Ambiguity(written, fits, choices=choices))
        return
    after = clause.text[at + len(written) :]
    if _counts_something_else(written, after, targets, indicators) or _counts_a_qualifier(
        clause.text[:at], after, targets, indicators
    ):
        return
    value = "-" + written if DECLINE.search(clause.text[:at]) else written
    for options in targets:
        placed, asked = _place(options, value, months, state.own_share, context, state.topic, indicators)
        state.figures += placed
        state.ambiguities += asked
        state.topic = placed[-1].code if placed else state.topic


def _own_share(text: str, unit: str | None) -> bool:
    """Whether the clause speaks of the unit's own part: its self-words, its own name ('台前县…40份')
    or, for a unit that is a place, its own area."""
    if OWN_SHARE.search(text) or (unit and _named_self(unit, text)):
        return True
    sector = SECTOR.search(text)
    if sector and unit and sector.group(1) in unit:  # '金融领域…算1个领域' from 区金融监管局
        return True
    area = next((words for end, words in PLACE_SHARE.items() if unit and unit.endswith(end)), None)
    return area is not None and re.search(area, text) is not None


def _named_self(unit: str, text: str) -> bool:
    """Whether the text names the speaker's unit, also without the 区/市 its name starts with
    ('统计局累计报送数据量2.1万条' from 区统计局)."""
    short = unit[1:] if unit[0] in "区市县" and len(unit) > 3 else unit
    return short in SIGNED.sub("", text)


def _whole(text: str, state: _State) -> bool:
    """Whether a clause speaks of the whole (its own words for it, not the unit's area)."""
    return WHOLE.search(text) is not None and not _own_share(text, state.context.unit)


def _own_month(clause: Clause, at: int, context: Context) -> list[str | None]:
    """The month said right before a figure, after the word or figure before it ('及时率7月100%、8月
    99.3%'): that figure's own month."""
    ends = [p + len(w.text) for p, w in clause.words if p < at] + [p + len(f) for p, f in clause.figures if p < at]
    return [*months_of(clause.text[max(ends, default=0) : at], context.today)]


def _counts_something_else(
    written: str, after: str, targets: list[list[Option]], indicators: dict[str, Indicator]
) -> bool:
    """'领域整改了15个对象': a count with its measure word followed by what it counts, when no target's
    label shares a character with that ('…领域数（个）' counts 领域, not 对象; '两项见效' fits '取得成效…')."""
    counted = COUNTED_NOUN.match(after) if written[-1:] in COUNTED + "个" else None
    if counted is None:
        return False
    labels = [
        _label(indicators[code], item)
        for options in targets
        for code, item in options
        if item is not None or not indicators[code].items()
    ]
    return bool(labels) and not any(set(counted.group(0)) & set(label) for label in labels)


def _counts_a_qualifier(
    before: str, after: str, targets: list[list[Option]], indicators: dict[str, Indicator]
) -> bool:
    """'典型案例2个', '2个典型案例' for '…具有典型案例的领域数': a count of what the label only qualifies
    (案例), not of what it counts (领域)."""
    nouns = [found.group(1) for found in (NOUN_BEFORE.search(before), NOUN_AFTER.match(after)) if found]
    qualifiers = [
        found.group(1)
        for options in targets
        for code, item in options
        if (found := LABEL_QUALIFIED.search(_label(indicators[code], item)))
    ]
    return bool(qualifiers) and any(all(noun in qualifier for qualifier in qualifiers) for noun in nouns)


def _label(indicator: Indicator, item: str | None) -> str:
    """The value label of an indicator or item ('' for an indicator whose items carry the labels)."""
    if item is None and indicator.items():
        return ""
    return value_spec(indicator, find_item(indicator, item) if item else None).label or ""


def _bare(text: str, written: str) -> bool:
    """Whether a clause says little more than its figure ('2月份是100%', '100%', '都是99.5%'): a number
    in a sentence about something the plan has no word for ('已移交公安2条线索', '下午3点开会') is not
    asked about."""
    rest = FILLER.sub("", MONTH_WORDS.sub("", text.replace(written, "", 1)))
    return len(rest) <= 2 or (len(rest) <= 5 and RATE_NOUN.search(rest) is not None)  # '覆盖率87%'


def _also(clause: Clause, figures: list[Figure]) -> list[tuple[int, str]]:
    """'上月合规率是100%，及时率也是': the figure said last, again, for the word before 也是."""
    found = ALSO.search(clause.text)
    return [(found.start(), figures[-1].written)] if found and figures and clause.words else []


def _place(
    options: list[Option],
    written: str,
    months: list[str | None],
    own_share: bool,
    context: Context,
    topic: str | None,
    indicators: dict[str, Indicator],
) -> tuple[list[Figure], list[Ambiguity]]:
    """One figure for one target: the report it is (not when it is the speaker's own share of a
    count or amount), or the question to ask when several of the speaker's indicators (or one
    indicator's items) fit it."""
    chosen = narrow(options, context, topic, indicators)
    fitting = [c for c in dict.fromkeys(c for c, _ in chosen) if _fits(chosen, c, written, months, context, indicators)]
    if own_share:  # '范县在招投标和政府采购2个领域有案例': its own part of a count is asked about neither
        fitting = [c for c in fitting if not _totals_only(c, chosen, indicators)]
    if len(fitting) > 1:  # two indicators fit ('领域' for a unit in both 9 and 12): ask, never guess
        codes = tuple(fitting)
        choices = each_fit(codes, written, months, context, indicators)
        return [], [Ambiguity(written.lstrip("-"), codes, choices=choices)]
    figures: list[Figure] = []
    asked: list[Ambiguity] = []
    for month in months:
        placed = [
            f
            for code, item in chosen
            if (f := figure_for(indicators[code], item, written, month, context)) is not None
            and not (own_share and is_total(indicators[code], item))
        ]
        if len(placed) == 1:
            figures.append(placed[0])
        elif len(placed) > 1:
            asked.append(Ambiguity(written, tuple(dict.fromkeys(f.code for f in placed)), choices=tuple(placed)))
        elif len({code for code, _ in chosen}) == 1 and all(item is None for _, item in chosen):
            which = _which_item(indicators[chosen[0][0]], written, month, context)
            if len(which) > 1:  # one item fitting only by its value is not asked: the words named another
                asked.append(Ambiguity(written, (chosen[0][0],), which))
    return figures, asked


def _totals_only(code: str, chosen: list[Option], indicators: dict[str, Indicator]) -> bool:
    """Whether every place of the indicator the words chose is a count or an amount (a whole)."""
    indicator = indicators[code]
    named = [item for option_code, item in chosen if option_code == code]
    items = [i.name for i in indicator.items()] if None in named and indicator.items() else named
    return all(is_total(indicator, item) for item in items)


def _fits(
    chosen: list[Option],
    code: str,
    written: str,
    months: list[str | None],
    context: Context,
    indicators: dict[str, Indicator],
) -> bool:
    """Whether the figure can be this indicator's: for its option, or for any of its items when the
    word names only the indicator."""
    indicator = indicators[code]
    for option_code, item in chosen:
        if option_code != code:
            continue
        items = [item] if item is not None or not indicator.items() else [i.name for i in indicator.items()]
        if any(figure_for(indicator, i, written, month, context) for i in items for month in months):
            return True
    return False


def _one_per_place(figures: list[Figure]) -> tuple[list[Figure], tuple[Ambiguity, ...]]:
    """Two figures for one place ('信易贷授信8.2亿，放款6亿' where the plan counts one amount) are a
    question, not two reports: which one counts is asked."""
    places: dict[tuple[str, str | None, str | None], list[Figure]] = {}
    for figure in figures:
        places.setdefault((figure.code, figure.item, figure.period), []).append(figure)
    single = [found[0] for found in places.values() if len({f.value for f in found}) == 1]  # said twice alike
    doubled = tuple(
        Ambiguity(" / ".join(f.written for f in found), (code,), values=tuple(found))
        for (code, _, _), found in places.items()
        if len({f.value for f in found}) > 1
    )
    return single, doubled


def _pair(
    before: str, both: bool, named: list[str], context: Context, indicators: dict[str, Indicator]
) -> list[list[Option]]:
    """'双公示两率均为100%', '12月份两率100%', '两项都是满的，100%': the figure is each item of the
    indicator with two items that is named (or talked about), or else the speaker's only such one."""
    if not (both or BOTH.search(before) or ALL_START.match(before)):
        return []
    if named:
        code = named[0] if len(named) == 1 and len(indicators[named[0]].items()) == 2 else None
    else:
        pairs = [c for c in context.own if len(indicators[c].items()) == 2]
        code = pairs[0] if len(pairs) == 1 else None
    if code is None or any(word.text in before for word in _item_words(code, indicators)):
        return []
    return [[(code, item.name)] for item in indicators[code].items()]


def _item_words(code: str, indicators: dict[str, Indicator]) -> list[Word]:
    """The item names of an indicator (a clause naming one item is not about both)."""
    return [Word(n, ((code, i.name),)) for i in indicators[code].items() for n in i.names()]


def _focus(clause: Clause, focus: Option | None) -> Option | None:
    """The item a clause that placed no figure talks about ('门户网站本月未监测到不可访问情况',
    '小微企业信用贷款余额28.6亿元'): its last word when that names one item, for a bare figure in the
    next clause ('0次', '增长34.9%')."""
    if not clause.words:
        return focus
    options = clause.words[-1][1].options
    return options[0] if len(options) == 1 and options[0][1] is not None else None


def _which_item(indicator: Indicator, written: str, month: str | None, context: Context) -> tuple[Figure, ...]:
    """'2月份是100%' to the 双公示 reminder: the indicator is known, not which of its items; the figure
    as each item it fits (the chat asks which)."""
    if len(indicator.items()) < 2:
        return ()
    fits = (figure_for(indicator, item.name, written, month, context) for item in indicator.items())
    return tuple(f for f in fits if f is not None)


def _fitting(
    written: str, months: list[str | None], context: Context, indicators: dict[str, Indicator]
) -> tuple[str, ...]:
    """The speaker's indicators (or their items) whose figure `written` could be, in plan order."""
    found: list[str] = []
    named_month = months != [None]
    for code in sorted(context.own, key=lambda c: list(indicators).index(c)):
        indicator = indicators[code]
        if named_month and indicator.periods is None:
            continue  # '2月份是100%' is a monthly figure
        items: list[str | None] = [i.name for i in indicator.items()] or [None]
        if any(figure_for(indicator, item, written, month, context) for item in items for month in months):
            found.append(code)
    return tuple(found)


def _topic(clause: Clause, topic: str | None) -> str | None:
    """An indicator named without a figure becomes the topic for the item words after it."""
    named = {code for _, w in clause.words for code, item in w.options if item is None}
    return next(iter(named)) if len(named) == 1 else topic


WHEN_ONLY = re.compile(
    r"(截至|截止|到|至)?(目前|现在|今天|当前|[0-9]{4}年)?([0-9一二三四五六七八九十]{1,3}月(份)?)?(底|末|初|中旬|为止|止)?"
)
"""A clause that only says when ('截至10月底', '截止目前'): the time of the figures, not a note."""


def _said_more(text: str) -> bool:
    """Whether a clause says more than a bare progress word ('已完成' alone is the status, not a note)
    or the time of the figures ('截至10月底')."""
    if WHEN_ONLY.fullmatch(text.strip()):
        return False
    rest = text
    for _, words in PROGRESS:
        for word in words:
            rest = rest.replace(word, "")
    return len(rest) > 1


def _status(text: str) -> str | None:
    """done / doing / blocked from progress words; '未完成' is not done."""
    if NOT_DONE.search(text) and not any(w in text for w in PROGRESS[0][1]):
        return "doing"
    for status, words in PROGRESS:
        for word in words:
            at = text.find(word)
            if at < 0:
                continue
            if status == "done" and any(text[max(0, at - len(n)) : at] == n for n in NEGATIONS):
                return "doing"
            return status
    return None
