#!/usr/bin/env python3
"""An epoch renewal lets a validator whose safety data was wiped vote again
(issue 5 "Must show", reconfiguration item; docs/node.md "Lost or suspect
safety data").

Goal: a validator that lost its safety data (last voted round, lock) must
not vote again in the epoch it may already have voted in: it starts,
follows and executes, but signs nothing. The joint meeting's epoch_renewal
(same validator set, next epoch) gives it fresh safety data; from the new
epoch on it votes again. Same chain everywhere, every load transaction
exactly once, the epoch-change proof from the genesis set checked.

Method: 4 validators, load (IPL_E2E_RATE tx/s). Stop validator V
(SIGTERM), delete DATA/safety only, start it: its log must say the safety
data is missing, and it catches up. Stop another validator W: the running
validators are the two untouched ones and V, so if V does not vote there
is no quorum (3 of 4) and commits must stop: wait until no height changed
for round_timeout_max, then watch a 2 x round_timeout_max window in which a
commit fails the test. Start W; measure the time until commits resume. The
agencies pass epoch_renewal; wait (measured) until every node reports epoch
2 and V's log says it is a validator of it. Stop W again: now commits must
continue (10 blocks, 100 load transactions), which needs V's votes. Start
W, close the load, final checks and the proof check (boundary LedgerInfo
on the chain; every node's GET /v1/epoch-proof through `ipledger verify
epoch-proof --genesis`, ending at epoch 2 with the genesis keys).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster as c  # noqa: E402
import reconfig_util as u  # noqa: E402


def test():
    with c.Cluster(validators=4, observers=0, name="epoch-renewal") as net:
        load = c.start_load(net, budget_s=900)
        try:
            nodes = net.running()
            vals = net.validators()
            v, w = vals[-1], vals[-2]
            genesis_keys = [k for _, k in u.genesis_validators(net)]
            net.wait_progress(nodes, 10, 120, "the four validators commit under load")

            # Lose V's safety data.
            u.stop_node(net, v)
            safety = Path(net.net.node(v)["data_dir"]) / "safety"
            if not safety.is_file():
                raise c.Failure(f"{safety} does not exist: where does the node keep its safety data?")
            safety.unlink()
            c.log(f"deleted {safety} (ledger and consensus store kept)")
            off = u.log_offset(net, v)
            u.start_node(net, v)
            line = u.wait_log(net, v, off, "safety data", 60, f"node {v} logs that its safety data is missing")
            c.log(f"node {v}: {line.strip()}")
            if "missing" not in line:
                raise c.Failure(f"node {v}'s safety-data line does not say it is missing: {line}")
            others = [i for i in nodes if i != v]
            net.wait_caught_up(v, others, 180, f"node {v} (no safety data) caught up")
            net.wait_progress(nodes, 5, 120, f"node {v} follows the commits")

            # It must not vote in this epoch: V + two others are no quorum.
            u.stop_node(net, w)
            rest = [i for i in nodes if i != w]
            stalled = u.wait_commits_stop(net, rest, f"validator {w} stopped, node {v} without safety data")
            c.log(f"no quorum without node {v}'s votes: commits stopped at height {stalled}")
            u.start_node(net, w)
            _, resumed = c.wait_until(lambda: net.max_height(nodes) > stalled, 180,
                                      f"commits resumed after validator {w} returned", describe=net.status_table,
                                      guard=net.check_alive)
            net.wait_caught_up(w, rest, 180, f"validator {w} caught up")

            # The joint meeting renews the epoch.
            off = u.log_offset(net, v)
            r = u.Gov(net).pass_proposal("epoch_renewal")
            sched = u.epoch_scheduled(r)
            if not sched or sched[0] != 2:
                raise c.Failure(f"epoch_renewal passed but scheduled {sched}, want epoch 2")
            c.log(f"epoch 2 scheduled after boundary height {sched[1]} (vote at height {r['height']})")
            u.wait_epoch(net, nodes, 2, 180, "every node in epoch 2 (renewed)")
            line = u.wait_log(net, v, off, "epoch 2 begins", 60, f"node {v} logs the start of epoch 2")
            c.log(f"node {v}: {line.strip()}")
            if "this node is a validator" not in line:
                raise c.Failure(f"node {v} is not a validator of epoch 2: {line}")

            # Now it votes: without W the quorum of three includes V.
            u.stop_node(net, w)
            net.wait_progress(rest, 10, 180, f"commits continue in epoch 2 with validator {w} stopped (needs node "
                              f"{v}'s votes)")
            load.wait_committed(load.committed + 100, 120, f"100 more load transactions committed without {w}")
            u.start_node(net, w)
            net.wait_caught_up(w, rest, 180, f"validator {w} caught up")
            net.wait_progress(nodes, 5, 120, "all four commit together again")

            load.close_intake()
            blocks = c.final_checks(net, load, deadline_s=300, nodes=nodes)
            found = u.check_epoch_proofs(net, blocks, [(2, genesis_keys)], nodes)
            u.verify_epoch_proofs_offline(net, nodes, 1, 2, genesis_keys)
            if [h for h, _, _ in found] != [sched[1]]:
                raise c.Failure(f"epoch boundary at {[h for h, _, _ in found]}, the receipt scheduled {sched[1]}")
            c.log(f"epoch renewal: commits stopped at {stalled} without node {v}'s votes, resumed {resumed:.2f} s "
                  f"after validator {w} returned; in epoch 2 node {v} votes again")
        finally:
            load.stop()
        load.report()


if __name__ == "__main__":
    sys.exit(c.run(test))
