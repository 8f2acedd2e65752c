// Governance of the joint meeting (联席会; DOMAIN.md Part A decision 2;
// DESIGN.md "Epochs and versions"): proposals with deadlines in block time,
// votes, the passing rule, and the effect of a passed proposal:
//   param_change         a new version of a governed parameter (decision 1)
//   member_admit/remove  membership
//   key_rotation         an API key (immediate) or a consensus key (member
//                        record now; next epoch if the member validates)
//   validator_set        a new validator set as the next epoch
//   epoch_renewal        the same set as the next epoch
//   protocol_activation  a protocol version from a height on
// Passing rule: approvals of current governance members × 3 ≥ 2 × their
// count, and for a budget or fund parameter ("budget.*", "fund.*") the
// approval of the finance department (role FIN). A proposal is rejected as
// soon as passing has become impossible, and expires (gov.close) once its
// deadline has passed. Epoch changes passed by the block at height p take
// effect after boundary height max(p + L + 1, last boundary + 1), L =
// limits::execution_lag_max; the boundary's LedgerInfo carries next_epoch.
#include <algorithm>

#include "common/limits.h"
#include "contracts/codes.h"
#include "contracts/module.h"
#include "contracts/ops.h"

namespace ipl::contracts {

// ---------------------------------------------------------------------------
// Shared membership operations (ops.h)

Result<RegistryRecord> load_registry(const StateView& s) {
  IPL_ASSIGN_OR_RETURN(std::optional<RegistryRecord> r, load<RegistryRecord>(s, keys::kRegistry));
  if (!r) return Status::corruption("sys/registry missing");
  return std::move(*r);
}

Result<std::string_view> check_admit(const StateView& s, const MemberAdmit& a) {
  IPL_ASSERT(!a.api_keys.empty());
  for (size_t i = 0; i < a.api_keys.size(); ++i) {
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> k, s.get(as_view(keys::key(a.api_keys[i]))));
    if (k) return codes::kKeyExists;
    for (size_t j = 0; j < i; ++j) {
      if (a.api_keys[j] == a.api_keys[i]) return codes::kKeyExists;
    }
  }
  if (a.consensus_key) {
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> k, s.get(as_view(keys::key(*a.consensus_key))));
    if (k) return codes::kKeyExists;
    for (const PublicKey& api : a.api_keys) {
      if (api == *a.consensus_key) return codes::kKeyExists;
    }
  }
  return codes::kOk;
}

Result<uint64_t> do_admit(StateView& s, const MemberAdmit& a, uint64_t height, uint64_t registered_by) {
  IPL_ASSIGN_OR_RETURN(RegistryRecord reg, load_registry(s));
  const uint64_t id = reg.next_member_id++;
  IPL_ASSERT(id >= 1);
  Member m;
  m.id = id;
  m.name = a.name;
  m.role = a.role;
  m.org = a.org;
  m.branch_code = a.branch_code;
  m.governance = a.governance;
  m.node_status = a.node_status;
  m.consensus_key = a.consensus_key;
  m.registered_by = registered_by;
  for (const auto& [key, data] : admission_records(m, a.api_keys, height)) s.put(as_view(key), data);
  if (a.governance) {
    reg.governance_members.push_back(id);
    std::sort(reg.governance_members.begin(), reg.governance_members.end());
  }
  store(s, keys::kRegistry, reg);
  return id;
}

