#include <algorithm>

#include "ledger/store.h"

namespace ipl::ledger {

Result<std::optional<Bytes>> MemStore::get(ByteView key) const {
  std::shared_lock lock(mu_);
  auto it = map_.find(Bytes(key.begin(), key.end()));
  if (it == map_.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}

Status MemStore::write(const WriteBatch& batch, bool /*sync*/) {
  std::unique_lock lock(mu_);
  for (const WriteBatch::Op& op : batch.ops()) {
    if (op.value) {
      map_[op.key] = *op.value;
    } else {
      map_.erase(op.key);
    }
  }
  return Status::ok();
}

Status MemStore::scan(ByteView start, ByteView end,
                      const std::function<bool(ByteView, ByteView)>& fn) const {
  std::shared_lock lock(mu_);
  const Bytes s(start.begin(), start.end()), e(end.begin(), end.end());
  for (auto it = map_.lower_bound(s); it != map_.end() && it->first < e; ++it) {
    if (!fn(it->first, it->second)) break;
  }
  return Status::ok();
}

Status MemStore::first_in_ranges(std::span<const Range> ranges,
                                 const std::function<void(size_t, ByteView, ByteView)>& fn) const {
  std::shared_lock lock(mu_);
  for (size_t i = 0; i < ranges.size(); ++i) {
    IPL_ASSERT(i == 0 || !(ranges[i].start < ranges[i - 1].start));
    auto it = map_.lower_bound(ranges[i].start);
    if (it != map_.end() && it->first < ranges[i].end) fn(i, it->first, it->second);
  }
  return Status::ok();
}

size_t MemStore::key_count() const {
  std::shared_lock lock(mu_);
  return map_.size();
}

}  // namespace ipl::ledger
