"""The GB/T 2260 region tree, derived from python-stdnum's ``stdnum/cn/loc.dat``.

loc.dat lists every code with the years it was valid (``[1983-2013]白下区``); a code is current
when one of its names has no end year. The placeholder levels ``市辖区`` and ``县`` group
districts statistically and are not places anyone lives in, so their children hang from the
province instead."""

import re
from dataclasses import dataclass
from pathlib import Path

import stdnum.cn

LOC_DAT = Path(stdnum.cn.__file__).parent / "loc.dat"

# Taiwan, Hong Kong and Macao are province-level codes outside the mainland social insurance
# system: loaded for completeness, never open for online transfer.
OUTSIDE_SYSTEM = {"71", "81", "82"}
PLACEHOLDER_NAMES = {"市辖区", "县"}

# 简称 used in certificate numbers (京朝阳2026第00001号).
PROVINCE_ABBREVIATIONS = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "贵", "53": "云", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新", "71": "台", "81": "港", "82": "澳",
}  # fmt: skip

_PERIOD = re.compile(r"^\[(\d*)-(\d*)\](.+)$")


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: int
    parent: str | None

    @property
    def online_transfer_enabled(self) -> bool:
        return self.code[:2] not in OUTSIDE_SYSTEM


def current_name(names: str) -> str | None:
    """The name in force now, or None when every name of the code has ended."""
    for part in names.split(","):
        match = _PERIOD.match(part)
        if match is None:
            return part
        _start, end, name = match.groups()
        if not end:
            return name
    return None


def current_regions(path: Path = LOC_DAT) -> list[RegionRow]:
    """Every current region, parents before children."""
    rows: list[RegionRow] = []
    codes: set[str] = set()
    province = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        key, _sep, value = raw.strip().partition(" ")
        name = current_name(value.split("=", 1)[1].strip('"'))
        if not raw.startswith(" "):
            province = key
            if name:
                rows.append(RegionRow(province + "0000", name, 1, None))
                codes.add(province + "0000")
            continue
        code = province + key
        if key == "0000" or name is None or name in PLACEHOLDER_NAMES:
            continue
        if code[4:] == "00":
            level, parent = 2, province + "0000"
        else:
            level = 3
            parent = code[:4] + "00" if code[:4] + "00" in codes else province + "0000"
        rows.append(RegionRow(code, name, level, parent))
        codes.add(code)
    return rows


def short_name(name: str) -> str:
    """朝阳区 → 朝阳, 南京市 → 南京: the pooling region's name in a certificate number."""
    for suffix in ("自治州", "自治县", "地区", "新区", "区", "市", "县", "盟", "旗"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name
