// Throughput of the P2P transport over loopback: two Transport instances
// in this process (each with its own I/O thread), A sends a batch of
// messages to B and the iteration ends when B's callback has seen them
// all. Reports messages/s and bytes/s of plaintext, for 200-byte messages
// (transaction gossip) and 64 KiB messages (block parts). Figures:
// docs/benchmarks-net.md.
//   build/default/tests/bench_net
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "node/net/transport.h"

namespace {

using ipl::Bytes;
using ipl::KeyPair;
using ipl::PublicKey;
using ipl::net::PeerAddress;
using ipl::net::Transport;
using ipl::net::TransportCallbacks;
using ipl::net::TransportConfig;

struct Pair {
  std::atomic<uint64_t> received{0};
  std::unique_ptr<Transport> a;
  std::unique_ptr<Transport> b;
  KeyPair key_a = KeyPair::for_test("bench-net-a");
  KeyPair key_b = KeyPair::for_test("bench-net-b");
  bool ok = false;

  Pair() {
    spdlog::set_level(spdlog::level::warn);
    auto members = [this](const PublicKey& k) { return k == key_a.public_key || k == key_b.public_key; };
    TransportConfig cb_config;
    cb_config.key = key_b;
    cb_config.log_name = "bench-B";
    TransportCallbacks cb;
    cb.on_message = [this](const PublicKey&, Bytes) { received.fetch_add(1, std::memory_order_relaxed); };
    auto tb = Transport::start(cb_config, cb, members);
    if (!tb.is_ok()) return;
    b = std::move(tb).value();
    TransportConfig ca_config;
    ca_config.key = key_a;
    ca_config.log_name = "bench-A";
    ca_config.peers.push_back(PeerAddress{"127.0.0.1", b->port(), key_b.public_key});
    auto ta = Transport::start(ca_config, {}, members);
    if (!ta.is_ok()) return;
    a = std::move(ta).value();
    // Wait (bounded) for the session.
    for (int i = 0; i < 3000; ++i) {
      for (const auto& p : a->peers()) ok = ok || p.is_connected;
      if (ok) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
};

Pair& pair() {
  static Pair p;
  return p;
}

void BM_Loopback(benchmark::State& state) {
  Pair& p = pair();
  if (!p.ok) {
    state.SkipWithError("transports did not connect");
    return;
  }
  const size_t size = static_cast<size_t>(state.range(0));
  // Batches stay well inside the send-queue bounds, so nothing is dropped.
  const uint64_t batch = size <= 1024 ? 10'000 : 400;
  const Bytes message(size, 0xAB);
  for (auto _ : state) {
    const uint64_t target = p.received.load() + batch;
    for (uint64_t i = 0; i < batch; ++i) {
      if (!p.a->send(p.key_b.public_key, message).is_ok()) state.SkipWithError("send failed");
    }
    while (p.received.load(std::memory_order_relaxed) < target) std::this_thread::yield();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * batch * size));
  uint64_t dropped = 0;
  for (const auto& info : p.a->peers()) dropped += info.messages_dropped;
  state.counters["dropped"] = static_cast<double>(dropped);
}
BENCHMARK(BM_Loopback)->Arg(200)->Arg(64 << 10)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
