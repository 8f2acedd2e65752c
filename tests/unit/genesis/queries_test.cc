// Goal: every StateView reader the API will serve — contracts/queries.h
// (read_record, param_at, lpr_of_month, is_working_day, ip_fact,
// bank_totals) and the issue-6 readers of contracts/ip_records.h
// (enterprise_of, asset_of, pledge_of, pledges_of_asset,
// pledges_of_enterprise, pledges_of_member, marks_of_owner,
// add_working_days) — returns what the executed transactions wrote, nullopt
// or empty for what was never written, and a corruption error (not a
// crash, not a silent empty answer) for a damaged record. Method: build
// one state by executing attestations, a parameter change, enterprises,
// register snapshots and pledges through the real executor (TestChain),
// then query it; damage copies of the state for the error cases. The tests
// live with the genesis fixtures (chain.h) because building state needs
// the genesis module, which unit_contracts does not link.
#include <gtest/gtest.h>

#include "chain.h"
#include "contracts/ip_records.h"

namespace ipl::testing {
namespace {

using nlohmann::json;
using contracts::PledgeStatus;

constexpr const char* kE1 = "91350100M000100Y43";
constexpr const char* kE2 = "91140100MA0K000017";
constexpr const char* kUnregistered = "914403001922038216";
constexpr uint64_t kBank = 9;
constexpr const char* kPatent = "202210000001.0";
constexpr const char* kIdle = "202210000002.5";  // entered, never pledged
constexpr const char* kWork = "国作登字-2021-L-00268255";

std::string patent_key(const char* n) { return "ip/patent/" + std::string(n); }
std::string work_key() { return "ip/copyright/" + std::string(kWork); }

std::vector<uint64_t> ids_of(const std::vector<contracts::Pledge>& ps) {
  std::vector<uint64_t> out;
  for (const contracts::Pledge& p : ps) out.push_back(p.id);
  return out;
}

class Queries : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ok = [](const contracts::BlockResult& r) {
      for (const Receipt& rc : r.receipts) ASSERT_EQ(rc.reason, "ok");
    };
    // Attested facts and a parameter change effective 2024-07-01.
    ok(chain.block({{"pboc", "attest.lpr", {{"month", "2024-01"}, {"rate_1y_ppm", 34500}, {"rate_5y_ppm", 39500}}},
                    {"ipa", "attest.calendar",
                     {{"year", 2024}, {"holidays", {"2024-01-01", "2024-02-12"}}, {"workdays", {"2024-02-04"}}}},
                    {"ipa", "attest.ip_fact",
                     {{"number", kPatent}, {"kind", "patent"}, {"status", "in_force"}, {"owners", {kE1}}}},
                    {"bank", "attest.bank_totals", {{"month", "2023-12"}, {"loans_fen", 1000}, {"npl_fen", 10}}},
                    {"ipa", "gov.propose",
                     {{"kind", "param_change"},
                      {"deadline_ms", chain.time_ms() + 10ull * 86'400'000},
                      {"action", {{"name", "subsidy.interest.pct_ppm"}, {"type", "ppm"}, {"value", 600000},
                                  {"effective_from", "2024-07-01"}}}}}}));
    std::vector<TxSpec> votes;
    for (const char* who : {"ipa", "fin", "cr", "sme", "lfr"}) {
      votes.push_back({who, "gov.vote", {{"proposal_id", 1}, {"approve", true}}});
    }
    ok(chain.block(votes));
    // Enterprises, snapshots (E1's marks: two in class 9).
    ok(chain.block({{"ipa", "ent.register", {{"uscc", kE1}, {"name", "E1"}, {"region_code", "140100"},
                                             {"api_key", api_key("ent1").public_key.hex()}}},
                    {"bank", "ent.register", {{"uscc", kE2}, {"name", "E2"}, {"region_code", "140100"}}},
                    {"ipa", "ip.snapshot", {{"kind", "patent"}, {"number", kPatent}, {"filing_date", "2022-03-01"},
                                            {"owners", {kE1}}}},
                    {"ipa", "ip.snapshot", {{"kind", "patent"}, {"number", kIdle}, {"filing_date", "2022-03-01"},
                                            {"owners", {kE1, kE2}}}},
                    {"cr", "ip.snapshot", {{"kind", "copyright"}, {"number", kWork}, {"expiry_date", "2071-12-31"},
                                           {"owners", {kE1}}}},
                    {"ipa", "ip.snapshot", {{"kind", "trademark"}, {"number", "12345678"}, {"nice_class", 9},
                                            {"grant_date", "2022-05-01"}, {"owners", {kE1}}}},
                    {"ipa", "ip.snapshot", {{"kind", "trademark"}, {"number", "12345679"}, {"nice_class", 9},
                                            {"grant_date", "2020-05-01"}, {"owners", {kE1}}}}}));
    // Pledges: 1 on the patent registered then released, 2 on it running,
    // 3 on it a draft; 4 and 5 on the work, ranks 1 and 2.
    auto draft = [](const json& asset) {
      return json{{"assets", {asset}}, {"pledgor", kE1}, {"pledgee", kBank}, {"claim_kind", "loan"},
                  {"amount_fen", 1000}, {"debt_due_date", "2026-12-31"}, {"contract_ref", "C-1"}};
    };
    const json patent = {{"kind", "patent"}, {"number", kPatent}};
    const json work = {{"kind", "copyright"}, {"number", kWork}};
    ok(chain.block({{"ent1", "pledge.draft", draft(patent)}, {"ent1", "pledge.draft", draft(patent)},
                    {"ent1", "pledge.draft", draft(patent)}, {"bank", "pledge.draft", draft(work)},
                    {"bank", "pledge.draft", draft(work)}}));
    ok(chain.block({{"bank", "pledge.submit", {{"pledge_id", 1}}}, {"bank", "pledge.submit", {{"pledge_id", 2}}},
                    {"ent1", "pledge.submit", {{"pledge_id", 4}}}, {"ent1", "pledge.submit", {{"pledge_id", 5}}}}));
    ok(chain.block({{"ipa", "pledge.register", {{"pledge_id", 1}, {"reg_no", "2024990000001"}}},
                    {"cr", "pledge.register", {{"pledge_id", 5}, {"reg_no", "2024990000005"}}},
                    {"cr", "pledge.register", {{"pledge_id", 4}, {"reg_no", "2024990000004"}}}}));
    ok(chain.block({{"bank", "pledge.release", {{"pledge_id", 1}, {"trigger", "repaid"}}}}));
    ok(chain.block({{"ipa", "pledge.register", {{"pledge_id", 2}, {"reg_no", "2024990000002"}}}}));
  }

