#include "ledger/ledger.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/encoding.h"
#include "common/hash.h"

namespace ipl::ledger {

namespace {

Bytes key_u64(uint8_t prefix, uint64_t v) {
  Encoder e(9);
  e.u8(prefix).u64(v);
  return e.take();
}
Bytes key_hash(uint8_t prefix, const Hash32& h) {
  Encoder e(33);
  e.u8(prefix).hash(h);
  return e.take();
}
Bytes meta_key(std::string_view name) {
  Encoder e(1 + name.size());
  e.u8(prefix::kMeta).raw(as_view(name));
  return e.take();
}
Bytes u64_bytes(uint64_t v) {
  Encoder e(8);
  e.u64(v);
  return e.take();
}

Result<uint64_t> parse_u64(ByteView b) {
  Decoder d(b);
  uint64_t v = 0;
  IPL_RETURN_IF_ERROR(d.u64(v));
  IPL_RETURN_IF_ERROR(d.finish());
  return v;
}

// Stored block record: bytes(header) ‖ list<hash tx_id> ‖ bytes(ledger_info).
struct BlockRecord {
  BlockHeader header;
  std::vector<Hash32> tx_ids;
  LedgerInfo ledger_info;
};

Bytes encode_block_record(const Block& b, const std::vector<Hash32>& ids, const LedgerInfo& li) {
  Encoder e(512 + 32 * ids.size());
  e.bytes(b.header.encode()).count(ids.size());
  for (const Hash32& id : ids) e.hash(id);
  e.bytes(li.encode());
  return e.take();
}

Result<BlockRecord> decode_block_record(ByteView bytes) {
  Decoder d(bytes);
  BlockRecord r;
  Bytes header, li;
  IPL_RETURN_IF_ERROR(d.bytes(header));
  IPL_ASSIGN_OR_RETURN(r.header, BlockHeader::decode(header));
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, limits::block_txs_max, 32));
  r.tx_ids.resize(n);
  for (Hash32& id : r.tx_ids) IPL_RETURN_IF_ERROR(d.hash(id));
  IPL_RETURN_IF_ERROR(d.bytes(li));
  IPL_ASSIGN_OR_RETURN(r.ledger_info, LedgerInfo::decode(li));
  IPL_RETURN_IF_ERROR(d.finish());
  return r;
}

// Stored transaction record:
//   u64 height ‖ u64 history index ‖ bytes(tx) ‖ bytes(receipt).
Bytes encode_tx_record(uint64_t height, uint64_t index, const Transaction& tx, const Receipt& receipt) {
  const Bytes r = receipt.encode();
  Encoder e(16 + 8 + tx.body.size() + 64 + r.size());
  e.u64(height).u64(index).bytes(tx.encode()).bytes(r);
  return e.take();
}

Status corrupt(Status s, const std::string& what) {
  if (s.is_ok()) return s;
  return Status::corruption(what + ": " + s.message());
}

}  // namespace

// ---------------------------------------------------------------------------
// Proof encodings: bytes(tx) ‖ bytes(receipt) ‖ bytes(inclusion) ‖ bytes(cert)
// and bytes(key) ‖ opt<bytes(envelope)> ‖ bytes(state proof) ‖ bytes(cert).

Bytes TxProof::encode() const {
  Encoder e;
  e.bytes(tx.encode()).bytes(receipt.encode()).bytes(inclusion.encode()).bytes(anchor.encode());
  return e.take();
}

Result<TxProof> TxProof::decode(ByteView bytes) {
  Decoder d(bytes);
  Bytes tx, receipt, inclusion, anchor;
  IPL_RETURN_IF_ERROR(d.bytes(tx, limits::tx_bytes_max));
  IPL_RETURN_IF_ERROR(d.bytes(receipt));
  IPL_RETURN_IF_ERROR(d.bytes(inclusion));
  IPL_RETURN_IF_ERROR(d.bytes(anchor));
  IPL_RETURN_IF_ERROR(d.finish());
  TxProof p;
  IPL_ASSIGN_OR_RETURN(p.tx, Transaction::decode(tx));
  IPL_ASSIGN_OR_RETURN(p.receipt, Receipt::decode(receipt));
  IPL_ASSIGN_OR_RETURN(p.inclusion, InclusionProof::decode(inclusion));
  IPL_ASSIGN_OR_RETURN(p.anchor, ExecutionCertificate::decode(anchor));
  return p;
}

