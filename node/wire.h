// The node's P2P message set (docs/wire.md): every consensus message of
// consensus/messages.h plus transaction gossip, as the bytes one encrypted
// transport frame carries. Protobuf stays inside the .cc (proto/).
// Invariants: decode_net(encode_*(m)) == m; any byte string given to
// decode_net yields a message or a non-ok Status (limit for oversize
// input or counts, invalid otherwise) and never crashes, asserts or
// throws. Signatures are not checked here.
// Thread-safety: free functions over values.
#pragma once

#include <span>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/chain.h"
#include "common/status.h"
#include "consensus/messages.h"

namespace ipl::node {

// Transactions forwarded between mempools (at most limits::block_txs_max).
struct TxGossip {
  std::vector<Transaction> txs;
  bool operator==(const TxGossip&) const = default;
};

// Execution-certificate sync between drivers (not consensus messages): a
// node that lacks the certificates of heights it executed (e.g. it was
// killed before the signatures arrived) asks a peer for them.
struct CertRequest {
  uint64_t from_height = 1;  // >= 1
  uint32_t count = 1;        // 1 ..= limits::fetch_blocks_max
  bool operator==(const CertRequest&) const = default;
};
struct CertResponse {
  std::vector<ExecutionCertificate> certs;  // at most limits::fetch_blocks_max
  bool operator==(const CertResponse&) const = default;
};

using NetMessage = std::variant<consensus::Message, TxGossip, CertRequest, CertResponse>;

// Requires a well-formed message whose encoding fits
// limits::wire_message_bytes_max (asserted).
Bytes encode_net(const consensus::Message& m);
Bytes encode_net(std::span<const Transaction> gossip);
Bytes encode_net(const CertRequest& r);
Bytes encode_net(const CertResponse& r);
Result<NetMessage> decode_net(ByteView bytes);

}  // namespace ipl::node
