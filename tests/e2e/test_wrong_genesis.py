#!/usr/bin/env python3
"""A node with a wrong genesis is refused by its peers.

Goal (issue 5 "Faults under load", last item): the handshake binds the
genesis hash, so a node started from another genesis (here: the same
members and keys, one millisecond later) never connects to the
consortium, learns nothing from it and changes nothing in it, even though
its transport key is in every node's peer list.

Method: 4 validators under load. The spare node (listed as a peer by
everyone) gets a config pointing at the altered genesis, as an observer,
and is started. Wait until it answers HTTP and the consortium has
committed 10 more blocks since then (enough handshake attempts: the
reconnect backoff is capped at 5 s). Then: no consortium node shows the
spare connected, the spare shows no peer connected and is still at its
own genesis (height 1), its genesis hash differs, and the consortium's
chain and load are intact. Log lines that mention the refusal are
counted and reported.
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster as c  # noqa: E402


def test():
    with c.Cluster(validators=4, observers=0, name="wrong-genesis") as net:
        load = c.start_load(net, budget_s=300)
        try:
            spare = net.net.record["spare"]
            genesis = json.loads(Path(net.net.record["genesis"]).read_text())
            genesis["genesis_time_ms"] += 1
            wrong = net.dir / "wrong-genesis.json"
            wrong.write_text(json.dumps(genesis, indent=2) + "\n")
            net.net.write_config(spare, genesis=str(wrong), mode="observer")
            log_start = {i: Path(net.net.node(i)["log"]).stat().st_size for i in net.validators()}
            net.start(spare, outsider=True)
            c.wait_until(lambda: net.status(spare), 60, f"wrong-genesis node {spare} answers HTTP",
                         guard=net.check_alive)
            good = net.validators()
            net.wait_progress(good, 10, 120, "the consortium committed 10 blocks with the wrong node up")

            spare_key = net.net.node(spare)["transport_key"]
            problems = []
            for i in good:
                st = net.status(i)
                peer = [p for p in st.get("peers", []) if p.get("key") == spare_key]
                if not peer:
                    problems.append(f"node {i} does not list the spare's key among its peers")
                elif peer[0].get("is_connected"):
                    problems.append(f"node {i} shows the wrong-genesis node connected")
            st = net.status(spare)
            if any(p.get("is_connected") for p in st.get("peers", [])):
                problems.append(f"the wrong-genesis node shows connected peers: {st.get('peers')}")
            if st.get("height") != 1:
                problems.append(f"the wrong-genesis node left its genesis: height {st.get('height')}")
            good_hash = net.status(good[0]).get("genesis_hash")
            if good_hash is not None and st.get("genesis_hash") == good_hash:
                problems.append("the wrong-genesis node reports the consortium's genesis hash")
            if problems:
                raise c.Failure("; ".join(problems))
            refusals = 0
            for i in good:
                with open(net.net.node(i)["log"], "rb") as f:
                    f.seek(log_start[i])
                    text = f.read().decode(errors="replace").lower()
                refusals += sum(1 for line in text.splitlines()
                                if spare_key[:16] in line or ("genesis" in line and "handshake" in line))
            c.log(f"wrong genesis: refused by all {len(good)} validators; {refusals} log line(s) about it")
            net.kill(spare)
            load.close_intake()
            c.final_checks(net, load, deadline_s=300)
        finally:
            load.stop()
        load.report()


if __name__ == "__main__":
    sys.exit(c.run(test))