Bytes RecordProof::encode() const {
  Encoder e;
  e.bytes(key).boolean(envelope.has_value());
  if (envelope) e.bytes(*envelope);
  e.bytes(proof.encode()).bytes(anchor.encode());
  return e.take();
}

Result<RecordProof> RecordProof::decode(ByteView bytes) {
  Decoder d(bytes);
  RecordProof p;
  IPL_RETURN_IF_ERROR(d.bytes(p.key, limits::state_key_bytes_max));
  bool has = false;
  IPL_RETURN_IF_ERROR(d.boolean(has));
  if (has) {
    Bytes env;
    IPL_RETURN_IF_ERROR(d.bytes(env, limits::state_value_bytes_max + 128));
    p.envelope = std::move(env);
  }
  Bytes proof, anchor;
  IPL_RETURN_IF_ERROR(d.bytes(proof));
  IPL_RETURN_IF_ERROR(d.bytes(anchor));
  IPL_RETURN_IF_ERROR(d.finish());
  IPL_ASSIGN_OR_RETURN(p.proof, StateProof::decode(proof));
  IPL_ASSIGN_OR_RETURN(p.anchor, ExecutionCertificate::decode(anchor));
  return p;
}

Status verify_tx_proof(const TxProof& p, const ValidatorSet& anchor_set) {
  IPL_RETURN_IF_ERROR(p.anchor.verify(anchor_set));
  const LedgerInfo& li = p.anchor.ledger_info;
  auto body = p.tx.verify();
  if (!body.is_ok()) return body.status();
  if (body->chain_id != li.chain_id) return Status::invalid("transaction is for another chain");
  const Hash32 tx_id = p.tx.id();
  if (p.receipt.tx_id != tx_id) return Status::invalid("receipt belongs to another transaction");
  if (p.inclusion.tree_size != li.history_size) {
    return Status::invalid("inclusion proof is not for the certified history size");
  }
  if (p.inclusion.index < li.first_tx_index() || p.inclusion.index >= li.history_size) {
    return Status::invalid("history index lies outside the certified block");
  }
  const Hash32 leaf = history_leaf_hash(history_leaf_data(tx_id, sha256(p.receipt.encode())));
  return verify_inclusion(leaf, p.inclusion, li.history_root);
}

Status verify_record_proof(const RecordProof& p, const ValidatorSet& anchor_set) {
  IPL_RETURN_IF_ERROR(p.anchor.verify(anchor_set));
  if (p.envelope) {
    IPL_ASSIGN_OR_RETURN(StateEnvelope env, StateEnvelope::decode(*p.envelope));
    if (env.height > p.anchor.ledger_info.height.value()) {
      return Status::invalid("record version is newer than the certified height");
    }
  }
  return verify_state_proof(p.anchor.ledger_info.state_root, p.key, p.envelope, p.proof);
}

// ---------------------------------------------------------------------------
// Ledger

Ledger::Ledger(Store& store, LedgerOptions options)
    : store_(store), options_(std::move(options)), history_(store), state_(store, options_.state_retained_heights) {}

Result<std::unique_ptr<Ledger>> Ledger::open(Store& store, LedgerOptions options) {
  if (options.chain_id.empty() || options.chain_id.size() > limits::chain_id_bytes_max) {
    return Status::invalid("ledger needs a chain id of 1.." + std::to_string(limits::chain_id_bytes_max) + " bytes");
  }
  std::unique_ptr<Ledger> l(new Ledger(store, std::move(options)));
  IPL_RETURN_IF_ERROR(l->load());
  return l;
}

