#include "contracts/loan_records.h"

#include <algorithm>

#include "contracts/ip_records.h"
#include "contracts/queries.h"
#include "contracts/record_codec.h"

namespace ipl::contracts {

namespace {

constexpr size_t kStr = 256;

void put_i128(Encoder& e, i128 v) {
  const u128 u = static_cast<u128>(v);
  e.u64(static_cast<uint64_t>(u >> 64)).u64(static_cast<uint64_t>(u));
}
Status get_i128(Decoder& d, i128& v) {
  uint64_t hi = 0, lo = 0;
  IPL_RETURN_IF_ERROR(d.u64(hi));
  IPL_RETURN_IF_ERROR(d.u64(lo));
  v = static_cast<i128>((static_cast<u128>(hi) << 64) | lo);
  return Status::ok();
}
Status get_money(Decoder& d, int64_t& v) {
  IPL_RETURN_IF_ERROR(d.i64(v));
  if (v < 0) return Status::invalid("negative amount");
  return Status::ok();
}

template <size_t N>
std::optional<uint8_t> index_of(const std::string_view (&names)[N], std::string_view n, size_t first) {
  for (size_t i = first; i < N; ++i) {
    if (names[i] == n) return static_cast<uint8_t>(i);
  }
  return std::nullopt;
}

constexpr std::string_view kDayCount[] = {"", "act/360", "act/365"};
constexpr std::string_view kLoanStatus[] = {"", "contracted", "active", "settled", "written_off"};
constexpr std::string_view kClass[] = {"", "normal", "special_mention", "substandard", "doubtful", "loss"};
constexpr std::string_view kShareSource[] = {"none", "contract", "bank_cert"};
constexpr std::string_view kOrigin[] = {"", "contract", "extension", "closing"};
constexpr std::string_view kPaymentKind[] = {"", "repayment", "prepayment"};
constexpr std::string_view kPaymentSource[] = {"", "borrower", "guarantor", "insurer", "disposal", "other"};
constexpr std::string_view kPrepayMode[] = {"", "shorten", "reduce"};
constexpr std::string_view kGuard[] = {"pending", "met", "not_met"};
constexpr std::string_view kCoverKind[] = {"", "guarantee", "insurance"};
constexpr std::string_view kCoverStatus[] = {"", "active", "claimed", "released"};
constexpr std::string_view kCessionMode[] = {"", "share", "amount"};
constexpr std::string_view kNplResult[] = {"", "not_applicable", "exempt", "not_exempt"};

template <typename T>
Result<std::optional<T>> read_typed(const StateView& s, std::string_view key) {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, read_record(s, key));
  if (!raw) return std::optional<T>();
  auto v = T::decode(*raw);
  if (!v.is_ok()) return Status::corruption("record " + std::string(key) + ": " + v.status().message());
  return std::optional<T>(std::move(*v));
}

}  // namespace

std::string_view day_count_name(DayCount d) { return kDayCount[static_cast<uint8_t>(d)]; }
std::optional<DayCount> day_count_from_name(std::string_view n) {
  auto i = index_of(kDayCount, n, 1);
  return i ? std::optional<DayCount>(static_cast<DayCount>(*i)) : std::nullopt;
}
std::string_view loan_status_name(LoanStatus s) { return kLoanStatus[static_cast<uint8_t>(s)]; }
std::string_view loan_class_name(LoanClass c) { return kClass[static_cast<uint8_t>(c)]; }
std::optional<LoanClass> loan_class_from_name(std::string_view n) {
  auto i = index_of(kClass, n, 1);
  return i ? std::optional<LoanClass>(static_cast<LoanClass>(*i)) : std::nullopt;
}
LoanClass class_floor(uint32_t dpd) {
  if (dpd > 360) return LoanClass::kLoss;
  if (dpd > 270) return LoanClass::kDoubtful;
  if (dpd > 90) return LoanClass::kSubstandard;
  if (dpd > 0) return LoanClass::kSpecialMention;
  return LoanClass::kNormal;
}
std::string_view share_source_name(ShareSource s) { return kShareSource[static_cast<uint8_t>(s)]; }
std::optional<ShareSource> share_source_from_name(std::string_view n) {
  auto i = index_of(kShareSource, n, 0);
  return i ? std::optional<ShareSource>(static_cast<ShareSource>(*i)) : std::nullopt;
}
std::string_view item_origin_name(ItemOrigin o) { return kOrigin[static_cast<uint8_t>(o)]; }
std::string_view payment_kind_name(PaymentKind k) { return kPaymentKind[static_cast<uint8_t>(k)]; }
std::string_view payment_source_name(PaymentSource s) { return kPaymentSource[static_cast<uint8_t>(s)]; }
std::optional<PaymentSource> payment_source_from_name(std::string_view n) {
  auto i = index_of(kPaymentSource, n, 1);
  return i ? std::optional<PaymentSource>(static_cast<PaymentSource>(*i)) : std::nullopt;
}
std::optional<PrepayMode> prepay_mode_from_name(std::string_view n) {
  auto i = index_of(kPrepayMode, n, 1);
  return i ? std::optional<PrepayMode>(static_cast<PrepayMode>(*i)) : std::nullopt;
}
std::string_view guard_name(Guard g) { return kGuard[static_cast<uint8_t>(g)]; }
std::string_view cover_kind_name(CoverKind k) { return kCoverKind[static_cast<uint8_t>(k)]; }
std::string_view cover_status_name(CoverStatus s) { return kCoverStatus[static_cast<uint8_t>(s)]; }
std::string_view cession_mode_name(CessionMode m) { return kCessionMode[static_cast<uint8_t>(m)]; }
std::optional<CessionMode> cession_mode_from_name(std::string_view n) {
  auto i = index_of(kCessionMode, n, 1);
  return i ? std::optional<CessionMode>(static_cast<CessionMode>(*i)) : std::nullopt;
}
std::string_view npl_result_name(NplResult r) { return kNplResult[static_cast<uint8_t>(r)]; }

