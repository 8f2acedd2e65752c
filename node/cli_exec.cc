// `ipledger exec --genesis G --keys DIR --txs FILE.jsonl [--out DIR]`:
// offline execution with no network (docs/transactions.md "Offline
// execution"). Commits the genesis block, then executes the transactions
// of FILE.jsonl block by block with the real executor into a real
// ledger::Ledger over a MemStore, and prints every receipt, the final
// records as JSON and the state root.
// A line is one JSON object:
//   {"sender": NAME, "type": T, "payload": {...}, optional "nonce",
//    "valid_until_height", "value_date", "chain_id", "block", "time",
//    "timestamp_ms", "corrupt_signature"}   signed with DIR/NAME.key
//   {"signed": HEX}                            an already-signed transaction
//   {"query": "param", "name": N, "date": D} | {"query": "lpr", "month": M}
//   | {"query": "working_day", "date": D}     read state at that point
//   {"check": ...}                             ignored (scenario assertions)
// "@NAME" anywhere in a payload string is replaced by the hex public key
// of DIR/NAME.key (the line format is shared with `tx sign`:
// node/tx_json.h). Blank lines and lines starting with '#' are skipped.
// "block": N puts the transaction in block N (empty blocks fill any gap);
// without it each transaction gets its own next block.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/hash.h"
#include "contracts/executor.h"
#include "contracts/json.h"
#include "contracts/queries.h"
#include "genesis/genesis.h"
#include "ledger/ledger.h"
#include "node/cli.h"
#include "node/ledger_view.h"
#include "node/tx_json.h"

namespace ipl::cli {

namespace {

using nlohmann::json;

using node::LedgerView;

struct PendingTx {
  Transaction tx;
  size_t line = 0;
  std::string sender;
  std::string type;
};

class Runner {
 public:
  Runner(const genesis::Genesis& g, contracts::Registry registry, std::string keys_dir)
      : genesis_(g), registry_(std::move(registry)), keys_dir_(std::move(keys_dir)) {}

  Status start() {
    IPL_ASSIGN_OR_RETURN(ledger_, ledger::Ledger::open(store_, {genesis_.chain_id, 0, false}));
    ledger::BlockCommit c = genesis::build_genesis_commit(genesis_);
    for (const auto& w : c.writes) keys_.insert(std::string(as_chars(w.key)));
    IPL_ASSIGN_OR_RETURN(LedgerInfo li, ledger_->commit_block(c));
    parent_id_ = li.block_id;
    last_ts_ = genesis_.genesis_time_ms;
    out_["genesis"] = {{"hash", to_hex(genesis_.hash())}, {"state_root", to_hex(li.state_root)},
                       {"block_id", to_hex(li.block_id)}};
    out_["blocks"] = json::array();
    out_["queries"] = json::array();
    return Status::ok();
  }

  Status line(size_t n, const json& j) {
    if (j.contains("check")) return Status::ok();
    if (j.contains("query")) {
      IPL_RETURN_IF_ERROR(flush());
      return query(n, j);
    }
    // Block placement.
    uint64_t height = pending_height_ != 0 ? pending_height_ + 1 : ledger_->height() + 1;
    if (j.contains("block")) height = j.at("block").get<uint64_t>();
    if (pending_height_ != 0 && height != pending_height_) IPL_RETURN_IF_ERROR(flush());
    if (pending_height_ == 0) {
      if (height <= ledger_->height()) return Status::invalid("line " + std::to_string(n) + ": block " + std::to_string(height) + " already committed");
      IPL_RETURN_IF_ERROR(fill_to(height - 1));
      pending_height_ = height;
      pending_ts_ = last_ts_ + 1000;
      if (j.contains("time")) {
        IPL_ASSIGN_OR_RETURN(pending_ts_, contracts::parse_shanghai_time(j.at("time").get<std::string>()));
      } else if (j.contains("timestamp_ms")) {
        pending_ts_ = j.at("timestamp_ms").get<uint64_t>();
      }
      if (pending_ts_ <= last_ts_) return Status::invalid("line " + std::to_string(n) + ": block time must increase");
    }
    PendingTx p;
    p.line = n;
    if (j.contains("signed")) {
      IPL_ASSIGN_OR_RETURN(Bytes raw, from_hex(j.at("signed").get<std::string>()));
      IPL_ASSIGN_OR_RETURN(p.tx, Transaction::decode(raw));
      p.sender = "(signed)";
    } else {
      IPL_RETURN_IF_ERROR(build(n, j, p));
    }
    pending_.push_back(std::move(p));
    return Status::ok();
  }

