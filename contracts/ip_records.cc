#include "contracts/ip_records.h"

#include <algorithm>

#include "common/limits.h"
#include "contracts/queries.h"
#include "contracts/record_codec.h"

namespace ipl::contracts {

namespace {

constexpr size_t kStr = 256;
constexpr size_t kListMax = 64;

void put_list(Encoder& e, const std::vector<std::string>& v) {
  e.count(v.size());
  for (const std::string& s : v) e.str(s);
}
Status get_list(Decoder& d, std::vector<std::string>& v) {
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, kListMax));
  v.resize(n);
  for (std::string& s : v) IPL_RETURN_IF_ERROR(d.str(s, kStr));
  return Status::ok();
}
void put_ids(Encoder& e, const std::vector<uint64_t>& v) {
  e.count(v.size());
  for (uint64_t x : v) e.u64(x);
}
Status get_ids(Decoder& d, std::vector<uint64_t>& v) {
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, limits::tx_state_ops_max, 8));
  v.resize(n);
  for (uint64_t& x : v) IPL_RETURN_IF_ERROR(d.u64(x));
  return Status::ok();
}

template <typename T>
Result<std::optional<T>> read_typed(const StateView& s, std::string_view key) {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, read_record(s, key));
  if (!raw) return std::optional<T>();
  auto v = T::decode(*raw);
  if (!v.is_ok()) return Status::corruption("record " + std::string(key) + ": " + v.status().message());
  return std::optional<T>(std::move(*v));
}

constexpr std::string_view kEntStatus[] = {"", "active", "suspended", "deregistered"};
constexpr std::string_view kAssetKind[] = {"", "patent", "trademark", "copyright", "software"};
constexpr std::string_view kAssetStatus[] = {"", "pending", "in_force", "terminated", "invalidated", "expired", "revoked"};
constexpr std::string_view kPledgeStatus[] = {"", "draft", "submitted", "registered", "refused", "changed",
                                              "extended", "released", "revoked", "enforced"};
