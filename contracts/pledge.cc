// Pledge registration (issue 6 scope 4; DOMAIN.md §4.1–§4.4). State
// machine: draft → submitted → {registered | refused}; registered →
// changed* / extended (trademarks) → {released | revoked | enforced}.
//   pledge.draft     ENT, BANK, GUAR  one party files; it must be the pledgor (ENT whose org is the
//                                     pledgor USCC) or the pledgee (BANK or GUAR member)
//   pledge.submit    ENT, BANK, GUAR  the other party joins: joint filing (§4.1); starts the SLA timer
//   pledge.register  IPA              the registry registers; every refusal ground (a)–(f) is a receipt
//   pledge.refuse    IPA              records the refusal (reason must be a pledge.* code)
//   pledge.change    ENT, BANK, GUAR  amount / due date / scope changed within the change window: joint
//                                     filing, see below
//   pledge.extend    ENT, BANK, GUAR  trademarks: a later pledge term end: joint filing, see below
//   pledge.release   BANK, GUAR, IPA  repaid | prepaid | waived | contract_void | other | enforced
//   pledge.revoke    IPA              the registration is revoked
// Value dates (decision 7): the registration date is the register tx's
// value date; change windows count value dates; SLA timers use the
// block's civil date and working days of the attested calendar.
// Joint filing of changes and extensions (§4.1 "pledgor and pledgee file
// jointly", §4.2, §4.3 "filing is joint"): the first party's filing is
// stored in the pledge as its pending filing (nothing changes yet; event
// pledge.change_filed / pledge.extend_filed); the other party's filing with
// the same terms makes it take effect (pledge.changed / pledge.extended);
// different terms are refused (pledge.filing_mismatch). A pending filing
// lapses after expires_on: a change must be filed jointly within the
// change window counted from the change date (§4.1 "within 30 days of the
// change"); DOMAIN gives no time limit for an extension, so the same
// window counts from the first filing's value date. A matching filing
// after that is refused (pledge.filing_expired); a different one replaces
// the lapsed filing, as does a new filing by the same party at any time.
// Registration of a trademark pledge warns (event pledge.bundling_warning
// and the record's bundling_warning count; not a refusal) when the
// pledgor holds other in-force marks in a pledged mark's Nice class that
// the pledge leaves out (§4.2 bundling rule).
// Governed parameters read with DOMAIN [D] defaults when absent from
// state: pledge.sla_working_days.{patent,trademark,copyright} (3, 2, 10),
// pledge.change_window_days (30).
#include <algorithm>

#include "contracts/codes.h"
#include "contracts/ids.h"
#include "contracts/ip_records.h"
#include "contracts/module.h"
#include "contracts/record_codec.h"