namespace {

constexpr std::string_view kPropose = "gov.propose";
constexpr std::string_view kVote = "gov.vote";
constexpr std::string_view kClose = "gov.close";
// A deadline is at most 90 days of block time ahead.
constexpr uint64_t kDeadlineAheadMaxMs = 90ull * 86'400'000ull;

// Payload grammars:
//   gov.propose = u8 kind ‖ u64 deadline_ms ‖ bytes action
//   gov.vote    = u64 proposal_id ‖ bool approve
//   gov.close   = u64 proposal_id
struct ProposePayload {
  ProposalKind kind = ProposalKind::kParamChange;
  uint64_t deadline_ms = 0;
  Bytes action;
};

Result<ProposePayload> decode_propose(ByteView b) {
  Decoder d(b);
  ProposePayload p;
  uint8_t kind = 0;
  IPL_RETURN_IF_ERROR(d.u8(kind));
  if (kind < 1 || kind > 7) return Status::invalid("unknown proposal kind");
  p.kind = static_cast<ProposalKind>(kind);
  IPL_RETURN_IF_ERROR(d.u64(p.deadline_ms));
  IPL_RETURN_IF_ERROR(d.bytes(p.action, limits::tx_payload_bytes_max));
  IPL_RETURN_IF_ERROR(d.finish());
  IPL_RETURN_IF_ERROR(check_action(p.kind, p.action));
  return p;
}

Result<std::pair<uint64_t, bool>> decode_vote(ByteView b) {
  Decoder d(b);
  std::pair<uint64_t, bool> v;
  IPL_RETURN_IF_ERROR(d.u64(v.first));
  IPL_RETURN_IF_ERROR(d.boolean(v.second));
  IPL_RETURN_IF_ERROR(d.finish());
  return v;
}

Result<uint64_t> decode_close(ByteView b) {
  Decoder d(b);
  uint64_t id = 0;
  IPL_RETURN_IF_ERROR(d.u64(id));
  IPL_RETURN_IF_ERROR(d.finish());
  return id;
}

Result<EpochsRecord> load_epochs(const StateView& s) {
  IPL_ASSIGN_OR_RETURN(std::optional<EpochsRecord> e, load<EpochsRecord>(s, keys::kEpochs));
  if (!e) return Status::corruption("sys/epochs missing");
  return std::move(*e);
}

// Is `member` in the in-force or any scheduled validator set?
bool validates_now_or_later(const EpochsRecord& epochs, uint64_t height, uint64_t member) {
  auto has = [member](const EpochEntry& e) {
    return std::find(e.members.begin(), e.members.end(), member) != e.members.end();
  };
  if (has(epochs.in_force_at(height))) return true;
  for (const EpochEntry& e : epochs.entries) {
    if (e.boundary_height >= height && has(e)) return true;
  }
  return false;
}

// Check the members of a would-be validator set and collect their keys.
Result<std::string_view> collect_validator_keys(const StateView& s, const std::vector<uint64_t>& ids,
                                                std::vector<PublicKey>& out) {
  out.clear();
  for (uint64_t id : ids) {
    IPL_ASSIGN_OR_RETURN(std::optional<Member> m, load<Member>(s, keys::member(id)));
    if (!m || !m->active || !m->consensus_key || m->role == Role::kAuditor) return codes::kBadValidatorSet;
    out.push_back(*m->consensus_key);
  }
  IPL_ASSERT(out.size() == ids.size());
  return codes::kOk;
}

// Schedules the next epoch with `members` after the block at `height`.
Result<EpochEntry> schedule_epoch(StateView& s, uint64_t height, const std::vector<uint64_t>& members) {
  IPL_ASSIGN_OR_RETURN(EpochsRecord epochs, load_epochs(s));
  std::vector<PublicKey> keys_out;
  IPL_ASSIGN_OR_RETURN(std::string_view ok, collect_validator_keys(s, members, keys_out));
  IPL_ASSERT(ok == codes::kOk);  // checked before
  const EpochEntry last = epochs.entries.back();  // a copy: entries change below
  EpochEntry next;
  next.number = last.number + 1;
  next.boundary_height = std::max<uint64_t>(height + limits::execution_lag_max + 1, last.boundary_height + 1);
  next.members = members;
  next.consensus_keys = std::move(keys_out);
  // Entries whose successor is already in force are history: drop them.
  while (epochs.entries.size() >= 2 && epochs.entries[1].boundary_height < height) {
    epochs.entries.erase(epochs.entries.begin());
  }
  epochs.entries.push_back(next);
  IPL_ASSERT(epochs.entries.back().boundary_height > height);
  store(s, keys::kEpochs, epochs);
  // Node status follows the latest scheduled set.
  for (uint64_t id : members) {
    IPL_ASSIGN_OR_RETURN(std::optional<Member> m, load<Member>(s, keys::member(id)));
    if (!m) return Status::corruption("validator member missing");
    if (m->node_status != NodeStatus::kValidator) {
      m->node_status = NodeStatus::kValidator;
      store(s, keys::member(id), *m);
    }
  }
  for (uint64_t id : last.members) {
    if (std::find(members.begin(), members.end(), id) != members.end()) continue;
    IPL_ASSIGN_OR_RETURN(std::optional<Member> m, load<Member>(s, keys::member(id)));
    if (m && m->node_status == NodeStatus::kValidator) {
      m->node_status = NodeStatus::kObserver;
      store(s, keys::member(id), *m);
    }
  }
  return next;
}

class GovernanceModule final : public Module {
 public:
  std::string_view name() const override { return "governance"; }
  std::vector<TxTypeSpec> types() const override {
    return {
        {std::string(kPropose), kGovernanceRoles},
        {std::string(kVote), kGovernanceRoles},
        {std::string(kClose), kGovernanceRoles},
    };
  }
  std::string_view validate(const TxBody& tx) const override {
    bool ok = false;
    if (tx.type == kPropose) ok = decode_propose(tx.payload).is_ok();
    if (tx.type == kVote) ok = decode_vote(tx.payload).is_ok();
    if (tx.type == kClose) ok = decode_close(tx.payload).is_ok();
    return ok ? codes::kOk : codes::kBadPayload;
  }

