// The subcommands of the `ipledger` binary, one function per command.
// Each returns the process exit code: 0 success, 1 a check failed
// (e.g. a proof does not verify), 2 bad usage or unreadable input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ipl::cli {

struct DemoOptions {
  std::string dir = "demo-out";
  uint64_t blocks = 50;
  size_t txs_per_block = 100;
  size_t validators = 4;
};
int run_demo(const DemoOptions& opts);

// `node --config FILE` (node/cli_node.cc): runs until SIGINT/SIGTERM.
int run_node(const std::string& config_path);

// Validator-set files are JSON: {"chain_id": "...", "epoch": 1,
// "consensus_keys": ["<64 hex>", ...]}.
int verify_tx_proof_file(const std::string& validators_path, const std::string& proof_path);
int verify_record_proof_file(const std::string& validators_path, const std::string& proof_path);
// The chain of epoch changes served by GET /v1/epoch-proof (the JSON answer
// or its hex), checked from the genesis validator set alone.
int verify_epoch_proof_file(const std::string& genesis_path, const std::string& proof_path);

int keygen(const std::string& out_path);

// `genesis init|validate|hash` (node/cli_genesis.cc, docs/genesis.md).
int genesis_init(const std::string& consortium_path, const std::string& out_dir, bool test_keys);
int genesis_validate(const std::string& path);
int genesis_hash(const std::string& path);

// `exec` (node/cli_exec.cc, docs/transactions.md "Offline execution").
struct ExecOptions {
  std::string genesis;
  std::string keys;
  std::string txs;
  std::string out;
  bool test_module = false;  // registers the two-version test module
};
int exec_offline(const ExecOptions& opts);

// `tx sign|submit|get` (node/cli_tx.cc): sign a JSON line (exec's format),
// submit the bytes to a node, read a transaction's status.
struct TxSignOptions {
  std::string keys;
  std::string genesis;
  std::string json;                               // one line, or "-": lines from stdin
  uint64_t nonce = 1;                             // a sender's first nonce when the line has none
  uint64_t valid_until_height = 1'000'000'000;    // effectively no expiry unless given
  bool with_id = false;                           // print "TX_ID HEX"
};
int tx_sign(const TxSignOptions& opts);
int tx_submit(const std::string& url, const std::string& hex);
int tx_get(const std::string& url, const std::string& id);

// `status --url URL [--json]` (node/cli_status.cc): GET /v1/status, printed.
// Exit 0; 1 when the node is halted; 2 when unreachable or not a status.
int node_status(const std::string& url, bool is_json);
// The text `status` prints for a /v1/status body; an error when it is not one.
Result<std::string> status_text(std::string_view body);

// `bench` (node/cli_bench.cc, node/bench.h): the load generator of issue 5.
struct BenchOptions {
  std::string urls;               // URL[,URL...]: submissions spread across them
  std::string genesis;
  std::string keys;               // directory of <key_prefix>*.key files
  std::string key_prefix = "bench";
  uint64_t txs = 10'000;          // total
  double rate = 0;                // tx/s target, 0 = as fast as possible
  size_t connections = 8;         // submit threads (one keep-alive connection per node each)
  size_t batch = 1;               // transactions per request; 1 = POST /v1/transactions, else /batch
  bool json = false;
  uint64_t first_nonce = 1;       // every sender's next nonce on the chain
  std::string follow_url;         // polled for blocks; default the first URL
  size_t nodes = 0;               // N of the ratio; 0 = the number of URLs
  size_t verify_count = 20'000;   // signatures checked for the verify rate
  uint64_t poll_ms = 10;
  uint64_t idle_timeout_s = 30;   // stop waiting for commits after this long without one
  uint64_t retry_s = 30;          // per transaction, retry backpressure answers this long
  uint64_t valid_for = 1'000'000; // valid_until_height = start height + this
};
int run_bench(const BenchOptions& opts);

}  // namespace ipl::cli
