// Records, keys, loan arithmetic and StateView readers of the loan,
// guarantee/insurance and NPL-tolerance modules (issue 7; DOMAIN.md Part A
// decision 6, Part B §2.1–§2.2, §5, §8.1, §9). Grammars (primitives of
// common/encoding.h; udate = u32 yyyymmdd, 0 = none; i128 = u64 high ‖ u64
// low, two's complement):
//   Loan        = u64 id ‖ u64 bank ‖ string branch_code ‖ string borrower ‖ string contract_ref
//                 ‖ string scheme ‖ i64 principal_fen ‖ i64 rate_ppm ‖ u8 day_count ‖ u32 term_months
//                 ‖ udate start ‖ udate maturity ‖ udate original_maturity ‖ u32 ip_share_ppm
//                 ‖ u8 ip_share_source ‖ i64 eligible_principal_fen ‖ u8 status ‖ udate disbursed_on
//                 ‖ i64 disbursed_fen ‖ i64 principal_paid_fen ‖ i64 prepaid_fen ‖ i64 interest_billed_fen
//                 ‖ i64 interest_paid_fen ‖ i64 written_off_fen ‖ i64 interest_written_off_fen
//                 ‖ udate accrual_from ‖ i128 accrued ‖ u8 class ‖ udate npl_date ‖ u32 max_dpd
//                 ‖ bool ever_overdue ‖ udate settled_on ‖ bool settled_on_time ‖ udate written_off_on
//                 ‖ u8 settlement_guard ‖ udate settlement_guard_reg_date ‖ u8 npl_guard
//                 ‖ udate npl_guard_reg_date
//                 ‖ list<Installment> ‖ list<LoanPledge> ‖ list<Payment> ‖ list<ClassEntry> ‖ list<Extension>
//   Installment = udate due ‖ i64 principal_fen ‖ i64 interest_fen ‖ bool billed ‖ u8 origin
//   LoanPledge  = u64 pledge_id ‖ udate linked_on
//   Payment     = udate date ‖ u8 kind ‖ u8 source ‖ i64 principal_fen ‖ i64 interest_fen ‖ u32 dpd
//   ClassEntry  = udate date ‖ u8 class ‖ u8 floor ‖ u32 dpd ‖ u64 by
//   Extension   = udate approved_on ‖ udate old_maturity ‖ udate new_maturity
//   Cover       = u64 id ‖ u8 kind ‖ u64 provider ‖ u64 loan ‖ string borrower ‖ string contract_ref
//                 ‖ u32 loss_share_ppm ‖ i64 cover_amount_fen ‖ udate start ‖ u8 status ‖ udate released_on
//                 ‖ i64 fees_paid_fen ‖ i64 paid_out_fen ‖ i64 ceded_fen ‖ i64 recovered_fen
//                 ‖ list<Cession> ‖ list<CoverFee> ‖ list<Payout>
//   Cession     = u64 cessionary ‖ u8 mode ‖ u32 share_ppm ‖ i64 amount_fen ‖ string contract_ref ‖ udate date
//                 ‖ i64 ceded_fen ‖ i64 recovered_fen
//   CoverFee    = udate date ‖ i64 amount_fen ‖ string invoice_ref
//   Payout      = udate date ‖ i64 amount_fen ‖ i64 ceded_fen
//   NplReport   = u64 bank ‖ string branch_code ‖ udate reporting_date ‖ u64 filed_by ‖ i64 ip_balance_fen
//                 ‖ i64 ip_npl_fen ‖ i64 total_fen ‖ i64 total_npl_fen ‖ u32 ip_loans ‖ u8 result
//                 ‖ i64 ratio_ip_bp ‖ i64 ratio_all_bp ‖ i64 diff_bp ‖ i64 tolerance_ppm ‖ u64 totals_attester
//   IdList      = list<u64>                                 (ascending creation order)
//   Book        = u64 count at "<book key>" and IdList pages of kBookPage ids at
//                 "<book key>/<page:08x>" (page i holds ids i·kBookPage ..): appending
//                 touches one page, not the whole book
// Keys: "loan/<id:016x>", "loanref/<bank:016x>/<contract_ref>" (u64 id), "sys/loan_seq" (u64),
// "cover/<id:016x>", "sys/cover_seq" (u64), "npl/<bank:016x>/<yyyymmdd>", and the derived
// bookkeeping indexes (exempt from the value_date chain rule like issue 6's): the Books
// "sys/idx/loans/<bank:016x>", "sys/idx/entloans/<uscc>", "sys/idx/covers/<provider:016x>",
// "sys/idx/cessions/<cessionary:016x>" (cover ids); "sys/idx/loancovers/<loan:016x>" (IdList);
// "sys/idx/pledgeloan/<pledge:016x>" (u64 loan id).
//
// Loan arithmetic (decision 6, §2.1, §2.2): money in fen, the contract rate
// in ppm a year, interest accrued on the outstanding principal day by day
// (actual days) over the loan's day-count basis (actual/360 unless the loan
// says actual/365), kept exactly as the numerator `accrued` over basis × 1e6
// and rounded half-up once per line item: an installment's interest is
// billed, rounded, on its due date; after the last installment (or at a
// full prepayment) interest still accruing is billed as a "closing" line
// item on the day of a repayment, prepayment, settlement or write-off.
// Overdue days (DPD) on date D: D − the due date of the oldest line item
// whose principal (by regular repayments) or interest (by all interest
// paid) is not fully paid, counted cumulatively in schedule order; 0 when
// that due date is not before D. Penalty interest (罚息) is not modelled:
// overdue principal keeps accruing at the contract rate.
// Thread-safety: values and pure functions only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/chain.h"
#include "common/state_view.h"
#include "contracts/arith.h"
#include "contracts/records.h"

