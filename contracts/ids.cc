#include "contracts/ids.h"

#include "common/assert.h"
#include "contracts/codes.h"

namespace ipl::contracts::ids {

namespace {

constexpr std::string_view kUsccCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY";

int uscc_value(char c) {
  const size_t p = kUsccCharset.find(c);
  return p == std::string_view::npos ? -1 : static_cast<int>(p);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(std::string_view s) {
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return !s.empty();
}

// GB 11714 organization code check over positions 9..17 of a USCC.
bool org_code_ok(std::string_view org9) {
  IPL_ASSERT(org9.size() == 9);
  constexpr int kW[8] = {3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < 8; ++i) {
    const char c = org9[i];
    int v = 0;
    if (is_digit(c)) v = c - '0';
    else if (c >= 'A' && c <= 'Z') v = c - 'A' + 10;
    else return false;
    sum += v * kW[i];
  }
  const int r = 11 - sum % 11;
  const char want = r == 10 ? 'X' : r == 11 ? '0' : static_cast<char>('0' + r);
  return org9[8] == want;
}

char mod11_char(std::string_view digits, const int* weights) {
  int sum = 0;
  for (size_t i = 0; i < digits.size(); ++i) sum += (digits[i] - '0') * weights[i];
  const int c = sum % 11;
  return c == 10 ? 'X' : static_cast<char>('0' + c);
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

}  // namespace

char uscc_check_char(std::string_view body) {
  IPL_ASSERT(body.size() == 17);
  int w = 1;
  int sum = 0;
  for (char c : body) {
    const int v = uscc_value(c);
    if (v < 0) return '\0';
    sum += v * w;
    w = w * 3 % 31;
  }
  const int c = (31 - sum % 31) % 31;
  IPL_ASSERT(c >= 0 && c < 31);
  return kUsccCharset[static_cast<size_t>(c)];
}

Uscc check_uscc(std::string_view text) {
  Uscc out;
  if (text.size() != 18) {
    out.reason = codes::kUsccBadLength;
    return out;
  }
  out.canonical.reserve(18);
  for (char c : text) out.canonical.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  for (char c : out.canonical) {
    if (uscc_value(c) < 0) {
      out.reason = codes::kUsccBadCharset;
      return out;
    }
  }
  if (uscc_check_char(std::string_view(out.canonical).substr(0, 17)) != out.canonical[17]) {
    out.reason = codes::kUsccBadCheck;
    return out;
  }
  out.org_code_warning = !org_code_ok(std::string_view(out.canonical).substr(8, 9));
  out.reason = codes::kOk;
  return out;
}

PatentNumber check_patent(std::string_view text) {
  PatentNumber out;
  out.reason = codes::kPatentBadFormat;
  if (text.size() > 64) return out;
  std::string s;
  for (char c : text) {
    if (c == ' ') continue;
    s.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  if (starts_with(s, "ZL") || starts_with(s, "CN")) s.erase(0, 2);
  const size_t dot = s.find('.');
  if (dot == std::string::npos || dot + 2 != s.size()) return out;
  const std::string_view digits = std::string_view(s).substr(0, dot);
  const char check = s[dot + 1];
  if (!all_digits(digits) || (digits.size() != 12 && digits.size() != 8)) return out;
  if (!is_digit(check) && check != 'X') return out;
  out.old_format = digits.size() == 8;
  const char t = digits[out.old_format ? 2 : 4];
  switch (t) {
    case '1': case '8': out.type = PatentType::kInvention; break;
    case '2': case '9': out.type = PatentType::kUtility; break;
    case '3': out.type = PatentType::kDesign; break;
    default: return out;
  }
  if (out.old_format) {
    const uint32_t yy = static_cast<uint32_t>((digits[0] - '0') * 10 + (digits[1] - '0'));
    out.filing_year = yy >= 85 ? 1900 + yy : 2000 + yy;
    if (out.filing_year > 2003) return out;
  } else {
    out.filing_year = 0;
    for (size_t i = 0; i < 4; ++i) out.filing_year = out.filing_year * 10 + static_cast<uint32_t>(digits[i] - '0');
    if (out.filing_year < 2003) return out;
  }
  static constexpr int kW[12] = {2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5};
  if (mod11_char(digits, kW) != check) {
    out.reason = codes::kPatentBadCheck;
    return out;
  }
  out.canonical = s;
  out.reason = codes::kOk;
  return out;
}

Trademark check_trademark(std::string_view reg_no, uint32_t nice_class) {
  Trademark out;
  std::string_view s = reg_no;
  if (starts_with(s, "第") && ends_with(s, "号")) s = s.substr(3, s.size() - 6);  // UTF-8: 3 bytes each
  if (!all_digits(s) || s.size() > 9 || s[0] == '0') {
    out.reason = codes::kTrademarkBadNumber;
    return out;
  }
  if (nice_class < 1 || nice_class > 45) {
    out.reason = codes::kTrademarkBadClass;
    return out;
  }
  out.canonical = std::string(s) + "/" + std::to_string(nice_class);
  out.reason = codes::kOk;
  return out;
}

std::string_view check_copyright_work(std::string_view s) {
  constexpr std::string_view kPrefix = "国作登字-";
  if (!starts_with(s, kPrefix)) return codes::kCopyrightBadNumber;
  s.remove_prefix(kPrefix.size());
  // YYYY-X-NNNNNNNN
  if (s.size() != 15 || s[4] != '-' || s[6] != '-') return codes::kCopyrightBadNumber;
  if (!all_digits(s.substr(0, 4)) || !(s[5] >= 'A' && s[5] <= 'Z') || !all_digits(s.substr(7))) {
    return codes::kCopyrightBadNumber;
  }
  return codes::kOk;
}

std::string_view check_software(std::string_view s) {
  constexpr std::string_view kCertPrefix = "软著登字第";
  constexpr std::string_view kCertSuffix = "号";
  if (starts_with(s, kCertPrefix)) {
    if (!ends_with(s, kCertSuffix)) return codes::kCopyrightBadNumber;
    const std::string_view n = s.substr(kCertPrefix.size(), s.size() - kCertPrefix.size() - kCertSuffix.size());
    return all_digits(n) && (n.size() == 7 || n.size() == 8) ? codes::kOk : codes::kCopyrightBadNumber;
  }
  if (s.size() != 12 && s.size() != 13) return codes::kCopyrightBadNumber;
  return all_digits(s.substr(0, 4)) && s.substr(4, 2) == "SR" && all_digits(s.substr(6)) ? codes::kOk
                                                                                        : codes::kCopyrightBadNumber;
}

std::string_view check_pledge_reg_no(std::string_view s) {
  std::string_view d = s;
  if (!d.empty() && d[0] >= 'A' && d[0] <= 'Z') d.remove_prefix(1);
  return all_digits(d) && d.size() >= 10 && d.size() <= 16 ? codes::kOk : codes::kPledgeBadRegNo;
}

}  // namespace ipl::contracts::ids
