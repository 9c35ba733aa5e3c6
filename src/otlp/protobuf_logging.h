// Routes protobuf's own log messages into augur's log.
//
// protobuf logs at ERROR level for input problems a client can cause at will
// (invalid UTF-8 in a string field, for instance); those requests are already
// rejected with a message, so such lines are noise that a client could use to
// flood the log. They go to augur's log at debug level instead.
#pragma once

namespace augur::otlp {

// Process-wide; call once at start-up.
void InstallProtobufLogHandler();

}  // namespace augur::otlp