namespace ipl::contracts {

// Bounds (each with the code that reports it):
// loans and covers per book and per enterprise (loan.book_full,
// cover.book_full): the NPL report reads every loan of a branch in one
// transaction, within limits::tx_state_ops_max.
inline constexpr size_t kBookMax = 4000;
inline constexpr size_t kBookPage = 256;
// Installments of a contract or an extension (loan.bad_schedule).
inline constexpr size_t kScheduleMax = 360;
// Entries of each list of a loan record: line items, payments,
// classifications, extensions (loan.history_full).
inline constexpr size_t kLoanListMax = 2048;
// Pledges linked to one loan (loan.bad_schedule for the payload; the same
// bound at loan.link_pledge is loan.history_full).
inline constexpr size_t kLoanPledgesMax = 16;
// Covers of one loan and cessions of one cover (cover.book_full,
// cover.cession_exceeds); fees and payouts of a cover (cover.history_full).
inline constexpr size_t kLoanCoversMax = 64;
inline constexpr size_t kCessionsMax = 16;
inline constexpr size_t kCoverListMax = 1024;
// A loan's principal (tx.bad_payload above it): keeps every accrual
// numerator far inside 128 bits and the NPL balances inside
// kNplBalanceFenMax.
inline constexpr int64_t kLoanPrincipalMax = 1'000'000'000'000'000;
inline constexpr int64_t kRatePpmMax = kPpm;  // 100% a year
inline constexpr uint32_t kTermMonthsMax = 360;

enum class DayCount : uint8_t { kAct360 = 1, kAct365 = 2 };
std::string_view day_count_name(DayCount d);
std::optional<DayCount> day_count_from_name(std::string_view n);
inline int64_t basis_days(DayCount d) { return d == DayCount::kAct365 ? 365 : 360; }

enum class LoanStatus : uint8_t { kContracted = 1, kActive, kSettled, kWrittenOff };
std::string_view loan_status_name(LoanStatus s);

// Bank classification (五级分类, §9.2); NPL = substandard or worse.
enum class LoanClass : uint8_t { kNormal = 1, kSpecialMention, kSubstandard, kDoubtful, kLoss };
std::string_view loan_class_name(LoanClass c);
std::optional<LoanClass> loan_class_from_name(std::string_view n);
inline bool is_npl(LoanClass c) { return c >= LoanClass::kSubstandard; }
// The days-past-due floor of §9.2: any overdue → special mention, > 90 →
// substandard, > 270 → doubtful, > 360 → loss.
LoanClass class_floor(uint32_t dpd);

// Where the IP share comes from (§5): none (share 0), the contract, a bank
// certificate.
enum class ShareSource : uint8_t { kNone = 0, kContract = 1, kBankCert = 2 };
std::string_view share_source_name(ShareSource s);
std::optional<ShareSource> share_source_from_name(std::string_view n);

enum class ItemOrigin : uint8_t { kContract = 1, kExtension, kClosing };
std::string_view item_origin_name(ItemOrigin o);
enum class PaymentKind : uint8_t { kRepayment = 1, kPrepayment };
std::string_view payment_kind_name(PaymentKind k);
enum class PaymentSource : uint8_t { kBorrower = 1, kGuarantor, kInsurer, kDisposal, kOther };
std::string_view payment_source_name(PaymentSource s);
std::optional<PaymentSource> payment_source_from_name(std::string_view n);
enum class PrepayMode : uint8_t { kShorten = 1, kReduce = 2 };
std::optional<PrepayMode> prepay_mode_from_name(std::string_view n);
// A timing guard of §5 (pledge registered no later than settlement / the
// NPL date): not evaluated yet, met, not met.
enum class Guard : uint8_t { kPending = 0, kMet = 1, kNotMet = 2 };
std::string_view guard_name(Guard g);

struct Installment {
  uint32_t due = 0;
  int64_t principal_fen = 0;
  int64_t interest_fen = 0;  // set when billed
  bool billed = false;
  ItemOrigin origin = ItemOrigin::kContract;
  bool operator==(const Installment&) const = default;
};
struct LoanPledge {
  uint64_t pledge_id = 0;
  uint32_t linked_on = 0;
  bool operator==(const LoanPledge&) const = default;
};
struct Payment {
  uint32_t date = 0;
  PaymentKind kind = PaymentKind::kRepayment;
  PaymentSource source = PaymentSource::kBorrower;
  int64_t principal_fen = 0;
  int64_t interest_fen = 0;
  uint32_t dpd = 0;  // overdue days just before this payment
  bool operator==(const Payment&) const = default;
};
struct ClassEntry {
  uint32_t date = 0;
  LoanClass cls = LoanClass::kNormal;
  LoanClass floor = LoanClass::kNormal;
  uint32_t dpd = 0;
  uint64_t by = 0;
  bool operator==(const ClassEntry&) const = default;
};
struct Extension {
  uint32_t approved_on = 0, old_maturity = 0, new_maturity = 0;
  bool operator==(const Extension&) const = default;
};

struct Loan {
  uint64_t id = 0;
  uint64_t bank = 0;  // the lending branch's member id
  std::string branch_code, borrower, contract_ref, scheme;
  int64_t principal_fen = 0;
  int64_t rate_ppm = 0;
  DayCount day_count = DayCount::kAct360;
  uint32_t term_months = 0;
  uint32_t start = 0, maturity = 0, original_maturity = 0;
  uint32_t ip_share_ppm = 0;
  ShareSource ip_share_source = ShareSource::kNone;
  int64_t eligible_principal_fen = 0;  // round(principal × share), §5
  LoanStatus status = LoanStatus::kContracted;
  uint32_t disbursed_on = 0;
  int64_t disbursed_fen = 0, principal_paid_fen = 0, prepaid_fen = 0;
  int64_t interest_billed_fen = 0, interest_paid_fen = 0;
  int64_t written_off_fen = 0, interest_written_off_fen = 0;
  uint32_t accrual_from = 0;
  i128 accrued = 0;  // interest numerator since the last billing, over basis_days × 1e6
  LoanClass cls = LoanClass::kNormal;
  uint32_t npl_date = 0;  // first classification as NPL
  uint32_t max_dpd = 0;
  bool ever_overdue = false;
  uint32_t settled_on = 0;
  bool settled_on_time = false;  // settled no later than maturity, never overdue
  uint32_t written_off_on = 0;
  Guard settlement_guard = Guard::kPending;
  uint32_t settlement_guard_reg_date = 0;  // the earliest linked pledge's registration date used
  Guard npl_guard = Guard::kPending;
  uint32_t npl_guard_reg_date = 0;
  std::vector<Installment> schedule;
  std::vector<LoanPledge> pledges;
  std::vector<Payment> payments;
  std::vector<ClassEntry> classes;
  std::vector<Extension> extensions;