template <size_t N>
std::optional<uint8_t> index_of(const std::string_view (&names)[N], std::string_view n) {
  for (size_t i = 1; i < N; ++i) {
    if (names[i] == n) return static_cast<uint8_t>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view enterprise_status_name(EnterpriseStatus s) { return kEntStatus[static_cast<uint8_t>(s)]; }
std::optional<EnterpriseStatus> enterprise_status_from_name(std::string_view n) {
  auto i = index_of(kEntStatus, n);
  return i ? std::optional<EnterpriseStatus>(static_cast<EnterpriseStatus>(*i)) : std::nullopt;
}
std::string_view asset_kind_name(AssetKind k) { return kAssetKind[static_cast<uint8_t>(k)]; }

bool keeps_register(const Member& sender, AssetKind kind) {
  IPL_ASSERT(sender.role == Role::kIpa);  // the callers' role masks
  constexpr std::string_view kCopyrightBureauOrg = "SXCR";
  const bool copyright_bureau = sender.org == kCopyrightBureauOrg;
  const bool copyright_register = kind == AssetKind::kCopyright || kind == AssetKind::kSoftware;
  return copyright_bureau == copyright_register;
}
std::optional<AssetKind> asset_kind_from_name(std::string_view n) {
  auto i = index_of(kAssetKind, n);
  return i ? std::optional<AssetKind>(static_cast<AssetKind>(*i)) : std::nullopt;
}
std::string_view asset_status_name(AssetStatus s) { return kAssetStatus[static_cast<uint8_t>(s)]; }
std::optional<AssetStatus> asset_status_from_name(std::string_view n) {
  auto i = index_of(kAssetStatus, n);
  return i ? std::optional<AssetStatus>(static_cast<AssetStatus>(*i)) : std::nullopt;
}
std::string_view pledge_status_name(PledgeStatus s) { return kPledgeStatus[static_cast<uint8_t>(s)]; }
std::string_view filing_kind_name(FilingKind k) {
  switch (k) {
    case FilingKind::kNone: return "none";
    case FilingKind::kChange: return "change";
    case FilingKind::kExtend: return "extend";
  }
  return "none";
}

Bytes Enterprise::encode() const {
  return Encoder().str(uscc).str(name).str(region_code).boolean(sme).str(sme_evidence).boolean(tech)
      .str(tech_evidence).u8(static_cast<uint8_t>(status)).u64(member_id).u64(registered_by)
      .boolean(org_code_warning).take();
}
Result<Enterprise> Enterprise::decode(ByteView b) {
  Decoder d(b);
  Enterprise e;
  IPL_RETURN_IF_ERROR(d.str(e.uscc, kStr));
  IPL_RETURN_IF_ERROR(d.str(e.name, kStr));
  IPL_RETURN_IF_ERROR(d.str(e.region_code, kStr));
  IPL_RETURN_IF_ERROR(d.boolean(e.sme));
  IPL_RETURN_IF_ERROR(d.str(e.sme_evidence, kStr));
  IPL_RETURN_IF_ERROR(d.boolean(e.tech));
  IPL_RETURN_IF_ERROR(d.str(e.tech_evidence, kStr));
  IPL_RETURN_IF_ERROR(get_enum(d, e.status, 1, 3));
  IPL_RETURN_IF_ERROR(d.u64(e.member_id));
  IPL_RETURN_IF_ERROR(d.u64(e.registered_by));
  IPL_RETURN_IF_ERROR(d.boolean(e.org_code_warning));
  IPL_RETURN_IF_ERROR(d.finish());
  return e;
}

Bytes IpAsset::encode() const {
  Encoder e;
  e.u8(static_cast<uint8_t>(kind)).str(number).u32(nice_class).u8(patent_type).u32(filing).u32(grant).u32(expiry)
      .u8(static_cast<uint8_t>(status));
  put_list(e, owners);
  e.boolean(annuity_paid).boolean(preservation_order).boolean(invalidation_pending).boolean(same_day_dual).u64(attester);
  return e.take();
}
Result<IpAsset> IpAsset::decode(ByteView b) {
  Decoder d(b);
  IpAsset a;
  IPL_RETURN_IF_ERROR(get_enum(d, a.kind, 1, 4));
  IPL_RETURN_IF_ERROR(d.str(a.number, kStr));
  IPL_RETURN_IF_ERROR(d.u32(a.nice_class));
  IPL_RETURN_IF_ERROR(d.u8(a.patent_type));
  IPL_RETURN_IF_ERROR(get_udate(d, a.filing));
  IPL_RETURN_IF_ERROR(get_udate(d, a.grant));
  IPL_RETURN_IF_ERROR(get_udate(d, a.expiry));
  IPL_RETURN_IF_ERROR(get_enum(d, a.status, 1, 6));
  IPL_RETURN_IF_ERROR(get_list(d, a.owners));
  IPL_RETURN_IF_ERROR(d.boolean(a.annuity_paid));
  IPL_RETURN_IF_ERROR(d.boolean(a.preservation_order));
  IPL_RETURN_IF_ERROR(d.boolean(a.invalidation_pending));
  IPL_RETURN_IF_ERROR(d.boolean(a.same_day_dual));
  IPL_RETURN_IF_ERROR(d.u64(a.attester));
  IPL_RETURN_IF_ERROR(d.finish());
  return a;
}

Bytes Pledge::encode() const {
  Encoder e;
  e.u64(id).u8(static_cast<uint8_t>(status)).u8(static_cast<uint8_t>(registry));
  put_list(e, assets);
  e.str(pledgor);
  put_list(e, consent);
  e.u64(pledgee).u64(drafter).str(claim_kind).i64(amount_fen).u32(debt_due).u32(term_end).str(scope)
      .str(contract_ref).str(appraisal_ref).boolean(forfeiture).boolean(acknowledged).str(reg_no).u32(reg_date)
      .u32(submitted_on).u32(sla_due).boolean(sla_breached).u32(rank).str(end_reason).u32(changes);
  e.u8(static_cast<uint8_t>(pending.kind)).u64(pending.filer).u32(pending.filed_on).u32(pending.expires_on)
      .u32(pending.change_date).i64(pending.amount_fen).u32(pending.debt_due).u32(pending.term_end).str(pending.scope);
  e.u32(bundling_warning);
  put_list(e, unbundled_marks);
  return e.take();
}
Result<Pledge> Pledge::decode(ByteView b) {
  Decoder d(b);
  Pledge p;
  IPL_RETURN_IF_ERROR(d.u64(p.id));
  IPL_RETURN_IF_ERROR(get_enum(d, p.status, 1, 9));
  IPL_RETURN_IF_ERROR(get_enum(d, p.registry, 1, 4));
  IPL_RETURN_IF_ERROR(get_list(d, p.assets));
  IPL_RETURN_IF_ERROR(d.str(p.pledgor, kStr));
  IPL_RETURN_IF_ERROR(get_list(d, p.consent));
  IPL_RETURN_IF_ERROR(d.u64(p.pledgee));
  IPL_RETURN_IF_ERROR(d.u64(p.drafter));
  IPL_RETURN_IF_ERROR(d.str(p.claim_kind, kStr));
  IPL_RETURN_IF_ERROR(d.i64(p.amount_fen));
  IPL_RETURN_IF_ERROR(get_udate(d, p.debt_due));
  IPL_RETURN_IF_ERROR(get_udate(d, p.term_end));
  IPL_RETURN_IF_ERROR(d.str(p.scope, kStr));
  IPL_RETURN_IF_ERROR(d.str(p.contract_ref, kStr));
  IPL_RETURN_IF_ERROR(d.str(p.appraisal_ref, kStr));
  IPL_RETURN_IF_ERROR(d.boolean(p.forfeiture));
  IPL_RETURN_IF_ERROR(d.boolean(p.acknowledged));
  IPL_RETURN_IF_ERROR(d.str(p.reg_no, kStr));
  IPL_RETURN_IF_ERROR(get_udate(d, p.reg_date));
  IPL_RETURN_IF_ERROR(get_udate(d, p.submitted_on));
  IPL_RETURN_IF_ERROR(get_udate(d, p.sla_due));
  IPL_RETURN_IF_ERROR(d.boolean(p.sla_breached));
  IPL_RETURN_IF_ERROR(d.u32(p.rank));
  IPL_RETURN_IF_ERROR(d.str(p.end_reason, kStr));
  IPL_RETURN_IF_ERROR(d.u32(p.changes));
  PendingFiling& f = p.pending;
  IPL_RETURN_IF_ERROR(get_enum(d, f.kind, 0, 2));
  IPL_RETURN_IF_ERROR(d.u64(f.filer));
  IPL_RETURN_IF_ERROR(get_udate(d, f.filed_on));
  IPL_RETURN_IF_ERROR(get_udate(d, f.expires_on));
  IPL_RETURN_IF_ERROR(get_udate(d, f.change_date));
  IPL_RETURN_IF_ERROR(d.i64(f.amount_fen));
  IPL_RETURN_IF_ERROR(get_udate(d, f.debt_due));
  IPL_RETURN_IF_ERROR(get_udate(d, f.term_end));
  IPL_RETURN_IF_ERROR(d.str(f.scope, kStr));
  if (f.kind == FilingKind::kNone && (f.filer != 0 || f.filed_on != 0 || f.expires_on != 0 || f.change_date != 0 ||
                                      f.amount_fen != 0 || f.debt_due != 0 || f.term_end != 0 || !f.scope.empty())) {
    return Status::invalid("pending filing fields without a kind");
  }
  IPL_RETURN_IF_ERROR(d.u32(p.bundling_warning));
  IPL_RETURN_IF_ERROR(get_list(d, p.unbundled_marks));
  if (p.unbundled_marks.size() > kUnbundledMarksListed || p.unbundled_marks.size() > p.bundling_warning) {
    return Status::invalid("unbundled marks list");
  }
  IPL_RETURN_IF_ERROR(d.finish());
  return p;
}

Bytes PledgeIndex::encode() const {
  Encoder e;
  put_ids(e, all);
  put_ids(e, active);
  return e.take();
}
Result<PledgeIndex> PledgeIndex::decode(ByteView b) {
  Decoder d(b);
  PledgeIndex x;
  IPL_RETURN_IF_ERROR(get_ids(d, x.all));
  IPL_RETURN_IF_ERROR(get_ids(d, x.active));
  IPL_RETURN_IF_ERROR(d.finish());
  return x;
}

Bytes MarkIndex::encode() const {
  Encoder e;
  e.count(marks.size());
  for (const auto& [key, expiry] : marks) e.str(key).u32(expiry);
  return e.take();
}
Result<MarkIndex> MarkIndex::decode(ByteView b) {
  Decoder d(b);
  MarkIndex x;
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, limits::tx_state_ops_max, 5));
  x.marks.resize(n);
  for (auto& [key, expiry] : x.marks) {
    IPL_RETURN_IF_ERROR(d.str(key, kStr));
    IPL_RETURN_IF_ERROR(get_udate(d, expiry));
  }
  IPL_RETURN_IF_ERROR(d.finish());
  for (size_t i = 1; i < x.marks.size(); ++i) {
    if (!(x.marks[i - 1].first < x.marks[i].first)) return Status::invalid("mark index not ascending");
  }
  return x;
}

