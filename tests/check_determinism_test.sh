#!/usr/bin/env bash
# Goal: the determinism lint passes on the tree, catches each forbidden
# construct in code and ignores it in comments and strings. Method: small
# fake trees in a temp dir.
set -euo pipefail
script="$1/scripts/check_determinism.py"
python3 "$script" >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { rm -rf "$tmp"/*; mkdir -p "$tmp/contracts"; printf '%s\n' "$1" > "$tmp/contracts/x.cc"; python3 "$script" --root "$tmp" 2>/dev/null; }
expect_fail() { if run "$1"; then echo "not caught: $1"; exit 1; fi; }
expect_ok() { run "$1" >/dev/null || { echo "wrongly refused: $1"; exit 1; }; }
expect_fail 'double rate = 0;'
expect_fail 'auto r = x * 1.5;'
expect_fail 'std::unordered_map<int, int> m;'
expect_fail 'auto t = std::chrono::steady_clock::now();'
expect_fail 'int r = rand();'
expect_fail 'std::mt19937_64 rng(1);'
expect_fail '#include <fstream>'
expect_fail 'std::cout << 1;'
expect_fail 'static int counter = 0;'
expect_ok '// a double-check of floats: double, rand(), std::chrono'
expect_ok 'const char* s = "double 1.5 rand()";'
expect_ok 'static constexpr int kMax = 5;'
expect_ok 'std::map<int, int> ordered;'
echo "check_determinism self-test: 13 cases ok"
