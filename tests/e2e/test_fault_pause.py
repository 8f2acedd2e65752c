#!/usr/bin/env python3
"""SIGSTOP/SIGCONT of a validator for longer than the round timeout.

Goal (issue 5 "Faults under load", third item): a validator frozen for
longer than the pacemaker's timeout ceiling (the others must time out on
it when it leads) does not stop the others; when it continues it finds
itself behind, catches up, and the chain is the same everywhere.

Method: 4 validators + 1 observer under load. The current leader is sent
SIGSTOP; the pause lasts until both (a) 2 x round_timeout_max (16 s) have
passed and (b) the other nodes have committed 10 more blocks - the pause
is defined by these conditions, not by a sleep. Then SIGCONT, a measured
wait until it has caught up and is not halted, and the final checks.
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster as c  # noqa: E402


def test():
    with c.Cluster(validators=4, observers=1, name="pause") as net:
        load = c.start_load(net, budget_s=300)
        try:
            validators = net.validators()
            victim, _ = c.wait_until(lambda: net.leader(validators), 60, "the leader is known",
                                     guard=net.check_alive)
            net.pause(victim)
            t0 = time.monotonic()
            others = net.running()
            base = net.max_height(others)
            pause_s = 2 * c.ROUND_TIMEOUT_MAX_S
            c.wait_until(lambda: time.monotonic() - t0 >= pause_s and
                         all(net.height(i) >= base + 10 for i in others), 180,
                         f"paused node {victim}: {pause_s:.0f} s passed and the others committed 10 blocks "
                         f"(from {base})", describe=net.status_table, guard=net.check_alive)
            net.resume(victim)
            net.wait_caught_up(victim, others, 180, f"node {victim} caught up after SIGCONT")
            st = net.status(victim)
            if not st or st.get("is_halted"):
                raise c.Failure(f"node {victim} after SIGCONT: {st}")
            net.wait_progress(net.running(), 5, 120, "all five commit together again")
            load.close_intake()
            c.final_checks(net, load, deadline_s=300)
        finally:
            load.stop()
        load.report()


if __name__ == "__main__":
    sys.exit(c.run(test))
