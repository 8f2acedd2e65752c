#include "node/consensus_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/encoding.h"
#include "common/hash.h"
#include "common/file.h"

namespace ipl::node {

namespace {

// One-byte prefixes; no key is a prefix of another family.
constexpr std::string_view kRoot = "R";
constexpr std::string_view kEpoch = "E";
constexpr std::string_view kBoundary = "B";
constexpr std::string_view kCommitted = "c";
constexpr std::string_view kVoted = "v";
constexpr std::string_view kEpochProof = "p";
constexpr std::string_view kEvidence = "e";

Bytes key_of(std::string_view prefix) { return Bytes(prefix.begin(), prefix.end()); }
Bytes key_of(std::string_view prefix, uint64_t n) {
  Encoder e(prefix.size() + 8);
  e.raw(as_view(prefix)).u64(n);
  return e.take();
}
Bytes key_of(std::string_view prefix, const Hash32& id) {
  Encoder e(prefix.size() + 32);
  e.raw(as_view(prefix)).hash(id);
  return e.take();
}
Bytes prefix_end(std::string_view prefix) {
  Bytes k = key_of(prefix);
  k.back() = static_cast<uint8_t>(k.back() + 1);
  return k;
}

Bytes encode_root(const Block& b, const QuorumCert& qc) {
  // u64 qc length ‖ qc ‖ block (the block may exceed a field bound).
  const Bytes qcb = qc.encode();
  const Bytes bb = b.encode();
  return Encoder(8 + qcb.size() + bb.size()).u64(qcb.size()).raw(qcb).raw(bb).take();
}

Result<std::pair<Block, QuorumCert>> decode_root(ByteView v) {
  Decoder d(v);
  uint64_t qlen = 0;
  IPL_RETURN_IF_ERROR(d.u64(qlen));
  if (qlen > v.size() - 8) return Status::corruption("consensus root record: bad length");
  IPL_ASSIGN_OR_RETURN(QuorumCert qc, QuorumCert::decode(v.subspan(8, qlen)));
  IPL_ASSIGN_OR_RETURN(Block b, Block::decode(v.subspan(8 + qlen)));
  return std::make_pair(std::move(b), std::move(qc));
}

Bytes encode_epoch(const EpochState& e) {
  Encoder enc(64);
  enc.u64(e.number.value());
  e.validators.encode_to(enc);
  return enc.take();
}

Result<EpochState> decode_epoch(ByteView v) {
  Decoder d(v);
  uint64_t n = 0;
  EpochState e;
  IPL_RETURN_IF_ERROR(d.u64(n));
  IPL_RETURN_IF_ERROR(ValidatorSet::decode_from(d, e.validators));
  IPL_RETURN_IF_ERROR(d.finish());
  e.number = Epoch(n);
  return e;
}

}  // namespace

ConsensusStore::ConsensusStore(std::unique_ptr<ledger::Store> db, std::string safety_path)
    : db_(std::move(db)), safety_path_(std::move(safety_path)) {}

Result<std::unique_ptr<ConsensusStore>> ConsensusStore::open(const std::string& data_dir) {
  IPL_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Store> db, ledger::open_leveldb(data_dir + "/consensus"));
  std::unique_ptr<ConsensusStore> s(new ConsensusStore(std::move(db), data_dir + "/safety"));
  IPL_RETURN_IF_ERROR(s->load());
  return s;
}

Status ConsensusStore::load() {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> root, db_->get(key_of(kRoot)));
  if (root) {
    IPL_ASSIGN_OR_RETURN(auto r, decode_root(*root));
    root_ = std::move(r);
  }
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> epoch, db_->get(key_of(kEpoch)));
  if (epoch) {
    IPL_ASSIGN_OR_RETURN(EpochState e, decode_epoch(*epoch));
    epoch_ = std::move(e);
  }
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> boundary, db_->get(key_of(kBoundary)));
  if (boundary) {
    Decoder d(*boundary);
    uint64_t h = 0;
    IPL_RETURN_IF_ERROR(d.u64(h));
    boundary_ = Height(h);
  }
  IPL_RETURN_IF_ERROR(db_->scan(key_of(kEvidence), prefix_end(kEvidence), [this](ByteView, ByteView) {
    ++evidence_seq_;
    return true;
  }));
  IPL_ASSIGN_OR_RETURN(std::vector<Block> voted, load_voted());
  for (const Block& b : voted) voted_[b.header.id()] = {b.header.epoch.value(), b.header.round.value()};
  return Status::ok();
}

