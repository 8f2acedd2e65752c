// The guarantee and insurance module (issue 7 scope 2; DOMAIN.md §8.1, the
// Shanxi plan §六): a government guarantor's guarantee contract or an
// insurer's loan-guarantee insurance policy on one loan (a "cover"), with
// the provider's contractual share of the loss; cessions of part of it to
// a re-guarantor or reinsurer, by share or by amount; the fees and
// premiums the borrower paid (for the fee subsidies of §7); the payouts
// (代偿, 赔付) actually made, each with the ceded part that becomes
// recoverable from the cessionaries; the cessionaries' reimbursements.
//   guarantee.contract   GUAR       a guarantee on a loan (loss share, the most it pays)
//   insurance.policy     INS        a loan-guarantee insurance policy on a loan
//   cover.cede           GUAR, INS  the provider cedes to a re-guarantor (GUAR) / reinsurer (INS)
//   cover.fee            GUAR, INS  the provider records a fee / premium paid, with its invoice
//   cover.payout         GUAR, INS  the provider records a payout to the lender
//   cover.recover_ceded  GUAR, INS  a cessionary records paying (part of) what was ceded to it
//   cover.release        GUAR, INS  the provider ends the cover once the loan is settled or written off
// The covers' loss shares on one loan sum to at most 100%; the bank bears
// the remainder (loss_shares_of_loan). A payout is allowed only while the
// loan is in default on its value date: written off, classified NPL, or
// overdue (DPD on the later of the value date and the loan's last accrual
// date). Ceded parts of a payout: the cessions in order, a share cession
// taking round_half_up(payout × share) (one line item each), an amount
// cession taking what is left of its amount; together never more than the
// payout. Record grammar: contracts/loan_records.h.
#include <algorithm>

#include "contracts/codes.h"
#include "contracts/loan_records.h"
#include "contracts/module.h"

