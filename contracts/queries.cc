#include "contracts/queries.h"

#include <algorithm>

namespace ipl::contracts {

namespace {

template <typename T>
Result<std::optional<T>> read_typed(const StateView& s, std::string_view key) {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> data, read_record(s, key));
  if (!data) return std::optional<T>();
  auto v = T::decode(*data);
  if (!v.is_ok()) return Status::corruption("record " + std::string(key) + ": " + v.status().message());
  return std::optional<T>(std::move(*v));
}

}  // namespace

Result<std::optional<Bytes>> read_record(const StateView& s, std::string_view key) {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, s.get(as_view(key)));
  if (!raw) return std::optional<Bytes>();
  auto body = RecordBody::decode(*raw);
  if (!body.is_ok()) return Status::corruption("record " + std::string(key) + ": " + body.status().message());
  return std::optional<Bytes>(std::move(body->data));
}

Result<std::optional<int64_t>> param_at(const StateView& s, std::string_view name, CivilDate date) {
  IPL_ASSERT(date.is_valid());
  IPL_ASSIGN_OR_RETURN(std::optional<ParamRecord> p, read_typed<ParamRecord>(s, keys::param(name)));
  if (!p) return std::optional<int64_t>();
  const ParamVersion* v = p->at(date);
  if (v == nullptr) return std::optional<int64_t>();
  return std::optional<int64_t>(v->value);
}

Result<std::optional<LprFact>> lpr_of_month(const StateView& s, uint32_t yyyymm) {
  return read_typed<LprFact>(s, keys::lpr(yyyymm));
}

Result<std::optional<bool>> is_working_day(const StateView& s, CivilDate date) {
  IPL_ASSERT(date.is_valid());
  IPL_ASSIGN_OR_RETURN(std::optional<CalendarFact> cal, read_typed<CalendarFact>(s, keys::calendar(date.yyyymmdd / 10000)));
  if (!cal) return std::optional<bool>();
  if (std::binary_search(cal->holidays.begin(), cal->holidays.end(), date)) return std::optional<bool>(false);
  if (std::binary_search(cal->workdays.begin(), cal->workdays.end(), date)) return std::optional<bool>(true);
  // 1970-01-01 was a Thursday: weekday index 0 = Monday.
  const int64_t days = date.days_since_epoch();
  const int64_t weekday = ((days % 7) + 7 + 3) % 7;
  return std::optional<bool>(weekday < 5);
}

Result<std::optional<IpFact>> ip_fact(const StateView& s, std::string_view number) {
  return read_typed<IpFact>(s, keys::ip_fact(number));
}

Result<std::optional<BankTotals>> bank_totals(const StateView& s, uint64_t member, uint32_t yyyymm) {
  return read_typed<BankTotals>(s, keys::bank_totals(member, yyyymm));
}

}  // namespace ipl::contracts
