// Every bound of the system, with its unit and reason (STYLE.md
// "Assertions and limits"; TigerBeetle's constants.zig is the model).
// Runtime-configurable limits take these as defaults and may only be
// lowered by configuration, never raised past the hard maxima here.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ipl::limits {

// --- Encoding -----------------------------------------------------------
// Longest byte string the canonical decoder accepts in one field. Every
// decoder also checks the bytes actually remaining before allocating.
inline constexpr size_t field_bytes_max = 4u << 20;  // 4 MiB
// Longest list (count of items) the canonical decoder accepts.
inline constexpr size_t list_items_max = 100'000;
// Signature contexts are short ASCII tags; the length prefix is one byte.
inline constexpr size_t sig_context_bytes_max = 64;

// --- Transactions -------------------------------------------------------
inline constexpr size_t chain_id_bytes_max = 64;
inline constexpr size_t tx_type_bytes_max = 64;
inline constexpr size_t tx_payload_bytes_max = 64u << 10;  // 64 KiB
inline constexpr size_t tx_bytes_max = 72u << 10;          // body + signature
static_assert(tx_payload_bytes_max < tx_bytes_max);

// Work bound of one transaction's execution: state reads plus writes. A
// transaction that needs more fails with tx.work_limit, so no transaction
// can make a block's execution unboundedly slow.
inline constexpr size_t tx_state_ops_max = 4096;

// --- Blocks ---------------------------------------------------------------
inline constexpr size_t block_txs_max = 10'000;
inline constexpr size_t block_bytes_max = 16u << 20;  // 16 MiB
static_assert(block_bytes_max >= 2 * tx_bytes_max);
static_assert(block_bytes_max <= field_bytes_max * 4);

// --- Wire (proto/) ---------------------------------------------------------
// Protobuf framing around canonical bytes: a tag and a length varint (at
// most 6 bytes) per nesting level, at most three levels deep for one block,
// plus a few bytes per repeated item. 4 KiB covers it with a wide margin.
inline constexpr size_t framing_bytes_max = 4u << 10;
inline constexpr size_t tx_message_bytes_max = tx_bytes_max + framing_bytes_max;
// The largest P2P message: one full block plus framing.
inline constexpr size_t wire_message_bytes_max = block_bytes_max + framing_bytes_max;
static_assert(tx_message_bytes_max < wire_message_bytes_max);
static_assert(wire_message_bytes_max < (size_t{1} << 31), "protobuf parses at most INT_MAX bytes");

// --- Receipts -----------------------------------------------------------
inline constexpr size_t receipt_reason_bytes_max = 128;
inline constexpr size_t receipt_events_max = 64;
inline constexpr size_t event_bytes_max = 16u << 10;

// --- Consensus ----------------------------------------------------------
inline constexpr size_t validators_max = 256;  // bitmap fits in 32 bytes
inline constexpr uint32_t execution_lag_max = 8;  // L, DESIGN.md "Epochs"
inline constexpr uint32_t uncertified_blocks_max = 16;
inline constexpr uint64_t clock_drift_max_ms = 2'000;
static_assert(uncertified_blocks_max > execution_lag_max);
// Blocks per fetch request/response: enough to catch up the whole
// uncertified window twice in one round trip.
inline constexpr uint32_t fetch_blocks_max = 2 * uncertified_blocks_max;
// Pacemaker (consensus/pacemaker): the first timeout of a round, and the
// ceiling of its exponential backoff. The base covers a proposal and a
// vote over a slow WAN link several times over; the ceiling bounds how
// long a healed network waits before the next view change (the simulator
// asserts that commits resume within 2 x ceiling + 5 s of stabilisation).
inline constexpr uint64_t round_timeout_base_ms = 1'000;
inline constexpr uint64_t round_timeout_max_ms = 8'000;
static_assert(round_timeout_base_ms <= round_timeout_max_ms);
// An idle leader (empty mempool, no transactions in uncommitted ancestors)
// waits this long for transactions before proposing an empty block, so an
// idle chain adds ~4 blocks/s instead of one per network round trip. A
// quarter of the base timeout: the delay of two successive leaders, plus
// a slow machine, stays well inside a round.
inline constexpr uint64_t empty_block_delay_ms = 250;
static_assert(empty_block_delay_ms * 4 <= round_timeout_base_ms, "an idle leader must not look faulty");
static_assert(round_timeout_max_ms > 2 * clock_drift_max_ms, "a skewed proposer must not outlast a round");
// Blocks a replica keeps that do not (yet) connect to its tree, waiting for
// their ancestors: two full fetch responses.
inline constexpr size_t orphan_blocks_max = 2 * fetch_blocks_max;
// Committed blocks kept in the consensus tree below its root, to serve
// fetches of peers that lag; older ones are served from the ledger.
inline constexpr uint64_t committed_blocks_kept = 4 * fetch_blocks_max;
// Execution signatures are accepted only for heights at most this far
// above the replica's own executed height (bounds the collector's memory).
inline constexpr uint64_t ledger_info_lookahead_max = 2 * uncertified_blocks_max;

