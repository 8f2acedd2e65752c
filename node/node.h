// The running node (DESIGN.md data flow; docs/node.md): the consensus
// driver around the pure consensus::Replica, the executor loop, the
// ledger, the mempool, the P2P transport and the HTTP API, in one process.
//
// Threads:
//   consensus  owns the Replica; takes inputs from a bounded inbox (peer
//              messages) and its own timer heap; carries out every effect
//              in order: PersistSafety is fsynced before the next effect
//              leaves (so before the vote or timeout it protects); Commit
//              first records the committed blocks durably (the commit log),
//              then executes and commits them to the ledger one by one and
//              reports each LedgerInfo back (on_executed). Execution is
//              therefore in order and exactly once across restarts: on
//              start, committed blocks above the ledger's height are
//              executed before the replica starts.
//   p2p        node/net's I/O thread: decodes frames, checks nothing but
//              their form, queues consensus messages, hands gossip to the
//              mempool.
//   mempool    the verification workers.
//   http       the API server's workers (this class is their NodeFacade).
// A proposal's transactions are checked on the consensus thread before the
// replica sees it (decodable, this chain, signatures valid, no duplicate
// id, none already committed): a block that fails is dropped and logged.
//
// Halting: a divergence alarm (own LedgerInfo differs from a certified
// one) or a storage failure halts the node: the replica signs nothing
// more, the status says why, and the log says so at critical level.
//
// Thread-safety: the public methods may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "node/config.h"

namespace ipl::node {

class Node {
 public:
  // Loads the genesis and keys, opens (or initialises) the data directory,
  // replays committed-but-unexecuted blocks, starts every thread. Every
  // problem is returned, nothing is left running on failure.
  static Result<std::unique_ptr<Node>> start(const NodeConfig& config);
  ~Node();  // stops
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Blocks until stop() or a fatal storage error. Returns the reason.
  Status wait();
  // Idempotent; may be called from a signal-watching thread.
  void stop();

  uint16_t p2p_port() const;
  uint16_t http_port() const;

  class Impl;

 private:
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ipl::node