  int64_t outstanding_fen() const { return disbursed_fen - principal_paid_fen - written_off_fen; }
  Bytes encode() const;
  static Result<Loan> decode(ByteView b);
};

enum class CoverKind : uint8_t { kGuarantee = 1, kInsurance = 2 };
std::string_view cover_kind_name(CoverKind k);
enum class CoverStatus : uint8_t { kActive = 1, kClaimed, kReleased };
std::string_view cover_status_name(CoverStatus s);
enum class CessionMode : uint8_t { kShare = 1, kAmount = 2 };
std::string_view cession_mode_name(CessionMode m);
std::optional<CessionMode> cession_mode_from_name(std::string_view n);

struct Cession {
  uint64_t cessionary = 0;  // the re-guarantor or reinsurer
  CessionMode mode = CessionMode::kShare;
  uint32_t share_ppm = 0;   // share mode: of each payout
  int64_t amount_fen = 0;   // amount mode: the most ceded over all payouts
  std::string contract_ref;
  uint32_t date = 0;
  int64_t ceded_fen = 0;      // recoverable from the cessionary so far
  int64_t recovered_fen = 0;  // of which the cessionary has paid
  bool operator==(const Cession&) const = default;
};
struct CoverFee {
  uint32_t date = 0;
  int64_t amount_fen = 0;
  std::string invoice_ref;
  bool operator==(const CoverFee&) const = default;
};
struct Payout {
  uint32_t date = 0;
  int64_t amount_fen = 0;
  int64_t ceded_fen = 0;
  bool operator==(const Payout&) const = default;
};

// A guarantee contract (GUAR) or a loan-guarantee insurance policy (INS)
// on one loan, with the provider's contractual share of the loss (§8.1).
struct Cover {
  uint64_t id = 0;
  CoverKind kind = CoverKind::kGuarantee;
  uint64_t provider = 0;
  uint64_t loan = 0;
  std::string borrower, contract_ref;
  uint32_t loss_share_ppm = 0;
  int64_t cover_amount_fen = 0;  // the most paid out over the cover's life
  uint32_t start = 0;
  CoverStatus status = CoverStatus::kActive;
  uint32_t released_on = 0;
  int64_t fees_paid_fen = 0, paid_out_fen = 0, ceded_fen = 0, recovered_fen = 0;
  std::vector<Cession> cessions;
  std::vector<CoverFee> fees;
  std::vector<Payout> payouts;
  // The ceded part of the payouts not yet recovered from the cessionaries.
  int64_t recoverable_fen() const { return ceded_fen - recovered_fen; }
  Bytes encode() const;
  static Result<Cover> decode(ByteView b);
};

enum class NplResult : uint8_t { kNotApplicable = 1, kExempt, kNotExempt };
std::string_view npl_result_name(NplResult r);

struct NplReport {
  uint64_t bank = 0;
  std::string branch_code;
  uint32_t reporting_date = 0;
  uint64_t filed_by = 0;
  int64_t ip_balance_fen = 0, ip_npl_fen = 0;  // from the ledger (IPB, IPN)
  int64_t total_fen = 0, total_npl_fen = 0;    // the bank's attestation (TOTB, TOTN)
  uint32_t ip_loans = 0;                       // IP-pledge loans with a balance
  NplResult result = NplResult::kNotApplicable;
  int64_t ratio_ip_bp = 0, ratio_all_bp = 0, diff_bp = 0;
  int64_t tolerance_ppm = 0;
  uint64_t totals_attester = 0;
  Bytes encode() const;
  static Result<NplReport> decode(ByteView b);
};

struct IdList {
  std::vector<uint64_t> ids;
  Bytes encode() const;
  static Result<IdList> decode(ByteView b);
};

namespace keys {
std::string loan(uint64_t id);
std::string loan_ref(uint64_t bank, std::string_view contract_ref);
inline constexpr std::string_view kLoanSeq = "sys/loan_seq";
std::string cover(uint64_t id);
inline constexpr std::string_view kCoverSeq = "sys/cover_seq";
std::string npl_report(uint64_t bank, uint32_t reporting_date);
std::string idx_bank_loans(uint64_t bank);
std::string idx_enterprise_loans(std::string_view uscc);
std::string idx_pledge_loan(uint64_t pledge_id);
std::string idx_loan_covers(uint64_t loan_id);
std::string idx_provider_covers(uint64_t member);
std::string idx_cessionary_covers(uint64_t member);
std::string book_page(std::string_view book_key, uint64_t page);
}  // namespace keys

// Books over a module's transaction view (unwrapped bodies): the number of
// ids, appending one (false, nothing written, when kBookMax are there;
// requires `id` not listed), all ids in order.
Result<uint64_t> book_count(const StateView& s, std::string_view book_key);
Result<bool> book_append(StateView& s, std::string_view book_key, uint64_t id);
Result<std::vector<uint64_t>> book_ids(const StateView& s, std::string_view book_key);

// ---------------------------------------------------------------------------
// Dates

// Days from a to b (b − a), both valid yyyymmdd.
int64_t days_between(uint32_t a, uint32_t b);
// `d` plus `months` calendar months, the day clamped to the month's end.
uint32_t add_months(uint32_t d, uint32_t months);
// The last day of d's month.
bool is_month_end(uint32_t d);

// ---------------------------------------------------------------------------
// Loan arithmetic (pure; see the file header)

// Accrues interest up to `date` and bills, rounded, every installment due
// on or before it. Requires status active and date >= accrual_from.
// Path-independent: rolling to d1 then d2 equals rolling to d2.
void roll_to(Loan& l, uint32_t date);
// Bills the interest accrued since the last billing as a closing line
// item due on accrual_from (after roll_to). Requires every installment
// billed or `force` (a full prepayment). Returns false when the list is
// full (nothing changes). Nothing is added when the item rounds to 0.
bool bill_closing(Loan& l, bool force);
// Overdue days on `date` (see the file header); requires roll_to(date).
uint32_t overdue_days(const Loan& l, uint32_t date);
// Principal due by regular repayment on or before `date` and not paid.
int64_t principal_due(const Loan& l, uint32_t date);
// Billed interest not paid.
inline int64_t interest_due(const Loan& l) { return l.interest_billed_fen - l.interest_paid_fen; }
// The outstanding principal on `date` from the payment history (0 before
// disbursement and from the write-off date).
int64_t outstanding_at(const Loan& l, uint32_t date);
// The bank's classification in force on `date` (normal before any).
LoanClass class_at(const Loan& l, uint32_t date);
// An IP-pledge loan on `date` (§9.1 default: whole loans flagged IP-pledge):
// a pledge was linked to it on or before that date.
bool is_ip_pledge_at(const Loan& l, uint32_t date);
// round(outstanding × IP share), half-up: the IP-part principal (§5).
int64_t ip_part(const Loan& l, int64_t principal_fen);

// ---------------------------------------------------------------------------
// Readers over committed state (RecordBody-wrapped, as contracts/queries.h)

Result<std::optional<Loan>> loan_of(const StateView& s, uint64_t id);
Result<std::vector<Loan>> loans_of_bank(const StateView& s, uint64_t bank);
Result<std::vector<Loan>> loans_of_enterprise(const StateView& s, std::string_view uscc);
// The loan as of `date`: interest accrued and billed to that date, DPD,
// the outstanding principal and its IP part. nullopt when the loan does
// not exist or `date` is before the loan's last recorded event.
struct LoanPosition {
  uint32_t date = 0;
  LoanStatus status = LoanStatus::kContracted;
  int64_t outstanding_fen = 0;
  int64_t ip_outstanding_fen = 0;
  int64_t principal_due_fen = 0;
  int64_t interest_due_fen = 0;   // billed, unpaid
  int64_t interest_accrued_fen = 0;  // accrued since the last billing, rounded half-up (display)
  uint32_t dpd = 0;
  LoanClass cls = LoanClass::kNormal;
  LoanClass floor = LoanClass::kNormal;
  std::vector<Installment> schedule;  // with the line items billed to `date`
};
Result<std::optional<LoanPosition>> loan_position(const StateView& s, uint64_t id, uint32_t date);
// The earliest registration date of a linked pledge that was registered
// (not refused or revoked); 0 when none. Timing guards compare it with
// the settlement and NPL dates (§5).
Result<uint32_t> first_pledge_reg_date(const StateView& s, const Loan& l);

Result<std::optional<Cover>> cover_of(const StateView& s, uint64_t id);
Result<std::vector<Cover>> covers_of_loan(const StateView& s, uint64_t loan_id);
// Each party's contractual share of a loan's loss (§8.2 α_i): the covers'
// shares and the bank's remainder.
struct LossShares {
  std::vector<std::pair<uint64_t, uint32_t>> covers;  // (cover id, share ppm), creation order
  int64_t covered_ppm = 0;
  int64_t bank_ppm = kPpm;
};
Result<LossShares> loss_shares_of_loan(const StateView& s, uint64_t loan_id);
// An institution's book: its loans (a bank), the covers it provides (a
// guarantor or insurer) and the covers it took a cession of (a
// re-guarantor or reinsurer).
struct Book {
  std::vector<Loan> loans;
  std::vector<Cover> covers;
  std::vector<Cover> cessions;
};
Result<Book> book_of(const StateView& s, uint64_t member);
Result<std::optional<NplReport>> npl_report_of(const StateView& s, uint64_t bank, uint32_t reporting_date);

// Modules (registered by Registry::standard()).
class Module;
std::unique_ptr<Module> make_loan_module();
std::unique_ptr<Module> make_cover_module();
std::unique_ptr<Module> make_npl_module();

}  // namespace ipl::contracts
