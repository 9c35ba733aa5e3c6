// Test helper shared by the OTLP decoder tests: attribute values nested to
// a given depth, for the decoders' nesting limits.
#pragma once

#include <utility>

#include "opentelemetry/proto/common/v1/common.pb.h"

namespace augur::otlp {

// An attribute value that is `levels` arrays deep around a string.
inline opentelemetry::proto::common::v1::AnyValue NestedValue(int levels) {
  opentelemetry::proto::common::v1::AnyValue value;
  value.set_string_value("core");
  for (int i = 0; i < levels; ++i) {
    opentelemetry::proto::common::v1::AnyValue outer;
    *outer.mutable_array_value()->add_values() = std::move(value);
    value = std::move(outer);
  }
  return value;
}

}  // namespace augur::otlp
