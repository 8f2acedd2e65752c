// The genesis file (docs/genesis.md): chain id, genesis time, protocol
// version, members with their keys, the first validator set, and the
// initial governed parameters. From it alone anyone recomputes:
//   * the genesis hash = SHA-256(canonical bytes), canonical bytes being
//     the canonical encoding (common/encoding.h) of
//       Genesis = string "IPL/genesis/v1" ‖ string chain_id ‖ u64 genesis_time_ms
//                 ‖ u32 protocol_version ‖ list<Member> ‖ list<u64 validator member id>
//                 ‖ list<Param>                       (params sorted by name, effective_from)
//       Member  = u64 id ‖ string name ‖ u8 role ‖ string org ‖ string branch_code
//                 ‖ bool governance ‖ list<pubkey api_key> ‖ opt<pubkey consensus_key> ‖ u8 node_status
//       Param   = string name ‖ u8 type ‖ i64 value ‖ date effective_from
//     so JSON whitespace, key order and parameter order never change it;
//   * the genesis block = ledger height 1: no transactions, header {epoch 1,
//     round 0, height 1, parent_id = genesis hash, parent_qc = round-0
//     certificate of (chain id, epoch 1, round 0, genesis hash) with no
//     signatures, proposer 0, timestamp = genesis time, payload_hash of the
//     empty list}; its writes (the initial state) attributed to tx_id =
//     genesis hash; hence block 1's LedgerInfo. Consensus proposes from 2.
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/chain.h"
#include "contracts/executor.h"
#include "contracts/records.h"
#include "ledger/ledger.h"

namespace ipl::genesis {

struct GenesisMember {
  uint64_t id = 0;
  std::string name;
  contracts::Role role = contracts::Role::kEnt;
  std::string org;
  std::string branch_code;
  bool governance = false;
  std::vector<PublicKey> api_keys;
  std::optional<PublicKey> consensus_key;
  contracts::NodeStatus node_status = contracts::NodeStatus::kNone;
};

struct GenesisParam {
  std::string name;
  contracts::ParamType type = contracts::ParamType::kCount;
  int64_t value = 0;
  CivilDate effective_from;
};

struct Genesis {
  std::string chain_id;
  uint64_t genesis_time_ms = 0;
  uint32_t protocol_version = 1;
  std::vector<GenesisMember> members;  // ids 1..n in order
  std::vector<uint64_t> validators;    // member ids; index = ValidatorIndex
  std::vector<GenesisParam> parameters;

  Bytes canonical_bytes() const;
  Hash32 hash() const;
  // The epoch-1 validator set (consensus keys in validator order).
  // Requires a valid genesis.
  ValidatorSet validator_set() const;
};

// Parses the JSON form. Structural problems (missing fields, bad types,
// bad hex, unknown enum names) are all appended to `problems`; the result
// holds whatever could be read.
Genesis parse_json(std::string_view text, std::vector<std::string>& problems);
// Every semantic problem at once (empty = valid).
std::vector<std::string> validate(const Genesis& g, const contracts::Registry& registry);
// parse_json + validate; an error lists every problem, one per line.
Result<Genesis> load(std::string_view text, const contracts::Registry& registry);
nlohmann::json to_json(const Genesis& g);

// The initial state as executor-format writes (sorted by key).
std::vector<contracts::StateWrite> initial_state(const Genesis& g);
// Block 1 (see the file comment). Requires a valid genesis.
ledger::BlockCommit build_genesis_commit(const Genesis& g);

// DOMAIN.md Part B Shanxi defaults (§6.4, §7, §8.2, §8.3, §9) as governed
// parameters effective from `from`.
std::vector<GenesisParam> shanxi_default_parameters(CivilDate from);

}  // namespace ipl::genesis
