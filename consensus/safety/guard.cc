#include "consensus/safety/guard.h"

#include "common/encoding.h"

namespace ipl::consensus {

Bytes SafetyData::encode() const {
  Encoder e(24);
  e.u64(epoch.value()).u64(last_voted_round.value()).u64(highest_qc_round.value());
  return e.take();
}

Result<SafetyData> SafetyData::decode(ByteView bytes) {
  Decoder d(bytes);
  uint64_t e = 0, l = 0, h = 0;
  IPL_RETURN_IF_ERROR(d.u64(e));
  IPL_RETURN_IF_ERROR(d.u64(l));
  IPL_RETURN_IF_ERROR(d.u64(h));
  IPL_RETURN_IF_ERROR(d.finish());
  return SafetyData{Epoch(e), Round(l), Round(h)};
}

void Guard::observe_qc(Round qc_round) {
  const Round before = data_.highest_qc_round;
  if (qc_round > data_.highest_qc_round) data_.highest_qc_round = qc_round;
  IPL_ASSERT(data_.highest_qc_round >= before);  // C5: the lock never falls
  IPL_ASSERT(data_.highest_qc_round >= qc_round);
}

Status Guard::check_vote(Round round, Round qc_round, std::optional<Round> tc_round, Round tc_max_high_qc_round) {
  const Round last_before = data_.last_voted_round;
  if (!bugs_.skip_safety_check) {
    // C3: one vote per round, never after a timeout in that round.
    if (round <= data_.last_voted_round) return Status::invalid("already voted or timed out in this round");
    // C4: extends the previous round's QC, or a TC that allows it.
    const bool direct = round.value() == qc_round.value() + 1;
    const bool via_tc = tc_round && round.value() == tc_round->value() + 1 && qc_round >= tc_max_high_qc_round;
    if (!direct && !via_tc) return Status::invalid("block does not extend a certificate of the previous round");
  }
  observe_qc(qc_round);
  if (round > data_.last_voted_round) data_.last_voted_round = round;
  IPL_ASSERT(bugs_.skip_safety_check || data_.last_voted_round > last_before);  // C3
  IPL_ASSERT(data_.last_voted_round >= round);
  return Status::ok();
}

Status Guard::check_timeout(Round round, Round qc_round, std::optional<Round> tc_round) {
  const Round last_before = data_.last_voted_round;
  if (!bugs_.skip_safety_check) {
    if (round < data_.last_voted_round) return Status::invalid("already voted in a later round");
    const bool after_qc = round.value() == qc_round.value() + 1;
    const bool after_tc = tc_round && round.value() == tc_round->value() + 1;
    if (!after_qc && !after_tc) return Status::invalid("timeout round not entered through a certificate");
    if (qc_round < data_.highest_qc_round) return Status::invalid("high QC below the lock");  // C5
  }
  if (round > data_.last_voted_round) data_.last_voted_round = round;
  IPL_ASSERT(data_.last_voted_round >= last_before);  // C3
  IPL_ASSERT(bugs_.skip_safety_check || data_.last_voted_round == round);
  return Status::ok();
}

}  // namespace ipl::consensus
