// Goal: the loan, cover and NPL modules through the real executor beyond
// the scenario vectors: prepayment shortening or reducing the schedule
// (largest-remainder proration), a full prepayment billing interest to its
// date, an extension approved before maturity, interest after maturity as
// a closing line item, the timing guards met and not met, cessions by
// share and by amount, and the NPL report computed as of its reporting
// date with the exact 3.00-point test at 10^12-fen balances. Method:
// LoanChainTest (loan_fixture.h) executes dated transactions block by
// block; every figure is computed by hand in a comment.
#include <gtest/gtest.h>

#include "loan_fixture.h"

namespace ipl::testing {
namespace {

using nlohmann::json;
using contracts::LoanClass;
using contracts::LoanStatus;

// 1,200,000 yuan at 4.15% actual/360 from 2024-03-15, four quarterly
// installments of 300,000 yuan.
json quarterly(const char* ref) {
  return LoanChainTest::contract(ref, 120'000'000, 41'500, 12, "2025-03-15",
                                 {{"schedule", {{{"due_date", "2024-06-15"}, {"principal_fen", 30'000'000}},
                                                {{"due_date", "2024-09-15"}, {"principal_fen", 30'000'000}},
                                                {{"due_date", "2024-12-15"}, {"principal_fen", 30'000'000}},
                                                {{"due_date", "2025-03-15"}, {"principal_fen", 30'000'000}}}}});
}

class LoanLifecycle : public LoanChainTest {};

TEST_F(LoanLifecycle, PrepaymentShortensTheTermOrReducesTheInstallments) {
  go("2024-03-15T09:00");
  ok(chain.block({on(20240315, {"bank", "loan.contract", quarterly("A")}),
                  on(20240315, {"bank", "loan.contract", quarterly("B")})}));
  ok(chain.block({on(20240315, {"bank", "loan.disburse", {{"loan_id", 1}, {"amount_fen", 120'000'000}}}),
                  on(20240315, {"bank", "loan.disburse", {{"loan_id", 2}, {"amount_fen", 120'000'000}}})}));
  go("2024-06-15T10:00");
  for (uint64_t id : {1, 2}) {
    EXPECT_EQ(run(on(20240615, {"bank", "loan.repay", {{"loan_id", id}, {"principal_fen", 30'000'000},
                                                      {"interest_fen", 1'272'667}}})), "ok");
  }
  go("2024-08-01T10:00");
  // A: 450,000 yuan off the end: installments 300,000, 150,000; maturity 2024-12-15.
  EXPECT_EQ(run(on(20240801, {"bank", "loan.prepay", {{"loan_id", 1}, {"principal_fen", 45'000'000}, {"mode", "shorten"}}})),
            "ok");
  contracts::Loan a = loan(1);
  ASSERT_EQ(a.schedule.size(), 3u);
  EXPECT_EQ(a.schedule[1].principal_fen, 30'000'000);
  EXPECT_EQ(a.schedule[2].principal_fen, 15'000'000);
  EXPECT_EQ(a.maturity, 20241215u);
  EXPECT_EQ(a.original_maturity, 20250315u);
  EXPECT_EQ(a.prepaid_fen, 45'000'000);
  EXPECT_EQ(a.outstanding_fen(), 45'000'000);
  // B: 10 fen prorated over three installments of 300,000 yuan:
  // 89,999,990 / 3 = 29,999,996.67: floors plus the two leftover fen to
  // the first two (equal remainders, lower index first).
  EXPECT_EQ(run(on(20240801, {"bank", "loan.prepay", {{"loan_id", 2}, {"principal_fen", 10}, {"mode", "reduce"}}})), "ok");
  contracts::Loan b = loan(2);
  ASSERT_EQ(b.schedule.size(), 4u);
  EXPECT_EQ(b.schedule[1].principal_fen, 29'999'997);
  EXPECT_EQ(b.schedule[2].principal_fen, 29'999'997);
  EXPECT_EQ(b.schedule[3].principal_fen, 29'999'996);
  EXPECT_EQ(b.maturity, 20250315u);
  // The period's interest is one line item over the changing balance:
  // A: (900,000 yuan × 47 days + 450,000 × 45) × 4.15% / 360 = 7,210.625
  // yuan: exactly half a fen, rounded up to 721,063 fen.
  go("2024-09-15T10:00");
  auto pa = contracts::loan_position(chain.state(), 1, 20240915).value().value();
  EXPECT_EQ(pa.schedule[1].interest_fen, 721'063);
  EXPECT_EQ(pa.interest_due_fen, 721'063);
  EXPECT_EQ(pa.principal_due_fen, 30'000'000);
  // B: (900,000 × 47 + 899,999.90 × 45) × 4.15% / 360 = 9,544.9995 yuan → 954,500 fen.
  auto pb = contracts::loan_position(chain.state(), 2, 20240915).value().value();
  EXPECT_EQ(pb.schedule[1].interest_fen, 954'500);
  EXPECT_EQ(pb.principal_due_fen, 29'999'997);
}

TEST_F(LoanLifecycle, FullPrepaymentBillsInterestToItsDateThenSettles) {
  const uint64_t p = pledge(0, kBank, "bank", 20240310);
  go("2024-03-15T09:00");
  // 100,000 yuan at 3.65% actual/365, all at maturity 2025-03-15.
  ok(chain.block({on(20240315, {"bank", "loan.contract",
                                contract("C", 10'000'000, 36'500, 12, "2025-03-15", {{"day_count", "act/365"}, {"pledges", {p}}})}),
                  on(20240315, {"bank", "loan.disburse", {{"loan_id", 1}, {"amount_fen", 10'000'000}}})}));
  go("2024-04-14T10:00");
  // 30 days: 100,000 × 3.65% × 30 / 365 = 300.00 yuan, due with the prepayment.
  EXPECT_EQ(run(on(20240414, {"bank", "loan.prepay", {{"loan_id", 1}, {"principal_fen", 10'000'000}, {"interest_fen", 29'999}}})),
            "loan.in_arrears");
  EXPECT_EQ(run(on(20240414, {"bank", "loan.prepay", {{"loan_id", 1}, {"principal_fen", 10'000'001}, {"interest_fen", 30'000}}})),
            "loan.overpayment");
  EXPECT_EQ(run(on(20240414, {"bank", "loan.prepay", {{"loan_id", 1}, {"principal_fen", 10'000'000}, {"interest_fen", 30'000}}})),
            "ok");
  contracts::Loan c = loan(1);
  ASSERT_EQ(c.schedule.size(), 1u);  // the maturity installment went; the closing item stays
  EXPECT_EQ(c.schedule[0].origin, contracts::ItemOrigin::kClosing);
  EXPECT_EQ(c.schedule[0].interest_fen, 30'000);
  EXPECT_EQ(c.schedule[0].due, 20240414u);
  EXPECT_EQ(run(on(20240414, {"bank", "loan.settle", {{"loan_id", 1}}})), "ok");
  c = loan(1);
  EXPECT_EQ(c.status, LoanStatus::kSettled);
  EXPECT_TRUE(c.settled_on_time);
  EXPECT_EQ(c.settlement_guard, contracts::Guard::kMet);
  EXPECT_EQ(c.settlement_guard_reg_date, 20240310u);
  EXPECT_EQ(c.payments.at(0).kind, contracts::PaymentKind::kPrepayment);
  // A settled loan takes no more payments or classifications.
  go("2024-04-15T10:00");
  EXPECT_EQ(run(on(20240415, {"bank", "loan.classify", {{"loan_id", 1}, {"class", "normal"}}})), "loan.bad_state");
}

TEST_F(LoanLifecycle, ExtensionApprovedBeforeMaturity) {
  go("2024-03-15T09:00");
  // 100,000 yuan at 4.35% actual/360 for 6 months, all at 2024-09-15.
  ok(chain.block({on(20240315, {"bank", "loan.contract", contract("D", 10'000'000, 43'500, 6, "2024-09-15")}),
                  on(20240315, {"bank", "loan.disburse", {{"loan_id", 1}, {"amount_fen", 10'000'000}}})}));
  go("2024-09-14T10:00");
  const json halves = {{{"due_date", "2024-12-15"}, {"principal_fen", 5'000'000}},
                       {{"due_date", "2025-03-15"}, {"principal_fen", 5'000'000}}};
  json wrong = halves;
  wrong[1]["principal_fen"] = 4'999'999;
  EXPECT_EQ(run(on(20240914, {"bank", "loan.extend", {{"loan_id", 1}, {"maturity_date", "2025-03-15"}, {"schedule", wrong}}})),
            "loan.bad_schedule");
  EXPECT_EQ(run(on(20240914, {"bank", "loan.extend", {{"loan_id", 1}, {"maturity_date", "2025-03-15"}, {"schedule", halves}}})),
            "ok");
  contracts::Loan d = loan(1);
  EXPECT_EQ(d.maturity, 20250315u);
  EXPECT_EQ(d.original_maturity, 20240915u);
  ASSERT_EQ(d.extensions.size(), 1u);
  EXPECT_EQ(d.extensions[0].old_maturity, 20240915u);
  ASSERT_EQ(d.schedule.size(), 2u);
  EXPECT_EQ(d.schedule[0].origin, contracts::ItemOrigin::kExtension);
  // Nothing is due on the old maturity date; interest runs on to the first
  // new installment: 275 days: 100,000 × 4.35% × 275 / 360 = 3,322.9167 yuan.
  go("2024-12-15T10:00");
  auto pos = contracts::loan_position(chain.state(), 1, 20241215).value().value();
  EXPECT_EQ(pos.dpd, 0u);
  EXPECT_EQ(pos.schedule[0].interest_fen, 332'292);
  ASSERT_EQ(run(on(20241215, {"bank", "loan.repay", {{"loan_id", 1}, {"principal_fen", 5'000'000},
                                                     {"interest_fen", 332'292}}})), "ok");
  // On the (new) maturity date itself an extension is too late.
  go("2025-03-15T10:00");
  EXPECT_EQ(run(on(20250315, {"bank", "loan.extend", {{"loan_id", 1}, {"maturity_date", "2025-06-15"},
                                                      {"schedule", {{{"due_date", "2025-06-15"}, {"principal_fen", 5'000'000}}}}}})),
            "loan.extension_too_late");
}

TEST_F(LoanLifecycle, InterestAfterMaturityIsAClosingLineItemAndTheLoanIsLate) {
  go("2024-03-15T09:00");
  ok(chain.block({on(20240315, {"bank", "loan.contract", contract("E", 10'000'000, 43'500, 3, "2024-06-15")}),
                  on(20240315, {"bank", "loan.disburse", {{"loan_id", 1}, {"amount_fen", 10'000'000}}})}));
  go("2024-07-15T10:00");
  // Maturity item: 92 days = 1,111.6667 yuan → 111,167 fen; then 30 days
  // overdue: 100,000 × 4.35% × 30 / 360 = 362.50 yuan, billed on the
  // repayment's date as a closing item.
  EXPECT_EQ(run(on(20240715, {"bank", "loan.repay", {{"loan_id", 1}, {"principal_fen", 10'000'000},
                                                     {"interest_fen", 111'167 + 36'251}}})), "loan.overpayment");
  EXPECT_EQ(run(on(20240715, {"bank", "loan.repay", {{"loan_id", 1}, {"principal_fen", 10'000'000},
                                                     {"interest_fen", 111'167 + 36'250}}})), "ok");
  contracts::Loan e = loan(1);
  ASSERT_EQ(e.schedule.size(), 2u);
  EXPECT_EQ(e.schedule[1].interest_fen, 36'250);
  EXPECT_EQ(e.schedule[1].origin, contracts::ItemOrigin::kClosing);
  EXPECT_EQ(e.payments.at(0).dpd, 30u);
  EXPECT_EQ(e.max_dpd, 30u);
  EXPECT_EQ(run(on(20240715, {"bank", "loan.settle", {{"loan_id", 1}}})), "ok");
  e = loan(1);
  EXPECT_FALSE(e.settled_on_time);  // settled after maturity, and it was overdue
  EXPECT_EQ(e.settlement_guard, contracts::Guard::kNotMet);  // no pledge at all
}

TEST_F(LoanLifecycle, TimingGuardsCompareThePledgeRegistrationDate) {
  // F's pledge is registered after F is settled; G's after G turns NPL.
  const uint64_t pf = pledge(0, kBank, "bank", 0);
  const uint64_t pg = pledge(1, guar, "guar", 0);  // a guarantor as pledgee (counter-security)
  go("2024-03-15T09:00");
  ok(chain.block({on(20240315, {"bank", "loan.contract", contract("F", 1'000'000, 43'500, 12, "2025-03-15", {{"pledges", {pf}}})}),
                  on(20240315, {"bank", "loan.contract", contract("G", 1'000'000, 43'500, 3, "2024-06-15", {{"pledges", {pg}}})}),
                  on(20240315, {"bank", "loan.disburse", {{"loan_id", 1}, {"amount_fen", 1'000'000}}}),
                  on(20240315, {"bank", "loan.disburse", {{"loan_id", 2}, {"amount_fen", 1'000'000}}}),
                  on(20240315, {"bank", "loan.prepay", {{"loan_id", 1}, {"principal_fen", 1'000'000}}}),
                  on(20240315, {"bank", "loan.settle", {{"loan_id", 1}}})}));
  go("2024-09-20T10:00");
  EXPECT_EQ(run(on(20240920, {"bank", "loan.classify", {{"loan_id", 2}, {"class", "doubtful"}}})), "ok");  // worse than the floor is fine
  go("2024-09-22T10:00");
  ok(chain.block({on(20240921, {"ipa", "pledge.register", {{"pledge_id", pf}, {"reg_no", "2024990009901"}}}),
                  on(20240921, {"ipa", "pledge.register", {{"pledge_id", pg}, {"reg_no", "2024990009902"}}})}));
  EXPECT_EQ(loan(1).settlement_guard, contracts::Guard::kNotMet);
  EXPECT_EQ(loan(2).npl_guard, contracts::Guard::kNotMet);
  EXPECT_EQ(loan(2).npl_date, 20240920u);
  // The reader sees the later registration (for a later scheme's own check).
  EXPECT_EQ(contracts::first_pledge_reg_date(chain.state(), loan(2)).value(), 20240921u);
  // A second NPL classification keeps the first NPL date.
  EXPECT_EQ(run(on(20240922, {"bank", "loan.classify", {{"loan_id", 2}, {"class", "loss"}}})), "ok");
  EXPECT_EQ(loan(2).npl_date, 20240920u);
  EXPECT_EQ(loan(2).classes.size(), 2u);
}

TEST_F(LoanLifecycle, CessionsByShareAndByAmount) {
  go("2024-03-15T09:00");
  ok(chain.block({on(20240315, {"bank", "loan.contract", contract("H", 100'000'000, 43'500, 3, "2024-06-15")}),
                  on(20240315, {"bank", "loan.disburse", {{"loan_id", 1}, {"amount_fen", 100'000'000}}}),
                  on(20240315, {"guar", "guarantee.contract", {{"loan_id", 1}, {"contract_ref", "G"},
                                                               {"loss_share_ppm", 700'000}, {"cover_amount_fen", 70'000'000}}}),
                  on(20240315, {"ins", "insurance.policy", {{"loan_id", 1}, {"contract_ref", "I"},
                                                            {"loss_share_ppm", 300'000}, {"cover_amount_fen", 30'000'000}}})}));
  // The guarantor cedes 1/3 by share and up to 50,000 yuan by amount; an
  // insurer cannot take a guarantee's cession.
  EXPECT_EQ(run(on(20240315, {"guar", "cover.cede", {{"cover_id", 1}, {"cessionary", ins}, {"mode", "share"},
                                                     {"share_ppm", 1}, {"contract_ref", "R"}}})), "cover.bad_cessionary");
  ok(chain.block({on(20240315, {"guar", "cover.cede", {{"cover_id", 1}, {"cessionary", guar2}, {"mode", "share"},
                                                       {"share_ppm", 333'333}, {"contract_ref", "R1"}}}),
                  on(20240315, {"guar", "cover.cede", {{"cover_id", 1}, {"cessionary", guar2}, {"mode", "amount"},
                                                       {"amount_fen", 5'000'000}, {"contract_ref", "R2"}}})}));
  go("2024-06-20T10:00");
  // Payout 1: 10,500,000 fen: share part 10,500,000 × 0.333333 =
  // 3,499,996.5, half-up 3,499,997; amount part min(5,000,000, 7,000,003).
  ok(chain.block({on(20240620, {"guar", "cover.payout", {{"cover_id", 1}, {"amount_fen", 10'500'000}}})}));
  // Payout 2: 3,000,000: share part 999,999; the amount cession is used up.
  go("2024-06-21T10:00");
  ok(chain.block({on(20240621, {"guar", "cover.payout", {{"cover_id", 1}, {"amount_fen", 3'000'000}}})}));
  contracts::Cover c = cover(1);
  ASSERT_EQ(c.payouts.size(), 2u);
  EXPECT_EQ(c.payouts[0].ceded_fen, 8'499'997);
  EXPECT_EQ(c.payouts[1].ceded_fen, 999'999);
  EXPECT_EQ(c.cessions[0].ceded_fen, 4'499'996);
  EXPECT_EQ(c.cessions[1].ceded_fen, 5'000'000);
  EXPECT_EQ(c.recoverable_fen(), 9'499'996);
  EXPECT_EQ(c.status, contracts::CoverStatus::kClaimed);
  // The re-guarantor pays both cessions; the book shows it as a cessionary.
  go("2024-07-01T10:00");
  ok(chain.block({on(20240701, {"guar2", "cover.recover_ceded", {{"cover_id", 1}, {"cession", 0}, {"amount_fen", 4'499'996}}}),
                  on(20240701, {"guar2", "cover.recover_ceded", {{"cover_id", 1}, {"cession", 1}, {"amount_fen", 5'000'000}}})}));
  EXPECT_EQ(cover(1).recoverable_fen(), 0);
  auto book = contracts::book_of(chain.state(), guar2).value();
  ASSERT_EQ(book.cessions.size(), 1u);
  EXPECT_EQ(book.cessions[0].id, 1u);
  auto shares = contracts::loss_shares_of_loan(chain.state(), 1).value();
  EXPECT_EQ(shares.covered_ppm, 1'000'000);
  EXPECT_EQ(shares.bank_ppm, 0);
}

// Two IP-pledge loans of branch TY001: N (NPL) and P (performing).
class NplReports : public LoanChainTest {
 protected:
  void open(int64_t npl_principal, int64_t performing_principal) {
    const uint64_t p1 = pledge(0, kBank, "bank", 20240305);
    const uint64_t p2 = pledge(1, kBank, "bank", 20240305);
    go("2024-03-15T09:00");
    ok(chain.block({on(20240315, {"bank", "loan.contract",
                                  contract("N", npl_principal, 43'500, 12, "2025-03-15", {{"pledges", {p1}}})}),
                    on(20240315, {"bank", "loan.contract",
                                  contract("P", performing_principal, 43'500, 12, "2025-03-15", {{"pledges", {p2}}})}),
                    on(20240315, {"bank", "loan.disburse", {{"loan_id", 1}, {"amount_fen", npl_principal}}}),
                    on(20240315, {"bank", "loan.disburse", {{"loan_id", 2}, {"amount_fen", performing_principal}}})}));
    go("2024-03-20T09:00");
    ok(chain.block({on(20240320, {"bank", "loan.classify", {{"loan_id", 1}, {"class", "substandard"}}})}));
  }
  void attest(const char* month, int64_t loans, int64_t npl, uint32_t date) {
    ok(chain.block({on(date, {"bank", "attest.bank_totals", {{"month", month}, {"loans_fen", loans}, {"npl_fen", npl}}})}));
  }
  contracts::NplReport report(uint32_t date) {
    auto r = contracts::npl_report_of(chain.state(), kBank, date);
    EXPECT_TRUE(r.is_ok() && *r);
    return r.is_ok() && *r ? **r : contracts::NplReport{};
  }
};

TEST_F(NplReports, ExactlyThreePointsAtTrillionFenBalancesThroughTheExecutor) {
  // IPB = 10^12 fen (N 5×10^10 NPL + P 9.5×10^11): 5.00%; TOTB = 10^15,
  // TOTN = 2×10^13: 2.00%: exactly 3.00 points, exempt.
  open(50'000'000'000, 950'000'000'000);
  go("2024-04-05T09:00");
  attest("2024-03", 1'000'000'000'000'000, 20'000'000'000'000, 20240405);
  ASSERT_EQ(run(on(20240405, {"bank", "npl.report", {{"reporting_date", "2024-03-31"}}})), "ok");
  contracts::NplReport r = report(20240331);
  EXPECT_EQ(r.ip_balance_fen, 1'000'000'000'000);
  EXPECT_EQ(r.ip_npl_fen, 50'000'000'000);
  EXPECT_EQ(r.ip_loans, 2u);
  EXPECT_EQ(r.result, contracts::NplResult::kExempt);
  EXPECT_EQ(r.diff_bp, 300);
  EXPECT_EQ(r.branch_code, "TY001");
  // A corrected attestation one fen lower in NPL: 3.00 points and a
  // hair above: not exempt (the displayed figures do not move).
  go("2024-04-06T09:00");
  attest("2024-03", 1'000'000'000'000'000, 20'000'000'000'000 - 1, 20240406);
  ASSERT_EQ(run(on(20240406, {"bank", "npl.report", {{"reporting_date", "2024-03-31"}}})), "ok");
  r = report(20240331);
  EXPECT_EQ(r.result, contracts::NplResult::kNotExempt);
  EXPECT_EQ(r.diff_bp, 300);
  EXPECT_EQ(r.ratio_ip_bp, 500);
  EXPECT_EQ(r.ratio_all_bp, 200);
}

TEST_F(NplReports, BalancesAndClassesAreTakenAsOfTheReportingDate) {
  // N 6,000,000 yuan (NPL from 2024-03-20), P 114,000,000 yuan.
  open(600'000'000, 11'400'000'000);
  // After the quarter end P prepays 1,000,000 yuan (2024-04-10) and N is
  // written off (2024-04-12); the Q1 report filed later still sees 31
  // March: 6/120 = 5.00% against 1.80%: not exempt.
  go("2024-04-10T10:00");
  ASSERT_EQ(run(on(20240410, {"bank", "loan.prepay", {{"loan_id", 2}, {"principal_fen", 100'000'000}}})), "ok");
  ASSERT_EQ(loan(2).outstanding_fen(), 11'300'000'000);
  go("2024-04-12T10:00");
  ASSERT_EQ(run(on(20240412, {"bank", "loan.write_off", {{"loan_id", 1}}})), "ok");
  go("2024-04-15T10:00");
  attest("2024-03", 1'000'000'000'000, 18'000'000'000, 20240415);
  ASSERT_EQ(run(on(20240415, {"bank", "npl.report", {{"reporting_date", "2024-03-31"}}})), "ok");
  contracts::NplReport r = report(20240331);
  EXPECT_EQ(r.ip_balance_fen, 12'000'000'000);
  EXPECT_EQ(r.ip_npl_fen, 600'000'000);
  EXPECT_EQ(r.result, contracts::NplResult::kNotExempt);
  EXPECT_EQ(r.diff_bp, 320);
  // The April report sees the write-off and the prepayment: 0 / 113,000,000.
  go("2024-05-06T10:00");
  attest("2024-04", 1'000'000'000'000, 18'000'000'000, 20240506);
  ASSERT_EQ(run(on(20240506, {"nfra", "npl.report", {{"bank", kBank}, {"reporting_date", "2024-04-30"}}})), "ok");
  r = report(20240430);
  EXPECT_EQ(r.ip_balance_fen, 11'300'000'000);
  EXPECT_EQ(r.ip_npl_fen, 0);
  EXPECT_EQ(r.ip_loans, 1u);
  EXPECT_EQ(r.result, contracts::NplResult::kExempt);
  EXPECT_EQ(r.filed_by, 6u);  // the NFRA branch
  // Before the loans (February): not applicable.
  attest("2024-02", 1'000'000'000'000, 18'000'000'000, 20240506);
  ASSERT_EQ(run(on(20240506, {"bank", "npl.report", {{"reporting_date", "2024-02-29"}}})), "ok");
  EXPECT_EQ(report(20240229).result, contracts::NplResult::kNotApplicable);
}

}  // namespace
}  // namespace ipl::testing
