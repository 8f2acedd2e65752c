// Goal (issue 6, DOMAIN.md §4.1–§4.3): pledge changes and trademark term
// extensions are filed jointly — the first party's filing waits as the
// pledge's pending filing and only the other party's identical filing
// makes it take effect, a pending filing lapses after its window, a
// release ends it; the §4.2 bundling warning is raised (not a refusal)
// when a trademark pledge leaves out the pledgor's other in-force marks of
// the same Nice class; ip.snapshot is accepted only from the office that
// keeps the register. Method: execute transactions on a TestChain through
// the real executor and read the records back with the contracts readers.
#include <gtest/gtest.h>

#include "chain.h"
#include "contracts/ip_records.h"

namespace ipl::testing {
namespace {

using nlohmann::json;
namespace codes = contracts::codes;
using contracts::FilingKind;
using contracts::PledgeStatus;

constexpr const char* kE1 = "91350100M000100Y43";
constexpr const char* kE2 = "91140100MA0K000017";
constexpr uint64_t kBank = 9;   // "bank" in test_genesis()
constexpr uint64_t kEnt1 = 11;  // E1's ENT member, admitted by its registration
constexpr const char* kPatent = "202210000001.0";

json trademark(const char* number, uint32_t nice_class, json owners, json extra = json::object()) {
  json j = {{"kind", "trademark"}, {"number", number}, {"nice_class", nice_class}, {"grant_date", "2022-05-01"},
            {"owners", std::move(owners)}};
  j.update(extra);
  return j;
}

json draft(json assets, json extra = json::object()) {
  json j = {{"assets", std::move(assets)}, {"pledgor", kE1},      {"pledgee", kBank},
            {"claim_kind", "loan"},        {"amount_fen", 1000}, {"debt_due_date", "2025-12-31"},
            {"contract_ref", "C-1"}};
  j.update(extra);
  return j;
}

json tm_ref(const char* number, uint32_t nice_class) {
  return {{"kind", "trademark"}, {"number", number}, {"nice_class", nice_class}};
}

std::vector<std::string> event_types(const Receipt& r) {
  std::vector<std::string> out;
  for (const Event& e : r.events) out.push_back(e.type);
  return out;
}

class PledgeFiling : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = chain.block({{"ipa", "ent.register", {{"uscc", kE1}, {"name", "E1"}, {"region_code", "140100"},
                                                   {"api_key", api_key("ent1").public_key.hex()}}},
                          {"ipa", "ent.register", {{"uscc", kE2}, {"name", "E2"}, {"region_code", "140100"},
                                                   {"api_key", api_key("ent2").public_key.hex()}}},
                          {"ipa", "ip.snapshot", {{"kind", "patent"}, {"number", kPatent},
                                                  {"filing_date", "2022-03-01"}, {"owners", {kE1}}}},
                          // E1's marks: two in class 9, one in class 35, one in class 9 past its expiry.
                          {"ipa", "ip.snapshot", trademark("12345678", 9, {kE1})},
                          {"ipa", "ip.snapshot", trademark("12345679", 9, {kE1})},
                          {"ipa", "ip.snapshot", trademark("22345678", 35, {kE1})},
                          {"ipa", "ip.snapshot", trademark("42345678", 9, {kE1}, {{"grant_date", "2010-01-01"}})},
                          // E2's mark in class 9.
                          {"ipa", "ip.snapshot", trademark("32345678", 9, {kE2})}});
    for (const Receipt& rc : r.receipts) ASSERT_EQ(rc.reason, "ok");
    auto e1 = contracts::enterprise_of(chain.state(), kE1);
    ASSERT_TRUE(e1.is_ok() && *e1);
    ASSERT_EQ((*e1)->member_id, kEnt1);
  }

  // Drafts (ent1), submits (bank) and registers (ipa) a pledge; returns
  // its id and the registration receipt.
  std::pair<uint64_t, Receipt> registered(json payload) {
    auto r = chain.block({{"ent1", "pledge.draft", std::move(payload)}});
    EXPECT_EQ(r.receipts[0].reason, "ok");
    ++pledges_;
    r = chain.block({{"bank", "pledge.submit", {{"pledge_id", pledges_}}}});
    EXPECT_EQ(r.receipts[0].reason, "ok");
    r = chain.block({{"ipa", "pledge.register",
                      {{"pledge_id", pledges_}, {"reg_no", "20249900000" + std::to_string(10 + pledges_)}}}});
    EXPECT_EQ(r.receipts[0].reason, "ok");
    return {pledges_, r.receipts[0]};
  }

