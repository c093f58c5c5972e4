"""Closed vocabularies shared by dialogs, forms, services and demo data."""

from __future__ import annotations

from functools import cache

COOPERATION_WISHES = (
    "技术咨询",
    "项目合作",
    "成果转化",
    "回乡创业/投资",
    "兼职/顾问",
    "讲座培训",
    "人才推荐",
)

EDUCATION_LEVELS = ("博士", "硕士", "本科", "大专", "其他")

COOPERATION_MODES = ("技术咨询", "合作研发", "技术转让", "人才引进", "共建平台", "其他")

JIAOZUO_CITY_CODE = "410800"
CITY_NAME = "焦作市"


@cache
def jiaozuo_counties() -> dict[str, str]:
    """Return Jiaozuo's divisions below the city, GB/T 2260 code -> short name ("温县").

    Read from data/regions.toml (through the origin gazetteer), the one table of counties; the
    示范区 has its statistical code 410871. 济源, no longer part of Jiaozuo, is left out.
    """
    # Imported here: bench/ scripts that import bot have a bench/matching.py on their path.
    from matching.origin import load_gazetteer

    divisions = load_gazetteer().divisions
    return {
        code: division.name.removeprefix(CITY_NAME)
        for code, division in sorted(divisions.items())
        if division.kind == "county" and division.in_jiaozuo
    }


def __getattr__(name: str) -> dict[str, str]:
    # JIAOZUO_COUNTIES reads the data file on first use, not when this module is imported.
    if name == "JIAOZUO_COUNTIES":
        return jiaozuo_counties()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def county_name(code: str | None) -> str:
    """Return the display name of a Jiaozuo division code, or '' when unknown."""
    if code == JIAOZUO_CITY_CODE:
        return CITY_NAME
    counties = jiaozuo_counties()
    if code in counties:
        return f"{CITY_NAME}{counties[code]}"
    return ""
