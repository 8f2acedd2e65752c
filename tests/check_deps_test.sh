#!/usr/bin/env bash
# Goal: the include-graph check passes on the tree and fails on each kind of
# forbidden include. Method: small fake trees in a temp dir.
set -euo pipefail
script="$1/scripts/check_deps.py"
python3 "$script" >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
expect_fail() {  # file content
  rm -rf "$tmp"/*
  mkdir -p "$(dirname "$tmp/$1")"
  printf '%s\n' "$2" > "$tmp/$1"
  if python3 "$script" --root "$tmp" 2>/dev/null; then echo "not caught: $1: $2"; exit 1; fi
}
expect_ok() {
  rm -rf "$tmp"/*
  mkdir -p "$(dirname "$tmp/$1")"
  printf '%s\n' "$2" > "$tmp/$1"
  python3 "$script" --root "$tmp" >/dev/null || { echo "wrongly refused: $1: $2"; exit 1; }
}
expect_fail consensus/replica.cc '#include "ledger/store.h"'
expect_fail common/x.h '#include "proto/codec.h"'
expect_fail ledger/state_tree.cc '#include <leveldb/db.h>'
expect_fail api/x.cc '#include <boost/asio.hpp>'
expect_fail proto/codec.h '#include <google/protobuf/message.h>'
expect_fail contracts/x.cc '#include "ledger/ledger.h"'
expect_fail node/rpc.cc '#include <httplib.h>'
expect_ok ledger/leveldb_store.cc '#include <leveldb/db.h>'
expect_ok node/net/peer.cc '#include <boost/asio.hpp>'
expect_ok genesis/g.cc '#include "ledger/ledger.h"'
echo "check_deps self-test: 10 cases ok"
