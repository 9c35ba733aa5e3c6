// Runs one Series of a detector test script (script.h): generates its points
// deterministically, feeds them to the production detector for its kind
// with Options::For(its sensitivity), collects the incidents and checks the
// expectations. Pure apart from memory; safe from many threads.
#pragma once

#include <string>
#include <vector>

#include "detect/finding.h"
#include "detect/script.h"

namespace augur::detect::script {

// An incident as the script sees it: times as point numbers.
struct SeenIncident {
  Finding finding;                            // as last raised, updated or ended
  int64_t onset = 0, raised = 0, ended = -1;  // point numbers; ended -1 while open
  std::string ToString() const;  // "metric_level up onset=360 raised=361 ended=-1 score=0.62 (value rose from ...)"
};

struct Outcome {
  std::vector<SeenIncident> incidents;
  std::vector<std::string> failures;  // "file:line: what went wrong"; empty = pass
  int64_t points = 0;                 // points fed
};

Outcome Run(std::string_view file_name, const Series& series);

}  // namespace augur::detect::script