namespace {

// Slot = u64 seq ‖ u32 length ‖ payload ‖ SHA-256(seq ‖ length ‖ payload),
// zero-padded to kSafetySlotBytes.
constexpr size_t kSlotHeaderBytes = 12;
constexpr size_t kHashBytes = std::tuple_size_v<Hash32>;

Result<SafetyFile> decode_safety_payload(ByteView v) {
  Decoder d(v);
  Bytes safety, qc, tc;
  bool has_tc = false;
  IPL_RETURN_IF_ERROR(d.bytes(safety));
  IPL_RETURN_IF_ERROR(d.bytes(qc));
  IPL_RETURN_IF_ERROR(d.boolean(has_tc));
  if (has_tc) IPL_RETURN_IF_ERROR(d.bytes(tc));
  IPL_RETURN_IF_ERROR(d.finish());
  SafetyFile out;
  IPL_ASSIGN_OR_RETURN(out.data, consensus::SafetyData::decode(safety));
  IPL_ASSIGN_OR_RETURN(out.high_qc, QuorumCert::decode(qc));
  if (has_tc) {
    IPL_ASSIGN_OR_RETURN(TimeoutCert t, TimeoutCert::decode(tc));
    out.high_tc = std::move(t);
  }
  return out;
}

// The slot's sequence number and payload when its checksum holds.
std::optional<std::pair<uint64_t, ByteView>> read_slot(ByteView slot) {
  if (slot.size() < kSlotHeaderBytes + kHashBytes) return std::nullopt;
  Decoder d(slot.subspan(0, kSlotHeaderBytes));
  uint64_t seq = 0;
  uint32_t len = 0;
  if (!d.u64(seq).is_ok() || !d.u32(len).is_ok()) return std::nullopt;
  if (seq == 0 || len > slot.size() - kSlotHeaderBytes - kHashBytes) return std::nullopt;
  const ByteView body = slot.subspan(0, kSlotHeaderBytes + len);
  const Hash32 sum = sha256(body);
  if (!std::equal(sum.begin(), sum.end(), slot.begin() + static_cast<std::ptrdiff_t>(kSlotHeaderBytes + len))) {
    return std::nullopt;
  }
  return std::make_pair(seq, slot.subspan(kSlotHeaderBytes, len));
}

}  // namespace

Result<std::optional<SafetyFile>> ConsensusStore::load_safety() {
  std::error_code ec;
  if (!std::filesystem::exists(safety_path_, ec)) return std::optional<SafetyFile>();
  IPL_ASSIGN_OR_RETURN(const std::string raw, read_file(safety_path_, 2 * kSafetySlotBytes));
  const ByteView v = as_view(raw);
  std::optional<std::pair<uint64_t, ByteView>> best;
  for (size_t slot = 0; slot < 2; ++slot) {
    if (v.size() < (slot + 1) * kSafetySlotBytes) break;
    auto r = read_slot(v.subspan(slot * kSafetySlotBytes, kSafetySlotBytes));
    if (r && (!best || r->first > best->first)) best = r;
  }
  if (!best) return Status::corruption(safety_path_ + ": no slot with a valid checksum (damaged safety file)");
  IPL_ASSIGN_OR_RETURN(SafetyFile out, decode_safety_payload(best->second));
  safety_seq_ = best->first;
  return std::optional<SafetyFile>(std::move(out));
}

