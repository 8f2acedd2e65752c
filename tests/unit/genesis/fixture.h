// Shared fixture of the execution-core tests: a consortium of the seven
// governance agencies, a non-governance city IP bureau, a bank and an
// auditor with deterministic test keys, and helpers that sign and execute.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/encoding.h"
#include "contracts/codes.h"
#include "contracts/executor.h"
#include "contracts/json.h"
#include "contracts/queries.h"
#include "genesis/genesis.h"

namespace ipl::testing {

using contracts::Role;

inline KeyPair api_key(const std::string& who) { return KeyPair::for_test("api/" + who); }
inline KeyPair node_key(const std::string& who) { return KeyPair::for_test("node/" + who); }

// Member ids: 1 ipa, 2 fin, 3 cr (copyright bureau), 4 sme, 5 lfr, 6 nfra, 7 pboc, 8 city, 9 bank, 10 aud.
inline const std::vector<std::string>& member_names() {
  static const std::vector<std::string> n = {"ipa", "fin", "cr", "sme", "lfr", "nfra", "pboc", "city", "bank", "aud"};
  return n;
}

inline genesis::Genesis test_genesis(uint32_t protocol_version = 1) {
  genesis::Genesis g;
  g.chain_id = "ipl-unit";
  g.genesis_time_ms = 1'704'070'800'000;  // 2024-01-01T09:00+08:00
  g.protocol_version = protocol_version;
  const std::vector<std::pair<Role, bool>> roles = {
      {Role::kIpa, true},        {Role::kFin, true},        {Role::kIpa, true},  {Role::kSme, true},
      {Role::kRegulator, true},  {Role::kRegulator, true},  {Role::kRegulator, true},
      {Role::kIpa, false},       {Role::kBank, false},      {Role::kAuditor, false}};
  for (size_t i = 0; i < roles.size(); ++i) {
    genesis::GenesisMember m;
    m.id = i + 1;
    m.name = member_names()[i];
    m.role = roles[i].first;
    m.governance = roles[i].second;
    // The PBoC branch and the copyright bureau are recognised by org
    // (attest.lpr, ip.snapshot of copyrights).
    m.org = m.name == "pboc" ? "PBOC" : m.name == "cr" ? "SXCR" : m.name;
    if (m.role == Role::kBank) m.branch_code = "TY001";
    m.api_keys = {api_key(m.name).public_key};
    if (i < 4) {
      m.consensus_key = node_key(m.name).public_key;
      m.node_status = contracts::NodeStatus::kValidator;
      g.validators.push_back(m.id);
    }
    g.members.push_back(m);
  }
  g.parameters = genesis::shanxi_default_parameters(CivilDate{20240101});
  return g;
}

inline contracts::MemState genesis_state(const genesis::Genesis& g) {
  contracts::MemState s;
  s.apply(genesis::initial_state(g));
  return s;
}

struct TxSpec {
  std::string sender;
  std::string type;
  nlohmann::json payload = nlohmann::json::object();
  uint64_t nonce = 0;
  uint32_t value_date = 0;  // 0: 2024-01-02
  uint64_t valid_until = 1'000'000;
  std::string chain_id = "ipl-unit";
};

inline Transaction make_tx(const TxSpec& t, const KeyPair* key = nullptr) {
  TxBody b;
  b.chain_id = t.chain_id;
  const KeyPair kp = key ? *key : api_key(t.sender);
  b.sender_key = kp.public_key;
  b.nonce = t.nonce;
  b.valid_until_height = t.valid_until;
  b.type = t.type;
  b.value_date = CivilDate{t.value_date == 0 ? 20240102u : t.value_date};
  auto p = contracts::payload_from_json(t.type, t.payload);
  EXPECT_TRUE(p.is_ok()) << p.status().to_string();
  b.payload = p.is_ok() ? *p : Bytes{};
  return Transaction::sign(b, kp.secret_key);
}

inline contracts::BlockContext block_at(uint64_t height, uint64_t ts_ms = 1'704'160'800'000 /* 2024-01-02T10:00+08 */) {
  return contracts::BlockContext{"ipl-unit", height, ts_ms};
}

}  // namespace ipl::testing
