// The load generator behind `ipledger bench` (issue 5 item 9), in testable
// pieces: finding the sender keys, pre-signing transactions that succeed,
// measuring the single-core Ed25519 verify rate, the timed run against the
// nodes' HTTP APIs, and the statistics and report.
//
// What it sends: `attest.bank_totals` from BANK members with a branch code
// (docs/transactions.md "Attestations"): a later attestation of the same
// month is a new version of the record, so it succeeds any number of times.
// Transaction k goes from sender k % S with nonce first_nonce + k / S, so
// every sender's nonces are contiguous and the senders interleave. The
// nonces are not read from the chain (no API serves them): a run assumes
// senders whose next nonce is first_nonce (1 on a fresh chain; a later run
// on the same chain passes the next_nonce the previous one printed).
//
// The run: `connections` submit threads, each with one keep-alive client
// per node, take transactions in order (paced at `rate` tx/s when given)
// and POST their canonical bytes to node (k % S) % nodes, so one sender
// always talks to one node: one per request to POST /v1/transactions, or,
// with batch N > 1, N of one node's transactions per request to POST
// /v1/transactions/batch (each transaction keeps its own answer, retries
// and deadline: a batch is only a way to carry them); one follower thread
// polls GET
// /v1/blocks/{h} on one node from the starting height and records, per
// transaction of ours, the time it first appears in an executed block and
// its receipt. Everything is bounded: the transaction count, the threads,
// the per-transaction retry time, the wait for commits.
//
// Thread-safety: run() starts and joins its own threads; everything else is
// a pure function or touches only its arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "api/http_client.h"
#include "common/chain.h"
#include "common/crypto.h"
#include "common/status.h"
#include "genesis/genesis.h"