// --- Loan ----------------------------------------------------------------------

Bytes Loan::encode() const {
  Encoder e(256 + 32 * (schedule.size() + payments.size() + classes.size()));
  e.u64(id).u64(bank).str(branch_code).str(borrower).str(contract_ref).str(scheme).i64(principal_fen).i64(rate_ppm)
      .u8(static_cast<uint8_t>(day_count)).u32(term_months).u32(start).u32(maturity).u32(original_maturity)
      .u32(ip_share_ppm).u8(static_cast<uint8_t>(ip_share_source)).i64(eligible_principal_fen)
      .u8(static_cast<uint8_t>(status)).u32(disbursed_on).i64(disbursed_fen).i64(principal_paid_fen).i64(prepaid_fen)
      .i64(interest_billed_fen).i64(interest_paid_fen).i64(written_off_fen).i64(interest_written_off_fen)
      .u32(accrual_from);
  put_i128(e, accrued);
  e.u8(static_cast<uint8_t>(cls)).u32(npl_date).u32(max_dpd).boolean(ever_overdue).u32(settled_on)
      .boolean(settled_on_time).u32(written_off_on).u8(static_cast<uint8_t>(settlement_guard))
      .u32(settlement_guard_reg_date).u8(static_cast<uint8_t>(npl_guard)).u32(npl_guard_reg_date);
  e.count(schedule.size());
  for (const Installment& i : schedule) {
    e.u32(i.due).i64(i.principal_fen).i64(i.interest_fen).boolean(i.billed).u8(static_cast<uint8_t>(i.origin));
  }
  e.count(pledges.size());
  for (const LoanPledge& p : pledges) e.u64(p.pledge_id).u32(p.linked_on);
  e.count(payments.size());
  for (const Payment& p : payments) {
    e.u32(p.date).u8(static_cast<uint8_t>(p.kind)).u8(static_cast<uint8_t>(p.source)).i64(p.principal_fen)
        .i64(p.interest_fen).u32(p.dpd);
  }
  e.count(classes.size());
  for (const ClassEntry& c : classes) {
    e.u32(c.date).u8(static_cast<uint8_t>(c.cls)).u8(static_cast<uint8_t>(c.floor)).u32(c.dpd).u64(c.by);
  }
  e.count(extensions.size());
  for (const Extension& x : extensions) e.u32(x.approved_on).u32(x.old_maturity).u32(x.new_maturity);
  return e.take();
}

