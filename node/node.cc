#include "node/node.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <queue>
#include <set>
#include <thread>
#include <unordered_map>

#include "api/histogram.h"
#include "api/node_facade.h"
#include "api/rate_limiter.h"
#include "api/routes.h"
#include "api/server.h"
#include "common/clock.h"
#include "common/encoding.h"
#include "common/file.h"
#include "consensus/pacemaker/pacemaker.h"
#include "consensus/replica.h"
#include "contracts/executor.h"
#include "contracts/records.h"
#include "genesis/genesis.h"
#include "ledger/ledger.h"
#include "node/consensus_store.h"
#include "node/ledger_view.h"
#include "node/mempool.h"
#include "node/net/transport.h"
#include "node/wire.h"

namespace ipl::node {

namespace {

using consensus::Effects;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Peer messages waiting for the consensus thread; beyond this the oldest
// input is dropped (consensus retransmits through timeouts and sync).
constexpr size_t kInboxMax = 20'000;
// Gossip is batched: flushed every kGossipFlushMs or at kGossipBatchMax.
constexpr uint64_t kGossipFlushMs = 5;
constexpr size_t kGossipBatchMax = 1'000;
constexpr size_t kGossipBytesMax = 4u << 20;
// Blocks remembered above the executed height (proposal ancestry).
constexpr size_t kSeenBlocksMax = 4'096;
// Transactions a leader proposes at most, below block_txs_max: every
// validator checks a proposal's signatures before voting, and those it has
// not seen through gossip yet are verified on the spot; a burst of 10,000
// unseen ones costs more than a round's timeout on a small machine, so the
// round would fail and the load come back in the next. 2,000 per round
// still carries ~10,000 tx/s at five rounds a second.
constexpr size_t kProposalTxsMax = 2'000;
// Nice value of the executor thread relative to the others (see exec_loop).
constexpr int kExecutorNice = 5;
// Room left in a wire message beside a block's transactions (a timeout
// certificate over 256 validators is ~19 KB; headers and framing).
constexpr size_t kWireMarginBytes = 64u << 10;
// Certificate-sync messages waiting for the consensus thread (beyond: dropped).
constexpr size_t kCertInboxMax = 64;
// An executed height still uncertified after this long is asked of a peer.
constexpr uint64_t kCertGraceMs = 2'000;
constexpr uint64_t kCertAskEveryMs = 500;
// Heights below the executed height beyond this are no longer chased.
constexpr uint64_t kCertChaseWindow = 4'096;
// Submission times remembered for the commit-latency histogram.
constexpr size_t kSubmitTimesMax = 400'000;

std::string short_hex(const Hash32& h) { return to_hex(h).substr(0, 12); }

struct HashOfHash {
  size_t operator()(const Hash32& h) const {
    size_t v = 0;
    std::memcpy(&v, h.data(), sizeof v);
    return v;
  }
};

uint64_t steady_ms() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

}  // namespace

class Node::Impl final : public api::NodeFacade, public CommittedLookup {
 public:
  explicit Impl(NodeConfig cfg) : cfg_(std::move(cfg)), latency_(api::Histogram::latency_bounds()) {}
  ~Impl() override { stop(); }

  Status init();
  void stop();
  Status wait();
  uint16_t p2p_port() const { return transport_ ? transport_->port() : 0; }
  uint16_t http_port() const { return server_ ? server_->port() : 0; }

  // --- api::NodeFacade --------------------------------------------------
  api::SubmitAnswer submit_tx(ByteView tx_bytes) override;
  Result<api::TxStatus> find_tx(const Hash32& tx_id) override;
  api::Health health() override;
  api::MetricsSnapshot metrics() override;
  api::NodeStatus status() override;
  Result<std::optional<api::BlockView>> block_at(uint64_t height) override;
  Result<EpochChangeProof> epoch_change_proof() override;

  // --- CommittedLookup (called with the mempool's lock held) --------------
  bool is_committed(const Hash32& tx_id) const override;
  uint64_t next_nonce(const PublicKey& sender) const override;
  uint64_t executed_next_nonce(const PublicKey& sender) const;
  uint64_t committed_height() const override { return std::max(committed_height_.load(), ledger_->height()); }

 private:
  struct Input {
    PublicKey from;  // consensus key when known, else transport key
    consensus::Message msg;
  };
  // Certificate sync between drivers (node/wire.h), on the consensus thread.
  struct CertInput {
    PublicKey transport_key;
    std::variant<CertRequest, CertResponse> msg;
  };
  struct Timer {
    uint64_t due_ms = 0;  // steady clock
    Epoch epoch;
    Round round;
    bool operator>(const Timer& o) const { return due_ms > o.due_ms; }
  };
  struct Executed {
    LedgerInfo li;
    std::optional<Height> scheduled;
  };
  // A block above the executed height with what the driver needs of each
  // transaction, computed once: its id, and (sender, nonce) of those whose
  // body decodes.
  struct Seen {
    Block block;
    std::vector<Hash32> ids;                              // one per transaction
    std::vector<std::pair<PublicKey, uint64_t>> senders;  // (sender, nonce)
  };
  static Seen describe(const Block& b);

  Status open_storage();
  Status execute_block(const Block& b, LedgerInfo& li, std::optional<Height>& scheduled);
  consensus::Bootstrap make_bootstrap(bool fresh, const std::optional<SafetyFile>& safety);
  Status start_transport();
  Status start_api();

  void consensus_loop();
  void handle_input(Input in);
  void apply(Effects fx);
  void on_commit(const consensus::Commit& c);
  void on_executed(const Executed& e);
  void exec_loop();
  std::vector<Transaction> make_payload();
  bool ancestors_carry_txs() const;
  void maybe_propose_deferred();
  // Also describes the block (ids, senders) as it decodes it, into `seen`.
  Status check_payload(const Block& b, Seen& seen) const;
  void remember_block(const Block& b);
  void remember(Seen seen);
  void serve_from_ledger(const PublicKey& to, const consensus::FetchRequest& req, Effects& fx);
  void flush_gossip();
  void handle_cert(CertInput in);
  void chase_certificates();
  Result<ValidatorSet> validators_of(Epoch e) const;
  void store_cert(const ExecutionCertificate& c);
  void publish_status();
  void halt(const std::string& why);
  uint64_t now_ms() const { return clock_.now_ms(); }

  // Sends to the peer behind a consensus key (the [[p2p.peers]]
  // consensus_key hint) or a transport key; when neither is known (a
  // rotated key not yet in the configuration) the message is broadcast:
  // consensus messages are addressed by signature, not by connection.
  void send_to(const PublicKey& consensus_or_transport, const consensus::Message& m);
  PublicKey from_transport(const PublicKey& transport) const;

  const NodeConfig cfg_;
  SystemClock clock_;
  contracts::Registry registry_ = contracts::Registry::standard();
  genesis::Genesis genesis_;
  Hash32 genesis_hash_{};
  KeyPair transport_key_;
  KeyPair consensus_key_;
  std::unique_ptr<ledger::Store> ledger_store_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<ConsensusStore> cs_;
  consensus::Ed25519Verifier verifier_;
  std::unique_ptr<consensus::Replica> replica_;
  std::unique_ptr<Mempool> mempool_;
  std::unique_ptr<net::Transport> transport_;
  std::unique_ptr<api::RateLimiter> limiter_;
  std::unique_ptr<api::ApiServer> server_;
  std::map<PublicKey, PublicKey> consensus_to_transport_;
  std::map<PublicKey, PublicKey> transport_to_consensus_;
  std::set<PublicKey> member_transport_keys_;