  // A copy of the state with `key` replaced by a RecordBody holding `data`.
  contracts::MemState damaged(const std::string& key, Bytes data) {
    contracts::MemState s = chain.state();
    s.put(as_view(key), contracts::RecordBody{CivilDate{20240102}, std::move(data)}.encode());
    return s;
  }

  TestChain chain{test_genesis()};
};

TEST_F(Queries, ReadRecordUnwrapsTheBodyAndReportsAbsenceAndDamage) {
  auto raw = contracts::read_record(chain.state(), contracts::keys::enterprise(kE1));
  ASSERT_TRUE(raw.is_ok());
  ASSERT_TRUE(*raw);
  auto e = contracts::Enterprise::decode(**raw);  // the body, without the value-date wrapper
  ASSERT_TRUE(e.is_ok());
  EXPECT_EQ(e->uscc, kE1);
  auto none = contracts::read_record(chain.state(), contracts::keys::enterprise(kUnregistered));
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(*none);
  contracts::MemState bad = chain.state();
  bad.put(as_view(contracts::keys::enterprise(kE1)), Bytes{1, 2});  // not a RecordBody
  EXPECT_FALSE(contracts::read_record(bad, contracts::keys::enterprise(kE1)).is_ok());
}

TEST_F(Queries, ParamAtFollowsEffectiveDates) {
  const char* name = "subsidy.interest.pct_ppm";
  auto at = [&](uint32_t d) { return contracts::param_at(chain.state(), name, CivilDate{d}); };
  ASSERT_TRUE(at(20231231).is_ok());
  EXPECT_FALSE(*at(20231231));  // before the genesis version's effective_from
  EXPECT_EQ(at(20240101)->value_or(-1), 500000);
  EXPECT_EQ(at(20240630)->value_or(-1), 500000);
  EXPECT_EQ(at(20240701)->value_or(-1), 600000);  // the passed change
  EXPECT_EQ(at(20991231)->value_or(-1), 600000);
  auto unknown = contracts::param_at(chain.state(), "no.such.param", CivilDate{20240701});
  ASSERT_TRUE(unknown.is_ok());
  EXPECT_FALSE(*unknown);
  contracts::MemState bad = damaged(contracts::keys::param(name), Bytes{7});
  EXPECT_FALSE(contracts::param_at(bad, name, CivilDate{20240701}).is_ok());
}

