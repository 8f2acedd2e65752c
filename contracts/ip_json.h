// JSON forms of the issue-6 payloads and records (see ip_json.cc). Throws
// nlohmann/std exceptions on bad input; json.cc catches them.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "contracts/ip_records.h"

namespace ipl::contracts {

// The payload of an issue-6 transaction type; nullopt for other types.
std::optional<Bytes> ip_payload_from_json(std::string_view type, const nlohmann::json& j);
// A record body of an issue-6 key family; nullopt for other keys.
std::optional<nlohmann::json> ip_record_to_json(std::string_view key, ByteView data);

}  // namespace ipl::contracts
