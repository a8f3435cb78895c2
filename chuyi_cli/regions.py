"""The gazetteer: Hunan's 14 市州 and 122 县市区, with codes, short names and lookup."""

from __future__ import annotations

import re
from functools import cached_property
from typing import NamedTuple

from chuyi_cli.errors import ChuyiError
from chuyi_cli.i18n import Message, Names
from chuyi_cli.resources import data_bytes

LEVELS = ("province", "city", "county")

# "城步苗族自治县" → "城步"; "靖州苗族侗族自治县" → "靖州"
_AUTONOMOUS_COUNTY = r"^(.{2})(?:[\u4e00-\u9fff]+?族)+自治县$"


_PROVINCE = "430000"
_PROVINCE_WORDS = frozenset(("省直", "省属", "省本级", "省级"))
_FULL_CODE = re.compile(r"(\d{6})(?:0{6})?(?:\.0+)?")


def _plain_key(key: str) -> str:
    """A region as a sheet may write it, in the gazetteer's own form where it is sure:
    full-width digits made plain, ``.0`` and the six zeros of a 12-digit code dropped."""
    import unicodedata

    key = unicodedata.normalize("NFKC", key)
    match = _FULL_CODE.fullmatch(key)
    if match:
        return match.group(1)
    return key


def _common_prefix(a: str, b: str) -> str:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return a[:size]


class Region(NamedTuple):
    """One 市州, 县市区 or the province. (A named tuple: cheap to define on every run.)"""

    code: str
    name: str
    level: str  # province | city | county
    parent: str | None  # parent code
    aliases: tuple[str, ...] = ()


class UnknownRegion(ChuyiError):
    """A region name or code that the gazetteer does not know (or knows twice)."""


def _candidate_aliases(name: str, level: str) -> list[str]:
    if level == "city":
        if name.endswith("自治州"):
            short = name[:2]
            return [short + "州", short]
        if name.endswith("市"):
            return [name[:-1]]
        return []
    if level == "county":
        match = re.match(_AUTONOMOUS_COUNTY, name)
        if match:
            return [match.group(1) + "县", match.group(1)]
        if len(name) > 2 and name[-1] in "区县市":
            return [name[:-1]]
    return []