namespace ipl::contracts {

namespace {

constexpr std::string_view kGuarantee = "guarantee.contract";
constexpr std::string_view kPolicy = "insurance.policy";
constexpr std::string_view kCede = "cover.cede";
constexpr std::string_view kFee = "cover.fee";
constexpr std::string_view kPayout = "cover.payout";
constexpr std::string_view kRecover = "cover.recover_ceded";
constexpr std::string_view kRelease = "cover.release";

// Payloads:
//   guarantee.contract, insurance.policy = u64 loan ‖ string contract_ref ‖ u32 loss_share_ppm ‖ i64 cover_amount_fen
//   cover.cede          = u64 cover ‖ u64 cessionary ‖ u8 mode ‖ u32 share_ppm ‖ i64 amount_fen ‖ string contract_ref
//   cover.fee           = u64 cover ‖ i64 amount_fen ‖ string invoice_ref
//   cover.payout        = u64 cover ‖ i64 amount_fen
//   cover.recover_ceded = u64 cover ‖ u32 cession (index, from 0) ‖ i64 amount_fen
//   cover.release       = u64 cover
struct Payload {
  uint64_t id = 0;  // loan (contract, policy) or cover
  uint64_t cessionary = 0;
  uint8_t mode = 0;
  uint32_t share_ppm = 0;
  uint32_t cession = 0;
  int64_t amount_fen = 0;
  std::string text;  // contract_ref, invoice_ref
};

Result<Payload> decode(std::string_view type, ByteView b) {
  Decoder d(b);
  Payload p;
  IPL_RETURN_IF_ERROR(d.u64(p.id));
  if (type == kGuarantee || type == kPolicy) {
    IPL_RETURN_IF_ERROR(d.str(p.text, 64));
    IPL_RETURN_IF_ERROR(d.u32(p.share_ppm));
    IPL_RETURN_IF_ERROR(d.i64(p.amount_fen));
    if (p.text.empty() || p.share_ppm == 0 || p.share_ppm > kPpm || p.amount_fen <= 0) {
      return Status::invalid("cover terms");
    }
  } else if (type == kCede) {
    IPL_RETURN_IF_ERROR(d.u64(p.cessionary));
    IPL_RETURN_IF_ERROR(d.u8(p.mode));
    IPL_RETURN_IF_ERROR(d.u32(p.share_ppm));
    IPL_RETURN_IF_ERROR(d.i64(p.amount_fen));
    IPL_RETURN_IF_ERROR(d.str(p.text, 64));
    const bool by_share = p.mode == 1 && p.share_ppm > 0 && p.share_ppm <= kPpm && p.amount_fen == 0;
    const bool by_amount = p.mode == 2 && p.share_ppm == 0 && p.amount_fen > 0;
    if ((!by_share && !by_amount) || p.text.empty()) return Status::invalid("cession terms");
  } else if (type == kFee) {
    IPL_RETURN_IF_ERROR(d.i64(p.amount_fen));
    IPL_RETURN_IF_ERROR(d.str(p.text, 64));
    if (p.amount_fen <= 0 || p.text.empty()) return Status::invalid("fee");
  } else if (type == kPayout) {
    IPL_RETURN_IF_ERROR(d.i64(p.amount_fen));
    if (p.amount_fen <= 0) return Status::invalid("payout");
  } else if (type == kRecover) {
    IPL_RETURN_IF_ERROR(d.u32(p.cession));
    IPL_RETURN_IF_ERROR(d.i64(p.amount_fen));
    if (p.amount_fen <= 0) return Status::invalid("recovery");
  }
  IPL_RETURN_IF_ERROR(d.finish());
  if (p.amount_fen > kLoanPrincipalMax) return Status::invalid("amount");
  return p;
}

Role provider_role(CoverKind k) { return k == CoverKind::kGuarantee ? Role::kGuar : Role::kIns; }


// Whether the loan is in default on `date` (see the file header).
bool in_default(Loan l, uint32_t date) {
  if (l.status == LoanStatus::kWrittenOff) return true;
  if (l.status != LoanStatus::kActive) return false;
  if (is_npl(class_at(l, date))) return true;
  const uint32_t on = std::max(date, l.accrual_from);
  roll_to(l, on);
  return overdue_days(l, on) > 0;
}

class CoverModule final : public Module {
 public:
  std::string_view name() const override { return "cover"; }
  std::vector<TxTypeSpec> types() const override {
    const RoleMask both = role_bit(Role::kGuar) | role_bit(Role::kIns);
    return {{std::string(kGuarantee), role_bit(Role::kGuar)},
            {std::string(kPolicy), role_bit(Role::kIns)},
            {std::string(kCede), both},
            {std::string(kFee), both},
            {std::string(kPayout), both},
            {std::string(kRecover), both},
            {std::string(kRelease), both}};
  }

  std::string_view validate(const TxBody& tx) const override {
    return decode(tx.type, tx.payload).is_ok() ? codes::kOk : codes::kBadPayload;
  }

