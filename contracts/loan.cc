// The loan module (issue 7 scope 1; DOMAIN.md §2.1–§2.2, §5, §9.2). All
// types are sent by the lending bank branch (role BANK; any other bank is
// loan.not_lender):
//   loan.contract     a loan contract: borrower (a registered, active enterprise), principal, contract
//                     rate (ppm a year), day-count basis, term, maturity, repayment schedule, linked
//                     pledges, IP share and its source, an optional scheme whose rate and term caps apply
//   loan.link_pledge  links a further pledge (e.g. registered after the contract)
//   loan.disburse     the drawdown of the whole principal; interest accrues from its value date
//   loan.repay        a repayment of principal due and/or billed interest (never ahead: see prepay)
//   loan.prepay       an early repayment of principal not yet due (shortening the term or reducing the
//                     installments); a full prepayment bills the interest accrued to its date
//   loan.extend       an extension (展期) approved before maturity: a new schedule for the principal not
//                     yet due, a later maturity
//   loan.classify     the bank's classification; a class better than the days-past-due floor is refused
//   loan.settle       settlement: nothing outstanding; records on-time and the subsidy timing guard
//   loan.write_off    write-off (核销) of an NPL loan
// Loan arithmetic, overdue days and the record grammar: contracts/loan_records.h.
// Value dates (decision 7): each event's date is its transaction's value
// date; the executor refuses one that goes back along the loan record's
// chain (and apply refuses one before the last accrual date the same way).
// Timing guards (§5), recorded for the subsidy and risk-compensation
// modules: at settlement, a linked pledge registered no later than the
// settlement date (interest subsidy); at the first NPL classification, one
// registered no later than that date (risk compensation).
// Scheme caps (§5 "interest-rate cap on eligible loans"), governed
// parameters read at the contract's value date, each optional:
//   loan.scheme.<name>.rate_cap_lpr_spread_ppm    rate <= LPR + spread (Jiangsu: 8000)
//   loan.scheme.<name>.rate_cap_lpr_multiple_ppm  rate <= LPR × multiple (Beijing: 1400000)
//   loan.scheme.<name>.term_months_max            term <= this (Jiangsu: 36)
// A scheme without any of them is loan.unknown_scheme. The LPR in force on
// a date is the attested 1-year LPR of its month from the 20th (the
// publication day), else of the month before (§2.2).
#include <algorithm>

#include "contracts/codes.h"
#include "contracts/ids.h"
#include "contracts/ip_records.h"
#include "contracts/loan_records.h"
#include "contracts/module.h"
#include "contracts/record_codec.h"

namespace ipl::contracts {

namespace {

constexpr std::string_view kContract = "loan.contract";
constexpr std::string_view kLinkPledge = "loan.link_pledge";
constexpr std::string_view kDisburse = "loan.disburse";
constexpr std::string_view kRepay = "loan.repay";
constexpr std::string_view kPrepay = "loan.prepay";
constexpr std::string_view kExtend = "loan.extend";
constexpr std::string_view kClassify = "loan.classify";
constexpr std::string_view kSettle = "loan.settle";
constexpr std::string_view kWriteOff = "loan.write_off";

// Payloads (udate = u32 yyyymmdd):
//   loan.contract    = string borrower ‖ string contract_ref ‖ i64 principal_fen ‖ i64 rate_ppm ‖ u8 day_count
//                      ‖ u32 term_months ‖ udate maturity ‖ list<udate due ‖ i64 principal_fen> schedule
//                      ‖ list<u64 pledge_id> ‖ u32 ip_share_ppm ‖ u8 ip_share_source ‖ string scheme
//   loan.link_pledge = u64 loan ‖ u64 pledge_id
//   loan.disburse    = u64 loan ‖ i64 amount_fen
//   loan.repay       = u64 loan ‖ i64 principal_fen ‖ i64 interest_fen ‖ u8 source
//   loan.prepay      = u64 loan ‖ i64 principal_fen ‖ i64 interest_fen ‖ u8 source ‖ u8 mode
//   loan.extend      = u64 loan ‖ udate maturity ‖ list<udate due ‖ i64 principal_fen> schedule
//   loan.classify    = u64 loan ‖ u8 class
//   loan.settle      = u64 loan
//   loan.write_off   = u64 loan
struct Item {
  uint32_t due = 0;
  int64_t principal_fen = 0;
};
struct ContractPayload {
  std::string borrower, contract_ref, scheme;
  int64_t principal_fen = 0, rate_ppm = 0;
  uint8_t day_count = 1;
  uint32_t term_months = 0, maturity = 0;
  std::vector<Item> schedule;
  std::vector<uint64_t> pledges;
  uint32_t ip_share_ppm = 0;
  uint8_t ip_share_source = 0;
};
struct OpPayload {
  uint64_t loan = 0;
  uint64_t pledge = 0;          // link_pledge
  int64_t amount_fen = 0;       // disburse; repay/prepay principal
  int64_t interest_fen = 0;     // repay/prepay
  uint8_t source = 1;           // repay/prepay
  uint8_t mode = 1;             // prepay
  uint8_t cls = 1;              // classify
  uint32_t maturity = 0;        // extend
  std::vector<Item> schedule;   // extend
};


Status get_schedule(Decoder& d, std::vector<Item>& out) {
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, kScheduleMax, 12));
  out.resize(n);
  for (Item& i : out) {
    IPL_RETURN_IF_ERROR(get_required_date(d, i.due));
    IPL_RETURN_IF_ERROR(d.i64(i.principal_fen));
  }
  return Status::ok();
}

