// A signed transaction from one JSON line: the format `ipledger exec` and
// `ipledger tx sign` share (docs/transactions.md), so both commands build
// byte-identical transactions from the same line.
//   {"sender": NAME, "type": T, "payload": {...}, optional "nonce",
//    "valid_until_height", "value_date", "chain_id",
//    "corrupt_signature", "corrupt_body"}     signed with DIR/NAME.key
// "@NAME" anywhere in the payload (any string equal to it) is replaced by
// the hex public key of DIR/NAME.key.
// Thread-safety: KeyDir is not thread-safe (it caches keys).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/chain.h"
#include "common/crypto.h"
#include "common/status.h"

namespace ipl::cli {

// The secret keys of a directory, DIR/NAME.key, each loaded once.
class KeyDir {
 public:
  explicit KeyDir(std::string dir) : dir_(std::move(dir)) {}
  Result<KeyPair> key(const std::string& name);
  // Replaces every string "@NAME" in j (recursively) by NAME's public key.
  Status resolve(nlohmann::json& j);

 private:
  std::string dir_;
  std::map<std::string, KeyPair> cache_;
};

// What a line does not say itself.
struct TxDefaults {
  std::string chain_id;
  uint64_t valid_until_height = 0;
  CivilDate value_date;
};

// The nonce of a line without "nonce"; called at most once per line.
using NextNonce = std::function<Result<uint64_t>(const PublicKey& sender)>;

// Builds and signs the transaction of one line. Requires a JSON object;
// returns an error (never throws) for a missing or mistyped field, an
// unknown key name or a payload the type's JSON form rejects.
// "corrupt_signature" / "corrupt_body" (tests) spoil the result on purpose.
Result<Transaction> transaction_from_json(const nlohmann::json& line, KeyDir& keys, const TxDefaults& defaults,
                                          const NextNonce& next_nonce);

}  // namespace ipl::cli
