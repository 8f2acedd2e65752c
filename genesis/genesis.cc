#include "genesis/genesis.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/encoding.h"
#include "common/hash.h"
#include "common/limits.h"

namespace ipl::genesis {

namespace {

using nlohmann::json;
using namespace ipl::contracts;

constexpr std::string_view kMagic = "IPL/genesis/v1";

bool chain_id_ok(std::string_view c) {
  if (c.empty() || c.size() > limits::chain_id_bytes_max) return false;
  return std::all_of(c.begin(), c.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
  });
}

std::vector<GenesisParam> sorted_params(const std::vector<GenesisParam>& ps) {
  std::vector<GenesisParam> out = ps;
  std::sort(out.begin(), out.end(), [](const GenesisParam& a, const GenesisParam& b) {
    return std::tie(a.name, a.effective_from) < std::tie(b.name, b.effective_from);
  });
  return out;
}

// Reads field `key` of `obj` as T; a problem (and T{}) when absent or of
// the wrong type.
template <typename T>
T field(const json& obj, const std::string& where, const char* key, std::vector<std::string>& problems,
        bool required = true, T fallback = T{}) {
  if (!obj.is_object() || !obj.contains(key)) {
    if (required) problems.push_back(where + ": missing \"" + key + "\"");
    return fallback;
  }
  try {
    return obj.at(key).get<T>();
  } catch (const std::exception&) {
    problems.push_back(where + ": \"" + key + "\" has the wrong type");
    return fallback;
  }
}

std::optional<PublicKey> key_field(const std::string& hex, const std::string& where, std::vector<std::string>& problems) {
  auto k = public_key_from_hex(hex);
  if (!k.is_ok()) {
    problems.push_back(where + ": bad public key \"" + hex + "\"");
    return std::nullopt;
  }
  return *k;
}

}  // namespace

Bytes Genesis::canonical_bytes() const {
  Encoder e(1024);
  e.str(kMagic).str(chain_id).u64(genesis_time_ms).u32(protocol_version);
  e.count(members.size());
  for (const GenesisMember& m : members) {
    e.u64(m.id).str(m.name).u8(static_cast<uint8_t>(m.role)).str(m.org).str(m.branch_code).boolean(m.governance);
    e.count(m.api_keys.size());
    for (const PublicKey& k : m.api_keys) put_key(e, k);
    e.boolean(m.consensus_key.has_value());
    if (m.consensus_key) put_key(e, *m.consensus_key);
    e.u8(static_cast<uint8_t>(m.node_status));
  }
  e.count(validators.size());
  for (uint64_t v : validators) e.u64(v);
  const auto params = sorted_params(parameters);
  e.count(params.size());
  for (const GenesisParam& p : params) {
    e.str(p.name).u8(static_cast<uint8_t>(p.type)).i64(p.value);
    put_date(e, p.effective_from);
  }
  return e.take();
}

Hash32 Genesis::hash() const { return sha256(canonical_bytes()); }

ValidatorSet Genesis::validator_set() const {
  ValidatorSet vs;
  vs.epoch = Epoch(1);
  for (uint64_t id : validators) {
    IPL_ASSERT(id >= 1 && id <= members.size());
    IPL_ASSERT(members[id - 1].consensus_key.has_value());
    vs.consensus_keys.push_back(*members[id - 1].consensus_key);
  }
  return vs;
}

