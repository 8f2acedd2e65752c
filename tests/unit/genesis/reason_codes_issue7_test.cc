// Goal (issue 7 "Must show"): every reason code of the loan, cover and NPL
// modules (contracts/codes.h kIssue7) is triggered through the real
// executor, and each refusal leaves state unchanged except the sender's
// nonce record (docs/adr/0006 "Nonces").
// Method: admit a guarantor, a re-guarantor, an insurer and a second bank
// by vote, register two enterprises, patents and pledges, contract and
// disburse loans with covers on 2024-03-01, move to 2024-06-20 (the first
// installment unpaid), then execute each refused transaction on a copy of
// the state (ReasonCodeTest::expect_code); the bounds (kLoanCoversMax,
// kCoverListMax, kLoanListMax, kBookMax) are filled by real transactions
// last. Identifiers, ids and dates are independent of what ran before, so
// reason_codes_test.cc runs the same triggers after the earlier modules'.
#include <gtest/gtest.h>

#include "contracts/ip_records.h"
#include "contracts/loan_records.h"
#include "reason_codes.h"

namespace ipl::testing {

namespace {

using nlohmann::json;
namespace codes = contracts::codes;

constexpr const char* kB = "91330100716105852F";   // borrower, key ent7
constexpr const char* kB2 = "9144030071526726XG";  // another enterprise, no key
constexpr const char* kP1 = "202310009001.1";      // B's: pledged to the bank, registered
constexpr const char* kP2 = "202310009002.6";      // B2's: pledged to the bank
constexpr const char* kP3 = "202310009003.0";      // B's: refused
constexpr const char* kP4 = "202310009004.5";      // B's: pledged to the second bank
constexpr const char* kP5 = "202310009005.X";      // B's: pledged to the guarantor

void expect_ok(const contracts::BlockResult& r) {
  for (const Receipt& rc : r.receipts) ASSERT_EQ(rc.reason, "ok");
}

uint64_t read_u64(const contracts::MemState& s, std::string_view key) {
  auto raw = contracts::read_record(s, key);
  uint64_t v = 0;
  if (raw.is_ok() && *raw) {
    Decoder d(**raw);
    (void)d.u64(v);
  }
  return v;
}

TxSpec on(uint32_t date, TxSpec t) {
  t.value_date = date;
  return t;
}

}  // namespace

void ReasonCodeTest::trigger_issue7_codes() {
  const uint64_t t0 = contracts::parse_shanghai_time("2024-03-01T10:00").value();
  ASSERT_LT(chain.time_ms(), t0);
  chain.block({}, t0 - chain.time_ms());
  constexpr uint32_t kD0 = 20240301;
  // Members by vote: the next proposal and member ids come from the registry.
  auto admit = [&](const char* key, const char* role, const char* branch) {
    auto reg = contracts::RegistryRecord::decode(
        contracts::read_record(chain.state(), contracts::keys::kRegistry).value().value()).value();
    const json action = {{"name", key}, {"role", role}, {"org", key}, {"branch_code", branch},
                         {"api_keys", {api_key(key).public_key.hex()}}};
    expect_ok(chain.block({on(kD0, {"ipa", "gov.propose", {{"kind", "member_admit"},
                                                           {"deadline_ms", chain.time_ms() + 86'400'000},
                                                           {"action", action}}})}));
    std::vector<TxSpec> votes;
    for (const char* who : {"ipa", "fin", "cr", "sme", "lfr"}) {
      votes.push_back(on(kD0, {who, "gov.vote", {{"proposal_id", reg.next_proposal_id}, {"approve", true}}}));
    }
    expect_ok(chain.block(votes));
    return reg.next_member_id;
  };
  auto param = [&](const char* name, const char* type, int64_t value) {
    auto reg = contracts::RegistryRecord::decode(
        contracts::read_record(chain.state(), contracts::keys::kRegistry).value().value()).value();
    expect_ok(chain.block({on(kD0, {"ipa", "gov.propose",
                                    {{"kind", "param_change"}, {"deadline_ms", chain.time_ms() + 86'400'000},
                                     {"action", {{"name", name}, {"type", type}, {"value", value},
                                                 {"effective_from", "2024-03-01"}}}}})}));
    std::vector<TxSpec> votes;
    for (const char* who : {"ipa", "fin", "cr", "sme", "lfr"}) {
      votes.push_back(on(kD0, {who, "gov.vote", {{"proposal_id", reg.next_proposal_id}, {"approve", true}}}));
    }
    expect_ok(chain.block(votes));
  };
  const uint64_t guar = admit("guar", "GUAR", "");
  const uint64_t guar2 = admit("guar2", "GUAR", "");
  admit("ins", "INS", "");
  const uint64_t bankz = admit("bankz", "BANK", "DT009");
  constexpr uint64_t kBank = 9;  // "bank" in test_genesis()
  param("loan.scheme.capped.rate_cap_lpr_spread_ppm", "ppm", 8'000);
  param("loan.scheme.capped.term_months_max", "count", 12);

  // Enterprises, patents, pledges.
  auto patent = [](const char* n, const char* owner) {
    return json{{"kind", "patent"}, {"number", n}, {"filing_date", "2023-02-01"}, {"owners", {owner}}};
  };
  expect_ok(chain.block({on(kD0, {"ipa", "ent.register", {{"uscc", kB}, {"name", "B"}, {"region_code", "140100"},
                                                          {"api_key", api_key("ent7").public_key.hex()}}}),
                         on(kD0, {"ipa", "ent.register", {{"uscc", kB2}, {"name", "B2"}, {"region_code", "140100"}}}),
                         on(kD0, {"ipa", "ip.snapshot", patent(kP1, kB)}), on(kD0, {"ipa", "ip.snapshot", patent(kP2, kB2)}),
                         on(kD0, {"ipa", "ip.snapshot", patent(kP3, kB)}), on(kD0, {"ipa", "ip.snapshot", patent(kP4, kB)}),
                         on(kD0, {"ipa", "ip.snapshot", patent(kP5, kB)})}));
  const uint64_t p0 = read_u64(chain.state(), contracts::keys::kPledgeSeq);
  const uint64_t p_ok = p0 + 1, p_b2 = p0 + 2, p_refused = p0 + 3, p_wrong = p0 + 4, p_guar = p0 + 5;
  auto draft = [](const char* n, const char* pledgor, uint64_t pledgee) {
    return json{{"assets", {{{"kind", "patent"}, {"number", n}}}}, {"pledgor", pledgor}, {"pledgee", pledgee},
                {"claim_kind", "loan"}, {"amount_fen", 100'000'000}, {"debt_due_date", "2026-12-31"},
                {"contract_ref", "C-7"}};
  };
  expect_ok(chain.block({on(kD0, {"ent7", "pledge.draft", draft(kP1, kB, kBank)}),
                         on(kD0, {"bank", "pledge.draft", draft(kP2, kB2, kBank)}),
                         on(kD0, {"ent7", "pledge.draft", draft(kP3, kB, kBank)}),
                         on(kD0, {"ent7", "pledge.draft", draft(kP4, kB, bankz)}),
                         on(kD0, {"ent7", "pledge.draft", draft(kP5, kB, guar)})}));
  expect_ok(chain.block({on(kD0, {"bank", "pledge.submit", {{"pledge_id", p_ok}}}),
                         on(kD0, {"bank", "pledge.submit", {{"pledge_id", p_refused}}})}));
  expect_ok(chain.block({on(kD0, {"ipa", "pledge.register", {{"pledge_id", p_ok}, {"reg_no", "2024990007001"}}}),
                         on(kD0, {"ipa", "pledge.refuse", {{"pledge_id", p_refused}, {"reason", "pledge.ip_frozen"}}})}));

  // Loans of 2024-03-01: L1 quarterly (4 × 250,000 yuan) with pledge
  // p_ok; L2 only contracted; L3 a one-month bullet; L4 for the history
  // bound; L5 to be prepaid and settled.
  const uint64_t l0 = read_u64(chain.state(), contracts::keys::kLoanSeq);
  const uint64_t l1 = l0 + 1, l2 = l0 + 2, l3 = l0 + 3, l4 = l0 + 4, l5 = l0 + 5;
  auto loan = [&](const char* ref, int64_t principal, uint32_t term, const char* maturity, json extra = json::object()) {
    json j = {{"borrower", kB}, {"contract_ref", ref}, {"principal_fen", principal}, {"rate_ppm", 43'500},
              {"term_months", term}, {"maturity_date", maturity}};
    j.update(extra);
    return j;
  };
  const json quarterly = {{"schedule", {{{"due_date", "2024-06-01"}, {"principal_fen", 25'000'000}},
                                        {{"due_date", "2024-09-01"}, {"principal_fen", 25'000'000}},
                                        {{"due_date", "2024-12-01"}, {"principal_fen", 25'000'000}},
                                        {{"due_date", "2025-03-01"}, {"principal_fen", 25'000'000}}}},
                          {"pledges", {p_ok}}, {"ip_share_ppm", 1'000'000}, {"ip_share_source", "contract"}};
  expect_ok(chain.block({on(kD0, {"bank", "loan.contract", loan("L1", 100'000'000, 12, "2025-03-01", quarterly)}),
                         on(kD0, {"bank", "loan.contract", loan("L2", 10'000'000, 12, "2025-03-01")}),
                         on(kD0, {"bank", "loan.contract", loan("L3", 10'000'000, 1, "2024-04-01")}),
                         on(kD0, {"bank", "loan.contract", loan("L4", 10'000'000, 12, "2025-03-01")}),
                         on(kD0, {"bank", "loan.contract", loan("L5", 1'000'000, 12, "2025-03-01")})}));
  std::vector<TxSpec> drawdowns;
  for (uint64_t id : {l1, l3, l4, l5}) {
    const int64_t amount = id == l1 ? 100'000'000 : id == l5 ? 1'000'000 : 10'000'000;
    drawdowns.push_back(on(kD0, {"bank", "loan.disburse", {{"loan_id", id}, {"amount_fen", amount}}}));
  }
  expect_ok(chain.block(drawdowns));
  // Covers: C1 guarantee 50% on L1, C2 insurance 30% on L1, C3 on L5.
  const uint64_t c0 = read_u64(chain.state(), contracts::keys::kCoverSeq);
  const uint64_t c1 = c0 + 1, c3 = c0 + 3;
  auto cover = [](uint64_t loan_id, uint32_t share, int64_t amount) {
    return json{{"loan_id", loan_id}, {"contract_ref", "G"}, {"loss_share_ppm", share}, {"cover_amount_fen", amount}};
  };
  expect_ok(chain.block({on(kD0, {"guar", "guarantee.contract", cover(l1, 500'000, 50'000'000)}),
                         on(kD0, {"ins", "insurance.policy", cover(l1, 300'000, 30'000'000)}),
                         on(kD0, {"guar", "guarantee.contract", cover(l5, 500'000, 500'000)}),
                         on(kD0, {"guar", "cover.cede", {{"cover_id", c1}, {"cessionary", guar2}, {"mode", "share"},
                                                         {"share_ppm", 600'000}, {"contract_ref", "RG"}}})}));
  // L5: fully prepaid the same day (no interest accrued), settled; C3 released.
  expect_ok(chain.block({on(kD0, {"bank", "loan.prepay", {{"loan_id", l5}, {"principal_fen", 1'000'000}}}),
                         on(kD0, {"bank", "loan.settle", {{"loan_id", l5}}}),
                         on(kD0, {"guar", "cover.release", {{"cover_id", c3}}})}));

  // 2024-03-01: refusals of the contract, the pledges, the drawdown, the covers.
  const json l1_pay = {{"loan_id", l1}, {"principal_fen", 1}};
  expect_code(codes::kLoanUnknown, on(kD0, {"bank", "loan.repay", {{"loan_id", 999'999}, {"principal_fen", 1}}}));
  expect_code(codes::kLoanNotLender, on(kD0, {"bankz", "loan.repay", l1_pay}));
  expect_code(codes::kLoanBadState, on(kD0, {"bank", "loan.repay", {{"loan_id", l2}, {"principal_fen", 1}}}));
  expect_code(codes::kLoanBadSchedule,
              on(kD0, {"bank", "loan.contract", loan("X1", 10'000'000, 12, "2025-03-01",
                                                     {{"schedule", {{{"due_date", "2025-03-01"}, {"principal_fen", 9}}}}})}));
  expect_code(codes::kLoanIpShareSourceMissing,
              on(kD0, {"bank", "loan.contract", loan("X2", 10'000'000, 12, "2025-03-01", {{"ip_share_ppm", 500'000}})}));
  expect_code(codes::kLoanRefTaken, on(kD0, {"bank", "loan.contract", loan("L1", 10'000'000, 12, "2025-03-01")}));
  expect_code(codes::kLoanUnknownScheme,
              on(kD0, {"bank", "loan.contract", loan("X3", 10'000'000, 12, "2025-03-01", {{"scheme", "nosuch"}})}));
  expect_code(codes::kLoanTermAboveCap,
              on(kD0, {"bank", "loan.contract", loan("X4", 10'000'000, 24, "2026-03-01", {{"scheme", "capped"}})}));
  expect_code(codes::kLoanLprMissing,
              on(kD0, {"bank", "loan.contract", loan("X5", 10'000'000, 12, "2025-03-01", {{"scheme", "capped"}})}));
  // The LPR in force on 2024-03-01 is February's (published on the 20th).
  expect_ok(chain.block({on(kD0, {"pboc", "attest.lpr", {{"month", "2024-02"}, {"rate_1y_ppm", 34'500}, {"rate_5y_ppm", 39'500}}})}));
  expect_code(codes::kLoanRateAboveCap,
              on(kD0, {"bank", "loan.contract",
                       loan("X6", 10'000'000, 12, "2025-03-01", {{"scheme", "capped"}, {"rate_ppm", 42'501}})}));
  expect_code(codes::kOk, on(kD0, {"bank", "loan.contract",
                                   loan("X7", 10'000'000, 12, "2025-03-01", {{"scheme", "capped"}, {"rate_ppm", 42'500}})}));
  expect_code(codes::kPledgeUnknown, on(kD0, {"bank", "loan.link_pledge", {{"loan_id", l1}, {"pledge_id", 999'999}}}));
  expect_code(codes::kLoanPledgeUnusable, on(kD0, {"bank", "loan.link_pledge", {{"loan_id", l1}, {"pledge_id", p_refused}}}));
  expect_code(codes::kLoanPledgeNotBorrowers, on(kD0, {"bank", "loan.link_pledge", {{"loan_id", l1}, {"pledge_id", p_b2}}}));
  expect_code(codes::kLoanPledgeWrongPledgee, on(kD0, {"bank", "loan.link_pledge", {{"loan_id", l1}, {"pledge_id", p_wrong}}}));
  expect_code(codes::kLoanPledgeTaken, on(kD0, {"bank", "loan.link_pledge", {{"loan_id", l2}, {"pledge_id", p_ok}}}));
  expect_code(codes::kOk, on(kD0, {"bank", "loan.link_pledge", {{"loan_id", l1}, {"pledge_id", p_guar}}}));
  expect_code(codes::kLoanAmountMismatch, on(kD0, {"bank", "loan.disburse", {{"loan_id", l2}, {"amount_fen", 1}}}));
  expect_code(codes::kLoanBadDate, on(20240229, {"bank", "loan.disburse", {{"loan_id", l2}, {"amount_fen", 10'000'000}}}));
  expect_code(codes::kLoanOverpayment, on(kD0, {"bank", "loan.repay", l1_pay}));
  expect_code(codes::kLoanNotNpl, on(kD0, {"bank", "loan.write_off", {{"loan_id", l1}}}));
  expect_code(codes::kLoanNotRepaid, on(kD0, {"bank", "loan.settle", {{"loan_id", l1}}}));
  expect_code(codes::kValueDateBackwards, on(20240229, {"bank", "loan.repay", l1_pay}));
  expect_code(codes::kCoverUnknown, on(kD0, {"guar", "cover.payout", {{"cover_id", 999'999}, {"amount_fen", 1}}}));
  expect_code(codes::kCoverNotProvider, on(kD0, {"guar2", "cover.fee", {{"cover_id", c1}, {"amount_fen", 1}, {"invoice_ref", "I"}}}));
  expect_code(codes::kCoverBadState, on(kD0, {"guar", "cover.payout", {{"cover_id", c3}, {"amount_fen", 1}}}));
  expect_code(codes::kCoverShareExceeds, on(kD0, {"guar", "guarantee.contract", cover(l1, 200'001, 1)}));
  expect_code(codes::kOk, on(kD0, {"guar", "guarantee.contract", cover(l1, 200'000, 1)}));
  expect_code(codes::kCoverBadCessionary, on(kD0, {"guar", "cover.cede", {{"cover_id", c1}, {"cessionary", kBank},
                                                                         {"mode", "share"}, {"share_ppm", 1}, {"contract_ref", "R"}}}));
  expect_code(codes::kCoverCessionExceeds, on(kD0, {"guar", "cover.cede", {{"cover_id", c1}, {"cessionary", guar2},
                                                                           {"mode", "share"}, {"share_ppm", 400'001}, {"contract_ref", "R"}}}));
  expect_code(codes::kCoverLoanNotInDefault, on(kD0, {"guar", "cover.payout", {{"cover_id", c1}, {"amount_fen", 1}}}));
  expect_code(codes::kCoverLoanOpen, on(kD0, {"guar", "cover.release", {{"cover_id", c1}}}));
  // NPL reports (no attestation for February; the second bank attests
  // totals beyond 10^15 fen).
  expect_code(codes::kNplBadReportingDate, on(kD0, {"bank", "npl.report", {{"reporting_date", "2024-02-28"}}}));
  expect_code(codes::kNplBadReportingDate, on(kD0, {"bank", "npl.report", {{"reporting_date", "2024-03-31"}}}));
  expect_code(codes::kNplNotOwnBranch, on(kD0, {"bank", "npl.report", {{"bank", 1}, {"reporting_date", "2024-02-29"}}}));
  expect_code(codes::kNplUnknownBranch, on(kD0, {"nfra", "npl.report", {{"bank", 1}, {"reporting_date", "2024-02-29"}}}));
  expect_code(codes::kNplTotalsMissing, on(kD0, {"bank", "npl.report", {{"reporting_date", "2024-02-29"}}}));
  expect_ok(chain.block({on(kD0, {"bankz", "attest.bank_totals",
                                  {{"month", "2024-02"}, {"loans_fen", 2'000'000'000'000'000}, {"npl_fen", 0}}})}));
  expect_code(codes::kNplBalanceOutOfRange, on(kD0, {"bankz", "npl.report", {{"reporting_date", "2024-02-29"}}}));

  // 2024-06-20: L1's first installment (2024-06-01) is unpaid: 19 days past due.
  chain.block({}, contracts::parse_shanghai_time("2024-06-20T10:00").value() - chain.time_ms());
  constexpr uint32_t kD1 = 20240620;
  expect_code(codes::kLoanClassBelowFloor, on(kD1, {"bank", "loan.classify", {{"loan_id", l1}, {"class", "normal"}}}));
  expect_code(codes::kOk, on(kD1, {"bank", "loan.classify", {{"loan_id", l1}, {"class", "special_mention"}}}));
  expect_code(codes::kLoanInArrears, on(kD1, {"bank", "loan.prepay", {{"loan_id", l1}, {"principal_fen", 1}}}));
  expect_code(codes::kLoanExtensionTooLate,
              on(kD1, {"bank", "loan.extend", {{"loan_id", l3}, {"maturity_date", "2024-12-01"},
                                               {"schedule", {{{"due_date", "2024-12-01"}, {"principal_fen", 10'000'000}}}}}}));
  expect_code(codes::kCoverPayoutExceeds, on(kD1, {"guar", "cover.payout", {{"cover_id", c1}, {"amount_fen", 50'000'001}}}));
  // A payout of 100,000 yuan: 60% (60,000) ceded to the re-guarantor.
  expect_ok(chain.block({on(kD1, {"guar", "cover.payout", {{"cover_id", c1}, {"amount_fen", 10'000'000}}})}));
  expect_code(codes::kCoverNotCessionary, on(kD1, {"guar", "cover.recover_ceded", {{"cover_id", c1}, {"cession", 0}, {"amount_fen", 1}}}));
  expect_code(codes::kCoverNotCessionary, on(kD1, {"guar2", "cover.recover_ceded", {{"cover_id", c1}, {"cession", 1}, {"amount_fen", 1}}}));
  expect_code(codes::kCoverRecoveryExceeds,
              on(kD1, {"guar2", "cover.recover_ceded", {{"cover_id", c1}, {"cession", 0}, {"amount_fen", 6'000'001}}}));
  expect_code(codes::kOk, on(kD1, {"guar2", "cover.recover_ceded", {{"cover_id", c1}, {"cession", 0}, {"amount_fen", 6'000'000}}}));
  // The bank's attested March totals are below the ledger's own IP loans.
  expect_ok(chain.block({on(kD1, {"bank", "attest.bank_totals", {{"month", "2024-03"}, {"loans_fen", 1}, {"npl_fen", 0}}})}));
  expect_code(codes::kNplTotalsBelowLedger, on(kD1, {"bank", "npl.report", {{"reporting_date", "2024-03-31"}}}));

  // The bounds, filled by real transactions (kept last: they make state large).
  {
    std::vector<TxSpec> covers;
    for (size_t i = 0; i < contracts::kLoanCoversMax; ++i) covers.push_back(on(kD1, {"guar", "guarantee.contract", cover(l2, 1, 1)}));
    expect_ok(chain.block(covers));
    expect_code(codes::kCoverBookFull, on(kD1, {"guar", "guarantee.contract", cover(l2, 1, 1)}));
    std::vector<TxSpec> fees;
    for (size_t i = 0; i < contracts::kCoverListMax; ++i) {
      fees.push_back(on(kD1, {"guar", "cover.fee", {{"cover_id", c1}, {"amount_fen", 1}, {"invoice_ref", "I"}}}));
    }
    expect_ok(chain.block(fees));
    expect_code(codes::kCoverHistoryFull, on(kD1, {"guar", "cover.fee", {{"cover_id", c1}, {"amount_fen", 1}, {"invoice_ref", "I"}}}));
    std::vector<TxSpec> classes;
    for (size_t i = 0; i < contracts::kLoanListMax; ++i) {
      classes.push_back(on(kD1, {"bank", "loan.classify", {{"loan_id", l4}, {"class", "loss"}}}));
    }
    expect_ok(chain.block(classes));
    expect_code(codes::kLoanHistoryFull, on(kD1, {"bank", "loan.classify", {{"loan_id", l4}, {"class", "loss"}}}));
    std::vector<TxSpec> book;
    for (size_t i = 0; i < contracts::kBookMax; ++i) {
      json j = loan(("Z" + std::to_string(i)).c_str(), 100, 12, "2025-06-20");
      j["borrower"] = kB2;
      book.push_back(on(kD1, {"bankz", "loan.contract", j}));
    }
    expect_ok(chain.block(book));
    json j = loan("Z-last", 100, 12, "2025-06-20");
    j["borrower"] = kB2;
    expect_code(codes::kLoanBookFull, on(kD1, {"bankz", "loan.contract", j}));
  }
}

namespace {

class Issue7Codes : public ReasonCodeTest {};

TEST_F(Issue7Codes, EveryCodeIsTriggeredAndLeavesStateUnchanged) {
  trigger_issue7_codes();
  for (std::string_view c : codes::kIssue7) EXPECT_TRUE(seen.count(std::string(c))) << "code never triggered: " << c;
}

}  // namespace
}  // namespace ipl::testing
