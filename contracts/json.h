// The JSON forms of transaction payloads and records (docs/transactions.md),
// for `ipledger exec`, the API and humans. JSON never reaches the executor:
// payloads are converted to their canonical bytes first. nlohmann::json
// exceptions are caught here and returned as Status (STYLE.md "Errors").
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/chain.h"
#include "common/status.h"

namespace ipl::contracts {

// The canonical payload of transaction `type` from its JSON form.
Result<Bytes> payload_from_json(std::string_view type, const nlohmann::json& j);
// A stored record (RecordBody bytes under `key`) as JSON; unknown key
// families are shown as hex.
nlohmann::json record_to_json(std::string_view key, ByteView raw);
nlohmann::json receipt_to_json(const Receipt& r);
// "YYYY-MM-DDTHH:MM[:SS]" in Asia/Shanghai (UTC+8) to Unix milliseconds.
Result<uint64_t> parse_shanghai_time(std::string_view text);

}  // namespace ipl::contracts