Genesis parse_json(std::string_view text, std::vector<std::string>& problems) {
  Genesis g;
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    problems.push_back(std::string("not JSON: ") + e.what());
    return g;
  }
  if (!j.is_object()) {
    problems.push_back("genesis must be a JSON object");
    return g;
  }
  g.chain_id = field<std::string>(j, "genesis", "chain_id", problems);
  g.genesis_time_ms = field<uint64_t>(j, "genesis", "genesis_time_ms", problems);
  g.protocol_version = field<uint32_t>(j, "genesis", "protocol_version", problems);
  const json members = j.value("members", json::array());
  if (!members.is_array()) problems.push_back("genesis: \"members\" must be an array");
  for (size_t i = 0; members.is_array() && i < members.size(); ++i) {
    const json& mj = members[i];
    const std::string where = "members[" + std::to_string(i) + "]";
    GenesisMember m;
    m.id = field<uint64_t>(mj, where, "id", problems);
    m.name = field<std::string>(mj, where, "name", problems);
    const std::string role = field<std::string>(mj, where, "role", problems);
    if (auto r = role_from_name(role)) {
      m.role = *r;
    } else if (!role.empty()) {
      problems.push_back(where + ": unknown role \"" + role + "\"");
    }
    m.org = field<std::string>(mj, where, "org", problems, false);
    m.branch_code = field<std::string>(mj, where, "branch_code", problems, false);
    m.governance = field<bool>(mj, where, "governance", problems, false);
    for (const std::string& hex : field<std::vector<std::string>>(mj, where, "api_keys", problems)) {
      if (auto k = key_field(hex, where, problems)) m.api_keys.push_back(*k);
    }
    const std::string ck = field<std::string>(mj, where, "consensus_key", problems, false);
    if (!ck.empty()) m.consensus_key = key_field(ck, where, problems);
    const std::string ns = field<std::string>(mj, where, "node_status", problems, false, "none");
    if (auto s = node_status_from_name(ns)) {
      m.node_status = *s;
    } else {
      problems.push_back(where + ": unknown node_status \"" + ns + "\"");
    }
    g.members.push_back(std::move(m));
  }
  g.validators = field<std::vector<uint64_t>>(j, "genesis", "validators", problems);
  const json params = j.value("parameters", json::array());
  for (size_t i = 0; params.is_array() && i < params.size(); ++i) {
    const json& pj = params[i];
    const std::string where = "parameters[" + std::to_string(i) + "]";
    GenesisParam p;
    p.name = field<std::string>(pj, where, "name", problems);
    const std::string type = field<std::string>(pj, where, "type", problems);
    if (auto t = param_type_from_name(type)) {
      p.type = *t;
    } else if (!type.empty()) {
      problems.push_back(where + ": unknown type \"" + type + "\"");
    }
    p.value = field<int64_t>(pj, where, "value", problems);
    const std::string from = field<std::string>(pj, where, "effective_from", problems);
    auto d = CivilDate::parse(from);
    if (d.is_ok()) {
      p.effective_from = *d;
    } else if (!from.empty()) {
      problems.push_back(where + ": effective_from: " + d.status().message());
    }
    g.parameters.push_back(std::move(p));
  }
  for (const auto& [key, value] : j.items()) {
    static const std::set<std::string> kKnown = {"chain_id", "genesis_time_ms", "protocol_version", "members",
                                                 "validators", "parameters", "comment"};
    if (!kKnown.count(key)) problems.push_back("genesis: unknown field \"" + key + "\"");
  }
  return g;
}

std::vector<std::string> validate(const Genesis& g, const Registry& registry) {
  std::vector<std::string> p;
  if (!chain_id_ok(g.chain_id)) p.push_back("chain_id must be 1..64 characters of [a-z0-9._-]");
  if (g.genesis_time_ms == 0) p.push_back("genesis_time_ms must be positive");
  if (!registry.supports_version(g.protocol_version)) {
    p.push_back("protocol_version " + std::to_string(g.protocol_version) + " is not supported by this binary");
  }
  if (g.members.empty()) p.push_back("no members");
  std::map<PublicKey, std::string> seen_keys;
  auto note_key = [&](const PublicKey& k, const std::string& where) {
    auto [it, fresh] = seen_keys.emplace(k, where);
    if (!fresh) p.push_back(where + ": key " + k.hex() + " already used by " + it->second);
  };
  size_t governance = 0, finance = 0;
  for (size_t i = 0; i < g.members.size(); ++i) {
    const GenesisMember& m = g.members[i];
    const std::string where = "members[" + std::to_string(i) + "] (" + m.name + ")";
    if (m.id != i + 1) p.push_back(where + ": id must be " + std::to_string(i + 1) + " (ids are 1..n in order)");
    if (m.name.empty() || m.name.size() > 256) p.push_back(where + ": name must be 1..256 bytes");
    if (m.governance && (role_bit(m.role) & kGovernanceRoles) == 0) {
      p.push_back(where + ": role " + std::string(role_name(m.role)) + " cannot be a governance member");
    }
    if (m.governance) ++governance;
    if (m.governance && m.role == Role::kFin) ++finance;
    if (m.api_keys.empty()) p.push_back(where + ": needs at least one API key");
    for (const PublicKey& k : m.api_keys) note_key(k, where);
    if (m.consensus_key) note_key(*m.consensus_key, where);
    if (m.role == Role::kAuditor && m.consensus_key) p.push_back(where + ": an auditor is never a validator");
    const bool listed = std::find(g.validators.begin(), g.validators.end(), m.id) != g.validators.end();
    if (listed != (m.node_status == NodeStatus::kValidator)) {
      p.push_back(where + ": node_status \"validator\" exactly when listed in validators");
    }
  }
  if (governance == 0) p.push_back("no governance member (the joint meeting's agencies)");
  if (finance == 0) p.push_back("no governance member with role FIN (budget changes need the finance department)");
  if (g.validators.empty() || g.validators.size() > limits::validators_max) {
    p.push_back("validators: between 1 and " + std::to_string(limits::validators_max) + " required");
  }
  std::set<uint64_t> vset;
  for (uint64_t id : g.validators) {
    if (!vset.insert(id).second) p.push_back("validators: member " + std::to_string(id) + " listed twice");
    if (id == 0 || id > g.members.size()) {
      p.push_back("validators: no member " + std::to_string(id));
    } else if (!g.members[id - 1].consensus_key) {
      p.push_back("validators: member " + std::to_string(id) + " has no consensus_key");
    }
  }
  std::map<std::string, ParamType> types;
  std::set<std::pair<std::string, uint32_t>> versions;
  for (size_t i = 0; i < g.parameters.size(); ++i) {
    const GenesisParam& q = g.parameters[i];
    const std::string where = "parameters[" + std::to_string(i) + "] (" + q.name + ")";
    if (!param_name_ok(q.name)) p.push_back(where + ": name must be 1..96 characters of [a-z0-9._]");
    if (!param_value_ok(q.type, q.value)) p.push_back(where + ": value out of range for its type");
    if (!q.effective_from.is_valid()) p.push_back(where + ": effective_from is not a date");
    auto [it, fresh] = types.emplace(q.name, q.type);
    if (!fresh && it->second != q.type) p.push_back(where + ": type differs from an earlier version");
    if (!versions.emplace(q.name, q.effective_from.yyyymmdd).second) {
      p.push_back(where + ": two versions with the same effective_from");
    }
  }
  return p;
}

