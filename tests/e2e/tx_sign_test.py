#!/usr/bin/env python3
"""`ipledger tx sign` builds exactly the transactions `ipledger exec` builds.

Goal: the signing path of the command line (issue 5: clients and the e2e
harness sign with it) produces canonical, correctly signed transactions
with the nonces it promises, and refuses bad input.

Method: a chain from tests/vectors/consortium.json with test keys.
  1. The same JSON lines, with explicit nonce, expiry and value date, are
     executed twice by `ipledger exec`: once as they are (exec signs them),
     once as {"signed": HEX} lines from `tx sign`. The receipts must be
     equal, tx ids included (Ed25519 signatures are deterministic, so equal
     ids mean byte-identical bodies), and all must succeed.
  2. A batch on stdin without nonces: each sender's nonces run from
     --nonce, interleaved senders each keep their own sequence; exec
     accepts them all (a wrong nonce would be a tx.nonce receipt); the ids
     printed by --with-id are the receipts' ids.
  3. --nonce 2 for a fresh key gives a nonce refusal in exec, so the option
     is really used.
  4. Bad input (unknown key, bad payload, not JSON, a bad line in a batch)
     exits 2 with a message naming the problem, and prints no transaction.

Usage: tx_sign_test.py IPLEDGER VECTORS_DIR
"""
import json
import subprocess
import sys
import tempfile


def run(cmd, stdin=None, check=True):
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed ({p.returncode}): {p.stderr}")
    return p


def receipts(binary, tmp, lines, name):
    path = f"{tmp}/{name}.jsonl"
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    out = run([binary, "exec", "--genesis", f"{tmp}/genesis.json", "--keys", f"{tmp}/keys", "--txs", path]).stdout
    return [r for b in json.loads(out)["blocks"] for r in b["receipts"]]


def main() -> int:
    binary, vdir = sys.argv[1], sys.argv[2]
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        run([binary, "genesis", "init", "--consortium", f"{vdir}/consortium.json", "--out", tmp, "--test-keys"])
        sign = [binary, "tx", "sign", "--keys", f"{tmp}/keys", "--genesis", f"{tmp}/genesis.json"]

        # 1. Same lines, signed by exec and by tx sign.
        lines = []
        for i, sender in enumerate(["banka", "ipa", "banka", "cr"]):
            nonce = 1 + sum(1 for l in lines if json.loads(l)["sender"] == sender)
            if sender == "banka":
                body = {"type": "attest.bank_totals", "payload": {"month": f"2023-{i + 1:02d}", "loans_fen": 1000 + i,
                                                                  "npl_fen": i}}
            else:
                body = {"type": "attest.ip_fact", "payload": {"number": f"ZL2023{i:07d}.X", "kind": "patent",
                                                              "status": "granted", "owners": ["@banka"]}}
            lines.append(json.dumps({"sender": sender, **body, "nonce": nonce, "valid_until_height": 50,
                                     "value_date": "2024-01-01"}))
        direct = receipts(binary, tmp, lines, "direct")
        signed = [json.dumps({"signed": run(sign + [l]).stdout.strip()}) for l in lines]
        via_sign = receipts(binary, tmp, signed, "via_sign")
        strip = lambda rs: [{k: r[k] for k in ("tx_id", "success", "reason", "events")} for r in rs]
        if strip(direct) != strip(via_sign):
            errors.append(f"exec and tx sign differ:\n  {strip(direct)}\n  {strip(via_sign)}")
        if not all(r["success"] for r in direct) or len(direct) != len(lines):
            errors.append(f"expected {len(lines)} successful receipts, got {direct}")

        # 2. A batch on stdin, nonces from --nonce per sender.
        batch = []
        for i in range(6):
            sender = "banka" if i % 2 == 0 else "ipa"
            if sender == "banka":
                batch.append(json.dumps({"sender": "banka", "type": "attest.bank_totals", "value_date": "2024-01-01",
                                         "payload": {"month": f"2022-{i + 1:02d}", "loans_fen": 5, "npl_fen": 0}}))
            else:
                batch.append(json.dumps({"sender": "ipa", "type": "attest.calendar", "value_date": "2024-01-01",
                                         "payload": {"year": 2020 + i, "holidays": [f"{2020 + i}-01-01"]}}))
        out = run(sign + ["--with-id", "-"], stdin="# a comment\n\n" + "\n".join(batch) + "\n").stdout.split("\n")
        pairs = [l.split(" ") for l in out if l]
        if len(pairs) != len(batch) or any(len(p) != 2 for p in pairs):
            errors.append(f"batch: expected {len(batch)} 'ID HEX' lines, got {out}")
        else:
            rs = receipts(binary, tmp, [json.dumps({"signed": h}) for _, h in pairs], "batch")
            if [r["tx_id"] for r in rs] != [i for i, _ in pairs]:
                errors.append("batch: printed ids are not the receipts' ids")
            bad = [r for r in rs if not r["success"]]
            if bad:
                errors.append(f"batch: nonces not contiguous per sender: {bad}")

        # 3. --nonce is used: a fresh key's first nonce must be 1.
        one = json.dumps({"sender": "banka", "type": "attest.bank_totals", "value_date": "2024-01-01",
                          "payload": {"month": "2022-01", "loans_fen": 5, "npl_fen": 0}})
        hex2 = run(sign + ["--nonce", "2", one]).stdout.strip()
        r = receipts(binary, tmp, [json.dumps({"signed": hex2})], "nonce2")
        if len(r) != 1 or r[0]["success"] or "nonce" not in r[0]["reason"]:
            errors.append(f"--nonce 2 on a fresh key should be refused for its nonce, got {r}")

        # 4. Bad input: exit 2, a message, no output.
        cases = {
            "unknown key": json.dumps({"sender": "nobody", "type": "attest.bank_totals", "payload": {}}),
            "bad payload": json.dumps({"sender": "banka", "type": "attest.bank_totals",
                                       "payload": {"month": "2024-13", "loans_fen": 1, "npl_fen": 0}}),
            "not JSON": "{sender: banka",
            "not an object": "[1, 2]",
            "no type": json.dumps({"sender": "banka"}),
        }
        for what, line in cases.items():
            p = run(sign + [line], check=False)
            if p.returncode != 2 or p.stdout or "ipledger tx sign:" not in p.stderr:
                errors.append(f"{what}: expected exit 2 with a message and no output, got {p.returncode} "
                              f"{p.stdout!r} {p.stderr!r}")
        p = run(sign + ["-"], stdin=one + "\n" + "{bad\n", check=False)
        if p.returncode != 2 or "line 2" not in p.stderr:
            errors.append(f"batch with a bad line 2: got {p.returncode} {p.stderr!r}")
    for e in errors:
        print(e)
    if not errors:
        print(f"tx sign: {len(lines)} lines identical to exec, {len(batch)}-line batch ok, nonce option and "
              f"{len(cases) + 1} refusals checked")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