  contracts::Pledge pledge(uint64_t id) {
    auto p = contracts::pledge_of(chain.state(), id);
    EXPECT_TRUE(p.is_ok() && *p);
    return p.is_ok() && *p ? **p : contracts::Pledge{};
  }

  std::string one(TxSpec t) { return chain.block({std::move(t)}).receipts[0].reason; }

  TestChain chain{test_genesis()};
  uint64_t pledges_ = 0;
};

TEST_F(PledgeFiling, ChangeTakesEffectOnlyOnTheOtherPartysMatchingFiling) {
  const uint64_t id = registered(draft({{{"kind", "patent"}, {"number", kPatent}}})).first;
  const json change = {{"pledge_id", id}, {"change_date", "2024-01-02"}, {"amount_fen", 7000}, {"scope", "principal"}};
  auto r = chain.block({{"bank", "pledge.change", change}});
  ASSERT_EQ(r.receipts[0].reason, "ok");
  EXPECT_EQ(event_types(r.receipts[0]), std::vector<std::string>{"pledge.change_filed"});
  contracts::Pledge p = pledge(id);
  EXPECT_EQ(p.status, PledgeStatus::kRegistered);  // nothing changed yet
  EXPECT_EQ(p.amount_fen, 1000);
  EXPECT_EQ(p.changes, 0u);
  EXPECT_EQ(p.pending.kind, FilingKind::kChange);
  EXPECT_EQ(p.pending.filer, kBank);
  EXPECT_EQ(p.pending.filed_on, 20240102u);
  EXPECT_EQ(p.pending.expires_on, 20240201u);  // change date + pledge.change_window_days (30)
  EXPECT_EQ(p.pending.amount_fen, 7000);

  r = chain.block({{"ent1", "pledge.change", change}});
  ASSERT_EQ(r.receipts[0].reason, "ok");
  EXPECT_EQ(event_types(r.receipts[0]), std::vector<std::string>{"pledge.changed"});
  p = pledge(id);
  EXPECT_EQ(p.status, PledgeStatus::kChanged);
  EXPECT_EQ(p.amount_fen, 7000);
  EXPECT_EQ(p.scope, "principal");
  EXPECT_EQ(p.debt_due, 20251231u);  // 0 in the filing: unchanged
  EXPECT_EQ(p.changes, 1u);
  EXPECT_EQ(p.pending.kind, FilingKind::kNone);
}

TEST_F(PledgeFiling, SamePartysNewFilingReplacesItsPendingOne) {
  const uint64_t id = registered(draft({{{"kind", "patent"}, {"number", kPatent}}})).first;
  json change = {{"pledge_id", id}, {"change_date", "2024-01-02"}, {"amount_fen", 7000}};
  ASSERT_EQ(one({"ent1", "pledge.change", change}), "ok");
  change["amount_fen"] = 8000;
  ASSERT_EQ(one({"ent1", "pledge.change", change}), "ok");
  EXPECT_EQ(pledge(id).pending.amount_fen, 8000);
  EXPECT_EQ(pledge(id).pending.filer, kEnt1);
  json old_terms = change;
  old_terms["amount_fen"] = 7000;
  EXPECT_EQ(one({"bank", "pledge.change", old_terms}), codes::kPledgeFilingMismatch);
  EXPECT_EQ(pledge(id).status, PledgeStatus::kRegistered);
  ASSERT_EQ(one({"bank", "pledge.change", change}), "ok");
  EXPECT_EQ(pledge(id).amount_fen, 8000);
  EXPECT_EQ(pledge(id).status, PledgeStatus::kChanged);
}