  Result<std::string_view> apply(TxContext& ctx, StateView& s) const override {
    if (!ctx.sender.governance) return codes::kNotGovernanceMember;
    if (ctx.tx.type == kPropose) return propose(ctx, s);
    if (ctx.tx.type == kVote) return vote(ctx, s);
    IPL_ASSERT(ctx.tx.type == kClose);
    return close(ctx, s);
  }

 private:
  // The state checks of an action, at proposal time and again when it
  // passes (state may have changed in between).
  static Result<std::string_view> check(const TxContext& ctx, const StateView& s, ProposalKind kind,
                                        ByteView action) {
    const uint64_t h = ctx.block.height;
    switch (kind) {
      case ProposalKind::kParamChange: {
        const ParamChange a = decode_param_change(action).value();
        IPL_ASSIGN_OR_RETURN(std::optional<ParamRecord> p, load<ParamRecord>(s, keys::param(a.name)));
        if (p && p->type != a.type) return codes::kParamTypeMismatch;
        return codes::kOk;
      }
      case ProposalKind::kMemberAdmit: return check_admit(s, decode_member_admit(action).value());
      case ProposalKind::kMemberRemove: {
        const MemberRemove a = decode_member_remove(action).value();
        IPL_ASSIGN_OR_RETURN(std::optional<Member> m, load<Member>(s, keys::member(a.member_id)));
        if (!m || !m->active) return codes::kUnknownMember;
        IPL_ASSIGN_OR_RETURN(EpochsRecord epochs, load_epochs(s));
        if (validates_now_or_later(epochs, h, a.member_id)) return codes::kMemberIsValidator;
        return codes::kOk;
      }
      case ProposalKind::kKeyRotation: {
        const KeyRotation a = decode_key_rotation(action).value();
        IPL_ASSIGN_OR_RETURN(std::optional<Member> m, load<Member>(s, keys::member(a.member_id)));
        if (!m || !m->active) return codes::kUnknownMember;
        IPL_ASSIGN_OR_RETURN(std::optional<KeyRecord> old_key, load<KeyRecord>(s, keys::key(a.old_key)));
        if (!old_key) return codes::kKeyUnknown;
        if (old_key->member_id != a.member_id || old_key->kind != a.kind) return codes::kKeyNotOwner;
        if (!old_key->active) return codes::kKeyAlreadyRevoked;
        IPL_ASSIGN_OR_RETURN(std::optional<Bytes> new_key, s.get(as_view(keys::key(a.new_key))));
        if (new_key) return codes::kKeyExists;
        return codes::kOk;
      }
      case ProposalKind::kValidatorSet: {
        std::vector<PublicKey> k;
        return collect_validator_keys(s, decode_validator_set(action).value().member_ids, k);
      }
      case ProposalKind::kEpochRenewal: {
        IPL_ASSIGN_OR_RETURN(EpochsRecord epochs, load_epochs(s));
        std::vector<PublicKey> k;
        return collect_validator_keys(s, epochs.entries.back().members, k);
      }
      case ProposalKind::kProtocolActivation: {
        const ProtocolActivation a = decode_protocol_activation(action).value();
        IPL_ASSIGN_OR_RETURN(std::optional<ProtocolRecord> p, load<ProtocolRecord>(s, keys::kProtocol));
        if (!p) return Status::corruption("sys/protocol missing");
        const auto& last = p->activations.back();
        if (!ctx.registry.supports_version(a.version) || a.version <= last.first ||
            a.height <= h + limits::execution_lag_max || a.height <= last.second) {
          return codes::kBadActivation;
        }
        return codes::kOk;
      }
    }
    return codes::kBadPayload;
  }

