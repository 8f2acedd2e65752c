// GET /health: liveness and a one-line summary; 503 when the node says it is
// not healthy (halted on divergence, storage failure).
#include <nlohmann/json.hpp>

#include "api/routes.h"

namespace ipl::api {

Route health_route(NodeFacade& node) {
  Route r;
  r.method = "GET";
  r.path_pattern = "/health";
  r.handler = [&node](const HttpRequest&) {
    Health h = node.health();
    HttpResponse resp;
    resp.status = h.is_ok ? 200 : 503;
    resp.body = nlohmann::json{{"status", h.status},
                               {"mode", h.mode},
                               {"height", h.height},
                               {"last_commit_age_ms", h.last_commit_age_ms}}
                    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return resp;
  };
  return r;
}

}  // namespace ipl::api
