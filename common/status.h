// Status and Result<T>: the error type for operating errors (I/O, bad peer
// bytes, bad requests). A code from a small enum plus a human message.
// Modelled on LevelDB's Status: cheap when ok, named constructors.
// Thread-safety: values; no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/assert.h"

namespace ipl {

enum class Code : uint8_t {
  kOk = 0,
  kInvalidArgument,   // malformed input: bad encoding, bad field value
  kNotFound,          // the thing asked for does not exist
  kCorruption,        // stored bytes fail their checks
  kIoError,           // the OS or LevelDB failed
  kLimitExceeded,     // a limits.h bound was hit
  kPermissionDenied,  // key file mode, unauthorised key
  kAlreadyExists,
  kPruned,            // asked for a height older than the retention window
  kBadSignature,
  kUnavailable,
};

std::string_view code_name(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status invalid(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status not_found(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status io_error(std::string msg) { return Status(Code::kIoError, std::move(msg)); }
  static Status limit(std::string msg) { return Status(Code::kLimitExceeded, std::move(msg)); }
  static Status permission(std::string msg) { return Status(Code::kPermissionDenied, std::move(msg)); }
  static Status exists(std::string msg) { return Status(Code::kAlreadyExists, std::move(msg)); }
  static Status pruned(std::string msg) { return Status(Code::kPruned, std::move(msg)); }
  static Status bad_signature(std::string msg) { return Status(Code::kBadSignature, std::move(msg)); }
  static Status unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }

  Status(Code code, std::string msg) : code_(code), msg_(std::move(msg)) {}

  bool is_ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return msg_; }
  // "CODE: message", for logs and CLI output.
  std::string to_string() const;

 private:
  Code code_ = Code::kOk;
  std::string msg_;
};

// Result<T> holds either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    IPL_ASSERT(!std::get<Status>(v_).is_ok());
  }

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & {
    IPL_ASSERT(is_ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    IPL_ASSERT(is_ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    IPL_ASSERT(is_ok());
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace ipl

// Propagate a non-ok Status from an expression returning Status.
#define IPL_RETURN_IF_ERROR(expr)          \
  do {                                     \
    ::ipl::Status ipl_status_ = (expr);    \
    if (!ipl_status_.is_ok()) return ipl_status_; \
  } while (0)

#define IPL_CONCAT_INNER(a, b) a##b
#define IPL_CONCAT(a, b) IPL_CONCAT_INNER(a, b)
// Assign the value of a Result<T> expression to `lhs`, or return its Status.
#define IPL_ASSIGN_OR_RETURN(lhs, expr)                          \
  auto IPL_CONCAT(ipl_result_, __LINE__) = (expr);               \
  if (!IPL_CONCAT(ipl_result_, __LINE__).is_ok())                \
    return IPL_CONCAT(ipl_result_, __LINE__).status();           \
  lhs = std::move(IPL_CONCAT(ipl_result_, __LINE__)).value()