Result<Loan> Loan::decode(ByteView b) {
  Decoder d(b);
  Loan l;
  IPL_RETURN_IF_ERROR(d.u64(l.id));
  IPL_RETURN_IF_ERROR(d.u64(l.bank));
  IPL_RETURN_IF_ERROR(d.str(l.branch_code, kStr));
  IPL_RETURN_IF_ERROR(d.str(l.borrower, kStr));
  IPL_RETURN_IF_ERROR(d.str(l.contract_ref, kStr));
  IPL_RETURN_IF_ERROR(d.str(l.scheme, kStr));
  IPL_RETURN_IF_ERROR(get_money(d, l.principal_fen));
  IPL_RETURN_IF_ERROR(get_money(d, l.rate_ppm));
  IPL_RETURN_IF_ERROR(get_enum(d, l.day_count, 1, 2));
  IPL_RETURN_IF_ERROR(d.u32(l.term_months));
  IPL_RETURN_IF_ERROR(get_udate(d, l.start));
  IPL_RETURN_IF_ERROR(get_udate(d, l.maturity));
  IPL_RETURN_IF_ERROR(get_udate(d, l.original_maturity));
  IPL_RETURN_IF_ERROR(d.u32(l.ip_share_ppm));
  IPL_RETURN_IF_ERROR(get_enum(d, l.ip_share_source, 0, 2));
  IPL_RETURN_IF_ERROR(get_money(d, l.eligible_principal_fen));
  IPL_RETURN_IF_ERROR(get_enum(d, l.status, 1, 4));
  IPL_RETURN_IF_ERROR(get_udate(d, l.disbursed_on));
  for (int64_t* v : {&l.disbursed_fen, &l.principal_paid_fen, &l.prepaid_fen, &l.interest_billed_fen,
                     &l.interest_paid_fen, &l.written_off_fen, &l.interest_written_off_fen}) {
    IPL_RETURN_IF_ERROR(get_money(d, *v));
  }
  IPL_RETURN_IF_ERROR(get_udate(d, l.accrual_from));
  IPL_RETURN_IF_ERROR(get_i128(d, l.accrued));
  IPL_RETURN_IF_ERROR(get_enum(d, l.cls, 1, 5));
  IPL_RETURN_IF_ERROR(get_udate(d, l.npl_date));
  IPL_RETURN_IF_ERROR(d.u32(l.max_dpd));
  IPL_RETURN_IF_ERROR(d.boolean(l.ever_overdue));
  IPL_RETURN_IF_ERROR(get_udate(d, l.settled_on));
  IPL_RETURN_IF_ERROR(d.boolean(l.settled_on_time));
  IPL_RETURN_IF_ERROR(get_udate(d, l.written_off_on));
  IPL_RETURN_IF_ERROR(get_enum(d, l.settlement_guard, 0, 2));
  IPL_RETURN_IF_ERROR(get_udate(d, l.settlement_guard_reg_date));
  IPL_RETURN_IF_ERROR(get_enum(d, l.npl_guard, 0, 2));
  IPL_RETURN_IF_ERROR(get_udate(d, l.npl_guard_reg_date));
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, kLoanListMax, 22));
  l.schedule.resize(n);
  for (Installment& i : l.schedule) {
    IPL_RETURN_IF_ERROR(get_udate(d, i.due));
    IPL_RETURN_IF_ERROR(get_money(d, i.principal_fen));
    IPL_RETURN_IF_ERROR(get_money(d, i.interest_fen));
    IPL_RETURN_IF_ERROR(d.boolean(i.billed));
    IPL_RETURN_IF_ERROR(get_enum(d, i.origin, 1, 3));
  }
  IPL_RETURN_IF_ERROR(d.count(n, kLoanPledgesMax, 12));
  l.pledges.resize(n);
  for (LoanPledge& p : l.pledges) {
    IPL_RETURN_IF_ERROR(d.u64(p.pledge_id));
    IPL_RETURN_IF_ERROR(get_udate(d, p.linked_on));
  }
  IPL_RETURN_IF_ERROR(d.count(n, kLoanListMax, 26));
  l.payments.resize(n);
  for (Payment& p : l.payments) {
    IPL_RETURN_IF_ERROR(get_udate(d, p.date));
    IPL_RETURN_IF_ERROR(get_enum(d, p.kind, 1, 2));
    IPL_RETURN_IF_ERROR(get_enum(d, p.source, 1, 5));
    IPL_RETURN_IF_ERROR(get_money(d, p.principal_fen));
    IPL_RETURN_IF_ERROR(get_money(d, p.interest_fen));
    IPL_RETURN_IF_ERROR(d.u32(p.dpd));
  }
  IPL_RETURN_IF_ERROR(d.count(n, kLoanListMax, 18));
  l.classes.resize(n);
  for (ClassEntry& c : l.classes) {
    IPL_RETURN_IF_ERROR(get_udate(d, c.date));
    IPL_RETURN_IF_ERROR(get_enum(d, c.cls, 1, 5));
    IPL_RETURN_IF_ERROR(get_enum(d, c.floor, 1, 5));
    IPL_RETURN_IF_ERROR(d.u32(c.dpd));
    IPL_RETURN_IF_ERROR(d.u64(c.by));
  }
  IPL_RETURN_IF_ERROR(d.count(n, kLoanListMax, 12));
  l.extensions.resize(n);
  for (Extension& x : l.extensions) {
    IPL_RETURN_IF_ERROR(get_udate(d, x.approved_on));
    IPL_RETURN_IF_ERROR(get_udate(d, x.old_maturity));
    IPL_RETURN_IF_ERROR(get_udate(d, x.new_maturity));
  }
  IPL_RETURN_IF_ERROR(d.finish());
  if (l.accrued < 0) return Status::invalid("negative accrued interest");
  if (l.outstanding_fen() < 0 || l.interest_paid_fen > l.interest_billed_fen) return Status::invalid("loan balances");
  return l;
}

