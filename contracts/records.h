// The records of the execution core (membership, keys, governance,
// parameters, protocol versions, epochs, attestations), their canonical
// encodings and the state-key layout. Grammar (docs/transactions.md
// "Records"; primitives of common/encoding.h):
//   RecordBody = date value_date ‖ bytes data        (every stored value)
//   date       = u32 yyyymmdd
//   Member     = u64 id ‖ string name ‖ u8 role ‖ string org ‖ string branch_code
//                ‖ bool governance ‖ bool active ‖ u8 node_status ‖ opt<pubkey> consensus_key
//                ‖ u64 registered_by
//   KeyRecord  = pubkey key ‖ u64 member_id ‖ u8 kind ‖ bool active ‖ u64 added_height ‖ u64 revoked_height
//   Registry   = list<u64 governance member id> ‖ u64 next_member_id ‖ u64 next_proposal_id
//   Protocol   = list<u32 version ‖ u64 from_height>
//   Epochs     = list<u64 number ‖ u64 boundary_height ‖ list<u64 member> ‖ list<pubkey>>
//   Param      = string name ‖ u8 type ‖ list<date effective_from ‖ i64 value ‖ u64 height ‖ u64 proposal_id>
//   Proposal   = u64 id ‖ u8 kind ‖ u64 proposer ‖ u64 created_height ‖ u64 deadline_ms ‖ bytes action
//                ‖ list<u64 member ‖ bool approve> ‖ u8 status ‖ string outcome_reason
//                ‖ u64 decided_height ‖ u64 effect_height ‖ date effect_date ‖ u64 effect_epoch
// Keys are ASCII: "member/<id:016x>", "key/<hex>", "sys/registry",
// "sys/protocol", "sys/epochs", "sys/nonce/<hex>", "param/<name>",
// "proposal/<id:016x>", "att/lpr/<yyyymm>", "att/cal/<yyyy>",
// "att/ip/<number>", "att/bank/<member:016x>/<yyyymm>".
// Decoders are strict (decode(encode(x)) == x, trailing bytes rejected).
// Thread-safety: values only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/chain.h"
#include "common/crypto.h"
#include "common/encoding.h"
#include "common/status.h"