TEST_F(PledgeFiling, LapsedFilingGivesWayToTheOtherPartysNewFiling) {
  const uint64_t id = registered(draft({{{"kind", "patent"}, {"number", kPatent}}})).first;
  ASSERT_EQ(one({"bank", "pledge.change", {{"pledge_id", id}, {"change_date", "2024-01-02"}, {"amount_fen", 7000}}}),
            "ok");
  chain.block({}, 40ull * 86'400'000);  // to 2024-02-11
  // Within the window a different filing would be a mismatch; after it the
  // lapsed filing no longer binds the enterprise.
  const json later = {{"pledge_id", id}, {"change_date", "2024-02-10"}, {"amount_fen", 9000}};
  TxSpec t{"ent1", "pledge.change", later};
  t.value_date = 20240211;
  ASSERT_EQ(one(t), "ok");
  contracts::Pledge p = pledge(id);
  EXPECT_EQ(p.pending.filer, kEnt1);
  EXPECT_EQ(p.pending.amount_fen, 9000);
  EXPECT_EQ(p.pending.expires_on, 20240311u);
  t = {"bank", "pledge.change", later};
  t.value_date = 20240211;
  ASSERT_EQ(one(t), "ok");
  EXPECT_EQ(pledge(id).amount_fen, 9000);
}

TEST_F(PledgeFiling, TrademarkExtensionIsJointAndLapses) {
  const uint64_t id =
      registered(draft({tm_ref("12345678", 9), tm_ref("12345679", 9)}, {{"term_end", "2025-12-31"}})).first;
  const json ext = {{"pledge_id", id}, {"term_end", "2027-12-31"}};
  auto r = chain.block({{"ent1", "pledge.extend", ext}});
  ASSERT_EQ(r.receipts[0].reason, "ok");
  EXPECT_EQ(event_types(r.receipts[0]), std::vector<std::string>{"pledge.extend_filed"});
  contracts::Pledge p = pledge(id);
  EXPECT_EQ(p.status, PledgeStatus::kRegistered);
  EXPECT_EQ(p.term_end, 20251231u);
  EXPECT_EQ(p.pending.kind, FilingKind::kExtend);
  EXPECT_EQ(p.pending.expires_on, 20240201u);  // first filing's value date + 30 days
  EXPECT_EQ(one({"bank", "pledge.extend", {{"pledge_id", id}, {"term_end", "2028-12-31"}}}),
            codes::kPledgeFilingMismatch);
  // A change filed by the bank does not match the pending extension.
  EXPECT_EQ(one({"bank", "pledge.change", {{"pledge_id", id}, {"change_date", "2024-01-02"}, {"amount_fen", 5}}}),
            codes::kPledgeFilingMismatch);
  ASSERT_EQ(one({"bank", "pledge.extend", ext}), "ok");
  p = pledge(id);
  EXPECT_EQ(p.status, PledgeStatus::kExtended);
  EXPECT_EQ(p.term_end, 20271231u);
  EXPECT_EQ(p.pending.kind, FilingKind::kNone);

  // A second extension filed by the bank lapses after 30 days.
  const json ext2 = {{"pledge_id", id}, {"term_end", "2029-12-31"}};
  ASSERT_EQ(one({"bank", "pledge.extend", ext2}), "ok");
  chain.block({}, 31ull * 86'400'000);  // to 2024-02-02
  TxSpec t{"ent1", "pledge.extend", ext2};
  t.value_date = 20240202;
  EXPECT_EQ(one(t), codes::kPledgeFilingExpired);
  EXPECT_EQ(pledge(id).term_end, 20271231u);
}

TEST_F(PledgeFiling, ReleaseEndsAPendingFiling) {
  const uint64_t id = registered(draft({{{"kind", "patent"}, {"number", kPatent}}})).first;
  const json change = {{"pledge_id", id}, {"change_date", "2024-01-02"}, {"amount_fen", 7000}};
  ASSERT_EQ(one({"bank", "pledge.change", change}), "ok");
  ASSERT_EQ(one({"bank", "pledge.release", {{"pledge_id", id}, {"trigger", "repaid"}}}), "ok");
  EXPECT_EQ(pledge(id).pending.kind, FilingKind::kNone);
  EXPECT_EQ(one({"ent1", "pledge.change", change}), codes::kPledgeBadState);
  EXPECT_EQ(pledge(id).amount_fen, 1000);
}