  // Applies a passed, checked action and records its effect point.
  static Status effect(TxContext& ctx, StateView& s, Proposal& p) {
    const uint64_t h = ctx.block.height;
    p.effect_height = h;
    switch (p.kind) {
      case ProposalKind::kParamChange: {
        const ParamChange a = decode_param_change(p.action).value();
        IPL_ASSIGN_OR_RETURN(std::optional<ParamRecord> rec, load<ParamRecord>(s, keys::param(a.name)));
        ParamRecord r = rec ? std::move(*rec) : ParamRecord{a.name, a.type, {}};
        r.set(ParamVersion{a.effective_from, a.value, h, p.id});
        store(s, keys::param(a.name), r);
        p.effect_date = a.effective_from;
        Encoder e;
        e.str(a.name);
        put_date(e, a.effective_from);
        ctx.events.push_back(make_event("param.changed", e.take()));
        return Status::ok();
      }
      case ProposalKind::kMemberAdmit: {
        IPL_ASSIGN_OR_RETURN(uint64_t id, do_admit(s, decode_member_admit(p.action).value(), h, 0));
        ctx.events.push_back(make_event("member.admitted", Encoder().u64(id).take()));
        return Status::ok();
      }
      case ProposalKind::kMemberRemove: {
        const MemberRemove a = decode_member_remove(p.action).value();
        IPL_ASSIGN_OR_RETURN(std::optional<Member> m, load<Member>(s, keys::member(a.member_id)));
        if (!m) return Status::corruption("checked member missing");
        m->active = false;
        m->node_status = NodeStatus::kNone;
        store(s, keys::member(a.member_id), *m);
        if (m->governance) {
          IPL_ASSIGN_OR_RETURN(RegistryRecord reg, load_registry(s));
          std::erase(reg.governance_members, a.member_id);
          store(s, keys::kRegistry, reg);
        }
        ctx.events.push_back(make_event("member.removed", Encoder().u64(a.member_id).take()));
        return Status::ok();
      }
      case ProposalKind::kKeyRotation: {
        const KeyRotation a = decode_key_rotation(p.action).value();
        IPL_ASSIGN_OR_RETURN(std::optional<KeyRecord> old_key, load<KeyRecord>(s, keys::key(a.old_key)));
        if (!old_key) return Status::corruption("checked key missing");
        old_key->active = false;
        old_key->revoked_height = h;
        store(s, keys::key(a.old_key), *old_key);
        store(s, keys::key(a.new_key), KeyRecord{a.new_key, a.member_id, a.kind, true, h, 0});
        ctx.events.push_back(make_event("key.rotated", Encoder().u64(a.member_id).raw(a.old_key.bytes).raw(a.new_key.bytes).take()));
        if (a.kind == KeyKind::kConsensus) {
          IPL_ASSIGN_OR_RETURN(std::optional<Member> m, load<Member>(s, keys::member(a.member_id)));
          if (!m) return Status::corruption("checked member missing");
          m->consensus_key = a.new_key;
          store(s, keys::member(a.member_id), *m);
          IPL_ASSIGN_OR_RETURN(EpochsRecord epochs, load_epochs(s));
          const auto& members = epochs.entries.back().members;
          if (std::find(members.begin(), members.end(), a.member_id) != members.end()) {
            return schedule(ctx, s, p, std::vector<uint64_t>(members));
          }
        }
        return Status::ok();
      }
      case ProposalKind::kValidatorSet:
        return schedule(ctx, s, p, decode_validator_set(p.action).value().member_ids);
      case ProposalKind::kEpochRenewal: {
        IPL_ASSIGN_OR_RETURN(EpochsRecord epochs, load_epochs(s));
        return schedule(ctx, s, p, std::vector<uint64_t>(epochs.entries.back().members));
      }
      case ProposalKind::kProtocolActivation: {
        const ProtocolActivation a = decode_protocol_activation(p.action).value();
        IPL_ASSIGN_OR_RETURN(std::optional<ProtocolRecord> rec, load<ProtocolRecord>(s, keys::kProtocol));
        if (!rec) return Status::corruption("sys/protocol missing");
        rec->activations.emplace_back(a.version, a.height);
        store(s, keys::kProtocol, *rec);
        p.effect_height = a.height;
        ctx.events.push_back(make_event("protocol.scheduled", Encoder().u32(a.version).u64(a.height).take()));
        return Status::ok();
      }
    }
    return Status::invalid("unknown proposal kind");
  }

