#include "consensus/messages.h"

#include "common/encoding.h"

namespace ipl::consensus {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

void encode_opt_tc(Encoder& e, const std::optional<TimeoutCert>& tc) {
  if (!tc) {
    e.u8(0);
    return;
  }
  e.u8(1).bytes(tc->encode());
}

}  // namespace

Bytes encode(const Message& m) {
  Encoder e(256);
  std::visit(Overloaded{
                 [&](const Proposal& p) {
                   e.u8(static_cast<uint8_t>(MessageTag::kProposal)).bytes(p.block.encode());
                   encode_opt_tc(e, p.tc);
                   e.bytes(p.proposer_vote.encode());
                 },
                 [&](const Vote& v) { e.u8(static_cast<uint8_t>(MessageTag::kVote)).raw(v.encode()); },
                 [&](const TimeoutMsg& t) { e.u8(static_cast<uint8_t>(MessageTag::kTimeout)).raw(t.encode()); },
                 [&](const LedgerInfoVote& l) {
                   e.u8(static_cast<uint8_t>(MessageTag::kLedgerInfoVote));
                   l.ledger_info.encode_to(e);
                   e.u32(l.signer.value()).raw(l.signature.bytes);
                 },
                 [&](const SyncInfo& s) {
                   e.u8(static_cast<uint8_t>(MessageTag::kSyncInfo));
                   s.high_qc.encode_to(e);
                   encode_opt_tc(e, s.high_tc);
                 },
                 [&](const FetchRequest& f) {
                   e.u8(static_cast<uint8_t>(MessageTag::kFetchRequest)).hash(f.block_id).u32(f.count);
                 },
                 [&](const FetchResponse& f) {
                   e.u8(static_cast<uint8_t>(MessageTag::kFetchResponse)).count(f.blocks.size());
                   for (const Block& b : f.blocks) e.bytes(b.encode());
                 },
                 [&](const EpochRequest& r) {
                   e.u8(static_cast<uint8_t>(MessageTag::kEpochRequest)).u64(r.epoch.value());
                 },
                 [&](const EpochChange& c) {
                   e.u8(static_cast<uint8_t>(MessageTag::kEpochChange));
                   c.cert.encode_to(e);
                 },
             },
             m);
  return e.take();
}

std::optional<Epoch> message_epoch(const Message& m) {
  return std::visit(Overloaded{
                        [](const Proposal& p) -> std::optional<Epoch> { return p.block.header.epoch; },
                        [](const Vote& v) -> std::optional<Epoch> { return v.data.epoch; },
                        [](const TimeoutMsg& t) -> std::optional<Epoch> { return t.data.epoch; },
                        [](const LedgerInfoVote& l) -> std::optional<Epoch> { return l.ledger_info.epoch; },
                        [](const SyncInfo& s) -> std::optional<Epoch> { return s.high_qc.data.epoch; },
                        [](const FetchRequest&) -> std::optional<Epoch> { return std::nullopt; },
                        [](const FetchResponse&) -> std::optional<Epoch> { return std::nullopt; },
                        [](const EpochRequest&) -> std::optional<Epoch> { return std::nullopt; },
                        [](const EpochChange&) -> std::optional<Epoch> { return std::nullopt; },
                    },
                    m);
}

const char* message_name(const Message& m) {
  static constexpr const char* kNames[] = {"proposal",      "vote",           "timeout",
                                           "ledgerinfo_vote", "sync_info",    "fetch_request",
                                           "fetch_response",  "epoch_request", "epoch_change"};
  return kNames[m.index()];
}

}  // namespace ipl::consensus
