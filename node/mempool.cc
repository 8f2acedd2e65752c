// The mempool: admission, one verification per transaction, batching and
// eviction. See mempool.h for the rules, invariants and locking.
#include "node/mempool.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <future>
#include <set>

#include "common/assert.h"
#include "common/hash.h"

namespace ipl::node {

namespace {

size_t verdict_index(TxVerdict v) {
  const auto i = static_cast<size_t>(v);
  IPL_ASSERT(i < kTxVerdictCount);
  return i;
}

SubmitResult answer(TxVerdict v, std::optional<Hash32> id, std::string message) {
  SubmitResult r;
  r.verdict = v;
  r.tx_id = id;
  r.message = std::move(message);
  return r;
}

// The verdict cache and the in-flight table are keyed by the id AND the
// signature: tx_id covers the body only, so a forged copy of someone's body
// must not poison the verdict of the genuine transaction.
Hash32 verify_key(const Hash32& id, const Signature& sig) { return sha256({ByteView(id), ByteView(sig.bytes)}); }

}  // namespace

std::string_view verdict_code(TxVerdict v) {
  switch (v) {
    case TxVerdict::kAccepted: return "ok";
    case TxVerdict::kCommitted: return "tx.committed";
    case TxVerdict::kTooLarge: return "tx.too_large";
    case TxVerdict::kMalformed: return "tx.malformed";
    case TxVerdict::kWrongChain: return "tx.wrong_chain";
    case TxVerdict::kExpired: return "tx.expired";
    case TxVerdict::kNonceTooLow: return "tx.nonce_too_low";
    case TxVerdict::kNonceTooFar: return "tx.nonce_too_far";
    case TxVerdict::kNonceTaken: return "tx.nonce_taken";
    case TxVerdict::kBadSignature: return "tx.bad_signature";
    case TxVerdict::kSenderFull: return "mempool.sender_full";
    case TxVerdict::kFull: return "mempool.full";
  }
  IPL_ASSERT(false && "unknown verdict");
  return "";
}

Status MempoolLimits::validate() const {
  auto check = [](std::string_view name, uint64_t value, uint64_t max) -> Status {
    if (value == 0) return Status::invalid(std::string(name) + " must be > 0");
    if (value > max) {
      return Status::limit(std::string(name) + " = " + std::to_string(value) + " exceeds the hard maximum " +
                           std::to_string(max));
    }
    return Status::ok();
  };
  IPL_RETURN_IF_ERROR(check("tx_bytes_max", tx_bytes_max, limits::tx_bytes_max));
  IPL_RETURN_IF_ERROR(check("txs_max", txs_max, limits::mempool_txs_max));
  IPL_RETURN_IF_ERROR(check("bytes_max", bytes_max, limits::mempool_bytes_max));
  IPL_RETURN_IF_ERROR(check("sender_txs_max", sender_txs_max, limits::mempool_sender_txs_max));
  IPL_RETURN_IF_ERROR(check("nonce_window", nonce_window, limits::mempool_nonce_window_max));
  IPL_RETURN_IF_ERROR(check("verify_queue_max", verify_queue_max, limits::mempool_verify_queue_max));
  IPL_RETURN_IF_ERROR(check("verdict_cache_max", verdict_cache_max, limits::mempool_verdict_cache_max));
  if (sender_txs_max > txs_max) return Status::invalid("sender_txs_max exceeds txs_max");
  return Status::ok();
}

double MempoolStats::verify_rate_per_core() const {
  if (verify_busy_ns_total == 0) return 0.0;
  return static_cast<double>(verified_total) * 1e9 / static_cast<double>(verify_busy_ns_total);
}

size_t Mempool::HashOfId::operator()(const Hash32& h) const {
  // Ids are SHA-256 outputs of untrusted bytes, uniformly distributed
  // unless someone finds preimages; 8 bytes suffice for a bucket index.
  size_t v = 0;
  std::memcpy(&v, h.data(), sizeof v);
  return v;
}

Mempool::Mempool(MempoolOptions options, const CommittedLookup& lookup, GossipHook gossip)
    : options_(std::move(options)), lookup_(lookup), gossip_(std::move(gossip)) {
  IPL_ASSERT(options_.limits.validate().is_ok());
  IPL_ASSERT(!options_.chain_id.empty());
  size_t threads = options_.verify_threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, limits::mempool_verify_threads_max);
  IPL_ASSERT(threads >= 1);
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

Mempool::~Mempool() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    is_stopping_ = true;
  }
  queue_cv_.notify_all();
  for (auto& t : workers_) t.join();
  IPL_ASSERT(queue_.empty() && client_queue_.empty());
}

