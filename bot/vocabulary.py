"""Closed vocabularies shared by dialogs, forms, services and demo data."""

from __future__ import annotations

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

# GB/T 2260 codes of Jiaozuo's divisions (and the 示范区's statistical code).
JIAOZUO_COUNTIES = {
    "410802": "解放区",
    "410803": "中站区",
    "410804": "马村区",
    "410811": "山阳区",
    "410821": "修武县",
    "410822": "博爱县",
    "410823": "武陟县",
    "410825": "温县",
    "410871": "城乡一体化示范区",
    "410882": "沁阳市",
    "410883": "孟州市",
}
JIAOZUO_CITY_CODE = "410800"


def county_name(code: str | None) -> str:
    """Return the display name of a Jiaozuo division code, or '' when unknown."""
    if code == JIAOZUO_CITY_CODE:
        return "焦作市"
    if code in JIAOZUO_COUNTIES:
        return f"焦作市{JIAOZUO_COUNTIES[code]}"
    return ""
