"""Three years of one agency's report in the layout of seed 000 (plain text, 2021 template),
made by copying the seed and changing the year in its title and the numbers of a few rows.

    2021: carries 2 applications forward;
    2022: says it carried over 1 (carry_continuity: 1 ≠ 2), in force 6 and 11 regulations and
          normative documents (consistent with 2021 + issued − repealed);
    2023: says 7 regulations in force where 6 + 0 − 0 = 6 (in_force_continuity).

Corrected versions: `fixed_2022` says carried_over 2; `fixed_2021` carries 1 forward (so 2022 is
right after all); `fixed_2023` says 6 regulations in force. `2024` follows 2023. Every year
balances on its own (一+二 = 三(七)+四 per column): the only findings are the history ones."""

from __future__ import annotations

import re
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
SEED = SEEDS / "000_402f5e06dd06528b.txt"
AGENCY = "北京市西城区人民政府外事办公室"

ZERO7 = [0] * 7


def np(n: int) -> list[int]:
    """A table 2 row where only natural persons (and the total) count n."""
    return [n, 0, 0, 0, 0, 0, n]


YEARS: dict[str, dict[str, list[int]]] = {
    "2021": {
        "规章": [0, 0, 5],
        "行政规范性文件": [0, 0, 10],
        "一、本年新收政府信息公开申请数量": np(1),
        "二、上年结转政府信息公开申请数量": np(1),
        "1.本机关不掌握相关政府信息": ZERO7,
        "（七）总计": ZERO7,
        "四、结转下年度继续办理": np(2),
    },
    "2022": {
        "规章": [1, 0, 6],
        "行政规范性文件": [2, 1, 11],
        "一、本年新收政府信息公开申请数量": np(1),
        "二、上年结转政府信息公开申请数量": np(1),  # 2021 carried 2 forward
        "1.本机关不掌握相关政府信息": np(2),
        "（七）总计": np(2),
        "四、结转下年度继续办理": ZERO7,
    },
    "fixed_2022": {
        "规章": [1, 0, 6],
        "行政规范性文件": [2, 1, 11],
        "一、本年新收政府信息公开申请数量": np(1),
        "二、上年结转政府信息公开申请数量": np(2),
        "1.本机关不掌握相关政府信息": np(3),
        "（七）总计": np(3),
        "四、结转下年度继续办理": ZERO7,
    },
    "fixed_2021": {  # carries 1 forward, which is what 2022 says it carried over
        "规章": [0, 0, 5],
        "行政规范性文件": [0, 0, 10],
        "一、本年新收政府信息公开申请数量": np(1),
        "二、上年结转政府信息公开申请数量": np(1),
        "1.本机关不掌握相关政府信息": np(1),
        "（七）总计": np(1),
        "四、结转下年度继续办理": np(1),
    },
    "2023": {
        "规章": [0, 0, 7],  # 6 + 0 - 0 = 6
        "行政规范性文件": [0, 0, 11],
        "一、本年新收政府信息公开申请数量": np(1),
        "二、上年结转政府信息公开申请数量": ZERO7,
        "1.本机关不掌握相关政府信息": np(1),
        "（七）总计": np(1),
        "四、结转下年度继续办理": ZERO7,
    },
    "fixed_2023": {
        "规章": [0, 0, 6],
        "行政规范性文件": [0, 0, 11],
        "一、本年新收政府信息公开申请数量": np(1),
        "二、上年结转政府信息公开申请数量": ZERO7,
        "1.本机关不掌握相关政府信息": np(1),
        "（七）总计": np(1),
        "四、结转下年度继续办理": ZERO7,
    },
    "2024": {
        "规章": [0, 0, 7],
        "行政规范性文件": [0, 0, 11],
        "一、本年新收政府信息公开申请数量": np(1),
        "二、上年结转政府信息公开申请数量": ZERO7,
        "1.本机关不掌握相关政府信息": np(1),
        "（七）总计": np(1),
        "四、结转下年度继续办理": ZERO7,
    },
}


def report_text(name: str, agency: str = AGENCY) -> str:
    """The seed's text for `name` (a key of YEARS): its year in the title, its numbers in the tables."""
    year = name.removeprefix("fixed_")
    lines = SEED.read_text(encoding="utf-8").split("\n")
    lines[0] = lines[0].replace("2021", year).replace(AGENCY, agency)
    for label, values in YEARS[name].items():
        at = next(i for i, line in enumerate(lines) if line.strip() == label)
        pos = at + 1
        for value in values:
            while not re.fullmatch(r"\s*\d+\s*", lines[pos]):
                pos += 1
            lines[pos] = f"\t{value}"
            pos += 1
    new = YEARS[name]["一、本年新收政府信息公开申请数量"][-1]
    return "\n".join(lines).replace("共收到信息公开申请1件", f"共收到信息公开申请{new}件")


def write_series(
    folder: Path, names: tuple[str, ...] = ("2021", "2022", "2023"), agency: str = AGENCY
) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in names:
        path = folder / f"{name}.txt"
        path.write_text(report_text(name, agency), encoding="utf-8")
        out[name] = path
    return out