namespace ipl::contracts {

namespace {

constexpr std::string_view kDraft = "pledge.draft";
constexpr std::string_view kSubmit = "pledge.submit";
constexpr std::string_view kRegister = "pledge.register";
constexpr std::string_view kRefuse = "pledge.refuse";
constexpr std::string_view kChange = "pledge.change";
constexpr std::string_view kExtend = "pledge.extend";
constexpr std::string_view kRelease = "pledge.release";
constexpr std::string_view kRevoke = "pledge.revoke";

// Payloads (udate = u32 yyyymmdd, 0 = none / unchanged):
//   pledge.draft    = list<u8 kind ‖ string number ‖ u32 nice_class> ‖ string pledgor ‖ list<string consent>
//                     ‖ u64 pledgee ‖ string claim_kind ‖ i64 amount_fen ‖ udate debt_due ‖ udate term_end
//                     ‖ string scope ‖ string contract_ref ‖ string appraisal_ref ‖ bool forfeiture ‖ bool acknowledged
//   pledge.submit   = u64 id
//   pledge.register = u64 id ‖ string reg_no
//   pledge.refuse   = u64 id ‖ string reason
//   pledge.change   = u64 id ‖ udate change_date ‖ i64 amount_fen(0 unchanged) ‖ udate debt_due ‖ string scope
//   pledge.extend   = u64 id ‖ udate term_end
//   pledge.release  = u64 id ‖ string trigger
//   pledge.revoke   = u64 id ‖ string reason
struct AssetRef {
  AssetKind kind = AssetKind::kPatent;
  std::string number;
  uint32_t nice_class = 0;
};
struct DraftPayload {
  std::vector<AssetRef> assets;
  Pledge p;
};
struct OpPayload {
  uint64_t id = 0;
  std::string text;       // reg_no, reason, trigger, scope
  uint32_t date = 0;      // change_date, term_end
  int64_t amount_fen = 0;
  uint32_t debt_due = 0;
};


Result<DraftPayload> decode_draft(ByteView b) {
  Decoder d(b);
  DraftPayload x;
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, 16, 6));
  if (n == 0) return Status::invalid("no assets");
  x.assets.resize(n);
  for (AssetRef& a : x.assets) {
    uint8_t k = 0;
    IPL_RETURN_IF_ERROR(d.u8(k));
    if (k < 1 || k > 4) return Status::invalid("kind");
    a.kind = static_cast<AssetKind>(k);
    IPL_RETURN_IF_ERROR(d.str(a.number, 64));
    IPL_RETURN_IF_ERROR(d.u32(a.nice_class));
  }
  Pledge& p = x.p;
  IPL_RETURN_IF_ERROR(d.str(p.pledgor, 64));
  IPL_RETURN_IF_ERROR(d.count(n, 16));
  p.consent.resize(n);
  for (std::string& c : p.consent) IPL_RETURN_IF_ERROR(d.str(c, 64));
  IPL_RETURN_IF_ERROR(d.u64(p.pledgee));
  IPL_RETURN_IF_ERROR(d.str(p.claim_kind, 128));
  IPL_RETURN_IF_ERROR(d.i64(p.amount_fen));
  IPL_RETURN_IF_ERROR(get_udate(d, p.debt_due));
  IPL_RETURN_IF_ERROR(get_udate(d, p.term_end));
  IPL_RETURN_IF_ERROR(d.str(p.scope, 256));
  IPL_RETURN_IF_ERROR(d.str(p.contract_ref, 128));
  IPL_RETURN_IF_ERROR(d.str(p.appraisal_ref, 128));
  IPL_RETURN_IF_ERROR(d.boolean(p.forfeiture));
  IPL_RETURN_IF_ERROR(d.boolean(p.acknowledged));
  IPL_RETURN_IF_ERROR(d.finish());
  return x;
}

Result<OpPayload> decode_op(std::string_view type, ByteView b) {
  Decoder d(b);
  OpPayload o;
  IPL_RETURN_IF_ERROR(d.u64(o.id));
  if (type == kRegister || type == kRefuse || type == kRelease || type == kRevoke) {
    IPL_RETURN_IF_ERROR(d.str(o.text, 64));
  } else if (type == kChange) {
    IPL_RETURN_IF_ERROR(get_udate(d, o.date));
    IPL_RETURN_IF_ERROR(d.i64(o.amount_fen));
    IPL_RETURN_IF_ERROR(get_udate(d, o.debt_due));
    IPL_RETURN_IF_ERROR(d.str(o.text, 256));
    if (o.date == 0 || o.amount_fen < 0) return Status::invalid("change");
  } else if (type == kExtend) {
    IPL_RETURN_IF_ERROR(get_udate(d, o.date));
    if (o.date == 0) return Status::invalid("term_end");
  }
  IPL_RETURN_IF_ERROR(d.finish());
  return o;
}

AssetKind registry_of(AssetKind k) { return k == AssetKind::kSoftware ? AssetKind::kCopyright : k; }