// Writes the slot the previous save did not use, then fdatasync: one flush
// per vote. A crash mid-write leaves that slot's checksum broken and the
// other slot (the previous state, whose vote never left) is read instead.
Status ConsensusStore::save_safety(const SafetyFile& s) {
  Encoder e(512);
  e.bytes(s.data.encode()).bytes(s.high_qc.encode()).boolean(s.high_tc.has_value());
  if (s.high_tc) e.bytes(s.high_tc->encode());
  const Bytes payload = e.take();
  if (payload.size() + kSlotHeaderBytes + kHashBytes > kSafetySlotBytes) {
    return Status::limit("safety data larger than a safety-file slot");
  }
  if (safety_fd_ < 0) {
    const bool existed = std::filesystem::exists(safety_path_);
    safety_fd_ = ::open(safety_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (safety_fd_ < 0) return Status::io_error("open " + safety_path_ + ": " + std::strerror(errno));
    if (!existed) {
      if (::ftruncate(safety_fd_, static_cast<off_t>(2 * kSafetySlotBytes)) != 0) {
        return Status::io_error("ftruncate " + safety_path_ + ": " + std::strerror(errno));
      }
      if (::fsync(safety_fd_) != 0) return Status::io_error("fsync " + safety_path_ + ": " + std::strerror(errno));
      const std::string dir = std::filesystem::path(safety_path_).parent_path().string();
      const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
      }
    }
  }
  const uint64_t seq = safety_seq_ + 1;
  Encoder slot(kSafetySlotBytes);
  slot.u64(seq).u32(static_cast<uint32_t>(payload.size())).raw(payload);
  const Hash32 sum = sha256(slot.out());
  slot.hash(sum);
  Bytes bytes = slot.take();
  bytes.resize(kSafetySlotBytes, 0);
  const off_t off = static_cast<off_t>((seq % 2) * kSafetySlotBytes);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::pwrite(safety_fd_, bytes.data() + done, bytes.size() - done, off + static_cast<off_t>(done));
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::io_error("write " + safety_path_ + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(w);
  }
  if (::fdatasync(safety_fd_) != 0) return Status::io_error("fdatasync " + safety_path_ + ": " + std::strerror(errno));
  safety_seq_ = seq;
  return Status::ok();
}

ConsensusStore::~ConsensusStore() {
  if (safety_fd_ >= 0) ::close(safety_fd_);
}

Status ConsensusStore::save_voted(const Block& b) {
  ledger::WriteBatch batch;
  batch.put(key_of(kVoted, b.header.id()), b.encode());
  // Not synced (one flush less per vote): what safety needs is the safety
  // file, flushed right after. A process crash keeps this record (it is in
  // the page cache); a power loss may drop it, and the restarted node then
  // fetches the block again if a certificate names it (no block of a vote
  // is needed otherwise). The next commit's synced batch makes it durable.
  IPL_RETURN_IF_ERROR(db_->write(batch, false));
  voted_[b.header.id()] = {b.header.epoch.value(), b.header.round.value()};
  return Status::ok();
}

Result<std::vector<Block>> ConsensusStore::load_voted() const {
  std::vector<Block> out;
  Status inner = Status::ok();
  IPL_RETURN_IF_ERROR(db_->scan(key_of(kVoted), prefix_end(kVoted), [&](ByteView, ByteView v) {
    auto b = Block::decode(v);
    if (!b.is_ok()) {
      inner = Status::corruption("voted block: " + b.status().to_string());
      return false;
    }
    out.push_back(std::move(*b));
    return true;
  }));
  IPL_RETURN_IF_ERROR(inner);
  return out;
}