Result<Genesis> load(std::string_view text, const Registry& registry) {
  std::vector<std::string> problems;
  Genesis g = parse_json(text, problems);
  if (problems.empty()) problems = validate(g, registry);
  if (problems.empty()) return g;
  std::string msg = std::to_string(problems.size()) + " problem(s):";
  for (const std::string& s : problems) msg += "\n  " + s;
  return Status::invalid(msg);
}

json to_json(const Genesis& g) {
  json members = json::array();
  for (const GenesisMember& m : g.members) {
    json mj = {{"id", m.id}, {"name", m.name}, {"role", role_name(m.role)}, {"org", m.org},
               {"branch_code", m.branch_code}, {"governance", m.governance}, {"api_keys", json::array()},
               {"node_status", node_status_name(m.node_status)}};
    for (const PublicKey& k : m.api_keys) mj["api_keys"].push_back(k.hex());
    if (m.consensus_key) mj["consensus_key"] = m.consensus_key->hex();
    members.push_back(mj);
  }
  json params = json::array();
  for (const GenesisParam& p : g.parameters) {
    params.push_back({{"name", p.name}, {"type", param_type_name(p.type)}, {"value", p.value},
                      {"effective_from", p.effective_from.str()}});
  }
  return {{"chain_id", g.chain_id}, {"genesis_time_ms", g.genesis_time_ms},
          {"protocol_version", g.protocol_version}, {"members", members}, {"validators", g.validators},
          {"parameters", params}};
}

std::vector<StateWrite> initial_state(const Genesis& g) {
  const Hash32 id = g.hash();
  const CivilDate date = BlockContext{g.chain_id, 1, g.genesis_time_ms}.civil_date();
  std::map<std::string, Bytes> state;
  auto put = [&](const std::string& key, Bytes data) { state[key] = RecordBody{date, std::move(data)}.encode(); };
  RegistryRecord reg;
  reg.next_member_id = g.members.size() + 1;
  for (const GenesisMember& gm : g.members) {
    Member m;
    m.id = gm.id;
    m.name = gm.name;
    m.role = gm.role;
    m.org = gm.org;
    m.branch_code = gm.branch_code;
    m.governance = gm.governance;
    m.node_status = gm.node_status;
    m.consensus_key = gm.consensus_key;
    for (auto& [key, data] : admission_records(m, gm.api_keys, 1)) put(key, std::move(data));
    if (gm.governance) reg.governance_members.push_back(gm.id);
  }
  put(std::string(keys::kRegistry), reg.encode());
  ProtocolRecord proto;
  proto.activations.emplace_back(g.protocol_version, 1);
  put(std::string(keys::kProtocol), proto.encode());
  EpochsRecord epochs;
  epochs.entries.push_back(EpochEntry{1, 0, g.validators, g.validator_set().consensus_keys});
  put(std::string(keys::kEpochs), epochs.encode());
  std::map<std::string, ParamRecord> params;
  for (const GenesisParam& gp : sorted_params(g.parameters)) {
    ParamRecord& r = params[gp.name];
    r.name = gp.name;
    r.type = gp.type;
    r.set(ParamVersion{gp.effective_from, gp.value, 1, 0});
  }
  for (const auto& [name, r] : params) put(keys::param(name), r.encode());
  std::vector<StateWrite> out;
  out.reserve(state.size());
  for (auto& [k, v] : state) out.push_back(StateWrite{k, std::move(v), id});
  IPL_ASSERT(!out.empty());
  return out;
}