// The canonical asset key of a reference, or the identifier reason.
std::string_view asset_key_of(const AssetRef& a, std::string& key) {
  switch (a.kind) {
    case AssetKind::kPatent: {
      const ids::PatentNumber n = ids::check_patent(a.number);
      if (n.reason != codes::kOk) return n.reason;
      key = keys::asset(a.kind, n.canonical);
      return codes::kOk;
    }
    case AssetKind::kTrademark: {
      const ids::Trademark t = ids::check_trademark(a.number, a.nice_class);
      if (t.reason != codes::kOk) return t.reason;
      key = keys::asset(a.kind, t.canonical);
      return codes::kOk;
    }
    case AssetKind::kCopyright:
    case AssetKind::kSoftware: {
      const std::string_view r =
          a.kind == AssetKind::kCopyright ? ids::check_copyright_work(a.number) : ids::check_software(a.number);
      if (r != codes::kOk) return r;
      key = keys::asset(a.kind, a.number);
      return codes::kOk;
    }
  }
  return codes::kBadPayload;
}

bool trigger_ok(std::string_view t) {
  return t == "repaid" || t == "prepaid" || t == "waived" || t == "contract_void" || t == "other" || t == "enforced";
}

Result<int64_t> param_or(const StateView& s, std::string_view name, CivilDate date, int64_t fallback) {
  IPL_ASSIGN_OR_RETURN(std::optional<ParamRecord> p, load<ParamRecord>(s, keys::param(name)));
  if (!p) return fallback;
  const ParamVersion* v = p->at(date);
  return v ? v->value : fallback;
}

bool is_pledgor(const Member& m, const Pledge& p) { return m.role == Role::kEnt && m.org == p.pledgor; }
bool is_pledgee(const Member& m, const Pledge& p) { return m.id == p.pledgee; }

Status index_add(StateView& s, const std::string& key, uint64_t id, bool to_all, bool to_active) {
  IPL_ASSIGN_OR_RETURN(std::optional<PledgeIndex> idx, load<PledgeIndex>(s, key));
  PledgeIndex x = idx.value_or(PledgeIndex{});
  if (to_all && std::find(x.all.begin(), x.all.end(), id) == x.all.end()) x.all.push_back(id);
  if (to_active && std::find(x.active.begin(), x.active.end(), id) == x.active.end()) x.active.push_back(id);
  store(s, key, x);
  return Status::ok();
}
Status index_deactivate(StateView& s, const std::string& key, uint64_t id) {
  IPL_ASSIGN_OR_RETURN(std::optional<PledgeIndex> idx, load<PledgeIndex>(s, key));
  if (!idx) return Status::corruption("missing pledge index " + key);
  idx->active.erase(std::remove(idx->active.begin(), idx->active.end(), id), idx->active.end());
  store(s, key, *idx);
  return Status::ok();
}

class PledgeModule final : public Module {
 public:
  std::string_view name() const override { return "pledge"; }
  std::vector<TxTypeSpec> types() const override {
    const RoleMask parties = role_bit(Role::kEnt) | role_bit(Role::kBank) | role_bit(Role::kGuar);
    const RoleMask ipa = role_bit(Role::kIpa);
    return {{std::string(kDraft), parties},   {std::string(kSubmit), parties},
            {std::string(kRegister), ipa},    {std::string(kRefuse), ipa},
            {std::string(kChange), parties},  {std::string(kExtend), parties},
            {std::string(kRelease), role_bit(Role::kBank) | role_bit(Role::kGuar) | ipa},
            {std::string(kRevoke), ipa}};
  }

