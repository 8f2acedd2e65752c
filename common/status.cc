#include "common/status.h"

#include <cstdio>
#include <cstdlib>

namespace ipl {

void assert_fail(const char* expr, const char* file, int line) noexcept {
  std::fprintf(stderr, "IPL_ASSERT failed: %s at %s:%d\n", expr, file, line);
  std::fflush(stderr);
  std::abort();
}

std::string_view code_name(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kNotFound: return "not_found";
    case Code::kCorruption: return "corruption";
    case Code::kIoError: return "io_error";
    case Code::kLimitExceeded: return "limit_exceeded";
    case Code::kPermissionDenied: return "permission_denied";
    case Code::kAlreadyExists: return "already_exists";
    case Code::kPruned: return "proof.pruned";
    case Code::kBadSignature: return "bad_signature";
    case Code::kUnavailable: return "unavailable";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  std::string out(code_name(code_));
  out += ": ";
  out += msg_;
  return out;
}

}  // namespace ipl