  // Inbox (p2p thread -> consensus thread).
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Input> inbox_;
  std::deque<CertInput> cert_inbox_;
  bool stopping_ = false;
  uint64_t inbox_dropped_ = 0;
  std::thread consensus_thread_;

  // Consensus-thread state.
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::map<Hash32, Seen> seen_;
  std::map<uint64_t, ExecutionCertificate> early_certs_;  // certified above our executed height
  uint64_t queued_height_ = 0;  // highest committed height handed to the executor
  // Executed heights with no certificate yet -> when executed (steady ms).
  std::map<uint64_t, uint64_t> uncertified_;
  uint64_t last_cert_ask_ms_ = 0;
  size_t cert_peer_rr_ = 0;

  // The executor thread (committed blocks in, LedgerInfos out).
  std::mutex exec_mu_;
  std::condition_variable exec_cv_;
  std::deque<Block> exec_queue_;
  bool exec_stopping_ = false;
  std::thread exec_thread_;
  std::deque<Executed> executed_;  // guarded by mu_: results for the consensus thread
  // Committed but not yet executed: what the mempool and the payload check
  // must count as committed (written by the consensus thread at commit,
  // erased by the executor after execution).
  mutable std::mutex unexec_mu_;
  std::unordered_map<Hash32, uint64_t, HashOfHash> unexec_ids_;    // tx id -> height
  std::map<PublicKey, std::pair<uint64_t, uint64_t>> unexec_nonce_;  // sender -> (highest nonce, its height)
  std::atomic<uint64_t> committed_height_{0};
  uint64_t last_gossip_flush_ms_ = 0;
  // A proposal held back while idle (limits::empty_block_delay_ms).
  struct Deferred {
    Epoch epoch;
    Round round;
    uint64_t due_ms = 0;
  };
  std::optional<Deferred> deferred_;

  // Gossip buffer (HTTP threads -> consensus thread).
  std::mutex gossip_mu_;
  std::vector<Transaction> gossip_;
  std::atomic<bool> gossip_waiting_{false};  // set under mu_ when gossip_ became non-empty

  // Submission times for the latency histogram (HTTP threads, consensus thread).
  std::mutex submit_mu_;
  std::unordered_map<Hash32, uint64_t, HashOfHash> submit_ms_;
  std::deque<Hash32> submit_order_;
  api::Histogram latency_;

