// What the consensus driver keeps durably besides the ledger
// (docs/node.md "Storage"):
//   DATA/safety         safety data + the certificates that brought the
//                       replica to its round: two checksummed slots of
//                       kSafetySlotBytes written alternately in place, one
//                       fdatasync per save; the valid slot with the higher
//                       sequence number is the state. It is separate on
//                       purpose: wiping it is how an operator recovers a
//                       validator whose safety data is lost (it then votes
//                       again only from the next epoch).
//   DATA/consensus/     a LevelDB with
//     "R"               the committed root block and the QC certifying it
//     "c" ‖ u64 height  committed blocks not yet executed (the commit log)
//     "v" ‖ block id    blocks this node voted for, above the root
//     "E"               the current epoch state, "B" its boundary
//     "p" ‖ u64 epoch   certified LedgerInfos that ended earlier epochs
//     "e" ‖ u64 seq     equivocation evidence
// Every write is synced, except the voted blocks (save_voted says why) and
// the commit-log deletions (forget_committed). Thread-safety: one writer (the consensus thread);
// none of the methods are safe to call concurrently.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/chain.h"
#include "common/status.h"
#include "consensus/evidence.h"
#include "consensus/safety/guard.h"
#include "ledger/store.h"

namespace ipl::node {

struct SafetyFile {
  consensus::SafetyData data;
  QuorumCert high_qc;
  std::optional<TimeoutCert> high_tc;
};

class ConsensusStore {
 public:
  // Opens DATA/consensus (creating it) and remembers DATA/safety.
  static Result<std::unique_ptr<ConsensusStore>> open(const std::string& data_dir);

  bool is_initialised() const { return root_.has_value(); }

  // Safety file: nullopt when absent (fresh node, or wiped on purpose);
  // corruption when present but neither slot is valid.
  Result<std::optional<SafetyFile>> load_safety();
  Status save_safety(const SafetyFile& s);
  ~ConsensusStore();
  ConsensusStore(const ConsensusStore&) = delete;
  ConsensusStore& operator=(const ConsensusStore&) = delete;

  // Room for the safety data with a QC and a TC over 256 validators (~40 KB).
  static constexpr size_t kSafetySlotBytes = 128u << 10;

  Status save_voted(const Block& b);
  Result<std::vector<Block>> load_voted() const;

  // The commit log entry: the new root and the blocks it commits, in one
  // synced batch; also drops voted blocks at or below the root.
  Status record_commit(const std::vector<Block>& blocks, const Block& root, const QuorumCert& root_qc);
  // Committed blocks above `executed_height`, in height order.
  Result<std::vector<Block>> committed_above(uint64_t executed_height) const;
  // Drops the commit-log entry of an executed height.
  Status forget_committed(uint64_t height);
  const std::optional<std::pair<Block, QuorumCert>>& root() const { return root_; }

  Status save_epoch(const EpochState& e, std::optional<Height> boundary);
  // An epoch change: the new epoch, its root (with a round-0 QC), the
  // proof; the boundary and every voted block are dropped.
  Status change_epoch(const EpochState& next, const Block& root, const QuorumCert& root_qc,
                      const ExecutionCertificate& proof);
  const std::optional<EpochState>& epoch() const { return epoch_; }
  std::optional<Height> boundary() const { return boundary_; }
  Result<std::vector<ExecutionCertificate>> epoch_proofs() const;

  Status save_evidence(const consensus::Evidence& ev);

 private:
  ConsensusStore(std::unique_ptr<ledger::Store> db, std::string safety_path);
  Status load();

  std::unique_ptr<ledger::Store> db_;
  std::string safety_path_;
  int safety_fd_ = -1;
  uint64_t safety_seq_ = 0;  // sequence number of the last slot written or read
  std::optional<std::pair<Block, QuorumCert>> root_;
  std::optional<EpochState> epoch_;
  std::optional<Height> boundary_;
  uint64_t evidence_seq_ = 0;
  // The "v" records by block id: (epoch, round), so a commit finds the
  // voted blocks it makes stale without reading and decoding them.
  std::map<Hash32, std::pair<uint64_t, uint64_t>> voted_;
};

}  // namespace ipl::node