Status Ledger::load() {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> h, store_.get(meta_key("height")));
  if (h) {
    IPL_ASSIGN_OR_RETURN(height_, parse_u64(*h));
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> f, store_.get(meta_key("format")));
    uint64_t format = 0;
    if (f) {
      IPL_ASSIGN_OR_RETURN(format, parse_u64(*f));
    }
    if (format != kStorageFormat) {
      return Status::invalid("ledger store has storage format " + std::to_string(format) + "; this build reads format " +
                             std::to_string(kStorageFormat) + " (rebuild the node's data from its peers)");
    }
  }
  IPL_RETURN_IF_ERROR(history_.load());
  IPL_RETURN_IF_ERROR(state_.load());
  if (state_.latest_height() != height_) {
    return Status::corruption("state tree height " + std::to_string(state_.latest_height()) +
                              " differs from ledger height " + std::to_string(height_));
  }
  if (height_ > 0) {
    IPL_ASSIGN_OR_RETURN(LedgerInfo li, ledger_info_at(height_));
    if (li.history_size != history_.size() || li.history_root != history_.root() ||
        li.state_root != state_.root()) {
      return Status::corruption("stored ledger info at height " + std::to_string(height_) +
                                " does not match the trees");
    }
    if (li.chain_id != options_.chain_id) return Status::invalid("store belongs to chain " + li.chain_id);
  } else if (history_.size() != 0) {
    return Status::corruption("history holds leaves but no block is committed");
  }
  return Status::ok();
}

uint64_t Ledger::height() const {
  std::shared_lock lock(view_mu_);
  return height_;
}
Hash32 Ledger::history_root() const {
  std::shared_lock lock(view_mu_);
  return history_.root();
}
uint64_t Ledger::history_size() const {
  std::shared_lock lock(view_mu_);
  return history_.size();
}
Hash32 Ledger::state_root() const {
  std::shared_lock lock(view_mu_);
  return state_.root();
}

