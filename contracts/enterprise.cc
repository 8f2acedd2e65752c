// Enterprise and IP-asset modules (issue 6 scope 2–3; DOMAIN.md §3, §4.4).
//   ent.register    IPA, BANK  register an enterprise under its USCC (the primary key), with
//                              SME/technology flags backed by evidence refs and an optional API key
//                              (which admits an ENT member whose org is the USCC)
//   ent.set_status  IPA        active | suspended | deregistered
//   ip.snapshot     IPA        a register snapshot of a patent, trademark, copyright or software
//                              copyright, attested by the office keeping that register (decision 4,
//                              Part B §1): patents and trademarks by the IP office or a city IP
//                              bureau (any IPA member but the copyright bureau), copyrights and
//                              software by the copyright bureau (the IPA member with org "SXCR", as
//                              attest.lpr names the PBoC branch by org "PBOC"); otherwise
//                              ip.wrong_office. A later snapshot is a new version (status alerts:
//                              invalidated, terminated, ...). Trademark snapshots also keep the
//                              owners' in-force marks per Nice class (sys/idx/marks/, for the
//                              bundling warning of §4.2).
// Term rules (§3.2, §3.3): invention 20 years from filing, utility model 10,
// design 15 if filed on or after 2021-06-01 else 10, trademark 10 from
// registration (a renewal is a later snapshot with a later expiry);
// copyright and software terms are attested (expiry required).
#include <algorithm>

#include "contracts/codes.h"
#include "contracts/ids.h"
#include "contracts/ip_records.h"
#include "contracts/module.h"
#include "contracts/ops.h"

