#!/usr/bin/env python3
"""SIGKILL of one validator under load; restarted, it catches up to
identical state.

Goal (issue 5 "Faults under load", first item, and durability): with one
of four validators killed the others keep committing; the killed node,
restarted on the same ports and data, catches up within retained history
and ends with the same blocks and LedgerInfo (state root included) as
every other node; every transaction is committed exactly once.

Method: 4 validators + 1 observer, a steady load (IPL_E2E_RATE tx/s); a
validator that is not the current leader is SIGKILLed; wait (measured)
until the others have committed 10 more blocks and more of our
transactions; restart it; wait (measured) until it reaches the others'
height; close the load and run the final checks on all five nodes.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster as c  # noqa: E402


def test():
    with c.Cluster(validators=4, observers=1, name="kill-restart") as net:
        load = c.start_load(net, budget_s=300)
        try:
            leader = net.leader()
            victim = next(i for i in reversed(net.validators()) if i != leader)
            net.kill(victim)
            others = [i for i in net.running()]
            net.wait_progress(others, 10, 120, f"10 blocks committed with validator {victim} down")
            load.wait_committed(load.committed + 100, 120, "100 more transactions committed meanwhile")
            net.restart(victim)
            net.wait_caught_up(victim, others, 180, "restarted validator caught up")
            net.wait_progress(net.running(), 5, 120, "all five commit together again")
            load.close_intake()
            c.final_checks(net, load, deadline_s=300)
        finally:
            load.stop()
        load.report()


if __name__ == "__main__":
    sys.exit(c.run(test))
