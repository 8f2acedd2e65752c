// The contract module interface and the registry (DESIGN.md "Contracts").
// A module declares its transaction types with the roles allowed to send
// each and the protocol versions in which each exists, checks a payload
// without state (validate), and applies a transaction through a StateView
// (apply). apply returns a stable reason code: "ok" commits the
// transaction's writes, anything else discards them (the executor's
// per-transaction overlay). A non-ok Status means the store failed and
// aborts the whole block (an operating error, not a receipt).
// Determinism: output depends only on the state view, the transaction and
// the block context; no floats, clocks, randomness, I/O, unordered
// iteration or globals (scripts/check_determinism.py).
// Thread-safety: modules are immutable after registration; a Registry may
// be shared by threads executing different blocks.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/chain.h"
#include "common/state_view.h"
#include "common/limits.h"
#include "contracts/records.h"

namespace ipl::contracts {

// What a block gives execution: no wall clock, only the header's time.
struct BlockContext {
  std::string chain_id;
  uint64_t height = 0;
  uint64_t timestamp_ms = 0;
  // The block's civil date in Asia/Shanghai (UTC+8, no daylight saving).
  CivilDate civil_date() const;
};

class Registry;

struct TxContext {
  const TxBody& tx;
  const Hash32& tx_id;
  const BlockContext& block;
  const Member& sender;
  uint32_t protocol_version;
  const Registry& registry;
  std::vector<Event>& events;
  // Epochs scheduled by this transaction (governance), surfaced in the
  // block result when the transaction succeeds.
  std::vector<EpochEntry>& scheduled;
};

struct TxTypeSpec {
  std::string type;
  RoleMask roles = 0;
  uint32_t min_version = 1;
  uint32_t max_version = UINT32_MAX;
};

class Module {
 public:
  virtual ~Module() = default;
  virtual std::string_view name() const = 0;
  virtual std::vector<TxTypeSpec> types() const = 0;
  // Stateless payload check: codes::kOk or a reason (usually kBadPayload).
  virtual std::string_view validate(const TxBody& tx) const = 0;
  // Applies a validated transaction. Requires validate(tx) == ok.
  virtual Result<std::string_view> apply(TxContext& ctx, StateView& state) const = 0;
};

class Registry {
 public:
  struct Entry {
    TxTypeSpec spec;
    const Module* module = nullptr;
  };
  Registry() = default;
  Registry(Registry&&) = default;
  Registry& operator=(Registry&&) = default;

  // Registers every type of `m`; a type's version ranges must not overlap.
  void add(std::unique_ptr<Module> m);
  // The entry for `type` at protocol `version`, or nullptr.
  const Entry* find(std::string_view type, uint32_t version) const;
  bool supports_version(uint32_t version) const { return version >= 1 && version <= max_version_; }
  uint32_t max_version() const { return max_version_; }
  void set_max_version(uint32_t v) { max_version_ = v; }
  // Every registered type (sorted), for docs and tests.
  std::vector<TxTypeSpec> all_types() const;

  // Membership, governance, parameters, attestations (protocol v1).
  static Registry standard();
  // standard() plus the two-version test module `test.counter` (v1 adds 1,
  // v2 adds 2) and protocol version 2: only for tests and vectors.
  static Registry with_test_module();

 private:
  std::vector<std::unique_ptr<Module>> modules_;
  std::map<std::string, std::vector<Entry>, std::less<>> types_;
  uint32_t max_version_ = 1;
};

std::unique_ptr<Module> make_membership_module();
std::unique_ptr<Module> make_governance_module();
std::unique_ptr<Module> make_attestation_module();
std::unique_ptr<Module> make_test_counter_module();

// Typed state access shared by modules: load a record's body decoded as T.
template <typename T>
Result<std::optional<T>> load(const StateView& s, std::string_view key) {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, s.get(as_view(key)));
  if (!raw) return std::optional<T>();
  auto v = T::decode(*raw);
  if (!v.is_ok()) return Status::corruption("record " + std::string(key) + ": " + v.status().message());
  return std::optional<T>(std::move(*v));
}
template <typename T>
void store(StateView& s, std::string_view key, const T& v) {
  s.put(as_view(key), v.encode());
}

Event make_event(std::string_view type, Bytes data);

}  // namespace ipl::contracts
