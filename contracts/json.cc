#include "contracts/json.h"

#include "common/encoding.h"
#include "contracts/ip_json.h"
#include "contracts/loan_json.h"
#include "contracts/records.h"

namespace ipl::contracts {

namespace {

using nlohmann::json;

PublicKey key_of(const json& j) {
  auto k = public_key_from_hex(j.get<std::string>());
  if (!k.is_ok()) throw std::invalid_argument("bad public key: " + k.status().message());
  return *k;
}

CivilDate date_of(const json& j) {
  auto d = CivilDate::parse(j.get<std::string>());
  if (!d.is_ok()) throw std::invalid_argument(d.status().message());
  return *d;
}

// "YYYY-MM" to yyyymm.
uint32_t month_of(const json& j) {
  const std::string s = j.get<std::string>();
  auto d = CivilDate::parse(s + "-01");
  if (s.size() != 7 || !d.is_ok()) throw std::invalid_argument("month must be YYYY-MM");
  return d->yyyymmdd / 100;
}

std::string month_str(uint32_t m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04u-%02u", m / 100, m % 100);
  return buf;
}

template <typename E, typename F>
E enum_of(const json& j, F&& from_name, const char* what) {
  auto v = from_name(j.get<std::string>());
  if (!v) throw std::invalid_argument(std::string("unknown ") + what + ": " + j.get<std::string>());
  return *v;
}

Bytes action_from_json(ProposalKind kind, const json& a) {
  switch (kind) {
    case ProposalKind::kParamChange:
      return encode_action(ParamChange{a.at("name").get<std::string>(),
                                       enum_of<ParamType>(a.at("type"), param_type_from_name, "parameter type"),
                                       a.at("value").get<int64_t>(), date_of(a.at("effective_from"))});
    case ProposalKind::kMemberAdmit: {
      MemberAdmit m;
      m.name = a.at("name").get<std::string>();
      m.role = enum_of<Role>(a.at("role"), role_from_name, "role");
      m.org = a.value("org", "");
      m.branch_code = a.value("branch_code", "");
      m.governance = a.value("governance", false);
      for (const json& k : a.at("api_keys")) m.api_keys.push_back(key_of(k));
      if (a.contains("consensus_key")) m.consensus_key = key_of(a.at("consensus_key"));
      if (a.contains("node_status")) m.node_status = enum_of<NodeStatus>(a.at("node_status"), node_status_from_name, "node status");
      return encode_action(m);
    }
    case ProposalKind::kMemberRemove: return encode_action(MemberRemove{a.at("member_id").get<uint64_t>()});
    case ProposalKind::kKeyRotation:
      return encode_action(KeyRotation{a.at("member_id").get<uint64_t>(),
                                       enum_of<KeyKind>(a.value("kind", json("api")), key_kind_from_name, "key kind"),
                                       key_of(a.at("old_key")), key_of(a.at("new_key"))});
    case ProposalKind::kValidatorSet:
      return encode_action(ValidatorSetChange{a.at("member_ids").get<std::vector<uint64_t>>()});
    case ProposalKind::kEpochRenewal: return {};
    case ProposalKind::kProtocolActivation:
      return encode_action(ProtocolActivation{a.at("version").get<uint32_t>(), a.at("height").get<uint64_t>()});
  }
  throw std::invalid_argument("unknown proposal kind");
}

json action_to_json(ProposalKind kind, ByteView b) {
  json a = json::object();
  switch (kind) {
    case ProposalKind::kParamChange: {
      auto v = decode_param_change(b);
      if (!v.is_ok()) break;
      a = {{"name", v->name}, {"type", param_type_name(v->type)}, {"value", v->value},
           {"effective_from", v->effective_from.str()}};
      break;
    }
    case ProposalKind::kMemberAdmit: {
      auto v = decode_member_admit(b);
      if (!v.is_ok()) break;
      a = {{"name", v->name}, {"role", role_name(v->role)}, {"org", v->org}, {"branch_code", v->branch_code},
           {"governance", v->governance}, {"api_keys", json::array()}, {"node_status", node_status_name(v->node_status)}};
      for (const PublicKey& k : v->api_keys) a["api_keys"].push_back(k.hex());
      if (v->consensus_key) a["consensus_key"] = v->consensus_key->hex();
      break;
    }
    case ProposalKind::kMemberRemove: {
      auto v = decode_member_remove(b);
      if (v.is_ok()) a = {{"member_id", v->member_id}};
      break;
    }
    case ProposalKind::kKeyRotation: {
      auto v = decode_key_rotation(b);
      if (v.is_ok()) {
        a = {{"member_id", v->member_id}, {"kind", key_kind_name(v->kind)}, {"old_key", v->old_key.hex()},
             {"new_key", v->new_key.hex()}};
      }
      break;
    }
    case ProposalKind::kValidatorSet: {
      auto v = decode_validator_set(b);
      if (v.is_ok()) a = {{"member_ids", v->member_ids}};
      break;
    }
    case ProposalKind::kEpochRenewal: break;
    case ProposalKind::kProtocolActivation: {
      auto v = decode_protocol_activation(b);
      if (v.is_ok()) a = {{"version", v->version}, {"height", v->height}};
      break;
    }
  }
  return a;
}

json dates_json(const std::vector<CivilDate>& ds) {
  json out = json::array();
  for (CivilDate d : ds) out.push_back(d.str());
  return out;
}

json body_to_json(std::string_view key, ByteView data) {
  if (auto lj = loan_record_to_json(key, data)) return *lj;  // before ip_: its sys/idx/ catch-all
  if (auto ipj = ip_record_to_json(key, data)) return *ipj;
  auto starts = [key](std::string_view p) { return key.substr(0, p.size()) == p; };
  auto u64_of = [&]() -> json {
    Decoder d(data);
    uint64_t v = 0;
    if (!d.u64(v).is_ok() || !d.finish().is_ok()) return json{{"hex", to_hex(data)}};
    return v;
  };
  if (starts("member/")) {
    auto m = Member::decode(data);
    if (m.is_ok()) {
      json j = {{"id", m->id}, {"name", m->name}, {"role", role_name(m->role)}, {"org", m->org},
                {"branch_code", m->branch_code}, {"governance", m->governance}, {"active", m->active},
                {"node_status", node_status_name(m->node_status)}, {"registered_by", m->registered_by}};
      if (m->consensus_key) j["consensus_key"] = m->consensus_key->hex();
      return j;
    }
  } else if (starts("key/")) {
    auto k = KeyRecord::decode(data);
    if (k.is_ok()) {
      return {{"key", k->key.hex()}, {"member_id", k->member_id}, {"kind", key_kind_name(k->kind)},
              {"active", k->active}, {"added_height", k->added_height}, {"revoked_height", k->revoked_height}};
    }
  } else if (starts("sys/nonce/") || starts("test/counter/")) {
    return u64_of();
  } else if (key == keys::kRegistry) {
    auto r = RegistryRecord::decode(data);
    if (r.is_ok()) {
      return {{"governance_members", r->governance_members}, {"next_member_id", r->next_member_id},
              {"next_proposal_id", r->next_proposal_id}};
    }
  } else if (key == keys::kProtocol) {
    auto r = ProtocolRecord::decode(data);
    if (r.is_ok()) {
      json a = json::array();
      for (const auto& [v, h] : r->activations) a.push_back({{"version", v}, {"from_height", h}});
      return {{"activations", a}};
    }
  } else if (key == keys::kEpochs) {
    auto r = EpochsRecord::decode(data);
    if (r.is_ok()) {
      json a = json::array();
      for (const EpochEntry& e : r->entries) {
        json ks = json::array();
        for (const PublicKey& k : e.consensus_keys) ks.push_back(k.hex());
        a.push_back({{"number", e.number}, {"boundary_height", e.boundary_height}, {"members", e.members},
                     {"consensus_keys", ks}});
      }
      return {{"epochs", a}};
    }
  } else if (starts("param/")) {
    auto r = ParamRecord::decode(data);
    if (r.is_ok()) {
      json vs = json::array();
      for (const ParamVersion& v : r->versions) {
        vs.push_back({{"effective_from", v.effective_from.str()}, {"value", v.value}, {"height", v.height},
                      {"proposal_id", v.proposal_id}});
      }
      return {{"name", r->name}, {"type", param_type_name(r->type)}, {"versions", vs}};
    }
  } else if (starts("proposal/")) {
    auto p = Proposal::decode(data);
    if (p.is_ok()) {
      json votes = json::array();
      for (const auto& [m, approve] : p->votes) votes.push_back({{"member_id", m}, {"approve", approve}});
      json j = {{"id", p->id}, {"kind", proposal_kind_name(p->kind)}, {"proposer", p->proposer},
                {"created_height", p->created_height}, {"deadline_ms", p->deadline_ms},
                {"action", action_to_json(p->kind, p->action)}, {"votes", votes},
                {"status", proposal_status_name(p->status)}, {"outcome_reason", p->outcome_reason},
                {"decided_height", p->decided_height}, {"effect_height", p->effect_height}};
      if (p->effect_date.is_valid()) j["effect_date"] = p->effect_date.str();
      if (p->effect_epoch != 0) j["effect_epoch"] = p->effect_epoch;
      return j;
    }
  } else if (starts("att/lpr/")) {
    auto f = LprFact::decode(data);
    if (f.is_ok()) {
      return {{"month", month_str(f->month)}, {"rate_1y_ppm", f->rate_1y_ppm}, {"rate_5y_ppm", f->rate_5y_ppm},
              {"attester", f->attester}};
    }
  } else if (starts("att/cal/")) {
    auto f = CalendarFact::decode(data);
    if (f.is_ok()) {
      return {{"year", f->year}, {"holidays", dates_json(f->holidays)}, {"workdays", dates_json(f->workdays)},
              {"attester", f->attester}};
    }
  } else if (starts("att/ip/")) {
    auto f = IpFact::decode(data);
    if (f.is_ok()) {
      return {{"number", f->number}, {"kind", ip_kind_name(f->kind)}, {"status", f->status}, {"owners", f->owners},
              {"pledge_reg_no", f->pledge_reg_no}, {"attester", f->attester}};
    }
  } else if (starts("att/bank/")) {
    auto f = BankTotals::decode(data);
    if (f.is_ok()) {
      return {{"member", f->member}, {"branch_code", f->branch_code}, {"month", month_str(f->month)},
              {"loans_fen", f->loans_fen}, {"npl_fen", f->npl_fen}, {"attester", f->attester}};
    }
  }
  return {{"hex", to_hex(data)}};
}

}  // namespace

Result<Bytes> payload_from_json(std::string_view type, const nlohmann::json& j) {
  try {
    if (j.is_object() && j.contains("payload_hex")) return from_hex(j.at("payload_hex").get<std::string>());
    if (type == "member.add_enterprise") {
      Encoder e;
      e.str(j.at("name").get<std::string>()).str(j.value("org", ""));
      put_key(e, key_of(j.at("api_key")));
      return e.take();
    }
    if (type == "key.add" || type == "key.revoke") {
      Encoder e;
      put_key(e, key_of(j.at("key")));
      return e.take();
    }
    if (auto ipp = ip_payload_from_json(type, j)) return *ipp;
    if (auto lp = loan_payload_from_json(type, j)) return *lp;
    if (type == "member.set_observer") return Encoder().boolean(j.at("observer").get<bool>()).take();
    if (type == "gov.propose") {
      const ProposalKind kind = enum_of<ProposalKind>(j.at("kind"), proposal_kind_from_name, "proposal kind");
      uint64_t deadline = 0;
      if (j.contains("deadline")) {
        auto t = parse_shanghai_time(j.at("deadline").get<std::string>());
        if (!t.is_ok()) return t.status();
        deadline = *t;
      } else {
        deadline = j.at("deadline_ms").get<uint64_t>();
      }
      const json action = j.value("action", json::object());
      return Encoder().u8(static_cast<uint8_t>(kind)).u64(deadline).bytes(action_from_json(kind, action)).take();
    }
    if (type == "gov.vote") {
      return Encoder().u64(j.at("proposal_id").get<uint64_t>()).boolean(j.at("approve").get<bool>()).take();
    }
    if (type == "gov.close") return Encoder().u64(j.at("proposal_id").get<uint64_t>()).take();
    if (type == "attest.lpr") {
      return Encoder().u32(month_of(j.at("month"))).i64(j.at("rate_1y_ppm").get<int64_t>())
          .i64(j.at("rate_5y_ppm").get<int64_t>()).take();
    }
    if (type == "attest.calendar") {
      Encoder e;
      e.u32(j.at("year").get<uint32_t>());
      for (const char* list : {"holidays", "workdays"}) {
        const json arr = j.value(list, json::array());
        e.count(arr.size());
        for (const json& d : arr) put_date(e, date_of(d));
      }
      return e.take();
    }
    if (type == "attest.ip_fact") {
      Encoder e;
      e.str(j.at("number").get<std::string>());
      e.u8(static_cast<uint8_t>(enum_of<IpKind>(j.at("kind"), ip_kind_from_name, "IP kind")));
      e.str(j.value("status", ""));
      const auto owners = j.value("owners", std::vector<std::string>{});
      e.count(owners.size());
      for (const std::string& o : owners) e.str(o);
      e.str(j.value("pledge_reg_no", ""));
      return e.take();
    }
    if (type == "attest.bank_totals") {
      return Encoder().u32(month_of(j.at("month"))).i64(j.at("loans_fen").get<int64_t>())
          .i64(j.at("npl_fen").get<int64_t>()).take();
    }
    if (j.contains("payload_hex")) return from_hex(j.at("payload_hex").get<std::string>());
    if (type.substr(0, 5) == "test.") return Bytes{};
    return Status::invalid("no JSON form for transaction type " + std::string(type));
  } catch (const std::exception& e) {
    return Status::invalid(std::string(type) + " payload: " + e.what());
  }
}

nlohmann::json record_to_json(std::string_view key, ByteView raw) {
  auto body = RecordBody::decode(raw);
  if (!body.is_ok()) return {{"hex", to_hex(raw)}};
  json j = body_to_json(key, body->data);
  if (!j.is_object()) j = json{{"value", j}};
  j["value_date"] = body->value_date.str();
  return j;
}

nlohmann::json receipt_to_json(const Receipt& r) {
  json events = json::array();
  for (const Event& e : r.events) events.push_back({{"type", e.type}, {"data", to_hex(e.data)}});
  return {{"tx_id", to_hex(r.tx_id)}, {"success", r.success}, {"reason", r.reason}, {"events", events}};
}

Result<uint64_t> parse_shanghai_time(std::string_view t) {
  // YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS (a space may replace the T).
  if ((t.size() != 16 && t.size() != 19) || (t[10] != 'T' && t[10] != ' ') || t[13] != ':' ||
      (t.size() == 19 && t[16] != ':')) {
    return Status::invalid("time must be YYYY-MM-DDTHH:MM[:SS] (Asia/Shanghai)");
  }
  IPL_ASSIGN_OR_RETURN(CivilDate d, CivilDate::parse(t.substr(0, 10)));
  auto num = [&](size_t pos) -> int64_t {
    if (t[pos] < '0' || t[pos] > '9' || t[pos + 1] < '0' || t[pos + 1] > '9') return -1;
    return (t[pos] - '0') * 10 + (t[pos + 1] - '0');
  };
  const int64_t hh = num(11), mm = num(14), ss = t.size() == 19 ? num(17) : 0;
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59) return Status::invalid("bad time of day");
  const int64_t secs = d.days_since_epoch() * 86400 + hh * 3600 + mm * 60 + ss - 8 * 3600;
  if (secs < 0) return Status::invalid("time before 1970");
  return static_cast<uint64_t>(secs) * 1000;
}

}  // namespace ipl::contracts