class Gazetteer:
    """All regions, looked up by code, full name or a unique short name."""

    def __init__(self, regions: list[Region]) -> None:
        self.regions = regions
        self.by_code = {r.code: r for r in regions}
        self._at_level: dict[str | None, dict[str, str | None]] = {}

    @classmethod
    def from_csv(cls, text: str) -> Gazetteer:
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO(text)))
        names = {row["name"] for row in rows}
        wanted: dict[str, list[str]] = {}
        for row in rows:
            for alias in _candidate_aliases(row["name"], row["level"]):
                wanted.setdefault(alias, []).append(row["code"])
        # A short name belongs to the 市州 when a 市州 has it (长沙 is 长沙市, not 长沙县);
        # otherwise only where one region alone would claim it and it is no full name.
        city_codes = {row["code"] for row in rows if row["level"] == "city"}
        unique = {}
        for alias, codes in wanted.items():
            cities = [c for c in codes if c in city_codes]
            if alias in names:
                continue
            if len(cities) == 1:
                unique[alias] = cities[0]
            elif len(codes) == 1:
                unique[alias] = codes[0]
        regions = []
        for row in rows:
            aliases = tuple(
                a
                for a in _candidate_aliases(row["name"], row["level"])
                if unique.get(a) == row["code"]
            )
            regions.append(
                Region(
                    code=row["code"],
                    name=row["name"],
                    level=row["level"],
                    parent=row["parent_code"] or None,
                    aliases=aliases,
                )
            )
        return cls(regions)

    @cached_property
    def _by_key(self) -> dict[str, Region]:
        keys: dict[str, Region] = {}
        for region in self.regions:
            for key in (region.code, region.name, *region.aliases):
                keys[key] = region
        return keys

    def level(self, level: str) -> list[Region]:
        return [r for r in self.regions if r.level == level]

    def children(self, code: str) -> list[Region]:
        return [r for r in self.regions if r.parent == code]

    def get(self, text: str) -> Region:
        """The region named by code, full name or alias; UnknownRegion with suggestions.

        Also as sheets write them: full-width digits, a code read as a number (``430100.0``),
        a 12-digit statistical code (``430100000000``), ``湘西自治州``, a 县市区 written with
        its 市州 or the province in front (``长沙市岳麓区``, ``湖南省长沙市``), and ``省直`` /
        ``省属`` for the province."""
        key = "".join(str(text).split())
        region = self._by_key.get(key)
        if region is not None:
            return region
        key = _plain_key(key)
        region = self._by_key.get(key) or self._qualified(key)
        if region is not None:
            return region
        names = self.suggest(key)
        hint = Message("did_you_mean", names=Names(names)) if names else ""
        raise UnknownRegion("unknown_region", text=text, hint=hint)

    def _qualified(self, key: str) -> Region | None:
        """A region written with the 市州 (or province) it lies in before its name."""
        if key in _PROVINCE_WORDS:
            return self.by_code.get(_PROVINCE)
        if key.endswith("自治州") and len(key) > 3:  # 湘西自治州: 湘西州
            found = self._by_key.get(key[:-3] + "州")
            if found is not None and found.level == "city":
                return found
        province = self.by_code.get(_PROVINCE)
        for prefix in (province.name, province.name[:-1]) if province else ():
            if key.startswith(prefix) and len(key) > len(prefix):
                rest = key[len(prefix) :]
                return self._by_key.get(rest) or self._qualified(rest)
        for city in self.level("city"):
            names = (city.name, *city.aliases)
            if city.name.endswith("自治州"):
                names += (city.name[:2] + "自治州",)
            for prefix in sorted(names, key=len, reverse=True):
                if not key.startswith(prefix) or len(key) == len(prefix):
                    continue
                inner = self._by_key.get(key[len(prefix) :])
                if inner is not None and inner.parent == city.code:
                    return inner
        return None

    def suggest(self, key: str, count: int = 3) -> list[str]:
        """Names close to ``key``: by code prefix for digits (``4301`` → 长沙市), else by
        the name holding it or held in it, then by likeness."""
        if key.isdigit():
            scored = []
            for region in self.regions:
                common = len(_common_prefix(region.code, key))
                if common >= 2:
                    scored.append((-common, len(region.code.rstrip("0")), region.code, region))
            return [r.name for *_, r in sorted(scored)[:count]]
        names: list[str] = []
        for region in self.regions:
            if region.level != "province" and any(
                k in key or key in k for k in (region.name, *region.aliases) if len(k) >= 2
            ):
                names.append(region.name)
        import difflib

        for match in difflib.get_close_matches(key, list(self._by_key), n=count, cutoff=0.5):
            full = self._by_key[match].name
            if full not in names:
                names.append(full)
        return names[:count]

    def at_level(self, level: str | None) -> dict[str, str | None]:
        """Each region's code → the code it counts under in a coverage of ``level``: its
        市州 for "city" (None for the province), otherwise a 县市区 itself (None for a 市州
        or the province). Made once a level: a status counts every row of a coverage."""
        found = self._at_level.get(level)
        if found is None:
            found = self._at_level[level] = {
                r.code: self._counted_at(r, level) for r in self.regions
            }
        return found

    def _counted_at(self, region: Region, level: str | None) -> str | None:
        if level == "city":
            city = self.city_of(region)
            return city.code if city else None
        return region.code if region.level == "county" else None

    def city_of(self, region: Region) -> Region | None:
        """The 市州 a region lies in (itself for a 市州, None for the province)."""
        if region.level == "city":
            return region
        if region.level == "county" and region.parent:
            return self.by_code[region.parent]
        return None

    def within(self, region: Region) -> set[str]:
        """Codes of a region and everything under it (the province: all of them)."""
        if region.level == "province":
            return set(self.by_code)
        return {region.code} | {child.code for child in self.children(region.code)}


_GAZETTEER: Gazetteer | None = None


def gazetteer() -> Gazetteer:
    """The packaged gazetteer, read once (from the cache when it was read before)."""
    global _GAZETTEER
    if _GAZETTEER is None:
        from chuyi_cli import cache

        raw = data_bytes("hunan-divisions.csv")
        key = cache.key(raw)
        kept = cache.load("gazetteer", key)
        if _well_kept(kept):
            _GAZETTEER = Gazetteer([Region(r[0], r[1], r[2], r[3], tuple(r[4])) for r in kept])
        else:
            _GAZETTEER = Gazetteer.from_csv(raw.decode("utf-8"))
            cache.save("gazetteer", key, [[*r[:4], list(r.aliases)] for r in _GAZETTEER.regions])
    return _GAZETTEER


def _well_kept(kept: object) -> bool:
    """Whether the cache gave back regions as gazetteer() keeps them."""
    return (
        isinstance(kept, list)
        and bool(kept)
        and all(
            isinstance(r, list)
            and len(r) == 5
            and all(isinstance(v, str) for v in r[:3])
            and isinstance(r[4], list)
            for r in kept
        )
    )