Result<ContractPayload> decode_contract(ByteView b) {
  Decoder d(b);
  ContractPayload c;
  IPL_RETURN_IF_ERROR(d.str(c.borrower, 64));
  IPL_RETURN_IF_ERROR(d.str(c.contract_ref, 64));
  IPL_RETURN_IF_ERROR(d.i64(c.principal_fen));
  IPL_RETURN_IF_ERROR(d.i64(c.rate_ppm));
  IPL_RETURN_IF_ERROR(d.u8(c.day_count));
  IPL_RETURN_IF_ERROR(d.u32(c.term_months));
  IPL_RETURN_IF_ERROR(get_required_date(d, c.maturity));
  IPL_RETURN_IF_ERROR(get_schedule(d, c.schedule));
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, kLoanPledgesMax, 8));
  c.pledges.resize(n);
  for (uint64_t& p : c.pledges) IPL_RETURN_IF_ERROR(d.u64(p));
  IPL_RETURN_IF_ERROR(d.u32(c.ip_share_ppm));
  IPL_RETURN_IF_ERROR(d.u8(c.ip_share_source));
  IPL_RETURN_IF_ERROR(d.str(c.scheme, 32));
  IPL_RETURN_IF_ERROR(d.finish());
  // Ranges (tx.bad_payload).
  if (c.contract_ref.empty() || c.principal_fen <= 0 || c.principal_fen > kLoanPrincipalMax || c.rate_ppm < 0 ||
      c.rate_ppm > kRatePpmMax || c.day_count < 1 || c.day_count > 2 || c.ip_share_ppm > kPpm ||
      c.ip_share_source > 2) {
    return Status::invalid("loan contract field out of range");
  }
  for (char ch : c.scheme) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return Status::invalid("scheme name");
  }
  std::vector<uint64_t> sorted = c.pledges;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return Status::invalid("duplicate pledge");
  return c;
}

