// The mempool (DESIGN.md data flow steps 1-3, "Transactions and
// signatures"): admits client and gossiped transactions, verifies each
// signature once on a worker pool, and hands a leader contiguous nonce runs
// per sender for its proposal.
//
// Admission, in order (cheapest first; the first failing check answers):
//   size     encoded bytes <= tx_bytes_max                  tx.too_large
//   decode   Transaction and TxBody decode strictly          tx.malformed
//   known    pending already -> accepted again (idempotent, no duplicate);
//            committed -> tx.committed (a success answer for the client)
//   chain    body.chain_id == the node's chain id            tx.wrong_chain
//   expiry   valid_until_height > committed height           tx.expired
//   nonce    next <= nonce < next + nonce_window             tx.nonce_too_low
//                                                            tx.nonce_too_far
//            another pending transaction holds this nonce    tx.nonce_taken
//   bounds   sender holds < sender_txs_max                   mempool.sender_full
//            pool < txs_max and bytes_max, verify queue free mempool.full
//   verify   Ed25519 under IPL/tx/v1, once per (id, signature), cached
//                                                            tx.bad_signature
// The checks after "known" run again, under the lock, once the signature
// verdict is in, because the pool may have changed meanwhile.
//
// Nonces: next(sender) = CommittedLookup::next_nonce(sender), which the node
// computes as last executed nonce + 1 counting the transactions of committed
// blocks not yet executed (the executor keeps "sys/nonce/<hex>"). A leader
// also passes the highest nonce per sender in its uncommitted ancestors.
//
// Invariants (checked by assertions):
//   M1 every pending transaction's signature verified, its id unique;
//   M2 per sender, at most one pending transaction per nonce;
//   M3 size() <= txs_max, bytes() <= bytes_max, per sender <= sender_txs_max;
//   M4 next_batch returns, per sender, nonces start, start+1, ... without gap.
//
// Thread-safety: every public method may be called from any thread. One
// mutex (mu_) guards the pool, the verdict cache and the in-flight table;
// the worker pool has its own queue mutex, never taken while mu_ is held
// in the opposite order (workers take mu_ only after leaving the queue
// lock). Callbacks (submit completion, gossip) run on a worker thread or
// the caller's thread, outside every lock; they may call back into the
// mempool. CommittedLookup is called with mu_ held: it must not call the
// mempool.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/bytes.h"
#include "common/chain.h"
#include "common/limits.h"