  std::string_view validate(const TxBody& tx) const override {
    if (tx.type == kDraft) {
      auto x = decode_draft(tx.payload);
      if (!x.is_ok()) return codes::kBadPayload;
      const AssetKind reg = registry_of(x->assets[0].kind);
      for (const AssetRef& a : x->assets) {
        if (registry_of(a.kind) != reg) return codes::kBadPayload;
        std::string key;
        const std::string_view r = asset_key_of(a, key);
        if (r != codes::kOk) return r;
      }
      const ids::Uscc u = ids::check_uscc(x->p.pledgor);
      if (u.reason != codes::kOk) return u.reason;
      // Article 8 contract fields (§4.1): the secured claim's kind and
      // amount, the debtor's term, the contract itself.
      const Pledge& p = x->p;
      if (p.claim_kind.empty() || p.amount_fen <= 0 || p.debt_due == 0 || p.contract_ref.empty() ||
          (reg == AssetKind::kTrademark && p.term_end == 0)) {
        return codes::kPledgeContractIncomplete;
      }
      return codes::kOk;
    }
    auto o = decode_op(tx.type, tx.payload);
    if (!o.is_ok()) return codes::kBadPayload;
    if (tx.type == kRegister) return ids::check_pledge_reg_no(o->text);
    if ((tx.type == kRefuse) && o->text.substr(0, 7) != "pledge.") return codes::kBadPayload;
    if (tx.type == kRelease && !trigger_ok(o->text)) return codes::kBadPayload;
    return codes::kOk;
  }

  Result<std::string_view> apply(TxContext& ctx, StateView& s) const override {
    const std::string_view type = ctx.tx.type;
    if (type == kDraft) return draft(ctx, s);
    OpPayload o = std::move(decode_op(type, ctx.tx.payload).value());
    IPL_ASSIGN_OR_RETURN(std::optional<Pledge> found, load<Pledge>(s, keys::pledge(o.id)));
    if (!found) return codes::kPledgeUnknown;
    Pledge p = std::move(*found);
    const PledgeStatus before = p.status;
    std::string_view reason = codes::kOk;
    if (type == kSubmit) {
      IPL_ASSIGN_OR_RETURN(reason, submit(ctx, s, p));
    } else if (type == kRegister) {
      // Only the office keeping this register registers or refuses.
      if (!keeps_register(ctx.sender, p.registry)) return codes::kIpWrongOffice;
      IPL_ASSIGN_OR_RETURN(reason, register_pledge(ctx, s, p, o.text));
    } else if (type == kRefuse) {
      if (!keeps_register(ctx.sender, p.registry)) return codes::kIpWrongOffice;
      if (p.status != PledgeStatus::kSubmitted) return codes::kPledgeBadState;
      p.status = PledgeStatus::kRefused;
      p.end_reason = o.text;
    } else if (type == kChange || type == kExtend) {
      bool effective = false;
      IPL_ASSIGN_OR_RETURN(reason, type == kChange ? change(ctx, s, p, o, effective) : extend(ctx, s, p, o, effective));
      if (reason != codes::kOk) return reason;
      if (!effective) {
        // The first party's filing: pending until the other party's.
        store(s, keys::pledge(p.id), p);
        ctx.events.push_back(make_event(type == kChange ? "pledge.change_filed" : "pledge.extend_filed",
                                        Encoder().u64(p.id).u64(p.pending.filer).u32(p.pending.expires_on).take()));
        return codes::kOk;
      }
    } else {
      IPL_ASSERT(type == kRelease || type == kRevoke);
      // The registry's own entries: only the office keeping this register.
      if (ctx.sender.role == Role::kIpa && !keeps_register(ctx.sender, p.registry)) return codes::kIpWrongOffice;
      if (!pledge_is_active(p.status)) return codes::kPledgeBadState;
      if (type == kRelease && ctx.sender.role != Role::kIpa && !is_pledgee(ctx.sender, p)) return codes::kPledgeNotParty;
      p.status = type == kRevoke ? PledgeStatus::kRevoked
                                 : (o.text == "enforced" ? PledgeStatus::kEnforced : PledgeStatus::kReleased);
      p.end_reason = o.text;
      p.pending = PendingFiling{};  // a pending change or extension ends with the pledge
      for (const std::string& a : p.assets) IPL_RETURN_IF_ERROR(index_deactivate(s, keys::idx_asset(a), p.id));
      IPL_RETURN_IF_ERROR(index_deactivate(s, keys::idx_enterprise(p.pledgor), p.id));
      IPL_RETURN_IF_ERROR(index_deactivate(s, keys::idx_member(p.pledgee), p.id));
    }
    if (reason != codes::kOk) return reason;
    store(s, keys::pledge(p.id), p);
    ctx.events.push_back(make_event("pledge." + std::string(pledge_status_name(p.status)),
                                    Encoder().u64(p.id).str(pledge_status_name(before)).take()));
    if (type == kRegister && p.bundling_warning > 0) {
      Encoder e;
      e.u64(p.id).u32(p.bundling_warning).count(p.unbundled_marks.size());
      for (const std::string& m : p.unbundled_marks) e.str(m);
      ctx.events.push_back(make_event("pledge.bundling_warning", e.take()));
    }
    return codes::kOk;
  }