  Result<std::string_view> apply(TxContext& ctx, StateView& s) const override {
    const Payload p = std::move(decode(ctx.tx.type, ctx.tx.payload).value());
    if (ctx.tx.type == kGuarantee || ctx.tx.type == kPolicy) return create(ctx, s, p);
    IPL_ASSIGN_OR_RETURN(std::optional<Cover> found, load<Cover>(s, keys::cover(p.id)));
    if (!found) return codes::kCoverUnknown;
    Cover c = std::move(*found);
    const uint32_t today = ctx.tx.value_date.yyyymmdd;
    const std::string_view type = ctx.tx.type;
    if (type == kRecover) {
      if (p.cession >= c.cessions.size() || c.cessions[p.cession].cessionary != ctx.sender.id) {
        return codes::kCoverNotCessionary;
      }
      Cession& x = c.cessions[p.cession];
      if (p.amount_fen > x.ceded_fen - x.recovered_fen) return codes::kCoverRecoveryExceeds;
      x.recovered_fen += p.amount_fen;
      c.recovered_fen += p.amount_fen;
      store(s, keys::cover(c.id), c);
      ctx.events.push_back(make_event("cover.ceded_recovered", Encoder().u64(c.id).u32(p.cession).i64(p.amount_fen).take()));
      return codes::kOk;
    }
    if (c.provider != ctx.sender.id) return codes::kCoverNotProvider;
    if (type == kFee) {
      if (c.fees.size() >= kCoverListMax) return codes::kCoverHistoryFull;
      c.fees.push_back(CoverFee{today, p.amount_fen, p.text});
      c.fees_paid_fen += p.amount_fen;
      store(s, keys::cover(c.id), c);
      ctx.events.push_back(make_event("cover.fee_paid", Encoder().u64(c.id).i64(p.amount_fen).str(p.text).take()));
      return codes::kOk;
    }
    if (c.status == CoverStatus::kReleased) return codes::kCoverBadState;
    IPL_ASSIGN_OR_RETURN(std::optional<Loan> loan, load<Loan>(s, keys::loan(c.loan)));
    if (!loan) return Status::corruption("cover names a missing loan");
    std::string_view reason = codes::kOk;
    if (type == kCede) {
      IPL_ASSIGN_OR_RETURN(reason, cede(ctx, s, c, p));
    } else if (type == kPayout) {
      reason = payout(ctx, c, *loan, p);
    } else {
      IPL_ASSERT(type == kRelease);
      if (loan->status != LoanStatus::kSettled && loan->status != LoanStatus::kWrittenOff) return codes::kCoverLoanOpen;
      c.status = CoverStatus::kReleased;
      c.released_on = today;
      ctx.events.push_back(make_event("cover.released", Encoder().u64(c.id).take()));
    }
    if (reason != codes::kOk) return reason;
    store(s, keys::cover(c.id), c);
    return codes::kOk;
  }

 private:
  Result<std::string_view> create(TxContext& ctx, StateView& s, const Payload& p) const {
    IPL_ASSIGN_OR_RETURN(std::optional<Loan> loan, load<Loan>(s, keys::loan(p.id)));
    if (!loan) return codes::kLoanUnknown;
    if (loan->status != LoanStatus::kContracted && loan->status != LoanStatus::kActive) return codes::kLoanBadState;
    IPL_ASSIGN_OR_RETURN(std::optional<IdList> on_loan, load<IdList>(s, keys::idx_loan_covers(loan->id)));
    IPL_ASSIGN_OR_RETURN(uint64_t provided, book_count(s, keys::idx_provider_covers(ctx.sender.id)));
    if ((on_loan && on_loan->ids.size() >= kLoanCoversMax) || provided >= kBookMax) return codes::kCoverBookFull;
    int64_t shares = p.share_ppm;
    for (uint64_t id : on_loan ? on_loan->ids : std::vector<uint64_t>{}) {
      IPL_ASSIGN_OR_RETURN(std::optional<Cover> other, load<Cover>(s, keys::cover(id)));
      if (!other) return Status::corruption("index names a missing cover");
      shares += other->loss_share_ppm;
    }
    if (shares > kPpm) return codes::kCoverShareExceeds;
    Cover c;
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> seq_raw, s.get(as_view(keys::kCoverSeq)));
    uint64_t last = 0;
    if (seq_raw) {
      Decoder d(*seq_raw);
      if (!d.u64(last).is_ok()) return Status::corruption("cover sequence");
    }
    c.id = last + 1;
    s.put(as_view(keys::kCoverSeq), Encoder().u64(c.id).take());
    c.kind = ctx.tx.type == kGuarantee ? CoverKind::kGuarantee : CoverKind::kInsurance;
    IPL_ASSERT(ctx.sender.role == provider_role(c.kind));  // the type's role mask
    c.provider = ctx.sender.id;
    c.loan = loan->id;
    c.borrower = loan->borrower;
    c.contract_ref = p.text;
    c.loss_share_ppm = p.share_ppm;
    c.cover_amount_fen = p.amount_fen;
    c.start = ctx.tx.value_date.yyyymmdd;
    IdList listed = on_loan.value_or(IdList{});
    listed.ids.push_back(c.id);
    store(s, keys::idx_loan_covers(loan->id), listed);
    IPL_ASSIGN_OR_RETURN(bool added, book_append(s, keys::idx_provider_covers(c.provider), c.id));
    IPL_ASSERT(added);  // the size was checked above
    store(s, keys::cover(c.id), c);
    ctx.events.push_back(make_event("cover.created", Encoder().u64(c.id).str(cover_kind_name(c.kind)).u64(c.loan).take()));
    return codes::kOk;
  }