// --- Cover, NPL report, IdList --------------------------------------------------

Bytes Cover::encode() const {
  Encoder e(256);
  e.u64(id).u8(static_cast<uint8_t>(kind)).u64(provider).u64(loan).str(borrower).str(contract_ref).u32(loss_share_ppm)
      .i64(cover_amount_fen).u32(start).u8(static_cast<uint8_t>(status)).u32(released_on).i64(fees_paid_fen)
      .i64(paid_out_fen).i64(ceded_fen).i64(recovered_fen);
  e.count(cessions.size());
  for (const Cession& c : cessions) {
    e.u64(c.cessionary).u8(static_cast<uint8_t>(c.mode)).u32(c.share_ppm).i64(c.amount_fen).str(c.contract_ref)
        .u32(c.date).i64(c.ceded_fen).i64(c.recovered_fen);
  }
  e.count(fees.size());
  for (const CoverFee& f : fees) e.u32(f.date).i64(f.amount_fen).str(f.invoice_ref);
  e.count(payouts.size());
  for (const Payout& p : payouts) e.u32(p.date).i64(p.amount_fen).i64(p.ceded_fen);
  return e.take();
}

Result<Cover> Cover::decode(ByteView b) {
  Decoder d(b);
  Cover c;
  IPL_RETURN_IF_ERROR(d.u64(c.id));
  IPL_RETURN_IF_ERROR(get_enum(d, c.kind, 1, 2));
  IPL_RETURN_IF_ERROR(d.u64(c.provider));
  IPL_RETURN_IF_ERROR(d.u64(c.loan));
  IPL_RETURN_IF_ERROR(d.str(c.borrower, kStr));
  IPL_RETURN_IF_ERROR(d.str(c.contract_ref, kStr));
  IPL_RETURN_IF_ERROR(d.u32(c.loss_share_ppm));
  IPL_RETURN_IF_ERROR(get_money(d, c.cover_amount_fen));
  IPL_RETURN_IF_ERROR(get_udate(d, c.start));
  IPL_RETURN_IF_ERROR(get_enum(d, c.status, 1, 3));
  IPL_RETURN_IF_ERROR(get_udate(d, c.released_on));
  for (int64_t* v : {&c.fees_paid_fen, &c.paid_out_fen, &c.ceded_fen, &c.recovered_fen}) {
    IPL_RETURN_IF_ERROR(get_money(d, *v));
  }
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, kCessionsMax, 41));
  c.cessions.resize(n);
  for (Cession& x : c.cessions) {
    IPL_RETURN_IF_ERROR(d.u64(x.cessionary));
    IPL_RETURN_IF_ERROR(get_enum(d, x.mode, 1, 2));
    IPL_RETURN_IF_ERROR(d.u32(x.share_ppm));
    IPL_RETURN_IF_ERROR(get_money(d, x.amount_fen));
    IPL_RETURN_IF_ERROR(d.str(x.contract_ref, kStr));
    IPL_RETURN_IF_ERROR(get_udate(d, x.date));
    IPL_RETURN_IF_ERROR(get_money(d, x.ceded_fen));
    IPL_RETURN_IF_ERROR(get_money(d, x.recovered_fen));
    if (x.recovered_fen > x.ceded_fen) return Status::invalid("cession recovered above ceded");
  }
  IPL_RETURN_IF_ERROR(d.count(n, kCoverListMax, 16));
  c.fees.resize(n);
  for (CoverFee& f : c.fees) {
    IPL_RETURN_IF_ERROR(get_udate(d, f.date));
    IPL_RETURN_IF_ERROR(get_money(d, f.amount_fen));
    IPL_RETURN_IF_ERROR(d.str(f.invoice_ref, kStr));
  }
  IPL_RETURN_IF_ERROR(d.count(n, kCoverListMax, 20));
  c.payouts.resize(n);
  for (Payout& p : c.payouts) {
    IPL_RETURN_IF_ERROR(get_udate(d, p.date));
    IPL_RETURN_IF_ERROR(get_money(d, p.amount_fen));
    IPL_RETURN_IF_ERROR(get_money(d, p.ceded_fen));
  }
  IPL_RETURN_IF_ERROR(d.finish());
  if (c.recovered_fen > c.ceded_fen || c.ceded_fen > c.paid_out_fen) return Status::invalid("cover balances");
  return c;
}