 private:
  Result<std::string_view> draft(TxContext& ctx, StateView& s) const {
    DraftPayload x = std::move(decode_draft(ctx.tx.payload).value());
    Pledge& p = x.p;
    p.pledgor = ids::check_uscc(p.pledgor).canonical;
    p.registry = registry_of(x.assets[0].kind);
    for (const AssetRef& a : x.assets) {
      std::string key;
      const std::string_view r = asset_key_of(a, key);
      IPL_ASSERT(r == codes::kOk);
      if (std::find(p.assets.begin(), p.assets.end(), key) == p.assets.end()) p.assets.push_back(key);
    }
    IPL_ASSIGN_OR_RETURN(std::optional<Enterprise> ent, load<Enterprise>(s, keys::enterprise(p.pledgor)));
    if (!ent) return codes::kEnterpriseUnknown;
    if (ent->status != EnterpriseStatus::kActive) return codes::kEnterpriseInactive;
    IPL_ASSIGN_OR_RETURN(std::optional<Member> pledgee, load<Member>(s, keys::member(p.pledgee)));
    if (!pledgee || !pledgee->active || (pledgee->role != Role::kBank && pledgee->role != Role::kGuar)) {
      return codes::kPledgeBadPledgee;
    }
    if (!is_pledgor(ctx.sender, p) && !is_pledgee(ctx.sender, p)) return codes::kPledgeNotParty;
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> seq_raw, s.get(as_view(keys::kPledgeSeq)));
    uint64_t last = 0;
    if (seq_raw) {
      Decoder d(*seq_raw);
      if (!d.u64(last).is_ok()) return Status::corruption("pledge sequence");
    }
    p.id = last + 1;
    s.put(as_view(keys::kPledgeSeq), Encoder().u64(p.id).take());
    p.status = PledgeStatus::kDraft;
    p.drafter = ctx.sender.id;
    store(s, keys::pledge(p.id), p);
    for (const std::string& a : p.assets) IPL_RETURN_IF_ERROR(index_add(s, keys::idx_asset(a), p.id, true, false));
    IPL_RETURN_IF_ERROR(index_add(s, keys::idx_enterprise(p.pledgor), p.id, true, false));
    IPL_RETURN_IF_ERROR(index_add(s, keys::idx_member(p.pledgee), p.id, true, false));
    ctx.events.push_back(make_event("pledge.draft", Encoder().u64(p.id).take()));
    return codes::kOk;
  }

  Result<std::string_view> submit(TxContext& ctx, StateView& s, Pledge& p) const {
    if (p.status != PledgeStatus::kDraft) return codes::kPledgeBadState;
    if (!is_pledgor(ctx.sender, p) && !is_pledgee(ctx.sender, p)) return codes::kPledgeNotParty;
    // Joint filing: the party that did not draft countersigns.
    const bool drafter_was_pledgee = p.drafter == p.pledgee;
    if (drafter_was_pledgee ? !is_pledgor(ctx.sender, p) : !is_pledgee(ctx.sender, p)) {
      return codes::kPledgeJointFilingMissing;
    }
    p.status = PledgeStatus::kSubmitted;
    const CivilDate today = ctx.block.civil_date();
    p.submitted_on = today.yyyymmdd;
    const std::string_view reg = p.registry == AssetKind::kPatent     ? "patent"
                                 : p.registry == AssetKind::kTrademark ? "trademark"
                                                                       : "copyright";
    const int64_t fallback = p.registry == AssetKind::kPatent ? 3 : p.registry == AssetKind::kTrademark ? 2 : 10;
    IPL_ASSIGN_OR_RETURN(int64_t n, param_or(s, "pledge.sla_working_days." + std::string(reg), today, fallback));
    n = std::clamp<int64_t>(n, 0, 60);
    IPL_ASSIGN_OR_RETURN(std::optional<CivilDate> due, add_working_days(s, today, static_cast<uint32_t>(n)));
    p.sla_due = due ? due->yyyymmdd : 0;  // 0: no attested calendar, no timer
    return codes::kOk;
  }

  Result<std::string_view> register_pledge(TxContext& ctx, StateView& s, Pledge& p, const std::string& reg_no) const {
    if (p.status != PledgeStatus::kSubmitted) return codes::kPledgeBadState;
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> taken, s.get(as_view(keys::pledge_no(reg_no))));
    if (taken) return codes::kPledgeRegNoTaken;
    uint32_t max_rank = 0;
    std::vector<uint32_t> classes;  // trademarks: the pledged marks' Nice classes
    for (const std::string& key : p.assets) {
      IPL_ASSIGN_OR_RETURN(std::optional<IpAsset> a, load<IpAsset>(s, key));
      if (!a) return codes::kPledgeIpUnknown;
      if (a->kind == AssetKind::kTrademark) classes.push_back(a->nice_class);
      // (b) register status.
      if (a->status == AssetStatus::kPending) return codes::kPledgeIpNotGranted;
      if (a->status != AssetStatus::kInForce) return codes::kPledgeIpNotInForce;
      if (CivilDate{a->expiry} < ctx.tx.value_date) return codes::kPledgeIpNotInForce;
      if (!a->annuity_paid) return codes::kPledgeAnnuityUnpaid;
      if (a->preservation_order) return codes::kPledgeIpFrozen;
      // (a) owners: the pledgor is an owner, every other owner consented.
      if (!std::binary_search(a->owners.begin(), a->owners.end(), p.pledgor)) return codes::kPledgePledgorNotOwner;
      for (const std::string& o : a->owners) {
        if (o != p.pledgor && std::find(p.consent.begin(), p.consent.end(), o) == p.consent.end()) {
          return codes::kPledgeCoownerConsentMissing;
        }
      }
      // (c) the debt (and a trademark pledge's term) ends within the IP's term.
      if (p.debt_due > a->expiry || p.term_end > a->expiry) return codes::kPledgeTermBeyondIp;
      // (d) one running pledge per patent or trademark; copyrights stack with ranks (§4.3).
      IPL_ASSIGN_OR_RETURN(std::optional<PledgeIndex> idx, load<PledgeIndex>(s, keys::idx_asset(key)));
      const size_t running = idx ? idx->active.size() : 0;
      if (p.registry != AssetKind::kCopyright && running > 0) return codes::kPledgeAlreadyPledged;
      max_rank = std::max<uint32_t>(max_rank, static_cast<uint32_t>(running + 1));
      // (f) invalidation pending or same-day utility/invention: parties informed and insist.
      if ((a->invalidation_pending || a->same_day_dual) && !p.acknowledged) return codes::kPledgeAcknowledgementMissing;
    }
    // (e) no forfeiture (流质) clause.
    if (p.forfeiture) return codes::kPledgeForfeitureClause;
    IPL_RETURN_IF_ERROR(check_bundling(ctx, s, p, classes));
    p.status = PledgeStatus::kRegistered;
    p.reg_no = reg_no;
    p.reg_date = ctx.tx.value_date.yyyymmdd;
    p.rank = max_rank;
    p.sla_breached = p.sla_due != 0 && ctx.block.civil_date().yyyymmdd > p.sla_due;
    s.put(as_view(keys::pledge_no(reg_no)), Encoder().u64(p.id).take());
    for (const std::string& a : p.assets) IPL_RETURN_IF_ERROR(index_add(s, keys::idx_asset(a), p.id, true, true));
    IPL_RETURN_IF_ERROR(index_add(s, keys::idx_enterprise(p.pledgor), p.id, true, true));
    IPL_RETURN_IF_ERROR(index_add(s, keys::idx_member(p.pledgee), p.id, true, true));
    return codes::kOk;
  }

  // §4.2 bundling rule [D]: the pledgor's other in-force marks (expiry on
  // or after the value date) in a pledged mark's class that the pledge
  // leaves out. Sets p.bundling_warning and p.unbundled_marks; refuses nothing.
  Status check_bundling(const TxContext& ctx, const StateView& s, Pledge& p, std::vector<uint32_t> classes) const {
    IPL_ASSERT(classes.empty() || p.registry == AssetKind::kTrademark);
    IPL_ASSERT(classes.size() <= p.assets.size());
    std::sort(classes.begin(), classes.end());
    classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
    std::vector<std::string> left_out;
    for (uint32_t c : classes) {
      IPL_ASSIGN_OR_RETURN(std::optional<MarkIndex> idx, load<MarkIndex>(s, keys::idx_marks(p.pledgor, c)));
      if (!idx) continue;
      for (const auto& [key, expiry] : idx->marks) {
        if (CivilDate{expiry} < ctx.tx.value_date) continue;
        if (std::find(p.assets.begin(), p.assets.end(), key) != p.assets.end()) continue;
        left_out.push_back(key);
      }
    }
    std::sort(left_out.begin(), left_out.end());  // keys embed the class: distinct across classes
    p.bundling_warning = static_cast<uint32_t>(left_out.size());
    if (left_out.size() > kUnbundledMarksListed) left_out.resize(kUnbundledMarksListed);
    p.unbundled_marks = std::move(left_out);
    return Status::ok();
  }

  // Every pledged asset's expiry is on or after `date` (§4.1 (c), §4.2).
  Result<bool> within_ip_terms(const StateView& s, const Pledge& p, uint32_t date) const {
    for (const std::string& key : p.assets) {
      IPL_ASSIGN_OR_RETURN(std::optional<IpAsset> a, load<IpAsset>(s, key));
      if (!a) return Status::corruption("pledged asset missing");
      if (date > a->expiry) return false;
    }
    return true;
  }

  // The joint-filing step shared by change and extend (see the file
  // header). `f` holds the sender's terms. On ok, either stores `f` as the
  // pending filing (effective = false) or, when it matches the other
  // party's pending filing, clears it (effective = true): the caller
  // applies the terms.
  Result<std::string_view> file_jointly(TxContext& ctx, StateView& s, Pledge& p, PendingFiling f,
                                        bool& effective) const {
    IPL_ASSERT(f.kind != FilingKind::kNone);
    IPL_ASSERT(is_pledgor(ctx.sender, p) || is_pledgee(ctx.sender, p));
    const uint32_t today = ctx.tx.value_date.yyyymmdd;
    const PendingFiling& pending = p.pending;
    const bool from_other_party =
        pending.kind != FilingKind::kNone && (pending.filer == p.pledgee) != is_pledgee(ctx.sender, p);
    const bool lapsed = pending.kind != FilingKind::kNone && today > pending.expires_on;
    if (from_other_party && pending.same_terms(f)) {
      if (lapsed) return codes::kPledgeFilingExpired;
      // The terms were checked at the first filing; the register may have
      // moved since (a later snapshot), so the IP term is checked again.
      IPL_ASSIGN_OR_RETURN(bool fits, within_ip_terms(s, p, std::max(f.debt_due, f.term_end)));
      if (!fits) return codes::kPledgeTermBeyondIp;
      p.pending = PendingFiling{};
      effective = true;
      return codes::kOk;
    }
    if (from_other_party && !lapsed) return codes::kPledgeFilingMismatch;
    // A first filing (or the same party's new one, or one replacing a
    // lapsed filing).
    IPL_ASSIGN_OR_RETURN(int64_t window, param_or(s, "pledge.change_window_days", ctx.tx.value_date, 30));
    window = std::clamp<int64_t>(window, 0, 3660);
    const CivilDate from = f.kind == FilingKind::kChange ? CivilDate{f.change_date} : ctx.tx.value_date;
    if (f.kind == FilingKind::kChange && ctx.tx.value_date.days_since_epoch() - from.days_since_epoch() > window) {
      return codes::kPledgeChangeTooLate;
    }
    IPL_ASSIGN_OR_RETURN(bool fits, within_ip_terms(s, p, std::max(f.debt_due, f.term_end)));
    if (!fits) return codes::kPledgeTermBeyondIp;
    f.filer = ctx.sender.id;
    f.filed_on = today;
    f.expires_on = CivilDate::from_days_since_epoch(from.days_since_epoch() + window).yyyymmdd;
    IPL_ASSERT(f.expires_on >= today);
    p.pending = std::move(f);
    effective = false;
    return codes::kOk;
  }

  Result<std::string_view> change(TxContext& ctx, StateView& s, Pledge& p, const OpPayload& o,
                                  bool& effective) const {
    if (!pledge_is_active(p.status)) return codes::kPledgeBadState;
    if (!is_pledgor(ctx.sender, p) && !is_pledgee(ctx.sender, p)) return codes::kPledgeNotParty;
    const CivilDate changed{o.date};
    if (changed > ctx.tx.value_date || o.date < p.reg_date) return codes::kBadPayload;
    PendingFiling f;
    f.kind = FilingKind::kChange;
    f.change_date = o.date;
    f.amount_fen = o.amount_fen;
    f.debt_due = o.debt_due;
    f.scope = o.text;
    IPL_ASSIGN_OR_RETURN(std::string_view reason, file_jointly(ctx, s, p, f, effective));
    if (reason != codes::kOk || !effective) return reason;
    if (f.debt_due != 0) p.debt_due = f.debt_due;
    if (f.amount_fen != 0) p.amount_fen = f.amount_fen;
    if (!f.scope.empty()) p.scope = f.scope;
    p.status = PledgeStatus::kChanged;
    ++p.changes;
    return codes::kOk;
  }

  Result<std::string_view> extend(TxContext& ctx, StateView& s, Pledge& p, const OpPayload& o,
                                  bool& effective) const {
    if (p.registry != AssetKind::kTrademark) return codes::kPledgeExtendNotTrademark;
    if (!pledge_is_active(p.status)) return codes::kPledgeBadState;
    if (!is_pledgor(ctx.sender, p) && !is_pledgee(ctx.sender, p)) return codes::kPledgeNotParty;
    if (o.date <= p.term_end) return codes::kBadPayload;
    PendingFiling f;
    f.kind = FilingKind::kExtend;
    f.term_end = o.date;
    IPL_ASSIGN_OR_RETURN(std::string_view reason, file_jointly(ctx, s, p, f, effective));
    if (reason != codes::kOk || !effective) return reason;
    p.term_end = f.term_end;
    p.status = PledgeStatus::kExtended;
    return codes::kOk;
  }
};

}  // namespace

std::unique_ptr<Module> make_pledge_module() { return std::make_unique<PledgeModule>(); }

}  // namespace ipl::contracts
