// Signing and verification behind interfaces (STYLE.md "Consensus core":
// crypto via Signer/Verifier), and the certificate checks of
// docs/protocol.md §12.3 written against them. Two implementations:
// Ed25519 (common/crypto.h), used by the node and one simulator suite, and
// a fast deterministic fake for the simulator that still rejects forgeries:
// a fake signature is SHA-256 over a secret only the key's Signer and the
// shared FakeKeyRing know, so neither random bytes nor a signature made
// with another key verify.
// Invariants: every check here mirrors the structural checks of
// common/chain.cc (the same bitmaps, counts and quorum) so the two agree
// on which certificates are valid (C1, C2 of docs/protocol.md §12.6).
// Thread-safety: Ed25519 classes are immutable; FakeKeyRing is not
// thread-safe (the simulator is single-threaded).
#pragma once

#include <map>
#include <memory>
#include <string_view>

#include "common/chain.h"
#include "common/crypto.h"

namespace ipl::consensus {

class Signer {
 public:
  virtual ~Signer() = default;
  virtual const PublicKey& public_key() const = 0;
  virtual Signature sign(SigContext ctx, ByteView msg) const = 0;
};

class Verifier {
 public:
  virtual ~Verifier() = default;
  virtual bool verify(SigContext ctx, const PublicKey& pk, ByteView msg, const Signature& sig) const = 0;
};

class Ed25519Signer final : public Signer {
 public:
  explicit Ed25519Signer(KeyPair kp) : kp_(std::move(kp)) {}
  const PublicKey& public_key() const override { return kp_.public_key; }
  Signature sign(SigContext ctx, ByteView msg) const override;

 private:
  KeyPair kp_;
};

class Ed25519Verifier final : public Verifier {
 public:
  bool verify(SigContext ctx, const PublicKey& pk, ByteView msg, const Signature& sig) const override;
};

// The fake scheme's key registry: public key -> secret. A key's public
// half is derived from its secret, the secret never leaves the ring and
// its Signer.
class FakeKeyRing final : public Verifier {
 public:
  // Creates (or returns) the key named `label`.
  PublicKey add(std::string_view label);
  // Requires pk to have been returned by add().
  std::unique_ptr<Signer> signer(const PublicKey& pk) const;
  bool verify(SigContext ctx, const PublicKey& pk, ByteView msg, const Signature& sig) const override;

 private:
  std::map<PublicKey, Hash32> secrets_;
};

// Certificate checks (docs/protocol.md §12.3). Each returns ok only for a
// value a quorum (or the named validator) really signed in `vs`'s epoch.
Status verify_signers(const Verifier& v, const ValidatorSet& vs, const SignerSet& s, SigContext ctx, ByteView msg);
Status verify_vote(const Verifier& v, const ValidatorSet& vs, const Vote& vote);
// Requires !qc.is_genesis() (the genesis QC is checked against the epoch root).
Status verify_qc(const Verifier& v, const ValidatorSet& vs, const QuorumCert& qc);
Status verify_tc(const Verifier& v, const ValidatorSet& vs, const TimeoutCert& tc);
// The timeout's own signature and structure; its high QC separately.
Status verify_timeout_signature(const Verifier& v, const ValidatorSet& vs, const TimeoutMsg& t);
Status verify_exec_cert(const Verifier& v, const ValidatorSet& vs, const ExecutionCertificate& c);

}  // namespace ipl::consensus
