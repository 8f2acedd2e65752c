// Membership and key registry (issue 3 scope 2; DOMAIN.md Part A decision
// 3). Members and their API keys enter by genesis or a governance vote
// (governance.cc); this module holds what members do themselves: register
// an enterprise (IPA or bank), add and revoke their own API keys, and
// declare or withdraw an observer node. Validator status changes only by a
// validator-set proposal.
#include "contracts/codes.h"
#include "contracts/module.h"
#include "contracts/ops.h"

namespace ipl::contracts {

namespace {

// Payload grammars:
//   member.add_enterprise = string name ‖ string org(USCC) ‖ pubkey api_key
//   key.add               = pubkey key
//   key.revoke            = pubkey key
//   member.set_observer   = bool observer
constexpr std::string_view kAddEnterprise = "member.add_enterprise";
constexpr std::string_view kKeyAdd = "key.add";
constexpr std::string_view kKeyRevoke = "key.revoke";
constexpr std::string_view kSetObserver = "member.set_observer";

struct AddEnterprise {
  std::string name, org;
  PublicKey key;
};

Result<AddEnterprise> decode_add_enterprise(ByteView b) {
  Decoder d(b);
  AddEnterprise a;
  IPL_RETURN_IF_ERROR(d.str(a.name, 256));
  IPL_RETURN_IF_ERROR(d.str(a.org, 64));
  IPL_RETURN_IF_ERROR(get_key(d, a.key));
  IPL_RETURN_IF_ERROR(d.finish());
  if (a.name.empty()) return Status::invalid("empty name");
  return a;
}

Result<PublicKey> decode_key_payload(ByteView b) {
  Decoder d(b);
  PublicKey k;
  IPL_RETURN_IF_ERROR(get_key(d, k));
  IPL_RETURN_IF_ERROR(d.finish());
  return k;
}

Result<bool> decode_bool_payload(ByteView b) {
  Decoder d(b);
  bool v = false;
  IPL_RETURN_IF_ERROR(d.boolean(v));
  IPL_RETURN_IF_ERROR(d.finish());
  return v;
}

class MembershipModule final : public Module {
 public:
  std::string_view name() const override { return "membership"; }
  std::vector<TxTypeSpec> types() const override {
    return {
        {std::string(kAddEnterprise), role_bit(Role::kIpa) | role_bit(Role::kBank)},
        {std::string(kKeyAdd), kAllRoles},
        {std::string(kKeyRevoke), kAllRoles},
        {std::string(kSetObserver), kAllRoles},
    };
  }
  std::string_view validate(const TxBody& tx) const override {
    bool ok = false;
    if (tx.type == kAddEnterprise) ok = decode_add_enterprise(tx.payload).is_ok();
    if (tx.type == kKeyAdd || tx.type == kKeyRevoke) ok = decode_key_payload(tx.payload).is_ok();
    if (tx.type == kSetObserver) ok = decode_bool_payload(tx.payload).is_ok();
    return ok ? codes::kOk : codes::kBadPayload;
  }
  Result<std::string_view> apply(TxContext& ctx, StateView& s) const override {
    const uint64_t h = ctx.block.height;
    if (ctx.tx.type == kAddEnterprise) {
      AddEnterprise a = std::move(decode_add_enterprise(ctx.tx.payload).value());
      MemberAdmit admit;
      admit.name = a.name;
      admit.role = Role::kEnt;
      admit.org = a.org;
      admit.api_keys = {a.key};
      IPL_ASSIGN_OR_RETURN(std::string_view check, check_admit(s, admit));
      if (check != codes::kOk) return check;
      IPL_ASSIGN_OR_RETURN(uint64_t id, do_admit(s, admit, h, ctx.sender.id));
      ctx.events.push_back(make_event("member.admitted", Encoder().u64(id).take()));
      return codes::kOk;
    }
    if (ctx.tx.type == kKeyAdd) {
      const PublicKey k = decode_key_payload(ctx.tx.payload).value();
      IPL_ASSIGN_OR_RETURN(std::optional<KeyRecord> existing, load<KeyRecord>(s, keys::key(k)));
      if (existing) return codes::kKeyExists;
      store(s, keys::key(k), KeyRecord{k, ctx.sender.id, KeyKind::kApi, true, h, 0});
      ctx.events.push_back(make_event("key.added", Encoder().u64(ctx.sender.id).raw(k.bytes).take()));
      return codes::kOk;
    }
    if (ctx.tx.type == kKeyRevoke) {
      const PublicKey k = decode_key_payload(ctx.tx.payload).value();
      IPL_ASSIGN_OR_RETURN(std::optional<KeyRecord> rec, load<KeyRecord>(s, keys::key(k)));
      if (!rec) return codes::kKeyUnknown;
      if (rec->member_id != ctx.sender.id || rec->kind != KeyKind::kApi) return codes::kKeyNotOwner;
      if (!rec->active) return codes::kKeyAlreadyRevoked;
      // A key cannot revoke itself, so a member is never left without an
      // API key by its own hand (rotation by a vote can replace it).
      if (k == ctx.tx.sender_key) return codes::kKeySigning;
      rec->active = false;
      rec->revoked_height = h;
      store(s, keys::key(k), *rec);
      ctx.events.push_back(make_event("key.revoked", Encoder().u64(ctx.sender.id).raw(k.bytes).take()));
      return codes::kOk;
    }
    IPL_ASSERT(ctx.tx.type == kSetObserver);
    const bool observer = decode_bool_payload(ctx.tx.payload).value();
    IPL_ASSIGN_OR_RETURN(std::optional<Member> m, load<Member>(s, keys::member(ctx.sender.id)));
    if (!m) return Status::corruption("sender member missing");
    if (m->node_status == NodeStatus::kValidator) return codes::kMemberIsValidator;
    m->node_status = observer ? NodeStatus::kObserver : NodeStatus::kNone;
    store(s, keys::member(m->id), *m);
    return codes::kOk;
  }
};

}  // namespace

std::unique_ptr<Module> make_membership_module() { return std::make_unique<MembershipModule>(); }

}  // namespace ipl::contracts