Bytes NplReport::encode() const {
  return Encoder()
      .u64(bank).str(branch_code).u32(reporting_date).u64(filed_by).i64(ip_balance_fen).i64(ip_npl_fen).i64(total_fen)
      .i64(total_npl_fen).u32(ip_loans).u8(static_cast<uint8_t>(result)).i64(ratio_ip_bp).i64(ratio_all_bp)
      .i64(diff_bp).i64(tolerance_ppm).u64(totals_attester)
      .take();
}

Result<NplReport> NplReport::decode(ByteView b) {
  Decoder d(b);
  NplReport r;
  IPL_RETURN_IF_ERROR(d.u64(r.bank));
  IPL_RETURN_IF_ERROR(d.str(r.branch_code, kStr));
  IPL_RETURN_IF_ERROR(get_udate(d, r.reporting_date));
  IPL_RETURN_IF_ERROR(d.u64(r.filed_by));
  for (int64_t* v : {&r.ip_balance_fen, &r.ip_npl_fen, &r.total_fen, &r.total_npl_fen}) {
    IPL_RETURN_IF_ERROR(get_money(d, *v));
  }
  IPL_RETURN_IF_ERROR(d.u32(r.ip_loans));
  IPL_RETURN_IF_ERROR(get_enum(d, r.result, 1, 3));
  IPL_RETURN_IF_ERROR(d.i64(r.ratio_ip_bp));
  IPL_RETURN_IF_ERROR(d.i64(r.ratio_all_bp));
  IPL_RETURN_IF_ERROR(d.i64(r.diff_bp));
  IPL_RETURN_IF_ERROR(d.i64(r.tolerance_ppm));
  IPL_RETURN_IF_ERROR(d.u64(r.totals_attester));
  IPL_RETURN_IF_ERROR(d.finish());
  return r;
}

Bytes IdList::encode() const {
  Encoder e(4 + 8 * ids.size());
  e.count(ids.size());
  for (uint64_t x : ids) e.u64(x);
  return e.take();
}
Result<IdList> IdList::decode(ByteView b) {
  Decoder d(b);
  IdList x;
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, kBookMax, 8));
  x.ids.resize(n);
  for (uint64_t& v : x.ids) IPL_RETURN_IF_ERROR(d.u64(v));
  IPL_RETURN_IF_ERROR(d.finish());
  return x;
}

namespace keys {
std::string loan(uint64_t id) { return "loan/" + hex16(id); }
std::string loan_ref(uint64_t bank, std::string_view ref) { return "loanref/" + hex16(bank) + "/" + std::string(ref); }
std::string cover(uint64_t id) { return "cover/" + hex16(id); }
std::string npl_report(uint64_t bank, uint32_t date) { return "npl/" + hex16(bank) + "/" + std::to_string(date); }
std::string idx_bank_loans(uint64_t bank) { return "sys/idx/loans/" + hex16(bank); }
std::string idx_enterprise_loans(std::string_view uscc) { return "sys/idx/entloans/" + std::string(uscc); }
std::string idx_pledge_loan(uint64_t pledge_id) { return "sys/idx/pledgeloan/" + hex16(pledge_id); }
std::string idx_loan_covers(uint64_t loan_id) { return "sys/idx/loancovers/" + hex16(loan_id); }
std::string idx_provider_covers(uint64_t member) { return "sys/idx/covers/" + hex16(member); }
std::string idx_cessionary_covers(uint64_t member) { return "sys/idx/cessions/" + hex16(member); }
std::string book_page(std::string_view book_key, uint64_t page) {
  return std::string(book_key) + "/" + hex16(page).substr(8);
}
}  // namespace keys

// --- Books ----------------------------------------------------------------------

namespace {

// `wrapped`: committed state (RecordBody values, the readers) or a
// module's transaction view (bodies).
Result<std::optional<Bytes>> body_at(const StateView& s, std::string_view key, bool wrapped) {
  if (wrapped) return read_record(s, key);
  return s.get(as_view(key));
}

Result<uint64_t> count_of(const StateView& s, std::string_view key, bool wrapped) {
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, body_at(s, key, wrapped));
  if (!raw) return uint64_t{0};
  Decoder d(*raw);
  uint64_t n = 0;
  if (!d.u64(n).is_ok() || !d.finish().is_ok() || n > kBookMax) {
    return Status::corruption("book " + std::string(key) + ": bad count");
  }
  return n;
}