namespace keys {
std::string enterprise(std::string_view uscc) { return "ent/" + std::string(uscc); }
std::string asset(AssetKind k, std::string_view canonical) {
  return "ip/" + std::string(asset_kind_name(k)) + "/" + std::string(canonical);
}
std::string pledge(uint64_t id) { return "pledge/" + hex16(id); }
std::string pledge_no(std::string_view reg_no) { return "pledgeno/" + std::string(reg_no); }
std::string idx_asset(std::string_view asset_key) { return "sys/idx/" + std::string(asset_key); }
std::string idx_enterprise(std::string_view uscc) { return "sys/idx/ent/" + std::string(uscc); }
std::string idx_member(uint64_t id) { return "sys/idx/member/" + hex16(id); }
std::string idx_marks(std::string_view uscc, uint32_t nice_class) {
  return "sys/idx/marks/" + std::string(uscc) + "/" + std::to_string(nice_class);
}
}  // namespace keys

CivilDate term_end(CivilDate d, uint32_t years) {
  IPL_ASSERT(d.is_valid());
  IPL_ASSERT(years <= 200);
  uint32_t y = d.yyyymmdd / 10000 + years;
  uint32_t md = d.yyyymmdd % 10000;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (md == 229 && !leap) md = 228;
  const CivilDate anniversary{y * 10000 + md};
  IPL_ASSERT(anniversary.is_valid());
  return CivilDate::from_days_since_epoch(anniversary.days_since_epoch() - 1);
}