namespace ipl::node {

// What the mempool asks of the committed chain. Implemented by the node over
// the ledger, the executor's nonce records and the committed-not-executed
// blocks. Must be thread-safe and must not call the mempool.
class CommittedLookup {
 public:
  virtual ~CommittedLookup() = default;
  // True when tx_id is in an executed block or a committed one not yet
  // executed.
  virtual bool is_committed(const Hash32& tx_id) const = 0;
  // Last executed nonce of sender + 1, counting committed-not-executed
  // blocks (1 for a sender that never sent).
  virtual uint64_t next_nonce(const PublicKey& sender) const = 0;
  // Highest committed height (expiry is judged against committed + 1).
  virtual uint64_t committed_height() const = 0;
};

// Runtime bounds; each may only be lowered below its limits.h maximum.
struct MempoolLimits {
  size_t tx_bytes_max = limits::tx_bytes_max;
  size_t txs_max = limits::mempool_txs_max;
  size_t bytes_max = limits::mempool_bytes_max;
  size_t sender_txs_max = limits::mempool_sender_txs_max;
  uint64_t nonce_window = limits::mempool_nonce_window_max;
  size_t verify_queue_max = limits::mempool_verify_queue_max;
  size_t verdict_cache_max = limits::mempool_verdict_cache_max;
  // Returns the first bound above its hard maximum or zero, else ok.
  Status validate() const;
};

struct MempoolOptions {
  std::string chain_id;
  MempoolLimits limits;
  size_t verify_threads = 0;  // 0 = std::thread::hardware_concurrency()
};

enum class TxVerdict : uint8_t {
  kAccepted,      // in the pool (now or already)
  kCommitted,     // already committed: nothing to do
  kTooLarge,
  kMalformed,
  kWrongChain,
  kExpired,
  kNonceTooLow,
  kNonceTooFar,
  kNonceTaken,
  kBadSignature,
  kSenderFull,
  kFull,
};
inline constexpr size_t kTxVerdictCount = 12;

// Stable code: "ok", "tx.committed", "tx.too_large", "tx.malformed",
// "tx.wrong_chain", "tx.expired", "tx.nonce_too_low", "tx.nonce_too_far",
// "tx.nonce_taken", "tx.bad_signature", "mempool.sender_full",
// "mempool.full".
std::string_view verdict_code(TxVerdict v);

struct SubmitResult {
  TxVerdict verdict = TxVerdict::kMalformed;
  std::optional<Hash32> tx_id;  // set whenever the transaction decoded
  bool is_new = false;          // true only for the submission that added it
  std::string message;          // human detail, empty when accepted
  bool is_accepted() const { return verdict == TxVerdict::kAccepted; }
};

struct MempoolStats {
  size_t size = 0;
  size_t bytes = 0;
  size_t senders = 0;
  uint64_t accepted_total = 0;        // newly added transactions
  uint64_t evicted_committed_total = 0;
  uint64_t evicted_stale_total = 0;   // lower nonces and expired ones
  uint64_t verified_total = 0;        // signature checks actually performed
  uint64_t verify_busy_ns_total = 0;  // worker time spent in them
  // Every answer given, by verdict (index = the enum value); the non-kAccepted
  // entries are the rejections by reason.
  uint64_t answers_total[kTxVerdictCount] = {};
  // Signature checks per second of one worker's busy time (0 before any).
  double verify_rate_per_core() const;
};

class Mempool {
 public:
  using Callback = std::function<void(const SubmitResult&)>;
  // Called once per newly accepted transaction with its canonical bytes
  // (the node broadcasts them through node/net).
  using GossipHook = std::function<void(const Hash32& tx_id, ByteView tx_bytes)>;

  // Requires options.limits.validate() ok and a non-empty chain id.
  // `lookup` must outlive the mempool.
  Mempool(MempoolOptions options, const CommittedLookup& lookup, GossipHook gossip = {});
  // Finishes the verifications already queued (their callbacks run), then
  // joins the workers.
  ~Mempool();
  Mempool(const Mempool&) = delete;
  Mempool& operator=(const Mempool&) = delete;

  // Who is waiting for a verdict: a client (an HTTP request holds a worker
  // thread until the answer) or a peer's gossip (nobody waits). Client
  // verifications run before every queued gossip one.
  enum class Origin : uint8_t { kClient, kPeer };
  // Admits untrusted bytes. `done` runs exactly once, on this thread when
  // no verification is needed, else on a worker thread.
  void submit_async(ByteView tx_bytes, Callback done, Origin origin = Origin::kClient);
  // Blocks until the verdict is in; verifies on the calling thread (an
  // HTTP worker waits anyway). Never call it from a mempool callback; use
  // submit_async there.
  SubmitResult submit(ByteView tx_bytes);

  // A proposal payload: at most max_txs transactions and max_bytes encoded
  // bytes; per sender only a contiguous run of nonces starting at
  // max(next_nonce, ancestors[sender] + 1); senders interleaved by arrival
  // order (deterministic for one pool state). `ancestors` holds, per sender,
  // the highest nonce in the leader's uncommitted ancestors. Transactions
  // stay pending until on_committed.
  std::vector<Transaction> next_batch(size_t max_txs, size_t max_bytes,
                                      const std::map<PublicKey, uint64_t>& ancestors = {}) const;

  // After the lookup reflects a newly committed block: evicts its
  // transactions, every pending one whose nonce fell below its sender's
  // next nonce, and every one that expired.
  void on_committed(std::span<const Transaction> block_txs);
  // The same, from the block's transaction ids and (sender, nonce) pairs
  // already computed by the caller.
  void on_committed(std::span<const Hash32> tx_ids, std::span<const std::pair<PublicKey, uint64_t>> senders);

  // Whether every transaction's signature is valid, answered from the
  // verdict cache where possible and verified on the caller's thread
  // otherwise (verdicts remembered). For a proposal's payload check before
  // voting (DESIGN.md data flow step 3).
  bool check_signatures(std::span<const Transaction> txs);