TEST_F(PledgeFiling, TrademarkPledgeLeavingOutSameClassMarksWarnsButRegisters) {
  // Both class-9 marks in force pledged together: no warning (the expired
  // one, the class-35 one and E2's do not count).
  auto [both, r] = registered(draft({tm_ref("12345678", 9), tm_ref("12345679", 9)}, {{"term_end", "2025-12-31"}}));
  EXPECT_EQ(event_types(r), std::vector<std::string>{"pledge.registered"});
  EXPECT_EQ(pledge(both).bundling_warning, 0u);
  ASSERT_EQ(one({"bank", "pledge.release", {{"pledge_id", both}, {"trigger", "repaid"}}}), "ok");

  // One of them alone: registered, with the warning naming the other.
  auto [alone, r2] = registered(draft({tm_ref("12345678", 9)}, {{"term_end", "2025-12-31"}}));
  EXPECT_TRUE(r2.success);
  ASSERT_EQ(event_types(r2), (std::vector<std::string>{"pledge.registered", "pledge.bundling_warning"}));
  Decoder d(r2.events[1].data);
  uint64_t event_id = 0;
  uint32_t count = 0;
  size_t listed = 0;
  std::string mark;
  ASSERT_TRUE(d.u64(event_id).is_ok() && d.u32(count).is_ok() && d.count(listed, 64).is_ok());
  ASSERT_TRUE(d.str(mark).is_ok() && d.finish().is_ok());
  EXPECT_EQ(event_id, alone);
  EXPECT_EQ(count, 1u);
  EXPECT_EQ(listed, 1u);
  EXPECT_EQ(mark, "ip/trademark/12345679/9");
  contracts::Pledge p = pledge(alone);
  EXPECT_EQ(p.status, PledgeStatus::kRegistered);
  EXPECT_EQ(p.bundling_warning, 1u);
  EXPECT_EQ(p.unbundled_marks, std::vector<std::string>{"ip/trademark/12345679/9"});
  ASSERT_EQ(one({"bank", "pledge.release", {{"pledge_id", alone}, {"trigger", "repaid"}}}), "ok");

  // Once the other mark is assigned to E2, pledging the first alone is fine.
  ASSERT_EQ(one({"ipa", "ip.snapshot", trademark("12345679", 9, {kE2})}), "ok");
  auto [after, r3] = registered(draft({tm_ref("12345678", 9)}, {{"term_end", "2025-12-31"}}));
  EXPECT_EQ(event_types(r3), std::vector<std::string>{"pledge.registered"});
  EXPECT_EQ(pledge(after).bundling_warning, 0u);
}

TEST_F(PledgeFiling, SnapshotsComeOnlyFromTheOfficeKeepingTheRegister) {
  const json work = {{"kind", "copyright"}, {"number", "国作登字-2021-L-00268255"}, {"expiry_date", "2071-12-31"},
                     {"owners", {kE1}}};
  const json software = {{"kind", "software"}, {"number", "2016SR172900"}, {"expiry_date", "2066-12-31"},
                         {"owners", {kE1}}};
  const json patent = {{"kind", "patent"}, {"number", "202210000002.5"}, {"filing_date", "2022-03-01"},
                       {"owners", {kE1}}};
  EXPECT_EQ(one({"ipa", "ip.snapshot", work}), codes::kIpWrongOffice);
  EXPECT_EQ(one({"city", "ip.snapshot", software}), codes::kIpWrongOffice);
  EXPECT_EQ(one({"cr", "ip.snapshot", patent}), codes::kIpWrongOffice);
  EXPECT_EQ(one({"cr", "ip.snapshot", trademark("52345678", 9, {kE1})}), codes::kIpWrongOffice);
  auto none = contracts::asset_of(chain.state(), "ip/patent/202210000002.5");
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(*none);
  EXPECT_EQ(one({"cr", "ip.snapshot", work}), "ok");
  EXPECT_EQ(one({"cr", "ip.snapshot", software}), "ok");
  EXPECT_EQ(one({"city", "ip.snapshot", patent}), "ok");  // a city IP bureau
  EXPECT_EQ(one({"ipa", "ip.snapshot", trademark("52345678", 9, {kE1})}), "ok");
  auto a = contracts::asset_of(chain.state(), "ip/copyright/国作登字-2021-L-00268255");
  ASSERT_TRUE(a.is_ok() && *a);
  EXPECT_EQ((*a)->attester, 3u);  // the copyright bureau
  a = contracts::asset_of(chain.state(), "ip/patent/202210000002.5");
  ASSERT_TRUE(a.is_ok() && *a);
  EXPECT_EQ((*a)->attester, 8u);
}

}  // namespace
}  // namespace ipl::testing
