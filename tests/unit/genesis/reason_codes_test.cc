// Goal: every stable receipt code (contracts/codes.h kAll) is triggered by
// some transaction, and a failed transaction leaves state unchanged except
// for the sender's nonce record (consumed past the prologue; untouched by
// prologue failures). Method: prepare a chain, then for each code execute
// one transaction in a block of its own on a copy of the state and compare
// the state before and after.
#include <gtest/gtest.h>

#include "reason_codes.h"

namespace ipl::testing {
namespace {

using nlohmann::json;
namespace codes = contracts::codes;

class ReasonCodes : public ReasonCodeTest {
 protected:
  void SetUp() override {
    // Prepared state: proposal 1 open (deadline far), proposal 2 open with
    // a near deadline, proposal 3 rejected, a revoked key of the bank, the
    // bank's second key.
    const uint64_t far = chain.time_ms() + 30ull * 86'400'000;
    const uint64_t near = chain.time_ms() + 120'000;
    auto pc = [](uint64_t dl, const char* name) {
      return json{{"kind", "param_change"}, {"deadline_ms", dl},
                  {"action", {{"name", name}, {"type", "ppm"}, {"value", 1}, {"effective_from", "2024-03-01"}}}};
    };
    auto r = chain.block({{"ipa", "gov.propose", pc(far, "x.one")},
                          {"ipa", "gov.propose", pc(near, "x.two")},
                          {"ipa", "gov.propose", pc(far, "x.three")},
                          {"bank", "key.add", {{"key", api_key("bank2").public_key.hex()}}},
                          {"bank", "key.add", {{"key", api_key("bank3").public_key.hex()}}}});
    for (const Receipt& rc : r.receipts) ASSERT_EQ(rc.reason, "ok");
    r = chain.block({{"ipa", "gov.vote", {{"proposal_id", 1}, {"approve", true}}},
                     {"lfr", "gov.vote", {{"proposal_id", 3}, {"approve", false}}},
                     {"nfra", "gov.vote", {{"proposal_id", 3}, {"approve", false}}},
                     {"pboc", "gov.vote", {{"proposal_id", 3}, {"approve", false}}}});
    for (const Receipt& rc : r.receipts) ASSERT_EQ(rc.reason, "ok");
    TxSpec revoke{"bank2", "key.revoke", {{"key", api_key("bank3").public_key.hex()}}};
    r = chain.block({revoke}, 300'000);  // past proposal 2's deadline
    ASSERT_EQ(r.receipts[0].reason, "ok");
  }
};

TEST_F(ReasonCodes, EveryCodeIsTriggeredAndLeavesStateUnchanged) {
  const std::string bank_key = api_key("bank").public_key.hex();
  expect_code(codes::kOk, {"city", "attest.calendar", {{"year", 2024}, {"holidays", {"2024-01-01"}}}});
  // Prologue.
  {
    Transaction t = make_tx({"bank", "key.add", {{"key", bank_key}}, chain.next_nonce("bank")});
    t.body.resize(10);
    expect_code(codes::kBadEncoding, t, api_key("bank").public_key);
    t = make_tx({"bank", "key.add", {{"key", bank_key}}, chain.next_nonce("bank"), 20240230});  // no such date
    expect_code(codes::kBadEncoding, t, api_key("bank").public_key);
    Transaction s = make_tx({"bank", "key.add", {{"key", bank_key}}, chain.next_nonce("bank")});
    s.signature.bytes[5] ^= 1;
    expect_code(codes::kBadSignature, s, api_key("bank").public_key);
  }
  expect_code(codes::kBadChainId, {"bank", "key.add", {{"key", bank_key}}, 0, 0, 1'000'000, "other-chain"});
  expect_code(codes::kExpired, {"bank", "key.add", {{"key", bank_key}}, 0, 0, 1});
  expect_code(codes::kUnknownSender, {"stranger", "key.add", {{"key", bank_key}}, 1});
  {
    const KeyPair nk = node_key("ipa");
    TxSpec t{"ipa", "key.add", {{"key", bank_key}}, 1};
    expect_code(codes::kNotApiKey, make_tx(t, &nk), nk.public_key);
  }
  expect_code(codes::kKeyRevoked, {"bank3", "key.add", {{"key", bank_key}}, 1});
  expect_code(codes::kBadNonce, {"bank", "key.add", {{"key", bank_key}}, 99});
  // Body.
  expect_code(codes::kValueDateFuture, {"bank", "key.add", {{"key", bank_key}}, 0, 20240201});
  expect_code(codes::kUnknownType, {"bank", "test.counter.v2only"});
  expect_code(codes::kForbidden, {"bank", "gov.vote", {{"proposal_id", 1}, {"approve", true}}});
  {
    TxSpec t{"bank", "key.add", {{"key", bank_key}}};
    t.nonce = chain.next_nonce("bank");
    Transaction tx = make_tx(t);
    auto body = TxBody::decode(tx.body).value();
    body.payload.push_back(0);  // trailing byte
    expect_code(codes::kBadPayload, Transaction::sign(body, api_key("bank").secret_key), api_key("bank").public_key);
  }
  expect_code(codes::kWorkLimit, {"bank", "test.spin", {{"payload_hex", "00002000"}}});
  // Membership and keys.
  expect_code(codes::kKeyExists, {"bank", "key.add", {{"key", bank_key}}});
  expect_code(codes::kKeyUnknown, {"bank", "key.revoke", {{"key", api_key("nobody").public_key.hex()}}});
  expect_code(codes::kKeyNotOwner, {"bank", "key.revoke", {{"key", api_key("ipa").public_key.hex()}}});
  expect_code(codes::kKeyAlreadyRevoked, {"bank", "key.revoke", {{"key", api_key("bank3").public_key.hex()}}});
  expect_code(codes::kKeySigning, {"bank", "key.revoke", {{"key", bank_key}}});
  expect_code(codes::kMemberIsValidator, {"ipa", "member.set_observer", {{"observer", true}}});
  // Governance.
  const uint64_t far = chain.time_ms() + 10ull * 86'400'000;
  expect_code(codes::kNotGovernanceMember, {"city", "gov.vote", {{"proposal_id", 1}, {"approve", true}}});
  expect_code(codes::kBadDeadline, {"ipa", "gov.propose", {{"kind", "epoch_renewal"}, {"deadline_ms", 5}}});
  expect_code(codes::kUnknownProposal, {"ipa", "gov.vote", {{"proposal_id", 77}, {"approve", true}}});
  expect_code(codes::kProposalClosed, {"ipa", "gov.vote", {{"proposal_id", 3}, {"approve", true}}});
  expect_code(codes::kDeadlinePassed, {"ipa", "gov.vote", {{"proposal_id", 2}, {"approve", true}}});
  expect_code(codes::kDeadlineNotReached, {"ipa", "gov.close", {{"proposal_id", 1}}});
  expect_code(codes::kAlreadyVoted, {"ipa", "gov.vote", {{"proposal_id", 1}, {"approve", false}}});
  expect_code(codes::kUnknownMember,
              {"ipa", "gov.propose", {{"kind", "member_remove"}, {"deadline_ms", far}, {"action", {{"member_id", 99}}}}});
  expect_code(codes::kBadValidatorSet, {"ipa", "gov.propose",
                                        {{"kind", "validator_set"}, {"deadline_ms", far}, {"action", {{"member_ids", {1, 10}}}}}});
  expect_code(codes::kBadActivation, {"ipa", "gov.propose",
                                      {{"kind", "protocol_activation"}, {"deadline_ms", far},
                                       {"action", {{"version", 7}, {"height", 1000}}}}});
  expect_code(codes::kParamTypeMismatch,
              {"ipa", "gov.propose", {{"kind", "param_change"}, {"deadline_ms", far},
                                      {"action", {{"name", "riskcomp.ratio_ppm"}, {"type", "fen"}, {"value", 1},
                                                  {"effective_from", "2024-03-01"}}}}});
  // Attestations.
  expect_code(codes::kWrongAttester, {"lfr", "attest.lpr", {{"month", "2024-01"}, {"rate_1y_ppm", 34500}, {"rate_5y_ppm", 39500}}});
  expect_code(codes::kBadTotals, {"bank", "attest.bank_totals", {{"month", "2023-12"}, {"loans_fen", 5}, {"npl_fen", 6}}});
  expect_code(codes::kBadCalendar, {"city", "attest.calendar", {{"year", 2024}, {"holidays", {"2025-01-01"}}}});
  // value_date backwards: the calendar attested on 2024-01-02 cannot be
  // corrected with an earlier value date.
  chain.block({{"city", "attest.calendar", {{"year", 2024}, {"holidays", {"2024-01-01"}}}}});
  expect_code(codes::kValueDateBackwards,
              {"city", "attest.calendar", {{"year", 2024}, {"holidays", {"2024-01-01", "2024-02-10"}}}, 0, 20240101});

  // Enterprises, IP assets and pledges (issue 6).
  trigger_issue6_codes();
  // Loans, covers and NPL reports (issue 7).
  trigger_issue7_codes();

  for (std::string_view c : codes::kAll) {
    if (c == codes::kMemberRemoved) continue;  // below
    EXPECT_TRUE(seen.count(std::string(c))) << "code never triggered: " << c;
  }
}

TEST_F(ReasonCodes, RemovedMemberIsRefused) {
  // Remove the city bureau by vote (5 approvals of 7), then it is refused.
  const uint64_t far = chain.time_ms() + 86'400'000;
  auto r = chain.block({{"ipa", "gov.propose", {{"kind", "member_remove"}, {"deadline_ms", far}, {"action", {{"member_id", 8}}}}}});
  ASSERT_EQ(r.receipts[0].reason, "ok");
  std::vector<TxSpec> votes;
  for (const char* who : {"ipa", "fin", "cr", "sme", "lfr"}) votes.push_back({who, "gov.vote", {{"proposal_id", 4}, {"approve", true}}});
  r = chain.block(votes);
  for (const Receipt& rc : r.receipts) ASSERT_EQ(rc.reason, "ok");
  expect_code(codes::kMemberRemoved, {"city", "attest.calendar", {{"year", 2024}}, 1});
}

}  // namespace
}  // namespace ipl::testing