  bool contains(const Hash32& tx_id) const;
  size_t size() const;
  MempoolStats stats() const;

 private:
  struct Entry {
    Transaction tx;
    size_t size = 0;  // canonical encoded bytes (== the submitted bytes)
    PublicKey sender;
    uint64_t nonce = 0;
    uint64_t valid_until_height = 0;
    uint64_t arrival = 0;  // arrival sequence number
  };
  struct Candidate {  // a decoded submission awaiting its verdict
    Transaction tx;
    TxBody body;
    Hash32 id{};
    Bytes bytes;
    Callback done;
    Hash32 key{};  // SHA-256(id ‖ signature): the verification identity
    // commits_seen_ when check_locked last found it uncommitted; while no
    // block commits, that answer stands and the recheck after the
    // verification skips the store look-up (is_committed flips to true only
    // before the on_committed of the block that holds it).
    uint64_t uncommitted_at = kNever;
    static constexpr uint64_t kNever = ~uint64_t{0};
  };
  struct HashOfId {
    size_t operator()(const Hash32& h) const;
  };
  struct Job {
    Hash32 key{};  // Candidate::key
    Transaction tx;
  };

  // Checks that need the pool state (chain, expiry, nonce, bounds); does not
  // check the signature. Returns kAccepted when the candidate may enter.
  // Records in c when it found c uncommitted.
  SubmitResult check_locked(Candidate& c) const;
  // Inserts a verified candidate (after check_locked); returns the result.
  SubmitResult insert_locked(Candidate& c);
  void erase_locked(const Hash32& id);
  void evict_stale_locked(const PublicKey& sender);
  void remember_verdict_locked(const Hash32& key, bool is_valid);
  void count_locked(const SubmitResult& r);
  // Runs when no verification is needed or the verdict is in; returns the
  // answer and appends gossip for a new entry.
  SubmitResult admit_locked(Candidate& c, bool is_valid, std::vector<std::pair<Hash32, Bytes>>& gossip);
  void finish(Candidate c, bool is_valid);
  void complete(std::vector<std::pair<Callback, SubmitResult>>& calls,
                std::vector<std::pair<Hash32, Bytes>>& gossip) const;
  void worker_loop();
  // Verifies a queued or inline job and answers every submission waiting
  // on its key.
  void verify_and_admit(const Job& job);
  // submit_async's body; verify_here runs the verification on the calling
  // thread instead of the worker pool (the blocking submit()).
  void admit(ByteView tx_bytes, Callback done, Origin origin, bool verify_here);

  const MempoolOptions options_;
  const CommittedLookup& lookup_;
  const GossipHook gossip_;

  mutable std::mutex mu_;
  std::unordered_map<Hash32, Entry, HashOfId> pending_;          // by tx id
  std::map<PublicKey, std::map<uint64_t, Hash32>> by_sender_;     // nonce -> id
  std::map<uint64_t, Hash32> by_arrival_;                         // arrival -> id
  // (valid_until, arrival) -> id: unique keys, so an eviction finds its
  // entry directly even when thousands share one expiry height.
  std::map<std::pair<uint64_t, uint64_t>, Hash32> by_expiry_;
  size_t bytes_ = 0;
  uint64_t next_arrival_ = 0;
  uint64_t commits_seen_ = 0;  // on_committed calls so far
  // Signature verdicts and in-flight verifications by Candidate::key (id and
  // signature: a forged copy of a body never poisons the genuine one).
  std::unordered_map<Hash32, bool, HashOfId> verdicts_;
  std::deque<Hash32> verdict_order_;                     // FIFO eviction
  // Submissions waiting for the verification of their id (the first one
  // queued the job; copies wait here instead of verifying again).
  std::unordered_map<Hash32, std::vector<Candidate>, HashOfId> in_flight_;
  MempoolStats counters_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Job> queue_;         // gossip verifications
  std::deque<Job> client_queue_;  // client verifications, served first
  bool is_stopping_ = false;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> verified_total_{0};
  std::atomic<uint64_t> verify_busy_ns_total_{0};
};

}  // namespace ipl::node
