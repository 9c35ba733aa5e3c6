#include "model/peer_attributes.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace augur::model {
namespace {

const std::vector<std::string> kPeerKeys = {"peer.service",
                                            "db.system",
                                            "db.namespace",
                                            "db.name",
                                            "rpc.service",
                                            "rpc.system",
                                            "server.address",
                                            "server.port",
                                            "net.peer.name",
                                            "messaging.system",
                                            "messaging.destination.name"};

// Keys of the same lengths that are not peer keys, and common span keys.
const std::vector<std::string> kOtherKeys = {"db.user",
                                             "http.route",
                                             "url.scheme12",
                                             "db.statement",
                                             "peer.servicE",
                                             "server.portx",
                                             "http.response.status_code",
                                             ""};

AnyValue RandomValue(std::mt19937& rng) {
  switch (rng() % 4) {
    case 0: return AnyValue{std::string("v") + std::to_string(rng() % 100)};
    case 1: return AnyValue{static_cast<int64_t>(rng() % 65536)};
    case 2: return AnyValue{true};
    default: return AnyValue{};
  }
}

TEST(PeerAttributes, EachFieldIsWhatFindAttributeFinds) {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    Attributes a;
    const size_t n = rng() % 14;
    for (size_t i = 0; i < n; ++i) {
      // Repeated keys too: the first one must win.
      const auto& keys = rng() % 2 ? kPeerKeys : kOtherKeys;
      a.push_back(KeyValue{keys[rng() % keys.size()], RandomValue(rng)});
    }
    PeerAttributes p = ReadPeerAttributes(a);
    const AnyValue* fields[] = {p.peer_service,
                                p.db_system,
                                p.db_namespace,
                                p.db_name,
                                p.rpc_service,
                                p.rpc_system,
                                p.server_address,
                                p.server_port,
                                p.net_peer_name,
                                p.messaging_system,
                                p.messaging_destination_name};
    for (size_t k = 0; k < kPeerKeys.size(); ++k) {
      EXPECT_EQ(fields[k], FindAttribute(a, kPeerKeys[k])) << kPeerKeys[k] << " round " << round;
      EXPECT_EQ(StringValue(fields[k]), StringAttribute(a, kPeerKeys[k])) << kPeerKeys[k];
    }
  }
}

}  // namespace
}  // namespace augur::model
