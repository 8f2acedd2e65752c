#include "contracts/records.h"

#include <algorithm>
#include <array>

#include "common/limits.h"
#include "contracts/record_codec.h"

namespace ipl::contracts {

namespace {

constexpr size_t kListMax = 4096;  // members, keys, votes, dates, owners per record
constexpr size_t kNameBytesMax = 256;

template <typename T, typename F>
Result<T> decode_whole(ByteView b, F&& fn) {
  Decoder d(b);
  T out{};
  IPL_RETURN_IF_ERROR(fn(d, out));
  IPL_RETURN_IF_ERROR(d.finish());
  return out;
}


Status get_opt_key(Decoder& d, std::optional<PublicKey>& k) {
  bool present = false;
  IPL_RETURN_IF_ERROR(d.boolean(present));
  if (!present) {
    k.reset();
    return Status::ok();
  }
  PublicKey pk;
  IPL_RETURN_IF_ERROR(get_key(d, pk));
  k = pk;
  return Status::ok();
}

void put_opt_key(Encoder& e, const std::optional<PublicKey>& k) {
  e.boolean(k.has_value());
  if (k) put_key(e, *k);
}

Status get_u64_list(Decoder& d, std::vector<uint64_t>& out) {
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, kListMax, 8));
  out.resize(n);
  for (auto& v : out) IPL_RETURN_IF_ERROR(d.u64(v));
  return Status::ok();
}

void put_u64_list(Encoder& e, const std::vector<uint64_t>& v) {
  e.count(v.size());
  for (uint64_t x : v) e.u64(x);
}


template <typename E, size_t N>
std::optional<E> from_name(const std::array<std::string_view, N>& names, std::string_view name, uint8_t first) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i + first);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 11> kRoleNames = {"IPA", "FIN", "SME", "REGULATOR", "BANK", "GUAR",
                                                         "INS", "APPRAISER", "EXCHANGE", "ENT", "AUDITOR"};
constexpr std::array<std::string_view, 3> kNodeNames = {"none", "observer", "validator"};
constexpr std::array<std::string_view, 2> kKeyKindNames = {"api", "consensus"};
constexpr std::array<std::string_view, 5> kParamTypeNames = {"fen", "ppm", "count", "days", "bool"};
constexpr std::array<std::string_view, 7> kKindNames = {"param_change",  "member_admit",  "member_remove",
                                                        "key_rotation",  "validator_set", "epoch_renewal",
                                                        "protocol_activation"};
constexpr std::array<std::string_view, 5> kStatusNames = {"open", "passed", "rejected", "expired", "failed"};
constexpr std::array<std::string_view, 3> kIpKindNames = {"patent", "trademark", "copyright"};

}  // namespace

void put_key(Encoder& e, const PublicKey& k) { e.raw(k.bytes); }
Status get_key(Decoder& d, PublicKey& k) { return d.raw(k.bytes.data(), k.bytes.size()); }
void put_date(Encoder& e, CivilDate d) { e.u32(d.yyyymmdd); }
Status get_date(Decoder& d, CivilDate& out) {
  IPL_RETURN_IF_ERROR(d.u32(out.yyyymmdd));
  if (!out.is_valid()) return Status::invalid("invalid date");
  return Status::ok();
}

std::string_view role_name(Role r) {
  const auto i = static_cast<uint8_t>(r);
  IPL_ASSERT(i >= 1 && i <= kRoleMax);
  return kRoleNames[i - 1];
}
std::optional<Role> role_from_name(std::string_view n) { return from_name<Role>(kRoleNames, n, 1); }
std::string_view node_status_name(NodeStatus s) { return kNodeNames[static_cast<uint8_t>(s)]; }
std::optional<NodeStatus> node_status_from_name(std::string_view n) { return from_name<NodeStatus>(kNodeNames, n, 0); }
std::string_view key_kind_name(KeyKind k) { return kKeyKindNames[static_cast<uint8_t>(k) - 1]; }
std::optional<KeyKind> key_kind_from_name(std::string_view n) { return from_name<KeyKind>(kKeyKindNames, n, 1); }
std::string_view param_type_name(ParamType t) { return kParamTypeNames[static_cast<uint8_t>(t) - 1]; }
std::optional<ParamType> param_type_from_name(std::string_view n) {
  return from_name<ParamType>(kParamTypeNames, n, 1);
}
std::string_view proposal_kind_name(ProposalKind k) { return kKindNames[static_cast<uint8_t>(k) - 1]; }
std::optional<ProposalKind> proposal_kind_from_name(std::string_view n) {
  return from_name<ProposalKind>(kKindNames, n, 1);
}
std::string_view proposal_status_name(ProposalStatus s) { return kStatusNames[static_cast<uint8_t>(s)]; }
std::string_view ip_kind_name(IpKind k) { return kIpKindNames[static_cast<uint8_t>(k) - 1]; }
std::optional<IpKind> ip_kind_from_name(std::string_view n) { return from_name<IpKind>(kIpKindNames, n, 1); }