  // Published status (consensus thread -> readers).
  mutable std::mutex status_mu_;
  api::NodeStatus status_;
  uint64_t last_commit_steady_ms_ = 0;
  std::atomic<uint64_t> view_changes_{0};
  std::atomic<bool> halted_{false};
  std::string halt_reason_;
  Status fatal_ = Status::ok();
  bool stopped_ = false;
};

// ---------------------------------------------------------------------------
// Start-up

Status Node::Impl::init() {
  std::vector<std::string> missing = missing_files(cfg_);
  if (!missing.empty()) {
    std::string all;
    for (const std::string& m : missing) all += (all.empty() ? "" : "\n") + m;
    return Status::invalid(all);
  }
  IPL_ASSIGN_OR_RETURN(std::string gtext, read_file(cfg_.genesis_file, 64u << 20));
  IPL_ASSIGN_OR_RETURN(genesis_, genesis::load(gtext, registry_));
  genesis_hash_ = genesis_.hash();
  IPL_ASSIGN_OR_RETURN(transport_key_, load_secret_key(cfg_.transport_key_file));
  if (!cfg_.consensus_key_file.empty()) {
    IPL_ASSIGN_OR_RETURN(consensus_key_, load_secret_key(cfg_.consensus_key_file));
  } else {
    // An observer without a consensus key: a throwaway key outside every
    // validator set (it never signs anything that counts).
    consensus_key_ = KeyPair::generate();
  }
  if (consensus_key_.public_key == transport_key_.public_key) {
    return Status::invalid("keys.consensus and keys.transport must be different keys");
  }
  for (const PeerConfig& p : cfg_.peers) {
    member_transport_keys_.insert(p.transport_key);
    if (p.consensus_key) {
      consensus_to_transport_[*p.consensus_key] = p.transport_key;
      transport_to_consensus_[p.transport_key] = *p.consensus_key;
    }
  }
  spdlog::info("node: chain {} genesis {} mode {} consensus key {} transport key {}", genesis_.chain_id,
               to_hex(genesis_hash_), cfg_.mode == NodeMode::kValidator ? "validator" : "observer",
               short_hex(consensus_key_.public_key.bytes), short_hex(transport_key_.public_key.bytes));
  IPL_RETURN_IF_ERROR(open_storage());

  MempoolOptions mo;
  mo.chain_id = genesis_.chain_id;
  mo.limits.tx_bytes_max = cfg_.limits.tx_bytes_max;
  mo.limits.txs_max = cfg_.limits.mempool_txs_max;
  mo.limits.bytes_max = cfg_.limits.mempool_bytes_max;
  mo.limits.sender_txs_max = cfg_.limits.mempool_sender_txs_max;
  mo.limits.nonce_window = cfg_.limits.mempool_nonce_window;
  mo.verify_threads = cfg_.verify_threads;
  IPL_RETURN_IF_ERROR(mo.limits.validate());
  mempool_ = std::make_unique<Mempool>(mo, *this);

  queued_height_ = ledger_->height();
  committed_height_ = ledger_->height();
  IPL_RETURN_IF_ERROR(start_transport());
  exec_thread_ = std::thread([this] { exec_loop(); });
  consensus_thread_ = std::thread([this] { consensus_loop(); });
  IPL_RETURN_IF_ERROR(start_api());
  return Status::ok();
}

Status Node::Impl::open_storage() {
  std::error_code ec;
  std::filesystem::create_directories(cfg_.data_dir, ec);
  if (ec) return Status::io_error("cannot create " + cfg_.data_dir + ": " + ec.message());
  IPL_ASSIGN_OR_RETURN(ledger_store_, ledger::open_leveldb(cfg_.data_dir + "/ledger"));
  ledger::LedgerOptions lo;
  lo.chain_id = genesis_.chain_id;
  lo.state_retained_heights = cfg_.limits.state_retained_heights;
  lo.sync = true;
  IPL_ASSIGN_OR_RETURN(ledger_, ledger::Ledger::open(*ledger_store_, lo));
  const ledger::BlockCommit gcommit = genesis::build_genesis_commit(genesis_);
  const Hash32 genesis_block_id = gcommit.block.header.id();
  if (ledger_->height() == 0) {
    IPL_ASSIGN_OR_RETURN(LedgerInfo gli, ledger_->commit_block(gcommit));
    spdlog::info("node: initialised {} with the genesis block {} (state root {})", cfg_.data_dir,
                 short_hex(gli.block_id), short_hex(gli.state_root));
  } else {
    IPL_ASSIGN_OR_RETURN(Block first, ledger_->block_at(1));
    if (first.header.id() != genesis_block_id) {
      return Status::invalid(cfg_.data_dir + " holds another chain: its block 1 is " + to_hex(first.header.id()) +
                             ", this genesis makes " + to_hex(genesis_block_id));
    }
  }
  IPL_ASSIGN_OR_RETURN(cs_, ConsensusStore::open(cfg_.data_dir));
  const bool fresh = !cs_->is_initialised();
  if (fresh) {
    if (ledger_->height() != 1) {
      return Status::corruption(cfg_.data_dir + ": the ledger has blocks but the consensus store is missing");
    }
    QuorumCert gqc;
    gqc.data = VoteData{genesis_.chain_id, Epoch(1), Round(0), genesis_block_id};
    IPL_RETURN_IF_ERROR(cs_->save_epoch(EpochState{Epoch(1), genesis_.validator_set()}, std::nullopt));
    IPL_RETURN_IF_ERROR(cs_->record_commit({}, gcommit.block, gqc));
    consensus::SafetyData sd{Epoch(1), Round(0), Round(0)};
    IPL_RETURN_IF_ERROR(cs_->save_safety(SafetyFile{sd, gqc, std::nullopt}));
  }
  // Replay the commit log: committed blocks the ledger has not executed.
  IPL_ASSIGN_OR_RETURN(std::vector<Block> pending, cs_->committed_above(ledger_->height()));
  for (const Block& b : pending) {
    if (b.header.height.value() != ledger_->height() + 1) {
      return Status::corruption("commit log: block at height " + std::to_string(b.header.height.value()) +
                                " does not follow the ledger's height " + std::to_string(ledger_->height()));
    }
    LedgerInfo li;
    std::optional<Height> scheduled;
    IPL_RETURN_IF_ERROR(execute_block(b, li, scheduled));
    if (scheduled) IPL_RETURN_IF_ERROR(cs_->save_epoch(*cs_->epoch(), scheduled));
    spdlog::info("node: replayed committed block height={} id={}", li.height.value(), short_hex(li.block_id));
  }
  IPL_ASSIGN_OR_RETURN(std::optional<SafetyFile> safety, cs_->load_safety());
  if (!safety) {
    spdlog::warn("node: safety data {}/safety is missing: this validator votes again from the next epoch",
                 cfg_.data_dir);
  }
  consensus::Config cc;
  cc.chain_id = genesis_.chain_id;
  replica_ = std::make_unique<consensus::Replica>(cc, make_bootstrap(fresh, safety),
                                                  std::make_unique<consensus::Ed25519Signer>(consensus_key_), verifier_);
  // Executed heights whose certificate never arrived (e.g. killed first).
  for (uint64_t h = ledger_->height(); h >= 2 && h + kCertChaseWindow > ledger_->height(); --h) {
    IPL_ASSIGN_OR_RETURN(std::optional<ExecutionCertificate> c, ledger_->certificate_at(h));
    if (!c) uncertified_[h] = 0;
    if (c && uncertified_.empty() && ledger_->height() - h > 2 * limits::uncertified_blocks_max) break;
  }
  spdlog::info("node: ledger height {} epoch {} root height {}; {}", ledger_->height(),
               replica_->epoch().number.value(), replica_->committed_root().header.height.value(),
               replica_->is_validator() ? "a validator of this epoch" : "not a validator of this epoch (observer)");
  return Status::ok();
}

consensus::Bootstrap Node::Impl::make_bootstrap(bool fresh, const std::optional<SafetyFile>& safety) {
  consensus::Bootstrap b;
  b.epoch = *cs_->epoch();
  b.root = cs_->root()->first;
  b.root_qc = cs_->root()->second;
  auto li = ledger_->ledger_info_at(ledger_->height());
  IPL_ASSERT(li.is_ok());
  b.executed = *li;
  b.boundary = cs_->boundary();
  if (safety) {
    b.safety = safety->data;
    b.high_qc = safety->high_qc;
    b.high_tc = safety->high_tc;
  }
  (void)fresh;
  auto voted = cs_->load_voted();
  if (voted.is_ok()) b.blocks = std::move(*voted);
  auto proofs = cs_->epoch_proofs();
  if (proofs.is_ok()) b.epoch_proofs = std::move(*proofs);
  return b;
}

Status Node::Impl::execute_block(const Block& b, LedgerInfo& li, std::optional<Height>& scheduled) {
  contracts::BlockContext ctx{genesis_.chain_id, b.header.height.value(), b.header.timestamp_ms};
  // Signatures were checked before the block was voted for (by at least
  // f+1 honest validators); the executor need not check them again.
  contracts::ExecOptions eo;
  eo.verify_signatures = false;
  LedgerView base(*ledger_);
  IPL_ASSIGN_OR_RETURN(contracts::BlockResult r, contracts::execute_block(registry_, base, ctx, b.txs, eo));
  ledger::BlockCommit c;
  c.block = b;
  c.receipts = std::move(r.receipts);
  c.writes.reserve(r.writes.size());
  for (contracts::StateWrite& w : r.writes) {
    c.writes.push_back(ledger::RecordWrite{Bytes(w.key.begin(), w.key.end()), std::move(w.body), w.tx_id});
  }
  c.protocol_version = r.protocol_version;
  c.next_epoch = r.next_epoch;
  IPL_ASSIGN_OR_RETURN(li, ledger_->commit_block(c));
  IPL_RETURN_IF_ERROR(cs_->forget_committed(li.height.value()));
  scheduled.reset();
  if (!r.scheduled.empty()) scheduled = Height(r.scheduled.back().boundary_height);
  return Status::ok();
}

Status Node::Impl::start_transport() {
  net::TransportConfig tc;
  tc.listen_host = cfg_.p2p_listen.host;
  tc.listen_port = cfg_.p2p_listen.port;
  tc.genesis_hash = genesis_hash_;
  tc.key = transport_key_;
  for (const PeerConfig& p : cfg_.peers) tc.peers.push_back(net::PeerAddress{p.address.host, p.address.port, p.transport_key});
  tc.limits.frame_bytes_max = cfg_.limits.p2p_frame_bytes_max;
  net::TransportCallbacks cb;
  cb.on_message = [this](const PublicKey& peer, Bytes message) {
    auto m = decode_net(message);
    if (!m.is_ok()) {
      spdlog::warn("p2p: undecodable message from {}: {}", short_hex(peer.bytes), m.status().to_string());
      return;
    }
    if (auto* g = std::get_if<TxGossip>(&*m)) {
      for (const Transaction& tx : g->txs) mempool_->submit_async(tx.encode(), [](const SubmitResult&) {}, Mempool::Origin::kPeer);
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    if (inbox_.size() >= kInboxMax) {
      inbox_.pop_front();
      ++inbox_dropped_;
    }
    if (auto* c = std::get_if<consensus::Message>(&*m)) {
      inbox_.push_back(Input{from_transport(peer), std::move(*c)});
    } else if (auto* rq = std::get_if<CertRequest>(&*m)) {
      if (cert_inbox_.size() < kCertInboxMax) cert_inbox_.push_back(CertInput{peer, *rq});
    } else if (auto* rs = std::get_if<CertResponse>(&*m)) {
      if (cert_inbox_.size() < kCertInboxMax) cert_inbox_.push_back(CertInput{peer, std::move(*rs)});
    }
    cv_.notify_one();
  };
  cb.on_peer_up = [](const PublicKey& peer) { spdlog::info("p2p: peer {} up", short_hex(peer.bytes)); };
  cb.on_peer_down = [](const PublicKey& peer, const std::string& reason) {
    spdlog::info("p2p: peer {} down: {}", short_hex(peer.bytes), reason);
  };
  auto is_member = [this](const PublicKey& key) { return member_transport_keys_.count(key) != 0; };
  IPL_ASSIGN_OR_RETURN(transport_, net::Transport::start(tc, cb, is_member));
  spdlog::info("p2p: listening on {}:{} with {} configured peers", cfg_.p2p_listen.host, transport_->port(),
               cfg_.peers.size());
  return Status::ok();
}

Status Node::Impl::start_api() {
  api::ServerOptions so;
  so.body_bytes_max = cfg_.limits.http_body_bytes_max;
  so.request_timeout_ms = cfg_.limits.http_request_timeout_ms;
  so.threads = cfg_.http_threads;
  limiter_ = std::make_unique<api::RateLimiter>(static_cast<double>(cfg_.limits.http_rate_per_key_per_s),
                                                static_cast<double>(cfg_.limits.http_rate_burst_per_key),
                                                limits::http_rate_keys_max, clock_);
  server_ = std::make_unique<api::ApiServer>(so);
  for (api::Route& r : api::v1_routes(*this, *limiter_, cfg_.limits.tx_bytes_max, cfg_.limits.http_batch_body_bytes_max)) {
    server_->add_route(std::move(r));
  }
  IPL_RETURN_IF_ERROR(server_->start(cfg_.http_listen.host, cfg_.http_listen.port));
  spdlog::info("http: listening on {}:{}", cfg_.http_listen.host, server_->port());
  return Status::ok();
}

void Node::Impl::send_to(const PublicKey& k, const consensus::Message& msg) {
  // A fetch response is cut to the blocks that fit one wire message (a
  // newest-first prefix is still a valid answer; the peer asks again).
  consensus::Message trimmed;
  const consensus::Message* mp = &msg;
  if (const auto* r = std::get_if<consensus::FetchResponse>(&msg)) {
    size_t bytes = 0, keep = 0;
    for (; keep < r->blocks.size(); ++keep) {
      bytes += r->blocks[keep].encode().size() + 256;
      if (bytes + kWireMarginBytes > limits::wire_message_bytes_max) break;
    }
    if (keep < r->blocks.size()) {
      consensus::FetchResponse cut;
      cut.blocks.assign(r->blocks.begin(), r->blocks.begin() + static_cast<std::ptrdiff_t>(keep));
      trimmed = std::move(cut);
      mp = &trimmed;
    }
  }
  const consensus::Message& m = *mp;
  auto it = consensus_to_transport_.find(k);
  if (it != consensus_to_transport_.end()) {
    (void)transport_->send(it->second, encode_net(m));
  } else if (member_transport_keys_.count(k)) {
    (void)transport_->send(k, encode_net(m));
  } else {
    (void)transport_->broadcast(encode_net(m));
  }
}

PublicKey Node::Impl::from_transport(const PublicKey& k) const {
  auto it = transport_to_consensus_.find(k);
  return it == transport_to_consensus_.end() ? k : it->second;
}

// ---------------------------------------------------------------------------
// Stop

void Node::Impl::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    cv_.notify_all();
  }
  if (server_) server_->stop();
  if (transport_) transport_->stop();
  if (consensus_thread_.joinable()) consensus_thread_.join();
  {
    std::lock_guard<std::mutex> lock(exec_mu_);
    exec_stopping_ = true;
    exec_cv_.notify_all();
  }
  if (exec_thread_.joinable()) exec_thread_.join();
  mempool_.reset();
  spdlog::info("node: stopped at height {}", ledger_ ? ledger_->height() : 0);
}

