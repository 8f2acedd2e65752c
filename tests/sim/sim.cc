#include "tests/sim/sim.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <tuple>

#include "common/clock.h"
#include "common/encoding.h"

namespace ipl::sim {

using namespace ipl::consensus;

namespace {

constexpr uint64_t kBaseMs = 1'700'000'000'000;  // simulated wall clock at t = 0
constexpr const char* kChainId = "ipl-sim";
constexpr uint64_t kLivenessLimitMs = 300'000;   // after GST, give up (a violation)

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

struct ExecState {
  Height height;
  Hash32 state_root{};
  uint64_t history_size = 0;
  Epoch epoch{1};
  std::optional<std::pair<Height, Epoch>> pending;  // boundary, next epoch
};

struct Durable {
  std::optional<SafetyData> safety;
  Block root;
  QuorumCert root_qc;
  LedgerInfo executed;
  EpochState epoch;
  std::optional<Height> boundary;
  ExecState exec;
  Hash32 last_id{};
  uint64_t last_height = 0;
  uint64_t last_ts = 0;
  std::map<Hash32, Block> ledger;  // committed blocks (the node's block store)
  std::map<Hash32, Block> voted;   // blocks stored with PersistSafety
  std::optional<QuorumCert> high_qc;
  std::optional<TimeoutCert> high_tc;
  std::vector<ExecutionCertificate> epoch_proofs;
};

enum class Kind : uint8_t { kDeliver, kTimer, kExecuted, kPayload, kCrash, kRestart, kPartition };

struct Event {
  uint64_t t = 0;
  uint64_t seq = 0;
  Kind kind = Kind::kDeliver;
  size_t node = 0;
  uint64_t inc = 0;
  size_t from_node = 0;
  std::shared_ptr<const Message> msg;
  Epoch epoch;
  Round round;
  LedgerInfo li;
  std::optional<Height> boundary;
  bool operator>(const Event& o) const { return std::tie(t, seq) > std::tie(o.t, o.seq); }
};

struct Node {
  size_t key_index = 0;
  PublicKey key;
  std::unique_ptr<Replica> replica;
  std::unique_ptr<Signer> byz_signer;
  bool up = true;
  bool silent = false;
  uint64_t inc = 0;
  Durable durable;
  int64_t skew = 0;
  Byz byz = Byz::kNone;
  uint64_t commits_after_gst = 0;
  uint64_t tx_counter = 0;
  int group = 0;
};

class Sim {
 public:
  explicit Sim(const Options& o) : o_(o), rng_(o.seed), debug_(std::getenv("IPL_SIM_TRACE") != nullptr) {}
  Outcome run();

 private:
  uint64_t now_ms(size_t i) const { return static_cast<uint64_t>(static_cast<int64_t>(kBaseMs + now_) + nodes_[i].skew); }
  void push(Event e) {
    e.seq = seq_++;
    queue_.push(std::move(e));
  }
  bool chance(double p) { return p > 0 && static_cast<double>(rng_.uniform(1'000'000)) < p * 1'000'000.0; }
  uint64_t between(uint64_t lo, uint64_t hi) { return lo + rng_.uniform(hi - lo + 1); }
  void violation(std::string s) {
    if (out_.violations.size() < 20) out_.violations.push_back("t=" + std::to_string(now_) + "ms " + std::move(s));
  }
  bool honest_key(size_t key_index) const { return byz_keys_.count(key_index) == 0; }
  bool counts_for_liveness(size_t i) const {
    return honest_key(nodes_[i].key_index) && !nodes_[i].silent && std::llabs(nodes_[i].skew) <= static_cast<int64_t>(limits::clock_drift_max_ms);
  }
  ValidatorSet set_for_epoch(uint64_t e) const;
  void setup();
  Bootstrap bootstrap(size_t i) const;
  void start_node(size_t i);
  void crash(size_t i);
  void apply(size_t i, Effects effects);
  void serve_from_ledger(size_t i, size_t from, const FetchRequest& req, Effects& fx);
  void send(size_t from, size_t to, std::shared_ptr<const Message> m);
  void emit(size_t from, const std::vector<size_t>& targets, const Message& m);
  void observe_outgoing(size_t from, const Message& m, size_t recipients);
  void on_commit(size_t i, const Commit& c);
  std::vector<Transaction> payload(size_t i);
  void schedule_faults();
  void trace(uint8_t tag, size_t node, ByteView data);

