#include "otlp/encode.h"

#include <map>
#include <utility>
#include <variant>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace augur::otlp {
namespace {

namespace common_pb = opentelemetry::proto::common::v1;
namespace resource_pb = opentelemetry::proto::resource::v1;
namespace trace_pb = opentelemetry::proto::trace::v1;
namespace metrics_pb = opentelemetry::proto::metrics::v1;
namespace logs_pb = opentelemetry::proto::logs::v1;

void SetValue(const model::AnyValue& in, common_pb::AnyValue* out);

void SetAttributes(const model::Attributes& in, google::protobuf::RepeatedPtrField<common_pb::KeyValue>* out) {
  for (const auto& kv : in) {
    auto* o = out->Add();
    o->set_key(kv.key);
    SetValue(kv.value, o->mutable_value());
  }
}

void SetValue(const model::AnyValue& in, common_pb::AnyValue* out) {
  std::visit(
      [out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          out->set_string_value(v);
        } else if constexpr (std::is_same_v<T, bool>) {
          out->set_bool_value(v);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          out->set_int_value(v);
        } else if constexpr (std::is_same_v<T, double>) {
          out->set_double_value(v);
        } else if constexpr (std::is_same_v<T, model::Bytes>) {
          out->set_bytes_value(std::string(v.begin(), v.end()));
        } else if constexpr (std::is_same_v<T, model::ArrayValue>) {
          auto* array = out->mutable_array_value();
          for (const auto& e : v) SetValue(e, array->add_values());
        } else if constexpr (std::is_same_v<T, model::Attributes>) {
          SetAttributes(v, out->mutable_kvlist_value()->mutable_values());
        }
      },
      in.value);
}

template <size_t N>
std::string IdBytes(const std::array<uint8_t, N>& id) {
  return model::IsZero(id) ? std::string() : std::string(id.begin(), id.end());
}

// Finds or adds the ResourceX/ScopeX pair for (resource, scope) indices.
template <typename ResourceX, typename ScopeX, typename Request, typename AddResource, typename AddScope>
class Grouper {
 public:
  Grouper(const model::Batch& batch, Request* request, AddResource add_resource, AddScope add_scope)
      : batch_(batch), request_(request), add_resource_(add_resource), add_scope_(add_scope) {}

  ScopeX* For(uint32_t resource_index, uint32_t scope_index) {
    auto key = std::make_pair(resource_index, scope_index);
    if (auto it = scopes_.find(key); it != scopes_.end()) return it->second;
    ResourceX*& rx = resources_[resource_index];
    if (rx == nullptr) {
      rx = add_resource_(request_);
      if (resource_index < batch_.resources.size()) {
        const model::Resource& r = batch_.resources[resource_index];
        SetAttributes(r.attributes, rx->mutable_resource()->mutable_attributes());
        rx->set_schema_url(r.schema_url);
      }
    }
    ScopeX* sx = add_scope_(rx);
    if (scope_index < batch_.scopes.size()) {
      const model::Scope& s = batch_.scopes[scope_index];
      sx->mutable_scope()->set_name(s.name);
      sx->mutable_scope()->set_version(s.version);
      SetAttributes(s.attributes, sx->mutable_scope()->mutable_attributes());
    }
    scopes_[key] = sx;
    return sx;
  }

 private:
  const model::Batch& batch_;
  Request* request_;
  AddResource add_resource_;
  AddScope add_scope_;
  std::map<uint32_t, ResourceX*> resources_;
  std::map<std::pair<uint32_t, uint32_t>, ScopeX*> scopes_;
};

template <typename ResourceX, typename ScopeX, typename Request, typename AddResource, typename AddScope>
auto MakeGrouper(const model::Batch& batch, Request* request, AddResource add_resource, AddScope add_scope) {
  return Grouper<ResourceX, ScopeX, Request, AddResource, AddScope>(batch, request, add_resource, add_scope);
}

template <typename P>
void SetPointCommon(const model::MetricPoint& in, P* out) {
  SetAttributes(in.attributes, out->mutable_attributes());
  out->set_start_time_unix_nano(in.start_time_unix_nano);
  out->set_time_unix_nano(in.time_unix_nano);
  out->set_flags(in.flags);
}

void SetNumber(const model::MetricPoint& in, metrics_pb::NumberDataPoint* out) {
  SetPointCommon(in, out);
  if (in.is_int) {
    out->set_as_int(static_cast<int64_t>(in.value));
  } else {
    out->set_as_double(in.value);
  }
}

}  // namespace

std::string EncodeTraces(const model::Batch& batch) {
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
  auto groups = MakeGrouper<trace_pb::ResourceSpans, trace_pb::ScopeSpans>(
      batch, &request, [](auto* r) { return r->add_resource_spans(); }, [](auto* rx) { return rx->add_scope_spans(); });
  for (const model::Span& s : batch.spans) {
    trace_pb::Span* o = groups.For(s.resource_index, s.scope_index)->add_spans();
    o->set_trace_id(IdBytes(s.trace_id));
    o->set_span_id(IdBytes(s.span_id));
    o->set_parent_span_id(IdBytes(s.parent_span_id));
    o->set_trace_state(s.trace_state);
    o->set_flags(s.flags);
    o->set_name(s.name);
    o->set_kind(static_cast<trace_pb::Span::SpanKind>(s.kind));
    o->set_start_time_unix_nano(s.start_time_unix_nano);
    o->set_end_time_unix_nano(s.end_time_unix_nano);
    SetAttributes(s.attributes, o->mutable_attributes());
    for (const auto& e : s.events) {
      auto* oe = o->add_events();
      oe->set_time_unix_nano(e.time_unix_nano);
      oe->set_name(e.name);
      SetAttributes(e.attributes, oe->mutable_attributes());
    }
    for (const auto& l : s.links) {
      auto* ol = o->add_links();
      ol->set_trace_id(IdBytes(l.trace_id));
      ol->set_span_id(IdBytes(l.span_id));
      ol->set_trace_state(l.trace_state);
      ol->set_flags(l.flags);
      SetAttributes(l.attributes, ol->mutable_attributes());
    }
    o->mutable_status()->set_code(static_cast<trace_pb::Status::StatusCode>(s.status_code));
    o->mutable_status()->set_message(s.status_message);
  }
  return request.SerializeAsString();
}

