#!/usr/bin/env python3
"""A 4-validator consortium with one observer commits N transactions.

Goal (issue 5 "Must show", first item and durability): every transaction,
resubmitted until it has a receipt, is committed exactly once with a
successful receipt, and all five nodes end with the same blocks and the
same certified LedgerInfo at every height (signer sets may differ).

Method: scripts/testnet builds the consortium in a temp dir (free ports);
N bank-totals attestations from 64 bench bank keys are signed before the
timed phase and submitted over HTTP across all five nodes as fast as a
bound of in-flight transactions allows; blocks are followed on the
observer. Then every height 1..(lowest certified height) is read from all
five nodes and compared. Times are measured and printed, never asserted.

N: IPL_E2E_TXS (default 10,000, the issue's figure).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster as c  # noqa: E402


def test():
    total = c.env_int("IPL_E2E_TXS", 10000)
    with c.Cluster(validators=4, observers=1, bench_keys=64, name="basic") as net:
        txs = c.sign_batch(net, total)
        load = c.Load(net, txs).start()
        try:
            # Generous: 20 tx/s would still pass.
            c.final_checks(net, load, deadline_s=120 + total / 20)
        finally:
            load.stop()
        load.report()
        if len(net.running()) != 5:
            raise c.Failure(f"a node died during the run: running {net.running()}")


if __name__ == "__main__":
    sys.exit(c.run(test))
