// The DICOM JSON model (PS3.18 F.2) as a DatasetReader: WADO-RS metadata bodies and .json files.
// A body is parsed and validated whole by simdjson's DOM parser before any of it is read, so a
// malformed body is refused before the walk starts, and the reader only ever sees well-formed
// JSON; nesting deeper than the walk's sequence bound allows is refused as a limit.
#pragma once

#include <simdjson.h>

#include <functional>
#include <string_view>
#include <vector>

#include "model/instance.hpp"
#include "model/reader.hpp"
#include "model/walk.hpp"

namespace dicomlake::model {

// Calls `on_instance` with a reader over each instance of a body (an array of instances, or a
// single instance object). Throws MalformedJson, or LimitExceeded when the JSON nests deeper
// than `max_depth` sequences can (limits.max_depth).
void for_each_json_instance(simdjson::padded_string_view body, int max_depth,
                            const std::function<void(DatasetReader&)>& on_instance);

// for_each_json_instance + walk_instance.
void walk_metadata(simdjson::padded_string_view body, const AttributeFilter& filter,
                   const std::function<void(Instance&&)>& on_instance, const WalkOptions& options = {});

// Convenience for tests and tools: copies into padded memory first.
std::vector<Instance> parse_metadata(std::string_view body, const AttributeFilter& filter,
                                     const WalkOptions& options = {});

}  // namespace dicomlake::model