Result<LedgerInfo> Ledger::commit_block(const BlockCommit& c) {
  std::lock_guard lock(write_mu_);
  const BlockHeader& hdr = c.block.header;
  const uint64_t h = height_ + 1;
  if (hdr.height.value() != h) {
    return Status::invalid("block height " + std::to_string(hdr.height.value()) + " does not follow " +
                           std::to_string(height_));
  }
  if (hdr.chain_id != options_.chain_id) return Status::invalid("block for another chain: " + hdr.chain_id);
  if (c.block.txs.size() > limits::block_txs_max) return Status::limit("block has too many transactions");
  if (c.receipts.size() != c.block.txs.size()) return Status::invalid("one receipt per transaction required");
  if (Block::payload_hash(c.block.txs) != hdr.payload_hash) return Status::invalid("block payload hash mismatch");

  std::vector<Hash32> ids;
  ids.reserve(c.block.txs.size());
  std::set<Hash32> seen;
  std::vector<Hash32> leaves;
  leaves.reserve(c.block.txs.size());
  for (size_t i = 0; i < c.block.txs.size(); ++i) {
    const Hash32 id = c.block.txs[i].id();
    if (c.receipts[i].tx_id != id) return Status::invalid("receipt " + std::to_string(i) + " names another transaction");
    if (!seen.insert(id).second) return Status::invalid("duplicate transaction in block: " + to_hex(id));
    ids.push_back(id);
    leaves.push_back(history_leaf_hash(history_leaf_data(id, sha256(c.receipts[i].encode()))));
  }
  {
    // L3, with one iterator over the sorted ids (each range holds one key).
    std::vector<Store::Range> ranges;
    ranges.reserve(seen.size());
    for (const Hash32& id : seen) {
      Bytes k = key_hash(prefix::kTx, id);
      Bytes end = k;
      end.push_back(0);
      ranges.push_back(Store::Range{std::move(k), std::move(end)});
    }
    std::optional<Hash32> prior;
    IPL_RETURN_IF_ERROR(store_.first_in_ranges(ranges, [&](size_t i, ByteView, ByteView) {
      if (!prior) prior = *std::next(seen.begin(), static_cast<std::ptrdiff_t>(i));
    }));
    if (prior) return Status::exists("transaction already committed: " + to_hex(*prior));
  }

  WriteBatch batch;
  const uint64_t first_index = history_.size();
  auto history_root = history_.stage_append(leaves, batch);
  if (!history_root.is_ok()) return history_root.status();

  // Wrap writes in envelopes chained per record; the state tree sees the
  // last envelope of each key. The latest stored version of every key is
  // found with one iterator over the sorted key hashes.
  std::map<Hash32, std::pair<uint64_t, Hash32>> chain;  // key hash -> (version, hash of last envelope)
  for (const RecordWrite& w : c.writes) {
    if (w.key.empty() || w.key.size() > limits::state_key_bytes_max) {
      history_.abort_staged();
      return Status::invalid("state key length out of range");
    }
    if (w.body && w.body->size() > limits::state_value_bytes_max) {
      history_.abort_staged();
      return Status::limit("state value larger than state_value_bytes_max");
    }
    chain.emplace(sha256(w.key), std::make_pair(uint64_t{0}, Hash32{}));
  }
  // Keys whose latest envelope is cached need no store look-up.
  std::set<Hash32> known;
  {
    std::shared_lock view_lock(view_mu_);
    std::lock_guard cl(cache_mu_);
    for (const RecordWrite& w : c.writes) {
      auto it = latest_.find(as_chars(w.key));
      if (it == latest_.end() || !it->second) continue;
      auto env = StateEnvelope::decode(*it->second);
      if (!env.is_ok()) continue;
      const Hash32 kh = sha256(w.key);
      chain[kh] = {env->version, sha256(*it->second)};
      known.insert(kh);
    }
  }
  // The latest value record of each key is its latest version, unless the
  // key was deleted: then the version before the deletion continues.
  std::vector<Store::Range> ranges;
  std::vector<std::pair<const Hash32*, std::pair<uint64_t, Hash32>*>> slots;
  ranges.reserve(chain.size());
  for (auto& [kh, slot] : chain) {
    if (known.count(kh)) continue;
    ranges.push_back(StateTree::value_range(kh));
    slots.emplace_back(&kh, &slot);
  }
  Status inner = Status::ok();
  std::vector<size_t> deleted;
  auto take = [&](std::pair<uint64_t, Hash32>& slot, ByteView value) {
    auto env = StateEnvelope::decode(value);
    if (!env.is_ok()) {
      inner = corrupt(env.status(), "record version");
      return;
    }
    slot = {env->version, sha256(value)};
  };
  Status found = store_.first_in_ranges(ranges, [&](size_t i, ByteView, ByteView record) {
    auto value = StateTree::value_of_record(record);
    if (!value.is_ok()) {
      inner = value.status();
    } else if (!value->has_value()) {
      deleted.push_back(i);
    } else {
      take(*slots[i].second, **value);
    }
  });
  for (size_t i : deleted) {
    if (!found.is_ok() || !inner.is_ok()) break;
    found = state_.scan_values(*slots[i].first, [&](ByteView value) {
      take(*slots[i].second, value);
      return false;
    });
  }
  if (!found.is_ok() || !inner.is_ok()) {
    history_.abort_staged();
    return found.is_ok() ? inner : found;
  }
  std::vector<StateWrite> state_writes;
  state_writes.reserve(c.writes.size());
  for (const RecordWrite& w : c.writes) {
    if (!w.body) {
      state_writes.push_back(StateWrite{w.key, std::nullopt});
      continue;
    }
    auto& slot = chain[sha256(w.key)];
    StateEnvelope env{slot.first + 1, slot.second, w.tx_id, h, *w.body};
    Bytes enc = env.encode();
    slot = {env.version, sha256(enc)};
    state_writes.push_back(StateWrite{w.key, std::move(enc)});
  }
  auto state_root = state_.stage_block(h, state_writes, batch);
  if (!state_root.is_ok()) {
    history_.abort_staged();
    return state_root.status();
  }

  LedgerInfo li;
  li.chain_id = options_.chain_id;
  li.epoch = hdr.epoch;
  li.height = Height(h);
  li.block_id = hdr.id();
  li.timestamp_ms = hdr.timestamp_ms;
  li.protocol_version = c.protocol_version;
  li.block_tx_count = c.block.txs.size();
  li.history_size = first_index + c.block.txs.size();
  li.history_root = *history_root;
  li.state_root = *state_root;
  li.next_epoch = c.next_epoch;

  batch.put(key_u64(prefix::kBlock, h), encode_block_record(c.block, ids, li));
  batch.put(key_hash(prefix::kBlockId, li.block_id), u64_bytes(h));
  for (size_t i = 0; i < ids.size(); ++i) {
    batch.put(key_hash(prefix::kTx, ids[i]), encode_tx_record(h, first_index + i, c.block.txs[i], c.receipts[i]));
  }
  batch.put(meta_key("height"), u64_bytes(h));
  if (h == 1) batch.put(meta_key("format"), u64_bytes(kStorageFormat));

  const Status written = store_.write(batch, options_.sync);
  if (!written.is_ok()) {
    history_.abort_staged();
    state_.abort_staged();
    return written;
  }
  std::unique_lock view_lock(view_mu_);
  history_.commit_staged();
  state_.commit_staged();
  height_ = h;
  {
    std::lock_guard cl(cache_mu_);
    if (latest_.size() + state_writes.size() > kLatestCacheMax) latest_.clear();
    for (StateWrite& w : state_writes) latest_[std::string(as_chars(w.key))] = std::move(w.value);
  }
  IPL_ASSERT(history_.size() == li.history_size);
  IPL_ASSERT(state_.latest_height() == h);
  return li;
}

