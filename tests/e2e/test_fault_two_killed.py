#!/usr/bin/env python3
"""Two of four validators killed (more than f = 1): commits stop, nothing
forks; one back, commits resume before a generous deadline.

Goal (issue 5 "Faults under load", fourth item): without a quorum no block
commits (safety over liveness), the survivors agree on everything they
committed, and when a quorum is back the pacemaker's capped backoff lets
commits resume promptly (limits.h: within 2 x round_timeout_max + 5 s of
stabilisation); the measured time is reported. Every transaction, resent
until it has a receipt, is committed exactly once in the end.

Method: 4 validators + 1 observer under load. SIGKILL validators 3 and 4.
"Commits stop": wait until no running node's height has changed for
round_timeout_max (8 s), then watch a further 2 x round_timeout_max
(16 s) window in which any commit fails the test. Survivors' chains are
compared. Restart validator 3; measure the time until the height passes
the stalled height (deadline 180 s). Restart validator 4, wait until it
catches up, close the load, final checks on all five.
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster as c  # noqa: E402


def test():
    with c.Cluster(validators=4, observers=1, name="two-killed") as net:
        load = c.start_load(net, budget_s=300)
        try:
            a, b = net.validators()[-2:]
            net.kill(a)
            net.kill(b)
            survivors = net.running()

            # Commits stop: first a quiet period, then a watched window.
            last = {"heights": None, "since": time.monotonic()}

            def quiet():
                hs = tuple(net.height(i) for i in survivors)
                if hs != last["heights"]:
                    last["heights"], last["since"] = hs, time.monotonic()
                return time.monotonic() - last["since"] >= c.ROUND_TIMEOUT_MAX_S and hs

            heights, _ = c.wait_until(quiet, 120, f"commits stopped with validators {a}, {b} down (no height change "
                                      f"for {c.ROUND_TIMEOUT_MAX_S:.0f} s)", describe=net.status_table,
                                      guard=net.check_alive)
            stalled = max(heights)
            t0 = time.monotonic()
            window = 2 * c.ROUND_TIMEOUT_MAX_S

            def watched():
                now = [net.height(i) for i in survivors]
                if max(now) > stalled:
                    raise c.Failure(f"a block committed without a quorum: heights {now} > {stalled}")
                return time.monotonic() - t0 >= window

            c.wait_until(watched, window + 60, f"no commit in a {window:.0f} s window at height {stalled}",
                         guard=net.check_alive)
            net.check_chain(survivors, min_height=2)  # nothing forked among the survivors

            net.restart(a)
            _, resumed = c.wait_until(lambda: net.max_height(survivors) > stalled, 180,
                                      f"commits resumed after validator {a} returned", describe=net.status_table,
                                      guard=net.check_alive)
            c.log(f"two killed: commits stopped at height {stalled}; resumed {resumed:.2f} s after one validator "
                  f"returned")
            net.restart(b)
            net.wait_caught_up(b, [i for i in net.running() if i != b], 180, f"validator {b} caught up")
            load.close_intake()
            c.final_checks(net, load, deadline_s=300)
        finally:
            load.stop()
        load.report()


if __name__ == "__main__":
    sys.exit(c.run(test))