// --- State --------------------------------------------------------------
inline constexpr size_t state_key_bytes_max = 256;
inline constexpr size_t state_value_bytes_max = 256u << 10;  // 256 KiB
// The compact sparse Merkle tree over SHA-256 keys has at most 256 levels.
inline constexpr size_t smt_depth_max = 256;
// Default number of recent heights whose state tree is kept (0 = archive).
inline constexpr uint64_t state_retained_heights_default = 1'000;

// --- Proofs -------------------------------------------------------------
// A history proof has one hash per level: 64 levels cover 2^64 leaves.
inline constexpr size_t history_proof_hashes_max = 64;

// --- P2P transport (node/net, docs/protocol.md section 14) ---------------
// Poly1305 tag appended to every encrypted frame by
// crypto_aead_xchacha20poly1305_ietf (node/net static_asserts the match).
inline constexpr size_t p2p_aead_bytes = 16;
// Largest ciphertext after the u32 length prefix: the largest wire message
// plus the tag. A receiver rejects a larger length before allocating.
inline constexpr size_t p2p_frame_bytes_max = wire_message_bytes_max + p2p_aead_bytes;
static_assert(p2p_frame_bytes_max < (size_t{1} << 32), "the length prefix is a u32");
// Per-peer send queue: messages not yet encrypted. When either bound is hit
// the oldest queued message is dropped (and counted): consensus messages are
// superseded by newer ones and retried, and a slow peer must neither stall
// the sender nor grow its memory. Bytes: four full blocks; messages: a few
// seconds of transaction gossip at the target rate.
inline constexpr size_t p2p_send_queue_bytes_max = 64u << 20;  // 64 MiB
inline constexpr size_t p2p_send_queue_messages_max = 16'384;
static_assert(p2p_send_queue_bytes_max >= 2 * wire_message_bytes_max, "a full block always fits");
// Bytes encrypted into one socket write: large enough to amortise syscalls
// over many small messages, small enough to keep per-peer buffers modest
// (a larger single message is written alone).
inline constexpr size_t p2p_write_batch_bytes_max = 1u << 20;  // 1 MiB
// Connect plus the whole handshake must finish within this time, else the
// connection is closed and the address backed off (a silent peer costs a
// socket for at most this long).
inline constexpr uint64_t p2p_handshake_timeout_ms = 5'000;
// Reconnect and misbehaviour backoff: base x 2^failures, capped. The cap
// stays below the pacemaker's ceiling so a healed link returns within one
// maximal round.
inline constexpr uint64_t p2p_reconnect_backoff_base_ms = 100;
inline constexpr uint64_t p2p_reconnect_backoff_max_ms = 5'000;
static_assert(p2p_reconnect_backoff_base_ms <= p2p_reconnect_backoff_max_ms);
static_assert(p2p_reconnect_backoff_max_ms <= round_timeout_max_ms);
// When two members both list each other, the lower key dials at once and
// the higher key waits this long first, so that crossing dials (and the
// duplicate connection they make) are rare: a loopback or LAN handshake
// takes milliseconds, a WAN one a few round trips.
inline constexpr uint64_t p2p_dial_defer_ms = 1'000;
static_assert(p2p_dial_defer_ms <= p2p_handshake_timeout_ms);
// Inbound connections still in their handshake: bounds what unauthenticated
// sockets can hold (136-byte hello buffers, one timer each).
inline constexpr size_t p2p_handshakes_pending_max = 64;
// Authenticated peers at once: every validator plus as many observers.
inline constexpr size_t p2p_peers_max = 2 * validators_max;