Status Node::Impl::wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return stopping_; });
  return fatal_;
}

void Node::Impl::halt(const std::string& why) {
  if (halted_.exchange(true)) return;
  spdlog::critical("node: HALTED: {}", why);
  std::lock_guard<std::mutex> lock(status_mu_);
  halt_reason_ = why;
}

// ---------------------------------------------------------------------------
// The consensus thread

void Node::Impl::consensus_loop() {
  pthread_setname_np(pthread_self(), "ipl-consensus");
  apply(replica_->start(now_ms()));
  publish_status();
  for (;;) {
    std::deque<Input> batch;
    std::deque<Executed> done;
    std::deque<CertInput> certs;
    {
      std::unique_lock<std::mutex> lock(mu_);
      const uint64_t now = steady_ms();
      uint64_t wake = now + 100;
      if (!timers_.empty()) wake = std::min(wake, timers_.top().due_ms);
      if (deferred_) wake = std::min(wake, std::min(deferred_->due_ms, now + 10));
      bool has_gossip = false;  // already known: the wake time covers it
      {
        std::lock_guard<std::mutex> g(gossip_mu_);
        has_gossip = !gossip_.empty();
        if (has_gossip) wake = std::min(wake, last_gossip_flush_ms_ + kGossipFlushMs);
      }
      if (inbox_.empty() && executed_.empty() && cert_inbox_.empty() && !stopping_ && wake > now) {
        cv_.wait_for(lock, std::chrono::milliseconds(wake - now), [this, has_gossip] {
          return stopping_ || !inbox_.empty() || !executed_.empty() || !cert_inbox_.empty() ||
                 (!has_gossip && gossip_waiting_.load());
        });
      }
      if (stopping_) return;
      done.swap(executed_);
      certs.swap(cert_inbox_);
      // A bounded slice, so timers are never starved by a busy inbox.
      for (size_t k = 0; k < 256 && !inbox_.empty(); ++k) {
        batch.push_back(std::move(inbox_.front()));
        inbox_.pop_front();
      }
    }
    while (!timers_.empty() && timers_.top().due_ms <= steady_ms()) {
      const Timer t = timers_.top();
      timers_.pop();
      if (halted_) continue;
      if (t.epoch == replica_->epoch().number && t.round == replica_->current_round()) {
        view_changes_.fetch_add(1);
        const ValidatorSet& vs = replica_->epoch().validators;
        spdlog::info("consensus: round {} of epoch {} timed out (leader {})", t.round.value(), t.epoch.value(),
                     vs.size() ? short_hex(vs.consensus_keys[consensus::Pacemaker::leader(t.round, vs.size(), {}).value()].bytes)
                               : std::string("-"));
      }
      apply(replica_->on_timeout(now_ms(), t.epoch, t.round));
    }
    for (const Executed& e : done) on_executed(e);
    for (Input& in : batch) handle_input(std::move(in));
    for (CertInput& c : certs) handle_cert(std::move(c));
    chase_certificates();
    maybe_propose_deferred();
    if (steady_ms() >= last_gossip_flush_ms_ + kGossipFlushMs) flush_gossip();
    publish_status();
  }
}

void Node::Impl::handle_input(Input in) {
  if (halted_) return;
  if (auto* p = std::get_if<consensus::Proposal>(&in.msg)) {
    const uint64_t t0 = steady_ms();
    Seen seen;
    Status s = check_payload(p->block, seen);
    const uint64_t took = steady_ms() - t0;
    if (took >= 100) {
      spdlog::info("consensus: payload check of round {} ({} txs) took {} ms", p->block.header.round.value(),
                   p->block.txs.size(), took);
    }
    if (!s.is_ok()) {
      spdlog::warn("consensus: refused proposal {} (epoch {} round {}) from {}: {}", short_hex(p->block.header.id()),
                   p->block.header.epoch.value(), p->block.header.round.value(), short_hex(in.from.bytes),
                   s.to_string());
      return;
    }
    remember(std::move(seen));
  } else if (auto* r = std::get_if<consensus::FetchResponse>(&in.msg)) {
    for (const Block& b : r->blocks) remember_block(b);
  }
  Effects fx = replica_->on_message(now_ms(), in.from, in.msg);
  if (auto* req = std::get_if<consensus::FetchRequest>(&in.msg)) serve_from_ledger(in.from, *req, fx);
  apply(std::move(fx));
}

