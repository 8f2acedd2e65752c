// Goal: the node config loads the documented example, reports every problem
// of a bad file at once (one line per problem, naming the key), refuses
// unknown keys and any limit raised above its hard maximum. Method: parse
// docs/examples/node.toml from the source tree and inline TOML texts.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "node/config.h"

#ifndef IPL_SOURCE_DIR
#define IPL_SOURCE_DIR "."
#endif

namespace ipl::node {
namespace {

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool has_line_with(const std::vector<std::string>& lines, std::string_view a, std::string_view b = "") {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.find(a) != std::string::npos && l.find(b) != std::string::npos;
  });
}

constexpr std::string_view kMinimal = R"(
[node]
mode = "observer"
data_dir = "/var/lib/ipl"
genesis = "/etc/ipl/genesis.json"
[keys]
transport = "/etc/ipl/transport.key"
[p2p]
listen = "0.0.0.0:7000"
[http]
listen = "127.0.0.1:0"
)";

TEST(NodeConfig, DocumentedExampleLoads) {
  const std::string path = std::string(IPL_SOURCE_DIR) + "/docs/examples/node.toml";
  auto cfg = load_config(path);
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  EXPECT_EQ(cfg->mode, NodeMode::kValidator);
  EXPECT_EQ(cfg->peers.size(), 3u);
  EXPECT_EQ(cfg->peers[0].address, (HostPort{"127.0.0.1", 7102}));
  EXPECT_EQ(cfg->http_listen.port, 8101);
  EXPECT_FALSE(cfg->is_tls_enabled);
  EXPECT_EQ(cfg->limits, ConfigLimits{});  // the example shows the defaults
  // Relative paths resolve against the file's directory.
  EXPECT_EQ(cfg->genesis_file, std::string(IPL_SOURCE_DIR) + "/docs/examples/genesis.json");
  EXPECT_FALSE(missing_files(*cfg).empty());
}

TEST(NodeConfig, MinimalObserverGetsDefaults) {
  auto cfg = parse_config(kMinimal, "min.toml");
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  EXPECT_EQ(cfg->mode, NodeMode::kObserver);
  EXPECT_EQ(cfg->log_level, "info");
  EXPECT_EQ(cfg->limits.tx_bytes_max, limits::tx_bytes_max);
  EXPECT_EQ(cfg->http_listen.port, 0);
  EXPECT_TRUE(cfg->consensus_key_file.empty());
}

TEST(NodeConfig, LoweringALimitWorks) {
  std::string text = std::string(kMinimal) + "[limits]\nmempool_txs_max = 5000\nstate_retained_heights = 0\n";
  auto cfg = parse_config(text, "t.toml");
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  EXPECT_EQ(cfg->limits.mempool_txs_max, 5000u);
  EXPECT_EQ(cfg->limits.state_retained_heights, 0u);
}

TEST(NodeConfig, RaisingALimitAboveHardMaxIsRefused) {
  std::string text = std::string(kMinimal) + "[limits]\ntx_bytes_max = " + std::to_string(limits::tx_bytes_max + 1) + "\n";
  auto cfg = parse_config(text, "t.toml");
  ASSERT_FALSE(cfg.is_ok());
  EXPECT_NE(cfg.status().message().find("limits.tx_bytes_max"), std::string::npos);
  EXPECT_NE(cfg.status().message().find("hard maximum"), std::string::npos);
}

TEST(NodeConfig, UnknownKeysAreErrors) {
  std::string text = std::string(kMinimal) + "[limits]\nmax_tx_size = 10\n[extra]\nx = 1\n";
  auto cfg = parse_config(text, "t.toml");
  ASSERT_FALSE(cfg.is_ok());
  auto lines = lines_of(cfg.status().message());
  EXPECT_TRUE(has_line_with(lines, "limits.max_tx_size", "unknown key"));
  EXPECT_TRUE(has_line_with(lines, "extra", "unknown key"));
}

TEST(NodeConfig, ManyMistakesAreAllReported) {
  constexpr std::string_view kBad = R"(
[node]
mode = "leader"
genesis = 42
log_level = "loud"
colour = "blue"
[keys]
api = "k"
[p2p]
listen = "localhost"
[[p2p.peers]]
address = "10.0.0.2:0"
transport_key = "nothex"
[http]
listen = "127.0.0.1:99999"
tls = true
threads = 0
[limits]
mempool_txs_max = -1
block_txs_max = "many"
http_streams_max = 0
proof_bytes_max = 999999999999
)";
  auto cfg = parse_config(kBad, "bad.toml");
  ASSERT_FALSE(cfg.is_ok());
  auto lines = lines_of(cfg.status().message());
  for (const auto& l : lines) EXPECT_EQ(l.rfind("bad.toml", 0), 0u) << l;
  EXPECT_TRUE(has_line_with(lines, "node.mode", "leader"));
  EXPECT_TRUE(has_line_with(lines, "node.data_dir", "missing"));
  EXPECT_TRUE(has_line_with(lines, "node.genesis", "string"));
  EXPECT_TRUE(has_line_with(lines, "node.log_level"));
  EXPECT_TRUE(has_line_with(lines, "node.colour", "unknown"));
  EXPECT_TRUE(has_line_with(lines, "keys.transport", "missing"));
  EXPECT_TRUE(has_line_with(lines, "p2p.listen", "host:port"));
  EXPECT_TRUE(has_line_with(lines, "p2p.peers[0].address", "out of range"));
  EXPECT_TRUE(has_line_with(lines, "p2p.peers[0].transport_key"));
  EXPECT_TRUE(has_line_with(lines, "http.listen", "out of range"));
  EXPECT_TRUE(has_line_with(lines, "http.tls", "tls_cert"));
  EXPECT_TRUE(has_line_with(lines, "http.threads"));
  EXPECT_TRUE(has_line_with(lines, "limits.mempool_txs_max", "negative"));
  EXPECT_TRUE(has_line_with(lines, "limits.block_txs_max", "integer"));
  EXPECT_TRUE(has_line_with(lines, "limits.http_streams_max", "> 0"));
  EXPECT_TRUE(has_line_with(lines, "limits.proof_bytes_max", "hard maximum"));
  EXPECT_GE(lines.size(), 16u);
  // Lines carry the TOML line number: "bad.toml:3: node.mode: ...".
  EXPECT_TRUE(has_line_with(lines, "bad.toml:3: node.mode"));
}

TEST(NodeConfig, SyntaxErrorIsReportedNotThrown) {
  auto cfg = parse_config("[node\nmode = ", "broken.toml");
  ASSERT_FALSE(cfg.is_ok());
  EXPECT_EQ(cfg.status().message().rfind("broken.toml:", 0), 0u);
}

TEST(NodeConfig, MissingFileIsAnIoError) {
  auto cfg = load_config("/nonexistent/node.toml");
  ASSERT_FALSE(cfg.is_ok());
  EXPECT_EQ(cfg.status().code(), Code::kIoError);
}

TEST(NodeConfig, ValidatorNeedsConsensusKey) {
  std::string text(kMinimal);
  text.replace(text.find("observer"), 8, "validator");
  auto cfg = parse_config(text, "v.toml");
  ASSERT_FALSE(cfg.is_ok());
  EXPECT_NE(cfg.status().message().find("keys.consensus"), std::string::npos);
}

}  // namespace
}  // namespace ipl::node