TEST_F(Queries, AttestedFactsByMonthNumberAndMember) {
  auto lpr = contracts::lpr_of_month(chain.state(), 202401);
  ASSERT_TRUE(lpr.is_ok() && *lpr);
  EXPECT_EQ((*lpr)->rate_1y_ppm, 34500);
  EXPECT_EQ((*lpr)->rate_5y_ppm, 39500);
  EXPECT_EQ((*lpr)->attester, 7u);  // the PBoC branch
  EXPECT_FALSE(*contracts::lpr_of_month(chain.state(), 202402));

  auto fact = contracts::ip_fact(chain.state(), kPatent);
  ASSERT_TRUE(fact.is_ok() && *fact);
  EXPECT_EQ((*fact)->status, "in_force");
  EXPECT_EQ((*fact)->owners, std::vector<std::string>{kE1});
  EXPECT_FALSE(*contracts::ip_fact(chain.state(), kIdle));

  auto totals = contracts::bank_totals(chain.state(), kBank, 202312);
  ASSERT_TRUE(totals.is_ok() && *totals);
  EXPECT_EQ((*totals)->loans_fen, 1000);
  EXPECT_EQ((*totals)->npl_fen, 10);
  EXPECT_EQ((*totals)->branch_code, "TY001");
  EXPECT_FALSE(*contracts::bank_totals(chain.state(), kBank, 202401));
  EXPECT_FALSE(*contracts::bank_totals(chain.state(), 1, 202312));
}

TEST_F(Queries, WorkingDaysFollowTheAttestedCalendar) {
  auto wd = [&](uint32_t d) { return contracts::is_working_day(chain.state(), CivilDate{d}); };
  EXPECT_EQ(wd(20240101)->value_or(true), false);   // Monday, holiday
  EXPECT_EQ(wd(20240102)->value_or(false), true);   // Tuesday
  EXPECT_EQ(wd(20240203)->value_or(true), false);   // Saturday
  EXPECT_EQ(wd(20240204)->value_or(false), true);   // Sunday, make-up workday
  EXPECT_EQ(wd(20240212)->value_or(true), false);   // Monday, holiday
  EXPECT_EQ(wd(20241231)->value_or(false), true);   // Tuesday
  ASSERT_TRUE(wd(20250102).is_ok());
  EXPECT_FALSE(*wd(20250102));  // no 2025 calendar: no answer, no guess
}

TEST_F(Queries, EnterpriseAssetAndPledgeByKey) {
  auto e = contracts::enterprise_of(chain.state(), kE1);
  ASSERT_TRUE(e.is_ok() && *e);
  EXPECT_EQ((*e)->name, "E1");
  EXPECT_EQ((*e)->status, contracts::EnterpriseStatus::kActive);
  EXPECT_EQ((*e)->member_id, 11u);
  auto e2 = contracts::enterprise_of(chain.state(), kE2);
  ASSERT_TRUE(e2.is_ok() && *e2);
  EXPECT_EQ((*e2)->member_id, 0u);  // registered without an API key
  EXPECT_EQ((*e2)->registered_by, kBank);
  EXPECT_FALSE(*contracts::enterprise_of(chain.state(), kUnregistered));
  // Readers take the canonical key: no normalisation of the lookup.
  EXPECT_FALSE(*contracts::enterprise_of(chain.state(), "91350100m000100y43"));

  auto a = contracts::asset_of(chain.state(), patent_key(kPatent));
  ASSERT_TRUE(a.is_ok() && *a);
  EXPECT_EQ((*a)->expiry, 20420228u);
  EXPECT_EQ((*a)->owners, std::vector<std::string>{kE1});
  EXPECT_FALSE(*contracts::asset_of(chain.state(), patent_key("202210000003.X")));

  auto p = contracts::pledge_of(chain.state(), 2);
  ASSERT_TRUE(p.is_ok() && *p);
  EXPECT_EQ((*p)->status, PledgeStatus::kRegistered);
  EXPECT_EQ((*p)->reg_no, "2024990000002");
  EXPECT_FALSE(*contracts::pledge_of(chain.state(), 0));
  EXPECT_FALSE(*contracts::pledge_of(chain.state(), 6));

  contracts::MemState bad = damaged(contracts::keys::pledge(2), Bytes{1});
  EXPECT_FALSE(contracts::pledge_of(bad, 2).is_ok());
}

