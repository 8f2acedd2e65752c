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
// POST /v1/transactions/batch: application/octet-stream, a sequence of
// u32 big-endian length ‖ canonical transaction bytes (the bytes the single
// route takes), 1..limits::http_batch_txs_max of them, the whole body at
// most body_bytes_max (this route's own server bound). Bad framing: 400
// with a batch.* code and nothing submitted. Otherwise each transaction
// goes through submit_one_tx() in order and the answer is 200
// {"accepted", "rejected", "results": [{"tx_id", "code", "message"}]}.
Route tx_batch_route(NodeFacade& node, RateLimiter& limiter, size_t tx_bytes_max = limits::tx_bytes_max,
                     size_t body_bytes_max = limits::http_batch_body_bytes_max);
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
std::vector<Route> v1_routes(NodeFacade& node, RateLimiter& limiter, size_t tx_bytes_max = limits::tx_bytes_max,
                             size_t batch_body_bytes_max = limits::http_batch_body_bytes_max);

// The submit path of one transaction, shared by the single and the batch
// route (route_tx_submit.cc): decode to find the sender (tx.malformed), the
// sender's token bucket (rate.limited; the token is taken only after the
// mempool's verdict, and not when it found the signature forged), then
// NodeFacade::submit_tx. Requires tx_bytes already bounded by the route's
// tx_bytes_max. Returns the answer; code "ok" or "tx.committed" is a
// success. tx_id is set whenever the bytes decode as a Transaction.
SubmitAnswer submit_one_tx(NodeFacade& node, RateLimiter& limiter, ByteView tx_bytes);

}  // namespace ipl::api