bool param_value_ok(ParamType t, int64_t v) { return t == ParamType::kBool ? (v == 0 || v == 1) : v >= 0; }
bool param_needs_finance(std::string_view n) { return n.substr(0, 7) == "budget." || n.substr(0, 5) == "fund."; }
bool param_name_ok(std::string_view n) {
  if (n.empty() || n.size() > 96) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
  });
}
bool month_ok(uint32_t m) { return m / 100 >= 1900 && m / 100 <= 9999 && m % 100 >= 1 && m % 100 <= 12; }

// --- RecordBody -------------------------------------------------------------

Bytes RecordBody::encode() const {
  Encoder e(8 + data.size());
  put_date(e, value_date);
  e.bytes(data);
  return e.take();
}
Result<RecordBody> RecordBody::decode(ByteView b) {
  return decode_whole<RecordBody>(b, [](Decoder& d, RecordBody& r) {
    IPL_RETURN_IF_ERROR(get_date(d, r.value_date));
    return d.bytes(r.data, limits::state_value_bytes_max);
  });
}

// --- Member, KeyRecord, Registry ------------------------------------------

Bytes Member::encode() const {
  Encoder e(128);
  e.u64(id).str(name).u8(static_cast<uint8_t>(role)).str(org).str(branch_code).boolean(governance).boolean(active);
  e.u8(static_cast<uint8_t>(node_status));
  put_opt_key(e, consensus_key);
  e.u64(registered_by);
  return e.take();
}
Result<Member> Member::decode(ByteView b) {
  return decode_whole<Member>(b, [](Decoder& d, Member& m) {
    IPL_RETURN_IF_ERROR(d.u64(m.id));
    IPL_RETURN_IF_ERROR(d.str(m.name, kNameBytesMax));
    IPL_RETURN_IF_ERROR(get_enum(d, m.role, 1, kRoleMax));
    IPL_RETURN_IF_ERROR(d.str(m.org, kNameBytesMax));
    IPL_RETURN_IF_ERROR(d.str(m.branch_code, kNameBytesMax));
    IPL_RETURN_IF_ERROR(d.boolean(m.governance));
    IPL_RETURN_IF_ERROR(d.boolean(m.active));
    IPL_RETURN_IF_ERROR(get_enum(d, m.node_status, 0, 2));
    IPL_RETURN_IF_ERROR(get_opt_key(d, m.consensus_key));
    return d.u64(m.registered_by);
  });
}

Bytes KeyRecord::encode() const {
  Encoder e(64);
  put_key(e, key);
  e.u64(member_id).u8(static_cast<uint8_t>(kind)).boolean(active).u64(added_height).u64(revoked_height);
  return e.take();
}
Result<KeyRecord> KeyRecord::decode(ByteView b) {
  return decode_whole<KeyRecord>(b, [](Decoder& d, KeyRecord& k) {
    IPL_RETURN_IF_ERROR(get_key(d, k.key));
    IPL_RETURN_IF_ERROR(d.u64(k.member_id));
    IPL_RETURN_IF_ERROR(get_enum(d, k.kind, 1, 2));
    IPL_RETURN_IF_ERROR(d.boolean(k.active));
    IPL_RETURN_IF_ERROR(d.u64(k.added_height));
    return d.u64(k.revoked_height);
  });
}

Bytes RegistryRecord::encode() const {
  Encoder e(32 + 8 * governance_members.size());
  put_u64_list(e, governance_members);
  e.u64(next_member_id).u64(next_proposal_id);
  return e.take();
}
Result<RegistryRecord> RegistryRecord::decode(ByteView b) {
  return decode_whole<RegistryRecord>(b, [](Decoder& d, RegistryRecord& r) {
    IPL_RETURN_IF_ERROR(get_u64_list(d, r.governance_members));
    IPL_RETURN_IF_ERROR(d.u64(r.next_member_id));
    return d.u64(r.next_proposal_id);
  });
}

// --- Protocol, Epochs ------------------------------------------------------

