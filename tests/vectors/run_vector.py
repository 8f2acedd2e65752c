#!/usr/bin/env python3
"""Runs one scenario vector through `ipledger exec` and checks it.

Usage: run_vector.py IPLEDGER VECTORS_DIR NAME

Method: `ipledger genesis init --test-keys` builds a reproducible chain from
VECTORS_DIR/consortium.json; NAME.jsonl is executed twice (the two outputs
must be byte-identical); then every transaction line's "expect" must equal
its receipt's reason, every query line's "expect" its value, and every
{"check": ...} line must hold:
  record      key, field, equals   a final record's field
  next_epoch  height, number, validators   the boundary block carries next_epoch
  scheduled   height, number, boundary_height
  epoch_at    height, epoch
The final state root is pinned in NAME.root (IPL_UPDATE_VECTORS=1 rewrites).
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile


def main() -> int:
    binary, vdir, name = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
    txs = vdir / f"{name}.jsonl"
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([binary, "genesis", "init", "--consortium", str(vdir / "consortium.json"), "--out", tmp,
                        "--test-keys"], check=True, stdout=subprocess.DEVNULL)
        cmd = [binary, "exec", "--genesis", f"{tmp}/genesis.json", "--keys", f"{tmp}/keys", "--txs", str(txs)]
        if name.startswith("protocol"):
            cmd.append("--test-module")
        first = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        second = subprocess.run(cmd + ["--out", f"{tmp}/out"], check=True, capture_output=True, text=True).stdout
    if first != second:
        errors.append("two runs gave different output")
    out = json.loads(first)
    receipts = {r["line"]: (r, b) for b in out["blocks"] for r in b["receipts"]}
    queries = {q["line"]: q for q in out["queries"]}
    blocks = {b["height"]: b for b in out["blocks"]}
    for n, text in enumerate(txs.read_text().splitlines(), 1):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        line = json.loads(text)
        if "check" in line:
            kind = line["check"]
            if kind == "record":
                rec = out["records"].get(line["key"])
                got = None if rec is None else rec.get(line["field"])
                if got != line["equals"]:
                    errors.append(f"line {n}: {line['key']}.{line['field']} = {got!r}, want {line['equals']!r}")
            elif kind == "next_epoch":
                ne = blocks.get(line["height"], {}).get("next_epoch")
                if not ne or ne["number"] != line["number"] or len(ne["consensus_keys"]) != line["validators"]:
                    errors.append(f"line {n}: block {line['height']} next_epoch = {ne!r}")
                for h, b in blocks.items():
                    if h != line["height"] and b.get("next_epoch", {}).get("number") == line["number"]:
                        errors.append(f"line {n}: epoch {line['number']} also announced at {h}")
            elif kind == "scheduled":
                sch = blocks.get(line["height"], {}).get("scheduled_epochs", [])
                if not any(s["number"] == line["number"] and s["boundary_height"] == line["boundary_height"] for s in sch):
                    errors.append(f"line {n}: block {line['height']} scheduled = {sch!r}")
            elif kind == "epoch_at":
                got = blocks.get(line["height"], {}).get("epoch")
                if got != line["epoch"]:
                    errors.append(f"line {n}: block {line['height']} epoch = {got!r}, want {line['epoch']}")
            else:
                errors.append(f"line {n}: unknown check {kind}")
        elif "query" in line:
            got = queries.get(n, {}).get("value", "<missing>")
            if "expect" in line and got != line["expect"]:
                errors.append(f"line {n}: query = {got!r}, want {line['expect']!r}")
        elif "expect" in line:
            r = receipts.get(n)
            got = r[0]["reason"] if r else "<no receipt>"
            if got != line["expect"]:
                errors.append(f"line {n}: reason = {got}, want {line['expect']}")
    root_file = vdir / f"{name}.root"
    if os.environ.get("IPL_UPDATE_VECTORS") == "1":
        root_file.write_text(out["state_root"] + "\n")
    elif root_file.exists() and root_file.read_text().strip() != out["state_root"]:
        errors.append(f"state root {out['state_root']} differs from pinned {root_file.read_text().strip()}")
    for e in errors:
        print(f"{name}: {e}", file=sys.stderr)
    if errors:
        return 1
    print(f"{name}: ok ({len(receipts)} receipts, state root {out['state_root']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