  static Status schedule(TxContext& ctx, StateView& s, Proposal& p, const std::vector<uint64_t>& members) {
    IPL_ASSIGN_OR_RETURN(EpochEntry next, schedule_epoch(s, ctx.block.height, members));
    p.effect_height = next.boundary_height;
    p.effect_epoch = next.number;
    ctx.events.push_back(make_event("epoch.scheduled", Encoder().u64(next.number).u64(next.boundary_height).take()));
    ctx.scheduled.push_back(std::move(next));
    return Status::ok();
  }

  static Result<std::string_view> propose(TxContext& ctx, StateView& s) {
    ProposePayload pp = std::move(decode_propose(ctx.tx.payload).value());
    if (pp.deadline_ms <= ctx.block.timestamp_ms || pp.deadline_ms - ctx.block.timestamp_ms > kDeadlineAheadMaxMs) {
      return codes::kBadDeadline;
    }
    IPL_ASSIGN_OR_RETURN(std::string_view checked, check(ctx, s, pp.kind, pp.action));
    if (checked != codes::kOk) return checked;
    IPL_ASSIGN_OR_RETURN(RegistryRecord reg, load_registry(s));
    Proposal p;
    p.id = reg.next_proposal_id++;
    p.kind = pp.kind;
    p.proposer = ctx.sender.id;
    p.created_height = ctx.block.height;
    p.deadline_ms = pp.deadline_ms;
    p.action = std::move(pp.action);
    store(s, keys::kRegistry, reg);
    store(s, keys::proposal(p.id), p);
    ctx.events.push_back(make_event("proposal.created", Encoder().u64(p.id).u8(static_cast<uint8_t>(p.kind)).take()));
    return codes::kOk;
  }

  struct Tally {
    size_t governance = 0, approvals = 0, rejections = 0;
    bool finance_approved = false, finance_rejected = false;
  };

  static Result<Tally> tally(const StateView& s, const Proposal& p) {
    IPL_ASSIGN_OR_RETURN(RegistryRecord reg, load_registry(s));
    Tally t;
    t.governance = reg.governance_members.size();
    for (const auto& [id, approve] : p.votes) {
      // Only votes of members still in the joint meeting count.
      if (!std::binary_search(reg.governance_members.begin(), reg.governance_members.end(), id)) continue;
      IPL_ASSIGN_OR_RETURN(std::optional<Member> m, load<Member>(s, keys::member(id)));
      if (!m) return Status::corruption("voter member missing");
      (approve ? t.approvals : t.rejections) += 1;
      if (m->role == Role::kFin) (approve ? t.finance_approved : t.finance_rejected) = true;
    }
    IPL_ASSERT(t.approvals + t.rejections <= t.governance);
    return t;
  }