  Options o_;
  SeededRng rng_;
  bool debug_ = false;
  uint64_t now_ = 0;
  uint64_t seq_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue_;
  std::vector<Node> nodes_;
  std::vector<PublicKey> keys_;
  std::set<size_t> byz_keys_;
  FakeKeyRing ring_;
  Ed25519Verifier ed_;
  std::vector<KeyPair> ed_keys_;
  Block genesis_;
  LedgerInfo genesis_li_;
  Outcome out_;
  Sha256 trace_;
  // Checks.
  std::map<std::pair<uint64_t, uint64_t>, Hash32> committed_by_round_;
  std::map<uint64_t, Hash32> committed_by_height_;
  std::map<uint64_t, Hash32> certified_by_height_;
  std::map<std::tuple<uint64_t, uint32_t, uint64_t>, Hash32> honest_votes_;
  std::map<Hash32, std::pair<uint64_t, uint64_t>> seen_blocks_;  // id -> (timestamp, first seen at)
  uint64_t max_height_ = 1;
  uint64_t epoch2_start_height_ = 0;
  std::optional<uint64_t> first_commit_after_gst_;
};

ValidatorSet Sim::set_for_epoch(uint64_t e) const {
  ValidatorSet vs;
  vs.epoch = Epoch(e);
  std::vector<size_t> members;
  if (!o_.reconfig || e == 1) {
    for (size_t i = 0; i < o_.n; ++i) members.push_back(i);
  } else if (e == 2) {
    members = {0, 1, 2, 3, 4};
  } else {
    members = {0, 1, 2, 4};
  }
  for (size_t m : members) vs.consensus_keys.push_back(keys_[m]);
  return vs;
}

void Sim::trace(uint8_t tag, size_t node, ByteView data) {
  Encoder e(24);
  e.u8(tag).u64(now_).u64(node);
  trace_.update(e.out()).update(data);
}

void Sim::setup() {
  const size_t key_count = o_.n + o_.observers;
  for (size_t i = 0; i < key_count; ++i) {
    const std::string label = "sim-validator-" + std::to_string(i);
    if (o_.real_crypto) {
      ed_keys_.push_back(KeyPair::for_test(label));
      keys_.push_back(ed_keys_.back().public_key);
    } else {
      keys_.push_back(ring_.add(label));
    }
  }
  const Verifier& v = o_.real_crypto ? static_cast<const Verifier&>(ed_) : ring_;
  (void)v;
  // Byzantine keys; f bound per epoch unless the planted bug allows more.
  size_t twins = 0;
  for (const auto& [idx, kind] : o_.byzantine) {
    IPL_ASSERT(idx < key_count);
    byz_keys_.insert(idx);
    twins += kind == Byz::kTwin ? 1 : 0;
  }
  size_t skew_faulty = 0;
  for (size_t i = 0; i < o_.skew_ms.size(); ++i) {
    if (std::llabs(o_.skew_ms[i]) > static_cast<int64_t>(limits::clock_drift_max_ms) && honest_key(i)) ++skew_faulty;
  }
  const size_t f = (o_.n - 1) / 3;
  if (!o_.allow_excess_byzantine) IPL_ASSERT(byz_keys_.size() + skew_faulty <= f);
  // Genesis.
  genesis_.header.chain_id = kChainId;
  genesis_.header.epoch = Epoch(1);
  genesis_.header.round = Round(0);
  genesis_.header.height = Height(1);
  genesis_.header.timestamp_ms = kBaseMs - 1'000;
  genesis_.header.payload_hash = Block::payload_hash({});
  genesis_li_.chain_id = kChainId;
  genesis_li_.epoch = Epoch(1);
  genesis_li_.height = Height(1);
  genesis_li_.block_id = genesis_.header.id();
  genesis_li_.timestamp_ms = genesis_.header.timestamp_ms;
  QuorumCert gqc;
  gqc.data = VoteData{kChainId, Epoch(1), Round(0), genesis_li_.block_id};
  // Nodes: one per key, plus a second instance for every twin.
  std::vector<size_t> node_keys;
  for (size_t i = 0; i < key_count; ++i) node_keys.push_back(i);
  for (const auto& [idx, kind] : o_.byzantine) {
    if (kind == Byz::kTwin) node_keys.push_back(idx);
  }
  nodes_.resize(node_keys.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& nd = nodes_[i];
    nd.key_index = node_keys[i];
    nd.key = keys_[nd.key_index];
    nd.skew = i < o_.skew_ms.size() ? o_.skew_ms[i] : 0;
    for (const auto& [idx, kind] : o_.byzantine) {
      if (idx == nd.key_index) nd.byz = kind;
    }
    nd.silent = nd.byz == Byz::kSilent;
    nd.byz_signer = o_.real_crypto ? std::unique_ptr<Signer>(new Ed25519Signer(ed_keys_[nd.key_index]))
                                   : ring_.signer(nd.key);
    Durable& d = nd.durable;
    d.safety = SafetyData{Epoch(1), Round(0), Round(0)};
    d.root = genesis_;
    d.root_qc = gqc;
    d.executed = genesis_li_;
    d.epoch = EpochState{Epoch(1), set_for_epoch(1)};
    d.exec.height = Height(1);
    d.last_id = genesis_li_.block_id;
    d.last_height = 1;
    d.last_ts = genesis_.header.timestamp_ms;
  }
}

Bootstrap Sim::bootstrap(size_t i) const {
  const Durable& d = nodes_[i].durable;
  Bootstrap b;
  b.epoch = d.epoch;
  b.root = d.root;
  b.root_qc = d.root_qc;
  b.executed = d.executed;
  b.boundary = d.boundary;
  b.safety = d.safety;
  for (const auto& [id, blk] : d.voted) b.blocks.push_back(blk);
  b.high_qc = d.high_qc;
  b.high_tc = d.high_tc;
  b.epoch_proofs = d.epoch_proofs;
  return b;
}

void Sim::start_node(size_t i) {
  Node& nd = nodes_[i];
  Config cfg;
  cfg.chain_id = kChainId;
  cfg.round_timeout_base_ms = o_.timeout_base_ms;
  cfg.bugs = o_.bugs;
  cfg.leaders_for_test = o_.leaders_for_test;
  std::unique_ptr<Signer> signer = o_.real_crypto ? std::unique_ptr<Signer>(new Ed25519Signer(ed_keys_[nd.key_index]))
                                                  : ring_.signer(nd.key);
  const Verifier& v = o_.real_crypto ? static_cast<const Verifier&>(ed_) : ring_;
  if (debug_) {
    const Block& r = nd.durable.root;
    std::fprintf(stderr, "%6llu start node %zu epoch=%llu root e=%llu r=%llu h=%llu id=%s\n", (unsigned long long)now_, i,
                 (unsigned long long)nd.durable.epoch.number.value(), (unsigned long long)r.header.epoch.value(),
                 (unsigned long long)r.header.round.value(), (unsigned long long)r.header.height.value(),
                 to_hex(r.header.id()).substr(0, 8).c_str());
  }
  nd.replica = std::make_unique<Replica>(cfg, bootstrap(i), std::move(signer), v);
  nd.up = true;
  ++nd.inc;
  apply(i, nd.replica->start(now_ms(i)));
}

void Sim::crash(size_t i) {
  Node& nd = nodes_[i];
  if (!nd.up) return;
  nd.up = false;
  if (debug_) std::fprintf(stderr, "%6llu crash node %zu\n", (unsigned long long)now_, i);
  nd.replica.reset();
  ++nd.inc;  // everything in flight for the old incarnation is lost
  trace(9, i, {});
}

void Sim::send(size_t from, size_t to, std::shared_ptr<const Message> m) {
  if (from == to) return;
  const bool before_gst = now_ < o_.gst_ms;
  if (o_.link_ok && !o_.link_ok(from, to, now_)) return;
  if (before_gst && nodes_[from].group != nodes_[to].group) return;
  if (before_gst && chance(o_.drop)) return;
  const int copies = before_gst && chance(o_.duplicate) ? 2 : 1;
  for (int c = 0; c < copies; ++c) {
    uint64_t delay = before_gst ? between(o_.delay_min_ms, o_.delay_max_ms) : between(1, o_.delay_after_gst_max_ms);
    if (o_.link_delay) {
      const uint64_t d = o_.link_delay(from, to, now_);
      if (d > 0) delay = d;
    }
    Event e;
    e.t = now_ + delay;
    e.kind = Kind::kDeliver;
    e.node = to;
    e.from_node = from;
    e.msg = m;
    push(std::move(e));
  }
}

void Sim::observe_outgoing(size_t from, const Message& m, size_t recipients) {
  const Node& nd = nodes_[from];
  if (std::holds_alternative<LedgerInfoVote>(m)) {
    out_.stats.ledger_info_messages += recipients;
  } else {
    out_.stats.consensus_messages += recipients;
  }
  const Vote* v = nullptr;
  if (const auto* p = std::get_if<Proposal>(&m)) {
    const Hash32 id = p->block.header.id();
    if (!seen_blocks_.count(id)) seen_blocks_[id] = {p->block.header.timestamp_ms, now_};
    v = &p->proposer_vote;
  } else if (const auto* vv = std::get_if<Vote>(&m)) {
    v = vv;
  }
  if (v == nullptr || !honest_key(nd.key_index)) return;
  // C3: no honest validator signs two different votes for one round.
  auto key = std::make_tuple(v->data.epoch.value(), static_cast<uint32_t>(nd.key_index), v->data.round.value());
  auto [it, inserted] = honest_votes_.emplace(key, v->data.block_id);
  if (!inserted && it->second != v->data.block_id) {
    violation("honest validator " + std::to_string(nd.key_index) + " signed two votes for epoch " +
              std::to_string(v->data.epoch.value()) + " round " + std::to_string(v->data.round.value()));
  }
  // C15: the block's timestamp is at most now + drift at the voter.
  auto sb = seen_blocks_.find(v->data.block_id);
  if (sb != seen_blocks_.end() && sb->second.first > now_ms(from) + limits::clock_drift_max_ms) {
    violation("honest validator " + std::to_string(nd.key_index) + " voted for a block from the future");
  }
}

void Sim::emit(size_t from, const std::vector<size_t>& targets, const Message& m) {
  Node& nd = nodes_[from];
  observe_outgoing(from, m, targets.size());
  auto shared = std::make_shared<const Message>(m);
  std::vector<std::shared_ptr<const Message>> extra;
  switch (nd.byz) {
    case Byz::kDoubleVote:
      if (const auto* v = std::get_if<Vote>(&m)) {
        Vote w = *v;
        for (auto& b : w.data.block_id) b = static_cast<uint8_t>(rng_.next_u64());
        w.signature = nd.byz_signer->sign(SigContext::kVote, w.data.encode());
        extra.push_back(std::make_shared<const Message>(w));
      }
      break;
    case Byz::kBadSig:
      if (chance(0.5)) {
        Message bad = m;
        std::visit(Overloaded{[](Vote& v) { v.signature.bytes[3] ^= 1; },
                              [](TimeoutMsg& t) { t.signature.bytes[5] ^= 1; },
                              [](Proposal& p) { p.proposer_vote.signature.bytes[7] ^= 1; },
                              [](LedgerInfoVote& l) { l.signature.bytes[1] ^= 1; }, [](auto&) {}},
                   bad);
        shared = std::make_shared<const Message>(std::move(bad));
      }
      break;
    case Byz::kBadCert:
      if (chance(0.3) && nd.replica) {
        // A certificate for a block nobody has, with forged signatures.
        SyncInfo s;
        s.high_qc.data = VoteData{kChainId, nd.replica->epoch().number, Round(nd.replica->current_round().value() + 1), {}};
        for (auto& b : s.high_qc.data.block_id) b = static_cast<uint8_t>(rng_.next_u64());
        const size_t n = nd.replica->epoch().validators.size();
        for (uint32_t k = 0; k < n; ++k) s.high_qc.signers.add(ValidatorIndex(k), Signature{}, n);
        extra.push_back(std::make_shared<const Message>(s));
      }
      break;
    case Byz::kAbsurdRound:
      if (chance(0.2) && nd.replica && nd.replica->is_validator()) {
        TimeoutMsg t;
        t.high_qc = nd.replica->high_qc();
        t.data = TimeoutData{kChainId, nd.replica->epoch().number, Round(1'000'000'000'000 + rng_.uniform(1000)),
                             t.high_qc.data.round};
        uint32_t idx = 0;
        for (uint32_t k = 0; k < nd.replica->epoch().validators.size(); ++k) {
          if (nd.replica->epoch().validators.consensus_keys[k] == nd.key) idx = k;
        }
        t.voter = ValidatorIndex(idx);
        t.signature = nd.byz_signer->sign(SigContext::kTimeout, t.data.encode());
        extra.push_back(std::make_shared<const Message>(t));
      }
      break;
    case Byz::kFlood:
      for (int k = 0; k < 6; ++k) extra.push_back(shared);
      break;
    default:
      break;
  }
  for (size_t to : targets) {
    send(from, to, shared);
    for (const auto& x : extra) send(from, to, x);
  }
}

std::vector<Transaction> Sim::payload(size_t i) {
  Node& nd = nodes_[i];
  std::vector<Transaction> txs;
  const uint64_t count = 1 + rng_.uniform(2);
  for (uint64_t k = 0; k < count; ++k) {
    Transaction tx;
    tx.body = to_bytes("tx/" + std::to_string(i) + "/" + std::to_string(nd.tx_counter++));
    txs.push_back(std::move(tx));
  }
  if (o_.reconfig && nd.replica) {
    const uint64_t e = nd.replica->epoch().number.value();
    if ((e == 1 && max_height_ >= 6) || (e == 2 && max_height_ >= epoch2_start_height_ + 8)) {
      Transaction tx;
      tx.body = to_bytes("reconfig:" + std::to_string(e + 1));
      txs.push_back(std::move(tx));
    }
  }
  return txs;
}

void Sim::on_commit(size_t i, const Commit& c) {
  Node& nd = nodes_[i];
  Durable& d = nd.durable;
  const bool honest = honest_key(nd.key_index);
  for (const Block& b : c.blocks) {
    const Hash32 id = b.header.id();
    trace(7, i, id);
    // Chain integrity (C9, C10): consecutive heights, parent links, time.
    if (b.header.parent_id != d.last_id || b.header.height.value() != d.last_height + 1) {
      violation("node " + std::to_string(i) + " committed a block that does not extend its chain at height " +
                std::to_string(b.header.height.value()));
    }
    if (b.header.timestamp_ms <= d.last_ts) violation("node " + std::to_string(i) + " committed a non-increasing timestamp");
    d.last_id = id;
    d.ledger.emplace(id, b);
    d.last_height = b.header.height.value();
    d.last_ts = b.header.timestamp_ms;
    // Agreement (C2), honest nodes only (a twin's own view may differ).
    if (honest) {
      auto [r, ok1] = committed_by_round_.emplace(std::make_pair(b.header.epoch.value(), b.header.round.value()), id);
      if (!ok1 && r->second != id) {
        violation("agreement: two blocks committed for epoch " + std::to_string(b.header.epoch.value()) + " round " +
                  std::to_string(b.header.round.value()));
      }
      auto [h, ok2] = committed_by_height_.emplace(b.header.height.value(), id);
      if (!ok2 && h->second != id) {
        violation("agreement: two blocks committed at height " + std::to_string(b.header.height.value()));
      }
      if (now_ >= o_.gst_ms) {
        ++nd.commits_after_gst;
        if (!first_commit_after_gst_) first_commit_after_gst_ = now_;
      }
      max_height_ = std::max(max_height_, b.header.height.value());
    }
    if (o_.record_latency) {
      auto sb = seen_blocks_.find(id);
      if (sb != seen_blocks_.end()) {
        out_.stats.commit_latency_ms.push_back(now_ - sb->second.second);
        out_.stats.commit_latency_rounds.push_back(nd.replica->current_round().value() - b.header.round.value());
        const ValidatorSet& vs = nd.replica->epoch().validators;
        const Round rr(b.header.round.value() + 2);
        const ValidatorIndex l = Pacemaker::leader(rr, vs.size(), o_.leaders_for_test);
        out_.stats.commit_at_next_next_leader.push_back(vs.consensus_keys[l.value()] == nd.key);
      }
      if (i == 0) out_.stats.committed_rounds.push_back(b.header.round.value());
    }
    // The fake executor.
    ExecState& x = d.exec;
    IPL_ASSERT(b.header.height.value() == x.height.value() + 1);
    x.height = b.header.height;
    x.state_root = sha256({ByteView(x.state_root), ByteView(id)});
    x.history_size += b.txs.size();
    LedgerInfo li;
    li.chain_id = kChainId;
    li.epoch = x.epoch;
    li.height = b.header.height;
    li.block_id = id;
    li.timestamp_ms = b.header.timestamp_ms;
    li.block_tx_count = b.txs.size();
    li.history_size = x.history_size;
    li.history_root = sha256({as_view("history"), ByteView(x.state_root)});
    li.state_root = x.state_root;
    std::optional<Height> scheduled;
    for (const Transaction& tx : b.txs) {
      const std::string body(tx.body.begin(), tx.body.end());
      if (body.rfind("reconfig:", 0) != 0 || x.pending) continue;
      const uint64_t target = std::stoull(body.substr(9));
      if (target != x.epoch.value() + 1) continue;
      x.pending = std::make_pair(Height(b.header.height.value() + limits::execution_lag_max + 1), Epoch(target));
      scheduled = x.pending->first;
      d.boundary = scheduled;
    }
    if (x.pending && x.pending->first == b.header.height) {
      li.next_epoch = EpochState{x.pending->second, set_for_epoch(x.pending->second.value())};
      x.epoch = x.pending->second;
      x.pending.reset();
    }
    d.executed = li;
    Event e;
    e.t = now_;
    e.kind = Kind::kExecuted;
    e.node = i;
    e.inc = nd.inc;
    e.li = li;
    e.boundary = scheduled;
    push(std::move(e));
  }
  if (debug_) {
    std::fprintf(stderr, "%6llu node %zu commit %zu blocks root e=%llu r=%llu h=%llu id=%s\n", (unsigned long long)now_, i,
                 c.blocks.size(), (unsigned long long)c.root.header.epoch.value(),
                 (unsigned long long)c.root.header.round.value(), (unsigned long long)c.root.header.height.value(),
                 to_hex(c.root.header.id()).substr(0, 8).c_str());
  }
  d.root = c.root;
  d.root_qc = c.root_qc;
  for (auto it = d.voted.begin(); it != d.voted.end();) {
    const bool stale = it->second.header.epoch < c.root.header.epoch ||
                       (it->second.header.epoch == c.root.header.epoch && it->second.header.round <= c.root.header.round);
    it = stale ? d.voted.erase(it) : std::next(it);
  }
}

// The driver's part of fetching (node/ does the same from its block
// store): the replica's tree keeps only recent committed blocks, so a
// response it leaves short is continued from the ledger.
void Sim::serve_from_ledger(size_t i, size_t from, const FetchRequest& req, Effects& fx) {
  const std::map<Hash32, Block>& ledger = nodes_[i].durable.ledger;
  const uint32_t count = std::min(req.count, limits::fetch_blocks_max);
  FetchResponse* resp = nullptr;
  for (Effect& e : fx) {
    if (auto* snd = std::get_if<Send>(&e)) {
      if (auto* r = std::get_if<FetchResponse>(&snd->msg)) resp = r;
    }
  }
  if (resp == nullptr) {
    if (debug_ && !ledger.count(req.block_id)) {
      std::fprintf(stderr, "%6llu node %zu cannot serve %s (ledger %zu blocks, last h=%llu)\n", (unsigned long long)now_, i,
                   to_hex(req.block_id).substr(0, 8).c_str(), ledger.size(), (unsigned long long)nodes_[i].durable.last_height);
    }
    if (!ledger.count(req.block_id)) return;
    fx.push_back(Send{nodes_[from].key, FetchResponse{}});
    resp = &std::get<FetchResponse>(std::get<Send>(fx.back()).msg);
  }
  Hash32 next = resp->blocks.empty() ? req.block_id : resp->blocks.back().header.parent_id;
  while (resp->blocks.size() < count) {
    auto it = ledger.find(next);
    if (it == ledger.end()) break;
    resp->blocks.push_back(it->second);
    next = it->second.header.parent_id;
  }
}

void Sim::apply(size_t i, Effects effects) {
  Node& nd = nodes_[i];
  // A crash in the middle of a batch (before GST): later effects are lost.
  size_t cut = effects.size();
  if (now_ < o_.gst_ms && effects.size() > 1 && chance(o_.crash_mid_batch)) cut = rng_.uniform(effects.size());
  for (size_t k = 0; k < effects.size(); ++k) {
    if (k == cut) {
      crash(i);
      Event e;
      e.t = now_ + between(20, 500);
      e.kind = Kind::kRestart;
      e.node = i;
      push(std::move(e));
      return;
    }
    std::visit(Overloaded{
                   [&](const Send& s) {
                     std::vector<size_t> targets;
                     for (size_t j = 0; j < nodes_.size(); ++j) {
                       if (j != i && nodes_[j].key == s.to) targets.push_back(j);
                     }
                     emit(i, targets, s.msg);
                   },
                   [&](const Broadcast& b) {
                     std::vector<size_t> targets;
                     for (size_t j = 0; j < nodes_.size(); ++j) {
                       if (j != i) targets.push_back(j);
                     }
                     emit(i, targets, b.msg);
                   },
                   [&](const PersistSafety& p) {
                     nd.durable.safety = p.data;
                     if (p.voted_block) nd.durable.voted.emplace(p.voted_block->header.id(), *p.voted_block);
                     nd.durable.high_qc = p.high_qc;
                     nd.durable.high_tc = p.high_tc;
                   },
                   [&](const SetTimer& s) {
                     Event e;
                     e.t = now_ + s.delay_ms;
                     e.kind = Kind::kTimer;
                     e.node = i;
                     e.inc = nd.inc;
                     e.epoch = s.epoch;
                     e.round = s.round;
                     push(std::move(e));
                   },
                   [&](const Commit& c) { on_commit(i, c); },
                   [&](const Fetch& f) {
                     if (debug_) {
                       std::fprintf(stderr, "%6llu node %zu fetch %s epoch=%llu root_h=%llu\n", (unsigned long long)now_, i,
                                    to_hex(f.request.block_id).substr(0, 8).c_str(),
                                    (unsigned long long)nd.replica->epoch().number.value(),
                                    (unsigned long long)nd.replica->committed_root().header.height.value());
                     }
                     std::vector<size_t> targets;
                     for (size_t j = 0; j < nodes_.size(); ++j) {
                       if (j != i && nodes_[j].key == f.from) targets.push_back(j);
                     }
                     emit(i, targets, f.request);
                   },
                   [&](const NeedPayload& p) {
                     Event e;
                     e.t = now_;
                     e.kind = Kind::kPayload;
                     e.node = i;
                     e.inc = nd.inc;
                     e.round = p.round;
                     push(std::move(e));
                   },
                   [&](const Certified& c) {
                     if (debug_) {
                       std::fprintf(stderr, "%6llu node %zu certified e=%llu h=%llu next=%d\n", (unsigned long long)now_, i,
                                    (unsigned long long)c.cert.ledger_info.epoch.value(),
                                    (unsigned long long)c.cert.ledger_info.height.value(),
                                    (int)c.cert.ledger_info.next_epoch.has_value());
                     }
                     const Hash32 digest = sha256(c.cert.ledger_info.encode());
                     auto [it, ok] = certified_by_height_.emplace(c.cert.ledger_info.height.value(), digest);
                     if (!ok && it->second != digest) {
                       violation("two certified LedgerInfos at height " +
                                 std::to_string(c.cert.ledger_info.height.value()));
                     }
                   },
                   [&](const Alarm& a) {
                     if (a.kind == AlarmKind::kUncertified) return;
                     if (honest_key(nd.key_index)) {
                       violation("node " + std::to_string(i) + " alarm " + std::to_string(static_cast<int>(a.kind)) +
                                 ": " + a.detail);
                     }
                   },
                   [&](const EvidenceFound& ev) {
                     ++out_.stats.evidence;
                     const ValidatorSet& vs = nd.replica->epoch().validators;
                     if (ev.evidence.validator.value() < vs.size()) {
                       const PublicKey& accused = vs.consensus_keys[ev.evidence.validator.value()];
                       for (size_t j = 0; j < keys_.size(); ++j) {
                         if (keys_[j] == accused && honest_key(j) && ev.evidence.epoch == nd.replica->epoch().number) {
                           violation("evidence against honest validator " + std::to_string(j));
                         }
                       }
                     }
                   },
                   [&](const EpochChanged& ec) {
                     Durable& d = nd.durable;
                     if (debug_) {
                       std::fprintf(stderr, "%6llu node %zu epoch changed to %llu root h=%llu id=%s\n",
                                    (unsigned long long)now_, i, (unsigned long long)ec.next.number.value(),
                                    (unsigned long long)ec.root.header.height.value(),
                                    to_hex(ec.root.header.id()).substr(0, 8).c_str());
                     }
                     d.epoch = ec.next;
                     d.root = ec.root;
                     d.root_qc.data = VoteData{kChainId, ec.next.number, Round(0), ec.root.header.id()};
                     d.root_qc.signers = SignerSet{};
                     d.boundary.reset();
                     d.voted.clear();
                     d.high_qc.reset();
                     d.high_tc.reset();
                     d.epoch_proofs.push_back(ec.proof);
                     out_.stats.epochs_reached = std::max(out_.stats.epochs_reached, ec.next.number.value());
                     if (ec.next.number.value() == 2 && epoch2_start_height_ == 0) {
                       epoch2_start_height_ = ec.proof.ledger_info.height.value();
                     }
                   },
               },
               effects[k]);
    if (!nd.up) return;
  }
}

void Sim::schedule_faults() {
  if (o_.gst_ms == 0) return;
  if (o_.crashes) {
    const uint64_t count = 1 + rng_.uniform(4);
    for (uint64_t k = 0; k < count; ++k) {
      const size_t i = rng_.uniform(nodes_.size());
      const uint64_t t = rng_.uniform(o_.gst_ms);
      Event c;
      c.t = t;
      c.kind = Kind::kCrash;
      c.node = i;
      push(c);
      Event r;
      r.t = std::min(o_.gst_ms - 1, t + between(50, 3'000));
      r.kind = Kind::kRestart;
      r.node = i;
      push(r);
    }
  }
  if (o_.partitions) {
    uint64_t t = rng_.uniform(1'000);
    while (t < o_.gst_ms) {
      Event p;
      p.t = t;
      p.kind = Kind::kPartition;
      p.node = 1;  // split
      push(p);
      t += between(100, 3'000);
      Event h;
      h.t = std::min(t, o_.gst_ms);
      h.kind = Kind::kPartition;
      h.node = 0;  // heal
      push(h);
      t += between(100, 3'000);
    }
  }
}

Outcome Sim::run() {
  setup();
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].silent) {
      nodes_[i].up = false;
      continue;
    }
    start_node(i);
  }
  schedule_faults();
  for (const auto& [t, i] : o_.scripted_crashes) {
    Event e;
    e.t = t;
    e.kind = Kind::kCrash;
    e.node = i;
    push(e);
  }
  for (const auto& [t, i] : o_.scripted_restarts) {
    Event e;
    e.t = t;
    e.kind = Kind::kRestart;
    e.node = i;
    push(e);
  }
  const uint64_t end_ms = o_.check_liveness ? o_.gst_ms + kLivenessLimitMs : o_.run_ms;
  const uint64_t resume_bound = 2 * limits::round_timeout_max_ms + 5'000;
  uint64_t steps = 0;
  while (!queue_.empty()) {
    Event e = queue_.top();
    queue_.pop();
    if (e.t > end_ms) break;
    now_ = e.t;
    ++steps;
    Node& nd = nodes_[e.node];
    switch (e.kind) {
      case Kind::kDeliver: {
        if (!nd.up || !nd.replica) break;
        ++out_.stats.delivered;
        if (debug_) {
          std::fprintf(stderr, "%6llu deliver %zu->%zu %s round=%llu cur=%llu\n", (unsigned long long)now_, e.from_node, e.node,
                       message_name(*e.msg), (unsigned long long)(std::holds_alternative<TimeoutMsg>(*e.msg) ? std::get<TimeoutMsg>(*e.msg).data.round.value() : 0),
                       (unsigned long long)nd.replica->current_round().value());
        }
        const Bytes bytes = encode(*e.msg);
        trace(1, e.node, bytes);
        Effects fx = nd.replica->on_message(now_ms(e.node), nodes_[e.from_node].key, *e.msg);
        if (const auto* req = std::get_if<FetchRequest>(e.msg.get())) serve_from_ledger(e.node, e.from_node, *req, fx);
        apply(e.node, std::move(fx));
        break;
      }
      case Kind::kTimer:
        if (!nd.up || e.inc != nd.inc) break;
        trace(2, e.node, {});
        if (debug_) {
          std::fprintf(stderr, "%6llu timer %zu round=%llu cur=%llu can_vote=%d\n", (unsigned long long)now_, e.node,
                       (unsigned long long)e.round.value(), (unsigned long long)nd.replica->current_round().value(), (int)nd.replica->can_vote());
        }
        apply(e.node, nd.replica->on_timeout(now_ms(e.node), e.epoch, e.round));
        break;
      case Kind::kExecuted:
        if (!nd.up || e.inc != nd.inc) break;
        if (debug_) {
          std::fprintf(stderr, "%6llu node %zu executed e=%llu h=%llu\n", (unsigned long long)now_, e.node,
                       (unsigned long long)e.li.epoch.value(), (unsigned long long)e.li.height.value());
        }
        apply(e.node, nd.replica->on_executed(now_ms(e.node), e.li, e.boundary));
        break;
      case Kind::kPayload:
        if (!nd.up || e.inc != nd.inc) break;
        apply(e.node, nd.replica->on_propose_ready(now_ms(e.node), e.round, payload(e.node)));
        break;
      case Kind::kCrash:
        if (now_ < o_.gst_ms || !o_.check_liveness) crash(e.node);
        break;
      case Kind::kRestart:
        if (!nd.up && !nd.silent) start_node(e.node);
        break;
      case Kind::kPartition:
        for (Node& x : nodes_) x.group = e.node == 0 ? 0 : static_cast<int>(rng_.uniform(2));
        break;
    }
    if (!out_.violations.empty()) break;
    if (o_.check_liveness && now_ >= o_.gst_ms) {
      if (!first_commit_after_gst_ && now_ > o_.gst_ms + resume_bound) {
        violation("liveness: no commit within " + std::to_string(resume_bound) + " ms after GST");
        break;
      }
      bool done = true;
      for (size_t i = 0; i < nodes_.size() && done; ++i) {
        if (!counts_for_liveness(i)) continue;
        if (nodes_[i].commits_after_gst < o_.commits_after_gst) done = false;
        if (o_.reconfig && nodes_[i].durable.epoch.number.value() < 3 && nodes_[i].durable.epoch.validators.size() > 0) {
          done = false;
        }
      }
      if (done) break;
    }
  }
  if (o_.check_liveness && out_.violations.empty()) {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (counts_for_liveness(i) && nodes_[i].commits_after_gst < o_.commits_after_gst) {
        violation("liveness: node " + std::to_string(i) + " committed only " +
                  std::to_string(nodes_[i].commits_after_gst) + " blocks after GST");
        break;
      }
      if (counts_for_liveness(i) && o_.reconfig && nodes_[i].durable.epoch.number.value() < 3) {
        violation("liveness: node " + std::to_string(i) + " did not reach epoch 3");
        break;
      }
    }
  }
  out_.stats.sim_ms = now_;
  out_.stats.committed_blocks = max_height_ - 1;
  out_.stats.first_commit_after_gst_ms = first_commit_after_gst_ ? *first_commit_after_gst_ - o_.gst_ms : 0;
  Encoder fin;
  fin.u64(steps).u64(out_.stats.delivered).u64(max_height_);
  trace_.update(fin.out());
  out_.trace = trace_.finish();
  return std::move(out_);
}

}  // namespace

const char* byz_name(Byz b) {
  static constexpr const char* kNames[] = {"none", "twin", "double-vote", "bad-sig", "bad-cert", "absurd-round", "flood", "silent"};
  return kNames[static_cast<size_t>(b)];
}

Outcome run(const Options& o) {
  Sim s(o);
  return s.run();
}

Options random_options(uint64_t seed) {
  SeededRng r(seed * 0x9E3779B97F4A7C15ull + 0x1234);
  Options o;
  o.seed = seed;
  static constexpr size_t kSizes[] = {4, 5, 6, 7, 10};
  o.n = kSizes[r.uniform(5)];
  if (r.uniform(100) < 15) {
    o.reconfig = true;
    o.n = 4;
    o.observers = 1;
  }
  const size_t f = (o.n - 1) / 3;
  o.drop = static_cast<double>(r.uniform(31)) / 100.0;
  o.duplicate = static_cast<double>(r.uniform(11)) / 100.0;
  static constexpr uint64_t kDelays[] = {1, 10, 50, 200};
  o.delay_min_ms = 1;
  o.delay_max_ms = kDelays[r.uniform(4)];
  o.partitions = r.uniform(2) == 0;
  o.crashes = r.uniform(2) == 0;
  o.crash_mid_batch = o.crashes ? 0.01 : 0;
  o.gst_ms = 2'000 + r.uniform(10'000);
  o.delay_after_gst_max_ms = 1 + r.uniform(10);
  size_t faulty = r.uniform(f + 1);
  static constexpr Byz kKinds[] = {Byz::kTwin,        Byz::kDoubleVote, Byz::kBadSig, Byz::kBadCert,
                                   Byz::kAbsurdRound, Byz::kFlood,      Byz::kSilent};
  for (size_t k = 0; k < faulty; ++k) o.byzantine.emplace_back(static_cast<uint32_t>(k), kKinds[r.uniform(7)]);
  const size_t nodes = o.n + o.observers;
  o.skew_ms.assign(nodes, 0);
  for (size_t i = 0; i < nodes; ++i) {
    o.skew_ms[i] = static_cast<int64_t>(r.uniform(2 * limits::clock_drift_max_ms / 2 + 1)) -
                   static_cast<int64_t>(limits::clock_drift_max_ms / 2);
  }
  // Beyond the drift bound: one more faulty validator, if f allows.
  if (faulty < f && r.uniform(3) == 0) {
    o.skew_ms[o.n - 1] = static_cast<int64_t>(limits::clock_drift_max_ms + 1'000 + r.uniform(4'000));
  }
  return o;
}

