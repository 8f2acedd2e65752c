// The consensus replica: Jolteon / DiemBFT-v4 two-chain HotStuff with a
// quadratic view change (docs/adr/0005-consensus-protocol.md), written as a
// pure state machine after libhotstuff's on_*/do_* core. Inputs are
// on_message, on_timeout, on_executed and on_propose_ready (each with the
// caller's now_ms); each returns the Effects to carry out, in order:
// Send, Broadcast, PersistSafety, SetTimer, Commit, Fetch, NeedPayload,
// Certified, Alarm, EvidenceFound, EpochChanged.
// No threads, sockets, files, clocks, randomness or exceptions inside.
//
// Invariants (docs/protocol.md §12.6, cited by the asserts):
//   C1  certificates are accepted only when a quorum of the epoch signed;
//   C3–C6 via safety::Guard (one vote per round; lock; persist first):
//       every Send/Broadcast of a vote or timeout is preceded in the same
//       Effects by PersistSafety of the guard's state;
//   C7  rounds advance only through a QC or TC of the previous round;
//   C9, C10 via BlockTree; C11, C12 via ExecCertCollector;
//   C13 commit rule: block b commits when a QC certifies a child of b whose
//       round is round(b) + 1 (a QC alone never commits its own block);
//   C14 a validator votes for height h only after executing h − L − 1,
//       and above the epoch boundary only for suffix blocks;
//   C15 votes only for timestamps above the parent's and at most
//       now_ms + clock_drift_max_ms;
//   C16 a diverged validator (own LedgerInfo ≠ certified) signs nothing.
// Thread-safety: none. The driver calls one input at a time.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "common/chain.h"
#include "common/limits.h"
#include "consensus/block_tree.h"
#include "consensus/evidence.h"
#include "consensus/exec_cert.h"
#include "consensus/messages.h"
#include "consensus/pacemaker/pacemaker.h"
#include "consensus/safety/guard.h"
#include "consensus/signer.h"

namespace ipl::consensus {

// --- Effects ------------------------------------------------------------
struct Send {
  PublicKey to;
  Message msg;
};
// To every peer except this replica.
struct Broadcast {
  Message msg;
};
// Must be durable (fsynced) before any later effect of the same batch leaves.
// `voted_block`: the block this vote is for; the driver stores it with the
// safety data and hands it back in Bootstrap::blocks after a restart, so a
// certified block never exists only in memory (else a QC could name a
// block no honest replica can produce, and the lock would stall the chain).
// `high_qc`/`high_tc`: the certificates that brought the replica to its
// round; after a restart they put it back there, since the guard will not
// let it time out in a round below one it already signed in.
struct PersistSafety {
  SafetyData data;
  std::optional<Block> voted_block;
  QuorumCert high_qc;
  std::optional<TimeoutCert> high_tc;
};
// Call on_timeout(epoch, round) after delay_ms.
struct SetTimer {
  Epoch epoch;
  Round round;
  uint64_t delay_ms = 0;
};
// Blocks newly committed, in order, to execute (suffix blocks excluded);
// `root` is the new committed root and `root_qc` certifies it.
struct Commit {
  std::vector<Block> blocks;
  Block root;
  QuorumCert root_qc;
};
struct Fetch {
  PublicKey from;
  FetchRequest request;
};
// Call on_propose_ready(round, txs) with a payload (empty for a suffix).
struct NeedPayload {
  Epoch epoch;
  Round round;
  Height height;
  bool suffix = false;
};
struct Certified {
  ExecutionCertificate cert;
};
enum class AlarmKind : uint8_t {
  kDivergence,             // own LedgerInfo differs from a certified one
  kUncertified,            // no certificate within uncertified_blocks_max heights
  kConflictingCommit,      // a commit that does not extend the committed chain
  kConflictingCertificate  // two certified LedgerInfos for one height
};
struct Alarm {
  AlarmKind kind;
  Height height;
  std::string detail;
};
struct EvidenceFound {
  Evidence evidence;
};
struct EpochChanged {
  EpochState next;
  ExecutionCertificate proof;  // the certified boundary LedgerInfo
  Block root;                  // the boundary block: the new epoch's root
};

using Effect = std::variant<Send, Broadcast, PersistSafety, SetTimer, Commit, Fetch, NeedPayload, Certified, Alarm,
                            EvidenceFound, EpochChanged>;
using Effects = std::vector<Effect>;

struct Config {
  std::string chain_id;
  uint64_t round_timeout_base_ms = limits::round_timeout_base_ms;
  uint64_t round_timeout_max_ms = limits::round_timeout_max_ms;
  PlantedBugs bugs;                        // tests only
  std::vector<uint32_t> leaders_for_test;  // Twins: leader of round i
};

// What the node's storage holds when the replica (re)starts.
struct Bootstrap {
  EpochState epoch;
  Block root;          // last committed block (the epoch's root block at its start)
  QuorumCert root_qc;  // certifies root; the genesis QC at an epoch's start
  LedgerInfo executed; // last executed LedgerInfo (height ≤ root height); a
                       // validator signs it again at start (a crash may have
                       // fallen between executing it and signing it)
  std::optional<Height> boundary;    // the epoch's boundary, if scheduled
  std::optional<SafetyData> safety;  // nullopt: storage missing
  std::vector<Block> blocks;         // voted blocks above the root (PersistSafety)
  std::optional<QuorumCert> high_qc;   // last persisted with the safety data
  std::optional<TimeoutCert> high_tc;
  // Certified LedgerInfos that ended earlier epochs (the ledger keeps
  // them); served to peers that missed an epoch change (EpochRequest).
  std::vector<ExecutionCertificate> epoch_proofs;
};

class Replica {
 public:
  // `signer` signs as this node (its key may or may not be in the set:
  // a key outside the set makes an observer). Requires a valid bootstrap.
  Replica(Config cfg, const Bootstrap& boot, std::unique_ptr<Signer> signer, const Verifier& verifier);

