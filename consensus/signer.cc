#include "consensus/signer.h"

#include <string>

#include "common/hash.h"
#include "common/limits.h"

namespace ipl::consensus {

namespace {

Hash32 fake_mac(const Hash32& secret, SigContext ctx, ByteView msg) {
  Sha256 h;
  h.update(as_view("IPL/fake-sig/v1")).update(secret).update(static_cast<uint8_t>(ctx)).update(msg);
  return h.finish();
}

class FakeSigner final : public Signer {
 public:
  FakeSigner(PublicKey pk, Hash32 secret) : pk_(pk), secret_(secret) {}
  const PublicKey& public_key() const override { return pk_; }
  Signature sign(SigContext ctx, ByteView msg) const override {
    Signature s;
    const Hash32 mac = fake_mac(secret_, ctx, msg);
    std::copy(mac.begin(), mac.end(), s.bytes.begin());
    return s;
  }

 private:
  PublicKey pk_;
  Hash32 secret_;
};

// Bitmap shape and count checks shared by QCs, TCs and execution
// certificates (docs/protocol.md §5).
Status check_bitmap(const ValidatorSet& vs, const Bytes& bitmap, size_t signature_count) {
  const size_t n = vs.size();
  if (bitmap.size() != (n + 7) / 8) return Status::invalid("signer bitmap has the wrong length");
  if (n % 8 != 0 && !bitmap.empty() && (bitmap.back() >> (n % 8)) != 0) {
    return Status::invalid("signer bitmap names a validator beyond the set");
  }
  const SignerSet probe{bitmap, {}};
  if (signature_count != probe.count()) return Status::invalid("signature count does not match the bitmap");
  if (probe.count() < vs.quorum()) return Status::invalid("fewer signers than a quorum");
  return Status::ok();
}

}  // namespace

Signature Ed25519Signer::sign(SigContext ctx, ByteView msg) const { return ipl::sign(ctx, kp_.secret_key, msg); }

bool Ed25519Verifier::verify(SigContext ctx, const PublicKey& pk, ByteView msg, const Signature& sig) const {
  return ipl::verify(ctx, pk, msg, sig);
}

PublicKey FakeKeyRing::add(std::string_view label) {
  const Hash32 secret = sha256({as_view("IPL/fake-secret/v1"), as_view(label)});
  PublicKey pk;
  const Hash32 pub = sha256({as_view("IPL/fake-public/v1"), ByteView(secret)});
  std::copy(pub.begin(), pub.end(), pk.bytes.begin());
  secrets_[pk] = secret;
  IPL_ASSERT(secrets_.count(pk) == 1);
  return pk;
}

std::unique_ptr<Signer> FakeKeyRing::signer(const PublicKey& pk) const {
  auto it = secrets_.find(pk);
  IPL_ASSERT(it != secrets_.end());
  return std::make_unique<FakeSigner>(pk, it->second);
}

bool FakeKeyRing::verify(SigContext ctx, const PublicKey& pk, ByteView msg, const Signature& sig) const {
  auto it = secrets_.find(pk);
  if (it == secrets_.end()) return false;
  const Hash32 mac = fake_mac(it->second, ctx, msg);
  for (size_t i = 0; i < 64; ++i) {
    const uint8_t want = i < 32 ? mac[i] : 0;
    if (sig.bytes[i] != want) return false;
  }
  return true;
}

Status verify_signers(const Verifier& v, const ValidatorSet& vs, const SignerSet& s, SigContext ctx, ByteView msg) {
  IPL_ASSERT(vs.size() > 0);
  IPL_ASSERT(vs.size() <= limits::validators_max);
  IPL_RETURN_IF_ERROR(check_bitmap(vs, s.bitmap, s.signatures.size()));
  size_t k = 0;
  for (uint32_t i = 0; i < vs.size(); ++i) {
    if (!s.has(ValidatorIndex(i))) continue;
    if (!v.verify(ctx, vs.consensus_keys[i], msg, s.signatures[k])) {
      return Status::bad_signature("signature of validator " + std::to_string(i) + " does not verify");
    }
    ++k;
  }
  return Status::ok();
}

Status verify_vote(const Verifier& v, const ValidatorSet& vs, const Vote& vote) {
  IPL_ASSERT(vs.size() > 0);
  if (vote.data.epoch != vs.epoch) return Status::invalid("vote for another epoch");
  if (vote.voter.value() >= vs.size()) return Status::invalid("voter index out of range");
  if (!v.verify(SigContext::kVote, vs.consensus_keys[vote.voter.value()], vote.data.encode(), vote.signature)) {
    return Status::bad_signature("vote signature does not verify");
  }
  return Status::ok();
}

Status verify_qc(const Verifier& v, const ValidatorSet& vs, const QuorumCert& qc) {
  IPL_ASSERT(vs.size() > 0);
  if (qc.data.epoch != vs.epoch) return Status::invalid("quorum certificate for another epoch");
  if (qc.is_genesis()) return Status::invalid("genesis certificate outside the epoch root");
  return verify_signers(v, vs, qc.signers, SigContext::kVote, qc.data.encode());
}

Status verify_tc(const Verifier& v, const ValidatorSet& vs, const TimeoutCert& tc) {
  IPL_ASSERT(vs.size() > 0);
  if (tc.epoch != vs.epoch) return Status::invalid("timeout certificate for another epoch");
  if (tc.high_qc_rounds.size() != tc.signatures.size()) return Status::invalid("round and signature counts differ");
  IPL_RETURN_IF_ERROR(check_bitmap(vs, tc.bitmap, tc.signatures.size()));
  const SignerSet probe{tc.bitmap, {}};
  size_t k = 0;
  for (uint32_t i = 0; i < vs.size(); ++i) {
    if (!probe.has(ValidatorIndex(i))) continue;
    if (tc.high_qc_rounds[k] >= tc.round) return Status::invalid("high QC round not below the timeout round");
    const TimeoutData td{tc.chain_id, tc.epoch, tc.round, tc.high_qc_rounds[k]};
    if (!v.verify(SigContext::kTimeout, vs.consensus_keys[i], td.encode(), tc.signatures[k])) {
      return Status::bad_signature("timeout signature of validator " + std::to_string(i) + " does not verify");
    }
    ++k;
  }
  return Status::ok();
}

Status verify_timeout_signature(const Verifier& v, const ValidatorSet& vs, const TimeoutMsg& t) {
  IPL_ASSERT(vs.size() > 0);
  if (t.data.epoch != vs.epoch) return Status::invalid("timeout for another epoch");
  if (t.voter.value() >= vs.size()) return Status::invalid("voter index out of range");
  if (t.high_qc.data.round != t.data.high_qc_round) return Status::invalid("high QC does not match its round");
  if (t.high_qc.data.epoch != t.data.epoch) return Status::invalid("high QC of another epoch");
  if (t.data.high_qc_round >= t.data.round) return Status::invalid("high QC round not below the timeout round");
  if (!v.verify(SigContext::kTimeout, vs.consensus_keys[t.voter.value()], t.data.encode(), t.signature)) {
    return Status::bad_signature("timeout signature does not verify");
  }
  return Status::ok();
}

Status verify_exec_cert(const Verifier& v, const ValidatorSet& vs, const ExecutionCertificate& c) {
  IPL_ASSERT(vs.size() > 0);
  if (c.ledger_info.epoch != vs.epoch) return Status::invalid("execution certificate for another epoch");
  return verify_signers(v, vs, c.signers, SigContext::kLedgerInfo, c.ledger_info.encode());
}

}  // namespace ipl::consensus