Result<IdList> page_of(const StateView& s, std::string_view key, uint64_t page, bool wrapped) {
  const std::string k = keys::book_page(key, page);
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, body_at(s, k, wrapped));
  if (!raw) return Status::corruption("book page " + k + " missing");
  auto v = IdList::decode(*raw);
  if (!v.is_ok()) return Status::corruption("book page " + k + ": " + v.status().message());
  return std::move(*v);
}

Result<std::vector<uint64_t>> ids_of(const StateView& s, std::string_view key, bool wrapped) {
  IPL_ASSIGN_OR_RETURN(uint64_t n, count_of(s, key, wrapped));
  std::vector<uint64_t> out;
  out.reserve(n);
  for (uint64_t page = 0; page * kBookPage < n; ++page) {
    IPL_ASSIGN_OR_RETURN(IdList p, page_of(s, key, page, wrapped));
    const uint64_t want = std::min<uint64_t>(kBookPage, n - page * kBookPage);
    if (p.ids.size() != want) return Status::corruption("book " + std::string(key) + ": page size");
    out.insert(out.end(), p.ids.begin(), p.ids.end());
  }
  IPL_ASSERT(out.size() == n);
  return out;
}

}  // namespace

Result<uint64_t> book_count(const StateView& s, std::string_view book_key) { return count_of(s, book_key, false); }

Result<bool> book_append(StateView& s, std::string_view book_key, uint64_t id) {
  IPL_ASSIGN_OR_RETURN(uint64_t n, count_of(s, book_key, false));
  if (n >= kBookMax) return false;
  const uint64_t page = n / kBookPage;
  IdList p;
  if (n % kBookPage != 0) {
    IPL_ASSIGN_OR_RETURN(p, page_of(s, book_key, page, false));
    if (p.ids.size() != n % kBookPage) return Status::corruption("book " + std::string(book_key) + ": page size");
  }
  IPL_DEBUG_ASSERT(std::find(p.ids.begin(), p.ids.end(), id) == p.ids.end());
  p.ids.push_back(id);
  s.put(as_view(keys::book_page(book_key, page)), p.encode());
  s.put(as_view(book_key), Encoder(8).u64(n + 1).take());
  return true;
}

Result<std::vector<uint64_t>> book_ids(const StateView& s, std::string_view book_key) {
  return ids_of(s, book_key, false);
}

// --- Dates ----------------------------------------------------------------------

int64_t days_between(uint32_t a, uint32_t b) {
  return CivilDate{b}.days_since_epoch() - CivilDate{a}.days_since_epoch();
}

uint32_t add_months(uint32_t d, uint32_t months) {
  IPL_ASSERT(CivilDate{d}.is_valid());
  IPL_ASSERT(months <= 12 * 1000);
  const uint32_t index = (d / 10000) * 12 + (d / 100 % 100 - 1) + months;
  const uint32_t y = index / 12, m = index % 12 + 1;
  uint32_t day = d % 100;
  while (!CivilDate{y * 10000 + m * 100 + day}.is_valid()) --day;  // at most 3 steps (31 → 28)
  return y * 10000 + m * 100 + day;
}

bool is_month_end(uint32_t d) {
  IPL_ASSERT(CivilDate{d}.is_valid());
  return CivilDate::from_days_since_epoch(CivilDate{d}.days_since_epoch() + 1).yyyymmdd % 100 == 1;
}

// --- Loan arithmetic ----------------------------------------------------------------

namespace {

i128 denominator(const Loan& l) { return static_cast<i128>(basis_days(l.day_count)) * kPpm; }

void accrue(Loan& l, uint32_t to) {
  const int64_t days = days_between(l.accrual_from, to);
  IPL_ASSERT(days >= 0);
  IPL_ASSERT(l.outstanding_fen() >= 0 && l.outstanding_fen() <= kLoanPrincipalMax);
  // <= 1e15 × 1e6 × (days of a period) per segment: far inside 128 bits.
  l.accrued += static_cast<i128>(l.outstanding_fen()) * l.rate_ppm * days;
  l.accrual_from = to;
}

int64_t billed_amount(const Loan& l) {
  const i128 v = round_half_up(l.accrued, denominator(l));
  IPL_ASSERT(v >= 0 && v <= INT64_MAX / 4);
  return static_cast<int64_t>(v);
}

}  // namespace