uint32_t ProtocolRecord::version_at(uint64_t height) const {
  IPL_ASSERT(!activations.empty());
  uint32_t v = activations.front().first;
  for (const auto& [version, from] : activations) {
    if (from <= height) v = version;
  }
  IPL_ASSERT(v >= 1);
  return v;
}
Bytes ProtocolRecord::encode() const {
  Encoder e;
  e.count(activations.size());
  for (const auto& [v, h] : activations) e.u32(v).u64(h);
  return e.take();
}
Result<ProtocolRecord> ProtocolRecord::decode(ByteView b) {
  return decode_whole<ProtocolRecord>(b, [](Decoder& d, ProtocolRecord& r) {
    size_t n = 0;
    IPL_RETURN_IF_ERROR(d.count(n, kListMax, 12));
    if (n == 0) return Status::invalid("no protocol version");
    r.activations.resize(n);
    for (auto& [v, h] : r.activations) {
      IPL_RETURN_IF_ERROR(d.u32(v));
      IPL_RETURN_IF_ERROR(d.u64(h));
    }
    return Status::ok();
  });
}

const EpochEntry& EpochsRecord::in_force_at(uint64_t height) const {
  IPL_ASSERT(!entries.empty());
  const EpochEntry* cur = &entries.front();
  for (const EpochEntry& e : entries) {
    if (e.boundary_height < height) cur = &e;
  }
  IPL_ASSERT(cur->boundary_height < height || cur == &entries.front());
  return *cur;
}
Bytes EpochsRecord::encode() const {
  Encoder e;
  e.count(entries.size());
  for (const EpochEntry& x : entries) {
    e.u64(x.number).u64(x.boundary_height);
    put_u64_list(e, x.members);
    e.count(x.consensus_keys.size());
    for (const PublicKey& k : x.consensus_keys) put_key(e, k);
  }
  return e.take();
}
Result<EpochsRecord> EpochsRecord::decode(ByteView b) {
  return decode_whole<EpochsRecord>(b, [](Decoder& d, EpochsRecord& r) {
    size_t n = 0;
    IPL_RETURN_IF_ERROR(d.count(n, kListMax, 24));
    if (n == 0) return Status::invalid("no epoch");
    r.entries.resize(n);
    for (EpochEntry& x : r.entries) {
      IPL_RETURN_IF_ERROR(d.u64(x.number));
      IPL_RETURN_IF_ERROR(d.u64(x.boundary_height));
      IPL_RETURN_IF_ERROR(get_u64_list(d, x.members));
      size_t k = 0;
      IPL_RETURN_IF_ERROR(d.count(k, limits::validators_max, 32));
      x.consensus_keys.resize(k);
      for (PublicKey& pk : x.consensus_keys) IPL_RETURN_IF_ERROR(get_key(d, pk));
    }
    return Status::ok();
  });
}

// --- Parameters ------------------------------------------------------------

const ParamVersion* ParamRecord::at(CivilDate date) const {
  const ParamVersion* found = nullptr;
  for (const ParamVersion& v : versions) {
    if (v.effective_from <= date) found = &v;
  }
  return found;
}
void ParamRecord::set(const ParamVersion& v) {
  auto it = std::lower_bound(versions.begin(), versions.end(), v.effective_from,
                             [](const ParamVersion& a, CivilDate d) { return a.effective_from < d; });
  if (it != versions.end() && it->effective_from == v.effective_from) {
    *it = v;
  } else {
    versions.insert(it, v);
  }
  IPL_DEBUG_ASSERT(std::is_sorted(versions.begin(), versions.end(), [](const ParamVersion& a, const ParamVersion& b) {
    return a.effective_from < b.effective_from;
  }));
}
Bytes ParamRecord::encode() const {
  Encoder e;
  e.str(name).u8(static_cast<uint8_t>(type));
  e.count(versions.size());
  for (const ParamVersion& v : versions) {
    put_date(e, v.effective_from);
    e.i64(v.value).u64(v.height).u64(v.proposal_id);
  }
  return e.take();
}
Result<ParamRecord> ParamRecord::decode(ByteView b) {
  return decode_whole<ParamRecord>(b, [](Decoder& d, ParamRecord& r) {
    IPL_RETURN_IF_ERROR(d.str(r.name, kNameBytesMax));
    IPL_RETURN_IF_ERROR(get_enum(d, r.type, 1, 5));
    size_t n = 0;
    IPL_RETURN_IF_ERROR(d.count(n, kListMax, 28));
    r.versions.resize(n);
    for (ParamVersion& v : r.versions) {
      IPL_RETURN_IF_ERROR(get_date(d, v.effective_from));
      IPL_RETURN_IF_ERROR(d.i64(v.value));
      IPL_RETURN_IF_ERROR(d.u64(v.height));
      IPL_RETURN_IF_ERROR(d.u64(v.proposal_id));
    }
    return Status::ok();
  });
}

