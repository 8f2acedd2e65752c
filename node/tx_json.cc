// See tx_json.h. The one place that turns a JSON line into a signed
// transaction; `exec` and `tx sign` differ only in their defaults and in
// where a missing nonce comes from.
#include "node/tx_json.h"

#include "common/assert.h"
#include "contracts/json.h"

namespace ipl::cli {

using nlohmann::json;

Result<KeyPair> KeyDir::key(const std::string& name) {
  auto it = cache_.find(name);
  if (it != cache_.end()) return it->second;
  if (name.empty()) return Status::invalid("empty key name");
  IPL_ASSIGN_OR_RETURN(KeyPair kp, load_secret_key(dir_ + "/" + name + ".key"));
  cache_.emplace(name, kp);
  return kp;
}

Status KeyDir::resolve(json& j) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s.size() > 1 && s[0] == '@') {
      IPL_ASSIGN_OR_RETURN(KeyPair kp, key(s.substr(1)));
      j = kp.public_key.hex();
    }
  } else if (j.is_array() || j.is_object()) {
    for (auto& v : j) IPL_RETURN_IF_ERROR(resolve(v));
  }
  return Status::ok();
}

namespace {

Result<Transaction> build(const json& j, KeyDir& keys, const TxDefaults& d, const NextNonce& next_nonce) {
  const std::string sender = j.at("sender").get<std::string>();
  const std::string type = j.at("type").get<std::string>();
  IPL_ASSIGN_OR_RETURN(KeyPair kp, keys.key(sender));
  json payload = j.value("payload", json::object());
  IPL_RETURN_IF_ERROR(keys.resolve(payload));
  IPL_ASSIGN_OR_RETURN(Bytes payload_bytes, contracts::payload_from_json(type, payload));
  TxBody body;
  body.chain_id = j.value("chain_id", d.chain_id);
  body.sender_key = kp.public_key;
  body.type = type;
  body.payload = std::move(payload_bytes);
  body.valid_until_height = j.value("valid_until_height", d.valid_until_height);
  if (j.contains("value_date")) {
    // An unparsable date is kept as invalid on purpose: scenarios use
    // "invalid" (Feb 30) and garbage (0) to check the refusals.
    const std::string text = j.at("value_date").get<std::string>();
    auto v = CivilDate::parse(text);
    body.value_date = v.is_ok() ? *v : CivilDate{text == "invalid" ? 20250230u : 0u};
  } else {
    body.value_date = d.value_date;
  }
  if (j.contains("nonce")) {
    body.nonce = j.at("nonce").get<uint64_t>();
  } else {
    IPL_ASSIGN_OR_RETURN(body.nonce, next_nonce(kp.public_key));
  }
  Transaction tx = Transaction::sign(body, kp.secret_key);
  if (j.value("corrupt_signature", false)) tx.signature.bytes[0] ^= 0x01;
  if (j.value("corrupt_body", false)) tx.body.resize(tx.body.size() / 2);
  return tx;
}

}  // namespace

Result<Transaction> transaction_from_json(const json& line, KeyDir& keys, const TxDefaults& defaults,
                                          const NextNonce& next_nonce) {
  IPL_ASSERT(static_cast<bool>(next_nonce));
  if (!line.is_object()) return Status::invalid("a transaction line must be a JSON object");
  // nlohmann reports a missing or mistyped field by an exception; it stays
  // inside this function.
  try {
    return build(line, keys, defaults, next_nonce);
  } catch (const std::exception& e) {
    return Status::invalid(e.what());
  }
}

}  // namespace ipl::cli
