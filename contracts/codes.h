// Stable receipt reason codes (DOMAIN.md Part A decision 8). A code, once
// released, never changes meaning; docs/transactions.md lists each with the
// transaction types that produce it. `kAll` feeds the test that triggers
// every code at least once.
#pragma once

#include <array>
#include <string_view>

namespace ipl::contracts::codes {

inline constexpr std::string_view kOk = "ok";
// Prologue (nothing is written, not even the nonce). An invalid
// value_date never decodes (TxBody is strict), so it is tx.bad_encoding.
inline constexpr std::string_view kBadEncoding = "tx.bad_encoding";
inline constexpr std::string_view kBadSignature = "tx.bad_signature";
inline constexpr std::string_view kBadChainId = "tx.bad_chain_id";
inline constexpr std::string_view kExpired = "tx.expired";
inline constexpr std::string_view kUnknownSender = "tx.unknown_sender";
inline constexpr std::string_view kNotApiKey = "tx.not_api_key";
inline constexpr std::string_view kKeyRevoked = "tx.key_revoked";
inline constexpr std::string_view kMemberRemoved = "tx.member_removed";
inline constexpr std::string_view kBadNonce = "tx.bad_nonce";
// Body (the nonce is consumed, nothing else is written).
inline constexpr std::string_view kValueDateFuture = "tx.value_date_future";
inline constexpr std::string_view kValueDateBackwards = "tx.value_date_backwards";
inline constexpr std::string_view kUnknownType = "tx.unknown_type";
inline constexpr std::string_view kForbidden = "forbidden";
inline constexpr std::string_view kBadPayload = "tx.bad_payload";
inline constexpr std::string_view kWorkLimit = "tx.work_limit";
// Membership and keys.
inline constexpr std::string_view kKeyExists = "key.exists";
inline constexpr std::string_view kKeyUnknown = "key.unknown";
inline constexpr std::string_view kKeyNotOwner = "key.not_owner";
inline constexpr std::string_view kKeyAlreadyRevoked = "key.already_revoked";
inline constexpr std::string_view kKeySigning = "key.signing_key";
inline constexpr std::string_view kMemberIsValidator = "member.is_validator";
// Governance.
inline constexpr std::string_view kNotGovernanceMember = "gov.not_governance_member";
inline constexpr std::string_view kBadDeadline = "gov.bad_deadline";
inline constexpr std::string_view kUnknownProposal = "gov.unknown_proposal";
inline constexpr std::string_view kProposalClosed = "gov.closed";
inline constexpr std::string_view kDeadlinePassed = "gov.deadline_passed";
inline constexpr std::string_view kDeadlineNotReached = "gov.deadline_not_reached";
inline constexpr std::string_view kAlreadyVoted = "gov.already_voted";
inline constexpr std::string_view kUnknownMember = "gov.unknown_member";
inline constexpr std::string_view kBadValidatorSet = "gov.bad_validator_set";
inline constexpr std::string_view kBadActivation = "gov.bad_activation";
inline constexpr std::string_view kParamTypeMismatch = "gov.param_type_mismatch";
// Proposal outcomes (recorded in the proposal, not receipt codes).
inline constexpr std::string_view kNotEnoughApprovals = "gov.not_enough_approvals";
inline constexpr std::string_view kFinanceApprovalMissing = "gov.finance_approval_missing";
// Attestations.
inline constexpr std::string_view kWrongAttester = "attest.wrong_attester";
inline constexpr std::string_view kBadTotals = "attest.bad_totals";
inline constexpr std::string_view kBadCalendar = "attest.bad_calendar";

// Identifiers (contracts/ids.h), enterprises, IP assets, pledges (issue 6).
inline constexpr std::string_view kUsccBadLength = "uscc.bad_length";
inline constexpr std::string_view kUsccBadCharset = "uscc.bad_charset";
inline constexpr std::string_view kUsccBadCheck = "uscc.bad_check";
inline constexpr std::string_view kPatentBadFormat = "patent.bad_format";
inline constexpr std::string_view kPatentBadCheck = "patent.bad_check";
inline constexpr std::string_view kTrademarkBadNumber = "trademark.bad_number";
inline constexpr std::string_view kTrademarkBadClass = "trademark.bad_class";
inline constexpr std::string_view kCopyrightBadNumber = "copyright.bad_number";
inline constexpr std::string_view kEnterpriseExists = "enterprise.exists";
inline constexpr std::string_view kEnterpriseUnknown = "enterprise.unknown";
inline constexpr std::string_view kEnterpriseEvidenceMissing = "enterprise.evidence_missing";
inline constexpr std::string_view kEnterpriseBadRegion = "enterprise.bad_region";
inline constexpr std::string_view kEnterpriseInactive = "enterprise.inactive";
inline constexpr std::string_view kIpBadTerm = "ip.bad_term";
// ip.snapshot from an IPA member that is not the office keeping that
// register: patents and trademarks the IP office (and city IP bureaus),
// copyrights and software the copyright bureau (DOMAIN.md Part B §1).
inline constexpr std::string_view kIpWrongOffice = "ip.wrong_office";
inline constexpr std::string_view kPledgeBadRegNo = "pledge.bad_reg_no";
inline constexpr std::string_view kPledgeUnknown = "pledge.unknown";
inline constexpr std::string_view kPledgeBadState = "pledge.bad_state";
inline constexpr std::string_view kPledgeNotParty = "pledge.not_party";
inline constexpr std::string_view kPledgeBadPledgee = "pledge.bad_pledgee";
inline constexpr std::string_view kPledgeJointFilingMissing = "pledge.joint_filing_missing";
inline constexpr std::string_view kPledgeContractIncomplete = "pledge.contract_incomplete";
inline constexpr std::string_view kPledgeIpUnknown = "pledge.ip_unknown";
inline constexpr std::string_view kPledgeRegNoTaken = "pledge.reg_no_taken";
inline constexpr std::string_view kPledgeIpNotGranted = "pledge.ip_not_granted";
inline constexpr std::string_view kPledgeIpNotInForce = "pledge.ip_not_in_force";
inline constexpr std::string_view kPledgeAnnuityUnpaid = "pledge.annuity_unpaid";
inline constexpr std::string_view kPledgeIpFrozen = "pledge.ip_frozen";
inline constexpr std::string_view kPledgePledgorNotOwner = "pledge.pledgor_not_owner";
inline constexpr std::string_view kPledgeCoownerConsentMissing = "pledge.coowner_consent_missing";
inline constexpr std::string_view kPledgeTermBeyondIp = "pledge.term_beyond_ip";
inline constexpr std::string_view kPledgeAlreadyPledged = "pledge.already_pledged";
inline constexpr std::string_view kPledgeForfeitureClause = "pledge.forfeiture_clause";
inline constexpr std::string_view kPledgeAcknowledgementMissing = "pledge.acknowledgement_missing";
inline constexpr std::string_view kPledgeChangeTooLate = "pledge.change_too_late";
inline constexpr std::string_view kPledgeExtendNotTrademark = "pledge.extend_not_trademark";
// Joint filing of changes and extensions (§4.1, §4.2): the counter-party's
// filing differs from the pending one, or comes after the pending filing
// lapsed.
inline constexpr std::string_view kPledgeFilingMismatch = "pledge.filing_mismatch";
inline constexpr std::string_view kPledgeFilingExpired = "pledge.filing_expired";

// Loans (issue 7; DOMAIN.md §5, §9.2). A linked pledge that does not exist
// is pledge.unknown; an unknown or inactive borrower enterprise.unknown /
// enterprise.inactive; a value date before the loan's last accrual date
// tx.value_date_backwards (as the executor's chain rule).
inline constexpr std::string_view kLoanUnknown = "loan.unknown";
inline constexpr std::string_view kLoanNotLender = "loan.not_lender";
inline constexpr std::string_view kLoanBadState = "loan.bad_state";
inline constexpr std::string_view kLoanBadSchedule = "loan.bad_schedule";
inline constexpr std::string_view kLoanIpShareSourceMissing = "loan.ip_share_source_missing";
inline constexpr std::string_view kLoanRefTaken = "loan.ref_taken";
inline constexpr std::string_view kLoanBookFull = "loan.book_full";
inline constexpr std::string_view kLoanUnknownScheme = "loan.unknown_scheme";
inline constexpr std::string_view kLoanLprMissing = "loan.lpr_missing";
inline constexpr std::string_view kLoanRateAboveCap = "loan.rate_above_cap";
inline constexpr std::string_view kLoanTermAboveCap = "loan.term_above_cap";
inline constexpr std::string_view kLoanPledgeUnusable = "loan.pledge_unusable";
inline constexpr std::string_view kLoanPledgeNotBorrowers = "loan.pledge_not_borrowers";
inline constexpr std::string_view kLoanPledgeWrongPledgee = "loan.pledge_wrong_pledgee";
inline constexpr std::string_view kLoanPledgeTaken = "loan.pledge_taken";
inline constexpr std::string_view kLoanAmountMismatch = "loan.amount_mismatch";
inline constexpr std::string_view kLoanBadDate = "loan.bad_date";
inline constexpr std::string_view kLoanOverpayment = "loan.overpayment";
inline constexpr std::string_view kLoanInArrears = "loan.in_arrears";
inline constexpr std::string_view kLoanExtensionTooLate = "loan.extension_too_late";
inline constexpr std::string_view kLoanClassBelowFloor = "loan.class_below_floor";
inline constexpr std::string_view kLoanNotNpl = "loan.not_npl";
inline constexpr std::string_view kLoanNotRepaid = "loan.not_repaid";
inline constexpr std::string_view kLoanHistoryFull = "loan.history_full";
// Guarantees and insurance with cessions (issue 7; DOMAIN.md §8.1). An
// unknown loan is loan.unknown, a settled or written-off one loan.bad_state.
inline constexpr std::string_view kCoverUnknown = "cover.unknown";
inline constexpr std::string_view kCoverNotProvider = "cover.not_provider";
inline constexpr std::string_view kCoverBadState = "cover.bad_state";
inline constexpr std::string_view kCoverShareExceeds = "cover.share_exceeds";
inline constexpr std::string_view kCoverBookFull = "cover.book_full";
inline constexpr std::string_view kCoverBadCessionary = "cover.bad_cessionary";
inline constexpr std::string_view kCoverCessionExceeds = "cover.cession_exceeds";
inline constexpr std::string_view kCoverLoanNotInDefault = "cover.loan_not_in_default";
inline constexpr std::string_view kCoverPayoutExceeds = "cover.payout_exceeds";
inline constexpr std::string_view kCoverNotCessionary = "cover.not_cessionary";
inline constexpr std::string_view kCoverRecoveryExceeds = "cover.recovery_exceeds";
inline constexpr std::string_view kCoverLoanOpen = "cover.loan_open";
inline constexpr std::string_view kCoverHistoryFull = "cover.history_full";
// The NPL tolerance report (issue 7; DOMAIN.md §9.1).
inline constexpr std::string_view kNplBadReportingDate = "npl.bad_reporting_date";
inline constexpr std::string_view kNplNotOwnBranch = "npl.not_own_branch";
inline constexpr std::string_view kNplUnknownBranch = "npl.unknown_branch";
inline constexpr std::string_view kNplTotalsMissing = "npl.totals_missing";
inline constexpr std::string_view kNplBalanceOutOfRange = "npl.balance_out_of_range";
inline constexpr std::string_view kNplTotalsBelowLedger = "npl.totals_below_ledger";

// The codes of the identifier, enterprise, IP-asset and pledge modules
// (issue 6); tests/unit/genesis/reason_codes_issue6_test.cc triggers each.
inline constexpr std::array kIssue6 = {
    kUsccBadLength, kUsccBadCharset, kUsccBadCheck, kPatentBadFormat, kPatentBadCheck, kTrademarkBadNumber,
    kTrademarkBadClass, kCopyrightBadNumber, kEnterpriseExists, kEnterpriseUnknown, kEnterpriseEvidenceMissing,
    kEnterpriseBadRegion, kEnterpriseInactive, kIpBadTerm, kPledgeBadRegNo, kPledgeUnknown, kPledgeBadState,
    kPledgeNotParty, kPledgeBadPledgee, kPledgeJointFilingMissing, kPledgeContractIncomplete, kPledgeIpUnknown,
    kPledgeRegNoTaken, kPledgeIpNotGranted, kPledgeIpNotInForce, kPledgeAnnuityUnpaid, kPledgeIpFrozen,
    kPledgePledgorNotOwner, kPledgeCoownerConsentMissing, kPledgeTermBeyondIp, kPledgeAlreadyPledged,
    kPledgeForfeitureClause, kPledgeAcknowledgementMissing, kPledgeChangeTooLate, kPledgeExtendNotTrademark,
    kIpWrongOffice, kPledgeFilingMismatch, kPledgeFilingExpired,
};

// The codes of the loan, cover and NPL modules (issue 7);
// tests/unit/genesis/reason_codes_issue7_test.cc triggers each.
inline constexpr std::array kIssue7 = {
    kLoanUnknown, kLoanNotLender, kLoanBadState, kLoanBadSchedule, kLoanIpShareSourceMissing, kLoanRefTaken,
    kLoanBookFull, kLoanUnknownScheme, kLoanLprMissing, kLoanRateAboveCap, kLoanTermAboveCap, kLoanPledgeUnusable,
    kLoanPledgeNotBorrowers, kLoanPledgeWrongPledgee, kLoanPledgeTaken, kLoanAmountMismatch, kLoanBadDate,
    kLoanOverpayment, kLoanInArrears, kLoanExtensionTooLate, kLoanClassBelowFloor, kLoanNotNpl, kLoanNotRepaid,
    kLoanHistoryFull, kCoverUnknown, kCoverNotProvider, kCoverBadState, kCoverShareExceeds, kCoverBookFull,
    kCoverBadCessionary, kCoverCessionExceeds, kCoverLoanNotInDefault, kCoverPayoutExceeds, kCoverNotCessionary,
    kCoverRecoveryExceeds, kCoverLoanOpen, kCoverHistoryFull, kNplBadReportingDate, kNplNotOwnBranch,
    kNplUnknownBranch, kNplTotalsMissing, kNplBalanceOutOfRange, kNplTotalsBelowLedger,
};

// Every receipt code (outcome-only codes excluded).
inline constexpr std::array kAll = {
    kOk, kBadEncoding, kBadSignature, kBadChainId, kExpired, kUnknownSender, kNotApiKey, kKeyRevoked,
    kMemberRemoved, kBadNonce, kValueDateFuture, kValueDateBackwards, kUnknownType, kForbidden,
    kBadPayload, kWorkLimit, kKeyExists, kKeyUnknown, kKeyNotOwner, kKeyAlreadyRevoked, kKeySigning,
    kMemberIsValidator, kNotGovernanceMember, kBadDeadline, kUnknownProposal, kProposalClosed, kDeadlinePassed,
    kDeadlineNotReached, kAlreadyVoted, kUnknownMember, kBadValidatorSet, kBadActivation, kParamTypeMismatch,
    kWrongAttester, kBadTotals, kBadCalendar,
    // Issue 6 (kIssue6).
    kUsccBadLength, kUsccBadCharset, kUsccBadCheck, kPatentBadFormat, kPatentBadCheck, kTrademarkBadNumber,
    kTrademarkBadClass, kCopyrightBadNumber, kEnterpriseExists, kEnterpriseUnknown, kEnterpriseEvidenceMissing,
    kEnterpriseBadRegion, kEnterpriseInactive, kIpBadTerm, kPledgeBadRegNo, kPledgeUnknown, kPledgeBadState,
    kPledgeNotParty, kPledgeBadPledgee, kPledgeJointFilingMissing, kPledgeContractIncomplete, kPledgeIpUnknown,
    kPledgeRegNoTaken, kPledgeIpNotGranted, kPledgeIpNotInForce, kPledgeAnnuityUnpaid, kPledgeIpFrozen,
    kPledgePledgorNotOwner, kPledgeCoownerConsentMissing, kPledgeTermBeyondIp, kPledgeAlreadyPledged,
    kPledgeForfeitureClause, kPledgeAcknowledgementMissing, kPledgeChangeTooLate, kPledgeExtendNotTrademark,
    kIpWrongOffice, kPledgeFilingMismatch, kPledgeFilingExpired,
    // Issue 7 (kIssue7).
    kLoanUnknown, kLoanNotLender, kLoanBadState, kLoanBadSchedule, kLoanIpShareSourceMissing, kLoanRefTaken,
    kLoanBookFull, kLoanUnknownScheme, kLoanLprMissing, kLoanRateAboveCap, kLoanTermAboveCap, kLoanPledgeUnusable,
    kLoanPledgeNotBorrowers, kLoanPledgeWrongPledgee, kLoanPledgeTaken, kLoanAmountMismatch, kLoanBadDate,
    kLoanOverpayment, kLoanInArrears, kLoanExtensionTooLate, kLoanClassBelowFloor, kLoanNotNpl, kLoanNotRepaid,
    kLoanHistoryFull, kCoverUnknown, kCoverNotProvider, kCoverBadState, kCoverShareExceeds, kCoverBookFull,
    kCoverBadCessionary, kCoverCessionExceeds, kCoverLoanNotInDefault, kCoverPayoutExceeds, kCoverNotCessionary,
    kCoverRecoveryExceeds, kCoverLoanOpen, kCoverHistoryFull, kNplBadReportingDate, kNplNotOwnBranch,
    kNplUnknownBranch, kNplTotalsMissing, kNplBalanceOutOfRange, kNplTotalsBelowLedger,
};
static_assert(kIssue6.size() == 38);
static_assert(kIssue7.size() == 43);

}  // namespace ipl::contracts::codes
