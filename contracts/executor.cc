#include "contracts/executor.h"

#include <algorithm>

#include "common/hash.h"
#include "common/limits.h"
#include "contracts/codes.h"
#include "contracts/ip_records.h"
#include "contracts/loan_records.h"

namespace ipl::contracts {

// ---------------------------------------------------------------------------
// Block context, registry, events

CivilDate BlockContext::civil_date() const {
  // Asia/Shanghai has been UTC+8 without daylight saving since 1991.
  constexpr uint64_t kOffsetMs = 8ull * 3600 * 1000;
  constexpr uint64_t kDayMs = 86'400'000ull;
  return CivilDate::from_days_since_epoch(static_cast<int64_t>((timestamp_ms + kOffsetMs) / kDayMs));
}

Event make_event(std::string_view type, Bytes data) {
  IPL_ASSERT(!type.empty());
  IPL_ASSERT(data.size() <= limits::event_bytes_max);
  return Event{std::string(type), std::move(data)};
}

void Registry::add(std::unique_ptr<Module> m) {
  IPL_ASSERT(m != nullptr);
  for (const TxTypeSpec& spec : m->types()) {
    IPL_ASSERT(spec.min_version >= 1 && spec.min_version <= spec.max_version);
    IPL_ASSERT(spec.roles != 0);
    auto& entries = types_[spec.type];
    for (const Entry& e : entries) {
      IPL_ASSERT(spec.max_version < e.spec.min_version || spec.min_version > e.spec.max_version);
    }
    entries.push_back(Entry{spec, m.get()});
  }
  modules_.push_back(std::move(m));
}

const Registry::Entry* Registry::find(std::string_view type, uint32_t version) const {
  auto it = types_.find(type);
  if (it == types_.end()) return nullptr;
  for (const Entry& e : it->second) {
    if (e.spec.min_version <= version && version <= e.spec.max_version) return &e;
  }
  return nullptr;
}

std::vector<TxTypeSpec> Registry::all_types() const {
  std::vector<TxTypeSpec> out;
  for (const auto& [type, entries] : types_) {
    for (const Entry& e : entries) out.push_back(e.spec);
  }
  return out;
}

Registry Registry::standard() {
  Registry r;
  r.add(make_membership_module());
  r.add(make_governance_module());
  r.add(make_attestation_module());
  r.add(make_enterprise_module());
  r.add(make_pledge_module());
  r.add(make_loan_module());
  r.add(make_cover_module());
  r.add(make_npl_module());
  r.set_max_version(1);
  return r;
}

Registry Registry::with_test_module() {
  Registry r = standard();
  r.add(make_test_counter_module());
  r.set_max_version(2);
  return r;
}

// ---------------------------------------------------------------------------
// MemState

Result<std::optional<Bytes>> MemState::get(ByteView key) const {
  auto it = map_.find(as_chars(key));
  if (it == map_.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}

void MemState::put(ByteView key, std::optional<Bytes> value) {
  IPL_ASSERT(!key.empty() && key.size() <= limits::state_key_bytes_max);
  if (value) {
    map_.insert_or_assign(std::string(as_chars(key)), std::move(*value));
  } else {
    map_.erase(std::string(as_chars(key)));
  }
}

void MemState::apply(const std::vector<StateWrite>& writes) {
  for (const StateWrite& w : writes) put(as_view(w.key), w.body);
}

Hash32 MemState::digest() const {
  Sha256 h;
  for (const auto& [k, v] : map_) {
    Encoder e;
    e.str(k).bytes(v);
    h.update(e.out());
  }
  return h.finish();
}

// ---------------------------------------------------------------------------
// Overlays

namespace {

using WriteMap = std::map<std::string, std::optional<Bytes>, std::less<>>;

// The block's writes so far over the committed base (raw RecordBody bytes).
class BlockOverlay {
 public:
  explicit BlockOverlay(const StateView& base) : base_(base) {}
  Result<std::optional<Bytes>> get(std::string_view key) const {
    auto it = writes_.find(key);
    if (it != writes_.end()) return it->second;
    return base_.get(as_view(key));
  }
  void put(const std::string& key, std::optional<Bytes> value) { writes_.insert_or_assign(key, std::move(value)); }

 private:
  const StateView& base_;
  WriteMap writes_;
};

// One transaction's view: module bodies (RecordBody unwrapped) over the
// block overlay, counting state operations against the work bound.
class TxOverlay final : public StateView {
 public:
  TxOverlay(const BlockOverlay& block, CivilDate value_date) : block_(block), value_date_(value_date) {}

  Result<std::optional<Bytes>> get(ByteView key) const override {
    if (++ops_ > limits::tx_state_ops_max) return std::optional<Bytes>();  // reported by over_limit()
    const std::string_view k = as_chars(key);
    auto it = writes_.find(k);
    if (it != writes_.end()) return it->second;
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, block_.get(k));
    if (!raw) return std::optional<Bytes>();
    auto body = RecordBody::decode(*raw);
    if (!body.is_ok()) return Status::corruption("record " + std::string(k) + ": " + body.status().message());
    return std::optional<Bytes>(std::move(body->data));
  }
  void put(ByteView key, std::optional<Bytes> value) override {
    IPL_ASSERT(!key.empty() && key.size() <= limits::state_key_bytes_max);
    ++ops_;
    writes_.insert_or_assign(std::string(as_chars(key)), std::move(value));
  }
  bool over_limit() const { return ops_ > limits::tx_state_ops_max; }
  const WriteMap& writes() const { return writes_; }
  CivilDate value_date() const { return value_date_; }

 private:
  const BlockOverlay& block_;
  CivilDate value_date_;
  mutable size_t ops_ = 0;
  WriteMap writes_;
};

Result<std::optional<Bytes>> read_body(const BlockOverlay& s, std::string_view key) {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, s.get(key));
  if (!raw) return std::optional<Bytes>();
  auto body = RecordBody::decode(*raw);
  if (!body.is_ok()) return Status::corruption("record " + std::string(key) + ": " + body.status().message());
  return std::optional<Bytes>(std::move(body->data));
}

template <typename T>
Result<std::optional<T>> read_typed(const BlockOverlay& s, std::string_view key) {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> data, read_body(s, key));
  if (!data) return std::optional<T>();
  auto v = T::decode(*data);
  if (!v.is_ok()) return Status::corruption("record " + std::string(key) + ": " + v.status().message());
  return std::optional<T>(std::move(*v));
}

