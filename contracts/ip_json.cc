// JSON forms of the enterprise, IP-asset and pledge payloads and records
// (docs/transactions.md "Enterprises, IP assets and pledges"). Called by
// json.cc; exceptions are caught there.
#include "contracts/ip_json.h"

#include "common/encoding.h"

namespace ipl::contracts {

namespace {

using nlohmann::json;

uint32_t udate_of(const json& j, const char* field) {
  if (!j.contains(field) || j.at(field).is_null()) return 0;
  auto d = CivilDate::parse(j.at(field).get<std::string>());
  if (!d.is_ok()) throw std::invalid_argument(d.status().message());
  return d->yyyymmdd;
}
json udate_json(uint32_t d) { return d == 0 ? json(nullptr) : json(CivilDate{d}.str()); }

uint8_t kind_of(const json& j) {
  auto k = asset_kind_from_name(j.get<std::string>());
  if (!k) throw std::invalid_argument("unknown asset kind");
  return static_cast<uint8_t>(*k);
}

json pending_json(const PendingFiling& f) {
  if (f.kind == FilingKind::kNone) return json(nullptr);
  json j = {{"kind", filing_kind_name(f.kind)}, {"filer", f.filer}, {"filed_on", udate_json(f.filed_on)},
            {"expires_on", udate_json(f.expires_on)}};
  if (f.kind == FilingKind::kChange) {
    j["change_date"] = udate_json(f.change_date);
    j["amount_fen"] = f.amount_fen;
    j["debt_due_date"] = udate_json(f.debt_due);
    j["scope"] = f.scope;
  } else {
    j["term_end"] = udate_json(f.term_end);
  }
  return j;
}

void put_strings(Encoder& e, const json& arr) {
  e.count(arr.size());
  for (const json& s : arr) e.str(s.get<std::string>());
}

}  // namespace

std::optional<Bytes> ip_payload_from_json(std::string_view type, const json& j) {
  Encoder e;
  if (type == "ent.register") {
    e.str(j.at("uscc").get<std::string>()).str(j.at("name").get<std::string>()).str(j.value("region_code", ""))
        .boolean(j.value("sme", false)).str(j.value("sme_evidence", "")).boolean(j.value("tech", false))
        .str(j.value("tech_evidence", ""));
    e.boolean(j.contains("api_key"));
    if (j.contains("api_key")) {
      auto k = public_key_from_hex(j.at("api_key").get<std::string>());
      if (!k.is_ok()) throw std::invalid_argument("bad public key");
      put_key(e, *k);
    }
    return e.take();
  }
  if (type == "ent.set_status") {
    auto s = enterprise_status_from_name(j.at("status").get<std::string>());
    if (!s) throw std::invalid_argument("unknown enterprise status");
    return e.str(j.at("uscc").get<std::string>()).u8(static_cast<uint8_t>(*s)).take();
  }
  if (type == "ip.snapshot") {
    IpAsset a;
    a.kind = static_cast<AssetKind>(kind_of(j.at("kind")));
    a.number = j.at("number").get<std::string>();
    a.nice_class = j.value("nice_class", 0u);
    a.filing = udate_of(j, "filing_date");
    a.grant = udate_of(j, "grant_date");
    a.expiry = udate_of(j, "expiry_date");
    auto st = asset_status_from_name(j.value("status", "in_force"));
    if (!st) throw std::invalid_argument("unknown asset status");
    a.status = *st;
    a.owners = j.at("owners").get<std::vector<std::string>>();
    a.annuity_paid = j.value("annuity_paid", true);
    a.preservation_order = j.value("preservation_order", false);
    a.invalidation_pending = j.value("invalidation_pending", false);
    a.same_day_dual = j.value("same_day_dual", false);
    return a.encode();
  }
  if (type == "pledge.draft") {
    const json& assets = j.at("assets");
    e.count(assets.size());
    for (const json& a : assets) e.u8(kind_of(a.at("kind"))).str(a.at("number").get<std::string>()).u32(a.value("nice_class", 0u));
    e.str(j.at("pledgor").get<std::string>());
    put_strings(e, j.value("coowner_consent", json::array()));
    e.u64(j.at("pledgee").get<uint64_t>()).str(j.value("claim_kind", "")).i64(j.value("amount_fen", int64_t{0}))
        .u32(udate_of(j, "debt_due_date")).u32(udate_of(j, "term_end")).str(j.value("scope", ""))
        .str(j.value("contract_ref", "")).str(j.value("appraisal_ref", "")).boolean(j.value("forfeiture_clause", false))
        .boolean(j.value("parties_acknowledged", false));
    return e.take();
  }
  if (type.substr(0, 7) != "pledge.") return std::nullopt;
  e.u64(j.at("pledge_id").get<uint64_t>());
  if (type == "pledge.submit") return e.take();
  if (type == "pledge.register") return e.str(j.at("reg_no").get<std::string>()).take();
  if (type == "pledge.refuse" || type == "pledge.revoke") return e.str(j.at("reason").get<std::string>()).take();
  if (type == "pledge.release") return e.str(j.at("trigger").get<std::string>()).take();
  if (type == "pledge.change") {
    return e.u32(udate_of(j, "change_date")).i64(j.value("amount_fen", int64_t{0})).u32(udate_of(j, "debt_due_date"))
        .str(j.value("scope", "")).take();
  }
  if (type == "pledge.extend") return e.u32(udate_of(j, "term_end")).take();
  return std::nullopt;
}

std::optional<json> ip_record_to_json(std::string_view key, ByteView data) {
  auto starts = [key](std::string_view p) { return key.substr(0, p.size()) == p; };
  if (starts("ent/")) {
    auto v = Enterprise::decode(data);
    if (!v.is_ok()) return std::nullopt;
    return json{{"uscc", v->uscc}, {"name", v->name}, {"region_code", v->region_code}, {"sme", v->sme},
                {"sme_evidence", v->sme_evidence}, {"tech", v->tech}, {"tech_evidence", v->tech_evidence},
                {"status", enterprise_status_name(v->status)}, {"member_id", v->member_id},
                {"registered_by", v->registered_by}, {"org_code_warning", v->org_code_warning}};
  }
  if (starts("ip/")) {
    auto v = IpAsset::decode(data);
    if (!v.is_ok()) return std::nullopt;
    return json{{"kind", asset_kind_name(v->kind)}, {"number", v->number}, {"nice_class", v->nice_class},
                {"patent_type", v->patent_type}, {"filing_date", udate_json(v->filing)},
                {"grant_date", udate_json(v->grant)}, {"expiry_date", udate_json(v->expiry)},
                {"status", asset_status_name(v->status)}, {"owners", v->owners}, {"annuity_paid", v->annuity_paid},
                {"preservation_order", v->preservation_order}, {"invalidation_pending", v->invalidation_pending},
                {"same_day_dual", v->same_day_dual}, {"attester", v->attester}};
  }
  if (starts("pledge/")) {
    auto v = Pledge::decode(data);
    if (!v.is_ok()) return std::nullopt;
    return json{{"id", v->id}, {"status", pledge_status_name(v->status)}, {"registry", asset_kind_name(v->registry)},
                {"assets", v->assets}, {"pledgor", v->pledgor}, {"coowner_consent", v->consent},
                {"pledgee", v->pledgee}, {"drafter", v->drafter}, {"claim_kind", v->claim_kind},
                {"amount_fen", v->amount_fen}, {"debt_due_date", udate_json(v->debt_due)},
                {"term_end", udate_json(v->term_end)}, {"scope", v->scope}, {"contract_ref", v->contract_ref},
                {"appraisal_ref", v->appraisal_ref}, {"forfeiture_clause", v->forfeiture},
                {"parties_acknowledged", v->acknowledged}, {"reg_no", v->reg_no}, {"reg_date", udate_json(v->reg_date)},
                {"submitted_on", udate_json(v->submitted_on)}, {"sla_due", udate_json(v->sla_due)},
                {"sla_breached", v->sla_breached}, {"rank", v->rank}, {"end_reason", v->end_reason},
                {"changes", v->changes}, {"pending_filing", pending_json(v->pending)},
                {"bundling_warning", v->bundling_warning}, {"unbundled_marks", v->unbundled_marks}};
  }
  if (starts("sys/idx/marks/")) {
    auto v = MarkIndex::decode(data);
    if (!v.is_ok()) return std::nullopt;
    json marks = json::array();
    for (const auto& [k, expiry] : v->marks) marks.push_back(json{{"asset", k}, {"expiry_date", udate_json(expiry)}});
    return json{{"marks", marks}};
  }
  if (starts("sys/idx/")) {
    auto v = PledgeIndex::decode(data);
    if (!v.is_ok()) return std::nullopt;
    return json{{"all", v->all}, {"active", v->active}};
  }
  if (starts("pledgeno/") || key == keys::kPledgeSeq) {
    Decoder d(data);
    uint64_t id = 0;
    if (!d.u64(id).is_ok() || !d.finish().is_ok()) return std::nullopt;
    return json{{"pledge_id", id}};
  }
  return std::nullopt;
}

}  // namespace ipl::contracts
