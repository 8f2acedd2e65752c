#!/usr/bin/env python3
"""SIGKILL of the current leader ten times in a row, under load.

Goal (issue 5 "Faults under load", second item): each time the leader
dies the remaining validators time out, change view and commit again; the
killed leader restarts and catches up; after ten rounds of this every node
holds the same chain and every transaction is committed exactly once.

Method: 4 validators + 1 observer under a steady load. Ten times: read the
leader from /v1/status (the majority view of the running nodes), SIGKILL
it, wait (measured) until the other nodes commit 3 more blocks, restart it,
wait (measured) until it has caught up. Then the final checks on all five.
The measured recovery times are printed (never asserted).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster as c  # noqa: E402

KILLS = 10


def test():
    with c.Cluster(validators=4, observers=1, name="leader-kills") as net:
        load = c.start_load(net, budget_s=600)
        recoveries = []
        try:
            for k in range(1, KILLS + 1):
                validators = net.validators()
                leader, _ = c.wait_until(lambda: net.leader(validators), 60, f"kill {k}: the leader is known",
                                         guard=net.check_alive)
                net.kill(leader)
                others = [i for i in net.running()]
                _, took = net.wait_progress(others, 3, 120, f"kill {k}: commits resume without leader {leader}")
                recoveries.append(took)
                net.restart(leader)
                net.wait_caught_up(leader, others, 180, f"kill {k}: node {leader} caught up")
            load.close_intake()
            c.final_checks(net, load, deadline_s=300)
        finally:
            load.stop()
        load.report()
        recoveries.sort()
        c.log(f"leader kills: {KILLS} recoveries, median {recoveries[len(recoveries) // 2]:.2f} s, "
              f"max {recoveries[-1]:.2f} s")


if __name__ == "__main__":
    sys.exit(c.run(test))
