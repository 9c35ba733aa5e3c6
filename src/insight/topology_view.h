// TopologyView: what the correlator needs to know about the service graph,
// as an interface so correlation stays testable with a hand-made graph and
// independent of how the topology is assembled (src/topology/).
//
// Nodes are services (service.name) or dependencies named like the RED
// `peer` attribute ("redis/items", "api.example.com:443"). An operation is a
// span name of that service; "" means "any operation".
// Implementations are read-only views; the correlator calls them on its own
// thread while it runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace augur::insight {

struct NodeRef {
  std::string service;    // a service, or the dependency's name
  std::string operation;  // "" for a dependency or when unknown
  bool dependency = false;
  bool operator==(const NodeRef&) const = default;
  auto operator<=>(const NodeRef&) const = default;
};

// Where the time of an operation went over an event-time window: medians
// per request of its own (self) time and of the time covered by its
// children (downstream), in ms.
struct TimeSplit {
  uint64_t count = 0;
  double self_ms = 0;
  double downstream_ms = 0;
};

// The self time of one operation over an event-time window: requests and
// their median own time (ms), its children's time left out.
struct OperationTime {
  std::string operation;
  uint64_t count = 0;
  double self_ms = 0;
};

// Calls from one service to another over an event-time window: how many,
// and their median duration as the caller saw them (ms).
struct CallTime {
  uint64_t count = 0;
  double median_ms = 0;
};

class TopologyView {
 public:
  virtual ~TopologyView() = default;
  // What spans of (service, operation) call directly: their own client
  // operations (same service) and what those reach (server operations of
  // other services, or dependencies), so a server operation's callees
  // include the operations of the services it calls.
  virtual std::vector<NodeRef> Callees(const std::string& service, const std::string& operation) const = 0;
  // (service, operation) pairs whose spans call (service, operation).
  virtual std::vector<NodeRef> Callers(const std::string& service, const std::string& operation) const = 0;
  // The service a client span of `service` with the given peer attribute
  // reaches, when traces show it (a peer that is itself instrumented); "".
  virtual std::string ServiceBehindPeer(const std::string& service, const std::string& peer) const = 0;
  // The self/downstream split of (service, operation) over [from, to); count 0 when unknown.
  virtual TimeSplit Split(const std::string& service, const std::string& operation, uint64_t from_ns,
                          uint64_t to_ns) const = 0;
  // The self time of each operation `service` runs itself (server, consumer
  // and internal spans; its client spans' self time is the calls' overhead
  // on the way, see CallsBetween) over [from, to), sorted by operation;
  // operations without requests in the window are left out. Bounded by the
  // topology's operation cap. Empty when unknown (the default).
  virtual std::vector<OperationTime> SelfTimes(const std::string& /*service*/, uint64_t /*from_ns*/,
                                               uint64_t /*to_ns*/) const {
    return {};
  }
  // The services `service` calls directly from any of its operations
  // (dependencies left out), sorted; empty when unknown (the default). A
  // service-wide anomaly (its logs, its pods' metrics) names no operation,
  // so it is placed in the graph by its service's calls.
  virtual std::vector<std::string> ServicesCalledBy(const std::string& /*service*/) const { return {}; }
  // Calls from `caller` to the service `callee` over [from, to); count 0 when unknown (the default).
  virtual CallTime CallsBetween(const std::string& /*caller*/, const std::string& /*callee*/, uint64_t /*from_ns*/,
                                uint64_t /*to_ns*/) const {
    return {};
  }
};

// A view that knows nothing: correlation falls back to services and onsets.
class EmptyTopology final : public TopologyView {
 public:
  std::vector<NodeRef> Callees(const std::string&, const std::string&) const override { return {}; }
  std::vector<NodeRef> Callers(const std::string&, const std::string&) const override { return {}; }
  std::string ServiceBehindPeer(const std::string&, const std::string&) const override { return {}; }
  TimeSplit Split(const std::string&, const std::string&, uint64_t, uint64_t) const override { return {}; }
};

}  // namespace augur::insight