void Mempool::worker_loop() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return is_stopping_ || !queue_.empty() || !client_queue_.empty(); });
      // Drain before stopping: every queued job has waiting callbacks.
      std::deque<Job>& q = client_queue_.empty() ? queue_ : client_queue_;
      if (q.empty()) return;
      job = std::move(q.front());
      q.pop_front();
    }
    verify_and_admit(job);
  }
}

void Mempool::verify_and_admit(const Job& job) {
  // A proposal's payload check (check_signatures) may have verified this
  // signature while the job waited: use that verdict.
  std::optional<bool> known;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto v = verdicts_.find(job.key); v != verdicts_.end()) known = v->second;
  }
  bool is_valid = false;
  if (known) {
    is_valid = *known;
  } else {
    const auto start = std::chrono::steady_clock::now();
    is_valid = job.tx.verify().is_ok();
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
    verified_total_.fetch_add(1, std::memory_order_relaxed);
    verify_busy_ns_total_.fetch_add(static_cast<uint64_t>(ns.count()), std::memory_order_relaxed);
  }

  std::vector<std::pair<Callback, SubmitResult>> calls;
  std::vector<std::pair<Hash32, Bytes>> gossip;
  {
    std::lock_guard<std::mutex> lock(mu_);
    remember_verdict_locked(job.key, is_valid);
    auto it = in_flight_.find(job.key);
    IPL_ASSERT(it != in_flight_.end());
    std::vector<Candidate> waiters = std::move(it->second);
    in_flight_.erase(it);
    IPL_ASSERT(!waiters.empty());
    for (Candidate& c : waiters) {
      SubmitResult r = admit_locked(c, is_valid, gossip);
      count_locked(r);
      calls.emplace_back(std::move(c.done), std::move(r));
    }
  }
  complete(calls, gossip);
}

void Mempool::complete(std::vector<std::pair<Callback, SubmitResult>>& calls,
                       std::vector<std::pair<Hash32, Bytes>>& gossip) const {
  // Gossip first: by the time a client hears "accepted", the broadcast has
  // been handed to the transport.
  if (gossip_) {
    for (auto& [id, bytes] : gossip) gossip_(id, bytes);
  }
  for (auto& [done, r] : calls) {
    if (done) done(r);
  }
}

void Mempool::submit_async(ByteView tx_bytes, Callback done, Origin origin) { admit(tx_bytes, std::move(done), origin, false); }

void Mempool::admit(ByteView tx_bytes, Callback done, Origin origin, bool verify_here) {
  IPL_ASSERT(done != nullptr);
  std::vector<std::pair<Callback, SubmitResult>> calls;
  std::vector<std::pair<Hash32, Bytes>> gossip;
  auto reply_now = [&](SubmitResult r) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      count_locked(r);
    }
    done(r);
  };
  // Size before decoding: never parse more than the bound.
  if (tx_bytes.size() > options_.limits.tx_bytes_max) {
    return reply_now(answer(TxVerdict::kTooLarge, std::nullopt,
                            std::to_string(tx_bytes.size()) + " bytes > " +
                                std::to_string(options_.limits.tx_bytes_max)));
  }
  auto tx = Transaction::decode(tx_bytes);
  if (!tx.is_ok()) return reply_now(answer(TxVerdict::kMalformed, std::nullopt, tx.status().message()));
  auto body = TxBody::decode(tx->body);
  if (!body.is_ok()) return reply_now(answer(TxVerdict::kMalformed, tx->id(), body.status().message()));

  Candidate c{std::move(tx).value(), std::move(body).value(), {}, to_bytes(tx_bytes), std::move(done)};
  c.id = c.tx.id();
  c.key = verify_key(c.id, c.tx.signature);
  bool needs_verify = false;
  std::optional<Job> inline_job;
  {
    std::lock_guard<std::mutex> lock(mu_);
    SubmitResult r;
    if (auto v = verdicts_.find(c.key); v != verdicts_.end()) {
      r = admit_locked(c, v->second, gossip);
    } else {
      r = check_locked(c);
      if (r.is_accepted()) {
        if (auto f = in_flight_.find(c.key); f != in_flight_.end()) {
          f->second.push_back(std::move(c));  // verified once, answered with the first
          return;
        }
        if (in_flight_.size() >= options_.limits.verify_queue_max) {
          r = answer(TxVerdict::kFull, c.id, "verification queue full");
        } else {
          needs_verify = true;
        }
      }
    }
    if (needs_verify) {
      const Hash32 key = c.key;
      Transaction copy = c.tx;
      in_flight_[key].push_back(std::move(c));
      if (verify_here) {
        inline_job = Job{key, std::move(copy)};
      } else {
        std::lock_guard<std::mutex> qlock(queue_mu_);  // order: mu_ then queue_mu_, never the reverse
        (origin == Origin::kClient ? client_queue_ : queue_).push_back(Job{key, std::move(copy)});
      }
    } else {
      count_locked(r);
      calls.emplace_back(std::move(c.done), std::move(r));
    }
  }
  if (needs_verify) {
    if (inline_job) {
      verify_and_admit(*inline_job);
    } else {
      queue_cv_.notify_one();
    }
    return;
  }
  complete(calls, gossip);
}