  Status finish() {
    IPL_RETURN_IF_ERROR(flush());
    json records = json::object();
    LedgerView view(*ledger_);
    for (const std::string& k : keys_) {
      IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, view.get(as_view(k)));
      if (raw) records[k] = contracts::record_to_json(k, *raw);
    }
    out_["records"] = records;
    out_["height"] = ledger_->height();
    out_["state_root"] = to_hex(ledger_->state_root());
    return Status::ok();
  }

  const json& output() const { return out_; }

 private:
  // The transaction of a {"sender", "type", ...} line (node/tx_json.h):
  // by default valid for 100 blocks, dated the block's day, with the
  // sender's next nonce after the committed state and the transactions
  // already built in this block.
  Status build(size_t n, const json& j, PendingTx& p) {
    const TxDefaults defaults{genesis_.chain_id, pending_height_ + 100,
                              contracts::BlockContext{genesis_.chain_id, pending_height_, pending_ts_}.civil_date()};
    auto next_nonce = [this](const PublicKey& sender) -> Result<uint64_t> {
      auto it = next_nonce_.find(sender);
      if (it == next_nonce_.end()) {
        LedgerView view(*ledger_);
        IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, contracts::read_record(view, contracts::keys::nonce(sender)));
        uint64_t last = 0;
        if (raw) {
          Decoder d(*raw);
          IPL_RETURN_IF_ERROR(d.u64(last));
        }
        it = next_nonce_.emplace(sender, last + 1).first;
      }
      return it->second++;
    };
    auto tx = transaction_from_json(j, keys_dir_, defaults, next_nonce);
    if (!tx.is_ok()) return Status::invalid("line " + std::to_string(n) + ": " + tx.status().message());
    p.tx = std::move(tx).value();
    p.sender = j.at("sender").get<std::string>();
    p.type = j.at("type").get<std::string>();
    return Status::ok();
  }

  Status fill_to(uint64_t height) {
    while (ledger_->height() < height) {
      IPL_RETURN_IF_ERROR(commit(ledger_->height() + 1, last_ts_ + 1, {}));
    }
    return Status::ok();
  }

  Status flush() {
    if (pending_height_ == 0) return Status::ok();
    std::vector<PendingTx> txs = std::move(pending_);
    pending_.clear();
    const uint64_t h = pending_height_;
    pending_height_ = 0;
    return commit(h, pending_ts_, std::move(txs));
  }

  Status commit(uint64_t height, uint64_t ts, std::vector<PendingTx> txs) {
    IPL_ASSERT(height == ledger_->height() + 1);
    std::vector<Transaction> raw;
    for (const PendingTx& p : txs) raw.push_back(p.tx);
    LedgerView base(*ledger_);
    const contracts::BlockContext ctx{genesis_.chain_id, height, ts};
    IPL_ASSIGN_OR_RETURN(contracts::BlockResult r, contracts::execute_block(registry_, base, ctx, raw));
    ledger::BlockCommit c;
    BlockHeader& hdr = c.block.header;
    hdr.chain_id = genesis_.chain_id;
    hdr.epoch = r.epoch;
    hdr.round = Round(height);
    hdr.height = Height(height);
    hdr.parent_id = parent_id_;
    hdr.parent_qc.data = VoteData{genesis_.chain_id, r.epoch, Round(height - 1), parent_id_};
    hdr.timestamp_ms = ts;
    hdr.payload_hash = Block::payload_hash(raw);
    c.block.txs = raw;
    c.receipts = r.receipts;
    for (const contracts::StateWrite& w : r.writes) {
      keys_.insert(w.key);
      c.writes.push_back(ledger::RecordWrite{to_bytes(w.key), w.body, w.tx_id});
    }
    c.protocol_version = r.protocol_version;
    c.next_epoch = r.next_epoch;
    IPL_ASSIGN_OR_RETURN(LedgerInfo li, ledger_->commit_block(c));
    parent_id_ = li.block_id;
    last_ts_ = ts;
    next_nonce_.clear();
    if (txs.empty() && !r.next_epoch && r.scheduled.empty()) return Status::ok();
    json b = {{"height", height}, {"timestamp_ms", ts}, {"epoch", r.epoch.value()},
              {"protocol_version", r.protocol_version}, {"state_root", to_hex(li.state_root)},
              {"receipts", json::array()}};
    for (size_t i = 0; i < txs.size(); ++i) {
      json rj = contracts::receipt_to_json(r.receipts[i]);
      rj["line"] = txs[i].line;
      rj["sender"] = txs[i].sender;
      rj["type"] = txs[i].type;
      b["receipts"].push_back(rj);
    }
    if (r.next_epoch) {
      json ks = json::array();
      for (const PublicKey& k : r.next_epoch->validators.consensus_keys) ks.push_back(k.hex());
      b["next_epoch"] = {{"number", r.next_epoch->number.value()}, {"consensus_keys", ks}};
    }
    for (const contracts::EpochEntry& e : r.scheduled) {
      b["scheduled_epochs"].push_back({{"number", e.number}, {"boundary_height", e.boundary_height},
                                       {"members", e.members}});
    }
    out_["blocks"].push_back(b);
    return Status::ok();
  }

