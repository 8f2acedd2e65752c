#!/usr/bin/env python3
"""A validator's consensus-key rotation under load (issue 5 "Must show",
reconfiguration item).

Goal: the joint meeting rotates one validator's consensus key (governance
key_rotation, kind consensus); the rotation takes effect at the next epoch
boundary; the validator, restarted with the new key in its configuration,
votes again. Nobody else changes configuration: the other nodes still list
the validator's old consensus key as the hint for its peer, so messages to
the new key must find it anyway. Same chain everywhere, every load
transaction exactly once, and the epoch-change proof from the genesis set
names the new key.

Method: 4 validators, load (IPL_E2E_RATE tx/s). `ipledger keygen` makes a
new key for validator V (the last one); the agencies pass key_rotation
{member V, old key, new key}; wait (measured) until every node reports
epoch 2. V, still running with the old key, must report mode "observer"
(its old key votes no more) while the other three keep committing. Stop V,
point `keys.consensus` of its TOML at the new key, start it: it reports
mode "validator" with the new key and catches up. Then stop another
validator W (SIGTERM): with 4 validators the quorum is 3, so commits
continue only with V's votes; wait (measured) for 10 blocks and 100 load
transactions. Start W, close the load, final checks and the proof check
(boundary LedgerInfo on the chain; every node's GET /v1/epoch-proof
through `ipledger verify epoch-proof --genesis`, ending at epoch 2 with the
new key).
"""
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster as c  # noqa: E402
import reconfig_util as u  # noqa: E402


def set_consensus_key(net: c.Cluster, i: int, key_name: str):
    """Points node i's TOML keys.consensus at keys/<key_name>.key (what an
    operator edits) and updates the testnet record to match."""
    node = net.net.node(i)
    path = Path(node["config"])
    new_path = Path(net.net.record["keys_dir"]) / f"{key_name}.key"
    text, n = re.subn(r'(?m)^consensus = ".*"$', f'consensus = "{new_path}"', path.read_text())
    if n != 1:
        raise c.Failure(f"{path}: expected one keys.consensus line, found {n}")
    path.write_text(text)
    node["keys"]["consensus"] = key_name
    node["consensus_key"] = u.pub(net, key_name)
    net.net.save()
    c.log(f"node {i}: keys.consensus = {new_path}")


def test():
    with c.Cluster(validators=4, observers=0, name="key-rotation") as net:
        load = c.start_load(net, budget_s=600)
        try:
            vals = net.validators()
            v, w = vals[-1], vals[-2]
            old_name = net.net.node(v)["keys"]["consensus"]
            new_name = f"{old_name}.rotated"
            keys_dir = Path(net.net.record["keys_dir"])
            out = subprocess.run([c.testnet.binary(), "keygen", "--out", str(keys_dir / f"{new_name}.key")],
                                 capture_output=True, text=True)
            if out.returncode != 0:
                raise c.Failure(f"ipledger keygen: {out.stderr.strip()}")
            new_key = out.stdout.strip()
            if new_key != u.pub(net, new_name):
                raise c.Failure(f"keygen printed {new_key}, the .pub file holds {u.pub(net, new_name)}")
            genesis_set = u.genesis_validators(net)
            mid = u.member_id(net, net.net.node(v)["keys"]["api"])
            old_key = u.pub(net, old_name)
            if (mid, old_key) not in genesis_set:
                raise c.Failure(f"node {v} (member {mid}, key {old_key[:12]}) is not a genesis validator")
            want = [new_key if k == old_key else k for _, k in genesis_set]

            gov = u.Gov(net)
            r = gov.pass_proposal("key_rotation", {"member_id": mid, "kind": "consensus", "old_key": f"@{old_name}",
                                                   "new_key": f"@{new_name}"})
            sched = u.epoch_scheduled(r)
            if not sched or sched[0] != 2:
                raise c.Failure(f"key_rotation passed but scheduled {sched}, want epoch 2")
            if not u.events(r, "key.rotated"):
                raise c.Failure(f"key_rotation passed without a key.rotated event: {r}")
            c.log(f"epoch 2 scheduled after boundary height {sched[1]} (vote at height {r['height']})")
            nodes = net.running()
            u.wait_epoch(net, nodes, 2, 180, "every node in epoch 2 (rotated key)")
            u.wait_mode(net, v, "observer", 60, f"node {v} with its old key reports mode observer")
            others = [i for i in nodes if i != v]
            net.wait_progress(nodes, 5, 120, f"epoch 2 commits with validators {others} while node {v} has the old key")

            # The operator installs the new key and restarts the validator.
            u.stop_node(net, v)
            set_consensus_key(net, v, new_name)
            u.start_node(net, v)
            u.wait_mode(net, v, "validator", 120, f"node {v} with the new key reports mode validator")
            key = u.status_field(net, v, "consensus_key")
            if key != new_key:
                raise c.Failure(f"node {v} reports consensus key {key}, want the new {new_key}")
            net.wait_caught_up(v, others, 180, f"node {v} caught up with the new key")

            # Its votes count: without W, three validators are left and the
            # quorum of four is three.
            u.stop_node(net, w)
            rest = [i for i in nodes if i != w]
            net.wait_progress(rest, 10, 180, f"commits continue with validator {w} stopped (needs node {v}'s "
                              "votes under the new key)")
            load.wait_committed(load.committed + 100, 120, f"100 more load transactions committed without {w}")
            u.start_node(net, w)
            net.wait_caught_up(w, rest, 180, f"validator {w} caught up")
            net.wait_progress(nodes, 5, 120, "all four commit together again")

            load.close_intake()
            blocks = c.final_checks(net, load, deadline_s=300, nodes=nodes)
            found = u.check_epoch_proofs(net, blocks, [(2, want)], nodes)
            u.verify_epoch_proofs_offline(net, nodes, 1, 2, want)
            if [h for h, _, _ in found] != [sched[1]]:
                raise c.Failure(f"epoch boundary at {[h for h, _, _ in found]}, the receipt scheduled {sched[1]}")
        finally:
            load.stop()
        load.report()


if __name__ == "__main__":
    sys.exit(c.run(test))
