// Shared fixture of the issue-7 tests (loans, covers, NPL reports): a
// TestChain on the test genesis (bank = member 9, branch TY001) moved to
// 2024-03-01 with a guarantor, a re-guarantor, an insurer (admitted by
// vote) and one enterprise E (key ent9) owning patents kPatents[0..5], and
// helpers to date transactions, move the chain's clock and read records.
// Not thread-safe; one fixture per test.
#pragma once

#include <gtest/gtest.h>

#include "chain.h"
#include "contracts/ip_records.h"
#include "contracts/loan_records.h"

namespace ipl::testing {

class LoanChainTest : public ::testing::Test {
 public:
  static constexpr const char* kE = "91110000802100433B";
  static constexpr uint64_t kBank = 9;
  static constexpr const char* kPatents[] = {"202310008001.X", "202310008002.4", "202310008003.9",
                                             "202310008004.3", "202310008005.8", "202310008006.2"};

  void SetUp() override {
    go("2024-03-01T09:00");
    guar = admit("guar", "GUAR");
    guar2 = admit("guar2", "GUAR");
    ins = admit("ins", "INS");
    std::vector<TxSpec> txs = {on(20240301, {"ipa", "ent.register",
                                             {{"uscc", kE}, {"name", "E"}, {"region_code", "140100"},
                                              {"api_key", api_key("ent9").public_key.hex()}}})};
    for (const char* n : kPatents) {
      txs.push_back(on(20240301, {"ipa", "ip.snapshot",
                                  {{"kind", "patent"}, {"number", n}, {"filing_date", "2023-02-01"}, {"owners", {kE}}}}));
    }
    ok(chain.block(txs));
  }

  static TxSpec on(uint32_t date, TxSpec t) {
    t.value_date = date;
    return t;
  }
  static void ok(const contracts::BlockResult& r) {
    for (const Receipt& rc : r.receipts) ASSERT_EQ(rc.reason, "ok");
  }
  // Executes one transaction in its own block; returns its reason.
  std::string run(TxSpec t) { return chain.block({std::move(t)}).receipts.at(0).reason; }
  // Moves the chain's clock to `time` (Asia/Shanghai) with an empty block.
  void go(const char* time) {
    const uint64_t t = contracts::parse_shanghai_time(time).value();
    ASSERT_GT(t, chain.time_ms());
    chain.block({}, t - chain.time_ms());
  }
  // Moves the clock to 09:00 of `date` unless it is already there or later.
  void at_least(uint32_t date) {
    const uint64_t t = contracts::parse_shanghai_time(CivilDate{date}.str() + "T09:00").value();
    if (t > chain.time_ms()) chain.block({}, t - chain.time_ms());
  }
  uint64_t admit(const char* key, const char* role) {
    const auto raw = contracts::read_record(chain.state(), contracts::keys::kRegistry).value().value();
    const auto reg = contracts::RegistryRecord::decode(raw).value();
    const nlohmann::json action = {{"name", key}, {"role", role}, {"org", key},
                                   {"api_keys", {api_key(key).public_key.hex()}}};
    ok(chain.block({on(20240301, {"ipa", "gov.propose", {{"kind", "member_admit"},
                                                         {"deadline_ms", chain.time_ms() + 86'400'000},
                                                         {"action", action}}})}));
    std::vector<TxSpec> votes;
    for (const char* who : {"ipa", "fin", "cr", "sme", "lfr"}) {
      votes.push_back(on(20240301, {who, "gov.vote", {{"proposal_id", reg.next_proposal_id}, {"approve", true}}}));
    }
    ok(chain.block(votes));
    return reg.next_member_id;
  }
  // A pledge of kPatents[i] by E to `pledgee`, drafted by E and joined by
  // the pledgee; registered on `reg_date` unless 0. Returns its id.
  uint64_t pledge(size_t i, uint64_t pledgee, const char* joiner, uint32_t reg_date) {
    const uint64_t id = seq(contracts::keys::kPledgeSeq) + 1;
    ok(chain.block({on(20240301, {"ent9", "pledge.draft",
                                  {{"assets", {{{"kind", "patent"}, {"number", kPatents[i]}}}}, {"pledgor", kE},
                                   {"pledgee", pledgee}, {"claim_kind", "loan"}, {"amount_fen", 1'000'000},
                                   {"debt_due_date", "2026-12-31"}, {"contract_ref", "C"}}}),
                    on(20240301, {joiner, "pledge.submit", {{"pledge_id", id}}})}));
    if (reg_date != 0) {
      at_least(reg_date);
      ok(chain.block({on(reg_date, {"ipa", "pledge.register",
                                    {{"pledge_id", id}, {"reg_no", "20249900090" + std::to_string(10 + id)}}})}));
    }
    return id;
  }
  // A loan contract's JSON: E borrows `principal` fen at `rate` ppm.
  static nlohmann::json contract(const char* ref, int64_t principal, int64_t rate, uint32_t term, const char* maturity,
                                 nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json j = {{"borrower", kE}, {"contract_ref", ref}, {"principal_fen", principal}, {"rate_ppm", rate},
                        {"term_months", term}, {"maturity_date", maturity}};
    j.update(extra);
    return j;
  }

 protected:
  uint64_t seq(std::string_view key) {
    auto raw = contracts::read_record(chain.state(), key);
    uint64_t v = 0;
    if (raw.is_ok() && *raw) {
      Decoder d(**raw);
      (void)d.u64(v);
    }
    return v;
  }
  contracts::Loan loan(uint64_t id) {
    auto l = contracts::loan_of(chain.state(), id);
    EXPECT_TRUE(l.is_ok() && *l);
    return l.is_ok() && *l ? **l : contracts::Loan{};
  }
  contracts::Cover cover(uint64_t id) {
    auto c = contracts::cover_of(chain.state(), id);
    EXPECT_TRUE(c.is_ok() && *c);
    return c.is_ok() && *c ? **c : contracts::Cover{};
  }

  TestChain chain{test_genesis()};
  uint64_t guar = 0, guar2 = 0, ins = 0;
};

}  // namespace ipl::testing