  static bool needs_finance(const Proposal& p) {
    return p.kind == ProposalKind::kParamChange && param_needs_finance(decode_param_change(p.action).value().name);
  }

  static void decide(TxContext& ctx, Proposal& p, ProposalStatus status, std::string_view reason) {
    p.status = status;
    p.outcome_reason = std::string(reason);
    p.decided_height = ctx.block.height;
    Encoder e;
    e.u64(p.id).str(proposal_status_name(status)).str(reason);
    ctx.events.push_back(make_event("proposal.decided", e.take()));
  }

  static Result<std::string_view> vote(TxContext& ctx, StateView& s) {
    const auto [id, approve] = decode_vote(ctx.tx.payload).value();
    IPL_ASSIGN_OR_RETURN(std::optional<Proposal> rec, load<Proposal>(s, keys::proposal(id)));
    if (!rec) return codes::kUnknownProposal;
    Proposal& p = *rec;
    if (p.status != ProposalStatus::kOpen) return codes::kProposalClosed;
    if (ctx.block.timestamp_ms > p.deadline_ms) return codes::kDeadlinePassed;
    for (const auto& v : p.votes) {
      if (v.first == ctx.sender.id) return codes::kAlreadyVoted;
    }
    p.votes.emplace_back(ctx.sender.id, approve);
    ctx.events.push_back(make_event("proposal.voted", Encoder().u64(p.id).u64(ctx.sender.id).boolean(approve).take()));
    IPL_ASSIGN_OR_RETURN(Tally t, tally(s, p));
    const bool fin = needs_finance(p);
    const bool two_thirds = t.approvals * 3 >= t.governance * 2;
    if (two_thirds && (!fin || t.finance_approved)) {
      IPL_ASSIGN_OR_RETURN(std::string_view checked, check(ctx, s, p.kind, p.action));
      if (checked != codes::kOk) {
        decide(ctx, p, ProposalStatus::kFailed, checked);
      } else {
        decide(ctx, p, ProposalStatus::kPassed, codes::kOk);
        IPL_RETURN_IF_ERROR(effect(ctx, s, p));
      }
    } else if (fin && t.finance_rejected) {
      decide(ctx, p, ProposalStatus::kRejected, codes::kFinanceApprovalMissing);
    } else if ((t.governance - t.rejections) * 3 < t.governance * 2) {
      decide(ctx, p, ProposalStatus::kRejected, codes::kNotEnoughApprovals);
    }
    store(s, keys::proposal(p.id), p);
    return codes::kOk;
  }

  static Result<std::string_view> close(TxContext& ctx, StateView& s) {
    const uint64_t id = decode_close(ctx.tx.payload).value();
    IPL_ASSIGN_OR_RETURN(std::optional<Proposal> rec, load<Proposal>(s, keys::proposal(id)));
    if (!rec) return codes::kUnknownProposal;
    Proposal& p = *rec;
    if (p.status != ProposalStatus::kOpen) return codes::kProposalClosed;
    if (ctx.block.timestamp_ms <= p.deadline_ms) return codes::kDeadlineNotReached;
    IPL_ASSIGN_OR_RETURN(Tally t, tally(s, p));
    const bool two_thirds = t.approvals * 3 >= t.governance * 2;
    decide(ctx, p, ProposalStatus::kExpired,
           two_thirds && needs_finance(p) ? codes::kFinanceApprovalMissing : codes::kNotEnoughApprovals);
    store(s, keys::proposal(p.id), p);
    return codes::kOk;
  }
};

}  // namespace

std::unique_ptr<Module> make_governance_module() { return std::make_unique<GovernanceModule>(); }

}  // namespace ipl::contracts
