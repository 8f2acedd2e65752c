"""Helpers of the reconfiguration e2e tests (issue 5 "Must show",
reconfiguration item): governance transactions of the joint meeting,
epoch waits, graceful stops, log checks, and the check of the epoch-change
proofs a chain carries, from the genesis on.

  Gov(cluster)                signs governance transactions with the
      validator agencies' API keys (val1..valN, nonces tracked here),
      submits each to a running node until it has a receipt, and reads
      the receipt's events: propose(), vote(), pass_proposal().
  genesis_validators(cluster) [(member id, consensus key)] of epoch 1.
  wait_epoch(cluster, nodes, n, deadline_s)   every node reports epoch >= n.
  stop_node / start_node      SIGTERM (graceful) and start, keeping the
      harness's bookkeeping (which nodes it expects alive) right.
  wait_commits_stop(cluster, nodes)   no height change for
      round_timeout_max, then a watched 2 x round_timeout_max window in
      which any commit fails; returns the stalled height.
  check_epoch_proofs(cluster, blocks, expected, nodes)   walks a chain
      from height 1: epoch 1 is the genesis validator set; every boundary
      block carries ledger_info.next_epoch = (number + 1, the expected
      keys) and, on every node, an execution certificate with at least a
      quorum of the epoch that ends; every block's header epoch is the
      epoch in force; every QC a block carries has a quorum of its epoch.
      The blocks API gives certificate signer counts, not signatures:
  verify_epoch_proofs_offline(cluster, nodes, changes, epoch, keys)
      checks the signatures: GET /v1/epoch-proof of every node through
      `ipledger verify epoch-proof --genesis G` (the genesis file alone).

cluster.py belongs to the harness; this module only imports it.
"""
import http.client
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster as c  # noqa: E402

DAY_MS = 86_400_000


def quorum(n: int) -> int:
    return n * 2 // 3 + 1  # common/chain.h ValidatorSet::quorum


def pub(cluster: c.Cluster, key_name: str) -> str:
    return (Path(cluster.net.record["keys_dir"]) / f"{key_name}.key.pub").read_text().strip()


def genesis(cluster: c.Cluster) -> dict:
    return json.loads(Path(cluster.net.record["genesis"]).read_text())


def genesis_validators(cluster: c.Cluster) -> list:
    """[(member id, consensus key hex)] of epoch 1, in the genesis order."""
    g = genesis(cluster)
    by_id = {m["id"]: m for m in g["members"]}
    return [(i, by_id[i]["consensus_key"]) for i in g["validators"]]


def member_id(cluster: c.Cluster, api_key_name: str) -> int:
    """The genesis member id whose API key is keys/<api_key_name>.key."""
    k = pub(cluster, api_key_name)
    for m in genesis(cluster)["members"]:
        if k in m["api_keys"]:
            return m["id"]
    raise c.Failure(f"no genesis member holds the API key {api_key_name}")


def node_of_member(cluster: c.Cluster, mid: int) -> int:
    """The testnet node index run by genesis member `mid` (a validator)."""
    g = genesis(cluster)
    m = next(m for m in g["members"] if m["id"] == mid)
    for n in cluster.net.record["nodes"]:
        if n["keys"]["api"] and pub(cluster, n["keys"]["api"]) in m["api_keys"]:
            return n["index"]
    raise c.Failure(f"no node runs member {mid}")


# ---- events ------------------------------------------------------------------

def u64(data: bytes, at: int = 0) -> int:
    return int.from_bytes(data[at:at + 8], "big")


def _str(data: bytes, at: int):
    n = int.from_bytes(data[at:at + 4], "big")
    return data[at + 4:at + 4 + n].decode(errors="replace"), at + 4 + n


def events(receipt: dict, type_: str) -> list:
    return [bytes.fromhex(e["data"]) for e in receipt["receipt"].get("events", []) if e["type"] == type_]


def decided(receipt: dict):
    """(status, reason) of a proposal.decided event, or None."""
    ev = events(receipt, "proposal.decided")
    if not ev:
        return None
    status, at = _str(ev[0], 8)
    reason, _ = _str(ev[0], at)
    return status, reason


def epoch_scheduled(receipt: dict):
    """(epoch number, boundary height) of an epoch.scheduled event, or None."""
    ev = events(receipt, "epoch.scheduled")
    return (u64(ev[0]), u64(ev[0], 8)) if ev else None


# ---- governance ----------------------------------------------------------------

