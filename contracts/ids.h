// Identifier validation (DOMAIN.md Part B §3): unified social credit codes
// (GB 32100), Chinese patent application/patent numbers (new 12+1 and old
// 8+1 formats, ZC 0006-2003 check digit), trademark registration numbers
// with their Nice class, copyright work and software registration numbers,
// and pledge registration numbers. Each check returns codes::kOk or a
// stable reason code (contracts/codes.h) plus the canonical form.
// Invariants: a canonical form returned with kOk re-validates to itself.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ipl::contracts::ids {

struct Uscc {
  std::string_view reason;     // ok, uscc.bad_length, uscc.bad_charset, uscc.bad_check
  std::string canonical;       // upper case
  bool org_code_warning = false;  // embedded GB 11714 check failed (a warning only, §3.1)
};
// Normalises to upper case; the 18th character must be the GB 32100 check.
Uscc check_uscc(std::string_view text);
// The check character of a 17-character body, or '\0' if a character is
// outside the charset.
char uscc_check_char(std::string_view body17);

enum class PatentType : uint8_t { kInvention = 1, kUtility = 2, kDesign = 3 };
struct PatentNumber {
  std::string_view reason;  // ok, patent.bad_format, patent.bad_check
  std::string canonical;    // "YYYYTNNNNNNN.C" or "YYTNNNNN.C"
  uint32_t filing_year = 0;
  PatentType type = PatentType::kInvention;  // PCT types 8/9 map to invention/utility
  bool old_format = false;
};
// Strips a leading "ZL" or "CN" and spaces; requires the dot and the check.
PatentNumber check_patent(std::string_view text);

// Trademark: 1..9 digits (no leading zero; "第…号" wrapping stripped) and
// a Nice class 1..45. Reasons: trademark.bad_number, trademark.bad_class.
struct Trademark {
  std::string_view reason;
  std::string canonical;  // "<digits>/<class>"
};
Trademark check_trademark(std::string_view reg_no, uint32_t nice_class);

// Copyright work "国作登字-YYYY-X-NNNNNNNN", software registration
// "YYYYSRNNNNNN[N]" or certificate "软著登字第NNNNNNN[N]号" (regex only, §3.4).
// Reason: copyright.bad_number.
std::string_view check_copyright_work(std::string_view text);
std::string_view check_software(std::string_view text);

// Pledge registration number ^[A-Z]?\d{10,16}$ (§3.5). Reason: pledge.bad_reg_no.
std::string_view check_pledge_reg_no(std::string_view text);

}  // namespace ipl::contracts::ids