// --- Governance actions and proposals -------------------------------------

Bytes encode_action(const ParamChange& a) {
  Encoder e;
  e.str(a.name).u8(static_cast<uint8_t>(a.type)).i64(a.value);
  put_date(e, a.effective_from);
  return e.take();
}
Bytes encode_action(const MemberAdmit& a) {
  Encoder e;
  e.str(a.name).u8(static_cast<uint8_t>(a.role)).str(a.org).str(a.branch_code).boolean(a.governance);
  e.count(a.api_keys.size());
  for (const PublicKey& k : a.api_keys) put_key(e, k);
  put_opt_key(e, a.consensus_key);
  e.u8(static_cast<uint8_t>(a.node_status));
  return e.take();
}
Bytes encode_action(const MemberRemove& a) { return Encoder().u64(a.member_id).take(); }
Bytes encode_action(const KeyRotation& a) {
  Encoder e;
  e.u64(a.member_id).u8(static_cast<uint8_t>(a.kind));
  put_key(e, a.old_key);
  put_key(e, a.new_key);
  return e.take();
}
Bytes encode_action(const ValidatorSetChange& a) {
  Encoder e;
  put_u64_list(e, a.member_ids);
  return e.take();
}
Bytes encode_action(const ProtocolActivation& a) { return Encoder().u32(a.version).u64(a.height).take(); }

Result<ParamChange> decode_param_change(ByteView b) {
  return decode_whole<ParamChange>(b, [](Decoder& d, ParamChange& a) {
    IPL_RETURN_IF_ERROR(d.str(a.name, kNameBytesMax));
    IPL_RETURN_IF_ERROR(get_enum(d, a.type, 1, 5));
    IPL_RETURN_IF_ERROR(d.i64(a.value));
    IPL_RETURN_IF_ERROR(get_date(d, a.effective_from));
    if (!param_name_ok(a.name)) return Status::invalid("bad parameter name");
    if (!param_value_ok(a.type, a.value)) return Status::invalid("parameter value out of range");
    return Status::ok();
  });
}
Result<MemberAdmit> decode_member_admit(ByteView b) {
  return decode_whole<MemberAdmit>(b, [](Decoder& d, MemberAdmit& a) {
    IPL_RETURN_IF_ERROR(d.str(a.name, kNameBytesMax));
    IPL_RETURN_IF_ERROR(get_enum(d, a.role, 1, kRoleMax));
    IPL_RETURN_IF_ERROR(d.str(a.org, kNameBytesMax));
    IPL_RETURN_IF_ERROR(d.str(a.branch_code, kNameBytesMax));
    IPL_RETURN_IF_ERROR(d.boolean(a.governance));
    size_t n = 0;
    IPL_RETURN_IF_ERROR(d.count(n, 16, 32));
    a.api_keys.resize(n);
    for (PublicKey& k : a.api_keys) IPL_RETURN_IF_ERROR(get_key(d, k));
    IPL_RETURN_IF_ERROR(get_opt_key(d, a.consensus_key));
    IPL_RETURN_IF_ERROR(get_enum(d, a.node_status, 0, 1));  // validators only by a set change
    if (a.name.empty()) return Status::invalid("member name empty");
    if (a.api_keys.empty()) return Status::invalid("a member needs an API key");
    if (a.governance && (role_bit(a.role) & kGovernanceRoles) == 0) {
      return Status::invalid("role cannot be a governance member");
    }
    if (a.role == Role::kAuditor && a.consensus_key) return Status::invalid("an auditor is never a validator");
    return Status::ok();
  });
}
Result<MemberRemove> decode_member_remove(ByteView b) {
  return decode_whole<MemberRemove>(b, [](Decoder& d, MemberRemove& a) { return d.u64(a.member_id); });
}
Result<KeyRotation> decode_key_rotation(ByteView b) {
  return decode_whole<KeyRotation>(b, [](Decoder& d, KeyRotation& a) {
    IPL_RETURN_IF_ERROR(d.u64(a.member_id));
    IPL_RETURN_IF_ERROR(get_enum(d, a.kind, 1, 2));
    IPL_RETURN_IF_ERROR(get_key(d, a.old_key));
    IPL_RETURN_IF_ERROR(get_key(d, a.new_key));
    if (a.old_key == a.new_key) return Status::invalid("new key equals old key");
    return Status::ok();
  });
}
Result<ValidatorSetChange> decode_validator_set(ByteView b) {
  return decode_whole<ValidatorSetChange>(b, [](Decoder& d, ValidatorSetChange& a) {
    IPL_RETURN_IF_ERROR(get_u64_list(d, a.member_ids));
    if (a.member_ids.empty() || a.member_ids.size() > limits::validators_max) {
      return Status::invalid("validator count out of range");
    }
    std::vector<uint64_t> sorted = a.member_ids;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return Status::invalid("duplicate validator");
    return Status::ok();
  });
}
Result<ProtocolActivation> decode_protocol_activation(ByteView b) {
  return decode_whole<ProtocolActivation>(b, [](Decoder& d, ProtocolActivation& a) {
    IPL_RETURN_IF_ERROR(d.u32(a.version));
    return d.u64(a.height);
  });
}