Status ConsensusStore::record_commit(const std::vector<Block>& blocks, const Block& root, const QuorumCert& root_qc) {
  ledger::WriteBatch batch;
  for (const Block& b : blocks) batch.put(key_of(kCommitted, b.header.height.value()), b.encode());
  batch.put(key_of(kRoot), encode_root(root, root_qc));
  const std::pair<uint64_t, uint64_t> root_at{root.header.epoch.value(), root.header.round.value()};
  std::vector<Hash32> stale;
  for (const auto& [id, at] : voted_) {
    if (at <= root_at) stale.push_back(id);
  }
  for (const Hash32& id : stale) batch.del(key_of(kVoted, id));
  IPL_RETURN_IF_ERROR(db_->write(batch, true));
  for (const Hash32& id : stale) voted_.erase(id);
  root_ = std::make_pair(root, root_qc);
  return Status::ok();
}

Result<std::vector<Block>> ConsensusStore::committed_above(uint64_t executed_height) const {
  std::vector<Block> out;
  Status inner = Status::ok();
  IPL_RETURN_IF_ERROR(db_->scan(key_of(kCommitted, executed_height + 1), prefix_end(kCommitted), [&](ByteView, ByteView v) {
    auto b = Block::decode(v);
    if (!b.is_ok()) {
      inner = Status::corruption("commit log: " + b.status().to_string());
      return false;
    }
    out.push_back(std::move(*b));
    return true;
  }));
  IPL_RETURN_IF_ERROR(inner);
  return out;
}

Status ConsensusStore::forget_committed(uint64_t height) {
  ledger::WriteBatch batch;
  batch.del(key_of(kCommitted, height));
  // Not synced: losing the delete only makes a restart skip the block again.
  return db_->write(batch, false);
}

Status ConsensusStore::save_epoch(const EpochState& e, std::optional<Height> boundary) {
  ledger::WriteBatch batch;
  batch.put(key_of(kEpoch), encode_epoch(e));
  if (boundary) {
    batch.put(key_of(kBoundary), Encoder(8).u64(boundary->value()).take());
  } else {
    batch.del(key_of(kBoundary));
  }
  IPL_RETURN_IF_ERROR(db_->write(batch, true));
  epoch_ = e;
  boundary_ = boundary;
  return Status::ok();
}

Status ConsensusStore::change_epoch(const EpochState& next, const Block& root, const QuorumCert& root_qc,
                                    const ExecutionCertificate& proof) {
  ledger::WriteBatch batch;
  batch.put(key_of(kEpoch), encode_epoch(next));
  batch.del(key_of(kBoundary));
  batch.put(key_of(kRoot), encode_root(root, root_qc));
  batch.put(key_of(kEpochProof, proof.ledger_info.epoch.value()), proof.encode());
  for (const auto& [id, at] : voted_) batch.del(key_of(kVoted, id));
  IPL_RETURN_IF_ERROR(db_->write(batch, true));
  voted_.clear();
  epoch_ = next;
  boundary_.reset();
  root_ = std::make_pair(root, root_qc);
  return Status::ok();
}

Result<std::vector<ExecutionCertificate>> ConsensusStore::epoch_proofs() const {
  std::vector<ExecutionCertificate> out;
  Status inner = Status::ok();
  IPL_RETURN_IF_ERROR(db_->scan(key_of(kEpochProof), prefix_end(kEpochProof), [&](ByteView, ByteView v) {
    auto c = ExecutionCertificate::decode(v);
    if (!c.is_ok()) {
      inner = Status::corruption("epoch proof: " + c.status().to_string());
      return false;
    }
    out.push_back(std::move(*c));
    return true;
  }));
  IPL_RETURN_IF_ERROR(inner);
  return out;
}

Status ConsensusStore::save_evidence(const consensus::Evidence& ev) {
  Encoder e(256);
  e.u8(static_cast<uint8_t>(ev.kind)).u64(ev.epoch.value()).u32(ev.validator.value()).u64(ev.slot);
  e.bytes(ev.first).bytes(ev.second);
  ledger::WriteBatch batch;
  batch.put(key_of(kEvidence, evidence_seq_), e.take());
  IPL_RETURN_IF_ERROR(db_->write(batch, true));
  ++evidence_seq_;
  return Status::ok();
}

}  // namespace ipl::node
