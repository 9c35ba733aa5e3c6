#include "model/attribute_key.h"

#include "model/intern_table.h"

namespace augur::model {
namespace {

// Keys the semantic conventions define and SDKs send on most items,
// interned before any client can fill the table.
constexpr std::string_view kWellKnownKeys[] = {"service.name",
                                               "service.namespace",
                                               "service.version",
                                               "service.instance.id",
                                               "deployment.environment",
                                               "deployment.environment.name",
                                               "host.name",
                                               "host.id",
                                               "host.arch",
                                               "host.type",
                                               "os.type",
                                               "os.description",
                                               "os.version",
                                               "process.pid",
                                               "process.executable.name",
                                               "process.runtime.name",
                                               "process.runtime.version",
                                               "process.command",
                                               "process.command_line",
                                               "telemetry.sdk.name",
                                               "telemetry.sdk.language",
                                               "telemetry.sdk.version",
                                               "telemetry.distro.name",
                                               "telemetry.distro.version",
                                               "cloud.provider",
                                               "cloud.region",
                                               "cloud.platform",
                                               "cloud.account.id",
                                               "cloud.availability_zone",
                                               "faas.name",
                                               "faas.version",
                                               "faas.instance",
                                               "faas.max_memory",
                                               "faas.trigger",
                                               "faas.invocation_id",
                                               "faas.coldstart",
                                               "container.id",
                                               "container.name",
                                               "container.image.name",
                                               "container.image.tag",
                                               "k8s.namespace.name",
                                               "k8s.pod.name",
                                               "k8s.pod.uid",
                                               "k8s.node.name",
                                               "k8s.deployment.name",
                                               "k8s.container.name",
                                               "k8s.cluster.name",
                                               "http.request.method",
                                               "http.response.status_code",
                                               "http.route",
                                               "http.method",
                                               "http.status_code",
                                               "http.url",
                                               "http.target",
                                               "http.scheme",
                                               "http.host",
                                               "http.flavor",
                                               "http.user_agent",
                                               "url.full",
                                               "url.path",
                                               "url.query",
                                               "url.scheme",
                                               "server.address",
                                               "server.port",
                                               "client.address",
                                               "client.port",
                                               "user_agent.original",
                                               "network.protocol.name",
                                               "network.protocol.version",
                                               "network.peer.address",
                                               "network.peer.port",
                                               "network.transport",
                                               "network.type",
                                               "net.peer.name",
                                               "net.peer.port",
                                               "net.host.name",
                                               "net.host.port",
                                               "peer.service",
                                               "db.system",
                                               "db.system.name",
                                               "db.namespace",
                                               "db.name",
                                               "db.operation",
                                               "db.operation.name",
                                               "db.collection.name",
                                               "db.statement",
                                               "db.query.text",
                                               "db.user",
                                               "rpc.system",
                                               "rpc.service",
                                               "rpc.method",
                                               "rpc.grpc.status_code",
                                               "messaging.system",
                                               "messaging.destination.name",
                                               "messaging.operation",
                                               "messaging.operation.type",
                                               "messaging.message.id",
                                               "code.function",
                                               "code.namespace",
                                               "code.filepath",
                                               "code.lineno",
                                               "code.function.name",
                                               "code.file.path",
                                               "code.line.number",
                                               "thread.id",
                                               "thread.name",
                                               "exception.type",
                                               "exception.message",
                                               "exception.stacktrace",
                                               "exception.escaped",
                                               "error.type",
                                               "otel.status_code",
                                               "otel.status_description",
                                               "otel.scope.name",
                                               "otel.scope.version",
                                               "aws.region",
                                               "aws.request_id",
                                               "aws.lambda.invoked_arn",
                                               "log.file.name",
                                               "log.file.path",
                                               "log.iostream",
                                               "event.name",
                                               "enduser.id",
                                               "session.id"};

InternTable* MakeTable() {
  auto* table = new InternTable(AttributeKey::kMaxInternedKeys, AttributeKey::kMaxInternedKeyBytes);
  table->Intern("");  // AttributeKey's default value, so that it always has an entry
  for (std::string_view key : kWellKnownKeys) table->Intern(key);
  return table;
}

InternTable& Table() {
  static InternTable* table = MakeTable();  // never destroyed: keys may outlive static destruction
  return *table;
}

}  // namespace

const std::string* AttributeKey::Empty() {
  static const std::string* empty = Table().Intern("");
  return empty;
}

AttributeKey::AttributeKey() noexcept : text_(Empty()), owned_(false) {}

AttributeKey AttributeKey::Make(std::string_view key) {
  if (const std::string* entry = Table().Intern(key)) return AttributeKey(entry, false);
  return AttributeKey(new std::string(key), true);
}

AttributeKey::AttributeKey(const AttributeKey& other)
    : text_(other.owned_ ? new std::string(*other.text_) : other.text_), owned_(other.owned_) {}

AttributeKey& AttributeKey::operator=(const AttributeKey& other) {
  if (this != &other) *this = AttributeKey(other);
  return *this;
}

uint64_t InternOverflowCount() {
  return Table().overflow();
}

size_t InternedKeyCount() {
  return Table().size();
}

}  // namespace augur::model