std::string describe(const Options& o) {
  std::string s = "n=" + std::to_string(o.n) + " drop=" + std::to_string(static_cast<int>(o.drop * 100)) + "% dup=" +
                  std::to_string(static_cast<int>(o.duplicate * 100)) + "% delay<=" + std::to_string(o.delay_max_ms) +
                  "ms" + (o.partitions ? " partitions" : "") + (o.crashes ? " crashes" : "") +
                  (o.reconfig ? " reconfig" : "") + " gst=" + std::to_string(o.gst_ms);
  for (const auto& [i, b] : o.byzantine) s += " byz" + std::to_string(i) + "=" + byz_name(b);
  for (size_t i = 0; i < o.skew_ms.size(); ++i) {
    if (std::llabs(o.skew_ms[i]) > static_cast<int64_t>(limits::clock_drift_max_ms)) {
      s += " skew" + std::to_string(i) + "=" + std::to_string(o.skew_ms[i]);
    }
  }
  return s;
}

Options twins_options(uint64_t index) {
  // Space: per round, a partition (which of nodes 1..3 go with twin A =
  // node 0 rather than twin B = node 4: 8 ways) and a leader (4 ways),
  // over 4 rounds: 32^4 = 1,048,576 scenarios. Scenario `index` is the
  // index·φ-th point of the space (a fixed stride coprime to its size),
  // so any prefix of indexes samples the whole space evenly.
  constexpr uint64_t kSpace = 32ull * 32 * 32 * 32;
  const uint64_t point = (index * 0x9E3779B1ull + 12345) % kSpace;
  Options o;
  o.seed = 1'000'000 + index;
  o.n = 4;
  o.byzantine = {{0, Byz::kTwin}};
  o.delay_min_ms = 1;
  o.delay_max_ms = 1;
  o.delay_after_gst_max_ms = 1;
  o.timeout_base_ms = 200;
  constexpr uint64_t kPhaseMs = 400;
  o.gst_ms = 4 * kPhaseMs;
  o.commits_after_gst = 20;
  std::vector<uint32_t> masks;
  o.leaders_for_test = {0};
  uint64_t p = point;
  for (int k = 0; k < 4; ++k) {
    const uint64_t digit = p % 32;
    p /= 32;
    masks.push_back(static_cast<uint32_t>(digit % 8));
    o.leaders_for_test.push_back(static_cast<uint32_t>(digit / 8));
  }
  o.link_ok = [masks](size_t from, size_t to, uint64_t t) {
    const uint64_t phase = t / kPhaseMs;
    if (phase >= 4) return true;
    // Group 0: twin A (node 0) and the nodes whose bit is set; group 1: twin B (node 4) and the rest.
    auto group = [&](size_t node) -> int {
      if (node == 0) return 0;
      if (node == 4) return 1;
      return (masks[phase] >> (node - 1) & 1) ? 0 : 1;
    };
    return group(from) == group(to);
  };
  return o;
}

}  // namespace ipl::sim