TEST_F(Queries, PledgesOfAnAssetGiveHistoryAndRunningPledgesByPriority) {
  auto patent = contracts::pledges_of_asset(chain.state(), patent_key(kPatent));
  ASSERT_TRUE(patent.is_ok());
  EXPECT_EQ(ids_of(patent->history), (std::vector<uint64_t>{1, 2, 3}));  // creation order
  EXPECT_EQ(patent->history[0].status, PledgeStatus::kReleased);
  EXPECT_EQ(patent->history[0].end_reason, "repaid");
  EXPECT_EQ(patent->history[1].status, PledgeStatus::kRegistered);
  EXPECT_EQ(patent->history[2].status, PledgeStatus::kDraft);
  EXPECT_EQ(patent->active_by_priority, std::vector<uint64_t>{2});
  EXPECT_TRUE(patent->is_pledged());

  // Registered 5 before 4: priority follows registration, not creation.
  auto work = contracts::pledges_of_asset(chain.state(), work_key());
  ASSERT_TRUE(work.is_ok());
  EXPECT_EQ(ids_of(work->history), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(work->active_by_priority, (std::vector<uint64_t>{5, 4}));
  EXPECT_EQ(work->history[1].rank, 1u);
  EXPECT_EQ(work->history[0].rank, 2u);

  for (const std::string& key : {patent_key(kIdle), patent_key("202210000003.X")}) {
    auto none = contracts::pledges_of_asset(chain.state(), key);
    ASSERT_TRUE(none.is_ok());
    EXPECT_TRUE(none->history.empty());
    EXPECT_FALSE(none->is_pledged());
  }

  // An index naming a pledge that does not exist is corruption.
  contracts::PledgeIndex idx;
  idx.all = {1, 99};
  contracts::MemState bad = damaged(contracts::keys::idx_asset(patent_key(kPatent)), idx.encode());
  EXPECT_FALSE(contracts::pledges_of_asset(bad, patent_key(kPatent)).is_ok());
}

TEST_F(Queries, PledgesOfAnEnterpriseAndOfAMember) {
  auto ent = contracts::pledges_of_enterprise(chain.state(), kE1);
  ASSERT_TRUE(ent.is_ok());
  EXPECT_EQ(ids_of(*ent), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  for (const char* other : {kE2, kUnregistered}) {
    auto none = contracts::pledges_of_enterprise(chain.state(), other);
    ASSERT_TRUE(none.is_ok());
    EXPECT_TRUE(none->empty());
  }
  auto bank = contracts::pledges_of_member(chain.state(), kBank);
  ASSERT_TRUE(bank.is_ok());
  EXPECT_EQ(ids_of(*bank), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  for (uint64_t other : {uint64_t{1}, uint64_t{11}, uint64_t{999}}) {  // an office, the enterprise's member, nobody
    auto none = contracts::pledges_of_member(chain.state(), other);
    ASSERT_TRUE(none.is_ok());
    EXPECT_TRUE(none->empty());
  }
  contracts::MemState bad = damaged(contracts::keys::idx_member(kBank), Bytes{0xff});
  EXPECT_FALSE(contracts::pledges_of_member(bad, kBank).is_ok());
}

TEST_F(Queries, MarksOfAnOwnerByClass) {
  auto marks = contracts::marks_of_owner(chain.state(), kE1, 9);
  ASSERT_TRUE(marks.is_ok());
  using Mark = std::pair<std::string, uint32_t>;
  EXPECT_EQ(marks->marks, (std::vector<Mark>{{"ip/trademark/12345678/9", 20320430u},
                                             {"ip/trademark/12345679/9", 20300430u}}));
  EXPECT_TRUE(contracts::marks_of_owner(chain.state(), kE1, 35)->marks.empty());
  EXPECT_TRUE(contracts::marks_of_owner(chain.state(), kE2, 9)->marks.empty());
  // A mark no longer in force leaves the index.
  ASSERT_EQ(chain.block({{"ipa", "ip.snapshot", {{"kind", "trademark"}, {"number", "12345679"}, {"nice_class", 9},
                                                 {"grant_date", "2020-05-01"}, {"owners", {kE1}},
                                                 {"status", "revoked"}}}})
                .receipts[0].reason,
            "ok");
  EXPECT_EQ(contracts::marks_of_owner(chain.state(), kE1, 9)->marks,
            (std::vector<Mark>{{"ip/trademark/12345678/9", 20320430u}}));
}

TEST(WorkingDays, AddWorkingDaysCountsHolidaysAndMakeUpDaysAndNeedsACalendar) {
  // add_working_days reads a module's transaction view (bodies unwrapped).
  contracts::MemState s;
  contracts::CalendarFact cal;
  cal.year = 2024;
  cal.holidays = {CivilDate{20240212}, CivilDate{20240213}};
  cal.workdays = {CivilDate{20240218}};
  s.put(as_view(contracts::keys::calendar(2024)), cal.encode());
  auto add = [&](uint32_t from, uint32_t n) { return contracts::add_working_days(s, CivilDate{from}, n); };
  // Friday 2024-02-09 + 3: Mon 12 and Tue 13 are holidays -> Wed 14, Thu 15, Fri 16.
  EXPECT_EQ(add(20240209, 3)->value_or(CivilDate{}).yyyymmdd, 20240216u);
  // Friday 2024-02-16 + 1: Sunday 18 is a make-up workday.
  EXPECT_EQ(add(20240216, 1)->value_or(CivilDate{}).yyyymmdd, 20240218u);
  EXPECT_EQ(add(20240209, 0)->value_or(CivilDate{}).yyyymmdd, 20240209u);
  // Into 2025, which has no attested calendar: no answer.
  auto none = add(20241230, 5);
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(*none);
}

}  // namespace
}  // namespace ipl::testing
