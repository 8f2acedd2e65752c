// The LevelDB adapter: the only translation unit that includes LevelDB.
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>

#include "ledger/store.h"

namespace ipl::ledger {

namespace {

leveldb::Slice slice(ByteView v) { return leveldb::Slice(reinterpret_cast<const char*>(v.data()), v.size()); }
ByteView view(const leveldb::Slice& s) { return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

Status convert(const leveldb::Status& s) {
  if (s.ok()) return Status::ok();
  if (s.IsCorruption()) return Status::corruption(s.ToString());
  if (s.IsNotFound()) return Status::not_found(s.ToString());
  return Status::io_error(s.ToString());
}

class LevelDbStore final : public Store {
 public:
  LevelDbStore(leveldb::DB* db, leveldb::Cache* cache, const leveldb::FilterPolicy* filter)
      : db_(db), cache_(cache), filter_(filter) {}
  ~LevelDbStore() override {
    delete db_;  // before the cache and filter it uses
    delete cache_;
    delete filter_;
  }

  Result<std::optional<Bytes>> get(ByteView key) const override {
    std::string value;
    leveldb::ReadOptions ro;
    ro.verify_checksums = true;
    const leveldb::Status s = db_->Get(ro, slice(key), &value);
    if (s.IsNotFound()) return std::optional<Bytes>();
    if (!s.ok()) return convert(s);
    return std::optional<Bytes>(Bytes(value.begin(), value.end()));
  }

  Status write(const WriteBatch& batch, bool sync) override {
    leveldb::WriteBatch wb;
    for (const WriteBatch::Op& op : batch.ops()) {
      if (op.value) {
        wb.Put(slice(op.key), slice(*op.value));
      } else {
        wb.Delete(slice(op.key));
      }
    }
    leveldb::WriteOptions wo;
    wo.sync = sync;
    return convert(db_->Write(wo, &wb));
  }

  Status scan(ByteView start, ByteView end, const std::function<bool(ByteView, ByteView)>& fn) const override {
    leveldb::ReadOptions ro;
    ro.verify_checksums = true;
    ro.fill_cache = false;
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(ro));
    const leveldb::Slice end_slice = slice(end);
    for (it->Seek(slice(start)); it->Valid() && it->key().compare(end_slice) < 0; it->Next()) {
      if (!fn(view(it->key()), view(it->value()))) break;
    }
    return convert(it->status());
  }

  Status first_in_ranges(std::span<const Range> ranges,
                         const std::function<void(size_t, ByteView, ByteView)>& fn) const override {
    leveldb::ReadOptions ro;
    ro.verify_checksums = true;
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(ro));
    for (size_t i = 0; i < ranges.size(); ++i) {
      IPL_ASSERT(i == 0 || !(ranges[i].start < ranges[i - 1].start));
      it->Seek(slice(ranges[i].start));
      if (it->Valid() && it->key().compare(slice(ranges[i].end)) < 0) fn(i, view(it->key()), view(it->value()));
      if (!it->status().ok()) return convert(it->status());
    }
    return convert(it->status());
  }

 private:
  leveldb::DB* db_;
  leveldb::Cache* cache_;
  const leveldb::FilterPolicy* filter_;
};

}  // namespace

Result<std::unique_ptr<Store>> open_leveldb(const std::string& path, const LevelDbOptions& opts) {
  leveldb::Options o;
  o.create_if_missing = opts.create_if_missing;
  o.paranoid_checks = true;
  o.write_buffer_size = opts.write_buffer_bytes;
  o.block_cache = leveldb::NewLRUCache(opts.block_cache_bytes);
  o.filter_policy = leveldb::NewBloomFilterPolicy(opts.bloom_bits_per_key);
  // Our keys and values are mostly SHA-256 outputs and signatures, which do
  // not compress: Snappy only costs CPU in compactions.
  o.compression = leveldb::kNoCompression;
  leveldb::DB* db = nullptr;
  const leveldb::Status s = leveldb::DB::Open(o, path, &db);
  if (!s.ok()) {
    delete o.block_cache;
    delete o.filter_policy;
    return convert(s);
  }
  return std::unique_ptr<Store>(new LevelDbStore(db, o.block_cache, o.filter_policy));
}

}  // namespace ipl::ledger
