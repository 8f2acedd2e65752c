// GET /v1/epoch-proof (routes.h): the chain of certified epoch changes since
// genesis, as the canonical bytes a client verifies offline against the
// genesis validator set (EpochChangeProof::verify, `ipledger verify
// epoch-proof`). Nothing in it needs to be trusted: every change carries a
// quorum of the previous epoch's signatures.
#include <nlohmann/json.hpp>

#include "api/routes.h"

namespace ipl::api {

Route epoch_proof_route(NodeFacade& node) {
  Route r;
  r.method = "GET";
  r.path_pattern = "/v1/epoch-proof";
  r.handler = [&node](const HttpRequest&) {
    auto proof = node.epoch_change_proof();
    if (!proof.is_ok()) return error_response("node.unavailable", proof.status().message());
    const uint64_t epoch = proof->changes.empty() || !proof->changes.back().ledger_info.next_epoch
                               ? 1
                               : proof->changes.back().ledger_info.next_epoch->number.value();
    HttpResponse resp;
    resp.status = 200;
    resp.body = nlohmann::json{{"epoch", epoch}, {"changes", proof->changes.size()}, {"proof", to_hex(proof->encode())}}
                    .dump();
    return resp;
  };
  return r;
}

}  // namespace ipl::api
