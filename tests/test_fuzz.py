"""Fuzzing what people and files feed Duban: the command router, the value parser and the plan loader.

Arbitrary text (unicode, full-width forms, control characters, over-long messages) from a liaison
or the office always gets a reply, and a refused one changes no table; the value parser raises
only `ValueParseError`; a mutated shipped plan is either a plan or a `PlanFileError` listing what
is wrong, never a KeyError or TypeError. Example counts keep the module well under a minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.plan_errors import PlanFileError
from config.plan_loader import check_plan_data, parse_plan_text, shipped_plan_paths
from config.plan_schema import Item, Plan
from config.values import ValueParseError, ValueType, parse_value, read_numeral, read_yes_no
from handlers.context import Services
from handlers.router import COMMANDS, handle
from handlers.types import MAX_MESSAGE_CHARS, Reply, Request
from models.scoring import value_spec
from tests.conftest import Chat
from tests.test_security import changed_tables, snapshot

# --- the router ---------------------------------------------------------------------------------------

WORDS = (
    "3", "5", "11", "4", "G1", "16.2", "区民政局", "区委编办", "民政", "2022-06", "2022年5月", "0.45%", "8亿",
    "１２３", "％", "完成", "受阻", "进行中", "done", "确认", "archive", "unarchive", "add", "remove",
    "workday", "2022-06-06", "before", "7,3,1", "time", "25:99", "quiet", "digest", "通过", "退回", "撤回",
    "#1", "文件:0123456789ab", "leader", "admin", "领导", "zh", "en", "-1", "1e99", "NaN", "∞", "\x00",
    "\u202e", "\u200b", "🙂", "　", "\\", "'", '"', "%s", "{code}", "<b>", "&amp;", "0" * 40,
)  # fmt: skip
"""Words the commands understand, near misses, and characters that break naive code."""

ARG = st.one_of(st.sampled_from(WORDS), st.text(max_size=12))
ODD = st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cs", "So", "Nd", "Lo"))


def _command(name: str, at: str, space: str, args: list[str]) -> str:
    return f"/{name}{at}{space}{' '.join(args)}"


TEXTS = st.one_of(
    st.builds(
        _command,
        st.sampled_from(sorted(COMMANDS)),
        st.sampled_from(("", "@duban_bot", "@someone_else", "@")),
        st.sampled_from((" ", "\u3000", "\t", "\n", "")),
        st.lists(ARG, max_size=6),
    ),
    st.text(max_size=120),
    st.text(ODD, max_size=40),
    st.builds(
        lambda head, n: head + "９" * n,
        st.sampled_from(("/report 3 ", "/progress 5 完成 ", "/bind ", "")),
        st.integers(MAX_MESSAGE_CHARS - 12, MAX_MESSAGE_CHARS + 40),
    ),
    st.builds(lambda s: "/" + s, st.text(max_size=30)),
)
"""Command-shaped text (every command the router knows, with likely and unlikely arguments),
arbitrary text, control and format characters, and messages around the length limit."""

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


async def _judge_router(services: Services, user: str, text: str) -> None:
    """One message: a Reply comes back; if it is a refusal, no table changed (a wrong invite code
    is counted: the only row a refusal adds)."""
    before = await snapshot(services)
    request = Request(transport="test", user_id=user, chat_id=user, text=text, display_name=user, message_id="1")
    reply = await handle(services, request)
    assert isinstance(reply, Reply)
    assert isinstance(reply.text, str)
    assert reply.text.strip()
    if not reply.ok:
        changed = changed_tables(before, await snapshot(services))
        assert set(changed) <= {"invite_attempt"}, (text, reply.text, changed)


@FUZZ
@given(text=TEXTS)
async def test_any_text_from_a_liaison_gets_a_reply_and_a_refusal_changes_nothing(
    dingtao: Services, minzheng: Chat, text: str
) -> None:
    await _judge_router(dingtao, minzheng.user_id, text)


@FUZZ
@given(text=TEXTS)
async def test_any_text_from_the_office_gets_a_reply_and_a_refusal_changes_nothing(
    dingtao: Services, admin: Chat, text: str
) -> None:
    await _judge_router(dingtao, admin.user_id, text)

# --- the value parser ---------------------------------------------------------------------------------

FIGURE_CHARS = (
    "0123456789.,-+%‰ eE"
    "万亿千百十零〇一二两三四五六七八九点"
    "元个名位天分次项家户人是否达标不已未"
    "％．，－＋０１２３４５６７８９"
)
FIGURES = st.one_of(st.text(FIGURE_CHARS, max_size=24), st.text(max_size=24))


def refusal(read: Callable[[], object]) -> ValueParseError | None:
    """The parser's own refusal, or None when it read the figure (anything else propagates)."""
    try:
        read()
    except ValueParseError as error:
        return error
    return None


