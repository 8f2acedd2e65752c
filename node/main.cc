// ipledger: the one binary (DESIGN.md "Layout"). Subcommands grow with the
// product; today: keygen, demo, verify, genesis, exec.
#include <CLI/CLI.hpp>

#include "node/cli.h"

int main(int argc, char** argv) {
  CLI::App app{"IPLedger: a consortium ledger for IP-pledge financing"};
  app.require_subcommand(1);

  std::string key_out;
  CLI::App* keygen = app.add_subcommand("keygen", "Generate an Ed25519 key pair (secret file mode 0600, and .pub)");
  keygen->add_option("--out", key_out, "Secret key path; the public key goes to PATH.pub")->required();

  ipl::cli::DemoOptions demo;
  CLI::App* demo_cmd = app.add_subcommand(
      "demo", "Build a certified demo chain in a LevelDB ledger, write proofs, verify them offline");
  demo_cmd->add_option("--dir", demo.dir, "Output directory (re-running continues the chain)");
  demo_cmd->add_option("--blocks", demo.blocks, "Blocks to add")->check(CLI::Range(1, 100000));
  demo_cmd->add_option("--txs-per-block", demo.txs_per_block, "Transactions per block")->check(CLI::Range(1, 10000));
  demo_cmd->add_option("--validators", demo.validators, "Validators in the committee")->check(CLI::Range(1, 256));

  std::string validators, proof;
  CLI::App* verify = app.add_subcommand("verify", "Verify a proof offline against a validator-set file");
  verify->require_subcommand(1);
  CLI::App* vtx = verify->add_subcommand("tx-proof", "A transaction and its receipt are in the certified history");
  CLI::App* vrec = verify->add_subcommand("record-proof", "A record's value (or absence) in the certified state");
  for (CLI::App* sub : {vtx, vrec}) {
    sub->add_option("--validators", validators, "Validator-set JSON of the anchor's epoch")->required()->check(CLI::ExistingFile);
    sub->add_option("proof", proof, "Proof file")->required()->check(CLI::ExistingFile);
  }

  std::string consortium, genesis_out, genesis_file;
  bool test_keys = false;
  CLI::App* genesis_cmd = app.add_subcommand("genesis", "Create, validate and hash genesis files (docs/genesis.md)");
  genesis_cmd->require_subcommand(1);
  CLI::App* ginit = genesis_cmd->add_subcommand("init", "Generate member keys (mode 0600) and genesis.json from a consortium file");
  ginit->add_option("--consortium", consortium, "Consortium description (JSON)")->required()->check(CLI::ExistingFile);
  ginit->add_option("--out", genesis_out, "Output directory (genesis.json, keys/)")->required();
  ginit->add_flag("--test-keys", test_keys, "Derive keys from labels (reproducible test chains only)");
  CLI::App* gvalidate = genesis_cmd->add_subcommand("validate", "Report every problem of a genesis file");
  CLI::App* ghash = genesis_cmd->add_subcommand("hash", "Print the genesis hash");
  for (CLI::App* sub : {gvalidate, ghash}) sub->add_option("genesis", genesis_file, "Genesis file")->required()->check(CLI::ExistingFile);

  ipl::cli::ExecOptions exec_opts;
  CLI::App* exec = app.add_subcommand("exec", "Execute signed transactions offline and print receipts, records, state root");
  exec->add_option("--genesis", exec_opts.genesis, "Genesis file")->required()->check(CLI::ExistingFile);
  exec->add_option("--keys", exec_opts.keys, "Directory of NAME.key files for senders")->required();
  exec->add_option("--txs", exec_opts.txs, "Transactions, one JSON object per line")->required()->check(CLI::ExistingFile);
  exec->add_option("--out", exec_opts.out, "Also write result.json and state_root here");
  exec->add_flag("--test-module", exec_opts.test_module, "Register the two-version test module (tests only)");

  CLI11_PARSE(app, argc, argv);
  if (ginit->parsed()) return ipl::cli::genesis_init(consortium, genesis_out, test_keys);
  if (gvalidate->parsed()) return ipl::cli::genesis_validate(genesis_file);
  if (ghash->parsed()) return ipl::cli::genesis_hash(genesis_file);
  if (exec->parsed()) return ipl::cli::exec_offline(exec_opts);
  if (keygen->parsed()) return ipl::cli::keygen(key_out);
  if (demo_cmd->parsed()) return ipl::cli::run_demo(demo);
  if (vtx->parsed()) return ipl::cli::verify_tx_proof_file(validators, proof);
  if (vrec->parsed()) return ipl::cli::verify_record_proof_file(validators, proof);
  return 2;
}
