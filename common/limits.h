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

// --- Key files ----------------------------------------------------------
inline constexpr size_t key_file_bytes_max = 4096;

}  // namespace ipl::limits
