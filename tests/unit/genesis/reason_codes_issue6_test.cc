// Goal (issue 6 "Must show"): every reason code of the identifier,
// enterprise, IP-asset and pledge modules (contracts/codes.h kIssue6) is
// triggered through the real executor, and each refusal leaves state
// unchanged except the sender's nonce record (docs/adr/0006 "Nonces").
// Method: register enterprises (two with API keys: ENT members), enter one
// register snapshot per refusal ground, file and submit one pledge per
// ground, then execute each refused transaction on a copy of the state
// (ReasonCodeTest::expect_code). reason_codes_test.cc runs the same
// triggers for codes::kAll.
#include <gtest/gtest.h>

#include "reason_codes.h"

namespace ipl::testing {

namespace {

using nlohmann::json;
namespace codes = contracts::codes;

// Enterprises: E1 (key ent1) pledges, E2 (key ent2) co-owns, E3 is suspended.
constexpr const char* kE1 = "91350100M000100Y43";
constexpr const char* kE2 = "91140100MA0K000017";
constexpr const char* kE3 = "91140100MA0K00002A";
constexpr const char* kUnregistered = "914403001922038216";
constexpr uint64_t kBank = 9;  // member id of "bank" in test_genesis()

json patent(const std::string& number, json extra = json::object()) {
  json j = {{"kind", "patent"}, {"number", number}, {"filing_date", "2022-03-01"}, {"owners", {kE1}}};
  j.update(extra);
  return j;
}

json draft(const std::string& number, json extra = json::object()) {
  json j = {{"assets", {{{"kind", "patent"}, {"number", number}}}},
            {"pledgor", kE1},
            {"pledgee", kBank},
            {"claim_kind", "loan"},
            {"amount_fen", 100'000'000},
            {"debt_due_date", "2026-12-31"},
            {"contract_ref", "C-2024-001"}};
  j.update(extra);
  return j;
}

void expect_ok(const contracts::BlockResult& r) {
  for (const Receipt& rc : r.receipts) EXPECT_EQ(rc.reason, "ok");
}

}  // namespace

void ReasonCodeTest::trigger_issue6_codes() {
  // Enterprises.
  expect_ok(chain.block({{"ipa", "ent.register", {{"uscc", kE1}, {"name", "E1"}, {"region_code", "140100"},
                                                 {"api_key", api_key("ent1").public_key.hex()}}},
                         {"bank", "ent.register", {{"uscc", kE2}, {"name", "E2"}, {"region_code", "140100"},
                                                   {"api_key", api_key("ent2").public_key.hex()}}},
                         {"ipa", "ent.register", {{"uscc", kE3}, {"name", "E3"}, {"region_code", "140100"}}}}));
  expect_ok(chain.block({{"ipa", "ent.set_status", {{"uscc", kE3}, {"status", "suspended"}}}}));
  auto reg = [](const char* uscc) { return json{{"uscc", uscc}, {"name", "X"}, {"region_code", "140100"}}; };
  expect_code(codes::kUsccBadLength, {"ipa", "ent.register", reg("9135010")});
  expect_code(codes::kUsccBadCharset, {"ipa", "ent.register", reg("91350100M00010OY43")});  // O is not in the charset
  expect_code(codes::kUsccBadCheck, {"ipa", "ent.register", reg("91350100M000100Y44")});
  expect_code(codes::kEnterpriseExists, {"bank", "ent.register", reg(kE1)});
  expect_code(codes::kEnterpriseUnknown, {"ipa", "ent.set_status", {{"uscc", kUnregistered}, {"status", "active"}}});
  {
    json j = reg(kUnregistered);
    j["sme"] = true;
    expect_code(codes::kEnterpriseEvidenceMissing, {"ipa", "ent.register", j});
    j = reg(kUnregistered);
    j["region_code"] = "040100";
    expect_code(codes::kEnterpriseBadRegion, {"ipa", "ent.register", j});
  }
  // IP assets: one patent per refusal ground (invention patents filed 2022).
  const std::string a = "202210000001.0";         // clean; pledge 1 registered on it
  const std::string pending = "202210000002.5";   // pledge.ip_not_granted
  const std::string invalid = "202210000003.X";   // pledge.ip_not_in_force
  const std::string unpaid = "202210000004.4";    // pledge.annuity_unpaid
  const std::string frozen = "202210000005.9";    // pledge.ip_frozen
  const std::string others = "202210000006.3";    // pledge.pledgor_not_owner
  const std::string joint = "202210000007.8";     // pledge.coowner_consent_missing
  const std::string disputed = "202210000008.2";  // pledge.acknowledgement_missing
  const std::string unknown = "202210000009.7";   // never entered: pledge.ip_unknown
  const std::string clean = "202210000010.X";     // pledge.forfeiture_clause
  expect_ok(chain.block({{"ipa", "ip.snapshot", patent(a)},
                         {"ipa", "ip.snapshot", patent(pending, {{"status", "pending"}})},
                         {"ipa", "ip.snapshot", patent(invalid, {{"status", "invalidated"}})},
                         {"ipa", "ip.snapshot", patent(unpaid, {{"annuity_paid", false}})},
                         {"ipa", "ip.snapshot", patent(frozen, {{"preservation_order", true}})},
                         {"ipa", "ip.snapshot", patent(others, {{"owners", {kE2}}})},
                         {"ipa", "ip.snapshot", patent(joint, {{"owners", {kE1, kE2}}})},
                         {"ipa", "ip.snapshot", patent(disputed, {{"invalidation_pending", true}})},
                         {"ipa", "ip.snapshot", patent(clean)}}));
  expect_code(codes::kPatentBadFormat, {"ipa", "ip.snapshot", patent("12345")});
  expect_code(codes::kPatentBadCheck, {"ipa", "ip.snapshot", patent("202210000001.1")});
  expect_code(codes::kIpBadTerm, {"ipa", "ip.snapshot", patent(a, {{"filing_date", "2021-03-01"}})});
  expect_code(codes::kTrademarkBadNumber, {"ipa", "ip.snapshot", {{"kind", "trademark"}, {"number", "0123"}, {"nice_class", 9},
                                                                  {"grant_date", "2020-05-01"}, {"owners", {kE1}}}});
  expect_code(codes::kTrademarkBadClass, {"ipa", "ip.snapshot", {{"kind", "trademark"}, {"number", "12345678"}, {"nice_class", 46},
                                                                 {"grant_date", "2020-05-01"}, {"owners", {kE1}}}});
  expect_code(codes::kCopyrightBadNumber, {"cr", "ip.snapshot", {{"kind", "copyright"}, {"number", "国作登字-21-L-1"},
                                                                 {"expiry_date", "2071-12-31"}, {"owners", {kE1}}}});
  // The register's office only: patents and trademarks not from the
  // copyright bureau, copyrights and software only from it.
  const json work = {{"kind", "copyright"}, {"number", "国作登字-2021-L-00268255"}, {"expiry_date", "2071-12-31"},
                     {"owners", {kE1}}};
  const json software = {{"kind", "software"}, {"number", "2016SR172900"}, {"expiry_date", "2066-12-31"},
                         {"owners", {kE1}}};
  expect_code(codes::kIpWrongOffice, {"cr", "ip.snapshot", patent(clean)});
  expect_code(codes::kIpWrongOffice, {"cr", "ip.snapshot", {{"kind", "trademark"}, {"number", "12345678"}, {"nice_class", 9},
                                                             {"grant_date", "2020-05-01"}, {"owners", {kE1}}}});
  expect_code(codes::kIpWrongOffice, {"ipa", "ip.snapshot", work});
  expect_code(codes::kIpWrongOffice, {"city", "ip.snapshot", software});
  expect_code(codes::kOk, {"cr", "ip.snapshot", work});
  expect_code(codes::kOk, {"city", "ip.snapshot", patent(clean)});
  // Pledges 1..12, drafted by ent1 and joined by the bank; pledge 1 on `a`
  // is registered, pledge 13 stays a draft.
  const std::vector<std::pair<std::string, json>> drafts = {
      {a, json::object()},        {a, json::object()},      {pending, json::object()},
      {invalid, json::object()},  {unpaid, json::object()}, {frozen, json::object()},
      {others, json::object()},   {joint, json::object()},  {disputed, json::object()},
      {unknown, json::object()},  {a, {{"debt_due_date", "2045-12-31"}}},
      {clean, {{"forfeiture_clause", true}}}};
  std::vector<TxSpec> filed;
  std::vector<TxSpec> joined;
  for (size_t i = 0; i < drafts.size(); ++i) {
    filed.push_back({"ent1", "pledge.draft", draft(drafts[i].first, drafts[i].second)});
    joined.push_back({"bank", "pledge.submit", {{"pledge_id", i + 1}}});
  }
  filed.push_back({"ent1", "pledge.draft", draft(clean)});  // pledge 13
  expect_ok(chain.block(filed));
  expect_ok(chain.block(joined));
  expect_ok(chain.block({{"ipa", "pledge.register", {{"pledge_id", 1}, {"reg_no", "2024990000001"}}}}));
  auto reg_pledge = [](uint64_t id) {
    return json{{"pledge_id", id}, {"reg_no", "20249900001" + std::to_string(10 + id)}};
  };
  // Filing.
  expect_code(codes::kPledgeContractIncomplete, {"ent1", "pledge.draft", draft(a, {{"amount_fen", 0}})});
  expect_code(codes::kEnterpriseUnknown, {"bank", "pledge.draft", draft(a, {{"pledgor", kUnregistered}})});
  expect_code(codes::kEnterpriseInactive, {"bank", "pledge.draft", draft(a, {{"pledgor", kE3}})});
  expect_code(codes::kPledgeBadPledgee, {"ent1", "pledge.draft", draft(a, {{"pledgee", 1}})});
  expect_code(codes::kPledgeNotParty, {"ent2", "pledge.draft", draft(a)});
  expect_code(codes::kPledgeUnknown, {"bank", "pledge.submit", {{"pledge_id", 999}}});
  expect_code(codes::kPledgeJointFilingMissing, {"ent1", "pledge.submit", {{"pledge_id", 13}}});
  // Registration: every refusal ground.
  expect_code(codes::kPledgeBadRegNo, {"ipa", "pledge.register", {{"pledge_id", 2}, {"reg_no", "12AB"}}});
  expect_code(codes::kPledgeBadState, {"ipa", "pledge.register", reg_pledge(13)});
  expect_code(codes::kPledgeRegNoTaken, {"ipa", "pledge.register", {{"pledge_id", 2}, {"reg_no", "2024990000001"}}});
  expect_code(codes::kPledgeAlreadyPledged, {"ipa", "pledge.register", reg_pledge(2)});
  expect_code(codes::kPledgeIpNotGranted, {"ipa", "pledge.register", reg_pledge(3)});
  expect_code(codes::kPledgeIpNotInForce, {"ipa", "pledge.register", reg_pledge(4)});
  expect_code(codes::kPledgeAnnuityUnpaid, {"ipa", "pledge.register", reg_pledge(5)});
  expect_code(codes::kPledgeIpFrozen, {"ipa", "pledge.register", reg_pledge(6)});
  expect_code(codes::kPledgePledgorNotOwner, {"ipa", "pledge.register", reg_pledge(7)});
  expect_code(codes::kPledgeCoownerConsentMissing, {"ipa", "pledge.register", reg_pledge(8)});
  expect_code(codes::kPledgeAcknowledgementMissing, {"ipa", "pledge.register", reg_pledge(9)});
  expect_code(codes::kPledgeIpUnknown, {"ipa", "pledge.register", reg_pledge(10)});
  expect_code(codes::kPledgeTermBeyondIp, {"ipa", "pledge.register", reg_pledge(11)});
  expect_code(codes::kPledgeForfeitureClause, {"ipa", "pledge.register", reg_pledge(12)});
  // The pledge register's office only: the copyright bureau neither
  // registers, refuses nor revokes a patent pledge, nor records its release.
  expect_code(codes::kIpWrongOffice, {"cr", "pledge.register", reg_pledge(12)});
  expect_code(codes::kIpWrongOffice, {"cr", "pledge.refuse", {{"pledge_id", 12}, {"reason", "pledge.forfeiture_clause"}}});
  expect_code(codes::kIpWrongOffice, {"cr", "pledge.revoke", {{"pledge_id", 1}, {"reason", "other"}}});
  expect_code(codes::kIpWrongOffice, {"cr", "pledge.release", {{"pledge_id", 1}, {"trigger", "repaid"}}});
  // After registration.
  expect_code(codes::kPledgeExtendNotTrademark, {"bank", "pledge.extend", {{"pledge_id", 1}, {"term_end", "2030-12-31"}}});
  // Joint filing of a change: the bank files (pending until 2024-02-01,
  // the change date + 30 days); the enterprise's filing with other terms
  // is refused.
  const json change = {{"pledge_id", 1}, {"change_date", "2024-01-02"}, {"amount_fen", 5}};
  expect_ok(chain.block({{"bank", "pledge.change", change}}));
  json other = change;
  other["amount_fen"] = 6;
  expect_code(codes::kPledgeFilingMismatch, {"ent1", "pledge.change", other});
  // 45 days later the pending filing has lapsed: the enterprise's matching
  // filing is refused, and a new change dated on the registration day is
  // out of the 30-day window.
  expect_ok(chain.block({}, 45ull * 86'400'000));
  TxSpec expired{"ent1", "pledge.change", change};
  expired.value_date = 20240216;
  expect_code(codes::kPledgeFilingExpired, expired);
  TxSpec late{"bank", "pledge.change", {{"pledge_id", 1}, {"change_date", "2024-01-02"}, {"amount_fen", 1}}};
  late.value_date = 20240216;
  expect_code(codes::kPledgeChangeTooLate, late);
}

namespace {

class Issue6Codes : public ReasonCodeTest {};

TEST_F(Issue6Codes, EveryCodeIsTriggeredAndLeavesStateUnchanged) {
  trigger_issue6_codes();
  for (std::string_view c : codes::kIssue6) EXPECT_TRUE(seen.count(std::string(c))) << "code never triggered: " << c;
}

}  // namespace
}  // namespace ipl::testing