// The caller waits anyway: its own thread verifies (no hand-off to a worker
// and back). A copy submitted meanwhile waits for this verdict.
SubmitResult Mempool::submit(ByteView tx_bytes) {
  std::promise<SubmitResult> promise;
  std::future<SubmitResult> future = promise.get_future();
  admit(tx_bytes, [&promise](const SubmitResult& r) { promise.set_value(r); }, Origin::kClient, true);
  return future.get();
}

SubmitResult Mempool::admit_locked(Candidate& c, bool is_valid, std::vector<std::pair<Hash32, Bytes>>& gossip) {
  // A pending body answers "accepted" whatever signature this copy carries:
  // the same answer as the uncached path, which checks pending_ first.
  if (pending_.contains(c.id)) return answer(TxVerdict::kAccepted, c.id, "");
  if (!is_valid) return answer(TxVerdict::kBadSignature, c.id, "signature does not verify under IPL/tx/v1");
  SubmitResult r = check_locked(c);
  if (!r.is_accepted() || pending_.contains(c.id)) return r;
  r = insert_locked(c);
  IPL_ASSERT(r.is_new);
  gossip.emplace_back(c.id, c.bytes);
  return r;
}

SubmitResult Mempool::check_locked(Candidate& c) const {
  const MempoolLimits& lim = options_.limits;
  // Known: identical bytes answer the same, and never make a duplicate.
  if (pending_.contains(c.id)) return answer(TxVerdict::kAccepted, c.id, "");
  if (c.uncommitted_at != commits_seen_) {
    if (lookup_.is_committed(c.id)) return answer(TxVerdict::kCommitted, c.id, "already committed");
    c.uncommitted_at = commits_seen_;
  }
  if (c.body.chain_id != options_.chain_id) {
    return answer(TxVerdict::kWrongChain, c.id, "chain id '" + c.body.chain_id + "' is not this chain's");
  }
  const uint64_t height = lookup_.committed_height();
  // Executable at height h only while valid_until_height >= h, and the
  // earliest height it can reach is height + 1.
  if (c.body.valid_until_height <= height) {
    return answer(TxVerdict::kExpired, c.id,
                  "valid until height " + std::to_string(c.body.valid_until_height) + ", committed height " +
                      std::to_string(height));
  }
  const uint64_t next = lookup_.next_nonce(c.body.sender_key);
  if (c.body.nonce < next) {
    return answer(TxVerdict::kNonceTooLow, c.id,
                  "nonce " + std::to_string(c.body.nonce) + " < next nonce " + std::to_string(next));
  }
  if (c.body.nonce - next >= lim.nonce_window) {
    return answer(TxVerdict::kNonceTooFar, c.id,
                  "nonce " + std::to_string(c.body.nonce) + " beyond the window [" + std::to_string(next) + ", " +
                      std::to_string(next) + " + " + std::to_string(lim.nonce_window) + ")");
  }
  size_t sender_count = 0;
  if (auto s = by_sender_.find(c.body.sender_key); s != by_sender_.end()) {
    sender_count = s->second.size();
    if (auto n = s->second.find(c.body.nonce); n != s->second.end()) {
      IPL_ASSERT(n->second != c.id);  // same id was answered as pending above
      return answer(TxVerdict::kNonceTaken, c.id,
                    "another pending transaction " + to_hex(n->second) + " holds nonce " + std::to_string(c.body.nonce));
    }
  }
  if (sender_count >= lim.sender_txs_max) {
    return answer(TxVerdict::kSenderFull, c.id,
                  "sender holds " + std::to_string(sender_count) + " pending transactions (max " +
                      std::to_string(lim.sender_txs_max) + ")");
  }
  if (pending_.size() >= lim.txs_max || bytes_ + c.bytes.size() > lim.bytes_max) {
    return answer(TxVerdict::kFull, c.id, "mempool full");
  }
  return answer(TxVerdict::kAccepted, c.id, "");
}

