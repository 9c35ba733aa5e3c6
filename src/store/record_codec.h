// How the store keeps structured fields of metric points, logs, resources and
// scopes as JSON text columns (spans have their own binary form,
// span_codec.h). Internal to the store.
//
// Attributes and log bodies are the JSON model::ToJson makes (model/json.h),
// written directly for speed and read back with model::AttributesFromJson /
// AnyValueFromJson. So the file is readable with sqlite3's JSON functions,
// and values read back equal, except that:
// - keys come back in sorted order (and a duplicate key, which OTLP forbids,
//   keeps its last value);
// - a key-value list shaped like {"bytes": "<base64>"} reads back as bytes,
//   and the strings "NaN", "Infinity", "-Infinity" as doubles;
// - invalid UTF-8 in strings is replaced by U+FFFD.
// Distributions use the store's own shape, which only this file reads.
//
// Encoders write into `out` (replacing its contents) so the writer can reuse
// one buffer; decoders never throw and turn malformed text into empty values.
#pragma once

#include <string>
#include <string_view>

#include "model/telemetry.h"

namespace augur::store {

void EncodeAttributes(const model::Attributes& attributes, std::string* out);
void EncodeValue(const model::AnyValue& value, std::string* out);
// `point.distribution` (not monostate).
void EncodeDistribution(const model::MetricPoint& point, std::string* out);

model::Attributes DecodeAttributes(std::string_view text);
model::AnyValue DecodeValue(std::string_view text);
// Sets `point->distribution`.
void DecodeDistribution(std::string_view text, model::MetricPoint* point);

}  // namespace augur::store
