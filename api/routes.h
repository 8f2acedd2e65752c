// The v1 routes, one file each (route_*.cc), and their options.
// Thread-safety: handlers are called concurrently; the facade and the rate
// limiter are thread-safe; both must outlive the routes.
#pragma once

#include <cstddef>
#include <vector>

#include "api/http.h"
#include "api/node_facade.h"
#include "api/rate_limiter.h"
#include "common/limits.h"

namespace ipl::api {

// POST /v1/transactions: body {"tx": "<hex>"} (application/json) or the raw
// canonical bytes (application/octet-stream). Size first, then decode, then
// the sender's token bucket, then the mempool. 202 {"tx_id"} when accepted.
Route tx_submit_route(NodeFacade& node, RateLimiter& limiter, size_t tx_bytes_max = limits::tx_bytes_max);
// GET /v1/transactions/{id}: 200 committed (receipt, height, block id),
// 202 pending, 404 unknown.
Route tx_get_route(NodeFacade& node);
// GET /health: 200 when healthy, 503 otherwise.
Route health_route(NodeFacade& node);
// GET /metrics: Prometheus text exposition 0.0.4.
Route metrics_route(NodeFacade& node);
// GET /v1/status: every NodeStatus field (keys hex); always 200.
Route status_route(NodeFacade& node);
// GET /v1/blocks/{height}: an executed block (header, block id, tx ids with
// receipt success/reason, LedgerInfo, certificate signer count or null);
// 404 block.not_found while not executed, 400 block.bad_height.
Route block_route(NodeFacade& node);
// GET /v1/epoch-proof: {"epoch": the epoch the proof leads to, "changes": n,
// "proof": hex of the canonical EpochChangeProof}; verified offline by
// `ipledger verify epoch-proof --genesis G` (docs/protocol.md).
Route epoch_proof_route(NodeFacade& node);

// Every route above, in the order a server registers them (api/routes.cc).
std::vector<Route> v1_routes(NodeFacade& node, RateLimiter& limiter, size_t tx_bytes_max = limits::tx_bytes_max);

}  // namespace ipl::api