@settings(max_examples=400, deadline=None)
@given(
    text=FIGURES,
    vtype=st.sampled_from(list(ValueType)),
    unit=st.sampled_from((None, "元", "万元", "亿元")),
    bounds=st.tuples(st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=4),
                     st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=4)),
)  # fmt: skip
def test_the_value_parser_raises_nothing_but_its_own_error(
    text: str, vtype: ValueType, unit: str | None, bounds: tuple[Decimal | None, Decimal | None]
) -> None:
    for read in (
        lambda: parse_value(text, vtype, unit=unit, lower=bounds[0], upper=bounds[1]),
        lambda: read_numeral(text),
        lambda: read_yes_no(text),
    ):
        error = refusal(read)
        if error is not None:
            assert error.key  # the chat explains it by this key
            assert isinstance(error.params, dict)


@cache
def shipped_plans() -> list[Plan]:
    return [parse_plan_text(path.read_text(encoding="utf-8")) for path in shipped_plan_paths().values()]


@cache
def report_specs() -> list[Any]:
    """The value spec of every indicator and item of the shipped plans, as /report reads figures."""
    specs = []
    for plan in shipped_plans():
        for indicator in plan.indicators:
            items: list[Item | None] = [*indicator.items()] or [None]
            specs += [value_spec(indicator, item) for item in items]
    return specs


@settings(max_examples=300, deadline=None)
@given(text=FIGURES, index=st.integers(min_value=0))
def test_every_indicator_of_the_shipped_plans_reads_any_figure_or_says_why_not(text: str, index: int) -> None:
    specs = report_specs()
    spec = specs[index % len(specs)]
    error = refusal(lambda: spec.read(text))
    assert error is None or error.key


# --- the plan loader ----------------------------------------------------------------------------------


@cache
def shipped_texts() -> dict[str, str]:
    return {name: path.read_text(encoding="utf-8") for name, path in shipped_plan_paths().items()}


@cache
def shipped_data(name: str) -> Any:
    """A shipped plan as plain YAML values (libyaml: fast), to mutate a copy of."""
    return yaml.load(shipped_texts()[name], Loader=yaml.CSafeLoader)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(("2022-02-30", "区民政局", "不存在的单位", "none", "", "0.3%", "7000万", "G1", "1", "monthly")),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a document (keys of mappings, indexes of lists)."""
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _places(value, (*path, index))
    return found


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _copy(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_copy(value) for value in node]
    return node


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    """A shipped plan with one to three changes: a key or list item deleted, a value replaced by
    another of any type, a list item duplicated, a key renamed."""
    name = draw(st.sampled_from(sorted(shipped_texts())))
    data = _copy(shipped_data(name))
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in _places(data) if p]
        path = draw(st.sampled_from(places))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        action = draw(st.sampled_from(("delete", "replace", "duplicate", "rename")))
        if action == "delete":
            del parent[last]
        elif action == "replace":
            parent[last] = draw(VALUES)
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(last, _copy(parent[last]))
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = parent.pop(last)
    return name, data


@settings(max_examples=250, deadline=None)
@given(case=mutated())
def test_a_mutated_plan_is_checked_without_crashing(case: tuple[str, Any]) -> None:
    _, data = case
    plan, problems = check_plan_data(data)
    assert (plan is None) == bool(problems)
    for _, (english, key, _params) in problems:
        assert english
        assert key


def _parsed_or_explained(text: str) -> None:
    """A plan, or a PlanFileError whose every line renders in both languages."""
    refused: PlanFileError | None = None
    try:
        parse_plan_text(text, source="fuzz.yaml")
    except PlanFileError as error:
        refused = error
    if refused is not None:
        assert refused.errors
        assert all(refused.render(lang) for lang in ("zh", "en"))


@settings(max_examples=30, deadline=None)
@given(case=mutated())
def test_a_mutated_plan_file_is_a_plan_or_a_list_of_its_errors(case: tuple[str, Any]) -> None:
    _, data = case
    try:
        text = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        return  # keys YAML itself cannot write (a float key, say): nothing to load
    _parsed_or_explained(text)


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(sorted(shipped_plan_paths())),
    cuts=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 40), st.text(max_size=8)), min_size=1, max_size=3),
)
def test_a_plan_file_with_text_cut_and_pasted_is_a_plan_or_a_list_of_its_errors(
    name: str, cuts: list[tuple[int, int, str]]
) -> None:
    text = shipped_texts()[name]
    for start, length, paste in cuts:
        at = start % (len(text) + 1)
        text = text[:at] + paste + text[at + length :]
    _parsed_or_explained(text)


@pytest.mark.parametrize("name", sorted(shipped_plan_paths()))
def test_the_unmutated_plans_load(name: str) -> None:
    assert parse_plan_text(shipped_texts()[name]).id == name