ledger::BlockCommit build_genesis_commit(const Genesis& g) {
  const Hash32 id = g.hash();
  ledger::BlockCommit c;
  BlockHeader& h = c.block.header;
  h.chain_id = g.chain_id;
  h.epoch = Epoch(1);
  h.round = Round(0);
  h.height = Height(1);
  h.parent_id = id;
  h.parent_qc.data = VoteData{g.chain_id, Epoch(1), Round(0), id};
  h.proposer = ValidatorIndex(0);
  h.timestamp_ms = g.genesis_time_ms;
  h.payload_hash = Block::payload_hash({});
  c.protocol_version = g.protocol_version;
  for (StateWrite& w : initial_state(g)) c.writes.push_back(ledger::RecordWrite{to_bytes(w.key), std::move(w.body), w.tx_id});
  IPL_ASSERT(c.block.txs.empty() && c.receipts.empty());
  return c;
}

std::vector<GenesisParam> shanxi_default_parameters(CivilDate from) {
  IPL_ASSERT(from.is_valid());
  using T = ParamType;
  // Values: DOMAIN.md Part B §6.4, §7, §8.2, §8.3, §9 (fen, ppm, counts, days).
  const std::vector<std::pair<std::string, std::pair<T, int64_t>>> v = {
      {"subsidy.interest.pct_ppm", {T::kPpm, 500'000}},
      {"subsidy.interest.rate_cap_lpr_multiple_ppm", {T::kPpm, 1'400'000}},
      {"subsidy.interest.cap_per_enterprise_year_fen", {T::kFen, 30'000'000}},
      {"subsidy.interest.months_max", {T::kCount, 12}},
      {"subsidy.fee.appraisal_pct_ppm", {T::kPpm, 500'000}},
      {"subsidy.fee.appraisal_cap_per_enterprise_year_fen", {T::kFen, 5'000'000}},
      {"subsidy.fee.appraisal_cap_share_of_ip_loan_ppm", {T::kPpm, 5'000}},
      {"subsidy.fee.guarantee_pct_ppm", {T::kPpm, 500'000}},
      {"subsidy.fee.guarantee_cap_per_enterprise_year_fen", {T::kFen, 5'000'000}},
      {"subsidy.fee.insurance_pct_ppm", {T::kPpm, 500'000}},
      {"subsidy.fee.insurance_cap_per_enterprise_year_fen", {T::kFen, 5'000'000}},
      {"subsidy.fee.guarantee_insurance_cap_share_of_ip_loan_ppm", {T::kPpm, 12'000}},
      {"riskcomp.ratio_ppm", {T::kPpm, 400'000}},
      {"riskcomp.per_loan_principal_cap_fen", {T::kFen, 1'000'000'000}},
      {"riskcomp.per_loan_comp_cap_fen", {T::kFen, 200'000'000}},
      {"riskcomp.institution_year_cap_fen", {T::kFen, 500'000'000}},
      {"riskcomp.skin_cap_ppm", {T::kPpm, 800'000}},
      {"riskcomp.claim_window_days", {T::kDays, 180}},
      {"riskcomp.recovery_cost_cap_ppm", {T::kPpm, 100'000}},
      {"npl.tolerance_ppm", {T::kPpm, 30'000}},
      // Budgets and the fund are the finance department's: placeholders the
      // joint meeting sets by vote (DOMAIN.md §8.2 "fund_year_cap = the
      // fiscal budget").
      {"budget.subsidy.interest_year_fen", {T::kFen, 0}},
      {"budget.subsidy.fee_year_fen", {T::kFen, 0}},
      {"fund.riskcomp.year_cap_fen", {T::kFen, 0}},
  };
  std::vector<GenesisParam> out;
  for (const auto& [name, tv] : v) out.push_back(GenesisParam{name, tv.first, tv.second, from});
  return out;
}

}  // namespace ipl::genesis
