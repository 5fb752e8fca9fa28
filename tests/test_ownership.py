"""Who owns a figure, read off the shipped plans: the defaults the README promises, and `reporters:`."""

from __future__ import annotations

import pytest

from config.plan_loader import load_plan_file, parse_plan_text, shipped_plan_paths
from models.ownership import figure_owners, platform_only


@pytest.mark.parametrize(
    ("code", "owners"),
    [
        ("1", ["区发改局"]),  # 55 responsible units, one city-wide rank; lead = the office's unit
        ("3", ["区发改局"]),  # 省公共信用信息平台获取: the office reads it off the platform
        ("4", ["区发改局"]),  # …数据服务中心获取
        ("9", ["区工信局", "区发改局"]),  # 县区自报: the lead unit and the office
        ("11", ["区金融服务中心", "区发改局"]),  # 平台获取和城市自报: self-reported in part
        ("14", ["区发改局"]),  # assessed aspects: the assessor (the office) awards the points
        ("16.2", ["人民银行定陶支行", "区发改局"]),
    ],
)
def test_dingtao_figures_belong_to_their_lead_or_the_office(code: str, owners: list[str]) -> None:
    plan = load_plan_file(shipped_plan_paths()["dingtao-2022"])
    assert figure_owners(plan, code) == owners


def test_a_puyang_gate_without_a_lead_belongs_to_its_units_and_the_office() -> None:
    plan = load_plan_file(shipped_plan_paths()["puyang-2021"])
    owners = figure_owners(plan, "G1")
    assert owners[0] == "市市场监管局"
    assert owners[-1] == "市发展改革委"


def test_reporters_in_the_plan_file_name_the_owners() -> None:
    text = shipped_plan_paths()["dingtao-2022"].read_text(encoding="utf-8")
    lead = "    lead: [区金融服务中心]\n"
    text = text.replace(lead, lead + "    reporters: [人民银行定陶支行]\n", 1)
    plan = parse_plan_text(text)
    assert figure_owners(plan, "11") == ["人民银行定陶支行", "区发改局"]


@pytest.mark.parametrize(
    ("source", "platform"),
    [
        ("省公共信用信息平台获取", True),
        ("全国城市信用状况监测平台获取", True),
        ("全国组织机构统一社会信用代码数据服务中心获取", True),
        ("省公共信用信息平台获取及城市自报", False),
        ("“信易贷”平台获取和城市自报", False),
        ("县区自报", False),
        (None, False),
    ],
)
def test_platform_sources_are_recognised(source: str | None, platform: bool) -> None:
    assert platform_only(source) is platform
