"""The e2e harness of issue 5: a real consortium of `ipledger node`
processes on 127.0.0.1, a load of pre-signed transactions, and the checks
every cluster test ends with.

  Cluster(validators, observers, bench_keys)  a testnet (scripts/testnet) in
      a temp dir: free ports picked once and kept across restarts, nodes
      killed with the test process (PR_SET_PDEATHSIG), the dir kept and
      named when the test fails (or IPL_E2E_KEEP=1).
  wait_until(condition, deadline_s, what)  polls until condition() is
      truthy; prints and returns the measured time; fails with `what` and
      the last observation at the deadline. No test sleeps and hopes.
  Load(cluster, total, rate)  signs `total` attestations from the bench
      bank keys in one `ipledger tx sign` batch before anything is timed,
      then submits them over HTTP (keep-alive, across the running nodes),
      follows the committed blocks, and resubmits the identical bytes of
      every transaction without a receipt (issue 5 "Durability").
  Cluster.check_chain()  every node holds the same block id and the same
      LedgerInfo at every height up to the lowest certified height, each
      height certified on every node; returns the blocks.
  Load.check_exactly_once(blocks)  every transaction is in exactly one
      block, with a successful receipt.

Environment: IPLEDGER_BIN (the binary), IPL_E2E_KEEP=1 (keep the dir),
IPL_E2E_DIR (parent of the temp dirs).
"""
import collections
import heapq
import itertools
import http.client
import importlib.machinery
import importlib.util
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load_testnet():
    loader = importlib.machinery.SourceFileLoader("ipl_testnet", str(ROOT / "scripts" / "testnet"))
    spec = importlib.util.spec_from_loader("ipl_testnet", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


testnet = _load_testnet()

ROUND_TIMEOUT_MAX_S = 8.0  # common/limits.h round_timeout_max_ms


class Failure(AssertionError):
    pass


def log(msg: str):
    print(f"[e2e {time.strftime('%H:%M:%S')}] {msg}", flush=True)


MEASURED = []  # (what, seconds): printed in the test's summary


def wait_until(condition, deadline_s: float, what: str, poll_s: float = 0.1, describe=None, guard=None):
    """Polls condition() until it returns a truthy value (returned with the
    measured seconds). At the deadline fails with `what` and describe().
    guard() runs before each poll and raises to stop early (a node died)."""
    t0 = time.monotonic()
    while True:
        if guard:
            guard()
        value = condition()
        took = time.monotonic() - t0
        if value:
            log(f"{what}: {took:.2f} s")
            MEASURED.append((what, took))
            return value, took
        if took > deadline_s:
            detail = describe() if describe else ""
            raise Failure(f"not within {deadline_s:.0f} s: {what}" + (f"\n{detail}" if detail else ""))
        time.sleep(poll_s)


class _NoDelayConnection(http.client.HTTPConnection):
    # http.client sends headers and body in two writes: without
    # TCP_NODELAY the body waits for a delayed ACK (~40 ms a request).
    def connect(self):
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class HttpPool:
    """One keep-alive connection per (thread, base URL)."""

    def __init__(self, timeout_s: float = 5.0):
        self.timeout_s = timeout_s
        self.local = threading.local()

    def request(self, base: str, method: str, path: str, body: bytes = None, content_type: str = None):
        """(status, body bytes); raises OSError/HTTPException when no answer."""
        conns = self.local.__dict__.setdefault("conns", {})
        headers = {"Content-Type": content_type} if content_type else {}
        while True:
            conn = conns.get(base)
            is_reused = conn is not None
            if conn is None:
                u = urllib.parse.urlsplit(base)
                conn = _NoDelayConnection(u.hostname, u.port, timeout=self.timeout_s)
                conns[base] = conn
            try:
                conn.request(method, path, body=body, headers=headers)
                r = conn.getresponse()
                return r.status, r.read()
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conns.pop(base, None)
                # A kept-alive connection the server closed while idle is
                # asked again once on a new one (submitting is idempotent).
                stale = isinstance(e, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError))
                if not (is_reused and stale):
                    raise

    def get_json(self, base: str, path: str):
        """(status, JSON) or (None, None) when the node does not answer."""
        try:
            status, body = self.request(base, "GET", path)
        except (OSError, http.client.HTTPException):
            return None, None
        try:
            return status, json.loads(body)
        except ValueError:
            return status, None


