// Attestations (DOMAIN.md Part A decision 4): external facts enter the
// ledger signed by the role responsible for them, and contracts use only
// attested facts.
//   attest.lpr          PBoC branch (role REGULATOR, org "PBOC"): the LPR of a month
//   attest.calendar     IPA: the holidays and make-up workdays of a year
//   attest.ip_fact      IPA: a patent/trademark/copyright's status, owners, pledge number
//   attest.bank_totals  BANK: its own branch's total loan and NPL balances of a month
// A later attestation of the same fact is a new version of the record (a
// correction); the version chain keeps the history.
#include <algorithm>

#include "common/limits.h"
#include "contracts/codes.h"
#include "contracts/module.h"

namespace ipl::contracts {

namespace {

constexpr std::string_view kLpr = "attest.lpr";
constexpr std::string_view kCalendar = "attest.calendar";
constexpr std::string_view kIpFact = "attest.ip_fact";
constexpr std::string_view kBankTotals = "attest.bank_totals";
constexpr std::string_view kPbocOrg = "PBOC";

// Payloads are the fact records without the attester (and, for bank
// totals, without member and branch, taken from the sender):
//   attest.lpr         = u32 month ‖ i64 rate_1y_ppm ‖ i64 rate_5y_ppm
//   attest.calendar    = u32 year ‖ list<date> holidays ‖ list<date> workdays
//   attest.ip_fact     = string number ‖ u8 kind ‖ string status ‖ list<string> owners ‖ string pledge_reg_no
//   attest.bank_totals = u32 month ‖ i64 loans_fen ‖ i64 npl_fen
// Each decodes by appending the attester field and reusing the record
// decoder, so payload and record grammars cannot drift apart.
Bytes with_attester(ByteView payload, const Bytes& prefix = {}) {
  Bytes b = prefix;
  b.insert(b.end(), payload.begin(), payload.end());
  const Bytes zero = Encoder().u64(0).take();
  b.insert(b.end(), zero.begin(), zero.end());
  return b;
}

Bytes bank_prefix() { return Encoder().u64(0).str("").take(); }

class AttestationModule final : public Module {
 public:
  std::string_view name() const override { return "attestations"; }
  std::vector<TxTypeSpec> types() const override {
    return {
        {std::string(kLpr), role_bit(Role::kRegulator)},
        {std::string(kCalendar), role_bit(Role::kIpa)},
        {std::string(kIpFact), role_bit(Role::kIpa)},
        {std::string(kBankTotals), role_bit(Role::kBank)},
    };
  }
  std::string_view validate(const TxBody& tx) const override {
    if (tx.type == kLpr) {
      auto f = LprFact::decode(with_attester(tx.payload));
      return f.is_ok() && month_ok(f->month) && f->rate_1y_ppm > 0 && f->rate_5y_ppm > 0 ? codes::kOk
                                                                                           : codes::kBadPayload;
    }
    if (tx.type == kCalendar) {
      auto f = CalendarFact::decode(with_attester(tx.payload));
      if (!f.is_ok() || f->year < 1900 || f->year > 9999) return codes::kBadPayload;
      for (const auto* list : {&f->holidays, &f->workdays}) {
        for (CivilDate d : *list) {
          if (d.yyyymmdd / 10000 != f->year) return codes::kBadCalendar;
        }
        if (!std::is_sorted(list->begin(), list->end()) ||
            std::adjacent_find(list->begin(), list->end()) != list->end()) {
          return codes::kBadCalendar;
        }
      }
      for (CivilDate d : f->holidays) {
        if (std::binary_search(f->workdays.begin(), f->workdays.end(), d)) return codes::kBadCalendar;
      }
      return codes::kOk;
    }
    if (tx.type == kIpFact) {
      auto f = IpFact::decode(with_attester(tx.payload));
      return f.is_ok() && !f->number.empty() && f->number.size() <= 64 ? codes::kOk : codes::kBadPayload;
    }
    IPL_ASSERT(tx.type == kBankTotals);
    auto f = BankTotals::decode(with_attester(tx.payload, bank_prefix()));
    if (!f.is_ok() || !month_ok(f->month)) return codes::kBadPayload;
    if (f->loans_fen < 0 || f->npl_fen < 0 || f->npl_fen > f->loans_fen) return codes::kBadTotals;
    return codes::kOk;
  }
  Result<std::string_view> apply(TxContext& ctx, StateView& s) const override {
    const uint64_t who = ctx.sender.id;
    std::string key;
    if (ctx.tx.type == kLpr) {
      if (ctx.sender.org != kPbocOrg) return codes::kWrongAttester;
      LprFact f = LprFact::decode(with_attester(ctx.tx.payload)).value();
      f.attester = who;
      key = keys::lpr(f.month);
      store(s, key, f);
    } else if (ctx.tx.type == kCalendar) {
      CalendarFact f = CalendarFact::decode(with_attester(ctx.tx.payload)).value();
      f.attester = who;
      key = keys::calendar(f.year);
      store(s, key, f);
    } else if (ctx.tx.type == kIpFact) {
      IpFact f = IpFact::decode(with_attester(ctx.tx.payload)).value();
      f.attester = who;
      key = keys::ip_fact(f.number);
      store(s, key, f);
    } else {
      IPL_ASSERT(ctx.tx.type == kBankTotals);
      if (ctx.sender.branch_code.empty()) return codes::kWrongAttester;
      BankTotals f = BankTotals::decode(with_attester(ctx.tx.payload, bank_prefix())).value();
      f.member = who;
      f.branch_code = ctx.sender.branch_code;
      f.attester = who;
      key = keys::bank_totals(who, f.month);
      store(s, key, f);
    }
    ctx.events.push_back(make_event("attestation.recorded", Encoder().str(key).take()));
    return codes::kOk;
  }
};

// The two-version test module of issue 3 scope 7: `test.counter` adds 1
// to "test/counter/<member>" under protocol v1 and 2 under v2. Its payload
// is empty. Only Registry::with_test_module() registers it.
class TestCounterModule final : public Module {
 public:
  std::string_view name() const override { return "test_counter"; }
  std::vector<TxTypeSpec> types() const override {
    return {{"test.counter", kAllRoles, 1, 2}, {"test.counter.v2only", kAllRoles, 2, 2}, {"test.spin", kAllRoles, 1, 2}};
  }
  std::string_view validate(const TxBody& tx) const override {
    if (tx.type == "test.spin") return tx.payload.size() == 4 ? codes::kOk : codes::kBadPayload;
    return tx.payload.empty() ? codes::kOk : codes::kBadPayload;
  }
  Result<std::string_view> apply(TxContext& ctx, StateView& s) const override {
    if (ctx.tx.type == "test.spin") {
      // Reads `n` keys: exercises the per-transaction work bound.
      Decoder d(ctx.tx.payload);
      uint32_t n = 0;
      if (!d.u32(n).is_ok()) return codes::kBadPayload;
      for (uint32_t i = 0; i < n && i <= limits::tx_state_ops_max; ++i) {
        IPL_ASSIGN_OR_RETURN(std::optional<Bytes> ignored, s.get(as_view("test/spin")));
        (void)ignored;
      }
      s.put(as_view("test/spin"), Encoder().u32(n).take());
      return codes::kOk;
    }
    const std::string key = "test/counter/" + std::to_string(ctx.sender.id);
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, s.get(as_view(key)));
    uint64_t v = 0;
    if (raw) {
      Decoder d(*raw);
      if (!d.u64(v).is_ok()) return Status::corruption("counter");
    }
    v += ctx.protocol_version >= 2 ? 2 : 1;
    s.put(as_view(key), Encoder().u64(v).take());
    return codes::kOk;
  }
};

}  // namespace

std::unique_ptr<Module> make_attestation_module() { return std::make_unique<AttestationModule>(); }
std::unique_ptr<Module> make_test_counter_module() { return std::make_unique<TestCounterModule>(); }

}  // namespace ipl::contracts