Result<OpPayload> decode_op(std::string_view type, ByteView b) {
  Decoder d(b);
  OpPayload o;
  IPL_RETURN_IF_ERROR(d.u64(o.loan));
  if (type == kLinkPledge) {
    IPL_RETURN_IF_ERROR(d.u64(o.pledge));
  } else if (type == kDisburse) {
    IPL_RETURN_IF_ERROR(d.i64(o.amount_fen));
    if (o.amount_fen <= 0) return Status::invalid("amount");
  } else if (type == kRepay || type == kPrepay) {
    IPL_RETURN_IF_ERROR(d.i64(o.amount_fen));
    IPL_RETURN_IF_ERROR(d.i64(o.interest_fen));
    IPL_RETURN_IF_ERROR(d.u8(o.source));
    if (type == kPrepay) IPL_RETURN_IF_ERROR(d.u8(o.mode));
    if (o.amount_fen < 0 || o.interest_fen < 0 || o.amount_fen > kLoanPrincipalMax ||
        o.interest_fen > kLoanPrincipalMax || o.source < 1 || o.source > 5 || o.mode < 1 || o.mode > 2) {
      return Status::invalid("payment field out of range");
    }
    if (type == kRepay && o.amount_fen + o.interest_fen == 0) return Status::invalid("empty repayment");
    if (type == kPrepay && o.amount_fen == 0) return Status::invalid("a prepayment repays principal");
  } else if (type == kExtend) {
    IPL_RETURN_IF_ERROR(get_required_date(d, o.maturity));
    IPL_RETURN_IF_ERROR(get_schedule(d, o.schedule));
  } else if (type == kClassify) {
    IPL_RETURN_IF_ERROR(d.u8(o.cls));
    if (o.cls < 1 || o.cls > 5) return Status::invalid("class");
  }
  IPL_RETURN_IF_ERROR(d.finish());
  return o;
}

// A schedule is ascending, after `after`, ends on `maturity` with
// principal, has no negative installment and sums to `total` (when
// total >= 0). Returns the reason.
std::string_view check_schedule(const std::vector<Item>& items, uint32_t after, uint32_t maturity, int64_t total) {
  if (items.empty() || items.front().due <= after || items.back().due != maturity || items.back().principal_fen <= 0) {
    return codes::kLoanBadSchedule;
  }
  int64_t sum = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].principal_fen < 0 || items[i].principal_fen > kLoanPrincipalMax) return codes::kLoanBadSchedule;
    if (i > 0 && items[i].due <= items[i - 1].due) return codes::kLoanBadSchedule;
    sum += items[i].principal_fen;  // <= 360 × 1e15: no overflow
    if (sum > kLoanPrincipalMax) return codes::kLoanBadSchedule;
  }
  if (total >= 0 && sum != total) return codes::kLoanBadSchedule;
  return codes::kOk;
}

Result<std::optional<int64_t>> param_in_force(const StateView& s, const std::string& name, CivilDate date) {
  IPL_ASSIGN_OR_RETURN(std::optional<ParamRecord> p, load<ParamRecord>(s, keys::param(name)));
  if (!p) return std::optional<int64_t>();
  const ParamVersion* v = p->at(date);
  return v ? std::optional<int64_t>(v->value) : std::optional<int64_t>();
}

uint32_t lpr_month_in_force(uint32_t date) {
  const uint32_t month = date / 100;
  if (date % 100 >= 20) return month;
  return month % 100 == 1 ? (month / 100 - 1) * 100 + 12 : month - 1;
}

Result<uint64_t> next_id(StateView& s, std::string_view seq_key) {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, s.get(as_view(seq_key)));
  uint64_t last = 0;
  if (raw) {
    Decoder d(*raw);
    if (!d.u64(last).is_ok() || !d.finish().is_ok()) return Status::corruption(std::string(seq_key));
  }
  s.put(as_view(seq_key), Encoder().u64(last + 1).take());
  return last + 1;
}

// The earliest registration date of a linked pledge (the module-side
// twin of first_pledge_reg_date, over the transaction's view).
Result<uint32_t> earliest_reg_date(const StateView& s, const Loan& l) {
  uint32_t first = 0;
  for (const LoanPledge& lp : l.pledges) {
    IPL_ASSIGN_OR_RETURN(std::optional<Pledge> p, load<Pledge>(s, keys::pledge(lp.pledge_id)));
    if (!p) return Status::corruption("loan links a missing pledge");
    if (p->reg_date == 0 || p->status == PledgeStatus::kRevoked) continue;
    if (first == 0 || p->reg_date < first) first = p->reg_date;
  }
  return first;
}

Result<std::pair<Guard, uint32_t>> evaluate_guard(const StateView& s, const Loan& l, uint32_t date) {
  IPL_ASSIGN_OR_RETURN(uint32_t reg, earliest_reg_date(s, l));
  return std::make_pair(reg != 0 && reg <= date ? Guard::kMet : Guard::kNotMet, reg);
}

bool all_billed(const Loan& l) { return l.schedule.empty() || l.schedule.back().billed; }

