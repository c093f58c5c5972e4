"""normalise_city: the gazetteer in data/places/cities.tsv, typos suggested for confirmation."""

from __future__ import annotations

import pytest

from bot.understanding.cities import find_city, load_cities, normalise_city, suggest_cities


def test_the_gazetteer_holds_every_prefecture_level_city_and_common_foreign_ones() -> None:
    cities = {city.name: city for city in load_cities().by_form.values()}
    prefectures = [city for city in cities.values() if city.kind == "prefecture"]
    assert len(prefectures) >= 320
    assert cities["焦作市"].code == "410800"
    assert cities["北京市"].kind == "municipality"
    assert cities["济源市"].kind == "province_direct"
    assert cities["慕尼黑"].province == "德国"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("深圳", "深圳"),
        ("深圳市", "深圳"),
        ("广东深圳", "深圳"),
        ("我在深圳南山区工作", "深圳"),
        ("现在在杭州", "杭州"),
        ("北京", "北京"),
        ("延边朝鲜族自治州", "延边"),
        ("昆山", "昆山"),
        ("香港", "香港"),
        ("慕尼黑", "慕尼黑"),
    ],
)
def test_known_cities_are_certain(text: str, value: str) -> None:
    match = normalise_city(text)
    assert match is not None
    assert (match.value, match.certain) == (value, True)


@pytest.mark.parametrize(
    ("text", "value"),
    [("深证", "深圳"), ("在深证", "深圳"), ("苏洲", "苏州"), ("郑洲", "郑州"), ("杭洲", "杭州")],
)
def test_a_typo_is_a_suggestion_to_confirm(text: str, value: str) -> None:
    match = normalise_city(text)
    assert match is not None
    assert (match.value, match.certain) == (value, False)


@pytest.mark.parametrize("text", ["火星", "不知道", "", "我在一家公司上班"])
def test_no_city_means_none(text: str) -> None:
    assert normalise_city(text) is None


def test_ordinary_words_that_are_also_city_names_are_not_found_in_sentences() -> None:
    assert find_city("我想找合作伙伴") is None  # 合作 is also a county-level city in Gansu
    assert find_city("我在阿里工作") is None  # 阿里 is also a prefecture in Tibet
    assert normalise_city("合作市") is not None


def test_suggestions_are_one_character_off_and_sound_alike() -> None:
    assert [city.short for city in suggest_cities("深证")] == ["深圳"]
    assert suggest_cities("上山") == [] or all(
        len(city.short) == 2 for city in suggest_cities("上山")
    )


@pytest.mark.parametrize("text", ["你们", "你们的活动", "我们公司在那边"])
def test_ordinary_words_are_not_typos_of_a_city(text: str) -> None:
    assert normalise_city(text) is None