class Cluster:
    def __init__(self, validators: int = 4, observers: int = 1, bench_keys: int = 64, name: str = "cluster",
                 start: bool = True):
        parent = os.environ.get("IPL_E2E_DIR") or None
        self.dir = Path(tempfile.mkdtemp(prefix=f"ipl-e2e-{name}-", dir=parent))
        self.net = testnet.Testnet(self.dir / "net")
        self.http = HttpPool()
        self.failed = False
        self.paused = set()
        self.closed = False
        self._running = []
        self._running_at = 0.0
        self.expected = set()  # nodes the test started and has not killed or stopped
        self.outsiders = set()
        t0 = time.monotonic()
        try:
            self.net.create(validators, observers, bench_keys)
            log(f"{name}: {validators} validators, {observers} observer(s), {bench_keys} bench keys in {self.dir} "
                f"(created in {time.monotonic() - t0:.1f} s)")
            if start:
                for i in self.net.indexes():
                    self.start(i)
                wait_until(lambda: all(self.height(i) >= 2 for i in self.net.indexes()), 180,
                           "every node executed a block past genesis", describe=self.status_table,
                           guard=self.check_alive)
        except BaseException:
            # No `with` owns the cluster yet: stop what started, keep the dir.
            self.failed = True
            if self.net.record is not None:
                self.dump()
                self.close()
            else:
                log(f"cluster directory kept: {self.dir}")
            raise

    # ---- lifetime -------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.failed = True
            try:
                self.dump()
            except Exception as e:  # diagnostics must not hide the failure
                log(f"(dump failed: {e})")
        self.close()
        return False

    def close(self):
        if self.closed:
            return
        self.closed = True
        for i in list(self.paused):
            self.resume(i)
        stopped = self.net.down(deadline_s=20)
        killed = [i for i, how in stopped.items() if how != "stopped"]
        if killed:
            log(f"nodes {killed} ignored SIGTERM for 20 s and were killed")
        keep = self.failed or os.environ.get("IPL_E2E_KEEP") == "1"
        if keep:
            log(f"cluster directory kept: {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        if killed:
            raise Failure(f"nodes {killed} did not stop on SIGTERM within 20 s")

    def dump(self):
        print(self.status_table(), flush=True)
        for n in self.net.record["nodes"]:
            if n["started"]:
                print(f"---- node {n['index']} log (last 30 lines): {n['log']}", flush=True)
                print(self.net.log_tail(n["index"], 30), flush=True)

    # ---- nodes ------------------------------------------------------------

    def start(self, i: int, outsider: bool = False):
        """Starts node i. An outsider (e.g. a node of another genesis) gets
        no load and is left out of the chain checks."""
        assert threading.current_thread() is threading.main_thread()  # see Testnet.start
        if outsider:
            self.outsiders.add(i)
        self.net.start(i, die_with_parent=True)
        self.expected.add(i)
        self._running_at = 0.0

    def check_alive(self):
        """Fails at once when a node exited that the test did not stop."""
        for i in sorted(self.expected):
            if self.net.state(i) == "down":
                proc = self.net.procs.get(i)
                code = proc.poll() if proc is not None else None
                how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                self.expected.discard(i)
                raise Failure(f"node {i} exited unexpectedly ({how}); last log lines:\n{self.net.log_tail(i, 30)}")

    def kill(self, i: int):
        log(f"SIGKILL node {i}")
        self.expected.discard(i)
        self.paused.discard(i)
        self.net.kill(i)
        self._running_at = 0.0

    def restart(self, i: int):
        log(f"restart node {i}")
        self.expected.discard(i)
        if self.net.state(i) != "down":
            self.net.stop(i)
        self.start(i)

    def pause(self, i: int):
        log(f"SIGSTOP node {i}")
        self.paused.add(i)
        self._running_at = 0.0
        self.net.pause(i)

    def resume(self, i: int):
        log(f"SIGCONT node {i}")
        self.paused.discard(i)
        self.net.resume(i)
        self._running_at = 0.0

    def running(self) -> list:
        """Started nodes that run and are not paused (where load may go)."""
        return [i for i in self.net.indexes(("validator", "observer", "spare"))
                if i not in self.paused and i not in self.outsiders and self.net.state(i) == "running"]

    def running_cached(self) -> list:
        """running(), at most 0.1 s old (for the load threads)."""
        now = time.monotonic()
        if now - self._running_at > 0.1:
            self._running = self.running()
            self._running_at = now
        return self._running

    def validators(self) -> list:
        return self.net.indexes(("validator",))

    def url(self, i: int) -> str:
        return self.net.node(i)["http"]

    def status(self, i: int):
        code, body = self.http.get_json(self.url(i), "/v1/status")
        return body if code == 200 and isinstance(body, dict) else None

    def height(self, i: int) -> int:
        st = self.status(i)
        return st.get("height", 0) if st else 0

    def max_height(self, nodes=None) -> int:
        return max([self.height(i) for i in (nodes or self.running())] + [0])

    def leader(self, nodes=None):
        """The node index of the current leader, as most running nodes see
        it (None when unknown, not running, or not a testnet node)."""
        by_key = {n["consensus_key"]: n["index"] for n in self.net.record["nodes"] if n["consensus_key"]}
        votes = collections.Counter()
        running = self.running()
        for i in nodes or running:
            st = self.status(i)
            if st and by_key.get(st.get("leader")) in running:
                votes[by_key[st["leader"]]] += 1
        return votes.most_common(1)[0][0] if votes else None

    def status_table(self) -> str:
        return self.net.status_table()

    def block(self, i: int, h: int):
        code, body = self.http.get_json(self.url(i), f"/v1/blocks/{h}")
        return body if code == 200 else None

    def wait_progress(self, nodes, blocks: int, deadline_s: float, what: str):
        """Waits until every node in `nodes` is `blocks` past the highest
        height any of them had when called."""
        base = max(self.height(i) for i in nodes)
        target = base + blocks
        return wait_until(lambda: all(self.height(i) >= target for i in nodes), deadline_s,
                          f"{what} (height {base} -> {target} on nodes {nodes})", describe=self.status_table,
                          guard=self.check_alive)

    def wait_caught_up(self, i: int, others, deadline_s: float, what: str):
        target = max(self.height(j) for j in others)
        return wait_until(lambda: self.height(i) >= target, deadline_s,
                          f"{what} (node {i} to height {target})", describe=self.status_table,
                          guard=self.check_alive)

    def check_chain(self, nodes=None, min_height: int = 2, deadline_s: float = 120.0) -> list:
        """Waits until every node's certified height reaches min_height and
        all agree, then checks heights 1..(lowest certified height): same
        block id, same LedgerInfo, a certificate on every node above
        genesis (height 1, which the genesis file itself anchors). Returns
        the blocks of the first node."""
        nodes = nodes or self.running()

        def certified():
            hs = []
            for i in nodes:
                st = self.status(i)
                if not st:
                    return None
                if st.get("is_halted"):
                    raise Failure(f"node {i} halted: {st.get('halt_reason')}")
                hs.append(st.get("certified_height", 0))
            return min(hs) if min(hs) >= min_height else None

        upto, _ = wait_until(certified, deadline_s, f"nodes {nodes} certified height >= {min_height}",
                             describe=self.status_table, guard=self.check_alive)
        t0 = time.monotonic()
        chains = {}

        def fetch(i):
            out = []
            for h in range(1, upto + 1):
                b = None
                for _ in range(3):  # a reply lost to a busy node is asked again
                    b = self.block(i, h)
                    if b is not None:
                        break
                out.append(b)
            chains[i] = out

        threads = [threading.Thread(target=fetch, args=(i,)) for i in nodes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        first = nodes[0]
        problems = []
        uncertified = []  # (node, height): may still be on its way
        for h in range(1, upto + 1):
            ref = chains[first][h - 1]
            if ref is None:
                problems.append(f"node {first}: no block at height {h}")
                continue
            for i in nodes:
                b = chains[i][h - 1]
                if b is None:
                    problems.append(f"node {i}: no block at height {h}")
                elif b.get("block_id") != ref.get("block_id"):
                    problems.append(f"height {h}: node {i} block {b.get('block_id')} != node {first} "
                                    f"{ref.get('block_id')} (FORK)")
                elif b.get("ledger_info") != ref.get("ledger_info"):
                    problems.append(f"height {h}: node {i} LedgerInfo {b.get('ledger_info')} != node {first} "
                                    f"{ref.get('ledger_info')}")
                elif h > 1 and b.get("certificate_signers") is None:  # genesis: certified by the file
                    uncertified.append((i, h))
            if len(problems) > 20:
                break
        if problems:
            raise Failure("chains differ:\n  " + "\n  ".join(problems[:20]))
        if uncertified:
            # A certificate may arrive after the certified height passed
            # its block: ask again, with a deadline, before calling it lost.
            def filled():
                uncertified[:] = [(i, h) for i, h in uncertified
                                  if (self.block(i, h) or {}).get("certificate_signers") is None]
                return not uncertified
            first_missing = list(uncertified[:10])
            wait_until(filled, 30, f"late execution certificates fetched ({len(first_missing)}+ (node, height) "
                       f"pairs had none, e.g. {first_missing[:3]})", poll_s=0.5,
                       describe=lambda: "still without a certificate (node, height): " + str(uncertified[:20]),
                       guard=self.check_alive)
        took = time.monotonic() - t0
        txs = sum(b.get("tx_count", 0) for b in chains[first])
        log(f"chain check: nodes {nodes} agree on heights 1..{upto} ({txs} transactions): same block ids, same "
            f"LedgerInfo, certified on every node (read in {took:.1f} s)")
        return chains[first]


class Tx:
    __slots__ = ("id", "raw", "sender", "nonce", "state", "first_sent", "last_sent", "attempts", "height",
                 "committed_at", "success", "reason")

    def __init__(self, tx_id, raw, sender, nonce):
        self.id, self.raw, self.sender, self.nonce = tx_id, raw, sender, nonce
        self.state = "new"  # new -> accepted -> committed
        self.first_sent = self.last_sent = None
        self.attempts = 0
        self.height = None
        self.committed_at = None
        self.success = None
        self.reason = None


def sign_batch(cluster: Cluster, total: int, first_nonce: int = 1) -> list:
    """`total` bank-totals attestations, round-robin over the bench keys,
    signed by one `ipledger tx sign` batch. Nonces per key from first_nonce."""
    bench = cluster.net.record["bench_keys"]
    if not bench:
        raise Failure("the cluster has no bench keys")
    lines, meta = [], []
    per_key = collections.Counter()
    for k in range(total):
        sender = bench[k % len(bench)]
        n = per_key[sender]
        per_key[sender] += 1
        lines.append(json.dumps({"sender": sender, "type": "attest.bank_totals", "nonce": first_nonce + n,
                                 "payload": {"month": f"2024-{n % 12 + 1:02d}", "loans_fen": 1000 + n,
                                             "npl_fen": n % 100}}))
        meta.append((sender, first_nonce + n))
    t0 = time.monotonic()
    out = subprocess.run([testnet.binary(), "tx", "sign", "--keys", cluster.net.record["keys_dir"], "--genesis",
                          cluster.net.record["genesis"], "--with-id", "-"], input="\n".join(lines) + "\n",
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise Failure(f"ipledger tx sign: {out.stderr.strip()}")
    rows = out.stdout.split()
    if len(rows) != 2 * total:
        raise Failure(f"ipledger tx sign printed {len(rows) // 2} transactions for {total} lines")
    txs = [Tx(rows[2 * k], bytes.fromhex(rows[2 * k + 1]), *meta[k]) for k in range(total)]
    if len({t.id for t in txs}) != total:
        raise Failure("two signed transactions share an id")
    log(f"signed {total} transactions from {len(bench)} bank keys in {time.monotonic() - t0:.1f} s")
    return txs


class Load:
    """Submits pre-signed transactions and follows their commits.

    Submitters (threads) send new transactions at `rate` per second (None:
    as fast as the in-flight bound allows) to the running nodes in turn,
    and resend the identical bytes of any transaction that has no receipt
    `resend_s` after its last send (doubling up to 16 s), to another node.
    A follower reads every committed block in order from one running node
    and marks our transactions committed. Answers: 200/202 accepted;
    409 tx.nonce_too_low means the nonce is used (committed, which the
    follower will see); 429 and 503 are retried later; any other error is
    recorded and fails the test."""

    def __init__(self, cluster: Cluster, txs: list, rate=None, inflight_max: int = 4000, threads: int = 4,
                 resend_s: float = 4.0):
        self.cluster = cluster
        self.txs = txs
        self.by_id = {t.id: t for t in txs}
        self.rate = rate
        self.inflight_max = inflight_max
        self.resend_s = resend_s
        self.lock = threading.Lock()
        self.next_new = 0
        self.retry = []  # heap of (due, seq, tx)
        self.seq = itertools.count()
        self.committed = 0
        self.seen = collections.Counter()  # tx id -> times seen in followed blocks
        self.followed_height = 1
        self.errors = []
        self.answers = collections.Counter()
        self.stop_flag = threading.Event()
        self.new_paused = threading.Event()
        self.http = HttpPool(timeout_s=3.0)
        self.t_start = None
        self.threads = [threading.Thread(target=self._submitter, args=(k,), daemon=True) for k in range(threads)]
        self.threads.append(threading.Thread(target=self._follower, daemon=True))

    def start(self):
        self.t_start = time.monotonic()
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=30)

    # ---- submit -------------------------------------------------------------

    def _take(self):
        now = time.monotonic()
        with self.lock:
            if self.retry and self.retry[0][0] <= now:
                _, _, tx = heapq.heappop(self.retry)
                if tx.state != "committed":
                    return tx
                return None
            inflight = (self.next_new - self.committed)
            if self.new_paused.is_set() or self.next_new >= len(self.txs) or inflight >= self.inflight_max:
                return None
            if self.rate is not None and self.next_new >= self.rate * (now - self.t_start):
                return None
            tx = self.txs[self.next_new]
            self.next_new += 1
            return tx

    def _submitter(self, k: int):
        rr = k
        while not self.stop_flag.is_set():
            tx = self._take()
            if tx is None:
                time.sleep(0.005)
                continue
            nodes = self.cluster.running_cached()
            if not nodes:
                self._later(tx, 0.5)
                continue
            rr += 1
            node = nodes[(rr + tx.attempts) % len(nodes)]
            now = time.monotonic()
            if tx.first_sent is None:
                tx.first_sent = now
            tx.last_sent = now
            tx.attempts += 1
            try:
                status, body = self.http.request(self.cluster.url(node), "POST", "/v1/transactions", tx.raw,
                                                 "application/octet-stream")
            except (OSError, http.client.HTTPException):
                self.answers["no answer"] += 1
                self._later(tx, 0.2)
                continue
            code = ""
            try:
                code = json.loads(body).get("code", "") if status >= 400 else ""
            except ValueError:
                pass
            self.answers[f"{status} {code}".strip()] += 1
            if status in (200, 202) or (status == 409 and code == "tx.nonce_too_low"):
                with self.lock:
                    if tx.state == "new":
                        tx.state = "accepted"
            elif status in (429, 503) or code in ("tx.nonce_too_far", "tx.nonce_taken"):
                self._later(tx, 0.5)  # full, limited, or an earlier nonce is not there yet
            else:
                with self.lock:
                    self.errors.append(f"{tx.id}: node {node} answered {status} {body[:200]!r}")
                self._later(tx, 1.0)

    def _later(self, tx: Tx, delay_s: float):
        with self.lock:
            heapq.heappush(self.retry, (time.monotonic() + delay_s, next(self.seq), tx))

    # ---- follow -------------------------------------------------------------

    def _follower(self):
        http_ = HttpPool(timeout_s=3.0)
        source = None
        last_resend_scan = time.monotonic()
        while not self.stop_flag.is_set():
            nodes = self.cluster.running_cached()
            if source not in nodes:
                # Prefer an observer: no test kills it.
                observers = [i for i in nodes if self.cluster.net.node(i)["mode"] == "observer"]
                source = (observers or nodes or [None])[0]
            if source is None:
                time.sleep(0.1)
                continue
            code, st = http_.get_json(self.cluster.url(source), "/v1/status")
            if code != 200 or not st:
                source = None
                time.sleep(0.1)
                continue
            progressed = False
            while self.followed_height < st.get("height", 0) and not self.stop_flag.is_set():
                h = self.followed_height + 1
                code, b = http_.get_json(self.cluster.url(source), f"/v1/blocks/{h}")
                if code != 200 or not b:
                    break
                now = time.monotonic()
                with self.lock:
                    for t in b.get("txs", []):
                        tx = self.by_id.get(t["tx_id"])
                        if tx is None:
                            continue
                        self.seen[tx.id] += 1
                        if tx.state != "committed":
                            tx.state = "committed"
                            tx.height = h
                            tx.committed_at = now
                            tx.success = t.get("success")
                            tx.reason = t.get("reason")
                            self.committed += 1
                    self.followed_height = h
                progressed = True
            now = time.monotonic()
            if now - last_resend_scan > 1.0:
                last_resend_scan = now
                self._schedule_resends(now)
            if not progressed:
                time.sleep(0.05)

    def _schedule_resends(self, now: float):
        with self.lock:
            queued = {id(t) for _, _, t in self.retry}
            for tx in self.txs[:self.next_new]:
                if tx.state != "accepted" or id(tx) in queued or tx.last_sent is None:
                    continue
                backoff = min(self.resend_s * (2 ** max(0, tx.attempts - 1)), 16.0)
                if now - tx.last_sent > backoff:
                    heapq.heappush(self.retry, (now, next(self.seq), tx))

    # ---- results --------------------------------------------------------------

    def close_intake(self):
        """Stops sending new transactions; from now on the load is the
        transactions already sent (all must still commit)."""
        with self.lock:
            self.new_paused.set()
            self.txs = self.txs[:self.next_new]
            self.by_id = {t.id: t for t in self.txs}
        log(f"load: intake closed after {len(self.txs)} transactions")

    def pause_new(self):
        self.new_paused.set()

    def resume_new(self):
        self.new_paused.clear()

    def wait_submitted(self, count: int, deadline_s: float, what: str = None):
        return wait_until(lambda: self.next_new >= count, deadline_s, what or f"{count} transactions submitted",
                          describe=self.describe, guard=self.cluster.check_alive)

    def wait_committed(self, count: int, deadline_s: float, what: str = None):
        return wait_until(lambda: self.committed >= count, deadline_s, what or f"{count} transactions committed",
                          poll_s=0.2, describe=self.describe, guard=self.cluster.check_alive)

    def wait_all(self, deadline_s: float):
        return self.wait_committed(len(self.txs), deadline_s, f"all {len(self.txs)} transactions committed")

    def describe(self) -> str:
        with self.lock:
            states = collections.Counter(t.state for t in self.txs)
        return (f"submitted {self.next_new}/{len(self.txs)}, states {dict(states)}, followed height "
                f"{self.followed_height}, answers {dict(self.answers)}, errors {self.errors[:5]}\n"
                f"{self.cluster.status_table()}")

    def report(self) -> dict:
        lat = sorted(t.committed_at - t.first_sent for t in self.txs if t.committed_at and t.first_sent)
        pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
        last = max((t.committed_at for t in self.txs if t.committed_at), default=self.t_start)
        span = max(1e-9, last - self.t_start) if self.t_start else float("nan")
        resent = sum(1 for t in self.txs if t.attempts > 1)
        r = {"committed": self.committed, "total": len(self.txs), "tx_per_s": self.committed / span,
             "p50_s": pct(0.50), "p99_s": pct(0.99), "resent": resent, "answers": dict(self.answers)}
        log(f"load: {r['committed']}/{r['total']} committed in {span:.1f} s ({r['tx_per_s']:.0f} tx/s), "
            f"submit-to-commit p50 {r['p50_s']:.2f} s p99 {r['p99_s']:.2f} s, {resent} resent, answers "
            f"{r['answers']}")
        return r

    def check_exactly_once(self, blocks: list):
        """Every transaction of the load is in exactly one of `blocks` (a
        whole chain from height 1) with a successful receipt."""
        count = collections.Counter()
        receipts = {}
        for b in blocks:
            for t in b.get("txs", []):
                if t["tx_id"] in self.by_id:
                    count[t["tx_id"]] += 1
                    receipts[t["tx_id"]] = (t.get("success"), t.get("reason"))
        missing = [t.id for t in self.txs if count[t.id] == 0]
        twice = [i for i, c in count.items() if c > 1]
        failed = {i: r for i, r in receipts.items() if not r[0]}
        problems = []
        if missing:
            problems.append(f"{len(missing)} transactions not in the chain, e.g. {missing[:3]}")
        if twice:
            problems.append(f"{len(twice)} transactions committed more than once, e.g. {twice[:3]}")
        if failed:
            problems.append(f"{len(failed)} failed receipts, e.g. {list(failed.items())[:3]}")
        if self.errors:
            problems.append(f"{len(self.errors)} unexpected answers, e.g. {self.errors[:3]}")
        if problems:
            raise Failure("durability: " + "; ".join(problems))
        log(f"durability: all {len(self.txs)} transactions committed exactly once, every receipt a success")

    def check_receipts_served(self, nodes, sample: int = 20):
        """GET /v1/transactions/{id} on every node answers 200 with the
        height the chain holds the transaction at."""
        rng = random.Random(5)
        picks = rng.sample(self.txs, min(sample, len(self.txs)))
        for i in nodes:
            for tx in picks:
                code, body = self.cluster.http.get_json(self.cluster.url(i), f"/v1/transactions/{tx.id}")
                if code != 200 or not body or body.get("height") != tx.height or \
                        not body.get("receipt", {}).get("success"):
                    raise Failure(f"node {i}: GET /v1/transactions/{tx.id} answered {code} {body}, "
                                  f"want 200 at height {tx.height} with a successful receipt")
        log(f"receipts: {len(picks)} sampled transactions served with the right height by nodes {nodes}")


def start_load(cluster: Cluster, budget_s: float, rate=None) -> Load:
    """Background load for a fault test: `rate` tx/s (IPL_E2E_RATE, default
    200) for at most budget_s seconds of transactions, signed up front;
    returns once the first ones are committed."""
    rate = rate or env_int("IPL_E2E_RATE", 200)
    txs = sign_batch(cluster, int(rate * budget_s))
    load = Load(cluster, txs, rate=rate).start()
    load.wait_committed(min(len(txs), 2 * rate), 120, f"load at {rate} tx/s flowing")
    return load


def final_checks(cluster: Cluster, load: Load, deadline_s: float, nodes=None):
    """The end of every cluster test: all transactions committed, every
    node caught up and certified, the same chain everywhere, each
    transaction exactly once, receipts served."""
    load.wait_all(deadline_s)
    nodes = nodes or cluster.running()
    target = load.followed_height
    blocks = cluster.check_chain(nodes, min_height=target, deadline_s=deadline_s)
    load.check_exactly_once(blocks)
    load.check_receipts_served(nodes)
    return blocks


def env_int(name: str, default: int) -> int:
    v = os.environ.get(name)
    return int(v) if v else default


def run(test):
    """Runs test() and prints the measured times; exit code 0 or 1."""
    t0 = time.monotonic()
    try:
        test()
    except (Failure, testnet.TestnetError) as e:
        log(f"FAILED: {e}")
        return 1
    finally:
        if MEASURED:
            print("measured:", flush=True)
            for what, s in MEASURED:
                print(f"  {s:8.2f} s  {what}", flush=True)
    log(f"passed in {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit("cluster.py is a module for the e2e tests")