Receipt make_receipt(const Hash32& id, std::string_view reason, std::vector<Event> events = {}) {
  IPL_ASSERT(reason.size() <= limits::receipt_reason_bytes_max);
  Receipt r;
  r.tx_id = id;
  r.success = reason == codes::kOk;
  r.reason = std::string(reason);
  r.events = std::move(events);
  return r;
}

struct Prologue {
  std::string_view reason = codes::kOk;
  TxBody body;
  Member sender;
  uint64_t last_nonce = 0;
};

Result<Prologue> run_prologue(const BlockOverlay& state, const BlockContext& block, const Transaction& tx,
                              const ExecOptions& options) {
  Prologue p;
  auto body = TxBody::decode(tx.body);
  if (!body.is_ok()) {
    p.reason = codes::kBadEncoding;
    return p;
  }
  p.body = std::move(*body);
  if (options.verify_signatures && !verify(SigContext::kTx, p.body.sender_key, tx.body, tx.signature)) {
    p.reason = codes::kBadSignature;
    return p;
  }
  if (p.body.chain_id != block.chain_id) {
    p.reason = codes::kBadChainId;
    return p;
  }
  if (p.body.valid_until_height < block.height) {
    p.reason = codes::kExpired;
    return p;
  }
  IPL_ASSIGN_OR_RETURN(std::optional<KeyRecord> key, read_typed<KeyRecord>(state, keys::key(p.body.sender_key)));
  if (!key) {
    p.reason = codes::kUnknownSender;
    return p;
  }
  if (key->kind != KeyKind::kApi) {
    p.reason = codes::kNotApiKey;
    return p;
  }
  if (!key->active) {
    p.reason = codes::kKeyRevoked;
    return p;
  }
  IPL_ASSIGN_OR_RETURN(std::optional<Member> member, read_typed<Member>(state, keys::member(key->member_id)));
  if (!member) return Status::corruption("key names a missing member");
  if (!member->active) {
    p.reason = codes::kMemberRemoved;
    return p;
  }
  p.sender = std::move(*member);
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> nonce_raw, read_body(state, keys::nonce(p.body.sender_key)));
  if (nonce_raw) {
    Decoder d(*nonce_raw);
    if (!d.u64(p.last_nonce).is_ok() || !d.finish().is_ok()) return Status::corruption("nonce record");
  }
  if (p.body.nonce != p.last_nonce + 1) {
    p.reason = codes::kBadNonce;
    return p;
  }
  return p;
}