Status check_action(ProposalKind kind, ByteView action) {
  switch (kind) {
    case ProposalKind::kParamChange: return decode_param_change(action).status();
    case ProposalKind::kMemberAdmit: return decode_member_admit(action).status();
    case ProposalKind::kMemberRemove: return decode_member_remove(action).status();
    case ProposalKind::kKeyRotation: return decode_key_rotation(action).status();
    case ProposalKind::kValidatorSet: return decode_validator_set(action).status();
    case ProposalKind::kEpochRenewal:
      return action.empty() ? Status::ok() : Status::invalid("epoch renewal takes no action bytes");
    case ProposalKind::kProtocolActivation: return decode_protocol_activation(action).status();
  }
  return Status::invalid("unknown proposal kind");
}

Bytes Proposal::encode() const {
  Encoder e(128 + action.size() + 9 * votes.size());
  e.u64(id).u8(static_cast<uint8_t>(kind)).u64(proposer).u64(created_height).u64(deadline_ms).bytes(action);
  e.count(votes.size());
  for (const auto& [m, approve] : votes) e.u64(m).boolean(approve);
  e.u8(static_cast<uint8_t>(status)).str(outcome_reason).u64(decided_height).u64(effect_height);
  e.u32(effect_date.yyyymmdd).u64(effect_epoch);
  return e.take();
}
Result<Proposal> Proposal::decode(ByteView b) {
  return decode_whole<Proposal>(b, [](Decoder& d, Proposal& p) {
    IPL_RETURN_IF_ERROR(d.u64(p.id));
    IPL_RETURN_IF_ERROR(get_enum(d, p.kind, 1, 7));
    IPL_RETURN_IF_ERROR(d.u64(p.proposer));
    IPL_RETURN_IF_ERROR(d.u64(p.created_height));
    IPL_RETURN_IF_ERROR(d.u64(p.deadline_ms));
    IPL_RETURN_IF_ERROR(d.bytes(p.action, limits::tx_payload_bytes_max));
    size_t n = 0;
    IPL_RETURN_IF_ERROR(d.count(n, kListMax, 9));
    p.votes.resize(n);
    for (auto& [m, approve] : p.votes) {
      IPL_RETURN_IF_ERROR(d.u64(m));
      IPL_RETURN_IF_ERROR(d.boolean(approve));
    }
    IPL_RETURN_IF_ERROR(get_enum(d, p.status, 0, 4));
    IPL_RETURN_IF_ERROR(d.str(p.outcome_reason, limits::receipt_reason_bytes_max));
    IPL_RETURN_IF_ERROR(d.u64(p.decided_height));
    IPL_RETURN_IF_ERROR(d.u64(p.effect_height));
    IPL_RETURN_IF_ERROR(d.u32(p.effect_date.yyyymmdd));  // 0 when not a dated change
    return d.u64(p.effect_epoch);
  });
}

// --- Attestations ------------------------------------------------------------

