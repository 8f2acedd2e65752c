// Internal state operations shared by the membership and governance
// modules (not part of the public contracts interface). Each check_*
// returns codes::kOk or a reason and writes nothing; each do_* requires a
// passed check and cannot fail but for store errors.
#pragma once

#include "common/state_view.h"
#include "contracts/module.h"

namespace ipl::contracts {

Result<std::string_view> check_admit(const StateView& s, const MemberAdmit& a);
// Returns the new member id.
Result<uint64_t> do_admit(StateView& s, const MemberAdmit& a, uint64_t height, uint64_t registered_by);

Result<RegistryRecord> load_registry(const StateView& s);

}  // namespace ipl::contracts