class Gov:
    """The joint meeting's transactions, signed with the validator
    agencies' API keys (governance members in the testnet genesis)."""

    def __init__(self, cluster: c.Cluster):
        self.cluster = cluster
        self.nonce = {}
        self.http = c.HttpPool(timeout_s=5.0)
        self.members = [f"val{i}" for i in range(1, cluster.net.record["validators"] + 1)]
        self.txs = []  # (what, receipt) of every governance transaction

    def sign(self, sender: str, type_: str, payload: dict):
        n = self.nonce.get(sender, 1)
        line = json.dumps({"sender": sender, "type": type_, "payload": payload})
        out = subprocess.run([c.testnet.binary(), "tx", "sign", "--keys", self.cluster.net.record["keys_dir"],
                              "--genesis", self.cluster.net.record["genesis"], "--nonce", str(n), "--with-id", line],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise c.Failure(f"ipledger tx sign {line}: {out.stderr.strip()}")
        tx_id, raw = out.stdout.split()
        self.nonce[sender] = n + 1
        return tx_id, bytes.fromhex(raw)

    def submit(self, sender: str, type_: str, payload: dict, what: str, deadline_s: float = 180.0,
               must_succeed: bool = True) -> dict:
        """Signs, submits to the running nodes (the identical bytes again
        every 3 s, to the next node, until a receipt exists) and returns
        GET /v1/transactions/{id} of the committed transaction."""
        tx_id, raw = self.sign(sender, type_, payload)
        state = {"sent_at": None, "k": 0, "answers": []}

        def committed():
            nodes = self.cluster.running()
            if not nodes:
                return None
            now = time.monotonic()
            if state["sent_at"] is None or now - state["sent_at"] > 3.0:
                node = nodes[state["k"] % len(nodes)]
                state["k"] += 1
                state["sent_at"] = now
                try:
                    st, body = self.http.request(self.cluster.url(node), "POST", "/v1/transactions", raw,
                                                 "application/octet-stream")
                    state["answers"].append(f"node {node}: {st}")
                    if st not in (200, 202, 409, 429, 503):
                        raise c.Failure(f"{what}: node {node} refused the transaction: {st} {body[:300]!r}")
                except (OSError, http.client.HTTPException) as e:  # a node stopping: try the next one
                    state["answers"].append(f"node {node}: {e!r}")
            for i in nodes:
                code, body = self.http.get_json(self.cluster.url(i), f"/v1/transactions/{tx_id}")
                if code == 200 and body and body.get("status") == "committed":
                    return body
            return None

        receipt, _ = c.wait_until(committed, deadline_s, f"{what} committed", poll_s=0.2,
                                  describe=lambda: f"answers {state['answers'][-5:]}\n{self.cluster.status_table()}",
                                  guard=self.cluster.check_alive)
        r = receipt["receipt"]
        c.log(f"{what}: tx {tx_id[:12]} at height {receipt['height']}: success={r['success']} "
              f"reason={r['reason']!r} events={[e['type'] for e in r.get('events', [])]}")
        if must_succeed and not r["success"]:
            raise c.Failure(f"{what}: receipt failed with {r['reason']!r}")
        self.txs.append((what, receipt))
        return receipt

    def propose(self, sender: str, kind: str, action=None) -> int:
        payload = {"kind": kind, "deadline_ms": int(time.time() * 1000) + DAY_MS}
        if action is not None:
            payload["action"] = action
        receipt = self.submit(sender, "gov.propose", payload, f"{sender} proposes {kind} {json.dumps(action)}")
        ev = events(receipt, "proposal.created")
        if not ev:
            raise c.Failure(f"proposal {kind}: no proposal.created event in {receipt}")
        return u64(ev[0])

    def vote(self, sender: str, proposal: int, approve: bool = True) -> dict:
        return self.submit(sender, "gov.vote", {"proposal_id": proposal, "approve": approve},
                           f"{sender} votes {'yes' if approve else 'no'} on proposal {proposal}")

    def pass_proposal(self, kind: str, action=None, proposer: str = None, voters=None) -> dict:
        """Proposes and votes yes until the proposal is decided; it must
        pass. Returns the receipt of the deciding vote."""
        proposer = proposer or self.members[0]
        voters = voters or self.members
        pid = self.propose(proposer, kind, action)
        for v in voters:
            receipt = self.vote(v, pid)
            d = decided(receipt)
            if d is None:
                continue
            if d[0] != "passed":
                raise c.Failure(f"proposal {pid} ({kind}) decided {d}, not passed")
            c.log(f"proposal {pid} ({kind}) passed at height {receipt['height']}")
            return receipt
        raise c.Failure(f"proposal {pid} ({kind}) not decided after the votes of {voters}")


# ---- nodes -------------------------------------------------------------------------

def stop_node(cluster: c.Cluster, i: int):
    """SIGTERM, as an operator stops a node (the harness's kill is SIGKILL)."""
    c.log(f"stop node {i} (SIGTERM)")
    cluster.expected.discard(i)
    cluster.paused.discard(i)
    how = cluster.net.stop(i)
    cluster._running_at = 0.0  # the load's cached list of running nodes
    if how != "stopped":
        raise c.Failure(f"node {i} did not stop on SIGTERM: {how}")


def start_node(cluster: c.Cluster, i: int):
    c.log(f"start node {i}")
    cluster.start(i)


def status_field(cluster: c.Cluster, i: int, field: str):
    st = cluster.status(i)
    return st.get(field) if st else None


def wait_epoch(cluster: c.Cluster, nodes, number: int, deadline_s: float, what: str = None):
    return c.wait_until(lambda: all((status_field(cluster, i, "epoch") or 0) >= number for i in nodes), deadline_s,
                        what or f"nodes {list(nodes)} report epoch {number}", describe=cluster.status_table,
                        guard=cluster.check_alive)


def wait_mode(cluster: c.Cluster, i: int, mode: str, deadline_s: float, what: str = None):
    return c.wait_until(lambda: status_field(cluster, i, "mode") == mode, deadline_s,
                        what or f"node {i} reports mode {mode}", describe=cluster.status_table,
                        guard=cluster.check_alive)


def log_offset(cluster: c.Cluster, i: int) -> int:
    try:
        return Path(cluster.net.node(i)["log"]).stat().st_size
    except OSError:
        return 0


def log_since(cluster: c.Cluster, i: int, offset: int) -> str:
    with open(cluster.net.node(i)["log"], "rb") as f:
        f.seek(offset)
        return f.read().decode(errors="replace")


def wait_log(cluster: c.Cluster, i: int, offset: int, needle: str, deadline_s: float, what: str):
    """Waits until node i's log, from `offset`, holds a line with `needle`;
    returns that line."""
    def found():
        for line in log_since(cluster, i, offset).splitlines():
            if needle in line:
                return line
        return None
    line, _ = c.wait_until(found, deadline_s, what, describe=lambda: cluster.net.log_tail(i, 20))
    return line


def wait_commits_stop(cluster: c.Cluster, nodes, why: str) -> int:
    """Commits stop among `nodes`: no height change for round_timeout_max,
    then no commit in a further 2 x round_timeout_max window. Returns the
    stalled height."""
    last = {"heights": None, "since": time.monotonic()}

    def quiet():
        hs = tuple(cluster.height(i) for i in nodes)
        if hs != last["heights"]:
            last["heights"], last["since"] = hs, time.monotonic()
        return time.monotonic() - last["since"] >= c.ROUND_TIMEOUT_MAX_S and hs

    heights, _ = c.wait_until(quiet, 120, f"commits stopped ({why}; no height change for "
                              f"{c.ROUND_TIMEOUT_MAX_S:.0f} s)", describe=cluster.status_table,
                              guard=cluster.check_alive)
    stalled = max(heights)
    t0 = time.monotonic()
    window = 2 * c.ROUND_TIMEOUT_MAX_S

    def watched():
        now = [cluster.height(i) for i in nodes]
        if max(now) > stalled:
            raise c.Failure(f"a block committed ({why}): heights {now} > {stalled}")
        return time.monotonic() - t0 >= window

    c.wait_until(watched, window + 60, f"no commit in a {window:.0f} s window at height {stalled} ({why})",
                 guard=cluster.check_alive)
    return stalled


# ---- epoch-change proofs -------------------------------------------------------------

def check_epoch_proofs(cluster: c.Cluster, blocks: list, expected: list, nodes) -> list:
    """`blocks`: a chain from height 1 (Cluster.check_chain). `expected`:
    [(epoch number, [consensus keys])] of the epochs after the genesis one,
    in order. Checks the chain of epoch changes from the genesis validator
    set (see the module comment) and returns [(boundary height, epoch
    number, [certificate signers per node])]."""
    gen = genesis(cluster)
    keys = [k for _, k in genesis_validators(cluster)]
    number = 1
    pending = list(expected)
    found = []
    problems = []
    if blocks[0]["ledger_info"]["chain_id"] != gen["chain_id"] or blocks[0]["height"] != 1:
        problems.append(f"height 1 is not this genesis's block: {blocks[0]['ledger_info']}")
    for b in blocks:
        h, li, hd = b["height"], b["ledger_info"], b["header"]
        if h > 1:
            if hd["epoch"] != number or li["epoch"] != number:
                problems.append(f"height {h}: header epoch {hd['epoch']}, LedgerInfo epoch {li['epoch']}, want "
                                f"{number}")
            qc = hd["parent_qc"]
            # A new epoch's first block extends the boundary under the
            # epoch's round-0 root QC, which nobody signs.
            if qc["round"] != 0 and qc["signers"] < quorum(len(keys)):
                problems.append(f"height {h}: parent QC with {qc['signers']} signers < quorum {quorum(len(keys))}")
            if b["certificate_signers"] is None or b["certificate_signers"] < quorum(len(keys)):
                problems.append(f"height {h}: execution certificate with {b['certificate_signers']} signers < "
                                f"quorum {quorum(len(keys))} of epoch {number}")
        nxt = li.get("next_epoch")
        if nxt is None:
            continue
        if not pending:
            problems.append(f"height {h}: unexpected epoch change to {nxt}")
            break
        want_number, want_keys = pending.pop(0)
        if nxt["number"] != number + 1 or nxt["number"] != want_number:
            problems.append(f"height {h}: next_epoch number {nxt['number']}, want {want_number} after {number}")
        if nxt["consensus_keys"] != want_keys:
            problems.append(f"height {h}: next_epoch keys {nxt['consensus_keys']}, want {want_keys}")
        # The proof of the change is the boundary's execution certificate by
        # the epoch that ends: every node must hold one with a quorum.
        signers = []
        for i in nodes:
            bb = None
            for _ in range(3):  # a reply lost to a busy node is asked again
                bb = cluster.block(i, h)
                if bb is not None:
                    break
            s = bb.get("certificate_signers") if bb else None
            signers.append(s)
            if bb is None or bb["ledger_info"] != li:
                problems.append(f"node {i}: boundary block {h} differs or is missing: {bb and bb['ledger_info']}")
            elif s is None or s < quorum(len(keys)):
                problems.append(f"node {i}: boundary {h} certificate has {s} signers < quorum {quorum(len(keys))} "
                                f"of epoch {number} ({len(keys)} validators)")
        found.append((h, nxt["number"], signers))
        c.log(f"epoch-change proof: height {h} ends epoch {number} ({len(keys)} validators), next epoch "
              f"{nxt['number']} with {len(nxt['consensus_keys'])} validators; certificate signers per node {signers} "
              f"(quorum {quorum(len(keys))})")
        number, keys = nxt["number"], nxt["consensus_keys"]
    if pending:
        problems.append(f"epoch changes missing from the chain: {[n for n, _ in pending]}")
    if problems:
        raise c.Failure("epoch-change proofs:\n  " + "\n  ".join(problems[:20]))
    c.log(f"epoch-change proofs: genesis set -> {' -> '.join(str(n) for _, n, _ in found)} checked over heights "
          f"1..{blocks[-1]['height']} on nodes {list(nodes)}")
    return found


def verify_epoch_proofs_offline(cluster: c.Cluster, nodes, changes: int, epoch: int, keys: list):
    """GET /v1/epoch-proof from every node and `ipledger verify
    epoch-proof --genesis G` on it (offline, from the genesis file alone):
    it must verify to `epoch` with exactly `keys`, through `changes`
    changes. A copy with one byte of its last change flipped must be
    refused (the verifier really checks)."""
    work = cluster.dir / "epoch-proofs"
    work.mkdir(exist_ok=True)
    gen = cluster.net.record["genesis"]
    want = " ".join(k[:16] for k in keys)

    def run(path: Path):
        return subprocess.run([c.testnet.binary(), "verify", "epoch-proof", "--genesis", gen, str(path)],
                              capture_output=True, text=True)

    for i in nodes:
        code, body = cluster.http.get_json(cluster.url(i), "/v1/epoch-proof")
        if code != 200 or not isinstance(body, dict) or "proof" not in body:
            raise c.Failure(f"node {i}: GET /v1/epoch-proof answered {code} {body}")
        if body.get("epoch") != epoch or body.get("changes") != changes:
            raise c.Failure(f"node {i}: /v1/epoch-proof leads to epoch {body.get('epoch')} through "
                            f"{body.get('changes')} changes, want epoch {epoch} through {changes}")
        path = work / f"node{i}.json"
        path.write_text(json.dumps(body))
        out = run(path)
        line = out.stdout.strip()
        if out.returncode != 0 or not line.startswith("OK:"):
            raise c.Failure(f"node {i}: ipledger verify epoch-proof exit {out.returncode}: {line} {out.stderr.strip()}")
        if f"lead to epoch {epoch} with {len(keys)} validators: {want}" not in line:
            raise c.Failure(f"node {i}: the verified proof ends elsewhere: {line}\n  want epoch {epoch}, keys {want}")
        c.log(f"node {i}: ipledger verify epoch-proof: {line}")
    raw = bytearray(bytes.fromhex(body["proof"]))
    raw[-1] ^= 0x01
    bad = work / "tampered.hex"
    bad.write_text(raw.hex() + "\n")
    out = run(bad)
    if out.returncode == 0:
        raise c.Failure(f"ipledger verify epoch-proof accepted a proof with a flipped byte: {out.stdout.strip()}")
    c.log(f"a flipped byte in the last change is refused: {out.stdout.strip() or out.stderr.strip()}")


def proposers(blocks: list, epoch: int) -> set:
    return {b["header"]["proposer"] for b in blocks if b["header"]["epoch"] == epoch and b["height"] > 1}