// --- Mempool (node/mempool, DESIGN.md data flow step 2) -------------------
// Pending transactions in all: about 20 full blocks at the 3,000 tx/s target
// with room for bursts; bounds memory to mempool_bytes_max.
inline constexpr size_t mempool_txs_max = 200'000;
// Bytes of pending transactions in all (encoded sizes).
inline constexpr size_t mempool_bytes_max = 512u << 20;  // 512 MiB
static_assert(mempool_bytes_max >= 4 * block_bytes_max, "a few full blocks always fit");
// Future-nonce window: a sender's pending nonces lie in [next, next + window).
// Wide enough for a client that pipelines a few blocks' worth of its own
// transactions; narrow so one key cannot reserve the whole pool.
inline constexpr uint64_t mempool_nonce_window_max = 1'024;
// Pending transactions of one sender; at most the window.
inline constexpr size_t mempool_sender_txs_max = 1'024;
static_assert(mempool_sender_txs_max <= mempool_nonce_window_max, "a sender cannot hold more than its window");
static_assert(mempool_sender_txs_max <= mempool_txs_max);
// Signature-verification worker threads (0 in config = hardware threads).
inline constexpr size_t mempool_verify_threads_max = 64;
// Transactions queued for verification and not yet verified: a burst far
// beyond what the workers drain in a second is refused (mempool.full).
inline constexpr size_t mempool_verify_queue_max = 65'536;
// Cached signature verdicts by tx id (so a resubmission or a gossiped copy
// is never verified twice); oldest first eviction.
inline constexpr size_t mempool_verdict_cache_max = 2 * mempool_txs_max;

// --- HTTP API (api/) -------------------------------------------------------
// Largest request body: a transaction as JSON hex is 2 x tx_bytes_max plus a
// small envelope.
inline constexpr size_t http_body_bytes_max = 2 * tx_bytes_max + (4u << 10);
static_assert(http_body_bytes_max > 2 * tx_bytes_max, "a hex-encoded transaction always fits");
// POST /v1/transactions/batch: transactions per request, and the request
// body (u32 length ‖ canonical bytes per transaction). The one route whose
// body may exceed http_body_bytes_max (the server bounds each route by its
// own limit before reading); 4 MiB holds 1,000 typical transactions (a few
// hundred bytes each) while keeping one request's buffer small.
inline constexpr size_t http_batch_txs_max = 1'000;
inline constexpr size_t http_batch_body_bytes_max = 4u << 20;  // 4 MiB
static_assert(http_batch_body_bytes_max >= http_body_bytes_max, "a batch body is the largest request body");
static_assert(http_batch_body_bytes_max >= 4 + tx_bytes_max, "a batch holds at least one largest transaction");
// Token bucket per sender key for POST /v1/transactions: sustained requests
// per second and burst. Above the whole network's target so one busy
// client (a bank's gateway) is not throttled, yet a runaway one is.
inline constexpr uint32_t http_rate_per_key_per_s_max = 5'000;
inline constexpr uint32_t http_rate_burst_per_key_max = 10'000;
// Keys tracked by the rate limiter at once (bounds its memory; refilled
// buckets are forgotten first).
inline constexpr size_t http_rate_keys_max = 100'000;
// Read and write timeout of one HTTP request; keep-alive idle timeout.
inline constexpr uint64_t http_request_timeout_ms = 10'000;
inline constexpr uint64_t http_keep_alive_timeout_ms = 5'000;
// HTTP worker threads.
inline constexpr size_t http_threads_max = 64;
// Items per page of a paginated list.
inline constexpr size_t http_page_items_max = 1'000;
// Concurrent event streams (GET /v1/events) per node.
inline constexpr size_t http_streams_max = 1'024;
// Largest proof answer (bytes of JSON): a history proof is 64 hashes, a
// state proof at most smt_depth_max hashes, plus certificates.
inline constexpr size_t proof_bytes_max = 1u << 20;  // 1 MiB

// --- Key files ----------------------------------------------------------
inline constexpr size_t key_file_bytes_max = 4096;

}  // namespace ipl::limits
