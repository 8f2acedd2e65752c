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

}  // namespace ipl::cli
