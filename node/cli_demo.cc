// `ipledger demo`: what exists of the product, end to end, on one machine.
// Generates (or reloads) a validator committee's keys, commits certified
// blocks of signed transactions into a LevelDB ledger, and writes proofs
// that `ipledger verify` checks offline. Domain contracts and the network
// come with later issues; until then the records are synthetic.
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ledger/ledger.h"
#include "node/cli.h"
#include "node/devchain.h"

namespace ipl::cli {

namespace {

constexpr const char* kDemoChain = "ipl-demo";

Status write_file(const std::string& path, ByteView data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return Status::io_error("cannot write " + path);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  return f ? Status::ok() : Status::io_error("cannot write " + path);
}

Result<std::vector<KeyPair>> load_or_create_keys(const std::string& dir, size_t n) {
  std::filesystem::create_directories(dir);
  ::chmod(dir.c_str(), 0700);
  std::vector<KeyPair> keys;
  for (size_t i = 0; i < n; ++i) {
    const std::string path = dir + "/validator-" + std::to_string(i) + ".key";
    if (std::filesystem::exists(path)) {
      IPL_ASSIGN_OR_RETURN(KeyPair kp, load_secret_key(path));
      keys.push_back(std::move(kp));
    } else {
      KeyPair kp = KeyPair::generate();
      IPL_RETURN_IF_ERROR(save_secret_key(path, kp));
      IPL_RETURN_IF_ERROR(save_public_key(path + ".pub", kp.public_key));
      keys.push_back(std::move(kp));
    }
  }
  return keys;
}

int fail(const Status& s) {
  std::fprintf(stderr, "ipledger demo: %s\n", s.to_string().c_str());
  return 2;
}

}  // namespace

int run_demo(const DemoOptions& opts) {
  std::error_code ec;
  std::filesystem::create_directories(opts.dir + "/proofs", ec);
  if (ec) return fail(Status::io_error("cannot create " + opts.dir + ": " + ec.message()));

  auto keys = load_or_create_keys(opts.dir + "/keys", opts.validators);
  if (!keys.is_ok()) return fail(keys.status());
  const devchain::TestCommittee committee(std::move(*keys), 1);

  nlohmann::json vs = {{"chain_id", kDemoChain}, {"epoch", 1}, {"consensus_keys", nlohmann::json::array()}};
  for (const PublicKey& k : committee.set.consensus_keys) vs["consensus_keys"].push_back(k.hex());
  const std::string vs_text = vs.dump(2) + "\n";
  if (Status s = write_file(opts.dir + "/validators.json", as_view(vs_text)); !s.is_ok()) return fail(s);

  auto store = ledger::open_leveldb(opts.dir + "/ledger");
  if (!store.is_ok()) return fail(store.status());
  auto l = ledger::Ledger::open(**store, {kDemoChain, 100, true});
  if (!l.is_ok()) return fail(l.status());
  ledger::Ledger& led = **l;

  devchain::ChainGenOptions gopts;
  gopts.chain_id = kDemoChain;
  gopts.txs_per_block = opts.txs_per_block;
  const devchain::ChainGen gen(gopts);

  std::printf("IPLedger demo: chain %s, %zu validators (quorum %zu), ledger at %s/ledger, starting at height %llu\n",
              kDemoChain, committee.set.size(), committee.set.quorum(), opts.dir.c_str(),
              static_cast<unsigned long long>(led.height()));
  const auto start = std::chrono::steady_clock::now();
  const uint64_t first = led.height() + 1;
  for (uint64_t i = 0; i < opts.blocks; ++i) {
    const uint64_t h = led.height() + 1;
    Hash32 parent{};
    if (h > 1) {
      auto prev = led.ledger_info_at(h - 1);
      if (!prev.is_ok()) return fail(prev.status());
      parent = prev->block_id;
    }
    auto li = led.commit_block(gen.block(h, parent));
    if (!li.is_ok()) return fail(li.status());
    if (Status s = led.store_certificate(committee.certify(*li)); !s.is_ok()) return fail(s);
    if (h % 10 == 0 || i + 1 == opts.blocks) {
      std::printf("  height %6llu  txs %8llu  history_root %s  state_root %s\n", static_cast<unsigned long long>(h),
                  static_cast<unsigned long long>(li->history_size), to_hex(li->history_root).substr(0, 16).c_str(),
                  to_hex(li->state_root).substr(0, 16).c_str());
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("committed %llu certified blocks (%llu transactions) in %.2f s, each block one synced batch\n",
              static_cast<unsigned long long>(opts.blocks),
              static_cast<unsigned long long>(opts.blocks * opts.txs_per_block), secs);

  // Proofs an auditor can check offline: a transaction from the middle of
  // this run, a record's current value, and a record that does not exist.
  const uint64_t mid = first + (led.height() - first) / 2;
  auto blk = led.block_at(mid);
  if (!blk.is_ok()) return fail(blk.status());
  const Hash32 tx_id = blk->txs[blk->txs.size() / 2].id();
  auto txp = led.prove_tx(tx_id);
  if (!txp.is_ok()) return fail(txp.status());
  const std::string tx_path = opts.dir + "/proofs/tx-" + to_hex(tx_id).substr(0, 16) + ".proof";
  if (Status s = write_file(tx_path, txp->encode()); !s.is_ok()) return fail(s);

  auto recp = led.prove_record(as_view("record/7"), led.height());
  if (!recp.is_ok()) return fail(recp.status());
  const std::string rec_path = opts.dir + "/proofs/record-7.proof";
  if (Status s = write_file(rec_path, recp->encode()); !s.is_ok()) return fail(s);
  auto absent = led.prove_record(as_view("record/none"), led.height());
  if (!absent.is_ok()) return fail(absent.status());
  const std::string absent_path = opts.dir + "/proofs/record-absent.proof";
  if (Status s = write_file(absent_path, absent->encode()); !s.is_ok()) return fail(s);

  auto hist = led.record_history(as_view("record/7"));
  if (!hist.is_ok()) return fail(hist.status());
  std::printf("record/7 has %zu versions, chained by prev_hash\n", hist->size());
  std::printf("proofs written:\n  %s\n  %s\n  %s\nvalidator set: %s/validators.json\n", tx_path.c_str(),
              rec_path.c_str(), absent_path.c_str(), opts.dir.c_str());
  return 0;
}

}  // namespace ipl::cli
