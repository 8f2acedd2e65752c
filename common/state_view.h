// StateView: the only door through which contracts read and write state
// (DESIGN.md "Contracts"). The executor hands one to each transaction;
// writes are buffered and applied to the state tree once per block.
// Keys are opaque bytes (at most limits::state_key_bytes_max); values are
// record bodies (at most limits::state_value_bytes_max). The ledger wraps
// each value in a StateEnvelope (common/chain.h) when it commits.
#pragma once

#include <optional>

#include "common/bytes.h"
#include "common/status.h"

namespace ipl {

class StateView {
 public:
  virtual ~StateView() = default;
  // The current body under `key`, or nullopt when absent. A non-ok Result
  // means the store failed (I/O, corruption), never "absent".
  virtual Result<std::optional<Bytes>> get(ByteView key) const = 0;
  // Buffer a write (or a deletion with nullopt) for this block.
  virtual void put(ByteView key, std::optional<Bytes> value) = 0;
};

}  // namespace ipl