void note_overdue(Loan& l, uint32_t dpd) {
  l.max_dpd = std::max(l.max_dpd, dpd);
  if (dpd > 0) l.ever_overdue = true;
}

// Takes `amount` off the installments not yet billed (principal), by mode:
// shorten takes from the last ones (缩短期限), reduce prorates (减少月供);
// installments left with nothing at the end are dropped and the maturity
// moves to the last one. Requires 0 < amount < their sum.
void reduce_future(Loan& l, int64_t amount, PrepayMode mode) {
  size_t first = 0;
  while (first < l.schedule.size() && l.schedule[first].billed) ++first;
  IPL_ASSERT(first < l.schedule.size());
  int64_t sum = 0;
  for (size_t i = first; i < l.schedule.size(); ++i) sum += l.schedule[i].principal_fen;
  IPL_ASSERT(amount > 0 && amount < sum);
  if (mode == PrepayMode::kShorten) {
    int64_t left = amount;
    for (size_t i = l.schedule.size(); i-- > first && left > 0;) {
      const int64_t take = std::min(left, l.schedule[i].principal_fen);
      l.schedule[i].principal_fen -= take;
      left -= take;
    }
    IPL_ASSERT(left == 0);
  } else {
    std::vector<int64_t> weights;
    for (size_t i = first; i < l.schedule.size(); ++i) weights.push_back(l.schedule[i].principal_fen);
    const std::vector<int64_t> shares = prorate_largest_remainder(weights, sum - amount);
    for (size_t i = first; i < l.schedule.size(); ++i) l.schedule[i].principal_fen = shares[i - first];
  }
  while (l.schedule.size() > first && l.schedule.back().principal_fen == 0) l.schedule.pop_back();
  IPL_ASSERT(l.schedule.size() > first);  // something is left: amount < sum
  l.maturity = l.schedule.back().due;
}

class LoanModule final : public Module {
 public:
  std::string_view name() const override { return "loan"; }
  std::vector<TxTypeSpec> types() const override {
    const RoleMask bank = role_bit(Role::kBank);
    std::vector<TxTypeSpec> out;
    for (std::string_view t : {kContract, kLinkPledge, kDisburse, kRepay, kPrepay, kExtend, kClassify, kSettle, kWriteOff}) {
      out.push_back({std::string(t), bank});
    }
    return out;
  }

  std::string_view validate(const TxBody& tx) const override {
    const uint32_t today = tx.value_date.yyyymmdd;
    if (tx.type == kContract) {
      auto c = decode_contract(tx.payload);
      if (!c.is_ok()) return codes::kBadPayload;
      const ids::Uscc u = ids::check_uscc(c->borrower);
      if (u.reason != codes::kOk) return u.reason;
      if (c->ip_share_ppm > 0 && c->ip_share_source == 0) return codes::kLoanIpShareSourceMissing;
      // The term and the maturity agree: the maturity falls in the term's
      // last month.
      if (c->term_months < 1 || c->term_months > kTermMonthsMax || c->maturity > add_months(today, c->term_months) ||
          c->maturity <= add_months(today, c->term_months - 1)) {
        return codes::kLoanBadSchedule;
      }
      return check_schedule(c->schedule, today, c->maturity, c->principal_fen);
    }
    auto o = decode_op(tx.type, tx.payload);
    if (!o.is_ok()) return codes::kBadPayload;
    if (tx.type == kExtend) return check_schedule(o->schedule, today, o->maturity, -1);
    return codes::kOk;
  }