SubmitResult Mempool::insert_locked(Candidate& c) {
  IPL_ASSERT(!pending_.contains(c.id));                      // M1
  auto& nonces = by_sender_[c.body.sender_key];
  IPL_ASSERT(!nonces.contains(c.body.nonce));                // M2
  const uint64_t arrival = next_arrival_++;
  nonces.emplace(c.body.nonce, c.id);
  by_arrival_.emplace(arrival, c.id);
  by_expiry_.emplace(std::make_pair(c.body.valid_until_height, arrival), c.id);
  bytes_ += c.bytes.size();
  pending_.emplace(c.id, Entry{c.tx, c.bytes.size(), c.body.sender_key, c.body.nonce, c.body.valid_until_height, arrival});
  ++counters_.accepted_total;
  IPL_ASSERT(pending_.size() <= options_.limits.txs_max);    // M3
  IPL_ASSERT(nonces.size() <= options_.limits.sender_txs_max);
  SubmitResult r = answer(TxVerdict::kAccepted, c.id, "");
  r.is_new = true;
  return r;
}

void Mempool::erase_locked(const Hash32& id) {
  auto it = pending_.find(id);
  IPL_ASSERT(it != pending_.end());
  const Entry& e = it->second;
  auto s = by_sender_.find(e.sender);
  IPL_ASSERT(s != by_sender_.end());
  s->second.erase(e.nonce);
  if (s->second.empty()) by_sender_.erase(s);
  const size_t arrivals_erased = by_arrival_.erase(e.arrival);
  IPL_ASSERT(arrivals_erased == 1);
  const size_t expiries_erased = by_expiry_.erase(std::make_pair(e.valid_until_height, e.arrival));
  IPL_ASSERT(expiries_erased == 1);
  IPL_ASSERT(bytes_ >= e.size);
  bytes_ -= e.size;
  pending_.erase(it);
}

void Mempool::evict_stale_locked(const PublicKey& sender) {
  auto s = by_sender_.find(sender);
  if (s == by_sender_.end()) return;
  const uint64_t next = lookup_.next_nonce(sender);
  std::vector<Hash32> stale;
  for (auto& [nonce, id] : s->second) {
    if (nonce >= next) break;
    stale.push_back(id);
  }
  for (const Hash32& id : stale) erase_locked(id);
  counters_.evicted_stale_total += stale.size();
}

void Mempool::remember_verdict_locked(const Hash32& key, bool is_valid) {
  if (!verdicts_.emplace(key, is_valid).second) return;
  verdict_order_.push_back(key);
  while (verdict_order_.size() > options_.limits.verdict_cache_max) {
    verdicts_.erase(verdict_order_.front());
    verdict_order_.pop_front();
  }
  IPL_ASSERT(verdicts_.size() == verdict_order_.size());
}

bool Mempool::check_signatures(std::span<const Transaction> txs) {
  std::vector<std::pair<const Transaction*, Hash32>> unknown;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Transaction& tx : txs) {
      const Hash32 key = verify_key(tx.id(), tx.signature);
      auto it = verdicts_.find(key);
      if (it == verdicts_.end()) {
        unknown.emplace_back(&tx, key);
      } else if (!it->second) {
        return false;
      }
    }
  }
  // Unknown signatures are checked here, split over two threads when there
  // are many: this runs on the consensus thread's critical path.
  auto verify_range = [this, &unknown](size_t from, size_t to) {
    bool all_valid = true;
    for (size_t i = from; i < to; ++i) {
      const auto start = std::chrono::steady_clock::now();
      const bool is_valid = unknown[i].first->verify().is_ok();
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
      verified_total_.fetch_add(1, std::memory_order_relaxed);
      verify_busy_ns_total_.fetch_add(static_cast<uint64_t>(ns.count()), std::memory_order_relaxed);
      {
        std::lock_guard<std::mutex> lock(mu_);
        remember_verdict_locked(unknown[i].second, is_valid);
      }
      if (!is_valid) {
        all_valid = false;
        break;
      }
    }
    return all_valid;
  };
  constexpr size_t kSplitAbove = 64;
  if (unknown.size() <= kSplitAbove) return verify_range(0, unknown.size());
  const size_t half = unknown.size() / 2;
  bool second_ok = true;
  std::thread helper([&] { second_ok = verify_range(half, unknown.size()); });
  const bool first_ok = verify_range(0, half);
  helper.join();
  return first_ok && second_ok;
}

