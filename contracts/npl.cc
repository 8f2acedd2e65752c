// The NPL tolerance report (issue 7 scope 3; DOMAIN.md §9, 银保监发〔2019〕34号
// as the Shanxi plan §三 applies it to branches):
//   npl.report  BANK (its own branch), REGULATOR (any bank branch)
// For one bank branch (a BANK member) and one reporting date (a month end,
// not after the transaction's value date) the ledger computes, as of that
// date, from its own loans:
//   IPB = Σ outstanding principal of the branch's IP-pledge loans (whole
//         loans with a pledge linked on or before the date: §9.1's default)
//   IPN = the part of IPB in loans the bank classified substandard or worse
// and takes from the bank's attestation of that month (attest.bank_totals):
//   TOTB, TOTN = the branch's total loan and NPL balances.
// Result: not applicable when IPB = 0; otherwise exempt ⇔ the exact test of
// npl_tolerance (contracts/arith.h) with the governed threshold
// npl.tolerance_ppm in force on the reporting date (30,000 = 3.00 points,
// inclusive), with both ratios and their difference in basis points for
// display. Stored as "npl/<bank>/<date>"; a later report for the same
// branch and date (e.g. after a corrected attestation) is a new version.
// Refusals: the attested totals must cover the ledger's own figures
// (TOTB >= IPB, TOTN >= IPN: npl.totals_below_ledger) and every balance be
// at most kNplBalanceFenMax (npl.balance_out_of_range). The loans of one
// branch are read in one transaction: at most kBookMax (loan.book_full).
#include <algorithm>

#include "contracts/codes.h"
#include "contracts/loan_records.h"
#include "contracts/module.h"

namespace ipl::contracts {

namespace {

constexpr std::string_view kReport = "npl.report";
constexpr int64_t kDefaultTolerancePpm = 30'000;
static_assert(kBookMax + kBookMax / kBookPage + 16 <= limits::tx_state_ops_max, "one report reads a whole book");

// Payload: u64 bank (0: the sender) ‖ udate reporting_date.
struct Payload {
  uint64_t bank = 0;
  uint32_t date = 0;
};
Result<Payload> decode(ByteView b) {
  Decoder d(b);
  Payload p;
  IPL_RETURN_IF_ERROR(d.u64(p.bank));
  IPL_RETURN_IF_ERROR(d.u32(p.date));
  IPL_RETURN_IF_ERROR(d.finish());
  if (!CivilDate{p.date}.is_valid()) return Status::invalid("reporting date");
  return p;
}

class NplModule final : public Module {
 public:
  std::string_view name() const override { return "npl"; }
  std::vector<TxTypeSpec> types() const override {
    return {{std::string(kReport), role_bit(Role::kBank) | role_bit(Role::kRegulator)}};
  }
  std::string_view validate(const TxBody& tx) const override {
    auto p = decode(tx.payload);
    if (!p.is_ok()) return codes::kBadPayload;
    if (!is_month_end(p->date) || p->date > tx.value_date.yyyymmdd) return codes::kNplBadReportingDate;
    return codes::kOk;
  }

  Result<std::string_view> apply(TxContext& ctx, StateView& s) const override {
    const Payload p = decode(ctx.tx.payload).value();
    uint64_t bank = p.bank;
    if (ctx.sender.role == Role::kBank) {
      if (bank != 0 && bank != ctx.sender.id) return codes::kNplNotOwnBranch;
      bank = ctx.sender.id;
    }
    IPL_ASSIGN_OR_RETURN(std::optional<Member> branch, load<Member>(s, keys::member(bank)));
    if (!branch || branch->role != Role::kBank) return codes::kNplUnknownBranch;
    IPL_ASSIGN_OR_RETURN(std::optional<BankTotals> totals, load<BankTotals>(s, keys::bank_totals(bank, p.date / 100)));
    if (!totals) return codes::kNplTotalsMissing;

    NplReport r;
    r.bank = bank;
    r.branch_code = branch->branch_code;
    r.reporting_date = p.date;
    r.filed_by = ctx.sender.id;
    r.total_fen = totals->loans_fen;
    r.total_npl_fen = totals->npl_fen;
    r.totals_attester = totals->attester;
    IPL_ASSIGN_OR_RETURN(std::vector<uint64_t> book, book_ids(s, keys::idx_bank_loans(bank)));
    for (uint64_t id : book) {
      IPL_ASSIGN_OR_RETURN(std::optional<Loan> l, load<Loan>(s, keys::loan(id)));
      if (!l) return Status::corruption("index names a missing loan");
      if (!is_ip_pledge_at(*l, p.date)) continue;
      const int64_t balance = outstanding_at(*l, p.date);
      if (balance == 0) continue;
      ++r.ip_loans;
      // Each term <= kLoanPrincipalMax and at most kBookMax of them: no
      // int64 overflow before the bound check.
      r.ip_balance_fen += balance;
      if (is_npl(class_at(*l, p.date))) r.ip_npl_fen += balance;
    }
    if (r.ip_balance_fen > kNplBalanceFenMax || r.total_fen > kNplBalanceFenMax) return codes::kNplBalanceOutOfRange;
    if (r.total_fen < r.ip_balance_fen || r.total_npl_fen < r.ip_npl_fen) return codes::kNplTotalsBelowLedger;
    IPL_ASSIGN_OR_RETURN(std::optional<ParamRecord> tol, load<ParamRecord>(s, keys::param("npl.tolerance_ppm")));
    const ParamVersion* v = tol ? tol->at(CivilDate{p.date}) : nullptr;
    r.tolerance_ppm = std::clamp<int64_t>(v ? v->value : kDefaultTolerancePpm, 0, kPpm);
    const NplTolerance t = npl_tolerance(r.ip_balance_fen, r.ip_npl_fen, r.total_fen, r.total_npl_fen, r.tolerance_ppm);
    r.result = !t.applicable ? NplResult::kNotApplicable : t.exempt ? NplResult::kExempt : NplResult::kNotExempt;
    r.ratio_ip_bp = t.ratio_ip_bp;
    r.ratio_all_bp = t.ratio_all_bp;
    r.diff_bp = t.diff_bp;
    store(s, keys::npl_report(bank, p.date), r);
    ctx.events.push_back(make_event("npl.reported", Encoder().u64(bank).u32(p.date).str(npl_result_name(r.result))
                                                        .i64(r.diff_bp).take()));
    return codes::kOk;
  }
};

}  // namespace

std::unique_ptr<Module> make_npl_module() { return std::make_unique<NplModule>(); }

}  // namespace ipl::contracts
