#include "consensus/replica.h"

#include <algorithm>

#include "common/limits.h"

namespace ipl::consensus {

namespace {

// Bounds on the replica's waiting rooms (each entry is verified first).
constexpr size_t kPendingProposalsMax = 8;
constexpr size_t kPendingQcsMax = 8;
constexpr size_t kFetchInflightMax = 16;
constexpr size_t kOwnLedgerInfosKept = 2 * limits::uncertified_blocks_max;
// Catch-up anchors: each stands for up to fetch_blocks_max blocks, so 256
// let a replica climb back over 8,192 blocks without starting again.
constexpr size_t kAnchorsMax = 256;
// Unanswered asks (each after a base timeout, to every validator) before
// the catch-up gives a link up (blocks of a fork nobody kept).
constexpr uint32_t kChaseAttemptsMax = 3;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

QuorumCert genesis_qc(const std::string& chain_id, Epoch epoch, const Hash32& root_id) {
  QuorumCert qc;
  qc.data = VoteData{chain_id, epoch, Round(0), root_id};
  return qc;
}

std::optional<ValidatorIndex> index_of(const ValidatorSet& vs, const PublicKey& pk) {
  for (uint32_t i = 0; i < vs.size(); ++i) {
    if (vs.consensus_keys[i] == pk) return ValidatorIndex(i);
  }
  return std::nullopt;
}

}  // namespace

Replica::Replica(Config cfg, const Bootstrap& boot, std::unique_ptr<Signer> signer, const Verifier& verifier)
    : cfg_(std::move(cfg)),
      signer_(std::move(signer)),
      verifier_(verifier),
      epoch_(boot.epoch),
      guard_(boot.safety.value_or(SafetyData{boot.epoch.number, Round(0), Round(0)})),
      pacemaker_(cfg_.round_timeout_base_ms, cfg_.round_timeout_max_ms) {
  IPL_ASSERT(signer_ != nullptr);
  IPL_ASSERT(epoch_.validators.size() > 0 && epoch_.validators.size() <= limits::validators_max);
  IPL_ASSERT(boot.root_qc.data.block_id == boot.root.header.id());
  guard_.set_bugs(cfg_.bugs);
  my_index_ = index_of(epoch_.validators, signer_->public_key());
  // C6: without safety data of this epoch the validator cannot know what it
  // signed before the restart; it sits out the epoch.
  can_vote_ = boot.safety.has_value() && boot.safety->epoch == epoch_.number;
  const bool root_in_epoch = boot.root.header.epoch == epoch_.number && boot.root.header.round.value() > 0;
  const Round root_round = root_in_epoch ? boot.root.header.round : Round(0);
  tree_.reset(boot.root, root_round);
  epoch_root_id_ = root_in_epoch ? Hash32{} : tree_.root_id();
  if (!root_in_epoch) {
    // The epoch's root block: its certificate is the epoch's genesis QC.
    root_qc_ = genesis_qc(cfg_.chain_id, epoch_.number, tree_.root_id());
  } else {
    root_qc_ = boot.root_qc;
  }
  high_qc_ = root_qc_;
  guard_.observe_qc(high_qc_.data.round);
  pacemaker_.advance(high_qc_.data.round);
  boundary_ = boot.boundary;
  executed_ = boot.executed;
  // A restart may follow a crash between executing a block and signing
  // its LedgerInfo (the driver executes the committed blocks again before
  // starting us): start() signs the last executed LedgerInfo of this epoch
  // once more, so the collector must still accept that height. Without it
  // an uncertified boundary would never be certified (the epoch would run
  // suffix blocks for ever).
  const bool executed_in_epoch = root_in_epoch && executed_.epoch == epoch_.number && executed_.height.value() > 0;
  collector_.reset(executed_in_epoch ? Height(executed_.height.value() - 1) : executed_.height, epoch_.validators);
  if (executed_in_epoch) my_lis_[executed_.height.value()] = executed_;
  for (const ExecutionCertificate& c : boot.epoch_proofs) {
    if (c.ledger_info.epoch < epoch_.number) epoch_certs_[c.ledger_info.epoch.value()] = c;
  }
  // Blocks voted before the restart, oldest round first (C9: parents first).
  std::vector<const Block*> stored;
  for (const Block& b : boot.blocks) stored.push_back(&b);
  std::sort(stored.begin(), stored.end(),
            [](const Block* x, const Block* y) { return x->header.round < y->header.round; });
  for (const Block* b : stored) {
    const Hash32 id = b->header.id();
    if (b->header.epoch != epoch_.number || b->header.round <= tree_.root_round() || tree_.contains(id)) continue;
    if (!tree_.contains(b->header.parent_id) || !check_child(*b).is_ok()) continue;
    tree_.insert(*b, id);
  }
  // Back to the round our persisted certificates reach (C7 still holds:
  // these are certificates we verified before storing them).
  if (boot.high_tc && boot.high_tc->epoch == epoch_.number) {
    high_tc_ = *boot.high_tc;
    pacemaker_.advance(high_tc_->round);
  }
  if (boot.high_qc && boot.high_qc->data.epoch == epoch_.number && boot.high_qc->data.round > high_qc_.data.round) {
    const QuorumCert& qc = *boot.high_qc;
    if (tree_.contains(qc.data.block_id)) {
      high_qc_ = qc;
    } else {
      // Fetched on the first timeout, from every validator.
      pending_qcs_.emplace_back(epoch_.validators.consensus_keys[0], qc);
      fetch_inflight_.emplace(qc.data.block_id, epoch_.validators.consensus_keys[0]);
    }
    pacemaker_.advance(qc.data.round);
  }
  IPL_ASSERT(pacemaker_.current_round() > high_qc_.data.round);
}

ValidatorIndex Replica::leader(Round r) const {
  return Pacemaker::leader(r, epoch_.validators.size(), cfg_.leaders_for_test);
}

void Replica::persist(Effects& out, const Block* voted) {
  if (cfg_.bugs.skip_persist) return;  // planted bug (tests only)
  out.push_back(PersistSafety{guard_.data(), voted ? std::optional<Block>(*voted) : std::nullopt, high_qc_, high_tc_});
}

Effects Replica::start(uint64_t now_ms) {
  Effects out;
  if (my_index_ && can_vote_) persist(out);
  // Sign our last executed LedgerInfo again (see the constructor): the
  // signature may never have left before the restart. Deterministic
  // execution makes it the same LedgerInfo, so this is no equivocation.
  auto mine = my_lis_.find(executed_.height.value());
  if (mine != my_lis_.end() && executed_.epoch == epoch_.number) sign_ledger_info(now_ms, mine->second, out);
  const Epoch before = epoch_.number;
  try_switch_epoch(now_ms, out);  // our signature may complete the boundary's certificate
  if (epoch_.number == before) enter_round(now_ms, out);  // (a switch entered round 1 already)
  return out;
}

// ---------------------------------------------------------------------------
// Checks

Status Replica::check_qc(const QuorumCert& qc) const {
  if (qc.data.chain_id != cfg_.chain_id) return Status::invalid("certificate for another chain");
  if (qc.is_genesis()) {
    // Valid only for this epoch's root block.
    if (qc.data.epoch == epoch_.number && qc.data.block_id == epoch_root_id_ && epoch_root_id_ != Hash32{}) {
      return Status::ok();
    }
    if (qc.data.epoch == epoch_.number && qc.data.block_id == root_qc_.data.block_id && root_qc_.is_genesis()) {
      return Status::ok();
    }
    return Status::invalid("genesis certificate for a block that is not the epoch root");
  }
  return verify_qc(verifier_, epoch_.validators, qc);  // C1
}

Status Replica::check_child(const Block& b) const {
  const BlockHeader& h = b.header;
  const Block* parent = tree_.get(h.parent_id);
  IPL_ASSERT(parent != nullptr);
  const Round parent_round = tree_.round_of(h.parent_id);
  if (h.parent_qc.data.round != parent_round) return Status::invalid("parent QC round is not the parent's round");
  if (h.round <= parent_round) return Status::invalid("round not above the parent's");
  if (h.timestamp_ms <= parent->header.timestamp_ms) return Status::invalid("timestamp not above the parent's");
  const uint64_t ph = parent->header.height.value();
  const bool parent_at_boundary = boundary_ && ph >= boundary_->value() && parent->header.epoch == epoch_.number;
  if (parent_at_boundary) {
    // C14: above the boundary only suffix blocks: same height, no payload.
    if (h.height.value() != boundary_->value()) return Status::invalid("suffix block must repeat the boundary height");
    if (!b.txs.empty()) return Status::invalid("suffix block carries transactions");
  } else if (h.height.value() != ph + 1) {
    return Status::invalid("height is not the parent's + 1");
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------
// Inputs

Effects Replica::on_message(uint64_t now_ms, const PublicKey& from, const Message& msg) {
  Effects out;
  const std::optional<Epoch> e = message_epoch(msg);
  if (e && *e != epoch_.number) {
    if (*e > epoch_.number) higher_epoch_peer_ = from;  // ask on our next timeout
    return out;
  }
  std::visit(Overloaded{
                 [&](const Proposal& p) { handle_proposal(now_ms, from, p, out); },
                 [&](const Vote& v) { handle_vote(now_ms, from, v, out); },
                 [&](const TimeoutMsg& t) { handle_timeout(now_ms, from, t, out); },
                 [&](const LedgerInfoVote& l) { handle_li_vote(now_ms, l, out); },
                 [&](const SyncInfo& s) { handle_sync(now_ms, from, s, out); },
                 [&](const FetchRequest& r) { handle_fetch_request(from, r, out); },
                 [&](const FetchResponse& r) { handle_fetch_response(now_ms, from, r, out); },
                 [&](const EpochRequest& r) {
                   auto it = epoch_certs_.find(r.epoch.value());
                   if (it != epoch_certs_.end()) out.push_back(Send{from, EpochChange{it->second}});
                 },
                 [&](const EpochChange& c) { handle_epoch_change(now_ms, from, c, out); },
             },
             msg);
  return out;
}

Effects Replica::on_timeout(uint64_t now_ms, Epoch epoch, Round round) {
  Effects out;
  if (epoch != epoch_.number || round != pacemaker_.current_round()) return out;  // stale timer
  if (higher_epoch_peer_) out.push_back(Send{*higher_epoch_peer_, EpochRequest{epoch_.number}});
  // Retry what we are still waiting for (fetches may have been dropped, or
  // the peer asked may not hold the block): ask every validator.
  for (const auto& [id, peer] : fetch_inflight_) {
    for (const PublicKey& k : epoch_.validators.consensus_keys) {
      if (k != signer_->public_key()) out.push_back(Fetch{k, FetchRequest{id, limits::fetch_blocks_max}});
    }
  }
  fetch_boundary_block(now_ms, out);
  resend_boundary_ledger_info(now_ms, out);
  const PublicKey& some_peer = epoch_.validators.consensus_keys[(my_index_ ? my_index_->value() + 1 : 0) %
                                                               epoch_.validators.size()];
  if (some_peer != signer_->public_key()) catch_up(now_ms, some_peer, out);
  local_timeout(out);
  ++refires_;
  out.push_back(SetTimer{epoch_.number, round, pacemaker_.timeout_ms(high_qc_.data.round, refires_)});
  (void)now_ms;
  return out;
}

Effects Replica::on_executed(uint64_t now_ms, const LedgerInfo& li, std::optional<Height> scheduled_boundary) {
  Effects out;
  IPL_ASSERT(li.height > executed_.height);  // the driver executes in order, once
  IPL_ASSERT(li.chain_id == cfg_.chain_id);
  executed_ = li;
  my_lis_[li.height.value()] = li;
  while (my_lis_.size() > kOwnLedgerInfosKept) my_lis_.erase(my_lis_.begin());
  if (scheduled_boundary && !boundary_ && li.epoch == epoch_.number) boundary_ = scheduled_boundary;
  if (li.epoch == epoch_.number) {
    sign_ledger_info(now_ms, li, out);
    check_divergence(li.height, out);
    const uint64_t certified = std::max(collector_.highest_certified().value(), uint64_t{0});
    if (li.height.value() >= certified + limits::uncertified_blocks_max && !uncertified_alarm_) {
      uncertified_alarm_ = true;
      out.push_back(Alarm{AlarmKind::kUncertified, li.height, "no execution certificate within the window"});
    }
  }
  try_switch_epoch(now_ms, out);
  retry_pending(now_ms, out);
  maybe_propose(out);
  return out;
}

Effects Replica::on_propose_ready(uint64_t now_ms, Round round, std::vector<Transaction> txs) {
  Effects out;
  if (round != pacemaker_.current_round() || payload_round_ != round || proposed_round_ >= round) return out;
  if (!signing_allowed() || leader(round) != *my_index_) return out;
  const Block* parent = tree_.get(high_qc_.data.block_id);
  // The parent must be the committed root or above it: a commit through the
  // certificates carried by fetched blocks can move the root past the high
  // QC's block (kept in the tree only to serve fetches); a block on it would
  // not extend the committed chain, so this round gets no proposal from us
  // (found by the sweep, seed 35901).
  if (parent == nullptr || parent->header.round < tree_.root_round()) return out;
  proposed_round_ = round;
  Block b;
  BlockHeader& h = b.header;
  h.chain_id = cfg_.chain_id;
  h.epoch = epoch_.number;
  h.round = round;
  const bool suffix = boundary_ && parent->header.epoch == epoch_.number && parent->header.height >= *boundary_;
  h.height = suffix ? *boundary_ : parent->header.height.next();
  if (!suffix) b.txs = std::move(txs);
  if (b.txs.size() > limits::block_txs_max) b.txs.resize(limits::block_txs_max);
  h.parent_id = high_qc_.data.block_id;
  h.parent_qc = high_qc_;
  h.proposer = *my_index_;
  h.timestamp_ms = std::max(now_ms, parent->header.timestamp_ms + 1);
  h.payload_hash = Block::payload_hash(b.txs);
  Proposal p;
  p.block = std::move(b);
  if (high_qc_.data.round.value() + 1 != round.value()) {
    IPL_ASSERT(high_tc_ && high_tc_->round.value() + 1 == round.value());  // C7
    p.tc = high_tc_;
  }
  const Round tc_round = p.tc ? p.tc->round : Round(0);
  const Round tc_hqc = p.tc ? p.tc->max_high_qc_round() : Round(0);
  if (!guard_.check_vote(round, high_qc_.data.round, p.tc ? std::optional<Round>(tc_round) : std::nullopt, tc_hqc)
           .is_ok()) {
    return out;
  }
  const Hash32 id = p.block.header.id();
  const VoteData vd{cfg_.chain_id, epoch_.number, round, id};
  p.proposer_vote = Vote{vd, *my_index_, signer_->sign(SigContext::kVote, vd.encode())};
  persist(out, &p.block);  // C6: before the proposal (which carries our vote) leaves
  IPL_ASSERT(cfg_.bugs.skip_persist || std::holds_alternative<PersistSafety>(out.back()));
  out.push_back(Broadcast{p});
  handle_proposal(now_ms, signer_->public_key(), p, out);
  IPL_ASSERT(tree_.contains(id));
  return out;
}

// ---------------------------------------------------------------------------
// Message handlers

void Replica::handle_proposal(uint64_t now, const PublicKey& from, const Proposal& p, Effects& out) {
  const BlockHeader& h = p.block.header;
  if (h.chain_id != cfg_.chain_id || h.round.value() == 0) return;
  if (h.proposer != leader(h.round)) return;
  if (p.block.txs.size() > limits::block_txs_max) return;
  const Hash32 id = h.id();
  const Vote& pv = p.proposer_vote;
  if (pv.voter != h.proposer || pv.data != VoteData{cfg_.chain_id, epoch_.number, h.round, id}) return;
  if (!verify_vote(verifier_, epoch_.validators, pv).is_ok()) return;
  if (Block::payload_hash(p.block.txs) != h.payload_hash) return;
  if (h.parent_qc.data.block_id != h.parent_id || h.parent_qc.data.round >= h.round) return;
  if (h.parent_qc.data.epoch != epoch_.number) return;
  if (!check_qc(h.parent_qc).is_ok()) return;
  if (p.tc) {
    if (p.tc->round.value() + 1 != h.round.value() || p.tc->chain_id != cfg_.chain_id) return;
    if (!verify_tc(verifier_, epoch_.validators, *p.tc).is_ok()) return;
  }
  note_vote_for_evidence(pv, out);
  IPL_ASSERT(pv.data.block_id == id);  // the leader's vote names this block
  process_qc(now, from, h.parent_qc, out);
  if (p.tc) process_tc(now, *p.tc, out);
  if (!tree_.contains(id)) {
    if (!tree_.contains(h.parent_id)) {
      if (pending_proposals_.size() >= kPendingProposalsMax) pending_proposals_.erase(pending_proposals_.begin());
      pending_proposals_.push_back(Pending{from, p});
      request_fetch(from, h.parent_id, out);
      catch_up(now, from, out);
      return;
    }
    if (h.round <= tree_.root_round()) return;  // below the committed root: irrelevant
    if (!check_child(p.block).is_ok()) return;
    tree_.insert(p.block, id);
    attach_orphans(now, out);
  }
  IPL_ASSERT(tree_.contains(id));  // C9: inserted only after its parent
  // The leader of the next round counts the proposer's vote.
  add_vote(now, from, pv, out);
  try_vote(now, p, out);
}

void Replica::try_vote(uint64_t now, const Proposal& p, Effects& out) {
  const BlockHeader& h = p.block.header;
  if (!signing_allowed() || h.round != pacemaker_.current_round()) return;
  if (!tree_.contains(h.parent_id)) return;
  // C15: the timestamp rule (above the parent's is checked in check_child).
  if (h.timestamp_ms > now + limits::clock_drift_max_ms) return;
  // C14: execution may lag ordering by at most L heights.
  if (executed_.height.value() + limits::execution_lag_max + 1 < h.height.value()) {
    bool queued = false;
    for (const Pending& q : pending_proposals_) queued = queued || q.proposal.block.header.round == h.round;
    if (!queued) {
      if (pending_proposals_.size() >= kPendingProposalsMax) pending_proposals_.erase(pending_proposals_.begin());
      pending_proposals_.push_back(Pending{signer_->public_key(), p});
    }
    return;
  }
  const std::optional<Round> tc_round = p.tc ? std::optional<Round>(p.tc->round) : std::nullopt;
  const Round tc_hqc = p.tc ? p.tc->max_high_qc_round() : Round(0);
  if (!guard_.check_vote(h.round, h.parent_qc.data.round, tc_round, tc_hqc).is_ok()) return;  // C3, C4
  const Hash32 id = h.id();
  const VoteData vd{cfg_.chain_id, epoch_.number, h.round, id};
  const Vote v{vd, *my_index_, signer_->sign(SigContext::kVote, vd.encode())};
  persist(out, &p.block);  // C6
  IPL_ASSERT(guard_.data().last_voted_round >= h.round);  // C3
  const ValidatorIndex next = leader(h.round.next());
  if (next == *my_index_) {
    add_vote(now, signer_->public_key(), v, out);
  } else {
    out.push_back(Send{key_of(next), v});
  }
}

void Replica::handle_vote(uint64_t now, const PublicKey& from, const Vote& v, Effects& out) {
  if (v.data.chain_id != cfg_.chain_id) return;
  if (!verify_vote(verifier_, epoch_.validators, v).is_ok()) return;  // C1
  IPL_ASSERT(v.voter.value() < epoch_.validators.size());
  IPL_ASSERT(v.data.epoch == epoch_.number);
  note_vote_for_evidence(v, out);
  add_vote(now, from, v, out);
}

void Replica::add_vote(uint64_t now, const PublicKey& from, const Vote& v, Effects& out) {
  if (!my_index_ || leader(v.data.round.next()) != *my_index_) return;
  if (v.data.round <= high_qc_.data.round || qc_formed_.count(v.data.round.value())) return;
  // Bounded: a voter counts in one round at a time (its latest).
  auto& by_block = votes_[v.data.round.value()];
  for (const auto& [bid, s] : by_block) {
    if (s.has(v.voter)) return;
  }
  SignerSet& s = by_block[v.data.block_id];
  s.add(v.voter, v.signature, epoch_.validators.size());
  while (votes_.size() > epoch_.validators.size() + 2) votes_.erase(votes_.begin());
  if (s.count() < epoch_.validators.quorum()) return;
  QuorumCert qc{v.data, s};
  qc_formed_.insert(v.data.round.value());
  IPL_ASSERT(qc.signers.count() >= epoch_.validators.quorum());  // C1
  IPL_DEBUG_ASSERT(verify_qc(verifier_, epoch_.validators, qc).is_ok());
  process_qc(now, from, qc, out);
}

void Replica::note_vote_for_evidence(const Vote& v, Effects& out) {
  auto it = last_vote_by_.find(v.voter.value());
  if (it != last_vote_by_.end()) {
    const Vote& old = it->second;
    if (old.data.round == v.data.round && old.data.block_id != v.data.block_id) {
      out.push_back(EvidenceFound{Evidence{EvidenceKind::kDoubleVote, epoch_.number, v.voter, v.data.round.value(),
                                           old.encode(), v.encode()}});
      return;
    }
    if (old.data.round > v.data.round) return;
  }
  last_vote_by_[v.voter.value()] = v;
}

void Replica::handle_timeout(uint64_t now, const PublicKey& from, const TimeoutMsg& t, Effects& out) {
  if (t.data.chain_id != cfg_.chain_id) return;
  if (!verify_timeout_signature(verifier_, epoch_.validators, t).is_ok()) return;
  if (!check_qc(t.high_qc).is_ok()) return;
  IPL_ASSERT(t.data.high_qc_round < t.data.round);
  IPL_ASSERT(t.voter.value() < epoch_.validators.size());
  process_qc(now, from, t.high_qc, out);
  if (t.data.round < pacemaker_.current_round()) {
    // The sender is behind: hand it our certificates, once per round.
    // The reply may be lost, so repeat it at most once per base timeout.
    auto& [last_round, last_ms] = sync_replied_[t.voter.value()];
    if (t.data.round.value() > last_round || now >= last_ms + cfg_.round_timeout_base_ms) {
      last_round = t.data.round.value();
      last_ms = now;
      out.push_back(Send{from, SyncInfo{high_qc_, high_tc_}});
    }
    return;
  }
  add_timeout(now, t, out);
}

void Replica::add_timeout(uint64_t now, const TimeoutMsg& t, Effects& out) {
  auto it = timeouts_.find(t.voter.value());
  if (it != timeouts_.end() && it->second.data.round >= t.data.round) return;
  timeouts_[t.voter.value()] = t;  // bounded: one per voter
  size_t count = 0;
  for (const auto& [voter, m] : timeouts_) count += m.data.round == t.data.round ? 1 : 0;
  // Bracha-style amplification: f+1 timeouts for our round include an
  // honest one, so the round is failing; join it without waiting.
  if (t.data.round == pacemaker_.current_round() && count > epoch_.validators.max_faulty() &&
      timed_out_round_ < t.data.round) {
    local_timeout(out);
  }
  if (count < epoch_.validators.quorum()) return;
  TimeoutCert tc;
  tc.chain_id = cfg_.chain_id;
  tc.epoch = epoch_.number;
  tc.round = t.data.round;
  SignerSet probe;
  for (const auto& [voter, m] : timeouts_) {
    if (m.data.round != t.data.round) continue;
    probe.add(ValidatorIndex(voter), m.signature, epoch_.validators.size());
    tc.high_qc_rounds.push_back(m.data.high_qc_round);  // map order = index order
  }
  tc.bitmap = probe.bitmap;
  tc.signatures = probe.signatures;
  IPL_ASSERT(tc.signatures.size() >= epoch_.validators.quorum());  // C1
  IPL_ASSERT(tc.high_qc_rounds.size() == tc.signatures.size());
  process_tc(now, tc, out);
}

void Replica::local_timeout(Effects& out) {
  const Round r = pacemaker_.current_round();
  if (!signing_allowed() || timed_out_round_ >= r) {
    if (signing_allowed() && timed_out_round_ == r) {
      // Re-broadcast our timeout for this round (it may have been lost).
      auto it = timeouts_.find(my_index_->value());
      if (it != timeouts_.end() && it->second.data.round == r) out.push_back(Broadcast{it->second});
    } else {
      // We cannot sign (observer, no safety data, diverged): still show
      // our certificates so peers that are ahead answer with theirs.
      out.push_back(Broadcast{SyncInfo{high_qc_, high_tc_}});
    }
    return;
  }
  const std::optional<Round> tc_round = high_tc_ ? std::optional<Round>(high_tc_->round) : std::nullopt;
  if (!guard_.check_timeout(r, high_qc_.data.round, tc_round).is_ok()) {
    // Typically after a restart: we signed in a later round than the one
    // our certificates reach. Ask peers to bring us forward.
    out.push_back(Broadcast{SyncInfo{high_qc_, high_tc_}});
    return;
  }  // C3, C5
  timed_out_round_ = r;
  TimeoutMsg t;
  t.data = TimeoutData{cfg_.chain_id, epoch_.number, r, high_qc_.data.round};
  t.high_qc = high_qc_;
  t.voter = *my_index_;
  t.signature = signer_->sign(SigContext::kTimeout, t.data.encode());
  persist(out);  // C6
  IPL_ASSERT(guard_.data().last_voted_round >= r);
  out.push_back(Broadcast{t});
  add_timeout(0, t, out);
}

void Replica::handle_li_vote(uint64_t now, const LedgerInfoVote& v, Effects& out) {
  if (v.ledger_info.chain_id != cfg_.chain_id || v.signer.value() >= epoch_.validators.size()) return;
  const PublicKey& pk = key_of(v.signer);
  if (!verifier_.verify(SigContext::kLedgerInfo, pk, v.ledger_info.encode(), v.signature)) return;
  IPL_ASSERT(v.ledger_info.epoch == epoch_.number);
  ExecCertCollector::Added a = collector_.add(v.ledger_info, v.signer, v.signature, executed_.height);
  IPL_ASSERT(!a.certificate || a.certificate->ledger_info == v.ledger_info);  // C11: formed by this signature
  if (a.equivocation) {
    out.push_back(EvidenceFound{Evidence{EvidenceKind::kDoubleLedgerInfo, epoch_.number, v.signer,
                                         v.ledger_info.height.value(), a.equivocation->encode(),
                                         v.ledger_info.encode()}});
  }
  if (a.conflicting_certificate) {
    out.push_back(Alarm{AlarmKind::kConflictingCertificate, v.ledger_info.height, "two certified LedgerInfos"});
  }
  if (a.certificate) on_certified(*a.certificate, out);
  try_switch_epoch(now, out);
}

void Replica::handle_sync(uint64_t now, const PublicKey& from, const SyncInfo& s, Effects& out) {
  if (!check_qc(s.high_qc).is_ok()) return;
  const Round their = std::max(s.high_qc.data.round, s.high_tc ? s.high_tc->round : Round(0));
  const Round ours = std::max(high_qc_.data.round, high_tc_ ? high_tc_->round : Round(0));
  if (their < ours) {
    // The sender is behind: answer with ours, at most once per base timeout.
    uint64_t& last = sync_sent_[from];
    if (last == 0 || now >= last + cfg_.round_timeout_base_ms) {
      last = now;
      out.push_back(Send{from, SyncInfo{high_qc_, high_tc_}});
    }
  }
  process_qc(now, from, s.high_qc, out);
  if (s.high_tc && s.high_tc->chain_id == cfg_.chain_id && verify_tc(verifier_, epoch_.validators, *s.high_tc).is_ok()) {
    process_tc(now, *s.high_tc, out);
  }
}

void Replica::handle_fetch_request(const PublicKey& from, const FetchRequest& r, Effects& out) {
  const uint32_t count = std::min(r.count, limits::fetch_blocks_max);
  std::vector<Block> blocks = tree_.chain_from(r.block_id, count);
  IPL_ASSERT(blocks.size() <= limits::fetch_blocks_max);  // bounded reply
  IPL_ASSERT(blocks.empty() || blocks.front().header.id() == r.block_id);
  if (!blocks.empty()) out.push_back(Send{from, FetchResponse{std::move(blocks)}});
}

void Replica::handle_fetch_response(uint64_t now, const PublicKey& from, const FetchResponse& r, Effects& out) {
  if (r.blocks.empty() || r.blocks.size() > limits::fetch_blocks_max) return;
  // The first block must be one we asked for, i.e. one a certificate named.
  Hash32 expect = r.blocks.front().header.id();
  if (!fetch_inflight_.count(expect)) return;
  fetch_inflight_.erase(expect);
  if (pending_epoch_cert_ && expect == pending_epoch_cert_->ledger_info.block_id) {
    // The certified boundary block itself (its id is what the execution
    // certificate signed). It may lie below our root (we committed it and
    // the suffix after it), where it can never attach as an orphan.
    boundary_block_ = r.blocks.front();
    try_switch_epoch(now, out);
    if (!pending_epoch_cert_) return;
  }
  // Orphans at or below the committed root can never attach.
  for (auto it = orphans_.begin(); it != orphans_.end();) {
    it = it->second.header.round <= tree_.root_round() ? orphans_.erase(it) : std::next(it);
  }
  Hash32 oldest_parent{};
  // The chain passed an anchor: what lies below was fetched before (kept,
  // or fetched again from that anchor), so do not descend further.
  bool covered = false;
  for (const Block& b : r.blocks) {
    const Hash32 id = b.header.id();
    if (id != expect) break;  // the chain must follow parent links
    if (b.header.chain_id != cfg_.chain_id || Block::payload_hash(b.txs) != b.header.payload_hash) break;
    if (b.header.parent_qc.data.block_id != b.header.parent_id) break;
    if (tree_.contains(id)) break;
    const std::pair<uint64_t, Hash32> key{b.header.round.value(), id};
    const bool first = oldest_parent == Hash32{};
    covered = covered || (!first && anchors_.count(key) != 0);
    if (first && b.header.round > tree_.root_round()) {
      // Remember the head of this chain: if its blocks do not fit among
      // the orphans (a long catch-up), asking for it again returns them.
      anchors_.emplace(key, Anchor{b.header.height, from});
      if (anchors_.size() > kAnchorsMax) anchors_.erase(std::prev(anchors_.end()));  // the newest
    }
    add_orphan(b, id);
    expect = b.header.parent_id;
    oldest_parent = b.header.parent_id;
  }
  attach_orphans(now, out);
  retry_pending(now, out);  // proposals that waited for these ancestors
  // Still not connected: continue from the oldest block's parent (named by
  // that block's parent QC, itself covered by the hash chain).
  if (!covered && oldest_parent != Hash32{} && !tree_.contains(oldest_parent) && orphans_.count(oldest_parent) == 0) {
    bool any_waiting = false;
    for (const auto& [id, b] : orphans_) any_waiting = any_waiting || b.header.parent_id == oldest_parent;
    if (any_waiting) request_fetch(from, oldest_parent, out);
  }
  catch_up(now, from, out);
}

void Replica::add_orphan(const Block& b, const Hash32& id) {
  if (orphans_.count(id) != 0) return;
  if (orphans_.size() >= limits::orphan_blocks_max) {
    // Full: what is nearest the tree matters most (it attaches first);
    // the newest blocks give way and are fetched again from an anchor.
    auto newest = orphans_.begin();
    for (auto it = orphans_.begin(); it != orphans_.end(); ++it) {
      if (it->second.header.round > newest->second.header.round) newest = it;
    }
    if (newest->second.header.round <= b.header.round) return;
    orphans_.erase(newest);
  }
  orphans_.emplace(id, b);
  IPL_ASSERT(orphans_.size() <= limits::orphan_blocks_max);
  IPL_ASSERT(orphans_.count(id) == 1);
}

// Catching up from far behind (a partition, an observer that was cut off):
// the blocks between the tree and the certified blocks peers talk about
// can be many more than orphans_ holds. Descending from a certified id
// keeps the blocks nearest the tree and an anchor per response; once the
// bottom attaches (and commits, through the QCs the blocks carry), the
// replica climbs: it asks again for the highest anchor whose chain of
// fetch_blocks_max blocks reaches its tree. One link is chased at a time,
// asked again of every validator after a base timeout, and given up after
// kChaseAttemptsMax asks (a fork's blocks nobody kept).
void Replica::catch_up(uint64_t now, const PublicKey& from, Effects& out) {
  const Round root_round = tree_.root_round();
  for (auto it = orphans_.begin(); it != orphans_.end();) {
    it = it->second.header.round <= root_round ? orphans_.erase(it) : std::next(it);
  }
  for (auto it = anchors_.begin(); it != anchors_.end();) {
    const bool reached = it->first.first <= root_round.value() || tree_.contains(it->first.second);
    it = reached ? anchors_.erase(it) : std::next(it);
  }
  std::optional<Hash32> target;
  PublicKey peer = from;
  // Climb: the highest anchor whose chain reaches the tree.
  const uint64_t reach = tree_.highest_height().value() + limits::fetch_blocks_max;
  for (const auto& [key, a] : anchors_) {
    if (orphans_.count(key.second) != 0 || a.height.value() > reach) continue;
    target = key.second;  // ascending rounds: the last one wins
    peer = a.from;
  }
  // Descend: below the lowest orphan that does not connect.
  if (!target) {
    const Block* lowest = nullptr;
    for (const auto& [id, b] : orphans_) {
      if (tree_.contains(b.header.parent_id) || orphans_.count(b.header.parent_id) != 0) continue;
      if (lowest == nullptr || b.header.round < lowest->header.round) lowest = &b;
    }
    if (lowest != nullptr) target = lowest->header.parent_id;
  }
  // Or start again from the lowest anchor whose blocks gave way.
  if (!target) {
    for (const auto& [key, a] : anchors_) {
      if (orphans_.count(key.second) != 0) continue;
      target = key.second;
      peer = a.from;
      break;
    }
  }
  if (!target) {
    chase_.reset();
    return;
  }
  IPL_ASSERT(!tree_.contains(*target));
  IPL_ASSERT(orphans_.count(*target) == 0);
  if (!chase_ || chase_->id != *target) {
    chase_ = Chase{*target, now, 0};
    request_fetch(peer, *target, out);  // nothing if already asked
    return;
  }
  if (now < chase_->asked_ms + cfg_.round_timeout_base_ms) return;
  if (++chase_->attempts > kChaseAttemptsMax) {
    // Give the link up, with every orphan and anchor that needs it; later
    // proposals start a new chain if it mattered.
    std::set<Hash32> dead{*target};
    for (bool grew = true; grew;) {  // bounded: each pass removes an orphan
      grew = false;
      for (auto it = orphans_.begin(); it != orphans_.end();) {
        const bool needs = dead.count(it->second.header.parent_id) != 0;
        if (needs) dead.insert(it->first);
        grew = grew || needs;
        it = needs ? orphans_.erase(it) : std::next(it);
      }
    }
    for (auto it = anchors_.begin(); it != anchors_.end();) {
      it = dead.count(it->first.second) != 0 ? anchors_.erase(it) : std::next(it);
    }
    fetch_inflight_.erase(*target);
    chase_.reset();
    return;
  }
  chase_->asked_ms = now;
  if (fetch_inflight_.count(*target) == 0) {
    if (fetch_inflight_.size() >= kFetchInflightMax) fetch_inflight_.erase(fetch_inflight_.begin());
    fetch_inflight_.emplace(*target, peer);
  }
  for (const PublicKey& k : epoch_.validators.consensus_keys) {
    if (k != signer_->public_key()) out.push_back(Fetch{k, FetchRequest{*target, limits::fetch_blocks_max}});
  }
  IPL_ASSERT(fetch_inflight_.count(*target) == 1);
}

void Replica::handle_epoch_change(uint64_t now, const PublicKey& from, const EpochChange& c, Effects& out) {
  const LedgerInfo& li = c.cert.ledger_info;
  if (li.epoch != epoch_.number || li.chain_id != cfg_.chain_id || !li.next_epoch) return;
  if (li.next_epoch->number.value() != epoch_.number.value() + 1) return;
  if (!verify_exec_cert(verifier_, epoch_.validators, c.cert).is_ok()) return;  // C1
  pending_epoch_cert_ = c.cert;
  pending_epoch_peer_ = from;
  boundary_fetch_ms_ = 0;
  fetch_boundary_block(now, out);
  attach_orphans(now, out);
  try_switch_epoch(now, out);
}

// ---------------------------------------------------------------------------
// Certificates, rounds, commits

void Replica::process_qc(uint64_t now, const PublicKey& from, const QuorumCert& qc, Effects& out) {
  IPL_ASSERT(qc.data.epoch == epoch_.number);
  const Round before = pacemaker_.current_round();
  if (!tree_.contains(qc.data.block_id)) {
    if (qc.data.round <= tree_.root_round()) return;
    if (pending_qcs_.size() >= kPendingQcsMax) pending_qcs_.erase(pending_qcs_.begin());
    pending_qcs_.emplace_back(from, qc);
    request_fetch(from, qc.data.block_id, out);
  } else {
    if (qc.data.round > high_qc_.data.round) high_qc_ = qc;
    // C13: the two-chain commit rule.
    const Block* certified = tree_.get(qc.data.block_id);
    const Hash32& parent_id = certified->header.parent_id;
    if (qc.data.block_id != tree_.root_id() && tree_.contains(parent_id)) {
      const Round parent_round = tree_.round_of(parent_id);
      if (parent_round.value() + 1 == qc.data.round.value() && parent_round > tree_.root_round()) {
        commit(parent_id, certified->header.parent_qc, out);
      }
    }
  }
  if (pacemaker_.advance(qc.data.round)) {
    enter_round(now, out);
  } else {
    maybe_propose(out);  // a higher QC's block may just have arrived
  }
  IPL_ASSERT(pacemaker_.current_round() >= before);
  IPL_ASSERT(pacemaker_.current_round() > qc.data.round);  // C7
}

void Replica::process_tc(uint64_t now, const TimeoutCert& tc, Effects& out) {
  IPL_ASSERT(tc.epoch == epoch_.number);
  if (!high_tc_ || tc.round > high_tc_->round) high_tc_ = tc;
  if (pacemaker_.advance(tc.round)) enter_round(now, out);
  IPL_ASSERT(pacemaker_.current_round() > tc.round);  // C7
  IPL_ASSERT(high_tc_->round >= tc.round);
}

void Replica::enter_round(uint64_t now, Effects& out) {
  const Round r = pacemaker_.current_round();
  IPL_ASSERT(r.value() >= 1);
  // Forget votes and timeouts of rounds that can no longer matter.
  while (!votes_.empty() && votes_.begin()->first + 1 < r.value()) votes_.erase(votes_.begin());
  refires_ = 0;
  out.push_back(SetTimer{epoch_.number, r, pacemaker_.timeout_ms(high_qc_.data.round, refires_)});
  // Suffix rounds may certify one after another while the boundary waits
  // for its execution certificate, so the timer never fires: retry here.
  fetch_boundary_block(now, out);
  resend_boundary_ledger_info(now, out);
  maybe_propose(out);
  retry_pending(now, out);
  IPL_ASSERT(pacemaker_.current_round() == r);
}

void Replica::maybe_propose(Effects& out) {
  const Round r = pacemaker_.current_round();
  if (!signing_allowed() || leader(r) != *my_index_ || payload_round_ >= r) return;
  const Block* parent = tree_.get(high_qc_.data.block_id);
  if (parent == nullptr) return;
  const bool via_qc = high_qc_.data.round.value() + 1 == r.value();
  const bool via_tc = high_tc_ && high_tc_->round.value() + 1 == r.value() &&
                      high_qc_.data.round >= high_tc_->max_high_qc_round();
  if (!via_qc && !via_tc) return;  // wait for the highest QC's block (fetch)
  const bool suffix = boundary_ && parent->header.epoch == epoch_.number && parent->header.height >= *boundary_;
  const Height height = suffix ? *boundary_ : parent->header.height.next();
  if (executed_.height.value() + limits::execution_lag_max + 1 < height.value()) return;  // C14
  payload_round_ = r;
  out.push_back(NeedPayload{epoch_.number, r, height, suffix});
  IPL_ASSERT(payload_round_ == r);
  IPL_ASSERT(proposed_round_ < r);
}

void Replica::request_fetch(const PublicKey& from, const Hash32& id, Effects& out) {
  if (tree_.contains(id) || orphans_.count(id) || fetch_inflight_.count(id)) return;
  // Requests may go unanswered (lost, or the peer pruned the block); the
  // oldest-keyed entry makes room, and QCs that still need it ask again.
  if (fetch_inflight_.size() >= kFetchInflightMax) fetch_inflight_.erase(fetch_inflight_.begin());
  fetch_inflight_.emplace(id, from);
  out.push_back(Fetch{from, FetchRequest{id, limits::fetch_blocks_max}});
}

void Replica::attach_orphans(uint64_t now, Effects& out) {
  bool progress = true;
  std::vector<QuorumCert> carried;  // the parent QCs of the blocks attached here
  // Bounded: every pass attaches or drops at least one orphan.
  while (progress && !orphans_.empty()) {
    progress = false;
    for (auto it = orphans_.begin(); it != orphans_.end();) {
      const Block& b = it->second;
      if (!tree_.contains(b.header.parent_id)) {
        ++it;
        continue;
      }
      progress = true;
      if (b.header.round > tree_.root_round() && check_child(b).is_ok()) {
        tree_.insert(b, it->first);
        carried.push_back(b.header.parent_qc);
      }
      it = orphans_.erase(it);
    }
  }
  // QCs that waited for their blocks.
  std::vector<std::pair<PublicKey, QuorumCert>> waiting;
  waiting.swap(pending_qcs_);
  for (const auto& [from, qc] : waiting) {
    if (tree_.contains(qc.data.block_id)) {
      process_qc(now, from, qc, out);
    } else if (qc.data.round > tree_.root_round() && pending_qcs_.size() < kPendingQcsMax) {
      pending_qcs_.emplace_back(from, qc);
    }
  }
  // The certificates the attached blocks carry: far behind, no other QC
  // names these blocks, and without them nothing would commit (C13) until
  // the whole gap is in the tree. Highest round first, since one commit
  // takes every ancestor with it; only those that raise the high QC or
  // commit are verified (C1) and used.
  std::sort(carried.begin(), carried.end(),
            [](const QuorumCert& x, const QuorumCert& y) { return x.data.round > y.data.round; });
  for (const QuorumCert& qc : carried) {
    if (qc.data.epoch != epoch_.number || !tree_.contains(qc.data.block_id)) continue;
    bool useful = qc.data.round > high_qc_.data.round;
    const Hash32& parent_id = tree_.get(qc.data.block_id)->header.parent_id;
    if (qc.data.block_id != tree_.root_id() && tree_.contains(parent_id)) {
      const Round parent_round = tree_.round_of(parent_id);
      useful = useful || (parent_round.value() + 1 == qc.data.round.value() && parent_round > tree_.root_round());
    }
    if (!useful || !check_qc(qc).is_ok()) continue;
    process_qc(now, signer_->public_key(), qc, out);
  }
  // An epoch's boundary certified by execution: commit it (a quorum
  // executed it, so it is committed at an honest replica).
  if (pending_epoch_cert_ && tree_.contains(pending_epoch_cert_->ledger_info.block_id)) {
    const Hash32& b = pending_epoch_cert_->ledger_info.block_id;
    if (b != tree_.root_id() && tree_.commit_path(b)) {
      QuorumCert qc;
      // The certificate of b is its child's parent QC, if we hold a child;
      // otherwise the root keeps its last QC (restart then starts at b's
      // execution certificate, which the driver stores).
      for (const Block& child : tree_.chain_from(high_qc_.data.block_id, limits::fetch_blocks_max)) {
        if (child.header.parent_id == b) qc = child.header.parent_qc;
      }
      if (qc.data.block_id != b) {
        // No QC of b at hand: b is certified by execution instead. The
        // root's certificate then names b without signatures; it is only
        // a local anchor (never verifies for peers) until the epoch ends.
        qc = QuorumCert{};
        qc.data = VoteData{cfg_.chain_id, epoch_.number, tree_.round_of(b), b};
      }
      commit(b, qc, out);
    }
  }
}

void Replica::retry_pending(uint64_t now, Effects& out) {
  std::vector<Pending> waiting;
  waiting.swap(pending_proposals_);
  for (const Pending& q : waiting) {
    const Round r = q.proposal.block.header.round;
    if (r < pacemaker_.current_round()) continue;
    if (!tree_.contains(q.proposal.block.header.parent_id)) {
      pending_proposals_.push_back(q);
      continue;
    }
    const Hash32 id = q.proposal.block.header.id();
    if (!tree_.contains(id)) {
      handle_proposal(now, q.from, q.proposal, out);
    } else if (executed_.height.value() + limits::execution_lag_max + 1 >= q.proposal.block.header.height.value()) {
      try_vote(now, q.proposal, out);
    } else {
      pending_proposals_.push_back(q);
    }
  }
}

void Replica::commit(const Hash32& id, const QuorumCert& qc, Effects& out) {
  std::optional<std::vector<Hash32>> path = tree_.commit_path(id);
  if (!path) {
    out.push_back(Alarm{AlarmKind::kConflictingCommit, tree_.get(id) ? tree_.get(id)->header.height : Height(0),
                        "a certified two-chain does not extend the committed chain"});
    return;
  }
  Commit c;
  for (const Hash32& h : *path) {
    const Block* b = tree_.get(h);
    const Block* parent = tree_.get(b->header.parent_id);
    const bool suffix = parent->header.epoch == b->header.epoch && parent->header.height == b->header.height;
    if (!suffix) c.blocks.push_back(*b);
  }
  tree_.commit_to(id);
  IPL_ASSERT(tree_.root_id() == id);  // C10
  IPL_ASSERT(qc.data.block_id == id);  // the driver restarts from (root, root_qc)
  root_qc_ = qc;
  c.root = tree_.root();
  c.root_qc = root_qc_;
  IPL_ASSERT(c.blocks.empty() || c.blocks.back().header.height <= c.root.header.height);
  out.push_back(std::move(c));
}

// ---------------------------------------------------------------------------
// Execution certificates and epochs

void Replica::sign_ledger_info(uint64_t now, const LedgerInfo& li, Effects& out) {
  IPL_ASSERT(li.epoch == epoch_.number);
  IPL_ASSERT(li.height <= executed_.height);  // only what we executed
  if (!my_index_ || diverged_) return;  // C16
  const Signature sig = signer_->sign(SigContext::kLedgerInfo, li.encode());
  out.push_back(Broadcast{LedgerInfoVote{li, *my_index_, sig}});
  ledger_info_sent_ms_ = now;
  ExecCertCollector::Added a = collector_.add(li, *my_index_, sig, executed_.height);
  if (a.certificate) on_certified(*a.certificate, out);
}

// The boundary's certificate is what starts the next epoch, and nothing
// else re-sends a lost LedgerInfoVote: while we have executed the boundary
// and hold no certificate for it, broadcast our signature again, at most
// once per base timeout.
void Replica::resend_boundary_ledger_info(uint64_t now, Effects& out) {
  if (!boundary_ || pending_epoch_cert_ || !my_index_ || diverged_ || executed_.height < *boundary_) return;
  auto mine = my_lis_.find(boundary_->value());
  if (mine == my_lis_.end() || mine->second.epoch != epoch_.number) return;
  if (now < ledger_info_sent_ms_ + cfg_.round_timeout_base_ms) return;
  ledger_info_sent_ms_ = now;
  const LedgerInfo& li = mine->second;
  IPL_ASSERT(li.height == *boundary_);
  out.push_back(Broadcast{LedgerInfoVote{li, *my_index_, signer_->sign(SigContext::kLedgerInfo, li.encode())}});
}

// The certified boundary block is needed to start the next epoch; if it is
// not in the tree (committed below our root, e.g. restarted from a suffix
// block) ask for it: from the peer that sent the certificate, else from
// every validator, at most once per base timeout.
void Replica::fetch_boundary_block(uint64_t now, Effects& out) {
  if (!pending_epoch_cert_ || boundary_block_) return;
  const Hash32& id = pending_epoch_cert_->ledger_info.block_id;
  if (tree_.contains(id) || orphans_.count(id) != 0) return;
  const bool again = boundary_fetch_ms_ != 0;
  if (again && now < boundary_fetch_ms_ + cfg_.round_timeout_base_ms) return;
  boundary_fetch_ms_ = now;
  if (fetch_inflight_.count(id) == 0) {
    if (fetch_inflight_.size() >= kFetchInflightMax) fetch_inflight_.erase(fetch_inflight_.begin());
    fetch_inflight_.emplace(id, pending_epoch_peer_.value_or(epoch_.validators.consensus_keys[0]));
  }
  const FetchRequest req{id, limits::fetch_blocks_max};
  if (pending_epoch_peer_) out.push_back(Fetch{*pending_epoch_peer_, req});
  if (!pending_epoch_peer_ || again) {
    for (const PublicKey& k : epoch_.validators.consensus_keys) {
      if (k != signer_->public_key() && k != pending_epoch_peer_) out.push_back(Fetch{k, req});
    }
  }
  IPL_ASSERT(fetch_inflight_.count(id) == 1);
}

void Replica::on_certified(const ExecutionCertificate& cert, Effects& out) {
  IPL_ASSERT(cert.signers.count() >= epoch_.validators.quorum());  // C1
  out.push_back(Certified{cert});
  uncertified_alarm_ = false;
  check_divergence(cert.ledger_info.height, out);
  if (cert.ledger_info.next_epoch) {
    pending_epoch_cert_ = cert;
    pending_epoch_peer_.reset();
    boundary_fetch_ms_ = 0;
  }
}

void Replica::check_divergence(Height h, Effects& out) {
  const ExecutionCertificate* c = collector_.certified(h);
  auto mine = my_lis_.find(h.value());
  if (c == nullptr || mine == my_lis_.end() || diverged_) return;
  if (mine->second == c->ledger_info) return;
  diverged_ = true;  // C16: stop voting and signing
  out.push_back(Alarm{AlarmKind::kDivergence, h, "own LedgerInfo differs from the certified one"});
  IPL_ASSERT(!signing_allowed());
}

void Replica::try_switch_epoch(uint64_t now, Effects& out) {
  if (!pending_epoch_cert_) return;
  const ExecutionCertificate cert = *pending_epoch_cert_;
  const LedgerInfo& li = cert.ledger_info;
  if (executed_.height < li.height) return;  // execute the boundary first
  auto mine = my_lis_.find(li.height.value());
  if (mine != my_lis_.end() && !(mine->second == li)) {
    if (!diverged_) {
      diverged_ = true;
      out.push_back(Alarm{AlarmKind::kDivergence, li.height, "own boundary LedgerInfo differs from the certified one"});
    }
    return;
  }
  const Block* boundary_block = tree_.get(li.block_id);
  if (boundary_block == nullptr && boundary_block_ && boundary_block_->header.id() == li.block_id &&
      tree_.root().header.height >= li.height) {
    boundary_block = &*boundary_block_;  // committed already, below our root
  }
  if (boundary_block == nullptr) {
    fetch_boundary_block(now, out);
    return;
  }
  const Block root = *boundary_block;
  boundary_block_.reset();
  epoch_certs_[epoch_.number.value()] = cert;
  const EpochState next = *li.next_epoch;
  IPL_ASSERT(next.number.value() == epoch_.number.value() + 1);
  epoch_ = next;
  my_index_ = index_of(epoch_.validators, signer_->public_key());
  guard_ = Guard(SafetyData{epoch_.number, Round(0), Round(0)});
  guard_.set_bugs(cfg_.bugs);
  can_vote_ = true;
  tree_.reset(root, Round(0));
  epoch_root_id_ = tree_.root_id();
  root_qc_ = genesis_qc(cfg_.chain_id, epoch_.number, epoch_root_id_);
  high_qc_ = root_qc_;
  high_tc_.reset();
  boundary_.reset();
  pacemaker_.reset();
  collector_.reset(li.height, epoch_.validators);
  uncertified_alarm_ = false;
  votes_.clear();
  qc_formed_.clear();
  last_vote_by_.clear();
  timeouts_.clear();
  sync_replied_.clear();
  sync_sent_.clear();
  timed_out_round_ = Round(0);
  proposed_round_ = Round(0);
  payload_round_ = Round(0);
  pending_proposals_.clear();
  orphans_.clear();
  fetch_inflight_.clear();
  pending_qcs_.clear();
  anchors_.clear();
  chase_.reset();
  boundary_fetch_ms_ = 0;
  pending_epoch_cert_.reset();
  pending_epoch_peer_.reset();
  higher_epoch_peer_.reset();
  // Fresh safety data for the new epoch (C6), written by every node, a
  // validator of the new epoch or not: a node that becomes one only later
  // in the epoch (a rotated consensus key installed after the boundary)
  // has never voted in it and must be able to (no vote of this epoch can
  // predate this write on this node).
  persist(out);
  out.push_back(EpochChanged{epoch_, cert, root});
  IPL_ASSERT(pacemaker_.current_round().value() == 1);
  IPL_ASSERT(tree_.root_round().value() == 0);
  enter_round(now, out);
}

}  // namespace ipl::consensus