// A proposal's payload, before the replica may vote for it (DESIGN.md data
// flow step 3): each transaction decodes, names this chain, is not already
// committed nor in an uncommitted ancestor nor twice in the block, and is
// signed by its sender.
Status Node::Impl::check_payload(const Block& b, Seen& seen) const {
  if (b.txs.size() > cfg_.limits.block_txs_max) return Status::limit("more transactions than block_txs_max");
  std::set<Hash32> ids;
  size_t bytes = 0;
  seen.ids.reserve(b.txs.size());
  seen.senders.reserve(b.txs.size());
  for (const Transaction& tx : b.txs) {
    auto body = TxBody::decode(tx.body);
    if (!body.is_ok()) return Status::invalid("a transaction body does not decode: " + body.status().to_string());
    if (body->chain_id != genesis_.chain_id) return Status::invalid("a transaction names chain " + body->chain_id);
    const Hash32 id = tx.id();
    if (!ids.insert(id).second) return Status::invalid("transaction " + to_hex(id) + " twice in the block");
    bytes += tx.body.size() + sizeof(tx.signature.bytes);
    seen.ids.push_back(id);
    seen.senders.emplace_back(body->sender_key, body->nonce);
  }
  seen.block = b;
  if (bytes > cfg_.limits.block_bytes_max) return Status::limit("more bytes than block_bytes_max");
  // Uncommitted ancestors known to this node.
  Hash32 parent = b.header.parent_id;
  for (size_t depth = 0; depth < kSeenBlocksMax; ++depth) {
    auto it = seen_.find(parent);
    if (it == seen_.end() || it->second.block.header.height.value() <= ledger_->height()) break;
    for (const Hash32& aid : it->second.ids) {
      if (ids.count(aid)) return Status::invalid("transaction " + to_hex(aid) + " is in an ancestor block");
    }
    parent = it->second.block.header.parent_id;
  }
  for (const Hash32& id : ids) {
    // Pending in our mempool means not committed (commits evict at once).
    if (mempool_->contains(id)) continue;
    {
      std::lock_guard<std::mutex> lock(unexec_mu_);
      if (unexec_ids_.count(id)) return Status::invalid("transaction " + to_hex(id) + " is already committed");
    }
    auto loc = ledger_->find_tx(id);
    if (!loc.is_ok()) return loc.status();
    if (loc->has_value()) return Status::invalid("transaction " + to_hex(id) + " is already committed");
  }
  if (!mempool_->check_signatures(b.txs)) return Status::bad_signature("a transaction's signature does not verify");
  return Status::ok();
}

Node::Impl::Seen Node::Impl::describe(const Block& b) {
  Seen s;
  s.block = b;
  s.ids.reserve(b.txs.size());
  for (const Transaction& tx : b.txs) {
    s.ids.push_back(tx.id());
    auto body = TxBody::decode(tx.body);
    if (body.is_ok()) s.senders.emplace_back(body->sender_key, body->nonce);
  }
  return s;
}

void Node::Impl::remember_block(const Block& b) {
  if (seen_.count(b.header.id()) || b.header.height.value() <= ledger_->height()) return;
  remember(describe(b));
}

void Node::Impl::remember(Seen seen) {
  const Hash32 id = seen.block.header.id();
  if (seen_.count(id) || seen.block.header.height.value() <= ledger_->height()) return;
  seen_.emplace(id, std::move(seen));
  while (seen_.size() > kSeenBlocksMax) {
    auto lowest = seen_.begin();
    for (auto it = seen_.begin(); it != seen_.end(); ++it) {
      if (it->second.block.header.height < lowest->second.block.header.height) lowest = it;
    }
    seen_.erase(lowest);
  }
}

// The replica keeps only recent blocks; a fetch it answers short (or not
// at all) is continued from the ledger, newest first.
void Node::Impl::serve_from_ledger(const PublicKey& to, const consensus::FetchRequest& req, Effects& fx) {
  const uint32_t count = std::min<uint32_t>(req.count, limits::fetch_blocks_max);
  consensus::FetchResponse* resp = nullptr;
  for (consensus::Effect& e : fx) {
    if (auto* snd = std::get_if<consensus::Send>(&e)) {
      if (auto* r = std::get_if<consensus::FetchResponse>(&snd->msg)) resp = r;
    }
  }
  Hash32 next = req.block_id;
  if (resp != nullptr) {
    if (resp->blocks.empty()) return;
    next = resp->blocks.back().header.parent_id;
  }
  size_t bytes = 0;
  std::vector<Block> more;
  while ((resp ? resp->blocks.size() : 0) + more.size() < count) {
    auto h = ledger_->height_of_block(next);
    if (!h.is_ok() || !h->has_value()) break;
    auto b = ledger_->block_at(**h);
    if (!b.is_ok()) break;
    bytes += b->encode().size();
    if (bytes > limits::wire_message_bytes_max / 2 && !more.empty()) break;
    next = b->header.parent_id;
    more.push_back(std::move(*b));
  }
  if (more.empty()) return;
  if (resp == nullptr) {
    fx.push_back(consensus::Send{to, consensus::FetchResponse{}});
    resp = &std::get<consensus::FetchResponse>(std::get<consensus::Send>(fx.back()).msg);
  }
  for (Block& b : more) resp->blocks.push_back(std::move(b));
}

void Node::Impl::apply(Effects first) {
  std::deque<Effects> work;
  work.push_back(std::move(first));
  while (!work.empty()) {
    Effects fx = std::move(work.front());
    work.pop_front();
    for (consensus::Effect& e : fx) {
      if (halted_) return;
      std::visit(
          Overloaded{
              [&](consensus::Send& s) { send_to(s.to, s.msg); },
              [&](consensus::Broadcast& b) {
                if (auto* p = std::get_if<consensus::Proposal>(&b.msg)) remember_block(p->block);
                (void)transport_->broadcast(encode_net(b.msg));
              },
              [&](consensus::PersistSafety& p) {
                Status st = Status::ok();
                if (p.voted_block) st = cs_->save_voted(*p.voted_block);
                if (st.is_ok()) st = cs_->save_safety(SafetyFile{p.data, p.high_qc, p.high_tc});
                if (!st.is_ok()) halt("cannot persist safety data: " + st.to_string());
              },
              [&](consensus::SetTimer& t) { timers_.push(Timer{steady_ms() + t.delay_ms, t.epoch, t.round}); },
              [&](consensus::Commit& c) { on_commit(c); },
              [&](consensus::Fetch& f) {
                send_to(f.from, consensus::Message(f.request));
              },
              [&](consensus::NeedPayload& p) {
                if (p.suffix) {
                  work.push_back(replica_->on_propose_ready(now_ms(), p.round, {}));
                  return;
                }
                std::vector<Transaction> txs = make_payload();
                if (txs.empty() && !ancestors_carry_txs()) {
                  deferred_ = Deferred{p.epoch, p.round, steady_ms() + limits::empty_block_delay_ms};
                  return;
                }
                deferred_.reset();
                work.push_back(replica_->on_propose_ready(now_ms(), p.round, std::move(txs)));
              },
              [&](consensus::Certified& c) {
                const uint64_t h = c.cert.ledger_info.height.value();
                if (h > ledger_->height()) {
                  early_certs_[h] = c.cert;
                  return;
                }
                store_cert(c.cert);
              },
              [&](consensus::Alarm& a) {
                switch (a.kind) {
                  case consensus::AlarmKind::kUncertified:
                    spdlog::error("consensus: no execution certificate within the bound at height {}: {}", a.height.value(), a.detail);
                    break;
                  case consensus::AlarmKind::kDivergence:
                    halt("divergence at height " + std::to_string(a.height.value()) + ": " + a.detail);
                    break;
                  case consensus::AlarmKind::kConflictingCommit:
                  case consensus::AlarmKind::kConflictingCertificate:
                    halt("conflicting commit or certificate at height " + std::to_string(a.height.value()) + ": " + a.detail);
                    break;
                }
              },
              [&](consensus::EvidenceFound& ev) {
                spdlog::warn("consensus: equivocation evidence against validator {} of epoch {} at slot {}",
                             ev.evidence.validator.value(), ev.evidence.epoch.value(), ev.evidence.slot);
                Status st = cs_->save_evidence(ev.evidence);
                if (!st.is_ok()) spdlog::error("consensus: evidence not stored: {}", st.to_string());
              },
              [&](consensus::EpochChanged& ec) {
                QuorumCert qc;
                qc.data = VoteData{genesis_.chain_id, ec.next.number, Round(0), ec.root.header.id()};
                Status st = cs_->change_epoch(ec.next, ec.root, qc, ec.proof);
                if (!st.is_ok()) return halt("cannot persist the epoch change: " + st.to_string());
                spdlog::info("consensus: epoch {} begins after height {} with {} validators; this node is {}",
                             ec.next.number.value(), ec.proof.ledger_info.height.value(), ec.next.validators.size(),
                             replica_->is_validator() ? "a validator" : "not a validator");
                transport_->refresh_membership();
              },
          },
          e);
    }
  }
}

