// devchain: a deterministic chain generator for tests, benchmarks and the
// demo (DESIGN.md "Tests and CI": "a chain generator that signs with test
// keys"). Block h of a generator with a given seed is always the same
// bytes, so a test can rebuild the expected ledger of any prefix
// independently. Transactions are really signed with test keys (never use
// them outside a test or demo chain); a test committee really signs
// LedgerInfos into execution certificates. The records it writes are
// synthetic until the domain contracts exist.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/chain.h"
#include "ledger/ledger.h"

namespace ipl::devchain {

struct TestCommittee {
  std::vector<KeyPair> keys;
  ValidatorSet set;
  explicit TestCommittee(size_t n, uint64_t epoch = 1);
  // A committee of the given (e.g. freshly generated) keys.
  TestCommittee(std::vector<KeyPair> keys, uint64_t epoch);
  // Signs with the first quorum() validators.
  ExecutionCertificate certify(const LedgerInfo& li) const;
};

struct ChainGenOptions {
  std::string chain_id = "ipl-test";
  uint64_t seed = 1;
  size_t txs_per_block = 10;
  size_t senders = 16;
  // Each transaction writes one record chosen among `records` keys, so
  // records get several versions over a chain.
  size_t records = 1000;
};

class ChainGen {
 public:
  explicit ChainGen(ChainGenOptions opts);
  // The commit of block `height` (>= 1) on top of parent `parent_id`.
  ledger::BlockCommit block(uint64_t height, const Hash32& parent_id) const;
  const ChainGenOptions& options() const { return opts_; }

 private:
  ChainGenOptions opts_;
  std::vector<KeyPair> senders_;
};

}  // namespace ipl::devchain