Result<std::optional<CivilDate>> add_working_days(const StateView& s, CivilDate from, uint32_t n) {
  IPL_ASSERT(from.is_valid());
  IPL_ASSERT(n <= 60);
  int64_t day = from.days_since_epoch();
  uint32_t counted = 0;
  // At most n working days plus the longest holiday runs: 3 × n + 30 days.
  for (uint32_t step = 0; counted < n && step < 3 * n + 30; ++step) {
    ++day;
    const CivilDate date = CivilDate::from_days_since_epoch(day);
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, s.get(as_view(keys::calendar(date.yyyymmdd / 10000))));
    if (!raw) return std::optional<CivilDate>();
    auto cal = CalendarFact::decode(*raw);
    if (!cal.is_ok()) return Status::corruption("calendar record");
    bool working = ((day % 7) + 7 + 3) % 7 < 5;  // 1970-01-01 was a Thursday
    if (std::binary_search(cal->holidays.begin(), cal->holidays.end(), date)) working = false;
    if (std::binary_search(cal->workdays.begin(), cal->workdays.end(), date)) working = true;
    if (working) ++counted;
  }
  if (counted < n) return std::optional<CivilDate>();
  return std::optional<CivilDate>(CivilDate::from_days_since_epoch(day));
}

Result<std::optional<Enterprise>> enterprise_of(const StateView& s, std::string_view uscc) {
  return read_typed<Enterprise>(s, keys::enterprise(uscc));
}
Result<std::optional<IpAsset>> asset_of(const StateView& s, std::string_view asset_key) {
  return read_typed<IpAsset>(s, asset_key);
}
Result<std::optional<Pledge>> pledge_of(const StateView& s, uint64_t id) {
  return read_typed<Pledge>(s, keys::pledge(id));
}

namespace {
Result<std::vector<Pledge>> load_all(const StateView& s, const std::vector<uint64_t>& ids) {
  std::vector<Pledge> out;
  for (uint64_t id : ids) {
    IPL_ASSIGN_OR_RETURN(std::optional<Pledge> p, pledge_of(s, id));
    if (!p) return Status::corruption("index names a missing pledge");
    out.push_back(std::move(*p));
  }
  return out;
}
}  // namespace

Result<AssetPledges> pledges_of_asset(const StateView& s, std::string_view asset_key) {
  AssetPledges out;
  IPL_ASSIGN_OR_RETURN(std::optional<PledgeIndex> idx, read_typed<PledgeIndex>(s, keys::idx_asset(asset_key)));
  if (!idx) return out;
  IPL_ASSIGN_OR_RETURN(out.history, load_all(s, idx->all));
  out.active_by_priority = idx->active;  // appended at registration: registration order
  return out;
}
Result<std::vector<Pledge>> pledges_of_enterprise(const StateView& s, std::string_view uscc) {
  IPL_ASSIGN_OR_RETURN(std::optional<PledgeIndex> idx, read_typed<PledgeIndex>(s, keys::idx_enterprise(uscc)));
  if (!idx) return std::vector<Pledge>();
  return load_all(s, idx->all);
}
Result<std::vector<Pledge>> pledges_of_member(const StateView& s, uint64_t member_id) {
  IPL_ASSIGN_OR_RETURN(std::optional<PledgeIndex> idx, read_typed<PledgeIndex>(s, keys::idx_member(member_id)));
  if (!idx) return std::vector<Pledge>();
  return load_all(s, idx->all);
}
Result<MarkIndex> marks_of_owner(const StateView& s, std::string_view uscc, uint32_t nice_class) {
  IPL_ASSIGN_OR_RETURN(std::optional<MarkIndex> idx, read_typed<MarkIndex>(s, keys::idx_marks(uscc, nice_class)));
  return idx.value_or(MarkIndex{});
}

}  // namespace ipl::contracts