// The consensus thread: record the commit durably, make the blocks count as
// committed for the mempool and the payload check, hand them to the
// executor. Execution runs behind (at most limits::execution_lag_max + 1
// heights: the replica votes at h only after h - L - 1 was executed).
void Node::Impl::on_commit(const consensus::Commit& c) {
  Status st = cs_->record_commit(c.blocks, c.root, c.root_qc);
  if (!st.is_ok()) return halt("cannot record committed blocks: " + st.to_string());
  std::vector<const Block*> fresh;
  for (const Block& b : c.blocks) {
    if (b.header.height.value() > queued_height_) fresh.push_back(&b);
  }
  if (fresh.empty()) return;
  // Ids and senders as computed when the block was first seen (a proposal
  // or a fetch); a block that arrived otherwise is described now.
  std::vector<Seen> described;
  std::vector<const Seen*> meta;
  described.reserve(fresh.size());
  for (const Block* b : fresh) {
    auto it = seen_.find(b->header.id());
    if (it != seen_.end()) {
      meta.push_back(&it->second);
    } else {
      described.push_back(describe(*b));
      meta.push_back(&described.back());
    }
  }
  {
    std::lock_guard<std::mutex> lock(unexec_mu_);
    for (const Seen* m : meta) {
      const uint64_t h = m->block.header.height.value();
      for (const Hash32& id : m->ids) unexec_ids_[id] = h;
      for (const auto& [sender, n] : m->senders) {
        auto& [nonce, at] = unexec_nonce_[sender];
        if (n >= nonce) {
          nonce = n;
          at = h;
        }
      }
    }
  }
  committed_height_ = fresh.back()->header.height.value();
  for (const Seen* m : meta) mempool_->on_committed(m->ids, m->senders);
  {
    std::lock_guard<std::mutex> lock(exec_mu_);
    for (const Block* b : fresh) exec_queue_.push_back(*b);
    exec_cv_.notify_one();
  }
  queued_height_ = fresh.back()->header.height.value();
}

// The consensus thread, after the executor committed a height.
void Node::Impl::on_executed(const Executed& e) {
  if (halted_) return;
  if (e.scheduled) {
    Status st = cs_->save_epoch(*cs_->epoch(), e.scheduled);
    if (!st.is_ok()) return halt("cannot persist the scheduled epoch boundary: " + st.to_string());
  }
  {
    // Certified already when the certificate beat this notification.
    auto have = ledger_->certificate_at(e.li.height.value());
    if (!have.is_ok() || !have->has_value()) uncertified_[e.li.height.value()] = steady_ms();
  }
  auto early = early_certs_.find(e.li.height.value());
  if (early != early_certs_.end()) {
    store_cert(early->second);
    early_certs_.erase(early);
  }
  while (early_certs_.size() > limits::uncertified_blocks_max * 4) early_certs_.erase(std::prev(early_certs_.end()));
  for (auto it = seen_.begin(); it != seen_.end();) {
    it = it->second.block.header.height <= e.li.height ? seen_.erase(it) : std::next(it);
  }
  apply(replica_->on_executed(now_ms(), e.li, e.scheduled));
}

void Node::Impl::exec_loop() {
  pthread_setname_np(pthread_self(), "ipl-executor");
  // Below the consensus thread: when the cores are saturated, rounds must
  // keep their pace (a late vote costs a round timeout) while execution may
  // fall behind, up to the lag the replica allows (it votes at h only after
  // h - L - 1 executed), which then slows consensus gracefully.
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kExecutorNice) != 0) {
    spdlog::debug("node: could not lower the executor thread's priority: {}", std::strerror(errno));
  }
  for (;;) {
    Block b;
    {
      std::unique_lock<std::mutex> lock(exec_mu_);
      exec_cv_.wait(lock, [this] { return exec_stopping_ || !exec_queue_.empty(); });
      if (exec_stopping_) return;  // the commit log replays the rest at the next start
      b = std::move(exec_queue_.front());
      exec_queue_.pop_front();
    }
    if (halted_) continue;
    if (b.header.height.value() <= ledger_->height()) continue;  // executed before a restart
    const auto t0 = std::chrono::steady_clock::now();
    Executed e;
    Status st = execute_block(b, e.li, e.scheduled);
    if (!st.is_ok()) {
      halt("cannot execute block at height " + std::to_string(b.header.height.value()) + ": " + st.to_string());
      continue;
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const uint64_t h = e.li.height.value();
    {
      std::lock_guard<std::mutex> lock(unexec_mu_);
      for (const Transaction& tx : b.txs) unexec_ids_.erase(tx.id());
      for (auto it = unexec_nonce_.begin(); it != unexec_nonce_.end();) {
        it = it->second.second <= h ? unexec_nonce_.erase(it) : std::next(it);
      }
    }
    if (!b.txs.empty()) {
      const uint64_t now = steady_ms();
      std::lock_guard<std::mutex> lock(submit_mu_);
      for (const Transaction& tx : b.txs) {
        auto it = submit_ms_.find(tx.id());
        if (it == submit_ms_.end()) continue;
        latency_.observe(static_cast<double>(now - it->second) / 1000.0);
        submit_ms_.erase(it);
      }
    }
    spdlog::info("commit height={} epoch={} round={} txs={} id={} state_root={} exec_ms={:.1f}", h,
                 b.header.epoch.value(), b.header.round.value(), b.txs.size(), short_hex(e.li.block_id),
                 short_hex(e.li.state_root), ms);
    {
      std::lock_guard<std::mutex> lock(status_mu_);
      last_commit_steady_ms_ = steady_ms();
    }
    std::lock_guard<std::mutex> lock(mu_);
    executed_.push_back(std::move(e));
    cv_.notify_one();
  }
}

