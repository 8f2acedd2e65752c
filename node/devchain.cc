#include "node/devchain.h"

#include "common/clock.h"
#include "common/hash.h"

namespace ipl::devchain {

TestCommittee::TestCommittee(size_t n, uint64_t epoch) {
  set.epoch = Epoch(epoch);
  for (size_t i = 0; i < n; ++i) {
    keys.push_back(KeyPair::for_test("committee-" + std::to_string(epoch) + "-" + std::to_string(i)));
    set.consensus_keys.push_back(keys.back().public_key);
  }
}

TestCommittee::TestCommittee(std::vector<KeyPair> given, uint64_t epoch) : keys(std::move(given)) {
  set.epoch = Epoch(epoch);
  for (const KeyPair& k : keys) set.consensus_keys.push_back(k.public_key);
}

ExecutionCertificate TestCommittee::certify(const LedgerInfo& li) const {
  ExecutionCertificate ec{li, {}};
  const Bytes msg = li.encode();
  for (size_t i = 0; i < set.quorum(); ++i) {
    ec.signers.add(ValidatorIndex(static_cast<uint32_t>(i)), sign(SigContext::kLedgerInfo, keys[i].secret_key, msg),
                   keys.size());
  }
  return ec;
}

ChainGen::ChainGen(ChainGenOptions opts) : opts_(std::move(opts)) {
  for (size_t i = 0; i < opts_.senders; ++i) senders_.push_back(KeyPair::for_test("sender-" + std::to_string(i)));
}

ledger::BlockCommit ChainGen::block(uint64_t height, const Hash32& parent_id) const {
  SeededRng rng(opts_.seed * 1'000'003 + height);
  ledger::BlockCommit c;
  BlockHeader& h = c.block.header;
  h.chain_id = opts_.chain_id;
  h.epoch = Epoch(1);
  h.round = Round(height);
  h.height = Height(height);
  h.parent_id = parent_id;
  h.parent_qc.data = VoteData{opts_.chain_id, Epoch(1), Round(height - 1), parent_id};
  h.proposer = ValidatorIndex(static_cast<uint32_t>(height % 4));
  h.timestamp_ms = 1'735'689'600'000 + height * 1000;  // 2025-01-01 onwards
  for (size_t i = 0; i < opts_.txs_per_block; ++i) {
    const size_t s = (height * opts_.txs_per_block + i) % senders_.size();
    TxBody body;
    body.chain_id = opts_.chain_id;
    body.sender_key = senders_[s].public_key;
    body.nonce = height * opts_.txs_per_block + i;  // unique per chain
    body.valid_until_height = height + 100;
    body.type = "test.put";
    body.value_date = CivilDate{20250101};
    const uint64_t record = rng.uniform(opts_.records);
    body.payload = to_bytes("record-" + std::to_string(record) + "=" + std::to_string(rng.next_u64()));
    Transaction tx = Transaction::sign(body, senders_[s].secret_key);
    Receipt r;
    r.tx_id = tx.id();
    r.success = rng.uniform(10) != 0;  // some failed transactions too
    r.reason = r.success ? "ok" : "test.rejected";
    if (r.success) {
      r.events.push_back(Event{"test.put", body.payload});
      c.writes.push_back(ledger::RecordWrite{to_bytes("record/" + std::to_string(record)), body.payload, r.tx_id});
    }
    c.block.txs.push_back(std::move(tx));
    c.receipts.push_back(std::move(r));
  }
  h.payload_hash = Block::payload_hash(c.block.txs);
  return c;
}

}  // namespace ipl::devchain
