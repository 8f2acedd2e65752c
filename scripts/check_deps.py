#!/usr/bin/env python3
"""Checks the include graph of DESIGN.md "Layout" / STYLE.md "Dependency
direction" and exits non-zero on a forbidden include.

Rules:
  * a module may include only the modules it is allowed to (ALLOWED below);
  * third-party headers stay local: Asio only in node/net, LevelDB only in
    ledger/leveldb_*, httplib only in api/, protobuf only in proto/*.cc
    (never in a header: headers of widely used modules stay light).
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODULES = ["common", "proto", "ledger", "consensus", "contracts", "genesis", "api", "node"]
ALLOWED = {
    "common": set(),
    "proto": {"common"},
    "ledger": {"common"},
    "consensus": {"common"},
    "contracts": {"common", "proto"},
    "genesis": {"common", "contracts", "ledger", "proto"},
    "api": {"common", "contracts", "ledger", "proto", "genesis"},
    "node": set(MODULES) - {"node"},
}
# (pattern of the included header, predicate on the including file's path)
THIRD_PARTY = [
    (re.compile(r"^(boost/asio|asio)"), lambda p: p.startswith("node/net/"), "Asio only in node/net/"),
    (re.compile(r"^leveldb/"), lambda p: re.match(r"ledger/leveldb_[^/]*\.cc$", p) is not None,
     "LevelDB only in ledger/leveldb_*.cc"),
    (re.compile(r"^httplib\.h$"), lambda p: p.startswith("api/"), "cpp-httplib only in api/"),
    (re.compile(r"^google/protobuf/|\.pb\.h$"), lambda p: p.startswith("proto/") and p.endswith(".cc"),
     "protobuf only in proto/*.cc"),
]
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def main() -> int:
    root = ROOT
    if len(sys.argv) == 3 and sys.argv[1] == "--root":
        root = pathlib.Path(sys.argv[2]).resolve()
    errors = []
    for module in MODULES:
        base = root / module
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.suffix not in (".h", ".cc", ".hpp", ".cpp"):
                continue
            rel = path.relative_to(root).as_posix()
            for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                inc = m.group(1)
                top = inc.split("/", 1)[0]
                if top in MODULES and "/" in inc and top != module and top not in ALLOWED[module]:
                    errors.append(f"{rel}:{lineno}: {module}/ may not include {inc} (allowed: "
                                  f"{', '.join(sorted(ALLOWED[module])) or 'nothing of ours'})")
                for pattern, ok, rule in THIRD_PARTY:
                    if pattern.search(inc) and not ok(rel):
                        errors.append(f"{rel}:{lineno}: {inc}: {rule}")
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"check_deps: {len(errors)} forbidden include(s)", file=sys.stderr)
        return 1
    print("check_deps: include graph ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
