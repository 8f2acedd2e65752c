// JSON forms of the loan, cover and NPL payloads and records
// (docs/transactions.md "Loans, guarantees and insurance, NPL tolerance").
// Called by json.cc; exceptions are caught there.
#include "contracts/loan_json.h"

#include "common/encoding.h"

namespace ipl::contracts {

namespace {

using nlohmann::json;

uint32_t date_of(const json& j, const char* field) {
  if (!j.contains(field) || j.at(field).is_null()) return 0;
  auto d = CivilDate::parse(j.at(field).get<std::string>());
  if (!d.is_ok()) throw std::invalid_argument(d.status().message());
  return d->yyyymmdd;
}
json date_json(uint32_t d) { return d == 0 ? json(nullptr) : json(CivilDate{d}.str()); }

template <typename E, typename F>
uint8_t enum_of(const json& j, const char* field, const char* fallback, F&& from_name) {
  const std::string n = j.value(field, std::string(fallback));
  std::optional<E> v = from_name(n);
  if (!v) throw std::invalid_argument(std::string("unknown ") + field + ": " + n);
  return static_cast<uint8_t>(*v);
}

// A schedule: [{"due_date", "principal_fen"}, ...].
void put_schedule(Encoder& e, const json& arr) {
  e.count(arr.size());
  for (const json& i : arr) e.u32(date_of(i, "due_date")).i64(i.at("principal_fen").get<int64_t>());
}

std::string i128_str(i128 v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  u128 u = negative ? static_cast<u128>(-(v + 1)) + 1 : static_cast<u128>(v);
  std::string out;
  while (u > 0) {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return negative ? "-" + out : out;
}

json loan_json(const Loan& l) {
  json schedule = json::array();
  for (const Installment& i : l.schedule) {
    schedule.push_back({{"due_date", date_json(i.due)}, {"principal_fen", i.principal_fen},
                        {"interest_fen", i.interest_fen}, {"billed", i.billed}, {"origin", item_origin_name(i.origin)}});
  }
  json pledges = json::array();
  for (const LoanPledge& p : l.pledges) pledges.push_back({{"pledge_id", p.pledge_id}, {"linked_on", date_json(p.linked_on)}});
  json payments = json::array();
  for (const Payment& p : l.payments) {
    payments.push_back({{"date", date_json(p.date)}, {"kind", payment_kind_name(p.kind)},
                        {"source", payment_source_name(p.source)}, {"principal_fen", p.principal_fen},
                        {"interest_fen", p.interest_fen}, {"dpd", p.dpd}});
  }
  json classes = json::array();
  for (const ClassEntry& c : l.classes) {
    classes.push_back({{"date", date_json(c.date)}, {"class", loan_class_name(c.cls)},
                       {"floor", loan_class_name(c.floor)}, {"dpd", c.dpd}, {"by", c.by}});
  }
  json extensions = json::array();
  for (const Extension& x : l.extensions) {
    extensions.push_back({{"approved_on", date_json(x.approved_on)}, {"old_maturity", date_json(x.old_maturity)},
                          {"new_maturity", date_json(x.new_maturity)}});
  }
  return json{{"id", l.id}, {"bank", l.bank}, {"branch_code", l.branch_code}, {"borrower", l.borrower},
              {"contract_ref", l.contract_ref}, {"scheme", l.scheme}, {"principal_fen", l.principal_fen},
              {"rate_ppm", l.rate_ppm}, {"day_count", day_count_name(l.day_count)}, {"term_months", l.term_months},
              {"start_date", date_json(l.start)}, {"maturity_date", date_json(l.maturity)},
              {"original_maturity", date_json(l.original_maturity)}, {"ip_share_ppm", l.ip_share_ppm},
              {"ip_share_source", share_source_name(l.ip_share_source)},
              {"eligible_principal_fen", l.eligible_principal_fen}, {"status", loan_status_name(l.status)},
              {"disbursed_on", date_json(l.disbursed_on)}, {"disbursed_fen", l.disbursed_fen},
              {"principal_paid_fen", l.principal_paid_fen}, {"prepaid_fen", l.prepaid_fen},
              {"interest_billed_fen", l.interest_billed_fen}, {"interest_paid_fen", l.interest_paid_fen},
              {"written_off_fen", l.written_off_fen}, {"interest_written_off_fen", l.interest_written_off_fen},
              {"outstanding_fen", l.outstanding_fen()}, {"ip_outstanding_fen", ip_part(l, l.outstanding_fen())},
              {"accrual_from", date_json(l.accrual_from)}, {"accrued_numerator", i128_str(l.accrued)},
              {"accrued_denominator", basis_days(l.day_count) * kPpm}, {"class", loan_class_name(l.cls)},
              {"npl_date", date_json(l.npl_date)}, {"max_dpd", l.max_dpd}, {"ever_overdue", l.ever_overdue},
              {"settled_on", date_json(l.settled_on)}, {"settled_on_time", l.settled_on_time},
              {"written_off_on", date_json(l.written_off_on)}, {"settlement_guard", guard_name(l.settlement_guard)},
              {"settlement_guard_reg_date", date_json(l.settlement_guard_reg_date)},
              {"npl_guard", guard_name(l.npl_guard)}, {"npl_guard_reg_date", date_json(l.npl_guard_reg_date)},
              {"schedule", schedule}, {"pledges", pledges}, {"payments", payments}, {"classes", classes},
              {"extensions", extensions}};
}

json cover_json(const Cover& c) {
  json cessions = json::array();
  for (const Cession& x : c.cessions) {
    cessions.push_back({{"cessionary", x.cessionary}, {"mode", cession_mode_name(x.mode)}, {"share_ppm", x.share_ppm},
                        {"amount_fen", x.amount_fen}, {"contract_ref", x.contract_ref}, {"date", date_json(x.date)},
                        {"ceded_fen", x.ceded_fen}, {"recovered_fen", x.recovered_fen}});
  }
  json fees = json::array();
  for (const CoverFee& f : c.fees) {
    fees.push_back({{"date", date_json(f.date)}, {"amount_fen", f.amount_fen}, {"invoice_ref", f.invoice_ref}});
  }
  json payouts = json::array();
  for (const Payout& p : c.payouts) {
    payouts.push_back({{"date", date_json(p.date)}, {"amount_fen", p.amount_fen}, {"ceded_fen", p.ceded_fen}});
  }
  return json{{"id", c.id}, {"kind", cover_kind_name(c.kind)}, {"provider", c.provider}, {"loan_id", c.loan},
              {"borrower", c.borrower}, {"contract_ref", c.contract_ref}, {"loss_share_ppm", c.loss_share_ppm},
              {"cover_amount_fen", c.cover_amount_fen}, {"start_date", date_json(c.start)},
              {"status", cover_status_name(c.status)}, {"released_on", date_json(c.released_on)},
              {"fees_paid_fen", c.fees_paid_fen}, {"paid_out_fen", c.paid_out_fen}, {"ceded_fen", c.ceded_fen},
              {"recovered_fen", c.recovered_fen}, {"recoverable_fen", c.recoverable_fen()}, {"cessions", cessions},
              {"fees", fees}, {"payouts", payouts}};
}

json npl_json(const NplReport& r) {
  return json{{"bank", r.bank}, {"branch_code", r.branch_code}, {"reporting_date", date_json(r.reporting_date)},
              {"filed_by", r.filed_by}, {"ip_balance_fen", r.ip_balance_fen}, {"ip_npl_fen", r.ip_npl_fen},
              {"total_fen", r.total_fen}, {"total_npl_fen", r.total_npl_fen}, {"ip_loans", r.ip_loans},
              {"result", npl_result_name(r.result)}, {"ratio_ip_bp", r.ratio_ip_bp}, {"ratio_all_bp", r.ratio_all_bp},
              {"diff_bp", r.diff_bp}, {"tolerance_ppm", r.tolerance_ppm}, {"totals_attester", r.totals_attester}};
}

std::optional<uint64_t> single_u64(ByteView data) {
  Decoder d(data);
  uint64_t v = 0;
  if (!d.u64(v).is_ok() || !d.finish().is_ok()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<Bytes> loan_payload_from_json(std::string_view type, const json& j) {
  Encoder e;
  if (type == "loan.contract") {
    e.str(j.at("borrower").get<std::string>()).str(j.at("contract_ref").get<std::string>());
    const int64_t principal = j.at("principal_fen").get<int64_t>();
    const uint32_t maturity = date_of(j, "maturity_date");
    e.i64(principal).i64(j.at("rate_ppm").get<int64_t>())
        .u8(enum_of<DayCount>(j, "day_count", "act/360", day_count_from_name))
        .u32(j.at("term_months").get<uint32_t>()).u32(maturity);
    if (j.contains("schedule")) {
      put_schedule(e, j.at("schedule"));
    } else {  // a bullet loan: all principal at maturity
      e.count(1).u32(maturity).i64(principal);
    }
    const auto pledges = j.value("pledges", std::vector<uint64_t>{});
    e.count(pledges.size());
    for (uint64_t p : pledges) e.u64(p);
    e.u32(j.value("ip_share_ppm", 0u)).u8(enum_of<ShareSource>(j, "ip_share_source", "none", share_source_from_name))
        .str(j.value("scheme", ""));
    return e.take();
  }
  if (type.substr(0, 5) == "loan.") {
    e.u64(j.at("loan_id").get<uint64_t>());
    if (type == "loan.link_pledge") return e.u64(j.at("pledge_id").get<uint64_t>()).take();
    if (type == "loan.disburse") return e.i64(j.at("amount_fen").get<int64_t>()).take();
    if (type == "loan.repay" || type == "loan.prepay") {
      e.i64(j.value("principal_fen", int64_t{0})).i64(j.value("interest_fen", int64_t{0}))
          .u8(enum_of<PaymentSource>(j, "source", "borrower", payment_source_from_name));
      if (type == "loan.prepay") e.u8(enum_of<PrepayMode>(j, "mode", "shorten", prepay_mode_from_name));
      return e.take();
    }
    if (type == "loan.extend") {
      e.u32(date_of(j, "maturity_date"));
      put_schedule(e, j.at("schedule"));
      return e.take();
    }
    if (type == "loan.classify") return e.u8(enum_of<LoanClass>(j, "class", "", loan_class_from_name)).take();
    if (type == "loan.settle" || type == "loan.write_off") return e.take();
    return std::nullopt;
  }
  if (type == "guarantee.contract" || type == "insurance.policy") {
    return e.u64(j.at("loan_id").get<uint64_t>()).str(j.at("contract_ref").get<std::string>())
        .u32(j.at("loss_share_ppm").get<uint32_t>()).i64(j.at("cover_amount_fen").get<int64_t>()).take();
  }
  if (type.substr(0, 6) == "cover.") {
    e.u64(j.at("cover_id").get<uint64_t>());
    if (type == "cover.cede") {
      return e.u64(j.at("cessionary").get<uint64_t>())
          .u8(enum_of<CessionMode>(j, "mode", "share", cession_mode_from_name))
          .u32(j.value("share_ppm", 0u)).i64(j.value("amount_fen", int64_t{0})).str(j.at("contract_ref").get<std::string>())
          .take();
    }
    if (type == "cover.fee") {
      return e.i64(j.at("amount_fen").get<int64_t>()).str(j.at("invoice_ref").get<std::string>()).take();
    }
    if (type == "cover.payout") return e.i64(j.at("amount_fen").get<int64_t>()).take();
    if (type == "cover.recover_ceded") {
      return e.u32(j.value("cession", 0u)).i64(j.at("amount_fen").get<int64_t>()).take();
    }
    if (type == "cover.release") return e.take();
    return std::nullopt;
  }
  if (type == "npl.report") return e.u64(j.value("bank", uint64_t{0})).u32(date_of(j, "reporting_date")).take();
  return std::nullopt;
}

std::optional<json> loan_record_to_json(std::string_view key, ByteView data) {
  auto starts = [key](std::string_view p) { return key.substr(0, p.size()) == p; };
  if (starts("loan/")) {
    auto v = Loan::decode(data);
    return v.is_ok() ? std::optional<json>(loan_json(*v)) : std::nullopt;
  }
  if (starts("cover/")) {
    auto v = Cover::decode(data);
    return v.is_ok() ? std::optional<json>(cover_json(*v)) : std::nullopt;
  }
  if (starts("npl/")) {
    auto v = NplReport::decode(data);
    return v.is_ok() ? std::optional<json>(npl_json(*v)) : std::nullopt;
  }
  if (starts("loanref/") || starts("sys/idx/pledgeloan/") || key == keys::kLoanSeq) {
    auto v = single_u64(data);
    return v ? std::optional<json>(json{{"loan_id", *v}}) : std::nullopt;
  }
  if (key == keys::kCoverSeq) {
    auto v = single_u64(data);
    return v ? std::optional<json>(json{{"cover_id", *v}}) : std::nullopt;
  }
  if (starts("sys/idx/loans/") || starts("sys/idx/entloans/") || starts("sys/idx/loancovers/") ||
      starts("sys/idx/covers/") || starts("sys/idx/cessions/")) {
    // A Book's count (u64: 8 bytes) or a page / IdList (u32 count ‖ u64*: never 8 bytes).
    if (data.size() == 8) {
      auto v = single_u64(data);
      return v ? std::optional<json>(json{{"count", *v}}) : std::nullopt;
    }
    auto v = IdList::decode(data);
    return v.is_ok() ? std::optional<json>(json{{"ids", v->ids}}) : std::nullopt;
  }
  return std::nullopt;
}

}  // namespace ipl::contracts