void roll_to(Loan& l, uint32_t date) {
  IPL_ASSERT(l.status == LoanStatus::kActive);
  IPL_ASSERT(date >= l.accrual_from);
  for (Installment& it : l.schedule) {
    if (it.billed) continue;
    if (it.due > date) break;
    accrue(l, it.due);
    it.interest_fen = billed_amount(l);
    it.billed = true;
    l.interest_billed_fen += it.interest_fen;
    l.accrued = 0;
  }
  accrue(l, date);
  IPL_ASSERT(l.accrual_from == date);
}

bool bill_closing(Loan& l, bool force) {
  IPL_ASSERT(l.status == LoanStatus::kActive);
  IPL_ASSERT(force || l.schedule.empty() || l.schedule.back().billed);
  if (l.accrued == 0 && !force) return true;
  const int64_t amount = billed_amount(l);
  if (amount > 0 && l.schedule.size() >= kLoanListMax) return false;
  if (force) {
    // A full prepayment: the installments not yet due go (their principal
    // is being prepaid by the caller).
    while (!l.schedule.empty() && !l.schedule.back().billed) l.schedule.pop_back();
  }
  l.accrued = 0;
  if (amount == 0) return true;  // a 0-fen line item is not listed
  l.schedule.push_back(Installment{l.accrual_from, 0, amount, true, ItemOrigin::kClosing});
  l.interest_billed_fen += amount;
  return true;
}

uint32_t overdue_days(const Loan& l, uint32_t date) {
  if (l.status != LoanStatus::kActive) return 0;
  IPL_ASSERT(date >= l.accrual_from);
  const int64_t regular_paid = l.principal_paid_fen - l.prepaid_fen;
  int64_t principal = 0, interest = 0;
  for (const Installment& it : l.schedule) {
    if (!it.billed) break;
    principal += it.principal_fen;
    interest += it.interest_fen;
    if (principal > regular_paid || interest > l.interest_paid_fen) {
      return it.due < date ? static_cast<uint32_t>(days_between(it.due, date)) : 0;
    }
  }
  return 0;
}

int64_t principal_due(const Loan& l, uint32_t date) {
  int64_t due = 0;
  for (const Installment& it : l.schedule) {
    if (!it.billed || it.due > date) break;
    due += it.principal_fen;
  }
  const int64_t left = due - (l.principal_paid_fen - l.prepaid_fen);
  IPL_ASSERT(left >= 0);
  return left;
}

int64_t outstanding_at(const Loan& l, uint32_t date) {
  if (l.disbursed_on == 0 || date < l.disbursed_on) return 0;
  if (l.written_off_on != 0 && date >= l.written_off_on) return 0;
  int64_t bal = l.disbursed_fen;
  for (const Payment& p : l.payments) {
    if (p.date > date) break;  // payments are in value-date order
    bal -= p.principal_fen;
  }
  IPL_ASSERT(bal >= 0);
  return bal;
}

LoanClass class_at(const Loan& l, uint32_t date) {
  LoanClass c = LoanClass::kNormal;
  for (const ClassEntry& e : l.classes) {
    if (e.date > date) break;
    c = e.cls;
  }
  return c;
}

bool is_ip_pledge_at(const Loan& l, uint32_t date) {
  return std::any_of(l.pledges.begin(), l.pledges.end(), [date](const LoanPledge& p) { return p.linked_on <= date; });
}

int64_t ip_part(const Loan& l, int64_t principal_fen) {
  IPL_ASSERT(principal_fen >= 0);
  IPL_ASSERT(l.ip_share_ppm <= kPpm);
  return static_cast<int64_t>(round_half_up(static_cast<i128>(principal_fen) * l.ip_share_ppm, kPpm));
}

// --- Readers ------------------------------------------------------------------------

Result<std::optional<Loan>> loan_of(const StateView& s, uint64_t id) { return read_typed<Loan>(s, keys::loan(id)); }