  Status query(size_t n, const json& j) {
    LedgerView view(*ledger_);
    json q = j;
    q["line"] = n;
    q["height"] = ledger_->height();
    const std::string kind = j.at("query").get<std::string>();
    if (kind == "param") {
      IPL_ASSIGN_OR_RETURN(CivilDate d, CivilDate::parse(j.at("date").get<std::string>()));
      IPL_ASSIGN_OR_RETURN(std::optional<int64_t> v, contracts::param_at(view, j.at("name").get<std::string>(), d));
      q["value"] = v ? json(*v) : json(nullptr);
    } else if (kind == "lpr") {
      const std::string m = j.at("month").get<std::string>();
      IPL_ASSIGN_OR_RETURN(CivilDate d, CivilDate::parse(m + "-01"));
      IPL_ASSIGN_OR_RETURN(std::optional<contracts::LprFact> f, contracts::lpr_of_month(view, d.yyyymmdd / 100));
      q["value"] = f ? json(f->rate_1y_ppm) : json(nullptr);
    } else if (kind == "working_day") {
      IPL_ASSIGN_OR_RETURN(CivilDate d, CivilDate::parse(j.at("date").get<std::string>()));
      IPL_ASSIGN_OR_RETURN(std::optional<bool> w, contracts::is_working_day(view, d));
      q["value"] = w ? json(*w) : json(nullptr);
    } else {
      return Status::invalid("line " + std::to_string(n) + ": unknown query " + kind);
    }
    out_["queries"].push_back(q);
    return Status::ok();
  }

  const genesis::Genesis& genesis_;
  contracts::Registry registry_;
  KeyDir keys_dir_;
  ledger::MemStore store_;
  std::unique_ptr<ledger::Ledger> ledger_;
  Hash32 parent_id_{};
  uint64_t last_ts_ = 0;
  uint64_t pending_height_ = 0;
  uint64_t pending_ts_ = 0;
  std::vector<PendingTx> pending_;
  std::map<PublicKey, uint64_t> next_nonce_;
  std::set<std::string> keys_;
  json out_;
};

int fail(const std::string& msg) {
  std::fprintf(stderr, "ipledger exec: %s\n", msg.c_str());
  return 2;
}

}  // namespace

int exec_offline(const ExecOptions& opts) {
  std::ifstream gf(opts.genesis);
  if (!gf) return fail("cannot open " + opts.genesis);
  std::ostringstream gs;
  gs << gf.rdbuf();
  contracts::Registry registry = opts.test_module ? contracts::Registry::with_test_module() : contracts::Registry::standard();
  auto g = genesis::load(gs.str(), registry);
  if (!g.is_ok()) return fail(opts.genesis + ": " + g.status().message());
  Runner runner(*g, std::move(registry), opts.keys);
  if (Status s = runner.start(); !s.is_ok()) return fail(s.to_string());
  std::ifstream tf(opts.txs);
  if (!tf) return fail("cannot open " + opts.txs);
  std::string text;
  size_t n = 0;
  try {
    while (std::getline(tf, text)) {
      ++n;
      if (text.find_first_not_of(" \t\r") == std::string::npos || text[text.find_first_not_of(" \t")] == '#') continue;
      if (Status s = runner.line(n, json::parse(text)); !s.is_ok()) return fail(opts.txs + ": " + s.to_string());
    }
  } catch (const std::exception& e) {
    return fail(opts.txs + " line " + std::to_string(n) + ": " + e.what());
  }
  if (Status s = runner.finish(); !s.is_ok()) return fail(s.to_string());
  const std::string out = runner.output().dump(2) + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (!opts.out.empty()) {
    std::filesystem::create_directories(opts.out);
    std::ofstream of(opts.out + "/result.json", std::ios::trunc);
    of << out;
    std::ofstream rf(opts.out + "/state_root", std::ios::trunc);
    rf << runner.output()["state_root"].get<std::string>() << "\n";
    if (!of || !rf) return fail("cannot write to " + opts.out);
  }
  return 0;
}

}  // namespace ipl::cli
