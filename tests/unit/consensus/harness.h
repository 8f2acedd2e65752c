// Test harness for the consensus unit tests: n fake-keyed validators, the
// genesis block, and helpers that build correctly signed proposals, votes,
// certificates and timeouts, plus effect filters.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "consensus/replica.h"

namespace ipl::consensus::testing {

inline constexpr uint64_t kNow = 1'700'000'000'000;

template <class T>
std::vector<T> all_of(const Effects& effects) {
  std::vector<T> out;
  for (const Effect& e : effects) {
    if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
  }
  return out;
}

template <class M>
std::vector<M> sent(const Effects& effects) {
  std::vector<M> out;
  for (const Effect& e : effects) {
    if (const auto* s = std::get_if<Send>(&e)) {
      if (const M* m = std::get_if<M>(&s->msg)) out.push_back(*m);
    }
    if (const auto* b = std::get_if<Broadcast>(&e)) {
      if (const M* m = std::get_if<M>(&b->msg)) out.push_back(*m);
    }
  }
  return out;
}

struct Harness {
  FakeKeyRing ring;
  std::vector<PublicKey> keys;
  ValidatorSet vs;
  Block genesis;
  LedgerInfo genesis_li;
  QuorumCert genesis_qc;
  std::string chain = "ipl-test";

  explicit Harness(size_t n) {
    vs.epoch = Epoch(1);
    for (size_t i = 0; i < n; ++i) keys.push_back(ring.add("v" + std::to_string(i)));
    vs.consensus_keys = keys;
    genesis.header.chain_id = chain;
    genesis.header.epoch = Epoch(1);
    genesis.header.height = Height(1);
    genesis.header.timestamp_ms = kNow - 10'000;
    genesis.header.payload_hash = Block::payload_hash({});
    genesis_li.chain_id = chain;
    genesis_li.epoch = Epoch(1);
    genesis_li.height = Height(1);
    genesis_li.block_id = genesis.header.id();
    genesis_qc.data = VoteData{chain, Epoch(1), Round(0), genesis.header.id()};
  }

  Bootstrap boot() const {
    Bootstrap b;
    b.epoch = EpochState{Epoch(1), vs};
    b.root = genesis;
    b.root_qc = genesis_qc;
    b.executed = genesis_li;
    b.safety = SafetyData{Epoch(1), Round(0), Round(0)};
    return b;
  }

  std::unique_ptr<Replica> replica(size_t i, Config cfg = {}, std::optional<Bootstrap> b = std::nullopt) {
    cfg.chain_id = chain;
    return std::make_unique<Replica>(cfg, b ? *b : boot(), ring.signer(keys[i]), ring);
  }

  Block block(uint64_t round, const Block& parent, const QuorumCert& parent_qc, uint64_t ts_offset = 0) const {
    Block b;
    b.header.chain_id = chain;
    b.header.epoch = Epoch(1);
    b.header.round = Round(round);
    b.header.height = parent.header.height.next();
    b.header.parent_id = parent.header.id();
    b.header.parent_qc = parent_qc;
    b.header.proposer = ValidatorIndex(static_cast<uint32_t>(round % keys.size()));
    b.header.timestamp_ms = kNow + round + ts_offset;
    Transaction tx;
    tx.body = to_bytes("tx-" + std::to_string(round) + "-" + std::to_string(ts_offset));
    b.txs.push_back(tx);
    b.header.payload_hash = Block::payload_hash(b.txs);
    return b;
  }

  // A suffix block (docs/protocol.md §12.4): above the epoch boundary, it
  // repeats its parent's height and carries no transactions.
  Block suffix(uint64_t round, const Block& parent, const QuorumCert& parent_qc, uint64_t ts_offset = 0) const {
    Block b = block(round, parent, parent_qc, ts_offset);
    b.header.height = parent.header.height;
    b.txs.clear();
    b.header.payload_hash = Block::payload_hash(b.txs);
    return b;
  }

  // The LedgerInfo a node executing `b` reports (state root salted).
  LedgerInfo li_of(const Block& b, uint8_t salt, std::optional<EpochState> next = std::nullopt) const {
    LedgerInfo l = li(b.header.height.value(), salt);
    l.block_id = b.header.id();
    l.timestamp_ms = b.header.timestamp_ms;
    l.next_epoch = std::move(next);
    return l;
  }

  Vote vote(size_t i, const Block& b) const {
    const VoteData vd{chain, Epoch(1), b.header.round, b.header.id()};
    return Vote{vd, ValidatorIndex(static_cast<uint32_t>(i)), ring.signer(keys[i])->sign(SigContext::kVote, vd.encode())};
  }

  Proposal proposal(const Block& b, std::optional<TimeoutCert> tc = std::nullopt) const {
    return Proposal{b, tc, vote(b.header.proposer.value(), b)};
  }

  QuorumCert qc(const Block& b, const std::vector<size_t>& signers) const {
    QuorumCert q;
    q.data = VoteData{chain, Epoch(1), b.header.round, b.header.id()};
    for (size_t i : signers) q.signers.add(ValidatorIndex(static_cast<uint32_t>(i)), vote(i, b).signature, keys.size());
    return q;
  }

  TimeoutMsg timeout(size_t i, uint64_t round, const QuorumCert& high_qc) const {
    TimeoutMsg t;
    t.data = TimeoutData{chain, Epoch(1), Round(round), high_qc.data.round};
    t.high_qc = high_qc;
    t.voter = ValidatorIndex(static_cast<uint32_t>(i));
    t.signature = ring.signer(keys[i])->sign(SigContext::kTimeout, t.data.encode());
    return t;
  }

  TimeoutCert tc(uint64_t round, const QuorumCert& high_qc, const std::vector<size_t>& signers) const {
    TimeoutCert c;
    c.chain_id = chain;
    c.epoch = Epoch(1);
    c.round = Round(round);
    SignerSet s;
    for (size_t i : signers) s.add(ValidatorIndex(static_cast<uint32_t>(i)), timeout(i, round, high_qc).signature, keys.size());
    c.bitmap = s.bitmap;
    c.signatures = s.signatures;
    c.high_qc_rounds.assign(signers.size(), high_qc.data.round);
    return c;
  }

  LedgerInfo li(uint64_t height, uint8_t salt) const {
    LedgerInfo l = genesis_li;
    l.height = Height(height);
    l.state_root[0] = salt;
    return l;
  }

  LedgerInfoVote li_vote(size_t i, const LedgerInfo& l) const {
    return LedgerInfoVote{l, ValidatorIndex(static_cast<uint32_t>(i)),
                          ring.signer(keys[i])->sign(SigContext::kLedgerInfo, l.encode())};
  }
};

}  // namespace ipl::consensus::testing
