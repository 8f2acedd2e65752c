// Records, keys and StateView readers of the enterprise, IP-asset and
// pledge-registration modules (issue 6; DOMAIN.md §3, §4). Grammars
// (primitives of common/encoding.h; udate = u32 yyyymmdd, 0 = none):
//   Enterprise = string uscc ‖ string name ‖ string region_code ‖ bool sme ‖ string sme_evidence
//                ‖ bool tech ‖ string tech_evidence ‖ u8 status ‖ u64 member_id ‖ u64 registered_by
//                ‖ bool org_code_warning
//   IpAsset    = u8 kind ‖ string number ‖ u32 nice_class ‖ u8 patent_type ‖ udate filing ‖ udate grant
//                ‖ udate expiry ‖ u8 status ‖ list<string owner> ‖ bool annuity_paid ‖ bool preservation_order
//                ‖ bool invalidation_pending ‖ bool same_day_dual ‖ u64 attester
//   Pledge     = u64 id ‖ u8 status ‖ u8 registry ‖ list<string asset_key> ‖ string pledgor ‖ list<string consent>
//                ‖ u64 pledgee ‖ u64 drafter ‖ string claim_kind ‖ i64 amount_fen ‖ udate debt_due ‖ udate term_end
//                ‖ string scope ‖ string contract_ref ‖ string appraisal_ref ‖ bool forfeiture ‖ bool acknowledged
//                ‖ string reg_no ‖ udate reg_date ‖ udate submitted_on ‖ udate sla_due ‖ bool sla_breached
//                ‖ u32 rank ‖ string end_reason ‖ u32 changes ‖ PendingFiling pending
//                ‖ u32 bundling_warning ‖ list<string unbundled_mark>
//   PendingFiling = u8 kind (0 none, 1 change, 2 extend) ‖ u64 filer ‖ udate filed_on ‖ udate expires_on
//                ‖ udate change_date ‖ i64 amount_fen ‖ udate debt_due ‖ udate term_end ‖ string scope
//                (all zero / empty when kind = 0)
//   PledgeIndex = list<u64 all> ‖ list<u64 active>      (ascending registration/creation order)
//   MarkIndex  = list<string asset_key ‖ udate expiry>   (ascending asset key)
// Keys: "ent/<uscc>", "ip/<kind>/<canonical>", "pledge/<id:016x>", "pledgeno/<reg_no>" (u64 id),
// "sys/pledge_seq" (u64), and the derived indexes "sys/idx/ip/<asset key>", "sys/idx/ent/<uscc>",
// "sys/idx/member/<id:016x>", "sys/idx/marks/<uscc>/<nice class>" (bookkeeping: exempt from the
// value_date chain rule so a back-dated registration of one pledge is not refused because of
// another pledge's date).
// Thread-safety: values only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/chain.h"
#include "common/state_view.h"
#include "contracts/records.h"

