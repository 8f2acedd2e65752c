// The v1 route list (routes.h): one place that assembles every route, so a
// server (node/) cannot forget one.
#include "api/routes.h"

#include "common/assert.h"

namespace ipl::api {

std::vector<Route> v1_routes(NodeFacade& node, RateLimiter& limiter, size_t tx_bytes_max,
                             size_t batch_body_bytes_max) {
  std::vector<Route> routes;
  routes.push_back(tx_submit_route(node, limiter, tx_bytes_max));
  routes.push_back(tx_batch_route(node, limiter, tx_bytes_max, batch_body_bytes_max));
  routes.push_back(tx_get_route(node));
  routes.push_back(status_route(node));
  routes.push_back(block_route(node));
  routes.push_back(health_route(node));
  routes.push_back(metrics_route(node));
  routes.push_back(epoch_proof_route(node));
  IPL_ASSERT(routes.size() == 8);
  return routes;
}

}  // namespace ipl::api