Status Ledger::store_certificate(const ExecutionCertificate& cert, bool sync) {
  std::lock_guard lock(write_mu_);
  const uint64_t h = cert.ledger_info.height.value();
  if (h == 0 || h > height_) return Status::invalid("certificate for an uncommitted height " + std::to_string(h));
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> rec, store_.get(key_u64(prefix::kBlock, h)));
  if (!rec) return Status::corruption("block record missing at height " + std::to_string(h));
  IPL_ASSIGN_OR_RETURN(BlockRecord br, decode_block_record(*rec));
  if (!(br.ledger_info == cert.ledger_info)) {
    return Status::invalid("certified ledger info differs from the one executed here (divergence)");
  }
  WriteBatch batch;
  batch.put(key_u64(prefix::kCertificate, h), cert.encode());
  return store_.write(batch, options_.sync && sync);
}

Result<Block> Ledger::block_at(uint64_t height) const {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> rec, store_.get(key_u64(prefix::kBlock, height)));
  if (!rec) return Status::not_found("no block at height " + std::to_string(height));
  auto br = decode_block_record(*rec);
  if (!br.is_ok()) return corrupt(br.status(), "block record");
  Block b;
  b.header = br->header;
  b.txs.reserve(br->tx_ids.size());
  for (const Hash32& id : br->tx_ids) {
    IPL_ASSIGN_OR_RETURN(std::optional<TxLocation> loc, find_tx(id));
    if (!loc) return Status::corruption("transaction of a committed block is missing: " + to_hex(id));
    b.txs.push_back(std::move(loc->tx));
  }
  return b;
}

Result<LedgerInfo> Ledger::ledger_info_at(uint64_t height) const {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> rec, store_.get(key_u64(prefix::kBlock, height)));
  if (!rec) return Status::not_found("no block at height " + std::to_string(height));
  auto br = decode_block_record(*rec);
  if (!br.is_ok()) return corrupt(br.status(), "block record");
  return br->ledger_info;
}

Result<std::optional<ExecutionCertificate>> Ledger::certificate_at(uint64_t height) const {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> rec, store_.get(key_u64(prefix::kCertificate, height)));
  if (!rec) return std::optional<ExecutionCertificate>();
  auto cert = ExecutionCertificate::decode(*rec);
  if (!cert.is_ok()) return corrupt(cert.status(), "certificate record");
  return std::optional<ExecutionCertificate>(std::move(*cert));
}

Result<std::optional<uint64_t>> Ledger::height_of_block(const Hash32& block_id) const {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> rec, store_.get(key_hash(prefix::kBlockId, block_id)));
  if (!rec) return std::optional<uint64_t>();
  auto h = parse_u64(*rec);
  if (!h.is_ok()) return corrupt(h.status(), "block id record");
  return std::optional<uint64_t>(*h);
}