  Result<std::string_view> cede(TxContext& ctx, StateView& s, Cover& c, const Payload& p) const {
    IPL_ASSIGN_OR_RETURN(std::optional<Member> m, load<Member>(s, keys::member(p.cessionary)));
    if (!m || !m->active || m->role != provider_role(c.kind) || m->id == c.provider) return codes::kCoverBadCessionary;
    int64_t shares = p.share_ppm;
    for (const Cession& x : c.cessions) shares += x.share_ppm;
    if (c.cessions.size() >= kCessionsMax || shares > kPpm) return codes::kCoverCessionExceeds;
    // The cover joins the cessionary's book with its first cession to it.
    const bool listed = std::any_of(c.cessions.begin(), c.cessions.end(),
                                    [&](const Cession& x) { return x.cessionary == p.cessionary; });
    if (!listed) {
      IPL_ASSIGN_OR_RETURN(bool added, book_append(s, keys::idx_cessionary_covers(p.cessionary), c.id));
      if (!added) return codes::kCoverBookFull;
    }
    Cession x;
    x.cessionary = p.cessionary;
    x.mode = static_cast<CessionMode>(p.mode);
    x.share_ppm = p.share_ppm;
    x.amount_fen = p.amount_fen;
    x.contract_ref = p.text;
    x.date = ctx.tx.value_date.yyyymmdd;
    c.cessions.push_back(std::move(x));
    ctx.events.push_back(make_event("cover.ceded", Encoder().u64(c.id).u64(p.cessionary).u32(p.share_ppm)
                                                       .i64(p.amount_fen).take()));
    return codes::kOk;
  }

  std::string_view payout(TxContext& ctx, Cover& c, const Loan& loan, const Payload& p) const {
    const uint32_t today = ctx.tx.value_date.yyyymmdd;
    if (!in_default(loan, today)) return codes::kCoverLoanNotInDefault;
    if (p.amount_fen > c.cover_amount_fen - c.paid_out_fen) return codes::kCoverPayoutExceeds;
    if (c.payouts.size() >= kCoverListMax) return codes::kCoverHistoryFull;
    int64_t left = p.amount_fen;
    for (Cession& x : c.cessions) {
      int64_t part = x.mode == CessionMode::kShare
                         ? static_cast<int64_t>(round_half_up(static_cast<i128>(p.amount_fen) * x.share_ppm, kPpm))
                         : x.amount_fen - x.ceded_fen;
      part = std::min(part, left);
      IPL_ASSERT(part >= 0);
      x.ceded_fen += part;
      left -= part;
    }
    const int64_t ceded = p.amount_fen - left;
    IPL_ASSERT(ceded >= 0 && ceded <= p.amount_fen);
    c.payouts.push_back(Payout{today, p.amount_fen, ceded});
    c.paid_out_fen += p.amount_fen;
    c.ceded_fen += ceded;
    c.status = CoverStatus::kClaimed;
    ctx.events.push_back(make_event("cover.paid_out", Encoder().u64(c.id).i64(p.amount_fen).i64(ceded).take()));
    return codes::kOk;
  }
};

}  // namespace

std::unique_ptr<Module> make_cover_module() { return std::make_unique<CoverModule>(); }

}  // namespace ipl::contracts
