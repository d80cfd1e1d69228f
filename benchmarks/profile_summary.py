"""`python -m benchmarks.profile_summary FILE.txt [N]`: where a raw py-spy profile's samples went.

Reads collapsed stacks (BENCH_PROFILE_FORMAT=raw) and prints two tables: self time by the package
of the innermost frame (what burns the CPU), and inclusive time by our own modules (which of our
steps cause it), each as a share of all samples.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*) \((?P<path>[^():]+)(?::\d+)?\)$")
_OURS = ("domain", "application", "adapters", "entrypoints", "benchmarks")


def package_of(path: str) -> str:
    """`sqlalchemy`, `asyncpg`, ... for a library frame; `adapters/sql/intake.py` for one of ours."""
    parts = Path(path).parts  # py-spy names a file from its import root: `sqlalchemy/engine/base.py`
    if "site-packages" in parts:
        parts = parts[parts.index("site-packages") + 1:]
    if not parts:
        return "?"
    if parts[0] in _OURS:
        return "/".join(parts)
    return parts[0].removesuffix(".py")


def summarise(lines: list[str]) -> tuple[int, Counter[str], Counter[str]]:
    total, own, ours = 0, Counter[str](), Counter[str]()
    for line in lines:
        stack, _, count_text = line.rstrip().rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count, frames = int(count_text), stack.split(";")
        total += count
        parsed = [match for frame in frames if (match := _FRAME.match(frame.strip()))]
        if parsed:
            own[package_of(parsed[-1]["path"])] += count
        for module in {package_of(m["path"]) for m in parsed if package_of(m["path"]).endswith(".py")}:
            ours[module] += count
    return total, own, ours


def main(path: str, top: int = 25) -> None:
    total, own, ours = summarise(Path(path).read_text(errors="replace").splitlines())
    print(f"{total} samples")
    for title, counts in (("self, by package", own), ("inclusive, our modules", ours)):
        print(f"\n{title}:")
        for name, count in counts.most_common(top):
            print(f"  {count * 100 / max(total, 1):5.1f} %  {name}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25)
