// Goal: the execution-certificate collector forms one certificate per
// height at the quorum-th signature (C11, C12), reports a validator that
// signs two LedgerInfos for one height, and bounds what it accepts.
// Method: drive ExecCertCollector with fake-signed LedgerInfos for n = 4.
#include "consensus/exec_cert.h"

#include <gtest/gtest.h>

#include "common/limits.h"
#include "tests/unit/consensus/harness.h"

namespace ipl::consensus {
namespace {

TEST(ExecCertCollector, CertificateAtQuorumOnce) {
  testing::Harness h(4);
  ExecCertCollector c;
  c.reset(Height(1), h.vs);
  const LedgerInfo li = h.li(2, 1);
  EXPECT_FALSE(c.add(li, ValidatorIndex(0), h.li_vote(0, li).signature, Height(2)).certificate);
  EXPECT_FALSE(c.add(li, ValidatorIndex(2), h.li_vote(2, li).signature, Height(2)).certificate);
  const auto third = c.add(li, ValidatorIndex(3), h.li_vote(3, li).signature, Height(2));
  ASSERT_TRUE(third.certificate);
  EXPECT_TRUE(verify_exec_cert(h.ring, h.vs, *third.certificate).is_ok());
  EXPECT_FALSE(c.add(li, ValidatorIndex(1), h.li_vote(1, li).signature, Height(2)).certificate);  // once
  EXPECT_EQ(c.highest_certified(), Height(2));
  ASSERT_NE(c.certified(Height(2)), nullptr);
}

TEST(ExecCertCollector, SecondLedgerInfoOfOneSignerIsEvidence) {
  testing::Harness h(4);
  ExecCertCollector c;
  c.reset(Height(1), h.vs);
  const LedgerInfo a = h.li(2, 1), b = h.li(2, 2);
  (void)c.add(a, ValidatorIndex(1), h.li_vote(1, a).signature, Height(2));
  const auto again = c.add(b, ValidatorIndex(1), h.li_vote(1, b).signature, Height(2));
  ASSERT_TRUE(again.equivocation);
  EXPECT_EQ(*again.equivocation, a);
  EXPECT_FALSE(again.certificate);
}

TEST(ExecCertCollector, RefusesHeightsFarAhead) {
  testing::Harness h(4);
  ExecCertCollector c;
  c.reset(Height(1), h.vs);
  const LedgerInfo far = h.li(3 + limits::ledger_info_lookahead_max, 1);
  for (uint32_t i = 0; i < 4; ++i) {
    EXPECT_FALSE(c.add(far, ValidatorIndex(i), h.li_vote(i, far).signature, Height(2)).certificate);
  }
  EXPECT_EQ(c.certified(far.height), nullptr);
}

}  // namespace
}  // namespace ipl::consensus