std::vector<Transaction> Node::Impl::make_payload() {
  // Highest nonce per sender in the uncommitted ancestors of the block to
  // propose (it extends the high QC's block).
  std::map<PublicKey, uint64_t> ancestors;
  Hash32 id = replica_->high_qc().data.block_id;
  for (size_t depth = 0; depth < kSeenBlocksMax; ++depth) {
    auto it = seen_.find(id);
    if (it == seen_.end() || it->second.block.header.height.value() <= ledger_->height()) break;
    for (const auto& [sender, nonce] : it->second.senders) {
      uint64_t& n = ancestors[sender];
      n = std::max(n, nonce);
    }
    id = it->second.block.header.parent_id;
  }
  const size_t max_bytes = std::min<size_t>(cfg_.limits.block_bytes_max, limits::block_bytes_max - kWireMarginBytes);
  const size_t max_txs = std::min<size_t>(cfg_.limits.block_txs_max, kProposalTxsMax);
  return mempool_->next_batch(max_txs, max_bytes, ancestors);
}

void Node::Impl::store_cert(const ExecutionCertificate& c) {
  const uint64_t h = c.ledger_info.height.value();
  // Not fsynced: a certificate lost in a crash is fetched again from a peer
  // (chase_certificates), and nothing else depends on it being durable.
  Status st = ledger_->store_certificate(c, /*sync=*/false);
  if (!st.is_ok()) {
    spdlog::error("ledger: certificate for height {} not stored: {}", h, st.to_string());
    return;
  }
  uncertified_.erase(h);
}

// The validator set that certifies LedgerInfos of epoch `e`: the genesis set
// for epoch 1, else the next_epoch of the stored proof that ended e - 1.
Result<ValidatorSet> Node::Impl::validators_of(Epoch e) const {
  if (e == replica_->epoch().number) return replica_->epoch().validators;
  if (e.value() == 1) return genesis_.validator_set();
  IPL_ASSIGN_OR_RETURN(std::vector<ExecutionCertificate> proofs, cs_->epoch_proofs());
  for (const ExecutionCertificate& p : proofs) {
    if (p.ledger_info.next_epoch && p.ledger_info.next_epoch->number == e) return p.ledger_info.next_epoch->validators;
  }
  return Status::not_found("no validator set known for epoch " + std::to_string(e.value()));
}

// Certificate sync (node/wire.h): answers requests from the ledger; checks
// each certificate received against its epoch's validator set and our own
// LedgerInfo (store_certificate refuses a different one).
void Node::Impl::handle_cert(CertInput in) {
  if (auto* rq = std::get_if<CertRequest>(&in.msg)) {
    CertResponse resp;
    const uint64_t top = ledger_->height();
    const uint32_t count = std::min<uint32_t>(rq->count, limits::fetch_blocks_max);
    size_t bytes = 0;
    for (uint64_t h = rq->from_height; h <= top && h < rq->from_height + count; ++h) {
      auto c = ledger_->certificate_at(h);
      if (!c.is_ok() || !c->has_value()) continue;
      bytes += (*c)->encode().size();
      if (bytes + kWireMarginBytes > limits::wire_message_bytes_max) break;
      resp.certs.push_back(std::move(**c));
    }
    if (!resp.certs.empty()) (void)transport_->send(in.transport_key, encode_net(resp));
    return;
  }
  auto& rs = std::get<CertResponse>(in.msg);
  for (const ExecutionCertificate& c : rs.certs) {
    const uint64_t h = c.ledger_info.height.value();
    if (!uncertified_.count(h)) continue;  // not asked, or already have it
    auto vs = validators_of(c.ledger_info.epoch);
    Status st = vs.is_ok() ? c.verify(*vs) : vs.status();
    if (!st.is_ok()) {
      spdlog::warn("p2p: certificate for height {} from {} refused: {}", h, short_hex(in.transport_key.bytes), st.to_string());
      continue;
    }
    store_cert(c);
    if (!uncertified_.count(h)) spdlog::info("ledger: certificate for height {} received from a peer", h);
  }
}

void Node::Impl::chase_certificates() {
  const uint64_t now = steady_ms();
  if (uncertified_.empty() || now < last_cert_ask_ms_ + kCertAskEveryMs) return;
  const uint64_t top = ledger_->height();
  while (!uncertified_.empty() && uncertified_.begin()->first + kCertChaseWindow < top) {
    uncertified_.erase(uncertified_.begin());
  }
  if (uncertified_.empty() || uncertified_.begin()->second + kCertGraceMs > now) return;
  std::vector<PublicKey> peers;
  for (const net::PeerInfo& p : transport_->peers()) {
    if (p.is_connected) peers.push_back(p.key);
  }
  if (peers.empty()) return;
  last_cert_ask_ms_ = now;
  const PublicKey& to = peers[cert_peer_rr_++ % peers.size()];
  (void)transport_->send(to, encode_net(CertRequest{uncertified_.begin()->first, limits::fetch_blocks_max}));
}

bool Node::Impl::ancestors_carry_txs() const {
  Hash32 id = replica_->high_qc().data.block_id;
  for (size_t depth = 0; depth < kSeenBlocksMax; ++depth) {
    auto it = seen_.find(id);
    if (it == seen_.end() || it->second.block.header.height.value() <= ledger_->height()) return false;
    if (!it->second.block.txs.empty()) return true;
    id = it->second.block.header.parent_id;
  }
  return false;
}

void Node::Impl::maybe_propose_deferred() {
  if (!deferred_ || halted_) return;
  if (deferred_->epoch != replica_->epoch().number || deferred_->round != replica_->current_round()) {
    deferred_.reset();  // the round moved on without us
    return;
  }
  std::vector<Transaction> txs = make_payload();
  if (txs.empty() && steady_ms() < deferred_->due_ms) return;
  const Round r = deferred_->round;
  deferred_.reset();
  apply(replica_->on_propose_ready(now_ms(), r, std::move(txs)));
}

void Node::Impl::flush_gossip() {
  std::vector<Transaction> txs;
  gossip_waiting_ = false;
  {
    std::lock_guard<std::mutex> lock(gossip_mu_);
    txs.swap(gossip_);
  }
  last_gossip_flush_ms_ = steady_ms();
  // Chunks of at most kGossipBatchMax transactions and kGossipBytesMax bytes.
  size_t start = 0, bytes = 0;
  for (size_t i = 0; i <= txs.size(); ++i) {
    const size_t sz = i < txs.size() ? txs[i].body.size() + sizeof(txs[i].signature.bytes) + 16 : 0;
    const bool full = i - start == kGossipBatchMax || bytes + sz > kGossipBytesMax;
    if ((i == txs.size() || full) && i > start) {
      (void)transport_->broadcast(encode_net(std::span<const Transaction>(txs.data() + start, i - start)));
      start = i;
      bytes = 0;
    }
    bytes += sz;
  }
}

void Node::Impl::publish_status() {
  api::NodeStatus s;
  s.chain_id = genesis_.chain_id;
  s.genesis_hash = genesis_hash_;
  s.mode = replica_->is_validator() ? "validator" : "observer";
  s.consensus_key = consensus_key_.public_key;
  s.height = ledger_->height();
  s.committed_height = replica_->committed_root().header.height.value();
  s.epoch = replica_->epoch().number.value();
  s.round = replica_->current_round().value();
  const ValidatorSet& vs = replica_->epoch().validators;
  if (vs.size() > 0) {
    const ValidatorIndex l = consensus::Pacemaker::leader(replica_->current_round(), vs.size(), {});
    s.leader = vs.consensus_keys[l.value()];
  }
  s.mempool_size = mempool_->size();
  std::lock_guard<std::mutex> lock(status_mu_);
  s.certified_height = status_.certified_height;
  status_ = std::move(s);
}

