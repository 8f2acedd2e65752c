// Store: the ordered key-value store under every ledger structure
// (STYLE.md "ledger/"). Two implementations: LevelDbStore (ledger/
// leveldb_store.h, the only file that sees LevelDB) and MemStore (tests,
// benchmarks of in-memory batches).
//
// Key layout: every structure owns a one-byte prefix, listed here so no two
// collide (docs/protocol.md "Storage layout"):
//   'b' block by height        'B' height by block id
//   'c' execution certificate  't' transaction and its receipt by id
//   'h' history tree node      'n' state tree node    'R' state root by height
//   'v' every state value by key hash, height and write order
//   'x' raw key by key hash    'S' stale state-tree nodes (pruning)
//   'm' metadata (height, storage format)
// Storage format 2 (kStorageFormat): format 1 also had 'r' receipts and
// 'w' record versions, now held by 't' and 'v' (one LevelDB entry fewer
// per transaction and two fewer per state write: entries, not bytes, are
// what a block commit pays for in LevelDB's memtable).
// Writes go through WriteBatch: a batch is applied atomically, and with
// sync=true it is durable when write() returns.
// Thread-safety: get/scan may run concurrently with one writer.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace ipl::ledger {

namespace prefix {
inline constexpr uint8_t kBlock = 'b';
inline constexpr uint8_t kBlockId = 'B';
inline constexpr uint8_t kCertificate = 'c';
inline constexpr uint8_t kTx = 't';
inline constexpr uint8_t kHistoryNode = 'h';
inline constexpr uint8_t kStateNode = 'n';
inline constexpr uint8_t kStateRoot = 'R';
inline constexpr uint8_t kStateValue = 'v';
inline constexpr uint8_t kRecordIndex = 'x';
inline constexpr uint8_t kStale = 'S';
inline constexpr uint8_t kMeta = 'm';
}  // namespace prefix

// The layout above; a ledger with another format is refused at open.
inline constexpr uint64_t kStorageFormat = 2;

class WriteBatch {
 public:
  struct Op {
    Bytes key;
    std::optional<Bytes> value;  // nullopt = delete
  };
  void put(Bytes key, Bytes value) {
    bytes_ += key.size() + value.size();
    ops_.push_back(Op{std::move(key), std::move(value)});
  }
  void del(Bytes key) {
    bytes_ += key.size();
    ops_.push_back(Op{std::move(key), std::nullopt});
  }
  const std::vector<Op>& ops() const { return ops_; }
  size_t size_bytes() const { return bytes_; }
  bool empty() const { return ops_.empty(); }
  void clear() {
    ops_.clear();
    bytes_ = 0;
  }

 private:
  std::vector<Op> ops_;
  size_t bytes_ = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // nullopt when absent; a non-ok Result is an I/O or corruption error.
  virtual Result<std::optional<Bytes>> get(ByteView key) const = 0;
  // Applies every op of the batch or none.
  virtual Status write(const WriteBatch& batch, bool sync) = 0;
  // Calls fn(key, value) for keys in [start, end) in ascending order until
  // fn returns false.
  virtual Status scan(ByteView start, ByteView end,
                      const std::function<bool(ByteView key, ByteView value)>& fn) const = 0;
  // For each half-open range [start, end), in the given order, calls
  // fn(i, key, value) with the first entry of range i, if any. Ranges must
  // be sorted by start; one iterator serves them all, which is several
  // times cheaper than one scan() per range on LevelDB.
  struct Range {
    Bytes start;
    Bytes end;
  };
  virtual Status first_in_ranges(std::span<const Range> ranges,
                                 const std::function<void(size_t i, ByteView key, ByteView value)>& fn) const = 0;
};

// In-memory store for tests and in-memory benchmarks.
class MemStore final : public Store {
 public:
  Result<std::optional<Bytes>> get(ByteView key) const override;
  Status write(const WriteBatch& batch, bool sync) override;
  Status scan(ByteView start, ByteView end,
              const std::function<bool(ByteView key, ByteView value)>& fn) const override;
  Status first_in_ranges(std::span<const Range> ranges,
                         const std::function<void(size_t i, ByteView key, ByteView value)>& fn) const override;
  size_t key_count() const;

 private:
  mutable std::shared_mutex mu_;
  std::map<Bytes, Bytes, std::less<>> map_;
};

struct LevelDbOptions {
  size_t block_cache_bytes = 64u << 20;
  size_t write_buffer_bytes = 32u << 20;
  int bloom_bits_per_key = 10;
  bool create_if_missing = true;
};

// Opens (creating if allowed) a LevelDB store at `path`.
Result<std::unique_ptr<Store>> open_leveldb(const std::string& path, const LevelDbOptions& opts = {});

}  // namespace ipl::ledger