Result<std::optional<TxLocation>> Ledger::find_tx(const Hash32& tx_id) const {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> rec, store_.get(key_hash(prefix::kTx, tx_id)));
  if (!rec) return std::optional<TxLocation>();
  TxLocation loc;
  Decoder d(*rec);
  Bytes tx;
  IPL_RETURN_IF_ERROR(corrupt(d.u64(loc.height), "tx record"));
  IPL_RETURN_IF_ERROR(corrupt(d.u64(loc.history_index), "tx record"));
  IPL_RETURN_IF_ERROR(corrupt(d.bytes(tx, limits::tx_bytes_max), "tx record"));
  Bytes receipt;
  IPL_RETURN_IF_ERROR(corrupt(d.bytes(receipt), "tx record"));
  IPL_RETURN_IF_ERROR(corrupt(d.finish(), "tx record"));
  auto decoded = Transaction::decode(tx);
  if (!decoded.is_ok()) return corrupt(decoded.status(), "stored transaction");
  loc.tx = std::move(*decoded);
  auto r = Receipt::decode(receipt);
  if (!r.is_ok()) return corrupt(r.status(), "stored receipt");
  loc.receipt = std::move(*r);
  return std::optional<TxLocation>(std::move(loc));
}

Result<std::optional<StateEnvelope>> Ledger::record_at(ByteView key, uint64_t height) const {
  std::shared_lock lock(view_mu_);
  const bool is_latest = height == height_;
  std::optional<Bytes> raw;
  bool cached = false;
  if (is_latest) {
    std::lock_guard cl(cache_mu_);
    auto it = latest_.find(as_chars(key));
    if (it != latest_.end()) {
      raw = it->second;
      cached = true;
    }
  }
  if (!cached) {
    IPL_ASSIGN_OR_RETURN(raw, state_.get(key, height));
    if (is_latest) {
      std::lock_guard cl(cache_mu_);
      if (latest_.size() >= kLatestCacheMax) latest_.clear();
      latest_.emplace(std::string(as_chars(key)), raw);
    }
  }
  if (!raw) return std::optional<StateEnvelope>();
  auto env = StateEnvelope::decode(*raw);
  if (!env.is_ok()) return corrupt(env.status(), "state envelope");
  return std::optional<StateEnvelope>(std::move(*env));
}

Result<std::vector<StateEnvelope>> Ledger::record_history(ByteView key) const {
  if (key.empty() || key.size() > limits::state_key_bytes_max) return Status::invalid("state key length out of range");
  const Hash32 kh = sha256(key);
  std::vector<StateEnvelope> out;
  Status inner = Status::ok();
  IPL_RETURN_IF_ERROR(state_.scan_values(kh, [&](ByteView value) {
    auto env = StateEnvelope::decode(value);
    if (!env.is_ok()) {
      inner = corrupt(env.status(), "record version");
      return false;
    }
    out.push_back(std::move(*env));
    return true;
  }));
  IPL_RETURN_IF_ERROR(inner);
  std::reverse(out.begin(), out.end());
  return out;
}

Result<TxProof> Ledger::prove_tx(const Hash32& tx_id) const {
  IPL_ASSIGN_OR_RETURN(std::optional<TxLocation> loc, find_tx(tx_id));
  if (!loc) return Status::not_found("no committed transaction " + to_hex(tx_id));
  IPL_ASSIGN_OR_RETURN(std::optional<ExecutionCertificate> cert, certificate_at(loc->height));
  if (!cert) return Status::not_found("block " + std::to_string(loc->height) + " has no execution certificate yet");
  TxProof p;
  {
    std::shared_lock lock(view_mu_);
    IPL_ASSIGN_OR_RETURN(p.inclusion, history_.inclusion_proof(loc->history_index, cert->ledger_info.history_size));
  }
  p.tx = std::move(loc->tx);
  p.receipt = std::move(loc->receipt);
  p.anchor = std::move(*cert);
  return p;
}

Result<RecordProof> Ledger::prove_record(ByteView key, uint64_t height) const {
  IPL_ASSIGN_OR_RETURN(std::optional<ExecutionCertificate> cert, certificate_at(height));
  if (!cert) return Status::not_found("height " + std::to_string(height) + " has no execution certificate");
  std::shared_lock lock(view_mu_);
  IPL_ASSIGN_OR_RETURN(auto proved, state_.prove(key, height));
  RecordProof p;
  p.key = to_bytes(key);
  p.envelope = std::move(proved.first);
  p.proof = std::move(proved.second);
  p.anchor = std::move(*cert);
  return p;
}

Result<ConsistencyProof> Ledger::prove_consistency(uint64_t old_size, uint64_t new_size) const {
  std::shared_lock lock(view_mu_);
  return history_.consistency_proof(old_size, new_size);
}

}  // namespace ipl::ledger
