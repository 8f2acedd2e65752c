// ipledger: the one binary (DESIGN.md "Layout"). Subcommands grow with the
// product; today: keygen, demo, verify, genesis, exec, tx.
#include <CLI/CLI.hpp>

#include "node/cli.h"

int main(int argc, char** argv) {
  CLI::App app{"IPLedger: a consortium ledger for IP-pledge financing"};
  app.require_subcommand(1);

  std::string node_config;
  CLI::App* node_cmd = app.add_subcommand("node", "Run a validator or observer node (docs/config.md)");
  node_cmd->add_option("--config", node_config, "Node configuration (TOML)")->required()->check(CLI::ExistingFile);

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
  std::string epoch_genesis;
  CLI::App* vepoch = verify->add_subcommand("epoch-proof", "A chain of epoch changes (GET /v1/epoch-proof) from the genesis");
  vepoch->add_option("--genesis", epoch_genesis, "Genesis file")->required()->check(CLI::ExistingFile);
  vepoch->add_option("proof", proof, "The /v1/epoch-proof answer or its hex")->required()->check(CLI::ExistingFile);

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

  ipl::cli::TxSignOptions tx_sign_opts;
  std::string tx_url, tx_arg;
  CLI::App* tx_cmd = app.add_subcommand("tx", "Sign a transaction, submit it to a node, read its status");
  tx_cmd->require_subcommand(1);
  CLI::App* tx_sign = tx_cmd->add_subcommand("sign", "Print the canonical signed transaction of a JSON line as hex");
  tx_sign->add_option("--keys", tx_sign_opts.keys, "Directory of NAME.key files for senders")->required();
  tx_sign->add_option("--genesis", tx_sign_opts.genesis, "Genesis file (chain id)")->required()->check(CLI::ExistingFile);
  tx_sign->add_option("--nonce", tx_sign_opts.nonce, "Nonce of a sender's first line without \"nonce\"");
  tx_sign->add_option("--valid-until", tx_sign_opts.valid_until_height, "valid_until_height unless the line gives one");
  tx_sign->add_flag("--with-id", tx_sign_opts.with_id, "Print \"TX_ID HEX\"");
  tx_sign->add_option("json", tx_sign_opts.json, "One JSON line (ipledger exec format), or - for lines on stdin")->required();
  CLI::App* tx_submit = tx_cmd->add_subcommand("submit", "POST /v1/transactions; prints \"STATUS BODY\"");
  CLI::App* tx_get = tx_cmd->add_subcommand("get", "GET /v1/transactions/ID");
  for (CLI::App* sub : {tx_submit, tx_get}) sub->add_option("--url", tx_url, "Node API, http://HOST:PORT")->required();
  tx_submit->add_option("tx", tx_arg, "Signed transaction hex, or - for one per line on stdin")->required();
  tx_get->add_option("id", tx_arg, "Transaction id (64 hex)")->required();

  std::string status_url;
  bool status_json = false;
  CLI::App* status_cmd = app.add_subcommand("status", "A node's height, epoch, round, peers, leader, last commit age");
  status_cmd->add_option("--url", status_url, "Node API, http://HOST:PORT")->required();
  status_cmd->add_flag("--json", status_json, "Print the node's JSON answer");

  ipl::cli::BenchOptions bench;
  CLI::App* bench_cmd = app.add_subcommand("bench", "Load generator: pre-signed bank attestations against running nodes");
  bench_cmd->add_option("--urls", bench.urls, "Node APIs, http://HOST:PORT[,...]; senders spread across them")->required();
  bench_cmd->add_option("--genesis", bench.genesis, "Genesis file of the chain")->required()->check(CLI::ExistingFile);
  bench_cmd->add_option("--keys", bench.keys, "Directory of sender key files")->required()->check(CLI::ExistingDirectory);
  bench_cmd->add_option("--key-prefix", bench.key_prefix, "Use DIR/PREFIX*.key of BANK members")->capture_default_str();
  bench_cmd->add_option("--txs", bench.txs, "Transactions in all")->capture_default_str()->check(CLI::Range(uint64_t{1}, uint64_t{5'000'000}));
  bench_cmd->add_option("--rate", bench.rate, "Target tx/s (0: as fast as possible)")->capture_default_str()->check(CLI::NonNegativeNumber);
  bench_cmd->add_option("--connections", bench.connections, "Submit threads, one connection per node each")->capture_default_str()->check(CLI::Range(1, 256));
  bench_cmd->add_option("--batch", bench.batch, "Transactions per request (1: POST /v1/transactions; more: /v1/transactions/batch)")->capture_default_str()->check(CLI::Range(1, 1000));
  bench_cmd->add_flag("--json", bench.json, "Print the report as one JSON object");
  bench_cmd->add_option("--first-nonce", bench.first_nonce, "Every sender's next nonce (1 on a fresh chain)")->capture_default_str()->check(CLI::PositiveNumber);
  bench_cmd->add_option("--follow-url", bench.follow_url, "Node polled for blocks (default: the first URL)");
  bench_cmd->add_option("--nodes", bench.nodes, "N of the ratio (default: the number of URLs)");
  bench_cmd->add_option("--verify-count", bench.verify_count, "Signatures checked for the verify rate")->capture_default_str()->check(CLI::Range(1, 10'000'000));
  bench_cmd->add_option("--poll-ms", bench.poll_ms, "Pause between polls for the next block")->capture_default_str()->check(CLI::Range(1, 10'000));
  bench_cmd->add_option("--idle-timeout", bench.idle_timeout_s, "Seconds without a commit before giving up")->capture_default_str()->check(CLI::Range(1, 3600));
  bench_cmd->add_option("--retry-timeout", bench.retry_s, "Seconds a pushed-back submission is retried")->capture_default_str()->check(CLI::Range(0, 3600));

  CLI11_PARSE(app, argc, argv);
  if (status_cmd->parsed()) return ipl::cli::node_status(status_url, status_json);
  if (bench_cmd->parsed()) return ipl::cli::run_bench(bench);
  if (node_cmd->parsed()) return ipl::cli::run_node(node_config);
  if (tx_sign->parsed()) return ipl::cli::tx_sign(tx_sign_opts);
  if (tx_submit->parsed()) return ipl::cli::tx_submit(tx_url, tx_arg);
  if (tx_get->parsed()) return ipl::cli::tx_get(tx_url, tx_arg);
  if (ginit->parsed()) return ipl::cli::genesis_init(consortium, genesis_out, test_keys);
  if (gvalidate->parsed()) return ipl::cli::genesis_validate(genesis_file);
  if (ghash->parsed()) return ipl::cli::genesis_hash(genesis_file);
  if (exec->parsed()) return ipl::cli::exec_offline(exec_opts);
  if (keygen->parsed()) return ipl::cli::keygen(key_out);
  if (demo_cmd->parsed()) return ipl::cli::run_demo(demo);
  if (vepoch->parsed()) return ipl::cli::verify_epoch_proof_file(epoch_genesis, proof);
  if (vtx->parsed()) return ipl::cli::verify_tx_proof_file(validators, proof);
  if (vrec->parsed()) return ipl::cli::verify_record_proof_file(validators, proof);
  return 2;
}