std::string EncodeMetrics(const model::Batch& batch) {
  opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest request;
  auto groups = MakeGrouper<metrics_pb::ResourceMetrics, metrics_pb::ScopeMetrics>(
      batch, &request, [](auto* r) { return r->add_resource_metrics(); },
      [](auto* rx) { return rx->add_scope_metrics(); });
  for (const model::Metric& m : batch.metrics) {
    metrics_pb::Metric* o = groups.For(m.resource_index, m.scope_index)->add_metrics();
    o->set_name(m.name);
    o->set_description(m.description);
    o->set_unit(m.unit);
    const auto temporality = static_cast<metrics_pb::AggregationTemporality>(m.temporality);
    switch (m.type) {
      case model::MetricType::kGauge:
        for (const auto& p : m.points) SetNumber(p, o->mutable_gauge()->add_data_points());
        break;
      case model::MetricType::kSum:
        o->mutable_sum()->set_aggregation_temporality(temporality);
        o->mutable_sum()->set_is_monotonic(m.monotonic);
        for (const auto& p : m.points) SetNumber(p, o->mutable_sum()->add_data_points());
        break;
      case model::MetricType::kHistogram:
        o->mutable_histogram()->set_aggregation_temporality(temporality);
        for (const auto& p : m.points) {
          auto* op = o->mutable_histogram()->add_data_points();
          SetPointCommon(p, op);
          if (const auto* h = std::get_if<model::HistogramValue>(&p.distribution)) {
            op->set_count(h->count);
            if (h->has_sum) op->set_sum(h->sum);
            if (h->has_min) op->set_min(h->min);
            if (h->has_max) op->set_max(h->max);
            for (double b : h->explicit_bounds) op->add_explicit_bounds(b);
            for (uint64_t c : h->bucket_counts) op->add_bucket_counts(c);
          }
        }
        break;
      case model::MetricType::kExponentialHistogram:
        o->mutable_exponential_histogram()->set_aggregation_temporality(temporality);
        for (const auto& p : m.points) {
          auto* op = o->mutable_exponential_histogram()->add_data_points();
          SetPointCommon(p, op);
          if (const auto* h = std::get_if<model::ExponentialHistogramValue>(&p.distribution)) {
            op->set_count(h->count);
            if (h->has_sum) op->set_sum(h->sum);
            if (h->has_min) op->set_min(h->min);
            if (h->has_max) op->set_max(h->max);
            op->set_scale(h->scale);
            op->set_zero_count(h->zero_count);
            op->set_zero_threshold(h->zero_threshold);
            op->mutable_positive()->set_offset(h->positive_offset);
            for (uint64_t c : h->positive_bucket_counts) op->mutable_positive()->add_bucket_counts(c);
            op->mutable_negative()->set_offset(h->negative_offset);
            for (uint64_t c : h->negative_bucket_counts) op->mutable_negative()->add_bucket_counts(c);
          }
        }
        break;
      case model::MetricType::kSummary:
        for (const auto& p : m.points) {
          auto* op = o->mutable_summary()->add_data_points();
          SetAttributes(p.attributes, op->mutable_attributes());
          op->set_start_time_unix_nano(p.start_time_unix_nano);
          op->set_time_unix_nano(p.time_unix_nano);
          op->set_flags(p.flags);
          if (const auto* s = std::get_if<model::SummaryValue>(&p.distribution)) {
            op->set_count(s->count);
            op->set_sum(s->sum);
            for (const auto& q : s->quantiles) {
              auto* oq = op->add_quantile_values();
              oq->set_quantile(q.quantile);
              oq->set_value(q.value);
            }
          }
        }
        break;
    }
  }
  return request.SerializeAsString();
}

std::string EncodeLogs(const model::Batch& batch) {
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest request;
  auto groups = MakeGrouper<logs_pb::ResourceLogs, logs_pb::ScopeLogs>(
      batch, &request, [](auto* r) { return r->add_resource_logs(); }, [](auto* rx) { return rx->add_scope_logs(); });
  for (const model::LogRecord& l : batch.logs) {
    logs_pb::LogRecord* o = groups.For(l.resource_index, l.scope_index)->add_log_records();
    o->set_time_unix_nano(l.time_unix_nano);
    o->set_observed_time_unix_nano(l.observed_time_unix_nano);
    o->set_severity_number(static_cast<logs_pb::SeverityNumber>(l.severity_number));
    o->set_severity_text(l.severity_text);
    SetValue(l.body, o->mutable_body());
    SetAttributes(l.attributes, o->mutable_attributes());
    o->set_flags(l.flags);
    o->set_trace_id(IdBytes(l.trace_id));
    o->set_span_id(IdBytes(l.span_id));
    o->set_event_name(l.event_name);
  }
  return request.SerializeAsString();
}

}  // namespace augur::otlp
