#!/usr/bin/env python3
"""Reconfiguration 4 -> 5 -> 4 under load (issue 5 "Must show",
reconfiguration item; scope 5).

Goal: the joint meeting admits a fifth validator without stopping the
network: it runs as an observer, catches up, and votes from the next epoch;
a later vote removes it again. Commits continue throughout, every node ends
with the same blocks and LedgerInfo, every load transaction commits exactly
once with a successful receipt, and the chain carries the epoch-change
proofs from the genesis set: each boundary block's LedgerInfo names the
next epoch with the expected keys and is certified by a quorum of the
epoch that ends.

Method: 4 validators and the testnet's spare node (a validator-mode node
whose consensus key is in no validator set yet; every node lists it as a
peer) started as an observer; a background load of bank attestations
(IPL_E2E_RATE tx/s). The validator agencies vote (3 of the 4 governance
members): member_admit of the spare's agency (its API and consensus keys),
then validator_set = the genesis four + the new member. Wait (measured)
until every node reports epoch 2 and the spare reports mode "validator";
commits continue, a block the spare proposed commits, and with one
genesis validator stopped (SIGTERM) commits continue, which needs the
spare's votes (quorum of five is four); that validator returns. Then
validator_set = the genesis four: epoch 3, the spare reports "observer"
and keeps following. Close the load; final checks on all five nodes
(same chain, exactly once, receipts served) and the epoch-change proofs:
the boundary blocks' LedgerInfos on the chain, and every node's
GET /v1/epoch-proof verified offline from the genesis file by `ipledger
verify epoch-proof` (ending at epoch 3 with the genesis keys; a copy with a
flipped byte is refused).
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster as c  # noqa: E402
import reconfig_util as u  # noqa: E402


def wait_spare_proposes(net: c.Cluster, node: int, from_height: int, epoch: int, index: int, deadline_s: float):
    """Waits until a block of `epoch` proposed by validator `index` of that
    epoch is executed (read on `node`); returns its height."""
    state = {"next": from_height}

    def look():
        top = net.height(node)
        while state["next"] <= top:
            b = net.block(node, state["next"])
            if b is None:
                return None
            state["next"] += 1
            if b["header"]["epoch"] == epoch and b["header"]["proposer"] == index:
                return b["height"]
        return None

    h, _ = c.wait_until(look, deadline_s, f"a block proposed by the new validator (index {index} of epoch {epoch}) "
                        "committed", describe=net.status_table, guard=net.check_alive)
    return h


def test():
    with c.Cluster(validators=4, observers=0, name="reconfig") as net:
        load = c.start_load(net, budget_s=600)
        try:
            # The spare joins late, as an observer, and catches up first.
            net.wait_progress(net.validators(), 30, 120, "the four validators commit under load")
            spare = net.net.record["spare"]
            u.start_node(net, spare)
            u.wait_mode(net, spare, "observer", 60, "the spare node answers as an observer")
            net.wait_caught_up(spare, net.validators(), 180, "the spare node caught up as an observer")
            nodes = net.running()
            if spare not in nodes:
                raise c.Failure(f"the spare node {spare} is not running: {nodes}")
            gov = u.Gov(net)
            genesis_set = u.genesis_validators(net)
            ids = [m for m, _ in genesis_set]
            keys = [k for _, k in genesis_set]
            spare_key = u.pub(net, "spare.node")

            # 4 -> 5: admit the spare's agency, then make it a validator.
            r = gov.pass_proposal("member_admit", {"name": "Agency 5", "role": "IPA", "org": "AG5",
                                                   "governance": False, "api_keys": ["@spare"],
                                                   "consensus_key": "@spare.node"})
            admitted = u.events(r, "member.admitted")
            if not admitted:
                raise c.Failure(f"member_admit passed without a member.admitted event: {r}")
            new_id = u.u64(admitted[0])
            c.log(f"spare agency admitted as member {new_id}")
            t_vote = time.monotonic()
            r = gov.pass_proposal("validator_set", {"member_ids": ids + [new_id]})
            sched2 = u.epoch_scheduled(r)
            if not sched2 or sched2[0] != 2:
                raise c.Failure(f"validator_set passed but scheduled {sched2}, want epoch 2")
            c.log(f"epoch 2 scheduled after boundary height {sched2[1]} (vote at height {r['height']})")
            u.wait_epoch(net, nodes, 2, 180, "every node in epoch 2 (five validators)")
            u.wait_mode(net, spare, "validator", 60, "the spare reports mode validator")
            c.MEASURED.append(("passing vote -> epoch 2 on every node, spare a validator", time.monotonic() - t_vote))
            net.wait_progress(nodes, 10, 120, "commits continue in epoch 2")
            load.wait_committed(load.committed + 200, 120, "200 more load transactions committed in epoch 2")
            h = wait_spare_proposes(net, nodes[0], sched2[1] + 1, 2, len(ids), 120)
            c.log(f"the new validator's block at height {h} committed")
            # Its votes count: with one of the genesis validators stopped, the
            # other four (quorum of five = 4) include the new one.
            gone = net.validators()[-1]
            u.stop_node(net, gone)
            rest = [i for i in nodes if i != gone]
            net.wait_progress(rest, 10, 120, f"commits continue in epoch 2 with validator {gone} stopped "
                              "(needs the new validator's votes)")
            load.wait_committed(load.committed + 100, 120, f"100 more load transactions committed without {gone}")
            u.start_node(net, gone)
            net.wait_caught_up(gone, rest, 180, f"validator {gone} caught up")

            # 5 -> 4: vote it out again.
            t_vote = time.monotonic()
            r = gov.pass_proposal("validator_set", {"member_ids": ids})
            sched3 = u.epoch_scheduled(r)
            if not sched3 or sched3[0] != 3:
                raise c.Failure(f"validator_set passed but scheduled {sched3}, want epoch 3")
            c.log(f"epoch 3 scheduled after boundary height {sched3[1]} (vote at height {r['height']})")
            u.wait_epoch(net, nodes, 3, 180, "every node in epoch 3 (four validators)")
            u.wait_mode(net, spare, "observer", 60, "the removed validator reports mode observer")
            c.MEASURED.append(("passing vote -> epoch 3 on every node", time.monotonic() - t_vote))
            net.wait_progress(nodes, 10, 120, "commits continue in epoch 3, the removed node follows")
            load.wait_committed(load.committed + 200, 120, "200 more load transactions committed in epoch 3")

            load.close_intake()
            blocks = c.final_checks(net, load, deadline_s=300, nodes=nodes)
            found = u.check_epoch_proofs(net, blocks, [(2, keys + [spare_key]), (3, keys)], nodes)
            u.verify_epoch_proofs_offline(net, nodes, 2, 3, keys)
            boundaries = [h for h, _, _ in found]
            if boundaries != [sched2[1], sched3[1]]:
                raise c.Failure(f"epoch boundaries at {boundaries}, the governance receipts scheduled "
                                f"{[sched2[1], sched3[1]]}")
            if len(ids) not in u.proposers(blocks, 2):
                raise c.Failure("no block of epoch 2 proposed by the fifth validator in the checked chain")
        finally:
            load.stop()
        load.report()


if __name__ == "__main__":
    sys.exit(c.run(test))