// The per-transaction body checks and apply; returns the reason and fills
// the overlay and events.
Result<std::string_view> run_body(const Registry& registry, const BlockContext& block, uint32_t version,
                                  const Hash32& tx_id, const Prologue& p, TxOverlay& overlay,
                                  const BlockOverlay& state, std::vector<Event>& events,
                                  std::vector<EpochEntry>& scheduled) {
  const TxBody& body = p.body;
  IPL_ASSERT(body.value_date.is_valid());  // TxBody::decode rejects invalid dates
  if (body.value_date > block.civil_date()) return codes::kValueDateFuture;
  const Registry::Entry* entry = registry.find(body.type, version);
  if (entry == nullptr) return codes::kUnknownType;
  if ((entry->spec.roles & role_bit(p.sender.role)) == 0) return codes::kForbidden;
  const std::string_view valid = entry->module->validate(body);
  if (valid != codes::kOk) return valid;
  TxContext ctx{body, tx_id, block, p.sender, version, registry, events, scheduled};
  IPL_ASSIGN_OR_RETURN(std::string_view reason, entry->module->apply(ctx, overlay));
  if (overlay.over_limit() || events.size() > limits::receipt_events_max) return codes::kWorkLimit;
  if (reason != codes::kOk) return reason;
  // Decision 7: no record's value_date goes backwards along its chain.
  for (const auto& [key, value] : overlay.writes()) {
    if (keys::is_system(key)) continue;
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> prior, state.get(key));
    if (!prior) continue;
    auto prior_body = RecordBody::decode(*prior);
    if (!prior_body.is_ok()) return Status::corruption("record " + key);
    if (prior_body->value_date > body.value_date) return codes::kValueDateBackwards;
  }
  return codes::kOk;
}

}  // namespace

Result<BlockResult> execute_block(const Registry& registry, const StateView& base, const BlockContext& block,
                                  std::span<const Transaction> txs, const ExecOptions& options) {
  IPL_ASSERT(block.height >= 2);  // height 1 is the genesis block
  IPL_ASSERT(txs.size() <= limits::block_txs_max);
  BlockOverlay state(base);
  BlockResult result;

  IPL_ASSIGN_OR_RETURN(std::optional<ProtocolRecord> protocol, read_typed<ProtocolRecord>(state, keys::kProtocol));
  IPL_ASSIGN_OR_RETURN(std::optional<EpochsRecord> epochs, read_typed<EpochsRecord>(state, keys::kEpochs));
  if (!protocol || !epochs) return Status::corruption("state has no genesis (sys/protocol, sys/epochs)");
  result.protocol_version = protocol->version_at(block.height);
  if (!registry.supports_version(result.protocol_version)) {
    return Status::unavailable("protocol version " + std::to_string(result.protocol_version) +
                               " is not supported by this binary");
  }
  result.epoch = Epoch(epochs->in_force_at(block.height).number);
  for (const EpochEntry& e : epochs->entries) {
    if (e.boundary_height == block.height) {
      result.next_epoch = EpochState{Epoch(e.number), ValidatorSet{Epoch(e.number), e.consensus_keys}};
    }
  }

  result.receipts.reserve(txs.size());
  for (const Transaction& tx : txs) {
    const Hash32 id = tx.id();
    IPL_ASSIGN_OR_RETURN(Prologue p, run_prologue(state, block, tx, options));
    if (p.reason != codes::kOk) {
      result.receipts.push_back(make_receipt(id, p.reason));
      continue;
    }
    // The nonce is consumed by every transaction past the prologue.
    RecordBody nonce{p.body.value_date, Encoder(8).u64(p.body.nonce).take()};
    const std::string nonce_key = keys::nonce(p.body.sender_key);
    Bytes nonce_bytes = nonce.encode();
    state.put(nonce_key, nonce_bytes);
    result.writes.push_back(StateWrite{nonce_key, std::move(nonce_bytes), id});

    TxOverlay overlay(state, p.body.value_date);
    std::vector<Event> events;
    std::vector<EpochEntry> scheduled;
    IPL_ASSIGN_OR_RETURN(std::string_view reason,
                         run_body(registry, block, result.protocol_version, id, p, overlay, state, events, scheduled));
    if (reason != codes::kOk) {
      result.receipts.push_back(make_receipt(id, reason));
      continue;
    }
    for (const auto& [key, value] : overlay.writes()) {
      std::optional<Bytes> raw;
      if (value) raw = RecordBody{p.body.value_date, *value}.encode();
      state.put(key, raw);
      result.writes.push_back(StateWrite{key, std::move(raw), id});
    }
    for (EpochEntry& e : scheduled) result.scheduled.push_back(std::move(e));
    result.receipts.push_back(make_receipt(id, codes::kOk, std::move(events)));
  }
  IPL_ASSERT(result.receipts.size() == txs.size());
  return result;
}

}  // namespace ipl::contracts