// ---------------------------------------------------------------------------
// api::NodeFacade

api::SubmitAnswer Node::Impl::submit_tx(ByteView tx_bytes) {
  api::SubmitAnswer a;
  if (halted_) {
    a.code = "node.halted";
    a.message = "this node is halted: " + status().halt_reason;
    return a;
  }
  const uint64_t t0 = steady_ms();
  SubmitResult r = mempool_->submit(tx_bytes);
  a.code = std::string(verdict_code(r.verdict));
  a.message = r.message;
  a.tx_id = r.tx_id;
  if (r.is_accepted() && r.is_new) {
    auto tx = Transaction::decode(tx_bytes);
    if (tx.is_ok()) {
      {
        std::lock_guard<std::mutex> lock(submit_mu_);
        if (submit_ms_.emplace(*r.tx_id, t0).second) submit_order_.push_back(*r.tx_id);
        while (submit_order_.size() > kSubmitTimesMax) {
          submit_ms_.erase(submit_order_.front());
          submit_order_.pop_front();
        }
      }
      bool was_empty = false;
      {
        std::lock_guard<std::mutex> lock(gossip_mu_);
        was_empty = gossip_.empty();
        gossip_.push_back(std::move(*tx));
      }
      if (was_empty) {
        // Wake the consensus thread so the batch leaves within kGossipFlushMs.
        std::lock_guard<std::mutex> lock(mu_);
        gossip_waiting_ = true;
        cv_.notify_one();
      }
    }
  }
  return a;
}

Result<api::TxStatus> Node::Impl::find_tx(const Hash32& tx_id) {
  api::TxStatus s;
  IPL_ASSIGN_OR_RETURN(std::optional<ledger::TxLocation> loc, ledger_->find_tx(tx_id));
  if (loc) {
    s.state = api::TxState::kCommitted;
    s.height = loc->height;
    IPL_ASSIGN_OR_RETURN(LedgerInfo li, ledger_->ledger_info_at(loc->height));
    s.block_id = li.block_id;
    s.receipt = std::move(loc->receipt);
    return s;
  }
  s.state = mempool_->contains(tx_id) ? api::TxState::kPending : api::TxState::kUnknown;
  return s;
}

api::Health Node::Impl::health() {
  api::Health h;
  const api::NodeStatus s = status();
  h.mode = s.mode;
  h.height = s.height;
  h.last_commit_age_ms = s.last_commit_age_ms;
  if (s.is_halted) {
    h.is_ok = false;
    h.status = "halted";
  }
  return h;
}

api::MetricsSnapshot Node::Impl::metrics() {
  api::MetricsSnapshot m;
  const api::NodeStatus s = status();
  m.height = s.height;
  m.epoch = s.epoch;
  m.round = s.round;
  m.view_changes_total = view_changes_.load();
  for (const api::PeerStatus& p : s.peers) m.peers += p.is_connected ? 1 : 0;
  const MempoolStats ms = mempool_->stats();
  m.mempool_size = ms.size;
  m.mempool_bytes = ms.bytes;
  m.verify_rate_per_core = ms.verify_rate_per_core();
  m.verified_total = ms.verified_total;
  for (size_t i = 0; i < kTxVerdictCount; ++i) {
    m.mempool_answers_total.emplace_back(std::string(verdict_code(static_cast<TxVerdict>(i))), ms.answers_total[i]);
  }
  m.commit_latency_seconds = latency_.snapshot();
  return m;
}

api::NodeStatus Node::Impl::status() {
  api::NodeStatus s;
  {
    std::lock_guard<std::mutex> lock(status_mu_);
    s = status_;
    s.is_halted = halted_.load();
    s.halt_reason = halt_reason_;
    s.last_commit_age_ms = last_commit_steady_ms_ == 0 ? 0 : steady_ms() - last_commit_steady_ms_;
  }
  s.height = ledger_->height();
  for (const net::PeerInfo& p : transport_->peers()) s.peers.push_back(api::PeerStatus{p.key, p.address, p.is_connected});
  for (uint64_t h = s.height; h >= 1 && h + 64 > s.height; --h) {
    auto c = ledger_->certificate_at(h);
    if (c.is_ok() && c->has_value()) {
      s.certified_height = h;
      break;
    }
  }
  return s;
}

Result<std::optional<api::BlockView>> Node::Impl::block_at(uint64_t height) {
  if (height == 0 || height > ledger_->height()) return std::optional<api::BlockView>();
  api::BlockView v;
  IPL_ASSIGN_OR_RETURN(v.block, ledger_->block_at(height));
  IPL_ASSIGN_OR_RETURN(v.ledger_info, ledger_->ledger_info_at(height));
  IPL_ASSIGN_OR_RETURN(v.certificate, ledger_->certificate_at(height));
  v.receipts.reserve(v.block.txs.size());
  for (const Transaction& tx : v.block.txs) {
    IPL_ASSIGN_OR_RETURN(std::optional<ledger::TxLocation> loc, ledger_->find_tx(tx.id()));
    if (!loc) return Status::corruption("committed transaction " + to_hex(tx.id()) + " has no receipt");
    v.receipts.push_back(std::move(loc->receipt));
  }
  return std::optional<api::BlockView>(std::move(v));
}

Result<EpochChangeProof> Node::Impl::epoch_change_proof() {
  EpochChangeProof p;
  IPL_ASSIGN_OR_RETURN(p.changes, cs_->epoch_proofs());
  return p;
}

// ---------------------------------------------------------------------------
// CommittedLookup

bool Node::Impl::is_committed(const Hash32& tx_id) const {
  {
    std::lock_guard<std::mutex> lock(unexec_mu_);
    if (unexec_ids_.count(tx_id)) return true;
  }
  auto loc = ledger_->find_tx(tx_id);
  return loc.is_ok() && loc->has_value();
}

uint64_t Node::Impl::next_nonce(const PublicKey& sender) const {
  uint64_t unexecuted = 0;
  {
    std::lock_guard<std::mutex> lock(unexec_mu_);
    auto it = unexec_nonce_.find(sender);
    if (it != unexec_nonce_.end()) unexecuted = it->second.first + 1;
  }
  return std::max(unexecuted, executed_next_nonce(sender));
}

uint64_t Node::Impl::executed_next_nonce(const PublicKey& sender) const {
  const std::string key = contracts::keys::nonce(sender);
  auto env = ledger_->record_at(as_view(key), ledger_->height());
  if (!env.is_ok() || !env->has_value()) return 1;
  auto body = contracts::RecordBody::decode((*env)->body);
  if (!body.is_ok()) return 1;
  Decoder d(body->data);
  uint64_t n = 0;
  if (!d.u64(n).is_ok()) return 1;
  return n + 1;
}

// ---------------------------------------------------------------------------

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Node::~Node() { stop(); }

Result<std::unique_ptr<Node>> Node::start(const NodeConfig& config) {
  auto impl = std::make_unique<Impl>(config);
  Status s = impl->init();
  if (!s.is_ok()) {
    impl->stop();
    return s;
  }
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

Status Node::wait() { return impl_->wait(); }
void Node::stop() { impl_->stop(); }
uint16_t Node::p2p_port() const { return impl_->p2p_port(); }
uint16_t Node::http_port() const { return impl_->http_port(); }

}  // namespace ipl::node
