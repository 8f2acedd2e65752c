// `ipledger verify ...` and `ipledger keygen`: offline checks an auditor
// runs with nothing but a proof file and the validator set of its epoch.
#include <cctype>
#include <cstdio>
#include <iterator>
#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "common/file.h"
#include "contracts/module.h"
#include "genesis/genesis.h"
#include "ledger/ledger.h"
#include "node/cli.h"

namespace ipl::cli {

namespace {

constexpr size_t kProofFileBytesMax = 64u << 20;

Result<Bytes> read_bytes(const std::string& path, size_t max) {
  IPL_ASSIGN_OR_RETURN(std::string raw, read_file(path, max));
  return Bytes(raw.begin(), raw.end());
}

Result<ValidatorSet> read_validator_set(const std::string& path) {
  IPL_ASSIGN_OR_RETURN(Bytes raw, read_bytes(path, 1u << 20));
  const nlohmann::json j = nlohmann::json::parse(raw.begin(), raw.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::invalid(path + ": not a JSON object");
  if (!j.contains("epoch") || !j["epoch"].is_number_unsigned()) return Status::invalid(path + ": missing epoch");
  if (!j.contains("consensus_keys") || !j["consensus_keys"].is_array()) {
    return Status::invalid(path + ": missing consensus_keys");
  }
  ValidatorSet vs;
  vs.epoch = Epoch(j["epoch"].get<uint64_t>());
  for (const auto& k : j["consensus_keys"]) {
    if (!k.is_string()) return Status::invalid(path + ": consensus key is not a string");
    IPL_ASSIGN_OR_RETURN(PublicKey pk, public_key_from_hex(k.get<std::string>()));
    vs.consensus_keys.push_back(pk);
  }
  if (vs.consensus_keys.empty() || vs.consensus_keys.size() > limits::validators_max) {
    return Status::invalid(path + ": validator count out of range");
  }
  return vs;
}

int report(const Status& s, const std::string& what) {
  if (s.is_ok()) {
    std::printf("OK: %s\n", what.c_str());
    return 0;
  }
  std::printf("REFUSED (does not prove that %s): %s\n", what.c_str(), s.to_string().c_str());
  return 1;
}

// Reads the validator set and the proof bytes (exit code 2 when either
// cannot be read).
struct Inputs {
  ValidatorSet validators;
  Bytes proof;
};
Result<Inputs> read_inputs(const std::string& validators_path, const std::string& proof_path) {
  Inputs in;
  IPL_ASSIGN_OR_RETURN(in.validators, read_validator_set(validators_path));
  IPL_ASSIGN_OR_RETURN(in.proof, read_bytes(proof_path, kProofFileBytesMax));
  return in;
}

int input_error(const Status& s) {
  std::fprintf(stderr, "ipledger verify: %s\n", s.to_string().c_str());
  return 2;
}

}  // namespace

int verify_epoch_proof_file(const std::string& genesis_path, const std::string& proof_path) {
  auto gtext = read_file(genesis_path, 64u << 20);
  if (!gtext.is_ok()) return input_error(gtext.status());
  auto g = genesis::load(*gtext, contracts::Registry::standard());
  if (!g.is_ok()) return input_error(g.status());
  auto text = read_file(proof_path, kProofFileBytesMax);
  if (!text.is_ok()) return input_error(text.status());
  // The file holds the /v1/epoch-proof answer (JSON) or just the hex.
  std::string hex = *text;
  const nlohmann::json j = nlohmann::json::parse(hex, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded() && j.is_object() && j.contains("proof") && j["proof"].is_string()) {
    hex = j["proof"].get<std::string>();
  }
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back()))) hex.pop_back();
  auto raw = from_hex(hex);
  if (!raw.is_ok()) return report(raw.status(), "decode epoch-change proof");
  auto proof = EpochChangeProof::decode(*raw);
  if (!proof.is_ok()) return report(proof.status(), "decode epoch-change proof");
  auto vs = proof->verify(g->validator_set(), g->chain_id);
  std::string what = std::to_string(proof->changes.size()) + " epoch change(s) from the genesis " +
                     to_hex(g->hash()).substr(0, 16) + " lead to epoch ";
  if (!vs.is_ok()) return report(vs.status(), what + "?");
  what += std::to_string(vs->epoch.value()) + " with " + std::to_string(vs->size()) + " validators:";
  for (const PublicKey& k : vs->consensus_keys) what += " " + k.hex().substr(0, 16);
  return report(Status::ok(), what);
}

int verify_tx_proof_file(const std::string& validators_path, const std::string& proof_path) {
  auto in = read_inputs(validators_path, proof_path);
  if (!in.is_ok()) return input_error(in.status());
  auto proof = ledger::TxProof::decode(in->proof);
  if (!proof.is_ok()) return report(proof.status(), "decode transaction proof");
  const LedgerInfo& li = proof->anchor.ledger_info;
  return report(ledger::verify_tx_proof(*proof, in->validators),
                "transaction " + to_hex(proof->tx.id()) + " with outcome '" + proof->receipt.reason +
                    "' is at history index " + std::to_string(proof->inclusion.index) + " in block " +
                    std::to_string(li.height.value()) + " of chain " + li.chain_id + ", certified by epoch " +
                    std::to_string(li.epoch.value()));
}

int verify_record_proof_file(const std::string& validators_path, const std::string& proof_path) {
  auto in = read_inputs(validators_path, proof_path);
  if (!in.is_ok()) return input_error(in.status());
  auto proof = ledger::RecordProof::decode(in->proof);
  if (!proof.is_ok()) return report(proof.status(), "decode record proof");
  std::string what = "record '" + std::string(as_chars(proof->key)) + "' ";
  if (proof->envelope) {
    auto env = StateEnvelope::decode(*proof->envelope);
    what += env.is_ok() ? "has version " + std::to_string(env->version) + " (written at height " +
                              std::to_string(env->height) + ")"
                        : "has an undecodable value";
  } else {
    what += "is absent";
  }
  what += " in the state certified at height " + std::to_string(proof->anchor.ledger_info.height.value());
  return report(ledger::verify_record_proof(*proof, in->validators), what);
}

int keygen(const std::string& out_path) {
  const KeyPair kp = KeyPair::generate();
  Status s = save_secret_key(out_path, kp);
  if (s.is_ok()) s = save_public_key(out_path + ".pub", kp.public_key);
  if (!s.is_ok()) {
    std::fprintf(stderr, "ipledger keygen: %s\n", s.to_string().c_str());
    return 2;
  }
  std::printf("%s\n", kp.public_key.hex().c_str());
  return 0;
}

}  // namespace ipl::cli
