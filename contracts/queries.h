// Read-side queries over committed state used by domain modules, the API
// and `ipledger exec`: governed parameters by reference date (decision 1)
// and attested facts (decision 4). Each reads through a StateView only.
// Thread-safety: as the StateView.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/state_view.h"
#include "contracts/records.h"

namespace ipl::contracts {

// Reads a record body stored by the executor (RecordBody unwrapped).
Result<std::optional<Bytes>> read_record(const StateView& s, std::string_view key);

// The value of parameter `name` in force on `date`; nullopt when the
// parameter does not exist or has no version effective on that date.
Result<std::optional<int64_t>> param_at(const StateView& s, std::string_view name, CivilDate date);

// The attested LPR of month yyyymm (1-year tenor), if attested.
Result<std::optional<LprFact>> lpr_of_month(const StateView& s, uint32_t yyyymm);
// Working day per the attested calendar of the date's year: holidays are
// off, make-up workdays (调休) on, otherwise Monday..Friday. nullopt when the
// year has no attested calendar (contracts must not guess).
Result<std::optional<bool>> is_working_day(const StateView& s, CivilDate date);
Result<std::optional<IpFact>> ip_fact(const StateView& s, std::string_view number);
Result<std::optional<BankTotals>> bank_totals(const StateView& s, uint64_t member, uint32_t yyyymm);

}  // namespace ipl::contracts