namespace ipl::bench {

// Bounds of one run (memory: a few hundred bytes per transaction).
inline constexpr size_t txs_max = 5'000'000;
inline constexpr size_t senders_max = 100'000;
inline constexpr size_t connections_max = 256;
inline constexpr size_t nodes_max = 256;
// Distinct rejection codes / receipt reasons kept by name; more are
// counted under "other".
inline constexpr size_t codes_max = 64;

struct Sender {
  KeyPair key;
  uint64_t member_id = 0;
  std::string file;  // the key file's name
};

struct SenderScan {
  std::vector<Sender> senders;       // sorted by file name
  size_t files_seen = 0;             // files DIR/<prefix>*.key looked at
  std::vector<std::string> skipped;  // "<file>: why", one per file not used
};

// Loads every DIR/<prefix>*.key (secret key files, `.pub` excluded) and
// keeps those whose public key is an API key of a BANK member with a branch
// code in `g` (attest.bank_totals needs one). Not-ok when DIR cannot be
// read or holds more than senders_max such files.
Result<SenderScan> find_senders(const genesis::Genesis& g, const std::string& dir, const std::string& prefix);

struct PresignPlan {
  std::string chain_id;
  uint64_t first_nonce = 1;  // every sender's next nonce on the chain
  uint64_t valid_until_height = 0;
  CivilDate value_date;      // must not be after the blocks' civil date
};

// u32 month ‖ i64 loans_fen ‖ i64 npl_fen (requires 0 <= npl <= loans).
Bytes bank_totals_payload(uint32_t yyyymm, int64_t loans_fen, int64_t npl_fen);

inline size_t sender_of(size_t k, size_t senders) { return k % senders; }
inline uint64_t nonce_of(size_t k, size_t senders, uint64_t first_nonce) { return first_nonce + k / senders; }

// Transactions 0..n-1 as described in the file comment, signed on
// `threads` threads. Requires 1 <= senders.size(), n <= txs_max.
std::vector<Transaction> presign(std::span<const Sender> senders, size_t n, const PresignPlan& plan,
                                 size_t threads);
// Every sender's next nonce once all n transactions committed: a later run
// passes it as first_nonce. nullopt when n is not a multiple of the sender
// count (then the senders end at different nonces).
std::optional<uint64_t> next_nonce_after(size_t n, size_t senders, uint64_t first_nonce);

struct VerifyRate {
  double per_second = 0;  // signature checks per second of one core
  size_t checks = 0;
  double seconds = 0;
};
// Checks `count` signatures of `txs` (cycling) under IPL/tx/v1 on the
// calling thread, as the mempool does. Requires txs non-empty, every
// signature valid (our own), count >= 1.
VerifyRate measure_verify_rate(std::span<const Transaction> txs, size_t count);

// Nearest-rank percentile, p in (0, 100]: the smallest value with at least
// p% of the values at or below it. 0 for no values.
double percentile(std::vector<double> values, double p);
// tx_per_s / (cores × verify_rate / nodes): the committed rate against the
// bound of N nodes that each verify every signature once, sharing `cores`.
// 0 when the bound is 0.
double bound_ratio(double tx_per_s, size_t cores, double verify_rate, size_t nodes);

struct RunOptions {
  std::vector<api::HttpEndpoint> nodes;  // submission targets
  api::HttpEndpoint follow;              // polled for blocks
  size_t senders = 1;                    // S of presign (routes a sender to one node)
  double rate = 0;                       // tx/s target; 0 = as fast as possible
  size_t connections = 8;                // submit threads
  // Transactions per request: 1 = POST /v1/transactions (one each), else
  // POST /v1/transactions/batch with up to this many of one node's.
  // 1 .. limits::http_batch_txs_max.
  size_t batch = 1;
  uint64_t start_height = 0;             // follow from start_height + 1
  uint64_t poll_ms = 10;                 // wait after a 404 before asking again
  // After the last submission: stop when no transaction of ours has
  // committed for this long.
  uint64_t idle_timeout_ms = 30'000;
  // Per transaction: how long backpressure answers (429, 503,
  // tx.nonce_too_far, no connection) are retried before giving up.
  uint64_t retry_ms = 30'000;
  uint64_t request_timeout_ms = 10'000;
};

struct RunResult {
  size_t batch = 1;        // RunOptions::batch
  uint64_t requests = 0;   // HTTP submit requests, retries included
  uint64_t submitted = 0;  // transactions posted at least once
  uint64_t accepted = 0;   // final answer 202 (pending) or 200 (already committed)
  std::map<std::string, uint64_t> rejected;          // final error answers by code
  std::map<std::string, std::string> rejected_example;  // code -> first message
  std::map<std::string, uint64_t> retried;           // backpressure answers retried, by code
  uint64_t committed = 0;   // ours seen in an executed block (once each)
  uint64_t succeeded = 0;   // of those, receipt success
  std::map<std::string, uint64_t> failed;  // receipt reasons of the rest
  uint64_t duplicates = 0;  // ours seen in a second block (must stay 0)
  uint64_t start_height = 0;
  uint64_t end_height = 0;   // last block read
  double submit_seconds = 0;  // first submission to last answer
  double window_seconds = 0;  // first submission to last commit of ours
  double committed_per_s = 0;
  double latency_p50_s = 0;   // submit (first attempt) to first seen committed
  double latency_p99_s = 0;
  double latency_max_s = 0;
  bool is_idle_timeout = false;  // stopped waiting with accepted transactions uncommitted
  std::string abort_reason;      // non-empty: the run stopped early (node unreachable, bad answer)
};

// The timed phase. Not-ok only when the options are unusable; node
// problems during the run end it early with abort_reason set.
Result<RunResult> run(const RunOptions& options, std::span<const Transaction> txs);

struct Report {
  std::vector<std::string> urls;
  std::string follow_url;
  size_t nodes = 0;  // N of the ratio
  size_t key_files = 0;
  size_t senders = 0;
  size_t txs = 0;
  uint64_t first_nonce = 1;
  double rate_target = 0;
  size_t connections = 0;
  double presign_seconds = 0;
  VerifyRate verify;
  size_t cores = 0;
  RunResult run;
  double ratio = 0;
  // Every transaction accepted, committed exactly once, with a success
  // receipt, and the run not aborted.
  bool is_all_succeeded() const;
};

std::string report_text(const Report& r);
std::string report_json(const Report& r);  // one JSON object and a newline

}  // namespace ipl::bench
