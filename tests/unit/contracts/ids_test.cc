// Goal (issue 6 "Must show"): DOMAIN.md §3.1 and §3.2 identifier vectors,
// positive and negative, including the two kinds of USCC failure; plus
// the trademark, copyright and pledge-number rules of §3.3–§3.5 and the
// term arithmetic. Method: call the contracts/ids.h functions directly.
#include <gtest/gtest.h>

#include "contracts/codes.h"
#include "contracts/ids.h"
#include "contracts/ip_records.h"

namespace ipl::contracts {
namespace {

TEST(Ids, UsccPositiveVectors) {
  for (const char* c : {"91350100M000100Y43", "914403001922038216", "9144030071526726XG", "91330100716105852F",
                        "91110000802100433B"}) {
    const ids::Uscc u = ids::check_uscc(c);
    EXPECT_EQ(u.reason, codes::kOk) << c;
    EXPECT_FALSE(u.org_code_warning) << c;
  }
  EXPECT_EQ(ids::uscc_check_char("91350100M000100Y4"), '3');
  EXPECT_EQ(ids::check_uscc("91350100m000100y43").canonical, "91350100M000100Y43");
}

TEST(Ids, UsccNegativeVectorsDistinguishCharsetFromCheck) {
  EXPECT_EQ(ids::check_uscc("91350100M000100Y4Z").reason, codes::kUsccBadCharset);
  EXPECT_EQ(ids::check_uscc("91350100M000100Y40").reason, codes::kUsccBadCheck);
  EXPECT_EQ(ids::check_uscc("911100001000013428").reason, codes::kUsccBadCheck);
  EXPECT_EQ(ids::uscc_check_char("91110000100001342"), 'C');
  EXPECT_EQ(ids::check_uscc("91350100M000100Y4").reason, codes::kUsccBadLength);
}

TEST(Ids, UsccEmbeddedOrgCodeIsAWarningOnly) {
  // Body with a wrong organization-code check character, then a correct
  // USCC check: accepted with the warning flag.
  std::string body = "91350100M000100Y5";
  const std::string code = body + ids::uscc_check_char(body);
  const ids::Uscc u = ids::check_uscc(code);
  EXPECT_EQ(u.reason, codes::kOk);
  EXPECT_TRUE(u.org_code_warning);
}

TEST(Ids, PatentVectors) {
  auto p = ids::check_patent("201710601862.3");
  EXPECT_EQ(p.reason, codes::kOk);
  EXPECT_EQ(p.canonical, "201710601862.3");
  EXPECT_EQ(p.filing_year, 2017u);
  EXPECT_EQ(p.type, ids::PatentType::kInvention);
  EXPECT_EQ(ids::check_patent("ZL 2017 1 0601862.3").canonical, "201710601862.3");
  EXPECT_EQ(ids::check_patent("CN201710601862.3").canonical, "201710601862.3");
  EXPECT_EQ(ids::check_patent("202110123456.7").reason, codes::kOk);
  auto old = ids::check_patent("95115608.X");
  EXPECT_EQ(old.reason, codes::kOk);
  EXPECT_TRUE(old.old_format);
  EXPECT_EQ(old.filing_year, 1995u);
  EXPECT_EQ(ids::check_patent("95115608.x").canonical, "95115608.X");
  // Negatives.
  EXPECT_EQ(ids::check_patent("201710601862.4").reason, codes::kPatentBadCheck);
  EXPECT_EQ(ids::check_patent("202110123456.6").reason, codes::kPatentBadCheck);
  EXPECT_EQ(ids::check_patent("95115608.1").reason, codes::kPatentBadCheck);
  EXPECT_EQ(ids::check_patent("201710601862").reason, codes::kPatentBadFormat);
  EXPECT_EQ(ids::check_patent("201750601862.3").reason, codes::kPatentBadFormat);  // type 5
  EXPECT_EQ(ids::check_patent("2017106018.3").reason, codes::kPatentBadFormat);
}

TEST(Ids, TrademarkCopyrightPledgeNumbers) {
  EXPECT_EQ(ids::check_trademark("12345678", 9).canonical, "12345678/9");
  EXPECT_EQ(ids::check_trademark("第12345678号", 9).canonical, "12345678/9");
  EXPECT_EQ(ids::check_trademark("1234567890", 9).reason, codes::kTrademarkBadNumber);
  EXPECT_EQ(ids::check_trademark("0123", 9).reason, codes::kTrademarkBadNumber);
  EXPECT_EQ(ids::check_trademark("123", 46).reason, codes::kTrademarkBadClass);
  EXPECT_EQ(ids::check_trademark("123", 0).reason, codes::kTrademarkBadClass);
  EXPECT_EQ(ids::check_copyright_work("国作登字-2021-L-00268255"), codes::kOk);
  EXPECT_EQ(ids::check_copyright_work("国作登字-2026-A-00037559"), codes::kOk);
  EXPECT_EQ(ids::check_copyright_work("国作登字-2021-l-00268255"), codes::kCopyrightBadNumber);
  EXPECT_EQ(ids::check_software("2014SR001852"), codes::kOk);
  EXPECT_EQ(ids::check_software("2016SR172900"), codes::kOk);
  EXPECT_EQ(ids::check_software("2020SR1234567"), codes::kOk);
  EXPECT_EQ(ids::check_software("软著登字第1234567号"), codes::kOk);
  EXPECT_EQ(ids::check_software("2014XR001852"), codes::kCopyrightBadNumber);
  EXPECT_EQ(ids::check_pledge_reg_no("2015990000410"), codes::kOk);
  EXPECT_EQ(ids::check_pledge_reg_no("Y2015990000410"), codes::kOk);
  EXPECT_EQ(ids::check_pledge_reg_no("201599"), codes::kPledgeBadRegNo);
  EXPECT_EQ(ids::check_pledge_reg_no("YY2015990000410"), codes::kPledgeBadRegNo);
}

TEST(Ids, TermEndArithmetic) {
  EXPECT_EQ(term_end(CivilDate{20170420}, 20).yyyymmdd, 20370419u);
  EXPECT_EQ(term_end(CivilDate{20200229}, 10).yyyymmdd, 20300227u);
  EXPECT_EQ(term_end(CivilDate{20240101}, 10).yyyymmdd, 20331231u);
}

}  // namespace
}  // namespace ipl::contracts
