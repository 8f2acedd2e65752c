// ipledger: the one binary (DESIGN.md "Layout"). Subcommands grow with the
// product; today: keygen, demo, verify.
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

  CLI11_PARSE(app, argc, argv);
  if (keygen->parsed()) return ipl::cli::keygen(key_out);
  if (demo_cmd->parsed()) return ipl::cli::run_demo(demo);
  if (vtx->parsed()) return ipl::cli::verify_tx_proof_file(validators, proof);
  if (vrec->parsed()) return ipl::cli::verify_record_proof_file(validators, proof);
  return 2;
}