namespace ipl::contracts {

namespace {

constexpr std::string_view kRegister = "ent.register";
constexpr std::string_view kSetStatus = "ent.set_status";
constexpr std::string_view kSnapshot = "ip.snapshot";

// Payloads:
//   ent.register   = string uscc ‖ string name ‖ string region_code ‖ bool sme ‖ string sme_evidence
//                    ‖ bool tech ‖ string tech_evidence ‖ opt<pubkey api_key>
//   ent.set_status = string uscc ‖ u8 status
//   ip.snapshot    = IpAsset (contracts/ip_records.h; patent_type and attester are ignored and set here)
struct RegisterPayload {
  Enterprise e;
  std::optional<PublicKey> key;
};
Result<RegisterPayload> decode_register(ByteView b) {
  Decoder d(b);
  RegisterPayload p;
  IPL_RETURN_IF_ERROR(d.str(p.e.uscc, 64));
  IPL_RETURN_IF_ERROR(d.str(p.e.name, 256));
  IPL_RETURN_IF_ERROR(d.str(p.e.region_code, 16));
  IPL_RETURN_IF_ERROR(d.boolean(p.e.sme));
  IPL_RETURN_IF_ERROR(d.str(p.e.sme_evidence, 256));
  IPL_RETURN_IF_ERROR(d.boolean(p.e.tech));
  IPL_RETURN_IF_ERROR(d.str(p.e.tech_evidence, 256));
  bool has_key = false;
  IPL_RETURN_IF_ERROR(d.boolean(has_key));
  if (has_key) {
    PublicKey k;
    IPL_RETURN_IF_ERROR(get_key(d, k));
    p.key = k;
  }
  IPL_RETURN_IF_ERROR(d.finish());
  if (p.e.name.empty()) return Status::invalid("empty name");
  return p;
}

Result<std::pair<std::string, EnterpriseStatus>> decode_set_status(ByteView b) {
  Decoder d(b);
  std::string uscc;
  uint8_t st = 0;
  IPL_RETURN_IF_ERROR(d.str(uscc, 64));
  IPL_RETURN_IF_ERROR(d.u8(st));
  IPL_RETURN_IF_ERROR(d.finish());
  if (st < 1 || st > 3) return Status::invalid("status");
  return std::make_pair(uscc, static_cast<EnterpriseStatus>(st));
}

bool region_ok(std::string_view r) {
  if (r.size() != 6) return false;
  for (char c : r) {
    if (c < '0' || c > '9') return false;
  }
  return r[0] != '0';
}

// Canonicalises a snapshot's number and computes its expiry; returns the
// reason (ok or an identifier/term code).
std::string_view normalise_asset(IpAsset& a) {
  const CivilDate filing{a.filing};
  const CivilDate grant{a.grant};
  switch (a.kind) {
    case AssetKind::kPatent: {
      const ids::PatentNumber n = ids::check_patent(a.number);
      if (n.reason != codes::kOk) return n.reason;
      if (!filing.is_valid() || filing.yyyymmdd / 10000 != n.filing_year) return codes::kIpBadTerm;
      a.number = n.canonical;
      a.patent_type = static_cast<uint8_t>(n.type);
      uint32_t years = 20;
      if (n.type == ids::PatentType::kUtility) years = 10;
      if (n.type == ids::PatentType::kDesign) years = filing.yyyymmdd >= 20210601 ? 15 : 10;
      a.expiry = term_end(filing, years).yyyymmdd;
      a.nice_class = 0;
      return codes::kOk;
    }
    case AssetKind::kTrademark: {
      const ids::Trademark t = ids::check_trademark(a.number, a.nice_class);
      if (t.reason != codes::kOk) return t.reason;
      a.number = t.canonical;
      a.patent_type = 0;
      if (!grant.is_valid()) return codes::kIpBadTerm;
      // A renewal (§3.3) is attested as a later expiry; never shorter than 10 years.
      const uint32_t base = term_end(grant, 10).yyyymmdd;
      if (a.expiry != 0 && a.expiry < base) return codes::kIpBadTerm;
      if (a.expiry == 0) a.expiry = base;
      return codes::kOk;
    }
    case AssetKind::kCopyright:
    case AssetKind::kSoftware: {
      const std::string_view r =
          a.kind == AssetKind::kCopyright ? ids::check_copyright_work(a.number) : ids::check_software(a.number);
      if (r != codes::kOk) return r;
      a.patent_type = 0;
      a.nice_class = 0;
      if (a.expiry == 0) return codes::kIpBadTerm;
      return codes::kOk;
    }
  }
  return codes::kBadPayload;
}

// Only canonical USCCs can be pledgors, so only they are indexed (this
// also bounds the index key's length).
bool indexable_owner(const std::string& owner) {
  const ids::Uscc u = ids::check_uscc(owner);
  return u.reason == codes::kOk && u.canonical == owner;
}

// Keeps sys/idx/marks/<owner>/<class> in step with a trademark's new
// snapshot `now` (replacing `before`, if any): the mark is listed under
// each current owner while it is in force, and under no one else.
Status update_mark_index(StateView& s, const std::string& key, const std::optional<IpAsset>& before,
                         const IpAsset& now) {
  IPL_ASSERT(now.kind == AssetKind::kTrademark);
  IPL_ASSERT(!before || (before->kind == now.kind && before->nice_class == now.nice_class));
  std::vector<std::string> owners = now.owners;
  if (before) owners.insert(owners.end(), before->owners.begin(), before->owners.end());
  std::sort(owners.begin(), owners.end());
  owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
  const bool listed = now.status == AssetStatus::kInForce;
  for (const std::string& owner : owners) {
    if (!indexable_owner(owner)) continue;
    const std::string idx_key = keys::idx_marks(owner, now.nice_class);
    IPL_ASSIGN_OR_RETURN(std::optional<MarkIndex> idx, load<MarkIndex>(s, idx_key));
    MarkIndex x = idx.value_or(MarkIndex{});
    auto it = std::lower_bound(x.marks.begin(), x.marks.end(), key,
                               [](const auto& entry, const std::string& k) { return entry.first < k; });
    const bool present = it != x.marks.end() && it->first == key;
    const bool keep = listed && std::binary_search(now.owners.begin(), now.owners.end(), owner);
    if (keep && present) {
      it->second = now.expiry;
    } else if (keep) {
      x.marks.insert(it, {key, now.expiry});
    } else if (present) {
      x.marks.erase(it);
    } else {
      continue;  // nothing to change
    }
    if (x.marks.empty()) {
      s.put(as_view(idx_key), std::nullopt);
    } else {
      store(s, idx_key, x);
    }
  }
  return Status::ok();
}

class EnterpriseModule final : public Module {
 public:
  std::string_view name() const override { return "enterprise"; }
  std::vector<TxTypeSpec> types() const override {
    return {{std::string(kRegister), role_bit(Role::kIpa) | role_bit(Role::kBank)},
            {std::string(kSetStatus), role_bit(Role::kIpa)},
            {std::string(kSnapshot), role_bit(Role::kIpa)}};
  }
  std::string_view validate(const TxBody& tx) const override {
    if (tx.type == kRegister) {
      auto p = decode_register(tx.payload);
      if (!p.is_ok()) return codes::kBadPayload;
      const ids::Uscc u = ids::check_uscc(p->e.uscc);
      if (u.reason != codes::kOk) return u.reason;
      if (!region_ok(p->e.region_code)) return codes::kEnterpriseBadRegion;
      if ((p->e.sme && p->e.sme_evidence.empty()) || (p->e.tech && p->e.tech_evidence.empty())) {
        return codes::kEnterpriseEvidenceMissing;
      }
      return codes::kOk;
    }
    if (tx.type == kSetStatus) return decode_set_status(tx.payload).is_ok() ? codes::kOk : codes::kBadPayload;
    IPL_ASSERT(tx.type == kSnapshot);
    auto a = IpAsset::decode(tx.payload);
    if (!a.is_ok() || a->owners.empty() || a->number.empty()) return codes::kBadPayload;
    for (const std::string& o : a->owners) {
      if (o.empty()) return codes::kBadPayload;
    }
    return normalise_asset(*a);
  }
  Result<std::string_view> apply(TxContext& ctx, StateView& s) const override {
    if (ctx.tx.type == kRegister) {
      RegisterPayload p = std::move(decode_register(ctx.tx.payload).value());
      const ids::Uscc u = ids::check_uscc(p.e.uscc);
      p.e.uscc = u.canonical;
      p.e.org_code_warning = u.org_code_warning;
      p.e.registered_by = ctx.sender.id;
      p.e.status = EnterpriseStatus::kActive;
      IPL_ASSIGN_OR_RETURN(std::optional<Enterprise> existing, load<Enterprise>(s, keys::enterprise(p.e.uscc)));
      if (existing) return codes::kEnterpriseExists;
      if (p.key) {
        MemberAdmit admit;
        admit.name = p.e.name;
        admit.role = Role::kEnt;
        admit.org = p.e.uscc;
        admit.api_keys = {*p.key};
        IPL_ASSIGN_OR_RETURN(std::string_view check, check_admit(s, admit));
        if (check != codes::kOk) return check;
        IPL_ASSIGN_OR_RETURN(p.e.member_id, do_admit(s, admit, ctx.block.height, ctx.sender.id));
      }
      store(s, keys::enterprise(p.e.uscc), p.e);
      ctx.events.push_back(make_event("enterprise.registered", Encoder().str(p.e.uscc).take()));
      return codes::kOk;
    }
    if (ctx.tx.type == kSetStatus) {
      auto [uscc, status] = decode_set_status(ctx.tx.payload).value();
      IPL_ASSIGN_OR_RETURN(std::optional<Enterprise> e, load<Enterprise>(s, keys::enterprise(uscc)));
      if (!e) return codes::kEnterpriseUnknown;
      e->status = status;
      store(s, keys::enterprise(uscc), *e);
      return codes::kOk;
    }
    IpAsset a = std::move(IpAsset::decode(ctx.tx.payload).value());
    const std::string_view normalised = normalise_asset(a);
    IPL_ASSERT(normalised == codes::kOk);  // validate passed
    if (!keeps_register(ctx.sender, a.kind)) return codes::kIpWrongOffice;
    a.attester = ctx.sender.id;
    std::sort(a.owners.begin(), a.owners.end());
    a.owners.erase(std::unique(a.owners.begin(), a.owners.end()), a.owners.end());
    const std::string key = keys::asset(a.kind, a.number);
    if (a.kind == AssetKind::kTrademark) {
      IPL_ASSIGN_OR_RETURN(std::optional<IpAsset> before, load<IpAsset>(s, key));
      IPL_RETURN_IF_ERROR(update_mark_index(s, key, before, a));
    }
    store(s, key, a);
    ctx.events.push_back(make_event("ip.snapshot", Encoder().str(key).str(asset_status_name(a.status)).take()));
    return codes::kOk;
  }
};

}  // namespace

std::unique_ptr<Module> make_enterprise_module() { return std::make_unique<EnterpriseModule>(); }

}  // namespace ipl::contracts