  Result<std::string_view> apply(TxContext& ctx, StateView& s) const override {
    if (ctx.tx.type == kContract) return contract(ctx, s);
    const OpPayload o = std::move(decode_op(ctx.tx.type, ctx.tx.payload).value());
    IPL_ASSIGN_OR_RETURN(std::optional<Loan> found, load<Loan>(s, keys::loan(o.loan)));
    if (!found) return codes::kLoanUnknown;
    Loan l = std::move(*found);
    if (l.bank != ctx.sender.id) return codes::kLoanNotLender;
    const uint32_t today = ctx.tx.value_date.yyyymmdd;
    const std::string_view type = ctx.tx.type;
    if (type == kLinkPledge) {
      if (l.status != LoanStatus::kContracted && l.status != LoanStatus::kActive) return codes::kLoanBadState;
      if (l.pledges.size() >= kLoanPledgesMax) return codes::kLoanHistoryFull;
      IPL_ASSIGN_OR_RETURN(std::string_view r, check_pledge(s, l, o.pledge));
      if (r != codes::kOk) return r;
      link(s, l, o.pledge, today);
      ctx.events.push_back(make_event("loan.pledge_linked", Encoder().u64(l.id).u64(o.pledge).take()));
      store(s, keys::loan(l.id), l);
      return codes::kOk;
    }
    if (type == kDisburse) {
      if (l.status != LoanStatus::kContracted) return codes::kLoanBadState;
      if (o.amount_fen != l.principal_fen) return codes::kLoanAmountMismatch;
      if (today < l.start || today >= l.schedule.front().due) return codes::kLoanBadDate;
      l.status = LoanStatus::kActive;
      l.disbursed_on = today;
      l.disbursed_fen = o.amount_fen;
      l.accrual_from = today;
      store(s, keys::loan(l.id), l);
      ctx.events.push_back(make_event("loan.disbursed", Encoder().u64(l.id).i64(o.amount_fen).take()));
      return codes::kOk;
    }
    // Everything else runs on an active loan, rolled to the value date.
    if (l.status != LoanStatus::kActive) return codes::kLoanBadState;
    if (today < l.accrual_from) return codes::kValueDateBackwards;
    roll_to(l, today);
    std::string_view reason = codes::kOk;
    if (type == kRepay) {
      reason = repay(ctx, l, o);
    } else if (type == kPrepay) {
      reason = prepay(ctx, l, o);
    } else if (type == kExtend) {
      reason = extend(ctx, l, o);
    } else if (type == kClassify) {
      IPL_ASSIGN_OR_RETURN(reason, classify(ctx, s, l, static_cast<LoanClass>(o.cls)));
    } else if (type == kSettle) {
      IPL_ASSIGN_OR_RETURN(reason, settle(ctx, s, l));
    } else {
      IPL_ASSERT(type == kWriteOff);
      reason = write_off(ctx, l);
    }
    if (reason != codes::kOk) return reason;
    store(s, keys::loan(l.id), l);
    return codes::kOk;
  }