namespace ipl::contracts {

enum class EnterpriseStatus : uint8_t { kActive = 1, kSuspended, kDeregistered };
std::string_view enterprise_status_name(EnterpriseStatus s);
std::optional<EnterpriseStatus> enterprise_status_from_name(std::string_view n);

struct Enterprise {
  std::string uscc, name, region_code;
  bool sme = false;
  std::string sme_evidence;
  bool tech = false;
  std::string tech_evidence;
  EnterpriseStatus status = EnterpriseStatus::kActive;
  uint64_t member_id = 0;  // 0: no API key registered
  uint64_t registered_by = 0;
  bool org_code_warning = false;
  Bytes encode() const;
  static Result<Enterprise> decode(ByteView b);
};

enum class AssetKind : uint8_t { kPatent = 1, kTrademark, kCopyright, kSoftware };
std::string_view asset_kind_name(AssetKind k);
std::optional<AssetKind> asset_kind_from_name(std::string_view n);
// Whether the IPA member `sender` keeps the register of `kind` (Part B §1):
// copyrights and software the copyright bureau (org "SXCR"), patents and
// trademarks every other IPA member (the IP office, city IP bureaus).
bool keeps_register(const Member& sender, AssetKind kind);
enum class AssetStatus : uint8_t { kPending = 1, kInForce, kTerminated, kInvalidated, kExpired, kRevoked };
std::string_view asset_status_name(AssetStatus s);
std::optional<AssetStatus> asset_status_from_name(std::string_view n);

struct IpAsset {
  AssetKind kind = AssetKind::kPatent;
  std::string number;  // canonical
  uint32_t nice_class = 0;
  uint8_t patent_type = 0;  // ids::PatentType, patents only
  uint32_t filing = 0, grant = 0, expiry = 0;
  AssetStatus status = AssetStatus::kPending;
  std::vector<std::string> owners;  // USCC (or ID) strings, sorted
  bool annuity_paid = true, preservation_order = false, invalidation_pending = false, same_day_dual = false;
  uint64_t attester = 0;
  Bytes encode() const;
  static Result<IpAsset> decode(ByteView b);
};

enum class PledgeStatus : uint8_t {
  kDraft = 1, kSubmitted, kRegistered, kRefused, kChanged, kExtended, kReleased, kRevoked, kEnforced,
};
std::string_view pledge_status_name(PledgeStatus s);
// Registered, changed or extended: the pledge is running.
inline bool pledge_is_active(PledgeStatus s) {
  return s == PledgeStatus::kRegistered || s == PledgeStatus::kChanged || s == PledgeStatus::kExtended;
}

// A change or a trademark term extension filed by one party and waiting
// for the other party's identical filing (joint filing, DOMAIN.md §4.1,
// §4.2, §4.3): it takes effect on the counter-party's matching filing and
// lapses after `expires_on` (value dates).
enum class FilingKind : uint8_t { kNone = 0, kChange = 1, kExtend = 2 };
std::string_view filing_kind_name(FilingKind k);
struct PendingFiling {
  FilingKind kind = FilingKind::kNone;
  uint64_t filer = 0;       // member id of the first filer
  uint32_t filed_on = 0;    // the first filing's value date
  uint32_t expires_on = 0;  // the last value date of an accepted counter-filing
  uint32_t change_date = 0;  // change: the date the change happened
  int64_t amount_fen = 0;    // change: 0 unchanged
  uint32_t debt_due = 0;     // change: 0 unchanged
  uint32_t term_end = 0;     // extend: the new pledge term end
  std::string scope;         // change: empty unchanged
  // Same kind and same terms (filer and dates of filing aside).
  bool same_terms(const PendingFiling& o) const {
    return kind == o.kind && change_date == o.change_date && amount_fen == o.amount_fen && debt_due == o.debt_due &&
           term_end == o.term_end && scope == o.scope;
  }
};

// At most this many of the pledgor's unpledged same-class marks are listed
// in a pledge record and its bundling-warning event (the count is exact).
inline constexpr size_t kUnbundledMarksListed = 64;

struct Pledge {
  uint64_t id = 0;
  PledgeStatus status = PledgeStatus::kDraft;
  AssetKind registry = AssetKind::kPatent;  // software pledges go to the copyright registry
  std::vector<std::string> assets;          // asset keys
  std::string pledgor;                      // USCC
  std::vector<std::string> consent;         // co-owners' USCCs that consented
  uint64_t pledgee = 0, drafter = 0;
  std::string claim_kind;
  int64_t amount_fen = 0;
  uint32_t debt_due = 0, term_end = 0;
  std::string scope, contract_ref, appraisal_ref;
  bool forfeiture = false, acknowledged = false;
  std::string reg_no;
  uint32_t reg_date = 0, submitted_on = 0, sla_due = 0;
  bool sla_breached = false;
  uint32_t rank = 0;
  std::string end_reason;
  uint32_t changes = 0;
  PendingFiling pending;  // kind kNone: nothing pending
  // Trademarks (§4.2 bundling rule, a warning, not a refusal): at
  // registration, the number of other in-force marks the pledgor holds in
  // a pledged mark's Nice class that the pledge leaves out, and the first
  // kUnbundledMarksListed of their asset keys (ascending).
  uint32_t bundling_warning = 0;
  std::vector<std::string> unbundled_marks;
  Bytes encode() const;
  static Result<Pledge> decode(ByteView b);
};

struct PledgeIndex {
  std::vector<uint64_t> all, active;
  Bytes encode() const;
  static Result<PledgeIndex> decode(ByteView b);
};

// The in-force trademarks one owner holds in one Nice class, kept by
// ip.snapshot for the bundling warning of §4.2: (asset key, expiry),
// ascending by asset key. Only canonical USCC owners are indexed (only
// they can be pledgors).
struct MarkIndex {
  std::vector<std::pair<std::string, uint32_t>> marks;
  Bytes encode() const;
  static Result<MarkIndex> decode(ByteView b);
};

namespace keys {
std::string enterprise(std::string_view uscc);
std::string asset(AssetKind k, std::string_view canonical);
std::string pledge(uint64_t id);
std::string pledge_no(std::string_view reg_no);
inline constexpr std::string_view kPledgeSeq = "sys/pledge_seq";
std::string idx_asset(std::string_view asset_key);
std::string idx_enterprise(std::string_view uscc);
std::string idx_member(uint64_t id);
std::string idx_marks(std::string_view uscc, uint32_t nice_class);
}  // namespace keys

// The date `years` years after `d`, minus one day (the last day of a term
// counted from `d`); 29 Feb maps to 28 Feb in a non-leap year.
CivilDate term_end(CivilDate d, uint32_t years);
// `n` working days after `from` per the attested calendars; nullopt if a
// year on the way has no attested calendar. Bounded: n <= 60. Reads a
// module's (unwrapped) transaction view, as is_working_day does committed state.
Result<std::optional<CivilDate>> add_working_days(const StateView& s, CivilDate from, uint32_t n);

// Readers over committed state (RecordBody-wrapped, as contracts/queries.h):
// the API's future queries.
Result<std::optional<Enterprise>> enterprise_of(const StateView& s, std::string_view uscc);
Result<std::optional<IpAsset>> asset_of(const StateView& s, std::string_view asset_key);
Result<std::optional<Pledge>> pledge_of(const StateView& s, uint64_t id);
// An IP asset's pledges, all in creation order (history), and the running
// ones in priority order (registration order; rank 1 first).
struct AssetPledges {
  std::vector<Pledge> history;
  std::vector<uint64_t> active_by_priority;
  bool is_pledged() const { return !active_by_priority.empty(); }
};
Result<AssetPledges> pledges_of_asset(const StateView& s, std::string_view asset_key);
Result<std::vector<Pledge>> pledges_of_enterprise(const StateView& s, std::string_view uscc);
Result<std::vector<Pledge>> pledges_of_member(const StateView& s, uint64_t member_id);
// The in-force trademarks `uscc` holds in Nice class `nice_class` (empty
// when none).
Result<MarkIndex> marks_of_owner(const StateView& s, std::string_view uscc, uint32_t nice_class);

// Modules (registered by Registry::standard()); enterprise.cc also holds ip.snapshot.
class Module;
std::unique_ptr<Module> make_enterprise_module();
std::unique_ptr<Module> make_pledge_module();

}  // namespace ipl::contracts
