// The subcommands of the `ipledger` binary, one function per command.
// Each returns the process exit code: 0 success, 1 a check failed
// (e.g. a proof does not verify), 2 bad usage or unreadable input.
#pragma once

#include <cstdint>
#include <string>

namespace ipl::cli {

struct DemoOptions {
  std::string dir = "demo-out";
  uint64_t blocks = 50;
  size_t txs_per_block = 100;
  size_t validators = 4;
};
int run_demo(const DemoOptions& opts);

// Validator-set files are JSON: {"chain_id": "...", "epoch": 1,
// "consensus_keys": ["<64 hex>", ...]}.
int verify_tx_proof_file(const std::string& validators_path, const std::string& proof_path);
int verify_record_proof_file(const std::string& validators_path, const std::string& proof_path);

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

}  // namespace ipl::cli
