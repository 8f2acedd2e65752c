#!/usr/bin/env python3
"""Rejects non-deterministic constructs in contracts/ (DESIGN.md "Contracts",
STYLE.md "Contracts"): floating-point types and literals, unordered
containers, clocks, randomness, I/O and process/thread facilities.

Comments and string literals are stripped before matching, so only code
counts. Usage: check_determinism.py [--root DIR]; exit 1 on a finding.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
RULES = [
    (r"\b(float|double|long\s+double)\b", "floating-point type"),
    (r"(?<![\w.])\d+\.\d*(?:[eE][+-]?\d+)?[fFlL]?\b|(?<![\w.])\d+[eE][+-]?\d+\b", "floating-point literal"),
    (r"\bunordered_(map|set|multimap|multiset)\b", "unordered container"),
    (r"<unordered_(map|set)>", "unordered container header"),
    (r"\b(std::)?chrono\b|<chrono>|\b(time|clock|gettimeofday|clock_gettime|localtime|gmtime)\s*\(", "clock"),
    (r"\b(system_clock|steady_clock|high_resolution_clock)\b", "clock"),
    (r"\b(rand|srand|random|drand48)\s*\(|<random>|\b(random_device|mt19937(_64)?|default_random_engine)\b",
     "randomness"),
    (r"<(fstream|iostream|cstdio|filesystem|thread|future)>|\b(fopen|fread|fwrite|printf|fprintf|puts|std::cout|"
     r"std::cerr|ifstream|ofstream|std::filesystem|std::thread|getenv|system)\b", "I/O or process state"),
    (r"\bstatic\s+(?!constexpr|const\b|inline|std::string_view|bool\s+\w+\s*\()[\w:<>]+\s+\w+\s*(=|;|\{)", "mutable global/static state"),
]


def strip(code: str) -> str:
    """Removes comments and string/char literals, keeping line numbers."""
    out, i, n = [], 0, len(code)
    while i < n:
        c = code[i]
        if code.startswith("//", i):
            j = code.find("\n", i)
            i = n if j < 0 else j
        elif code.startswith("/*", i):
            j = code.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * code.count("\n", i, j))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and code[j] != c:
                j += 2 if code[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def main() -> int:
    root = ROOT
    if len(sys.argv) == 3 and sys.argv[1] == "--root":
        root = pathlib.Path(sys.argv[2]).resolve()
    base = root / "contracts"
    errors = []
    if base.is_dir():
        for path in sorted(base.rglob("*")):
            if path.suffix not in (".h", ".cc", ".hpp", ".cpp"):
                continue
            # json.cc is the JSON adapter for the CLI/API, never called by
            # the executor; it may format text but is still checked for
            # floats, clocks and randomness.
            adapter = path.name == "json.cc"
            code = strip(path.read_text(encoding="utf-8"))
            for lineno, line in enumerate(code.splitlines(), 1):
                if line.lstrip().startswith("#include <nlohmann"):
                    continue
                for pattern, what in RULES:
                    if adapter and what == "I/O or process state" and "printf" in line:
                        continue
                    if re.search(pattern, line):
                        errors.append(f"{path.relative_to(root).as_posix()}:{lineno}: {what}: {line.strip()}")
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"check_determinism: {len(errors)} finding(s)", file=sys.stderr)
        return 1
    print("check_determinism: contracts/ ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