  Effects start(uint64_t now_ms);
  Effects on_message(uint64_t now_ms, const PublicKey& from, const Message& msg);
  Effects on_timeout(uint64_t now_ms, Epoch epoch, Round round);
  // The driver executed `li.height` (in order). `scheduled_boundary`: this
  // block passed a validator-set change taking effect after that height.
  Effects on_executed(uint64_t now_ms, const LedgerInfo& li, std::optional<Height> scheduled_boundary);
  Effects on_propose_ready(uint64_t now_ms, Round round, std::vector<Transaction> txs);

  // Read-only state for tests and the simulator's checks.
  const EpochState& epoch() const { return epoch_; }
  Round current_round() const { return pacemaker_.current_round(); }
  const QuorumCert& high_qc() const { return high_qc_; }
  const Block& committed_root() const { return tree_.root(); }
  const SafetyData& safety() const { return guard_.data(); }
  bool is_validator() const { return my_index_.has_value(); }
  bool can_vote() const { return can_vote_; }
  bool diverged() const { return diverged_; }
  const PublicKey& key() const { return signer_->public_key(); }

 private:
  struct Pending {
    PublicKey from;
    Proposal proposal;
  };
  // A fetched block that heads a chain of up to fetch_blocks_max ancestors
  // (the first block of a FetchResponse). Catching up over more blocks
  // than orphans_ holds, the replica keeps only the blocks nearest its
  // tree and remembers these ids; fetching one again later returns the
  // chain below it, so the replica climbs back up one response at a time.
  struct Anchor {
    Height height;
    PublicKey from;
  };
  // The one fetch the catch-up waits for, with its retries.
  struct Chase {
    Hash32 id{};
    uint64_t asked_ms = 0;
    uint32_t attempts = 0;
  };
  bool signing_allowed() const { return my_index_.has_value() && can_vote_ && !diverged_; }
  ValidatorIndex leader(Round r) const;
  const PublicKey& key_of(ValidatorIndex i) const { return epoch_.validators.consensus_keys[i.value()]; }
  Status check_qc(const QuorumCert& qc) const;
  Status check_child(const Block& b) const;  // structure against its parent (must be in the tree)
  void persist(Effects& out, const Block* voted = nullptr);