Bytes LprFact::encode() const { return Encoder().u32(month).i64(rate_1y_ppm).i64(rate_5y_ppm).u64(attester).take(); }
Result<LprFact> LprFact::decode(ByteView b) {
  return decode_whole<LprFact>(b, [](Decoder& d, LprFact& f) {
    IPL_RETURN_IF_ERROR(d.u32(f.month));
    IPL_RETURN_IF_ERROR(d.i64(f.rate_1y_ppm));
    IPL_RETURN_IF_ERROR(d.i64(f.rate_5y_ppm));
    return d.u64(f.attester);
  });
}
Bytes CalendarFact::encode() const {
  Encoder e;
  e.u32(year).count(holidays.size());
  for (CivilDate x : holidays) put_date(e, x);
  e.count(workdays.size());
  for (CivilDate x : workdays) put_date(e, x);
  e.u64(attester);
  return e.take();
}
Result<CalendarFact> CalendarFact::decode(ByteView b) {
  return decode_whole<CalendarFact>(b, [](Decoder& d, CalendarFact& f) {
    IPL_RETURN_IF_ERROR(d.u32(f.year));
    for (auto* list : {&f.holidays, &f.workdays}) {
      size_t n = 0;
      IPL_RETURN_IF_ERROR(d.count(n, 366, 4));
      list->resize(n);
      for (CivilDate& x : *list) IPL_RETURN_IF_ERROR(get_date(d, x));
    }
    return d.u64(f.attester);
  });
}
Bytes IpFact::encode() const {
  Encoder e;
  e.str(number).u8(static_cast<uint8_t>(kind)).str(status).count(owners.size());
  for (const std::string& o : owners) e.str(o);
  e.str(pledge_reg_no).u64(attester);
  return e.take();
}
Result<IpFact> IpFact::decode(ByteView b) {
  return decode_whole<IpFact>(b, [](Decoder& d, IpFact& f) {
    IPL_RETURN_IF_ERROR(d.str(f.number, kNameBytesMax));
    IPL_RETURN_IF_ERROR(get_enum(d, f.kind, 1, 3));
    IPL_RETURN_IF_ERROR(d.str(f.status, kNameBytesMax));
    size_t n = 0;
    IPL_RETURN_IF_ERROR(d.count(n, 64, 4));
    f.owners.resize(n);
    for (std::string& o : f.owners) IPL_RETURN_IF_ERROR(d.str(o, kNameBytesMax));
    IPL_RETURN_IF_ERROR(d.str(f.pledge_reg_no, kNameBytesMax));
    return d.u64(f.attester);
  });
}
Bytes BankTotals::encode() const {
  return Encoder().u64(member).str(branch_code).u32(month).i64(loans_fen).i64(npl_fen).u64(attester).take();
}
Result<BankTotals> BankTotals::decode(ByteView b) {
  return decode_whole<BankTotals>(b, [](Decoder& d, BankTotals& f) {
    IPL_RETURN_IF_ERROR(d.u64(f.member));
    IPL_RETURN_IF_ERROR(d.str(f.branch_code, kNameBytesMax));
    IPL_RETURN_IF_ERROR(d.u32(f.month));
    IPL_RETURN_IF_ERROR(d.i64(f.loans_fen));
    IPL_RETURN_IF_ERROR(d.i64(f.npl_fen));
    return d.u64(f.attester);
  });
}

// --- Keys --------------------------------------------------------------------

namespace keys {
std::string member(uint64_t id) { return "member/" + hex16(id); }
std::string key(const PublicKey& k) { return "key/" + k.hex(); }
std::string nonce(const PublicKey& k) { return "sys/nonce/" + k.hex(); }
std::string param(std::string_view name) { return "param/" + std::string(name); }
std::string proposal(uint64_t id) { return "proposal/" + hex16(id); }
std::string lpr(uint32_t m) { return "att/lpr/" + std::to_string(m); }
std::string calendar(uint32_t y) { return "att/cal/" + std::to_string(y); }
std::string ip_fact(std::string_view number) { return "att/ip/" + std::string(number); }
std::string bank_totals(uint64_t member_id, uint32_t m) { return "att/bank/" + hex16(member_id) + "/" + std::to_string(m); }
}  // namespace keys

std::vector<std::pair<std::string, Bytes>> admission_records(const Member& m, const std::vector<PublicKey>& api_keys,
                                                             uint64_t height) {
  std::vector<std::pair<std::string, Bytes>> out;
  out.reserve(api_keys.size() + 2);
  out.emplace_back(keys::member(m.id), m.encode());
  for (const PublicKey& k : api_keys) {
    out.emplace_back(keys::key(k), KeyRecord{k, m.id, KeyKind::kApi, true, height, 0}.encode());
  }
  if (m.consensus_key) {
    out.emplace_back(keys::key(*m.consensus_key),
                     KeyRecord{*m.consensus_key, m.id, KeyKind::kConsensus, true, height, 0}.encode());
  }
  return out;
}

}  // namespace ipl::contracts
