// Goal: every issue-7 reader the API and later modules will use
// (contracts/loan_records.h: loan_of, loans_of_bank, loans_of_enterprise,
// loan_position, first_pledge_reg_date, cover_of, covers_of_loan,
// loss_shares_of_loan, book_of, npl_report_of) returns what the executed
// transactions wrote, nullopt or empty for what was never written, and a
// corruption error (not a crash, not a silent empty answer) for a damaged
// record or an index naming a missing one. Method: build one state through
// the real executor (LoanChainTest), query it, damage copies of it.
#include <gtest/gtest.h>

#include "loan_fixture.h"

namespace ipl::testing {
namespace {

using nlohmann::json;

class LoanQueries : public LoanChainTest {
 protected:
  void SetUp() override {
    LoanChainTest::SetUp();
    p1 = pledge(0, kBank, "bank", 20240305);
    go("2024-03-15T09:00");
    // Loan 1: 1,000,000 yuan, 60% IP by bank certificate, quarterly
    // interest, principal at maturity; loan 2: contracted only.
    ok(chain.block({on(20240315, {"bank", "loan.contract",
                                  contract("Q1", 100'000'000, 43'500, 12, "2025-03-15",
                                           {{"schedule", {{{"due_date", "2024-06-15"}, {"principal_fen", 0}},
                                                          {{"due_date", "2025-03-15"}, {"principal_fen", 100'000'000}}}},
                                            {"pledges", {p1}}, {"ip_share_ppm", 600'000}, {"ip_share_source", "bank_cert"}})}),
                    on(20240315, {"bank", "loan.contract", contract("Q2", 5'000'000, 43'500, 12, "2025-03-15")}),
                    on(20240315, {"bank", "loan.disburse", {{"loan_id", 1}, {"amount_fen", 100'000'000}}}),
                    on(20240315, {"guar", "guarantee.contract", {{"loan_id", 1}, {"contract_ref", "G1"},
                                                                 {"loss_share_ppm", 500'000}, {"cover_amount_fen", 50'000'000}}}),
                    on(20240315, {"ins", "insurance.policy", {{"loan_id", 1}, {"contract_ref", "I1"},
                                                              {"loss_share_ppm", 200'000}, {"cover_amount_fen", 20'000'000}}}),
                    on(20240315, {"guar", "cover.cede", {{"cover_id", 1}, {"cessionary", guar2}, {"mode", "share"},
                                                         {"share_ppm", 500'000}, {"contract_ref", "R1"}}})}));
    go("2024-07-01T10:00");
    ok(chain.block({on(20240701, {"bank", "loan.classify", {{"loan_id", 1}, {"class", "special_mention"}}}),
                    on(20240701, {"bank", "attest.bank_totals", {{"month", "2024-06"}, {"loans_fen", 10'000'000'000},
                                                                 {"npl_fen", 100'000'000}}}),
                    on(20240701, {"bank", "npl.report", {{"reporting_date", "2024-06-30"}}})}));
  }

  contracts::MemState damaged(const std::string& key, Bytes data) {
    contracts::MemState s = chain.state();
    s.put(as_view(key), contracts::RecordBody{CivilDate{20240701}, std::move(data)}.encode());
    return s;
  }

  uint64_t p1 = 0;
};

TEST_F(LoanQueries, LoansOfABankAndOfAnEnterprise) {
  auto l = contracts::loan_of(chain.state(), 1).value();
  ASSERT_TRUE(l);
  EXPECT_EQ(l->contract_ref, "Q1");
  EXPECT_EQ(l->eligible_principal_fen, 60'000'000);
  EXPECT_EQ(l->ip_share_source, contracts::ShareSource::kBankCert);
  EXPECT_EQ(l->classes.size(), 1u);
  EXPECT_FALSE(contracts::loan_of(chain.state(), 99).value());
  auto of_bank = contracts::loans_of_bank(chain.state(), kBank).value();
  ASSERT_EQ(of_bank.size(), 2u);
  EXPECT_EQ(of_bank[0].id, 1u);
  EXPECT_EQ(of_bank[1].status, contracts::LoanStatus::kContracted);
  EXPECT_EQ(contracts::loans_of_enterprise(chain.state(), kE).value().size(), 2u);
  EXPECT_TRUE(contracts::loans_of_bank(chain.state(), guar).value().empty());
  EXPECT_TRUE(contracts::loans_of_enterprise(chain.state(), "91350100M000100Y43").value().empty());
}

TEST_F(LoanQueries, PositionAsOfADate) {
  // 2024-06-15's interest (92 days on 1,000,000 yuan at 4.35%/360 =
  // 11,116.67 yuan) is unpaid: 16 days past due on 2024-07-01, 76 on 2024-08-30.
  auto pos = contracts::loan_position(chain.state(), 1, 20240830).value();
  ASSERT_TRUE(pos);
  EXPECT_EQ(pos->dpd, 76u);
  EXPECT_EQ(pos->floor, contracts::LoanClass::kSpecialMention);
  EXPECT_EQ(pos->cls, contracts::LoanClass::kSpecialMention);
  EXPECT_EQ(pos->interest_due_fen, 1'111'667);
  EXPECT_EQ(pos->principal_due_fen, 0);
  EXPECT_EQ(pos->outstanding_fen, 100'000'000);
  EXPECT_EQ(pos->ip_outstanding_fen, 60'000'000);
  // 76 days on 1,000,000 yuan accrued since 2024-06-15: 9,183.33 yuan.
  EXPECT_EQ(pos->interest_accrued_fen, 918'333);
  // Reading does not write: the stored loan is still rolled to 2024-07-01.
  EXPECT_EQ(contracts::loan_of(chain.state(), 1).value()->accrual_from, 20240701u);
  // Before the loan's last event, or an unknown loan: nullopt.
  EXPECT_FALSE(contracts::loan_position(chain.state(), 1, 20240630).value());
  EXPECT_FALSE(contracts::loan_position(chain.state(), 99, 20240830).value());
  // A contracted loan: nothing outstanding.
  auto contracted = contracts::loan_position(chain.state(), 2, 20240830).value();
  ASSERT_TRUE(contracted);
  EXPECT_EQ(contracted->outstanding_fen, 0);
  EXPECT_EQ(contracted->status, contracts::LoanStatus::kContracted);
  EXPECT_FALSE(contracts::loan_position(chain.state(), 1, 20240231).is_ok());  // not a date
}

TEST_F(LoanQueries, PledgeRegistrationDateForTheTimingGuards) {
  EXPECT_EQ(contracts::first_pledge_reg_date(chain.state(), *contracts::loan_of(chain.state(), 1).value()).value(),
            20240305u);
  EXPECT_EQ(contracts::first_pledge_reg_date(chain.state(), *contracts::loan_of(chain.state(), 2).value()).value(), 0u);
}

TEST_F(LoanQueries, CoversSharesAndBooks) {
  auto c = contracts::cover_of(chain.state(), 1).value();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, contracts::CoverKind::kGuarantee);
  EXPECT_EQ(c->cessions.size(), 1u);
  EXPECT_FALSE(contracts::cover_of(chain.state(), 9).value());
  auto covers = contracts::covers_of_loan(chain.state(), 1).value();
  ASSERT_EQ(covers.size(), 2u);
  EXPECT_EQ(covers[1].kind, contracts::CoverKind::kInsurance);
  EXPECT_TRUE(contracts::covers_of_loan(chain.state(), 2).value().empty());
  auto shares = contracts::loss_shares_of_loan(chain.state(), 1).value();
  ASSERT_EQ(shares.covers.size(), 2u);
  EXPECT_EQ(shares.covers[0], (std::pair<uint64_t, uint32_t>{1, 500'000}));
  EXPECT_EQ(shares.covered_ppm, 700'000);
  EXPECT_EQ(shares.bank_ppm, 300'000);
  EXPECT_EQ(contracts::loss_shares_of_loan(chain.state(), 2).value().bank_ppm, 1'000'000);
  auto bank = contracts::book_of(chain.state(), kBank).value();
  EXPECT_EQ(bank.loans.size(), 2u);
  EXPECT_TRUE(bank.covers.empty());
  auto g = contracts::book_of(chain.state(), guar).value();
  EXPECT_TRUE(g.loans.empty());
  ASSERT_EQ(g.covers.size(), 1u);
  EXPECT_TRUE(g.cessions.empty());
  auto g2 = contracts::book_of(chain.state(), guar2).value();
  ASSERT_EQ(g2.cessions.size(), 1u);
  EXPECT_EQ(g2.cessions[0].id, 1u);
  EXPECT_EQ(contracts::book_of(chain.state(), ins).value().covers.at(0).contract_ref, "I1");
}

TEST_F(LoanQueries, NplReportOfABranchAndDate) {
  auto r = contracts::npl_report_of(chain.state(), kBank, 20240630).value();
  ASSERT_TRUE(r);
  // Loan 1 (special mention: not NPL) is the only IP-pledge loan with a balance.
  EXPECT_EQ(r->ip_balance_fen, 100'000'000);
  EXPECT_EQ(r->ip_npl_fen, 0);
  EXPECT_EQ(r->ip_loans, 1u);
  EXPECT_EQ(r->result, contracts::NplResult::kExempt);
  EXPECT_EQ(r->ratio_all_bp, 100);
  EXPECT_EQ(r->diff_bp, -100);
  EXPECT_FALSE(contracts::npl_report_of(chain.state(), kBank, 20240331).value());
}

TEST_F(LoanQueries, BooksSpanPages) {
  // 300 more loans: the bank's book holds 302 ids over two pages of 256.
  std::vector<TxSpec> txs;
  for (int i = 0; i < 300; ++i) {
    txs.push_back(on(20240701, {"bank", "loan.contract",
                                contract(("M" + std::to_string(i)).c_str(), 1'000, 43'500, 12, "2025-07-01")}));
  }
  ok(chain.block(txs));
  auto loans = contracts::loans_of_bank(chain.state(), kBank).value();
  ASSERT_EQ(loans.size(), 302u);
  for (size_t i = 0; i < loans.size(); ++i) EXPECT_EQ(loans[i].id, i + 1);
  const std::string book = contracts::keys::idx_bank_loans(kBank);
  auto page1 = contracts::read_record(chain.state(), contracts::keys::book_page(book, 1)).value();
  ASSERT_TRUE(page1);
  EXPECT_EQ(contracts::IdList::decode(*page1).value().ids.size(), 46u);
  EXPECT_EQ(contracts::loans_of_enterprise(chain.state(), kE).value().size(), 302u);
}

TEST_F(LoanQueries, DamagedRecordsAreCorruptionErrors) {
  const std::string loan_key = contracts::keys::loan(1);
  auto bad = damaged(loan_key, Bytes{1, 2, 3});
  EXPECT_EQ(contracts::loan_of(bad, 1).status().code(), Code::kCorruption);
  EXPECT_EQ(contracts::loans_of_bank(bad, kBank).status().code(), Code::kCorruption);
  EXPECT_EQ(contracts::loan_position(bad, 1, 20240830).status().code(), Code::kCorruption);
  // A book naming a loan that is not there, a page missing, a bad count.
  const std::string book = contracts::keys::idx_bank_loans(kBank);
  bad = damaged(contracts::keys::book_page(book, 0), contracts::IdList{{1, 77}}.encode());
  EXPECT_EQ(contracts::loans_of_bank(bad, kBank).status().code(), Code::kCorruption);
  bad = chain.state();
  bad.put(as_view(contracts::keys::book_page(book, 0)), std::nullopt);
  EXPECT_EQ(contracts::loans_of_bank(bad, kBank).status().code(), Code::kCorruption);
  bad = damaged(book, Encoder().u64(3).take());  // three loans on a page of two
  EXPECT_EQ(contracts::loans_of_bank(bad, kBank).status().code(), Code::kCorruption);
  bad = damaged(book, Encoder().u64(contracts::kBookMax + 1).take());
  EXPECT_EQ(contracts::book_of(bad, kBank).status().code(), Code::kCorruption);
  bad = damaged(contracts::keys::idx_loan_covers(1), contracts::IdList{{1, 9}}.encode());
  EXPECT_EQ(contracts::covers_of_loan(bad, 1).status().code(), Code::kCorruption);
  EXPECT_EQ(contracts::loss_shares_of_loan(bad, 1).status().code(), Code::kCorruption);
  bad = damaged(contracts::keys::cover(1), Bytes{0});
  EXPECT_EQ(contracts::cover_of(bad, 1).status().code(), Code::kCorruption);
  EXPECT_EQ(contracts::book_of(bad, guar).status().code(), Code::kCorruption);
  bad = damaged(contracts::keys::npl_report(kBank, 20240630), Bytes{0});
  EXPECT_EQ(contracts::npl_report_of(bad, kBank, 20240630).status().code(), Code::kCorruption);
  // A linked pledge missing.
  bad = chain.state();
  bad.put(as_view(contracts::keys::pledge(p1)), std::nullopt);
  EXPECT_EQ(contracts::first_pledge_reg_date(bad, *contracts::loan_of(bad, 1).value()).status().code(),
            Code::kCorruption);
}

}  // namespace
}  // namespace ipl::testing