namespace {
template <typename T>
Result<std::vector<T>> load_ids(const StateView& s, const std::vector<uint64_t>& ids, const std::string& index_key,
                                std::string (*key_of)(uint64_t)) {
  std::vector<T> out;
  for (uint64_t id : ids) {
    IPL_ASSIGN_OR_RETURN(std::optional<T> v, read_typed<T>(s, key_of(id)));
    if (!v) return Status::corruption("index " + index_key + " names a missing record");
    out.push_back(std::move(*v));
  }
  return out;
}
// A committed Book's records.
template <typename T>
Result<std::vector<T>> load_book(const StateView& s, const std::string& book_key, std::string (*key_of)(uint64_t)) {
  IPL_ASSIGN_OR_RETURN(std::vector<uint64_t> ids, ids_of(s, book_key, true));
  return load_ids<T>(s, ids, book_key, key_of);
}
// A committed IdList's records.
template <typename T>
Result<std::vector<T>> load_listed(const StateView& s, const std::string& index_key, std::string (*key_of)(uint64_t)) {
  IPL_ASSIGN_OR_RETURN(std::optional<IdList> idx, read_typed<IdList>(s, index_key));
  if (!idx) return std::vector<T>();
  return load_ids<T>(s, idx->ids, index_key, key_of);
}
}  // namespace

Result<std::vector<Loan>> loans_of_bank(const StateView& s, uint64_t bank) {
  return load_book<Loan>(s, keys::idx_bank_loans(bank), &keys::loan);
}
Result<std::vector<Loan>> loans_of_enterprise(const StateView& s, std::string_view uscc) {
  return load_book<Loan>(s, keys::idx_enterprise_loans(uscc), &keys::loan);
}

Result<std::optional<LoanPosition>> loan_position(const StateView& s, uint64_t id, uint32_t date) {
  if (!CivilDate{date}.is_valid()) return Status::invalid("bad date");
  IPL_ASSIGN_OR_RETURN(std::optional<Loan> found, loan_of(s, id));
  if (!found) return std::optional<LoanPosition>();
  Loan l = std::move(*found);
  LoanPosition p;
  p.date = date;
  p.status = l.status;
  if (l.status == LoanStatus::kActive) {
    if (date < l.accrual_from) return std::optional<LoanPosition>();
    roll_to(l, date);
    p.dpd = overdue_days(l, date);
    p.principal_due_fen = principal_due(l, date);
    p.interest_accrued_fen = billed_amount(l);
    p.outstanding_fen = l.outstanding_fen();
  } else {
    p.outstanding_fen = outstanding_at(l, date);
  }
  p.ip_outstanding_fen = ip_part(l, p.outstanding_fen);
  p.interest_due_fen = interest_due(l);
  p.cls = class_at(l, date);
  p.floor = class_floor(p.dpd);
  p.schedule = std::move(l.schedule);
  return std::optional<LoanPosition>(std::move(p));
}

Result<uint32_t> first_pledge_reg_date(const StateView& s, const Loan& l) {
  uint32_t first = 0;
  for (const LoanPledge& lp : l.pledges) {
    IPL_ASSIGN_OR_RETURN(std::optional<Pledge> p, pledge_of(s, lp.pledge_id));
    if (!p) return Status::corruption("loan links a missing pledge");
    if (p->reg_date == 0 || p->status == PledgeStatus::kRevoked) continue;
    if (first == 0 || p->reg_date < first) first = p->reg_date;
  }
  return first;
}

Result<std::optional<Cover>> cover_of(const StateView& s, uint64_t id) { return read_typed<Cover>(s, keys::cover(id)); }
Result<std::vector<Cover>> covers_of_loan(const StateView& s, uint64_t loan_id) {
  return load_listed<Cover>(s, keys::idx_loan_covers(loan_id), &keys::cover);
}
Result<LossShares> loss_shares_of_loan(const StateView& s, uint64_t loan_id) {
  IPL_ASSIGN_OR_RETURN(std::vector<Cover> covers, covers_of_loan(s, loan_id));
  LossShares out;
  for (const Cover& c : covers) {
    out.covers.emplace_back(c.id, c.loss_share_ppm);
    out.covered_ppm += c.loss_share_ppm;
  }
  IPL_ASSERT(out.covered_ppm <= kPpm);  // cover.share_exceeds keeps it so
  out.bank_ppm = kPpm - out.covered_ppm;
  return out;
}
Result<Book> book_of(const StateView& s, uint64_t member) {
  Book b;
  IPL_ASSIGN_OR_RETURN(b.loans, loans_of_bank(s, member));
  IPL_ASSIGN_OR_RETURN(b.covers, load_book<Cover>(s, keys::idx_provider_covers(member), &keys::cover));
  IPL_ASSIGN_OR_RETURN(b.cessions, load_book<Cover>(s, keys::idx_cessionary_covers(member), &keys::cover));
  return b;
}
Result<std::optional<NplReport>> npl_report_of(const StateView& s, uint64_t bank, uint32_t reporting_date) {
  return read_typed<NplReport>(s, keys::npl_report(bank, reporting_date));
}

}  // namespace ipl::contracts