  void handle_proposal(uint64_t now, const PublicKey& from, const Proposal& p, Effects& out);
  void handle_vote(uint64_t now, const PublicKey& from, const Vote& v, Effects& out);
  void handle_timeout(uint64_t now, const PublicKey& from, const TimeoutMsg& t, Effects& out);
  void handle_li_vote(uint64_t now, const LedgerInfoVote& v, Effects& out);
  void handle_sync(uint64_t now, const PublicKey& from, const SyncInfo& s, Effects& out);
  void handle_fetch_request(const PublicKey& from, const FetchRequest& r, Effects& out);
  void handle_fetch_response(uint64_t now, const PublicKey& from, const FetchResponse& r, Effects& out);
  void handle_epoch_change(uint64_t now, const PublicKey& from, const EpochChange& c, Effects& out);

  void process_qc(uint64_t now, const PublicKey& from, const QuorumCert& qc, Effects& out);
  void process_tc(uint64_t now, const TimeoutCert& tc, Effects& out);
  void enter_round(uint64_t now, Effects& out);
  void maybe_propose(Effects& out);
  void try_vote(uint64_t now, const Proposal& p, Effects& out);
  void add_vote(uint64_t now, const PublicKey& from, const Vote& v, Effects& out);
  void local_timeout(Effects& out);
  void add_timeout(uint64_t now, const TimeoutMsg& t, Effects& out);
  void note_vote_for_evidence(const Vote& v, Effects& out);
  void request_fetch(const PublicKey& from, const Hash32& id, Effects& out);
  void add_orphan(const Block& b, const Hash32& id);
  void attach_orphans(uint64_t now, Effects& out);
  void catch_up(uint64_t now, const PublicKey& from, Effects& out);
  void sign_ledger_info(uint64_t now, const LedgerInfo& li, Effects& out);
  void resend_boundary_ledger_info(uint64_t now, Effects& out);
  void fetch_boundary_block(uint64_t now, Effects& out);
  void retry_pending(uint64_t now, Effects& out);
  void commit(const Hash32& id, const QuorumCert& qc, Effects& out);
  void on_certified(const ExecutionCertificate& cert, Effects& out);
  void check_divergence(Height h, Effects& out);
  void try_switch_epoch(uint64_t now, Effects& out);

  Config cfg_;
  std::unique_ptr<Signer> signer_;
  const Verifier& verifier_;

  EpochState epoch_;
  std::optional<ValidatorIndex> my_index_;
  Hash32 epoch_root_id_{};
  Guard guard_;
  bool can_vote_ = true;
  bool diverged_ = false;
  Pacemaker pacemaker_;
  BlockTree tree_;
  QuorumCert high_qc_;
  QuorumCert root_qc_;
  std::optional<TimeoutCert> high_tc_;
  std::optional<Height> boundary_;
  LedgerInfo executed_;
  std::map<uint64_t, LedgerInfo> my_lis_;
  ExecCertCollector collector_;
  bool uncertified_alarm_ = false;

  std::map<uint64_t, std::map<Hash32, SignerSet>> votes_;  // round -> block -> signers
  std::map<uint32_t, Vote> last_vote_by_;                  // evidence and vote bounds
  std::set<uint64_t> qc_formed_;
  std::map<uint32_t, TimeoutMsg> timeouts_;  // latest per voter
  std::map<uint32_t, std::pair<uint64_t, uint64_t>> sync_replied_;  // voter -> (round, at ms)
  std::map<PublicKey, uint64_t> sync_sent_;  // bounded by the peers that exist
  Round timed_out_round_;
  uint32_t refires_ = 0;  // times the current round's timer fired
  Round proposed_round_;
  Round payload_round_;

  std::vector<Pending> pending_proposals_;
  std::map<Hash32, Block> orphans_;
  std::map<std::pair<uint64_t, Hash32>, Anchor> anchors_;  // (round, id), lowest round first
  std::optional<Chase> chase_;
  uint64_t ledger_info_sent_ms_ = 0;  // last broadcast of our own LedgerInfoVote
  uint64_t boundary_fetch_ms_ = 0;    // last ask for the certified boundary block
  std::map<Hash32, PublicKey> fetch_inflight_;
  std::vector<std::pair<PublicKey, QuorumCert>> pending_qcs_;
  std::optional<ExecutionCertificate> pending_epoch_cert_;
  std::optional<PublicKey> pending_epoch_peer_;
  std::optional<Block> boundary_block_;  // fetched boundary block below the root
  std::map<uint64_t, ExecutionCertificate> epoch_certs_;
  std::optional<PublicKey> higher_epoch_peer_;
};

}  // namespace ipl::consensus
