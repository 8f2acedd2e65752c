// Strong ids: distinct types for numbers that must never be mixed up
// (a Height is not a Round). Zero-cost wrappers over unsigned integers.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace ipl {

template <typename Tag, typename Rep = uint64_t>
class StrongId {
 public:
  using rep = Rep;
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep v) : v_(v) {}
  constexpr Rep value() const { return v_; }
  constexpr auto operator<=>(const StrongId&) const = default;
  constexpr StrongId next() const { return StrongId(v_ + 1); }

 private:
  Rep v_ = 0;
};

using Height = StrongId<struct HeightTag>;
using Round = StrongId<struct RoundTag>;
using Epoch = StrongId<struct EpochTag>;
using MemberId = StrongId<struct MemberIdTag>;
using ValidatorIndex = StrongId<struct ValidatorIndexTag, uint32_t>;
using KeyId = StrongId<struct KeyIdTag>;

}  // namespace ipl

template <typename Tag, typename Rep>
struct std::hash<ipl::StrongId<Tag, Rep>> {
  size_t operator()(const ipl::StrongId<Tag, Rep>& id) const noexcept {
    return std::hash<Rep>()(id.value());
  }
};
