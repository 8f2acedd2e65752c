// The node's P2P message set (see wire.h and docs/wire.md). proto/ owns the
// protobuf schema and its strict decoding but may not include consensus/
// (scripts/check_deps.py), so proto::WireMessage mirrors
// consensus::Message field for field; this file converts between the two.
// Each conversion is a move of equal fields, so the round trip
// decode_net(encode_net(m)) == m rests on proto's own round trip.
#include "node/wire.h"

#include <utility>

#include "proto/codec.h"

namespace ipl::node {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

proto::WireMessage to_wire(const consensus::Message& m) {
  return std::visit(
      Overloaded{
          [](const consensus::Proposal& p) {
            return proto::WireMessage{proto::Proposal{p.block, p.tc, p.proposer_vote}};
          },
          [](const Vote& v) { return proto::WireMessage{v}; },
          [](const TimeoutMsg& t) { return proto::WireMessage{t}; },
          [](const consensus::LedgerInfoVote& l) {
            return proto::WireMessage{proto::LedgerInfoVote{l.ledger_info, l.signer, l.signature}};
          },
          [](const consensus::SyncInfo& s) { return proto::WireMessage{proto::SyncInfo{s.high_qc, s.high_tc}}; },
          [](const consensus::FetchRequest& f) {
            return proto::WireMessage{proto::FetchRequest{f.block_id, f.count}};
          },
          [](const consensus::FetchResponse& f) { return proto::WireMessage{proto::FetchResponse{f.blocks}}; },
          [](const consensus::EpochRequest& r) { return proto::WireMessage{proto::EpochRequest{r.epoch}}; },
          [](const consensus::EpochChange& c) { return proto::WireMessage{proto::EpochChange{c.cert}}; },
      },
      m);
}

NetMessage from_wire(proto::WireMessage&& w) {
  auto consensus_message = [](consensus::Message m) { return NetMessage{std::move(m)}; };
  return std::visit(
      Overloaded{
          [&](proto::Proposal&& p) {
            return consensus_message(
                consensus::Proposal{std::move(p.block), std::move(p.tc), std::move(p.proposer_vote)});
          },
          [&](Vote&& v) { return consensus_message(std::move(v)); },
          [&](TimeoutMsg&& t) { return consensus_message(std::move(t)); },
          [](proto::TxGossip&& g) { return NetMessage{TxGossip{std::move(g.txs)}}; },
          [&](proto::LedgerInfoVote&& l) {
            return consensus_message(consensus::LedgerInfoVote{std::move(l.ledger_info), l.signer, l.signature});
          },
          [&](proto::FetchRequest&& f) { return consensus_message(consensus::FetchRequest{f.block_id, f.count}); },
          [&](proto::FetchResponse&& f) {
            return consensus_message(consensus::FetchResponse{std::move(f.blocks)});
          },
          [&](proto::SyncInfo&& s) {
            return consensus_message(consensus::SyncInfo{std::move(s.high_qc), std::move(s.high_tc)});
          },
          [&](proto::EpochRequest&& r) { return consensus_message(consensus::EpochRequest{r.epoch}); },
          [&](proto::EpochChange&& c) { return consensus_message(consensus::EpochChange{std::move(c.cert)}); },
          [](proto::CertRequest&& r) { return NetMessage{CertRequest{r.from_height, r.count}}; },
          [](proto::CertResponse&& r) { return NetMessage{CertResponse{std::move(r.certs)}}; },
      },
      std::move(w.kind));
}

}  // namespace

Bytes encode_net(const consensus::Message& m) {
  const proto::WireMessage w = to_wire(m);
  IPL_ASSERT(!std::holds_alternative<proto::TxGossip>(w.kind));
  Bytes out = proto::encode_wire(w);
  IPL_ASSERT(!out.empty());
  IPL_ASSERT(out.size() <= limits::wire_message_bytes_max);
  return out;
}

Bytes encode_net(std::span<const Transaction> gossip) {
  IPL_ASSERT(!gossip.empty());
  IPL_ASSERT(gossip.size() <= limits::block_txs_max);
  Bytes out = proto::encode_wire(proto::WireMessage{proto::TxGossip{{gossip.begin(), gossip.end()}}});
  IPL_ASSERT(out.size() <= limits::wire_message_bytes_max);
  return out;
}

Bytes encode_net(const CertRequest& r) {
  return proto::encode_wire(proto::WireMessage{proto::CertRequest{r.from_height, r.count}});
}

Bytes encode_net(const CertResponse& r) {
  Bytes out = proto::encode_wire(proto::WireMessage{proto::CertResponse{r.certs}});
  IPL_ASSERT(out.size() <= limits::wire_message_bytes_max);
  return out;
}

Result<NetMessage> decode_net(ByteView bytes) {
  IPL_ASSIGN_OR_RETURN(proto::WireMessage w, proto::decode_wire(bytes));
  const bool is_gossip = std::holds_alternative<proto::TxGossip>(w.kind);
  NetMessage out = from_wire(std::move(w));
  IPL_ASSERT(std::holds_alternative<TxGossip>(out) == is_gossip);
  return out;
}

}  // namespace ipl::node
