// `ipledger node --config FILE` (docs/config.md, docs/node.md): runs a
// validator or observer until SIGINT or SIGTERM. Logs go to stderr through
// spdlog at the configured level; one info line per committed block.
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <thread>

#include "node/cli.h"
#include "node/config.h"
#include "node/node.h"

namespace ipl::cli {

int run_node(const std::string& config_path) {
  auto cfg = node::load_config(config_path);
  if (!cfg.is_ok()) {
    std::fprintf(stderr, "ipledger node: %s\n", cfg.status().to_string().c_str());
    return 2;
  }
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(cfg->log_level));
  // Signals are taken by one thread with sigwait; every other thread
  // (started after this mask) never sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto n = node::Node::start(*cfg);
  if (!n.is_ok()) {
    spdlog::critical("node: cannot start: {}", n.status().to_string());
    return 2;
  }
  node::Node& running = **n;
  std::thread watcher([&running, set] {
    int sig = 0;
    sigwait(&set, &sig);
    spdlog::info("node: signal {} received, stopping", sig);
    running.stop();
  });
  const Status s = running.wait();
  running.stop();
  // Unblock the watcher if the node stopped on its own.
  pthread_kill(watcher.native_handle(), SIGTERM);
  watcher.join();
  if (!s.is_ok()) {
    spdlog::critical("node: stopped on error: {}", s.to_string());
    return 1;
  }
  return 0;
}

}  // namespace ipl::cli
