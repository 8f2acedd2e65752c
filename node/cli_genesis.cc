// `ipledger genesis init|validate|hash` (docs/genesis.md).
// init reads a small consortium description, generates every member's API
// key (and a consensus key for each validator) into DIR/keys with mode
// 0600, and writes DIR/genesis.json with the Shanxi default parameters
// unless the description gives its own. --test-keys derives keys from
// labels (KeyPair::for_test) so test vectors are reproducible; never use
// it for a real chain.
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "contracts/json.h"
#include "genesis/genesis.h"
#include "common/file.h"
#include "node/cli.h"

namespace ipl::cli {

namespace {

using nlohmann::json;

int fail(const char* cmd, const std::string& msg) {
  std::fprintf(stderr, "ipledger genesis %s: %s\n", cmd, msg.c_str());
  return 2;
}

Result<std::string> slurp(const std::string& path) { return read_file(path, 16u << 20); }

Result<KeyPair> make_key(const std::string& dir, const std::string& name, const std::string& label, bool test_keys) {
  const std::string path = dir + "/" + name + ".key";
  if (std::filesystem::exists(path)) return Status::exists(path + " exists; refusing to overwrite a key");
  KeyPair kp = test_keys ? KeyPair::for_test(label) : KeyPair::generate();
  IPL_RETURN_IF_ERROR(save_secret_key(path, kp));
  IPL_RETURN_IF_ERROR(save_public_key(path + ".pub", kp.public_key));
  return kp;
}

}  // namespace

int genesis_init(const std::string& consortium_path, const std::string& out_dir, bool test_keys) {
  auto text = slurp(consortium_path);
  if (!text.is_ok()) return fail("init", text.status().to_string());
  try {
    const json c = json::parse(*text);
    genesis::Genesis g;
    g.chain_id = c.at("chain_id").get<std::string>();
    if (c.contains("genesis_time")) {
      auto t = contracts::parse_shanghai_time(c.at("genesis_time").get<std::string>());
      if (!t.is_ok()) return fail("init", t.status().to_string());
      g.genesis_time_ms = *t;
    } else {
      g.genesis_time_ms = c.at("genesis_time_ms").get<uint64_t>();
    }
    g.protocol_version = c.value("protocol_version", 1u);
    const std::string keys_dir = out_dir + "/keys";
    std::filesystem::create_directories(keys_dir);
    ::chmod(keys_dir.c_str(), 0700);
    const json members = c.at("members");
    for (size_t i = 0; i < members.size(); ++i) {
      const json& m = members[i];
      genesis::GenesisMember gm;
      gm.id = i + 1;
      gm.name = m.at("name").get<std::string>();
      const std::string slug = m.at("key_name").get<std::string>();
      auto role = contracts::role_from_name(m.at("role").get<std::string>());
      if (!role) return fail("init", "unknown role " + m.at("role").get<std::string>());
      gm.role = *role;
      gm.org = m.value("org", "");
      gm.branch_code = m.value("branch_code", "");
      gm.governance = m.value("governance", false);
      auto api = make_key(keys_dir, slug, g.chain_id + "/" + slug, test_keys);
      if (!api.is_ok()) return fail("init", api.status().to_string());
      gm.api_keys.push_back(api->public_key);
      if (m.value("validator", false)) {
        auto node = make_key(keys_dir, slug + ".node", g.chain_id + "/" + slug + ".node", test_keys);
        if (!node.is_ok()) return fail("init", node.status().to_string());
        gm.consensus_key = node->public_key;
        gm.node_status = contracts::NodeStatus::kValidator;
        g.validators.push_back(gm.id);
      } else if (m.value("observer", false)) {
        gm.node_status = contracts::NodeStatus::kObserver;
      }
      g.members.push_back(std::move(gm));
    }
    // Spare keys (e.g. for later key rotations or admissions in scenarios).
    for (const json& k : c.value("extra_keys", json::array())) {
      const std::string slug = k.get<std::string>();
      auto kp = make_key(keys_dir, slug, g.chain_id + "/" + slug, test_keys);
      if (!kp.is_ok()) return fail("init", kp.status().to_string());
    }
    const CivilDate from = contracts::BlockContext{g.chain_id, 1, g.genesis_time_ms}.civil_date();
    g.parameters = genesis::shanxi_default_parameters(from);
    for (const json& p : c.value("parameters", json::array())) {
      auto type = contracts::param_type_from_name(p.at("type").get<std::string>());
      auto d = CivilDate::parse(p.value("effective_from", from.str()));
      if (!type || !d.is_ok()) return fail("init", "bad parameter " + p.dump());
      genesis::GenesisParam gp{p.at("name").get<std::string>(), *type, p.at("value").get<int64_t>(), *d};
      std::erase_if(g.parameters, [&](const genesis::GenesisParam& x) {
        return x.name == gp.name && x.effective_from == gp.effective_from;
      });
      g.parameters.push_back(gp);
    }
    const auto problems = genesis::validate(g, contracts::Registry::with_test_module());
    if (!problems.empty()) {
      std::string msg = "the consortium gives an invalid genesis:";
      for (const auto& p : problems) msg += "\n  " + p;
      return fail("init", msg);
    }
    std::ofstream f(out_dir + "/genesis.json", std::ios::trunc);
    f << genesis::to_json(g).dump(2) << "\n";
    if (!f) return fail("init", "cannot write " + out_dir + "/genesis.json");
    std::printf("%s\n", to_hex(g.hash()).c_str());
    return 0;
  } catch (const std::exception& e) {
    return fail("init", std::string("consortium file: ") + e.what());
  }
}

int genesis_validate(const std::string& path) {
  auto text = slurp(path);
  if (!text.is_ok()) return fail("validate", text.status().to_string());
  auto g = genesis::load(*text, contracts::Registry::standard());
  if (!g.is_ok()) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), g.status().message().c_str());
    return 1;
  }
  std::printf("ok %s\n", to_hex(g->hash()).c_str());
  return 0;
}

int genesis_hash(const std::string& path) {
  auto text = slurp(path);
  if (!text.is_ok()) return fail("hash", text.status().to_string());
  auto g = genesis::load(*text, contracts::Registry::with_test_module());
  if (!g.is_ok()) return fail("hash", g.status().message());
  std::printf("%s\n", to_hex(g->hash()).c_str());
  return 0;
}

}  // namespace ipl::cli