void Mempool::count_locked(const SubmitResult& r) { ++counters_.answers_total[verdict_index(r.verdict)]; }

std::vector<Transaction> Mempool::next_batch(size_t max_txs, size_t max_bytes,
                                             const std::map<PublicKey, uint64_t>& ancestors) const {
  std::vector<Transaction> out;
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t height = lookup_.committed_height();
  std::map<PublicKey, uint64_t> expected;  // next nonce to emit per sender
  std::set<PublicKey> blocked;             // run ended (gap by expiry or size)
  size_t bytes = 0;
  // Walk in arrival order; a transaction is emitted when it is its sender's
  // expected nonce, followed by the next nonces of that sender that arrived
  // earlier (already walked past). Later arrivals are emitted when reached.
  for (const auto& [arrival, id] : by_arrival_) {
    if (out.size() >= max_txs) break;
    const Entry& e = pending_.at(id);
    auto ex = expected.find(e.sender);
    if (ex == expected.end()) {
      uint64_t start = lookup_.next_nonce(e.sender);
      if (auto a = ancestors.find(e.sender); a != ancestors.end()) start = std::max(start, a->second + 1);
      ex = expected.emplace(e.sender, start).first;
    }
    if (e.nonce != ex->second || blocked.contains(e.sender)) continue;
    const auto& nonces = by_sender_.at(e.sender);
    for (auto n = nonces.find(e.nonce); n != nonces.end() && n->first == ex->second; ++n) {
      const Entry& x = pending_.at(n->second);
      if (x.arrival > arrival) break;  // emitted when the walk reaches it
      if (x.valid_until_height <= height || bytes + x.size > max_bytes) {
        blocked.insert(e.sender);
        break;
      }
      if (out.size() >= max_txs) break;
      out.push_back(x.tx);
      bytes += x.size;
      ++ex->second;
    }
  }
  IPL_ASSERT(out.size() <= max_txs);
  IPL_ASSERT(bytes <= max_bytes);
  return out;
}

void Mempool::on_committed(std::span<const Transaction> block_txs) {
  std::vector<Hash32> ids;
  std::vector<std::pair<PublicKey, uint64_t>> senders;
  ids.reserve(block_txs.size());
  for (const Transaction& tx : block_txs) {
    ids.push_back(tx.id());
    // A committed block's transactions decoded when it was checked; a
    // failure here only means no stale eviction for that sender.
    if (auto body = TxBody::decode(tx.body); body.is_ok()) senders.emplace_back(body->sender_key, body->nonce);
  }
  on_committed(ids, senders);
}

void Mempool::on_committed(std::span<const Hash32> tx_ids, std::span<const std::pair<PublicKey, uint64_t>> senders) {
  std::lock_guard<std::mutex> lock(mu_);
  ++commits_seen_;
  for (const Hash32& id : tx_ids) {
    if (pending_.contains(id)) {
      erase_locked(id);
      ++counters_.evicted_committed_total;
    }
  }
  std::set<PublicKey> distinct;
  for (const auto& [sender, nonce] : senders) distinct.insert(sender);
  for (const PublicKey& s : distinct) evict_stale_locked(s);
  const uint64_t height = lookup_.committed_height();
  std::vector<Hash32> expired;
  for (auto x = by_expiry_.begin(); x != by_expiry_.end() && x->first.first <= height; ++x) expired.push_back(x->second);
  for (const Hash32& id : expired) erase_locked(id);
  counters_.evicted_stale_total += expired.size();
  IPL_ASSERT(by_arrival_.size() == pending_.size());
  IPL_ASSERT(by_expiry_.size() == pending_.size());
}

bool Mempool::contains(const Hash32& tx_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.contains(tx_id);
}

size_t Mempool::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.size();
}

MempoolStats Mempool::stats() const {
  MempoolStats s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s = counters_;
    s.size = pending_.size();
    s.bytes = bytes_;
    s.senders = by_sender_.size();
  }
  s.verified_total = verified_total_.load(std::memory_order_relaxed);
  s.verify_busy_ns_total = verify_busy_ns_total_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace ipl::node
