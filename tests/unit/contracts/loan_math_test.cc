// Goal: the pure loan arithmetic of contracts/loan_records.h — day count
// (actual/360, actual/365), interest accrued exactly and rounded half-up
// once per line item, overdue days from value dates, the §9.2 floors, the
// as-of-date readers used by the NPL report, date helpers and the strict
// record codecs — gives hand-computed results. Method: build Loan values
// directly (no executor), roll them through dates and compare with figures
// computed by hand in the comments.
#include <gtest/gtest.h>

#include "contracts/loan_records.h"

namespace ipl::contracts {
namespace {

// 1,200,000 yuan at 4.15% actual/360, four quarterly installments of
// 300,000 yuan from 2024-03-15 (tests/vectors/loan_covered_settled.jsonl).
Loan quarterly() {
  Loan l;
  l.id = 1;
  l.principal_fen = 120'000'000;
  l.rate_ppm = 41'500;
  l.start = l.disbursed_on = l.accrual_from = 20240315;
  l.maturity = l.original_maturity = 20250315;
  l.status = LoanStatus::kActive;
  l.disbursed_fen = l.principal_fen;
  for (uint32_t due : {20240615u, 20240915u, 20241215u, 20250315u}) {
    l.schedule.push_back(Installment{due, 30'000'000, 0, false, ItemOrigin::kContract});
  }
  return l;
}

void pay(Loan& l, uint32_t date, int64_t principal, int64_t interest) {
  l.principal_paid_fen += principal;
  l.interest_paid_fen += interest;
  l.payments.push_back(Payment{date, PaymentKind::kRepayment, PaymentSource::kBorrower, principal, interest, 0});
}

TEST(LoanMath, ClassFloorsOfSection92) {
  EXPECT_EQ(class_floor(0), LoanClass::kNormal);
  EXPECT_EQ(class_floor(1), LoanClass::kSpecialMention);
  EXPECT_EQ(class_floor(90), LoanClass::kSpecialMention);
  EXPECT_EQ(class_floor(91), LoanClass::kSubstandard);
  EXPECT_EQ(class_floor(270), LoanClass::kSubstandard);
  EXPECT_EQ(class_floor(271), LoanClass::kDoubtful);
  EXPECT_EQ(class_floor(360), LoanClass::kDoubtful);
  EXPECT_EQ(class_floor(361), LoanClass::kLoss);
  EXPECT_FALSE(is_npl(LoanClass::kSpecialMention));
  EXPECT_TRUE(is_npl(LoanClass::kSubstandard));
  EXPECT_TRUE(is_npl(LoanClass::kLoss));
}

TEST(LoanMath, DateHelpers) {
  EXPECT_EQ(days_between(20240315, 20240615), 92);
  EXPECT_EQ(days_between(20240615, 20240315), -92);
  EXPECT_EQ(add_months(20240131, 1), 20240229u);  // clamped to the month's end
  EXPECT_EQ(add_months(20230131, 1), 20230228u);
  EXPECT_EQ(add_months(20240315, 12), 20250315u);
  EXPECT_EQ(add_months(20241115, 2), 20250115u);
  EXPECT_TRUE(is_month_end(20240229));
  EXPECT_FALSE(is_month_end(20240228));
  EXPECT_TRUE(is_month_end(20241231));
  EXPECT_TRUE(is_month_end(20230228));
  EXPECT_FALSE(is_month_end(20230227));
}

TEST(LoanMath, InterestIsBilledOncePerInstallmentRoundedHalfUp) {
  Loan l = quarterly();
  // Mid-period: nothing billed, the exact numerator kept.
  roll_to(l, 20240501);
  EXPECT_EQ(l.interest_billed_fen, 0);
  EXPECT_TRUE(l.accrued == static_cast<i128>(120'000'000) * 41'500 * 47);  // 47 days
  // Installment 1: 92 days: 120,000,000 × 0.0415 × 92 / 360 = 1,272,666.67 fen.
  roll_to(l, 20240615);
  EXPECT_TRUE(l.schedule[0].billed);
  EXPECT_EQ(l.schedule[0].interest_fen, 1'272'667);
  EXPECT_EQ(l.accrued, 0);
  EXPECT_EQ(principal_due(l, 20240615), 30'000'000);
  EXPECT_EQ(overdue_days(l, 20240615), 0u);  // due today: not yet overdue
  // Unpaid: overdue the next day, and the days count from the due date.
  Loan late = l;
  roll_to(late, 20240616);
  EXPECT_EQ(overdue_days(late, 20240616), 1u);
  roll_to(late, 20241015);
  EXPECT_EQ(overdue_days(late, 20241015), 122u);
  EXPECT_EQ(class_floor(overdue_days(late, 20241015)), LoanClass::kSubstandard);
  // Paid on the day: installment 2 on 900,000 yuan: 92 days = 954,500.00 fen.
  pay(l, 20240615, 30'000'000, 1'272'667);
  roll_to(l, 20240915);
  EXPECT_EQ(l.schedule[1].interest_fen, 954'500);
  // Principal paid but 1 fen of interest missing is still overdue.
  pay(l, 20240915, 30'000'000, 954'499);
  roll_to(l, 20240920);
  EXPECT_EQ(overdue_days(l, 20240920), 5u);
}

TEST(LoanMath, RollingIsPathIndependent) {
  Loan a = quarterly(), b = quarterly();
  roll_to(a, 20241231);
  for (uint32_t d : {20240316u, 20240614u, 20240615u, 20240616u, 20241001u, 20241231u}) roll_to(b, d);
  EXPECT_EQ(a.interest_billed_fen, b.interest_billed_fen);
  EXPECT_TRUE(a.accrued == b.accrued);
  EXPECT_EQ(a.schedule, b.schedule);
  // Nothing repaid: 3 periods at 1,200,000 yuan: 92 + 92 + 91 days.
  EXPECT_EQ(a.schedule[1].interest_fen, 1'272'667);
  EXPECT_EQ(a.schedule[2].interest_fen, 1'258'833);  // 1,258,833.33
}

TEST(LoanMath, Actual365Basis) {
  Loan l = quarterly();
  l.day_count = DayCount::kAct365;
  l.rate_ppm = 43'500;
  roll_to(l, 20240615);
  // 120,000,000 × 0.0435 × 92 / 365 = 1,315,726.03 fen.
  EXPECT_EQ(l.schedule[0].interest_fen, 1'315'726);
}

TEST(LoanMath, ClosingLineItemsAfterMaturity) {
  Loan l = quarterly();
  l.schedule = {Installment{20240615, 120'000'000, 0, false, ItemOrigin::kContract}};
  l.maturity = 20240615;
  roll_to(l, 20240720);
  // Everything billed; 35 days of interest since maturity are accrued.
  ASSERT_TRUE(l.schedule.back().billed);
  EXPECT_TRUE(l.accrued == static_cast<i128>(120'000'000) * 41'500 * 35);
  ASSERT_TRUE(bill_closing(l, false));
  ASSERT_EQ(l.schedule.size(), 2u);
  // 120,000,000 × 0.0415 × 35 / 360 = 484,166.67 fen, due on 2024-07-20.
  EXPECT_EQ(l.schedule[1].interest_fen, 484'167);
  EXPECT_EQ(l.schedule[1].due, 20240720u);
  EXPECT_EQ(l.schedule[1].origin, ItemOrigin::kClosing);
  EXPECT_EQ(overdue_days(l, 20240720), 35u);  // from the unpaid maturity item
  // A second closing on the same day adds nothing.
  ASSERT_TRUE(bill_closing(l, false));
  EXPECT_EQ(l.schedule.size(), 2u);
}

TEST(LoanMath, AsOfDateBalancesAndClasses) {
  Loan l = quarterly();
  pay(l, 20240615, 30'000'000, 1'272'667);
  pay(l, 20240915, 30'000'000, 954'500);
  l.classes.push_back(ClassEntry{20240701, LoanClass::kSpecialMention, LoanClass::kNormal, 0, 8});
  l.classes.push_back(ClassEntry{20241001, LoanClass::kSubstandard, LoanClass::kSubstandard, 100, 8});
  EXPECT_EQ(outstanding_at(l, 20240314), 0);  // before disbursement
  EXPECT_EQ(outstanding_at(l, 20240331), 120'000'000);
  EXPECT_EQ(outstanding_at(l, 20240630), 90'000'000);
  EXPECT_EQ(outstanding_at(l, 20240930), 60'000'000);
  EXPECT_EQ(class_at(l, 20240630), LoanClass::kNormal);
  EXPECT_EQ(class_at(l, 20240930), LoanClass::kSpecialMention);
  EXPECT_EQ(class_at(l, 20241001), LoanClass::kSubstandard);
  l.written_off_on = 20241120;
  l.written_off_fen = 60'000'000;
  EXPECT_EQ(outstanding_at(l, 20241119), 60'000'000);
  EXPECT_EQ(outstanding_at(l, 20241120), 0);
  EXPECT_FALSE(is_ip_pledge_at(l, 20240331));
  l.pledges.push_back(LoanPledge{3, 20240401});
  EXPECT_FALSE(is_ip_pledge_at(l, 20240331));
  EXPECT_TRUE(is_ip_pledge_at(l, 20240401));
  l.ip_share_ppm = 333'333;
  EXPECT_EQ(ip_part(l, 3), 1);   // 0.999999 → 1
  EXPECT_EQ(ip_part(l, 1), 0);   // 0.333333 → 0
  l.ip_share_ppm = 500'000;
  EXPECT_EQ(ip_part(l, 1), 1);   // exactly half: up
}

TEST(LoanMath, RecordsRoundTripAndDecodersAreStrict) {
  Loan l = quarterly();
  l.borrower = "91350100M000100Y43";
  roll_to(l, 20240701);
  pay(l, 20240701, 30'000'000, 1'272'667);
  l.classes.push_back(ClassEntry{20240701, LoanClass::kSpecialMention, LoanClass::kSpecialMention, 16, 8});
  l.pledges.push_back(LoanPledge{1, 20240315});
  l.extensions.push_back(Extension{20240801, 20250315, 20250915});
  const Bytes b = l.encode();
  auto back = Loan::decode(b);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(back->encode(), b);
  EXPECT_TRUE(back->accrued == l.accrued);
  Bytes longer = b;
  longer.push_back(0);
  EXPECT_FALSE(Loan::decode(longer).is_ok());
  EXPECT_FALSE(Loan::decode(ByteView(b.data(), b.size() - 1)).is_ok());

  Cover c;
  c.id = 1;
  c.loan = 1;
  c.loss_share_ppm = 800'000;
  c.cover_amount_fen = 640'000'000;
  c.start = 20240110;
  c.cessions.push_back(Cession{11, CessionMode::kShare, 500'000, 0, "RG-1", 20240110, 320'000'000, 100'000'000});
  c.payouts.push_back(Payout{20241020, 640'000'000, 320'000'000});
  c.fees.push_back(CoverFee{20240110, 6'400'000, "INV-1"});
  c.paid_out_fen = 640'000'000;
  c.ceded_fen = 320'000'000;
  c.recovered_fen = 100'000'000;
  auto cb = Cover::decode(c.encode());
  ASSERT_TRUE(cb.is_ok());
  EXPECT_EQ(cb->encode(), c.encode());
  EXPECT_EQ(cb->recoverable_fen(), 220'000'000);
  c.recovered_fen = c.ceded_fen + 1;  // more recovered than ceded: refused at read
  EXPECT_FALSE(Cover::decode(c.encode()).is_ok());

  NplReport r;
  r.bank = 8;
  r.reporting_date = 20240930;
  r.diff_bp = -180;
  r.result = NplResult::kExempt;
  auto rb = NplReport::decode(r.encode());
  ASSERT_TRUE(rb.is_ok());
  EXPECT_EQ(rb->diff_bp, -180);
  EXPECT_EQ(rb->result, NplResult::kExempt);
}

}  // namespace
}  // namespace ipl::contracts
