#!/usr/bin/env python3
"""Bad peers against a running consortium.

Goal (issue 5 "Must show", Bad peers): random bytes after connect, a 4 GiB
length prefix, a valid handshake with an unknown key, a replayed handshake
and a flipped bit in an encrypted frame are each refused by a real node
and logged at warning level with their reason, while the consortium keeps
committing; afterwards all four nodes hold the same chain and the load
committed exactly once.

Method: 4 validators under load (cluster.py, IPL_E2E_RATE tx/s). Each
mode of tests/e2e/p2p_probe (built from node/net/handshake.h) is run once
against node 1's P2P port, in turn:
  random       4 KiB of random bytes right after connect;
  unknown-key  a complete handshake with a fresh key no node lists;
  replay       a genuine handshake as the spare (a listed peer that is not
               running, so the probe is not a copy of a live node), its
               initiator bytes replayed on a new connection;
  flip-bit     a genuine session as the spare, a valid empty frame, then
               a frame with one ciphertext bit flipped;
  huge-length  a genuine session as the spare, a valid empty frame, then a
               frame header announcing 0xFFFFFFFF bytes.
Each probe must exit 0 (it judged the node's reaction: closed, at the
right step; see p2p_probe.cc). Then, with measured waits: node 1's log
(from the probe's start) has a warning line with that refusal's reason,
and all four validators commit 3 more blocks. At the end node 1 is still
connected to the other three, no node halted, and the final checks of
cluster.py run (same blocks and LedgerInfo everywhere, every transaction
exactly once).

Environment: IPL_P2P_PROBE (the probe; default next to the build's
ipledger), IPLEDGER_BIN, IPL_E2E_RATE (default 200).
"""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster as c  # noqa: E402

WARNING = re.compile(r"\bwarn(ing)?\b")


def probe_binary() -> str:
    path = os.environ.get("IPL_P2P_PROBE")
    if not path:
        # build/<preset>/node/ipledger -> build/<preset>/tests/e2e/p2p_probe
        path = str(Path(c.testnet.binary()).resolve().parents[1] / "tests" / "e2e" / "p2p_probe")
    if not os.access(path, os.X_OK):
        raise c.Failure(f"p2p_probe not found at {path}: build the target p2p_probe or set IPL_P2P_PROBE")
    return path


def log_since(path: str, offset: int) -> str:
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read().decode(errors="replace")


def warning_with(text: str, parts) -> str:
    """The first warning line of `text` that holds every part, or ''."""
    for line in text.splitlines():
        if WARNING.search(line) and all(p in line for p in parts):
            return line
    return ""


def test():
    probe = probe_binary()
    with c.Cluster(validators=4, observers=0, name="bad-peers") as net:
        record = net.net.record
        victim = net.net.node(1)
        spare = net.net.node(record["spare"])
        if spare["mode"] != "spare" or net.net.state(spare["index"]) != "down":
            raise c.Failure(f"node {spare['index']} should be the spare and not running: {spare}")
        spare_key_file = str(Path(record["keys_dir"]) / (spare["keys"]["transport"] + ".key"))
        spare_short = spare["transport_key"][:12]
        # The reason each refusal must be logged with (node/net/transport.cc,
        # handshake.cc); "{stranger}" is the fresh key the probe prints.
        cases = [
            ("random", ["disconnected unauthenticated", "refused hello: bad hello magic"]),
            ("unknown-key", ["handshake with {stranger}", "refused {stranger}: not a current member"]),
            ("replay", [f"disconnected {spare_short}", "handshake signature does not verify over this transcript"]),
            ("flip-bit", [f"disconnected {spare_short}", "bad frame: frame 1 fails authentication"]),
            ("huge-length", [f"disconnected {spare_short}", "bad frame: frame length 4294967295 exceeds"]),
        ]

        load = c.start_load(net, budget_s=300)
        try:
            validators = net.validators()
            first_height = net.height(1)
            first_committed = load.committed
            t_probes = time.monotonic()
            results = []
            for mode, parts in cases:
                offset = Path(victim["log"]).stat().st_size
                h0, n0 = net.height(1), load.committed
                c.log(f"probe {mode} -> node 1 ({victim['p2p']}) at height {h0}")
                cmd = [probe, mode, "--connect", victim["p2p"], "--genesis-hash", record["genesis_hash"],
                       "--peer-key", victim["transport_key"], "--deadline-s", "60"]
                if mode not in ("random", "unknown-key"):
                    cmd += ["--key", spare_key_file]
                try:
                    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
                except subprocess.TimeoutExpired as e:
                    raise c.Failure(f"p2p_probe {mode} did not finish in 120 s: {e.stdout!r}")
                for line in (out.stdout + out.stderr).splitlines():
                    print(f"    {line}", flush=True)
                if out.returncode != 0:
                    raise c.Failure(f"p2p_probe {mode} exited {out.returncode}: the node did not refuse as "
                                    f"expected (see its output above)")
                net.check_alive()
                h1 = net.height(1)
                if mode == "unknown-key":
                    m = re.search(r"fresh transport key ([0-9a-f]{12})", out.stdout)
                    if not m:
                        raise c.Failure("p2p_probe unknown-key did not print its key")
                    parts = [p.replace("{stranger}", m.group(1)) for p in parts]
                line, _ = c.wait_until(lambda: warning_with(log_since(victim["log"], offset), parts), 30,
                                       f"{mode}: node 1 logged the refusal", guard=net.check_alive)
                c.log(f"{mode}: node 1 logged: {line.strip()}")
                net.wait_progress(validators, 3, 120, f"{mode}: all validators commit after the probe")
                h2, n2 = net.height(1), load.committed
                results.append((mode, h0, h1, h2, n2 - n0))

            took = time.monotonic() - t_probes
            c.log(f"probes done in {took:.1f} s; node 1 height {first_height} -> {net.height(1)}, "
                  f"load committed {first_committed} -> {load.committed}")
            for mode, h0, h1, h2, dn in results:
                c.log(f"  {mode:<12} node 1 height {h0} before, {h1} when the probe ended, {h2} after its checks; "
                      f"{dn} load transactions committed meanwhile")
            if load.committed <= first_committed:
                raise c.Failure(f"no load transaction committed during the probes ({first_committed})")

            st = net.status(1)
            if not st or st.get("is_halted"):
                raise c.Failure(f"node 1 after the probes: {st}")
            connected = {p.get("key") for p in st.get("peers", []) if p.get("is_connected")}
            missing = [i for i in validators if i != 1 and net.net.node(i)["transport_key"] not in connected]
            if missing:
                raise c.Failure(f"node 1 is no longer connected to nodes {missing}: {st.get('peers')}")
            c.log("node 1 is still connected to nodes 2, 3 and 4")

            load.close_intake()
            c.final_checks(net, load, deadline_s=300, nodes=validators)
        finally:
            load.stop()
        load.report()


if __name__ == "__main__":
    sys.exit(c.run(test))