 private:
  Result<std::string_view> contract(TxContext& ctx, StateView& s) const {
    ContractPayload c = std::move(decode_contract(ctx.tx.payload).value());
    const CivilDate today = ctx.tx.value_date;
    Loan l;
    l.borrower = ids::check_uscc(c.borrower).canonical;
    IPL_ASSIGN_OR_RETURN(std::optional<Enterprise> ent, load<Enterprise>(s, keys::enterprise(l.borrower)));
    if (!ent) return codes::kEnterpriseUnknown;
    if (ent->status != EnterpriseStatus::kActive) return codes::kEnterpriseInactive;
    const std::string ref_key = keys::loan_ref(ctx.sender.id, c.contract_ref);
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> taken, s.get(as_view(ref_key)));
    if (taken) return codes::kLoanRefTaken;
    IPL_ASSIGN_OR_RETURN(uint64_t book, book_count(s, keys::idx_bank_loans(ctx.sender.id)));
    IPL_ASSIGN_OR_RETURN(uint64_t ent_book, book_count(s, keys::idx_enterprise_loans(l.borrower)));
    if (book >= kBookMax || ent_book >= kBookMax) return codes::kLoanBookFull;
    if (!c.scheme.empty()) {
      IPL_ASSIGN_OR_RETURN(std::string_view r, check_scheme(s, c, today));
      if (r != codes::kOk) return r;
    }
    l.bank = ctx.sender.id;
    l.branch_code = ctx.sender.branch_code;
    l.contract_ref = c.contract_ref;
    l.scheme = c.scheme;
    l.principal_fen = c.principal_fen;
    l.rate_ppm = c.rate_ppm;
    l.day_count = static_cast<DayCount>(c.day_count);
    l.term_months = c.term_months;
    l.start = today.yyyymmdd;
    l.maturity = l.original_maturity = c.maturity;
    l.ip_share_ppm = c.ip_share_ppm;
    l.ip_share_source = static_cast<ShareSource>(c.ip_share_source);
    l.eligible_principal_fen = ip_part(l, l.principal_fen);
    for (const Item& i : c.schedule) l.schedule.push_back(Installment{i.due, i.principal_fen, 0, false, ItemOrigin::kContract});
    for (uint64_t p : c.pledges) {
      IPL_ASSIGN_OR_RETURN(std::string_view r, check_pledge(s, l, p));
      if (r != codes::kOk) return r;
    }
    IPL_ASSIGN_OR_RETURN(l.id, next_id(s, keys::kLoanSeq));
    for (uint64_t p : c.pledges) link(s, l, p, today.yyyymmdd);
    IPL_ASSIGN_OR_RETURN(bool added, book_append(s, keys::idx_bank_loans(l.bank), l.id));
    IPL_ASSIGN_OR_RETURN(bool ent_added, book_append(s, keys::idx_enterprise_loans(l.borrower), l.id));
    IPL_ASSERT(added && ent_added);  // sizes checked above
    s.put(as_view(ref_key), Encoder().u64(l.id).take());
    store(s, keys::loan(l.id), l);
    ctx.events.push_back(make_event("loan.contracted", Encoder().u64(l.id).str(l.borrower).i64(l.principal_fen).take()));
    return codes::kOk;
  }

  Result<std::string_view> check_scheme(const StateView& s, const ContractPayload& c, CivilDate today) const {
    const std::string prefix = "loan.scheme." + c.scheme + ".";
    IPL_ASSIGN_OR_RETURN(std::optional<int64_t> spread, param_in_force(s, prefix + "rate_cap_lpr_spread_ppm", today));
    IPL_ASSIGN_OR_RETURN(std::optional<int64_t> multiple, param_in_force(s, prefix + "rate_cap_lpr_multiple_ppm", today));
    IPL_ASSIGN_OR_RETURN(std::optional<int64_t> term_max, param_in_force(s, prefix + "term_months_max", today));
    if (!spread && !multiple && !term_max) return codes::kLoanUnknownScheme;
    if (term_max && c.term_months > *term_max) return codes::kLoanTermAboveCap;
    if (!spread && !multiple) return codes::kOk;
    IPL_ASSIGN_OR_RETURN(std::optional<LprFact> lpr, load<LprFact>(s, keys::lpr(lpr_month_in_force(today.yyyymmdd))));
    if (!lpr) return codes::kLoanLprMissing;
    // Each cap set applies; parameters are non-negative and an LPR is a
    // few percent, so the caps fit easily (mul_div_round is checked).
    if (spread && c.rate_ppm > lpr->rate_1y_ppm + std::min<int64_t>(*spread, kRatePpmMax)) return codes::kLoanRateAboveCap;
    if (multiple) {
      const std::optional<int64_t> cap = mul_div_round(lpr->rate_1y_ppm, std::min<int64_t>(*multiple, 100 * kPpm), kPpm);
      if (!cap || c.rate_ppm > *cap) return codes::kLoanRateAboveCap;
    }
    return codes::kOk;
  }

  // Whether pledge `id` may secure `l` (§5, the Shanxi condition "the
  // enterprise's own IP"; Beijing's "pledgee a bank or a guarantor").
  Result<std::string_view> check_pledge(const StateView& s, const Loan& l, uint64_t id) const {
    IPL_ASSIGN_OR_RETURN(std::optional<Pledge> p, load<Pledge>(s, keys::pledge(id)));
    if (!p) return codes::kPledgeUnknown;
    if (p->status == PledgeStatus::kRefused || p->status == PledgeStatus::kRevoked ||
        p->status == PledgeStatus::kReleased || p->status == PledgeStatus::kEnforced) {
      return codes::kLoanPledgeUnusable;
    }
    if (p->pledgor != l.borrower) return codes::kLoanPledgeNotBorrowers;
    if (p->pledgee != l.bank) {
      IPL_ASSIGN_OR_RETURN(std::optional<Member> m, load<Member>(s, keys::member(p->pledgee)));
      if (!m || m->role != Role::kGuar) return codes::kLoanPledgeWrongPledgee;
    }
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> linked, s.get(as_view(keys::idx_pledge_loan(id))));
    if (linked) return codes::kLoanPledgeTaken;
    return codes::kOk;
  }

  void link(StateView& s, Loan& l, uint64_t pledge_id, uint32_t date) const {
    IPL_ASSERT(l.id != 0);
    IPL_ASSERT(l.pledges.size() < kLoanPledgesMax);
    l.pledges.push_back(LoanPledge{pledge_id, date});
    s.put(as_view(keys::idx_pledge_loan(pledge_id)), Encoder().u64(l.id).take());
  }

  std::string_view repay(TxContext& ctx, Loan& l, const OpPayload& o) const {
    const uint32_t today = ctx.tx.value_date.yyyymmdd;
    if (all_billed(l) && !bill_closing(l, false)) return codes::kLoanHistoryFull;
    const uint32_t dpd = overdue_days(l, today);
    note_overdue(l, dpd);
    if (o.amount_fen > principal_due(l, today) || o.interest_fen > interest_due(l)) return codes::kLoanOverpayment;
    if (l.payments.size() >= kLoanListMax) return codes::kLoanHistoryFull;
    l.principal_paid_fen += o.amount_fen;
    l.interest_paid_fen += o.interest_fen;
    l.payments.push_back(Payment{today, PaymentKind::kRepayment, static_cast<PaymentSource>(o.source), o.amount_fen,
                                 o.interest_fen, dpd});
    ctx.events.push_back(
        make_event("loan.repaid", Encoder().u64(l.id).i64(o.amount_fen).i64(o.interest_fen).u32(dpd).take()));
    return codes::kOk;
  }

  std::string_view prepay(TxContext& ctx, Loan& l, const OpPayload& o) const {
    const uint32_t today = ctx.tx.value_date.yyyymmdd;
    // Overdue principal is repaid first (loan.repay); after the last
    // installment everything is due, so nothing can be prepaid.
    if (principal_due(l, today) > 0 || all_billed(l)) return codes::kLoanInArrears;
    const int64_t outstanding = l.outstanding_fen();
    if (o.amount_fen > outstanding) return codes::kLoanOverpayment;
    const bool full = o.amount_fen == outstanding;
    if (full && !bill_closing(l, true)) return codes::kLoanHistoryFull;
    if (o.interest_fen > interest_due(l)) return codes::kLoanOverpayment;
    if (o.interest_fen < interest_due(l)) return codes::kLoanInArrears;
    if (l.payments.size() >= kLoanListMax) return codes::kLoanHistoryFull;
    const uint32_t dpd = overdue_days(l, today);
    note_overdue(l, dpd);
    if (!full) reduce_future(l, o.amount_fen, static_cast<PrepayMode>(o.mode));
    l.principal_paid_fen += o.amount_fen;
    l.prepaid_fen += o.amount_fen;
    l.interest_paid_fen += o.interest_fen;
    l.payments.push_back(Payment{today, PaymentKind::kPrepayment, static_cast<PaymentSource>(o.source), o.amount_fen,
                                 o.interest_fen, dpd});
    IPL_ASSERT(!full || l.outstanding_fen() == 0);
    ctx.events.push_back(
        make_event("loan.prepaid", Encoder().u64(l.id).i64(o.amount_fen).i64(o.interest_fen).boolean(full).take()));
    return codes::kOk;
  }

  std::string_view extend(TxContext& ctx, Loan& l, const OpPayload& o) const {
    const uint32_t today = ctx.tx.value_date.yyyymmdd;
    // Approved before maturity (§6.5 [D]): on the maturity date it is late.
    if (today >= l.maturity) return codes::kLoanExtensionTooLate;
    const uint32_t dpd = overdue_days(l, today);
    note_overdue(l, dpd);
    if (dpd > 0) return codes::kLoanInArrears;
    // The new schedule covers exactly the principal not yet billed, ends later.
    const int64_t future = l.outstanding_fen() - principal_due(l, today);
    const std::string_view r = check_schedule(o.schedule, today, o.maturity, future);
    if (r != codes::kOk || o.maturity <= l.maturity) return codes::kLoanBadSchedule;
    size_t billed = 0;
    while (billed < l.schedule.size() && l.schedule[billed].billed) ++billed;
    if (billed + o.schedule.size() > kLoanListMax || l.extensions.size() >= kLoanListMax) return codes::kLoanHistoryFull;
    l.schedule.resize(billed);
    for (const Item& i : o.schedule) l.schedule.push_back(Installment{i.due, i.principal_fen, 0, false, ItemOrigin::kExtension});
    l.extensions.push_back(Extension{today, l.maturity, o.maturity});
    ctx.events.push_back(make_event("loan.extended", Encoder().u64(l.id).u32(l.maturity).u32(o.maturity).take()));
    l.maturity = o.maturity;
    return codes::kOk;
  }

  Result<std::string_view> classify(TxContext& ctx, const StateView& s, Loan& l, LoanClass cls) const {
    const uint32_t today = ctx.tx.value_date.yyyymmdd;
    const uint32_t dpd = overdue_days(l, today);
    const LoanClass floor = class_floor(dpd);
    if (cls < floor) return codes::kLoanClassBelowFloor;
    if (l.classes.size() >= kLoanListMax) return codes::kLoanHistoryFull;
    note_overdue(l, dpd);
    l.cls = cls;
    l.classes.push_back(ClassEntry{today, cls, floor, dpd, ctx.sender.id});
    ctx.events.push_back(make_event("loan.classified",
                                    Encoder().u64(l.id).str(loan_class_name(cls)).u32(dpd).str(loan_class_name(floor)).take()));
    if (is_npl(cls) && l.npl_date == 0) {
      l.npl_date = today;
      IPL_ASSIGN_OR_RETURN(auto guard, evaluate_guard(s, l, today));
      l.npl_guard = guard.first;
      l.npl_guard_reg_date = guard.second;
      ctx.events.push_back(make_event("loan.npl", Encoder().u64(l.id).u32(today).str(guard_name(l.npl_guard)).take()));
    }
    return codes::kOk;
  }

  Result<std::string_view> settle(TxContext& ctx, const StateView& s, Loan& l) const {
    const uint32_t today = ctx.tx.value_date.yyyymmdd;
    if (!all_billed(l) || l.outstanding_fen() != 0) return codes::kLoanNotRepaid;
    if (!bill_closing(l, false)) return codes::kLoanHistoryFull;
    if (interest_due(l) != 0) return codes::kLoanNotRepaid;
    l.status = LoanStatus::kSettled;
    l.settled_on = today;
    l.settled_on_time = today <= l.maturity && !l.ever_overdue;
    IPL_ASSIGN_OR_RETURN(auto guard, evaluate_guard(s, l, today));
    l.settlement_guard = guard.first;
    l.settlement_guard_reg_date = guard.second;
    ctx.events.push_back(make_event("loan.settled", Encoder().u64(l.id).boolean(l.settled_on_time)
                                                        .str(guard_name(l.settlement_guard)).take()));
    return codes::kOk;
  }

  std::string_view write_off(TxContext& ctx, Loan& l) const {
    const uint32_t today = ctx.tx.value_date.yyyymmdd;
    if (!is_npl(l.cls)) return codes::kLoanNotNpl;
    if (all_billed(l) && !bill_closing(l, false)) return codes::kLoanHistoryFull;
    note_overdue(l, overdue_days(l, today));
    const int64_t accrued = static_cast<int64_t>(round_half_up(l.accrued, static_cast<i128>(basis_days(l.day_count)) * kPpm));
    l.accrued = 0;
    l.written_off_fen = l.outstanding_fen();
    l.interest_written_off_fen = interest_due(l) + accrued;
    l.status = LoanStatus::kWrittenOff;
    l.written_off_on = today;
    ctx.events.push_back(make_event("loan.written_off", Encoder().u64(l.id).i64(l.written_off_fen)
                                                            .i64(l.interest_written_off_fen).take()));
    return codes::kOk;
  }
};

}  // namespace

std::unique_ptr<Module> make_loan_module() { return std::make_unique<LoanModule>(); }

}  // namespace ipl::contracts
