// JSON forms of the issue-7 payloads and records (loans, covers, NPL
// reports; see loan_json.cc and docs/transactions.md "Loans, guarantees and
// insurance, NPL tolerance"). Throws nlohmann/std exceptions on bad input;
// json.cc catches them.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "contracts/loan_records.h"

namespace ipl::contracts {

// The payload of an issue-7 transaction type; nullopt for other types.
std::optional<Bytes> loan_payload_from_json(std::string_view type, const nlohmann::json& j);
// A record body of an issue-7 key family; nullopt for other keys.
std::optional<nlohmann::json> loan_record_to_json(std::string_view key, ByteView data);

}  // namespace ipl::contracts
