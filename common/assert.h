// Always-on assertions for programmer errors (STYLE.md "Errors").
// IPL_ASSERT stays in release builds; IPL_DEBUG_ASSERT is for O(n) checks.
// Never assert on untrusted input: validate it and return a Status instead.
#pragma once

namespace ipl {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line) noexcept;
}  // namespace ipl

#define IPL_ASSERT(cond)                                  \
  do {                                                    \
    if (!(cond)) ::ipl::assert_fail(#cond, __FILE__, __LINE__); \
  } while (0)

#ifdef NDEBUG
#define IPL_DEBUG_ASSERT(cond) \
  do {                         \
  } while (0)
#else
#define IPL_DEBUG_ASSERT(cond) IPL_ASSERT(cond)
#endif