namespace ipl::contracts {

// ---------------------------------------------------------------------------
// Roles (DOMAIN.md Part A decision 3)

enum class Role : uint8_t {
  kIpa = 1, kFin, kSme, kRegulator, kBank, kGuar, kIns, kAppraiser, kExchange, kEnt, kAuditor,
};
inline constexpr uint8_t kRoleMax = 11;
using RoleMask = uint32_t;
constexpr RoleMask role_bit(Role r) { return RoleMask{1} << static_cast<uint8_t>(r); }
inline constexpr RoleMask kAllRoles = ((RoleMask{1} << (kRoleMax + 1)) - 2);
inline constexpr RoleMask kGovernanceRoles =
    role_bit(Role::kIpa) | role_bit(Role::kFin) | role_bit(Role::kSme) | role_bit(Role::kRegulator);

std::string_view role_name(Role r);
std::optional<Role> role_from_name(std::string_view name);

enum class NodeStatus : uint8_t { kNone = 0, kObserver = 1, kValidator = 2 };
std::string_view node_status_name(NodeStatus s);
std::optional<NodeStatus> node_status_from_name(std::string_view name);

enum class KeyKind : uint8_t { kApi = 1, kConsensus = 2 };
std::string_view key_kind_name(KeyKind k);
std::optional<KeyKind> key_kind_from_name(std::string_view name);

// ---------------------------------------------------------------------------
// Record body wrapper: every stored value carries the value_date of the
// transaction that wrote it, so the executor can refuse a value_date that
// goes backwards along a record's version chain (decision 7).

struct RecordBody {
  CivilDate value_date;
  Bytes data;
  Bytes encode() const;
  static Result<RecordBody> decode(ByteView bytes);
};

// ---------------------------------------------------------------------------
// Membership

struct Member {
  uint64_t id = 0;
  std::string name;
  Role role = Role::kEnt;
  std::string org;          // short agency code (e.g. "PBOC") or USCC
  std::string branch_code;  // banks: the branch (基层机构) for §9
  bool governance = false;  // one of the joint meeting's agencies
  bool active = true;
  NodeStatus node_status = NodeStatus::kNone;
  std::optional<PublicKey> consensus_key;
  uint64_t registered_by = 0;  // 0: genesis or governance
  Bytes encode() const;
  static Result<Member> decode(ByteView bytes);
  bool operator==(const Member&) const = default;
};

struct KeyRecord {
  PublicKey key;
  uint64_t member_id = 0;
  KeyKind kind = KeyKind::kApi;
  bool active = true;
  uint64_t added_height = 0;
  uint64_t revoked_height = 0;
  Bytes encode() const;
  static Result<KeyRecord> decode(ByteView bytes);
  bool operator==(const KeyRecord&) const = default;
};

struct RegistryRecord {
  std::vector<uint64_t> governance_members;  // ascending
  uint64_t next_member_id = 1;
  uint64_t next_proposal_id = 1;
  Bytes encode() const;
  static Result<RegistryRecord> decode(ByteView bytes);
};

// Protocol versions in force: version v applies from height from_height
// (inclusive) until the next entry. Ascending in both fields.
struct ProtocolRecord {
  std::vector<std::pair<uint32_t, uint64_t>> activations;
  uint32_t version_at(uint64_t height) const;
  Bytes encode() const;
  static Result<ProtocolRecord> decode(ByteView bytes);
};

// Epochs: entry k is in force for heights > boundary_height(k) up to and
// including boundary_height(k+1). The genesis epoch has boundary 0.
struct EpochEntry {
  uint64_t number = 0;
  uint64_t boundary_height = 0;
  std::vector<uint64_t> members;
  std::vector<PublicKey> consensus_keys;
  bool operator==(const EpochEntry&) const = default;
};
struct EpochsRecord {
  std::vector<EpochEntry> entries;  // ascending number and boundary
  const EpochEntry& in_force_at(uint64_t height) const;
  Bytes encode() const;
  static Result<EpochsRecord> decode(ByteView bytes);
};

// ---------------------------------------------------------------------------
// Parameters (decision 1)

enum class ParamType : uint8_t { kFen = 1, kPpm, kCount, kDays, kBool };
std::string_view param_type_name(ParamType t);
std::optional<ParamType> param_type_from_name(std::string_view name);
// Range check of a value of this type (all non-negative; bool is 0 or 1).
bool param_value_ok(ParamType t, int64_t value);
// Budgets and the compensation fund need the finance department's approval.
bool param_needs_finance(std::string_view name);
bool param_name_ok(std::string_view name);

struct ParamVersion {
  CivilDate effective_from;
  int64_t value = 0;
  uint64_t height = 0;
  uint64_t proposal_id = 0;  // 0: genesis
  bool operator==(const ParamVersion&) const = default;
};
struct ParamRecord {
  std::string name;
  ParamType type = ParamType::kCount;
  std::vector<ParamVersion> versions;  // strictly ascending effective_from
  // The version in force on `date`, if any.
  const ParamVersion* at(CivilDate date) const;
  // Inserts, replacing a version with the same effective_from.
  void set(const ParamVersion& v);
  Bytes encode() const;
  static Result<ParamRecord> decode(ByteView bytes);
};

// ---------------------------------------------------------------------------
// Governance (decision 2)

enum class ProposalKind : uint8_t {
  kParamChange = 1, kMemberAdmit, kMemberRemove, kKeyRotation, kValidatorSet, kEpochRenewal,
  kProtocolActivation,
};
std::string_view proposal_kind_name(ProposalKind k);
std::optional<ProposalKind> proposal_kind_from_name(std::string_view name);

enum class ProposalStatus : uint8_t { kOpen = 0, kPassed, kRejected, kExpired, kFailed };
std::string_view proposal_status_name(ProposalStatus s);

// Actions, one per kind. Grammars:
//   ParamChange        = string name ‖ u8 type ‖ i64 value ‖ date effective_from
//   MemberAdmit        = string name ‖ u8 role ‖ string org ‖ string branch_code ‖ bool governance
//                        ‖ list<pubkey api_key> ‖ opt<pubkey consensus_key> ‖ u8 node_status
//   MemberRemove       = u64 member_id
//   KeyRotation        = u64 member_id ‖ u8 kind ‖ pubkey old_key ‖ pubkey new_key
//   ValidatorSet       = list<u64 member_id>
//   EpochRenewal       = (empty)
//   ProtocolActivation = u32 version ‖ u64 height
struct ParamChange { std::string name; ParamType type = ParamType::kCount; int64_t value = 0; CivilDate effective_from; };
struct MemberAdmit {
  std::string name; Role role = Role::kEnt; std::string org; std::string branch_code; bool governance = false;
  std::vector<PublicKey> api_keys; std::optional<PublicKey> consensus_key; NodeStatus node_status = NodeStatus::kNone;
};
struct MemberRemove { uint64_t member_id = 0; };
struct KeyRotation { uint64_t member_id = 0; KeyKind kind = KeyKind::kApi; PublicKey old_key; PublicKey new_key; };
struct ValidatorSetChange { std::vector<uint64_t> member_ids; };
struct ProtocolActivation { uint32_t version = 0; uint64_t height = 0; };

Bytes encode_action(const ParamChange& a);
Bytes encode_action(const MemberAdmit& a);
Bytes encode_action(const MemberRemove& a);
Bytes encode_action(const KeyRotation& a);
Bytes encode_action(const ValidatorSetChange& a);
Bytes encode_action(const ProtocolActivation& a);
Result<ParamChange> decode_param_change(ByteView b);
Result<MemberAdmit> decode_member_admit(ByteView b);
Result<MemberRemove> decode_member_remove(ByteView b);
Result<KeyRotation> decode_key_rotation(ByteView b);
Result<ValidatorSetChange> decode_validator_set(ByteView b);
Result<ProtocolActivation> decode_protocol_activation(ByteView b);
// Decodes and range-checks the action of `kind`.
Status check_action(ProposalKind kind, ByteView action);

struct Proposal {
  uint64_t id = 0;
  ProposalKind kind = ProposalKind::kParamChange;
  uint64_t proposer = 0;
  uint64_t created_height = 0;
  uint64_t deadline_ms = 0;
  Bytes action;
  std::vector<std::pair<uint64_t, bool>> votes;  // in vote order
  ProposalStatus status = ProposalStatus::kOpen;
  std::string outcome_reason;
  uint64_t decided_height = 0;
  uint64_t effect_height = 0;   // the block that applied it, or the epoch boundary
  CivilDate effect_date;        // parameter changes: effective_from
  uint64_t effect_epoch = 0;    // epoch changes: the new epoch's number
  Bytes encode() const;
  static Result<Proposal> decode(ByteView bytes);
};

// ---------------------------------------------------------------------------
// Attestations (decision 4)

enum class IpKind : uint8_t { kPatent = 1, kTrademark, kCopyright };
std::string_view ip_kind_name(IpKind k);
std::optional<IpKind> ip_kind_from_name(std::string_view name);

//   LprFact       = u32 month(yyyymm) ‖ i64 rate_1y_ppm ‖ i64 rate_5y_ppm ‖ u64 attester
//   CalendarFact  = u32 year ‖ list<date holiday> ‖ list<date workday> ‖ u64 attester
//   IpFact        = string number ‖ u8 kind ‖ string status ‖ list<string owner> ‖ string pledge_reg_no ‖ u64 attester
//   BankTotals    = u64 member ‖ string branch_code ‖ u32 month ‖ i64 loans_fen ‖ i64 npl_fen ‖ u64 attester
struct LprFact { uint32_t month = 0; int64_t rate_1y_ppm = 0; int64_t rate_5y_ppm = 0; uint64_t attester = 0;
  Bytes encode() const; static Result<LprFact> decode(ByteView b); };
struct CalendarFact { uint32_t year = 0; std::vector<CivilDate> holidays; std::vector<CivilDate> workdays; uint64_t attester = 0;
  Bytes encode() const; static Result<CalendarFact> decode(ByteView b); };
struct IpFact { std::string number; IpKind kind = IpKind::kPatent; std::string status; std::vector<std::string> owners;
  std::string pledge_reg_no; uint64_t attester = 0;
  Bytes encode() const; static Result<IpFact> decode(ByteView b); };
struct BankTotals { uint64_t member = 0; std::string branch_code; uint32_t month = 0; int64_t loans_fen = 0;
  int64_t npl_fen = 0; uint64_t attester = 0;
  Bytes encode() const; static Result<BankTotals> decode(ByteView b); };

bool month_ok(uint32_t yyyymm);

// ---------------------------------------------------------------------------
// State keys

namespace keys {
std::string member(uint64_t id);
std::string key(const PublicKey& k);
std::string nonce(const PublicKey& k);
inline constexpr std::string_view kRegistry = "sys/registry";
inline constexpr std::string_view kProtocol = "sys/protocol";
inline constexpr std::string_view kEpochs = "sys/epochs";
std::string param(std::string_view name);
std::string proposal(uint64_t id);
std::string lpr(uint32_t yyyymm);
std::string calendar(uint32_t year);
std::string ip_fact(std::string_view number);
std::string bank_totals(uint64_t member, uint32_t yyyymm);
// Executor bookkeeping keys ("sys/") are exempt from the value_date
// chain rule.
inline bool is_system(std::string_view k) { return k.substr(0, 4) == "sys/"; }
}  // namespace keys

// What admitting a member writes, at genesis or by a governance vote: its
// Member record, a KeyRecord per API key and one for its consensus key (if
// any), all active from `height`; (state key, encoded record) in that order.
std::vector<std::pair<std::string, Bytes>> admission_records(const Member& m, const std::vector<PublicKey>& api_keys,
                                                             uint64_t height);

// Canonical encoding helpers shared by the modules.
void put_key(Encoder& e, const PublicKey& k);
Status get_key(Decoder& d, PublicKey& k);
void put_date(Encoder& e, CivilDate d);
Status get_date(Decoder& d, CivilDate& out);

}  // namespace ipl::contracts
